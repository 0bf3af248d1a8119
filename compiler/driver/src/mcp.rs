//! `contractc mcp`: a Model Context Protocol server over stdio (the official Rust SDK, `rmcp`)
//! serving the project it is started in, for agents that read a project without writing Rust.
//!
//! Protocol: MCP revision 2026-07-28 (stateless: `server/discover`, then self-contained requests)
//! and the earlier revisions' `initialize` handshake (2025-11-25 and before), as `rmcp` serves
//! both on one stdio connection (specification, "Lifecycle" and "Transports: stdio"). Only
//! JSON-RPC goes to stdout; the one log line goes to stderr.
//!
//! Tools (specification, "Server features: Tools"; each with an input schema and an output
//! schema, and a structured result): `workflow_list`, `workflow_get`, `workflow_validate`,
//! `workflow_next`, `contract_list`, `contract_get`, `message_validate`, `run_status`. A spec
//! that does not check or a message that its contract refuses is a tool result saying so; what
//! names nothing in the project is a JSON-RPC error with a code of this server's range
//! (JSON-RPC 2.0 §5.1, "-32000 to -32099: reserved for implementation-defined server-errors";
//! MCP uses -32020 and up and -32002, so these stay within -32010..-32019): [`UNKNOWN_WORKFLOW`],
//! [`UNKNOWN_CONTRACT`], [`UNKNOWN_STEP`], [`DOES_NOT_COMPILE`], [`NO_RUN`], [`UNREADABLE`].
//!
//! One warm compiler database ([`Session`], as `contractc watch` keeps it) lives as long as the
//! server. Before each call every input is read again and only those whose text changed are set
//! (`Session::update`), so an edit between two calls is seen by the second, and an unchanged
//! project costs a read of its files and salsa's check that nothing changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use contractc_ir::{Program, TriggerRule, Workflow};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ErrorCode, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, Json, ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};
use runtime::run::Status;
use runtime::run::status::{self as run_status, Resume};
use runtime::run::trigger::{self, Decision, Need};
use serde::{Deserialize, Serialize};

use crate::watch::Session;
use crate::{Config, Failure, check_in};

/// A workflow that is not in the project (`data.known`: the project's workflows).
pub const UNKNOWN_WORKFLOW: ErrorCode = ErrorCode(-32010);
/// A contract that is not in the project (`data.known`: the project's contracts).
pub const UNKNOWN_CONTRACT: ErrorCode = ErrorCode(-32011);
/// A step that is not in the workflow (`data.known`: its steps).
pub const UNKNOWN_STEP: ErrorCode = ErrorCode(-32012);
/// The project has errors, so there is no checked program to answer from (`data.diagnostics`:
/// what `contractc check --message-format json` prints).
pub const DOES_NOT_COMPILE: ErrorCode = ErrorCode(-32013);
/// `run_status`: no run directory, no plan, or a journal that cannot be read.
pub const NO_RUN: ErrorCode = ErrorCode(-32014);
/// The project's files or configuration cannot be read.
pub const UNREADABLE: ErrorCode = ErrorCode(-32015);

/// Serves the project of `config_path` (whose text and parsed form are given) over stdio until
/// the client closes the connection. Errors: the project cannot be read, or the transport fails.
pub fn serve(config_path: &Path, config_text: String, config: Config) -> Result<(), Failure> {
    let session = Session::new(contractc_sema::Database::default(), config_path, config_text, config)?;
    eprintln!("contractc mcp: serving {} over stdio", session.root().display());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| Failure::Io(PathBuf::from("tokio runtime"), e))?;
    let transport = |e: String| Failure::Io(PathBuf::from("stdio"), std::io::Error::other(e));
    runtime.block_on(async {
        // What `rmcp::transport::stdio` is, without the feature that brings tokio's networking.
        let stdio = (tokio::io::stdin(), tokio::io::stdout());
        let server = Server::new(session);
        // The first compile, cold, while the client connects: the first call finds it warm
        // (or waits for it on the session's lock). Its errors are the calls' to report.
        let warming = server.clone();
        std::thread::spawn(move || drop(warming.program()));
        let running = server.serve(stdio).await.map_err(|e| transport(e.to_string()))?;
        running.waiting().await.map_err(|e| transport(e.to_string()))?;
        Ok(())
    })
}

/// The MCP server: the warm session behind a lock (calls take turns) and the tools.
#[derive(Clone)]
pub struct Server {
    session: Arc<Mutex<Session>>,
    tool_router: ToolRouter<Server>,
}

fn error(code: ErrorCode, message: String, data: serde_json::Value) -> ErrorData {
    ErrorData::new(code, message, Some(data))
}

/// `name@M.m` of a workflow.
fn key_of(w: &Workflow) -> String {
    format!("{}@{}.{}", w.name, w.major, w.minor)
}

/// The workflow `name` names: `name@M.m`, or a name that only one version has.
fn find_workflow<'p>(program: &'p Program, name: &str) -> Result<&'p Workflow, ErrorData> {
    let exact = program.workflows.iter().find(|w| key_of(w) == name);
    let by_name: Vec<&Workflow> = program.workflows.iter().filter(|w| w.name == name).collect();
    match (exact, by_name.as_slice()) {
        (Some(w), _) => Ok(w),
        (None, [w]) => Ok(*w),
        _ => Err(error(
            UNKNOWN_WORKFLOW,
            format!("no workflow `{name}` in the project"),
            serde_json::json!({ "known": program.workflows.iter().map(key_of).collect::<Vec<_>>() }),
        )),
    }
}

/// The index of contract `key` (`events/PriceTick@1.0`) in `program`.
fn find_contract(program: &Program, key: &str) -> Result<usize, ErrorData> {
    program.contracts.iter().position(|c| c.id.key() == key).ok_or_else(|| {
        error(
            UNKNOWN_CONTRACT,
            format!("no contract `{key}` in the project"),
            serde_json::json!({ "known": program.contracts.iter().map(|c| c.id.key()).collect::<Vec<_>>() }),
        )
    })
}

fn trigger_name(t: TriggerRule) -> &'static str {
    match t {
        TriggerRule::AllSuccess => "all_success",
        TriggerRule::AllDone => "all_done",
        TriggerRule::OneFailed => "one_failed",
        TriggerRule::Always => "always",
    }
}

/// `workflow_list`'s arguments.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ListWorkflows {
    /// Only the workflows whose name contains this text.
    #[serde(default)]
    pub name: Option<String>,
}

/// `workflow_list`'s result.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct WorkflowList {
    pub workflows: Vec<WorkflowSummary>,
}

/// One workflow of [`WorkflowList`].
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct WorkflowSummary {
    /// `name@MAJOR.MINOR`, as the other tools take it.
    pub workflow: String,
    pub name: String,
    /// `MAJOR.MINOR`.
    pub version: String,
    pub description: Option<String>,
    pub steps: usize,
    /// The spec's file, from the project root.
    pub source: String,
    /// Where `contractc build` writes its plan, from the project root.
    pub plan: String,
}

/// The arguments of the tools about one workflow.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct WorkflowArg {
    /// `name@MAJOR.MINOR` (`eurusd_pipeline@1.0`), or a name only one version has.
    pub workflow: String,
}

/// A checked workflow: `workflow_get`'s result.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct WorkflowView {
    pub workflow: String,
    pub description: Option<String>,
    pub source: String,
    pub plan: String,
    /// In the order the runtime considers them (every step after the steps it needs).
    pub steps: Vec<StepView>,
    /// Resources with circuit breakers.
    pub resources: Vec<ResourceView>,
}

/// A resource guarded by a circuit breaker: it opens after `failure_threshold` consecutive failed
/// attempts and lets one probe through after `cooldown_ms`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ResourceView {
    pub name: String,
    pub failure_threshold: u32,
    pub cooldown_ms: u64,
}

/// One step of a [`WorkflowView`], as the checker resolved it (README "Workflows").
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct StepView {
    pub name: String,
    pub description: Option<String>,
    /// argv, never a shell string.
    pub run: Vec<String>,
    pub working_dir: Option<String>,
    /// Declared environment variables.
    pub env: BTreeMap<String, String>,
    /// Host variables passed through besides the runtime's allowlist.
    pub env_from_host: Vec<String>,
    pub inputs: Vec<InputView>,
    pub output: Option<OutputView>,
    /// Every step it waits for: its inputs' producers and `depends_on`.
    pub needs: Vec<String>,
    pub when: Option<ConditionView>,
    /// `all_success`, `all_done`, `one_failed` or `always`.
    pub trigger_rule: String,
    pub retry: Option<RetryView>,
    pub timeout_ms: Option<u64>,
    pub deadline_ms: Option<u64>,
    pub fallback: Option<String>,
    /// Set on a fallback: the step it stands in for.
    pub fallback_for: Option<String>,
    pub resources: Vec<String>,
}

/// One input of a step: the file `CTC_INPUT_<NAME>` names.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct InputView {
    pub name: String,
    /// The step that produces it.
    pub from: String,
    /// The producer's output contract (`events/Signal@1.0`), if it has one.
    pub contract: Option<String>,
    /// JSON Lines (else one message).
    pub stream: bool,
}

/// A step's output: the file `CTC_OUTPUT` names, validated against `contract`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct OutputView {
    pub contract: String,
    pub stream: bool,
}

/// A typed condition, evaluated per message of one input.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ConditionView {
    pub source: String,
    pub input: String,
}

/// A retry policy: the wait before attempt n+1 is `min(initial_ms · factor^(n-1),
/// max_interval_ms)` ± `jitter` (a fraction).
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct RetryView {
    pub max_attempts: u32,
    pub initial_ms: u64,
    pub factor: f64,
    pub max_interval_ms: u64,
    pub jitter: f64,
    /// Exit codes retried (`null`: any).
    pub exit_codes: Option<Vec<i32>>,
    /// Signals retried (`null`: any).
    pub signals: Option<Vec<i32>>,
    pub on_timeout: bool,
}

fn step_view(program: &Program, w: &Workflow, i: usize) -> StepView {
    let s = &w.steps[i];
    let name = |j: usize| w.steps[j].name.clone();
    StepView {
        name: s.name.clone(),
        description: s.description.clone(),
        run: s.run.clone(),
        working_dir: s.working_dir.clone(),
        env: s.env.iter().cloned().collect(),
        env_from_host: s.env_from_host.clone(),
        inputs: inputs_of(program, w, i),
        output: output_of(program, w, i),
        needs: s.needs.iter().map(|&n| name(n)).collect(),
        when: condition_of(w, i),
        trigger_rule: trigger_name(s.trigger).into(),
        retry: s.retry.as_ref().map(|r| RetryView {
            max_attempts: r.max_attempts,
            initial_ms: r.initial_ms,
            factor: r.factor,
            max_interval_ms: r.max_interval_ms,
            jitter: r.jitter,
            exit_codes: r.retry_on.exit_codes.clone(),
            signals: r.retry_on.signals.clone(),
            on_timeout: r.retry_on.timeout,
        }),
        timeout_ms: s.timeout_ms,
        deadline_ms: s.deadline_ms,
        fallback: s.fallback.map(name),
        fallback_for: s.fallback_for.map(name),
        resources: s.resources.iter().map(|&r| w.resources[r].name.clone()).collect(),
    }
}

fn inputs_of(program: &Program, w: &Workflow, i: usize) -> Vec<InputView> {
    w.steps[i]
        .inputs
        .iter()
        .map(|input| {
            let output = w.steps[input.from].output.as_ref();
            InputView {
                name: input.name.clone(),
                from: w.steps[input.from].name.clone(),
                contract: output.map(|o| program.contracts[o.contract].id.key()),
                stream: output.is_some_and(|o| o.stream),
            }
        })
        .collect()
}

fn output_of(program: &Program, w: &Workflow, i: usize) -> Option<OutputView> {
    let o = w.steps[i].output.as_ref()?;
    Some(OutputView { contract: program.contracts[o.contract].id.key(), stream: o.stream })
}

fn condition_of(w: &Workflow, i: usize) -> Option<ConditionView> {
    let s = &w.steps[i];
    s.when.as_ref().map(|c| ConditionView { source: c.source.clone(), input: s.inputs[c.input].name.clone() })
}

/// `workflow_validate`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ValidateWorkflow {
    /// The spec, as the text of its JSON file.
    pub spec: String,
    /// Where the file would be, from the project root; its name gives the workflow's version
    /// (`contracts/workflows/<name>@<MAJOR>.<MINOR>.json`). Default: that path with the spec's
    /// `name` and version 1.0 (`candidate` when its name cannot be read). A spec at the path of
    /// an existing file is checked in its place.
    #[serde(default)]
    pub path: Option<String>,
}

/// `workflow_validate`'s result: what `contractc check` says of the project with the spec in it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct Validation {
    /// No error (warnings allowed, as `contractc check` allows them).
    pub valid: bool,
    /// The path the spec was checked at.
    pub path: String,
    pub errors: usize,
    pub warnings: usize,
    /// Errors, warnings and notes (a change between majors that a migration explains).
    pub diagnostics: Vec<DiagnosticView>,
}

/// A diagnostic, as `--message-format json` prints it.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct DiagnosticView {
    /// Stable code (`E0005`).
    pub code: String,
    /// Its kebab-case name (`unresolved-ref`).
    pub name: String,
    /// `error`, `warning` or `note`.
    pub severity: String,
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in Unicode scalar values.
    pub column: usize,
    /// JSON pointer (RFC 6901) into the file.
    pub pointer: String,
    pub message: String,
    pub notes: Vec<String>,
}

/// `workflow_next`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct NextSteps {
    /// `name@MAJOR.MINOR`, or a name only one version has.
    pub workflow: String,
    /// How each step that has started stands, by step name; steps not named have not started.
    #[serde(default)]
    pub statuses: BTreeMap<String, StepState>,
}

/// How a step stands, as the runtime's summary names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Started and not finished: it neither runs again nor lets what needs it start.
    Running,
    Succeeded,
    /// Committed by an earlier run (counts as succeeded).
    UpToDate,
    /// Failed; when it has a fallback, that fallback decides how it ends.
    Failed,
    Skipped,
    Interrupted,
    /// A fallback whose step did not fail.
    NotNeeded,
}

/// `workflow_next`'s result.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct Next {
    /// Nothing is ready, running or waiting: every step has settled.
    pub complete: bool,
    /// The steps that may start now, in the workflow's order.
    pub ready: Vec<ReadyStep>,
    /// Steps that settle now without running: skipped by their trigger rule, or fallbacks not
    /// needed.
    pub decided: Vec<DecidedStep>,
    /// Steps that wait for a step that has not settled.
    pub waiting: Vec<String>,
}

/// A step that may start, with what it needs to run.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ReadyStep {
    pub step: String,
    pub argv: Vec<String>,
    pub working_dir: Option<String>,
    pub inputs: Vec<InputView>,
    pub output: Option<OutputView>,
    /// Filters the messages of one input; the step is skipped when it admits none.
    pub condition: Option<ConditionView>,
    /// Set on a fallback: the step it stands in for.
    pub fallback_for: Option<String>,
}

/// A step of [`Next`] that settles without running, and why.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct DecidedStep {
    pub step: String,
    /// `skipped` or `not_needed`.
    pub status: String,
    pub reason: String,
}

/// `contract_list`'s arguments.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ListContracts {
    /// Only this namespace (`events`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Only the contracts whose name contains this text.
    #[serde(default)]
    pub name: Option<String>,
}

/// `contract_list`'s result.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ContractList {
    pub contracts: Vec<ContractSummary>,
}

/// One contract of [`ContractList`].
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ContractSummary {
    /// `namespace/Name@MAJOR.MINOR`, as workflow specs and the other tools name it.
    pub contract: String,
    pub namespace: String,
    pub name: String,
    pub version: String,
    pub description: Option<String>,
    pub source: String,
    /// The root type's name.
    pub root: String,
}

/// The arguments of `contract_get`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ContractArg {
    /// `namespace/Name@MAJOR.MINOR` (`events/OrderIntent@1.2`).
    pub contract: String,
}

/// `contract_get`'s result.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ContractView {
    pub contract: String,
    pub description: Option<String>,
    pub source: String,
    /// The schema, as its file holds it.
    pub schema: serde_json::Value,
    /// Every named type, the root first, with what each enabled backend calls it.
    pub types: Vec<TypeNames>,
    /// The contract's versions in the project (this one included), oldest first.
    pub versions: Vec<String>,
    /// The workflow steps that emit it (`workflow.step`).
    pub emitted_by: Vec<String>,
}

/// A named type of a contract and what each enabled backend calls it (`null`: the backend is
/// not enabled).
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct TypeNames {
    pub name: String,
    /// JSON pointer of its schema in the file.
    pub pointer: String,
    /// The path in the generated crate (`trading_contracts::events::order_intent_1_2::OrderIntent`).
    pub rust: Option<String>,
    /// The import path in the generated package (`trading_contracts.events.order_intent_1_2.OrderIntent`).
    pub python: Option<String>,
    /// The MQL4 name (`OrderIntent_1_2`).
    pub mql4: Option<String>,
}

/// `message_validate`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ValidateMessage {
    /// `namespace/Name@MAJOR.MINOR`.
    pub contract: String,
    /// The message, as JSON text.
    pub message: String,
}

/// `message_validate`'s result: the runtime's verdict at a step boundary.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct MessageVerdict {
    pub valid: bool,
    /// Accepted: the canonical form (RFC 8785 style), the bytes every generated language writes.
    pub canonical: Option<String>,
    /// Refused: the JSON pointer of the value at fault (`""`: the root, or text that is not JSON).
    pub pointer: Option<String>,
    pub reason: Option<String>,
}

/// `run_status`'s arguments.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct RunStatusArgs {
    /// `name@MAJOR.MINOR`, or a name only one version has: the plan a resume would run is its
    /// plan file under the output folder (as `contractc build` wrote it).
    pub workflow: String,
    /// The run directory, from the project root (default `.runs/<name>@<MAJOR>.<MINOR>`, the
    /// runtime's default when started at the root).
    #[serde(default)]
    pub run_dir: Option<String>,
}

/// `run_status`'s result: `runtime status RUN_DIR --plan PLAN --json`, with the paths it read.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct RunStatusView {
    pub workflow: String,
    pub run_dir: String,
    pub plan: String,
    /// Intact journal records.
    pub records: usize,
    /// Bytes of a torn journal tail, which a resume cuts off.
    pub torn_bytes: u64,
    pub steps: Vec<StepStatusView>,
    /// The steps a resume would start at once.
    pub resume_runs: Vec<String>,
}

/// One step of a [`RunStatusView`] (`runtime::run::status::StepStatus`, its resume flattened).
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct StepStatusView {
    pub step: String,
    /// The last journaled outcome: `succeeded`, `skipped`, `failed`, `interrupted` or `none`.
    pub last: String,
    pub attempts: u32,
    /// Why it failed or was skipped.
    pub detail: String,
    pub messages: Option<u64>,
    /// What a resume would do: `up_to_date`, `run`, `skip`, `not_needed` or `wait`.
    pub resume: Option<String>,
    /// Why (`run`, `skip`, `not_needed`).
    pub reason: Option<String>,
    /// The steps it waits for (`wait`).
    pub waits_for: Vec<String>,
}

impl Server {
    /// A server over the project `session` holds (its database is kept warm from call to call).
    pub fn new(session: Session) -> Server {
        Server { session: Arc::new(Mutex::new(session)), tool_router: Self::tool_router() }
    }

    /// The session with its inputs brought up to date with the files.
    fn fresh(&self) -> Result<MutexGuard<'_, Session>, ErrorData> {
        // A call that panicked leaves the session as consistent as salsa leaves it.
        let mut session = self.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        session.update(None).map_err(|e| error(UNREADABLE, e.to_string(), serde_json::json!({})))?;
        session.take_changed();
        Ok(session)
    }

    /// The checked program of the fresh session, and the session.
    fn program(&self) -> Result<(MutexGuard<'_, Session>, Arc<Program>), ErrorData> {
        let session = self.fresh()?;
        match check_in(session.db(), session.project(), session.inputs(), session.config()) {
            Ok((program, _)) => Ok((session, program)),
            Err(Failure::Diagnostics(d)) => {
                let diagnostics = diagnostics(session.inputs(), &d);
                Err(error(
                    DOES_NOT_COMPILE,
                    format!("the project has {} error(s); `contractc check` shows them", d.len()),
                    serde_json::json!({ "diagnostics": diagnostics }),
                ))
            }
            Err(e) => Err(error(UNREADABLE, e.to_string(), serde_json::json!({}))),
        }
    }
}

/// Diagnostics as `--message-format json` gives them, located in `inputs`' texts.
fn diagnostics(inputs: &crate::Inputs, d: &[contractc_diagnostics::Diagnostic]) -> Vec<DiagnosticView> {
    let source = |path: &str| inputs.sources.iter().find(|(p, _)| p == path).map(|(_, t)| t.clone());
    crate::report::json_values(d, &source).into_iter().filter_map(|v| serde_json::from_value(v).ok()).collect()
}

/// The plan file of `w` under the output folder, from the project root.
fn plan_path(session: &Session, w: &Workflow) -> String {
    format!("{}/{}", session.config().output, contractc_backend_plan::path(w))
}

#[tool_router]
impl Server {
    #[tool(
        description = "The project's workflows (name@version, description, step count), optionally those whose name contains `name`."
    )]
    fn workflow_list(&self, Parameters(args): Parameters<ListWorkflows>) -> Result<Json<WorkflowList>, ErrorData> {
        let (session, program) = self.program()?;
        let filter = args.name.unwrap_or_default();
        let workflows = program
            .workflows
            .iter()
            .filter(|w| w.name.contains(&filter))
            .map(|w| WorkflowSummary {
                workflow: key_of(w),
                name: w.name.clone(),
                version: format!("{}.{}", w.major, w.minor),
                description: w.description.clone(),
                steps: w.steps.len(),
                source: w.source.clone(),
                plan: plan_path(&session, w),
            })
            .collect();
        Ok(Json(WorkflowList { workflows }))
    }

    #[tool(
        description = "A checked workflow: its steps with argv, inputs and their contracts, output contract, condition, trigger rule, retry, timeout, deadline, fallback and resources. Error -32010 if there is no such workflow."
    )]
    fn workflow_get(&self, Parameters(args): Parameters<WorkflowArg>) -> Result<Json<WorkflowView>, ErrorData> {
        let (session, program) = self.program()?;
        let w = find_workflow(&program, &args.workflow)?;
        Ok(Json(WorkflowView {
            workflow: key_of(w),
            description: w.description.clone(),
            source: w.source.clone(),
            plan: plan_path(&session, w),
            steps: (0..w.steps.len()).map(|i| step_view(&program, w, i)).collect(),
            resources: w
                .resources
                .iter()
                .map(|r| ResourceView {
                    name: r.name.clone(),
                    failure_threshold: r.failure_threshold,
                    cooldown_ms: r.cooldown_ms,
                })
                .collect(),
        }))
    }

    #[tool(
        description = "Checks a workflow spec given as JSON text as `contractc check` would with it in the project, and returns the diagnostics (code, name, severity, file, line, column, JSON pointer, message): an invalid spec is a result with valid=false, not an error."
    )]
    fn workflow_validate(&self, Parameters(args): Parameters<ValidateWorkflow>) -> Result<Json<Validation>, ErrorData> {
        let mut session = self.fresh()?;
        let path = args.path.unwrap_or_else(|| {
            let name = serde_json::from_str::<serde_json::Value>(&args.spec)
                .ok()
                .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string))
                .filter(|n| !n.is_empty() && !n.contains('/'))
                .unwrap_or_else(|| "candidate".into());
            format!("{}/workflows/{name}@1.0.json", session.config().contracts)
        });
        let (project, inputs) = session.candidate(&path, &args.spec);
        let found = match check_in(session.db(), &project, &inputs, session.config()) {
            Ok((_, warnings)) => warnings,
            Err(Failure::Diagnostics(d)) => d,
            Err(e) => return Err(error(UNREADABLE, e.to_string(), serde_json::json!({}))),
        };
        let diagnostics = diagnostics(&inputs, &found);
        let count = |severity: &str| diagnostics.iter().filter(|d| d.severity == severity).count();
        let (errors, warnings) = (count("error"), count("warning"));
        Ok(Json(Validation { valid: errors == 0, path, errors, warnings, diagnostics }))
    }

    #[tool(
        description = "Stateless scheduling: given how the steps that have started stand (running, succeeded, up_to_date, failed, skipped, interrupted, not_needed), the steps ready now under the trigger rules and fallbacks (with argv, inputs, output contract and condition), those that settle without running, those still waiting, or that the workflow is complete. Errors -32010 (no such workflow), -32012 (a status names no step of it)."
    )]
    fn workflow_next(&self, Parameters(args): Parameters<NextSteps>) -> Result<Json<Next>, ErrorData> {
        let (_session, program) = self.program()?;
        let w = find_workflow(&program, &args.workflow)?;
        let plan = contractc_backend_plan::lower(&program, w);
        let n = plan.steps.len();
        let mut given: Vec<Option<StepState>> = vec![None; n];
        for (name, state) in &args.statuses {
            let Some(i) = plan.steps.iter().position(|s| s.name == *name) else {
                return Err(error(
                    UNKNOWN_STEP,
                    format!("workflow `{}` has no step `{name}`", key_of(w)),
                    serde_json::json!({ "known": plan.steps.iter().map(|s| s.name.clone()).collect::<Vec<_>>() }),
                ));
            };
            given[i] = Some(*state);
        }
        let status = |s: StepState| match s {
            StepState::Running => None,
            StepState::Succeeded => Some(Status::Succeeded),
            StepState::UpToDate => Some(Status::UpToDate),
            StepState::Failed => Some(Status::Failed(String::new())),
            StepState::Skipped => Some(Status::Skipped(String::new())),
            StepState::Interrupted => Some(Status::Interrupted),
            StepState::NotNeeded => Some(Status::NotNeeded),
        };
        let mut settled: Vec<Option<Status>> = given.iter().map(|g| g.and_then(status)).collect();
        // A step that failed with a fallback ends as its fallback does (the scheduler's rule):
        // recovered when it succeeded, failed when it failed; until then it awaits it.
        let mut awaiting = vec![false; n];
        for (i, step) in plan.steps.iter().enumerate() {
            if let (Some(Status::Failed(_)), Some(f)) = (&settled[i], step.fallback.map(|f| f as usize)) {
                match &settled[f] {
                    Some(s) if s.is_ok() => settled[i] = Some(Status::Recovered { by: plan.steps[f].name.clone() }),
                    Some(_) => {}
                    None => awaiting[i] = true,
                }
            }
        }
        let mut next = Next { complete: false, ready: Vec::new(), decided: Vec::new(), waiting: Vec::new() };
        // Steps come after what they need: one pass decides each from the ones before it.
        for i in 0..n {
            if given[i].is_some() {
                continue;
            }
            let decision = trigger::decide(&plan, i, |d| match &settled[d] {
                _ if awaiting[d] => Need::AwaitingFallback,
                Some(s) => Need::Settled(s),
                None => Need::Pending,
            });
            let name = plan.steps[i].name.clone();
            match decision {
                Decision::Wait => next.waiting.push(name),
                Decision::Run => next.ready.push(ReadyStep {
                    step: name,
                    argv: w.steps[i].run.clone(),
                    working_dir: w.steps[i].working_dir.clone(),
                    inputs: inputs_of(&program, w, i),
                    output: output_of(&program, w, i),
                    condition: condition_of(w, i),
                    fallback_for: w.steps[i].fallback_for.map(|p| w.steps[p].name.clone()),
                }),
                Decision::Skip(reason) => {
                    settled[i] = Some(Status::Skipped(reason.clone()));
                    next.decided.push(DecidedStep { step: name, status: "skipped".into(), reason });
                }
                Decision::NotNeeded(reason) => {
                    settled[i] = Some(Status::NotNeeded);
                    next.decided.push(DecidedStep { step: name, status: "not_needed".into(), reason });
                }
            }
        }
        let running = given.contains(&Some(StepState::Running));
        next.complete = next.ready.is_empty() && next.waiting.is_empty() && !running;
        Ok(Json(next))
    }

    #[tool(
        description = "The project's contracts (namespace/Name@version, description, root type), optionally of one namespace or whose name contains `name`."
    )]
    fn contract_list(&self, Parameters(args): Parameters<ListContracts>) -> Result<Json<ContractList>, ErrorData> {
        let (_session, program) = self.program()?;
        let name = args.name.unwrap_or_default();
        let contracts = program
            .contracts
            .iter()
            .filter(|c| args.namespace.as_ref().is_none_or(|ns| c.id.namespace == *ns) && c.id.name.contains(&name))
            .map(|c| ContractSummary {
                contract: c.id.key(),
                namespace: c.id.namespace.clone(),
                name: c.id.name.clone(),
                version: format!("{}.{}", c.id.major, c.id.minor),
                description: c.description.clone(),
                source: c.source.clone(),
                root: c.root().name.clone(),
            })
            .collect();
        Ok(Json(ContractList { contracts }))
    }

    #[tool(
        description = "A contract: its schema, its named types with the name each enabled backend generates for them (Rust path, Python import path, MQL4 name), its versions and the steps that emit it. Error -32011 if there is no such contract."
    )]
    fn contract_get(&self, Parameters(args): Parameters<ContractArg>) -> Result<Json<ContractView>, ErrorData> {
        use crate::Backend;
        let (session, program) = self.program()?;
        let at = find_contract(&program, &args.contract)?;
        let c = &program.contracts[at];
        let config = session.config();
        let options = config.options();
        let on = |b: Backend| config.backends.contains(&b);
        let text = session.inputs().sources.iter().find(|(p, _)| *p == c.source).map_or("", |(_, t)| t.as_str());
        let types = (0..c.types.len())
            .map(|i| TypeNames {
                name: c.types[i].name.clone(),
                pointer: c.types[i].pointer.clone(),
                rust: on(Backend::Rust).then(|| contractc_backend_rust::public_type_path(&options, c, i)),
                python: on(Backend::Python).then(|| contractc_backend_python::class_path(&options, c, i)),
                mql4: on(Backend::Mql4).then(|| contractc_backend_mql4::own_type_name(c, i)),
            })
            .collect();
        let versions = program
            .contracts
            .iter()
            .filter(|o| o.id.namespace == c.id.namespace && o.id.name == c.id.name)
            .map(|o| o.id.key())
            .collect();
        let emitted_by = program
            .workflows
            .iter()
            .flat_map(|w| {
                w.steps
                    .iter()
                    .filter(|s| s.output.as_ref().is_some_and(|o| o.contract == at))
                    .map(move |s| format!("{}.{}", key_of(w), s.name))
            })
            .collect();
        Ok(Json(ContractView {
            contract: c.id.key(),
            description: c.description.clone(),
            source: c.source.clone(),
            // The file compiled, so it is JSON.
            schema: serde_json::from_str(text).unwrap_or_default(),
            types,
            versions,
            emitted_by,
        }))
    }

    #[tool(
        description = "Validates a JSON message against a contract with the runtime's validator (as every step boundary does): accepted with its canonical form, or refused with the JSON pointer and reason. Error -32011 if there is no such contract."
    )]
    fn message_validate(
        &self,
        Parameters(args): Parameters<ValidateMessage>,
    ) -> Result<Json<MessageVerdict>, ErrorData> {
        let (_session, program) = self.program()?;
        let validator = contractc_validator::validator(program.as_ref(), find_contract(&program, &args.contract)?);
        // Validation recurses: on a thread with the stack the runtime gives its validators.
        let verdict = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(runtime::validate::STACK_SIZE)
                .spawn_scoped(scope, || match runtime::validate::canonical_text(&validator, &args.message) {
                    Ok(canonical) => {
                        MessageVerdict { valid: true, canonical: Some(canonical), pointer: None, reason: None }
                    }
                    Err(v) => MessageVerdict {
                        valid: false,
                        canonical: None,
                        pointer: Some(v.pointer),
                        reason: Some(v.message),
                    },
                })
                .map(|t| t.join())
        });
        match verdict {
            Ok(Ok(v)) => Ok(Json(v)),
            _ => Err(ErrorData::internal_error("the validator's thread failed", None)),
        }
    }

    #[tool(
        description = "A run directory's journal read back (nothing written): each step's last outcome (succeeded, skipped, failed, interrupted, none) and attempts, and what a resume of the workflow's plan would do (up_to_date, run, skip, not_needed, wait). Errors -32010 (no such workflow), -32014 (no run directory, no plan, unreadable journal)."
    )]
    fn run_status(&self, Parameters(args): Parameters<RunStatusArgs>) -> Result<Json<RunStatusView>, ErrorData> {
        let (session, program) = self.program()?;
        let w = find_workflow(&program, &args.workflow)?;
        let run_dir = args.run_dir.unwrap_or_else(|| format!(".runs/{}", key_of(w)));
        let plan = plan_path(&session, w);
        let (dir, plan_file) = (session.root().join(&run_dir), session.root().join(&plan));
        let no_run = |message: String| error(NO_RUN, message, serde_json::json!({ "run_dir": run_dir, "plan": plan }));
        if !dir.is_dir() {
            return Err(no_run(format!("no run directory {run_dir}: the workflow has not run there")));
        }
        let bytes = std::fs::read(&plan_file)
            .map_err(|e| no_run(format!("cannot read the plan {plan}: {e}; `contractc build` writes it")))?;
        let verified = runtime::plan::decode(&bytes).map_err(|e| no_run(format!("{plan}: {e}")))?;
        let status =
            run_status::status(&dir, Some(&verified)).map_err(|e| no_run(format!("{run_dir}/journal: {e}")))?;
        let steps = status
            .steps
            .into_iter()
            .map(|s| {
                let (resume, reason, waits_for) = match s.resume {
                    None => (None, None, Vec::new()),
                    Some(Resume::UpToDate) => (Some("up_to_date"), None, Vec::new()),
                    Some(Resume::Run { reason }) => (Some("run"), Some(reason), Vec::new()),
                    Some(Resume::Skip { reason }) => (Some("skip"), Some(reason), Vec::new()),
                    Some(Resume::NotNeeded { reason }) => (Some("not_needed"), Some(reason), Vec::new()),
                    Some(Resume::Wait { on }) => (Some("wait"), None, on),
                };
                StepStatusView {
                    step: s.step,
                    last: s.last.label().into(),
                    attempts: s.attempts,
                    detail: s.detail,
                    messages: s.messages,
                    resume: resume.map(str::to_string),
                    reason,
                    waits_for,
                }
            })
            .collect();
        Ok(Json(RunStatusView {
            workflow: key_of(w),
            run_dir,
            plan,
            records: status.records,
            torn_bytes: status.torn_bytes,
            steps,
            resume_runs: status.resume_runs.unwrap_or_default(),
        }))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("contractc", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "contractc's project: its workflows (list, get, validate a spec, the next ready steps), its contracts \
                 (list, get with generated type names, validate a message) and the status of a run directory.",
            )
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    const TICK: &str =
        r#"{ "type": "object", "properties": { "price": { "type": "number" } }, "required": ["price"] }"#;
    /// A step with a fallback, a consumer of it, and a step for when the consumer fails.
    const FLOW: &str = r#"{ "name": "w", "steps": [
        { "name": "src", "run": ["emit"], "output": { "contract": "events/Tick@1.0", "stream": true }, "fallback": "backup" },
        { "name": "backup", "run": ["b"], "output": { "contract": "events/Tick@1.0", "stream": true } },
        { "name": "use", "run": ["u"], "inputs": { "t": { "from": "src" } }, "when": "t.price > 1" },
        { "name": "cleanup", "run": ["c"], "depends_on": ["use"], "trigger_rule": "one_failed" }
    ] }"#;

    fn server() -> (tempfile::TempDir, Server) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("contracts/events")).unwrap();
        fs::create_dir_all(dir.path().join("contracts/workflows")).unwrap();
        fs::write(dir.path().join("contracts/events/Tick@1.0.json"), TICK).unwrap();
        fs::write(dir.path().join("contracts/workflows/w@1.0.json"), FLOW).unwrap();
        let text = "backends = [\"rust\", \"plan\"]\n".to_string();
        fs::write(dir.path().join("contractc.toml"), &text).unwrap();
        let config = Config::parse(&text).unwrap();
        let session =
            Session::new(contractc_sema::Database::default(), &dir.path().join("contractc.toml"), text, config)
                .unwrap();
        (dir, Server::new(session))
    }

    /// What [`next`] tells: ready steps, decided steps and their status, waiting steps, complete.
    type Told = (Vec<String>, Vec<(String, String)>, Vec<String>, bool);

    /// `workflow_next` of `w@1.0` given `statuses`: the ready steps, the decided ones with their
    /// status, the waiting ones, and whether it is complete.
    fn next(server: &Server, statuses: &[(&str, StepState)]) -> Told {
        let statuses = statuses.iter().map(|(s, st)| (s.to_string(), *st)).collect();
        let Json(n) = server.workflow_next(Parameters(NextSteps { workflow: "w@1.0".into(), statuses })).unwrap();
        (
            n.ready.into_iter().map(|r| r.step).collect(),
            n.decided.into_iter().map(|d| (d.step, d.status)).collect(),
            n.waiting,
            n.complete,
        )
    }

    /// The protocol error of a call that must fail.
    fn refused<T>(r: Result<Json<T>, ErrorData>) -> ErrorData {
        match r {
            Err(e) => e,
            Ok(_) => panic!("the call succeeded"),
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn next_follows_fallbacks_and_trigger_rules_as_the_scheduler_does() {
        use StepState::*;
        let (_dir, server) = server();
        let none = Vec::<(String, String)>::new();
        let decided = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        assert_eq!(next(&server, &[]), (names(&["src"]), none.clone(), names(&["backup", "use", "cleanup"]), false));
        // A failed step awaits its fallback, which is ready; what reads it waits.
        assert_eq!(
            next(&server, &[("src", Failed)]),
            (names(&["backup"]), none.clone(), names(&["use", "cleanup"]), false)
        );
        // Recovered by its fallback: its consumer runs (with its condition).
        let recovered = next(&server, &[("src", Failed), ("backup", Succeeded)]);
        assert_eq!(recovered, (names(&["use"]), none.clone(), names(&["cleanup"]), false));
        let Json(n) = server
            .workflow_next(Parameters(NextSteps {
                workflow: "w".into(),
                statuses: [("src".to_string(), Succeeded)].into_iter().collect(),
            }))
            .unwrap();
        let ready = &n.ready[0];
        assert_eq!(
            (ready.inputs[0].contract.as_deref(), ready.condition.as_ref().map(|c| c.input.as_str())),
            (Some("events/Tick@1.0"), Some("t"))
        );
        assert_eq!(n.decided[0].reason, "`src` did not fail");
        // Failed for good: its consumer is skipped, and so is the step for a failed consumer.
        assert_eq!(
            next(&server, &[("src", Failed), ("backup", Failed)]),
            (vec![], decided(&[("use", "skipped"), ("cleanup", "skipped")]), vec![], true)
        );
        assert_eq!(
            next(&server, &[("src", UpToDate), ("use", Failed)]),
            (names(&["cleanup"]), decided(&[("backup", "not_needed")]), vec![], false)
        );
        // A running step is neither ready nor settled.
        assert_eq!(next(&server, &[("src", Running)]), (vec![], none, names(&["backup", "use", "cleanup"]), false));
        let unknown = refused(server.workflow_next(Parameters(NextSteps {
            workflow: "w@1.0".into(),
            statuses: [("nope".to_string(), Failed)].into_iter().collect(),
        })));
        assert_eq!(unknown.code, UNKNOWN_STEP);
        let unknown = refused(server.workflow_get(Parameters(WorkflowArg { workflow: "w@2.0".into() })));
        assert_eq!(
            (unknown.code, unknown.data.unwrap()["known"].clone()),
            (UNKNOWN_WORKFLOW, serde_json::json!(["w@1.0"]))
        );
    }

    #[test]
    fn a_candidate_spec_leaves_the_project_as_it_is_and_edits_are_seen_between_calls() {
        let (dir, server) = server();
        let validate = |spec: &str, path: Option<&str>| {
            let args = ValidateWorkflow { spec: spec.into(), path: path.map(str::to_string) };
            server.workflow_validate(Parameters(args)).unwrap().0
        };
        let broken = FLOW.replace("t.price > 1", "t.prize > 1");
        let v = validate(&broken, Some("contracts/workflows/w@1.0.json"));
        assert!(!v.valid);
        let d = &v.diagnostics[0];
        assert_eq!(
            (d.file.as_str(), d.pointer.as_str(), d.line),
            ("contracts/workflows/w@1.0.json", "/steps/2/when", 4)
        );
        // The project still holds its own file; a candidate elsewhere adds a workflow beside it.
        let Json(w) = server.workflow_get(Parameters(WorkflowArg { workflow: "w@1.0".into() })).unwrap();
        assert_eq!(w.steps[2].when.as_ref().unwrap().source, "t.price > 1");
        let v = validate(&FLOW.replace("\"w\"", "\"w2\""), None);
        assert!(v.valid && v.path == "contracts/workflows/w2@1.0.json", "{v:?}");
        let Json(list) = server.workflow_list(Parameters(ListWorkflows::default())).unwrap();
        assert_eq!(list.workflows.iter().map(|w| w.workflow.as_str()).collect::<Vec<_>>(), ["w@1.0"]);

        // A broken contract: no program to answer from, but a spec is still checked.
        fs::write(dir.path().join("contracts/events/Tick@1.0.json"), "{ \"type\": ").unwrap();
        let e = refused(server.contract_list(Parameters(ListContracts::default())));
        assert_eq!(e.code, DOES_NOT_COMPILE);
        assert_eq!(e.data.unwrap()["diagnostics"][0]["file"], "contracts/events/Tick@1.0.json");
        assert!(!validate(FLOW, None).valid);
        fs::write(
            dir.path().join("contracts/events/Tick@1.0.json"),
            TICK.replace("} }", "}, \"cost\": { \"type\": \"number\" } }"),
        )
        .unwrap();
        let Json(c) = server.contract_get(Parameters(ContractArg { contract: "events/Tick@1.0".into() })).unwrap();
        assert!(c.schema["properties"]["cost"].is_object());
        assert_eq!(c.types[0].rust.as_deref(), Some("trading_contracts::events::tick_1_0::Tick"));
        assert_eq!((c.types[0].python.as_deref(), c.types[0].mql4.as_deref()), (None, None), "backends not enabled");
    }

    #[test]
    fn a_message_is_accepted_in_canonical_form_or_refused_with_its_pointer() {
        let (_dir, server) = server();
        let check = |message: &str| {
            let args = ValidateMessage { contract: "events/Tick@1.0".into(), message: message.into() };
            server.message_validate(Parameters(args)).unwrap().0
        };
        let ok = check("{ \"price\": 100.0, \"x\": [1] }");
        assert_eq!((ok.valid, ok.canonical.as_deref()), (true, Some("{\"price\":100,\"x\":[1]}")));
        let bad = check("{ \"price\": \"1\" }");
        assert_eq!((bad.valid, bad.pointer.as_deref()), (false, Some("/price")));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(!check(&format!("{{ \"price\": 1, \"x\": {deep} }}")).valid, "too deep, refused, not a crash");
        let args = ValidateMessage { contract: "events/Nope@1.0".into(), message: "{}".into() };
        let e = refused(server.message_validate(Parameters(args)));
        assert_eq!(e.code, UNKNOWN_CONTRACT);
    }
}

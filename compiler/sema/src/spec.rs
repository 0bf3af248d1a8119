//! The workflow spec and the migration file as Rust types, for their JSON Schemas (editor
//! completion and validation). The checker reads specs from the span-preserving tree, to point at
//! every mistake; a test keeps these types and the checker's key lists in agreement. Migration
//! files are read through [`MigrationSpec`] itself (serde), op by op, so that a mistake is located
//! at its op.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A contractc workflow: a DAG of steps that exchange contract messages
/// (`contracts/workflows/<name>@<MAJOR>.<MINOR>.json`).
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "contractc workflow")]
pub struct WorkflowSpec {
    /// The JSON Schema of this file, for editors: `../../generated/workflow.schema.json`.
    #[serde(rename = "$schema")]
    pub schema: Option<String>,
    /// The workflow's name, as in its file name.
    pub name: String,
    pub description: Option<String>,
    pub steps: Vec<StepSpec>,
    /// Resources shared by steps, each with a circuit breaker.
    pub resources: Option<BTreeMap<String, ResourceSpec>>,
}

/// One step: a program run from an argv, with typed inputs and output.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// Lowercase letters, digits and `_`; unique in the workflow.
    #[schemars(regex(pattern = r"^[a-z][a-z0-9_]*$"))]
    pub name: String,
    pub description: Option<String>,
    /// The program and its arguments; never a shell string.
    #[schemars(length(min = 1))]
    pub run: Vec<String>,
    /// Working directory, relative to where the runtime runs.
    pub working_dir: Option<String>,
    /// Declared environment variables.
    pub env: Option<BTreeMap<String, String>>,
    /// Host environment variables passed through besides the runtime's default allowlist.
    pub env_from_host: Option<Vec<String>>,
    /// Input name → the step that produces it; handed over in `CTC_INPUT_<NAME>`.
    pub inputs: Option<BTreeMap<String, InputSpec>>,
    /// The contract of what the step writes to `CTC_OUTPUT`.
    pub output: Option<OutputSpec>,
    /// Steps to wait for without reading their output.
    pub depends_on: Option<Vec<String>>,
    /// A typed condition (CEL subset) on the messages of one input, e.g.
    /// `signal.strength > 0.5 && signal.side == "BUY"`.
    pub when: Option<String>,
    pub trigger_rule: Option<TriggerRuleSpec>,
    pub retry: Option<RetrySpec>,
    /// Per attempt, e.g. `30s`.
    pub timeout: Option<DurationSpec>,
    /// For the whole step, all attempts and waits included.
    pub deadline: Option<DurationSpec>,
    /// A step with the same output that runs only when this one fails for good.
    pub fallback: Option<String>,
    /// Names of workflow `resources` this step uses.
    pub resources: Option<Vec<String>>,
}

/// Where an input comes from.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// The producing step.
    pub from: String,
    /// The contract this input expects, e.g. `events/PriceTick@1.0`; checked against the producer.
    pub contract: Option<String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// `namespace/Name@MAJOR.MINOR`, e.g. `events/PriceTick@1.0`.
    #[schemars(regex(pattern = r"^[a-z0-9_-]+/[A-Z][A-Za-z0-9]*@[0-9]+\.[0-9]+$"))]
    pub contract: String,
    /// JSON Lines (one message a line) when true; one message otherwise.
    pub stream: Option<bool>,
}

/// When a step runs, given how the steps it needs ended.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriggerRuleSpec {
    /// Every need succeeded (the default).
    AllSuccess,
    /// Every need succeeded or failed; a skipped need skips this step.
    AllDone,
    /// At least one need failed.
    OneFailed,
    /// Whatever happened.
    Always,
}

/// Exponential backoff between attempts.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// 1 to 1000; default 3.
    #[schemars(range(min = 1, max = 1000))]
    pub max_attempts: Option<u32>,
    /// The first wait; default `1s`.
    pub initial: Option<DurationSpec>,
    /// 1 to 100; default 2.
    #[schemars(range(min = 1, max = 100))]
    pub factor: Option<f64>,
    /// The longest wait; default `60s`.
    pub max_interval: Option<DurationSpec>,
    /// ± this fraction of each wait, 0 to 1; default 0.
    #[schemars(range(min = 0, max = 1))]
    pub jitter: Option<f64>,
    /// Which failures are retried; default: any, except a contract violation.
    pub retry_on: Option<RetryOnSpec>,
}

#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryOnSpec {
    pub exit_codes: Option<Vec<i32>>,
    /// Signal numbers, e.g. 9 and 15.
    pub signals: Option<Vec<i32>>,
    pub timeout: Option<bool>,
}

/// A circuit breaker.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    /// Consecutive failed attempts that open the circuit.
    #[schemars(range(min = 1))]
    pub failure_threshold: u32,
    /// How long the circuit stays open before one probe goes through.
    pub cooldown: DurationSpec,
}

/// A whole number with a unit: `250ms`, `30s`, `5m`, `1h`.
#[derive(Serialize, JsonSchema)]
pub struct DurationSpec(#[schemars(regex(pattern = r"^[0-9]+(ms|s|m|h)$"))] pub String);

/// A migration between two majors of a contract
/// (`contracts/migrations/<namespace>/<Name>@<A.B>..<C.D>.json`, `A.B` the latest minor of major
/// `A`, `C.D` the first minor of the next major): `ops`, applied in order to a message of `A.B`,
/// give a message of `C.D`. Paths are JSON pointers (RFC 6901) into the message, through object
/// members: `/protection/stop_loss`.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "contractc migration")]
pub struct MigrationSpec {
    /// The JSON Schema of this file, for editors: `../../../generated/migration.schema.json`.
    #[serde(rename = "$schema")]
    pub schema: Option<String>,
    pub description: Option<String>,
    pub ops: Vec<OpSpec>,
}

/// One op of a migration.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum OpSpec {
    /// The property at `path` gets the name `to`, in the same object.
    Rename {
        #[schemars(regex(pattern = r"^(/[^/]*)+$"))]
        path: String,
        to: String,
    },
    /// The property at `from` moves to `to`, into or out of a nested object: the objects on
    /// `to`'s way that the message lacks are made.
    Move {
        #[schemars(regex(pattern = r"^(/[^/]*)+$"))]
        from: String,
        #[schemars(regex(pattern = r"^(/[^/]*)+$"))]
        to: String,
    },
    /// The property at `path`, new, gets `default` (valid under the new version's schema).
    Add {
        #[schemars(regex(pattern = r"^(/[^/]*)+$"))]
        path: String,
        default: serde_json::Value,
    },
    /// The property at `path` is dropped; a downgrade restores `default` (valid under the old
    /// version's schema).
    Remove {
        #[schemars(regex(pattern = r"^(/[^/]*)+$"))]
        path: String,
        default: serde_json::Value,
    },
    /// The enum value at `path` is mapped: old value → new value; a value not listed is kept.
    /// A bijection between the two enums unless `lossy`.
    EnumMap {
        #[schemars(regex(pattern = r"^(/[^/]*)+$"))]
        path: String,
        map: BTreeMap<String, String>,
        /// Several old values become one, or a new value has no old one: no downgrade.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        lossy: bool,
    },
    /// The value at `path` gets a wider type: `integer` → `number`, or a string of a `format` →
    /// `string` (no `format`). A narrowing (`number` → `integer`, a plain string → a `format`) is
    /// refused.
    Convert {
        #[schemars(regex(pattern = r"^(/[^/]*)+$"))]
        path: String,
        to: ConvertTo,
        /// The `format` of the new string; absent for a plain string.
        format: Option<String>,
    },
}

impl OpSpec {
    /// The op's name, as `op` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            OpSpec::Rename { .. } => "rename",
            OpSpec::Move { .. } => "move",
            OpSpec::Add { .. } => "add",
            OpSpec::Remove { .. } => "remove",
            OpSpec::EnumMap { .. } => "enum_map",
            OpSpec::Convert { .. } => "convert",
        }
    }
}

/// The JSON type `convert` gives a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConvertTo {
    Integer,
    Number,
    String,
}

/// The JSON Schema of `T` (a spec's root type), pretty-printed, ending with a newline.
fn schema_of<T: JsonSchema>() -> String {
    // Optional keys are absent, never `null`, as everywhere in contractc.
    let settings = schemars::r#gen::SchemaSettings::draft07().with(|s| s.option_add_null_type = false);
    let schema = settings.into_generator().into_root_schema_for::<T>();
    serde_json::to_string_pretty(&schema).expect("schemas serialize") + "\n"
}

/// The JSON Schema of workflow specs, pretty-printed, ending with a newline.
pub fn workflow_schema() -> String {
    schema_of::<WorkflowSpec>()
}

/// The JSON Schema of migration files ([`MigrationSpec`]), pretty-printed, ending with a newline.
pub fn migration_schema() -> String {
    schema_of::<MigrationSpec>()
}

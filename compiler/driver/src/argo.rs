//! `contractc export argo`: each workflow as an Argo Workflows `WorkflowTemplate`
//! (argoproj.io/v1alpha1, checked against Argo's JSON Schema v4.1.2 by the tests), written as
//! canonical JSON and as YAML, and, when its steps share resources, the `ConfigMap` that holds
//! their semaphores' limits. Every container runs `runtime step PLAN STEP`, which validates the
//! step's inputs, applies its condition per message, runs its argv and validates its output, as
//! the local runtime does; the plans travel in the image.
//!
//! The mapping (README, "Argo Workflows"):
//! - the steps become the tasks of one DAG template (`main`); each step's own template is a
//!   container template `step-<task>`, its original name in the annotation `contractc.dev/step`;
//! - names: a step's name `[a-z][a-z0-9_]*` becomes the task name with `_` → `-` (one to one:
//!   no step name holds `-`); the workflow `name@M.m` becomes `name-M-m` (`_` → `-`, ≤ 63);
//! - trigger rules become `depends` expressions (never `dependencies`; Argo refuses both):
//!   `all_success` → `A.Succeeded && B.Succeeded`, `all_done` and `always` → `(A.Succeeded ||
//!   A.Failed || A.Errored || A.Skipped || A.Omitted) && ...`, `one_failed` → `(A.Failed ||
//!   A.Errored) || ...`; Argo evaluates a task once all its parents have ended;
//! - retry policy → `retryStrategy` (`limit` = max_attempts − 1, `retryPolicy: Always`,
//!   `backoff.duration`/`factor`/`cap`, and `maxDuration` from the deadline; listed exit codes and
//!   signals as an `expression` on `lastRetry.exitCode`; IntOrString values as strings);
//! - `timeout` (per attempt) → `activeDeadlineSeconds`; `deadline` (the whole step) → `timeout`;
//! - inputs and outputs → artifacts: each step's output is the artifact `output`
//!   (`/ctc/out/output`), each input `arguments.artifacts` `from` the producer's, at
//!   `/ctc/in/<name>`, in the cluster's artifact repository;
//! - `fallback` → a sibling task on `X.Failed || X.Errored`; X's consumers read whichever ran
//!   through `fromExpression`, and wait for either;
//! - `resources` → `synchronization.semaphores` on a `ConfigMap` `<workflow>-resources` (limit 1
//!   each); circuit breakers have no Argo equivalent (a note says so);
//! - `env` → the container's `env`; `env_from_host` → workflow parameters passed to `env`;
//! - `when` → applied per message by `runtime step` in the pod, which also writes the output
//!   parameter `skipped`; the consumers' `when` skips them when it is `true`, as locally.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use contractc_emit::OutputFile;
use contractc_ir::{RetryPolicy, Step, TriggerRule, Workflow};

/// What the export needs to know of the cluster and the image (`[argo]` in contractc.toml, or
/// the command line).
#[derive(Clone, Debug)]
pub struct Target {
    /// The image every step's container runs: it holds `runtime`, the plans and the steps'
    /// programs.
    pub image: String,
    /// Where the plans are in the image (`<plans>/<name>@<M>.<m>.plan.bin`).
    pub plans: String,
    pub namespace: Option<String>,
    pub service_account: Option<String>,
}

/// One workflow's documents, and what does not carry over to Argo.
#[derive(Debug)]
pub struct Exported {
    /// The `WorkflowTemplate`, then the `ConfigMap` of its resources when it has any.
    pub documents: Vec<(String, Value)>,
    pub notes: Vec<String>,
}

/// The Argo name of workflow `w`: `name-MAJOR-MINOR`, `_` → `-`.
pub fn workflow_name(w: &Workflow) -> String {
    format!("{}-{}-{}", w.name.replace('_', "-"), w.major, w.minor)
}

/// The Argo task name of a step: `_` → `-`.
pub fn task_name(step: &str) -> String {
    step.replace('_', "-")
}

/// `ms` as an Argo (Go) duration: `500ms`, `30s`, `5m`, `1h`.
fn duration(ms: u64) -> String {
    match ms {
        ms if ms % 3_600_000 == 0 && ms > 0 => format!("{}h", ms / 3_600_000),
        ms if ms % 60_000 == 0 && ms > 0 => format!("{}m", ms / 60_000),
        ms if ms % 1_000 == 0 => format!("{}s", ms / 1_000),
        ms => format!("{ms}ms"),
    }
}

/// The `depends` expression of `step`: its needs under its trigger rule. A need with a fallback
/// counts as succeeded when either ran well; a fallback waits for its step's failure.
fn depends(w: &Workflow, step: &Step) -> Option<String> {
    if let Some(p) = step.fallback_for {
        let t = task_name(&w.steps[p].name);
        return Some(format!("{t}.Failed || {t}.Errored"));
    }
    let needs: Vec<usize> = step.needs.iter().copied().filter(|&n| Some(n) != step.fallback_for).collect();
    if needs.is_empty() {
        return None;
    }
    let ok = |n: usize| {
        let t = task_name(&w.steps[n].name);
        match w.steps[n].fallback {
            Some(f) => format!("({t}.Succeeded || {}.Succeeded)", task_name(&w.steps[f].name)),
            None => format!("{t}.Succeeded"),
        }
    };
    let settled = |n: usize| {
        let t = task_name(&w.steps[n].name);
        format!("({t}.Succeeded || {t}.Failed || {t}.Errored || {t}.Skipped || {t}.Omitted)")
    };
    let failed = |n: usize| {
        let t = task_name(&w.steps[n].name);
        format!("({t}.Failed || {t}.Errored)")
    };
    let terms: Vec<String> = match step.trigger {
        TriggerRule::AllSuccess => needs.iter().map(|&n| ok(n)).collect(),
        TriggerRule::AllDone | TriggerRule::Always => needs.iter().map(|&n| settled(n)).collect(),
        TriggerRule::OneFailed => return Some(needs.iter().map(|&n| failed(n)).collect::<Vec<_>>().join(" || ")),
    };
    Some(terms.join(" && "))
}

/// The `retryStrategy` of a retry policy, and what of it Argo cannot say.
fn retry_strategy(r: &RetryPolicy, deadline_ms: Option<u64>, notes: &mut Vec<String>, step: &str) -> Value {
    let mut backoff = serde_json::Map::new();
    backoff.insert("duration".into(), json!(duration(r.initial_ms)));
    if r.factor.fract() == 0.0 {
        backoff.insert("factor".into(), json!(format!("{}", r.factor as u64)));
    } else {
        backoff.insert("factor".into(), json!(format!("{}", r.factor.ceil() as u64)));
        notes.push(format!(
            "step `{step}`: Argo's backoff factor is an integer; {} is written as {}",
            r.factor,
            r.factor.ceil()
        ));
    }
    backoff.insert("cap".into(), json!(duration(r.max_interval_ms)));
    if let Some(ms) = deadline_ms {
        backoff.insert("maxDuration".into(), json!(duration(ms)));
    }
    if r.jitter > 0.0 {
        notes.push(format!("step `{step}`: Argo's backoff has no jitter; the waits are exact"));
    }
    let mut strategy = serde_json::Map::new();
    strategy.insert("limit".into(), json!(r.max_attempts.saturating_sub(1).to_string()));
    strategy.insert("retryPolicy".into(), json!("Always"));
    strategy.insert("backoff".into(), Value::Object(backoff));
    // A container killed by signal N exits with 128 + N.
    let codes: Vec<String> = r
        .retry_on
        .exit_codes
        .iter()
        .flatten()
        .map(|c| c.to_string())
        .chain(r.retry_on.signals.iter().flatten().map(|s| (128 + s).to_string()))
        .collect();
    if r.retry_on.exit_codes.is_some() || r.retry_on.signals.is_some() {
        strategy.insert("expression".into(), json!(format!("asInt(lastRetry.exitCode) in [{}]", codes.join(", "))));
        if r.retry_on.timeout {
            notes.push(format!(
                "step `{step}`: a timed-out attempt is retried only when its exit code is listed (Argo's expression sees exit codes)"
            ));
        }
    }
    Value::Object(strategy)
}

/// The documents of workflow `w` for `target`.
pub fn export(w: &Workflow, target: &Target) -> Exported {
    let mut notes = Vec::new();
    let name = workflow_name(w);
    let resources_map = format!("{name}-resources");
    let plan = format!(
        "{}/{}",
        target.plans.trim_end_matches('/'),
        contractc_backend_plan::path(w).trim_start_matches("plans/")
    );
    let mut parameters: Vec<String> = w.steps.iter().flat_map(|s| s.env_from_host.iter().cloned()).collect();
    parameters.sort();
    parameters.dedup();
    let mut tasks = Vec::new();
    let mut templates = Vec::new();
    for s in &w.steps {
        let task = task_name(&s.name);
        let template = format!("step-{task}");
        let mut t = serde_json::Map::new();
        t.insert("name".into(), json!(task));
        t.insert("template".into(), json!(template));
        if let Some(d) = depends(w, s) {
            t.insert("depends".into(), json!(d));
        }
        // A need whose condition admitted nothing was skipped: as locally, so is this step
        // (unless its rule is `always`, or it waits for a failure).
        let conditional: Vec<String> = s
            .needs
            .iter()
            .filter(|&&n| w.steps[n].when.is_some() && Some(n) != s.fallback_for)
            .map(|&n| format!("{{{{tasks.{}.outputs.parameters.skipped}}}} == false", task_name(&w.steps[n].name)))
            .collect();
        if !conditional.is_empty() && matches!(s.trigger, TriggerRule::AllSuccess | TriggerRule::AllDone) {
            t.insert("when".into(), json!(conditional.join(" && ")));
        }
        let from = |producer: usize| -> serde_json::Map<String, Value> {
            let p = &w.steps[producer];
            let pt = task_name(&p.name);
            let mut a = serde_json::Map::new();
            match p.fallback {
                Some(f) => {
                    let ft = task_name(&w.steps[f].name);
                    a.insert(
                        "fromExpression".into(),
                        json!(format!(
                            "tasks['{pt}'].status == 'Succeeded' ? tasks['{pt}'].outputs.artifacts.output : tasks['{ft}'].outputs.artifacts.output"
                        )),
                    );
                }
                None => {
                    a.insert("from".into(), json!(format!("{{{{tasks.{pt}.outputs.artifacts.output}}}}")));
                }
            }
            a
        };
        let artifacts: Vec<Value> = s
            .inputs
            .iter()
            .map(|i| {
                let mut a = from(i.from);
                a.insert("name".into(), json!(i.name));
                Value::Object(a)
            })
            .collect();
        if !artifacts.is_empty() {
            t.insert("arguments".into(), json!({ "artifacts": artifacts }));
        }
        tasks.push(Value::Object(t));

        let mut env: Vec<Value> = s.env.iter().map(|(k, v)| json!({ "name": k, "value": v })).collect();
        env.extend(
            s.env_from_host.iter().map(|k| json!({ "name": k, "value": format!("{{{{workflow.parameters.{k}}}}}") })),
        );
        let mut container = serde_json::Map::new();
        container.insert("image".into(), json!(target.image));
        let mut command = vec![json!("runtime"), json!("step"), json!(plan), json!(s.name)];
        if s.when.is_some() {
            command.extend([json!("--skipped"), json!("/ctc/out/skipped")]);
        }
        container.insert("command".into(), Value::Array(command));
        if !env.is_empty() {
            container.insert("env".into(), Value::Array(env));
        }
        if let Some(dir) = &s.working_dir {
            container.insert("workingDir".into(), json!(dir));
        }
        let mut tpl = serde_json::Map::new();
        tpl.insert("name".into(), json!(template));
        tpl.insert("metadata".into(), json!({ "annotations": { "contractc.dev/step": s.name } }));
        if !s.inputs.is_empty() {
            let inputs: Vec<Value> =
                s.inputs.iter().map(|i| json!({ "name": i.name, "path": format!("/ctc/in/{}", i.name) })).collect();
            tpl.insert("inputs".into(), json!({ "artifacts": inputs }));
        }
        let mut outputs = serde_json::Map::new();
        if s.output.is_some() {
            outputs.insert("artifacts".into(), json!([{ "name": "output", "path": "/ctc/out/output" }]));
        }
        if s.when.is_some() {
            outputs.insert(
                "parameters".into(),
                json!([{ "name": "skipped", "valueFrom": { "path": "/ctc/out/skipped" } }]),
            );
        }
        if !outputs.is_empty() {
            tpl.insert("outputs".into(), Value::Object(outputs));
        }
        tpl.insert("container".into(), Value::Object(container));
        if let Some(r) = &s.retry {
            tpl.insert("retryStrategy".into(), retry_strategy(r, s.deadline_ms, &mut notes, &s.name));
        }
        if let Some(ms) = s.timeout_ms {
            tpl.insert("activeDeadlineSeconds".into(), json!(ms.div_ceil(1000).to_string()));
        }
        if let Some(ms) = s.deadline_ms {
            tpl.insert("timeout".into(), json!(duration(ms)));
        }
        if !s.resources.is_empty() {
            let semaphores: Vec<Value> = s
                .resources
                .iter()
                .map(|&r| json!({ "configMapKeyRef": { "name": resources_map, "key": w.resources[r].name } }))
                .collect();
            tpl.insert("synchronization".into(), json!({ "semaphores": semaphores }));
        }
        templates.push(Value::Object(tpl));
    }
    templates.insert(0, json!({ "name": "main", "dag": { "tasks": tasks } }));
    let mut metadata = serde_json::Map::new();
    metadata.insert("name".into(), json!(name));
    if let Some(ns) = &target.namespace {
        metadata.insert("namespace".into(), json!(ns));
    }
    metadata.insert(
        "annotations".into(),
        json!({ "contractc.dev/workflow": format!("{}@{}.{}", w.name, w.major, w.minor), "contractc.dev/source": w.source }),
    );
    let mut spec = serde_json::Map::new();
    spec.insert("entrypoint".into(), json!("main"));
    if let Some(sa) = &target.service_account {
        spec.insert("serviceAccountName".into(), json!(sa));
    }
    if !parameters.is_empty() {
        let params: Vec<Value> = parameters.iter().map(|p| json!({ "name": p })).collect();
        spec.insert("arguments".into(), json!({ "parameters": params }));
    }
    spec.insert("templates".into(), Value::Array(templates));
    let mut documents = vec![(
        format!("{name}.workflowtemplate"),
        json!({ "apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": metadata, "spec": spec }),
    )];
    if !w.resources.is_empty() {
        let data: BTreeMap<&str, &str> = w.resources.iter().map(|r| (r.name.as_str(), "1")).collect();
        let mut metadata = serde_json::Map::new();
        metadata.insert("name".into(), json!(resources_map));
        if let Some(ns) = &target.namespace {
            metadata.insert("namespace".into(), json!(ns));
        }
        documents.push((
            format!("{resources_map}.configmap"),
            json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data }),
        ));
        for r in &w.resources {
            notes.push(format!(
                "resource `{}`: Argo has no circuit breaker; its steps share a semaphore of limit 1 (edit the ConfigMap `{resources_map}` to allow more)",
                r.name
            ));
        }
    }

    Exported { documents, notes }
}

/// Each document of `exported` as two files: canonical JSON (keys sorted, two-space indent) and
/// YAML ([`yaml`]), with the same value.
pub fn files(exported: &[Exported]) -> Vec<OutputFile> {
    let mut files = Vec::new();
    for e in exported {
        for (stem, doc) in &e.documents {
            let json = serde_json::to_string_pretty(doc).expect("a JSON value serializes") + "\n";
            files.push(OutputFile::text(format!("{stem}.json"), json));
            files.push(OutputFile::text(format!("{stem}.yaml"), yaml(doc)));
        }
    }
    files.sort();
    files
}

/// `value` as block-style YAML that YAML 1.1 loaders (PyYAML, Kubernetes' go-yaml) and YAML 1.2
/// loaders read as the same value: a string is plain only when it could be nothing else in
/// either version (a letter or `/` first, then letters, digits and `._/@-`, and none of 1.1's
/// `y`/`yes`/`on`/`off`/... booleans or nulls); any other string is double-quoted with JSON's
/// escapes, which are YAML's too (YAML 1.2 §5.7). yaml_serde cannot say this: it quotes what
/// YAML 1.2 would misread, and writes `yes` and `on` bare.
pub fn yaml(value: &Value) -> String {
    let mut out = String::new();
    write_yaml(value, 0, &mut out);
    out
}

fn yaml_scalar(s: &str) -> String {
    const MISREAD: &[&str] = &[
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "Y", "Yes", "YES", "N", "No", "NO", "True",
        "TRUE", "False", "FALSE", "On", "ON", "Off", "OFF", "Null", "NULL",
    ];
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "._/@-".contains(c))
        && !MISREAD.contains(&s);
    if plain { s.to_string() } else { Value::String(s.to_string()).to_string() }
}

fn write_yaml(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                out.push_str(&format!("{pad}{}:", yaml_scalar(k)));
                match v {
                    Value::Object(m) if !m.is_empty() => {
                        out.push('\n');
                        write_yaml(v, indent + 2, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push('\n');
                        write_yaml(v, indent, out);
                    }
                    _ => {
                        out.push(' ');
                        write_yaml(v, 0, out);
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&format!("{pad}-"));
                match item {
                    Value::Object(m) if !m.is_empty() => {
                        // The first member on the dash's line, the others under it.
                        let mut nested = String::new();
                        write_yaml(item, indent + 2, &mut nested);
                        out.push(' ');
                        out.push_str(&nested[indent + 2..]);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push('\n');
                        write_yaml(item, indent + 2, out);
                    }
                    _ => {
                        out.push(' ');
                        write_yaml(item, 0, out);
                    }
                }
            }
        }
        Value::Object(_) => out.push_str("{}\n"),
        Value::Array(_) => out.push_str("[]\n"),
        Value::String(s) => out.push_str(&format!("{}\n", yaml_scalar(s))),
        other => out.push_str(&format!("{other}\n")),
    }
}

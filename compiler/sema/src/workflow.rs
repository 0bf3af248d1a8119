//! Workflow specs: shape, step references, the DAG, output contracts and typed conditions.

use std::collections::BTreeMap;

use contractc_diagnostics::{Code, Diagnostic, codes};
use contractc_ir::{
    Condition, Contracts, Conversion, Input, Output, Program, Resource, RetryOn, RetryPolicy, Step, TriggerRule, Ty,
    TypeKind, Workflow,
};
use contractc_syntax::{Node, Pointer, Span};

use crate::cond::{self, CondType, Resolved};

pub(crate) const WORKFLOW_KEYS: &[&str] = &["$schema", "name", "description", "steps", "resources"];
pub(crate) const STEP_KEYS: &[&str] = &[
    "name",
    "description",
    "run",
    "working_dir",
    "env",
    "env_from_host",
    "inputs",
    "output",
    "depends_on",
    "when",
    "trigger_rule",
    "retry",
    "timeout",
    "deadline",
    "fallback",
    "resources",
];
pub(crate) const RETRY_KEYS: &[&str] = &["max_attempts", "initial", "factor", "max_interval", "jitter", "retry_on"];

/// One workflow file: its path, its text (to place condition errors) and its tree.
pub(crate) struct WorkflowFile<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub root: &'a Node,
}

/// Lowers workflow files against the lowered contracts; conditions over a `broken` contract (one
/// with errors of its own) are not checked, nor, unless `migrations_checked` (every migration
/// file checked and in `program`), inputs of another major, so one mistake is reported once.
pub(crate) fn lower_workflows(
    mut program: Program,
    broken: &[bool],
    migrations_checked: bool,
    files: &[WorkflowFile<'_>],
    diags: &mut Vec<Diagnostic>,
) -> Program {
    for f in files {
        let mut l = Lowering { file: f, diags, program: &program, broken, migrations_checked };
        let Some(w) = l.workflow() else { continue };
        // Each workflow has a plan of its own, named by its name and version.
        match program.workflows.iter().find(|o| (&o.name, o.major, o.minor) == (&w.name, w.major, w.minor)) {
            Some(other) => {
                let message = format!("`{}` declares {}@{}.{} too", other.source, w.name, w.major, w.minor);
                l.error(
                    codes::INVALID_WORKFLOW,
                    f.root.get("name").unwrap_or(f.root),
                    &Pointer::root().join("name"),
                    message,
                    "two workflows with one name and version would write one plan: rename or remove one",
                );
            }
            None => program.workflows.push(w),
        }
    }
    program.workflows.sort_by(|a, b| (&a.name, a.major, a.minor).cmp(&(&b.name, b.major, b.minor)));
    program
}

struct Lowering<'a, 'f> {
    file: &'a WorkflowFile<'f>,
    diags: &'a mut Vec<Diagnostic>,
    program: &'a Program,
    broken: &'a [bool],
    migrations_checked: bool,
}

/// A step as written, before its references are resolved.
struct RawStep<'n> {
    node: &'n Node,
    ptr: Pointer,
    name: String,
}

impl<'n> Lowering<'_, 'n> {
    fn error(&mut self, code: Code, node: &Node, ptr: &Pointer, message: impl Into<String>, help: &str) {
        let message = message.into();
        let mut d =
            Diagnostic::error(code, self.file.path, node.span, ptr.clone(), message.clone()).with_label(message);
        if !help.is_empty() {
            d = d.with_help(help);
        }
        self.diags.push(d);
    }

    fn workflow(&mut self) -> Option<Workflow> {
        let root = self.file.root;
        let stem = self.file.path.rsplit('/').next().unwrap_or("").trim_end_matches(".json");
        let (file_name, version) = stem.split_once('@').unwrap_or((stem, ""));
        let Some((major, minor)) = version.split_once('.').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        else {
            self.error(
                codes::INVALID_FILE_NAME,
                root,
                &Pointer::root(),
                format!("`{}` is not named like a workflow", self.file.path),
                "name workflow files `workflows/<name>@<MAJOR>.<MINOR>.json`",
            );
            return None;
        };
        let Some(members) = root.members() else {
            self.error(codes::INVALID_WORKFLOW, root, &Pointer::root(), "a workflow spec must be a JSON object", "");
            return None;
        };
        for m in members {
            if !WORKFLOW_KEYS.contains(&m.key.as_str()) {
                self.error(
                    codes::INVALID_WORKFLOW,
                    &m.value,
                    &Pointer::root().join(&m.key),
                    format!("unknown workflow key `{}`", m.key),
                    "the keys are: name, description, steps",
                );
            }
        }
        let name = root.get("name").and_then(Node::as_str).unwrap_or_default().to_string();
        if name != file_name {
            let at = root.get("name").unwrap_or(root);
            self.error(
                codes::INVALID_WORKFLOW,
                at,
                &Pointer::root().join("name"),
                format!("`name` must be `{file_name}`, as in the file name"),
                "",
            );
        }
        let steps_ptr = Pointer::root().join("steps");
        let Some(step_nodes) = root.get("steps").and_then(Node::as_array) else {
            self.error(
                codes::INVALID_WORKFLOW,
                root.get("steps").unwrap_or(root),
                &steps_ptr,
                "`steps` must be an array of steps",
                "",
            );
            return None;
        };
        let before = self.diags.len();
        let resources = self.resources(root.get("resources"));
        let mut raw: Vec<RawStep<'n>> = Vec::new();
        let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
        for (i, node) in step_nodes.iter().enumerate() {
            let ptr = steps_ptr.join(i.to_string());
            let Some(members) = node.members() else {
                self.error(codes::INVALID_WORKFLOW, node, &ptr, "a step must be an object", "");
                continue;
            };
            for m in members {
                if !STEP_KEYS.contains(&m.key.as_str()) {
                    self.error(
                        codes::INVALID_WORKFLOW,
                        &m.value,
                        &ptr.join(&m.key),
                        format!("unknown step key `{}`", m.key),
                        &format!("the keys are: {}", STEP_KEYS.join(", ")),
                    );
                }
            }
            let name_node = node.get("name");
            let Some(name) = name_node.and_then(Node::as_str).filter(|n| is_step_name(n)) else {
                self.error(
                    codes::INVALID_WORKFLOW,
                    name_node.unwrap_or(node),
                    &ptr.join("name"),
                    "a step needs a `name` of lowercase letters, digits and `_`",
                    "",
                );
                continue;
            };
            if by_name.contains_key(name) {
                self.error(
                    codes::DUPLICATE_STEP,
                    name_node.unwrap_or(node),
                    &ptr.join("name"),
                    format!("step `{name}` is defined twice"),
                    "give each step its own name",
                );
                continue;
            }
            by_name.insert(name.to_string(), raw.len());
            raw.push(RawStep { node, ptr, name: name.to_string() });
        }
        let mut steps: Vec<Step> = raw.iter().map(|r| self.step(r, &by_name, &resources)).collect();
        self.link_fallbacks(&raw, &mut steps);
        self.check_inputs(&raw, &mut steps);
        self.check_reachable(&raw, &steps);
        if self.diags.len() > before {
            return None;
        }
        let order = self.topological_order(&raw, &steps)?;
        // Conditions are typed against the producers' output contracts.
        for (i, r) in raw.iter().enumerate() {
            if let Some(w) = r.node.get("when") {
                steps[i].when = self.condition(w, &r.ptr.join("when"), &steps[i], &steps);
            }
        }
        if self.diags.len() > before {
            return None;
        }
        // Renumber into topological order.
        let mut new_index = vec![0; steps.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let mut ordered: Vec<Option<Step>> = steps.into_iter().map(Some).collect();
        let steps = order
            .iter()
            .map(|&old| {
                let mut s = ordered[old].take().expect("each step once");
                s.needs = s.needs.iter().map(|&n| new_index[n]).collect();
                s.needs.sort();
                s.fallback = s.fallback.map(|f| new_index[f]);
                s.fallback_for = s.fallback_for.map(|f| new_index[f]);
                for input in &mut s.inputs {
                    input.from = new_index[input.from];
                }
                s
            })
            .collect();
        Some(Workflow {
            name,
            major,
            minor,
            source: self.file.path.to_string(),
            description: root.get("description").and_then(Node::as_str).map(str::to_string),
            steps,
            resources,
        })
    }

    /// The workflow's `resources`: name → `{"failure_threshold": N, "cooldown": "30s"}`.
    fn resources(&mut self, node: Option<&Node>) -> Vec<Resource> {
        let Some(node) = node else { return Vec::new() };
        let ptr = Pointer::root().join("resources");
        let Some(members) = node.members() else {
            self.error(
                codes::INVALID_WORKFLOW,
                node,
                &ptr,
                "`resources` must be an object: name → circuit breaker",
                "",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in members {
            let p = ptr.join(&m.key);
            let threshold =
                m.value.get("failure_threshold").and_then(Node::as_i64).filter(|&n| (1..=1_000_000).contains(&n));
            let cooldown = m.value.get("cooldown").and_then(|c| self.duration(c, &p.join("cooldown")));
            match (threshold, cooldown) {
                (Some(t), Some(c)) => {
                    out.push(Resource { name: m.key.clone(), failure_threshold: t as u32, cooldown_ms: c })
                }
                (None, _) => self.error(
                    codes::INVALID_RETRY,
                    &m.value,
                    &p,
                    "a resource needs `failure_threshold`, a whole number of at least 1",
                    "e.g. {\"failure_threshold\": 3, \"cooldown\": \"30s\"}",
                ),
                (_, None) => {
                    if m.value.get("cooldown").is_none() {
                        self.error(
                            codes::INVALID_RETRY,
                            &m.value,
                            &p,
                            "a resource needs `cooldown`, a duration",
                            "e.g. \"30s\"",
                        );
                    }
                }
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// A duration: a whole number with a unit, `ms`, `s`, `m` or `h` (`250ms`, `30s`, `5m`).
    fn duration(&mut self, node: &Node, ptr: &Pointer) -> Option<u64> {
        let parsed = node.as_str().and_then(|s| {
            let split = s.find(|c: char| !c.is_ascii_digit())?;
            let (n, unit) = s.split_at(split);
            let n: u64 = n.parse().ok()?;
            let scale = match unit {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => return None,
            };
            n.checked_mul(scale).filter(|&ms| ms > 0)
        });
        if parsed.is_none() {
            self.error(
                codes::INVALID_RETRY,
                node,
                ptr,
                "expected a positive duration such as \"250ms\", \"30s\", \"5m\" or \"1h\"",
                "",
            );
        }
        parsed
    }

    fn retry(&mut self, node: &Node, ptr: &Pointer) -> Option<RetryPolicy> {
        let Some(members) = node.members() else {
            self.error(
                codes::INVALID_RETRY,
                node,
                ptr,
                "`retry` must be an object",
                "keys: max_attempts, initial, factor, max_interval, jitter, retry_on",
            );
            return None;
        };
        for m in members {
            if !RETRY_KEYS.contains(&m.key.as_str()) {
                self.error(
                    codes::INVALID_RETRY,
                    &m.value,
                    &ptr.join(&m.key),
                    format!("unknown retry key `{}`", m.key),
                    &format!("the keys are: {}", RETRY_KEYS.join(", ")),
                );
            }
        }
        let before = self.diags.len();
        let max_attempts = match node.get("max_attempts") {
            Some(n) => match n.as_i64().filter(|&n| (1..=1000).contains(&n)) {
                Some(n) => n as u32,
                None => {
                    self.error(
                        codes::INVALID_RETRY,
                        n,
                        &ptr.join("max_attempts"),
                        "`max_attempts` must be a whole number from 1 to 1000",
                        "",
                    );
                    1
                }
            },
            None => 3,
        };
        let initial_ms = node.get("initial").and_then(|n| self.duration(n, &ptr.join("initial"))).unwrap_or(1_000);
        let max_interval_ms =
            node.get("max_interval").and_then(|n| self.duration(n, &ptr.join("max_interval"))).unwrap_or(60_000);
        let factor = match node.get("factor") {
            Some(n) => n.as_f64().filter(|f| (1.0..=100.0).contains(f)).unwrap_or_else(|| {
                self.error(codes::INVALID_RETRY, n, &ptr.join("factor"), "`factor` must be a number from 1 to 100", "");
                1.0
            }),
            None => 2.0,
        };
        let jitter = match node.get("jitter") {
            Some(n) => n.as_f64().filter(|f| (0.0..=1.0).contains(f)).unwrap_or_else(|| {
                self.error(codes::INVALID_RETRY, n, &ptr.join("jitter"), "`jitter` must be a fraction from 0 to 1", "");
                0.0
            }),
            None => 0.0,
        };
        if initial_ms > max_interval_ms {
            self.error(codes::INVALID_RETRY, node, ptr, "`initial` is longer than `max_interval`", "");
        }
        let mut retry_on = RetryOn { exit_codes: None, signals: None, timeout: true };
        if let Some(on) = node.get("retry_on") {
            let p = ptr.join("retry_on");
            retry_on.timeout = false;
            for m in on.members().unwrap_or_default() {
                let ints = |n: &Node| {
                    n.as_array().and_then(|a| {
                        a.iter().map(|v| v.as_i64().and_then(|i| i32::try_from(i).ok())).collect::<Option<Vec<i32>>>()
                    })
                };
                match m.key.as_str() {
                    "exit_codes" => {
                        retry_on.exit_codes = ints(&m.value).or_else(|| {
                            self.error(
                                codes::INVALID_RETRY,
                                &m.value,
                                &p.join("exit_codes"),
                                "`exit_codes` must be an array of integers",
                                "",
                            );
                            None
                        })
                    }
                    "signals" => {
                        retry_on.signals = ints(&m.value).or_else(|| {
                            self.error(
                                codes::INVALID_RETRY,
                                &m.value,
                                &p.join("signals"),
                                "`signals` must be an array of signal numbers",
                                "e.g. [9, 15]",
                            );
                            None
                        })
                    }
                    "timeout" => {
                        retry_on.timeout = m.value.as_bool().unwrap_or_else(|| {
                            self.error(
                                codes::INVALID_RETRY,
                                &m.value,
                                &p.join("timeout"),
                                "`timeout` must be true or false",
                                "",
                            );
                            false
                        })
                    }
                    other => self.error(
                        codes::INVALID_RETRY,
                        &m.value,
                        &p.join(other),
                        format!("unknown retry_on key `{other}`"),
                        "the keys are: exit_codes, signals, timeout",
                    ),
                }
            }
            if on.members().is_none() {
                self.error(
                    codes::INVALID_RETRY,
                    on,
                    &p,
                    "`retry_on` must be an object",
                    "keys: exit_codes, signals, timeout",
                );
            }
            for key in ["exit_codes", "signals"] {
                if on.get(key).is_none() {
                    // Listing one kind of failure means the other kind is not retried.
                    match key {
                        "exit_codes" => retry_on.exit_codes = Some(Vec::new()),
                        _ => retry_on.signals = Some(Vec::new()),
                    }
                }
            }
        }
        (self.diags.len() == before).then_some(RetryPolicy {
            max_attempts,
            initial_ms,
            factor,
            max_interval_ms,
            jitter,
            retry_on,
        })
    }

    /// An input may name the contract it expects: what its producer emits, or another major
    /// of it that a chain of migrations leads to ([`Program::migration_chain`]), which the
    /// input's [`Conversion`] then records.
    fn check_inputs(&mut self, raw: &[RawStep<'_>], steps: &mut [Step]) {
        for (r, s) in raw.iter().zip(0..steps.len()) {
            for k in 0..steps[s].inputs.len() {
                let input = &steps[s].inputs[k];
                let p = r.ptr.join("inputs").join(&input.name);
                let producer = &steps[input.from];
                let declared = r.node.get("inputs").and_then(|i| i.get(&input.name)).and_then(|i| i.get("contract"));
                if producer.output.is_none() && declared.is_none() {
                    let at = r.node.get("inputs").and_then(|i| i.get(&input.name)).unwrap_or(r.node);
                    self.error(
                        codes::INVALID_WORKFLOW,
                        at,
                        &p,
                        format!("input `{}` reads step `{}`, which has no output", input.name, producer.name),
                        "give that step an `output`, or use `depends_on` to wait for it without reading",
                    );
                }
                let Some(declared) = declared else {
                    continue;
                };
                let produced = producer.output.as_ref().map(|o| o.contract);
                let want = declared.as_str().unwrap_or_default();
                let wanted = self.program.contracts.iter().position(|c| c.id.key() == want);
                if produced.is_some() && produced == wanted {
                    continue;
                }
                let (name, producer_name) = (input.name.clone(), producer.name.clone());
                if let (Some(from), Some(to)) = (produced, wanted) {
                    let (a, b) = (&self.program.contracts[from].id, &self.program.contracts[to].id);
                    if (&a.namespace, &a.name) == (&b.namespace, &b.name) && a.major != b.major {
                        match self.program.migration_chain(from, to) {
                            Some(migrations) => {
                                steps[s].inputs[k].conversion = Some(Conversion { contract: to, migrations });
                            }
                            None if !self.migrations_checked => {}
                            None => {
                                let older = b.major < a.major;
                                let (a, b) = (a.key(), b.key());
                                let help = if older {
                                    "a step boundary carries messages to a newer major only (by the migrations' upgrade): read the version the step emits, or have the producer emit the older one"
                                } else {
                                    "add the migrations between the majors (contracts/migrations/<namespace>/<Name>@<A.B>..<C.D>.json, each from a major's latest minor to the next major's first), or read the version the step emits"
                                };
                                self.error(
                                    codes::MISSING_MIGRATION_PATH,
                                    declared,
                                    &p.join("contract"),
                                    format!("input `{name}` expects `{b}`, but step `{producer_name}` emits `{a}` and no migrations lead from it there"),
                                    help,
                                );
                            }
                        }
                        continue;
                    }
                }
                let got = produced
                    .map_or_else(|| "no output".to_string(), |c| format!("`{}`", self.program.contracts[c].id.key()));
                self.error(
                    codes::INPUT_CONTRACT_MISMATCH,
                    declared,
                    &p.join("contract"),
                    format!("input `{name}` expects `{want}`, but step `{producer_name}` emits {got}"),
                    "read from a step that emits this contract, or change the contract the input expects",
                );
            }
        }
    }

    /// Steps that can never run: `one_failed` with nothing to fail, and consumers of a
    /// fallback's own output (a fallback's output reaches consumers through the step it stands in for).
    fn check_reachable(&mut self, raw: &[RawStep<'_>], steps: &[Step]) {
        for (r, step) in raw.iter().zip(steps) {
            if step.trigger == TriggerRule::OneFailed && step.needs.is_empty() {
                let at = r.node.get("trigger_rule").unwrap_or(r.node);
                self.error(
                    codes::UNREACHABLE_STEP,
                    at,
                    &r.ptr.join("trigger_rule"),
                    format!("step `{}` waits for a failure among no steps", step.name),
                    "list the steps it reacts to in `depends_on`, or drop `one_failed`",
                );
            }
            for input in &step.inputs {
                if let Some(primary) = steps[input.from].fallback_for {
                    let at = r.node.get("inputs").and_then(|i| i.get(&input.name)).unwrap_or(r.node);
                    self.error(
                        codes::UNREACHABLE_STEP,
                        at,
                        &r.ptr.join("inputs").join(&input.name),
                        format!(
                            "input `{}` reads the fallback `{}` directly; it is skipped whenever `{}` succeeds",
                            input.name, steps[input.from].name, steps[primary].name
                        ),
                        &format!(
                            "read from `{}`: its consumers get the fallback's output when it is recovered",
                            steps[primary].name
                        ),
                    );
                }
            }
        }
    }

    /// Resolves each `fallback` and marks its target as the fallback of the step.
    fn link_fallbacks(&mut self, raw: &[RawStep<'_>], steps: &mut [Step]) {
        let by_name: BTreeMap<String, usize> = steps.iter().enumerate().map(|(i, s)| (s.name.clone(), i)).collect();
        for (i, r) in raw.iter().enumerate() {
            let Some(f) = r.node.get("fallback") else { continue };
            let p = r.ptr.join("fallback");
            let Some(&target) = f.as_str().and_then(|n| by_name.get(n)) else {
                let known: Vec<&str> = by_name.keys().map(String::as_str).collect();
                self.error(
                    codes::UNKNOWN_STEP,
                    f,
                    &p,
                    format!("no step named `{}`", f.as_str().unwrap_or("?")),
                    &format!("the steps are: {}", known.join(", ")),
                );
                continue;
            };
            let problem = if target == i {
                Some("a step cannot be its own fallback".to_string())
            } else if let Some(other) = steps[target].fallback_for {
                Some(format!("`{}` is already the fallback of `{}`", steps[target].name, steps[other].name))
            } else if steps[target].output != steps[i].output {
                Some(format!(
                    "`{}` must have the same output as `{}`, which it stands in for",
                    steps[target].name, steps[i].name
                ))
            } else {
                None
            };
            match problem {
                Some(message) => self.error(codes::INVALID_FALLBACK, f, &p, message, "a fallback is a step that runs only when this one fails for good, and its output replaces this one's"),
                None => {
                    steps[i].fallback = Some(target);
                    steps[target].fallback_for = Some(i);
                }
            }
        }
    }

    fn strings(&mut self, node: &Node, ptr: &Pointer, what: &str) -> Vec<String> {
        match node.as_array().map(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<Vec<_>>>()) {
            Some(Some(v)) => v,
            _ => {
                self.error(codes::INVALID_WORKFLOW, node, ptr, format!("`{what}` must be an array of strings"), "");
                Vec::new()
            }
        }
    }

    fn step(&mut self, r: &RawStep<'_>, by_name: &BTreeMap<String, usize>, resources: &[Resource]) -> Step {
        let node = r.node;
        let mut needs = Vec::new();
        let run = match node.get("run") {
            Some(run) => {
                let argv = self.strings(run, &r.ptr.join("run"), "run");
                if argv.is_empty() || argv[0].is_empty() {
                    self.error(
                        codes::INVALID_WORKFLOW,
                        run,
                        &r.ptr.join("run"),
                        "`run` must name a program: a non-empty argv",
                        "e.g. [\"python\", \"step.py\"]; it is never a shell string",
                    );
                }
                argv
            }
            None => {
                self.error(
                    codes::INVALID_WORKFLOW,
                    node,
                    &r.ptr,
                    format!("step `{}` has no `run`", r.name),
                    "add `\"run\": [program, args...]`",
                );
                Vec::new()
            }
        };
        let mut env = Vec::new();
        if let Some(e) = node.get("env") {
            for m in e.members().unwrap_or_default() {
                match m.value.as_str() {
                    Some(v) => env.push((m.key.clone(), v.to_string())),
                    None => self.error(
                        codes::INVALID_WORKFLOW,
                        &m.value,
                        &r.ptr.join("env").join(&m.key),
                        "environment values must be strings",
                        "",
                    ),
                }
            }
            if e.members().is_none() {
                self.error(codes::INVALID_WORKFLOW, e, &r.ptr.join("env"), "`env` must be an object of strings", "");
            }
            env.sort();
        }
        let mut inputs = Vec::new();
        if let Some(ins) = node.get("inputs") {
            let iptr = r.ptr.join("inputs");
            if ins.members().is_none() {
                self.error(
                    codes::INVALID_WORKFLOW,
                    ins,
                    &iptr,
                    "`inputs` must be an object: input name → `{\"from\": step}`",
                    "",
                );
            }
            for m in ins.members().unwrap_or_default() {
                let p = iptr.join(&m.key);
                if !is_step_name(&m.key) {
                    self.error(
                        codes::INVALID_WORKFLOW,
                        &m.value,
                        &p,
                        "input names are lowercase letters, digits and `_`",
                        "",
                    );
                    continue;
                }
                for k in m.value.members().unwrap_or_default() {
                    if k.key != "from" && k.key != "contract" {
                        self.error(
                            codes::INVALID_WORKFLOW,
                            &k.value,
                            &p.join(&k.key),
                            format!("unknown input key `{}`", k.key),
                            "the keys are: from, contract",
                        );
                    }
                }
                let Some(from) = m.value.get("from") else {
                    self.error(
                        codes::INVALID_WORKFLOW,
                        &m.value,
                        &p,
                        "an input needs `from`: the step that produces it",
                        "",
                    );
                    continue;
                };
                match from.as_str().and_then(|f| by_name.get(f)) {
                    Some(&i) => {
                        inputs.push(Input { name: m.key.clone(), from: i, conversion: None });
                        needs.push(i);
                    }
                    None => self.unknown_step(from, &p.join("from"), by_name),
                }
            }
            inputs.sort_by(|a, b| a.name.cmp(&b.name));
        }
        if let Some(deps) = node.get("depends_on") {
            let dptr = r.ptr.join("depends_on");
            for (i, d) in deps.as_array().unwrap_or_default().iter().enumerate() {
                match d.as_str().and_then(|f| by_name.get(f)) {
                    Some(&i) => needs.push(i),
                    None => self.unknown_step(d, &dptr.join(i.to_string()), by_name),
                }
            }
            if deps.as_array().is_none() {
                self.error(codes::INVALID_WORKFLOW, deps, &dptr, "`depends_on` must be an array of step names", "");
            }
        }
        needs.sort();
        needs.dedup();
        let output = node.get("output").and_then(|o| self.output(o, &r.ptr.join("output")));
        let working_dir = node.get("working_dir").and_then(|w| {
            let dir = w.as_str().filter(|d| !d.is_empty()).map(str::to_string);
            if dir.is_none() {
                self.error(
                    codes::INVALID_WORKFLOW,
                    w,
                    &r.ptr.join("working_dir"),
                    "`working_dir` must be a non-empty path",
                    "",
                );
            }
            dir
        });
        let mut env_from_host = node
            .get("env_from_host")
            .map(|e| self.strings(e, &r.ptr.join("env_from_host"), "env_from_host"))
            .unwrap_or_default();
        env_from_host.sort();
        env_from_host.dedup();
        let trigger = match node.get("trigger_rule") {
            None => TriggerRule::AllSuccess,
            Some(t) => match t.as_str() {
                Some("all_success") => TriggerRule::AllSuccess,
                Some("all_done") => TriggerRule::AllDone,
                Some("one_failed") => TriggerRule::OneFailed,
                Some("always") => TriggerRule::Always,
                _ => {
                    self.error(
                        codes::INVALID_WORKFLOW,
                        t,
                        &r.ptr.join("trigger_rule"),
                        "unknown trigger rule",
                        "use all_success, all_done, one_failed or always",
                    );
                    TriggerRule::AllSuccess
                }
            },
        };
        let retry = node.get("retry").and_then(|n| self.retry(n, &r.ptr.join("retry")));
        let timeout_ms = node.get("timeout").and_then(|n| self.duration(n, &r.ptr.join("timeout")));
        let deadline_ms = node.get("deadline").and_then(|n| self.duration(n, &r.ptr.join("deadline")));
        if let (Some(t), Some(d), Some(n)) = (timeout_ms, deadline_ms, node.get("deadline"))
            && d < t
        {
            self.error(
                codes::INVALID_RETRY,
                n,
                &r.ptr.join("deadline"),
                "`deadline` (the whole step) is shorter than `timeout` (one attempt)",
                "",
            );
        }
        let mut resource_ids = Vec::new();
        if let Some(rs) = node.get("resources") {
            let rptr = r.ptr.join("resources");
            for (k, name) in self.strings(rs, &rptr, "resources").into_iter().enumerate() {
                match resources.iter().position(|x| x.name == name) {
                    Some(i) => resource_ids.push(i),
                    None => {
                        let at = rs.as_array().and_then(|a| a.get(k)).unwrap_or(rs);
                        let known: Vec<&str> = resources.iter().map(|x| x.name.as_str()).collect();
                        self.error(
                            codes::UNKNOWN_RESOURCE,
                            at,
                            &rptr.join(k.to_string()),
                            format!("no resource named `{name}`"),
                            &format!("declare it under the workflow's `resources` (declared: {})", known.join(", ")),
                        );
                    }
                }
            }
            resource_ids.sort();
            resource_ids.dedup();
        }
        Step {
            name: r.name.clone(),
            description: node.get("description").and_then(Node::as_str).map(str::to_string),
            run,
            working_dir,
            env,
            env_from_host,
            trigger,
            retry,
            timeout_ms,
            deadline_ms,
            fallback: None,
            fallback_for: None,
            resources: resource_ids,
            inputs,
            output,
            needs,
            when: None,
        }
    }

    fn unknown_step(&mut self, node: &Node, ptr: &Pointer, by_name: &BTreeMap<String, usize>) {
        let name = node.as_str().unwrap_or("?");
        let known: Vec<&str> = by_name.keys().map(String::as_str).collect();
        self.error(
            codes::UNKNOWN_STEP,
            node,
            ptr,
            format!("no step named `{name}`"),
            &format!("the steps are: {}", known.join(", ")),
        );
    }

    fn output(&mut self, o: &Node, ptr: &Pointer) -> Option<Output> {
        let cptr = ptr.join("contract");
        let Some(c) = o.get("contract") else {
            self.error(
                codes::INVALID_WORKFLOW,
                o,
                ptr,
                "an output needs `contract`, e.g. \"events/PriceTick@1.0\"",
                "",
            );
            return None;
        };
        let stream = match o.get("stream") {
            None => false,
            Some(s) => s.as_bool().unwrap_or_else(|| {
                self.error(codes::INVALID_WORKFLOW, s, &ptr.join("stream"), "`stream` must be true or false", "");
                false
            }),
        };
        let key = c.as_str().unwrap_or_default();
        match self.program.contracts.iter().position(|k| k.id.key() == key) {
            Some(contract) => Some(Output { contract, stream }),
            None => {
                let known: Vec<String> = self.program.contracts.iter().map(|k| k.id.key()).collect();
                self.error(
                    codes::UNKNOWN_CONTRACT,
                    c,
                    &cptr,
                    format!("no contract `{key}`"),
                    &format!("the contracts are: {}", known.join(", ")),
                );
                None
            }
        }
    }

    /// Kahn's algorithm, ties broken by spec order; a cycle is reported with its path.
    fn topological_order(&mut self, raw: &[RawStep<'_>], steps: &[Step]) -> Option<Vec<usize>> {
        let n = steps.len();
        // A fallback comes after the step it stands in for.
        let deps = |s: &Step| -> Vec<usize> { s.needs.iter().copied().chain(s.fallback_for).collect() };
        let mut indegree: Vec<usize> = steps.iter().map(|s| deps(s).len()).collect();
        let mut order = Vec::new();
        let mut done = vec![false; n];
        while order.len() < n {
            let Some(next) = (0..n).find(|&i| !done[i] && indegree[i] == 0) else {
                let cycle = find_cycle(steps, &done);
                let links: Vec<String> = cycle
                    .iter()
                    .zip(cycle.iter().cycle().skip(1))
                    .map(|(&a, &b)| format!("`{}` needs `{}`", steps[a].name, steps[b].name))
                    .collect();
                let first = cycle[0];
                self.error(
                    codes::WORKFLOW_CYCLE,
                    raw[first].node,
                    &raw[first].ptr,
                    format!("steps need each other in a cycle: {}", links.join(", ")),
                    "remove one of these dependencies",
                );
                return None;
            };
            done[next] = true;
            order.push(next);
            for (i, s) in steps.iter().enumerate() {
                indegree[i] -= deps(s).iter().filter(|&&d| d == next).count();
            }
        }
        Some(order)
    }

    fn condition(&mut self, w: &Node, ptr: &Pointer, step: &Step, steps: &[Step]) -> Option<Condition> {
        let Some(src) = w.as_str() else {
            self.error(codes::INVALID_WORKFLOW, w, ptr, "`when` must be a string", "");
            return None;
        };
        let program = self.program;
        let reads_broken =
            step.inputs.iter().any(|i| steps[i.from].output.as_ref().is_some_and(|o| self.broken[o.contract]));
        if reads_broken {
            return None;
        }
        let resolve = |path: &[String]| -> Result<Resolved, (usize, String)> {
            let Some(input) = step.inputs.iter().position(|i| i.name == path[0]) else {
                let names: Vec<&str> = step.inputs.iter().map(|i| i.name.as_str()).collect();
                return Err((0, format!("`{}` is not an input of this step (inputs: {})", path[0], names.join(", "))));
            };
            let producer = &steps[step.inputs[input].from];
            let Some(out) = &producer.output else {
                return Err((0, format!("step `{}` has no output to test", producer.name)));
            };
            let contract = &program.contracts[out.contract];
            // A contract's root alias stands for its type; `null` reads as an absent field does.
            let unalias = |mut ty: Ty| loop {
                ty = match ty {
                    Ty::Named(r) => match &program.named(r).kind {
                        TypeKind::Alias(t) => t.clone(),
                        _ => return Ty::Named(r),
                    },
                    Ty::Nullable(t) => *t,
                    other => return other,
                };
            };
            let mut ty = unalias(Ty::Named(contractc_ir::TypeRef { contract: out.contract, index: 0 }));
            for (i, seg) in path.iter().enumerate().skip(1) {
                let Ty::Named(r) = ty else {
                    return Err((i, format!("`{}` is not an object", path[..i].join("."))));
                };
                let TypeKind::Object(obj) = &program.named(r).kind else {
                    return Err((i, format!("`{}` is not an object", path[..i].join("."))));
                };
                let Some(f) = obj.fields.iter().find(|f| &f.name == seg) else {
                    let names: Vec<&str> = obj.fields.iter().map(|f| f.name.as_str()).collect();
                    return Err((
                        i,
                        format!("{} has no field `{seg}` (fields: {})", contract.id.key(), names.join(", ")),
                    ));
                };
                ty = unalias(f.ty.clone());
            }
            let cond_ty = match ty {
                Ty::Boolean => CondType::Bool,
                Ty::Number(_) | Ty::Integer(_) => CondType::Number,
                Ty::String(_) => CondType::String,
                Ty::Named(r) => match &program.named(r).kind {
                    TypeKind::Enum(values) => CondType::Enum(values.clone()),
                    TypeKind::Object(_) => {
                        return Err((
                            path.len() - 1,
                            format!("`{}` is an object; compare one of its fields", path.join(".")),
                        ));
                    }
                    TypeKind::Union(_) | TypeKind::Choice(_) | TypeKind::Untagged(_) => {
                        return Err((
                            path.len() - 1,
                            format!("`{}` is a union, which conditions cannot test yet", path.join(".")),
                        ));
                    }
                    TypeKind::Alias(_) => unreachable!("`unalias` took the alias away"),
                },
                Ty::Array(_) => {
                    return Err((
                        path.len() - 1,
                        format!("`{}` is an array, which conditions cannot test yet", path.join(".")),
                    ));
                }
                Ty::Any => {
                    return Err((
                        path.len() - 1,
                        format!("`{}` may hold any JSON value, which conditions cannot test", path.join(".")),
                    ));
                }
                Ty::Values(_) => {
                    return Err((
                        path.len() - 1,
                        format!(
                            "`{}` holds `const` or `enum` values of any JSON kind, which conditions cannot test yet",
                            path.join(".")
                        ),
                    ));
                }
                Ty::Nullable(_) => unreachable!("`unalias` took the null away"),
            };
            Ok(Resolved { input, ty: cond_ty })
        };
        match cond::compile(src, &resolve) {
            Ok((input, code)) => Some(Condition { source: src.to_string(), input, code }),
            Err(e) => {
                let span = self.span_in_string(w, e.start, e.end);
                let mut d = Diagnostic::error(e.code, self.file.path, span, ptr.clone(), e.message.clone())
                    .with_label(e.message);
                if let Some(h) = e.help {
                    d = d.with_help(h);
                }
                self.diags.push(d);
                None
            }
        }
    }

    /// Maps a byte range of a decoded JSON string to its range in the file.
    fn span_in_string(&self, node: &Node, start: usize, end: usize) -> Span {
        let raw = &self.file.text[node.span.start as usize + 1
            ..(node.span.end as usize).saturating_sub(1).max(node.span.start as usize + 1)];
        let base = node.span.start as usize + 1;
        let (mut decoded, mut i) = (0usize, 0usize);
        let (mut s, mut e) = (None, None);
        let b = raw.as_bytes();
        while i <= b.len() {
            if decoded == start && s.is_none() {
                s = Some(i);
            }
            if decoded == end && e.is_none() {
                e = Some(i);
            }
            if i == b.len() {
                break;
            }
            let (raw_len, dec_len) = if b[i] == b'\\' {
                match b.get(i + 1) {
                    Some(b'u') => (
                        6,
                        char::from_u32(u32::from_str_radix(raw.get(i + 2..i + 6).unwrap_or("0"), 16).unwrap_or(0))
                            .map_or(1, char::len_utf8),
                    ),
                    _ => (2, 1),
                }
            } else {
                (1, 1)
            };
            i += raw_len;
            decoded += dec_len;
        }
        Span::new(base + s.unwrap_or(0), base + e.unwrap_or(raw.len()).max(s.unwrap_or(0)))
    }
}

fn is_step_name(n: &str) -> bool {
    n.starts_with(|c: char| c.is_ascii_lowercase())
        && n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A cycle among the steps not yet ordered, as step indices: each needs the next, the last the first.
fn find_cycle(steps: &[Step], done: &[bool]) -> Vec<usize> {
    let start = (0..steps.len()).find(|&i| !done[i]).unwrap_or(0);
    let mut path = vec![start];
    loop {
        let cur = *path.last().expect("non-empty");
        let next = steps[cur].needs.iter().copied().chain(steps[cur].fallback_for).find(|&n| !done[n]).unwrap_or(start);
        if let Some(pos) = path.iter().position(|&p| p == next) {
            return path[pos..].to_vec();
        }
        path.push(next);
    }
}

#[cfg(test)]
mod tests {
    /// The workflow spec's JSON Schema (from `crate::spec`) names exactly the keys the checker reads.
    #[test]
    fn the_spec_types_and_the_checker_agree_on_keys() {
        let schema: serde_json::Value = serde_json::from_str(&crate::spec::workflow_schema()).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            let mut k: Vec<String> = v["properties"].as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        let sorted = |k: &[&str]| -> Vec<String> {
            let mut v: Vec<String> = k.iter().map(|s| s.to_string()).collect();
            v.sort();
            v
        };
        assert_eq!(keys(&schema), sorted(super::WORKFLOW_KEYS));
        assert_eq!(keys(&schema["definitions"]["StepSpec"]), sorted(super::STEP_KEYS));
        assert_eq!(keys(&schema["definitions"]["RetrySpec"]), sorted(super::RETRY_KEYS));
    }
}

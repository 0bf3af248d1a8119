//! `plan::decode` checks a plan's meaning: a plan with valid checksums but an index out of range,
//! a step listed before what it depends on, a name that is not one path segment or a malformed
//! validator is refused with a message saying what is wrong where (and the runtime exits 2).
//! The property tests mutate a valid plan's decoded payload, re-encode it with valid checksums
//! and check that decode never panics and refuses every plan the runtime could not run safely.

use std::ffi::OsStr;
use std::path::{Component, Path};
use std::process::Command;

use proptest::prelude::*;
use runtime::plan::{
    self, Condition, Conversion, Input, Integers, Json, Keyword, MAX_DEPTH, Migration, MigrationOp, Node, Op, Output,
    Pattern, Plan, PlanError, Resource, Step, TriggerRule, Type, Validator, VerifiedPlan,
};
use runtime::validate::{MAX_NESTING, STACK_SIZE, validate_text};

/// A plan that uses every index the runtime follows: needs, inputs, a condition, outputs, a
/// fallback pair, a resource, and a validator whose nodes refer to each other (a cycle through
/// `items`, which descends into the message, is fine).
fn base() -> Plan {
    let emitting =
        |name: &str| Step { output: Some(Output { validator: 0, stream: true }), ..Step::command(name, &["true"]) };
    let mut source = emitting("source");
    source.resources = vec![0];
    let mut signal = emitting("signal");
    signal.needs = vec![0];
    signal.inputs = vec![Input { name: "in".into(), from: 0, conversion: None }];
    signal.when = Some(Condition {
        source: "in.x > 1".into(),
        input: 0,
        code: vec![Op::Field(vec!["x".into()]), Op::Number(1.0), Op::Gt],
    });
    signal.fallback = Some(2);
    signal.resources = vec![0];
    let mut backup = emitting("backup");
    backup.fallback_for = Some(1);
    let mut report = Step::command("report", &["true"]);
    report.needs = vec![1];
    report.inputs = vec![Input { name: "sig".into(), from: 1, conversion: None }];
    report.trigger = TriggerRule::AllDone;
    Plan {
        workflow: "checks@1.0".into(),
        steps: vec![source, signal, backup, report],
        validators: vec![validator()],
        resources: vec![Resource { name: "broker".into(), failure_threshold: 3, cooldown_ms: 1000 }],
        migrations: vec![Migration {
            name: "t/Msg@1.0..2.0".into(),
            ops: vec![MigrationOp::Move { from: vec!["x".into()], to: vec!["pos".into(), "x".into()] }],
        }],
    }
}

fn validator() -> Validator {
    Validator {
        contract: "t/Msg@1.0".into(),
        integers: Integers::Int64Literal,
        compiled: Default::default(),
        nodes: vec![
            Node::Keywords(vec![
                Keyword::Type(vec![Type::Object]),
                Keyword::Properties(vec![("x".into(), 1), ("tags".into(), 3)]),
                Keyword::PatternProperties(vec![(Pattern::new("^y", "^y").unwrap(), 1)]),
                Keyword::AdditionalProperties(2),
                Keyword::PropertyNames(4),
                Keyword::Required(vec!["x".into()]),
            ]),
            Node::Keywords(vec![Keyword::AnyOf(vec![5, 6])]),
            Node::Bool(false),
            Node::Keywords(vec![Keyword::Type(vec![Type::Array]), Keyword::Items(0)]),
            Node::Keywords(vec![Keyword::MaxLength(8)]),
            Node::Keywords(vec![Keyword::Type(vec![Type::Number])]),
            Node::Keywords(vec![Keyword::AllOf(vec![5]), Keyword::OneOf(vec![5, 2])]),
        ],
    }
}

/// The node references of a keyword, to mutate them.
fn node_refs(k: &mut Keyword) -> Vec<&mut u32> {
    match k {
        Keyword::Properties(p) => p.iter_mut().map(|(_, n)| n).collect(),
        Keyword::PatternProperties(p) => p.iter_mut().map(|(_, n)| n).collect(),
        Keyword::AdditionalProperties(n) | Keyword::PropertyNames(n) | Keyword::Items(n) | Keyword::Contains(n) => {
            vec![n]
        }
        Keyword::AllOf(n) | Keyword::AnyOf(n) | Keyword::OneOf(n) | Keyword::PrefixItems(n) => n.iter_mut().collect(),
        _ => vec![],
    }
}

/// The message of the error `decode` gives for `base()` changed by `change`.
fn refused(change: impl FnOnce(&mut Plan)) -> String {
    let mut p = base();
    change(&mut p);
    match plan::decode(&plan::encode(&p)) {
        Err(PlanError::Invalid(e)) => e,
        other => panic!("expected a refused payload, got {other:?}"),
    }
}

#[test]
fn the_base_plan_decodes() {
    assert_eq!(plan::decode(&plan::encode(&base())).map(VerifiedPlan::into_plan), Ok(base()));
}

#[test]
fn names_must_be_single_path_segments() {
    let not_a_segment =
        |what: &str, name: &str, why: &str| format!("plan: {what} {name:?} is not a single path segment: {why}");
    let step_name = |name: &str| refused(|p| p.steps[0].name = name.into());
    for name in ["..", "."] {
        assert_eq!(step_name(name), not_a_segment("step name", name, "it names a folder, not a file"));
    }
    for (name, c) in [("/etc", "/"), ("a/b", "/"), ("../escape", "/"), ("a\\b", "\\")] {
        assert_eq!(step_name(name), not_a_segment("step name", name, &format!("it contains `{c}`")));
    }
    assert_eq!(step_name(""), not_a_segment("step name", "", "it is empty"));
    assert_eq!(
        step_name("\u{0}"),
        r#"plan: step name "\0" is not a single path segment: it contains the control character U+0000"#
    );
    assert_eq!(
        step_name("a\nb"),
        r#"plan: step name "a\nb" is not a single path segment: it contains the control character U+000A"#
    );
    let long = "x".repeat(256);
    assert_eq!(step_name(&long), not_a_segment("step name", &long, "it is 256 bytes long, more than 255"));
    assert_eq!(
        step_name("journal"),
        r#"plan: step name "journal" is reserved: the run directory keeps its own "journal""#
    );
    assert_eq!(
        step_name("report.json"),
        r#"plan: step name "report.json" is reserved: the run directory keeps its own "report.json""#
    );
    assert_eq!(refused(|p| p.steps[3].name = "source".into()), r#"plan: steps 0 and 3 are both named "source""#);

    assert_eq!(refused(|p| p.workflow = "/etc".into()), not_a_segment("workflow name", "/etc", "it contains `/`"));
    // An input's filtered copy is `<step>/input-<name>.jsonl`.
    assert_eq!(
        refused(|p| p.steps[1].inputs[0].name = "..".into()),
        r#"plan: input name ".." of step "signal" is not a single path segment: it names a folder, not a file"#
    );
    let long = "i".repeat(244);
    assert_eq!(
        refused(|p| p.steps[1].inputs[0].name = long.clone()),
        format!(
            "plan: input name {long:?} of step \"signal\" is not a single path segment: it is 244 bytes long, more than 243"
        )
    );
    let mut ok = base();
    ok.steps[1].inputs[0].name = "i".repeat(243);
    assert!(plan::decode(&plan::encode(&ok)).is_ok());
}

#[test]
fn inputs_must_be_distinct_environment_variables() {
    assert_eq!(
        refused(|p| p.steps[1].inputs[0].name = "a=b".into()),
        r#"plan: input "a=b" of step "signal" cannot name an environment variable: it contains `=`"#
    );
    assert_eq!(
        refused(|p| {
            p.steps[3].needs = vec![0, 1];
            p.steps[3].inputs.push(Input { name: "SIG".into(), from: 0, conversion: None });
        }),
        r#"plan: inputs "sig" and "SIG" of step "report" are both $CTC_INPUT_SIG"#
    );
}

#[test]
fn every_index_must_be_in_range() {
    for (change, says) in [
        (
            Box::new(|p: &mut Plan| p.steps[1].needs = vec![7]) as Box<dyn FnOnce(&mut Plan)>,
            r#"step "signal" needs step 7, but the plan has 4 steps"#,
        ),
        (
            Box::new(|p| p.steps[1].inputs[0].from = 9),
            r#"input "in" of step "signal" reads step 9, but the plan has 4 steps"#,
        ),
        (
            Box::new(|p| p.steps[1].when.as_mut().unwrap().input = 1),
            r#"the condition of step "signal" reads input 1, but the step has 1 input"#,
        ),
        (
            Box::new(|p| p.steps[0].output.as_mut().unwrap().validator = 5),
            r#"the output of step "source" is checked by validator 5, but the plan has 1 validator"#,
        ),
        (
            Box::new(|p| p.steps[1].fallback = Some(4)),
            r#"step "signal" falls back to step 4, but the plan has 4 steps"#,
        ),
        (
            Box::new(|p| (p.steps[1].fallback, p.steps[2].fallback_for) = (None, Some(u32::MAX))),
            r#"step "backup" stands in for step 4294967295, but the plan has 4 steps"#,
        ),
        (Box::new(|p| p.steps[0].resources = vec![1]), r#"step "source" uses resource 1, but the plan has 1 resource"#),
        (Box::new(|p| p.resources.clear()), r#"step "source" uses resource 0, but the plan has 0 resources"#),
        (Box::new(|p| p.steps[3].run.clear()), r#"step "report" has an empty `run`: no program to start"#),
    ] {
        assert_eq!(refused(change), format!("plan: {says}"));
    }
}

#[test]
fn steps_must_come_after_what_they_depend_on() {
    let order = "(a plan lists every step after the steps it depends on)";
    assert_eq!(
        refused(|p| p.steps[0].needs = vec![3]),
        format!(r#"plan: step "source" needs step 3 ("report"), which is not listed before step "source" {order}"#)
    );
    assert_eq!(
        refused(|p| p.steps[3].needs.push(3)),
        format!(r#"plan: step "report" needs step 3 ("report"), which is not listed before step "report" {order}"#)
    );
    assert_eq!(
        refused(|p| {
            p.steps[0].inputs = vec![Input { name: "late".into(), from: 3, conversion: None }];
        }),
        format!(
            r#"plan: input "late" of step "source" reads step 3 ("report"), which is not listed before step "source" {order}"#
        )
    );
    assert_eq!(
        refused(|p| p.steps[3].inputs[0].from = 0),
        r#"plan: input "sig" of step "report" reads step 0 ("source"), which step "report" does not need"#
    );
}

#[test]
fn a_fallback_and_its_step_must_name_each_other() {
    assert_eq!(
        refused(|p| p.steps[1].fallback = Some(3)),
        r#"plan: step "signal" falls back to step 3 ("report"), which does not stand in for it"#
    );
    assert_eq!(
        refused(|p| p.steps[1].fallback = None),
        r#"plan: step "backup" stands in for step 1 ("signal"), which does not fall back to it"#
    );
    assert_eq!(
        refused(|p| {
            p.steps[1].fallback = None;
            p.steps[2].fallback_for = Some(2);
        }),
        r#"plan: step "backup" stands in for step 2 ("backup"), which is not listed before step "backup" (a plan lists every step after the steps it depends on)"#
    );
}

#[test]
fn validators_must_be_well_formed() {
    let keywords = |p: &mut Plan, node: usize| match &mut p.validators[0].nodes[node] {
        Node::Keywords(k) => std::mem::take(k),
        Node::Bool(_) => unreachable!("a keywords node"),
    };
    let set = |node: usize, ks: Vec<Keyword>| move |p: &mut Plan| p.validators[0].nodes[node] = Node::Keywords(ks);
    assert_eq!(
        refused(|p| {
            let mut root = keywords(p, 0);
            *node_refs(&mut root[1])[0] = 12;
            p.validators[0].nodes[0] = Node::Keywords(root);
        }),
        r#"plan: validator "t/Msg@1.0": node 0's `properties` refers to node 12, but the validator has 7 nodes"#
    );
    assert_eq!(
        refused(set(3, vec![Keyword::Items(7)])),
        r#"plan: validator "t/Msg@1.0": node 3's `items` refers to node 7, but the validator has 7 nodes"#
    );
    assert_eq!(
        refused(|p| p.validators[0].nodes.clear()),
        r#"plan: validator "t/Msg@1.0" has no nodes (node 0 is its root)"#
    );
    let never_ends =
        "apply each other to the same value (`allOf`, `anyOf`, `oneOf`) in a cycle: validating would never end";
    assert_eq!(
        refused(set(6, vec![Keyword::AllOf(vec![6])])),
        format!(r#"plan: validator "t/Msg@1.0": nodes 6 → 6 {never_ends}"#)
    );
    assert_eq!(
        refused(set(5, vec![Keyword::OneOf(vec![2, 1])])),
        format!(r#"plan: validator "t/Msg@1.0": nodes 1 → 5 → 1 {never_ends}"#)
    );
    // Through `items`, `properties`, `propertyNames`... a cycle descends into the message: fine.
    let mut ok = base();
    ok.validators[0].nodes[4] = Node::Keywords(vec![Keyword::PropertyNames(4), Keyword::AllOf(vec![5])]);
    assert!(plan::decode(&plan::encode(&ok)).is_ok());
}

/// `base()` with an `enum` whose one value is `depth` arrays deep; written on a thread with the
/// stack that writing it takes.
fn nested_enum(depth: usize) -> Vec<u8> {
    let mut j = Json::Null;
    for _ in 0..depth {
        j = Json::Array(vec![j]);
    }
    let mut p = base();
    p.validators[0].nodes[4] = Node::Keywords(vec![Keyword::Enum(vec![j])]);
    let bytes = std::thread::Builder::new().stack_size(1 << 30).spawn(move || plan::encode(&p)).unwrap().join();
    bytes.unwrap()
}

#[test]
fn a_json_value_deeper_than_a_message_can_be_is_refused_before_it_is_read() {
    assert!(plan::decode(&nested_enum(MAX_DEPTH)).is_ok());
    let says = format!("a JSON value in the plan nests deeper than {MAX_DEPTH} arrays and objects");
    assert_eq!(plan::decode(&nested_enum(MAX_DEPTH + 1)), Err(PlanError::Payload(says.clone())));
    // Far deeper than a stack holds, on a test thread's small stack: refused, not a crash.
    assert_eq!(plan::decode(&nested_enum(1_000_000)), Err(PlanError::Payload(says)));
}

/// A validator of `len` nodes, each applying the next in place (`allOf`), the last applying node
/// 0 to every item: acyclic in place, so it decodes, but it nests `len` schemas a level.
fn chain(len: u32) -> Validator {
    let mut nodes: Vec<Node> = (1..len).map(|next| Node::Keywords(vec![Keyword::AllOf(vec![next])])).collect();
    nodes.push(Node::Keywords(vec![Keyword::Items(0)]));
    Validator::new("t/Chain@1.0", Integers::Int64Literal, nodes)
}

/// `depth` nested arrays around `1`.
fn nested_array(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

/// Validates on a thread with the stack the runtime gives its validating threads.
fn validate_on_runtime_stack(v: Validator, text: String) -> Result<(), String> {
    let worker = std::thread::Builder::new().stack_size(STACK_SIZE);
    let handle = worker.spawn(move || validate_text(&v, &text).map(|_| ()).map_err(|e| e.to_string())).unwrap();
    handle.join().unwrap()
}

#[test]
fn validation_nests_at_most_max_nesting_schemas_and_refuses_rather_than_exhausts_the_stack() {
    // The deepest message under the most nesting a validation allows: validated, on the stack the
    // runtime gives it.
    let per_level = (MAX_NESTING / MAX_DEPTH) as u32;
    assert_eq!(validate_on_runtime_stack(chain(per_level), nested_array(MAX_DEPTH - 1)), Ok(()));
    // One more schema a level: refused with a violation.
    let e = validate_on_runtime_stack(chain(per_level + 1), nested_array(MAX_DEPTH - 1)).unwrap_err();
    assert!(e.contains(&format!("more than {MAX_NESTING} nested schemas")), "{e}");
    // A hostile plan: 200,000 nodes in one in-place chain decode (no cycle) and are refused when
    // validating, without a crash.
    let mut p = base();
    p.validators = vec![chain(200_000)];
    let p = plan::decode(&plan::encode(&p)).unwrap().into_plan();
    let e = validate_on_runtime_stack(p.validators[0].clone(), "1".into()).unwrap_err();
    assert!(e.contains("nested schemas"), "{e}");
}

#[test]
fn the_committed_plan_decodes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/plans/eurusd_pipeline@1.0.plan.bin");
    let bytes = std::fs::read(&path).unwrap();
    let p = plan::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(!p.steps.is_empty());
}

#[test]
fn the_runtime_exits_2_on_a_plan_it_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let escape = {
        let mut p = base();
        p.steps[0].name = "../escape".into();
        p
    };
    let dangling = {
        let mut p = base();
        p.steps[3].needs = vec![1, 7];
        p
    };
    for (name, p, says) in [
        ("escape", escape, r#"plan: step name "../escape" is not a single path segment: it contains `/`"#),
        ("dangling", dangling, r#"plan: step "report" needs step 7, but the plan has 4 steps"#),
    ] {
        let path = dir.path().join(format!("{name}.bin"));
        std::fs::write(&path, plan::encode(&p)).unwrap();
        let run_dir = dir.path().join("runs").join("run");
        for args in [
            vec![OsStr::new("inspect"), path.as_os_str()],
            vec![path.as_os_str(), OsStr::new("--run-dir"), run_dir.as_os_str()],
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_runtime")).args(&args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {stderr}");
            assert!(stderr.contains(says), "{name} {args:?}: {stderr}");
        }
        assert!(!dir.path().join("runs").exists(), "{name}: nothing was created");
    }
}

/// Why the runtime could not run `p` safely, by rules independent of the checker's: an index it
/// would follow is out of range, a name it turns into a path is not one normal path component,
/// a step has no program.
fn hazard(p: &Plan) -> Option<String> {
    let one_component = |n: &str| {
        let mut c = Path::new(n).components();
        matches!((c.next(), c.next()), (Some(Component::Normal(s)), None) if s == n) && !n.contains(['\\', '\0'])
    };
    let mut names = vec![p.workflow.as_str()];
    let mut indices: Vec<(u32, usize)> = Vec::new();
    for s in &p.steps {
        if s.run.is_empty() {
            return Some(format!("step {:?} has no program", s.name));
        }
        names.push(&s.name);
        names.extend(s.inputs.iter().map(|i| i.name.as_str()));
        let n = p.steps.len();
        indices.extend(
            s.needs
                .iter()
                .chain(s.inputs.iter().map(|i| &i.from))
                .chain(&s.fallback)
                .chain(&s.fallback_for)
                .map(|&d| (d, n)),
        );
        indices.extend(s.resources.iter().map(|&r| (r, p.resources.len())));
        indices.extend(s.when.iter().map(|c| (c.input, s.inputs.len())));
        indices.extend(s.output.iter().map(|o| (o.validator, p.validators.len())));
        for c in s.inputs.iter().filter_map(|i| i.conversion.as_ref()) {
            indices.extend(c.migrations.iter().map(|&m| (m, p.migrations.len())));
            indices.push((c.validator, p.validators.len()));
        }
        for i in s.inputs.iter().filter(|i| i.conversion.is_some()) {
            if p.steps.get(i.from as usize).is_some_and(|from| from.output.is_none()) {
                return Some(format!(
                    "input {:?} of step {:?} converts the messages of a step with no output",
                    i.name, s.name
                ));
            }
        }
    }
    if p.migrations.iter().flat_map(|m| &m.ops).any(|op| match op {
        MigrationOp::Move { from, to } => from.is_empty() || to.is_empty(),
        MigrationOp::Add { path, .. } | MigrationOp::Remove { path } | MigrationOp::EnumMap { path, .. } => {
            path.is_empty()
        }
    }) {
        return Some("a migration op has an empty path".into());
    }
    for v in &p.validators {
        if v.nodes.is_empty() {
            return Some(format!("validator {:?} has no root", v.contract));
        }
        let mut v = v.clone();
        let len = v.nodes.len();
        for node in &mut v.nodes {
            if let Node::Keywords(ks) = node {
                indices.extend(ks.iter_mut().flat_map(node_refs).map(|n| (*n, len)));
            }
        }
    }
    if let Some(name) = names.into_iter().find(|n| !one_component(n)) {
        return Some(format!("{name:?} is not one path component"));
    }
    indices.into_iter().find(|&(i, len)| i as usize >= len).map(|(i, len)| format!("index {i} of {len}"))
}

/// Messages to validate against every accepted validator: none may exhaust the stack.
fn instances() -> Vec<serde_json::Value> {
    let v = |s: &str| serde_json::from_str(s).unwrap();
    vec![
        v("{}"),
        v(r#"{"x": 1, "tags": [{"x": null}], "y1": "a", "zzzzzzzzz": 2}"#),
        v("[1, 2]"),
        v(r#""s""#),
        v("null"),
    ]
}

#[derive(Clone, Debug)]
enum Mutation {
    Workflow(String),
    StepName(usize, String),
    InputName(usize, usize, String),
    Need(usize, usize, u32),
    From(usize, usize, u32),
    WhenInput(usize, u32),
    Validator(usize, u32),
    Fallback(usize, Option<u32>),
    FallbackFor(usize, Option<u32>),
    Resource(usize, usize, u32),
    NodeRef(usize, usize, usize, u32),
    InPlace(usize),
    NoProgram(usize),
    Conversion(usize, usize, Vec<u32>, u32),
    EmptyMigrationPath,
}

/// Sets the `at`-th element (modulo the length) to `value`, or pushes it onto an empty list.
fn set<T>(v: &mut Vec<T>, at: usize, value: T) {
    match v.len() {
        0 => v.push(value),
        n => v[at % n] = value,
    }
}

impl Mutation {
    fn apply(&self, p: &mut Plan) {
        let n = p.steps.len();
        match self.clone() {
            Mutation::Workflow(name) => p.workflow = name,
            Mutation::StepName(s, name) => p.steps[s % n].name = name,
            Mutation::InputName(s, i, name) => {
                let inputs = &mut p.steps[s % n].inputs;
                if !inputs.is_empty() {
                    let len = inputs.len();
                    inputs[i % len].name = name;
                }
            }
            Mutation::Need(s, at, d) => set(&mut p.steps[s % n].needs, at, d),
            Mutation::From(s, i, from) => {
                let inputs = &mut p.steps[s % n].inputs;
                set(inputs, i, Input { name: format!("in{i}"), from, conversion: None });
            }
            Mutation::WhenInput(s, input) => {
                p.steps[s % n].when = Some(Condition { source: "true".into(), input, code: vec![Op::Bool(true)] })
            }
            Mutation::Validator(s, validator) => p.steps[s % n].output = Some(Output { validator, stream: false }),
            Mutation::Fallback(s, f) => p.steps[s % n].fallback = f,
            Mutation::FallbackFor(s, f) => p.steps[s % n].fallback_for = f,
            Mutation::Resource(s, at, r) => set(&mut p.steps[s % n].resources, at, r),
            Mutation::NodeRef(node, k, at, to) => {
                let nodes = &mut p.validators[0].nodes;
                let len = nodes.len();
                if let Node::Keywords(ks) = &mut nodes[node % len]
                    && !ks.is_empty()
                {
                    let len = ks.len();
                    let mut refs = node_refs(&mut ks[k % len]);
                    if !refs.is_empty() {
                        let len = refs.len();
                        *refs[at % len] = to;
                    }
                }
            }
            Mutation::InPlace(node) => {
                let nodes = &mut p.validators[0].nodes;
                let len = nodes.len();
                nodes[node % len] = Node::Keywords(vec![Keyword::AllOf(vec![(node % (len + 1)) as u32])]);
            }
            Mutation::NoProgram(s) => p.steps[s % n].run.clear(),
            Mutation::Conversion(s, i, migrations, validator) => {
                let inputs = &mut p.steps[s % n].inputs;
                if !inputs.is_empty() {
                    let len = inputs.len();
                    inputs[i % len].conversion = Some(Conversion { migrations, validator });
                }
            }
            Mutation::EmptyMigrationPath => {
                if let Some(m) = p.migrations.first_mut() {
                    m.ops = vec![MigrationOp::Remove { path: vec![] }];
                }
            }
        }
    }
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["..", ".", "/etc", "a/b", "", "\u{0}", "a\\b", "journal", "x\ny", "source", "in"])
            .prop_map(String::from),
        Just("x".repeat(256)),
        "[a-z_]{1,8}",
        prop::collection::vec(any::<char>(), 0..6).prop_map(String::from_iter),
    ]
}

fn index() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..9, 1 => any::<u32>()]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = || 0usize..8;
    prop_oneof![
        name().prop_map(Mutation::Workflow),
        (at(), name()).prop_map(|(s, n)| Mutation::StepName(s, n)),
        (at(), at(), name()).prop_map(|(s, i, n)| Mutation::InputName(s, i, n)),
        (at(), at(), index()).prop_map(|(s, a, d)| Mutation::Need(s, a, d)),
        (at(), at(), index()).prop_map(|(s, i, f)| Mutation::From(s, i, f)),
        (at(), index()).prop_map(|(s, i)| Mutation::WhenInput(s, i)),
        (at(), index()).prop_map(|(s, v)| Mutation::Validator(s, v)),
        (at(), proptest::option::of(index())).prop_map(|(s, f)| Mutation::Fallback(s, f)),
        (at(), proptest::option::of(index())).prop_map(|(s, f)| Mutation::FallbackFor(s, f)),
        (at(), at(), index()).prop_map(|(s, a, r)| Mutation::Resource(s, a, r)),
        (at(), at(), at(), index()).prop_map(|(n, k, a, t)| Mutation::NodeRef(n, k, a, t)),
        at().prop_map(Mutation::InPlace),
        at().prop_map(Mutation::NoProgram),
        (at(), at(), prop::collection::vec(index(), 0..3), index())
            .prop_map(|(s, i, m, v)| Mutation::Conversion(s, i, m, v)),
        Just(Mutation::EmptyMigrationPath),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever the payload says, decode returns: the plan unchanged when the runtime can run it
    /// safely, a `plan: ...` payload error otherwise; an accepted validator validates anything.
    #[test]
    fn decode_never_panics_and_refuses_every_plan_the_runtime_cannot_run(
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let mut p = plan::decode(&plan::encode(&base())).unwrap().into_plan();
        for m in &mutations {
            m.apply(&mut p);
        }
        match plan::decode(&plan::encode(&p)) {
            Ok(decoded) => {
                prop_assert_eq!(&*decoded, &p);
                if let Some(why) = hazard(&p) {
                    prop_assert!(false, "accepted although {}", why);
                }
                for v in &decoded.validators {
                    for instance in instances() {
                        let _ = runtime::validate::validate(v, &instance);
                    }
                }
            }
            Err(PlanError::Invalid(e)) => prop_assert!(e.starts_with("plan: "), "{}", e),
            Err(e) => prop_assert!(false, "{}", e),
        }
    }

    /// Bytes changed anywhere in the payload, checksum fixed: decode returns, Ok or Err.
    #[test]
    fn decode_never_panics_on_a_corrupt_payload_with_a_valid_checksum(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let good = plan::encode(&base());
        let mut payload = good[plan::HEADER_LEN..].to_vec();
        for (at, byte) in edits {
            let i = at.index(payload.len());
            payload[i] = byte;
        }
        let mut bytes = good[..plan::HEADER_LEN].to_vec();
        bytes[20..24].copy_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        bytes.extend_from_slice(&payload);
        if let Ok(p) = plan::decode(&bytes) {
            prop_assert!(hazard(&p).is_none(), "accepted although {}", hazard(&p).unwrap_or_default());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The runtime itself, given a plan whose payload was mutated (as above) and re-sealed with a
    /// valid checksum: it runs the plan or refuses it with exit 2 and an `error: ... plan: ...`
    /// error, never a panic (exit 101) or a signal.
    #[test]
    fn the_runtime_never_panics_on_a_mutated_plan_and_refuses_with_exit_2(
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut p = base();
        for m in &mutations {
            m.apply(&mut p);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.bin");
        std::fs::write(&path, plan::encode(&p)).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_runtime")).arg("inspect").arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => prop_assert!(hazard(&p).is_none(), "ran although {}", hazard(&p).unwrap_or_default()),
            Some(2) => prop_assert!(stderr.starts_with("error: ") && stderr.contains("plan: "), "{}", stderr),
            other => prop_assert!(false, "exit {:?}: {}", other, stderr),
        }
    }
}

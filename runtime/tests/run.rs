//! The scheduler on small plans whose steps are shell one-liners.

use runtime::plan::{Bound, Condition, FieldRule, Input, Node, Op, Output, Plan, Step, Validator};
use runtime::run::{run, Options, Status};

fn validator() -> Validator {
    Validator {
        contract: "t/Msg@1.0".into(),
        nodes: vec![
            Node::Object { fields: vec![FieldRule { name: "x".into(), node: 1, required: true }] },
            Node::Number { minimum: Some(Bound { value: 0.0, exclusive: false }), maximum: None },
        ],
    }
}

fn step(name: &str, script: &str, needs: &[u32], output: bool) -> Step {
    Step {
        name: name.into(),
        run: vec!["sh".into(), "-c".into(), script.into()],
        env: vec![],
        inputs: vec![],
        output: output.then_some(Output { validator: 0, stream: true }),
        needs: needs.to_vec(),
        when: None,
    }
}

fn run_plan(steps: Vec<Step>) -> Vec<runtime::run::StepReport> {
    let dir = tempfile::tempdir().unwrap();
    let plan = Plan { workflow: "t@1.0".into(), steps, validators: vec![validator()] };
    run(&plan, &Options { jobs: 2, run_dir: dir.path().to_path_buf() }, |_| {}).unwrap()
}

#[test]
fn a_contract_violation_fails_the_step_naming_line_and_pointer_and_skips_what_follows() {
    let reports = run_plan(vec![
        step("emit", r#"printf '{"x":1}\n{"x":-2}\n{"x":3}\n' > "$CTC_OUTPUT""#, &[], true),
        step("after", "true", &[0], false),
    ]);
    let Status::Failed(why) = &reports[0].status else { panic!("{:?}", reports[0].status) };
    assert!(why.contains("output line 2") && why.contains("\"/x\"") && why.contains("must be >= 0"), "{why}");
    assert_eq!((reports[0].messages, reports[0].rejected), (2, 1));
    assert!(matches!(&reports[1].status, Status::Skipped(w) if w.contains("`emit`")), "{:?}", reports[1].status);
}

#[test]
fn a_condition_hands_over_only_admitted_messages_and_skips_when_none_pass() {
    let mut keep = step("keep", r#"cat "$CTC_INPUT_M" > "$CTC_OUTPUT""#, &[0], true);
    keep.inputs = vec![Input { name: "m".into(), from: 0 }];
    keep.when = Some(Condition { source: "m.x > 1".into(), input: 0, code: vec![Op::Field(vec!["x".into()]), Op::Number(1.0), Op::Gt] });
    let mut none = keep.clone();
    none.name = "none".into();
    none.when = Some(Condition { source: "m.x > 9".into(), input: 0, code: vec![Op::Field(vec!["x".into()]), Op::Number(9.0), Op::Gt] });
    let reports = run_plan(vec![step("emit", r#"printf '{"x":1}\n{"x":2}\n{"x":3}\n' > "$CTC_OUTPUT""#, &[], true), keep, none]);
    assert_eq!(reports[1].status, Status::Succeeded);
    assert_eq!((reports[1].messages, reports[1].admitted), (2, Some((2, 3))));
    assert!(matches!(&reports[2].status, Status::Skipped(w) if w.contains("admitted none of 3")), "{:?}", reports[2].status);
}

#[test]
fn a_failing_command_and_a_missing_output_fail_the_step() {
    let reports = run_plan(vec![step("bad", "echo boom >&2; exit 3", &[], false), step("silent", "true", &[], true)]);
    assert!(matches!(&reports[0].status, Status::Failed(w) if w.contains("boom")), "{:?}", reports[0].status);
    assert!(matches!(&reports[1].status, Status::Failed(w) if w.contains("wrote no output")), "{:?}", reports[1].status);
}

#[test]
fn independent_steps_run_at_the_same_time() {
    let reports = run_plan(vec![step("a", "sleep 0.3", &[], false), step("b", "sleep 0.3", &[], false)]);
    let (a, b) = (&reports[0], &reports[1]);
    assert!(a.started < b.finished && b.started < a.finished, "run intervals overlap: {a:?} {b:?}");
}

//! The scheduler on small plans whose steps are shell one-liners.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use runtime::plan::{
    Condition, Conversion, Input, Integers, Keyword, Migration, MigrationOp, Node, Num, Op, Output, Plan, Resource,
    RetryPolicy, Step, TriggerRule, Type, Validator, VerifiedPlan,
};
use runtime::run::{Carried, Options, RunResult, SkippingClock, Status, run};

static NOT_INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn validator() -> Validator {
    Validator {
        contract: "t/Msg@1.0".into(),
        integers: Integers::Int64Literal,
        compiled: Default::default(),
        nodes: vec![
            Node::Keywords(vec![
                Keyword::Type(vec![Type::Object]),
                Keyword::Properties(vec![("x".into(), 1)]),
                Keyword::Required(vec!["x".into()]),
                Keyword::AdditionalProperties(2),
            ]),
            Node::Keywords(vec![Keyword::Type(vec![Type::Number]), Keyword::Minimum(Num::Float(0.0))]),
            Node::Bool(false),
        ],
    }
}

fn sh(name: &str, script: &str) -> Step {
    Step::command(name, &["sh", "-c", script])
}

fn emitting(name: &str, script: &str) -> Step {
    Step { output: Some(Output { validator: 0, stream: true }), ..sh(name, script) }
}

fn needs(mut s: Step, n: &[u32]) -> Step {
    s.needs = n.to_vec();
    s
}

/// A retry policy without jitter that retries any exit code, signal and timeout.
fn retry(max_attempts: u32, initial_ms: u64, factor: f64, max_interval_ms: u64) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_ms,
        factor,
        max_interval_ms,
        jitter: 0.0,
        exit_codes: None,
        signals: None,
        on_timeout: true,
    }
}

fn plan(steps: Vec<Step>) -> Plan {
    Plan { workflow: "t@1.0".into(), steps, validators: vec![validator()], resources: vec![], migrations: vec![] }
}

fn run_in(dir: &std::path::Path, p: &Plan, events: Option<&std::path::Path>) -> RunResult {
    run_with(dir, p, events, |_| {})
}

/// [`run_in`] with options changed by `change`.
fn run_with<'c>(
    dir: &std::path::Path,
    p: &Plan,
    events: Option<&std::path::Path>,
    change: impl FnOnce(&mut Options<'c>),
) -> RunResult {
    let mut o: Options<'c> = Options::new(dir.to_path_buf(), &NOT_INTERRUPTED);
    o.jobs = 8;
    change(&mut o);
    o.events = events.map(|e| e.to_path_buf());
    o.grace = Duration::from_millis(200);
    let p = VerifiedPlan::new(p.clone()).unwrap_or_else(|e| panic!("a test plan must verify: {e}"));
    run(&p, &o, |_| {}).unwrap()
}

fn run_plan(p: &Plan) -> Vec<runtime::run::StepReport> {
    let dir = tempfile::tempdir().unwrap();
    run_in(dir.path(), p, None).reports
}

fn events(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn a_contract_violation_fails_the_step_naming_line_and_pointer_and_skips_what_follows() {
    let reports = run_plan(&plan(vec![
        emitting("emit", r#"printf '{"x":1}\n{"x":-2}\n{"x":3}\n' > "$CTC_OUTPUT""#),
        needs(sh("after", "true"), &[0]),
    ]));
    let Status::Failed(why) = &reports[0].status else { panic!("{:?}", reports[0].status) };
    assert!(why.contains("output line 2") && why.contains("\"/x\"") && why.contains("must be >= 0"), "{why}");
    assert_eq!((reports[0].messages, reports[0].rejected), (2, 1));
    assert!(matches!(&reports[1].status, Status::Skipped(w) if w.contains("`emit`")), "{:?}", reports[1].status);
}

#[test]
fn a_condition_hands_over_only_admitted_messages_and_skips_when_none_pass() {
    let mut keep = needs(emitting("keep", r#"cat "$CTC_INPUT_M" > "$CTC_OUTPUT""#), &[0]);
    keep.inputs = vec![Input { name: "m".into(), from: 0, conversion: None }];
    keep.when = Some(Condition {
        source: "m.x > 1".into(),
        input: 0,
        code: vec![Op::Field(vec!["x".into()]), Op::Number(1.0), Op::Gt],
    });
    let mut none = keep.clone();
    none.name = "none".into();
    none.when = Some(Condition {
        source: "m.x > 9".into(),
        input: 0,
        code: vec![Op::Field(vec!["x".into()]), Op::Number(9.0), Op::Gt],
    });
    let reports =
        run_plan(&plan(vec![emitting("emit", r#"printf '{"x":1}\n{"x":2}\n{"x":3}\n' > "$CTC_OUTPUT""#), keep, none]));
    assert_eq!(reports[1].status, Status::Succeeded);
    assert_eq!((reports[1].messages, reports[1].admitted), (2, Some((2, 3))));
    assert!(
        matches!(&reports[2].status, Status::Skipped(w) if w.contains("admitted none of 3")),
        "{:?}",
        reports[2].status
    );
}

#[test]
fn a_failing_command_and_a_missing_output_fail_the_step() {
    let reports = run_plan(&plan(vec![sh("bad", "echo boom >&2; exit 3"), emitting("silent", "true")]));
    assert!(
        matches!(&reports[0].status, Status::Failed(w) if w.contains("status 3") && w.contains("boom")),
        "{:?}",
        reports[0].status
    );
    assert!(
        matches!(&reports[1].status, Status::Failed(w) if w.contains("wrote no output")),
        "{:?}",
        reports[1].status
    );
}

#[test]
fn eight_independent_steps_under_j8_overlap_in_the_events() {
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("events.jsonl");
    // Each step says it started, then waits until all eight have: they can only all finish if
    // they ran at once (a runtime that ran them one by one would time each out).
    let started = dir.path().join("started");
    std::fs::create_dir_all(&started).unwrap();
    let script = format!(
        r#"touch {d}/$CTC_STEP; until [ $(ls {d} | wc -l) -ge 8 ]; do sleep 0.01; done"#,
        d = started.display()
    );
    let steps = (0..8).map(|i| Step { timeout_ms: Some(10_000), ..sh(&format!("s{i}"), &script) }).collect();
    let r = run_in(&dir.path().join("run"), &plan(steps), Some(&ev));
    assert!(r.reports.iter().all(|r| r.status == Status::Succeeded), "{:?}", r.reports);
    // The event log is in the order things happened: every start before the first end.
    let kinds: Vec<String> = events(&ev)
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .filter(|k| k == "step_started" || k == "step_finished")
        .collect();
    let first_end = kinds.iter().position(|k| k == "step_finished").unwrap();
    assert_eq!(kinds[..first_end].len(), 8, "every step started before any finished: {kinds:?}");
}

#[test]
fn retries_back_off_exponentially_as_the_events_record() {
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("events.jsonl");
    let counter = dir.path().join("count");
    let script = format!(
        r#"n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; [ $n -ge 4 ]"#,
        c = counter.display()
    );
    let mut s = sh("flaky", &script);
    s.retry = retry(5, 20_000, 3.0, 100_000);
    // The waits are skipped: the events record what they were.
    let clock = SkippingClock::new();
    let r = run_with(&dir.path().join("run"), &plan(vec![s]), Some(&ev), |o| o.clock = &clock);
    assert_eq!(r.reports[0].status, Status::Succeeded);
    assert_eq!(r.reports[0].attempts, 4);
    let delays: Vec<u64> = events(&ev)
        .iter()
        .filter(|e| e["event"] == "retry_scheduled")
        .map(|e| e["delay_ms"].as_u64().unwrap())
        .collect();
    assert_eq!(delays, vec![20_000, 60_000, 100_000], "initial 20 s, ×3, capped at 100 s");
    let idem: Vec<String> = events(&ev)
        .iter()
        .filter(|e| e["event"] == "attempt_started")
        .map(|e| e["idempotency_key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(idem.len(), 4);
    assert!(idem.iter().enumerate().all(|(i, k)| k.ends_with(&format!("-{}", i + 1))));
}

#[test]
fn exit_codes_not_listed_are_not_retried() {
    let mut s = sh("no_retry", "exit 2");
    s.retry = RetryPolicy { exit_codes: Some(vec![75]), on_timeout: false, ..retry(5, 1, 1.0, 1) };
    let reports = run_plan(&plan(vec![s]));
    assert_eq!(reports[0].attempts, 1);
    assert!(matches!(reports[0].status, Status::Failed(_)));
}

#[test]
fn a_timeout_fails_the_attempt_and_is_retried_when_the_policy_says_so() {
    let mut s = sh("slow", "sleep 5");
    s.timeout_ms = Some(150);
    s.retry = retry(2, 1, 1.0, 1);
    let reports = run_plan(&plan(vec![s]));
    assert_eq!(reports[0].attempts, 2);
    assert!(matches!(&reports[0].status, Status::Failed(w) if w.contains("timed out")), "{:?}", reports[0].status);
}

#[test]
fn a_deadline_bounds_all_attempts() {
    let mut s = sh("stubborn", "sleep 5");
    s.deadline_ms = Some(300);
    s.retry = retry(10, 10, 1.0, 10);
    let reports = run_plan(&plan(vec![s]));
    // The first attempt is stopped at the deadline, and no attempt follows.
    assert_eq!(reports[0].attempts, 1);
    assert!(matches!(&reports[0].status, Status::Failed(w) if w.contains("deadline")), "{:?}", reports[0].status);

    // Waits count towards the deadline: a 60 s backoff cannot fit in a 30 s deadline.
    let mut s = sh("patient", "exit 1");
    s.deadline_ms = Some(30_000);
    s.retry = retry(10, 60_000, 1.0, 60_000);
    let dir = tempfile::tempdir().unwrap();
    let clock = SkippingClock::new();
    let r = run_with(dir.path(), &plan(vec![s]), None, |o| o.clock = &clock);
    assert_eq!(r.reports[0].attempts, 1);
    let Status::Failed(why) = &r.reports[0].status else { panic!("{:?}", r.reports[0].status) };
    assert!(why.contains("no time left before the deadline for attempt 2"), "{why}");
}

#[test]
fn a_fallback_runs_when_its_step_fails_for_good_and_consumers_read_its_output() {
    let mut primary = emitting("primary", "exit 1");
    primary.fallback = Some(1);
    let mut backup = emitting("backup", r#"printf '{"x":7}\n' > "$CTC_OUTPUT""#);
    backup.fallback_for = Some(0);
    let mut consumer = needs(emitting("consumer", r#"cat "$CTC_INPUT_IN" > "$CTC_OUTPUT""#), &[0]);
    consumer.inputs = vec![Input { name: "in".into(), from: 0, conversion: None }];
    let reports = run_plan(&plan(vec![primary, backup, consumer]));
    assert_eq!(reports[0].status, Status::Recovered { by: "backup".into() });
    assert_eq!(reports[1].status, Status::Succeeded);
    assert_eq!((reports[2].status.clone(), reports[2].messages), (Status::Succeeded, 1));

    let mut ok = emitting("primary", r#"printf '{"x":1}\n' > "$CTC_OUTPUT""#);
    ok.fallback = Some(1);
    let mut idle = emitting("backup", "exit 9");
    idle.fallback_for = Some(0);
    let reports = run_plan(&plan(vec![ok, idle]));
    assert_eq!(reports[0].status, Status::Succeeded);
    assert_eq!(reports[1].status, Status::NotNeeded);
}

#[test]
fn each_trigger_rule() {
    let with = |name: &str, rule: TriggerRule| Step { trigger: rule, ..needs(sh(name, "true"), &[0, 1]) };
    // need 0 fails, need 1 succeeds.
    let reports = run_plan(&plan(vec![
        sh("fails", "exit 1"),
        sh("works", "true"),
        with("all_success", TriggerRule::AllSuccess),
        with("all_done", TriggerRule::AllDone),
        with("one_failed", TriggerRule::OneFailed),
        with("always", TriggerRule::Always),
    ]));
    let status: Vec<&str> = reports.iter().map(|r| r.status.label()).collect();
    assert_eq!(status, vec!["FAILED", "succeeded", "skipped", "succeeded", "succeeded", "succeeded"]);
    // need 0 is skipped (its own need failed), need 1 succeeds.
    let reports = run_plan(&plan(vec![
        sh("fails", "exit 1"),
        needs(sh("skipped", "true"), &[0]),
        sh("works", "true"),
        Step { trigger: TriggerRule::AllDone, ..needs(sh("all_done", "true"), &[1, 2]) },
        Step { trigger: TriggerRule::OneFailed, ..needs(sh("one_failed", "true"), &[1, 2]) },
        Step { trigger: TriggerRule::Always, ..needs(sh("always", "true"), &[1, 2]) },
    ]));
    let status: Vec<&str> = reports.iter().map(|r| r.status.label()).collect();
    assert_eq!(status, vec!["FAILED", "skipped", "succeeded", "skipped", "skipped", "succeeded"]);
}

#[test]
fn a_circuit_breaker_opens_fails_fast_then_lets_one_probe_through() {
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("events.jsonl");
    let ran = dir.path().join("ran");
    let mut p = plan(vec![]);
    // A minute of cooldown on a clock whose waits are skipped: the calls before the wait fall
    // inside it however slow the machine, the one after the wait outside it.
    p.resources = vec![Resource { name: "api".into(), failure_threshold: 2, cooldown_ms: 60_000 }];
    let mut steps = Vec::new();
    for i in 0..4 {
        let mut s = sh(&format!("call{i}"), &format!("echo call{i} >> {}; exit 1", ran.display()));
        s.resources = vec![0];
        if i > 0 {
            s.needs = vec![i - 1];
            s.trigger = TriggerRule::AllDone;
        }
        steps.push(s);
    }
    // The last call waits out the cooldown with a retry and is the probe.
    steps[3].retry = RetryPolicy { on_timeout: false, ..retry(2, 61_000, 1.0, 61_000) };
    p.steps = steps;
    let clock = SkippingClock::new();
    let r = run_with(&dir.path().join("run"), &p, Some(&ev), |o| o.clock = &clock);
    let calls = std::fs::read_to_string(&ran).unwrap();
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        vec!["call0", "call1", "call3"],
        "call2 failed fast; call3's first attempt too"
    );
    assert!(
        matches!(&r.reports[2].status, Status::Failed(w) if w.contains("circuit `api` is open")),
        "{:?}",
        r.reports[2].status
    );
    let kinds: Vec<String> = events(&ev)
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .filter(|k| k.starts_with("circuit"))
        .collect();
    assert_eq!(kinds, vec!["circuit_opened", "circuit_half_open", "circuit_opened"]);
}

#[test]
fn an_unchanged_plan_does_nothing_and_a_changed_input_reruns_only_what_depends_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("source");
    std::fs::write(&src, "{\"x\":1}\n").unwrap();
    let ran = dir.path().join("ran");
    let mut a =
        emitting("a", &format!("echo a >> {r}; cat {s} > \"$CTC_OUTPUT\"", r = ran.display(), s = src.display()));
    a.env = vec![("SOURCE_VERSION".into(), "1".into())];
    let mut b =
        needs(emitting("b", &format!("echo b >> {}; cat \"$CTC_INPUT_IN\" > \"$CTC_OUTPUT\"", ran.display())), &[0]);
    b.inputs = vec![Input { name: "in".into(), from: 0, conversion: None }];
    let c = sh("c", &format!("echo c >> {}", ran.display()));
    let p = plan(vec![a, b, c]);
    let run_dir = dir.path().join("run");
    assert!(!run_in(&run_dir, &p, None).nothing_to_do());
    let again = run_in(&run_dir, &p, None);
    assert!(again.nothing_to_do(), "{:?}", again.reports);
    let mut lines: Vec<String> = std::fs::read_to_string(&ran).unwrap().lines().map(str::to_string).collect();
    lines.sort();
    assert_eq!(lines, vec!["a", "b", "c"], "no step ran twice");

    // A new definition of `a` with the same output: `a` runs, `b` stays up to date.
    let mut p2 = p.clone();
    p2.steps[0].env = vec![("SOURCE_VERSION".into(), "2".into())];
    let r = run_in(&run_dir, &p2, None);
    let status: Vec<&str> = r.reports.iter().map(|r| r.status.label()).collect();
    assert_eq!(status, vec!["succeeded", "up to date", "up to date"]);
    assert!(r.reports[0].reason.contains("definition changed"), "{}", r.reports[0].reason);

    // A different output of `a` re-runs `b`, and says why.
    std::fs::write(&src, "{\"x\":2}\n").unwrap();
    let mut p3 = p2.clone();
    p3.steps[0].env = vec![("SOURCE_VERSION".into(), "3".into())];
    let r = run_in(&run_dir, &p3, None);
    assert_eq!(r.reports[1].status, Status::Succeeded);
    assert!(r.reports[1].reason.contains("input `in` changed"), "{}", r.reports[1].reason);

    // A hand-edited committed output is noticed.
    std::fs::write(run_dir.join("b/output.jsonl"), "{\"x\":99}\n").unwrap();
    let r = run_in(&run_dir, &p3, None);
    assert_eq!(r.reports[1].status, Status::Succeeded);
    assert!(r.reports[1].reason.contains("missing or was modified"), "{}", r.reports[1].reason);
}

#[test]
fn a_step_runs_in_its_working_directory_and_still_finds_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("data.jsonl"), "{\"x\":4}\n").unwrap();
    let mut s = emitting("here", r#"cat data.jsonl > "$CTC_OUTPUT""#);
    s.working_dir = Some(work.display().to_string());
    let reports = run_plan(&plan(vec![s]));
    assert_eq!((reports[0].status.clone(), reports[0].messages), (Status::Succeeded, 1));
}

#[test]
fn a_condition_on_a_single_message_reads_it_whatever_its_layout() {
    let single =
        |name: &str, script: &str| Step { output: Some(Output { validator: 0, stream: false }), ..sh(name, script) };
    let when = |source: &str, bound: f64| Condition {
        source: source.into(),
        input: 0,
        code: vec![Op::Field(vec!["x".into()]), Op::Number(bound), Op::Gt],
    };
    let mut pass = needs(single("pass", r#"cat "$CTC_INPUT_M" > "$CTC_OUTPUT""#), &[0]);
    pass.inputs = vec![Input { name: "m".into(), from: 0, conversion: None }];
    pass.when = Some(when("m.x > 1", 1.0));
    let mut stop = pass.clone();
    stop.name = "stop".into();
    stop.when = Some(when("m.x > 5", 5.0));
    // One message written over several lines, as a pretty-printer writes it.
    let reports = run_plan(&plan(vec![single("emit", "printf '{\\n  \"x\": 3\\n}\\n' > \"$CTC_OUTPUT\""), pass, stop]));
    assert_eq!((reports[0].status.clone(), reports[0].messages), (Status::Succeeded, 1));
    assert_eq!(
        (reports[1].status.clone(), reports[1].messages, reports[1].admitted),
        (Status::Succeeded, 1, Some((1, 1)))
    );
    assert!(
        matches!(&reports[2].status, Status::Skipped(w) if w.contains("admitted none of 1")),
        "{:?}",
        reports[2].status
    );
}

#[test]
fn a_message_longer_than_the_limit_is_refused_naming_its_line_and_the_rest_still_counts() {
    let dir = tempfile::tempdir().unwrap();
    let p =
        plan(vec![emitting("emit", r#"printf '{"x":1}\n{"x":1.5,"pad":"0123456789"}\n{"x":2}\n' > "$CTC_OUTPUT""#)]);
    let r = run_with(dir.path(), &p, None, |o| o.max_message = 16);
    let Status::Failed(why) = &r.reports[0].status else { panic!("{:?}", r.reports[0].status) };
    assert!(why.contains("output line 2: a message longer than the limit of 16 bytes"), "{why}");
    assert_eq!((r.reports[0].messages, r.reports[0].rejected), (2, 1));
}

fn verified(p: &Plan) -> VerifiedPlan {
    VerifiedPlan::new(p.clone()).unwrap_or_else(|e| panic!("a test plan must verify: {e}"))
}

/// Each step's row of a status: last outcome, attempts, and what a resume would do.
fn rows(s: &runtime::run::status::RunStatus) -> Vec<(String, &'static str, u32, String)> {
    s.steps
        .iter()
        .map(|r| (r.step.clone(), r.last.label(), r.attempts, r.resume.as_ref().map_or("-".into(), |r| r.describe())))
        .collect()
}

#[test]
fn status_reads_the_journal_back_without_writing_and_says_what_a_resume_would_run() {
    use runtime::run::status::{Last, Resume, status};
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    let flag = dir.path().join("fixed");
    let mut source = emitting("source", r#"printf '{"x":1}\n' > "$CTC_OUTPUT""#);
    source.env = vec![("V".into(), "1".into())];
    let mut copy = needs(emitting("copy", r#"cat "$CTC_INPUT_IN" > "$CTC_OUTPUT""#), &[0]);
    copy.inputs = vec![Input { name: "in".into(), from: 0, conversion: None }];
    // Fails twice, until `fixed` exists; what needs it is skipped by its trigger rule.
    let mut flaky = sh("flaky", &format!("test -e {}", flag.display()));
    flaky.retry = retry(2, 1, 1.0, 1);
    let after = needs(sh("after", "true"), &[2]);
    let p = plan(vec![source, copy, flaky, after]);
    let clock = SkippingClock::new();
    let first = run_with(&run_dir, &p, None, |o| o.clock = &clock);
    assert_eq!(
        first.reports.iter().map(|r| r.status.label()).collect::<Vec<_>>(),
        ["succeeded", "succeeded", "FAILED", "skipped"]
    );

    let journal = run_dir.join("journal");
    let bytes = std::fs::read(&journal).unwrap();
    let s = status(&run_dir, Some(&verified(&p))).unwrap();
    assert_eq!(std::fs::read(&journal).unwrap(), bytes, "status writes nothing");
    assert_eq!((s.workflow.as_deref(), s.records, s.torn_bytes), (Some("t@1.0"), 3, 0));
    let run = |reason: &str| format!("run: {reason}");
    assert_eq!(
        rows(&s),
        [
            ("source".into(), "succeeded", 1, "up to date".into()),
            ("copy".into(), "succeeded", 1, "up to date".into()),
            ("flaky".into(), "failed", 2, run("no committed result for this step")),
            ("after".into(), "none", 0, "waits for flaky".into()),
        ]
    );
    assert_eq!(s.steps[0].messages, Some(1));
    assert_eq!(s.steps[2].detail, "exited with status 1 (after 2 attempts)");
    assert_eq!(s.resume_runs.as_deref(), Some(&["flaky".to_string()][..]));

    // The resume does what status said: it runs `flaky` alone, then `after`.
    std::fs::write(&flag, "").unwrap();
    let second = run_with(&run_dir, &p, None, |o| o.clock = &clock);
    assert_eq!(
        second.reports.iter().map(|r| r.status.label()).collect::<Vec<_>>(),
        ["up to date", "up to date", "succeeded", "succeeded"]
    );
    let s = status(&run_dir, Some(&verified(&p))).unwrap();
    assert!(s.steps.iter().all(|r| r.resume == Some(Resume::UpToDate)), "{:?}", rows(&s));
    assert_eq!(s.resume_runs, Some(vec![]));

    // A new definition of `source`: it runs, and `copy` waits to see what it writes.
    let mut changed = p.clone();
    changed.steps[0].env = vec![("V".into(), "2".into())];
    let s = status(&run_dir, Some(&verified(&changed))).unwrap();
    assert_eq!(
        rows(&s)[..2],
        [
            ("source".into(), "succeeded", 1, run("its definition changed")),
            ("copy".into(), "succeeded", 1, "waits for source".into()),
        ]
    );
    // A hand-edited output is noticed, as the resume would.
    std::fs::write(run_dir.join("copy/output.jsonl"), "{\"x\":5}\n").unwrap();
    let s = status(&run_dir, Some(&verified(&p))).unwrap();
    assert_eq!(
        s.steps[1].resume,
        Some(Resume::Run { reason: "its committed output is missing or was modified".into() })
    );

    // Without a plan: the journal alone, in the order it names the steps (the order they
    // finished in, which parallel steps make vary).
    let s = status(&run_dir, None).unwrap();
    let mut journaled: Vec<(&str, Last)> = s.steps.iter().map(|r| (r.step.as_str(), r.last)).collect();
    journaled.sort_by_key(|(step, _)| *step);
    assert_eq!(
        journaled,
        [
            ("after", Last::Succeeded),
            ("copy", Last::Succeeded),
            ("flaky", Last::Succeeded),
            ("source", Last::Succeeded),
        ]
    );
    assert_eq!((s.workflow, s.resume_runs), (None, None));
    // No journal yet: every step runs.
    let s = status(&dir.path().join("never"), Some(&verified(&p))).unwrap();
    assert_eq!(s.resume_runs.unwrap(), ["source", "flaky"]);
}

#[test]
fn status_follows_fallbacks_and_trigger_rules_as_the_scheduler_does() {
    use runtime::run::status::status;
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    let mut primary = emitting("primary", "exit 1");
    primary.fallback = Some(1);
    let mut backup = emitting("backup", r#"printf '{"x":7}\n' > "$CTC_OUTPUT""#);
    backup.fallback_for = Some(0);
    let mut consumer = needs(emitting("consumer", r#"cat "$CTC_INPUT_IN" > "$CTC_OUTPUT""#), &[0]);
    consumer.inputs = vec![Input { name: "in".into(), from: 0, conversion: None }];
    let cleanup = Step { trigger: TriggerRule::OneFailed, ..needs(sh("cleanup", "true"), &[2]) };
    let p = plan(vec![primary, backup, consumer, cleanup]);
    let r = run_in(&run_dir, &p, None);
    assert_eq!(r.reports[0].status, Status::Recovered { by: "backup".into() });
    let s = status(&run_dir, Some(&verified(&p))).unwrap();
    assert_eq!(
        rows(&s),
        [
            ("primary".into(), "failed", 1, "run: no committed result for this step".into()),
            ("backup".into(), "succeeded", 1, "waits for primary".into()),
            ("consumer".into(), "succeeded", 1, "waits for primary".into()),
            ("cleanup".into(), "none", 0, "waits for consumer".into()),
        ]
    );
    // Once `primary` is fixed and committed, the fallback is not needed and `cleanup` skips.
    let mut fixed = p.clone();
    fixed.steps[0].run = vec!["sh".into(), "-c".into(), r#"printf '{"x":7}\n' > "$CTC_OUTPUT""#.into()];
    run_in(&run_dir, &fixed, None);
    let s = status(&run_dir, Some(&verified(&fixed))).unwrap();
    assert_eq!(
        rows(&s),
        [
            ("primary".into(), "succeeded", 1, "up to date".into()),
            ("backup".into(), "succeeded", 1, "not needed: `primary` did not fail".into()),
            ("consumer".into(), "succeeded", 1, "up to date".into()),
            ("cleanup".into(), "none", 0, "skip: no step it needs failed".into()),
        ]
    );
}

/// The HTML run report reads as XML (it is written so), has every step in its DAG with its
/// status, and its timeline's attempt bars start and end when the `--events` file says.
#[test]
fn the_html_reports_timeline_agrees_with_the_events_file() {
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("events.jsonl");
    let counter = dir.path().join("count");
    let script = format!(
        r#"n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; [ $n -ge 3 ]"#,
        c = counter.display()
    );
    let mut flaky = sh("flaky", &script);
    flaky.retry = retry(3, 5_000, 2.0, 10_000);
    let mut primary = emitting("primary", "exit 1");
    primary.fallback = Some(2);
    let mut backup = emitting("backup", r#"printf '{"x":7}\n' > "$CTC_OUTPUT""#);
    backup.fallback_for = Some(1);
    let broken = sh("broken", "exit 3");
    let after = needs(sh("after", "true"), &[3]);
    let p = plan(vec![flaky, primary, backup, broken, after]);
    let clock = SkippingClock::new();
    let r = run_with(&dir.path().join("run"), &p, Some(&ev), |o| o.clock = &clock);
    let html = runtime::run::report_html(&p, &r.reports, &r.events, Duration::from_secs(1));
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(&html, options).expect("the report is well-formed");

    let statuses: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some("step"))
        .map(|n| (n.attribute("data-step").unwrap().to_string(), n.attribute("data-status").unwrap().to_string()))
        .collect();
    let expected: Vec<(String, String)> =
        r.reports.iter().map(|r| (r.name.clone(), r.status.label().to_string())).collect();
    assert_eq!(statuses, expected);
    assert!(matches!(r.reports[4].status, Status::Skipped(_)), "{:?}", r.reports[4].status);

    let bars: Vec<(String, u64, u64, u64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("class") == Some("attempt"))
        .map(|n| {
            let num = |a: &str| n.attribute(a).unwrap().parse::<u64>().unwrap();
            (
                n.attribute("data-step").unwrap().to_string(),
                num("data-attempt"),
                num("data-start-ms"),
                num("data-end-ms"),
            )
        })
        .collect();
    let file = events(&ev);
    let at = |kind: &str, step: &str, attempt: u64| {
        file.iter()
            .find(|e| e["event"] == kind && e["step"] == step && e["attempt"] == attempt)
            .and_then(|e| e["t_ms"].as_u64())
            .unwrap_or_else(|| panic!("no {kind} of {step} attempt {attempt} in the events file"))
    };
    let from_file: Vec<(String, u64, u64, u64)> = bars
        .iter()
        .map(|(s, a, _, _)| (s.clone(), *a, at("attempt_started", s, *a), at("attempt_finished", s, *a)))
        .collect();
    assert_eq!(bars, from_file);
    let attempts = |step: &str| bars.iter().filter(|b| b.0 == step).count();
    assert_eq!((attempts("flaky"), attempts("primary"), attempts("backup"), attempts("after")), (3, 1, 1, 0));
    let waits = doc.descendants().filter(|n| n.attribute("class") == Some("wait")).count();
    assert_eq!(waits, 2, "the two backoff waits of `flaky`");
    let not_run: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("not-run"))
        .filter_map(|n| n.attribute("data-step"))
        .collect();
    assert_eq!(not_run, ["after"]);
}

/// `t/Msg@2.0`: `{"pos": {"x": number >= 0}, "tag": string}`, closed.
fn validator_2_0() -> Validator {
    Validator {
        compiled: Default::default(),
        contract: "t/Msg@2.0".into(),
        integers: Integers::Int64Literal,
        nodes: vec![
            Node::Keywords(vec![
                Keyword::Type(vec![Type::Object]),
                Keyword::Properties(vec![("pos".into(), 1), ("tag".into(), 3)]),
                Keyword::Required(vec!["pos".into(), "tag".into()]),
                Keyword::AdditionalProperties(2),
            ]),
            Node::Keywords(vec![
                Keyword::Type(vec![Type::Object]),
                Keyword::Properties(vec![("x".into(), 4)]),
                Keyword::Required(vec!["x".into()]),
                Keyword::AdditionalProperties(2),
            ]),
            Node::Bool(false),
            Node::Keywords(vec![Keyword::Type(vec![Type::String])]),
            Node::Keywords(vec![Keyword::Type(vec![Type::Number]), Keyword::Minimum(Num::Float(0.0))]),
        ],
    }
}

/// A producer of `t/Msg@1.0` and a consumer of `t/Msg@2.0` through `ops`, which copies what it
/// is handed to `seen` and to its output.
fn carried_plan(ops: Vec<MigrationOp>, emit: &str, seen: &std::path::Path) -> Plan {
    let copy = format!(r#"cat "$CTC_INPUT_M" > '{}'; cat "$CTC_INPUT_M" > "$CTC_OUTPUT""#, seen.display());
    let mut consume = needs(emitting("consume", &copy), &[0]);
    consume.output = Some(Output { validator: 1, stream: true });
    consume.inputs =
        vec![Input { name: "m".into(), from: 0, conversion: Some(Conversion { migrations: vec![0], validator: 1 }) }];
    let mut p = plan(vec![emitting("emit", &format!("printf '{emit}' > \"$CTC_OUTPUT\"")), consume]);
    p.validators.push(validator_2_0());
    p.migrations = vec![Migration { name: "t/Msg@1.0..2.0".into(), ops }];
    p
}

fn path(p: &str) -> Vec<String> {
    p.split('/').skip(1).map(str::to_string).collect()
}

#[test]
fn an_input_of_a_newer_major_gets_each_message_migrated_canonically_and_the_run_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen");
    let ops = vec![
        MigrationOp::Move { from: path("/x"), to: path("/pos/x") },
        MigrationOp::Add { path: path("/tag"), value: runtime::plan::Json::String("v1".into()) },
    ];
    let p = carried_plan(ops, r#"{"x":1.50}\n{ "x" : 2e0 }\n"#, &seen);
    let events_at = dir.path().join("events.jsonl");
    let result = run_in(dir.path(), &p, Some(&events_at));
    let r = &result.reports[1];
    assert_eq!(r.status, Status::Succeeded, "{}", r.reason);
    assert_eq!(
        std::fs::read_to_string(&seen).unwrap(),
        "{\"pos\":{\"x\":1.5},\"tag\":\"v1\"}\n{\"pos\":{\"x\":2},\"tag\":\"v1\"}\n"
    );
    assert_eq!(r.carried, vec![Carried { input: "m".into(), migrations: vec!["t/Msg@1.0..2.0".into()], messages: 2 }]);
    let migrated: Vec<_> = events(&events_at).into_iter().filter(|e| e["event"] == "input_migrated").collect();
    assert_eq!(migrated.len(), 1);
    assert_eq!(migrated[0]["step"], "consume");
    assert_eq!(migrated[0]["messages"], 2);
    assert!(
        runtime::run::summary(&p, &result.reports, Duration::ZERO)
            .contains("migrated m: 2 message(s) by t/Msg@1.0..2.0")
    );
    // Run again: the consumer is up to date, and its report still says what carried its input.
    let again = run_in(dir.path(), &p, None).reports;
    assert_eq!(again[1].status, Status::UpToDate);
    assert_eq!(again[1].carried, r.carried);
}

#[test]
fn a_message_the_migration_leaves_invalid_fails_the_consumer_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    // Without the `add`, the migrated messages lack the required `tag`.
    let ops = vec![MigrationOp::Move { from: path("/x"), to: path("/pos/x") }];
    let reports = run_in(dir.path(), &carried_plan(ops, r#"{"x":1}\n"#, &dir.path().join("seen")), None).reports;
    let Status::Failed(why) = &reports[1].status else { panic!("{:?}", reports[1].status) };
    assert!(
        why.contains("migrating `m`") && why.contains("line 1") && why.contains("after migrating, t/Msg@2.0"),
        "{why}"
    );
    assert!(!dir.path().join("seen").exists(), "the consumer must not run");
}

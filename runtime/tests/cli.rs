//! The `runtime` command: refusing bad plans, Ctrl-C, `inspect`, `status`, events and metrics files.

use std::process::{Command, Stdio};
use std::time::Duration;

use runtime::journal::{Journal, Record};
use runtime::plan::{self, Plan, Step};

fn exe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_runtime"))
}

fn plan_of(steps: Vec<Step>) -> Vec<u8> {
    plan::encode(&Plan { workflow: "cli@1.0".into(), steps, validators: vec![], resources: vec![], migrations: vec![] })
}

#[test]
fn corrupt_truncated_and_unknown_version_plans_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = plan_of(vec![Step::command("a", &["true"])]);
    let mut corrupt = good.clone();
    *corrupt.last_mut().unwrap() ^= 0xff;
    // A version this runtime does not read: the next one.
    let next = plan::FORMAT_VERSION + 1;
    let mut newer = good.clone();
    newer[8..12].copy_from_slice(&next.to_le_bytes());
    let newer_says = format!("format version {next} is not supported");
    for (name, bytes, says) in [
        ("corrupt", corrupt, "checksum mismatch"),
        ("truncated", good[..good.len() - 3].to_vec(), "truncated"),
        ("version", newer, newer_says.as_str()),
        ("garbage", b"not a plan at all, clearly".to_vec(), "bad magic"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = exe().arg(&path).arg("--run-dir").arg(dir.path().join("run")).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(says), "{name}: {stderr}");
    }
}

#[test]
fn ctrl_c_stops_the_run_and_journals_the_step_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.bin");
    // The step says it started, then sleeps: the interrupt comes once it is running.
    let started = dir.path().join("started");
    let script = format!("touch {}; exec sleep 30", started.display());
    std::fs::write(&path, plan_of(vec![Step::command("long", &["sh", "-c", &script])])).unwrap();
    let run_dir = dir.path().join("run");
    let child = exe()
        .arg(&path)
        .args(["--grace", "0.2", "--run-dir"])
        .arg(&run_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded, so a step that never starts fails the test rather than hanging it.
    let running = (0..1000).any(|_| {
        started.exists() || {
            std::thread::sleep(Duration::from_millis(10));
            false
        }
    });
    assert!(running, "the step started");
    // SAFETY: plain syscall on our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    let records = Journal::open(&run_dir.join("journal")).unwrap().records;
    assert!(
        matches!(records.as_slice(), [Record::Interrupted { step, attempt: 1, .. }] if step == "long"),
        "{records:?}"
    );

    // `runtime status` reads it back: the table, and the same as JSON.
    let out = exe().arg("status").arg(&run_dir).arg("--plan").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let row: Vec<&str> = text.lines().nth(1).unwrap_or_default().split_whitespace().collect();
    assert_eq!(row[..4], ["long", "interrupted", "1", "run:"], "{text}");
    assert!(text.ends_with("a resume would start: long\n"), "{text}");
    let out = exe().arg("status").arg(&run_dir).arg("--json").output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["steps"][0]["last"], "interrupted");
    assert_eq!(json["steps"][0]["resume"], serde_json::Value::Null, "no plan, no resume");
    let out = exe().arg("status").arg(dir.path().join("nowhere")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Whether process `pid` is gone: no such process, or a zombie nobody reaped yet.
fn gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state follows the command name in parentheses: `pid (comm) S ...`.
        Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

/// Polls `ok` every 10 ms, at most 1,000 times: bounded, so a failure fails the test rather than
/// hanging it, and no figure of wall-clock time is asserted.
fn eventually(ok: impl Fn() -> bool) -> bool {
    (0..1000).any(|_| {
        ok() || {
            std::thread::sleep(Duration::from_millis(10));
            false
        }
    })
}

#[test]
fn a_runtime_killed_with_sigkill_takes_its_running_steps_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.bin");
    // Two steps at once, each noting its pid and then sleeping far longer than the test.
    let pid_file = |name: &str| dir.path().join(format!("{name}.pid"));
    let step = |name: &str| {
        let script = format!("echo $$ > {}.tmp && mv {0}.tmp {0}; exec sleep 300", pid_file(name).display());
        Step::command(name, &["sh", "-c", &script])
    };
    std::fs::write(&path, plan_of(vec![step("a"), step("b")])).unwrap();
    let mut child = exe()
        .arg(&path)
        .args(["-j", "2", "-q", "--run-dir"])
        .arg(dir.path().join("run"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(eventually(|| pid_file("a").exists() && pid_file("b").exists()), "both steps started");
    let pids: Vec<i32> =
        ["a", "b"].map(|n| std::fs::read_to_string(pid_file(n)).unwrap().trim().parse().unwrap()).to_vec();
    assert!(pids.iter().all(|&p| !gone(p)), "the steps are running");
    child.kill().unwrap();
    child.wait().unwrap();
    // Their parent-death signal (SIGKILL) ends them: nothing of the runtime is left to do it.
    for p in pids {
        assert!(eventually(|| gone(p)), "step process {p} outlived the runtime killed with SIGKILL");
    }
}

#[test]
fn inspect_names_the_migrations_an_input_is_carried_by() {
    let plan = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/plans/eurusd_pipeline@1.0.plan.bin");
    let out = exe().arg("inspect").arg(&plan).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(
            "input `intent` from `risk`, migrated to events/OrderIntent@2.0 by events/OrderIntent@1.2..2.0\n"
        ),
        "{text}"
    );
    assert!(text.contains("input `tick` from `load_ticks`\n"), "{text}");
}

#[test]
fn inspect_events_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.bin");
    let mut b = Step::command("b", &["false"]);
    b.needs = vec![0];
    std::fs::write(&path, plan_of(vec![Step::command("a", &["true"]), b])).unwrap();
    let out = exe().arg("inspect").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("step 1 `b`") && text.contains("needs: a"), "{text}");

    let (events, metrics) = (dir.path().join("events.jsonl"), dir.path().join("metrics.prom"));
    let out = exe()
        .arg(&path)
        .arg("--run-dir")
        .arg(dir.path().join("run"))
        .arg("--events")
        .arg(&events)
        .arg("--metrics")
        .arg(&metrics)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a step failed");
    let kinds: Vec<String> = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds.first().map(String::as_str), Some("run_started"));
    assert_eq!(kinds.last().map(String::as_str), Some("run_finished"));
    assert_eq!(kinds.iter().filter(|k| *k == "step_finished").count(), 2);
    let m = std::fs::read_to_string(&metrics).unwrap();
    assert!(m.contains("ctc_steps{workflow=\"cli@1.0\",status=\"FAILED\"} 1"), "{m}");
    assert!(m.contains("# TYPE ctc_retries_total counter"), "{m}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run/report.json")).unwrap()).unwrap();
    assert_eq!(report["steps"][1]["status"], "FAILED");
}

/// `runtime step`: one step of a plan as a pod runs it. Its input is read from a file and
/// validated against its producer's contract, its condition admits messages one by one, its
/// output is validated and copied out; a broken input fails it (exit 1) naming the input, an
/// unknown step is refused (exit 2), and a condition that admits nothing skips it (exit 0, an
/// empty output).
#[test]
fn step_runs_one_step_on_input_files_as_a_pod_would() {
    use runtime::plan::{Condition, Input, Integers, Keyword, Node, Num, Op, Output, Type, Validator};
    let validator = Validator {
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
    };
    let output = Some(Output { validator: 0, stream: true });
    let src =
        Step { output: output.clone(), ..Step::command("src", &["sh", "-c", r#"printf '{"x":1}\n' > "$CTC_OUTPUT""#]) };
    let mut keep = Step { output, ..Step::command("keep", &["sh", "-c", r#"cat "$CTC_INPUT_IN" > "$CTC_OUTPUT""#]) };
    keep.inputs = vec![Input { name: "in".into(), from: 0, conversion: None }];
    keep.needs = vec![0];
    keep.when = Some(Condition {
        source: "in.x > 2".into(),
        input: 0,
        code: vec![Op::Field(vec!["x".into()]), Op::Number(2.0), Op::Gt],
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.bin");
    let p = Plan {
        workflow: "pod@1.0".into(),
        steps: vec![src, keep],
        validators: vec![validator],
        resources: vec![],
        migrations: vec![],
    };
    std::fs::write(&path, plan::encode(&p)).unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    let step = |name: &str, input: &str| {
        std::fs::write(inputs.join("in"), input).unwrap();
        let out_file = dir.path().join(format!("out-{name}"));
        let out = exe()
            .args(["step"])
            .arg(&path)
            .arg(name)
            .arg("--inputs")
            .arg(&inputs)
            .arg("--output")
            .arg(&out_file)
            .arg("--run-dir")
            .arg(dir.path().join("run"))
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned(), std::fs::read_to_string(out_file).ok())
    };
    let (code, stderr, out) = step("src", "");
    assert_eq!((code, out.as_deref()), (Some(0), Some("{\"x\":1}\n")), "{stderr}");
    let (code, stderr, out) = step("keep", "{\"x\":1}\n{\"x\":5}\n{\"x\":7}\n");
    assert_eq!((code, out.as_deref()), (Some(0), Some("{\"x\":5}\n{\"x\":7}\n")), "{stderr}");
    let (code, stderr, out) = step("keep", "{\"x\":1}\n");
    assert_eq!((code, out.as_deref()), (Some(0), Some("")), "{stderr}");
    assert!(stderr.contains("skipped"), "{stderr}");
    let (code, stderr, _) = step("keep", "{\"x\":-3}\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("input `in`") && stderr.contains("line 1"), "{stderr}");
    let (code, stderr, _) = step("nope", "");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no step `nope`"), "{stderr}");
}

//! The `runtime` command: refusing bad plans, Ctrl-C, `inspect`, `status`, events and metrics files.

use std::process::{Command, Stdio};
use std::time::Duration;

use runtime::journal::{Journal, Record};
use runtime::plan::{self, Plan, Step};

fn exe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_runtime"))
}

fn plan_of(steps: Vec<Step>) -> Vec<u8> {
    plan::encode(&Plan { workflow: "cli@1.0".into(), steps, validators: vec![], resources: vec![] })
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

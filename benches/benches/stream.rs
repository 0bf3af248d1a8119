//! A stream of 2,000,000 OrderIntent@1.2 messages (about 1 GB of JSON Lines) through one step
//! boundary of the release runtime: the step writes them, the runtime validates each against the
//! committed plan's validator, hashes and commits the file. Prints the wall time, the messages
//! per second and the runtime's peak RSS (`getrusage`, the largest process it ran or was), which
//! stays flat whatever the stream's length (issue 17: at most 64 MiB). Not a test: figures. Run
//! with `make bench` (it builds the release runtime); `STREAM_MESSAGES=N` changes the count.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use runtime::plan::{self, Output, Plan, Step};

const MESSAGE: &str = r#"{"intent_id":"oi-sma_cross_10_30-4711","time":"2017-09-18T14:00:00Z","instrument":{"symbol":"EURUSD","digits":5,"point":0.00001,"contract_size":100000.0},"side":"BUY","order_type":"MARKET","volume_lots":0.75,"time_in_force":"IOC","stop_loss":1.1931,"take_profit":1.2031,"magic_number":20240601,"comment":"sma_cross_10_30"}"#;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn release_runtime() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let exe = target.join("release/runtime");
    assert!(exe.exists(), "{} is missing: run `cargo build --release -p runtime` (make bench does)", exe.display());
    exe
}

/// Peak resident set size of the waited-for children, in MiB (Linux reports KiB).
fn children_peak_rss_mib() -> f64 {
    // SAFETY: getrusage writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let messages: u64 = std::env::var("STREAM_MESSAGES").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000_000);
    let committed = plan::decode(
        &std::fs::read(root().join("generated/plans/eurusd_pipeline@1.0.plan.bin"))
            .expect("generated/plans/eurusd_pipeline@1.0.plan.bin"),
    )
    .expect("the committed plan decodes")
    .into_plan();
    let validator = committed
        .validators
        .into_iter()
        .find(|v| v.contract == "events/OrderIntent@1.2")
        .expect("the plan validates OrderIntent@1.2");
    let script = format!("yes '{MESSAGE}' | head -n {messages} > \"$CTC_OUTPUT\"");
    let step = Step {
        output: Some(Output { validator: 0, stream: true }),
        ..Step::command("intents", &["sh", "-c", &script])
    };
    let p = Plan {
        workflow: "stream@1.0".into(),
        steps: vec![step],
        validators: vec![validator],
        resources: vec![],
        migrations: vec![],
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.bin"), plan::encode(&p)).unwrap();
    let t = Instant::now();
    let out = Command::new(release_runtime())
        .current_dir(dir.path())
        .args(["plan.bin", "-q", "--run-dir", "run"])
        .output()
        .unwrap();
    let wall = t.elapsed();
    assert!(out.status.success(), "the runtime failed: {}", String::from_utf8_lossy(&out.stdout));
    let bytes = std::fs::metadata(dir.path().join("run/intents/output.jsonl")).unwrap().len();
    let peak = children_peak_rss_mib();
    println!(
        "stream: {messages} OrderIntents ({:.2} GB) through one step boundary in {:.2} s ({:.0} messages/s, {:.2} µs each incl. writing); runtime peak RSS {peak:.1} MiB (limit 64 MiB)",
        bytes as f64 / 1e9,
        wall.as_secs_f64(),
        messages as f64 / wall.as_secs_f64(),
        wall.as_secs_f64() * 1e6 / messages as f64,
    );
}

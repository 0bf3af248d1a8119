//! End to end: the committed plans run the EURUSD pipeline and the end-of-day report on a slice
//! of the real data (the EURUSD.csv of the PyPI package `backtesting`, from the project venv that
//! `make setup` makes).

use std::process::Command;

use contractc_tests::root;
use trading_contracts::events::{execution_report_1_0::ExecutionReport, price_tick_1_0::PriceTick};
use trading_contracts::from_json;

const ROWS: usize = 600;

fn venv_python() -> std::path::PathBuf {
    let py = root().join(".venv/bin/python");
    assert!(py.exists(), "{} is missing: run `make setup` (or `make test`, which runs it)", py.display());
    py
}

/// The runtime binary `cargo run -p runtime` runs: beside this test's own folder of the target
/// directory.
fn built_runtime() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(|deps| deps.parent()).unwrap();
    debug.join("runtime")
}

/// The first `ROWS` rows of the real EURUSD.csv (and its header), as lines.
fn real_rows() -> Vec<String> {
    let located = Command::new(venv_python())
        .args(["-c", "import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec('backtesting').submodule_search_locations[0]) / 'test' / 'EURUSD.csv')"])
        .output()
        .unwrap();
    assert!(located.status.success(), "{}", String::from_utf8_lossy(&located.stderr));
    let csv = std::fs::read_to_string(String::from_utf8(located.stdout).unwrap().trim()).unwrap();
    assert!(csv.lines().count() > ROWS, "EURUSD.csv has fewer rows than the slice");
    csv.lines().take(ROWS + 1).map(str::to_string).collect()
}

#[test]
fn pipeline_runs_on_a_slice_of_the_real_eurusd_bars() {
    let broker = root().join(".bin/eurusd-broker");
    assert!(broker.exists(), "{} is missing: run `make build` (or `make test`, which runs it)", broker.display());
    let dir = tempfile::tempdir().unwrap();
    let slice = real_rows();
    let slice_path = dir.path().join("EURUSD-slice.csv");
    std::fs::write(&slice_path, slice.join("\n") + "\n").unwrap();
    let run_dir = dir.path().join("run");

    let out = Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "run",
            "--quiet",
            "-p",
            "runtime",
            "--",
            "generated/plans/eurusd_pipeline@1.0.plan.bin",
            "-j",
            "2",
            "--run-dir",
        ])
        .arg(&run_dir)
        .env("EURUSD_CSV", &slice_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "runtime failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("6 steps (6 succeeded)"), "{stdout}");
    assert!(run_dir.join("report.json").exists());
    assert!(stdout.contains(" 0 rejected"), "{stdout}");

    let ticks = std::fs::read_to_string(run_dir.join("load_ticks/output.jsonl")).unwrap();
    let ticks: Vec<PriceTick> = ticks.lines().map(|l| from_json(l).unwrap_or_else(|e| panic!("{l}: {e}"))).collect();
    assert_eq!(ticks.len(), ROWS, "one tick per CSV row used");
    assert_eq!(ticks[0].time, "2017-04-19T09:00:00Z");
    assert!(ticks.iter().enumerate().all(|(i, t)| t.sequence == i as i64 && t.ask > t.bid));

    let reports = std::fs::read_to_string(run_dir.join("broker/output.jsonl")).unwrap();
    let reports: Vec<ExecutionReport> =
        reports.lines().map(|l| from_json(l).unwrap_or_else(|e| panic!("{l}: {e}"))).collect();
    assert!(!reports.is_empty(), "the crossover trades at least once in {ROWS} hours");
    let intents = std::fs::read_to_string(run_dir.join("risk/output.jsonl")).unwrap().lines().count();
    assert_eq!(reports.len(), intents, "one report per intent");

    // Unchanged: the journal says every step is up to date, and no step runs.
    let again = Command::new(env!("CARGO"))
        .current_dir(root())
        .args(["run", "--quiet", "-p", "runtime", "--", "generated/plans/eurusd_pipeline@1.0.plan.bin", "--run-dir"])
        .arg(&run_dir)
        .env("EURUSD_CSV", &slice_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{stdout}");
    assert!(stdout.contains("nothing to do"), "{stdout}");
    assert!(stdout.contains("6 steps (6 up to date)"), "{stdout}");
    assert!(!run_dir.join("load_ticks/attempt-2.stdout").exists());

    // Started another way (the binary itself, without what cargo and the rustup proxy set, such
    // as RUSTUP_TOOLCHAIN): still nothing to do.
    let direct = Command::new(built_runtime())
        .current_dir(root())
        .args(["generated/plans/eurusd_pipeline@1.0.plan.bin", "--run-dir"])
        .arg(&run_dir)
        .env("EURUSD_CSV", &slice_path)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&direct.stdout);
    assert!(direct.status.success(), "{stdout}");
    assert!(stdout.contains("6 steps (6 up to date)"), "started directly, the runtime re-ran a step:\n{stdout}");

    // The allowlisted EURUSD_CSV is part of the key: other data runs again.
    let fewer = dir.path().join("EURUSD-fewer.csv");
    std::fs::write(&fewer, slice[..ROWS / 2 + 1].join("\n") + "\n").unwrap();
    let changed = Command::new(env!("CARGO"))
        .current_dir(root())
        .args(["run", "--quiet", "-p", "runtime", "--", "generated/plans/eurusd_pipeline@1.0.plan.bin", "--run-dir"])
        .arg(&run_dir)
        .env("EURUSD_CSV", &fewer)
        .output()
        .unwrap();
    assert!(changed.status.success());
    let ticks = std::fs::read_to_string(run_dir.join("load_ticks/output.jsonl")).unwrap();
    assert_eq!(ticks.lines().count(), ROWS / 2);
}

/// The project's second workflow reads the same ticks: one line per trading day of the slice.
#[test]
fn the_end_of_day_report_runs_on_the_same_ticks() {
    let dir = tempfile::tempdir().unwrap();
    let slice = real_rows();
    let slice_path = dir.path().join("EURUSD-slice.csv");
    std::fs::write(&slice_path, slice.join("\n") + "\n").unwrap();
    let out = Command::new(built_runtime())
        .current_dir(root())
        .args(["generated/plans/eurusd_end_of_day@1.0.plan.bin", "--run-dir"])
        .arg(dir.path().join("run"))
        .env("EURUSD_CSV", &slice_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "runtime failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("eurusd_end_of_day@1.0: 3 steps (3 succeeded)"), "{stdout}");
    let days: std::collections::BTreeSet<&str> = slice[1..].iter().map(|row| &row[..10]).collect();
    assert!(stdout.contains(&format!("trading days: {}\n", days.len())), "{stdout}");
    let last = days.last().unwrap();
    assert!(stdout.lines().any(|l| l.starts_with(last)), "the last day, {last}, has a line:\n{stdout}");
}

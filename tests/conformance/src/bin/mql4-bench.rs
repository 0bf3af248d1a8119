//! `make bench-codegen`, MQL4: stages the generated MQL4 as the conformance runner does (linted
//! against MQL4.md's subset, rewritten for g++), builds `benches/codegen/bench_mql4.cpp` with
//! `g++ -O2` (no sanitizers) and runs it on `benches/codegen/messages/`; its table goes to stdout.
//! Exit status 1 when staging, the build or the run fails.

use std::process::{Command, ExitCode};

use contractc_conformance::mql4::{gxx, read_includes, stage};
use contractc_tests::root;

fn run() -> Result<(), String> {
    let root = root();
    let files = read_includes(&root, &["generated", "tests/conformance/generated"])?;
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    stage(&files, work.path())?;
    let exe = work.path().join("bench-mql4");
    let out = gxx(&root, work.path())
        .arg("-O2")
        .arg(root.join("benches/codegen/bench_mql4.cpp"))
        .arg("-o")
        .arg(&exe)
        .output()
        .map_err(|e| format!("cannot run g++: {e}"))?;
    if !out.status.success() {
        return Err(format!("g++ failed:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    let status = Command::new(&exe)
        .arg(root.join("benches/codegen/messages"))
        .status()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if !status.success() {
        return Err(format!("{} exited with {status}", exe.display()));
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mql4-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

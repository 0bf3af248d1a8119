//! The runtime against ninja on the same 1,000 trivial commands (`touch out/<step>`), in ten
//! layers of 100 where each step waits for one step of the layer before. Prints the median wall
//! time of each, their ratio, and the no-op re-run times; then one more run of each with its
//! per-phase figures (`runtime --stats`, `ninja -d stats`) for where the time goes. Not a test: figures, reported in the
//! README. Run with `make bench` (it builds the release runtime and installs ninja-build).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use runtime::plan::{self, Plan, Step};

const STEPS: usize = 1000;
const WIDTH: usize = 100;
const ROUNDS: usize = 5;

fn release_runtime() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let exe = target.join("release/runtime");
    assert!(exe.exists(), "{} is missing: run `cargo build --release -p runtime` (make bench does)", exe.display());
    exe
}

fn write_inputs(dir: &Path) {
    let steps = (0..STEPS)
        .map(|i| {
            let mut s = Step::command(&format!("s{i}"), &["touch", &format!("out/s{i}")]);
            if i >= WIDTH {
                s.needs = vec![(i - WIDTH) as u32];
            }
            s
        })
        .collect();
    let p = Plan { workflow: "bench@1.0".into(), steps, validators: vec![], resources: vec![], migrations: vec![] };
    std::fs::write(dir.join("plan.bin"), plan::encode(&p)).unwrap();
    let mut ninja = String::from("rule t\n  command = touch $out\n");
    for i in 0..STEPS {
        let dep = if i >= WIDTH { format!(" | out/s{}", i - WIDTH) } else { String::new() };
        ninja.push_str(&format!("build out/s{i}: t{dep}\n"));
    }
    std::fs::write(dir.join("build.ninja"), ninja).unwrap();
}

fn timed(cmd: &mut Command) -> Duration {
    let t = Instant::now();
    let out = cmd.output().unwrap();
    let d = t.elapsed();
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    d
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let exe = release_runtime();
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get()).to_string();
    // BENCH_DIR keeps the plan, outputs and run directory for a closer look.
    let temp = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("BENCH_DIR").map(PathBuf::from);
    let dir_path = kept.unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir_path).unwrap();
    write_inputs(&dir_path);
    let dir = &dir_path;
    let fresh = |d: &Path| {
        let _ = std::fs::remove_dir_all(d.join("out"));
        let _ = std::fs::remove_dir_all(d.join("run"));
        let _ = std::fs::remove_file(d.join(".ninja_log"));
        std::fs::create_dir_all(d.join("out")).unwrap();
    };
    let runtime_cmd = || {
        let mut c = Command::new(&exe);
        c.current_dir(dir.as_path()).args(["plan.bin", "-q", "-j", &jobs, "--run-dir", "run"]);
        c
    };
    let ninja_cmd = || {
        let mut c = Command::new("ninja");
        c.current_dir(dir.as_path()).args(["-j", &jobs]);
        c
    };
    let (mut rt, mut nj, mut rt_noop, mut nj_noop) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        fresh(dir.as_path());
        nj.push(timed(&mut ninja_cmd()));
        nj_noop.push(timed(&mut ninja_cmd()));
        fresh(dir.as_path());
        rt.push(timed(&mut runtime_cmd()));
        rt_noop.push(timed(&mut runtime_cmd()));
    }
    let (rt, nj, rt_noop, nj_noop) = (median(rt), median(nj), median(rt_noop), median(nj_noop));
    println!("{STEPS} steps, -j {jobs}, median of {ROUNDS}:");
    println!("  runtime  {:>8.1} ms   no-op re-run {:>6.1} ms", rt.as_secs_f64() * 1e3, rt_noop.as_secs_f64() * 1e3);
    println!("  ninja    {:>8.1} ms   no-op re-run {:>6.1} ms", nj.as_secs_f64() * 1e3, nj_noop.as_secs_f64() * 1e3);
    println!("runtime/ninja: {:.2}", rt.as_secs_f64() / nj.as_secs_f64());
    for (name, mut cmd, flags) in [("runtime", runtime_cmd(), ["--stats"]), ("ninja", ninja_cmd(), ["-dstats"])] {
        fresh(dir.as_path());
        let out = cmd.args(flags).output().unwrap();
        assert!(out.status.success(), "{name} {flags:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        // ninja prints its stats on stdout after its `[n/N]` progress lines, the runtime on stderr.
        println!("{name}, one run with {}:", flags[0]);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        match name {
            "ninja" => stdout.lines().filter(|l| !l.starts_with('[')).for_each(|l| println!("{l}")),
            _ => print!("{stderr}"),
        }
    }
}

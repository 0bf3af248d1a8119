//! `runtime PLAN`: runs a compiled plan, resuming from its journal, and prints a summary.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use runtime::plan::{self, Plan, VerifiedPlan};
use runtime::run::{self, Event, Status};

/// Prints a line to stdout; a closed pipe (`contractc ... | head`) ends the output quietly.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Runs a workflow plan compiled by `contractc build`: steps in dependency order, independent
/// steps in parallel, every message validated against its contract. The run directory keeps a
/// journal: running the same plan again resumes, and an unchanged plan does nothing.
#[derive(Parser)]
#[command(
    name = "runtime",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Exit status: 0 no step failed; 1 a step failed; 2 the plan or the run directory could not be \\
                  used (missing, corrupt, truncated or another format version); 130 interrupted.\\n\\n\\
                  Example: cargo run -p runtime generated/plans/eurusd_pipeline@1.0.plan.bin -j 4 --explain"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The plan file, e.g. generated/plans/eurusd_pipeline@1.0.plan.bin.
    plan: Option<PathBuf>,
    /// Run at most N steps at once [default: the number of CPUs].
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    jobs: Option<usize>,
    /// Journal, outputs and logs; the same directory resumes [default: .runs/<workflow>].
    #[arg(long, value_name = "DIR")]
    run_dir: Option<PathBuf>,
    /// Say why each step ran or was skipped.
    #[arg(long)]
    explain: bool,
    /// Append events as JSON Lines to FILE.
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// Write Prometheus text-format metrics to FILE at the end.
    #[arg(long, value_name = "FILE")]
    metrics: Option<PathBuf>,
    /// Seconds between SIGTERM and SIGKILL when a step is stopped.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    grace: f64,
    /// Print no progress.
    #[arg(short, long)]
    quiet: bool,
    /// Print where the run's time went, per phase (as ninja's `-d stats`), to stderr at the end.
    #[arg(long)]
    stats: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Print a plan readably: header, steps, policies, validators.
    Inspect {
        /// The plan file.
        plan: PathBuf,
    },
    /// Read a run directory back, writing nothing: each step's last journaled outcome and
    /// attempts and, with --plan, what a resume of that plan there would do.
    ///
    /// The journal records no plan: --plan names the plan a resume would run (the one `runtime
    /// PLAN --run-dir RUN_DIR` was given, or a rebuilt one). Step keys read this process's
    /// allowlisted environment, as a resume started here would.
    Status {
        /// The run directory, e.g. .runs/eurusd_pipeline@1.0.
        run_dir: PathBuf,
        /// The plan a resume would run, e.g. generated/plans/eurusd_pipeline@1.0.plan.bin.
        #[arg(long, value_name = "PLAN")]
        plan: Option<PathBuf>,
        /// Print the status as one JSON object (the shape of `runtime::run::status::RunStatus`).
        #[arg(long)]
        json: bool,
    },
    /// Run one step of a plan, for an engine that schedules the steps (an Argo Workflows pod).
    ///
    /// Reads input X from INPUTS/X and validates it against its producer's contract, applies
    /// the step's condition per message, runs its argv once (the engine retries), validates its
    /// output and copies it to OUTPUT (empty when the condition admitted nothing). Exit 0 when
    /// the step succeeded or was skipped, 1 when it failed, 2 when it cannot run.
    Step {
        /// The plan file.
        plan: PathBuf,
        /// The step's name in the plan.
        step: String,
        /// The folder of the inputs, one file per input name.
        #[arg(long, value_name = "DIR", default_value = "/ctc/in")]
        inputs: PathBuf,
        /// Where the validated output goes.
        #[arg(long, value_name = "FILE", default_value = "/ctc/out/output")]
        output: PathBuf,
        /// The attempt's logs and filtered inputs.
        #[arg(long, value_name = "DIR", default_value = "/ctc/run")]
        run_dir: PathBuf,
        /// Append events as JSON Lines to FILE.
        #[arg(long, value_name = "FILE")]
        events: Option<PathBuf>,
        /// Write `true` to FILE when the condition admitted nothing, else `false` (an Argo
        /// output parameter: the consumers' `when` skips them then, as the local run does).
        #[arg(long, value_name = "FILE")]
        skipped: Option<PathBuf>,
    },
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

fn load(path: &PathBuf) -> Result<VerifiedPlan, ExitCode> {
    let bytes = std::fs::read(path).map_err(|e| {
        eprintln!("error: cannot read {}: {e}", path.display());
        eprintln!("help: build the plan with `contractc build` (it writes generated/plans/<workflow>@<MAJOR>.<MINOR>.plan.bin)");
        ExitCode::from(2)
    })?;
    plan::decode(&bytes).map_err(|e| {
        eprintln!("error: {}: {e}", path.display());
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Inspect { plan }) = &cli.command {
        return match load(plan) {
            Ok(p) => {
                out!("{}", inspect(plan, &p).trim_end());
                ExitCode::SUCCESS
            }
            Err(code) => code,
        };
    }
    if let Some(Command::Status { run_dir, plan, json }) = &cli.command {
        return status(run_dir, plan.as_ref(), *json);
    }
    if let Some(Command::Step { plan, step, inputs, output, run_dir, events, skipped }) = &cli.command {
        let files = PodFiles { inputs, output, run_dir, events: events.as_deref(), skipped: skipped.as_deref() };
        return step_in_pod(plan, step, &files);
    }
    let Some(path) = &cli.plan else {
        eprintln!("error: no plan given\nhelp: runtime generated/plans/eurusd_pipeline@1.0.plan.bin (see --help)");
        return ExitCode::from(2);
    };
    let loading = Instant::now();
    let plan = match load(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let loaded = loading.elapsed();
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    let jobs = cli.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let run_dir = cli.run_dir.clone().unwrap_or_else(|| PathBuf::from(".runs").join(&plan.workflow));
    let mut opts = run::Options::new(run_dir.clone(), &INTERRUPTED);
    opts.jobs = jobs;
    opts.events = cli.events.clone();
    opts.grace = Duration::from_secs_f64(cli.grace.max(0.0));
    eprintln!("running {} ({} steps, -j {jobs}) in {}", plan.workflow, plan.steps.len(), run_dir.display());
    let t0 = Instant::now();
    let mut progress = Progress {
        live: !cli.quiet && std::io::stderr().is_terminal(),
        quiet: cli.quiet,
        explain: cli.explain,
        running: Vec::new(),
    };
    let result = run::run(&plan, &opts, |e| progress.on(e));
    progress.clear();
    let result = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: the run directory {} cannot be used: {e}", run_dir.display());
            eprintln!(
                "help: free space or fix the disk, then run again: committed steps are kept, a torn journal tail is cut off"
            );
            return ExitCode::from(2);
        }
    };
    if result.journal_truncated > 0 {
        eprintln!(
            "note: cut a torn journal tail of {} bytes (a crash during a write); the steps it named run again",
            result.journal_truncated
        );
    }
    let wall = t0.elapsed();
    let reports = &result.reports;
    // Steps without an output contract are reports: show what they printed this time.
    for (step, r) in plan.steps.iter().zip(reports) {
        if step.output.is_none() && r.status == Status::Succeeded {
            let out = run_dir.join(&step.name).join(format!("attempt-{}.stdout", r.attempts));
            let text = std::fs::read_to_string(out).unwrap_or_default();
            if !text.trim().is_empty() {
                out!("── {} ──\n{}", step.name, text.trim_end());
            }
        }
    }
    if result.nothing_to_do() {
        out!("nothing to do: every step of {} is up to date ({})", plan.workflow, run_dir.display());
    }
    out!("{}", run::summary(&plan, reports, wall));
    let report = serde_json::to_string_pretty(&run::report_json(&plan, reports, wall)).unwrap_or_default();
    if let Err(e) = std::fs::write(run_dir.join("report.json"), report + "\n") {
        eprintln!("warning: cannot write the run report: {e}");
    }
    if let Err(e) = std::fs::write(run_dir.join("report.html"), run::report_html(&plan, reports, &result.events, wall))
    {
        eprintln!("warning: cannot write the HTML run report: {e}");
    }
    if let Some(m) = &cli.metrics
        && let Err(e) = std::fs::write(m, run::metrics(&plan, reports))
    {
        eprintln!("warning: cannot write metrics to {}: {e}", m.display());
    }
    out!("outputs, logs and report: {}", run_dir.display());
    if cli.stats {
        eprint!("{}", stats(&result.stats, loaded, wall, t0.elapsed() - wall));
    }
    if INTERRUPTED.load(Ordering::SeqCst) {
        eprintln!("interrupted: in-flight steps were stopped and journaled; run again to resume");
        return ExitCode::from(130);
    }
    if reports.iter().any(|r| matches!(r.status, Status::Failed(_))) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// `--stats`: where the run's time went. `ran` is the scheduler's run, `after` the summary and
/// reports written after it.
fn stats(s: &run::Stats, plan: Duration, ran: Duration, after: Duration) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let each = |d: Duration, n: u64| if n == 0 { 0.0 } else { ms(d) / n as f64 };
    let mut t = String::new();
    let mut line = |name: &str, total: Duration, n: u64, what: &str| {
        t.push_str(&format!("  {name:<14} {:>9.1} ms  {:>8.3} ms {what}\n", ms(total), each(total, n)));
    };
    let (a, c) = (s.attempts, s.journal_commits);
    line("plan decode", plan, 1, "");
    line("journal open", s.open, 1, "");
    line("scheduler", s.scheduler, s.steps, "/step (its thread, waits not counted)");
    line("  threads", s.threads, s.steps, "/step (starting the steps' threads)");
    line("spawn", s.exec.spawn, a, "/attempt (until its execve)");
    line("wait", s.exec.wait, a, "/attempt (the step's own time)");
    line("reap", s.exec.reap, a, "/attempt (reap, kill its group, drain its pipes)");
    line("outputs", s.outputs, a, "/attempt (validate, fsync, rename)");
    line("step rest", s.step_rest, s.steps, "/step (conditions, environment, events)");
    line("journal", s.journal, c, &format!("/commit ({c} group commits of {} records)", s.journal_records));
    line("reports", after, 1, "(summary, report.json, report.html)");
    format!("stats: {} steps run, {a} attempts, {:.1} ms in the scheduler's run:\n{t}", s.steps, ms(ran))
}

/// `runtime status`: the run directory read back, as a table (or JSON).
fn status(run_dir: &std::path::Path, plan: Option<&PathBuf>, json: bool) -> ExitCode {
    let plan = match plan.map(load).transpose() {
        Ok(p) => p,
        Err(code) => return code,
    };
    if !run_dir.is_dir() {
        eprintln!("error: {} is not a run directory (no such folder)", run_dir.display());
        eprintln!("help: a run directory is --run-dir of `runtime PLAN` (default .runs/<workflow>)");
        return ExitCode::from(2);
    }
    let status = match run::status::status(run_dir, plan.as_ref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {}: {e}", run_dir.join("journal").display());
            return ExitCode::from(2);
        }
    };
    if json {
        out!("{}", serde_json::to_string_pretty(&status).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    out!("{:<16} {:<11} {:>8}  {:<50}  detail", "step", "last", "attempts", "resume");
    for s in &status.steps {
        let resume = s.resume.as_ref().map_or_else(|| "-".to_string(), |r| r.describe());
        let detail = s.detail.lines().next().unwrap_or_default();
        let line = format!("{:<16} {:<11} {:>8}  {:<50}  {detail}", s.step, s.last.label(), s.attempts, resume);
        out!("{}", line.trim_end());
    }
    let workflow = status.workflow.as_deref().unwrap_or("the run");
    out!("{}: {} journal record(s) in {}", workflow, status.records, run_dir.display());
    if status.torn_bytes > 0 {
        out!("note: a torn tail of {} bytes follows them; a resume cuts it off", status.torn_bytes);
    }
    match &status.resume_runs {
        None => out!("pass --plan PLAN to see what a resume would run"),
        // Only a step that runs leaves others waiting.
        Some(runs) if runs.is_empty() => {
            out!("a resume would run nothing: every step is up to date, skipped or not needed")
        }
        Some(runs) => out!("a resume would start: {}", runs.join(", ")),
    }
    ExitCode::SUCCESS
}

/// Where `runtime step` reads and writes.
struct PodFiles<'a> {
    inputs: &'a std::path::Path,
    output: &'a std::path::Path,
    run_dir: &'a std::path::Path,
    events: Option<&'a std::path::Path>,
    skipped: Option<&'a std::path::Path>,
}

/// `runtime step`: one step run once, its report on stderr, its stdout passed through.
fn step_in_pod(path: &PathBuf, step: &str, files: &PodFiles<'_>) -> ExitCode {
    let PodFiles { inputs, output, run_dir, events, skipped } = *files;
    let plan = match load(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    let mut opts = run::Options::new(run_dir.to_path_buf(), &INTERRUPTED);
    opts.events = events.map(|e| e.to_path_buf());
    let done = match run::run_one(&plan, step, inputs, output, &opts) {
        Ok(done) => done,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let r = &done.report;
    if let Some(path) = skipped {
        let flag = if matches!(r.status, Status::Skipped(_)) { "true" } else { "false" };
        if let Err(e) = std::fs::write(path, flag) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    let stdout = run_dir.join(step).join(format!("attempt-{}.stdout", r.attempts));
    if let Ok(text) = std::fs::read_to_string(stdout) {
        out!("{}", text.trim_end());
    }
    let detail = match &r.status {
        Status::Failed(e) | Status::Skipped(e) => format!(": {e}"),
        _ => String::new(),
    };
    eprintln!(
        "{} {}: {}{detail} ({} messages, {:.2} s)",
        plan.workflow,
        r.name,
        r.status.label(),
        r.messages,
        r.duration.as_secs_f64()
    );
    match r.status {
        Status::Succeeded | Status::Skipped(_) => ExitCode::SUCCESS,
        Status::Interrupted => ExitCode::from(130),
        _ => ExitCode::from(1),
    }
}

/// Progress on stderr: a live line on a terminal, plain lines otherwise.
struct Progress {
    live: bool,
    quiet: bool,
    explain: bool,
    running: Vec<String>,
}

impl Progress {
    fn on(&mut self, e: Event<'_>) {
        if self.quiet {
            return;
        }
        self.clear();
        match e {
            Event::Started { step, .. } => {
                self.running.push(step.to_string());
                if !self.live {
                    eprintln!("  start  {step}");
                }
            }
            Event::Finished { report, done, total } => {
                self.running.retain(|s| s != &report.name);
                let what = match &report.status {
                    Status::Succeeded => {
                        format!("ok in {:.2} s, {} messages", report.duration.as_secs_f64(), report.messages)
                    }
                    Status::Failed(e) => format!("FAILED: {e}"),
                    Status::Skipped(why) => format!("skipped: {why}"),
                    other => other.label().to_string(),
                };
                eprintln!("  [{done}/{total}] {}: {what}", report.name);
                if self.explain {
                    eprintln!("         why: {}", report.reason);
                }
                if self.live && done < total {
                    eprint!("\x1b[2K  running: {}\r", self.running.join(", "));
                    let _ = std::io::stderr().flush();
                }
            }
        }
    }

    fn clear(&self) {
        if self.live {
            eprint!("\x1b[2K\r");
        }
    }
}

fn inspect(path: &std::path::Path, p: &Plan) -> String {
    let mut out = format!(
        "{}: plan format version {}, workflow {}, {} steps, {} validators, {} resources\n",
        path.display(),
        plan::FORMAT_VERSION,
        p.workflow,
        p.steps.len(),
        p.validators.len(),
        p.resources.len()
    );
    for (i, s) in p.steps.iter().enumerate() {
        out.push_str(&format!("\nstep {i} `{}`\n  run: {:?}\n", s.name, s.run));
        let names = |ix: &[u32]| ix.iter().map(|&n| p.steps[n as usize].name.clone()).collect::<Vec<_>>().join(", ");
        if !s.needs.is_empty() {
            out.push_str(&format!("  needs: {} (trigger rule {:?})\n", names(&s.needs), s.trigger));
        }
        for input in &s.inputs {
            out.push_str(&format!("  input `{}` from `{}`", input.name, p.steps[input.from as usize].name));
            if let Some(c) = &input.conversion {
                let by: Vec<&str> = c.migrations.iter().map(|&m| p.migrations[m as usize].name.as_str()).collect();
                out.push_str(&format!(
                    ", migrated to {} by {}",
                    p.validators[c.validator as usize].contract,
                    by.join(", ")
                ));
            }
            out.push('\n');
        }
        if let Some(o) = &s.output {
            let c = p.validators.get(o.validator as usize).map_or("?", |v| v.contract.as_str());
            out.push_str(&format!("  output: {c}{}\n", if o.stream { " (JSON Lines)" } else { "" }));
        }
        if let Some(c) = &s.when {
            out.push_str(&format!("  when: {} ({} ops)\n", c.source, c.code.len()));
        }
        if s.retry.max_attempts > 1 {
            let r = &s.retry;
            out.push_str(&format!(
                "  retry: {} attempts, {} ms × {} up to {} ms, jitter {}\n",
                r.max_attempts, r.initial_ms, r.factor, r.max_interval_ms, r.jitter
            ));
        }
        if let Some(t) = s.timeout_ms {
            out.push_str(&format!("  timeout: {t} ms per attempt\n"));
        }
        if let Some(d) = s.deadline_ms {
            out.push_str(&format!("  deadline: {d} ms\n"));
        }
        if let Some(f) = s.fallback {
            out.push_str(&format!("  fallback: {}\n", p.steps[f as usize].name));
        }
        if !s.resources.is_empty() {
            let rs: Vec<&str> = s.resources.iter().map(|&r| p.resources[r as usize].name.as_str()).collect();
            out.push_str(&format!("  resources: {}\n", rs.join(", ")));
        }
    }
    for v in &p.validators {
        out.push_str(&format!("\nvalidator {} ({} nodes)\n", v.contract, v.nodes.len()));
    }
    out
}

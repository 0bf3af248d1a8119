//! `runtime PLAN`: runs a compiled plan and prints a summary. Exit status: 0 when no step failed,
//! 1 when a step failed, 2 when the plan cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use runtime::plan;
use runtime::run::{self, Event, Status};

/// Runs a workflow plan compiled by `contractc build`: steps in dependency order, independent
/// steps in parallel, every message validated against its contract.
#[derive(Parser)]
#[command(
    name = "runtime",
    version,
    after_help = "Exit status: 0 no step failed; 1 a step failed; 2 the plan could not be read (missing, corrupt, \
                  truncated or of another format version).\n\nExample: cargo run -p runtime generated/plan.bin -j 4"
)]
struct Cli {
    /// The plan file, e.g. generated/plan.bin.
    plan: PathBuf,
    /// Run at most N steps at once [default: the number of CPUs].
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    jobs: Option<usize>,
    /// Directory for step outputs and logs [default: .runs/<workflow>/<start time>].
    #[arg(long, value_name = "DIR")]
    run_dir: Option<PathBuf>,
    /// Print no progress lines.
    #[arg(short, long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let bytes = match std::fs::read(&cli.plan) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", cli.plan.display());
            eprintln!("help: build the plan with `contractc build` (it writes generated/plan.bin)");
            return ExitCode::from(2);
        }
    };
    let plan = match plan::decode(&bytes) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {}: {e}", cli.plan.display());
            return ExitCode::from(2);
        }
    };
    let jobs = cli.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let run_dir = cli.run_dir.unwrap_or_else(|| {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        PathBuf::from(".runs").join(&plan.workflow).join(format!("{secs}-{}", std::process::id()))
    });
    eprintln!("running {} ({} steps, -j {jobs}) in {}", plan.workflow, plan.steps.len(), run_dir.display());
    let t0 = Instant::now();
    let quiet = cli.quiet;
    let reports = run::run(&plan, &run::Options { jobs, run_dir: run_dir.clone() }, |e| {
        if quiet {
            return;
        }
        match e {
            Event::Started { step, running } => eprintln!("  start  {step} ({running} running)"),
            Event::Finished { report, done, total } => {
                let what = match &report.status {
                    Status::Succeeded => format!("ok in {:.2} s, {} messages", report.duration.as_secs_f64(), report.messages),
                    Status::Failed(e) => format!("FAILED: {e}"),
                    Status::Skipped(why) => format!("skipped: {why}"),
                };
                eprintln!("  [{done}/{total}] {}: {what}", report.name);
            }
        }
    });
    let reports = match reports {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot run in {}: {e}", run_dir.display());
            return ExitCode::from(2);
        }
    };
    // Steps without an output contract are reports: show what they printed.
    for (step, r) in plan.steps.iter().zip(&reports) {
        if step.output.is_none() && r.status == Status::Succeeded {
            let text = std::fs::read_to_string(run_dir.join(&step.name).join("stdout.txt")).unwrap_or_default();
            if !text.trim().is_empty() {
                println!("── {} ──\n{}", step.name, text.trim_end());
            }
        }
    }
    println!("{}", run::summary(&plan, &reports, t0.elapsed()));
    println!("outputs and logs: {}", run_dir.display());
    if reports.iter().any(|r| matches!(r.status, Status::Failed(_))) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

//! Runs a plan: steps in dependency order, independent steps in parallel (at most `jobs` at once),
//! every output message validated against its contract, `when` conditions applied per message.
//!
//! Trigger rule: a step runs when every step it needs succeeded (`all_success`); otherwise it is
//! skipped. A step whose condition admits no message is skipped, and so is everything after it.
//! Files of a run, under the run directory: `<step>/output.jsonl` (or `.json`), `<step>/stdout.txt`,
//! `<step>/stderr.txt`, and `<step>/input-<name>.jsonl` for inputs filtered by a condition.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::cond;
use crate::plan::{Plan, Step};
use crate::validate::validate_text;

/// How to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// At most this many steps run at once (≥ 1).
    pub jobs: usize,
    /// Where outputs and logs go; created if missing.
    pub run_dir: PathBuf,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Succeeded,
    Failed(String),
    Skipped(String),
}

/// What happened to one step.
#[derive(Clone, Debug)]
pub struct StepReport {
    pub name: String,
    pub status: Status,
    pub duration: Duration,
    /// Valid messages the step emitted.
    pub messages: u64,
    /// Messages of its output that broke the contract.
    pub rejected: u64,
    /// For a step with a condition: messages admitted / offered.
    pub admitted: Option<(u64, u64)>,
    /// When the step ran and finished, relative to the start of the run.
    pub started: Duration,
    pub finished: Duration,
}

/// Progress notices, in the order they happen.
#[derive(Clone, Debug)]
pub enum Event<'a> {
    Started { step: &'a str, running: usize },
    Finished { report: &'a StepReport, done: usize, total: usize },
}

/// Runs every step of `plan`; never panics on a failing step: failures are in the reports.
pub fn run(plan: &Plan, opts: &Options, mut on_event: impl FnMut(Event<'_>)) -> std::io::Result<Vec<StepReport>> {
    fs::create_dir_all(&opts.run_dir)?;
    let n = plan.steps.len();
    let mut reports: Vec<Option<StepReport>> = vec![None; n];
    let mut started = vec![false; n];
    let mut running = 0usize;
    let (tx, rx) = mpsc::channel::<(usize, StepReport)>();
    let t0 = Instant::now();
    let mut done = 0;
    std::thread::scope(|scope| -> std::io::Result<()> {
        while done < n {
            // Settle steps that can no longer run, then start what is ready.
            for i in 0..n {
                if started[i] {
                    continue;
                }
                let step = &plan.steps[i];
                let blocked = step.needs.iter().find_map(|&d| match &reports[d as usize] {
                    Some(r) if r.status != Status::Succeeded => Some(plan.steps[d as usize].name.clone()),
                    _ => None,
                });
                if let Some(dep) = blocked {
                    started[i] = true;
                    let at = t0.elapsed();
                    let r = StepReport { name: step.name.clone(), status: Status::Skipped(format!("`{dep}` did not succeed")), duration: Duration::ZERO, messages: 0, rejected: 0, admitted: None, started: at, finished: at };
                    done += 1;
                    on_event(Event::Finished { report: &r, done, total: n });
                    reports[i] = Some(r);
                    continue;
                }
                let ready = step.needs.iter().all(|&d| reports[d as usize].is_some());
                if ready && running < opts.jobs {
                    started[i] = true;
                    running += 1;
                    on_event(Event::Started { step: &step.name, running });
                    let tx = tx.clone();
                    let dir = opts.run_dir.clone();
                    scope.spawn(move || {
                        let begin = t0.elapsed();
                        let mut r = run_step(plan, i, &dir);
                        r.started = begin;
                        r.finished = t0.elapsed();
                        let _ = tx.send((i, r));
                    });
                }
            }
            if done == n {
                break;
            }
            let (i, r) = rx.recv().map_err(std::io::Error::other)?;
            running -= 1;
            done += 1;
            on_event(Event::Finished { report: &r, done, total: n });
            reports[i] = Some(r);
        }
        Ok(())
    })?;
    Ok(reports.into_iter().map(|r| r.expect("every step settled")).collect())
}

/// Path of a step's output file.
pub fn output_path(run_dir: &Path, step: &Step) -> PathBuf {
    let stream = step.output.as_ref().is_some_and(|o| o.stream);
    run_dir.join(&step.name).join(if stream { "output.jsonl" } else { "output.json" })
}

fn run_step(plan: &Plan, index: usize, run_dir: &Path) -> StepReport {
    let step = &plan.steps[index];
    let start = Instant::now();
    let mut report = StepReport {
        name: step.name.clone(),
        status: Status::Succeeded,
        duration: Duration::ZERO,
        messages: 0,
        rejected: 0,
        admitted: None,
        started: Duration::ZERO,
        finished: Duration::ZERO,
    };
    report.status = match execute(plan, step, run_dir, &mut report) {
        Ok(s) => s,
        Err(e) => Status::Failed(e),
    };
    report.duration = start.elapsed();
    report
}

fn execute(plan: &Plan, step: &Step, run_dir: &Path, report: &mut StepReport) -> Result<Status, String> {
    let dir = run_dir.join(&step.name);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut cmd = Command::new(&step.run[0]);
    cmd.args(&step.run[1..]).stdin(Stdio::null());
    for (k, v) in &step.env {
        cmd.env(k, v);
    }
    for (i, input) in step.inputs.iter().enumerate() {
        let producer = &plan.steps[input.from as usize];
        let mut path = output_path(run_dir, producer);
        if let Some(c) = step.when.as_ref().filter(|c| c.input as usize == i) {
            let filtered = dir.join(format!("input-{}.jsonl", input.name));
            let (admitted, offered) = filter(&path, &filtered, &c.code).map_err(|e| format!("condition on `{}`: {e}", input.name))?;
            report.admitted = Some((admitted, offered));
            if admitted == 0 {
                return Ok(Status::Skipped(format!("`{}` admitted none of {offered} messages", c.source)));
            }
            path = filtered;
        }
        cmd.env(format!("CTC_INPUT_{}", input.name.to_ascii_uppercase()), &path);
    }
    let out_path = output_path(run_dir, step);
    if step.output.is_some() {
        let _ = fs::remove_file(&out_path);
        cmd.env("CTC_OUTPUT", &out_path);
    }
    cmd.env("CTC_STEP", &step.name).env("CTC_RUN_DIR", run_dir);
    let stdout = fs::File::create(dir.join("stdout.txt")).map_err(|e| e.to_string())?;
    let stderr = fs::File::create(dir.join("stderr.txt")).map_err(|e| e.to_string())?;
    cmd.stdout(stdout).stderr(stderr);
    let status = cmd.status().map_err(|e| format!("cannot start `{}`: {e}", step.run[0]))?;
    if !status.success() {
        let tail = tail(&dir.join("stderr.txt"), 5);
        return Err(format!("exited with {status}; stderr ends:\n{tail}"));
    }
    let Some(out) = &step.output else { return Ok(Status::Succeeded) };
    let validator = plan.validators.get(out.validator as usize).ok_or("plan names a missing validator")?;
    let file = fs::File::open(&out_path).map_err(|_| format!("wrote no output to $CTC_OUTPUT ({})", out_path.display()))?;
    let mut first_error = None;
    if out.stream {
        for (n, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("output line {}: {e}", n + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            match validate_text(validator, &line) {
                Ok(_) => report.messages += 1,
                Err(v) => {
                    report.rejected += 1;
                    first_error.get_or_insert_with(|| format!("output line {}: {} {v}", n + 1, validator.contract));
                }
            }
        }
    } else {
        let text = fs::read_to_string(&out_path).map_err(|e| e.to_string())?;
        match validate_text(validator, &text) {
            Ok(_) => report.messages = 1,
            Err(v) => {
                report.rejected = 1;
                first_error = Some(format!("output: {} {v}", validator.contract));
            }
        }
    }
    match first_error {
        Some(e) => Err(format!("{} message(s) broke the contract; first: {e}", report.rejected)),
        None => Ok(Status::Succeeded),
    }
}

/// Copies the lines of `from` that satisfy `code` into `to`; returns (admitted, offered).
fn filter(from: &Path, to: &Path, code: &[crate::plan::Op]) -> std::io::Result<(u64, u64)> {
    let reader = BufReader::new(fs::File::open(from)?);
    let mut w = BufWriter::new(fs::File::create(to)?);
    let (mut admitted, mut offered) = (0, 0);
    for line in reader.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        offered += 1;
        let msg: serde_json::Value = serde_json::from_str(&line).map_err(std::io::Error::other)?;
        if cond::eval(code, &msg) {
            admitted += 1;
            writeln!(w, "{line}")?;
        }
    }
    w.flush()?;
    Ok((admitted, offered))
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].iter().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

/// The human summary: one line per step, then totals.
pub fn summary(plan: &Plan, reports: &[StepReport], wall: Duration) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut out = String::new();
    out.push_str(&format!("{:<16} {:<10} {:>9} {:>9} {:>9}  {}\n", "step", "status", "duration", "messages", "rejected", "notes"));
    for (step, r) in plan.steps.iter().zip(reports) {
        let (status, note) = match &r.status {
            Status::Succeeded => ("succeeded", String::new()),
            Status::Failed(e) => ("FAILED", e.clone()),
            Status::Skipped(why) => ("skipped", why.clone()),
        };
        *counts.entry(status).or_default() += 1;
        let contract = step.output.as_ref().and_then(|o| plan.validators.get(o.validator as usize)).map(|v| v.contract.as_str());
        let mut notes = Vec::new();
        if let Some(c) = contract {
            notes.push(c.to_string());
        }
        if let Some((a, o)) = r.admitted {
            notes.push(format!("condition admitted {a} of {o}"));
        }
        if !note.is_empty() {
            notes.push(note);
        }
        out.push_str(&format!(
            "{:<16} {:<10} {:>7.2} s {:>9} {:>9}  {}\n",
            r.name,
            status,
            r.duration.as_secs_f64(),
            if step.output.is_some() { r.messages.to_string() } else { "-".into() },
            if step.output.is_some() { r.rejected.to_string() } else { "-".into() },
            notes.join("; ")
        ));
    }
    let total_msgs: u64 = reports.iter().map(|r| r.messages).sum();
    let total_rej: u64 = reports.iter().map(|r| r.rejected).sum();
    let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    out.push_str(&format!(
        "{}: {} steps ({}) in {:.2} s; {total_msgs} messages valid, {total_rej} rejected\n",
        plan.workflow,
        reports.len(),
        parts.join(", "),
        wall.as_secs_f64()
    ));
    out
}

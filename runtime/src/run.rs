//! The scheduler: runs a plan's steps in dependency order, at most `jobs` at once, and records
//! every finished step in the journal so a killed run resumes without re-running it.
//!
//! - **Step key**: SHA-256 of the step's definition (argv, environment, output contract and its
//!   validator, condition, policies), the digests of the outputs it reads, and the allowlisted host
//!   environment. A step whose key has a committed record, and whose committed output still has
//!   the recorded digest, is up to date and does not run. An unchanged plan does nothing.
//! - **Trigger rules** (once every need has settled): `all_success` runs when every need succeeded
//!   (up to date and recovered count as succeeded), else the step is skipped; `all_done` runs when
//!   every need succeeded or failed, and is skipped when one was skipped; `one_failed` runs when at
//!   least one need failed, else is skipped; `always` runs whatever happened.
//! - **Retry policy**: a failed attempt is retried when the policy says so (exit code, signal,
//!   timeout, an open circuit); a contract violation is never retried. The wait before attempt
//!   `n + 1` is `min(initial · factor^(n-1), max_interval)` ± jitter. `deadline` bounds the
//!   whole step, waits included.
//! - **Fallback**: when a step fails for good, its fallback runs in its place; if the fallback
//!   succeeds the step is *recovered* and its consumers read the fallback's output.
//! - **Circuit breaker** per resource: after `failure_threshold` consecutive failed attempts of
//!   steps using it, attempts fail fast for `cooldown`; then one probe goes through, and its
//!   result closes or reopens the circuit.
//! - Each attempt gets `CTC_IDEMPOTENCY_KEY` (the step key and the attempt number), stable across
//!   resumes, so external systems can drop duplicates.
//!
//! One job a file: this one schedules (readiness, fallbacks, group commit); `trigger` decides
//! whether a step may start (trigger rules, fallbacks), for the scheduler and for what asks
//! without running (`status`, which reads a run directory back, and `contractc mcp`);
//! `attempt` runs one step (condition, attempts, retries); `boundary` validates what crosses a
//! step boundary, streaming; `key` computes step keys and explains re-runs; `breaker` holds the
//! circuit breakers; `clock` the time waits read ([`SkippingClock`] in tests); `events` the
//! JSON Lines log; `report` the summary, metrics and run report.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::disk::{Disk, RealDisk};
use crate::journal::{Digest, Journal, KeyParts, Record};
use crate::plan::{Plan, Step, VerifiedPlan};

mod attempt;
mod boundary;
mod breaker;
mod clock;
mod events;
mod html;
mod key;
mod one;
mod report;
pub mod status;
pub mod trigger;

use attempt::run_step;
use breaker::Breaker;
pub use clock::{Clock, SkippingClock, SystemClock};
use events::EventLog;
pub use html::report_html;
use key::{explain, key_of, key_parts, up_to_date};
pub use one::{StepRun, run_one};
pub use report::{metrics, report_json, summary};
use trigger::{Decision, Need};

/// How to run.
#[derive(Debug)]
pub struct Options<'a> {
    /// At most this many steps run at once (≥ 1).
    pub jobs: usize,
    /// Journal, outputs and logs; created if missing. The same directory resumes.
    pub run_dir: PathBuf,
    /// Set (e.g. by Ctrl-C) to stop: running attempts are stopped and journaled as interrupted.
    pub interrupted: &'a AtomicBool,
    /// JSON Lines events, one object per line.
    pub events: Option<PathBuf>,
    /// Between SIGTERM and SIGKILL when an attempt is stopped.
    pub grace: Duration,
    /// Bytes kept of each attempt's stdout and stderr.
    pub capture_cap: u64,
    /// What the scheduler's waits (backoff, cooldowns) and deadlines read.
    pub clock: &'a dyn Clock,
    /// Where outputs are made durable and the journal is appended ([`crate::disk::FaultyDisk`]
    /// in tests).
    pub disk: &'a dyn Disk,
    /// The most bytes one message may take at a step boundary (a JSON Lines line, or a single
    /// message's file); a longer one is refused, naming its line.
    pub max_message: u64,
}

impl<'a> Options<'a> {
    pub fn new(run_dir: PathBuf, interrupted: &'a AtomicBool) -> Options<'a> {
        Options {
            jobs: 1,
            run_dir,
            interrupted,
            events: None,
            grace: Duration::from_secs(5),
            capture_cap: 64 << 20,
            clock: &*SYSTEM_CLOCK,
            disk: &RealDisk,
            max_message: 16 << 20,
        }
    }
}

/// The clock of [`Options::new`].
static SYSTEM_CLOCK: std::sync::LazyLock<SystemClock> = std::sync::LazyLock::new(SystemClock::new);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Succeeded,
    /// Committed by an earlier run with the same key: not run.
    UpToDate,
    /// Failed for good; its fallback succeeded in its place.
    Recovered {
        by: String,
    },
    Failed(String),
    Skipped(String),
    Interrupted,
    /// A fallback whose step did not fail.
    NotNeeded,
}

impl Status {
    /// Counts as success for `all_success` consumers.
    pub fn is_ok(&self) -> bool {
        matches!(self, Status::Succeeded | Status::UpToDate | Status::Recovered { .. })
    }

    pub fn label(&self) -> &'static str {
        match self {
            Status::Succeeded => "succeeded",
            Status::UpToDate => "up to date",
            Status::Recovered { .. } => "recovered",
            Status::Failed(_) => "FAILED",
            Status::Skipped(_) => "skipped",
            Status::Interrupted => "interrupted",
            Status::NotNeeded => "not needed",
        }
    }
}

/// What happened to one step.
#[derive(Clone, Debug)]
pub struct StepReport {
    pub name: String,
    pub status: Status,
    pub duration: Duration,
    pub attempts: u32,
    /// Valid messages of its output.
    pub messages: u64,
    /// Messages of its output that broke the contract.
    pub rejected: u64,
    /// For a step with a condition: messages admitted / offered.
    pub admitted: Option<(u64, u64)>,
    /// The inputs whose messages were carried to another major of their contract, in input
    /// order (empty for a step that did not run).
    pub carried: Vec<Carried>,
    /// When the step started and settled, from the start of the run.
    pub started: Duration,
    pub finished: Duration,
    /// Why it ran or did not (`--explain`).
    pub reason: String,
}

/// An input's messages carried across migrations at the step boundary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Carried {
    pub input: String,
    /// The migrations, in the order they applied (`events/OrderIntent@1.2..2.0`).
    pub migrations: Vec<String>,
    /// Messages carried: those the step's condition admitted, when it reads this input.
    pub messages: u64,
}

impl Carried {
    /// `intent: 42 messages by events/OrderIntent@1.2..2.0`, as the summary writes it.
    pub fn describe(&self) -> String {
        format!("{}: {} message(s) by {}", self.input, self.messages, self.migrations.join(", "))
    }
}

/// Progress notices, in order.
#[derive(Clone, Debug)]
pub enum Event<'a> {
    Started { step: &'a str, running: usize },
    Finished { report: &'a StepReport, done: usize, total: usize },
}

/// The outcome of a run.
pub struct RunResult {
    pub reports: Vec<StepReport>,
    /// Bytes of a torn journal tail cut off on open.
    pub journal_truncated: u64,
    /// Every event of the run as `--events` writes them (objects with `event` and `t_ms`), in
    /// order: what the HTML run report's timeline is drawn from.
    pub events: Vec<serde_json::Value>,
    /// Where the run's time went (`runtime --stats`).
    pub stats: Stats,
}

/// Where a run's time went, per phase (`runtime --stats`, printed by the `ninja` bench). Steps
/// run in parallel, so the per-step phases add up to more than the wall time; the scheduler's
/// and the journal's are each one thread's.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Opening and reading the journal.
    pub open: Duration,
    /// The scheduler's loop, its waits for finished steps not counted: readiness, keys, up-to-date
    /// checks, group commits handed over, settling reports.
    pub scheduler: Duration,
    /// Starting the steps' threads (part of `scheduler`).
    pub threads: Duration,
    /// Steps run, and attempts made.
    pub steps: u64,
    pub attempts: u64,
    /// Every attempt's spawn, wait (the step's own time) and reap.
    pub exec: crate::exec::Phases,
    /// Validating outputs and making them durable (fsync, rename, fsync of the folder).
    pub outputs: Duration,
    /// The rest of the steps' threads: conditions, environments, events, backoff waits.
    pub step_rest: Duration,
    /// Appending and fsyncing journal records (the journal's thread), in this many group commits,
    /// of this many records.
    pub journal: Duration,
    pub journal_commits: u64,
    pub journal_records: u64,
}

impl RunResult {
    pub fn nothing_to_do(&self) -> bool {
        self.reports.iter().all(|r| matches!(r.status, Status::UpToDate | Status::NotNeeded))
    }
}

/// A settled step's output, as consumers read it.
#[derive(Clone, Debug)]
struct Produced {
    path: Option<PathBuf>,
    digest: Digest,
    /// The file is JSON Lines (else one message).
    stream: bool,
}

/// A ready step's inputs, key parts and key.
type Keyed = (Vec<(String, Produced)>, KeyParts, Digest);

/// A step for a worker thread to run: what [`run_step`] takes.
struct Work {
    index: usize,
    inputs: Vec<(String, Produced)>,
    parts: KeyParts,
    key: Digest,
    reason: String,
}

/// What the scheduler hears: a step finished, or a batch of finished steps is journaled.
enum Message {
    Done(Box<Done>),
    /// The batch, whether it is durable, and the time its append and fsync took.
    Journaled(Vec<Done>, std::io::Result<()>, Duration),
}

/// What a worker sends back.
struct Done {
    index: usize,
    report: StepReport,
    committed: Option<Record>,
    produced: Option<Produced>,
    interrupted_attempt: Option<(Digest, u32)>,
    /// The step's output could not be made durable: the run stops with this error.
    disk_error: Option<std::io::Error>,
    /// Its attempts' spawn, wait and reap, and its outputs' validation and commit.
    phases: crate::exec::Phases,
    outputs: Duration,
}

/// Whether a step's output is JSON Lines.
fn streams(step: &Step) -> bool {
    step.output.as_ref().is_some_and(|o| o.stream)
}

/// Path of a step's committed output.
pub fn output_path(run_dir: &Path, step: &Step) -> PathBuf {
    let stream = step.output.as_ref().is_some_and(|o| o.stream);
    run_dir.join(&step.name).join(if stream { "output.jsonl" } else { "output.json" })
}

/// Runs `plan`; a failing step is a report, not an error. Errors are the run's own: the run
/// directory or the journal cannot be written (then the run stops: it never runs on without
/// durability). The plan is a [`VerifiedPlan`]: every index the scheduler follows is in range.
pub fn run(plan: &VerifiedPlan, opts: &Options<'_>, mut on_event: impl FnMut(Event<'_>)) -> std::io::Result<RunResult> {
    let plan: &Plan = plan;
    fs::create_dir_all(&opts.run_dir)?;
    // Absolute, so the paths handed to steps hold in any `working_dir`.
    let abs = fs::canonicalize(&opts.run_dir)?;
    let opts = &Options { run_dir: abs, events: opts.events.clone(), ..*opts };
    let mut stats = Stats::default();
    let opening = Instant::now();
    let opened = Journal::open(&opts.run_dir.join("journal"))?;
    stats.open = opening.elapsed();
    let journal = opened.journal;
    let mut committed: HashMap<String, Record> = HashMap::new();
    for r in opened.records {
        if let Record::Committed { step, .. } = &r {
            committed.insert(step.clone(), r.clone());
        }
    }
    let events = EventLog::open(opts.events.as_deref())?;
    let breakers = Mutex::new(vec![Breaker::default(); plan.resources.len()]);
    let n = plan.steps.len();
    let t0 = Instant::now();
    events.emit(t0, serde_json::json!({"event": "run_started", "workflow": plan.workflow, "steps": n}));

    let mut reports: Vec<Option<StepReport>> = vec![None; n];
    let mut produced: Vec<Option<Produced>> = vec![None; n];
    // A primary that failed for good and waits for its fallback: the failure reason.
    let mut awaiting_fallback: Vec<Option<String>> = vec![None; n];
    let mut started = vec![false; n];
    // Ready steps waiting for a free job slot, with their computed keys.
    let mut keyed: Vec<Option<Keyed>> = vec![None; n];
    let mut running = 0usize;
    let mut done = 0usize;
    let (tx, rx) = mpsc::channel::<Message>();
    let shared = Shared { plan, opts, events: &events, breakers: &breakers, t0 };
    // Finished steps waiting for the journal, and whether a batch of them is being journaled.
    let mut queued: Vec<Done> = Vec::new();
    let mut in_flight = false;
    // The steps that wait on step j: those that need it, and its fallback.
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, step) in plan.steps.iter().enumerate() {
        for &d in &step.needs {
            dependents[d as usize].push(i);
        }
        if let Some(p) = step.fallback_for {
            dependents[p as usize].push(i);
        }
    }
    // Only these steps are asked whether they can start, in index order: those whose needs have
    // changed since they were last asked (all, at first) and the ready ones waiting for a job
    // slot. A step settled (or awaiting its fallback) goes to `woken`, its dependents from there
    // to `candidates`; every other step would only be told to wait.
    let mut candidates: BTreeSet<usize> = (0..n).collect();
    let mut woken: Vec<usize> = Vec::new();

    let result = std::thread::scope(|scope| -> std::io::Result<()> {
        // The journal's own thread: it appends and fsyncs one batch at a time (group commit)
        // while the scheduler starts the steps it can; a batch settles only once durable.
        let (to_journal, batches) = mpsc::channel::<(Vec<Record>, Vec<Done>)>();
        let journaled = tx.clone();
        let disk = opts.disk;
        scope.spawn(move || {
            let mut journal = journal;
            for (records, batch) in batches {
                let appending = Instant::now();
                let result = journal.append_all_on(disk, &records);
                let failed = result.is_err();
                let _ = journaled.send(Message::Journaled(batch, result, appending.elapsed()));
                if failed {
                    break;
                }
            }
        });
        // The steps' threads, each running one step after another: started as job slots are
        // first filled, so at most `jobs` of them, each fed through `work`.
        let (to_workers, work) = mpsc::channel::<Work>();
        let work = Arc::new(Mutex::new(work));
        let mut workers = 0usize;
        // Since when the scheduler has been busy (not waiting for a message).
        let mut busy = Instant::now();
        loop {
            let stopping = opts.interrupted.load(Ordering::SeqCst);
            let mut progressed = true;
            while progressed && !stopping {
                progressed = false;
                let mut next = 0;
                while let Some(&i) = {
                    for j in woken.drain(..) {
                        candidates.extend(&dependents[j]);
                    }
                    candidates.range(next..).next()
                } {
                    next = i + 1;
                    if started[i] {
                        candidates.remove(&i);
                        continue;
                    }
                    // Ready, with its key, and no slot free yet.
                    if keyed[i].is_some() && running >= opts.jobs {
                        continue;
                    }
                    let step = &plan.steps[i];
                    // A keyed step was ready when its key was computed, and its needs settled for good.
                    let decision =
                        if keyed[i].is_some() { Decision::Run } else { decide(plan, i, &reports, &awaiting_fallback) };
                    if decision != Decision::Run {
                        candidates.remove(&i);
                    }
                    let settle =
                        |status: Status, reason: String| StepReport::settled(&step.name, status, t0.elapsed(), reason);
                    let report = match decision {
                        Decision::Wait => continue,
                        Decision::Skip(why) => Some(settle(Status::Skipped(why.clone()), why)),
                        Decision::NotNeeded(why) => Some(settle(Status::NotNeeded, why)),
                        Decision::Run => None,
                    };
                    if let Some(r) = report {
                        started[i] = true;
                        progressed = true;
                        // A fallback that cannot run leaves its step failed.
                        if let Some(p) = step.fallback_for.map(|p| p as usize)
                            && let Some(why) = awaiting_fallback[p].take()
                        {
                            settle_report(
                                &mut reports,
                                p,
                                StepReport::settled(
                                    &plan.steps[p].name,
                                    Status::Failed(why.clone()),
                                    t0.elapsed(),
                                    why,
                                ),
                                &mut done,
                                n,
                                &mut on_event,
                                &events,
                                t0,
                                &mut woken,
                            );
                        }
                        settle_report(&mut reports, i, r, &mut done, n, &mut on_event, &events, t0, &mut woken);
                        continue;
                    }
                    // A ready step's key is computed once: its inputs are settled for good.
                    let (inputs, parts, key) = match keyed[i].take() {
                        Some(k) => k,
                        None => {
                            let inputs: Vec<(String, Produced)> = step
                                .inputs
                                .iter()
                                .map(|inp| (inp.name.clone(), source_of(inp.from as usize, &produced).clone()))
                                .collect();
                            let parts = key_parts(plan, step, &inputs);
                            let key = key_of(&parts);
                            if let Some(r) = up_to_date(&opts.run_dir, committed.get(&step.name), &key, streams(step)) {
                                started[i] = true;
                                progressed = true;
                                produced[i] = Some(r.1);
                                let carried = carried_before(plan, step, r.0.admitted, &reports);
                                let report =
                                    StepReport { started: t0.elapsed(), finished: t0.elapsed(), carried, ..r.0 };
                                settle_report(
                                    &mut reports,
                                    i,
                                    report,
                                    &mut done,
                                    n,
                                    &mut on_event,
                                    &events,
                                    t0,
                                    &mut woken,
                                );
                                continue;
                            }
                            (inputs, parts, key)
                        }
                    };
                    if running >= opts.jobs {
                        keyed[i] = Some((inputs, parts, key));
                        continue;
                    }
                    let reason = explain(committed.get(&step.name), &parts);
                    started[i] = true;
                    candidates.remove(&i);
                    progressed = true;
                    running += 1;
                    on_event(Event::Started { step: &step.name, running });
                    if workers < running {
                        let starting = Instant::now();
                        let (tx, work, shared) = (tx.clone(), Arc::clone(&work), &shared);
                        // Validation recurses: the worker gets the stack it needs at its limit.
                        std::thread::Builder::new().stack_size(crate::validate::STACK_SIZE).spawn_scoped(
                            scope,
                            move || {
                                // Until the scheduler is done and drops its sender.
                                while let Ok(Ok(w)) = work.lock().map(|w| w.recv()) {
                                    let d = run_step(shared, w.index, w.inputs, w.parts, w.key, w.reason);
                                    if tx.send(Message::Done(Box::new(d))).is_err() {
                                        break;
                                    }
                                }
                            },
                        )?;
                        workers += 1;
                        stats.threads += starting.elapsed();
                    }
                    to_workers.send(Work { index: i, inputs, parts, key, reason }).map_err(std::io::Error::other)?;
                }
            }
            // Done, or nothing runs, waits for the journal or can start (only when interrupted).
            if done == n || (running == 0 && !in_flight && queued.is_empty()) {
                break;
            }
            let mut batch = Vec::new();
            stats.scheduler += busy.elapsed();
            let first = rx.recv().map_err(std::io::Error::other)?;
            busy = Instant::now();
            for message in std::iter::once(first).chain(rx.try_iter()) {
                match message {
                    Message::Done(d) => {
                        let mut d = *d;
                        running -= 1;
                        stats.steps += 1;
                        stats.attempts += u64::from(d.report.attempts);
                        stats.exec += d.phases;
                        stats.outputs += d.outputs;
                        let exec = d.phases.spawn + d.phases.wait + d.phases.reap;
                        stats.step_rest += d.report.duration.saturating_sub(exec + d.outputs);
                        // A disk that fails stops the run: nothing after it would be durable.
                        // Steps still running finish first (the scope waits for them).
                        if let Some(e) = d.disk_error.take() {
                            return Err(e);
                        }
                        queued.push(d);
                    }
                    Message::Journaled(durable, result, took) => {
                        in_flight = false;
                        stats.journal += took;
                        stats.journal_commits += 1;
                        result.map_err(|e| {
                            let names: Vec<&str> = durable.iter().map(|d| plan.steps[d.index].name.as_str()).collect();
                            std::io::Error::new(e.kind(), format!("cannot journal step(s) {}: {e}", names.join(", ")))
                        })?;
                        batch.extend(durable);
                    }
                }
            }
            // Every step that finished meanwhile is journaled with one fsync, before anything
            // that needs them starts.
            if !in_flight && !queued.is_empty() {
                let mut records = Vec::new();
                for d in &queued {
                    if let Some((key, attempt)) = d.interrupted_attempt {
                        records.push(Record::Interrupted { step: plan.steps[d.index].name.clone(), key, attempt });
                    }
                    if let Status::Failed(reason) = &d.report.status {
                        let step = plan.steps[d.index].name.clone();
                        records.push(Record::Failed { step, attempts: d.report.attempts, reason: reason.clone() });
                    }
                    if let Some(record) = &d.committed {
                        records.push(record.clone());
                        committed.insert(plan.steps[d.index].name.clone(), record.clone());
                    }
                }
                stats.journal_records += records.len() as u64;
                to_journal.send((records, std::mem::take(&mut queued))).map_err(std::io::Error::other)?;
                in_flight = true;
            }
            for d in batch {
                let i = d.index;
                let step = &plan.steps[i];
                match (&d.report.status, step.fallback, step.fallback_for) {
                    (Status::Failed(why), Some(_), _) => {
                        // Not settled yet: its fallback decides.
                        awaiting_fallback[i] = Some(why.clone());
                        woken.push(i);
                        events.emit(
                            t0,
                            serde_json::json!({"event": "fallback_triggered", "step": step.name, "reason": why}),
                        );
                        reports[i] = Some(d.report);
                    }
                    (status, _, Some(p)) => {
                        let p = p as usize;
                        let primary_failure = awaiting_fallback[p].take().unwrap_or_default();
                        let primary_status = if status.is_ok() {
                            Status::Recovered { by: step.name.clone() }
                        } else {
                            Status::Failed(primary_failure.clone())
                        };
                        if status.is_ok() {
                            produced[p] = d.produced.clone();
                        }
                        let mut pr = reports[p].take().unwrap_or_else(|| {
                            StepReport::settled(
                                &plan.steps[p].name,
                                primary_status.clone(),
                                t0.elapsed(),
                                primary_failure,
                            )
                        });
                        pr.status = primary_status;
                        pr.finished = t0.elapsed();
                        produced[i] = d.produced;
                        settle_report(&mut reports, i, d.report, &mut done, n, &mut on_event, &events, t0, &mut woken);
                        settle_report(&mut reports, p, pr, &mut done, n, &mut on_event, &events, t0, &mut woken);
                    }
                    _ => {
                        produced[i] = d.produced;
                        settle_report(&mut reports, i, d.report, &mut done, n, &mut on_event, &events, t0, &mut woken);
                    }
                }
            }
        }
        stats.scheduler += busy.elapsed();
        Ok(())
    });
    result?;
    let reports: Vec<StepReport> = reports
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| {
                StepReport::settled(
                    &plan.steps[i].name,
                    Status::Interrupted,
                    t0.elapsed(),
                    "the run was interrupted first".into(),
                )
            })
        })
        .collect();
    events.emit(t0, serde_json::json!({"event": "run_finished", "workflow": plan.workflow, "failed": reports.iter().filter(|r| matches!(r.status, Status::Failed(_))).count()}));
    Ok(RunResult { reports, journal_truncated: opened.truncated, events: events.into_events(), stats })
}

#[allow(clippy::too_many_arguments)]
fn settle_report(
    reports: &mut [Option<StepReport>],
    i: usize,
    r: StepReport,
    done: &mut usize,
    total: usize,
    on_event: &mut impl FnMut(Event<'_>),
    events: &EventLog,
    t0: Instant,
    woken: &mut Vec<usize>,
) {
    *done += 1;
    woken.push(i);
    events.emit(
        t0,
        serde_json::json!({"event": "step_finished", "step": r.name, "status": r.status.label(), "attempts": r.attempts,
            "duration_ms": r.duration.as_millis() as u64, "messages": r.messages, "rejected": r.rejected, "reason": r.reason}),
    );
    on_event(Event::Finished { report: &r, done: *done, total });
    reports[i] = Some(r);
}

/// Whether step `i` can be decided now, from how its needs ended and its trigger rule.
fn decide(plan: &Plan, i: usize, reports: &[Option<StepReport>], awaiting: &[Option<String>]) -> Decision {
    trigger::decide(plan, i, |d| match &reports[d] {
        _ if awaiting[d].is_some() => Need::AwaitingFallback,
        Some(r) => Need::Settled(&r.status),
        None => Need::Pending,
    })
}

/// What the conversions of an up-to-date `step` carried when it ran: for each input that
/// converts, its migrations and as many messages as the step's condition admitted (`admitted`,
/// from its journal record) when the condition reads that input, else as its producer emitted
/// (the fallback's count when the producer was recovered). Its producers are settled.
fn carried_before(
    plan: &Plan,
    step: &Step,
    admitted: Option<(u64, u64)>,
    reports: &[Option<StepReport>],
) -> Vec<Carried> {
    let emitted = |from: usize| {
        let r = reports[from].as_ref()?;
        match (&r.status, plan.steps[from].fallback) {
            (Status::Recovered { .. }, Some(f)) => reports[f as usize].as_ref().map(|f| f.messages),
            _ => Some(r.messages),
        }
    };
    let condition = step.when.as_ref().map(|c| c.input as usize);
    step.inputs
        .iter()
        .enumerate()
        .filter_map(|(i, input)| {
            let c = input.conversion.as_ref()?;
            let messages = match (condition == Some(i), admitted) {
                (true, Some((a, _))) => a,
                _ => emitted(input.from as usize)?,
            };
            let migrations = c.migrations.iter().map(|&m| plan.migrations[m as usize].name.clone()).collect();
            Some(Carried { input: input.name.clone(), migrations, messages })
        })
        .collect()
}

/// The output consumers of step `i` read: the fallback's when `i` was recovered.
fn source_of(i: usize, produced: &[Option<Produced>]) -> &Produced {
    const NONE: &Produced = &Produced { path: None, digest: [0; 32], stream: false };
    produced[i].as_ref().unwrap_or(NONE)
}

struct Shared<'a> {
    plan: &'a Plan,
    opts: &'a Options<'a>,
    events: &'a EventLog,
    breakers: &'a Mutex<Vec<Breaker>>,
    t0: Instant,
}

impl StepReport {
    fn settled(name: &str, status: Status, at: Duration, reason: String) -> StepReport {
        StepReport {
            name: name.into(),
            status,
            duration: Duration::ZERO,
            attempts: 0,
            messages: 0,
            rejected: 0,
            admitted: None,
            carried: Vec::new(),
            started: at,
            finished: at,
            reason,
        }
    }
}

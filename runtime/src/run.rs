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

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use crate::exec::{self, Attempt, DEFAULT_ENV_ALLOWLIST, Exit};
use crate::journal::{Digest, Journal, KeyParts, Outcome, Record, hex};
use crate::plan::{Plan, Step, TriggerRule, VerifiedPlan};

mod boundary;

use boundary::{Rejected, Validated};

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
            max_message: 16 << 20,
        }
    }
}

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
    /// When the step started and settled, from the start of the run.
    pub started: Duration,
    pub finished: Duration,
    /// Why it ran or did not (`--explain`).
    pub reason: String,
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

/// What a worker sends back.
struct Done {
    index: usize,
    report: StepReport,
    committed: Option<Record>,
    produced: Option<Produced>,
    interrupted_attempt: Option<(Digest, u32)>,
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
    let opened = Journal::open(&opts.run_dir.join("journal"))?;
    let mut journal = opened.journal;
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
    let (tx, rx) = mpsc::channel::<Done>();
    let shared = Shared { plan, opts, events: &events, breakers: &breakers, t0 };

    let result = std::thread::scope(|scope| -> std::io::Result<()> {
        loop {
            let stopping = opts.interrupted.load(Ordering::SeqCst);
            let mut progressed = true;
            while progressed && !stopping {
                progressed = false;
                for i in 0..n {
                    if started[i] {
                        continue;
                    }
                    let step = &plan.steps[i];
                    let decision = decide(plan, i, &reports, &awaiting_fallback);
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
                            );
                        }
                        settle_report(&mut reports, i, r, &mut done, n, &mut on_event, &events, t0);
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
                                let report = StepReport { started: t0.elapsed(), finished: t0.elapsed(), ..r.0 };
                                settle_report(&mut reports, i, report, &mut done, n, &mut on_event, &events, t0);
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
                    progressed = true;
                    running += 1;
                    on_event(Event::Started { step: &step.name, running });
                    let tx = tx.clone();
                    let shared = &shared;
                    // Validation recurses: the worker gets the stack it needs at its limit.
                    std::thread::Builder::new().stack_size(crate::validate::STACK_SIZE).spawn_scoped(
                        scope,
                        move || {
                            let d = run_step(shared, i, inputs, parts, key, reason);
                            let _ = tx.send(d);
                        },
                    )?;
                }
            }
            if done == n || (running == 0 && (stopping || !started.iter().any(|s| !s))) {
                break;
            }
            if running == 0 {
                // Nothing runs and nothing can start: only possible when interrupted.
                break;
            }
            // Every step that finished meanwhile is journaled with one fsync (group commit),
            // before anything that needs them starts.
            let mut batch = vec![rx.recv().map_err(std::io::Error::other)?];
            batch.extend(rx.try_iter());
            let mut records = Vec::new();
            for d in &batch {
                if let Some((key, attempt)) = d.interrupted_attempt {
                    records.push(Record::Interrupted { step: plan.steps[d.index].name.clone(), key, attempt });
                }
                if let Some(record) = &d.committed {
                    records.push(record.clone());
                    committed.insert(plan.steps[d.index].name.clone(), record.clone());
                }
            }
            journal.append_all(&records)?;
            for d in batch {
                running -= 1;
                let i = d.index;
                let step = &plan.steps[i];
                match (&d.report.status, step.fallback, step.fallback_for) {
                    (Status::Failed(why), Some(_), _) => {
                        // Not settled yet: its fallback decides.
                        awaiting_fallback[i] = Some(why.clone());
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
                        settle_report(&mut reports, i, d.report, &mut done, n, &mut on_event, &events, t0);
                        settle_report(&mut reports, p, pr, &mut done, n, &mut on_event, &events, t0);
                    }
                    _ => {
                        produced[i] = d.produced;
                        settle_report(&mut reports, i, d.report, &mut done, n, &mut on_event, &events, t0);
                    }
                }
            }
        }
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
    Ok(RunResult { reports, journal_truncated: opened.truncated })
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
) {
    *done += 1;
    events.emit(
        t0,
        serde_json::json!({"event": "step_finished", "step": r.name, "status": r.status.label(), "attempts": r.attempts,
            "duration_ms": r.duration.as_millis() as u64, "messages": r.messages, "rejected": r.rejected, "reason": r.reason}),
    );
    on_event(Event::Finished { report: &r, done: *done, total });
    reports[i] = Some(r);
}

enum Decision {
    Wait,
    Run,
    Skip(String),
    NotNeeded(String),
}

/// Whether step `i` can be decided now, from how its needs ended and its trigger rule.
fn decide(plan: &Plan, i: usize, reports: &[Option<StepReport>], awaiting: &[Option<String>]) -> Decision {
    let step = &plan.steps[i];
    if let Some(p) = step.fallback_for.map(|p| p as usize)
        && awaiting[p].is_none()
    {
        return match &reports[p] {
            Some(r) if r.status.is_ok() => Decision::NotNeeded(format!("`{}` did not fail", plan.steps[p].name)),
            Some(r) => Decision::NotNeeded(format!("`{}` {}", plan.steps[p].name, r.status.label())),
            None => Decision::Wait,
        };
    }
    let mut statuses = Vec::new();
    for &d in &step.needs {
        let d = d as usize;
        match &reports[d] {
            Some(r) if awaiting[d].is_none() => statuses.push((&plan.steps[d].name, &r.status)),
            _ => return Decision::Wait,
        }
    }
    let failed = statuses.iter().find(|(_, s)| matches!(s, Status::Failed(_) | Status::Interrupted));
    let skipped = statuses.iter().find(|(_, s)| matches!(s, Status::Skipped(_)));
    let not_ok = statuses.iter().find(|(_, s)| !s.is_ok());
    match step.trigger {
        TriggerRule::AllSuccess => match not_ok {
            Some((name, s)) => Decision::Skip(format!("`{name}` {}", s.label())),
            None => Decision::Run,
        },
        TriggerRule::AllDone => match skipped {
            Some((name, _)) => Decision::Skip(format!("`{name}` was skipped")),
            None => Decision::Run,
        },
        TriggerRule::OneFailed => match failed {
            Some(_) => Decision::Run,
            None => Decision::Skip("no step it needs failed".into()),
        },
        TriggerRule::Always => Decision::Run,
    }
}

/// The output consumers of step `i` read: the fallback's when `i` was recovered.
fn source_of(i: usize, produced: &[Option<Produced>]) -> &Produced {
    const NONE: &Produced = &Produced { path: None, digest: [0; 32], stream: false };
    produced[i].as_ref().unwrap_or(NONE)
}

fn sha256(parts: &[&[u8]]) -> Digest {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// The environment a step sees: allowlisted host variables that are set, then its own.
fn environment(step: &Step) -> Vec<(String, OsString)> {
    let mut names: Vec<&str> = DEFAULT_ENV_ALLOWLIST.to_vec();
    names.extend(step.env_from_host.iter().map(String::as_str));
    names.sort();
    names.dedup();
    let mut env: Vec<(String, OsString)> =
        names.into_iter().filter_map(|n| std::env::var_os(n).map(|v| (n.to_string(), v))).collect();
    for (k, v) in &step.env {
        env.retain(|(n, _)| n != k);
        env.push((k.clone(), v.into()));
    }
    env
}

fn key_parts(plan: &Plan, step: &Step, inputs: &[(String, Produced)]) -> KeyParts {
    let def = postcard::to_stdvec(step).expect("steps serialize");
    let validator = step
        .output
        .as_ref()
        .and_then(|o| plan.validators.get(o.validator as usize))
        .map(|v| postcard::to_stdvec(v).expect("validators serialize"))
        .unwrap_or_default();
    let host: Vec<u8> = environment(step)
        .iter()
        .filter(|(k, _)| !step.env.iter().any(|(n, _)| n == k))
        .flat_map(|(k, v)| [k.as_bytes(), b"=", v.as_encoded_bytes(), b"\0"].concat())
        .collect();
    KeyParts {
        definition: sha256(&[&def, &validator]),
        inputs: inputs.iter().map(|(n, p)| (n.clone(), p.digest)).collect(),
        environment: sha256(&[&host]),
    }
}

fn key_of(parts: &KeyParts) -> Digest {
    sha256(&[&postcard::to_stdvec(parts).expect("key parts serialize")])
}

/// The committed result for `key`, if its output is still exactly what was recorded.
/// `stream`: the step's output is JSON Lines.
fn up_to_date(run_dir: &Path, record: Option<&Record>, key: &Digest, stream: bool) -> Option<(StepReport, Produced)> {
    let Record::Committed { step, key: k, outcome, output, messages, admitted, attempts, duration_ms, .. } = record?
    else {
        return None;
    };
    if k != key {
        return None;
    }
    let produced = match output {
        Some((rel, digest)) => {
            let path = run_dir.join(rel);
            if file_digest(&path).ok()? != *digest {
                return None;
            }
            Produced { path: Some(path), digest: *digest, stream }
        }
        None => Produced { path: None, digest: *key, stream },
    };
    let status = match outcome {
        Outcome::Succeeded => Status::UpToDate,
        Outcome::Skipped(why) => Status::Skipped(why.clone()),
    };
    let report = StepReport {
        name: step.clone(),
        status,
        duration: Duration::from_millis(*duration_ms),
        attempts: *attempts,
        messages: *messages,
        rejected: 0,
        admitted: *admitted,
        started: Duration::ZERO,
        finished: Duration::ZERO,
        reason: format!("up to date: committed with key {}", &hex(key)[..12]),
    };
    Some((report, produced))
}

/// Why a step that is not up to date runs (`--explain`).
fn explain(previous: Option<&Record>, parts: &KeyParts) -> String {
    let Some(Record::Committed { parts: old, .. }) = previous else {
        return "no committed result for this step".into();
    };
    let mut why = Vec::new();
    if old.definition != parts.definition {
        why.push("its definition changed".to_string());
    }
    for (name, digest) in &parts.inputs {
        if old.inputs.iter().find(|(n, _)| n == name).map(|(_, d)| d) != Some(digest) {
            why.push(format!("input `{name}` changed"));
        }
    }
    if old.environment != parts.environment {
        why.push("its allowed environment changed".to_string());
    }
    if why.is_empty() { "its committed output is missing or was modified".into() } else { why.join(", ") }
}

fn file_digest(path: &Path) -> std::io::Result<Digest> {
    let mut h = Sha256::new();
    let mut f = fs::File::open(path)?;
    std::io::copy(&mut f, &mut h)?;
    Ok(h.finalize().into())
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
            started: at,
            finished: at,
            reason,
        }
    }
}

/// Runs one step to its end: condition, attempts with retries, validation, durable output.
fn run_step(
    s: &Shared<'_>,
    index: usize,
    inputs: Vec<(String, Produced)>,
    parts: KeyParts,
    key: Digest,
    reason: String,
) -> Done {
    let step = &s.plan.steps[index];
    let begin = s.t0.elapsed();
    let start = Instant::now();
    let mut report = StepReport {
        name: step.name.clone(),
        status: Status::Succeeded,
        duration: Duration::ZERO,
        attempts: 0,
        messages: 0,
        rejected: 0,
        admitted: None,
        started: begin,
        finished: begin,
        reason,
    };
    s.events.emit(
        s.t0,
        serde_json::json!({"event": "step_started", "step": step.name, "key": hex(&key), "reason": report.reason}),
    );
    let dir = s.opts.run_dir.join(&step.name);
    let mut done = Done { index, report: report.clone(), committed: None, produced: None, interrupted_attempt: None };
    // The step's folder holds its output and filtered inputs; logs create it when there are any.
    let needs_dir = step.output.is_some() || step.when.is_some();
    if let Err(e) = if needs_dir { fs::create_dir_all(&dir) } else { Ok(()) } {
        report.status = Status::Failed(format!("cannot create {}: {e}", dir.display()));
        done.report = finish(report, start, s.t0);
        return done;
    }
    // Inputs, filtered by the condition where it applies.
    let mut env_inputs = Vec::new();
    for (i, (name, p)) in inputs.iter().enumerate() {
        let Some(path) = &p.path else {
            report.status = Status::Failed(format!("input `{name}` has no output to read"));
            done.report = finish(report, start, s.t0);
            return done;
        };
        let mut path = path.clone();
        // A stream's admitted messages are copied here; a single message is handed over as is.
        if let Some(c) = step.when.as_ref().filter(|c| c.input as usize == i) {
            let filtered = dir.join(format!("input-{name}.jsonl"));
            match boundary::filter(&path, p.stream, s.opts.max_message, &filtered, &c.code) {
                Ok(boundary::Filtered { admitted, offered, path: kept }) => {
                    report.admitted = Some((admitted, offered));
                    if admitted == 0 {
                        let why = format!("`{}` admitted none of {offered} messages", c.source);
                        report.status = Status::Skipped(why.clone());
                        done.committed =
                            Some(commit_record(step, key, &parts, Outcome::Skipped(why), None, &report, start));
                        done.produced = Some(Produced { path: None, digest: key, stream: streams(step) });
                        done.report = finish(report, start, s.t0);
                        return done;
                    }
                    path = kept;
                }
                Err(e) => {
                    report.status = Status::Failed(format!("condition on `{name}`: {e}"));
                    done.report = finish(report, start, s.t0);
                    return done;
                }
            }
        }
        env_inputs.push((format!("CTC_INPUT_{}", name.to_ascii_uppercase()), path.into_os_string()));
    }
    let out_path = output_path(&s.opts.run_dir, step);
    let policy = &step.retry;
    let mut attempt = 0u32;
    let mut rng = Jitter::new(&key);
    loop {
        attempt += 1;
        report.attempts = attempt;
        let idem = format!("{}-{attempt}", &hex(&key)[..32]);
        let tmp = dir.join(format!(".attempt-{attempt}.tmp"));
        let _ = fs::remove_file(&tmp);
        let mut env = environment(step);
        env.extend(env_inputs.iter().cloned());
        env.push(("CTC_STEP".into(), step.name.clone().into()));
        env.push(("CTC_RUN_DIR".into(), s.opts.run_dir.clone().into_os_string()));
        env.push(("CTC_ATTEMPT".into(), attempt.to_string().into()));
        env.push(("CTC_IDEMPOTENCY_KEY".into(), idem.clone().into()));
        if step.output.is_some() {
            env.push(("CTC_OUTPUT".into(), tmp.clone().into_os_string()));
        }
        let remaining = step.deadline_ms.map(|d| Duration::from_millis(d).saturating_sub(start.elapsed()));
        let timeout = match (step.timeout_ms.map(Duration::from_millis), remaining) {
            (Some(t), Some(r)) => Some(t.min(r)),
            (t, r) => t.or(r),
        };
        s.events.emit(s.t0, serde_json::json!({"event": "attempt_started", "step": step.name, "attempt": attempt, "idempotency_key": idem}));
        let outcome = match breaker_admit(s, step) {
            Err(open) => AttemptOutcome::CircuitOpen(open),
            Ok(()) => {
                let wd = step.working_dir.as_deref().map(Path::new);
                let a = Attempt {
                    argv: &step.run,
                    working_dir: wd,
                    env,
                    stdout: dir.join(format!("attempt-{attempt}.stdout")),
                    stderr: dir.join(format!("attempt-{attempt}.stderr")),
                    capture_cap: s.opts.capture_cap,
                    timeout,
                    grace: s.opts.grace,
                };
                let exit = exec::run(&a, s.opts.interrupted);
                let o = match exit {
                    Exit::Code(0) => match &step.output {
                        None => AttemptOutcome::Ok(None),
                        Some(o) => {
                            let validator = &s.plan.validators[o.validator as usize];
                            match boundary::validate_output(validator, o.stream, s.opts.max_message, &tmp, &out_path) {
                                Ok(v) => AttemptOutcome::Ok(Some(v)),
                                Err(e) => AttemptOutcome::Violation(e),
                            }
                        }
                    },
                    Exit::Interrupted => AttemptOutcome::Interrupted,
                    other => {
                        AttemptOutcome::Exit(other, boundary::tail(&dir.join(format!("attempt-{attempt}.stderr")), 5))
                    }
                };
                breaker_record(s, step, matches!(o, AttemptOutcome::Ok(_)));
                o
            }
        };
        s.events.emit(s.t0, serde_json::json!({"event": "attempt_finished", "step": step.name, "attempt": attempt, "result": outcome.describe()}));
        let (retryable, failure) = match outcome {
            AttemptOutcome::Ok(v) => {
                report.messages = v.as_ref().map_or(0, |v| v.messages);
                let rel = out_path.strip_prefix(&s.opts.run_dir).unwrap_or(&out_path).to_string_lossy().into_owned();
                let output = v.map(|v| (rel, v.digest));
                done.produced = Some(Produced {
                    path: output.as_ref().map(|_| out_path.clone()),
                    digest: output.as_ref().map_or(key, |(_, d)| *d),
                    stream: streams(step),
                });
                done.committed = Some(commit_record(step, key, &parts, Outcome::Succeeded, output, &report, start));
                break;
            }
            AttemptOutcome::Violation(v) => {
                report.messages = v.messages;
                report.rejected = v.rejected;
                (false, v.first_error)
            }
            AttemptOutcome::Interrupted => {
                report.status = Status::Interrupted;
                done.interrupted_attempt = Some((key, attempt));
                break;
            }
            AttemptOutcome::CircuitOpen(name) => (true, format!("circuit `{name}` is open")),
            AttemptOutcome::Exit(exit, stderr) => {
                let retry = match &exit {
                    Exit::Code(c) => policy.exit_codes.as_ref().is_none_or(|l| l.contains(c)),
                    Exit::Signal(sig) => policy.signals.as_ref().is_none_or(|l| l.contains(sig)),
                    Exit::TimedOut => policy.on_timeout,
                    Exit::Interrupted | Exit::NotStarted(_) => false,
                };
                let timed_out_by_deadline = exit == Exit::TimedOut
                    && remaining.is_some_and(|r| step.timeout_ms.is_none_or(|t| r < Duration::from_millis(t)));
                let what = if timed_out_by_deadline { "reached its deadline".to_string() } else { exit.describe() };
                let detail = if stderr.is_empty() { what } else { format!("{what}; stderr ends:\n{stderr}") };
                (retry && !timed_out_by_deadline, detail)
            }
        };
        if !retryable || attempt >= policy.max_attempts {
            let tries = if attempt > 1 { format!(" (after {attempt} attempts)") } else { String::new() };
            report.status = Status::Failed(format!("{failure}{tries}"));
            break;
        }
        let delay = backoff(policy, attempt, &mut rng);
        if step.deadline_ms.is_some_and(|d| start.elapsed() + delay >= Duration::from_millis(d)) {
            report.status =
                Status::Failed(format!("{failure}; no time left before the deadline for attempt {}", attempt + 1));
            break;
        }
        s.events.emit(s.t0, serde_json::json!({"event": "retry_scheduled", "step": step.name, "attempt": attempt + 1, "delay_ms": delay.as_millis() as u64, "after": failure}));
        if !sleep_unless_interrupted(delay, s.opts.interrupted) {
            report.status = Status::Interrupted;
            done.interrupted_attempt = Some((key, attempt));
            break;
        }
    }
    done.report = finish(report, start, s.t0);
    done
}

fn finish(mut r: StepReport, start: Instant, t0: Instant) -> StepReport {
    r.duration = start.elapsed();
    r.finished = t0.elapsed();
    r
}

fn commit_record(
    step: &Step,
    key: Digest,
    parts: &KeyParts,
    outcome: Outcome,
    output: Option<(String, Digest)>,
    r: &StepReport,
    start: Instant,
) -> Record {
    Record::Committed {
        step: step.name.clone(),
        key,
        parts: parts.clone(),
        outcome,
        output,
        messages: r.messages,
        admitted: r.admitted,
        attempts: r.attempts,
        duration_ms: start.elapsed().as_millis() as u64,
    }
}

enum AttemptOutcome {
    /// `None` for a step without output.
    Ok(Option<Validated>),
    Violation(Rejected),
    Exit(Exit, String),
    CircuitOpen(String),
    Interrupted,
}

impl AttemptOutcome {
    fn describe(&self) -> String {
        match self {
            AttemptOutcome::Ok(_) => "succeeded".into(),
            AttemptOutcome::Violation(_) => "contract violation".into(),
            AttemptOutcome::Exit(e, _) => e.describe(),
            AttemptOutcome::CircuitOpen(n) => format!("circuit `{n}` open"),
            AttemptOutcome::Interrupted => "interrupted".into(),
        }
    }
}

/// The wait before attempt `attempt + 1`.
fn backoff(p: &crate::plan::RetryPolicy, attempt: u32, rng: &mut Jitter) -> Duration {
    let base = (p.initial_ms as f64) * p.factor.powi(attempt.saturating_sub(1) as i32);
    let base = base.min(p.max_interval_ms as f64);
    let spread = if p.jitter > 0.0 { 1.0 + p.jitter * (2.0 * rng.next() - 1.0) } else { 1.0 };
    Duration::from_millis((base * spread).max(0.0).round() as u64)
}

/// A small xorshift generator for jitter, seeded from the step key: jitter only needs spread.
struct Jitter(u64);

impl Jitter {
    fn new(seed: &Digest) -> Jitter {
        Jitter(u64::from_le_bytes(seed[..8].try_into().expect("8 bytes")) | 1)
    }

    /// Uniform in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn sleep_unless_interrupted(d: Duration, interrupted: &AtomicBool) -> bool {
    let end = Instant::now() + d;
    while Instant::now() < end {
        if interrupted.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep((end - Instant::now()).min(Duration::from_millis(20)));
    }
    !interrupted.load(Ordering::SeqCst)
}

/// One resource's circuit breaker.
#[derive(Clone, Debug, Default)]
struct Breaker {
    consecutive_failures: u32,
    open_until: Option<Instant>,
    probing: bool,
}

/// Lets an attempt through, or names the open circuit that stops it.
fn breaker_admit(s: &Shared<'_>, step: &Step) -> Result<(), String> {
    let mut bs = s.breakers.lock().unwrap_or_else(|e| e.into_inner());
    for &r in &step.resources {
        let b = &bs[r as usize];
        let name = &s.plan.resources[r as usize].name;
        match b.open_until {
            Some(t) if Instant::now() < t => return Err(name.clone()),
            Some(_) if b.probing => return Err(name.clone()),
            _ => {}
        }
    }
    for &r in &step.resources {
        let b = &mut bs[r as usize];
        if b.open_until.is_some() {
            b.probing = true;
            s.events.emit(s.t0, serde_json::json!({"event": "circuit_half_open", "resource": s.plan.resources[r as usize].name, "probe": step.name}));
        }
    }
    Ok(())
}

fn breaker_record(s: &Shared<'_>, step: &Step, ok: bool) {
    let mut bs = s.breakers.lock().unwrap_or_else(|e| e.into_inner());
    for &r in &step.resources {
        let res = &s.plan.resources[r as usize];
        let b = &mut bs[r as usize];
        if ok {
            if b.open_until.is_some() {
                s.events.emit(s.t0, serde_json::json!({"event": "circuit_closed", "resource": res.name}));
            }
            *b = Breaker::default();
        } else {
            b.consecutive_failures += 1;
            if b.probing || b.consecutive_failures >= res.failure_threshold {
                b.open_until = Some(Instant::now() + Duration::from_millis(res.cooldown_ms));
                b.probing = false;
                s.events.emit(s.t0, serde_json::json!({"event": "circuit_opened", "resource": res.name, "cooldown_ms": res.cooldown_ms}));
            }
        }
    }
}

/// JSON Lines events (`--events FILE`), flushed line by line.
struct EventLog(Option<Mutex<BufWriter<fs::File>>>);

impl EventLog {
    fn open(path: Option<&Path>) -> std::io::Result<EventLog> {
        Ok(EventLog(match path {
            Some(p) => Some(Mutex::new(BufWriter::new(fs::OpenOptions::new().create(true).append(true).open(p)?))),
            None => None,
        }))
    }

    fn emit(&self, t0: Instant, mut v: serde_json::Value) {
        let Some(w) = &self.0 else { return };
        if let Some(o) = v.as_object_mut() {
            o.insert("t_ms".into(), serde_json::json!(t0.elapsed().as_millis() as u64));
        }
        let mut w = w.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(w, "{v}");
        let _ = w.flush();
    }
}

/// The human summary: one line per step, then totals.
pub fn summary(plan: &Plan, reports: &[StepReport], wall: Duration) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut out = format!(
        "{:<16} {:<11} {:>9} {:>8} {:>9} {:>9}  {}\n",
        "step", "status", "duration", "attempts", "messages", "rejected", "notes"
    );
    for (step, r) in plan.steps.iter().zip(reports) {
        *counts.entry(r.status.label()).or_default() += 1;
        let mut notes = Vec::new();
        if let Some(c) = step.output.as_ref().and_then(|o| plan.validators.get(o.validator as usize)) {
            notes.push(c.contract.clone());
        }
        if let Some((a, o)) = r.admitted {
            notes.push(format!("condition admitted {a} of {o}"));
        }
        match &r.status {
            Status::Failed(e) | Status::Skipped(e) => notes.push(e.clone()),
            Status::Recovered { by } => notes.push(format!("failed; `{by}` ran in its place")),
            _ => {}
        }
        let has_output = step.output.is_some();
        out.push_str(&format!(
            "{:<16} {:<11} {:>7.2} s {:>8} {:>9} {:>9}  {}\n",
            r.name,
            r.status.label(),
            r.duration.as_secs_f64(),
            r.attempts,
            if has_output { r.messages.to_string() } else { "-".into() },
            if has_output { r.rejected.to_string() } else { "-".into() },
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

/// Prometheus text exposition format (`--metrics FILE`).
pub fn metrics(plan: &Plan, reports: &[StepReport]) -> String {
    let wf = &plan.workflow;
    let mut out = String::new();
    out.push_str("# HELP ctc_steps Steps of the run by final status.\n# TYPE ctc_steps gauge\n");
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in reports {
        *counts.entry(r.status.label()).or_default() += 1;
    }
    for (status, n) in counts {
        out.push_str(&format!("ctc_steps{{workflow=\"{wf}\",status=\"{status}\"}} {n}\n"));
    }
    type Series = (&'static str, &'static str, &'static str, fn(&StepReport) -> String);
    let series: [Series; 4] = [
        ("ctc_step_duration_seconds", "gauge", "Wall time of each step, all attempts.", |r| {
            format!("{:.6}", r.duration.as_secs_f64())
        }),
        ("ctc_messages_validated_total", "counter", "Output messages that passed their contract.", |r| {
            r.messages.to_string()
        }),
        ("ctc_messages_rejected_total", "counter", "Output messages that broke their contract.", |r| {
            r.rejected.to_string()
        }),
        ("ctc_retries_total", "counter", "Attempts after the first.", |r| r.attempts.saturating_sub(1).to_string()),
    ];
    for (name, kind, help, value) in series {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
        for r in reports {
            out.push_str(&format!("{name}{{workflow=\"{wf}\",step=\"{}\"}} {}\n", r.name, value(r)));
        }
    }
    out
}

/// The run report as JSON (written to `<run dir>/report.json`).
pub fn report_json(plan: &Plan, reports: &[StepReport], wall: Duration) -> serde_json::Value {
    serde_json::json!({
        "workflow": plan.workflow,
        "duration_ms": wall.as_millis() as u64,
        "steps": reports.iter().map(|r| serde_json::json!({
            "name": r.name,
            "status": r.status.label(),
            "detail": match &r.status { Status::Failed(e) | Status::Skipped(e) => e.clone(), Status::Recovered { by } => by.clone(), _ => String::new() },
            "attempts": r.attempts,
            "duration_ms": r.duration.as_millis() as u64,
            "messages": r.messages,
            "rejected": r.rejected,
            "admitted": r.admitted.map(|(a, o)| serde_json::json!({"admitted": a, "offered": o})),
            "reason": r.reason,
        })).collect::<Vec<_>>(),
    })
}

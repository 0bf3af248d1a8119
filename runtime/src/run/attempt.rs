//! One step run to its end: its condition, its attempts with retries and backoff, its output
//! validated and made durable, and the record the scheduler journals.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use super::boundary::{self, Rejected, Validated};
use super::breaker;
use super::key::environment;
use super::{Carried, Done, Produced, Shared, Status, StepReport, output_path, streams};
use crate::exec::{self, Attempt, Exit};
use crate::journal::{Digest, KeyParts, Outcome, Record, hex};
use crate::plan::Step;

/// Runs one step to its end: condition, attempts with retries, validation, durable output.
pub(super) fn run_step(
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
    // The deadline counts on the scheduler's clock, waits included.
    let begun = s.opts.clock.now();
    let spent = || s.opts.clock.now().saturating_sub(begun);
    let mut report = StepReport {
        name: step.name.clone(),
        status: Status::Succeeded,
        duration: Duration::ZERO,
        attempts: 0,
        messages: 0,
        rejected: 0,
        admitted: None,
        carried: Vec::new(),
        started: begin,
        finished: begin,
        reason,
    };
    s.events.emit(
        s.t0,
        serde_json::json!({"event": "step_started", "step": step.name, "key": hex(&key), "reason": report.reason}),
    );
    let dir = s.opts.run_dir.join(&step.name);
    let mut done = Done {
        index,
        report: report.clone(),
        committed: None,
        produced: None,
        interrupted_attempt: None,
        disk_error: None,
        phases: exec::Phases::default(),
        outputs: Duration::ZERO,
    };
    // The step's folder holds its output and filtered inputs; logs create it when there are any.
    let needs_dir = step.output.is_some() || step.when.is_some() || step.inputs.iter().any(|i| i.conversion.is_some());
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
        // Admitted and carried messages are written here; otherwise the input is handed over as is.
        let when = step.when.as_ref().filter(|c| c.input as usize == i);
        let input = &step.inputs[i];
        let carry = input.conversion.as_ref().map(|c| boundary::Carry {
            before: &s.plan.validators
                [s.plan.steps[input.from as usize].output.as_ref().expect("verified").validator as usize],
            migrations: c.migrations.iter().map(|&m| &s.plan.migrations[m as usize]).collect(),
            after: &s.plan.validators[c.validator as usize],
        });
        if when.is_some() || carry.is_some() {
            let prepared = dir.join(format!("input-{name}.jsonl"));
            let code = when.map(|c| c.code.as_slice());
            match boundary::prepare(&path, p.stream, s.opts.max_message, &prepared, code, carry.as_ref()) {
                Ok(boundary::Prepared { admitted, offered, path: kept }) => {
                    if let Some(c) = &carry {
                        let migrations: Vec<String> = c.migrations.iter().map(|m| m.name.clone()).collect();
                        s.events.emit(
                            s.t0,
                            serde_json::json!({"event": "input_migrated", "step": step.name, "input": name, "migrations": migrations, "messages": admitted}),
                        );
                        report.carried.push(Carried { input: name.clone(), migrations, messages: admitted });
                    }
                    if let Some(c) = when {
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
                    }
                    path = kept;
                }
                Err(e) => {
                    let what = if when.is_some() { "condition on" } else { "migrating" };
                    report.status = Status::Failed(format!("{what} `{name}`: {e}"));
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
        let remaining = step.deadline_ms.map(|d| Duration::from_millis(d).saturating_sub(spent()));
        let timeout = match (step.timeout_ms.map(Duration::from_millis), remaining) {
            (Some(t), Some(r)) => Some(t.min(r)),
            (t, r) => t.or(r),
        };
        s.events.emit(s.t0, serde_json::json!({"event": "attempt_started", "step": step.name, "attempt": attempt, "idempotency_key": idem}));
        let outcome = match breaker::admit(s, step) {
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
                let (exit, phases) = exec::run_timed(&a, s.opts.interrupted);
                done.phases += phases;
                let o = match exit {
                    Exit::Code(0) => match &step.output {
                        None => AttemptOutcome::Ok(None),
                        Some(o) => {
                            let validating = Instant::now();
                            let validator = &s.plan.validators[o.validator as usize];
                            let o = match boundary::validate_output(validator, o.stream, s.opts.max_message, &tmp) {
                                Ok(v) => match boundary::commit_output(s.opts.disk, &tmp, &out_path) {
                                    Ok(()) => AttemptOutcome::Ok(Some(v)),
                                    Err(e) => AttemptOutcome::Disk(e),
                                },
                                Err(e) => AttemptOutcome::Violation(e),
                            };
                            done.outputs += validating.elapsed();
                            o
                        }
                    },
                    Exit::Interrupted => AttemptOutcome::Interrupted,
                    other => {
                        AttemptOutcome::Exit(other, boundary::tail(&dir.join(format!("attempt-{attempt}.stderr")), 5))
                    }
                };
                breaker::record(s, step, matches!(o, AttemptOutcome::Ok(_)));
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
            AttemptOutcome::Disk(e) => {
                report.status = Status::Failed(e.to_string());
                done.disk_error = Some(e);
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
        if step.deadline_ms.is_some_and(|d| spent() + delay >= Duration::from_millis(d)) {
            report.status =
                Status::Failed(format!("{failure}; no time left before the deadline for attempt {}", attempt + 1));
            break;
        }
        s.events.emit(s.t0, serde_json::json!({"event": "retry_scheduled", "step": step.name, "attempt": attempt + 1, "delay_ms": delay.as_millis() as u64, "after": failure}));
        if !s.opts.clock.sleep(delay, s.opts.interrupted) {
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
    /// The output kept its contract but could not be made durable: the run stops.
    Disk(std::io::Error),
}

impl AttemptOutcome {
    fn describe(&self) -> String {
        match self {
            AttemptOutcome::Ok(_) => "succeeded".into(),
            AttemptOutcome::Violation(_) => "contract violation".into(),
            AttemptOutcome::Exit(e, _) => e.describe(),
            AttemptOutcome::CircuitOpen(n) => format!("circuit `{n}` open"),
            AttemptOutcome::Interrupted => "interrupted".into(),
            AttemptOutcome::Disk(e) => format!("output not made durable: {e}"),
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

//! `runtime step PLAN STEP`: one step of a plan run the way the scheduler runs it, for an engine
//! that schedules the steps itself (an Argo Workflows pod): each input read from a file and
//! validated against its producer's contract, the condition applied per message, the argv run,
//! the output validated against the step's contract and written where the engine collects it,
//! and the events. The engine owns retries and the whole step's deadline (Argo's
//! `retryStrategy` and `timeout`), so this runs one attempt, bounded by the step's per-attempt
//! timeout; there is no journal (a pod's folder does not outlive it), and circuit breakers do
//! not span pods.

use std::fs;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use super::events::EventLog;
use super::key::{key_of, key_parts};
use super::{Options, Produced, Shared, Status, StepReport, attempt, boundary, output_path, streams};
use crate::plan::{Plan, RetryPolicy, VerifiedPlan};

/// What one step did, and its events.
#[derive(Debug)]
pub struct StepRun {
    pub report: StepReport,
    /// Every event, as `--events` writes them.
    pub events: Vec<serde_json::Value>,
}

/// Runs step `name` of `plan` once: input `x` is read from `inputs/x` (laid out as its producer's
/// output: JSON Lines for a stream) and validated against the producer's contract; the output is
/// copied to `output` (an empty file when the condition admitted nothing). `opts.run_dir` holds
/// the attempt's logs and filtered inputs. A failing step is a report; `Err` is an unknown step,
/// an unreadable folder, or an output that cannot be written.
pub fn run_one(
    plan: &VerifiedPlan,
    name: &str,
    inputs: &Path,
    output: &Path,
    opts: &Options<'_>,
) -> Result<StepRun, String> {
    let index = plan
        .steps
        .iter()
        .position(|s| s.name == name)
        .ok_or_else(|| format!("no step `{name}` in {}", plan.workflow))?;
    // One attempt, no deadline of its own: the engine retries and bounds the step.
    let mut single: Plan = (**plan).clone();
    single.steps[index].retry = RetryPolicy::none();
    single.steps[index].deadline_ms = None;
    let plan = &single;
    let step = &plan.steps[index];
    fs::create_dir_all(&opts.run_dir).map_err(|e| format!("{}: {e}", opts.run_dir.display()))?;
    let events = EventLog::open(opts.events.as_deref()).map_err(|e| format!("events: {e}"))?;
    let t0 = Instant::now();
    events.emit(t0, serde_json::json!({"event": "run_started", "workflow": plan.workflow, "steps": 1}));
    let settled = |report: StepReport, events: EventLog| {
        events.emit(
            t0,
            serde_json::json!({"event": "step_finished", "step": report.name, "status": report.status.label()}),
        );
        Ok(StepRun { report, events: events.into_events() })
    };
    let mut produced = Vec::new();
    for input in &step.inputs {
        let producer = &plan.steps[input.from as usize];
        let path = inputs.join(&input.name);
        let stream = streams(producer);
        let validator = producer.output.as_ref().map(|o| &plan.validators[o.validator as usize]);
        let digest = match validator.map(|v| boundary::validate_output(v, stream, opts.max_message, &path)) {
            Some(Ok(v)) => v.digest,
            Some(Err(rejected)) => {
                let why = format!("input `{}` ({}): {}", input.name, path.display(), rejected.first_error);
                return settled(StepReport::settled(name, Status::Failed(why), t0.elapsed(), String::new()), events);
            }
            None => [0; 32],
        };
        produced.push((input.name.clone(), Produced { path: Some(path), digest, stream }));
    }
    let parts = key_parts(plan, step, &produced);
    let key = key_of(&parts);
    let breakers = Mutex::new(vec![super::Breaker::default(); plan.resources.len()]);
    let shared = Shared { plan, opts, events: &events, breakers: &breakers, t0 };
    let done = attempt::run_step(&shared, index, produced, parts, key, "run by `runtime step`".into());
    if let Some(e) = done.disk_error {
        return Err(e.to_string());
    }
    if step.output.is_some() {
        let written = output_path(&opts.run_dir, step);
        let result = match done.report.status {
            Status::Succeeded => fs::copy(&written, output).map(|_| ()),
            // Nothing was admitted: an empty output, so that the engine's artifact exists.
            Status::Skipped(_) => fs::write(output, b""),
            _ => Ok(()),
        };
        result.map_err(|e| format!("cannot write the output to {}: {e}", output.display()))?;
    }
    settled(done.report, events)
}

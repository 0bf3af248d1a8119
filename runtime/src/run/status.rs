//! A run directory read back (`runtime status`, and `contractc mcp`'s `run_status`): each
//! step's last journaled outcome, and, given the plan, what a resume would do with it.
//!
//! Read-only: the journal is read with [`crate::journal::read`] (nothing created, cut off or
//! appended) and committed outputs are hashed, never written. What a resume would do is the
//! scheduler's own reasoning ([`super::trigger::decide`], the step keys of [`super::key`]) run
//! without running a step: a step whose needs all stand settled is reused (committed with the
//! same key and its output intact), skipped by its trigger rule, or run, with the reason
//! `--explain` would print; a step that needs one that runs waits for it, as its fate depends on
//! what that one produces. The keys read this process's allowlisted host environment (PATH,
//! HOME, ...): asked from another environment than the resume's, a step may be said to run
//! because "its allowed environment changed".

use std::collections::HashMap;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::key::{explain, key_of, key_parts, up_to_date};
use super::trigger::{self, Decision, Need};
use super::{Produced, Status, source_of, streams};
use crate::journal::{self, Outcome, Record};
use crate::plan::{Plan, VerifiedPlan};

/// A run directory's journal read back: [`status`]'s answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStatus {
    /// The plan's workflow (`name@M.m`), when a plan was given.
    pub workflow: Option<String>,
    /// The intact records of the journal.
    pub records: usize,
    /// Bytes of a torn tail after them (a crash during a write), which a resume cuts off.
    pub torn_bytes: u64,
    /// The plan's steps in plan order, then any step the journal names that the plan has not
    /// (without a plan: the journal's steps in the order it first names them).
    pub steps: Vec<StepStatus>,
    /// The steps a resume would start at once (given a plan), in plan order.
    pub resume_runs: Option<Vec<String>>,
}

/// One step of a [`RunStatus`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepStatus {
    pub step: String,
    /// Its last journaled outcome.
    pub last: Last,
    /// Attempts of that outcome (`interrupted`: the attempt that was stopped; `none`: 0).
    pub attempts: u32,
    /// Why it failed or was skipped; empty otherwise.
    pub detail: String,
    /// Valid messages of its committed output (`succeeded` only).
    pub messages: Option<u64>,
    /// What a resume would do (given a plan that has the step).
    pub resume: Option<Resume>,
}

/// A step's last journaled outcome (`snake_case` in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Last {
    /// Committed: ran to success.
    Succeeded,
    /// Committed: its condition admitted no message.
    Skipped,
    /// Failed for good.
    Failed,
    /// An attempt was stopped (Ctrl-C).
    Interrupted,
    /// No record: it never finished (or was skipped by its trigger rule, which is not journaled).
    None,
}

impl Last {
    pub fn label(self) -> &'static str {
        match self {
            Last::Succeeded => "succeeded",
            Last::Skipped => "skipped",
            Last::Failed => "failed",
            Last::Interrupted => "interrupted",
            Last::None => "none",
        }
    }
}

/// What a resume would do with a step (in JSON an object whose `action` is the variant's name
/// in `snake_case`, with the variant's fields beside it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Resume {
    /// Committed with the key it has now and its output intact: not run.
    UpToDate,
    /// Started at once, for this reason (`--explain`'s).
    Run { reason: String },
    /// Skipped at once by its trigger rule.
    Skip { reason: String },
    /// A fallback whose step will not fail.
    NotNeeded { reason: String },
    /// Decided once these steps have settled (they run, or wait themselves).
    Wait { on: Vec<String> },
}

impl Resume {
    /// A short text for the table: `up to date`, `run: no committed result ...`, `waits for a, b`.
    pub fn describe(&self) -> String {
        match self {
            Resume::UpToDate => "up to date".into(),
            Resume::Run { reason } => format!("run: {reason}"),
            Resume::Skip { reason } => format!("skip: {reason}"),
            Resume::NotNeeded { reason } => format!("not needed: {reason}"),
            Resume::Wait { on } => format!("waits for {}", on.join(", ")),
        }
    }
}

/// Reads the journal of `run_dir` (`run_dir/journal`) and, with `plan`, says what a resume of
/// that plan in that directory would do (a [`VerifiedPlan`], as the scheduler takes: every index
/// it follows is in range). A run directory without a journal has no record (every
/// step runs). Errors: the journal exists but cannot be read, is not a journal or is of an
/// unknown version (the same errors that stop a run, exit 2).
pub fn status(run_dir: &Path, plan: Option<&VerifiedPlan>) -> io::Result<RunStatus> {
    let plan: Option<&Plan> = plan.map(|p| &**p);
    let contents = match journal::read(&run_dir.join("journal")) {
        Ok(c) => c,
        Err(e) if e.kind() == io::ErrorKind::NotFound => journal::Contents { records: Vec::new(), torn: 0 },
        Err(e) => return Err(e),
    };
    // The last record of each step, and the last committed one (what the scheduler resumes from).
    let mut order: Vec<&str> = plan.map(|p| p.steps.iter().map(|s| s.name.as_str()).collect()).unwrap_or_default();
    let mut last: HashMap<&str, &Record> = HashMap::new();
    let mut committed: HashMap<&str, &Record> = HashMap::new();
    for r in &contents.records {
        if !order.contains(&r.step()) {
            order.push(r.step());
        }
        last.insert(r.step(), r);
        if matches!(r, Record::Committed { .. }) {
            committed.insert(r.step(), r);
        }
    }
    let mut resume: HashMap<&str, Resume> = HashMap::new();
    let mut resume_runs = None;
    if let Some(plan) = plan {
        let plans = resumed(run_dir, plan, &committed);
        resume_runs = Some(
            plan.steps
                .iter()
                .zip(&plans)
                .filter(|(_, r)| matches!(r, Resume::Run { .. }))
                .map(|(s, _)| s.name.clone())
                .collect(),
        );
        resume = plan.steps.iter().map(|s| s.name.as_str()).zip(plans).collect();
    }
    let steps = order
        .iter()
        .map(|&name| {
            let (last_outcome, attempts, detail, messages) = match last.get(name) {
                None => (Last::None, 0, String::new(), None),
                Some(Record::Committed { outcome: Outcome::Succeeded, attempts, messages, .. }) => {
                    (Last::Succeeded, *attempts, String::new(), Some(*messages))
                }
                Some(Record::Committed { outcome: Outcome::Skipped(why), attempts, .. }) => {
                    (Last::Skipped, *attempts, why.clone(), None)
                }
                Some(Record::Failed { attempts, reason, .. }) => (Last::Failed, *attempts, reason.clone(), None),
                Some(Record::Interrupted { attempt, .. }) => (Last::Interrupted, *attempt, String::new(), None),
            };
            StepStatus {
                step: name.to_string(),
                last: last_outcome,
                attempts,
                detail,
                messages,
                resume: resume.remove(name),
            }
        })
        .collect();
    Ok(RunStatus {
        workflow: plan.map(|p| p.workflow.clone()),
        records: contents.records.len(),
        torn_bytes: contents.torn,
        steps,
        resume_runs,
    })
}

/// What a resume of `plan` in `run_dir` would do with each step, in plan order: the scheduler's
/// first pass, with every step that would run left pending.
fn resumed(run_dir: &Path, plan: &Plan, committed: &HashMap<&str, &Record>) -> Vec<Resume> {
    let n = plan.steps.len();
    // As the scheduler holds them: how each step settled, and what its consumers read.
    let mut settled: Vec<Option<Status>> = vec![None; n];
    let mut produced: Vec<Option<Produced>> = vec![None; n];
    let mut out = Vec::with_capacity(n);
    // Steps come after what they need and after the step they are the fallback of.
    for (i, step) in plan.steps.iter().enumerate() {
        let decision = trigger::decide(plan, i, |d| match &settled[d] {
            Some(s) => Need::Settled(s),
            None => Need::Pending,
        });
        let resume = match decision {
            Decision::Wait => {
                let waited = step.needs.iter().copied().chain(step.fallback_for).map(|d| d as usize);
                let on = waited.filter(|&d| settled[d].is_none()).map(|d| plan.steps[d].name.clone()).collect();
                Resume::Wait { on }
            }
            Decision::Skip(reason) => {
                settled[i] = Some(Status::Skipped(reason.clone()));
                Resume::Skip { reason }
            }
            Decision::NotNeeded(reason) => {
                settled[i] = Some(Status::NotNeeded);
                Resume::NotNeeded { reason }
            }
            Decision::Run => {
                let inputs: Vec<(String, Produced)> = step
                    .inputs
                    .iter()
                    .map(|inp| (inp.name.clone(), source_of(inp.from as usize, &produced).clone()))
                    .collect();
                let parts = key_parts(plan, step, &inputs);
                let previous = committed.get(step.name.as_str()).copied();
                match up_to_date(run_dir, previous, &key_of(&parts), streams(step)) {
                    Some((report, output)) => {
                        settled[i] = Some(report.status);
                        produced[i] = Some(output);
                        Resume::UpToDate
                    }
                    None => Resume::Run { reason: explain(previous, &parts) },
                }
            }
        };
        out.push(resume);
    }
    out
}

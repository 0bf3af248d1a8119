//! When a step may start: its trigger rule over how its needs ended, and a fallback's turn.
//! One implementation, read by the scheduler, by [`super::status`] (what a resume would run)
//! and by `contractc mcp`'s `workflow_next`.
//!
//! The rules (README "Workflows", `trigger_rule`), once every need has settled: `all_success`
//! runs when every need succeeded (up to date and recovered count as succeeded), else the step
//! is skipped; `all_done` runs unless a need was skipped; `one_failed` runs when at least one
//! need failed (or was interrupted), else is skipped; `always` runs. A fallback runs only when
//! its step failed for good (the step then awaits it); when its step settled otherwise it is
//! not needed.

use super::Status;
use crate::plan::{Plan, TriggerRule};

/// How a step another one needs stands.
#[derive(Clone, Copy, Debug)]
pub enum Need<'a> {
    /// Not settled yet (not started, running, or waiting for a job slot).
    Pending,
    /// Failed for good and has a fallback, which decides how it ends.
    AwaitingFallback,
    /// Settled with this status.
    Settled(&'a Status),
}

/// What may happen to a step now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// A step it needs (or, for a fallback, its step) has not settled yet.
    Wait,
    Run,
    /// Its trigger rule is not met: the reason, naming a need (`` `load` FAILED ``).
    Skip(String),
    /// A fallback whose step did not fail: the reason.
    NotNeeded(String),
}

/// Decides step `i` of `plan` from how the steps it needs stand (`need(j)` for step `j`).
/// Only `i`'s needs and, for a fallback, its step are asked. `i` must be a step of `plan`
/// (a [`crate::plan::VerifiedPlan`]'s indices are in range).
pub fn decide<'a>(plan: &Plan, i: usize, need: impl Fn(usize) -> Need<'a>) -> Decision {
    let step = &plan.steps[i];
    if let Some(p) = step.fallback_for.map(|p| p as usize) {
        match need(p) {
            Need::AwaitingFallback => {}
            Need::Pending => return Decision::Wait,
            Need::Settled(s) if s.is_ok() => {
                return Decision::NotNeeded(format!("`{}` did not fail", plan.steps[p].name));
            }
            Need::Settled(s) => return Decision::NotNeeded(format!("`{}` {}", plan.steps[p].name, s.label())),
        }
    }
    let mut statuses = Vec::new();
    for &d in &step.needs {
        let d = d as usize;
        match need(d) {
            Need::Settled(s) => statuses.push((&plan.steps[d].name, s)),
            Need::Pending | Need::AwaitingFallback => return Decision::Wait,
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

//! Circuit breakers, one per resource: after `failure_threshold` consecutive failed attempts of
//! steps using it, attempts fail fast for `cooldown`; then one probe goes through, and its result
//! closes or reopens the circuit.

use std::time::Duration;

use super::Shared;
use crate::plan::Step;

/// One resource's circuit breaker.
#[derive(Clone, Debug, Default)]
pub(super) struct Breaker {
    consecutive_failures: u32,
    /// On the scheduler's clock.
    open_until: Option<Duration>,
    probing: bool,
}

/// Lets an attempt through, or names the open circuit that stops it.
pub(super) fn admit(s: &Shared<'_>, step: &Step) -> Result<(), String> {
    let mut bs = s.breakers.lock().unwrap_or_else(|e| e.into_inner());
    for &r in &step.resources {
        let b = &bs[r as usize];
        let name = &s.plan.resources[r as usize].name;
        match b.open_until {
            Some(t) if s.opts.clock.now() < t => return Err(name.clone()),
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

pub(super) fn record(s: &Shared<'_>, step: &Step, ok: bool) {
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
                b.open_until = Some(s.opts.clock.now() + Duration::from_millis(res.cooldown_ms));
                b.probing = false;
                s.events.emit(s.t0, serde_json::json!({"event": "circuit_opened", "resource": res.name, "cooldown_ms": res.cooldown_ms}));
            }
        }
    }
}

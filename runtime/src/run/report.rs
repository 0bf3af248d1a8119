//! What a run reports: the human summary, Prometheus metrics and the JSON run report.

use std::time::Duration;

use super::{Status, StepReport};
use crate::plan::Plan;

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
        notes.extend(r.carried.iter().map(|c| format!("migrated {}", c.describe())));
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
            "migrated": r.carried.iter().map(|c| serde_json::json!({"input": c.input, "migrations": c.migrations, "messages": c.messages})).collect::<Vec<_>>(),
            "reason": r.reason,
        })).collect::<Vec<_>>(),
    })
}

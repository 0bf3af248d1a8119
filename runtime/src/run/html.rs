//! The HTML run report, `<run dir>/report.html`: one self-contained file (inline CSS and SVG, no
//! script, nothing fetched) with the summary table, the workflow's DAG coloured by each step's
//! status, and a timeline drawn from the run's events (one row per step: each attempt from its
//! `attempt_started` to its `attempt_finished`, the backoff wait of each `retry_scheduled`, and a
//! step that did not run, labelled why). Every attempt's bar carries its step, attempt and times
//! as `data-` attributes, so the timeline can be read back and compared with `--events`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use super::{Status, StepReport};
use crate::plan::Plan;

/// Width of the timeline's time axis, and of a DAG column, in SVG units (pixels).
const AXIS: f64 = 720.0;
const ROW: f64 = 26.0;
const LABEL: f64 = 170.0;
const BOX_W: f64 = 150.0;
const BOX_H: f64 = 34.0;
const COL: f64 = 200.0;
const GAP: f64 = 52.0;

/// Text for HTML and SVG (elements and quoted attributes).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A status's colour (fill) in the DAG and the table.
fn colour(status: &Status) -> &'static str {
    match status {
        Status::Succeeded => "#b7e4c7",
        Status::UpToDate => "#cfe2ff",
        Status::Recovered { .. } => "#ffe0a3",
        Status::Failed(_) => "#f5b7b1",
        Status::Skipped(_) | Status::NotNeeded => "#e5e5e5",
        Status::Interrupted => "#d7bde2",
    }
}

/// One attempt of a step, from the events: started and, unless the run ended first, finished.
#[derive(Debug)]
struct Attempt {
    attempt: u64,
    start_ms: u64,
    end_ms: Option<u64>,
    result: String,
}

/// The attempts and the backoff waits (`(from, delay)` in ms) of each step, by step name.
#[derive(Debug, Default)]
struct Lane {
    attempts: Vec<Attempt>,
    waits: Vec<(u64, u64)>,
}

fn lanes(events: &[serde_json::Value]) -> BTreeMap<&str, Lane> {
    let mut lanes: BTreeMap<&str, Lane> = BTreeMap::new();
    for e in events {
        let (Some(kind), Some(step), Some(t)) = (e["event"].as_str(), e["step"].as_str(), e["t_ms"].as_u64()) else {
            continue;
        };
        let lane = lanes.entry(step).or_default();
        match kind {
            "attempt_started" => lane.attempts.push(Attempt {
                attempt: e["attempt"].as_u64().unwrap_or(0),
                start_ms: t,
                end_ms: None,
                result: String::new(),
            }),
            "attempt_finished" => {
                let n = e["attempt"].as_u64();
                if let Some(a) = lane.attempts.iter_mut().rev().find(|a| Some(a.attempt) == n) {
                    a.end_ms = Some(t);
                    a.result = e["result"].as_str().unwrap_or_default().to_string();
                }
            }
            "retry_scheduled" => lane.waits.push((t, e["delay_ms"].as_u64().unwrap_or(0))),
            _ => {}
        }
    }
    lanes
}

/// The report of a run of `plan`: its step reports, in plan order, its events, in order, and its
/// wall time.
pub fn report_html(plan: &Plan, reports: &[StepReport], events: &[serde_json::Value], wall: Duration) -> String {
    let mut out = String::new();
    let title = esc(&plan.workflow);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{title}: run report</title>\n\
         <style>\nbody {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}\n\
         table {{ border-collapse: collapse; }}\ntd, th {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }}\n\
         td.n {{ text-align: right; }}\nsvg text {{ font-size: 12px; }}\n</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n<p>{} steps in {:.2} s.</p>\n",
        reports.len(),
        wall.as_secs_f64()
    );
    table(&mut out, plan, reports);
    out.push_str("<h2>DAG</h2>\n");
    dag(&mut out, plan, reports);
    out.push_str("<h2>Timeline</h2>\n");
    timeline(&mut out, reports, events, wall);
    out.push_str("</body>\n</html>\n");
    out
}

fn table(out: &mut String, plan: &Plan, reports: &[StepReport]) {
    out.push_str(
        "<table>\n<tr><th>step</th><th>status</th><th>duration</th><th>attempts</th><th>messages</th><th>rejected</th><th>notes</th></tr>\n",
    );
    for (step, r) in plan.steps.iter().zip(reports) {
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
        let count = |n: u64| if step.output.is_some() { n.to_string() } else { "-".into() };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td style=\"background: {}\">{}</td><td class=\"n\">{:.2} s</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&r.name),
            colour(&r.status),
            r.status.label(),
            r.duration.as_secs_f64(),
            r.attempts,
            count(r.messages),
            count(r.rejected),
            esc(&notes.join("; "))
        );
    }
    out.push_str("</table>\n");
}

/// The DAG, left to right: a step's column is the length of the longest chain of needs before
/// it (the plan lists steps after the steps they need, a verified plan's indices are in range),
/// its row its place in that column; an arrow per need, dashed to a fallback.
fn dag(out: &mut String, plan: &Plan, reports: &[StepReport]) {
    // What each step waits for: its needs, and the step a fallback stands in for.
    let before = |s: &crate::plan::Step| -> Vec<usize> {
        let mut from: Vec<usize> = s.needs.iter().map(|&n| n as usize).collect();
        from.extend(s.fallback_for.map(|p| p as usize).filter(|p| !from.contains(p)));
        from
    };
    let mut column = vec![0usize; plan.steps.len()];
    for (i, s) in plan.steps.iter().enumerate() {
        column[i] = before(s).iter().map(|&n| column[n] + 1).max().unwrap_or(0);
    }
    let mut row = vec![0usize; plan.steps.len()];
    let mut filled: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, &c) in column.iter().enumerate() {
        let next = filled.entry(c).or_default();
        row[i] = *next;
        *next += 1;
    }
    let at = |i: usize| (20.0 + column[i] as f64 * COL, 20.0 + row[i] as f64 * (BOX_H + GAP));
    let width = 40.0 + (column.iter().max().copied().unwrap_or(0) as f64) * COL + BOX_W;
    let height = 40.0 + (filled.values().max().copied().unwrap_or(1) as f64) * (BOX_H + GAP) - GAP;
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dag\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n\
         <defs><marker id=\"arrow\" markerWidth=\"8\" markerHeight=\"6\" refX=\"8\" refY=\"3\" orient=\"auto\">\
         <polygon points=\"0 0, 8 3, 0 6\" fill=\"#555\"/></marker></defs>"
    );
    for (i, s) in plan.steps.iter().enumerate() {
        let (x1, y1) = at(i);
        for n in before(s) {
            let (x0, y0) = at(n);
            let dash = if s.fallback_for == Some(n as u32) { " stroke-dasharray=\"5 4\"" } else { "" };
            let _ = writeln!(
                out,
                "<path d=\"M {} {} C {} {}, {} {}, {} {}\" fill=\"none\" stroke=\"#555\"{dash} marker-end=\"url(#arrow)\"/>",
                x0 + BOX_W,
                y0 + BOX_H / 2.0,
                x0 + BOX_W + 30.0,
                y0 + BOX_H / 2.0,
                x1 - 30.0,
                y1 + BOX_H / 2.0,
                x1,
                y1 + BOX_H / 2.0
            );
        }
    }
    for (i, r) in reports.iter().enumerate() {
        let (x, y) = at(i);
        let _ = writeln!(
            out,
            "<g class=\"step\" data-step=\"{name}\" data-status=\"{status}\"><title>{name}: {status}</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\" fill=\"{fill}\" stroke=\"#555\"/>\
             <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\">{name}</text></g>",
            name = esc(&r.name),
            status = r.status.label(),
            fill = colour(&r.status),
            tx = x + BOX_W / 2.0,
            ty = y + BOX_H / 2.0 + 4.0,
        );
    }
    out.push_str("</svg>\n");
}

/// One row per step: its attempts as bars on a time axis of the run's wall time, the backoff
/// waits as light bars, and, for a step that did not run, why.
fn timeline(out: &mut String, reports: &[StepReport], events: &[serde_json::Value], wall: Duration) {
    let lanes = lanes(events);
    let total_ms = (wall.as_millis() as u64).max(1);
    let x = |ms: u64| LABEL + AXIS * (ms.min(total_ms) as f64) / total_ms as f64;
    let width = LABEL + AXIS + 20.0;
    let height = ROW * (reports.len() as f64 + 1.0) + 10.0;
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
    );
    // The axis: the run's start, middle and end.
    let axis_y = ROW * reports.len() as f64 + 6.0;
    let _ =
        writeln!(out, "<line x1=\"{LABEL}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"#999\"/>", LABEL + AXIS);
    for ms in [0, total_ms / 2, total_ms] {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#666\">{:.2} s</text>",
            x(ms),
            axis_y + 16.0,
            ms as f64 / 1000.0
        );
    }
    for (k, r) in reports.iter().enumerate() {
        let y = ROW * k as f64 + 4.0;
        let _ = writeln!(out, "<text x=\"4\" y=\"{}\">{}</text>", y + 14.0, esc(&r.name));
        let Some(lane) = lanes.get(r.name.as_str()).filter(|l| !l.attempts.is_empty()) else {
            let why = match &r.status {
                Status::Skipped(e) => format!("skipped: {e}"),
                other => other.label().to_string(),
            };
            let _ = writeln!(
                out,
                "<text class=\"not-run\" data-step=\"{}\" x=\"{LABEL}\" y=\"{}\" fill=\"#888\">{}</text>",
                esc(&r.name),
                y + 14.0,
                esc(&why)
            );
            continue;
        };
        for &(from, delay) in &lane.waits {
            let _ = writeln!(
                out,
                "<rect class=\"wait\" x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" fill=\"#eee\" stroke=\"#bbb\" stroke-dasharray=\"3 2\"><title>backoff {delay} ms</title></rect>",
                x(from),
                y + 4.0,
                (x(from + delay) - x(from)).max(1.0),
                ROW - 12.0
            );
        }
        for a in &lane.attempts {
            let end = a.end_ms.unwrap_or(total_ms);
            let fill = if a.result == "succeeded" { "#52b788" } else { "#e76f51" };
            let end_attr = a.end_ms.map_or(String::new(), |e| format!(" data-end-ms=\"{e}\""));
            let _ = writeln!(
                out,
                "<rect class=\"attempt\" data-step=\"{name}\" data-attempt=\"{n}\" data-start-ms=\"{s}\"{end_attr} \
                 x=\"{x0:.1}\" y=\"{y0}\" width=\"{w:.1}\" height=\"{h}\" fill=\"{fill}\">\
                 <title>{name}, attempt {n}: {result} ({s}–{end} ms)</title></rect>",
                name = esc(&r.name),
                n = a.attempt,
                s = a.start_ms,
                x0 = x(a.start_ms),
                y0 = y + 2.0,
                w = (x(end) - x(a.start_ms)).max(2.0),
                h = ROW - 8.0,
                result = esc(if a.result.is_empty() { "did not finish" } else { &a.result }),
            );
        }
    }
    out.push_str("</svg>\n");
}

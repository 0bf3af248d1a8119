//! Diagnostics for machines: one JSON object per diagnostic, GitHub Actions workflow commands,
//! and SARIF 2.1.0 (OASIS, the Static Analysis Results Interchange Format), which code-review
//! tools show inline. Locations are 1-based lines and columns (columns count Unicode scalar
//! values), recovered from each file's text.

use contractc_diagnostics::{Diagnostic, Severity, codes};
use contractc_syntax::LineIndex;

/// Where a diagnostic starts and ends: `(line, column)` twice, 1-based.
fn region(d: &Diagnostic, source: &dyn Fn(&str) -> Option<String>) -> ((usize, usize), (usize, usize)) {
    let text = source(&d.file).unwrap_or_default();
    let index = LineIndex::new(&text);
    (index.line_col(&text, d.span.start), index.line_col(&text, d.span.end.max(d.span.start)))
}

/// The severity's name, and SARIF's `level` (§3.27.10: `error`, `warning`, `note`).
fn name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn severity(d: &Diagnostic) -> &'static str {
    name(d.severity)
}

/// The level of a rule: its code's severity.
fn level(c: &codes::Code) -> &'static str {
    name(c.severity())
}

/// One JSON object per diagnostic, a line each (`--message-format json`): code, name, severity,
/// file, line, column, pointer, message, notes.
pub fn json(diagnostics: &[Diagnostic], source: &dyn Fn(&str) -> Option<String>) -> String {
    json_values(diagnostics, source).iter().map(|v| format!("{v}\n")).collect()
}

/// The objects of [`json`], one per diagnostic (`contractc mcp`'s `workflow_validate` returns them).
pub fn json_values(diagnostics: &[Diagnostic], source: &dyn Fn(&str) -> Option<String>) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for d in diagnostics {
        let ((line, column), _) = region(d, source);
        out.push(serde_json::json!({
            "code": d.code.id,
            "name": d.code.name,
            "severity": severity(d),
            "file": d.file,
            "line": line,
            "column": column,
            "pointer": d.pointer.to_string(),
            "message": d.message,
            "notes": d.notes,
        }));
    }
    out
}

/// GitHub Actions workflow commands (`--message-format github`), a line each:
/// `::error file=F,line=L,col=C,endLine=..,endColumn=..,title=E0005 unresolved-ref::message`,
/// which GitHub shows as annotations on the pull request's lines. Escaped as the runner's
/// toolkit escapes them: `%`, CR and LF in the message, and `:` and `,` too in a property.
pub fn github(diagnostics: &[Diagnostic], source: &dyn Fn(&str) -> Option<String>) -> String {
    let data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for d in diagnostics {
        let ((line, col), (end_line, end_col)) = region(d, source);
        let mut message = d.message.clone();
        message.push_str(&format!("\npointer: \"{}\"", d.pointer));
        for n in &d.notes {
            message.push('\n');
            message.push_str(n);
        }
        out.push_str(&format!(
            "::{} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
            // GitHub's commands are `error`, `warning` and `notice`.
            if d.severity == Severity::Note { "notice" } else { severity(d) },
            property(&d.file),
            property(&format!("{} {}", d.code.id, d.code.name)),
            data(&message)
        ));
    }
    out
}

/// One SARIF 2.1.0 log (`--message-format sarif`): a run of the tool `contractc` (version
/// `version`) whose rules are every code of the registry, with one result per diagnostic (its
/// code as `ruleId`, level, message, file and region, and the JSON pointer in its properties).
pub fn sarif(diagnostics: &[Diagnostic], source: &dyn Fn(&str) -> Option<String>, version: &str) -> String {
    let rules: Vec<serde_json::Value> = codes::ALL
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "name": c.name,
                "shortDescription": { "text": c.summary },
                "help": { "text": format!("contractc explain {}", c.id) },
                "defaultConfiguration": { "level": level(c) },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let ((line, col), (end_line, end_col)) = region(d, source);
            let mut text = d.message.clone();
            for n in &d.notes {
                text.push('\n');
                text.push_str(n);
            }
            serde_json::json!({
                "ruleId": d.code.id,
                "ruleIndex": codes::ALL.iter().position(|c| c.id == d.code.id),
                "level": severity(d),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": d.file, "uriBaseId": "PROJECTROOT" },
                        "region": { "startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col },
                    },
                }],
                "properties": { "pointer": d.pointer.to_string(), "label": d.label },
            })
        })
        .collect();
    let log = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "contractc",
                "version": version,
                "rules": rules,
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).expect("JSON values serialize") + "\n"
}

#[cfg(test)]
mod tests {
    use contractc_syntax::{Pointer, Span};

    use super::*;

    /// A note is `note` in JSON and SARIF (§3.27.10) and a `notice` for GitHub, and so is its rule's level.
    #[test]
    fn a_note_is_a_note_in_every_format() {
        let text = "{ \"ops\": [] }\n";
        let d = Diagnostic::note(
            codes::EXPLAINED_BY_MIGRATION,
            "contracts/migrations/events/A@1.0..2.0.json",
            Span::new(2, 7),
            Pointer::root().join("ops"),
            "explained",
        );
        let source = |_: &str| Some(text.to_string());
        let json: serde_json::Value = serde_json::from_str(json(std::slice::from_ref(&d), &source).trim()).unwrap();
        assert_eq!(json["severity"], "note");
        assert!(github(std::slice::from_ref(&d), &source).starts_with("::notice file="));
        let sarif: serde_json::Value = serde_json::from_str(&sarif(std::slice::from_ref(&d), &source, "0")).unwrap();
        let run = &sarif["runs"][0];
        assert_eq!(run["results"][0]["level"], "note");
        let index = run["results"][0]["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["defaultConfiguration"]["level"], "note");
    }
}

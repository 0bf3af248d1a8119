//! The diagnostic model shared by every compiler phase, and its human renderer.
//!
//! A [`Diagnostic`] names a file and locates its subject by JSON pointer and byte span; line and
//! column are recovered only when rendering. Codes are stable: a code is never reused for another
//! meaning (see [`codes`]).

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::WriteColor};
use contractc_syntax::{LineIndex, Pointer, Span};

pub mod codes;

pub use codes::Code;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    /// Information that needs no action (a compatibility finding a migration explains); codes `N`.
    Note,
}

/// One problem found in one input file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// What is wrong, one sentence.
    pub message: String,
    /// Path of the file, relative to the project root, `/`-separated.
    pub file: String,
    /// Byte span of the primary subject in `file`.
    pub span: Span,
    /// JSON pointer of the primary subject (RFC 6901).
    pub pointer: Pointer,
    /// Text under the caret.
    pub label: String,
    /// Further notes, including `help: ...` lines saying what to do.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error with code `code` at `pointer` / `span` of `file`.
    pub fn error(code: Code, file: &str, span: Span, pointer: Pointer, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            file: file.to_string(),
            span,
            pointer,
            label: String::new(),
            notes: Vec::new(),
        }
    }

    /// A warning: the same, but the compile goes on.
    pub fn warning(code: Code, file: &str, span: Span, pointer: Pointer, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, file, span, pointer, message) }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.notes.push(format!("help: {}", help.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// A note: information beside the compile, nothing to fix.
    pub fn note(code: Code, file: &str, span: Span, pointer: Pointer, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Note, ..Diagnostic::error(code, file, span, pointer, message) }
    }

    /// `file:line:col` of the primary span, given the file's text.
    pub fn location(&self, text: &str) -> String {
        let (line, col) = LineIndex::new(text).line_col(text, self.span.start);
        format!("{}:{line}:{col}", self.file)
    }
}

/// Renders diagnostics rustc-style: `error[E0005/unresolved-ref]: ...`, `--> file:line:col`, the
/// source line with a caret under the exact JSON node, the JSON pointer and notes.
///
/// `source` returns a file's text by path; a file it does not know is rendered without a snippet.
pub fn render<'a>(
    diagnostics: &[Diagnostic],
    source: impl Fn(&str) -> Option<&'a str>,
    out: &mut dyn WriteColor,
) -> std::io::Result<()> {
    let config = term::Config::default();
    for d in diagnostics {
        let mut files = SimpleFiles::new();
        let text = source(&d.file).unwrap_or("");
        let id = files.add(d.file.clone(), text);
        let cs = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
            Severity::Note => CsDiagnostic::note(),
        };
        let start = (d.span.start as usize).min(text.len());
        let end = (d.span.end as usize).clamp(start, text.len());
        let mut notes = vec![format!("pointer: \"{}\"", d.pointer)];
        notes.extend(d.notes.iter().cloned());
        let cs = cs
            .with_code(format!("{}/{}", d.code.id, d.code.name))
            .with_message(&d.message)
            .with_labels(vec![Label::primary(id, start..end).with_message(&d.label)])
            .with_notes(notes);
        term::emit(out, &config, &files, &cs).map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// Renders to a plain string without colour (tests, snapshots).
pub fn render_to_string<'a>(diagnostics: &[Diagnostic], source: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut buf = term::termcolor::NoColor::new(Vec::new());
    render(diagnostics, source, &mut buf).expect("writing to memory cannot fail");
    String::from_utf8_lossy(&buf.into_inner()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_code_location_caret_and_pointer() {
        let text = "{\n  \"$ref\": \"Nope@1.0.json\"\n}\n";
        let start = text.find("\"Nope").unwrap();
        let d = Diagnostic::error(
            codes::UNRESOLVED_REF,
            "contracts/events/A@1.0.json",
            Span::new(start, start + 15),
            Pointer::root().join("$ref"),
            "`$ref` to `Nope@1.0.json` does not resolve",
        )
        .with_label("no such contract")
        .with_help("contracts are named `Name@MAJOR.MINOR.json`");
        let out = render_to_string(std::slice::from_ref(&d), |_| Some(text));
        assert!(out.contains("error[E0005/unresolved-ref]"), "{out}");
        assert!(out.contains("contracts/events/A@1.0.json:2:11"), "{out}");
        assert!(out.contains("pointer: \"/$ref\""), "{out}");
        assert!(out.contains("^^^^"), "{out}");
        assert_eq!(d.location(text), "contracts/events/A@1.0.json:2:11");
    }
}

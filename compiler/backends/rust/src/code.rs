//! Formatted Rust source, written directly: the backend gives lines without indentation and
//! [`Code`] indents them by their brackets, so no parser or formatter runs (rustfmt's and
//! prettyplease's cost was most of the Rust backend's time).

/// Rust source being written, four spaces per level.
#[derive(Default)]
pub struct Code {
    text: String,
    depth: usize,
}

impl Code {
    /// Appends one line: a line that starts by closing a bracket (`}`, `)`, `]`) is written one
    /// level out, and a line that ends by opening one (`{`, `(`, `[`) opens a level for the lines
    /// after it. Comments never change the level. An empty line stays empty.
    pub fn line(&mut self, line: impl AsRef<str>) {
        let line = line.as_ref();
        let comment = line.starts_with("//");
        if !comment && line.starts_with(['}', ')', ']']) {
            self.depth = self.depth.saturating_sub(1);
        }
        if !line.is_empty() {
            for _ in 0..self.depth {
                self.text.push_str("    ");
            }
            self.text.push_str(line);
        }
        self.text.push('\n');
        if !comment && line.ends_with(['{', '(', '[']) {
            self.depth += 1;
        }
    }

    /// Appends every line of `lines`.
    pub fn lines<S: AsRef<str>>(&mut self, lines: impl IntoIterator<Item = S>) {
        for l in lines {
            self.line(l);
        }
    }

    /// Appends a doc comment (`///`), one line per line of `text`, a line ending at `\n`, `\r\n`
    /// or a bare `\r` (which Rust refuses inside a comment); tabs as spaces (clippy's
    /// `tabs_in_doc_comments`).
    pub fn doc(&mut self, text: &str) {
        for l in text.replace("\r\n", "\n").replace('\r', "\n").replace('\t', "    ").lines() {
            let l = l.trim_end();
            self.line(if l.is_empty() { "///".to_string() } else { format!("/// {l}") });
        }
    }

    pub fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn lines_are_indented_by_their_brackets() {
        let mut c = Code::default();
        c.doc("A type.\r\n\n\tIndented.\r");
        c.lines(["pub struct A {", "pub x: f64,", "}", "fn f() {", "g(", "1,", ");", "// not {", "}"]);
        assert_eq!(
            c.finish(),
            "/// A type.\n///\n///     Indented.\npub struct A {\n    pub x: f64,\n}\nfn f() {\n    g(\n        1,\n    );\n    // not {\n}\n"
        );
    }
}

//! Span-preserving JSON (RFC 8259) and JSON Pointer (RFC 6901).
//!
//! Architecture invariants: this crate knows nothing of salsa, schemas or files. [`parse`] never
//! fails: it returns a tree (with [`Value::Error`] where input was unreadable) plus every syntax
//! error found, each with a byte [`Span`].

mod json;
mod pointer;

pub use json::{Member, Node, SyntaxError, Value, parse};
pub use pointer::{Pointer, escape_token};

/// A byte range `start..end` into the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: start as u32, end: end as u32 }
    }
}

/// Maps byte offsets to 1-based line and column (columns count Unicode scalar values).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    /// 1-based `(line, column)` of byte `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: u32) -> (usize, usize) {
        let offset = (offset as usize).min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_chars() {
        let text = "{\n  \"é\": 1\n}";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        let one = text.find('1').unwrap() as u32;
        assert_eq!(idx.line_col(text, one), (2, 8));
    }
}

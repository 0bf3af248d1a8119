//! A strict RFC 8259 parser that keeps spans and never fails.

use crate::{Pointer, Span};

/// Nesting deeper than this is a syntax error rather than a stack overflow.
const MAX_DEPTH: usize = 128;

/// A JSON value with the byte span it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number, with its source text (lexically valid per RFC 8259 §6).
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in source order; duplicate keys are reported as syntax errors and kept.
    Object(Vec<Member>),
    /// Unreadable input; a syntax error says why.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// A syntax error at a byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

impl Node {
    /// The member `key` of an object, first occurrence.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.members()?.iter().find(|m| m.key == key).map(|m| &m.value)
    }

    pub fn members(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) => n.parse().ok().filter(|f: &f64| f.is_finite()),
            _ => None,
        }
    }

    /// The number as an `i64` when it is written as an integer literal in range.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The node a JSON pointer designates, if any (RFC 6901 §4).
    pub fn at(&self, pointer: &Pointer) -> Option<&Node> {
        let mut node = self;
        for token in pointer.tokens() {
            node = match &node.value {
                Value::Object(_) => node.get(token)?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The node a JSON pointer designates, to change it (see [`Node::at`]).
    pub fn at_mut(&mut self, pointer: &Pointer) -> Option<&mut Node> {
        let mut node = self;
        for token in pointer.tokens() {
            node = match &mut node.value {
                Value::Object(members) => &mut members.iter_mut().find(|m| m.key == *token)?.value,
                Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Where a pointer's subject is written, for messages: a property at its key, anything else
    /// at its value; a pointer to nothing falls back to its nearest existing ancestor.
    pub fn locate(&self, pointer: &Pointer) -> Span {
        let mut tokens = pointer.tokens().to_vec();
        loop {
            let here = tokens.iter().fold(Pointer::root(), |p, t| p.join(t.clone()));
            if let Some((last, parent)) = tokens.split_last() {
                let parent = parent.iter().fold(Pointer::root(), |p, t| p.join(t.clone()));
                let member = self.at(&parent).and_then(Node::members).and_then(|m| m.iter().find(|m| &m.key == last));
                if let Some(m) = member {
                    return m.key_span;
                }
            }
            if let Some(node) = self.at(&here) {
                return node.span;
            }
            if tokens.pop().is_none() {
                return self.span;
            }
        }
    }

    /// Every span of the tree in document order: this node's, then an object's members, each its
    /// key's span and then its value's spans, or an array's items' spans. Document order is byte
    /// order: each span starts after the ones before it.
    pub fn spans(&self) -> Vec<Span> {
        fn visit(n: &Node, out: &mut Vec<Span>) {
            out.push(n.span);
            match &n.value {
                Value::Object(members) => members.iter().for_each(|m| {
                    out.push(m.key_span);
                    visit(&m.value, out);
                }),
                Value::Array(items) => items.iter().for_each(|i| visit(i, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        visit(self, &mut out);
        out
    }

    /// The tree with every span replaced by a position-free one: the `k`-th of [`Node::spans`]
    /// starts at `k + 1` and ends at the last span inside it (a key's and a scalar's at `k + 1`),
    /// so two texts that differ only in whitespace give equal trees, spans keep their document
    /// order and their nesting (a value's span lies inside its parent's), and no span is
    /// `Span::default()` (which locates a whole file).
    /// [`Node::restore_span`] gives the byte span back.
    pub fn without_positions(&self) -> Node {
        fn ordinal(next: &mut u32) -> Span {
            *next += 1;
            Span { start: *next, end: *next }
        }
        fn visit(n: &Node, next: &mut u32) -> Node {
            let mut span = ordinal(next);
            let value = match &n.value {
                Value::Object(members) => Value::Object(
                    members
                        .iter()
                        .map(|m| {
                            let key_span = ordinal(next);
                            Member { key: m.key.clone(), key_span, value: visit(&m.value, next) }
                        })
                        .collect(),
                ),
                Value::Array(items) => Value::Array(items.iter().map(|i| visit(i, next)).collect()),
                other => other.clone(),
            };
            span.end = *next;
            Node { span, value }
        }
        visit(self, &mut 0)
    }

    /// The byte span of `span`, a span of [`Node::without_positions`]'s tree, given this tree's
    /// [`Node::spans`]; `Span::default()` (a whole file) stays as it is.
    pub fn restore_span(spans: &[Span], span: Span) -> Span {
        match span.start {
            0 => span,
            k => spans.get(k as usize - 1).copied().unwrap_or_default(),
        }
    }

    /// The JSON type name of this value, as JSON Schema's `type` keyword spells it.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Error => "invalid",
        }
    }
}

/// Parses `text` as one JSON document. Never fails: see the crate docs.
pub fn parse(text: &str) -> (Node, Vec<SyntaxError>) {
    let mut p = Parser { src: text.as_bytes(), text, pos: 0, errors: Vec::new() };
    if text.starts_with('\u{feff}') {
        p.error(0, 3, "byte order mark is not allowed in JSON (RFC 8259 §8.1)");
        p.pos = 3;
    }
    p.skip_ws();
    let node = p.value(0);
    p.skip_ws();
    if p.pos < p.src.len() && !matches!(node.value, Value::Error) {
        p.error(p.pos, p.src.len(), "unexpected text after the JSON value");
    }
    (node, p.errors)
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    errors: Vec<SyntaxError>,
}

impl Parser<'_> {
    fn error(&mut self, start: usize, end: usize, message: impl Into<String>) {
        self.errors.push(SyntaxError { span: Span::new(start, end.max(start)), message: message.into() });
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn node(&self, start: usize, value: Value) -> Node {
        Node { span: Span::new(start, self.pos), value }
    }

    fn value(&mut self, depth: usize) -> Node {
        let start = self.pos;
        if depth > MAX_DEPTH {
            self.error(start, start + 1, format!("nesting deeper than {MAX_DEPTH} levels"));
            self.pos = self.src.len();
            return self.node(start, Value::Error);
        }
        match self.peek() {
            None => {
                self.error(start, start, "expected a JSON value, found end of input");
                self.node(start, Value::Error)
            }
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string();
                self.node(start, s.map_or(Value::Error, Value::String))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(_) => {
                let end = self.char_end(start);
                self.error(start, end, "expected a JSON value");
                self.pos = end;
                self.node(start, Value::Error)
            }
        }
    }

    fn char_end(&self, at: usize) -> usize {
        let mut end = at + 1;
        while end < self.src.len() && !self.text.is_char_boundary(end) {
            end += 1;
        }
        end.min(self.src.len())
    }

    fn literal(&mut self, word: &str, value: Value) -> Node {
        let start = self.pos;
        if self.src[start..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            self.node(start, value)
        } else {
            let mut end = start;
            while end < self.src.len() && self.src[end].is_ascii_alphanumeric() {
                end += 1;
            }
            self.error(start, end.max(start + 1), format!("expected `{word}`"));
            self.pos = end.max(start + 1);
            self.node(start, Value::Error)
        }
    }

    fn number(&mut self) -> Node {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - s
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let n = digits(self);
        let mut ok = n > 0 && !(n > 1 && self.src[int_start] == b'0');
        if self.peek() == Some(b'.') {
            self.pos += 1;
            ok &= digits(self) > 0;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            ok &= digits(self) > 0;
        }
        let text = &self.text[start..self.pos];
        if !ok {
            self.error(start, self.pos, format!("invalid number `{text}` (RFC 8259 §6)"));
            return self.node(start, Value::Error);
        }
        if !text.parse::<f64>().is_ok_and(f64::is_finite) {
            self.error(start, self.pos, format!("number `{text}` overflows a double"));
            return self.node(start, Value::Error);
        }
        self.node(start, Value::Number(text.to_string()))
    }

    /// Reads a string literal at `self.pos`; `None` after reporting an error.
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut ok = true;
        loop {
            let Some(c) = self.peek() else {
                self.error(start, self.pos, "unterminated string");
                return None;
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return ok.then_some(out);
                }
                b'\\' => {
                    let esc = self.pos;
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            self.pos += 1;
                            match self.unicode_escape(esc) {
                                Some(ch) => out.push(ch),
                                None => ok = false,
                            }
                            continue;
                        }
                        _ => {
                            let end = self.char_end(self.pos.min(self.src.len().saturating_sub(1)));
                            self.error(esc, end, "invalid escape sequence");
                            ok = false;
                        }
                    }
                    self.pos += 1;
                }
                0x00..=0x1f => {
                    self.error(self.pos, self.pos + 1, "control character in string must be escaped");
                    ok = false;
                    self.pos += 1;
                }
                _ => {
                    let end = self.char_end(self.pos);
                    out.push_str(&self.text[self.pos..end]);
                    self.pos = end;
                }
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.src.get(self.pos..self.pos + 4)?;
        let s = std::str::from_utf8(h).ok()?;
        let v = u32::from_str_radix(s, 16).ok().filter(|_| s.bytes().all(|b| b.is_ascii_hexdigit()))?;
        self.pos += 4;
        Some(v)
    }

    /// After `\u`: one escape, or a surrogate pair. Rejects lone surrogates and `\u0000`.
    fn unicode_escape(&mut self, esc: usize) -> Option<char> {
        let Some(hi) = self.hex4() else {
            self.error(esc, self.pos, "`\\u` must be followed by four hex digits");
            return None;
        };
        let code = if (0xD800..0xDC00).contains(&hi) {
            let lo = if self.src[self.pos..].starts_with(b"\\u") {
                self.pos += 2;
                self.hex4()
            } else {
                None
            };
            match lo {
                Some(lo) if (0xDC00..0xE000).contains(&lo) => 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00),
                _ => {
                    self.error(esc, self.pos, "lone surrogate in `\\u` escape");
                    return None;
                }
            }
        } else if (0xDC00..0xE000).contains(&hi) {
            self.error(esc, self.pos, "lone surrogate in `\\u` escape");
            return None;
        } else {
            hi
        };
        if code == 0 {
            self.error(esc, self.pos, "`\\u0000` is not allowed (it cannot be stored in an MQL4 string)");
            return None;
        }
        char::from_u32(code)
    }

    fn array(&mut self, depth: usize) -> Node {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return self.node(start, Value::Array(items));
        }
        loop {
            self.skip_ws();
            let item = self.value(depth + 1);
            let failed = matches!(item.value, Value::Error);
            items.push(item);
            if failed {
                return self.recover(start);
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.error(comma, comma + 1, "trailing comma in array");
                        self.pos += 1;
                        return self.node(start, Value::Array(items));
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    return self.node(start, Value::Array(items));
                }
                _ => {
                    self.error(self.pos, self.pos + 1, "expected `,` or `]` in array");
                    return self.recover(start);
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Node {
        let start = self.pos;
        self.pos += 1;
        let mut members: Vec<Member> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return self.node(start, Value::Object(members));
        }
        loop {
            self.skip_ws();
            let key_start = self.pos;
            if self.peek() != Some(b'"') {
                self.error(key_start, key_start + 1, "expected a string key in object");
                return self.recover(start);
            }
            let Some(key) = self.string() else {
                return self.recover(start);
            };
            let key_span = Span::new(key_start, self.pos);
            if members.iter().any(|m| m.key == key) {
                self.error(key_start, self.pos, format!("duplicate key `{key}`"));
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                self.error(self.pos, self.pos + 1, "expected `:` after object key");
                return self.recover(start);
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1);
            let failed = matches!(value.value, Value::Error);
            members.push(Member { key, key_span, value });
            if failed {
                return self.recover(start);
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.error(comma, comma + 1, "trailing comma in object");
                        self.pos += 1;
                        return self.node(start, Value::Object(members));
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    return self.node(start, Value::Object(members));
                }
                _ => {
                    self.error(self.pos, self.pos + 1, "expected `,` or `}` in object");
                    return self.recover(start);
                }
            }
        }
    }

    /// After an error inside a container: the rest of the document is not read (one error, not a cascade).
    fn recover(&mut self, start: usize) -> Node {
        self.pos = self.src.len();
        self.node(start, Value::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        parse(text).1.into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn parses_nested_values_with_spans() {
        let text = r#"{"a": [1, -2.5e3, true, null], "b": "x\u00e9\ud83d\ude00"}"#;
        let (node, errs) = parse(text);
        assert!(errs.is_empty(), "{errs:?}");
        let b = node.get("b").unwrap();
        assert_eq!(b.as_str(), Some("xé😀"));
        assert_eq!(&text[b.span.start as usize..b.span.end as usize], r#""x\u00e9\ud83d\ude00""#);
        let a = node.at(&Pointer::parse("/a/1").unwrap()).unwrap();
        assert_eq!(a.as_f64(), Some(-2500.0));
    }

    #[test]
    fn rejects_what_rfc_8259_rejects() {
        for (text, want) in [
            ("[1,]", "trailing comma"),
            (r#"{"a":1,"a":2}"#, "duplicate key"),
            ("NaN", "expected a JSON value"),
            ("1e400", "overflows"),
            ("01", "invalid number"),
            (r#""\ud800""#, "lone surrogate"),
            (r#""\u0000""#, "\\u0000"),
            ("\u{feff}{}", "byte order mark"),
            (r#""\x""#, "invalid escape"),
            ("[", "end of input"),
        ] {
            let errs = errors(text);
            assert!(errs.iter().any(|e| e.contains(want)), "{text}: {errs:?}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000);
        assert!(errors(&text).iter().any(|e| e.contains("nesting")));
    }

    #[test]
    fn a_position_free_tree_ignores_whitespace_and_gives_every_span_back() {
        let (a, _) = parse(r#"{"a": [1, {"b": true}], "c": "x"}"#);
        let (b, _) = parse("{\n  \"a\" : [ 1 , { \"b\":true } ],\n  \"c\": \"x\"\n}\n");
        assert_ne!(a, b);
        let (fa, fb) = (a.without_positions(), b.without_positions());
        assert_eq!(fa, fb);
        let (sa, sb) = (a.spans(), b.spans());
        assert_eq!(sa.len(), 9);
        assert!(sa.windows(2).all(|w| w[0].start < w[1].start), "document order is byte order: {sa:?}");
        let at = Pointer::parse("/a/1/b").unwrap();
        let located = (fb.locate(&at), fb.at(&at).unwrap().span);
        assert_eq!(Node::restore_span(&sb, located.0), b.locate(&at));
        assert_eq!(Node::restore_span(&sb, located.1), b.at(&at).unwrap().span);
        assert_eq!(Node::restore_span(&sb, Span::default()), Span::default());
        // Nesting is kept: the array holds its items, not the member after it.
        let (array, item, c) = (fb.get("a").unwrap().span, fb.at(&at).unwrap().span, fb.get("c").unwrap().span);
        assert!(array.start < item.start && item.end <= array.end && array.end < c.start, "{array:?} {item:?} {c:?}");
    }
}

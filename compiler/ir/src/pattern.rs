//! JSON Schema's `pattern` (Validation §6.3.3): an ECMA-262 regular expression, matched as an
//! unanchored search over the instance's code points (ECMA-262 §22.2 with the `u` flag).
//!
//! [`Pattern::parse`] reads the source into a small tree and refuses, with the code point column
//! inside the pattern, every construct the targets would not treat alike: look-around (Python's
//! `re` has only fixed-width look-behind, Rust's `regex` none), backreferences and `\k<name>`
//! (neither Rust's `regex` nor a DFA has them), Unicode property escapes `\p{..}` (Python's `re`
//! has none), and a class escape as a range end (Annex B reads `[\d-z]` as three items; the
//! engines differ). A `{` that starts no quantifier is a literal, as Annex B.1.2 reads it (the
//! renderings escape it, so no engine sees a brace it could take for a quantifier). Every character class is resolved to
//! explicit code point ranges here, with ECMA-262's meaning (§22.2.2.9 CharacterClassEscape:
//! `\d` is `[0-9]`, `\w` is `[A-Za-z0-9_]`, `\s` is WhiteSpace and LineTerminator, `.` is any code
//! point but a LineTerminator), so [`Pattern::render`] writes the same set for every engine and
//! never relies on an engine's own `\d`, `\w`, `\s` or `.`, which are Unicode-aware in Rust and
//! Python.

use std::fmt::Write as _;

/// A parsed `pattern`: its source as written and the tree every rendering comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    /// The pattern as the schema writes it.
    pub source: String,
    node: Node,
}

/// Why a pattern is refused: `column` counts code points from 1 at the pattern's first one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    pub column: usize,
    pub message: String,
    pub hint: &'static str,
}

/// The regular expression syntax a rendering is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// The `regex` crate (and `regex-automata`, which reads the same syntax).
    Rust,
    /// Python's `re`.
    Python,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    /// A set of code points, as sorted, disjoint, non-adjacent inclusive ranges.
    Class(Vec<(u32, u32)>),
    /// `^` (input start) and `$` (input end): ECMA-262 without the `m` flag.
    Start,
    End,
    /// `\b` (true) or `\B`, over ECMA-262's ASCII word characters.
    WordBoundary(bool),
    Concat(Vec<Node>),
    Alternation(Vec<Node>),
    /// `min` to `max` (`None`: unbounded) repetitions. Greed never changes whether a search
    /// matches, so it is not kept.
    Repeat(Box<Node>, u32, Option<u32>),
}

const MAX_CODE_POINT: u32 = 0x10FFFF;
const DIGIT: &[(u32, u32)] = &[(0x30, 0x39)];
const WORD: &[(u32, u32)] = &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];
/// ECMA-262 §12.2 WhiteSpace (TAB, VT, FF, ZWNBSP, USP = category Zs of Unicode 15) and §12.3
/// LineTerminator (LF, CR, LS, PS).
const SPACE: &[(u32, u32)] = &[
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
];
const LINE_TERMINATOR: &[(u32, u32)] = &[(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)];
/// Repetition counts above this are refused: the DFA the MQL4 target compiles grows with them.
pub const MAX_REPEAT: u32 = 1000;

impl Pattern {
    /// Parses an ECMA-262 pattern (u-mode semantics, the constructs listed in the module docs).
    pub fn parse(source: &str) -> Result<Pattern, PatternError> {
        let chars: Vec<char> = source.chars().collect();
        let mut p = Parser { chars: &chars, at: 0 };
        let node = p.alternation()?;
        if p.at < chars.len() {
            // Only `)` stops an alternation early.
            return Err(p.error("unmatched `)`", "escape it as `\\)`"));
        }
        Ok(Pattern { source: source.to_string(), node })
    }

    /// The pattern in `dialect`'s syntax, ASCII only (every character but ASCII letters and
    /// digits written as an escape), for that engine's unanchored search (`Regex::is_match`,
    /// `re.search`).
    pub fn render(&self, dialect: Dialect) -> String {
        let mut out = String::new();
        render(&self.node, dialect, &mut out);
        out
    }

    /// A string built from the tree (the first or, `wide`, the last branch of each alternation;
    /// each repetition's minimum or, `wide`, one more; from each class an ASCII letter or digit
    /// or, `wide`, an astral or non-ASCII member), for test generators and examples. Assertions
    /// add nothing, so the result need not match (`a^b`): callers check it.
    pub fn sample(&self, wide: bool) -> String {
        let mut out = String::new();
        sample(&self.node, wide, &mut out);
        out
    }
}

fn sample(node: &Node, wide: bool, out: &mut String) {
    match node {
        Node::Class(set) => {
            let has = |c: u32| set.iter().any(|&(a, b)| (a..=b).contains(&c));
            let narrow = ('a'..='z').chain('A'..='Z').chain('0'..='9').map(u32::from);
            let preferred: Vec<u32> =
                if wide { [0x1F600, 0xE9, 0x20AC].into_iter().chain(narrow).collect() } else { narrow.collect() };
            let any =
                set.iter().flat_map(|&(a, b)| [a, b]).find(|&c| char::from_u32(c).is_some_and(|c| !c.is_control()));
            if let Some(c) = preferred.into_iter().find(|&c| has(c)).or(any).or(set.first().map(|r| r.0)) {
                out.extend(char::from_u32(c));
            }
        }
        Node::Start | Node::End | Node::WordBoundary(_) => {}
        Node::Concat(items) => items.iter().for_each(|i| sample(i, wide, out)),
        Node::Alternation(branches) => {
            let b = if wide { branches.last() } else { branches.first() };
            sample(b.expect("an alternation has branches"), wide, out);
        }
        Node::Repeat(inner, min, max) => {
            let n = if wide && max.is_none_or(|m| m > *min) { min + 1 } else { *min };
            (0..n).for_each(|_| sample(inner, wide, out));
        }
    }
}

struct Parser<'a> {
    chars: &'a [char],
    at: usize,
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>, hint: &'static str) -> PatternError {
        PatternError { column: self.at + 1, message: message.into(), hint }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        self.at += usize::from(hit);
        hit
    }

    fn alternation(&mut self) -> Result<Node, PatternError> {
        let mut branches = vec![self.concat()?];
        while self.eat('|') {
            branches.push(self.concat()?);
        }
        Ok(if branches.len() == 1 { branches.pop().expect("one") } else { Node::Alternation(branches) })
    }

    fn concat(&mut self) -> Result<Node, PatternError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let start = self.at;
            let atom = self.atom()?;
            let quantifiable = !matches!(atom, Node::Start | Node::End | Node::WordBoundary(_));
            match self.quantifier()? {
                Some((min, max)) if quantifiable => items.push(Node::Repeat(Box::new(atom), min, max)),
                Some(_) => {
                    self.at = start;
                    return Err(self.error("an assertion cannot be repeated", "remove the quantifier"));
                }
                None => items.push(atom),
            }
        }
        Ok(if items.len() == 1 { items.pop().expect("one") } else { Node::Concat(items) })
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each optionally followed by `?` (lazy).
    fn quantifier(&mut self) -> Result<Option<(u32, Option<u32>)>, PatternError> {
        let q = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                let Some((min, max, end)) = self.braces()? else { return Ok(None) };
                if max.is_some_and(|max| max < min) {
                    return Err(self.error("the quantifier's maximum is below its minimum", "swap the numbers"));
                }
                self.at = end - 1;
                (min, max)
            }
            _ => return Ok(None),
        };
        self.at += 1;
        self.eat('?');
        Ok(Some(q))
    }

    /// `{n}`, `{n,}` or `{n,m}` at the cursor: the counts and the index past `}`, or `None` when
    /// the `{` starts no quantifier (a literal `{`, Annex B.1.2's ExtendedPatternCharacter).
    /// The cursor is left where it was.
    fn braces(&mut self) -> Result<Option<(u32, Option<u32>, usize)>, PatternError> {
        let start = self.at;
        self.at += 1;
        let found = match self.number()? {
            None => None,
            Some(min) => {
                let max = if self.eat(',') { self.number()? } else { Some(min) };
                self.eat('}').then_some((min, max, self.at))
            }
        };
        self.at = start;
        Ok(found)
    }

    fn number(&mut self) -> Result<Option<u32>, PatternError> {
        let start = self.at;
        let mut n: u32 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d);
            self.at += 1;
        }
        if self.at == start {
            return Ok(None);
        }
        if n > MAX_REPEAT {
            self.at = start;
            return Err(self.error(
                format!("a repetition count above {MAX_REPEAT} is not supported"),
                "use `*` or `+`, or a smaller bound",
            ));
        }
        Ok(Some(n))
    }

    fn atom(&mut self) -> Result<Node, PatternError> {
        let c = self.peek().expect("caller checked");
        match c {
            '^' => {
                self.at += 1;
                Ok(Node::Start)
            }
            '$' => {
                self.at += 1;
                Ok(Node::End)
            }
            '.' => {
                self.at += 1;
                Ok(Node::Class(complement(LINE_TERMINATOR)))
            }
            '(' => self.group(),
            '[' => self.class(),
            '\\' => self.escape(),
            '*' | '+' | '?' => Err(self.error(format!("`{c}` has nothing to repeat"), "escape it with `\\`")),
            '{' if self.braces()?.is_some() => {
                Err(self.error("the quantifier has nothing to repeat", "escape the `{` as `\\{`"))
            }
            _ => {
                self.at += 1;
                Ok(Node::Class(vec![(c as u32, c as u32)]))
            }
        }
    }

    fn group(&mut self) -> Result<Node, PatternError> {
        let open = self.at;
        self.at += 1;
        if self.eat('?') {
            match self.peek() {
                Some(':') => self.at += 1,
                Some('=' | '!') => {
                    self.at = open;
                    return Err(self.error(
                        "look-ahead is not supported",
                        "write it without look-around (Rust's `regex` and the MQL4 DFA have none)",
                    ));
                }
                Some('<') if matches!(self.chars.get(self.at + 1), Some('=' | '!')) => {
                    self.at = open;
                    return Err(self.error(
                        "look-behind is not supported",
                        "write it without look-around (Rust's `regex` and the MQL4 DFA have none)",
                    ));
                }
                Some('<') => {
                    // A named group: only matching matters, so it is a plain group.
                    self.at += 1;
                    while self.peek().is_some_and(|c| c != '>') {
                        self.at += 1;
                    }
                    if !self.eat('>') {
                        self.at = open;
                        return Err(self.error("unterminated group name", "close the name with `>`"));
                    }
                }
                _ => {
                    self.at = open;
                    return Err(self.error("unknown group syntax `(?`", "use `(...)` or `(?:...)`"));
                }
            }
        }
        let inner = self.alternation()?;
        if !self.eat(')') {
            self.at = open;
            return Err(self.error("unclosed group", "close it with `)`"));
        }
        Ok(inner)
    }

    /// A class `[...]` or `[^...]`; `[]` matches nothing and `[^]` any code point.
    fn class(&mut self) -> Result<Node, PatternError> {
        let open = self.at;
        self.at += 1;
        let negated = self.eat('^');
        let mut set = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                self.at = open;
                return Err(self.error("unclosed character class", "close it with `]`"));
            };
            if c == ']' {
                self.at += 1;
                break;
            }
            let start = self.at;
            let first = self.class_atom()?;
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|&c| c != ']') {
                self.at += 1;
                let end_at = self.at;
                let last = self.class_atom()?;
                match (&first, last) {
                    (&ClassAtom::Char(a), ClassAtom::Char(b)) if a <= b => set.push((a, b)),
                    (ClassAtom::Char(_), ClassAtom::Char(_)) => {
                        self.at = start;
                        return Err(self.error("the range is out of order", "write the lower end first"));
                    }
                    _ => {
                        self.at = if matches!(first, ClassAtom::Set(_)) { start } else { end_at };
                        return Err(self.error("a class escape cannot bound a range", "escape the `-` as `\\-`"));
                    }
                }
            } else {
                match first {
                    ClassAtom::Char(a) => set.push((a, a)),
                    ClassAtom::Set(s) => set.extend_from_slice(&s),
                }
            }
        }
        let set = normalize(set);
        Ok(Node::Class(if negated { complement(&set) } else { set }))
    }

    fn class_atom(&mut self) -> Result<ClassAtom, PatternError> {
        let c = self.peek().expect("caller checked");
        if c != '\\' {
            self.at += 1;
            return Ok(ClassAtom::Char(c as u32));
        }
        if self.chars.get(self.at + 1) == Some(&'b') {
            self.at += 2;
            return Ok(ClassAtom::Char(0x08));
        }
        if self.chars.get(self.at + 1) == Some(&'B') {
            return Err(self.error("`\\B` is not allowed in a class", "remove it"));
        }
        let set_escape = matches!(self.chars.get(self.at + 1), Some('d' | 'D' | 'w' | 'W' | 's' | 'S'));
        match self.escape()? {
            Node::Class(set) if set_escape => Ok(ClassAtom::Set(set)),
            Node::Class(set) => Ok(ClassAtom::Char(set[0].0)),
            _ => unreachable!("only `\\b` and `\\B` escape to a boundary, and they are handled above"),
        }
    }

    /// An escape outside a class (inside one, [`Self::class_atom`] handles `\b` and `\B` first).
    fn escape(&mut self) -> Result<Node, PatternError> {
        let start = self.at;
        self.at += 1;
        let Some(c) = self.peek() else {
            self.at = start;
            return Err(self.error("the pattern ends in `\\`", "escape the backslash as `\\\\`"));
        };
        self.at += 1;
        let single = |c: u32| Ok(Node::Class(vec![(c, c)]));
        match c {
            'd' => Ok(Node::Class(DIGIT.to_vec())),
            'D' => Ok(Node::Class(complement(DIGIT))),
            'w' => Ok(Node::Class(WORD.to_vec())),
            'W' => Ok(Node::Class(complement(WORD))),
            's' => Ok(Node::Class(SPACE.to_vec())),
            'S' => Ok(Node::Class(complement(SPACE))),
            'b' => Ok(Node::WordBoundary(true)),
            'B' => Ok(Node::WordBoundary(false)),
            't' => single(0x09),
            'n' => single(0x0A),
            'v' => single(0x0B),
            'f' => single(0x0C),
            'r' => single(0x0D),
            '0' if !self.peek().is_some_and(|c| c.is_ascii_digit()) => single(0),
            'c' => match self.peek() {
                Some(l) if l.is_ascii_alphabetic() => {
                    self.at += 1;
                    single(l as u32 % 32)
                }
                _ => {
                    self.at = start;
                    Err(self.error("`\\c` needs a letter", "write the control character as `\\xHH`"))
                }
            },
            'x' => {
                let v = self.hex(2).ok_or_else(|| PatternError {
                    column: start + 1,
                    message: "`\\x` needs two hex digits".into(),
                    hint: "write `\\xHH`",
                })?;
                single(v)
            }
            'u' => self.unicode_escape(start),
            '1'..='9' | '0' => {
                self.at = start;
                Err(self.error(
                    "backreferences are not supported",
                    "write it without backreferences (Rust's `regex` and the MQL4 DFA have none)",
                ))
            }
            'k' => {
                self.at = start;
                Err(self.error(
                    "backreferences are not supported",
                    "write it without backreferences (Rust's `regex` and the MQL4 DFA have none)",
                ))
            }
            'p' | 'P' => {
                self.at = start;
                Err(self.error(
                    "Unicode property escapes are not supported",
                    "Python's `re` has no `\\p{...}`: list the ranges in a class",
                ))
            }
            c if c.is_ascii_punctuation() || c == ' ' => single(c as u32),
            c => {
                self.at = start;
                Err(self
                    .error(format!("`\\{c}` is not an escape of ECMA-262"), "remove the backslash, or escape a symbol"))
            }
        }
    }

    /// `\uHHHH` (a surrogate pair of two such escapes is one code point) or `\u{H...}`.
    fn unicode_escape(&mut self, start: usize) -> Result<Node, PatternError> {
        let bad = |message: &str| PatternError {
            column: start + 1,
            message: message.into(),
            hint: "write `\\uHHHH` or `\\u{HHHHH}`",
        };
        let v = if self.eat('{') {
            let from = self.at;
            while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                self.at += 1;
            }
            let digits: String = self.chars[from..self.at].iter().collect();
            if digits.is_empty() || !self.eat('}') {
                return Err(bad("malformed `\\u{...}` escape"));
            }
            u32::from_str_radix(&digits, 16)
                .ok()
                .filter(|&v| v <= MAX_CODE_POINT)
                .ok_or_else(|| bad("the code point is above U+10FFFF"))?
        } else {
            let high = self.hex(4).ok_or_else(|| bad("`\\u` needs four hex digits"))?;
            if (0xD800..0xDC00).contains(&high)
                && self.chars.get(self.at) == Some(&'\\')
                && self.chars.get(self.at + 1) == Some(&'u')
            {
                let back = self.at;
                self.at += 2;
                match self.hex(4) {
                    Some(low) if (0xDC00..0xE000).contains(&low) => 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00),
                    _ => {
                        self.at = back;
                        high
                    }
                }
            } else {
                high
            }
        };
        if (0xD800..0xE000).contains(&v) {
            return Err(bad("a lone surrogate matches no JSON string a contract accepts"));
        }
        Ok(Node::Class(vec![(v, v)]))
    }

    fn hex(&mut self, n: usize) -> Option<u32> {
        let digits: String = self.chars.get(self.at..self.at + n)?.iter().collect();
        let v = u32::from_str_radix(&digits, 16).ok().filter(|_| digits.chars().all(|c| c.is_ascii_hexdigit()))?;
        self.at += n;
        Some(v)
    }
}

enum ClassAtom {
    Char(u32),
    Set(Vec<(u32, u32)>),
}

/// Sorts and merges ranges (adjacent ones too).
fn normalize(mut set: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    set.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(set.len());
    for (a, b) in set {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Every code point not in the normalized `set`.
fn complement(set: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0;
    for &(a, b) in set {
        if a > next {
            out.push((next, a - 1));
        }
        next = b + 1;
    }
    if next <= MAX_CODE_POINT {
        out.push((next, MAX_CODE_POINT));
    }
    out
}

fn render(node: &Node, dialect: Dialect, out: &mut String) {
    match node {
        Node::Class(set) => render_class(set, dialect, out),
        Node::Start => out.push_str(r"\A"),
        Node::End => out.push_str(if dialect == Dialect::Rust { r"\z" } else { r"\Z" }),
        Node::WordBoundary(on) => match dialect {
            Dialect::Rust => out.push_str(if *on { r"(?-u:\b)" } else { r"(?-u:\B)" }),
            // Python's `\b` is Unicode-aware; ECMA-262's is over [A-Za-z0-9_] only.
            Dialect::Python => {
                let w = "[0-9A-Za-z_]";
                if *on {
                    write!(out, "(?:(?<={w})(?!{w})|(?<!{w})(?={w}))").expect("to a String");
                } else {
                    write!(out, "(?:(?<={w})(?={w})|(?<!{w})(?!{w}))").expect("to a String");
                }
            }
        },
        Node::Concat(items) => {
            for item in items {
                if matches!(item, Node::Alternation(_)) {
                    group(item, dialect, out);
                } else {
                    render(item, dialect, out);
                }
            }
        }
        Node::Alternation(branches) => {
            for (i, b) in branches.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                render(b, dialect, out);
            }
        }
        Node::Repeat(inner, min, max) => {
            if matches!(**inner, Node::Concat(_) | Node::Alternation(_) | Node::Repeat(..)) {
                group(inner, dialect, out);
            } else {
                render(inner, dialect, out);
            }
            match (min, max) {
                (0, None) => out.push('*'),
                (1, None) => out.push('+'),
                (0, Some(1)) => out.push('?'),
                (n, Some(m)) if n == m => write!(out, "{{{n}}}").expect("to a String"),
                (n, Some(m)) => write!(out, "{{{n},{m}}}").expect("to a String"),
                (n, None) => write!(out, "{{{n},}}").expect("to a String"),
            }
        }
    }
}

fn group(node: &Node, dialect: Dialect, out: &mut String) {
    out.push_str("(?:");
    render(node, dialect, out);
    out.push(')');
}

fn render_class(set: &[(u32, u32)], dialect: Dialect, out: &mut String) {
    // Rust's classes hold `char`s, which exclude the surrogates; Python's strings can hold them,
    // but no instance does (JSON text with a lone surrogate is refused before validation).
    let set: Vec<(u32, u32)> = match dialect {
        Dialect::Rust => set
            .iter()
            .flat_map(|&(a, b)| [(a, b.min(0xD7FF)), (a.max(0xE000), b)].into_iter().filter(|(a, b)| a <= b))
            .collect(),
        Dialect::Python => set.to_vec(),
    };
    if let [(a, b)] = set[..]
        && a == b
    {
        return escape(a, dialect, out);
    }
    if set.is_empty() {
        // Matches nothing.
        out.push_str("[^");
        escape(0, dialect, out);
        out.push('-');
        escape(MAX_CODE_POINT, dialect, out);
        out.push(']');
        return;
    }
    out.push('[');
    for (a, b) in set {
        escape(a, dialect, out);
        if b > a {
            out.push('-');
            escape(b, dialect, out);
        }
    }
    out.push(']');
}

/// One code point: ASCII letters and digits as themselves, anything else as a hex escape, which
/// both syntaxes read as that code point inside and outside classes.
fn escape(c: u32, dialect: Dialect, out: &mut String) {
    if char::from_u32(c).is_some_and(|c| c.is_ascii_alphanumeric()) {
        out.push(char::from_u32(c).expect("checked"));
        return;
    }
    match dialect {
        Dialect::Rust => write!(out, "\\x{{{c:X}}}"),
        Dialect::Python if c <= 0xFF => write!(out, "\\x{c:02X}"),
        Dialect::Python if c <= 0xFFFF => write!(out, "\\u{c:04X}"),
        Dialect::Python => write!(out, "\\U{c:08X}"),
    }
    .expect("to a String");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rust(p: &str) -> String {
        Pattern::parse(p).unwrap().render(Dialect::Rust)
    }

    fn python(p: &str) -> String {
        Pattern::parse(p).unwrap().render(Dialect::Python)
    }

    fn refused(p: &str) -> (usize, String) {
        let e = Pattern::parse(p).unwrap_err();
        (e.column, e.message)
    }

    #[test]
    fn renders_ecma_classes_as_explicit_ascii_ranges() {
        assert_eq!(rust(r"^\d{3}$"), r"\A[0-9]{3}\z");
        assert_eq!(python(r"^\d{3}$"), r"\A[0-9]{3}\Z");
        assert_eq!(rust(r"\w+"), r"[0-9A-Z\x{5F}a-z]+");
        assert_eq!(rust("a.b"), r"a[\x{0}-\x{9}\x{B}-\x{C}\x{E}-\x{2027}\x{202A}-\x{D7FF}\x{E000}-\x{10FFFF}]b");
        assert_eq!(python("[^a]"), r"[\x00-\x60b-\U0010FFFF]");
        assert_eq!(rust("[]"), r"[^\x{0}-\x{10FFFF}]");
        assert_eq!(rust("(ab|c)*"), "(?:ab|c)*");
        assert_eq!(rust("(?<year>x)(?:y)+?"), "xy+");
        assert_eq!(rust(r"\bx\B"), r"(?-u:\b)x(?-u:\B)");
    }

    #[test]
    fn reads_escapes_as_code_points() {
        assert_eq!(
            rust(r"\u00e9\u{1F600}\uD83D\uDE00\x41\t\cJ\/\-"),
            r"\x{E9}\x{1F600}\x{1F600}A\x{9}\x{A}\x{2F}\x{2D}"
        );
        assert_eq!(python("€😀"), r"\u20AC\U0001F600");
        assert_eq!(rust(r"[\d-]"), r"[\x{2D}0-9]");
        assert_eq!(rust(r"[\b]"), r"\x{8}");
        assert_eq!(
            rust(r"[a-cb-e\s]"),
            r"[\x{9}-\x{D}\x{20}a-e\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}-\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]"
        );
        assert_eq!(rust("a}]"), r"a\x{7D}\x{5D}");
        // Annex B: braces that make no quantifier are literals, however an engine would read them.
        assert_eq!(rust(r"\${{x}}a{,3}"), r"\x{24}\x{7B}\x{7B}x\x{7D}\x{7D}a\x{7B}\x{2C}3\x{7D}");
        assert_eq!(rust("a{2,}b{1,3}"), "a{2,}b{1,3}");
    }

    #[test]
    fn refuses_what_the_targets_would_not_treat_alike_with_the_column() {
        assert_eq!(refused(r"a(?=b)"), (2, "look-ahead is not supported".into()));
        assert_eq!(refused(r"(?<!a)b"), (1, "look-behind is not supported".into()));
        assert_eq!(refused(r"(a)\1"), (4, "backreferences are not supported".into()));
        assert_eq!(refused(r"\p{L}"), (1, "Unicode property escapes are not supported".into()));
        assert_eq!(refused(r"{2}"), (1, "the quantifier has nothing to repeat".into()));
        assert_eq!(refused(r"a{3,2}"), (2, "the quantifier's maximum is below its minimum".into()));
        assert_eq!(refused(r"[a-\d]"), (4, "a class escape cannot bound a range".into()));
        assert_eq!(refused(r"[z-a]"), (2, "the range is out of order".into()));
        assert_eq!(refused(r"^*"), (1, "an assertion cannot be repeated".into()));
        assert_eq!(refused(r"a)"), (2, "unmatched `)`".into()));
        assert_eq!(refused(r"(a"), (1, "unclosed group".into()));
        assert_eq!(refused(r"\a"), (1, "`\\a` is not an escape of ECMA-262".into()));
        assert_eq!(refused(r"\uD800"), (1, "a lone surrogate matches no JSON string a contract accepts".into()));
        assert_eq!(refused(r"x{2000}"), (3, "a repetition count above 1000 is not supported".into()));
        assert_eq!(refused("é+?*"), (4, "`*` has nothing to repeat".into()));
    }
}

//! JSON Schema `pattern` for MQL4, which has no regex engine: each pattern is compiled at build
//! time to a DFA over UTF-8 bytes and emitted as three ASCII string literals that the MQL4 helper
//! `CtcMatchDfa` in `templates/mql4/ctc_json.mqh.j2` walks.
//!
//! # Semantics
//!
//! The input is a pattern in Rust `regex` syntax (the compiler translates ECMA-262 into it, with
//! classes as explicit code point ranges). JSON Schema's `pattern` is an unanchored search
//! (JSON Schema Validation 2020-12, section 6.3.3): the instance is valid when the regex matches
//! anywhere in it, on Unicode code points. [`Dfa::is_match`] answers the same as
//! `regex::Regex::new(pattern)?.is_match(s)`.
//!
//! The DFA comes from `regex-automata` 0.4 (`dfa::dense`, unanchored start, byte classes,
//! [`MatchKind::All`]) and is exported by a breadth-first walk from its start state at the
//! beginning of the text (no look-behind). Two facts of that crate shape the export:
//! - matches are delayed by one byte: a match state is entered on the byte after the match ends,
//!   and [`Automaton::next_eoi_state`] gives the last transition at the end of the text
//!   (`regex_automata::dfa::Automaton`, "All matches are delayed by one byte");
//! - a byte DFA also reports empty matches inside the UTF-8 encoding of a code point, which only
//!   `(?-u:\B)` produces; `regex` drops those (`regex_automata::util::empty`, module docs). A code
//!   point search has no such positions, so a match state entered on a UTF-8 continuation byte
//!   (`0x80..=0xBF`, the byte after a split position) does not count here, and [`MatchKind::All`]
//!   keeps every search thread alive past it.
//!
//! Because only "matches or not" is needed, the matcher stops at the first counted match and at
//! the dead state. So the table has two fixed states: [`DEAD`] (no match can follow) and
//! [`ACCEPT`] (a match was found); states from which no match can follow become [`DEAD`], states
//! from which every continuation matches become [`ACCEPT`], and states with equal rows are merged
//! until none are left (after that early stop, far more states are equal than in the library's DFA:
//! `(?:a|b)*a(?:a|b){12}` goes from 8,195 states to 16). The library's own minimization is off:
//! it is not cheap (2.6 s on that pattern in a debug build, against 45 ms for everything else)
//! and gave no smaller table than the merge on any pattern tried. The result is small, not
//! proven minimal.
//!
//! # Table format
//!
//! All three strings are ASCII, made of base-62 digits only (`0-9`, `A-Z`, `a-z` for 0..=61,
//! most significant digit first), so no `"` or `\` appears and no escape is needed:
//! - `classes`: digit `cw` (digits per class number), `k` (the number of byte classes) in `cw`
//!   digits, then the class of each byte `0..=255` in `cw` digits: `1 + cw + 256 * cw` characters;
//! - `table`: digit `sw` (digits per state number), the start state in `sw` digits, then for each
//!   state `q` in `0..n` and class `c` in `0..k` the next state in `sw` digits, at character
//!   `1 + sw + (q * k + c) * sw`: `1 + sw + n * k * sw` characters;
//! - `accept`: one digit per state, `1` when the end of the text in that state is a match (the EOI
//!   transition of `regex-automata` leads to a match), else `0`: `n` characters.
//!
//! States are numbered 0 ([`DEAD`]), 1 ([`ACCEPT`]), then in breadth-first order from the start
//! (bytes in increasing order), and byte classes in the order of their smallest byte, so the same
//! pattern always gives the same strings.

use std::collections::{HashMap, VecDeque};

use regex_automata::dfa::{Automaton, StartKind, dense};
use regex_automata::nfa::thompson;
use regex_automata::util::{primitives::StateID, start, syntax};
use regex_automata::{Anchored, MatchKind};

/// The most transitions (states times byte classes) a pattern's table may have.
///
/// The limit bounds what one pattern adds to the generated `.mqh`: state numbers then fit in 3
/// base-62 digits (62^3 = 238,328), so the `table` literal stays under 200,000 characters (about
/// 1,000 chunks); a pattern beyond it is refused at build time with a clear message rather than
/// emitted as megabytes of MQL4 source. Measured: `\A[0-9]{4}-[0-9]{2}-[0-9]{2}\z` needs 39
/// (13 states x 3 classes), a class of 400 ranges up to U+14F18 repeated with `+` 26,481
/// (291 x 91), the same class `{3}` 78,897 (refused).
pub const MAX_TRANSITIONS: usize = 65_536;

/// The start of the error message for a pattern whose table would exceed [`MAX_TRANSITIONS`].
pub const TOO_LARGE: &str = "pattern is too large for MQL4";

/// The state from which no match can follow: the matcher answers false on entering it.
pub const DEAD: usize = 0;

/// The state entered once a match is found: the matcher answers true on entering it.
pub const ACCEPT: usize = 1;

/// Bytes of working memory each of NFA compilation, determinization and the DFA may use, so that
/// a pattern far beyond [`MAX_TRANSITIONS`] fails fast instead of determinizing for minutes.
const BUILD_LIMIT: usize = 4 << 20;

/// The longest string literal [`Dfa::mql4_call`] writes; longer strings are chunks joined with
/// `+` at run time. Old MQL4 compilers (before build 600) cut string constants at 255 characters,
/// and the current reference documents no limit either way.
const CHUNK: usize = 200;

/// The base-62 digits, value 0 to 61.
const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A pattern compiled to the tables `CtcMatchDfa` reads (module docs, "Table format").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dfa {
    classes: String,
    table: String,
    accept: String,
}

/// Compiles `rust_syntax` (a pattern in Rust `regex` syntax) to the MQL4 tables.
///
/// Err(message) when the pattern does not parse or cannot be a DFA (`regex-automata`'s message,
/// e.g. for a Unicode `\b`), or when its table would have more than [`MAX_TRANSITIONS`]
/// transitions (the message starts with [`TOO_LARGE`]).
pub fn build(rust_syntax: &str) -> Result<Dfa, String> {
    let dfa = dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Unanchored)
                .match_kind(MatchKind::All)
                .byte_classes(true)
                .minimize(false)
                .accelerate(false)
                .dfa_size_limit(Some(BUILD_LIMIT))
                .determinize_size_limit(Some(BUILD_LIMIT)),
        )
        .syntax(syntax::Config::new())
        .thompson(thompson::Config::new().nfa_size_limit(Some(BUILD_LIMIT)))
        .build(rust_syntax)
        .map_err(|e| build_error(rust_syntax, &e))?;
    let start = dfa
        .start_state(&start::Config::new().anchored(Anchored::No))
        .map_err(|e| format!("pattern {rust_syntax:?}: {e}"))?;
    let mut graph = Graph::walk(&dfa, start).map_err(|e| format!("pattern {rust_syntax:?}: {e}"))?;
    graph.trim();
    graph.merge_equal_states();
    let table = graph.renumber().byte_classes();
    let transitions = table.states() * table.class_count;
    if transitions > MAX_TRANSITIONS {
        return Err(format!(
            "{TOO_LARGE}: its DFA needs {transitions} transitions ({} states x {} byte classes), over the \
             limit of {MAX_TRANSITIONS}; simplify the pattern",
            table.states(),
            table.class_count
        ));
    }
    Ok(table.encode())
}

/// The message for a failed `regex-automata` build, with its source chain (the NFA error says
/// what is wrong with the pattern).
fn build_error(pattern: &str, e: &dense::BuildError) -> String {
    let nfa_limit = std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<thompson::BuildError>())
        .is_some_and(|n| n.size_limit().is_some());
    if e.is_size_limit_exceeded() || nfa_limit {
        return format!(
            "{TOO_LARGE}: building its DFA took more than {BUILD_LIMIT} bytes, far over the limit of \
             {MAX_TRANSITIONS} transitions; simplify the pattern"
        );
    }
    let mut message = format!("pattern {pattern:?}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    message
}

/// Whether byte `b` continues a UTF-8 sequence, so that the position before it splits a code point.
fn is_continuation(b: u8) -> bool {
    (0x80..=0xBF).contains(&b)
}

/// The reachable part of a DFA with [`DEAD`] and [`ACCEPT`] made absorbing: per state its next
/// state for each representative byte and whether the end of the text there is a match.
struct Graph {
    /// One byte per set of bytes that behave alike everywhere: same `regex-automata` byte class
    /// and both continuation bytes or neither.
    reps: Vec<u8>,
    /// For each byte, the index of its representative in `reps`.
    rep_of: [usize; 256],
    start: usize,
    next: Vec<Vec<usize>>,
    eoi: Vec<bool>,
}

impl Graph {
    /// Walks `dfa` breadth-first from `start`. Err when a quit state is reachable (a pattern the
    /// DFA can only search heuristically).
    fn walk(dfa: &dense::DFA<Vec<u32>>, start: StateID) -> Result<Graph, String> {
        let classes = dfa.byte_classes();
        let mut reps = Vec::new();
        let mut rep_of = [0; 256];
        let mut seen = HashMap::new();
        for b in 0..=255u8 {
            let key = (classes.get(b), is_continuation(b));
            rep_of[usize::from(b)] = *seen.entry(key).or_insert_with(|| {
                reps.push(b);
                reps.len() - 1
            });
        }
        let mut graph = Graph {
            next: vec![vec![DEAD; reps.len()], vec![ACCEPT; reps.len()]],
            eoi: vec![false, true],
            reps,
            rep_of,
            start: DEAD,
        };
        let mut ids: HashMap<StateID, usize> = HashMap::new();
        let mut queue = VecDeque::new();
        // The start of the text is a code point boundary, so a match there counts.
        graph.start = graph.node(dfa, start, true, &mut ids, &mut queue)?;
        while let Some((sid, q)) = queue.pop_front() {
            for r in 0..graph.reps.len() {
                let b = graph.reps[r];
                let t = graph.node(dfa, dfa.next_state(sid, b), !is_continuation(b), &mut ids, &mut queue)?;
                graph.next[q][r] = t;
            }
        }
        Ok(graph)
    }

    /// The state for `regex-automata` state `sid`, entered at a code point boundary or not;
    /// a state seen for the first time is added and queued.
    fn node(
        &mut self,
        dfa: &dense::DFA<Vec<u32>>,
        sid: StateID,
        at_boundary: bool,
        ids: &mut HashMap<StateID, usize>,
        queue: &mut VecDeque<(StateID, usize)>,
    ) -> Result<usize, String> {
        if dfa.is_quit_state(sid) {
            return Err("the DFA would have to give up on some input (quit state)".to_string());
        }
        if dfa.is_dead_state(sid) {
            return Ok(DEAD);
        }
        if dfa.is_match_state(sid) && at_boundary {
            return Ok(ACCEPT);
        }
        if let Some(&q) = ids.get(&sid) {
            return Ok(q);
        }
        let q = self.next.len();
        self.next.push(vec![DEAD; self.reps.len()]);
        self.eoi.push(dfa.is_match_state(dfa.next_eoi_state(sid)));
        ids.insert(sid, q);
        queue.push_back((sid, q));
        Ok(q)
    }

    /// Sends to [`DEAD`] every state from which no match can follow (no path to [`ACCEPT`] or to a
    /// state whose end matches) and to [`ACCEPT`] every state from which every continuation
    /// matches (no path to a state whose end does not match). Loops hide both from
    /// [`Graph::merge_equal_states`]: `[^\x{0}-\x{10FFFF}]` starts in a state that only loops to
    /// itself.
    fn trim(&mut self) {
        let n = self.next.len();
        let mut before = vec![Vec::new(); n];
        for (q, row) in self.next.iter().enumerate() {
            for &t in row {
                before[t].push(q);
            }
        }
        let live = backward(&before, (0..n).filter(|&q| q == ACCEPT || self.eoi[q]));
        let fails = backward(&before, (0..n).filter(|&q| !self.eoi[q]));
        let into: Vec<usize> = (0..n)
            .map(|q| {
                if !live[q] {
                    DEAD
                } else if !fails[q] {
                    ACCEPT
                } else {
                    q
                }
            })
            .collect();
        for row in &mut self.next {
            for t in row.iter_mut() {
                *t = into[*t];
            }
        }
        self.start = into[self.start];
    }

    /// Merges states with the same row and EOI flag into the lowest-numbered one until none are
    /// left: e.g. a state whose every byte and end accepts becomes [`ACCEPT`].
    fn merge_equal_states(&mut self) {
        let n = self.next.len();
        let mut alive = vec![true; n];
        loop {
            let mut into: Vec<usize> = (0..n).collect();
            let mut first: HashMap<(bool, &[usize]), usize> = HashMap::new();
            let mut merged = false;
            for q in (0..n).filter(|&q| alive[q]) {
                let keep = *first.entry((self.eoi[q], &self.next[q])).or_insert(q);
                if keep != q {
                    into[q] = keep;
                    merged = true;
                }
            }
            if !merged {
                return;
            }
            for q in 0..n {
                alive[q] = alive[q] && into[q] == q;
            }
            for row in &mut self.next {
                for t in row.iter_mut() {
                    *t = into[*t];
                }
            }
            self.start = into[self.start];
        }
    }

    /// The reachable states numbered [`DEAD`], [`ACCEPT`], then breadth-first from the start.
    fn renumber(&self) -> Graph {
        let mut new_id = vec![usize::MAX; self.next.len()];
        let mut order = vec![DEAD, ACCEPT];
        new_id[DEAD] = DEAD;
        new_id[ACCEPT] = ACCEPT;
        let mut i = order.len();
        if new_id[self.start] == usize::MAX {
            new_id[self.start] = order.len();
            order.push(self.start);
        }
        while i < order.len() {
            for &t in &self.next[order[i]] {
                if new_id[t] == usize::MAX {
                    new_id[t] = order.len();
                    order.push(t);
                }
            }
            i += 1;
        }
        Graph {
            reps: self.reps.clone(),
            rep_of: self.rep_of,
            start: new_id[self.start],
            next: order.iter().map(|&q| self.next[q].iter().map(|&t| new_id[t]).collect()).collect(),
            eoi: order.iter().map(|&q| self.eoi[q]).collect(),
        }
    }

    /// The final byte classes: bytes whose next state is the same in every state share one,
    /// numbered in the order of their smallest byte.
    fn byte_classes(&self) -> Table {
        // Representatives are numbered in the order of their smallest byte already.
        let mut columns: HashMap<Vec<usize>, usize> = HashMap::new();
        let mut first_rep = Vec::new();
        let class_of_rep: Vec<usize> = (0..self.reps.len())
            .map(|r| {
                let column: Vec<usize> = self.next.iter().map(|row| row[r]).collect();
                *columns.entry(column).or_insert_with(|| {
                    first_rep.push(r);
                    first_rep.len() - 1
                })
            })
            .collect();
        Table {
            class_of_byte: self.rep_of.map(|r| class_of_rep[r]),
            class_count: first_rep.len(),
            start: self.start,
            next: self.next.iter().map(|row| first_rep.iter().map(|&r| row[r]).collect()).collect(),
            eoi: self.eoi.clone(),
        }
    }
}

/// Which states reach one of `from` (themselves included), given each state's predecessors.
fn backward(before: &[Vec<usize>], from: impl Iterator<Item = usize>) -> Vec<bool> {
    let mut reached = vec![false; before.len()];
    let mut stack: Vec<usize> = from.collect();
    for &q in &stack {
        reached[q] = true;
    }
    while let Some(q) = stack.pop() {
        for &p in &before[q] {
            if !reached[p] {
                reached[p] = true;
                stack.push(p);
            }
        }
    }
    reached
}

/// The final table before encoding: `next[q][c]` for state `q` and class `c`.
struct Table {
    class_of_byte: [usize; 256],
    class_count: usize,
    start: usize,
    next: Vec<Vec<usize>>,
    eoi: Vec<bool>,
}

impl Table {
    fn states(&self) -> usize {
        self.next.len()
    }

    /// The three strings of the module docs, "Table format".
    fn encode(&self) -> Dfa {
        let cw = width(self.class_count);
        let mut classes = String::with_capacity(1 + cw + 256 * cw);
        push_number(&mut classes, cw, 1);
        push_number(&mut classes, self.class_count, cw);
        for &c in &self.class_of_byte {
            push_number(&mut classes, c, cw);
        }
        let sw = width(self.states() - 1);
        let mut table = String::with_capacity(1 + sw + self.states() * self.class_count * sw);
        push_number(&mut table, sw, 1);
        push_number(&mut table, self.start, sw);
        for row in &self.next {
            for &t in row {
                push_number(&mut table, t, sw);
            }
        }
        let accept = self.eoi.iter().map(|&m| if m { '1' } else { '0' }).collect();
        Dfa { classes, table, accept }
    }
}

/// The number of base-62 digits that writes every value up to `max`.
fn width(max: usize) -> usize {
    let (mut digits, mut cap) = (1, 62);
    while max >= cap {
        digits += 1;
        cap *= 62;
    }
    digits
}

/// Appends `value` to `out` as exactly `digits` base-62 digits.
fn push_number(out: &mut String, value: usize, digits: usize) {
    for i in (0..digits).rev() {
        let d = value / 62usize.pow(i as u32) % 62;
        out.push(char::from(DIGITS[d]));
    }
}

/// `s` as one MQL4 string expression: a literal, or literals of at most [`CHUNK`] characters
/// joined with ` + `, the first cast to `string` (`(string)"..." + "..."`), so that every `+` is
/// between strings in C++ too (the g++ test shim), where two literals would be two pointers.
/// `s` is base-62 digits, so nothing needs escaping.
fn literal(s: &str) -> String {
    let chunks: Vec<String> =
        s.as_bytes().chunks(CHUNK).map(|c| format!("\"{}\"", String::from_utf8_lossy(c))).collect();
    match chunks.len() {
        0 => "\"\"".to_string(),
        1 => chunks[0].clone(),
        _ => format!("(string){}", chunks.join(" + ")),
    }
}

/// `StringGetCharacter(s, i)`: the code unit at `i`, 0 out of range.
fn unit_at(s: &[u16], i: i64) -> i64 {
    usize::try_from(i).ok().and_then(|i| s.get(i)).map_or(0, |&u| i64::from(u))
}

/// `CtcDfaDigit`: the value of base-62 digit `c` (nonsense, but no failure, for other characters).
fn digit(c: i64) -> i64 {
    if c >= i64::from(b'a') {
        c - i64::from(b'a') + 36
    } else if c >= i64::from(b'A') {
        c - i64::from(b'A') + 10
    } else {
        c - i64::from(b'0')
    }
}

/// `CtcDfaNumber`: the base-62 number of `width` digits at `at` in `t`.
fn number(t: &[u16], at: i64, width: i64) -> i64 {
    (0..width).fold(0, |v, i| v * 62 + digit(unit_at(t, at + i)))
}

impl Dfa {
    /// The MQL4 call expression that tests string expression `s` (evaluated once, by value):
    /// `CtcMatchDfa(s, <classes>, <table>, <accept>)`, a `bool`. Each table is ASCII string
    /// literals of at most 200 characters; a longer one is `(string)"..." + "..." + ...`.
    pub fn mql4_call(&self, s: &str) -> String {
        format!("CtcMatchDfa({s}, {}, {}, {})", literal(&self.classes), literal(&self.table), literal(&self.accept))
    }

    /// Whether the pattern matches somewhere in `s`, by the algorithm `CtcMatchDfa` runs, step
    /// for step, over the same encoded strings: UTF-16 code units, surrogate pairs joined, each
    /// code point fed as its UTF-8 bytes, then the end of the text.
    pub fn is_match(&self, s: &str) -> bool {
        let s: Vec<u16> = s.encode_utf16().collect();
        let classes: Vec<u16> = self.classes.encode_utf16().collect();
        let table: Vec<u16> = self.table.encode_utf16().collect();
        let accept: Vec<u16> = self.accept.encode_utf16().collect();
        let n = s.len() as i64;
        let states = accept.len() as i64;
        let cw = digit(unit_at(&classes, 0));
        let k = number(&classes, 1, cw);
        let sw = digit(unit_at(&table, 0));
        let mut state = number(&table, 1, sw);
        let mut i = 0;
        if cw < 1 || sw < 1 || k < 1 {
            return false;
        }
        if state == ACCEPT as i64 {
            return true;
        }
        if state == DEAD as i64 || state < 0 || state >= states {
            return false;
        }
        while i < n {
            let c = unit_at(&s, i);
            let mut cp = c;
            i += 1;
            if (0xD800..0xDC00).contains(&c) && i < n {
                let low = unit_at(&s, i);
                if (0xDC00..=0xDFFF).contains(&low) {
                    cp = 0x10000 + (c - 0xD800) * 1024 + (low - 0xDC00);
                    i += 1;
                }
            }
            let len = match cp {
                0..0x80 => 1,
                0x80..0x800 => 2,
                0x800..0x10000 => 3,
                _ => 4,
            };
            for j in 0..len {
                let b = match (j, len) {
                    (0, 1) => cp,
                    (0, 2) => 0xC0 | (cp >> 6),
                    (0, 3) => 0xE0 | (cp >> 12),
                    (0, _) => 0xF0 | (cp >> 18),
                    _ => 0x80 | ((cp >> (6 * (len - 1 - j))) & 0x3F),
                };
                let class = number(&classes, 1 + cw + b * cw, cw);
                if class < 0 || class >= k {
                    return false;
                }
                state = number(&table, 1 + sw + (state * k + class) * sw, sw);
                if state == ACCEPT as i64 {
                    return true;
                }
                if state == DEAD as i64 || state < 0 || state >= states {
                    return false;
                }
            }
        }
        unit_at(&accept, state) == i64::from(b'1')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUTS: &[&str] = &[
        "",
        "a",
        "abc",
        "ABC",
        "0",
        "2024-01-31",
        "a b",
        "_x_",
        "-",
        "\n",
        "\r\n",
        "\u{2028}",
        "é",
        "aé",
        "éa",
        "aéa",
        "a€b",
        "€",
        "€€",
        "😀",
        "a😀",
        "😀a",
        "a😀b",
        "😀😀",
        "aaaaa",
        "aaaaaa",
        "abab",
        "é😀é",
        "ab ab",
        "x\u{10FFFF}",
        "\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}",
        "Z\u{E9}\u{20AC}\u{1F600}z",
        "word boundary",
    ];

    const PATTERNS: &[&str] = &[
        "",
        "a",
        "abc",
        r"\Aa",
        r"a\z",
        r"\Aabc\z",
        r"\A\z",
        r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\z",
        "a|b|€",
        r"\A(?:a|😀)\z",
        r"[\x{41}-\x{5A}]",
        r"\A[\x{41}-\x{5A}]+\z",
        r"[\x{E9}]",
        r"[\x{E0}-\x{FF}\x{20AC}]",
        r"[\x{1F600}-\x{1F64F}]",
        r"\A[\x{1F600}-\x{1F64F}]\z",
        r"[\x{10000}-\x{10FFFF}]{2}",
        r"[^a-z]",
        r"\A[^a-z]*\z",
        r"[^\x{0}-\x{7F}]",
        r"\A[^\n\r\x{2028}\x{2029}]\z",
        r"\A[^\n\r\x{2028}\x{2029}]*\z",
        r"a[^\n\r\x{2028}\x{2029}]b",
        r"(?-u:\b)",
        r"(?-u:\b)a",
        r"(?-u:\b)b(?-u:\b)",
        r"(?-u:\B)",
        r"(?-u:\B)a",
        r"a(?-u:\B)",
        r"\A(?-u:\B)",
        r"\Aa{2,5}\z",
        r"a{2,5}",
        r"\A(?:ab){1,2}\z",
        r"\A[\x{E9}\x{1F600}]{2,3}\z",
        r"[^\x{0}-\x{10FFFF}]",
        r"x[^\x{0}-\x{10FFFF}]|abc",
    ];

    #[test]
    fn matches_like_regex() {
        let mut checked = 0;
        for p in PATTERNS {
            let dfa = build(p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
            let re = regex::Regex::new(p).unwrap();
            for s in INPUTS {
                assert_eq!(dfa.is_match(s), re.is_match(s), "pattern {p:?} on {s:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, PATTERNS.len() * INPUTS.len());
    }

    #[test]
    fn the_inputs_tell_the_answers_apart() {
        // Guards the test above: every pattern but the two that match nothing meets both answers.
        for p in PATTERNS {
            let re = regex::Regex::new(p).unwrap();
            let hits = INPUTS.iter().filter(|s| re.is_match(s)).count();
            let nothing = p.contains(r"[^\x{0}-\x{10FFFF}]") && !p.contains("abc");
            assert!(nothing || (0 < hits && hits < INPUTS.len()) || p.is_empty(), "{p:?}: {hits}");
        }
    }

    #[test]
    fn empty_matches_inside_a_code_point_do_not_count() {
        // `(?-u:\B)` matches between the two bytes of `é` in a byte search; on code points
        // (and in `regex`) "aéa" has a word boundary at every position.
        let dfa = build(r"(?-u:\B)").unwrap();
        assert!(!regex::Regex::new(r"(?-u:\B)").unwrap().is_match("aéa"));
        assert!(!dfa.is_match("aéa"));
        assert!(dfa.is_match("ab"));
        assert!(dfa.is_match("é"));
    }

    #[test]
    fn fixed_states_and_small_tables() {
        // A pattern that matches nothing starts in DEAD, the empty pattern in ACCEPT; `a` needs
        // few states.
        let never = build(r"[^\x{0}-\x{10FFFF}]").unwrap();
        assert!(!never.is_match("") && !never.is_match("abc😀"));
        assert_eq!(&never.table[..2], "10");
        let empty = build("").unwrap();
        assert!(empty.is_match("") && empty.is_match("😀"));
        assert_eq!(&empty.table[..2], "11");
        let a = build("a").unwrap();
        assert!(a.accept.len() <= 4, "{a:?}");
        assert!(a.classes.starts_with('1'), "{a:?}");
        // The early stop makes most of the 8,195 states of the library's DFA equal.
        let window = build(r"(?:a|b)*a(?:a|b){12}").unwrap();
        assert!(window.accept.len() <= 16, "{}", window.accept.len());
        assert!(window.is_match(&format!("b{}c", "ab".repeat(7))) && !window.is_match(&"b".repeat(20)));
    }

    #[test]
    fn wide_state_numbers() {
        // Over 62 * 62 states: three digits per state number.
        let p = r"\A[\x{0}-\x{10FFFF}]{600}\z";
        let dfa = build(p).unwrap();
        assert!(dfa.table.starts_with('3') && dfa.accept.len() > 62 * 62, "{}", dfa.accept.len());
        let re = regex::Regex::new(p).unwrap();
        for n in [0, 1, 599, 600, 601] {
            for unit in ["a", "é", "€", "😀"] {
                let s = format!(
                    "{}{}",
                    unit.repeat(n / 2),
                    "a😀".repeat(n - n / 2).chars().take(n - n / 2).collect::<String>()
                );
                assert_eq!(s.chars().count(), n);
                assert_eq!(dfa.is_match(&s), re.is_match(&s), "{n} {unit}");
            }
        }
    }

    #[test]
    fn refuses_what_is_too_large_or_invalid() {
        for p in [r"(?:a|b)*a(?:a|b){20}", r"[\x{0}-\x{10FFFF}]{100000}"] {
            let err = build(p).unwrap_err();
            assert!(err.starts_with(TOO_LARGE), "{p:?}: {err}");
        }
        let err = build("(a").unwrap_err();
        assert!(!err.starts_with(TOO_LARGE) && err.contains("unclosed group"), "{err}");
        let err = build(r"\bx").unwrap_err();
        assert!(!err.starts_with(TOO_LARGE), "{err}");
    }

    #[test]
    fn encoded_strings_are_plain_ascii_literals() {
        for p in PATTERNS.iter().chain(&[r"\A[\x{41}-\x{5A}\x{C0}-\x{24F}\x{370}-\x{3FF}\x{1F600}-\x{1F64F}]{3,40}\z"])
        {
            let dfa = build(p).unwrap();
            for s in [&dfa.classes, &dfa.table, &dfa.accept] {
                assert!(s.bytes().all(|b| DIGITS.contains(&b)), "{p:?}: {s}");
            }
            let call = dfa.mql4_call("v.code");
            assert!(call.is_ascii() && !call.contains('\\') && !call.contains('?'), "{call}");
            // `classes` is always over 200 characters, so it is always chunks.
            assert!(call.starts_with("CtcMatchDfa(v.code, (string)\"") && call.ends_with("\")"), "{call}");
            // Every literal is at most CHUNK characters, the literals are the three strings, and
            // between them stand only `+` and the two argument separators.
            let parts: Vec<&str> = call.split('"').collect();
            let literals: Vec<&str> = parts.iter().skip(1).step_by(2).copied().collect();
            assert!(literals.iter().all(|l| l.len() <= CHUNK));
            assert_eq!(literals.concat(), format!("{}{}{}", dfa.classes, dfa.table, dfa.accept));
            let between: Vec<&str> = parts[2..parts.len() - 1].iter().step_by(2).copied().collect();
            assert!(between.iter().all(|b| [" + ", ", ", ", (string)"].contains(b)), "{between:?}");
            assert_eq!(between.iter().filter(|b| b.starts_with(',')).count(), 2, "{call}");
        }
    }

    #[test]
    fn encoding_round_trips() {
        assert_eq!(width(61), 1);
        assert_eq!(width(62), 2);
        assert_eq!(width(65_535), 3);
        let mut s = String::new();
        push_number(&mut s, 62 * 62 + 61, 3);
        assert_eq!(s, "10z");
        let units: Vec<u16> = s.encode_utf16().collect();
        assert_eq!(number(&units, 0, 3), 62 * 62 + 61);
        assert_eq!(
            literal(&"x".repeat(401)),
            format!("(string)\"{}\" + \"{}\" + \"x\"", "x".repeat(200), "x".repeat(200))
        );
        assert_eq!(literal("0101"), "\"0101\"");
    }

    #[test]
    fn output_is_deterministic() {
        let p = r"\A[\x{41}-\x{5A}\x{E9}]{2,4}(?:-[0-9]+)?\z";
        assert_eq!(build(p).unwrap(), build(p).unwrap());
    }
}

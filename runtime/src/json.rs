//! The strict pull reader of JSON text: one message read value by value, in place, building no
//! tree. The one reader of contractc in Rust: the runtime's validator and boundary read through
//! it, and the generated Rust carries this file as `support/json.rs`.
//!
//! Grammar: RFC 8259 (§2 whitespace, §4 objects, §5 arrays, §6 numbers, §7 strings), then
//! DESIGN.md's conformance contract: a duplicate key at any depth, a `\u0000` escape, a lone
//! surrogate and nesting deeper than [`MAX_DEPTH`] are refused; a number that overflows a double
//! (`1e400`) is refused; an integer literal within int64 is an integer (`-0` the integer 0),
//! every other number a double (correctly rounded, as Python and MQL4 read it).
//!
//! Errors name the line and column (1-based, columns in bytes) as serde_json's do: `expected
//! `:` at line 1 column 9`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// How deeply arrays and objects may nest in a message (the root counts as 1), in every
/// generated language: below every parser's own limit (serde_json's 128, Pydantic's 200), so
/// that the conformance contract, not a parser, decides.
pub const MAX_DEPTH: usize = 64;

/// Past this many members an object's keys are checked for duplicates through a hash set rather
/// than one by one.
const LINEAR_KEYS: usize = 16;

/// Why the text is not a strict JSON message, and where ([`Detail`], boxed: a read's result
/// stays one word beside its value, as serde_json's errors do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Box<Detail>);

/// What an [`Error`] says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    pub message: String,
    /// 1-based line and column (bytes) of the offending byte.
    pub line: usize,
    pub column: usize,
}

impl std::ops::Deref for Error {
    type Target = Detail;

    fn deref(&self) -> &Detail {
        &self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.message, self.line, self.column)
    }
}

impl std::error::Error for Error {}

/// The kind of the next value, from its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    /// The JSON Schema type name (Validation §6.1.1).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Boolean => "boolean",
            Kind::Number => "number",
            Kind::String => "string",
            Kind::Array => "array",
            Kind::Object => "object",
        }
    }
}

/// A JSON number as every generated language holds it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// An integer literal within int64 (no fraction, no exponent); `-0` is 0.
    Int(i64),
    /// Any other number: the nearest double.
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// A position to read again from ([`Reader::mark`], [`Reader::reset`]): taken before a value, it
/// lets the value be read once per schema that applies to it.
#[derive(Clone, Copy, Debug)]
pub struct Mark {
    pos: usize,
    depth: usize,
    first: u64,
    objects: usize,
    keys: usize,
}

/// An open object whose keys [`Reader::next_key`] keeps, to refuse a duplicate.
struct Keyed<'a> {
    /// The object's depth (the root is at 0).
    depth: usize,
    /// Where its keys start in [`Reader::keys`].
    keys: usize,
    /// The keys, once there are more than [`LINEAR_KEYS`].
    set: Option<HashSet<Cow<'a, str>>>,
}

/// Reads one JSON message from `text`, a value at a time.
///
/// Containers are read with [`Reader::begin_object`] and [`Reader::next_key`] (then the member's
/// value), or [`Reader::begin_array`] and [`Reader::next_item`] (then the item); a value not
/// wanted is [`Reader::skip`]ped (still read strictly). After the root value, [`Reader::finish`].
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    /// How many arrays and objects are open.
    depth: usize,
    /// Bit `d`: the container at depth `d` has read no member or item yet ([`MAX_DEPTH`] bits,
    /// so that a message reads with no allocation but its strings').
    first: u64,
    /// The open objects read with [`Reader::next_key`], innermost last (none for a reader that
    /// tells duplicates itself, [`Reader::next_key_unchecked`]).
    objects: Vec<Keyed<'a>>,
    /// The keys of those objects, innermost last, each with its [`fingerprint`].
    keys: Vec<(u64, Cow<'a, str>)>,
    /// Where the last key read starts.
    key_at: usize,
}

/// A key's length and its first and last bytes in one word: two keys with different
/// fingerprints differ, so the duplicate check compares bytes only where these agree.
fn fingerprint(key: &str) -> u64 {
    let b = key.as_bytes();
    let (first, last) = (b.first().copied().unwrap_or(0), b.last().copied().unwrap_or(0));
    b.len() as u64 | u64::from(first) << 48 | u64::from(last) << 56
}

/// Whether two keys are the same, compared a word at a time inline: for the short names of
/// members, a call to `memcmp` costs more than the comparison (a reader matching a key against
/// the names it expects).
#[inline]
pub fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("eight bytes"));
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    // The last word, overlapping the one before when `n` is not a multiple of eight.
    word(a, n - 8) == word(b, n - 8)
}

/// The bytes that end a run of a string's plain characters: `"`, `\\` and the controls.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The high bit of each of the eight bytes of `w` that is [`SPECIAL`], exact for the lowest
/// such byte (the bit tricks of "Bit Twiddling Hacks", *Determine if a word has a byte less than
/// n* and *equal to n*: a borrow may mark a byte above a special one, never below).
fn specials(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    (zero(quote) | zero(backslash) | (w.wrapping_sub(ONES * 0x20) & !w)) & HIGH
}

/// Exact powers of ten as doubles (10^22 is the largest).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Reader<'a> {
        Reader { text, pos: 0, depth: 0, first: 0, objects: Vec::new(), keys: Vec::new(), key_at: 0 }
    }

    /// The text being read.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// An error at the current position.
    #[cold]
    pub fn error(&self, message: impl Into<String>) -> Error {
        self.error_at(self.pos, message)
    }

    #[cold]
    #[inline(never)]
    fn error_at(&self, pos: usize, message: impl Into<String>) -> Error {
        let before = &self.text.as_bytes()[..pos.min(self.text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = pos - before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
        Error(Box::new(Detail { message: message.into(), line, column }))
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    #[inline(always)]
    fn whitespace(&mut self) {
        let b = self.bytes();
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The kind of the next value (whitespace before it skipped).
    #[inline]
    pub fn peek(&mut self) -> Result<Kind, Error> {
        self.whitespace();
        match self.bytes().get(self.pos) {
            Some(b'n') => Ok(Kind::Null),
            Some(b't' | b'f') => Ok(Kind::Boolean),
            Some(b'"') => Ok(Kind::String),
            Some(b'[') => Ok(Kind::Array),
            Some(b'{') => Ok(Kind::Object),
            Some(b'-' | b'0'..=b'9') => Ok(Kind::Number),
            Some(_) => Err(self.error("expected value")),
            None => Err(self.error("EOF while parsing a value")),
        }
    }

    /// Where the next value starts, to read it again after.
    pub fn mark(&mut self) -> Mark {
        self.whitespace();
        Mark { pos: self.pos, depth: self.depth, first: self.first, objects: self.objects.len(), keys: self.keys.len() }
    }

    /// Back to `mark`: the value there is read again as the first time.
    pub fn reset(&mut self, mark: Mark) {
        self.pos = mark.pos;
        self.depth = mark.depth;
        self.first = mark.first;
        self.objects.truncate(mark.objects);
        self.keys.truncate(mark.keys);
    }

    fn literal(&mut self, word: &str) -> Result<(), Error> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("expected value"))
        }
    }

    pub fn null(&mut self) -> Result<(), Error> {
        self.whitespace();
        self.literal("null")
    }

    pub fn boolean(&mut self) -> Result<bool, Error> {
        self.whitespace();
        match self.bytes().get(self.pos) {
            Some(b't') => self.literal("true").map(|_| true),
            _ => self.literal("false").map(|_| false),
        }
    }

    /// Past the digits at the position, each added to `mantissa` (as long as it has at most 19
    /// significant digits: `significant` counts them, and more mean the mantissa is not exact).
    fn digits(&mut self, mantissa: &mut u64, significant: &mut usize) -> usize {
        let b = self.bytes();
        let start = self.pos;
        while let Some(&d @ b'0'..=b'9') = b.get(self.pos) {
            if *significant > 0 || d != b'0' {
                *significant += 1;
                *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
            }
            self.pos += 1;
        }
        self.pos - start
    }

    /// Past a run of a string's plain characters: eight bytes at a time, then one by one at the
    /// text's end.
    fn plain(&mut self) {
        let b = self.bytes();
        while let Some(word) = b.get(self.pos..self.pos + 8) {
            let found = specials(u64::from_le_bytes(word.try_into().expect("eight bytes")));
            if found != 0 {
                // Little-endian: the lowest marked byte is the first special one.
                self.pos += found.trailing_zeros() as usize / 8;
                return;
            }
            self.pos += 8;
        }
        while let Some(&c) = b.get(self.pos) {
            if SPECIAL[c as usize] {
                break;
            }
            self.pos += 1;
        }
    }

    /// A number (RFC 8259 §6): an int64 literal as [`Number::Int`], any other as the nearest
    /// double; one past the doubles (`1e400`) is refused. The digits are gathered as they are
    /// read; a mantissa of at most 2^53 with a power of ten up to 22 is exact as doubles, so one
    /// multiplication or division rounds correctly (Clinger's fast path), and any other literal
    /// is read by the standard library's correctly rounded parser.
    pub fn number(&mut self) -> Result<Number, Error> {
        self.whitespace();
        let start = self.pos;
        let b = self.bytes();
        let negative = b.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        let (mut mantissa, mut significant) = (0u64, 0usize);
        match b.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits(&mut mantissa, &mut significant);
            }
            _ => return Err(self.error("invalid number")),
        }
        let (mut integer, mut exponent) = (true, 0i64);
        if b.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            integer = false;
            let fraction = self.digits(&mut mantissa, &mut significant);
            if fraction == 0 {
                return Err(self.error("invalid number"));
            }
            // Every fraction digit shifts the point, a leading zero (not significant) too.
            exponent -= fraction as i64;
        }
        if let Some(b'e' | b'E') = b.get(self.pos) {
            self.pos += 1;
            integer = false;
            let sign = match b.get(self.pos) {
                Some(b'-') => {
                    self.pos += 1;
                    -1
                }
                Some(b'+') => {
                    self.pos += 1;
                    1
                }
                _ => 1,
            };
            let digits = self.pos;
            let mut e = 0i64;
            while let Some(&d @ b'0'..=b'9') = b.get(self.pos) {
                e = (e * 10 + i64::from(d - b'0')).min(1 << 20);
                self.pos += 1;
            }
            if self.pos == digits {
                return Err(self.error("invalid number"));
            }
            exponent += sign * e;
        }
        if integer && significant <= 18 {
            let i = mantissa as i64;
            return Ok(Number::Int(if negative { -i } else { i }));
        }
        let literal = &self.text[start..self.pos];
        if integer && let Ok(i) = literal.parse::<i64>() {
            return Ok(Number::Int(i));
        }
        if significant <= 19 && mantissa <= 1 << 53 && (-22..=22).contains(&exponent) {
            let m = mantissa as f64;
            let f = if exponent >= 0 { m * POW10[exponent as usize] } else { m / POW10[(-exponent) as usize] };
            return Ok(Number::Float(if negative { -f } else { f }));
        }
        match literal.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Number::Float(f)),
            _ => Err(self.error_at(start, "number out of range")),
        }
    }

    /// A string (RFC 8259 §7), borrowed from the text when it has no escape. Refused: a control
    /// character, an unknown escape, `\u0000`, a lone surrogate.
    #[inline(always)]
    pub fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        self.whitespace();
        if self.bytes().get(self.pos) != Some(&b'"') {
            return Err(self.error("expected a string"));
        }
        self.pos += 1;
        let start = self.pos;
        self.plain();
        if self.bytes().get(self.pos) == Some(&b'"') {
            let s = &self.text[start..self.pos];
            self.pos += 1;
            return Ok(Cow::Borrowed(s));
        }
        self.escaped_string(start)
    }

    /// The rest of a string that [`Reader::string`] found does not end at its first special
    /// byte: escapes decoded into an owned string, or the error.
    #[inline(never)]
    fn escaped_string(&mut self, start: usize) -> Result<Cow<'a, str>, Error> {
        let b = self.bytes();
        match b.get(self.pos) {
            Some(b'\\') => {}
            Some(_) => return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string")),
            None => return Err(self.error("EOF while parsing a string")),
        }
        let mut out = String::from(&self.text[start..self.pos]);
        loop {
            match b.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let at = self.pos;
                    self.pos += 1;
                    let c = match b.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            out.push(self.escaped(at)?);
                            continue;
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                Some(0..=0x1f) => {
                    return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string"));
                }
                Some(_) => {
                    let run = self.pos;
                    self.plain();
                    out.push_str(&self.text[run..self.pos]);
                }
                None => return Err(self.error("EOF while parsing a string")),
            }
        }
    }

    /// Four hex digits at the position, as a code unit.
    fn hex4(&mut self) -> Result<u16, Error> {
        let digits =
            self.bytes().get(self.pos..self.pos + 4).ok_or_else(|| self.error("EOF while parsing a string"))?;
        let mut n = 0u16;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.error("invalid escape")),
            };
            n = n * 16 + u16::from(v);
        }
        self.pos += 4;
        Ok(n)
    }

    /// The character of a `\uXXXX` escape (read from after its `u` to past its last digit), with
    /// the low surrogate's escape that must follow a high one. `at`: where the escape began.
    fn escaped(&mut self, at: usize) -> Result<char, Error> {
        let unit = self.hex4()?;
        let c = match unit {
            0 => return Err(self.error_at(at, "`\\u0000` is not allowed")),
            0xDC00..=0xDFFF => return Err(self.error_at(at, "lone trailing surrogate in hex escape")),
            0xD800..=0xDBFF => {
                if !self.text[self.pos..].starts_with("\\u") {
                    return Err(self.error_at(at, "lone leading surrogate in hex escape"));
                }
                self.pos += 2;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.error_at(at, "lone leading surrogate in hex escape"));
                }
                0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
            }
            unit => u32::from(unit),
        };
        Ok(char::from_u32(c).expect("a scalar value"))
    }

    fn open(&mut self, byte: u8) -> Result<(), Error> {
        self.whitespace();
        if self.bytes().get(self.pos) != Some(&byte) {
            return Err(self.error(if byte == b'{' { "expected an object" } else { "expected an array" }));
        }
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} arrays and objects")));
        }
        self.pos += 1;
        self.first |= 1 << self.depth;
        self.depth += 1;
        Ok(())
    }

    /// Reads `{`; then [`Reader::next_key`] until it gives `None`.
    pub fn begin_object(&mut self) -> Result<(), Error> {
        self.open(b'{')
    }

    /// Reads `[`; then [`Reader::next_item`] until it gives `false`.
    pub fn begin_array(&mut self) -> Result<(), Error> {
        self.open(b'[')
    }

    /// Past the separator before the next member or item: `false` at the container's end (then
    /// closed).
    #[inline]
    fn next(&mut self, close: u8) -> Result<bool, Error> {
        self.whitespace();
        let at = self.bytes().get(self.pos).copied();
        let depth = self.depth.checked_sub(1).expect("inside a container");
        if at == Some(close) {
            self.pos += 1;
            self.depth = depth;
            if self.objects.last().is_some_and(|o| o.depth == depth) {
                let o = self.objects.pop().expect("an open object");
                self.keys.truncate(o.keys);
            }
            return Ok(false);
        }
        let bit = 1 << depth;
        if self.first & bit == 0 {
            if at != Some(b',') {
                let what = if close == b'}' { "expected `,` or `}`" } else { "expected `,` or `]`" };
                return Err(self.error(if at.is_none() { "EOF while parsing a value" } else { what }));
            }
            self.pos += 1;
        }
        self.first &= !bit;
        Ok(true)
    }

    /// The next member's key (then its `:`), or `None` past the object's `}`. A key the object
    /// already has is refused.
    pub fn next_key(&mut self) -> Result<Option<Cow<'a, str>>, Error> {
        let Some(key) = self.next_key_unchecked()? else { return Ok(None) };
        let print = fingerprint(&key);
        let depth = self.depth - 1;
        if self.objects.last().is_none_or(|o| o.depth != depth) {
            self.objects.push(Keyed { depth, keys: self.keys.len(), set: None });
        }
        let c = self.objects.last_mut().expect("an open object");
        let duplicate = match &mut c.set {
            Some(set) => !set.insert(key.clone()),
            None => {
                let duplicate = self.keys[c.keys..].iter().any(|(p, k)| *p == print && *k == key);
                if self.keys.len() - c.keys >= LINEAR_KEYS {
                    c.set = Some(self.keys[c.keys..].iter().map(|(_, k)| k.clone()).chain([key.clone()]).collect());
                }
                duplicate
            }
        };
        if duplicate {
            return Err(self.duplicate_key(&key));
        }
        if self.keys.capacity() == 0 {
            // Allocated at the first key kept ([`Reader::next_key_unchecked`] keeps none).
            self.keys.reserve(16);
        }
        self.keys.push((print, key.clone()));
        Ok(Some(key))
    }

    /// [`Reader::next_key`] for a reader that tells duplicates itself (a generated struct, whose
    /// fields know whether they were read): nothing is kept of the key, and the reader calls
    /// [`Reader::duplicate_key`] for the error when it finds one.
    pub fn next_key_unchecked(&mut self) -> Result<Option<Cow<'a, str>>, Error> {
        if !self.next(b'}')? {
            return Ok(None);
        }
        self.whitespace();
        self.key_at = self.pos;
        if self.bytes().get(self.pos) != Some(&b'"') {
            return Err(self.error("key must be a string"));
        }
        let key = self.string()?;
        self.whitespace();
        if self.bytes().get(self.pos) != Some(&b':') {
            return Err(self.error("expected `:`"));
        }
        self.pos += 1;
        Ok(Some(key))
    }

    /// The error of a duplicate `key`, the one the last [`Reader::next_key_unchecked`] read.
    pub fn duplicate_key(&self, key: &str) -> Error {
        self.error_at(self.key_at, format!("duplicate key `{key}`"))
    }

    /// Whether another item follows (`false` past the array's `]`).
    pub fn next_item(&mut self) -> Result<bool, Error> {
        self.next(b']')
    }

    /// Reads the next value, whatever it is, as strictly as any other.
    pub fn skip(&mut self) -> Result<(), Error> {
        match self.peek()? {
            Kind::Null => self.null(),
            Kind::Boolean => self.boolean().map(drop),
            Kind::Number => self.number().map(drop),
            Kind::String => self.string().map(drop),
            Kind::Array => {
                self.begin_array()?;
                while self.next_item()? {
                    self.skip()?;
                }
                Ok(())
            }
            Kind::Object => {
                self.begin_object()?;
                while self.next_key()?.is_some() {
                    self.skip()?;
                }
                Ok(())
            }
        }
    }

    /// After the root value: nothing but whitespace may follow.
    pub fn finish(&mut self) -> Result<(), Error> {
        self.whitespace();
        if self.pos < self.text.len() {
            return Err(self.error("trailing characters"));
        }
        Ok(())
    }

    /// The next value as a `serde_json::Value` (for the few readers that keep JSON as it is:
    /// condition inputs, an open object's unknown members). A number past int64 is a double.
    pub fn value(&mut self) -> Result<serde_json::Value, Error> {
        use serde_json::Value;
        Ok(match self.peek()? {
            Kind::Null => self.null().map(|_| Value::Null)?,
            Kind::Boolean => Value::Bool(self.boolean()?),
            Kind::Number => match self.number()? {
                Number::Int(i) => Value::from(i),
                Number::Float(f) => Value::from(f),
            },
            Kind::String => Value::String(self.string()?.into_owned()),
            Kind::Array => {
                self.begin_array()?;
                let mut items = Vec::new();
                while self.next_item()? {
                    items.push(self.value()?);
                }
                Value::Array(items)
            }
            Kind::Object => {
                self.begin_object()?;
                let mut members = serde_json::Map::new();
                while let Some(key) = self.next_key()? {
                    let v = self.value()?;
                    members.insert(key.into_owned(), v);
                }
                Value::Object(members)
            }
        })
    }
}

/// Reads `text` as one whole message into a `serde_json::Value`, as strictly as [`Reader`].
pub fn parse(text: &str) -> Result<serde_json::Value, Error> {
    let mut r = Reader::new(text);
    let value = r.value()?;
    r.finish()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_what_rfc_8259_allows() {
        let v = parse(" {\"a\" : [1, -0, 2.5e1, \"x\\u00e9\\ud83d\\ude00\\n\", true, false, null], \"b\": {}}\r\n")
            .unwrap();
        assert_eq!(v, serde_json::json!({"a": [1, 0, 25.0, "xé😀\n", true, false, null], "b": {}}));
        assert_eq!(parse("9223372036854775808").unwrap(), serde_json::json!(9223372036854775808.0));
        assert_eq!(parse("-9223372036854775808").unwrap(), serde_json::json!(i64::MIN));
        assert!(parse("1.0").unwrap().is_f64());
    }

    #[test]
    fn refuses_what_the_conformance_contract_refuses_and_says_where() {
        for (text, message) in [
            ("{\"a\":1,\"a\":2}", "duplicate key `a` at line 1 column 8"),
            ("[{\"k\":1,\n\"k\":2}]", "duplicate key `k` at line 2 column 1"),
            ("\"a\\u0000\"", "`\\u0000` is not allowed at line 1 column 3"),
            ("\"\\ud800\"", "lone leading surrogate in hex escape at line 1 column 2"),
            ("\"\\ud800\\u0041\"", "lone leading surrogate in hex escape at line 1 column 2"),
            ("\"\\udc00\"", "lone trailing surrogate in hex escape at line 1 column 2"),
            ("1e400", "number out of range at line 1 column 1"),
            ("01", "trailing characters at line 1 column 2"),
            ("1.", "invalid number at line 1 column 3"),
            ("-", "invalid number at line 1 column 2"),
            ("NaN", "expected value at line 1 column 1"),
            ("\u{feff}{}", "expected value at line 1 column 1"),
            ("[1,]", "expected value at line 1 column 4"),
            ("{\"a\" 1}", "expected `:` at line 1 column 6"),
            ("{1:1}", "key must be a string at line 1 column 2"),
            ("[1 2]", "expected `,` or `]` at line 1 column 4"),
            ("\"a\tb\"", "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3"),
            ("\"\\x\"", "invalid escape at line 1 column 3"),
            ("[", "EOF while parsing a value at line 1 column 2"),
            ("{} {}", "trailing characters at line 1 column 4"),
        ] {
            assert_eq!(refused(text), message, "{text}");
        }
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(refused(&deep).starts_with("nesting deeper than 64"));
        assert!(parse(&("[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH))).is_ok());
    }

    #[test]
    fn reads_every_double_as_the_standard_library_rounds_it() {
        // The fast path and the parser it falls back to, on both sides of every bound: mantissas
        // about 2^53 and 19 digits, powers of ten about 22, leading and trailing zeros.
        let mantissas = [
            "0",
            "1",
            "7",
            "15",
            "0.1",
            "0.00001",
            "1.25",
            "100.0",
            "9007199254740992",
            "9007199254740993",
            "1234567890123456789",
            "12345678901234567890",
            "0.30000000000000004",
            "2.2250738585072014",
            "1.7976931348623157",
        ];
        for m in mantissas {
            for e in [
                None,
                Some(-400),
                Some(-324),
                Some(-23),
                Some(-22),
                Some(-1),
                Some(0),
                Some(5),
                Some(22),
                Some(23),
                Some(308),
            ] {
                for sign in ["", "-"] {
                    let literal = match e {
                        None => format!("{sign}{m}"),
                        Some(e) => format!("{sign}{m}e{e}"),
                    };
                    let std = literal.parse::<f64>().unwrap();
                    let ours = Reader::new(&literal).number();
                    match ours {
                        Ok(Number::Float(f)) => assert_eq!(f.to_bits(), std.to_bits(), "{literal}"),
                        Ok(Number::Int(i)) => assert!(e.is_none() && !m.contains('.') && i as f64 == std, "{literal}"),
                        Err(_) => assert!(!std.is_finite(), "{literal}"),
                    }
                }
            }
        }
        assert_eq!(parse("123456789012345678").unwrap(), serde_json::json!(123456789012345678i64));
        assert_eq!(parse("-9223372036854775807").unwrap(), serde_json::json!(-9223372036854775807i64));
        assert!(parse("-0.0").unwrap().as_f64().unwrap().is_sign_negative());
    }

    #[test]
    fn compares_keys_of_every_length_as_str_does() {
        let keys: Vec<String> = (0..20)
            .flat_map(|n| ["a".repeat(n), format!("{}b", "a".repeat(n)), format!("b{}", "a".repeat(n))])
            .collect();
        for a in &keys {
            for b in &keys {
                assert_eq!(same_key(a, b), a == b, "{a:?} {b:?}");
            }
        }
        // A difference at every position of a long key.
        let base = "abcdefghijklmnopqrstu";
        for i in 0..base.len() {
            let mut other = base.as_bytes().to_vec();
            other[i] = b'_';
            assert!(!same_key(base, std::str::from_utf8(&other).expect("ASCII")));
        }
    }

    #[test]
    fn ends_a_run_of_plain_characters_at_every_position_of_a_word() {
        for n in 0..20 {
            for at in 0..=n {
                let plain = "é".repeat(at) + &"x".repeat(n - at);
                for special in ["\\n", "\\u00e9", "\\\"", "\\ud83d\\ude00"] {
                    let text = format!("\"{}{special}{}\"", &plain[..at * 2], &plain[at * 2..]);
                    assert_eq!(
                        parse(&text).unwrap(),
                        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
                        "{text}"
                    );
                }
                let control = format!("\"{}\u{1}{}\"", &plain[..at * 2], &plain[at * 2..]);
                assert!(refused(&control).starts_with("control character"), "{control:?}");
                assert!(refused(&format!("\"{plain}")).starts_with("EOF while parsing a string"));
            }
        }
        // Every ASCII byte at every position of a word, beside a run of two-byte characters:
        // read as serde_json reads it, or refused as it refuses it.
        for byte in 1..0x80u8 {
            for at in 0..10 {
                let text = format!("\"{}{}ééé\"", "x".repeat(at), char::from(byte));
                let ours = parse(&text).map_err(|e| e.message.clone());
                let theirs = serde_json::from_str::<serde_json::Value>(&text).map_err(|_| ());
                assert_eq!(ours.is_ok(), theirs.is_ok(), "{text:?}: {ours:?}");
                if let (Ok(a), Ok(b)) = (ours, theirs) {
                    assert_eq!(a, b, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn finds_duplicates_among_many_keys_and_reads_a_value_again_from_a_mark() {
        let members: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        assert!(parse(&format!("{{{}}}", members.join(","))).is_ok());
        assert!(refused(&format!("{{{},\"k3\":0}}", members.join(","))).starts_with("duplicate key `k3`"));

        let mut r = Reader::new("{\"a\":{\"x\":1},\"b\":2}");
        r.begin_object().unwrap();
        assert_eq!(r.next_key().unwrap().as_deref(), Some("a"));
        let mark = r.mark();
        for _ in 0..2 {
            r.reset(mark);
            assert_eq!(r.value().unwrap(), serde_json::json!({"x": 1}));
        }
        assert_eq!(r.next_key().unwrap().as_deref(), Some("b"));
        assert_eq!(r.number().unwrap(), Number::Int(2));
        assert_eq!(r.next_key().unwrap(), None);
        r.finish().unwrap();
    }
}

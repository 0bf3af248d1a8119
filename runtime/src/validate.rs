//! Checks messages against a compiled [`Validator`].
//!
//! Rules: JSON Schema 2020-12 Validation §6 for the keywords the plan carries (string lengths
//! count Unicode code points), RFC 3339 §5.6 for `date-time` and `date`, and DESIGN.md's
//! conformance contract: objects are closed, an optional field is absent (never `null`), an
//! integer field takes only integer literals within `i64`.

use std::fmt;

use serde_json::Value;

use crate::plan::{Bound, Format, Node, Validator};

/// The first broken rule of a message: a JSON pointer (RFC 6901) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at \"{}\": {}", self.pointer, self.message)
    }
}

/// Parses `text` as one JSON message, strictly (RFC 8259 plus the conformance contract: no
/// duplicate keys, no `\u0000`, `-0` read as the integer 0; serde_json refuses NaN, `1e400`, lone
/// surrogates and a BOM), and checks it.
pub fn validate_text(v: &Validator, text: &str) -> Result<Value, Violation> {
    let not_json = |message: String| Violation { pointer: String::new(), message };
    let text = prescan(text).map_err(|at| not_json(format!("`\\u0000` at byte {at} is not allowed")))?;
    let Strict(value) = serde_json::from_str(&text).map_err(|e| not_json(format!("not JSON: {e}")))?;
    let mut path = Vec::new();
    check(v, 0, &value, &mut path)?;
    Ok(value)
}

/// Checks JSON text before serde_json reads it, in one pass: a `\u0000` escape is refused (its
/// byte offset; not every generated language can hold U+0000), and an integer literal `-0` is
/// read as `0` (serde_json would read the double -0.0, which an integer field refuses; JSON
/// Schema counts it as the integer zero, as Python and MQL4 do). Byte offsets are kept: the `-`
/// becomes a space.
fn prescan(text: &str) -> Result<std::borrow::Cow<'_, str>, usize> {
    let b = text.as_bytes();
    let mut negative_zeros = Vec::new();
    let (mut i, mut in_string) = (0, false);
    while i < b.len() {
        match b[i] {
            b'\\' if in_string => {
                if b[i + 1..].starts_with(b"u0000") {
                    return Err(i);
                }
                i += 1;
            }
            b'"' => in_string = !in_string,
            b'-' if !in_string
                && b.get(i + 1) == Some(&b'0')
                && !matches!(b.get(i + 2), Some(b'0'..=b'9' | b'.' | b'e' | b'E')) =>
            {
                negative_zeros.push(i)
            }
            _ => {}
        }
        i += 1;
    }
    if negative_zeros.is_empty() {
        return Ok(std::borrow::Cow::Borrowed(text));
    }
    let mut owned = text.as_bytes().to_vec();
    for at in negative_zeros {
        owned[at] = b' ';
    }
    Ok(std::borrow::Cow::Owned(String::from_utf8(owned).expect("only an ASCII byte changed")))
}

/// A JSON value read with duplicate keys refused.
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(n).map(Value::Number).ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

fn fail(path: &[String], message: String) -> Result<(), Violation> {
    let pointer = path.iter().map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1"))).collect();
    Err(Violation { pointer, message })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check(v: &Validator, node: u32, value: &Value, path: &mut Vec<String>) -> Result<(), Violation> {
    let Some(node) = v.nodes.get(node as usize) else {
        return fail(path, "validator refers to a missing node (corrupt plan)".into());
    };
    match (node, value) {
        (Node::Object { fields }, Value::Object(map)) => {
            for f in fields {
                match map.get(&f.name) {
                    Some(Value::Null) if !f.required => {
                        path.push(f.name.clone());
                        return fail(path, "an optional field is absent, never null".into());
                    }
                    Some(child) => {
                        path.push(f.name.clone());
                        check(v, f.node, child, path)?;
                        path.pop();
                    }
                    None if f.required => return fail(path, format!("missing required property `{}`", f.name)),
                    None => {}
                }
            }
            if let Some(extra) = map.keys().find(|k| !fields.iter().any(|f| &f.name == *k)) {
                return fail(path, format!("unknown property `{extra}` (the object is closed)"));
            }
            Ok(())
        }
        (Node::String { min_length, max_length, format }, Value::String(s)) => {
            let len = s.chars().count() as u64;
            if let Some(m) = min_length.filter(|&m| len < m) {
                return fail(path, format!("must be at least {m} characters long, is {len}"));
            }
            if let Some(m) = max_length.filter(|&m| len > m) {
                return fail(path, format!("must be at most {m} characters long, is {len}"));
            }
            match format {
                Some(Format::DateTime) if !is_date_time(s) => fail(path, "must be an RFC 3339 date-time".into()),
                Some(Format::Date) if !is_date(s) => fail(path, "must be an RFC 3339 full-date".into()),
                _ => Ok(()),
            }
        }
        (Node::Number { minimum, maximum }, Value::Number(n)) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            bound(x, *minimum, *maximum, path)
        }
        (Node::Integer { minimum, maximum }, Value::Number(n)) => {
            let Some(x) = n.as_i64() else {
                return fail(path, format!("must be an integer within the int64 range, is {n}"));
            };
            if let Some(m) = minimum.filter(|&m| x < m) {
                return fail(path, format!("must be >= {m}"));
            }
            if let Some(m) = maximum.filter(|&m| x > m) {
                return fail(path, format!("must be <= {m}"));
            }
            Ok(())
        }
        (Node::Boolean, Value::Bool(_)) => Ok(()),
        (Node::Enum { values }, Value::String(s)) => {
            if values.contains(s) {
                Ok(())
            } else {
                fail(path, format!("must be one of {}, is \"{s}\"", values.join(", ")))
            }
        }
        (Node::Array { items, min_items, max_items }, Value::Array(a)) => {
            let len = a.len() as u64;
            if let Some(m) = min_items.filter(|&m| len < m) {
                return fail(path, format!("must have at least {m} items, has {len}"));
            }
            if let Some(m) = max_items.filter(|&m| len > m) {
                return fail(path, format!("must have at most {m} items, has {len}"));
            }
            for (i, item) in a.iter().enumerate() {
                path.push(i.to_string());
                check(v, *items, item, path)?;
                path.pop();
            }
            Ok(())
        }
        (node, value) => {
            let want = match node {
                Node::Object { .. } => "object",
                Node::String { .. } | Node::Enum { .. } => "string",
                Node::Number { .. } => "number",
                Node::Integer { .. } => "integer",
                Node::Boolean => "boolean",
                Node::Array { .. } => "array",
            };
            fail(path, format!("must be {want}, is {}", kind(value)))
        }
    }
}

/// Writes a message that [`validate_text`] accepted in canonical form (DESIGN.md's conformance
/// contract, RFC 8785 §3.2): keys sorted by UTF-16 code units, no whitespace, minimal escapes,
/// integer fields as written, number fields in ECMAScript's shortest round-trip form
/// (ECMA-262 §6.1.6.1.20 Number::toString, via `ryu-js`). The same bytes the generated Rust,
/// Python and MQL4 write.
pub fn to_canonical_json(v: &Validator, value: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, 0, value, &mut out);
    out
}

fn write_canonical(v: &Validator, node: u32, value: &Value, out: &mut String) {
    match (v.nodes.get(node as usize), value) {
        (Some(Node::Number { .. }), Value::Number(n)) => {
            out.push_str(ryu_js::Buffer::new().format(n.as_f64().unwrap_or(f64::NAN)));
        }
        (Some(Node::Object { fields }), Value::Object(map)) => {
            let mut present: Vec<_> = fields.iter().filter_map(|f| Some((f, map.get(&f.name)?))).collect();
            present.sort_by(|(a, _), (b, _)| a.name.encode_utf16().cmp(b.name.encode_utf16()));
            out.push('{');
            for (i, (f, child)) in present.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quote(&f.name, out);
                out.push(':');
                write_canonical(v, f.node, child, out);
            }
            out.push('}');
        }
        (Some(Node::Array { items, .. }), Value::Array(a)) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, *items, item, out);
            }
            out.push(']');
        }
        (_, Value::String(s)) => quote(s, out),
        // Integers as written, booleans; a value that did not validate is written as it is.
        (_, other) => out.push_str(&other.to_string()),
    }
}

/// A JSON string with RFC 8785 §3.2.2.2's minimal escapes.
fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn bound(x: f64, minimum: Option<Bound>, maximum: Option<Bound>, path: &[String]) -> Result<(), Violation> {
    if let Some(b) = minimum
        && (x < b.value || (b.exclusive && x == b.value))
    {
        return fail(path, format!("must be {} {}", if b.exclusive { ">" } else { ">=" }, b.value));
    }
    if let Some(b) = maximum
        && (x > b.value || (b.exclusive && x == b.value))
    {
        return fail(path, format!("must be {} {}", if b.exclusive { "<" } else { "<=" }, b.value));
    }
    Ok(())
}

fn two(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
}

/// RFC 3339 §5.6 `full-date`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (two(&b[0..4]), two(&b[5..7]), two(&b[8..10])) else { return false };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339 §5.6 `date-time`.
pub fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !is_date(&s[..10]) || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return false;
    }
    let (Some(h), Some(mi), Some(sec)) = (two(&b[11..13]), two(&b[14..16]), two(&b[17..19])) else { return false };
    if h > 23 || mi > 59 || sec > 60 {
        return false;
    }
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &rest[1 + n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            matches!((two(&[*h1, *h2]), two(&[*m1, *m2])), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::FieldRule;

    fn validator() -> Validator {
        Validator {
            contract: "events/T@1.0".into(),
            nodes: vec![
                Node::Object {
                    fields: vec![
                        FieldRule { name: "time".into(), node: 1, required: true },
                        FieldRule { name: "n".into(), node: 2, required: false },
                        FieldRule { name: "xs".into(), node: 3, required: false },
                    ],
                },
                Node::String { min_length: None, max_length: None, format: Some(Format::DateTime) },
                Node::Integer { minimum: Some(0), maximum: Some(10) },
                Node::Array { items: 4, min_items: None, max_items: Some(2) },
                Node::Number { minimum: Some(Bound { value: 0.0, exclusive: true }), maximum: None },
            ],
        }
    }

    #[test]
    fn accepts_valid_and_names_the_pointer_of_the_first_violation() {
        let v = validator();
        assert!(validate_text(&v, r#"{"time":"2024-02-29T10:00:00.5+01:00","n":3,"xs":[1.5]}"#).is_ok());
        for (text, pointer) in [
            (r#"{"time":"2023-02-29T10:00:00Z"}"#, "/time"),
            (r#"{"time":"2024-01-01T10:00:00Z","n":1.0}"#, "/n"),
            (r#"{"time":"2024-01-01T10:00:00Z","n":11}"#, "/n"),
            (r#"{"time":"2024-01-01T10:00:00Z","n":null}"#, "/n"),
            (r#"{"time":"2024-01-01T10:00:00Z","xs":[1,0]}"#, "/xs/1"),
            (r#"{"time":"2024-01-01T10:00:00Z","xs":[1,2,3]}"#, "/xs"),
            (r#"{"time":"2024-01-01T10:00:00Z","zz":1}"#, ""),
            (r#"{}"#, ""),
            (r#"{"time":"2024-01-01T10:00:00Z","n":1,"n":2}"#, ""),
            (r#"{"time":"2024-01-01T10:00:00\u0000Z"}"#, ""),
        ] {
            let e = validate_text(&v, text).unwrap_err();
            assert_eq!(e.pointer, pointer, "{text}: {e}");
        }
    }

    #[test]
    fn writes_accepted_messages_canonically() {
        let v = validator();
        for (text, canonical) in [
            (
                r#"{ "xs": [1.0, 1e21], "n": 3, "time": "2024-02-29T10:00:00Z" }"#,
                r#"{"n":3,"time":"2024-02-29T10:00:00Z","xs":[1,1e+21]}"#,
            ),
            (
                r#"{"time":"2024-02-29T10:00:00Z","xs":[1e-7,123.456]}"#,
                r#"{"time":"2024-02-29T10:00:00Z","xs":[1e-7,123.456]}"#,
            ),
        ] {
            let value = validate_text(&v, text).unwrap();
            assert_eq!(to_canonical_json(&v, &value), canonical);
        }
    }
}

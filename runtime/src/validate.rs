//! Checks instances against a compiled [`Validator`].
//!
//! Rules: JSON Schema 2020-12 for the keywords the plan carries (Core §10 applicators, Validation
//! §6 assertions; string lengths count Unicode code points), RFC 3339 §5.6 for `date-time` and
//! `date`, and for message text DESIGN.md's conformance contract (see [`validate_text`]). A
//! contract's validator states the rest of that contract as keywords: closed objects
//! (`additionalProperties: false`), an optional field absent but never `null` (its `type`), and
//! integers as int64 literals ([`Integers::Int64Literal`]). The official JSON-Schema-Test-Suite
//! runs against [`validate`] (tests/conformance, `make conformance`).

use std::fmt;

use serde_json::Value;

use std::cmp::Ordering;

use crate::plan::{Integers, Json, Keyword, Node, Num, Type, Validator};

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

/// How deeply arrays and objects may nest in a message (the root counts as 1), in every
/// generated language: below every parser's own limit (serde_json's 128, Pydantic's 200), so
/// that the conformance contract, not a parser, decides.
pub const MAX_DEPTH: usize = 64;

/// How many schemas may apply one inside another during one validation (a member's, an item's,
/// an `allOf` branch's: each counts one): 64 levels of a message with up to 7 in-place
/// applicators each. Past it the message is refused with a violation, so that a hostile plan (a
/// long acyclic chain of `allOf`) cannot exhaust the stack.
pub const MAX_NESTING: usize = 512;

/// The stack a thread that validates needs at [`MAX_NESTING`], with a margin (a debug build
/// takes about 10 KiB a level): the runtime validates on threads of this size.
pub const STACK_SIZE: usize = 16 << 20;

/// Parses `text` as one JSON message, strictly (RFC 8259 plus the conformance contract: no
/// duplicate keys, no `\u0000`, nesting at most [`MAX_DEPTH`], `-0` read as the integer 0;
/// serde_json refuses NaN, `1e400`, lone surrogates and a BOM), and checks it. A number that is
/// not an int64 literal is read as a double.
pub fn validate_text(v: &Validator, text: &str) -> Result<Value, Violation> {
    let value = parse_strict(text)?;
    validate(v, &value)?;
    Ok(value)
}

/// Parses `text` as one JSON message as strictly as [`validate_text`] does, with no schema: the
/// reader of every message at a step boundary (outputs, and the inputs a condition reads), so
/// that they cannot disagree. Whitespace around and inside the message is free (several lines
/// are one message). `Err`: a violation at the root pointer `""` saying what is not JSON.
pub fn parse_strict(text: &str) -> Result<Value, Violation> {
    let not_json = |message: String| Violation { pointer: String::new(), message };
    let text = prescan(text).map_err(not_json)?;
    let Strict(value) = serde_json::from_str(&text).map_err(|e| not_json(format!("not JSON: {e}")))?;
    Ok(value)
}

/// Checks an instance that is already a JSON value against the validator's root node.
pub fn validate(v: &Validator, instance: &Value) -> Result<(), Violation> {
    check(v, 0, 0, instance, &mut Vec::new())
}

/// Checks JSON text before serde_json reads it, in one pass: a `\u0000` escape is refused (not
/// every generated language can hold U+0000), so is nesting deeper than [`MAX_DEPTH`], and an
/// integer literal `-0` is read as `0` (serde_json would read the double -0.0, which an integer
/// field refuses; JSON Schema counts it as the integer zero, as Python and MQL4 do). Byte offsets
/// are kept: the `-` becomes a space.
fn prescan(text: &str) -> Result<std::borrow::Cow<'_, str>, String> {
    let b = text.as_bytes();
    let mut negative_zeros = Vec::new();
    let (mut i, mut in_string, mut depth) = (0, false, 0);
    while i < b.len() {
        match b[i] {
            b'\\' if in_string => {
                if b[i + 1..].starts_with(b"u0000") {
                    return Err(format!("`\\u0000` at byte {i} is not allowed"));
                }
                i += 1;
            }
            b'"' => in_string = !in_string,
            b'[' | b'{' if !in_string => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!("nesting deeper than {MAX_DEPTH} arrays and objects at byte {i}"));
                }
            }
            b']' | b'}' if !in_string => depth = depth.saturating_sub(1),
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

    /// Past int64, an integer literal is a double, as in every generated language.
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(i64::try_from(n).map_or_else(|_| Value::from(n as f64), Value::from))
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

/// `depth`: how many nodes enclose this one in the walk (members, items and in-place applicators
/// alike); past [`MAX_NESTING`] the instance is refused rather than the stack exhausted.
fn check(v: &Validator, depth: usize, node: u32, instance: &Value, path: &mut Vec<String>) -> Result<(), Violation> {
    if depth >= MAX_NESTING {
        return fail(
            path,
            format!(
                "the schema applies more than {MAX_NESTING} nested schemas here (a plan this deep is refused rather than validated)"
            ),
        );
    }
    let depth = depth + 1;
    match v.nodes.get(node as usize) {
        None => fail(path, "validator refers to a missing node (corrupt plan)".into()),
        Some(Node::Bool(true)) => Ok(()),
        Some(Node::Bool(false)) => fail(path, "no value is allowed here (the schema is `false`)".into()),
        Some(Node::Keywords(keywords)) => {
            keywords.iter().try_for_each(|k| check_keyword(v, depth, k, keywords, instance, path))
        }
    }
}

/// One keyword; `siblings` are the keywords of the same schema (`additionalProperties` reads
/// `properties`).
fn check_keyword(
    v: &Validator,
    depth: usize,
    keyword: &Keyword,
    siblings: &[Keyword],
    instance: &Value,
    path: &mut Vec<String>,
) -> Result<(), Violation> {
    match (keyword, instance) {
        (Keyword::Type(types), _) => {
            if types.iter().any(|&t| has_type(v.integers, t, instance)) {
                return Ok(());
            }
            let want: Vec<_> = types.iter().map(|t| t.name()).collect();
            let int64 = v.integers == Integers::Int64Literal && types.contains(&Type::Integer);
            let is = match instance {
                Value::Number(n) if int64 => format!("{n} (an integer field takes an integer literal within int64)"),
                Value::Number(n) => n.to_string(),
                other => kind(other).to_string(),
            };
            fail(path, format!("must be {}, is {is}", want.join(" or ")))
        }
        (Keyword::Enum(values), _) => {
            if values.iter().any(|j| equal(j, instance)) {
                return Ok(());
            }
            let list: Vec<_> = values.iter().map(|j| j.to_string()).collect();
            fail(path, format!("must be one of {}, is {instance}", list.join(", ")))
        }
        (Keyword::Maximum(b), Value::Number(n)) if compare(n, *b) == Some(Ordering::Greater) => {
            fail(path, format!("must be <= {b}"))
        }
        (Keyword::ExclusiveMaximum(b), Value::Number(n)) if compare(n, *b) != Some(Ordering::Less) => {
            fail(path, format!("must be < {b}"))
        }
        (Keyword::Minimum(b), Value::Number(n)) if compare(n, *b) == Some(Ordering::Less) => {
            fail(path, format!("must be >= {b}"))
        }
        (Keyword::ExclusiveMinimum(b), Value::Number(n)) if compare(n, *b) != Some(Ordering::Greater) => {
            fail(path, format!("must be > {b}"))
        }
        (Keyword::MultipleOf(d), Value::Number(n)) if !multiple(n, *d, held_as_integer(siblings)) => {
            fail(path, format!("must be a multiple of {d}"))
        }
        (Keyword::MaxLength(m), Value::String(s)) if s.chars().count() as u64 > *m => {
            fail(path, format!("must be at most {m} characters long, is {}", s.chars().count()))
        }
        (Keyword::MinLength(m), Value::String(s)) if (s.chars().count() as u64) < *m => {
            fail(path, format!("must be at least {m} characters long, is {}", s.chars().count()))
        }
        (Keyword::MaxItems(m), Value::Array(a)) if a.len() as u64 > *m => {
            fail(path, format!("must have at most {m} items, has {}", a.len()))
        }
        (Keyword::MinItems(m), Value::Array(a)) if (a.len() as u64) < *m => {
            fail(path, format!("must have at least {m} items, has {}", a.len()))
        }
        (Keyword::UniqueItems, Value::Array(a)) => {
            let mut seen = std::collections::HashMap::new();
            for (i, item) in a.iter().enumerate() {
                if let Some(j) = seen.insert(canonical(item), i) {
                    return fail(path, format!("items {j} and {i} are equal; items must be unique"));
                }
            }
            Ok(())
        }
        (Keyword::MaxProperties(m), Value::Object(map)) if map.len() as u64 > *m => {
            fail(path, format!("must have at most {m} members, has {}", map.len()))
        }
        (Keyword::MinProperties(m), Value::Object(map)) if (map.len() as u64) < *m => {
            fail(path, format!("must have at least {m} members, has {}", map.len()))
        }
        (Keyword::Required(names), Value::Object(map)) => match names.iter().find(|n| !map.contains_key(*n)) {
            Some(missing) => fail(path, format!("missing required property `{missing}`")),
            None => Ok(()),
        },
        (Keyword::DependentRequired(rules), Value::Object(map)) => {
            let broken = rules.iter().filter(|(name, _)| map.contains_key(name)).find_map(|(name, needed)| {
                needed.iter().find(|n| !map.contains_key(*n)).map(|missing| (name, missing))
            });
            match broken {
                Some((name, missing)) => fail(path, format!("has `{name}`, so it must have `{missing}` too")),
                None => Ok(()),
            }
        }
        (Keyword::Pattern(p), Value::String(s)) if !p.is_match(s) => {
            fail(path, format!("must match the pattern `{}`", p.source()))
        }
        (Keyword::Format(f), Value::String(s)) if !f.matches(s) => fail(path, format!("must be {}", f.description())),
        (Keyword::Properties(properties), Value::Object(map)) => {
            for (name, node) in properties {
                if let Some(child) = map.get(name) {
                    path.push(name.clone());
                    check(v, depth, *node, child, path)?;
                    path.pop();
                }
            }
            Ok(())
        }
        (Keyword::PatternProperties(patterns), Value::Object(map)) => {
            for (key, child) in map {
                for (_, node) in patterns.iter().filter(|(p, _)| p.is_match(key)) {
                    path.push(key.clone());
                    check(v, depth, *node, child, path)?;
                    path.pop();
                }
            }
            Ok(())
        }
        (Keyword::PropertyNames(node), Value::Object(map)) => {
            for key in map.keys() {
                if let Err(e) = check(v, depth, *node, &Value::String(key.clone()), &mut Vec::new()) {
                    return fail(path, format!("the name `{key}` is not allowed: {}", e.message));
                }
            }
            Ok(())
        }
        (Keyword::AdditionalProperties(node), Value::Object(map)) => {
            let matched = |key: &str| {
                siblings
                    .iter()
                    .any(|k| matches!(k, Keyword::PatternProperties(p) if p.iter().any(|(p, _)| p.is_match(key))))
            };
            let declared = |key: &str| property(siblings, key).is_some() || matched(key);
            let closed = v.nodes.get(*node as usize) == Some(&Node::Bool(false));
            for (key, child) in map.iter().filter(|(key, _)| !declared(key)) {
                if closed {
                    return fail(path, format!("unknown property `{key}` (the object is closed)"));
                }
                path.push(key.clone());
                check(v, depth, *node, child, path)?;
                path.pop();
            }
            Ok(())
        }
        (Keyword::PrefixItems(nodes), Value::Array(a)) => {
            for (i, (item, node)) in a.iter().zip(nodes).enumerate() {
                path.push(i.to_string());
                check(v, depth, *node, item, path)?;
                path.pop();
            }
            Ok(())
        }
        (Keyword::Items(node), Value::Array(a)) => {
            let positions = siblings.iter().find_map(|k| match k {
                Keyword::PrefixItems(p) => Some(p.len()),
                _ => None,
            });
            for (i, item) in a.iter().enumerate().skip(positions.unwrap_or(0)) {
                path.push(i.to_string());
                check(v, depth, *node, item, path)?;
                path.pop();
            }
            Ok(())
        }
        (Keyword::Contains(node), Value::Array(a)) => {
            let bound = |f: fn(&Keyword) -> Option<u64>| siblings.iter().find_map(f);
            let min = bound(|k| if let Keyword::MinContains(m) = k { Some(*m) } else { None }).unwrap_or(1);
            let max = bound(|k| if let Keyword::MaxContains(m) = k { Some(*m) } else { None });
            let n = a.iter().filter(|item| check(v, depth, *node, item, &mut path.clone()).is_ok()).count() as u64;
            if n < min {
                return fail(path, format!("must contain at least {min} matching items (`contains`), has {n}"));
            }
            match max {
                Some(m) if n > m => {
                    fail(path, format!("must contain at most {m} matching items (`contains`), has {n}"))
                }
                _ => Ok(()),
            }
        }
        (Keyword::AllOf(nodes), _) => nodes.iter().try_for_each(|&node| check(v, depth, node, instance, path)),
        (Keyword::AnyOf(nodes), _) => {
            let mut first = None;
            for &node in nodes {
                match check(v, depth, node, instance, path) {
                    Ok(()) => return Ok(()),
                    Err(e) => first = first.or(Some(e)),
                }
            }
            let why = first.map_or(String::new(), |e| format!(" (the first: {})", e.message));
            fail(path, format!("must be valid against one of {} schemas (`anyOf`), is not{why}", nodes.len()))
        }
        (Keyword::OneOf(nodes), _) => {
            let valid =
                nodes.iter().filter(|&&node| check(v, depth, node, instance, &mut path.clone()).is_ok()).count();
            if valid == 1 {
                return Ok(());
            }
            fail(
                path,
                format!(
                    "must be valid against exactly one of {} schemas (`oneOf`), is valid against {valid}",
                    nodes.len()
                ),
            )
        }
        // A keyword that holds, or does not apply to this instance's type.
        _ => Ok(()),
    }
}

/// The node of a member named in a schema's `properties`.
fn property(keywords: &[Keyword], name: &str) -> Option<u32> {
    keywords.iter().find_map(|k| match k {
        Keyword::Properties(p) => p.iter().find(|(n, _)| n == name).map(|&(_, node)| node),
        _ => None,
    })
}

fn has_type(integers: Integers, t: Type, instance: &Value) -> bool {
    match (t, instance) {
        (Type::Null, Value::Null)
        | (Type::Boolean, Value::Bool(_))
        | (Type::Object, Value::Object(_))
        | (Type::Array, Value::Array(_))
        | (Type::Number, Value::Number(_))
        | (Type::String, Value::String(_)) => true,
        (Type::Integer, Value::Number(n)) => match integers {
            Integers::Int64Literal => n.is_i64(),
            Integers::ZeroFraction => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|x| x.fract() == 0.0),
        },
        _ => false,
    }
}

/// Compares an instance's number with a keyword's: exactly when both are integers, as doubles
/// otherwise.
fn compare(n: &serde_json::Number, bound: Num) -> Option<Ordering> {
    let exact = n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
    match (exact, bound) {
        (Some(a), Num::Integer(b)) => Some(a.cmp(&i128::from(b))),
        (Some(a), Num::Float(b)) => (a as f64).partial_cmp(&b),
        (None, Num::Integer(b)) => n.as_f64()?.partial_cmp(&(b as f64)),
        (None, Num::Float(b)) => n.as_f64()?.partial_cmp(&b),
    }
}

/// JSON Schema's equality (Core §4.2.2): numbers by value, objects regardless of member order.
fn equal(j: &Json, instance: &Value) -> bool {
    match (j, instance) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Number(a), Value::Number(b)) => compare(b, *a) == Some(Ordering::Equal),
        (Json::String(a), Value::String(b)) => a == b,
        (Json::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal(x, y)),
        (Json::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, x)| b.get(k).is_some_and(|y| equal(x, y)))
        }
        _ => false,
    }
}

impl fmt::Display for Json {
    /// Compact JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => write!(f, "{b}"),
            Json::Number(n) => write!(f, "{n}"),
            Json::String(s) => {
                let mut out = String::new();
                quote(s, &mut out);
                f.write_str(&out)
            }
            Json::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    write!(f, "{}{item}", if i > 0 { "," } else { "" })?;
                }
                f.write_str("]")
            }
            Json::Object(members) => {
                f.write_str("{")?;
                for (i, (k, item)) in members.iter().enumerate() {
                    write!(f, "{}{}:{item}", if i > 0 { "," } else { "" }, Json::String(k.clone()))?;
                }
                f.write_str("}")
            }
        }
    }
}

/// `multipleOf` of a JSON number, as the generated languages hold it: an int64 by its digits
/// where the node's `type` takes integers and not numbers (`integer`), any other number as its
/// double's shortest decimal (a `number` field holds `9007199254740993` as `9007199254740992`).
fn multiple(n: &serde_json::Number, divisor: f64, integer: bool) -> bool {
    match n.as_i64().filter(|_| integer) {
        Some(i) => crate::decimal::is_integer_multiple_of(i, divisor),
        None => crate::decimal::is_multiple_of(n.as_f64().unwrap_or(f64::NAN), divisor),
    }
}

/// Whether a node's `type` takes integers and no other numbers.
fn held_as_integer(siblings: &[Keyword]) -> bool {
    siblings.iter().any(|k| matches!(k, Keyword::Type(t) if t.contains(&Type::Integer) && !t.contains(&Type::Number)))
}

/// The canonical form of any JSON value with no schema to type it: an integer only as an int64
/// literal was read, every other number a double in ECMAScript's form (what [`to_canonical_json`]
/// writes for members no schema names). The compiler compares `const` and `enum` values by it.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(
        &Validator { contract: String::new(), integers: Integers::Int64Literal, nodes: Vec::new() },
        0,
        None,
        value,
        &mut out,
    );
    out
}

/// Writes a message that [`validate_text`] accepted in canonical form (DESIGN.md's conformance
/// contract, RFC 8785 §3.2): keys sorted by UTF-16 code units, no whitespace, minimal escapes,
/// integer fields as written, number fields in ECMAScript's shortest round-trip form
/// (ECMA-262 §6.1.6.1.20 Number::toString, via `ryu-js`). The same bytes the generated Rust,
/// Python and MQL4 write.
pub fn to_canonical_json(v: &Validator, value: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, 0, Some(0), value, &mut out);
    out
}

/// `node`: the schema the value stands under, if any; a number under a `number` type is a double.
/// `depth` counts the nodes followed, as [`check`]'s does; past [`MAX_NESTING`] a value is written
/// as under no schema.
fn write_canonical(v: &Validator, depth: usize, node: Option<u32>, value: &Value, out: &mut String) {
    let node = node.filter(|_| depth < MAX_NESTING);
    let depth = depth + 1;
    let keywords = match node.and_then(|n| v.nodes.get(n as usize)) {
        Some(Node::Keywords(k)) => k.as_slice(),
        _ => &[],
    };
    // Under a union, the value is written as the branch it is valid against; a node that only
    // wraps another (a property's `default` beside a shared type) as that one.
    let branch = keywords.iter().find_map(|k| match k {
        Keyword::AnyOf(nodes) | Keyword::OneOf(nodes) => {
            nodes.iter().copied().find(|&n| check(v, 0, n, value, &mut Vec::new()).is_ok())
        }
        Keyword::AllOf(nodes) if nodes.len() == 1 => Some(nodes[0]),
        _ => None,
    });
    if let Some(branch) = branch {
        return write_canonical(v, depth, Some(branch), value, out);
    }
    match value {
        Value::Number(n)
            if n.as_i64().is_none()
                || keywords.iter().any(|k| matches!(k, Keyword::Type(t) if t.contains(&Type::Number))) =>
        {
            out.push_str(ryu_js::Buffer::new().format(n.as_f64().unwrap_or(f64::NAN)));
        }
        Value::Object(map) => {
            // Members the message lacks and whose property has a `default` are written with it.
            let defaults: Vec<(String, Value)> = keywords
                .iter()
                .filter_map(|k| match k {
                    Keyword::Properties(p) => Some(p),
                    _ => None,
                })
                .flatten()
                .filter(|(name, _)| !map.contains_key(name))
                .filter_map(|(name, node)| match v.nodes.get(*node as usize) {
                    Some(Node::Keywords(k)) => k.iter().find_map(|k| match k {
                        Keyword::Default(j) => Some((name.clone(), Value::from(j))),
                        _ => None,
                    }),
                    _ => None,
                })
                .collect();
            let mut members: Vec<(&String, &Value)> = map.iter().chain(defaults.iter().map(|(k, v)| (k, v))).collect();
            members.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
            let additional = keywords.iter().find_map(|k| match k {
                Keyword::AdditionalProperties(n) => Some(*n),
                _ => None,
            });
            out.push('{');
            for (i, (key, child)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quote(key, out);
                out.push(':');
                write_canonical(v, depth, property(keywords, key).or(additional), child, out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            // A tuple's items are written as any JSON value (every language holds them so).
            let tuple = keywords.iter().any(|k| matches!(k, Keyword::PrefixItems(_)));
            let items = keywords.iter().find_map(|k| match k {
                Keyword::Items(n) if !tuple => Some(*n),
                _ => None,
            });
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, depth, items, item, out);
            }
            out.push(']');
        }
        Value::String(s) => quote(s, out),
        // Integers (int64 literals) as written, booleans, null.
        other => out.push_str(&other.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Format, Keyword as K};

    fn validator() -> Validator {
        Validator {
            contract: "events/T@1.0".into(),
            integers: Integers::Int64Literal,
            nodes: vec![
                Node::Keywords(vec![
                    K::Type(vec![Type::Object]),
                    K::Properties(vec![("time".into(), 1), ("n".into(), 2), ("xs".into(), 3)]),
                    K::Required(vec!["time".into()]),
                    K::AdditionalProperties(5),
                ]),
                Node::Keywords(vec![K::Type(vec![Type::String]), K::Format(Format::DateTime)]),
                Node::Keywords(vec![
                    K::Type(vec![Type::Integer]),
                    K::Minimum(Num::Integer(0)),
                    K::Maximum(Num::Integer(10)),
                ]),
                Node::Keywords(vec![K::Type(vec![Type::Array]), K::Items(4), K::MaxItems(2)]),
                Node::Keywords(vec![K::Type(vec![Type::Number]), K::ExclusiveMinimum(Num::Float(0.0))]),
                Node::Bool(false),
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

//! Checks instances against a compiled [`Validator`], as they are read: the message text is
//! pulled through [`crate::json::Reader`] and each keyword node takes the values it applies to,
//! so no tree of the message is built (a value that several schemas apply to, such as an `anyOf`
//! branch's, is read again from its start rather than held).
//!
//! Rules: JSON Schema 2020-12 for the keywords the plan carries (Core §10 applicators, Validation
//! §6 assertions; string lengths count Unicode code points), RFC 3339 §5.6 for `date-time` and
//! `date`, and for message text DESIGN.md's conformance contract (see [`crate::json`]). A
//! contract's validator states the rest of that contract as keywords: closed objects
//! (`additionalProperties: false`), an optional field absent but never `null` (its `type`), and
//! integers as int64 literals ([`Integers::Int64Literal`]). The official JSON-Schema-Test-Suite
//! runs against [`validate_text`] (tests/conformance, `make conformance`).
//!
//! The first violation reported is the one the schema states first: keywords in the node's
//! order; within `properties` the schema's order; within `patternProperties`,
//! `additionalProperties` and `propertyNames` the members by name; items by index.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

use crate::json::{self, Kind, Number, Reader};
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

/// How many schemas may apply one inside another during one validation (a member's, an item's,
/// an `allOf` branch's: each counts one): 64 levels of a message with up to 7 in-place
/// applicators each. Past it the message is refused with a violation, so that a hostile plan (a
/// long acyclic chain of `allOf`) cannot exhaust the stack.
pub const MAX_NESTING: usize = 512;

/// The stack a thread that validates needs at [`MAX_NESTING`], with a margin (a debug build
/// takes about 10 KiB a level): the runtime validates on threads of this size.
pub const STACK_SIZE: usize = 16 << 20;

/// Reads `text` as one JSON message, strictly ([`crate::json`]: RFC 8259 plus the conformance
/// contract), and checks it against the validator's root node, in one pass. `Err`: the first
/// violation, or text that is not a message (at the root pointer `""`, saying where).
pub fn validate_text(v: &Validator, text: &str) -> Result<(), Violation> {
    validate_at(v, 0, text)
}

/// [`validate_text`] of the text against the node `node`.
fn validate_at(v: &Validator, node: u32, text: &str) -> Result<(), Violation> {
    let mut r = Reader::new(text);
    let found = check(v, 0, node, &mut r, &At::Root).and_then(|found| r.finish().map(|_| found));
    match found {
        Ok(None) => Ok(()),
        Ok(Some(violation)) => Err(violation),
        Err(e) => Err(not_json(e)),
    }
}

fn not_json(e: json::Error) -> Violation {
    Violation { pointer: String::new(), message: format!("not JSON: {e}") }
}

/// Parses `text` as one JSON message as strictly as [`validate_text`] does, with no schema, into
/// a tree: the reader of the inputs a condition reads, so that they cannot disagree with the
/// outputs. Whitespace around and inside the message is free (several lines are one message).
/// `Err`: a violation at the root pointer `""` saying what is not JSON.
pub fn parse_strict(text: &str) -> Result<Value, Violation> {
    json::parse(text).map_err(not_json)
}

/// Checks an instance that is already a JSON value: its text, as [`validate_text`] reads it.
pub fn validate(v: &Validator, instance: &Value) -> Result<(), Violation> {
    validate_text(v, &instance.to_string())
}

/// Checks a message and writes it canonically ([`to_canonical_json`]): what the runtime's
/// conformance testee and `contractc mcp` answer.
pub fn canonical_text(v: &Validator, text: &str) -> Result<String, Violation> {
    validate_text(v, text)?;
    Ok(to_canonical_json(v, &parse_strict(text)?))
}

/// Where the value being checked is: a chain of borrowed steps, written as a JSON pointer only
/// when a violation is reported.
enum At<'p> {
    Root,
    Key(&'p At<'p>, &'p str),
    Index(&'p At<'p>, u64),
}

impl At<'_> {
    fn pointer(&self, out: &mut String) {
        match self {
            At::Root => {}
            At::Key(parent, key) => {
                parent.pointer(out);
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            At::Index(parent, i) => {
                parent.pointer(out);
                out.push_str(&format!("/{i}"));
            }
        }
    }

    fn fail(&self, message: String) -> Violation {
        let mut pointer = String::new();
        self.pointer(&mut pointer);
        Violation { pointer, message }
    }
}

/// What checking one value found: the first violation if any; `Err` when the text is not JSON
/// (which ends the check).
type Found = Result<Option<Violation>, json::Error>;

/// The order in which a schema states its rules ([`First`]): the keyword's index, then a member's
/// name where members count by name, then a position (a property's in `properties`, an item's).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    keyword: usize,
    name: Option<String>,
    position: u64,
}

impl Rank {
    fn of(keyword: usize) -> Rank {
        Rank { keyword, name: None, position: 0 }
    }
}

/// The violation a schema states first, of those found so far.
#[derive(Default)]
struct First(Option<(Rank, Violation)>);

impl First {
    fn offer(&mut self, rank: Rank, violation: Violation) {
        if self.0.as_ref().is_none_or(|(best, _)| rank < *best) {
            self.0 = Some((rank, violation));
        }
    }

    /// Whether a violation of this rank would come before the one held (so is worth finding).
    fn wants(&self, keyword: usize) -> bool {
        self.0.as_ref().is_none_or(|(best, _)| keyword <= best.keyword)
    }

    fn found(self) -> Option<Violation> {
        self.0.map(|(_, v)| v)
    }
}

/// Reads one value from `r` and checks it against `node`. `depth`: how many nodes enclose this
/// one in the walk (members, items and in-place applicators alike); past [`MAX_NESTING`] the
/// instance is refused rather than the stack exhausted.
fn check(v: &Validator, depth: usize, node: u32, r: &mut Reader<'_>, at: &At<'_>) -> Found {
    let refuse = |r: &mut Reader<'_>, message: &str| r.skip().map(|_| Some(at.fail(message.to_string())));
    if depth >= MAX_NESTING {
        return refuse(
            r,
            &format!(
                "the schema applies more than {MAX_NESTING} nested schemas here (a plan this deep is refused rather than validated)"
            ),
        );
    }
    match v.nodes.get(node as usize) {
        None => refuse(r, "validator refers to a missing node (corrupt plan)"),
        Some(Node::Bool(true)) => r.skip().map(|_| None),
        Some(Node::Bool(false)) => refuse(r, "no value is allowed here (the schema is `false`)"),
        Some(Node::Keywords(keywords)) => check_keywords(v, depth + 1, keywords, r, at),
    }
}

fn check_keywords(v: &Validator, depth: usize, keywords: &[Keyword], r: &mut Reader<'_>, at: &At<'_>) -> Found {
    let mut first = First::default();
    let kind = r.peek()?;
    let mark = r.mark();
    // The in-place applicators, and `enum` where a value must be compared whole: each reads the
    // value again from its start.
    for (i, keyword) in keywords.iter().enumerate() {
        let again = |r: &mut Reader<'_>, node: u32| {
            r.reset(mark);
            check(v, depth, node, r, at)
        };
        match keyword {
            Keyword::AllOf(nodes) => {
                for &node in nodes {
                    if let Some(e) = again(r, node)? {
                        first.offer(Rank::of(i), e);
                        break;
                    }
                }
            }
            Keyword::AnyOf(nodes) => {
                let mut why = None;
                for &node in nodes {
                    match again(r, node)? {
                        None => {
                            why = None;
                            break;
                        }
                        Some(e) => why = why.or(Some(e)),
                    }
                }
                if let Some(e) = why {
                    let message = format!(
                        "must be valid against one of {} schemas (`anyOf`), is not (the first: {})",
                        nodes.len(),
                        e.message
                    );
                    first.offer(Rank::of(i), at.fail(message));
                }
            }
            Keyword::OneOf(nodes) => {
                let mut valid = 0;
                for &node in nodes {
                    valid += usize::from(again(r, node)?.is_none());
                }
                if valid != 1 {
                    let message = format!(
                        "must be valid against exactly one of {} schemas (`oneOf`), is valid against {valid}",
                        nodes.len()
                    );
                    first.offer(Rank::of(i), at.fail(message));
                }
            }
            Keyword::Enum(values) if matches!(kind, Kind::Array | Kind::Object) => {
                r.reset(mark);
                let instance = r.value()?;
                if !values.iter().any(|j| equal_value(j, &instance)) {
                    first.offer(Rank::of(i), at.fail(enum_message(values, &instance.to_string())));
                }
            }
            _ => {}
        }
    }
    r.reset(mark);
    match kind {
        Kind::Object => check_object(v, depth, keywords, r, at, &mut first)?,
        Kind::Array => check_array(v, depth, keywords, r, at, &mut first)?,
        _ => {
            let scalar = Scalar::read(r, kind)?;
            for (i, keyword) in keywords.iter().enumerate() {
                if let Some(message) = check_scalar(v.integers, keyword, keywords, &scalar) {
                    first.offer(Rank::of(i), at.fail(message));
                }
            }
        }
    }
    if matches!(kind, Kind::Array | Kind::Object) {
        for (i, keyword) in keywords.iter().enumerate() {
            if let Keyword::Type(types) = keyword
                && !types.iter().any(|&t| is_composite(t, kind))
            {
                first.offer(Rank::of(i), at.fail(format!("must be {}, is {}", type_names(types), kind.name())));
            }
        }
    }
    Ok(first.found())
}

/// Whether `t` takes a value of the container kind `kind` (scalars are checked by [`check_scalar`]).
fn is_composite(t: Type, kind: Kind) -> bool {
    matches!((t, kind), (Type::Object, Kind::Object) | (Type::Array, Kind::Array))
}

fn type_names(types: &[Type]) -> String {
    types.iter().map(|t| t.name()).collect::<Vec<_>>().join(" or ")
}

fn enum_message(values: &[Json], instance: &str) -> String {
    let list: Vec<_> = values.iter().map(|j| j.to_string()).collect();
    format!("must be one of {}, is {instance}", list.join(", "))
}

/// Where a member's value goes: a schema of `keywords[keyword]`, ranked by `position` (and by
/// the member's name when `by_name`); `node` `None` for an unknown member of a closed object.
#[derive(Clone, Copy)]
struct Target {
    keyword: usize,
    by_name: bool,
    position: u64,
    node: Option<u32>,
}

impl Target {
    fn rank(&self, key: &str) -> Rank {
        Rank { keyword: self.keyword, name: self.by_name.then(|| key.to_string()), position: self.position }
    }
}

/// The member `key` in the schema's `properties`: the keyword's index, the property's position
/// and its node. `guess`: the position tried first (members usually come in the order of the
/// properties: the one after the last found), then updated.
fn declared_property(keywords: &[Keyword], key: &str, guess: &mut usize) -> Option<(usize, usize, u32)> {
    keywords.iter().enumerate().find_map(|(i, k)| match k {
        Keyword::Properties(p) => {
            let j = match p.get(*guess) {
                Some((name, _)) if name == key => *guess,
                _ => p.iter().position(|(name, _)| name == key)?,
            };
            *guess = j + 1;
            Some((i, j, p[j].1))
        }
        _ => None,
    })
}

/// Calls `found` with each schema of `keywords` that applies to the member `key` (Core §10.3.2);
/// `property`: where `properties` names it ([`declared_property`]).
fn targets(
    v: &Validator,
    keywords: &[Keyword],
    key: &str,
    property: Option<(usize, usize, u32)>,
    mut found: impl FnMut(Target),
) {
    let patterned = || {
        keywords.iter().any(|k| matches!(k, Keyword::PatternProperties(p) if p.iter().any(|(p, _)| p.is_match(key))))
    };
    for (keyword, k) in keywords.iter().enumerate() {
        match k {
            Keyword::Properties(_) => {
                if let Some((_, j, node)) = property.filter(|&(i, _, _)| i == keyword) {
                    found(Target { keyword, by_name: false, position: j as u64, node: Some(node) });
                }
            }
            Keyword::PatternProperties(patterns) => {
                for (j, (_, node)) in patterns.iter().enumerate().filter(|(_, (p, _))| p.is_match(key)) {
                    found(Target { keyword, by_name: true, position: j as u64, node: Some(*node) });
                }
            }
            Keyword::AdditionalProperties(node) if property.is_none() && !patterned() => {
                let closed = v.nodes.get(*node as usize) == Some(&Node::Bool(false));
                found(Target { keyword, by_name: true, position: 0, node: (!closed).then_some(*node) });
            }
            _ => {}
        }
    }
}

/// The node of a member named in a schema's `properties`.
fn property(keywords: &[Keyword], name: &str) -> Option<u32> {
    keywords.iter().find_map(|k| match k {
        Keyword::Properties(p) => p.iter().find(|(n, _)| n == name).map(|&(_, node)| node),
        _ => None,
    })
}

/// The object-only keywords, over the members as they are read.
fn check_object(
    v: &Validator,
    depth: usize,
    keywords: &[Keyword],
    r: &mut Reader<'_>,
    at: &At<'_>,
    first: &mut First,
) -> Result<(), json::Error> {
    // `required` of up to 64 names is tracked as bits; otherwise (or for `dependentRequired`)
    // the names are kept.
    let required = keywords.iter().find_map(|k| match k {
        Keyword::Required(names) => Some(names.as_slice()),
        _ => None,
    });
    let keep_names =
        required.is_some_and(|n| n.len() > 64) || keywords.iter().any(|k| matches!(k, Keyword::DependentRequired(_)));
    let property_names = keywords.iter().enumerate().find_map(|(i, k)| match k {
        Keyword::PropertyNames(node) => Some((i, *node)),
        _ => None,
    });
    let (mut names, mut present, mut count) = (Vec::new(), 0u64, 0u64);
    // Members usually come in the order of `properties` and `required`: the name after the
    // last one found is tried first.
    let (mut guess, mut required_guess) = (0, 0);
    r.begin_object()?;
    while let Some(key) = r.next_key()? {
        count += 1;
        let property = declared_property(keywords, &key, &mut guess);
        if let Some(required) = required.filter(|n| n.len() <= 64) {
            let j = match required.get(required_guess) {
                Some(n) if *n == key => Some(required_guess),
                _ => required.iter().position(|n| *n == key),
            };
            if let Some(j) = j {
                present |= 1 << j;
                required_guess = j + 1;
            }
        }
        if let Some((i, node)) = property_names.filter(|&(i, _)| first.wants(i)) {
            let quoted = Value::String(key.to_string()).to_string();
            if let Some(e) = check(v, depth, node, &mut Reader::new(&quoted), &At::Root)? {
                let rank = Rank { keyword: i, name: Some(key.to_string()), position: 0 };
                first.offer(rank, at.fail(format!("the name `{key}` is not allowed: {}", e.message)));
            }
        }
        let member = At::Key(at, &key);
        let (mut one, mut more) = (None, Vec::new());
        targets(v, keywords, &key, property, |t| match one {
            None => one = Some(t),
            Some(_) => more.push(t),
        });
        let mark = r.mark();
        let mut read = false;
        for t in one.iter().chain(&more) {
            if read {
                r.reset(mark);
            }
            read = true;
            match t.node {
                Some(node) => {
                    if let Some(e) = check(v, depth, node, r, &member)? {
                        first.offer(t.rank(&key), e);
                    }
                }
                None => {
                    r.skip()?;
                    first.offer(t.rank(&key), at.fail(format!("unknown property `{key}` (the object is closed)")));
                }
            }
        }
        if !read {
            r.skip()?;
        }
        if keep_names {
            names.push(key);
        }
    }
    let has = |name: &str, j: usize| if keep_names { names.iter().any(|n| n == name) } else { present & (1 << j) != 0 };
    for (i, keyword) in keywords.iter().enumerate() {
        let message = match keyword {
            Keyword::Required(required) => required
                .iter()
                .enumerate()
                .find(|&(j, n)| !has(n, j))
                .map(|(_, n)| format!("missing required property `{n}`")),
            Keyword::DependentRequired(rules) => rules
                .iter()
                .filter(|(name, _)| names.iter().any(|n| n == name))
                .find_map(|(name, needed)| needed.iter().find(|n| !names.iter().any(|m| m == *n)).map(|m| (name, m)))
                .map(|(name, missing)| format!("has `{name}`, so it must have `{missing}` too")),
            Keyword::MaxProperties(m) if count > *m => Some(format!("must have at most {m} members, has {count}")),
            Keyword::MinProperties(m) if count < *m => Some(format!("must have at least {m} members, has {count}")),
            _ => None,
        };
        if let Some(message) = message {
            first.offer(Rank::of(i), at.fail(message));
        }
    }
    Ok(())
}

/// The array-only keywords, over the items as they are read.
fn check_array(
    v: &Validator,
    depth: usize,
    keywords: &[Keyword],
    r: &mut Reader<'_>,
    at: &At<'_>,
    first: &mut First,
) -> Result<(), json::Error> {
    let find = |f: fn(&Keyword) -> Option<u32>| keywords.iter().enumerate().find_map(|(i, k)| f(k).map(|n| (i, n)));
    let prefix = keywords.iter().enumerate().find_map(|(i, k)| match k {
        Keyword::PrefixItems(nodes) => Some((i, nodes.as_slice())),
        _ => None,
    });
    let items = find(|k| if let Keyword::Items(n) = k { Some(*n) } else { None });
    let contains = find(|k| if let Keyword::Contains(n) = k { Some(*n) } else { None });
    let unique = keywords.iter().position(|k| matches!(k, Keyword::UniqueItems));
    let mut seen = std::collections::HashMap::new();
    let (mut index, mut contained) = (0u64, 0u64);
    r.begin_array()?;
    while r.next_item()? {
        let item = At::Index(at, index);
        let mark = r.mark();
        let mut read = false;
        let mut again = |r: &mut Reader<'_>| {
            if std::mem::replace(&mut read, true) {
                r.reset(mark);
            }
        };
        if let Some(i) = unique {
            again(r);
            // Items compare whole (JSON equality, as their canonical text): each is held as a
            // value for that comparison alone.
            if let Some(j) = seen.insert(canonical(&r.value()?), index) {
                let rank = Rank { keyword: i, name: None, position: index };
                first.offer(rank, at.fail(format!("items {j} and {index} are equal; items must be unique")));
            }
        }
        if let Some((_, node)) = contains {
            again(r);
            contained += u64::from(check(v, depth, node, r, &item)?.is_none());
        }
        let positional = match prefix {
            Some((i, nodes)) if (index as usize) < nodes.len() => Some((i, nodes[index as usize])),
            _ => items.filter(|_| index as usize >= prefix.map_or(0, |(_, nodes)| nodes.len())),
        };
        if let Some((i, node)) = positional {
            again(r);
            if let Some(e) = check(v, depth, node, r, &item)? {
                first.offer(Rank { keyword: i, name: None, position: index }, e);
            }
        }
        if !read {
            r.skip()?;
        }
        index += 1;
    }
    for (i, keyword) in keywords.iter().enumerate() {
        let message = match keyword {
            Keyword::MaxItems(m) if index > *m => Some(format!("must have at most {m} items, has {index}")),
            Keyword::MinItems(m) if index < *m => Some(format!("must have at least {m} items, has {index}")),
            Keyword::Contains(_) => {
                let bound = |f: fn(&Keyword) -> Option<u64>| keywords.iter().find_map(f);
                let min = bound(|k| if let Keyword::MinContains(m) = k { Some(*m) } else { None }).unwrap_or(1);
                let max = bound(|k| if let Keyword::MaxContains(m) = k { Some(*m) } else { None });
                if contained < min {
                    Some(format!("must contain at least {min} matching items (`contains`), has {contained}"))
                } else {
                    max.filter(|&m| contained > m)
                        .map(|m| format!("must contain at most {m} matching items (`contains`), has {contained}"))
                }
            }
            _ => None,
        };
        if let Some(message) = message {
            first.offer(Rank::of(i), at.fail(message));
        }
    }
    Ok(())
}

/// A value that is neither an array nor an object.
enum Scalar<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
}

impl<'a> Scalar<'a> {
    fn read(r: &mut Reader<'a>, kind: Kind) -> Result<Scalar<'a>, json::Error> {
        Ok(match kind {
            Kind::Null => r.null().map(|_| Scalar::Null)?,
            Kind::Boolean => Scalar::Bool(r.boolean()?),
            Kind::Number => Scalar::Number(r.number()?),
            _ => Scalar::String(r.string()?),
        })
    }

    /// Compact JSON text, as a message quotes it.
    fn text(&self) -> String {
        match self {
            Scalar::Null => "null".into(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Number(n) => number_text(*n),
            Scalar::String(s) => Value::String(s.to_string()).to_string(),
        }
    }
}

/// A number as serde_json writes it (`1.0` a double, `1` an integer).
fn number_text(n: Number) -> String {
    match n {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => Value::from(f).to_string(),
    }
}

/// The message of a scalar keyword that `instance` breaks; `None` when it holds or does not apply.
fn check_scalar(integers: Integers, keyword: &Keyword, siblings: &[Keyword], instance: &Scalar<'_>) -> Option<String> {
    let number = match instance {
        Scalar::Number(n) => Some(*n),
        _ => None,
    };
    let string = match instance {
        Scalar::String(s) => Some(s.as_ref()),
        _ => None,
    };
    let chars = || string.map_or(0, |s| s.chars().count() as u64);
    match keyword {
        Keyword::Type(types) => {
            if types.iter().any(|&t| has_type(integers, t, instance)) {
                return None;
            }
            let int64 = integers == Integers::Int64Literal && types.contains(&Type::Integer);
            let is = match number {
                Some(n) if int64 => {
                    format!("{} (an integer field takes an integer literal within int64)", number_text(n))
                }
                Some(n) => number_text(n),
                None => match instance {
                    Scalar::Null => "null".into(),
                    Scalar::Bool(_) => "boolean".into(),
                    _ => "string".into(),
                },
            };
            Some(format!("must be {}, is {is}", type_names(types)))
        }
        Keyword::Enum(values) => {
            (!values.iter().any(|j| equal_scalar(j, instance))).then(|| enum_message(values, &instance.text()))
        }
        Keyword::Maximum(b) if number.is_some_and(|n| compare(n, *b) == Some(Ordering::Greater)) => {
            Some(format!("must be <= {b}"))
        }
        Keyword::ExclusiveMaximum(b) if number.is_some_and(|n| compare(n, *b) != Some(Ordering::Less)) => {
            Some(format!("must be < {b}"))
        }
        Keyword::Minimum(b) if number.is_some_and(|n| compare(n, *b) == Some(Ordering::Less)) => {
            Some(format!("must be >= {b}"))
        }
        Keyword::ExclusiveMinimum(b) if number.is_some_and(|n| compare(n, *b) != Some(Ordering::Greater)) => {
            Some(format!("must be > {b}"))
        }
        Keyword::MultipleOf(d) if number.is_some_and(|n| !multiple(n, *d, held_as_integer(siblings))) => {
            Some(format!("must be a multiple of {d}"))
        }
        Keyword::MaxLength(m) if string.is_some() && chars() > *m => {
            Some(format!("must be at most {m} characters long, is {}", chars()))
        }
        Keyword::MinLength(m) if string.is_some() && chars() < *m => {
            Some(format!("must be at least {m} characters long, is {}", chars()))
        }
        Keyword::Pattern(p) if string.is_some_and(|s| !p.is_match(s)) => {
            Some(format!("must match the pattern `{}`", p.source()))
        }
        Keyword::Format(f) if string.is_some_and(|s| !f.matches(s)) => Some(format!("must be {}", f.description())),
        _ => None,
    }
}

fn has_type(integers: Integers, t: Type, instance: &Scalar<'_>) -> bool {
    match (t, instance) {
        (Type::Null, Scalar::Null)
        | (Type::Boolean, Scalar::Bool(_))
        | (Type::Number, Scalar::Number(_))
        | (Type::String, Scalar::String(_)) => true,
        (Type::Integer, Scalar::Number(n)) => match (integers, n) {
            (_, Number::Int(_)) => true,
            (Integers::Int64Literal, Number::Float(_)) => false,
            (Integers::ZeroFraction, Number::Float(f)) => f.fract() == 0.0,
        },
        _ => false,
    }
}

/// Compares an instance's number with a keyword's: exactly when both are integers, as doubles
/// otherwise.
fn compare(n: Number, bound: Num) -> Option<Ordering> {
    match (n, bound) {
        (Number::Int(a), Num::Integer(b)) => Some(a.cmp(&b)),
        (Number::Int(a), Num::Float(b)) => (a as f64).partial_cmp(&b),
        (Number::Float(a), Num::Integer(b)) => a.partial_cmp(&(b as f64)),
        (Number::Float(a), Num::Float(b)) => a.partial_cmp(&b),
    }
}

/// JSON Schema's equality (Core §4.2.2) of a keyword's value and a scalar: numbers by value.
fn equal_scalar(j: &Json, instance: &Scalar<'_>) -> bool {
    match (j, instance) {
        (Json::Null, Scalar::Null) => true,
        (Json::Bool(a), Scalar::Bool(b)) => a == b,
        (Json::Number(a), Scalar::Number(b)) => compare(*b, *a) == Some(Ordering::Equal),
        (Json::String(a), Scalar::String(b)) => a == b,
        _ => false,
    }
}

/// JSON Schema's equality of a keyword's value and any value: numbers by value, objects
/// regardless of member order.
fn equal_value(j: &Json, instance: &Value) -> bool {
    match (j, instance) {
        (Json::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal_value(x, y)),
        (Json::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, x)| b.get(k).is_some_and(|y| equal_value(x, y)))
        }
        (Json::Array(_) | Json::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => false,
        (j, Value::Null) => equal_scalar(j, &Scalar::Null),
        (j, Value::Bool(b)) => equal_scalar(j, &Scalar::Bool(*b)),
        (j, Value::String(t)) => equal_scalar(j, &Scalar::String(Cow::Borrowed(t))),
        (j, Value::Number(n)) => {
            let n = n.as_i64().map_or_else(|| Number::Float(n.as_f64().unwrap_or(f64::NAN)), Number::Int);
            equal_scalar(j, &Scalar::Number(n))
        }
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
fn multiple(n: Number, divisor: f64, integer: bool) -> bool {
    match n {
        Number::Int(i) if integer => crate::decimal::is_integer_multiple_of(i, divisor),
        n => crate::decimal::is_multiple_of(n.as_f64(), divisor),
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
            let text = value.to_string();
            nodes.iter().copied().find(|&n| validate_at(v, n, &text).is_ok())
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
            assert_eq!(canonical_text(&v, text).unwrap(), canonical);
        }
    }
}

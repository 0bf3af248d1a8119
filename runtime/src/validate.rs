//! Checks instances against a compiled [`Validator`], as they are read: the message text is
//! pulled through [`crate::json::Reader`] and each node takes the values it applies to, so no
//! tree of the message is built (a value that several schemas apply to, such as an `anyOf`
//! branch's, is read again from its start rather than held). The nodes are walked in their
//! checked form ([`Compiled`], made once per validator): per value, a type mask and the rules of
//! its kind; per member, a name found in a table, its bit set, its node's value checked.
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
use std::collections::{HashMap, HashSet};
use std::fmt;

use serde_json::Value;

use crate::json::{self, Kind, Mark, Number, Reader};
use crate::plan::{Integers, Json, Keyword, Node, Num, Type, Validator};

mod compiled;

pub use compiled::Compiled;
use compiled::{Checks, Count, InPlace, Items, Members, NumberRule, Program, Shape, StringRule, Types};

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
    let found =
        Walk::new(v.compiled.of(v)).check(0, node, &mut r, &At::Root).and_then(|found| r.finish().map(|_| found));
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

/// One validation's walk over a [`Program`]: the text's reader is passed along, and the names of
/// the members no member table knows are kept here, to refuse a duplicate among them (a known
/// member's is told by its bit; the reader keeps no keys of the objects this walk reads).
struct Walk<'p, 'a> {
    program: &'p Program,
    /// The undeclared names of the objects being read, innermost last.
    keys: Vec<Cow<'a, str>>,
}

/// Past this many undeclared names an object's are checked for duplicates through a hash set
/// rather than one by one.
const LINEAR_KEYS: usize = 16;

impl<'p, 'a> Walk<'p, 'a> {
    fn new(program: &'p Program) -> Walk<'p, 'a> {
        Walk { program, keys: Vec::new() }
    }

    /// Reads one value from `r` and checks it against `node`. `depth`: how many nodes enclose
    /// this one in the walk (members, items and in-place applicators alike); past
    /// [`MAX_NESTING`] the instance is refused rather than the stack exhausted.
    fn check(&mut self, depth: usize, node: u32, r: &mut Reader<'a>, at: &At<'_>) -> Found {
        if depth >= MAX_NESTING {
            return refuse(r, at, too_deep());
        }
        match self.program.nodes.get(node as usize) {
            None => refuse(r, at, "validator refers to a missing node (corrupt plan)".into()),
            Some(Shape::Bool(true)) => r.skip().map(|_| None),
            Some(Shape::Bool(false)) => refuse(r, at, "no value is allowed here (the schema is `false`)".into()),
            Some(Shape::Checks(c)) => self.checks(depth + 1, c, r, at),
        }
    }

    fn checks(&mut self, depth: usize, c: &'p Checks, r: &mut Reader<'a>, at: &At<'_>) -> Found {
        let mut first = First::default();
        let kind = r.peek()?;
        let container = matches!(kind, Kind::Array | Kind::Object);
        // The in-place applicators, and `enum` where a value must be compared whole: each reads
        // the value again from its start.
        if !c.in_place.is_empty() || container && !c.enums.is_empty() {
            let mark = r.mark();
            for (i, keyword) in &c.in_place {
                self.in_place(depth, *i, keyword, r, mark, at, &mut first)?;
            }
            if container && !c.enums.is_empty() {
                r.reset(mark);
                let instance = r.value()?;
                for (i, values) in &c.enums {
                    if !values.iter().any(|j| equal_value(j, &instance)) {
                        first.offer(Rank::of(*i), at.fail(enum_message(values, &instance.to_string())));
                    }
                }
            }
            r.reset(mark);
        }
        match (kind, &c.object, &c.array) {
            (Kind::Object, Some(o), _) => self.object(depth, o, r, at, &mut first)?,
            (Kind::Array, _, Some(a)) => self.array(depth, a, r, at, &mut first)?,
            (Kind::Object | Kind::Array, _, _) => r.skip()?,
            _ => scalar(self.program.integers, c, &Scalar::read(r, kind)?, at, &mut first),
        }
        if container {
            for (i, types) in &c.types {
                if !(if kind == Kind::Object { types.object() } else { types.array() }) {
                    first.offer(
                        Rank::of(*i),
                        at.fail(format!("must be {}, is {}", type_names(&types.names), kind.name())),
                    );
                }
            }
        }
        Ok(first.found())
    }

    /// An `allOf`, `anyOf` or `oneOf` (Core §10.2.1) of the value at `mark`.
    #[allow(clippy::too_many_arguments)]
    fn in_place(
        &mut self,
        depth: usize,
        i: usize,
        keyword: &InPlace,
        r: &mut Reader<'a>,
        mark: Mark,
        at: &At<'_>,
        first: &mut First,
    ) -> Result<(), json::Error> {
        let again = |walk: &mut Self, r: &mut Reader<'a>, node: u32| {
            r.reset(mark);
            walk.check(depth, node, r, at)
        };
        match keyword {
            InPlace::All(nodes) => {
                for &node in nodes {
                    if let Some(e) = again(self, r, node)? {
                        first.offer(Rank::of(i), e);
                        break;
                    }
                }
            }
            InPlace::Any(nodes) => {
                let mut why = None;
                for &node in nodes {
                    match again(self, r, node)? {
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
            InPlace::One(nodes) => {
                let mut valid = 0;
                for &node in nodes {
                    valid += usize::from(again(self, r, node)?.is_none());
                }
                if valid != 1 {
                    let message = format!(
                        "must be valid against exactly one of {} schemas (`oneOf`), is valid against {valid}",
                        nodes.len()
                    );
                    first.offer(Rank::of(i), at.fail(message));
                }
            }
        }
        Ok(())
    }

    /// The object keywords, over the members as they are read (Core §10.3.2: each member's
    /// value against the node `properties` binds it to, each matching pattern's, or else
    /// `additionalProperties`').
    fn object(
        &mut self,
        depth: usize,
        o: &'p Members,
        r: &mut Reader<'a>,
        at: &At<'_>,
        first: &mut First,
    ) -> Result<(), json::Error> {
        let mut seen = Seen::new(o.names.len());
        let kept = self.keys.len();
        let mut set = None;
        let (mut count, mut guess) = (0u64, 0usize);
        r.begin_object()?;
        while let Some(key) = r.next_key_unchecked()? {
            count += 1;
            let name = o.find(&key, &mut guess);
            let new = match name {
                Some(j) => seen.insert(j),
                None => self.undeclared(kept, &mut set, &key),
            };
            if !new {
                return Err(r.duplicate_key(&key));
            }
            if let Some((i, node)) = o.property_names.filter(|&(i, _)| first.wants(i)) {
                let quoted = Value::String(key.to_string()).to_string();
                if let Some(e) = Walk::new(self.program).check(depth, node, &mut Reader::new(&quoted), &At::Root)? {
                    let rank = Rank { keyword: i, name: Some(key.to_string()), position: 0 };
                    first.offer(rank, at.fail(format!("the name `{key}` is not allowed: {}", e.message)));
                }
            }
            let member = At::Key(at, &key);
            let property = name.and_then(|j| o.names[j].property);
            if o.patterns.is_empty() && (property.is_some() || o.additional.len() <= 1) {
                // One schema at most: the value is read once.
                match (property, o.additional.first()) {
                    (Some((i, position, node)), _) => {
                        if let Some(e) = self.check(depth, node, r, &member)? {
                            first.offer(Rank { keyword: i, name: None, position }, e);
                        }
                    }
                    (None, Some(&(i, additional))) => self.additional(depth, i, additional, &key, r, at, first)?,
                    (None, None) => r.skip()?,
                }
                continue;
            }
            let mark = r.mark();
            let mut read = false;
            let mut again = |r: &mut Reader<'a>| {
                if std::mem::replace(&mut read, true) {
                    r.reset(mark);
                }
            };
            if let Some((i, position, node)) = property {
                again(r);
                if let Some(e) = self.check(depth, node, r, &member)? {
                    first.offer(Rank { keyword: i, name: None, position }, e);
                }
            }
            let mut patterned = false;
            for p in o.patterns.iter().filter(|p| p.pattern.is_match(&key)) {
                patterned = true;
                again(r);
                if let Some(e) = self.check(depth, p.node, r, &member)? {
                    first.offer(Rank { keyword: p.keyword, name: Some(key.to_string()), position: p.position }, e);
                }
            }
            if property.is_none() && !patterned {
                for &(i, additional) in &o.additional {
                    again(r);
                    self.additional(depth, i, additional, &key, r, at, first)?;
                }
            }
            if !read {
                r.skip()?;
            }
        }
        self.keys.truncate(kept);
        let missing = |names: &[usize]| names.iter().copied().find(|&j| !seen.has(j));
        for (i, names) in &o.required {
            if let Some(j) = missing(names) {
                first.offer(Rank::of(*i), at.fail(format!("missing required property `{}`", o.names[j].name)));
            }
        }
        for (i, rules) in &o.dependent {
            let broken = rules.iter().filter(|r| seen.has(r.name)).find_map(|r| Some((r.name, missing(&r.needed)?)));
            if let Some((name, needed)) = broken {
                let (name, needed) = (&o.names[name].name, &o.names[needed].name);
                first.offer(Rank::of(*i), at.fail(format!("has `{name}`, so it must have `{needed}` too")));
            }
        }
        for &(i, bound) in &o.counts {
            let message = match bound {
                Count::Max(m) if count > m => format!("must have at most {m} members, has {count}"),
                Count::Min(m) if count < m => format!("must have at least {m} members, has {count}"),
                _ => continue,
            };
            first.offer(Rank::of(i), at.fail(message));
        }
        Ok(())
    }

    /// A member no `properties` or pattern binds, against `additionalProperties` (keyword `i`;
    /// `node` `None`: the object is closed).
    #[allow(clippy::too_many_arguments)]
    fn additional(
        &mut self,
        depth: usize,
        i: usize,
        node: Option<u32>,
        key: &str,
        r: &mut Reader<'a>,
        at: &At<'_>,
        first: &mut First,
    ) -> Result<(), json::Error> {
        let rank = || Rank { keyword: i, name: Some(key.to_string()), position: 0 };
        match node {
            Some(node) => {
                if let Some(e) = self.check(depth, node, r, &At::Key(at, key))? {
                    first.offer(rank(), e);
                }
            }
            None => {
                r.skip()?;
                first.offer(rank(), at.fail(format!("unknown property `{key}` (the object is closed)")));
            }
        }
        Ok(())
    }

    /// Keeps the name of a member no member table knows (`kept`: where the object's start in
    /// [`Walk::keys`]; `set`: them once there are more than [`LINEAR_KEYS`]); `false` when the
    /// object already has it.
    // `key` as read (a `Cow`): kept borrowed from the text when it is.
    #[allow(clippy::ptr_arg)]
    fn undeclared(&mut self, kept: usize, set: &mut Option<HashSet<Cow<'a, str>>>, key: &Cow<'a, str>) -> bool {
        if let Some(set) = set {
            return set.insert(key.clone());
        }
        let names = &self.keys[kept..];
        if names.iter().any(|k| json::same_key(k, key)) {
            return false;
        }
        if names.len() >= LINEAR_KEYS {
            *set = Some(names.iter().cloned().chain([key.clone()]).collect());
        } else {
            self.keys.push(key.clone());
        }
        true
    }

    /// The array keywords, over the items as they are read.
    fn array(
        &mut self,
        depth: usize,
        a: &'p Items,
        r: &mut Reader<'a>,
        at: &At<'_>,
        first: &mut First,
    ) -> Result<(), json::Error> {
        let mut seen = HashMap::new();
        let (mut index, mut contained) = (0u64, 0u64);
        r.begin_array()?;
        while r.next_item()? {
            let item = At::Index(at, index);
            // Core §10.3.1.1–2: the node of the item's position in `prefixItems`, or `items`'.
            let positional = match &a.prefix {
                Some((i, nodes)) if (index as usize) < nodes.len() => Some((*i, nodes[index as usize])),
                _ => a.items,
            };
            if a.unique.is_none() && a.contains.is_none() {
                match positional {
                    Some((i, node)) => {
                        if let Some(e) = self.check(depth, node, r, &item)? {
                            first.offer(Rank { keyword: i, name: None, position: index }, e);
                        }
                    }
                    None => r.skip()?,
                }
                index += 1;
                continue;
            }
            let mark = r.mark();
            let mut read = false;
            let mut again = |r: &mut Reader<'a>| {
                if std::mem::replace(&mut read, true) {
                    r.reset(mark);
                }
            };
            if let Some(i) = a.unique {
                again(r);
                // Items compare whole (JSON equality, as their canonical text): each is held as a
                // value for that comparison alone.
                if let Some(j) = seen.insert(canonical(&r.value()?), index) {
                    let rank = Rank { keyword: i, name: None, position: index };
                    first.offer(rank, at.fail(format!("items {j} and {index} are equal; items must be unique")));
                }
            }
            if let Some(node) = a.contains {
                again(r);
                contained += u64::from(self.check(depth, node, r, &item)?.is_none());
            }
            if let Some((i, node)) = positional {
                again(r);
                if let Some(e) = self.check(depth, node, r, &item)? {
                    first.offer(Rank { keyword: i, name: None, position: index }, e);
                }
            }
            if !read {
                r.skip()?;
            }
            index += 1;
        }
        for &(i, bound) in &a.counts {
            let message = match bound {
                Count::Max(m) if index > m => format!("must have at most {m} items, has {index}"),
                Count::Min(m) if index < m => format!("must have at least {m} items, has {index}"),
                _ => continue,
            };
            first.offer(Rank::of(i), at.fail(message));
        }
        for &i in &a.contains_keywords {
            let min = a.min_contains.unwrap_or(1);
            let message = if contained < min {
                format!("must contain at least {min} matching items (`contains`), has {contained}")
            } else {
                match a.max_contains.filter(|&m| contained > m) {
                    Some(m) => format!("must contain at most {m} matching items (`contains`), has {contained}"),
                    None => continue,
                }
            };
            first.offer(Rank::of(i), at.fail(message));
        }
        Ok(())
    }
}

/// Which of an object's known names were read: a bit each.
struct Seen {
    word: u64,
    /// The bits past the first 64, for a table that long.
    more: Vec<u64>,
}

impl Seen {
    fn new(names: usize) -> Seen {
        Seen { word: 0, more: if names > 64 { vec![0; names.div_ceil(64) - 1] } else { Vec::new() } }
    }

    /// Marks name `j` read; `false` when it already was.
    #[inline]
    fn insert(&mut self, j: usize) -> bool {
        let word = if j < 64 { &mut self.word } else { &mut self.more[j / 64 - 1] };
        let bit = 1 << (j % 64);
        let new = *word & bit == 0;
        *word |= bit;
        new
    }

    fn has(&self, j: usize) -> bool {
        let word = if j < 64 { self.word } else { self.more[j / 64 - 1] };
        word & (1 << (j % 64)) != 0
    }
}

/// Skips the value and reports `message` at `at`.
#[cold]
fn refuse(r: &mut Reader<'_>, at: &At<'_>, message: String) -> Found {
    r.skip().map(|_| Some(at.fail(message)))
}

fn too_deep() -> String {
    format!(
        "the schema applies more than {MAX_NESTING} nested schemas here (a plan this deep is refused rather than validated)"
    )
}

fn type_names(types: &[Type]) -> String {
    types.iter().map(|t| t.name()).collect::<Vec<_>>().join(" or ")
}

fn enum_message(values: &[Json], instance: &str) -> String {
    let list: Vec<_> = values.iter().map(|j| j.to_string()).collect();
    format!("must be one of {}, is {instance}", list.join(", "))
}

/// The node of a member named in a schema's `properties`.
fn property(keywords: &[Keyword], name: &str) -> Option<u32> {
    keywords.iter().find_map(|k| match k {
        Keyword::Properties(p) => p.iter().find(|(n, _)| n == name).map(|&(_, node)| node),
        _ => None,
    })
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

/// The scalar keywords of a node against a value that is neither an array nor an object.
fn scalar(integers: Integers, c: &Checks, instance: &Scalar<'_>, at: &At<'_>, first: &mut First) {
    for (i, types) in &c.types {
        if let Some(message) = type_message(integers, types, instance) {
            first.offer(Rank::of(*i), at.fail(message));
        }
    }
    for (i, values) in &c.enums {
        if !values.iter().any(|j| equal_scalar(j, instance)) {
            first.offer(Rank::of(*i), at.fail(enum_message(values, &instance.text())));
        }
    }
    match instance {
        Scalar::Number(n) => {
            for (i, rule) in &c.numbers {
                if let Some(message) = number_message(*n, rule) {
                    first.offer(Rank::of(*i), at.fail(message));
                }
            }
        }
        Scalar::String(s) if !c.strings.is_empty() => {
            // Validation §6.3.1–2: in Unicode code points, counted once.
            let mut chars = None;
            for (i, rule) in &c.strings {
                let mut count = || *chars.get_or_insert_with(|| s.chars().count() as u64);
                let message = match rule {
                    StringRule::MaxLength(m) if count() > *m => {
                        format!("must be at most {m} characters long, is {}", count())
                    }
                    StringRule::MinLength(m) if count() < *m => {
                        format!("must be at least {m} characters long, is {}", count())
                    }
                    StringRule::Pattern(p) if !p.is_match(s) => format!("must match the pattern `{}`", p.source()),
                    StringRule::Format(f) if !f.matches(s) => format!("must be {}", f.description()),
                    _ => continue,
                };
                first.offer(Rank::of(*i), at.fail(message));
            }
        }
        _ => {}
    }
}

/// The message of a `type` that the scalar `instance` is not of.
fn type_message(integers: Integers, types: &Types, instance: &Scalar<'_>) -> Option<String> {
    let is = match instance {
        Scalar::Null if !types.null() => "null".into(),
        Scalar::Bool(_) if !types.boolean() => "boolean".into(),
        Scalar::String(_) if !types.string() => "string".into(),
        Scalar::Number(n) if !types.number(integers, *n) => {
            if integers == Integers::Int64Literal && types.integer() {
                format!("{} (an integer field takes an integer literal within int64)", number_text(*n))
            } else {
                number_text(*n)
            }
        }
        _ => return None,
    };
    Some(format!("must be {}, is {is}", type_names(&types.names)))
}

/// The message of a number rule that `n` breaks.
fn number_message(n: Number, rule: &NumberRule) -> Option<String> {
    Some(match rule {
        NumberRule::Maximum(b) if compare(n, *b) == Some(Ordering::Greater) => format!("must be <= {b}"),
        NumberRule::ExclusiveMaximum(b) if compare(n, *b) != Some(Ordering::Less) => format!("must be < {b}"),
        NumberRule::Minimum(b) if compare(n, *b) == Some(Ordering::Less) => format!("must be >= {b}"),
        NumberRule::ExclusiveMinimum(b) if compare(n, *b) != Some(Ordering::Greater) => format!("must be > {b}"),
        NumberRule::MultipleOf { divisor, integer } if !multiple(n, *divisor, *integer) => {
            format!("must be a multiple of {divisor}")
        }
        _ => return None,
    })
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

/// The canonical form of any JSON value with no schema to type it: an integer only as an int64
/// literal was read, every other number a double in ECMAScript's form (what [`to_canonical_json`]
/// writes for members no schema names). The compiler compares `const` and `enum` values by it.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(&Validator::new(String::new(), Integers::Int64Literal, Vec::new()), 0, None, value, &mut out);
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
        Validator::new(
            "events/T@1.0",
            Integers::Int64Literal,
            vec![
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
        )
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

    /// An object of `names` properties (each an integer), all required, open unless `closed`.
    fn wide(names: usize, closed: bool) -> Validator {
        let properties = (0..names).map(|i| (format!("p{i}"), 1)).collect();
        let required = (0..names).map(|i| format!("p{i}")).collect();
        let mut root = vec![K::Type(vec![Type::Object]), K::Properties(properties), K::Required(required)];
        if closed {
            root.push(K::AdditionalProperties(2));
        }
        let nodes = vec![Node::Keywords(root), Node::Keywords(vec![K::Type(vec![Type::Integer])]), Node::Bool(false)];
        Validator::new("t/Wide@1.0", Integers::Int64Literal, nodes)
    }

    fn members(names: impl Iterator<Item = String>) -> String {
        format!("{{{}}}", names.map(|n| format!("\"{n}\":1")).collect::<Vec<_>>().join(","))
    }

    #[test]
    fn tells_duplicates_and_missing_members_past_the_first_64_names_and_16_undeclared_ones() {
        let v = wide(70, false);
        let all = || (0..70).map(|i| format!("p{i}"));
        assert_eq!(validate_text(&v, &members(all())), Ok(()));
        let e = validate_text(&v, &members(all().filter(|n| n != "p68"))).unwrap_err();
        assert_eq!(e.message, "missing required property `p68`");
        let e = validate_text(&v, &members(all().chain(["p66".to_string()]))).unwrap_err();
        assert!(e.message.starts_with("not JSON: duplicate key `p66`"), "{e}");
        // Members no property names: kept one by one, then in a set.
        for extra in [3, 40] {
            let undeclared = || (0..extra).map(|i| format!("x{i}"));
            assert_eq!(validate_text(&v, &members(all().chain(undeclared()))), Ok(()));
            let twice = all().chain(undeclared()).chain(["x2".to_string()]);
            let e = validate_text(&v, &members(twice)).unwrap_err();
            assert!(e.message.starts_with("not JSON: duplicate key `x2`"), "{e}");
        }
        let e = validate_text(&wide(70, true), &members(all().chain(["zz".to_string()]))).unwrap_err();
        assert_eq!((e.pointer.as_str(), e.message.as_str()), ("", "unknown property `zz` (the object is closed)"));
    }
}

//! The checked form of a [`Validator`]: its keyword nodes sorted once, when it first validates,
//! into what each kind of value needs (a type mask, the number rules, the string rules, an
//! object's member table, an array's item nodes), so that validating matches no keyword list
//! and searches no sibling per value. [`super`] walks it; it states the same rules as the nodes
//! (JSON Schema 2020-12, the section of each keyword in [`crate::plan::Keyword`]) and the same
//! ranks ([`super::Rank`]: each rule keeps the index of the keyword it comes from).
//!
//! A node states each keyword once, as a schema object does (contractc's plans do). Where a plan
//! repeats one: every assertion counts (each `type`, `required`, bound), the first `properties`
//! that names a member binds it, every `patternProperties` and `additionalProperties` applies,
//! and the first `propertyNames`, `prefixItems`, `items`, `contains`, `minContains`,
//! `maxContains` and `uniqueItems` count (each `contains` is reported with the first's count).

use std::fmt;
use std::sync::OnceLock;

use crate::json::{Number, same_key};
use crate::plan::{Format, Integers, Json, Keyword, Node, Num, Pattern, Type, Validator};

/// A validator's checked form, made on first use and kept beside its nodes
/// ([`Validator::compiled`]). It is made from the validator as it is then: a validator is not
/// changed once it has validated (a clone starts with none, so it may be). Invisible to the
/// plan: not serialized, equal to any other, not printed.
#[derive(Default)]
pub struct Compiled(OnceLock<Program>);

impl Compiled {
    /// The checked form of `v`, whose field this is.
    pub(crate) fn of<'v>(&'v self, v: &Validator) -> &'v Program {
        self.0.get_or_init(|| Program::new(v))
    }
}

impl Clone for Compiled {
    /// None: the clone may be changed before it validates.
    fn clone(&self) -> Compiled {
        Compiled::default()
    }
}

impl PartialEq for Compiled {
    fn eq(&self, _: &Compiled) -> bool {
        true
    }
}

impl fmt::Debug for Compiled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Compiled")
    }
}

/// Every node of a validator, checked, by the nodes' indices.
pub(crate) struct Program {
    pub integers: Integers,
    pub nodes: Vec<Shape>,
}

/// One node: a boolean schema (Core §4.3.2), or its keywords sorted by what they check.
pub(crate) enum Shape {
    Bool(bool),
    Checks(Box<Checks>),
}

/// The keywords of one node. Each rule keeps its keyword's index in the node (its rank).
#[derive(Default)]
pub(crate) struct Checks {
    /// `allOf`, `anyOf`, `oneOf` (Core §10.2.1): the value read again per node.
    pub in_place: Vec<(usize, InPlace)>,
    /// `type` (Validation §6.1.1).
    pub types: Vec<(usize, Types)>,
    /// `enum` (Validation §6.1.2): an array or object is read whole to be compared.
    pub enums: Vec<(usize, Vec<Json>)>,
    /// The assertions on numbers (Validation §6.2).
    pub numbers: Vec<(usize, NumberRule)>,
    /// The assertions on strings (Validation §6.3, §7.3).
    pub strings: Vec<(usize, StringRule)>,
    /// The keywords on objects, if any.
    pub object: Option<Box<Members>>,
    /// The keywords on arrays, if any.
    pub array: Option<Box<Items>>,
}

/// `allOf`, `anyOf` or `oneOf` of these nodes.
pub(crate) enum InPlace {
    All(Vec<u32>),
    Any(Vec<u32>),
    One(Vec<u32>),
}

/// A `type`'s types, as a mask of the kinds they take, and as written (for its message).
pub(crate) struct Types {
    mask: u8,
    pub names: Vec<Type>,
}

const NULL: u8 = 1;
const BOOLEAN: u8 = 2;
const OBJECT: u8 = 4;
const ARRAY: u8 = 8;
const NUMBER: u8 = 16;
const STRING: u8 = 32;
const INTEGER: u8 = 64;

impl Types {
    fn new(names: &[Type]) -> Types {
        let bit = |t: &Type| match t {
            Type::Null => NULL,
            Type::Boolean => BOOLEAN,
            Type::Object => OBJECT,
            Type::Array => ARRAY,
            Type::Number => NUMBER,
            Type::String => STRING,
            Type::Integer => INTEGER,
        };
        Types { mask: names.iter().map(bit).fold(0, |m, b| m | b), names: names.to_vec() }
    }

    pub fn null(&self) -> bool {
        self.mask & NULL != 0
    }

    pub fn boolean(&self) -> bool {
        self.mask & BOOLEAN != 0
    }

    pub fn object(&self) -> bool {
        self.mask & OBJECT != 0
    }

    pub fn array(&self) -> bool {
        self.mask & ARRAY != 0
    }

    pub fn string(&self) -> bool {
        self.mask & STRING != 0
    }

    pub fn integer(&self) -> bool {
        self.mask & INTEGER != 0
    }

    /// Whether a number is of these types: any under `number`; under `integer`, an int64 literal,
    /// or with [`Integers::ZeroFraction`] any number whose fractional part is zero.
    pub fn number(&self, integers: Integers, n: Number) -> bool {
        self.mask & NUMBER != 0
            || self.integer()
                && match (integers, n) {
                    (_, Number::Int(_)) => true,
                    (Integers::Int64Literal, Number::Float(_)) => false,
                    (Integers::ZeroFraction, Number::Float(f)) => integral(f),
                }
    }
}

/// Whether a double's fractional part is zero. Out of line: inlined, the compiler computes it
/// (a call to `trunc`) for every double a `type` sees, before knowing that it is needed.
#[inline(never)]
fn integral(f: f64) -> bool {
    f.fract() == 0.0
}

/// Validation §6.2.1–§6.2.5.
pub(crate) enum NumberRule {
    Maximum(Num),
    ExclusiveMaximum(Num),
    Minimum(Num),
    ExclusiveMinimum(Num),
    /// `integer`: the node's `type` takes integers and no other numbers, so an int64 is held as
    /// one ([`super::multiple`]).
    MultipleOf {
        divisor: f64,
        integer: bool,
    },
}

/// Validation §6.3.1–§6.3.3, §7.3.
pub(crate) enum StringRule {
    MaxLength(u64),
    MinLength(u64),
    Pattern(Pattern),
    Format(Format),
}

/// A bound on how many members or items (Validation §6.4.1–§6.4.2, §6.5.1–§6.5.2).
#[derive(Clone, Copy)]
pub(crate) enum Count {
    Max(u64),
    Min(u64),
}

/// The object keywords of a node (Core §10.3.2, Validation §6.5). Members are known by their
/// index in `names`: whether one was read is a bit.
#[derive(Default)]
pub(crate) struct Members {
    /// Every name the keywords state: `properties`' (in their order), then `required`'s and
    /// `dependentRequired`'s.
    pub names: Vec<Name>,
    /// `patternProperties`, every pattern of each in order.
    pub patterns: Vec<PatternRule>,
    /// `additionalProperties`: its keyword, and its node (`None`: `false`, a closed object).
    pub additional: Vec<(usize, Option<u32>)>,
    /// `propertyNames`: its keyword and node.
    pub property_names: Option<(usize, u32)>,
    /// `required`: its keyword and names.
    pub required: Vec<(usize, Vec<usize>)>,
    /// `dependentRequired`: its keyword and rules.
    pub dependent: Vec<(usize, Vec<Needs>)>,
    pub counts: Vec<(usize, Count)>,
}

/// A `dependentRequired` rule: an object with the name `name` has each of `needed` too.
pub(crate) struct Needs {
    pub name: usize,
    pub needed: Vec<usize>,
}

pub(crate) struct Name {
    pub name: String,
    /// Where `properties` binds it: the keyword, the property's position and its node.
    pub property: Option<(usize, u64, u32)>,
}

pub(crate) struct PatternRule {
    pub keyword: usize,
    pub position: u64,
    pub pattern: Pattern,
    pub node: u32,
}

impl Members {
    /// The index of the name `key`. `guess`: the index tried first (members usually come in
    /// the order of the properties: the one after the last found), then updated.
    #[inline]
    pub fn find(&self, key: &str, guess: &mut usize) -> Option<usize> {
        let j = match self.names.get(*guess) {
            Some(n) if same_key(&n.name, key) => *guess,
            _ => self.names.iter().position(|n| same_key(&n.name, key))?,
        };
        *guess = j + 1;
        Some(j)
    }

    fn name(&mut self, name: &str) -> usize {
        match self.names.iter().position(|n| n.name == name) {
            Some(j) => j,
            None => {
                self.names.push(Name { name: name.to_string(), property: None });
                self.names.len() - 1
            }
        }
    }
}

/// The array keywords of a node (Core §10.3.1, Validation §6.4).
#[derive(Default)]
pub(crate) struct Items {
    /// `prefixItems`: its keyword and nodes.
    pub prefix: Option<(usize, Vec<u32>)>,
    /// `items`: its keyword and node.
    pub items: Option<(usize, u32)>,
    /// `contains`' node, and each `contains` keyword, reported with the count of that node.
    pub contains: Option<u32>,
    pub contains_keywords: Vec<usize>,
    /// `minContains` (1 when absent) and `maxContains`.
    pub min_contains: Option<u64>,
    pub max_contains: Option<u64>,
    /// `uniqueItems`' keyword.
    pub unique: Option<usize>,
    pub counts: Vec<(usize, Count)>,
}

impl Program {
    fn new(v: &Validator) -> Program {
        let nodes = v
            .nodes
            .iter()
            .map(|n| match n {
                Node::Bool(b) => Shape::Bool(*b),
                Node::Keywords(keywords) => Shape::Checks(Box::new(checks(v, keywords))),
            })
            .collect();
        Program { integers: v.integers, nodes }
    }
}

fn checks(v: &Validator, keywords: &[Keyword]) -> Checks {
    let mut c = Checks::default();
    let (mut o, mut a) = (Members::default(), Items::default());
    let (mut object, mut array) = (false, false);
    let integer = keywords
        .iter()
        .any(|k| matches!(k, Keyword::Type(t) if t.contains(&Type::Integer) && !t.contains(&Type::Number)));
    for (i, k) in keywords.iter().enumerate() {
        let number = |rule| (i, rule);
        match k {
            Keyword::Type(t) => c.types.push((i, Types::new(t))),
            Keyword::Enum(values) => c.enums.push((i, values.clone())),
            Keyword::Maximum(b) => c.numbers.push(number(NumberRule::Maximum(*b))),
            Keyword::ExclusiveMaximum(b) => c.numbers.push(number(NumberRule::ExclusiveMaximum(*b))),
            Keyword::Minimum(b) => c.numbers.push(number(NumberRule::Minimum(*b))),
            Keyword::ExclusiveMinimum(b) => c.numbers.push(number(NumberRule::ExclusiveMinimum(*b))),
            Keyword::MultipleOf(d) => c.numbers.push(number(NumberRule::MultipleOf { divisor: *d, integer })),
            Keyword::MaxLength(m) => c.strings.push((i, StringRule::MaxLength(*m))),
            Keyword::MinLength(m) => c.strings.push((i, StringRule::MinLength(*m))),
            Keyword::Pattern(p) => c.strings.push((i, StringRule::Pattern(p.clone()))),
            Keyword::Format(f) => c.strings.push((i, StringRule::Format(*f))),
            Keyword::Default(_) => {}
            Keyword::AllOf(n) => c.in_place.push((i, InPlace::All(n.clone()))),
            Keyword::AnyOf(n) => c.in_place.push((i, InPlace::Any(n.clone()))),
            Keyword::OneOf(n) => c.in_place.push((i, InPlace::One(n.clone()))),
            Keyword::Properties(p) => {
                object = true;
                for (j, (name, node)) in p.iter().enumerate() {
                    let n = o.name(name);
                    o.names[n].property.get_or_insert((i, j as u64, *node));
                }
            }
            Keyword::PatternProperties(p) => {
                object = true;
                o.patterns.extend(p.iter().enumerate().map(|(j, (pattern, node))| PatternRule {
                    keyword: i,
                    position: j as u64,
                    pattern: pattern.clone(),
                    node: *node,
                }));
            }
            Keyword::AdditionalProperties(node) => {
                object = true;
                let closed = v.nodes.get(*node as usize) == Some(&Node::Bool(false));
                o.additional.push((i, (!closed).then_some(*node)));
            }
            Keyword::PropertyNames(node) => {
                object = true;
                o.property_names.get_or_insert((i, *node));
            }
            Keyword::Required(_) | Keyword::DependentRequired(_) => object = true,
            Keyword::MaxProperties(m) => {
                object = true;
                o.counts.push((i, Count::Max(*m)));
            }
            Keyword::MinProperties(m) => {
                object = true;
                o.counts.push((i, Count::Min(*m)));
            }
            Keyword::PrefixItems(n) => {
                array = true;
                a.prefix.get_or_insert_with(|| (i, n.clone()));
            }
            Keyword::Items(n) => {
                array = true;
                a.items.get_or_insert((i, *n));
            }
            Keyword::Contains(n) => {
                array = true;
                a.contains.get_or_insert(*n);
                a.contains_keywords.push(i);
            }
            Keyword::MaxContains(m) => {
                array = true;
                a.max_contains.get_or_insert(*m);
            }
            Keyword::MinContains(m) => {
                array = true;
                a.min_contains.get_or_insert(*m);
            }
            Keyword::UniqueItems => {
                array = true;
                a.unique.get_or_insert(i);
            }
            Keyword::MaxItems(m) => {
                array = true;
                a.counts.push((i, Count::Max(*m)));
            }
            Keyword::MinItems(m) => {
                array = true;
                a.counts.push((i, Count::Min(*m)));
            }
        }
    }
    // The names `required` and `dependentRequired` state, after the properties'.
    for (i, k) in keywords.iter().enumerate() {
        match k {
            Keyword::Required(names) => {
                let names = names.iter().map(|n| o.name(n)).collect();
                o.required.push((i, names));
            }
            Keyword::DependentRequired(rules) => {
                let rules = rules
                    .iter()
                    .map(|(name, needed)| Needs {
                        name: o.name(name),
                        needed: needed.iter().map(|n| o.name(n)).collect(),
                    })
                    .collect();
                o.dependent.push((i, rules));
            }
            _ => {}
        }
    }
    c.object = object.then(|| Box::new(o));
    c.array = array.then(|| Box::new(a));
    c
}

//! The backend-neutral IR: every `$ref` resolved, every name decided, every collection ordered.
//!
//! Architecture invariants: plain data, no salsa, no serde, no IO. Contracts are sorted by
//! [`ContractId`]; the types of a contract keep schema order (root first, then `$defs`, then the
//! inline types found while walking the root); fields keep schema order (never alphabetised).

mod migration;
mod names;
pub mod pattern;

pub use migration::{Migration, MigrationHeader, MigrationOp, OpKind, UpgradePath, Widening, upgrade_paths};
pub use names::{pascal_case, snake_case};

use std::sync::Arc;

/// A whole compiled project.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    /// Sorted by id; shared with the per-contract lowerings they come from (joining them into a
    /// program copies no contract).
    pub contracts: Vec<Arc<Contract>>,
    /// Sorted by name, then version.
    pub workflows: Vec<Workflow>,
    /// The checked migrations between majors, sorted by `from`.
    pub migrations: Vec<Migration>,
}

/// `namespace/Name@MAJOR.MINOR`: the identity of a contract version, from its file name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContractId {
    pub namespace: String,
    pub name: String,
    pub major: u32,
    pub minor: u32,
}

impl ContractId {
    /// `events/PriceTick@1.0`, as workflow specs name contracts.
    pub fn key(&self) -> String {
        format!("{}/{}@{}.{}", self.namespace, self.name, self.major, self.minor)
    }

    /// `PriceTick@1.0.json`.
    pub fn file_name(&self) -> String {
        format!("{}@{}.{}.json", self.name, self.major, self.minor)
    }

    /// `price_tick_1_0`: the module name in Rust and Python.
    pub fn module(&self) -> String {
        format!("{}_{}_{}", snake_case(&self.name), self.major, self.minor)
    }

    /// `PriceTick_1_0`: the prefix of every global name in MQL4.
    pub fn versioned(&self) -> String {
        format!("{}_{}_{}", self.name, self.major, self.minor)
    }
}

/// One contract version.
#[derive(Clone, Debug, PartialEq)]
pub struct Contract {
    pub id: ContractId,
    /// Project-relative path of the source file.
    pub source: String,
    pub description: Option<String>,
    /// `types[0]` is the root (an object, an enum, a union or an alias); see the crate docs for
    /// the order.
    pub types: Vec<NamedType>,
}

impl Contract {
    pub fn root(&self) -> &NamedType {
        &self.types[0]
    }
}

/// A type that gets a name in every backend: an object, a string enum or a tagged union.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedType {
    /// PascalCase, unique within the contract (`ExecutionReport`, `Fill`, `ExecutionReportSide`).
    pub name: String,
    /// JSON pointer (RFC 6901) of its schema in the contract's file: `` for the root,
    /// `/$defs/Fill`, or where an inline enum or object is written (`/properties/side`).
    pub pointer: String,
    pub description: Option<String>,
    pub kind: TypeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    Object(Box<Object>),
    /// A string enum; values in schema order.
    Enum(Vec<String>),
    /// A tagged union: `oneOf`/`anyOf` of objects told apart by a required string `const`.
    Union(Union),
    /// The root of a contract whose schema is none of the above (a constrained scalar, an array,
    /// a nullable value, `const`/`enum` values of any kind, a `$ref`): a name for that type.
    Alias(Ty),
    /// `anyOf`/`oneOf` of branches of different JSON types, or a `type` array of several: the
    /// instance's JSON type picks the one branch that can hold it, so the two keywords mean the
    /// same. In [`JsonKind`] order, at most one branch per kind.
    Choice(Vec<(JsonKind, Ty)>),
    /// `anyOf`/`oneOf` whose branches neither a tag nor their JSON types tell apart.
    Untagged(Untagged),
}

/// An untagged union (Core §10.2.1.2–3): an instance is valid when at least one branch
/// (`anyOf`) or exactly one (`oneOf`) accepts it, and the first branch in schema order that
/// accepts it holds it, in every language (the runtime's canonical writer, too, writes a value as
/// the first branch it is valid against).
#[derive(Clone, Debug, PartialEq)]
pub struct Untagged {
    /// `oneOf`: no second branch may accept the instance.
    pub exactly_one: bool,
    /// In schema order; none is nullable (a `null` branch makes the union [`Ty::Nullable`]).
    pub branches: Vec<Ty>,
}

/// The JSON types (Validation §6.1.1) a [`TypeKind::Choice`] tells its branches apart by;
/// `integer` is a kind of `number`, and `null` is never a branch (the choice is nullable instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JsonKind {
    Boolean,
    Number,
    String,
    Array,
    Object,
}

impl JsonKind {
    /// The name of the kind in JSON Schema (`number` for integers too).
    pub fn name(self) -> &'static str {
        match self {
            JsonKind::Boolean => "boolean",
            JsonKind::Number => "number",
            JsonKind::String => "string",
            JsonKind::Array => "array",
            JsonKind::Object => "object",
        }
    }
}

/// `oneOf` or `anyOf` (Core §10.2.1.2–3) of object schemas that each require the property `tag`
/// with a string `const` of their own: at most one branch can be valid, so both keywords mean
/// "the branch the tag names". Each variant is an object type of the same contract used nowhere
/// else (generated Rust drops the tag from the variant's struct: serde reads it).
#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    /// The wire name of the tag property.
    pub tag: String,
    /// `(tag value, index of the variant's object type in the contract)`, in schema order.
    pub variants: Vec<(String, usize)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    pub fields: Vec<Field>,
    /// What the members that `properties` does not name may be.
    pub additional: Additional,
    /// `minProperties`/`maxProperties` (Validation §6.5.1–2): how many members, named or not.
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    /// What the name of every member `properties` does not name must be: `propertyNames`
    /// (Core §10.3.2.4; the checker proved the declared names satisfy it) and the patterns of
    /// `patternProperties` beside `additionalProperties: false` (§10.3.2.2), which make the
    /// members they match the map's. Only meaningful when `additional` is not `Forbidden`.
    pub extra_names: Option<StringTy>,
    /// `patternProperties` (Core §10.3.2.2) whose schemas say more than `additional`: each
    /// undeclared member is checked by every rule whose pattern its name matches. Non-empty only
    /// when `additional` is [`Additional::Any`] (the members are kept as JSON values, because
    /// their types differ by name); a declared property's type already holds the rules its name
    /// matches.
    pub pattern_rules: Vec<PatternRule>,
    /// `additionalProperties` as a schema (§10.3.2.3) beside `pattern_rules`: the type of every
    /// undeclared member whose name no rule's pattern matches.
    pub unmatched: Option<Ty>,
    /// `dependentRequired` (Validation §6.5.4; draft 7's `dependencies` with arrays): when a
    /// message has the member named first, it must have each of the others. A name is a
    /// declared property without a default, or an undeclared member of an object that is not
    /// closed; no name of the others is a required property (those hold trivially).
    pub dependent_required: Vec<(String, Vec<String>)>,
}

/// One entry of `patternProperties` (Core §10.3.2.2): a member whose name matches `pattern` must
/// be an instance of `ty`, or, with `ty` `None` (the schema `false`), may not be present.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternRule {
    pub pattern: pattern::Pattern,
    pub ty: Option<Ty>,
}

impl Object {
    /// Unknown members are kept as any JSON (`additionalProperties` absent or `true`).
    pub fn is_open(&self) -> bool {
        self.additional == Additional::Any
    }

    /// The type of every member `properties` does not name, when it is a map
    /// (`additionalProperties` a schema).
    pub fn map_values(&self) -> Option<&Ty> {
        match &self.additional {
            Additional::Typed(t) => Some(t),
            _ => None,
        }
    }
}

/// `additionalProperties` (JSON Schema 2020-12 Core §10.3.2.3).
#[derive(Clone, Debug, PartialEq)]
pub enum Additional {
    /// `false`: a closed object; an unknown member makes the instance invalid.
    Forbidden,
    /// Absent or `true` (the default): an open object. Unknown members may hold any JSON value;
    /// every generated language keeps them and writes them back in canonical form.
    Any,
    /// A schema: a map. Every member `properties` does not name is of this type, kept and written
    /// back in key order with the named ones.
    Typed(Box<Ty>),
}

/// A property of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The wire name, exactly as in the schema.
    pub name: String,
    pub description: Option<String>,
    pub required: bool,
    pub ty: Ty,
    /// `default` (Validation §9.2), for an optional field: its canonical text (as in
    /// [`Ty::Values`]). Every language gives an absent member this value on read, and canonical
    /// output writes it.
    pub default: Option<String>,
}

/// The type of a field or array item, with the constraints the schema states.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    String(StringTy),
    Number(NumberTy),
    Integer(IntegerTy),
    Boolean,
    Array(ArrayTy),
    Named(TypeRef),
    /// A value of the inner type or `null` (`"type": ["number", "null"]`, or `anyOf`/`oneOf` of a
    /// schema and `{"type": "null"}`, as Pydantic writes `Optional`). Never nested.
    Nullable(Box<Ty>),
    /// Any JSON value equal to one of these (`const`, or an `enum` that is not all strings;
    /// Validation §6.1.2–§6.1.3), each given by its canonical text (the conformance contract's:
    /// keys sorted, an integer only as an int64 literal, other numbers as doubles), in schema
    /// order. Two values are equal when their canonical texts are (`1` equals `1.0`).
    Values(Vec<String>),
    /// Any JSON value, `null` included: a schema that asserts nothing (`{}`, `true`, annotations
    /// alone) or an array's absent `items` (Core §4.3.2, §10.3.1.2).
    Any,
}

impl TypeKind {
    /// The types of what a value of this kind holds: an object's fields and map values, an alias's
    /// type (a union's variants are types of its own contract: [`Union::variants`]).
    pub fn member_types(&self) -> Vec<&Ty> {
        match self {
            TypeKind::Object(o) => o
                .fields
                .iter()
                .map(|f| &f.ty)
                .chain(o.map_values())
                .chain(o.pattern_rules.iter().filter_map(|r| r.ty.as_ref()))
                .chain(&o.unmatched)
                .collect(),
            TypeKind::Alias(t) => vec![t],
            TypeKind::Choice(branches) => branches.iter().map(|(_, t)| t).collect(),
            TypeKind::Untagged(u) => u.branches.iter().collect(),
            TypeKind::Enum(_) | TypeKind::Union(_) => Vec::new(),
        }
    }

    /// Every named type a value of this kind holds directly (see [`TypeKind::member_types`]).
    pub fn refs(&self) -> Vec<TypeRef> {
        self.member_types().into_iter().flat_map(Ty::refs).collect()
    }
}

/// What a file that lists every contract (a crate's `lib.rs`, a package's registry) reads of
/// one: its id, and its root type's name and whether it is an object. Equal after any edit that
/// keeps these, so such a file is not made again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub id: ContractId,
    pub root: String,
    pub object: bool,
}

impl Contract {
    /// This contract's [`Header`].
    pub fn header(&self) -> Header {
        let root = self.root();
        Header { id: self.id.clone(), root: root.name.clone(), object: matches!(root.kind, TypeKind::Object(_)) }
    }

    /// What another contract's generated code may read of this one: everything but its
    /// descriptions (of the contract, its types and their fields), which only its own code shows.
    pub fn interface(&self) -> Contract {
        let mut c = self.clone();
        c.description = None;
        for t in &mut c.types {
            t.description = None;
            if let TypeKind::Object(o) = &mut t.kind {
                o.fields.iter_mut().for_each(|f| f.description = None);
            }
        }
        c
    }

    /// Renumbers the contracts this one refers to: every [`TypeRef::contract`] `c` becomes
    /// `to(c)` (a program of a few contracts, read as the whole one: a backend rendering one
    /// contract needs only the contracts it reaches).
    pub fn renumber(&mut self, to: &impl Fn(usize) -> usize) {
        for t in &mut self.types {
            t.kind.renumber(to);
        }
    }
}

impl TypeKind {
    /// [`Contract::renumber`] for every type this kind holds ([`TypeKind::member_types`]).
    fn renumber(&mut self, to: &impl Fn(usize) -> usize) {
        match self {
            TypeKind::Object(o) => {
                o.fields.iter_mut().for_each(|f| f.ty.renumber(to));
                if let Additional::Typed(t) = &mut o.additional {
                    t.renumber(to);
                }
                o.pattern_rules.iter_mut().filter_map(|r| r.ty.as_mut()).for_each(|t| t.renumber(to));
                o.unmatched.iter_mut().for_each(|t| t.renumber(to));
            }
            TypeKind::Alias(t) => t.renumber(to),
            TypeKind::Choice(branches) => branches.iter_mut().for_each(|(_, t)| t.renumber(to)),
            TypeKind::Untagged(u) => u.branches.iter_mut().for_each(|t| t.renumber(to)),
            TypeKind::Enum(_) | TypeKind::Union(_) => {}
        }
    }
}

impl Ty {
    /// The named types a value of this type is directly (through arrays and `null`).
    pub fn refs(&self) -> Vec<TypeRef> {
        match self {
            Ty::Named(r) => vec![*r],
            Ty::Array(a) => {
                let positions = a.tuple.iter().flat_map(|t| t.prefix.iter().chain([&*t.rest]));
                let contained = a.contains.iter().map(|c| &*c.ty);
                a.items.refs().into_iter().chain(positions.chain(contained).flat_map(Ty::refs)).collect()
            }
            Ty::Nullable(t) => t.refs(),
            _ => Vec::new(),
        }
    }

    /// [`Contract::renumber`] for this type and the types inside it (see [`Ty::refs`]).
    fn renumber(&mut self, to: &impl Fn(usize) -> usize) {
        match self {
            Ty::Named(r) => r.contract = to(r.contract),
            Ty::Array(a) => {
                a.items.renumber(to);
                if let Some(t) = &mut a.tuple {
                    t.prefix.iter_mut().for_each(|p| p.renumber(to));
                    t.rest.renumber(to);
                }
                if let Some(c) = &mut a.contains {
                    c.ty.renumber(to);
                }
            }
            Ty::Nullable(t) => t.renumber(to),
            Ty::String(_) | Ty::Number(_) | Ty::Integer(_) | Ty::Boolean | Ty::Values(_) | Ty::Any => {}
        }
    }

    /// The type without its `null`: `self` unless it is [`Ty::Nullable`].
    pub fn non_null(&self) -> &Ty {
        match self {
            Ty::Nullable(t) => t,
            t => t,
        }
    }

    pub fn is_nullable(&self) -> bool {
        matches!(self, Ty::Nullable(_))
    }
}

/// `minLength`/`maxLength` count Unicode code points (JSON Schema 2020-12 Validation §6.3);
/// `pattern` (§6.3.3) is an unanchored search, see [`pattern`].
#[derive(Clone, Debug, PartialEq, Default)]
pub struct StringTy {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<pattern::Pattern>,
    pub format: Option<Format>,
}

/// The `format`s the subset asserts (Validation §7.2.2): the runtime's `formats::Format` has the
/// same variants and holds the one implementation of each check in Rust, which the checker and
/// generated Rust use too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// RFC 3339 §5.6 `date-time`.
    DateTime,
    /// RFC 3339 §5.6 `full-date`.
    Date,
    /// RFC 3339 §5.6 `full-time`.
    Time,
    /// RFC 3339 Appendix A `duration`.
    Duration,
    /// RFC 5321 §4.1.2 `Mailbox`.
    Email,
    /// RFC 1123 §2.1 host name.
    Hostname,
    /// RFC 2673 §3.2 `dotted-quad`.
    Ipv4,
    /// RFC 4291 §2.2 text form.
    Ipv6,
    /// RFC 9562 §4 (formerly RFC 4122 §3): the 8-4-4-4-12 hex form, any version, either case.
    Uuid,
}

impl Format {
    /// Every asserted format, by its keyword.
    pub const ALL: [Format; 9] = [
        Format::DateTime,
        Format::Date,
        Format::Time,
        Format::Duration,
        Format::Email,
        Format::Hostname,
        Format::Ipv4,
        Format::Ipv6,
        Format::Uuid,
    ];

    /// The `format` keyword's value.
    pub fn keyword(self) -> &'static str {
        match self {
            Format::DateTime => "date-time",
            Format::Date => "date",
            Format::Time => "time",
            Format::Duration => "duration",
            Format::Email => "email",
            Format::Hostname => "hostname",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::Uuid => "uuid",
        }
    }

    /// The format's name in generated code, its keyword in PascalCase (`DateTime`, `Ipv4`): the
    /// variant of Rust's `support::Format`, Python's annotated type, MQL4's `CtcIs<Name>`.
    pub fn name(self) -> &'static str {
        match self {
            Format::DateTime => "DateTime",
            Format::Date => "Date",
            Format::Time => "Time",
            Format::Duration => "Duration",
            Format::Email => "Email",
            Format::Hostname => "Hostname",
            Format::Ipv4 => "Ipv4",
            Format::Ipv6 => "Ipv6",
            Format::Uuid => "Uuid",
        }
    }

    /// The format a `format` value asserts, if the subset asserts it.
    pub fn from_keyword(k: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.keyword() == k)
    }
}

/// A bound on a number (JSON Schema 2020-12 Validation §6.2).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bound {
    pub value: f64,
    pub exclusive: bool,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct NumberTy {
    pub minimum: Option<Bound>,
    pub maximum: Option<Bound>,
    /// `multipleOf` (Validation §6.2.1), positive: in decimal arithmetic on the shortest decimal
    /// of each double (`runtime::decimal`), so `19.99` is a multiple of `0.01`.
    pub multiple_of: Option<f64>,
}

/// Integer bounds are inclusive; exclusive bounds are normalised. Values fit an `i64`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct IntegerTy {
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    /// `multipleOf` (Validation §6.2.1), positive, as for [`NumberTy::multiple_of`] (the integer
    /// by its own digits).
    pub multiple_of: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ArrayTy {
    pub items: Box<Ty>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// `uniqueItems: true` (Validation §6.4.3): no two items equal as JSON values (the same
    /// canonical text).
    pub unique_items: bool,
    /// `prefixItems` (Core §10.3.1.1, draft 2019-09's array `items`): the schema of each item by
    /// its position, when the positions' types differ. The items are then held as any JSON value
    /// (`items` is [`Ty::Any`]) and each is checked as an instance of its position's type.
    pub tuple: Option<Tuple>,
    /// `contains` (Core §10.3.1.3) with `minContains`/`maxContains` (Validation §6.4.4–§6.4.5).
    pub contains: Option<Contains>,
}

/// How many items of an array are instances of `ty`: at least `min` (1 unless `minContains`
/// says otherwise, never 0 with no `max`: that asserts nothing), at most `max`.
#[derive(Clone, Debug, PartialEq)]
pub struct Contains {
    pub ty: Box<Ty>,
    pub min: u64,
    pub max: Option<u64>,
}

/// A tuple's item types: item `i` is an instance of `prefix[i]`, every later item of `rest`
/// (`items` beside `prefixItems`, Core §10.3.1.2, or draft 2019-09's `additionalItems`; [`Ty::Any`]
/// when absent). An item `false` bounds `maxItems` instead.
#[derive(Clone, Debug, PartialEq)]
pub struct Tuple {
    pub prefix: Vec<Ty>,
    pub rest: Box<Ty>,
}

impl ArrayTy {
    /// The type of the item at `index` (its position's in a tuple).
    pub fn item(&self, index: usize) -> &Ty {
        match &self.tuple {
            Some(t) => t.prefix.get(index).unwrap_or(&t.rest),
            None => &self.items,
        }
    }
}

/// A named type: `program.contracts[contract].types[index]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeRef {
    pub contract: usize,
    pub index: usize,
}

impl Program {
    pub fn contract(&self, r: TypeRef) -> &Contract {
        &self.contracts[r.contract]
    }

    /// Migration `m`'s [`MigrationHeader`].
    pub fn migration_header(&self, m: &Migration) -> MigrationHeader {
        MigrationHeader::new(m, self.contracts[m.from].header(), self.contracts[m.to].header())
    }

    /// The migrations that carry a message of contract `from` to contract `to` (places in
    /// [`Program::contracts`]), as indices into [`Program::migrations`] in the order they apply,
    /// along the path [`upgrade_paths`] gives (the generated routers' too): `from` any minor of
    /// an earlier major, `to` a migration's target (`OrderIntent@1.0` to `OrderIntent@2.0` by
    /// `OrderIntent@1.2..2.0`). `None` when no migrations lead there.
    pub fn migration_chain(&self, from: usize, to: usize) -> Option<Vec<usize>> {
        let headers: Vec<Header> = self.contracts.iter().map(|c| c.header()).collect();
        let migrations: Vec<MigrationHeader> = self.migrations.iter().map(|m| self.migration_header(m)).collect();
        let paths = upgrade_paths(&headers, &migrations);
        let (from, to) = (&self.contracts[from].id, &self.contracts[to].id);
        let path = paths.iter().find(|p| p.from.id == *from && p.to.id == *to)?;
        path.migrations.iter().map(|h| migrations.iter().position(|m| m == *h)).collect()
    }
}

/// Contracts by their place in contract order: a whole [`Program`], or a view that reads them
/// one at a time (a salsa query's, which then depends on the contracts it read alone).
pub trait Contracts {
    /// The contract at place `contract`.
    fn at(&self, contract: usize) -> &Contract;

    /// The named type `r` refers to.
    fn named(&self, r: TypeRef) -> &NamedType {
        &self.at(r.contract).types[r.index]
    }

    /// Whether `null` is an instance of `ty`: a nullable type, any value, `null` among the values,
    /// or a named alias of one of these (a `$defs` entry `{"type": ["number", "null"]}`).
    fn admits_null(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Nullable(_) | Ty::Any => true,
            Ty::Values(values) => values.iter().any(|v| v == "null"),
            Ty::Named(r) => matches!(&self.named(*r).kind, TypeKind::Alias(t) if self.admits_null(t)),
            _ => false,
        }
    }
}

impl Contracts for Program {
    fn at(&self, contract: usize) -> &Contract {
        &self.contracts[contract]
    }
}

/// A workflow: a DAG of steps, in a topological order (every step after the steps it needs).
#[derive(Clone, Debug, PartialEq)]
pub struct Workflow {
    pub name: String,
    pub major: u32,
    pub minor: u32,
    pub source: String,
    pub description: Option<String>,
    pub steps: Vec<Step>,
    /// Named resources with circuit breakers, sorted by name.
    pub resources: Vec<Resource>,
}

/// A resource shared by steps (an API, a broker connection) guarded by a circuit breaker: it
/// opens after `failure_threshold` consecutive failures and lets one probe through after
/// `cooldown_ms`.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub name: String,
    pub failure_threshold: u32,
    pub cooldown_ms: u64,
}

/// When a step runs, given how the steps it needs ended (Airflow's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TriggerRule {
    /// Every need succeeded (the default); otherwise the step is skipped.
    #[default]
    AllSuccess,
    /// Every need finished, succeeded or failed; a skipped need skips this step.
    AllDone,
    /// Every need settled and at least one failed; otherwise the step is skipped.
    OneFailed,
    /// Every need settled, whatever happened, skips included.
    Always,
}

/// Retry with exponential backoff: attempt `n + 1` waits `min(initial · factor^(n-1),
/// max_interval)`, spread by ±`jitter` (a fraction).
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub initial_ms: u64,
    pub factor: f64,
    pub max_interval_ms: u64,
    pub jitter: f64,
    pub retry_on: RetryOn,
}

/// Which failures are retried; `None` lists mean "any". A contract violation never is.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryOn {
    pub exit_codes: Option<Vec<i32>>,
    pub signals: Option<Vec<i32>>,
    pub timeout: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub name: String,
    pub description: Option<String>,
    /// argv; never a shell string.
    pub run: Vec<String>,
    /// Working directory, relative to where the runtime runs.
    pub working_dir: Option<String>,
    /// Declared environment variables, sorted by name.
    pub env: Vec<(String, String)>,
    /// Host environment variables passed through besides the runtime's default allowlist, sorted.
    pub env_from_host: Vec<String>,
    pub trigger: TriggerRule,
    pub retry: Option<RetryPolicy>,
    /// Per attempt, milliseconds.
    pub timeout_ms: Option<u64>,
    /// For the whole step, all attempts and backoff included, milliseconds.
    pub deadline_ms: Option<u64>,
    /// The step that runs when this one fails for good.
    pub fallback: Option<usize>,
    /// This step is the fallback of that step: it runs only when that step fails for good.
    pub fallback_for: Option<usize>,
    /// Indices into `Workflow::resources`.
    pub resources: Vec<usize>,
    /// Sorted by name.
    pub inputs: Vec<Input>,
    pub output: Option<Output>,
    /// Indices of every step this one waits for (its inputs' producers and `depends_on`), sorted.
    pub needs: Vec<usize>,
    pub when: Option<Condition>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub name: String,
    /// Index of the producing step.
    pub from: usize,
    /// Set when the input declares another version of the producer's contract: each message
    /// is carried across to it at the step boundary.
    pub conversion: Option<Conversion>,
}

/// How an input's messages reach the version of the contract the step reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversion {
    /// Index into `Program::contracts`: the version the step reads.
    pub contract: usize,
    /// Indices into `Program::migrations`, applied in order ([`Program::migration_chain`]).
    pub migrations: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// Index into `Program::contracts`.
    pub contract: usize,
    /// `true`: JSON Lines, one message a line; `false`: one message.
    pub stream: bool,
}

/// A type-checked condition, compiled to postfix code over one input's messages.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The source text, for messages.
    pub source: String,
    /// Index into the step's `inputs`: the condition is evaluated for each message of it.
    pub input: usize,
    pub code: Vec<Op>,
}

/// One instruction of a condition's stack machine.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Push the value at this path of the message (absent: null).
    Field(Vec<String>),
    Number(f64),
    String(String),
    Bool(bool),
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Not,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_format_is_named_after_its_keyword() {
        for f in Format::ALL {
            assert_eq!(f.name(), pascal_case(f.keyword()));
            assert_eq!(Format::from_keyword(f.keyword()), Some(f));
        }
    }
}

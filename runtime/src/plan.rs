//! `plan.bin`: a fixed header and a postcard payload.
//!
//! Header, 24 bytes, little-endian: magic `CTCPLAN\0` (8), format version `u32` (4), flags `u32`
//! (4, none defined: must be 0), payload length `u32` (4), CRC-32 (IEEE) of the payload `u32` (4).
//! The payload is [`Plan`] in postcard. The format is owned: a change to these types bumps
//! [`FORMAT_VERSION`]; retired fields are never reused.

use std::fmt;

use serde::{Deserialize, Serialize};

mod verify;

pub const MAGIC: [u8; 8] = *b"CTCPLAN\0";
pub const FORMAT_VERSION: u32 = 11;
pub const HEADER_LEN: usize = 24;

/// A compiled workflow: steps in a topological order and the validators of the contracts its
/// steps emit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// `name@MAJOR.MINOR` of the workflow spec.
    pub workflow: String,
    pub steps: Vec<Step>,
    pub validators: Vec<Validator>,
    /// Resources guarded by circuit breakers, referred to by index from steps.
    pub resources: Vec<Resource>,
    /// The migrations inputs carry messages across (see [`Conversion`]).
    pub migrations: Vec<Migration>,
}

/// A circuit breaker: opens after `failure_threshold` consecutive failed attempts of steps that
/// use the resource, fails those steps fast for `cooldown_ms`, then lets one probe through.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub name: String,
    pub failure_threshold: u32,
    pub cooldown_ms: u64,
}

/// When a step runs, given how its needs ended (see the runtime's `run` module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerRule {
    AllSuccess,
    AllDone,
    OneFailed,
    Always,
}

/// Exponential backoff: the wait before attempt `n + 1` is `min(initial · factor^(n-1),
/// max_interval)`, spread by ±`jitter` (a fraction of it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub initial_ms: u64,
    pub factor: f64,
    pub max_interval_ms: u64,
    pub jitter: f64,
    /// Exit codes retried; `None`: any non-zero exit.
    pub exit_codes: Option<Vec<i32>>,
    /// Signals retried; `None`: any signal.
    pub signals: Option<Vec<i32>>,
    pub on_timeout: bool,
}

impl RetryPolicy {
    /// One attempt, nothing retried.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            initial_ms: 0,
            factor: 1.0,
            max_interval_ms: 0,
            jitter: 0.0,
            exit_codes: None,
            signals: None,
            on_timeout: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    /// argv, run without a shell.
    pub run: Vec<String>,
    /// Working directory, relative to the runtime's; `None`: the runtime's.
    pub working_dir: Option<String>,
    /// Declared environment variables.
    pub env: Vec<(String, String)>,
    /// Host variables passed through besides the runtime's default allowlist.
    pub env_from_host: Vec<String>,
    pub inputs: Vec<Input>,
    pub output: Option<Output>,
    /// Indices of the steps whose outcome this one waits for; all lower than this step's index.
    pub needs: Vec<u32>,
    pub when: Option<Condition>,
    pub trigger: TriggerRule,
    pub retry: RetryPolicy,
    pub timeout_ms: Option<u64>,
    pub deadline_ms: Option<u64>,
    /// The step that runs in this one's place when it fails for good.
    pub fallback: Option<u32>,
    /// Set on a fallback: the step it stands in for. It runs only when that step fails for good.
    pub fallback_for: Option<u32>,
    /// Indices into [`Plan::resources`].
    pub resources: Vec<u32>,
}

impl Step {
    /// A step that runs `argv` with every option at its default (tests and tools).
    pub fn command(name: &str, argv: &[&str]) -> Step {
        Step {
            name: name.into(),
            run: argv.iter().map(|s| s.to_string()).collect(),
            working_dir: None,
            env: vec![],
            env_from_host: vec![],
            inputs: vec![],
            output: None,
            needs: vec![],
            when: None,
            trigger: TriggerRule::AllSuccess,
            retry: RetryPolicy::none(),
            timeout_ms: None,
            deadline_ms: None,
            fallback: None,
            fallback_for: None,
            resources: vec![],
        }
    }
}

/// An input handed to the step as a file whose path is in `CTC_INPUT_<NAME>`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    pub name: String,
    /// Index of the producing step.
    pub from: u32,
    /// Set when the step reads another major of the producer's contract.
    pub conversion: Option<Conversion>,
}

/// How an input's messages reach the version of the contract the step reads: each message (of
/// those the step's condition admits, when it reads this input) is checked against the
/// producer's output validator, carried through `migrations` in order
/// ([`crate::migrate`]), written canonically under `validator` and checked against it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    /// Indices into [`Plan::migrations`]; at least one.
    pub migrations: Vec<u32>,
    /// Index into [`Plan::validators`]: the contract the step reads.
    pub validator: u32,
}

/// A migration between two majors of a contract, as the compiler checked it: its ops in the
/// order they apply to a message of the old major.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Migration {
    /// `namespace/Name@A.B..C.D`, as its file is named (`events/OrderIntent@1.2..2.0`).
    pub name: String,
    pub ops: Vec<MigrationOp>,
}

impl Migration {
    /// Applies the ops, in order, to `message` ([`crate::migrate`]): what a step boundary does to
    /// each message of an input that converts. `Err` names the op that could not apply:
    /// `events/OrderIntent@1.2..2.0, op 2: "/protection" is not an object`.
    pub fn upgrade(&self, message: &mut serde_json::Value) -> Result<(), String> {
        use crate::migrate;
        for (i, op) in self.ops.iter().enumerate() {
            match op {
                MigrationOp::Move { from, to } => migrate::move_member(message, from, to),
                MigrationOp::Add { path, value } => migrate::add(message, path, serde_json::Value::from(value)),
                MigrationOp::Remove { path } => migrate::remove(message, path),
                MigrationOp::EnumMap { path, pairs } => migrate::enum_map(message, path, pairs),
            }
            .map_err(|e| format!("{}, op {}: {e}", self.name, i + 1))?;
        }
        Ok(())
    }
}

/// One op of a [`Migration`], on instance paths (JSON pointer tokens through object members,
/// never empty). A `convert` of the migration file leaves a value's JSON as it is and has no op
/// here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MigrationOp {
    /// `rename` and `move`: the member at `from`, when present, moves to `to`; the objects on
    /// `to`'s way that the message lacks are made.
    Move { from: Vec<String>, to: Vec<String> },
    /// `add`: the member at `path` is set to `value` when absent.
    Add { path: Vec<String>, value: Json },
    /// `remove`: the member at `path` is dropped.
    Remove { path: Vec<String> },
    /// `enum_map`: the string at `path`, when it is the first of a pair, becomes the second.
    EnumMap { path: Vec<String>, pairs: Vec<(String, String)> },
}

/// The step writes its output to the file named by `CTC_OUTPUT`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Output {
    /// Index into [`Plan::validators`].
    pub validator: u32,
    /// JSON Lines (one message a line) when true; one message otherwise.
    pub stream: bool,
}

/// A typed condition compiled to postfix code. It is evaluated for each message of input
/// `input`; the step receives only the messages it admits and is skipped when none are admitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub source: String,
    pub input: u32,
    pub code: Vec<Op>,
}

/// One instruction of the condition stack machine (see [`crate::cond`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Op {
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

/// The compiled checks of one schema: a graph of nodes, `nodes[0]` the root. Applicators refer to
/// other nodes by index, so a `$ref` is an edge (cycles included), never a copy.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Validator {
    /// `namespace/Name@MAJOR.MINOR` of a contract; any label for other schemas.
    pub contract: String,
    /// Which numbers `"type": "integer"` admits.
    pub integers: Integers,
    pub nodes: Vec<Node>,
    /// The nodes' checked form, made when the validator first validates (not part of the plan;
    /// empty in a new or cloned validator): the fields above are not changed after that.
    #[serde(skip)]
    pub compiled: crate::validate::Compiled,
}

impl Validator {
    pub fn new(contract: impl Into<String>, integers: Integers, nodes: Vec<Node>) -> Validator {
        Validator { contract: contract.into(), integers, nodes, compiled: Default::default() }
    }
}

/// The plan's fields (the checked form is no part of it).
impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("contract", &self.contract)
            .field("integers", &self.integers)
            .field("nodes", &self.nodes)
            .finish()
    }
}

/// Which numbers are integers (JSON Schema 2020-12 Validation §6.1.1 leaves the choice of
/// representation to the implementation's data model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Integers {
    /// DESIGN.md's conformance contract, for contracts: an integer literal within int64, the type
    /// every generated language holds it in (`1.0`, `1e3` and `2^63` are refused).
    Int64Literal,
    /// JSON Schema's data model (Core §4.2.1): any number whose fractional part is zero (`1.0`).
    ZeroFraction,
}

/// One schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Node {
    /// A boolean schema (Core §4.3.2): `true` admits every instance, `false` none.
    Bool(bool),
    /// An object schema: the instance must satisfy every keyword. Annotations are not kept.
    Keywords(Vec<Keyword>),
}

/// One assertion or applicator keyword of JSON Schema 2020-12 (Validation §6, Core §10). A
/// keyword that does not apply to the instance's type holds trivially (`minimum` on a string).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Keyword {
    /// Validation §6.1.1: the instance is one of these types.
    Type(Vec<Type>),
    /// Validation §6.1.2: the instance equals one of these values (numbers compare by value).
    Enum(Vec<Json>),
    /// Validation §6.2.2–§6.2.5.
    Maximum(Num),
    ExclusiveMaximum(Num),
    Minimum(Num),
    ExclusiveMinimum(Num),
    /// Validation §6.3.1–§6.3.2, in Unicode code points.
    MaxLength(u64),
    MinLength(u64),
    /// Validation §6.4.1–§6.4.2.
    MaxItems(u64),
    MinItems(u64),
    /// Validation §6.4.3: no two items are equal (JSON equality: `1` equals `1.0`, objects
    /// regardless of member order), i.e. no two have the same canonical text.
    UniqueItems,
    /// Validation §6.5.3.
    Required(Vec<String>),
    /// Validation §6.5.4: an object with the member named first has each of the others too.
    DependentRequired(Vec<(String, Vec<String>)>),
    /// Validation §6.5.1–§6.5.2: how many members an object has.
    MaxProperties(u64),
    MinProperties(u64),
    /// Validation §6.3.3: the string contains a match of this pattern.
    Pattern(Pattern),
    /// Validation §9.2 `default`, an annotation: a property whose node has it and that a message
    /// lacks is written with this value by the canonical writer (contractc applies defaults on
    /// read in every language).
    Default(Json),
    /// Validation §7.3.1 `format`, as an assertion.
    Format(Format),
    /// Core §10.3.2.1: each named member's value against its node.
    Properties(Vec<(String, u32)>),
    /// Core §10.3.2.2: each member whose name matches a pattern against that pattern's node.
    PatternProperties(Vec<(Pattern, u32)>),
    /// Core §10.3.2.3: every member neither named in the same schema's `properties` nor matched
    /// by its `patternProperties` against this node.
    AdditionalProperties(u32),
    /// Core §10.3.2.4: every member's name, as a string instance, against this node.
    PropertyNames(u32),
    /// Core §10.3.1.1: each item against the node of its position (the first item against the
    /// first node, and so on); the items after them are `Items`'.
    PrefixItems(Vec<u32>),
    /// Core §10.3.1.2: every item after the sibling `PrefixItems`' positions against this node.
    Items(u32),
    /// Core §10.3.1.3: at least one item is valid against this node, or as many as the sibling
    /// `MinContains` and `MaxContains` say.
    Contains(u32),
    /// Validation §6.4.4–§6.4.5: bounds of how many items the sibling `Contains` matches.
    MaxContains(u64),
    MinContains(u64),
    /// Core §10.2.1.1: the instance is valid against every one of these nodes (and `$ref`
    /// beside other keywords, §8.2.3.1). Contracts never need it: the compiler merges `allOf`.
    AllOf(Vec<u32>),
    /// Core §10.2.1.2: the instance is valid against at least one of these nodes.
    AnyOf(Vec<u32>),
    /// Core §10.2.1.3: the instance is valid against exactly one of these nodes.
    OneOf(Vec<u32>),
    /// Validation §6.2.1: the number is an integer multiple of this one (positive), in decimal
    /// arithmetic ([`crate::decimal`]).
    MultipleOf(f64),
}

/// The JSON types of Validation §6.1.1; `Integer` is a subset of `Number`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Type {
    Null,
    Boolean,
    Object,
    Array,
    Number,
    String,
    Integer,
}

impl Type {
    /// The type's name in JSON Schema.
    pub fn name(self) -> &'static str {
        match self {
            Type::Null => "null",
            Type::Boolean => "boolean",
            Type::Object => "object",
            Type::Array => "array",
            Type::Number => "number",
            Type::String => "string",
            Type::Integer => "integer",
        }
    }
}

/// A number in a keyword: an exact integer, or a double.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Num {
    Integer(i64),
    Float(f64),
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Integer(n) => write!(f, "{n}"),
            Num::Float(x) => write!(f, "{x}"),
        }
    }
}

/// A JSON value in a plan (`enum`, `default`). Objects keep their members in source order. A
/// plan nests one at most [`MAX_DEPTH`] arrays and objects deep (the root counts as 1), as deep
/// as a message may nest: deeper, it could equal no message, and a hostile plan could exhaust the
/// stack of whatever walks it; [`decode`] refuses it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Json {
    Null,
    Bool(bool),
    Number(Num),
    String(String),
    Array(#[serde(deserialize_with = "nested")] Vec<Json>),
    Object(#[serde(deserialize_with = "nested")] Vec<(String, Json)>),
}

pub use crate::json::MAX_DEPTH;

thread_local! {
    /// How many [`Json`] arrays and objects enclose the one being read, on this thread.
    static JSON_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Why the plan's own deserializers refused a payload: postcard keeps only that a custom error
    /// happened, not its message.
    static REFUSED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// A deserializer error with `message`, kept for [`decode`] to report.
fn refuse<E: serde::de::Error>(message: String) -> E {
    let e = E::custom(&message);
    REFUSED.with(|r| *r.borrow_mut() = Some(message));
    e
}

/// Reads the inside of a [`Json`] array or object, refusing one that nests deeper than
/// [`MAX_DEPTH`] before reading it, so the reader's own recursion stays bounded.
fn nested<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    // Arrays and objects around this one.
    let enclosing = JSON_DEPTH.with(|c| c.get());
    if enclosing >= MAX_DEPTH {
        return Err(refuse(format!("a JSON value in the plan nests deeper than {MAX_DEPTH} arrays and objects")));
    }
    JSON_DEPTH.with(|c| c.set(enclosing + 1));
    let inside = T::deserialize(d);
    JSON_DEPTH.with(|c| c.set(enclosing));
    inside
}

impl From<&Json> for serde_json::Value {
    fn from(j: &Json) -> serde_json::Value {
        use serde_json::Value;
        match j {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(Num::Integer(i)) => Value::from(*i),
            Json::Number(Num::Float(x)) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(a) => Value::Array(a.iter().map(Value::from).collect()),
            Json::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), Value::from(v))).collect()),
        }
    }
}

impl From<&serde_json::Value> for Json {
    /// An integer stays exact only when serde_json read it as an `i64`; every other number is a
    /// double.
    fn from(v: &serde_json::Value) -> Json {
        use serde_json::Value;
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => {
                Json::Number(n.as_i64().map_or_else(|| Num::Float(n.as_f64().unwrap_or(f64::NAN)), Num::Integer))
            }
            Value::String(s) => Json::String(s.clone()),
            Value::Array(a) => Json::Array(a.iter().map(Json::from).collect()),
            Value::Object(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), Json::from(v))).collect()),
        }
    }
}

/// A `pattern` (Validation §6.3.3) as the compiler renders it: `syntax` is the `regex` crate's
/// syntax for the ECMA-262 `source` (`contractc_ir::pattern`), searched unanchored
/// ([`regex::Regex::is_match`]). A plan whose syntax does not compile does not decode.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "PatternText", into = "PatternText")]
pub struct Pattern {
    source: String,
    regex: regex::Regex,
}

#[derive(Serialize, Deserialize)]
struct PatternText {
    source: String,
    syntax: String,
}

impl Pattern {
    /// `Err` with the `regex` crate's message when `syntax` does not compile.
    pub fn new(source: &str, syntax: &str) -> Result<Pattern, String> {
        let regex = regex::Regex::new(syntax).map_err(|e| format!("pattern {source:?}: {e}"))?;
        Ok(Pattern { source: source.to_string(), regex })
    }

    /// The ECMA-262 source, as the schema writes it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether `s` contains a match.
    pub fn is_match(&self, s: &str) -> bool {
        self.regex.is_match(s)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.source == other.source && self.regex.as_str() == other.regex.as_str()
    }
}

impl TryFrom<PatternText> for Pattern {
    type Error = String;

    fn try_from(t: PatternText) -> Result<Pattern, String> {
        Pattern::new(&t.source, &t.syntax).inspect_err(|e| REFUSED.with(|r| *r.borrow_mut() = Some(e.clone())))
    }
}

impl From<Pattern> for PatternText {
    fn from(p: Pattern) -> PatternText {
        PatternText { syntax: p.regex.as_str().to_string(), source: p.source }
    }
}

pub use crate::formats::Format;

/// A format is written as its keyword (`"date-time"`), so that a plan names what it asserts.
impl Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.keyword())
    }
}

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Format, D::Error> {
        let k = String::deserialize(d)?;
        Format::from_keyword(&k).ok_or_else(|| refuse(format!("unknown format `{k}`")))
    }
}

/// Why a plan file was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum PlanError {
    Truncated {
        len: usize,
        expected: usize,
    },
    BadMagic,
    UnsupportedVersion(u32),
    UnknownFlags(u32),
    ChecksumMismatch,
    Payload(String),
    /// The payload reads but does not mean a runnable plan (see `verify`): an index out of range,
    /// a name that is not one path segment, a cycle.
    Invalid(String),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Truncated { len, expected } => {
                write!(f, "truncated: {len} bytes, expected {expected}; rebuild it with `contractc build`")
            }
            PlanError::BadMagic => {
                write!(f, "not a plan file (bad magic); plan files are written by `contractc build`")
            }
            PlanError::UnsupportedVersion(v) => write!(
                f,
                "plan format version {v} is not supported (this runtime reads version {FORMAT_VERSION}); rebuild it with the matching `contractc`"
            ),
            PlanError::UnknownFlags(x) => write!(f, "unknown header flags {x:#x}"),
            PlanError::ChecksumMismatch => {
                write!(f, "checksum mismatch: the plan is corrupt; rebuild it with `contractc build`")
            }
            PlanError::Payload(e) => write!(f, "unreadable payload: {e}; rebuild it with `contractc build`"),
            PlanError::Invalid(e) => write!(f, "{e}; rebuild it with `contractc build`"),
        }
    }
}

impl std::error::Error for PlanError {}

/// A plan whose meaning has been checked (`verify`: indices in range, steps in dependency
/// order, names single path segments, validators well-formed). Only [`decode`] and
/// [`VerifiedPlan::new`] make one, so the runtime, which takes nothing else, can follow every
/// index it holds without a bounds failure. Reads as a [`Plan`] (`Deref`), prints as one.
#[derive(Clone, PartialEq)]
pub struct VerifiedPlan(Plan);

impl fmt::Debug for VerifiedPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl VerifiedPlan {
    /// Checks `plan` as [`decode`] checks a payload: [`PlanError::Invalid`] says what is wrong
    /// where (e.g. `plan: step "b" needs step 7, but the plan has 3 steps`).
    pub fn new(plan: Plan) -> Result<VerifiedPlan, PlanError> {
        verify::verify(&plan)?;
        Ok(VerifiedPlan(plan))
    }

    /// The plan, no longer known to be checked.
    pub fn into_plan(self) -> Plan {
        self.0
    }
}

impl std::ops::Deref for VerifiedPlan {
    type Target = Plan;

    fn deref(&self) -> &Plan {
        &self.0
    }
}

/// Serializes a plan with its header.
pub fn encode(plan: &Plan) -> Vec<u8> {
    let payload = postcard::to_stdvec(plan).expect("plans always serialize");
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// Reads a plan, checking magic, version, flags, length and checksum before the payload, then the
/// payload's meaning (`verify`: indices in range, the DAG ordered, names single path segments,
/// validators well-formed): [`PlanError::Invalid`] otherwise, so that nothing after decode indexes
/// out of range. A payload that does not read as a [`Plan`] (a bad tag, a short field, a JSON
/// value nested deeper than [`MAX_DEPTH`]) is [`PlanError::Payload`].
pub fn decode(bytes: &[u8]) -> Result<VerifiedPlan, PlanError> {
    if bytes.len() < HEADER_LEN {
        return Err(PlanError::Truncated { len: bytes.len(), expected: HEADER_LEN });
    }
    if bytes[..8] != MAGIC {
        return Err(PlanError::BadMagic);
    }
    let word = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
    let version = word(8);
    if version != FORMAT_VERSION {
        return Err(PlanError::UnsupportedVersion(version));
    }
    if word(12) != 0 {
        return Err(PlanError::UnknownFlags(word(12)));
    }
    let len = word(16) as usize;
    let expected = HEADER_LEN + len;
    if bytes.len() != expected {
        return Err(PlanError::Truncated { len: bytes.len(), expected });
    }
    let payload = &bytes[HEADER_LEN..];
    if crc32fast::hash(payload) != word(20) {
        return Err(PlanError::ChecksumMismatch);
    }
    REFUSED.with(|r| r.borrow_mut().take());
    JSON_DEPTH.with(|c| c.set(0));
    let plan = postcard::from_bytes(payload)
        .map_err(|e| PlanError::Payload(REFUSED.with(|r| r.borrow_mut().take()).unwrap_or_else(|| e.to_string())))?;
    VerifiedPlan::new(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_written_as_their_keywords_and_an_unknown_one_is_refused() {
        for f in Format::ALL {
            let bytes = postcard::to_stdvec(&f).unwrap();
            assert_eq!(bytes[1..], *f.keyword().as_bytes());
            assert_eq!(postcard::from_bytes::<Format>(&bytes).unwrap(), f);
        }
        assert!(postcard::from_bytes::<Format>(&postcard::to_stdvec("uri").unwrap()).is_err());
    }

    fn sample() -> Plan {
        Plan {
            workflow: "w@1.0".into(),
            steps: vec![Step::command("a", &["true"])],
            validators: vec![Validator::new(
                "events/A@1.0",
                Integers::Int64Literal,
                vec![Node::Keywords(vec![Keyword::Type(vec![Type::Boolean])])],
            )],
            resources: vec![],
            migrations: vec![],
        }
    }

    #[test]
    fn round_trips() {
        assert_eq!(decode(&encode(&sample())).map(VerifiedPlan::into_plan), Ok(sample()));
    }

    #[test]
    fn refuses_corrupt_truncated_and_unknown_plans() {
        let good = encode(&sample());
        assert!(matches!(decode(&good[..good.len() - 1]), Err(PlanError::Truncated { .. })));
        assert!(matches!(decode(&good[..10]), Err(PlanError::Truncated { .. })));
        let mut bad = good.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(decode(&bad), Err(PlanError::ChecksumMismatch));
        let mut next = good.clone();
        next[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        assert_eq!(decode(&next), Err(PlanError::UnsupportedVersion(FORMAT_VERSION + 1)));
        let mut magic = good;
        magic[0] = b'X';
        assert_eq!(decode(&magic), Err(PlanError::BadMagic));
    }
}

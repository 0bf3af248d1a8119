//! Contracts: file identity, `$ref` resolution, the keyword subset, lowering to the IR.
//!
//! Sources: JSON Schema 2020-12 Core (`$schema`, `$id`, `$ref`, `$defs`) and Validation (the
//! assertion keywords), and DESIGN.md, "Contracts", for the supported subset.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use contractc_diagnostics::{Code, Diagnostic, codes};
use contractc_ir::{
    Additional, ArrayTy, Bound, Contains, Contract, ContractId, Contracts, Field, Format, IntegerTy, JsonKind,
    NamedType, NumberTy, Object, PatternRule, Program, StringTy, Tuple, Ty, TypeKind, TypeRef, Union, Untagged,
    pascal_case,
    pattern::{Dialect, Pattern},
};
use contractc_syntax::{Member, Node, Pointer, Span, Value};

mod compose;
mod resources;

pub(crate) use resources::{Globals, IndexData, Local, Resolve, Slice};

/// The dialects a contract may declare with `$schema` (Core §8.1.1): 2020-12 (also without
/// `$schema`), 2019-09, and drafts 7, 6 and 4, whose keywords of the subset mean what 2020-12's
/// do but for draft 4's `id` and boolean `exclusiveMinimum`/`exclusiveMaximum` (draft-04
/// Validation §5.1.2–§5.1.3) and the plain-name `$id` fragments of drafts 4 to 7.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Draft {
    V4,
    V6,
    V7,
    V2019,
    V2020,
}

impl Draft {
    /// The dialect of a meta-schema URI: json-schema.org's, by `http` or `https`, with or without
    /// the empty fragment (`http://json-schema.org/draft-07/schema#`); the unversioned
    /// `http://json-schema.org/schema`, "the latest", reads as 2020-12. `None` for any other URI
    /// (a custom meta-schema).
    fn of_uri(uri: &str) -> Option<Draft> {
        let rest = uri.strip_prefix("https://").or_else(|| uri.strip_prefix("http://"))?;
        Some(match rest.trim_end_matches('#') {
            "json-schema.org/draft/2020-12/schema" | "json-schema.org/schema" => Draft::V2020,
            "json-schema.org/draft/2019-09/schema" => Draft::V2019,
            "json-schema.org/draft-07/schema" => Draft::V7,
            "json-schema.org/draft-06/schema" => Draft::V6,
            "json-schema.org/draft-04/schema" => Draft::V4,
            _ => return None,
        })
    }

    /// The dialect a schema's `$schema` names: 2020-12 when it names none, `None` when it names
    /// one that is not supported.
    fn of(schema: &Node) -> Option<Draft> {
        match schema.get("$schema") {
            None => Some(Draft::V2020),
            Some(s) => s.as_str().and_then(Draft::of_uri),
        }
    }

    /// A contract's dialect (2020-12 when its `$schema` names an unsupported one, which is an error).
    fn of_root(root: &Node) -> Draft {
        Draft::of(root).unwrap_or(Draft::V2020)
    }

    /// The meta-schema URI, as the help texts write it.
    fn uri(self) -> &'static str {
        match self {
            Draft::V4 => "http://json-schema.org/draft-04/schema#",
            Draft::V6 => "http://json-schema.org/draft-06/schema#",
            Draft::V7 => "http://json-schema.org/draft-07/schema#",
            Draft::V2019 => "https://json-schema.org/draft/2019-09/schema",
            Draft::V2020 => "https://json-schema.org/draft/2020-12/schema",
        }
    }

    /// Drafts 7, 6 and 4, whose `$id` may name a subschema with a plain-name fragment (draft 7
    /// Core, "Location-independent identifiers"), what 2019-09 made `$anchor`.
    fn before_2019(self) -> bool {
        matches!(self, Draft::V4 | Draft::V6 | Draft::V7)
    }
}

/// Keywords of DESIGN.md's subset that this version does not implement yet: an error, never ignored.
const PLANNED: &[&str] = &[];

/// Annotation keywords of the subset: they never change which instances are valid.
pub const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "examples",
    "deprecated",
    "$comment",
    "default",
    "readOnly",
    "writeOnly",
    "contentEncoding",
    "contentMediaType",
];

/// Keywords of an object schema, wherever it stands (annotations and object shape).
const OBJECT_KEYWORDS: &[&str] = &[
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "patternProperties",
    "propertyNames",
    "dependentRequired",
    "dependencies",
    "examples",
    "deprecated",
    "$comment",
    "default",
];

/// The keywords of JSON Schema's vocabularies (drafts 4 to 2020-12) that the subset does not take:
/// an error, never an annotation (each changes which instances are valid, or how `$ref` resolves).
const JSON_SCHEMA_KEYWORDS: &[&str] = &[
    "not",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "unevaluatedProperties",
    "unevaluatedItems",
    "multipleOf",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$vocabulary",
    "id",
    "contentSchema",
    // OpenAPI 3.0's: `null` allowed beside the `type`.
    "nullable",
];

/// Levenshtein distance between two keywords (for "did you mean").
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The assertions of strings and numbers (Validation §6.2, §6.3, §7.2.2).
const SCALAR_ASSERTIONS: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];

/// Keywords only a contract's root schema takes (an embedded schema only to say the root's dialect again).
const ROOT_ONLY_KEYWORDS: &[&str] = &["$schema"];

/// The keywords of schema resources, which any schema may hold (Core §8.2): `$id` starts a
/// resource, `$anchor` names a schema in one, `$defs` (`definitions`) holds schemas for `$ref`s.
/// None of them asserts anything; [`resources`] reads them (and draft 4's `id`).
const RESOURCE_KEYWORDS: &[&str] = &["$id", "$anchor", "$defs", "definitions"];

/// Where a contract keeps the schemas it names: `$defs` (2020-12 Core §8.2.4) and draft-07's
/// `definitions`, which real schemas still use.
const DEFINITIONS: &[&str] = &["$defs", "definitions"];

/// Keywords of any other schema besides the object ones: assertions and `$ref`.
const VALUE_KEYWORDS: &[&str] = &[
    "enum",
    "const",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "items",
    "prefixItems",
    "additionalItems",
    "contains",
    "minContains",
    "maxContains",
    "minItems",
    "maxItems",
    "uniqueItems",
    "$ref",
    "anyOf",
    "oneOf",
    "allOf",
    "discriminator",
];

/// Every keyword of the implemented subset, wherever it may stand (DESIGN.md, "Contracts").
pub fn keywords() -> impl Iterator<Item = &'static str> {
    OBJECT_KEYWORDS.iter().chain(ROOT_ONLY_KEYWORDS).chain(RESOURCE_KEYWORDS).chain(VALUE_KEYWORDS).copied()
}

fn is_keyword(k: &str) -> bool {
    OBJECT_KEYWORDS.contains(&k) || VALUE_KEYWORDS.contains(&k) || is_annotation(k)
}

/// An annotation: never changes which instances are valid. Besides [`ANNOTATIONS`], OpenAPI's
/// Specification Extensions (`x-...`, which JSON Schema tools write for editors and docs).
pub(crate) fn is_annotation(k: &str) -> bool {
    ANNOTATIONS.contains(&k) || k.starts_with("x-")
}

/// Parses `<dir>/<namespace>/<Name>@<MAJOR>.<MINOR>.json`.
pub(crate) fn contract_id(path: &str) -> Option<ContractId> {
    let mut parts = path.rsplit('/');
    let file = parts.next()?;
    let namespace = parts.next()?.to_string();
    let stem = file.strip_suffix(".json")?;
    let (name, version) = stem.split_once('@')?;
    let (major, minor) = version.split_once('.')?;
    let valid_name =
        name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric());
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0')))
            .then(|| s.parse().ok())
            .flatten()
    };
    if !valid_name {
        return None;
    }
    Some(ContractId { namespace, name: name.to_string(), major: number(major)?, minor: number(minor)? })
}

/// The contracts among `files` (path and position-free tree), sorted by id, with their index in
/// `files`; a file not named like a contract is an error in `diags`.
pub(crate) fn contract_order<'a, T: Copy>(
    files: &[(&'a str, T)],
    diags: &mut Vec<Diagnostic>,
) -> Vec<(ContractId, &'a str, T)> {
    let mut ids: Vec<(ContractId, &str, T)> = Vec::new();
    for &(path, file) in files {
        match contract_id(path) {
            Some(id) => ids.push((id, path, file)),
            None => diags.push(
                Diagnostic::error(
                    codes::INVALID_FILE_NAME,
                    path,
                    Span::default(),
                    Pointer::root(),
                    format!("`{path}` is not named like a contract"),
                )
                .with_label("file name")
                .with_help(
                    "name contract files `<namespace>/<Name>@<MAJOR>.<MINOR>.json`, e.g. `events/PriceTick@1.0.json`",
                ),
            ),
        }
    }
    ids.sort_by(|a, b| a.0.cmp(&b.0));
    ids
}

/// Each contract's tree and path, by contract index.
pub(crate) trait Roots {
    fn root(&self, contract: usize) -> (&Node, &str);
}

/// Joins the contracts lowered one by one (`lowered`, in contract order) into the program: every
/// contract keeps its place (so workflows can still name it); the second value marks the
/// contracts with errors, whose types must not be relied on. Then the check across every
/// contract: reference cycles (allowed when `mql4` is off: recursive types). Each contract's
/// examples and defaults are checked by [`Lowered::check_examples`].
pub(crate) fn join_contracts(lowered: &[&Lowered], mql4: bool, diags: &mut Vec<Diagnostic>) -> (Program, Vec<bool>) {
    let mut edges = Vec::new();
    let mut contracts = Vec::new();
    let mut failed = Vec::new();
    for l in lowered {
        failed.push(l.diags.iter().any(|d| d.severity == contractc_diagnostics::Severity::Error));
        diags.extend(l.diags.iter().cloned());
        edges.extend(l.edges.iter());
        contracts.push(l.contract.clone());
    }
    // A contract that refers to a type of a contract with errors cannot be relied on either
    // (a contract that lowers without errors has every type the index names in it).
    while failed.iter().any(|&f| f) {
        let mut changed = false;
        for i in 0..contracts.len() {
            let out: Vec<TypeRef> = contracts[i].types.iter().flat_map(|t| t.kind.refs()).collect();
            let broken = |r: &TypeRef| failed[r.contract] || r.index >= contracts[r.contract].types.len();
            if !failed[i] && out.iter().any(broken) {
                failed[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // A cycle through a contract with errors could run through a placeholder type.
    let program = Program { contracts, ..Program::default() };
    if !failed.iter().any(|&f| f) {
        report_cycles(&program.contracts, &edges, !mql4, diags);
    }
    (program, failed)
}

/// One contract lowered: its types, and the diagnostics, reference edges and examples found.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Lowered {
    contract: Arc<Contract>,
    diags: Vec<Diagnostic>,
    edges: Vec<Edge>,
    examples: Vec<Examples>,
}

impl Lowered {
    pub(crate) fn contract(&self) -> &Contract {
        &self.contract
    }

    /// Checks this contract's `examples` and `default`s against their types (JSON Schema 2020-12
    /// Validation §9.5: each example should be valid; a default must be, since an absent member
    /// reads as it), the contracts they reach read through `contracts`. Asked only of contracts
    /// that reach no contract with errors.
    pub(crate) fn check_examples(&self, contracts: &dyn Contracts, diags: &mut Vec<Diagnostic>) {
        check_examples(contracts, &self.examples, diags)
    }
}

/// Lowers contract `i` (`id`, in file `path` with tree `root`) against the index of every
/// contract; `roots` gives the trees of the others, read only where a `$ref` leads.
pub(crate) fn lower_one(
    index: &dyn Resolve,
    roots: &dyn Roots,
    i: usize,
    id: &ContractId,
    path: &str,
    root: &Node,
) -> Lowered {
    let (mut diags, mut edges, mut examples) = (Vec::new(), Vec::new(), Vec::new());
    let mut l = Lowerer {
        index,
        roots,
        this: i,
        id,
        path,
        diags: &mut diags,
        types: Vec::new(),
        edges: &mut edges,
        examples: &mut examples,
        variant_of: BTreeMap::new(),
        unions: Vec::new(),
        expanding: Vec::new(),
        unknown: std::collections::HashSet::new(),
        assertions: HashMap::new(),
        dialect: Draft::of_root(root),
        borrowed: HashMap::new(),
    };
    l.lower_root(root);
    let types = l.types;
    // A schema that compositions borrow is lowered once per use: say each problem once.
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert((d.span, d.code.id, d.message.clone())));
    let contract = Contract {
        id: id.clone(),
        source: path.to_string(),
        description: root.get("description").and_then(Node::as_str).map(str::to_string),
        types,
    };
    Lowered { contract: Arc::new(contract), diags, edges, examples }
}

/// An `examples` keyword and the type its entries must be instances of.
#[derive(Clone, Debug, PartialEq)]
struct Examples {
    file: String,
    ty: Ty,
    node: Node,
    pointer: Pointer,
    /// A `default` (one value), not `examples` (an array of them).
    default: bool,
}

/// Every `examples` entry must be an instance of its schema (JSON Schema 2020-12 Validation
/// §9.5: "it is RECOMMENDED that these values be valid against the associated schema").
fn check_examples(program: &dyn Contracts, examples: &[Examples], diags: &mut Vec<Diagnostic>) {
    for e in examples {
        let validator = contractc_validator::validator_of(program, &e.ty, &e.file);
        if e.default {
            if let Err((inner, why)) = instance(&validator, &e.node) {
                let node = e.node.at(&inner).unwrap_or(&e.node);
                let shown = if inner.tokens().is_empty() { String::new() } else { format!(" at \"{inner}\"") };
                diags.push(
                    Diagnostic::error(
                        codes::INVALID_DEFAULT,
                        &e.file,
                        node.span,
                        e.pointer.clone(),
                        format!("the default is not valid{shown}: {why}"),
                    )
                    .with_label(why)
                    .with_help(
                        "fix the default or the schema: an absent member gets the default, which must be a valid value",
                    ),
                );
            }
            continue;
        }
        let Some(items) = e.node.as_array() else {
            diags.push(
                Diagnostic::error(
                    codes::INVALID_KEYWORD_VALUE,
                    &e.file,
                    e.node.span,
                    e.pointer.clone(),
                    "`examples` must be an array",
                )
                .with_label("not an array"),
            );
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let at = e.pointer.join(i.to_string());
            if let Err((inner, why)) = instance(&validator, item) {
                let node = item.at(&inner).unwrap_or(item);
                let shown = if inner.tokens().is_empty() { String::new() } else { format!(" at \"{inner}\"") };
                diags.push(
                    Diagnostic::warning(
                        codes::INVALID_EXAMPLE,
                        &e.file,
                        node.span,
                        at.clone(),
                        format!("example {i} is not valid{shown}: {why}"),
                    )
                    .with_label(why)
                    .with_help("fix the example or the schema: examples document valid messages"),
                );
            }
        }
    }
}

/// Whether `v` is an instance of the validator's root, as the runtime judges messages (the one
/// validator: `contractc_validator` lowers the IR to the runtime's nodes); otherwise the pointer
/// inside `v` and the reason.
pub(crate) fn instance(validator: &runtime::plan::Validator, v: &Node) -> Result<(), (Pointer, String)> {
    let json = json_value(v).ok_or((Pointer::root(), "a number no double holds".to_string()))?;
    runtime::validate::validate(validator, &json)
        .map_err(|violation| (Pointer::parse(&violation.pointer).unwrap_or_default(), violation.message))
}

/// The JSON type of a value, as [`TypeKind::Choice`] tells its branches apart (`None` for `null`).
fn node_kind(v: &Node) -> Option<JsonKind> {
    match &v.value {
        contractc_syntax::Value::Bool(_) => Some(JsonKind::Boolean),
        contractc_syntax::Value::Number(_) => Some(JsonKind::Number),
        contractc_syntax::Value::String(_) => Some(JsonKind::String),
        contractc_syntax::Value::Array(_) => Some(JsonKind::Array),
        contractc_syntax::Value::Object(_) => Some(JsonKind::Object),
        contractc_syntax::Value::Null | contractc_syntax::Value::Error => None,
    }
}

/// A pattern as the runtime runs it (the `regex` crate, on the IR's rendering).
fn compile_pattern(p: &Pattern) -> Result<runtime::plan::Pattern, String> {
    runtime::plan::Pattern::new(&p.source, &p.render(Dialect::Rust))
}

/// A named type containing another (by `$ref` or inline), with where it was written.
#[derive(Clone, Debug, PartialEq)]
struct Edge {
    from: TypeRef,
    to: TypeRef,
    file: String,
    span: Span,
    pointer: Pointer,
}

/// How an object's undeclared members are kept and checked, from `patternProperties` and
/// `additionalProperties` (Core §10.3.2.2–3).
struct ExtraMembers<'n> {
    /// The schema the members are kept as (absent: any JSON value, kept as it came) and where it is.
    kept: Option<&'n Node>,
    kept_ptr: Pointer,
    /// The pattern every member's name must match (the patterns beside `additionalProperties: false`).
    names: Option<Pattern>,
    /// Every entry of `patternProperties`: its pattern, schema and pointer.
    patterns: Vec<(Pattern, &'n Node, Pointer)>,
    /// Whether the patterns are rules checked member by member (their schemas differ from `kept`).
    rules: bool,
    /// `additionalProperties` as a schema beside the rules: for the members no pattern matches.
    unmatched: Option<&'n Node>,
}

/// The validator of a scalar type (a string or a number: it refers to no named type), such as
/// the names of members or the values beside an `enum`.
fn scalar_validator(ty: Ty, path: &str) -> runtime::plan::Validator {
    let empty = Program::default();
    contractc_validator::validator_of(&empty, &ty, path)
}

/// The ECMA-262 pattern that matches exactly the strings `names` (none: a class of no character).
fn exactly(names: &[&str]) -> String {
    if names.is_empty() {
        return "[^\\s\\S]".to_string();
    }
    let escape = |s: &str| -> String {
        s.chars().flat_map(|c| if "^$\\.*+?()[]{}|/".contains(c) { vec!['\\', c] } else { vec![c] }).collect()
    };
    format!("^(?:{})$", names.iter().map(|n| escape(n)).collect::<Vec<_>>().join("|"))
}

/// Whether a schema allows every value (`true`, `{}`).
fn anything(n: &Node) -> bool {
    n.as_bool() == Some(true) || n.members().is_some_and(<[_]>::is_empty)
}

struct Lowerer<'a> {
    index: &'a dyn Resolve,
    /// Each contract's tree and path, by contract index: read only for the contracts this
    /// lowering looks into (so the salsa query records only those).
    roots: &'a dyn Roots,
    this: usize,
    id: &'a ContractId,
    path: &'a str,
    diags: &'a mut Vec<Diagnostic>,
    types: Vec<NamedType>,
    edges: &'a mut Vec<Edge>,
    examples: &'a mut Vec<Examples>,
    /// The object types that are variants of a tagged union: variant → union.
    variant_of: BTreeMap<usize, usize>,
    /// Unions whose tag is found once every named type is lowered.
    unions: Vec<PendingUnion>,
    /// The schemas a composition being lowered borrowed (see `composed`).
    expanding: Vec<compose::Expanding>,
    /// Unknown keywords already warned about in this contract (one warning per keyword).
    unknown: std::collections::HashSet<String>,
    /// The string and number validators of each set of assertions `failing_values` met, by
    /// their canonical text.
    assertions: HashMap<String, std::rc::Rc<(runtime::plan::Validator, runtime::plan::Validator)>>,
    /// The contract's dialect, its root's `$schema`: an embedded resource may say the same
    /// (Core §8.1.1), never another.
    dialect: Draft,
    /// The schemas a composition's `$ref`s named, by contract and pointer, each borrowed once
    /// ([`Lowerer::borrowed`] walks the whole subschema: a large definition named by many
    /// `allOf`s is rebased once, not once per `$ref`).
    borrowed: HashMap<(usize, Pointer), Node>,
}

/// What a contract's lowering has added so far ([`Lowerer::mark`]).
struct Mark {
    types: usize,
    diags: usize,
    edges: usize,
    examples: usize,
    unions: usize,
    unknown: HashSet<String>,
}

/// A union whose branches are lowered and whose tag is not found yet.
struct PendingUnion {
    index: usize,
    keyword: String,
    /// Of the `oneOf`/`anyOf` keyword.
    pointer: Pointer,
    span: Span,
    hint: String,
    /// OpenAPI's `discriminator.propertyName`, when given.
    discriminator: Option<String>,
    /// Each branch's type, pointer, span and the name given to its inline types.
    variants: Vec<(Ty, Pointer, Span, String)>,
}

impl Lowerer<'_> {
    fn error(&mut self, code: Code, node: &Node, ptr: &Pointer, message: String, label: &str) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(code, self.path, node.span, ptr.clone(), message).with_label(label));
        self.diags.last_mut().expect("just pushed")
    }

    fn lower_root(&mut self, root: &Node) {
        let ptr = Pointer::root();
        let Some(members) = root.members() else {
            self.error(
                codes::INVALID_KEYWORD_VALUE,
                root,
                &ptr,
                "a contract must be a JSON Schema object".into(),
                "not an object",
            );
            return;
        };
        for m in members {
            let kptr = ptr.join(&m.key);
            if !is_keyword(&m.key) && !ROOT_ONLY_KEYWORDS.contains(&m.key.as_str()) && !self.is_resource_keyword(&m.key)
            {
                self.unknown_keyword(m.key.as_str(), m.key_span, &kptr);
            }
        }
        if let Some(s) = root.get("$schema")
            && Draft::of(root).is_none()
        {
            self.error(codes::INVALID_KEYWORD_VALUE, s, &ptr.join("$schema"), "unsupported dialect".into(), "here")
                .notes
                .push(format!("help: use \"{}\" (or draft 2019-09, 7, 6 or 4)", Draft::V2020.uri()));
        }
        let root_name = self.id.name.clone();
        self.types.push(NamedType {
            name: root_name.clone(),
            pointer: String::new(),
            description: None,
            kind: TypeKind::Enum(Vec::new()),
        });
        // Register every schema with a type of its own first (the `$defs` entries, then the other
        // schemas `$ref`s name), so references may point forward.
        let index: &dyn Resolve = self.index;
        for p in index.bad_definitions(self.this) {
            let keyword = p.tokens().last().cloned().unwrap_or_default();
            let d = root.at(p).unwrap_or(root);
            self.error(codes::INVALID_KEYWORD_VALUE, d, p, format!("`{keyword}` must be an object"), "not an object");
        }
        for p in index.named(self.this) {
            self.types.push(NamedType {
                name: resources::type_name(&root_name, p),
                pointer: p.to_string(),
                description: None,
                kind: TypeKind::Enum(Vec::new()),
            });
        }
        for k in index.lowering_order(self.this) {
            let p = &index.named(self.this)[k];
            let (index, name) = (1 + k, self.types[1 + k].name.clone());
            let Some(node) = root.at(p) else { continue };
            // Without a kind, a diagnostic says why.
            if let Some(kind) = self.named_kind(node, p, &name, index) {
                self.types[index].kind = kind;
                self.types[index].description = description(node);
                self.record_examples(node, p, &Ty::Named(TypeRef { contract: self.this, index }));
            }
        }
        // Any schema may be the root (a shared enum, a union, a scalar, an array): an object, a
        // string enum or a tagged union is itself the root type, anything else gets a name.
        // A root composed with `allOf` (an "extends" of a base contract) is its merged schema.
        let lower = |l: &mut Self, schema: &Node| {
            if l.names_itself(schema) {
                let kind = l.named_kind(schema, &ptr, &root_name, 0);
                if kind.is_some() {
                    l.record_examples(root, &ptr, &Ty::Named(TypeRef { contract: l.this, index: 0 }));
                }
                kind
            } else {
                l.ty(schema, &ptr, &format!("{root_name}Value"), 0).map(TypeKind::Alias)
            }
        };
        let named = if Self::composes(root) { self.composed(root, &ptr, lower) } else { lower(self, root) };
        if let Some(kind) = named {
            self.types[0] = NamedType { name: root_name, pointer: String::new(), description: description(root), kind };
        }
        self.resolve_unions();
        self.disambiguate_names(root);
        self.check_variants(root);
    }

    /// Gives every type of the contract a name of its own where two would share one (`$defs`
    /// entries `foo-bar` and `foo_bar`; an entry `parallel_matrix` and the property `matrix` of
    /// the entry `parallel`): the root keeps its name, then the `$defs` (`definitions`) entries,
    /// then every other type, each group in the order the contract writes them; a later one gets
    /// the first numeric suffix from 2 that no type has (`ParallelMatrix2`), and so do the types
    /// inside it named after it (`ParallelMatrix2Items`). Names no other type shares never change.
    fn disambiguate_names(&mut self, root: &Node) {
        let entries = self.index.named(self.this).len();
        let rank = |i: usize, t: &NamedType| {
            let pointer = Pointer::parse(&t.pointer);
            let entry = (1..=entries).contains(&i)
                && pointer.as_ref().is_some_and(|p| {
                    p.tokens().len() >= 2 && DEFINITIONS.contains(&p.tokens()[p.tokens().len() - 2].as_str())
                });
            let at = pointer.and_then(|p| root.at(&p)).map_or(u32::MAX, |n| n.span.start);
            (
                if i == 0 {
                    0
                } else if entry {
                    1
                } else {
                    2
                },
                at,
                i,
            )
        };
        let mut order: Vec<usize> = (0..self.types.len()).collect();
        order.sort_by_key(|&i| rank(i, &self.types[i]));
        'scan: loop {
            let taken: HashSet<String> = self.types.iter().map(|t| t.name.clone()).collect();
            let mut kept = HashSet::new();
            for &i in &order {
                let name = self.types[i].name.clone();
                if kept.insert(name.clone()) {
                    continue;
                }
                let free = (2..).map(|n| format!("{name}{n}")).find(|n| !taken.contains(n)).expect("a free name");
                let at = self.types[i].pointer.clone();
                let inside = format!("{at}/");
                for t in self.types.iter_mut().filter(|t| t.pointer == at || t.pointer.starts_with(&inside)) {
                    if let Some(rest) = t.name.strip_prefix(name.as_str()).filter(|r| !r.is_empty()) {
                        t.name = format!("{free}{rest}");
                    }
                }
                self.types[i].name = free;
                continue 'scan;
            }
            break;
        }
    }

    /// A keyword the subset does not take. JSON Schema's own (any dialect's) and near misses of
    /// them are errors (a typo must not silently loosen a contract); any other is an annotation,
    /// as Core §6.5 has it (`markdownDescription`, `errorMessage`), with one warning per contract;
    /// one that holds schemas `$ref`s name is neither.
    fn unknown_keyword(&mut self, key: &str, span: Span, ptr: &Pointer) {
        // A folder of schemas that `$ref`s name (`"definitions": {"common": {"url": {...}}}`).
        if self.index.is_folder(self.this, ptr) {
            return;
        }
        let near = keywords().chain(JSON_SCHEMA_KEYWORDS.iter().copied()).find(|k| edit_distance(k, key) <= 2);
        if JSON_SCHEMA_KEYWORDS.contains(&key) || ROOT_ONLY_KEYWORDS.contains(&key) {
            return self.unsupported(key, span, ptr, false);
        }
        if let Some(k) = near.filter(|k| key.len() > 3 && *k != key) {
            self.diags.push(
                Diagnostic::error(
                    codes::UNSUPPORTED_KEYWORD,
                    self.path,
                    span,
                    ptr.clone(),
                    format!("unknown keyword `{key}`: did you mean `{k}`?"),
                )
                .with_label("unknown keyword")
                .with_help(format!("write `{k}`, or name an annotation of your own `x-{key}`")),
            );
            return;
        }
        if self.unknown.insert(key.to_string()) {
            self.diags.push(
                Diagnostic::warning(
                    codes::UNKNOWN_KEYWORD,
                    self.path,
                    span,
                    ptr.clone(),
                    format!("keyword `{key}` is not JSON Schema's: kept as an annotation (Core §6.5)"),
                )
                .with_label("annotation")
                .with_help(format!("it changes nothing any language checks; name it `x-{key}` to say so")),
            );
        }
    }

    /// A keyword of schema resources ([`RESOURCE_KEYWORDS`], draft 4's `id`): any schema may hold it.
    fn is_resource_keyword(&self, key: &str) -> bool {
        RESOURCE_KEYWORDS.contains(&key) || (self.dialect == Draft::V4 && key == "id")
    }

    fn unsupported(&mut self, key: &str, span: Span, ptr: &Pointer, root: bool) {
        let (message, help) = if PLANNED.contains(&key) {
            (
                format!("keyword `{key}` is in the planned subset but not supported by this version"),
                "remove it for now".to_string(),
            )
        } else if !root && ROOT_ONLY_KEYWORDS.contains(&key) {
            (
                format!("`{key}` names another dialect than the contract's (`{}`)", self.dialect.uri()),
                "every schema of a contract is read with its root's dialect: remove it, or name the root's".to_string(),
            )
        } else {
            (format!("keyword `{key}` is not supported"), "the supported keywords are in contractc's README, \"Contracts\" (and what is refused, in its \"What contractc refuses\")".into())
        };
        self.diags.push(
            Diagnostic::error(codes::UNSUPPORTED_KEYWORD, self.path, span, ptr.clone(), message)
                .with_label("unsupported keyword")
                .with_help(help),
        );
    }

    /// Where the lowering of this contract stands, to take back what lowering a schema added.
    fn mark(&self) -> Mark {
        Mark {
            types: self.types.len(),
            diags: self.diags.len(),
            edges: self.edges.len(),
            examples: self.examples.len(),
            unions: self.unions.len(),
            unknown: self.unknown.clone(),
        }
    }

    /// Takes back every type, diagnostic and record added since `mark`.
    fn rewind(&mut self, mark: Mark) {
        self.types.truncate(mark.types);
        self.diags.truncate(mark.diags);
        self.edges.truncate(mark.edges);
        self.examples.truncate(mark.examples);
        self.unions.truncate(mark.unions);
        self.unknown = mark.unknown;
    }

    /// The kind of a type that gets a name: an object or a string enum.
    fn named_kind(&mut self, node: &Node, ptr: &Pointer, name: &str, index: usize) -> Option<TypeKind> {
        if Self::composes(node) {
            return self.composed(node, ptr, |l, merged| l.named_kind(merged, ptr, name, index));
        }
        if let Some(keyword) = Self::distributes(node) {
            return self.distributed(node, keyword, ptr, |l, union| l.named_kind(union, ptr, name, index));
        }
        self.check_keywords(node, ptr);
        // A string enum is an enum type; one with `null` or other values is a name for its type.
        let with_null = node.get("enum").and_then(Node::as_array).is_some_and(|a| a.iter().any(Node::is_null));
        if node.get("enum").is_some() && self.is_string_enum(node) && !with_null {
            let (values, _) = self.enum_values(node, ptr)?;
            return Some(TypeKind::Enum(values));
        }
        if let Some(value) = node.get("const").and_then(Node::as_str) {
            return Some(TypeKind::Enum(vec![value.to_string()]));
        }
        for keyword in ["oneOf", "anyOf"] {
            if node.get(keyword).is_some() {
                let mark = self.mark();
                // The union's kind is set once its tag is found (`resolve_unions`).
                if let Ty::Named(r) = self.union(node, keyword, ptr, name, index, Some(index))?
                    && r == (TypeRef { contract: self.this, index })
                {
                    return Some(self.types[index].kind.clone());
                }
                // A union that admits `null` (through a `{"type": "null"}` branch or one without
                // `type`), or of one branch, is a name for its type, as a root's is: lowered again
                // as `<Name>Value`.
                self.rewind(mark);
                self.types[index].kind = TypeKind::Enum(Vec::new());
                return self.ty_shape(node, ptr, &format!("{name}Value"), index).map(TypeKind::Alias);
            }
        }
        match node.get("type").and_then(Node::as_str) {
            Some("object") => self.object(node, ptr, name, index).map(|o| TypeKind::Object(Box::new(o))),
            // Anything else (a constrained scalar, an array, values) is a name for its type.
            _ => self.ty_shape(node, ptr, &format!("{name}Value"), index).map(TypeKind::Alias),
        }
    }

    /// Whether a root schema is a type with a name of its own: an object, a string enum (or string
    /// `const`), a tagged union (two or more branches besides no `null`).
    fn names_itself(&self, node: &Node) -> bool {
        let object = node.get("type").and_then(Node::as_str) == Some("object")
            && ["$ref", "enum", "const", "anyOf", "oneOf"].iter().all(|k| node.get(k).is_none());
        let string_const = node.get("const").is_some_and(|c| c.as_str().is_some()) && node.get("enum").is_none();
        // A branch that may admit `null` would make the union nullable: an alias of it instead.
        let may_be_null = |b: &Node| {
            b.as_bool() == Some(true)
                || b.get("type").is_some_and(|t| {
                    t.as_str() == Some("null")
                        || t.as_array().is_some_and(|a| a.iter().any(|n| n.as_str() == Some("null")))
                })
                || ["type", "$ref", "enum", "const", "allOf", "anyOf", "oneOf"].iter().all(|k| b.get(k).is_none())
        };
        // ... unless a `type` beside the union, which every branch takes, excludes it.
        let typed = node.get("type").and_then(Node::as_str).is_some_and(|t| t != "null");
        let union = ["oneOf", "anyOf"].iter().any(|k| {
            node.get(k).and_then(Node::as_array).is_some_and(|a| a.len() >= 2 && (typed || !a.iter().any(may_be_null)))
        });
        object
            || string_const
            || union
            || (node.get("enum").is_some()
                && self.is_string_enum(node)
                && !node.get("enum").and_then(Node::as_array).is_some_and(|a| a.iter().any(Node::is_null)))
    }

    /// A union's variant is used by its union alone (generated Rust drops the tag from the
    /// variant's struct, so the struct could not stand for the object elsewhere).
    fn check_variants(&mut self, root: &Node) {
        let this = self.this;
        let used: Vec<usize> =
            self.types.iter().flat_map(|t| t.kind.refs()).filter(|r| r.contract == this).map(|r| r.index).collect();
        let mut in_unions: Vec<usize> = Vec::new();
        for t in &self.types {
            if let TypeKind::Union(u) = &t.kind {
                in_unions.extend(u.variants.iter().map(|(_, v)| *v));
            }
        }
        let elsewhere: Vec<usize> = self
            .variant_of
            .keys()
            .copied()
            .filter(|v| used.contains(v) || in_unions.iter().filter(|u| *u == v).count() > 1)
            .collect();
        for v in elsewhere {
            let (name, pointer) = (self.types[v].name.clone(), self.types[v].pointer.clone());
            let ptr = Pointer::parse(&pointer).unwrap_or_default();
            let span = root.at(&ptr).map_or(root.span, |n| n.span);
            self.diags.push(
                Diagnostic::error(
                    codes::UNSUPPORTED_KEYWORD,
                    self.path,
                    span,
                    ptr,
                    format!("`{name}` is a variant of a tagged union and is used elsewhere too"),
                )
                .with_label("used elsewhere")
                .with_help("give the other use its own schema: a variant is used by its union alone in this version"),
            );
        }
    }

    fn check_keywords(&mut self, node: &Node, ptr: &Pointer) {
        let root = ptr.tokens().is_empty();
        let same_dialect = node.get("$schema").is_none_or(|_| Draft::of(node) == Some(self.dialect));
        for m in node.members().unwrap_or_default() {
            let allowed = ((root || same_dialect) && ROOT_ONLY_KEYWORDS.contains(&m.key.as_str()))
                || self.is_resource_keyword(&m.key);
            if !is_keyword(&m.key) && !allowed {
                self.unknown_keyword(&m.key, m.key_span, &ptr.join(&m.key));
            }
        }
        // `$ref`, `anyOf`, `oneOf` and `enum` decide the type alone: an assertion beside them would
        // be dropped by every backend, though JSON Schema applies it (Core §8.2.3.1, §10.2.1,
        // Validation §6.1.2).
        let Some(keyword) = ["anyOf", "oneOf", "enum", "const"].into_iter().find(|k| node.get(k).is_some()) else {
            return;
        };
        // `enum` and `const` name their `type` (and `const` may stand beside an `enum` that
        // holds its value); the others take the whole type from their targets.
        // Beside `enum` or `const`, string and number assertions that every value listed keeps
        // change nothing (Validation §6.1.2 with §6.2, §6.3, §7): allowed, once checked.
        let listing = ["enum", "const"].contains(&keyword);
        if listing {
            self.check_values_keep_assertions(node, ptr, keyword);
        }
        let allowed = |k: &str| {
            is_annotation(k)
                || (listing && (["type", "enum", "const"].contains(&k) || SCALAR_ASSERTIONS.contains(&k)))
                || (["anyOf", "oneOf"].contains(&keyword) && k == "discriminator")
        };
        for m in node.members().unwrap_or_default() {
            if m.key != keyword && is_keyword(&m.key) && !allowed(&m.key) {
                self.diags.push(
                    Diagnostic::error(
                        codes::UNSUPPORTED_KEYWORD,
                        self.path,
                        m.key_span,
                        ptr.join(&m.key),
                        format!("keyword `{}` beside `{keyword}` is not supported", m.key),
                    )
                    .with_label(format!("beside `{keyword}`"))
                    .with_help(match keyword {
                        "$ref" => "state the constraint in the referenced schema, or drop it".to_string(),
                        "enum" | "const" => format!("drop it: `{keyword}` names every value the field takes"),
                        _ => format!("state the constraint in the branches of `{keyword}`, or drop it"),
                    }),
                );
            }
        }
    }

    /// Every value `enum`/`const` lists must keep the string and number assertions beside it: a
    /// contradiction for the first that does not (it could never be valid).
    fn check_values_keep_assertions(&mut self, node: &Node, ptr: &Pointer, keyword: &str) {
        let values: Vec<&Node> = match node.get(keyword) {
            Some(e) if keyword == "enum" => e.as_array().unwrap_or_default().iter().collect(),
            Some(c) => vec![c],
            None => return,
        };
        if let Some((i, why)) = self.failing_values(node, ptr, &values).into_iter().next() {
            let at = if keyword == "enum" { ptr.join("enum").join(i.to_string()) } else { ptr.join("const") };
            self.error(
                codes::CONTRADICTION,
                values[i],
                &at,
                format!("this value of `{keyword}` fails the assertions beside it ({why}): it could never be valid"),
                "never valid",
            )
            .notes
            .push("help: drop the value, or the assertion it fails".into());
        }
    }

    /// The positions of `values` (strings and numbers) that fail the string and number assertions
    /// of schema `node`, each with why.
    pub(super) fn failing_values(&mut self, node: &Node, ptr: &Pointer, values: &[&Node]) -> Vec<(usize, String)> {
        if !node.members().unwrap_or_default().iter().any(|m| SCALAR_ASSERTIONS.contains(&m.key.as_str())) {
            return Vec::new();
        }
        // One pair of validators per set of assertions (a union's branches often share one).
        let key: String = node
            .members()
            .unwrap_or_default()
            .iter()
            .filter(|m| SCALAR_ASSERTIONS.contains(&m.key.as_str()) || m.key == "format")
            .filter_map(|m| Some(format!("{}={};", m.key, runtime::validate::canonical(&json_value(&m.value)?))))
            .collect();
        let validators = match self.assertions.get(&key) {
            Some(v) => v.clone(),
            None => {
                let format = node.get("format").and_then(Node::as_str).and_then(Format::from_keyword);
                let (Some(pattern), Some(multiple_of)) = (self.pattern(node, ptr), self.multiple_of(node, ptr)) else {
                    return Vec::new();
                };
                let string = StringTy {
                    min_length: self.count(node, ptr, "minLength"),
                    max_length: self.count(node, ptr, "maxLength"),
                    pattern,
                    format,
                };
                let number = NumberTy {
                    minimum: self.bound(node, ptr, "minimum", "exclusiveMinimum"),
                    maximum: self.bound(node, ptr, "maximum", "exclusiveMaximum"),
                    multiple_of,
                };
                let v = std::rc::Rc::new((
                    scalar_validator(Ty::String(string), self.path),
                    scalar_validator(Ty::Number(number), self.path),
                ));
                self.assertions.insert(key, v.clone());
                v
            }
        };
        let (strings, numbers) = &*validators;
        let mut out = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let validator = match &v.value {
                Value::String(_) => strings,
                Value::Number(_) => numbers,
                _ => continue,
            };
            if let Err((_, why)) = instance(validator, v) {
                out.push((i, why));
            }
        }
        out
    }

    /// The values of a string `enum`, and whether `null` is one of them (allowed only where
    /// `type` allows it: `["string", "null"]`).
    fn enum_values(&mut self, node: &Node, ptr: &Pointer) -> Option<(Vec<String>, bool)> {
        let e = node.get("enum")?;
        let p = ptr.join("enum");
        let (t, nullable) = self.type_name(node, ptr)?;
        let allowed =
            e.as_array().filter(|a| a.iter().any(|v| !v.is_null()) && (nullable || a.iter().all(|v| !v.is_null())));
        let with_null = allowed.is_some_and(|a| a.iter().any(Node::is_null));
        let values: Option<Vec<String>> =
            allowed.and_then(|a| a.iter().filter(|v| !v.is_null()).map(|v| v.as_str().map(str::to_string)).collect());
        match values {
            // Without `type`, the values alone say what is valid (Validation §6.1.2).
            Some(v) if t.is_none_or(|t| t == "string") => {
                let mut sorted = v.clone();
                sorted.sort();
                sorted.dedup();
                if sorted.len() != v.len() {
                    self.error(
                        codes::INVALID_KEYWORD_VALUE,
                        e,
                        &p,
                        "`enum` values must be unique (Validation §6.1.2)".into(),
                        "duplicate value",
                    );
                    return None;
                }
                Some((v, with_null))
            }
            _ => {
                self.error(
                    codes::INVALID_KEYWORD_VALUE,
                    e,
                    &p,
                    "`enum` must be a non-empty array of strings with `\"type\": \"string\"`".into(),
                    "here",
                )
                .notes
                .push("help: `null` may be a value too where `\"type\"` is `[\"string\", \"null\"]`".into());
                None
            }
        }
    }

    /// Whether `enum` lists strings (and perhaps `null`) under `type` string or none: a string
    /// enum, which every backend names. Other `enum`s are [`Ty::Values`].
    fn is_string_enum(&self, node: &Node) -> bool {
        let strings = node.get("enum").and_then(Node::as_array).is_some_and(|a| {
            a.iter().any(|v| v.as_str().is_some()) && a.iter().all(|v| v.as_str().is_some() || v.is_null())
        });
        let t = node.get("type");
        let string_type = t.is_none_or(|t| {
            t.as_str() == Some("string") || t.as_array().is_some_and(|a| a.iter().any(|v| v.as_str() == Some("string")))
        });
        strings && string_type
    }

    /// `const` or an `enum` that is not a string enum: [`Ty::Values`], each value checked against
    /// `type` when there is one, unique by canonical text (Validation §6.1.2: "elements in the
    /// array SHOULD be unique"; a repeat is a mistake).
    fn values(&mut self, node: &Node, ptr: &Pointer) -> Option<Ty> {
        let (keyword, values): (&str, Vec<&Node>) = match (node.get("const"), node.get("enum")) {
            (Some(c), None) => ("const", vec![c]),
            (Some(c), Some(e))
                if e.as_array().is_some_and(|a| {
                    let text = |n: &Node| json_value(n).map(|j| runtime::validate::canonical(&j));
                    a.iter().any(|v| text(v) == text(c))
                }) =>
            {
                ("const", vec![c])
            }
            (Some(_), Some(e)) => {
                self.error(
                    codes::INVALID_KEYWORD_VALUE,
                    e,
                    &ptr.join("enum"),
                    "`enum` does not hold the `const` value: no value is valid".into(),
                    "without the `const` value",
                );
                return None;
            }
            (None, Some(e)) => match e.as_array() {
                Some(a) if !a.is_empty() => ("enum", a.iter().collect()),
                _ => {
                    self.error(
                        codes::INVALID_KEYWORD_VALUE,
                        e,
                        &ptr.join("enum"),
                        "`enum` must be a non-empty array".into(),
                        "here",
                    );
                    return None;
                }
            },
            (None, None) => return None,
        };
        // The types `type` names (any number of them: the values are listed anyway), if any.
        let several: Option<Vec<&str>> = node
            .get("type")
            .and_then(Node::as_array)
            .and_then(|a| a.iter().map(Node::as_str).collect::<Option<Vec<&str>>>())
            .filter(|names| (1..names.len()).all(|i| !names[..i].contains(&names[i])));
        let listed: Option<Vec<&str>> = match several {
            Some(names) => Some(names),
            None => {
                let (tname, nullable) = self.type_name(node, ptr)?;
                tname.map(|t| if nullable { vec![t, "null"] } else { vec![t] })
            }
        };
        let mut texts: Vec<String> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let vptr = if keyword == "const" { ptr.join("const") } else { ptr.join("enum").join(i.to_string()) };
            let Some(json) = json_value(v) else {
                self.error(codes::INVALID_KEYWORD_VALUE, v, &vptr, "a number no double holds".into(), "here");
                return None;
            };
            let fits = listed
                .as_ref()
                .is_none_or(|ts| ts.iter().any(|t| (*t == "null" && v.is_null()) || json_kinds(&json).contains(t)));
            if !fits {
                self.error(
                    codes::INVALID_KEYWORD_VALUE,
                    v,
                    &vptr,
                    format!(
                        "this value is not of `type` {}, so it is never valid",
                        listed.unwrap_or_default().join(" or ")
                    ),
                    "not of the type",
                );
                return None;
            }
            let text = runtime::validate::canonical(&json);
            if texts.contains(&text) {
                self.error(
                    codes::INVALID_KEYWORD_VALUE,
                    v,
                    &vptr,
                    "`enum` values must be unique (Validation §6.1.2)".into(),
                    "equal to an earlier value",
                );
                return None;
            }
            texts.push(text);
        }
        Some(Ty::Values(texts))
    }

    /// The one type `type` names besides `null`, and whether it allows `null` (Validation
    /// §6.1.1: a string or an array of unique strings). `None` after a diagnostic; `Some((None,
    /// _))` when there is no `type`.
    fn type_name<'n>(&mut self, node: &'n Node, ptr: &Pointer) -> Option<(Option<&'n str>, bool)> {
        let Some(t) = node.get("type") else { return Some((None, false)) };
        if let Some(name) = t.as_str() {
            return Some((Some(name), false));
        }
        let names: Option<Vec<&str>> = t.as_array().and_then(|a| a.iter().map(Node::as_str).collect());
        if let Some(names) = &names
            && (1..names.len()).any(|i| names[..i].contains(&names[i]))
        {
            self.error(
                codes::INVALID_KEYWORD_VALUE,
                t,
                &ptr.join("type"),
                "`type` names must be unique (Validation §6.1.1)".into(),
                "a name twice",
            );
            return None;
        }
        let names: Option<Vec<&str>> = names.map(|names| {
            let number = names.contains(&"number");
            names.into_iter().filter(|n| !(number && *n == "integer")).collect()
        });
        match names.as_deref() {
            Some([name]) => Some((Some(*name), false)),
            Some([a, "null"]) | Some(["null", a]) if *a != "null" => Some((Some(*a), true)),
            _ => {
                self.error(
                    codes::UNSUPPORTED_KEYWORD,
                    t,
                    &ptr.join("type"),
                    "this `type` union is not supported by this version".into(),
                    "a union",
                )
                .notes
                .push("help: name one type, or one type and \"null\" (e.g. `[\"number\", \"null\"]`)".into());
                None
            }
        }
    }

    /// `anyOf` or `oneOf` (Core §10.2.1.2–3). A `{"type": "null"}` branch makes the rest nullable
    /// (Pydantic's `Optional`); the rest is one schema, or objects told apart by a tag (a required
    /// string `const` property of each): a [`TypeKind::Union`]. Other unions are not supported by
    /// this version.
    /// `into`: the index of an already registered named type (a `$defs` entry) the union becomes.
    /// A branch that is a contradiction on its own (an `enum` beside keywords merged into it that
    /// none of its values keeps) matches no value: it is left out as `false` would be, and the
    /// union is a contradiction only when every branch is.
    fn union(
        &mut self,
        node: &Node,
        keyword: &str,
        ptr: &Pointer,
        hint: &str,
        owner: usize,
        into: Option<usize>,
    ) -> Option<Ty> {
        let mark = self.mark();
        let first = self.union_of(node, keyword, ptr, hint, owner, into, &[]);
        let branches = node.get(keyword).and_then(Node::as_array).unwrap_or_default();
        let errors: Vec<&Diagnostic> =
            self.diags[mark.diags..].iter().filter(|d| d.severity == contractc_diagnostics::Severity::Error).collect();
        if errors.is_empty() || branches.len() < 2 {
            return first;
        }
        // Each error stands in a branch (its pointer under the branch's): the branches with errors,
        // when those are all contradictions.
        let kptr = ptr.join(keyword);
        let branch_of = |d: &Diagnostic| {
            (0..branches.len()).find(|i| d.pointer.tokens().starts_with(kptr.join(i.to_string()).tokens()))
        };
        let mut never: Vec<usize> = Vec::new();
        for d in &errors {
            match branch_of(d) {
                Some(i) if d.code == codes::CONTRADICTION => never.push(i),
                _ => return first,
            }
        }
        never.sort();
        never.dedup();
        let written_false = branches.iter().filter(|b| b.as_bool() == Some(false)).count();
        if never.len() + written_false >= branches.len() {
            return first;
        }
        self.rewind(mark);
        self.union_of(node, keyword, ptr, hint, owner, into, &never)
    }

    /// [`Lowerer::union`] with branches `never` left out.
    #[allow(clippy::too_many_arguments)]
    fn union_of(
        &mut self,
        node: &Node,
        keyword: &str,
        ptr: &Pointer,
        hint: &str,
        owner: usize,
        into: Option<usize>,
        never_branches: &[usize],
    ) -> Option<Ty> {
        let kptr = ptr.join(keyword);
        let branches = node.get(keyword)?;
        let Some(all) = branches.as_array().filter(|a| !a.is_empty()) else {
            self.error(
                codes::INVALID_KEYWORD_VALUE,
                branches,
                &kptr,
                format!("`{keyword}` must be a non-empty array of schemas"),
                "here",
            );
            return None;
        };
        // `{"type": "null"}`, and keywords beside it that apply to other types only.
        let is_null = |b: &Node| {
            b.get("type").and_then(Node::as_str) == Some("null")
                && ["enum", "const", "anyOf", "oneOf", "allOf", "$ref"].iter().all(|k| b.get(k).is_none())
        };
        let nulls = all.iter().filter(|b| is_null(b)).count();
        // A branch `false` is valid for no instance (Core §4.3.2): it changes no verdict.
        let never = |i: usize, b: &Node| b.as_bool() == Some(false) || never_branches.contains(&i);
        let rest: Vec<(usize, &Node)> = all.iter().enumerate().filter(|(i, b)| !is_null(b) && !never(*i, b)).collect();
        if rest.is_empty() && nulls == 0 {
            self.error(
                codes::INVALID_KEYWORD_VALUE,
                branches,
                &kptr,
                format!("every branch of `{keyword}` is `false`: no value is valid"),
                "here",
            );
            return None;
        }
        if nulls > 1 || rest.is_empty() {
            self.error(
                codes::INVALID_KEYWORD_VALUE,
                branches,
                &kptr,
                format!("`{keyword}` allows `null` in more than one way, or nothing else"),
                "here",
            );
            return None;
        }
        let ty = match rest.as_slice() {
            [(i, other)] => match self.ty(other, &kptr.join(i.to_string()), hint, owner)? {
                Ty::Nullable(_) if nulls > 0 => {
                    self.error(
                        codes::INVALID_KEYWORD_VALUE,
                        other,
                        &kptr.join(i.to_string()),
                        "this branch allows `null` already".into(),
                        "nullable twice",
                    );
                    return None;
                }
                ty => ty,
            },
            _ => match self.distinct_kinds(&rest, &kptr) {
                Some(kinds) if kinds.iter().any(|k| *k != JsonKind::Object) => {
                    let at: Vec<(Pointer, &Node)> = rest.iter().map(|(i, b)| (kptr.join(i.to_string()), *b)).collect();
                    self.choice(node, &kptr, &at, &kinds, hint, owner, into)?
                }
                _ => {
                    let mut nullable_branches = 0;
                    let ty = self.tagged_union(node, keyword, ptr, &rest, hint, owner, into, &mut nullable_branches)?;
                    // `null` is valid when a branch accepts it (`anyOf`), or exactly one (`oneOf`).
                    let accepting = nulls + nullable_branches;
                    let nullable = if keyword == "oneOf" { accepting == 1 } else { accepting > 0 };
                    return Some(if nullable { Ty::Nullable(Box::new(ty)) } else { ty });
                }
            },
        };
        Some(if nulls > 0 { Ty::Nullable(Box::new(ty)) } else { ty })
    }

    /// The JSON type of every branch (branch `i` at `at/i`) when each has one and no two share it
    /// (`integer` and `number` count as one), else `None`.
    fn distinct_kinds(&self, branches: &[(usize, &Node)], at: &Pointer) -> Option<Vec<JsonKind>> {
        let kinds: Vec<JsonKind> = branches
            .iter()
            .map(|(i, b)| self.schema_kind(b, self.this, &at.join(i.to_string()), 0))
            .collect::<Option<_>>()?;
        let mut sorted = kinds.clone();
        sorted.sort();
        sorted.dedup();
        (sorted.len() == kinds.len()).then_some(kinds)
    }

    /// The one JSON type every instance of schema `node` has, if the schema says so: its `type`,
    /// the kind of its `enum`/`const` values, what its `$ref` or `allOf` branches say (keywords
    /// alone say nothing: `{"properties": ...}` admits every non-object too). `node` stands at
    /// `at` in contract `contract`; `depth` bounds the `$ref`s followed.
    fn schema_kind(&self, node: &Node, contract: usize, at: &Pointer, depth: usize) -> Option<JsonKind> {
        let of_type = |t: &str| match t {
            "boolean" => Some(JsonKind::Boolean),
            "number" | "integer" => Some(JsonKind::Number),
            "string" => Some(JsonKind::String),
            "array" => Some(JsonKind::Array),
            "object" => Some(JsonKind::Object),
            _ => None,
        };
        if let Some(t) = node.get("type") {
            return t.as_str().and_then(of_type);
        }
        if let Some(r) = node.get("$ref").and_then(Node::as_str) {
            let (contract, pointer) = self.index.locate(contract, &at.join("$ref"), r).filter(|_| depth < 16)?;
            return self.schema_kind(self.roots.root(contract).0.at(&pointer)?, contract, &pointer, depth + 1);
        }
        let values: Vec<&Node> = match (node.get("const"), node.get("enum")) {
            (Some(c), _) => vec![c],
            (None, Some(e)) => e.as_array()?.iter().collect(),
            (None, None) => Vec::new(),
        };
        if let Some(first) = values.first() {
            let kind = node_kind(first)?;
            return values.iter().all(|v| node_kind(v) == Some(kind)).then_some(kind);
        }
        let all = node.get("allOf")?.as_array()?;
        let aptr = at.join("allOf");
        all.iter().enumerate().find_map(|(i, b)| self.schema_kind(b, contract, &aptr.join(i.to_string()), depth + 1))
    }

    /// `"type": ["string", "array", ...]` (Validation §6.1.1): one branch per type, each with the
    /// keywords that apply to it (Validation §6's sections by type), `null` making the whole
    /// nullable; a [`TypeKind::Choice`].
    fn type_array(&mut self, node: &Node, ptr: &Pointer, names: &[Node], hint: &str, owner: usize) -> Option<Ty> {
        // (`enum` and `const` beside them list the values: [`Lowerer::values`].)
        let tptr = ptr.join("type");
        let members = node.members().unwrap_or_default();
        let mut synthetic = Vec::new();
        let mut nullable = false;
        for t in names {
            let name = t.as_str().expect("checked");
            if name == "null" {
                nullable = true;
                continue;
            }
            let mut branch: Vec<Member> = members.iter().filter(|m| keyword_applies(name, &m.key)).cloned().collect();
            branch.push(Member { key: "type".into(), key_span: t.span, value: t.clone() });
            synthetic.push(Node { span: node.span, value: Value::Object(branch) });
        }
        let branches: Vec<(usize, &Node)> = synthetic.iter().enumerate().collect();
        let Some(kinds) = self.distinct_kinds(&branches, &tptr) else {
            self.error(
                codes::UNSUPPORTED_KEYWORD,
                node.get("type").expect("checked"),
                &tptr,
                "`integer` beside `number` in one `type` is not supported".into(),
                "two kinds of number",
            )
            .notes
            .push("help: `number` alone admits integers too".into());
            return None;
        };
        // Each branch's keywords are the schema's own: errors point at them there.
        let at: Vec<(Pointer, &Node)> = synthetic.iter().map(|b| (ptr.clone(), b)).collect();
        let named_at = if node.get("type").is_some() { &tptr } else { ptr };
        let ty = self.choice(node, named_at, &at, &kinds, hint, owner, None)?;
        Some(if nullable { Ty::Nullable(Box::new(ty)) } else { ty })
    }

    /// A schema with assertions but no `type`, `$ref`, `enum`, `const` or applicator: each
    /// assertion constrains only the instances of its own type and every other JSON value is
    /// valid (Validation §6: "if the instance is not a string, it is valid" and so on), so the
    /// schema means the `type` array of every type, each with the keywords that apply to it. A
    /// warning says so, since `{"properties": ...}` alone usually means an object.
    fn untyped(&mut self, node: &Node, ptr: &Pointer, hint: &str, owner: usize) -> Option<Ty> {
        let every = ["null", "boolean", "number", "string", "array", "object"];
        let names: Vec<Node> =
            every.iter().map(|t| Node { span: node.span, value: Value::String(t.to_string()) }).collect();
        let ty = self.type_array(node, ptr, &names, hint, owner)?;
        let constrained: Vec<&str> = every
            .iter()
            .copied()
            .filter(|t| node.members().unwrap_or_default().iter().any(|m| keyword_applies(t, &m.key)))
            .collect();
        let keywords: Vec<String> = node
            .members()
            .unwrap_or_default()
            .iter()
            .filter(|m| every.iter().any(|t| keyword_applies(t, &m.key)))
            .map(|m| format!("`{}`", m.key))
            .collect();
        let only = match constrained.as_slice() {
            [one] => format!("add `\"type\": \"{one}\"` if only {one}s are meant"),
            _ => "add `\"type\"` if only some types are meant".to_string(),
        };
        self.diags.push(
            Diagnostic::warning(
                codes::UNTYPED_SCHEMA,
                self.path,
                node.span,
                ptr.clone(),
                format!(
                    "no `type`: {} constrain{} only some instances and every other JSON value is valid, so this is a union of every type",
                    keywords.join(", "),
                    if keywords.len() == 1 { "s" } else { "" }
                ),
            )
            .with_label("every JSON type")
            .with_help(only),
        );
        Some(ty)
    }

    /// Branches of different JSON types (`kinds`, from [`Self::distinct_kinds`]): a
    /// [`TypeKind::Choice`], named `hint` (or the registered type `into`).
    #[allow(clippy::too_many_arguments)]
    fn choice(
        &mut self,
        node: &Node,
        kptr: &Pointer,
        branches: &[(Pointer, &Node)],
        kinds: &[JsonKind],
        hint: &str,
        owner: usize,
        into: Option<usize>,
    ) -> Option<Ty> {
        let index = into.unwrap_or(self.types.len());
        if into.is_none() {
            self.types.push(NamedType {
                name: hint.to_string(),
                pointer: kptr.to_string(),
                description: description(node),
                kind: TypeKind::Enum(Vec::new()),
            });
        }
        let this = TypeRef { contract: self.this, index };
        if owner != index {
            self.edges.push(Edge {
                from: TypeRef { contract: self.this, index: owner },
                to: this,
                file: self.path.to_string(),
                span: node.span,
                pointer: kptr.clone(),
            });
        }
        let mut choice = Vec::new();
        for ((bptr, b), &kind) in branches.iter().zip(kinds) {
            let branch_hint = format!("{hint}{}", pascal_case(kind.name()));
            let ty = self.ty(b, bptr, &branch_hint, index)?;
            if ty.is_nullable() {
                self.error(
                    codes::UNSUPPORTED_KEYWORD,
                    b,
                    bptr,
                    "a branch that allows `null` beside branches of other types is not supported".into(),
                    "nullable branch",
                )
                .notes
                .push("help: allow `null` with a `{\"type\": \"null\"}` branch of the union instead".into());
                return None;
            }
            choice.push((kind, ty));
        }
        choice.sort_by_key(|(k, _)| *k);
        self.types[index].kind = TypeKind::Choice(choice);
        Some(Ty::Named(this))
    }

    /// Objects told apart by a tag: the first property of the first branch that every branch
    /// requires with a string `const` of its own (OpenAPI's `discriminator.propertyName`, when
    /// given, must name it).
    #[allow(clippy::too_many_arguments)]
    fn tagged_union(
        &mut self,
        node: &Node,
        keyword: &str,
        ptr: &Pointer,
        branches: &[(usize, &Node)],
        hint: &str,
        owner: usize,
        into: Option<usize>,
        nullable_branches: &mut usize,
    ) -> Option<Ty> {
        let kptr = &ptr.join(keyword);
        let index = into.unwrap_or(self.types.len());
        if into.is_none() {
            self.types.push(NamedType {
                name: hint.to_string(),
                pointer: ptr.to_string(),
                description: description(node),
                kind: TypeKind::Enum(Vec::new()),
            });
        }
        let this = TypeRef { contract: self.this, index };
        // A `$defs` entry owns itself.
        if owner != index {
            self.edges.push(Edge {
                from: TypeRef { contract: self.this, index: owner },
                to: this,
                file: self.path.to_string(),
                span: node.span,
                pointer: ptr.clone(),
            });
        }
        let mut variants = Vec::new();
        for &(i, b) in branches {
            let bptr = kptr.join(i.to_string());
            let branch_hint = format!("{hint}{i}");
            // A branch that admits `null` (one without `type`, say) admits it for the union:
            // the caller makes the union nullable; the branch keeps the rest.
            let ty = match self.ty(b, &bptr, &branch_hint, index)? {
                Ty::Nullable(inner) => {
                    *nullable_branches += 1;
                    *inner
                }
                ty => ty,
            };
            variants.push((ty, bptr, b.span, branch_hint));
        }
        // A `$defs` entry a branch refers to may not be lowered yet: the tag is found at the end.
        let wanted = node.get("discriminator").and_then(|d| d.get("propertyName")).and_then(Node::as_str);
        self.unions.push(PendingUnion {
            index,
            keyword: keyword.to_string(),
            pointer: kptr.clone(),
            span: node.get(keyword).unwrap_or(node).span,
            hint: hint.to_string(),
            discriminator: wanted.map(str::to_string),
            variants,
        });
        Some(Ty::Named(this))
    }

    /// Finds the tag of every union now that every named type of the contract is lowered.
    fn resolve_unions(&mut self) {
        for u in std::mem::take(&mut self.unions) {
            if let Some(kind) = self.union_kind(&u) {
                self.types[u.index].kind = kind;
            }
        }
    }

    fn union_kind(&mut self, u: &PendingUnion) -> Option<TypeKind> {
        let keyword = u.keyword.as_str();
        let wanted = u.discriminator.as_deref();
        for (ty, bptr, span, _) in &u.variants {
            if ty.is_nullable() {
                self.diags.push(
                    Diagnostic::error(
                        codes::UNSUPPORTED_KEYWORD,
                        self.path,
                        *span,
                        bptr.clone(),
                        "a branch that allows `null` beside other branches is not supported",
                    )
                    .with_label("nullable branch")
                    .with_help("allow `null` with a `{\"type\": \"null\"}` branch of the union instead"),
                );
                return None;
            }
        }
        // Branches no tag tells apart: JSON Schema's own semantics, the first accepting branch
        // holding the value.
        let untagged = || {
            TypeKind::Untagged(Untagged {
                exactly_one: keyword == "oneOf",
                branches: u.variants.iter().map(|(ty, ..)| ty.clone()).collect(),
            })
        };
        let mut variants = Vec::new();
        for (ty, bptr, _, branch_hint) in &u.variants {
            match ty {
                Ty::Named(r) if r.contract == self.this && matches!(self.types[r.index].kind, TypeKind::Object(_)) => {
                    variants.push((r.index, bptr.clone(), branch_hint.clone()))
                }
                _ if wanted.is_none() => return Some(untagged()),
                _ => {
                    self.diags.push(
                        Diagnostic::error(
                            codes::UNSUPPORTED_KEYWORD,
                            self.path,
                            u.span,
                            bptr.clone(),
                            format!("this `{keyword}` branch is not an object of this contract, so `discriminator` cannot tell it apart"),
                        )
                        .with_label("not an object")
                        .with_help("remove `discriminator` (OpenAPI's annotation) or make every branch an object with the tag"),
                    );
                    return None;
                }
            }
        }
        let object = |t: &NamedType| match &t.kind {
            TypeKind::Object(o) => (**o).clone(),
            _ => Object {
                fields: Vec::new(),
                additional: Additional::Any,
                min_properties: None,
                max_properties: None,
                extra_names: None,
                pattern_rules: Vec::new(),
                unmatched: None,
                dependent_required: Vec::new(),
            },
        };
        let this = self.this;
        let tag_of = |types: &[NamedType], o: &Object, name: &str| -> Option<String> {
            let f = o.fields.iter().find(|f| f.name == name && f.required)?;
            match &f.ty {
                Ty::Named(r) if r.contract == this => match &types[r.index].kind {
                    TypeKind::Enum(v) if v.len() == 1 => Some(v[0].clone()),
                    _ => None,
                },
                _ => None,
            }
        };
        let objects: Vec<Object> = variants.iter().map(|(v, _, _)| object(&self.types[*v])).collect();
        let told_apart = |name: &str| -> Option<Vec<String>> {
            let tags: Vec<String> = objects.iter().map(|o| tag_of(&self.types, o, name)).collect::<Option<_>>()?;
            (1..tags.len()).all(|i| !tags[..i].contains(&tags[i])).then_some(tags)
        };
        let found = objects[0].fields.iter().find_map(|f| {
            (wanted.is_none_or(|w| w == f.name)).then(|| told_apart(&f.name).map(|t| (f.name.clone(), t))).flatten()
        });
        let Some((tag, tags)) = found else {
            let Some(w) = wanted else { return Some(untagged()) };
            self.diags.push(
                Diagnostic::error(
                    codes::UNSUPPORTED_KEYWORD,
                    self.path,
                    u.span,
                    u.pointer.clone(),
                    format!("`discriminator.propertyName` `{w}` is not a required string `const` of its own in every branch"),
                )
                .with_label("the tag disagrees")
                .with_help("give every branch a required property with a string `const` of its own (e.g. `\"type\": {\"const\": \"fill\"}`), or remove `discriminator`"),
            );
            return None;
        };
        for ((v, bptr, branch_hint), value) in variants.iter().zip(&tags) {
            // An inline branch is named after its tag (`EventFill`, and `EventFillType` inside it);
            // a `$defs` entry keeps its name.
            let at = bptr.to_string();
            if self.types[*v].pointer == at {
                let name = format!("{}{}", u.hint, pascal_case(value));
                for t in self.types.iter_mut().filter(|t| t.pointer == at || t.pointer.starts_with(&format!("{at}/"))) {
                    if let Some(rest) = t.name.strip_prefix(branch_hint.as_str()) {
                        t.name = format!("{name}{rest}");
                    }
                }
            }
            self.variant_of.insert(*v, u.index);
        }
        let variants = variants.iter().zip(tags).map(|((v, _, _), value)| (value, *v)).collect();
        Some(TypeKind::Union(Union { tag, variants }))
    }

    fn object(&mut self, node: &Node, ptr: &Pointer, name: &str, index: usize) -> Option<Object> {
        let extra = self.pattern_properties(node, ptr)?;
        let aptr = extra.kept_ptr.clone();
        let additional = match extra.kept {
            None => Additional::Any,
            Some(a) => match a.as_bool() {
                Some(true) => Additional::Any,
                Some(false) => Additional::Forbidden,
                None if a.members().is_some_and(<[_]>::is_empty) => Additional::Any,
                None => {
                    let ty = self.ty(a, &aptr, &format!("{name}Value"), index)?;
                    Additional::Typed(Box::new(ty))
                }
            },
        };
        let props_ptr = ptr.join("properties");
        let props = match node.get("properties") {
            None => Vec::new(),
            Some(p) => match p.members() {
                Some(m) => m.to_vec(),
                None => {
                    self.error(
                        codes::INVALID_KEYWORD_VALUE,
                        p,
                        &props_ptr,
                        "`properties` must be an object".into(),
                        "not an object",
                    );
                    return None;
                }
            },
        };
        let mut required = Vec::new();
        // Required names `properties` does not declare: members of the type undeclared members
        // have (any value in an open object, the map's values in a map).
        let mut undeclared: Vec<String> = Vec::new();
        if let Some(r) = node.get("required") {
            let rptr = ptr.join("required");
            match r.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        match item.as_str() {
                            Some(s) if props.iter().any(|m| m.key == s) => required.push(s.to_string()),
                            Some(s) if additional != Additional::Forbidden => {
                                if !undeclared.iter().any(|u| u == s) {
                                    undeclared.push(s.to_string());
                                }
                            }
                            Some(s) => {
                                self.error(
                                    codes::INVALID_KEYWORD_VALUE,
                                    item,
                                    &rptr.join(i.to_string()),
                                    format!("required property `{s}` is not in `properties` of this closed object"),
                                    "not a property",
                                )
                                .notes
                                .push("help: declare it in `properties`: `additionalProperties: false` forbids every other member".into());
                            }
                            None => {
                                self.error(
                                    codes::INVALID_KEYWORD_VALUE,
                                    item,
                                    &rptr.join(i.to_string()),
                                    "`required` items must be strings".into(),
                                    "not a string",
                                );
                            }
                        }
                    }
                }
                None => {
                    self.error(
                        codes::INVALID_KEYWORD_VALUE,
                        r,
                        &rptr,
                        "`required` must be an array of strings".into(),
                        "here",
                    );
                }
            }
        }
        let mut pattern_rules = Vec::new();
        if extra.rules {
            for (i, (pattern, schema, at)) in extra.patterns.iter().enumerate() {
                let ty = match schema.as_bool() {
                    Some(false) => None,
                    _ if anything(schema) => continue,
                    _ => Some(self.ty(schema, at, &format!("{name}Pattern{i}"), index)?),
                };
                pattern_rules.push(PatternRule { pattern: pattern.clone(), ty });
            }
        }
        let unmatched = match extra.unmatched {
            Some(schema) => Some(self.ty(schema, &aptr, &format!("{name}Value"), index)?),
            None => None,
        };
        // A property `false` may not be present (Core §4.3.2): a name no member may have.
        let (forbidden, props): (Vec<Member>, Vec<Member>) =
            props.into_iter().partition(|m| m.value.as_bool() == Some(false));
        let mut additional = additional;
        let mut unmatched = unmatched;
        for m in &forbidden {
            if required.contains(&m.key) {
                self.error(
                    codes::CONTRADICTION,
                    &m.value,
                    &props_ptr.join(&m.key),
                    format!("the required property `{}` is `false`: it could never be present", m.key),
                    "the schema `false`",
                )
                .notes
                .push("help: drop it from `required`, or give it a schema".into());
                return None;
            }
            if additional == Additional::Forbidden {
                continue;
            }
            if let Additional::Typed(t) = std::mem::replace(&mut additional, Additional::Any) {
                unmatched = Some(*t);
            }
            let pattern = Pattern::parse(&exactly(&[m.key.as_str()])).expect("escaped literals parse");
            pattern_rules.push(PatternRule { pattern, ty: None });
        }
        let mut fields = Vec::new();
        for m in &props {
            let p = props_ptr.join(&m.key);
            let hint = format!("{name}{}", pascal_case(&m.key));
            // A declared property is an instance of every pattern's schema its name matches too.
            let mut schema = m.value.clone();
            for (pattern, pschema, at) in &extra.patterns {
                if !contractc_validator::pattern(pattern).is_match(&m.key) || anything(pschema) {
                    continue;
                }
                if pschema.as_bool() == Some(false) {
                    self.error(
                        codes::CONTRADICTION,
                        pschema,
                        at,
                        format!(
                            "the pattern `{}` forbids the property `{}`, which `properties` declares",
                            pattern.source, m.key
                        ),
                        "the schema `false`",
                    )
                    .notes
                    .push(format!("note: the property is declared at \"{p}\""));
                    return None;
                }
                schema = compose::both(&schema, pschema);
            }
            let ty = self.ty(&schema, &p, &hint, index)?;
            let required = required.contains(&m.key);
            let default = match m.value.get("default").filter(|_| !required) {
                Some(d) => Some(self.default(d, &p.join("default"), node)?),
                None => None,
            };
            fields.push(Field { name: m.key.clone(), description: description(&m.value), required, ty, default });
        }
        let (min_properties, max_properties) =
            (self.count(node, ptr, "minProperties"), self.count(node, ptr, "maxProperties"));
        let extra_names = self.extra_names(node, ptr, &props, extra.names)?;
        for name in undeclared {
            // Where `required` names it, for the diagnostics.
            let items = node.get("required").and_then(Node::as_array).unwrap_or_default();
            let (i, item) =
                items.iter().enumerate().find(|(_, n)| n.as_str() == Some(&name)).expect("named by `required`");
            let at = ptr.join("required").join(i.to_string());
            // The type the member is kept as, or the one rule its name matches.
            let matching: Vec<&PatternRule> =
                pattern_rules.iter().filter(|r| contractc_validator::pattern(&r.pattern).is_match(&name)).collect();
            let ty = match matching.as_slice() {
                [] => match (&additional, &unmatched) {
                    (Additional::Typed(t), _) => (**t).clone(),
                    (_, Some(t)) => t.clone(),
                    _ => Ty::Any,
                },
                [PatternRule { ty: Some(t), .. }] => t.clone(),
                [PatternRule { ty: None, pattern }] => {
                    self.error(
                        codes::CONTRADICTION,
                        item,
                        &at,
                        format!(
                            "the pattern `{}` forbids the required member `{name}`: it could never be present",
                            pattern.source
                        ),
                        "required here",
                    )
                    .notes
                    .push("help: drop it from `required`, or from the pattern".into());
                    return None;
                }
                several => {
                    self.error(
                        codes::UNSUPPORTED_KEYWORD,
                        item,
                        &at,
                        format!("the required member `{name}` matches {} patterns of `patternProperties`: not supported by this version", several.len()),
                        "required here",
                    )
                    .notes
                    .push(format!("help: declare `{name}` in `properties` (its schema then holds every pattern's)"));
                    return None;
                }
            };
            if let Some(names) = &extra_names {
                let validator = scalar_validator(Ty::String(names.clone()), self.path);
                if let Err((_, why)) = instance(&validator, item) {
                    self.error(
                        codes::CONTRADICTION,
                        item,
                        &at,
                        format!("the required member `{name}` has a name no undeclared member may have ({why}): it could never be present"),
                        "required here",
                    )
                    .notes
                    .push("help: declare it in `properties`, or drop it from `required`".into());
                    return None;
                }
            }
            fields.push(Field { name, description: None, required: true, ty, default: None });
        }
        let dependent_required = self.dependent_required(node, ptr, &fields, additional != Additional::Forbidden)?;
        Some(Object {
            fields,
            additional,
            min_properties,
            max_properties,
            extra_names,
            pattern_rules,
            unmatched,
            dependent_required,
        })
    }

    /// A name in `dependentRequired` (at `at`): whether it is a required property; `None` (an
    /// error) when it has a `default`, or is neither a declared property nor a member the
    /// object (`open`: not closed) may have.
    fn dependency(&mut self, fields: &[Field], open: bool, name: &str, at: &Node, ptr: &Pointer) -> Option<bool> {
        let (message, help) = match fields.iter().find(|f| f.name == name) {
            Some(f) if f.default.is_none() => return Some(f.required),
            None if open => return Some(false),
            Some(_) => (
                format!("`{name}` has a `default`, which `dependentRequired` does not take in this version"),
                "the rule is about the members a message has, and readers fill defaults in: drop the default",
            ),
            None => (
                format!("`{name}` of `dependentRequired` is no member this closed object may have"),
                "declare it in `properties`, or drop it",
            ),
        };
        self.error(codes::UNSUPPORTED_KEYWORD, at, ptr, message, "here").notes.push(format!("help: {help}"));
        None
    }

    /// `dependentRequired` (Validation §6.5.4), and draft 7's `dependencies` whose values are
    /// arrays (what 2019-09 renamed; it is read in every dialect): for each member name, the
    /// names a message with it must have too. A name is a declared property without a `default`
    /// (a reader fills those in, and the rule is about the members a message has), or any other
    /// member of an object that is not closed; the required names are left out, as they always
    /// hold.
    fn dependent_required(
        &mut self,
        node: &Node,
        ptr: &Pointer,
        fields: &[Field],
        open: bool,
    ) -> Option<Vec<(String, Vec<String>)>> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for key in ["dependentRequired", "dependencies"] {
            let Some(d) = node.get(key) else { continue };
            let dptr = ptr.join(key);
            let Some(entries) = d.members() else {
                self.error(
                    codes::INVALID_KEYWORD_VALUE,
                    d,
                    &dptr,
                    format!("`{key}` must be an object"),
                    "not an object",
                );
                return None;
            };
            for e in entries {
                let eptr = dptr.join(&e.key);
                let Some(names) = e.value.as_array() else {
                    if key == "dependencies" && (e.value.members().is_some() || e.value.as_bool().is_some()) {
                        self.error(
                            codes::UNSUPPORTED_KEYWORD,
                            &e.value,
                            &eptr,
                            "`dependencies` with a schema (2019-09's `dependentSchemas`) is not supported".into(),
                            "a schema",
                        )
                        .notes
                        .push("help: only the array form (`dependentRequired`) is supported: list the member names a message with this one must have".into());
                    } else {
                        self.error(
                            codes::INVALID_KEYWORD_VALUE,
                            &e.value,
                            &eptr,
                            format!("the values of `{key}` must be arrays of member names"),
                            "not an array",
                        );
                    }
                    return None;
                };
                self.dependency(fields, open, &e.key, &e.value, &eptr)?;
                let mut needed: Vec<String> = Vec::new();
                for (i, n) in names.iter().enumerate() {
                    let nptr = eptr.join(i.to_string());
                    let Some(name) = n.as_str() else {
                        self.error(
                            codes::INVALID_KEYWORD_VALUE,
                            n,
                            &nptr,
                            format!("the values of `{key}` must be arrays of member names"),
                            "not a string",
                        );
                        return None;
                    };
                    if !self.dependency(fields, open, name, n, &nptr)? && !needed.iter().any(|x| x == name) {
                        needed.push(name.to_string());
                    }
                }
                if !needed.is_empty() {
                    out.push((e.key.clone(), needed));
                }
            }
        }
        Some(out)
    }

    /// The canonical text of an optional property's `default` (checked against the schema with
    /// the examples), of any type, in an object without `minProperties`/`maxProperties` (which
    /// count the members a message has, not the ones a reader fills in).
    fn default(&mut self, d: &Node, ptr: &Pointer, object: &Node) -> Option<String> {
        if object.get("minProperties").is_some() || object.get("maxProperties").is_some() {
            self.error(
                codes::UNSUPPORTED_KEYWORD,
                d,
                ptr,
                "a `default` in an object with `minProperties`/`maxProperties` is not supported by this version".into(),
                "here",
            )
            .notes
            .push("help: the counts are of the members a message has; drop the default or the count".into());
            return None;
        }
        json_value(d).map(|v| runtime::validate::canonical(&v))
    }

    /// `patternProperties` (Core §10.3.2.2) and `additionalProperties` (§10.3.2.3): how the
    /// undeclared members of an object are kept and checked (see [`ExtraMembers`]). Patterns whose
    /// schemas are all the same beside `additionalProperties: false` make a map of that schema,
    /// whose names must match one of them; patterns whose schemas allow what
    /// `additionalProperties` already allows add nothing; any other patterns are rules, each
    /// checked on the members its pattern matches, the members kept as JSON values.
    fn pattern_properties<'n>(&mut self, node: &'n Node, ptr: &Pointer) -> Option<ExtraMembers<'n>> {
        let additional = node.get("additionalProperties");
        let mut out = ExtraMembers {
            kept: additional,
            kept_ptr: ptr.join("additionalProperties"),
            names: None,
            patterns: Vec::new(),
            rules: false,
            unmatched: None,
        };
        let Some(pp) = node.get("patternProperties") else { return Some(out) };
        let pptr = ptr.join("patternProperties");
        let Some(members) = pp.members() else {
            self.error(codes::INVALID_KEYWORD_VALUE, pp, &pptr, "`patternProperties` must be an object".into(), "here");
            return None;
        };
        let text = |n: &Node| json_value(n).map(|v| runtime::validate::canonical(&v));
        let mut sources = Vec::new();
        for m in members {
            let mptr = pptr.join(&m.key);
            match Pattern::parse(&m.key) {
                Ok(pattern) => out.patterns.push((pattern, &m.value, mptr)),
                Err(e) => {
                    self.error(
                        codes::UNSUPPORTED_PATTERN,
                        &m.value,
                        &mptr,
                        format!("{} (column {} of the pattern)", e.message, e.column),
                        "this pattern's schema",
                    )
                    .notes
                    .push(format!("help: {}", e.hint));
                    return None;
                }
            }
            sources.push(format!("(?:{})", m.key));
        }
        let Some((_, first, first_ptr)) = out.patterns.first().cloned() else { return Some(out) };
        let closed = additional.and_then(|a| a.as_bool()) == Some(false);
        let never = |n: &Node| n.as_bool() == Some(false);
        let uniform = if closed {
            out.patterns.iter().all(|(_, n, _)| !never(n) && text(n) == text(first))
        } else {
            out.patterns.iter().all(|(_, n, _)| match additional {
                Some(a) => text(a) == text(n) || (anything(a) && anything(n)),
                None => anything(n),
            })
        };
        if closed {
            out.names = Some(Pattern::parse(&sources.join("|")).expect("each alternative parsed"));
        }
        match (uniform, closed) {
            (true, true) => (out.kept, out.kept_ptr) = (Some(first), first_ptr),
            (true, false) => {}
            (false, _) => {
                out.rules = true;
                out.unmatched = additional.filter(|a| a.as_bool().is_none() && !anything(a));
                out.kept = None;
            }
        }
        Some(out)
    }

    /// The constraint on the names of undeclared members: `propertyNames` (a string schema:
    /// `minLength`, `maxLength`, `pattern`, `const`, `enum`, perhaps through a `$ref`) and the
    /// pattern from `patternProperties`. Every declared
    /// property name must satisfy `propertyNames`, or the property could never be present.
    fn extra_names(
        &mut self,
        node: &Node,
        ptr: &Pointer,
        declared: &[Member],
        key_pattern: Option<Pattern>,
    ) -> Option<Option<StringTy>> {
        let Some(pn) = node.get("propertyNames") else {
            return Some(key_pattern.map(|p| StringTy { pattern: Some(p), ..StringTy::default() }));
        };
        let nptr = ptr.join("propertyNames");
        // A `$ref` (or `allOf`) here names the string schema the names keep (`"$ref": "#/$defs/Key"`).
        let resolved;
        let pn = if pn.get("$ref").is_some() || pn.get("allOf").is_some() {
            resolved = self.resolved(pn, &nptr)?;
            &resolved
        } else {
            pn
        };
        if pn.as_bool() == Some(true) {
            return Some(key_pattern.map(|p| StringTy { pattern: Some(p), ..StringTy::default() }));
        }
        let allowed = ["type", "minLength", "maxLength", "pattern", "const", "enum"];
        // `false` (no name at all), `const` and `enum`: the names listed, as the pattern that
        // matches exactly them (values that are no strings name nothing).
        let empty = Vec::new();
        let members = match pn.as_bool() {
            Some(false) => &empty,
            _ => pn.members().unwrap_or(&empty),
        };
        let listed: Option<Vec<&str>> = match (pn.as_bool(), pn.get("const"), pn.get("enum")) {
            (Some(false), _, _) => Some(Vec::new()),
            (_, Some(c), _) => Some(c.as_str().into_iter().collect()),
            (_, None, Some(e)) => Some(e.as_array().unwrap_or_default().iter().filter_map(Node::as_str).collect()),
            _ => None,
        };
        if pn.as_bool().is_none() && pn.members().is_none() {
            self.error(codes::INVALID_KEYWORD_VALUE, pn, &nptr, "`propertyNames` must be a schema".into(), "here");
            return None;
        }
        for m in members {
            let kptr = nptr.join(&m.key);
            let string_type = m.key != "type" || m.value.as_str() == Some("string");
            if !(allowed.contains(&m.key.as_str()) || is_annotation(&m.key)) || !string_type {
                self.error(
                    codes::UNSUPPORTED_KEYWORD,
                    &m.value,
                    &kptr,
                    format!("`{}` in `propertyNames` is not supported", m.key),
                    "here",
                )
                .notes
                .push("help: `propertyNames` takes `minLength`, `maxLength` and `pattern` (names are strings)".into());
                return None;
            }
        }
        let pattern = match (self.pattern(pn, &nptr)?, listed) {
            (p, None) => p,
            (None, Some(names)) => Some(Pattern::parse(&exactly(&names)).expect("escaped literals parse")),
            (Some(_), Some(_)) => {
                self.error(
                    codes::UNSUPPORTED_KEYWORD,
                    pn,
                    &nptr,
                    "`pattern` beside `const` or `enum` in `propertyNames` is not supported".into(),
                    "here",
                )
                .notes
                .push("help: the names `const`/`enum` list are all a name can be: drop the `pattern`".into());
                return None;
            }
        };
        let mut names = StringTy {
            min_length: self.count(pn, &nptr, "minLength"),
            max_length: self.count(pn, &nptr, "maxLength"),
            pattern,
            format: None,
        };
        let validator = scalar_validator(Ty::String(names.clone()), self.path);
        for m in declared {
            let name = Node { span: m.key_span, value: Value::String(m.key.clone()) };
            if let Err((_, why)) = instance(&validator, &name) {
                let at = ptr.join("properties").join(&m.key);
                self.error(
                    codes::CONTRADICTION,
                    pn,
                    &nptr,
                    format!(
                        "the name of property `{}` fails `propertyNames` ({why}): it could never be present",
                        m.key
                    ),
                    "here",
                )
                .notes
                .push(format!("note: the property is declared at \"{at}\""));
                return None;
            }
        }
        if let Some(p) = key_pattern {
            if names.pattern.is_some() {
                self.error(
                    codes::UNSUPPORTED_KEYWORD,
                    pn,
                    &nptr,
                    "a `propertyNames` pattern beside `patternProperties` with `additionalProperties: false` is not supported".into(),
                    "here",
                );
                return None;
            }
            names.pattern = Some(p);
        }
        Some(Some(names))
    }

    /// The type of a property or array item; `hint` names an inline enum or object.
    fn ty(&mut self, node: &Node, ptr: &Pointer, hint: &str, owner: usize) -> Option<Ty> {
        // A schema that a `$ref` names has a named type, lowered already (see
        // `Index::lowering_order`): where the schema itself stands (not a composition's merge of
        // it), it is that type, or the type it names (a scalar's, an array's: `null` stays visible).
        let (this, root) = (self.this, self.roots.root(self.this).0);
        if let Some(index) = self.index.type_at(this, ptr).filter(|&i| i > 0 && root.at(ptr) == Some(node)) {
            let to = TypeRef { contract: this, index };
            self.edge(owner, to, node.span, ptr);
            return Some(match &self.types[index].kind {
                TypeKind::Alias(ty) => ty.clone(),
                _ => Ty::Named(to),
            });
        }
        let ty = self.ty_shape(node, ptr, hint, owner)?;
        self.record_examples(node, ptr, &ty);
        Some(ty)
    }

    fn record_examples(&mut self, node: &Node, ptr: &Pointer, ty: &Ty) {
        for (key, default) in [("examples", false), ("default", true)] {
            if let Some(e) = node.get(key) {
                self.examples.push(Examples {
                    file: self.path.to_string(),
                    ty: ty.clone(),
                    node: e.clone(),
                    pointer: ptr.join(key),
                    default,
                });
            }
        }
    }

    /// The type of a schema, without its annotations.
    fn ty_shape(&mut self, node: &Node, ptr: &Pointer, hint: &str, owner: usize) -> Option<Ty> {
        // The schema `true`, and one of annotations alone, admit every value (Core §4.3.2).
        if node.as_bool() == Some(true)
            || node.members().is_some_and(|m| m.iter().all(|m| is_annotation(&m.key) || !is_keyword(&m.key)))
        {
            self.check_keywords(node, ptr);
            return Some(Ty::Any);
        }
        if node.as_bool() == Some(false) {
            self.error(
                codes::INVALID_KEYWORD_VALUE,
                node,
                ptr,
                "the schema `false` admits no value: nothing could ever be here".into(),
                "no value is valid",
            )
            .notes
            .push(
                "help: remove the property (with `additionalProperties: false` beside it, it is refused anyway)".into(),
            );
            return None;
        }
        if node.members().is_none() {
            self.error(
                codes::INVALID_KEYWORD_VALUE,
                node,
                ptr,
                "a schema must be an object here".into(),
                "not a schema",
            );
            return None;
        }
        if Self::composes(node) {
            return self.composed(node, ptr, |l, merged| l.ty_shape(merged, ptr, hint, owner));
        }
        if let Some(keyword) = Self::distributes(node) {
            return self.distributed(node, keyword, ptr, |l, union| l.ty_shape(union, ptr, hint, owner));
        }
        self.check_keywords(node, ptr);
        if let Some(r) = node.get("$ref") {
            return self.reference(r, &ptr.join("$ref"), owner).map(Ty::Named);
        }
        for keyword in ["anyOf", "oneOf"] {
            if node.get(keyword).is_some() {
                return self.union(node, keyword, ptr, hint, owner, None);
            }
        }
        // A string `const` is a string enum of one value (an event's tag, a union's discriminator).
        let string_const = node
            .get("const")
            .and_then(Node::as_str)
            .filter(|_| node.get("enum").is_none() && node.get("type").is_none_or(|t| t.as_str() == Some("string")));
        if let Some(value) = string_const {
            let index = self.types.len();
            self.types.push(NamedType {
                name: hint.to_string(),
                pointer: ptr.to_string(),
                description: description(node),
                kind: TypeKind::Enum(vec![value.to_string()]),
            });
            return Some(Ty::Named(TypeRef { contract: self.this, index }));
        }
        if node.get("const").is_some() || (node.get("enum").is_some() && !self.is_string_enum(node)) {
            return self.values(node, ptr);
        }
        if node.get("enum").is_some() {
            let (values, nullable) = self.enum_values(node, ptr)?;
            let index = self.types.len();
            self.types.push(NamedType {
                name: hint.to_string(),
                pointer: ptr.to_string(),
                description: description(node),
                kind: TypeKind::Enum(values),
            });
            let named = Ty::Named(TypeRef { contract: self.this, index });
            return Some(if nullable { Ty::Nullable(Box::new(named)) } else { named });
        }
        let several = node.get("type").and_then(Node::as_array).map(meaningful_types).filter(|a| {
            let unique = (1..a.len()).all(|i| a[..i].iter().all(|x| x.as_str() != a[i].as_str()));
            unique
                && a.iter().filter(|t| t.as_str() != Some("null")).count() > 1
                && a.iter().all(|t| t.as_str().is_some())
        });
        if let Some(names) = several {
            return self.type_array(node, ptr, &names, hint, owner);
        }
        let tptr = ptr.join("type");
        let (Some(tname), nullable) = self.type_name(node, ptr)? else {
            return self.untyped(node, ptr, hint, owner);
        };
        let t = node.get("type").unwrap_or(node);
        let ty = self.typed(node, ptr, hint, owner, tname, t, &tptr)?;
        Some(if nullable { Ty::Nullable(Box::new(ty)) } else { ty })
    }

    /// A schema of one `type` (its name `tname`, its keyword `t` at `tptr`).
    #[allow(clippy::too_many_arguments)]
    fn typed(
        &mut self,
        node: &Node,
        ptr: &Pointer,
        hint: &str,
        owner: usize,
        tname: &str,
        t: &Node,
        tptr: &Pointer,
    ) -> Option<Ty> {
        match Some(tname) {
            Some("string") => {
                let format = match node.get("format") {
                    None => None,
                    Some(f) => match f.as_str() {
                        Some(k) => match Format::from_keyword(k) {
                            Some(format) => Some(format),
                            None => {
                                let asserted: Vec<&str> = Format::ALL.iter().map(|f| f.keyword()).collect();
                                self.diags.push(
                                    Diagnostic::warning(
                                        codes::UNASSERTED_FORMAT,
                                        self.path,
                                        f.span,
                                        ptr.join("format"),
                                        format!("`format: {k}` is kept as an annotation: no language checks it"),
                                    )
                                    .with_label("not asserted")
                                    .with_help(format!(
                                        "asserted formats: {}; a `pattern` can check the rest",
                                        asserted.join(", ")
                                    )),
                                );
                                None
                            }
                        },
                        None => {
                            self.error(
                                codes::INVALID_KEYWORD_VALUE,
                                f,
                                &ptr.join("format"),
                                "`format` must be a string".into(),
                                "here",
                            );
                            return None;
                        }
                    },
                };
                Some(Ty::String(StringTy {
                    min_length: self.count(node, ptr, "minLength"),
                    max_length: self.count(node, ptr, "maxLength"),
                    pattern: self.pattern(node, ptr)?,
                    format,
                }))
            }
            Some("number") => Some(Ty::Number(NumberTy {
                minimum: self.bound(node, ptr, "minimum", "exclusiveMinimum"),
                maximum: self.bound(node, ptr, "maximum", "exclusiveMaximum"),
                multiple_of: self.multiple_of(node, ptr)?,
            })),
            Some("integer") => {
                let lo = self.bound(node, ptr, "minimum", "exclusiveMinimum");
                let hi = self.bound(node, ptr, "maximum", "exclusiveMaximum");
                // The literal a bound came from, read exactly when it is an integer (no double
                // holds every int64: `9223372036854775807` is the int64 maximum, not 2^63).
                let exact = |b: Bound, keys: [&str; 2], lower: bool| {
                    let literal = keys.iter().filter_map(|k| node.get(k)).find(|n| n.as_f64() == Some(b.value));
                    match literal.and_then(Node::as_i64) {
                        Some(v) if b.exclusive => {
                            if lower {
                                v.checked_add(1)
                            } else {
                                v.checked_sub(1)
                            }
                        }
                        Some(v) => Some(v),
                        None => integer_bound(b, lower),
                    }
                };
                let minimum = lo.map(|b| exact(b, ["minimum", "exclusiveMinimum"], true));
                let maximum = hi.map(|b| exact(b, ["maximum", "exclusiveMaximum"], false));
                if minimum.is_some_and(|m| m.is_none()) || maximum.is_some_and(|m| m.is_none()) {
                    self.error(
                        codes::INVALID_KEYWORD_VALUE,
                        node,
                        ptr,
                        "an integer bound must lie within the int64 range".into(),
                        "bound out of range",
                    )
                    .notes
                    .push("help: every generated language holds integers as int64".into());
                    return None;
                }
                let multiple_of = self.multiple_of(node, ptr)?;
                Some(Ty::Integer(IntegerTy { minimum: minimum.flatten(), maximum: maximum.flatten(), multiple_of }))
            }
            Some("boolean") => Some(Ty::Boolean),
            // `null` is the one value of its type: the value `null` (no other keyword applies).
            Some("null") => Some(Ty::Values(vec!["null".into()])),
            Some("array") => self.array(node, ptr, hint, owner),
            Some("object") => {
                let index = self.types.len();
                self.types.push(NamedType {
                    name: hint.to_string(),
                    pointer: ptr.to_string(),
                    description: description(node),
                    kind: TypeKind::Enum(Vec::new()),
                });
                let to = TypeRef { contract: self.this, index };
                self.edges.push(Edge {
                    from: TypeRef { contract: self.this, index: owner },
                    to,
                    file: self.path.to_string(),
                    span: node.span,
                    pointer: ptr.clone(),
                });
                let obj = self.object(node, ptr, hint, index)?;
                self.types[index].kind = TypeKind::Object(Box::new(obj));
                Some(Ty::Named(TypeRef { contract: self.this, index }))
            }
            _ => {
                self.error(codes::INVALID_KEYWORD_VALUE, t, tptr, "unsupported `type`".into(), "here").notes.push(
                    "help: use one of string, number, integer, boolean, array, object, or one of them and \"null\""
                        .into(),
                );
                None
            }
        }
    }

    /// `pattern`, parsed; `None` (after an error) when it is refused, `Some(None)` when absent.
    fn pattern(&mut self, node: &Node, ptr: &Pointer) -> Option<Option<Pattern>> {
        let Some(v) = node.get("pattern") else { return Some(None) };
        let pptr = ptr.join("pattern");
        let Some(source) = v.as_str() else {
            self.error(codes::INVALID_KEYWORD_VALUE, v, &pptr, "`pattern` must be a string".into(), "here");
            return None;
        };
        match Pattern::parse(source) {
            Ok(p) => match compile_pattern(&p) {
                Ok(_) => Some(Some(p)),
                Err(e) => {
                    self.error(codes::UNSUPPORTED_PATTERN, v, &pptr, format!("this pattern is too large: {e}"), "here")
                        .notes
                        .push("help: use smaller repetition counts".into());
                    None
                }
            },
            Err(e) => {
                let d = self.error(
                    codes::UNSUPPORTED_PATTERN,
                    v,
                    &pptr,
                    format!("{} (column {} of the pattern)", e.message, e.column),
                    "in this pattern",
                );
                let shown: String = source.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
                let caret: String = " ".repeat(e.column - 1);
                d.notes.push(format!("pattern: {shown}\n         {caret}^"));
                d.notes.push(format!("help: {}", e.hint));
                None
            }
        }
    }

    /// `multipleOf` (Validation §6.2.1): a number strictly greater than 0.
    fn multiple_of(&mut self, node: &Node, ptr: &Pointer) -> Option<Option<f64>> {
        let Some(v) = node.get("multipleOf") else { return Some(None) };
        match v.as_f64() {
            Some(d) if d > 0.0 && d.is_finite() => Some(Some(d)),
            _ => {
                self.error(
                    codes::INVALID_KEYWORD_VALUE,
                    v,
                    &ptr.join("multipleOf"),
                    "`multipleOf` must be a number greater than 0".into(),
                    "here",
                );
                None
            }
        }
    }

    /// An array (Core §10.3.1, Validation §6.4): `items`, or a tuple: `prefixItems` and `items`
    /// for the items after them. Draft 2019-09's forms, an array `items` (the positions) and
    /// `additionalItems` (the items after them), are read in every dialect: an array `items` has
    /// no other meaning, and `additionalItems` beside anything else asserts nothing (draft
    /// 2019-09 Core §9.3.1.2). Without `items`, any JSON value is an item; an item schema `false`
    /// bounds `maxItems`.
    fn array(&mut self, node: &Node, ptr: &Pointer, hint: &str, owner: usize) -> Option<Ty> {
        let any = Node { span: node.span, value: Value::Bool(true) };
        let positions = |key: &str, list: &Node| -> Vec<(Node, Pointer)> {
            let lptr = ptr.join(key);
            let items = list.as_array().unwrap_or_default();
            items.iter().enumerate().map(|(i, n)| (n.clone(), lptr.join(i.to_string()))).collect()
        };
        let (prefix, rest, rest_ptr) = match (node.get("prefixItems"), node.get("items")) {
            (Some(p), items) => {
                let bad = if p.as_array().is_none() {
                    Some((p, ptr.join("prefixItems"), "`prefixItems` must be an array of schemas"))
                } else {
                    items.filter(|i| i.as_array().is_some()).map(|i| {
                        (i, ptr.join("items"), "`items` beside `prefixItems` must be a schema (2020-12 Core §10.3.1.2)")
                    })
                };
                if let Some((at, aptr, message)) = bad {
                    self.error(codes::INVALID_KEYWORD_VALUE, at, &aptr, message.into(), "here");
                    return None;
                }
                (positions("prefixItems", p), items, ptr.join("items"))
            }
            (None, Some(list)) if list.as_array().is_some() => {
                (positions("items", list), node.get("additionalItems"), ptr.join("additionalItems"))
            }
            (None, items) => (Vec::new(), items, ptr.join("items")),
        };
        let (min_items, mut max_items) = (self.count(node, ptr, "minItems"), self.count(node, ptr, "maxItems"));
        // An item schema `false` (Core §4.3.2) admits no item there: the array ends before it.
        let ends = prefix
            .iter()
            .position(|(n, _)| n.as_bool() == Some(false))
            .or((rest.and_then(Node::as_bool) == Some(false)).then_some(prefix.len()));
        if let Some(end) = ends {
            if min_items.unwrap_or(0) > end as u64 {
                let (at, aptr) = match prefix.get(end) {
                    Some((n, p)) => (n, p),
                    None => (rest.expect("`false` after the positions"), &rest_ptr),
                };
                self.error(
                    codes::CONTRADICTION,
                    at,
                    aptr,
                    format!("the schema `false` allows no item at index {end}, and `minItems` asks for more: no value is valid"),
                    "no item",
                );
                return None;
            }
            max_items = Some(max_items.map_or(end as u64, |m| m.min(end as u64)));
        }
        let used = max_items.map_or(prefix.len(), |m| prefix.len().min(m as usize));
        let mut types = Vec::new();
        for (i, (n, p)) in prefix[..used].iter().enumerate() {
            types.push(self.ty(n, p, &format!("{hint}Item{i}"), owner)?);
        }
        let beyond = max_items.is_none_or(|m| m as usize > prefix.len());
        let rest_node = rest.filter(|r| r.as_bool() != Some(false)).unwrap_or(&any);
        let rest = if beyond { self.ty(rest_node, &rest_ptr, &format!("{hint}Item"), owner)? } else { Ty::Any };
        // A tuple whose positions all have one type is an array of it.
        let one = if beyond || types.is_empty() { Some(&rest) } else { types.first() };
        let (item, tuple) = match one.filter(|t| types.iter().all(|u| u == *t)) {
            Some(t) => (t.clone(), None),
            None => (Ty::Any, Some(Tuple { prefix: types, rest: Box::new(rest) })),
        };
        let unique_items = match node.get("uniqueItems") {
            None => false,
            Some(u) => match u.as_bool() {
                Some(b) => b,
                None => {
                    self.error(
                        codes::INVALID_KEYWORD_VALUE,
                        u,
                        &ptr.join("uniqueItems"),
                        "`uniqueItems` must be a boolean".into(),
                        "not a boolean",
                    );
                    return None;
                }
            },
        };
        let contains = self.contains(node, ptr, hint, owner, max_items)?;
        Some(Ty::Array(ArrayTy { items: Box::new(item), min_items, max_items, unique_items, tuple, contains }))
    }

    /// `contains` (Core §10.3.1.3) with `minContains` (1 without it) and `maxContains`
    /// (Validation §6.4.4–§6.4.5; without `contains` they assert nothing); `None` inside when it
    /// asserts nothing (`minContains: 0` and no `maxContains`, or the schema `false` with
    /// `minContains: 0`). An array holds at most `max_items` items.
    fn contains(
        &mut self,
        node: &Node,
        ptr: &Pointer,
        hint: &str,
        owner: usize,
        max_items: Option<u64>,
    ) -> Option<Option<Contains>> {
        let Some(c) = node.get("contains") else { return Some(None) };
        let cptr = ptr.join("contains");
        let min = if node.get("minContains").is_some() { self.count(node, ptr, "minContains")? } else { 1 };
        let max = match node.get("maxContains") {
            Some(_) => Some(self.count(node, ptr, "maxContains")?),
            None => None,
        };
        let impossible = if max.is_some_and(|m| m < min) {
            Some("`minContains` is above `maxContains`".to_string())
        } else if max_items.is_some_and(|m| m < min) {
            Some(format!(
                "`minContains` asks for {min} matching items, and the array holds at most {}",
                max_items.unwrap_or(0)
            ))
        } else if c.as_bool() == Some(false) && min > 0 {
            Some("the schema `false` matches no item, and `contains` asks for one".to_string())
        } else {
            None
        };
        if let Some(why) = impossible {
            self.error(codes::CONTRADICTION, c, &cptr, format!("{why}: no value is valid"), "never holds");
            return None;
        }
        if (min == 0 && max.is_none()) || c.as_bool() == Some(false) {
            return Some(None);
        }
        let ty = self.ty(c, &cptr, &format!("{hint}Contains"), owner)?;
        Some(Some(Contains { ty: Box::new(ty), min, max }))
    }

    fn count(&mut self, node: &Node, ptr: &Pointer, key: &str) -> Option<u64> {
        let v = node.get(key)?;
        // "a non-negative integer" (Validation §6.3.1 and on): `2.0` is one too.
        let integral = v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9.007_199_254_740_992e15);
        match v.as_i64().or(integral.map(|f| f as i64)) {
            Some(n) if n >= 0 => Some(n as u64),
            _ => {
                self.error(
                    codes::INVALID_KEYWORD_VALUE,
                    v,
                    &ptr.join(key),
                    format!("`{key}` must be a non-negative integer"),
                    "here",
                );
                None
            }
        }
    }

    /// The bound `inclusive` (`minimum`/`maximum`) and `exclusive` set together: the stricter of
    /// the two when a schema has both.
    fn bound(&mut self, node: &Node, ptr: &Pointer, inclusive: &str, exclusive: &str) -> Option<Bound> {
        let mut out: Option<Bound> = None;
        // Draft 4: a boolean `exclusive...` makes the bound beside it exclusive.
        let flag = node.get(exclusive).and_then(Node::as_bool).filter(|_| self.dialect == Draft::V4);
        for (key, excl) in [(inclusive, flag == Some(true)), (exclusive, true)] {
            if let Some(v) = node.get(key).filter(|_| key == inclusive || flag.is_none()) {
                match v.as_f64() {
                    // Both apply (Validation §6.2): the stricter one is the bound.
                    Some(value) => {
                        let b = Bound { value, exclusive: excl };
                        let lower = inclusive == "minimum";
                        out = Some(match out {
                            None => b,
                            Some(a) if (b.value > a.value) == lower && b.value != a.value => b,
                            Some(a) if b.value == a.value && b.exclusive => b,
                            Some(a) => a,
                        });
                    }
                    None => {
                        let d = self.error(
                            codes::INVALID_KEYWORD_VALUE,
                            v,
                            &ptr.join(key),
                            format!("`{key}` must be a number"),
                            "not a number",
                        );
                        if v.as_bool().is_some() {
                            d.notes.push(format!(
                                "help: a boolean `{key}` is draft 4's: write the bound itself (`\"{key}\": <number>`), or declare `\"$schema\": \"{}\"`", Draft::V4.uri()
                            ));
                        }
                    }
                }
            }
        }
        out
    }

    /// The contract and JSON pointer of the schema `$ref` `target`, written at `at` (the
    /// `$ref`'s pointer) in this contract, names (see [`Index::locate`]).
    fn locate(&self, target: &str, at: &Pointer) -> Option<(usize, Pointer)> {
        self.index.locate(self.this, at, target)
    }

    /// Resolves a `$ref` (Core §8.2.3.1) written at `ptr` to the named type of the schema it
    /// names (see [`Index::locate`]): a contract's root, a `$defs` (`definitions`) entry, or any
    /// other schema: `#/$defs/Name`, `#/properties/id`, `#anchor`, `Name@M.m.json` (same
    /// namespace), `../ns/Name@M.m.json`, `https://example.org/order.json#/$defs/Side`, the `$id`
    /// of a schema inside a contract.
    fn reference(&mut self, r: &Node, ptr: &Pointer, owner: usize) -> Option<TypeRef> {
        let Some(target) = r.as_str() else {
            self.error(codes::INVALID_KEYWORD_VALUE, r, ptr, "`$ref` must be a string".into(), "not a string");
            return None;
        };
        let resolved = self
            .locate(target, ptr)
            .and_then(|(contract, p)| self.index.type_at(contract, &p).map(|index| TypeRef { contract, index }));
        match resolved {
            Some(to) => {
                self.edge(owner, to, r.span, ptr);
                Some(to)
            }
            None => {
                self.unresolved(r, ptr, target);
                None
            }
        }
    }

    /// Named type `owner` contains named type `to` (by the `$ref` or the schema at `ptr`).
    fn edge(&mut self, owner: usize, to: TypeRef, span: Span, ptr: &Pointer) {
        let from = TypeRef { contract: self.this, index: owner };
        self.edges.push(Edge { from, to, file: self.path.to_string(), span, pointer: ptr.clone() });
    }

    /// `$ref` `r` to `target`, at `ptr`, names no schema of the project (E0005).
    fn unresolved(&mut self, r: &Node, ptr: &Pointer, target: &str) {
        let note = self.index.unknown_document(self.this, ptr, target);
        let d = self.error(
            codes::UNRESOLVED_REF,
            r,
            ptr,
            format!("`$ref` to `{target}` does not resolve"),
            "no such contract or schema",
        );
        d.notes.extend(note);
        d.notes.push("help: refer to a schema of the project: `#/$defs/<Name>` or another JSON pointer, `#<anchor>`, `<Name>@<MAJOR>.<MINOR>.json` (same folder), `../<namespace>/<Name>@<MAJOR>.<MINOR>.json`, or a `$id` (absolute, or relative to the nearest `$id` around the `$ref`), each with an optional `#` fragment".into());
    }
}

/// Whether every error of `diags` is a contradiction (warnings aside).
pub(super) fn only_contradictions(diags: &[Diagnostic]) -> bool {
    diags
        .iter()
        .filter(|d| d.severity == contractc_diagnostics::Severity::Error)
        .all(|d| d.code == codes::CONTRADICTION)
}

/// The names of a `type` array that say something: `integer` beside `number` says nothing more,
/// every integer being a number (Validation §6.1.1), so `["integer", "number"]` is `"number"`.
fn meaningful_types(names: &[Node]) -> Vec<Node> {
    let number = names.iter().any(|t| t.as_str() == Some("number"));
    names.iter().filter(|t| !(number && t.as_str() == Some("integer"))).cloned().collect()
}

/// Whether keyword `key` constrains instances of JSON type `t` (Validation §6's sections by
/// type, Core §10.3's applicators by type); other instances are valid against it.
fn keyword_applies(t: &str, key: &str) -> bool {
    let keywords: &[&str] = match t {
        "string" => &["minLength", "maxLength", "pattern", "format"],
        "number" | "integer" => &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
        "array" => &[
            "items",
            "prefixItems",
            "additionalItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "contains",
            "minContains",
            "maxContains",
        ],
        "object" => &[
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
            "propertyNames",
            "minProperties",
            "maxProperties",
            "dependentRequired",
            "dependencies",
        ],
        _ => &[],
    };
    keywords.contains(&key)
}

/// The inclusive integer bound equivalent to a (possibly fractional or exclusive) bound, if it
/// fits an `i64`: a lower bound rounds up, an upper bound rounds down.
fn integer_bound(b: Bound, lower: bool) -> Option<i64> {
    let v = if lower { b.value.ceil() } else { b.value.floor() };
    let v = match (b.exclusive && v == b.value, lower) {
        (true, true) => v + 1.0,
        (true, false) => v - 1.0,
        (false, _) => v,
    };
    // 2^63 is exactly representable; every double below it in magnitude converts exactly.
    (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&v).then_some(v as i64)
}

/// A JSON value as the conformance contract reads it: an integer only as an int64 literal, every
/// other number a double; `None` for a number no double holds.
pub(crate) fn json_value(node: &Node) -> Option<serde_json::Value> {
    use serde_json::Value;
    Some(match &node.value {
        contractc_syntax::Value::Null | contractc_syntax::Value::Error => Value::Null,
        contractc_syntax::Value::Bool(b) => Value::Bool(*b),
        contractc_syntax::Value::Number(text) => match text.parse::<i64>() {
            Ok(i) => Value::from(i),
            Err(_) => Value::Number(serde_json::Number::from_f64(text.parse::<f64>().ok().filter(|x| x.is_finite())?)?),
        },
        contractc_syntax::Value::String(s) => Value::String(s.clone()),
        contractc_syntax::Value::Array(items) => Value::Array(items.iter().map(json_value).collect::<Option<_>>()?),
        contractc_syntax::Value::Object(members) => {
            Value::Object(members.iter().map(|m| Some((m.key.clone(), json_value(&m.value)?))).collect::<Option<_>>()?)
        }
    })
}

/// The `type` names a JSON value is an instance of (an integer is a number too; contracts hold
/// integers as int64 literals, so `1.0` is not an integer).
fn json_kinds(v: &serde_json::Value) -> &'static [&'static str] {
    use serde_json::Value;
    match v {
        Value::Null => &["null"],
        Value::Bool(_) => &["boolean"],
        Value::Number(n) if n.is_i64() => &["integer", "number"],
        Value::Number(_) => &["number"],
        Value::String(_) => &["string"],
        Value::Array(_) => &["array"],
        Value::Object(_) => &["object"],
    }
}

fn description(node: &Node) -> Option<String> {
    node.get("description").and_then(Node::as_str).map(str::to_string)
}

/// Reports each `$ref` cycle once, at the reference that closes it.
/// Cycles across contracts are always errors (generated Python modules cannot import each other
/// in a cycle); a cycle inside one contract is an error only where recursive types cannot be
/// generated (MQL4).
fn report_cycles(contracts: &[Arc<Contract>], edges: &[&Edge], recursive_types: bool, diags: &mut Vec<Diagnostic>) {
    let mut adj: BTreeMap<TypeRef, Vec<usize>> = BTreeMap::new();
    for (i, e) in edges.iter().enumerate() {
        adj.entry(e.from).or_default().push(i);
    }
    let mut state: BTreeMap<TypeRef, u8> = BTreeMap::new();
    let mut stack: Vec<TypeRef> = Vec::new();
    #[allow(clippy::too_many_arguments)]
    fn visit(
        n: TypeRef,
        adj: &BTreeMap<TypeRef, Vec<usize>>,
        edges: &[&Edge],
        contracts: &[Arc<Contract>],
        state: &mut BTreeMap<TypeRef, u8>,
        stack: &mut Vec<TypeRef>,
        recursive_types: bool,
        diags: &mut Vec<Diagnostic>,
    ) {
        state.insert(n, 1);
        stack.push(n);
        for &ei in adj.get(&n).map(Vec::as_slice).unwrap_or_default() {
            let e = &edges[ei];
            match state.get(&e.to).copied().unwrap_or(0) {
                0 => visit(e.to, adj, edges, contracts, state, stack, recursive_types, diags),
                1 => {
                    let start = stack.iter().position(|&t| t == e.to).unwrap_or(0);
                    let names: Vec<String> = stack[start..]
                        .iter()
                        .chain([&e.to])
                        .map(|t| {
                            let c = &contracts[t.contract];
                            format!("{}:{}", c.id.file_name(), c.types.get(t.index).map_or("?", |t| t.name.as_str()))
                        })
                        .collect();
                    let across = stack[start..].iter().any(|t| t.contract != e.to.contract);
                    let why = if across {
                        "it runs through several contracts, and generated Python modules cannot import each other in a cycle"
                    } else if recursive_types {
                        continue;
                    } else {
                        "MQL4 structs cannot contain themselves (without the mql4 backend, Rust and Python express it)"
                    };
                    diags.push(
                        Diagnostic::error(
                            codes::REF_CYCLE,
                            &e.file,
                            e.span,
                            e.pointer.clone(),
                            "`$ref`s form a cycle".to_string(),
                        )
                        .with_label("closes the cycle")
                        .with_note(format!("cycle: {}", names.join(" -> ")))
                        .with_help(format!("break the cycle: {why}")),
                    );
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n, 2);
    }
    let nodes: Vec<TypeRef> = adj.keys().copied().collect();
    for n in nodes {
        if state.get(&n).copied().unwrap_or(0) == 0 {
            visit(n, &adj, edges, contracts, &mut state, &mut stack, recursive_types, diags);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_bounds_are_normalised_to_inclusive() {
        let b = |value, exclusive| Bound { value, exclusive };
        assert_eq!(integer_bound(b(0.0, true), true), Some(1));
        assert_eq!(integer_bound(b(0.5, false), true), Some(1));
        assert_eq!(integer_bound(b(10.0, true), false), Some(9));
        assert_eq!(integer_bound(b(9.5, false), false), Some(9));
        assert_eq!(integer_bound(b(1e19, false), false), None);
    }

    /// Every contract of `files` lowered and joined, as the salsa queries do it one by one.
    fn lower_contracts(files: &[(&str, &Node)], mql4: bool, diags: &mut Vec<Diagnostic>) -> (Program, Vec<bool>) {
        struct Trees<'a>(Vec<(ContractId, &'a str, &'a Node)>);
        impl Roots for Trees<'_> {
            fn root(&self, contract: usize) -> (&Node, &str) {
                (self.0[contract].2, self.0[contract].1)
            }
        }
        let trees = Trees(contract_order(files, diags));
        let index = IndexData::new(&trees.0, diags);
        let lowered: Vec<Lowered> = trees
            .0
            .iter()
            .enumerate()
            .map(|(i, (id, path, root))| lower_one(&index, &trees, i, id, path, root))
            .collect();
        let (program, failed) = join_contracts(&lowered.iter().collect::<Vec<_>>(), mql4, diags);
        if !failed.iter().any(|&f| f) {
            lowered.iter().for_each(|l| l.check_examples(&program, diags));
        }
        (program, failed)
    }

    #[test]
    fn types_that_would_share_a_name_get_numeric_suffixes_in_schema_order_and_names_are_identifiers() {
        let text = r##"{
          "type": "object",
          "properties": { "leg": { "$ref": "#/$defs/order_leg" }, "fee": { "type": "object" } },
          "$defs": {
            "order": {
              "type": "object",
              "properties": { "leg": { "type": "object", "properties": { "fee": { "type": "object" } } } }
            },
            "order_leg": { "type": "object" },
            "order-leg": { "type": "object" },
            "book": { "type": "object", "properties": { "fee": { "type": "object" } } },
            "": { "type": "object" },
            "2fa": { "type": "object" }
          }
        }"##;
        let (root, errors) = contractc_syntax::parse(text);
        assert!(errors.is_empty());
        let mut diags = Vec::new();
        let (program, failed) = lower_contracts(&[("contracts/events/Book@1.0.json", &root)], false, &mut diags);
        assert!(diags.is_empty() && failed == [false], "{diags:?}");
        let names: Vec<(&str, &str)> =
            program.contracts[0].types.iter().map(|t| (t.pointer.as_str(), t.name.as_str())).collect();
        let name = |p: &str| names.iter().find(|(q, _)| *q == p).map(|(_, n)| *n);
        // The root keeps its name, then the `$defs` entries in schema order, then the other types;
        // the types inside a renamed one follow it.
        assert_eq!(name(""), Some("Book"));
        assert_eq!(name("/$defs/book"), Some("Book2"));
        assert_eq!(name("/properties/fee"), Some("BookFee"));
        assert_eq!(name("/$defs/book/properties/fee"), Some("Book2Fee"));
        // A name that would not be an identifier keeps the root's in front.
        assert_eq!(name("/$defs/"), Some("Book3"));
        assert_eq!(name("/$defs/2fa"), Some("Book2fa"));
        assert_eq!(name("/$defs/order"), Some("Order"));
        assert_eq!(name("/$defs/order_leg"), Some("OrderLeg"));
        assert_eq!(name("/$defs/order-leg"), Some("OrderLeg2"));
        assert_eq!(name("/$defs/order/properties/leg"), Some("OrderLeg3"));
        assert_eq!(name("/$defs/order/properties/leg/properties/fee"), Some("OrderLeg3Fee"));
        let mut unique: Vec<&str> = names.iter().map(|(_, n)| *n).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
    }

    #[test]
    fn named_unions_that_admit_null_or_have_one_branch_are_aliases() {
        let other = r##"{ "type": "object", "$defs": { "X": { "type": "object" } } }"##;
        let wrap = r##"{
          "type": "object",
          "$defs": {
            "Y": { "oneOf": [{ "$ref": "Other@1.0.json#/$defs/X" }] },
            "Z": { "anyOf": [{ "type": "string" }, { "type": "integer" }, { "type": "null" }] }
          }
        }"##;
        let (other, _) = contractc_syntax::parse(other);
        let (wrap, _) = contractc_syntax::parse(wrap);
        let files = [("contracts/events/Other@1.0.json", &other), ("contracts/events/Wrap@1.0.json", &wrap)];
        let mut diags = Vec::new();
        let (program, failed) = lower_contracts(&files, false, &mut diags);
        assert!(diags.is_empty() && failed == [false, false], "{diags:?}");
        let types = &program.contracts[1].types;
        let kind = |name: &str| &types.iter().find(|t| t.name == name).expect(name).kind;
        // A branch of another contract whose type index is the entry's own is still that type.
        assert!(matches!(kind("Y"), TypeKind::Alias(Ty::Named(r)) if *r == TypeRef { contract: 0, index: 1 }));
        let value = TypeRef { contract: 1, index: types.iter().position(|t| t.name == "ZValue").expect("ZValue") };
        assert!(matches!(kind("Z"), TypeKind::Alias(Ty::Nullable(inner)) if **inner == Ty::Named(value)));
        assert!(matches!(kind("ZValue"), TypeKind::Choice(_)));
    }

    #[test]
    fn parses_contract_ids_from_paths() {
        let id = contract_id("contracts/events/PriceTick@1.0.json").unwrap();
        assert_eq!(id.key(), "events/PriceTick@1.0");
        assert_eq!(id.module(), "price_tick_1_0");
        for bad in [
            "contracts/events/priceTick@1.0.json",
            "contracts/events/PriceTick@1.json",
            "contracts/events/PriceTick@01.0.json",
            "PriceTick@1.0.json",
        ] {
            assert!(contract_id(bad).is_none(), "{bad}");
        }
    }
}

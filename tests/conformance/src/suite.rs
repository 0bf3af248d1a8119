//! The official JSON-Schema-Test-Suite (draft 2020-12), as the PyPI package `jsonschema` ships it
//! in its sdist under `json/tests/` (`make conformance` downloads it, pinned by hash).
//!
//! A file *counts* when it tests a keyword of the implemented subset ([`contractc_sema::keywords`];
//! the file is named after the keyword, `$` dropped), plus `boolean_schema.json` (Core §4.3.2: the
//! plan's `true`/`false` nodes) and the `format` assertion files of the two formats the subset has
//! (`optional/format/date-time.json`, `optional/format/date.json`; `format.json` tests `format` as
//! an annotation, which contractc does not do). In a counted file, a group
//! runs when every keyword of its schema is in the subset; otherwise it is skipped and the
//! runner says which keyword. [`compile`] turns a group's schema into a [`Validator`] for the
//! runtime's validator, with JSON Schema's integers ([`Integers::ZeroFraction`]).
//!
//! A group whose schema is also a contract type (the checker accepts it as the type of a
//! property, [`wrap`]) runs through the generated code too: [`wrap`] makes the contract
//! `suite/<File><group>@1.0` with one required property `value`, whose committed files live in
//! `tests/conformance/contracts/suite/` and whose tests become samples in `tests/samples/suite/`,
//! so that the conformance runner sends them to all four testees.

use std::path::Path;

use contractc_ir::pattern::{Dialect, Pattern};
use contractc_sema::ANNOTATIONS;
use runtime::plan::{self, Format, Integers, Json, Keyword, Node, Num, Type, Validator};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The dialect every schema of the draft 2020-12 folder names.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Keywords [`compile`] turns into plan nodes or, for annotations, leaves out. `$id` is the one
/// keyword of the subset it refuses: the suite uses it to set a base URI for `$ref`, which the
/// compiler never does (it resolves `$ref` by file name).
const HANDLED: &[&str] = &[
    "$schema",
    "$defs",
    "definitions",
    "$ref",
    "$comment",
    "title",
    "description",
    "examples",
    "deprecated",
    "default",
    "type",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "required",
    "properties",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "items",
    "format",
    "anyOf",
    "oneOf",
    "allOf",
    "const",
    "minProperties",
    "maxProperties",
    // OpenAPI's, an annotation to JSON Schema (unknown keywords are ignored, Core §6.5).
    "discriminator",
];

#[derive(Clone, Debug, Deserialize)]
pub struct Group {
    pub description: String,
    pub schema: Value,
    pub tests: Vec<Test>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Test {
    pub description: String,
    pub data: Value,
    pub valid: bool,
}

/// One file of the suite: its path in the draft folder (`type.json`, `optional/format/date.json`).
#[derive(Clone, Debug)]
pub struct File {
    pub path: String,
    pub groups: Vec<Group>,
}

/// Every `.json` file under `dir` (the suite's `tests/draft2020-12`), sorted by path.
pub fn read(dir: &Path) -> Result<Vec<File>, String> {
    let mut files = Vec::new();
    read_into(dir, "", &mut files)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn read_into(dir: &Path, prefix: &str, files: &mut Vec<File>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).ok_or("a file name that is not UTF-8")?.to_string();
        if path.is_dir() {
            read_into(&path, &format!("{prefix}{name}/"), files)?;
        } else if let Some(stem) = name.strip_suffix(".json") {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let groups = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            files.push(File { path: format!("{prefix}{stem}.json"), groups });
        }
    }
    Ok(())
}

/// Why a file does not count, or `None` when it does (see the module docs).
pub fn not_counted(path: &str) -> Option<&'static str> {
    let keyword_file = |k: &str| format!("{}.json", k.trim_start_matches('$'));
    match path {
        "format.json" => Some(
            "it tests `format` as an annotation, Validation §7.2.1's default; contractc asserts formats (§7.2.2), which optional/format/ tests",
        ),
        "boolean_schema.json"
        | "optional/format/date-time.json"
        | "optional/format/date.json"
        | "optional/format/uuid.json" => None,
        // `pattern` as ECMA-262 defines it: astral code points, `\d`/`\w`/`\s`, `$`.
        "optional/non-bmp-regex.json" | "optional/ecmascript-regex.json" => None,
        _ if contractc_sema::keywords().any(|k| keyword_file(k) == path) => None,
        _ if path.starts_with("optional/format/") => Some("the format is outside the subset (date-time, date, uuid)"),
        _ => Some("the keyword or behaviour it tests is outside the subset"),
    }
}

/// An ECMA-262 pattern, rendered for the runtime as the compiler renders it.
fn pattern(source: &str) -> Result<plan::Pattern, String> {
    let parsed = Pattern::parse(source).map_err(|e| format!("a `pattern` refused ({})", e.message))?;
    plan::Pattern::new(source, &parsed.render(Dialect::Rust))
}

/// The schema of a group as runtime plan nodes, or what lies outside the subset: a keyword, a
/// format, a kind of `$ref`.
pub fn compile(schema: &Value) -> Result<Validator, String> {
    scan(schema, true)?;
    let mut loader = Loader { root: schema, nodes: vec![Node::Bool(true)], done: Vec::new(), resolving: Vec::new() };
    let root = loader.node(schema, String::new())?;
    // A root that is a `$ref` alone is its target: node 0 becomes a copy of it.
    loader.nodes[0] = loader.nodes[root as usize].clone();
    Ok(Validator { contract: "json-schema-test-suite".into(), integers: Integers::ZeroFraction, nodes: loader.nodes })
}

/// Checks every schema position for keywords outside the subset before anything is compiled, so
/// that a group is judged by all of its schema, `$defs` it never uses included.
fn scan(schema: &Value, root: bool) -> Result<(), String> {
    let map = match schema {
        Value::Bool(_) => return Ok(()),
        Value::Object(map) => map,
        _ => return Err("a schema that is neither an object nor a boolean".into()),
    };
    for (k, v) in map {
        if !HANDLED.contains(&k.as_str()) {
            return Err(format!("`{k}`"));
        }
        match k.as_str() {
            "$schema" if !root || v.as_str() != Some(DIALECT) => return Err("`$schema` of another dialect".into()),
            "properties" | "$defs" | "definitions" => {
                for sub in v.as_object().ok_or(format!("`{k}` that is not an object"))?.values() {
                    scan(sub, false)?;
                }
            }
            "additionalProperties" | "items" => scan(v, false)?,
            "anyOf" | "oneOf" | "allOf" => {
                for sub in v.as_array().ok_or(format!("`{k}` that is not an array"))? {
                    scan(sub, false)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

struct Loader<'a> {
    root: &'a Value,
    nodes: Vec<Node>,
    /// JSON pointer of a compiled schema → its node.
    done: Vec<(String, u32)>,
    /// Pointers of the `$ref`s being followed (a cycle of `$ref`s alone has no schema).
    resolving: Vec<String>,
}

impl<'a> Loader<'a> {
    fn node(&mut self, schema: &'a Value, pointer: String) -> Result<u32, String> {
        if let Some(&(_, i)) = self.done.iter().find(|(p, _)| *p == pointer) {
            return Ok(i);
        }
        // A `$ref` alone (beside annotations) is its target; beside other keywords both apply.
        let alone = schema.as_object().is_some_and(|m| {
            m.keys().all(|k| {
                ["$ref", "$defs", "$schema", "definitions"].contains(&k.as_str()) || ANNOTATIONS.contains(&k.as_str())
            })
        });
        if let Some(r) = schema.get("$ref").filter(|_| alone) {
            if self.resolving.contains(&pointer) {
                return Err("a cycle of `$ref`s that never reaches a schema".into());
            }
            let (target, target_pointer) = self.resolve(r)?;
            self.resolving.push(pointer.clone());
            let i = self.node(target, target_pointer)?;
            self.resolving.pop();
            self.done.push((pointer, i));
            return Ok(i);
        }
        self.nodes.push(Node::Bool(true));
        let index = (self.nodes.len() - 1) as u32;
        self.done.push((pointer.clone(), index));
        // A `$ref` met below this schema starts a new chain.
        let chain = std::mem::take(&mut self.resolving);
        self.nodes[index as usize] = match schema {
            Value::Bool(b) => Node::Bool(*b),
            Value::Object(map) => Node::Keywords(self.keywords(map, &pointer)?),
            _ => return Err("a schema that is neither an object nor a boolean".into()),
        };
        self.resolving = chain;
        Ok(index)
    }

    /// A `$ref` within the document: `#` or `#/json/pointer` (RFC 6901, percent-encoded as a URI
    /// fragment, RFC 3986 §3.5).
    fn resolve(&self, r: &Value) -> Result<(&'a Value, String), String> {
        let r = r.as_str().ok_or("a `$ref` that is not a string")?;
        let Some(fragment) = r.strip_prefix('#') else {
            return Err("a `$ref` to another document".into());
        };
        let pointer = percent_encoding::percent_decode_str(fragment)
            .decode_utf8()
            .map_err(|_| "a `$ref` that is not UTF-8")?
            .into_owned();
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err("a `$ref` to an anchor".into());
        }
        let target = self.root.pointer(&pointer).ok_or(format!("a `$ref` to `{r}`, which does not resolve"))?;
        Ok((target, pointer))
    }

    fn keywords(&mut self, map: &'a Map<String, Value>, pointer: &str) -> Result<Vec<Keyword>, String> {
        let mut out = Vec::new();
        for (k, v) in map {
            let at = |token: &str| format!("{pointer}/{k}/{}", token.replace('~', "~0").replace('/', "~1"));
            out.push(match k.as_str() {
                "type" => Keyword::Type(types(v)?),
                "enum" => Keyword::Enum(v.as_array().ok_or("`enum` that is not an array")?.iter().map(json).collect()),
                "const" => Keyword::Enum(vec![json(v)]),
                "minimum" => Keyword::Minimum(num(v)?),
                "maximum" => Keyword::Maximum(num(v)?),
                "exclusiveMinimum" => Keyword::ExclusiveMinimum(num(v)?),
                "exclusiveMaximum" => Keyword::ExclusiveMaximum(num(v)?),
                "minLength" => Keyword::MinLength(count(v)?),
                "maxLength" => Keyword::MaxLength(count(v)?),
                "pattern" => Keyword::Pattern(pattern(v.as_str().ok_or("`pattern` that is not a string")?)?),
                "minItems" => Keyword::MinItems(count(v)?),
                "minProperties" => Keyword::MinProperties(count(v)?),
                "maxProperties" => Keyword::MaxProperties(count(v)?),
                "maxItems" => Keyword::MaxItems(count(v)?),
                "required" => Keyword::Required(
                    v.as_array()
                        .and_then(|a| a.iter().map(|s| s.as_str().map(str::to_string)).collect())
                        .ok_or("`required` that is not an array of strings")?,
                ),
                "properties" => {
                    let mut properties = Vec::new();
                    for (name, sub) in v.as_object().ok_or("`properties` that is not an object")? {
                        properties.push((name.clone(), self.node(sub, at(name))?));
                    }
                    Keyword::Properties(properties)
                }
                "additionalProperties" => Keyword::AdditionalProperties(self.node(v, format!("{pointer}/{k}"))?),
                "propertyNames" => Keyword::PropertyNames(self.node(v, format!("{pointer}/{k}"))?),
                "patternProperties" => {
                    let mut patterns = Vec::new();
                    for (source, sub) in v.as_object().ok_or("`patternProperties` that is not an object")? {
                        patterns.push((pattern(source)?, self.node(sub, at(source))?));
                    }
                    Keyword::PatternProperties(patterns)
                }
                "items" => Keyword::Items(self.node(v, format!("{pointer}/{k}"))?),
                "anyOf" | "oneOf" | "allOf" => {
                    let mut nodes = Vec::new();
                    for (i, sub) in v.as_array().ok_or(format!("`{k}` that is not an array"))?.iter().enumerate() {
                        nodes.push(self.node(sub, format!("{pointer}/{k}/{i}"))?);
                    }
                    match k.as_str() {
                        "anyOf" => Keyword::AnyOf(nodes),
                        "oneOf" => Keyword::OneOf(nodes),
                        _ => Keyword::AllOf(nodes),
                    }
                }
                "$ref" => {
                    let (target, target_pointer) = self.resolve(v)?;
                    Keyword::AllOf(vec![self.node(target, target_pointer)?])
                }
                "format" => match v.as_str().and_then(Format::from_keyword) {
                    Some(f) => Keyword::Format(f),
                    None => return Err(format!("format {v}")),
                },
                // `$schema` (checked by `scan`), `$defs` and `definitions` (compiled where referred
                // to), annotations.
                _ => continue,
            });
        }
        Ok(out)
    }
}

fn types(v: &Value) -> Result<Vec<Type>, String> {
    let one = |t: &Value| {
        Ok(match t.as_str() {
            Some("null") => Type::Null,
            Some("boolean") => Type::Boolean,
            Some("object") => Type::Object,
            Some("array") => Type::Array,
            Some("number") => Type::Number,
            Some("string") => Type::String,
            Some("integer") => Type::Integer,
            _ => return Err(format!("`type` {t}")),
        })
    };
    match v {
        Value::Array(ts) => ts.iter().map(one).collect(),
        t => Ok(vec![one(t)?]),
    }
}

fn json(v: &Value) -> Json {
    Json::from(v)
}

fn num(v: &Value) -> Result<Num, String> {
    match json(v) {
        Json::Number(n) => Ok(n),
        _ => Err(format!("a bound {v} that is not a number")),
    }
}

/// A non-negative integer; `2.0` counts (Validation §6.3.1: "a non-negative integer").
fn count(v: &Value) -> Result<u64, String> {
    v.as_u64()
        .or_else(|| v.as_f64().filter(|x| *x >= 0.0 && x.fract() == 0.0 && *x < 2f64.powi(64)).map(|x| x as u64))
        .ok_or(format!("a count {v} that is not a non-negative integer"))
}

/// The contract that holds a group's schema as the type of its one required property `value`,
/// as committed under `tests/conformance/contracts/suite/`: its file name and text. `None` when
/// the schema refers into its own document (`$ref`, `$defs`: the wrapper would move them).
pub fn wrap(file: &str, index: usize, group: &Group) -> Option<(String, String)> {
    let text = group.schema.to_string();
    if text.contains("\"$ref\"") || text.contains("\"$defs\"") {
        return None;
    }
    let mut schema = group.schema.clone();
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
    }
    let stem = file.trim_end_matches(".json").rsplit('/').next().unwrap_or(file);
    let name = format!("{}{index}", contractc_ir::pascal_case(stem));
    let contract = serde_json::json!({
        "description": format!("JSON-Schema-Test-Suite, draft2020-12/{file}, group {index}: {}", group.description),
        "type": "object",
        "properties": { "value": schema },
        "required": ["value"],
        "additionalProperties": false,
    });
    let text = serde_json::to_string_pretty(&contract).expect("JSON values serialize") + "\n";
    Some((format!("{name}@1.0.json"), text))
}

/// The message a wrapped group's test sends: `{"value": <data>}`.
pub fn message(test: &Test) -> String {
    serde_json::json!({ "value": test.data }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_every_keyword_of_the_subset_but_id() {
        let subset: std::collections::BTreeSet<_> = contractc_sema::keywords().filter(|k| *k != "$id").collect();
        let handled: std::collections::BTreeSet<_> = HANDLED.iter().copied().collect();
        assert_eq!(subset, handled);
    }

    fn verdicts(schema: &str, instances: &[&str]) -> Vec<bool> {
        let v = compile(&serde_json::from_str(schema).unwrap()).unwrap();
        instances.iter().map(|i| runtime::validate::validate(&v, &serde_json::from_str(i).unwrap()).is_ok()).collect()
    }

    #[test]
    fn compiles_refs_pointers_and_boolean_schemas() {
        // A root `$ref`, a percent-encoded escaped pointer, a cycle through `properties`.
        let schema = r##"{"$ref": "#/$defs/a~1b%25", "$defs": {"a/b%": {"properties": {"next": {"$ref": "#"}}, "additionalProperties": false}}}"##;
        assert_eq!(
            verdicts(schema, &[r#"{}"#, r#"{"next":{"next":{}}}"#, r#"{"next":{"x":1}}"#, r#"3"#]),
            [true, true, false, true]
        );
        assert_eq!(verdicts("false", &["null"]), [false]);
        assert_eq!(verdicts(r#"{"items": false}"#, &["[]", "[1]"]), [true, false]);
    }

    #[test]
    fn names_what_lies_outside_the_subset() {
        for (schema, why) in [
            (r#"{"if": {}}"#, "`if`"),
            (r#"{"$id": "http://x/"}"#, "`$id`"),
            (r#"{"format": "email"}"#, "format \"email\""),
            (r#"{"$ref": "http://x/y.json"}"#, "a `$ref` to another document"),
            (r#"{"$defs": {"unused": {"not": {}}}}"#, "`not`"),
            (r##"{"$ref": "#"}"##, "a cycle of `$ref`s that never reaches a schema"),
        ] {
            assert_eq!(compile(&serde_json::from_str(schema).unwrap()).unwrap_err(), why, "{schema}");
        }
    }
}

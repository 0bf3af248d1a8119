//! The official JSON-Schema-Test-Suite (draft 2020-12), as the PyPI package `jsonschema` ships it
//! in its sdist under `json/tests/` (`make conformance` downloads it, pinned by hash).
//!
//! A file *counts* when it tests a keyword of the implemented subset ([`contractc_sema::keywords`];
//! the file is named after the keyword, `$` dropped), plus `boolean_schema.json` (Core §4.3.2),
//! the ECMA-262 regular expression files and the `format` assertion files of the formats the
//! subset asserts (`format.json` tests `format` as an annotation, which contractc does not do).
//!
//! Every group of a counted file is a contract of its own ([`contract`]): the product's checker
//! compiles it as `contractc build` would, or refuses it with a diagnostic, which is why the
//! group is skipped; the plan backend makes its validator, which gives the verdicts. A group the
//! checker accepts for every backend of the conformance project is committed under
//! `tests/conformance/contracts/suite/` with its tests as samples in `tests/samples/suite/`, so
//! that the conformance runner sends them to all four testees.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

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
    let asserted_format = path
        .strip_prefix("optional/format/")
        .and_then(|f| f.strip_suffix(".json"))
        .is_some_and(|k| contractc_ir::Format::from_keyword(k).is_some());
    match path {
        "format.json" => Some(
            "it tests `format` as an annotation, Validation §7.2.1's default; contractc asserts formats (§7.2.2), which optional/format/ tests",
        ),
        "boolean_schema.json" => None,
        _ if asserted_format => None,
        // `pattern` as ECMA-262 defines it: astral code points, `\d`/`\w`/`\s`, `$`.
        "optional/non-bmp-regex.json" | "optional/ecmascript-regex.json" => None,
        // A `$ref` into an unknown keyword's value, read as a schema (Core §9.4.2 leaves it undefined).
        "optional/refOfUnknownKeyword.json" => None,
        _ if contractc_sema::keywords().any(|k| keyword_file(k) == path) => None,
        _ if path.starts_with("optional/format/") => Some("the format is outside the subset (an annotation, W0017)"),
        _ => Some("the keyword or behaviour it tests is outside the subset"),
    }
}

/// A group's schema as a contract of its own, `suite/<File><group>@1.0`, its root the schema
/// exactly as the suite gives it (so `$ref`s into its own document and its `$id` keep their
/// meaning), with a `$comment` naming the group: the contract's file name and text.
pub fn contract(file: &str, index: usize, group: &Group) -> (String, String) {
    let mut schema = group.schema.clone();
    if let Value::Object(map) = &mut schema {
        let origin = format!("JSON-Schema-Test-Suite, draft2020-12/{file}, group {index}: {}", group.description);
        map.entry("$comment").or_insert(Value::String(origin));
    }
    let stem = file.trim_end_matches(".json").rsplit('/').next().unwrap_or(file);
    let name = format!("{}{index}", contractc_ir::pascal_case(stem));
    let text = serde_json::to_string_pretty(&schema).expect("JSON values serialize") + "\n";
    (format!("{name}@1.0.json"), text)
}

/// The message a test sends: its instance as JSON text.
pub fn message(test: &Test) -> String {
    test.data.to_string()
}

//! `contractc import SRC... --namespace NS [--version M.m]`: brings existing JSON Schemas into the
//! project as contracts, `<contracts>/<NS>/<Name>@<M.m>.json`.
//!
//! The name of each: the schema's `title`, else the last segment of its `$id` (draft 4: `id`),
//! else its file name, without `.schema.json` or `.json`, in PascalCase (`order line` and
//! `order-line.schema.json` are both `OrderLine`); a name that would start with a digit gets
//! `Schema` in front. Two schemas that would get one name are an error, and so is a contract file
//! that exists already: then nothing is written.
//!
//! A file's text is kept byte for byte (its `$id`s too, so URI references keep resolving), but
//! for each `$ref` whose document is the path of another imported file, relative to the
//! referring file's folder (`address.schema.json#/$defs/Line`): it names that file's contract
//! instead (`Address@1.0.json#/$defs/Line`), which resolves beside it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use contractc_syntax::{Node, Span, Value};

use crate::Failure;

/// One schema brought in: where it came from, the contract file written, and why that name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub source: PathBuf,
    /// Project-relative, `/`-separated.
    pub contract: String,
    /// `title`, `$id` or `file name`.
    pub named_by: &'static str,
    /// `$ref`s rewritten to name another imported contract.
    pub refs_rewritten: usize,
}

/// Every `*.json` file of `sources` (files, or folders read in depth), sorted within a folder.
fn source_files(sources: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for src in sources {
        if src.is_dir() {
            for entry in walkdir::WalkDir::new(src).sort_by_file_name() {
                let entry = entry.map_err(|e| Failure::Io(src.clone(), e.into()))?;
                if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "json") {
                    out.push(entry.path().to_path_buf());
                }
            }
        } else if src.is_file() {
            out.push(src.clone());
        } else {
            return Err(Failure::Io(src.clone(), std::io::Error::from(std::io::ErrorKind::NotFound)));
        }
    }
    Ok(out)
}

/// `name` without `.schema.json` or `.json`.
fn stem(name: &str) -> &str {
    name.strip_suffix(".schema.json").or_else(|| name.strip_suffix(".json")).unwrap_or(name)
}

/// The contract name of the schema `root` read from file `path`, and what gave it (see the
/// module docs).
fn contract_name(root: &Node, path: &Path) -> (String, &'static str) {
    let id = root.get("$id").or_else(|| root.get("id")).and_then(Node::as_str);
    let from_id = id.map(|id| id.split(['#', '?']).next().unwrap_or("")).and_then(|d| d.rsplit('/').next());
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let candidates = [
        (root.get("title").and_then(Node::as_str).map(str::to_string), "title"),
        (from_id.map(|s| stem(s).to_string()), "$id"),
        (Some(stem(&file).to_string()), "file name"),
    ];
    for (text, why) in candidates {
        let name = contractc_ir::pascal_case(&text.unwrap_or_default());
        let name: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
        if name.is_empty() {
            continue;
        }
        let name = if name.starts_with(|c: char| c.is_ascii_digit()) { format!("Schema{name}") } else { name };
        return (name, why);
    }
    ("Schema".to_string(), "file name")
}

/// Every `$ref` member with a string value in `node`: its value's span and text.
fn refs(node: &Node, out: &mut Vec<(Span, String)>) {
    match &node.value {
        Value::Object(members) => {
            for m in members {
                match (&m.key[..], &m.value.value) {
                    ("$ref", Value::String(s)) => out.push((m.value.span, s.clone())),
                    _ => refs(&m.value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| refs(i, out)),
        _ => {}
    }
}

/// A relative reference's document resolved against folder `dir`, lexically (`..` and `.`).
fn resolve_path(dir: &Path, document: &str) -> Option<PathBuf> {
    if document.is_empty() || document.contains(':') || document.starts_with('/') {
        return None;
    }
    let mut out = dir.to_path_buf();
    for part in document.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    Some(out)
}

/// `text` as a JSON string literal (RFC 8259 §7).
fn literal(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// Imports `sources` (files or folders of `*.json` schemas) into `contracts` (the project's
/// contracts folder) as namespace `namespace`, version `version` (`1.0`). Writes nothing when a
/// file is not JSON, two schemas would share a name, or a contract file exists already.
pub fn import(contracts: &Path, sources: &[PathBuf], namespace: &str, version: &str) -> Result<Vec<Imported>, Failure> {
    let bad_version = || Failure::Config(format!("--version `{version}` is not MAJOR.MINOR (e.g. 1.0)"));
    let (major, minor) = version.split_once('.').ok_or_else(bad_version)?;
    if [major, minor].iter().any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad_version());
    }
    let valid_namespace = namespace.starts_with(|c: char| c.is_ascii_lowercase())
        && namespace.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_namespace {
        return Err(Failure::Config(format!(
            "--namespace `{namespace}` must be lowercase letters, digits and `_`, starting with a letter (e.g. `events`)"
        )));
    }
    let mut read = Vec::new();
    for path in source_files(sources)? {
        let text = std::fs::read_to_string(&path).map_err(|e| Failure::Io(path.clone(), e))?;
        let (root, errors) = contractc_syntax::parse(&text);
        if let Some(e) = errors.first() {
            let (line, col) = contractc_syntax::LineIndex::new(&text).line_col(&text, e.span.start);
            return Err(Failure::Config(format!(
                "{}:{line}:{col}: not JSON ({}); nothing was imported",
                path.display(),
                e.message
            )));
        }
        let (name, named_by) = contract_name(&root, &path);
        read.push((path, text, root, name, named_by));
    }
    let mut by_name: BTreeMap<&str, &Path> = BTreeMap::new();
    for (path, _, _, name, _) in &read {
        if let Some(first) = by_name.insert(name, path) {
            return Err(Failure::Config(format!(
                "{} and {} would both be `{namespace}/{name}@{version}`; give one a `title` of its own, or import them into two namespaces; nothing was imported",
                first.display(),
                path.display()
            )));
        }
    }
    let file_of = |name: &str| format!("{name}@{version}.json");
    let folder = contracts.join(namespace);
    if let Some((_, _, _, name, _)) = read.iter().find(|(_, _, _, name, _)| folder.join(file_of(name)).exists()) {
        return Err(Failure::Io(
            folder.join(file_of(name)),
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, "exists already; nothing was imported"),
        ));
    }
    let by_path: BTreeMap<PathBuf, &str> = read
        .iter()
        .map(|(path, _, _, name, _)| (std::path::absolute(path).unwrap_or(path.clone()), name.as_str()))
        .collect();
    let mut out = Vec::new();
    for (path, text, root, name, named_by) in &read {
        let dir = std::path::absolute(path).unwrap_or(path.clone());
        let dir = dir.parent().unwrap_or(Path::new("/"));
        let mut found = Vec::new();
        refs(root, &mut found);
        let mut edits: Vec<(Span, String)> = found
            .into_iter()
            .filter_map(|(span, r)| {
                let (document, fragment) = r.split_once('#').map_or((r.as_str(), None), |(d, f)| (d, Some(f)));
                let target = by_path.get(&resolve_path(dir, document)?)?;
                let new = match fragment {
                    Some(f) => format!("{}#{f}", file_of(target)),
                    None => file_of(target),
                };
                Some((span, literal(&new)))
            })
            .collect();
        edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
        let mut written = text.clone();
        for (span, new) in &edits {
            written.replace_range(span.start as usize..span.end as usize, new);
        }
        std::fs::create_dir_all(&folder).map_err(|e| Failure::Io(folder.clone(), e))?;
        let target = folder.join(file_of(name));
        std::fs::write(&target, written).map_err(|e| Failure::Io(target.clone(), e))?;
        out.push(Imported {
            source: path.clone(),
            contract: format!("{namespace}/{}", file_of(name)),
            named_by,
            refs_rewritten: edits.len(),
        });
    }
    Ok(out)
}

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
//!
//! With `split_defs`, each entry of a file's top-level `$defs` (`definitions`) becomes a contract
//! of its own, named by its key (with the file's `$schema`, so its dialect stays); the file's
//! contract keeps an empty `$defs` (none is written when the file only held definitions), and every
//! `$ref` into an entry names the entry's contract (`#/$defs/Line/properties/sku` becomes
//! `Line@1.0.json#/properties/sku`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use contractc_syntax::{Node, Span, Value};

use crate::Failure;

/// One schema brought in: where it came from, the contract file written, and why that name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub source: PathBuf,
    /// The `$defs` (`definitions`) entry of `source` it is, when split out.
    pub entry: Option<String>,
    /// Project-relative, `/`-separated.
    pub contract: String,
    /// `title`, `$id`, `file name`, or `key` (of a split definition).
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
    candidates
        .into_iter()
        .find_map(|(text, why)| Some((identifier(&text?)?, why)))
        .unwrap_or_else(|| ("Schema".to_string(), "file name"))
}

/// `text` as a contract name: PascalCase, letters and digits, `Schema` in front of a digit;
/// `None` when nothing of it is left.
fn identifier(text: &str) -> Option<String> {
    let name: String = contractc_ir::pascal_case(text).chars().filter(char::is_ascii_alphanumeric).collect();
    match name.chars().next()? {
        c if c.is_ascii_digit() => Some(format!("Schema{name}")),
        _ => Some(name),
    }
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

/// One contract to write: its text, where it comes from, and its name.
struct Unit {
    /// The file it comes from, absolute.
    file: PathBuf,
    /// As given on the command line.
    source: PathBuf,
    /// The `$defs`/`definitions` entry it is, when split out.
    entry: Option<String>,
    text: String,
    name: String,
    named_by: &'static str,
}

/// The top-level `$defs` and `definitions` entries of `root`: keyword, key, value.
fn entries(root: &Node) -> Vec<(&str, &str, &Node)> {
    ["$defs", "definitions"]
        .into_iter()
        .filter_map(|k| Some((k, root.get(k)?.members()?)))
        .flat_map(|(k, members)| members.iter().map(move |m| (k, m.key.as_str(), &m.value)))
        .collect()
}

/// Whether `root` holds nothing but definitions and annotations of itself (a bundle).
fn only_definitions(root: &Node) -> bool {
    const AROUND: [&str; 7] = ["$schema", "$id", "title", "description", "$comment", "$defs", "definitions"];
    root.members().is_some_and(|m| m.iter().all(|m| AROUND.contains(&m.key.as_str())))
}

/// `file`'s units: its own, and with `split` one per top-level definition (see the module docs).
fn units(file: PathBuf, source: PathBuf, text: String, root: &Node, split: bool) -> Vec<Unit> {
    let defs = if split { entries(root) } else { Vec::new() };
    let mut out = Vec::new();
    let schema = root.get("$schema").map(|n| &text[n.span.start as usize..n.span.end as usize]);
    for (_, key, node) in &defs {
        let mut entry = text[node.span.start as usize..node.span.end as usize].to_string();
        if let (Some(schema), Some(members)) = (schema, node.members())
            && node.get("$schema").is_none()
        {
            let sep = if members.is_empty() { "" } else { "," };
            entry.insert_str(1, &format!(" \"$schema\": {schema}{sep}"));
        }
        let name = identifier(key).unwrap_or_else(|| "Schema".to_string());
        out.push(Unit {
            file: file.clone(),
            source: source.clone(),
            entry: Some(key.to_string()),
            text: entry,
            name,
            named_by: "key",
        });
    }
    if defs.is_empty() || !only_definitions(root) {
        let (name, named_by) = contract_name(root, &source);
        let mut own = text.clone();
        // The split keywords' values become `{}`, from the last.
        let mut spans: Vec<Span> = ["$defs", "definitions"]
            .into_iter()
            .filter(|_| !defs.is_empty())
            .filter_map(|k| root.get(k).filter(|n| n.members().is_some()).map(|n| n.span))
            .collect();
        spans.sort_by_key(|s| std::cmp::Reverse(s.start));
        for span in spans {
            own.replace_range(span.start as usize..span.end as usize, "{}");
        }
        out.push(Unit { file, source, entry: None, text: own, name, named_by });
    }
    out
}

/// Imports `sources` (files or folders of `*.json` schemas) into `contracts` (the project's
/// contracts folder) as namespace `namespace`, version `version` (`1.0`), each top-level
/// definition a contract of its own with `split_defs`. Writes nothing when a file is not JSON,
/// two schemas would share a name, or a contract file exists already.
pub fn import(
    contracts: &Path,
    sources: &[PathBuf],
    namespace: &str,
    version: &str,
    split_defs: bool,
) -> Result<Vec<Imported>, Failure> {
    let bad_version = || Failure::Usage(format!("--version `{version}` is not MAJOR.MINOR (e.g. 1.0)"));
    let (major, minor) = version.split_once('.').ok_or_else(bad_version)?;
    if [major, minor].iter().any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad_version());
    }
    let valid_namespace = namespace.starts_with(|c: char| c.is_ascii_lowercase())
        && namespace.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_namespace {
        return Err(Failure::Usage(format!(
            "--namespace `{namespace}` must be lowercase letters, digits and `_`, starting with a letter (e.g. `events`)"
        )));
    }
    let mut all = Vec::new();
    for path in source_files(sources)? {
        let text = std::fs::read_to_string(&path).map_err(|e| Failure::Io(path.clone(), e))?;
        let (root, errors) = contractc_syntax::parse(&text);
        if let Some(e) = errors.first() {
            let (line, col) = contractc_syntax::LineIndex::new(&text).line_col(&text, e.span.start);
            return Err(Failure::Usage(format!(
                "{}:{line}:{col}: not JSON ({}); nothing was imported",
                path.display(),
                e.message
            )));
        }
        let file = std::path::absolute(&path).unwrap_or(path.clone());
        all.extend(units(file, path, text, &root, split_defs));
    }
    let mut by_name: BTreeMap<&str, &Unit> = BTreeMap::new();
    for u in &all {
        if let Some(first) = by_name.insert(&u.name, u) {
            let place = |u: &Unit| match &u.entry {
                Some(key) => format!("{} (its definition `{key}`)", u.source.display()),
                None => u.source.display().to_string(),
            };
            return Err(Failure::Usage(format!(
                "{} and {} would both be `{namespace}/{}@{version}`; give one a `title` of its own, or import them into two namespaces; nothing was imported",
                place(first),
                place(u),
                u.name
            )));
        }
    }
    let file_of = |name: &str| format!("{name}@{version}.json");
    let folder = contracts.join(namespace);
    if let Some(u) = all.iter().find(|u| folder.join(file_of(&u.name)).exists()) {
        return Err(Failure::Io(
            folder.join(file_of(&u.name)),
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, "exists already; nothing was imported"),
        ));
    }
    // What a `$ref` into file `file` with fragment `fragment` names now: the entry's contract
    // when it leads into a split definition, else the file's own.
    let renamed = |file: &Path, fragment: Option<&str>| -> Option<String> {
        let tokens: Vec<&str> = fragment.map_or(Vec::new(), |f| f.trim_start_matches('/').split('/').collect());
        let split = all.iter().find(|u| {
            u.file == file
                && tokens.len() >= 2
                && ["$defs", "definitions"].contains(&tokens[0])
                && u.entry.as_deref() == Some(tokens[1])
        });
        if let Some(u) = split {
            let rest = tokens[2..].join("/");
            return Some(if rest.is_empty() { file_of(&u.name) } else { format!("{}#/{rest}", file_of(&u.name)) });
        }
        let own = all.iter().find(|u| u.file == file && u.entry.is_none())?;
        Some(match fragment {
            Some(f) => format!("{}#{f}", file_of(&own.name)),
            None => file_of(&own.name),
        })
    };
    let mut out = Vec::new();
    for u in &all {
        let dir = u.file.parent().unwrap_or(Path::new("/"));
        let (root, _) = contractc_syntax::parse(&u.text);
        let mut found = Vec::new();
        refs(&root, &mut found);
        let mut edits: Vec<(Span, String)> = found
            .into_iter()
            .filter_map(|(span, r)| {
                let (document, fragment) = r.split_once('#').map_or((r.as_str(), None), |(d, f)| (d, Some(f)));
                let new = if document.is_empty() {
                    // Within a split file: only a `$ref` into a definition changes.
                    let into_entry = split_defs && all.iter().any(|o| o.file == u.file && o.entry.is_some());
                    let renamed = renamed(&u.file, fragment).filter(|_| into_entry)?;
                    let own = all.iter().find(|o| o.file == u.file && o.entry.is_none()).map(|o| file_of(&o.name));
                    // A `$ref` into the file's own root stays as it is, where the root stays.
                    if u.entry.is_none() && own.is_some_and(|own| renamed.starts_with(&own)) {
                        return None;
                    }
                    renamed
                } else {
                    let target = resolve_path(dir, document)?;
                    all.iter().find(|o| o.file == target)?;
                    renamed(&target, fragment)?
                };
                Some((span, literal(&new)))
            })
            .collect();
        edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
        let mut written = u.text.clone();
        for (span, new) in &edits {
            written.replace_range(span.start as usize..span.end as usize, new);
        }
        std::fs::create_dir_all(&folder).map_err(|e| Failure::Io(folder.clone(), e))?;
        let target = folder.join(file_of(&u.name));
        std::fs::write(&target, written).map_err(|e| Failure::Io(target.clone(), e))?;
        out.push(Imported {
            source: u.source.clone(),
            entry: u.entry.clone(),
            contract: format!("{namespace}/{}", file_of(&u.name)),
            named_by: u.named_by,
            refs_rewritten: edits.len(),
        });
    }
    Ok(out)
}

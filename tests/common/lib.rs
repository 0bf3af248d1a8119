//! Helpers shared by the workspace tests: paths, the checker's cases, the sample messages,
//! canonical JSON, the staleness check of a project's generated tree, and MQL4's build through
//! g++ (`mql4`).

pub mod mql4;

use std::path::{Path, PathBuf};

use contractc_diagnostics::Diagnostic;
use contractc_driver::{Config, OutputFile, generate, read_inputs, write};
use serde::Deserialize;
use serde_json::Value;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// One of the checker's cases (`tests/cases/<name>.case`): its files and its `contractc.toml`
/// (empty when it has none).
pub struct Case {
    pub name: String,
    pub files: Vec<(String, String)>,
    pub config: String,
}

/// Every case of `tests/cases/`, sorted by name: each file holds a small project, separated by
/// `--- <path>` lines.
pub fn cases() -> Vec<Case> {
    let dir = root().join("tests/cases");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("case") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut files: Vec<(String, String)> = Vec::new();
        for line in text.split_inclusive('\n') {
            match line.strip_prefix("--- ") {
                Some(p) => files.push((p.trim().to_string(), String::new())),
                None => match files.last_mut() {
                    Some((_, body)) => body.push_str(line),
                    None => assert!(
                        line.trim().is_empty() || line.starts_with('#'),
                        "{}: text before the first `--- path`",
                        path.display()
                    ),
                },
            }
        }
        let config =
            files.iter().position(|(p, _)| p == "contractc.toml").map(|i| files.remove(i).1).unwrap_or_default();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        out.push(Case { name, files, config });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The repository's own project compiled (the EURUSD contracts and workflows).
pub fn project_program() -> contractc_ir::Program {
    let config = Config::parse(&std::fs::read_to_string(root().join("contractc.toml")).unwrap()).unwrap();
    let inputs = read_inputs(&root(), &config).unwrap();
    contractc_driver::compile(&inputs, &config).unwrap_or_else(|e| panic!("{e}")).0.as_ref().clone()
}

/// The checker's case `name` compiled (no backend).
pub fn case_program(name: &str) -> contractc_ir::Program {
    let case = cases().into_iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case {name}"));
    let inputs = contractc_driver::Inputs { sources: case.files, templates: Default::default() };
    let config = Config::parse("backends = []").unwrap();
    contractc_driver::compile(&inputs, &config).unwrap_or_else(|e| panic!("{name}: {e}")).0.as_ref().clone()
}

/// What the project whose configuration is `<root>/<project>/contractc.toml` generates, in
/// memory, and its warnings; panics on errors.
pub fn generate_project(project: &str) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let dir = root().join(project);
    let config = Config::parse(&std::fs::read_to_string(dir.join("contractc.toml")).unwrap()).unwrap();
    let inputs = read_inputs(&dir, &config).unwrap_or_else(|e| panic!("{e}"));
    generate(&inputs, &config).unwrap_or_else(|e| panic!("{e}"))
}

/// Fails unless `<root>/<project>/generated` holds exactly `files` (and their manifest), naming
/// the stale files and the command that regenerates them.
pub fn assert_up_to_date(project: &str, files: Vec<OutputFile>) {
    let dir = root().join(project);
    let files = write::with_manifest(files);
    let changes = write::compare(&dir.join("generated"), &files, None).unwrap();
    assert!(
        changes.is_empty(),
        "{}/generated is stale; run `cargo run -p contractc -- build --config {}` and commit it\nmodified: {:?}\nmissing: {:?}\nstale: {:?}",
        dir.display(),
        Path::new(project).join("contractc.toml").display(),
        changes.modified,
        changes.missing,
        changes.stale
    );
}

/// One sample message of `tests/samples/<namespace>/<Name>@<M>.<m>.jsonl`.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct Sample {
    pub name: String,
    pub valid: bool,
    /// The message text, exactly as sent (it may be malformed on purpose).
    pub json: String,
    /// For a valid sample: the canonical form every implementation must write back.
    #[serde(default)]
    pub canonical: Option<String>,
}

/// Every sample file as (contract key `events/PriceTick@1.0`, samples), sorted by key.
pub fn samples() -> Vec<(String, Vec<Sample>)> {
    read_dir_of_samples(&root().join("tests/samples"))
}

/// Canonical JSON (RFC 8785 style): keys sorted by UTF-16 code units, no whitespace, minimal
/// escapes, numbers in ECMAScript's shortest round-trip form.
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write(v, &mut out);
    out
}

fn write(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&match (n.as_i64(), n.as_f64()) {
            (Some(i), _) if i.unsigned_abs() < (1 << 53) => ecmascript(i as f64),
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => ecmascript(f),
            _ => n.to_string(),
        }),
        Value::String(s) => quote(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quote(k, out);
                out.push(':');
                write(&m[k], out);
            }
            out.push('}');
        }
    }
}

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

/// ECMA-262 Number::toString for finite doubles, from Rust's shortest round-trip digits.
pub fn ecmascript(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let n = exp.parse::<i32>().expect("integer exponent") + 1;
    let sign = if v < 0.0 { "-" } else { "" };
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let rest = if k > 1 { format!(".{}", &digits[1..]) } else { String::new() };
        let e = n - 1;
        format!("{}{rest}e{}{}", &digits[..1], if e >= 0 { "+" } else { "-" }, e.abs())
    };
    format!("{sign}{body}")
}

/// Numbers compared as doubles, so `100` equals `100.0`.
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Every vector file under `tests/vectors/` (generated from the IR; see `vectors`), as
/// `samples()` reads `tests/samples/`.
pub fn vector_files() -> Vec<(String, Vec<Sample>)> {
    read_dir_of_samples(&root().join("tests/vectors"))
}

fn read_dir_of_samples(dir: &Path) -> Vec<(String, Vec<Sample>)> {
    let mut out = Vec::new();
    for ns in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let ns = ns.expect("readable").path();
        for f in std::fs::read_dir(&ns).expect("readable") {
            let f = f.expect("readable").path();
            let stem = f
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".jsonl"))
                .expect("*.jsonl")
                .to_string();
            let key = format!("{}/{stem}", ns.file_name().and_then(|n| n.to_str()).expect("utf-8"));
            let text = std::fs::read_to_string(&f).expect("readable");
            let rows = text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}", f.display())))
                .collect();
            out.push((key, rows));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Hand-written samples and generated vectors together, by contract key.
pub fn all_messages() -> Vec<(String, Vec<Sample>)> {
    let mut all = samples();
    for (key, rows) in vector_files() {
        match all.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => existing.extend(rows),
            None => all.push((key, rows)),
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecmascript_number_forms() {
        for (v, s) in [
            (100.0, "100"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-7, "1e-7"),
            (1e-6, "0.000001"),
            (0.1, "0.1"),
            (-1.5, "-1.5"),
            (123.456, "123.456"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ] {
            assert_eq!(ecmascript(v), s, "{v}");
        }
    }

    #[test]
    fn canonical_sorts_keys_and_escapes_minimally() {
        let v: Value = serde_json::from_str(r#"{"b":1.0,"a":"x\u0001\"é","c":[true,null]}"#).unwrap();
        assert_eq!(canonical(&v), r#"{"a":"x\u0001\"é","b":1,"c":[true,null]}"#);
    }
}

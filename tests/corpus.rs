//! The realistic corpus (`benches/src/corpus.rs`): the committed one, `tests/corpus/` (100
//! contracts, seed `corpus::SEED`), is what the generator writes and its `generated/` is up to
//! date; the generator's 1,000 contracts compile with no diagnostic of any severity; the
//! generated Rust (a workspace member) and MQL4 (g++ through the shim) read and write an event.
//! `tests/python/test_corpus.py` imports every module of the Python package.

use std::collections::BTreeSet;

use contractc_benches::corpus::{self, CONTRACTS, SEED};
use contractc_driver::{Config, Failure, compile, generate, read_inputs};
use contractc_tests::mql4::{gxx, read_includes, stage};
use contractc_tests::{assert_up_to_date, generate_project, root};
use serde_json::{Map, Value};

const PROJECT: &str = "tests/corpus";
const TEMPLATES: &str = "../../templates";

/// An `orders/OrderNew@1.0` message: cross-file `$ref`s, an open object with an unknown member,
/// an array of objects holding an array of objects, members with defaults left out.
const ORDER: &str = r#"{"event":"order_new","event_id":"3f1c2a4e-8b7d-4c1e-9f2a-1b2c3d4e5f60","time":"2026-12-01T09:30:00Z","instrument":{"symbol":"EURUSD","asset_class":"FX","currency":"USD"},"client_order_id":"ord-1","side":"BUY","quantity":1000.5,"order_type":"LIMIT","legs":[{"leg_no":1,"side":"SELL","fees":[{"kind":"BROKER","amount":{"amount":1.25,"currency":"EUR"}}]}],"account":{"account_id":"9b2e7c1d-0a3f-4e5b-8c6d-7e8f9a0b1c2d","desk":"FX1","venue_tier":2}}"#;

/// Its canonical form: keys sorted, the defaults filled in, the unknown member kept.
const ORDER_CANONICAL: &str = r#"{"account":{"account_id":"9b2e7c1d-0a3f-4e5b-8c6d-7e8f9a0b1c2d","desk":"FX1","venue_tier":2},"client_order_id":"ord-1","comment":"","event":"order_new","event_id":"3f1c2a4e-8b7d-4c1e-9f2a-1b2c3d4e5f60","instrument":{"asset_class":"FX","currency":"USD","digits":5,"symbol":"EURUSD"},"legs":[{"fees":[{"amount":{"amount":1.25,"currency":"EUR"},"kind":"BROKER"}],"leg_no":1,"ratio":1,"side":"SELL"}],"order_type":"LIMIT","quantity":1000.5,"reduce_only":false,"side":"BUY","time":"2026-12-01T09:30:00Z"}"#;

/// A test of one schema object: does it show a feature?
type Test = dyn Fn(&Map<String, Value>) -> bool;

fn committed_corpus() -> Vec<corpus::File> {
    corpus::corpus(CONTRACTS, SEED, TEMPLATES).expect("a corpus")
}

#[test]
fn committed_corpus_is_what_the_generator_writes() {
    let files = committed_corpus();
    assert_eq!(files, committed_corpus(), "the generator is deterministic");
    assert_ne!(files, corpus::corpus(CONTRACTS, SEED + 1, TEMPLATES).unwrap(), "the seed changes the corpus");
    let regenerate = format!(
        "rm -r {PROJECT}/contracts && cargo run -p contractc-benches --bin corpus -- --contracts {CONTRACTS} --seed {SEED} --out {PROJECT} && cargo run -p contractc -- build --config {PROJECT}/contractc.toml"
    );
    let dir = root().join(PROJECT);
    for f in &files {
        let committed = std::fs::read_to_string(dir.join(&f.path)).unwrap_or_default();
        assert!(committed == f.text, "{PROJECT}/{} is not what the generator writes; run `{regenerate}`", f.path);
    }
    let written: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for entry in walkdir::WalkDir::new(dir.join("contracts")) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&dir).unwrap().to_str().unwrap().replace('\\', "/");
        assert!(
            !entry.file_type().is_file() || written.contains(rel.as_str()),
            "{PROJECT}/{rel} is stale; run `{regenerate}`"
        );
    }
    assert_eq!(files.iter().filter(|f| f.path.starts_with("contracts/")).count(), CONTRACTS);
}

/// Every feature the corpus is for, each in at least one committed contract.
#[test]
fn committed_corpus_has_every_feature() {
    let schemas: Vec<Value> = committed_corpus()
        .iter()
        .filter(|f| f.path.starts_with("contracts/"))
        .map(|f| serde_json::from_str(&f.text).unwrap())
        .collect();
    fn any(v: &Value, test: &Test) -> bool {
        match v {
            Value::Object(m) => test(m) || m.values().any(|x| any(x, test)),
            Value::Array(a) => a.iter().any(|x| any(x, test)),
            _ => false,
        }
    }
    let has = |test: &Test| schemas.iter().any(|s| any(s, test));
    let features: [(&str, &Test); 21] = [
        ("a shared enum contract", &|m| m.get("$id") == Some(&"Side@1.0.json".into()) && m.contains_key("enum")),
        ("a $ref to a core contract", &|m| {
            m.get("$ref").and_then(Value::as_str).is_some_and(|r| r.starts_with("../core/"))
        }),
        ("a $ref to another family's event", &|m| {
            m.get("$ref").and_then(Value::as_str).is_some_and(|r| r.starts_with("../") && !r.starts_with("../core/"))
        }),
        ("$defs", &|m| m.contains_key("$defs")),
        ("an open object", &|m| m.get("type") == Some(&"object".into()) && !m.contains_key("additionalProperties")),
        ("a closed object", &|m| m.get("additionalProperties") == Some(&false.into())),
        ("a nullable type", &|m| m.get("type").and_then(Value::as_array).is_some_and(|t| t.contains(&"null".into()))),
        ("a nullable $ref", &|m| m.get("anyOf").is_some_and(|a| a.to_string().contains(r#"{"type":"null"}"#))),
        ("a const tag", &|m| m.contains_key("const")),
        ("a discriminated oneOf", &|m| m.contains_key("oneOf") && m.contains_key("discriminator")),
        ("a string enum", &|m| m.get("type") == Some(&"string".into()) && m.contains_key("enum")),
        ("bounds", &|m| m.contains_key("minimum") && m.contains_key("maximum")),
        ("exclusiveMinimum", &|m| m.contains_key("exclusiveMinimum")),
        ("lengths", &|m| m.contains_key("minLength") && m.contains_key("maxLength")),
        ("pattern", &|m| m.contains_key("pattern")),
        ("multipleOf", &|m| m.contains_key("multipleOf")),
        ("default", &|m| m.contains_key("default")),
        ("date-time", &|m| m.get("format") == Some(&"date-time".into())),
        ("date", &|m| m.get("format") == Some(&"date".into())),
        ("uuid", &|m| m.get("format") == Some(&"uuid".into())),
        ("an array of objects holding an array of objects", &|m| {
            m.get("$defs").and_then(Value::as_object).is_some_and(|d| d.contains_key("Leg") || d.contains_key("Lot"))
        }),
    ];
    let missing: Vec<&str> = features.iter().filter(|(_, test)| !has(test)).map(|(name, _)| *name).collect();
    assert!(missing.is_empty(), "the corpus lacks {missing:?}");
    // Minors: some lines have several, and the required ones are listed.
    assert!(schemas.iter().any(|s| s["$id"].as_str().is_some_and(|id| id.ends_with("@1.3.json"))));
    assert!(schemas.iter().all(|s| s.get("type") != Some(&"object".into()) || s["required"].is_array()));
}

#[test]
fn corpus_generated_tree_is_up_to_date() {
    let (files, warnings) = generate_project(PROJECT);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_up_to_date(PROJECT, files);
}

/// The acceptance figure of the corpus: 1,000 contracts, every backend the corpus enables, no
/// error and no warning.
#[test]
fn corpus_of_1000_contracts_compiles_without_a_diagnostic() {
    let files = corpus::corpus(1000, SEED, TEMPLATES).unwrap();
    let config = Config::parse(&files.iter().find(|f| f.path == "contractc.toml").unwrap().text).unwrap();
    // The templates as the committed corpus reads them; its contracts replaced by these.
    let mut inputs = read_inputs(&root().join(PROJECT), &config).unwrap_or_else(|e| panic!("{e}"));
    inputs.sources = files.into_iter().filter(|f| f.path.starts_with("contracts/")).map(|f| (f.path, f.text)).collect();
    assert_eq!(inputs.sources.len(), 1000);
    match generate(&inputs, &config) {
        Ok((out, warnings)) => {
            assert!(warnings.is_empty(), "{warnings:#?}");
            // Per contract: a Rust module, a Python module and an MQL4 include file.
            assert!(out.len() > 3000, "{} files", out.len());
            // A build renders each contract from the contracts it reaches alone (so that an edit
            // renders again only what it reaches): byte for byte what the whole program gives.
            let (program, _) = compile(&inputs, &config).unwrap_or_else(|e| panic!("{e}"));
            let options = config.options();
            let mut whole = contractc_backend_rust::emit(&program, &options).unwrap();
            whole.extend(contractc_backend_python::emit(&program, &inputs.templates, &options).unwrap());
            whole.extend(contractc_backend_mql4::emit(&program, &inputs.templates, &options).unwrap());
            whole.sort();
            assert_eq!(out.len(), whole.len());
            for (a, b) in out.iter().zip(&whole) {
                assert!(a == b, "{} differs from the whole program's {}", a.path, b.path);
            }
        }
        Err(Failure::Diagnostics(d)) => panic!("{d:#?}"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn corpus_rust_reads_and_writes_an_event() {
    let written = corpus_contracts::canonicalize("orders/OrderNew@1.0", ORDER).expect("a contract of the crate");
    assert_eq!(written.unwrap(), ORDER_CANONICAL);
    let refused = corpus_contracts::canonicalize("orders/OrderNew@1.0", &ORDER.replace("1000.5", "1000.505"));
    assert!(refused.expect("a contract").is_err(), "multipleOf 0.01");
}

/// Every generated `.mqh` of the corpus, linted against MQL4.md's subset, rewritten and compiled
/// with g++ through `tests/mql4/mql4_compat.hpp` into a program that reads and writes an event.
#[test]
fn corpus_mql4_compiles_through_the_shim() {
    let root = root();
    let files = read_includes(&root, &["tests/corpus/generated"]).unwrap();
    assert!(files.len() > CONTRACTS, "{} files", files.len());
    let dir = tempfile::tempdir().unwrap();
    stage(&files, dir.path()).unwrap();
    let mut program = String::from("#include \"mql4_compat.hpp\"\n");
    for name in files.keys() {
        program.push_str(&format!("#include <contractc/{name}>\n"));
    }
    program.push_str(&format!(
        "#include <iostream>\n\nint main() {{\n  OrderNew_1_0 v;\n  string err = \"\";\n  if (!OrderNew_1_0_FromJson(mql_from_utf8(R\"({ORDER})\"), v, err)) {{\n    std::cout << mql_to_utf8(err);\n    return 1;\n  }}\n  std::cout << mql_to_utf8(OrderNew_1_0_ToJson(v));\n  return 0;\n}}\n"
    ));
    let source = dir.path().join("corpus.cpp");
    std::fs::write(&source, program).unwrap();
    let exe = dir.path().join("corpus");
    let built = gxx(&root, dir.path()).arg("-O0").arg(&source).arg("-o").arg(&exe).output().expect("g++ runs");
    assert!(built.status.success(), "g++ failed:\n{}", String::from_utf8_lossy(&built.stderr));
    let ran = std::process::Command::new(&exe).output().unwrap();
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stdout));
    assert_eq!(String::from_utf8_lossy(&ran.stdout), ORDER_CANONICAL);
}

//! The committed generated trees: a snapshot of every file of `generated/`, and tests that fail
//! when `generated/` or the conformance suite's `tests/conformance/generated/` is stale
//! (regenerated in memory and compared byte for byte; the corpus's is `tests/corpus.rs`'s).

use contractc_driver::OutputFile;
use contractc_tests::assert_up_to_date;

/// The files the project whose configuration is `<root>/<project>/contractc.toml` generates.
fn generated_in(project: &str) -> Vec<OutputFile> {
    let (files, warnings) = contractc_tests::generate_project(project);
    // The conformance project holds schemas without `type` on purpose (its own and the
    // JSON-Schema-Test-Suite's); each project's migrations explain changes between majors
    // (notes); nothing else warns.
    let expected = |w: &contractc_diagnostics::Diagnostic| match project {
        "tests/conformance" => {
            [contractc_diagnostics::codes::UNTYPED_SCHEMA, contractc_diagnostics::codes::EXPLAINED_BY_MIGRATION]
                .contains(&w.code)
        }
        _ => w.code == contractc_diagnostics::codes::EXPLAINED_BY_MIGRATION,
    };
    assert!(warnings.iter().all(expected), "{warnings:?}");
    files
}

fn generated() -> Vec<OutputFile> {
    generated_in("")
}

#[test]
fn every_generated_file_matches_its_snapshot() {
    let files = generated();
    assert!(files.len() > 20, "expected every backend's files, got {}", files.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for f in &files {
            let name = f.path.replace('/', "__");
            if f.path.ends_with(".bin") {
                let plan = runtime::plan::decode(&f.contents).expect("the plan decodes");
                insta::assert_snapshot!(name, format!("{plan:#?}"));
            } else {
                insta::assert_snapshot!(name, String::from_utf8(f.contents.to_vec()).expect("text"));
            }
        }
    });
}

#[test]
fn committed_generated_tree_is_up_to_date() {
    assert_up_to_date("", generated());
}

#[test]
fn conformance_generated_tree_is_up_to_date() {
    assert_up_to_date("tests/conformance", generated_in("tests/conformance"));
}

#[test]
fn output_is_deterministic() {
    assert_eq!(generated(), generated());
    assert_eq!(generated_in("tests/conformance"), generated_in("tests/conformance"));
}

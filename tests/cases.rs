//! The checker's cases: each `tests/cases/*.case` holds the files of a small project, separated
//! by `--- <path>` lines (an optional `--- contractc.toml` sets policies or enables backends). An invalid case's
//! rendered diagnostics are an insta snapshot; a `valid-*` case must produce none. Every code in
//! the registry has at least one case, and the first case of each code is its example in the
//! generated `docs/diagnostics.md` (a test fails when that file is stale; `UPDATE_DOCS=1`
//! rewrites it).

use std::path::Path;

use contractc_diagnostics::{codes, render_to_string};
use contractc_driver::{Config, Failure, Inputs, generate, read_inputs};
use contractc_tests::{Case, cases, root};

/// The case's outputs and diagnostics: the files when it compiles, else every diagnostic.
fn generated(case: &Case) -> (Vec<contractc_driver::OutputFile>, Vec<contractc_diagnostics::Diagnostic>) {
    // Backends only check names here (a case that needs them enables them); nothing is emitted.
    let backends = if case.config.contains("backends") { "" } else { "backends = []\n" };
    let config = Config::parse(&format!("{backends}{}", case.config)).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    let mut sources = case.files.clone();
    sources.sort();
    // The project's own templates, for a case that enables backends and compiles.
    let templates = read_inputs(&root(), &Config::parse("").expect("defaults")).expect("readable templates").templates;
    let inputs = Inputs { sources, templates };
    match generate(&inputs, &config) {
        Ok(built) => built,
        Err(Failure::Diagnostics(d)) => (Vec::new(), d),
        Err(e) => panic!("{}: {e}", case.name),
    }
}

/// The case's diagnostics, rendered as users see them (empty when there are none).
fn check(case: &Case) -> (String, Vec<&'static str>) {
    let (_, diagnostics) = generated(case);
    let names = diagnostics.iter().map(|d| d.code.name).collect();
    let text = render_to_string(&diagnostics, |p| case.files.iter().find(|(f, _)| f == p).map(|(_, t)| t.as_str()));
    (text, names)
}

#[test]
fn every_case_renders_as_its_snapshot() {
    let cases = cases();
    let invalid = cases.iter().filter(|c| !c.name.starts_with("valid-")).count();
    assert!(invalid >= 80, "{invalid} invalid cases; at least 80 are wanted");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(root().join("tests/cases/snapshots"));
    settings.bind(|| {
        for case in &cases {
            let (text, names) = check(case);
            if case.name.starts_with("valid-") {
                assert!(text.is_empty(), "{} must have no diagnostics:\n{text}", case.name);
                continue;
            }
            // A case is named after the code it shows.
            let code = case.name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
            assert!(names.contains(&code), "{}: expected `{code}` among {names:?}\n{text}", case.name);
            insta::assert_snapshot!(case.name.clone(), text);
        }
    });
}

/// A project holds any number of workflows, and each has a plan of its own, named by its name and
/// version.
#[test]
fn each_workflow_has_a_plan_of_its_own() {
    let mut case = cases().into_iter().find(|c| c.name == "valid-several-workflows").expect("the case");
    case.config = "backends = [\"plan\"]\n".into();
    let (files, diagnostics) = generated(&case);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let plans: Vec<(&str, String)> = files
        .iter()
        .filter(|f| f.path.ends_with(".plan.bin"))
        .map(|f| (f.path.as_str(), runtime::plan::decode(&f.contents).expect("a plan").workflow.clone()))
        .collect();
    assert_eq!(
        plans,
        [
            ("plans/live@1.0.plan.bin", "live@1.0".to_string()),
            ("plans/research@1.0.plan.bin", "research@1.0".to_string()),
            ("plans/research@1.1.plan.bin", "research@1.1".to_string()),
        ]
    );
}

#[test]
fn every_code_has_a_case() {
    let cases = cases();
    let missing: Vec<&str> = codes::ALL
        .iter()
        .map(|c| c.name)
        .filter(|n| !cases.iter().any(|c| c.name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-') == *n))
        .collect();
    assert!(missing.is_empty(), "codes without a case in tests/cases: {missing:?}");
}

/// `docs/diagnostics.md`, from the registry and the first case of each code.
fn diagnostics_doc() -> String {
    let cases = cases();
    let mut doc = String::from(
        "# Diagnostics\n\n<!-- Generated from the code registry (compiler/diagnostics/src/codes.rs) and tests/cases/.\n     Do not edit: run `UPDATE_DOCS=1 cargo test -p contractc-tests --test cases`. -->\n\n\
         Every diagnostic has a stable code (`E` errors, `W` warnings, `N` notes; a code never changes meaning),\n\
         a kebab-case name, the file, line and column, the JSON pointer of its subject, and a hint.\n\
         `contractc check --message-format json` prints one object per diagnostic.\n\n| code | name | meaning |\n|---|---|---|\n",
    );
    for c in codes::ALL {
        doc.push_str(&format!("| {} | [`{}`](#{}) | {} |\n", c.id, c.name, c.name, c.summary));
    }
    for c in codes::ALL {
        doc.push_str(&format!("\n## {}\n\n`{}`: {}\n\n", c.name, c.id, c.summary));
        let example =
            cases.iter().find(|k| k.name.trim_end_matches(|ch: char| ch.is_ascii_digit() || ch == '-') == c.name);
        if let Some(case) = example {
            doc.push_str(&format!("Example (`tests/cases/{}.case`):\n\n```text\n{}```\n", case.name, check(case).0));
        }
    }
    doc
}

#[test]
fn docs_diagnostics_md_is_up_to_date() {
    let path = root().join("docs/diagnostics.md");
    let want = diagnostics_doc();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `UPDATE_DOCS=1 cargo test -p contractc-tests --test cases`",
        Path::new("docs/diagnostics.md").display()
    );
}

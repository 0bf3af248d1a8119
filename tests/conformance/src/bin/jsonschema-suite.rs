//! Runs the official JSON-Schema-Test-Suite (draft 2020-12) through the product: every group of a
//! counted file is a contract the checker compiles (or refuses: the group is skipped, with the
//! diagnostic as the reason) and the plan backend turns into the runtime's validator. Keeps the
//! groups that every backend generates in step with their committed contracts and samples (see
//! `contractc_conformance::suite` for which files count).
//!
//! `JSON_SCHEMA_TEST_SUITE` names the suite's `tests/draft2020-12` folder (`make conformance`
//! downloads it). Prints a table per counted file (the pass rate per keyword), the skipped groups
//! by reason, the files that do not count, and ends with
//! `json-schema-test-suite: <T> tests in <F> files, passed <P>%, <S> groups skipped, <W> through generated code`.
//!
//! The suite's verdicts are checked with JSON Schema's integers (`1.0` is an integer). For a group
//! every backend generates, the contract's own validator (DESIGN.md's conformance contract: an
//! integer is an int64 literal) must give the suite's verdict too, or the test must be listed in
//! `tests/conformance/suite-deviations.txt` with the reason (strict: a listed test that agrees
//! fails too). The contract goes to `tests/conformance/contracts/suite/`, its tests with that
//! verdict to `tests/samples/suite/`, where `make conformance` sends them to all four testees;
//! `UPDATE_SUITE=1` rewrites both when they are stale.
//!
//! Exit status: 0 when every counted test passes and nothing is stale, 1 otherwise, 2 when the
//! suite cannot be read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use contractc_conformance::suite::{self, File};
use contractc_driver::{Backend, Config, Failure, Inputs, compile, generate, read_inputs};
use contractc_tests::{Sample, canonical, root};
use runtime::plan::{Integers, Validator};

const DEVIATIONS: &str = "tests/conformance/suite-deviations.txt";
const CONTRACTS: &str = "tests/conformance/contracts/suite";
const SAMPLES: &str = "tests/samples/suite";

#[derive(Default)]
struct Row {
    groups: usize,
    skipped: usize,
    tests: usize,
    passed: usize,
    wrapped: usize,
}

/// (file, group, test) of a listed deviation.
type Key = (String, String, String);

fn deviations(root: &Path) -> Result<BTreeSet<Key>, String> {
    let text = std::fs::read_to_string(root.join(DEVIATIONS)).map_err(|e| format!("{DEVIATIONS}: {e}"))?;
    let mut out = BTreeSet::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#')) {
        match line.split('\t').collect::<Vec<_>>().as_slice() {
            [file, group, test, _why] => {
                out.insert((file.to_string(), group.to_string(), test.to_string()));
            }
            _ => return Err(format!("{DEVIATIONS}:{}: want file, group, test, why, tab-separated", n + 1)),
        }
    }
    Ok(out)
}

/// The committed files of `dir` with extension `ext`, by file name.
fn committed(dir: &Path, ext: &str) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return BTreeMap::new() };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some(ext))
        .filter_map(|p| Some((p.file_name()?.to_str()?.to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect()
}

/// Compares what the suite gives with what is committed; with `update`, makes them equal. The
/// names of the stale files.
fn sync(dir: &Path, ext: &str, want: &BTreeMap<String, String>, update: bool) -> std::io::Result<Vec<String>> {
    let have = committed(dir, ext);
    let stale: Vec<String> = want
        .iter()
        .filter(|(name, text)| have.get(*name) != Some(text))
        .map(|(name, _)| name.clone())
        .chain(have.keys().filter(|name| !want.contains_key(*name)).cloned())
        .collect();
    if update {
        std::fs::create_dir_all(dir)?;
        for name in &stale {
            match want.get(name) {
                Some(text) => std::fs::write(dir.join(name), text)?,
                None => std::fs::remove_file(dir.join(name))?,
            }
        }
    }
    Ok(stale)
}

fn main() -> ExitCode {
    let Some(dir) = std::env::var_os("JSON_SCHEMA_TEST_SUITE").map(PathBuf::from) else {
        eprintln!(
            "error: set JSON_SCHEMA_TEST_SUITE to the suite's tests/draft2020-12 folder, or run `make conformance`"
        );
        return ExitCode::from(2);
    };
    let root = root();
    let read = || -> Result<_, String> {
        let files = suite::read(&dir)?;
        let project = root.join("tests/conformance");
        let config = std::fs::read_to_string(project.join("contractc.toml")).map_err(|e| e.to_string())?;
        let config = Config::parse(&config).map_err(|e| e.to_string())?;
        let templates = read_inputs(&project, &config).map_err(|e| e.to_string())?.templates;
        Ok((files, config, templates, deviations(&root)?))
    };
    let (files, config, templates, listed) = match read() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // The checker's settings for the verdicts: the conformance project's, without MQL4's limits.
    let checked = Config {
        backends: config.backends.iter().copied().filter(|b| *b != Backend::Mql4).collect(),
        ..config.clone()
    };
    if files.is_empty() {
        eprintln!("error: no suite files in {}", dir.display());
        return ExitCode::from(2);
    }

    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut wrapped_tests = BTreeSet::new();
    let (mut contracts, mut samples) = (BTreeMap::new(), BTreeMap::new());
    let mut not_counted = BTreeMap::new();
    for File { path, groups } in &files {
        if let Some(why) = suite::not_counted(path) {
            not_counted.entry(why).or_insert_with(Vec::new).push(path.as_str());
            continue;
        }
        let row = rows.entry(path.clone()).or_default();
        for (index, group) in groups.iter().enumerate() {
            row.groups += 1;
            let (file_name, text) = suite::contract(path, index, group);
            let candidate = Inputs {
                sources: vec![(format!("contracts/suite/{file_name}"), text.clone())],
                templates: templates.clone(),
            };
            // The checker decides, as `contractc build` would (MQL4's limits aside: they only
            // keep a group from the generated code).
            let program = match compile(&candidate, &checked) {
                Ok((program, _)) => program,
                Err(failure) => {
                    row.skipped += 1;
                    *reasons.entry(refusal(&failure)).or_default() += 1;
                    continue;
                }
            };
            // The contract's validator, as the plan backend makes it; the suite's verdicts with
            // JSON Schema's integers (`1.0` is one), the contract's with DESIGN.md's.
            let contract = contractc_validator::validator(&*program, 0);
            let suite_rules = Validator { integers: Integers::ZeroFraction, ..contract.clone() };
            let generated = generate(&candidate, &config).is_ok();
            let mut lines = String::new();
            for test in &group.tests {
                row.tests += 1;
                let json = suite::message(test);
                let ok = runtime::validate::validate_text(&suite_rules, &json).is_ok();
                if ok == test.valid {
                    row.passed += 1;
                } else {
                    problems.push(format!(
                        "{path}: \"{}\" / \"{}\": contract {file_name} says {}, the suite {}",
                        group.description,
                        test.description,
                        if ok { "valid" } else { "invalid" },
                        if test.valid { "valid" } else { "invalid" }
                    ));
                }
                if !generated {
                    continue;
                }
                let accepted = runtime::validate::validate_text(&contract, &json).is_ok();
                let key = (path.clone(), group.description.clone(), test.description.clone());
                match (accepted != test.valid, listed.contains(&key)) {
                    (true, false) if ok == test.valid => problems.push(format!(
                        "{path}: \"{}\" / \"{}\": contract {file_name} gives another verdict than the suite with DESIGN.md's integers; list it in {DEVIATIONS} with the reason",
                        group.description, test.description
                    )),
                    (false, true) => problems.push(format!(
                        "{path}: \"{}\" / \"{}\" is listed in {DEVIATIONS} but agrees with the suite: remove it",
                        group.description, test.description
                    )),
                    _ => {}
                }
                wrapped_tests.insert(key);
                let value: serde_json::Value = serde_json::from_str(&json).expect("serde_json wrote it");
                let sample = Sample {
                    name: test.description.clone(),
                    valid: accepted,
                    canonical: accepted.then(|| canonical(&value)),
                    json,
                };
                lines.push_str(&serde_json::to_string(&sample).expect("samples serialize"));
                lines.push('\n');
            }
            if generated {
                row.wrapped += 1;
                samples.insert(file_name.replace(".json", ".jsonl"), lines);
                contracts.insert(file_name, text);
            }
        }
    }
    for key in listed.difference(&wrapped_tests) {
        problems.push(format!("{DEVIATIONS}: \"{}\" / \"{}\" / \"{}\" is not a wrapped test", key.0, key.1, key.2));
    }
    let update = std::env::var_os("UPDATE_SUITE").is_some();
    let mut stale = Vec::new();
    for (dir, ext, want) in [(CONTRACTS, "json", &contracts), (SAMPLES, "jsonl", &samples)] {
        match sync(&root.join(dir), ext, want, update) {
            Ok(names) => stale.extend(names.into_iter().map(|n| format!("{dir}/{n}"))),
            Err(e) => {
                eprintln!("error: {dir}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if !stale.is_empty() {
        if update {
            println!(
                "rewrote {} file(s); now run `cargo run -p contractc -- build --config tests/conformance/contractc.toml` and `UPDATE_VECTORS=1 cargo test -p contractc-tests --test vectors`",
                stale.len()
            );
        } else {
            problems.push(format!(
                "stale: {}; run `UPDATE_SUITE=1 make conformance`, then rebuild the conformance project",
                stale.join(", ")
            ));
        }
    }

    println!("JSON-Schema-Test-Suite, draft 2020-12 ({}), through the checker and the plan backend", dir.display());
    println!("{:<34} {:>6} {:>8} {:>6} {:>7} {:>9}", "file", "groups", "skipped", "tests", "passed", "generated");
    println!("{:<34} {:>6} {:>8} {:>6} {:>7} {:>9}", "", "", "", "", "", "(groups)");
    let mut total = Row::default();
    for (path, r) in &rows {
        println!(
            "{path:<34} {:>6} {:>8} {:>6} {:>7} {:>9}",
            r.groups,
            r.skipped,
            r.tests,
            if r.tests == 0 { "-".to_string() } else { format!("{:.2}%", percent(r.passed, r.tests)) },
            r.wrapped
        );
        total.groups += r.groups;
        total.skipped += r.skipped;
        total.tests += r.tests;
        total.passed += r.passed;
        total.wrapped += r.wrapped;
    }
    println!("groups skipped, by what lies outside the subset:");
    for (why, n) in &reasons {
        println!("  {n:>3}  {why}");
    }
    println!("files that do not count:");
    for (why, paths) in &not_counted {
        println!("  {why}: {}", paths.join(" "));
    }
    for p in &problems {
        println!("PROBLEM {p}");
    }
    println!(
        "json-schema-test-suite: {} tests in {} files, passed {:.2}%, {} groups skipped, {} through generated code",
        total.tests,
        rows.len(),
        percent(total.passed, total.tests),
        total.skipped,
        total.wrapped
    );
    if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Why the checker refused a group: its first error, by code and message.
fn refusal(failure: &Failure) -> String {
    match failure {
        Failure::Diagnostics(d) => d
            .iter()
            .find(|d| d.severity == contractc_diagnostics::Severity::Error)
            .map_or_else(|| failure.to_string(), |d| format!("{} {}: {}", d.code.id, d.code.name, d.message)),
        other => other.to_string(),
    }
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 { 100.0 } else { 100.0 * n as f64 / of as f64 }
}

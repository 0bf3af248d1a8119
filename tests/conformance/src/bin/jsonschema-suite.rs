//! Runs the official JSON-Schema-Test-Suite (draft 2020-12) against the runtime's validator and
//! keeps the groups that are contract types in step with their committed contracts and samples
//! (see `contractc_conformance::suite` for which files and groups count).
//!
//! `JSON_SCHEMA_TEST_SUITE` names the suite's `tests/draft2020-12` folder (`make conformance`
//! downloads it). Prints a table per counted file (the pass rate per keyword), the skipped groups
//! by reason, the files that do not count, and ends with
//! `json-schema-test-suite: <T> tests in <F> files, passed <P>%, <S> groups skipped, <W> through generated code`.
//!
//! For a group that is a contract type, the contract's own validator (DESIGN.md's conformance
//! contract) must give the suite's verdict on `{"value": <data>}`, or the test must be listed in
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
use contractc_driver::{Config, Inputs, compile, generate, read_inputs};
use contractc_tests::{Sample, canonical, root};

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
            let v = match suite::compile(&group.schema) {
                Ok(v) => v,
                Err(why) => {
                    row.skipped += 1;
                    *reasons.entry(why).or_default() += 1;
                    continue;
                }
            };
            for test in &group.tests {
                row.tests += 1;
                let ok = runtime::validate::validate(&v, &test.data).is_ok();
                if ok == test.valid {
                    row.passed += 1;
                } else {
                    problems.push(format!(
                        "{path}: \"{}\" / \"{}\": the runtime says {}, the suite {}",
                        group.description,
                        test.description,
                        if ok { "valid" } else { "invalid" },
                        if test.valid { "valid" } else { "invalid" }
                    ));
                }
            }
            // Through the generated code when the schema is a contract type.
            let Some((file_name, text)) = suite::wrap(path, index, group) else { continue };
            let candidate = Inputs {
                sources: vec![(format!("contracts/suite/{file_name}"), text.clone())],
                templates: templates.clone(),
            };
            if !matches!(generate(&candidate, &config), Ok((_, warnings)) if warnings.is_empty()) {
                continue;
            }
            let (program, _) = compile(&candidate, &config).expect("it generated");
            let contract = contractc_backend_plan::validator(&program, 0);
            row.wrapped += 1;
            let mut lines = String::new();
            for test in &group.tests {
                let json = suite::message(test);
                let accepted = runtime::validate::validate_text(&contract, &json).is_ok();
                let key = (path.clone(), group.description.clone(), test.description.clone());
                match (accepted != test.valid, listed.contains(&key)) {
                    (true, false) => problems.push(format!(
                        "{path}: \"{}\" / \"{}\": contract {} gives another verdict than the suite; list it in {DEVIATIONS} with the reason",
                        group.description, test.description, file_name
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
            samples.insert(file_name.replace(".json", ".jsonl"), lines);
            contracts.insert(file_name, text);
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

    println!("JSON-Schema-Test-Suite, draft 2020-12 ({}), against the runtime's validator", dir.display());
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

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 { 100.0 } else { 100.0 * n as f64 / of as f64 }
}

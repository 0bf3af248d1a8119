//! The conformance runner. Sends every message of `tests/samples/` and `tests/vectors/` to the
//! four testees (generated Rust, generated Python, generated MQL4 through g++, the runtime's
//! validator) over the protocol of this crate, compares their answers with the expected verdict
//! and canonical bytes and with each other, checks `expected-failures.txt` strictly (an
//! unexpected pass fails too), prints a table per contract and language, and ends with
//! `conformance: <N> vectors, agreement <P>%, canonical-identical <Q>%, expected-failures <F>`.
//! Before that line, the migration vectors: every valid vector of a version that migrations
//! carry to a newer major is upgraded by each testee that generates migrations (the generated
//! Rust and Python, and the runtime as a step boundary does), and all must write the same
//! canonical bytes, which the newer version's readers accept; a reversible path's round trip
//! (`downgrade(upgrade(x))`) must give `x`'s canonical bytes back. Exit status 1 when anything is
//! unexpected.
//!
//! Run it with `make conformance` (it builds the testees first).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use contractc_conformance::mql4::{gxx, read_includes, stage};
use contractc_conformance::{Answer, read_frame, request, write_frame};
use contractc_tests::{Sample, all_messages, root};

const TESTEES: [&str; 4] = ["rust", "python", "mql4", "runtime"];
/// The testees of the migration vectors: every one upgrades, the first three make the round
/// trips (the runtime carries messages to newer majors only).
const MIGRATING: [&str; 4] = ["rust", "python", "mql4", "runtime"];

/// An upgrade path of the project or the conformance suite, with the MQL4 names of its versions
/// and of its migrations' files.
struct MigrationPath {
    from: String,
    to: String,
    /// Whether the round trip gives every message back ([`contractc_ir::UpgradePath::lossless`]).
    reversible: bool,
    /// `OrderIntent_1_0` and `OrderIntent_2_0`, and their versions' suffixes (`1_0`, `2_0`).
    mql4_from: String,
    mql4_to: String,
    from_version: String,
    to_version: String,
    /// The migrations' prefixes (`OrderIntent_1_2_To_2_0`), in order, and the MQL4 names of
    /// their first version.
    mql4_steps: Vec<(String, String)>,
}

/// Every upgrade path of the project and of the conformance suite.
fn upgrade_paths(root: &Path) -> Result<Vec<MigrationPath>, String> {
    let mut out = Vec::new();
    for project in [root.to_path_buf(), root.join("tests/conformance")] {
        let text = std::fs::read_to_string(project.join("contractc.toml")).map_err(|e| e.to_string())?;
        let config = contractc_driver::Config::parse(&text).map_err(|e| e.to_string())?;
        let inputs = contractc_driver::read_inputs(&project, &config).map_err(|e| e.to_string())?;
        let (program, _) = contractc_driver::compile(&inputs, &config).map_err(|e| e.to_string())?;
        let headers: Vec<_> = program.contracts.iter().map(|c| c.header()).collect();
        let migrations: Vec<_> = program.migrations.iter().map(|m| program.migration_header(m)).collect();
        for p in contractc_ir::upgrade_paths(&headers, &migrations) {
            out.push(MigrationPath {
                from: p.from.id.key(),
                to: p.to.id.key(),
                reversible: p.lossless(),
                mql4_from: p.from.id.versioned(),
                mql4_to: p.to.id.versioned(),
                from_version: format!("{}_{}", p.from.id.major, p.from.id.minor),
                to_version: format!("{}_{}", p.to.id.major, p.to.id.minor),
                mql4_steps: p
                    .migrations
                    .iter()
                    .map(|m| (format!("{}_To_{}_{}", m.from.versioned(), m.to.major, m.to.minor), m.from.versioned()))
                    .collect(),
            });
        }
    }
    Ok(out)
}

/// Sends the migration vectors of `paths` to the [`MIGRATING`] testees and checks their answers
/// (see the crate docs); the problems, and the counts of vectors, of agreeing ones and of
/// round trips.
fn migrations(
    paths: &[MigrationPath],
    testee: impl Fn(&str) -> Command,
    messages: &[(String, Vec<Sample>)],
) -> Result<(Vec<String>, usize, usize, usize), String> {
    let mut requests: Vec<(String, String)> = Vec::new();
    let mut expected: Vec<Option<String>> = Vec::new();
    for MigrationPath { from, to, reversible, .. } in paths {
        let valid = messages.iter().filter(|(k, _)| k == from).flat_map(|(_, rows)| rows).filter(|s| s.valid);
        for s in valid {
            requests.push((format!("upgrade {from} {to}"), s.json.clone()));
            expected.push(None);
            if *reversible {
                requests.push((format!("roundtrip {from} {to}"), s.json.clone()));
                expected.push(s.canonical.clone());
            }
        }
    }
    let mut answers = BTreeMap::new();
    for name in MIGRATING {
        eprintln!("conformance: {name}: {} migration vectors", requests.len());
        answers.insert(name, ask(name, testee(name), &requests)?);
    }
    let (mut problems, mut agree, mut trips) = (Vec::new(), 0, 0);
    for (i, ((task, _), want)) in requests.iter().zip(&expected).enumerate() {
        let round = want.is_some();
        trips += usize::from(round);
        let names: &[&str] = if round { &MIGRATING[..3] } else { &MIGRATING };
        let texts: BTreeSet<Option<&String>> = names
            .iter()
            .map(|n| match &answers[n][i] {
                Answer::Accept(c) => Some(c),
                _ => None,
            })
            .collect();
        let ok = match (texts.iter().next(), texts.len()) {
            (Some(Some(c)), 1) => want.as_ref().is_none_or(|w| w == *c),
            _ => false,
        };
        if ok {
            agree += 1;
        } else {
            let got: Vec<String> = names.iter().map(|n| format!("{n}: {:?}", answers[n][i])).collect();
            problems.push(format!(
                "{task} vector {i}: {}{}",
                got.join("; "),
                want.as_ref().map(|w| format!("; want {w}")).unwrap_or_default()
            ));
        }
    }
    Ok((problems, requests.len(), agree, trips))
}

/// Sends every (contract, message) to the testee; its answers, in order.
fn ask(name: &str, mut cmd: Command, requests: &[(String, String)]) -> Result<Vec<Answer>, String> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{name}: cannot start {cmd:?}: {e}"))?;
    let mut stdin = BufWriter::new(child.stdin.take().expect("piped"));
    let frames: Vec<Vec<u8>> = requests.iter().map(|(c, m)| request(c, m)).collect();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        for f in &frames {
            write_frame(&mut stdin, f)?;
        }
        stdin.flush()
    });
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut answers = Vec::with_capacity(requests.len());
    while let Some(frame) = read_frame(&mut stdout).map_err(|e| format!("{name}: {e}"))? {
        answers.push(Answer::decode(&frame).map_err(|e| format!("{name}: {e}"))?);
    }
    writer.join().expect("writer thread").map_err(|e| format!("{name}: writing requests: {e}"))?;
    let status = child.wait().map_err(|e| format!("{name}: {e}"))?;
    if !status.success() || answers.len() != requests.len() {
        return Err(format!("{name}: {status} after {} of {} answers", answers.len(), requests.len()));
    }
    Ok(answers)
}

/// Lints every generated `.mqh`, rewrites it for g++ into `dir`, writes `dispatch.inc` and builds
/// `testee_mql4.cpp` with sanitizers; the executable.
fn build_mql4(
    root: &Path,
    dir: &Path,
    contracts: &BTreeSet<String>,
    paths: &[MigrationPath],
) -> Result<PathBuf, String> {
    let files = read_includes(root, &["generated", "tests/conformance/generated"])?;
    stage(&files, dir)?;
    let mut dispatch = String::new();
    for name in files.keys() {
        dispatch.push_str(&format!("#include <contractc/{name}>\n"));
    }
    dispatch.push_str(
        "\nbool ctc_dispatch(const std::string &key, const string &js, string &out, string &err, bool &known) {\n",
    );
    for key in contracts {
        let t = key.rsplit('/').next().unwrap_or_default().replace(['@', '.'], "_");
        if files.contains_key(&format!("{t}.mqh")) {
            dispatch.push_str(&format!(
                "  if (key == \"{key}\") {{ known = true; {t} v; bool ok = {t}_FromJson(js, v, err); if (ok) out = {t}_ToJson(v); return ok; }}\n"
            ));
        }
    }
    for p in paths {
        let (from, to) = (&p.mql4_from, &p.mql4_to);
        if !p.mql4_steps.iter().all(|(prefix, _)| files.contains_key(&format!("{prefix}.mqh"))) {
            continue;
        }
        // One migration out of the version read: its one-call readers; else the chain.
        let single = matches!(&p.mql4_steps[..], [(_, first)] if first == from);
        let upgrade = if single {
            format!("{to} w; if (!{to}_FromJson_{}(js, w, err)) return false;", p.from_version)
        } else {
            let steps: String = p
                .mql4_steps
                .iter()
                .map(|(prefix, _)| format!(" if (!{prefix}_Upgrade(t, err)) return false;"))
                .collect();
            format!(
                "{from} v; if (!{from}_FromJson(js, v, err)) return false; string t = {from}_ToJson(v);{steps} {to} w; if (!{to}_FromJson(t, w, err)) return false;"
            )
        };
        dispatch.push_str(&format!(
            "  if (key == \"upgrade {} {}\") {{ known = true; {upgrade} out = {to}_ToJson(w); return true; }}\n",
            p.from, p.to
        ));
        if p.reversible {
            let back = if single {
                format!("{from} b; if (!{from}_FromJson_{}(u, b, err)) return false;", p.to_version)
            } else {
                let steps: String = p
                    .mql4_steps
                    .iter()
                    .rev()
                    .map(|(prefix, _)| format!(" if (!{prefix}_Downgrade(u, err)) return false;"))
                    .collect();
                format!("{steps} {from} b; if (!{from}_FromJson(u, b, err)) return false;")
            };
            dispatch.push_str(&format!(
                "  if (key == \"roundtrip {} {}\") {{ known = true; {upgrade} string u = {to}_ToJson(w); {back} out = {from}_ToJson(b); return true; }}\n",
                p.from, p.to
            ));
        }
    }
    dispatch.push_str("  return false;\n}\n");
    std::fs::write(dir.join("dispatch.inc"), dispatch).map_err(|e| e.to_string())?;
    let exe = dir.join("testee-mql4");
    let out = gxx(root, dir)
        .args(["-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"])
        .arg(root.join("tests/conformance/testee_mql4.cpp"))
        .arg("-o")
        .arg(&exe)
        .output()
        .map_err(|e| format!("cannot run g++ (the CI installs it): {e}"))?;
    if !out.status.success() {
        return Err(format!("g++ failed:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(exe)
}

/// `testee<TAB>contract<TAB>vector name` lines; `#` starts a comment.
fn expected_failures(path: &Path) -> Result<BTreeSet<(String, String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim_end();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        let [testee, contract, name] = parts[..] else {
            return Err(format!("{}:{}: want `testee<TAB>contract<TAB>vector name`", path.display(), n + 1));
        };
        out.insert((testee.to_string(), contract.to_string(), name.to_string()));
    }
    Ok(out)
}

fn verdict(expected: &Sample, answer: &Answer) -> Result<(), String> {
    match (answer, expected.valid) {
        (Answer::Accept(c), true) if Some(c) == expected.canonical.as_ref() => Ok(()),
        (Answer::Accept(c), true) => {
            Err(format!("wrote {c}, canonical is {}", expected.canonical.as_deref().unwrap_or_default()))
        }
        (Answer::Reject(e), true) => Err(format!("refused a valid message: {e}")),
        (Answer::Reject(e), false) if e.trim().is_empty() => Err("refused without saying why".into()),
        (Answer::Reject(_), false) => Ok(()),
        (Answer::Accept(c), false) => Err(format!("accepted an invalid message, wrote {c}")),
        (Answer::Unknown, _) => Err("does not know the contract".into()),
    }
}

fn run() -> Result<bool, String> {
    let root = root();
    let messages = all_messages();
    let requests: Vec<(String, String)> =
        messages.iter().flat_map(|(key, rows)| rows.iter().map(move |s| (key.clone(), s.json.clone()))).collect();
    let samples: Vec<(&String, &Sample)> =
        messages.iter().flat_map(|(k, rows)| rows.iter().map(move |s| (k, s))).collect();
    let contracts: BTreeSet<String> = messages.iter().map(|(k, _)| k.clone()).collect();
    let listed = expected_failures(&root.join("tests/conformance/expected-failures.txt"))?;

    let bin = std::env::current_exe().map_err(|e| e.to_string())?.parent().map(Path::to_path_buf).unwrap_or_default();
    let python = std::env::var_os("PYTHON").map_or_else(|| root.join(".venv/bin/python"), PathBuf::from);
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    eprintln!("conformance: building the MQL4 testee with g++");
    let paths = upgrade_paths(&root)?;
    let mql4 = build_mql4(&root, work.path(), &contracts, &paths)?;
    let testee = |name: &str| match name {
        "rust" => Command::new(bin.join("testee-rust")),
        "runtime" => Command::new(bin.join("testee-runtime")),
        "mql4" => Command::new(&mql4),
        _ => {
            let mut c = Command::new(&python);
            c.arg(root.join("tests/conformance/testee.py"));
            c
        }
    };
    let mut answers: BTreeMap<&str, Vec<Answer>> = BTreeMap::new();
    for name in TESTEES {
        let cmd = testee(name);
        eprintln!("conformance: {name}: {} messages", requests.len());
        answers.insert(name, ask(name, cmd, &requests)?);
    }

    let (mut problems, migration_vectors, migration_agree, round_trips) = migrations(&paths, testee, &messages)?;
    let mut seen_listed = BTreeSet::new();
    let mut table: BTreeMap<&str, BTreeMap<&str, (usize, usize)>> = BTreeMap::new();
    let (mut agree, mut valid, mut identical, mut expected) = (0, 0, 0, 0);
    for (i, (key, s)) in samples.iter().enumerate() {
        let mut all_right = true;
        for name in TESTEES {
            let answer = &answers[name][i];
            let id = (name.to_string(), key.to_string(), s.name.clone());
            let cell = table.entry(key.as_str()).or_default().entry(name).or_default();
            cell.1 += 1;
            let outcome = verdict(s, answer);
            all_right &= outcome.is_ok();
            let is_listed = listed.contains(&id);
            match (outcome, is_listed) {
                (Ok(()), false) => cell.0 += 1,
                (Ok(()), true) => {
                    problems.push(format!("{name} {key} {:?}: unexpected pass (listed as a failure)", s.name))
                }
                (Err(_), true) => expected += 1,
                (Err(e), false) => problems.push(format!("{name} {key} {:?}: {e}", s.name)),
            }
            if is_listed {
                seen_listed.insert(id);
            }
        }
        let accepts: BTreeSet<bool> = TESTEES.iter().map(|t| matches!(answers[t][i], Answer::Accept(_))).collect();
        if accepts.len() == 1 && accepts.contains(&s.valid) {
            agree += 1;
        }
        if s.valid {
            valid += 1;
            identical += usize::from(all_right);
        }
    }
    for stale in listed.difference(&seen_listed) {
        problems.push(format!("expected-failures.txt names no vector: {stale:?}"));
    }

    println!("{:<28} {:>9} {:>9} {:>9} {:>9}", "contract", TESTEES[0], TESTEES[1], TESTEES[2], TESTEES[3]);
    for (key, row) in &table {
        let cells: Vec<String> = TESTEES.iter().map(|t| format!("{}/{}", row[t].0, row[t].1)).collect();
        println!("{key:<28} {:>9} {:>9} {:>9} {:>9}", cells[0], cells[1], cells[2], cells[3]);
    }
    for p in &problems {
        println!("FAIL {p}");
    }
    let pct = |a: usize, b: usize| if b == 0 { 100.0 } else { 100.0 * a as f64 / b as f64 };
    println!(
        "migrations: {migration_vectors} vectors ({} upgrades through {}, {round_trips} round trips through {}), agreement and canonical-identical {:.2}%",
        migration_vectors - round_trips,
        MIGRATING.join(", "),
        MIGRATING[..3].join(", "),
        pct(migration_agree, migration_vectors)
    );
    println!(
        "conformance: {} vectors, agreement {:.2}%, canonical-identical {:.2}%, expected-failures {expected}",
        samples.len(),
        pct(agree, samples.len()),
        pct(identical, valid)
    );
    Ok(problems.is_empty())
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("conformance: {e}");
            ExitCode::from(2)
        }
    }
}

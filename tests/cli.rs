//! The `contractc` command line on a copy of the project: writes only what changed, says so, and
//! `--check` names a hand-edited file; a templates folder may stand anywhere.

use std::path::Path;
use std::process::Command;

use contractc_tests::root;

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn contractc(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO"))
        .current_dir(root())
        .args(["run", "--quiet", "-p", "contractc", "--"])
        .args(args)
        .arg("--config")
        .arg(dir.join("contractc.toml"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout),
    )
}

fn mtimes(dir: &Path) -> Vec<(String, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push((e.path().display().to_string(), e.metadata().unwrap().modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn second_build_writes_nothing_and_check_names_an_edited_file() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path();
    for d in ["contracts", "templates"] {
        copy(&root().join(d), &project.join(d));
    }
    std::fs::copy(root().join("contractc.toml"), project.join("contractc.toml")).unwrap();

    let (code, out) = contractc(project, &["build"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("wrote"), "{out}");
    let before = mtimes(&project.join("generated"));

    let (code, out) = contractc(project, &["build"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("up to date, no file written"), "{out}");
    assert_eq!(before, mtimes(&project.join("generated")), "the second build touched files");

    let edited = project.join("generated/python/src/trading_contracts/events/signal_1_0.py");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, text.replace("strength", "confidence")).unwrap();
    let (code, out) = contractc(project, &["build", "--check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("modified: generated/python/src/trading_contracts/events/signal_1_0.py"), "{out}");

    let (code, out) = contractc(project, &["build"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = contractc(project, &["build", "--check"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn errors_name_file_line_column_and_pointer() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path();
    for d in ["contracts", "templates"] {
        copy(&root().join(d), &project.join(d));
    }
    std::fs::copy(root().join("contractc.toml"), project.join("contractc.toml")).unwrap();
    let tick = project.join("contracts/events/PriceTick@1.0.json");
    let text = std::fs::read_to_string(&tick).unwrap();
    std::fs::write(&tick, text.replace("\"Instrument@1.0.json\"", "\"Instrument@9.0.json\"")).unwrap();
    let wf = project.join("contracts/workflows/eurusd_pipeline@1.0.json");
    let text = std::fs::read_to_string(&wf).unwrap().replace("signal.strength >= 0.2", "signal.strenght >= 0.2");
    std::fs::write(&wf, &text).unwrap();
    // Where the misspelt field is: 1-based line and column.
    let at = text.find("strenght").unwrap();
    let line = text[..at].lines().count();
    let col = at - text[..at].rfind('\n').unwrap();

    let (code, out) = contractc(project, &["build"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[E0005/unresolved-ref]"), "{out}");
    assert!(out.contains("contracts/events/PriceTick@1.0.json:10:15"), "{out}");
    assert!(out.contains("pointer: \"/properties/instrument/$ref\""), "{out}");
    assert!(out.contains("error[E0111/condition-unknown-field]"), "{out}");
    assert!(out.contains(&format!("contracts/workflows/eurusd_pipeline@1.0.json:{line}:{col}")), "{out}");
    assert!(out.contains("pointer: \"/steps/3/when\""), "{out}");
    assert!(out.contains("2 error(s)"), "one mistake, one error: {out}");
    assert!(!project.join("generated").exists(), "nothing is written when there are errors");
}

#[test]
fn warnings_pass_deny_warnings_fails_and_json_has_one_object_per_diagnostic() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path();
    for d in ["contracts", "templates"] {
        copy(&root().join(d), &project.join(d));
    }
    std::fs::copy(root().join("contractc.toml"), project.join("contractc.toml")).unwrap();
    // Signal@1.1 adds a side: JSON-compatible for new readers, a warning for old exhaustive matches.
    let v10 = std::fs::read_to_string(project.join("contracts/events/Signal@1.0.json")).unwrap();
    let v11 = v10
        .replace("Signal@1.0.json", "Signal@1.1.json")
        .replace(r#""enum": ["BUY", "SELL", "FLAT"]"#, r#""enum": ["BUY", "SELL", "FLAT", "CLOSE"]"#);
    std::fs::write(project.join("contracts/events/Signal@1.1.json"), v11).unwrap();

    let (code, out) = contractc(project, &["check"]);
    assert_eq!(code, 0, "warnings alone pass: {out}");
    assert!(out.contains("warning[W0201/new-enum-value]") && out.contains("\"CLOSE\""), "{out}");

    let (code, out) = contractc(project, &["build", "--deny-warnings"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("denied"), "{out}");
    assert!(!project.join("generated").exists(), "nothing generated when warnings are denied");

    let (code, out) = contractc(project, &["check", "--message-format", "json"]);
    assert_eq!(code, 0, "{out}");
    let objects: Vec<serde_json::Value> =
        out.lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(objects.len(), 1, "{out}");
    let d = &objects[0];
    assert_eq!(
        (d["code"].as_str(), d["name"].as_str(), d["severity"].as_str()),
        (Some("W0201"), Some("new-enum-value"), Some("warning"))
    );
    assert_eq!(d["file"], "contracts/events/Signal@1.1.json");
    assert_eq!(d["pointer"], "/properties/side");
    assert!(d["line"].as_u64().unwrap() > 1 && d["column"].as_u64().unwrap() > 1);
}

#[test]
fn a_templates_folder_outside_the_project_by_absolute_path_renders_as_the_project_s_own() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path();
    copy(&root().join("contracts"), &project.join("contracts"));
    let config = std::fs::read_to_string(root().join("contractc.toml")).unwrap();
    let templates = root().join("templates");
    let absolute = format!("templates = {:?}", templates.display().to_string());
    let config: String = config
        .lines()
        .map(|l| if l.starts_with("templates") { absolute.clone() } else { l.to_string() } + "\n")
        .collect();
    assert!(config.contains(&absolute), "the configuration names its templates: {config}");
    std::fs::write(project.join("contractc.toml"), config).unwrap();

    let (code, out) = contractc(project, &["build"]);
    assert_eq!(code, 0, "{out}");
    for file in ["python/src/trading_contracts/events/signal_1_0.py", "mql4/Include/contractc/Signal_1_0.mqh"] {
        let made = std::fs::read_to_string(project.join("generated").join(file)).unwrap();
        let committed = std::fs::read_to_string(root().join("generated").join(file)).unwrap();
        assert_eq!(made, committed, "{file}");
    }
}

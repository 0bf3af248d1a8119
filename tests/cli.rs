//! The `contractc` command line on a copy of the project: writes only what changed, says so, and
//! `--check` names a hand-edited file; a templates folder may stand anywhere; the build log lets a
//! no-op build stop before compiling, and every change that matters makes a build run again;
//! `watch` rebuilds after each edit, survives errors and deleted files, and stops on Ctrl-C.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

/// A copy of the repository's project (configuration, contracts, templates) in a fresh folder.
fn sample_project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for d in ["contracts", "templates"] {
        copy(&root().join(d), &tmp.path().join(d));
    }
    std::fs::copy(root().join("contractc.toml"), tmp.path().join("contractc.toml")).unwrap();
    tmp
}

/// Builds `project` and asserts the build compiled (the log did not let it stop early).
fn full_build(project: &Path) -> String {
    let (code, out) = contractc(project, &["build"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("compiled ") && !out.contains(SKIPPED), "expected a full build: {out}");
    out
}

/// Builds `project` and asserts the build log let it stop before compiling.
fn no_op_build(project: &Path) {
    let (code, out) = contractc(project, &["build"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(SKIPPED) && out.contains("up to date, no file written"), "expected a no-op: {out}");
    assert!(!out.contains("compiled "), "{out}");
}

/// What a build that the log stopped early says.
const SKIPPED: &str = "unchanged since the last build";

const SIGNAL_PY: &str = "generated/python/src/trading_contracts/events/signal_1_0.py";

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
    let tmp = sample_project();
    let project = tmp.path();

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
    let tmp = sample_project();
    let project = tmp.path();
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
    let tmp = sample_project();
    let project = tmp.path();
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
    // Besides the warning, the notes of OrderIntent@2.0's changes that its migration explains.
    let (notes, warnings): (Vec<_>, Vec<_>) = objects.iter().partition(|d| d["severity"] == "note");
    assert!(!notes.is_empty() && notes.iter().all(|d| d["code"] == "N0301"), "{out}");
    assert_eq!(warnings.len(), 1, "{out}");
    let d = warnings[0];
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

#[test]
fn a_no_op_build_stops_before_compiling_and_touches_no_file() {
    let tmp = sample_project();
    let project = tmp.path();
    full_build(project);
    let generated = project.join("generated");
    assert!(generated.join(".contractc-log").is_file());
    let before = mtimes(&generated);
    no_op_build(project);
    no_op_build(project);
    assert_eq!(before, mtimes(&generated), "a no-op build touched a file (the log included)");
}

#[test]
fn a_deleted_output_is_restored_by_build() {
    let tmp = sample_project();
    let project = tmp.path();
    full_build(project);
    let file = project.join(SIGNAL_PY);
    let original = std::fs::read(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    let out = full_build(project);
    assert!(out.contains("wrote 1 file(s)"), "{out}");
    assert_eq!(std::fs::read(&file).unwrap(), original);
    no_op_build(project);
}

#[test]
fn a_hand_edited_output_is_named_by_check_and_restored_by_build() {
    let tmp = sample_project();
    let project = tmp.path();
    full_build(project);
    let file = project.join(SIGNAL_PY);
    let original = std::fs::read_to_string(&file).unwrap();
    // Same size: only the time and the bytes tell.
    std::fs::write(&file, original.replace("strength", "STRENGTH")).unwrap();

    let (code, out) = contractc(project, &["build", "--check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("modified: {SIGNAL_PY}")), "{out}");
    assert!(out.contains("+    strength"), "the diff shows what the build will write: {out}");

    let out = full_build(project);
    assert!(out.contains("wrote 1 file(s)"), "{out}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    let (code, out) = contractc(project, &["build", "--check"]);
    assert_eq!(code, 0, "{out}");
    no_op_build(project);
}

#[test]
fn another_compiler_version_in_the_log_rebuilds_everything() {
    let tmp = sample_project();
    let project = tmp.path();
    full_build(project);
    let log = project.join("generated/.contractc-log");
    let version = format!("compiler {}", env!("CARGO_PKG_VERSION"));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.lines().any(|l| l == version), "{text}");
    std::fs::write(&log, text.replace(&version, "compiler 0.0.0-another")).unwrap();
    // An edit that keeps the size and the time, which only comparing bytes finds: the log no
    // longer vouches for the outputs, so the build must compare every one.
    let file = project.join(SIGNAL_PY);
    let original = std::fs::read_to_string(&file).unwrap();
    let time = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::fs::write(&file, original.replace("strength", "STRENGTH")).unwrap();
    std::fs::File::options().write(true).open(&file).unwrap().set_modified(time).unwrap();

    let out = full_build(project);
    assert!(out.contains("wrote 1 file(s)"), "{out}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.lines().any(|l| l == version), "the log names this compiler again: {text}");
    let (code, out) = contractc(project, &["build", "--check"]);
    assert_eq!(code, 0, "{out}");
    no_op_build(project);
}

#[test]
fn an_edited_contract_or_template_or_configuration_rebuilds() {
    let tmp = sample_project();
    let project = tmp.path();
    full_build(project);
    let edit = |rel: &str, from: &str, to: &str| {
        let path = project.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };

    edit("contracts/events/Signal@1.0.json", "Confidence from 0", "Conviction from 0");
    let out = full_build(project);
    assert!(out.contains("wrote "), "{out}");
    assert!(std::fs::read_to_string(project.join(SIGNAL_PY)).unwrap().contains("Conviction from 0"));
    no_op_build(project);

    // A template that no output changes with still counts: the log cannot know which do.
    let template = walkdir::WalkDir::new(project.join("templates"))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .find(|p| p.extension().is_some_and(|e| e == "j2"))
        .unwrap();
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(&template, format!("{{# a comment #}}{text}")).unwrap();
    let out = full_build(project);
    assert!(out.contains("no file written"), "{out}");
    no_op_build(project);

    edit("contractc.toml", "[rust]", "# a comment\n[rust]");
    full_build(project);
    no_op_build(project);
}

#[test]
fn warnings_are_printed_by_every_build() {
    let tmp = sample_project();
    let project = tmp.path();
    let v10 = std::fs::read_to_string(project.join("contracts/events/Signal@1.0.json")).unwrap();
    let v11 = v10
        .replace("Signal@1.0.json", "Signal@1.1.json")
        .replace(r#""enum": ["BUY", "SELL", "FLAT"]"#, r#""enum": ["BUY", "SELL", "FLAT", "CLOSE"]"#);
    std::fs::write(project.join("contracts/events/Signal@1.1.json"), v11).unwrap();
    for _ in 0..2 {
        let out = full_build(project);
        assert!(out.contains("warning[W0201/new-enum-value]"), "{out}");
    }
}

#[test]
fn the_log_stays_out_of_version_control_and_check_ignores_it() {
    let tmp = sample_project();
    let project = tmp.path();
    full_build(project);
    let generated = project.join("generated");
    let ignore = std::fs::read_to_string(generated.join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "/.contractc-log"), "{ignore}");
    let manifest = std::fs::read_to_string(generated.join(".contractc-manifest")).unwrap();
    assert!(manifest.lines().any(|l| l == ".contractc-log"), "{manifest}");

    std::fs::write(generated.join(".contractc-log"), "not a log\n").unwrap();
    let (code, out) = contractc(project, &["build", "--check"]);
    assert_eq!(code, 0, "a stale or broken log is no stale output: {out}");
    std::fs::remove_file(generated.join(".contractc-log")).unwrap();
    let (code, out) = contractc(project, &["build", "--check"]);
    assert_eq!(code, 0, "nor is a missing one: {out}");
    assert!(!generated.join(".contractc-log").exists(), "--check writes no log");

    let out = full_build(project);
    assert!(out.contains("no file written"), "{out}");
    no_op_build(project);
}

/// A running `contractc watch`, whose stderr is read line by line. It is killed when dropped
/// (a failed test leaves no process behind).
struct Watch {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Every line read so far, for failure messages.
    seen: Vec<String>,
}

impl Watch {
    fn start(project: &Path) -> Watch {
        let mut child = Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["run", "--quiet", "-p", "contractc", "--", "watch", "--config"])
            .arg(project.join("contractc.toml"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, lines, seen: Vec::new() }
    }

    /// Reads lines until one starts with `prefix`, and returns the lines read, that one last.
    /// The time limit only guards against a hang (the first call may wait for cargo to build
    /// contractc); nothing is timed.
    fn wait_for(&mut self, prefix: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(600);
        let mut read = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    read.push(line.clone());
                    if line.starts_with(prefix) {
                        return read;
                    }
                }
                Err(e) => panic!("no line starting {prefix:?} ({e:?}); stderr so far:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// Sends SIGINT (Ctrl-C), reads stderr to its end and returns the exit status and what was
    /// printed after the signal.
    fn interrupt(mut self) -> (std::process::ExitStatus, Vec<String>) {
        // `cargo run` executes the program in its own process, so this is contractc's pid.
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: sends a signal to a child this test started and has not waited for yet.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut after = Vec::new();
        loop {
            match self.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => after.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(e) => panic!("still running after SIGINT ({e:?}): {after:?}"),
            }
        }
        (self.child.wait().unwrap(), after)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Replaces `path`'s contents at once, as editors save (a new file renamed over the old), so a
/// watcher never reads it half-written.
fn save(path: &Path, text: &str) {
    let tmp = path.with_extension("saving");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// The modification time of every generated file but the build log, which every build rewrites.
fn output_times(project: &Path) -> Vec<(String, std::time::SystemTime)> {
    mtimes(&project.join("generated")).into_iter().filter(|(p, _)| !p.ends_with(".contractc-log")).collect()
}

const SIGNAL_RS: &str = "generated/rust/src/events/signal_1_0.rs";

#[test]
fn watch_rebuilds_after_each_edit_survives_errors_and_deleted_files_and_stops_on_ctrl_c() {
    let tmp = sample_project();
    let project = tmp.path();
    let mut watch = Watch::start(project);
    let first = watch.wait_for("watching ");
    let built = first.iter().find(|l| l.starts_with("built in ")).expect("an initial build line");
    assert!(built.contains("8 contract(s) and 2 workflow(s), wrote "), "{first:?}");
    assert!(project.join(SIGNAL_PY).is_file() && project.join(SIGNAL_RS).is_file());

    // An optional property: the generated Python and Rust gain the field.
    let signal = project.join("contracts/events/Signal@1.0.json");
    let original = std::fs::read_to_string(&signal).unwrap();
    let with_note = original.replacen(
        r#""properties": {"#,
        r#""properties": {
    "note": { "description": "Free text for the trader.", "type": "string", "maxLength": 200 },"#,
        1,
    );
    assert_ne!(with_note, original);
    for file in [SIGNAL_PY, SIGNAL_RS] {
        assert!(!std::fs::read_to_string(project.join(file)).unwrap().contains("note"), "{file}");
    }
    save(&signal, &with_note);
    let read = watch.wait_for("rebuilt in ");
    let line = read.last().unwrap();
    assert!(line.contains(": 1 contract changed, wrote "), "{read:?}");
    for file in [SIGNAL_PY, SIGNAL_RS] {
        let text = std::fs::read_to_string(project.join(file)).unwrap();
        assert!(text.contains("note") && text.contains("Free text for the trader."), "{file}:\n{text}");
    }

    // A syntax error: printed as `build` prints it, and nothing is written.
    let before = output_times(project);
    save(&signal, &with_note.replacen(r#""type": "object","#, r#""type": "object""#, 1));
    let read = watch.wait_for("rebuilt in ");
    assert!(read.iter().any(|l| l.starts_with("error[E0001/json-syntax]")), "{read:?}");
    assert!(read.iter().any(|l| l.contains("contracts/events/Signal@1.0.json:")), "{read:?}");
    assert!(read.iter().any(|l| l.ends_with("error(s); nothing was generated")), "{read:?}");
    assert!(read.last().unwrap().ends_with(": 1 contract changed, nothing written"), "{read:?}");
    assert_eq!(before, output_times(project), "a build with errors wrote a file");

    // Fixed: it compiles again, to the very outputs it wrote before the error.
    save(&signal, &with_note);
    let read = watch.wait_for("rebuilt in ");
    assert!(read.last().unwrap().ends_with(": 1 contract changed, no output changed"), "{read:?}");
    assert_eq!(before, output_times(project));

    // A new contract is generated; once deleted, its generated files are deleted too.
    let note = project.join("contracts/events/Note@1.0.json");
    save(&note, r#"{ "type": "object", "properties": { "text": { "type": "string" } }, "required": ["text"] }"#);
    let read = watch.wait_for("rebuilt in ");
    assert!(read.last().unwrap().contains(": 1 contract added, wrote "), "{read:?}");
    let note_py = project.join("generated/python/src/trading_contracts/events/note_1_0.py");
    assert!(note_py.is_file(), "{read:?}");
    std::fs::remove_file(&note).unwrap();
    let read = watch.wait_for("rebuilt in ");
    assert!(read.last().unwrap().contains(": 1 contract removed, wrote "), "{read:?}");
    assert!(read.last().unwrap().contains(", deleted "), "{read:?}");
    assert!(!note_py.exists());
    assert_eq!(std::fs::read_to_string(project.join(SIGNAL_PY)).unwrap().matches("Free text").count(), 1);

    let (status, after) = watch.interrupt();
    assert!(status.success(), "Ctrl-C: {status:?} {after:?}");
    assert!(after.iter().all(|l| !l.contains("error") && !l.contains("panick")), "{after:?}");

    // What watch wrote is what build writes, and its build log lets build stop early.
    no_op_build(project);
}

/// `contractc init` in an empty folder outside the repository, then `contractc build`: no
/// templates folder and no other file needed; the example workflow's plan runs; a second `init`
/// writes nothing. A templates folder with one file changes only its backend's output.
#[test]
fn init_then_build_needs_no_other_file_and_a_template_overrides_one_backend() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("new");
    let (code, out) = contractc(&project, &["init", project.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("contractc build"), "{out}");
    let (code, out) = contractc(&project, &["build"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        project.join("generated/plans/hello@1.0.plan.bin").is_file()
            && project.join("generated/rust/Cargo.toml").is_file()
    );
    let (code, out) = contractc(&project, &["init", project.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("exists already; nothing was written"), "{out}");

    let generated = |dir: &str| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = walk(&project.join("generated").join(dir));
        files.sort();
        files
    };
    let (rust, mql4, python) = (generated("rust"), generated("mql4"), generated("python"));
    let (code, out) = contractc(&project, &["templates", "export", project.join("templates").to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let module = project.join("templates/python/module.py.j2");
    let text = std::fs::read_to_string(&module).unwrap();
    std::fs::write(&module, format!("# A comment of this project's.\n{text}")).unwrap();
    let (code, out) = contractc(&project, &["build"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!((generated("rust"), generated("mql4")), (rust, mql4), "the other backends are as before");
    let module = project.join("generated/python/src/contracts/events/price_tick_1_0.py");
    assert!(std::fs::read_to_string(module).unwrap().starts_with("# A comment of this project's.\n"));
    assert_ne!(generated("python"), python);
}

/// Every file under `dir`: its path from `dir` and its bytes.
fn walk(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.extend(walk(&path).into_iter().map(|(p, b)| (format!("{name}/{p}"), b)));
        } else {
            out.push((path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

/// The machine formats of one error and one warning, as CI tools read them: GitHub workflow
/// commands and a SARIF 2.1.0 log (`tests/python/test_sarif.py` validates the log against the
/// SARIF schema), each an insta snapshot.
#[test]
fn github_and_sarif_formats_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("contracts/events")).unwrap();
    std::fs::write(tmp.path().join("contractc.toml"), "backends = [\"rust\"]\n").unwrap();
    std::fs::write(
        tmp.path().join("contracts/events/Bad@1.0.json"),
        "{ \"type\": \"object\",\n  \"properties\": { \"a\": { \"$ref\": \"Nope@1.0.json\" } },\n  \"markdownDescription\": \"x\" }\n",
    )
    .unwrap();
    let stdout = |format: &str| {
        let out = Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["run", "--quiet", "-p", "contractc", "--", "check", "--message-format", format, "--config"])
            .arg(tmp.path().join("contractc.toml"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!("message_format_github", stdout("github"));
        let sarif = stdout("sarif").replace(env!("CARGO_PKG_VERSION"), "<version>");
        insta::assert_snapshot!("message_format_sarif", sarif);
    });
}

/// `contractc import` on a folder of `*.schema.json` files, some with URL `$id`s that refer to
/// each other by URI, some by relative path: named by title, `$id` or file name, relative
/// `$ref`s renamed, then `contractc build` generates every backend. Two schemas with one name,
/// and a contract file that exists, write nothing.
#[test]
fn import_names_the_contracts_rewrites_relative_refs_and_the_project_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let (project, src) = (tmp.path().join("p"), tmp.path().join("schemas"));
    std::fs::create_dir_all(src.join("web")).unwrap();
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("contractc.toml"), "backends = [\"rust\", \"python\", \"mql4\"]\n").unwrap();
    let files = [
        (
            "address.schema.json",
            r#"{ "type": "object", "properties": { "city": { "type": "string" } }, "required": ["city"] }"#,
        ),
        (
            "customer.schema.json",
            r##"{ "title": "customer record", "type": "object", "properties": { "home": { "$ref": "address.schema.json" }, "work": { "$ref": "./address.schema.json#" } } }"##,
        ),
        (
            "web/a.json",
            r#"{ "$id": "https://example.com/s/item.json", "type": "object", "properties": { "price": { "$ref": "money.json" } } }"#,
        ),
        (
            "web/b.json",
            r#"{ "$id": "https://example.com/s/money.json", "type": "object", "properties": { "amount": { "type": "number" } } }"#,
        ),
    ];
    for (name, text) in files {
        std::fs::write(src.join(name), text).unwrap();
    }
    let (code, out) = contractc(&project, &["import", src.to_str().unwrap(), "--namespace", "shop"]);
    assert_eq!(code, 0, "{out}");
    for line in [
        "address.schema.json -> contracts/shop/Address@1.0.json (named by its file name)",
        "customer.schema.json -> contracts/shop/CustomerRecord@1.0.json (named by its title, 2 `$ref`(s) renamed)",
        "a.json -> contracts/shop/Item@1.0.json (named by its $id)",
        "4 compile, 0 with errors",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    let customer = std::fs::read_to_string(project.join("contracts/shop/CustomerRecord@1.0.json")).unwrap();
    assert!(
        customer.contains(r#""$ref": "Address@1.0.json""#) && customer.contains(r##""$ref": "Address@1.0.json#""##)
    );
    let (code, out) = contractc(&project, &["build"]);
    assert_eq!(code, 0, "{out}");
    assert!(project.join("generated/rust/src/shop/item_1_0.rs").is_file(), "{out}");

    let (code, out) = contractc(&project, &["import", src.to_str().unwrap(), "--namespace", "shop"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("exists already; nothing was imported"), "{out}");
    std::fs::write(src.join("web/c.json"), r#"{ "title": "Address", "type": "string" }"#).unwrap();
    let (code, out) = contractc(&project, &["import", src.to_str().unwrap(), "--namespace", "other"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("would both be `other/Address@1.0`"), "{out}");
    assert!(!project.join("contracts/other").exists(), "nothing written");
}

/// `contractc import --split-defs` on a draft-07 bundle that only holds definitions: one contract
/// per entry, each with the bundle's `$schema`; `$ref`s into an entry, and into what it holds,
/// name its contract; no contract for the bundle itself; the project builds.
#[test]
fn import_split_defs_makes_each_definition_a_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("contractc.toml"), "backends = [\"rust\", \"python\", \"mql4\"]\n").unwrap();
    let bundle = tmp.path().join("bundle.json");
    std::fs::write(
        &bundle,
        r##"{ "$schema": "http://json-schema.org/draft-07/schema#", "title": "Shop",
  "definitions": {
    "line item": { "type": "object", "properties": { "sku": { "type": "string" }, "price": { "$ref": "#/definitions/money" } }, "required": ["sku"] },
    "money": { "type": "object", "properties": { "amount": { "type": "number", "minimum": 0 } }, "required": ["amount"] },
    "order": { "type": "object", "properties": { "lines": { "type": "array", "items": { "$ref": "#/definitions/line item" } },
      "total": { "$ref": "#/definitions/money/properties/amount" } } }
  } }"##,
    )
    .unwrap();
    let (code, out) = contractc(&project, &["import", bundle.to_str().unwrap(), "--namespace", "shop", "--split-defs"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(definition `line item`) -> contracts/shop/LineItem@1.0.json (named by its key"), "{out}");
    assert!(out.contains("3 compile, 0 with errors"), "{out}");
    assert!(!project.join("contracts/shop/Shop@1.0.json").exists(), "a bundle of definitions alone is no contract");
    let order = std::fs::read_to_string(project.join("contracts/shop/Order@1.0.json")).unwrap();
    assert!(order.starts_with(r##"{ "$schema": "http://json-schema.org/draft-07/schema#","##), "{order}");
    assert!(order.contains(r##""$ref": "LineItem@1.0.json""##), "{order}");
    assert!(order.contains(r##""$ref": "Money@1.0.json#/properties/amount""##), "{order}");
    let (code, out) = contractc(&project, &["build"]);
    assert_eq!(code, 0, "{out}");
}

/// Installed as the README says (`cargo install --path compiler/driver` and `--path runtime`,
/// here `--debug` into a temporary root, reusing the workspace's build), both binaries run on a
/// project outside the repository: `contractc init`, `contractc build`, `runtime` on its plan.
#[test]
fn cargo_install_gives_binaries_that_work_outside_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), std::path::PathBuf::from);
    for crate_dir in ["compiler/driver", "runtime"] {
        let out = Command::new(env!("CARGO"))
            .current_dir(root())
            .env("CARGO_TARGET_DIR", &target)
            .args(["install", "--quiet", "--debug", "--locked", "--path", crate_dir, "--root"])
            .arg(tmp.path().join("root"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let bin = |name: &str| tmp.path().join("root/bin").join(name);
    let run = |program: std::path::PathBuf, args: &[&str]| {
        let out = Command::new(program).current_dir(tmp.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(run(bin("contractc"), &["--version"]).contains("plan format"));
    run(bin("contractc"), &["init", "project"]);
    run(bin("contractc"), &["build", "--config", "project/contractc.toml"]);
    let out = Command::new(bin("runtime"))
        .current_dir(tmp.path().join("project"))
        .arg("generated/plans/hello@1.0.plan.bin")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

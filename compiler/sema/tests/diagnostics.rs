//! Invalid inputs and the diagnostics they get, rendered as users see them (insta snapshots).
//! Each case is a set of files; `check` compiles them and renders every diagnostic.

use contractc_diagnostics::render_to_string;
use contractc_sema::{Database, Settings, SourceFile, Workspace, compile};

const INSTRUMENT: &str = r#"{
  "type": "object",
  "properties": { "symbol": { "type": "string" } },
  "required": ["symbol"],
  "additionalProperties": false
}"#;

const SIGNAL: &str = r#"{
  "type": "object",
  "properties": {
    "side": { "type": "string", "enum": ["BUY", "SELL"] },
    "strength": { "type": "number" }
  },
  "required": ["side", "strength"],
  "additionalProperties": false
}"#;

fn check(files: &[(&str, &str)]) -> String {
    let db = Database::default();
    let sources = files.iter().map(|(p, t)| SourceFile::new(&db, p.to_string(), t.to_string())).collect();
    let ws = Workspace::new(&db, sources, Settings::default());
    let compiled = compile(&db, ws);
    assert!(compiled.program.is_none() || compiled.diagnostics.is_empty());
    render_to_string(&compiled.diagnostics, |path| files.iter().find(|(p, _)| *p == path).map(|(_, t)| *t))
}

fn workflow(steps: &str) -> String {
    format!("{{\n  \"name\": \"w\",\n  \"steps\": [\n{steps}\n  ]\n}}\n")
}

#[test]
fn valid_inputs_have_no_diagnostics() {
    let wf = workflow(
        r#"    { "name": "a", "run": ["a"], "output": { "contract": "events/Signal@1.0", "stream": true } },
    { "name": "b", "run": ["b"], "inputs": { "s": { "from": "a" } }, "when": "s.strength > 0.5 && s.side == \"BUY\"" }"#,
    );
    assert_eq!(check(&[("c/events/Signal@1.0.json", SIGNAL), ("c/workflows/w@1.0.json", &wf)]), "");
}

#[test]
fn unresolved_ref() {
    let tick = r#"{
  "type": "object",
  "properties": { "instrument": { "$ref": "Instrument@2.0.json" } },
  "additionalProperties": false
}"#;
    insta::assert_snapshot!(check(&[("c/events/Instrument@1.0.json", INSTRUMENT), ("c/events/Tick@1.0.json", tick)]));
}

#[test]
fn unknown_step() {
    let wf = workflow(r#"    { "name": "a", "run": ["a"], "depends_on": ["nope"] }"#);
    insta::assert_snapshot!(check(&[("c/workflows/w@1.0.json", &wf)]));
}

#[test]
fn workflow_cycle() {
    let wf = workflow(
        r#"    { "name": "a", "run": ["a"], "depends_on": ["c"] },
    { "name": "b", "run": ["b"], "depends_on": ["a"] },
    { "name": "c", "run": ["c"], "depends_on": ["b"] }"#,
    );
    insta::assert_snapshot!(check(&[("c/workflows/w@1.0.json", &wf)]));
}

#[test]
fn condition_unknown_field() {
    let wf = workflow(
        r#"    { "name": "a", "run": ["a"], "output": { "contract": "events/Signal@1.0", "stream": true } },
    { "name": "b", "run": ["b"], "inputs": { "s": { "from": "a" } }, "when": "s.strenght > 0.5" }"#,
    );
    insta::assert_snapshot!(check(&[("c/events/Signal@1.0.json", SIGNAL), ("c/workflows/w@1.0.json", &wf)]));
}

#[test]
fn condition_type_mismatch_and_enum_literal() {
    let wf = workflow(
        r#"    { "name": "a", "run": ["a"], "output": { "contract": "events/Signal@1.0", "stream": true } },
    { "name": "b", "run": ["b"], "inputs": { "s": { "from": "a" } }, "when": "s.strength > \"x\"" },
    { "name": "c", "run": ["c"], "inputs": { "s": { "from": "a" } }, "when": "s.side == \"HOLD\"" }"#,
    );
    insta::assert_snapshot!(check(&[("c/events/Signal@1.0.json", SIGNAL), ("c/workflows/w@1.0.json", &wf)]));
}

#[test]
fn unsupported_keyword_and_bad_file_name() {
    let unsupported = r#"{
  "type": "object",
  "properties": { "symbol": { "type": "string", "not": { "const": "XXX" } } },
  "additionalProperties": false
}"#;
    insta::assert_snapshot!(check(&[("c/events/Sym@1.0.json", unsupported), ("c/events/lower@1.0.json", INSTRUMENT)]));
}

#[test]
fn json_syntax_error() {
    insta::assert_snapshot!(check(&[("c/events/Broken@1.0.json", "{\n  \"type\": \"object\",\n}\n")]));
}

#[test]
fn ref_cycle() {
    let a = r#"{ "type": "object", "properties": { "b": { "$ref": "B@1.0.json" } }, "additionalProperties": false }"#;
    let b = r#"{ "type": "object", "properties": { "a": { "$ref": "A@1.0.json" } }, "additionalProperties": false }"#;
    insta::assert_snapshot!(check(&[("c/events/A@1.0.json", a), ("c/events/B@1.0.json", b)]));
}

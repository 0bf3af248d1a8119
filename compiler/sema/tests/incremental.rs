//! Incrementality is tested, not assumed, by the queries salsa executes (`WillExecute` events):
//! after one file changes, only that file is parsed and lowered again; an edit that only moves
//! bytes lowers nothing, and the diagnostics still point at the new bytes.

use std::sync::{Arc, Mutex};

use contractc_sema::{Database, Settings, SourceFile, Workspace, compile};
use salsa::Setter;

fn contract(field: &str) -> String {
    format!(
        r#"{{ "type": "object", "properties": {{ "{field}": {{ "type": "number" }} }}, "additionalProperties": false }}"#
    )
}

/// How many times query `name` (e.g. `"lowered("`) executed.
fn ran(log: &Mutex<Vec<String>>, name: &str) -> usize {
    log.lock().unwrap().iter().filter(|k| k.starts_with(name)).count()
}

/// A database that logs the queries it executes.
fn logged() -> (Database, Arc<Mutex<Vec<String>>>) {
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = log.clone();
    let db = Database::with_events(move |e| {
        if let salsa::EventKind::WillExecute { database_key } = e.kind {
            sink.lock().unwrap().push(format!("{database_key:?}"));
        }
    });
    (db, log)
}

#[test]
fn a_whitespace_edit_lowers_nothing_and_diagnostics_follow_the_bytes() {
    let (mut db, log) = logged();
    // `markdownDescription` is an unknown keyword: a warning, located at its key.
    let text = |pad: &str| {
        format!(
            r#"{{{pad}"markdownDescription": "x", "type": "object", "properties": {{ "a": {{ "type": "number" }} }} }}"#
        )
    };
    let a = SourceFile::new(&db, "c/events/A@1.0.json".to_string(), text(""));
    let b = SourceFile::new(&db, "c/events/B@1.0.json".to_string(), contract("x"));
    let ws = Workspace::new(&db, vec![a, b], Settings::default());
    let before = compile(&db, ws).diagnostics.clone();
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(before[0].span.start, 1);

    log.lock().unwrap().clear();
    a.set_text(&mut db).to(text("\n\n    "));
    let after = compile(&db, ws).diagnostics.clone();
    for query in ["lowered(", "index(", "checked(", "contracts("] {
        assert_eq!(ran(&log, query), 0, "{query} ran: {:?}", log.lock().unwrap());
    }
    assert_eq!(ran(&log, "parse("), 1);
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].span.start, 7, "the warning moved with its key");
    assert_eq!((&after[0].message, &after[0].pointer), (&before[0].message, &before[0].pointer));
}

#[test]
fn a_leaf_edit_lowers_only_that_contract() {
    let (mut db, log) = logged();
    let described = |d: &str| {
        format!(
            r#"{{ "description": "{d}", "type": "object", "properties": {{ "a": {{ "$ref": "Base@1.0.json" }} }} }}"#
        )
    };
    let base = SourceFile::new(&db, "c/events/Base@1.0.json".to_string(), contract("x"));
    let leaf = SourceFile::new(&db, "c/events/Leaf@1.0.json".to_string(), described("one"));
    let other = SourceFile::new(&db, "c/events/Other@1.0.json".to_string(), described("other"));
    let ws = Workspace::new(&db, vec![base, leaf, other], Settings::default());
    assert!(compile(&db, ws).program.is_some());
    assert_eq!(ran(&log, "lowered("), 3);

    log.lock().unwrap().clear();
    leaf.set_text(&mut db).to(described("two"));
    let program = compile(&db, ws).program.clone().expect("valid");
    assert_eq!(ran(&log, "lowered("), 1, "{:?}", log.lock().unwrap());
    assert_eq!(program.contracts[1].description.as_deref(), Some("two"));

    // A structural edit (a property renamed) changes the leaf's part of the index, not the others'.
    log.lock().unwrap().clear();
    leaf.set_text(&mut db).to(described("two").replace("\"a\"", "\"b\""));
    assert!(compile(&db, ws).program.is_some());
    assert_eq!(ran(&log, "lowered("), 1, "{:?}", log.lock().unwrap());
}

#[test]
fn editing_one_file_reparses_only_that_file() {
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = log.clone();
    let mut db = Database::with_events(move |e| {
        if let salsa::EventKind::WillExecute { database_key } = e.kind {
            sink.lock().unwrap().push(format!("{database_key:?}"));
        }
    });
    let files: Vec<SourceFile> =
        ["A", "B", "C"].iter().map(|n| SourceFile::new(&db, format!("c/events/{n}@1.0.json"), contract("x"))).collect();
    let ws = Workspace::new(&db, files.clone(), Settings::default());
    assert!(compile(&db, ws).program.is_some());
    let parses = |log: &Mutex<Vec<String>>| log.lock().unwrap().iter().filter(|k| k.starts_with("parse(")).count();
    assert_eq!(parses(&log), 3);

    log.lock().unwrap().clear();
    files[1].set_text(&mut db).to(contract("y"));
    let program = compile(&db, ws).program.clone().expect("still valid");
    assert_eq!(parses(&log), 1, "re-ran: {:?}", log.lock().unwrap());
    assert!(log.lock().unwrap().iter().any(|k| k.starts_with("compile(")));
    assert_eq!(ran(&log, "lowered("), 1, "one contract lowered again: {:?}", log.lock().unwrap());
    let b = &program.contracts[1];
    assert_eq!(b.id.name, "B");

    log.lock().unwrap().clear();
    assert!(compile(&db, ws).program.is_some());
    assert!(log.lock().unwrap().is_empty(), "nothing changed, nothing re-ran: {:?}", log.lock().unwrap());
}

#[test]
fn editing_a_migration_checks_it_again_and_lowers_no_contract() {
    let (mut db, log) = logged();
    let ops = |to: &str| format!(r#"{{ "ops": [{{ "op": "rename", "path": "/x", "to": "{to}" }}] }}"#);
    let old = SourceFile::new(&db, "c/events/A@1.0.json".to_string(), contract("x"));
    let new = SourceFile::new(&db, "c/events/A@2.0.json".to_string(), contract("y"));
    let other = SourceFile::new(&db, "c/events/B@1.0.json".to_string(), contract("z"));
    let migration = SourceFile::new(&db, "c/migrations/events/A@1.0..2.0.json".to_string(), ops("y"));
    let ws = Workspace::new(&db, vec![old, new, other, migration], Settings::default());
    let compiled = compile(&db, ws);
    assert!(compiled.program.as_ref().is_some_and(|p| p.migrations.len() == 1), "{:?}", compiled.diagnostics);

    // A rename to a property 2.0 does not declare: the migration is checked again, alone.
    log.lock().unwrap().clear();
    migration.set_text(&mut db).to(ops("w"));
    let compiled = compile(&db, ws);
    assert_eq!(ran(&log, "migration_checked("), 1, "{:?}", log.lock().unwrap());
    assert_eq!(ran(&log, "lowered("), 0, "{:?}", log.lock().unwrap());
    let codes: Vec<&str> = compiled.diagnostics.iter().map(|d| d.code.id).collect();
    assert!(codes.contains(&"E0307"), "{codes:?}");
    assert!(compiled.program.is_none());

    // A contract the migration does not read: the migration is not checked again.
    log.lock().unwrap().clear();
    migration.set_text(&mut db).to(ops("y"));
    assert!(compile(&db, ws).program.is_some());
    log.lock().unwrap().clear();
    other.set_text(&mut db).to(contract("v"));
    assert!(compile(&db, ws).program.is_some());
    assert_eq!(ran(&log, "migration_checked("), 0, "{:?}", log.lock().unwrap());
    assert_eq!(ran(&log, "lowered("), 1, "{:?}", log.lock().unwrap());
}

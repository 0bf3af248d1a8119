//! Incrementality is tested, not assumed: after one file changes, only that file is parsed again.

use std::sync::{Arc, Mutex};

use contractc_sema::{Database, Settings, SourceFile, Workspace, compile};
use salsa::Setter;

fn contract(field: &str) -> String {
    format!(
        r#"{{ "type": "object", "properties": {{ "{field}": {{ "type": "number" }} }}, "additionalProperties": false }}"#
    )
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
    let b = &program.contracts[1];
    assert_eq!(b.id.name, "B");

    log.lock().unwrap().clear();
    assert!(compile(&db, ws).program.is_some());
    assert!(log.lock().unwrap().is_empty(), "nothing changed, nothing re-ran: {:?}", log.lock().unwrap());
}

//! The JSON Lines event log (`--events FILE`).

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

/// JSON Lines events (`--events FILE`), flushed line by line.
pub(super) struct EventLog(Option<Mutex<BufWriter<fs::File>>>);

impl EventLog {
    pub(super) fn open(path: Option<&Path>) -> std::io::Result<EventLog> {
        Ok(EventLog(match path {
            Some(p) => Some(Mutex::new(BufWriter::new(fs::OpenOptions::new().create(true).append(true).open(p)?))),
            None => None,
        }))
    }

    pub(super) fn emit(&self, t0: Instant, mut v: serde_json::Value) {
        let Some(w) = &self.0 else { return };
        if let Some(o) = v.as_object_mut() {
            o.insert("t_ms".into(), serde_json::json!(t0.elapsed().as_millis() as u64));
        }
        let mut w = w.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(w, "{v}");
        let _ = w.flush();
    }
}

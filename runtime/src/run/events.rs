//! The run's events: kept in memory for the HTML run report, and written as JSON Lines to
//! `--events FILE` when asked, line by line as they happen.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

/// Every event of the run, each a JSON object with `event` and `t_ms` (milliseconds since the
/// run started), in the order they happened; and the `--events` file they are written to.
pub(super) struct EventLog {
    file: Option<Mutex<BufWriter<fs::File>>>,
    kept: Mutex<Vec<serde_json::Value>>,
}

impl EventLog {
    pub(super) fn open(path: Option<&Path>) -> std::io::Result<EventLog> {
        let file = match path {
            Some(p) => Some(Mutex::new(BufWriter::new(fs::OpenOptions::new().create(true).append(true).open(p)?))),
            None => None,
        };
        Ok(EventLog { file, kept: Mutex::new(Vec::new()) })
    }

    pub(super) fn emit(&self, t0: Instant, mut v: serde_json::Value) {
        if let Some(o) = v.as_object_mut() {
            o.insert("t_ms".into(), serde_json::json!(t0.elapsed().as_millis() as u64));
        }
        // One lock for both, so that the file and the kept list have one order.
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = &self.file {
            let mut w = w.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(w, "{v}");
            let _ = w.flush();
        }
        kept.push(v);
    }

    /// Every event emitted, in order.
    pub(super) fn into_events(self) -> Vec<serde_json::Value> {
        self.kept.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

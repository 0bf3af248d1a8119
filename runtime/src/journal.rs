//! The run journal: an append-only file of checksummed records that survives `kill -9`.
//!
//! File: magic `CTCJRNL\0`, format version `u32` LE, then records, each `len: u32` LE,
//! `crc32(payload): u32` LE, payload (postcard [`Record`]). Every append is followed by
//! `fsync`; a failed write or fsync is returned and the runtime aborts rather than run on
//! without durability. On open, a torn tail (a short or checksum-failing last record, from a
//! crash in the middle of an append) is truncated away; records before it are kept.
//! [`read`] reads the same records without writing anything (`runtime status`).
//!
//! Format versions: 1 knew `Committed` and `Interrupted`; 2 adds [`Record::Failed`] (a variant
//! after the others, so a version-1 file reads as version 2). [`Journal::open`] reads both and
//! marks a version-1 file as version 2 before appending to it; a runtime that knows only
//! version 1 refuses a version-2 journal rather than cut its unknown records off as a torn tail.
//!
//! Ordering guarantee used by resume: a step's output file is written, fsynced and renamed into
//! place before its [`Record::Committed`] is appended, so a committed record always points at a
//! durable output (its digest is checked again on resume).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const MAGIC: [u8; 8] = *b"CTCJRNL\0";
const VERSION: u32 = 2;
/// The oldest format version this runtime reads (its records are a subset of this one's).
const OLDEST: u32 = 1;
const HEADER: usize = 12;
/// A record longer than this is corruption, not data.
const MAX_RECORD: usize = 1 << 24;

/// A SHA-256 digest.
pub type Digest = [u8; 32];

/// Lowercase hex of a digest.
pub fn hex(d: &Digest) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// What goes into a step's key, kept so `--explain` can say which part changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyParts {
    /// The step as the plan defines it (argv, env, output contract, condition, policies).
    pub definition: Digest,
    /// Each input's name and the digest of the output it reads.
    pub inputs: Vec<(String, Digest)>,
    /// The allowlisted host environment's names and values.
    pub environment: Digest,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Succeeded,
    /// Its condition admitted no message.
    Skipped(String),
}

// Records are read once per run and written once per step: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    /// A step finished for good with `key`; `output` is its durable output file and digest.
    Committed {
        step: String,
        key: Digest,
        parts: KeyParts,
        outcome: Outcome,
        /// Path relative to the run directory, and the SHA-256 of its bytes.
        output: Option<(String, Digest)>,
        messages: u64,
        admitted: Option<(u64, u64)>,
        attempts: u32,
        duration_ms: u64,
    },
    /// A step attempt was running when the run was interrupted (Ctrl-C).
    Interrupted { step: String, key: Digest, attempt: u32 },
    /// A step failed for good after `attempts` attempts (0: it could not start), for the reason
    /// the run's summary gives. Informational: a resume runs a failed step again (format 2).
    Failed { step: String, attempts: u32, reason: String },
}

impl Record {
    /// The step the record is about.
    pub fn step(&self) -> &str {
        match self {
            Record::Committed { step, .. } | Record::Interrupted { step, .. } | Record::Failed { step, .. } => step,
        }
    }
}

/// An open journal, positioned at its end.
pub struct Journal {
    file: File,
    path: PathBuf,
}

/// What [`Journal::open`] found.
pub struct Opened {
    pub journal: Journal,
    pub records: Vec<Record>,
    /// Bytes of a torn tail that were cut off.
    pub truncated: u64,
}

/// What [`read`] found: the intact records, and the bytes of a torn tail after them (which the
/// next [`Journal::open`] cuts off).
#[derive(Debug)]
pub struct Contents {
    pub records: Vec<Record>,
    pub torn: u64,
}

/// Reads the journal at `path` without writing to it: no file is created, nothing is cut off or
/// appended. Errors: the file cannot be read, is not a journal, or is of an unknown version.
/// An empty file (a crash before its header was written) has no record, as [`Journal::open`]
/// reads it.
pub fn read(path: &Path) -> io::Result<Contents> {
    let bytes = std::fs::read(path)?;
    if bytes.is_empty() {
        return Ok(Contents { records: Vec::new(), torn: 0 });
    }
    let (records, end) = parse(path, &bytes)?;
    Ok(Contents { records, torn: (bytes.len() - end) as u64 })
}

/// The intact records of a journal file's bytes (not empty), and where they end.
fn parse(path: &Path, bytes: &[u8]) -> io::Result<(Vec<Record>, usize)> {
    if bytes.len() < HEADER || bytes[..8] != MAGIC {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a contractc journal", path.display()),
        ));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if !(OLDEST..=VERSION).contains(&version) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: journal version {version} is not supported (expected {OLDEST} to {VERSION})", path.display()),
        ));
    }
    let mut records = Vec::new();
    let mut at = HEADER;
    while at + 8 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes"));
        let end = at + 8 + len;
        if len > MAX_RECORD || end > bytes.len() {
            break;
        }
        let payload = &bytes[at + 8..end];
        if crc32fast::hash(payload) != crc {
            break;
        }
        match postcard::from_bytes::<Record>(payload) {
            Ok(r) => records.push(r),
            Err(_) => break,
        }
        at = end;
    }
    Ok((records, at))
}

impl Journal {
    /// Opens (or creates) the journal at `path`, reading every intact record.
    pub fn open(path: &Path) -> io::Result<Opened> {
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        if bytes.is_empty() {
            file.write_all(&MAGIC)?;
            file.write_all(&VERSION.to_le_bytes())?;
            file.sync_all()?;
            sync_parent(path)?;
            return Ok(Opened {
                journal: Journal { file, path: path.to_path_buf() },
                records: Vec::new(),
                truncated: 0,
            });
        }
        let (records, at) = parse(path, &bytes)?;
        let truncated = (bytes.len() - at) as u64;
        if truncated > 0 {
            file.set_len(at as u64)?;
            file.sync_all()?;
        }
        // An older version's records are this version's: the file says so before it gets new ones.
        if bytes[8..12] != VERSION.to_le_bytes() {
            file.seek(SeekFrom::Start(8))?;
            file.write_all(&VERSION.to_le_bytes())?;
            file.sync_all()?;
        }
        file.seek(SeekFrom::End(0))?;
        Ok(Opened { journal: Journal { file, path: path.to_path_buf() }, records, truncated })
    }

    /// Appends one record and makes it durable before returning.
    pub fn append(&mut self, record: &Record) -> io::Result<()> {
        self.append_all(std::slice::from_ref(record))
    }

    /// Appends records with one write and one fsync (group commit): durable together on return.
    pub fn append_all(&mut self, records: &[Record]) -> io::Result<()> {
        self.append_all_on(&crate::disk::RealDisk, records)
    }

    /// [`Journal::append_all`] through `disk`. On `Err` part of the records may be written: a
    /// torn tail, which the next [`Journal::open`] cuts off; the journal must not be appended to
    /// again before that.
    pub fn append_all_on(&mut self, disk: &dyn crate::disk::Disk, records: &[Record]) -> io::Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::new();
        for record in records {
            let payload = postcard::to_stdvec(record).map_err(io::Error::other)?;
            buf.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            buf.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
            buf.extend_from_slice(&payload);
        }
        disk.write_all(&mut self.file, &buf)?;
        disk.sync_journal(&self.file)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Makes a rename or creation in `path`'s folder durable.
pub fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => File::open(dir)?.sync_all(),
        None => File::open(".")?.sync_all(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(step: &str) -> Record {
        Record::Interrupted { step: step.into(), key: [7; 32], attempt: 1 }
    }

    #[test]
    fn appends_survive_reopen_and_a_torn_tail_is_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let mut j = Journal::open(&path).unwrap().journal;
        j.append(&record("a")).unwrap();
        j.append(&record("b")).unwrap();
        drop(j);
        let full = std::fs::read(&path).unwrap();
        // Tear the last record at every possible byte.
        let second = full.len() - (full.len() - HEADER) / 2;
        for cut in second..full.len() {
            std::fs::write(&path, &full[..cut]).unwrap();
            let o = Journal::open(&path).unwrap();
            assert_eq!(o.records, vec![record("a")], "cut at {cut}");
            assert_eq!(o.truncated as usize, cut - second);
            assert_eq!(std::fs::metadata(&path).unwrap().len() as usize, second);
        }
        // A flipped bit in the last record's payload is caught by its checksum.
        let mut bad = full.clone();
        *bad.last_mut().unwrap() ^= 0x40;
        std::fs::write(&path, &bad).unwrap();
        assert_eq!(Journal::open(&path).unwrap().records, vec![record("a")]);
        // Appending after a truncation continues cleanly.
        let mut j = Journal::open(&path).unwrap().journal;
        j.append(&record("c")).unwrap();
        drop(j);
        assert_eq!(Journal::open(&path).unwrap().records, vec![record("a"), record("c")]);
    }

    #[test]
    fn read_writes_nothing_and_a_version_1_journal_opens_as_version_2() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        assert_eq!(read(&path).unwrap_err().kind(), io::ErrorKind::NotFound);
        assert!(!path.exists(), "read creates no journal");
        std::fs::write(&path, b"").unwrap();
        assert!(read(&path).unwrap().records.is_empty(), "an empty file is a journal without records");
        std::fs::remove_file(&path).unwrap();
        let failed = Record::Failed { step: "b".into(), attempts: 2, reason: "exit status 1".into() };
        let mut j = Journal::open(&path).unwrap().journal;
        j.append_all(&[record("a"), failed.clone()]).unwrap();
        drop(j);
        let mut torn = std::fs::read(&path).unwrap();
        torn.extend_from_slice(&[9, 0, 0]);
        std::fs::write(&path, &torn).unwrap();
        let contents = read(&path).unwrap();
        assert_eq!((contents.records, contents.torn), (vec![record("a"), failed], 3));
        assert_eq!(std::fs::read(&path).unwrap(), torn, "not a byte changed");

        // Version 1: the same bytes but the version; its records read, and it becomes version 2.
        let mut old = MAGIC.to_vec();
        old.extend_from_slice(&1u32.to_le_bytes());
        old.extend_from_slice(&torn[HEADER..torn.len() - 3]);
        std::fs::write(&path, &old).unwrap();
        assert_eq!(read(&path).unwrap().records.len(), 2);
        drop(Journal::open(&path).unwrap());
        assert_eq!(std::fs::read(&path).unwrap()[8..12], VERSION.to_le_bytes());
        let mut future = old.clone();
        future[8..12].copy_from_slice(&3u32.to_le_bytes());
        std::fs::write(&path, &future).unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("journal version 3 is not supported"));
    }

    #[test]
    fn refuses_a_file_that_is_not_a_journal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        std::fs::write(&path, b"hello world, not a journal").unwrap();
        assert!(Journal::open(&path).is_err());
    }
}

//! The disk operations of a step's commit, behind an interface (ninja's `DiskInterface`), so that
//! tests can make each one fail: the output made durable (fsync the file, rename it into place,
//! fsync its folder), then its journal record appended (write, fsync). [`RealDisk`] does them;
//! [`FaultyDisk`] fails one of them as a disk would.
//!
//! Whatever fails, the run stops with the error (it never runs on without durability), and the
//! journal stays readable: a record written in part is a torn tail, cut off on the next open.

use std::fmt::Debug;
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;

/// The operations of a commit, in the order they happen.
pub trait Disk: Debug + Sync {
    /// Makes a file's data durable (`fsync`).
    fn sync_file(&self, file: &File) -> io::Result<()>;
    /// Renames `from` to `to`, replacing it.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Makes a rename or creation in the folder holding `path` durable (`fsync` of the folder).
    fn sync_parent(&self, path: &Path) -> io::Result<()>;
    /// Writes all of `bytes` at the file's position (the journal's end).
    fn write_all(&self, file: &mut File, bytes: &[u8]) -> io::Result<()>;
    /// Makes the journal's appended records durable (`fdatasync`).
    fn sync_journal(&self, file: &File) -> io::Result<()>;
}

/// The disk itself.
#[derive(Debug, Default)]
pub struct RealDisk;

impl Disk for RealDisk {
    fn sync_file(&self, file: &File) -> io::Result<()> {
        file.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    fn sync_parent(&self, path: &Path) -> io::Result<()> {
        crate::journal::sync_parent(path)
    }

    fn write_all(&self, file: &mut File, bytes: &[u8]) -> io::Result<()> {
        file.write_all(bytes)
    }

    fn sync_journal(&self, file: &File) -> io::Result<()> {
        file.sync_data()
    }
}

/// Where in a commit a [`FaultyDisk`] fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    /// fsync of the output file.
    OutputSync,
    /// Its rename into place.
    OutputRename,
    /// fsync of its folder.
    FolderSync,
    /// The write of the journal record.
    JournalWrite,
    /// fsync of the journal.
    JournalSync,
}

/// How a [`FaultyDisk`] fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The operation fails with an I/O error (`EIO`) and does nothing.
    Error,
    /// A write puts down half its bytes, then fails with `ENOSPC` (a short write).
    Short,
    /// The disk is full: a write fails with `ENOSPC` and does nothing.
    Full,
}

/// A [`RealDisk`] whose `nth` operation at `point` (0 the first) fails with `fault`; every other
/// operation, and every one after the fault, goes through.
#[derive(Debug)]
pub struct FaultyDisk {
    point: Point,
    fault: Fault,
    /// Operations at `point` still to let through before the fault; `None` once it happened.
    left: Mutex<Option<usize>>,
}

impl FaultyDisk {
    pub fn new(point: Point, fault: Fault, nth: usize) -> FaultyDisk {
        FaultyDisk { point, fault, left: Mutex::new(Some(nth)) }
    }

    /// Whether the fault has happened.
    pub fn struck(&self) -> bool {
        self.left.lock().unwrap_or_else(|e| e.into_inner()).is_none()
    }

    /// Whether this operation at `point` is the one to fail.
    fn strikes(&self, point: Point) -> bool {
        if point != self.point {
            return false;
        }
        let mut left = self.left.lock().unwrap_or_else(|e| e.into_inner());
        match *left {
            Some(0) => {
                *left = None;
                true
            }
            Some(n) => {
                *left = Some(n - 1);
                false
            }
            None => false,
        }
    }

    /// The fault when this operation at `point` is the one to fail, else `real()`.
    fn or_real(&self, point: Point, real: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
        if self.strikes(point) { Err(self.error()) } else { real() }
    }

    fn error(&self) -> io::Error {
        match self.fault {
            Fault::Error => io::Error::from_raw_os_error(libc::EIO),
            Fault::Short | Fault::Full => io::Error::from_raw_os_error(libc::ENOSPC),
        }
    }
}

impl Disk for FaultyDisk {
    fn sync_file(&self, file: &File) -> io::Result<()> {
        self.or_real(Point::OutputSync, || RealDisk.sync_file(file))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.or_real(Point::OutputRename, || RealDisk.rename(from, to))
    }

    fn sync_parent(&self, path: &Path) -> io::Result<()> {
        self.or_real(Point::FolderSync, || RealDisk.sync_parent(path))
    }

    fn write_all(&self, file: &mut File, bytes: &[u8]) -> io::Result<()> {
        if self.strikes(Point::JournalWrite) {
            if self.fault == Fault::Short {
                file.write_all(&bytes[..bytes.len() / 2])?;
            }
            return Err(self.error());
        }
        RealDisk.write_all(file, bytes)
    }

    fn sync_journal(&self, file: &File) -> io::Result<()> {
        self.or_real(Point::JournalSync, || RealDisk.sync_journal(file))
    }
}

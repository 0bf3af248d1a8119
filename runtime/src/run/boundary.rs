//! The step boundary: a step's output validated and made durable, and the input a condition
//! reads filtered, both read as they stream and never whole, so memory stays flat whatever a
//! stream's length.
//!
//! - **Layout**: a JSON Lines stream is one message a line (LF; a CR before it is dropped, blank
//!   lines are skipped); a single message is the whole file, whatever its layout (one line or
//!   several).
//! - **Size limit**: a message (a line, or the single message) longer than the limit in bytes is
//!   refused with its line number; the rest of that line is read and dropped, never held.
//! - **One reader**: every message is read by [`crate::json::Reader`], the strict reader of the
//!   conformance contract: an output as it is validated ([`validate_text`], no tree), a
//!   condition's input into the tree the condition reads ([`parse_strict`]).
//! - **Migrations**: an input that reads another major of its producer's contract is carried
//!   across message by message ([`prepare`]): checked against the producer's contract, migrated
//!   ([`crate::migrate`]), written canonically and checked against the step's.

use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::cond;
use crate::disk::Disk;
use crate::journal::Digest;
use crate::plan::{Migration, Op, Validator};
use crate::validate::{parse_strict, to_canonical_json, validate_text};

/// Bytes read from a file at a time.
const CHUNK: usize = 64 << 10;

/// The output of an attempt that kept its contract, now durable.
pub(super) struct Validated {
    pub messages: u64,
    /// SHA-256 of the committed file's bytes.
    pub digest: Digest,
}

/// The output of an attempt that broke its contract (or could not be read).
pub(super) struct Rejected {
    pub messages: u64,
    pub rejected: u64,
    pub first_error: String,
}

/// Validates the output an attempt wrote to `tmp` against `validator`, message by message.
/// `stream`: JSON Lines, else one message; `limit`: the most bytes a message may take. The first
/// broken message is named by its line (`output line 2: events/Signal@1.0 at "/x": ...`).
pub(super) fn validate_output(
    validator: &Validator,
    stream: bool,
    limit: u64,
    tmp: &Path,
) -> Result<Validated, Rejected> {
    let fail = |e: String| Rejected { messages: 0, rejected: 0, first_error: e };
    let file = fs::File::open(tmp).map_err(|_| fail("wrote no output to $CTC_OUTPUT".into()))?;
    let mut messages = Messages::new(file, stream, limit);
    let (mut valid, mut rejected, mut first) = (0, 0, None);
    loop {
        let message = messages.next().map_err(|e| fail(format!("cannot read the output: {e}")))?;
        let Some((line, message)) = message else { break };
        let at = if stream { format!("output line {line}") } else { "output".into() };
        match message.and_then(|text| validate_text(validator, text).map_err(|v| format!("{} {v}", validator.contract)))
        {
            Ok(_) => valid += 1,
            Err(e) => {
                rejected += 1;
                first.get_or_insert_with(|| format!("{at}: {e}"));
            }
        }
    }
    if let Some(e) = first {
        let first_error = format!("{rejected} message(s) broke the contract; first: {e}");
        return Err(Rejected { messages: valid, rejected, first_error });
    }
    let digest = messages.digest();
    Ok(Validated { messages: valid, digest })
}

/// Makes a validated output durable at `out_path` through `disk` (fsync, rename, fsync the
/// folder), before the caller journals it. `Err` names the output; the run stops on it.
pub(super) fn commit_output(disk: &dyn Disk, tmp: &Path, out_path: &Path) -> io::Result<()> {
    let durable = || -> io::Result<()> {
        disk.sync_file(&fs::File::open(tmp)?)?;
        disk.rename(tmp, out_path)?;
        disk.sync_parent(out_path)
    };
    durable().map_err(|e| io::Error::new(e.kind(), format!("cannot make {} durable: {e}", out_path.display())))
}

/// What the boundary left of an input: the messages a condition admitted, carried to the
/// version the step reads.
pub(super) struct Prepared {
    pub admitted: u64,
    pub offered: u64,
    /// The file to hand to the step: `to`, or the input itself when nothing was rewritten (a
    /// single message with no conversion).
    pub path: PathBuf,
}

/// How an input's messages reach the version the step reads ([`crate::plan::Conversion`]).
pub(super) struct Carry<'p> {
    /// The producer's contract, checked before.
    pub before: &'p Validator,
    pub migrations: Vec<&'p Migration>,
    /// The step's contract: the migrated message is written canonically under it and checked.
    pub after: &'p Validator,
}

/// Reads each message of the input at `from` (laid out as `stream` says), keeps those `when`
/// admits (all without a condition), carries each kept one across `carry`'s migrations, and
/// writes them to `to` (one a line for a stream). With neither a condition nor a conversion there
/// is nothing to do and the caller hands the input over as it is; a single message with a
/// condition and no conversion is handed over as it is too. `Err`: the input cannot be read, a
/// message in it is not strict JSON, breaks the producer's contract, cannot be migrated or is not
/// valid under the step's after migrating (its line named).
pub(super) fn prepare(
    from: &Path,
    stream: bool,
    limit: u64,
    to: &Path,
    when: Option<&[Op]>,
    carry: Option<&Carry<'_>>,
) -> Result<Prepared, String> {
    let file = fs::File::open(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    let mut messages = Messages::new(file, stream, limit);
    let rewrite = stream || carry.is_some();
    let mut out = if rewrite {
        Some(BufWriter::new(fs::File::create(to).map_err(|e| format!("cannot write {}: {e}", to.display()))?))
    } else {
        None
    };
    let (mut admitted, mut offered) = (0, 0);
    while let Some((line, text)) = messages.next().map_err(|e| format!("cannot read {}: {e}", from.display()))? {
        let at = |e: String| if stream { format!("line {line}: {e}") } else { e };
        let text = text.map_err(at)?;
        let mut message = parse_strict(text).map_err(|v| at(v.to_string()))?;
        offered += 1;
        if !when.is_none_or(|code| cond::eval(code, &message)) {
            continue;
        }
        admitted += 1;
        let migrated;
        let kept = match carry {
            None => text,
            Some(c) => {
                validate_text(c.before, text).map_err(|v| at(format!("{} {v}", c.before.contract)))?;
                for m in &c.migrations {
                    m.upgrade(&mut message).map_err(at)?;
                }
                migrated = to_canonical_json(c.after, &message);
                validate_text(c.after, &migrated)
                    .map_err(|v| at(format!("after migrating, {} {v}", c.after.contract)))?;
                &migrated
            }
        };
        if let Some(w) = &mut out {
            w.write_all(kept.as_bytes())
                .and_then(|_| w.write_all(b"\n"))
                .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
        }
    }
    match out {
        Some(mut w) => {
            w.flush().map_err(|e| format!("cannot write {}: {e}", to.display()))?;
            Ok(Prepared { admitted, offered, path: to.to_path_buf() })
        }
        None => Ok(Prepared { admitted, offered, path: from.to_path_buf() }),
    }
}

/// The messages of a file, one at a time, in a buffer of at most `limit` bytes, with the
/// SHA-256 of every byte read.
struct Messages<R> {
    reader: BufReader<R>,
    stream: bool,
    limit: u64,
    hasher: Sha256,
    /// The line the next message starts on (1-based).
    line: u64,
    /// The current message's bytes.
    buf: Vec<u8>,
    done: bool,
}

impl<R: Read> Messages<R> {
    fn new(reader: R, stream: bool, limit: u64) -> Messages<R> {
        Messages {
            reader: BufReader::with_capacity(CHUNK, reader),
            stream,
            limit,
            hasher: Sha256::new(),
            line: 1,
            buf: Vec::new(),
            done: false,
        }
    }

    /// The next message: its line and text, or why its text cannot be read (longer than the
    /// limit, not UTF-8). `Ok(None)` at the end; `Err` when reading fails.
    fn next(&mut self) -> io::Result<Option<(u64, Result<&str, String>)>> {
        let (line, len) = loop {
            if self.done {
                return Ok(None);
            }
            let line = self.line;
            let len = self.read_message()?;
            // A blank stream line is no message; a blank single message is one (not JSON).
            let blank = self.stream && len.is_some() && self.buf.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'));
            if !blank {
                break (line, len);
            }
        };
        let text = match len {
            None => Err(format!("a message longer than the limit of {} bytes", self.limit)),
            Some(_) => std::str::from_utf8(&self.buf).map_err(|e| format!("not UTF-8: {e}")),
        };
        Ok(Some((line, text)))
    }

    /// Reads the next line (a stream) or the rest of the file (a single message) into `buf`,
    /// without its LF (and a CR before it). `None` when it is longer than the limit: the rest is
    /// read and dropped.
    fn read_message(&mut self) -> io::Result<Option<usize>> {
        self.buf.clear();
        let mut too_long = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                self.done = true;
                break;
            }
            let newline = if self.stream { chunk.iter().position(|&b| b == b'\n') } else { None };
            let take = newline.map_or(chunk.len(), |i| i + 1);
            self.hasher.update(&chunk[..take]);
            let content = &chunk[..newline.unwrap_or(take)];
            if !self.stream {
                self.line += content.iter().filter(|&&b| b == b'\n').count() as u64;
            }
            if !too_long && (self.buf.len() + content.len()) as u64 <= self.limit {
                self.buf.extend_from_slice(content);
            } else {
                too_long = true;
                self.buf.clear();
            }
            self.reader.consume(take);
            if newline.is_some() {
                self.line += 1;
                break;
            }
        }
        if too_long {
            return Ok(None);
        }
        if self.stream && self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(Some(self.buf.len()))
    }

    /// The SHA-256 of every byte read so far (of the whole file, once [`Messages::next`] ended).
    fn digest(&self) -> Digest {
        self.hasher.clone().finalize().into()
    }
}

/// The last `lines` lines of a text file (a step's stderr), each indented by four spaces; reads
/// at most its last 16 KiB. Empty when the file is missing.
pub(super) fn tail(path: &Path, lines: usize) -> String {
    const WINDOW: u64 = 16 << 10;
    let read = || -> io::Result<Vec<u8>> {
        let mut f = fs::File::open(path)?;
        let len = f.metadata()?.len();
        let start = len.saturating_sub(WINDOW);
        io::Seek::seek(&mut f, io::SeekFrom::Start(start))?;
        let mut bytes = Vec::new();
        f.take(WINDOW).read_to_end(&mut bytes)?;
        if start > 0 {
            // The window starts inside a line: drop that part of it.
            let first = bytes.iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| i + 1);
            bytes.drain(..first);
        }
        Ok(bytes)
    };
    let bytes = read().unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].iter().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message of `text`: (line, text or error).
    fn messages(text: impl AsRef<[u8]>, stream: bool, limit: u64) -> Vec<(u64, Result<String, String>)> {
        let text = text.as_ref();
        let mut m = Messages::new(text, stream, limit);
        let mut out = Vec::new();
        while let Some((line, t)) = m.next().unwrap() {
            out.push((line, t.map(str::to_string)));
        }
        assert_eq!(m.digest(), <[u8; 32]>::from(Sha256::digest(text)), "every byte is hashed");
        out
    }

    #[test]
    fn a_stream_is_read_line_by_line_with_its_line_numbers() {
        let ok = |l: u64, t: &str| (l, Ok(t.to_string()));
        assert_eq!(messages("{}\n\n  \r\n[1]\r\n2", true, 8), vec![ok(1, "{}"), ok(4, "[1]"), ok(5, "2")]);
        assert_eq!(messages("", true, 8), vec![]);
        let long = "x".repeat(20);
        let refused = Err("a message longer than the limit of 8 bytes".to_string());
        assert_eq!(messages(format!("1\n{long}\n3\n"), true, 8), vec![ok(1, "1"), (2, refused), ok(3, "3")]);
        assert_eq!(messages(b"\xffx\n", true, 8)[0].1.as_ref().unwrap_err().split(':').next(), Some("not UTF-8"));
    }

    #[test]
    fn a_single_message_is_the_whole_file_whatever_its_layout() {
        let text = "{\n  \"x\": 1\n}\n";
        assert_eq!(messages(text, false, 64), vec![(1, Ok(text.to_string()))]);
        assert_eq!(messages(text, false, 4)[0].1, Err("a message longer than the limit of 4 bytes".into()));
        assert_eq!(messages("", false, 4), vec![(1, Ok(String::new()))]);
    }

    #[test]
    fn a_stream_longer_than_the_buffer_is_read_in_bounded_memory() {
        let line = format!("{}\n", "7".repeat(1000));
        let text = line.repeat(1000);
        let mut m = Messages::new(text.as_bytes(), true, 2000);
        let mut n = 0;
        while let Some((_, t)) = m.next().unwrap() {
            assert_eq!(t.unwrap().len(), 1000);
            n += 1;
        }
        assert_eq!(n, 1000);
        assert!(m.buf.capacity() <= 2000, "the message buffer holds one message, not the stream");
    }

    #[test]
    fn tail_reads_the_last_lines_of_the_end_of_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stderr");
        let mut text = "noise\n".repeat(10_000);
        text.push_str("last but one\nlast\n");
        fs::write(&path, text).unwrap();
        assert_eq!(tail(&path, 2), "    last but one\n    last");
        assert_eq!(tail(&dir.path().join("missing"), 2), "");
    }
}

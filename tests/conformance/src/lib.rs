//! The conformance protocol, after protobuf's conformance runner: the runner writes requests to a
//! testee's stdin and reads one response per request from its stdout, in order.
//!
//! Every frame is a 4-byte little-endian length followed by that many bytes of UTF-8:
//! - request: the contract key (`namespace/Name@MAJOR.MINOR`), `\n`, the message exactly as sent
//!   (it may be malformed on purpose); for a migration ([`Task`]), `upgrade <from> <to>` (read as
//!   `from`, carried to `to`, written canonically as `to`) or `roundtrip <from> <to>` (the same,
//!   then carried back to `from` and written canonically as `from`: the lens law) instead of
//!   the key;
//! - response: `accept\n` and the message re-serialized as canonical JSON, or `reject\n` and the
//!   error (where, and why), or `unknown\n` when the testee has no such contract.
//!
//! A testee exits 0 at the end of its input. Testees: `testee-rust` (the generated crates),
//! `testee-runtime` (the runtime's validator, built from the plan backend), `testee.py` (the
//! generated Python packages) and `testee_mql4.cpp` (the generated MQL4 through
//! `tests/mql4/mql4_compat.hpp`, built by the runner).

use std::io::{self, Read, Write};

/// Reads one frame; `None` at a clean end of input.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut buf = vec![0; u32::from_le_bytes(len) as usize];
    r.read_exact(&mut buf)?;
    Ok(Some(buf))
}

/// Writes one frame.
pub fn write_frame(w: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len()).map_err(|_| io::Error::other("frame over 4 GiB"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(payload)
}

/// What a testee answered to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Accepted, with the canonical re-serialization.
    Accept(String),
    /// Refused, with the testee's error.
    Reject(String),
    /// The testee has no such contract.
    Unknown,
}

impl Answer {
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Answer::Accept(s) => format!("accept\n{s}"),
            Answer::Reject(s) => format!("reject\n{s}"),
            Answer::Unknown => "unknown\n".to_string(),
        }
        .into_bytes()
    }

    pub fn decode(payload: &[u8]) -> Result<Answer, String> {
        let text = String::from_utf8_lossy(payload);
        match text.split_once('\n') {
            Some(("accept", rest)) => Ok(Answer::Accept(rest.to_string())),
            Some(("reject", rest)) => Ok(Answer::Reject(rest.to_string())),
            Some(("unknown", _)) => Ok(Answer::Unknown),
            _ => Err(format!("not a response: {text:?}")),
        }
    }
}

/// A testee's main loop over stdin and stdout: `answer(contract, message)` for every request.
pub fn serve(mut answer: impl FnMut(&str, &str) -> Answer) -> io::Result<()> {
    let mut stdin = io::stdin().lock();
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    while let Some(frame) = read_frame(&mut stdin)? {
        let text = String::from_utf8(frame).map_err(|e| io::Error::other(format!("request is not UTF-8: {e}")))?;
        let (contract, message) =
            text.split_once('\n').ok_or_else(|| io::Error::other("request without a contract"))?;
        write_frame(&mut stdout, &answer(contract, message).encode())?;
    }
    stdout.flush()
}

/// What a request asks, by its first line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task<'a> {
    /// Read and write back a message of this contract.
    Canonicalize(&'a str),
    /// Read as `from`, carry across the migrations to `to`, write as `to`.
    Upgrade { from: &'a str, to: &'a str },
    /// [`Task::Upgrade`], then carry back to `from` by the downgrades and write as `from`.
    Roundtrip { from: &'a str, to: &'a str },
}

impl<'a> Task<'a> {
    pub fn parse(line: &'a str) -> Task<'a> {
        let words: Vec<&str> = line.split(' ').collect();
        match words[..] {
            ["upgrade", from, to] => Task::Upgrade { from, to },
            ["roundtrip", from, to] => Task::Roundtrip { from, to },
            _ => Task::Canonicalize(line),
        }
    }
}

/// A request frame's payload.
pub fn request(contract: &str, message: &str) -> Vec<u8> {
    format!("{contract}\n{message}").into_bytes()
}
pub use contractc_tests::mql4;
pub mod suite;

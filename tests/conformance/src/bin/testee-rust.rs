//! The conformance testee of the generated Rust: `canonicalize`, `upgrade` and `downgrade` of
//! the trading contracts' crate and of the conformance suite's (see the protocol in the crate
//! docs).

use contractc_conformance::{Answer, Task, serve};

type Result = std::result::Result<String, String>;

fn canonicalize(contract: &str, message: &str) -> Option<Result> {
    let e = |r: std::result::Result<String, trading_contracts::Error>| r.map_err(|e| e.to_string());
    let f = |r: std::result::Result<String, conformance_contracts::Error>| r.map_err(|e| e.to_string());
    trading_contracts::canonicalize(contract, message)
        .map(e)
        .or_else(|| conformance_contracts::canonicalize(contract, message).map(f))
}

fn upgrade(from: &str, to: &str, message: &str) -> Option<Result> {
    trading_contracts::upgrade(from, to, message)
        .map(|r| r.map_err(|e| e.to_string()))
        .or_else(|| conformance_contracts::upgrade(from, to, message).map(|r| r.map_err(|e| e.to_string())))
}

fn downgrade(from: &str, to: &str, message: &str) -> Option<Result> {
    trading_contracts::downgrade(from, to, message)
        .map(|r| r.map_err(|e| e.to_string()))
        .or_else(|| conformance_contracts::downgrade(from, to, message).map(|r| r.map_err(|e| e.to_string())))
}

fn main() -> std::io::Result<()> {
    serve(|request, message| {
        let answer = match Task::parse(request) {
            Task::Canonicalize(contract) => canonicalize(contract, message),
            Task::Upgrade { from, to } => upgrade(from, to, message),
            Task::Roundtrip { from, to } => upgrade(from, to, message).and_then(|up| match up {
                Ok(up) => downgrade(to, from, &up),
                Err(e) => Some(Err(e)),
            }),
        };
        match answer {
            Some(Ok(canonical)) => Answer::Accept(canonical),
            Some(Err(e)) => Answer::Reject(e),
            None => Answer::Unknown,
        }
    })
}

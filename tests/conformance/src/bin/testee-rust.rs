//! The conformance testee of the generated Rust: `canonicalize` of the trading contracts' crate
//! and of the conformance suite's (see the protocol in the crate docs).

use contractc_conformance::{Answer, serve};

fn main() -> std::io::Result<()> {
    serve(|contract, message| {
        match trading_contracts::canonicalize(contract, message)
            .map(|r| r.map_err(|e| e.to_string()))
            .or_else(|| conformance_contracts::canonicalize(contract, message).map(|r| r.map_err(|e| e.to_string())))
        {
            Some(Ok(canonical)) => Answer::Accept(canonical),
            Some(Err(e)) => Answer::Reject(e),
            None => Answer::Unknown,
        }
    })
}

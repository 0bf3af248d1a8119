//! The generated Rust accepts every valid sample, refuses every invalid one, and writes accepted
//! messages back as the same JSON.

use contractc_tests::{Sample, all_messages, canonical, root, samples};
use trading_contracts::events::*;
use trading_contracts::{from_json, to_canonical_json};

/// Parses with the generated type for `key`; the re-serialized message on success.
fn parse(key: &str, text: &str) -> Result<String, String> {
    fn go<T: serde::de::DeserializeOwned + serde::Serialize + trading_contracts::Validate>(
        text: &str,
    ) -> Result<String, String> {
        from_json::<T>(text).map(|v| to_canonical_json(&v)).map_err(|e| e.to_string())
    }
    match key {
        "events/Instrument@1.0" => go::<instrument_1_0::Instrument>(text),
        "events/PriceTick@1.0" => go::<price_tick_1_0::PriceTick>(text),
        "events/Signal@1.0" => go::<signal_1_0::Signal>(text),
        "events/OrderIntent@1.0" => go::<order_intent_1_0::OrderIntent>(text),
        "events/OrderIntent@1.1" => go::<order_intent_1_1::OrderIntent>(text),
        "events/OrderIntent@1.2" => go::<order_intent_1_2::OrderIntent>(text),
        "events/ExecutionReport@1.0" => go::<execution_report_1_0::ExecutionReport>(text),
        other => panic!("no generated type for {other}: add it here"),
    }
}

fn check(key: &str, s: &Sample) -> Option<String> {
    match (parse(key, &s.json), s.valid) {
        (Ok(out), true) => {
            let want = s.canonical.as_deref().unwrap_or_default();
            (out != want).then(|| format!("{key} {:?}: wrote {out}, canonical is {want}", s.name))
        }
        (Err(_), false) => None,
        (Ok(out), false) => Some(format!("{key} {:?}: accepted an invalid message, wrote {out}", s.name)),
        (Err(e), true) => Some(format!("{key} {:?}: refused a valid message: {e}", s.name)),
    }
}

#[test]
fn generated_rust_agrees_with_every_sample() {
    let mut failures = Vec::new();
    let mut n = 0;
    for (key, rows) in all_messages() {
        for s in &rows {
            n += 1;
            failures.extend(check(&key, s));
        }
    }
    assert!(n >= 80, "only {n} samples");
    assert!(failures.is_empty(), "{} of {n} samples disagree:\n{}", failures.len(), failures.join("\n"));
}

/// Each valid sample carries its canonical form, as the reference writer (`tests/common`) makes
/// it; `UPDATE_SAMPLES=1` fills them in.
#[test]
fn samples_carry_their_canonical_form() {
    let update = std::env::var_os("UPDATE_SAMPLES").is_some();
    for (key, rows) in samples() {
        let mut fixed = Vec::new();
        for mut s in rows {
            let want = s.valid.then(|| canonical(&serde_json::from_str(&s.json).unwrap()));
            if !update {
                assert_eq!(s.canonical, want, "{key} {:?}: stale `canonical` (UPDATE_SAMPLES=1 fills it in)", s.name);
            }
            s.canonical = want;
            fixed.push(serde_json::to_string(&s).unwrap());
        }
        if update {
            let (ns, name) = key.split_once('/').unwrap();
            std::fs::write(root().join(format!("tests/samples/{ns}/{name}.jsonl")), fixed.join("\n") + "\n").unwrap();
        }
    }
}

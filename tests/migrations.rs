//! The lens law of the project's migration, property-based: for any valid OrderIntent@1.2
//! (every optional member present or absent, numbers and strings anywhere in their bounds),
//! the generated Rust reads it as 2.0 (`order_intent_1_2_to_2_0::read`), the 2.0 message is
//! valid, and reading that back as 1.2 (`read_back`) gives the same canonical bytes. The
//! conformance suite checks the same law on the vectors in every language; this test reaches
//! the shapes the vectors do not list.

use proptest::prelude::*;
use trading_contracts::events::order_intent_1_2_to_2_0 as migration;
use trading_contracts::{canonicalize, to_canonical_json};

/// A valid OrderIntent@1.2 as JSON text, members in a random order.
fn order_intent() -> impl Strategy<Value = String> {
    let number = |lo: f64, hi: f64| (lo..hi).prop_map(|x| serde_json::json!(x));
    let members = (
        "[a-z0-9-]{1,64}",
        (2000u32..2100, 1u32..13, 1u32..29, 0u32..24, 0u32..60),
        ("[A-Z]{6,12}", 0u32..9, number(1e-9, 1.0), number(1.0, 1e6)),
        prop::sample::select(vec!["BUY", "SELL"]),
        prop::sample::select(vec!["MARKET", "LIMIT", "STOP"]),
        number(0.01, 100.0),
        prop::sample::select(vec!["GTC", "IOC", "FOK", "GTD"]),
        (
            prop::option::of(number(1e-6, 1e4)),
            prop::option::of(number(1e-6, 1e4)),
            prop::option::of(number(1e-6, 1e4)),
            prop::option::of(0i64..=2147483647),
            prop::option::of("[ -~]{0,31}"),
        ),
    );
    (members, any::<u64>()).prop_map(
        |((id, (y, mo, d, h, mi), (symbol, digits, point, size), side, kind, lots, tif, optional), seed)| {
            let (price, stop_loss, take_profit, magic, comment) = optional;
            let mut m: Vec<(&str, serde_json::Value)> = vec![
                ("intent_id", id.into()),
                ("time", format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00Z").into()),
                (
                    "instrument",
                    serde_json::json!({"symbol": symbol, "digits": digits, "point": point, "contract_size": size}),
                ),
                ("side", side.into()),
                ("order_type", kind.into()),
                ("volume_lots", lots),
                ("time_in_force", tif.into()),
            ];
            m.extend(price.map(|v| ("price", v)));
            m.extend(stop_loss.map(|v| ("stop_loss", v)));
            m.extend(take_profit.map(|v| ("take_profit", v)));
            m.extend(magic.map(|v| ("magic_number", v.into())));
            m.extend(comment.map(|v| ("comment", v.into())));
            // A seeded shuffle: readers take members in any order.
            let mut s = seed;
            for i in (1..m.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                m.swap(i, (s >> 33) as usize % (i + 1));
            }
            let body: Vec<String> = m.iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
            format!("{{{}}}", body.join(","))
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn downgrade_after_upgrade_gives_every_valid_message_back(text in order_intent()) {
        let original = canonicalize("events/OrderIntent@1.2", &text).expect("a contract of the crate");
        let original = original.unwrap_or_else(|e| panic!("the strategy makes valid messages: {e}\n{text}"));
        let upgraded = migration::read(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let upgraded_text = to_canonical_json(&upgraded);
        prop_assert!(canonicalize("events/OrderIntent@2.0", &upgraded_text).is_some_and(|r| r.is_ok()));
        let (old, new): (serde_json::Value, serde_json::Value) =
            (serde_json::from_str(&text).unwrap(), serde_json::from_str(&upgraded_text).unwrap());
        prop_assert_eq!(&new["quantity_lots"], &old["volume_lots"]);
        prop_assert_eq!(&new["protection"]["stop_loss"], &old["stop_loss"]);
        prop_assert_eq!(&new["protection"]["take_profit"], &old["take_profit"]);
        prop_assert!(new.get("volume_lots").is_none() && new.get("stop_loss").is_none() && new.get("take_profit").is_none());
        let back = migration::read_back(&upgraded_text).unwrap_or_else(|e| panic!("{e}\n{upgraded_text}"));
        prop_assert_eq!(to_canonical_json(&back), original);
    }
}

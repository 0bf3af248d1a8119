//! What the generated Rust says when a message has the wrong shape: the message of the rule it
//! breaks (serde's wording for types) and the JSON pointer (RFC 6901) of the value refused, as
//! `support::Read` reports it through `from_json`.

use trading_contracts::events::order_intent_1_2::OrderIntent;

/// A valid OrderIntent@1.2 (the validation benchmark's message).
const MESSAGE: &str = r#"{"intent_id":"oi-4711","time":"2017-09-18T14:00:00Z","instrument":{"symbol":"EURUSD","digits":5,"point":0.00001,"contract_size":100000.0},"side":"BUY","order_type":"MARKET","volume_lots":0.75,"time_in_force":"IOC","magic_number":20240601}"#;

/// `MESSAGE` with `from` replaced by `to` is refused, saying `expected`.
fn check(from: &str, to: &str, expected: &str) {
    let text = MESSAGE.replacen(from, to, 1);
    assert_ne!(text, MESSAGE, "{from} is not in the message");
    match trading_contracts::from_json::<OrderIntent>(&text) {
        Ok(v) => panic!("accepted {text}: {v:?}"),
        Err(e) => assert_eq!(e.to_string(), expected, "{text}"),
    }
}

#[test]
fn the_message_itself_reads() {
    let v = trading_contracts::from_json::<OrderIntent>(MESSAGE).expect("valid");
    assert_eq!(trading_contracts::to_json(&v), MESSAGE);
}

#[test]
fn a_refused_shape_says_what_and_where() {
    check(r#""intent_id":"oi-4711","#, "", "missing field `intent_id`");
    check(r#""digits":5"#, r#""digits":5.5"#, "invalid type: floating point `5.5`, expected i64 at /instrument/digits");
    check(r#""digits":5"#, r#""digits":null"#, "invalid type: null, expected i64 at /instrument/digits");
    check(r#""magic_number":20240601"#, r#""magic_number":null"#, "invalid type: null, expected i64 at /magic_number");
    check(r#""side":"BUY""#, r#""side":"HOLD""#, "unknown variant `HOLD`, expected `BUY` or `SELL` at /side");
    check(
        r#""side":"BUY""#,
        r#""side":"BUY","note":1"#,
        "unknown field `note`, expected one of `intent_id`, `time`, `instrument`, `side`, `order_type`, `volume_lots`, `price`, `time_in_force`, `stop_loss`, `take_profit`, `magic_number`, `comment`",
    );
    check(r#"{"symbol""#, r#"["symbol""#, "expected `,` or `]` at line 1 column 76");
    check(
        r#""instrument":{"#,
        r#""instrument":1,"x":{"#,
        "invalid type: integer `1`, expected an object at /instrument",
    );
    check(r#""volume_lots":0.75"#, r#""volume_lots":0.75,"side":"SELL""#, "duplicate key `side` at line 1 column 193");
}

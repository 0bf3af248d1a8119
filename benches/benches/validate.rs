//! Per-message validation of an OrderIntent@1.2 (~460 bytes), the figure DESIGN.md compares with
//! serde_json → Value (2.0 µs), the `jsonschema` crate (2.8 µs) and Pydantic v2 strict (6.0 µs).
//! Run: `cargo bench -p contractc-benches --bench validate`.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use trading_contracts::events::order_intent_1_2::OrderIntent;

const MESSAGE: &str = r#"{"intent_id":"oi-sma_cross_10_30-4711","time":"2017-09-18T14:00:00Z","instrument":{"symbol":"EURUSD","digits":5,"point":0.00001,"contract_size":100000.0},"side":"BUY","order_type":"MARKET","volume_lots":0.75,"time_in_force":"IOC","stop_loss":1.1931,"take_profit":1.2031,"magic_number":20240601,"comment":"sma_cross_10_30"}"#;

fn validator() -> runtime::plan::Validator {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repository root").to_path_buf();
    let plan = runtime::plan::decode(
        &std::fs::read(root.join("generated/plans/eurusd_pipeline@1.0.plan.bin"))
            .expect("generated/plans/eurusd_pipeline@1.0.plan.bin"),
    )
    .expect("valid plan");
    plan.into_plan()
        .validators
        .into_iter()
        .find(|v| v.contract == "events/OrderIntent@1.2")
        .expect("the plan validates OrderIntent@1.2")
}

fn bench(c: &mut Criterion) {
    let v = validator();
    assert!(runtime::validate::validate_text(&v, MESSAGE).is_ok());
    c.bench_function("runtime validator: OrderIntent@1.2", |b| {
        b.iter(|| runtime::validate::validate_text(&v, black_box(MESSAGE)))
    });
    c.bench_function("generated Rust from_json: OrderIntent@1.2", |b| {
        b.iter(|| trading_contracts::from_json::<OrderIntent>(black_box(MESSAGE)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

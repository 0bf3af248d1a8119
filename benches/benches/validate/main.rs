//! Reading one message of a contract in Rust, every way at hand, on the same text in one run
//! (issues 17 and 18): the generated Rust's `from_json` (strict RFC 8259 and every constraint,
//! one pass), the runtime's validator (`runtime::validate::validate_text`, what checks every step
//! boundary), a plain serde struct with the checks written by hand (`baseline.rs`) and
//! the `jsonschema` crate (`serde_json::from_str` into a `Value`, then a Draft 2020-12 validator
//! of the contract with its format checks on). Writing: the generated `to_canonical_json` and
//! `to_json` beside `serde_json::to_string` of the serde struct.
//!
//! Messages: benches/codegen/messages/ (the ones `make bench-codegen` gives Python and MQL4):
//! OrderIntent@1.2, PriceTick@1.0 and the conformance suite's Portfolio@1.0 (about 10 kB).
//! Criterion measures each call; at the end the table (per message, messages per second, MB/s,
//! the ratio of each read to the serde struct's) and the acceptance ratios are printed from
//! criterion's estimates (the mean). Run: `cargo bench -p contractc-benches --bench validate`
//! (`make bench` and `make bench-codegen` do).

mod baseline;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, black_box};
use runtime::plan::Validator;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repository root").to_path_buf()
}

/// Every contract's validator as the plan backend compiles it, by contract key (`events/OrderIntent@1.2`).
fn validators(project: &Path, out: &mut HashMap<String, Validator>) {
    let config = contractc_driver::Config::parse(
        &std::fs::read_to_string(project.join("contractc.toml")).expect("contractc.toml"),
    )
    .expect("a valid configuration");
    let inputs = contractc_driver::read_inputs(project, &config).unwrap_or_else(|e| panic!("{e}"));
    let (program, _) = contractc_driver::compile(&inputs, &config).unwrap_or_else(|e| panic!("{e}"));
    for (i, c) in program.contracts.iter().enumerate() {
        out.insert(c.id.key(), contractc_validator::validator(&*program, i));
    }
}

/// The contract as one schema for the `jsonschema` crate: its `$id` dropped and each `$ref` to
/// another contract's file replaced by a `$ref` into `$defs`, where that contract is copied
/// (JSON Schema Core §8.2.4, bundling).
fn bundled(contract: &Path) -> Value {
    let read =
        |p: &Path| -> Value { serde_json::from_str(&std::fs::read_to_string(p).expect("contract")).expect("JSON") };
    let mut schema = read(contract);
    let mut external = Vec::new();
    fn walk(v: &mut Value, external: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get_mut("$ref")
                    && !r.starts_with('#')
                {
                    let name = r.trim_end_matches(".json").to_string();
                    *r = format!("#/$defs/{name}");
                    external.push(name);
                }
                m.values_mut().for_each(|v| walk(v, external));
            }
            Value::Array(a) => a.iter_mut().for_each(|v| walk(v, external)),
            _ => {}
        }
    }
    walk(&mut schema, &mut external);
    let defs = schema.as_object_mut().expect("an object schema");
    defs.remove("$id");
    for name in external {
        let mut other = read(&contract.with_file_name(format!("{name}.json")));
        other.as_object_mut().expect("an object schema").remove("$id");
        defs.entry("$defs").or_insert_with(|| Value::Object(Default::default()))[&name] = other;
    }
    schema
}

struct Message {
    name: &'static str,
    contract: &'static str,
    file: PathBuf,
    text: String,
}

fn message(name: &'static str, contract: &'static str, file: &str) -> Message {
    let text =
        std::fs::read_to_string(root().join("benches/codegen/messages").join(format!("{name}.json"))).expect("message");
    Message { name, contract, file: root().join(file), text: text.trim_end().to_string() }
}

/// A generated type's three calls, from the crate that holds it.
struct Generated<T> {
    from_json: fn(&str) -> Result<T, String>,
    to_canonical_json: fn(&T) -> String,
    to_json: fn(&T) -> String,
}

/// The calls of a type of the project's own crate.
fn project<
    T: trading_contracts::support::Read
        + trading_contracts::support::Write
        + trading_contracts::Validate
        + serde::Serialize,
>() -> Generated<T> {
    Generated {
        from_json: |t| trading_contracts::from_json(t).map_err(|e| e.to_string()),
        to_canonical_json: trading_contracts::to_canonical_json,
        to_json: trading_contracts::to_json,
    }
}

/// Benchmarks the reads and writes of one message: the generated type `T`, the serde struct `B`.
fn bench<T, B>(c: &mut Criterion, m: &Message, v: &Validator, generated: Generated<T>)
where
    B: for<'de> serde::Deserialize<'de> + serde::Serialize + baseline::Checked,
{
    let text = m.text.as_str();
    let schema = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&bundled(&m.file))
        .expect("the jsonschema crate compiles the contract");
    // Every way agrees that the message is valid before any is timed.
    let read = generated.from_json;
    let message = read(text).expect("generated from_json accepts the message");
    let ours = baseline::from_json::<B>(text).expect("the serde struct accepts the message");
    runtime::validate::validate_text(v, text).expect("the runtime's validator accepts the message");
    assert!(schema.is_valid(&serde_json::from_str(text).expect("JSON")), "the jsonschema crate accepts the message");

    let mut g = c.benchmark_group(m.name);
    g.bench_function(READS[0], |b| b.iter(|| read(black_box(text))));
    g.bench_function(READS[1], |b| b.iter(|| runtime::validate::validate_text(v, black_box(text))));
    g.bench_function(READS[2], |b| b.iter(|| baseline::from_json::<B>(black_box(text))));
    g.bench_function(READS[3], |b| {
        b.iter(|| schema.is_valid(&serde_json::from_str::<Value>(black_box(text)).expect("JSON")))
    });
    g.bench_function(WRITES[0], |b| b.iter(|| (generated.to_canonical_json)(black_box(&message))));
    g.bench_function(WRITES[1], |b| b.iter(|| (generated.to_json)(black_box(&message))));
    g.bench_function(WRITES[2], |b| b.iter(|| serde_json::to_string(black_box(&ours)).expect("serializes")));
    g.finish();
}

const READS: [&str; 4] = ["generated from_json", "runtime validator", "serde struct + checks", "jsonschema crate"];
const WRITES: [&str; 3] = ["generated to_canonical_json", "generated to_json", "serde_json to_string"];

/// Criterion's mean estimate of one benchmark, in nanoseconds (none when it was not run).
fn mean_ns(dir: &Path, group: &str, id: &str) -> Option<f64> {
    let text = std::fs::read_to_string(dir.join(group).join(id).join("new/estimates.json")).ok()?;
    serde_json::from_str::<Value>(&text).ok()?["mean"]["point_estimate"].as_f64()
}

/// The table and the ratios, from this run's estimates (a message filtered out is left out).
fn report(dir: &Path, messages: &[Message]) {
    println!("\n| message | bytes | call | per message | messages/s | MB/s | ratio |");
    println!("|---|---|---|---|---|---|---|");
    let mut ratios = Vec::new();
    for m in messages {
        let measured = |ids: &[&str]| ids.iter().map(|id| mean_ns(dir, m.name, id)).collect::<Option<Vec<f64>>>();
        let (Some(reads), Some(writes)) = (measured(&READS), measured(&WRITES)) else { continue };
        let bytes = m.text.len();
        let row = |call: &str, ns: f64, base: f64| {
            println!(
                "| {} | {bytes} | {call} | {:.2} µs | {:.0} | {:.1} | {:.2} |",
                m.name,
                ns / 1e3,
                1e9 / ns,
                bytes as f64 * 1e3 / ns,
                ns / base
            )
        };
        READS.iter().zip(&reads).for_each(|(id, &ns)| row(id, ns, reads[2]));
        WRITES.iter().zip(&writes).for_each(|(id, &ns)| row(id, ns, writes[2]));
        ratios.push((m.name, reads[0] / reads[2], reads[1] / reads[0], reads[3] / reads[1]));
    }
    println!();
    for (name, generated_serde, runtime_generated, jsonschema_runtime) in ratios {
        println!("ratio {name} generated from_json/serde struct + checks: {generated_serde:.2}");
        println!("ratio {name} runtime validator/generated from_json: {runtime_generated:.2}");
        println!("ratio {name} jsonschema crate/runtime validator: {jsonschema_runtime:.2}");
    }
}

fn main() {
    let mut all = HashMap::new();
    validators(&root(), &mut all);
    validators(&root().join("tests/conformance"), &mut all);
    let messages = [
        message("OrderIntent@1.2", "events/OrderIntent@1.2", "contracts/events/OrderIntent@1.2.json"),
        message("PriceTick@1.0", "events/PriceTick@1.0", "contracts/events/PriceTick@1.0.json"),
        message("Portfolio@1.0", "shapes/Portfolio@1.0", "tests/conformance/contracts/shapes/Portfolio@1.0.json"),
    ];
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    // Its own folder, emptied first: the table is this run's alone.
    let dir = target.join("criterion-validate");
    let listing = std::env::args().any(|a| a == "--list" || a == "--test");
    if !listing {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let mut c = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    use conformance_contracts::shapes::portfolio_1_0::Portfolio;
    use trading_contracts::events::{order_intent_1_2::OrderIntent, price_tick_1_0::PriceTick};
    let v = |i: usize| &all[messages[i].contract];
    bench::<_, baseline::OrderIntent>(&mut c, &messages[0], v(0), project::<OrderIntent>());
    bench::<_, baseline::PriceTick>(&mut c, &messages[1], v(1), project::<PriceTick>());
    bench::<_, baseline::Portfolio>(
        &mut c,
        &messages[2],
        v(2),
        Generated::<Portfolio> {
            from_json: |t| conformance_contracts::from_json(t).map_err(|e| e.to_string()),
            to_canonical_json: conformance_contracts::to_canonical_json,
            to_json: conformance_contracts::to_json,
        },
    );
    c.final_summary();
    if !listing {
        report(&dir, &messages);
    }
}

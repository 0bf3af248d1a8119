//! A full in-memory compile of the project's contracts and workflow, every backend (no writes).
//! Run: `cargo bench -p contractc-benches --bench compile`.

use contractc_driver::{Config, generate, read_inputs};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repository root").to_path_buf();
    let config = Config::parse(&std::fs::read_to_string(root.join("contractc.toml")).expect("contractc.toml"))
        .expect("valid config");
    let inputs = read_inputs(&root, &config).expect("readable inputs");
    c.bench_function("compile: all contracts, all backends", |b| {
        b.iter(|| generate(&inputs, &config).expect("compiles"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

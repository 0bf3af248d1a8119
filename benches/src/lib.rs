//! Benchmarks (see `benches/`), and the corpus generator their inputs and the corpus tests use
//! (`corpus`, run as `cargo run -p contractc-benches --bin corpus -- --help`).

pub mod corpus;

//! The runtime's validator, compiled into the plan for every contract version, accepts every
//! valid sample and refuses every invalid one, like the generated Rust, Python and MQL4.

use contractc_driver::{Config, compile, read_inputs};
use contractc_tests::{all_messages, root};

#[test]
fn the_runtime_validator_agrees_with_every_sample() {
    let root = root();
    let config = Config::parse(&std::fs::read_to_string(root.join("contractc.toml")).unwrap()).unwrap();
    let inputs = read_inputs(&root, &config).unwrap_or_else(|e| panic!("{e}"));
    let (program, _) = compile(&inputs, &config).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut n = 0;
    for (key, rows) in all_messages() {
        let contract =
            program.contracts.iter().position(|c| c.id.key() == key).unwrap_or_else(|| panic!("no contract {key}"));
        let validator = contractc_backend_plan::validator(&program, contract);
        for s in &rows {
            n += 1;
            match (runtime::validate::validate_text(&validator, &s.json), s.valid) {
                (Ok(_), true) | (Err(_), false) => {}
                (Ok(_), false) => failures.push(format!("{key} {:?}: accepted an invalid message", s.name)),
                (Err(e), true) => failures.push(format!("{key} {:?}: refused a valid message: {e}", s.name)),
            }
        }
    }
    assert!(n >= 100, "only {n} samples");
    assert!(failures.is_empty(), "{} of {n} samples disagree:\n{}", failures.len(), failures.join("\n"));
}

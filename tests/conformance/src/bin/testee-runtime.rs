//! The conformance testee of the runtime's validator: for every contract of the project and of
//! the conformance suite, the validator the plan backend compiles into `plan.bin`;
//! `runtime::validate::canonical_text` (the streaming check, then the canonical writer).

use std::collections::HashMap;

use contractc_conformance::{Answer, serve};
use contractc_driver::{Config, compile, read_inputs};
use runtime::plan::Validator;

fn validators(project: &std::path::Path, out: &mut HashMap<String, Validator>) {
    let config = Config::parse(&std::fs::read_to_string(project.join("contractc.toml")).expect("contractc.toml"))
        .expect("a valid configuration");
    let inputs = read_inputs(project, &config).unwrap_or_else(|e| panic!("{e}"));
    let (program, _) = compile(&inputs, &config).unwrap_or_else(|e| panic!("{e}"));
    for (i, c) in program.contracts.iter().enumerate() {
        out.insert(c.id.key(), contractc_validator::validator(&*program, i));
    }
}

fn main() -> std::io::Result<()> {
    let root = contractc_tests::root();
    let mut all = HashMap::new();
    validators(&root, &mut all);
    validators(&root.join("tests/conformance"), &mut all);
    serve(|contract, message| {
        let Some(v) = all.get(contract) else { return Answer::Unknown };
        match runtime::validate::canonical_text(v, message) {
            Ok(canonical) => Answer::Accept(canonical),
            Err(e) => Answer::Reject(e.to_string()),
        }
    })
}

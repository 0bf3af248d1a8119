//! The conformance testee of the runtime's validator: for every contract of the project and of
//! the conformance suite, the validator the plan backend compiles into `plan.bin`;
//! `runtime::validate::canonical_text` (the streaming check, then the canonical writer). For a
//! migration, what a step boundary does: the message checked under `from`, carried by the
//! plan's migrations (`plan::Migration::upgrade`), written canonically under `to` and checked.
//! The runtime carries messages to newer majors only: a `roundtrip` is unknown to it.

use std::collections::HashMap;

use contractc_conformance::{Answer, Task, serve};
use contractc_driver::{Config, compile, read_inputs};
use runtime::plan::{Migration, Validator};

/// Each contract's validator by key, and each upgrade path's migrations by (from, to) key.
fn load(
    project: &std::path::Path,
    validators: &mut HashMap<String, Validator>,
    paths: &mut HashMap<(String, String), Vec<Migration>>,
) {
    let config = Config::parse(&std::fs::read_to_string(project.join("contractc.toml")).expect("contractc.toml"))
        .expect("a valid configuration");
    let inputs = read_inputs(project, &config).unwrap_or_else(|e| panic!("{e}"));
    let (program, _) = compile(&inputs, &config).unwrap_or_else(|e| panic!("{e}"));
    for (i, c) in program.contracts.iter().enumerate() {
        validators.insert(c.id.key(), contractc_validator::validator(&*program, i));
    }
    let headers: Vec<_> = program.contracts.iter().map(|c| c.header()).collect();
    let migrations: Vec<_> = program.migrations.iter().map(|m| program.migration_header(m)).collect();
    for p in contractc_ir::upgrade_paths(&headers, &migrations) {
        let chain = p
            .migrations
            .iter()
            .map(|h| {
                let m = program.migrations.iter().find(|m| program.migration_header(m) == **h).expect("listed");
                contractc_backend_plan::migration(&program, m)
            })
            .collect();
        paths.insert((p.from.id.key(), p.to.id.key()), chain);
    }
}

fn upgrade(v: &HashMap<String, Validator>, chain: &[Migration], from: &str, to: &str, text: &str) -> Answer {
    let (Some(before), Some(after)) = (v.get(from), v.get(to)) else { return Answer::Unknown };
    let run = || -> Result<String, String> {
        runtime::validate::validate_text(before, text).map_err(|e| e.to_string())?;
        let mut message = runtime::validate::parse_strict(text).map_err(|e| e.to_string())?;
        for m in chain {
            m.upgrade(&mut message)?;
        }
        let written = runtime::validate::to_canonical_json(after, &message);
        runtime::validate::validate_text(after, &written).map_err(|e| format!("after migrating, {e}"))?;
        Ok(written)
    };
    match run() {
        Ok(canonical) => Answer::Accept(canonical),
        Err(e) => Answer::Reject(e),
    }
}

fn main() -> std::io::Result<()> {
    let root = contractc_tests::root();
    let (mut all, mut paths) = (HashMap::new(), HashMap::new());
    load(&root, &mut all, &mut paths);
    load(&root.join("tests/conformance"), &mut all, &mut paths);
    serve(|request, message| match Task::parse(request) {
        Task::Canonicalize(contract) => {
            let Some(v) = all.get(contract) else { return Answer::Unknown };
            match runtime::validate::canonical_text(v, message) {
                Ok(canonical) => Answer::Accept(canonical),
                Err(e) => Answer::Reject(e.to_string()),
            }
        }
        Task::Upgrade { from, to } => match paths.get(&(from.to_string(), to.to_string())) {
            Some(chain) => upgrade(&all, chain, from, to, message),
            None => Answer::Unknown,
        },
        Task::Roundtrip { .. } => Answer::Unknown,
    })
}

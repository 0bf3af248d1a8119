//! Plan backend: lowers each workflow and the contracts its steps emit into a
//! [`runtime::plan::Plan`] (each contract's validator by `contractc_validator`) and writes it
//! with the runtime's own encoder to `plans/<name>@<MAJOR>.<MINOR>.plan.bin` ([`path`]), one
//! plan per workflow.

use std::collections::BTreeMap;

use contractc_emit::OutputFile;
use contractc_ir::{Migration, OpKind, Program, TriggerRule, Workflow};
use contractc_validator::validator;
use runtime::plan::{self, Validator};

/// The version of the plan format this backend writes (and the runtime of the same release reads).
pub use runtime::plan::FORMAT_VERSION;

/// Where the plan of `workflow` is written, relative to the output folder:
/// `plans/<name>@<MAJOR>.<MINOR>.plan.bin`.
pub fn path(workflow: &Workflow) -> String {
    format!("plans/{}@{}.{}.plan.bin", workflow.name, workflow.major, workflow.minor)
}

/// Emits the plan of each of the program's workflows ([`path`]); no file when there is none.
pub fn emit(program: &Program) -> Vec<OutputFile> {
    program.workflows.iter().map(|w| OutputFile::new(path(w), plan::encode(&lower(program, w)))).collect()
}

/// The plan of workflow `w` of `program`: what [`emit`] encodes (steps in the workflow's order).
pub fn lower(program: &Program, w: &Workflow) -> plan::Plan {
    let mut validators: Vec<Validator> = Vec::new();
    let mut by_contract: BTreeMap<usize, u32> = BTreeMap::new();
    let mut validator_of = |contract: usize| {
        *by_contract.entry(contract).or_insert_with(|| {
            validators.push(validator(program, contract));
            (validators.len() - 1) as u32
        })
    };
    let mut migrations: Vec<plan::Migration> = Vec::new();
    let mut by_migration: BTreeMap<usize, u32> = BTreeMap::new();
    let steps = w
        .steps
        .iter()
        .map(|s| plan::Step {
            name: s.name.clone(),
            run: s.run.clone(),
            working_dir: s.working_dir.clone(),
            env: s.env.clone(),
            env_from_host: s.env_from_host.clone(),
            trigger: match s.trigger {
                TriggerRule::AllSuccess => plan::TriggerRule::AllSuccess,
                TriggerRule::AllDone => plan::TriggerRule::AllDone,
                TriggerRule::OneFailed => plan::TriggerRule::OneFailed,
                TriggerRule::Always => plan::TriggerRule::Always,
            },
            retry: s.retry.as_ref().map_or_else(plan::RetryPolicy::none, |r| plan::RetryPolicy {
                max_attempts: r.max_attempts,
                initial_ms: r.initial_ms,
                factor: r.factor,
                max_interval_ms: r.max_interval_ms,
                jitter: r.jitter,
                exit_codes: r.retry_on.exit_codes.clone(),
                signals: r.retry_on.signals.clone(),
                on_timeout: r.retry_on.timeout,
            }),
            timeout_ms: s.timeout_ms,
            deadline_ms: s.deadline_ms,
            fallback: s.fallback.map(|f| f as u32),
            fallback_for: s.fallback_for.map(|f| f as u32),
            resources: s.resources.iter().map(|&r| r as u32).collect(),
            inputs: s
                .inputs
                .iter()
                .map(|i| plan::Input {
                    name: i.name.clone(),
                    from: i.from as u32,
                    conversion: i.conversion.as_ref().map(|c| plan::Conversion {
                        migrations: c
                            .migrations
                            .iter()
                            .map(|&m| {
                                *by_migration.entry(m).or_insert_with(|| {
                                    migrations.push(migration(program, &program.migrations[m]));
                                    (migrations.len() - 1) as u32
                                })
                            })
                            .collect(),
                        validator: validator_of(c.contract),
                    }),
                })
                .collect(),
            output: s.output.as_ref().map(|o| plan::Output { validator: validator_of(o.contract), stream: o.stream }),
            needs: s.needs.iter().map(|&n| n as u32).collect(),
            when: s.when.as_ref().map(|c| plan::Condition {
                source: c.source.clone(),
                input: c.input as u32,
                code: c.code.iter().map(op).collect(),
            }),
        })
        .collect();
    let resources = w
        .resources
        .iter()
        .map(|r| plan::Resource {
            name: r.name.clone(),
            failure_threshold: r.failure_threshold,
            cooldown_ms: r.cooldown_ms,
        })
        .collect();
    plan::Plan { workflow: format!("{}@{}.{}", w.name, w.major, w.minor), steps, validators, resources, migrations }
}

/// A checked migration as the runtime applies it ([`runtime::migrate`]): named
/// `namespace/Name@A.B..C.D`; a `convert`, which leaves a value's JSON as it is, has no op.
pub fn migration(program: &Program, m: &Migration) -> plan::Migration {
    let name = program.migration_header(m).key();
    let ops = m
        .ops
        .iter()
        .filter_map(|op| match &op.kind {
            OpKind::Move { from, to, .. } => Some(plan::MigrationOp::Move { from: from.clone(), to: to.clone() }),
            OpKind::Add { path, default } => Some(plan::MigrationOp::Add {
                path: path.clone(),
                value: plan::Json::from(&runtime::json::parse(default).expect("the checker wrote canonical JSON")),
            }),
            OpKind::Remove { path, .. } => Some(plan::MigrationOp::Remove { path: path.clone() }),
            OpKind::EnumMap { path, pairs, .. } => {
                Some(plan::MigrationOp::EnumMap { path: path.clone(), pairs: pairs.clone() })
            }
            OpKind::Convert { .. } => None,
        })
        .collect();
    plan::Migration { name, ops }
}

fn op(o: &contractc_ir::Op) -> plan::Op {
    use contractc_ir::Op as I;
    match o {
        I::Field(p) => plan::Op::Field(p.clone()),
        I::Number(n) => plan::Op::Number(*n),
        I::String(s) => plan::Op::String(s.clone()),
        I::Bool(b) => plan::Op::Bool(*b),
        I::Eq => plan::Op::Eq,
        I::Ne => plan::Op::Ne,
        I::Lt => plan::Op::Lt,
        I::Le => plan::Op::Le,
        I::Gt => plan::Op::Gt,
        I::Ge => plan::Op::Ge,
        I::And => plan::Op::And,
        I::Or => plan::Op::Or,
        I::Not => plan::Op::Not,
    }
}

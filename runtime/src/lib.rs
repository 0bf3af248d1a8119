//! The runtime executes a compiled `plan.bin`: it makes no policy decisions; it schedules, runs,
//! validates, records and resumes ("ninja is an assembler").
//!
//! Architecture invariant: no compiler crate is a dependency, ever. The plan types live here in
//! [`plan`]; the compiler depends on them, never the reverse. Modules: [`plan`] (the file
//! format), [`validate`] (compiled contract checks), [`formats`] (the asserted `format`s) and
//! [`decimal`] (`multipleOf`), which generated Rust embeds too, [`cond`] (condition code), [`migrate`] (migrations carried out at a step boundary), [`exec`] (one attempt of a process),
//! [`journal`] (crash-safe records), [`disk`] (the disk operations of a commit, faults injectable), [`run`] (the scheduler, with one submodule per job).

pub mod cond;
pub mod decimal;
pub mod disk;
pub mod exec;
pub mod formats;
pub mod journal;
pub mod json;
pub mod migrate;
pub mod plan;
pub mod run;
pub mod validate;

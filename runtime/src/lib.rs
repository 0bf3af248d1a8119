//! The runtime executes a compiled `plan.bin`: it makes no policy decisions; it schedules, runs,
//! validates and reports ("ninja is an assembler").
//!
//! Architecture invariant: no compiler crate is a dependency, ever. The plan types live here in
//! [`plan`]; the compiler depends on them, never the reverse.

pub mod cond;
pub mod plan;
pub mod run;
pub mod validate;

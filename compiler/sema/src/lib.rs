//! Semantic analysis: the salsa database and the queries from source text to the IR.
//!
//! The driver creates one [`SourceFile`] input per file and one [`Workspace`] listing them, then
//! asks [`compile`]. Queries are pure functions of the database; diagnostics are part of the
//! returned values, never side effects. Phases: [`parse`] (per file, never fails) →
//! `schema` (resolve `$ref`s, check the keyword subset, lower contracts) → `workflow` (steps, DAG,
//! typed conditions) → `compat` (compatibility between the minors of a contract) → [`Compiled`].

mod compat;
mod cond;
mod db;
mod schema;
pub mod spec;
mod workflow;

pub use compat::{Compatibility, Policies, Settings};
pub use db::{Compiled, Database, Db, Parsed, SourceFile, Workspace, compile, parse};
pub use schema::{ANNOTATIONS, keywords};

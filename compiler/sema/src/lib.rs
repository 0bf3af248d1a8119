//! Semantic analysis: the salsa database and the queries from source text to the IR.
//!
//! The driver creates one [`SourceFile`] input per file and one [`Workspace`] listing them, then
//! asks [`compile`]. Queries are pure functions of the database; diagnostics are part of the
//! returned values, never side effects. The queries, as rust-analyzer and ty shape theirs:
//! [`parse`] (per file, never fails, byte spans) → [`summary`] (per file, position-free: an edit
//! that only moves bytes stops there) → `contracts` (the contracts by id) and `index` (`$ref`
//! resources; each contract's part a query of its own) → `lowered` (per contract: resolve, check
//! the keyword subset, lower; re-run only when what it read changed) → `checked` (the program:
//! cycles, examples, `compat`, `migration_checked` per migration file, the workflows' steps, DAG
//! and typed conditions) → [`compile`]
//! (diagnostics with byte ranges restored from the position-free spans, [`Compiled`]). The
//! driver lowers the contracts side by side first ([`lower_in_parallel`]).

mod compat;
mod cond;
mod db;
mod migration;
mod schema;
pub mod spec;
mod workflow;

pub use compat::{Compatibility, Policies, Settings};
pub use db::{
    Compiled, Database, Db, Parsed, SourceFile, Workspace, compile, contract_file, contract_files, contract_ids,
    contract_index, contract_interface, contract_ir, is_workflow, lower_in_parallel, migration_files, migration_ir,
    parse, summary,
};
pub use migration::is_migration;
pub use schema::{ANNOTATIONS, keywords};

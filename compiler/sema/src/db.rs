//! The salsa database and its queries.

use std::collections::HashMap;
use std::sync::Arc;

use contractc_diagnostics::{Diagnostic, Severity, codes};
use contractc_ir::{Contract, ContractId, Migration, Program};
use contractc_syntax::{Node, Pointer, Span};

use crate::migration::{MigrationId, is_migration};
use crate::schema::{Globals, IndexData, Local, Lowered, Resolve, Slice};

/// One input file (contract, workflow spec or migration), by project-relative `/`-separated path.
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    pub text: String,
}

/// The set of input files, sorted by path, and the project's settings.
#[salsa::input(debug)]
pub struct Workspace {
    #[returns(ref)]
    pub files: Vec<SourceFile>,
    #[returns(ref)]
    pub settings: crate::Settings,
}

#[salsa::db]
pub trait Db: salsa::Database {}

/// The database. Set `events` to observe which queries execute (tests of incrementality).
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
}

impl Database {
    /// A database that calls `on_event` for every salsa event.
    pub fn with_events(on_event: impl Fn(salsa::Event) + Send + Sync + 'static) -> Database {
        Database { storage: salsa::Storage::new(Some(Box::new(on_event))) }
    }
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {}

/// A parsed file: its tree without byte positions ([`Node::without_positions`]), the byte span
/// of each of the tree's spans ([`Node::spans`], what turns the position-free spans of
/// diagnostics back into byte ranges), and its syntax errors as diagnostics. One tree per file is
/// kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub root: Arc<Node>,
    pub spans: Vec<Span>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one file. Never fails.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> Parsed {
    let (root, errors) = contractc_syntax::parse(file.text(db));
    let path = file.path(db);
    let diagnostics = errors
        .into_iter()
        .map(|e| {
            Diagnostic::error(codes::JSON_SYNTAX, path, e.span, Pointer::root(), e.message.clone())
                .with_label(e.message)
        })
        .collect();
    Parsed { spans: root.spans(), root: Arc::new(root.without_positions()), diagnostics }
}

/// A file's position-free tree ([`Parsed::root`]): equal for two texts that differ only in
/// whitespace, so an edit that only moves bytes stops here. `None` when the file has syntax
/// errors ([`parse`] says which).
#[salsa::tracked(returns(ref))]
pub fn summary(db: &dyn Db, file: SourceFile) -> Option<Arc<Node>> {
    let parsed = parse(db, file);
    parsed.diagnostics.is_empty().then(|| parsed.root.clone())
}

/// Whether a file (by its project-relative path) is a workflow spec: it stands in a `workflows`
/// folder.
pub fn is_workflow(path: &str) -> bool {
    path.split('/').any(|seg| seg == "workflows")
}

/// The workspace's contracts that parse, sorted by id (their contract indexes), and the
/// diagnostics of files not named like contracts. Reads each file's path and whether it parses,
/// not its text: an edit inside a file that still parses leaves it equal.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Contracts {
    pub order: Vec<(ContractId, SourceFile)>,
    /// Each contract's index in `order`.
    pub by_file: HashMap<SourceFile, usize>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The contracts of `workspace` ([`Contracts`]).
#[salsa::tracked(returns(ref))]
pub(crate) fn contracts(db: &dyn Db, workspace: Workspace) -> Contracts {
    let files: Vec<(&str, SourceFile)> = workspace
        .files(db)
        .iter()
        .filter(|f| !is_workflow(f.path(db)) && !is_migration(f.path(db)) && summary(db, **f).is_some())
        .map(|&f| (f.path(db).as_str(), f))
        .collect();
    let mut diagnostics = Vec::new();
    let order: Vec<(ContractId, SourceFile)> =
        crate::schema::contract_order(&files, &mut diagnostics).into_iter().map(|(id, _, f)| (id, f)).collect();
    let by_file = order.iter().enumerate().map(|(i, (_, f))| (*f, i)).collect();
    Contracts { order, by_file, diagnostics }
}

/// The workspace's migration files, sorted by id (one with syntax errors too: it still names
/// the versions it joins), and the diagnostics of those not named like migrations. Reads each
/// file's path, not its text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Migrations {
    pub order: Vec<(MigrationId, SourceFile)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The migrations of `workspace` ([`Migrations`]).
#[salsa::tracked(returns(ref))]
pub(crate) fn migrations(db: &dyn Db, workspace: Workspace) -> Migrations {
    let mut order = Vec::new();
    let mut diagnostics = Vec::new();
    for &f in workspace.files(db).iter().filter(|f| is_migration(f.path(db))) {
        match crate::migration::migration_id(f.path(db)) {
            Some(id) => order.push((id, f)),
            None => diagnostics.push(crate::migration::misnamed(f.path(db))),
        }
    }
    order.sort_by(|a, b| a.0.cmp(&b.0));
    Migrations { order, diagnostics }
}

/// What contract `file` gives the index by itself ([`Local`]): re-run only when it changes.
#[salsa::tracked(returns(ref))]
fn local_index(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Option<Local> {
    let contracts = contracts(db, workspace);
    let &i = contracts.by_file.get(&file)?;
    let root = summary(db, file).as_deref()?;
    Some(Local::new(&contracts.order[i].0, file.path(db), root))
}

/// The resource and `$ref` index of every contract ([`IndexData`]), with the diagnostics of
/// their `$id`s and anchors: assembled from each contract's [`local_index`]. Position-free.
#[salsa::tracked(returns(ref))]
pub(crate) fn index(db: &dyn Db, workspace: Workspace) -> (IndexData, Vec<Diagnostic>) {
    let contracts = contracts(db, workspace);
    let ids: Vec<(ContractId, &str)> =
        contracts.order.iter().map(|(id, f)| (id.clone(), f.path(db).as_str())).collect();
    let locals: Vec<&Local> = contracts
        .order
        .iter()
        .map(|(_, f)| local_index(db, workspace, *f).as_ref().expect("a contract parses"))
        .collect();
    // Another contract's tree is read only where a `$ref` leads into it past its own part.
    let tree = |c: usize| summary(db, contracts.order[c].1).as_deref().expect("a contract parses");
    let mut diagnostics = Vec::new();
    let index = IndexData::assemble(&ids, &tree, &locals, &mut diagnostics);
    (index, diagnostics)
}

/// Contract `file`'s part of the [`index`]: equal after an edit elsewhere that leaves it so,
/// and then what reads it is not run again.
#[salsa::tracked(returns(ref))]
fn index_slice(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Arc<Slice> {
    index(db, workspace).0.slices[contracts(db, workspace).by_file[&file]].clone()
}

/// The resources and anchors of the [`index`]: they change only with a `$id`, an anchor or a
/// contract added or removed.
#[salsa::tracked(returns(ref))]
fn index_globals(db: &dyn Db, workspace: Workspace) -> Arc<Globals> {
    index(db, workspace).0.globals.clone()
}

/// A lowering's view of the database: the index part by part and the contracts' trees one by
/// one, read as the lowering asks, so that it depends on the contracts it looks into, not on
/// every one.
struct View<'db> {
    db: &'db dyn Db,
    workspace: Workspace,
    contracts: &'db Contracts,
}

impl crate::schema::Roots for View<'_> {
    fn root(&self, contract: usize) -> (&Node, &str) {
        let file = self.contracts.order[contract].1;
        (summary(self.db, file).as_deref().expect("a contract parses"), file.path(self.db))
    }
}

impl Resolve for View<'_> {
    fn slice(&self, contract: usize) -> &Slice {
        index_slice(self.db, self.workspace, self.contracts.order[contract].1)
    }
    fn globals(&self) -> &Globals {
        index_globals(self.db, self.workspace)
    }
}

/// One contract lowered to the IR (types, diagnostics with position-free spans, reference edges,
/// examples), or `None` when `file` is no contract of the workspace (a workflow, a misnamed file,
/// a file with syntax errors). Re-run after an edit elsewhere only when that edit changes what
/// this lowering read: its index part, the resources and anchors, a contract its `$ref`s lead
/// into.
#[salsa::tracked(returns(ref))]
pub(crate) fn lowered(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Option<Lowered> {
    let contracts = contracts(db, workspace);
    let &i = contracts.by_file.get(&file)?;
    let view = View { db, workspace, contracts };
    let (root, path) = crate::schema::Roots::root(&view, i);
    Some(crate::schema::lower_one(&view, &view, i, &contracts.order[i].0, path, root))
}

/// The contracts' files in contract order: file `k` holds `program.contracts[k]`.
pub fn contract_files(db: &dyn Db, workspace: Workspace) -> Vec<SourceFile> {
    contracts(db, workspace).order.iter().map(|(_, f)| *f).collect()
}

/// Each contract's id, in contract order.
pub fn contract_ids(db: &dyn Db, workspace: Workspace) -> Vec<&ContractId> {
    contracts(db, workspace).order.iter().map(|(id, _)| id).collect()
}

/// The place of contract `file` in contract order.
pub fn contract_index(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Option<usize> {
    contracts(db, workspace).by_file.get(&file).copied()
}

/// The file of the contract at place `k` of contract order.
pub fn contract_file(db: &dyn Db, workspace: Workspace, k: usize) -> SourceFile {
    contracts(db, workspace).order[k].1
}

/// The migrations' files, sorted by the versions they join.
pub fn migration_files(db: &dyn Db, workspace: Workspace) -> Vec<SourceFile> {
    migrations(db, workspace).order.iter().map(|(_, f)| *f).collect()
}

/// Migration `file` checked, as [`compile`]'s program holds it: `None` when it has errors (or is
/// not a migration). Asked only of a workspace that compiles.
pub fn migration_ir(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Option<&Migration> {
    migration_checked(db, workspace, file).0.as_ref()
}

/// Contract `file`'s IR as [`compile`]'s program holds it (when it compiles), read through its
/// own lowering: a query that reads it depends on this contract, not on the program.
pub fn contract_ir(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Option<&Contract> {
    lowered(db, workspace, file).as_ref().map(|l| l.contract())
}

/// Contract `file`'s [`Contract::interface`], what the other contracts' generated code may read
/// of it: equal after an edit to its descriptions, so that edit renders no other contract again.
#[salsa::tracked(returns(ref))]
fn interface(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Option<Contract> {
    contract_ir(db, workspace, file).map(Contract::interface)
}

/// [`interface`], for a query that renders another contract.
pub fn contract_interface(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Option<&Contract> {
    interface(db, workspace, file).as_ref()
}

/// Lowers every contract of the workspace on every core, each through [`lowered`] in a handle of
/// its own: a later [`compile`] finds them computed. Nothing else changes: [`compile`] alone is
/// just as correct, on one core.
pub fn lower_in_parallel(db: &Database, workspace: Workspace) {
    use rayon::prelude::*;
    let files = contracts(db, workspace).order.iter().map(|(_, f)| *f).collect::<Vec<_>>();
    // Each contract's part of the index, then each contract's lowering.
    files.par_iter().for_each_with(db.clone(), |db, &file| {
        local_index(db, workspace, file);
    });
    files.par_iter().for_each_with(db.clone(), |db, &file| {
        lowered(db, workspace, file);
    });
}

/// The contracts as a query reads them: each through its [`interface`] (the IR without
/// descriptions), one at a time, so that the query depends on the contracts it reads alone and
/// not on their descriptions.
struct Interfaces<'db> {
    db: &'db dyn Db,
    workspace: Workspace,
    contracts: &'db Contracts,
}

impl contractc_ir::Contracts for Interfaces<'_> {
    fn at(&self, contract: usize) -> &Contract {
        contract_interface(self.db, self.workspace, self.contracts.order[contract].1).expect("a contract")
    }
}

impl<'db> Interfaces<'db> {
    fn new(db: &'db dyn Db, workspace: Workspace) -> Interfaces<'db> {
        Interfaces { db, workspace, contracts: contracts(db, workspace) }
    }

    /// The position-free span of `pointer` in contract file `path`.
    fn span(&self, path: &str, pointer: &str) -> Span {
        let file = self.contracts.order.iter().find(|(_, f)| f.path(self.db) == path);
        let root = file.and_then(|(_, f)| summary(self.db, *f).as_deref());
        root.map_or_else(Default::default, |r| r.locate(&Pointer::parse(pointer).unwrap_or_default()))
    }
}

/// Contract `file`'s `examples` and `default`s checked against their types
/// ([`Lowered::check_examples`]). Asked only when no contract has errors.
#[salsa::tracked(returns(ref))]
fn examples_checked(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if let Some(l) = lowered(db, workspace, file) {
        l.check_examples(&Interfaces::new(db, workspace), &mut diagnostics);
    }
    diagnostics
}

/// Contract `file` checked against the earlier minors of its line that the compatibility
/// policies name ([`crate::compat::check`]). Asked only when no contract has errors.
#[salsa::tracked(returns(ref))]
fn compat_checked(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<Diagnostic> {
    let view = Interfaces::new(db, workspace);
    let Some(&new) = view.contracts.by_file.get(&file) else { return Vec::new() };
    let policies = &workspace.settings(db).compatibility;
    let earlier = crate::compat::earlier(&|c| &view.contracts.order[c].0, new, policies);
    let mut diagnostics = Vec::new();
    if !earlier.is_empty() {
        let span = |path: &str, pointer: &str| view.span(path, pointer);
        crate::compat::check(&view, &earlier, new, policies, &span, &mut diagnostics);
    }
    diagnostics
}

/// Migration `file` checked against the two versions it joins ([`crate::migration::check`]):
/// its IR when it has no errors, and its diagnostics. Reads the contracts by their interfaces:
/// re-run when the file, or one of the contracts it reads, changes. Asked only when no contract
/// has errors.
#[salsa::tracked(returns(ref))]
fn migration_checked(db: &dyn Db, workspace: Workspace, file: SourceFile) -> (Option<Migration>, Vec<Diagnostic>) {
    let view = Interfaces::new(db, workspace);
    let mut diagnostics = Vec::new();
    let (Some(id), Some(root)) = (crate::migration::migration_id(file.path(db)), summary(db, file).as_deref()) else {
        return (None, diagnostics);
    };
    let ids: Vec<&ContractId> = view.contracts.order.iter().map(|(id, _)| id).collect();
    let span = |path: &str, pointer: &str| view.span(path, pointer);
    let cx = crate::migration::Context { contracts: &view, ids: &ids, span: &span };
    let migration = crate::migration::check(&cx, &id, file.path(db), root, &mut diagnostics);
    (migration, diagnostics)
}

/// The program and the diagnostics of every check, before byte positions are restored: the
/// contracts' diagnostics carry position-free spans, the workflows' byte spans.
#[derive(Clone, Debug, PartialEq)]
struct Checked {
    program: Arc<Program>,
    contracts: Vec<Diagnostic>,
    workflows: Vec<Diagnostic>,
}

/// Joins the lowered contracts, checks them (cycles across contracts and the majors that need a
/// migration here, each contract's examples and compatibility and each migration by a query of
/// its own), puts the checked migrations in the program and lowers the workflows. Reads the
/// contracts' and migrations' position-free trees only.
#[salsa::tracked(returns(ref))]
fn checked(db: &dyn Db, workspace: Workspace) -> Checked {
    let order = contracts(db, workspace);
    let mut diagnostics = order.diagnostics.clone();
    diagnostics.extend(index(db, workspace).1.iter().cloned());
    let lowered: Vec<&Lowered> =
        order.order.iter().map(|(_, f)| lowered(db, workspace, *f).as_ref().expect("a contract")).collect();
    let settings = workspace.settings(db);
    let (mut program, broken) = crate::schema::join_contracts(&lowered, settings.mql4, &mut diagnostics);
    let migrations = crate::db::migrations(db, workspace);
    diagnostics.extend(migrations.diagnostics.iter().cloned());
    let ids: Vec<&ContractId> = order.order.iter().map(|(id, _)| id).collect();
    let paths: Vec<&str> = order.order.iter().map(|(_, f)| f.path(db).as_str()).collect();
    let migration_ids: Vec<&MigrationId> = migrations.order.iter().map(|(id, _)| id).collect();
    crate::migration::check_majors(&ids, &paths, &migration_ids, &mut diagnostics);
    // Whether every migration was checked and is in the program, so that an input no chain of
    // them reaches is an error of its own and not an echo of another.
    let mut migrations_checked = !broken.iter().any(|&b| b);
    if migrations_checked {
        for (_, f) in &order.order {
            diagnostics.extend(examples_checked(db, workspace, *f).iter().cloned());
            diagnostics.extend(compat_checked(db, workspace, *f).iter().cloned());
        }
        for (_, f) in &migrations.order {
            let (migration, found) = migration_checked(db, workspace, *f);
            diagnostics.extend(found.iter().cloned());
            migrations_checked &= migration.is_some();
            program.migrations.extend(migration.iter().cloned());
        }
    }
    let mut workflow_diagnostics = Vec::new();
    // A workflow's conditions are located inside its strings: its tree keeps its byte positions.
    let trees: Vec<(SourceFile, Node)> = workspace
        .files(db)
        .iter()
        .filter(|f| is_workflow(f.path(db)) && parse(db, **f).diagnostics.is_empty())
        .map(|&f| (f, contractc_syntax::parse(f.text(db)).0))
        .collect();
    let workflows: Vec<crate::workflow::WorkflowFile> = trees
        .iter()
        .map(|(f, root)| crate::workflow::WorkflowFile { path: f.path(db), text: f.text(db), root })
        .collect();
    let program =
        crate::workflow::lower_workflows(program, &broken, migrations_checked, &workflows, &mut workflow_diagnostics);
    Checked { program: Arc::new(program), contracts: diagnostics, workflows: workflow_diagnostics }
}

/// The outcome of compiling a workspace: the program when there are no errors, and every
/// diagnostic in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct Compiled {
    pub program: Option<Arc<Program>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Resolves, checks and lowers every file of the workspace: [`checked`], with the byte spans of
/// the contracts' diagnostics restored and the syntax errors of every file.
#[salsa::tracked(returns(ref))]
pub fn compile(db: &dyn Db, workspace: Workspace) -> Compiled {
    let checked = checked(db, workspace);
    let mut diagnostics: Vec<Diagnostic> =
        workspace.files(db).iter().flat_map(|&f| parse(db, f).diagnostics.iter().cloned()).collect();
    let by_path: HashMap<&str, SourceFile> = workspace.files(db).iter().map(|&f| (f.path(db).as_str(), f)).collect();
    diagnostics.extend(checked.contracts.iter().map(|d| {
        let span = by_path.get(d.file.as_str()).map_or(d.span, |&f| Node::restore_span(&parse(db, f).spans, d.span));
        Diagnostic { span, ..d.clone() }
    }));
    diagnostics.extend(checked.workflows.iter().cloned());
    diagnostics.sort_by(|a, b| (&a.file, a.span.start, a.code).cmp(&(&b.file, b.span.start, b.code)));
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    Compiled { program: (!has_errors).then(|| checked.program.clone()), diagnostics }
}

//! The salsa database and its queries.

use contractc_diagnostics::{Diagnostic, Severity, codes};
use contractc_ir::Program;
use contractc_syntax::{Node, Pointer};

/// One input file (contract or workflow spec), by project-relative `/`-separated path.
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

/// A parsed file: its tree and its syntax errors as diagnostics.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub root: Node,
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
    Parsed { root, diagnostics }
}

/// The outcome of compiling a workspace: the program when there are no errors, and every
/// diagnostic in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct Compiled {
    pub program: Option<Program>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Resolves, checks and lowers every file of the workspace.
#[salsa::tracked(returns(ref))]
pub fn compile(db: &dyn Db, workspace: Workspace) -> Compiled {
    let mut diagnostics = Vec::new();
    let mut contracts = Vec::new();
    let mut workflows = Vec::new();
    for &file in workspace.files(db) {
        let parsed = parse(db, file);
        diagnostics.extend(parsed.diagnostics.iter().cloned());
        if !parsed.diagnostics.is_empty() {
            continue;
        }
        let path = file.path(db).as_str();
        if path.split('/').any(|seg| seg == "workflows") {
            workflows.push(crate::workflow::WorkflowFile { path, text: file.text(db), root: &parsed.root });
        } else {
            contracts.push((path, &parsed.root));
        }
    }
    let (program, broken) = crate::schema::lower_contracts(&contracts, workspace.settings(db).mql4, &mut diagnostics);
    if !broken.iter().any(|&b| b) {
        let span = |file: &str, pointer: &str| {
            let root = contracts.iter().find(|(p, _)| *p == file).map(|(_, r)| *r);
            root.map_or_else(Default::default, |r| r.locate(&Pointer::parse(pointer).unwrap_or_default()))
        };
        crate::compat::check(&program, &workspace.settings(db).compatibility, &span, &mut diagnostics);
    }
    let program = crate::workflow::lower_workflows(program, &broken, &workflows, &mut diagnostics);
    diagnostics.sort_by(|a, b| (&a.file, a.span.start, a.code).cmp(&(&b.file, b.span.start, b.code)));
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    Compiled { program: (!has_errors).then_some(program), diagnostics }
}

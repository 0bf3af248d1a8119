//! The driver: the only crate that touches the world (files, environment, clock). It reads
//! `contractc.toml`, discovers inputs with walkdir, feeds them to the salsa database, runs the
//! enabled backends and writes only the files whose bytes changed; its build log (`log`) lets a
//! build whose inputs and outputs are unchanged stop before compiling.

pub mod argo;
pub mod config;
pub mod explain;
pub mod graph;
pub mod import;
pub mod init;
pub mod log;
pub mod mcp;
pub mod report;
pub mod templates;
pub mod watch;
pub mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use contractc_diagnostics::{Diagnostic, codes};
use contractc_emit::{EmitError, NameClash, NameProblem, Renderer, Templates};
use contractc_ir::{Contract, ContractId, Header, MigrationHeader, Program};
use contractc_sema::{Database, Settings, SourceFile, Workspace};
use contractc_syntax::Pointer;
use salsa::{Durability, Setter};

pub use config::{Backend, Config};
pub use contractc_emit::OutputFile;

/// The inputs of a project, read from disk, by project-relative `/`-separated path.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    pub sources: Vec<(String, String)>,
    pub templates: Templates,
}

/// Why generating failed.
#[derive(Debug)]
pub enum Failure {
    /// The contracts or workflows have errors; nothing was generated.
    Diagnostics(Vec<Diagnostic>),
    Emit(EmitError),
    Io(PathBuf, std::io::Error),
    /// `contractc.toml` says something that cannot be used.
    Config(String),
    /// The command asks for something that cannot be done (the message says what, and what to do).
    Usage(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Diagnostics(d) => write!(f, "{} error(s) in the contracts", d.len()),
            Failure::Emit(e) => write!(f, "{e}"),
            Failure::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Failure::Config(e) => write!(f, "contractc.toml: {e}"),
            Failure::Usage(e) => write!(f, "{e}"),
        }
    }
}

/// Reads every contract, workflow spec, migration and template under `root` as `config` names
/// them, sorted.
pub fn read_inputs(root: &Path, config: &Config) -> Result<Inputs, Failure> {
    let mut inputs = Inputs::default();
    for (rel, _, text) in read_tree(root, &config.contracts, "json")? {
        inputs.sources.push((rel, text));
    }
    inputs.templates = templates::read(root, config)?;
    Ok(inputs)
}

/// Every file with extension `ext` under folder `dir` (relative to `root`, or absolute), sorted:
/// its path from `root` (as given when it lies outside), its path from `dir`, both with `/`, and
/// its text.
fn read_tree(root: &Path, dir: &str, ext: &str) -> Result<Vec<(String, String, String)>, Failure> {
    let base = root.join(dir);
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&base).sort_by_file_name() {
        let entry = entry.map_err(|e| Failure::Io(base.clone(), e.into()))?;
        if !entry.file_type().is_file() || entry.path().extension().and_then(|e| e.to_str()) != Some(ext) {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).map_err(|e| Failure::Io(entry.path().to_path_buf(), e))?;
        let (from_root, inside) = names(root, &base, entry.path());
        out.push((from_root, inside, text));
    }
    Ok(out)
}

/// Writes `files` (each a path inside `dir` and its text) into `dir`, creating folders: the paths
/// written. Refuses, writing nothing, when any of them exists already.
fn write_new_files(dir: &Path, files: &[(&str, &str)]) -> Result<Vec<PathBuf>, Failure> {
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| dir.join(p)).collect();
    if let Some(taken) = paths.iter().find(|p| p.exists()) {
        return Err(Failure::Io(
            taken.clone(),
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, "exists already; nothing was written"),
        ));
    }
    for (path, (_, text)) in paths.iter().zip(files) {
        let parent = path.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).map_err(|e| Failure::Io(parent.to_path_buf(), e))?;
        std::fs::write(path, text).map_err(|e| Failure::Io(path.clone(), e))?;
    }
    Ok(paths)
}

/// The two names of `path`, a file under folder `base`, as `read_tree` gives them: its path from
/// `root` (as given when it lies outside) and its path from `base`, both with `/`.
fn names(root: &Path, base: &Path, path: &Path) -> (String, String) {
    let slashed = |p: &Path| p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    let from_root = match path.strip_prefix(root) {
        Ok(rel) => slashed(rel),
        Err(_) => path.display().to_string(),
    };
    (from_root, slashed(path.strip_prefix(base).unwrap_or(path)))
}

/// One enabled backend, an input of the database: the templates of its folder (`python/...`) and
/// the options, with HIGH durability (they change rarely: after a contract edit, salsa does not
/// re-check them). A template edit re-renders only the backend whose folder holds it.
#[salsa::input(debug)]
pub struct Emitter {
    #[returns(copy)]
    pub backend: Backend,
    #[returns(ref)]
    pub templates: Templates,
    #[returns(ref)]
    pub options: contractc_emit::Options,
}

/// The inputs of a project in a database: the workspace (sources and settings) and one
/// [`Emitter`] per enabled backend, in configuration order.
#[derive(Clone, Debug)]
pub struct Project {
    pub workspace: Workspace,
    pub emitters: Vec<Emitter>,
}

/// The templates under `backend`'s folder (none for the backends without templates).
fn templates_of(templates: &Templates, backend: Backend) -> Templates {
    let dir = match backend {
        Backend::Python => "python/",
        Backend::Mql4 => "mql4/",
        Backend::Rust | Backend::Plan => return Templates::default(),
    };
    Templates {
        files: templates
            .files
            .iter()
            .filter(|(n, _)| n.starts_with(dir))
            .map(|(n, t)| (n.clone(), t.clone()))
            .collect(),
    }
}

/// The [`Emitter`]s `config` enables, fed with `templates`.
pub fn emitters(db: &Database, templates: &Templates, config: &Config) -> Vec<Emitter> {
    config
        .backends
        .iter()
        .map(|&b| {
            Emitter::builder(b, templates_of(templates, b), config.options()).durability(Durability::HIGH).new(db)
        })
        .collect()
}

/// Gives `emitters` the templates of `templates` each reads, setting only those that differ.
pub fn set_templates(db: &mut Database, emitters: &[Emitter], templates: &Templates) {
    for &e in emitters {
        let mine = templates_of(templates, e.backend(db));
        if *e.templates(db) != mine {
            e.set_templates(db).with_durability(Durability::HIGH).to(mine);
        }
    }
}

/// The salsa database holding the inputs: the workspace listing them and the backends.
pub fn load(db: &mut Database, inputs: &Inputs, config: &Config) -> Result<Project, Failure> {
    let files = inputs.sources.iter().map(|(p, t)| SourceFile::new(db, p.clone(), t.clone())).collect();
    let workspace = Workspace::new(db, files, settings(config)?);
    Ok(Project { workspace, emitters: emitters(db, &inputs.templates, config) })
}

/// The renderer of an emitter's templates (none for the backends without templates), made once
/// per template edit and shared by every contract's rendering.
#[salsa::tracked(returns(ref), no_eq)]
fn renderer(db: &dyn contractc_sema::Db, emitter: Emitter) -> Option<Arc<Renderer>> {
    let templates = emitter.templates(db);
    match emitter.backend(db) {
        Backend::Python => Some(Arc::new(contractc_backend_python::renderer(templates))),
        Backend::Mql4 => Some(Arc::new(contractc_backend_mql4::renderer(templates))),
        Backend::Rust | Backend::Plan => None,
    }
}

/// Contract `file`'s [`Header`], what the files that list every contract read of it.
#[salsa::tracked(returns(ref))]
fn header(db: &dyn contractc_sema::Db, workspace: Workspace, file: SourceFile) -> Option<Header> {
    contractc_sema::contract_ir(db, workspace, file).map(Contract::header)
}

/// Migration `file`'s [`MigrationHeader`], what the files that list every migration read of it.
#[salsa::tracked(returns(ref))]
fn migration_header(db: &dyn contractc_sema::Db, workspace: Workspace, file: SourceFile) -> Option<MigrationHeader> {
    let m = contractc_sema::migration_ir(db, workspace, file)?;
    let of = |c: usize| header(db, workspace, contractc_sema::contract_file(db, workspace, c)).clone();
    let (from, to) = (of(m.from)?, of(m.to)?);
    Some(MigrationHeader::new(m, from, to))
}

/// One migration's file of one backend (Rust, Python, MQL4), from the checked migration and its header:
/// re-run when the migration, or the contracts it joins, change.
#[salsa::tracked(returns(ref))]
fn rendered_migration(
    db: &dyn contractc_sema::Db,
    workspace: Workspace,
    emitter: Emitter,
    file: SourceFile,
) -> Option<Result<OutputFile, EmitError>> {
    let m = contractc_sema::migration_ir(db, workspace, file)?;
    let header = migration_header(db, workspace, file).as_ref()?;
    match emitter.backend(db) {
        Backend::Rust => Some(Ok(contractc_backend_rust::emit_migration(m, header))),
        Backend::Python => {
            let r = renderer(db, emitter).as_deref().expect("a backend with templates");
            Some(contractc_backend_python::emit_migration(m, header, r, emitter.options(db)))
        }
        Backend::Mql4 => {
            let r = renderer(db, emitter).as_deref().expect("a backend with templates");
            Some(contractc_backend_mql4::emit_migration(m, header, r))
        }
        Backend::Plan => None,
    }
}

/// What one backend generates besides the contracts' own files, for a workspace that compiles:
/// the plan from the program (re-run when the program changes), the others from the contracts'
/// [`header`]s (re-run when one changes, or this backend's templates or options).
#[salsa::tracked(returns(ref))]
fn shared(db: &dyn contractc_sema::Db, workspace: Workspace, emitter: Emitter) -> Result<Vec<OutputFile>, EmitError> {
    let headers = || -> Vec<Header> {
        let files = contractc_sema::contract_files(db, workspace);
        files.iter().map(|&f| header(db, workspace, f).clone().expect("a workspace that compiles")).collect()
    };
    let migrations = || -> Vec<MigrationHeader> {
        let files = contractc_sema::migration_files(db, workspace);
        files.iter().filter_map(|&f| migration_header(db, workspace, f).clone()).collect()
    };
    let options = emitter.options(db);
    let r = || renderer(db, emitter).as_deref().expect("a backend with templates");
    match emitter.backend(db) {
        Backend::Rust => Ok(contractc_backend_rust::emit_shared(&headers(), &migrations(), options)),
        Backend::Python => contractc_backend_python::emit_shared(&headers(), &migrations(), r(), options),
        Backend::Mql4 => contractc_backend_mql4::emit_shared(r()),
        Backend::Plan => match &contractc_sema::compile(db, workspace).program {
            Some(program) => Ok(contractc_backend_plan::emit(program)),
            None => Ok(Vec::new()),
        },
    }
}

/// One contract's file of one backend (none for the plan), rendered from the contracts it
/// reaches alone ([`contractc_emit::sub_program`]), the others by their interfaces: re-run when
/// the contract, the interface of one it reaches, or the backend's templates or options,
/// change. Asked only of a workspace that compiles.
#[salsa::tracked(returns(ref))]
fn rendered(
    db: &dyn contractc_sema::Db,
    workspace: Workspace,
    emitter: Emitter,
    file: SourceFile,
) -> Option<Result<OutputFile, EmitError>> {
    let this = contractc_sema::contract_index(db, workspace, file)?;
    // This contract in full, the others it reaches by their interfaces (no descriptions).
    let ir = |c: usize| {
        let file = contractc_sema::contract_file(db, workspace, c);
        let ir = if c == this { contractc_sema::contract_ir } else { contractc_sema::contract_interface };
        ir(db, workspace, file).expect("a workspace that compiles")
    };
    let reached = contractc_emit::reached(this, |c| contractc_emit::refers_to(ir(c), c));
    let program = contractc_emit::sub_program(&reached.iter().map(|&c| (c, ir(c))).collect::<Vec<_>>());
    let at = reached.binary_search(&this).expect("a contract reaches itself");
    let options = emitter.options(db);
    let r = || renderer(db, emitter).as_deref().expect("a backend with templates");
    Some(match emitter.backend(db) {
        Backend::Rust => Ok(contractc_backend_rust::emit_contract(&program, at)),
        Backend::Python => contractc_backend_python::emit_contract(&program, r(), options, at),
        Backend::Mql4 => contractc_backend_mql4::emit_contract(&program, r(), options, at),
        Backend::Plan => return None,
    })
}

/// The settings of the workspace input that `config` gives.
pub fn settings(config: &Config) -> Result<Settings, Failure> {
    Ok(Settings {
        compatibility: config.policies().map_err(Failure::Config)?,
        mql4: config.backends.contains(&Backend::Mql4),
    })
}

/// Compiles the inputs: the program when there are no errors (then with any warnings), or every
/// diagnostic.
pub fn compile(inputs: &Inputs, config: &Config) -> Result<(Arc<Program>, Vec<Diagnostic>), Failure> {
    let mut db = Database::default();
    let ws = load(&mut db, inputs, config)?.workspace;
    contractc_sema::lower_in_parallel(&db, ws);
    let compiled = contractc_sema::compile(&db, ws);
    match &compiled.program {
        Some(program) => Ok((program.clone(), compiled.diagnostics.clone())),
        None => Err(Failure::Diagnostics(compiled.diagnostics.clone())),
    }
}

/// The names each of `backends` would make identical in `program`: diagnostics, never silent
/// renames. Python's attributes cannot clash: `field_attributes` suffixes a repeat.
pub fn name_clashes(program: &Program, backends: &[Backend]) -> Vec<NameClash> {
    let ids: Vec<&ContractId> = program.contracts.iter().map(|c| &c.id).collect();
    let source = |c: usize| program.contracts[c].source.clone();
    let mut out: Vec<NameClash> = backends
        .iter()
        .flat_map(|&b| program.contracts.iter().enumerate().flat_map(move |(c, contract)| names_of(b, contract, c)))
        .collect();
    if backends.contains(&Backend::Mql4) {
        out.extend(contractc_backend_mql4::check_prefixes(&ids, &source));
    }
    out
}

/// The names `backend` would make identical in `contract` (at place `c` of contract order).
fn names_of(backend: Backend, contract: &Contract, c: usize) -> Vec<NameClash> {
    match backend {
        Backend::Rust => contractc_backend_rust::check_names(contract, c),
        Backend::Mql4 => contractc_backend_mql4::check_names(contract, c),
        Backend::Python | Backend::Plan => Vec::new(),
    }
}

/// [`name_clashes`] of one contract and one backend, for a workspace that compiles: re-run only
/// when the contract changes.
#[salsa::tracked(returns(ref))]
fn names_checked(
    db: &dyn contractc_sema::Db,
    workspace: Workspace,
    emitter: Emitter,
    file: SourceFile,
) -> Vec<NameClash> {
    let (Some(c), Some(contract)) =
        (contractc_sema::contract_index(db, workspace, file), contractc_sema::contract_ir(db, workspace, file))
    else {
        return Vec::new();
    };
    names_of(emitter.backend(db), contract, c)
}

/// [`contractc_backend_mql4::check_prefixes`] of the workspace's contracts: re-run only when a
/// contract is added, removed or renamed.
#[salsa::tracked(returns(ref))]
fn prefixes_checked(db: &dyn contractc_sema::Db, workspace: Workspace) -> Vec<NameClash> {
    let files = contractc_sema::contract_files(db, workspace);
    let source = |c: usize| files[c].path(db).clone();
    contractc_backend_mql4::check_prefixes(&contractc_sema::contract_ids(db, workspace), &source)
}

/// Compiles and emits every enabled backend, in memory. Output paths are relative to the output
/// folder and sorted. Warnings come back beside the files.
pub fn generate(inputs: &Inputs, config: &Config) -> Result<(Vec<OutputFile>, Vec<Diagnostic>), Failure> {
    let mut db = Database::default();
    let project = load(&mut db, inputs, config)?;
    generate_in(&db, &project, inputs, config)
}

/// Checks a project already in a database, which may be a warm one (`contractc watch`), as
/// `contractc check` does: the `compile` query, then the names each enabled backend would make
/// of it. The program and its warnings, or every error. `inputs` are the workspace's files (they
/// locate name clashes).
pub fn check_in(
    db: &Database,
    project: &Project,
    inputs: &Inputs,
    config: &Config,
) -> Result<(Arc<Program>, Vec<Diagnostic>), Failure> {
    let ws = project.workspace;
    contractc_sema::lower_in_parallel(db, ws);
    let compiled = contractc_sema::compile(db, ws);
    let Some(program) = &compiled.program else {
        return Err(Failure::Diagnostics(compiled.diagnostics.clone()));
    };
    let warnings = compiled.diagnostics.clone();
    let mut clashes: Vec<NameClash> = project
        .emitters
        .iter()
        .flat_map(|&e| {
            contractc_sema::contract_files(db, ws).into_iter().flat_map(move |f| names_checked(db, ws, e, f).clone())
        })
        .collect();
    if config.backends.contains(&Backend::Mql4) {
        clashes.extend(prefixes_checked(db, ws).iter().cloned());
    }
    if !clashes.is_empty() {
        let root_of = |file: &str| {
            inputs.sources.iter().find(|(p, _)| p == file).map(|(_, text)| contractc_syntax::parse(text).0)
        };
        let diagnostics = clashes
            .into_iter()
            .map(|c| {
                let file = &program.contracts[c.contract].source;
                let pointer = Pointer::parse(&c.pointer).unwrap_or_default();
                let span = root_of(file).map_or_else(Default::default, |r| r.locate(&pointer));
                match c.problem {
                    NameProblem::Collides { first, identifier } => Diagnostic::error(
                        codes::NAME_COLLISION,
                        file,
                        span,
                        pointer,
                        format!("this name and the one at \"{first}\" both become `{identifier}` in {}", c.backend),
                    )
                    .with_label(format!("becomes `{identifier}`"))
                    .with_help(format!(
                        "rename one of the two: names that differ only in punctuation or case cannot both exist in {}",
                        c.backend
                    )),
                    NameProblem::SharedPrefix { other, prefix } => Diagnostic::error(
                        codes::NAME_COLLISION,
                        file,
                        span,
                        pointer,
                        format!("this contract and `{other}` both become `{prefix}` in {}", c.backend),
                    )
                    .with_label(format!("becomes `{prefix}`"))
                    .with_help(format!(
                        "{} names are global, namespaces do not separate them: rename one of the two contracts, or disable the {} backend",
                        c.backend, c.backend
                    )),
                }
            })
            .collect();
        return Err(Failure::Diagnostics(diagnostics));
    }
    Ok((program.clone(), warnings))
}

/// One query of a backend's output: its shared files, a contract's file or a migration's.
#[derive(Clone, Copy)]
enum Job {
    Shared,
    Contract(SourceFile),
    Migration(SourceFile),
}

/// [`generate`] for a project already in a database, which may be a warm one (`contractc
/// watch`): [`check_in`], then each backend's queries (`shared`, and `rendered` per contract).
pub fn generate_in(
    db: &Database,
    project: &Project,
    inputs: &Inputs,
    config: &Config,
) -> Result<(Vec<OutputFile>, Vec<Diagnostic>), Failure> {
    let (program, warnings) = check_in(db, project, inputs, config)?;
    let ws = project.workspace;
    // Each backend's shared files and each contract's files are queries of their own: a warm
    // database renders again only what an edit reaches. They render side by side on every core,
    // each in a database handle of its own, and are joined in configuration order.
    let contracts = contractc_sema::contract_files(db, ws);
    let migrations = contractc_sema::migration_files(db, ws);
    let jobs: Vec<(Emitter, Job)> = project
        .emitters
        .iter()
        .flat_map(|&e| {
            std::iter::once((e, Job::Shared))
                .chain(contracts.iter().map(move |&f| (e, Job::Contract(f))))
                .chain(migrations.iter().map(move |&f| (e, Job::Migration(f))))
        })
        .collect();
    {
        use rayon::prelude::*;
        jobs.par_iter().for_each_with(db.clone(), |db, &(e, job)| match job {
            Job::Shared => {
                shared(db, ws, e);
            }
            Job::Contract(f) => {
                rendered(db, ws, e, f);
            }
            Job::Migration(f) => {
                rendered_migration(db, ws, e, f);
            }
        });
    }
    let mut files = Vec::new();
    for &(e, job) in &jobs {
        let one = match job {
            Job::Shared => {
                files.extend(shared(db, ws, e).as_ref().map_err(|e| Failure::Emit(e.clone()))?.iter().cloned());
                None
            }
            Job::Contract(f) => rendered(db, ws, e, f).as_ref(),
            Job::Migration(f) => rendered_migration(db, ws, e, f).as_ref(),
        };
        if let Some(out) = one {
            files.push(out.as_ref().map_err(|e| Failure::Emit(e.clone()))?.clone());
        }
    }
    if !program.workflows.is_empty() {
        files.push(OutputFile::text("workflow.schema.json", contractc_sema::spec::workflow_schema()));
    }
    if !program.migrations.is_empty() {
        files.push(OutputFile::text("migration.schema.json", contractc_sema::spec::migration_schema()));
    }
    files.sort();
    Ok((files, warnings))
}

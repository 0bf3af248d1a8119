//! `contractc`: compiles versioned JSON Schema contracts and workflow specs.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Parser, Subcommand};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use contractc_diagnostics::{Diagnostic, Severity, render};
use contractc_driver::log::{self, Compiler, Stamp};
use contractc_driver::watch::{self, Session};
use contractc_driver::write::{self, Changes};
use contractc_driver::{Config, Failure, Inputs, Project, check_in, generate_in, load, read_inputs};
use contractc_ir::Program;
use contractc_sema::Database;

/// mimalloc: a cold build allocates millions of small strings and trees, and spent a third of
/// its time in glibc's malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Prints a line to stdout; a closed pipe (`contractc ... | head`) ends the output quietly.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Compiles versioned JSON Schema contracts and workflow specs into Rust, Python (Pydantic v2),
/// MQL4 and a runtime plan.
#[derive(Parser)]
#[command(
    name = "contractc",
    version,
    propagate_version = true,
    after_help = "Exit status: 0 success; 1 errors in the inputs (nothing is written), or a stale output folder \
                  under --check; 2 contractc could not run (unreadable configuration or files).\n\n\
                  Example: contractc build --check   # in CI, after committing generated/"
)]
struct Cli {
    /// Path of the project's configuration; the project root is its folder.
    #[arg(long, global = true, default_value = "contractc.toml", value_name = "FILE")]
    config: PathBuf,
    /// How diagnostics are printed: `human` (stderr), or on stdout `json` (an object a line),
    /// `github` (workflow-command annotations) or `sarif` (one SARIF 2.1.0 log).
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// Treat warnings as errors: exit 1 and generate nothing (notes never fail a run).
    #[arg(long, global = true)]
    deny_warnings: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MessageFormat {
    /// rustc-style, with the source line and a caret (stderr).
    Human,
    /// One JSON object per diagnostic (stdout).
    Json,
    /// GitHub Actions workflow commands: annotations on the pull request's lines (stdout).
    Github,
    /// One SARIF 2.1.0 log, for code-scanning tools (stdout).
    Sarif,
}

#[derive(Subcommand)]
enum Command {
    /// Check the contracts and workflows, then write the generated files that changed.
    ///
    /// When nothing changed since the last build (the compiler, the configuration, every
    /// contract, workflow and template, and every generated file, per the build log
    /// generated/.contractc-log), it says so and stops before compiling.
    Build {
        /// Write nothing; exit 1 and name each file when generated/ is stale (for CI). Compares
        /// every byte and never trusts the build log.
        #[arg(long)]
        check: bool,
    },
    /// Check the contracts and workflows without generating anything.
    Check,
    /// Build, then build again whenever a contract, workflow spec, template or the
    /// configuration changes, until Ctrl-C (SIGINT) or SIGTERM, which exit 0.
    ///
    /// Watches the contracts folder and the templates folder (with every folder inside them)
    /// and the configuration file. One compiler database lives as long as the process: a
    /// rebuild re-reads only the files that changed. Each build prints its diagnostics as
    /// `contractc build` does, then one line: `rebuilt in 412 ms: 1 contract changed, wrote 3
    /// file(s)`. A build with errors writes nothing, and watching goes on. It writes the build
    /// log too, so a `contractc build` afterwards has nothing to do.
    Watch,
    /// Start a project in DIR (default: here), ready to build.
    ///
    /// Writes a commented contractc.toml, an example contract
    /// (contracts/events/PriceTick@1.0.json) and a one-step example workflow
    /// (contracts/workflows/hello@1.0.json); writes nothing if any of them exists.
    Init { dir: Option<PathBuf> },
    /// Bring existing JSON Schemas in as contracts of namespace NS.
    ///
    /// Each SRC is a schema file or a folder of them (`*.json`, in depth). Each becomes
    /// `<contracts>/<NS>/<Name>@<VERSION>.json`, named by its `title`, else its `$id`'s last
    /// segment, else its file name (without `.schema.json`/`.json`, in PascalCase). Its text is
    /// kept, `$id`s included; a `$ref` to another imported file by relative path is rewritten
    /// to that file's contract. Two schemas with one name, or a contract file that exists, stop
    /// it before anything is written. Then the project is checked, and what does not compile
    /// is said, with the diagnostics `contractc check` gives.
    #[command(disable_version_flag = true)]
    Import {
        #[arg(required = true, value_name = "SRC")]
        sources: Vec<PathBuf>,
        /// The contracts' namespace: lowercase letters, digits and `_` (e.g. `events`).
        #[arg(long, value_name = "NS")]
        namespace: String,
        /// The contracts' version, MAJOR.MINOR.
        #[arg(long, value_name = "M.m", default_value = "1.0")]
        version: String,
        /// Each entry of a file's top-level `$defs` (`definitions`) becomes a contract of its
        /// own, named by its key; `$ref`s into it name that contract.
        #[arg(long)]
        split_defs: bool,
    },
    /// Draw a workflow's DAG, or the contracts, as Mermaid, DOT or SVG (to stdout, or --out).
    ///
    /// With --workflow NAME@M.m: a box per step (its output contract, trigger rule, retry policy
    /// and timeout), an arrow per input (named, with the condition that filters it), a dashed
    /// arrow per `depends_on` and one to each fallback. Without: a box per contract version, an
    /// arrow to each contract its `$ref`s reach, and each workflow with a dashed arrow to the
    /// contracts its steps emit. SVG is drawn in process (no Graphviz needed). The project must
    /// compile; otherwise its diagnostics are shown and nothing is drawn.
    Graph {
        /// The workflow to draw, `name@MAJOR.MINOR` (e.g. `eurusd_pipeline@1.0`).
        #[arg(long, value_name = "NAME@M.m")]
        workflow: Option<String>,
        #[arg(long, value_enum, default_value = "mermaid")]
        format: contractc_driver::graph::Format,
        /// Write the picture to FILE instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Serve the project to AI agents: a Model Context Protocol server on stdin/stdout.
    ///
    /// Tools: workflow_list, workflow_get, workflow_validate, workflow_next, contract_list,
    /// contract_get, message_validate, run_status (README.md, "Agents: contractc mcp"). Speaks
    /// MCP 2026-07-28 (stateless) and the earlier revisions' initialize handshake. Logs go to
    /// stderr; it stops when the client closes stdin. One compiler database is kept warm, and
    /// the files are read again before each call, so edits between calls are seen.
    Mcp,
    /// Export workflows to another engine.
    Export {
        #[command(subcommand)]
        target: ExportTarget,
    },
    /// Explain a diagnostic code: what it means, with an example and its hint.
    ///
    /// CODE is the code (`E0005`) or its name (`unresolved-ref`), as every diagnostic prints
    /// them.
    Explain { code: String },
    /// The built-in templates the Python and MQL4 backends render.
    ///
    /// A project needs no templates folder: the templates are built in. A `*.j2` file in the
    /// folder `templates` names in contractc.toml (unset: `templates/`, when it exists)
    /// replaces the built-in file of the same name (`python/module.py.j2`), and only that one.
    Templates {
        #[command(subcommand)]
        action: TemplatesAction,
    },
}

#[derive(Subcommand)]
enum ExportTarget {
    /// Each workflow as an Argo Workflows WorkflowTemplate (JSON and YAML), with a ConfigMap of
    /// semaphores for its resources; written to --out like `build` writes generated/.
    ///
    /// Every step's container runs `runtime step PLAN STEP` in the image, which holds the
    /// runtime, the plans and the steps' programs. Defaults come from `[argo]` in
    /// contractc.toml. What does not carry over (circuit breakers, jitter) is said in notes.
    Argo {
        /// Only this workflow, `name@MAJOR.MINOR` (default: every workflow).
        #[arg(long, value_name = "NAME@M.m")]
        workflow: Option<String>,
        /// The folder to write (default: `[argo] out`, else `argo`).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The image of every step's container (default: `[argo] image`).
        #[arg(long, value_name = "IMAGE")]
        image: Option<String>,
        /// The namespace of the documents (default: `[argo] namespace`, else none).
        #[arg(long, value_name = "NS")]
        namespace: Option<String>,
        /// The workflow's service account (default: `[argo] service_account`, else none).
        #[arg(long, value_name = "NAME")]
        service_account: Option<String>,
        /// Write nothing; exit 1 and name each file when the folder is stale (for CI).
        #[arg(long)]
        check: bool,
    },
}

#[derive(Subcommand)]
enum TemplatesAction {
    /// Write the built-in templates into DIR (created if missing), to edit them there; refuses
    /// to overwrite any file. Then set `templates = "DIR"` in contractc.toml (or name it
    /// `templates`).
    Export { dir: PathBuf },
}

fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    // `--version` names what a build's outputs depend on besides the inputs.
    let version = format!(
        "{} (plan format {}, templates {})",
        env!("CARGO_PKG_VERSION"),
        contractc_backend_plan::FORMAT_VERSION,
        contractc_driver::templates::version()
    );
    let matches = Cli::command().version(version).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(&cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, String> {
    if let Command::Explain { code } = &cli.command {
        return match contractc_driver::explain::explain(code) {
            Some(text) => {
                out!("{text}");
                Ok(ExitCode::SUCCESS)
            }
            None => Err(format!(
                "no diagnostic code `{code}`\nhelp: codes are E0001..., W0001... or their names (`unresolved-ref`); `contractc check` prints them"
            )),
        };
    }
    if let Command::Init { dir } = &cli.command {
        let dir = dir.clone().unwrap_or_else(|| PathBuf::from("."));
        let written = contractc_driver::init::init(&dir).map_err(|e| e.to_string())?;
        for path in &written {
            out!("{}", path.display());
        }
        let cd = if dir == Path::new(".") { String::new() } else { format!("  cd {}\n", dir.display()) };
        eprintln!(
            "a new project in {}; next:\n{cd}  contractc build                               # check it, write generated/\n  \
             runtime generated/plans/hello@1.0.plan.bin    # run the example workflow\n  \
             contractc build --check                       # in CI, after committing generated/",
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Templates { action: TemplatesAction::Export { dir } } = &cli.command {
        let written = contractc_driver::templates::export(dir).map_err(|e| e.to_string())?;
        for path in &written {
            out!("{}", path.display());
        }
        eprintln!(
            "wrote the {} built-in templates into {}/; edit them there, and set `templates = \"{}\"` in contractc.toml",
            written.len(),
            dir.display(),
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let text = std::fs::read_to_string(&cli.config).map_err(|e| {
        format!(
            "cannot read {}: {e}\nhelp: run contractc from the project root, or pass --config",
            cli.config.display()
        )
    })?;
    let config = Config::parse(&text).map_err(|e| format!("{}: {e}", cli.config.display()))?;
    if matches!(cli.command, Command::Watch) {
        return watch(cli, text, config);
    }
    if matches!(cli.command, Command::Mcp) {
        contractc_driver::mcp::serve(&cli.config, text, config).map_err(|e| e.to_string())?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Import { sources, namespace, version, split_defs } = &cli.command {
        return import(cli, &config, sources, namespace, version, *split_defs);
    }
    if let Command::Export { target } = &cli.command {
        return export(cli, &config, target);
    }
    if let Command::Graph { workflow, format, out } = &cli.command {
        return graph(cli, &config, workflow.as_deref(), *format, out.as_deref());
    }
    let root = cli.config.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let inputs = read_inputs(root, &config).map_err(|e| e.to_string())?;
    let (contracts, workflows) = counts(&inputs);
    let out_dir = root.join(&config.output);
    let mode = match cli.command {
        Command::Build { check: false } => Mode::Build,
        Command::Build { check: true } => Mode::BuildCheck,
        Command::Check
        | Command::Watch
        | Command::Templates { .. }
        | Command::Init { .. }
        | Command::Explain { .. }
        | Command::Graph { .. }
        | Command::Mcp
        | Command::Export { .. }
        | Command::Import { .. } => Mode::Check,
    };
    // A build (never `--check`, which always compares bytes) whose inputs, compiler and outputs
    // are as its build log says stops here, before compiling.
    let stamp = (mode == Mode::Build).then(|| Stamp::new(Compiler::current(), &text, &inputs));
    if let Some(unchanged) = stamp.as_ref().and_then(|s| log::up_to_date(&out_dir, s)) {
        eprintln!(
            "{contracts} contract(s) and {workflows} workflow(s) unchanged since the last build; {}: up to date, no file written ({unchanged} unchanged)",
            config.output
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut db = Database::default();
    let project = load(&mut db, &inputs, &config).map_err(|e| e.to_string())?;
    let job = Job {
        db: &db,
        project: &project,
        inputs: &inputs,
        config: &config,
        out_dir: &out_dir,
        stamp: stamp.as_ref(),
        mode,
    };
    Ok(match build(cli, &job)? {
        Built::Failed => ExitCode::from(1),
        Built::Checked => ExitCode::SUCCESS,
        Built::Wrote(changes) => {
            if changes.is_empty() {
                eprintln!(
                    "compiled {contracts} contract(s) and {workflows} workflow(s); {}: up to date, no file written ({} unchanged)",
                    config.output, changes.unchanged
                );
            } else {
                eprintln!(
                    "compiled {contracts} contract(s) and {workflows} workflow(s); {}: wrote {} file(s), deleted {}, {} unchanged",
                    config.output,
                    changes.missing.len() + changes.modified.len(),
                    changes.stale.len(),
                    changes.unchanged
                );
            }
            ExitCode::SUCCESS
        }
        Built::Stale => ExitCode::from(1),
    })
}

/// The contracts and the workflows among the inputs (migrations are neither).
fn counts(inputs: &Inputs) -> (usize, usize) {
    let workflows = inputs.sources.iter().filter(|(p, _)| contractc_sema::is_workflow(p)).count();
    let migrations = inputs.sources.iter().filter(|(p, _)| contractc_sema::is_migration(p)).count();
    (inputs.sources.len() - workflows - migrations, workflows)
}

/// What a run does once compiled: check only, build, or compare with the output folder.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Check,
    Build,
    BuildCheck,
}

/// One build of `project` in `db`, whose files and templates are `inputs`.
struct Job<'a> {
    db: &'a Database,
    project: &'a Project,
    inputs: &'a Inputs,
    config: &'a Config,
    out_dir: &'a Path,
    /// The build log to write after the outputs (`Mode::Build` only).
    stamp: Option<&'a Stamp>,
    mode: Mode,
}

/// How a [`build`] ended; each but `Wrote` has printed its last line.
enum Built {
    /// Errors, or warnings under `--deny-warnings`: nothing was generated.
    Failed,
    /// `check`, or `build --check` on an up-to-date folder.
    Checked,
    /// `build --check` on a stale folder.
    Stale,
    /// `build`: the output folder is as generated, after these changes.
    Wrote(Changes),
}

/// What `contractc build` (and `check`, and every rebuild of `watch`) does once its inputs are
/// in a database: compile, print the diagnostics, emit every enabled backend, compare with the
/// output folder, then write what changed and the build log (or, under `--check`, print the
/// difference).
fn build(cli: &Cli, job: &Job<'_>) -> Result<Built, String> {
    let (inputs, config, out_dir) = (job.inputs, job.config, job.out_dir);
    // `check` compiles and checks names; it renders nothing.
    let generated = match job.mode {
        Mode::Check => check_in(job.db, job.project, inputs, config).map(|(_, warnings)| (Vec::new(), warnings)),
        Mode::Build | Mode::BuildCheck => generate_in(job.db, job.project, inputs, config),
    };
    let (files, warnings) = match generated {
        Ok(r) => r,
        Err(Failure::Diagnostics(d)) => {
            report(inputs, &d, cli.message_format);
            let errors = d.iter().filter(|d| d.severity == Severity::Error).count();
            eprintln!("error: {errors} error(s); nothing was generated");
            if let Some(first) = d.first() {
                eprintln!("help: `contractc explain {}` says more of a code", first.code.id);
            }
            return Ok(Built::Failed);
        }
        Err(e) => return Err(e.to_string()),
    };
    report(inputs, &warnings, cli.message_format);
    let denied = warnings.iter().filter(|d| d.severity == Severity::Warning).count();
    if cli.deny_warnings && denied > 0 {
        eprintln!("error: {denied} warning(s) denied by --deny-warnings; nothing was generated");
        return Ok(Built::Failed);
    }
    if job.mode == Mode::Check {
        let (contracts, workflows) = counts(inputs);
        eprintln!("checked {contracts} contract(s) and {workflows} workflow(s): no errors");
        return Ok(Built::Checked);
    }
    let files = write::with_manifest(files);
    // A build trusts the previous build's log for the files it vouches for; `--check` reads every byte.
    let previous = job.stamp.and_then(|s| log::Written::read(out_dir, &s.compiler));
    let changes =
        write::compare(out_dir, &files, previous.as_ref()).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    if job.mode == Mode::BuildCheck {
        if changes.is_empty() {
            eprintln!("{}: up to date ({} files)", config.output, changes.unchanged);
            return Ok(Built::Checked);
        }
        out!("{}", write::diff(out_dir, &files, &changes).trim_end());
        for (what, list) in [("modified", &changes.modified), ("missing", &changes.missing), ("stale", &changes.stale)]
        {
            for p in list {
                eprintln!("{what}: {}/{p}", config.output);
            }
        }
        eprintln!("error: {} is stale; run `contractc build` and commit the result", config.output);
        return Ok(Built::Stale);
    }
    write::apply(out_dir, &files, &changes).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    if let Some(stamp) = job.stamp {
        // Notes ask for nothing: a build that stops early need not print them again.
        log::record(out_dir, stamp, denied, &files, previous.as_ref(), &changes)
            .map_err(|e| format!("{}: {e}", out_dir.display()))?;
    }
    Ok(Built::Wrote(changes))
}

/// `contractc watch`: an initial build, then a build after every batch of changes, each on the
/// same warm database, until SIGINT or SIGTERM.
fn watch(cli: &Cli, text: String, config: Config) -> Result<ExitCode, String> {
    let started = Instant::now();
    let session = Session::new(Database::default(), &cli.config, text, config).map_err(|e| e.to_string())?;
    // Builds `session` as `contractc build` would (never stopping early on the build log: the
    // database must be warm), and prints one line that says how long it took and what it did.
    let rebuild = |session: &Session| -> Result<String, String> {
        let out_dir = session.out_dir();
        let stamp = Stamp::new(Compiler::current(), session.config_text(), session.inputs());
        let job = Job {
            db: session.db(),
            project: session.project(),
            inputs: session.inputs(),
            config: session.config(),
            out_dir: &out_dir,
            stamp: Some(&stamp),
            mode: Mode::Build,
        };
        let outcome = match build(cli, &job)? {
            Built::Wrote(c) if c.is_empty() => "no output changed".to_string(),
            Built::Wrote(c) if c.stale.is_empty() => format!("wrote {} file(s)", c.missing.len() + c.modified.len()),
            Built::Wrote(c) => {
                format!("wrote {} file(s), deleted {}", c.missing.len() + c.modified.len(), c.stale.len())
            }
            Built::Failed | Built::Checked | Built::Stale => "nothing written".to_string(),
        };
        Ok(outcome)
    };
    let mut first = true;
    let watched = watch::run(session, |session, event| {
        let (verb, started, what) = match event {
            watch::Event::Started => {
                let (contracts, workflows) = counts(session.inputs());
                ("built", started, format!("{contracts} contract(s) and {workflows} workflow(s)"))
            }
            watch::Event::Changed { changed, started } => ("rebuilt", started, changed.to_string()),
            watch::Event::Failed(failure) => {
                eprintln!("error: {failure}; still watching");
                return;
            }
        };
        match rebuild(session) {
            Ok(outcome) => eprintln!("{verb} in {} ms: {what}, {outcome}", started.elapsed().as_millis()),
            // An error writing the outputs is reported and watching goes on: the next edit may
            // be the fix (a folder made writable again).
            Err(message) => eprintln!("error: {message}; still watching"),
        }
        if std::mem::take(&mut first) {
            let config = session.config();
            let templates = config.templates_dir();
            let templates = if session.root().join(templates).is_dir() {
                format!("{templates}/")
            } else {
                format!("{templates}/ (absent: the built-in templates)")
            };
            eprintln!(
                "watching {}/, {templates} and {} (press Ctrl-C to stop)",
                config.contracts,
                cli.config.display()
            );
        }
    });
    watched.map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// `contractc import`: writes the contracts, then checks the project and says which of them
/// compile.
fn import(
    cli: &Cli,
    config: &Config,
    sources: &[PathBuf],
    namespace: &str,
    version: &str,
    split_defs: bool,
) -> Result<ExitCode, String> {
    let root = cli.config.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let imported =
        contractc_driver::import::import(&root.join(&config.contracts), sources, namespace, version, split_defs)
            .map_err(|e| e.to_string())?;
    for i in &imported {
        let rewritten = match i.refs_rewritten {
            0 => String::new(),
            n => format!(", {n} `$ref`(s) renamed"),
        };
        let source = match &i.entry {
            Some(key) => format!("{} (definition `{key}`)", i.source.display()),
            None => i.source.display().to_string(),
        };
        out!("{source} -> {}/{} (named by its {}{rewritten})", config.contracts, i.contract, i.named_by);
    }
    let inputs = read_inputs(root, config).map_err(|e| e.to_string())?;
    let mut db = Database::default();
    let project = load(&mut db, &inputs, config).map_err(|e| e.to_string())?;
    let diagnostics = match check_in(&db, &project, &inputs, config) {
        Ok((_, warnings)) => warnings,
        Err(Failure::Diagnostics(d)) => d,
        Err(e) => return Err(e.to_string()),
    };
    let mine = |d: &Diagnostic| imported.iter().any(|i| d.file.ends_with(&i.contract));
    let theirs: Vec<Diagnostic> = diagnostics.into_iter().filter(mine).collect();
    report(&inputs, &theirs, cli.message_format);
    let failing: std::collections::BTreeSet<&str> =
        theirs.iter().filter(|d| d.severity == Severity::Error).map(|d| d.file.as_str()).collect();
    eprintln!(
        "imported {} schema(s) into {}/{namespace}/: {} compile, {} with errors (above; `contractc explain CODE` says more)",
        imported.len(),
        config.contracts,
        imported.len() - failing.len(),
        failing.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The project under `root` compiled, its warnings reported; `None` (its errors reported, and
/// that `instead` follows) when it does not compile.
fn compiled(cli: &Cli, config: &Config, root: &Path, instead: &str) -> Result<Option<Arc<Program>>, String> {
    let inputs = read_inputs(root, config).map_err(|e| e.to_string())?;
    match contractc_driver::compile(&inputs, config) {
        Ok((program, warnings)) => {
            report(&inputs, &warnings, cli.message_format);
            Ok(Some(program))
        }
        Err(Failure::Diagnostics(d)) => {
            report(&inputs, &d, cli.message_format);
            eprintln!("error: the project does not compile (above), so {instead}");
            Ok(None)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// `contractc export argo`: the project compiled, each workflow exported
/// ([`contractc_driver::argo`]), then written (or, with `--check`, compared) as `build` does.
fn export(cli: &Cli, config: &Config, target: &ExportTarget) -> Result<ExitCode, String> {
    let ExportTarget::Argo { workflow, out, image, namespace, service_account, check } = target;
    let root = cli.config.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Some(program) = compiled(cli, config, root, "nothing is exported")? else { return Ok(ExitCode::from(1)) };
    let name = |w: &contractc_ir::Workflow| format!("{}@{}.{}", w.name, w.major, w.minor);
    let chosen: Vec<&contractc_ir::Workflow> =
        program.workflows.iter().filter(|w| workflow.as_ref().is_none_or(|n| *n == name(w))).collect();
    if let Some(wanted) = workflow
        && chosen.is_empty()
    {
        let known: Vec<String> = program.workflows.iter().map(name).collect();
        return Err(format!("no workflow `{wanted}` in this project (its workflows: {})", known.join(", ")));
    }
    let argo = &config.argo;
    let target = contractc_driver::argo::Target {
        image: image.clone().unwrap_or_else(|| argo.image.clone()),
        plans: argo.plans.clone(),
        namespace: namespace.clone().or_else(|| argo.namespace.clone()),
        service_account: service_account.clone().or_else(|| argo.service_account.clone()),
    };
    let exported: Vec<_> = chosen.iter().map(|w| contractc_driver::argo::export(w, &target)).collect();
    for note in exported.iter().flat_map(|e| &e.notes) {
        eprintln!("note: {note}");
    }
    let files = write::with_manifest(contractc_driver::argo::files(&exported));
    let out_dir = out.clone().unwrap_or_else(|| root.join(&argo.out));
    let changes = write::compare(&out_dir, &files, None).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    if *check {
        if changes.is_empty() {
            eprintln!("{}: up to date ({} files)", out_dir.display(), changes.unchanged);
            return Ok(ExitCode::SUCCESS);
        }
        out!("{}", write::diff(&out_dir, &files, &changes).trim_end());
        eprintln!("error: {} is stale; run `contractc export argo` and commit the result", out_dir.display());
        return Ok(ExitCode::from(1));
    }
    write::apply(&out_dir, &files, &changes).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    eprintln!(
        "exported {} workflow(s) to {}: wrote {} file(s), deleted {}, {} unchanged",
        exported.len(),
        out_dir.display(),
        changes.missing.len() + changes.modified.len(),
        changes.stale.len(),
        changes.unchanged
    );
    Ok(ExitCode::SUCCESS)
}

/// `contractc graph`: the project compiled, then drawn ([`contractc_driver::graph::render`]).
fn graph(
    cli: &Cli,
    config: &Config,
    workflow: Option<&str>,
    format: contractc_driver::graph::Format,
    out: Option<&Path>,
) -> Result<ExitCode, String> {
    let root = cli.config.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Some(program) = compiled(cli, config, root, "there is nothing to draw")? else { return Ok(ExitCode::from(1)) };
    let picture = contractc_driver::graph::render(&program, workflow, format)?;
    match out {
        Some(path) => {
            std::fs::write(path, &picture).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => out!("{}", picture.trim_end()),
    }
    Ok(ExitCode::SUCCESS)
}

fn report(inputs: &Inputs, diagnostics: &[Diagnostic], format: MessageFormat) {
    let source = |path: &str| inputs.sources.iter().find(|(p, _)| p == path).map(|(_, t)| t.as_str());
    let owned = |path: &str| source(path).map(str::to_string);
    let text = match format {
        MessageFormat::Human => String::new(),
        MessageFormat::Json => contractc_driver::report::json(diagnostics, &owned),
        MessageFormat::Github => contractc_driver::report::github(diagnostics, &owned),
        MessageFormat::Sarif => contractc_driver::report::sarif(diagnostics, &owned, env!("CARGO_PKG_VERSION")),
    };
    if format != MessageFormat::Human {
        if !text.is_empty() {
            out!("{}", text.trim_end());
        }
        return;
    }
    if diagnostics.is_empty() {
        return;
    }
    let choice = if std::io::stderr().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never };
    let mut out = StandardStream::stderr(choice);
    let _ = render(diagnostics, source, &mut out);
}

//! `contractc`: compiles versioned JSON Schema contracts and workflow specs.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use contractc_diagnostics::{Diagnostic, Severity, render};
use contractc_driver::log::{self, Compiler, Stamp};
use contractc_driver::{Config, Failure, Inputs, generate, read_inputs, write};
use contractc_syntax::LineIndex;

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
    /// How diagnostics are printed: `human` (stderr) or `json` (one object per line on stdout).
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// Treat warnings as errors: exit 1 and generate nothing.
    #[arg(long, global = true)]
    deny_warnings: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MessageFormat {
    Human,
    Json,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, String> {
    let text = std::fs::read_to_string(&cli.config).map_err(|e| {
        format!(
            "cannot read {}: {e}\nhelp: run contractc from the project root, or pass --config",
            cli.config.display()
        )
    })?;
    let config = Config::parse(&text).map_err(|e| format!("{}: {e}", cli.config.display()))?;
    let root = cli.config.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let inputs = read_inputs(root, &config).map_err(|e| e.to_string())?;
    let contracts = inputs.sources.iter().filter(|(p, _)| !p.contains("/workflows/")).count();
    let workflows = inputs.sources.len() - contracts;
    let out_dir = root.join(&config.output);
    // A build (never `--check`, which always compares bytes) whose inputs, compiler and outputs
    // are as its build log says stops here, before compiling.
    let stamp =
        matches!(cli.command, Command::Build { check: false }).then(|| Stamp::new(Compiler::current(), &text, &inputs));
    if let Some(unchanged) = stamp.as_ref().and_then(|s| log::up_to_date(&out_dir, s)) {
        eprintln!(
            "{contracts} contract(s) and {workflows} workflow(s) unchanged since the last build; {}: up to date, no file written ({unchanged} unchanged)",
            config.output
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (files, warnings) = match generate(&inputs, &config) {
        Ok(r) => r,
        Err(Failure::Diagnostics(d)) => {
            report(&inputs, &d, cli.message_format);
            let errors = d.iter().filter(|d| d.severity == Severity::Error).count();
            eprintln!("error: {errors} error(s); nothing was generated");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.to_string()),
    };
    report(&inputs, &warnings, cli.message_format);
    if cli.deny_warnings && !warnings.is_empty() {
        eprintln!("error: {} warning(s) denied by --deny-warnings; nothing was generated", warnings.len());
        return Ok(ExitCode::from(1));
    }
    if matches!(cli.command, Command::Check) {
        eprintln!("checked {contracts} contract(s) and {workflows} workflow(s): no errors");
        return Ok(ExitCode::SUCCESS);
    }
    let files = write::with_manifest(files);
    let changes = write::compare(&out_dir, &files).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let check = matches!(cli.command, Command::Build { check: true });
    if check {
        if changes.is_empty() {
            eprintln!("{}: up to date ({} files)", config.output, changes.unchanged);
            return Ok(ExitCode::SUCCESS);
        }
        out!("{}", write::diff(&out_dir, &files, &changes).trim_end());
        for (what, list) in [("modified", &changes.modified), ("missing", &changes.missing), ("stale", &changes.stale)]
        {
            for p in list {
                eprintln!("{what}: {}/{p}", config.output);
            }
        }
        eprintln!("error: {} is stale; run `contractc build` and commit the result", config.output);
        return Ok(ExitCode::from(1));
    }
    write::apply(&out_dir, &files, &changes).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    if let Some(stamp) = &stamp {
        log::record(&out_dir, stamp, warnings.len(), &files).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    }
    let written = changes.missing.len() + changes.modified.len();
    if changes.is_empty() {
        eprintln!(
            "compiled {contracts} contract(s) and {workflows} workflow(s); {}: up to date, no file written ({} unchanged)",
            config.output, changes.unchanged
        );
    } else {
        eprintln!(
            "compiled {contracts} contract(s) and {workflows} workflow(s); {}: wrote {written} file(s), deleted {}, {} unchanged",
            config.output,
            changes.stale.len(),
            changes.unchanged
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn report(inputs: &Inputs, diagnostics: &[Diagnostic], format: MessageFormat) {
    let source = |path: &str| inputs.sources.iter().find(|(p, _)| p == path).map(|(_, t)| t.as_str());
    if format == MessageFormat::Json {
        for d in diagnostics {
            let text = source(&d.file).unwrap_or("");
            let (line, column) = LineIndex::new(text).line_col(text, d.span.start);
            let v = serde_json::json!({
                "code": d.code.id,
                "name": d.code.name,
                "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "file": d.file,
                "line": line,
                "column": column,
                "pointer": d.pointer.to_string(),
                "message": d.message,
                "notes": d.notes,
            });
            out!("{v}");
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

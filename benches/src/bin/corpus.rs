//! Writes a realistic corpus of trading-event contracts (benches/src/corpus.rs) and its
//! `contractc.toml`: `cargo run -p contractc-benches --bin corpus -- --contracts 1000 --out DIR`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use contractc_benches::corpus;

/// Writes a seeded, deterministic corpus of trading-event contracts: shared contracts under
/// `core/`, event families (orders, fills, positions, quotes, risk) with compatible minors, and a
/// `contractc.toml` for the rust, python and mql4 backends. Then `contractc build --config
/// DIR/contractc.toml` compiles it into DIR/generated.
#[derive(Parser)]
#[command(name = "corpus")]
struct Args {
    /// How many contract files (versions) to write, the shared ones included (at least 4).
    #[arg(long, default_value_t = corpus::CONTRACTS)]
    contracts: usize,
    /// The seed: the same count and seed write the same bytes on every machine.
    #[arg(long, default_value_t = corpus::SEED)]
    seed: u64,
    /// The corpus folder: DIR/contractc.toml and DIR/contracts/. Files of an earlier corpus
    /// that this one would not write make it stop, naming them.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The templates folder as `contractc.toml` names it, relative to DIR (the default fits a
    /// corpus two levels below the repository root, as tests/corpus is).
    #[arg(long, default_value = "../../templates")]
    templates: String,
    /// Write the corpus the peer generators read too (datamodel-code-generator, quicktype): the
    /// same lines from the same seed, every object closed, no `default` (`make bench-compare`).
    #[arg(long)]
    peers: bool,
}

fn run(args: &Args) -> Result<usize, String> {
    let dialect = if args.peers { corpus::Dialect::Peers } else { corpus::Dialect::Full };
    let files = corpus::corpus_in(dialect, args.contracts, args.seed, &args.templates)?;
    let contracts = args.out.join("contracts");
    let mut stale = Vec::new();
    if contracts.is_dir() {
        for entry in walkdir::WalkDir::new(&contracts).sort_by_file_name() {
            let entry = entry.map_err(|e| e.to_string())?;
            let rel = entry.path().strip_prefix(&args.out).map_err(|e| e.to_string())?;
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            if entry.file_type().is_file() && !files.iter().any(|f| f.path == rel) {
                stale.push(entry.path().display().to_string());
            }
        }
    }
    if !stale.is_empty() {
        return Err(format!("files this corpus would not write (remove them first):\n{}", stale.join("\n")));
    }
    for f in &files {
        let path = args.out.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, &f.text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(files.len() - 1)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(n) => {
            let peers = if args.peers { ", for the peers" } else { "" };
            println!("corpus: {n} contracts (seed {}{peers}) in {}", args.seed, args.out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("corpus: {e}");
            ExitCode::from(2)
        }
    }
}

//! The compiler's own costs on the corpus generator's output (benches/src/corpus.rs) at 100 and
//! 1,000 contracts: a cold in-memory build (every backend), each backend's emit, a no-op build
//! (hash the inputs, read the build log, `stat` every output), and edits through one warm salsa
//! database, compiled and emitted (a whitespace-only edit, a leaf contract, a core contract many
//! refer to, a template).
//! Run: `cargo bench -p contractc-benches --bench compile` (`make bench` runs every bench). It
//! ends with the ratio of a leaf edit's build to a cold build at 1,000 contracts (the speed
//! issue's acceptance: at most 5%), from this run's criterion estimates.
//! Process-level figures (wall, CPU and peak RSS of `contractc build`, beside the peer
//! generators) are `make bench-compare`'s.

use std::path::Path;
use std::time::Duration;

use contractc_benches::corpus;
use contractc_driver::log::{self, Compiler, Stamp};
use contractc_driver::{Config, Inputs, generate, generate_in, read_inputs, write};
use contractc_sema::{Database, SourceFile};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use salsa::Setter;

/// contractc's allocator (compiler/driver/src/main.rs), so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const COLD: &str = "cold, every backend, in memory";
const LEAF: &str = "edit: a leaf contract's description (warm database)";

/// A corpus of `n` contracts written to `dir`, its configuration and its inputs.
fn project(dir: &Path, n: usize) -> (String, Config, Inputs) {
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates");
    let files = corpus::corpus(n, corpus::SEED, &templates.display().to_string()).expect("a corpus");
    for f in &files {
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("writable");
        std::fs::write(path, &f.text).expect("writable");
    }
    let text = std::fs::read_to_string(dir.join("contractc.toml")).expect("contractc.toml");
    let config = Config::parse(&text).expect("valid config");
    let inputs = read_inputs(dir, &config).expect("readable inputs");
    (text, config, inputs)
}

/// Writes a build of `inputs` into the output folder with its build log, as `contractc build`.
fn build(dir: &Path, text: &str, config: &Config, inputs: &Inputs) {
    let (files, warnings) = generate(inputs, config).expect("the corpus compiles");
    let out = dir.join(&config.output);
    let files = write::with_manifest(files);
    let changes = write::compare(&out, &files, None).expect("readable");
    write::apply(&out, &files, &changes).expect("writable");
    let stamp = Stamp::new(Compiler::current(), text, inputs);
    log::record(&out, &stamp, warnings.len(), &files, None, &changes).expect("writable");
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    g.sample_size(10).measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1));
    for n in [100, 1000] {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (text, config, inputs) = project(dir.path(), n);
        g.bench_with_input(BenchmarkId::new(COLD, n), &n, |b, _| {
            b.iter(|| generate(&inputs, &config).expect("compiles"))
        });
        build(dir.path(), &text, &config, &inputs);
        let out = dir.path().join(&config.output);
        g.bench_with_input(BenchmarkId::new("no-op: read and hash the inputs, check the log", n), &n, |b, _| {
            b.iter(|| {
                let inputs = read_inputs(dir.path(), &config).expect("readable");
                log::up_to_date(&out, &Stamp::new(Compiler::current(), &text, &inputs)).expect("up to date")
            })
        });
        if n == 1000 {
            let (program, _) = contractc_driver::compile(&inputs, &config).expect("compiles");
            let options = config.options();
            g.bench_function("emit rust, 1000", |b| b.iter(|| contractc_backend_rust::emit(&program, &options)));
            g.bench_function("emit python, 1000", |b| {
                b.iter(|| contractc_backend_python::emit(&program, &inputs.templates, &options))
            });
            g.bench_function("emit mql4, 1000", |b| {
                b.iter(|| contractc_backend_mql4::emit(&program, &inputs.templates, &options))
            });
        }
        edits(&mut g, n, &config, &inputs);
    }
    g.finish();
}

/// Building in memory after an edit through one warm database, as `contractc watch` does (the
/// `compile` query, then every backend's `emitted` query; nothing written): each iteration edits
/// one file (alternating between two texts, so every iteration is a real change).
fn edits(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
    config: &Config,
    inputs: &Inputs,
) {
    let mut db = Database::default();
    let project = contractc_driver::load(&mut db, inputs, config).expect("valid settings");
    let ws = project.workspace;
    generate_in(&db, &project, inputs, config).expect("the corpus compiles");
    let file = |db: &Database, path: &str| -> SourceFile {
        *ws.files(db).iter().find(|f| f.path(db) == path).unwrap_or_else(|| panic!("{path} in the corpus"))
    };
    let leaf = inputs.sources.iter().rev().find(|(p, _)| p.contains("/orders/")).expect("an orders contract");
    let core = inputs.sources.iter().find(|(p, _)| p.ends_with("core/Money@1.0.json")).expect("core/Money@1.0");
    let cases = [
        ("edit: whitespace only (warm database)", leaf, leaf.1.replacen('{', "{ ", 1)),
        (LEAF, leaf, leaf.1.replacen("\"description\": \"", "\"description\": \"Edited: ", 1)),
        (
            "edit: core/Money, referred to by most (warm database)",
            core,
            core.1.replacen("\"description\": \"", "\"description\": \"Edited: ", 1),
        ),
    ];
    for (name, (path, original), edited) in cases {
        assert_ne!(*original, edited, "{name}: the edit changes the text");
        let f = file(&db, path);
        let mut flip = false;
        g.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
            b.iter(|| {
                flip = !flip;
                f.set_text(&mut db).to(if flip { edited.clone() } else { original.clone() });
                generate_in(&db, &project, inputs, config).expect("compiles")
            })
        });
    }
    // A template edit: a comment added to the Python module template, and taken away.
    let (name, text) =
        inputs.templates.files.iter().find(|(n, _)| n.starts_with("python/")).expect("a Python template");
    let (original, edited) = (inputs.templates.clone(), {
        let mut t = inputs.templates.clone();
        t.files.insert(name.clone(), format!("{{# edited #}}{text}"));
        t
    });
    let mut flip = false;
    g.bench_with_input(BenchmarkId::new("edit: a Python template (warm database)", n), &n, |b, _| {
        b.iter(|| {
            flip = !flip;
            contractc_driver::set_templates(&mut db, &project.emitters, if flip { &edited } else { &original });
            generate_in(&db, &project, inputs, config).expect("compiles")
        })
    });
}

/// Prints a leaf edit's build time against a cold build's at 1,000 contracts, medians from the
/// estimates criterion wrote in this run (`<target>/criterion/compile/<id>/1000/new/`); nothing
/// when a filter left either out.
fn ratio(_: &mut Criterion) {
    // Criterion's folder names: these characters become `_` (its `make_filename_safe`).
    let folder = |id: &str| id.replace(['?', '"', '/', '\\', '*', '<', '>', ':', '|', '^'], "_");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../criterion/compile");
    let median = |id: &str| -> Option<f64> {
        let path = dir.join(folder(id)).join("1000/new/estimates.json");
        let estimates: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
        estimates["median"]["point_estimate"].as_f64()
    };
    if let (Some(cold), Some(leaf)) = (median(COLD), median(LEAF)) {
        println!(
            "ratio leaf edit/cold build, 1000 contracts: {:.1}% ({:.1} ms / {:.1} ms; target at most 5%)",
            100.0 * leaf / cold,
            leaf / 1e6,
            cold / 1e6
        );
    }
}

criterion_group!(benches, bench, ratio);
criterion_main!(benches);

//! The build log, `<output>/.contractc-log`, like ninja's `.ninja_log`: what the last
//! `contractc build` read (the compiler, the configuration, every contract, workflow and template,
//! by digest) and wrote (every output's digest, size and modification time). The next build
//! hashes its inputs and, when they are the same and every output still is what the log says,
//! exits without compiling, rendering or reading the outputs (it `stat`s them).
//!
//! The log is a cache, never an authority: every claim in it is checked against the disk, a log
//! that is absent, unreadable or of another format only costs a full build, and `build --check`
//! never reads it. It is written last, after every output (atomically), so a build that dies
//! half-way leaves the old log, whose digests no longer match what it half wrote. It records file
//! times, so it belongs to one machine: the `.gitignore` the compiler writes beside it keeps it
//! out of version control.
//!
//! The text, one entry a line, sorted within each kind; a path is the rest of its line:
//!
//! ```text
//! contractc-log 1
//! compiler 0.1.0
//! binary <size> <mtime ns>            the contractc executable, so a rebuilt compiler rebuilds
//! config <sha256>
//! diagnostics <count>                 warnings of the build that wrote the log; only 0 lets a build skip
//! source <sha256> contracts/events/Signal@1.0.json
//! template <sha256> python/module.py.j2
//! output <sha256> <size> <mtime ns> python/src/trading_contracts/events/signal_1_0.py
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;
use std::time::UNIX_EPOCH;

use crate::{Inputs, OutputFile, write};

/// The log's name in the output folder.
pub const LOG: &str = ".contractc-log";

/// The first line: the format's version. A log of another format is ignored (a full build).
const FORMAT: &str = "contractc-log 1";

/// The compiler that builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compiler {
    /// The package version (`CARGO_PKG_VERSION`).
    pub version: String,
    /// The executable's size and modification time (`<bytes> <ns>`), or `unknown`: the version
    /// does not change while the compiler is developed, its binary does.
    pub binary: String,
}

impl Compiler {
    /// This process's compiler.
    pub fn current() -> Compiler {
        let binary = std::env::current_exe()
            .and_then(fs::metadata)
            .ok()
            .and_then(|m| Some(format!("{} {}", m.len(), mtime(&m)?)))
            .unwrap_or_else(|| "unknown".into());
        Compiler { version: env!("CARGO_PKG_VERSION").into(), binary }
    }
}

/// What a build's outputs are a function of, digested: the compiler, the configuration's text
/// and every input by path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub compiler: Compiler,
    /// SHA-256 of `contractc.toml`'s text, hex.
    pub config: String,
    /// Project-relative path of each contract and workflow → SHA-256 of its text, hex.
    pub sources: BTreeMap<String, String>,
    /// Name of each template (its path inside the templates folder) → SHA-256 of its text, hex.
    pub templates: BTreeMap<String, String>,
}

impl Stamp {
    pub fn new(compiler: Compiler, config_text: &str, inputs: &Inputs) -> Stamp {
        Stamp {
            compiler,
            config: digest(config_text.as_bytes()),
            sources: inputs.sources.iter().map(|(p, t)| (p.clone(), digest(t.as_bytes()))).collect(),
            templates: inputs.templates.files.iter().map(|(n, t)| (n.clone(), digest(t.as_bytes()))).collect(),
        }
    }
}

/// One output file as the build that wrote the log left it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// SHA-256 of the bytes generated, hex.
    pub digest: String,
    /// Bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime: u128,
}

/// The parsed log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    pub stamp: Stamp,
    /// Warnings the build reported (notes are not counted: they ask for nothing).
    pub diagnostics: usize,
    /// Path in the output folder → what was written there; the manifest and `.gitignore`
    /// included, the log itself not.
    pub outputs: BTreeMap<String, Entry>,
}

impl Log {
    /// The log's text (see the module docs); `None` when a path holds a line break, which a
    /// line cannot.
    pub fn render(&self) -> Option<String> {
        let s = &self.stamp;
        let paths = s.sources.keys().chain(s.templates.keys()).chain(self.outputs.keys());
        if paths.chain([&s.compiler.version, &s.compiler.binary]).any(|p| p.contains(['\n', '\r'])) {
            return None;
        }
        let mut out = format!(
            "{FORMAT}\n# What the last `contractc build` read and wrote, so the next one can skip a no-op; machine-specific, not for version control.\n\
             compiler {}\nbinary {}\nconfig {}\ndiagnostics {}\n",
            s.compiler.version, s.compiler.binary, s.config, self.diagnostics
        );
        for (path, d) in &s.sources {
            out.push_str(&format!("source {d} {path}\n"));
        }
        for (name, d) in &s.templates {
            out.push_str(&format!("template {d} {name}\n"));
        }
        for (path, e) in &self.outputs {
            out.push_str(&format!("output {} {} {} {path}\n", e.digest, e.size, e.mtime));
        }
        Some(out)
    }

    /// Reads a log's text; `None` when it is of another format or malformed in any way.
    pub fn parse(text: &str) -> Option<Log> {
        let mut lines = text.lines();
        if lines.next()? != FORMAT {
            return None;
        }
        let (mut version, mut binary, mut config, mut diagnostics) = (None, None, None, None);
        let mut sources = BTreeMap::new();
        let mut templates = BTreeMap::new();
        let mut outputs = BTreeMap::new();
        for line in lines.filter(|l| !l.starts_with('#')) {
            let (kind, rest) = line.split_once(' ')?;
            match kind {
                "compiler" => version = Some(rest.to_string()),
                "binary" => binary = Some(rest.to_string()),
                "config" => config = Some(rest.to_string()),
                "diagnostics" => diagnostics = Some(rest.parse().ok()?),
                "source" | "template" => {
                    let (d, path) = rest.split_once(' ')?;
                    let map = if kind == "source" { &mut sources } else { &mut templates };
                    map.insert(path.to_string(), d.to_string());
                }
                "output" => {
                    let mut f = rest.splitn(4, ' ');
                    let (digest, size, mtime, path) = (f.next()?, f.next()?, f.next()?, f.next()?);
                    let entry =
                        Entry { digest: digest.to_string(), size: size.parse().ok()?, mtime: mtime.parse().ok()? };
                    outputs.insert(path.to_string(), entry);
                }
                _ => return None,
            }
        }
        let compiler = Compiler { version: version?, binary: binary? };
        let stamp = Stamp { compiler, config: config?, sources, templates };
        Some(Log { stamp, diagnostics: diagnostics?, outputs })
    }
}

/// The number of output files when the log in `out_dir` proves the folder up to date for
/// `stamp`, `None` when a build must run. Up to date: the log's stamp is `stamp`, its build
/// reported no warnings (they are printed again by a real build; notes are not), and every output it
/// lists has its size, and either its modification time or (when that changed, or is as recent
/// as the log's own, git's "racily clean" case) its digest. Files no longer generated are
/// deleted before the log is written and the manifest is one of the outputs checked, so none can
/// be stale. Any error reading reads as "not up to date".
///
/// When a file's time changed and its digest still matched (a `touch`, a checkout that rewrote
/// the same bytes), the log is rewritten with the new times so the next build only `stat`s
/// again; that write failing is ignored (the log is a cache). A racily clean file is read on
/// every build instead: rewriting the log for it would make a no-op write.
pub fn up_to_date(out_dir: &Path, stamp: &Stamp) -> Option<usize> {
    let text = fs::read_to_string(out_dir.join(LOG)).ok()?;
    let log = Log::parse(&text)?;
    if log.stamp != *stamp || log.diagnostics != 0 {
        return None;
    }
    let written = mtime(&fs::metadata(out_dir.join(LOG)).ok()?)?;
    let mut refreshed = log.clone();
    let mut retimed = false;
    for (path, entry) in &mut refreshed.outputs {
        if !write::safe(path) || path == LOG {
            return None;
        }
        let file = out_dir.join(path);
        let meta = fs::metadata(&file).ok()?;
        if !meta.is_file() || meta.len() != entry.size {
            return None;
        }
        let time = mtime(&meta)?;
        if time == entry.mtime && time < written {
            continue;
        }
        if digest(&fs::read(&file).ok()?) != entry.digest {
            return None;
        }
        retimed |= time != entry.mtime;
        entry.mtime = time;
    }
    if retimed {
        let _ = save(out_dir, &refreshed);
    }
    Some(log.outputs.len())
}

/// The log of the previous build in `out_dir`, as read before this one writes, with the time it
/// was written: what it says of an output vouches for it ([`Written::vouches`]).
pub struct Written {
    log: Log,
    /// The log's own modification time, nanoseconds since the Unix epoch.
    at: u128,
}

impl Written {
    /// The log in `out_dir`, if there is a readable one that `compiler` wrote (another
    /// compiler's vouches for nothing).
    pub fn read(out_dir: &Path, compiler: &Compiler) -> Option<Written> {
        let text = fs::read_to_string(out_dir.join(LOG)).ok()?;
        let log = Log::parse(&text).filter(|l| l.stamp.compiler == *compiler)?;
        Some(Written { log, at: mtime(&fs::metadata(out_dir.join(LOG)).ok()?)? })
    }

    /// Whether `f` is on disk as generated, by the log's word: the log has its digest, and the
    /// file still has the size and modification time the log recorded, older than the log
    /// itself (a file changed in the same tick as the log, git's "racily clean" case, is read).
    pub fn vouches(&self, out_dir: &Path, f: &OutputFile) -> bool {
        let Some(entry) = self.log.outputs.get(&f.path).filter(|e| e.digest == f.digest) else { return false };
        let Ok(meta) = fs::metadata(out_dir.join(&f.path)) else { return false };
        meta.is_file() && meta.len() == entry.size && mtime(&meta).is_some_and(|t| t == entry.mtime && t < self.at)
    }
}

/// Writes the log of a build that left `files` in `out_dir` (call it after every write and
/// deletion) and reported `diagnostics`. A file `changes` says the previous log (`previous`)
/// vouched for keeps its entry; every other is `stat`ed. A path holding a line break cannot be
/// logged: then the old log is removed, and every build is a full one.
pub fn record(
    out_dir: &Path,
    stamp: &Stamp,
    diagnostics: usize,
    files: &[OutputFile],
    previous: Option<&Written>,
    changes: &write::Changes,
) -> io::Result<()> {
    let mut outputs = BTreeMap::new();
    for f in files.iter().filter(|f| f.path != LOG) {
        let kept = previous.filter(|_| changes.vouched.contains(&f.path)).and_then(|p| p.log.outputs.get(&f.path));
        let entry = match kept {
            Some(entry) => entry.clone(),
            None => {
                let meta = fs::metadata(out_dir.join(&f.path))?;
                Entry { digest: f.digest.clone(), size: meta.len(), mtime: mtime(&meta).unwrap_or(0) }
            }
        };
        outputs.insert(f.path.clone(), entry);
    }
    save(out_dir, &Log { stamp: stamp.clone(), diagnostics, outputs })
}

fn save(out_dir: &Path, log: &Log) -> io::Result<()> {
    let Some(text) = log.render() else {
        return match fs::remove_file(out_dir.join(LOG)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    };
    write::write(out_dir, &OutputFile::text(LOG, text))
}

use contractc_emit::sha256_hex as digest;

/// Modification time in nanoseconds since the Unix epoch; `None` before it or where the
/// platform has none.
fn mtime(meta: &fs::Metadata) -> Option<u128> {
    Some(meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    fn stamp() -> Stamp {
        let mut inputs = Inputs::default();
        inputs.sources.push(("contracts/a b/A@1.0.json".into(), "{}".into()));
        inputs.templates.files.insert("python/m.j2".into(), "x".into());
        Stamp::new(Compiler { version: "0.1.0".into(), binary: "10 20".into() }, "output = \"g\"", &inputs)
    }

    /// Writes `files` and their log into a fresh folder, as a build would, with the files
    /// dated one minute ago (so none is as recent as the log).
    fn built(files: &[OutputFile]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let past = SystemTime::now() - Duration::from_secs(60);
        for f in files {
            let path = dir.path().join(&f.path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &f.contents).unwrap();
            fs::File::options().write(true).open(&path).unwrap().set_modified(past).unwrap();
        }
        record(dir.path(), &stamp(), 0, files, None, &write::Changes::default()).unwrap();
        dir
    }

    fn set_mtime(path: &Path, t: SystemTime) {
        fs::File::options().write(true).open(path).unwrap().set_modified(t).unwrap();
    }

    #[test]
    fn the_log_vouches_for_an_untouched_output_only_and_a_build_keeps_its_entry() {
        let files = [OutputFile::text("a.txt", "a"), OutputFile::text("b.txt", "b")];
        let dir = built(&files);
        let previous = Written::read(dir.path(), &stamp().compiler).unwrap();
        assert!(Written::read(dir.path(), &Compiler { version: "0.0.0".into(), binary: "1 2".into() }).is_none());
        assert!(previous.vouches(dir.path(), &files[0]));
        // Other bytes than the log's: not vouched for (the writer reads and compares them).
        assert!(!previous.vouches(dir.path(), &OutputFile::text("a.txt", "A")));
        // Touched since (a hand edit keeping the size): not vouched for either.
        set_mtime(&dir.path().join("b.txt"), SystemTime::now() - Duration::from_secs(5));
        assert!(!previous.vouches(dir.path(), &files[1]));
        assert!(!previous.vouches(dir.path(), &OutputFile::text("c.txt", "c")), "not in the log");

        let changes = write::compare(dir.path(), &files, Some(&previous)).unwrap();
        assert_eq!((changes.unchanged, changes.vouched.len()), (2, 1), "b.txt read, a.txt vouched for");
        record(dir.path(), &stamp(), 0, &files, Some(&previous), &changes).unwrap();
        let log = Log::parse(&fs::read_to_string(dir.path().join(LOG)).unwrap()).unwrap();
        assert_eq!(log.outputs["a.txt"], previous.log.outputs["a.txt"], "kept");
        assert_ne!(log.outputs["b.txt"].mtime, previous.log.outputs["b.txt"].mtime, "stat again");
    }

    #[test]
    fn the_text_is_sorted_and_reads_back() {
        let files = [OutputFile::text("z.txt", "z"), OutputFile::text("a dir/a.txt", "a")];
        let dir = built(&files);
        let text = fs::read_to_string(dir.path().join(LOG)).unwrap();
        let log = Log::parse(&text).unwrap();
        assert_eq!(log.render().unwrap(), text);
        assert_eq!(log.stamp, stamp());
        let outputs: Vec<&str> = text.lines().filter(|l| l.starts_with("output ")).collect();
        assert_eq!(outputs.len(), 2);
        assert!(outputs[0].ends_with(" a dir/a.txt") && outputs[1].ends_with(" z.txt"), "{text}");
        assert!(text.contains(&format!("source {} contracts/a b/A@1.0.json\n", digest(b"{}"))), "{text}");
        assert_eq!(Log::parse(&text.replacen("contractc-log 1", "contractc-log 2", 1)), None);
        assert_eq!(Log::parse(&(text.clone() + "mystery line\n")), None);
        assert_eq!(Log::parse(&text.replace("diagnostics 0", "diagnostics x")), None);
    }

    #[test]
    fn up_to_date_needs_the_same_stamp_no_diagnostics_and_every_output() {
        let files = [OutputFile::text("a.txt", "aaaa"), OutputFile::text("sub/b.txt", "b")];
        let dir = built(&files);
        assert_eq!(up_to_date(dir.path(), &stamp()), Some(2));

        let mut other = stamp();
        other.compiler.version = "0.2.0".into();
        assert_eq!(up_to_date(dir.path(), &other), None, "another compiler");
        let mut other = stamp();
        other.compiler.binary = "11 20".into();
        assert_eq!(up_to_date(dir.path(), &other), None, "another build of the compiler");
        let mut other = stamp();
        other.templates.insert("python/m.j2".into(), digest(b"y"));
        assert_eq!(up_to_date(dir.path(), &other), None, "an edited template");
        let mut other = stamp();
        other.sources.insert("contracts/B@1.0.json".into(), digest(b"{}"));
        assert_eq!(up_to_date(dir.path(), &other), None, "a new contract");

        record(dir.path(), &stamp(), 1, &files, None, &write::Changes::default()).unwrap();
        assert_eq!(up_to_date(dir.path(), &stamp()), None, "the last build warned");
        record(dir.path(), &stamp(), 0, &files, None, &write::Changes::default()).unwrap();
        assert_eq!(up_to_date(dir.path(), &stamp()), Some(2));

        fs::remove_file(dir.path().join("sub/b.txt")).unwrap();
        assert_eq!(up_to_date(dir.path(), &stamp()), None, "a deleted output");
        fs::remove_file(dir.path().join(LOG)).unwrap();
        assert_eq!(up_to_date(dir.path(), &stamp()), None, "no log");
    }

    #[test]
    fn a_changed_time_reads_the_file_and_a_same_size_edit_is_found() {
        let files = [OutputFile::text("a.txt", "aaaa")];
        let dir = built(&files);
        let a = dir.path().join("a.txt");
        let logged = || Log::parse(&fs::read_to_string(dir.path().join(LOG)).unwrap()).unwrap();
        let before = logged();

        // Touched: same bytes, so still up to date, and the log learns the new time.
        let touched = SystemTime::now() - Duration::from_secs(30);
        set_mtime(&a, touched);
        assert_eq!(up_to_date(dir.path(), &stamp()), Some(1));
        assert_ne!(logged(), before, "the log was refreshed");
        assert_eq!(logged().outputs["a.txt"].mtime, touched.duration_since(UNIX_EPOCH).unwrap().as_nanos());

        // As recent as the log (racily clean): read, found equal, and the log is not rewritten.
        let log_file = dir.path().join(LOG);
        set_mtime(&log_file, touched);
        assert_eq!(up_to_date(dir.path(), &stamp()), Some(1));
        assert_eq!(fs::metadata(&log_file).unwrap().modified().unwrap(), touched, "a no-op wrote the log");

        // Edited, same size, later time: the digest differs.
        fs::write(&a, "bbbb").unwrap();
        assert_eq!(up_to_date(dir.path(), &stamp()), None);
        // The same edit with the logged time restored, racily clean: read, and found.
        set_mtime(&a, touched);
        assert_eq!(up_to_date(dir.path(), &stamp()), None);
        // Once the log is older than that time, `stat` is trusted, as make and ninja trust it.
        set_mtime(&log_file, SystemTime::now());
        assert_eq!(up_to_date(dir.path(), &stamp()), Some(1));
    }

    #[test]
    fn a_path_with_a_line_break_removes_the_log() {
        let dir = built(&[OutputFile::text("a.txt", "a")]);
        assert!(dir.path().join(LOG).exists());
        let odd = OutputFile::text("odd\nname.txt", "x");
        fs::write(dir.path().join(&odd.path), "x").unwrap();
        record(dir.path(), &stamp(), 0, &[odd], None, &write::Changes::default()).unwrap();
        assert!(!dir.path().join(LOG).exists());
        assert_eq!(up_to_date(dir.path(), &stamp()), None);
    }
}

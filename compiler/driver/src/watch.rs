//! `contractc watch`: one warm salsa database for the life of the process.
//!
//! A [`Session`] holds the database, its `Workspace` input and one `SourceFile` input per
//! contract and workflow spec, beside the texts (`Inputs`) that the backends, the diagnostics and
//! the build log read. [`run`] watches the contracts folder, the templates folder and the
//! configuration file, and after each debounced batch of file events updates only the inputs
//! whose text changed (salsa setters), then hands the session to the caller, who builds exactly
//! as `contractc build` does.
//!
//! What is deliberately absent: no input is re-read unless an event names it (or names a folder,
//! which re-reads that folder); a template or `contractc.toml` edit re-reads all templates (they
//! are few and not salsa inputs); events for the output folder are ignored, so writing outputs
//! never triggers a build.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use contractc_sema::{Database, SourceFile, Workspace, is_migration, is_workflow};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use salsa::Setter;

use crate::{Config, Failure, Inputs, Project, names, read_tree, settings};

/// How long the file system must be quiet before a batch of events is taken: an editor's save
/// (truncate, write, rename) is one batch.
pub const DEBOUNCE: Duration = Duration::from_millis(75);

/// The warm database and what it was fed.
pub struct Session {
    db: Database,
    project: Project,
    /// One input per source, in the order of `inputs.sources` (the order `read_inputs` gives).
    files: Vec<SourceFile>,
    inputs: Inputs,
    /// The project root, absolute (file events name absolute paths).
    root: PathBuf,
    config_path: PathBuf,
    config_text: String,
    config: Config,
    /// What changed since the last [`Session::take_changed`].
    changed: Changed,
    /// The workspace of [`Session::candidate`] and its one file of its own, once asked for.
    scratch: Option<(Workspace, SourceFile)>,
}

/// What changed in the inputs between two builds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    pub contracts: Count,
    pub workflows: Count,
    pub migrations: Count,
    /// Some template was added, edited or removed.
    pub templates: bool,
    /// The configuration's text changed.
    pub config: bool,
}

/// Files changed, added and removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub changed: usize,
    pub added: usize,
    pub removed: usize,
}

impl Changed {
    pub fn is_empty(&self) -> bool {
        *self == Changed::default()
    }

    /// The count of the kind of source at `path`: a workflow, a migration or a contract.
    fn count(&mut self, path: &str) -> &mut Count {
        if is_workflow(path) {
            &mut self.workflows
        } else if is_migration(path) {
            &mut self.migrations
        } else {
            &mut self.contracts
        }
    }
}

impl fmt::Display for Changed {
    /// `1 contract changed, 2 workflows added, 1 migration changed, templates changed,
    /// configuration changed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (noun, count) in
            [("contract", self.contracts), ("workflow", self.workflows), ("migration", self.migrations)]
        {
            for (n, verb) in [(count.changed, "changed"), (count.added, "added"), (count.removed, "removed")] {
                if n > 0 {
                    parts.push(format!("{n} {noun}{} {verb}", if n == 1 { "" } else { "s" }));
                }
            }
        }
        if self.templates {
            parts.push("templates changed".into());
        }
        if self.config {
            parts.push("configuration changed".into());
        }
        if parts.is_empty() {
            parts.push("nothing changed".into());
        }
        write!(f, "{}", parts.join(", "))
    }
}

/// `read_tree`'s order: path components compared one by one (a depth-first walk with sorted
/// siblings), which is not the order of the joined strings (`a-b/x` sorts after `a/x`).
fn walk_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.split('/').cmp(b.split('/'))
}

impl Session {
    /// Reads the project of `config_path` (whose text and parsed form are given) into `db`.
    pub fn new(db: Database, config_path: &Path, config_text: String, config: Config) -> Result<Session, Failure> {
        let config_path = std::path::absolute(config_path).map_err(|e| Failure::Io(config_path.to_path_buf(), e))?;
        let root = config_path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let inputs = crate::read_inputs(&root, &config)?;
        let files: Vec<SourceFile> =
            inputs.sources.iter().map(|(p, t)| SourceFile::new(&db, p.clone(), t.clone())).collect();
        let workspace = Workspace::new(&db, files.clone(), settings(&config)?);
        let project = Project { workspace, emitters: crate::emitters(&db, &inputs.templates, &config) };
        Ok(Session {
            db,
            project,
            files,
            inputs,
            root,
            config_path,
            config_text,
            config,
            changed: Changed::default(),
            scratch: None,
        })
    }

    pub fn db(&self) -> &Database {
        &self.db
    }
    pub fn workspace(&self) -> Workspace {
        self.project.workspace
    }
    pub fn project(&self) -> &Project {
        &self.project
    }
    pub fn inputs(&self) -> &Inputs {
        &self.inputs
    }
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// The configuration's text, as the build log digests it.
    pub fn config_text(&self) -> &str {
        &self.config_text
    }
    /// The project root, absolute.
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn out_dir(&self) -> PathBuf {
        self.root.join(&self.config.output)
    }

    /// The project as it would be with the file at `path` (project-relative, as
    /// [`crate::read_inputs`] names files) holding `text`, added or in place of the one there:
    /// its inputs and a project (a second workspace, with the same backends) to check as the
    /// session's is checked. The session's own workspace does not change. One scratch workspace
    /// and one file of its own are kept from call to call and only what differs is set, so a
    /// candidate costs what an edit of that file would (`contractc mcp`'s `workflow_validate`).
    pub fn candidate(&mut self, path: &str, text: &str) -> (Project, Inputs) {
        let file = match self.scratch {
            Some((_, file)) => {
                if file.path(&self.db) != path {
                    file.set_path(&mut self.db).to(path.to_string());
                }
                if file.text(&self.db) != text {
                    file.set_text(&mut self.db).to(text.to_string());
                }
                file
            }
            None => SourceFile::new(&self.db, path.to_string(), text.to_string()),
        };
        let (mut inputs, mut files) = (self.inputs.clone(), self.files.clone());
        match inputs.sources.binary_search_by(|(p, _)| walk_order(p, path)) {
            Ok(i) => {
                inputs.sources[i].1 = text.to_string();
                files[i] = file;
            }
            Err(i) => {
                inputs.sources.insert(i, (path.to_string(), text.to_string()));
                files.insert(i, file);
            }
        }
        let settings = self.project.workspace.settings(&self.db).clone();
        let workspace = match self.scratch {
            Some((ws, _)) => {
                if *ws.files(&self.db) != files {
                    ws.set_files(&mut self.db).to(files);
                }
                if *ws.settings(&self.db) != settings {
                    ws.set_settings(&mut self.db).to(settings);
                }
                ws
            }
            None => Workspace::new(&self.db, files, settings),
        };
        self.scratch = Some((workspace, file));
        (Project { workspace, emitters: self.project.emitters.clone() }, inputs)
    }

    /// What changed since the last call, and forgets it.
    pub fn take_changed(&mut self) -> Changed {
        std::mem::take(&mut self.changed)
    }

    /// The folders to watch: the root itself (for the configuration, and for the contracts and
    /// templates folders coming and going), and the contracts and templates folders in depth.
    pub fn watch_list(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut list = vec![(self.root.clone(), RecursiveMode::NonRecursive)];
        for dir in [&self.config.contracts, self.config.templates_dir()] {
            let path = self.root.join(dir);
            if !list.iter().any(|(p, _)| *p == path) {
                list.push((path, RecursiveMode::Recursive));
            }
        }
        list
    }

    /// Brings the inputs up to date with the files at `paths` (absolute, as file events name
    /// them); `None` re-reads every input. Only inputs whose text changed are set. An unreadable
    /// file or configuration is an error, after every other path has been taken in; an invalid
    /// configuration leaves the previous one in force.
    pub fn update(&mut self, paths: Option<&[PathBuf]>) -> Result<(), Failure> {
        let mut first_error = None;
        let mut keep = |r: Result<(), Failure>| {
            if let Err(e) = r {
                first_error.get_or_insert(e);
            }
        };
        let Some(paths) = paths else {
            keep(self.reload_config());
            keep(self.rescan_contracts());
            keep(self.reload_templates());
            return first_error.map_or(Ok(()), Err);
        };
        // The configuration first: it says where everything else is.
        if paths.contains(&self.config_path) {
            keep(self.reload_config());
        }
        let (out_dir, config_path) = (self.out_dir(), self.config_path.clone());
        let contracts = self.root.join(&self.config.contracts);
        let templates = self.root.join(self.config.templates_dir());
        let (mut rescan, mut templates_touched) = (false, false);
        for path in paths.iter().filter(|p| !p.starts_with(&out_dir) && **p != config_path) {
            if path.starts_with(&templates) {
                templates_touched = true;
            } else if path.starts_with(&contracts) {
                // A file event names the file; any other (a folder created, removed or renamed)
                // re-reads the whole folder.
                let json = path.extension().is_some_and(|e| e == "json");
                match std::fs::symlink_metadata(path) {
                    Ok(m) if m.is_dir() => rescan = true,
                    Ok(_) if json => keep(self.reload_source(&contracts, path)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound && json => keep(self.reload_source(&contracts, path)),
                    // Gone, and not a contract: a folder of contracts, or some other file.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => rescan |= self.held_under(&contracts, path),
                    _ => {}
                }
            }
        }
        if rescan {
            keep(self.rescan_contracts());
        }
        if templates_touched {
            keep(self.reload_templates());
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Re-reads `contractc.toml`; when its text changed and it is valid, takes it (re-reading a
    /// folder it moved).
    fn reload_config(&mut self) -> Result<(), Failure> {
        let text = std::fs::read_to_string(&self.config_path).map_err(|e| Failure::Io(self.config_path.clone(), e))?;
        if text == self.config_text {
            return Ok(());
        }
        let config = Config::parse(&text).map_err(Failure::Config)?;
        let settings = settings(&config)?;
        if *self.project.workspace.settings(&self.db) != settings {
            self.project.workspace.set_settings(&mut self.db).to(settings);
        }
        let moved_contracts = config.contracts != self.config.contracts;
        let moved_templates = config.templates != self.config.templates;
        let backends_changed = config.backends != self.config.backends || config.options() != self.config.options();
        self.config = config;
        if backends_changed {
            self.project.emitters = crate::emitters(&self.db, &self.inputs.templates, &self.config);
        }
        self.config_text = text;
        self.changed.config = true;
        if moved_contracts {
            self.rescan_contracts()?;
        }
        if moved_templates {
            self.reload_templates()?;
        }
        Ok(())
    }

    /// Re-reads every template; they are few, and a change to any re-renders the backends.
    fn reload_templates(&mut self) -> Result<(), Failure> {
        let templates = crate::templates::read(&self.root, &self.config)?;
        if templates != self.inputs.templates {
            crate::set_templates(&mut self.db, &self.project.emitters, &templates);
            self.inputs.templates = templates;
            self.changed.templates = true;
        }
        Ok(())
    }

    /// Re-reads the contracts folder, as `read_inputs` reads it, and sets what differs.
    fn rescan_contracts(&mut self) -> Result<(), Failure> {
        let found = read_tree(&self.root, &self.config.contracts, "json")?;
        let gone: Vec<String> = {
            let present: std::collections::HashSet<&str> = found.iter().map(|(p, _, _)| p.as_str()).collect();
            self.inputs.sources.iter().map(|(p, _)| p).filter(|p| !present.contains(p.as_str())).cloned().collect()
        };
        let mut listed = false;
        for path in gone {
            listed |= self.remove(&path);
        }
        for (path, _, text) in found {
            listed |= self.set(path, text);
        }
        if listed {
            self.project.workspace.set_files(&mut self.db).to(self.files.clone());
        }
        Ok(())
    }

    /// Re-reads one file under the contracts folder `base`: set, added, or (gone) removed.
    fn reload_source(&mut self, base: &Path, path: &Path) -> Result<(), Failure> {
        let (key, _) = names(&self.root, base, path);
        // What `read_tree` takes: regular files only (a symbolic link is not followed).
        let listed = match std::fs::symlink_metadata(path) {
            Ok(m) if m.is_file() => match std::fs::read_to_string(path) {
                Ok(text) => self.set(key, text),
                Err(e) if e.kind() == io::ErrorKind::NotFound => self.remove(&key),
                Err(e) => return Err(Failure::Io(path.to_path_buf(), e)),
            },
            Ok(_) => self.remove(&key),
            Err(e) if e.kind() == io::ErrorKind::NotFound => self.remove(&key),
            Err(e) => return Err(Failure::Io(path.to_path_buf(), e)),
        };
        if listed {
            self.project.workspace.set_files(&mut self.db).to(self.files.clone());
        }
        Ok(())
    }

    /// Whether some source lies under `path`, a folder inside the contracts folder `base`.
    fn held_under(&self, base: &Path, path: &Path) -> bool {
        let (key, _) = names(&self.root, base, path);
        let folder = format!("{key}/");
        self.inputs.sources.iter().any(|(p, _)| p.starts_with(&folder))
    }

    /// Sets the text of the source at `path`, adding it if new; true when the list of files
    /// changed (the caller then sets the workspace's).
    fn set(&mut self, path: String, text: String) -> bool {
        let count = self.changed.count(&path);
        match self.inputs.sources.binary_search_by(|(p, _)| walk_order(p, &path)) {
            Ok(i) => {
                if self.inputs.sources[i].1 != text {
                    self.files[i].set_text(&mut self.db).to(text.clone());
                    self.inputs.sources[i].1 = text;
                    count.changed += 1;
                }
                false
            }
            Err(i) => {
                self.files.insert(i, SourceFile::new(&self.db, path.clone(), text.clone()));
                self.inputs.sources.insert(i, (path, text));
                count.added += 1;
                true
            }
        }
    }

    /// Removes the source at `path` if there is one; true when it was there.
    fn remove(&mut self, path: &str) -> bool {
        let Ok(i) = self.inputs.sources.binary_search_by(|(p, _)| walk_order(p, path)) else {
            return false;
        };
        self.files.remove(i);
        self.inputs.sources.remove(i);
        let count = self.changed.count(path);
        count.removed += 1;
        true
    }
}

/// What [`run`] tells its caller.
pub enum Event<'a> {
    /// The watches are in place: build everything once.
    Started,
    /// Inputs changed, since `started` (when the batch of file events was taken): build again.
    Changed { changed: &'a Changed, started: Instant },
    /// Reading the inputs failed (an invalid `contractc.toml`, an unreadable file): no build;
    /// watching goes on.
    Failed(&'a Failure),
}

enum Message {
    Files(DebounceEventResult),
    Stop,
}

/// Watches the session's project until SIGINT or SIGTERM (Ctrl-C), calling `on` once when the
/// watches are in place and again after every batch of changes. Returns `Ok` when stopped by a
/// signal, `Err` when the watches cannot be set up.
///
/// The signals are blocked in every thread (call this before starting any) and taken by a
/// thread of their own with `sigwait`, so a signal that comes mid-build ends the process once
/// that build is done, never half-way through writing.
pub fn run(mut session: Session, mut on: impl FnMut(&mut Session, Event<'_>)) -> Result<(), Failure> {
    let (tx, rx) = mpsc::channel();
    stop_on_signals(tx.clone()).map_err(|e| Failure::Io(PathBuf::from("signal mask"), e))?;
    let files = tx;
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |r| {
        let _ = files.send(Message::Files(r));
    })
    .map_err(|e| Failure::Io(session.root().to_path_buf(), io::Error::other(e)))?;
    let mut watched: HashMap<PathBuf, RecursiveMode> = HashMap::new();
    let mut sync = |session: &Session, touched: &[PathBuf]| {
        let wanted = session.watch_list();
        watched.retain(|p, _| {
            // A folder named by an event was created, removed or renamed: watch it anew. Not the
            // root, whose watch outlives any of its entries.
            let anew = touched.contains(p) && p != session.root();
            let keep = wanted.iter().any(|(w, _)| w == p) && !anew;
            if !keep {
                let _ = debouncer.unwatch(p);
            }
            keep
        });
        for (path, mode) in wanted {
            // A folder that does not exist (yet) is tried again after the next batch.
            if !watched.contains_key(&path) && debouncer.watch(&path, mode).is_ok() {
                watched.insert(path, mode);
            }
        }
    };
    sync(&session, &[]);
    on(&mut session, Event::Started);
    loop {
        let Ok(first) = rx.recv() else { return Ok(()) };
        let started = Instant::now();
        // Whatever else is already queued joins this batch; a stop ends the loop first.
        let mut paths = Vec::new();
        let mut everything = false;
        for message in std::iter::once(first).chain(rx.try_iter()) {
            match message {
                Message::Stop => return Ok(()),
                Message::Files(Ok(events)) => {
                    for e in events {
                        everything |= e.need_rescan();
                        if !matches!(e.kind, EventKind::Access(_)) {
                            paths.extend(e.event.paths);
                        }
                    }
                }
                // The watcher lost track (an overflowing event queue): read everything again.
                Message::Files(Err(_)) => everything = true,
            }
        }
        if paths.is_empty() && !everything {
            continue;
        }
        sync(&session, &paths);
        let result = session.update((!everything).then_some(&paths[..]));
        sync(&session, &[]);
        match result {
            Err(failure) => on(&mut session, Event::Failed(&failure)),
            Ok(()) => {
                let changed = session.take_changed();
                if !changed.is_empty() {
                    on(&mut session, Event::Changed { changed: &changed, started });
                }
            }
        }
    }
}

/// Blocks SIGINT and SIGTERM in this thread (and so in every thread started after it) and
/// starts one that waits for either and sends `Stop`.
#[cfg(unix)]
fn stop_on_signals(tx: mpsc::Sender<Message>) -> io::Result<()> {
    // SAFETY: `set` is initialised by `sigemptyset` before use; these calls have no other
    // preconditions, and `sigwait` is the thread-safe way to take a blocked signal.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        let rc = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        set
    };
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        let mut signal = 0;
        // SAFETY: as above; `set` lives on this thread's stack.
        while unsafe { libc::sigwait(&set, &mut signal) } != 0 {}
        let _ = tx.send(Message::Stop);
    })?;
    Ok(())
}

/// Elsewhere Ctrl-C ends the process as it would any other.
#[cfg(not(unix))]
fn stop_on_signals(_: mpsc::Sender<Message>) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::{Arc, Mutex};

    use super::*;

    fn contract(field: &str) -> String {
        format!(r#"{{ "type": "object", "properties": {{ "{field}": {{ "type": "number" }} }} }}"#)
    }

    /// A project of three contracts in a fresh folder, and a session over it whose database
    /// logs the queries it executes.
    fn session() -> (tempfile::TempDir, Session, Arc<Mutex<Vec<String>>>) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("contracts/events")).unwrap();
        fs::create_dir_all(dir.path().join("templates")).unwrap();
        for name in ["A", "B", "C"] {
            fs::write(dir.path().join(format!("contracts/events/{name}@1.0.json")), contract("x")).unwrap();
        }
        let text = "backends = [\"python\"]\n".to_string();
        fs::write(dir.path().join("contractc.toml"), &text).unwrap();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = log.clone();
        let db = Database::with_events(move |e| {
            if let salsa::EventKind::WillExecute { database_key } = e.kind {
                sink.lock().unwrap().push(format!("{database_key:?}"));
            }
        });
        let config = Config::parse(&text).unwrap();
        let session = Session::new(db, &dir.path().join("contractc.toml"), text, config).unwrap();
        (dir, session, log)
    }

    /// Compiles, and returns the queries that ran (by name, sorted) and the contracts' files.
    fn compile(session: &Session, log: &Mutex<Vec<String>>) -> (Vec<String>, Vec<String>) {
        log.lock().unwrap().clear();
        let compiled = contractc_sema::compile(session.db(), session.workspace());
        let program = compiled.program.as_ref().expect("no errors");
        let mut ran: Vec<String> =
            log.lock().unwrap().iter().map(|k| k.split('(').next().unwrap().to_string()).collect();
        ran.sort();
        (ran, program.contracts.iter().map(|c| c.source.clone()).collect())
    }

    #[test]
    fn an_edit_sets_only_that_file_and_a_new_or_deleted_file_changes_the_list() {
        let (dir, mut session, log) = session();
        let events = dir.path().join("contracts/events");
        let (_, contracts) = compile(&session, &log);
        assert_eq!(contracts.len(), 3);

        fs::write(events.join("B@1.0.json"), contract("y")).unwrap();
        session.update(Some(&[events.join("B@1.0.json"), events.join("A@1.0.json")])).unwrap();
        let changed = session.take_changed();
        assert_eq!(changed.contracts, Count { changed: 1, added: 0, removed: 0 }, "A's text is the same");
        assert_eq!(changed.to_string(), "1 contract changed");
        let (ran, _) = compile(&session, &log);
        let count = |ran: &[String], query: &str| ran.iter().filter(|q| *q == query).count();
        assert_eq!(
            (count(&ran, "parse"), count(&ran, "lowered")),
            (1, 1),
            "one file parsed and lowered again: {ran:?}"
        );

        // Nothing read changed: nothing is set, nothing runs.
        session.update(Some(&[events.join("C@1.0.json")])).unwrap();
        assert!(session.take_changed().is_empty());
        assert_eq!(compile(&session, &log).0, Vec::<String>::new());

        fs::write(events.join("D@1.0.json"), contract("z")).unwrap();
        fs::remove_file(events.join("A@1.0.json")).unwrap();
        session.update(Some(&[events.join("D@1.0.json"), events.join("A@1.0.json")])).unwrap();
        assert_eq!(session.take_changed().to_string(), "1 contract added, 1 contract removed");
        let (ran, contracts) = compile(&session, &log);
        assert_eq!(count(&ran, "parse"), 1, "only the new file is parsed: {ran:?}");
        let expected = ["contracts/events/B@1.0.json", "contracts/events/C@1.0.json", "contracts/events/D@1.0.json"];
        assert_eq!(contracts, expected);

        // A new major and its migration, then an edit of the migration alone.
        let migrations = dir.path().join("contracts/migrations/events");
        fs::create_dir_all(&migrations).unwrap();
        let migration = |to: &str| format!(r#"{{ "ops": [{{ "op": "rename", "path": "/y", "to": "{to}" }}] }}"#);
        fs::write(events.join("B@2.0.json"), contract("z")).unwrap();
        fs::write(migrations.join("B@1.0..2.0.json"), migration("z")).unwrap();
        session.update(Some(&[events.join("B@2.0.json"), migrations.join("B@1.0..2.0.json")])).unwrap();
        assert_eq!(session.take_changed().to_string(), "1 contract added, 1 migration added");
        compile(&session, &log);
        fs::write(migrations.join("B@1.0..2.0.json"), migration("z").replace('{', "{ ")).unwrap();
        session.update(Some(&[migrations.join("B@1.0..2.0.json")])).unwrap();
        assert_eq!(session.take_changed().to_string(), "1 migration changed");
        let (ran, _) = compile(&session, &log);
        assert_eq!((count(&ran, "parse"), count(&ran, "lowered")), (1, 0), "{ran:?}");
    }

    #[test]
    fn a_template_edit_renders_its_backend_again_and_a_contract_edit_what_reaches_it() {
        let (dir, _, log) = session();
        let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
        for (_, name, text) in read_tree(Path::new("/"), &templates.display().to_string(), "j2").unwrap() {
            let path = dir.path().join("templates").join(&name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let text = "backends = [\"rust\", \"python\", \"mql4\"]\n".to_string();
        fs::write(dir.path().join("contractc.toml"), &text).unwrap();
        let db = Database::with_events({
            let sink = log.clone();
            move |e| {
                if let salsa::EventKind::WillExecute { database_key } = e.kind {
                    sink.lock().unwrap().push(format!("{database_key:?}"));
                }
            }
        });
        let config = Config::parse(&text).unwrap();
        let mut session = Session::new(db, &dir.path().join("contractc.toml"), text, config).unwrap();
        let build = |session: &Session| {
            log.lock().unwrap().clear();
            crate::generate_in(session.db(), session.project(), session.inputs(), session.config()).expect("builds");
            let ran = log.lock().unwrap().iter().map(|k| k.split('(').next().unwrap().to_string()).collect::<Vec<_>>();
            let count = |query: &str| ran.iter().filter(|q| *q == query).count();
            (count("shared"), count("rendered"), count("compile"))
        };
        // Three backends' shared files, and three contracts in each.
        assert_eq!(build(&session), (3, 9, 1), "a cold build renders everything");

        let module = dir.path().join("templates/python/module.py.j2");
        let edited = format!("{{# edited #}}{}", fs::read_to_string(&module).unwrap());
        fs::write(&module, edited).unwrap();
        session.update(Some(&[module])).unwrap();
        assert!(session.take_changed().templates);
        assert_eq!(build(&session), (1, 3, 0), "only Python renders again, and nothing is compiled");

        let b = dir.path().join("contracts/events/B@1.0.json");
        fs::write(&b, contract("y")).unwrap();
        session.update(Some(std::slice::from_ref(&b))).unwrap();
        assert_eq!(
            build(&session),
            (0, 3, 1),
            "B's files render again in each backend, A's and C's do not, nor the shared files (no header changed)"
        );

        // A refers to B now: an edit to B's types renders A's files again too, not C's.
        let a = dir.path().join("contracts/events/A@1.0.json");
        fs::write(&a, r#"{ "type": "object", "properties": { "b": { "$ref": "B@1.0.json" } } }"#).unwrap();
        session.update(Some(&[a])).unwrap();
        assert_eq!(build(&session), (0, 3, 1), "A's files");
        // A description is B's own code's: A's files do not render again.
        fs::write(&b, contract("y").replacen('{', r#"{ "description": "B, described", "#, 1)).unwrap();
        session.update(Some(std::slice::from_ref(&b))).unwrap();
        assert_eq!(build(&session), (0, 3, 1), "B's files alone");
        fs::write(&b, contract("z")).unwrap();
        session.update(Some(&[b])).unwrap();
        assert_eq!(build(&session), (0, 6, 1), "B's files and A's, which reaches B");
        // A new contract changes the lists of every contract, Rust's `lib.rs` and Python's
        // registry (MQL4's shared file lists none), and the contract order every file reads
        // its contracts by: each renders again.
        let d = dir.path().join("contracts/events/D@1.0.json");
        fs::write(&d, contract("w")).unwrap();
        session.update(Some(&[d])).unwrap();
        assert_eq!(build(&session), (2, 12, 1), "the two lists, and every file");
    }

    #[test]
    fn a_folder_event_rereads_the_folder_and_other_files_are_ignored() {
        let (dir, mut session, log) = session();
        let contracts = dir.path().join("contracts");
        compile(&session, &log);
        // Another file beside the contracts, created and then gone (an editor's temporary file).
        fs::write(contracts.join("events/B@1.0.saving"), "x").unwrap();
        session.update(Some(&[contracts.join("events/B@1.0.saving")])).unwrap();
        fs::remove_file(contracts.join("events/B@1.0.saving")).unwrap();
        session.update(Some(&[contracts.join("events/B@1.0.saving")])).unwrap();
        assert!(session.take_changed().is_empty());

        // A folder moved in, then the original folder removed: each event names the folder.
        fs::create_dir_all(contracts.join("api")).unwrap();
        fs::write(contracts.join("api/E@1.0.json"), contract("e")).unwrap();
        session.update(Some(&[contracts.join("api")])).unwrap();
        fs::remove_dir_all(contracts.join("events")).unwrap();
        session.update(Some(&[contracts.join("events")])).unwrap();
        assert_eq!(session.take_changed().to_string(), "1 contract added, 3 contracts removed");
        assert_eq!(compile(&session, &log).1, ["contracts/api/E@1.0.json"]);
    }

    #[test]
    fn an_invalid_configuration_is_an_error_and_the_previous_one_stays() {
        let (dir, mut session, _) = session();
        let config = dir.path().join("contractc.toml");
        fs::write(&config, "backends = [\"cobol\"]\n").unwrap();
        assert!(matches!(session.update(Some(std::slice::from_ref(&config))), Err(Failure::Config(_))));
        assert_eq!(session.config().backends, [crate::Backend::Python]);
        fs::write(&config, "backends = [\"python\", \"rust\"]\n").unwrap();
        session.update(Some(&[config])).unwrap();
        assert_eq!(session.take_changed().to_string(), "configuration changed");
        assert_eq!(session.config().backends, [crate::Backend::Python, crate::Backend::Rust]);
    }

    #[test]
    fn sources_keep_the_order_of_a_walk() {
        let mut paths = vec!["c/a-b/x.json", "c/a/y.json", "c/a.json", "c/a/b/z.json"];
        paths.sort_by(|a, b| walk_order(a, b));
        assert_eq!(paths, ["c/a/b/z.json", "c/a/y.json", "c/a-b/x.json", "c/a.json"]);
    }
}

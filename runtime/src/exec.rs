//! One attempt of a step: a process run from an argv (no shell) in its own process group, with a
//! cleared environment (an allowlist of host variables plus declared ones), stdout and stderr
//! captured to files up to a size cap, and a per-attempt timeout. On timeout or interrupt the
//! whole process group gets SIGTERM, a grace period, then SIGKILL. Steps never outlive the
//! runtime: each is started with a parent-death signal (Linux `PR_SET_PDEATHSIG`), and whatever
//! is left of its group when it exits is killed, so its pipes close.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Host variables every step sees (when set), besides its own `env_from_host`.
pub const DEFAULT_ENV_ALLOWLIST: &[&str] =
    &["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TERM"];

/// How one attempt runs.
pub struct Attempt<'a> {
    pub argv: &'a [String],
    pub working_dir: Option<&'a Path>,
    /// The complete environment of the process.
    pub env: Vec<(String, OsString)>,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
    /// Bytes kept of each of stdout and stderr; the rest is read and dropped.
    pub capture_cap: u64,
    pub timeout: Option<Duration>,
    /// Between SIGTERM and SIGKILL.
    pub grace: Duration,
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut,
    Interrupted,
    NotStarted(String),
}

impl Exit {
    pub fn describe(&self) -> String {
        match self {
            Exit::Code(0) => "exited 0".into(),
            Exit::Code(c) => format!("exited with status {c}"),
            Exit::Signal(s) => format!("killed by signal {s}"),
            Exit::TimedOut => "timed out".into(),
            Exit::Interrupted => "interrupted".into(),
            Exit::NotStarted(e) => format!("could not start: {e}"),
        }
    }
}

/// Runs the attempt to its end. `interrupted` is polled: when set, the attempt is stopped.
pub fn run(a: &Attempt<'_>, interrupted: &AtomicBool) -> Exit {
    let mut cmd = Command::new(&a.argv[0]);
    cmd.args(&a.argv[1..])
        .env_clear()
        .envs(a.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    if let Some(dir) = a.working_dir {
        cmd.current_dir(dir);
    }
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Exit::NotStarted(format!("`{}`: {e}", a.argv[0])),
    };
    let pgid = child.id() as i32;
    let copiers = [
        child.stdout.take().map(|p| capture(p, &a.stdout, a.capture_cap)),
        child.stderr.take().map(|p| capture(p, &a.stderr, a.capture_cap)),
    ];
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let start = Instant::now();
    let timeout = a.timeout;
    let grace = a.grace;
    let outcome = std::thread::scope(|scope| {
        let watchdog = scope.spawn(move || {
            loop {
                let wait = timeout.map_or(Duration::from_millis(50), |t| {
                    t.saturating_sub(start.elapsed()).min(Duration::from_millis(50))
                });
                match done_rx.recv_timeout(wait) {
                    Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                }
                let why = if interrupted.load(Ordering::SeqCst) {
                    Exit::Interrupted
                } else if timeout.is_some_and(|t| start.elapsed() >= t) {
                    Exit::TimedOut
                } else {
                    continue;
                };
                stop_group(pgid, grace, &done_rx);
                return Some(why);
            }
        });
        let status = child.wait();
        let _ = done_tx.send(());
        let forced = watchdog.join().unwrap_or(None);
        (status, forced)
    });
    // Whatever the step left running in its group ends with it.
    // SAFETY: plain syscall on a process group id we created.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
    for c in copiers.into_iter().flatten() {
        let _ = c.join();
    }
    match outcome {
        (_, Some(why)) => why,
        (Ok(status), None) => match (status.code(), status.signal()) {
            (Some(c), _) => Exit::Code(c),
            (None, Some(s)) => Exit::Signal(s),
            (None, None) => Exit::Code(-1),
        },
        (Err(e), None) => Exit::NotStarted(e.to_string()),
    }
}

/// SIGTERM to the group, then SIGKILL after `grace` unless the leader exited first.
fn stop_group(pgid: i32, grace: Duration, done: &mpsc::Receiver<()>) {
    // SAFETY: plain syscalls on a process group id we created.
    unsafe {
        libc::kill(-pgid, libc::SIGTERM);
    }
    if done.recv_timeout(grace).is_err() {
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// Copies a pipe to `path`, keeping at most `cap` bytes. The file (and its folder) is created
/// only when the first byte arrives: a quiet step leaves no files behind.
fn capture(mut pipe: impl Read + Send + 'static, path: &Path, cap: u64) -> std::thread::JoinHandle<io::Result<()>> {
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let mut file: Option<File> = None;
        let mut kept = 0u64;
        let mut dropped = 0u64;
        let mut buf = [0u8; 8192];
        loop {
            let n = pipe.read(&mut buf)?;
            if n == 0 {
                break;
            }
            let f = match &mut file {
                Some(f) => f,
                None => {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    file.insert(File::create(&path)?)
                }
            };
            let keep = (cap.saturating_sub(kept) as usize).min(n);
            f.write_all(&buf[..keep])?;
            kept += keep as u64;
            dropped += (n - keep) as u64;
        }
        if let (Some(f), true) = (&mut file, dropped > 0) {
            writeln!(f, "\n[contractc runtime: {dropped} more bytes dropped; the cap is {cap} bytes]")?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt<'a>(argv: &'a [String], dir: &Path, timeout: Option<Duration>) -> Attempt<'a> {
        Attempt {
            argv,
            working_dir: None,
            env: vec![("PATH".into(), std::env::var_os("PATH").unwrap_or_default())],
            stdout: dir.join("out"),
            stderr: dir.join("err"),
            capture_cap: 16,
            timeout,
            grace: Duration::from_millis(200),
        }
    }

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[test]
    fn exit_codes_signals_and_capped_output() {
        let dir = tempfile::tempdir().unwrap();
        let stop = AtomicBool::new(false);
        let argv = sh("printf 'aaaaaaaaaaaaaaaaaaaaaaaa'; exit 3");
        assert_eq!(run(&attempt(&argv, dir.path(), None), &stop), Exit::Code(3));
        let out = std::fs::read_to_string(dir.path().join("out")).unwrap();
        assert!(out.starts_with("aaaaaaaaaaaaaaaa\n[contractc runtime: 8 more bytes dropped"), "{out}");
        let argv = sh("kill -9 $$");
        assert_eq!(run(&attempt(&argv, dir.path(), None), &stop), Exit::Signal(9));
        let argv = vec!["/nonexistent/program".to_string()];
        assert!(matches!(run(&attempt(&argv, dir.path(), None), &stop), Exit::NotStarted(_)));
    }

    /// Whether process `pid` is gone: no such process, or a zombie nobody reaped yet.
    fn gone(pid: i32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            // The state follows the command name in parentheses: `pid (comm) S ...`.
            Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('Z')),
        }
    }

    /// The pid a script wrote to `path`.
    fn pid_in(path: &Path) -> i32 {
        std::fs::read_to_string(path).unwrap().trim().parse().unwrap()
    }

    /// Waits until `pid` is gone; SIGKILL is delivered asynchronously. Bounded, so a survivor
    /// fails the test rather than hanging it.
    fn until_gone(pid: i32) -> bool {
        (0..500).any(|_| {
            gone(pid) || {
                std::thread::sleep(Duration::from_millis(10));
                false
            }
        })
    }

    #[test]
    fn a_timeout_kills_the_whole_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let stop = AtomicBool::new(false);
        let pid = dir.path().join("grandchild");
        // A grandchild in the step's group, which would outlive a kill of the step alone.
        let script = format!("sleep 30 & echo $! > {}; wait", pid.display());
        let argv = sh(&script);
        assert_eq!(run(&attempt(&argv, dir.path(), Some(Duration::from_millis(200))), &stop), Exit::TimedOut);
        assert!(until_gone(pid_in(&pid)), "a process of the step's group outlived the timeout");
    }

    #[test]
    fn sigkill_follows_sigterm_after_the_grace_period() {
        let dir = tempfile::tempdir().unwrap();
        let stop = AtomicBool::new(false);
        let (pid, log) = (dir.path().join("pid"), dir.path().join("log"));
        // The step notes SIGTERM and carries on: only SIGKILL ends it.
        let script = format!(
            "echo $$ > {p}; trap 'echo term >> {l}' TERM; while :; do sleep 0.05; done",
            p = pid.display(),
            l = log.display()
        );
        let argv = sh(&script);
        assert_eq!(run(&attempt(&argv, dir.path(), Some(Duration::from_millis(100))), &stop), Exit::TimedOut);
        assert_eq!(std::fs::read_to_string(&log).unwrap_or_default(), "term\n", "SIGTERM came first, once");
        assert!(until_gone(pid_in(&pid)), "SIGKILL ended the step that outlived SIGTERM");
    }
}

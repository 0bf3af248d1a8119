//! One attempt of a step: a process run from an argv (no shell) in its own process group, with a
//! cleared environment (an allowlist of host variables plus declared ones), stdout and stderr
//! captured to files up to a size cap, and a per-attempt timeout. On timeout or interrupt the
//! whole process group gets SIGTERM, a grace period, then SIGKILL.
//!
//! Steps never outlive the runtime: each is started with a parent-death signal (Linux
//! `PR_SET_PDEATHSIG` = SIGKILL, so a runtime killed with SIGKILL takes its running steps with
//! it), and whatever is left of a step's group when the step exits is killed, so its pipes close.
//!
//! How a step is started, and why (issue 17, item 7: spawn and reap cost): the way
//! `posix_spawn` starts a process, `clone(CLONE_VM | CLONE_VFORK)`: the child runs on the
//! runtime's memory, on a stack of its own, until its `execve`, so no page table is copied. The
//! two things `posix_spawn` cannot do happen in the child before `execve`: its own process group
//! and the parent-death signal. (std's `Command` with a `pre_exec` closure, or a program looked
//! up in a cleared environment's `PATH`, falls back to `fork`, which copies the runtime's page
//! tables for every step.) One thread sees an attempt through: it polls the child's pidfd, its
//! stdout and stderr pipes and the timeout, so no watchdog or copier threads are started.

use std::ffi::{CString, OsStr, OsString, c_char, c_int, c_void};
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
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

/// Where an attempt's time went, on the runtime's side (`runtime --stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Phases {
    /// Preparing the argv, environment and pipes, and starting the process, until its `execve`.
    pub spawn: Duration,
    /// From the `execve` until the process exited: the step's own time.
    pub wait: Duration,
    /// Reaping it, killing what was left of its group, draining and closing its pipes.
    pub reap: Duration,
}

impl std::ops::AddAssign for Phases {
    fn add_assign(&mut self, o: Phases) {
        self.spawn += o.spawn;
        self.wait += o.wait;
        self.reap += o.reap;
    }
}

/// Runs the attempt to its end. `interrupted` is polled: when set, the attempt is stopped.
pub fn run(a: &Attempt<'_>, interrupted: &AtomicBool) -> Exit {
    run_timed(a, interrupted).0
}

/// [`run`], and where its time went.
pub fn run_timed(a: &Attempt<'_>, interrupted: &AtomicBool) -> (Exit, Phases) {
    let t0 = Instant::now();
    let mut phases = Phases::default();
    let Some(program) = a.argv.first() else {
        return (Exit::NotStarted("empty argv".into()), phases);
    };
    let child = match spawn(a) {
        Ok(c) => c,
        Err(e) => {
            phases.spawn = t0.elapsed();
            return (Exit::NotStarted(format!("`{program}`: {e}")), phases);
        }
    };
    let spawned = Instant::now();
    phases.spawn = spawned - t0;
    let (exit, exited) = see_through(a, child, interrupted);
    phases.wait = exited.saturating_duration_since(spawned);
    phases.reap = exited.elapsed();
    (exit, phases)
}

/// A started step: its pid (its process group's id too), a pidfd when the kernel has them
/// (Linux 5.3), and the read ends of its stdout and stderr.
struct Child {
    pid: libc::pid_t,
    pidfd: Option<OwnedFd>,
    stdout: OwnedFd,
    stderr: OwnedFd,
}

/// What the child reads between `clone` and `execve`, all prepared by the parent: the child
/// shares the parent's memory while another thread of the runtime may hold the allocator's lock,
/// so it allocates nothing and calls only async-signal-safe functions.
struct ChildArgs {
    /// The paths to try `execve` on, in order (the `PATH` search), null-terminated.
    programs: *const *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
    /// The working folder, or null.
    dir: *const c_char,
    /// What becomes stdin, stdout and stderr; all above 2, so no `dup2` overwrites another.
    fds: [RawFd; 3],
    /// The runtime's pid: a child whose parent is already gone exits at once.
    parent: libc::pid_t,
    /// Set by a child that could not exec: the errno, and where it failed.
    errno: AtomicI32,
    stage: AtomicI32,
}

/// Where a child that could not exec failed.
const STAGE_GROUP: i32 = 1;
const STAGE_DEATH_SIGNAL: i32 = 2;
const STAGE_STDIO: i32 = 3;
const STAGE_DIR: i32 = 4;
const STAGE_EXEC: i32 = 5;

/// Bytes of the child's stack until `execve`; it holds a few frames and a `sigaction`.
const CHILD_STACK: usize = 64 << 10;

/// Starts the attempt's process; returns once it has exec'd (or failed to).
fn spawn(a: &Attempt<'_>) -> io::Result<Child> {
    let argv: Vec<CString> = a.argv.iter().map(|s| c_string(s.as_bytes())).collect::<io::Result<_>>()?;
    let envp: Vec<CString> =
        a.env.iter().map(|(k, v)| c_string(&[k.as_bytes(), b"=", v.as_bytes()].concat())).collect::<io::Result<_>>()?;
    let path = a.env.iter().rev().find(|(k, _)| k == "PATH").map(|(_, v)| v.as_os_str());
    let programs = candidates(&a.argv[0], path)?;
    let dir = a.working_dir.map(|d| c_string(d.as_os_str().as_bytes())).transpose()?;
    let (argv_p, envp_p, programs_p) = (pointers(&argv), pointers(&envp), pointers(&programs));

    let stdin = above_stdio(File::open("/dev/null")?.into())?;
    let (stdout_r, stdout_w) = pipe()?;
    let (stderr_r, stderr_w) = pipe()?;
    let (stdout_w, stderr_w) = (above_stdio(stdout_w)?, above_stdio(stderr_w)?);
    let args = ChildArgs {
        programs: programs_p.as_ptr(),
        argv: argv_p.as_ptr(),
        envp: envp_p.as_ptr(),
        dir: dir.as_ref().map_or(std::ptr::null(), |d| d.as_ptr()),
        fds: [stdin.as_raw_fd(), stdout_w.as_raw_fd(), stderr_w.as_raw_fd()],
        // SAFETY: getpid has no preconditions.
        parent: unsafe { libc::getpid() },
        errno: AtomicI32::new(0),
        stage: AtomicI32::new(0),
    };
    let mut stack = vec![0u8; CHILD_STACK];
    // The stack grows down: the child starts at its (16-byte aligned) top.
    let top = (stack.as_mut_ptr() as usize + CHILD_STACK) & !15;
    // SAFETY: `child` touches only `args` and the stack, both alive until clone returns (the
    // parent thread is suspended until the child has exec'd or exited: CLONE_VFORK). Signals are
    // blocked around clone so no handler runs in the child before it resets them.
    let pid = unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        let pid = libc::clone(
            child,
            top as *mut c_void,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            &args as *const ChildArgs as *mut c_void,
        );
        let clone_error = io::Error::last_os_error();
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        if pid < 0 {
            return Err(clone_error);
        }
        pid
    };
    drop(stack);
    let errno = args.errno.load(Ordering::SeqCst);
    if errno != 0 {
        let mut status = 0;
        // SAFETY: reaps our own child, which has exited.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        let e = io::Error::from_raw_os_error(errno);
        return Err(match args.stage.load(Ordering::SeqCst) {
            STAGE_EXEC => e,
            STAGE_DIR => io::Error::new(e.kind(), format!("cannot enter working_dir: {e}")),
            STAGE_GROUP => io::Error::new(e.kind(), format!("cannot make its process group: {e}")),
            STAGE_DEATH_SIGNAL => io::Error::new(e.kind(), format!("cannot set its parent-death signal: {e}")),
            _ => io::Error::new(e.kind(), format!("cannot set up its stdio: {e}")),
        });
    }
    // SAFETY: a plain syscall; the pid is our unreaped child, so it names that process.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    // SAFETY: pidfd_open returned a new fd (close-on-exec), ours to own.
    let pidfd = (pidfd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(pidfd as RawFd) });
    Ok(Child { pid, pidfd, stdout: stdout_r, stderr: stderr_r })
}

/// The child, between `clone` and `execve`: own process group, parent-death signal, stdio,
/// working folder, default signal dispositions and an empty mask, then `execve`.
extern "C" fn child(arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the parent's `ChildArgs`, alive until this child execs or exits; only
    // async-signal-safe functions are called, nothing allocates.
    unsafe {
        let a = &*(arg as *const ChildArgs);
        let fail = |stage: i32| -> c_int {
            a.errno.store(*libc::__errno_location(), Ordering::SeqCst);
            a.stage.store(stage, Ordering::SeqCst);
            libc::_exit(127)
        };
        if libc::setpgid(0, 0) != 0 {
            return fail(STAGE_GROUP);
        }
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
            return fail(STAGE_DEATH_SIGNAL);
        }
        // The runtime died before the signal was set: nobody is left to deliver it.
        if libc::getppid() != a.parent {
            libc::_exit(127);
        }
        for (target, &fd) in a.fds.iter().enumerate() {
            if libc::dup2(fd, target as c_int) < 0 {
                return fail(STAGE_STDIO);
            }
        }
        if !a.dir.is_null() && libc::chdir(a.dir) != 0 {
            return fail(STAGE_DIR);
        }
        // A handler would run on the parent's memory: every caught signal goes back to its
        // default until execve, which resets them anyway; SIGPIPE, which Rust ignores, is
        // default for the step, as std's `Command` leaves it.
        let mut sa: libc::sigaction = std::mem::zeroed();
        for sig in 1..=64 {
            if libc::sigaction(sig, std::ptr::null(), &mut sa) == 0
                && (sig == libc::SIGPIPE || (sa.sa_sigaction != libc::SIG_DFL && sa.sa_sigaction != libc::SIG_IGN))
            {
                sa.sa_sigaction = libc::SIG_DFL;
                sa.sa_flags = 0;
                libc::sigaction(sig, &sa, std::ptr::null_mut());
            }
        }
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::pthread_sigmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
        // The PATH search, as execvp does it: a missing file tries the next folder; a file that
        // cannot be executed is the error unless a later folder has one that can.
        let mut denied = false;
        let mut p = a.programs;
        while !(*p).is_null() {
            libc::execve(*p, a.argv, a.envp);
            match *libc::__errno_location() {
                libc::EACCES => denied = true,
                libc::ENOENT | libc::ENOTDIR | libc::ESTALE | libc::ENODEV | libc::ETIMEDOUT => {}
                _ => return fail(STAGE_EXEC),
            }
            p = p.add(1);
        }
        if denied {
            *libc::__errno_location() = libc::EACCES;
        }
        fail(STAGE_EXEC)
    }
}

/// The paths `execve` tries for `program`: itself when it names a path (relative to the working
/// folder), else each folder of `path` (the step's `PATH`, else `/bin:/usr/bin` as execvp).
fn candidates(program: &str, path: Option<&OsStr>) -> io::Result<Vec<CString>> {
    if program.contains('/') {
        return Ok(vec![c_string(program.as_bytes())?]);
    }
    if program.is_empty() {
        return Err(io::Error::from_raw_os_error(libc::ENOENT));
    }
    let path = path.map_or(&b"/bin:/usr/bin"[..], |p| p.as_bytes());
    path.split(|&b| b == b':')
        .map(|dir| match dir {
            b"" => c_string(program.as_bytes()),
            d if d.ends_with(b"/") => c_string(&[d, program.as_bytes()].concat()),
            d => c_string(&[d, b"/", program.as_bytes()].concat()),
        })
        .collect()
}

fn c_string(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte in an argument"))
}

/// The null-terminated pointer array of `strings` (which must outlive it).
fn pointers(strings: &[CString]) -> Vec<*const c_char> {
    strings.iter().map(|s| s.as_ptr()).chain(std::iter::once(std::ptr::null())).collect()
}

/// A close-on-exec pipe: (read end, write end).
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as c_int; 2];
    // SAFETY: pipe2 writes two fds into the array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both fds are new and ours.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// `fd` itself, or a close-on-exec duplicate above 2 when it is one of 0, 1, 2 (a runtime
/// started with a closed stdio), so the child's `dup2`s cannot overwrite one another.
fn above_stdio(fd: OwnedFd) -> io::Result<OwnedFd> {
    if fd.as_raw_fd() > 2 {
        return Ok(fd);
    }
    // SAFETY: fcntl duplicates an fd we own into a new one.
    let dup = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
    if dup < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the duplicate is new and ours.
    Ok(unsafe { OwnedFd::from_raw_fd(dup) })
}

/// Sees a started attempt to its end: captures its output, stops it on timeout or interrupt,
/// reaps it and kills what is left of its group. Returns how it ended and when it exited.
fn see_through(a: &Attempt<'_>, child: Child, interrupted: &AtomicBool) -> (Exit, Instant) {
    let start = Instant::now();
    let pgid = child.pid;
    let mut sinks = [Sink::new(&a.stdout, a.capture_cap), Sink::new(&a.stderr, a.capture_cap)];
    let mut pipes = [Some(child.stdout), Some(child.stderr)];
    // Once reaped: its wait status (`None`: the wait itself failed).
    let mut status: Option<Option<c_int>> = None;
    let mut exited = start;
    // Why the attempt was stopped, and when SIGKILL follows the SIGTERM.
    let mut forced: Option<Exit> = None;
    let mut kill_at: Option<Instant> = None;
    let mut buf = vec![0u8; 64 << 10];
    while status.is_none() || pipes.iter().any(Option::is_some) {
        let mut fds: Vec<libc::pollfd> = Vec::with_capacity(3);
        for p in pipes.iter().flatten() {
            fds.push(libc::pollfd { fd: p.as_raw_fd(), events: libc::POLLIN, revents: 0 });
        }
        let watch_exit = status.is_none() && child.pidfd.is_some();
        if let (true, Some(pidfd)) = (watch_exit, &child.pidfd) {
            fds.push(libc::pollfd { fd: pidfd.as_raw_fd(), events: libc::POLLIN, revents: 0 });
        }
        // Interrupts are polled every 50 ms; without a pidfd, the exit every 10 ms.
        let timeout = if status.is_some() {
            -1
        } else {
            let tick = if child.pidfd.is_some() { 50 } else { 10 };
            let now = Instant::now();
            let next = [
                a.timeout.filter(|_| forced.is_none()).map(|t| (start + t).saturating_duration_since(now)),
                kill_at.map(|k| k.saturating_duration_since(now)),
            ];
            let wait = next.into_iter().flatten().fold(Duration::from_millis(tick), Duration::min);
            // Rounded up, so a deadline is not polled for repeatedly just before it.
            wait.as_nanos().div_ceil(1_000_000) as c_int
        };
        // SAFETY: `fds` holds valid pollfd entries for fds we own.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        if ready < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            break;
        }
        let mut k = 0;
        for (pipe, sink) in pipes.iter_mut().zip(sinks.iter_mut()) {
            let Some(fd) = pipe else { continue };
            let revents = fds[k].revents;
            k += 1;
            if revents == 0 {
                continue;
            }
            // SAFETY: reads into our buffer from an fd we own.
            let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            match n {
                0 => *pipe = None,
                n if n > 0 => sink.write(&buf[..n as usize]),
                _ if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
                _ => *pipe = None,
            }
        }
        let leader_exited = match watch_exit {
            true => fds[k].revents != 0,
            // Without a pidfd: ask without blocking.
            false => {
                status.is_none() && {
                    let mut st = 0;
                    // SAFETY: waits on our own child without blocking.
                    let r = unsafe { libc::waitpid(child.pid, &mut st, libc::WNOHANG) };
                    match r {
                        0 => false,
                        r if r == child.pid => {
                            status = Some(Some(st));
                            true
                        }
                        _ if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => false,
                        _ => {
                            status = Some(None);
                            true
                        }
                    }
                }
            }
        };
        if leader_exited {
            exited = Instant::now();
            // Whatever the step left running in its group ends with it. The leader is not
            // reaped yet, so its group's id cannot have been reused.
            // SAFETY: plain syscalls on the process group we created and our own child.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
                while status.is_none() {
                    let mut st = 0;
                    if libc::waitpid(child.pid, &mut st, 0) == child.pid {
                        status = Some(Some(st));
                    } else if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                        status = Some(None);
                    }
                }
            }
            continue;
        }
        if status.is_some() {
            continue;
        }
        let now = Instant::now();
        if forced.is_none() {
            let why = if interrupted.load(Ordering::SeqCst) {
                Some(Exit::Interrupted)
            } else if a.timeout.is_some_and(|t| now >= start + t) {
                Some(Exit::TimedOut)
            } else {
                None
            };
            if let Some(why) = why {
                forced = Some(why);
                kill_at = Some(now + a.grace);
                // SAFETY: plain syscall on the process group we created.
                unsafe { libc::kill(-pgid, libc::SIGTERM) };
            }
        } else if kill_at.is_some_and(|k| now >= k) {
            kill_at = None;
            // SAFETY: plain syscall on the process group we created.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
    }
    if status.is_none() {
        // poll itself failed: the attempt is stopped rather than left running unseen.
        // SAFETY: plain syscalls on the process group we created and our own child.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
            let mut st = 0;
            status = Some((libc::waitpid(child.pid, &mut st, 0) == child.pid).then_some(st));
        }
    }
    for s in &mut sinks {
        s.finish();
    }
    let exit = match (forced, status) {
        (Some(why), _) => why,
        (None, Some(Some(st))) if libc::WIFEXITED(st) => Exit::Code(libc::WEXITSTATUS(st)),
        (None, Some(Some(st))) if libc::WIFSIGNALED(st) => Exit::Signal(libc::WTERMSIG(st)),
        (None, _) => Exit::Code(-1),
    };
    (exit, exited)
}

/// Where one of stdout and stderr goes: at most `cap` bytes kept. The file (and its folder) is
/// created only when the first byte arrives: a quiet step leaves no files behind. A write that
/// fails drops the rest (the step is not held up by its logs).
struct Sink<'a> {
    path: &'a Path,
    cap: u64,
    file: Option<File>,
    broken: bool,
    kept: u64,
    dropped: u64,
}

impl<'a> Sink<'a> {
    fn new(path: &'a Path, cap: u64) -> Sink<'a> {
        Sink { path, cap, file: None, broken: false, kept: 0, dropped: 0 }
    }

    fn write(&mut self, bytes: &[u8]) {
        let keep = (self.cap.saturating_sub(self.kept) as usize).min(bytes.len());
        self.kept += keep as u64;
        self.dropped += (bytes.len() - keep) as u64;
        if keep == 0 || self.broken {
            return;
        }
        if self.file.is_none() {
            let created =
                self.path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| File::create(self.path));
            match created {
                Ok(f) => self.file = Some(f),
                Err(_) => self.broken = true,
            }
        }
        if let Some(f) = &mut self.file
            && f.write_all(&bytes[..keep]).is_err()
        {
            self.broken = true;
        }
    }

    fn finish(&mut self) {
        if let (Some(f), true) = (&mut self.file, self.dropped > 0) {
            let _ = writeln!(
                f,
                "\n[contractc runtime: {} more bytes dropped; the cap is {} bytes]",
                self.dropped, self.cap
            );
        }
    }
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
    fn the_program_is_found_on_the_steps_path_and_runs_where_it_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let stop = AtomicBool::new(false);
        let argv = vec!["pwd".to_string()];
        let mut a = attempt(&argv, dir.path(), None);
        a.capture_cap = 4096;
        a.working_dir = Some(dir.path());
        assert_eq!(run(&a, &stop), Exit::Code(0));
        let out = std::fs::read_to_string(dir.path().join("out")).unwrap();
        assert_eq!(Path::new(out.trim()).canonicalize().unwrap(), dir.path().canonicalize().unwrap());
        assert!(!dir.path().join("err").exists(), "a quiet stderr leaves no file");
        // Nowhere on PATH, or a folder that is not there: the attempt does not start, and says why.
        let argv = vec!["no-such-program-here".to_string()];
        let not_found = run(&attempt(&argv, dir.path(), None), &stop);
        assert!(matches!(&not_found, Exit::NotStarted(e) if e.contains("No such file")), "{not_found:?}");
        let argv = vec!["pwd".to_string()];
        let missing = dir.path().join("missing");
        let mut a = attempt(&argv, dir.path(), None);
        a.working_dir = Some(&missing);
        let gone = run(&a, &stop);
        assert!(matches!(&gone, Exit::NotStarted(e) if e.contains("working_dir")), "{gone:?}");
    }

    #[test]
    fn the_step_gets_only_its_environment_its_own_group_and_default_signals() {
        let dir = tempfile::tempdir().unwrap();
        let stop = AtomicBool::new(false);
        let argv = vec!["env".to_string()];
        let mut a = attempt(&argv, dir.path(), None);
        a.capture_cap = 4096;
        a.env.push(("CTC_STEP".into(), "s".into()));
        assert_eq!(run(&a, &stop), Exit::Code(0));
        let env = std::fs::read_to_string(dir.path().join("out")).unwrap();
        let names: Vec<&str> = env.lines().filter_map(|l| l.split_once('=')).map(|(k, _)| k).collect();
        assert_eq!(names, ["PATH", "CTC_STEP"], "{env}");
        // Its own process group (pid and pgrp, fields 1 and 5 of /proc/self/stat, are equal), no
        // signal blocked, SIGPIPE not ignored (the runtime ignores it, as every Rust program
        // does). The step reads its own /proc entry: a shell would show its own masks.
        let out = |argv: &[&str]| {
            let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
            let mut a = attempt(&argv, dir.path(), None);
            a.capture_cap = 4096;
            assert_eq!(run(&a, &stop), Exit::Code(0));
            std::fs::read_to_string(dir.path().join("out")).unwrap()
        };
        let stat = out(&["cut", "-d", " ", "-f1,5", "/proc/self/stat"]);
        let (pid, pgrp) = stat.trim().split_once(' ').unwrap();
        assert_eq!(pid, pgrp, "the step leads its own process group");
        let status = out(&["grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"]);
        let mask = |name: &str| {
            let line = status.lines().find(|l| l.starts_with(name)).unwrap();
            u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
        };
        assert_eq!(mask("SigBlk"), 0, "{status}");
        assert_eq!(mask("SigIgn") & (1 << (libc::SIGPIPE - 1)), 0, "{status}");
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

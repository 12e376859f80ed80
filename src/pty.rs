//! Starting the child of `vault run`: its stdio wiring (a PTY, pipes, or a
//! mix), its session, vault's terminal mode while it runs, signal
//! forwarding, and its exit status. The bytes themselves are moved by
//! `crate::relay`.
//!
//! # Wiring
//!
//! In [`Mode::Auto`] the child gets the same `isatty` answers vault has:
//! each of vault's fds 0–2 that is a terminal becomes the slave of one PTY
//! that vault opens (all terminal fds share it), each that is not becomes a
//! pipe. The child always starts a new session (`setsid`); when there is a
//! PTY it also makes the slave its controlling terminal (`TIOCSCTTY`), so its
//! `/dev/tty` is vault's PTY and everything it writes there passes through
//! the filter. The child never gets vault's own terminal: its fds 0–2 are
//! only our slave or our pipes, every fd vault opens is close-on-exec, and
//! any terminal fd ≥ 3 that vault inherited from a careless parent is marked
//! close-on-exec in the child before exec (other inherited fds, such as a
//! make jobserver pipe, pass through as they would without vault).
//! [`Mode::Pty`] puts all three fds on the PTY even when vault's are pipes (one
//! merged stream, handy for agents); [`Mode::Pipes`] uses three pipes.
//!
//! The PTY's merged output goes to vault's stdout when the child's stdout is
//! on it, else to vault's stderr, else (only stdin is a terminal) back to
//! that terminal, where echo and `/dev/tty` prompts belong. Each pipe's
//! output goes to the matching vault fd. Every stream has its own filter. When vault's
//! stdout and stderr are the same open file (`2>&1 | reader`), the child's are one pipe
//! too, with one filter, so the reader sees what it would without vault and a value split
//! across the two is still one stream to redact.
//! A child that reads `/dev/tty` while vault's stdin is not a terminal gets
//! no input (nothing feeds the PTY); ^C still reaches it through vault.
//!
//! The PTY starts with the termios and window size of vault's (first)
//! terminal, so the child sees the user's settings. When the PTY's output
//! goes somewhere that is not a terminal, `OPOST` is cleared (plain `\n`, not
//! `\r\n`); when its input is not a terminal (`--pty` with piped stdin),
//! `ECHO` is cleared, since echoing piped data would duplicate it into the
//! output, and so are signal characters, flow control, CR translation and
//! line editing: piped bytes reach the child as they were, except that a
//! line longer than 4095 bytes is cut by canonical mode and a ^D byte at the
//! start of a line reads as end of input. With no terminal at all the PTY gets the kernel defaults and 24×80.
//!
//! # vault's terminal
//!
//! When vault's stdin is a terminal wired to the PTY, vault puts it in raw mode
//! for the run (keys, ^C and ^D included, reach the PTY as bytes; the PTY's
//! line discipline turns them into signals/EOF for the child) and restores it
//! on every path: normal and error returns (a guard's `Drop`), signals (vault
//! catches and forwards them, so it returns normally), and panics: a panic
//! hook restores the saved termios before the previous hook prints, because
//! with `panic = "abort"` no `Drop` runs.
//!
//! ^Z typed into the PTY does not stop a plain child (`vault run -- sleep 9`):
//! as a session leader whose parent is in another session, its process group
//! is orphaned, and the kernel discards terminal stop signals for orphaned
//! groups (the same holds under `script` or ssh). A shell run inside vault
//! does job control for its own jobs as usual.
//!
//! # Signals
//!
//! Signal handling is process-wide and set up once: a `signal-hook` iterator
//! thread receives SIGINT, SIGTERM, SIGHUP and SIGQUIT and sends them to the
//! child's process group (the child is a session leader, so pgid = pid).
//! Forwarding runs on that thread, not in the relay loop, because the loop
//! can block writing to vault's stdout and a ^C must still get through. A
//! signal that arrives before the child exists is held and delivered right
//! after spawn; one that arrives when no run is in progress gets the default
//! action (signal-hook cannot reinstall `SIG_DFL`, so it is emulated). A
//! signal that was ignored when vault started (`nohup`, background jobs of a
//! script) is not caught at all, so it stays ignored for the child too.
//! SIGCHLD and SIGWINCH only wake the relay loop through a self-pipe; the
//! loop reaps the child and copies the window size. SIGPIPE is caught (a
//! no-op) so that a closed stdout is an `EPIPE`, never vault's silent death;
//! the child still gets the default SIGPIPE action, because std resets it
//! before exec and exec resets caught signals.
//!
//! The pid is reaped while holding the same lock the forwarder takes, so a
//! signal is never sent to a pid that was reaped and possibly reused.

use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, Once, OnceLock, TryLockError};

use rustix::fs::{Mode as FileMode, OFlags};
use rustix::io::Errno;
use rustix::process::{Pid, Signal, WaitOptions};
use rustix::termios::{
    self, InputModes, LocalModes, OptionalActions, OutputModes, SpecialCodeIndex, Termios, Winsize,
};
use signal_hook::consts::signal::{SIGCHLD, SIGHUP, SIGINT, SIGPIPE, SIGQUIT, SIGTERM, SIGWINCH};
use signal_hook::iterator::Signals;
use zeroize::Zeroize;

use crate::relay::{self, Filter, Input, InputTarget, Output, Sink, Supervisor};

mod image;

/// How the child's fds 0–2 are wired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Mirror vault: terminal fds go on one PTY, the others become pipes.
    #[default]
    Auto,
    /// `--pty`: all three fds on one PTY (one merged output stream).
    Pty,
    /// `--no-pty`: three pipes, no controlling terminal.
    Pipes,
}

/// What to run.
pub struct Spawn<'a> {
    /// Already resolved `argv[0]` (may contain a secret after substitution!).
    pub program: OsString,
    /// Already substituted (may contain secrets).
    pub args: Vec<OsString>,
    /// `argv[0]` as the user typed it before substitution: the only thing
    /// error messages may show.
    pub display: String,
    /// The child's environment (the inherited one is cleared): `env`, then `secrets`.
    pub env: Vec<(OsString, OsString)>,
    /// The injected secrets, borrowed from the decrypted store (no copy to wipe); no name
    /// is also in `env`.
    pub secrets: Vec<(&'a OsStr, &'a OsStr)>,
    pub cwd: PathBuf,
    pub mode: Mode,
    /// Run in the child after fork, last before exec (e.g. `net::namespace`); must be
    /// async-signal-safe: no allocation, no lock.
    pub pre_exec: Option<PreExec>,
}

/// A step run in the forked child just before exec.
pub type PreExec = Box<dyn Fn() -> io::Result<()> + Send + Sync>;

/// How the child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildExit {
    /// Exited with this status.
    Code(i32),
    /// Killed by this signal.
    Signal(i32),
}

impl ChildExit {
    /// The shell convention: the code itself, or 128 + the signal number.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        match *self {
            ChildExit::Code(n) => n,
            ChildExit::Signal(n) => 128 + n,
        }
    }
}

/// Why [`run`] failed. Messages show only [`Spawn::display`], never the
/// (substituted, possibly secret) program or arguments.
#[derive(thiserror::Error, Debug)]
pub enum RunError {
    #[error("{program}: command not found")]
    NotFound { program: String },
    #[error("{program}: cannot execute: permission denied, not an executable, or a directory")]
    NotExecutable { program: String },
    #[error("{program}: cannot start: {source}")]
    Spawn {
        program: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot set up the pseudo-terminal: {0}")]
    Pty(#[source] io::Error),
    #[error("error relaying the command's input/output: {0}")]
    Io(#[source] io::Error),
}

impl RunError {
    /// The shell convention: 127 not found, 126 not executable, else 1.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::NotFound { .. } => 127,
            RunError::NotExecutable { .. } => 126,
            _ => 1,
        }
    }
}

/// The default window size of a PTY when vault has no terminal to copy.
const DEFAULT_WINSIZE: Winsize = Winsize {
    ws_row: 24,
    ws_col: 80,
    ws_xpixel: 0,
    ws_ypixel: 0,
};

/// Requested size of the child's stdio pipes, and of a pipe on `vault redact`'s stdin or
/// stdout (Linux).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) const PIPE_SIZE: usize = 1 << 20;

/// Runs are serialized: the signal state and the saved termios are global.
static RUN_LOCK: Mutex<()> = Mutex::new(());

/// Run `spawn` to completion, relaying its output through filters from
/// `make_filter` (called once per output stream), and return how it ended.
///
/// Returns once the child has exited and its output is drained (a
/// background grandchild holding the output open delays this by at most
/// [`relay::DRAIN_CAP`]).
///
/// # Errors
///
/// [`RunError::NotFound`] / [`RunError::NotExecutable`] when exec fails that
/// way, [`RunError::Spawn`] for other spawn failures (including a bad
/// working directory), [`RunError::Pty`] when the PTY or raw mode cannot be
/// set up, [`RunError::Io`] when relaying fails or output could not be
/// written (e.g. `ENOSPC`); the child has exited by then.
pub fn run(
    mut spawn: Spawn<'_>,
    make_filter: &mut dyn FnMut() -> Box<dyn Filter>,
) -> Result<ChildExit, RunError> {
    let _serial = lock(&RUN_LOCK);
    // We write to fd 1 directly from now on; whatever vault printed through
    // std's buffered stdout must come first.
    let _ = io::stdout().flush();
    let signals = SignalState::get().map_err(RunError::Io)?;
    signals.begin();
    let result = run_inner(&mut spawn, make_filter, signals);
    wipe(&mut spawn);
    // The terminal is restored by now (run_inner's guard); a signal that
    // arrived before the child existed and never reached it is acted on now.
    signals.end();
    result
}

fn run_inner(
    spawn: &mut Spawn<'_>,
    make_filter: &mut dyn FnMut() -> Box<dyn Filter>,
    signals: &'static SignalState,
) -> Result<ChildExit, RunError> {
    let (stdin, stdout, stderr) = (
        rustix::stdio::stdin(),
        rustix::stdio::stdout(),
        rustix::stdio::stderr(),
    );
    let tty = [
        termios::isatty(stdin),
        termios::isatty(stdout),
        termios::isatty(stderr),
    ];
    let on_pty = match spawn.mode {
        Mode::Auto => tty,
        Mode::Pty => [true; 3],
        Mode::Pipes => [false; 3],
    };
    // The first of vault's terminals: source of the PTY's termios and size.
    let term_src = [stdin, stdout, stderr]
        .into_iter()
        .zip(tty)
        .find_map(|(fd, t)| t.then_some(fd));

    // Where the PTY's merged output goes: stdout if the child's stdout is on
    // it (always so in Mode::Pty), else stderr, else (only stdin is a
    // terminal) that terminal itself, where echo and /dev/tty output belong.
    let pty_dest = if spawn.mode == Mode::Pty || on_pty[1] {
        PtyDest::Stdout
    } else if on_pty[2] {
        PtyDest::Stderr
    } else {
        PtyDest::StdinTerminal
    };
    let dest_is_tty = match pty_dest {
        PtyDest::Stdout => tty[1],
        PtyDest::Stderr => tty[2],
        PtyDest::StdinTerminal => true,
    };

    let pty = if on_pty.contains(&true) {
        Some(Pty::open(term_src, dest_is_tty, on_pty[0] && !tty[0]).map_err(RunError::Pty)?)
    } else {
        None
    };
    // Raw mode only when the user types into the PTY through vault.
    let _raw_guard = if on_pty[0] && tty[0] {
        Some(RawMode::enter().map_err(RunError::Pty)?)
    } else {
        None
    };

    // std's Command gets only the program (for its checks) and the cwd: argv and the
    // environment go into one wiped buffer that our pre-exec step execs itself.
    let image = image::Image::new(
        std::iter::once(spawn.program.as_os_str())
            .chain(spawn.args.iter().map(OsString::as_os_str)),
        spawn
            .env
            .iter()
            .map(|(k, v)| (k.as_os_str(), v.as_os_str()))
            .chain(spawn.secrets.iter().copied()),
    )
    .map_err(|e| classify_spawn_error(e, &spawn.display, &spawn.cwd))?;
    let mut cmd = Command::new(&spawn.program);
    cmd.current_dir(&spawn.cwd);
    let merged = merged_output_pipe(on_pty)?;
    let child_fd = |i: usize| -> Result<Stdio, RunError> {
        match (&pty, &merged) {
            (Some(p), _) if on_pty[i] => {
                Ok(Stdio::from(p.slave.try_clone().map_err(RunError::Pty)?))
            }
            (_, Some((_, w))) if i > 0 => Ok(Stdio::from(w.try_clone().map_err(RunError::Io)?)),
            _ => Ok(Stdio::piped()),
        }
    };
    cmd.stdin(child_fd(0)?)
        .stdout(child_fd(1)?)
        .stderr(child_fd(2)?);
    let ctty = match &pty {
        Some(p) => Some(p.slave.try_clone().map_err(RunError::Pty)?),
        None => None,
    };
    new_session_on_exec(&mut cmd, ctty, spawn.pre_exec.take(), image);
    let spawned = cmd.spawn();
    // Our copies of the slave must close now: the master reports EOF (EIO)
    // only once no one holds the slave. The same goes for a merged pipe's write end.
    drop(cmd);
    let merged = merged.map(|(r, _w)| r);
    let (master, veof) = match pty {
        Some(p) => (Some(p.master), p.veof),
        None => (None, 0),
    };
    // Done with the secrets (on error paths before this, `run` wipes).
    wipe(spawn);
    let mut child = spawned.map_err(|e| classify_spawn_error(e, &spawn.display, &spawn.cwd))?;
    let Some(pid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) else {
        return Err(RunError::Io(io::Error::other("child has no valid pid")));
    };
    signals.started(pid);

    let mut sup = Supervise {
        pid,
        reaped: false,
        signals,
        term_src,
    };
    let wiring = wire(
        &mut child,
        master,
        merged,
        veof,
        pty_dest,
        on_pty,
        make_filter,
    );
    drop(child);
    let (outputs, input) = match wiring {
        Ok(w) => w,
        Err(e) => {
            sup.kill_and_reap();
            return Err(RunError::Io(e));
        }
    };

    let outcome = relay::relay(outputs, input, signals.wake_r.as_fd(), &mut sup);
    match outcome {
        Ok(relay::Outcome {
            write_error: Some(e),
            ..
        }) => Err(RunError::Io(e)),
        Ok(relay::Outcome { exit, .. }) => Ok(exit),
        Err(e) => {
            sup.kill_and_reap();
            Err(RunError::Io(e))
        }
    }
}

#[derive(Clone, Copy)]
enum PtyDest {
    Stdout,
    Stderr,
    StdinTerminal,
}

/// Build the relay's streams from what the spawn produced.
fn wire(
    child: &mut Child,
    master: Option<OwnedFd>,
    merged: Option<OwnedFd>,
    veof: u8,
    pty_dest: PtyDest,
    on_pty: [bool; 3],
    make_filter: &mut dyn FnMut() -> Box<dyn Filter>,
) -> io::Result<(Vec<Output>, Option<Input>)> {
    let stdin = rustix::stdio::stdin();
    let mut outputs = Vec::with_capacity(2);
    let mut input = None;
    if let Some(master) = master {
        let sink = match pty_dest {
            PtyDest::Stdout => Sink::Borrowed(rustix::stdio::stdout()),
            PtyDest::Stderr => Sink::Borrowed(rustix::stdio::stderr()),
            PtyDest::StdinTerminal => stdin_terminal_sink(),
        };
        if on_pty[0] {
            // A terminal stdin is forwarded raw (its ^D is a byte); only a
            // non-terminal stdin's EOF is turned into the PTY's VEOF.
            let veof = (!termios::isatty(stdin)).then_some(veof);
            input = Some(Input {
                source: stdin,
                target: InputTarget::Pty {
                    output: outputs.len(),
                    veof,
                },
            });
        }
        outputs.push(Output {
            source: master,
            sink,
            filter: make_filter(),
            is_pty: true,
        });
    }
    if let Some(out) = merged {
        outputs.push(Output {
            source: pipe_end(out)?,
            sink: Sink::Borrowed(rustix::stdio::stdout()),
            filter: make_filter(),
            is_pty: false,
        });
    }
    if let Some(out) = child.stdout.take() {
        outputs.push(Output {
            source: pipe_end(out.into())?,
            sink: Sink::Borrowed(rustix::stdio::stdout()),
            filter: make_filter(),
            is_pty: false,
        });
    }
    if let Some(err) = child.stderr.take() {
        outputs.push(Output {
            source: pipe_end(err.into())?,
            sink: Sink::Borrowed(rustix::stdio::stderr()),
            filter: make_filter(),
            is_pty: false,
        });
    }
    if let Some(inp) = child.stdin.take() {
        input = Some(Input {
            source: stdin,
            target: InputTarget::Pipe(pipe_end(inp.into())?),
        });
    }
    Ok((outputs, input))
}

/// Parity for `vault run -- cmd 2>&1 | reader`: when vault's stdout and stderr are the same
/// open file (same device and inode: for a pipe, the same pipe) and neither is on the PTY,
/// the child's stdout and stderr are one pipe too, read as one stream through one redactor
/// (a value written half to each must not reach the reader contiguous and unredacted). Its
/// output goes to vault's stdout, which is that file. Returns `(read end, write end)`.
fn merged_output_pipe(on_pty: [bool; 3]) -> Result<Option<(OwnedFd, OwnedFd)>, RunError> {
    if on_pty[1] || on_pty[2] {
        return Ok(None);
    }
    let (Ok(a), Ok(b)) = (
        rustix::fs::fstat(rustix::stdio::stdout()),
        rustix::fs::fstat(rustix::stdio::stderr()),
    ) else {
        return Ok(None);
    };
    if (a.st_dev, a.st_ino) != (b.st_dev, b.st_ino) {
        return Ok(None);
    }
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
        .map(Some)
        .map_err(|e| RunError::Io(e.into()))
}

/// Our end of a child pipe, made non-blocking (only our open file description
/// changes: the child's end of a pipe is a separate one).
fn pipe_end(fd: OwnedFd) -> io::Result<OwnedFd> {
    rustix::io::ioctl_fionbio(&fd, true)?;
    // A bigger pipe means fewer wake-ups of vault and the child per byte:
    // `vault run -- cat BIG` went from ~80% to ~100% of `cat BIG | cat`.
    // Best effort: the unprivileged limit is /proc/sys/fs/pipe-max-size
    // (1 MiB by default); elsewhere the default size stays.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let _ = rustix::pipe::fcntl_setpipe_size(&fd, PIPE_SIZE);
    Ok(fd)
}

/// Where the PTY output goes when only vault's stdin is a terminal: that
/// terminal, reopened for writing (fd 0 may be read-only); fd 0 itself if
/// it cannot be reopened.
fn stdin_terminal_sink() -> Sink {
    let stdin = rustix::stdio::stdin();
    if let Ok(name) = termios::ttyname(stdin, Vec::new())
        && let Ok(fd) = rustix::fs::open(
            name.as_c_str(),
            OFlags::WRONLY | OFlags::NOCTTY | OFlags::CLOEXEC,
            FileMode::empty(),
        )
    {
        return Sink::Owned(fd);
    }
    Sink::Borrowed(stdin)
}

/// Make the child a session leader and, with a PTY, give it the slave as its
/// controlling terminal. std has already dup2'ed fds 0–2, reset the signal
/// mask and SIGPIPE when this runs.
///
/// Also marks close-on-exec every other fd of vault's that is a terminal:
/// vault's own fds are all `CLOEXEC`, but a careless parent may have leaked
/// its terminal to vault on some fd ≥ 3, and the child must never get
/// vault's real terminal. Other inherited fds (a jobserver pipe, `3<file`)
/// pass through as they would without vault.
#[allow(unsafe_code)]
fn new_session_on_exec(
    cmd: &mut Command,
    ctty: Option<OwnedFd>,
    hook: Option<PreExec>,
    image: image::Image,
) {
    // Listed in the parent: reading a directory allocates, which the child
    // must not do. The child re-checks each fd itself.
    let inherited: Vec<i32> = std::fs::read_dir("/dev/fd")
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .filter(|&fd: &i32| fd > 2)
                .collect()
        })
        .unwrap_or_default();
    let core_limit = crate::harden::original_core_limit();
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let parent = rustix::process::getpid();
    let in_child = move || -> io::Result<()> {
        // If vault dies (even by SIGKILL), the child is killed: it does not run on with its
        // secrets on pipes nobody reads. SIGKILL, not SIGHUP: under `nohup` (or any parent
        // that ignores SIGHUP) the child inherits SIGHUP ignored and would outlive vault.
        // vault itself forwards INT/TERM/HUP/QUIT, so this fires only when vault could not.
        // Checked after setting, in case vault died in between.
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))?;
            if rustix::process::getppid() != Some(parent) {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
        }
        rustix::process::setsid()?;
        // vault lowered its own core limit (harden.rs); the child gets the user's back.
        if let Some(limit) = &core_limit {
            let _ = rustix::process::setrlimit(rustix::process::Resource::Core, *limit);
        }
        if let Some(fd) = &ctty {
            rustix::process::ioctl_tiocsctty(fd)?;
        }
        for &raw in &inherited {
            // SAFETY: the forked child is single-threaded, so nothing closes
            // or reuses `raw` while it is borrowed here; if it was closed
            // since it was listed, the calls merely fail with EBADF.
            let fd = unsafe { BorrowedFd::borrow_raw(raw) };
            if termios::isatty(fd) {
                let _ = rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::CLOEXEC);
            }
        }
        // Last: a hook may change namespaces, after which the steps above could not run.
        if let Some(hook) = &hook {
            hook()?;
        }
        // What std would do next (set `environ`, `execvp`), with our own argv and env.
        Err(image.exec())
    };
    // SAFETY: `in_child` runs in the forked child before exec, where only
    // async-signal-safe operations are allowed. It calls prctl(PR_SET_PDEATHSIG),
    // getppid, setsid, setrlimit,
    // ioctl(TIOCSCTTY), ioctl(TCGETS) and fcntl(F_SETFD) (rustix: direct
    // syscalls), then execvp (`Image::exec`), and converts an errno into io::Error (no
    // allocation); `ctty`, `core_limit`, `inherited` and `image` were moved in beforehand: nothing is allocated,
    // locked or dropped in the child. `hook` is async-signal-safe by the contract of
    // [`PreExec`].
    unsafe {
        cmd.pre_exec(in_child);
    }
}

fn classify_spawn_error(e: io::Error, display: &str, cwd: &Path) -> RunError {
    let program = display.to_owned();
    let errno = e.raw_os_error().map(Errno::from_raw_os_error);
    // std reports a failed chdir with the same errno as a failed exec.
    if matches!(errno, Some(Errno::NOENT | Errno::ACCESS | Errno::NOTDIR))
        && !(cwd.is_dir() && rustix::fs::access(cwd, rustix::fs::Access::EXEC_OK).is_ok())
    {
        return RunError::Spawn {
            program,
            source: io::Error::new(
                e.kind(),
                format!("working directory {}: {e}", cwd.display()),
            ),
        };
    }
    match errno {
        Some(Errno::NOENT | Errno::NOTDIR) => RunError::NotFound { program },
        Some(Errno::ACCESS | Errno::NOEXEC | Errno::ISDIR) => RunError::NotExecutable { program },
        _ => RunError::Spawn { program, source: e },
    }
}

/// Best effort: overwrite our copies of the substituted argv and env (the exec image,
/// which holds the child's copy, wipes itself when the `Command` drops; std's `Command`
/// holds only the program name, unwiped).
fn wipe(spawn: &mut Spawn<'_>) {
    fn wipe_os(s: &mut OsString) {
        let mut bytes = std::mem::take(s).into_vec();
        bytes.zeroize();
    }
    wipe_os(&mut spawn.program);
    spawn.args.iter_mut().for_each(wipe_os);
    for (k, v) in &mut spawn.env {
        wipe_os(k);
        wipe_os(v);
    }
}

struct Pty {
    master: OwnedFd,
    slave: OwnedFd,
    veof: u8,
}

impl Pty {
    /// Open a PTY set up from vault's terminal `term_src` (if any).
    fn open(
        term_src: Option<BorrowedFd<'static>>,
        dest_is_tty: bool,
        input_not_tty: bool,
    ) -> io::Result<Pty> {
        use rustix::pty::OpenptFlags;
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let master =
            rustix::pty::openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let master = {
            let m = rustix::pty::openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY)?;
            rustix::io::fcntl_setfd(&m, rustix::io::FdFlags::CLOEXEC)?;
            m
        };
        rustix::pty::grantpt(&master)?;
        rustix::pty::unlockpt(&master)?;
        let name = rustix::pty::ptsname(&master, Vec::new())?;
        let slave = rustix::fs::open(
            name.as_c_str(),
            OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
            FileMode::empty(),
        )?;
        // Approvals are never asked through a terminal vault made (approval/nested.rs).
        crate::approval::nested::register_pty(&slave);

        let mut t = match term_src {
            Some(fd) => termios::tcgetattr(fd)?,
            None => termios::tcgetattr(&slave)?,
        };
        if !dest_is_tty {
            t.output_modes.remove(OutputModes::OPOST);
        }
        if input_not_tty {
            t.local_modes.remove(
                LocalModes::ECHO | LocalModes::ECHOE | LocalModes::ECHOK | LocalModes::ECHONL,
            );
            // Piped data is data, not keystrokes: no signals from ^C/^\/^Z bytes (vault
            // still forwards the signals it receives), no ^S/^Q flow control that could
            // freeze the child, CR kept as CR, and no line-editing characters. Only the
            // EOF character keeps its meaning (vault sends it at the end of stdin), and
            // canonical mode's 4095-byte line limit stays: both are documented.
            t.local_modes.remove(LocalModes::ISIG | LocalModes::IEXTEN);
            t.input_modes.remove(
                InputModes::IXON
                    | InputModes::IXOFF
                    | InputModes::ICRNL
                    | InputModes::INLCR
                    | InputModes::IGNCR,
            );
            for code in [
                SpecialCodeIndex::VERASE,
                SpecialCodeIndex::VKILL,
                SpecialCodeIndex::VWERASE,
                SpecialCodeIndex::VREPRINT,
                SpecialCodeIndex::VLNEXT,
            ] {
                t.special_codes[code] = 0;
            }
        }
        termios::tcsetattr(&slave, OptionalActions::Now, &t)?;
        let size = term_src
            .and_then(|fd| termios::tcgetwinsize(fd).ok())
            .unwrap_or(DEFAULT_WINSIZE);
        termios::tcsetwinsize(&master, size)?;
        rustix::io::ioctl_fionbio(&master, true)?;
        Ok(Pty {
            master,
            slave,
            veof: t.special_codes[SpecialCodeIndex::VEOF],
        })
    }
}

/// The termios to put back on vault's stdin; read by the panic hook.
static SAVED_TERMIOS: Mutex<Option<Termios>> = Mutex::new(None);
static PANIC_HOOK: Once = Once::new();

/// vault's terminal (stdin) in raw mode; restored on drop (and by the panic
/// hook, which finds the saved termios in `SAVED_TERMIOS`).
struct RawMode;

impl RawMode {
    fn enter() -> io::Result<RawMode> {
        let stdin = rustix::stdio::stdin();
        let saved = termios::tcgetattr(stdin)?;
        let mut raw = saved.clone();
        raw.make_raw();
        install_panic_hook();
        *lock(&SAVED_TERMIOS) = Some(saved);
        if let Err(e) = termios::tcsetattr(stdin, OptionalActions::Now, &raw) {
            lock(&SAVED_TERMIOS).take();
            return Err(e.into());
        }
        Ok(RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Put back the saved termios, if any is armed. Never blocks (the panic hook
/// may run while this thread holds the lock).
fn restore_terminal() {
    let saved = match SAVED_TERMIOS.try_lock() {
        Ok(mut g) => g.take(),
        Err(TryLockError::Poisoned(p)) => p.into_inner().take(),
        Err(TryLockError::WouldBlock) => None,
    };
    if let Some(t) = saved {
        let _ = termios::tcsetattr(rustix::stdio::stdin(), OptionalActions::Now, &t);
    }
}

fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
    });
}

/// Who gets forwarded signals right now.
enum Target {
    /// No run in progress: default action.
    Idle,
    /// A run is setting up; the last signal is kept for the child.
    Starting {
        pending: Option<i32>,
    },
    Running(Pid),
    /// The child was reaped; vault is about to return its status.
    Finishing,
}

struct SignalState {
    target: Mutex<Target>,
    winch: AtomicBool,
    wake_r: OwnedFd,
    wake_w: OwnedFd,
}

static SIGNALS: OnceLock<&'static SignalState> = OnceLock::new();

impl SignalState {
    /// The process-wide signal state, set up on first use.
    fn get() -> io::Result<&'static SignalState> {
        if let Some(s) = SIGNALS.get() {
            return Ok(s);
        }
        let (wake_r, wake_w) = rustix::pipe::pipe_with(
            rustix::pipe::PipeFlags::CLOEXEC | rustix::pipe::PipeFlags::NONBLOCK,
        )?;
        let ignored = ignored_signals();
        let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE]
            .into_iter()
            .filter(|s| !ignored.contains(s))
            .chain([SIGCHLD, SIGWINCH])
            .collect();
        let signals = Signals::new(wanted)?;
        // Leaked once per process: the forwarding thread lives as long.
        let state: &'static SignalState = Box::leak(Box::new(SignalState {
            target: Mutex::new(Target::Idle),
            winch: AtomicBool::new(false),
            wake_r,
            wake_w,
        }));
        std::thread::Builder::new()
            .name("vault-signals".into())
            .spawn(move || state.forward_forever(signals))?;
        Ok(SIGNALS.get_or_init(|| state))
    }

    fn forward_forever(&self, mut signals: Signals) {
        for sig in signals.forever() {
            match sig {
                SIGCHLD => self.poke(),
                SIGWINCH => {
                    self.winch.store(true, Ordering::SeqCst);
                    self.poke();
                }
                SIGPIPE => {}
                _ => self.forward(sig),
            }
        }
    }

    fn forward(&self, sig: i32) {
        let mut target = lock(&self.target);
        match &mut *target {
            Target::Running(pid) => {
                if let Some(s) = Signal::from_named_raw(sig) {
                    let _ = rustix::process::kill_process_group(*pid, s);
                }
            }
            Target::Starting { pending } => *pending = Some(sig),
            Target::Finishing => {}
            Target::Idle => {
                drop(target);
                let _ = signal_hook::low_level::emulate_default_handler(sig);
            }
        }
    }

    fn poke(&self) {
        let _ = rustix::io::write(&self.wake_w, &[0]);
    }

    fn drain_wake(&self) {
        let mut buf = [0u8; 64];
        while let Ok(n) = rustix::io::read(&self.wake_r, &mut buf) {
            if n == 0 {
                break;
            }
        }
    }

    fn begin(&self) {
        self.drain_wake();
        self.winch.store(false, Ordering::SeqCst);
        *lock(&self.target) = Target::Starting { pending: None };
    }

    fn started(&self, pid: Pid) {
        let mut target = lock(&self.target);
        if let Target::Starting { pending: Some(sig) } = *target
            && let Some(s) = Signal::from_named_raw(sig)
        {
            let _ = rustix::process::kill_process_group(pid, s);
        }
        *target = Target::Running(pid);
    }

    fn end(&self) {
        let previous = std::mem::replace(&mut *lock(&self.target), Target::Idle);
        if let Target::Starting { pending: Some(sig) } = previous {
            let _ = signal_hook::low_level::emulate_default_handler(sig);
        }
    }
}

/// Signals ignored when vault started (Linux: from /proc). They stay
/// ignored, for vault and, through exec, for the child.
fn ignored_signals() -> Vec<i32> {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return Vec::new();
    };
    let mask = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .unwrap_or(0);
    (1..64).filter(|s| mask & (1u64 << (s - 1)) != 0).collect()
}

/// The relay's view of the child.
struct Supervise {
    pid: Pid,
    reaped: bool,
    signals: &'static SignalState,
    term_src: Option<BorrowedFd<'static>>,
}

impl Supervise {
    fn copy_winsize(&self, pty: Option<BorrowedFd<'_>>) {
        if let (Some(src), Some(master)) = (self.term_src, pty)
            && let Ok(size) = termios::tcgetwinsize(src)
        {
            // The kernel sends SIGWINCH to the PTY's foreground group.
            let _ = termios::tcsetwinsize(master, size);
        }
    }

    /// Last resort when the relay cannot go on: the child must not outlive
    /// vault unobserved.
    fn kill_and_reap(&mut self) {
        if self.reaped {
            return;
        }
        let mut target = lock(&self.signals.target);
        let _ = rustix::process::kill_process_group(self.pid, Signal::KILL);
        let _ = rustix::process::waitpid(Some(self.pid), WaitOptions::empty());
        self.reaped = true;
        *target = Target::Finishing;
    }
}

impl Supervisor for Supervise {
    type Exit = ChildExit;

    fn wake(&mut self, pty: Option<BorrowedFd<'_>>) -> io::Result<Option<ChildExit>> {
        self.signals.drain_wake();
        if self.signals.winch.swap(false, Ordering::SeqCst) {
            self.copy_winsize(pty);
        }
        while !self.reaped {
            // Reap under the forwarder's lock: it must never signal a
            // reaped (reusable) pid.
            let mut target = lock(&self.signals.target);
            let status = match rustix::process::waitpid(Some(self.pid), WaitOptions::NOHANG) {
                Ok(None) => return Ok(None),
                Ok(Some((_, status))) => status,
                Err(Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            };
            let exit = if let Some(code) = status.exit_status() {
                ChildExit::Code(code)
            } else if let Some(sig) = status.terminating_signal() {
                ChildExit::Signal(sig)
            } else {
                continue;
            };
            self.reaped = true;
            *target = Target::Finishing;
            return Ok(Some(exit));
        }
        Ok(None)
    }
}

/// Lock, ignoring poisoning: the protected data stays consistent (plain
/// assignments), and vault must restore the terminal even after a panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Starts `cmd` in a session of its own, with no controlling terminal: for `vault mcp`,
/// whose `vault run` children must never reach the user's terminal (a confirm rule then
/// finds no terminal and refuses, as it must with no person to ask).
#[allow(unsafe_code)]
pub fn detached(cmd: &mut Command) {
    // SAFETY: the closure runs in the forked child before exec and calls only setsid
    // (a direct syscall through rustix) and converts its errno; nothing is allocated,
    // locked or dropped there.
    unsafe {
        cmd.pre_exec(|| rustix::process::setsid().map(drop).map_err(io::Error::from));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::Filter;

    struct Identity;

    impl Filter for Identity {
        fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
            out.extend_from_slice(input);
        }
        fn finish(&mut self, _out: &mut Vec<u8>) {}
    }

    /// Pipes mode, a child that prints nothing: nothing reaches the test
    /// harness's own stdout.
    fn run_quiet(program: &str, args: &[&str], cwd: &Path) -> Result<ChildExit, RunError> {
        let spawn = Spawn {
            program: program.into(),
            args: args.iter().map(OsString::from).collect(),
            display: "shown-name".into(),
            env: vec![("PATH".into(), "/usr/bin:/bin".into())],
            secrets: Vec::new(),
            cwd: cwd.to_path_buf(),
            mode: Mode::Pipes,
            pre_exec: None,
        };
        run(spawn, &mut || Box::new(Identity))
    }

    #[test]
    fn exit_statuses() {
        let here = Path::new("/");
        assert_eq!(
            run_quiet("/bin/sh", &["-c", "exit 3"], here).unwrap(),
            ChildExit::Code(3)
        );
        let killed = run_quiet("/bin/sh", &["-c", "kill -TERM $$"], here).unwrap();
        assert_eq!(killed, ChildExit::Signal(15));
        assert_eq!(killed.exit_code(), 143);
    }

    #[test]
    fn spawn_errors_name_only_the_display() {
        let e = run_quiet("/nonexistent/secret-token-123", &[], Path::new("/")).unwrap_err();
        assert!(matches!(e, RunError::NotFound { .. }), "{e:?}");
        assert_eq!(e.exit_code(), 127);
        assert_eq!(e.to_string(), "shown-name: command not found");

        let dir = std::env::temp_dir();
        let e = run_quiet(dir.to_str().unwrap(), &["secret-arg"], Path::new("/")).unwrap_err();
        assert!(matches!(e, RunError::NotExecutable { .. }), "{e:?}");
        assert_eq!(e.exit_code(), 126);
        assert!(!e.to_string().contains("secret"), "{e}");

        let e = run_quiet("/bin/true", &[], Path::new("/nonexistent-dir")).unwrap_err();
        assert!(matches!(e, RunError::Spawn { .. }), "{e:?}");
        assert!(e.to_string().contains("working directory"), "{e}");
    }
}

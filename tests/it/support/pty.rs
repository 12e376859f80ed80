//! Test support: run a command inside a real pseudo-terminal and talk to it
//! like a user at a terminal would (type, read the screen's byte stream,
//! resize, send signals), with a hard timeout on every wait.
//!
//! The command gets the PTY slave as its fds 0–2 (or pipes for the ones
//! asked to be pipes), starts a new session and makes the slave its
//! controlling terminal, so its `/dev/tty` is this PTY and the PTY's line
//! discipline applies (^C typed → SIGINT to its foreground process group).
//! Self-contained: std and rustix (`pty`, `termios`, `process`, `fs`,
//! `event` features) only.
#![allow(dead_code)]

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use rustix::process::{Pid, Signal};
use rustix::termios::{self, SpecialCodeIndex, Termios, Winsize};

/// Once the child has exited, output still arriving is collected until
/// there has been none for this long (capped by the caller's timeout).
const SETTLE: Duration = Duration::from_millis(100);

/// A command running on a PTY owned by the test.
pub struct PtySession {
    child: Child,
    master: Option<OwnedFd>,
    pts_name: String,
    initial_termios: Termios,
    stdin_tty: bool,
    stdin_pipe: Option<ChildStdin>,
    stdout_pipe: Option<OwnedFd>,
    stderr_pipe: Option<OwnedFd>,
    output: Vec<u8>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// `expect` searches `output` from here; advanced past each match.
    cursor: usize,
    status: Option<ExitStatus>,
    /// The master read EIO/EOF: no process holds the slave any more.
    master_eof: bool,
}

/// What one [`PtySession::pump`] saw.
struct Pumped {
    /// Some stream can still deliver data.
    open: bool,
    /// Some data was read.
    data: bool,
}

impl PtySession {
    /// Run `cmd` with the PTY slave as fds 0–2 and as its controlling
    /// terminal, the window being `rows`×`cols`.
    pub fn spawn(cmd: Command, rows: u16, cols: u16) -> io::Result<PtySession> {
        PtySession::spawn_with(cmd, rows, cols, true, true, true)
    }

    /// Like [`spawn`](Self::spawn), but each of fds 0–2 whose flag is false
    /// is a pipe to the test instead (read them with [`stdout`](Self::stdout)
    /// / [`stderr`](Self::stderr)). The PTY is the controlling terminal anyway.
    pub fn spawn_with(
        mut cmd: Command,
        rows: u16,
        cols: u16,
        stdin_tty: bool,
        stdout_tty: bool,
        stderr_tty: bool,
    ) -> io::Result<PtySession> {
        use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
        // Close-on-exec from the start where possible: tests run in
        // parallel threads, and another test's spawn must not inherit it.
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let master = {
            let m = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY)?;
            rustix::io::fcntl_setfd(&m, rustix::io::FdFlags::CLOEXEC)?;
            m
        };
        grantpt(&master)?;
        unlockpt(&master)?;
        let name = ptsname(&master, Vec::new())?;
        let pts_name = name.to_string_lossy().into_owned();
        let slave = rustix::fs::open(
            name.as_c_str(),
            OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        termios::tcsetwinsize(
            &master,
            Winsize {
                ws_row: rows,
                ws_col: cols,
                ws_xpixel: 0,
                ws_ypixel: 0,
            },
        )?;
        let initial_termios = termios::tcgetattr(&slave)?;
        let stdio = |tty: bool| -> io::Result<Stdio> {
            Ok(if tty {
                Stdio::from(slave.try_clone()?)
            } else {
                Stdio::piped()
            })
        };
        cmd.stdin(stdio(stdin_tty)?)
            .stdout(stdio(stdout_tty)?)
            .stderr(stdio(stderr_tty)?);
        controlling_terminal_on_exec(&mut cmd, slave);
        let mut child = cmd.spawn()?;
        // Drop our slave copies (held by `cmd`) so only the child has it.
        drop(cmd);
        rustix::io::ioctl_fionbio(&master, true)?;
        let stdout_pipe = child.stdout.take().map(OwnedFd::from);
        let stderr_pipe = child.stderr.take().map(OwnedFd::from);
        for fd in stdout_pipe.iter().chain(stderr_pipe.iter()) {
            rustix::io::ioctl_fionbio(fd, true)?;
        }
        Ok(PtySession {
            stdin_tty,
            stdin_pipe: child.stdin.take(),
            child,
            master: Some(master),
            pts_name,
            initial_termios,
            stdout_pipe,
            stderr_pipe,
            output: Vec::new(),
            stdout: Vec::new(),
            stderr: Vec::new(),
            cursor: 0,
            status: None,
            master_eof: false,
        })
    }

    /// The child's pid (also its process group and session id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The slave's device path, e.g. `/dev/pts/3`.
    pub fn pts_name(&self) -> &str {
        &self.pts_name
    }

    /// Type `bytes` (to the PTY, or to the stdin pipe if stdin is a pipe).
    /// Panics if they cannot be written within 5 s.
    pub fn write(&mut self, bytes: &[u8]) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut rest = bytes;
        while !rest.is_empty() {
            let result = match (self.stdin_tty, &self.stdin_pipe, &self.master) {
                (true, _, Some(master)) => rustix::io::write(master, rest),
                (false, Some(pipe), _) => rustix::io::write(pipe, rest),
                _ => panic!("write: stdin already closed"),
            };
            match result {
                Ok(n) => rest = &rest[n..],
                Err(Errno::INTR) => {}
                Err(Errno::AGAIN) => {
                    assert!(Instant::now() < deadline, "write: timed out");
                    // Keep reading so a child blocked on output can progress.
                    self.pump(Duration::from_millis(10));
                }
                Err(e) => panic!("write failed: {e}"),
            }
        }
    }

    /// End of input: close the stdin pipe, or type the PTY's EOF character
    /// (VEOF, normally ^D) when stdin is the PTY.
    pub fn close_stdin(&mut self) {
        if self.stdin_tty {
            let veof = self.termios().special_codes[SpecialCodeIndex::VEOF];
            self.write(&[veof]);
        } else {
            self.stdin_pipe = None;
        }
    }

    /// Read until `needle` appears in the PTY output after the previous
    /// match; returns the output from there up to the end of the match.
    /// On timeout, `Err` shows what was read.
    pub fn expect(&mut self, needle: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(pos) = find(&self.output[self.cursor..], needle) {
                let end = self.cursor + pos + needle.len();
                let got = self.output[self.cursor..end].to_vec();
                self.cursor = end;
                return Ok(got);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(format!(
                    "timed out after {timeout:?} waiting for {:?}; PTY output since last match: {:?}",
                    String::from_utf8_lossy(needle),
                    String::from_utf8_lossy(&self.output[self.cursor..]),
                ));
            }
            let pumped = self.pump((deadline - now).min(Duration::from_millis(50)));
            if !pumped.open
                && self.reap().is_some()
                && find(&self.output[self.cursor..], needle).is_none()
            {
                return Err(format!(
                    "child exited ({:?}) before {:?} appeared; PTY output since last match: {:?}",
                    self.status,
                    String::from_utf8_lossy(needle),
                    String::from_utf8_lossy(&self.output[self.cursor..]),
                ));
            }
        }
    }

    /// Set the window size (the kernel sends SIGWINCH to the foreground
    /// process group of the PTY).
    pub fn resize(&self, rows: u16, cols: u16) {
        if let Some(master) = &self.master {
            let size = Winsize {
                ws_row: rows,
                ws_col: cols,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            termios::tcsetwinsize(master, size).expect("resize the PTY");
        }
    }

    /// The PTY's current settings (what a program on it set, e.g. raw mode).
    pub fn termios(&self) -> Termios {
        let master = self.master.as_ref().expect("PTY is open");
        // Linux answers for the slave through the master; elsewhere ask the
        // slave itself.
        if cfg!(target_os = "linux") {
            termios::tcgetattr(master).expect("tcgetattr")
        } else {
            let slave = rustix::fs::open(
                self.pts_name.as_str(),
                OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .expect("open the slave");
            termios::tcgetattr(&slave).expect("tcgetattr")
        }
    }

    /// The settings the PTY had before the command started.
    pub fn initial_termios(&self) -> &Termios {
        &self.initial_termios
    }

    /// Send `sig` to the child process itself.
    pub fn signal(&self, sig: Signal) {
        if let Some(pid) = i32::try_from(self.child.id()).ok().and_then(Pid::from_raw) {
            let _ = rustix::process::kill_process(pid, sig);
        }
    }

    /// Wait for the child to exit, collecting its output meanwhile and for a
    /// moment after. On timeout, kill its process group and return `Err`
    /// with the output.
    pub fn wait(&mut self, timeout: Duration) -> Result<ExitStatus, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.reap() {
                // Output written just before exit (or by descendants).
                let mut quiet_since = Instant::now();
                while quiet_since.elapsed() < SETTLE && Instant::now() < deadline {
                    let pumped = self.pump(Duration::from_millis(10));
                    if !pumped.open {
                        break;
                    }
                    if pumped.data {
                        quiet_since = Instant::now();
                    }
                }
                return Ok(status);
            }
            if Instant::now() >= deadline {
                self.kill();
                return Err(format!(
                    "child still running after {timeout:?} (killed); PTY output: {:?}; stdout: {:?}; stderr: {:?}",
                    String::from_utf8_lossy(&self.output),
                    String::from_utf8_lossy(&self.stdout),
                    String::from_utf8_lossy(&self.stderr),
                ));
            }
            self.pump(Duration::from_millis(20));
        }
    }

    /// Everything read from the PTY so far.
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// Everything read from the stdout pipe (when stdout is not the PTY).
    pub fn stdout(&self) -> &[u8] {
        &self.stdout
    }

    /// Everything read from the stderr pipe (when stderr is not the PTY).
    pub fn stderr(&self) -> &[u8] {
        &self.stderr
    }

    fn reap(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    fn kill(&mut self) {
        if let Some(pid) = i32::try_from(self.child.id()).ok().and_then(Pid::from_raw) {
            let _ = rustix::process::kill_process_group(pid, Signal::KILL);
        }
        let _ = self.child.kill();
        self.status = self.child.wait().ok().or(Some(ExitStatus::from_raw(9)));
    }

    /// Wait up to `timeout` for any of our read ends to become readable and
    /// read what is there.
    fn pump(&mut self, timeout: Duration) -> Pumped {
        let mut data = false;
        let ts = Timespec {
            tv_sec: timeout.as_secs().try_into().unwrap_or(i64::MAX),
            tv_nsec: timeout.subsec_nanos().into(),
        };
        let mut which = Vec::new();
        let mut fds = Vec::new();
        let master = if self.master_eof { &None } else { &self.master };
        for (i, fd) in [master, &self.stdout_pipe, &self.stderr_pipe]
            .into_iter()
            .enumerate()
        {
            if let Some(fd) = fd {
                fds.push(PollFd::new(fd, PollFlags::IN));
                which.push(i);
            }
        }
        if fds.is_empty() {
            std::thread::sleep(timeout);
            return Pumped {
                open: false,
                data: false,
            };
        }
        match poll(&mut fds, Some(&ts)) {
            Ok(_) | Err(Errno::INTR) => {}
            Err(e) => panic!("poll: {e}"),
        }
        let ready: Vec<usize> = fds
            .iter()
            .zip(&which)
            .filter(|(fd, _)| !fd.revents().is_empty())
            .map(|(_, &i)| i)
            .collect();
        drop(fds);
        let mut buf = [0u8; 16384];
        for i in ready {
            let (slot, sink) = match i {
                0 => (&mut self.master, &mut self.output),
                1 => (&mut self.stdout_pipe, &mut self.stdout),
                _ => (&mut self.stderr_pipe, &mut self.stderr),
            };
            let Some(fd) = slot.as_ref() else { continue };
            match rustix::io::read(fd.as_fd(), &mut buf) {
                Ok(n) if n > 0 => {
                    sink.extend_from_slice(&buf[..n]);
                    data = true;
                }
                Err(Errno::AGAIN | Errno::INTR) => {}
                // 0 = pipe EOF; EIO = no process has the slave open any
                // more. Keep the master though: termios() and resize() use it.
                Ok(_) | Err(_) => {
                    if i == 0 {
                        self.master_eof = true;
                    } else {
                        *slot = None;
                    }
                }
            }
        }
        Pumped {
            open: !self.master_eof || self.stdout_pipe.is_some() || self.stderr_pipe.is_some(),
            data,
        }
    }
}

impl Drop for PtySession {
    fn drop(&mut self) {
        if self.reap().is_none() {
            self.kill();
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The child starts a new session with the slave as controlling terminal.
#[allow(unsafe_code)]
fn controlling_terminal_on_exec(cmd: &mut Command, slave: OwnedFd) {
    // SAFETY: runs in the forked child before exec; signal(2), setsid and
    // ioctl(TIOCSCTTY) are plain syscalls (async-signal-safe), nothing is
    // allocated or locked, and `slave` was moved in beforehand.
    unsafe {
        cmd.pre_exec(move || {
            for sig in super::RESET_SIGNALS {
                libc::signal(sig, libc::SIG_DFL);
            }
            rustix::process::setsid()?;
            rustix::process::ioctl_tiocsctty(&slave)?;
            Ok(())
        });
    }
}

/// Restore is checked by comparing these fields.
pub fn same_termios(a: &Termios, b: &Termios) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// Whether raw mode (no canonical input, no echo, no signals) is set.
pub fn is_raw(t: &Termios) -> bool {
    use rustix::termios::LocalModes;
    !t.local_modes
        .intersects(LocalModes::ICANON | LocalModes::ECHO | LocalModes::ISIG)
}

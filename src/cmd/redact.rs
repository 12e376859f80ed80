//! `vault redact`: a filter for logs — stdin to stdout with every stored value redacted.

use std::io::{Read, Write};

use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::redact::Redactor;

/// Streams stdin through the redactor. Output is written line by line as the redactor
/// releases it, so a live log stays live; a partial line waits for its line end (or for more
/// than the longest pattern's length of input), so that what comes back, and when, says
/// nothing about how much of a secret the input matched (no prefix oracle: issue #10).
pub fn run() -> Result<Exit> {
    let opened = crate::cmd::open()?;
    let patterns = crate::cmd::run::patterns(&opened);
    let mut redactor = Redactor::for_log(patterns);
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    widen_pipe(&stdin);
    widen_pipe(&stdout);
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Vec::with_capacity(80 * 1024);
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io("stdin", &e)),
        };
        out.clear();
        redactor.feed(&buf[..n], &mut out);
        if let Err(e) = stdout.write_all(&out).and_then(|()| stdout.flush()) {
            return broken(&e);
        }
    }
    out.clear();
    redactor.finish(&mut out);
    if let Err(e) = stdout.write_all(&out).and_then(|()| stdout.flush()) {
        return broken(&e);
    }
    Ok(Exit::Success)
}

/// A pipe on stdin or stdout gets 1 MiB instead of 64 KiB, as `vault run` gives the child's
/// pipes: fewer wake-ups of vault and of the program at the other end per byte. Best effort
/// (the unprivileged limit is /proc/sys/fs/pipe-max-size); a file or terminal is left alone.
fn widen_pipe(fd: &impl std::os::fd::AsFd) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if rustix::fs::fstat(fd)
        .is_ok_and(|st| rustix::fs::FileType::from_raw_mode(st.st_mode).is_fifo())
    {
        let _ = rustix::pipe::fcntl_setpipe_size(fd, crate::pty::PIPE_SIZE);
    }
}

/// The reader of our stdout went away (`vault redact < log | head`): stop quietly with
/// the status a shell reports for SIGPIPE, as `cat` would.
fn broken(e: &std::io::Error) -> Result<Exit> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(Exit::Child(128 + 13))
    } else {
        Err(Error::io("stdout", e))
    }
}

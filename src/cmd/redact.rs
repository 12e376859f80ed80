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

/// The reader of our stdout went away (`vault redact < log | head`): stop quietly with
/// the status a shell reports for SIGPIPE, as `cat` would.
fn broken(e: &std::io::Error) -> Result<Exit> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(Exit::Child(128 + 13))
    } else {
        Err(Error::io("stdout", e))
    }
}

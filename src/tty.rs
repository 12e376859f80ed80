//! Questions asked on the controlling terminal (`/dev/tty`), never on stdin.
//!
//! stdin may carry data or be driven by a script or an agent; the terminal is where the
//! person is. With no terminal there is nobody to ask, so every question is answered "no"
//! by the caller (fail closed) — there is no flag that answers it instead.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};

use crate::error::{Error, Result};
use crate::exit::Exit;

/// Shows `text`, then asks the user to type `expected` exactly. `Ok(true)` only when they
/// did; an error when there is no terminal.
pub fn confirm(text: &str, prompt: &str, expected: &str) -> Result<bool> {
    Ok(ask(text, prompt)? == expected)
}

/// Shows `text` and `prompt` on the terminal and returns the line typed (trimmed).
pub fn ask(text: &str, prompt: &str) -> Result<String> {
    let tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| no_terminal())?;
    let mut writer = &tty;
    writer
        .write_all(format!("{text}\n{prompt} ").as_bytes())
        .and_then(|()| writer.flush())
        .map_err(|_| no_terminal())?;
    let mut line = String::new();
    BufReader::new(&tty)
        .read_line(&mut line)
        .map_err(|_| no_terminal())?;
    Ok(line.trim().to_string())
}

fn no_terminal() -> Error {
    Error::new(
        Exit::Denied,
        "this needs a confirmation typed on the terminal, and there is no terminal",
    )
    .hint("run it yourself in a terminal; no flag can answer this question instead")
}

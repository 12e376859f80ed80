//! Questions asked on the controlling terminal (`/dev/tty`), never on stdin.
//!
//! stdin may carry data or be driven by a script or an agent; the terminal is where the
//! person is. With no terminal there is nobody to ask, so every question is answered "no"
//! by the caller (fail closed) — there is no flag that answers it instead. Hidden entry
//! (values, passphrases) lives here too, so every read of the terminal is in one place.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::exit::Exit;

/// Shows `text`, then asks the user to type `expected` exactly. `Ok(true)` only when they
/// did; an error when there is no terminal.
pub fn confirm(text: &str, prompt: &str, expected: &str) -> Result<bool> {
    Ok(ask(text, prompt)? == expected)
}

/// Shows `text` and `prompt` on the terminal and returns the line typed (trimmed).
pub fn ask(text: &str, prompt: &str) -> Result<String> {
    if !have_tty() {
        return Err(no_terminal());
    }
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

/// Set by [`forbid_prompts`]: this process behaves as if it had no terminal.
static NO_PROMPTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on this process never asks anything on the terminal: every prompt fails as it
/// does with no terminal (used by shell completion, which must never stop to ask).
pub fn forbid_prompts() {
    NO_PROMPTS.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// True when a terminal can be opened for prompts.
#[must_use]
pub fn have_tty() -> bool {
    if NO_PROMPTS.load(std::sync::atomic::Ordering::Relaxed) {
        return false;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

/// Reads a passphrase or value from /dev/tty (never stdin), hidden.
///
/// Echo is turned off (discarding anything typed ahead) *before* the prompt is shown:
/// rpassword prints the prompt first and only then disables echo, so keys typed the
/// instant the prompt appears would otherwise be echoed in the clear.
pub fn prompt_hidden(prompt: &str) -> Result<Zeroizing<String>> {
    if !have_tty() {
        return Err(Error::new(
            Exit::Locked,
            "cannot read from the terminal: there is none",
        ));
    }
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty");
    let saved = tty
        .as_ref()
        .ok()
        .and_then(|t| rustix::termios::tcgetattr(t).ok());
    if let (Ok(t), Some(saved)) = (&tty, &saved) {
        let mut quiet = saved.clone();
        quiet.local_modes.remove(rustix::termios::LocalModes::ECHO);
        quiet
            .local_modes
            .insert(rustix::termios::LocalModes::ECHONL);
        let _ = rustix::termios::tcsetattr(t, rustix::termios::OptionalActions::Flush, &quiet);
    }
    let answer = rpassword::prompt_password(prompt);
    if let (Ok(t), Some(saved)) = (&tty, &saved) {
        let _ = rustix::termios::tcsetattr(t, rustix::termios::OptionalActions::Now, saved);
    }
    answer.map(Zeroizing::new).map_err(|e| {
        Error::new(
            Exit::Locked,
            format!(
                "cannot read from the terminal: {}",
                crate::error::io_reason(&e)
            ),
        )
    })
}

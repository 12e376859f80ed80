//! vault's error type: one line for the user, an optional hint, and the exit status.
//!
//! Every failure carries the [`Exit`] it maps to, chosen where the failure is understood
//! (the store knows a symlink is an I/O refusal; `set` knows a short value is bad data).
//! Messages name secrets, never values: nothing that holds a value implements `Display`
//! with the value in it, so an error cannot format one by accident.

use std::fmt;

use crate::exit::Exit;

/// A vault failure: `vault: error: <message>` then, optionally, `vault: hint: <hint>`.
#[derive(Debug)]
pub struct Error {
    /// The exit status this failure maps to.
    pub exit: Exit,
    /// One line, no trailing period needed.
    pub message: String,
    /// The next step for the user, if there is an obvious one.
    pub hint: Option<String>,
}

impl Error {
    /// A failure with the given exit status and message.
    pub fn new(exit: Exit, message: impl Into<String>) -> Error {
        Error {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint line.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    /// A failure to read an input file: exit 66 when it does not exist, else 74.
    pub fn read(what: impl fmt::Display, err: &std::io::Error) -> Error {
        let exit = if err.kind() == std::io::ErrorKind::NotFound {
            Exit::NoInput
        } else {
            Exit::IoErr
        };
        Error::new(exit, format!("{what}: {}", io_reason(err)))
    }

    /// An I/O failure on `what` (a path or a description): exit 74. A write to a closed
    /// `stdout` (`vault list | head -1`) is [`Error::closed_stdout`] instead.
    pub fn io(what: impl fmt::Display, err: &std::io::Error) -> Error {
        let what = what.to_string();
        if what == "stdout" && err.kind() == std::io::ErrorKind::BrokenPipe {
            return Error::closed_stdout();
        }
        Error::new(Exit::IoErr, format!("{what}: {}", io_reason(err)))
    }

    /// The reader of stdout went away: vault stops quietly with status 0, as ripgrep and
    /// other filters do (what was asked for was delivered to whoever still listened).
    #[must_use]
    pub fn closed_stdout() -> Error {
        Error::new(Exit::Success, String::new())
    }

    /// True for [`Error::closed_stdout`]: nothing is reported.
    #[must_use]
    pub fn is_quiet(&self) -> bool {
        self.exit == Exit::Success && self.message.is_empty()
    }
}

/// An io::Error's reason without Rust's "(os error N)" suffix.
pub fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

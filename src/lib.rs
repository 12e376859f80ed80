//! vault: keep secrets encrypted on disk and run commands with them, so that the values
//! never reach a terminal log, a CI log or an AI agent's context.
//!
//! Data flow of `vault run` (see `cmd/run.rs`): config → unlock → decrypt the store →
//! plan the injection → egress check → spawn (PTY or pipes) → relay every output byte
//! through the redactor → audit → the child's exit status.

pub mod approval;
pub mod audit;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod discover;
pub mod dotenv;
pub mod egress;
pub mod error;
pub mod exit;
pub mod generate;
pub mod harden;
pub mod inject;
pub mod merge;
pub mod net;
pub mod project;
pub mod pty;
pub mod recipient;
pub mod redact;
pub mod relay;
pub mod scan;
pub mod seal;
pub mod secret;
pub mod secrets;
pub mod store;
pub mod tty;
pub mod unlock;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::error::Error;
use crate::exit::Exit;

/// Runs vault with the process's arguments and returns its exit status.
#[must_use]
pub fn main() -> ExitCode {
    harden::process();
    let status = match parse(std::env::args_os().collect()) {
        Ok(cli) => match cmd::dispatch(cli) {
            Ok(exit) => exit,
            Err(err) => report(&err),
        },
        Err(exit) => exit,
    };
    ExitCode::from(u8::try_from(status.code() & 0xff).unwrap_or(1))
}

/// Prints `vault: error: …` and `vault: hint: …` on stderr.
pub fn report(err: &Error) -> Exit {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "vault: error: {}", err.message);
    if let Some(hint) = &err.hint {
        let _ = writeln!(stderr, "vault: hint: {hint}");
    }
    err.exit
}

/// Parses the command line. clap's own errors quote the offending argument; for `set`
/// and `import`, where a mistyped argument may well be a secret value, vault prints its
/// own message that quotes nothing.
fn parse(args: Vec<OsString>) -> Result<Cli, Exit> {
    match Cli::try_parse_from(&args) {
        Ok(cli) => Ok(cli),
        Err(e) => {
            use clap::error::ErrorKind;
            // The subcommand is the first non-option word; `--store DIR` is skipped whole.
            let mut words = args.iter().skip(1);
            let sensitive = std::iter::from_fn(|| {
                let a = words.next()?;
                if a == "--store" {
                    words.next();
                }
                Some(a)
            })
            .find(|a| !a.to_string_lossy().starts_with('-'))
            .is_some_and(|a| a == "set" || a == "import");
            let quiet = matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            );
            if sensitive && !quiet {
                let what = match e.kind() {
                    ErrorKind::UnknownArgument => "an unknown option or an extra argument",
                    ErrorKind::MissingRequiredArgument => "a missing argument",
                    ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
                        "an invalid option value"
                    }
                    _ => "invalid arguments",
                };
                report(
                    &Error::new(Exit::Usage, format!("{what} (not shown: it might be a secret value)"))
                        .hint("see `vault set --help`; values are read from a prompt or stdin, never from arguments"),
                );
                return Err(Exit::Usage);
            }
            let _ = e.print();
            Err(if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            })
        }
    }
}

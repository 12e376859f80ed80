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
pub mod escape;
pub mod exit;
pub mod generate;
pub mod harden;
pub mod hook;
pub mod inject;
pub mod mcp;
pub mod merge;
pub mod net;
pub mod project;
pub mod pty;
pub mod recipient;
pub mod redact;
pub mod relay;
pub mod remote;
pub mod scan;
pub mod seal;
pub mod secret;
pub mod secrets;
pub mod state;
pub mod store;
pub mod trust;
pub mod tty;
pub mod unlock;
pub mod wipe;

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
    keep_freed_memory();
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
    if err.is_quiet() {
        return err.exit;
    }
    let mut stderr = std::io::stderr().lock();
    // Messages may quote stored or repository text: escaped, they stay one line each.
    let _ = writeln!(stderr, "vault: error: {}", escape::text(&err.message));
    if let Some(hint) = &err.hint {
        let _ = writeln!(stderr, "vault: hint: {}", escape::text(hint));
    }
    err.exit
}

/// Parses the command line. clap's own errors quote the offending argument; for `set`
/// and `import`, where a mistyped argument may well be a secret value, vault prints its
/// own message that quotes nothing but a word shaped like a flag. An unknown flag is one
/// line naming it (flags are never secret), with clap's suggestion in the hint.
fn parse(args: Vec<OsString>) -> Result<Cli, Exit> {
    let words = command_words(&args);
    if let Some(err) = words.first().and_then(|w| no_such_command(w)) {
        report(&err);
        return Err(Exit::Usage);
    }
    match Cli::try_parse_from(&args) {
        Ok(cli) => Ok(cli),
        Err(e) => {
            use clap::error::ErrorKind;
            let sensitive = words.first().is_some_and(|a| a == "set" || a == "import");
            let quiet = matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            );
            if e.kind() == ErrorKind::UnknownArgument
                && let Some(err) = unknown_flag(&e, &args, &words)
            {
                report(&err);
                return Err(Exit::Usage);
            }
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
                        .hint(format!("see `vault {} --help`; values are read from a prompt or stdin, never from arguments", words[0])),
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

/// The words before the first option-looking one that are not options: the subcommand and
/// (for `policy`/`recipients`) its subcommand. `--store DIR` is skipped whole.
fn command_words(args: &[OsString]) -> Vec<String> {
    let mut words = Vec::new();
    let mut iter = args.iter().skip(1);
    while let Some(a) = iter.next() {
        let a = a.to_string_lossy();
        if a == "--store" {
            iter.next();
        } else if a == "--" {
            break;
        } else if !a.starts_with('-') {
            words.push(a.into_owned());
            let nested = matches!(words[0].as_str(), "policy" | "recipients");
            if words.len() == 2 || !nested {
                break;
            }
        }
    }
    words
}

/// `vault get NAME` and friends: commands people expect of a secrets tool that vault
/// deliberately does not have.
fn no_such_command(word: &str) -> Option<Error> {
    let err = |message: String, hint: &str| Some(Error::new(Exit::Usage, message).hint(hint));
    match word {
        "get" | "show" | "reveal" | "export" | "cat" | "print" | "read" | "dump" | "decrypt" => {
            err(
                format!("there is no `vault {word}`: no vault command prints a value"),
                "`vault run -- CMD` gives a command the values (`{{secure.NAME}}` in an argument); `vault list` shows names",
            )
        }
        "delete" | "del" | "remove" | "unset" => err(
            format!("there is no `vault {word}`: `vault rm NAME` removes a secret"),
            "no vault command prints a value; `vault list` shows names",
        ),
        _ => None,
    }
}

/// The one-line error for an unknown flag, when the offending word is shaped like a flag
/// and was typed as a whole word (so no part of a value is ever quoted).
fn unknown_flag(e: &clap::Error, args: &[OsString], words: &[String]) -> Option<Error> {
    use clap::error::{ContextKind, ContextValue};
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        _ => None,
    };
    let invalid = text(ContextKind::InvalidArg)?;
    let flag = invalid.split('=').next().unwrap_or_default();
    let long = flag.strip_prefix("--").is_some_and(|rest| {
        rest.len() <= 32
            && rest.starts_with(|c: char| c.is_ascii_lowercase())
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    });
    let short = flag.len() == 2
        && flag.starts_with('-')
        && flag[1..].chars().all(|c| c.is_ascii_alphabetic());
    let typed = args.iter().skip(1).any(|a| {
        let a = a.to_string_lossy();
        a == flag || (long && a.strip_prefix(flag).is_some_and(|r| r.starts_with('=')))
    });
    if !(long || short) || !typed {
        return None;
    }
    let command = if words.is_empty() {
        "vault".to_string()
    } else {
        format!("vault {}", words.join(" "))
    };
    let hint = match text(ContextKind::SuggestedArg) {
        Some(suggested) => {
            format!("did you mean `{suggested}`? (`{command} --help` lists the options)")
        }
        None if words.first().is_some_and(|w| w == "run") => format!(
            "`{command} --help` lists the options; a command that starts with `-` goes after `--`"
        ),
        None => format!("`{command} --help` lists the options"),
    };
    Some(
        Error::new(
            Exit::Usage,
            format!("unknown option {flag} for `{command}`"),
        )
        .hint(hint),
    )
}

/// glibc's malloc hands every freed block over 128 KiB back to the kernel and maps fresh
/// pages for the next one, each costing a page fault when first touched. vault frees and
/// allocates several such blocks as it starts (the store's ciphertext and plaintext, the
/// pattern arena, the child's exec image): keeping freed memory in the heap for reuse saves
/// about 80 page faults at 1,000 secrets. The big allocations all come at the start, so what
/// the heap keeps is bounded by them (below 20 MB at 1,000 secrets, `docs/benchmarks.md`), and
/// vault's own buffers that held secrets are wiped before they are freed.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt only sets glibc allocator parameters; called first thing in `main`,
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
}

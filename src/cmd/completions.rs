//! `vault completions SHELL` (a completion script on stdout) and the hidden
//! `vault complete-names` those scripts call for `--only` (names only, never a prompt).

use std::io::Write;

use crate::cli::CompletionsArgs;
use crate::error::{Error, Result};
use crate::exit::Exit;

/// Prints the script for `args.shell`.
pub fn run(args: &CompletionsArgs) -> Result<Exit> {
    let script = crate::generate::completion(args.shell);
    write_stdout(&script)?;
    Ok(Exit::Success)
}

/// Prints each secret name on a line. Asks nothing: a store that needs a passphrase, or that
/// does not open, prints nothing and exits 0 — a completion must never stop to ask, nor
/// print an error into the user's command line.
pub fn names() -> Result<Exit> {
    crate::tty::forbid_prompts();
    let Ok(opened) = crate::cmd::open_quiet() else {
        return Ok(Exit::Success);
    };
    let mut text = String::new();
    for name in opened.contents.secrets.keys() {
        text.push_str(name);
        text.push('\n');
    }
    write_stdout(text.as_bytes())?;
    Ok(Exit::Success)
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("stdout", &e))
}

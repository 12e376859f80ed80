//! `vault agent-instructions`: the short block for AGENTS.md or CLAUDE.md (also the MCP
//! server's `instructions`).

use std::io::Write;

use crate::error::{Error, Result};
use crate::exit::Exit;

/// What a model needs to know to use vault, in a few lines.
pub const INSTRUCTIONS: &str = "\
## Secrets: use vault, never the values

This project keeps its secrets (API tokens, passwords) in vault. You never see a value
and must never ask for one in the chat.

- See which secrets exist: `vault list` (or the MCP tool `list_secrets`): names,
  descriptions and the hosts each may be sent to. Never a value.
- Use a secret by name: run the command under vault, e.g.
  `vault run --only GITHUB_TOKEN -- curl -H 'Authorization: Bearer {{secure.GITHUB_TOKEN}}' https://api.github.com/user`
  (MCP: the `run` tool). vault substitutes `{{secure.NAME}}` after you have written the
  command, also sets $NAME in its environment, and redacts every value from the output
  as [REDACTED:NAME].
- A refusal names the secret and the host. Narrow with `--only NAME`; a policy can only
  be widened by the user, in their own terminal (`vault policy set NAME --allow HOST`).
- A secret you need is missing: ask the user to run `vault set NAME --allow HOST` in
  their terminal (MCP: the `request_secret` tool shows them a one-time page).
- Never print, echo, encode or write a value to a file: it is redacted, and the attempt is
  in vault's audit log.
";

/// Prints [`INSTRUCTIONS`].
pub fn run() -> Result<Exit> {
    std::io::stdout()
        .lock()
        .write_all(INSTRUCTIONS.as_bytes())
        .map_err(|e| Error::io("stdout", &e))?;
    Ok(Exit::Success)
}

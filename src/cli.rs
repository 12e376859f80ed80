//! The command line, as clap derive types. Doc comments are the help text and the man page;
//! there is no logic here.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  vault init                                   create the store, identity in the OS keyring
  vault set GITHUB_TOKEN --allow api.github.com  prompt for the value (or pipe it on stdin)
  vault list                                   names, dates, policies — never values
  vault run -- gh repo list                    run with every secret in the environment
  vault run -- curl -H 'Authorization: Bearer {{secure.GITHUB_TOKEN}}' https://api.github.com/user
  make 2>&1 | vault redact                     scrub a log of every stored value

There is deliberately no command that prints a value.";

/// Keep secrets encrypted on disk and run commands with them, without the values ever
/// reaching a terminal log, a CI log or an AI agent's context.
#[derive(Debug, Parser)]
#[command(name = "vault", version, about, long_about = None, after_help = EXAMPLES)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// vault's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the store (and an identity to open it).
    ///
    /// With VAULT_IDENTITY or VAULT_IDENTITY_FILE set, the store is encrypted to that identity
    /// and no identity is kept. Otherwise a new identity is generated and kept in the OS
    /// keyring; where there is no keyring (or with --passphrase) it is kept in
    /// identity.age, encrypted with a passphrase typed on the terminal.
    Init(InitArgs),
    /// Print a new age identity on stdout (its public key on stderr), for CI set-up.
    ///
    /// Put the identity in your CI's secret store as VAULT_IDENTITY, then run
    /// `VAULT_IDENTITY=… vault init` once to create a store for it.
    Keygen(KeygenArgs),
    /// Store a secret. The value is read from a hidden prompt (asked twice) or from stdin
    /// when stdin is not a terminal — never from the command line.
    ///
    /// Exactly one trailing newline (\n or \r\n) is stripped from piped input. Values are
    /// write-once: an existing name is refused unless --replace.
    Set(SetArgs),
    /// List secret names with their dates, description and egress policy (never values).
    #[command(alias = "ls")]
    List(ListArgs),
    /// Remove a secret.
    Rm(RmArgs),
    /// Import secrets from a dotenv file (KEY=VALUE lines), all or nothing.
    Import(ImportArgs),
    /// Run a command with secrets in its environment and placeholders, redacting its output.
    ///
    /// Every secret (or those named by --only, or those the argv placeholders reference) is
    /// set as an environment variable of the same name. `{{secure.NAME}}` anywhere in an
    /// argument is replaced by the value when the command is started. Everything the command
    /// writes passes through the redactor, which replaces each stored value and its common
    /// encodings with [REDACTED:NAME]. The command's exit status is vault's.
    Run(RunArgs),
    /// Copy stdin to stdout with every stored value (and its encodings) redacted.
    Redact,
    /// Show or change a secret's egress policy (where its value may be sent).
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Show the audit log, or verify its hash chain.
    Audit(AuditArgs),
    /// Generate the man pages or shell completions (used by the build; hidden).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// `vault init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Keep the new identity in identity.age under a passphrase instead of the OS keyring.
    #[arg(long)]
    pub passphrase: bool,
}

/// `vault keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write the identity to this new file (mode 0600) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `vault set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The secret's name (also its environment variable name).
    pub name: String,
    /// Replace an existing secret's value (keeps its policy unless new rules are given).
    #[arg(long)]
    pub replace: bool,
    /// Accept a value shorter than 8 bytes (only its raw form will be redacted).
    #[arg(long)]
    pub allow_short: bool,
    /// Host pattern the value may be sent to without asking (repeatable).
    #[arg(long, value_name = "HOST")]
    pub allow: Vec<String>,
    /// Host pattern that needs a confirmation on the terminal each run (repeatable).
    #[arg(long, value_name = "HOST")]
    pub confirm: Vec<String>,
    /// Host pattern the value must never be sent to (repeatable).
    #[arg(long, value_name = "HOST")]
    pub deny: Vec<String>,
    /// A note shown by `vault list`.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Catches a value typed on the command line, so it can be refused without echoing it.
    #[arg(hide = true, num_args = 0.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub value: Vec<OsString>,
}

/// `vault list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON (an array of objects) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `vault rm`.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// The secret to remove.
    pub name: String,
}

/// `vault import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The dotenv file (`-` for stdin).
    pub file: PathBuf,
    /// Replace secrets that already exist.
    #[arg(long)]
    pub replace: bool,
    /// Accept values shorter than 8 bytes.
    #[arg(long)]
    pub allow_short: bool,
}

/// `vault run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Inject only these secrets (comma-separated, repeatable).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Put all three of the command's stdin, stdout and stderr on one PTY (merged output).
    #[arg(long, conflicts_with = "no_pty")]
    pub pty: bool,
    /// Use pipes only, never a PTY.
    #[arg(long)]
    pub no_pty: bool,
    /// The command and its arguments.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<OsString>,
}

/// `vault policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Replace a secret's egress rule. Narrowing always works; widening (anything that lets
    /// the value reach a host it could not reach before, or with less friction) must be
    /// confirmed by typing the secret's name on the terminal. No flag skips that.
    Set(PolicySetArgs),
    /// Show the policy of one secret, or of all.
    Show(PolicyShowArgs),
}

/// `vault policy set`.
#[derive(Debug, Args)]
pub struct PolicySetArgs {
    /// The secret.
    pub name: String,
    /// Host pattern the value may be sent to without asking (repeatable).
    #[arg(long, value_name = "HOST")]
    pub allow: Vec<String>,
    /// Host pattern that needs a confirmation on the terminal each run (repeatable).
    #[arg(long, value_name = "HOST")]
    pub confirm: Vec<String>,
    /// Host pattern the value must never be sent to (repeatable).
    #[arg(long, value_name = "HOST")]
    pub deny: Vec<String>,
}

/// `vault policy show`.
#[derive(Debug, Args)]
pub struct PolicyShowArgs {
    /// Only this secret.
    pub name: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `vault audit`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    /// Verify instead of showing.
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Only entries since a time (RFC 3339) or for a duration back from now (2h, 7d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
}

/// `vault audit verify`.
#[derive(Clone, Copy, Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; report the first edited, reordered or deleted entry.
    Verify,
}

/// `vault generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// What to generate.
    pub what: Generated,
    /// The output directory.
    pub dir: PathBuf,
}

/// Generated artefacts.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Generated {
    /// man pages (vault.1 and one per subcommand).
    Man,
    /// bash, zsh, fish, elvish and powershell completions.
    Completions,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}

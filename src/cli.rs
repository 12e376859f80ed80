//! The command line, as clap derive types. Doc comments are the help text and the man page;
//! there is no logic here.

// Help text mentions `[REDACTED:NAME]` literally; it is not a rustdoc link.
#![allow(rustdoc::broken_intra_doc_links)]

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
    /// Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the
    /// working directory, and the personal store), or the remote store at this URL:
    /// openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or
    /// openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only).
    #[arg(long, global = true, value_name = "DIR|URL", env = "VAULT_STORE")]
    pub store: Option<PathBuf>,
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
    /// Remove one or more secrets (all or nothing).
    Rm(RmArgs),
    /// Import secrets from a dotenv file (KEY=VALUE lines), all or nothing.
    ///
    /// Every line must be an acceptable secret, or nothing is imported. An ordinary .env
    /// also holds settings (`PORT=8080`, `DEBUG=1`, `EMPTY=`): --skip-short imports the
    /// secrets and skips (and names) the empty and short values. --allow/--confirm/--deny
    /// and --description apply to every secret imported.
    Import(ImportArgs),
    /// Run a command with secrets in its environment and placeholders, redacting its output.
    ///
    /// Every secret (or those named by --only, or those the argv placeholders reference) is
    /// set as an environment variable of the same name. `{{secure.NAME}}` anywhere in an
    /// argument is replaced by the value when the command is started. Everything the command
    /// writes passes through the redactor, which replaces each stored value and its common
    /// encodings with [REDACTED:NAME]. The command's exit status is vault's.
    ///
    /// With --net strict (Linux) the command runs in a network namespace of its own holding
    /// only loopback: no route, no DNS. Its one way out is vault's proxy (HTTP CONNECT,
    /// plain HTTP and SOCKS5 on 127.0.0.1:3128, named by HTTP_PROXY, HTTPS_PROXY and
    /// ALL_PROXY), which lets a connection through only to a host and port that every
    /// injected secret's policy allows, answers others with 403 and an X-Vault-Refused
    /// header, and audits each. This closes what an argv check cannot see (URLs built at
    /// run time, hosts inside scripts, raw sockets, DNS labels); it does not judge content:
    /// a command allowed to reach github.com can push anything there. Unix socket files
    /// remain reachable. Set `net = "strict"` in config.toml to make it the default.
    Run(RunArgs),
    /// Copy stdin to stdout with every stored value (and its encodings) redacted.
    Redact,
    /// Show or change a secret's egress policy (where its value may be sent).
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Show the audit log, or verify its hash chain.
    Audit(AuditArgs),
    /// Show which store is used and how it was found, how it unlocks, how many secrets it
    /// holds and its recipients (never a value).
    ///
    /// With no store yet it still diagnoses: which store would be used and how it was
    /// chosen, whether config.toml parses, and each unlock route in order (present, absent
    /// or failing, and why); then it exits 66. It never prompts.
    #[command(alias = "where")]
    Status(StatusArgs),
    /// List, add or remove the public keys the store is encrypted to (age or SSH).
    #[command(subcommand)]
    Recipients(RecipientsCommand),
    /// Configure this git repository to diff and merge .vault/store.age by name.
    ///
    /// Sets, in the repository's own config, a textconv diff driver (names, descriptions,
    /// policies, recipients and `updated` times — never values) and a merge driver that
    /// merges two versions of the store secret by secret, and adds
    /// `.vault/store.age diff=vault merge=vault` to .gitattributes.
    GitSetup,
    /// Search files for stored values and their encodings (exit 1 when any is found).
    ///
    /// Walks each PATH (default: the current directory), honouring .gitignore, skipping
    /// binary files unless --binary, and prints `path:line:col NAME (encoding)` for each
    /// occurrence — never the value or the matched text.
    Scan(ScanArgs),
    /// Print the completion script for a shell on stdout.
    ///
    /// install.sh installs bash, zsh and fish scripts; after `cargo install`, e.g.
    /// `vault completions bash > ~/.local/share/bash-completion/completions/vault`. The scripts
    /// complete the command after `vault run --` and secret names after `--only` (names only,
    /// from a store that unlocks without asking; never a prompt).
    Completions(CompletionsArgs),
    /// Print the store's secret names, one a line, for shell completion (hidden). Never
    /// prompts: with a store that needs a passphrase it prints nothing.
    #[command(hide = true)]
    CompleteNames,
    /// Approvals: the one-time codes (TOTP) that every widening needs.
    ///
    /// Widening a policy, adding a recipient, a `confirm` egress rule during a run, the first
    /// write into a project store you did not create (or whose recipients changed) and
    /// accepting a rolled-back store each need a 6-digit code from your authenticator app,
    /// typed on your own terminal (never stdin, never inside `vault run`). A store with no
    /// factor enrolled refuses every approval.
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
    /// Print a decrypted listing of a store file for `git diff` (hidden; see git-setup).
    #[command(hide = true)]
    GitTextconv(GitTextconvArgs),
    /// Merge three versions of a store file for git (hidden; see git-setup).
    #[command(hide = true)]
    GitMerge(GitMergeArgs),
    /// Serve vault to an AI agent over the Model Context Protocol, on stdin and stdout.
    ///
    /// Tools: list_secrets (names, descriptions and policies, never values), run (a
    /// command under `vault run`, output redacted), check (the egress decision without
    /// running anything) and request_secret (the user types a new value on a one-time page
    /// on 127.0.0.1; the agent never sees it). No tool returns a value, widens a policy,
    /// adds a recipient or replaces a secret; every call is audited.
    Mcp,
    /// Hooks for agents that run shell commands themselves (Claude Code).
    #[command(subcommand)]
    Hook(HookCommand),
    /// Print a short block for AGENTS.md or CLAUDE.md telling a model how to use vault.
    AgentInstructions,
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
    /// Create a project store in ./.vault (to commit with the project) instead of the
    /// personal store; it uses your personal identity when the keyring has one.
    #[arg(long)]
    pub project: bool,
}

/// `vault status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `vault approvals …`.
#[derive(Debug, Subcommand)]
pub enum ApprovalsCommand {
    /// Show whether a factor is enrolled, whether this terminal can approve, and the store's
    /// trust and generation.
    Status,
    /// Enrol a TOTP factor: shows a QR code and an otpauth:// URI once, then asks for the
    /// code your app shows. Replacing an enrolled factor needs a code from it first.
    Enrol,
    /// Trust the project store for writes with its current recipients (an approval).
    Trust,
    /// Accept a store older than one this machine has seen (a deliberate revert; an
    /// approval).
    AcceptRollback,
}

/// `vault recipients …`.
#[derive(Debug, Subcommand)]
pub enum RecipientsCommand {
    /// List the recipients (public keys) the store is encrypted to.
    List(RecipientsListArgs),
    /// Add a recipient and re-encrypt the store to it. Whoever holds its identity can then
    /// read every value: this needs an approval (a one-time code from your authenticator
    /// app, see `vault approvals`), and no flag skips that.
    Add(RecipientArgs),
    /// Remove a recipient and re-encrypt the store without it. The values they could read
    /// must be rotated; vault lists them.
    Rm(RecipientArgs),
}

/// `vault recipients list`.
#[derive(Debug, Args)]
pub struct RecipientsListArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `vault recipients add|rm`.
#[derive(Debug, Args)]
pub struct RecipientArgs {
    /// An age public key (age1…) or an SSH public key line (ssh-ed25519 AAAA… or
    /// ssh-rsa AAAA…, quoted as one argument; a trailing comment is ignored).
    pub key: String,
}

/// `vault scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to search (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also search binary files (a NUL byte in the first 8 KiB).
    #[arg(long)]
    pub binary: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `vault completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `vault git-textconv`.
#[derive(Debug, Args)]
pub struct GitTextconvArgs {
    /// The store file to list.
    pub file: PathBuf,
}

/// `vault git-merge`.
#[derive(Debug, Args)]
pub struct GitMergeArgs {
    /// The common ancestor's version (%O).
    pub base: PathBuf,
    /// Our version (%A); the result is written here.
    pub ours: PathBuf,
    /// Their version (%B).
    pub theirs: PathBuf,
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
    /// Replace an existing secret's value. Its policy is kept: --allow/--confirm/--deny are
    /// refused with --replace (change the policy with `vault policy set`).
    #[arg(long)]
    pub replace: bool,
    /// Accept a value shorter than 8 bytes (only its raw form will be redacted).
    #[arg(long)]
    pub allow_short: bool,
    /// The egress rule.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// A note shown by `vault list`.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Catches a value typed on the command line, so it can be refused without echoing it.
    /// (A word that looks like a flag is parsed as one, so a mistyped flag is named.)
    #[arg(hide = true, num_args = 0.., trailing_var_arg = true)]
    pub value: Vec<OsString>,
}

/// `--allow/--confirm/--deny`: a secret's egress rule, shared by `set` and `policy set`.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Host pattern the value may be sent to without asking (repeatable).
    #[arg(long, value_name = "HOST")]
    pub allow: Vec<String>,
    /// Host pattern that needs an approval (a one-time code) each run (repeatable).
    #[arg(long, value_name = "HOST")]
    pub confirm: Vec<String>,
    /// Host pattern the value must never be sent to (repeatable).
    #[arg(long, value_name = "HOST")]
    pub deny: Vec<String>,
    /// Under `run --net broker`: `headers` (the default: the command holds a stand-in and
    /// the value goes only into request heads to allowed hosts), `body` (into request bodies
    /// too), or `never` (injected for real, for non-HTTP clients).
    #[arg(long, value_name = "HOW")]
    pub broker: Option<crate::egress::policy::Brokering>,
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
    /// The secrets to remove; when any is not stored, none is removed.
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,
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
    #[arg(long, conflicts_with = "skip_short")]
    pub allow_short: bool,
    /// Skip (and name) empty values and values shorter than 8 bytes — the settings in an
    /// ordinary .env — and import the rest.
    #[arg(long)]
    pub skip_short: bool,
    /// The egress rule of every imported secret (a replaced secret keeps its own policy).
    #[command(flatten)]
    pub rules: RuleArgs,
    /// A note shown by `vault list`, for every imported secret.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
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
    /// Network control: `argv` checks the destinations readable in argv (the default);
    /// `strict` runs the command in a network namespace of its own (Linux) whose only way
    /// out is vault's proxy, which lets each connection through only to hosts every injected
    /// secret's policy allows (and that match --allow-host when given); `broker` also gives
    /// the command stand-ins instead of the values. The stricter of this and config.toml's
    /// `net` applies. Where a namespace cannot be made, strict refuses (exit 69).
    /// broker covers HTTP(S)/1.1 only: the proxy terminates TLS with a per-run CA (trusted
    /// through SSL_CERT_FILE, CURL_CA_BUNDLE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS,
    /// GIT_SSL_CAINFO), puts each value into requests only towards hosts its policy allows,
    /// refuses (403, audited) a stand-in sent elsewhere, and turns the value back into the
    /// stand-in in responses. A secret set with `--broker never` is injected for real.
    #[arg(long, value_enum, value_name = "MODE")]
    pub net: Option<crate::net::NetMode>,
    /// Under --net strict|broker, a host the command may reach (repeatable), as a policy
    /// pattern: `example.com`, `*.example.com`, `example.com:443`. With no secret injected
    /// nothing is reachable without one; with secrets it can only narrow their policies.
    #[arg(long = "allow-host", value_name = "PATTERN")]
    pub allow_host: Vec<String>,
    /// Under --net broker, a PEM file of extra CA certificates to trust for upstream hosts
    /// (a private CA).
    #[arg(long = "net-ca", value_name = "FILE")]
    pub net_ca: Option<std::path::PathBuf>,
    /// Remote stores: reuse what was read from the server for this long (e.g. 30s, at most
    /// 15m), from a cache file encrypted to your own identity. Off by default; any write
    /// through vault deletes the cache.
    #[arg(long, value_name = "TTL", value_parser = crate::remote::cache::parse_ttl)]
    pub cache: Option<std::time::Duration>,
    /// Write a JSON summary of the run to FILE when it ends (exit code, network mode,
    /// destinations and the decision, redaction counts per name; never a value).
    #[arg(long, value_name = "FILE")]
    pub json_summary: Option<PathBuf>,
    /// The command and its arguments. A command word that starts with `-` must follow
    /// `--` (so a mistyped vault flag is a usage error, not a command); after the command
    /// word every argument is the command's own.
    #[arg(
        required = true,
        trailing_var_arg = true,
        value_name = "COMMAND",
        value_hint = clap::ValueHint::CommandWithArguments
    )]
    pub command: Vec<OsString>,
}

/// `vault hook …`.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Claude Code's PreToolUse hook for its Bash tool: reads the hook's JSON on stdin and
    /// answers with the command rewritten to run under `vault run`, or a denial when the
    /// egress check already refuses it.
    ClaudeCode(ClaudeCodeHookArgs),
    /// Add `vault hook claude-code` to Claude Code's settings (shows the change first;
    /// idempotent).
    Install(HookInstallArgs),
}

/// `vault hook claude-code`.
#[derive(Debug, Args)]
pub struct ClaudeCodeHookArgs {
    /// Answer "allow" with the rewritten command, so Claude Code runs it without its own
    /// permission prompt (its deny and ask rules still apply). Without this the answer is
    /// "ask": the user approves the rewritten command as before.
    #[arg(long)]
    pub auto_approve: bool,
}

/// `vault hook install`.
#[derive(Debug, Args)]
pub struct HookInstallArgs {
    /// The agent.
    pub agent: HookAgent,
    /// Write ./.claude/settings.json (this project) instead of ~/.claude/settings.json.
    #[arg(long)]
    pub project: bool,
}

/// Agents with a hook vault can install.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum HookAgent {
    /// Claude Code (a PreToolUse hook on its Bash tool).
    ClaudeCode,
}

/// `vault policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Replace a secret's egress rule. Narrowing always works; widening (anything that lets
    /// the value reach a host it could not reach before, or with less friction) needs an
    /// approval: a one-time code from your authenticator app (`vault approvals`). No flag
    /// skips that. At least one rule is needed; --clear removes every rule (the value may
    /// then go nowhere).
    Set(PolicySetArgs),
    /// Show the policy of one secret, or of all.
    Show(PolicyShowArgs),
}

/// `vault policy set`.
#[derive(Debug, Args)]
pub struct PolicySetArgs {
    /// The secret.
    pub name: String,
    /// The egress rule.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Remove every rule instead (no host allowed).
    #[arg(long, conflicts_with_all = ["allow", "confirm", "deny"])]
    pub clear: bool,
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

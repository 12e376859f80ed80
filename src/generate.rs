//! Man pages and shell completions, generated from the clap definition in `cli.rs`.
//!
//! The results are checked in under `man/` and `completions/`; a test regenerates them in
//! memory and fails when the checked-in copies are stale. `vault generate man man/` and
//! `vault generate completions completions/` rewrite them.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, GenerateArgs, Generated};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secret::{RESERVED_NAMES, RESERVED_PREFIXES, RESERVED_RULES};

mod completion;
mod pages;

/// Writes the requested files into `args.dir`.
pub fn run(args: &GenerateArgs) -> Result<Exit> {
    let files = match args.what {
        Generated::Man => man_pages()?,
        Generated::Completions => completions(),
    };
    std::fs::create_dir_all(&args.dir).map_err(|e| Error::io(args.dir.display(), &e))?;
    for (name, bytes) in files {
        let path = args.dir.join(&name);
        std::fs::write(&path, bytes).map_err(|e| Error::io(path.display(), &e))?;
    }
    Ok(Exit::Success)
}

/// Completion scripts: (file name, contents).
#[must_use]
pub fn completions() -> Vec<(String, Vec<u8>)> {
    [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ]
    .into_iter()
    .map(|shell| {
        let name = match shell {
            Shell::Bash => "vault.bash".to_string(),
            Shell::Zsh => "_vault".to_string(),
            Shell::Fish => "vault.fish".to_string(),
            Shell::Elvish => "vault.elv".to_string(),
            _ => "_vault.ps1".to_string(),
        };
        (name, completion(shell))
    })
    .collect()
}

/// The completion script for one shell (`vault completions SHELL` prints it).
#[must_use]
pub fn completion(shell: Shell) -> Vec<u8> {
    completion::script(shell, Cli::command())
}

/// Man pages: `vault.1` (with EXIT STATUS, ENVIRONMENT, FILES, SECURITY and EXAMPLES
/// sections) and one `vault-<sub>.1` per visible subcommand.
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let fail =
        |e: std::io::Error| Error::new(Exit::Failure, format!("cannot render man page: {e}"));
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    let mut top = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut top)
        .map_err(fail)?;
    top.extend_from_slice(extra_sections().as_bytes());
    pages.push(("vault.1".to_string(), top));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("vault-{}", sub.get_name());
        let sub = sub.clone().name(name.clone());
        let mut page = Vec::new();
        clap_mangen::Man::new(sub).render(&mut page).map_err(fail)?;
        if let Some(extra) = pages::page(&name["vault-".len()..]) {
            page.extend_from_slice(sub_sections(extra).as_bytes());
        }
        pages.push((format!("{name}.1"), page));
    }
    Ok(pages)
}

/// Escapes text for roff.
fn roff(text: &str) -> String {
    let mut out = text.replace('\\', "\\\\").replace('-', "\\-");
    if out.starts_with('.') || out.starts_with('\'') {
        out.insert_str(0, "\\&");
    }
    out
}

fn section(out: &mut String, title: &str, rows: &[(&str, &str)]) {
    out.push_str(&format!(".SH \"{title}\"\n"));
    for (tag, body) in rows {
        out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(tag), roff(body)));
    }
}

fn paragraphs(out: &mut String, title: &str, paras: &[&str]) {
    out.push_str(&format!(".SH \"{title}\"\n"));
    for p in paras {
        out.push_str(&format!(".PP\n{}\n", roff(p)));
    }
}

/// EXIT STATUS, REFUSES, EXAMPLES and SEE ALSO for one subcommand's page.
fn sub_sections(page: &pages::Page) -> String {
    let mut s = String::new();
    section(&mut s, "EXIT STATUS", page.exit);
    if !page.refuses.is_empty() {
        paragraphs(&mut s, "REFUSES", page.refuses);
    }
    section(&mut s, "EXAMPLES", page.examples);
    s.push_str(".SH \"SEE ALSO\"\n\\fBvault\\fR(1): every exit status, the environment, files, reserved names, injection, redaction and egress policy.\n");
    s
}

fn extra_sections() -> String {
    let mut s = String::new();
    section(&mut s, "EXIT STATUS", Exit::TABLE);
    section(
        &mut s,
        "ENVIRONMENT",
        &[
            (
                "VAULT_HOME",
                "Directory of the store, unless --store is given; it wins over a .vault/ project store found upward (default: ~/.local/share/vault on Linux). Must be a real directory owned by you and not writable by group or others.",
            ),
            (
                "VAULT_IDENTITY",
                "An age identity (AGE-SECRET-KEY-1...) that opens the store; tried first. For CI: keep it in the CI's secret store. Never passed to a child; redacted like a secret.",
            ),
            (
                "VAULT_IDENTITY_FILE",
                "Path to an age identity file; tried second. Never passed to a child.",
            ),
            (
                "VAULT_STORE",
                "As --store: a store directory, or a remote store URL, openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2 over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (loopback only).",
            ),
            (
                "BAO_TOKEN, VAULT_TOKEN",
                "A remote store's server token, tried first; then BAO_ROLE_ID + BAO_SECRET_ID (AppRole login), then ~/.vault-token. Never passed to a child; redacted like a secret.",
            ),
            (
                "BAO_CACERT, VAULT_CACERT",
                "A PEM file of the CA that signs a remote store server's certificate (instead of the system roots).",
            ),
            (
                "BAO_ADDR, VAULT_ADDR",
                "Only consulted for a .vault/remote pointer: the token is sent to the pointer's server only when this names the same server.",
            ),
        ],
    );
    section(
        &mut s,
        "FILES",
        &[
            (
                "$VAULT_HOME/store.age",
                "The store: names, values, metadata and per-secret policy, one age file encrypted to every recipient. Mode 0600, replaced atomically.",
            ),
            ("$VAULT_HOME/store.lock", "Serialises writers."),
            (
                "$VAULT_HOME/identity.age",
                "The identity under a passphrase (age scrypt), when the OS keyring is not used.",
            ),
            (
                "$VAULT_HOME/config.toml",
                "Preferences only: keyring = true|false, pty = \"auto\"|\"always\"|\"never\". Unknown keys are an error. Nothing here can loosen a policy.",
            ),
            (
                ".vault/",
                "A project store (vault init --project), or a remote store pointer (.vault/remote: one line, the store URL), found from the nearest .vault/ at or above the working directory when neither --store nor VAULT_HOME is given. Commit store.age, recipients (the public keys, informational: rewritten on every change, never read), README and .gitignore; the other files stay local.",
            ),
        ],
    );
    let names: Vec<&str> = RESERVED_NAMES.iter().map(|(n, _)| *n).collect();
    let prefixes: Vec<&str> = RESERVED_PREFIXES.iter().map(|(p, _)| *p).collect();
    let reserved = format!(
        "The rule: a secret name is refused when a common program reads that variable as code or a place to load code from, as configuration, trust or a network route, or as the child's identity, rather than as a credential (compared case-insensitively). vault set and vault import refuse such names; a store that already holds one (written by an older vault or by hand) still lists and removes it, but vault run refuses to inject it. The names: {}; every name starting with {}; and {}.",
        names.join(", "),
        prefixes.join(", "),
        RESERVED_RULES.join(", ")
    );
    let inline = "The same rule judges the command line: vault run refuses an inline assignment of such a variable in argv (VAR=value cmd, env VAR=value cmd, export in a sh -c script, a wrapper's environment), as in env HOME=DIR curl URL, where a .curlrc in DIR could send the request elsewhere. Exceptions: NO_PROXY, which only turns proxying off, and the identity names (TERM, TZ, TZDIR, USER, LOGNAME, PWD, OLDPWD, TMPDIR, MALLOC_CHECK_, MALLOC_PERTURB_).";
    paragraphs(&mut s, "RESERVED NAMES", &[&reserved, inline]);
    paragraphs(
        &mut s,
        "INJECTION AND REDACTION",
        &[
            "vault run sets every secret (or those named by --only, or those the argv placeholders reference) as an environment variable of the same name, and replaces {{secure.NAME}} anywhere in an argument by the value, byte-exact, when the command starts. An unknown or malformed placeholder, or one excluded by --only, refuses the run. VAULT_IDENTITY and VAULT_IDENTITY_FILE never reach the child.",
            "Each of fds 0-2 that is a terminal for vault becomes vault's own PTY for the child; the others stay pipes (--pty: all three on one PTY; --no-pty: pipes only). The child never receives vault's real terminal.",
            "Everything the child writes passes through a streaming redactor that replaces every stored value, and its base64/base64url (all alignments), hex, percent- and JSON-escaped forms, with [REDACTED:NAME]. It holds back only bytes that could still start a secret, so prompts without a newline appear at once.",
        ],
    );
    paragraphs(
        &mut s,
        "EGRESS POLICY",
        &[
            "Each secret has allow, confirm and deny lists of host patterns (host, *.domain or *, each with an optional :port). Before a run, the destinations in argv (URLs, curl/wget targets, user@host, host:port, database clients, inside sh -c scripts and after wrappers such as env, sudo, xargs, timeout) are normalised and checked for every injected secret: deny refuses, confirm asks on /dev/tty (no terminal: refused), allow passes, and no matching rule refuses. A command with no destination runs. Anything that hides or redirects the destination (proxies, Host headers, --resolve, ssh ProxyCommand, git -c http.proxy) refuses the run.",
            "Widening a policy (vault policy set) requires typing the secret's name on the terminal; narrowing does not. No flag skips the confirmation.",
            "An argv check cannot see destinations built at run time, in scripts or config files (~/.ssh/config, ~/.curlrc), proxy variables already in the environment, redirects or DNS tricks.",
        ],
    );
    paragraphs(
        &mut s,
        "SECURITY",
        &[
            "There is deliberately no command that prints a value: no get, show, export, reveal, cat, decrypt or env. Values go in through a hidden prompt or stdin and come out only into a child's environment or argv.",
            "Redaction protects logs and agent contexts from accidents, not from a hostile command. It cannot catch a value the child transforms (reversed, hard-wrapped, compressed, encrypted, split across separate writes interleaved with other text, or encoded in a way vault does not know), and values shorter than 8 bytes have only their raw form redacted. Argv placeholders are visible in /proc/PID/cmdline to other users of the machine while the child runs: prefer the environment.",
            "vault sets PR_SET_DUMPABLE=0 and a soft RLIMIT_CORE of 0 for itself.",
        ],
    );
    s.push_str(".SH EXAMPLES\n");
    for (cmd, what) in [
        (
            "vault init",
            "Create the store; the identity goes to the OS keyring.",
        ),
        (
            "printf %s \"$TOKEN\" | vault set GITHUB_TOKEN --allow api.github.com",
            "Store a value from stdin with an egress rule.",
        ),
        ("vault list --json", "Names, dates and policies as JSON."),
        (
            "vault run -- ./deploy.sh",
            "Run with every secret in the environment.",
        ),
        ("make 2>&1 | vault redact", "Scrub a build log."),
    ] {
        s.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(cmd), roff(what)));
    }
    s
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use clap::CommandFactory as _;

    /// Every visible subcommand's man page says more than its --help: its exit statuses and
    /// examples (src/generate/pages.rs).
    #[test]
    fn every_subcommand_has_a_page() {
        let cmd = crate::cli::Cli::command();
        let missing: Vec<&str> = cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(clap::Command::get_name)
            .filter(|n| {
                super::pages::page(n).is_none_or(|p| p.exit.is_empty() || p.examples.is_empty())
            })
            .collect();
        assert!(
            missing.is_empty(),
            "no page in src/generate/pages.rs: {missing:?}"
        );
    }

    /// Fails when `man/` or `completions/` differ from what the CLI definition generates.
    /// `VAULT_REGENERATE=1 cargo test generated` rewrites them.
    #[test]
    fn generated_files_are_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let sets = [
            ("man", super::man_pages().expect("man pages render")),
            ("completions", super::completions()),
        ];
        let regenerate = std::env::var_os("VAULT_REGENERATE").is_some();
        let mut stale = Vec::new();
        for (dir, files) in sets {
            let dir = root.join(dir);
            for (name, bytes) in files {
                let path = dir.join(&name);
                if std::fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
                    if regenerate {
                        std::fs::create_dir_all(&dir).expect("create dir");
                        std::fs::write(&path, &bytes).expect("write generated file");
                    } else {
                        stale.push(path.display().to_string());
                    }
                }
            }
        }
        assert!(
            stale.is_empty(),
            "stale generated files (run `VAULT_REGENERATE=1 cargo test generated`): {stale:?}"
        );
    }
}

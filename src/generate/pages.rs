//! What each subcommand's own man page adds to its `--help`: the exit statuses it can
//! return (with what each means for that command), what it refuses, and examples. One
//! [`Page`] per visible subcommand; a test fails when a subcommand has none, so a new
//! command cannot ship with a page that is only its help text.

/// The extra sections of `vault-NAME(1)`.
pub struct Page {
    /// The subcommand's name.
    pub name: &'static str,
    /// (status, what it means for this command).
    pub exit: &'static [(&'static str, &'static str)],
    /// What the command refuses to do, and why (one paragraph each).
    pub refuses: &'static [&'static str],
    /// (command line, what it does).
    pub examples: &'static [(&'static str, &'static str)],
}

const LOCKED: (&str, &str) = (
    "75",
    "Locked: no identity is configured, or none of them opens the store.",
);
const NO_STORE: (&str, &str) = (
    "66",
    "There is no store yet: run vault init (with the same --store, if you gave one).",
);
const UNSAFE: (&str, &str) = (
    "74",
    "The store or its directory cannot be used safely: a symlink, another owner, group- or world-writable, a full disk, a damaged file.",
);
const CONFIG: (&str, &str) = ("78", "config.toml or a stored policy cannot be parsed.");
const USAGE: (&str, &str) = ("2", "Usage error: an unknown flag, a missing argument.");
const OK: (&str, &str) = ("0", "Success.");

/// Every visible subcommand's page.
pub const PAGES: &[Page] = &[
    Page {
        name: "init",
        exit: &[
            OK,
            USAGE,
            (
                "73",
                "A store already exists there: vault init never replaces one.",
            ),
            UNSAFE,
            (
                "75",
                "--passphrase with no terminal to type it on, or a keyring that refuses the new identity.",
            ),
        ],
        refuses: &[
            "An existing store, whatever state it is in. A failed init removes only the files it created.",
            "A home directory that is a symlink, belongs to another user, or is writable by group or others.",
        ],
        examples: &[
            (
                "vault init",
                "A personal store; its identity goes to the OS keyring (identity.age under a passphrase when there is none).",
            ),
            (
                "vault init --project",
                "A project store in ./.vault, to commit with the project.",
            ),
            (
                "VAULT_IDENTITY=\"$(cat ci-identity.txt)\" vault init",
                "A store for CI, encrypted to that identity; nothing is kept.",
            ),
        ],
    },
    Page {
        name: "keygen",
        exit: &[
            OK,
            USAGE,
            ("73", "-o names a file that exists: nothing is generated."),
            ("74", "The output file cannot be written."),
        ],
        refuses: &[
            "Overwriting a file with -o: it checks first, so no identity is generated and then thrown away.",
        ],
        examples: &[(
            "vault keygen -o ci-identity.txt",
            "A new identity in a new 0600 file; its public key on stderr.",
        )],
    },
    Page {
        name: "set",
        exit: &[
            OK,
            (
                "2",
                "Usage error, or a value given on the command line (it is never echoed).",
            ),
            (
                "65",
                "A bad or reserved name, an empty value, a value shorter than 8 bytes without --allow-short, a bad host pattern.",
            ),
            NO_STORE,
            ("73", "The name exists: use --replace."),
            UNSAFE,
            LOCKED,
            ("77", "A change that needs an approval that was not given."),
        ],
        refuses: &[
            "A value on the command line: values come from a hidden prompt (typed twice) or from stdin, never argv, where shell history and /proc/PID/cmdline would keep them.",
            "Names that programs read as configuration or trust rather than as a credential (see RESERVED NAMES in vault(1)).",
            "Overwriting an existing secret without --replace (write-once).",
        ],
        examples: &[
            (
                "vault set GITHUB_TOKEN --allow api.github.com",
                "Prompt for the value; it may be sent only to api.github.com.",
            ),
            (
                "printf %s \"$PW\" | vault set DB_PASSWORD --allow db.internal:5432",
                "From stdin; exactly one trailing newline is stripped.",
            ),
            (
                "vault set GITHUB_TOKEN --replace",
                "A new value for an existing secret; its policy is kept.",
            ),
        ],
    },
    Page {
        name: "list",
        exit: &[OK, NO_STORE, UNSAFE, LOCKED, CONFIG],
        refuses: &["Showing a value, its length, a hash or a prefix: only names and metadata."],
        examples: &[
            (
                "vault list",
                "A table of names, dates, descriptions and policies.",
            ),
            ("vault list --json", "The same as JSON, for scripts."),
        ],
    },
    Page {
        name: "rm",
        exit: &[
            OK,
            USAGE,
            ("65", "An unknown name: nothing is removed."),
            NO_STORE,
            UNSAFE,
            LOCKED,
        ],
        refuses: &["A name that does not exist."],
        examples: &[(
            "vault rm OLD_TOKEN",
            "Remove a secret (rotate it too: whoever could read the store before still has the value).",
        )],
    },
    Page {
        name: "import",
        exit: &[
            OK,
            USAGE,
            (
                "65",
                "The file is not valid dotenv, or a name or value is refused: nothing is imported.",
            ),
            ("66", "The file does not exist (or there is no store yet)."),
            (
                "73",
                "A name exists and --replace was not given: nothing is imported.",
            ),
            UNSAFE,
            LOCKED,
        ],
        refuses: &["A partial import: all secrets are stored, or none."],
        examples: &[
            (
                "vault import .env",
                "Every KEY=VALUE of .env, all or nothing.",
            ),
            ("vault import - < .env.production", "From stdin."),
        ],
    },
    Page {
        name: "run",
        exit: &[
            (
                "n",
                "The child's own exit status, passed through (a child may exit with any number, including the ones below).",
            ),
            ("128+N", "The child was killed by signal N."),
            ("2", "A mistyped vault option before the command."),
            (
                "65",
                "An unknown secret in --only or a placeholder, or a malformed placeholder: nothing ran.",
            ),
            NO_STORE,
            UNSAFE,
            LOCKED,
            (
                "77",
                "The egress policy refused the run, a destination could not be checked, or a confirmation could not be given: nothing ran.",
            ),
            CONFIG,
            (
                "125",
                "vault failed around the child (terminal, spawn, I/O).",
            ),
            ("126", "The command is not executable."),
            ("127", "The command was not found."),
        ],
        refuses: &[
            "Destinations its secrets' policies do not allow, and any argv it cannot check (proxies, config files, Host headers, --resolve, ssh ProxyCommand, a host assembled from variables): the run does not start.",
            "Giving the child vault's real terminal: each of fds 0-2 that is a terminal becomes vault's own PTY.",
            "Passing unlock material (VAULT_IDENTITY, VAULT_IDENTITY_FILE) to the child.",
        ],
        examples: &[
            (
                "vault run -- ./deploy.sh",
                "Every secret in the environment; output redacted.",
            ),
            (
                "vault run --only GITHUB_TOKEN -- gh repo list",
                "Only one secret is injected (and checked).",
            ),
            (
                "vault run -- curl -H 'Authorization: Bearer {{secure.GITHUB_TOKEN}}' https://api.github.com/user",
                "A placeholder, replaced when the command starts; api.github.com must be allowed.",
            ),
            (
                "vault run -- make test 2>&1 | tee build.log",
                "A log with no values in it.",
            ),
        ],
    },
    Page {
        name: "redact",
        exit: &[
            OK,
            NO_STORE,
            UNSAFE,
            LOCKED,
            ("74", "stdin or stdout failed."),
        ],
        refuses: &[
            "Nothing: bytes that are not a stored value (or an encoding of one) pass unchanged, invalid UTF-8 included.",
        ],
        examples: &[
            ("make 2>&1 | vault redact", "Scrub a build log."),
            ("vault redact < app.log > app.clean.log", "Clean a file."),
        ],
    },
    Page {
        name: "policy",
        exit: &[
            OK,
            USAGE,
            (
                "65",
                "An unknown name or a bad host pattern: the policy is unchanged.",
            ),
            NO_STORE,
            UNSAFE,
            LOCKED,
            (
                "77",
                "A widening that was not approved: the policy is unchanged.",
            ),
            CONFIG,
        ],
        refuses: &[
            "Widening a policy without an approval; narrowing needs none. No flag skips the question.",
        ],
        examples: &[
            (
                "vault policy show",
                "Every secret's allow, confirm and deny lists.",
            ),
            (
                "vault policy set GITHUB_TOKEN --allow api.github.com --deny '*'",
                "Replace a rule.",
            ),
        ],
    },
    Page {
        name: "audit",
        exit: &[
            OK,
            (
                "65",
                "audit verify found an edited, reordered or deleted entry.",
            ),
            NO_STORE,
            UNSAFE,
        ],
        refuses: &["Recording values: entries hold names, hosts, decisions and exit codes only."],
        examples: &[
            ("vault audit --since 2h", "The last two hours."),
            ("vault audit verify", "Check the hash chain."),
        ],
    },
    Page {
        name: "status",
        exit: &[OK, UNSAFE, CONFIG],
        refuses: &[
            "Printing a value: it shows the store, how it was found, how it unlocks, counts and recipients.",
        ],
        examples: &[
            ("vault status", "Which store, found how, unlocked how."),
            ("vault status --json", "The same as JSON."),
        ],
    },
    Page {
        name: "recipients",
        exit: &[
            OK,
            USAGE,
            ("65", "A key that is not an age or SSH public key."),
            NO_STORE,
            UNSAFE,
            LOCKED,
            (
                "77",
                "Adding a recipient that was not approved: the store is unchanged.",
            ),
        ],
        refuses: &[
            "Adding a recipient without an approval: whoever holds its identity can read every value.",
        ],
        examples: &[
            (
                "vault recipients list",
                "The public keys the store is encrypted to.",
            ),
            (
                "vault recipients add age1…",
                "Encrypt the store to one more key.",
            ),
        ],
    },
    Page {
        name: "git-setup",
        exit: &[OK, ("1", "Not inside a git repository, or git failed.")],
        refuses: &["Writing anywhere but this repository's own config and .gitattributes."],
        examples: &[(
            "vault git-setup",
            "git diff and git merge then work on .vault/store.age by name.",
        )],
    },
    Page {
        name: "scan",
        exit: &[
            OK,
            ("1", "A stored value (or an encoding of one) was found."),
            ("66", "A path does not exist."),
            NO_STORE,
            ("74", "A file cannot be read."),
            LOCKED,
        ],
        refuses: &["Printing what matched: it prints path:line:col NAME (encoding)."],
        examples: &[
            (
                "vault scan",
                "Search the working tree, honouring .gitignore.",
            ),
            ("vault scan --json logs/", "Search a directory; JSON out."),
        ],
    },
    Page {
        name: "approvals",
        exit: &[
            OK,
            USAGE,
            NO_STORE,
            UNSAFE,
            LOCKED,
            (
                "77",
                "The approval was refused: no factor enrolled, no terminal, inside a terminal vault made, a wrong or replayed code, or too many wrong codes (locked out for a while).",
            ),
        ],
        refuses: &[
            "Reading a code from stdin: codes are read from /dev/tty only, and never inside `vault run` (any depth), whose terminal belongs to the wrapped command.",
            "Replacing an enrolled factor without a code from it.",
            "A code used once (replay), or a code for a time-step at or before the last accepted one.",
        ],
        examples: &[
            (
                "vault approvals enrol",
                "Show a QR code and an otpauth:// URI for your authenticator app, then confirm with its first code.",
            ),
            (
                "vault approvals status",
                "The factor, whether this terminal can approve, the store's generation and trust.",
            ),
            (
                "vault approvals trust",
                "Trust a cloned project store (and its current recipients) for writes.",
            ),
            (
                "vault approvals accept-rollback",
                "Accept a deliberately reverted store.",
            ),
        ],
    },
    Page {
        name: "mcp",
        exit: &[
            OK,
            (
                "1",
                "stdin or stdout failed (the client went away mid-message).",
            ),
        ],
        refuses: &[
            "Returning a value, its length, a hash or a prefix; widening a policy; adding a recipient; replacing a secret. `request_secret` creates new names only, through a one-time 127.0.0.1 page (single use, expires in 10 minutes, Host, Origin and CSRF checked).",
            "Running a command the egress check refuses: the tool result is an error saying why and what to do, and the command never starts. `run` uses --net strict where a network namespace can be made here, and says which mode ran.",
        ],
        examples: &[
            (
                "claude mcp add vault -- vault mcp",
                "Register vault with Claude Code.",
            ),
            (
                "{\"mcpServers\": {\"vault\": {\"command\": \"vault\", \"args\": [\"mcp\"]}}}",
                "The same for clients configured by JSON (Cursor, Gemini CLI).",
            ),
        ],
    },
    Page {
        name: "hook",
        exit: &[
            OK,
            (
                "2",
                "The hook payload on stdin is not JSON of the documented shape: Claude Code then blocks the call.",
            ),
            (
                "78",
                "hook install: the settings file exists and is not valid JSON; it is left untouched.",
            ),
            ("74", "hook install: the settings file cannot be written."),
        ],
        refuses: &[
            "Approving a command on the agent's behalf: the rewritten command is answered \"ask\" (Claude Code's own permission prompt stays) unless --auto-approve.",
            "Overwriting a malformed settings file, or adding the hook twice.",
        ],
        examples: &[
            (
                "vault hook install claude-code",
                "Add the PreToolUse hook to ~/.claude/settings.json (shows the change first).",
            ),
            (
                "vault hook install claude-code --project",
                "The same in ./.claude/settings.json, to commit.",
            ),
        ],
    },
    Page {
        name: "agent-instructions",
        exit: &[OK],
        refuses: &["Naming any value: the block tells a model how to use placeholders and names."],
        examples: &[(
            "vault agent-instructions >> AGENTS.md",
            "Teach an agent to use vault.",
        )],
    },
    Page {
        name: "completions",
        exit: &[OK, USAGE],
        refuses: &[
            "Prompting: the scripts ask vault for secret names only from a store that opens without a question.",
        ],
        examples: &[
            (
                "vault completions bash > ~/.local/share/bash-completion/completions/vault",
                "bash (needs bash-completion).",
            ),
            (
                "vault completions fish > ~/.config/fish/completions/vault.fish",
                "fish.",
            ),
            (
                "vault completions zsh > ~/.zfunc/_vault",
                "zsh (with ~/.zfunc on fpath).",
            ),
        ],
    },
];

/// The page for `name`, if it has one.
pub fn page(name: &str) -> Option<&'static Page> {
    PAGES.iter().find(|p| p.name == name)
}

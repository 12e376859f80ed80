
use builtin;
use str;

set edit:completion:arg-completer[vault] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'vault'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'vault'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create the store (and an identity to open it)'
            cand keygen 'Print a new age identity on stdout (its public key on stderr), for CI set-up'
            cand set 'Store a secret. The value is read from a hidden prompt (asked twice) or from stdin when stdin is not a terminal — never from the command line'
            cand list 'List secret names with their dates, description and egress policy (never values)'
            cand rm 'Remove one or more secrets (all or nothing)'
            cand import 'Import secrets from a dotenv file (KEY=VALUE lines), all or nothing'
            cand run 'Run a command with secrets in its environment and placeholders, redacting its output'
            cand redact 'Copy stdin to stdout with every stored value (and its encodings) redacted'
            cand policy 'Show or change a secret''s egress policy (where its value may be sent)'
            cand audit 'Show the audit log, or verify its hash chain'
            cand status 'Show which store is used and how it was found, how it unlocks, how many secrets it holds and its recipients (never a value)'
            cand recipients 'List, add or remove the public keys the store is encrypted to (age or SSH)'
            cand git-setup 'Configure this git repository to diff and merge .vault/store.age by name'
            cand scan 'Search files for stored values and their encodings (exit 1 when any is found)'
            cand completions 'Print the completion script for a shell on stdout'
            cand approvals 'Approvals: the one-time codes (TOTP) that every widening needs'
            cand mcp 'Serve vault to an AI agent over the Model Context Protocol, on stdin and stdout'
            cand hook 'Hooks for agents that run shell commands themselves (Claude Code)'
            cand agent-instructions 'Print a short block for AGENTS.md or CLAUDE.md telling a model how to use vault'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;init'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --passphrase 'Keep the new identity in identity.age under a passphrase instead of the OS keyring'
            cand --project 'Create a project store in ./.vault (to commit with the project) instead of the personal store; it uses your personal identity when the keyring has one'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;keygen'= {
            cand -o 'Write the identity to this new file (mode 0600) instead of stdout'
            cand --output 'Write the identity to this new file (mode 0600) instead of stdout'
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;set'= {
            cand --allow 'Host pattern the value may be sent to without asking (repeatable)'
            cand --confirm 'Host pattern that needs an approval (a one-time code) each run (repeatable)'
            cand --deny 'Host pattern the value must never be sent to (repeatable)'
            cand --broker 'Under `run --net broker`: `headers` (the default: the command holds a stand-in and the value goes only into request heads to allowed hosts), `body` (into request bodies too), or `never` (injected for real, for non-HTTP clients)'
            cand --description 'A note shown by `vault list`'
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --replace 'Replace an existing secret''s value. Its policy is kept: --allow/--confirm/--deny are refused with --replace (change the policy with `vault policy set`)'
            cand --allow-short 'Accept a value shorter than 8 bytes (only its raw form will be redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;list'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --json 'Print JSON (an array of objects) instead of a table'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;rm'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;import'= {
            cand --allow 'Host pattern the value may be sent to without asking (repeatable)'
            cand --confirm 'Host pattern that needs an approval (a one-time code) each run (repeatable)'
            cand --deny 'Host pattern the value must never be sent to (repeatable)'
            cand --broker 'Under `run --net broker`: `headers` (the default: the command holds a stand-in and the value goes only into request heads to allowed hosts), `body` (into request bodies too), or `never` (injected for real, for non-HTTP clients)'
            cand --description 'A note shown by `vault list`, for every imported secret'
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --replace 'Replace secrets that already exist'
            cand --allow-short 'Accept values shorter than 8 bytes'
            cand --skip-short 'Skip (and name) empty values and values shorter than 8 bytes — the settings in an ordinary .env — and import the rest'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;run'= {
            cand --only 'Inject only these secrets (comma-separated, repeatable)'
            cand --net 'Network control: `argv` checks the destinations readable in argv (the default); `strict` runs the command in a network namespace of its own (Linux) whose only way out is vault''s proxy, which lets each connection through only to hosts every injected secret''s policy allows (and that match --allow-host when given); `broker` also gives the command stand-ins instead of the values. The stricter of this and config.toml''s `net` applies. Where a namespace cannot be made, strict refuses (exit 69). broker covers HTTP(S)/1.1 only: the proxy terminates TLS with a per-run CA (trusted through SSL_CERT_FILE, CURL_CA_BUNDLE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, GIT_SSL_CAINFO), puts each value into requests only towards hosts its policy allows, refuses (403, audited) a stand-in sent elsewhere, and turns the value back into the stand-in in responses. A secret set with `--broker never` is injected for real'
            cand --allow-host 'Under --net strict|broker, a host the command may reach (repeatable), as a policy pattern: `example.com`, `*.example.com`, `example.com:443`. With no secret injected nothing is reachable without one; with secrets it can only narrow their policies'
            cand --net-ca 'Under --net broker, a PEM file of extra CA certificates to trust for upstream hosts (a private CA)'
            cand --cache 'Remote stores: reuse what was read from the server for this long (e.g. 30s, at most 15m), from a cache file encrypted to your own identity. Off by default; any write through vault deletes the cache'
            cand --json-summary 'Write a JSON summary of the run to FILE when it ends (exit code, network mode, destinations and the decision, redaction counts per name; never a value)'
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --pty 'Put all three of the command''s stdin, stdout and stderr on one PTY (merged output)'
            cand --no-pty 'Use pipes only, never a PTY'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;redact'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;policy'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand set 'Replace a secret''s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) needs an approval: a one-time code from your authenticator app (`vault approvals`). No flag skips that. At least one rule is needed; --clear removes every rule (the value may then go nowhere)'
            cand show 'Show the policy of one secret, or of all'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;policy;set'= {
            cand --allow 'Host pattern the value may be sent to without asking (repeatable)'
            cand --confirm 'Host pattern that needs an approval (a one-time code) each run (repeatable)'
            cand --deny 'Host pattern the value must never be sent to (repeatable)'
            cand --broker 'Under `run --net broker`: `headers` (the default: the command holds a stand-in and the value goes only into request heads to allowed hosts), `body` (into request bodies too), or `never` (injected for real, for non-HTTP clients)'
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --clear 'Remove every rule instead (no host allowed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;policy;show'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;policy;help'= {
            cand set 'Replace a secret''s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) needs an approval: a one-time code from your authenticator app (`vault approvals`). No flag skips that. At least one rule is needed; --clear removes every rule (the value may then go nowhere)'
            cand show 'Show the policy of one secret, or of all'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;policy;help;set'= {
        }
        &'vault;policy;help;show'= {
        }
        &'vault;policy;help;help'= {
        }
        &'vault;audit'= {
            cand --since 'Only entries since a time (RFC 3339) or for a duration back from now (2h, 7d)'
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --json 'One JSON object per line'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand verify 'Check the hash chain; report the first edited, reordered or deleted entry'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;audit;verify'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;audit;help'= {
            cand verify 'Check the hash chain; report the first edited, reordered or deleted entry'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;audit;help;verify'= {
        }
        &'vault;audit;help;help'= {
        }
        &'vault;status'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --json 'Print JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;recipients'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the recipients (public keys) the store is encrypted to'
            cand add 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this needs an approval (a one-time code from your authenticator app, see `vault approvals`), and no flag skips that'
            cand rm 'Remove a recipient and re-encrypt the store without it. The values they could read must be rotated; vault lists them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;recipients;list'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;recipients;add'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;recipients;rm'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;recipients;help'= {
            cand list 'List the recipients (public keys) the store is encrypted to'
            cand add 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this needs an approval (a one-time code from your authenticator app, see `vault approvals`), and no flag skips that'
            cand rm 'Remove a recipient and re-encrypt the store without it. The values they could read must be rotated; vault lists them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;recipients;help;list'= {
        }
        &'vault;recipients;help;add'= {
        }
        &'vault;recipients;help;rm'= {
        }
        &'vault;recipients;help;help'= {
        }
        &'vault;git-setup'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;scan'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --binary 'Also search binary files (a NUL byte in the first 8 KiB)'
            cand --json 'Print JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;completions'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;approvals'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Show whether a factor is enrolled, whether this terminal can approve, and the store''s trust and generation'
            cand enrol 'Enrol a TOTP factor: shows a QR code and an otpauth:// URI once, then asks for the code your app shows. Replacing an enrolled factor needs a code from it first'
            cand trust 'Trust the project store for writes with its current recipients (an approval)'
            cand accept-rollback 'Accept a store older than one this machine has seen (a deliberate revert; an approval)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;approvals;status'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;approvals;enrol'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;approvals;trust'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;approvals;accept-rollback'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;approvals;help'= {
            cand status 'Show whether a factor is enrolled, whether this terminal can approve, and the store''s trust and generation'
            cand enrol 'Enrol a TOTP factor: shows a QR code and an otpauth:// URI once, then asks for the code your app shows. Replacing an enrolled factor needs a code from it first'
            cand trust 'Trust the project store for writes with its current recipients (an approval)'
            cand accept-rollback 'Accept a store older than one this machine has seen (a deliberate revert; an approval)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;approvals;help;status'= {
        }
        &'vault;approvals;help;enrol'= {
        }
        &'vault;approvals;help;trust'= {
        }
        &'vault;approvals;help;accept-rollback'= {
        }
        &'vault;approvals;help;help'= {
        }
        &'vault;mcp'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;hook'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand claude-code 'Claude Code''s PreToolUse hook for its Bash tool: reads the hook''s JSON on stdin and answers with the command rewritten to run under `vault run`, or a denial when the egress check already refuses it'
            cand install 'Add `vault hook claude-code` to Claude Code''s settings (shows the change first; idempotent)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;hook;claude-code'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --auto-approve 'Answer "allow" with the rewritten command, so Claude Code runs it without its own permission prompt (its deny and ask rules still apply). Without this the answer is "ask": the user approves the rewritten command as before'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;hook;install'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand --project 'Write ./.claude/settings.json (this project) instead of ~/.claude/settings.json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;hook;help'= {
            cand claude-code 'Claude Code''s PreToolUse hook for its Bash tool: reads the hook''s JSON on stdin and answers with the command rewritten to run under `vault run`, or a denial when the egress check already refuses it'
            cand install 'Add `vault hook claude-code` to Claude Code''s settings (shows the change first; idempotent)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;hook;help;claude-code'= {
        }
        &'vault;hook;help;install'= {
        }
        &'vault;hook;help;help'= {
        }
        &'vault;agent-instructions'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;help'= {
            cand init 'Create the store (and an identity to open it)'
            cand keygen 'Print a new age identity on stdout (its public key on stderr), for CI set-up'
            cand set 'Store a secret. The value is read from a hidden prompt (asked twice) or from stdin when stdin is not a terminal — never from the command line'
            cand list 'List secret names with their dates, description and egress policy (never values)'
            cand rm 'Remove one or more secrets (all or nothing)'
            cand import 'Import secrets from a dotenv file (KEY=VALUE lines), all or nothing'
            cand run 'Run a command with secrets in its environment and placeholders, redacting its output'
            cand redact 'Copy stdin to stdout with every stored value (and its encodings) redacted'
            cand policy 'Show or change a secret''s egress policy (where its value may be sent)'
            cand audit 'Show the audit log, or verify its hash chain'
            cand status 'Show which store is used and how it was found, how it unlocks, how many secrets it holds and its recipients (never a value)'
            cand recipients 'List, add or remove the public keys the store is encrypted to (age or SSH)'
            cand git-setup 'Configure this git repository to diff and merge .vault/store.age by name'
            cand scan 'Search files for stored values and their encodings (exit 1 when any is found)'
            cand completions 'Print the completion script for a shell on stdout'
            cand approvals 'Approvals: the one-time codes (TOTP) that every widening needs'
            cand mcp 'Serve vault to an AI agent over the Model Context Protocol, on stdin and stdout'
            cand hook 'Hooks for agents that run shell commands themselves (Claude Code)'
            cand agent-instructions 'Print a short block for AGENTS.md or CLAUDE.md telling a model how to use vault'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;help;init'= {
        }
        &'vault;help;keygen'= {
        }
        &'vault;help;set'= {
        }
        &'vault;help;list'= {
        }
        &'vault;help;rm'= {
        }
        &'vault;help;import'= {
        }
        &'vault;help;run'= {
        }
        &'vault;help;redact'= {
        }
        &'vault;help;policy'= {
            cand set 'Replace a secret''s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) needs an approval: a one-time code from your authenticator app (`vault approvals`). No flag skips that. At least one rule is needed; --clear removes every rule (the value may then go nowhere)'
            cand show 'Show the policy of one secret, or of all'
        }
        &'vault;help;policy;set'= {
        }
        &'vault;help;policy;show'= {
        }
        &'vault;help;audit'= {
            cand verify 'Check the hash chain; report the first edited, reordered or deleted entry'
        }
        &'vault;help;audit;verify'= {
        }
        &'vault;help;status'= {
        }
        &'vault;help;recipients'= {
            cand list 'List the recipients (public keys) the store is encrypted to'
            cand add 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this needs an approval (a one-time code from your authenticator app, see `vault approvals`), and no flag skips that'
            cand rm 'Remove a recipient and re-encrypt the store without it. The values they could read must be rotated; vault lists them'
        }
        &'vault;help;recipients;list'= {
        }
        &'vault;help;recipients;add'= {
        }
        &'vault;help;recipients;rm'= {
        }
        &'vault;help;git-setup'= {
        }
        &'vault;help;scan'= {
        }
        &'vault;help;completions'= {
        }
        &'vault;help;approvals'= {
            cand status 'Show whether a factor is enrolled, whether this terminal can approve, and the store''s trust and generation'
            cand enrol 'Enrol a TOTP factor: shows a QR code and an otpauth:// URI once, then asks for the code your app shows. Replacing an enrolled factor needs a code from it first'
            cand trust 'Trust the project store for writes with its current recipients (an approval)'
            cand accept-rollback 'Accept a store older than one this machine has seen (a deliberate revert; an approval)'
        }
        &'vault;help;approvals;status'= {
        }
        &'vault;help;approvals;enrol'= {
        }
        &'vault;help;approvals;trust'= {
        }
        &'vault;help;approvals;accept-rollback'= {
        }
        &'vault;help;mcp'= {
        }
        &'vault;help;hook'= {
            cand claude-code 'Claude Code''s PreToolUse hook for its Bash tool: reads the hook''s JSON on stdin and answers with the command rewritten to run under `vault run`, or a denial when the egress check already refuses it'
            cand install 'Add `vault hook claude-code` to Claude Code''s settings (shows the change first; idempotent)'
        }
        &'vault;help;hook;claude-code'= {
        }
        &'vault;help;hook;install'= {
        }
        &'vault;help;agent-instructions'= {
        }
        &'vault;help;help'= {
        }
    ]
    $completions[$command]
}


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
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create the store (and an identity to open it)'
            cand keygen 'Print a new age identity on stdout (its public key on stderr), for CI set-up'
            cand set 'Store a secret. The value is read from a hidden prompt (asked twice) or from stdin when stdin is not a terminal — never from the command line'
            cand list 'List secret names with their dates, description and egress policy (never values)'
            cand rm 'Remove a secret'
            cand import 'Import secrets from a dotenv file (KEY=VALUE lines), all or nothing'
            cand run 'Run a command with secrets in its environment and placeholders, redacting its output'
            cand redact 'Copy stdin to stdout with every stored value (and its encodings) redacted'
            cand policy 'Show or change a secret''s egress policy (where its value may be sent)'
            cand audit 'Show the audit log, or verify its hash chain'
            cand status 'Show which store is used and how it was found, how it unlocks, how many secrets it holds and its recipients (never a value)'
            cand recipients 'List, add or remove the public keys the store is encrypted to (age or SSH)'
            cand git-setup 'Configure this git repository to diff and merge .vault/store.age by name'
            cand scan 'Search files for stored values and their encodings (exit 1 when any is found)'
            cand git-textconv 'Print a decrypted listing of a store file for `git diff` (hidden; see git-setup)'
            cand git-merge 'Merge three versions of a store file for git (hidden; see git-setup)'
            cand generate 'Generate the man pages or shell completions (used by the build; hidden)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;init'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
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
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;set'= {
            cand --allow 'Host pattern the value may be sent to without asking (repeatable)'
            cand --confirm 'Host pattern that needs a confirmation on the terminal each run (repeatable)'
            cand --deny 'Host pattern the value must never be sent to (repeatable)'
            cand --broker 'Under `run --net broker`: `headers` (the default: the command holds a stand-in and the value goes only into request heads to allowed hosts), `body` (into request bodies too), or `never` (injected for real, for non-HTTP clients)'
            cand --description 'A note shown by `vault list`'
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand --replace 'Replace an existing secret''s value (keeps its policy unless new rules are given)'
            cand --allow-short 'Accept a value shorter than 8 bytes (only its raw form will be redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;list'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand --json 'Print JSON (an array of objects) instead of a table'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;rm'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;import'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand --replace 'Replace secrets that already exist'
            cand --allow-short 'Accept values shorter than 8 bytes'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;run'= {
            cand --only 'Inject only these secrets (comma-separated, repeatable)'
            cand --net 'Network control: `argv` checks the destinations readable in argv (the default); `strict` runs the command in a network namespace of its own (Linux) whose only way out is vault''s proxy, which lets each connection through only to hosts every injected secret''s policy allows (and that match --allow-host when given); `broker` also gives the command stand-ins instead of the values. The stricter of this and config.toml''s `net` applies. Where a namespace cannot be made, strict refuses (exit 69). broker covers HTTP(S)/1.1 only: the proxy terminates TLS with a per-run CA (trusted through SSL_CERT_FILE, CURL_CA_BUNDLE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, GIT_SSL_CAINFO), puts each value into requests only towards hosts its policy allows, refuses (403, audited) a stand-in sent elsewhere, and turns the value back into the stand-in in responses. A secret set with `--broker never` is injected for real'
            cand --allow-host 'Under --net strict|broker, a host the command may reach (repeatable), as a policy pattern: `example.com`, `*.example.com`, `example.com:443`. With no secret injected nothing is reachable without one; with secrets it can only narrow their policies'
            cand --net-ca 'Under --net broker, a PEM file of extra CA certificates to trust for upstream hosts (a private CA)'
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand --pty 'Put all three of the command''s stdin, stdout and stderr on one PTY (merged output)'
            cand --no-pty 'Use pipes only, never a PTY'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;redact'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;policy'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand set 'Replace a secret''s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) must be confirmed by typing the secret''s name on the terminal. No flag skips that'
            cand show 'Show the policy of one secret, or of all'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;policy;set'= {
            cand --allow 'Host pattern the value may be sent to without asking (repeatable)'
            cand --confirm 'Host pattern that needs a confirmation on the terminal each run (repeatable)'
            cand --deny 'Host pattern the value must never be sent to (repeatable)'
            cand --broker 'Under `run --net broker`: `headers` (the default: the command holds a stand-in and the value goes only into request heads to allowed hosts), `body` (into request bodies too), or `never` (injected for real, for non-HTTP clients)'
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;policy;show'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;policy;help'= {
            cand set 'Replace a secret''s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) must be confirmed by typing the secret''s name on the terminal. No flag skips that'
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
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand --json 'One JSON object per line'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand verify 'Check the hash chain; report the first edited, reordered or deleted entry'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;audit;verify'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
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
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;recipients'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the recipients (public keys) the store is encrypted to'
            cand add 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this must be confirmed on the terminal, and no flag skips that'
            cand rm 'Remove a recipient and re-encrypt the store without it. The values they could read must be rotated; vault lists them'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'vault;recipients;list'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;recipients;add'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;recipients;rm'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;recipients;help'= {
            cand list 'List the recipients (public keys) the store is encrypted to'
            cand add 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this must be confirmed on the terminal, and no flag skips that'
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
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;scan'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand --binary 'Also search binary files (a NUL byte in the first 8 KiB)'
            cand --json 'Print JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;git-textconv'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;git-merge'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;generate'= {
            cand --store 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'vault;help'= {
            cand init 'Create the store (and an identity to open it)'
            cand keygen 'Print a new age identity on stdout (its public key on stderr), for CI set-up'
            cand set 'Store a secret. The value is read from a hidden prompt (asked twice) or from stdin when stdin is not a terminal — never from the command line'
            cand list 'List secret names with their dates, description and egress policy (never values)'
            cand rm 'Remove a secret'
            cand import 'Import secrets from a dotenv file (KEY=VALUE lines), all or nothing'
            cand run 'Run a command with secrets in its environment and placeholders, redacting its output'
            cand redact 'Copy stdin to stdout with every stored value (and its encodings) redacted'
            cand policy 'Show or change a secret''s egress policy (where its value may be sent)'
            cand audit 'Show the audit log, or verify its hash chain'
            cand status 'Show which store is used and how it was found, how it unlocks, how many secrets it holds and its recipients (never a value)'
            cand recipients 'List, add or remove the public keys the store is encrypted to (age or SSH)'
            cand git-setup 'Configure this git repository to diff and merge .vault/store.age by name'
            cand scan 'Search files for stored values and their encodings (exit 1 when any is found)'
            cand git-textconv 'Print a decrypted listing of a store file for `git diff` (hidden; see git-setup)'
            cand git-merge 'Merge three versions of a store file for git (hidden; see git-setup)'
            cand generate 'Generate the man pages or shell completions (used by the build; hidden)'
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
            cand set 'Replace a secret''s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) must be confirmed by typing the secret''s name on the terminal. No flag skips that'
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
            cand add 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this must be confirmed on the terminal, and no flag skips that'
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
        &'vault;help;git-textconv'= {
        }
        &'vault;help;git-merge'= {
        }
        &'vault;help;generate'= {
        }
        &'vault;help;help'= {
        }
    ]
    $completions[$command]
}

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_vault_global_optspecs
    string join \n store= h/help V/version
end

function __fish_vault_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_vault_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_vault_using_subcommand
    set -l cmd (__fish_vault_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c vault -n "__fish_vault_needs_command" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_needs_command" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_needs_command" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_needs_command" -f -a "init" -d 'Create the store (and an identity to open it)'
complete -c vault -n "__fish_vault_needs_command" -f -a "keygen" -d 'Print a new age identity on stdout (its public key on stderr), for CI set-up'
complete -c vault -n "__fish_vault_needs_command" -f -a "set" -d 'Store a secret. The value is read from a hidden prompt (asked twice) or from stdin when stdin is not a terminal — never from the command line'
complete -c vault -n "__fish_vault_needs_command" -f -a "list" -d 'List secret names with their dates, description and egress policy (never values)'
complete -c vault -n "__fish_vault_needs_command" -f -a "rm" -d 'Remove one or more secrets (all or nothing)'
complete -c vault -n "__fish_vault_needs_command" -f -a "import" -d 'Import secrets from a dotenv file (KEY=VALUE lines), all or nothing'
complete -c vault -n "__fish_vault_needs_command" -f -a "run" -d 'Run a command with secrets in its environment and placeholders, redacting its output'
complete -c vault -n "__fish_vault_needs_command" -f -a "redact" -d 'Copy stdin to stdout with every stored value (and its encodings) redacted'
complete -c vault -n "__fish_vault_needs_command" -f -a "policy" -d 'Show or change a secret\'s egress policy (where its value may be sent)'
complete -c vault -n "__fish_vault_needs_command" -f -a "audit" -d 'Show the audit log, or verify its hash chain'
complete -c vault -n "__fish_vault_needs_command" -f -a "status" -d 'Show which store is used and how it was found, how it unlocks, how many secrets it holds and its recipients (never a value)'
complete -c vault -n "__fish_vault_needs_command" -f -a "recipients" -d 'List, add or remove the public keys the store is encrypted to (age or SSH)'
complete -c vault -n "__fish_vault_needs_command" -f -a "git-setup" -d 'Configure this git repository to diff and merge .vault/store.age by name'
complete -c vault -n "__fish_vault_needs_command" -f -a "scan" -d 'Search files for stored values and their encodings (exit 1 when any is found)'
complete -c vault -n "__fish_vault_needs_command" -f -a "completions" -d 'Print the completion script for a shell on stdout'
complete -c vault -n "__fish_vault_needs_command" -f -a "approvals" -d 'Approvals: the one-time codes (TOTP) that every widening needs'
complete -c vault -n "__fish_vault_needs_command" -f -a "mcp" -d 'Serve vault to an AI agent over the Model Context Protocol, on stdin and stdout'
complete -c vault -n "__fish_vault_needs_command" -f -a "hook" -d 'Hooks for agents that run shell commands themselves (Claude Code)'
complete -c vault -n "__fish_vault_needs_command" -f -a "agent-instructions" -d 'Print a short block for AGENTS.md or CLAUDE.md telling a model how to use vault'
complete -c vault -n "__fish_vault_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand init" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand init" -l passphrase -d 'Keep the new identity in identity.age under a passphrase instead of the OS keyring'
complete -c vault -n "__fish_vault_using_subcommand init" -l project -d 'Create a project store in ./.vault (to commit with the project) instead of the personal store; it uses your personal identity when the keyring has one'
complete -c vault -n "__fish_vault_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand init" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand keygen" -s o -l output -d 'Write the identity to this new file (mode 0600) instead of stdout' -r -F
complete -c vault -n "__fish_vault_using_subcommand keygen" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand keygen" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand set" -l allow -d 'Host pattern the value may be sent to without asking (repeatable)' -r
complete -c vault -n "__fish_vault_using_subcommand set" -l confirm -d 'Host pattern that needs an approval (a one-time code) each run (repeatable)' -r
complete -c vault -n "__fish_vault_using_subcommand set" -l deny -d 'Host pattern the value must never be sent to (repeatable)' -r
complete -c vault -n "__fish_vault_using_subcommand set" -l broker -d 'Under `run --net broker`: `headers` (the default: the command holds a stand-in and the value goes only into request heads to allowed hosts), `body` (into request bodies too), or `never` (injected for real, for non-HTTP clients)' -r -f -a "headers\t'The child holds a stand-in; the broker puts the value into request heads (request line, headers) bound for allowed hosts'
body\t'As `headers`, and into request bodies too'
never\t'Injected for real (for non-HTTP clients: a database password, an ssh key); the run\'s network then gets `--net strict` treatment for it'"
complete -c vault -n "__fish_vault_using_subcommand set" -l description -d 'A note shown by `vault list`' -r
complete -c vault -n "__fish_vault_using_subcommand set" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand set" -l replace -d 'Replace an existing secret\'s value. Its policy is kept: --allow/--confirm/--deny are refused with --replace (change the policy with `vault policy set`)'
complete -c vault -n "__fish_vault_using_subcommand set" -l allow-short -d 'Accept a value shorter than 8 bytes (only its raw form will be redacted)'
complete -c vault -n "__fish_vault_using_subcommand set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand set" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand list" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand list" -l json -d 'Print JSON (an array of objects) instead of a table'
complete -c vault -n "__fish_vault_using_subcommand list" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand list" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand rm" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand rm" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand rm" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand import" -l allow -d 'Host pattern the value may be sent to without asking (repeatable)' -r
complete -c vault -n "__fish_vault_using_subcommand import" -l confirm -d 'Host pattern that needs an approval (a one-time code) each run (repeatable)' -r
complete -c vault -n "__fish_vault_using_subcommand import" -l deny -d 'Host pattern the value must never be sent to (repeatable)' -r
complete -c vault -n "__fish_vault_using_subcommand import" -l broker -d 'Under `run --net broker`: `headers` (the default: the command holds a stand-in and the value goes only into request heads to allowed hosts), `body` (into request bodies too), or `never` (injected for real, for non-HTTP clients)' -r -f -a "headers\t'The child holds a stand-in; the broker puts the value into request heads (request line, headers) bound for allowed hosts'
body\t'As `headers`, and into request bodies too'
never\t'Injected for real (for non-HTTP clients: a database password, an ssh key); the run\'s network then gets `--net strict` treatment for it'"
complete -c vault -n "__fish_vault_using_subcommand import" -l description -d 'A note shown by `vault list`, for every imported secret' -r
complete -c vault -n "__fish_vault_using_subcommand import" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand import" -l replace -d 'Replace secrets that already exist'
complete -c vault -n "__fish_vault_using_subcommand import" -l allow-short -d 'Accept values shorter than 8 bytes'
complete -c vault -n "__fish_vault_using_subcommand import" -l skip-short -d 'Skip (and name) empty values and values shorter than 8 bytes — the settings in an ordinary .env — and import the rest'
complete -c vault -n "__fish_vault_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand import" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand run" -l only -d 'Inject only these secrets (comma-separated, repeatable)' -r -f -a "(vault complete-names 2>/dev/null)"
complete -c vault -n "__fish_vault_using_subcommand run" -l net -d 'Network control: `argv` checks the destinations readable in argv (the default); `strict` runs the command in a network namespace of its own (Linux) whose only way out is vault\'s proxy, which lets each connection through only to hosts every injected secret\'s policy allows (and that match --allow-host when given); `broker` also gives the command stand-ins instead of the values. The stricter of this and config.toml\'s `net` applies. Where a namespace cannot be made, strict refuses (exit 69). broker covers HTTP(S)/1.1 only: the proxy terminates TLS with a per-run CA (trusted through SSL_CERT_FILE, CURL_CA_BUNDLE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, GIT_SSL_CAINFO), puts each value into requests only towards hosts its policy allows, refuses (403, audited) a stand-in sent elsewhere, and turns the value back into the stand-in in responses. A secret set with `--broker never` is injected for real' -r -f -a "argv\t'Only the destinations readable in argv are checked (the default)'
strict\t'A network namespace whose only way out is vault\'s proxy, which enforces the policy'
broker\t'As strict, and the child holds stand-ins that the proxy replaces with the real values'"
complete -c vault -n "__fish_vault_using_subcommand run" -l allow-host -d 'Under --net strict|broker, a host the command may reach (repeatable), as a policy pattern: `example.com`, `*.example.com`, `example.com:443`. With no secret injected nothing is reachable without one; with secrets it can only narrow their policies' -r
complete -c vault -n "__fish_vault_using_subcommand run" -l net-ca -d 'Under --net broker, a PEM file of extra CA certificates to trust for upstream hosts (a private CA)' -r -F
complete -c vault -n "__fish_vault_using_subcommand run" -l cache -d 'Remote stores: reuse what was read from the server for this long (e.g. 30s, at most 15m), from a cache file encrypted to your own identity. Off by default; any write through vault deletes the cache' -r
complete -c vault -n "__fish_vault_using_subcommand run" -l json-summary -d 'Write a JSON summary of the run to FILE when it ends (exit code, network mode, destinations and the decision, redaction counts per name; never a value)' -r -F
complete -c vault -n "__fish_vault_using_subcommand run" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand run" -l pty -d 'Put all three of the command\'s stdin, stdout and stderr on one PTY (merged output)'
complete -c vault -n "__fish_vault_using_subcommand run" -l no-pty -d 'Use pipes only, never a PTY'
complete -c vault -n "__fish_vault_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand run" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand redact" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand redact" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand redact" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand policy; and not __fish_seen_subcommand_from set show help" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand policy; and not __fish_seen_subcommand_from set show help" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand policy; and not __fish_seen_subcommand_from set show help" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand policy; and not __fish_seen_subcommand_from set show help" -f -a "set" -d 'Replace a secret\'s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) needs an approval: a one-time code from your authenticator app (`vault approvals`). No flag skips that. At least one rule is needed; --clear removes every rule (the value may then go nowhere)'
complete -c vault -n "__fish_vault_using_subcommand policy; and not __fish_seen_subcommand_from set show help" -f -a "show" -d 'Show the policy of one secret, or of all'
complete -c vault -n "__fish_vault_using_subcommand policy; and not __fish_seen_subcommand_from set show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l allow -d 'Host pattern the value may be sent to without asking (repeatable)' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l confirm -d 'Host pattern that needs an approval (a one-time code) each run (repeatable)' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l deny -d 'Host pattern the value must never be sent to (repeatable)' -r
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l broker -d 'Under `run --net broker`: `headers` (the default: the command holds a stand-in and the value goes only into request heads to allowed hosts), `body` (into request bodies too), or `never` (injected for real, for non-HTTP clients)' -r -f -a "headers\t'The child holds a stand-in; the broker puts the value into request heads (request line, headers) bound for allowed hosts'
body\t'As `headers`, and into request bodies too'
never\t'Injected for real (for non-HTTP clients: a database password, an ssh key); the run\'s network then gets `--net strict` treatment for it'"
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -l clear -d 'Remove every rule instead (no host allowed)'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from show" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "set" -d 'Replace a secret\'s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) needs an approval: a one-time code from your authenticator app (`vault approvals`). No flag skips that. At least one rule is needed; --clear removes every rule (the value may then go nowhere)'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the policy of one secret, or of all'
complete -c vault -n "__fish_vault_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l since -d 'Only entries since a time (RFC 3339) or for a duration back from now (2h, 7d)' -r
complete -c vault -n "__fish_vault_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -l json -d 'One JSON object per line'
complete -c vault -n "__fish_vault_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check the hash chain; report the first edited, reordered or deleted entry'
complete -c vault -n "__fish_vault_using_subcommand audit; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand audit; and __fish_seen_subcommand_from verify" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand audit; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check the hash chain; report the first edited, reordered or deleted entry'
complete -c vault -n "__fish_vault_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand status" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand status" -l json -d 'Print JSON'
complete -c vault -n "__fish_vault_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand status" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand recipients; and not __fish_seen_subcommand_from list add rm help" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand recipients; and not __fish_seen_subcommand_from list add rm help" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand recipients; and not __fish_seen_subcommand_from list add rm help" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand recipients; and not __fish_seen_subcommand_from list add rm help" -f -a "list" -d 'List the recipients (public keys) the store is encrypted to'
complete -c vault -n "__fish_vault_using_subcommand recipients; and not __fish_seen_subcommand_from list add rm help" -f -a "add" -d 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this needs an approval (a one-time code from your authenticator app, see `vault approvals`), and no flag skips that'
complete -c vault -n "__fish_vault_using_subcommand recipients; and not __fish_seen_subcommand_from list add rm help" -f -a "rm" -d 'Remove a recipient and re-encrypt the store without it. The values they could read must be rotated; vault lists them'
complete -c vault -n "__fish_vault_using_subcommand recipients; and not __fish_seen_subcommand_from list add rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from list" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from add" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from rm" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the recipients (public keys) the store is encrypted to'
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this needs an approval (a one-time code from your authenticator app, see `vault approvals`), and no flag skips that'
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a recipient and re-encrypt the store without it. The values they could read must be rotated; vault lists them'
complete -c vault -n "__fish_vault_using_subcommand recipients; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand git-setup" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand git-setup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand git-setup" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand scan" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand scan" -l binary -d 'Also search binary files (a NUL byte in the first 8 KiB)'
complete -c vault -n "__fish_vault_using_subcommand scan" -l json -d 'Print JSON'
complete -c vault -n "__fish_vault_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand scan" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand completions" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand completions" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand approvals; and not __fish_seen_subcommand_from status enrol trust accept-rollback help" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand approvals; and not __fish_seen_subcommand_from status enrol trust accept-rollback help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand approvals; and not __fish_seen_subcommand_from status enrol trust accept-rollback help" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand approvals; and not __fish_seen_subcommand_from status enrol trust accept-rollback help" -f -a "status" -d 'Show whether a factor is enrolled, whether this terminal can approve, and the store\'s trust and generation'
complete -c vault -n "__fish_vault_using_subcommand approvals; and not __fish_seen_subcommand_from status enrol trust accept-rollback help" -f -a "enrol" -d 'Enrol a TOTP factor: shows a QR code and an otpauth:// URI once, then asks for the code your app shows. Replacing an enrolled factor needs a code from it first'
complete -c vault -n "__fish_vault_using_subcommand approvals; and not __fish_seen_subcommand_from status enrol trust accept-rollback help" -f -a "trust" -d 'Trust the project store for writes with its current recipients (an approval)'
complete -c vault -n "__fish_vault_using_subcommand approvals; and not __fish_seen_subcommand_from status enrol trust accept-rollback help" -f -a "accept-rollback" -d 'Accept a store older than one this machine has seen (a deliberate revert; an approval)'
complete -c vault -n "__fish_vault_using_subcommand approvals; and not __fish_seen_subcommand_from status enrol trust accept-rollback help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from status" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from enrol" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from enrol" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from enrol" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from trust" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from trust" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from trust" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from accept-rollback" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from accept-rollback" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from accept-rollback" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show whether a factor is enrolled, whether this terminal can approve, and the store\'s trust and generation'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "enrol" -d 'Enrol a TOTP factor: shows a QR code and an otpauth:// URI once, then asks for the code your app shows. Replacing an enrolled factor needs a code from it first'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "trust" -d 'Trust the project store for writes with its current recipients (an approval)'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "accept-rollback" -d 'Accept a store older than one this machine has seen (a deliberate revert; an approval)'
complete -c vault -n "__fish_vault_using_subcommand approvals; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand mcp" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand mcp" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand mcp" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -f -a "claude-code" -d 'Claude Code\'s PreToolUse hook for its Bash tool: reads the hook\'s JSON on stdin and answers with the command rewritten to run under `vault run`, or a denial when the egress check already refuses it'
complete -c vault -n "__fish_vault_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -f -a "install" -d 'Add `vault hook claude-code` to Claude Code\'s settings (shows the change first; idempotent)'
complete -c vault -n "__fish_vault_using_subcommand hook; and not __fish_seen_subcommand_from claude-code install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand hook; and __fish_seen_subcommand_from claude-code" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand hook; and __fish_seen_subcommand_from claude-code" -l auto-approve -d 'Answer "allow" with the rewritten command, so Claude Code runs it without its own permission prompt (its deny and ask rules still apply). Without this the answer is "ask": the user approves the rewritten command as before'
complete -c vault -n "__fish_vault_using_subcommand hook; and __fish_seen_subcommand_from claude-code" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand hook; and __fish_seen_subcommand_from claude-code" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand hook; and __fish_seen_subcommand_from install" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand hook; and __fish_seen_subcommand_from install" -l project -d 'Write ./.claude/settings.json (this project) instead of ~/.claude/settings.json'
complete -c vault -n "__fish_vault_using_subcommand hook; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand hook; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "claude-code" -d 'Claude Code\'s PreToolUse hook for its Bash tool: reads the hook\'s JSON on stdin and answers with the command rewritten to run under `vault run`, or a denial when the egress check already refuses it'
complete -c vault -n "__fish_vault_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "install" -d 'Add `vault hook claude-code` to Claude Code\'s settings (shows the change first; idempotent)'
complete -c vault -n "__fish_vault_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand agent-instructions" -l store -d 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)' -r -F
complete -c vault -n "__fish_vault_using_subcommand agent-instructions" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand agent-instructions" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "init" -d 'Create the store (and an identity to open it)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "keygen" -d 'Print a new age identity on stdout (its public key on stderr), for CI set-up'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "set" -d 'Store a secret. The value is read from a hidden prompt (asked twice) or from stdin when stdin is not a terminal — never from the command line'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "list" -d 'List secret names with their dates, description and egress policy (never values)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "rm" -d 'Remove one or more secrets (all or nothing)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "import" -d 'Import secrets from a dotenv file (KEY=VALUE lines), all or nothing'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "run" -d 'Run a command with secrets in its environment and placeholders, redacting its output'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "redact" -d 'Copy stdin to stdout with every stored value (and its encodings) redacted'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "policy" -d 'Show or change a secret\'s egress policy (where its value may be sent)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "audit" -d 'Show the audit log, or verify its hash chain'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "status" -d 'Show which store is used and how it was found, how it unlocks, how many secrets it holds and its recipients (never a value)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "recipients" -d 'List, add or remove the public keys the store is encrypted to (age or SSH)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "git-setup" -d 'Configure this git repository to diff and merge .vault/store.age by name'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "scan" -d 'Search files for stored values and their encodings (exit 1 when any is found)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "completions" -d 'Print the completion script for a shell on stdout'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "approvals" -d 'Approvals: the one-time codes (TOTP) that every widening needs'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "mcp" -d 'Serve vault to an AI agent over the Model Context Protocol, on stdin and stdout'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "hook" -d 'Hooks for agents that run shell commands themselves (Claude Code)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "agent-instructions" -d 'Print a short block for AGENTS.md or CLAUDE.md telling a model how to use vault'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from init keygen set list rm import run redact policy audit status recipients git-setup scan completions approvals mcp hook agent-instructions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "set" -d 'Replace a secret\'s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) needs an approval: a one-time code from your authenticator app (`vault approvals`). No flag skips that. At least one rule is needed; --clear removes every rule (the value may then go nowhere)'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "show" -d 'Show the policy of one secret, or of all'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Check the hash chain; report the first edited, reordered or deleted entry'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from recipients" -f -a "list" -d 'List the recipients (public keys) the store is encrypted to'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from recipients" -f -a "add" -d 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this needs an approval (a one-time code from your authenticator app, see `vault approvals`), and no flag skips that'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from recipients" -f -a "rm" -d 'Remove a recipient and re-encrypt the store without it. The values they could read must be rotated; vault lists them'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "status" -d 'Show whether a factor is enrolled, whether this terminal can approve, and the store\'s trust and generation'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "enrol" -d 'Enrol a TOTP factor: shows a QR code and an otpauth:// URI once, then asks for the code your app shows. Replacing an enrolled factor needs a code from it first'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "trust" -d 'Trust the project store for writes with its current recipients (an approval)'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from approvals" -f -a "accept-rollback" -d 'Accept a store older than one this machine has seen (a deliberate revert; an approval)'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "claude-code" -d 'Claude Code\'s PreToolUse hook for its Bash tool: reads the hook\'s JSON on stdin and answers with the command rewritten to run under `vault run`, or a denial when the egress check already refuses it'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "install" -d 'Add `vault hook claude-code` to Claude Code\'s settings (shows the change first; idempotent)'

# vault: the command after `vault run --` completes as a command line of its own.
function __fish_vault_run_command
    set -l tokens (commandline -opc) (commandline -ct)
    set -l at (contains -i -- -- $tokens)
    or return
    __fish_complete_subcommand --commandline $tokens[(math $at + 1)..-1]
end
complete -c vault -n "__fish_vault_using_subcommand run; and contains -- -- (commandline -opc)" -f -a "(__fish_vault_run_command)"

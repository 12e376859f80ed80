
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'vault' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'vault'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'vault' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the store (and an identity to open it)')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Print a new age identity on stdout (its public key on stderr), for CI set-up')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a secret. The value is read from a hidden prompt (asked twice) or from stdin when stdin is not a terminal — never from the command line')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List secret names with their dates, description and egress policy (never values)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove one or more secrets (all or nothing)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import secrets from a dotenv file (KEY=VALUE lines), all or nothing')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command with secrets in its environment and placeholders, redacting its output')
            [CompletionResult]::new('redact', 'redact', [CompletionResultType]::ParameterValue, 'Copy stdin to stdout with every stored value (and its encodings) redacted')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Show or change a secret''s egress policy (where its value may be sent)')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit log, or verify its hash chain')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which store is used and how it was found, how it unlocks, how many secrets it holds and its recipients (never a value)')
            [CompletionResult]::new('recipients', 'recipients', [CompletionResultType]::ParameterValue, 'List, add or remove the public keys the store is encrypted to (age or SSH)')
            [CompletionResult]::new('git-setup', 'git-setup', [CompletionResultType]::ParameterValue, 'Configure this git repository to diff and merge .vault/store.age by name')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Search files for stored values and their encodings (exit 1 when any is found)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell on stdout')
            [CompletionResult]::new('approvals', 'approvals', [CompletionResultType]::ParameterValue, 'Approvals: the one-time codes (TOTP) that every widening needs')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve vault to an AI agent over the Model Context Protocol, on stdin and stdout')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Hooks for agents that run shell commands themselves (Claude Code)')
            [CompletionResult]::new('agent-instructions', 'agent-instructions', [CompletionResultType]::ParameterValue, 'Print a short block for AGENTS.md or CLAUDE.md telling a model how to use vault')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;init' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--passphrase', '--passphrase', [CompletionResultType]::ParameterName, 'Keep the new identity in identity.age under a passphrase instead of the OS keyring')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Create a project store in ./.vault (to commit with the project) instead of the personal store; it uses your personal identity when the keyring has one')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;keygen' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the identity to this new file (mode 0600) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the identity to this new file (mode 0600) instead of stdout')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;set' {
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Host pattern the value may be sent to without asking (repeatable)')
            [CompletionResult]::new('--confirm', '--confirm', [CompletionResultType]::ParameterName, 'Host pattern that needs an approval (a one-time code) each run (repeatable)')
            [CompletionResult]::new('--deny', '--deny', [CompletionResultType]::ParameterName, 'Host pattern the value must never be sent to (repeatable)')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Under `run --net broker`: `headers` (the default: the command holds a stand-in and the value goes only into request heads to allowed hosts), `body` (into request bodies too), or `never` (injected for real, for non-HTTP clients)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'A note shown by `vault list`')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Replace an existing secret''s value. Its policy is kept: --allow/--confirm/--deny are refused with --replace (change the policy with `vault policy set`)')
            [CompletionResult]::new('--allow-short', '--allow-short', [CompletionResultType]::ParameterName, 'Accept a value shorter than 8 bytes (only its raw form will be redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;list' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (an array of objects) instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;rm' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;import' {
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Host pattern the value may be sent to without asking (repeatable)')
            [CompletionResult]::new('--confirm', '--confirm', [CompletionResultType]::ParameterName, 'Host pattern that needs an approval (a one-time code) each run (repeatable)')
            [CompletionResult]::new('--deny', '--deny', [CompletionResultType]::ParameterName, 'Host pattern the value must never be sent to (repeatable)')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Under `run --net broker`: `headers` (the default: the command holds a stand-in and the value goes only into request heads to allowed hosts), `body` (into request bodies too), or `never` (injected for real, for non-HTTP clients)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'A note shown by `vault list`, for every imported secret')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Replace secrets that already exist')
            [CompletionResult]::new('--allow-short', '--allow-short', [CompletionResultType]::ParameterName, 'Accept values shorter than 8 bytes')
            [CompletionResult]::new('--skip-short', '--skip-short', [CompletionResultType]::ParameterName, 'Skip (and name) empty values and values shorter than 8 bytes — the settings in an ordinary .env — and import the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;run' {
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Inject only these secrets (comma-separated, repeatable)')
            [CompletionResult]::new('--net', '--net', [CompletionResultType]::ParameterName, 'Network control: `argv` checks the destinations readable in argv (the default); `strict` runs the command in a network namespace of its own (Linux) whose only way out is vault''s proxy, which lets each connection through only to hosts every injected secret''s policy allows (and that match --allow-host when given); `broker` also gives the command stand-ins instead of the values. The stricter of this and config.toml''s `net` applies. Where a namespace cannot be made, strict refuses (exit 69). broker covers HTTP(S)/1.1 only: the proxy terminates TLS with a per-run CA (trusted through SSL_CERT_FILE, CURL_CA_BUNDLE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, GIT_SSL_CAINFO), puts each value into requests only towards hosts its policy allows, refuses (403, audited) a stand-in sent elsewhere, and turns the value back into the stand-in in responses. A secret set with `--broker never` is injected for real')
            [CompletionResult]::new('--allow-host', '--allow-host', [CompletionResultType]::ParameterName, 'Under --net strict|broker, a host the command may reach (repeatable), as a policy pattern: `example.com`, `*.example.com`, `example.com:443`. With no secret injected nothing is reachable without one; with secrets it can only narrow their policies')
            [CompletionResult]::new('--net-ca', '--net-ca', [CompletionResultType]::ParameterName, 'Under --net broker, a PEM file of extra CA certificates to trust for upstream hosts (a private CA)')
            [CompletionResult]::new('--cache', '--cache', [CompletionResultType]::ParameterName, 'Remote stores: reuse what was read from the server for this long (e.g. 30s, at most 15m), from a cache file encrypted to your own identity. Off by default; any write through vault deletes the cache')
            [CompletionResult]::new('--json-summary', '--json-summary', [CompletionResultType]::ParameterName, 'Write a JSON summary of the run to FILE when it ends (exit code, network mode, destinations and the decision, redaction counts per name; never a value)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--pty', '--pty', [CompletionResultType]::ParameterName, 'Put all three of the command''s stdin, stdout and stderr on one PTY (merged output)')
            [CompletionResult]::new('--no-pty', '--no-pty', [CompletionResultType]::ParameterName, 'Use pipes only, never a PTY')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;redact' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;policy' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Replace a secret''s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) needs an approval: a one-time code from your authenticator app (`vault approvals`). No flag skips that. At least one rule is needed; --clear removes every rule (the value may then go nowhere)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the policy of one secret, or of all')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;policy;set' {
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Host pattern the value may be sent to without asking (repeatable)')
            [CompletionResult]::new('--confirm', '--confirm', [CompletionResultType]::ParameterName, 'Host pattern that needs an approval (a one-time code) each run (repeatable)')
            [CompletionResult]::new('--deny', '--deny', [CompletionResultType]::ParameterName, 'Host pattern the value must never be sent to (repeatable)')
            [CompletionResult]::new('--broker', '--broker', [CompletionResultType]::ParameterName, 'Under `run --net broker`: `headers` (the default: the command holds a stand-in and the value goes only into request heads to allowed hosts), `body` (into request bodies too), or `never` (injected for real, for non-HTTP clients)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--clear', '--clear', [CompletionResultType]::ParameterName, 'Remove every rule instead (no host allowed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;policy;show' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;policy;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Replace a secret''s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) needs an approval: a one-time code from your authenticator app (`vault approvals`). No flag skips that. At least one rule is needed; --clear removes every rule (the value may then go nowhere)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the policy of one secret, or of all')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;policy;help;set' {
            break
        }
        'vault;policy;help;show' {
            break
        }
        'vault;policy;help;help' {
            break
        }
        'vault;audit' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries since a time (RFC 3339) or for a duration back from now (2h, 7d)')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per line')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain; report the first edited, reordered or deleted entry')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;audit;verify' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;audit;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain; report the first edited, reordered or deleted entry')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;audit;help;verify' {
            break
        }
        'vault;audit;help;help' {
            break
        }
        'vault;status' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;recipients' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the recipients (public keys) the store is encrypted to')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this needs an approval (a one-time code from your authenticator app, see `vault approvals`), and no flag skips that')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a recipient and re-encrypt the store without it. The values they could read must be rotated; vault lists them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;recipients;list' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;recipients;add' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;recipients;rm' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;recipients;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the recipients (public keys) the store is encrypted to')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this needs an approval (a one-time code from your authenticator app, see `vault approvals`), and no flag skips that')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a recipient and re-encrypt the store without it. The values they could read must be rotated; vault lists them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;recipients;help;list' {
            break
        }
        'vault;recipients;help;add' {
            break
        }
        'vault;recipients;help;rm' {
            break
        }
        'vault;recipients;help;help' {
            break
        }
        'vault;git-setup' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;scan' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Also search binary files (a NUL byte in the first 8 KiB)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;completions' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;approvals' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether a factor is enrolled, whether this terminal can approve, and the store''s trust and generation')
            [CompletionResult]::new('enrol', 'enrol', [CompletionResultType]::ParameterValue, 'Enrol a TOTP factor: shows a QR code and an otpauth:// URI once, then asks for the code your app shows. Replacing an enrolled factor needs a code from it first')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Trust the project store for writes with its current recipients (an approval)')
            [CompletionResult]::new('accept-rollback', 'accept-rollback', [CompletionResultType]::ParameterValue, 'Accept a store older than one this machine has seen (a deliberate revert; an approval)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;approvals;status' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;approvals;enrol' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;approvals;trust' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;approvals;accept-rollback' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;approvals;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether a factor is enrolled, whether this terminal can approve, and the store''s trust and generation')
            [CompletionResult]::new('enrol', 'enrol', [CompletionResultType]::ParameterValue, 'Enrol a TOTP factor: shows a QR code and an otpauth:// URI once, then asks for the code your app shows. Replacing an enrolled factor needs a code from it first')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Trust the project store for writes with its current recipients (an approval)')
            [CompletionResult]::new('accept-rollback', 'accept-rollback', [CompletionResultType]::ParameterValue, 'Accept a store older than one this machine has seen (a deliberate revert; an approval)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;approvals;help;status' {
            break
        }
        'vault;approvals;help;enrol' {
            break
        }
        'vault;approvals;help;trust' {
            break
        }
        'vault;approvals;help;accept-rollback' {
            break
        }
        'vault;approvals;help;help' {
            break
        }
        'vault;mcp' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;hook' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('claude-code', 'claude-code', [CompletionResultType]::ParameterValue, 'Claude Code''s PreToolUse hook for its Bash tool: reads the hook''s JSON on stdin and answers with the command rewritten to run under `vault run`, or a denial when the egress check already refuses it')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Add `vault hook claude-code` to Claude Code''s settings (shows the change first; idempotent)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;hook;claude-code' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--auto-approve', '--auto-approve', [CompletionResultType]::ParameterName, 'Answer "allow" with the rewritten command, so Claude Code runs it without its own permission prompt (its deny and ask rules still apply). Without this the answer is "ask": the user approves the rewritten command as before')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;hook;install' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Write ./.claude/settings.json (this project) instead of ~/.claude/settings.json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;hook;help' {
            [CompletionResult]::new('claude-code', 'claude-code', [CompletionResultType]::ParameterValue, 'Claude Code''s PreToolUse hook for its Bash tool: reads the hook''s JSON on stdin and answers with the command rewritten to run under `vault run`, or a denial when the egress check already refuses it')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Add `vault hook claude-code` to Claude Code''s settings (shows the change first; idempotent)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;hook;help;claude-code' {
            break
        }
        'vault;hook;help;install' {
            break
        }
        'vault;hook;help;help' {
            break
        }
        'vault;agent-instructions' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Use the store in this directory (before VAULT_HOME, a .vault/ found upward from the working directory, and the personal store), or the remote store at this URL: openbao://HOST[:PORT]/MOUNT/PATH (OpenBao or HashiCorp Vault KV v2, over TLS) or openbao+http://127.0.0.1:PORT/MOUNT/PATH (plain HTTP, loopback only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the store (and an identity to open it)')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Print a new age identity on stdout (its public key on stderr), for CI set-up')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a secret. The value is read from a hidden prompt (asked twice) or from stdin when stdin is not a terminal — never from the command line')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List secret names with their dates, description and egress policy (never values)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove one or more secrets (all or nothing)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import secrets from a dotenv file (KEY=VALUE lines), all or nothing')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command with secrets in its environment and placeholders, redacting its output')
            [CompletionResult]::new('redact', 'redact', [CompletionResultType]::ParameterValue, 'Copy stdin to stdout with every stored value (and its encodings) redacted')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Show or change a secret''s egress policy (where its value may be sent)')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit log, or verify its hash chain')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which store is used and how it was found, how it unlocks, how many secrets it holds and its recipients (never a value)')
            [CompletionResult]::new('recipients', 'recipients', [CompletionResultType]::ParameterValue, 'List, add or remove the public keys the store is encrypted to (age or SSH)')
            [CompletionResult]::new('git-setup', 'git-setup', [CompletionResultType]::ParameterValue, 'Configure this git repository to diff and merge .vault/store.age by name')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Search files for stored values and their encodings (exit 1 when any is found)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell on stdout')
            [CompletionResult]::new('approvals', 'approvals', [CompletionResultType]::ParameterValue, 'Approvals: the one-time codes (TOTP) that every widening needs')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve vault to an AI agent over the Model Context Protocol, on stdin and stdout')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Hooks for agents that run shell commands themselves (Claude Code)')
            [CompletionResult]::new('agent-instructions', 'agent-instructions', [CompletionResultType]::ParameterValue, 'Print a short block for AGENTS.md or CLAUDE.md telling a model how to use vault')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;help;init' {
            break
        }
        'vault;help;keygen' {
            break
        }
        'vault;help;set' {
            break
        }
        'vault;help;list' {
            break
        }
        'vault;help;rm' {
            break
        }
        'vault;help;import' {
            break
        }
        'vault;help;run' {
            break
        }
        'vault;help;redact' {
            break
        }
        'vault;help;policy' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Replace a secret''s egress rule. Narrowing always works; widening (anything that lets the value reach a host it could not reach before, or with less friction) needs an approval: a one-time code from your authenticator app (`vault approvals`). No flag skips that. At least one rule is needed; --clear removes every rule (the value may then go nowhere)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the policy of one secret, or of all')
            break
        }
        'vault;help;policy;set' {
            break
        }
        'vault;help;policy;show' {
            break
        }
        'vault;help;audit' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain; report the first edited, reordered or deleted entry')
            break
        }
        'vault;help;audit;verify' {
            break
        }
        'vault;help;status' {
            break
        }
        'vault;help;recipients' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the recipients (public keys) the store is encrypted to')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a recipient and re-encrypt the store to it. Whoever holds its identity can then read every value: this needs an approval (a one-time code from your authenticator app, see `vault approvals`), and no flag skips that')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a recipient and re-encrypt the store without it. The values they could read must be rotated; vault lists them')
            break
        }
        'vault;help;recipients;list' {
            break
        }
        'vault;help;recipients;add' {
            break
        }
        'vault;help;recipients;rm' {
            break
        }
        'vault;help;git-setup' {
            break
        }
        'vault;help;scan' {
            break
        }
        'vault;help;completions' {
            break
        }
        'vault;help;approvals' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether a factor is enrolled, whether this terminal can approve, and the store''s trust and generation')
            [CompletionResult]::new('enrol', 'enrol', [CompletionResultType]::ParameterValue, 'Enrol a TOTP factor: shows a QR code and an otpauth:// URI once, then asks for the code your app shows. Replacing an enrolled factor needs a code from it first')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Trust the project store for writes with its current recipients (an approval)')
            [CompletionResult]::new('accept-rollback', 'accept-rollback', [CompletionResultType]::ParameterValue, 'Accept a store older than one this machine has seen (a deliberate revert; an approval)')
            break
        }
        'vault;help;approvals;status' {
            break
        }
        'vault;help;approvals;enrol' {
            break
        }
        'vault;help;approvals;trust' {
            break
        }
        'vault;help;approvals;accept-rollback' {
            break
        }
        'vault;help;mcp' {
            break
        }
        'vault;help;hook' {
            [CompletionResult]::new('claude-code', 'claude-code', [CompletionResultType]::ParameterValue, 'Claude Code''s PreToolUse hook for its Bash tool: reads the hook''s JSON on stdin and answers with the command rewritten to run under `vault run`, or a denial when the egress check already refuses it')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Add `vault hook claude-code` to Claude Code''s settings (shows the change first; idempotent)')
            break
        }
        'vault;help;hook;claude-code' {
            break
        }
        'vault;help;hook;install' {
            break
        }
        'vault;help;agent-instructions' {
            break
        }
        'vault;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

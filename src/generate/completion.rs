//! Shell completion scripts: clap_complete's, for the visible commands only, plus what a
//! static script cannot say by itself: the command after `vault run --` completes as a
//! command line of its own (bash through bash-completion's `_command_offset`, zsh through
//! `_cmdambivalent`, fish through `__fish_complete_subcommand`), and `--only` offers the
//! store's secret names from `vault complete-names` (names only; it never prompts).

use clap::Command;
use clap_complete::Shell;

/// The script for `shell`.
pub fn script(shell: Shell, cli: Command) -> Vec<u8> {
    let mut cmd = visible(cli);
    let run_value_options = run_value_options(&mut cmd);
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "vault", &mut buf);
    let text = String::from_utf8(buf).expect("clap_complete writes UTF-8");
    match shell {
        Shell::Bash => bash(&text, &run_value_options),
        Shell::Fish => fish(&text),
        Shell::Zsh => zsh(&text),
        _ => text,
    }
    .into_bytes()
}

/// `cli` without its hidden subcommands (git drivers, generators, the names helper): clap
/// has no way to remove a subcommand, so the visible ones are moved to a new command.
fn visible(cli: Command) -> Command {
    let mut out = Command::new(cli.get_name().to_owned())
        .version(cli.get_version().map(ToOwned::to_owned).unwrap_or_default())
        .propagate_version(true);
    if let Some(about) = cli.get_about() {
        out = out.about(about.clone());
    }
    out = out.args(cli.get_arguments().cloned());
    out.subcommands(cli.get_subcommands().filter(|s| !s.is_hide_set()).cloned())
}

/// The long and short spellings of `vault run`'s options that take a value.
fn run_value_options(cmd: &mut Command) -> Vec<String> {
    cmd.build();
    let Some(run) = cmd.find_subcommand("run") else {
        return Vec::new();
    };
    let mut names = Vec::new();
    for arg in run.get_arguments() {
        if arg.is_positional() || !arg.get_action().takes_values() {
            continue;
        }
        names.extend(arg.get_long().map(|l| format!("--{l}")));
        names.extend(arg.get_short().map(|s| format!("-{s}")));
    }
    names
}

const BASH_RUN: &str = r#"        vault__subcmd__run)
            # vault: the command after `vault run --`, or after run's options, completes as a
            # command line of its own.
            local vault_i=1 vault_start=0
            while (( vault_i < COMP_CWORD )) && [[ ${COMP_WORDS[vault_i]} != run ]]; do
                vault_i=$((vault_i+1))
            done
            vault_i=$((vault_i+1))
            while (( vault_i <= COMP_CWORD )); do
                case "${COMP_WORDS[vault_i]}" in
                    --) vault_start=$((vault_i+1)); break ;;
                    @VALUE_OPTIONS@) vault_i=$((vault_i+2)); continue ;;
                    -*) ;;
                    *) vault_start=$vault_i; break ;;
                esac
                vault_i=$((vault_i+1))
            done
            if (( vault_start > 0 && vault_start <= COMP_CWORD )); then
                if declare -F _command_offset >/dev/null; then
                    _command_offset "$vault_start"
                else
                    COMPREPLY=( $(compgen -c -- "${cur}") )
                fi
                return 0
            fi
"#;

const BASH_ONLY_FILES: &str = r#"                --only)
                    COMPREPLY=($(compgen -f "${cur}"))"#;

const BASH_ONLY_NAMES: &str = r#"                --only)
                    COMPREPLY=($(compgen -W "$(vault complete-names 2>/dev/null)" -- "${cur}"))"#;

fn bash(text: &str, value_options: &[String]) -> String {
    let run_case = "        vault__subcmd__run)\n";
    let opts = if value_options.is_empty() {
        "--only".to_owned()
    } else {
        value_options.join("|")
    };
    let Some(at) = text.find(run_case) else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len() + BASH_RUN.len());
    out.push_str(&text[..at]);
    out.push_str(&BASH_RUN.replace("@VALUE_OPTIONS@", &opts));
    let rest = &text[at + run_case.len()..];
    // Only the first `--only)` after the run case is run's.
    out.push_str(&rest.replacen(BASH_ONLY_FILES, BASH_ONLY_NAMES, 1));
    out
}

const FISH_RUN: &str = r#"
# vault: the command after `vault run --` completes as a command line of its own.
function __fish_vault_run_command
    set -l tokens (commandline -opc) (commandline -ct)
    set -l at (contains -i -- -- $tokens)
    or return
    __fish_complete_subcommand --commandline $tokens[(math $at + 1)..-1]
end
complete -c vault -n "__fish_vault_using_subcommand run; and contains -- -- (commandline -opc)" -f -a "(__fish_vault_run_command)"
"#;

fn fish(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + FISH_RUN.len());
    for line in text.lines() {
        out.push_str(line);
        if line.starts_with("complete -c vault -n \"__fish_vault_using_subcommand run\" -l only ") {
            out.push_str(" -f -a \"(vault complete-names 2>/dev/null)\"");
        }
        out.push('\n');
    }
    out.push_str(FISH_RUN);
    out
}

fn zsh(text: &str) -> String {
    // `--only=[…]:NAMES:_default` → secret names from the store.
    text.replace(
        ":NAMES:_default'",
        ":NAMES:{compadd -- ${(f)\"$(vault complete-names 2>/dev/null)\"}}'",
    )
}

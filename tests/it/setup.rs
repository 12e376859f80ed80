//! A newcomer's set-up (issue #14): completions for every shell from the binary itself, the
//! command after `vault run --` and secret names after `--only` completing in real bash
//! (with bash-completion) and fish, and hidden commands kept out of every script.

use std::path::Path;

use crate::support::{Vault, have_tool};

const SHELLS: [(&str, &str); 5] = [
    ("bash", "vault.bash"),
    ("zsh", "_vault"),
    ("fish", "vault.fish"),
    ("elvish", "vault.elv"),
    ("powershell", "_vault.ps1"),
];

/// `vault completions SHELL` prints exactly the script install.sh installs.
#[test]
fn completions_command_prints_the_installed_scripts() {
    let v = Vault::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in SHELLS {
        let out = v.ok(v.cmd().args(["completions", shell]));
        let checked_in = std::fs::read(root.join(file)).expect("checked-in script");
        assert!(
            out.stdout == checked_in,
            "{shell}: differs from completions/{file}"
        );
    }
    let out = v.run(v.cmd().args(["completions", "tcsh"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tcsh"));
}

/// No script offers the hidden commands (git drivers, generators, the names helper).
#[test]
fn completions_leave_out_hidden_commands() {
    let v = Vault::new();
    for (shell, _) in SHELLS {
        let out = v.ok(v.cmd().args(["completions", shell]));
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        for hidden in ["git-textconv", "git-merge", "generate"] {
            assert!(!text.contains(hidden), "{shell} offers {hidden}");
        }
    }
}

/// A store with two secrets, the completion script for `shell`, and a PATH whose `vault` is
/// the binary under test (the scripts call `vault complete-names`).
fn completion_home(shell: &str) -> (Vault, std::path::PathBuf) {
    let v = Vault::new();
    v.init();
    v.set("API_KEY", "value-of-api-key");
    v.set("DB_PASSWORD", "value-of-db-password");
    let bin = v.path("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    std::os::unix::fs::symlink(crate::support::BIN, bin.join("vault")).expect("symlink");
    let script = v.path(&format!("completion.{shell}"));
    let out = v.ok(v.cmd().args(["completions", shell]));
    std::fs::write(&script, out.stdout).expect("write script");
    (v, script)
}

fn path_with(v: &Vault) -> String {
    format!(
        "{}:{}",
        v.path("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// In bash with bash-completion: `--only <TAB>` offers the secret names, `run -- gi<TAB>`
/// offers commands, and the command's own completion takes over after it.
#[test]
fn bash_completes_commands_after_run_and_names_after_only() {
    let loader = "/usr/share/bash-completion/bash_completion";
    if !have_tool("bash", "bash completion tests") {
        return;
    }
    if !Path::new(loader).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "bash-completion is missing and CI=true: .ci/run must install it"
        );
        eprintln!("SKIP: bash-completion is not installed");
        return;
    }
    let (v, script) = completion_home("bash");
    let probe = r#"source "$1" 2>/dev/null; source "$2"
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
  COMPREPLY=(); _vault vault "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
  printf '%s|' "${COMPREPLY[@]}"; echo; }
t vault run --only ""
t vault run --only DB
t vault run -- ech
t vault run --only API_KEY -- ech
t vault run --no
t vault """#;
    let mut cmd = v.std_program("bash");
    cmd.args(["-c", probe, "bash", loader])
        .arg(&script)
        .env("PATH", path_with(&v))
        .env("VAULT_IDENTITY", &v.fixture.identity);
    let out = v.ok(&mut crate::support::wrap(cmd));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert_eq!(lines[0], "API_KEY|DB_PASSWORD|", "--only offers the names");
    assert_eq!(lines[1], "DB_PASSWORD|");
    assert!(
        lines[2].split('|').any(|w| w == "echo"),
        "run -- ech: {}",
        lines[2]
    );
    assert!(
        lines[3].split('|').any(|w| w == "echo"),
        "after --only: {}",
        lines[3]
    );
    assert_eq!(lines[4], "--no-pty|");
    assert!(!lines[5].contains("git-textconv") && lines[5].contains("run|"));
}

/// In fish: the same, through `complete -C`.
#[test]
fn fish_completes_commands_after_run_and_names_after_only() {
    if !have_tool("fish", "fish completion tests") {
        return;
    }
    let (v, script) = completion_home("fish");
    let probe = r#"source $argv[1]
complete -C "vault run --only " | string join '|'
complete -C "vault run -- ech" | string match -r '^echo\b.*' | head -1
complete -C "vault run --only API_KEY -- ech" | string match -r '^echo\b.*' | head -1"#;
    let mut cmd = v.std_program("fish");
    cmd.args(["--no-config", "-c", probe])
        .arg(&script)
        .env("PATH", path_with(&v))
        .env("VAULT_IDENTITY", &v.fixture.identity);
    let out = v.ok(&mut crate::support::wrap(cmd));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("API_KEY\t") && lines[0].contains("|DB_PASSWORD\t"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("echo"), "{text}");
    assert!(lines[2].starts_with("echo"), "{text}");
}

/// The names helper never asks and never prints an error into a command line: with no
/// identity, and with a store that needs a passphrase, it prints nothing and exits 0.
#[test]
fn complete_names_never_prompts() {
    let v = Vault::new();
    v.init();
    v.set("API_KEY", "value-of-api-key");
    let out = v.ok(v.cmd().arg("complete-names"));
    assert_eq!(out.stdout, b"API_KEY\n");
    let out = v.ok(v.cmd_no_identity().arg("complete-names"));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
}

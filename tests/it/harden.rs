//! Process hardening: vault itself cannot dump core, its children are unaffected.

use crate::support::Vault;

/// The child of `vault run` gets the core-dump limit the user had, not vault's own 0, and
/// is dumpable again (PR_SET_DUMPABLE resets on exec); vault itself runs with soft limit 0.
#[test]
fn child_keeps_the_users_core_limit_while_vault_has_none() {
    let v = Vault::new();
    v.init();
    v.set("HARDEN_TEST", "harden-test-value");
    let script = "grep '^Max core file size' /proc/$PPID/limits | awk '{print \"vault\", $5}'; \
                  grep '^Max core file size' /proc/self/limits | awk '{print \"child\", $5}'";
    let mut cmd = v.cmd();
    cmd.args(["run", "--no-pty", "--", "sh", "-c", script]);
    let out = v.ok(&mut cmd);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let ours = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let expected = ours
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .and_then(|l| l.split_whitespace().nth(4))
        .unwrap_or("")
        .to_string();
    assert!(
        text.contains("vault 0"),
        "vault's own soft core limit is 0: {text}"
    );
    assert!(
        text.contains(&format!("child {expected}")),
        "child keeps {expected}: {text}"
    );
}

//! The OS keyring route (Secret Service on Linux), against a real keyring daemon.
//!
//! Runs only with `VAULT_TEST_KEYRING=1`, which `.ci/run` sets inside a `dbus-run-session`
//! with an unlocked `gnome-keyring-daemon`; elsewhere it says it is skipped (a developer's
//! real keyring is never touched by the default test run).

use crate::support::{Vault, without_terminal, wrap};

fn keyring_available() -> bool {
    if std::env::var_os("VAULT_TEST_KEYRING").is_none() {
        eprintln!(
            "keyring test skipped: set VAULT_TEST_KEYRING=1 inside a session with a Secret Service (see .ci/run)"
        );
        return false;
    }
    true
}

/// `vault` with no identity in the environment, but the session bus passed through.
fn keyring_cmd(v: &Vault) -> assert_cmd::Command {
    let mut cmd = v.std_cmd_no_identity();
    if let Some(bus) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", bus);
    }
    without_terminal(&mut cmd);
    wrap(cmd)
}

#[test]
fn init_keeps_the_identity_in_the_keyring_and_unlocks_with_it() {
    if !keyring_available() {
        return;
    }
    let v = Vault::new();
    let out = v.ok(keyring_cmd(&v).arg("init"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unlocks with: OS keyring"), "{stderr}");
    assert!(
        !v.home.join("identity.age").exists(),
        "no passphrase file when the keyring works"
    );

    let value = "keyring-route-secret-value";
    v.ok(keyring_cmd(&v)
        .args(["set", "KR_TOKEN"])
        .write_stdin(format!("{value}\n")));
    let list = v.ok(keyring_cmd(&v).arg("list"));
    assert!(String::from_utf8_lossy(&list.stdout).contains("KR_TOKEN"));
    let run = v.ok(keyring_cmd(&v).args(["run", "--", "sh", "-c", "printf '%s' \"$KR_TOKEN\""]));
    assert_eq!(String::from_utf8_lossy(&run.stdout), "[REDACTED:KR_TOKEN]");
    // The identity stays in the keyring: nothing under the home holds it in the clear.
    let files = v.files_under_home();
    assert!(!String::from_utf8_lossy(&files).contains("AGE-SECRET-KEY-"));
}

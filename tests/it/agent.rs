//! Agent-facing polish: `vault agent-instructions`, `vault run --json-summary`, and a
//! refusal that names the blocking secrets and suggests `--only`.

use serde_json::Value;

use crate::support::{Vault, assert_error, assert_no_leak};

#[test]
fn agent_instructions_print_a_short_block() {
    let v = Vault::new();
    let out = v.ok(v.cmd().arg("agent-instructions"));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("## Secrets"));
    for word in ["{{secure.NAME}}", "list_secrets", "--only", "Never print"] {
        assert!(text.contains(word), "{word}");
    }
    assert!(text.lines().count() < 30);
}

#[test]
fn json_summary_says_exit_network_destinations_and_redaction_counts() {
    let v = Vault::new();
    v.init();
    v.ok(v
        .cmd()
        .args(["set", "TOKEN", "--allow", "127.0.0.1"])
        .write_stdin("summary-tok-0a1b2c3d"));
    let file = v.path("summary.json");
    let out = v.run(v.cmd().arg("run").arg("--json-summary").arg(&file).args([
        "--",
        "sh",
        "-c",
        "echo $TOKEN $TOKEN; : http://127.0.0.1:1/; exit 4",
    ]));
    assert_eq!(out.status.code(), Some(4));
    let s: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(s["exit"], 4);
    assert_eq!(s["network"], "argv");
    assert_eq!(s["secrets"], serde_json::json!(["TOKEN"]));
    assert_eq!(s["redactions"]["TOKEN"], 2);
    assert!(s["decision"].is_string(), "{s}");
    assert_no_leak(&std::fs::read(&file).unwrap(), b"summary-tok-0a1b2c3d");

    // A refused run writes no summary: it never ran.
    let refused = v.path("refused.json");
    let out = v.run(
        v.cmd()
            .arg("run")
            .arg("--json-summary")
            .arg(&refused)
            .args(["--", "curl", "https://evil.example.com/"]),
    );
    assert_error(&out, 77);
    assert!(!refused.exists());
}

#[test]
fn a_refusal_in_a_seven_secret_store_is_one_short_line_that_suggests_only() {
    let v = Vault::new();
    v.init();
    for i in 0..7 {
        v.set(&format!("SECRET_{i}"), format!("value-number-{i}-abcdef"));
    }
    let err = v.refuses(
        v.cmd()
            .args(["run", "--", "curl", "https://api.example.com/"]),
        77,
    );
    let first = err.lines().next().unwrap();
    assert!(first.len() < 200, "{} chars: {first}", first.len());
    assert!(
        first
            .contains("SECRET_0, SECRET_1, SECRET_2 and 4 more may not be sent to api.example.com"),
        "{first}"
    );
    assert!(err.contains("--only NAME"), "{err}");
}

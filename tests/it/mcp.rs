//! `vault mcp`, driven by the official MCP Python SDK client (PyPI `mcp`): the scripts in
//! tests/mcp/*.py speak to the built binary over stdio, with the whole JSON-RPC transcript
//! teed to files that are checked here for every value and its encodings.
//!
//! Skipped with a message when `python3 -c 'import mcp'` fails, except under `CI=true`,
//! where that is a failure.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;

use crate::support::{BIN, Vault, assert_no_leak, contains};

const TOKEN: &str = "tok-5f1d9c2a77e04b3b";
const OTHER: &str = "other-8c3e1f0a9b2d4e6f";
const CONFIRMED: &str = "conf-1a2b3c4d5e6f7a8b";
const NEW_VALUE: &str = "new-typed-value-&=+ 9f8e7d6c";

fn sdk_available() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import mcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the MCP Python SDK is missing (pip install mcp); CI must run these tests"
        );
        eprintln!("skipping: the MCP Python SDK is not installed (pip install mcp)");
    }
    ok
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mcp")
        .join(name)
}

/// A store with TOKEN (allowed to 127.0.0.1), OTHER (no hosts) and CONFIRMED (confirm
/// confirm.example.com).
fn fixture() -> Vault {
    let v = Vault::new();
    v.init();
    v.ok(v
        .cmd()
        .args([
            "set",
            "TOKEN",
            "--allow",
            "127.0.0.1",
            "--description",
            "the test token",
        ])
        .write_stdin(TOKEN));
    v.set("OTHER", OTHER);
    v.ok(v
        .cmd()
        .args(["set", "CONFIRMED", "--confirm", "confirm.example.com"])
        .write_stdin(CONFIRMED));
    v
}

/// Runs a test script against `vault mcp`; returns its JSON result and the transcript.
fn drive(v: &Vault, name: &str, env: &[(&str, &str)]) -> (Value, Vec<u8>) {
    let transcript = v.path("transcript");
    std::fs::create_dir_all(&transcript).unwrap();
    let mut cmd = v.std_program("python3");
    cmd.arg(script(name))
        .env("VAULT_BIN", BIN)
        .env("VAULT_IDENTITY", &v.fixture.identity)
        .env("TRANSCRIPT_DIR", &transcript)
        .env("MARKER", v.path("marker"))
        .env("CWD_DIR", v.path("transcript"))
        .env("PYTHONPATH", script(""))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("HOME", v.path(""));
    for (k, val) in env {
        cmd.env(k, val);
    }
    crate::support::without_terminal(&mut cmd);
    let out = cmd.output().expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Value = serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("{name} printed no JSON ({e}): {stdout}"));
    let mut all = std::fs::read(transcript.join("in.jsonl")).unwrap_or_default();
    all.extend(std::fs::read(transcript.join("out.jsonl")).unwrap_or_default());
    all.extend_from_slice(&out.stdout);
    all.extend_from_slice(&out.stderr);
    (result, all)
}

fn text(v: &Value) -> &str {
    v["text"].as_str().unwrap_or("")
}

fn audit(v: &Vault) -> String {
    std::fs::read_to_string(v.home.join("audit.jsonl")).unwrap_or_default()
}

#[test]
fn tools_list_run_check_and_refusals_through_the_python_sdk() {
    if !sdk_available() {
        return;
    }
    let v = fixture();
    let (r, transcript) = drive(&v, "basic.py", &[]);

    assert_eq!(r["protocol"], "2025-11-25");
    assert_eq!(r["server"], "vault");
    assert_eq!(
        r["tools"],
        serde_json::json!(["check", "list_secrets", "request_secret", "run"])
    );

    // Names, descriptions and policies only.
    let list = text(&r["list_secrets"]);
    for name in [
        "TOKEN",
        "OTHER",
        "CONFIRMED",
        "the test token",
        "allow 127.0.0.1",
    ] {
        assert!(list.contains(name), "{name} missing from {list}");
    }

    // Injected, and redacted raw, in base64 and split across stdout and stderr.
    let run = &r["run_env"];
    assert_eq!(run["is_error"], false);
    let t = text(run);
    assert!(t.starts_with("exit code: 3\nnetwork: "), "{t}");
    assert!(t.matches("[REDACTED:TOKEN]").count() >= 2, "{t}");
    assert!(t.contains("stderr:"), "{t}");
    let t = text(&r["run_placeholder"]);
    assert!(t.contains("stdout:\n[REDACTED:TOKEN]"), "{t}");
    assert!(text(&r["run_stdin"]).contains("hello from stdin"));
    assert!(text(&r["run_cwd"]).contains("/transcript"));

    // A host outside the policy: a tool error naming the secret, and nothing started.
    for key in ["run_denied", "run_denied_argv"] {
        let t = text(&r[key]);
        assert_eq!(r[key]["is_error"], true, "{t}");
        assert!(t.contains("it was not started"), "{t}");
        assert!(t.contains("evil.example.com"), "{t}");
        assert!(t.contains("\"only\""), "{t}");
    }
    assert!(!v.path("marker").exists(), "the refused command ran");

    // A confirm rule has no terminal to ask on under vault mcp.
    let t = text(&r["run_confirm"]);
    assert_eq!(r["run_confirm"]["is_error"], true, "{t}");
    assert!(t.contains("confirm"), "{t}");
    assert!(!v.path("marker").exists());

    // Capped output with a note; a timeout that kills a command ignoring TERM and HUP.
    let t = text(&r["run_big"]);
    assert!(
        t.contains("[truncated: 134464 more bytes"),
        "{}",
        &t[t.len() - 200..]
    );
    let t = text(&r["run_timeout"]);
    assert!(t.contains("killed: the 1 s timeout"), "{t}");
    assert!(t.contains("exit code: 137"), "{t}");
    assert!(t.contains("started") && !t.contains("never"), "{t}");

    // check agrees with vault run on the same argv.
    for (key, argv, allowed) in [
        ("allowed", vec!["curl", "-s", "http://127.0.0.1:9/"], true),
        (
            "denied",
            vec!["curl", "-s", "https://evil.example.com/"],
            false,
        ),
        (
            "evasion",
            vec![
                "curl",
                "-x",
                "http://127.0.0.1:9",
                "https://evil.example.com/",
            ],
            false,
        ),
        ("none", vec!["true"], true),
    ] {
        let t = text(&r["check"][key]);
        assert_eq!(t.starts_with("decision: allow"), allowed, "{key}: {t}");
        let out = v.run(
            v.cmd()
                .args(["run", "--only", "TOKEN", "--"])
                .args(&argv)
                .env("PATH", "/nonexistent"),
        );
        // Allowed runs reach the (missing) program: 127; refused ones stop at 77.
        let code = out.status.code();
        assert_eq!(
            code == Some(77),
            !allowed,
            "{key}: vault run exited {code:?}"
        );
    }
    let t = text(&r["check"]["denied"]);
    assert!(
        t.contains("TOKEN may not be sent to evil.example.com"),
        "{t}"
    );

    // No URL elicitation in this client: the exact line for the user's own terminal.
    let t = text(&r["request_no_elicitation"]);
    assert!(
        t.contains(
            "vault set NEW_KEY --allow 'api.x.com' --allow '*.x.org' --description 'the x key'"
        ),
        "{t}"
    );
    assert!(!v.stored_names().contains(&"NEW_KEY".to_string()));
    assert_eq!(r["request_existing"]["is_error"], true);
    assert!(text(&r["request_existing"]).contains("already exists"));
    // Names that would hijack every later run's loader or shell are refused.
    for reply in r["request_reserved"].as_array().unwrap() {
        assert_eq!(reply["is_error"], true, "{reply}");
    }
    assert_eq!(r["unknown_tool"]["is_error"], true);

    // Nothing in the JSON-RPC transcript holds a value, nor the audit log.
    for value in [TOKEN, OTHER, CONFIRMED] {
        assert_no_leak(&transcript, value.as_bytes());
        assert_no_leak(audit(&v).as_bytes(), value.as_bytes());
    }
    // Every call is audited by tool name.
    let log = audit(&v);
    for tool in [
        "tool list_secrets",
        "tool run",
        "tool check",
        "tool request_secret",
    ] {
        assert!(log.contains(tool), "{tool} not audited");
    }
}

#[test]
fn request_secret_stores_a_typed_value_once() {
    if !sdk_available() {
        return;
    }
    let v = fixture();
    let before_token = v.stored_value("TOKEN");
    let (r, transcript) = drive(
        &v,
        "request.py",
        &[("MODE", "store"), ("NEW_VALUE", NEW_VALUE)],
    );
    let seen = &r["seen"];
    assert!(seen.get("error").is_none(), "{seen}");
    assert_eq!(seen["elicitation"]["mode"], "url");
    let url = seen["elicitation"]["url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let token = url.rsplit('/').next().unwrap();
    assert!(token.len() >= 32, "path token too short: {url}");
    assert_ne!(seen["elicitation"]["id"].as_str(), Some(token));

    // The page: escaped description, the policy shown, not cacheable.
    let page = seen["page"].as_str().unwrap();
    assert!(
        page.contains("the &lt;b&gt;x&lt;/b&gt; key &amp; more"),
        "{page}"
    );
    assert!(page.contains("allow 127.0.0.1"));
    assert_eq!(seen["get_headers"]["Cache-Control"], "no-store");
    assert!(
        seen["get_headers"]["Content-Security-Policy"]
            .as_str()
            .unwrap()
            .contains("default-src 'none'")
    );

    // Rebinding, cross-origin, token-less and wrong-path posts are refused.
    assert_eq!(seen["rebinding"], 421);
    assert_eq!(seen["cross_origin"], 403);
    assert_eq!(seen["no_csrf"], 403);
    assert_eq!(seen["wrong_path"], 404);
    // The real one stores; the page does not echo the value; a second use is refused.
    assert_eq!(seen["store"], 200);
    assert!(!seen["store_body"].as_str().unwrap().contains("typed-value"));
    assert!(
        seen["second"]
            .as_str()
            .is_some_and(|s| s.starts_with("refused")),
        "second use: {}",
        seen["second"]
    );

    assert_eq!(
        text(&r["result"]),
        format!(
            "stored NEW_KEY. Use it as {{{{secure.NEW_KEY}}}} in `run` argv or $NEW_KEY in the command's environment."
        )
    );
    assert_eq!(
        v.stored_value("NEW_KEY").as_deref(),
        Some(NEW_VALUE.as_bytes())
    );
    // Smuggled name= and allow= fields changed nothing.
    assert_eq!(v.stored_value("TOKEN"), before_token);
    let listed =
        String::from_utf8(v.ok(v.cmd().args(["policy", "show", "NEW_KEY"])).stdout).unwrap();
    assert!(
        listed.contains("allow 127.0.0.1") && !listed.contains('*'),
        "{listed}"
    );
    // The agent uses it by name, redacted; asking again for the same name is refused.
    assert!(text(&r["use"]).contains("[REDACTED:NEW_KEY]"));
    assert_eq!(r["again"]["is_error"], true);
    // Refused before any page was served: still the one elicitation.
    assert_eq!(seen["elicitations"], 1);

    assert_no_leak(&transcript, NEW_VALUE.as_bytes());
    assert_no_leak(audit(&v).as_bytes(), NEW_VALUE.as_bytes());
    assert!(contains(&transcript, b"notifications/elicitation/complete"));
}

#[test]
fn request_secret_declined_on_the_page_or_in_the_client_stores_nothing() {
    if !sdk_available() {
        return;
    }
    for mode in ["decline", "client-decline"] {
        let v = fixture();
        let before = v.store_bytes();
        let (r, _) = drive(
            &v,
            "request.py",
            &[("MODE", mode), ("NEW_VALUE", NEW_VALUE)],
        );
        assert_eq!(
            text(&r["result"]),
            "declined: the user did not provide the value",
            "{mode}"
        );
        v.assert_store_unchanged(&before);
    }
}

#[test]
fn request_secret_expires_and_the_link_is_dead_afterwards() {
    if !sdk_available() {
        return;
    }
    let v = fixture();
    let before = v.store_bytes();
    let (r, _) = drive(
        &v,
        "request.py",
        &[("MODE", "expire"), ("VAULT_MCP_PAGE_EXPIRY_S", "1")],
    );
    assert!(text(&r["result"]).starts_with("expired"), "{}", r["result"]);
    assert!(
        r["seen"]["after_expiry"]
            .as_str()
            .is_some_and(|s| s.starts_with("refused")),
        "{}",
        r["seen"]
    );
    v.assert_store_unchanged(&before);
}

#[test]
fn the_expiry_variable_cannot_lengthen_the_page() {
    // Only checked through its effect on the message the client shows the user.
    if !sdk_available() {
        return;
    }
    let v = fixture();
    let (r, _) = drive(
        &v,
        "request.py",
        &[
            ("MODE", "client-decline"),
            ("VAULT_MCP_PAGE_EXPIRY_S", "999999"),
        ],
    );
    let message = r["seen"]["elicitation"]["message"].as_str().unwrap();
    assert!(message.contains("expires in 10 minutes"), "{message}");
}

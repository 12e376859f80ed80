//! Terminal-safe output: a store (or repository, or log) planted with escape sequences
//! never gets them to the terminal. Each command that prints stored text is run against a
//! store holding a recipient line that erases itself (`\r\e[2K\e[1A`), a description that
//! writes the clipboard (OSC 52) and clears the screen, and an audit entry with the same;
//! the output holds the escaped form and never a raw control byte.

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use crate::support::{Vault, assert_error, contains};

/// Hides the line it ends: carriage return, erase line, cursor up.
const HIDE_LINE: &str = "\r\x1b[2K\x1b[1A";
/// Writes "hello" to the clipboard, then clears the screen.
const OSC52_CLEAR: &str = "deploy key\x1b]52;c;aGVsbG8=\x07\x1b[2J\x1b[H\u{202e}txt.exe";

/// Encrypts `payload` (a vault store payload) to `recipients` and writes it as the store.
/// Recipients may carry any trailing text: the store keeps what it is given.
pub fn plant(v: &Vault, payload: &serde_json::Value, recipients: &[&str]) {
    let parsed: Vec<Box<dyn age::Recipient + Send>> = recipients
        .iter()
        .map(|r| -> Box<dyn age::Recipient + Send> {
            if r.starts_with("age1") {
                Box::new(r.parse::<age::x25519::Recipient>().expect("age recipient"))
            } else {
                let mut fields = r.split_ascii_whitespace();
                let line = format!("{} {}", fields.next().unwrap(), fields.next().unwrap());
                Box::new(line.parse::<age::ssh::Recipient>().expect("ssh recipient"))
            }
        })
        .collect();
    let encryptor =
        age::Encryptor::with_recipients(parsed.iter().map(|r| r.as_ref() as &dyn age::Recipient))
            .expect("encryptor");
    let mut out = Vec::new();
    let mut w = encryptor.wrap_output(&mut out).expect("wrap");
    w.write_all(&serde_json::to_vec(payload).unwrap()).unwrap();
    w.finish().unwrap();
    fs::write(v.store(), out).expect("write store");
}

fn ssh_public(dir: &Path) -> String {
    let key = dir.join("attacker");
    let status = StdCommand::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "attacker", "-f"])
        .arg(&key)
        .stdin(Stdio::null())
        .status()
        .expect("ssh-keygen is needed (Debian: openssh-client)");
    assert!(status.success());
    let public = fs::read_to_string(key.with_extension("pub")).unwrap();
    let mut f = public.split_ascii_whitespace();
    format!("{} {}", f.next().unwrap(), f.next().unwrap())
}

/// A store holding a hidden recipient, a hostile description, and a hostile audit entry.
fn hostile(v: &Vault) -> String {
    v.init();
    v.set("API_KEY", "s3cr3t-value-123");
    let hidden = format!("{} {HIDE_LINE}", ssh_public(v.tmp.path()));
    let mut payload = v.decrypt_store();
    payload["recipients"] = serde_json::json!([v.fixture.recipient, hidden]);
    payload["secrets"]["API_KEY"]["description"] = serde_json::json!(OSC52_CLEAR);
    plant(v, &payload, &[&v.fixture.recipient, &hidden]);
    // An audit entry someone else wrote (a project store's log is committed).
    let log = v.home.join("audit.jsonl");
    let text = fs::read_to_string(&log).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let mut forged = last.clone();
    forged["note"] = serde_json::json!(OSC52_CLEAR);
    forged["hosts"] = serde_json::json!([format!("evil.example{HIDE_LINE}")]);
    let mut f = fs::OpenOptions::new().append(true).open(&log).unwrap();
    writeln!(f, "{forged}").unwrap();
    hidden
}

/// No control byte other than `\n` and no bidi override reaches the output.
#[track_caller]
fn assert_terminal_safe(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for c in text.chars() {
        assert!(
            c == '\n'
                || !(c.is_control()
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
            "{what}: raw U+{:04X} in output: {text:?}",
            u32::from(c)
        );
    }
}

fn both(out: &std::process::Output) -> Vec<u8> {
    let mut all = out.stdout.clone();
    all.extend_from_slice(&out.stderr);
    all
}

#[test]
fn stored_escape_sequences_never_reach_the_terminal() {
    let v = Vault::new();
    let _hidden = hostile(&v);
    let escaped_desc = "deploy key\\u{1b}]52;c;aGVsbG8=\\u{7}\\u{1b}[2J\\u{1b}[H\\u{202e}txt.exe";
    let cases: &[(&[&str], &str)] = &[
        (&["list"], escaped_desc),
        (&["status"], "\\r\\u{1b}[2K\\u{1b}[1A"),
        (&["recipients", "list"], "\\r\\u{1b}[2K\\u{1b}[1A"),
        (&["audit"], escaped_desc),
        (&["policy", "show"], "API_KEY: "),
    ];
    for (args, expect) in cases {
        let out = v.ok(v.cmd().args(*args));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_terminal_safe(&args.join(" "), &both(&out));
        assert!(text.contains(expect), "{args:?}: {text}");
    }
    // The hidden recipient is visible as a line of its own in every listing.
    let out = v.ok(v.cmd().args(["recipients", "list"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    let audit = v.ok(v.cmd().arg("audit"));
    assert!(
        contains(&audit.stdout, b"evil.example\\r\\u{1b}[2K"),
        "audit hosts"
    );

    // git textconv, as `git diff` shows it.
    let out = v.ok(v.cmd().arg("git-textconv").arg(v.store()));
    assert_terminal_safe("git-textconv", &both(&out));
    assert!(contains(&out.stdout, escaped_desc.as_bytes()));
    assert!(contains(&out.stdout, b"\\r\\u{1b}[2K\\u{1b}[1A"));
}

#[test]
fn json_output_escapes_controls_and_round_trips() {
    let v = Vault::new();
    let hidden = hostile(&v);
    for args in [
        &["list", "--json"][..],
        &["status", "--json"],
        &["recipients", "list", "--json"],
        &["audit", "--json"],
    ] {
        let out = v.ok(v.cmd().args(args));
        assert_terminal_safe(&args.join(" "), &both(&out));
        // The JSON still carries the exact stored text.
        let text = String::from_utf8(out.stdout.clone()).unwrap();
        let values: Vec<serde_json::Value> = if args[0] == "audit" {
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        } else {
            vec![serde_json::from_str(&text).unwrap()]
        };
        let all = serde_json::to_string(&values).unwrap();
        let wanted = if args[0] == "list" || args[0] == "audit" {
            serde_json::to_string(OSC52_CLEAR).unwrap()
        } else {
            serde_json::to_string(&hidden).unwrap()
        };
        assert!(all.contains(wanted.trim_matches('"')), "{args:?}: {text}");
        assert!(
            text.contains("\\u001b]52;c;") || text.contains("\\u001b[2K"),
            "{text}"
        );
    }
    let out = v.ok(v.cmd().args(["list", "--json"]));
    assert!(
        contains(&out.stdout, b"\\u202e"),
        "bidi override escaped in JSON"
    );
}

#[test]
fn messages_quoting_repository_text_are_escaped() {
    let v = Vault::new();
    v.init();
    // A directory name is repository text; the error quoting it stays one escaped line.
    let dir = v.tmp.path().join("repo\x1b]52;c;aGk=\x07\x1b[2J");
    let out = v.run(v.cmd().arg("--store").arg(&dir).arg("list"));
    let stderr = assert_error(&out, 66);
    assert_terminal_safe("--store", &out.stderr);
    assert!(
        stderr.contains("repo\\u{1b}]52;c;aGk=\\u{7}\\u{1b}[2J"),
        "{stderr}"
    );
    // A file name found by scan.
    v.set("API_KEY", "s3cr3t-value-123");
    let tree = v.tmp.path().join("tree");
    fs::create_dir(&tree).unwrap();
    fs::write(tree.join("a\x1b[2Kb.txt"), "token=s3cr3t-value-123\n").unwrap();
    let out = v.run(v.cmd().arg("scan").arg(&tree));
    assert_eq!(out.status.code(), Some(1));
    assert_terminal_safe("scan", &both(&out));
    assert!(
        contains(&out.stdout, b"a\\u{1b}[2Kb.txt:1:7 API_KEY"),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = v.run(v.cmd().arg("scan").arg("--json").arg(&tree));
    assert_terminal_safe("scan --json", &both(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = report.to_string();
    assert!(found.contains("a\\u001b[2Kb.txt"), "{found}");
    // A command word from argv.
    let out = v.run(v.cmd().args(["run", "--", "no-such\x1b[2Jcmd"]));
    let stderr = assert_error(&out, 127);
    assert!(stderr.contains("no-such\\u{1b}[2Jcmd"), "{stderr}");
}

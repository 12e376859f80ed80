//! The audit log: every action leaves one hash-chained entry in `audit.jsonl` (names,
//! hosts, decisions, exit codes — never a value), `vault audit` shows it, `vault audit
//! verify` finds every kind of tampering and names the line, and an action that cannot be
//! audited does not happen.

use std::fs;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::egress::{Server, VALUE, headless, vault_with};
use crate::support::{Fixture, Rng, Vault, assert_error, assert_no_leak, contains};

const USAGE: i32 = 2;
const DATA_ERR: i32 = 65;
const LOCKED: i32 = 75;
const DENIED: i32 = 77;

/// 64 zeros: the `prev` of the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn audit_path(v: &Vault) -> PathBuf {
    v.home.join("audit.jsonl")
}

fn log_bytes(v: &Vault) -> Vec<u8> {
    fs::read(audit_path(v)).expect("read audit.jsonl")
}

/// The lines of audit.jsonl, each parsed as JSON.
fn entries(v: &Vault) -> Vec<serde_json::Value> {
    String::from_utf8(log_bytes(v))
        .expect("audit.jsonl is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Recomputes the chain in the test: seq 1, 2, …; each `prev` the SHA-256 of the line
/// before (without its newline); the first one GENESIS; every line newline-terminated.
#[track_caller]
fn assert_chain(v: &Vault) {
    let bytes = log_bytes(v);
    assert!(bytes.ends_with(b"\n"), "audit.jsonl ends with a newline");
    let mut prev = GENESIS.to_string();
    for (i, line) in bytes[..bytes.len() - 1].split(|&b| b == b'\n').enumerate() {
        let e: serde_json::Value = serde_json::from_slice(line).expect("entry is JSON");
        assert_eq!(e["seq"], i + 1, "seq of line {}", i + 1);
        assert_eq!(e["prev"], prev.as_str(), "prev of line {}", i + 1);
        prev = sha256_hex(line);
    }
}

/// The last entry with this action.
#[track_caller]
fn last(v: &Vault, action: &str) -> serde_json::Value {
    entries(v)
        .into_iter()
        .rev()
        .find(|e| e["action"] == action)
        .unwrap_or_else(|| panic!("no `{action}` entry in {:?}", entries(v)))
}

/// The actions of every entry, in order.
fn actions(v: &Vault) -> Vec<String> {
    entries(v)
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_string())
        .collect()
}

/// `vault audit verify`: (exit code, stdout, stderr); the store and the log are never
/// written by it.
fn verify(v: &Vault) -> (i32, String, String) {
    let store = v.store_bytes();
    let log = fs::read(audit_path(v)).ok();
    let out = v.run(&mut headless(v, &["audit", "verify"]));
    v.assert_store_unchanged(&store);
    assert_eq!(
        fs::read(audit_path(v)).ok(),
        log,
        "`audit verify` changed audit.jsonl"
    );
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts `verify` fails with 65, prints nothing on stdout, and names `line N:` on a
/// `vault: error: audit log line …` line.
#[track_caller]
fn assert_tampered(v: &Vault, line: usize, what: &str) -> String {
    let (code, stdout, stderr) = verify(v);
    assert_eq!(code, DATA_ERR, "{what}: verify exit (stderr {stderr:?})");
    assert!(stdout.is_empty(), "{what}: stdout {stdout:?}");
    assert!(
        stderr.contains("vault: error: audit log line "),
        "{what}: {stderr:?}"
    );
    assert!(
        stderr.contains(&format!("line {line}:")),
        "{what}: line {line} is not named: {stderr:?}"
    );
    stderr
}

// ---------------------------------------------------------------------------------------
// Every action leaves an entry

/// init, set, replace, rm, import, policy (narrowing, and a refused widening), run (with a
/// literal value in argv, a placeholder, redactions and an exit status), an allowed run
/// with a host, a denied run, an unanswerable confirm, a failed unlock: one entry each,
/// with the right fields, the chain intact, and no value in any encoding in the log.
#[test]
fn every_action_leaves_an_entry_and_no_value() {
    let server = Server::start();
    let v = vault_with(&["--allow", "127.0.0.1"]);
    assert_eq!(actions(&v), ["init", "set"]);
    assert_eq!(last(&v, "set")["secrets"], serde_json::json!(["TOKEN"]));
    assert!(
        last(&v, "init")["note"]
            .as_str()
            .is_some_and(|n| n.contains("VAULT_IDENTITY")),
        "{:?}",
        last(&v, "init")
    );

    let replaced = "replaced-value-5e6f7a8b9c";
    v.ok(v
        .cmd()
        .args(["set", "OTHER", "--allow", "127.0.0.1"])
        .write_stdin("other-value-1a2b3c4d5e\n"));
    v.ok(v
        .cmd()
        .args(["set", "OTHER", "--replace"])
        .write_stdin(format!("{replaced}\n")));
    assert_eq!(last(&v, "replace")["secrets"], serde_json::json!(["OTHER"]));
    v.ok(v.cmd().args(["rm", "OTHER"]));
    assert_eq!(last(&v, "rm")["secrets"], serde_json::json!(["OTHER"]));

    let dotenv = v.path("in.env");
    fs::write(
        &dotenv,
        "IMPORTED_A=imported-value-aaaa1111\nexport IMPORTED_B=\"imported-value-bbbb2222\"\n",
    )
    .expect("write dotenv");
    v.ok(v
        .cmd()
        .args(["import", dotenv.to_str().expect("UTF-8 path")]));
    let import = last(&v, "import");
    let mut names: Vec<&str> = import["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["IMPORTED_A", "IMPORTED_B"]);

    // policy: a narrowing is an entry; a refused widening is a `deny` entry.
    v.ok(&mut headless(
        &v,
        &["policy", "set", "IMPORTED_A", "--deny", "*"],
    ));
    let policy = last(&v, "policy");
    assert_eq!(policy["secrets"], serde_json::json!(["IMPORTED_A"]));
    assert_eq!(policy["decision"]["to"], "deny *");
    assert_eq!(policy["decision"]["widened"], false);
    v.refuses(
        &mut headless(&v, &["policy", "set", "IMPORTED_A", "--allow", "*"]),
        DENIED,
    );
    // A widening asks for an approval; refused (no factor here), it is audited as such.
    let approval = last(&v, "approval");
    assert_eq!(approval["secrets"], serde_json::json!(["IMPORTED_A"]));
    assert_eq!(approval["decision"]["for"], "widen-policy");
    assert_eq!(approval["decision"]["result"], "refused");
    v.ok(v.cmd().args(["rm", "IMPORTED_A"]));
    v.ok(v.cmd().args(["rm", "IMPORTED_B"]));

    // run: a value typed literally in argv is redacted there; the placeholder stays as
    // typed; three printed copies are three redactions; the exit status is the child's.
    let script = "printf '%s\\n' \"$TOKEN\" \"$1\" {{secure.TOKEN}}; exit 3";
    let out = v.run(&mut headless(
        &v,
        &["run", "--no-pty", "--", "sh", "-c", script, "_", VALUE],
    ));
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "[REDACTED:TOKEN]\n[REDACTED:TOKEN]\n[REDACTED:TOKEN]\n"
    );
    let run = last(&v, "run");
    assert_eq!(run["secrets"], serde_json::json!(["TOKEN"]));
    assert_eq!(
        run["argv"],
        serde_json::json!(["sh", "-c", script, "_", "[REDACTED:TOKEN]"])
    );
    assert_eq!(run["exit"], 3);
    assert_eq!(run["redactions"], serde_json::json!({ "TOKEN": 3 }));
    assert!(run["duration_ms"].is_u64(), "{run}");
    assert!(run["decision"].is_string(), "{run}");

    // An allowed run with a destination: hosts and decision.
    let url = server.url();
    v.ok(&mut headless(
        &v,
        &[
            "run",
            "--no-pty",
            "--",
            "curl",
            "-s",
            "-H",
            "Authorization: Bearer {{secure.TOKEN}}",
            &url,
        ],
    ));
    let run = last(&v, "run");
    let host = format!("127.0.0.1:{}", server.port());
    assert_eq!(run["hosts"], serde_json::json!([host]));
    assert_eq!(run["decision"], "allow");
    assert_eq!(run["exit"], 0);
    assert_eq!(run["redactions"], serde_json::json!({ "TOKEN": 1 }));
    assert_eq!(
        run["argv"],
        serde_json::json!([
            "curl",
            "-s",
            "-H",
            "Authorization: Bearer {{secure.TOKEN}}",
            url
        ])
    );

    // A denied run: a `deny` entry with hosts and the decision, no `run` entry.
    let runs = actions(&v).iter().filter(|a| *a == "run").count();
    v.refuses(
        &mut headless(&v, &["run", "--", "curl", "-s", "http://localhost:1/"]),
        DENIED,
    );
    let deny = last(&v, "deny");
    assert_eq!(deny["hosts"], serde_json::json!(["localhost:1"]));
    assert!(
        deny["decision"]["deny"][0]
            .as_str()
            .is_some_and(|d| d.contains("TOKEN") && d.contains("localhost:1"))
    );
    assert_eq!(actions(&v).iter().filter(|a| *a == "run").count(), runs);

    // A confirm with nobody to ask.
    v.ok(&mut headless(
        &v,
        &["policy", "set", "TOKEN", "--confirm", "127.0.0.1"],
    ));
    v.refuses(
        &mut headless(&v, &["run", "--", "curl", "-s", &url]),
        DENIED,
    );
    let confirm = last(&v, "confirm");
    assert_eq!(confirm["decision"]["answer"], "refused");
    assert_eq!(last(&v, "approval")["decision"]["for"], "confirm-egress");
    assert_eq!(confirm["hosts"], serde_json::json!([host]));
    assert_eq!(actions(&v).iter().filter(|a| *a == "run").count(), runs);

    // A failed unlock (another identity).
    let other = Fixture::generate();
    v.refuses(
        v.cmd().env("VAULT_IDENTITY", &other.identity).arg("list"),
        LOCKED,
    );
    assert_eq!(
        actions(&v).last().map(String::as_str),
        Some("unlock-failed")
    );

    assert_eq!(server.connections(), 1, "only the allowed run connected");
    assert_chain(&v);
    let (code, stdout, _) = verify(&v);
    assert_eq!(code, 0, "{stdout}");
    let log = log_bytes(&v);
    for value in [
        VALUE,
        replaced,
        "other-value-1a2b3c4d5e",
        "imported-value-aaaa1111",
        "imported-value-bbbb2222",
    ] {
        assert_no_leak(&log, value.as_bytes());
    }
    assert!(!contains(&log, other.identity.as_bytes()));
    assert!(!contains(&log, v.fixture.identity.as_bytes()));
}

/// `vault audit` (text), `--json` (one parseable object per line, the same entries as the
/// file), and `--since` as a duration and as RFC 3339.
#[test]
fn audit_show_json_and_since() {
    let v = vault_with(&[]);
    v.ok(v
        .cmd()
        .args(["set", "SECOND"])
        .write_stdin("second-value-0123456789\n"));
    let out = v.ok(&mut headless(&v, &["audit"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.contains("set") && l.contains("TOKEN"))
    );

    let json = |args: &[&str]| -> Vec<serde_json::Value> {
        let mut all = vec!["audit", "--json"];
        all.extend_from_slice(args);
        let out = v.ok(&mut headless(&v, &all));
        String::from_utf8(out.stdout)
            .expect("UTF-8")
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    };
    assert_eq!(json(&[]), entries(&v));
    assert_eq!(json(&["--since", "1h"]).len(), 3);
    assert_eq!(json(&["--since", "2000-01-01T00:00:00Z"]).len(), 3);
    assert_eq!(json(&["--since", "2999-01-01T00:00:00Z"]).len(), 0);
    let second = entries(&v)[1]["time"].as_str().expect("time").to_string();
    let since_second = json(&["--since", &second]);
    assert_eq!(since_second.len(), 2, "--since {second}");
    assert_eq!(since_second[0]["seq"], 2);

    // An old entry (its time rewritten: `audit` shows, it does not verify) drops out of
    // `--since 1h` but not out of the whole log.
    let text = String::from_utf8(log_bytes(&v)).expect("UTF-8");
    let old = text.replacen(
        entries(&v)[0]["time"].as_str().expect("time"),
        "2001-02-03T04:05:06.789Z",
        1,
    );
    fs::write(audit_path(&v), old).expect("rewrite");
    assert_eq!(json(&["--since", "1h"]).len(), 2);
    assert_eq!(json(&[]).len(), 3);
    assert_eq!(json(&["--since", "2001-02-03T04:05:06Z"]).len(), 3);

    let out = v.run(&mut headless(&v, &["audit", "--since", "yesterday-ish"]));
    assert_error(&out, USAGE);
    assert_no_leak(&v.transcript(), VALUE.as_bytes());
}

// ---------------------------------------------------------------------------------------
// verify

/// A vault whose log has 5 entries, every one a store write (so the store's recorded head
/// is the last line): init, set A, set B, set C, set D.
fn five_writes() -> (Vault, Vec<Vec<u8>>) {
    let v = Vault::new();
    v.init();
    for name in ["SECRET_A", "SECRET_B", "SECRET_C", "SECRET_D"] {
        v.set(name, format!("{name}-value-0123456789"));
    }
    let bytes = log_bytes(&v);
    let lines: Vec<Vec<u8>> = bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    assert_eq!(lines.len(), 5);
    (v, lines)
}

fn write_lines(v: &Vault, lines: &[Vec<u8>]) {
    fs::write(audit_path(v), lines.concat()).expect("write audit.jsonl");
}

#[test]
fn verify_intact_log() {
    let (v, _) = five_writes();
    // A run after the last store write is covered by the chain too.
    v.ok(&mut headless(&v, &["run", "--", "true"]));
    let (code, stdout, stderr) = verify(&v);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "audit log intact: 6 entries, chain verified, reaches the store's recorded head\n"
    );
    // Without an identity only the chain is checked, and it says so.
    let out = v.run(&mut crate::support::wrap({
        let mut c = v.std_cmd_no_identity();
        c.args(["audit", "verify"]);
        crate::support::without_terminal(&mut c);
        c.env("VAULT_IDENTITY_FILE", v.path("missing.key"));
        c
    }));
    assert_eq!(out.status.code(), Some(0));
    assert!(contains(&out.stderr, b"chain only"));
}

/// Edited, deleted, swapped, newest-deleted, truncated, and emptied logs: verify fails
/// (65) naming the line, and neither the store nor the log changes.
#[test]
fn verify_detects_tampering() {
    let (v, lines) = five_writes();
    let text = |i: usize| String::from_utf8(lines[i].clone()).expect("UTF-8");

    // An edited entry (a secret's name) in the middle: line 3 is named.
    let mut edited = lines.clone();
    edited[2] = text(2).replace("SECRET_B", "SECRET_X").into_bytes();
    write_lines(&v, &edited);
    assert_tampered(&v, 3, "edited line 3");

    // The newest entry edited: the chain cannot see it, the store's head can.
    let mut edited = lines.clone();
    edited[4] = text(4).replace("SECRET_D", "SECRET_X").into_bytes();
    write_lines(&v, &edited);
    assert_tampered(&v, 5, "edited line 5");

    // A deleted middle entry.
    let mut deleted = lines.clone();
    deleted.remove(2);
    write_lines(&v, &deleted);
    assert_tampered(&v, 3, "deleted line 3");

    // Two swapped entries.
    let mut swapped = lines.clone();
    swapped.swap(1, 2);
    write_lines(&v, &swapped);
    assert_tampered(&v, 2, "swapped lines 2 and 3");

    // The newest entry deleted: the log no longer reaches the store's recorded head.
    write_lines(&v, &lines[..4]);
    let err = assert_tampered(&v, 5, "newest entry deleted");
    assert!(err.contains("deleted"), "{err}");

    // Every entry deleted (an empty file, then no file).
    write_lines(&v, &[]);
    assert_tampered(&v, 1, "empty log");
    fs::remove_file(audit_path(&v)).expect("rm audit.jsonl");
    assert_tampered(&v, 1, "no log");

    // A truncated last line.
    let mut truncated = lines.clone();
    let cut = truncated[4].len() - 10;
    truncated[4].truncate(cut);
    write_lines(&v, &truncated);
    assert_tampered(&v, 5, "truncated last line");

    // Garbage appended.
    let mut appended = lines.clone();
    appended.push(b"{\"seq\":6}\n".to_vec());
    write_lines(&v, &appended);
    assert_tampered(&v, 6, "a forged line appended");

    write_lines(&v, &lines);
    assert_eq!(verify(&v).0, 0, "restored log verifies");
}

/// A last line that lost only its newline is a truncated write: `verify` must say so, and
/// the next action must not glue its entry onto that line (which would damage the log) —
/// it must refuse, with the store and the log unchanged.
#[test]
fn verify_detects_a_last_line_without_its_newline() {
    let (v, lines) = five_writes();
    let mut cut = lines.clone();
    cut[4].pop();
    write_lines(&v, &cut);
    assert_tampered(&v, 5, "last line without its newline");

    let before = log_bytes(&v);
    let out = v.run(
        v.cmd()
            .args(["set", "AFTER"])
            .write_stdin("after-value-0123456789\n"),
    );
    if out.status.success() {
        // Accepting the write is acceptable only if the log is left well-formed.
        assert_chain(&v);
    } else {
        assert_error(&out, out.status.code().expect("exit code"));
        assert_eq!(log_bytes(&v), before, "a refused write changed the log");
    }
}

/// Bit flips anywhere in any line are caught and the line (or the next, whose `prev` no
/// longer matches — the message then names this one as the edited entry) is named.
#[test]
fn verify_detects_bit_flips() {
    let (v, lines) = five_writes();
    let mut rng = Rng::from_env();
    for (i, line) in lines.iter().enumerate() {
        // Start, seq, prev, middle, end, the newline, and a few random bytes.
        let mut positions = vec![0, 7, 15, 40, line.len() / 2, line.len() - 2, line.len() - 1];
        for _ in 0..5 {
            positions.push(usize::try_from(rng.below(line.len() as u64)).expect("fits"));
        }
        for pos in positions {
            let bit = 1u8 << rng.below(8);
            let mut flipped = lines.clone();
            flipped[i][pos] ^= bit;
            write_lines(&v, &flipped);
            assert_tampered(
                &v,
                i + 1,
                &format!("line {} byte {pos} bit {bit:#04x}", i + 1),
            );
        }
    }
    write_lines(&v, &lines);
    assert_eq!(verify(&v).0, 0);
}

// ---------------------------------------------------------------------------------------
// Fail closed

/// A named way to make audit.jsonl unwritable.
type Breaker = (&'static str, Box<dyn Fn(&Vault)>);

/// Appends raw bytes to audit.jsonl.
fn append_line(v: &Vault, line: &[u8]) {
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(audit_path(v))
        .expect("open");
    std::io::Write::write_all(&mut f, line).expect("append");
}

/// What to do to audit.jsonl to make it unwritable, by name.
fn breakers() -> Vec<Breaker> {
    let mut all: Vec<Breaker> = vec![
        (
            "a directory",
            Box::new(|v: &Vault| {
                fs::remove_file(audit_path(v)).expect("rm audit.jsonl");
                fs::create_dir(audit_path(v)).expect("mkdir audit.jsonl");
            }),
        ),
        (
            "a symlink",
            Box::new(|v: &Vault| {
                let elsewhere = v.path("elsewhere.jsonl");
                fs::copy(audit_path(v), &elsewhere).expect("copy");
                fs::remove_file(audit_path(v)).expect("rm audit.jsonl");
                std::os::unix::fs::symlink(&elsewhere, audit_path(v)).expect("symlink");
            }),
        ),
        (
            "damaged (last line not an entry)",
            Box::new(|v: &Vault| append_line(v, b"not json\n")),
        ),
        (
            // The head is read without parsing the whole entry: its shape is still checked.
            "damaged (last line JSON with a seq, but not an entry)",
            Box::new(|v: &Vault| append_line(v, b"{\"seq\":99}\n")),
        ),
    ];
    if !rustix::process::geteuid().is_root() {
        all.push((
            "mode 000",
            Box::new(|v: &Vault| crate::support::chmod(&audit_path(v), 0o000)),
        ));
    }
    all
}

/// With audit.jsonl unwritable, nothing that would be audited happens: set, replace, rm,
/// import and policy fail with the store byte-identical, and a run never starts.
#[test]
fn unwritable_log_fails_closed() {
    for (what, break_it) in breakers() {
        let v = vault_with(&["--allow", "127.0.0.1"]);
        break_it(&v);
        let dotenv = v.path("in.env");
        fs::write(&dotenv, "IMPORTED=imported-value-0123456789\n").expect("write dotenv");
        let attempts: Vec<(Vec<&str>, &str)> = vec![
            (vec!["set", "NEW_TOKEN"], "new-value-0123456789\n"),
            (
                vec!["set", "TOKEN", "--replace"],
                "other-value-0123456789\n",
            ),
            (vec!["rm", "TOKEN"], ""),
            (vec!["import", dotenv.to_str().expect("UTF-8")], ""),
            (vec!["policy", "set", "TOKEN", "--deny", "*"], ""),
        ];
        for (args, stdin) in attempts {
            let before = v.store_bytes();
            let out = v.run(headless(&v, &args).write_stdin(stdin));
            assert!(
                !out.status.success(),
                "{what}: {args:?} succeeded with an unwritable audit log"
            );
            assert_error(&out, out.status.code().expect("exit code"));
            v.assert_store_unchanged(&before);
        }
        let marker = v.path("started");
        let script = format!("touch '{}'", marker.display());
        for argv in [
            vec!["run", "--", "sh", "-c", script.as_str()],
            vec!["run", "--no-pty", "--", "sh", "-c", script.as_str()],
        ] {
            let out = v.run(&mut headless(&v, &argv));
            assert!(!out.status.success(), "{what}: run succeeded");
            assert_error(&out, out.status.code().expect("exit code"));
            assert!(!marker.exists(), "{what}: the command started unaudited");
        }
        assert_no_leak(&v.transcript(), VALUE.as_bytes());
    }
}

/// Concurrent runs, sets and failed unlocks all land in one unbroken chain: no entry lost,
/// no seq repeated, and the store's head is reached.
#[test]
fn concurrent_actions_keep_one_chain() {
    let v = vault_with(&[]);
    let other = Fixture::generate();
    let mut children = Vec::new();
    for i in 0..12 {
        let mut c = v.std_cmd();
        match i % 3 {
            0 => {
                c.args(["run", "--no-pty", "--", "true"]);
            }
            1 => {
                c.args(["set", &format!("CONCURRENT_{i}")])
                    .stdin(std::process::Stdio::piped());
            }
            _ => {
                c.env("VAULT_IDENTITY", &other.identity).arg("list");
            }
        }
        crate::support::without_terminal(&mut c);
        c.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = c.spawn().expect("spawn vault");
        if let Some(mut stdin) = child.stdin.take() {
            std::io::Write::write_all(&mut stdin, format!("concurrent-value-{i:04}\n").as_bytes())
                .expect("write value");
        }
        children.push((i, child));
    }
    for (i, mut child) in children {
        let status = child.wait().expect("wait");
        assert_eq!(status.success(), i % 3 != 2, "child {i}: {status:?}");
    }
    let all = actions(&v);
    assert_eq!(all.len(), 2 + 12, "{all:?}");
    for (action, n) in [("run", 4), ("set", 1 + 4), ("unlock-failed", 4)] {
        assert_eq!(
            all.iter().filter(|a| *a == action).count(),
            n,
            "{action}: {all:?}"
        );
    }
    assert_chain(&v);
    let (code, stdout, stderr) = verify(&v);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

/// A value typed literally into a host name is sent out by the name lookup alone, so the
/// run is refused (even though the policy allows the domain); the refusal's entry has the
/// value redacted from its `argv` and holds no `hosts` that could carry it.
#[test]
fn literal_value_in_a_host_never_reaches_the_log() {
    let value = "hostlabel-value-0123456789";
    let v = Vault::new();
    v.init();
    v.ok(v
        .cmd()
        .args(["set", "HOSTY", "--allow", "*.invalid"])
        .write_stdin(format!("{value}\n")));
    let url = format!("http://{value}.invalid/");
    let out = v.run(&mut headless(
        &v,
        &[
            "run",
            "--no-pty",
            "--",
            "curl",
            "-s",
            "--max-time",
            "2",
            &url,
        ],
    ));
    assert_eq!(out.status.code(), Some(77), "{out:?}");
    assert_no_leak(&out.stderr, value.as_bytes());
    let deny = last(&v, "deny");
    assert_eq!(deny["argv"][4], "http://[REDACTED:HOSTY].invalid/");
    assert!(deny["hosts"].as_array().is_none_or(Vec::is_empty), "{deny}");
    assert_no_leak(&log_bytes(&v), value.as_bytes());
}

/// A refusal that cannot be audited fails closed on the audit error, and its hint is
/// about the audit log, not about the refused argv.
#[test]
fn unauditable_refusal_has_no_egress_hint() {
    let v = vault_with(&["--allow", "127.0.0.1"]);
    fs::remove_file(audit_path(&v)).expect("rm audit.jsonl");
    fs::create_dir(audit_path(&v)).expect("mkdir audit.jsonl");
    let marker = v.path("started");
    let script = format!(
        "touch '{}'; curl -x http://127.0.0.1:1 http://a.example/",
        marker.display()
    );
    let out = v.run(&mut headless(&v, &["run", "--", "sh", "-c", &script]));
    let err = assert_error(&out, out.status.code().expect("exit code"));
    assert!(!marker.exists());
    assert!(err.contains("audit log"), "{err}");
    assert!(!err.contains("argv check"), "misleading hint: {err}");
}

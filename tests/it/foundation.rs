//! The foundation: `init`, `keygen`, `set`, `list`, `rm`, `import` over the encrypted store.
//!
//! Every refusal is checked three ways (one-line message, exit status, store bytes
//! untouched) by `Vault::refuses`. Values are checked by decrypting store.age in the test,
//! since by design no command prints one.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::symlink;
use std::os::unix::process::ExitStatusExt as _;
use std::process::Stdio;
use std::time::Duration;

use assert_cmd::Command;

use crate::support::{
    BIN, Fixture, Rng, Vault, assert_error, assert_no_leak, chmod, contains, decrypt, mode,
    without_terminal, wrap,
};

/// A value distinctive enough that finding it (or an encoding of it) anywhere is a leak.
const CANARY: &str = "zQ7-canary-VALUE-9f1c3e5a7b-Kx";

// Exit statuses, from src/exit.rs.
const USAGE: i32 = 2;
const DATA_ERR: i32 = 65;
const NO_INPUT: i32 = 66;
const CANT_CREATE: i32 = 73;
const IO_ERR: i32 = 74;
const LOCKED: i32 = 75;
const CONFIG: i32 = 78;

/// An initialised store holding one secret, so the store has a non-empty payload.
fn ready() -> Vault {
    let v = Vault::new();
    v.init();
    v.set("EXISTING_TOKEN", "existing-value-0123456789");
    v
}

/// Byte offset where the age payload starts (after the header's `---` MAC line and the
/// 16-byte nonce), and where the header ends.
fn payload_offsets(store: &[u8]) -> (usize, usize) {
    let mac = store
        .windows(5)
        .position(|w| w == b"\n--- ")
        .expect("age header MAC line");
    let header_end = mac
        + 1
        + store[mac + 1..]
            .iter()
            .position(|&b| b == b'\n')
            .expect("MAC line end")
        + 1;
    (header_end, header_end + 16)
}

fn round_trip(v: &Vault, cmd: impl Fn() -> Command) {
    let value = "round-trip-value-0123456789";
    v.ok(cmd().arg("init"));
    assert_eq!(mode(&v.home), 0o700, "home mode");
    assert_eq!(mode(&v.store()), 0o600, "store.age mode");

    let out = v.ok(cmd().arg("list"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no secrets yet"));

    let out = v.ok(cmd()
        .args([
            "set",
            "API_TOKEN",
            "--description",
            "the API token",
            "--allow",
            "api.example.com",
        ])
        .write_stdin(format!("{value}\n")));
    assert!(out.stdout.is_empty(), "set printed on stdout");
    assert_eq!(
        v.stored_value("API_TOKEN").as_deref(),
        Some(value.as_bytes())
    );

    // Reading never writes.
    let before = v.store_bytes();
    let files_before = v.files_under_home();

    let out = v.ok(cmd().arg("list"));
    let table = String::from_utf8(out.stdout).expect("UTF-8 table");
    for want in ["NAME", "API_TOKEN", "the API token", "api.example.com"] {
        assert!(table.contains(want), "list lacks {want:?}:\n{table}");
    }

    let out = v.ok(cmd().args(["list", "--json"]));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list --json is JSON");
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 1);
    let row = rows[0].as_object().expect("an object");
    assert_eq!(row["name"], "API_TOKEN");
    assert_eq!(row["description"], "the API token");
    for key in ["created", "updated"] {
        let t = row[key].as_str().expect("a timestamp string");
        assert!(t.ends_with('Z') && t.len() == 20, "{key}: {t}");
    }
    assert!(
        row["policy"].to_string().contains("api.example.com"),
        "{row:?}"
    );
    let mut keys: Vec<&str> = row.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["created", "description", "name", "policy", "updated"],
        "no value-ish field"
    );
    v.assert_store_unchanged(&before);
    assert!(
        v.files_under_home() == files_before,
        "list changed files under the home"
    );

    let out = v.ok(cmd().args(["rm", "API_TOKEN"]));
    assert!(out.stdout.is_empty(), "rm printed on stdout");
    let out = v.ok(cmd().arg("list"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no secrets yet"));
    let out = v.ok(cmd().args(["list", "--json"]));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(rows, serde_json::json!([]));
    assert!(v.stored_names().is_empty());

    assert_no_leak(&v.transcript(), value.as_bytes());
    assert_no_leak(&v.files_under_home(), value.as_bytes());
    // The identity came from the environment: it is neither printed nor kept.
    assert_no_leak(&v.transcript(), v.fixture.identity.as_bytes());
    assert_no_leak(&v.files_under_home(), v.fixture.identity.as_bytes());
}

/// (1) The whole life of a secret, unlocking with `VAULT_IDENTITY`.
#[test]
fn round_trip_with_vault_identity() {
    let v = Vault::new();
    round_trip(&v, || v.cmd());
    let recipients = &v.decrypt_store()["recipients"];
    assert_eq!(recipients, &serde_json::json!([v.fixture.recipient]));
}

/// (1) The same, unlocking with `VAULT_IDENTITY_FILE` (a keygen-style file with comments).
#[test]
fn round_trip_with_vault_identity_file() {
    let v = Vault::new();
    round_trip(&v, || {
        let mut c = v.cmd_no_identity();
        c.env("VAULT_IDENTITY_FILE", &v.identity_file);
        c
    });
}

/// (2) No value (raw, base64 or hex) reaches any output or any file under the home, through
/// set, list, a refused duplicate set, and `--replace`.
#[test]
fn values_never_leak_to_output_or_disk() {
    let replacement = "zQ7-replacement-VALUE-4d2b8f6a0c-Yw";
    let v = Vault::new();
    v.init();
    v.ok(v
        .cmd()
        .args(["set", "CANARY_TOKEN", "--description", "canary"])
        .write_stdin(format!("{CANARY}\n")));
    v.ok(v.cmd().arg("list"));
    v.ok(v.cmd().args(["list", "--json"]));
    v.refuses(
        v.cmd().args(["set", "CANARY_TOKEN"]).write_stdin(CANARY),
        CANT_CREATE,
    );
    v.ok(v
        .cmd()
        .args(["set", "CANARY_TOKEN", "--replace"])
        .write_stdin(format!("{replacement}\r\n")));
    v.ok(v.cmd().arg("list"));
    v.ok(v.cmd().args(["list", "--json"]));
    assert_eq!(
        v.stored_value("CANARY_TOKEN").as_deref(),
        Some(replacement.as_bytes())
    );

    let out = v.transcript();
    let disk = v.files_under_home();
    for value in [CANARY, replacement] {
        assert_no_leak(&out, value.as_bytes());
        assert_no_leak(&disk, value.as_bytes());
    }
}

/// `--replace` changes the value and `updated`, and keeps the policy, `created` and
/// (unless a new one is given) the description.
#[test]
fn replace_keeps_metadata() {
    let v = Vault::new();
    v.init();
    v.ok(v
        .cmd()
        .args([
            "set",
            "KEPT_TOKEN",
            "--allow",
            "api.example.com",
            "--description",
            "first",
        ])
        .write_stdin("first-value-0123456789\n"));
    let before = v.decrypt_store()["secrets"]["KEPT_TOKEN"].clone();
    v.ok(v
        .cmd()
        .args(["set", "KEPT_TOKEN", "--replace"])
        .write_stdin("second-value-0123456789\n"));
    let after = v.decrypt_store()["secrets"]["KEPT_TOKEN"].clone();
    assert_eq!(
        v.stored_value("KEPT_TOKEN").as_deref(),
        Some(&b"second-value-0123456789"[..])
    );
    assert_eq!(after["policy"], before["policy"]);
    assert!(after["policy"].to_string().contains("api.example.com"));
    assert_eq!(after["created"], before["created"]);
    assert_eq!(after["description"], "first");
    v.ok(v
        .cmd()
        .args(["set", "KEPT_TOKEN", "--replace", "--description", "second"])
        .write_stdin("third-value-0123456789\n"));
    assert_eq!(
        v.decrypt_store()["secrets"]["KEPT_TOKEN"]["description"],
        "second"
    );
}

/// (3) A value on the command line is refused, and not echoed.
#[test]
fn refuses_value_in_argv() {
    let v = ready();
    let value = "sk_live_in_argv_0123456789";
    for args in [
        vec!["set", "NEW_TOKEN", value],
        vec!["set", "NEW_TOKEN", "--", value],
        vec!["set", "NEW_TOKEN", "--allow-short", value],
        vec!["set", "--replace", "EXISTING_TOKEN", value],
    ] {
        let err = v.refuses(
            v.cmd().args(&args).write_stdin("stdin-value-0123456789\n"),
            USAGE,
        );
        assert!(!err.contains(value), "{args:?} echoed the value: {err}");
        assert!(
            !err.contains("0123456789"),
            "{args:?} echoed part of the value: {err}"
        );
    }
    assert_eq!(v.stored_names(), ["EXISTING_TOKEN"]);
    assert_no_leak(&v.transcript(), value.as_bytes());
}

/// (3) `vault set NAME=VALUE` (a natural slip) is refused without echoing the value.
#[test]
fn refuses_name_equals_value_without_echo() {
    let v = ready();
    let err = v.refuses(
        v.cmd()
            .args(["set", "NEW_TOKEN=sk_live_abc123"])
            .write_stdin("stdin-value-0123456789\n"),
        DATA_ERR,
    );
    assert!(
        !err.contains("sk_live_abc123"),
        "the value was echoed: {err}"
    );
    assert!(
        !err.contains("abc123"),
        "part of the value was echoed: {err}"
    );
}

/// (3) A value that looks like an option (`-sk_live_…`) is refused by vault's own usage
/// message, which quotes no part of it (clap would say "unexpected argument '-s'").
#[test]
fn refuses_value_looking_option_without_echo() {
    let v = ready();
    let token = "-sk_live_abc123";
    let cases: [&[&str]; 7] = [
        &["set", "NEW_TOKEN", token],
        &["set", token, "NEW_TOKEN"],
        &["set", token],
        &["set", "--sk_live_abc123", "NEW_TOKEN"],
        &["set", "NEW_TOKEN", "--allow-short", token],
        &["set", "NEW_TOKEN", "--description", "note", token],
        &["import", token],
    ];
    for args in cases {
        let err = v.refuses(
            v.cmd().args(args).write_stdin("stdin-value-0123456789\n"),
            USAGE,
        );
        // The whole token, its tail, and every fragment of 4+ characters.
        for len in 4..=token.len() {
            for start in 0..=token.len() - len {
                let frag = &token[start..start + len];
                assert!(!err.contains(frag), "{args:?} echoed {frag:?}: {err}");
            }
        }
        for quoted in ["'-s'", "`-s`", "\"-s\"", "'-sk", "'--sk", "'s'"] {
            assert!(!err.contains(quoted), "{args:?} echoed {quoted}: {err}");
        }
    }
    assert_eq!(v.stored_names(), ["EXISTING_TOKEN"]);
}

/// (3) Empty, newline-only, NUL-containing and short values are refused; `--allow-short`
/// accepts the short one.
#[test]
fn refuses_bad_values() {
    let v = ready();
    for input in [&b""[..], b"\n", b"\r\n", b"abcd\0efghijkl\n", b"1234567\n"] {
        let err = v.refuses(
            v.cmd().args(["set", "NEW_TOKEN"]).write_stdin(input),
            DATA_ERR,
        );
        assert!(
            err.contains("NEW_TOKEN"),
            "the message names the secret: {err}"
        );
        assert!(
            !err.contains("efghijkl") && !err.contains("1234567"),
            "echoed: {err}"
        );
    }
    let err = v.refuses(
        v.cmd().args(["set", "NEW_TOKEN"]).write_stdin("1234567\n"),
        DATA_ERR,
    );
    assert!(
        err.contains("--allow-short"),
        "the hint names the flag: {err}"
    );
    assert_eq!(v.stored_names(), ["EXISTING_TOKEN"]);

    v.ok(v
        .cmd()
        .args(["set", "NEW_TOKEN", "--allow-short"])
        .write_stdin("1234567\n"));
    assert_eq!(
        v.stored_value("NEW_TOKEN").as_deref(),
        Some(&b"1234567"[..])
    );
    // --allow-short does not allow empty or NUL.
    for input in [&b"\n"[..], b"ab\0c\n"] {
        v.refuses(
            v.cmd()
                .args(["set", "OTHER", "--allow-short"])
                .write_stdin(input),
            DATA_ERR,
        );
    }
}

/// (3) Invalid and reserved names are refused; 128 characters is the longest accepted.
#[test]
fn refuses_bad_names() {
    let v = ready();
    let long = "A".repeat(129);
    for name in [
        "",
        "1A",
        "A-B",
        "A B",
        "é",
        &long,
        "PATH",
        "path",
        "LD_PRELOAD",
        "DYLD_X",
        "BASH_ENV",
        "NODE_OPTIONS",
        "HTTPS_PROXY",
        "https_proxy",
        "VAULT_IDENTITY",
        "BASH_FUNC_f%%",
        "BASH_FUNC_f",
    ] {
        let err = v.refuses(
            v.cmd()
                .args(["set", name])
                .write_stdin("valid-value-0123456789\n"),
            DATA_ERR,
        );
        assert!(err.contains("name"), "{name:?}: {err}");
        v.refuses(v.cmd().args(["rm", name]), DATA_ERR);
    }
    assert_eq!(v.stored_names(), ["EXISTING_TOKEN"]);
    let max = "B".repeat(128);
    v.set(&max, "valid-value-0123456789");
    assert!(v.list_names().contains(&max));
}

/// (3) Values are write-once: an existing name needs `--replace`; `--replace` needs an
/// existing name.
#[test]
fn refuses_overwrite_and_replace_of_unknown() {
    let v = ready();
    let err = v.refuses(
        v.cmd()
            .args(["set", "EXISTING_TOKEN"])
            .write_stdin("another-value-0123456789\n"),
        CANT_CREATE,
    );
    assert!(
        err.contains("EXISTING_TOKEN") && err.contains("--replace"),
        "{err}"
    );
    let err = v.refuses(
        v.cmd()
            .args(["set", "UNKNOWN_TOKEN", "--replace"])
            .write_stdin("another-value-0123456789\n"),
        DATA_ERR,
    );
    assert!(err.contains("UNKNOWN_TOKEN"), "{err}");
    assert_eq!(
        v.stored_value("EXISTING_TOKEN").as_deref(),
        Some(&b"existing-value-0123456789"[..])
    );
}

/// (3) `--replace` keeps the policy, so policy flags with it are a usage error.
#[test]
fn refuses_replace_with_policy_flags() {
    let v = ready();
    for flag in ["--allow", "--confirm", "--deny"] {
        let err = v.refuses(
            v.cmd()
                .args([
                    "set",
                    "EXISTING_TOKEN",
                    "--replace",
                    flag,
                    "api.example.com",
                ])
                .write_stdin("another-value-0123456789\n"),
            USAGE,
        );
        assert!(err.contains("--replace"), "{err}");
    }
}

/// (3) Host patterns that are URLs or carry paths are refused.
#[test]
fn refuses_bad_host_patterns() {
    let v = ready();
    for (flag, pattern) in [
        ("--allow", "https://x.com"),
        ("--allow", "a/b"),
        ("--allow", "a*.example.com"),
        ("--deny", "user@example.com"),
        ("--confirm", "example.com:99999"),
    ] {
        v.refuses(
            v.cmd()
                .args(["set", "NEW_TOKEN", flag, pattern])
                .write_stdin("valid-value-0123456789\n"),
            DATA_ERR,
        );
    }
    assert_eq!(v.stored_names(), ["EXISTING_TOKEN"]);
}

/// (3) A description is one line.
#[test]
fn refuses_multiline_description() {
    let v = ready();
    for d in ["two\nlines", "carriage\rreturn", &"d".repeat(1025)] {
        v.refuses(
            v.cmd()
                .args(["set", "NEW_TOKEN", "--description", d])
                .write_stdin("valid-value-0123456789\n"),
            DATA_ERR,
        );
    }
    assert_eq!(v.stored_names(), ["EXISTING_TOKEN"]);
}

/// (3) `rm` of a name that is not stored.
#[test]
fn rm_unknown_name() {
    let v = ready();
    let err = v.refuses(v.cmd().args(["rm", "NOT_THERE"]), DATA_ERR);
    assert!(err.contains("NOT_THERE"), "{err}");
}

/// (3) Values over 128 KiB cannot be an environment variable and are refused, however much
/// is piped; a 64 KiB value is stored intact.
#[test]
fn refuses_value_over_128_kib() {
    let v = ready();
    for len in [128 * 1024, 128 * 1024 + 1, 1024 * 1024] {
        let mut input = vec![b'x'; len];
        input.push(b'\n');
        let err = v.refuses(v.cmd().args(["set", "BIG"]).write_stdin(input), DATA_ERR);
        assert!(err.contains("128 KiB"), "{err}");
    }
    let value: Vec<u8> = (0..64 * 1024).map(|i| b'a' + (i % 26) as u8).collect();
    v.set("BIG", &value);
    assert_eq!(v.stored_value("BIG"), Some(value));
    // The boundary: `NAME=VALUE\0` must fit in 128 KiB (MAX_ARG_STRLEN).
    let max = 128 * 1024 - "EDGE".len() - 2;
    v.refuses(
        v.cmd()
            .args(["set", "EDGE"])
            .write_stdin(vec![b'y'; max + 1]),
        DATA_ERR,
    );
    v.set("EDGE", vec![b'y'; max]);
    assert_eq!(v.stored_value("EDGE").map(|x| x.len()), Some(max));
}

/// (4) Exactly one trailing `\n` or `\r\n` is stripped from piped input; nothing else is
/// trimmed, and any bytes (not UTF-8 included) are kept as given.
#[test]
fn strips_exactly_one_trailing_newline() {
    let v = Vault::new();
    v.init();
    let cases: [(&[u8], &[u8]); 9] = [
        (b"abcdefgh", b"abcdefgh"),
        (b"abcdefgh\n", b"abcdefgh"),
        (b"abcdefgh\n\n", b"abcdefgh\n"),
        (b"abcdefgh\r\n", b"abcdefgh"),
        (b"abcdefgh\r\n\r\n", b"abcdefgh\r\n"),
        (b"abcdefgh\n\r\n", b"abcdefgh\n"),
        (b"abcdefgh\r", b"abcdefgh\r"),
        (b"  spaced value\t \n", b"  spaced value\t "),
        (b"\xff\xfe\x01binary\x7f\n", b"\xff\xfe\x01binary\x7f"),
    ];
    for (i, (input, stored)) in cases.iter().enumerate() {
        let name = format!("NL_{i}");
        v.ok(v.cmd().args(["set", &name]).write_stdin(*input));
        assert_eq!(
            v.stored_value(&name).as_deref(),
            Some(*stored),
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

/// (5) Under umask 000 the home is still 0700 and store.age and store.lock 0600, and a
/// later `set` keeps them so.
#[test]
fn umask_000_still_creates_private_files() {
    let v = Vault::new();
    let under_umask = |args: &[&str]| {
        let mut std = v.std_program("/bin/sh");
        std.args(["-c", "umask 000; exec \"$0\" \"$@\"", BIN])
            .args(args)
            .env("VAULT_IDENTITY", &v.fixture.identity);
        wrap(std)
    };
    // Sanity: the wrapper really runs with umask 000.
    let out = v.ok(wrap({
        let mut s = v.std_program("/bin/sh");
        s.args(["-c", "umask 000; umask"]);
        s
    })
    .write_stdin(""));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0000");

    v.ok(&mut under_umask(&["init"]));
    assert_eq!(mode(&v.home), 0o700, "home");
    assert_eq!(mode(&v.store()), 0o600, "store.age");
    assert_eq!(mode(&v.home.join("store.lock")), 0o600, "store.lock");

    v.ok(under_umask(&["set", "UMASK_TOKEN"]).write_stdin("umask-value-0123456789\n"));
    v.ok(&mut under_umask(&["rm", "UMASK_TOKEN"]));
    assert_eq!(mode(&v.home), 0o700, "home after set");
    assert_eq!(mode(&v.store()), 0o600, "store.age after set");
    assert_eq!(
        mode(&v.home.join("store.lock")),
        0o600,
        "store.lock after set"
    );

    let key = v.path("umask.key");
    v.ok(&mut under_umask(&[
        "keygen",
        "-o",
        key.to_str().expect("UTF-8 path"),
    ]));
    assert_eq!(mode(&key), 0o600, "keygen -o file");
}

/// (6) Eight concurrent `set`s of different names all land (the lock serialises them; no
/// update is lost).
#[test]
fn concurrent_sets_all_land() {
    let v = Vault::new();
    v.init();
    let names: Vec<String> = (0..8).map(|i| format!("PARALLEL_{i}")).collect();
    let value = |i: usize| format!("parallel-value-{i}-0123456789");
    let mut children: Vec<_> = names
        .iter()
        .map(|name| {
            let mut c = v.std_cmd();
            c.args(["set", name])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            c.spawn().expect("spawn vault set")
        })
        .collect();
    // Every process is started (and has read the store) before any gets its value.
    for (i, child) in children.iter_mut().enumerate() {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{}\n", value(i)).as_bytes())
            .expect("write value");
    }
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "set {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_no_leak(&out.stderr, value(i).as_bytes());
        assert!(out.stdout.is_empty());
    }
    assert_eq!(v.list_names(), names);
    for (i, name) in names.iter().enumerate() {
        assert_eq!(v.stored_value(name), Some(value(i).into_bytes()));
    }
}

/// (6) Concurrent `init`s of one fresh home (each with its own identity): exactly one
/// creates the store, every other says it exists (73), and the store opens with the
/// winner's identity only.
#[test]
fn concurrent_inits_one_wins() {
    for round in 0..8 {
        let v = Vault::new();
        let fixtures: Vec<Fixture> = (0..6).map(|_| Fixture::generate()).collect();
        // Each waits in sh for a line on stdin, so all of them exec vault at once.
        let mut children: Vec<_> = fixtures
            .iter()
            .map(|f| {
                let mut c = v.std_program("/bin/sh");
                c.args(["-c", "read -r _; exec \"$0\" init", BIN])
                    .env("VAULT_IDENTITY", &f.identity)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                c.spawn().expect("spawn vault init")
            })
            .collect();
        for child in &mut children {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(b"go\n")
                .expect("start");
        }
        let mut winners = Vec::new();
        for (i, child) in children.into_iter().enumerate() {
            let out = child.wait_with_output().expect("wait");
            if out.status.success() {
                winners.push(i);
            } else {
                let err = assert_error(&out, CANT_CREATE);
                assert!(
                    err.contains("already exists"),
                    "round {round}, init {i}: {err}"
                );
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: winners {winners:?}");
        let store = v.store_bytes().expect("a store");
        let payload = decrypt(&store, &fixtures[winners[0]]);
        assert_eq!(
            payload["recipients"],
            serde_json::json!([fixtures[winners[0]].recipient])
        );
        assert_eq!(mode(&v.home), 0o700);
    }
}

/// (12) Concurrent `keygen -o` to one path: exactly one writes it, the others refuse (73),
/// and the file holds the winner's identity (no silent overwrite between check and rename).
#[test]
fn keygen_output_never_overwrites_concurrently() {
    for round in 0..3 {
        let v = Vault::new();
        let key = v.path("race.key");
        let children: Vec<_> = (0..8)
            .map(|_| {
                let mut c = v.std_cmd_no_identity();
                c.args(["keygen", "-o"])
                    .arg(&key)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                c.spawn().expect("spawn vault keygen")
            })
            .collect();
        let mut winners = Vec::new();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            if out.status.success() {
                winners.push(public_key(&out.stderr));
            } else {
                assert_error(&out, CANT_CREATE);
            }
        }
        assert_eq!(
            winners.len(),
            1,
            "round {round}: {} keygens all wrote {}",
            winners.len(),
            key.display()
        );
        assert_eq!(recipient_of(&fs::read(&key).expect("read key")), winners[0]);
        assert_eq!(mode(&key), 0o600);
    }
}

/// The names of writes' temp files (`.store.age.tmp.*`) in the home.
fn temp_files(v: &Vault) -> BTreeSet<String> {
    fs::read_dir(&v.home)
        .expect("read home")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".store.age.tmp."))
        .collect()
}

/// (7) SIGKILL at a random moment of a `set` never leaves a store that `list` cannot read;
/// stale temp files are swept by the next write; every acknowledged set is kept.
#[test]
fn sigkill_during_set_never_damages_store() {
    let iterations: usize = std::env::var("VAULT_TEST_KILL_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let mut rng = Rng::from_env();
    let v = Vault::new();
    v.init();
    let mut acknowledged = Vec::new();
    let mut killed = 0;
    let mut killed_mid_write = 0;
    let mut temps = BTreeSet::new();
    for i in 0..iterations {
        let name = format!("KILL_{i}");
        let value = format!("kill-value-{i:04}-0123456789");
        let mut c = v.std_cmd();
        c.args(["set", &name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn vault set");
        {
            let mut stdin = child.stdin.take().expect("stdin");
            // It may already be dead; a broken pipe is fine.
            let _ = stdin.write_all(format!("{value}\n").as_bytes());
        }
        std::thread::sleep(Duration::from_millis(rng.below(16)));
        let _ = child.kill();
        let out = child.wait_with_output().expect("wait");
        if out.status.success() {
            acknowledged.push(name.clone());
        } else {
            assert_eq!(
                out.status.signal(),
                Some(9),
                "iteration {i}: set failed on its own: {:?} {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            killed += 1;
            let now = temp_files(&v);
            if !now.is_subset(&temps) {
                killed_mid_write += 1;
            }
            temps = now;
        }
        assert_no_leak(&out.stdout, value.as_bytes());
        assert_no_leak(&out.stderr, value.as_bytes());
        let list = v.run(v.cmd().args(["list", "--json"]));
        assert!(
            list.status.success(),
            "iteration {i}: list after SIGKILL failed: {}",
            String::from_utf8_lossy(&list.stderr)
        );
        assert_eq!(mode(&v.store()), 0o600);
    }
    eprintln!(
        "{killed} of {iterations} sets killed before finishing, {killed_mid_write} of them mid-write"
    );

    v.set("AFTER_KILLS", "after-kills-value-0123456789");
    let left = temp_files(&v);
    assert!(
        left.is_empty(),
        "stale temp files after a successful set: {left:?}"
    );
    let stored = v.stored_names();
    for name in &acknowledged {
        assert!(
            stored.contains(name),
            "{name} was acknowledged but is not stored"
        );
    }
    for name in &stored {
        if let Some(i) = name.strip_prefix("KILL_") {
            let want = format!("kill-value-{i:0>4}-0123456789");
            assert_eq!(
                v.stored_value(name),
                Some(want.into_bytes()),
                "{name} stored torn"
            );
        }
    }
    assert!(stored.contains(&"AFTER_KILLS".to_string()));
}

/// (8) Another identity does not open the store: locked (75), nothing changes.
#[test]
fn wrong_identity_is_locked() {
    let v = ready();
    let other = Fixture::generate();
    let with_other = || {
        let mut c = v.cmd();
        c.env("VAULT_IDENTITY", &other.identity);
        c
    };
    let err = v.refuses(with_other().arg("list"), LOCKED);
    assert!(err.contains("does not open"), "{err}");
    v.refuses(
        with_other()
            .args(["set", "NEW_TOKEN"])
            .write_stdin("valid-value-0123456789\n"),
        LOCKED,
    );
    v.refuses(with_other().args(["rm", "EXISTING_TOKEN"]), LOCKED);
    v.refuses(with_other().arg("init"), CANT_CREATE);
    // Not an identity at all: still locked, and the text is not quoted back.
    let mut c = v.cmd();
    c.env("VAULT_IDENTITY", "AGE-SECRET-KEY-1NOTAKEY");
    let err = v.refuses(c.arg("list"), LOCKED);
    assert!(!err.contains("NOTAKEY"), "{err}");
}

/// Runs every store-touching command against the current (damaged) store.age and expects
/// `code` from each, with the store untouched.
fn every_command_fails(v: &Vault, code: i32, what: &str) {
    let dotenv = v.path("damaged.env");
    fs::write(&dotenv, "IMPORTED_TOKEN=imported-value-0123456789\n").expect("write dotenv");
    let cases: [&[&str]; 5] = [
        &["list"],
        &["list", "--json"],
        &["set", "NEW_TOKEN"],
        &["rm", "EXISTING_TOKEN"],
        &["import", dotenv.to_str().expect("UTF-8 path")],
    ];
    for args in cases {
        let before = v.store_bytes();
        let out = v.run(v.cmd().args(args).write_stdin("valid-value-0123456789\n"));
        assert_eq!(
            out.status.code(),
            Some(code),
            "{what}: {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_error(&out, code);
        v.assert_store_unchanged(&before);
    }
}

/// (8) A flipped byte anywhere in the payload (or the header MAC) is "damaged" (74), for
/// every command, and nothing is written over the damaged store.
#[test]
fn corrupt_store_fails_closed() {
    let v = ready();
    let good = v.store_bytes().expect("store");
    let (header_end, payload) = payload_offsets(&good);
    let positions = [
        ("nonce", header_end),
        ("first payload byte", payload),
        ("middle of payload", payload + (good.len() - payload) / 2),
        ("last byte", good.len() - 1),
        ("header MAC", header_end - 3),
    ];
    for (what, at) in positions {
        let mut bad = good.clone();
        bad[at] ^= if what == "header MAC" { 0x20 } else { 0x01 };
        fs::write(v.store(), &bad).expect("write damaged store");
        every_command_fails(&v, IO_ERR, what);
        let err = v.refuses(v.cmd().arg("list"), IO_ERR);
        assert!(err.contains("damaged"), "{what}: {err}");
    }
}

/// (8) A truncated store fails closed (74) at every length that cuts the header, nonce or
/// payload.
#[test]
fn truncated_store_fails_closed() {
    let v = ready();
    let good = v.store_bytes().expect("store");
    let (header_end, payload) = payload_offsets(&good);
    for len in [
        good.len() - 1,
        good.len() - 17,
        payload + 1,
        payload,
        header_end + 3,
        header_end,
        header_end - 10,
        40,
        1,
    ] {
        fs::write(v.store(), &good[..len]).expect("truncate");
        every_command_fails(&v, IO_ERR, &format!("truncated to {len} of {}", good.len()));
    }
}

/// (8) A store that is not an age file at all, or is empty, is damaged (74).
#[test]
fn garbage_or_empty_store_fails_closed() {
    let v = ready();
    fs::write(v.store(), "this is not an age file\nat all\n").expect("write garbage");
    every_command_fails(&v, IO_ERR, "garbage");
    fs::write(v.store(), "").expect("empty");
    every_command_fails(&v, IO_ERR, "empty");
    let err = v.refuses(v.cmd().arg("list"), IO_ERR);
    assert!(err.contains("damaged"), "{err}");
}

/// (8) A store that decrypts but is not a vault payload is damaged (74), not empty.
#[test]
fn foreign_payload_fails_closed() {
    let v = ready();
    let recipient: age::x25519::Recipient = v.fixture.recipient.parse().expect("recipient");
    for payload in [&b"{\"not\":\"a vault store\"}"[..], b"", b"\xff\xfe"] {
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .expect("encryptor");
        let mut sealed = Vec::new();
        let mut w = encryptor.wrap_output(&mut sealed).expect("wrap");
        w.write_all(payload).expect("write");
        w.finish().expect("finish");
        fs::write(v.store(), &sealed).expect("write foreign store");
        every_command_fails(&v, IO_ERR, "foreign payload");
    }
}

/// (9) A symlinked VAULT_HOME is refused (74).
#[test]
fn symlinked_home_refused() {
    let v = ready();
    let real = v.path("real-home");
    fs::rename(&v.home, &real).expect("move home");
    symlink(&real, &v.home).expect("symlink home");
    for args in [
        &["list"][..],
        &["set", "NEW_TOKEN"],
        &["rm", "EXISTING_TOKEN"],
    ] {
        let err = v.refuses(
            v.cmd().args(args).write_stdin("valid-value-0123456789\n"),
            IO_ERR,
        );
        assert!(err.contains("symlink"), "{err}");
    }
}

/// (9) A symlinked store.age is refused (74), and `init` will not clobber it (73).
#[test]
fn symlinked_store_refused() {
    let v = ready();
    let elsewhere = v.path("elsewhere.age");
    fs::rename(v.store(), &elsewhere).expect("move store");
    symlink(&elsewhere, v.store()).expect("symlink store");
    for args in [
        &["list"][..],
        &["set", "NEW_TOKEN"],
        &["rm", "EXISTING_TOKEN"],
    ] {
        let err = v.refuses(
            v.cmd().args(args).write_stdin("valid-value-0123456789\n"),
            IO_ERR,
        );
        assert!(err.contains("symlink"), "{err}");
    }
    v.refuses(v.cmd().arg("init"), CANT_CREATE);
    assert!(
        fs::symlink_metadata(v.store())
            .expect("stat")
            .file_type()
            .is_symlink()
    );
}

/// (9) A symlinked store.lock is not followed: writes are refused (74) and nothing is
/// created at the link's target.
#[test]
fn symlinked_lock_refused() {
    let v = ready();
    let target = v.path("lock-target");
    fs::remove_file(v.home.join("store.lock")).expect("remove lock");
    symlink(&target, v.home.join("store.lock")).expect("symlink lock");
    v.refuses(
        v.cmd()
            .args(["set", "NEW_TOKEN"])
            .write_stdin("valid-value-0123456789\n"),
        IO_ERR,
    );
    v.refuses(v.cmd().args(["rm", "EXISTING_TOKEN"]), IO_ERR);
    assert!(!target.exists(), "the lock was created through the symlink");
}

/// (9) A store.age that is a directory, or a home that is a file, is refused (74).
#[test]
fn store_or_home_of_wrong_type_refused() {
    let v = ready();
    fs::remove_file(v.store()).expect("remove store");
    fs::create_dir(v.store()).expect("store as a directory");
    for args in [
        &["list"][..],
        &["set", "NEW_TOKEN"],
        &["rm", "EXISTING_TOKEN"],
    ] {
        v.refuses(
            v.cmd().args(args).write_stdin("valid-value-0123456789\n"),
            IO_ERR,
        );
    }
    v.refuses(v.cmd().arg("init"), CANT_CREATE);

    let w = Vault::new();
    fs::write(&w.home, "not a directory").expect("home as a file");
    for args in [&["list"][..], &["init"], &["set", "NEW_TOKEN"]] {
        let err = w.refuses(
            w.cmd().args(args).write_stdin("valid-value-0123456789\n"),
            IO_ERR,
        );
        assert!(err.contains("not a directory"), "{err}");
    }
}

/// (9) A FIFO in place of store.age fails closed (74) instead of blocking forever on open:
/// vault must not hang on whatever sits at the store's path.
#[test]
fn fifo_store_fails_closed_without_hanging() {
    let v = ready();
    fs::remove_file(v.store()).expect("remove store");
    rustix::fs::mknodat(
        rustix::fs::CWD,
        v.store(),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .expect("mkfifo");
    let fifo = v.store_bytes();
    for args in [&["list"][..], &["set", "NEW_TOKEN"]] {
        let out = v.run(
            v.cmd()
                .args(args)
                .write_stdin("valid-value-0123456789\n")
                .timeout(Duration::from_secs(5)),
        );
        assert!(
            out.status.code().is_some(),
            "{args:?} hung on a FIFO store.age and was killed after 5 s"
        );
        assert_error(&out, IO_ERR);
        v.assert_store_unchanged(&fifo);
    }
}

/// (9) A home or store writable by group or others is refused (74).
#[test]
fn group_or_world_writable_refused() {
    let v = ready();
    for m in [0o777, 0o770, 0o702, 0o720] {
        chmod(&v.home, m);
        for args in [
            &["list"][..],
            &["set", "NEW_TOKEN"],
            &["rm", "EXISTING_TOKEN"],
        ] {
            let err = v.refuses(
                v.cmd().args(args).write_stdin("valid-value-0123456789\n"),
                IO_ERR,
            );
            assert!(err.contains("writable"), "{m:o}: {err}");
        }
    }
    chmod(&v.home, 0o700);
    for m in [0o666, 0o620, 0o602] {
        chmod(&v.store(), m);
        v.refuses(v.cmd().arg("list"), IO_ERR);
        v.refuses(
            v.cmd()
                .args(["set", "NEW_TOKEN"])
                .write_stdin("valid-value-0123456789\n"),
            IO_ERR,
        );
    }
    chmod(&v.store(), 0o600);
    v.ok(v.cmd().arg("list"));
}

/// (9) A home (or store) owned by another user is refused (74). Needs root to arrange.
#[test]
fn foreign_owner_refused() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("skipped: needs root to chown");
        return;
    }
    let v = ready();
    std::os::unix::fs::chown(&v.home, Some(65534), Some(65534)).expect("chown home");
    for args in [
        &["list"][..],
        &["set", "NEW_TOKEN"],
        &["rm", "EXISTING_TOKEN"],
    ] {
        let err = v.refuses(
            v.cmd().args(args).write_stdin("valid-value-0123456789\n"),
            IO_ERR,
        );
        assert!(err.contains("65534"), "{err}");
    }
    let me = rustix::process::geteuid().as_raw();
    std::os::unix::fs::chown(&v.home, Some(me), None).expect("chown home back");
    std::os::unix::fs::chown(v.store(), Some(65534), None).expect("chown store");
    let err = v.refuses(v.cmd().arg("list"), IO_ERR);
    assert!(err.contains("65534"), "{err}");
}

/// (10) No store yet: 66 with the way out; `init` twice: 73 and the store is untouched.
#[test]
fn missing_store_and_double_init() {
    let v = Vault::new();
    for args in [&["list"][..], &["rm", "X_TOKEN"], &["set", "X_TOKEN"]] {
        let err = v.refuses(
            v.cmd().args(args).write_stdin("valid-value-0123456789\n"),
            NO_INPUT,
        );
        assert!(err.contains("run `vault init`"), "{err}");
    }
    assert!(!v.home.exists(), "a read-only command created the home");
    // An existing home without a store.
    v.write_config("");
    let err = v.refuses(v.cmd().arg("list"), NO_INPUT);
    assert!(err.contains("run `vault init`"), "{err}");

    v.init();
    let err = v.refuses(v.cmd().arg("init"), CANT_CREATE);
    assert!(err.contains("already exists"), "{err}");
    let other = Fixture::generate();
    v.refuses(
        v.cmd().env("VAULT_IDENTITY", &other.identity).arg("init"),
        CANT_CREATE,
    );
}

/// A command for the vault in `v` with no identity and no controlling terminal.
fn headless(v: &Vault, args: &[&str]) -> Command {
    let mut std = v.std_cmd_no_identity();
    std.args(args);
    without_terminal(&mut std);
    wrap(std)
}

/// (11) With no identity, the keyring disabled and no terminal, `init` is locked (75),
/// points at `vault keygen` / VAULT_IDENTITY, and leaves nothing behind in the home.
#[test]
fn init_without_identity_is_locked() {
    let v = Vault::new();
    v.write_config("keyring = false\n");
    let err = v.refuses(&mut headless(&v, &["init"]), LOCKED);
    assert!(err.contains("vault keygen"), "{err}");
    assert!(err.contains("VAULT_IDENTITY"), "{err}");
    let mut files: Vec<String> = fs::read_dir(&v.home)
        .expect("read home")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["config.toml"], "a failed init left files behind");
}

/// (11) An existing store with no identity available (keyring disabled, no terminal) is
/// locked (75) for every command; a missing VAULT_IDENTITY_FILE is locked too, never a
/// silent fallback to another route.
#[test]
fn store_without_identity_is_locked() {
    let v = ready();
    v.write_config("keyring = false\n");
    let err = v.refuses(&mut headless(&v, &["list"]), LOCKED);
    assert!(err.contains("VAULT_IDENTITY"), "{err}");
    v.refuses(
        headless(&v, &["set", "NEW_TOKEN"]).write_stdin("valid-value-0123456789\n"),
        LOCKED,
    );
    v.refuses(&mut headless(&v, &["rm", "EXISTING_TOKEN"]), LOCKED);
    v.refuses(
        headless(&v, &["import", "-"]).write_stdin("NEW_TOKEN=valid-value-0123456789\n"),
        LOCKED,
    );
    let mut c = v.cmd_no_identity();
    c.env("VAULT_IDENTITY_FILE", v.path("missing.key"));
    let err = v.refuses(c.arg("list"), LOCKED);
    assert!(err.contains("missing.key"), "{err}");
}

/// Extracts the `Public key: age1…` recipient from keygen's stderr.
fn public_key(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    text.lines()
        .find_map(|l| l.strip_prefix("Public key: "))
        .unwrap_or_else(|| panic!("no `Public key:` line in {text:?}"))
        .to_string()
}

/// Parses identity text as age would and returns the recipient of its single identity.
fn recipient_of(text: &[u8]) -> String {
    let file = age::IdentityFile::from_buffer(text).expect("age parses the identity file");
    assert_eq!(file.into_identities().expect("identities").len(), 1);
    let line = std::str::from_utf8(text)
        .expect("UTF-8")
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .expect("an AGE-SECRET-KEY-1 line");
    let id: age::x25519::Identity = line.parse().expect("an X25519 identity");
    id.to_public().to_string()
}

/// (12) `keygen` prints an age identity on stdout and its public key on stderr.
#[test]
fn keygen_prints_identity_and_public_key() {
    let v = Vault::new();
    let out = v.ok(v.cmd_no_identity().arg("keygen"));
    let recipient = recipient_of(&out.stdout);
    assert!(recipient.starts_with("age1"));
    assert_eq!(public_key(&out.stderr), recipient);
    assert!(
        !contains(&out.stderr, b"AGE-SECRET-KEY"),
        "the identity went to stderr"
    );
    assert!(!v.home.exists(), "keygen touched the home");

    let again = v.ok(v.cmd_no_identity().arg("keygen"));
    assert_ne!(
        recipient_of(&again.stdout),
        recipient,
        "two keygens, one identity"
    );

    // The printed identity works as VAULT_IDENTITY.
    let identity = String::from_utf8(out.stdout).expect("UTF-8");
    v.ok(v
        .cmd_no_identity()
        .env("VAULT_IDENTITY", &identity)
        .arg("init"));
    v.ok(v
        .cmd_no_identity()
        .env("VAULT_IDENTITY", &identity)
        .arg("list"));
}

/// (12) `keygen -o FILE` writes a new 0600 file (nothing on stdout) and never overwrites.
#[test]
fn keygen_output_file() {
    let v = Vault::new();
    let key = v.path("ci.key");
    let out = v.ok(v.cmd_no_identity().args(["keygen", "-o"]).arg(&key));
    assert!(out.stdout.is_empty(), "keygen -o printed on stdout");
    assert_eq!(mode(&key), 0o600);
    let text = fs::read(&key).expect("read key");
    assert_eq!(public_key(&out.stderr), recipient_of(&text));

    let err = v.refuses(
        v.cmd_no_identity().args(["keygen", "--output"]).arg(&key),
        CANT_CREATE,
    );
    assert!(err.contains("overwrite"), "{err}");
    assert_eq!(
        fs::read(&key).expect("read key"),
        text,
        "the key file changed"
    );

    let link = v.path("link.key");
    symlink(v.path("nowhere"), &link).expect("symlink");
    v.refuses(
        v.cmd_no_identity().args(["keygen", "-o"]).arg(&link),
        CANT_CREATE,
    );
    assert!(
        !v.path("nowhere").exists(),
        "keygen wrote through a symlink"
    );

    // A relative path is relative to the working directory.
    v.ok(v.cmd_no_identity().args(["keygen", "-o", "relative.key"]));
    assert_eq!(mode(&v.path("relative.key")), 0o600);

    // The file works as VAULT_IDENTITY_FILE.
    v.ok(v
        .cmd_no_identity()
        .env("VAULT_IDENTITY_FILE", &key)
        .arg("init"));
}

/// (13) dotenv forms: `export`, comments, quotes, escapes, a multi-line value.
#[test]
fn import_dotenv_forms() {
    let v = ready();
    let file = v.path("forms.env");
    fs::write(
        &file,
        "# a comment\n\
         \n\
         export ALPHA_TOKEN=alpha-value-0001\n\
         BETA_TOKEN = \"beta value with spaces\"   # trailing comment\n\
         GAMMA_TOKEN='gamma $literal \\n value'\n\
         DELTA_CERT=\"-----BEGIN-----\n\
         line-two-of-delta\n\
         -----END-----\"\n\
         EPSILON_KEY=epsilon#not-a-comment\n\
         ZETA_KEY=\"zeta\\tvalue \\\"quoted\\\"\"\r\n\
         ETA_KEY=eta-value-unquoted  # comment\n",
    )
    .expect("write dotenv");
    v.ok(v.cmd().arg("import").arg(&file));
    let want: [(&str, &[u8]); 7] = [
        ("ALPHA_TOKEN", b"alpha-value-0001"),
        ("BETA_TOKEN", b"beta value with spaces"),
        ("GAMMA_TOKEN", b"gamma $literal \\n value"),
        (
            "DELTA_CERT",
            b"-----BEGIN-----\nline-two-of-delta\n-----END-----",
        ),
        ("EPSILON_KEY", b"epsilon#not-a-comment"),
        ("ZETA_KEY", b"zeta\tvalue \"quoted\""),
        ("ETA_KEY", b"eta-value-unquoted"),
    ];
    for (name, value) in want {
        assert_eq!(v.stored_value(name).as_deref(), Some(value), "{name}");
        assert_no_leak(&v.transcript(), value);
    }
    assert_eq!(v.stored_names().len(), 8);

    // From stdin.
    v.ok(v
        .cmd()
        .args(["import", "-"])
        .write_stdin("STDIN_TOKEN=stdin-imported-value\n"));
    assert_eq!(
        v.stored_value("STDIN_TOKEN").as_deref(),
        Some(&b"stdin-imported-value"[..])
    );
}

/// (13) One bad line anywhere means nothing is imported; the error gives line numbers and
/// quotes no value.
#[test]
fn import_is_all_or_nothing() {
    let v = ready();
    let values = [
        "good-value-aaaa1111",
        "bad-value-bbbb2222",
        "good-value-cccc3333",
        "/evil/path/dddd4444",
        "open-quote-eeee5555",
    ];
    let cases: [(&str, &str); 6] = [
        (
            "GOOD_ONE=good-value-aaaa1111\nthis line is wrong bad-value-bbbb2222\nGOOD_TWO=\"good-value-cccc3333\"\n",
            "line 2",
        ),
        (
            "GOOD_ONE=good-value-aaaa1111\n1BAD=bad-value-bbbb2222\n",
            "line 2",
        ),
        (
            "GOOD_ONE=good-value-aaaa1111\n\n# c\nPATH=/evil/path/dddd4444\n",
            "line 4",
        ),
        (
            "GOOD_ONE=good-value-aaaa1111\nOPEN=\"open-quote-eeee5555\nGOOD_TWO=good-value-cccc3333\n",
            "line 2",
        ),
        ("GOOD_ONE=good-value-aaaa1111\nSHORT=bbb2222\n", "line 2"),
        (
            "GOOD_ONE=good-value-aaaa1111\nGOOD_TWO=\"good-value-cccc3333\" bad-value-bbbb2222\n",
            "line 2",
        ),
    ];
    for (i, (text, line)) in cases.iter().enumerate() {
        let file = v.path(&format!("bad{i}.env"));
        fs::write(&file, text).expect("write dotenv");
        let err = v.refuses(v.cmd().arg("import").arg(&file), DATA_ERR);
        assert!(err.contains(line), "case {i}: {err}");
        assert!(err.contains("nothing imported"), "case {i}: {err}");
        for value in values.iter().chain(&["bbb2222"]) {
            assert!(!err.contains(value), "case {i} echoed {value}: {err}");
            let tail = &value[value.len().saturating_sub(8)..];
            assert!(
                !err.contains(tail),
                "case {i} echoed part of {value}: {err}"
            );
        }
    }
    assert_eq!(v.stored_names(), ["EXISTING_TOKEN"]);
    let err = v.refuses(v.cmd().arg("import").arg(v.path("missing.env")), NO_INPUT);
    assert!(err.contains("missing.env"), "{err}");
    let empty = v.path("empty.env");
    fs::write(&empty, "# only a comment\n").expect("write");
    v.refuses(v.cmd().arg("import").arg(&empty), DATA_ERR);
}

/// (13) Importing an existing name needs `--replace`; with it, the value is replaced.
#[test]
fn import_existing_needs_replace() {
    let v = ready();
    let file = v.path("replace.env");
    fs::write(
        &file,
        "EXISTING_TOKEN=replaced-value-0123456789\nNEW_TOKEN=new-value-0123456789\n",
    )
    .expect("write");
    let err = v.refuses(v.cmd().arg("import").arg(&file), CANT_CREATE);
    assert!(
        err.contains("EXISTING_TOKEN") && !err.contains("NEW_TOKEN"),
        "{err}"
    );
    assert_eq!(v.stored_names(), ["EXISTING_TOKEN"]);

    v.ok(v.cmd().args(["import", "--replace"]).arg(&file));
    assert_eq!(
        v.stored_value("EXISTING_TOKEN").as_deref(),
        Some(&b"replaced-value-0123456789"[..])
    );
    assert_eq!(
        v.stored_value("NEW_TOKEN").as_deref(),
        Some(&b"new-value-0123456789"[..])
    );
}

/// (13) A key assigned twice in one file is refused.
#[test]
fn import_duplicate_key_refused() {
    let v = ready();
    let file = v.path("dup.env");
    fs::write(
        &file,
        "DUP_TOKEN=first-value-0123\nOTHER_TOKEN=other-value-4567\nDUP_TOKEN=second-value-89ab\n",
    )
    .expect("write");
    let err = v.refuses(v.cmd().arg("import").arg(&file), DATA_ERR);
    assert!(err.contains("line 3") && err.contains("DUP_TOKEN"), "{err}");
    for value in ["first-value-0123", "other-value-4567", "second-value-89ab"] {
        assert!(!err.contains(value), "{err}");
    }
    assert_eq!(v.stored_names(), ["EXISTING_TOKEN"]);
}

/// (14) An unknown key in config.toml is a config error (78), never silently ignored.
#[test]
fn config_unknown_key_is_config_error() {
    let v = ready();
    v.write_config("keyrng = false\n");
    let err = v.refuses(v.cmd().arg("list"), CONFIG);
    assert!(err.contains("keyrng"), "{err}");
    v.refuses(
        v.cmd()
            .args(["set", "NEW_TOKEN"])
            .write_stdin("valid-value-0123456789\n"),
        CONFIG,
    );
    v.write_config("keyring = \"maybe\"\n");
    v.refuses(v.cmd().arg("list"), CONFIG);
    v.write_config("keyring = false\npty = \"never\"\n");
    v.ok(v.cmd().arg("list"));
}

/// (15) `--version`, `--help` (with examples, and the promise that nothing prints a value).
#[test]
fn version_and_help() {
    let v = Vault::new();
    let out = v.ok(v.cmd().arg("--version"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("vault {}", env!("CARGO_PKG_VERSION"))
    );
    let out = v.ok(v.cmd().arg("--help"));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Examples"), "{help}");
    assert!(help.contains("no command that prints a value"), "{help}");
    for sub in ["init", "keygen", "set", "list", "rm", "import"] {
        assert!(help.contains(sub), "--help lacks {sub}");
        let out = v.ok(v.cmd().args([sub, "--help"]));
        assert!(!out.stdout.is_empty(), "{sub} --help is empty");
    }
    assert!(!v.home.exists());
}

/// (15) There is no `get` or `show`: no command prints a value.
#[test]
fn no_get_or_show() {
    let v = ready();
    for args in [
        &["get", "EXISTING_TOKEN"][..],
        &["show", "EXISTING_TOKEN"],
        &["get"],
        &["cat", "EXISTING_TOKEN"],
    ] {
        let before = v.store_bytes();
        let out = v.run(v.cmd().args(args));
        assert_eq!(out.status.code(), Some(USAGE), "{args:?}");
        assert!(out.stdout.is_empty());
        v.assert_store_unchanged(&before);
    }
    assert_no_leak(&v.transcript(), b"existing-value-0123456789");
}

/// (16) Trace logging and full backtraces requested from the environment print no value,
/// on success or failure.
#[test]
fn trace_logging_leaks_nothing() {
    let v = Vault::new();
    let debug = |c: &mut Command| {
        c.env("RUST_LOG", "trace").env("RUST_BACKTRACE", "full");
    };
    let mut c = v.cmd();
    debug(&mut c);
    v.ok(c.arg("init"));
    for args in [
        &["set", "TRACE_TOKEN"][..],
        &["set", "TRACE_TOKEN"],
        &["set", "TRACE_TOKEN", "--replace"],
        &["list"],
        &["list", "--json"],
    ] {
        let mut c = v.cmd();
        debug(&mut c);
        v.run(c.args(args).write_stdin(format!("{CANARY}\n")));
    }
    let mut c = v.cmd();
    debug(&mut c);
    v.run(
        c.args(["set", "NUL_TOKEN"])
            .write_stdin(format!("{CANARY}\0tail\n")),
    );
    let mut c = v.cmd();
    debug(&mut c);
    v.run(c.args(["set", "ARGV_TOKEN", CANARY]));
    assert_eq!(
        v.stored_value("TRACE_TOKEN").as_deref(),
        Some(CANARY.as_bytes())
    );
    assert_no_leak(&v.transcript(), CANARY.as_bytes());
    assert_no_leak(&v.files_under_home(), CANARY.as_bytes());
}

/// The decrypt helper itself must reject a store encrypted to someone else, or every
/// "decrypts" check above would be vacuous.
#[test]
fn harness_decrypt_is_bound_to_the_fixture() {
    let v = ready();
    let bytes = v.store_bytes().expect("store");
    let ok = std::panic::catch_unwind(|| decrypt(&bytes, &Fixture::generate()));
    assert!(ok.is_err(), "another identity decrypted the store");
    assert_eq!(
        decrypt(&bytes, &v.fixture)["secrets"]["EXISTING_TOKEN"]["value"]
            .as_str()
            .map(str::len),
        Some(36)
    );
}

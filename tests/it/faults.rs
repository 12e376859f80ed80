//! Faults (issue #5): `kill -9` at random points of every store write, a full disk, a
//! read-only store directory, concurrent writers and readers, damaged store and audit
//! files, and signals during `run`.
//!
//! These are the short versions, sized for `cargo test`. `scripts/faults.sh` runs the same
//! tests with long settings through these environment variables:
//! - `VAULT_FAULT_ITER`: kill -9 iterations (default 30);
//! - `VAULT_FAULT_PARALLEL`: concurrent `set`s (default 32);
//! - `VAULT_FAULT_ROUNDS`: rounds of the signal, damage and disk-full tests (default 1).
//!
//! Store states are compared by decrypting store.age in the test with the fixture identity.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rustix::process::{Pid, Signal};
use serde_json::{Value, json};

use crate::support::pty::{PtySession, is_raw, same_termios};
use crate::support::{Rng, Vault, assert_error, mode, without_terminal};

// Exit statuses, from src/exit.rs.
const DATA_ERR: i32 = 65;
const IO_ERR: i32 = 74;
const LOCKED: i32 = 75;

const WAIT: Duration = Duration::from_secs(20);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn rounds() -> usize {
    env_usize("VAULT_FAULT_ROUNDS", 1).max(1)
}

/// The store's secrets by name: value, policy and description (not the times).
type State = BTreeMap<String, Value>;

fn state(v: &Vault) -> State {
    let payload = v.decrypt_store();
    payload["secrets"]
        .as_object()
        .expect("secrets")
        .iter()
        .map(|(k, e)| {
            (
                k.clone(),
                json!({
                    "value": e["value"],
                    "policy": e["policy"],
                    "description": e.get("description").cloned().unwrap_or(Value::Null),
                }),
            )
        })
        .collect()
}

fn entry(value: &str, policy: &Value) -> Value {
    json!({
        "value": STANDARD.encode(value),
        "policy": policy,
        "description": Value::Null,
    })
}

fn temp_files(home: &Path) -> Vec<String> {
    fs::read_dir(home)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".store.age.tmp."))
                .collect()
        })
        .unwrap_or_default()
}

fn pid_of(n: u32) -> Pid {
    Pid::from_raw(i32::try_from(n).expect("pid fits")).expect("non-zero pid")
}

fn signal(pid: u32, sig: Signal) {
    rustix::process::kill_process(pid_of(pid), sig).expect("send a signal");
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Set,
    Replace,
    Rm,
    Import,
    Narrow,
}

/// `kill -9` at a random moment of `set`, `set --replace`, `rm`, `import` and a narrowing
/// `policy set`: afterwards the store always opens (`list` exits 0), holds exactly the old
/// or the new state (decrypted in the test), the audit chain verifies, and a completed
/// command always left the new state.
#[test]
fn kill9_at_random_points_leaves_old_or_new_state() {
    let iterations = env_usize("VAULT_FAULT_ITER", 30);
    let mut rng = Rng::from_env();
    let v = Vault::new();
    v.init();
    v.set("SEED", "seed-value-0123456789");
    v.set("R", "replace-value-initial-0123");
    v.ok(v
        .cmd()
        .args([
            "set",
            "REF",
            "--allow",
            "a.example.com",
            "--allow",
            "b.example.com",
        ])
        .write_stdin("ref-value-0123456789\n"));
    v.ok(v
        .cmd()
        .args(["policy", "set", "REF", "--allow", "a.example.com"]));
    // How long each kind of command takes here, so kills land all over its run.
    let timed = |args: &[&str], stdin: &str| {
        let started = Instant::now();
        v.ok(v.cmd().args(args).write_stdin(stdin));
        started.elapsed()
    };
    let cal_env = v.path("calibrate.env");
    fs::write(&cal_env, "CAL_A=calibrate-value-0123456789\n").expect("write");
    let mut typical: BTreeMap<Op, Duration> = BTreeMap::new();
    typical.insert(
        Op::Set,
        timed(&["set", "CAL"], "calibrate-value-0123456789\n"),
    );
    typical.insert(
        Op::Replace,
        timed(&["set", "CAL", "--replace"], "calibrate-value-9876543210\n"),
    );
    typical.insert(Op::Rm, timed(&["rm", "CAL"], ""));
    typical.insert(
        Op::Import,
        timed(&["import", cal_env.to_str().expect("UTF-8")], ""),
    );
    v.ok(v
        .cmd()
        .args([
            "set",
            "CAL_P",
            "--allow",
            "a.example.com",
            "--allow",
            "b.example.com",
        ])
        .write_stdin("calibrate-value-0123456789\n"));
    typical.insert(
        Op::Narrow,
        timed(&["policy", "set", "CAL_P", "--allow", "a.example.com"], ""),
    );
    eprintln!("typical durations: {typical:?}");
    let initial = state(&v);
    let default_policy = initial["SEED"]["policy"].clone();
    let narrowed = initial["REF"]["policy"].clone();
    assert_ne!(narrowed, default_policy);

    // (op, outcome) → count; outcome: "completed", "killed: old", "killed: new".
    let mut tally: BTreeMap<(Op, &str), usize> = BTreeMap::new();
    let ops = [Op::Set, Op::Replace, Op::Rm, Op::Import, Op::Narrow];
    for i in 0..iterations {
        let op = ops[i % ops.len()];
        let mut stdin = Vec::new();
        let args: Vec<String>;
        let old;
        let mut new;
        match op {
            Op::Set => {
                let name = format!("S_{i}");
                let value = format!("set-value-{i:05}-0123456789");
                old = state(&v);
                new = old.clone();
                new.insert(name.clone(), entry(&value, &default_policy));
                stdin = format!("{value}\n").into_bytes();
                args = vec!["set".into(), name];
            }
            Op::Replace => {
                let value = format!("replace-value-{i:05}-0123456789");
                old = state(&v);
                new = old.clone();
                new.get_mut("R").expect("R")["value"] = json!(STANDARD.encode(&value));
                stdin = format!("{value}\n").into_bytes();
                args = vec!["set".into(), "R".into(), "--replace".into()];
            }
            Op::Rm => {
                let name = format!("D_{i}");
                v.set(&name, format!("doomed-value-{i:05}-0123456789"));
                old = state(&v);
                new = old.clone();
                new.remove(&name);
                args = vec!["rm".into(), name];
            }
            Op::Import => {
                let mut text = String::new();
                old = state(&v);
                new = old.clone();
                for k in ["A", "B", "C"] {
                    let value = format!("import-value-{i:05}-{k}-0123456789");
                    text.push_str(&format!("I_{i}_{k}={value}\n"));
                    new.insert(format!("I_{i}_{k}"), entry(&value, &default_policy));
                }
                let file = v.path(&format!("import-{i}.env"));
                fs::write(&file, text).expect("write dotenv");
                args = vec!["import".into(), file.display().to_string()];
            }
            Op::Narrow => {
                let name = format!("P_{i}");
                v.ok(v
                    .cmd()
                    .args(["set", &name, "--allow", "a.example.com"])
                    .args(["--allow", "b.example.com"])
                    .write_stdin(format!("policy-value-{i:05}-0123456789\n")));
                old = state(&v);
                new = old.clone();
                new.get_mut(&name).expect("P_i")["policy"] = narrowed.clone();
                args = vec![
                    "policy".into(),
                    "set".into(),
                    name,
                    "--allow".into(),
                    "a.example.com".into(),
                ];
            }
        }
        let temps_before = temp_files(&v.home);
        let mut c = v.std_cmd();
        c.args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn vault");
        {
            let mut pipe = child.stdin.take().expect("stdin");
            let _ = pipe.write_all(&stdin);
        }
        // Up to 120% of the typical run time, in microseconds.
        let span = typical[&op].as_micros() as u64 * 6 / 5;
        std::thread::sleep(Duration::from_micros(rng.below(span.max(1))));
        let _ = child.kill();
        let out = child.wait_with_output().expect("wait");
        let after = state(&v);
        let outcome = if out.status.success() {
            assert!(
                after == new,
                "iteration {i} ({op:?}): completed, but not the new state"
            );
            "completed"
        } else {
            assert_eq!(
                out.status.signal(),
                Some(9),
                "iteration {i} ({op:?}) failed on its own: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let left = temp_files(&v.home);
            if after == old && left.iter().any(|t| !temps_before.contains(t)) {
                // Killed between creating the temp file and the rename.
                "killed mid-write: old"
            } else if after == old {
                "killed: old"
            } else {
                assert!(
                    after == new,
                    "iteration {i} ({op:?}): killed, and the store is neither the old nor the new state"
                );
                "killed: new"
            }
        };
        *tally.entry((op, outcome)).or_default() += 1;
        let list = v.run(v.cmd().args(["list", "--json"]));
        assert!(
            list.status.success(),
            "iteration {i} ({op:?}): list fails: {}",
            String::from_utf8_lossy(&list.stderr)
        );
        let verify = v.run(v.cmd().args(["audit", "verify"]));
        assert!(
            verify.status.success(),
            "iteration {i} ({op:?}): audit verify: {}",
            String::from_utf8_lossy(&verify.stderr)
        );
        assert_eq!(mode(&v.store()), 0o600);
    }
    eprintln!("kill -9 outcomes over {iterations} iterations:");
    for ((op, outcome), n) in &tally {
        eprintln!("  {op:?}: {outcome}: {n}");
    }
    v.set("AFTER_KILLS", "after-kills-value-0123456789");
    assert!(temp_files(&v.home).is_empty(), "temp files left");
}

/// A tmpfs mounted for one test (root only); unmounted on drop.
struct Mount {
    dir: PathBuf,
}

impl Mount {
    /// Mounts a `size` tmpfs (mode 0700) at `dir`, or `None` (with a printed SKIP) when
    /// mounting is not possible here.
    fn tmpfs(dir: &Path, size: &str, test: &str) -> Option<Mount> {
        fs::create_dir_all(dir).expect("mkdir");
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700")])
            .arg("tmpfs")
            .arg(dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Mount {
                dir: dir.to_path_buf(),
            }),
            Ok(o) => {
                eprintln!(
                    "SKIP {test}: cannot mount a tmpfs: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("SKIP {test}: cannot run mount: {e}");
                None
            }
        }
    }

    fn remount(&self, opt: &str) {
        let out = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{opt}")])
            .arg(&self.dir)
            .output()
            .expect("run mount");
        assert!(
            out.status.success(),
            "remount {opt}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.dir)
            .status();
    }
}

/// Fills the file system holding `dir`; returns the filler's path.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut f = fs::File::create(&path).expect("create filler");
    let chunk = [0u8; 512];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.sync_all();
    path
}

/// A full disk: every `set` fails with 74 and a one-line error, the store is byte-identical,
/// no `.store.age.tmp.*` is left behind, and reading still works. The loop keeps going until
/// the audit log itself cannot be appended to, so both write paths (store and log) run out
/// of space.
#[test]
fn disk_full_fails_cleanly_and_keeps_the_store() {
    for _ in 0..rounds() {
        disk_full_round();
    }
}

fn disk_full_round() {
    let v = Vault::new();
    let Some(_mount) = Mount::tmpfs(
        &v.home,
        "64k",
        "disk_full_fails_cleanly_and_keeps_the_store",
    ) else {
        return;
    };
    v.init();
    v.set("KEEP", "keep-value-0123456789");
    let before = v.store_bytes();
    let names = v.list_names();
    fill(&v.home);
    let mut store_full = 0;
    let mut audit_full = 0;
    for i in 0..40 {
        let stderr = v.refuses(
            v.cmd()
                .args(["set", &format!("FULL_{i}")])
                .write_stdin("full-value-0123456789\n"),
            IO_ERR,
        );
        if stderr.contains("No space left") && stderr.contains(".store.age.tmp") {
            store_full += 1;
        } else {
            audit_full += 1;
        }
        assert!(temp_files(&v.home).is_empty(), "temp file left: round {i}");
        v.assert_store_unchanged(&before);
        if audit_full >= 3 {
            break;
        }
    }
    eprintln!(
        "disk full: {store_full} sets failed writing the store, {audit_full} failed at the audit log"
    );
    assert!(
        store_full > 0 && audit_full > 0,
        "both write paths ran out of space"
    );
    assert_eq!(v.list_names(), names, "list works on a full disk");
    v.refuses(v.cmd().args(["rm", "KEEP"]), IO_ERR);
    assert_eq!(
        v.stored_value("KEEP").as_deref(),
        Some(&b"keep-value-0123456789"[..])
    );
}

/// After a full disk is freed, vault works again and its audit log verifies: a failed
/// append must not leave a torn last line behind.
///
/// Today an append that runs out of space part-way leaves the partial line in audit.jsonl
/// (src/audit.rs `append_locked`: `write_all` fails after a short write, nothing truncates
/// back). From then on every `set`/`rm`/`import`/`policy set`/`run` refuses with "the audit
/// log … is damaged (its last line is not an audit entry); refusing to extend it", and
/// `audit verify` reports tampering ("not a valid audit entry (edited or truncated)"), even
/// after space is freed; the only way out is moving the log aside, which loses the chain.
/// Correct: remember the length before the write and `set_len` back to it on any error.
#[test]
fn disk_full_then_freed_recovers_with_a_verifiable_log() {
    let v = Vault::new();
    let Some(_mount) = Mount::tmpfs(
        &v.home,
        "64k",
        "disk_full_then_freed_recovers_with_a_verifiable_log",
    ) else {
        return;
    };
    v.init();
    v.set("KEEP", "keep-value-0123456789");
    let filler = fill(&v.home);
    for i in 0..40 {
        let out = v.run(
            v.cmd()
                .args(["set", &format!("FULL_{i}")])
                .write_stdin("full-value-0123456789\n"),
        );
        assert_eq!(out.status.code(), Some(IO_ERR));
    }
    fs::remove_file(filler).expect("free the space");
    v.set("AFTER", "after-value-0123456789");
    v.ok(v.cmd().args(["run", "--", "true"]));
    v.ok(v.cmd().args(["audit", "verify"]));
}

/// A read-only store directory: writes fail with 74 and a one-line error, `run` refuses
/// to start unaudited (74), reads work, the store is intact.
#[test]
fn read_only_store_directory_fails_closed() {
    let v = Vault::new();
    let Some(mount) = Mount::tmpfs(&v.home, "1m", "read_only_store_directory_fails_closed") else {
        return;
    };
    v.init();
    v.set("KEEP", "keep-value-0123456789");
    let before = v.store_bytes();
    let names = v.list_names();
    mount.remount("ro");
    v.refuses(
        v.cmd()
            .args(["set", "NEW_ONE"])
            .write_stdin("new-value-0123456789\n"),
        IO_ERR,
    );
    v.refuses(
        v.cmd()
            .args(["set", "KEEP", "--replace"])
            .write_stdin("new-value-0123456789\n"),
        IO_ERR,
    );
    v.refuses(v.cmd().args(["rm", "KEEP"]), IO_ERR);
    v.refuses(
        v.cmd()
            .args(["policy", "set", "KEEP", "--deny", "x.example.com"]),
        IO_ERR,
    );
    let marker = v.path("ran");
    v.refuses(v.cmd().args(["run", "--", "touch"]).arg(&marker), IO_ERR);
    assert!(
        !marker.exists(),
        "run started the child without an audit log"
    );
    assert_eq!(v.list_names(), names);
    v.ok(v.cmd().args(["policy", "show"]));
    v.ok(v.cmd().args(["audit", "verify"]));
    v.assert_store_unchanged(&before);
    mount.remount("rw");
    v.set("NEW_ONE", "new-value-0123456789");
}

/// 32 concurrent `set`s of distinct names, with concurrent `run`s and `list`s: every `set`
/// succeeds and is listed (and stored intact) afterwards; no run or list sees a torn store.
#[test]
fn concurrent_sets_runs_and_lists() {
    let n = env_usize("VAULT_FAULT_PARALLEL", 32);
    let v = Vault::new();
    v.init();
    v.set("SEED", "seed-value-0123456789");
    let mut sets: Vec<(String, String, Child)> = Vec::new();
    let mut others: Vec<(String, Child)> = Vec::new();
    let piped = |mut c: std::process::Command| {
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c.spawn().expect("spawn vault")
    };
    for i in 0..n {
        let name = format!("CONC_{i}");
        let value = format!("concurrent-value-{i:04}-0123456789");
        let mut c = v.std_cmd();
        c.args(["set", &name]);
        sets.push((name, value, piped(c)));
        if i % 4 == 0 {
            let mut c = v.std_cmd();
            c.args([
                "run",
                "--",
                "sh",
                "-c",
                r#"test "$SEED" = seed-value-0123456789"#,
            ]);
            others.push((format!("run {i}"), piped(c)));
            let mut c = v.std_cmd();
            c.args(["list", "--json"]);
            others.push((format!("list {i}"), piped(c)));
        }
    }
    for (_, value, child) in &mut sets {
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{value}\n").as_bytes())
            .expect("write the value");
    }
    for (_, child) in &mut others {
        drop(child.stdin.take());
    }
    let started = Instant::now();
    let mut ok = Vec::new();
    for (name, value, child) in sets {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "set {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        ok.push((name, value));
    }
    for (what, child) in others {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{what}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        if what.starts_with("list") {
            let _: Value = serde_json::from_slice(&out.stdout).expect("list --json is JSON");
        }
    }
    eprintln!(
        "{} sets, {} runs/lists in parallel: all exited 0 ({:?})",
        ok.len(),
        n.div_ceil(4) * 2,
        started.elapsed()
    );
    let listed = v.list_names();
    for (name, value) in &ok {
        assert!(listed.contains(name), "{name} was set but is not listed");
        assert_eq!(v.stored_value(name).as_deref(), Some(value.as_bytes()));
    }
    v.ok(v.cmd().args(["audit", "verify"]));
}

/// Byte offset where the age payload starts, and where the header ends.
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

/// Bit flips and truncations of store.age: every command fails closed — damaged (74), or
/// locked (75) when the flip lands in the recipient stanza so no key unwraps — with a
/// one-line error, no output (`redact` never passes its input through), and the store
/// untouched. `audit verify` still checks the chain and says the store was not opened.
#[test]
fn damaged_store_fails_closed_for_every_command() {
    let mut rng = Rng::from_env();
    let v = Vault::new();
    v.init();
    v.set("SEED", "seed-value-0123456789");
    let good = v.store_bytes().expect("store");
    let (header_end, payload) = payload_offsets(&good);
    let dotenv = v.path("damage.env");
    fs::write(&dotenv, "IMPORTED=imported-value-0123456789\n").expect("write");
    let mut versions: Vec<(String, Vec<u8>)> = Vec::new();
    for _ in 0..rounds() {
        for (what, at) in [
            ("header version line", 3),
            ("recipient stanza", 40),
            ("header MAC", header_end - 3),
            ("nonce", header_end + 2),
            ("first payload byte", payload),
            (
                "random payload byte",
                payload + rng.below((good.len() - payload) as u64) as usize,
            ),
            ("last byte", good.len() - 1),
        ] {
            let mut bad = good.clone();
            bad[at] ^= 1 << rng.below(8);
            versions.push((format!("bit flip: {what} (byte {at})"), bad));
        }
    }
    for len in [good.len() - 1, good.len() - 17, payload, header_end, 10, 0] {
        versions.push((format!("truncated to {len}"), good[..len].to_vec()));
    }
    let commands: [&[&str]; 11] = [
        &["list"],
        &["list", "--json"],
        &["set", "NEW_ONE"],
        &["rm", "SEED"],
        &["import", dotenv.to_str().expect("UTF-8")],
        &["run", "--", "true"],
        &["redact"],
        &["policy", "show"],
        &["policy", "set", "SEED", "--deny", "x.example.com"],
        &["recipients", "list"],
        &["scan", "."],
    ];
    for (what, bytes) in &versions {
        fs::write(v.store(), bytes).expect("damage the store");
        for args in commands {
            let out = v.run(v.cmd().args(args).write_stdin("stdin-value-0123456789\n"));
            let code = out.status.code();
            assert!(
                code == Some(IO_ERR) || code == Some(LOCKED),
                "{what}: {args:?}: {code:?} {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_error(&out, code.unwrap_or_default());
            assert_eq!(
                v.store_bytes().as_deref(),
                Some(bytes.as_slice()),
                "{what}: {args:?} changed the store"
            );
        }
        let out = v.run(v.cmd().arg("status"));
        assert!(
            matches!(out.status.code(), Some(IO_ERR | LOCKED)),
            "{what}: status: {out:?}"
        );
        let out = v.ok(v.cmd().args(["audit", "verify"]));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("store not opened"),
            "{what}: verify says it checked the chain only"
        );
    }
    eprintln!(
        "{} damaged versions × {} commands: all failed closed",
        versions.len(),
        commands.len() + 2
    );
}

fn audit_lines(v: &Vault) -> Vec<Vec<u8>> {
    let log = fs::read(v.home.join("audit.jsonl")).expect("audit.jsonl");
    log.split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// `audit verify` fails (65) and its message names `line` (the damaged entry): either as
/// the line that does not parse, or as the one the next line's hash no longer matches, or
/// as the entry the store recorded.
#[track_caller]
fn verify_points_at(v: &Vault, line: usize, what: &str) {
    let out = v.run(v.cmd().args(["audit", "verify"]));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(DATA_ERR), "{what}: {stderr}");
    assert!(
        stderr.contains(&format!("audit log line {line}:"))
            || stderr.contains(&format!("does not match line {line}:")),
        "{what}: verify does not point at line {line}: {stderr}"
    );
}

/// Damaged audit.jsonl. A flipped bit anywhere is pinpointed by `audit verify`. A torn or
/// garbled last line (the one the next append chains from) makes every audited action fail
/// closed (74, one line, store untouched) while reading still works; damage further up is
/// kept on record (verify keeps pointing at it) and does not block new entries. Deleted
/// newest entries are caught through the head recorded in the store.
#[test]
fn damaged_audit_log_is_pinpointed_and_fails_closed() {
    let mut rng = Rng::from_env();
    let v = Vault::new();
    v.init();
    for i in 0..6 {
        v.set(&format!("S{i}"), format!("audit-value-{i}-0123456789"));
    }
    let log_path = v.home.join("audit.jsonl");
    let good_log = fs::read(&log_path).expect("log");
    let good_store = v.store_bytes().expect("store");
    let restore = || {
        fs::write(&log_path, &good_log).expect("restore log");
        fs::write(v.store(), &good_store).expect("restore store");
        // Putting an older store back is a rollback; this test resets instead: forget.
        let _ = fs::remove_dir_all(v.path("state"));
    };
    let lines = audit_lines(&v);
    let n = lines.len();
    assert!(n >= 7);

    for _ in 0..rounds() {
        // A flip in each line (never the newline itself).
        for k in 1..=n {
            let start: usize = lines[..k - 1].iter().map(Vec::len).sum();
            let at = start + rng.below(lines[k - 1].len() as u64 - 1) as usize;
            let mut bad = good_log.clone();
            bad[at] ^= 1 << rng.below(7);
            if bad[at] == b'\n' {
                bad[at] = b'#';
            }
            fs::write(&log_path, &bad).expect("flip");
            verify_points_at(&v, k, &format!("flip in line {k} (byte {at})"));
            if k < n {
                // Damage further up stays on record and does not block new entries.
                v.set("LATER", "later-value-0123456789");
                verify_points_at(&v, k, &format!("flip in line {k}, then a set"));
            }
            restore();
        }
    }

    // A torn last line (an interrupted append) and a garbled one.
    let torn = good_log[..good_log.len() - 20].to_vec();
    let mut garbled = good_log.clone();
    garbled.extend_from_slice(b"{\"seq\": garbage\n");
    let dotenv = v.path("audit.env");
    fs::write(&dotenv, "IMPORTED=imported-value-0123456789\n").expect("write");
    for (what, bytes, line) in [
        ("torn last line", torn, n),
        ("garbled last line", garbled, n + 1),
    ] {
        fs::write(&log_path, &bytes).expect("damage the log");
        verify_points_at(&v, line, what);
        let marker = v.path("ran");
        let writes: [&[&str]; 6] = [
            &["set", "NEW_ONE"],
            &["set", "S0", "--replace"],
            &["rm", "S1"],
            &["import", dotenv.to_str().expect("UTF-8")],
            &["policy", "set", "S2", "--deny", "x.example.com"],
            &["run", "--", "touch", marker.to_str().expect("UTF-8")],
        ];
        for args in writes {
            let stderr = v.refuses(
                v.cmd().args(args).write_stdin("new-value-0123456789\n"),
                IO_ERR,
            );
            assert!(stderr.contains("audit log"), "{what}: {args:?}: {stderr}");
        }
        assert!(!marker.exists(), "{what}: run started the child unaudited");
        assert_eq!(
            fs::read(&log_path).expect("log"),
            bytes,
            "{what}: log changed"
        );
        v.ok(v.cmd().arg("list"));
        v.ok(v.cmd().args(["policy", "show"]));
        let out = v.ok(v.cmd().arg("audit"));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("unreadable line"),
            "{what}: audit notes the skipped line"
        );
        restore();
    }

    // Deleted newest entries, and an emptied log: the store's recorded head catches both
    // (the first as deleted entries past the end, the second however verify words it).
    for (what, bytes, line) in [
        ("last two entries deleted", lines[..n - 2].concat(), n - 1),
        ("emptied", Vec::new(), 1),
    ] {
        fs::write(&log_path, &bytes).expect("cut the log");
        let out = v.run(v.cmd().args(["audit", "verify"]));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(DATA_ERR), "{what}: {stderr}");
        assert!(
            stderr.contains(&format!("audit log line {line}:")),
            "{what}: {stderr}"
        );
        restore();
    }
    v.ok(v.cmd().args(["audit", "verify"]));
}

/// vault as a person's shell starts it in the foreground: SIGINT and SIGQUIT at their
/// default action. A test process started in the background by a non-interactive shell
/// (`scripts/faults.sh &`) ignores both, and vault rightly keeps an ignored signal ignored
/// for itself and its child, which is not what these tests are about.
fn foreground_vault(v: &Vault) -> std::process::Command {
    let mut c = v.std_program("env");
    c.arg("--default-signal=INT,QUIT,TERM,HUP")
        .arg(crate::support::BIN)
        .env("VAULT_IDENTITY", &v.fixture.identity);
    c
}

/// Waits until `pid` no longer runs (gone, or a zombie left for init to reap).
fn wait_gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(s) if s.rsplit(") ").next().is_some_and(|r| r.starts_with('Z')) => return true,
            Ok(_) => {}
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn read_pid(path: &Path) -> u32 {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(text) = fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text.trim().parse().expect("a pid");
        }
        assert!(Instant::now() < deadline, "the child never wrote its pid");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// What a stuck process is doing: its state, signal masks and each thread's wait channel.
fn describe(pid: u32) -> String {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let mut out: Vec<String> = status
        .lines()
        .filter(|l| {
            [
                "State", "PPid", "SigQ", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt",
            ]
            .iter()
            .any(|k| l.starts_with(&format!("{k}:")))
        })
        .map(str::to_string)
        .collect();
    if let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) {
        for t in tasks.flatten() {
            let p = t.path();
            let comm = fs::read_to_string(p.join("comm")).unwrap_or_default();
            let wchan = fs::read_to_string(p.join("wchan")).unwrap_or_default();
            let blk = fs::read_to_string(p.join("status"))
                .unwrap_or_default()
                .lines()
                .filter(|l| l.starts_with("SigBlk:") || l.starts_with("SigPnd:"))
                .collect::<Vec<_>>()
                .join(" ");
            out.push(format!(
                "thread {}: {} wchan={wchan} {blk}",
                p.display(),
                comm.trim()
            ));
        }
    }
    format!("pid {pid}: {}", out.join("; "))
}

fn wait_child(child: &mut Child) -> Output {
    wait_child_or(child, "")
}

fn wait_child_or(child: &mut Child, context: &str) -> Output {
    let deadline = Instant::now() + WAIT;
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let state = describe(child.id());
            let _ = child.kill();
            panic!("vault did not exit: {context}\n{state}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    use std::io::Read as _;
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_end(&mut stdout);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_end(&mut stderr);
    }
    Output {
        status: child.wait().expect("wait"),
        stdout,
        stderr,
    }
}

/// The last audit entry (a run's, after vault exits).
fn last_audit(v: &Vault) -> Value {
    let lines = audit_lines(v);
    serde_json::from_slice(lines.last().expect("an entry")).expect("JSON")
}

/// SIGINT, SIGTERM and SIGHUP sent to vault while the child runs on pipes: the signal is
/// forwarded, the child is gone afterwards (no zombie, no orphan), vault exits 128+N and
/// audits that exit.
#[test]
fn signals_to_vault_reach_the_child_on_pipes() {
    let v = Vault::new();
    v.init();
    v.set("SEED", "seed-value-0123456789");
    for round in 0..rounds() {
        for sig in [Signal::INT, Signal::TERM, Signal::HUP] {
            let n = sig.as_raw();
            let pidfile = v.path(&format!("child-{round}-{n}.pid"));
            let mut c = foreground_vault(&v);
            c.args([
                "run",
                "--no-pty",
                "--",
                "sh",
                "-c",
                r#"echo $$ > "$0"; exec sleep 30"#,
            ])
            .arg(&pidfile)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
            without_terminal(&mut c);
            let mut vault = c.spawn().expect("spawn");
            let child = read_pid(&pidfile);
            signal(vault.id(), sig);
            let out = wait_child_or(
                &mut vault,
                &format!("round {round}, SIG{n}; child: {}", describe(child)),
            );
            assert_eq!(out.status.code(), Some(128 + n), "SIG{n}: {out:?}");
            assert!(wait_gone(child), "SIG{n}: the child survived");
            let entry = last_audit(&v);
            assert_eq!(entry["action"], "run");
            assert_eq!(entry["exit"], 128 + n);
        }
    }
}

fn pty_vault(v: &Vault, args: &[&str]) -> PtySession {
    let mut c = foreground_vault(v);
    c.env("TERM", "xterm").args(args);
    PtySession::spawn(c, 24, 80).expect("spawn vault on a PTY")
}

/// Waits until vault has put its terminal (our PTY) in raw mode: the run is under way.
fn wait_raw(s: &PtySession) {
    let deadline = Instant::now() + WAIT;
    while !is_raw(&s.termios()) {
        assert!(Instant::now() < deadline, "vault never entered raw mode");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Signals under a PTY (vault's terminal in raw mode): SIGINT, SIGTERM, SIGHUP to vault and
/// ^C typed; vault exits 128+N, the child is gone, and the terminal's settings are restored
/// exactly.
#[test]
fn signals_under_a_pty_restore_the_terminal() {
    let v = Vault::new();
    v.init();
    for round in 0..rounds() {
        for (what, sig) in [
            ("SIGINT", Some(Signal::INT)),
            ("SIGTERM", Some(Signal::TERM)),
            ("SIGHUP", Some(Signal::HUP)),
            ("^C typed", None),
        ] {
            let pidfile = v.path(&format!("pty-{round}-{what}.pid"));
            let mut s = pty_vault(
                &v,
                &[
                    "run",
                    "--",
                    "sh",
                    "-c",
                    r#"echo $$ > "$0"; exec sleep 30"#,
                    pidfile.to_str().expect("UTF-8"),
                ],
            );
            let child = read_pid(&pidfile);
            wait_raw(&s);
            match sig {
                Some(sig) => s.signal(sig),
                None => s.write(b"\x03"),
            }
            let vault_state = describe(s.pid());
            let child_state = describe(child);
            let status = s.wait(WAIT).unwrap_or_else(|e| {
                panic!("round {round}, {what}: {e}\nat the signal: vault {vault_state}\nchild {child_state}\nnow: vault {}\nchild {}", describe(s.pid()), describe(child))
            });
            let n = sig.map_or(2, Signal::as_raw);
            assert_eq!(
                status.code(),
                Some(128 + n),
                "{what}: {status:?}; terminal: {:?}",
                String::from_utf8_lossy(s.output())
            );
            assert!(wait_gone(child), "{what}: the child survived");
            assert!(
                same_termios(&s.termios(), s.initial_termios()),
                "{what}: terminal settings not restored"
            );
        }
    }
}

/// vault itself killed by SIGKILL mid-run (nothing to catch): under a PTY the child's
/// session loses its terminal and gets SIGHUP, so it does not outlive vault. (On pipes a
/// child that never writes keeps running: see SECURITY.md.)
#[test]
fn sigkill_to_vault_on_a_pty_takes_the_child_down() {
    let v = Vault::new();
    v.init();
    let pidfile = v.path("child.pid");
    let mut s = pty_vault(
        &v,
        &[
            "run",
            "--",
            "sh",
            "-c",
            r#"echo $$ > "$0"; exec sleep 30"#,
            pidfile.to_str().expect("UTF-8"),
        ],
    );
    let child = read_pid(&pidfile);
    wait_raw(&s);
    s.signal(Signal::KILL);
    let status = s.wait(WAIT).expect("vault exits");
    assert_eq!(status.signal(), Some(9));
    assert!(wait_gone(child), "the child outlived a SIGKILLed vault");
}

/// On pipes too: a SIGKILLed vault cannot forward anything, so the child gets SIGKILL from the
/// kernel (PR_SET_PDEATHSIG) instead of running on with its secrets until it next writes.
#[test]
fn sigkill_to_vault_on_pipes_takes_the_child_down() {
    let v = Vault::new();
    v.init();
    let pidfile = v.path("child.pid");
    let mut vault = v
        .std_cmd()
        .args(["run", "--no-pty", "--", "sh", "-c"])
        .arg(r#"echo $$ > "$0"; exec sleep 30"#)
        .arg(&pidfile)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vault starts");
    let child = read_pid(&pidfile);
    vault.kill().expect("SIGKILL to vault");
    let status = vault.wait().expect("vault exits");
    assert_eq!(status.signal(), Some(9));
    assert!(wait_gone(child), "the child outlived a SIGKILLed vault");
}

/// Under `nohup` (SIGHUP ignored, and inherited so by the child) a SIGKILLed vault still
/// takes its child down: the parent-death signal is SIGKILL, which nothing can ignore.
#[test]
#[allow(unsafe_code)]
fn sigkill_to_vault_under_nohup_takes_the_child_down() {
    use std::os::unix::process::CommandExt as _;
    let v = Vault::new();
    v.init();
    let pidfile = v.path("child.pid");
    let mut cmd = v.std_cmd();
    cmd.args(["run", "--no-pty", "--", "sh", "-c"])
        .arg(r#"echo $$ > "$0"; exec sleep 30"#)
        .arg(&pidfile)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: runs in the forked child before exec; signal(2) is async-signal-safe. Runs
    // after the harness's own reset, as nohup(1) would set it.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGHUP, libc::SIG_IGN);
            Ok(())
        });
    }
    let mut vault = cmd.spawn().expect("vault starts");
    let child = read_pid(&pidfile);
    vault.kill().expect("SIGKILL to vault");
    let status = vault.wait().expect("vault exits");
    assert_eq!(status.signal(), Some(9));
    assert!(
        wait_gone(child),
        "the child outlived a SIGKILLed vault under nohup"
    );
}

/// A SIGWINCH storm (300 resizes) while the child waits for input: nothing breaks, the
/// child ends up with the final size, exits 0, and the terminal is restored.
#[test]
fn sigwinch_storm_under_a_pty() {
    let v = Vault::new();
    v.init();
    for _ in 0..rounds() {
        let mut s = pty_vault(&v, &["run", "--", "sh", "-c", "read -r x; stty size"]);
        wait_raw(&s);
        std::thread::sleep(Duration::from_millis(200));
        for i in 0..300u16 {
            s.resize(20 + i % 30, 60 + i % 50);
        }
        s.resize(33, 111);
        std::thread::sleep(Duration::from_millis(200));
        s.write(b"go\r");
        s.expect(b"33 111", WAIT)
            .expect("the child sees the final size");
        let status = s.wait(WAIT).expect("vault exits");
        assert_eq!(status.code(), Some(0));
        assert!(same_termios(&s.termios(), s.initial_termios()));
    }
}

/// `vault run -- yes | head -1`: when the reader of vault's stdout goes away, the child
/// gets SIGPIPE (pipes: exit 141) or, with `--pty`, its terminal hangs up (SIGHUP: 129);
/// vault exits with that status, promptly, and the child is gone.
#[test]
fn sigpipe_when_the_reader_goes_away() {
    let v = Vault::new();
    v.init();
    for (mode, want) in [("--no-pty", 128 + 13), ("--pty", 128 + 1)] {
        let pidfile = v.path(&format!("yes{mode}.pid"));
        let mut head = std::process::Command::new("head")
            .arg("-1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn head");
        let mut c = foreground_vault(&v);
        c.args(["run", mode, "--", "sh", "-c", r#"echo $$ > "$0"; exec yes"#])
            .arg(&pidfile)
            .stdout(head.stdin.take().expect("head's stdin"))
            .stderr(Stdio::piped());
        without_terminal(&mut c);
        let started = Instant::now();
        let mut vault = c.spawn().expect("spawn vault");
        let head_out = head.wait_with_output().expect("head");
        assert_eq!(head_out.stdout, b"y\n");
        let child = read_pid(&pidfile);
        let out = wait_child(&mut vault);
        assert_eq!(out.status.code(), Some(want), "{mode}: {out:?}");
        assert!(started.elapsed() < Duration::from_secs(10), "{mode}: slow");
        assert!(wait_gone(child), "{mode}: the child survived");
    }
    // `vault redact` on its own: the same status a filter like cat gets.
    let mut head = std::process::Command::new("head")
        .args(["-c", "10"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn head");
    let mut c = foreground_vault(&v);
    c.arg("redact")
        .stdin(fs::File::open("/dev/zero").expect("/dev/zero"))
        .stdout(head.stdin.take().expect("stdin"))
        .stderr(Stdio::piped());
    let mut vault = c.spawn().expect("spawn");
    head.wait().expect("head");
    let out = wait_child(&mut vault);
    assert_eq!(out.status.code(), Some(141), "redact: {out:?}");
}

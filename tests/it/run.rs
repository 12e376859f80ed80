//! `vault run`, end to end through the built binary: what the child gets (environment,
//! argv placeholders, stdin, a terminal or pipes), what comes back out (every stored value and
//! its encodings redacted, prompts on time, byte-exact otherwise), how it ends (exit statuses,
//! signals, vault's own terminal restored).
//!
//! Ported in part from the PTY author's scratch tests (which drove a stand-in binary), now
//! against `vault run` in an isolated home. PTY tests run vault itself inside a real PTY owned
//! by the test (`support::pty`). Every wait has a hard timeout.
//!
//! Children report what they received by writing files (their environment with `env -0`,
//! their argv with `printf '%s\0'`): a file is not redacted, so the test can compare bytes.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rustix::process::{Pid, Signal};

use crate::support::pty::{PtySession, is_raw, same_termios};
use crate::support::{BIN, Vault, assert_error, assert_no_leak, chmod, contains};

/// Hard limit for any single wait in a PTY or streaming test.
const T: Duration = Duration::from_secs(10);

// Exit statuses, from src/exit.rs.
const DATA_ERR: i32 = 65;
const DENIED: i32 = 77;
const RUN_FAILED: i32 = 125;
const NOT_EXECUTABLE: i32 = 126;
const NOT_FOUND: i32 = 127;

/// Three ordinary secrets.
const A: &str = "alpha-value-0123456789-Qx";
const B: &str = "bravo-value-9876543210-Wz";
const C: &str = "charlie-value-5555555555-Jy";

/// An initialised store holding `secrets`.
fn store(secrets: &[(&str, &[u8])]) -> Vault {
    let v = Vault::new();
    v.init();
    for (name, value) in secrets {
        v.set(name, value);
    }
    v
}

/// A store with A, B and C.
fn abc() -> Vault {
    store(&[
        ("A", A.as_bytes()),
        ("B", B.as_bytes()),
        ("C", C.as_bytes()),
    ])
}

/// `vault run ARGS…` with the fixture identity, empty stdin and the hang timeout.
fn run(v: &Vault, args: &[&str]) -> Command {
    let mut c = v.cmd();
    c.arg("run").args(args);
    c
}

/// The same as a plain `std::process::Command` (for PTY and streaming tests).
fn run_std(v: &Vault, args: &[&str]) -> std::process::Command {
    let mut c = v.std_cmd();
    c.arg("run").args(args);
    c
}

fn marker(name: &str) -> String {
    format!("[REDACTED:{name}]")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// Writes `bytes` to a fresh file in the test's temp dir and returns its path.
fn file_with(v: &Vault, name: &str, bytes: &[u8]) -> PathBuf {
    let p = v.path(name);
    fs::write(&p, bytes).expect("write fixture file");
    p
}

/// Runs `vault run OPTS -- sh -c 'env -0 > FILE' sh FILE EXTRA…` and returns the child's
/// environment, read back from the file.
fn child_env(
    v: &Vault,
    cmd: &mut Command,
    opts: &[&str],
    extra: &[&str],
) -> BTreeMap<String, Vec<u8>> {
    let out = v.path("env.out");
    let _ = fs::remove_file(&out);
    cmd.arg("run")
        .args(opts)
        .args(["--", "sh", "-c", r#"env -0 > "$1""#, "sh", s(&out)])
        .args(extra);
    v.ok(cmd);
    let bytes = fs::read(&out).expect("the child wrote its environment");
    bytes
        .split(|&b| b == 0)
        .filter(|e| !e.is_empty())
        .filter_map(|e| {
            let eq = e.iter().position(|&b| b == b'=')?;
            Some((text(&e[..eq]), e[eq + 1..].to_vec()))
        })
        .collect()
}

fn secret_names(env: &BTreeMap<String, Vec<u8>>) -> Vec<&str> {
    ["A", "B", "C"]
        .into_iter()
        .filter(|n| env.contains_key(*n))
        .collect()
}

/// Kills the pid written (as text) in `pid_file`, if any: cleanup of a background
/// grandchild a test left behind.
fn kill_pid_in(pid_file: &Path) {
    if let Some(pid) = fs::read_to_string(pid_file)
        .ok()
        .and_then(|t| t.trim().parse::<i32>().ok())
        .and_then(Pid::from_raw)
    {
        let _ = rustix::process::kill_process(pid, Signal::KILL);
    }
}

/// Asserts two large byte strings are equal; on failure shows where they first differ
/// instead of dumping them.
#[track_caller]
fn assert_same_bytes(got: &[u8], want: &[u8], what: &str) {
    if got == want {
        return;
    }
    let at = got
        .iter()
        .zip(want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    let around = |b: &[u8]| text(&b[at.saturating_sub(40)..(at + 60).min(b.len())]);
    panic!(
        "{what}: {} bytes, expected {}; first difference at byte {at}:\n got: {:?}\nwant: {:?}",
        got.len(),
        want.len(),
        around(got),
        around(want)
    );
}

/// A thread that appends everything `pipe` yields to `sink`, until EOF.
fn reader(
    mut pipe: impl std::io::Read + Send + 'static,
    sink: Arc<Mutex<Vec<u8>>>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().expect("lock").extend_from_slice(&buf[..n]);
        }
    })
}

// ---------------------------------------------------------------------------------------
// A vault process whose stdout/stderr are read as they arrive, with deadlines.

struct Streaming {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
}

impl Streaming {
    fn spawn(mut cmd: std::process::Command) -> Streaming {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn vault");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let out_pipe = child.stdout.take().expect("stdout");
        let err_pipe = child.stderr.take().expect("stderr");
        let readers = vec![
            reader(out_pipe, Arc::clone(&stdout)),
            reader(err_pipe, Arc::clone(&stderr)),
        ];
        Streaming {
            child,
            stdout,
            stderr,
            readers,
        }
    }

    fn stdout(&self) -> Vec<u8> {
        self.stdout.lock().expect("lock").clone()
    }

    /// Waits until stdout contains `needle`; returns stdout at that moment and whether vault
    /// was still running then (checked after the needle was seen).
    fn wait_for(&mut self, needle: &[u8], timeout: Duration) -> (Vec<u8>, bool) {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = self.stdout();
            if contains(&seen, needle) {
                let running = self.child.try_wait().expect("try_wait").is_none();
                return (seen, running);
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!(
                    "timed out waiting for {:?} on stdout; got {:?}",
                    text(needle),
                    text(&seen)
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn pid(&self) -> Pid {
        Pid::from_raw(i32::try_from(self.child.id()).expect("pid")).expect("pid")
    }

    /// Waits for vault to exit (killing it after `timeout`), then returns its status, stdout
    /// and stderr.
    fn finish(mut self, timeout: Duration) -> (ExitStatus, Vec<u8>, Vec<u8>) {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                break st;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "vault still running after {timeout:?} (killed); stdout {:?}",
                    text(&self.stdout())
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        let out = self.stdout();
        let err = self.stderr.lock().expect("lock").clone();
        (status, out, err)
    }
}

// ---------------------------------------------------------------------------------------
// Injection.

/// Without `--only` or placeholders, every stored secret is in the child's environment, with
/// its exact bytes.
#[test]
fn every_secret_is_injected_by_default() {
    let v = abc();
    let env = child_env(&v, &mut v.cmd(), &[], &[]);
    assert_eq!(env.get("A").map(Vec::as_slice), Some(A.as_bytes()));
    assert_eq!(env.get("B").map(Vec::as_slice), Some(B.as_bytes()));
    assert_eq!(env.get("C").map(Vec::as_slice), Some(C.as_bytes()));
    // vault's own environment passes through (it is not replaced).
    assert!(env.contains_key("PATH"), "{:?}", env.keys());
}

/// `--only A,B` and repeated `--only` narrow the injection to the named secrets.
#[test]
fn only_narrows_injection() {
    let v = abc();
    let env = child_env(&v, &mut v.cmd(), &["--only", "A,B"], &[]);
    assert_eq!(secret_names(&env), ["A", "B"]);
    let env = child_env(&v, &mut v.cmd(), &["--only", "A", "--only", "C"], &[]);
    assert_eq!(secret_names(&env), ["A", "C"]);
    assert_eq!(env.get("C").map(Vec::as_slice), Some(C.as_bytes()));
}

/// An unknown `--only` name refuses the run (65, one-line error, store untouched) before
/// anything is spawned.
#[test]
fn unknown_only_name_refuses_before_spawning() {
    let v = abc();
    let spawned = v.path("spawned");
    for only in ["NOPE", "A,NOPE", "bad-name"] {
        let err = v.refuses(
            &mut run(
                &v,
                &[
                    "--only",
                    only,
                    "--",
                    "sh",
                    "-c",
                    r#"touch "$1""#,
                    "sh",
                    s(&spawned),
                ],
            ),
            DATA_ERR,
        );
        assert!(!spawned.exists(), "--only {only}: the child ran ({err})");
    }
}

/// A placeholder is replaced byte-exactly inside one argv element, wherever it sits, and the
/// result is never re-parsed by a shell: spaces, quotes, `$()`, backticks and a newline arrive
/// as they are, in one element.
#[test]
fn placeholders_are_substituted_byte_exact() {
    let value = "it's a \"quoted\" $(touch pwned) `touch pwned2` value\nsecond line; *";
    let v = store(&[("TRICKY", value.as_bytes()), ("A", A.as_bytes())]);
    let out = v.path("argv.out");
    v.ok(&mut run(
        &v,
        &[
            "--",
            "sh",
            "-c",
            r#"out=$1; shift; printf '%s\0' "$@" > "$out""#,
            "sh",
            s(&out),
            "{{secure.TRICKY}}",
            "pre-{{secure.TRICKY}}-mid-{{secure.A}}-post",
            "plain {x.A} {{other.A}}",
        ],
    ));
    let got = fs::read(&out).expect("the child wrote its argv");
    let mut want = Vec::new();
    want.extend_from_slice(value.as_bytes());
    want.push(0);
    want.extend_from_slice(format!("pre-{value}-mid-{A}-post").as_bytes());
    want.push(0);
    want.extend_from_slice(b"plain {x.A} {{other.A}}");
    want.push(0);
    assert_eq!(text(&got), text(&want));
    assert_eq!(got, want);
    assert!(!v.path("pwned").exists() && !v.tmp.path().join("pwned2").exists());
}

/// Placeholders without `--only` inject only the secrets they reference.
#[test]
fn placeholders_narrow_injection() {
    let v = abc();
    let env = child_env(&v, &mut v.cmd(), &[], &["{{secure.B}}"]);
    assert_eq!(secret_names(&env), ["B"]);
    let env = child_env(&v, &mut v.cmd(), &[], &["x{{secure.C}}", "{{secure.A}}"]);
    assert_eq!(secret_names(&env), ["A", "C"]);
    // With --only, --only decides (and must include every referenced name).
    let env = child_env(&v, &mut v.cmd(), &["--only", "A,B"], &["{{secure.B}}"]);
    assert_eq!(secret_names(&env), ["A", "B"]);
}

/// An unknown placeholder, a malformed one, and one naming a secret that `--only` excludes
/// all refuse the run (65) before anything is spawned.
#[test]
fn bad_placeholders_refuse_before_spawning() {
    let v = abc();
    let spawned = v.path("spawned");
    let cases: [(&[&str], &str); 6] = [
        (&[], "{{secure.NOPE}}"),
        (&[], "{{secure.A"),
        (&[], "x{{secure.}}"),
        (&[], "{{secure.A-B}}"),
        (&[], "{{secure.A}} and {{secure."),
        (&["--only", "A"], "{{secure.B}}"),
    ];
    for (opts, arg) in cases {
        let mut cmd = v.cmd();
        cmd.arg("run")
            .args(opts)
            .args(["--", "sh", "-c", r#"touch "$1""#, "sh", s(&spawned), arg]);
        let err = v.refuses(&mut cmd, DATA_ERR);
        assert!(!spawned.exists(), "{opts:?} {arg:?}: the child ran ({err})");
        for value in [A, B, C] {
            assert!(!err.contains(value), "{arg:?}: {err}");
        }
    }
}

/// Neither `VAULT_IDENTITY` nor `VAULT_IDENTITY_FILE` reaches the child, whichever unlocked.
#[test]
fn unlock_material_never_reaches_the_child() {
    let v = abc();
    let env = child_env(&v, &mut v.cmd(), &[], &[]);
    assert!(!env.contains_key("VAULT_IDENTITY"), "{:?}", env.keys());
    assert!(!env.contains_key("VAULT_IDENTITY_FILE"));
    assert_eq!(secret_names(&env), ["A", "B", "C"]);

    let mut cmd = v.cmd_no_identity();
    cmd.env("VAULT_IDENTITY_FILE", &v.identity_file);
    let env = child_env(&v, &mut cmd, &[], &[]);
    assert!(!env.contains_key("VAULT_IDENTITY"), "{:?}", env.keys());
    assert!(!env.contains_key("VAULT_IDENTITY_FILE"), "{:?}", env.keys());
    assert_eq!(secret_names(&env), ["A", "B", "C"]);
    for (k, val) in &env {
        assert!(
            !contains(val, v.fixture.identity.as_bytes()),
            "{k} carries the identity"
        );
    }
}

/// The identity text, printed by a child, is redacted like a secret (both unlock routes).
#[test]
fn identity_printed_by_the_child_is_redacted() {
    let v = abc();
    let id = v.fixture.identity.clone();
    let copy = file_with(&v, "id-copy.txt", format!("id={id}\n").as_bytes());
    let out = v.ok(&mut run(&v, &["--", "cat", s(&copy)]));
    assert_eq!(
        text(&out.stdout),
        format!("id={}\n", marker("VAULT_IDENTITY"))
    );

    let mut cmd = v.cmd_no_identity();
    cmd.env("VAULT_IDENTITY_FILE", &v.identity_file)
        .args(["run", "--", "cat"])
        .arg(&v.identity_file);
    let out = v.ok(&mut cmd);
    let shown = text(&out.stdout);
    assert!(shown.contains(&marker("VAULT_IDENTITY")), "{shown}");
    assert!(
        shown.contains(&v.fixture.recipient),
        "public key stays: {shown}"
    );
    assert_no_leak(&v.transcript(), id.as_bytes());
}

// ---------------------------------------------------------------------------------------
// Redaction in pipe mode.

/// A value chosen so its encodings all differ from it (and its length is a multiple of 3,
/// so its base64 form is replaced whole).
const PW: &str = r#"p@ss "w0rd"/back\slash & more=1?!"#;
const PEM: &str =
    "-----BEGIN TEST KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX\n-----END TEST KEY-----";

fn percent_rfc3986(v: &[u8]) -> String {
    v.iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `(label, form)` for each encoding the child prints.
fn pw_forms() -> Vec<(&'static str, String)> {
    let json = serde_json::to_string(PW).expect("json");
    let hex: String = PW.bytes().map(|b| format!("{b:02x}")).collect();
    assert_eq!(PW.len() % 3, 0);
    vec![
        ("raw", PW.to_owned()),
        ("base64", STANDARD.encode(PW)),
        ("hex", hex.clone()),
        ("HEX", hex.to_ascii_uppercase()),
        ("json", json[1..json.len() - 1].to_owned()),
        ("percent", percent_rfc3986(PW.as_bytes())),
    ]
}

/// stdout and stderr stay separate streams, and each is redacted: the raw value, base64, hex,
/// JSON-escaped and percent-encoded forms, and a multi-line value (whole, and one line alone).
#[test]
fn pipe_mode_redacts_stdout_and_stderr_separately() {
    let v = store(&[("PW", PW.as_bytes()), ("PEM", PEM.as_bytes())]);
    let pem_line = PEM.lines().nth(1).expect("second line");
    let mut files = Vec::new();
    let mut wants = Vec::new();
    for stream in ["out", "err"] {
        let mut body = String::new();
        let mut want = String::new();
        for (label, form) in pw_forms() {
            body.push_str(&format!("{stream} {label}={form}\n"));
            want.push_str(&format!("{stream} {label}={}\n", marker("PW")));
        }
        body.push_str(&format!("{stream} pem=<{PEM}>\n{stream} line={pem_line}\n"));
        want.push_str(&format!(
            "{stream} pem=<{m}>\n{stream} line={m}\n",
            m = marker("PEM")
        ));
        files.push(file_with(&v, stream, body.as_bytes()));
        wants.push(want);
    }
    let out = v.ok(&mut run(
        &v,
        &[
            "--",
            "sh",
            "-c",
            r#"cat "$1"; cat "$2" >&2; cat "$1""#,
            "sh",
            s(&files[0]),
            s(&files[1]),
        ],
    ));
    assert_eq!(text(&out.stdout), format!("{}{}", wants[0], wants[0]));
    assert_eq!(text(&out.stderr), wants[1]);
    let all = v.transcript();
    for (label, form) in pw_forms() {
        assert!(!contains(&all, form.as_bytes()), "{label} form leaked");
    }
    assert_no_leak(&all, PW.as_bytes());
    assert!(!contains(&all, pem_line.as_bytes()));
}

/// A value written in two parts a second apart (two reads for vault) is still caught, on
/// stdout and on stderr.
#[test]
fn value_split_across_writes_is_redacted() {
    let v = abc();
    let (p1, p2) = B.split_at(9);
    let out = v.ok(&mut run(
        &v,
        &[
            "--",
            "sh",
            "-c",
            r#"printf %s "$1"; printf %s "$1" >&2; sleep 1; printf '%s\n' "$2"; printf %s "$2" >&2"#,
            "sh",
            p1,
            p2,
        ],
    ));
    assert_eq!(text(&out.stdout), format!("{}\n", marker("B")));
    assert_eq!(text(&out.stderr), marker("B"));
}

/// A newline-less `Password: ` prompt reaches vault's stdout (a pipe) while the child is still
/// running, not when it exits.
#[test]
fn pipe_mode_prompt_is_not_held_back() {
    let v = abc();
    let started = Instant::now();
    let mut p = Streaming::spawn(run_std(
        &v,
        &[
            "--no-pty",
            "--",
            "sh",
            "-c",
            "printf 'Password: '; sleep 2; echo done",
        ],
    ));
    let (seen, running) = p.wait_for(b"Password: ", T);
    assert_eq!(text(&seen), "Password: ", "the prompt came with the rest");
    assert!(running, "vault had exited when the prompt appeared");
    let (status, out, err) = p.finish(T);
    assert_eq!(status.code(), Some(0), "{}", text(&err));
    assert_eq!(text(&out), "Password: done\n");
    assert!(started.elapsed() >= Duration::from_secs(2));
}

/// Every stored value is redacted, including those `--only` keeps out of the environment.
#[test]
fn secrets_excluded_by_only_are_still_redacted() {
    let v = abc();
    let f = file_with(&v, "leak.txt", format!("b={B} c={C}\n").as_bytes());
    let out = v.ok(&mut run(
        &v,
        &[
            "--only",
            "A",
            "--",
            "sh",
            "-c",
            r#"cat "$1"; echo "B=${B-unset}""#,
            "sh",
            s(&f),
        ],
    ));
    assert_eq!(
        text(&out.stdout),
        format!("b={} c={}\nB=unset\n", marker("B"), marker("C"))
    );
}

// ---------------------------------------------------------------------------------------
// Exit status.

/// The child's status passes through; a child killed by signal N gives 128+N.
#[test]
fn exit_status_passes_through() {
    let v = abc();
    for (script, want) in [
        ("exit 0", 0),
        ("exit 3", 3),
        ("exit 255", 255),
        ("kill -TERM $$", 143),
        ("kill -KILL $$", 137),
    ] {
        for mode in ["--no-pty", "--pty"] {
            let out = v.run(&mut run(&v, &[mode, "--", "sh", "-c", script]));
            assert_eq!(out.status.code(), Some(want), "{mode} {script}");
            assert!(
                out.stderr.is_empty(),
                "{mode} {script}: {}",
                text(&out.stderr)
            );
        }
    }
}

/// A command that does not exist: 127 with a one-line error naming it as typed, and no
/// substituted value in it. A placeholder as the program itself is refused earlier, by the
/// egress check (a program chosen by a secret cannot be checked): 77, showing the placeholder
/// as typed, never the value.
#[test]
fn command_not_found_is_127_and_shows_no_value() {
    let program = "/nonexistent/dir/sk-live-SECRET-program-0123";
    let v = store(&[("PROG", program.as_bytes())]);
    let err = v.refuses(&mut run(&v, &["--", "/nonexistent/prog"]), NOT_FOUND);
    assert!(err.contains("/nonexistent/prog"), "{err}");
    let err = v.refuses(
        &mut run(&v, &["--", "no-such-command-xyz", "arg"]),
        NOT_FOUND,
    );
    assert!(err.contains("no-such-command-xyz"), "{err}");
    let err = v.refuses(
        &mut run(&v, &["--", "/nonexistent/prog", "{{secure.PROG}}"]),
        NOT_FOUND,
    );
    assert!(!err.contains("sk-live"), "{err}");

    for argv0 in ["{{secure.PROG}}", "/nonexistent/{{secure.PROG}}"] {
        let err = v.refuses(&mut run(&v, &["--", argv0, "x"]), DENIED);
        assert!(err.contains(argv0), "{err}");
        assert!(!err.contains("sk-live"), "{err}");
    }
    assert_no_leak(&v.transcript(), program.as_bytes());
}

/// A file without the execute bit, and a directory: 126.
#[test]
fn not_executable_is_126() {
    let v = abc();
    let script = file_with(&v, "not-executable", b"#!/bin/sh\necho hi\n");
    chmod(&script, 0o644);
    let err = v.refuses(&mut run(&v, &["--", s(&script)]), NOT_EXECUTABLE);
    assert!(err.contains("not-executable"), "{err}");
    let dir = v.path("a-directory");
    fs::create_dir(&dir).expect("mkdir");
    v.refuses(&mut run(&v, &["--", s(&dir)]), NOT_EXECUTABLE);
}

/// vault execs the child itself (from one wiped buffer, not through std's environment
/// maps) exactly as std and a shell would: the program is searched in the child's `PATH`, a
/// script without `#!` runs under `/bin/sh`, and the secrets are in its environment.
#[test]
fn a_script_without_shebang_is_found_in_path_and_runs_under_sh() {
    let v = abc();
    let dir = v.path("bin");
    fs::create_dir(&dir).expect("mkdir");
    let script = dir.join("plain-script");
    fs::write(&script, b"printf 'ran %s %s\\n' \"$0\" \"$A\"\n").expect("write script");
    chmod(&script, 0o755);
    let path = format!("{}:{}", s(&dir), std::env::var("PATH").expect("PATH"));
    let out = run(&v, &["--no-pty", "--", "plain-script"])
        .env("PATH", path)
        .output()
        .expect("run vault");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("ran {} {}\n", s(&script), marker("A"))
    );
}

/// Output that cannot be written (stdout is /dev/full) is vault's failure: 125 and a message.
#[test]
fn lost_output_is_an_error() {
    let v = abc();
    let mut cmd = run_std(&v, &["--", "echo", "hi"]);
    cmd.stdout(
        fs::File::options()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn vault");
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("try_wait") {
            break st;
        }
        if start.elapsed() > T {
            let _ = child.kill();
            panic!("vault did not finish");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = Vec::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_end(&mut stderr)
        .expect("read stderr");
    let out = std::process::Output {
        status,
        stdout: Vec::new(),
        stderr,
    };
    let err = assert_error(&out, RUN_FAILED);
    assert!(err.contains("No space left on device"), "{err}");
}

// ---------------------------------------------------------------------------------------
// stdin.

/// Piped stdin reaches the child, and so does its EOF (the child would hang otherwise).
#[test]
fn piped_stdin_and_its_eof_reach_the_child() {
    let v = abc();
    let out = v.ok(run(&v, &["--", "wc", "-l"]).write_stdin("a\nb\n"));
    assert_eq!(text(&out.stdout).trim(), "2");
    let out = v.ok(run(&v, &["--", "sh", "-c", "cat; echo eof-seen"]).write_stdin("a\nb"));
    assert_eq!(text(&out.stdout), "a\nbeof-seen\n");
    // More than any pipe buffer, while the child also writes.
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let out = v.ok(run(&v, &["--", "wc", "-c"]).write_stdin(data.clone()));
    assert_eq!(text(&out.stdout).trim(), data.len().to_string());
}

/// `--pty` with piped stdin: one merged output stream on stdout (all three fds are the PTY),
/// plain `\n`, no echo of the input, and the input's EOF delivered (with or without a final
/// newline).
#[test]
fn forced_pty_with_piped_stdin() {
    let v = abc();
    let out = v.ok(run(&v, &["--pty", "--", "cat"]).write_stdin("a\nb"));
    assert_eq!(text(&out.stdout), "a\nb");
    let out = v.ok(run(&v, &["--pty", "--", "wc", "-l"]).write_stdin("1\n2\n3\n"));
    assert_eq!(text(&out.stdout).trim(), "3");
    let out = v.ok(&mut run(
        &v,
        &[
            "--pty",
            "--",
            "sh",
            "-c",
            r#"echo out; echo err >&2; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty; echo "$A""#,
        ],
    ));
    assert_eq!(
        text(&out.stdout),
        format!("out\nerr\nall-tty\n{}\n", marker("A"))
    );
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

/// `--pty` with piped stdin: the bytes of the pipe are data, and reach the child unchanged —
/// a line of 4095 bytes (the terminal's line buffer), CRLF text, bytes that a terminal's line
/// discipline would act on (^C, DEL, ^U, ^\\), and ^S (XOFF), which would stop the PTY's
/// output — and its EOF still arrives, and the child's output after it. What canonical mode
/// still imposes (longer lines cut, a ^D byte read as end of input) is documented in the
/// README and checked in `forced_pty_canonical_limits_are_the_documented_ones`.
#[test]
fn forced_pty_passes_piped_stdin_unchanged() {
    let v = abc();
    let got = v.path("stdin.out");
    let mut long = vec![b'x'; 4094];
    long.push(b'\n');
    let cases: [(&str, Vec<u8>); 4] = [
        ("a 4095-byte line", long),
        ("CRLF text", b"a\r\nb\r\n".to_vec()),
        ("^C DEL ^U ^\\", b"x\x03yz\x7fw\x15v\x1c\n".to_vec()),
        ("^S", b"a\x13b\n".to_vec()),
    ];
    let mut failures = Vec::new();
    for (what, input) in cases {
        let _ = fs::remove_file(&got);
        let out = v.run(
            run(
                &v,
                &[
                    "--pty",
                    "--",
                    "sh",
                    "-c",
                    r#"cat > "$1"; echo done"#,
                    "sh",
                    s(&got),
                ],
            )
            .write_stdin(input.clone())
            // A stopped output would hang the run: fail fast instead.
            .timeout(Duration::from_secs(5)),
        );
        let received = fs::read(&got).unwrap_or_default();
        if out.status.code() != Some(0) || received != input || out.stdout != b"done\n" {
            failures.push(format!(
                "{what}: status {:?}, stdout {:?}, sent {} bytes, the child got {} ({:?}…)",
                out.status,
                text(&out.stdout),
                input.len(),
                received.len(),
                text(&received[..received.len().min(24)])
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The limits of `--pty` with piped stdin that the README documents: canonical mode cuts a
/// line longer than 4095 bytes, and a ^D byte reads as end of input. The run still ends.
#[test]
fn forced_pty_canonical_limits_are_the_documented_ones() {
    let v = abc();
    let got = v.path("stdin.out");
    let mut long = vec![b'x'; 10_000];
    long.push(b'\n');
    let out = v.run(
        run(
            &v,
            &[
                "--pty",
                "--",
                "sh",
                "-c",
                r#"cat > "$1"; echo done"#,
                "sh",
                s(&got),
            ],
        )
        .write_stdin(long)
        .timeout(Duration::from_secs(5)),
    );
    assert_eq!(out.status.code(), Some(0));
    let received = fs::read(&got).unwrap_or_default();
    assert!(
        received.len() < 10_001,
        "a line over 4095 bytes is cut, as documented"
    );
}

// ---------------------------------------------------------------------------------------
// Large output.

const MIB: usize = 1 << 20;

/// Log-like text: timestamps, levels, words, key=value pairs, hex ids; one block, reused.
fn log_block(len: usize) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "request",
        "user=alice",
        "user=bob",
        "GET",
        "POST",
        "/api/v1/items",
        "status=200",
        "status=404",
        "cache",
        "miss",
        "hit",
        "retry",
        "worker",
        "session",
        "connection",
        "established",
        "latency_ms=12",
        "bytes=5120",
        "ok",
        "done",
    ];
    let mut state = 0x5eed_u64;
    // xorshift64*: deterministic filler, so a failure reproduces.
    let mut below = |n: u64| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    };
    let mut out = Vec::with_capacity(len + 256);
    let mut n = 0u64;
    while out.len() < len {
        n += 1;
        out.extend_from_slice(
            format!(
                "2026-11-22T04:{:02}:{:02}.{:03}Z {} worker-{} id={:016x}",
                (n / 3600) % 60,
                (n / 60) % 60,
                n % 1000,
                ["INFO", "WARN", "DEBUG", "ERROR"][below(4) as usize],
                below(16),
                below(u64::MAX),
            )
            .as_bytes(),
        );
        for _ in 0..(3 + below(8)) {
            out.push(b' ');
            out.extend_from_slice(WORDS[below(WORDS.len() as u64) as usize].as_bytes());
        }
        out.push(b'\n');
    }
    out.truncate(len);
    out
}

/// `len` bytes of log text with values planted: at the start, straddling a 64 KiB boundary
/// (7 bytes before every MiB), every ~1 MB off any alignment, an encoded (hex) form, two
/// back to back, and one ending the stream. Returns (data, expected redacted output, number
/// of values planted).
fn planted(len: usize, values: &[(&str, &str)]) -> (Vec<u8>, Vec<u8>, usize) {
    let block = log_block(MIB + 4099);
    let hex_a: String = values[0].1.bytes().map(|b| format!("{b:02x}")).collect();
    let mut plants: Vec<usize> = Vec::new();
    for m in 1..=len / MIB {
        plants.push(m * MIB - 7);
    }
    for m in 1..=len / 1_000_000 {
        plants.push(m * 1_000_000 + 333);
    }
    plants.sort_unstable();
    let mut data = Vec::with_capacity(len + 4096);
    let mut want = Vec::with_capacity(len + 4096);
    let mut cursor = 0usize;
    let filler = |n: usize, data: &mut Vec<u8>, want: &mut Vec<u8>, cursor: &mut usize| {
        let mut left = n;
        while left > 0 {
            let take = left.min(block.len() - *cursor);
            data.extend_from_slice(&block[*cursor..*cursor + take]);
            want.extend_from_slice(&block[*cursor..*cursor + take]);
            *cursor = (*cursor + take) % block.len();
            left -= take;
        }
    };
    let mut count = 0;
    let mut plant = |i: usize, data: &mut Vec<u8>, want: &mut Vec<u8>| {
        count += 1;
        let (name, value) = values[i % values.len()];
        if i % 10 == 9 {
            data.extend_from_slice(hex_a.as_bytes());
            want.extend_from_slice(marker(values[0].0).as_bytes());
        } else {
            data.extend_from_slice(value.as_bytes());
            want.extend_from_slice(marker(name).as_bytes());
        }
    };
    plant(0, &mut data, &mut want);
    for (i, &at) in plants.iter().enumerate() {
        if at + 64 >= len {
            break;
        }
        if at > data.len() {
            filler(at - data.len(), &mut data, &mut want, &mut cursor);
        }
        plant(i, &mut data, &mut want);
        if i == 5 {
            plant(i + 1, &mut data, &mut want);
        }
    }
    let tail = len.saturating_sub(data.len() + 64);
    filler(tail, &mut data, &mut want, &mut cursor);
    plant(1, &mut data, &mut want);
    assert!(data.len().abs_diff(len) < 4096, "{} bytes", data.len());
    (data, want, count)
}

/// Size of the big pipe-mode check: 100 MB by default (about 3 s through a debug build);
/// `VAULT_TEST_BIG_MB` overrides it.
fn big_len() -> usize {
    std::env::var("VAULT_TEST_BIG_MB")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(100)
        * 1_000_000
}

/// 100 MB of log text with planted values comes out byte-identical to the expected
/// redaction, in pipe mode.
#[test]
fn large_output_is_redacted_exactly_in_pipe_mode() {
    let v = abc();
    let len = big_len();
    let (data, want, n) = planted(len, &[("A", A), ("B", B)]);
    assert!(n > len / 600_000, "{n} values planted");
    let big = file_with(&v, "big.log", &data);
    drop(data);
    let out = v.run(&mut run(&v, &["--no-pty", "--", "cat", s(&big)]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_same_bytes(&out.stdout, &want, "pipe mode");
}

/// The same check through the PTY (`--pty`, stdout a pipe: OPOST off, so bytes are exact),
/// 10 MB.
#[test]
fn large_output_is_redacted_exactly_in_pty_mode() {
    let v = abc();
    let (data, want, n) = planted(10_000_000, &[("C", C), ("A", A)]);
    assert!(n > 10_000_000 / 600_000, "{n} values planted");
    let big = file_with(&v, "big.log", &data);
    let out = v.run(&mut run(&v, &["--pty", "--", "cat", s(&big)]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_same_bytes(&out.stdout, &want, "pty mode");
}

// ---------------------------------------------------------------------------------------
// Inside a real terminal.

/// `vault run ARGS…` running inside a 24×80 PTY, all fds on it.
fn session(v: &Vault, args: &[&str]) -> PtySession {
    PtySession::spawn(run_std(v, args), 24, 80).expect("spawn vault in a PTY")
}

/// Colours pass through untouched and the child sees a terminal on fds 0, 1 and 2.
#[test]
fn pty_colours_pass_and_every_fd_is_a_terminal() {
    let v = abc();
    let mut s = session(&v, &["--", "printf", r"\033[31mred\033[0m"]);
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
    assert_eq!(text(s.output()), "\x1b[31mred\x1b[0m");

    let mut s = session(
        &v,
        &[
            "--",
            "sh",
            "-c",
            "[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty",
        ],
    );
    assert_eq!(s.wait(T).unwrap().code(), Some(0), "{}", text(s.output()));
    assert!(text(s.output()).contains("all-tty"), "{}", text(s.output()));
}

/// At a terminal with stdout redirected (`vault run -- cmd > file`), the child's stdout is not
/// a terminal but stdin and stderr are; its colour-less output reaches the file, and its
/// `/dev/tty` output goes through the redactor.
#[test]
fn pty_redirected_stdout_is_not_a_terminal() {
    let v = abc();
    let script = r#"for f in 0 1 2; do if [ -t $f ]; then echo fd$f=tty >&2; else echo fd$f=notty >&2; fi; done
if [ -t 1 ]; then printf '\033[31mcolour\033[0m\n'; else echo "plain $A"; fi
echo "tty $B" > /dev/tty"#;
    let mut s = PtySession::spawn_with(
        run_std(&v, &["--", "sh", "-c", script]),
        24,
        80,
        true,
        false,
        true,
    )
    .expect("spawn");
    assert_eq!(s.wait(T).unwrap().code(), Some(0), "{}", text(s.output()));
    let o = text(s.output());
    assert!(
        o.contains("fd0=tty") && o.contains("fd1=notty") && o.contains("fd2=tty"),
        "{o}"
    );
    assert_eq!(text(s.stdout()), format!("plain {}\n", marker("A")));
    assert!(o.contains(&format!("tty {}", marker("B"))), "{o}");
    assert!(!o.contains(B), "{o}");
}

/// stdin a pipe, stdout and stderr the terminal (`printf 'a\nb\n' | vault run -- wc -l`).
#[test]
fn pty_outputs_with_piped_stdin() {
    let v = abc();
    let mut s = PtySession::spawn_with(run_std(&v, &["--", "wc", "-l"]), 24, 80, false, true, true)
        .expect("spawn");
    s.write(b"a\nb\n");
    s.close_stdin();
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
    assert_eq!(text(s.output()).trim(), "2");
}

/// A newline-less prompt is on screen before anything is typed; the typed answers reach the
/// child; a secret typed and echoed back (by the terminal and by the child) is redacted.
#[test]
fn pty_password_prompt() {
    let v = abc();
    let mut s = session(
        &v,
        &[
            "--",
            "sh",
            "-c",
            r#"printf 'Password: '; read x; echo "got:$x"; printf 'Token: '; read y; echo "again:$y""#,
        ],
    );
    s.expect(b"Password: ", T).unwrap();
    // vault's terminal is raw: Enter arrives as \r, the inner PTY's ICRNL makes it \n.
    s.write(b"my answer\r");
    s.expect(b"got:my answer", T).unwrap();
    s.expect(b"Token: ", T).unwrap();
    s.write(format!("{C}\r").as_bytes());
    s.expect(format!("again:{}", marker("C")).as_bytes(), T)
        .unwrap();
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
    let o = text(s.output());
    assert!(!o.contains(C), "{o}");
    assert_no_leak(s.output(), C.as_bytes());
}

/// ^D typed at the terminal ends the child's input.
#[test]
fn pty_ctrl_d_ends_input() {
    let v = abc();
    let mut s = session(&v, &["--", "sh", "-c", "echo ready; cat; echo eof-seen"]);
    // Type only once the child runs: vault's terminal is raw by then.
    s.expect(b"ready", T).unwrap();
    s.write(b"hello\r");
    s.expect(b"hello\r\n", T).unwrap();
    s.write(&[0x04]);
    s.expect(b"eof-seen", T).unwrap();
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
}

/// At a terminal with stdout and stderr redirected (`vault run -- cmd > out 2> err`), the
/// child's prompt on `/dev/tty` still shows before anything is typed, the answer reaches it,
/// and its terminal output is redacted.
#[test]
fn pty_prompt_on_dev_tty_with_outputs_redirected() {
    let v = abc();
    let mut s = PtySession::spawn_with(
        run_std(
            &v,
            &[
                "--",
                "sh",
                "-c",
                r#"printf 'Passphrase: ' > /dev/tty; read x; echo "$A" > /dev/tty; echo "got:$x"; echo "e:$A" >&2"#,
            ],
        ),
        24,
        80,
        true,
        false,
        false,
    )
    .expect("spawn");
    s.expect(b"Passphrase: ", T).unwrap();
    s.write(b"typed\r");
    s.expect(marker("A").as_bytes(), T).unwrap();
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
    assert_eq!(text(s.stdout()), "got:typed\n");
    assert_eq!(text(s.stderr()), format!("e:{}\n", marker("A")));
    assert_no_leak(s.output(), A.as_bytes());
}

/// A multi-line value printed at a terminal (where the PTY turns `\n` into `\r\n`) is
/// redacted whole, and so is each of its lines printed alone.
#[test]
fn pty_multiline_value_is_redacted() {
    let v = store(&[("PEM", PEM.as_bytes())]);
    let mut s = session(
        &v,
        &[
            "--",
            "sh",
            "-c",
            r#"printf '%s\n' "$PEM"; printf '%s\n' "$PEM" | sed -n 2p"#,
        ],
    );
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
    let o = text(s.output());
    assert_eq!(o, format!("{m}\r\n{m}\r\n", m = marker("PEM")));
}

/// The window size is copied at start and resizes reach the child (SIGWINCH + `stty size`).
#[test]
fn pty_resize_reaches_the_child() {
    let v = abc();
    let mut s = PtySession::spawn(
        run_std(
            &v,
            &[
                "--",
                "sh",
                "-c",
                r#"trap 'echo "size:$(stty size)"' WINCH; echo "start:$(stty size)"; while :; do sleep 0.05; done"#,
            ],
        ),
        30,
        90,
    )
    .expect("spawn");
    s.expect(b"start:30 90", T).unwrap();
    s.resize(40, 100);
    s.expect(b"size:40 100", T).unwrap();
    s.resize(25, 70);
    s.expect(b"size:25 70", T).unwrap();
    s.write(&[0x03]);
    assert_eq!(s.wait(T).unwrap().code(), Some(130));

    // stdin a pipe: the size comes from vault's stdout, and resizes still arrive.
    let mut s = PtySession::spawn_with(
        run_std(
            &v,
            &[
                "--",
                "sh",
                "-c",
                r#"trap 'echo "size:$(stty size < /dev/tty)"; exit 0' WINCH; echo "start:$(stty size < /dev/tty)"; while :; do sleep 0.05; done"#,
            ],
        ),
        31,
        91,
        false,
        true,
        true,
    )
    .expect("spawn");
    s.expect(b"start:31 91", T).unwrap();
    s.resize(41, 101);
    s.expect(b"size:41 101", T).unwrap();
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
}

/// vault's terminal is raw while the child runs; ^C typed reaches the child (130); the
/// terminal's settings are exactly as before afterwards.
#[test]
fn pty_ctrl_c_reaches_the_child_and_the_terminal_is_restored() {
    let v = abc();
    let mut s = session(&v, &["--", "sh", "-c", "echo ready; exec sleep 100"]);
    let before = s.initial_termios().clone();
    s.expect(b"ready", T).unwrap();
    assert!(is_raw(&s.termios()), "vault's terminal should be raw");
    s.write(&[0x03]);
    assert_eq!(s.wait(T).unwrap().code(), Some(130));
    assert!(
        same_termios(&before, &s.termios()),
        "before {before:?}\nafter {:?}",
        s.termios()
    );
}

/// The terminal is restored after a normal run, after a child killed by a signal, and after
/// a command that could not be started.
#[test]
fn pty_terminal_is_restored_on_every_exit() {
    let v = abc();
    let mut s = session(&v, &["--", "sh", "-c", "echo ready; read x; echo done"]);
    s.expect(b"ready", T).unwrap();
    assert!(is_raw(&s.termios()));
    s.write(b"x\r");
    s.expect(b"done", T).unwrap();
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
    assert!(
        same_termios(s.initial_termios(), &s.termios()),
        "normal exit"
    );

    let mut s = session(
        &v,
        &["--", "sh", "-c", "echo ready; sleep 0.2; kill -KILL $$"],
    );
    s.expect(b"ready", T).unwrap();
    assert_eq!(s.wait(T).unwrap().code(), Some(137));
    assert!(same_termios(s.initial_termios(), &s.termios()), "SIGKILL");

    let mut s = session(&v, &["--", "/nonexistent/x"]);
    assert_eq!(s.wait(T).unwrap().code(), Some(NOT_FOUND));
    assert!(
        text(s.output()).contains("command not found"),
        "{}",
        text(s.output())
    );
    assert!(same_termios(s.initial_termios(), &s.termios()), "not found");

    let mut s = session(&v, &["--", "sh", "-c", "exit 5"]);
    assert_eq!(s.wait(T).unwrap().code(), Some(5));
    assert!(same_termios(s.initial_termios(), &s.termios()), "exit 5");
}

/// What the child writes to `/dev/tty` (its controlling terminal is vault's PTY) goes through
/// the redactor.
#[test]
fn pty_dev_tty_output_is_redacted() {
    let v = abc();
    let mut s = session(
        &v,
        &["--", "sh", "-c", r#"echo "$A" > /dev/tty; echo "$A""#],
    );
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
    let o = text(s.output());
    assert_eq!(o.matches(&marker("A")).count(), 2, "{o}");
    assert_no_leak(s.output(), A.as_bytes());
}

/// `--no-pty` inside a terminal: no fd is a terminal and there is no controlling terminal.
#[test]
fn pty_forced_pipes_have_no_terminal() {
    let v = abc();
    let mut s = session(
        &v,
        &[
            "--no-pty",
            "--",
            "sh",
            "-c",
            "for f in 0 1 2; do [ -t $f ] && echo fd$f=tty; done; (echo x > /dev/tty) 2>/dev/null || echo no-ctty; echo e >&2",
        ],
    );
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
    let o = text(s.output()).replace('\r', "");
    assert!(!o.contains("=tty"), "{o}");
    assert!(o.contains("no-ctty"), "{o}");
    assert!(o.contains("e\n"), "{o}");
}

/// A background grandchild that keeps the output open does not hold the run: at a terminal,
/// with `--pty` and with pipes.
#[test]
fn background_grandchild_does_not_hang_the_run() {
    let v = abc();
    let script = r#"sleep 30 & echo $! > "$1"; echo hi"#;
    for (i, mode) in ["--no-pty", "--pty"].into_iter().enumerate() {
        let pid = v.path(&format!("bg{i}.pid"));
        let start = Instant::now();
        let out = v.ok(&mut run(
            &v,
            &[mode, "--", "sh", "-c", script, "sh", s(&pid)],
        ));
        let took = start.elapsed();
        kill_pid_in(&pid);
        assert_eq!(text(&out.stdout).trim(), "hi", "{mode}");
        assert!(took < Duration::from_secs(4), "{mode}: {took:?}");
    }
    let pid = v.path("bg-tty.pid");
    let start = Instant::now();
    let mut s = session(&v, &["--", "sh", "-c", script, "sh", s(&pid)]);
    s.expect(b"hi", T).unwrap();
    let status = s.wait(T);
    let took = start.elapsed();
    kill_pid_in(&pid);
    assert_eq!(status.unwrap().code(), Some(0));
    assert!(took < Duration::from_secs(4), "{took:?}");
}

/// SIGTERM, SIGINT, SIGHUP and SIGQUIT sent to vault reach the child, which traps them; its exit
/// status comes back and the terminal is restored. Also in pipe mode.
#[test]
fn signals_to_vault_are_forwarded() {
    let v = abc();
    let script =
        r#"trap 'echo "got-$2" > "$1"; exit 7' "$2"; echo ready; while :; do sleep 0.05; done"#;
    for (sig, name) in [
        (Signal::TERM, "TERM"),
        (Signal::INT, "INT"),
        (Signal::HUP, "HUP"),
    ] {
        let got = v.path(&format!("got-{name}"));
        let mut s = session(&v, &["--", "sh", "-c", script, "sh", s(&got), name]);
        s.expect(b"ready", T).unwrap();
        s.signal(sig);
        assert_eq!(
            s.wait(T).unwrap().code(),
            Some(7),
            "{name}: {}",
            text(s.output())
        );
        assert_eq!(
            fs::read_to_string(&got).unwrap_or_default(),
            format!("got-{name}\n")
        );
        assert!(same_termios(s.initial_termios(), &s.termios()), "{name}");
    }

    let got = v.path("got-pipe");
    let mut p = Streaming::spawn(run_std(
        &v,
        &["--no-pty", "--", "sh", "-c", script, "sh", s(&got), "TERM"],
    ));
    p.wait_for(b"ready\n", T);
    rustix::process::kill_process(p.pid(), Signal::TERM).expect("kill vault");
    let (status, _, err) = p.finish(T);
    assert_eq!(status.code(), Some(7), "{}", text(&err));
    assert_eq!(fs::read_to_string(&got).unwrap_or_default(), "got-TERM\n");
}

/// `vault run -- yes | head -c4`: the reader going away stops the child as it would without
/// vault (SIGPIPE through pipes, SIGHUP through the PTY), and vault reports that status.
#[test]
fn closed_stdout_stops_the_child() {
    let v = abc();
    for (mode, want) in [("--no-pty", 128 + 13), ("--pty", 128 + 1)] {
        let mut cmd = run_std(&v, &[mode, "--", "yes"]);
        cmd.stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = cmd.spawn().expect("spawn");
        let mut out = child.stdout.take().expect("stdout");
        let mut buf = [0u8; 4];
        out.read_exact(&mut buf).expect("read");
        drop(out);
        let start = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().expect("try_wait") {
                break st;
            }
            if start.elapsed() > T {
                let _ = child.kill();
                panic!("{mode}: vault did not finish");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(status.code(), Some(want), "{mode}: {status:?}");
        assert!(
            status.signal().is_none(),
            "vault itself was killed: {status:?}"
        );
    }
}

/// The child starts with the default SIGPIPE action, although vault catches SIGPIPE.
#[test]
fn child_gets_default_sigpipe_disposition() {
    let v = abc();
    let out = v.ok(&mut run(
        &v,
        &["--", "sh", "-c", "grep SigIgn /proc/$$/status"],
    ));
    let line = text(&out.stdout);
    let mask = u64::from_str_radix(line.trim().trim_start_matches("SigIgn:").trim(), 16)
        .expect("hex mask");
    assert_eq!(
        mask & (1 << (13 - 1)),
        0,
        "SIGPIPE ignored in the child: {line}"
    );
}

/// fds ≥ 3 of this test process that a child inherits (not close-on-exec): whatever the
/// environment running the tests leaked to us.
fn inherited_fds() -> Vec<String> {
    let mut fds = Vec::new();
    for e in fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(info) = fs::read_to_string(format!("/proc/self/fdinfo/{name}")) else {
            continue;
        };
        let flags = info
            .lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
            .unwrap_or(0o2_000_000);
        if flags & 0o2_000_000 == 0 && name.parse::<i32>().unwrap_or(0) > 2 {
            fds.push(name);
        }
    }
    fds
}

/// The child never holds the outer terminal, even when vault's parent leaked it to vault on
/// fd 7; its fds 0–2 and `/dev/tty` are vault's own PTY.
#[test]
fn child_does_not_hold_the_outer_terminal() {
    let v = abc();
    let mut cmd = v.std_program("sh");
    cmd.env("VAULT_IDENTITY", &v.fixture.identity).args([
        "-c",
        r#"exec 7<>/dev/tty; exec "$0" run -- sh -c 'ls -l /proc/self/fd; echo tty=$(tty)'"#,
        BIN,
    ]);
    let mut s = PtySession::spawn(cmd, 24, 80).expect("spawn");
    assert_eq!(s.wait(T).unwrap().code(), Some(0));
    let o = text(s.output()).replace('\r', "");
    let outer = s.pts_name().to_owned();
    let targets: Vec<(String, String)> = o
        .lines()
        .filter_map(|l| l.split_once(" -> "))
        .map(|(l, t)| (l.rsplit(' ').next().unwrap_or("").to_owned(), t.to_owned()))
        .collect();
    assert!(!targets.is_empty(), "{o}");
    let passed_down = inherited_fds();
    for (fd, target) in &targets {
        assert_ne!(target, &outer, "fd {fd} is the outer terminal: {o}");
        assert!(
            ["0", "1", "2", "3"].contains(&fd.as_str()) || passed_down.contains(fd),
            "leaked fd {fd} -> {target}: {o}"
        );
    }
    let inner = &targets
        .iter()
        .find(|(fd, _)| fd == "0")
        .expect("fd 0 listed")
        .1;
    assert!(inner.starts_with("/dev/pts/") && inner != &outer, "{o}");
    assert!(o.contains(&format!("tty={inner}")), "{o}");
}

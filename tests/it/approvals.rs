//! Approvals (issue #10): a widening needs a one-time code (TOTP) typed on the user's own
//! terminal. Each attack an agent can mount is tried through the built binary — answering
//! through `script(1)`, from inside `vault run --pty`, with TIOCSTI, with a planted project
//! store, by rolling the store back — and each must be refused with the store unchanged and
//! an audit entry; the happy paths enrol a factor on a real PTY, read the otpauth URI vault
//! printed, and answer with codes computed here from that seed.

use std::cell::Cell;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::time::Duration;

use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::support::have;
use crate::support::pty::PtySession;
use crate::support::{Fixture, Vault, assert_error, contains, without_terminal, wrap};

const DENIED: i32 = 77;
const ROLLBACK: i32 = 79;
const VALUE: &str = "approvals-test-value-0123456789";
const WAIT: Duration = Duration::from_secs(30);
/// The question every approval asks on the terminal.
pub(crate) const CODE_PROMPT: &[u8] = b"approval code from your authenticator app: ";

/// The user's phone: the TOTP seed read from what vault showed at enrolment.
pub(crate) struct Authenticator {
    totp: Totp,
    /// The last step a code was made for (vault accepts each step once).
    last: Cell<u64>,
    last_code: std::cell::RefCell<String>,
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl Authenticator {
    /// Parses the `otpauth://` URI out of terminal output.
    pub(crate) fn from_output(out: &[u8]) -> Authenticator {
        let text = String::from_utf8_lossy(out);
        let start = text
            .find("otpauth://totp/")
            .expect("an otpauth URI was shown");
        let uri: String = text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        let secret = uri
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("secret="))
            .expect("secret= in the URI");
        assert!(
            uri.contains("algorithm=SHA1") || !uri.contains("algorithm="),
            "{uri}"
        );
        let bytes = Secret::try_from_base32(secret).unwrap().as_bytes().to_vec();
        let totp = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_skew(0)
            .with_step_duration(30)
            .with_secret(bytes)
            .build()
            .unwrap();
        Authenticator {
            totp,
            last: Cell::new(0),
            last_code: std::cell::RefCell::new(String::new()),
        }
    }

    /// A fresh code: for the current step, or the next unused one (vault accepts one step
    /// of skew; beyond that, wait for the window — a wait, not a timed assertion).
    pub(crate) fn code(&self) -> String {
        let current = now() / 30;
        let step = current.max(self.last.get() + 1);
        if step > current + 1 {
            let until = (step - 1) * 30 + 1;
            std::thread::sleep(Duration::from_secs(until.saturating_sub(now())));
        }
        self.last.set(step);
        let code = self.totp.generate(step * 30).to_string();
        self.last_code.replace(code.clone());
        code
    }

    /// The code given last (for replay).
    pub(crate) fn last_code(&self) -> String {
        self.last_code.borrow().clone()
    }
}

/// Runs `cmd` (an enrolment: `vault approvals enrol` or `vault init`) on a real PTY, reads
/// the URI vault shows, answers with the current code; returns the phone.
pub(crate) fn enrol_with(cmd: StdCommand) -> Authenticator {
    let mut pty = PtySession::spawn(cmd, 60, 200).expect("spawn on a PTY");
    pty.expect(b"to confirm it was scanned): ", WAIT)
        .unwrap_or_else(|e| panic!("{e}"));
    let auth = Authenticator::from_output(pty.output());
    pty.write(format!("{}\r", auth.code()).as_bytes());
    let status = pty.wait(WAIT).expect("enrolment exits");
    assert_eq!(
        status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(pty.output())
    );
    assert!(contains(pty.output(), b"approval factor enrolled"));
    auth
}

/// `vault approvals enrol` for `v`'s store.
pub(crate) fn enrol(v: &Vault) -> Authenticator {
    let mut cmd = v.std_cmd();
    cmd.args(["approvals", "enrol"]);
    enrol_with(cmd)
}

/// Runs `cmd` on a PTY and answers the approval question with `code`; returns (exit code,
/// screen).
pub(crate) fn answer_on_pty(cmd: StdCommand, code: &str) -> (i32, String) {
    let mut pty = PtySession::spawn(cmd, 60, 200).expect("spawn on a PTY");
    pty.expect(CODE_PROMPT, WAIT)
        .unwrap_or_else(|e| panic!("{e}"));
    pty.write(format!("{code}\r").as_bytes());
    let status = pty.wait(WAIT).expect("vault exits");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(pty.output()).into_owned(),
    )
}

fn on_pty(v: &Vault, args: &[&str], code: &str) -> (i32, String) {
    let mut cmd = v.std_cmd();
    cmd.args(args);
    answer_on_pty(cmd, code)
}

fn headless(v: &Vault, args: &[&str]) -> assert_cmd::Command {
    let mut std = v.std_cmd();
    std.args(args);
    without_terminal(&mut std);
    wrap(std)
}

fn audit_lines(v: &Vault) -> Vec<serde_json::Value> {
    fs::read_to_string(v.home.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn last_approval(v: &Vault) -> serde_json::Value {
    audit_lines(v)
        .into_iter()
        .rev()
        .find(|e| e["action"] == "approval")
        .expect("an approval entry")
}

fn allow_list(v: &Vault) -> serde_json::Value {
    let out = v.ok(&mut headless(v, &["policy", "show", "TOKEN", "--json"]));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["TOKEN"]["allow"].clone()
}

fn with_token(v: &Vault) {
    v.init();
    v.set("TOKEN", VALUE);
}

/// `printf INPUT | setsid script -qec "vault ARGS" /dev/null`: a terminal an agent makes.
fn through_script(v: &Vault, input: &str, args: &str) -> std::process::Output {
    let mut cmd = v.std_program("setsid");
    cmd.env("VAULT_IDENTITY", &v.fixture.identity);
    cmd.args([
        "script",
        "-qec",
        &format!("{} {args}", crate::support::BIN),
        "/dev/null",
    ]);
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("script(1) runs");
    use std::io::Write as _;
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    child.wait_with_output().unwrap()
}

// ---------------------------------------------------------------------------------------
// Factor, codes, replay.

/// The owner enrols on a PTY (QR + URI shown, first code confirms), approves a widening
/// with a valid code; the same code again is refused as a replay; a wrong code is refused.
#[test]
fn enrol_approve_and_replay_refused() {
    let v = Vault::new();
    with_token(&v);
    let out = v.ok(&mut headless(&v, &["approvals", "status"]));
    assert!(contains(&out.stdout, b"factor: none enrolled"));
    let auth = enrol(&v);
    let audit = audit_lines(&v);
    let enrolled = audit
        .iter()
        .find(|e| e["action"] == "enrol")
        .expect("enrol audited");
    assert_eq!(enrolled["decision"]["factor"], "totp");
    let out = v.ok(&mut headless(&v, &["approvals", "status"]));
    assert!(contains(&out.stdout, b"factor: TOTP"));

    let (code, screen) = on_pty(
        &v,
        &["policy", "set", "TOKEN", "--allow", "api.example.com"],
        &auth.code(),
    );
    assert_eq!(code, 0, "{screen}");
    assert_eq!(allow_list(&v), serde_json::json!(["api.example.com"]));
    let entry = last_approval(&v);
    assert_eq!(entry["decision"]["result"], "approved");
    assert_eq!(entry["decision"]["factor"], "totp");
    assert_eq!(entry["decision"]["for"], "widen-policy");
    let used = auth.last_code();
    assert!(
        !fs::read_to_string(v.home.join("audit.jsonl"))
            .unwrap()
            .contains(&used),
        "a code reached the audit log"
    );

    // Replay: the same code for another widening.
    let before = v.store_bytes();
    let (code, screen) = on_pty(
        &v,
        &[
            "policy",
            "set",
            "TOKEN",
            "--allow",
            "api.example.com",
            "--allow",
            "evil.example",
        ],
        &used,
    );
    assert_eq!(code, DENIED, "{screen}");
    assert!(screen.contains("already used"), "{screen}");
    v.assert_store_unchanged(&before);
    assert_eq!(last_approval(&v)["decision"]["result"], "refused");

    // A wrong code (the secret's name, as a typed confirmation would have it).
    let (code, screen) = on_pty(
        &v,
        &["policy", "set", "TOKEN", "--allow", "evil.example"],
        "TOKEN",
    );
    assert_eq!(code, DENIED, "{screen}");
    assert!(screen.contains("wrong or expired"), "{screen}");
    v.assert_store_unchanged(&before);
    assert_eq!(allow_list(&v), serde_json::json!(["api.example.com"]));

    // Re-enrolling needs a code from the existing factor: a wrong one changes nothing.
    let (code, screen) = on_pty(&v, &["approvals", "enrol"], "000000x");
    assert_eq!(code, DENIED, "{screen}");
    assert!(!screen.contains("otpauth://"), "{screen}");
    v.assert_store_unchanged(&before);
}

/// A store created headless (CI) has no factor: every approval is refused with one line and
/// a hint saying how the owner enrols; enrolment itself needs a terminal.
#[test]
fn headless_store_refuses_every_approval() {
    let v = Vault::new();
    let out = v.ok(v.cmd().arg("init"));
    assert!(contains(&out.stderr, b"no approval factor enrolled"));
    v.set("TOKEN", VALUE);
    let err = v.refuses(
        &mut headless(&v, &["policy", "set", "TOKEN", "--allow", "evil.example"]),
        DENIED,
    );
    assert!(err.contains("no approval factor is enrolled"), "{err}");
    assert!(err.contains("vault approvals enrol"), "{err}");
    // Even on a terminal: no factor, no approval (nothing is asked).
    let mut cmd = v.std_cmd();
    cmd.args(["policy", "set", "TOKEN", "--allow", "evil.example"]);
    let mut pty = PtySession::spawn(cmd, 24, 200).unwrap();
    let status = pty.wait(WAIT).unwrap();
    assert_eq!(status.code(), Some(DENIED));
    assert!(!contains(pty.output(), CODE_PROMPT));
    let entry = last_approval(&v);
    assert_eq!(entry["decision"]["result"], "refused");
    assert_eq!(entry["decision"]["factor"], "none");
    let err = v.refuses(&mut headless(&v, &["approvals", "enrol"]), DENIED);
    assert!(err.contains("no terminal"), "{err}");
    assert!(
        audit_lines(&v)
            .iter()
            .any(|e| e["action"] == "enrol-refused")
    );
}

// ---------------------------------------------------------------------------------------
// Attacks.

/// `printf 'TOKEN\n' | setsid script -qec "vault policy set TOKEN --allow evil.example"`:
/// the terminal script(1) makes answers the question, but it does not have the code. The
/// same for `recipients add` (typing the key's last 6 characters).
#[test]
fn an_answer_through_script_is_refused() {
    if !have("script") {
        return;
    }
    let v = Vault::new();
    with_token(&v);
    let _auth = enrol(&v);
    let before = v.store_bytes();
    let out = through_script(&v, "TOKEN\n", "policy set TOKEN --allow evil.example");
    assert_eq!(out.status.code(), Some(DENIED), "{out:?}");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("not approved"), "{screen}");
    v.assert_store_unchanged(&before);
    assert_eq!(allow_list(&v), serde_json::Value::Null);
    assert_eq!(last_approval(&v)["decision"]["result"], "refused");

    let attacker = Fixture::generate();
    let tail = &attacker.recipient[attacker.recipient.len() - 6..];
    let out = through_script(
        &v,
        &format!("{tail}\n"),
        &format!("recipients add {}", attacker.recipient),
    );
    assert_eq!(out.status.code(), Some(DENIED), "{out:?}");
    v.assert_store_unchanged(&before);
    let e = last_approval(&v);
    assert_eq!(e["decision"]["for"], "add-recipient");
    assert_eq!(e["decision"]["result"], "refused");
    assert!(!can_open(&v.store(), &attacker));
}

/// A `confirm` egress rule during `vault run`: `y` through script(1) is refused and the
/// command never starts; a code on a real PTY lets it run.
#[test]
fn a_confirm_rule_needs_a_code() {
    if !have("script") {
        return;
    }
    let v = Vault::new();
    v.init();
    v.ok(v
        .cmd()
        .args(["set", "TOKEN", "--confirm", "127.0.0.1"])
        .write_stdin(format!("{VALUE}\n")));
    let auth = enrol(&v);
    let marker = v.path("started");
    let script = format!("touch {} && curl -s http://127.0.0.1:9/", marker.display());
    let out = through_script(&v, "y\n", &format!("run -- sh -c '{script}'"));
    assert_eq!(out.status.code(), Some(DENIED), "{out:?}");
    assert!(!marker.exists(), "the command started");
    let confirm = audit_lines(&v)
        .into_iter()
        .rev()
        .find(|e| e["action"] == "confirm")
        .unwrap();
    assert_eq!(confirm["decision"]["answer"], "refused");

    let (code, screen) = on_pty(&v, &["run", "--", "sh", "-c", &script], &auth.code());
    assert!(
        marker.exists(),
        "approved, but the command did not start: {screen}"
    );
    assert_ne!(code, DENIED, "{screen}");
    assert_eq!(last_approval(&v)["decision"]["for"], "confirm-egress");
}

/// From inside `vault run --pty` with stdin piped, a nested vault refuses approvals even
/// when it is handed a valid code: the terminal is vault's own PTY.
#[test]
fn inside_vault_run_even_a_valid_code_is_refused() {
    let v = Vault::new();
    with_token(&v);
    let auth = enrol(&v);
    let before = v.store_bytes();
    let inner = format!(
        "VAULT_IDENTITY_FILE={} {} policy set TOKEN --allow evil.example",
        v.identity_file.display(),
        crate::support::BIN
    );
    // In a script file: an inline VAULT_IDENTITY_FILE= in argv is refused by the egress
    // check itself (a configuration variable set inline), before any approval is asked.
    let script = v.path("inner.sh");
    std::fs::write(&script, &inner).expect("write inner.sh");
    let out = v.run(
        v.cmd()
            .args(["run", "--pty", "--", "sh"])
            .arg(&script)
            .write_stdin(format!("{}\n", auth.code())),
    );
    assert_eq!(out.status.code(), Some(DENIED), "{out:?}");
    let all = [out.stdout.clone(), out.stderr.clone()].concat();
    assert!(
        contains(&all, b"inside a terminal that vault made"),
        "{}",
        String::from_utf8_lossy(&all)
    );
    assert!(!contains(&all, CODE_PROMPT));
    v.assert_store_unchanged(&before);
    let e = last_approval(&v);
    assert_eq!(e["decision"]["result"], "refused");
    assert_eq!(e["decision"]["factor"], "none");
}

/// TIOCSTI: a child inside `vault run --pty` pushes a valid code into its terminal's input,
/// then starts vault: the nested vault never reads it (no prompt on a vault-made PTY).
#[test]
fn tiocsti_into_the_vault_pty_is_never_read_as_an_approval() {
    if !have("python3") {
        return;
    }
    let v = Vault::new();
    with_token(&v);
    let auth = enrol(&v);
    let before = v.store_bytes();
    let script = format!(
        r#"
import fcntl, os, sys, termios
pushed = True
try:
    fd = os.open("/dev/tty", os.O_RDWR)
    for c in sys.argv[1] + "\n":
        fcntl.ioctl(fd, termios.TIOCSTI, c.encode())
except OSError as e:
    pushed = False
    print("TIOCSTI refused by the kernel:", e, file=sys.stderr)
os.environ["VAULT_IDENTITY_FILE"] = {idf:?}
os.execv({bin:?}, ["vault", "policy", "set", "TOKEN", "--allow", "evil.example"])
"#,
        idf = v.identity_file.display().to_string(),
        bin = crate::support::BIN
    );
    let code = auth.code();
    let mut cmd = v.std_cmd();
    cmd.args(["run", "--pty", "--", "python3", "-c", &script, &code]);
    let mut pty = PtySession::spawn(cmd, 24, 200).unwrap();
    let status = pty.wait(WAIT).unwrap();
    let screen = String::from_utf8_lossy(pty.output()).into_owned();
    assert_eq!(status.code(), Some(DENIED), "{screen}");
    assert!(
        screen.contains("inside a terminal that vault made"),
        "{screen}"
    );
    if fs::read_to_string("/proc/sys/dev/tty/legacy_tiocsti").is_ok_and(|s| s.trim() == "1") {
        assert!(
            !screen.contains("TIOCSTI refused"),
            "the kernel allows TIOCSTI: {screen}"
        );
    }
    v.assert_store_unchanged(&before);
    assert_eq!(allow_list(&v), serde_json::Value::Null);
}

// ---------------------------------------------------------------------------------------
// Project-store trust.

fn can_open(store: &Path, who: &Fixture) -> bool {
    let Ok(bytes) = fs::read(store) else {
        return false;
    };
    let Ok(d) = age::Decryptor::new_buffered(&bytes[..]) else {
        return false;
    };
    let id = who.age();
    d.decrypt(std::iter::once(&id as &dyn age::Identity))
        .is_ok()
}

fn encrypt(payload: &serde_json::Value, to: &[&str]) -> Vec<u8> {
    let recipients: Vec<age::x25519::Recipient> = to.iter().map(|r| r.parse().unwrap()).collect();
    let e = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
        .unwrap();
    let mut out = Vec::new();
    let mut w = e.wrap_output(&mut out).unwrap();
    use std::io::Write as _;
    w.write_all(payload.to_string().as_bytes()).unwrap();
    w.finish().unwrap();
    out
}

fn decrypt(store: &Path, who: &Fixture) -> serde_json::Value {
    let bytes = fs::read(store).unwrap();
    let d = age::Decryptor::new_buffered(&bytes[..]).unwrap();
    let id = who.age();
    let mut r = d
        .decrypt(std::iter::once(&id as &dyn age::Identity))
        .unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut r, &mut plain).unwrap();
    serde_json::from_slice(&plain).unwrap()
}

/// vault in `dir` with no VAULT_HOME (discovery finds `.vault/`), the personal store under
/// the temp dir.
fn in_repo(v: &Vault, dir: &Path) -> StdCommand {
    let mut cmd = v.std_cmd();
    cmd.env_remove("VAULT_HOME")
        .env("HOME", v.path("user"))
        .env("XDG_DATA_HOME", v.path("user/data"))
        .current_dir(dir);
    cmd
}

fn personal(v: &Vault) -> PathBuf {
    v.path("user/data/vault")
}

/// `vault set NAME` in `dir`, headless, the value on stdin.
fn set_in_repo(v: &Vault, dir: &Path, name: &str, stdin: &str) -> std::process::Output {
    let mut set = in_repo(v, dir);
    set.args(["set", name]);
    without_terminal(&mut set);
    wrap(set).write_stdin(stdin.to_owned()).output().unwrap()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A cloned repository whose `.vault/store.age` is encrypted to the victim and an attacker:
/// `set` refuses until approved (showing the path and both recipients), then works without
/// asking; a recipient added by a later pull makes it ask again, naming the change.
/// Reading keeps working throughout.
#[test]
fn a_hostile_clone_needs_approval_before_the_first_write() {
    let v = Vault::new();
    let attacker = Fixture::generate();
    let repo = v.path("repo");
    fs::create_dir_all(repo.join(".vault")).unwrap();
    // The victim's own personal store, with a factor.
    fs::create_dir_all(v.path("user/data")).unwrap();
    let mut init = in_repo(&v, &v.path("user"));
    init.args(["--store", personal(&v).to_str().unwrap(), "init"]);
    let auth = enrol_with(init);
    let store = repo.join(".vault/store.age");
    let payload = serde_json::json!({
        "format": "vault-store", "version": 1,
        "recipients": [v.fixture.recipient, attacker.recipient],
        "secrets": {}, "id": "0123456789abcdef0123456789abcdef", "generation": 3,
    });
    fs::write(
        &store,
        encrypt(&payload, &[&v.fixture.recipient, &attacker.recipient]),
    )
    .unwrap();
    crate::support::chmod(&store, 0o600);

    // Reading works.
    let out = wrap(in_repo(&v, &repo)).arg("list").output().unwrap();
    assert!(out.status.success(), "{out:?}");

    // The first write, headless: refused, the store unchanged, both recipients shown.
    let before = fs::read(&store).unwrap();
    let out = set_in_repo(&v, &repo, "GITHUB_TOKEN", &format!("{VALUE}\n"));
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(DENIED), "{err}");
    assert!(
        err.contains("a project store you have not approved"),
        "{err}"
    );
    assert!(err.contains(&store.display().to_string()), "{err}");
    assert!(err.contains(&attacker.recipient), "{err}");
    assert!(
        err.contains(&format!("{} (you)", v.fixture.recipient)),
        "{err}"
    );
    assert!(err.contains("readable by 2 recipient(s)"), "{err}");
    assert!(err.contains("vault: error: nothing written"), "{err}");
    assert_eq!(fs::read(&store).unwrap(), before);
    let log = fs::read_to_string(repo.join(".vault/audit.jsonl")).unwrap();
    assert!(log.contains("\"trust-store\""), "{log}");

    // Approved on the terminal with a code: stored, and it says where and for how many.
    let mut cmd = in_repo(&v, &repo);
    cmd.args(["set", "GITHUB_TOKEN"]);
    let mut pty = PtySession::spawn(cmd, 60, 200).unwrap();
    pty.expect(CODE_PROMPT, WAIT)
        .unwrap_or_else(|e| panic!("{e}"));
    pty.write(format!("{}\r", auth.code()).as_bytes());
    pty.expect(b"value for GITHUB_TOKEN: ", WAIT)
        .unwrap_or_else(|e| panic!("{e}"));
    pty.write(format!("{VALUE}\r").as_bytes());
    pty.expect(b"again, to confirm: ", WAIT)
        .unwrap_or_else(|e| panic!("{e}"));
    pty.write(format!("{VALUE}\r").as_bytes());
    let status = pty.wait(WAIT).unwrap();
    let screen = String::from_utf8_lossy(pty.output()).into_owned();
    assert_eq!(status.code(), Some(0), "{screen}");
    assert!(screen.contains("(readable by 2 recipient(s))"), "{screen}");

    // Approved once: the next write asks nothing.
    let out = set_in_repo(&v, &repo, "OTHER_TOKEN", &format!("{VALUE}-2\n"));
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("readable by 2 recipient(s)"));

    // A pull adds a third recipient: the next write refuses, naming the change.
    let third = Fixture::generate();
    let mut p = decrypt(&store, &v.fixture);
    p["recipients"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!(third.recipient));
    p["generation"] = serde_json::json!(p["generation"].as_u64().unwrap() + 1);
    fs::write(
        &store,
        encrypt(
            &p,
            &[&v.fixture.recipient, &attacker.recipient, &third.recipient],
        ),
    )
    .unwrap();
    let before = fs::read(&store).unwrap();
    let out = set_in_repo(&v, &repo, "THIRD_TOKEN", &format!("{VALUE}-3\n"));
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(DENIED), "{err}");
    assert!(
        err.contains("changed since you approved it (1 added, 0 removed)"),
        "{err}"
    );
    assert!(err.contains(&third.recipient), "{err}");
    assert_eq!(fs::read(&store).unwrap(), before);
    // Still readable.
    let out = wrap(in_repo(&v, &repo)).arg("list").output().unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// A project store the user creates is trusted at creation: writes ask nothing.
#[test]
fn a_project_store_you_create_is_trusted() {
    let v = Vault::new();
    let repo = v.path("mine");
    fs::create_dir_all(&repo).unwrap();
    let out = wrap(in_repo(&v, &repo))
        .args(["init", "--project"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = set_in_repo(&v, &repo, "API_TOKEN", &format!("{VALUE}\n"));
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("/.vault/store.age (readable by 1 recipient(s))"),
        "{}",
        stderr_of(&out)
    );
}

// ---------------------------------------------------------------------------------------
// Rollback.

/// Copy store.age aside, widen nothing but write, copy it back: every command refuses with
/// exit 79 and the generation numbers; `audit verify` reports it; accepting it needs a code.
#[test]
fn a_store_copied_back_is_a_rollback() {
    let v = Vault::new();
    with_token(&v);
    let auth = enrol(&v);
    let old = v.store_bytes().unwrap();
    v.set("SECOND_TOKEN", format!("{VALUE}-2"));
    v.ok(v.cmd().args(["rm", "SECOND_TOKEN"]));
    fs::write(v.store(), &old).unwrap();
    let seen = decrypt_gen(&v, &v.store());
    let err = v.refuses(v.cmd().arg("list"), ROLLBACK);
    assert!(
        err.contains(&format!(
            "store.age is older than one this machine has already seen (generation {seen} < {}) — rolled back?",
            seen + 2
        )),
        "{err}"
    );
    assert!(err.contains("vault approvals accept-rollback"), "{err}");
    v.refuses(v.cmd().args(["run", "--", "true"]), ROLLBACK);
    let out = v.run(v.cmd().args(["audit", "verify"]));
    assert_eq!(out.status.code(), Some(ROLLBACK), "{out:?}");
    assert!(contains(&out.stderr, b"rolled back"));

    // Accepting needs an approval: headless refused, then a code on the terminal.
    v.refuses(&mut headless(&v, &["approvals", "accept-rollback"]), DENIED);
    let (code, screen) = on_pty(&v, &["approvals", "accept-rollback"], &auth.code());
    assert_eq!(code, 0, "{screen}");
    v.ok(v.cmd().arg("list"));
    assert!(
        audit_lines(&v)
            .iter()
            .any(|e| e["action"] == "accept-rollback")
    );
}

fn decrypt_gen(v: &Vault, store: &Path) -> u64 {
    decrypt(store, &v.fixture)["generation"].as_u64().unwrap()
}

/// `git checkout <old> -- .vault/store.age` in a project store: refused with exit 79.
#[test]
fn a_git_checkout_of_an_old_store_is_a_rollback() {
    if !have("git") {
        return;
    }
    let v = Vault::new();
    let repo = v.path("proj");
    fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| {
        let out = StdCommand::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&repo)
            .env("HOME", v.path("user"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q"]);
    let out = wrap(in_repo(&v, &repo))
        .args(["init", "--project"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    git(&["add", ".vault"]);
    git(&["commit", "-qm", "store"]);
    let mut set = in_repo(&v, &repo);
    set.args(["set", "API_TOKEN"]);
    let out = wrap(set)
        .write_stdin(format!("{VALUE}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    git(&["commit", "-qam", "token"]);
    git(&["checkout", "HEAD~1", "--", ".vault/store.age"]);
    let store = repo.join(".vault/store.age");
    let before = fs::read(&store).unwrap();
    let out = wrap(in_repo(&v, &repo)).arg("list").output().unwrap();
    let err = assert_error(&out, ROLLBACK);
    assert!(err.contains("(generation 1 < 2) — rolled back?"), "{err}");
    assert_eq!(fs::read(&store).unwrap(), before);
}

/// With the state dir gone (another machine, or deleted), `audit verify` still sees a rollback
/// in the log: store writes after the store's head that reached a later generation than one
/// interrupted write could.
#[test]
fn audit_verify_sees_a_rollback_the_state_forgot() {
    let v = Vault::new();
    with_token(&v);
    let old = v.store_bytes().unwrap();
    v.set("SECOND_TOKEN", format!("{VALUE}-2"));
    v.ok(v.cmd().args(["rm", "SECOND_TOKEN"]));
    fs::write(v.store(), &old).unwrap();
    fs::remove_dir_all(v.path("state")).unwrap();
    v.ok(v.cmd().arg("list"));
    let out = v.run(v.cmd().args(["audit", "verify"]));
    assert_eq!(out.status.code(), Some(ROLLBACK), "{out:?}");
    assert!(
        contains(&out.stderr, b"the store was rolled back"),
        "{out:?}"
    );
}

/// A child of `vault run --pty` that double-forks away from vault's process tree but keeps
/// the terminal: its vault still refuses approvals, because the controlling terminal is a PTY
/// whose master a vault process holds.
#[test]
fn an_orphan_on_the_vault_pty_is_still_refused() {
    if !have("python3") {
        return;
    }
    let v = Vault::new();
    with_token(&v);
    let auth = enrol(&v);
    let before = v.store_bytes();
    let result = v.path("orphan-result");
    let script = format!(
        r#"
import os, sys, time
result = {result:?}
first = os.fork()
if first == 0:
    middle = os.getpid()
    if os.fork() == 0:
        while os.getppid() == middle:
            time.sleep(0.01)
        out = os.open(result + ".out", os.O_WRONLY | os.O_CREAT, 0o600)
        r, w = os.pipe()
        os.write(w, (sys.argv[1] + "\n").encode())
        os.close(w)
        os.environ["VAULT_IDENTITY_FILE"] = {idf:?}
        child = os.fork()
        if child == 0:
            os.dup2(r, 0)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.execv({bin:?}, ["vault", "policy", "set", "TOKEN", "--allow", "evil.example"])
        _, status = os.waitpid(child, 0)
        with open(result + ".tmp", "w") as f:
            f.write(str(os.waitstatus_to_exitcode(status)))
        os.rename(result + ".tmp", result)
    os._exit(0)
os.waitpid(first, 0)
while not os.path.exists(result):
    time.sleep(0.05)
"#,
        result = result.display().to_string(),
        idf = v.identity_file.display().to_string(),
        bin = crate::support::BIN
    );
    let code = auth.code();
    let mut cmd = v.std_cmd();
    cmd.args(["run", "--pty", "--", "python3", "-c", &script, &code]);
    let mut pty = PtySession::spawn(cmd, 24, 200).unwrap();
    let status = pty.wait(WAIT).unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(pty.output())
    );
    let inner = fs::read_to_string(&result).unwrap();
    let said = fs::read_to_string(v.path("orphan-result.out")).unwrap();
    assert_eq!(inner, DENIED.to_string(), "{said}");
    assert!(said.contains("the terminal is a PTY that"), "{said}");
    v.assert_store_unchanged(&before);
}

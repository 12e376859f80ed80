//! The test harness: a throw-away vault home, fixture age identities (X25519, so no scrypt
//! ever runs), the built `vault` binary with a scrubbed environment, and the checks every
//! failure test makes (one-line message, exit status, store bytes untouched).
//!
//! Submodules (e.g. a PTY driver) may be declared here; everything they need is `pub`:
//! [`Vault::std_cmd`] gives a plain `std::process::Command` with the same environment as
//! [`Vault::cmd`], for tests that spawn the binary themselves.

pub mod pty;

use std::cell::RefCell;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use age::secrecy::ExposeSecret;
use assert_cmd::Command;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use tempfile::TempDir;

/// The binary under test, built by cargo for this test target.
pub const BIN: &str = env!("CARGO_BIN_EXE_vault");

/// No single vault command should come near this; it only turns a hang into a failure.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A fixture identity: the `AGE-SECRET-KEY-1…` text and its `age1…` recipient.
pub struct Fixture {
    /// The secret identity text (one line, no newline).
    pub identity: String,
    /// Its public key.
    pub recipient: String,
}

impl Fixture {
    /// A fresh X25519 identity.
    #[must_use]
    pub fn generate() -> Fixture {
        let id = age::x25519::Identity::generate();
        Fixture {
            identity: id.to_string().expose_secret().to_string(),
            recipient: id.to_public().to_string(),
        }
    }

    /// The identity as an age identity, for decrypting in the test.
    #[must_use]
    pub fn age(&self) -> age::x25519::Identity {
        self.identity.parse().expect("fixture identity parses")
    }
}

/// One test environment: a temp dir holding the vault home and a fixture identity.
pub struct Vault {
    /// Owns everything below; removed on drop.
    pub tmp: TempDir,
    /// `VAULT_HOME` (`<tmp>/home`, not created until `init` or [`Vault::write_config`]).
    pub home: PathBuf,
    /// The identity every [`Vault::cmd`] unlocks with.
    pub fixture: Fixture,
    /// The same identity in a 0600 file (outside the home), for `VAULT_IDENTITY_FILE`.
    pub identity_file: PathBuf,
    /// stdout and stderr of every command run through [`Vault::ok`], [`Vault::refuses`],
    /// [`Vault::run`] and [`Vault::set`], for leak checks.
    transcript: RefCell<Vec<u8>>,
}

impl Default for Vault {
    fn default() -> Vault {
        Vault::new()
    }
}

impl Vault {
    /// A fresh environment; nothing exists under the home yet.
    #[must_use]
    pub fn new() -> Vault {
        let tmp = tempfile::Builder::new()
            .prefix("vault-it.")
            .tempdir()
            .expect("temp dir");
        let home = tmp.path().join("home");
        let fixture = Fixture::generate();
        let identity_file = tmp.path().join("identity.txt");
        let text = format!(
            "# created: fixture\n# public key: {}\n{}\n",
            fixture.recipient, fixture.identity
        );
        fs::write(&identity_file, text).expect("write identity file");
        chmod(&identity_file, 0o600);
        Vault {
            tmp,
            home,
            fixture,
            identity_file,
            transcript: RefCell::new(Vec::new()),
        }
    }

    /// A path inside the temp dir (outside the home).
    #[must_use]
    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// `$VAULT_HOME/store.age`.
    #[must_use]
    pub fn store(&self) -> PathBuf {
        self.home.join("store.age")
    }

    /// The binary with a scrubbed environment (`VAULT_HOME`, `PATH`, `TERM=dumb`,
    /// `LANG=C.UTF-8`), no identity, stdin from /dev/null. For tests that spawn themselves.
    #[must_use]
    pub fn std_cmd_no_identity(&self) -> std::process::Command {
        self.std_program(BIN)
    }

    /// Any program with the scrubbed environment, no identity, stdin from /dev/null (e.g.
    /// `/bin/sh` wrapping vault to change its umask).
    #[must_use]
    pub fn std_program(&self, program: impl AsRef<OsStr>) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.env_clear()
            .env("VAULT_HOME", &self.home)
            // The user's state dir (rollback and approval memory), isolated per test.
            .env("XDG_STATE_HOME", self.tmp.path().join("state"))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TERM", "dumb")
            .env("LANG", "C.UTF-8")
            .current_dir(self.tmp.path())
            .stdin(Stdio::null());
        default_signals(&mut cmd);
        cmd
    }

    /// As [`Vault::std_cmd_no_identity`], unlocking with the fixture via `VAULT_IDENTITY`.
    #[must_use]
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = self.std_cmd_no_identity();
        cmd.env("VAULT_IDENTITY", &self.fixture.identity);
        cmd
    }

    /// The binary as an assert_cmd `Command`: scrubbed environment, `VAULT_IDENTITY` set to
    /// the fixture, empty stdin (override with `write_stdin`), and a hang timeout.
    #[must_use]
    pub fn cmd(&self) -> Command {
        wrap(self.std_cmd())
    }

    /// As [`Vault::cmd`] but with no identity in the environment.
    #[must_use]
    pub fn cmd_no_identity(&self) -> Command {
        wrap(self.std_cmd_no_identity())
    }

    /// Runs `cmd`, records its output in the transcript, and returns it.
    pub fn run(&self, cmd: &mut Command) -> Output {
        let out = cmd.output().expect("run vault");
        let mut t = self.transcript.borrow_mut();
        t.extend_from_slice(&out.stdout);
        t.push(b'\n');
        t.extend_from_slice(&out.stderr);
        t.push(b'\n');
        out
    }

    /// Runs `cmd` and asserts it succeeded.
    pub fn ok(&self, cmd: &mut Command) -> Output {
        let out = self.run(cmd);
        assert!(
            out.status.success(),
            "expected success, got {:?}\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Runs `cmd`, expecting a refusal: asserts the `vault: error:` (+ optional hint) shape,
    /// the exit status, and that store.age is byte-identical (or still absent). Returns stderr.
    pub fn refuses(&self, cmd: &mut Command, code: i32) -> String {
        let before = self.store_bytes();
        let out = self.run(cmd);
        let stderr = assert_error(&out, code);
        self.assert_store_unchanged(&before);
        stderr
    }

    /// Everything run so far printed (stdout and stderr).
    #[must_use]
    pub fn transcript(&self) -> Vec<u8> {
        self.transcript.borrow().clone()
    }

    /// `vault init` with the fixture identity.
    pub fn init(&self) {
        self.ok(self.cmd().arg("init"));
    }

    /// `vault set NAME` with `value` piped on stdin (followed by one `\n`, which is
    /// stripped); asserts success.
    pub fn set(&self, name: &str, value: impl AsRef<[u8]>) -> Output {
        let mut input = value.as_ref().to_vec();
        input.push(b'\n');
        self.ok(self.cmd().args(["set", name]).write_stdin(input))
    }

    /// The bytes of store.age (through a symlink), `None` when there is none. Something
    /// that is not a regular file (a directory, a FIFO) is never opened: it is described
    /// by its file type instead, so "unchanged" then means "still that".
    #[must_use]
    pub fn store_bytes(&self) -> Option<Vec<u8>> {
        let path = self.store();
        match fs::metadata(&path) {
            Ok(m) if m.is_file() => {}
            Ok(m) => {
                return Some(format!("<not a regular file: {:?}>", m.file_type()).into_bytes());
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                return None;
            }
            Err(e) => panic!("stat {}: {e}", path.display()),
        }
        Some(fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())))
    }

    /// Asserts store.age is byte-identical to `before` (or still absent).
    pub fn assert_store_unchanged(&self, before: &Option<Vec<u8>>) {
        let after = self.store_bytes();
        match (before, &after) {
            (None, None) => {}
            (None, Some(_)) => panic!("a store was created where none should be"),
            (Some(_), None) => panic!("store.age disappeared"),
            (Some(b), Some(a)) => assert!(
                a == b,
                "store.age changed ({} bytes before, {} after)",
                b.len(),
                a.len()
            ),
        }
    }

    /// The names and bytes of every file under the home, concatenated (symlinks are listed,
    /// not followed).
    #[must_use]
    pub fn files_under_home(&self) -> Vec<u8> {
        let mut out = Vec::new();
        collect(&self.home, &mut out);
        out
    }

    /// Creates the home (0700) if needed and writes `config.toml`.
    pub fn write_config(&self, text: &str) {
        if !self.home.exists() {
            fs::create_dir(&self.home).expect("create home");
            chmod(&self.home, 0o700);
        }
        fs::write(self.home.join("config.toml"), text).expect("write config.toml");
    }

    /// Decrypts store.age with the fixture identity and parses the JSON payload.
    #[must_use]
    pub fn decrypt_store(&self) -> serde_json::Value {
        let bytes = self.store_bytes().expect("a store exists");
        decrypt(&bytes, &self.fixture)
    }

    /// A stored value, read by decrypting the store in the test.
    #[must_use]
    pub fn stored_value(&self, name: &str) -> Option<Vec<u8>> {
        let payload = self.decrypt_store();
        let b64 = payload["secrets"].get(name)?["value"]
            .as_str()
            .expect("value is a base64 string")
            .to_string();
        Some(STANDARD.decode(b64).expect("value is valid base64"))
    }

    /// The names in the store, read by decrypting it (sorted, as the payload keeps them).
    #[must_use]
    pub fn stored_names(&self) -> Vec<String> {
        self.decrypt_store()["secrets"]
            .as_object()
            .expect("secrets is an object")
            .keys()
            .cloned()
            .collect()
    }

    /// The names `vault list --json` prints.
    #[must_use]
    pub fn list_names(&self) -> Vec<String> {
        let out = self.ok(self.cmd().args(["list", "--json"]));
        let rows: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("list --json is JSON");
        rows.as_array()
            .expect("list --json is an array")
            .iter()
            .map(|r| r["name"].as_str().expect("name is a string").to_string())
            .collect()
    }
}

/// Signals whose disposition a test run may inherit as "ignored" (`nohup cargo test`, a
/// background job of a non-interactive shell) and that the tests send to vault or expect
/// vault to forward. A program started with a signal ignored keeps it ignored, so the suite
/// resets them for every process it starts: the tests then see vault as a user's shell
/// would start it, however the suite itself was started.
pub const RESET_SIGNALS: [i32; 5] = [
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGTERM,
    libc::SIGPIPE,
];

/// Makes `cmd` start with [`RESET_SIGNALS`] at their default dispositions.
#[allow(unsafe_code)]
pub fn default_signals(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt as _;
    // SAFETY: runs in the forked child before exec; signal(2) is async-signal-safe, and
    // nothing is allocated or locked.
    unsafe {
        cmd.pre_exec(|| {
            for sig in RESET_SIGNALS {
                libc::signal(sig, libc::SIG_DFL);
            }
            Ok(())
        });
    }
}

/// Turns a prepared `std::process::Command` into an assert_cmd one with empty stdin and
/// the hang timeout.
#[must_use]
pub fn wrap(std: std::process::Command) -> Command {
    let mut cmd = Command::from_std(std);
    cmd.write_stdin(Vec::new()).timeout(TIMEOUT);
    cmd
}

fn collect(dir: &Path, out: &mut Vec<u8>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let entry = entry.expect("read_dir entry");
        let path = entry.path();
        out.extend_from_slice(path.as_os_str().as_encoded_bytes());
        out.push(b'\n');
        let meta = fs::symlink_metadata(&path).expect("stat");
        if meta.is_dir() {
            collect(&path, out);
        } else if meta.is_file() {
            out.extend(fs::read(&path).expect("read file under home"));
            out.push(b'\n');
        }
    }
}

/// Decrypts an age file with a fixture identity and parses the vault payload.
#[must_use]
pub fn decrypt(ciphertext: &[u8], fixture: &Fixture) -> serde_json::Value {
    use std::io::Read as _;
    let id = fixture.age();
    let decryptor = age::Decryptor::new(ciphertext).expect("store.age is an age file");
    let mut reader = decryptor
        .decrypt(std::iter::once(&id as &dyn age::Identity))
        .expect("the fixture opens the store");
    let mut plain = Vec::new();
    reader.read_to_end(&mut plain).expect("payload decrypts");
    let payload: serde_json::Value = serde_json::from_slice(&plain).expect("payload is JSON");
    assert_eq!(payload["format"], "vault-store");
    payload
}

/// Asserts the failure shape every vault refusal has: exit status `code`, nothing on
/// stdout, and on stderr exactly one `vault: error: …` line, optionally followed by one
/// `vault: hint: …` line. Returns stderr.
#[track_caller]
pub fn assert_error(out: &Output, code: i32) -> String {
    let stderr = String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8");
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit status (stderr: {stderr:?})"
    );
    assert!(
        out.stdout.is_empty(),
        "stdout of a failure: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.ends_with('\n'),
        "stderr ends with a newline: {stderr:?}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    let good_error = |l: &str| {
        l.strip_prefix("vault: error: ")
            .is_some_and(|m| !m.trim().is_empty())
    };
    let good_hint = |l: &str| {
        l.strip_prefix("vault: hint: ")
            .is_some_and(|m| !m.trim().is_empty())
    };
    let shaped = match lines.as_slice() {
        [e] => good_error(e),
        [e, h] => good_error(e) && good_hint(h),
        _ => false,
    };
    assert!(
        shaped,
        "stderr must be one `vault: error:` line and at most one `vault: hint:` line: {stderr:?}"
    );
    stderr
}

/// Every encoding of `value` that a leak could take: raw, base64 (standard and URL-safe,
/// padded and not), lowercase and uppercase hex.
#[must_use]
pub fn encodings(value: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let hex: String = value.iter().map(|b| format!("{b:02x}")).collect();
    vec![
        ("raw", value.to_vec()),
        ("base64", STANDARD.encode(value).into_bytes()),
        (
            "base64 (no padding)",
            STANDARD_NO_PAD.encode(value).into_bytes(),
        ),
        ("base64url", URL_SAFE.encode(value).into_bytes()),
        (
            "base64url (no padding)",
            URL_SAFE_NO_PAD.encode(value).into_bytes(),
        ),
        ("hex", hex.clone().into_bytes()),
        ("HEX", hex.to_ascii_uppercase().into_bytes()),
    ]
}

/// Asserts that neither `value` nor any of its [`encodings`] occurs in `haystack`.
#[track_caller]
pub fn assert_no_leak(haystack: &[u8], value: &[u8]) {
    for (what, needle) in encodings(value) {
        assert!(
            !contains(haystack, &needle),
            "the value leaked ({what}: {:?})",
            String::from_utf8_lossy(&needle)
        );
    }
}

/// Byte-substring search.
#[must_use]
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// The permission bits of a path (not following a final symlink).
#[must_use]
pub fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// chmod.
pub fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}

/// Makes `cmd` start in a new session, so it has no controlling terminal and /dev/tty
/// cannot be opened: what CI and agents look like to vault.
#[allow(unsafe_code)]
pub fn without_terminal(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt as _;
    // SAFETY: the closure runs in the forked child before exec and only calls setsid(2),
    // which is async-signal-safe; it allocates nothing and touches no shared state.
    unsafe {
        cmd.pre_exec(|| rustix::process::setsid().map(drop).map_err(io::Error::from));
    }
}

/// A small deterministic PRNG (xorshift64*), seeded by the caller, for timing jitter.
pub struct Rng(u64);

impl Rng {
    /// Seeds from `VAULT_TEST_SEED` when set, else from the clock; prints the seed so a
    /// failing run can be replayed.
    #[must_use]
    pub fn from_env() -> Rng {
        let seed = std::env::var("VAULT_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        eprintln!("VAULT_TEST_SEED={seed}");
        Rng(seed | 1)
    }

    /// The next number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// Whether `program` can be run here. A test that needs it skips (with a message) when it is
/// missing locally, and fails when `CI=true`: CI must install everything its tests need.
#[must_use]
pub fn have_tool(program: &str, why: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", "command -v \"$1\" >/dev/null 2>&1", "sh", program])
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{program} is missing and CI=true: .ci/run must install it ({why})"
        );
        eprintln!("SKIP: {program} is not installed ({why})");
    }
    found
}

/// [`have_tool`] for a test whose reason is its own name.
#[must_use]
pub fn have(program: &str) -> bool {
    have_tool(program, "a test needs it")
}

/// A child process killed (and reaped) when dropped: a test's server.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `python3 -c script` in `dir`; the script prints the port it listens on (on
/// 127.0.0.1) as its first line. Returns the server and that port.
pub fn python_server(dir: &Path, script: &str) -> (KillOnDrop, u16) {
    use std::io::Read as _;
    let mut child = std::process::Command::new("python3")
        .current_dir(dir)
        .args(["-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    let mut out = child.stdout.take().expect("stdout");
    let mut byte = [0u8; 1];
    while out.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        line.push(char::from(byte[0]));
    }
    let port = line.trim().parse().expect("port");
    (KillOnDrop(child), port)
}

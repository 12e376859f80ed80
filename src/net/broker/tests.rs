//! In-process tests of the broker: a rustls client → [`Broker::connect`] → a loopback
//! rustls server with a test CA (trusted through `--net-ca`'s code path).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::StreamOwned;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};
use zeroize::Zeroizing;

use super::http::{self, Framing, Reader};
use super::replace::Replacer;
use super::{Broker, Outcome, Secret};
use crate::egress::Policy;

const VALUE_A: &str = "ghp_REALrealREAL0123456789realREALreal01";
const VALUE_B: &str = "sk-REALbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Each request the server got: (head, decoded body).
type Seen = Mutex<Vec<(String, Vec<u8>)>>;

/// A test CA and a loopback HTTPS server that records each request (head and decoded body)
/// and answers with `X-Echo: <Authorization>` and a body echoing the request's body.
struct Server {
    port: u16,
    ca_pem: String,
    seen: Arc<Seen>,
}

fn dechunk(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = raw;
    loop {
        let i = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("size line");
        let n =
            usize::from_str_radix(std::str::from_utf8(&rest[..i]).expect("utf8"), 16).expect("hex");
        rest = &rest[i + 2..];
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&rest[..n]);
        rest = &rest[n + 2..];
    }
}

fn start_server() -> Server {
    let ca_key = KeyPair::generate().expect("key");
    let mut ca_params = CertificateParams::default();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .expect("params")
        .signed_by(&leaf_key, &issuer)
        .expect("leaf");
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .expect("config");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(s) = s else { break };
            let config = Arc::clone(&config);
            let record = Arc::clone(&record);
            thread::spawn(move || serve_one(s, config, &record));
        }
    });
    Server {
        port,
        ca_pem: ca_cert.pem(),
        seen,
    }
}

fn serve_one(s: TcpStream, config: Arc<ServerConfig>, record: &Seen) {
    let conn = ServerConnection::new(config).expect("conn");
    let mut r = Reader::new(StreamOwned::new(conn, s));
    while let Ok(Some(head)) = r.read_head() {
        let req = http::parse_request(&head).expect("request");
        if req.expect_continue {
            r.get_mut()
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .expect("100");
            r.get_mut().flush().expect("flush");
        }
        let mut raw = Vec::new();
        let mut n = 0;
        http::copy_body(
            &mut r,
            &mut raw,
            req.framing,
            &Replacer::new(Vec::new()),
            &mut n,
        )
        .expect("body");
        let body = if req.framing == Framing::Chunked {
            dechunk(&raw)
        } else {
            raw
        };
        let head = String::from_utf8(head).expect("utf8");
        let auth = head
            .lines()
            .find_map(|l| l.strip_prefix("Authorization: "))
            .unwrap_or("")
            .to_string();
        record.lock().expect("lock").push((head, body.clone()));
        let mut out = format!("auth={auth};body=").into_bytes();
        out.extend_from_slice(&body);
        let w = r.get_mut();
        write!(
            w,
            "HTTP/1.1 200 OK\r\nX-Echo: {auth}\r\nContent-Length: {}\r\n\r\n",
            out.len()
        )
        .expect("head");
        w.write_all(&out).expect("body");
        w.flush().expect("flush");
    }
}

fn broker(server: &Server, dir: &std::path::Path) -> Broker {
    let ca = dir.join("test-ca.pem");
    std::fs::write(&ca, &server.ca_pem).expect("write ca");
    let secret = |name: &str, value: &str, allow: &str, body: bool| {
        let stand_in = crate::net::standin::stand_ins(&[(name, value.as_bytes())])
            .expect("stand-in")
            .remove(0);
        Secret {
            name: name.to_string(),
            value: Zeroizing::new(value.as_bytes().to_vec()),
            stand_in,
            policy: Policy::from_lists(&[allow], &[], &[]).expect("policy"),
            body,
        }
    };
    Broker::new(
        vec![
            secret("A", VALUE_A, "127.0.0.1", true),
            secret("B", VALUE_B, "other.example", true),
        ],
        Some(&ca),
    )
    .expect("broker")
}

fn stand_in(b: &Broker, name: &str) -> String {
    let s = b.secrets.iter().find(|s| s.name == name).expect("secret");
    String::from_utf8(s.stand_in.clone()).expect("utf8")
}

/// A child-side TLS connection through `broker.connect`, and the thread running it.
fn child(
    b: &Arc<Broker>,
    port: u16,
) -> (
    Reader<StreamOwned<ClientConnection, TcpStream>>,
    thread::JoinHandle<std::io::Result<Outcome>>,
) {
    let proxy = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = proxy.local_addr().expect("addr");
    let run = Arc::clone(b);
    let handle = thread::spawn(move || {
        let (s, _) = proxy.accept().expect("accept");
        run.connect(s, "127.0.0.1", port)
    });
    let mut roots = RootCertStore::empty();
    let certs: Vec<CertificateDer<'static>> =
        rustls::pki_types::pem::PemObject::pem_slice_iter(b.ca_pem().as_bytes())
            .collect::<Result<_, _>>()
            .expect("pem");
    roots.add_parsable_certificates(certs);
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let conn = ClientConnection::new(
        Arc::new(config),
        ServerName::try_from("127.0.0.1").expect("name"),
    )
    .expect("client");
    let tcp = TcpStream::connect(addr).expect("connect");
    (Reader::new(StreamOwned::new(conn, tcp)), handle)
}

/// Sends `req` and reads one response: (head, body).
fn ask<S: Read + Write>(c: &mut Reader<S>, req: &[u8], method: &str) -> (String, String) {
    c.get_mut().write_all(req).expect("write");
    c.get_mut().flush().expect("flush");
    loop {
        let head = c.read_head().expect("io").expect("a response");
        let resp = http::parse_response(&head, method).expect("response");
        if resp.status == 100 {
            continue;
        }
        let mut body = Vec::new();
        let mut n = 0;
        http::copy_body(
            c,
            &mut body,
            resp.framing,
            &Replacer::new(Vec::new()),
            &mut n,
        )
        .expect("body");
        return (
            String::from_utf8(head).expect("utf8"),
            String::from_utf8(body).expect("utf8"),
        );
    }
}

#[test]
fn value_reaches_the_allowed_host_and_comes_back_as_the_stand_in() {
    let server = start_server();
    let dir = tempfile::tempdir().expect("dir");
    let b = Arc::new(broker(&server, dir.path()));
    let sa = stand_in(&b, "A");
    assert_ne!(sa, VALUE_A);
    let (mut c, handle) = child(&b, server.port);

    // 1. A header.
    // (A Host naming another site is replaced by the judged host.)
    let req =
        format!("GET /x HTTP/1.1\r\nHost: fronted.example\r\nAuthorization: Bearer {sa}\r\n\r\n");
    let (head, body) = ask(&mut c, req.as_bytes(), "GET");
    assert!(head.contains(&format!("X-Echo: Bearer {sa}")), "{head}");
    assert_eq!(body, format!("auth=Bearer {sa};body="));
    assert!(!head.contains(VALUE_A) && !body.contains(VALUE_A));

    // 2. Same connection (keep-alive): a chunked body with the stand-in split across
    //    chunks, behind `Expect: 100-continue`.
    let (x, y) = sa.split_at(7);
    let req = format!(
        "POST /y HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n{:x}\r\ntoken={x}\r\n{:x}\r\n{y}&\r\n0\r\n\r\n",
        x.len() + 6,
        y.len() + 1
    );
    let (_, body) = ask(&mut c, req.as_bytes(), "POST");
    assert_eq!(body, format!("auth=;body=token={sa}&"));

    // 3. Basic credentials, Content-Length body.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("x:{sa}"));
    let req = format!(
        "PUT /z HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {basic}\r\nContent-Length: {}\r\n\r\n{sa}",
        sa.len()
    );
    let (_, body) = ask(&mut c, req.as_bytes(), "PUT");
    assert!(
        !body.contains(VALUE_A),
        "reflected value turned back: {body}"
    );
    drop(c);
    let outcome = handle.join().expect("thread").expect("outcome");
    assert_eq!(outcome.refused, None);
    assert!(outcome.up > 0 && outcome.down > 0);

    let seen = server.seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 3);
    assert!(
        seen[0]
            .0
            .contains(&format!("Authorization: Bearer {VALUE_A}\r\n"))
    );
    assert!(!seen[0].0.contains(&sa));
    let port = server.port;
    let first = &seen[0].0;
    assert!(
        first.starts_with(&format!("GET /x HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n")),
        "{first}"
    );
    assert!(!first.contains("fronted.example"));
    assert!(
        !seen[1].0.contains("Expect"),
        "vault answered 100-continue itself"
    );
    assert_eq!(seen[1].1, format!("token={VALUE_A}&").into_bytes());
    let real_basic = base64::engine::general_purpose::STANDARD.encode(format!("x:{VALUE_A}"));
    assert!(
        seen[2]
            .0
            .contains(&format!("Authorization: Basic {real_basic}\r\n"))
    );
    assert_eq!(seen[2].1, VALUE_A.as_bytes());
}

#[test]
fn a_stand_in_for_a_host_its_policy_does_not_allow_is_refused() {
    let server = start_server();
    let dir = tempfile::tempdir().expect("dir");
    let b = Arc::new(broker(&server, dir.path()));
    let sb = stand_in(&b, "B");
    let (mut c, handle) = child(&b, server.port);
    let req = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Key: {sb}\r\n\r\n");
    let (head, body) = ask(&mut c, req.as_bytes(), "GET");
    assert!(head.starts_with("HTTP/1.1 403 "), "{head}");
    assert!(
        head.contains("X-Vault-Refused: attempted exfiltration: the stand-in of B"),
        "{head}"
    );
    assert!(!body.contains(VALUE_B) && !head.contains(VALUE_B));
    let outcome = handle.join().expect("thread").expect("outcome");
    let refused = outcome.refused.expect("refused");
    assert!(
        refused.contains("B") && refused.contains("127.0.0.1"),
        "{refused}"
    );
    assert!(!refused.contains(&sb) && !refused.contains(VALUE_B));
    assert!(
        server.seen.lock().expect("lock").is_empty(),
        "nothing reached the host"
    );

    // In a body too: the host never gets the stand-in or what follows it.
    let (mut c, handle) = child(&b, server.port);
    let body = format!("ok {sb} tail");
    let req = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (head, _) = ask(&mut c, req.as_bytes(), "POST");
    assert!(head.starts_with("HTTP/1.1 403 "), "{head}");
    assert!(
        handle
            .join()
            .expect("thread")
            .expect("outcome")
            .refused
            .is_some()
    );
    assert!(
        server.seen.lock().expect("lock").is_empty(),
        "the cut request was never complete"
    );
}

#[test]
fn origin_form_rewrite() {
    let out = super::origin_form(
        b"GET http://a.example:8080/p?q=1 HTTP/1.1\r\nHost: a.example:8080\r\nProxy-Connection: keep-alive\r\nConnection: keep-alive\r\n\r\n",
    );
    assert_eq!(
        String::from_utf8(out).expect("utf8"),
        "GET /p?q=1 HTTP/1.1\r\nHost: a.example:8080\r\nConnection: close\r\n\r\n"
    );
    let out = super::origin_form(b"GET http://a.example HTTP/1.1\r\n\r\n");
    assert!(out.starts_with(b"GET / HTTP/1.1\r\n"));
}

#[test]
fn debug_never_shows_the_value() {
    let s = Secret {
        name: "A".into(),
        value: Zeroizing::new(VALUE_A.as_bytes().to_vec()),
        stand_in: Vec::new(),
        policy: Policy::default(),
        body: false,
    };
    assert!(!format!("{s:?}").contains(VALUE_A));
}

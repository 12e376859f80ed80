//! The credential broker of `vault run --net broker`: the child holds stand-ins
//! ([`crate::net::standin`]), and on the way to a host a secret's policy allows, the broker
//! puts the real value in; on the way back it turns the value into the stand-in again.
//!
//! Rooms:
//! - `tls.rs`: the run's ephemeral CA, per-host leaf certificates, the rustls configs for
//!   both sides;
//! - `bundle.rs`: the CA bundle file the child trusts and the variables naming it;
//! - `replace.rs`: the streaming same-length replacer (pure);
//! - `http.rs`: HTTP/1.1 framing and body copying through a replacer;
//! - `session.rs`: one run's broker as `cmd/run.rs` drives it (stand-ins, the child's view
//!   of the store, the bundle).
//!
//! This file: [`Broker`], what the forward proxy hands an allowed connection to. For a
//! `CONNECT` whose client speaks TLS, the broker terminates TLS with a leaf for the host,
//! opens its own verified TLS connection to the host, and relays HTTP/1.1 exchanges one by
//! one (keep-alive, chunked bodies, `Expect: 100-continue`). In each request head — and in
//! the body for secrets whose policy says `broker = "body"` — a stand-in of a secret whose
//! policy allows the host becomes the value; a stand-in of a secret whose policy does not
//! allow the host refuses the request (`403`, nothing of it forwarded after the refusal
//! point) and is reported in [`Outcome::refused`] for the audit log. The value inside a
//! `Basic` authorization header (base64 of `user:token`) is found too. In responses (head
//! and body) every brokered value becomes its stand-in. A `CONNECT` stream that is not TLS
//! is relayed blind: it can carry only stand-ins. Protocol upgrades (WebSocket) are refused
//! with `501`.
//!
//! What it cannot do: a value the host sends back encoded (base64, percent-encoding,
//! compressed) reaches the child as such; a stand-in the client encodes (other than in
//! `Basic` authorization) reaches the host unreplaced, so the request fails rather than
//! leaks.
//! Imports: session → broker.rs → {tls, bundle, replace, http → replace}.

pub mod bundle;
pub mod http;
pub mod replace;
pub mod session;
pub mod tls;

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use base64::Engine as _;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, ServerConnection, StreamOwned};
use zeroize::Zeroizing;

use crate::egress::normalize;
use crate::egress::{Policy, Verdict};
use http::{Framing, Reader, Stop};
use replace::{Action, Replacer, replace_all};

/// How long the broker waits for a `CONNECT` client's first byte to tell TLS from other
/// protocols (a client that waits for the server to speak first gets a blind relay).
const FIRST_BYTE: Duration = Duration::from_secs(3);
/// How long a kept-alive connection may sit idle between requests.
const IDLE: Duration = Duration::from_secs(300);

/// One brokered secret.
pub struct Secret {
    pub name: String,
    pub value: Zeroizing<Vec<u8>>,
    pub stand_in: Vec<u8>,
    pub policy: Policy,
    /// Replace the stand-in in request bodies too (`broker = "body"`).
    pub body: bool,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("name", &self.name)
            .field("value", &"[REDACTED]")
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

/// What one connection moved, and whether the broker refused it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Bytes read from the child.
    pub up: u64,
    /// Bytes read from the host.
    pub down: u64,
    /// An attempted exfiltration: a stand-in sent to a host its secret may not reach.
    pub refused: Option<String>,
}

/// The broker of one run.
pub struct Broker {
    secrets: Vec<Secret>,
    ca: tls::Authority,
    client: Arc<ClientConfig>,
    system: Vec<CertificateDer<'static>>,
}

/// The replacers for one host.
struct Plan {
    head: Replacer,
    body: Replacer,
    down: Replacer,
    /// Per secret index: the refusal text when its stand-in shows up.
    refusals: Vec<String>,
    /// `Host` towards the host: the judged host, with its port unless the scheme's default.
    authority: String,
}

enum Failure {
    Io(io::Error),
    /// Refused with this audit text; the child got a `403`.
    Refused(String),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

impl Broker {
    /// A broker for `secrets`, trusting the system roots plus `extra_ca` upstream.
    ///
    /// # Errors
    /// When the CA cannot be made, `extra_ca` cannot be read, or no root is trusted.
    pub fn new(secrets: Vec<Secret>, extra_ca: Option<&Path>) -> io::Result<Self> {
        let system = tls::system_roots();
        let mut roots = system.clone();
        if let Some(path) = extra_ca {
            roots.extend(tls::extra_roots(path)?);
        }
        let client = tls::client_config(&roots)?;
        Ok(Self {
            secrets,
            ca: tls::Authority::new()?,
            client,
            system,
        })
    }

    /// The run's CA certificate (PEM).
    #[must_use]
    pub fn ca_pem(&self) -> &str {
        self.ca.pem()
    }

    /// Writes the child's CA bundle: the system roots and the run's CA.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn bundle(&self) -> io::Result<bundle::Bundle> {
        let mut pem = tls::pem_of(&self.system);
        pem.push_str(self.ca.pem());
        bundle::Bundle::write(&pem)
    }

    fn plan(&self, host: &str, port: u16, default_port: u16) -> Plan {
        let shown = normalize::display_host_port(host, Some(port));
        let authority = normalize::display_host_port(host, (port != default_port).then_some(port));
        let mut head = Vec::new();
        let mut body = Vec::new();
        let mut down = Vec::new();
        let mut refusals = Vec::new();
        for (i, s) in self.secrets.iter().enumerate() {
            let stand_in = || Zeroizing::new(s.stand_in.clone());
            match s.policy.verdict(host, Some(port)) {
                // A confirm rule reached here only after the proxy got its approval.
                Verdict::Allow | Verdict::Confirm(_) => {
                    head.push((stand_in(), Action::Replace(s.value.clone())));
                    if s.body {
                        body.push((stand_in(), Action::Replace(s.value.clone())));
                    }
                    refusals.push(String::new());
                }
                Verdict::Deny(rule) => {
                    head.push((stand_in(), Action::Refuse(i)));
                    body.push((stand_in(), Action::Refuse(i)));
                    refusals.push(format!(
                        "attempted exfiltration: the stand-in of {} was sent to {shown} ({rule})",
                        s.name
                    ));
                }
            }
            down.push((s.value.clone(), Action::Replace(stand_in())));
        }
        Plan {
            head: Replacer::new(head),
            body: Replacer::new(body),
            down: Replacer::new(down),
            refusals,
            authority,
        }
    }

    /// `CONNECT host:port` was allowed and answered; `client` is the child's stream.
    ///
    /// # Errors
    /// I/O failures, a client that does not accept the run's CA, a host whose certificate
    /// does not verify (the child gets a `502` naming the cause).
    pub fn connect(&self, client: TcpStream, host: &str, port: u16) -> io::Result<Outcome> {
        client.set_read_timeout(Some(FIRST_BYTE))?;
        let mut first = [0u8; 1];
        let tls = match client.peek(&mut first) {
            Ok(0) => return Ok(Outcome::default()),
            Ok(_) => first[0] == 0x16,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                false
            }
            Err(e) => return Err(e),
        };
        client.set_read_timeout(Some(IDLE))?;
        if !tls {
            return blind(client, host, port);
        }
        let config = self.ca.server_config(host)?;
        let conn = ServerConnection::new(config).map_err(io::Error::other)?;
        let mut child = StreamOwned::new(conn, client);
        while child.conn.is_handshaking() {
            child.conn.complete_io(&mut child.sock).map_err(|e| {
                io::Error::other(format!(
                    "the client refused the broker's certificate for {host} ({e}); does it read SSL_CERT_FILE?"
                ))
            })?;
        }
        let mut child = Reader::new(child);
        let upstream = match self.dial_tls(host, port) {
            Ok(u) => u,
            Err(e) => {
                // Tell the child why, on its first request.
                if let Ok(Some(_)) = child.read_head() {
                    let _ = respond(child.get_mut(), 502, "Bad Gateway", &e.to_string());
                }
                return Err(e);
            }
        };
        let mut upstream = Reader::new(upstream);
        let plan = self.plan(host, port, 443);
        let mut outcome = Outcome::default();
        let result = loop {
            match exchange(&plan, &mut child, &mut upstream, &mut outcome, None) {
                Ok(true) => {}
                Ok(false) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        child.get_mut().conn.send_close_notify();
        let _ = child.get_mut().flush();
        let _ = child.get_mut().sock.shutdown(Shutdown::Both);
        let _ = upstream.get_mut().sock.shutdown(Shutdown::Both);
        finish(result, outcome)
    }

    /// A plain-HTTP request in absolute form to `host:port`, allowed; `head` holds the
    /// bytes already read from the child. One exchange, then the connection closes.
    ///
    /// # Errors
    /// I/O failures.
    pub fn http(
        &self,
        client: TcpStream,
        head: Vec<u8>,
        host: &str,
        port: u16,
    ) -> io::Result<Outcome> {
        client.set_read_timeout(Some(IDLE))?;
        let mut child = Reader::with_buffer(client, head);
        let upstream = crate::net::proxy::dial(host, port)?;
        let mut upstream = Reader::new(upstream);
        let plan = self.plan(host, port, 80);
        let mut outcome = Outcome::default();
        let result = exchange(
            &plan,
            &mut child,
            &mut upstream,
            &mut outcome,
            Some(origin_form),
        )
        .map(|_| ());
        let _ = child.get_mut().shutdown(Shutdown::Both);
        let _ = upstream.get_mut().shutdown(Shutdown::Both);
        finish(result, outcome)
    }

    fn dial_tls(
        &self,
        host: &str,
        port: u16,
    ) -> io::Result<StreamOwned<ClientConnection, TcpStream>> {
        let tcp = crate::net::proxy::dial(host, port)?;
        let name = ServerName::try_from(host.to_string())
            .map_err(|e| io::Error::other(format!("{host}: not a TLS server name ({e})")))?;
        let conn =
            ClientConnection::new(Arc::clone(&self.client), name).map_err(io::Error::other)?;
        let mut s = StreamOwned::new(conn, tcp);
        while s.conn.is_handshaking() {
            s.conn.complete_io(&mut s.sock).map_err(|e| {
                io::Error::other(format!(
                    "TLS to {host}:{port} failed: {e} (a private CA? pass --net-ca FILE)"
                ))
            })?;
        }
        Ok(s)
    }
}

/// The hook the forward proxy calls for every allowed connection under `--net broker`.
impl crate::net::proxy::Intercept for Broker {
    fn connect(
        &self,
        client: TcpStream,
        host: &str,
        port: u16,
    ) -> io::Result<crate::net::proxy::Traffic> {
        Broker::connect(self, client, host, port).map(Outcome::traffic)
    }

    fn http(
        &self,
        client: TcpStream,
        head: Vec<u8>,
        host: &str,
        port: u16,
    ) -> io::Result<crate::net::proxy::Traffic> {
        Broker::http(self, client, head, host, port).map(Outcome::traffic)
    }
}

impl Outcome {
    fn traffic(self) -> crate::net::proxy::Traffic {
        crate::net::proxy::Traffic {
            up: self.up,
            down: self.down,
            refused: self.refused,
        }
    }
}

fn finish(result: Result<(), Failure>, mut outcome: Outcome) -> io::Result<Outcome> {
    match result {
        Ok(()) => Ok(outcome),
        Err(Failure::Refused(r)) => {
            outcome.refused = Some(r);
            Ok(outcome)
        }
        Err(Failure::Io(e)) => Err(e),
    }
}

/// A `CONNECT` stream that is not TLS: copied both ways untouched (it can only carry
/// stand-ins; every value the child holds for real allowed this host).
fn blind(client: TcpStream, host: &str, port: u16) -> io::Result<Outcome> {
    client.set_read_timeout(None)?;
    let upstream = crate::net::proxy::dial(host, port)?;
    let (mut c2, mut u2) = (client.try_clone()?, upstream.try_clone()?);
    let up = thread::Builder::new()
        .name("vault-broker-up".into())
        .spawn(move || {
            let n = io::copy(&mut c2, &mut u2).unwrap_or(0);
            let _ = u2.shutdown(Shutdown::Write);
            n
        })?;
    let (mut c, mut u) = (client, upstream);
    let down = io::copy(&mut u, &mut c).unwrap_or(0);
    let _ = c.shutdown(Shutdown::Write);
    let up = up.join().unwrap_or(0);
    Ok(Outcome {
        up,
        down,
        refused: None,
    })
}

/// A one-line response from the broker itself.
fn respond<W: Write>(w: &mut W, code: u16, reason: &str, why: &str) -> io::Result<()> {
    let why = why.replace(['\r', '\n'], " ");
    let body = format!("vault: {why}\n");
    write!(
        w,
        "HTTP/1.1 {code} {reason}\r\nX-Vault-Refused: {why}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    w.flush()
}

/// Rewrites an absolute-form request head to origin form with `Connection: close`.
fn origin_form(head: &[u8]) -> Vec<u8> {
    let text = head;
    let Some(line_end) = memchr::memmem::find(text, b"\r\n") else {
        return head.to_vec();
    };
    let line = &text[..line_end];
    let mut parts = line.splitn(3, |b| *b == b' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return head.to_vec();
    };
    let path: &[u8] = match target.iter().position(|b| *b == b':') {
        Some(i) if target[i..].starts_with(b"://") => {
            let rest = &target[i + 3..];
            match rest.iter().position(|b| *b == b'/' || *b == b'?') {
                Some(j) if rest[j] == b'/' => &rest[j..],
                Some(j) => &rest[j..],
                None => b"/",
            }
        }
        _ => target,
    };
    let mut out = Vec::with_capacity(head.len() + 20);
    out.extend_from_slice(method);
    out.push(b' ');
    if path.first() == Some(&b'?') {
        out.push(b'/');
    }
    out.extend_from_slice(path);
    out.push(b' ');
    out.extend_from_slice(version);
    out.extend_from_slice(b"\r\n");
    for h in text[line_end + 2..].split(|b| *b == b'\n') {
        let h = h.strip_suffix(b"\r").unwrap_or(h);
        if h.is_empty() {
            continue;
        }
        let name = h.split(|b| *b == b':').next().unwrap_or(b"");
        let hop = [
            &b"connection"[..],
            b"proxy-connection",
            b"keep-alive",
            b"proxy-authorization",
        ];
        if hop.iter().any(|n| name.eq_ignore_ascii_case(n)) {
            continue;
        }
        out.extend_from_slice(h);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out
}

/// The head with every `Host` and `Expect` header removed and `Host: authority` added
/// after the request line.
fn set_host(head: &[u8], authority: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(head.len() + authority.len()));
    for (i, line) in head.split_inclusive(|b| *b == b'\n').enumerate() {
        let name = line.split(|b| *b == b':').next().unwrap_or(b"");
        if i > 0 && (name.eq_ignore_ascii_case(b"host") || name.eq_ignore_ascii_case(b"expect")) {
            continue;
        }
        out.extend_from_slice(line);
        if i == 0 {
            out.extend_from_slice(format!("Host: {authority}\r\n").as_bytes());
        }
    }
    out
}

/// Replaces stand-ins in a request head, including inside `Basic` credentials.
fn request_head(plan: &Plan, head: &[u8]) -> Result<Zeroizing<Vec<u8>>, usize> {
    let mut out = Zeroizing::new(replace_all(&plan.head, head).map_err(|r| r.0)?);
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut rebuilt = Zeroizing::new(Vec::with_capacity(out.len()));
    let mut changed = false;
    for line in out.split_inclusive(|b| *b == b'\n') {
        let (name, rest) = match memchr::memchr(b':', line) {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => (line, &b""[..]),
        };
        let is_auth = name.eq_ignore_ascii_case(b"authorization")
            || name.eq_ignore_ascii_case(b"proxy-authorization");
        let value = rest.trim_ascii();
        if is_auth
            && value.len() > 6
            && value[..6].eq_ignore_ascii_case(b"basic ")
            && let Ok(decoded) = b64.decode(value[6..].trim_ascii())
        {
            let decoded = Zeroizing::new(decoded);
            let replaced = Zeroizing::new(replace_all(&plan.head, &decoded).map_err(|r| r.0)?);
            if *replaced != *decoded {
                rebuilt.extend_from_slice(name);
                rebuilt.extend_from_slice(b": Basic ");
                rebuilt.extend_from_slice(b64.encode(&*replaced).as_bytes());
                rebuilt.extend_from_slice(b"\r\n");
                changed = true;
                continue;
            }
        }
        rebuilt.extend_from_slice(line);
    }
    if changed {
        out = rebuilt;
    }
    Ok(out)
}

/// A rewrite of the request head before anything else (absolute form → origin form).
type Rewrite = fn(&[u8]) -> Vec<u8>;

/// One request and its response. `Ok(true)`: the connection may carry another.
fn exchange<C: Read + Write, U: Read + Write>(
    plan: &Plan,
    child: &mut Reader<C>,
    upstream: &mut Reader<U>,
    outcome: &mut Outcome,
    rewrite: Option<Rewrite>,
) -> Result<bool, Failure> {
    let Some(head) = child.read_head()? else {
        return Ok(false);
    };
    outcome.up += head.len() as u64;
    let head = match rewrite {
        Some(f) => f(&head),
        None => head,
    };
    let refuse = |child: &mut Reader<C>, i: usize| -> Failure {
        let text = plan.refusals[i].clone();
        let _ = respond(child.get_mut(), 403, "Forbidden", &text);
        Failure::Refused(text)
    };
    let head = match request_head(plan, &head) {
        Ok(h) => h,
        Err(i) => return Err(refuse(child, i)),
    };
    let req = match http::parse_request(&head) {
        Ok(r) => r,
        Err(why) => {
            respond(child.get_mut(), 400, "Bad Request", why)?;
            return Ok(false);
        }
    };
    if req.upgrade {
        respond(
            child.get_mut(),
            501,
            "Not Implemented",
            "protocol upgrades (WebSocket) are not relayed under --net broker",
        )?;
        return Ok(false);
    }
    // The host sees the host that was judged, whatever the client wrote (no fronting
    // another site behind a shared address), and no `Expect`: vault answers `100 Continue`
    // itself, so a host that ignores `Expect` cannot stall the exchange.
    let head = set_host(&head, &plan.authority);
    if req.expect_continue && req.framing != Framing::None {
        child
            .get_mut()
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        child.get_mut().flush()?;
    }
    upstream.get_mut().write_all(&head)?;
    upstream.get_mut().flush()?;
    let mut close = req.close;
    match http::copy_body(
        child,
        upstream.get_mut(),
        req.framing,
        &plan.body,
        &mut outcome.up,
    ) {
        Ok(()) => {}
        // The host got the body up to the stand-in, never the stand-in nor what follows;
        // the connection is cut so it cannot take the message as complete.
        Err(Stop::Refused(i)) => return Err(refuse(child, i)),
        Err(e) => return Err(stop(e)),
    }
    loop {
        let Some(resp_head) = upstream.read_head()? else {
            return Ok(false);
        };
        outcome.down += resp_head.len() as u64;
        let resp = http::parse_response(&resp_head, &req.method)
            .map_err(|w| Failure::Io(io::Error::other(w)))?;
        let shown = replace_all(&plan.down, &resp_head).unwrap_or_default();
        child.get_mut().write_all(&shown)?;
        if (100..200).contains(&resp.status) {
            if resp.status == 101 {
                return Ok(false);
            }
            child.get_mut().flush()?;
            continue;
        }
        http::copy_body(
            upstream,
            child.get_mut(),
            resp.framing,
            &plan.down,
            &mut outcome.down,
        )
        .map_err(stop)?;
        close |= resp.close;
        return Ok(!close);
    }
}

fn stop(s: Stop) -> Failure {
    match s {
        Stop::Io(e) => Failure::Io(e),
        Stop::Bad(why) => Failure::Io(io::Error::other(why)),
        // The down direction only replaces.
        Stop::Refused(_) => Failure::Io(io::Error::other("refused")),
    }
}

#[cfg(test)]
#[path = "broker/tests.rs"]
mod tests;

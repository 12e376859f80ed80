//! The forward proxy the child of `--net strict|broker` reaches the network through: HTTP/1.1
//! `CONNECT` (then a blind relay, or the broker's [`Intercept`]), absolute-form plain-HTTP
//! requests (forwarded in origin form with `Connection: close`), and SOCKS5 on the same port
//! (told apart by the first byte). One thread per connection.
//!
//! Every connection's host and port are judged by [`Rules::judge`] before vault resolves or
//! connects anything; a refusal is a `403` with an `X-Vault-Refused: <reason>` header (SOCKS5:
//! reply 2, "not allowed by ruleset"). Each connection ends in one audit entry (action
//! `net`: host, port, decision, bytes each way; never content), written when the
//! connection ends, off the relay path.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use crate::approval::{self, Action};
use crate::audit;
use crate::config::Paths;
use crate::egress::normalize;
use crate::net::judge::{self, Judgement, Rules};
use crate::net::socks;

/// What the broker plugs in; with none, allowed connections are relayed blind.
pub trait Intercept: Send + Sync {
    /// `CONNECT host:port` (or SOCKS5) was judged allowed and answered; the stream is the
    /// child's.
    ///
    /// # Errors
    /// An I/O failure; the connection is then audited as failed.
    fn connect(&self, client: TcpStream, host: &str, port: u16) -> io::Result<Traffic>;
    /// A plain-HTTP request to host:port, judged allowed; `head` holds the bytes read from
    /// the client so far (the whole request head, and perhaps the start of the body).
    ///
    /// # Errors
    /// An I/O failure; the connection is then audited as failed.
    fn http(&self, client: TcpStream, head: Vec<u8>, host: &str, port: u16) -> io::Result<Traffic>;
}

/// What one connection moved, and whether the interceptor refused it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Bytes from the child towards the host.
    pub up: u64,
    /// Bytes from the host towards the child.
    pub down: u64,
    /// A refusal after the host was allowed (e.g. a stand-in bound for the wrong host).
    pub refused: Option<String>,
}

/// Everything a connection needs.
pub struct Context {
    pub rules: Rules,
    /// For the audit log and approvals.
    pub paths: Paths,
    /// The injected secrets' names, for the audit entries.
    pub names: Vec<String>,
    /// `strict` or `broker`, for the audit entries.
    pub mode: &'static str,
    /// Redacts stored values out of text that goes into the audit log (a host name the
    /// child built may carry a value: `$TOKEN.evil.example`).
    pub redact: Arc<dyn Fn(&str) -> String + Send + Sync>,
    /// The broker's hook; `None`: blind relay.
    pub intercept: Option<Arc<dyn Intercept>>,
}

/// A running proxy.
pub struct Proxy {
    listener: TcpListener,
    accept: thread::JoinHandle<()>,
    active: Arc<Active>,
}

#[derive(Default)]
struct Active {
    count: Mutex<usize>,
    idle: Condvar,
}

/// The largest request head (or SOCKS5 handshake) the proxy reads.
const MAX_HEAD: usize = 64 * 1024;
/// How long a client may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting to an allowed host may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Relay buffer.
const BUF: usize = 128 * 1024;

/// Serves `listener` on a thread until [`Proxy::finish`].
///
/// # Errors
/// When the listener cannot be duplicated.
pub fn serve(listener: TcpListener, ctx: Arc<Context>) -> io::Result<Proxy> {
    let ours = listener.try_clone()?;
    let active = Arc::new(Active::default());
    let counter = Arc::clone(&active);
    let accept = thread::Builder::new()
        .name("vault-proxy".into())
        .spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else {
                    // shutdown() by finish() makes accept fail: the run is over.
                    break;
                };
                let ctx = Arc::clone(&ctx);
                let counter = Arc::clone(&counter);
                if let Ok(mut n) = counter.count.lock() {
                    *n += 1;
                }
                let spawned = thread::Builder::new()
                    .name("vault-proxy-conn".into())
                    .spawn({
                        let counter = Arc::clone(&counter);
                        move || {
                            handle(client, &ctx);
                            if let Ok(mut n) = counter.count.lock() {
                                *n -= 1;
                            }
                            counter.idle.notify_all();
                        }
                    });
                if spawned.is_err()
                    && let Ok(mut n) = counter.count.lock()
                {
                    *n -= 1;
                }
            }
        })?;
    Ok(Proxy {
        listener: ours,
        accept,
        active,
    })
}

impl Proxy {
    /// Stops accepting, then waits up to `grace` for open connections to end (and be
    /// audited). Connections a background process still holds after that are cut when vault
    /// exits.
    pub fn finish(self, grace: Duration) {
        let _ = rustix::net::shutdown(&self.listener, rustix::net::Shutdown::Read);
        let _ = self.accept.join();
        if let Ok(n) = self.active.count.lock() {
            let _ = self.active.idle.wait_timeout_while(n, grace, |n| *n > 0);
        }
    }
}

/// The record of one connection, audited when it ends.
struct Record {
    target: String,
    protocol: &'static str,
    allowed: bool,
    reason: Option<String>,
    traffic: Traffic,
}

fn handle(client: TcpStream, ctx: &Context) {
    let _ = client.set_nodelay(true);
    let _ = client.set_read_timeout(Some(HEAD_TIMEOUT));
    let mut first = [0u8; 1];
    let record = match client.peek(&mut first) {
        Ok(1) if first[0] == 0x05 => socks_conn(client, ctx),
        Ok(1) => http_conn(client, ctx),
        _ => return,
    };
    audit_record(ctx, &record);
}

fn audit_record(ctx: &Context, r: &Record) {
    let mut entry = audit::Entry::new("net", ctx.names.clone());
    entry.hosts = vec![(ctx.redact)(&r.target)];
    let verdict = if r.allowed && r.traffic.refused.is_none() {
        "allow"
    } else {
        "deny"
    };
    let reason = r
        .traffic
        .refused
        .as_deref()
        .or(r.reason.as_deref())
        .map(|s| (ctx.redact)(s));
    entry.decision = Some(serde_json::json!({
        "net": ctx.mode,
        "protocol": r.protocol,
        verdict: reason.unwrap_or_default(),
        "up": r.traffic.up,
        "down": r.traffic.down,
    }));
    if let Err(e) = audit::append(&ctx.paths, entry) {
        // Nothing else can be done from a connection thread: the run's own entry follows.
        eprintln!(
            "vault: warning: a connection could not be audited: {}",
            e.message
        );
    }
}

/// The judgement, with confirm rules sent to the approval factor.
fn decide(ctx: &Context, raw_host: &str, port: u16) -> Result<String, String> {
    let host = judge::normalise(raw_host)?;
    match ctx.rules.judge(&host, port) {
        Judgement::Allow => Ok(host),
        Judgement::Deny(why) => Err(why),
        Judgement::Confirm(pairs) => {
            match approval::require(&ctx.paths, &Action::ConfirmEgress { pairs: &pairs }) {
                Ok(()) => Ok(host),
                Err(e) => {
                    let list: Vec<String> =
                        pairs.iter().map(|(s, h)| format!("{s} -> {h}")).collect();
                    Err(format!(
                        "{} needs an approval: {}",
                        list.join(", "),
                        e.message
                    ))
                }
            }
        }
    }
}

/// Connects to an allowed host from vault's own network namespace (the broker dials
/// through this too).
pub(crate) fn dial(host: &str, port: u16) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the name resolves to no address");
    for addr in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn header_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

fn respond(client: &mut TcpStream, status: &str, header: &str, reason: &str) {
    let body = format!("vault: {reason}\n");
    let head = format!(
        "HTTP/1.1 {status}\r\n{header}: {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        header_safe(reason),
        body.len()
    );
    let _ = client.write_all(head.as_bytes());
    let _ = client.write_all(body.as_bytes());
    let _ = client.flush();
    let _ = client.shutdown(Shutdown::Write);
}

/// Reads until a complete request head; returns the bytes read and the head's length.
fn read_head(client: &mut TcpStream) -> Result<(Vec<u8>, usize), &'static str> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let n = client
            .read(&mut chunk)
            .map_err(|_| "the request head could not be read")?;
        if n == 0 {
            return Err("the client closed before a complete request head");
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 100];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(len)) => return Ok((buf, len)),
            Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => {}
            Ok(httparse::Status::Partial) => return Err("the request head is too long"),
            Err(_) => return Err("not an HTTP request"),
        }
    }
}

/// `host:port` or `[v6]:port`, port required unless `default` is given.
fn split_authority(a: &str, default: Option<u16>) -> Result<(&str, u16), &'static str> {
    let (host, port) = if a.starts_with('[') {
        match a.find(']') {
            Some(i) => {
                let rest = &a[i + 1..];
                match rest.strip_prefix(':') {
                    Some(p) => (&a[..=i], Some(p)),
                    None if rest.is_empty() => (&a[..=i], None),
                    None => return Err("a malformed [IPv6] authority"),
                }
            }
            None => return Err("a malformed [IPv6] authority"),
        }
    } else {
        match a.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (a, None),
        }
    };
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or("an invalid port")?,
        None => default.ok_or("no port")?,
    };
    if host.is_empty() {
        return Err("no host");
    }
    Ok((host, port))
}

/// An absolute-form `http://authority/rest` target: (host, port, origin-form path).
fn split_absolute(target: &str) -> Result<(&str, u16, String), &'static str> {
    let scheme_end = target.find("://").ok_or(
        "a request in origin form: configure this address as an HTTP proxy, not as a server",
    )?;
    if !target[..scheme_end].eq_ignore_ascii_case("http") {
        return Err(
            "only http:// requests are forwarded in absolute form (https goes through CONNECT)",
        );
    }
    let rest = &target[scheme_end + 3..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.contains('@') {
        return Err("a user name in the proxied URL");
    }
    let (host, port) = split_authority(authority, Some(80))?;
    let mut path = rest[end..].split('#').next().unwrap_or("").to_string();
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    Ok((host, port, path))
}

/// Headers that concern the hop to the proxy, or that vault sets itself.
const HOP: &[&str] = &[
    "host",
    "connection",
    "proxy-connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-authenticate",
    "te",
    "upgrade",
];

fn http_conn(mut client: TcpStream, ctx: &Context) -> Record {
    let mut record = Record {
        target: "?".into(),
        protocol: "http",
        allowed: false,
        reason: None,
        traffic: Traffic::default(),
    };
    let (buf, head_len) = match read_head(&mut client) {
        Ok(h) => h,
        Err(why) => {
            respond(&mut client, "400 Bad Request", "X-Vault-Refused", why);
            record.reason = Some(why.into());
            return record;
        }
    };
    let mut headers = [httparse::EMPTY_HEADER; 100];
    let mut req = httparse::Request::new(&mut headers);
    let _ = req.parse(&buf);
    let method = req.method.unwrap_or("");
    let target = req.path.unwrap_or("");
    let connect = method.eq_ignore_ascii_case("CONNECT");
    record.protocol = if connect { "connect" } else { "http" };
    let parsed = if connect {
        split_authority(target, None).map(|(h, p)| (h, p, String::new()))
    } else {
        split_absolute(target)
    };
    let (raw_host, port, path) = match parsed {
        Ok(p) => p,
        Err(why) => {
            record.target = target.chars().take(200).collect();
            respond(&mut client, "400 Bad Request", "X-Vault-Refused", why);
            record.reason = Some(why.into());
            return record;
        }
    };
    record.target = format!("{raw_host}:{port}");
    let host = match decide(ctx, raw_host, port) {
        Ok(h) => h,
        Err(why) => {
            respond(&mut client, "403 Forbidden", "X-Vault-Refused", &why);
            record.reason = Some(why);
            return record;
        }
    };
    record.target = normalize::display_host_port(&host, Some(port));
    record.allowed = true;
    let _ = client.set_read_timeout(None);

    if connect {
        if let Some(intercept) = &ctx.intercept {
            if client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .is_err()
            {
                return record;
            }
            record.traffic = traffic(intercept.connect(client, &host, port));
            return record;
        }
        let upstream = match dial(&host, port) {
            Ok(s) => s,
            Err(e) => {
                let why = format!("cannot connect to {}: {e}", record.target);
                respond(&mut client, "502 Bad Gateway", "X-Vault-Error", &why);
                record.reason = Some(why);
                return record;
            }
        };
        if client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .is_err()
        {
            return record;
        }
        let (up, down) = relay(client, upstream, &buf[head_len..]);
        record.traffic.up = up;
        record.traffic.down = down;
        return record;
    }

    if let Some(intercept) = &ctx.intercept {
        record.traffic = traffic(intercept.http(client, buf, &host, port));
        return record;
    }
    let mut upstream = match dial(&host, port) {
        Ok(s) => s,
        Err(e) => {
            let why = format!("cannot connect to {}: {e}", record.target);
            respond(&mut client, "502 Bad Gateway", "X-Vault-Error", &why);
            record.reason = Some(why);
            return record;
        }
    };
    let mut out = Vec::with_capacity(head_len + 64);
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(path.as_bytes());
    out.extend_from_slice(if req.version == Some(0) {
        b" HTTP/1.0\r\n"
    } else {
        b" HTTP/1.1\r\n"
    });
    for h in req.headers.iter() {
        if HOP.iter().any(|n| h.name.eq_ignore_ascii_case(n)) {
            continue;
        }
        out.extend_from_slice(h.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(h.value);
        out.extend_from_slice(b"\r\n");
    }
    // The Host header names the judged host: a different one could reach another site on
    // a shared server (domain fronting).
    let authority = if port == 80 {
        normalize::display_host(&host)
    } else {
        normalize::display_host_port(&host, Some(port))
    };
    out.extend_from_slice(format!("Host: {authority}\r\nConnection: close\r\n\r\n").as_bytes());
    let sent = out.len() as u64;
    if upstream.write_all(&out).is_err() {
        return record;
    }
    let (up, down) = relay(client, upstream, &buf[head_len..]);
    record.traffic.up = up + sent;
    record.traffic.down = down;
    record
}

fn traffic(r: io::Result<Traffic>) -> Traffic {
    r.unwrap_or_else(|e| Traffic {
        refused: Some(format!("the connection failed: {e}")),
        ..Traffic::default()
    })
}

fn socks_conn(mut client: TcpStream, ctx: &Context) -> Record {
    let mut record = Record {
        target: "?".into(),
        protocol: "socks5",
        allowed: false,
        reason: None,
        traffic: Traffic::default(),
    };
    let request = {
        let mut reader = &client;
        let mut writer = &client;
        socks::handshake(&mut reader, &mut writer)
    };
    let request = match request {
        Ok(r) => r,
        Err(socks::Refused::Reply(code, why)) => {
            let _ = client.write_all(&socks::reply(code));
            record.reason = Some(why.into());
            return record;
        }
        Err(socks::Refused::Closed(why)) => {
            record.reason = Some(why.into());
            return record;
        }
    };
    record.target = format!("{}:{}", request.host, request.port);
    let host = match decide(ctx, &request.host, request.port) {
        Ok(h) => h,
        Err(why) => {
            let _ = client.write_all(&socks::reply(socks::NOT_ALLOWED));
            record.reason = Some(why);
            return record;
        }
    };
    record.target = normalize::display_host_port(&host, Some(request.port));
    record.allowed = true;
    let _ = client.set_read_timeout(None);
    if let Some(intercept) = &ctx.intercept {
        if client.write_all(&socks::reply(socks::OK)).is_err() {
            return record;
        }
        record.traffic = traffic(intercept.connect(client, &host, request.port));
        return record;
    }
    let upstream = match dial(&host, request.port) {
        Ok(s) => s,
        Err(e) => {
            let _ = client.write_all(&socks::reply(socks::HOST_UNREACHABLE));
            record.reason = Some(format!("cannot connect to {}: {e}", record.target));
            return record;
        }
    };
    if client.write_all(&socks::reply(socks::OK)).is_err() {
        return record;
    }
    let (up, down) = relay(client, upstream, &[]);
    record.traffic.up = up;
    record.traffic.down = down;
    record
}

/// Copies both ways until both sides are done; `early` are client bytes already read.
/// Returns (bytes up, bytes down).
fn relay(client: TcpStream, upstream: TcpStream, early: &[u8]) -> (u64, u64) {
    let (Ok(client2), Ok(upstream2)) = (client.try_clone(), upstream.try_clone()) else {
        return (0, 0);
    };
    let early = early.to_vec();
    let up = thread::Builder::new()
        .name("vault-proxy-up".into())
        .spawn(move || {
            let mut from = client2;
            let mut to = upstream2;
            let mut n = 0u64;
            if !early.is_empty() {
                if to.write_all(&early).is_err() {
                    let _ = from.shutdown(Shutdown::Both);
                    return n;
                }
                n += early.len() as u64;
            }
            let copied = copy(&mut from, &mut to, &mut n);
            // The client is done sending: pass the half-close on.
            let _ = to.shutdown(Shutdown::Write);
            if copied.is_err() {
                let _ = from.shutdown(Shutdown::Both);
            }
            n
        });
    let mut from = upstream;
    let mut to = client;
    let mut down = 0u64;
    let copied = copy(&mut from, &mut to, &mut down);
    let _ = to.shutdown(Shutdown::Write);
    if copied.is_err() {
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    }
    let up = match up {
        Ok(h) => h.join().unwrap_or(0),
        Err(_) => 0,
    };
    (up, down)
}

/// Copies `from` to `to` until EOF, adding to `n`: by splice(2) through a pipe on Linux (the
/// bytes never enter vault's memory), else by read and write.
fn copy(from: &mut TcpStream, to: &mut TcpStream, n: &mut u64) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Ok((r, w)) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC) {
        let _ = rustix::pipe::fcntl_setpipe_size(&w, BUF * 8);
        // `false`: splice is refused for these sockets before anything moved; copy instead.
        if splice_all(from, to, &r, &w, n)? {
            return Ok(());
        }
    }
    let mut buf = vec![0u8; BUF];
    loop {
        let got = match from.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(got) => got,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buf[..got])?;
        *n += got as u64;
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn splice_all(
    from: &TcpStream,
    to: &TcpStream,
    r: &std::os::fd::OwnedFd,
    w: &std::os::fd::OwnedFd,
    n: &mut u64,
) -> io::Result<bool> {
    use rustix::io::Errno;
    use rustix::pipe::{SpliceFlags, splice};
    // No SPLICE_F_MORE: it corks the socket, delaying the small writes of a handshake.
    let flags = SpliceFlags::MOVE;
    let mut first = true;
    loop {
        let got = match splice(from, None, w, None, BUF * 8, flags) {
            Ok(0) => return Ok(true),
            Ok(got) => got,
            Err(Errno::INTR) => continue,
            Err(Errno::INVAL) if first => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        first = false;
        let mut left = got;
        while left > 0 {
            match splice(r, None, to, None, left, flags) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(put) => left -= put,
                Err(Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
        *n += got as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::{split_absolute, split_authority};

    #[test]
    fn authorities() {
        assert_eq!(split_authority("a.test:443", None), Ok(("a.test", 443)));
        assert_eq!(split_authority("[::1]:8080", None), Ok(("[::1]", 8080)));
        assert_eq!(split_authority("[::1]", Some(80)), Ok(("[::1]", 80)));
        assert!(split_authority("a.test", None).is_err());
        assert!(split_authority("a.test:0", None).is_err());
        assert!(split_authority(":80", None).is_err());
        assert!(split_authority("[::1]x", None).is_err());
    }

    #[test]
    fn absolute_targets() {
        assert_eq!(
            split_absolute("http://a.test:8080/x?y=1#frag"),
            Ok(("a.test", 8080, "/x?y=1".to_string()))
        );
        assert_eq!(
            split_absolute("HTTP://a.test?q"),
            Ok(("a.test", 80, "/?q".to_string()))
        );
        assert!(split_absolute("/relative").is_err());
        assert!(split_absolute("https://a.test/").is_err());
        assert!(split_absolute("http://user@a.test/").is_err());
    }
}

//! The one-time page of `request_secret`: a tiny HTTP/1.1 server on 127.0.0.1 (random
//! port) that serves one form at a random 128-bit path and stores the value typed into it
//! as a new secret, once.
//!
//! What it defends against, and how:
//! - another site in the user's browser (CSRF): a per-page token in the form, and an
//!   `Origin` (when sent) that must be this page's own;
//! - DNS rebinding: any `Host` but `127.0.0.1:PORT` is refused;
//! - the value leaking back: it is never echoed, every response is `no-store`, the page
//!   loads nothing (`Content-Security-Policy: default-src 'none'`) and sends no referrer;
//! - replay and staleness: the first store or decline ends the server (the port closes),
//!   and so does the expiry;
//! - a process that finds the URL (the agent itself): it can only do what the user could,
//!   store one value of its own choosing under the new name with the policy already
//!   shown on the page. It cannot read a value, replace a secret (the name is re-checked
//!   under the store lock), choose another name or policy (both are fixed server-side), or
//!   use the link twice.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::tools::SecretRequest;
use super::{Event, PAGE_LIFETIME, Reply};
use crate::audit;
use crate::secret::SecretValue;
use crate::secrets::{Entry, now};

/// Environment variable that can only shorten the page's lifetime (seconds).
pub const EXPIRY_VAR: &str = "VAULT_MCP_PAGE_EXPIRY_S";

/// How a request ended.
#[derive(Debug)]
pub enum Outcome {
    /// The value was stored.
    Stored,
    /// The user declined (on the page or in the client).
    Declined,
    /// Nobody answered in time.
    Expired,
    /// The client cancelled the call or went away.
    Cancelled,
    /// The store refused (the message names no value).
    Failed(String),
}

impl Outcome {
    /// The tool's answer.
    #[must_use]
    pub fn reply(&self, request: &SecretRequest) -> Reply {
        let name = request.name.to_string();
        let names = vec![name.clone()];
        match self {
            Outcome::Stored => Reply::ok(
                format!(
                    "stored {name}. Use it as {{{{secure.{name}}}}} in `run` argv or ${name} in the command's environment."
                ),
                "stored",
                names,
            ),
            Outcome::Declined => Reply::ok(
                "declined: the user did not provide the value",
                "declined",
                names,
            ),
            Outcome::Expired => Reply::ok(
                "expired: the one-time page was not used in time; nothing was stored",
                "expired",
                names,
            ),
            Outcome::Cancelled => Reply::ok("cancelled: nothing was stored", "cancelled", names),
            Outcome::Failed(why) => Reply::error(format!("not stored: {why}"), "failed", names),
        }
    }
}

/// The page's lifetime: [`PAGE_LIFETIME`], or less when [`EXPIRY_VAR`] asks for less.
#[must_use]
pub fn expiry() -> Duration {
    std::env::var(EXPIRY_VAR)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(PAGE_LIFETIME, |s| {
            Duration::from_secs(s.max(1)).min(PAGE_LIFETIME)
        })
}

/// A page being served.
pub struct Served {
    /// What the user opens.
    pub url: String,
    /// The elicitation's id (random; not the path token).
    pub elicitation_id: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Served {
    /// Ends the server (a no-op when it has ended); the port is closed when this returns.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The page's fixed facts, moved into its thread.
struct State {
    host: String,
    origin: String,
    path: String,
    csrf: String,
    name: String,
    html: String,
    description: Option<String>,
    policy: crate::egress::Policy,
    max_body: usize,
}

fn random_hex() -> Result<String, Reply> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        Reply::error(
            format!("vault: no random numbers for the page token: {e}"),
            "failed",
            Vec::new(),
        )
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `text` for HTML text and attribute values.
#[must_use]
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push_str(&format!("&#{};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The server of one page.
pub struct Page;

impl Page {
    /// Binds 127.0.0.1 on a random port and serves the page until it is used, declined,
    /// stopped or expired; the outcome arrives on `events`.
    pub fn serve(
        request: &SecretRequest,
        lifetime: Duration,
        events: Sender<Event>,
    ) -> Result<Served, Reply> {
        let names = vec![request.name.to_string()];
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| {
                Reply::error(
                    format!("vault: cannot serve the page on 127.0.0.1: {e}"),
                    "failed",
                    names.clone(),
                )
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| Reply::error(format!("vault: {e}"), "failed", names.clone()))?
            .port();
        let token = random_hex()?;
        let csrf = random_hex()?;
        let elicitation_id = random_hex()?;
        let host = format!("127.0.0.1:{port}");
        let path = format!("/s/{token}");
        let url = format!("http://{host}{path}");
        let until = humantime::format_rfc3339_seconds(std::time::SystemTime::now() + lifetime);
        let state = State {
            origin: format!("http://{host}"),
            html: form_html(request, &path, &csrf, &until.to_string()),
            host,
            path,
            csrf,
            name: request.name.to_string(),
            description: request.description.clone(),
            policy: request.policy.clone(),
            max_body: request.name.max_value_len() * 3 + 1024,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let deadline = Instant::now() + lifetime;
        let thread = std::thread::spawn(move || {
            let outcome = accept_loop(&listener, &state, &flag, deadline);
            drop(listener);
            if let Some(o) = outcome {
                let _ = events.send(Event::Page(o));
            }
        });
        Ok(Served {
            url,
            elicitation_id,
            stop,
            thread: Some(thread),
        })
    }
}

fn accept_loop(
    listener: &TcpListener,
    state: &State,
    stop: &AtomicBool,
    deadline: Instant,
) -> Option<Outcome> {
    loop {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        if Instant::now() >= deadline {
            return Some(Outcome::Expired);
        }
        match listener.accept() {
            Ok((stream, _)) => {
                if let Some(outcome) = handle(stream, state) {
                    return Some(outcome);
                }
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Headers on every response.
const HEADERS: &str = "Cache-Control: no-store\r\nPragma: no-cache\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\nX-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n";

fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n{HEADERS}\r\n",
        body.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .and_then(|()| stream.flush());
}

fn message_page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>vault</title></head><body><h1>{}</h1><p>{}</p></body></html>",
        html_escape(title),
        html_escape(text)
    )
}

/// A request head: method, path, and the headers (names lower-cased).
struct Head {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

const MAX_HEAD: usize = 16 * 1024;

/// Reads the head; the bytes after it (the body's start) are returned too.
fn read_head(stream: &mut TcpStream) -> Option<(Head, Zeroizing<Vec<u8>>)> {
    let mut buf = Zeroizing::new(Vec::with_capacity(4096));
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    chunk.fill(0);
    let text = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = Zeroizing::new(buf[end + 4..].to_vec());
    Some((
        Head {
            method,
            path,
            headers,
        },
        rest,
    ))
}

/// Compares without stopping at the first difference (the token is the capability).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Serves one connection; `Some` when the page is finished.
fn handle(mut stream: TcpStream, state: &State) -> Option<Outcome> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let Some((head, mut body)) = read_head(&mut stream) else {
        respond(
            &mut stream,
            "400 Bad Request",
            &message_page("Bad request", ""),
        );
        return None;
    };
    // DNS rebinding: a page of another site, resolved to 127.0.0.1, carries its own Host.
    if head.header("host") != Some(state.host.as_str()) {
        respond(
            &mut stream,
            "421 Misdirected Request",
            &message_page("Wrong host", "open the link exactly as given"),
        );
        return None;
    }
    if !same(&head.path, &state.path) {
        respond(&mut stream, "404 Not Found", &message_page("Not found", ""));
        return None;
    }
    match head.method.as_str() {
        "GET" => {
            respond(&mut stream, "200 OK", &state.html);
            return None;
        }
        "POST" => {}
        _ => {
            respond(
                &mut stream,
                "405 Method Not Allowed",
                &message_page("Method not allowed", ""),
            );
            return None;
        }
    }
    // CSRF: a browser always sends Origin on a form POST; it must be this page's.
    if head.header("origin").is_some_and(|o| o != state.origin)
        || head
            .header("sec-fetch-site")
            .is_some_and(|s| s != "same-origin" && s != "none")
    {
        respond(
            &mut stream,
            "403 Forbidden",
            &message_page(
                "Refused",
                "this form only accepts its own page's submissions",
            ),
        );
        return None;
    }
    if !head
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
    {
        respond(
            &mut stream,
            "415 Unsupported Media Type",
            &message_page("Refused", "submit the form"),
        );
        return None;
    }
    let Some(length) = head
        .header("content-length")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l <= state.max_body)
    else {
        respond(
            &mut stream,
            "413 Content Too Large",
            &message_page("Refused", "the value is too long"),
        );
        return None;
    };
    let mut chunk = Zeroizing::new([0u8; 4096]);
    while body.len() < length {
        match stream.read(&mut chunk[..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    if body.len() < length {
        respond(
            &mut stream,
            "400 Bad Request",
            &message_page("Bad request", "the form arrived incomplete"),
        );
        return None;
    }
    body.truncate(length);
    let form = Form::parse(&body);
    if !form.csrf.as_deref().is_some_and(|c| same(c, &state.csrf)) {
        respond(
            &mut stream,
            "403 Forbidden",
            &message_page(
                "Refused",
                "the form's token is missing or wrong; reload the link",
            ),
        );
        return None;
    }
    if form.action.as_deref() == Some("decline") {
        respond(
            &mut stream,
            "200 OK",
            &message_page("Declined", "nothing was stored; you can close this page"),
        );
        return Some(Outcome::Declined);
    }
    let Some(value) = form.value else {
        respond(
            &mut stream,
            "400 Bad Request",
            &message_page("No value", "type the value, or decline"),
        );
        return None;
    };
    let value = SecretValue::new(value);
    let name = crate::secret::SecretName::parse(&state.name).ok()?;
    if let Err(e) = value.check(&name, false) {
        respond(
            &mut stream,
            "400 Bad Request",
            &message_page(
                "Not stored",
                &format!("{}; go back and try again", e.message),
            ),
        );
        return None;
    }
    match store_new(state, &name, value) {
        Ok(()) => {
            respond(
                &mut stream,
                "200 OK",
                &message_page(
                    &format!("Stored {}", state.name),
                    "the agent can now use it by name; you can close this page",
                ),
            );
            Some(Outcome::Stored)
        }
        Err(e) => {
            respond(
                &mut stream,
                "409 Conflict",
                &message_page("Not stored", &e.message),
            );
            Some(Outcome::Failed(e.message))
        }
    }
}

/// The form's fields; the value is decoded straight into zeroized memory.
struct Form {
    csrf: Option<String>,
    action: Option<String>,
    value: Option<Zeroizing<Vec<u8>>>,
}

impl Form {
    fn parse(body: &[u8]) -> Form {
        let mut form = Form {
            csrf: None,
            action: None,
            value: None,
        };
        for pair in body.split(|b| *b == b'&') {
            let (key, raw) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            let decoded = decode(raw);
            match key {
                b"csrf" => form.csrf = Some(String::from_utf8_lossy(&decoded).into_owned()),
                b"action" => form.action = Some(String::from_utf8_lossy(&decoded).into_owned()),
                b"value" => form.value = Some(decoded),
                // Anything else (a `name`, an `allow`) is ignored: both are fixed here.
                _ => {}
            }
        }
        form
    }
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space, `%XX` a byte).
fn decode(raw: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(raw.len()));
    let hex = |b: u8| (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => {
                if let (Some(h), Some(l)) = (hex(raw[i + 1]), hex(raw[i + 2])) {
                    out.push(h << 4 | l);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Stores the value under the new name, write-once, under the store lock.
fn store_new(
    state: &State,
    name: &crate::secret::SecretName,
    value: SecretValue,
) -> crate::error::Result<()> {
    let mut opened = crate::cmd::open()?;
    let description = state.description.clone();
    let policy = state.policy.clone();
    opened.modify(|contents| {
        if contents.secrets.contains_key(name.as_str()) {
            return Err(crate::error::Error::new(
                crate::exit::Exit::CantCreate,
                format!("{name} already exists; values are write-once"),
            ));
        }
        contents.secrets.insert(
            name.as_str().to_string(),
            Entry::new(value, now(), description, policy),
        );
        let mut entry = audit::Entry::new("set", vec![name.to_string()]);
        entry.note = Some("typed on the one-time page of vault mcp request_secret".into());
        Ok(((), entry))
    })
}

fn form_html(request: &SecretRequest, path: &str, csrf: &str, until: &str) -> String {
    let name = html_escape(request.name.as_str());
    let description = request
        .description
        .as_deref()
        .map(|d| format!("<p class=\"d\">{}</p>", html_escape(d)))
        .unwrap_or_default();
    let policy = html_escape(&request.policy.summary());
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\"><title>vault: {name}</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}}input{{width:100%;font-size:1.1em;padding:.4em}}button{{font-size:1em;margin:.8em .5em 0 0;padding:.4em 1em}}.d{{background:#f4f4f4;padding:.6em}}code{{background:#eee;padding:0 .2em}}</style></head><body>\
<h1>A value for <code>{name}</code></h1>\
<p>The AI agent connected to <code>vault mcp</code> asks for a new secret named <code>{name}</code>. What you type goes straight into your vault store, encrypted; the agent never sees it.</p>{description}\
<p><strong>Where it may be sent:</strong> {policy}. If that is not where this value belongs, decline.</p>\
<form method=\"post\" action=\"{path}\" autocomplete=\"off\">\
<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
<label>Value<br><input type=\"password\" name=\"value\" autocomplete=\"off\" autofocus></label><br>\
<button type=\"submit\" name=\"action\" value=\"store\">Store</button>\
<button type=\"submit\" name=\"action\" value=\"decline\">Decline</button>\
</form><p>This page works once and expires at {until}.</p></body></html>",
        until = html_escape(until),
    )
}

#[cfg(test)]
mod tests {
    use super::{Form, decode, html_escape, same};

    #[test]
    fn form_decoding() {
        assert_eq!(&decode(b"a+b%20c%2")[..], b"a b c%2");
        assert_eq!(&decode(b"%41%4a%zz")[..], b"AJ%zz");
        let f = Form::parse(b"csrf=t&value=s%26cret%3D&name=OTHER&allow=*");
        assert_eq!(f.csrf.as_deref(), Some("t"));
        assert_eq!(&f.value.unwrap()[..], b"s&cret=");
    }

    #[test]
    fn escaping_and_comparison() {
        assert_eq!(
            html_escape("<a href='x'>&\"\n"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&#10;"
        );
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}

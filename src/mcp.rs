//! `vault mcp`: a Model Context Protocol server on stdin/stdout (JSON-RPC 2.0, one message
//! per line), written by hand on `serde_json` and threads: no async runtime.
//!
//! Protocol revision implemented: MCP 2025-11-25 (initialize, ping, tools/list, tools/call;
//! URL-mode elicitation: `elicitation/create` with `mode: "url"` and
//! `notifications/elicitation/complete`). 2025-06-18, 2025-03-26 and 2024-11-05 clients are
//! answered in their own revision, without elicitation. The stateless 2026-07-28 revision's
//! `server/discover` is answered "method not found", which makes clients fall back to the
//! `initialize` handshake.
//!
//! Rooms:
//! - this file: the message loop, the handshake, dispatch, audit of every call, and the
//!   `request_secret` conversation (it needs the loop: the server asks the client);
//! - [`tools`]: the tool list and `list_secrets`, `check`, `run`;
//! - [`page`]: the one-time page on 127.0.0.1 where the user types a requested value.
//!
//! No tool returns a value, a length or a hash of one, widens a policy, adds a recipient or
//! replaces a secret.

pub mod page;
pub mod tools;

use std::io::{BufRead, Write};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use serde_json::{Value, json};

use crate::audit;

/// The newest revision spoken, and the ones also accepted.
pub const PROTOCOL: &str = "2025-11-25";
const OLDER: &[&str] = &["2025-06-18", "2025-03-26", "2024-11-05"];

/// A line longer than this is refused (a tool call's argv is far smaller).
const MAX_LINE: usize = 8 << 20;

/// What the loop waits for.
pub enum Event {
    /// One line from stdin.
    Line(String),
    /// stdin closed: the client is gone.
    Eof,
    /// The one-time page finished.
    Page(page::Outcome),
}

/// A tool's answer: text for the model, and whether it is an error.
pub struct Reply {
    /// What the model reads.
    pub text: String,
    /// `isError`: the tool refused or failed.
    pub is_error: bool,
    /// The audited decision (never a value).
    pub decision: String,
    /// The secret names concerned.
    pub names: Vec<String>,
}

impl Reply {
    /// A successful answer.
    #[must_use]
    pub fn ok(text: impl Into<String>, decision: &str, names: Vec<String>) -> Reply {
        Reply {
            text: text.into(),
            is_error: false,
            decision: decision.into(),
            names,
        }
    }

    /// A refusal: text says why and what to do.
    #[must_use]
    pub fn error(text: impl Into<String>, decision: &str, names: Vec<String>) -> Reply {
        Reply {
            text: text.into(),
            is_error: true,
            decision: decision.into(),
            names,
        }
    }
}

/// The server's state.
struct Server<W: Write> {
    out: W,
    events: Receiver<Event>,
    sender: Sender<Event>,
    /// The client declared `elicitation.url` and speaks 2025-11-25.
    url_elicitation: bool,
    next_id: u64,
}

/// Serves until stdin closes.
pub fn serve(input: impl BufRead + Send + 'static, out: impl Write) {
    let (sender, events) = channel();
    let reader = sender.clone();
    std::thread::spawn(move || read_lines(input, &reader));
    let mut server = Server {
        out,
        events,
        sender,
        url_elicitation: false,
        next_id: 0,
    };
    while let Ok(event) = server.events.recv() {
        match event {
            Event::Line(line) => server.message(&line),
            Event::Eof => break,
            // A page outcome outside a request_secret call (it was cancelled): ignore.
            Event::Page(_) => {}
        }
    }
}

fn read_lines(mut input: impl BufRead, to: &Sender<Event>) {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match std::io::Read::take(&mut input, MAX_LINE as u64 + 1).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf).trim().to_string();
                if !line.is_empty() && to.send(Event::Line(line)).is_err() {
                    return;
                }
            }
        }
    }
    let _ = to.send(Event::Eof);
}

impl<W: Write> Server<W> {
    fn send(&mut self, message: &Value) {
        let mut line = serde_json::to_vec(message).unwrap_or_default();
        line.push(b'\n');
        let _ = self.out.write_all(&line).and_then(|()| self.out.flush());
    }

    fn respond(&mut self, id: &Value, result: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
    }

    fn respond_error(&mut self, id: &Value, code: i64, message: &str) {
        self.send(
            &json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } }),
        );
    }

    /// One incoming message outside a request_secret wait.
    fn message(&mut self, line: &str) {
        let Ok(msg) = serde_json::from_str::<Value>(line) else {
            self.respond_error(&Value::Null, -32700, "parse error");
            return;
        };
        let Some(method) = msg.get("method").and_then(Value::as_str) else {
            // A response to a request of ours that nobody waits for any more.
            return;
        };
        let Some(id) = msg.get("id").cloned() else {
            // Notifications (initialized, cancelled, …) need no answer.
            return;
        };
        let params = msg.get("params").cloned().unwrap_or(Value::Null);
        match method {
            "initialize" => {
                let result = self.initialize(&params);
                self.respond(&id, result);
            }
            "ping" => self.respond(&id, json!({})),
            "tools/list" => self.respond(&id, json!({ "tools": tools::list() })),
            "tools/call" => {
                let result = self.call(&id, &params);
                self.respond(&id, result);
            }
            _ => self.respond_error(&id, -32601, "method not found"),
        }
    }

    fn initialize(&mut self, params: &Value) -> Value {
        let asked = params
            .get("protocolVersion")
            .and_then(Value::as_str)
            .unwrap_or(PROTOCOL);
        let version = if asked == PROTOCOL || OLDER.contains(&asked) {
            asked
        } else {
            PROTOCOL
        };
        self.url_elicitation = version == PROTOCOL
            && params
                .pointer("/capabilities/elicitation/url")
                .is_some_and(Value::is_object);
        json!({
            "protocolVersion": version,
            "capabilities": { "tools": {} },
            "serverInfo": { "name": "vault", "version": env!("CARGO_PKG_VERSION") },
            "instructions": crate::cmd::agent::INSTRUCTIONS,
        })
    }

    /// `tools/call`: runs the tool, audits the call, and shapes the result.
    fn call(&mut self, id: &Value, params: &Value) -> Value {
        let name = params.get("name").and_then(Value::as_str).unwrap_or("");
        let args = params
            .get("arguments")
            .cloned()
            .unwrap_or_else(|| json!({}));
        let reply = match name {
            "list_secrets" => tools::list_secrets(),
            "check" => tools::check(&args),
            "run" => tools::run(&args),
            "request_secret" => self.request_secret(id, &args),
            _ => Reply::error(
                format!(
                    "no tool named {}; tools/list shows them",
                    tools::clean(name, 64)
                ),
                "unknown tool",
                Vec::new(),
            ),
        };
        record(name, &reply);
        json!({
            "content": [{ "type": "text", "text": reply.text }],
            "isError": reply.is_error,
        })
    }

    /// `request_secret`: a one-time page on 127.0.0.1, shown to the user through URL-mode
    /// elicitation; the loop keeps answering pings while it waits.
    fn request_secret(&mut self, call_id: &Value, args: &Value) -> Reply {
        let request = match tools::SecretRequest::parse(args) {
            Ok(r) => r,
            Err(reply) => return reply,
        };
        let names = vec![request.name.to_string()];
        if !self.url_elicitation {
            return Reply::ok(
                format!(
                    "not stored: this client cannot show the user a link (no URL-mode elicitation). Ask the user to run this in their own terminal, where they will type the value:\n\n    {}\n\nNever ask for the value in the chat.",
                    request.set_command()
                ),
                "no URL elicitation: vault set line given",
                names,
            );
        }
        let expiry = page::expiry();
        let served = match page::Page::serve(&request, expiry, self.sender.clone()) {
            Ok(p) => p,
            Err(reply) => return reply,
        };
        self.next_id += 1;
        let elicit_id = format!("vault-elicit-{}", self.next_id);
        let elicitation_id = served.elicitation_id.clone();
        self.send(&json!({
            "jsonrpc": "2.0",
            "id": elicit_id,
            "method": "elicitation/create",
            "params": {
                "mode": "url",
                "elicitationId": elicitation_id,
                "url": served.url,
                "message": format!(
                    "vault: type the value for {} on this one-time page (127.0.0.1, expires in {} minutes). The agent never sees it.",
                    request.name,
                    expiry.as_secs().div_ceil(60)
                ),
            }
        }));
        let outcome = loop {
            let Ok(event) = self.events.recv() else {
                break page::Outcome::Cancelled;
            };
            match event {
                Event::Page(outcome) => break outcome,
                Event::Eof => {
                    // Let the main loop see the end too.
                    let _ = self.sender.send(Event::Eof);
                    break page::Outcome::Cancelled;
                }
                Event::Line(line) => {
                    let Ok(msg) = serde_json::from_str::<Value>(&line) else {
                        continue;
                    };
                    if msg.get("method").is_none() && msg.get("id") == Some(&json!(elicit_id)) {
                        let action = msg.pointer("/result/action").and_then(Value::as_str);
                        if action != Some("accept") {
                            break page::Outcome::Declined;
                        }
                        continue;
                    }
                    match msg.get("method").and_then(Value::as_str) {
                        Some("notifications/cancelled")
                            if msg.pointer("/params/requestId") == Some(call_id) =>
                        {
                            break page::Outcome::Cancelled;
                        }
                        Some("ping") => {
                            if let Some(id) = msg.get("id").cloned() {
                                self.respond(&id, json!({}));
                            }
                        }
                        Some(_) => {
                            if let Some(id) = msg.get("id").cloned() {
                                self.respond_error(
                                    &id,
                                    -32000,
                                    "busy: request_secret is waiting for the user",
                                );
                            }
                        }
                        None => {}
                    }
                }
            }
        };
        served.stop();
        if matches!(outcome, page::Outcome::Stored) {
            self.send(&json!({
                "jsonrpc": "2.0",
                "method": "notifications/elicitation/complete",
                "params": { "elicitationId": elicitation_id },
            }));
        }
        outcome.reply(&request)
    }
}

/// Audits one tool call: the tool, the names, the decision; never an argument that could
/// hold a value (argv is audited by the `vault run` it starts, redacted).
fn record(tool: &str, reply: &Reply) {
    let Ok(paths) = crate::config::Paths::locate() else {
        return;
    };
    if !paths.store().exists() {
        return;
    }
    let mut entry = audit::Entry::new("mcp", reply.names.clone());
    entry.note = Some(format!("tool {}", tools::clean(tool, 64)));
    entry.decision = Some(Value::String(reply.decision.clone()));
    let _ = audit::append(&paths, entry);
}

/// How long the one-time page lives by default.
pub const PAGE_LIFETIME: Duration = Duration::from_secs(600);

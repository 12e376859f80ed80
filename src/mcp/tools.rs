//! The tools `vault mcp` offers: their schemas (written for a model), and `list_secrets`,
//! `check` and `run`. `request_secret`'s arguments are parsed here; its conversation is in
//! `mcp.rs`, its page in `page.rs`.
//!
//! `run` starts this very binary as `vault run --no-pty --json-summary FILE -- argv` in a
//! session of its own, so it has exactly `vault run`'s semantics (placeholders, `--only`,
//! the egress check, redaction, the exit status) and no terminal (a confirm rule refuses).
//! `check` calls the same decision, `egress::check_argv`, that `vault run` makes.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::channel;
use std::time::Duration;

use serde_json::{Value, json};

use super::Reply;
use crate::egress;
use crate::hook::sh_quote;
use crate::inject;
use crate::redact::{Patterns, Redactor};
use crate::secret::SecretName;

/// Output kept per stream of a `run`.
pub const OUTPUT_CAP: usize = 64 * 1024;
/// `timeout_s` when none is given, and the most allowed.
const DEFAULT_TIMEOUT: u64 = 120;
const MAX_TIMEOUT: u64 = 3600;

/// The tools, as `tools/list` returns them.
#[must_use]
pub fn list() -> Value {
    let argv = json!({
        "type": "array", "items": { "type": "string" }, "minItems": 1,
        "description": "The command and its arguments, one string each (no shell: use [\"bash\", \"-c\", \"…\"] for one). Write {{secure.NAME}} where a secret's value belongs; vault substitutes it after you have written the command."
    });
    let only = json!({
        "type": "array", "items": { "type": "string" },
        "description": "Inject only these secrets (by name). Without it every secret is injected as an environment variable, or only those the placeholders name."
    });
    json!([
        {
            "name": "list_secrets",
            "description": "List the secrets in the user's vault: name, description and where each may be sent (its egress policy). Never a value. Use the names as {{secure.NAME}} in `run` argv, or as $NAME in the command's environment.",
            "inputSchema": { "type": "object", "properties": {}, "additionalProperties": false },
            "annotations": { "readOnlyHint": true }
        },
        {
            "name": "check",
            "description": "Say whether `run` would allow this command (its network destinations against each injected secret's policy) without running anything.",
            "inputSchema": {
                "type": "object",
                "properties": { "argv": argv, "only": only },
                "required": ["argv"], "additionalProperties": false
            },
            "annotations": { "readOnlyHint": true }
        },
        {
            "name": "run",
            "description": "Run a command with the user's secrets, exactly as `vault run` does: secrets are injected as environment variables and {{secure.NAME}} placeholders, the destinations in argv are checked against each secret's policy, and every byte of stdout and stderr is redacted ([REDACTED:NAME]) before you see it. Output is capped at 64 KiB per stream. A refusal says why and what to do. Never try to print or encode a value: it is redacted, and the attempt is in the audit log.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "argv": argv,
                    "cwd": { "type": "string", "description": "Working directory (default: the server's)." },
                    "stdin": { "type": "string", "description": "Text given to the command on stdin (default: none)." },
                    "timeout_s": { "type": "number", "description": "Seconds before the command is killed (default 120, at most 3600)." },
                    "only": only
                },
                "required": ["argv"], "additionalProperties": false
            }
        },
        {
            "name": "request_secret",
            "description": "Ask the user for a secret you need that is not stored yet. The user types it on a one-time local page (the client shows them the link); it is stored under NAME and you never see it. Then use it as {{secure.NAME}}. Returns `stored NAME`, `declined` or `expired`. Only new names: an existing secret cannot be replaced this way. Never ask for a value in the chat.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "name": { "type": "string", "description": "The new secret's name: letters, digits and _, not starting with a digit (also its environment variable name)." },
                    "description": { "type": "string", "description": "One line telling the user what the value is and where to get it." },
                    "allow": { "type": "array", "items": { "type": "string" }, "description": "Host patterns the value may be sent to (api.example.com, *.example.com, host:port). The user sees them on the page." }
                },
                "required": ["name"], "additionalProperties": false
            }
        }
    ])
}

/// `text` made safe to show: control characters escaped, at most `max` characters.
#[must_use]
pub fn clean(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// `text` with every stored value (and encoding) redacted, control characters escaped.
fn scrub(patterns: &Arc<Patterns>, text: &str) -> String {
    let mut r = Redactor::new(Arc::clone(patterns));
    let mut out = Vec::with_capacity(text.len());
    r.feed(text.as_bytes(), &mut out);
    r.finish(&mut out);
    clean(&String::from_utf8_lossy(&out), usize::MAX)
}

fn refusal(e: &crate::error::Error, decision: &str) -> Reply {
    let mut text = format!("vault: error: {}", e.message);
    if let Some(h) = &e.hint {
        text.push_str(&format!("\nvault: hint: {h}"));
    }
    Reply::error(text, decision, Vec::new())
}

/// A list of strings argument, or a refusal naming it.
fn strings(args: &Value, key: &str) -> Result<Vec<String>, Reply> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad_argument(key, "an array of strings")),
        Some(_) => Err(bad_argument(key, "an array of strings")),
    }
}

fn bad_argument(key: &str, what: &str) -> Reply {
    Reply::error(
        format!("the argument `{key}` must be {what}"),
        "bad arguments",
        Vec::new(),
    )
}

fn argv_of(args: &Value) -> Result<Vec<String>, Reply> {
    let argv = strings(args, "argv")?;
    if argv.is_empty() {
        return Err(bad_argument("argv", "a non-empty array of strings"));
    }
    if argv.iter().any(|a| a.contains('\0')) {
        return Err(bad_argument("argv", "free of NUL characters"));
    }
    Ok(argv)
}

/// `list_secrets`: names, descriptions and policies; never a value, a length or a hash.
#[must_use]
pub fn list_secrets() -> Reply {
    let opened = match crate::cmd::open() {
        Ok(o) => o,
        Err(e) => return refusal(&e, "store not opened"),
    };
    let patterns = crate::cmd::run::patterns(&opened);
    let items: Vec<Value> = opened
        .contents
        .secrets
        .iter()
        .map(|(name, e)| {
            json!({
                "name": name,
                "description": e.description.as_deref().map(|d| scrub(&patterns, &clean(d, 1024))),
                "policy": e.policy.summary(),
                // Under `--net broker` the command holds a stand-in, and the value goes only
                // into requests to allowed hosts; `never`: injected for real.
                "brokered": e.policy.broker != crate::egress::policy::Brokering::Never,
            })
        })
        .collect();
    let names = opened.contents.secrets.keys().cloned().collect();
    let text = format!(
        "{}\nUse a secret as {{{{secure.NAME}}}} in `run` argv or as $NAME in the command's environment; its policy says which hosts it may be sent to.",
        serde_json::to_string_pretty(&items).unwrap_or_default()
    );
    Reply::ok(text, "listed", names)
}

/// `check`: the decision `vault run` would make, and the destinations it found.
#[must_use]
pub fn check(args: &Value) -> Reply {
    let (argv, only) = match (argv_of(args), strings(args, "only")) {
        (Ok(a), Ok(o)) => (a, o),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let opened = match crate::cmd::open() {
        Ok(o) => o,
        Err(e) => return refusal(&e, "store not opened"),
    };
    let os: Vec<OsString> = argv.iter().map(OsString::from).collect();
    let plan = match inject::plan(&opened.contents, &only, &os) {
        Ok(p) => p,
        Err(e) => return refusal(&e, "refused: injection plan"),
    };
    let names: Vec<String> = plan.env.iter().map(ToString::to_string).collect();
    let secrets: Vec<(&str, &egress::Policy)> = plan
        .entries(&opened.contents)
        .into_iter()
        .map(|(n, e)| (n.as_str(), &e.policy))
        .collect();
    let patterns = crate::cmd::run::patterns(&opened);
    let text = |s: &str| scrub(&patterns, s);
    let destinations = if secrets.is_empty() {
        "not checked: no secret is injected".to_string()
    } else {
        match egress::destinations(&argv) {
            Ok(d) if d.is_empty() => "none found in argv".to_string(),
            Ok(d) => d
                .iter()
                .map(|d| format!("{} ({})", text(&d.to_string()), text(&d.source)))
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => format!("cannot be checked: {}", text(&e.to_string())),
        }
    };
    let (verdict, advice) = match crate::cmd::run::argv_check(&opened, &plan, &argv).decision {
        egress::Decision::Allow => ("allow".to_string(), String::new()),
        egress::Decision::Deny(denials) => (
            format!(
                "deny: {}",
                denials
                    .iter()
                    .map(|d| text(&d.to_string()))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            denials.first().map_or_else(String::new, |d| advice_deny(&d.secret, &text(&d.destination))),
        ),
        egress::Decision::Confirm(pairs) => (
            format!(
                "confirm (refused under vault mcp: there is no terminal to ask): {}",
                pairs
                    .iter()
                    .map(|(s, h)| format!("{s} -> {}", text(h)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "What to do: leave those secrets out with \"only\", or ask the user to run the command in their own terminal.".to_string(),
        ),
        egress::Decision::Refuse(e) => (
            format!("refuse: the destination cannot be checked: {}", text(&e.to_string())),
            "What to do: run the command without proxies, config files or header tricks that hide where it connects.".to_string(),
        ),
    };
    let decision = verdict.split(':').next().unwrap_or("").to_string();
    let injected = if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    };
    let mut out =
        format!("decision: {verdict}\nsecrets injected: {injected}\ndestinations: {destinations}");
    if !advice.is_empty() {
        out.push('\n');
        out.push_str(&advice);
    }
    Reply::ok(out, &decision, names)
}

fn advice_deny(name: &str, host: &str) -> String {
    format!(
        "What to do: if the command does not need {name}, pass \"only\" with just the secrets it needs; otherwise ask the user to allow the host by running `vault policy set {name} --allow {host}` in their own terminal (an agent cannot widen a policy)."
    )
}

/// The network mode `run` uses: the strictest available, as extra `vault run` arguments and
/// the words the result states. The coordinator wires `--net strict` here once it exists.
fn net_mode() -> (Vec<&'static str>, String) {
    // The strictest mode that keeps `vault run`'s meaning: under strict the network obeys
    // the policy; broker would hand the command stand-ins instead of values, which changes
    // what the command can do, so it is the user's choice (config.toml `net = "broker"`
    // still applies: config can only tighten).
    match crate::net::strict_available() {
        Ok(()) => (
            vec!["--net", "strict"],
            "strict (its own network namespace: only hosts every injected secret allows are reachable)".to_string(),
        ),
        Err(why) => (
            Vec::new(),
            format!(
                "argv (network namespaces are unavailable here: {}; only destinations readable in argv are checked)",
                why.cause
            ),
        ),
    }
}

/// One captured stream: the first [`OUTPUT_CAP`] bytes and how many more there were.
struct Captured {
    kept: Vec<u8>,
    dropped: u64,
}

fn capture(mut from: impl Read) -> Captured {
    let mut kept = Vec::new();
    let mut dropped = 0u64;
    let mut buf = [0u8; 8192];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = OUTPUT_CAP.saturating_sub(kept.len()).min(n);
                kept.extend_from_slice(&buf[..room]);
                dropped += (n - room) as u64;
            }
        }
    }
    Captured { kept, dropped }
}

fn shown(label: &str, c: Option<&Captured>) -> String {
    let Some(c) = c else {
        return format!("{label}: (still held open by a process that outlived the command)\n");
    };
    let mut s = format!("{label}:\n{}", String::from_utf8_lossy(&c.kept));
    if !s.ends_with('\n') {
        s.push('\n');
    }
    if c.dropped > 0 {
        s.push_str(&format!(
            "[truncated: {} more bytes not shown (64 KiB per stream); redirect to a file and read parts of it]\n",
            c.dropped
        ));
    }
    s
}

/// `run`: the command under `vault run`, in a session of its own.
#[must_use]
pub fn run(args: &Value) -> Reply {
    let (argv, only) = match (argv_of(args), strings(args, "only")) {
        (Ok(a), Ok(o)) => (a, o),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let stdin = match args.get("stdin") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return bad_argument("stdin", "a string"),
    };
    let cwd = match args.get("cwd") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return bad_argument("cwd", "a string"),
    };
    let timeout = match args.get("timeout_s") {
        None | Some(Value::Null) => DEFAULT_TIMEOUT as f64,
        Some(v) => match v.as_f64() {
            Some(t) if t > 0.0 => t.min(MAX_TIMEOUT as f64),
            _ => return bad_argument("timeout_s", "a positive number of seconds"),
        },
    };
    let names = only.clone();
    let (net_args, net_label) = net_mode();
    let summary = match tempfile::NamedTempFile::new() {
        Ok(f) => f,
        Err(e) => {
            return Reply::error(
                format!("vault: cannot create a temporary file: {e}"),
                "failed",
                names,
            );
        }
    };
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            return Reply::error(
                format!("vault: cannot find its own binary: {e}"),
                "failed",
                names,
            );
        }
    };
    let mut cmd = Command::new(exe);
    // The same store the server lists, wherever the command runs.
    if let Ok(paths) = crate::config::Paths::locate() {
        cmd.arg("--store").arg(paths.home);
    }
    cmd.arg("run").arg("--no-pty").args(net_args);
    if !only.is_empty() {
        cmd.arg("--only").arg(only.join(","));
    }
    cmd.arg("--json-summary")
        .arg(summary.path())
        .arg("--")
        .args(&argv);
    if let Some(dir) = &cwd {
        cmd.current_dir(dir);
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    crate::pty::detached(&mut cmd);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Reply::error(
                format!(
                    "vault: cannot start `vault run`: {e} (cwd {})",
                    cwd.as_deref().map_or("unchanged".into(), |c| clean(c, 256))
                ),
                "failed",
                names,
            );
        }
    };
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        std::thread::spawn(move || {
            let _ = pipe.write_all(text.as_bytes());
        });
    }
    let (out_tx, out_rx) = channel();
    let (err_tx, err_rx) = channel();
    if let Some(pipe) = child.stdout.take() {
        std::thread::spawn(move || out_tx.send(capture(pipe)));
    }
    if let Some(pipe) = child.stderr.take() {
        std::thread::spawn(move || err_tx.send(capture(pipe)));
    }
    let pid = child.id();
    let (done_tx, done_rx) = channel();
    std::thread::spawn(move || done_tx.send(child.wait()));
    let mut timed_out = false;
    let status = match done_rx.recv_timeout(Duration::from_secs_f64(timeout)) {
        Ok(s) => s.ok(),
        Err(_) => {
            timed_out = true;
            kill_command(pid);
            match done_rx.recv_timeout(Duration::from_secs(5)) {
                Ok(s) => s.ok(),
                Err(_) => {
                    kill_group(pid);
                    done_rx.recv().ok().and_then(Result::ok)
                }
            }
        }
    };
    // A background process the command left behind may hold the pipes open.
    let grace = Duration::from_secs(2);
    let out = out_rx.recv_timeout(grace).ok();
    let err = err_rx.recv_timeout(grace).ok();
    let ran: Option<Value> = std::fs::read(summary.path())
        .ok()
        .filter(|b| !b.is_empty())
        .and_then(|b| serde_json::from_slice(&b).ok());
    let stderr_text = err
        .as_ref()
        .map(|c| String::from_utf8_lossy(&c.kept).into_owned())
        .unwrap_or_default();
    let Some(ran) = ran else {
        // vault run refused (or failed) before starting the command.
        let mut text = format!(
            "vault refused to run the command; it was not started.\n{}",
            stderr_text.trim_end()
        );
        if stderr_text.contains("may not be sent to") {
            text.push_str("\nWhat to do: if the command does not need the secret named, pass \"only\" with just the secrets it needs; otherwise ask the user to run the `vault policy set …` line above in their own terminal (an agent cannot widen a policy).");
        } else if stderr_text.contains("confirmation") {
            text.push_str("\nWhat to do: confirm rules need a person at a terminal; leave those secrets out with \"only\", or ask the user to run the command themselves.");
        }
        if timed_out {
            text.push_str(&format!("\n(killed after the {timeout} s timeout)"));
        }
        let code = status.and_then(|s| s.code()).unwrap_or(-1);
        return Reply::error(text, &format!("refused (vault exit {code})"), names);
    };
    let code = ran.get("exit").and_then(Value::as_i64).unwrap_or(-1);
    let secrets: Vec<String> = ran
        .get("secrets")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut text = format!("exit code: {code}\nnetwork: {net_label}\n");
    if timed_out {
        text.push_str(&format!(
            "killed: the {timeout} s timeout ran out (the command's process group was killed)\n"
        ));
    }
    text.push_str(&shown("stdout", out.as_ref()));
    text.push_str(&shown("stderr", err.as_ref()));
    let decision = format!(
        "ran (exit {code}, network {})",
        net_label.split(' ').next().unwrap_or("")
    );
    Reply::ok(text, &decision, secrets)
}

/// The `vault run` child's own children: the command, each the leader of its own session
/// and process group (`pty.rs` starts it with setsid).
fn command_groups(pid: u32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_ascii_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// The timeout: SIGKILL to the command's whole process group; `vault run` then sees it
/// killed, audits the run and exits.
fn kill_command(pid: u32) {
    for child in command_groups(pid) {
        if let Some(p) = rustix::process::Pid::from_raw(child) {
            let _ = rustix::process::kill_process_group(p, rustix::process::Signal::KILL);
        }
    }
}

/// Last resort: `vault run` itself (its child then gets SIGHUP from PR_SET_PDEATHSIG).
fn kill_group(pid: u32) {
    if let Some(p) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(p, rustix::process::Signal::KILL);
    }
}

/// `request_secret`'s arguments, checked, and the store checked for the name.
pub struct SecretRequest {
    /// The new secret's name.
    pub name: SecretName,
    /// Shown on the page and stored.
    pub description: Option<String>,
    /// `allow` patterns as given.
    pub allow: Vec<String>,
    /// The policy built from them.
    pub policy: egress::Policy,
}

impl SecretRequest {
    /// Parses and checks; an existing name is refused here, before any page is served.
    pub fn parse(args: &Value) -> Result<SecretRequest, Reply> {
        let Some(raw) = args.get("name").and_then(Value::as_str) else {
            return Err(bad_argument("name", "a string"));
        };
        let name = SecretName::parse(raw).map_err(|e| refusal(&e, "bad name"))?;
        let description = match args.get("description") {
            None | Some(Value::Null) => None,
            Some(Value::String(d)) if d.len() <= 1024 && !d.chars().any(char::is_control) => {
                Some(d.clone())
            }
            Some(_) => {
                return Err(bad_argument(
                    "description",
                    "one line of at most 1024 bytes",
                ));
            }
        };
        let allow = strings(args, "allow")?;
        let policy = egress::Policy::from_lists(&allow, &[], &[]).map_err(|e| {
            Reply::error(
                format!("vault: error: {e}\nvault: hint: patterns are host, *.domain or *, each with an optional :port"),
                "bad pattern",
                vec![name.to_string()],
            )
        })?;
        let opened = crate::cmd::open().map_err(|e| refusal(&e, "store not opened"))?;
        if opened.contents.get(&name).is_some() {
            return Err(Reply::error(
                format!(
                    "{name} already exists; values are write-once and request_secret only creates new secrets. Use the stored {name} as {{{{secure.{name}}}}}; if it must be replaced, the user runs `vault set {name} --replace` in their own terminal."
                ),
                "refused: exists",
                vec![name.to_string()],
            ));
        }
        Ok(SecretRequest {
            name,
            description,
            allow,
            policy,
        })
    }

    /// The `vault set` line the user can run instead, every word quoted for a shell.
    #[must_use]
    pub fn set_command(&self) -> String {
        let mut line = format!("vault set {}", self.name);
        for host in &self.allow {
            line.push_str(&format!(" --allow {}", sh_quote(host)));
        }
        if let Some(d) = &self.description {
            line.push_str(&format!(" --description {}", sh_quote(d)));
        }
        line
    }
}

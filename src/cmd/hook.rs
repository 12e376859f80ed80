//! `vault hook claude-code` (answer one PreToolUse call) and `vault hook install` (add
//! that hook to Claude Code's settings). The decisions are in `hook.rs`.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::audit;
use crate::cli::{ClaudeCodeHookArgs, HookAgent, HookCommand, HookInstallArgs};
use crate::egress;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::hook::{self, Payload};
use crate::inject;

/// Runs `vault hook …`.
pub fn run(command: &HookCommand) -> Result<Exit> {
    match command {
        HookCommand::ClaudeCode(a) => claude_code(a),
        HookCommand::Install(a) => install(a),
    }
}

/// Largest hook payload read (a Bash command of Claude Code's is far smaller).
const MAX_PAYLOAD: u64 = 4 << 20;

fn claude_code(args: &ClaudeCodeHookArgs) -> Result<Exit> {
    let mut text = String::new();
    let read = std::io::stdin()
        .lock()
        .take(MAX_PAYLOAD)
        .read_to_string(&mut text);
    let payload = read
        .map_err(|e| format!("cannot read the hook input ({e}); blocking the call"))
        .and_then(|_| hook::parse(&text));
    let (command, input) = match payload {
        Ok(Payload::Other | Payload::Wrapped) => return Ok(Exit::Success),
        Ok(Payload::Bash { command, input }) => (command, input),
        // Exit 2 (`Exit::Usage`): Claude Code blocks the call and shows stderr.
        Err(reason) => {
            eprintln!("vault: {reason}");
            return Ok(Exit::Usage);
        }
    };
    let answer = match refusal(&command) {
        Some(reason) => hook::deny(&reason),
        None => hook::rewrite(input, hook::wrap(&self_word(), &command), args.auto_approve),
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &answer)
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(out))
        .map_err(|e| Error::io("stdout", &e))?;
    Ok(Exit::Success)
}

/// The program to call in the rewritten command: this binary, as a shell word.
fn self_word() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.to_str().map(hook::sh_quote))
        .unwrap_or_else(|| "vault".to_string())
}

/// Why `vault run -- bash -c COMMAND` would be refused before it starts (the same
/// decision `vault run` makes), or `None` when it may run. A store that cannot be opened
/// refuses too: the rewritten command could not run either.
fn refusal(command: &str) -> Option<String> {
    let opened = match crate::cmd::open() {
        Ok(o) => o,
        Err(e) => return Some(format!("vault: {}", e.message)),
    };
    let argv: Vec<OsString> = ["bash", "-c", command].iter().map(OsString::from).collect();
    let plan = match inject::plan(&opened.contents, &[], &argv) {
        Ok(p) => p,
        Err(e) => return Some(format!("vault: {}", e.message)),
    };
    let template: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let patterns = crate::cmd::run::patterns(&opened);
    let scrub = |s: String| {
        let mut r = crate::redact::Redactor::new(std::sync::Arc::clone(&patterns));
        let mut out = Vec::new();
        r.feed(s.as_bytes(), &mut out);
        r.finish(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    };
    let reason = match crate::cmd::run::argv_check(&opened, &plan, &template).decision {
        egress::Decision::Allow => return None,
        egress::Decision::Deny(denials) => {
            let names: Vec<&str> = denials.iter().map(|d| d.secret.as_str()).collect();
            let lines: Vec<String> = denials.iter().map(ToString::to_string).collect();
            format!(
                "vault: {}. If the command does not need {}, write `vault run --only NAME -- …` naming only the secrets it needs; otherwise ask the user to allow the host with `vault policy set {} --allow HOST`",
                lines.join("; "),
                names.first().unwrap_or(&"a secret"),
                names.first().unwrap_or(&"NAME")
            )
        }
        egress::Decision::Confirm(pairs) => {
            let list: Vec<String> = pairs.iter().map(|(s, h)| format!("{s} -> {h}")).collect();
            format!(
                "vault: {} need a confirmation typed at a terminal, which an agent's command does not have; ask the user to run it themselves, or use `--only` to leave those secrets out",
                list.join(", ")
            )
        }
        egress::Decision::Refuse(evasion) => format!(
            "vault: the destination cannot be checked: {evasion}; run the command without proxies, config files or header tricks"
        ),
    };
    let reason = scrub(reason);
    let mut entry = audit::Entry::new(
        "hook-deny",
        plan.env.iter().map(ToString::to_string).collect(),
    );
    entry.note = Some(reason.clone());
    let _ = audit::append(&opened.paths, entry);
    Some(reason)
}

/// What `vault hook install` writes into Claude Code's settings.
fn hook_entry(command: &str) -> Value {
    json!({
        "matcher": "Bash",
        "hooks": [{ "type": "command", "command": command }]
    })
}

fn install(args: &HookInstallArgs) -> Result<Exit> {
    let HookAgent::ClaudeCode = args.agent;
    let (file, command) = if args.project {
        // A committed file: other people's vault is on their PATH, not at this path.
        (
            PathBuf::from(".claude/settings.json"),
            "vault hook claude-code".to_string(),
        )
    } else {
        let home = dirs::home_dir().ok_or_else(|| {
            Error::new(
                Exit::Failure,
                "cannot find your home directory for ~/.claude",
            )
            .hint("use --project, or set HOME")
        })?;
        (
            home.join(".claude/settings.json"),
            format!("{} hook claude-code", self_word()),
        )
    };
    let existing = match std::fs::read(&file) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(file.display(), &e)),
    };
    let mut settings: Value = match &existing {
        None => json!({}),
        Some(bytes) => serde_json::from_slice(bytes).map_err(|e| {
            Error::new(
                Exit::Config,
                format!(
                    "{} is not valid JSON ({e}); it was not changed",
                    file.display()
                ),
            )
            .hint("fix the file, then run this again")
        })?,
    };
    let malformed = |what: &str| {
        Error::new(
            Exit::Config,
            format!("{}: {what}; it was not changed", file.display()),
        )
    };
    let root = settings
        .as_object_mut()
        .ok_or_else(|| malformed("the settings are not a JSON object"))?;
    let hooks = root
        .entry("hooks")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| malformed("\"hooks\" is not an object"))?;
    let pre = hooks
        .entry("PreToolUse")
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .ok_or_else(|| malformed("\"hooks.PreToolUse\" is not an array"))?;
    let present = pre.iter().any(|m| {
        m.get("hooks").and_then(Value::as_array).is_some_and(|hs| {
            hs.iter().any(|h| {
                h.get("command")
                    .and_then(Value::as_str)
                    .is_some_and(|c| c.contains("hook claude-code"))
            })
        })
    });
    if present {
        eprintln!(
            "vault: {} already runs `vault hook claude-code`; nothing changed",
            file.display()
        );
        return Ok(Exit::Success);
    }
    let entry = hook_entry(&command);
    eprintln!(
        "vault: adding to hooks.PreToolUse in {}:\n{}",
        file.display(),
        serde_json::to_string_pretty(&entry).unwrap_or_default()
    );
    pre.push(entry);
    let mut text = serde_json::to_vec_pretty(&settings)
        .map_err(std::io::Error::other)
        .map_err(|e| Error::io("settings", &e))?;
    text.push(b'\n');
    write_atomic(&file, &text)?;
    eprintln!(
        "vault: installed; Claude Code runs its Bash commands under `vault run` from its next session"
    );
    Ok(Exit::Success)
}

/// Writes `file` whole or not at all: a temporary file beside it, fsynced, renamed over it,
/// and the directory fsynced. A new directory is created; an existing file keeps its mode.
fn write_atomic(file: &Path, bytes: &[u8]) -> Result<()> {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let shown = file.display().to_string();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display(), &e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(&shown, &e))?;
    if let Ok(meta) = std::fs::metadata(file) {
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(&shown, &e))?;
    tmp.persist(file).map_err(|e| Error::io(&shown, &e.error))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir.display(), &e))
}

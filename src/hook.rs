//! Agent hooks, pure: Claude Code's PreToolUse payload in, its answer out, and the shell
//! quoting that wraps a command as `vault run -- bash -c '<command>'`.
//!
//! Contract implemented: Claude Code hooks reference (code.claude.com/docs/en/hooks, as
//! documented 2026-02 to 2026-04): the hook reads one JSON object on stdin with
//! `hook_event_name`, `tool_name` and `tool_input` (for Bash: `command`, optional
//! `description`, `timeout`, `run_in_background`); it answers on stdout with exit 0 and
//! `{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision":
//! "allow"|"deny"|"ask", "permissionDecisionReason": …, "updatedInput": {…}}}`; exit 2
//! blocks the call with stderr as the reason. The I/O lives in `cmd/hook.rs`.

use serde_json::{Value, json};

/// What the hook makes of one payload.
#[derive(Debug, PartialEq, Eq)]
pub enum Payload {
    /// Not a Bash call (or not PreToolUse): no opinion, the call proceeds as it would.
    Other,
    /// A Bash call already under `vault run`: no opinion.
    Wrapped,
    /// A Bash call to check and rewrite: its command and the whole `tool_input`.
    Bash {
        /// The command as the agent wrote it.
        command: String,
        /// Every field of `tool_input`, kept in the rewritten input.
        input: serde_json::Map<String, Value>,
    },
}

/// Reads the payload; an error is a one-line reason (the hook then blocks the call).
pub fn parse(text: &str) -> Result<Payload, String> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| format!("the hook input is not JSON ({e}); blocking the call"))?;
    let event = v.get("hook_event_name").and_then(Value::as_str);
    if event.is_some_and(|e| e != "PreToolUse")
        || v.get("tool_name").and_then(Value::as_str) != Some("Bash")
    {
        return Ok(Payload::Other);
    }
    let input = v
        .get("tool_input")
        .and_then(Value::as_object)
        .ok_or("the Bash call has no tool_input object; blocking the call")?
        .clone();
    let command = input
        .get("command")
        .and_then(Value::as_str)
        .ok_or("the Bash call has no command string; blocking the call")?
        .to_string();
    if command.contains('\0') {
        return Err(
            "the command holds a NUL byte, which no shell can run; blocking the call".into(),
        );
    }
    if already_wrapped(&command) {
        return Ok(Payload::Wrapped);
    }
    Ok(Payload::Bash { command, input })
}

/// Whether the command already starts with `vault run` (after leading blanks), so
/// wrapping it again would only nest a second `vault run`.
#[must_use]
pub fn already_wrapped(command: &str) -> bool {
    let mut words = command.split_ascii_whitespace();
    matches!(
        (words.next(), words.next()),
        (Some(w), Some("run")) if w == "vault" || w.ends_with("/vault")
    )
}

/// `s` as one POSIX shell word: single quotes, each `'` as `'\''`.
#[must_use]
pub fn sh_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// The command rewritten to run under vault: `VAULT run -- bash -c '<command>'`, where
/// `vault` is the program to call, already quoted as a shell word.
#[must_use]
pub fn wrap(vault: &str, command: &str) -> String {
    format!("{vault} run -- bash -c {}", sh_quote(command))
}

/// The answer that runs the rewritten command: `ask` (the user approves it as before) or,
/// with `auto_approve`, `allow`.
#[must_use]
pub fn rewrite(
    mut input: serde_json::Map<String, Value>,
    wrapped: String,
    auto_approve: bool,
) -> Value {
    input.insert("command".into(), Value::String(wrapped));
    json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": if auto_approve { "allow" } else { "ask" },
            "permissionDecisionReason": "vault: runs under `vault run` (secrets injected by name, output redacted)",
            "updatedInput": input,
        }
    })
}

/// The answer that blocks the call, with the reason Claude is shown.
#[must_use]
pub fn deny(reason: &str) -> Value {
    json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{Payload, already_wrapped, parse, sh_quote, wrap};
    use proptest::prelude::*;

    #[test]
    fn wrapped_commands_are_recognised() {
        assert!(already_wrapped("vault run -- make"));
        assert!(already_wrapped(
            "  /usr/local/bin/vault run --only A -- curl x"
        ));
        assert!(!already_wrapped("vaultrun x"));
        assert!(!already_wrapped("echo vault run"));
        assert!(!already_wrapped("vault list"));
    }

    #[test]
    fn payloads() {
        let bash = r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls -l","description":"list"}}"#;
        match parse(bash).unwrap() {
            Payload::Bash { command, input } => {
                assert_eq!(command, "ls -l");
                assert_eq!(input["description"], "list");
            }
            other => panic!("{other:?}"),
        }
        let edit = r#"{"hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{}}"#;
        assert_eq!(parse(edit).unwrap(), Payload::Other);
        assert!(parse("not json").is_err());
        assert!(parse(r#"{"tool_name":"Bash","tool_input":{}}"#).is_err());
    }

    /// Runs `bash -c <wrapped>` where `vault` is replaced by a stand-in that runs its argv
    /// after `--`, and returns what the inner command printed.
    fn through_bash(command: &str) -> Vec<u8> {
        let stand_in = "f() { shift; shift; \"$@\"; }; f";
        let script = wrap(stand_in, &format!("printf %s {}", sh_quote(command)));
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(&script)
            .output()
            .expect("bash runs");
        out.stdout
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The rewritten command, run by bash, runs exactly the original: here the original
        /// prints an arbitrary string, which must come back byte for byte.
        #[test]
        fn quoting_round_trips(s in "[\\PC\n\t'\"\\\\$`!*?~#;&|<>(){}\\[\\] ]{0,40}") {
            prop_assert_eq!(through_bash(&s), s.as_bytes());
        }
    }

    #[test]
    fn the_original_command_runs_unchanged() {
        let cmd = r#"x='a b'; printf '%s|' "$x" $x "it's" \$HOME; echo"#;
        let direct = std::process::Command::new("bash")
            .arg("-c")
            .arg(cmd)
            .output()
            .unwrap();
        let stand_in = "f() { shift; shift; \"$@\"; }; f";
        let wrapped = std::process::Command::new("bash")
            .arg("-c")
            .arg(wrap(stand_in, cmd))
            .output()
            .unwrap();
        assert_eq!(direct.stdout, wrapped.stdout);
    }
}

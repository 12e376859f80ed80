//! `vault set`: store one secret, its value read out of band.

use std::io::Read;

use zeroize::Zeroizing;

use crate::audit;
use crate::cli::{RuleArgs, SetArgs};
use crate::egress::Policy;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secret::{SecretName, SecretValue};
use crate::secrets::{Entry, now};

/// Stores the secret; refuses values in argv, bad names and values, and existing names
/// without `--replace`.
pub fn run(args: &SetArgs) -> Result<Exit> {
    if !args.value.is_empty() {
        return Err(Error::new(
            Exit::Usage,
            "refusing a value on the command line: it would be saved in shell history and visible in the process list",
        )
        .hint(format!("run `vault set {}` and type the value at the prompt, or pipe it on stdin", shown(&args.name))));
    }
    let name = SecretName::parse(&args.name)?;
    let policy = policy_from(&args.rules)?;
    if args.replace && !policy.is_empty() {
        return Err(Error::new(
            Exit::Usage,
            "--allow/--confirm/--deny with --replace: a replacement keeps the secret's policy",
        )
        .hint(format!(
            "change the policy with `vault policy set {name} …`"
        )));
    }
    let description = args.description.clone();
    if let Some(d) = &description {
        check_description(d)?;
    }
    let mut opened = crate::cmd::open()?;
    if !args.replace && opened.contents.get(&name).is_some() {
        return Err(exists(&name));
    }
    if args.replace && opened.contents.get(&name).is_none() {
        return Err(unknown(&opened.contents, &name));
    }
    let approved = crate::cmd::approvals::gate_write(&opened)?;
    let value = read_value(&name)?;
    value.check(&name, args.allow_short)?;
    let replaced = opened.modify(|contents| {
        let time = now();
        match contents.secrets.get_mut(name.as_str()) {
            Some(_) if !args.replace => Err(exists(&name)),
            Some(entry) => {
                entry.value = value;
                entry.updated = time;
                if description.is_some() {
                    entry.description = description;
                }
                Ok((true, audit::Entry::new("replace", vec![name.to_string()])))
            }
            None if args.replace => Err(unknown(contents, &name)),
            None => {
                contents.secrets.insert(
                    name.as_str().to_string(),
                    Entry::new(value, time, description, policy),
                );
                Ok((false, audit::Entry::new("set", vec![name.to_string()])))
            }
        }
    })?;
    eprintln!(
        "vault: {} {name}",
        if replaced { "replaced" } else { "stored" }
    );
    crate::cmd::approvals::after_write(&opened, approved, false)?;
    eprintln!(
        "{}",
        crate::trust::wrote_line(&opened.paths, &opened.contents)
    );
    Ok(Exit::Success)
}

fn shown(name: &str) -> &str {
    if SecretName::parse(name).is_ok() {
        name
    } else {
        "NAME"
    }
}

fn exists(name: &SecretName) -> Error {
    Error::new(
        Exit::CantCreate,
        format!("{name} already exists; values are write-once"),
    )
    .hint(format!("use `vault set {name} --replace` to replace it"))
}

/// The error for a name that is not in the store.
pub fn unknown(contents: &crate::secrets::Contents, name: &SecretName) -> Error {
    Error::new(
        Exit::DataErr,
        format!("no secret named {}", contents.shown(name)),
    )
    .hint("`vault list` shows the names")
}

/// Refuses a description that is not one line of at most 1024 bytes.
pub(crate) fn check_description(d: &str) -> Result<()> {
    if d.len() > 1024 || d.chars().any(char::is_control) {
        return Err(Error::new(
            Exit::DataErr,
            "a description must be one line of at most 1024 bytes",
        ));
    }
    Ok(())
}

/// Builds a policy from `--allow/--confirm/--deny` patterns, validating each.
pub fn policy_from(rules: &RuleArgs) -> Result<Policy> {
    let mut policy =
        Policy::from_lists(&rules.allow, &rules.confirm, &rules.deny).map_err(|e| {
            Error::new(Exit::DataErr, e.to_string())
                .hint("patterns are host, *.domain or *, each with an optional :port")
        })?;
    policy.broker = rules.broker.unwrap_or_default();
    Ok(policy)
}

/// Reads the value: a hidden prompt (twice) when stdin is a terminal, else all of stdin
/// with exactly one trailing `\n` or `\r\n` removed.
fn read_value(name: &SecretName) -> Result<SecretValue> {
    if rustix::termios::isatty(std::io::stdin()) {
        let first = crate::tty::prompt_hidden(&format!("value for {name}: "))?;
        let second = crate::tty::prompt_hidden("again, to confirm: ")?;
        if first.as_str() != second.as_str() {
            return Err(Error::new(
                Exit::DataErr,
                format!("the two entries for {name} differ; nothing was stored"),
            ));
        }
        return Ok(SecretValue::new(Zeroizing::new(first.as_bytes().to_vec())));
    }
    let max = name.max_value_len();
    let mut buf = Zeroizing::new(Vec::with_capacity(max + 3));
    std::io::stdin()
        .lock()
        .take(max as u64 + 3)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io("stdin", &e))?;
    let strip = if buf.ends_with(b"\r\n") {
        2
    } else {
        usize::from(buf.ends_with(b"\n"))
    };
    let keep = buf.len() - strip;
    buf.truncate(keep);
    Ok(SecretValue::new(buf))
}

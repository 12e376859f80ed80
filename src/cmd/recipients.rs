//! `vault recipients list|add|rm`: who the store is encrypted to.
//!
//! Both changes re-encrypt the store to the new set under the store lock (`Opened::modify`)
//! and are audited (action `recipients`). Adding widens who can read every value, so it
//! needs an approval (`approval::require`: a one-time code from the user's authenticator
//! app on their own terminal; refused otherwise, exit 77; no flag answers for the user).
//! Either change into a project store this user has not trusted needs that approval too. Removing is refused when the identity in use could no
//! longer open the result, and prints the secrets the removed member could read, which must
//! be rotated. For a project store the plain `recipients` file is rewritten afterwards.

use std::io::Write;

use serde::Serialize;

use crate::audit;
use crate::cli::{RecipientArgs, RecipientsCommand, RecipientsListArgs};
use crate::cmd::Opened;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::recipient;

/// Dispatches the subcommand.
pub fn run(cmd: &RecipientsCommand) -> Result<Exit> {
    match cmd {
        RecipientsCommand::List(a) => list(a),
        RecipientsCommand::Add(a) => add(a),
        RecipientsCommand::Rm(a) => rm(a),
    }
}

#[derive(Serialize)]
struct Row<'a> {
    key: &'a str,
    kind: &'static str,
    /// The identity in use is this recipient.
    you: bool,
}

/// Public keys of the identity in use.
pub(crate) fn mine(opened: &Opened) -> Vec<String> {
    opened
        .unlocked
        .material
        .iter()
        .filter_map(|m| recipient::of_identity_text(m, "the identity").ok())
        .flatten()
        .collect()
}

fn list(args: &RecipientsListArgs) -> Result<Exit> {
    let opened = crate::cmd::open()?;
    let me = mine(&opened);
    let rows: Vec<Row<'_>> = opened
        .contents
        .recipients
        .iter()
        .map(|r| Row {
            key: r,
            kind: recipient::kind(r).map_or("unknown", recipient::Kind::as_str),
            you: me.iter().any(|m| m == r),
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        crate::cmd::write_json(&mut out, &rows)
    } else {
        rows.iter().try_for_each(|r| {
            writeln!(
                out,
                "{}{}",
                crate::escape::text(r.key),
                if r.you { "  (you)" } else { "" }
            )
        })
    };
    written.map_err(|e| Error::io("stdout", &e))?;
    Ok(Exit::Success)
}

fn names(opened: &Opened) -> Vec<String> {
    opened.contents.secrets.keys().cloned().collect()
}

fn joined(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

fn add(args: &RecipientArgs) -> Result<Exit> {
    let key = recipient::canonical(&args.key)?;
    let mut opened = crate::cmd::open()?;
    if opened.contents.recipients.contains(&key) {
        return Err(Error::new(
            Exit::CantCreate,
            format!("{key} is already a recipient of this store"),
        ));
    }
    let all = names(&opened);
    let shown_key = crate::trust::escaped(&key);
    let mut detail = format!(
        "  {shown_key}\nWhoever holds its private key will be able to read every value in {}, now and in every later version: {} secret(s): {}.",
        crate::trust::escaped(&opened.paths.store().display().to_string()),
        all.len(),
        joined(&all)
    );
    // An untrusted project store: the one approval covers trusting it, so show why.
    let untrusted = crate::trust::untrusted(&opened.paths, &opened.contents)?;
    if let Some(why) = &untrusted {
        detail.push('\n');
        detail.push_str(&crate::trust::describe(
            &opened.paths,
            &opened.contents,
            why,
            &mine(&opened),
        ));
    }
    crate::approval::require_with(
        &opened.paths,
        &crate::approval::Action::AddRecipient { key: &key },
        &detail,
    )
    .map_err(|e| {
        let mut err = Error::new(Exit::Denied, format!("recipient not added: {}", e.message));
        err.hint = e.hint;
        err
    })?;
    let before = opened.contents.recipients.clone();
    opened.modify(|contents| {
        if contents.recipients != before {
            return Err(changed_meanwhile());
        }
        contents.recipients.push(key.clone());
        let mut a = audit::Entry::new("recipients", contents.secrets.keys().cloned().collect());
        a.decision = Some(serde_json::json!({ "added": key }));
        Ok(((), a))
    })?;
    crate::cmd::approvals::after_write(&opened, untrusted.is_some(), true)?;
    rewrite_plain_file(&opened)?;
    eprintln!("vault: added recipient {shown_key}");
    eprintln!(
        "{}",
        crate::trust::wrote_line(&opened.paths, &opened.contents)
    );
    eprintln!(
        "vault: they can read {} secret(s) once they have this store.age (commit and push it)",
        all.len()
    );
    Ok(Exit::Success)
}

fn rm(args: &RecipientArgs) -> Result<Exit> {
    let key = recipient::canonical(&args.key)?;
    let mut opened = crate::cmd::open()?;
    if !opened.contents.recipients.contains(&key) {
        return Err(Error::new(
            Exit::DataErr,
            format!("{key} is not a recipient of this store"),
        )
        .hint("`vault recipients list` shows them"));
    }
    let before = opened.contents.recipients.clone();
    let after: Vec<String> = before.iter().filter(|r| **r != key).cloned().collect();
    if after.is_empty() {
        return Err(Error::new(
            Exit::Denied,
            "refusing to remove the last recipient: nobody could open the store",
        ));
    }
    if !crate::seal::opens(&after, &opened.unlocked.identities)? {
        return Err(Error::new(
            Exit::Denied,
            format!("refusing to remove {key}: it is the last recipient your identity can decrypt with, so you could not open the store afterwards"),
        )
        .hint("add your own key first, or let another member remove it"));
    }
    let rotate = names(&opened);
    let approved = crate::cmd::approvals::gate_write(&opened)?;
    opened.modify(|contents| {
        if contents.recipients != before {
            return Err(changed_meanwhile());
        }
        contents.recipients.clone_from(&after);
        let mut a = audit::Entry::new("recipients", contents.secrets.keys().cloned().collect());
        a.decision = Some(serde_json::json!({ "removed": key }));
        a.note = Some("every listed secret must be rotated".into());
        Ok(((), a))
    })?;
    crate::cmd::approvals::after_write(&opened, approved, true)?;
    rewrite_plain_file(&opened)?;
    eprintln!("vault: removed recipient {}", crate::trust::escaped(&key));
    eprintln!(
        "{}",
        crate::trust::wrote_line(&opened.paths, &opened.contents)
    );
    if rotate.is_empty() {
        eprintln!("vault: the store holds no secrets, so there is nothing to rotate");
    } else {
        eprintln!(
            "vault: rotate the values they could read ({} secret(s)): {}",
            rotate.len(),
            joined(&rotate)
        );
        eprintln!(
            "vault: they may have copies, and older versions of store.age (in git history, backups) still open with their key; `vault set NAME --replace` after changing each at its source"
        );
    }
    Ok(Exit::Success)
}

fn changed_meanwhile() -> Error {
    Error::new(
        Exit::Failure,
        "the recipients changed meanwhile; nothing done, try again",
    )
}

/// Project stores: rewrite the informational `recipients` file from the store's list.
fn rewrite_plain_file(opened: &Opened) -> Result<()> {
    if crate::discover::is_project(&opened.paths) {
        crate::project::write_recipients(&opened.paths, &opened.contents.recipients).map_err(
            |e| {
                Error::new(
                    e.exit,
                    format!(
                        "the store was re-encrypted, but the plain recipients file was not rewritten: {}",
                        e.message
                    ),
                )
            },
        )?;
    }
    Ok(())
}

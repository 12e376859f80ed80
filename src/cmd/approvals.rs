//! `vault approvals status|enrol|trust|accept-rollback`, and the trust gate that every
//! write into a project store passes (`gate_write`).

use crate::approval::{self, Action};
use crate::cli::ApprovalsCommand;
use crate::cmd::Opened;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::trust;

/// Dispatches the subcommand.
pub fn run(cmd: &ApprovalsCommand) -> Result<Exit> {
    match cmd {
        ApprovalsCommand::Status => status(),
        ApprovalsCommand::Enrol => {
            let paths = crate::config::Paths::locate()?;
            crate::store::check_home(&paths)?;
            approval::enrol(&paths)?;
            Ok(Exit::Success)
        }
        ApprovalsCommand::Trust => trust_here(),
        ApprovalsCommand::AcceptRollback => accept_rollback(),
    }
}

/// Before writing into a project store: when this user has not approved its id and exact
/// recipient set, show its path and every recipient and require an approval. Returns true
/// when the store must be recorded as trusted after the write ([`after_write`]).
///
/// # Errors
/// `Exit::Denied` when the approval is not given (nothing is written).
pub fn gate_write(opened: &Opened) -> Result<bool> {
    let Some(why) = trust::untrusted(&opened.paths, &opened.contents)? else {
        return Ok(false);
    };
    let mine = crate::cmd::recipients::mine(opened);
    let detail = trust::describe(&opened.paths, &opened.contents, &why, &mine);
    let store = opened.paths.store();
    approval::require_with(&opened.paths, &Action::TrustStore { path: &store }, &detail).map_err(
        |e| {
            let mut err = Error::new(
                Exit::Denied,
                format!(
                    "nothing written: {}; readable by {}; {}",
                    trust::reason(&opened.paths, &why),
                    trust::listed(&opened.contents.recipients, &mine),
                    e.message
                ),
            );
            err.hint = e.hint;
            err
        },
    )?;
    Ok(true)
}

/// After a write: records the (new) recipient set as trusted when the write was approved
/// by [`gate_write`] or the store was trusted already (a recipients change by this user).
///
/// # Errors
/// State I/O failures.
pub fn after_write(opened: &Opened, approved: bool, recipients_changed: bool) -> Result<()> {
    if !crate::discover::is_project(&opened.paths) || !(approved || recipients_changed) {
        return Ok(());
    }
    if let Some(id) = &opened.contents.id {
        trust::record_trust(&opened.paths, id, &opened.contents.recipients)?;
    }
    Ok(())
}

fn trust_here() -> Result<Exit> {
    let opened = crate::cmd::open()?;
    if !crate::discover::is_project(&opened.paths) {
        eprintln!(
            "vault: {} is not a project store; only project stores (.vault/) need trust",
            trust::escaped(&opened.paths.store().display().to_string())
        );
        return Ok(Exit::Success);
    }
    let Some(why) = trust::untrusted(&opened.paths, &opened.contents)? else {
        eprintln!("vault: already trusted with its current recipients");
        return Ok(Exit::Success);
    };
    let mine = crate::cmd::recipients::mine(&opened);
    let detail = trust::describe(&opened.paths, &opened.contents, &why, &mine);
    let store = opened.paths.store();
    approval::require_with(&opened.paths, &Action::TrustStore { path: &store }, &detail)?;
    let Some(id) = &opened.contents.id else {
        // A store written before ids: give it one now (a write), then trust that.
        let mut opened = opened;
        opened.modify(|_| Ok(((), crate::audit::Entry::new("trust", Vec::new()))))?;
        after_write(&opened, true, false)?;
        eprintln!(
            "vault: trusted {}",
            trust::wrote_line(&opened.paths, &opened.contents)
        );
        return Ok(Exit::Success);
    };
    trust::record_trust(&opened.paths, id, &opened.contents.recipients)?;
    eprintln!(
        "vault: trusted {} with its {} recipient(s)",
        trust::escaped(&store.display().to_string()),
        opened.contents.recipients.len()
    );
    Ok(Exit::Success)
}

fn accept_rollback() -> Result<Exit> {
    let opened = crate::cmd::open_unchecked()?;
    let Some(id) = opened.contents.id.clone() else {
        eprintln!("vault: this store has no generation yet; nothing to accept");
        return Ok(Exit::Success);
    };
    let seen = trust::seen_generation(Some(&id))?;
    let found = opened.contents.generation;
    if found >= seen {
        eprintln!(
            "vault: the store is not older than any seen here (generation {found}); nothing to accept"
        );
        return Ok(Exit::Success);
    }
    approval::require(&opened.paths, &Action::AcceptRollback { seen, found })?;
    trust::accept_generation(&id, found)?;
    let mut entry = crate::audit::Entry::new("accept-rollback", Vec::new());
    entry.decision = Some(serde_json::json!({ "seen": seen, "found": found }));
    crate::audit::append(&opened.paths, entry)?;
    eprintln!("vault: accepted generation {found} (generation {seen} was seen before)");
    Ok(Exit::Success)
}

fn status() -> Result<Exit> {
    let paths = crate::config::Paths::locate()?;
    crate::store::check_home(&paths)?;
    let home = approval::factor_home(&paths)?;
    let shown = |p: &crate::config::Paths| trust::escaped(&p.store().display().to_string());
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok();
    let nested = approval::nested::inside_vault_terminal(tty.as_ref());
    match approval::enrolled(&paths) {
        Ok(true) => println!("factor: TOTP, enrolled in {}", shown(&home)),
        Ok(false) => println!(
            "factor: none enrolled in {} (every approval is refused; `vault approvals enrol` on your own terminal)",
            shown(&home)
        ),
        Err(e) => println!("factor: cannot be read ({})", e.message),
    }
    match (&nested, &tty) {
        (Some(why), _) => println!("this terminal: cannot approve ({why})"),
        (None, None) => println!("this terminal: none (approvals are refused here)"),
        (None, Some(_)) => println!("this terminal: can approve"),
    }
    if let Ok(opened) = crate::cmd::open_quiet() {
        let seen = trust::seen_generation(opened.contents.id.as_deref()).unwrap_or(0);
        println!(
            "store: {} generation {} (highest seen here: {seen})",
            shown(&opened.paths),
            opened.contents.generation
        );
        if crate::discover::is_project(&opened.paths) {
            match trust::untrusted(&opened.paths, &opened.contents)? {
                None => println!(
                    "trust: trusted for writes with its {} recipient(s)",
                    opened.contents.recipients.len()
                ),
                Some(why) => println!("trust: not trusted: {}", trust::reason(&opened.paths, &why)),
            }
        }
    }
    Ok(Exit::Success)
}

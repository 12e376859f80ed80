//! Rollback detection and project-store trust, both remembered in the user's state dir
//! (`state.rs`), outside the store and the repository.
//!
//! - Rollback: every write gives the store a higher generation; opening a store older than
//!   the highest generation this machine has seen for its id fails closed (exit 79), until
//!   `vault approvals accept-rollback` (an approval) accepts it.
//! - Trust: a project store (`.vault/`) is trusted for writes only when this user created it
//!   or approved its exact recipient set. Reading and running from it keep working.

use std::collections::BTreeSet;
use std::path::Path;

use crate::config::Paths;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secrets::Contents;
use crate::state::{self, StoreState};

/// Control characters escaped (`\u{1b}`, `\r`): strings from a store or a repository are
/// shown as data, never as terminal commands.
#[must_use]
pub fn escaped(s: &str) -> String {
    crate::escape::text(s).into_owned()
}

fn display(path: &Path) -> String {
    escaped(&path.display().to_string())
}

/// The rollback check at open: refuses a store older than `seen`, the newest generation
/// recorded for its id (read under the store lock when the store looked older, by a caller
/// that has released the lock since: the audit append below takes it), else remembers a newer
/// generation. A store without an id (written before ids existed) is not checked.
///
/// # Errors
/// `Exit::Rollback` for an older store; state I/O failures.
pub fn check_generation(paths: &Paths, contents: &Contents, seen: u64) -> Result<()> {
    let Some(id) = &contents.id else {
        return Ok(());
    };
    if contents.generation < seen {
        let mut entry = crate::audit::Entry::new("rollback-refused", Vec::new());
        entry.decision = Some(serde_json::json!({ "seen": seen, "found": contents.generation }));
        let _ = crate::audit::append(paths, entry);
        return Err(rolled_back(paths, seen, contents.generation));
    }
    if contents.generation > seen {
        remember_generation(paths, id, contents.generation)?;
    }
    Ok(())
}

/// The rollback error.
#[must_use]
pub fn rolled_back(paths: &Paths, seen: u64, found: u64) -> Error {
    Error::new(
        Exit::Rollback,
        format!(
            "{} is older than one this machine has already seen (generation {found} < {seen}) — rolled back?",
            display(&paths.store())
        ),
    )
    .hint("if you meant it (a deliberate revert), accept it on your own terminal: `vault approvals accept-rollback`")
}

/// The highest generation recorded for `id` (0 when none).
///
/// # Errors
/// State I/O failures.
pub fn seen_generation(id: Option<&str>) -> Result<u64> {
    let Some(id) = id else { return Ok(0) };
    Ok(state::load()?.stores.get(id).map_or(0, |s| s.generation))
}

/// Records `generation` for `id` if it is higher than what is recorded.
///
/// # Errors
/// State I/O failures.
pub fn remember_generation(paths: &Paths, id: &str, generation: u64) -> Result<()> {
    state::update(|s| {
        let entry = s
            .stores
            .entry(id.to_string())
            .or_insert_with(StoreState::default);
        let path = Some(paths.store().display().to_string());
        let changed = entry.generation < generation || entry.path != path;
        entry.generation = entry.generation.max(generation);
        entry.path = path;
        Ok((changed, ()))
    })
}

/// Accepts an older store: the recorded generation drops to `found`.
///
/// # Errors
/// State I/O failures.
pub fn accept_generation(id: &str, found: u64) -> Result<()> {
    state::update(|s| {
        let entry = s
            .stores
            .entry(id.to_string())
            .or_insert_with(StoreState::default);
        entry.generation = found;
        Ok((true, ()))
    })
}

fn sorted(recipients: &[String]) -> Vec<String> {
    recipients
        .iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Why a project store is not trusted for writes.
#[derive(Debug)]
pub enum Untrusted {
    /// This user never created or approved it.
    Unknown,
    /// Approved before, with another recipient set.
    Changed {
        /// Recipients now present that were not approved.
        added: Vec<String>,
        /// Approved recipients no longer present.
        removed: Vec<String>,
    },
}

/// `None` when writes to this store need no trust approval: not a project store, or one
/// whose id and exact recipient set this user created or approved.
///
/// # Errors
/// State I/O failures.
pub fn untrusted(paths: &Paths, contents: &Contents) -> Result<Option<Untrusted>> {
    if !crate::discover::is_project(paths) {
        return Ok(None);
    }
    let Some(id) = &contents.id else {
        return Ok(Some(Untrusted::Unknown));
    };
    let state = state::load()?;
    let Some(approved) = state.stores.get(id).and_then(|s| s.trusted.as_ref()) else {
        return Ok(Some(Untrusted::Unknown));
    };
    let now = sorted(&contents.recipients);
    if *approved == now {
        return Ok(None);
    }
    let added = now
        .iter()
        .filter(|r| !approved.contains(r))
        .cloned()
        .collect();
    let removed = approved
        .iter()
        .filter(|r| !now.contains(r))
        .cloned()
        .collect();
    Ok(Some(Untrusted::Changed { added, removed }))
}

/// Records `recipients` as the approved set of store `id` (a store may get its id only at
/// its first write; callers pass the id it has after that write).
///
/// # Errors
/// State I/O failures.
pub fn record_trust(paths: &Paths, id: &str, recipients: &[String]) -> Result<()> {
    let set = sorted(recipients);
    state::update(|s| {
        let entry = s
            .stores
            .entry(id.to_string())
            .or_insert_with(StoreState::default);
        let changed = entry.trusted.as_ref() != Some(&set);
        entry.trusted = Some(set);
        entry.path = Some(paths.store().display().to_string());
        Ok((changed, ()))
    })
}

/// What the user must see before trusting a store: its path and every recipient, escaped,
/// the identity in use marked.
#[must_use]
pub fn describe(paths: &Paths, contents: &Contents, why: &Untrusted, mine: &[String]) -> String {
    let mut text = match why {
        Untrusted::Unknown => format!(
            "vault: {} is a project store you did not create and have not approved.\nWhatever you write into it can be read by every one of its {} recipient(s):",
            display(&paths.store()),
            contents.recipients.len()
        ),
        Untrusted::Changed { added, removed } => {
            let list = |v: &[String]| {
                if v.is_empty() {
                    "none".to_string()
                } else {
                    v.iter().map(|r| escaped(r)).collect::<Vec<_>>().join(", ")
                }
            };
            format!(
                "vault: the recipients of {} changed since you approved it (added: {}; removed: {}).\nWhatever you write into it can be read by every one of its {} recipient(s):",
                display(&paths.store()),
                list(added),
                list(removed),
                contents.recipients.len()
            )
        }
    };
    for r in &contents.recipients {
        text.push_str("\n  ");
        text.push_str(&escaped(r));
        if mine.iter().any(|m| m == r) {
            text.push_str("  (you)");
        }
    }
    text
}

/// Every recipient on one line (escaped, the identity in use marked), for a refusal.
#[must_use]
pub fn listed(recipients: &[String], mine: &[String]) -> String {
    let items: Vec<String> = recipients
        .iter()
        .map(|r| {
            if mine.iter().any(|m| m == r) {
                format!("{} (you)", escaped(r))
            } else {
                escaped(r)
            }
        })
        .collect();
    format!("{} recipient(s): {}", recipients.len(), items.join(", "))
}

/// The one-line reason, for a refusal.
#[must_use]
pub fn reason(paths: &Paths, why: &Untrusted) -> String {
    match why {
        Untrusted::Unknown => format!(
            "{} is a project store you have not approved",
            display(&paths.store())
        ),
        Untrusted::Changed { added, removed } => format!(
            "the recipients of {} changed since you approved it ({} added, {} removed)",
            display(&paths.store()),
            added.len(),
            removed.len()
        ),
    }
}

/// The line `set`, `import` and `recipients` print after a write.
#[must_use]
pub fn wrote_line(paths: &Paths, contents: &Contents) -> String {
    format!(
        "vault: wrote {} (readable by {} recipient(s))",
        display(&paths.store()),
        contents.recipients.len()
    )
}

/// One line on a terminal when the store in use is a project store not trusted for writes
/// (reading and running from it keep working: CI clones a repository and runs from it).
pub fn notice_untrusted(paths: &Paths, contents: &Contents) {
    if !crate::discover::is_project(paths) || !rustix::termios::isatty(std::io::stderr()) {
        return;
    }
    if let Ok(Some(why)) = untrusted(paths, contents) {
        eprintln!(
            "vault: note: {}; writes will ask for an approval (`vault approvals trust`)",
            reason(paths, &why)
        );
    }
}

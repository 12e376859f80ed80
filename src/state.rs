//! The user's own state, kept outside every store and repository: what this machine has
//! seen and approved.
//!
//! `$XDG_STATE_HOME/vault/state.json` (`~/.local/state/vault` on Linux), mode 0600 in a 0700
//! directory, changed only under `state.lock` and replaced atomically (temp file, fsync,
//! rename, fsync of the directory). It holds, per store id, the highest generation seen (for
//! rollback detection) and the recipient set this user approved (project-store trust); per
//! approval factor, the last accepted TOTP time-step (replay) and the count of wrong codes
//! (lock-out). Nothing in it is secret; a same-user process can delete it, which forgets
//! what it remembers (see SECURITY.md).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::exit::Exit;

/// Everything remembered.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// By store id.
    pub stores: BTreeMap<String, StoreState>,
    /// By approval factor id.
    pub factors: BTreeMap<String, FactorState>,
}

/// What this machine knows about one store.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct StoreState {
    /// The highest generation seen.
    pub generation: u64,
    /// The recipient set (sorted) this user approved or created the store with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted: Option<Vec<String>>,
    /// Where it was last seen (for `vault approvals status`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Replay and lock-out memory of one approval factor.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct FactorState {
    /// The last accepted TOTP time-step; a code for this step or an earlier one is refused.
    pub last_step: u64,
    /// Wrong codes since the last accepted one.
    pub failures: u32,
    /// Unix seconds before which no code is asked for (after too many wrong ones).
    pub locked_until: u64,
}

/// The state directory.
///
/// # Errors
/// When no state directory can be found (no home directory).
pub fn dir() -> Result<PathBuf> {
    dirs::state_dir().map(|d| d.join("vault")).ok_or_else(|| {
        Error::new(
            Exit::Failure,
            "cannot find a state directory (for rollback and approval memory)",
        )
        .hint("set HOME or XDG_STATE_HOME")
    })
}

fn file() -> Result<PathBuf> {
    dir().map(|d| d.join("state.json"))
}

/// Reads the state; a missing file is the empty state.
///
/// # Errors
/// An unreadable or damaged file (fail closed: forgetting is not an option here).
pub fn load() -> Result<State> {
    let path = file()?;
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| {
            Error::new(
                Exit::IoErr,
                format!("{} is damaged (not the JSON vault wrote)", path.display()),
            )
            .hint("move it aside to start over: rollback and approval memory is then forgotten")
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(e) => Err(Error::io(path.display(), &e)),
    }
}

/// Read-modify-write under the state lock; `change` returns whether anything changed (the
/// file is written only then) and a value for the caller.
///
/// # Errors
/// When the state cannot be read, locked or written; nothing is written when `change` fails.
pub fn update<T>(change: impl FnOnce(&mut State) -> Result<(bool, T)>) -> Result<T> {
    let dir = dir()?;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| Error::io(dir.display(), &e))?;
    let lock_path = dir.join("state.lock");
    let lock = crate::store::lock_file(&lock_path)?;
    let mut state = load()?;
    let (changed, out) = change(&mut state)?;
    if changed {
        let bytes = serde_json::to_vec_pretty(&state)
            .map_err(|e| Error::new(Exit::Failure, format!("cannot serialise the state: {e}")))?;
        crate::store::replace_file(&dir.join("state.json"), &bytes)?;
    }
    drop(lock);
    Ok(out)
}

/// 16 random bytes as hex: store and factor ids.
///
/// # Errors
/// When the OS has no randomness to give.
pub fn random_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::new(Exit::Failure, format!("no randomness from the OS: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

//! `vault run --cache TTL`: a short-lived local copy of a remote store's secrets, so a loop
//! of agent tool calls does not pay a round trip per secret per call. Off by default.
//!
//! The cache holds values, so it is age-encrypted to the user's own identity (the one that
//! opens the personal store), written atomically with mode 0600 under the store's local
//! directory, bounded to [`MAX_TTL`], and deleted by every write vault makes to the store.

use std::path::PathBuf;

use crate::config::Paths;

/// The longest TTL accepted.
pub const MAX_TTL: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The cache file of a remote store's local directory.
#[must_use]
pub fn path(paths: &Paths) -> PathBuf {
    paths.home.join("cache.age")
}

/// Deletes the cache (after a write through vault).
pub fn invalidate(paths: &Paths) {
    let _ = std::fs::remove_file(path(paths));
}

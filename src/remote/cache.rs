//! `vault run --cache TTL`: a short-lived local copy of a remote store's secrets, so a loop
//! of agent tool calls does not pay a round trip per secret per call. Off by default.
//!
//! The cache holds values, so it is age-encrypted to the user's own identity (the one that
//! opens the personal store: VAULT_IDENTITY, the keyring, …), written atomically (temp file,
//! fsync, rename) with mode 0600 in the store's local directory, used only while younger than
//! the TTL the current command asks for (at most [`MAX_TTL`]), and deleted by every write
//! vault makes to the store. A change made on the server by another tool is seen once the
//! TTL has passed: that is the trade the flag asks for.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::{Config, Paths};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secrets::{Contents, now};
use crate::unlock::{self, Unlocked};

/// The longest TTL accepted.
pub const MAX_TTL: Duration = Duration::from_secs(15 * 60);

static TTL: OnceLock<Duration> = OnceLock::new();

/// Parses `--cache TTL` (`30s`, `5m`; at most [`MAX_TTL`]).
///
/// # Errors
/// A message for clap when the TTL does not parse or is too long.
pub fn parse_ttl(text: &str) -> std::result::Result<Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if d > MAX_TTL {
        return Err(format!(
            "at most {} (values cached longer outlive a rotation on the server)",
            humantime::format_duration(MAX_TTL)
        ));
    }
    Ok(d)
}

/// Turns the cache on for this process (`run --cache`).
pub fn enable(ttl: Duration) {
    let _ = TTL.set(ttl);
}

/// The TTL asked for, if any.
#[must_use]
pub fn ttl() -> Option<Duration> {
    TTL.get().copied().filter(|d| !d.is_zero())
}

/// The cache file of a remote store's local directory.
#[must_use]
pub fn path(paths: &Paths) -> PathBuf {
    paths.home.join("cache.age")
}

/// Deletes the cache (after a write through vault).
pub fn invalidate(paths: &Paths) {
    let _ = std::fs::remove_file(path(paths));
}

/// What the cache file holds (encrypted).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cached {
    /// The store URL it was read from.
    pub url: String,
    /// Unix seconds when it was read.
    pub written: u64,
    /// Entry versions (for a later `--replace` cas).
    pub versions: BTreeMap<String, u64>,
    /// Notes about unused entries.
    pub notes: Vec<String>,
    /// The secrets.
    pub contents: Contents,
}

/// The user's identity, to encrypt and decrypt the cache.
pub fn identity(personal: &Paths, config: &Config) -> Result<Unlocked> {
    unlock::unlock(personal, config).map_err(|e| {
        Error::new(
            e.exit,
            format!(
                "--cache needs your own identity to encrypt the cache: {}",
                e.message
            ),
        )
        .hint("set VAULT_IDENTITY or run `vault init` for a personal store; or run without --cache")
    })
}

/// The cache, when it is there, for `url`, and younger than `ttl`; `None` otherwise (a
/// cache that does not decrypt or parse is ignored and deleted: it is only a copy).
#[must_use]
pub fn load(paths: &Paths, url: &str, ttl: Duration, me: &Unlocked) -> Option<Cached> {
    let bytes = std::fs::read(path(paths)).ok()?;
    let plain = match crate::seal::decrypt(&bytes, &me.identities) {
        Ok(p) => p,
        Err(_) => {
            invalidate(paths);
            return None;
        }
    };
    let Ok(cached) = serde_json::from_slice::<Cached>(&plain) else {
        invalidate(paths);
        return None;
    };
    let age = now().checked_sub(cached.written)?;
    (cached.url == url && age < ttl.as_secs().max(1)).then_some(cached)
}

/// What [`save`] writes: [`Cached`], borrowed.
#[derive(Serialize)]
struct CachedRef<'a> {
    url: &'a str,
    written: u64,
    versions: &'a BTreeMap<String, u64>,
    notes: &'a [String],
    contents: &'a Contents,
}

/// Writes the cache, encrypted to `me`, atomically, mode 0600.
pub fn save(
    paths: &Paths,
    url: &str,
    versions: &BTreeMap<String, u64>,
    notes: &[String],
    contents: &Contents,
    me: &Unlocked,
) -> Result<()> {
    let cached = CachedRef {
        url,
        written: now(),
        versions,
        notes,
        contents,
    };
    let mut recipients = Vec::new();
    for m in &me.material {
        recipients.extend(unlock::recipients_of(m, "your identity")?);
    }
    if recipients.is_empty() {
        return Err(Error::new(
            Exit::Locked,
            "--cache: no recipient for your identity",
        ));
    }
    let mut plain = zeroize::Zeroizing::new(Vec::new());
    serde_json::to_writer(&mut *plain, &cached)
        .map_err(|e| Error::new(Exit::Failure, format!("cannot encode the cache: {e}")))?;
    let sealed = crate::seal::encrypt(&plain, &recipients)?;
    let dir = &paths.home;
    // NamedTempFile is created 0600 and renamed over the old cache in one step.
    let mut tmp = tempfile::Builder::new()
        .prefix(".cache.age.tmp.")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir.display(), &e))?;
    tmp.write_all(&sealed)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(dir.display(), &e))?;
    tmp.persist(path(paths))
        .map_err(|e| Error::io(path(paths).display(), &e.error))?;
    crate::store::sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::parse_ttl;

    #[test]
    fn ttl_is_bounded() {
        assert_eq!(parse_ttl("30s").unwrap().as_secs(), 30);
        assert!(parse_ttl("16m").is_err());
        assert!(parse_ttl("soon").is_err());
    }
}

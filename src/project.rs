//! The plain files of a project store (`.vault/`, committed with the project):
//! - `README`: one line saying what the folder is;
//! - `.gitignore`: keeps the local files (audit log, lock, identity, config, temp files)
//!   out of git;
//! - `recipients`: the public keys `store.age` is encrypted to, one per line. It is for
//!   people reading the repository; vault regenerates it on every recipients change and
//!   never reads it back. The list inside the encrypted store is the only source of truth,
//!   so editing this file cannot add a recipient.

use std::path::Path;

use crate::config::Paths;
use crate::error::{Error, Result};

/// `.vault/README`.
pub const README: &str = "This folder is a vault project store (`vault status` describes it): store.age holds this project's secrets, encrypted to the public keys listed in `recipients`; commit store.age, recipients, README and .gitignore, never the files .gitignore lists.\n";

/// `.vault/.gitignore`.
pub const GITIGNORE: &str = "\
# vault: local files that must never be committed
audit.jsonl
store.lock
identity.age
config.toml
# temp files of interrupted writes
.*.tmp.*
";

const RECIPIENTS_HEADER: &str = "\
# The public keys store.age is encrypted to, one per line.
# Informational only: vault rewrites this file on every recipients change and never reads
# it. The list inside the encrypted store is what counts (`vault recipients list`);
# editing this file adds or removes no one.
";

/// The plain recipients file of a project store.
#[must_use]
pub fn recipients_path(paths: &Paths) -> std::path::PathBuf {
    paths.home.join("recipients")
}

/// The text of the recipients file for `recipients`.
#[must_use]
pub fn recipients_text(recipients: &[String]) -> String {
    let mut text = RECIPIENTS_HEADER.to_string();
    for r in recipients {
        text.push_str(r);
        text.push('\n');
    }
    text
}

/// The plain files, by name.
const PLAIN_FILES: [&str; 3] = [".gitignore", "README", "recipients"];

/// The plain files as they were before `init --project` wrote any, to put back if it fails.
pub struct Before(Vec<(&'static str, Was)>);

enum Was {
    Absent,
    Content(Vec<u8>),
    /// Not readable as a file (a directory, no permission): left alone.
    Other,
}

/// Records the plain files before `init --project` writes them.
#[must_use]
pub fn snapshot(paths: &Paths) -> Before {
    Before(
        PLAIN_FILES
            .into_iter()
            .map(|name| {
                let was = match std::fs::read(paths.home.join(name)) {
                    Ok(bytes) => Was::Content(bytes),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Was::Absent,
                    Err(_) => Was::Other,
                };
                (name, was)
            })
            .collect(),
    )
}

/// Puts the plain files back as [`snapshot`] found them (when `init --project` fails before
/// the store exists): removes those it created, rewrites those it changed. Best effort.
pub fn restore(paths: &Paths, before: &Before) {
    for (name, was) in &before.0 {
        let path = paths.home.join(name);
        match was {
            Was::Absent => {
                let _ = std::fs::remove_file(&path);
            }
            Was::Content(bytes) => {
                if std::fs::read(&path).ok().as_ref() != Some(bytes) {
                    let _ = replace(&path, bytes);
                }
            }
            Was::Other => {}
        }
    }
}

/// Writes `README` and `.gitignore` (before anything else goes into a new `.vault`, so a
/// local file is never unignored even for a moment). A `.gitignore` that is already there is
/// kept, with any of vault's lines it lacks appended (a line before a later `!` negation
/// counts as lacking: the last matching line wins); a `README` that is there is kept.
pub fn write_static_files(paths: &Paths) -> Result<()> {
    let ignore = paths.home.join(".gitignore");
    match std::fs::read(&ignore) {
        Ok(before) => {
            let lines: Vec<&[u8]> = before
                .split(|&b| b == b'\n')
                .map(<[u8]>::trim_ascii)
                .collect();
            let after_negations = lines
                .iter()
                .rposition(|l| l.starts_with(b"!"))
                .map_or(&lines[..], |i| &lines[i + 1..]);
            let missing: Vec<&str> = GITIGNORE
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter(|l| !after_negations.contains(&l.as_bytes()))
                .collect();
            if !missing.is_empty() {
                let mut text = before.clone();
                if !text.is_empty() && !text.ends_with(b"\n") {
                    text.push(b'\n');
                }
                text.extend_from_slice(GITIGNORE.lines().next().unwrap_or_default().as_bytes());
                text.push(b'\n');
                for line in missing {
                    text.extend_from_slice(line.as_bytes());
                    text.push(b'\n');
                }
                replace(&ignore, &text)?;
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            replace(&ignore, GITIGNORE.as_bytes())?;
        }
        Err(e) => return Err(Error::io(ignore.display(), &e)),
    }
    let readme = paths.home.join("README");
    if std::fs::symlink_metadata(&readme).is_err() {
        replace(&readme, README.as_bytes())?;
    }
    Ok(())
}

/// Rewrites `recipients` from the store's list.
pub fn write_recipients(paths: &Paths, recipients: &[String]) -> Result<()> {
    replace(
        &recipients_path(paths),
        recipients_text(recipients).as_bytes(),
    )
}

/// Replaces `path` atomically: store.rs's one atomic-write helper.
pub fn replace(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::store::replace_file(path, bytes)
}

/// For `init --project` without an identity in the environment: the personal identity from
/// the OS keyring, when there is one (so one person uses one identity across projects).
/// `None` means "make a new identity, as `vault init` does".
pub fn personal_identity(
    paths: &Paths,
    config: &crate::config::Config,
    project: bool,
    passphrase: bool,
) -> Result<Option<(Vec<String>, crate::unlock::Route)>> {
    if !project || passphrase || !config.keyring {
        return Ok(None);
    }
    let Some(personal) = crate::discover::personal_home(paths) else {
        return Ok(None);
    };
    match crate::unlock::keyring_find(&personal) {
        Ok(Some((texts, _))) => {
            let mut recipients = Vec::new();
            for text in &texts {
                recipients.extend(crate::unlock::recipients_of(
                    text,
                    "your personal keyring entry",
                )?);
            }
            Ok(Some((recipients, crate::unlock::Route::PersonalKeyring)))
        }
        // No personal identity, or no keyring: behave like `vault init`.
        Ok(None) | Err(_) => Ok(None),
    }
}

/// After `init --project` wrote the store: the recipients file, and what to do next.
pub fn created(paths: &Paths, recipients: &[String]) -> Result<()> {
    write_recipients(paths, recipients)?;
    eprintln!(
        "vault: project store: commit {} (store.age, recipients, README, .gitignore); run `vault git-setup` for readable diffs and merges",
        paths.home.display()
    );
    Ok(())
}

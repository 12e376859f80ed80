//! Where vault keeps its files, and the user's preferences from `config.toml`.
//!
//! `config.toml` holds preferences only. Nothing in it can loosen a secret's policy, and an
//! unknown key is an error (a typo must not silently fall back to a default).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::exit::Exit;

/// The files of one vault home directory.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The directory itself (`$VAULT_HOME`, or `~/.local/share/vault`).
    pub home: PathBuf,
}

impl Paths {
    /// Resolves the home: `--store`, else `$VAULT_HOME`, else the nearest `.vault/` upward
    /// from the working directory, else the user's personal store (see `discover.rs`).
    pub fn locate() -> Result<Paths> {
        crate::discover::locate().map(|(paths, _)| paths)
    }

    /// The encrypted store.
    #[must_use]
    pub fn store(&self) -> PathBuf {
        self.home.join("store.age")
    }
    /// The lock file serialising every read-modify-write of the store.
    #[must_use]
    pub fn lock(&self) -> PathBuf {
        self.home.join("store.lock")
    }
    /// The append-only audit log.
    #[must_use]
    pub fn audit(&self) -> PathBuf {
        self.home.join("audit.jsonl")
    }
    /// Preferences.
    #[must_use]
    pub fn config(&self) -> PathBuf {
        self.home.join("config.toml")
    }
    /// The passphrase-protected identity (age scrypt), when the keyring is not used.
    #[must_use]
    pub fn identity_file(&self) -> PathBuf {
        self.home.join("identity.age")
    }
}

/// How `vault run` wires the child's terminal by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PtyPref {
    /// A PTY for each fd that is a terminal, pipes for the others.
    #[default]
    Auto,
    /// Always one PTY for all three fds.
    Always,
    /// Always pipes.
    Never,
}

/// Preferences from `config.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Use the OS keyring to keep and find the identity (default true).
    pub keyring: bool,
    /// Default terminal wiring for `vault run`.
    pub pty: PtyPref,
    /// The least network control for `vault run` (`--net` can only make it stricter).
    pub net: crate::net::NetMode,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            keyring: true,
            pty: PtyPref::Auto,
            net: crate::net::NetMode::Argv,
        }
    }
}

impl Config {
    /// Reads `config.toml` from the home; a missing file means defaults.
    pub fn load(paths: &Paths) -> Result<Config> {
        let path = paths.config();
        match read_regular(&path) {
            Ok(text) => Config::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(Error::new(
                Exit::Config,
                format!(
                    "cannot read {}: {}",
                    path.display(),
                    crate::error::io_reason(&e)
                ),
            )),
        }
    }

    fn parse(text: &str, path: &Path) -> Result<Config> {
        toml::from_str(text).map_err(|e| {
            let first = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(" (line {line})")
                })
                .unwrap_or_default();
            Error::new(Exit::Config, format!("{}: {first}{at}", path.display())).hint(
                "config.toml accepts: keyring = true|false, pty = \"auto\"|\"always\"|\"never\", net = \"argv\"|\"strict\"|\"broker\"",
            )
        })
    }
}

/// Reads a regular file (following symlinks, as dotfile managers use them), refusing a
/// FIFO or device without blocking on it.
fn read_regular(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::{Config, PtyPref};
    use std::path::Path;

    #[test]
    fn parses_and_rejects_unknown_keys() {
        let c = Config::parse("keyring = false\npty = \"never\"\n", Path::new("c")).unwrap();
        assert!(!c.keyring);
        assert_eq!(c.pty, PtyPref::Never);
        let e = Config::parse("keyrng = false\n", Path::new("c")).unwrap_err();
        assert!(e.message.contains("keyrng"), "{}", e.message);
        assert!(Config::parse("pty = \"sometimes\"", Path::new("c")).is_err());
    }
}

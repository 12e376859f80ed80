//! Which store a command works on. The first of these that applies wins:
//! 1. `--store DIR` (a store directory, for this one command);
//! 2. `$VAULT_HOME`;
//! 3. the nearest `.vault/` directory at or above the working directory, as git finds
//!    `.git` (the search stops at the filesystem root) — a *project store*, meant to be
//!    committed;
//! 4. the user's personal store, `<data dir>/vault` (`~/.local/share/vault` on Linux).
//!
//! A `.vault` that is a symlink, not a directory, or not owned by the user is refused, not
//! skipped: someone else's `.vault` above the working directory (in `/tmp`, say) could be
//! encrypted to them as well, and a secret set there would be theirs. `--store DIR` or
//! `VAULT_HOME` picks another store explicitly.

use std::fmt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::config::Paths;
use crate::error::{Error, Result};
use crate::exit::Exit;

/// The name of a project store directory.
pub const PROJECT_DIR: &str = ".vault";

/// `--store`, set once by `cmd::dispatch` before any command looks for the store.
static STORE_FLAG: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Records the global `--store` flag for this process (the first call wins).
pub fn set_store_flag(dir: Option<PathBuf>) {
    let _ = STORE_FLAG.set(dir);
}

/// The `--store` directory, when one was given.
pub fn store_flag() -> Option<&'static PathBuf> {
    STORE_FLAG.get().and_then(Option::as_ref)
}

/// How the store was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `--store`.
    Flag,
    /// `$VAULT_HOME`.
    Env,
    /// The nearest `.vault/` upward from the working directory.
    Project,
    /// The user's personal store.
    User,
}

impl Origin {
    /// Short key for JSON.
    #[must_use]
    pub fn key(&self) -> &'static str {
        match self {
            Origin::Flag => "flag",
            Origin::Env => "env",
            Origin::Project => "project",
            Origin::User => "user",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Flag => "--store",
            Origin::Env => "VAULT_HOME",
            Origin::Project => "the nearest .vault/ at or above the working directory",
            Origin::User => "your personal store (no --store, VAULT_HOME or .vault/)",
        })
    }
}

fn absolute(dir: &Path) -> Result<PathBuf> {
    if dir.is_absolute() {
        Ok(dir.to_path_buf())
    } else {
        Ok(std::env::current_dir()
            .map_err(|e| Error::io("current directory", &e))?
            .join(dir))
    }
}

/// The remote store this command works on, if it is one (the order above, where
/// `--store`/`VAULT_STORE` may be an `openbao://` URL and a project's `.vault/remote` file
/// may name one; see `remote.rs`).
pub fn remote() -> Result<Option<crate::remote::Target>> {
    if let Some(dir) = store_flag() {
        let text = dir.to_string_lossy();
        if !crate::remote::url::is_remote(&text) {
            return Ok(None);
        }
        return Ok(Some(crate::remote::Target {
            url: crate::remote::url::StoreUrl::parse(&text)?,
            pointer: None,
        }));
    }
    if std::env::var_os("VAULT_HOME").is_some_and(|h| !h.is_empty()) {
        return Ok(None);
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io("current directory", &e))?;
    let Some(home) = find_upward(&cwd)? else {
        return Ok(None);
    };
    let pointer = home.join(crate::remote::POINTER_FILE);
    if std::fs::symlink_metadata(&pointer).is_err() {
        return Ok(None);
    }
    if std::fs::symlink_metadata(home.join("store.age")).is_ok() {
        return Err(Error::new(
            Exit::IoErr,
            format!(
                "{} holds both a store and a remote store pointer; refusing to guess",
                home.display()
            ),
        ));
    }
    Ok(Some(crate::remote::Target {
        url: crate::remote::read_pointer(&pointer)?,
        pointer: Some(pointer),
    }))
}

/// Refuses when the store is remote (for commands that work on local stores only).
pub fn refuse_remote() -> Result<()> {
    match remote()? {
        Some(t) => Err(local_only(&t.url.to_string())),
        None => Ok(()),
    }
}

/// The refusal of a command that works on local stores only.
fn local_only(url: &str) -> Error {
    Error::new(
        Exit::Usage,
        format!("{url} is a remote (OpenBao / Vault) store; this command works on local stores only"),
    )
    .hint("recipients, git-setup and rollback checks do not apply to a remote store: its server's ACLs and audit devices do that")
}

/// Finds the store by the order above.
pub fn locate() -> Result<(Paths, Origin)> {
    if let Some(dir) = store_flag() {
        if crate::remote::url::is_remote(&dir.to_string_lossy()) {
            return Err(local_only(&dir.to_string_lossy()));
        }
        if dir.as_os_str().is_empty() {
            return Err(Error::new(Exit::Usage, "--store needs a directory"));
        }
        return Ok((
            Paths {
                home: absolute(dir)?,
            },
            Origin::Flag,
        ));
    }
    if let Some(h) = std::env::var_os("VAULT_HOME").filter(|h| !h.is_empty()) {
        return Ok((
            Paths {
                home: absolute(Path::new(&h))?,
            },
            Origin::Env,
        ));
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io("current directory", &e))?;
    if let Some(home) = find_upward(&cwd)? {
        if std::fs::symlink_metadata(home.join(crate::remote::POINTER_FILE)).is_ok() {
            return Err(local_only(
                &home.join(crate::remote::POINTER_FILE).display().to_string(),
            ));
        }
        return Ok((Paths { home }, Origin::Project));
    }
    Ok((Paths { home: user_home()? }, Origin::User))
}

/// The nearest acceptable `.vault` directory at or above `start`.
pub fn find_upward(start: &Path) -> Result<Option<PathBuf>> {
    let me = rustix::process::geteuid().as_raw();
    for dir in start.ancestors() {
        let candidate = dir.join(PROJECT_DIR);
        let meta = match std::fs::symlink_metadata(&candidate) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(candidate.display(), &e)),
        };
        let refuse = |why: String| {
            Err(Error::new(
                Exit::IoErr,
                format!("refusing the project store {}: {why}", candidate.display()),
            )
            .hint("pick a store explicitly with --store DIR or VAULT_HOME"))
        };
        if meta.file_type().is_symlink() {
            return refuse("it is a symlink".into());
        }
        if !meta.is_dir() {
            return refuse("it is not a directory".into());
        }
        if meta.uid() != me {
            return refuse(format!(
                "owned by uid {}, not by you (uid {me})",
                meta.uid()
            ));
        }
        return Ok(Some(candidate));
    }
    Ok(None)
}

/// The user's personal store directory.
pub fn user_home() -> Result<PathBuf> {
    Ok(dirs::data_dir()
        .ok_or_else(|| {
            Error::new(Exit::Failure, "cannot find a data directory for the store")
                .hint("set VAULT_HOME to a directory of your choice")
        })?
        .join("vault"))
}

/// True for a project store: a directory named `.vault`, however it was found.
#[must_use]
pub fn is_project(paths: &Paths) -> bool {
    paths.home.file_name().is_some_and(|n| n == PROJECT_DIR)
}

/// For a project store, the user's personal store (whose keyring entry holds the personal
/// identity); `None` otherwise.
#[must_use]
pub fn personal_home(paths: &Paths) -> Option<Paths> {
    if !is_project(paths) {
        return None;
    }
    let home = user_home().ok()?;
    let same = match (
        std::fs::canonicalize(&home),
        std::fs::canonicalize(&paths.home),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => home == paths.home,
    };
    (!same).then_some(Paths { home })
}

/// `vault init --project`: `./.vault`. Refused when `--store` or `VAULT_HOME` would make
/// later commands in this directory use another store.
pub fn project_here() -> Result<Paths> {
    if store_flag().is_some() {
        return Err(Error::new(
            Exit::Usage,
            "--project creates ./.vault; it cannot be combined with --store",
        ));
    }
    if std::env::var_os("VAULT_HOME").is_some_and(|h| !h.is_empty()) {
        return Err(Error::new(
            Exit::Usage,
            "--project with VAULT_HOME set: later commands here would use VAULT_HOME, not ./.vault",
        )
        .hint("unset VAULT_HOME (for this command and the ones that use the project store)"));
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io("current directory", &e))?;
    Ok(Paths {
        home: cwd.join(PROJECT_DIR),
    })
}

impl Paths {
    /// Resolves the home: `--store`, else `$VAULT_HOME`, else the nearest `.vault/` upward
    /// from the working directory, else the user's personal store. Lives here, not in
    /// `config.rs`, so `config` does not import `discover` (which imports `config`).
    pub fn locate() -> Result<Paths> {
        locate().map(|(paths, _)| paths)
    }
}

#[cfg(test)]
mod tests {
    use super::{find_upward, is_project, personal_home};
    use crate::config::Paths;

    #[test]
    fn nearest_dot_vault_wins_and_files_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let deep = tmp.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(find_upward(&deep).unwrap(), None::<std::path::PathBuf>);
        std::fs::create_dir(tmp.path().join("a/.vault")).unwrap();
        assert_eq!(
            find_upward(&deep).unwrap(),
            Some(tmp.path().join("a/.vault"))
        );
        std::fs::create_dir(tmp.path().join("a/b/.vault")).unwrap();
        assert_eq!(
            find_upward(&deep).unwrap(),
            Some(tmp.path().join("a/b/.vault"))
        );
        std::fs::write(deep.join(".vault"), "x").unwrap();
        assert!(
            find_upward(&deep)
                .unwrap_err()
                .message
                .contains("not a directory")
        );
    }

    #[test]
    fn personal_fallback_only_for_project_stores() {
        let p = Paths {
            home: "/x/.vault".into(),
        };
        assert!(is_project(&p));
        let q = Paths {
            home: "/x/vault".into(),
        };
        assert!(!is_project(&q));
        assert!(personal_home(&q).is_none());
        if let Some(personal) = personal_home(&p) {
            assert!(personal.home.ends_with("vault"));
            assert!(!is_project(&personal));
        }
    }
}

//! The store on disk: the home directory, the lock, and atomic, durable writes.
//!
//! Safety rules enforced here, for every command:
//! - the home is a real directory (not a symlink) owned by this user and not writable by
//!   group or others; `store.age` is a regular file (never followed through a symlink) with
//!   the same ownership rules;
//! - every read-modify-write holds an exclusive `flock` on `store.lock` from the read to
//!   the rename, so concurrent writers queue instead of losing updates;
//! - a write goes to a fresh temp file in the same directory (created with O_EXCL, mode
//!   0600), is fsynced, renamed over `store.age`, and the directory is fsynced: a crash at
//!   any moment leaves either the old or the new store, never a torn one.
//!
//! This module moves ciphertext only; it never sees a value.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use crate::config::Paths;
use crate::error::{Error, Result};
use crate::exit::Exit;

/// Prefix of the temp files a write creates beside `store.age`.
const TEMP_PREFIX: &str = ".store.age.tmp.";

/// Creates the home directory (mode 0700) if needed, or checks an existing one.
pub fn create_home(paths: &Paths) -> Result<()> {
    let home = &paths.home;
    match fs::symlink_metadata(home) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = home.parent() {
                // Missing parents get 0700 too (the XDG data dir's mode), not 0777 & ~umask.
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(parent)
                    .map_err(|e| Error::io(parent.display(), &e))?;
            }
            match fs::DirBuilder::new().mode(0o700).create(home) {
                Ok(()) => {}
                // A concurrent init made it first: the checks below decide.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io(home.display(), &e)),
            }
        }
        Err(e) => return Err(Error::io(home.display(), &e)),
    }
    check_home(paths)?;
    // The umask may have stripped bits, or the directory may predate vault: 0700 exactly.
    fs::set_permissions(home, fs::Permissions::from_mode(0o700))
        .map_err(|e| Error::io(home.display(), &e))
}

/// Refuses a home that is a symlink, not a directory, not ours, or writable by others.
pub fn check_home(paths: &Paths) -> Result<()> {
    let home = &paths.home;
    let meta = match fs::symlink_metadata(home) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(no_store(paths)),
        Err(e) => return Err(Error::io(home.display(), &e)),
    };
    if meta.file_type().is_symlink() {
        return Err(Error::new(
            Exit::IoErr,
            format!(
                "refusing the vault home {}: it is a symlink",
                home.display()
            ),
        )
        .hint("point VAULT_HOME at the real directory"));
    }
    if !meta.is_dir() {
        return Err(Error::new(
            Exit::IoErr,
            format!("the vault home {} is not a directory", home.display()),
        ));
    }
    check_owner_mode(home, &meta, "directory")
}

fn check_owner_mode(path: &Path, meta: &fs::Metadata, what: &str) -> Result<()> {
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(Error::new(
            Exit::IoErr,
            format!(
                "refusing {what} {}: owned by uid {}, not by you (uid {me})",
                path.display(),
                meta.uid()
            ),
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(Error::new(
            Exit::IoErr,
            format!(
                "refusing {what} {}: it is writable by group or others (mode {:o})",
                path.display(),
                meta.mode() & 0o7777
            ),
        )
        .hint(format!("chmod go-w {}", path.display())));
    }
    Ok(())
}

/// The error for a missing store.
pub fn no_store(paths: &Paths) -> Error {
    // `vault init` alone would create a different store than the one `--store` named.
    let init = match crate::discover::store_flag() {
        Some(dir) => format!("vault --store {} init", shell_word(&dir.to_string_lossy())),
        None => "vault init".to_string(),
    };
    Error::new(
        Exit::NoInput,
        format!("no store at {} — run `{init}`", paths.store().display()),
    )
}

/// `text` as one shell word: as is when it is plain, else single-quoted.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:,@%".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// True when `store.age` exists (as anything, a symlink included: init must not clobber it).
pub fn exists(paths: &Paths) -> bool {
    fs::symlink_metadata(paths.store()).is_ok()
}

/// Reads the ciphertext of `store.age`, refusing a symlink, a non-regular file, or a file
/// that is not ours or is writable by others.
pub fn read(paths: &Paths) -> Result<Vec<u8>> {
    check_home(paths)?;
    let path = paths.store();
    // NONBLOCK: a FIFO planted at store.age must not hang the open; the type check below
    // refuses it. Reads of a regular file ignore the flag.
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    let mut file = match OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(no_store(paths)),
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(Error::new(
                Exit::IoErr,
                format!("refusing the store {}: it is a symlink", path.display()),
            ));
        }
        Err(e) => return Err(Error::io(path.display(), &e)),
    };
    let meta = file.metadata().map_err(|e| Error::io(path.display(), &e))?;
    if !meta.is_file() {
        return Err(Error::new(
            Exit::IoErr,
            format!("refusing the store {}: not a regular file", path.display()),
        ));
    }
    check_owner_mode(&path, &meta, "store")?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(path.display(), &e))?;
    Ok(bytes)
}

/// An exclusive lock on the store, held from the read to the rename. Unlocked on drop.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Takes the store lock, waiting for other writers.
pub fn lock(paths: &Paths) -> Result<Lock> {
    check_home(paths)?;
    Ok(Lock {
        _file: lock_file(&paths.lock())?,
    })
}

/// Opens (creating, 0600, never through a symlink) the lock file at `path` and takes an
/// exclusive lock on it, waiting for other holders. Unlocked when the file is dropped.
pub fn lock_file(path: &Path) -> Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
        .map_err(|e| Error::io(path.display(), &e))?;
    file.lock().map_err(|e| Error::io(path.display(), &e))?;
    Ok(file)
}

/// Atomically replaces `store.age` with `ciphertext`. The caller holds the lock.
pub fn write(paths: &Paths, _lock: &Lock, ciphertext: &[u8]) -> Result<()> {
    remove_stale_temps(paths);
    atomic_write(&paths.home, &paths.store(), ciphertext, true)
}

/// Writes a new file (mode 0600) atomically; refuses to replace anything already there.
pub fn write_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if fs::symlink_metadata(path).is_ok() {
        return Err(Error::new(
            Exit::CantCreate,
            format!("refusing to overwrite {}", path.display()),
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    atomic_write(dir, path, bytes, false)
}

/// Replaces `path` atomically (mode 0600): temp file in its directory, fsync, rename,
/// fsync the directory. Refuses to replace anything but a regular file.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    atomic_write(dir, path, bytes, true)
}

/// temp file in `dir` (O_EXCL, 0600) → write → fsync → rename over `dest` (or, without
/// `replace`, link it into place only if `dest` does not exist) → fsync `dir`.
fn atomic_write(dir: &Path, dest: &Path, bytes: &[u8], replace: bool) -> Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir.display(), &e))?;
    let tmp_path = tmp.path().to_path_buf();
    // The umask can only remove bits, but be exact anyway.
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::io(tmp_path.display(), &e))?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io(tmp_path.display(), &e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp_path.display(), &e))?;
    // On any error above, dropping `tmp` deletes the temp file: nothing partial stays.
    if let Ok(meta) = fs::symlink_metadata(dest)
        && !meta.is_file()
    {
        return Err(Error::new(
            Exit::IoErr,
            format!("refusing to replace {}: not a regular file", dest.display()),
        ));
    }
    if replace {
        tmp.persist(dest)
            .map_err(|e| Error::io(dest.display(), &e.error))?;
    } else {
        tmp.persist_noclobber(dest).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::new(
                    Exit::CantCreate,
                    format!("refusing to overwrite {}", dest.display()),
                )
            } else {
                Error::io(dest.display(), &e.error)
            }
        })?;
    }
    sync_dir(dir)
}

/// fsyncs a directory so a rename in it is durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir.display(), &e))
}

/// Removes temp files left by a write that was killed before its rename. Only called
/// under the lock, so no live writer owns them.
fn remove_stale_temps(paths: &Paths) {
    let Ok(entries) = fs::read_dir(&paths.home) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

//! git integration for project stores: `vault git-setup`, and the two drivers it installs,
//! the hidden commands `vault git-textconv FILE` and `vault git-merge BASE OURS THEIRS`.
//!
//! - textconv prints a listing of one version of the store for `git diff`: recipients, and
//!   per secret its name, description, policy and created/updated times. Never a value, nor
//!   anything derived from one (hash, length): a changed value shows as a changed `updated`
//!   line.
//! - merge decrypts the three versions with the user's identity and merges them secret by
//!   secret (`merge.rs`); the result is re-encrypted to the merged recipients and written
//!   over OURS atomically. On a conflict OURS is left untouched, the conflicting names (never
//!   values) are printed, and the exit status is non-zero, so git marks the file conflicted.
//!
//! git runs both drivers from the top of the work tree, so the project store (and with it
//! the keyring entry or passphrase file) is found as for any other command.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::cli::{GitMergeArgs, GitTextconvArgs};
use crate::config::{Config, Paths};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secrets::{Contents, rfc3339};
use crate::unlock::{self, Unlocked};
use crate::{audit, escape, merge, seal, store};

/// The line `git-setup` puts in `.gitattributes`.
pub const ATTRIBUTES: &str = ".vault/store.age diff=vault merge=vault";

fn git(args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            Error::new(
                Exit::Failure,
                format!("cannot run git: {}", crate::error::io_reason(&e)),
            )
        })?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        let why = why.lines().next().unwrap_or("failed").trim().to_string();
        return Err(Error::new(
            Exit::Failure,
            format!("git {}: {why}", args.join(" ")),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

/// `vault git-setup`: the drivers in the repository's local config, and `.gitattributes`.
pub fn setup() -> Result<Exit> {
    let top = git(&["rev-parse", "--show-toplevel"]).map_err(|_| {
        Error::new(Exit::Failure, "not inside a git work tree")
            .hint("run `vault git-setup` inside the repository that holds .vault/")
    })?;
    let top = Path::new(&top);
    for (key, value) in [
        ("diff.vault.textconv", "vault git-textconv"),
        ("merge.vault.name", "vault store merge"),
        ("merge.vault.driver", "vault git-merge %O %A %B"),
    ] {
        git(&["config", "--local", key, value])?;
    }
    let attributes = top.join(".gitattributes");
    let existing = match std::fs::read_to_string(&attributes) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(attributes.display(), &e)),
    };
    if existing.lines().any(|l| l.trim() == ATTRIBUTES) {
        eprintln!("vault: {} already has the vault line", attributes.display());
    } else {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&attributes)
            .map_err(|e| Error::io(attributes.display(), &e))?;
        let sep = if existing.is_empty() || existing.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        file.write_all(format!("{sep}{ATTRIBUTES}\n").as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io(attributes.display(), &e))?;
        eprintln!("vault: added `{ATTRIBUTES}` to {}", attributes.display());
    }
    eprintln!(
        "vault: configured diff.vault.textconv and merge.vault.driver in {}; commit .gitattributes",
        top.join(".git/config").display()
    );
    if !top.join(".vault/store.age").exists() {
        eprintln!(
            "vault: note: there is no .vault/store.age at the top of this repository yet (`vault init --project` there)"
        );
    }
    Ok(Exit::Success)
}

/// The identity that opens the project store (from the store found from the working
/// directory, which git sets to the top of the work tree).
fn identity() -> Result<Unlocked> {
    let paths = Paths::locate()?;
    let config = if paths.home.is_dir() {
        Config::load(&paths)?
    } else {
        Config::default()
    };
    unlock::unlock(&paths, &config)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::read(path.display(), &e))
}

fn open_version(ciphertext: &[u8], unlocked: &Unlocked, which: &str) -> Result<Contents> {
    seal::decrypt(ciphertext, &unlocked.identities)
        .and_then(|plain| Contents::from_bytes(&plain))
        .map_err(|e| {
            Error::new(
                e.exit,
                format!("cannot merge: {which} version: {}", e.message),
            )
        })
}

/// `vault git-textconv FILE`.
pub fn textconv(args: &GitTextconvArgs) -> Result<Exit> {
    let ciphertext = read(&args.file)?;
    if ciphertext.is_empty() {
        return Ok(Exit::Success);
    }
    let mut out = std::io::stdout().lock();
    let unlocked = match identity() {
        Ok(u) => u,
        Err(e) => {
            // A clone with no identity (or a locked keyring): `git diff` must still work.
            // Say why in one line, show nothing.
            writeln!(
                out,
                "vault store: cannot be opened here: {}",
                escape::text(&e.message)
            )
            .map_err(|e| Error::io("stdout", &e))?;
            return Ok(Exit::Success);
        }
    };
    let contents = match seal::decrypt(&ciphertext, &unlocked.identities)
        .and_then(|plain| Contents::from_bytes(&plain))
    {
        Ok(c) => c,
        Err(e) => {
            // A version from before you were added, or a damaged one: say so, show nothing.
            let why = if e.exit == Exit::Locked {
                "does not open with your identity"
            } else {
                "is damaged"
            };
            writeln!(out, "vault store: this version {why}")
                .map_err(|e| Error::io("stdout", &e))?;
            return Ok(Exit::Success);
        }
    };
    listing(&mut out, &contents).map_err(|e| Error::io("stdout", &e))?;
    Ok(Exit::Success)
}

fn listing(out: &mut impl Write, c: &Contents) -> std::io::Result<()> {
    writeln!(
        out,
        "vault store (names and metadata only; values are never shown)"
    )?;
    writeln!(out, "recipients:")?;
    for r in &c.recipients {
        writeln!(out, "  {}", escape::text(r))?;
    }
    for (name, e) in &c.secrets {
        writeln!(out, "secret {}", escape::text(name))?;
        if let Some(d) = &e.description {
            writeln!(out, "  description: {}", escape::text(d))?;
        }
        let policy = if e.policy.is_empty() {
            "(none: no host allowed)".to_string()
        } else {
            e.policy.summary()
        };
        writeln!(out, "  policy: {}", escape::text(&policy))?;
        writeln!(out, "  created: {}", rfc3339(e.created))?;
        writeln!(out, "  updated: {}", rfc3339(e.updated))?;
    }
    Ok(())
}

/// `vault git-merge BASE OURS THEIRS`.
pub fn merge(args: &GitMergeArgs) -> Result<Exit> {
    let base = read(&args.base)?;
    let ours = read(&args.ours)?;
    let theirs = read(&args.theirs)?;
    let unlocked = identity()?;
    let base = if base.is_empty() {
        None
    } else {
        Some(open_version(&base, &unlocked, "the common ancestor's")?)
    };
    let ours = open_version(&ours, &unlocked, "our")?;
    let theirs = open_version(&theirs, &unlocked, "their")?;
    let mut merged = merge::merge(base.as_ref(), ours, theirs).map_err(|c| {
        let mut what = Vec::new();
        if !c.secrets.is_empty() {
            what.push(format!("{} changed on both sides", c.secrets.join(", ")));
        }
        if c.recipients {
            what.push("the recipients changed on both sides".to_string());
        }
        if !c.incoming.is_empty() {
            let keys: Vec<String> = c.incoming.iter().map(|k| crate::trust::escaped(k)).collect();
            what.push(format!(
                "their side adds recipient(s) {} while your side changed secrets (they would be encrypted to them)",
                keys.join(", ")
            ));
        }
        Error::new(
            Exit::Failure,
            format!("vault store merge conflict: {}", what.join("; ")),
        )
        .hint("keep one side (`git checkout --ours .vault/store.age`, or --theirs), then redo the other side's change with vault")
    })?;

    // Record the merge in the local audit log, as every other store write is.
    merged.contents.next_generation(0)?;
    let paths = Paths::locate()?;
    if store::exists(&paths) {
        let mut entry = audit::Entry::new("merge", merged.from_theirs.clone());
        entry.generation = Some(merged.contents.generation);
        if merged.recipients_from_theirs {
            entry.note = Some("recipients taken from their side".into());
        }
        merged.contents.audit = Some(audit::append(&paths, entry)?);
    }
    let sealed = seal::encrypt(&merged.contents.to_bytes()?, &merged.contents.recipients)?;
    crate::project::replace(&args.ours, &sealed)?;
    if merged.from_theirs.is_empty() {
        eprintln!("vault: merged the store (nothing to take from their side)");
    } else {
        eprintln!(
            "vault: merged the store; from their side: {}",
            merged.from_theirs.join(", ")
        );
    }
    if merged.recipients_from_theirs {
        eprintln!(
            "vault: the recipients come from their side; your next write into this store asks for an approval (`vault approvals trust`)"
        );
    }
    if !merged.exposed.is_empty() {
        eprintln!(
            "vault: warning: {} changed while still encrypted to a recipient that the merge removes: rotate them",
            merged.exposed.join(", ")
        );
    }
    Ok(Exit::Success)
}

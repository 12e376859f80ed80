//! Subcommands, one file each, and what they share: opening and changing the store.

pub mod agent;
pub mod approvals;
pub mod audit;
pub mod completions;
pub mod git;
pub mod hook;
pub mod import;
pub mod init;
pub mod keygen;
pub mod list;
pub mod mcp;
pub mod policy;
pub mod recipients;
pub mod redact;
pub mod rm;
pub mod run;
pub mod scan;
pub mod set;
pub mod status;

use crate::cli::{Cli, Command};
use crate::config::{Config, Paths};
use crate::error::Result;
use crate::exit::Exit;
use crate::secrets::Contents;
use crate::unlock::{self, Unlocked};
use crate::{generate, seal, store};

/// Writes `value` as pretty JSON and a newline: the output of every `--json`. Characters
/// that serde_json leaves raw but a terminal would act on are `\uXXXX`-escaped
/// (`escape::json`).
pub(crate) fn write_json(
    out: &mut impl std::io::Write,
    value: &impl serde::Serialize,
) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    writeln!(out, "{}", crate::escape::json(&text))
}

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> Result<Exit> {
    crate::discover::set_store_flag(cli.store);
    match cli.command {
        Command::Init(a) => init::run(&a),
        Command::Keygen(a) => keygen::run(&a),
        Command::Set(a) => set::run(&a),
        Command::List(a) => list::run(&a),
        Command::Rm(a) => rm::run(&a),
        Command::Import(a) => import::run(&a),
        Command::Run(a) => run::run(&a),
        Command::Redact => redact::run(),
        Command::Policy(c) => policy::run(&c),
        Command::Audit(a) => audit::run(&a),
        Command::Generate(a) => generate::run(&a),
        Command::Status(a) => status::run(&a),
        Command::Recipients(c) => {
            // Who can read a remote store is its server's ACL, not age recipients.
            crate::discover::refuse_remote()?;
            recipients::run(&c)
        }
        Command::GitSetup => git::setup(),
        Command::GitTextconv(a) => git::textconv(&a),
        Command::GitMerge(a) => git::merge(&a),
        Command::Scan(a) => scan::run(&a),
        Command::Completions(a) => completions::run(&a),
        Command::CompleteNames => completions::names(),
        Command::Approvals(c) => approvals::run(&c),
        Command::Mcp => mcp::run(),
        Command::Hook(c) => hook::run(&c),
        Command::AgentInstructions => agent::run(),
    }
}

/// An unlocked, decrypted store.
pub struct Opened {
    /// Where it lives.
    pub paths: Paths,
    /// Preferences.
    pub config: Config,
    /// The identity that opened it.
    pub unlocked: Unlocked,
    /// What it holds.
    pub contents: Contents,
}

/// Finds, unlocks and decrypts the store; a failed unlock is audited.
pub fn open() -> Result<Opened> {
    open_with(true)
}

/// As [`open`], without auditing a failed unlock (for read-only uses of the log itself).
pub fn open_quiet() -> Result<Opened> {
    open_with(false)
}

/// As [`open`], for the store at `paths` (not the one `locate` finds).
pub fn open_at(paths: Paths) -> Result<Opened> {
    open_paths(paths, true, true)
}

/// As [`open_quiet`], without the rollback check (`audit verify` reports a rollback).
pub fn open_for_audit() -> Result<Opened> {
    open_paths(Paths::locate()?, false, false)
}

/// As [`open`], without the rollback check (for accepting a rollback).
pub fn open_unchecked() -> Result<Opened> {
    open_paths(Paths::locate()?, true, false)
}

fn open_with(audit_failure: bool) -> Result<Opened> {
    if let Some(target) = crate::discover::remote()? {
        return crate::remote::open(target, audit_failure);
    }
    open_paths(Paths::locate()?, audit_failure, true)
}

fn open_paths(paths: Paths, audit_failure: bool, check_rollback: bool) -> Result<Opened> {
    store::check_home(&paths)?;
    let config = Config::load(&paths)?;
    // Read first: a missing store is a clearer error than a missing identity.
    let ciphertext = store::read(&paths)?;
    let failed = |e: &crate::error::Error| {
        if audit_failure {
            unlock_failed(&paths, e);
        }
    };
    let unlocked = unlock::unlock(&paths, &config).inspect_err(failed)?;
    let mut contents = decrypt(&ciphertext, &unlocked).inspect_err(failed)?;
    if check_rollback {
        let seen = crate::trust::seen_generation(contents.id.as_deref())?;
        if contents.generation < seen {
            // A writer may have replaced the store (and recorded its generation) between
            // our read and this check: decide under the lock, where every writer has
            // recorded the generation it wrote before letting go (`modify`).
            // (The verdict is reported after the lock goes: the audit append takes it.)
            let lock = store::lock(&paths)?;
            contents = decrypt(&store::read(&paths)?, &unlocked)?;
            let seen = crate::trust::seen_generation(contents.id.as_deref())?;
            drop(lock);
            crate::trust::check_generation(&paths, &contents, seen)?;
        } else if let Some(id) = contents
            .id
            .as_deref()
            .filter(|_| contents.generation > seen)
        {
            crate::trust::remember_generation(&paths, id, contents.generation)?;
        }
    }
    crate::approval::note_opened(&paths, &contents);
    crate::trust::notice_untrusted(&paths, &contents);
    Ok(Opened {
        paths,
        config,
        unlocked,
        contents,
    })
}

fn decrypt(ciphertext: &[u8], unlocked: &Unlocked) -> Result<Contents> {
    let plain = seal::decrypt(ciphertext, &unlocked.identities)?;
    Contents::from_bytes(&plain)
}

impl Opened {
    /// Read-modify-write under the store lock: re-reads the store (another writer may have
    /// changed it since `open`), applies `change`, appends the audit entry `change`
    /// returns, then encrypts and atomically replaces the store (recording the audit head).
    /// Nothing is written when `change` fails; nothing changes when the audit log cannot
    /// be written.
    pub fn modify<T>(
        &mut self,
        change: impl FnOnce(&mut Contents) -> Result<(T, crate::audit::Entry)>,
    ) -> Result<T> {
        if crate::remote::active() {
            return crate::remote::modify(self, change);
        }
        let lock = store::lock(&self.paths)?;
        let ciphertext = store::read(&self.paths)?;
        let mut contents = decrypt(&ciphertext, &self.unlocked)?;
        let (out, entry) = change(&mut contents)?;
        let action = entry.action.clone();
        contents.next_generation(crate::trust::seen_generation(contents.id.as_deref())?)?;
        let mut entry = entry;
        entry.generation = Some(contents.generation);
        contents.audit = Some(crate::audit::append_locked(&self.paths, &lock, entry)?);
        let sealed = seal::encrypt(&contents.to_bytes()?, &contents.recipients)?;
        if let Err(e) = store::write(&self.paths, &lock, &sealed) {
            let mut failed = crate::audit::Entry::new(&format!("{action}-failed"), Vec::new());
            failed.note = Some(e.message.clone());
            let _ = crate::audit::append_locked(&self.paths, &lock, failed);
            return Err(e);
        }
        // Recorded before the lock goes, so that a reader deciding "rolled back?" under the
        // lock never sees a store newer than the generation recorded for it.
        if let Some(id) = &contents.id {
            crate::trust::remember_generation(&self.paths, id, contents.generation)?;
        }
        drop(lock);
        self.contents = contents;
        Ok(out)
    }
}

/// Records a failed unlock (best effort: the failure itself is what the user must see).
fn unlock_failed(paths: &Paths, err: &crate::error::Error) {
    if err.exit == Exit::Locked {
        let mut entry = crate::audit::Entry::new("unlock-failed", Vec::new());
        entry.note = Some(err.message.clone());
        let _ = crate::audit::append(paths, entry);
    }
}

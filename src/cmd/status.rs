//! `vault status` (alias `where`): which store, how it was found, how it would unlock
//! (without prompting), how many secrets it holds and who it is encrypted to.
//!
//! It never prompts: a route that would ask for a passphrase is reported as "(will
//! prompt)", and then the count and the recipients are unknown (for a project store the
//! plain `recipients` file is shown instead, marked unverified). When the store cannot be
//! found, `status/diagnose.rs` reports which store would be used, whether config.toml
//! parses and every unlock route, then the usual error (exit 66). When it cannot be read,
//! it is the usual one-line error. When it can be read but not opened, the
//! report is printed (with your public key, so a member can add you) and then the error,
//! exit 75.

mod diagnose;

use std::io::Write;

use serde::Serialize;

use crate::cli::StatusArgs;
use crate::config::{Config, Paths};
use crate::discover;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secrets::Contents;
use crate::unlock::{self, Unlocked};
use crate::{escape, recipient, store};

#[derive(Serialize)]
struct Report {
    store: String,
    found: &'static str,
    found_by: String,
    project: bool,
    unlock: Option<String>,
    prompts: bool,
    /// Public keys of the identity that would be used (when known without prompting).
    identity: Vec<String>,
    secrets: Option<usize>,
    recipients: Option<Vec<String>>,
    /// Project stores: `matches`, `differs` or `missing` (compared with the store's list),
    /// or `unverified` when the store could not be opened.
    recipients_file: Option<&'static str>,
    /// The plain file's keys when the store's own list is unknown.
    recipients_file_keys: Option<Vec<String>>,
    error: Option<String>,
}

/// What the unlock route would be, found without prompting.
enum Probe {
    Ready(Unlocked),
    WillPrompt(String),
}

/// Prints the report.
pub fn run(args: &StatusArgs) -> Result<Exit> {
    if let Some(target) = crate::discover::remote()? {
        return crate::remote::status(&target, args.json);
    }
    let (paths, origin) = discover::locate()?;
    let found_by = |e: Error| {
        let hint = format!("the store was chosen by {origin}");
        if e.hint.is_some() { e } else { e.hint(hint) }
    };
    let home_missing = std::fs::symlink_metadata(&paths.home).is_err();
    if !home_missing {
        store::check_home(&paths).map_err(found_by)?;
    }
    if home_missing || !store::exists(&paths) {
        // No store yet: diagnose anyway, then the usual error.
        let report = diagnose::diagnose(&paths, &origin);
        let mut out = std::io::stdout().lock();
        let written = if args.json {
            crate::cmd::write_json(&mut out, &report)
        } else {
            diagnose::text(&mut out, &report)
        };
        written.map_err(|e| Error::io("stdout", &e))?;
        return Err(found_by(store::no_store(&paths)));
    }
    let config = Config::load(&paths)?;
    let ciphertext = store::read(&paths).map_err(found_by)?;
    let mut report = Report {
        store: paths.home.display().to_string(),
        found: origin.key(),
        found_by: origin.to_string(),
        project: discover::is_project(&paths),
        unlock: None,
        prompts: false,
        identity: Vec::new(),
        secrets: None,
        recipients: None,
        recipients_file: None,
        recipients_file_keys: None,
        error: None,
    };
    let mut failure = None;
    match probe(&paths, &config) {
        Ok(Probe::Ready(unlocked)) => {
            report.unlock = Some(unlocked.route.to_string());
            report.identity = public_keys(&unlocked);
            match crate::seal::decrypt(&ciphertext, &unlocked.identities)
                .and_then(|plain| Contents::from_bytes(&plain))
            {
                Ok(contents) => {
                    report.secrets = Some(contents.secrets.len());
                    report.recipients = Some(contents.recipients.clone());
                }
                Err(e) => failure = Some(e),
            }
        }
        Ok(Probe::WillPrompt(route)) => {
            report.unlock = Some(format!("{route} (will prompt)"));
            report.prompts = true;
        }
        Err(e) => failure = Some(e),
    }
    if report.project {
        let plain = read_plain_recipients(&paths);
        report.recipients_file = Some(match (&plain, &report.recipients) {
            (None, _) => "missing",
            (Some(_), None) => "unverified",
            (Some(p), Some(r)) if p == r => "matches",
            (Some(_), Some(_)) => "differs",
        });
        if report.recipients.is_none() {
            report.recipients_file_keys = plain;
        }
    }
    if let Some(e) = &failure {
        report.error = Some(e.message.clone());
    }
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        crate::cmd::write_json(&mut out, &report)
    } else {
        text(&mut out, &report)
    };
    written.map_err(|e| Error::io("stdout", &e))?;
    drop(out);
    match failure {
        Some(mut e) => {
            if e.exit == Exit::Locked && !report.identity.is_empty() {
                e = e.hint(format!(
                    "ask a member to run `vault recipients add '{}'`",
                    report.identity[0]
                ));
            }
            Err(e)
        }
        None => Ok(Exit::Success),
    }
}

/// The unlock route, without prompting: routes that would prompt are named, not used.
fn probe(paths: &Paths, config: &Config) -> Result<Probe> {
    let env_text = |var: &str| std::env::var_os(var).filter(|v| !v.is_empty());
    if let Some(text) = env_text("VAULT_IDENTITY") {
        if recipient::needs_passphrase(&text.to_string_lossy()) {
            return Ok(Probe::WillPrompt(unlock::Route::Env.to_string()));
        }
    } else if let Some(path) = env_text("VAULT_IDENTITY_FILE") {
        let path = std::path::PathBuf::from(path);
        if let Ok(text) = std::fs::read_to_string(&path).map(zeroize::Zeroizing::new)
            && recipient::needs_passphrase(&text)
        {
            return Ok(Probe::WillPrompt(unlock::Route::EnvFile(path).to_string()));
        }
    } else if !(config.keyring && matches!(unlock::keyring_find(paths), Ok(Some(_)))) {
        let file = paths.identity_file();
        if std::fs::symlink_metadata(&file).is_ok() {
            return Ok(Probe::WillPrompt(
                unlock::Route::Passphrase(file).to_string(),
            ));
        }
    }
    // Every remaining route unlocks without a prompt.
    unlock::unlock(paths, config).map(Probe::Ready)
}

fn public_keys(unlocked: &Unlocked) -> Vec<String> {
    unlocked
        .material
        .iter()
        .filter_map(|m| recipient::of_identity_text(m, "the identity").ok())
        .flatten()
        .collect()
}

/// The keys in a project store's plain `recipients` file (comments skipped).
fn read_plain_recipients(paths: &Paths) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(crate::project::recipients_path(paths)).ok()?;
    Some(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(ToString::to_string)
            .collect(),
    )
}

fn text(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    writeln!(out, "store:      {}", escape::text(&r.store))?;
    writeln!(
        out,
        "found by:   {}{}",
        escape::text(&r.found_by),
        if r.project { " (a project store)" } else { "" }
    )?;
    writeln!(
        out,
        "unlock:     {}",
        escape::text(r.unlock.as_deref().unwrap_or("none (locked)"))
    )?;
    for key in &r.identity {
        writeln!(out, "you:        {}", escape::text(key))?;
    }
    match r.secrets {
        Some(n) => writeln!(out, "secrets:    {n}")?,
        None => writeln!(out, "secrets:    unknown (not unlocked)")?,
    }
    match (&r.recipients, &r.recipients_file_keys) {
        (Some(list), _) => {
            writeln!(out, "recipients: {}", list.len())?;
            for key in list {
                writeln!(out, "  {}", escape::text(key))?;
            }
        }
        (None, Some(list)) => {
            writeln!(
                out,
                "recipients: unknown; the plain recipients file (unverified) lists {}",
                list.len()
            )?;
            for key in list {
                writeln!(out, "  {}", escape::text(key))?;
            }
        }
        (None, None) => writeln!(out, "recipients: unknown (not unlocked)")?,
    }
    match r.recipients_file {
        Some("differs") => writeln!(
            out,
            "warning:    the plain recipients file differs from the store's own list (above), which is the one that counts"
        )?,
        Some("missing") => writeln!(out, "note:       the plain recipients file is missing")?,
        _ => {}
    }
    Ok(())
}

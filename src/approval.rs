//! Approvals: the factor a process on this machine cannot produce (issue #10).
//!
//! Everything that widens who can read a value or where it may go calls [`require`] with the
//! [`Action`] it is about to take; nothing else decides whether a widening may happen.
//! A typed confirmation is not an approval.
//!
//! The factor is a TOTP seed (RFC 6238) shown once, at enrolment, as a QR code and an
//! `otpauth://` URI for the user's authenticator app, and kept inside the encrypted store
//! (`Contents::approval`), never in a plain file. An approval is a 6-digit code read from
//! `/dev/tty` (never stdin), for a time-step later than the last one accepted (replay
//! refused; remembered in the state dir), with a lock-out after repeated wrong codes.
//! Which store's factor counts: a store's own, except for a project store (`.vault/`),
//! whose file came from a repository — there the factor of the user's personal store
//! counts, so a planted store cannot bring a seed its author knows.
//!
//! Refused, without asking, when: vault runs inside a terminal a vault made (`nested`), no
//! factor is enrolled, approvals are locked out, or there is no terminal. Every approval,
//! refusal and enrolment is an audit entry naming the factor, never the code.
//!
//! Rooms: `totp.rs` (pure: codes, URI, QR), `nested.rs` (/proc: vault-made terminals).

pub mod nested;
pub mod totp;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use zeroize::Zeroizing;

use crate::config::{Config, Paths};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secrets::{Contents, Factor};
use crate::state;

/// What an approval is asked for. Strings are shown to the user (escaped) and audited.
#[derive(Debug, Clone)]
pub enum Action<'a> {
    /// A policy change that lets `name` reach more hosts or with less friction.
    WidenPolicy {
        /// The secret.
        name: &'a str,
    },
    /// Adding a recipient (who can then decrypt every value).
    AddRecipient {
        /// The recipient as the user gave it.
        key: &'a str,
    },
    /// Trusting a project store this user did not create (or whose recipients changed).
    TrustStore {
        /// The store file.
        path: &'a Path,
    },
    /// Accepting a store older than the newest generation this machine has seen.
    AcceptRollback {
        /// The highest generation seen.
        seen: u64,
        /// The generation found.
        found: u64,
    },
    /// A `confirm` egress rule met during a run: these (secret, host) pairs.
    ConfirmEgress {
        /// (secret name, host) pairs.
        pairs: &'a [(String, String)],
    },
    /// Replacing the enrolled approval factor with a new one.
    ReplaceFactor,
}

impl Action<'_> {
    /// Short key for the audit log.
    #[must_use]
    pub fn key(&self) -> &'static str {
        match self {
            Action::WidenPolicy { .. } => "widen-policy",
            Action::AddRecipient { .. } => "add-recipient",
            Action::TrustStore { .. } => "trust-store",
            Action::AcceptRollback { .. } => "accept-rollback",
            Action::ConfirmEgress { .. } => "confirm-egress",
            Action::ReplaceFactor => "replace-factor",
        }
    }

    /// One line saying what will happen once approved (escaped).
    #[must_use]
    pub fn describe(&self) -> String {
        let e = crate::trust::escaped;
        match self {
            Action::WidenPolicy { name } => format!("widen the egress policy of {}", e(name)),
            Action::AddRecipient { key } => {
                format!(
                    "add the recipient {} (it can then read every value)",
                    e(key)
                )
            }
            Action::TrustStore { path } => format!(
                "trust {} for writes with its current recipients",
                e(&path.display().to_string())
            ),
            Action::AcceptRollback { seen, found } => format!(
                "accept this store at generation {found}, older than generation {seen} seen before"
            ),
            Action::ConfirmEgress { pairs } => {
                let list: Vec<String> = pairs
                    .iter()
                    .map(|(s, h)| format!("{} -> {}", e(s), e(h)))
                    .collect();
                format!("send {} in this run", list.join(", "))
            }
            Action::ReplaceFactor => "replace the approval factor with a new one".to_string(),
        }
    }

    fn secrets(&self) -> Vec<String> {
        match self {
            Action::WidenPolicy { name } => vec![(*name).to_string()],
            Action::ConfirmEgress { pairs } => {
                let mut v: Vec<String> = pairs.iter().map(|(s, _)| s.clone()).collect();
                v.dedup();
                v
            }
            _ => Vec::new(),
        }
    }
}

/// Asks for an approval of `action`; `Ok(())` only when a valid, unused code was given.
///
/// # Errors
/// `Exit::Denied` when no factor is enrolled, no terminal can be asked, the code is wrong or
/// replayed, or vault runs inside a terminal it created itself.
pub fn require(paths: &Paths, action: &Action<'_>) -> Result<()> {
    require_with(paths, action, "")
}

/// As [`require`], showing `detail` (already escaped) above the question.
///
/// # Errors
/// As [`require`].
pub fn require_with(paths: &Paths, action: &Action<'_>, detail: &str) -> Result<()> {
    let outcome = approve(paths, action, detail);
    let mut entry = crate::audit::Entry::new("approval", action.secrets());
    let (result, factor) = match &outcome {
        Ok(()) => ("approved", "totp"),
        Err(Refusal { factor, .. }) => ("refused", *factor),
    };
    entry.decision = Some(serde_json::json!({
        "for": action.key(),
        "what": action.describe(),
        "factor": factor,
        "result": result,
    }));
    if let Err(r) = &outcome {
        entry.note = Some(r.error.message.clone());
    }
    // Fail closed: an approval that cannot be recorded is not given.
    let logged = crate::audit::append(paths, entry);
    match outcome {
        Ok(()) => logged.map(|_| ()),
        Err(r) => Err(r.error),
    }
}

struct Refusal {
    factor: &'static str,
    error: Error,
}

fn refused(factor: &'static str, message: impl Into<String>, hint: &str) -> Refusal {
    let mut error = Error::new(Exit::Denied, message);
    if !hint.is_empty() {
        error = error.hint(hint);
    }
    Refusal { factor, error }
}

fn open_tty() -> Option<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()
}

/// The hint for enrolling: always on the owner's own terminal.
const ENROL_HINT: &str = "the store's owner enrols a factor on their own terminal (not inside `vault run`): `vault approvals enrol`";

fn approve(paths: &Paths, action: &Action<'_>, detail: &str) -> Result<(), Refusal> {
    let what = action.describe();
    let tty = open_tty();
    if let Some(why) = nested::inside_vault_terminal(tty.as_ref()) {
        return Err(refused(
            "none",
            format!(
                "not approved ({what}): vault is running inside a terminal that vault made ({why}); approvals are never asked there"
            ),
            "approve it from your own terminal, outside `vault run`",
        ));
    }
    let home = factor_home(paths).map_err(|e| Refusal {
        factor: "none",
        error: e,
    })?;
    let factor = load_factor(&home).map_err(|e| Refusal {
        factor: "none",
        error: Error::new(
            Exit::Denied,
            format!(
                "not approved ({what}): the approval factor cannot be read: {}",
                e.message
            ),
        ),
    })?;
    let Some((id, seed)) = factor else {
        return Err(refused(
            "none",
            format!(
                "not approved ({what}): no approval factor is enrolled for {}",
                crate::trust::escaped(&home.store().display().to_string())
            ),
            ENROL_HINT,
        ));
    };
    let now = crate::secrets::now();
    let fs = state::load()
        .map_err(|e| Refusal {
            factor: "totp",
            error: e,
        })?
        .factors
        .get(&id)
        .cloned()
        .unwrap_or_default();
    if fs.locked_until > now {
        return Err(refused(
            "totp",
            format!(
                "not approved ({what}): approvals are locked for {} more second(s) after {} wrong code(s)",
                fs.locked_until - now,
                fs.failures
            ),
            "wait, then try again with the code your authenticator app shows",
        ));
    }
    let Some(mut tty) = tty else {
        return Err(refused(
            "totp",
            format!(
                "not approved ({what}): an approval is a code typed on the terminal, and there is no terminal"
            ),
            "run it yourself in a terminal; no flag or stdin can answer instead",
        ));
    };
    let mut text = format!("vault: approval needed to {what}\n");
    if !detail.is_empty() {
        text.push_str(detail);
        text.push('\n');
    }
    let _ = tty.write_all(text.as_bytes()).and_then(|()| tty.flush());
    let code = crate::tty::prompt_hidden("approval code from your authenticator app: ")
        .map_err(|e| refused("totp", format!("not approved ({what}): {}", e.message), ""))?;
    let totp = totp::totp(&seed, &account(&home)).map_err(|e| Refusal {
        factor: "totp",
        error: e,
    })?;
    // The time the code was typed, not when the question appeared.
    check_code(&id, &totp, code.trim(), crate::secrets::now()).map_err(|e| Refusal {
        factor: "totp",
        error: Error::new(
            Exit::Denied,
            format!("not approved ({what}): {}", e.message),
        )
        .hint(e.hint.unwrap_or_default()),
    })
}

/// Wrong codes before approvals lock for a while.
const FREE_TRIES: u32 = 5;

/// Verifies `code` against the factor's replay memory and records the outcome.
fn check_code(id: &str, totp: &totp_rs::Totp, code: &str, now: u64) -> Result<()> {
    state::update(|s| {
        let fs = s.factors.entry(id.to_string()).or_default();
        if let Some(step) = totp::accepted_step(totp, code, now, fs.last_step) {
            fs.last_step = step;
            fs.failures = 0;
            fs.locked_until = 0;
            return Ok((true, Ok(())));
        }
        let replayed = totp::accepted_step(totp, code, now, 0).is_some();
        fs.failures = fs.failures.saturating_add(1);
        if fs.failures >= FREE_TRIES {
            let exp = (fs.failures - FREE_TRIES).min(6);
            fs.locked_until = now + (60u64 << exp);
        }
        let err = if replayed {
            Error::new(
                Exit::Denied,
                "that code was already used (a code is accepted once)",
            )
            .hint("wait for the next code your authenticator app shows")
        } else {
            Error::new(Exit::Denied, "the code is wrong or expired")
                .hint("type the 6 digits your authenticator app shows for vault now")
        };
        Ok((true, Err(err)))
    })?
}

/// The label shown in the authenticator app.
fn account(home: &Paths) -> String {
    let host = rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned();
    format!("{host} {}", home.home.display())
}

/// The store whose factor approves actions on `paths`: the store itself, or for a project
/// store the user's personal store.
///
/// # Errors
/// A project store when no personal store directory can be found.
pub fn factor_home(paths: &Paths) -> Result<Paths> {
    if !crate::discover::is_project(paths) {
        return Ok(paths.clone());
    }
    crate::discover::personal_home(paths).ok_or_else(|| {
        Error::new(
            Exit::Denied,
            "approvals for a project store use the factor of your personal store, and it cannot be found",
        )
        .hint("set XDG_DATA_HOME or HOME so your personal store can be found")
    })
}

/// (factor id, seed) of the store that was opened in this process, so an approval does not
/// unlock it a second time (a passphrase would be asked twice).
static OPENED: Mutex<Option<(PathBuf, Loaded)>> = Mutex::new(None);

/// Called by `cmd::open` after it decrypted a store.
pub fn note_opened(paths: &Paths, contents: &Contents) {
    if let Ok(mut slot) = OPENED.lock() {
        *slot = Some((paths.home.clone(), contents.approval.as_ref().map(copy)));
    }
}

fn copy(f: &Factor) -> (String, Zeroizing<Vec<u8>>) {
    (f.id.clone(), Zeroizing::new(f.seed.expose().to_vec()))
}

type Loaded = Option<(String, Zeroizing<Vec<u8>>)>;

fn load_factor(home: &Paths) -> Result<Loaded> {
    if let Ok(slot) = OPENED.lock()
        && let Some((path, factor)) = slot.as_ref()
        && *path == home.home
    {
        return Ok(factor
            .as_ref()
            .map(|(i, s)| (i.clone(), Zeroizing::new(s.to_vec()))));
    }
    if !crate::store::exists(home) {
        return Ok(None);
    }
    let config = Config::load(home)?;
    let ciphertext = crate::store::read(home)?;
    let unlocked = crate::unlock::unlock(home, &config)?;
    let plain = crate::seal::decrypt(&ciphertext, &unlocked.identities)?;
    let contents = Contents::from_bytes(&plain)?;
    Ok(contents.approval.as_ref().map(copy))
}

/// True when the store at `paths` (or, for a project store, the personal one) has a factor.
///
/// # Errors
/// When that store cannot be read or unlocked.
pub fn enrolled(paths: &Paths) -> Result<bool> {
    Ok(load_factor(&factor_home(paths)?)?.is_some())
}

/// Enrols a new TOTP factor in the factor home of `paths`, on the terminal: the QR code and
/// URI are shown once, and a first code from the app confirms they were scanned. Replacing
/// an existing factor needs an approval from it first.
///
/// # Errors
/// `Exit::Denied` inside a vault-made terminal or with no terminal; a code that does not
/// match; store and state failures.
pub fn enrol(paths: &Paths) -> Result<()> {
    let tty = open_tty();
    let refuse = |message: String, hint: &str| -> Error {
        let mut entry = crate::audit::Entry::new("enrol-refused", Vec::new());
        entry.decision = Some(serde_json::json!({ "factor": "totp" }));
        entry.note = Some(message.clone());
        let _ = crate::audit::append(paths, entry);
        Error::new(Exit::Denied, message).hint(hint)
    };
    if let Some(why) = nested::inside_vault_terminal(tty.as_ref()) {
        return Err(refuse(
            format!("not enrolled: vault is running inside a terminal that vault made ({why})"),
            "enrol on your own terminal, outside `vault run`",
        ));
    }
    let Some(mut tty) = tty else {
        return Err(refuse(
            "not enrolled: enrolment shows a QR code on your terminal, and there is no terminal"
                .to_string(),
            ENROL_HINT,
        ));
    };
    let home = factor_home(paths)?;
    if !crate::store::exists(&home) {
        return Err(Error::new(
            Exit::NoInput,
            format!(
                "approvals for this store use the factor of your personal store {}, which does not exist yet",
                home.store().display()
            ),
        )
        .hint(format!(
            "create it on your terminal: `vault --store {} init`",
            home.home.display()
        )));
    }
    let mut opened = crate::cmd::open_at(home.clone())?;
    if opened.contents.approval.is_some() {
        require_with(&home, &Action::ReplaceFactor, "")?;
    }
    let mut seed = Zeroizing::new(vec![0u8; totp::SEED_LEN]);
    getrandom::fill(&mut seed)
        .map_err(|e| Error::new(Exit::Failure, format!("no randomness from the OS: {e}")))?;
    let id = state::random_id()?;
    let totp = totp::totp(&seed, &account(&home))?;
    let uri = Zeroizing::new(totp::uri(&totp)?);
    let qr = Zeroizing::new(totp::qr(&uri)?);
    let shown = format!(
        "vault: approval factor for {}\nScan this QR code with your authenticator app (or add the otpauth URI below).\nIt is shown only now; it is kept inside the encrypted store.\n\n{}\n{}\n\n",
        crate::trust::escaped(&home.store().display().to_string()),
        qr.as_str(),
        uri.as_str()
    );
    tty.write_all(shown.as_bytes())
        .and_then(|()| tty.flush())
        .map_err(|e| Error::io("/dev/tty", &e))?;
    let mut step = None;
    for _ in 0..3 {
        let code =
            crate::tty::prompt_hidden("code your app shows now (to confirm it was scanned): ")?;
        step = totp::accepted_step(&totp, code.trim(), crate::secrets::now(), 0);
        if step.is_some() {
            break;
        }
        let _ = tty.write_all(b"vault: that code does not match; try again\n");
    }
    let Some(step) = step else {
        return Err(refuse(
            "not enrolled: no matching code was typed; nothing was changed".to_string(),
            "check the phone's clock, then `vault approvals enrol` again",
        ));
    };
    let enrolled = crate::secrets::now();
    let replaced = opened.contents.approval.is_some();
    let seed_copy = Zeroizing::new(seed.to_vec());
    opened.modify(|c| {
        c.approval = Some(Factor {
            id: id.clone(),
            kind: "totp".to_string(),
            seed: crate::secret::SecretValue::new(seed_copy),
            enrolled,
        });
        let mut entry = crate::audit::Entry::new("enrol", Vec::new());
        entry.decision = Some(serde_json::json!({ "factor": "totp", "replaced": replaced }));
        Ok(((), entry))
    })?;
    state::update(|s| {
        s.factors.entry(id.clone()).or_default().last_step = step;
        Ok((true, ()))
    })?;
    note_opened(&home, &opened.contents);
    // Leave no seed on the screen or in the scrollback.
    let _ = tty.write_all(b"\x1b[H\x1b[2J\x1b[3J");
    eprintln!(
        "vault: approval factor enrolled (TOTP) for {}; approvals now ask for a code from your app",
        crate::trust::escaped(&home.store().display().to_string())
    );
    Ok(())
}

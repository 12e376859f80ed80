//! Finding the identity that opens the store, in a fixed order:
//! 1. `VAULT_IDENTITY`: the identity text itself (for CI: a masked CI secret);
//! 2. `VAULT_IDENTITY_FILE`: a path to an age identity file;
//! 3. the OS keyring (Secret Service, macOS Keychain, Windows Credential Manager), entry
//!    service `vault`, user `identity:<home>` — one identity per store home;
//! 4. `$VAULT_HOME/identity.age`: the identity encrypted with a passphrase (age scrypt),
//!    the passphrase read from /dev/tty, never from stdin.
//!
//! The first route that is configured is used; a configured route that fails is an error
//! (vault does not silently try the next one, which would hide a broken CI secret).
//! Unlock material never reaches a child: `run` builds the child's environment without
//! the `VAULT_IDENTITY*` variables, and redacts their contents like secrets.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::config::{Config, Paths};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::seal::Identity;

/// The keyring service name.
const KEYRING_SERVICE: &str = "vault";
/// scrypt work factor used to protect `identity.age` (about 0.5–1 s on a laptop).
const SCRYPT_LOG_N: u8 = 18;
/// Highest work factor accepted when opening `identity.age`, so a slow machine is not
/// refused by age's own one-second calibration, while a hostile file cannot ask for hours.
const SCRYPT_MAX_LOG_N: u8 = 22;

/// How the identity was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `VAULT_IDENTITY`.
    Env,
    /// `VAULT_IDENTITY_FILE`.
    EnvFile(PathBuf),
    /// The OS keyring.
    Keyring,
    /// The OS keyring entry of the user's personal store (for a project store).
    PersonalKeyring,
    /// A project store's own keyring entry, and the user's personal one beside it.
    KeyringAndPersonal,
    /// The passphrase-protected identity file.
    Passphrase(PathBuf),
    /// A remote store's server token (its source: `BAO_TOKEN`, AppRole, a token file).
    Server(String),
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Route::Env => f.write_str("VAULT_IDENTITY (environment)"),
            Route::EnvFile(p) => write!(f, "VAULT_IDENTITY_FILE ({})", p.display()),
            Route::Keyring => f.write_str("OS keyring"),
            Route::PersonalKeyring => f.write_str("OS keyring (your personal identity)"),
            Route::KeyringAndPersonal => {
                f.write_str("OS keyring (this store's entry and your personal identity)")
            }
            Route::Passphrase(p) => write!(f, "passphrase file ({})", p.display()),
            Route::Server(source) => write!(f, "OpenBao token from {source}"),
        }
    }
}

/// Identities that open the store, and where they came from.
pub struct Unlocked {
    /// The identities.
    pub identities: Vec<Identity>,
    /// The route used.
    pub route: Route,
    /// The unlock material's text (identity strings), so `run` can redact it too.
    pub material: Vec<Zeroizing<String>>,
}

impl fmt::Debug for Unlocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Unlocked {{ route: {}, identities: {} }}",
            self.route,
            self.identities.len()
        )
    }
}

/// The identity configured in the environment, if any, without touching keyring or tty.
pub fn from_env() -> Result<Option<Unlocked>> {
    if let Some(text) = std::env::var_os("VAULT_IDENTITY").filter(|v| !v.is_empty()) {
        let text = Zeroizing::new(text.into_string().map_err(|_| {
            Error::new(
                Exit::Locked,
                "VAULT_IDENTITY is not valid UTF-8, so it is not an age identity",
            )
        })?);
        let identities = parse_identities(&text, "VAULT_IDENTITY")?;
        return Ok(Some(Unlocked {
            identities,
            route: Route::Env,
            material: vec![text],
        }));
    }
    if let Some(path) = std::env::var_os("VAULT_IDENTITY_FILE").filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        let text = read_identity_file(&path)?;
        let identities =
            parse_identities(&text, &format!("VAULT_IDENTITY_FILE ({})", path.display()))?;
        return Ok(Some(Unlocked {
            identities,
            route: Route::EnvFile(path),
            material: vec![text],
        }));
    }
    Ok(None)
}

/// Finds the identity by the documented order.
pub fn unlock(paths: &Paths, config: &Config) -> Result<Unlocked> {
    if let Some(u) = from_env()? {
        return Ok(u);
    }
    let mut keyring_problem = None;
    if config.keyring {
        match keyring_find(paths) {
            Ok(Some((texts, route))) => {
                let mut identities = Vec::new();
                for text in &texts {
                    identities.extend(parse_identities(text, "the keyring entry")?);
                }
                return Ok(Unlocked {
                    identities,
                    route,
                    material: texts,
                });
            }
            Ok(None) => {}
            Err(why) => keyring_problem = Some(why),
        }
    }
    let file = paths.identity_file();
    if std::fs::symlink_metadata(&file).is_ok() {
        let text = open_passphrase_file(&file)?;
        let identities = parse_identities(&text, "identity.age")?;
        return Ok(Unlocked {
            identities,
            route: Route::Passphrase(file),
            material: vec![text],
        });
    }
    let mut err = Error::new(
        Exit::Locked,
        "locked: no identity (VAULT_IDENTITY, VAULT_IDENTITY_FILE, keyring entry or identity.age)",
    );
    err = match keyring_problem {
        Some(why) => err.hint(format!("the OS keyring is unavailable ({why}); in CI set VAULT_IDENTITY to the output of `vault keygen`")),
        None => err.hint("set VAULT_IDENTITY or VAULT_IDENTITY_FILE, or run `vault init` on this machine"),
    };
    Err(err)
}

/// Parses age identity text (one or more `AGE-SECRET-KEY-1…` lines, `#` comments allowed),
/// or one SSH private key (see `recipient.rs`). The message never quotes the text.
pub fn parse_identities(text: &str, source: &str) -> Result<Vec<Identity>> {
    if crate::recipient::is_ssh_private_key(text) {
        return Ok(vec![crate::recipient::ssh_identity(text, source)?]);
    }
    let bad = || {
        Error::new(
            Exit::Locked,
            format!("{source} does not hold an age identity"),
        )
        .hint("expected AGE-SECRET-KEY-1… lines, as written by `vault keygen` or age-keygen")
    };
    let file = age::IdentityFile::from_buffer(text.as_bytes()).map_err(|_| bad())?;
    let ids = file.into_identities().map_err(|_| bad())?;
    if ids.is_empty() {
        return Err(bad());
    }
    Ok(ids)
}

/// The recipients (public keys) of identity text, for `init` with an identity from the
/// environment.
pub fn recipients_of(text: &str, source: &str) -> Result<Vec<String>> {
    crate::recipient::of_identity_text(text, source)
}

fn read_identity_file(path: &Path) -> Result<Zeroizing<String>> {
    let mut text = Zeroizing::new(String::new());
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .map_err(|e| {
            Error::new(
                Exit::Locked,
                format!(
                    "cannot read VAULT_IDENTITY_FILE {}: {}",
                    path.display(),
                    crate::error::io_reason(&e)
                ),
            )
        })?;
    Ok(text)
}

fn keyring_user(paths: &Paths) -> String {
    let home = std::fs::canonicalize(&paths.home).unwrap_or_else(|_| paths.home.clone());
    format!("identity:{}", home.display())
}

/// Reads this home's identity from the keyring: `Ok(None)` when there is no entry,
/// `Err(reason)` when the keyring itself is unavailable.
fn keyring_load(paths: &Paths) -> std::result::Result<Option<Zeroizing<String>>, String> {
    let entry =
        keyring::Entry::new(KEYRING_SERVICE, &keyring_user(paths)).map_err(|e| short_reason(&e))?;
    match entry.get_secret() {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            let text =
                std::str::from_utf8(&bytes).map_err(|_| "the entry is not text".to_string())?;
            Ok(Some(Zeroizing::new(text.to_string())))
        }
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(short_reason(&e)),
    }
}

/// Identity texts found in the keyring, and the route that names them.
pub type KeyringFound = (Vec<Zeroizing<String>>, Route);

/// This home's keyring entry and, for a project store (`.vault`), the entry of the user's
/// personal store as well, so one person uses one identity across projects. Both are
/// offered to age, which uses whichever the store is encrypted to: an entry this project
/// path kept from an earlier store (re-created, or cloned anew) must not hide the personal
/// identity the current store is encrypted to.
pub fn keyring_find(paths: &Paths) -> std::result::Result<Option<KeyringFound>, String> {
    let own = keyring_load(paths)?;
    let personal = match crate::discover::personal_home(paths).map(|p| keyring_load(&p)) {
        Some(Ok(found)) => found,
        // The keyring answered for this store's own entry: use that alone.
        Some(Err(_)) if own.is_some() => None,
        Some(Err(why)) => return Err(why),
        None => None,
    };
    Ok(match (own, personal) {
        (Some(own), Some(personal)) if *own != *personal => {
            Some((vec![own, personal], Route::KeyringAndPersonal))
        }
        (Some(own), _) => Some((vec![own], Route::Keyring)),
        (None, Some(personal)) => Some((vec![personal], Route::PersonalKeyring)),
        (None, None) => None,
    })
}

/// Saves this home's identity in the keyring.
pub fn keyring_save(paths: &Paths, identity: &SecretString) -> std::result::Result<(), String> {
    let entry =
        keyring::Entry::new(KEYRING_SERVICE, &keyring_user(paths)).map_err(|e| short_reason(&e))?;
    entry
        .set_secret(identity.expose_secret().as_bytes())
        .map_err(|e| short_reason(&e))?;
    // Read it back: some stores accept a write and then cannot return it (locked collection).
    match keyring_load(paths)? {
        Some(back) if back.as_str() == identity.expose_secret() => Ok(()),
        _ => Err("the keyring accepted the identity but did not return it".into()),
    }
}

/// Removes this home's keyring entry (used when `init` fails after saving it).
pub fn keyring_delete(paths: &Paths) {
    if let Ok(entry) = keyring::Entry::new(KEYRING_SERVICE, &keyring_user(paths)) {
        let _ = entry.delete_credential();
    }
}

fn short_reason(e: &keyring::Error) -> String {
    let text = e.to_string();
    text.lines()
        .next()
        .unwrap_or("unknown error")
        .chars()
        .take(160)
        .collect()
}

/// Decrypts `identity.age` with a passphrase typed on the terminal.
fn open_passphrase_file(path: &Path) -> Result<Zeroizing<String>> {
    if !crate::tty::have_tty() {
        return Err(Error::new(
            Exit::Locked,
            format!(
                "locked: {} needs a passphrase and there is no terminal to ask on",
                path.display()
            ),
        )
        .hint("in CI or under an agent, set VAULT_IDENTITY or VAULT_IDENTITY_FILE instead"));
    }
    let ciphertext = std::fs::read(path).map_err(|e| Error::io(path.display(), &e))?;
    let pass = crate::tty::prompt_hidden("vault passphrase: ")?;
    let mut identity = age::scrypt::Identity::new(SecretString::from(pass.as_str().to_string()));
    identity.set_max_work_factor(SCRYPT_MAX_LOG_N);
    let decryptor = age::Decryptor::new(&ciphertext[..])
        .map_err(|_| Error::new(Exit::IoErr, format!("{} is damaged", path.display())))?;
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::ExcessiveWork { .. } => Error::new(
                Exit::Locked,
                format!(
                    "{} asks for an excessive scrypt work factor",
                    path.display()
                ),
            ),
            _ => Error::new(Exit::Locked, "wrong passphrase"),
        })?;
    let mut text = Zeroizing::new(String::new());
    reader
        .read_to_string(&mut text)
        .map_err(|_| Error::new(Exit::IoErr, format!("{} is damaged", path.display())))?;
    Ok(text)
}

/// Writes `identity.age`: the identity encrypted with a passphrase typed twice on the tty.
pub fn create_passphrase_file(path: &Path, identity: &SecretString) -> Result<()> {
    let pass = crate::tty::prompt_hidden("new vault passphrase: ")?;
    let again = crate::tty::prompt_hidden("repeat the passphrase: ")?;
    if pass.as_str() != again.as_str() {
        return Err(Error::new(Exit::DataErr, "the passphrases differ"));
    }
    if pass.len() < 8 {
        return Err(Error::new(
            Exit::DataErr,
            "refusing a passphrase shorter than 8 characters",
        ));
    }
    let mut recipient = age::scrypt::Recipient::new(SecretString::from(pass.as_str().to_string()));
    recipient.set_work_factor(SCRYPT_LOG_N);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| Error::new(Exit::Failure, format!("cannot encrypt the identity: {e}")))?;
    let mut out = Vec::new();
    let fail =
        |e: std::io::Error| Error::new(Exit::Failure, format!("cannot encrypt the identity: {e}"));
    let mut w = encryptor.wrap_output(&mut out).map_err(fail)?;
    w.write_all(identity.expose_secret().as_bytes())
        .map_err(fail)?;
    w.write_all(b"\n").map_err(fail)?;
    w.finish().map_err(fail)?;
    crate::store::write_new_file(path, &out)
}

//! Subcommands, one file each, and what they share: opening and changing the store.

pub mod import;
pub mod init;
pub mod keygen;
pub mod list;
pub mod rm;
pub mod set;

use crate::cli::{Cli, Command};
use crate::config::{Config, Paths};
use crate::error::Result;
use crate::exit::Exit;
use crate::secrets::Contents;
use crate::unlock::{self, Unlocked};
use crate::{generate, seal, store};

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> Result<Exit> {
    match cli.command {
        Command::Init(a) => init::run(&a),
        Command::Keygen(a) => keygen::run(&a),
        Command::Set(a) => set::run(&a),
        Command::List(a) => list::run(&a),
        Command::Rm(a) => rm::run(&a),
        Command::Import(a) => import::run(&a),
        Command::Run(_) | Command::Redact => Err(crate::error::Error::new(
            Exit::Failure,
            "not available in this build",
        )),
        Command::Generate(a) => generate::run(&a),
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

/// Finds, unlocks and decrypts the store.
pub fn open() -> Result<Opened> {
    let paths = Paths::locate()?;
    store::check_home(&paths)?;
    let config = Config::load(&paths)?;
    // Read first: a missing store is a clearer error than a missing identity.
    let ciphertext = store::read(&paths)?;
    let unlocked = unlock::unlock(&paths, &config)?;
    let contents = decrypt(&ciphertext, &unlocked)?;
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
    /// changed it since `open`), applies `change`, encrypts and atomically replaces it.
    /// Nothing is written when `change` fails.
    pub fn modify<T>(&mut self, change: impl FnOnce(&mut Contents) -> Result<T>) -> Result<T> {
        let lock = store::lock(&self.paths)?;
        let ciphertext = store::read(&self.paths)?;
        let mut contents = decrypt(&ciphertext, &self.unlocked)?;
        let out = change(&mut contents)?;
        let plain = contents.to_bytes()?;
        let sealed = seal::encrypt(&plain, &contents.recipients)?;
        store::write(&self.paths, &lock, &sealed)?;
        drop(lock);
        self.contents = contents;
        Ok(out)
    }
}

//! `vault init`: create the store and decide how it will be unlocked.

use age::secrecy::SecretString;

use crate::cli::InitArgs;
use crate::config::{Config, Paths};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secrets::Contents;
use crate::{audit, seal, store, unlock};

/// Creates an empty store encrypted to the identity from the environment, or to a new
/// identity kept in the keyring or a passphrase file.
pub fn run(args: &InitArgs) -> Result<Exit> {
    if !args.project
        && let Some(target) = crate::discover::remote()?
    {
        return crate::remote::init(target);
    }
    let paths = if args.project {
        crate::discover::project_here()?
    } else {
        Paths::locate()?
    };
    if store::exists(&paths) {
        return Err(Error::new(
            Exit::CantCreate,
            format!("a store already exists at {}", paths.store().display()),
        )
        .hint("nothing was changed; remove it yourself if you really mean to start over"));
    }
    // Validate the environment's identity before creating anything.
    let env_identity = unlock::from_env()?;
    let created_home = !paths.home.exists();
    let before = crate::project::snapshot(&paths);
    store::create_home(&paths)?;
    let result = if args.project {
        crate::project::write_static_files(&paths)
    } else {
        Ok(())
    }
    .and_then(|()| create(&paths, args, env_identity));
    if result.is_err() && !store::exists(&paths) {
        // Leave nothing behind but what was there before.
        if args.project {
            crate::project::restore(&paths, &before);
        }
        let _ = std::fs::remove_file(paths.lock());
        if created_home {
            let _ = std::fs::remove_dir(&paths.home);
        }
    }
    result
}

fn create(paths: &Paths, args: &InitArgs, env_identity: Option<unlock::Unlocked>) -> Result<Exit> {
    let paths = paths.clone();
    let config = Config::load(&paths)?;
    let lock = store::lock(&paths)?;
    if store::exists(&paths) {
        return Err(Error::new(
            Exit::CantCreate,
            format!("a store already exists at {}", paths.store().display()),
        ));
    }
    let (recipients, route) = match env_identity {
        Some(u) => {
            let source = u.route.to_string();
            let mut r = Vec::new();
            for m in &u.material {
                r.extend(unlock::recipients_of(m, &source)?);
            }
            (r, u.route)
        }
        None => {
            match crate::project::personal_identity(&paths, &config, args.project, args.passphrase)?
            {
                Some(found) => found,
                None => new_identity(&paths, &config, args.passphrase)?,
            }
        }
    };
    let mut contents = Contents::new(recipients.clone());
    contents.next_generation(0)?;
    let mut entry = audit::Entry::new("init", Vec::new());
    entry.note = Some(format!("unlocks with {route}"));
    entry.generation = Some(contents.generation);
    contents.audit = Some(audit::append_locked(&paths, &lock, entry)?);
    let sealed = seal::encrypt(&contents.to_bytes()?, &recipients)?;
    if let Err(e) = store::write(&paths, &lock, &sealed) {
        if route == unlock::Route::Keyring {
            unlock::keyring_delete(&paths);
        }
        return Err(e);
    }
    drop(lock);
    if let Some(id) = &contents.id {
        crate::trust::remember_generation(&paths, id, contents.generation)?;
        // The store this user creates is trusted at creation.
        crate::trust::record_trust(&paths, id, &recipients)?;
    }
    eprintln!("vault: created {}", paths.store().display());
    eprintln!("vault: unlocks with: {route}");
    eprintln!("vault: recipient: {}", recipients.join(", "));
    if args.project {
        crate::project::created(&paths, &recipients)?;
    }
    enrol_at_init(&paths);
    Ok(Exit::Success)
}

/// On a terminal, enrol the approval factor right away (shown once); elsewhere (CI, a
/// script) say how the owner does it later. A failed enrolment leaves the store as created.
fn enrol_at_init(paths: &Paths) {
    let interactive = rustix::termios::isatty(std::io::stdin()) && crate::tty::have_tty();
    if crate::discover::is_project(paths) {
        if !matches!(crate::approval::enrolled(paths), Ok(true)) {
            eprintln!(
                "vault: approvals in this project store use the factor of your personal store; none is enrolled there yet (`vault approvals enrol`)"
            );
        }
        return;
    }
    if !interactive {
        eprintln!(
            "vault: no approval factor enrolled (not on a terminal): every widening will be refused until the owner runs `vault approvals enrol` on their own terminal"
        );
        return;
    }
    if let Err(e) = crate::approval::enrol(paths) {
        crate::report(&e);
        eprintln!("vault: the store was created; enrol later with `vault approvals enrol`");
    }
}

/// Generates an identity and keeps it in the keyring, or else in a passphrase file.
fn new_identity(
    paths: &Paths,
    config: &Config,
    passphrase: bool,
) -> Result<(Vec<String>, unlock::Route)> {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let secret: SecretString = identity.to_string();
    let mut keyring_problem = None;
    if !passphrase && config.keyring {
        match unlock::keyring_save(paths, &secret) {
            Ok(()) => return Ok((vec![recipient], unlock::Route::Keyring)),
            Err(why) => keyring_problem = Some(why),
        }
    } else if !config.keyring {
        keyring_problem = Some("disabled in config.toml".to_string());
    }
    if !crate::tty::have_tty() {
        let why = keyring_problem.unwrap_or_else(|| "--passphrase was given".into());
        return Err(Error::new(
            Exit::Locked,
            format!("cannot keep a new identity: no OS keyring ({why}) and no terminal to ask for a passphrase"),
        )
        .hint("for CI: `vault keygen` once, store its output as the secret VAULT_IDENTITY, then `VAULT_IDENTITY=… vault init`"));
    }
    if let Some(why) = keyring_problem.as_ref().filter(|_| !passphrase) {
        eprintln!(
            "vault: the OS keyring is unavailable ({why}); protecting the identity with a passphrase instead"
        );
    }
    let file = paths.identity_file();
    unlock::create_passphrase_file(&file, &secret)?;
    Ok((vec![recipient], unlock::Route::Passphrase(file)))
}

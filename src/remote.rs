//! Stores on an OpenBao / HashiCorp Vault KV v2 mount (issue #13).
//!
//! Rooms: `url` (naming a remote store; pure), `client` (HTTP, TLS, status → exit code),
//! `auth` (the token: unlock material), `kv` (the KV v2 wire format), `cache` (the optional
//! age-encrypted read cache of `run --cache`). This file joins them: it opens a remote store
//! into the same [`Opened`] a local store gives (so injection, placeholders, redaction and
//! egress work unchanged), and turns a change to it into check-and-set writes.
//!
//! `cmd::open_with` and `Opened::modify` dispatch here first; nothing below touches the local
//! store. The process works on one store, so the connection lives in a process-wide
//! [`OnceLock`] rather than in `Opened`.
//!
//! The local audit log is kept for a remote store too, in the user's vault home (VAULT_HOME
//! or the personal store's directory) under `remote/<id>/audit.jsonl`, one log per store URL.

pub mod auth;
pub mod cache;
pub mod client;
pub mod kv;
pub mod url;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use sha2::{Digest, Sha256};

use crate::approval::{self, Action};
use crate::audit;
use crate::cmd::Opened;
use crate::config::{Config, Paths};
use crate::egress::Policy;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secret::SecretName;
use crate::secrets::{Contents, Entry};
use crate::unlock::{Route, Unlocked};
use client::Client;
use url::StoreUrl;

/// The name of the pointer file in a project's `.vault/`: one line, the store URL.
pub const POINTER_FILE: &str = "remote";

/// A remote store and how it was named.
#[derive(Clone, Debug)]
pub struct Target {
    /// The store.
    pub url: StoreUrl,
    /// The pointer file it came from; `None` when named by `--store` / `VAULT_STORE`.
    pub pointer: Option<PathBuf>,
}

/// The open connection of this process.
struct Session {
    client: Client,
    target: Target,
    /// Entry versions as read, for check-and-set.
    versions: Mutex<BTreeMap<String, u64>>,
    /// Entries that are listed but not used, with why.
    notes: Vec<String>,
}

static SESSION: OnceLock<Session> = OnceLock::new();

/// True once a remote store is open in this process.
#[must_use]
pub fn active() -> bool {
    SESSION.get().is_some()
}

/// Notes about entries at the store's path that vault does not use (for `list`).
#[must_use]
pub fn notes() -> Vec<String> {
    SESSION.get().map(|s| s.notes.clone()).unwrap_or_default()
}

/// The directory holding this store's local audit log (and cache).
pub fn local_paths(url: &StoreUrl) -> Result<(Paths, Paths)> {
    let base = match std::env::var_os("VAULT_HOME").filter(|h| !h.is_empty()) {
        Some(h) => PathBuf::from(h),
        None => crate::discover::user_home()?,
    };
    let id = hex(&Sha256::digest(url.to_string().as_bytes())[..8]);
    let personal = Paths { home: base };
    let home = personal.home.join("remote").join(id);
    Ok((Paths { home }, personal))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Reads a project's pointer file: the same ownership rules as `.vault/` itself.
pub fn read_pointer(path: &Path) -> Result<StoreUrl> {
    use std::os::unix::fs::MetadataExt;
    let refuse = |why: &str| {
        Err(Error::new(
            Exit::IoErr,
            format!("refusing the store pointer {}: {why}", path.display()),
        ))
    };
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path.display(), &e))?;
    if !meta.is_file() {
        return refuse("it is not a regular file");
    }
    if meta.uid() != rustix::process::geteuid().as_raw() {
        return refuse("it is not owned by you");
    }
    if meta.len() > 1024 {
        return refuse("it is longer than a URL");
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path.display(), &e))?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    StoreUrl::parse(line).map_err(|e| {
        let mut e = e;
        e.message = format!("{}: {}", path.display(), e.message);
        e
    })
}

/// The one gate for writes that send a value to a server named by a pointer file found in a
/// repository: a cloned repository's pointer could name someone else's server, and `set`
/// would send the user's value there. Allowed when the URL was named explicitly
/// (`--store` / `VAULT_STORE`), else only with an approval to trust the pointer.
pub fn check_pointer_write(paths: &Paths, target: &Target) -> Result<()> {
    let Some(pointer) = &target.pointer else {
        return Ok(());
    };
    approval::require(paths, &Action::TrustStore { path: pointer }).map_err(|e| {
        Error::new(
            e.exit,
            format!(
                "refusing to write to {}, named by the pointer {} in this repository, without an approval: {}",
                target.url,
                pointer.display(),
                e.message
            ),
        )
        .hint(format!(
            "if you trust it, name it yourself: --store {} (or VAULT_STORE)",
            target.url
        ))
    })
}

/// Sending the token to a server named by a pointer file: only when the user's own
/// `BAO_ADDR`/`VAULT_ADDR` names that server (the token is for it), else an approval.
fn check_pointer_token(paths: &Paths, target: &Target) -> Result<()> {
    let Some(pointer) = &target.pointer else {
        return Ok(());
    };
    let base = target.url.base();
    let named = ["BAO_ADDR", "VAULT_ADDR"].iter().any(|k| {
        std::env::var(k).is_ok_and(|v| v.trim_end_matches('/').eq_ignore_ascii_case(&base))
    });
    if named {
        return Ok(());
    }
    approval::require(paths, &Action::TrustStore { path: pointer }).map_err(|e| {
        Error::new(
            e.exit,
            format!(
                "refusing to send your OpenBao token to {base}, named by the pointer {} in this repository: {}",
                pointer.display(),
                e.message
            ),
        )
        .hint(format!("if this is your server, set BAO_ADDR={base}, or name the store with --store {}", target.url))
    })
}

struct Connected {
    paths: Paths,
    config: Config,
    client: Client,
    source: String,
    material: Vec<zeroize::Zeroizing<String>>,
}

fn connect(target: &Target, audit_failure: bool) -> Result<Connected> {
    let (paths, personal) = local_paths(&target.url)?;
    crate::store::create_home(&paths)?;
    let config = Config::load(&personal)?;
    let agent = client::agent()?;
    check_pointer_token(&paths, target)?;
    let token = auth::token(&target.url, &agent).inspect_err(|e| {
        if audit_failure && e.exit == Exit::Locked {
            let mut entry = audit::Entry::new("unlock-failed", Vec::new());
            entry.note = Some(e.message.clone());
            let _ = audit::append(&paths, entry);
        }
    })?;
    Ok(Connected {
        paths,
        config,
        client: Client::new(target.url.clone(), agent, token.token),
        source: token.source,
        material: token.material,
    })
}

/// Opens the remote store; with `run --cache TTL`, from a fresh enough local cache.
pub fn open(target: Target, audit_failure: bool) -> Result<Opened> {
    let Some(ttl) = cache::ttl() else {
        return open_server(target, audit_failure);
    };
    let (paths, personal) = local_paths(&target.url)?;
    crate::store::create_home(&paths)?;
    let config = Config::load(&personal)?;
    check_pointer_token(&paths, &target)?;
    let me = cache::identity(&personal, &config)?;
    let url = target.url.to_string();
    if let Some(hit) = cache::load(&paths, &url, ttl, &me) {
        let mut material = auth::offline_material();
        material.extend(me.material.iter().cloned());
        let token = material.first().cloned().unwrap_or_default();
        let session = Session {
            client: Client::new(target.url.clone(), client::agent()?, token),
            target,
            versions: Mutex::new(hit.versions),
            notes: hit.notes,
        };
        if SESSION.set(session).is_err() {
            return Err(Error::new(
                Exit::Failure,
                "internal: a second remote store in one process",
            ));
        }
        let route = Route::Server(format!(
            "the local cache ({})",
            cache::path(&paths).display()
        ));
        return Ok(Opened {
            paths,
            config,
            unlocked: Unlocked {
                identities: Vec::new(),
                route,
                material,
            },
            contents: hit.contents,
        });
    }
    let mut opened = open_server(target, audit_failure)?;
    if let Some(s) = SESSION.get() {
        let versions = s.versions.lock().map(|v| v.clone()).unwrap_or_default();
        cache::save(
            &opened.paths,
            &url,
            &versions,
            &s.notes,
            &opened.contents,
            &me,
        )?;
    }
    opened.unlocked.material.extend(me.material.iter().cloned());
    Ok(opened)
}

/// Opens the remote store from the server: list, then read every entry concurrently.
fn open_server(target: Target, audit_failure: bool) -> Result<Opened> {
    let c = connect(&target, audit_failure)?;
    let fail_audit = |e: &Error| {
        if audit_failure && e.exit == Exit::Locked {
            let mut entry = audit::Entry::new("unlock-failed", Vec::new());
            entry.note = Some(e.message.clone());
            let _ = audit::append(&c.paths, entry);
        }
    };
    let keys = kv::list(&c.client).inspect_err(fail_audit)?;
    if !keys
        .as_ref()
        .is_some_and(|k| k.iter().any(|k| k == kv::MARKER))
    {
        return Err(Error::new(
            Exit::NoInput,
            format!("no vault store at {} yet", target.url),
        )
        .hint(format!("`vault --store {} init` creates one", target.url)));
    }
    let mut notes = Vec::new();
    let mut names = Vec::new();
    for key in keys.unwrap_or_default() {
        if key == kv::MARKER {
            continue;
        }
        if key.ends_with('/') {
            notes.push(format!("{key}: a folder; not used"));
        } else if SecretName::parse(&key).is_err() {
            notes.push(format!("{key}: not a valid vault secret name; not used"));
        } else {
            names.push(key);
        }
    }
    let reads = read_all(&c.client, &names).inspect_err(fail_audit)?;
    let mut contents = Contents::new(Vec::new());
    let mut versions = BTreeMap::new();
    for (name, read) in names.into_iter().zip(reads) {
        match read {
            kv::Read::Secret(r) => {
                versions.insert(name.clone(), r.version);
                let mut entry = Entry::new(r.value, r.updated, r.description, r.policy);
                entry.created = r.updated;
                contents.secrets.insert(name, entry);
            }
            kv::Read::Unusable(why) => notes.push(format!("{name}: {why}")),
            kv::Read::Missing => {}
        }
    }
    let session = Session {
        client: c.client,
        target,
        versions: Mutex::new(versions),
        notes,
    };
    if SESSION.set(session).is_err() {
        return Err(Error::new(
            Exit::Failure,
            "internal: a second remote store in one process",
        ));
    }
    Ok(Opened {
        paths: c.paths,
        config: c.config,
        unlocked: Unlocked {
            identities: Vec::new(),
            route: Route::Server(c.source),
            material: c.material,
        },
        contents,
    })
}

/// Reads `names` with a small pool of threads sharing the agent's keep-alive connections;
/// the first error (in name order) wins.
fn read_all(client: &Client, names: &[String]) -> Result<Vec<kv::Read>> {
    const WORKERS: usize = 8;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Result<kv::Read>>>> =
        names.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..WORKERS.min(names.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(name) = names.get(i) else { break };
                    let read = kv::read(client, name);
                    let failed = read.is_err();
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(read);
                    }
                    if failed {
                        // Stop handing out work; the error is reported below.
                        next.fetch_add(names.len(), std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let mut out = Vec::with_capacity(names.len());
    let mut first_err = None;
    for slot in slots {
        match slot.into_inner().ok().flatten() {
            Some(Ok(r)) => out.push(r),
            Some(Err(e)) => {
                first_err.get_or_insert(e);
            }
            None => out.push(kv::Read::Missing),
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// What identifies a secret's state, to tell what a change did.
#[derive(PartialEq)]
struct Print {
    value: [u8; 32],
    description: Option<String>,
    policy: Policy,
}

fn prints(contents: &Contents) -> BTreeMap<String, Print> {
    contents
        .secrets
        .iter()
        .map(|(k, e)| {
            (
                k.clone(),
                Print {
                    value: Sha256::digest(e.value.expose()).into(),
                    description: e.description.clone(),
                    policy: e.policy.clone(),
                },
            )
        })
        .collect()
}

/// `Opened::modify` for a remote store: applies `change` in memory, then writes what it
/// changed with check-and-set (new entries `cas=0`, replaced values `cas=<version read>`),
/// metadata, and deletions. When a step fails, the entries this change created are deleted
/// again and the message says so. The local audit log records the change.
pub fn modify<T>(
    opened: &mut Opened,
    change: impl FnOnce(&mut Contents) -> Result<(T, audit::Entry)>,
) -> Result<T> {
    let session = SESSION
        .get()
        .ok_or_else(|| Error::new(Exit::Failure, "internal: no remote store open"))?;
    let before = prints(&opened.contents);
    let (out, entry) = change(&mut opened.contents)?;
    let after = prints(&opened.contents);
    let mut creates = Vec::new();
    let mut replaces = Vec::new();
    let mut metas = Vec::new();
    for (name, p) in &after {
        match before.get(name) {
            None => creates.push(name.clone()),
            Some(b) if b.value != p.value => replaces.push((
                name.clone(),
                b.description != p.description || b.policy != p.policy,
            )),
            Some(b) if b.description != p.description || b.policy != p.policy => {
                metas.push(name.clone());
            }
            Some(_) => {}
        }
    }
    let deletes: Vec<String> = before
        .keys()
        .filter(|k| !after.contains_key(*k))
        .cloned()
        .collect();
    if !creates.is_empty() || !replaces.is_empty() {
        check_pointer_write(&opened.paths, &session.target)?;
    }
    audit::check_writable(&opened.paths)?;
    let action = entry.action.clone();
    let result = apply(
        session,
        &opened.contents,
        &creates,
        &replaces,
        &metas,
        &deletes,
    );
    if let Err(e) = result {
        let mut failed = audit::Entry::new(&format!("{action}-failed"), entry.secrets.clone());
        failed.note = Some(e.message.clone());
        let _ = audit::append(&opened.paths, failed);
        return Err(e);
    }
    cache::invalidate(&opened.paths);
    audit::append(&opened.paths, entry)?;
    Ok(out)
}

fn apply(
    session: &Session,
    contents: &Contents,
    creates: &[String],
    replaces: &[(String, bool)],
    metas: &[String],
    deletes: &[String],
) -> Result<()> {
    let client = &session.client;
    let mut created: Vec<&str> = Vec::new();
    let meta = |name: &str| -> Result<()> {
        let e = &contents.secrets[name];
        kv::write_meta(client, name, e.description.as_deref(), &e.policy)
    };
    let record = |name: &str, v: u64| {
        if let Ok(mut versions) = session.versions.lock() {
            versions.insert(name.to_string(), v);
        }
    };
    let mut outcome = Ok(());
    for name in creates {
        // The value first: `cas=0` decides which of two writers owns the name; then its
        // description and policy (the default, no host, needs no metadata).
        let e = &contents.secrets[name];
        let wrote = match kv::write(client, name, e.value.expose(), 0) {
            Ok(kv::Written::Version(v)) => {
                created.push(name);
                record(name, v);
                if e.description.is_none() && e.policy.is_empty() {
                    Ok(())
                } else {
                    meta(name)
                }
            }
            Ok(kv::Written::Conflict) => Err(Error::new(
                Exit::CantCreate,
                format!("{name} already exists on the server; values are write-once"),
            )
            .hint(format!("use `vault set {name} --replace` to replace it"))),
            Err(e) => Err(e),
        };
        if let Err(e) = wrote {
            outcome = Err(e);
            break;
        }
    }
    for (name, meta_changed) in replaces {
        if outcome.is_err() {
            break;
        }
        let cas = session
            .versions
            .lock()
            .ok()
            .and_then(|v| v.get(name).copied())
            .unwrap_or(0);
        outcome = match kv::write(client, name, contents.secrets[name].value.expose(), cas) {
            Ok(kv::Written::Version(v)) => {
                record(name, v);
                if *meta_changed { meta(name) } else { Ok(()) }
            }
            Ok(kv::Written::Conflict) => Err(Error::new(
                Exit::CantCreate,
                format!("{name} changed on the server since vault read it; nothing was replaced"),
            )
            .hint("run the command again")),
            Err(e) => Err(e),
        };
    }
    for name in metas {
        if outcome.is_err() {
            break;
        }
        outcome = meta(name);
    }
    for name in deletes {
        if outcome.is_err() {
            break;
        }
        outcome = kv::delete(client, name);
    }
    let Err(mut e) = outcome else { return Ok(()) };
    if !created.is_empty() {
        let mut undone = Vec::new();
        let mut left = Vec::new();
        for name in &created {
            match kv::delete(client, name) {
                Ok(()) => undone.push(*name),
                Err(_) => left.push(*name),
            }
        }
        if !undone.is_empty() {
            e.message.push_str(&format!(
                "; rolled back what this command had created: {}",
                undone.join(", ")
            ));
        }
        if !left.is_empty() {
            e.message.push_str(&format!(
                "; could NOT roll back {} (delete by hand with `vault rm`)",
                left.join(", ")
            ));
        }
    }
    Err(e)
}

/// `vault init` for a remote store: checks the mount is KV v2 and writes the marker entry.
pub fn init(target: Target) -> Result<Exit> {
    let c = connect(&target, true)?;
    cache::invalidate(&c.paths);
    kv::check_mount(&c.client)?;
    check_pointer_write(&c.paths, &target)?;
    audit::check_writable(&c.paths)?;
    let marker = serde_json::json!({ "format": "vault-openbao-store", "version": "1" });
    match kv::write_plain(&c.client, kv::MARKER, &marker, 0)? {
        kv::Written::Conflict => {
            return Err(Error::new(
                Exit::CantCreate,
                format!("{} is already a vault store", target.url),
            ));
        }
        kv::Written::Version(_) => {}
    }
    let mut entry = audit::Entry::new("init", Vec::new());
    entry.note = Some(target.url.to_string());
    audit::append(&c.paths, entry)?;
    eprintln!(
        "vault: created the store {} (KV v2 entries {}/NAME); its local audit log is {}",
        target.url,
        target.url.kv_path("").trim_end_matches('/'),
        c.paths.audit().display()
    );
    Ok(Exit::Success)
}

/// `vault status` for a remote store.
pub fn status(target: &Target, json: bool) -> Result<Exit> {
    let opened = open(target.clone(), false)?;
    let found = match &target.pointer {
        None => "--store / VAULT_STORE".to_string(),
        Some(p) => format!("the pointer {}", p.display()),
    };
    let count = opened.contents.secrets.len();
    let route = opened.unlocked.route.to_string();
    let mut out = std::io::stdout().lock();
    let written = if json {
        crate::cmd::write_json(
            &mut out,
            &serde_json::json!({
                "store": target.url.to_string(),
                "kind": "openbao",
                "found_by": found,
                "unlock": route,
                "secrets": count,
                "audit_log": opened.paths.audit(),
                "not_used": notes(),
            }),
        )
    } else {
        use std::io::Write;
        writeln!(
            out,
            "store:    {} (OpenBao / Vault KV v2)\nfound by: {found}\nunlock:   {route}\nsecrets:  {count}\naudit:    {}",
            target.url,
            opened.paths.audit().display()
        )
    };
    written.map_err(|e| Error::io("stdout", &e))?;
    Ok(Exit::Success)
}

//! Network-level egress for `vault run --net strict|broker` (issue #11): the child runs in a
//! network namespace of its own whose only way out is vault's policy-enforcing proxy.
//!
//! Rooms:
//! - `namespace.rs`: making the namespace in the forked child, handing the proxy's listener
//!   back to vault, naming why a namespace cannot be made (the only `unsafe` here);
//! - `judge.rs`: which hosts the child may reach (pure; shared by `strict` and `broker`);
//! - `proxy.rs`: the HTTP/1.1 forward proxy (CONNECT, absolute form) and the broker's
//!   [`proxy::Intercept`] hook;
//! - `socks.rs`: the SOCKS5 handshake (pure parsing over a reader and a writer);
//! - `standin.rs`: the stand-ins the child holds under `broker` (pure);
//! - `broker.rs`: the credential broker, the proxy's [`proxy::Intercept`] under `broker`.
//!
//! This file: the mode (`argv < strict < broker`), the [`Session`] `cmd/run.rs` drives
//! (prepare → hook into the spawn → finish), and [`strict_available`].
//! Imports go one way: net.rs → {namespace, proxy → {judge, socks}}.

pub mod broker;
pub mod judge;
pub mod namespace;
pub mod proxy;
pub mod socks;
pub mod standin;

use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::exit::Exit;

/// How `vault run` controls the child's network. Ordered by strictness: the effective mode
/// of a run is the stricter of `--net` and config.toml's `net`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum NetMode {
    /// Only the destinations readable in argv are checked (the default).
    #[default]
    Argv,
    /// A network namespace whose only way out is vault's proxy, which enforces the policy.
    Strict,
    /// As strict, and the child holds stand-ins that the proxy replaces with the real values.
    Broker,
}

impl NetMode {
    /// The mode's name as typed.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            NetMode::Argv => "argv",
            NetMode::Strict => "strict",
            NetMode::Broker => "broker",
        }
    }
}

/// The stricter of the flag and the config (config can only tighten).
#[must_use]
pub fn effective(flag: Option<NetMode>, config: NetMode) -> NetMode {
    flag.map_or(config, |f| f.max(config))
}

/// Why `--net strict` cannot run here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    /// One line naming the cause.
    pub cause: String,
    /// The setting to change.
    pub hint: String,
}

impl Unavailable {
    fn error(&self) -> Error {
        Error::new(
            Exit::Unavailable,
            format!(
                "--net strict: cannot create a network namespace: {}",
                self.cause
            ),
        )
        .hint(&self.hint)
    }
}

/// The variables that point the child's clients at the proxy; `NO_PROXY` is removed.
#[must_use]
pub fn proxy_env() -> Vec<(&'static str, String)> {
    let url = format!("http://127.0.0.1:{}", namespace::PROXY_PORT);
    [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ]
    .into_iter()
    .map(|k| (k, url.clone()))
    .collect()
}

/// Variables removed from the child's environment under `strict` and `broker`.
pub const CLEARED_ENV: &[&str] = &["NO_PROXY", "no_proxy"];

/// Whether `--net strict` can run on this machine, found by making (and dropping) a namespace
/// in a short-lived child process, exactly as a run would.
///
/// # Errors
/// The cause and the setting to change.
#[cfg(target_os = "linux")]
pub fn strict_available() -> std::result::Result<(), Unavailable> {
    let (setup, ours) = namespace::Setup::prepare().map_err(|e| Unavailable {
        cause: format!("cannot make a socketpair: {e}"),
        hint: "check the process's file descriptor limit".into(),
    })?;
    namespace::probe(&setup).map_err(|e| Unavailable {
        cause: format!("cannot fork a probe: {e}"),
        hint: "check the process limit".into(),
    })?;
    drop(setup);
    match namespace::receive(&ours) {
        namespace::Outcome::Listener(_) => Ok(()),
        namespace::Outcome::Failed { step, errno } => {
            let (cause, hint) = namespace::diagnose(step, errno);
            Err(Unavailable { cause, hint })
        }
        namespace::Outcome::Nothing => Err(Unavailable {
            cause: "the probe process reported nothing".into(),
            hint: "run without --net strict".into(),
        }),
    }
}

/// Whether `--net strict` can run on this machine: never, off Linux.
///
/// # Errors
/// Always: network namespaces are Linux-only.
#[cfg(not(target_os = "linux"))]
pub fn strict_available() -> std::result::Result<(), Unavailable> {
    Err(Unavailable {
        cause: "network namespaces exist only on Linux".into(),
        hint: "run without --net strict (the argv check still applies)".into(),
    })
}

/// One run's network control: the namespace hook for the spawn and the proxy serving it.
pub struct Session {
    /// The child's half, moved into the spawn's pre-exec hook.
    setup: Option<namespace::Setup>,
    /// The receiving thread: the proxy once the child reported, or what it reported.
    serving: thread::JoinHandle<Served>,
    /// Set as soon as the report arrived (for the spawn-failure path).
    report: Arc<Mutex<Option<Report>>>,
}

enum Served {
    Proxy(proxy::Proxy),
    None,
}

#[derive(Debug, Clone)]
enum Report {
    Ready,
    Failed(Unavailable),
}

impl Session {
    /// Prepares `strict` or `broker` (`None` for `argv`). The proxy starts on its own thread
    /// as soon as the child hands over its listener.
    ///
    /// # Errors
    /// `Exit::Unavailable` off Linux, or when the socketpair or thread cannot be made.
    pub fn prepare(mode: NetMode, ctx: proxy::Context) -> Result<Option<Session>> {
        if mode == NetMode::Argv {
            return Ok(None);
        }
        if cfg!(not(target_os = "linux")) {
            return Err(strict_available()
                .err()
                .unwrap_or_else(|| Unavailable {
                    cause: "unsupported OS".into(),
                    hint: String::new(),
                })
                .error());
        }
        let (setup, ours) = namespace::Setup::prepare()
            .map_err(|e| Error::new(Exit::Unavailable, format!("--net strict: {e}")))?;
        let report = Arc::new(Mutex::new(None));
        let shared = Arc::clone(&report);
        let ctx = Arc::new(ctx);
        let serving = thread::Builder::new()
            .name("vault-net".into())
            .spawn(move || serve(&ours, ctx, &shared))
            .map_err(|e| Error::io("the proxy thread", &e))?;
        Ok(Some(Session {
            setup: Some(setup),
            serving,
            report,
        }))
    }

    /// The pre-exec hook for `pty::Spawn`: makes the namespace in the child.
    #[must_use]
    pub fn hook(&mut self) -> Option<crate::pty::PreExec> {
        let setup = self.setup.take()?;
        Some(Box::new(move || setup.enter()))
    }

    /// Edits the child's environment: proxy variables set, `NO_PROXY` removed.
    pub fn child_env(env: &mut Vec<(OsString, OsString)>) {
        let set = proxy_env();
        env.retain(|(k, _)| {
            !CLEARED_ENV.iter().any(|c| k == c) && !set.iter().any(|(s, _)| k == s)
        });
        env.extend(
            set.into_iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v))),
        );
    }

    /// After the child ended: stops the proxy (giving open connections `grace` to finish and
    /// be audited). Returns the refusal when the namespace could not be made.
    #[must_use]
    pub fn finish(self, grace: Duration) -> Option<Error> {
        drop(self.setup);
        let served = self.serving.join().unwrap_or(Served::None);
        if let Served::Proxy(p) = served {
            p.finish(grace);
        }
        match self.report.lock().ok().and_then(|r| r.clone()) {
            Some(Report::Failed(u)) => Some(u.error()),
            _ => None,
        }
    }
}

fn serve(ours: &OwnedFd, ctx: Arc<proxy::Context>, report: &Mutex<Option<Report>>) -> Served {
    let outcome = namespace::receive(ours);
    let (set, served) = match outcome {
        namespace::Outcome::Listener(listener) => match proxy::serve(listener, ctx) {
            Ok(p) => (Report::Ready, Served::Proxy(p)),
            Err(e) => (
                Report::Failed(Unavailable {
                    cause: format!("the proxy cannot start: {e}"),
                    hint: "check the process's limits".into(),
                }),
                Served::None,
            ),
        },
        namespace::Outcome::Failed { step, errno } => {
            let (cause, hint) = namespace::diagnose(step, errno);
            (Report::Failed(Unavailable { cause, hint }), Served::None)
        }
        // The child failed before the hook (its own error is reported) or never ran.
        namespace::Outcome::Nothing => return Served::None,
    };
    if let Ok(mut r) = report.lock() {
        *r = Some(set);
    }
    served
}

#[cfg(test)]
mod tests {
    use super::{NetMode, effective};

    #[test]
    fn config_only_tightens() {
        assert_eq!(effective(None, NetMode::Argv), NetMode::Argv);
        assert_eq!(
            effective(Some(NetMode::Argv), NetMode::Strict),
            NetMode::Strict
        );
        assert_eq!(
            effective(Some(NetMode::Broker), NetMode::Strict),
            NetMode::Broker
        );
        assert_eq!(
            effective(Some(NetMode::Strict), NetMode::Argv),
            NetMode::Strict
        );
    }
}

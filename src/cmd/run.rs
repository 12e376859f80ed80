//! `vault run`: the whole life of a wrapped command, top to bottom.
//!
//! 1. open the store (config, unlock, decrypt);
//! 2. plan the injection (`--only`, placeholders) — an unknown name fails here;
//! 3. egress: destinations in argv against each injected secret's policy; confirm asks on
//!    /dev/tty (no terminal ⇒ refused); every decision is audited;
//! 4. build the child's environment (vault's own, minus unlock material, plus the secrets)
//!    and its argv (placeholders resolved, byte-exact);
//! 5. spawn on a PTY or pipes and relay every output byte through the redactor;
//! 6. audit the run (argv as typed with values redacted, hosts, decisions, exit status,
//!    duration, redaction counts) and return the child's status.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::audit;
use crate::cli::RunArgs;
use crate::cmd::Opened;
use crate::config::PtyPref;
use crate::egress;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::inject;
use crate::pty::{self, ChildExit, Mode, RunError, Spawn};
use crate::redact::{Patterns, Redactor};
use crate::relay::Filter;

/// Label under which unlock material (identity strings) is redacted.
const UNLOCK_LABEL: &str = "VAULT_IDENTITY";

/// Environment variables that carry unlock material and never reach a child.
const UNLOCK_VARS: &[&str] = &["VAULT_IDENTITY", "VAULT_IDENTITY_FILE"];

/// Runs the command; returns its exit status.
pub fn run(args: &RunArgs) -> Result<Exit> {
    let started = Instant::now();
    let opened = crate::cmd::open()?;
    let plan = inject::plan(&opened.contents, &args.only, &args.command)?;
    let patterns = patterns(&opened);
    let shown_argv = redacted_argv(&args.command, &patterns);
    let env_names: Vec<String> = plan.env.iter().map(ToString::to_string).collect();

    let check = egress_check(&opened, &plan, &args.command)?;
    let mut entry = audit::Entry::new("run", env_names.clone());
    entry.argv = Some(shown_argv.clone());
    entry.hosts.clone_from(&check.hosts);
    entry.decision = Some(check.decision.clone());
    // Fail closed: a run that could not be audited does not start.
    audit::check_writable(&opened.paths)?;

    let argv = inject::substitute(&args.command, &opened.contents)?;
    let mut os_argv = inject::to_os(&argv);
    drop(argv);
    let program = os_argv.remove(0);
    let spawn = Spawn {
        program,
        args: os_argv,
        display: inject::display(&args.command[0]),
        env: child_env(&opened, &plan),
        cwd: std::env::current_dir().map_err(|e| Error::io("current directory", &e))?,
        mode: mode(args, opened.config.pty),
    };
    let totals = Arc::new(Mutex::new(vec![0u64; patterns.names().len()]));
    let mut make = || -> Box<dyn Filter> {
        Box::new(Counted {
            redactor: Redactor::new(Arc::clone(&patterns)),
            totals: Arc::clone(&totals),
            reported: vec![0; patterns.names().len()],
        })
    };
    let result = pty::run(spawn, &mut make);

    let counts = totals.lock().map(|t| t.clone()).unwrap_or_default();
    entry.redactions = Some(
        patterns
            .names()
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.clone(), n))
            .collect(),
    );
    entry.duration_ms = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
    let outcome = match result {
        Ok(exit) => {
            let code = exit.exit_code();
            entry.exit = Some(code);
            if let ChildExit::Signal(n) = exit {
                entry.note = Some(format!("killed by signal {n}"));
            }
            Ok(Exit::Child(code))
        }
        Err(e) => {
            let err = run_error(e);
            entry.exit = Some(err.exit.code());
            entry.note = Some(err.message.clone());
            Err(err)
        }
    };
    audit::append(&opened.paths, entry)?;
    outcome
}

/// The redaction patterns: every stored secret (not only the injected ones) and the
/// unlock material.
#[must_use]
pub fn patterns(opened: &Opened) -> Arc<Patterns> {
    let mut items: Vec<(&str, &[u8])> = opened
        .contents
        .secrets
        .iter()
        .map(|(k, e)| (k.as_str(), e.value.expose()))
        .collect();
    for material in &opened.unlocked.material {
        for line in material.lines().map(str::trim) {
            if !line.is_empty() && !line.starts_with('#') {
                items.push((UNLOCK_LABEL, line.as_bytes()));
            }
        }
    }
    Arc::new(Patterns::new(items, true))
}

/// argv as the user typed it (placeholders stay as written), with any value that was
/// typed literally redacted, for the audit log.
fn redacted_argv(argv: &[OsString], patterns: &Arc<Patterns>) -> Vec<String> {
    argv.iter()
        .map(|a| {
            let mut r = Redactor::new(Arc::clone(patterns));
            let mut out = Vec::new();
            r.feed(a.as_encoded_bytes(), &mut out);
            r.finish(&mut out);
            String::from_utf8_lossy(&out).into_owned()
        })
        .collect()
}

fn mode(args: &RunArgs, pref: PtyPref) -> Mode {
    if args.pty {
        Mode::Pty
    } else if args.no_pty {
        Mode::Pipes
    } else {
        match pref {
            PtyPref::Auto => Mode::Auto,
            PtyPref::Always => Mode::Pty,
            PtyPref::Never => Mode::Pipes,
        }
    }
}

/// vault's environment without unlock material, plus each injected secret.
fn child_env(opened: &Opened, plan: &inject::Plan) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os()
        .filter(|(k, _)| !UNLOCK_VARS.iter().any(|u| k == u))
        .filter(|(k, _)| !plan.env.iter().any(|n| k == n.as_str()))
        .collect();
    for name in &plan.env {
        if let Some(entry) = opened.contents.get(name) {
            env.push((
                OsString::from(name.as_str()),
                OsString::from_vec(entry.value.expose().to_vec()),
            ));
        }
    }
    env
}

fn run_error(e: RunError) -> Error {
    let exit = match &e {
        RunError::NotFound { .. } => Exit::NotFound,
        RunError::NotExecutable { .. } => Exit::NotExecutable,
        _ => Exit::RunFailed,
    };
    let mut err = Error::new(exit, e.to_string());
    if exit == Exit::NotFound {
        err = err.hint("check the command name and PATH");
    }
    err
}

/// A redactor that adds its counts to the run's totals when its stream ends.
struct Counted {
    redactor: Redactor,
    totals: Arc<Mutex<Vec<u64>>>,
    reported: Vec<u64>,
}

impl Filter for Counted {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.redactor.feed(input, out);
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        self.redactor.finish(out);
        if let Ok(mut totals) = self.totals.lock() {
            for (i, n) in self.redactor.counts().iter().enumerate() {
                if let (Some(t), Some(r)) = (totals.get_mut(i), self.reported.get_mut(i)) {
                    *t += n - *r;
                    *r = *n;
                }
            }
        }
    }
}

/// What the egress check found and decided.
struct EgressCheck {
    hosts: Vec<String>,
    decision: serde_json::Value,
}

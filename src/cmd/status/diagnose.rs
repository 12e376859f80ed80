//! `vault status` when there is no store yet: everything it can still say, so a newcomer
//! sees which store would be used and how it was chosen, whether `config.toml` parses, and
//! each unlock route in order (present, absent or failing, and why) — without prompting and
//! without printing any identity (only public keys).

use std::io::Write;

use serde::Serialize;
use zeroize::Zeroizing;

use crate::config::{Config, Paths};
use crate::discover::Origin;
use crate::escape;
use crate::recipient;
use crate::unlock;

/// The report.
#[derive(Serialize)]
pub struct Diagnosis {
    store: String,
    exists: bool,
    found: &'static str,
    found_by: String,
    config: String,
    routes: Vec<RouteState>,
    /// The route the next command would use (the first present one).
    would_use: Option<String>,
}

/// One unlock route.
#[derive(Serialize)]
struct RouteState {
    route: &'static str,
    /// `present`, `absent`, `fails`, `ignored` or `disabled`.
    state: &'static str,
    detail: String,
}

/// Looks at every route without unlocking anything.
#[must_use]
pub fn diagnose(paths: &Paths, origin: &Origin) -> Diagnosis {
    let (config, config_state) = match Config::load(paths) {
        Ok(c) if paths.config().exists() => (c, "parses".to_string()),
        Ok(c) => (c, "none (defaults)".to_string()),
        Err(e) => (Config::default(), format!("does not parse: {}", e.message)),
    };
    let env = |var: &str| std::env::var_os(var).filter(|v| !v.is_empty());
    let mut routes = Vec::new();
    let identity_set = env("VAULT_IDENTITY").is_some();
    routes.push(match env("VAULT_IDENTITY") {
        None => state("VAULT_IDENTITY", "absent", "not set"),
        Some(text) => match text.into_string() {
            Ok(text) => identity_text("VAULT_IDENTITY", &Zeroizing::new(text)),
            Err(_) => state("VAULT_IDENTITY", "fails", "not valid UTF-8"),
        },
    });
    routes.push(match env("VAULT_IDENTITY_FILE") {
        None => state("VAULT_IDENTITY_FILE", "absent", "not set"),
        Some(_) if identity_set => state(
            "VAULT_IDENTITY_FILE",
            "ignored",
            "VAULT_IDENTITY comes first",
        ),
        Some(path) => {
            let path = std::path::PathBuf::from(path);
            match std::fs::read_to_string(&path).map(Zeroizing::new) {
                Ok(text) => {
                    let mut s = identity_text("VAULT_IDENTITY_FILE", &text);
                    s.detail = format!("{}: {}", path.display(), s.detail);
                    s
                }
                Err(e) => state(
                    "VAULT_IDENTITY_FILE",
                    "fails",
                    &format!(
                        "cannot read {}: {}",
                        path.display(),
                        crate::error::io_reason(&e)
                    ),
                ),
            }
        }
    });
    routes.push(if !config.keyring {
        state("keyring", "disabled", "keyring = false in config.toml")
    } else {
        match unlock::keyring_find(paths) {
            Ok(Some((_, route))) => state("keyring", "present", &route.to_string()),
            Ok(None) => state("keyring", "absent", "reachable; no entry for this store"),
            Err(why) => state("keyring", "fails", &format!("unreachable: {why}")),
        }
    });
    let file = paths.identity_file();
    routes.push(if std::fs::symlink_metadata(&file).is_ok() {
        state(
            "identity.age",
            "present",
            &format!("{} (will prompt for its passphrase)", file.display()),
        )
    } else {
        state("identity.age", "absent", &format!("no {}", file.display()))
    });
    let would_use = routes
        .iter()
        .find(|r| r.state == "present")
        .map(|r| r.route.to_string());
    Diagnosis {
        store: paths.store().display().to_string(),
        exists: false,
        found: origin.key(),
        found_by: origin.to_string(),
        config: config_state,
        routes,
        would_use,
    }
}

fn state(route: &'static str, state: &'static str, detail: &str) -> RouteState {
    RouteState {
        route,
        state,
        detail: detail.to_string(),
    }
}

/// Identity text from the environment: its public keys, never the text.
fn identity_text(route: &'static str, text: &str) -> RouteState {
    if recipient::needs_passphrase(text) {
        return state(
            route,
            "present",
            "an SSH key (will prompt for its passphrase)",
        );
    }
    match recipient::of_identity_text(text, route) {
        Ok(keys) => state(route, "present", &format!("public key {}", keys.join(", "))),
        Err(e) => state(route, "fails", &e.message),
    }
}

/// The text form.
pub fn text(out: &mut impl Write, d: &Diagnosis) -> std::io::Result<()> {
    writeln!(
        out,
        "store:      {} (does not exist)",
        escape::text(&d.store)
    )?;
    writeln!(out, "found by:   {}", escape::text(&d.found_by))?;
    writeln!(out, "config:     {}", escape::text(&d.config))?;
    writeln!(out, "unlock routes, in the order they are tried:")?;
    for r in &d.routes {
        writeln!(
            out,
            "  {:<20} {:<9} {}",
            r.route,
            r.state,
            escape::text(&r.detail)
        )?;
    }
    writeln!(
        out,
        "would unlock with: {}",
        d.would_use.as_deref().unwrap_or("nothing (locked)")
    )
}

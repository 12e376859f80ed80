//! The server token: unlock material for a remote store, found in a fixed order.
//! 1. `BAO_TOKEN`, then `VAULT_TOKEN` (the token itself);
//! 2. AppRole: `BAO_ROLE_ID` + `BAO_SECRET_ID` (or `VAULT_ROLE_ID` + `VAULT_SECRET_ID`),
//!    exchanged for a token at `auth/approle/login` (`BAO_APPROLE_MOUNT` names another mount);
//! 3. the token file `~/.vault-token` that `bao login` / `vault login` write.
//!
//! As with identities, a configured route that fails is an error; vault does not try the next.
//! Every variable above is stripped from a child's environment (`cmd/run.rs` UNLOCK_VARS) and
//! every token, role id and secret id is redacted from the child's output.

use zeroize::Zeroizing;

use super::client::{Client, token_invalid};
use super::url::StoreUrl;
use crate::error::{Error, Result};
use crate::exit::Exit;

/// Environment variables holding server unlock material.
pub const TOKEN_VARS: &[&str] = &[
    "BAO_TOKEN",
    "VAULT_TOKEN",
    "BAO_ROLE_ID",
    "BAO_SECRET_ID",
    "VAULT_ROLE_ID",
    "VAULT_SECRET_ID",
];

/// A token and where it came from.
pub struct Token {
    /// The token.
    pub token: Zeroizing<String>,
    /// Where it came from, for `status` and messages.
    pub source: String,
    /// Every piece of unlock material used (token, role id, secret id), to redact.
    pub material: Vec<Zeroizing<String>>,
}

fn env(name: &str) -> Option<Zeroizing<String>> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(|v| Zeroizing::new(v.to_string_lossy().trim().to_string()))
}

fn checked(token: Zeroizing<String>, source: &str) -> Result<Zeroizing<String>> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::new(
            Exit::Locked,
            format!("the OpenBao token from {source} is empty or has characters a token never has"),
        ));
    }
    Ok(token)
}

/// Finds the token (logging in with AppRole if that is the configured route).
pub fn token(url: &StoreUrl, agent: &ureq::Agent) -> Result<Token> {
    for var in ["BAO_TOKEN", "VAULT_TOKEN"] {
        if let Some(t) = env(var) {
            let t = checked(t, var)?;
            return Ok(Token {
                material: vec![t.clone()],
                token: t,
                source: var.to_string(),
            });
        }
    }
    let role = env("BAO_ROLE_ID").or_else(|| env("VAULT_ROLE_ID"));
    let secret = env("BAO_SECRET_ID").or_else(|| env("VAULT_SECRET_ID"));
    match (role, secret) {
        (Some(role), Some(secret)) => return approle(url, agent, role, secret),
        (Some(_), None) | (None, Some(_)) => {
            return Err(Error::new(
                Exit::Locked,
                "AppRole needs both BAO_ROLE_ID and BAO_SECRET_ID",
            ));
        }
        (None, None) => {}
    }
    if let Some(home) = dirs::home_dir() {
        let path = home.join(".vault-token");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let t = checked(Zeroizing::new(text.trim().to_string()), "~/.vault-token")?;
                return Ok(Token {
                    material: vec![t.clone()],
                    token: t,
                    source: format!("token file {}", path.display()),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(path.display(), &e)),
        }
    }
    Err(Error::new(
        Exit::Locked,
        format!("no token for the OpenBao server at {}", url.base()),
    )
    .hint("set BAO_TOKEN (or VAULT_TOKEN), BAO_ROLE_ID + BAO_SECRET_ID, or run `bao login`"))
}

fn approle(
    url: &StoreUrl,
    agent: &ureq::Agent,
    role: Zeroizing<String>,
    secret: Zeroizing<String>,
) -> Result<Token> {
    let mount = std::env::var("BAO_APPROLE_MOUNT").unwrap_or_else(|_| "approle".into());
    if !mount
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'))
    {
        return Err(Error::new(
            Exit::Config,
            "BAO_APPROLE_MOUNT is not a mount path",
        ));
    }
    let mut body = Zeroizing::new(Vec::with_capacity(role.len() + secret.len() + 64));
    serde_json::to_writer(
        &mut *body,
        &serde_json::json!({ "role_id": role.as_str(), "secret_id": secret.as_str() }),
    )
    .map_err(|e| Error::new(Exit::Failure, format!("cannot encode the login: {e}")))?;
    let client = Client::new(url.clone(), agent.clone(), Zeroizing::new(String::new()));
    let address = format!("{}/v1/auth/{mount}/login", url.base());
    let (status, reply) = client.raw("POST", &address, Some(&body), false)?;
    if status == 400 || status == 403 || status == 401 {
        return Err(Error::new(
            Exit::Locked,
            "the OpenBao server refused the AppRole login (BAO_ROLE_ID / BAO_SECRET_ID)",
        ));
    }
    if !(200..300).contains(&status) {
        return Err(Error::new(
            Exit::Failure,
            format!(
                "the AppRole login answered {status}: {}",
                super::client::server_errors(&reply)
            ),
        ));
    }
    #[derive(serde::Deserialize)]
    struct Login {
        auth: Auth,
    }
    #[derive(serde::Deserialize)]
    struct Auth {
        client_token: String,
    }
    let login: Login = serde_json::from_slice(&reply).map_err(|_| token_invalid())?;
    let token = checked(Zeroizing::new(login.auth.client_token), "the AppRole login")?;
    Ok(Token {
        material: vec![token.clone(), role, secret],
        token,
        source: "AppRole (BAO_ROLE_ID + BAO_SECRET_ID)".into(),
    })
}

/// The unlock material in the environment and the token file, read without any network
/// (for a `run --cache` hit: nothing is sent, but all of it is still redacted).
#[must_use]
pub fn offline_material() -> Vec<Zeroizing<String>> {
    let mut out: Vec<Zeroizing<String>> = TOKEN_VARS.iter().filter_map(|v| env(v)).collect();
    if let Some(home) = dirs::home_dir()
        && let Ok(text) = std::fs::read_to_string(home.join(".vault-token"))
    {
        let text = Zeroizing::new(text);
        if !text.trim().is_empty() {
            out.push(Zeroizing::new(text.trim().to_string()));
        }
    }
    out
}

//! HTTP to an OpenBao / Vault server: one keep-alive `ureq` agent (rustls with ring,
//! certificates checked against the system roots or `VAULT_CACERT`/`BAO_CACERT`), the token
//! header, and the mapping of transport failures and statuses to vault's exit codes:
//! unreachable ⇒ 69, missing/invalid/expired token ⇒ 75, permission denied on a path ⇒ 77.
//! Response bodies are read into zeroizing buffers; messages never quote a request body.

use std::time::Duration;

use zeroize::Zeroizing;

use super::url::StoreUrl;
use crate::error::{Error, Result};
use crate::exit::Exit;

/// A server reply vault acts on.
pub enum Reply {
    /// 2xx, with the body.
    Ok(Zeroizing<Vec<u8>>),
    /// 404.
    NotFound,
    /// 400 from a check-and-set that did not match.
    CasMismatch,
}

/// A connection to one server with one token.
pub struct Client {
    agent: ureq::Agent,
    url: StoreUrl,
    token: Zeroizing<String>,
}

/// Largest response body read (a listing of thousands of names, a 64 KiB value).
const MAX_BODY: u64 = 16 << 20;

/// Builds the agent (TLS settings, timeouts, no proxy).
pub fn agent() -> Result<ureq::Agent> {
    use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
    let roots = match ca_file() {
        None => RootCerts::PlatformVerifier,
        Some(path) => {
            let pem = std::fs::read(&path).map_err(|e| Error::io(path.display(), &e))?;
            let certs: Vec<_> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(Error::new(
                    Exit::Config,
                    format!("{} holds no PEM certificate", path.display()),
                ));
            }
            RootCerts::new_with_certs(&certs)
        }
    };
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(roots)
        .build();
    Ok(ureq::Agent::config_builder()
        .http_status_as_error(false)
        // The token goes to the server named and nowhere else: no proxy from the environment.
        .proxy(None)
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_global(Some(Duration::from_secs(30)))
        .max_idle_connections_per_host(16)
        .tls_config(tls)
        .build()
        .new_agent())
}

fn ca_file() -> Option<std::path::PathBuf> {
    ["BAO_CACERT", "VAULT_CACERT"]
        .iter()
        .find_map(|k| std::env::var_os(k).filter(|v| !v.is_empty()))
        .map(Into::into)
}

/// One line for a transport failure.
pub fn unreachable(url: &StoreUrl, e: &ureq::Error) -> Error {
    let why = match e {
        ureq::Error::Io(io) => crate::error::io_reason(io),
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::ConnectionFailed => "connection failed".to_string(),
        ureq::Error::Timeout(_) => "timed out".to_string(),
        ureq::Error::Tls(t) => format!("TLS: {t}"),
        ureq::Error::Rustls(t) => format!("TLS: {t}"),
        other => other.to_string(),
    };
    Error::new(
        Exit::Unavailable,
        format!("cannot reach the OpenBao server at {}: {why}", url.base()),
    )
    .hint("check the server is running and the store URL; nothing was changed")
}

/// The server's own error text (`{"errors": […]}`), one line, short, printable.
pub fn server_errors(body: &[u8]) -> String {
    let text = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("errors").and_then(|e| e.as_array()).map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        })
        .unwrap_or_default();
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

impl Client {
    /// A client for `url` with `token`.
    pub fn new(url: StoreUrl, agent: ureq::Agent, token: Zeroizing<String>) -> Client {
        Client { agent, url, token }
    }

    /// The store's URL.
    #[must_use]
    pub fn url(&self) -> &StoreUrl {
        &self.url
    }

    /// Sends one request; `what` names the entry or action for messages.
    pub fn call(
        &self,
        method: &str,
        address: &str,
        body: Option<&[u8]>,
        what: &str,
    ) -> Result<Reply> {
        let (status, bytes) = self.raw(method, address, body, true)?;
        match status {
            200..=299 => Ok(Reply::Ok(bytes)),
            404 => Ok(Reply::NotFound),
            400 if server_errors(&bytes).contains("check-and-set") => Ok(Reply::CasMismatch),
            403 => Err(self.forbidden(what)),
            _ => Err(status_error(status, &bytes, what)),
        }
    }

    /// The request itself, without interpreting the status.
    pub fn raw(
        &self,
        method: &str,
        address: &str,
        body: Option<&[u8]>,
        with_token: bool,
    ) -> Result<(u16, Zeroizing<Vec<u8>>)> {
        let token = with_token.then(|| self.token.as_str());
        let result = match (method, body) {
            ("GET", _) => with(self.agent.get(address), token).call(),
            ("DELETE", _) => with(self.agent.delete(address), token).call(),
            ("POST", Some(b)) => with(self.agent.post(address), token)
                .content_type("application/json")
                .send(b),
            ("POST", None) => with(self.agent.post(address), token).send_empty(),
            _ => return Err(Error::new(Exit::Failure, "internal: unknown HTTP method")),
        };
        let mut response = result.map_err(|e| unreachable(&self.url, &e))?;
        let status = response.status().as_u16();
        let mut bytes = Zeroizing::new(Vec::new());
        std::io::Read::read_to_end(
            &mut std::io::Read::take(response.body_mut().as_reader(), MAX_BODY),
            &mut bytes,
        )
        .map_err(|e| {
            Error::new(
                Exit::Unavailable,
                format!(
                    "the OpenBao server at {} stopped answering: {}",
                    self.url.base(),
                    crate::error::io_reason(&e)
                ),
            )
        })?;
        Ok((status, bytes))
    }

    /// A 403: an invalid or expired token (75), or a token without permission for this path
    /// (77). The server says "permission denied" for both; `lookup-self` tells them apart.
    fn forbidden(&self, what: &str) -> Error {
        let address = format!("{}/v1/auth/token/lookup-self", self.url.base());
        match self.raw("GET", &address, None, true) {
            Ok((403 | 401, _)) => token_invalid(),
            _ => Error::new(
                Exit::Denied,
                format!("the OpenBao server refused {what}: permission denied"),
            )
            .hint("the token's ACL policy does not allow this; ask whoever manages the server"),
        }
    }
}

fn with<B>(req: ureq::RequestBuilder<B>, token: Option<&str>) -> ureq::RequestBuilder<B> {
    let req = req.header("X-Vault-Request", "true");
    match token {
        Some(t) => req.header("X-Vault-Token", t),
        None => req,
    }
}

/// The error for a token the server does not accept.
pub fn token_invalid() -> Error {
    Error::new(
        Exit::Locked,
        "the OpenBao token was refused: it is invalid or expired",
    )
    .hint("log in again (`bao login`), or set BAO_TOKEN / BAO_ROLE_ID + BAO_SECRET_ID")
}

fn status_error(status: u16, body: &[u8], what: &str) -> Error {
    let said = server_errors(body);
    let said = if said.is_empty() {
        String::new()
    } else {
        format!(": {said}")
    };
    let exit = if status == 503 || status == 502 || status == 504 {
        Exit::Unavailable
    } else {
        Exit::Failure
    };
    Error::new(
        exit,
        format!("the OpenBao server answered {status} to {what}{said}"),
    )
}

//! Remote store names: `openbao://HOST[:PORT]/MOUNT[/PATH]` (TLS) and
//! `openbao+http://LOOPBACK:PORT/MOUNT[/PATH]` (plain HTTP, loopback addresses only).
//! Pure: parsing and validation, no I/O.

use std::fmt;
use std::net::IpAddr;

use crate::error::{Error, Result};
use crate::exit::Exit;

/// The TLS scheme.
pub const TLS_SCHEME: &str = "openbao://";
/// The plain-HTTP scheme (loopback only).
pub const HTTP_SCHEME: &str = "openbao+http://";
/// The default port of an OpenBao / Vault server.
const DEFAULT_PORT: u16 = 8200;

/// A parsed remote store name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreUrl {
    /// TLS (`openbao://`) or plain HTTP (`openbao+http://`).
    pub tls: bool,
    /// The host as written (an IPv6 address keeps its brackets).
    pub host: String,
    /// The port.
    pub port: u16,
    /// The KV v2 mount (the first path segment).
    pub mount: String,
    /// The folder inside the mount where this store's entries live (may be empty).
    pub path: String,
}

/// True when `text` names a remote store (by scheme), valid or not.
#[must_use]
pub fn is_remote(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.starts_with("openbao:") || lower.starts_with("openbao+")
}

fn bad(text: &str, why: &str) -> Error {
    Error::new(
        Exit::Usage,
        format!("invalid remote store {}: {why}", shown(text)),
    )
    .hint("use openbao://HOST[:PORT]/MOUNT/PATH, or openbao+http://127.0.0.1:PORT/MOUNT/PATH for a local dev server")
}

/// The URL for a message, without anything after the host that could be a typed value.
fn shown(text: &str) -> String {
    // Userinfo would be a credential: show nothing of the authority then.
    if text.contains('@') {
        return format!("{}…", text.split("//").next().unwrap_or("openbao:"));
    }
    let clean: String = text
        .chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    clean
}

/// A path segment: KV keys vault creates are plain; refuse what a server or a proxy could
/// read differently (`..`, `%`, `?`, `#`, spaces, control characters).
fn segment_ok(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl StoreUrl {
    /// Parses and validates a remote store name.
    ///
    /// # Errors
    /// `Exit::Usage` for an unknown scheme, userinfo, query or fragment, a bad port or path,
    /// and for `openbao+http://` with a host that is not a loopback address.
    pub fn parse(text: &str) -> Result<StoreUrl> {
        let (tls, rest) = if let Some(r) = strip_prefix_ci(text, TLS_SCHEME) {
            (true, r)
        } else if let Some(r) = strip_prefix_ci(text, HTTP_SCHEME) {
            (false, r)
        } else {
            return Err(bad(
                text,
                "the scheme must be openbao:// or openbao+http://",
            ));
        };
        if rest.contains(['?', '#', '@', '\\'])
            || rest.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad(
                text,
                "no user, query, fragment, backslash or space is allowed (a token never goes in the URL)",
            ));
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (host, port) =
            split_host_port(authority).ok_or_else(|| bad(text, "bad host or port"))?;
        if host.is_empty() {
            return Err(bad(text, "no host"));
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad(text, "bad port"))?,
        };
        if !tls {
            let ip: Option<IpAddr> = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .ok();
            if !ip.is_some_and(|ip| ip.is_loopback()) {
                return Err(Error::new(
                    Exit::Usage,
                    format!(
                        "refusing openbao+http:// to {}: plain HTTP is allowed to a loopback address only (127.0.0.1, ::1); the token and values would cross the network unencrypted",
                        shown(host)
                    ),
                )
                .hint("use openbao://HOST/… (TLS) for any other server"));
            }
        } else if !host.starts_with('[')
            && !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
        {
            return Err(bad(text, "bad host"));
        }
        let path = path.trim_end_matches('/');
        let mut segments = path.split('/');
        let mount = segments.next().unwrap_or("");
        if !segment_ok(mount) {
            return Err(bad(text, "no KV v2 mount after the host"));
        }
        let folder: Vec<&str> = segments.collect();
        if folder.iter().any(|s| !segment_ok(s)) {
            return Err(bad(
                text,
                "each path segment must be letters, digits, '-', '_' or '.' (not '.' or '..')",
            ));
        }
        Ok(StoreUrl {
            tls,
            host: host.to_ascii_lowercase(),
            port,
            mount: mount.to_string(),
            path: folder.join("/"),
        })
    }

    /// The server's base address, `http(s)://host:port`.
    #[must_use]
    pub fn base(&self) -> String {
        format!(
            "{}://{}:{}",
            if self.tls { "https" } else { "http" },
            self.host,
            self.port
        )
    }

    /// `MOUNT/data/PATH/` + `rest` as an API path under `/v1/`.
    #[must_use]
    pub fn api(&self, kind: &str, rest: &str) -> String {
        let mut p = format!("{}/v1/{}/{kind}", self.base(), self.mount);
        if !self.path.is_empty() {
            p.push('/');
            p.push_str(&self.path);
        }
        if !rest.is_empty() {
            p.push('/');
            p.push_str(rest);
        }
        p
    }

    /// Where an entry lives, as `bao kv` names it: `MOUNT/PATH/NAME`.
    #[must_use]
    pub fn kv_path(&self, name: &str) -> String {
        if self.path.is_empty() {
            format!("{}/{name}", self.mount)
        } else {
            format!("{}/{}/{name}", self.mount, self.path)
        }
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}:{}/{}",
            if self.tls { TLS_SCHEME } else { HTTP_SCHEME },
            self.host,
            self.port,
            self.mount
        )?;
        if !self.path.is_empty() {
            write!(f, "/{}", self.path)?;
        }
        Ok(())
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let end = authority.find(']')?;
        let host = &authority[..=end];
        match &authority[end + 1..] {
            "" => Some((host, None)),
            rest => Some((host, Some(rest.strip_prefix(':')?))),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => Some((h, Some(p))),
            None => Some((authority, None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StoreUrl;

    #[test]
    fn parses_both_schemes() {
        let u = StoreUrl::parse("openbao://bao.example.com/secret/team/app").unwrap();
        assert!(u.tls);
        assert_eq!((u.host.as_str(), u.port), ("bao.example.com", 8200));
        assert_eq!((u.mount.as_str(), u.path.as_str()), ("secret", "team/app"));
        assert_eq!(
            u.api("data", "DB"),
            "https://bao.example.com:8200/v1/secret/data/team/app/DB"
        );
        let u = StoreUrl::parse("openbao+http://127.0.0.1:18200/secret").unwrap();
        assert!(!u.tls);
        assert_eq!(
            u.api("metadata", ""),
            "http://127.0.0.1:18200/v1/secret/metadata"
        );
        assert!(StoreUrl::parse("openbao+http://[::1]:8200/kv/x").is_ok());
    }

    #[test]
    fn plain_http_is_loopback_only() {
        for bad in [
            "openbao+http://10.0.0.1:8200/secret/x",
            "openbao+http://localhost:8200/secret/x",
            "openbao+http://example.com/secret/x",
            "openbao+http://127.0.0.1.evil.com/secret/x",
        ] {
            let e = StoreUrl::parse(bad).unwrap_err();
            assert!(e.message.contains("loopback"), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn refuses_ambiguous_names() {
        for bad in [
            "openbao://user:tok@host/secret/x",
            "openbao://host/secret/x?y",
            "openbao://host/secret/../x",
            "openbao://host/",
            "openbao://host:0/secret",
            "openbao://host:99999/secret",
            "openbao://ho st/secret",
            "openbao://host/se%2fcret",
            "https://host/secret",
        ] {
            assert!(StoreUrl::parse(bad).is_err(), "{bad}");
        }
    }
}

//! Secret names (validated) and secret values (zeroized, never printed).
//!
//! A [`SecretValue`] is the only type that holds a value. It zeroizes its bytes on drop and
//! its `Debug`/`Display` print `[REDACTED]`, so no error chain, log line or panic message can
//! show one. Names are checked once, here, against the rules in [`SecretName::parse`].

use std::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::exit::Exit;

/// Values shorter than this are refused unless `--allow-short`: a short string turns up
/// by chance all over a log, so it cannot be redacted without wrecking the output.
pub const MIN_VALUE_LEN: usize = 8;

/// Linux's limit on one environment string, `NAME=VALUE\0` (MAX_ARG_STRLEN).
pub const MAX_ENV_STRING: usize = 128 * 1024;

/// Longest accepted name (the regex `^[A-Za-z_][A-Za-z0-9_]{0,127}$`).
pub const MAX_NAME_LEN: usize = 128;

/// Environment variables a child's loader, shell or tools treat as code, search paths,
/// trust anchors or network routes. A secret with one of these names would be injected
/// into the child's environment and could hijack it, so such names are refused.
/// Compared case-insensitively (`http_proxy` and `HTTP_PROXY` are both honoured by tools).
pub const RESERVED_NAMES: &[&str] = &[
    // shells
    "PATH",
    "HOME",
    "SHELL",
    "ENV",
    "BASH_ENV",
    "IFS",
    "PS1",
    "PS2",
    "PS4",
    "SHELLOPTS",
    "BASHOPTS",
    "CDPATH",
    "GLOBIGNORE",
    "PROMPT_COMMAND",
    "TERM",
    "TMPDIR",
    "USER",
    "LOGNAME",
    "PWD",
    "OLDPWD",
    "ZDOTDIR",
    // dynamic loader and libc
    "GCONV_PATH",
    "LOCPATH",
    "NLSPATH",
    "HOSTALIASES",
    "RESOLV_HOST_CONF",
    "LOCALDOMAIN",
    "RES_OPTIONS",
    "MALLOC_CHECK_",
    "MALLOC_PERTURB_",
    "TZ",
    "TZDIR",
    // language runtimes
    "NODE_OPTIONS",
    "NODE_PATH",
    "NODE_EXTRA_CA_CERTS",
    "PYTHONSTARTUP",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONINSPECT",
    "PYTHONUSERBASE",
    "PERL5OPT",
    "PERL5LIB",
    "PERLLIB",
    "PERL5DB",
    "RUBYOPT",
    "RUBYLIB",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "CLASSPATH",
    "GOFLAGS",
    "RUSTC_WRAPPER",
    "RUSTFLAGS",
    "CARGO_HOME",
    "LUA_INIT",
    "LUA_PATH",
    "PHPRC",
    "R_PROFILE",
    "R_PROFILE_USER",
    // tools that run other programs
    "EDITOR",
    "VISUAL",
    "PAGER",
    "GIT_PAGER",
    "BROWSER",
    "MANPAGER",
    "LESSOPEN",
    "LESSCLOSE",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_EXEC_PATH",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_CONFIG",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_PROXY_COMMAND",
    "SSH_AUTH_SOCK",
    // network routes and TLS trust
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "FTP_PROXY",
    "CURL_HOME",
    "WGETRC",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CURL_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
];

/// Name prefixes refused for the same reason (`LD_PRELOAD`, `DYLD_INSERT_LIBRARIES`,
/// bash's exported functions `BASH_FUNC_x%%`, git's `GIT_CONFIG_KEY_n`) and vault's own
/// namespace, so a secret can never pose as unlock material.
pub const RESERVED_PREFIXES: &[&str] = &["LD_", "DYLD_", "BASH_FUNC_", "GIT_CONFIG_", "VAULT_"];

/// A validated secret name: `^[A-Za-z_][A-Za-z0-9_]{0,127}$`, not reserved.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretName(String);

impl SecretName {
    /// Checks `name` against the naming rules; the error says which rule failed.
    pub fn parse(name: &str) -> Result<SecretName> {
        let shown = shown_name(name);
        let bad = |why: &str| {
            Error::new(Exit::DataErr, format!("invalid secret name {shown}: {why}"))
                .hint("names match ^[A-Za-z_][A-Za-z0-9_]{0,127}$, e.g. GITHUB_TOKEN")
        };
        let bytes = name.as_bytes();
        let Some(first) = bytes.first() else {
            return Err(bad("it is empty"));
        };
        if bytes.len() > MAX_NAME_LEN {
            return Err(bad("longer than 128 characters"));
        }
        if !(first.is_ascii_alphabetic() || *first == b'_') {
            return Err(bad("it must start with a letter or `_`"));
        }
        if !bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            return Err(bad("only ASCII letters, digits and `_` are allowed"));
        }
        let upper = name.to_ascii_uppercase();
        if RESERVED_NAMES.contains(&upper.as_str())
            || RESERVED_PREFIXES.iter().any(|p| upper.starts_with(p))
        {
            return Err(Error::new(
                Exit::DataErr,
                format!(
                    "refusing secret name {name}: the child's shell, loader or tools treat that variable as code, a path or a route"
                ),
            )
            .hint("pick another name; `man vault` lists the reserved names"));
        }
        Ok(SecretName(name.to_string()))
    }

    /// Largest value that fits in an environment variable of this name: Linux refuses a
    /// single environment string (`NAME=VALUE` and its NUL) over 128 KiB.
    #[must_use]
    pub fn max_value_len(&self) -> usize {
        MAX_ENV_STRING - self.0.len() - 2
    }

    /// The name as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a rejected name is echoed back: quoted, and cut short, since a user might paste a
/// value where a name belongs.
fn shown_name(name: &str) -> String {
    // Only characters a name could plausibly be made of: `NAME=VALUE` or a pasted token
    // with punctuation is never echoed.
    if name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        format!("`{name}`")
    } else {
        format!("({} bytes)", name.len())
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A secret value. Zeroized on drop; prints as `[REDACTED]`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(Zeroizing<Vec<u8>>);

impl SecretValue {
    /// Takes ownership of the bytes (they will be zeroized on drop).
    #[must_use]
    pub fn new(bytes: Zeroizing<Vec<u8>>) -> SecretValue {
        SecretValue(bytes)
    }

    /// The raw bytes. Callers must not copy them into anything that is not zeroized.
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks the rules every stored value obeys: not empty, no NUL (it could not travel in
    /// an environment variable or argv), and at least [`MIN_VALUE_LEN`] bytes unless
    /// `allow_short`. The message never shows the value.
    pub fn check(&self, name: &SecretName, allow_short: bool) -> Result<()> {
        if self.0.is_empty() {
            return Err(Error::new(
                Exit::DataErr,
                format!("refusing an empty value for {name}"),
            ));
        }
        if self.0.contains(&0) {
            return Err(Error::new(
                Exit::DataErr,
                format!(
                    "refusing the value for {name}: it contains a NUL byte, which cannot be passed in an environment variable"
                ),
            ));
        }
        if self.0.len() > name.max_value_len() {
            return Err(Error::new(
                Exit::DataErr,
                format!(
                    "refusing the value for {name}: larger than {} bytes (Linux's 128 KiB limit on NAME=VALUE), too large for an environment variable",
                    name.max_value_len()
                ),
            ));
        }
        if !allow_short && self.0.len() < MIN_VALUE_LEN {
            return Err(Error::new(
                Exit::DataErr,
                format!(
                    "refusing the value for {name}: shorter than {MIN_VALUE_LEN} bytes, and a short value cannot be redacted from output without wrecking it"
                ),
            )
            .hint("pass --allow-short to store it anyway (its raw form is still redacted, its encodings are not)"));
        }
        Ok(())
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl fmt::Display for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

#[cfg(test)]
mod tests {
    use super::{SecretName, SecretValue};
    use zeroize::Zeroizing;

    #[test]
    fn names() {
        for ok in ["A", "_x", "GITHUB_TOKEN", "a1", &"A".repeat(128)] {
            assert!(SecretName::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1A",
            "A-B",
            "A B",
            "é",
            &"A".repeat(129),
            "PATH",
            "path",
            "LD_PRELOAD",
            "DYLD_INSERT_LIBRARIES",
            "BASH_ENV",
            "NODE_OPTIONS",
            "http_proxy",
            "VAULT_IDENTITY",
            "BASH_FUNC_x",
            "IFS",
        ] {
            assert!(SecretName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn value_never_prints() {
        let v = SecretValue::new(Zeroizing::new(b"hunter2hunter2".to_vec()));
        assert_eq!(format!("{v:?} {v}"), "[REDACTED] [REDACTED]");
        let n = SecretName::parse("X").unwrap();
        assert!(v.check(&n, false).is_ok());
        let short = SecretValue::new(Zeroizing::new(b"abc".to_vec()));
        assert!(short.check(&n, false).is_err());
        assert!(short.check(&n, true).is_ok());
        let nul = SecretValue::new(Zeroizing::new(b"abc\0defgh".to_vec()));
        let e = nul.check(&n, true).unwrap_err();
        assert!(!e.message.contains("abc"));
    }
}

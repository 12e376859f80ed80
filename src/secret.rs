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

/// Why a variable name is reserved: a common program reads it as code, a search path,
/// configuration, a trust anchor or a network route rather than as a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reserved {
    /// The shell, the loader, an interpreter or a tool runs code or loads modules from it
    /// (`LD_PRELOAD`, `BASH_ENV`, `PYTHONPATH`, `GIT_EXTERNAL_DIFF`, `PS4`, …).
    Hook,
    /// A client reads it as configuration, trust or a route (`HOME`, `XDG_*`, `*_PROXY`,
    /// `SSL_CERT_FILE`, `GIT_CONFIG*`, `CURL_HOME`, `KUBECONFIG`, …): set to a directory or
    /// file of someone's choosing, it sends the client somewhere argv does not show.
    Config,
    /// The child's identity or locale (`USER`, `TERM`, `TZ`, `TMPDIR`, …): a secret there
    /// breaks the child, but it redirects nothing.
    Identity,
}

/// Names reserved one by one (compared case-insensitively, as tools honour both
/// `http_proxy` and `HTTP_PROXY`). The rules in [`reserved`] add whole families.
pub const RESERVED_NAMES: &[(&str, Reserved)] = {
    use Reserved::{Config as C, Hook as H, Identity as I};
    &[
        // shells
        ("PATH", H),
        ("SHELL", H),
        ("ENV", H),
        ("BASH_ENV", H),
        ("IFS", H),
        ("PS0", H),
        ("PS1", H),
        ("PS2", H),
        ("PS3", H),
        ("PS4", H),
        ("PROMPT_COMMAND", H),
        ("SHELLOPTS", H),
        ("BASHOPTS", H),
        ("CDPATH", H),
        ("GLOBIGNORE", H),
        ("ZDOTDIR", C),
        ("INPUTRC", C),
        ("HOME", C),
        ("TERM", I),
        ("TERMINFO", C),
        ("TMPDIR", I),
        ("USER", I),
        ("LOGNAME", I),
        ("PWD", I),
        ("OLDPWD", I),
        // dynamic loader, libc and the resolver
        ("GCONV_PATH", H),
        ("LOCPATH", H),
        ("NLSPATH", H),
        ("HOSTALIASES", C),
        ("RESOLV_HOST_CONF", C),
        ("LOCALDOMAIN", C),
        ("RES_OPTIONS", C),
        ("MALLOC_CHECK_", I),
        ("MALLOC_PERTURB_", I),
        ("TZ", I),
        ("TZDIR", I),
        // interpreter hooks
        ("NODE_OPTIONS", H),
        ("NODE_PATH", H),
        ("PYTHONSTARTUP", H),
        ("PYTHONPATH", H),
        ("PYTHONHOME", H),
        ("PYTHONINSPECT", H),
        ("PYTHONUSERBASE", H),
        ("PYTHONBREAKPOINT", H),
        ("PERL5OPT", H),
        ("PERL5LIB", H),
        ("PERLLIB", H),
        ("PERL5DB", H),
        ("RUBYOPT", H),
        ("RUBYLIB", H),
        ("JAVA_TOOL_OPTIONS", H),
        ("_JAVA_OPTIONS", H),
        ("JDK_JAVA_OPTIONS", H),
        ("CLASSPATH", H),
        ("GOFLAGS", H),
        ("RUSTC_WRAPPER", H),
        ("RUSTFLAGS", H),
        ("RUSTDOCFLAGS", H),
        ("CARGO_HOME", C),
        ("LUA_INIT", H),
        ("LUA_PATH", H),
        ("LUA_CPATH", H),
        ("PHPRC", H),
        ("PHP_INI_SCAN_DIR", H),
        ("R_PROFILE", H),
        ("R_PROFILE_USER", H),
        ("TCLLIBPATH", H),
        // tools that run other programs
        ("EDITOR", H),
        ("VISUAL", H),
        ("PAGER", H),
        ("BROWSER", H),
        ("MANPAGER", H),
        ("LESSOPEN", H),
        ("LESSCLOSE", H),
        ("SSH_ASKPASS", H),
        ("SSH_ASKPASS_REQUIRE", H),
        ("SSH_AUTH_SOCK", C),
        // git (GIT_SSH*, GIT_CONFIG*, GIT_TRACE*, GIT_SSL_*, GIT_*EDITOR by rule)
        ("GIT_PAGER", H),
        ("GIT_EXEC_PATH", H),
        ("GIT_ASKPASS", H),
        ("GIT_EXTERNAL_DIFF", H),
        ("GIT_TEMPLATE_DIR", H),
        ("GIT_PROXY_COMMAND", H),
        ("GIT_DIR", C),
        ("GIT_WORK_TREE", C),
        ("GIT_COMMON_DIR", C),
        ("GIT_OBJECT_DIRECTORY", C),
        ("GIT_ALTERNATE_OBJECT_DIRECTORIES", C),
        ("GIT_NAMESPACE", C),
        ("GIT_CEILING_DIRECTORIES", C),
        ("GIT_DIFF_OPTS", C),
        ("GIT_ALLOW_PROTOCOL", C),
        ("GIT_PROTOCOL_FROM_USER", C),
        // HTTP clients, containers, clusters and other clients' configuration
        ("CURL_HOME", C),
        ("WGETRC", C),
        ("SYSTEM_WGETRC", C),
        ("NETRC", C),
        ("DOCKER_HOST", C),
        ("DOCKER_CONFIG", C),
        ("DOCKER_CONTEXT", C),
        ("DOCKER_CERT_PATH", C),
        ("DOCKER_TLS_VERIFY", C),
        ("KUBECONFIG", C),
        ("RSYNC_RSH", H),
        ("RSYNC_CONNECT_PROG", H),
        ("PGSERVICE", C),
        ("PGSERVICEFILE", C),
        ("PGSYSCONFDIR", C),
        ("PGSSLROOTCERT", C),
        ("MYSQL_HOME", C),
        ("AWS_CONFIG_FILE", C),
        ("AWS_SHARED_CREDENTIALS_FILE", C),
        ("AWS_CA_BUNDLE", C),
        ("BOTO_CONFIG", C),
        ("NPM_CONFIG_USERCONFIG", C),
        ("NPM_CONFIG_GLOBALCONFIG", C),
        ("PIP_CONFIG_FILE", C),
        ("GNUPGHOME", C),
        // TLS trust and key logs
        ("SSL_CERT_FILE", C),
        ("SSL_CERT_DIR", C),
        ("SSLKEYLOGFILE", C),
        ("OPENSSL_CONF", C),
        ("CURL_CA_BUNDLE", C),
        ("REQUESTS_CA_BUNDLE", C),
        ("NODE_EXTRA_CA_CERTS", C),
        ("NODE_TLS_REJECT_UNAUTHORIZED", C),
        ("PIP_CERT", C),
        ("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", C),
    ]
};

/// Name prefixes reserved for the same reasons (`LD_PRELOAD`, `DYLD_INSERT_LIBRARIES`,
/// bash's exported functions `BASH_FUNC_x%%`, `XDG_CONFIG_HOME`, git's `GIT_CONFIG_KEY_n`,
/// `GIT_SSH_COMMAND`, `GIT_TRACE_CURL`, `GIT_SSL_NO_VERIFY`) and vault's own namespace, so
/// a secret can never pose as unlock material.
pub const RESERVED_PREFIXES: &[(&str, Reserved)] = &[
    ("LD_", Reserved::Hook),
    ("DYLD_", Reserved::Hook),
    ("BASH_FUNC_", Reserved::Hook),
    ("XDG_", Reserved::Config),
    ("GIT_CONFIG", Reserved::Config),
    ("GIT_SSH", Reserved::Hook),
    ("GIT_TRACE", Reserved::Config),
    ("GIT_SSL_", Reserved::Config),
    ("VAULT_", Reserved::Config),
];

/// The families no list can spell out: every `*_PROXY` spelling (`HTTPS_PROXY`,
/// `no_proxy`, `ALL_PROXY`, `PROXY` itself) and git's editors (`GIT_EDITOR`,
/// `GIT_SEQUENCE_EDITOR`).
pub const RESERVED_RULES: &[&str] = &["*_PROXY and PROXY", "GIT_*EDITOR"];

/// Whether a common program reads the variable `name` as code, configuration, trust or a
/// route (see [`Reserved`]); `None` for an ordinary name. Case-insensitive. This one
/// predicate decides both which secret names are refused and which inline assignments
/// the egress check refuses (`env HOME=DIR curl …`).
#[must_use]
pub fn reserved(name: &str) -> Option<Reserved> {
    // Case-insensitive without an uppercased copy: this runs for every injected secret.
    let name = name.as_bytes();
    let starts =
        |p: &str| name.len() >= p.len() && name[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    let ends = |s: &str| {
        name.len() >= s.len() && name[name.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes())
    };
    // The names sorted once, then searched comparing `name` uppercased byte by byte.
    static SORTED: std::sync::OnceLock<Vec<(&str, Reserved)>> = std::sync::OnceLock::new();
    let sorted = SORTED.get_or_init(|| {
        let mut v = RESERVED_NAMES.to_vec();
        v.sort_unstable_by_key(|(n, _)| *n);
        v
    });
    // Uppercased on the stack (a stored name is at most 128 bytes; a longer word, from an
    // inline assignment, is longer than every listed name, so it is not one of them).
    let mut upper = [0u8; MAX_NAME_LEN];
    if let Some(buf) = upper.get_mut(..name.len()) {
        for (u, b) in buf.iter_mut().zip(name) {
            *u = b.to_ascii_uppercase();
        }
        if let Ok(i) = sorted.binary_search_by(|(n, _)| n.as_bytes().cmp(buf)) {
            return Some(sorted[i].1);
        }
    }
    if let Some((_, kind)) = RESERVED_PREFIXES.iter().find(|(p, _)| starts(p)) {
        return Some(*kind);
    }
    if ends("_PROXY") || name.eq_ignore_ascii_case(b"PROXY") {
        return Some(Reserved::Config);
    }
    if starts("GIT_") && ends("EDITOR") {
        return Some(Reserved::Hook);
    }
    None
}

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
        if let Some(kind) = reserved(name) {
            return Err(reserved_error(name, kind));
        }
        Ok(SecretName(name.to_string()))
    }

    /// Checks only the syntax of a name read back from a store: a store written by an
    /// older vault, or by hand, may hold a name that is reserved now. Such a secret can
    /// still be listed and removed; [`SecretName::check_injectable`] refuses to inject it.
    pub fn stored(name: &str) -> Result<SecretName> {
        if SecretName::is_stored_syntax(name) {
            Ok(SecretName(name.to_string()))
        } else {
            Err(Error::new(
                Exit::DataErr,
                format!("invalid secret name {}", shown_name(name)),
            ))
        }
    }

    /// Whether `name` has a name's syntax (what [`SecretName::stored`] checks), without
    /// making one.
    #[must_use]
    pub fn is_stored_syntax(name: &str) -> bool {
        name.len() <= MAX_NAME_LEN
            && name
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    }

    /// Refuses to inject a secret whose name is reserved (see [`reserved`]).
    pub fn check_injectable(&self) -> Result<()> {
        match reserved(&self.0) {
            Some(kind) => Err(reserved_error(&self.0, kind).hint(format!(
                "this store holds {0} from an older vault or a hand edit; `vault rm {0}` it and store the value under another name",
                self.0
            ))),
            None => Ok(()),
        }
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

fn reserved_error(name: &str, kind: Reserved) -> Error {
    let what = match kind {
        Reserved::Hook => "as code or a place to load code from",
        Reserved::Config => "as configuration, trust or a network route",
        Reserved::Identity => "as the child's identity or locale",
    };
    Error::new(
        Exit::DataErr,
        format!("refusing secret name {name}: common programs read that variable {what}, not as a credential"),
    )
    .hint("pick another name; `man vault` lists the reserved names (RESERVED NAMES)")
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
    use super::{RESERVED_NAMES, SecretName, SecretValue, reserved};
    use zeroize::Zeroizing;

    #[test]
    fn every_reserved_name_is_found_in_any_case_and_nothing_near_it() {
        for (n, kind) in RESERVED_NAMES {
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{n}: the list is written in uppercase"
            );
            assert_eq!(reserved(n), Some(*kind), "{n}");
            assert_eq!(reserved(&n.to_ascii_lowercase()), Some(*kind), "{n}");
        }
        for ordinary in ["HOMEX", "HOM", "GITHUB_TOKEN", "A", "ZZZZ", "_"] {
            assert_eq!(reserved(ordinary), None, "{ordinary}");
        }
    }

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
    fn reserved_by_rule() {
        for name in [
            "HOME",
            "XDG_CONFIG_HOME",
            "xdg_data_home",
            "HTTPS_PROXY",
            "Https_Proxy",
            "no_proxy",
            "SOCKS5_PROXY",
            "PROXY",
            "SSL_CERT_FILE",
            "SSLKEYLOGFILE",
            "NODE_TLS_REJECT_UNAUTHORIZED",
            "GIT_SSL_NO_VERIFY",
            "GIT_SSH_VARIANT",
            "GIT_EDITOR",
            "GIT_SEQUENCE_EDITOR",
            "GIT_EXTERNAL_DIFF",
            "GIT_CONFIG_KEY_0",
            "GIT_TEMPLATE_DIR",
            "GIT_TRACE_CURL",
            "GIT_ASKPASS",
            "DOCKER_HOST",
            "KUBECONFIG",
            "PS0",
            "PS3",
            "PROMPT_COMMAND",
            "PYTHONSTARTUP",
            "PERL5LIB",
            "RUBYOPT",
        ] {
            assert!(reserved(name).is_some(), "{name}");
            assert!(SecretName::parse(name).is_err(), "{name}");
            let stored = SecretName::stored(name).expect("syntax is fine");
            assert!(stored.check_injectable().is_err(), "{name}");
        }
        for ok in [
            "GITHUB_TOKEN",
            "DOCKER_PASSWORD",
            "PROXY_TOKEN",
            "HOMEBREW_GITHUB_API_TOKEN",
            "GIT_TOKEN",
            "SSL_KEY_PASSWORD",
        ] {
            assert_eq!(reserved(ok), None, "{ok}");
            assert!(SecretName::parse(ok).is_ok(), "{ok}");
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

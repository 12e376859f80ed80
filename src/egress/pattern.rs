//! Host patterns: the entries of a secret's `allow` / `confirm` / `deny`
//! lists, their parsing (strict, with a one-line reason on refusal), their
//! canonical Display form, matching against normalised destinations, and
//! the set algebra (`covers`, `intersect`) that widening analysis needs.
//!
//! Grammar, deliberately tiny so that what a user writes is what is
//! enforced:
//!
//! ```text
//! pattern = host-part [ ":" port ]
//! host-part = "*"                  any host
//!           | "*." name            strict subdomains of name, any depth
//!           | name | ipv4 | "[" ipv6 "]"
//! port    = 1..=65535              absent: every port
//! ```
//!
//! URLs, paths, userinfo, bare IPv6 (ambiguous with a port), globs or
//! regexes anywhere else (`a*.b`, `*b.com`, `?`, `[ab]`) are refused rather
//! than "helpfully" interpreted: a pattern that silently means something
//! else than the user thought is a policy hole.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use super::normalize::{self, NormalizeError};

/// Which hosts a pattern names. Hosts are stored normalised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HostMatch {
    /// `*`: every host, IP literals included.
    Any,
    /// `*.base`: every host with at least one more label than `base` that
    /// ends in `.base` (label boundary). Never `base` itself, never an IP.
    Subdomains(String),
    /// One host name or IP literal.
    Exact(String),
}

/// One parsed, normalised host pattern, optionally restricted to a port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostPattern {
    host: HostMatch,
    port: Option<u16>,
}

/// A pattern refused at parse time, with the offending text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid host pattern `{pattern}`: {kind}")]
pub struct PatternError {
    pub pattern: String,
    pub kind: PatternErrorKind,
}

/// Why a pattern was refused. One line each, phrased as advice.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PatternErrorKind {
    #[error("empty pattern")]
    Empty,
    #[error("a URL is not a host pattern; give only the host, e.g. `api.github.com`")]
    Url,
    #[error("paths are not part of a host pattern; give only the host")]
    Path,
    #[error("user names are not part of a host pattern; give only the host")]
    Userinfo,
    #[error("whitespace or control characters are not allowed")]
    Whitespace,
    #[error("wildcards are only allowed as `*` or a leading `*.`; no globs or regexes")]
    Glob,
    #[error("port must be a number from 1 to 65535")]
    BadPort,
    #[error("write IPv6 addresses in brackets, e.g. `[::1]` or `[::1]:8080`")]
    BareIpv6,
    #[error("a wildcard cannot apply to an IP address; list the address itself")]
    WildcardIp,
    #[error("{0}")]
    Host(NormalizeError),
}

impl HostPattern {
    /// Parse and normalise a pattern; see the module doc for the grammar.
    pub fn parse(input: &str) -> Result<Self, PatternError> {
        parse_inner(input).map_err(|kind| PatternError {
            pattern: input.to_string(),
            kind,
        })
    }

    /// `*`, optionally with a port: the pattern that matches every host.
    pub fn any(port: Option<u16>) -> Self {
        Self {
            host: HostMatch::Any,
            port,
        }
    }

    pub fn host(&self) -> &HostMatch {
        &self.host
    }

    /// `None` means every port.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Does the host part match this already-normalised host?
    pub fn matches_host(&self, host: &str) -> bool {
        match &self.host {
            HostMatch::Any => true,
            HostMatch::Exact(h) => h == host,
            HostMatch::Subdomains(base) => is_strict_subdomain(host, base),
        }
    }

    /// Does the pattern match a normalised host on a known port?
    pub fn matches(&self, host: &str, port: u16) -> bool {
        self.matches_host(host) && self.port.is_none_or(|p| p == port)
    }

    /// Every (host, port) this pattern matches is also matched by `self`.
    /// Exact for single patterns; used by widening analysis.
    pub fn covers(&self, other: &HostPattern) -> bool {
        let port_ok = match (self.port, other.port) {
            (None, _) => true,
            (Some(a), Some(b)) => a == b,
            (Some(_), None) => false,
        };
        let host_ok = match (&self.host, &other.host) {
            (HostMatch::Any, _) => true,
            (_, HostMatch::Any) => false,
            (HostMatch::Exact(a), HostMatch::Exact(b)) => a == b,
            (HostMatch::Exact(_), HostMatch::Subdomains(_)) => false,
            (HostMatch::Subdomains(base), HostMatch::Exact(h)) => is_strict_subdomain(h, base),
            (HostMatch::Subdomains(a), HostMatch::Subdomains(b)) => {
                a == b || is_strict_subdomain(b, a)
            }
        };
        port_ok && host_ok
    }

    /// The set of (host, port) matched by both patterns, which is itself a
    /// single pattern or empty (`None`).
    pub fn intersect(&self, other: &HostPattern) -> Option<HostPattern> {
        let port = match (self.port, other.port) {
            (None, p) | (p, None) => p,
            (Some(a), Some(b)) if a == b => Some(a),
            _ => return None,
        };
        let host = match (&self.host, &other.host) {
            (HostMatch::Any, h) | (h, HostMatch::Any) => h.clone(),
            (HostMatch::Exact(a), HostMatch::Exact(b)) => {
                if a == b {
                    HostMatch::Exact(a.clone())
                } else {
                    return None;
                }
            }
            (HostMatch::Exact(h), HostMatch::Subdomains(base))
            | (HostMatch::Subdomains(base), HostMatch::Exact(h)) => {
                if is_strict_subdomain(h, base) {
                    HostMatch::Exact(h.clone())
                } else {
                    return None;
                }
            }
            (HostMatch::Subdomains(a), HostMatch::Subdomains(b)) => {
                if a == b || is_strict_subdomain(a, b) {
                    HostMatch::Subdomains(a.clone())
                } else if is_strict_subdomain(b, a) {
                    HostMatch::Subdomains(b.clone())
                } else {
                    return None;
                }
            }
        };
        Some(HostPattern { host, port })
    }
}

/// `host` is `base` with one or more labels in front (label boundary).
fn is_strict_subdomain(host: &str, base: &str) -> bool {
    host.strip_suffix(base)
        .and_then(|front| front.strip_suffix('.'))
        .is_some_and(|front| !front.is_empty())
}

/// Characters that would make a pattern a glob or regex if accepted.
fn is_glob_char(c: char) -> bool {
    matches!(
        c,
        '*' | '?' | '[' | ']' | '{' | '}' | '(' | ')' | '|' | '^' | '$' | '+' | '!' | '~' | ','
    )
}

fn parse_inner(input: &str) -> Result<HostPattern, PatternErrorKind> {
    use PatternErrorKind as K;
    if input.is_empty() {
        return Err(K::Empty);
    }
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(K::Whitespace);
    }
    if input.contains("://") {
        return Err(K::Url);
    }
    if input.contains('/') || input.contains('\\') {
        return Err(K::Path);
    }
    if input.contains('@') {
        return Err(K::Userinfo);
    }

    let (host_part, port_part) = split_port(input)?;
    let port = match port_part {
        None => None,
        Some(p) => Some(parse_port(p).ok_or(K::BadPort)?),
    };

    let host = if host_part == "*" {
        HostMatch::Any
    } else if let Some(base) = host_part.strip_prefix("*.") {
        if base.chars().any(is_glob_char) {
            return Err(K::Glob);
        }
        if base.starts_with('[') {
            return Err(K::WildcardIp);
        }
        let base = normalize::host(base).map_err(K::Host)?;
        if normalize::is_ip_literal(&base) {
            return Err(K::WildcardIp);
        }
        HostMatch::Subdomains(base)
    } else if let Some(inner) = host_part.strip_prefix('[') {
        // split_port guaranteed the closing bracket.
        let inner = inner.strip_suffix(']').ok_or(K::Glob)?;
        if inner.chars().any(is_glob_char) {
            return Err(K::Glob);
        }
        let h = normalize::host(&format!("[{inner}]")).map_err(K::Host)?;
        HostMatch::Exact(h)
    } else {
        if host_part.chars().any(is_glob_char) {
            return Err(K::Glob);
        }
        HostMatch::Exact(normalize::host(host_part).map_err(K::Host)?)
    };
    Ok(HostPattern { host, port })
}

/// Split `host[:port]` / `[v6][:port]`. A bare IPv6 is refused because
/// `::1:8080` would be ambiguous.
fn split_port(input: &str) -> Result<(&str, Option<&str>), PatternErrorKind> {
    if input.starts_with('[') {
        let close = input.find(']').ok_or(PatternErrorKind::Glob)?;
        let (host, rest) = input.split_at(close + 1);
        if rest.is_empty() {
            return Ok((host, None));
        }
        return match rest.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None => Err(PatternErrorKind::Glob),
        };
    }
    match input.matches(':').count() {
        0 => Ok((input, None)),
        1 => match input.split_once(':') {
            Some((h, p)) => Ok((h, Some(p))),
            None => Ok((input, None)),
        },
        _ => Err(PatternErrorKind::BareIpv6),
    }
}

/// Decimal 1..=65535, digits only (no sign, no spaces, at most 5 digits).
pub(crate) fn parse_port(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u16>().ok().filter(|&p| p != 0)
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            HostMatch::Any => f.write_str("*")?,
            HostMatch::Subdomains(base) => write!(f, "*.{base}")?,
            HostMatch::Exact(h) => f.write_str(&normalize::display_host(h))?,
        }
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

impl FromStr for HostPattern {
    type Err = PatternError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for HostPattern {
    type Error = PatternError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

/// Serialised as the Display string, so stored policies stay readable.
impl Serialize for HostPattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Re-validated on load: a bad stored pattern is an error, never skipped,
/// because skipping a `deny` entry would widen the policy silently.
impl<'de> Deserialize<'de> for HostPattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        HostPattern::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> HostPattern {
        HostPattern::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn refused(s: &str) -> PatternErrorKind {
        match HostPattern::parse(s) {
            Ok(p) => panic!("{s:?} should be refused, parsed as {p}"),
            Err(e) => e.kind,
        }
    }

    #[test]
    fn parse_and_display() {
        for (input, shown) in [
            ("api.github.com", "api.github.com"),
            ("API.GitHub.com.", "api.github.com"),
            ("*.github.com", "*.github.com"),
            ("*.GitHub.COM.", "*.github.com"),
            ("*", "*"),
            ("*:22", "*:22"),
            ("api.github.com:443", "api.github.com:443"),
            ("*.example.com:8443", "*.example.com:8443"),
            ("[::1]", "[::1]"),
            ("[::1]:8080", "[::1]:8080"),
            ("[0:0::1]:8080", "[::1]:8080"),
            ("[::ffff:10.0.0.1]", "10.0.0.1"),
            ("10.0.0.1", "10.0.0.1"),
            ("10.1:5432", "10.0.0.1:5432"),
            ("0x7f.1", "127.0.0.1"),
            ("bücher.de", "xn--bcher-kva.de"),
            ("*.bücher.de", "*.xn--bcher-kva.de"),
            ("localhost:6379", "localhost:6379"),
            ("*.com", "*.com"),
        ] {
            assert_eq!(p(input).to_string(), shown, "input {input}");
        }
    }

    #[test]
    fn refusals() {
        use PatternErrorKind as K;
        assert_eq!(refused(""), K::Empty);
        assert_eq!(refused("https://api.github.com"), K::Url);
        assert_eq!(refused("git+ssh://github.com"), K::Url);
        assert_eq!(refused("api.github.com/repos"), K::Path);
        assert_eq!(refused("github.com\\x"), K::Path);
        assert_eq!(refused("git@github.com"), K::Userinfo);
        assert_eq!(refused(" api.github.com"), K::Whitespace);
        assert_eq!(refused("api.github.com\t"), K::Whitespace);
        assert_eq!(refused("a*.b.com"), K::Glob);
        assert_eq!(refused("*b.com"), K::Glob);
        assert_eq!(refused("*.*.b.com"), K::Glob);
        assert_eq!(refused("a.*.com"), K::Glob);
        assert_eq!(refused("api.githu?.com"), K::Glob);
        assert_eq!(refused("api.[gh].com"), K::Glob);
        assert_eq!(refused("api.github.com*"), K::Glob);
        assert_eq!(refused("(a|b).com"), K::Glob);
        assert_eq!(refused("^api.github.com$"), K::Glob);
        assert_eq!(refused("**"), K::Glob);
        assert_eq!(refused("*."), K::Host(NormalizeError::Empty));
        assert_eq!(refused("api.github.com:"), K::BadPort);
        assert_eq!(refused("api.github.com:0"), K::BadPort);
        assert_eq!(refused("api.github.com:65536"), K::BadPort);
        assert_eq!(refused("api.github.com:+443"), K::BadPort);
        assert_eq!(refused("api.github.com:https"), K::BadPort);
        assert_eq!(refused("https:"), K::BadPort);
        assert_eq!(refused("::1"), K::BareIpv6);
        assert_eq!(refused("a.com:1:2"), K::BareIpv6);
        assert_eq!(refused("[::1]8080"), K::Glob);
        assert_eq!(refused("[::1"), K::Glob);
        assert_eq!(refused("*.10.0.0.1"), K::WildcardIp);
        assert_eq!(refused("*.0.1"), K::WildcardIp);
        assert!(HostPattern::parse("*.[::1]").is_err());
        assert!(matches!(refused("[a.com]"), K::Host(_)));
        assert!(matches!(
            refused("ex%61mple.com"),
            K::Host(NormalizeError::PercentEncoded)
        ));
        assert!(matches!(refused("a..com"), K::Host(_)));
        assert!(matches!(refused("example.999"), K::Host(_)));
        // Messages are one line and name the pattern.
        let e = HostPattern::parse("https://x.com").expect_err("url");
        let msg = e.to_string();
        assert!(
            msg.contains("https://x.com") && !msg.contains('\n'),
            "{msg}"
        );
    }

    #[test]
    fn matching() {
        let w = p("*.github.com");
        assert!(w.matches("a.github.com", 443));
        assert!(w.matches("a.b.github.com", 22));
        assert!(!w.matches("github.com", 443));
        assert!(!w.matches("evilgithub.com", 443));
        assert!(!w.matches("github.com.evil.com", 443));
        assert!(!w.matches(".github.com", 443));
        let e = p("api.github.com:443");
        assert!(e.matches("api.github.com", 443));
        assert!(!e.matches("api.github.com", 80));
        assert!(!e.matches("x.api.github.com", 443));
        assert!(p("*").matches("10.0.0.1", 1));
        assert!(p("*").matches("::1", 1));
        assert!(p("*:22").matches("anything", 22));
        assert!(!p("*:22").matches("anything", 23));
        assert!(p("[::1]:8080").matches("::1", 8080));
        assert!(p("127.1").matches("127.0.0.1", 80));
        assert!(!p("*.com").matches("1.2.3.4", 80));
    }

    #[test]
    fn covers_and_intersect() {
        assert!(p("*").covers(&p("*.a.com")));
        assert!(p("*").covers(&p("x:1")));
        assert!(!p("*:1").covers(&p("x")));
        assert!(p("*.a.com").covers(&p("x.a.com")));
        assert!(p("*.a.com").covers(&p("*.x.a.com")));
        assert!(p("*.a.com").covers(&p("*.a.com:443")));
        assert!(!p("*.a.com").covers(&p("a.com")));
        assert!(!p("*.a.com").covers(&p("*")));
        assert!(!p("*.x.a.com").covers(&p("*.a.com")));
        assert!(!p("x.a.com").covers(&p("*.a.com")));
        assert!(p("x.a.com").covers(&p("x.a.com:22")));
        assert!(!p("x.a.com:22").covers(&p("x.a.com")));
        assert!(!p("x.a.com:22").covers(&p("x.a.com:23")));

        assert_eq!(p("*").intersect(&p("a.com:1")), Some(p("a.com:1")));
        assert_eq!(p("*:1").intersect(&p("a.com")), Some(p("a.com:1")));
        assert_eq!(
            p("*.a.com").intersect(&p("*.b.a.com")),
            Some(p("*.b.a.com"))
        );
        assert_eq!(
            p("*.b.a.com").intersect(&p("*.a.com")),
            Some(p("*.b.a.com"))
        );
        assert_eq!(p("*.a.com").intersect(&p("*.b.com")), None);
        assert_eq!(p("*.a.com").intersect(&p("x.a.com")), Some(p("x.a.com")));
        assert_eq!(p("*.a.com").intersect(&p("a.com")), None);
        assert_eq!(p("a.com:1").intersect(&p("a.com:2")), None);
        assert_eq!(p("a.com").intersect(&p("b.com")), None);
    }

    #[test]
    fn serde_roundtrip_and_revalidation() {
        let pat = p("*.Example.COM:443");
        let json = serde_json::to_string(&pat).expect("ser");
        assert_eq!(json, "\"*.example.com:443\"");
        let back: HostPattern = serde_json::from_str(&json).expect("de");
        assert_eq!(back, pat);
        assert!(serde_json::from_str::<HostPattern>("\"https://x\"").is_err());
        assert!(serde_json::from_str::<HostPattern>("\"a*.b\"").is_err());
        assert!(serde_json::from_str::<HostPattern>("42").is_err());
    }

    fn pattern_strategy() -> impl Strategy<Value = String> {
        let name = "[a-zA-Z][a-zA-Z0-9\\-]{0,8}(\\.[a-zA-Z][a-zA-Z0-9\\-]{0,8}){0,3}";
        let host = prop_oneof![
            Just("*".to_string()),
            name.prop_map(|n| format!("*.{n}")),
            name.prop_map(|n| n.to_string()),
            any::<u32>().prop_map(|n| n.to_string()),
            any::<[u16; 8]>().prop_map(|s| format!("[{}]", std::net::Ipv6Addr::from(s))),
        ];
        (host, proptest::option::of(1u16..)).prop_map(|(h, port)| match port {
            Some(port) => format!("{h}:{port}"),
            None => h,
        })
    }

    /// Patterns over a tiny alphabet so that coverage and intersection
    /// actually meet random hosts (also the universe of the policy soundness property).
    pub(crate) fn small_pattern() -> impl Strategy<Value = String> {
        let name = "[a-c](\\.[a-c]){0,2}";
        let host = prop_oneof![
            Just("*".to_string()),
            name.prop_map(|n| format!("*.{n}")),
            name.prop_map(|n| n.to_string()),
        ];
        (host, proptest::option::of(1u16..4)).prop_map(|(h, port)| match port {
            Some(port) => format!("{h}:{port}"),
            None => h,
        })
    }

    proptest! {
        #[test]
        fn display_parse_roundtrip(s in pattern_strategy()) {
            // The generator can spell an invalid punycode label (`xn--`).
            let parsed = HostPattern::parse(&s);
            prop_assume!(parsed.is_ok());
            let Ok(pat) = parsed else { return Ok(()) };
            let shown = pat.to_string();
            prop_assert_eq!(HostPattern::parse(&shown), Ok(pat.clone()));
            prop_assert_eq!(HostPattern::parse(&shown).map(|x| x.to_string()), Ok(shown));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            if let Ok(pat) = HostPattern::parse(&s) {
                prop_assert_eq!(HostPattern::parse(&pat.to_string()), Ok(pat));
            }
        }

        #[test]
        fn covers_agrees_with_matching(
            a in small_pattern(), b in small_pattern(),
            host in "[a-c](\\.[a-c]){0,3}", port in 1u16..4,
        ) {
            let a = HostPattern::parse(&a).expect("valid");
            let b = HostPattern::parse(&b).expect("valid");
            if a.covers(&b) && b.matches(&host, port) {
                prop_assert!(a.matches(&host, port));
            }
            let both = a.matches(&host, port) && b.matches(&host, port);
            let inter = a.intersect(&b).is_some_and(|i| i.matches(&host, port));
            prop_assert_eq!(both, inter);
        }
    }
}

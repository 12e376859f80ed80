//! Host normalisation: the single canonical spelling of a host name or IP
//! literal, shared by policy patterns and by destinations found in argv.
//!
//! Two spellings of one destination must compare equal after
//! normalisation, otherwise a `deny` rule could be walked around by writing
//! the host differently (`EVIL.com.`, `0x7f.1`, `[0:0::1]`, `bücher.de`).
//! Whatever cannot be canonicalised with confidence is refused rather than
//! guessed at, because a refused host only costs the user a retry while a
//! mis-normalised one can leak a secret.
//!
//! Rules, in order:
//! - empty input, whitespace, control characters and `%` (percent-encoding:
//!   URL parsers disagree about decoding it in hosts) are refused;
//! - `[v6]` or a bare IPv6 address → `std::net::Ipv6Addr` display form
//!   (zone ids are refused); an IPv4-mapped address `::ffff:a.b.c.d` becomes
//!   the IPv4 dotted quad it connects to;
//! - one trailing dot is removed (`example.com.` is the same name);
//! - IDN → punycode through UTS-46 (`idna` crate), which also lower-cases and
//!   maps width variants and unicode full stops; forbidden ASCII code points
//!   are refused, only `a-z 0-9 - _ .` survive;
//! - if the last label is a number (decimal, `0x` hex, or `0`-prefixed
//!   octal) the host is an IPv4 address in one of the forms curl, browsers
//!   and `inet_aton` accept (`3405803785`, `0xCB.0x00.0x71.9`,
//!   `0313.0.0161.011`, `127.1`, `127.0.1`, mixed) and becomes a dotted
//!   quad; if it does not parse as one it is refused (WHATWG does the same,
//!   and no real TLD is numeric);
//! - empty labels, labels over 63 octets and names over 253 octets are
//!   refused.

use std::net::{Ipv4Addr, Ipv6Addr};

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use thiserror::Error;

/// Longest input looked at; anything longer cannot become a valid host
/// (253 octets, and IDN input is at most a few times longer) and is refused
/// before any real work so hostile input stays cheap.
const MAX_INPUT: usize = 1024;

/// Every printable ASCII character a DNS name must not contain, except `_`,
/// which real hosts (`_dmarc`, container names) do use. Letters, digits,
/// `-` and `.` cannot be listed (and must not be). Evaluated at compile
/// time, so the constructor's asserts cannot fire at run time.
const DENY: AsciiDenyList = AsciiDenyList::new(true, "!\"#$%&'()*+,/:;<=>?@[\\]^`{|}~");

/// Why a host could not be normalised. One line each.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NormalizeError {
    #[error("empty host")]
    Empty,
    #[error("host is longer than 253 characters")]
    TooLong,
    #[error("host contains an empty label")]
    EmptyLabel,
    #[error("host label `{0}` is longer than 63 characters")]
    LabelTooLong(String),
    #[error("host contains percent-encoding, which parsers decode differently")]
    PercentEncoded,
    #[error("host contains whitespace or a control character")]
    Control,
    #[error("host contains the character `{0}`, which is not allowed in a host name")]
    InvalidChar(char),
    #[error("`{0}` is not a valid IPv6 address")]
    InvalidIpv6(String),
    #[error("`{0}` ends in a number but is not a valid IPv4 address")]
    InvalidIpv4(String),
    #[error("`{0}` is not a valid internationalised domain name")]
    Idna(String),
}

/// Normalise one host (no port, no brackets needed for IPv6) to its
/// canonical form. Idempotent: `host(&host(x)?) == host(x)`.
pub fn host(input: &str) -> Result<String, NormalizeError> {
    if input.is_empty() {
        return Err(NormalizeError::Empty);
    }
    if input.len() > MAX_INPUT {
        return Err(NormalizeError::TooLong);
    }
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(NormalizeError::Control);
    }
    if input.contains('%') {
        return Err(NormalizeError::PercentEncoded);
    }

    // IPv6, bracketed or bare. A bare name never contains ':'.
    if let Some(rest) = input.strip_prefix('[') {
        let inner = rest
            .strip_suffix(']')
            .ok_or_else(|| NormalizeError::InvalidIpv6(input.to_string()))?;
        return ipv6(inner);
    }
    if input.contains(':') {
        return ipv6(input);
    }
    if input.contains(']') {
        return Err(NormalizeError::InvalidChar(']'));
    }

    // One trailing dot names the same host (DNS root); two is an empty label.
    let trimmed = input.strip_suffix('.').unwrap_or(input);
    if trimmed.is_empty() {
        return Err(NormalizeError::EmptyLabel);
    }
    if trimmed.split('.').any(str::is_empty) {
        return Err(NormalizeError::EmptyLabel);
    }

    let ascii = to_ascii(trimmed)?;
    // IDN mapping can itself produce a trailing or doubled dot
    // (`example.com。`), so the label checks run again on its output.
    let ascii = ascii.strip_suffix('.').unwrap_or(&ascii).to_string();
    if ascii.is_empty() || ascii.split('.').any(str::is_empty) {
        return Err(NormalizeError::EmptyLabel);
    }
    if let Some(c) = ascii
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')))
    {
        return Err(NormalizeError::InvalidChar(c));
    }

    let last = ascii.rsplit('.').next().unwrap_or("");
    if is_numeric_label(last) {
        return match parse_ipv4(&ascii) {
            Some(v4) => Ok(v4.to_string()),
            None => Err(NormalizeError::InvalidIpv4(input.to_string())),
        };
    }

    if ascii.len() > 253 {
        return Err(NormalizeError::TooLong);
    }
    if let Some(label) = ascii.split('.').find(|l| l.len() > 63) {
        return Err(NormalizeError::LabelTooLong(label.to_string()));
    }
    Ok(ascii)
}

/// True when `s` (already normalised) is an IP literal rather than a name.
pub fn is_ip_literal(s: &str) -> bool {
    s.parse::<Ipv4Addr>().is_ok() || s.parse::<Ipv6Addr>().is_ok()
}

/// Print a normalised host for humans and for `host:port` use: IPv6 gets
/// its brackets back so a following `:port` stays unambiguous.
pub fn display_host(normalised: &str) -> String {
    if normalised.contains(':') {
        format!("[{normalised}]")
    } else {
        normalised.to_string()
    }
}

/// Print a normalised host with an optional port, `host`, `host:443`,
/// `[::1]:8080`.
pub fn display_host_port(normalised: &str, port: Option<u16>) -> String {
    match port {
        Some(p) => format!("{}:{p}", display_host(normalised)),
        None => display_host(normalised),
    }
}

fn ipv6(inner: &str) -> Result<String, NormalizeError> {
    let addr: Ipv6Addr = inner
        .parse()
        .map_err(|_| NormalizeError::InvalidIpv6(inner.to_string()))?;
    // `::ffff:a.b.c.d` is the IPv4 host a dual-stack socket connects to; one
    // spelling per destination keeps `deny 10.0.0.1` meaningful.
    if let Some(v4) = addr.to_ipv4_mapped() {
        return Ok(v4.to_string());
    }
    Ok(addr.to_string())
}

fn to_ascii(name: &str) -> Result<String, NormalizeError> {
    if name.is_ascii() {
        // Fast path with precise errors for the common case; UTS-46 on pure
        // ASCII is only lower-casing plus the deny list plus punycode
        // validation, so `xn--` labels still go through idna below.
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(NormalizeError::InvalidChar(c));
        }
        let lower = name.to_ascii_lowercase();
        if !lower.split('.').any(|l| l.starts_with("xn--")) {
            return Ok(lower);
        }
    }
    Uts46::new()
        .to_ascii(name.as_bytes(), DENY, Hyphens::Allow, DnsLength::Ignore)
        .map(|cow| cow.into_owned())
        .map_err(|_| NormalizeError::Idna(name.to_string()))
}

/// A label that makes the whole host an IPv4 address candidate (WHATWG
/// "ends in a number"): all decimal digits, or `0x` followed by hex digits.
fn is_numeric_label(label: &str) -> bool {
    if label.is_empty() {
        return false;
    }
    if label.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    match label.strip_prefix("0x") {
        Some(hex) => hex.bytes().all(|b| b.is_ascii_hexdigit()),
        None => false,
    }
}

/// One inet_aton part: `0x..` hex (bare `0x` is 0, as in WHATWG), `0..`
/// octal, decimal otherwise. `None` on a bad digit or a value beyond u32.
fn parse_part(part: &str) -> Option<u64> {
    let (digits, radix) = if let Some(hex) = part.strip_prefix("0x") {
        (hex, 16)
    } else if let Some(oct) = part.strip_prefix('0').filter(|o| !o.is_empty()) {
        (oct, 8)
    } else {
        (part, 10)
    };
    if digits.is_empty() {
        return if radix == 16 { Some(0) } else { None };
    }
    // Leading zeros cannot overflow; strip them so the length cap below
    // only counts significant digits.
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Some(0);
    }
    if significant.len() > 12 {
        return None;
    }
    let value = u64::from_str_radix(significant, radix).ok()?;
    (value <= u64::from(u32::MAX)).then_some(value)
}

/// inet_aton: 1 to 4 parts, the last filling all remaining octets.
fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut values = Vec::with_capacity(parts.len());
    for p in &parts {
        values.push(parse_part(p)?);
    }
    let (last, head) = values.split_last()?;
    if head.iter().any(|&v| v > 255) {
        return None;
    }
    let remaining_octets = 4 - head.len() as u32;
    let limit = 1u64 << (8 * remaining_octets);
    if *last >= limit {
        return None;
    }
    let mut n: u64 = 0;
    for (i, v) in head.iter().enumerate() {
        n |= v << (8 * (3 - i as u32));
    }
    n |= last;
    u32::try_from(n).ok().map(Ipv4Addr::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(input: &str, want: &str) {
        assert_eq!(host(input).as_deref(), Ok(want), "input {input:?}");
    }

    fn err(input: &str) {
        assert!(
            host(input).is_err(),
            "{input:?} should be refused, got {:?}",
            host(input)
        );
    }

    #[test]
    fn names() {
        ok("api.github.com", "api.github.com");
        ok("API.GitHub.COM", "api.github.com");
        ok("api.github.com.", "api.github.com");
        ok("localhost", "localhost");
        ok("_dmarc.example.com", "_dmarc.example.com");
        ok("r3---sn-abc.googlevideo.com", "r3---sn-abc.googlevideo.com");
        ok("123.example.com", "123.example.com");
        ok("0x1g.com", "0x1g.com");
    }

    #[test]
    fn idn() {
        ok("bücher.de", "xn--bcher-kva.de");
        ok("BÜCHER.de", "xn--bcher-kva.de");
        ok("xn--bcher-kva.de", "xn--bcher-kva.de");
        ok("例え.テスト", "xn--r8jz45g.xn--zckzah");
        // Unicode full stops are dots under UTS-46.
        ok("example。com", "example.com");
        ok("example．com", "example.com");
        // Fullwidth letters map to ASCII.
        ok("ｅｘａｍｐｌｅ.com", "example.com");
        // Fullwidth digits become an IPv4 address after mapping.
        ok("１２７.０.０.１", "127.0.0.1");
        err("xn--zz.com");
        err("a\u{2028}b.com");
        err("exa\u{200b}mple.com".repeat(100).as_str());
        // Forbidden code points after mapping (fullwidth solidus → '/').
        err("evil.com／x");
    }

    #[test]
    fn ipv4_forms() {
        for form in [
            "203.0.113.9",
            "3405803785",
            "0xCB007109",
            "0xcb.0x00.0x71.9",
            "0xCB.0x00.0x71.9",
            "0313.0.0161.011",
            "203.0.0x7109",
            "203.28937",
            "0313.0x0.28937",
            "203.0.113.9.",
            "0000313.0.113.9",
        ] {
            ok(form, "203.0.113.9");
        }
        ok("127.1", "127.0.0.1");
        ok("127.0.1", "127.0.0.1");
        ok("0", "0.0.0.0");
        ok("0x", "0.0.0.0");
        ok("0x7f.1", "127.0.0.1");
        ok("4294967295", "255.255.255.255");
        err("4294967296");
        err("256.0.0.1");
        err("1.2.3.256");
        err("1.2.65536");
        err("1.2.3.4.5");
        err("09.0.0.1");
        err("0x1g.0.0.1.2");
        err("example.123");
        err("1.2.3.0x100");
        err("99999999999999999999999");
    }

    #[test]
    fn ipv6_forms() {
        ok("[::1]", "::1");
        ok("::1", "::1");
        ok("[0:0:0:0:0:0:0:1]", "::1");
        ok("[2001:DB8::0:1]", "2001:db8::1");
        ok("[::ffff:127.0.0.1]", "127.0.0.1");
        ok("[::ffff:7f00:1]", "127.0.0.1");
        err("[::1");
        err("::1]");
        err("[fe80::1%eth0]");
        err("[fe80::1%25eth0]");
        err("[::g]");
        err("1:2");
    }

    #[test]
    fn refusals() {
        err("");
        err(".");
        err("..");
        err("example.com..");
        err(".example.com");
        err("a..b");
        err("ex%61mple.com");
        err("exa mple.com");
        err("example.com\n");
        err("evil.com/path");
        err("user@evil.com");
        err("evil.com\\x");
        err("*.evil.com");
        err(&format!("{}.com", "a".repeat(64)));
        ok(
            &format!("{}.com", "a".repeat(63)),
            &format!("{}.com", "a".repeat(63)),
        );
        let long = vec!["a".repeat(63); 4].join(".");
        assert_eq!(long.len(), 255);
        err(&long);
        err(&"a".repeat(5000));
        assert!(matches!(
            host("ex%41.com"),
            Err(NormalizeError::PercentEncoded)
        ));
    }

    #[test]
    fn display() {
        assert_eq!(display_host_port("::1", Some(8080)), "[::1]:8080");
        assert_eq!(display_host_port("a.com", Some(443)), "a.com:443");
        assert_eq!(display_host_port("a.com", None), "a.com");
        assert!(is_ip_literal("::1"));
        assert!(is_ip_literal("1.2.3.4"));
        assert!(!is_ip_literal("a.com"));
    }

    /// Every spelling of one u32 that inet_aton accepts.
    fn ipv4_spellings(n: u32, style: u8) -> Vec<String> {
        let b = n.to_be_bytes();
        let fmt = |v: u32, s: u8| match s % 3 {
            0 => v.to_string(),
            1 => format!("0x{v:x}"),
            _ => format!("0{v:o}"),
        };
        let lo16 = n & 0xffff;
        let lo24 = n & 0x00ff_ffff;
        vec![
            fmt(n, style),
            format!("{}.{}", fmt(u32::from(b[0]), style), fmt(lo24, style / 3)),
            format!(
                "{}.{}.{}",
                fmt(u32::from(b[0]), style / 3),
                fmt(u32::from(b[1]), style),
                fmt(lo16, style / 9)
            ),
            format!(
                "{}.{}.{}.{}",
                fmt(u32::from(b[0]), style),
                fmt(u32::from(b[1]), style / 3),
                fmt(u32::from(b[2]), style / 9),
                fmt(u32::from(b[3]), style / 27)
            ),
            format!("{}.{}.{}.{}.", b[0], b[1], b[2], b[3]).to_uppercase(),
            format!("0X{n:X}"),
        ]
    }

    proptest! {
        #[test]
        fn ipv4_every_form_agrees(n in any::<u32>(), style in 0u8..81) {
            let want = Ipv4Addr::from(n).to_string();
            for s in ipv4_spellings(n, style) {
                prop_assert_eq!(host(&s), Ok(want.clone()), "spelling {}", s);
            }
        }

        #[test]
        fn idempotent(s in "\\PC{0,40}") {
            if let Ok(h) = host(&s) {
                prop_assert_eq!(host(&h), Ok(h.clone()));
            }
        }

        #[test]
        fn idempotent_hostlike(s in "[a-zA-Z0-9.\\-_:\\[\\]äöüß。]{1,30}") {
            if let Ok(h) = host(&s) {
                prop_assert_eq!(host(&h), Ok(h.clone()));
            }
        }

        #[test]
        fn case_and_trailing_dot_insensitive(s in "[a-z][a-z0-9\\-]{0,10}(\\.[a-z][a-z0-9\\-]{0,10}){0,3}") {
            // Errors carry the input spelling, so compare outcomes only.
            let base = host(&s).ok();
            prop_assert_eq!(host(&s.to_uppercase()).ok(), base.clone());
            prop_assert_eq!(host(&format!("{s}.")).ok(), base.clone());
            prop_assert_eq!(host(&format!("{}.", s.to_uppercase())).ok(), base);
        }

        #[test]
        fn ipv6_display_roundtrip(seg in any::<[u16; 8]>()) {
            let addr = Ipv6Addr::from(seg);
            let h = host(&format!("[{addr}]")).expect("valid v6");
            prop_assert_eq!(host(&h), Ok(h.clone()));
            let full = seg.iter().map(|s| format!("{s:X}")).collect::<Vec<_>>().join(":");
            prop_assert_eq!(host(&full), Ok(h));
        }
    }
}

//! Stand-ins for `vault run --net broker`: what the child holds instead of a secret's value.
//!
//! A stand-in is drawn at random for each run (from the OS CSPRNG), has the value's length
//! and, position by position, its character class (a digit stays a digit, a lower-case
//! letter stays lower-case, an upper-case letter upper-case; a value that looks hexadecimal
//! stays hexadecimal; every other byte is kept), and keeps a recognised token prefix
//! (`ghp_`, `sk-ant-`, `AKIA`, …) so that a client which checks a token's shape accepts it.
//! It is never equal to the value, never contains or is contained in any value of the run,
//! and never overlaps another stand-in. Same length matters: substituting the value for the
//! stand-in in a request keeps `Content-Length` and base64 lengths right.
//!
//! Pure apart from the random source, which is a parameter in [`stand_in_with`].

use rand::Rng;
use rand::rngs::OsRng;
use rand::{CryptoRng, RngCore};
use thiserror::Error;

/// Token prefixes kept verbatim, longest first (so `sk-ant-` wins over `sk-`).
pub const PREFIXES: &[&str] = &[
    "github_pat_",
    "sk-ant-api03-",
    "sk-ant-",
    "sk-proj-",
    "sk-svcacct-",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "pk_live_",
    "pk_test_",
    "dop_v1_",
    "shpat_",
    "shpss_",
    "glpat-",
    "gldt-",
    "glptt-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxs-",
    "xapp-",
    "pypi-",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "npm_",
    "AKIA",
    "ASIA",
    "AIza",
    "ya29.",
    "sk-",
    "hf_",
    "SG.",
];

/// The fewest bits of randomness a stand-in must carry. Below this a stand-in would match
/// unrelated bytes in traffic (and the value itself would be found in unrelated responses),
/// so such a secret cannot be brokered; it must be injected for real.
pub const MIN_BITS: f64 = 48.0;

/// Why a value cannot have a stand-in.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StandInError {
    /// Too few letters and digits outside the kept prefix to make a stand-in that cannot be
    /// confused with other traffic.
    #[error("{name} is too short to broker ({bits} bits of randomness; {min} needed)")]
    TooShort { name: String, bits: u32, min: u32 },
    /// No distinct stand-in was found (values overlapping each other).
    #[error("no distinct stand-in could be made for {name}")]
    NoDistinct { name: String },
}

/// The prefix of `value` kept verbatim, if any.
#[must_use]
pub fn prefix_of(value: &[u8]) -> &'static str {
    PREFIXES
        .iter()
        .find(|p| value.starts_with(p.as_bytes()))
        .copied()
        .unwrap_or("")
}

/// How each position of a value is redrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Keep,
    Digit,
    Lower,
    Upper,
    HexLower,
    HexUpper,
}

impl Class {
    fn alphabet(self) -> &'static [u8] {
        match self {
            Class::Keep => b"",
            Class::Digit => b"0123456789",
            Class::Lower => b"abcdefghijklmnopqrstuvwxyz",
            Class::Upper => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            Class::HexLower => b"0123456789abcdef",
            Class::HexUpper => b"0123456789ABCDEF",
        }
    }
}

/// The class of every position after the prefix. A value of at least 16 characters made
/// only of hex digits (one letter case) is redrawn as hex, digits and letters alike, so a
/// client that parses it as hex still can.
fn classes(rest: &[u8]) -> Vec<Class> {
    let hex_lower = rest.len() >= 16
        && rest
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
    let hex_upper = rest.len() >= 16
        && rest
            .iter()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b));
    rest.iter()
        .map(|b| {
            if hex_lower && !hex_upper {
                Class::HexLower
            } else if hex_upper && !hex_lower {
                Class::HexUpper
            } else if b.is_ascii_digit() {
                Class::Digit
            } else if b.is_ascii_lowercase() {
                Class::Lower
            } else if b.is_ascii_uppercase() {
                Class::Upper
            } else {
                Class::Keep
            }
        })
        .collect()
}

/// Bits of randomness a stand-in for `value` carries.
#[must_use]
pub fn bits(value: &[u8]) -> f64 {
    let rest = &value[prefix_of(value).len()..];
    classes(rest)
        .iter()
        .map(|c| match c.alphabet().len() {
            0 => 0.0,
            n => (n as f64).log2(),
        })
        .sum()
}

/// One stand-in for `value`, from `rng`; `None` when the value has too little room for one
/// (see [`MIN_BITS`]).
pub fn stand_in_with<R: RngCore + CryptoRng>(value: &[u8], rng: &mut R) -> Option<Vec<u8>> {
    if bits(value) < MIN_BITS {
        return None;
    }
    let prefix = prefix_of(value).len();
    let mut out = value[..prefix].to_vec();
    for (b, class) in value[prefix..].iter().zip(classes(&value[prefix..])) {
        let alphabet = class.alphabet();
        if alphabet.is_empty() {
            out.push(*b);
        } else {
            out.push(alphabet[rng.gen_range(0..alphabet.len())]);
        }
    }
    Some(out)
}

fn overlaps(a: &[u8], b: &[u8]) -> bool {
    let contains = |h: &[u8], n: &[u8]| !n.is_empty() && h.windows(n.len()).any(|w| w == n);
    contains(a, b) || contains(b, a)
}

/// Stand-ins for a run's brokered secrets, `(name, value)` in, one stand-in per secret out,
/// in the same order.
///
/// # Errors
/// The first secret whose value is too short to broker, or (vanishingly unlikely with
/// [`MIN_BITS`] of randomness) for which no stand-in distinct from every value and every
/// other stand-in was drawn in a few tries.
pub fn stand_ins(secrets: &[(&str, &[u8])]) -> Result<Vec<Vec<u8>>, StandInError> {
    stand_ins_with(secrets, &mut OsRng)
}

/// [`stand_ins`] with a given random source (tests).
///
/// # Errors
/// As [`stand_ins`].
pub fn stand_ins_with<R: RngCore + CryptoRng>(
    secrets: &[(&str, &[u8])],
    rng: &mut R,
) -> Result<Vec<Vec<u8>>, StandInError> {
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(secrets.len());
    for (name, value) in secrets {
        let mut found = None;
        for _ in 0..16 {
            let Some(s) = stand_in_with(value, rng) else {
                return Err(StandInError::TooShort {
                    name: (*name).to_string(),
                    bits: bits(value) as u32,
                    min: MIN_BITS as u32,
                });
            };
            let clash =
                secrets.iter().any(|(_, v)| overlaps(&s, v)) || out.iter().any(|o| overlaps(&s, o));
            if !clash {
                found = Some(s);
                break;
            }
        }
        out.push(found.ok_or_else(|| StandInError::NoDistinct {
            name: (*name).to_string(),
        })?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn class_of(b: u8) -> u8 {
        if b.is_ascii_digit() {
            b'9'
        } else if b.is_ascii_lowercase() {
            b'a'
        } else if b.is_ascii_uppercase() {
            b'A'
        } else {
            b
        }
    }

    #[test]
    fn keeps_prefix_length_and_classes() {
        for v in [
            "ghp_1234567890abcdefghijABCDEFGHIJ123456",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF",
            "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_",
            "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
            "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
            "AKIAIOSFODNN7EXAMPLE",
            "glpat-xxxxxxxxxxxxxxxxxxxx",
        ] {
            let s = stand_ins(&[("X", v.as_bytes())]).expect("stand-in");
            let s = &s[0];
            let p = prefix_of(v.as_bytes());
            assert!(!p.is_empty(), "{v} has a known prefix");
            assert!(s.starts_with(p.as_bytes()), "prefix kept");
            assert_eq!(s.len(), v.len());
            assert_ne!(s.as_slice(), v.as_bytes());
            for (a, b) in s.iter().zip(v.as_bytes()) {
                assert_eq!(class_of(*a), class_of(*b));
            }
        }
        assert_eq!(prefix_of(b"sk-ant-api03-x"), "sk-ant-api03-");
        assert_eq!(prefix_of(b"sk-x"), "sk-");
        assert_eq!(prefix_of(b"plain"), "");
    }

    #[test]
    fn hex_stays_hex() {
        let v = b"0123456789abcdef0123456789abcdef";
        let s = &stand_ins(&[("H", v)]).expect("hex")[0];
        assert!(
            s.iter()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        let v = b"0123456789ABCDEF0123456789ABCDEF";
        let s = &stand_ins(&[("H", v)]).expect("hex")[0];
        assert!(
            s.iter()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase())
        );
    }

    #[test]
    fn short_values_are_refused() {
        let e = stand_ins(&[("PIN", b"1234")]).expect_err("short");
        assert_eq!(
            e.to_string(),
            "PIN is too short to broker (13 bits of randomness; 48 needed)"
        );
        // A prefix and punctuation carry no randomness.
        assert!(stand_ins(&[("K", b"sk-----------------------")]).is_err());
        assert!(stand_ins(&[("E", b"")]).is_err());
    }

    #[test]
    fn fresh_per_call_and_distinct_across_secrets() {
        let v: &[u8] = b"ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let a = stand_ins(&[("A", v), ("B", v)]).expect("ok");
        assert_ne!(a[0], a[1]);
        let b = stand_ins(&[("A", v)]).expect("ok");
        assert_ne!(a[0], b[0]);
    }

    proptest! {
        #[test]
        fn never_the_value_nor_inside_one(v in "[ -~]{0,60}", w in "[a-zA-Z0-9]{12,40}") {
            let secrets: Vec<(&str, &[u8])> = vec![("V", v.as_bytes()), ("W", w.as_bytes())];
            match stand_ins(&secrets) {
                Ok(s) => {
                    for (x, (_, val)) in s.iter().zip(&secrets) {
                        prop_assert_eq!(x.len(), val.len());
                        for (_, other) in &secrets {
                            prop_assert!(!overlaps(x, other));
                        }
                    }
                    prop_assert!(!overlaps(&s[0], &s[1]));
                }
                Err(StandInError::TooShort { .. }) => {
                    prop_assert!(bits(v.as_bytes()) < MIN_BITS || bits(w.as_bytes()) < MIN_BITS);
                }
                // Only when one value contains the other.
                Err(StandInError::NoDistinct { .. }) => prop_assert!(overlaps(v.as_bytes(), w.as_bytes())),
            }
        }
    }
}

//! The TOTP factor (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps, what every authenticator
//! app speaks), built on `totp-rs`; pure: no I/O, the time is passed in.
//!
//! Replay is refused here: a code is accepted only for a time-step later than the last one
//! accepted, within one step of now (clock skew).

use totp_rs::{Algorithm, Builder, Totp};

use crate::error::{Error, Result};
use crate::exit::Exit;

/// Seconds per step.
pub const STEP: u64 = 30;

/// Bytes of a new seed (160 bits, RFC 4226's recommendation).
pub const SEED_LEN: usize = 20;

/// The TOTP for `seed`, labelled `account` in the user's app.
///
/// # Errors
/// A seed the RFC refuses (too short) — only a damaged store has one.
pub fn totp(seed: &[u8], account: &str) -> Result<Totp> {
    let account: String = account
        .chars()
        .map(|c| if c == ':' || c.is_control() { '_' } else { c })
        .collect();
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(0)
        .with_step_duration(STEP)
        .with_secret(seed.to_vec())
        .with_issuer(Some("vault"))
        .with_account_name(account)
        .build()
        .map_err(|e| Error::new(Exit::IoErr, format!("the approval factor is damaged: {e}")))
}

/// The `otpauth://` URI an authenticator app imports.
///
/// # Errors
/// When the URI cannot be built (a label totp-rs refuses).
pub fn uri(totp: &Totp) -> Result<String> {
    totp.to_url()
        .map_err(|e| Error::new(Exit::Failure, format!("cannot build the otpauth URI: {e}")))
}

/// The time-step `code` is valid for: later than `last`, within one step of `now`.
#[must_use]
pub fn accepted_step(totp: &Totp, code: &str, now: u64, last: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now / STEP;
    (current.saturating_sub(1)..=current + 1)
        .filter(|s| *s > last)
        .find(|s| totp.check(code, s * STEP).is_some())
}

/// `text` as a QR code drawn with Unicode half blocks (two rows per line), light on dark
/// inverted so phone cameras read it on dark and light terminals alike.
///
/// # Errors
/// When `text` is too long for a QR code.
pub fn qr(text: &str) -> Result<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| Error::new(Exit::Failure, format!("cannot draw the QR code: {e}")))?;
    Ok(code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::{STEP, accepted_step, qr, totp, uri};

    /// RFC 6238 appendix B, SHA-1 seed "12345678901234567890": T = 59 s → 94287082 (8
    /// digits); the 6-digit code is its last six digits.
    #[test]
    fn rfc_6238_vector_and_replay() {
        let t = totp(b"12345678901234567890", "test").unwrap();
        assert_eq!(accepted_step(&t, "287082", 59, 0), Some(1));
        // The same step again (replay), and a step before it, are refused.
        assert_eq!(accepted_step(&t, "287082", 59, 1), None);
        // Skew: the code of step 1 is still accepted at step 2, not at step 3.
        assert_eq!(accepted_step(&t, "287082", 2 * STEP + 1, 0), Some(1));
        assert_eq!(accepted_step(&t, "287082", 3 * STEP + 1, 0), None);
        for bad in ["", "28708", "2870822", "abcdef", "287 082"] {
            assert_eq!(accepted_step(&t, bad, 59, 0), None, "{bad:?}");
        }
    }

    #[test]
    fn uri_and_qr() {
        let t = totp(b"12345678901234567890", "me:/x\x1b").unwrap();
        let u = uri(&t).unwrap();
        assert!(u.starts_with("otpauth://totp/vault:"), "{u}");
        assert!(u.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), "{u}");
        assert!(!u.contains('\x1b'));
        let q = qr(&u).unwrap();
        assert!(q.lines().count() > 10);
    }
}

//! Recipients — the public keys a store is encrypted to — and the SSH keys that can stand in
//! for age identities.
//!
//! Three kinds are accepted, each kept in the store in one canonical text form so that
//! comparing, de-duplicating and merging recipient lists is plain string equality:
//! - age X25519: `age1…` (as printed by `vault keygen`, age-keygen, rage-keygen);
//! - `ssh-ed25519 AAAA…` and `ssh-rsa AAAA…` (an `authorized_keys` / `.pub` line; its
//!   comment is dropped).
//!
//! SSH support comes from age's `ssh` feature, which pulls in the `rsa` crate and with it
//! RUSTSEC-2023-0071 (Marvin: a timing side channel in RSA *decryption*). Encrypting to an
//! `ssh-rsa` recipient is not affected. Decrypting with an `ssh-rsa` identity is: it is
//! allowed, because exploiting the leak takes a very large number of precisely timed
//! decryptions of attacker-chosen ciphertexts, and vault decrypts the store once per command
//! the user runs — it is not an oracle anyone else can query. Ed25519 and age keys are
//! recommended; see README, "Teams".
//!
//! Nothing here ever quotes key text in an error: a private key pasted where a public key
//! was expected must not end up in a terminal log.

use std::str::FromStr;

use age::secrecy::SecretString;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::exit::Exit;

/// An identity that can open the store (an age X25519 or SSH private key).
pub type Identity = Box<dyn age::Identity + Send + Sync>;

/// What a recipient is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An age X25519 public key.
    X25519,
    /// An SSH Ed25519 public key.
    SshEd25519,
    /// An SSH RSA public key.
    SshRsa,
}

impl Kind {
    /// Short label for listings.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::X25519 => "age",
            Kind::SshEd25519 => "ssh-ed25519",
            Kind::SshRsa => "ssh-rsa",
        }
    }
}

/// The kind of a canonical recipient string (`None` for anything else).
#[must_use]
pub fn kind(text: &str) -> Option<Kind> {
    if text.starts_with("age1") {
        Some(Kind::X25519)
    } else if text.starts_with("ssh-ed25519 ") {
        Some(Kind::SshEd25519)
    } else if text.starts_with("ssh-rsa ") {
        Some(Kind::SshRsa)
    } else {
        None
    }
}

/// A parsed recipient, ready to encrypt to.
pub type Parsed = Box<dyn age::Recipient + Send>;

fn looks_private(text: &str) -> bool {
    let upper = text.trim_start().to_ascii_uppercase();
    upper.starts_with("AGE-SECRET-KEY-") || upper.contains("PRIVATE KEY")
}

fn not_a_recipient() -> Error {
    Error::new(
        Exit::DataErr,
        "not a recipient: expected an age public key (age1…) or an SSH public key (ssh-ed25519 AAAA… or ssh-rsa AAAA…)",
    )
    .hint("an SSH public key is the one line of ~/.ssh/id_ed25519.pub; an age one is printed by `vault keygen`")
}

/// Parses a recipient and returns it with its canonical text (SSH comment dropped).
pub fn parse_canonical(text: &str) -> Result<(Parsed, String)> {
    if looks_private(text) {
        return Err(Error::new(
            Exit::DataErr,
            "that is a private key (an identity), not a public key; it was not stored or shown",
        )
        .hint("pass the public key (age1… or the .pub line); never share the private one"));
    }
    let trimmed = text.trim();
    if trimmed.starts_with("age1") || trimmed.starts_with("AGE1") {
        let r = age::x25519::Recipient::from_str(trimmed).map_err(|_| not_a_recipient())?;
        let canonical = r.to_string();
        return Ok((Box::new(r), canonical));
    }
    let mut fields = trimmed.split_ascii_whitespace();
    let (Some(key_type), Some(body)) = (fields.next(), fields.next()) else {
        return Err(not_a_recipient());
    };
    if key_type != "ssh-ed25519" && key_type != "ssh-rsa" {
        if key_type.starts_with("ssh-")
            || key_type.starts_with("ecdsa-")
            || key_type.starts_with("sk-")
        {
            return Err(Error::new(
                Exit::DataErr,
                format!(
                    "unsupported SSH key type {key_type}: vault supports ssh-ed25519 and ssh-rsa"
                ),
            ));
        }
        return Err(not_a_recipient());
    }
    let r = age::ssh::Recipient::from_str(&format!("{key_type} {body}")).map_err(|e| match e {
        age::ssh::ParseRecipientKeyError::RsaModulusTooSmall => Error::new(
            Exit::DataErr,
            "refusing an ssh-rsa key shorter than 2048 bits",
        ),
        age::ssh::ParseRecipientKeyError::RsaModulusTooLarge => Error::new(
            Exit::DataErr,
            "refusing an ssh-rsa key longer than 4096 bits",
        ),
        _ => not_a_recipient(),
    })?;
    let canonical = r.to_string();
    Ok((Box::new(r), canonical))
}

/// Parses a recipient (any accepted kind).
pub fn parse(text: &str) -> Result<Parsed> {
    parse_canonical(text).map(|(r, _)| r)
}

/// The canonical text of a recipient.
pub fn canonical(text: &str) -> Result<String> {
    parse_canonical(text).map(|(_, c)| c)
}

/// True when `text` is an OpenSSH or PEM private key rather than age identity lines.
#[must_use]
pub fn is_ssh_private_key(text: &str) -> bool {
    text.trim_start().starts_with("-----BEGIN ")
}

fn parse_ssh(text: &str, source: &str) -> Result<age::ssh::Identity> {
    let id = age::ssh::Identity::from_buffer(text.as_bytes(), Some(source.to_string()))
        .map_err(|_| {
            Error::new(
                Exit::Locked,
                format!("{source} is not a usable SSH private key"),
            )
            .hint("vault reads unencrypted or passphrase-protected ssh-ed25519 and ssh-rsa keys in OpenSSH format")
        })?;
    if let age::ssh::Identity::Unsupported(_) = id {
        return Err(Error::new(
            Exit::Locked,
            format!("{source} is an SSH key of a type vault cannot use"),
        )
        .hint("use an ssh-ed25519 (or ssh-rsa) key, or an age identity from `vault keygen`"));
    }
    Ok(id)
}

/// True when `text` is a passphrase-protected SSH private key (using it would prompt).
#[must_use]
pub fn needs_passphrase(text: &str) -> bool {
    is_ssh_private_key(text)
        && matches!(
            age::ssh::Identity::from_buffer(text.as_bytes(), None),
            Ok(age::ssh::Identity::Encrypted(_))
        )
}

/// An SSH private key as an identity. A passphrase-protected key is decrypted here, with
/// the passphrase read from /dev/tty; with no terminal it is refused.
pub fn ssh_identity(text: &str, source: &str) -> Result<Identity> {
    match parse_ssh(text, source)? {
        age::ssh::Identity::Encrypted(key) => {
            if !crate::tty::have_tty() {
                return Err(Error::new(
                    Exit::Locked,
                    format!("locked: {source} is passphrase-protected and there is no terminal to ask on"),
                )
                .hint("in CI use an age identity (`vault keygen`) in VAULT_IDENTITY, or an unencrypted deploy key"));
            }
            let pass: Zeroizing<String> =
                crate::tty::prompt_hidden(&format!("passphrase for {source}: "))?;
            let plain = key
                .decrypt(SecretString::from(pass.as_str().to_string()))
                .map_err(|_| Error::new(Exit::Locked, format!("wrong passphrase for {source}")))?;
            Ok(Box::new(age::ssh::Identity::from(plain)))
        }
        id => Ok(Box::new(id)),
    }
}

/// The canonical recipients (public keys) of identity text: age identity lines or one SSH
/// private key. Never needs a passphrase.
pub fn of_identity_text(text: &str, source: &str) -> Result<Vec<String>> {
    if is_ssh_private_key(text) {
        let id = parse_ssh(text, source)?;
        let r = age::ssh::Recipient::try_from(id).map_err(|_| {
            Error::new(
                Exit::Locked,
                format!("{source} is an SSH key of a type vault cannot use"),
            )
        })?;
        return Ok(vec![r.to_string()]);
    }
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let id: age::x25519::Identity = line.parse().map_err(|_| {
            Error::new(
                Exit::Locked,
                format!("{source} does not hold an age X25519 identity"),
            )
        })?;
        out.push(id.to_public().to_string());
    }
    if out.is_empty() {
        return Err(Error::new(
            Exit::Locked,
            format!("{source} does not hold an age identity"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{Kind, canonical, kind, of_identity_text};
    use age::secrecy::ExposeSecret;

    const ED25519_PUB: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkyZ3UKpYYzVaWLc45RxAZDqZDY9i/FuSh7u5yoYT+Y alice@laptop";

    #[test]
    fn canonical_forms() {
        let id = age::x25519::Identity::generate();
        let r = id.to_public().to_string();
        assert_eq!(canonical(&format!("  {r}\n")).unwrap(), r);
        assert_eq!(kind(&r), Some(Kind::X25519));
        let ssh = canonical(ED25519_PUB).unwrap();
        assert!(!ssh.contains("alice"), "{ssh}");
        assert_eq!(kind(&ssh), Some(Kind::SshEd25519));
        assert_eq!(canonical(&ssh).unwrap(), ssh);
    }

    #[test]
    fn refuses_without_quoting() {
        let id = age::x25519::Identity::generate();
        let secret = id.to_string().expose_secret().to_string();
        let e = canonical(&secret).unwrap_err();
        assert!(e.message.contains("private key"), "{}", e.message);
        assert!(!e.message.contains(&secret[15..30]));
        for bad in ["", "age1nope", "ssh-ed25519", "ssh-dss AAAA", "hello world"] {
            let e = canonical(bad).unwrap_err();
            assert_eq!(e.exit, crate::exit::Exit::DataErr, "{bad}");
        }
    }

    #[test]
    fn identity_text_to_recipients() {
        let a = age::x25519::Identity::generate();
        let text = format!("# c\n{}\n", a.to_string().expose_secret());
        let ra = of_identity_text(&text, "t").unwrap();
        assert_eq!(ra, vec![a.to_public().to_string()]);
    }
}

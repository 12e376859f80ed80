//! age encryption of the store payload: the only place that encrypts or decrypts the store.
//!
//! The store is one binary age file encrypted to every recipient in it. Decryption failures
//! are split into "this identity is not a recipient" (locked, exit 75) and "the file is
//! damaged" (exit 74), because the fixes differ.

use std::io::{Read, Write};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::exit::Exit;

pub use crate::recipient::Identity;

/// Parses a recipient string: an age X25519 public key (`age1…`) or an SSH public key
/// (`ssh-ed25519`, `ssh-rsa`); see `recipient.rs`.
pub fn parse_recipient(text: &str) -> Result<crate::recipient::Parsed> {
    crate::recipient::parse(text)
}

/// Encrypts `plain` to every recipient.
pub fn encrypt(plain: &[u8], recipients: &[String]) -> Result<Vec<u8>> {
    let parsed = recipients
        .iter()
        .map(|r| parse_recipient(r))
        .collect::<Result<Vec<_>>>()?;
    let encryptor =
        age::Encryptor::with_recipients(parsed.iter().map(|r| r.as_ref() as &dyn age::Recipient))
            .map_err(|e| Error::new(Exit::Failure, format!("cannot encrypt the store: {e}")))?;
    let mut out = Vec::with_capacity(plain.len() + 512);
    let fail =
        |e: std::io::Error| Error::new(Exit::Failure, format!("cannot encrypt the store: {e}"));
    let mut writer = encryptor.wrap_output(&mut out).map_err(fail)?;
    writer.write_all(plain).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

/// Decrypts the store with the given identities.
pub fn decrypt(ciphertext: &[u8], identities: &[Identity]) -> Result<Zeroizing<Vec<u8>>> {
    let damaged = |why: &str| {
        Error::new(
            Exit::IoErr,
            format!("the store is damaged and cannot be decrypted: {why}"),
        )
        .hint("restore store.age from a backup; vault will not overwrite a damaged store")
    };
    let decryptor = age::Decryptor::new(ciphertext).map_err(|e| match e {
        age::DecryptError::UnknownFormat => damaged("not an age file"),
        _ => damaged("invalid age header"),
    })?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => Error::new(
                Exit::Locked,
                "the identity does not open this store (it is not one of the store's recipients)",
            )
            .hint(
                "check VAULT_IDENTITY / VAULT_IDENTITY_FILE, or which store VAULT_HOME points at",
            ),
            age::DecryptError::InvalidMac => damaged("header authentication failed"),
            _ => damaged("the header does not decrypt"),
        })?;
    let mut plain = Zeroizing::new(Vec::with_capacity(ciphertext.len()));
    reader
        .read_to_end(&mut plain)
        .map_err(|_| damaged("the payload is truncated or corrupted"))?;
    Ok(plain)
}

/// True when `identities` can decrypt a file encrypted to `recipients` (checked by
/// encrypting a few bytes and decrypting them), so a change of recipients can never lock
/// out the person making it.
pub fn opens(recipients: &[String], identities: &[Identity]) -> Result<bool> {
    if recipients.is_empty() {
        return Ok(false);
    }
    let probe = encrypt(b"vault recipients probe", recipients)?;
    Ok(decrypt(&probe, identities).is_ok())
}

#[cfg(test)]
mod tests {
    use super::{Identity, opens};

    #[test]
    fn probe() {
        let a = age::x25519::Identity::generate();
        let b = age::x25519::Identity::generate();
        let ra = vec![a.to_public().to_string()];
        let ids: Vec<Identity> = vec![Box::new(a)];
        assert!(opens(&ra, &ids).unwrap());
        assert!(!opens(&[b.to_public().to_string()], &ids).unwrap());
        assert!(!opens(&[], &ids).unwrap());
    }
}

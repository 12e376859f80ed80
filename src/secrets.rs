//! What the store holds once decrypted: secrets by name, their metadata and policy, and
//! the recipients the store is encrypted to.
//!
//! Serialised as JSON inside the age file, with names in sorted order (stable diffs and
//! merges). Values are base64 in the JSON so any byte string round-trips; the plaintext
//! buffers are zeroizing, and values decode straight into [`SecretValue`]s.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::egress::Policy;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secret::{SecretName, SecretValue};

/// Marks a vault store payload.
const FORMAT: &str = "vault-store";
/// The payload version this build writes and reads.
const VERSION: u32 = 1;

/// The decrypted store.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contents {
    format: String,
    version: u32,
    /// age recipients (public keys) the store is encrypted to.
    pub recipients: Vec<String>,
    /// Secrets by name.
    #[serde(deserialize_with = "sorted_map")]
    pub secrets: BTreeMap<String, Entry>,
    /// The audit log's head at this store's last write (see `audit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<crate::audit::Head>,
    /// A random id, fixed when the store is created (or first written by a vault that
    /// knows ids): what rollback memory and project-store trust are keyed by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Bumped on every write; a store older than one this machine has seen is refused.
    /// Stores written before generations existed load as 0.
    #[serde(default)]
    pub generation: u64,
    /// The approval factor (TOTP seed), inside the encryption (see `approval`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Factor>,
}

/// An enrolled approval factor: an RFC 6238 TOTP seed (SHA-1, 6 digits, 30 s).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// Random id: replay and lock-out memory is keyed by it.
    pub id: String,
    /// `totp`.
    pub kind: String,
    /// The seed (base64 in the JSON; never printed: `Debug` shows `[REDACTED]`).
    pub seed: SecretValue,
    /// Unix seconds when enrolled.
    pub enrolled: u64,
}

/// One secret.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The value (base64 in the serialised JSON).
    pub value: SecretValue,
    /// Unix seconds when first stored.
    pub created: u64,
    /// Unix seconds when last replaced or its policy changed.
    pub updated: u64,
    /// Free text shown by `vault list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the value may be sent.
    #[serde(default)]
    pub policy: Policy,
}

impl Entry {
    /// A new secret stored at `time`.
    #[must_use]
    pub fn new(
        value: SecretValue,
        time: u64,
        description: Option<String>,
        policy: Policy,
    ) -> Entry {
        Entry {
            value,
            created: time,
            updated: time,
            description,
            policy,
        }
    }
}

impl Contents {
    /// An empty store for the given recipients.
    #[must_use]
    pub fn new(recipients: Vec<String>) -> Contents {
        Contents {
            format: FORMAT.to_string(),
            version: VERSION,
            recipients,
            secrets: BTreeMap::new(),
            audit: None,
            id: None,
            generation: 0,
            approval: None,
        }
    }

    /// Before a write: give the store an id if it has none, and a generation above both its
    /// own and the highest this machine has seen for it.
    pub fn next_generation(&mut self, seen: u64) -> Result<()> {
        if self.id.is_none() {
            self.id = Some(crate::state::random_id()?);
        }
        self.generation = self.generation.max(seen) + 1;
        Ok(())
    }

    /// Parses decrypted bytes. The message never quotes the input.
    pub fn from_bytes(plain: &[u8]) -> Result<Contents> {
        let contents: Contents = serde_json::from_slice(plain).map_err(|e| {
            Error::new(
                Exit::IoErr,
                format!(
                    "the store decrypted but its contents are damaged ({} at line {} column {})",
                    classify(&e),
                    e.line(),
                    e.column()
                ),
            )
        })?;
        if contents.format != FORMAT || contents.version != VERSION {
            return Err(Error::new(
                Exit::IoErr,
                format!(
                    "the store is format {:?} version {}; this vault reads {FORMAT} version {VERSION}",
                    contents.format, contents.version
                ),
            )
            .hint("upgrade vault"));
        }
        // Syntax only: a name reserved since it was stored is refused at injection.
        if !contents
            .secrets
            .keys()
            .all(|name| SecretName::is_stored_syntax(name))
        {
            return Err(Error::new(
                Exit::IoErr,
                "the store holds an invalid secret name; it is damaged",
            ));
        }
        Ok(contents)
    }

    /// Serialises into a zeroizing buffer, sized up front so no reallocation leaves a copy
    /// of the plaintext behind in freed memory.
    pub fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>> {
        let estimate = 256
            + self
                .secrets
                .iter()
                .map(|(k, e)| {
                    k.len()
                        + e.value.len() * 4 / 3
                        + e.description.as_ref().map_or(0, String::len) * 6
                        + 512
                })
                .sum::<usize>()
            + self.recipients.iter().map(|r| r.len() + 4).sum::<usize>();
        let mut out = Zeroizing::new(Vec::with_capacity(estimate * 2));
        serde_json::to_writer(&mut *out, self).map_err(|e| {
            Error::new(
                Exit::Failure,
                format!("cannot serialise the store: {}", classify(&e)),
            )
        })?;
        Ok(out)
    }

    /// A name for an error message: as given, unless it is (or is part of) a stored value —
    /// someone typed a value where a name belongs — in which case it is not shown.
    #[must_use]
    pub fn shown(&self, name: &SecretName) -> String {
        let bytes = name.as_str().as_bytes();
        let is_value = self.secrets.values().any(|e| {
            let v = e.value.expose();
            v == bytes
                || (bytes.len() >= crate::secret::MIN_VALUE_LEN
                    && v.windows(bytes.len()).any(|w| w == bytes))
        });
        if is_value {
            "(a name that matches a stored value; not shown)".to_string()
        } else {
            name.to_string()
        }
    }

    /// Looks a secret up by name.
    #[must_use]
    pub fn get(&self, name: &SecretName) -> Option<&Entry> {
        self.secrets.get(name.as_str())
    }
}

/// The secrets map, built in one pass: the store writes names in sorted order, so
/// collecting them first and building the tree from the (already sorted) list costs no
/// per-name search. A repeated name keeps its last entry, as inserting one by one would.
fn sorted_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<BTreeMap<String, Entry>, D::Error> {
    struct Pairs;
    impl<'de> Visitor<'de> for Pairs {
        type Value = BTreeMap<String, Entry>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map of secrets by name")
        }
        fn visit_map<M: de::MapAccess<'de>>(
            self,
            mut map: M,
        ) -> std::result::Result<Self::Value, M::Error> {
            let mut pairs: Vec<(String, Entry)> =
                Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
            while let Some(pair) = map.next_entry()? {
                pairs.push(pair);
            }
            Ok(pairs.into_iter().collect())
        }
    }
    deserializer.deserialize_map(Pairs)
}

/// serde_json's error category, without its message (which may quote input).
fn classify(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Eof => "truncated",
    }
}

impl Serialize for SecretValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut buf = Zeroizing::new(vec![0u8; self.len().div_ceil(3) * 4 + 4]);
        let n = STANDARD
            .encode_slice(self.expose(), &mut buf[..])
            .map_err(serde::ser::Error::custom)?;
        let text = std::str::from_utf8(&buf[..n]).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(text)
    }
}

impl<'de> Deserialize<'de> for SecretValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct B64;
        impl Visitor<'_> for B64 {
            type Value = SecretValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64 string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<SecretValue, E> {
                let mut buf = Zeroizing::new(vec![0u8; v.len() / 4 * 3 + 3]);
                let n = STANDARD
                    .decode_slice(v.as_bytes(), &mut buf[..])
                    .map_err(|_| E::custom("a value is not valid base64"))?;
                buf.truncate(n);
                Ok(SecretValue::new(buf))
            }
        }
        deserializer.deserialize_str(B64)
    }
}

/// Seconds since the Unix epoch.
#[must_use]
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// RFC 3339 (UTC, seconds) for a Unix time.
#[must_use]
pub fn rfc3339(secs: u64) -> String {
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::{Contents, Entry};
    use crate::secret::SecretValue;
    use zeroize::Zeroizing;

    #[test]
    fn round_trip_any_bytes() {
        let mut c = Contents::new(vec!["age1x".into()]);
        for (i, v) in [&b"\xff\xfe binary \x01"[..], b"plain-text-value", b"a"]
            .iter()
            .enumerate()
        {
            c.secrets.insert(
                format!("S{i}"),
                Entry {
                    value: SecretValue::new(Zeroizing::new(v.to_vec())),
                    created: 1,
                    updated: 2,
                    description: Some("d".into()),
                    policy: Default::default(),
                },
            );
        }
        let bytes = c.to_bytes().unwrap();
        let back = Contents::from_bytes(&bytes).unwrap();
        assert_eq!(back.secrets.len(), 3);
        assert_eq!(back.secrets["S0"].value.expose(), b"\xff\xfe binary \x01");
        assert!(!format!("{back:?}").contains("plain-text-value"));
    }

    #[test]
    fn damaged_is_refused_without_quoting() {
        let e = Contents::from_bytes(b"{\"format\":\"vault-store\",\"secret-ish\"").unwrap_err();
        assert!(!e.message.contains("secret-ish"), "{}", e.message);
    }

    #[test]
    fn names_in_any_order_load_sorted_and_a_repeated_name_keeps_its_last_entry() {
        let entry = |v: &str| format!(r#"{{"value":"{v}","created":1,"updated":1}}"#);
        let json = format!(
            r#"{{"format":"vault-store","version":1,"recipients":[],"secrets":{{"B":{},"A":{},"B":{}}}}}"#,
            entry("MQ=="),
            entry("Mg=="),
            entry("Mw==")
        );
        let c = Contents::from_bytes(json.as_bytes()).unwrap();
        let names: Vec<&str> = c.secrets.keys().map(String::as_str).collect();
        assert_eq!(names, ["A", "B"]);
        assert_eq!(c.secrets["B"].value.expose(), b"3");
    }
}

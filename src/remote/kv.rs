//! The KV v2 wire format: what vault reads from and writes to `MOUNT/data/…` and
//! `MOUNT/metadata/…`. One secret is one entry whose data is `{"value": "…"}`; its
//! description and egress policy are custom metadata (`vault-description`, `vault-policy`).
//! Values are decoded into zeroizing buffers.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use zeroize::Zeroizing;

use super::client::{Client, Reply};
use crate::egress::Policy;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secret::SecretValue;

/// The key under which an entry holds its value.
pub const VALUE_KEY: &str = "value";
/// Custom metadata key of the description.
pub const META_DESCRIPTION: &str = "vault-description";
/// Custom metadata key of the egress policy (JSON).
pub const META_POLICY: &str = "vault-policy";
/// The entry `vault init` writes beside the secrets (not a valid secret name).
pub const MARKER: &str = ".vault-store";

/// One field of an entry's data.
enum Field {
    Text(Zeroizing<Vec<u8>>),
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Field, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Field, E> {
                Ok(Field::Text(Zeroizing::new(v.as_bytes().to_vec())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Field, E> {
                let v = Zeroizing::new(v);
                Ok(Field::Text(Zeroizing::new(v.as_bytes().to_vec())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Field, E> {
                Ok(Field::Other)
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut m: A,
            ) -> std::result::Result<Field, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Field::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> std::result::Result<Field, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Field::Other)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct ReadReply {
    data: ReadData,
}

#[derive(Deserialize)]
struct ReadData {
    data: Option<BTreeMap<String, Field>>,
    metadata: VersionMeta,
}

#[derive(Deserialize)]
struct VersionMeta {
    version: u64,
    #[serde(default)]
    created_time: String,
    #[serde(default)]
    custom_metadata: Option<BTreeMap<String, String>>,
}

/// What one entry holds, as far as vault understands it.
pub enum Read {
    /// A vault secret.
    Secret(Box<Remote>),
    /// An entry vault does not use, and why (shown by `list`).
    Unusable(String),
    /// Gone (deleted since the listing).
    Missing,
}

/// A secret read from the server.
pub struct Remote {
    /// The value.
    pub value: SecretValue,
    /// The current version (for check-and-set).
    pub version: u64,
    /// Unix seconds of the current version.
    pub updated: u64,
    /// The description.
    pub description: Option<String>,
    /// The egress policy.
    pub policy: Policy,
}

/// Reads the entry `name` (a listed key).
pub fn read(client: &Client, name: &str) -> Result<Read> {
    let address = client.url().api("data", name);
    let what = format!("reading {}", client.url().kv_path(name));
    let body = match client.call("GET", &address, None, &what)? {
        Reply::Ok(b) => b,
        Reply::NotFound | Reply::CasMismatch => return Ok(Read::Missing),
    };
    let reply: ReadReply = serde_json::from_slice(&body).map_err(|_| {
        Error::new(
            Exit::Failure,
            format!("the OpenBao server's reply for {name} is not a KV v2 entry"),
        )
        .hint("is the mount a KV version 2 secrets engine?")
    })?;
    let ReadData { data, metadata } = reply.data;
    let Some(mut data) = data else {
        return Ok(Read::Unusable(
            "its latest version is deleted; not used".into(),
        ));
    };
    let keys: Vec<String> = data.keys().cloned().collect();
    if keys.len() != 1 || keys[0] != VALUE_KEY {
        return Ok(Read::Unusable(format!(
            "it holds the keys {}; vault uses an entry holding exactly one key, `value`; not used",
            keys.join(", ")
        )));
    }
    let Some(Field::Text(bytes)) = data.remove(VALUE_KEY) else {
        return Ok(Read::Unusable(
            "its `value` is not a string; not used".into(),
        ));
    };
    let custom = metadata.custom_metadata.unwrap_or_default();
    let policy = match custom.get(META_POLICY) {
        None => Policy::default(),
        Some(text) => serde_json::from_str(text).map_err(|_| {
            Error::new(
                Exit::Config,
                format!("the egress policy of {name} on the server cannot be parsed"),
            )
            .hint(format!(
                "fix or remove the custom metadata key {META_POLICY} of {}",
                client.url().kv_path(name)
            ))
        })?,
    };
    let updated = humantime::parse_rfc3339_weak(metadata.created_time.trim_end_matches('Z'))
        .ok()
        .or_else(|| humantime::parse_rfc3339(&metadata.created_time).ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    Ok(Read::Secret(Box::new(Remote {
        value: SecretValue::new(bytes),
        version: metadata.version,
        updated,
        description: custom.get(META_DESCRIPTION).cloned(),
        policy,
    })))
}

/// The keys at the store's path (`None` when the path holds nothing).
pub fn list(client: &Client) -> Result<Option<Vec<String>>> {
    let address = format!("{}?list=true", client.url().api("metadata", ""));
    let what = format!("listing {}", client.url().kv_path(""));
    match client.call("GET", &address, None, what.trim_end_matches('/'))? {
        Reply::Ok(body) => {
            #[derive(Deserialize)]
            struct L {
                data: K,
            }
            #[derive(Deserialize)]
            struct K {
                #[serde(default)]
                keys: Vec<String>,
            }
            let l: L = serde_json::from_slice(&body).map_err(|_| {
                Error::new(
                    Exit::Failure,
                    "the OpenBao server's listing is not a KV v2 listing",
                )
            })?;
            Ok(Some(l.data.keys))
        }
        Reply::NotFound | Reply::CasMismatch => Ok(None),
    }
}

/// The outcome of a check-and-set write.
pub enum Written {
    /// Written; the new version.
    Version(u64),
    /// The entry's version was not `cas`: another writer got there first.
    Conflict,
}

/// Writes `{"value": value}` to `name` with check-and-set `cas` (0: only if it does not exist).
pub fn write(client: &Client, name: &str, value: &[u8], cas: u64) -> Result<Written> {
    let text = std::str::from_utf8(value).map_err(|_| {
        Error::new(
            Exit::DataErr,
            format!("the value of {name} is not UTF-8 text; a KV v2 entry holds JSON strings"),
        )
    })?;
    let mut body = Zeroizing::new(Vec::with_capacity(value.len() * 2 + 64));
    serde_json::to_writer(
        &mut *body,
        &serde_json::json!({ "options": { "cas": cas }, "data": { VALUE_KEY: text } }),
    )
    .map_err(|e| Error::new(Exit::Failure, format!("cannot encode {name}: {e}")))?;
    post(client, name, &body)
}

/// Writes arbitrary (non-secret) JSON data to `name` with check-and-set `cas`.
pub fn write_plain(
    client: &Client,
    name: &str,
    data: &serde_json::Value,
    cas: u64,
) -> Result<Written> {
    let body = serde_json::to_vec(&serde_json::json!({ "options": { "cas": cas }, "data": data }))
        .map_err(|e| Error::new(Exit::Failure, format!("cannot encode {name}: {e}")))?;
    post(client, name, &body)
}

fn post(client: &Client, name: &str, body: &[u8]) -> Result<Written> {
    let address = client.url().api("data", name);
    let what = format!("writing {}", client.url().kv_path(name));
    match client.call("POST", &address, Some(body), &what)? {
        Reply::CasMismatch => Ok(Written::Conflict),
        Reply::NotFound => Err(Error::new(
            Exit::Failure,
            format!("the OpenBao server has no KV v2 mount for {what}"),
        )),
        Reply::Ok(reply) => {
            let v: serde_json::Value = serde_json::from_slice(&reply).unwrap_or_default();
            Ok(Written::Version(
                v.pointer("/data/version")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0),
            ))
        }
    }
}

/// Sets the entry's custom metadata (description and policy) — the whole map.
pub fn write_meta(
    client: &Client,
    name: &str,
    description: Option<&str>,
    policy: &Policy,
) -> Result<()> {
    let mut custom = serde_json::Map::new();
    if let Some(d) = description {
        custom.insert(META_DESCRIPTION.into(), d.into());
    }
    if !policy.is_empty() {
        let text = serde_json::to_string(policy)
            .map_err(|e| Error::new(Exit::Failure, format!("cannot encode a policy: {e}")))?;
        if text.len() > 512 {
            return Err(Error::new(
                Exit::DataErr,
                format!(
                    "the policy of {name} is {} bytes as JSON; KV v2 custom metadata holds at most 512",
                    text.len()
                ),
            ));
        }
        custom.insert(META_POLICY.into(), text.into());
    }
    let body = serde_json::to_vec(&serde_json::json!({ "custom_metadata": custom }))
        .map_err(|e| Error::new(Exit::Failure, format!("cannot encode metadata: {e}")))?;
    let address = client.url().api("metadata", name);
    let what = format!("writing the metadata of {}", client.url().kv_path(name));
    match client.call("POST", &address, Some(&body), &what)? {
        Reply::Ok(_) => Ok(()),
        Reply::NotFound | Reply::CasMismatch => Err(Error::new(
            Exit::Failure,
            format!("the OpenBao server refused {what}"),
        )),
    }
}

/// Deletes the entry: its metadata and every version.
pub fn delete(client: &Client, name: &str) -> Result<()> {
    let address = client.url().api("metadata", name);
    let what = format!("deleting {}", client.url().kv_path(name));
    match client.call("DELETE", &address, None, &what)? {
        Reply::Ok(_) | Reply::NotFound => Ok(()),
        Reply::CasMismatch => Err(Error::new(
            Exit::Failure,
            format!("the server refused {what}"),
        )),
    }
}

/// Checks that the store's mount is a KV version 2 secrets engine.
pub fn check_mount(client: &Client) -> Result<()> {
    let url = client.url();
    let address = format!("{}/v1/sys/internal/ui/mounts/{}", url.base(), url.mount);
    let what = format!("looking up the mount {}", url.mount);
    let not_kv2 = |found: &str| {
        Error::new(
            Exit::Config,
            format!("{} is not a KV version 2 mount ({found})", url.mount),
        )
        .hint(format!(
            "`bao secrets enable -path={} kv-v2` creates one",
            url.mount
        ))
    };
    match client.call("GET", &address, None, &what)? {
        Reply::Ok(body) => {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let kind = v
                .pointer("/data/type")
                .and_then(|t| t.as_str())
                .unwrap_or("");
            let version = v
                .pointer("/data/options/version")
                .and_then(|t| t.as_str())
                .unwrap_or("1");
            if kind != "kv" && kind != "generic" {
                return Err(not_kv2(&format!("type {kind:?}")));
            }
            if version != "2" {
                return Err(not_kv2("KV version 1"));
            }
            Ok(())
        }
        Reply::NotFound | Reply::CasMismatch => Err(not_kv2("no such mount")),
    }
}

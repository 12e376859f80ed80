//! Target: `vault::secrets::Contents::from_bytes` (the decrypted store payload).
//!
//! Properties:
//! 1. no panic on any bytes;
//! 2. whatever parses serialises to bytes that parse again to the same bytes;
//! 3. a generated valid payload parses, with every value byte-exact, and its `Debug`
//!    shows no value;
//! 4. a generated payload with one defect (bad base64, unknown field, wrong type, bad
//!    name, bad pattern, other format or version, truncation) is refused, and the message
//!    shows no value (raw, base64 or hex).

use arbitrary::Unstructured;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use vault::secrets::Contents;

use crate::common::{below, bytes_from, coin, contains, hex, pick};

/// The target.
pub fn store(data: &[u8]) {
    raw(data);
    structured(&mut Unstructured::new(data));
}

fn raw(data: &[u8]) {
    if let Ok(c) = Contents::from_bytes(data) {
        round_trip(&c);
    }
}

fn round_trip(c: &Contents) {
    let once = c.to_bytes().expect("a parsed store serialises");
    let again = Contents::from_bytes(&once).expect("vault's own payload parses");
    let twice = again.to_bytes().expect("serialises again");
    assert_eq!(&once[..], &twice[..], "serialisation is not stable");
}

const GOOD_PATTERNS: &[&str] = &[
    "api.github.com",
    "*.example.com",
    "*",
    "*:443",
    "127.0.0.1",
    "[::1]:8080",
    "bücher.de",
];
const BAD_PATTERNS: &[&str] = &["https://x", "a/b", "*b.com", "", "x:0", "[::1", "u@h"];
const BAD_NAMES: &[&str] = &["", "1A", "A-B", "PATH", "LD_PRELOAD", "VAULT_X", "a b", "é"];

fn structured(u: &mut Unstructured<'_>) {
    let mut values: Vec<Vec<u8>> = Vec::new();
    let mut secrets = serde_json::Map::new();
    for i in 0..below(u, 4) {
        let name = format!("S_{i}_{}", below(u, 100));
        let n = 12 + below(u, 20);
        let mut value = b"cnry".to_vec();
        value.extend(bytes_from(u, b"abcdefXYZ0123456789\x00\xff\n\"\\", n));
        let mut entry = json!({
            "value": STANDARD.encode(&value),
            "created": u.arbitrary::<u32>().unwrap_or(0),
            "updated": u.arbitrary::<u32>().unwrap_or(0),
        });
        if coin(u) {
            entry["description"] = json!(pick(u, &["d", "two words", "é\"\\", ""]));
        }
        if coin(u) {
            let mut policy = serde_json::Map::new();
            for list in ["allow", "confirm", "deny"] {
                if coin(u) {
                    let items: Vec<&str> = (0..1 + below(u, 3))
                        .map(|_| pick(u, GOOD_PATTERNS))
                        .collect();
                    policy.insert(list.into(), json!(items));
                }
            }
            entry["policy"] = Value::Object(policy);
        }
        secrets.insert(name, entry);
        values.push(value);
    }
    let mut payload = json!({
        "format": "vault-store",
        "version": 1,
        "recipients": ["age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"],
        "secrets": Value::Object(secrets),
    });
    if coin(u) {
        payload["audit"] = json!({ "seq": u.arbitrary::<u32>().unwrap_or(0), "hash": "00" });
    }

    let good = serde_json::to_vec(&payload).expect("JSON");
    let parsed = Contents::from_bytes(&good).unwrap_or_else(|e| {
        panic!("a valid payload is refused: {}", e.message);
    });
    for (name, entry) in payload["secrets"].as_object().expect("object") {
        let want = STANDARD
            .decode(entry["value"].as_str().expect("str"))
            .expect("b64");
        let got = parsed
            .secrets
            .get(name)
            .expect("secret kept")
            .value
            .expose();
        assert_eq!(got, &want[..], "value of {name} changed");
    }
    let shown = format!("{parsed:?}");
    for v in &values {
        assert!(!contains(shown.as_bytes(), v), "Debug shows a value");
        assert!(
            !shown.contains(&STANDARD.encode(v)),
            "Debug shows a value (base64)"
        );
    }
    round_trip(&parsed);

    // One defect.
    let names: Vec<String> = payload["secrets"]
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect();
    let mut bad = payload.clone();
    let target = names.get(below(u, names.len().max(1))).cloned();
    let mut truncate = None;
    match (below(u, 9), target) {
        (0, Some(n)) => bad["secrets"][&n]["value"] = json!("!!not base64!!"),
        (1, Some(n)) => bad["secrets"][&n]["extra"] = json!(1),
        (2, Some(n)) => bad["secrets"][&n]["created"] = json!("yesterday"),
        (3, Some(n)) => {
            let entry = bad["secrets"][&n].take();
            let obj = bad["secrets"].as_object_mut().expect("object");
            obj.remove(&n);
            obj.insert((pick(u, BAD_NAMES)).to_string(), entry);
        }
        (4, Some(n)) => bad["secrets"][&n]["policy"] = json!({ "deny": [pick(u, BAD_PATTERNS)] }),
        (5, Some(n)) => bad["secrets"][&n]["policy"] = json!({ "denny": ["*"] }),
        (6, _) => bad["format"] = json!("other-store"),
        (7, _) => bad["version"] = json!(2),
        _ => truncate = Some(below(u, good.len())),
    }
    let bytes = match truncate {
        Some(n) => good[..n].to_vec(),
        None => serde_json::to_vec(&bad).expect("JSON"),
    };
    match Contents::from_bytes(&bytes) {
        Ok(_) => panic!(
            "a defective payload was accepted: {}",
            String::from_utf8_lossy(&bytes)
        ),
        Err(e) => {
            for v in &values {
                for form in [
                    v.clone(),
                    STANDARD.encode(v).into_bytes(),
                    hex(v).into_bytes(),
                ] {
                    assert!(
                        !contains(e.message.as_bytes(), &form),
                        "the error shows a value: {}",
                        e.message
                    );
                }
            }
            assert!(!e.message.contains('\n'), "multi-line error: {}", e.message);
        }
    }
}

//! Target: the streaming redactor `vault::redact::{Patterns, Redactor}`.
//!
//! Secrets (0–4, short alphabets so they overlap and nest) are planted in random text —
//! raw, and with encodings on also as base64 and hex — and the text is fed in random
//! chunks.
//!
//! Properties:
//! 1. no panic;
//! 2. the output (and the counts) do not depend on the chunking, nor on the redactor
//!    having been used for an earlier stream;
//! 3. with encodings off, the output equals a simple whole-buffer reference: every
//!    occurrence of every form (the value; with a newline, its CRLF form and its lines of
//!    8+ bytes), overlapping occurrences merged, each region named by the secrets with an
//!    occurrence not contained in a longer one, in order of first start; counts one per
//!    named secret per region;
//! 4. no planted value, nor (for values of 8+ bytes, with encodings on) its base64 or hex,
//!    survives outside a marker;
//! 5. with no pattern the output is the input, byte for byte;
//! 6. fewer bytes than the longest pattern are ever held back.
//!
//! The redactor matches what a terminal shows: escape sequences in the input are set aside
//! (unless a value holds an ESC byte). Properties 3 and 4 compare raw bytes, so they are
//! checked only for inputs without an ESC byte, or when skipping is off; 1, 2, 5 and 6
//! always.

use std::sync::Arc;

use arbitrary::Unstructured;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use vault::redact::{Patterns, Redactor};

use crate::common::{below, bytes_from, coin, contains, hex, pick};

const ALPHABETS: &[&[u8]] = &[
    b"ab",
    b"abc\n",
    b"a\r\n",
    b"xyz",
    b"AB+/=09",
    b"[]:REDACT,S0",
];

fn full_alphabet() -> Vec<u8> {
    (0u8..0xff).collect()
}

/// The target.
pub fn redact(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let full = full_alphabet();
    let alphabet: &[u8] = if below(&mut u, 5) == 0 {
        &full
    } else {
        pick(&mut u, ALPHABETS)
    };
    let encodings = coin(&mut u);
    let names = ["S0", "S1", "S2", "S3"];
    let mut secrets: Vec<(&str, Vec<u8>)> = Vec::new();
    for name in names.iter().take(below(&mut u, 5)) {
        let n = 1 + below(&mut u, 24);
        secrets.push((name, bytes_from(&mut u, alphabet, n)));
    }
    // The input: random text with planted values (and encodings).
    let mut input = Vec::new();
    for _ in 0..below(&mut u, 24) {
        match (below(&mut u, 4), secrets.is_empty()) {
            (0, false) => {
                let (_, v) = &secrets[below(&mut u, secrets.len())];
                input.extend_from_slice(v);
            }
            (1, false) if encodings => {
                let (_, v) = &secrets[below(&mut u, secrets.len())];
                if coin(&mut u) {
                    input.extend_from_slice(STANDARD.encode(v).as_bytes());
                } else {
                    input.extend_from_slice(hex(v).as_bytes());
                }
            }
            _ => {
                let n = below(&mut u, 12);
                input.extend(bytes_from(&mut u, alphabet, n));
            }
        }
    }
    // Chunk boundaries.
    let mut cuts: Vec<usize> = (0..below(&mut u, 8))
        .map(|_| below(&mut u, input.len() + 1))
        .collect();
    cuts.sort_unstable();

    let items: Vec<(&str, &[u8])> = secrets.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    let patterns = Arc::new(Patterns::new(items.iter().copied(), encodings));

    let (whole, whole_counts) = stream(&patterns, &[&input[..]]);
    let mut pieces: Vec<&[u8]> = Vec::new();
    let mut at = 0;
    for &c in &cuts {
        pieces.push(&input[at..c]);
        at = c;
    }
    pieces.push(&input[at..]);
    let (chunked, chunked_counts) = stream(&patterns, &pieces);
    assert!(
        whole == chunked && whole_counts == chunked_counts,
        "chunking changes the output: {:?} vs {:?}\ninput {:?} cuts {cuts:?} secrets {secrets:?} encodings {encodings}",
        String::from_utf8_lossy(&whole),
        String::from_utf8_lossy(&chunked),
        String::from_utf8_lossy(&input),
    );

    // Reuse: a second stream on the same redactor gives the same output.
    let mut r = Redactor::new(Arc::clone(&patterns));
    let mut first = Vec::new();
    r.feed(&input, &mut first);
    r.finish(&mut first);
    let mut second = Vec::new();
    for p in &pieces {
        r.feed(p, &mut second);
    }
    r.finish(&mut second);
    assert_eq!(first, second, "a reused redactor differs");

    if patterns.is_empty() {
        assert_eq!(whole, input, "no pattern, yet the output differs");
    }
    let raw_view = !input.contains(&0x1b) || secrets.iter().any(|(_, v)| v.contains(&0x1b));
    if !encodings && raw_view {
        let (reference, counts) = reference(&secrets, &input);
        assert!(
            whole == reference && whole_counts == counts,
            "differs from the reference:\n  got {:?} {whole_counts:?}\n want {:?} {counts:?}\ninput {:?} secrets {secrets:?}",
            String::from_utf8_lossy(&whole),
            String::from_utf8_lossy(&reference),
            String::from_utf8_lossy(&input),
        );
    }

    // Nothing planted survives outside a marker.
    let plain = without_markers(&whole);
    for (name, v) in &secrets {
        if v.is_empty() || v.contains(&0xff) || !raw_view {
            continue;
        }
        let mut forms = vec![v.clone()];
        if encodings && v.len() >= 8 {
            forms.push(STANDARD.encode(v).into_bytes());
            forms.push(hex(v).into_bytes());
            forms.push(hex(v).to_ascii_uppercase().into_bytes());
        }
        for f in forms {
            assert!(
                !contains(&plain, &f),
                "{name} survives ({:?}) in {:?}\ninput {:?} secrets {secrets:?} encodings {encodings}",
                String::from_utf8_lossy(&f),
                String::from_utf8_lossy(&whole),
                String::from_utf8_lossy(&input),
            );
        }
    }
}

/// Runs one stream through a fresh redactor; checks the hold-back bound after each feed.
fn stream(patterns: &Arc<Patterns>, pieces: &[&[u8]]) -> (Vec<u8>, Vec<u64>) {
    let mut r = Redactor::new(Arc::clone(patterns));
    let mut out = Vec::new();
    for p in pieces {
        r.feed(p, &mut out);
        if patterns.longest() > 0 {
            assert!(
                r.held() < patterns.longest(),
                "holds {} bytes, longest pattern {}",
                r.held(),
                patterns.longest()
            );
        } else {
            assert_eq!(r.held(), 0);
        }
    }
    r.finish(&mut out);
    (out, r.counts().to_vec())
}

/// Every marker `[REDACTED:…]` replaced by one 0xff byte (which no planted value holds).
fn without_markers(out: &[u8]) -> Vec<u8> {
    let mut plain = Vec::with_capacity(out.len());
    let mut i = 0;
    while i < out.len() {
        if out[i..].starts_with(b"[REDACTED:") {
            let rest = &out[i + 10..];
            if let Some(end) = rest.iter().position(|&b| b == b']')
                && rest[..end]
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b',')
            {
                plain.push(0xff);
                i += 10 + end + 1;
                continue;
            }
        }
        plain.push(out[i]);
        i += 1;
    }
    plain
}

/// The forms of one value without encodings: the value, and when it holds a newline its
/// CRLF form, its PTY form when it holds `\r\n`, and its lines (without a trailing CR) of 8+
/// bytes.
fn forms(v: &[u8]) -> Vec<Vec<u8>> {
    if v.is_empty() {
        return Vec::new();
    }
    let mut all = vec![v.to_vec()];
    if v.contains(&b'\n') {
        let mut crlf = Vec::new();
        for (i, &b) in v.iter().enumerate() {
            if b == b'\n' && (i == 0 || v[i - 1] != b'\r') {
                crlf.push(b'\r');
            }
            crlf.push(b);
        }
        all.push(crlf);
        // On a PTY every \n becomes \r\n, so a value's own \r\n prints as \r\r\n.
        if v.windows(2).any(|w| w == b"\r\n") {
            let mut pty = Vec::new();
            for &b in v {
                if b == b'\n' {
                    pty.push(b'\r');
                }
                pty.push(b);
            }
            all.push(pty);
        }
        for line in v.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() >= 8 {
                all.push(line.to_vec());
            }
        }
    }
    all
}

/// The whole-buffer reference redaction (encodings off).
fn reference(secrets: &[(&str, Vec<u8>)], input: &[u8]) -> (Vec<u8>, Vec<u64>) {
    // Patterns, deduplicated by bytes (the first secret to produce one owns it).
    let mut patterns: Vec<(Vec<u8>, usize)> = Vec::new();
    for (id, (_, v)) in secrets.iter().enumerate() {
        for f in forms(v) {
            if !patterns.iter().any(|(p, _)| *p == f) {
                patterns.push((f, id));
            }
        }
    }
    // Every occurrence (start, end, secret).
    let mut occ: Vec<(usize, usize, usize)> = Vec::new();
    for (p, id) in &patterns {
        if p.len() > input.len() {
            continue;
        }
        for s in 0..=input.len() - p.len() {
            if &input[s..s + p.len()] == p.as_slice() {
                occ.push((s, s + p.len(), *id));
            }
        }
    }
    occ.sort_unstable();
    let mut out = Vec::new();
    let mut counts = vec![0u64; secrets.len()];
    let mut pos = 0;
    let mut i = 0;
    while i < occ.len() {
        // One region: occurrences that overlap, transitively.
        let start = occ[i].0;
        let mut end = occ[i].1;
        let mut j = i + 1;
        while j < occ.len() && occ[j].0 < end {
            end = end.max(occ[j].1);
            j += 1;
        }
        let members = &occ[i..j];
        let mut named: Vec<usize> = Vec::new();
        let mut maximal: Vec<&(usize, usize, usize)> = members
            .iter()
            .filter(|o| !members.iter().any(|b| b != *o && b.0 <= o.0 && o.1 <= b.1))
            .collect();
        maximal.sort_unstable();
        for o in maximal {
            if !named.contains(&o.2) {
                named.push(o.2);
            }
        }
        out.extend_from_slice(&input[pos..start]);
        out.extend_from_slice(b"[REDACTED:");
        for (k, id) in named.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.extend_from_slice(secrets[*id].0.as_bytes());
            counts[*id] += 1;
        }
        out.push(b']');
        pos = end;
        i = j;
    }
    out.extend_from_slice(&input[pos..]);
    (out, counts)
}

//! Unit and property tests of the redactor (engine, stream and forms together).

use std::collections::HashSet;
use std::sync::Arc;

use proptest::prelude::*;

use super::engine::{BuildOptions, Hit, PatternSet, Patterns};
use super::forms::{B64_STD, Encoding, PatternSpec, pattern_list};
use super::stream::{MAX_PIECE, Redactor};

fn pats(secrets: &[(&str, &[u8])], encodings: bool) -> Arc<Patterns> {
    Arc::new(Patterns::new(secrets.iter().copied(), encodings))
}

/// Redact `input` fed in chunks of the given sizes (cycled); checks the hold-back bound
/// after every feed.
fn run_chunks(p: &Arc<Patterns>, input: &[u8], sizes: &[usize]) -> (Vec<u8>, Vec<u64>) {
    let mut r = Redactor::new(p.clone());
    let mut out = Vec::new();
    let mut rest = input;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        i += 1;
        r.feed(&rest[..n], &mut out);
        rest = &rest[n..];
        if p.longest() > 0 {
            assert!(
                r.held() < p.longest(),
                "held {} >= longest {}",
                r.held(),
                p.longest()
            );
        } else {
            assert_eq!(r.held(), 0);
        }
    }
    r.finish(&mut out);
    assert_eq!(r.held(), 0);
    (out, r.counts().to_vec())
}

fn redact(p: &Arc<Patterns>, input: &[u8]) -> Vec<u8> {
    run_chunks(p, input, &[usize::MAX]).0
}

/// Redact with every chunking that matters for short inputs (whole, 1-byte, every 2-way
/// split) and check they agree; returns the output.
fn redact_all_ways(p: &Arc<Patterns>, input: &[u8]) -> Vec<u8> {
    let whole = run_chunks(p, input, &[usize::MAX]);
    assert_eq!(run_chunks(p, input, &[1]), whole, "1-byte feeds");
    for cut in 1..input.len() {
        let mut r = Redactor::new(p.clone());
        let mut out = Vec::new();
        r.feed(&input[..cut], &mut out);
        r.feed(&input[cut..], &mut out);
        r.finish(&mut out);
        assert_eq!(out, whole.0, "split at {cut}");
        assert_eq!(r.counts(), &whole.1[..]);
    }
    whole.0
}

/// Non-streaming reference: every occurrence of every pattern, overlapping ones unioned,
/// each region named by its maximal occurrences in order of start.
fn reference(list: &[PatternSpec], names: &[String], input: &[u8]) -> (Vec<u8>, Vec<u64>) {
    let mut ms: Vec<(usize, usize, u32)> = Vec::new();
    for p in list {
        let n = p.bytes.len();
        for i in 0..input.len().saturating_sub(n - 1) {
            if input[i..].starts_with(&p.bytes) {
                ms.push((i, i + n, p.secret));
            }
        }
    }
    ms.sort();
    let mut out = Vec::new();
    let mut counts = vec![0u64; names.len()];
    let (mut cursor, mut i) = (0, 0);
    while i < ms.len() {
        let (s, mut e, _) = ms[i];
        let mut j = i + 1;
        while j < ms.len() && ms[j].0 < e {
            e = e.max(ms[j].1);
            j += 1;
        }
        let group = &ms[i..j];
        let mut named: Vec<u32> = Vec::new();
        for m in group {
            let contained = group
                .iter()
                .any(|o| (o.0, o.1) != (m.0, m.1) && o.0 <= m.0 && m.1 <= o.1);
            if !contained && !named.contains(&m.2) {
                named.push(m.2);
            }
        }
        out.extend_from_slice(&input[cursor..s]);
        out.extend_from_slice(b"[REDACTED:");
        for (k, id) in named.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.extend_from_slice(names[*id as usize].as_bytes());
            counts[*id as usize] += 1;
        }
        out.push(b']');
        cursor = e;
        i = j;
    }
    out.extend_from_slice(&input[cursor..]);
    (out, counts)
}

/// The longest suffix of `text` that is a proper prefix of some pattern.
fn naive_holdback(list: &[PatternSpec], text: &[u8]) -> usize {
    let mut best = 0;
    for p in list {
        for d in best + 1..p.bytes.len().min(text.len() + 1) {
            if text.ends_with(&p.bytes[..d]) {
                best = d;
            }
        }
    }
    best
}

fn spec_bytes(secrets: &[(&str, &[u8])], enc: Encoding) -> Vec<Vec<u8>> {
    pattern_list(secrets, true)
        .into_iter()
        .filter(|p| p.encoding == enc)
        .map(|p| p.bytes.to_vec())
        .collect()
}

/// Plain base64 with padding, for building blobs in tests.
fn b64(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(B64_STD[((n >> (18 - 6 * k)) & 63) as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
    out
}

#[test]
fn raw_secret_is_replaced() {
    let p = pats(&[("TOKEN", b"s3cr3t")], true);
    let out = redact_all_ways(&p, b"token=s3cr3t; again s3cr3t.");
    assert_eq!(out, b"token=[REDACTED:TOKEN]; again [REDACTED:TOKEN].");
    assert_eq!(run_chunks(&p, b"a s3cr3t b s3cr3t", &[3]).1, vec![2]);
}

#[test]
fn short_raw_secret_is_still_matched() {
    let p = pats(&[("PIN", b"42")], true);
    assert_eq!(p.len(), 1, "no encodings for short values");
    assert_eq!(
        redact_all_ways(&p, b"pin 4242 x"),
        b"pin [REDACTED:PIN][REDACTED:PIN] x"
    );
}

#[test]
fn longer_secret_wins_over_its_prefix() {
    let p = pats(&[("A", b"abc"), ("B", b"abcdef")], false);
    assert_eq!(redact_all_ways(&p, b"xabcdefy"), b"x[REDACTED:B]y");
    assert_eq!(redact_all_ways(&p, b"xabcdey"), b"x[REDACTED:A]dey");
    assert_eq!(
        redact_all_ways(&p, b"abcabcdef"),
        b"[REDACTED:A][REDACTED:B]"
    );
    // Order of the secrets does not matter.
    let p = pats(&[("B", b"abcdef"), ("A", b"abc")], false);
    assert_eq!(redact_all_ways(&p, b"xabcdefy"), b"x[REDACTED:B]y");
    assert_eq!(run_chunks(&p, b"xabcdefy", &[1]).1, vec![1, 0]);
}

#[test]
fn longer_secret_wins_over_its_substring() {
    let p = pats(&[("A", b"cd"), ("B", b"abcdef")], false);
    assert_eq!(redact_all_ways(&p, b"<abcdef>"), b"<[REDACTED:B]>");
    assert_eq!(redact_all_ways(&p, b"<abcde>"), b"<ab[REDACTED:A]e>");
    // Suffix too.
    let p = pats(&[("A", b"def"), ("B", b"abcdef")], false);
    assert_eq!(redact_all_ways(&p, b"abcdef"), b"[REDACTED:B]");
}

#[test]
fn overlapping_secrets_are_unioned() {
    let p = pats(&[("A", b"abc"), ("B", b"bcdef")], false);
    assert_eq!(redact_all_ways(&p, b"xxabcdefyy"), b"xx[REDACTED:A,B]yy");
    assert_eq!(run_chunks(&p, b"xxabcdefyy", &[1]).1, vec![1, 1]);
    // Names in order of first appearance.
    let p = pats(&[("B", b"bcdef"), ("A", b"abc")], false);
    assert_eq!(redact_all_ways(&p, b"abcdef"), b"[REDACTED:A,B]");
    // A chain of three, one name twice.
    let p = pats(&[("A", b"abc"), ("B", b"cde"), ("C", b"efg")], false);
    assert_eq!(
        redact_all_ways(&p, b"abcdefgabc"),
        b"[REDACTED:A,B,C][REDACTED:A]"
    );
    assert_eq!(
        redact_all_ways(&p, b"abcdeabc"),
        b"[REDACTED:A,B][REDACTED:A]"
    );
}

#[test]
fn adjacent_matches_get_separate_markers() {
    let p = pats(&[("A", b"abc"), ("B", b"def")], false);
    assert_eq!(redact_all_ways(&p, b"abcdef"), b"[REDACTED:A][REDACTED:B]");
}

#[test]
fn self_overlapping_secret() {
    let p = pats(&[("S", b"abab")], false);
    assert_eq!(redact_all_ways(&p, b"xabababab y"), b"x[REDACTED:S] y");
    assert_eq!(
        redact_all_ways(&p, b"ababxabab"),
        b"[REDACTED:S]x[REDACTED:S]"
    );
    assert_eq!(run_chunks(&p, b"xabababab y", &[1]).1, vec![1]);
    // An unbounded region stores nothing: memory stays constant.
    let p = pats(&[("S", b"aa")], false);
    let input = vec![b'a'; 100_000];
    let (out, counts) = run_chunks(&p, &input, &[1, 7, 4096]);
    assert_eq!(out, b"[REDACTED:S]");
    assert_eq!(counts, vec![1]);
}

#[test]
fn secret_split_across_feeds() {
    let p = pats(&[("K", b"correct-horse-battery")], true);
    let input = b"key: correct-horse-battery\n";
    let expected = b"key: [REDACTED:K]\n";
    assert_eq!(redact_all_ways(&p, input), expected);
    let mut r = Redactor::new(p.clone());
    let mut out = Vec::new();
    r.feed(b"key: correct-ho", &mut out);
    assert_eq!(out, b"key: ", "only the pattern prefix is held");
    assert_eq!(r.held(), 10);
    r.feed(b"rse-battery\n", &mut out);
    assert_eq!(out, expected, "released as soon as it is decided");
    assert_eq!(r.held(), 0);
}

#[test]
fn text_that_cannot_start_a_pattern_is_released_at_once() {
    let p = pats(
        &[("PW", b"hunter2-horse"), ("API", b"sk-live-0123456789")],
        true,
    );
    let mut r = Redactor::new(p.clone());
    let mut out = Vec::new();
    r.feed(b"Password: ", &mut out);
    assert_eq!(out, b"Password: ");
    assert_eq!(r.held(), 0);
    // A possible start is held, and released once it is not a secret after all.
    r.feed(b"hunt", &mut out);
    assert_eq!(out, b"Password: ");
    assert_eq!(r.held(), 4);
    r.feed(b"ed", &mut out);
    assert_eq!(out, b"Password: hunted");
    // A completed match is released as soon as nothing can extend it.
    r.feed(b" hunter2-horse", &mut out);
    assert_eq!(out, b"Password: hunted [REDACTED:PW]");
    assert_eq!(r.held(), 0);
}

#[test]
fn completed_match_waits_only_while_it_can_grow() {
    let p = pats(&[("A", b"abc"), ("B", b"abcdef"), ("C", b"cxyz")], false);
    let mut r = Redactor::new(p.clone());
    let mut out = Vec::new();
    r.feed(b"abc", &mut out);
    assert_eq!(out, b"", "abc may still become abcdef or overlap cxyz");
    r.feed(b"x", &mut out);
    assert_eq!(out, b"", "cx may still become cxyz");
    r.feed(b"!", &mut out);
    assert_eq!(out, b"[REDACTED:A]x!");
}

#[test]
fn invalid_utf8_and_binary_pass_through() {
    let p = pats(&[("S", b"\xff\xfesecret\x00")], true);
    let input = b"\x80\xc3(\xff\xfesecret\x00\xf0\x28\x8c\x28 \x00\x01";
    assert_eq!(
        redact_all_ways(&p, input),
        b"\x80\xc3([REDACTED:S]\xf0\x28\x8c\x28 \x00\x01"
    );
    // No trailing newline is ever added, with or without secrets.
    let none = Arc::new(Patterns::new([], true));
    let bin: Vec<u8> = (0..=255u8).rev().collect();
    assert_eq!(redact_all_ways(&none, &bin), bin);
    assert_eq!(redact_all_ways(&p, b"no newline"), b"no newline");
}

#[test]
fn every_generated_form_is_caught_in_context() {
    let secrets: [(&str, &[u8]); 3] = [
        ("PLAIN", b"Zm9vYmFyYmF6cXV4"),
        ("FANCY", "p@ss w/rd!\"\\<é>&😀\u{2028}\x08'=+".as_bytes()),
        ("BIN", b"\x00\x01\xfe\xff binary \n\x7f"),
    ];
    let p = Arc::new(Patterns::new(secrets.iter().copied(), true));
    let names = p.names().to_vec();
    let mut seen = HashSet::new();
    for spec in pattern_list(&secrets, true) {
        seen.insert(spec.encoding);
        let mut input = b"before ".to_vec();
        input.extend_from_slice(&spec.bytes);
        input.extend_from_slice(b" after");
        let want = format!("before [REDACTED:{}] after", names[spec.secret as usize]);
        assert_eq!(
            redact(&p, &input),
            want.as_bytes(),
            "{} form of {}",
            spec.encoding.as_str(),
            names[spec.secret as usize]
        );
    }
    for e in [
        Encoding::Raw,
        Encoding::Crlf,
        Encoding::Line,
        Encoding::Base64,
        Encoding::Base64Url,
        Encoding::HexLower,
        Encoding::HexUpper,
        Encoding::Percent,
        Encoding::Json,
    ] {
        assert!(seen.contains(&e), "no {e} pattern generated");
    }
}

#[test]
fn base64_caught_at_each_alignment_inside_a_larger_blob() {
    let v: &[u8] = b"\xfbtop-secret-value\xff?";
    let p = pats(&[("K", v)], true);
    for prefix_len in 0..6 {
        for suffix_len in 0..4 {
            let mut blob = vec![0x5au8; prefix_len];
            blob.extend_from_slice(v);
            blob.extend(std::iter::repeat_n(0xa5u8, suffix_len));
            let std = b64(&blob);
            let url: Vec<u8> = std
                .iter()
                .map(|&c| match c {
                    b'+' => b'-',
                    b'/' => b'_',
                    c => c,
                })
                .collect();
            for (enc, text) in [("std", &std), ("url", &url)] {
                let mut input = b"data=".to_vec();
                input.extend_from_slice(text);
                let out = redact(&p, &input);
                let hits: Vec<Hit> = p.find_all(&input).collect();
                assert!(
                    out.windows(12).any(|w| w == b"[REDACTED:K]"),
                    "{enc} prefix {prefix_len}: {}",
                    String::from_utf8_lossy(&out)
                );
                // The masked part covers every character determined by the value alone.
                let first = 5 + (8 * prefix_len).div_ceil(6);
                let last = 5 + (8 * (prefix_len + v.len())) / 6;
                assert!(hits.iter().any(|h| h.start <= first && h.end >= last));
            }
        }
    }
}

#[test]
fn known_encodings() {
    let v = "p@ss w/rd!\"é<😀>".as_bytes();
    let forms: Vec<Vec<u8>> = spec_bytes(&[("X", v)], Encoding::Percent);
    let has = |list: &[Vec<u8>], s: &str| list.iter().any(|f| f == s.as_bytes());
    // encodeURIComponent, its lowercase-hex variant, RFC 3986, form encoding.
    assert!(has(&forms, "p%40ss%20w%2Frd!%22%C3%A9%3C%F0%9F%98%80%3E"));
    assert!(has(&forms, "p%40ss%20w%2frd!%22%c3%a9%3c%f0%9f%98%80%3e"));
    assert!(has(&forms, "p%40ss%20w%2Frd%21%22%C3%A9%3C%F0%9F%98%80%3E"));
    assert!(has(&forms, "p%40ss+w%2Frd%21%22%C3%A9%3C%F0%9F%98%80%3E"));
    let json = spec_bytes(&[("X", v)], Encoding::Json);
    // serde_json / JSON.stringify.
    assert!(has(&json, "p@ss w/rd!\\\"é<😀>"));
    // Python json.dumps (ensure_ascii).
    assert!(has(&json, "p@ss w/rd!\\\"\\u00e9<\\ud83d\\ude00>"));
    // Go (HTML-safe).
    assert!(has(&json, "p@ss w/rd!\\\"é\\u003c😀\\u003e"));
    // PHP.
    assert!(has(&json, "p@ss w\\/rd!\\\"\\u00e9<\\ud83d\\ude00>"));
    let hex = spec_bytes(&[("X", b"\x01\xabsecret")], Encoding::HexLower);
    assert_eq!(hex, vec![b"01ab736563726574".to_vec()]);
    let hex = spec_bytes(&[("X", b"\x01\xabsecret")], Encoding::HexUpper);
    assert_eq!(hex, vec![b"01AB736563726574".to_vec()]);
    // Forms equal to the raw value are not repeated; \u forms need UTF-8.
    assert!(spec_bytes(&[("X", b"plainvalue")], Encoding::Percent).is_empty());
    assert!(spec_bytes(&[("X", b"plainvalue")], Encoding::Json).is_empty());
    let bad = spec_bytes(&[("X", b"\xff\"quoted\xfe")], Encoding::Json);
    assert_eq!(bad, vec![b"\xff\\\"quoted\xfe".to_vec()]);
    // Base64 at alignment 0 of a value whose length is a multiple of 3 is the whole
    // encoding without padding.
    let b = spec_bytes(&[("X", b"foobarbaz")], Encoding::Base64);
    assert!(has(&b, "Zm9vYmFyYmF6"));
    // Short values get no encodings.
    assert_eq!(pattern_list(&[("X", b"1234567")], true).len(), 1);
}

#[test]
fn json_forms_are_caught() {
    let v = "tab\there \"quoted\" ünïcode 😀 <b>&".as_bytes();
    let p = pats(&[("J", v)], true);
    let doc = "{\"a\":\"tab\\there \\\"quoted\\\" \\u00fcn\\u00efcode \\ud83d\\ude00 <b>&\"}";
    assert_eq!(redact(&p, doc.as_bytes()), b"{\"a\":\"[REDACTED:J]\"}");
    let go = "{\"a\":\"tab\\there \\\"quoted\\\" ünïcode 😀 \\u003cb\\u003e\\u0026\"}";
    assert_eq!(redact(&p, go.as_bytes()), b"{\"a\":\"[REDACTED:J]\"}");
    let serde = "[\"tab\\there \\\"quoted\\\" ünïcode 😀 <b>&\"]";
    assert_eq!(redact(&p, serde.as_bytes()), b"[\"[REDACTED:J]\"]");
}

#[test]
fn crlf_and_lines_of_multiline_values() {
    let key = b"-----BEGIN KEY-----\nMIIBVwIBADANBgkq\nshort\n-----END KEY-----\n";
    let p = pats(&[("KEY", key)], false);
    // The whole value through a PTY (ONLCR).
    let pty =
        b"$ cat key\r\n-----BEGIN KEY-----\r\nMIIBVwIBADANBgkq\r\nshort\r\n-----END KEY-----\r\n$ ";
    assert_eq!(redact_all_ways(&p, pty), b"$ cat key\r\n[REDACTED:KEY]$ ");
    // The raw value, and one line on its own.
    let mut raw = b"<".to_vec();
    raw.extend_from_slice(key);
    assert_eq!(redact(&p, &raw), b"<[REDACTED:KEY]");
    assert_eq!(redact(&p, b"x MIIBVwIBADANBgkq y"), b"x [REDACTED:KEY] y");
    // Lines shorter than 8 bytes are not patterns.
    assert_eq!(redact(&p, b"short"), b"short");
    let lines = spec_bytes(&[("KEY", key)], Encoding::Line);
    assert_eq!(lines.len(), 3);
    assert_eq!(spec_bytes(&[("KEY", key)], Encoding::Crlf).len(), 1);
    // A value already in CRLF form gets its PTY form (`\r\r\n`); its lines lose the \r.
    let crlf_value = b"first-line\r\nsecond-line";
    assert_eq!(
        spec_bytes(&[("V", crlf_value)], Encoding::Crlf),
        vec![b"first-line\r\r\nsecond-line".to_vec()]
    );
    let p = pats(&[("V", crlf_value)], false);
    assert_eq!(
        redact_all_ways(&p, b"$ cat v\r\nfirst-line\r\r\nsecond-line\r\n"),
        b"$ cat v\r\n[REDACTED:V]\r\n"
    );
    assert_eq!(
        spec_bytes(&[("V", crlf_value)], Encoding::Line),
        vec![b"first-line".to_vec(), b"second-line".to_vec()]
    );
}

#[test]
fn counts_per_secret() {
    let p = pats(
        &[
            ("A", b"alpha-secret"),
            ("B", b"bravo-secret"),
            ("C", b"unused-secret"),
        ],
        true,
    );
    let (out, counts) = run_chunks(
        &p,
        b"alpha-secret bravo-secret alpha-secret YWxwaGEtc2VjcmV0",
        &[5],
    );
    assert_eq!(out, b"[REDACTED:A] [REDACTED:B] [REDACTED:A] [REDACTED:A]");
    assert_eq!(counts, vec![3, 1, 0]);
    assert_eq!(p.names(), &["A", "B", "C"]);
}

#[test]
fn finish_releases_everything_and_the_redactor_can_be_reused() {
    let p = pats(&[("S", b"abcdef")], false);
    let mut r = Redactor::new(p.clone());
    let mut out = Vec::new();
    r.feed(b"xabc", &mut out);
    assert_eq!(out, b"x");
    r.finish(&mut out);
    assert_eq!(out, b"xabc");
    assert_eq!(r.held(), 0);
    // The next stream starts fresh: "abc" + "def" across finish is not a match.
    out.clear();
    r.feed(b"def abcdef", &mut out);
    r.finish(&mut out);
    assert_eq!(out, b"def [REDACTED:S]");
    r.finish(&mut out);
    assert_eq!(out, b"def [REDACTED:S]", "finish twice is harmless");
    assert_eq!(r.counts(), &[1]);
    // A region still open at the end is closed by finish.
    let p = pats(&[("A", b"abc"), ("B", b"abcdef")], false);
    let mut r = Redactor::new(p);
    let mut out = Vec::new();
    r.feed(b"abcd", &mut out);
    assert_eq!(out, b"");
    r.finish(&mut out);
    assert_eq!(out, b"[REDACTED:A]d");
}

#[test]
fn redact_text_compiles_only_what_occurs() {
    let secrets: &[(&str, &[u8])] = &[("A", b"alpha-secret-1"), ("B", b"beta-secret-22")];
    let set = PatternSet::new(secrets.iter().copied(), true);
    assert_eq!(set.names(), ["A", "B"]);
    assert_eq!(set.redact_text(b"nothing here"), b"nothing here");
    assert_eq!(
        set.redact_text(b"x=alpha-secret-1 y=YmV0YS1zZWNyZXQtMjI"),
        // base64 leaves its last character, which also holds bits of what follows
        b"x=[REDACTED:A] y=[REDACTED:B]I"
    );
    assert_eq!(
        format!("{set:?}"),
        "PatternSet { secrets: 2, patterns: 12 }"
    );
}

#[test]
fn debug_prints_no_value() {
    let p = pats(&[("NAME", b"hunter2-very-secret")], true);
    let dbg = format!("{p:?}");
    assert!(
        dbg.starts_with("Patterns { secrets: 1, patterns: "),
        "{dbg}"
    );
    let mut r = Redactor::new(p.clone());
    let mut out = Vec::new();
    r.feed(b"hunter2-very", &mut out);
    let rdbg = format!("{r:?}");
    for text in [&dbg, &rdbg] {
        assert!(!text.contains("hunter"), "{text}");
        assert!(!text.contains("very"), "{text}");
    }
    assert!(rdbg.contains("held: 12"), "{rdbg}");
}

#[test]
fn find_all_reports_overlapping_hits() {
    let p = pats(
        &[("A", b"abc"), ("B", b"bcdef"), ("C", b"top-secret-1")],
        true,
    );
    let hits: Vec<Hit> = p.find_all(b"abcdef 746f702d7365637265742d31").collect();
    assert_eq!(
        hits,
        vec![
            Hit {
                start: 0,
                end: 3,
                secret: 0,
                encoding: Encoding::Raw
            },
            Hit {
                start: 1,
                end: 6,
                secret: 1,
                encoding: Encoding::Raw
            },
            Hit {
                start: 7,
                end: 31,
                secret: 2,
                encoding: Encoding::HexLower
            },
        ]
    );
    assert_eq!(Encoding::HexUpper.as_str(), "HEX");
    assert_eq!(Patterns::new([], true).find_all(b"abc").count(), 0);
}

#[test]
fn no_secrets_or_empty_values() {
    let p = pats(&[("EMPTY", b"")], true);
    assert!(p.is_empty());
    assert_eq!(p.len(), 0);
    assert_eq!(p.longest(), 0);
    assert_eq!(redact_all_ways(&p, b"anything\n"), b"anything\n");
}

#[test]
fn large_feeds_keep_memory_bounded() {
    let p = pats(&[("S", b"needle-in-haystack")], true);
    let mut input = Vec::new();
    for i in 0..200_000 {
        input.extend_from_slice(format!("line {i} ").as_bytes());
        if i % 1000 == 0 {
            input.extend_from_slice(b"needle-in-haystack ");
        }
    }
    let mut r = Redactor::new(p.clone());
    let mut out = Vec::new();
    r.feed(&input, &mut out);
    assert!(
        r.buf.capacity() <= MAX_PIECE + p.longest(),
        "{}",
        r.buf.capacity()
    );
    r.finish(&mut out);
    assert_eq!(r.counts(), &[200]);
    assert_eq!(
        out,
        reference(
            &pattern_list(&[("S", b"needle-in-haystack")], true),
            p.names(),
            &input
        )
        .0
    );
}

#[test]
fn all_engines_agree() {
    let secrets: [(&str, &[u8]); 3] = [
        ("A", b"abcabcab-xyz"),
        ("B", b"cab-xyzzy-123"),
        ("C", b"zzzzzzzz"),
    ];
    let input = b"abcabcabcab-xyzzy-12 cab-xyzzy-123 zzzzzzzzzzz YWJjYWJjYWIteHl6 x".repeat(3);
    let mut outs = Vec::new();
    for dfa in [Some(true), Some(false)] {
        for full_scan in [false, true] {
            let opts = BuildOptions {
                encodings: true,
                dfa,
                full_scan,
            };
            let p = Arc::new(Patterns::build(secrets.iter().copied(), opts));
            assert_eq!(p.grid.is_some(), !full_scan);
            outs.push(redact_all_ways(&p, &input));
        }
    }
    let want = reference(
        &pattern_list(&secrets, true),
        &["A", "B", "C"].map(String::from),
        &input,
    )
    .0;
    for o in outs {
        assert_eq!(o, want);
    }
}

#[test]
fn the_sampled_path_builds_no_automaton() {
    // Every pattern is 8+ bytes: hits are verified against the candidate lists, so a stream
    // full of values (and escape sequences holding one) never builds the automaton, which is
    // what keeps `vault run`'s memory small.
    let p = pats(&[("A", b"alpha-secret-1"), ("B", b"beta-secret-22")], true);
    assert!(p.grid.is_some());
    let input = b"x alpha-secret-1 YmV0YS1zZWNyZXQtMjI \x1b]0;beta-secret-22\x07 alpha-sec";
    let out = redact_all_ways(&p, input);
    assert_eq!(
        out,
        b"x [REDACTED:A] [REDACTED:B]I \x1b]0;[REDACTED:B]\x07 alpha-sec"
    );
    assert!(!p.is_built(), "the automaton was built on the sampled path");
    // `find_all` (vault scan) builds it on demand.
    assert_eq!(p.find_all(b"alpha-secret-1").count(), 1);
    assert!(p.is_built());
}

/// A first stage ([`PatternSet::compile_staged`]) of `secrets`.
fn staged(secrets: &[(&str, &[u8])]) -> Arc<Patterns> {
    let set = Arc::new(PatternSet::new(secrets.iter().copied(), true));
    Arc::new(PatternSet::compile_staged(&set))
}

#[test]
fn a_first_stage_compiles_the_whole_forms_only_when_output_holds_a_head() {
    let secrets: [(&str, &[u8]); 2] = [
        ("A", b"alpha-secret-0001-xyz"),
        ("B", b"beta\\$secret-22\nline two of beta"),
    ];
    // Text that holds no head of a form (a short line, a long one, an escape sequence)
    // goes out through the first stage alone.
    let p = staged(&secrets);
    assert!(p.is_staged() && p.grid.is_some());
    let quiet = b"hi\n\x1b]0;a window title that is long enough\x07 2026-12-03 INFO ok id=f00d\n";
    assert_eq!(redact_all_ways(&p, quiet), quiet);
    assert!(
        !p.is_upgraded(),
        "the whole forms were compiled for text without a head"
    );
    // A value, an encoding of one, or a head cut off by the stream's end hands over to the
    // whole set, with the same output as the whole set from the start.
    let full = pats(&secrets, true);
    for text in [
        &b"x alpha-secret-0001-xyz y"[..],
        b"token=YWxwaGEtc2VjcmV0LTAwMDEteHl6 ok",
        b"alpha-secret-0001-xy",
        b"alpha-secret-0001-",
        b"beta$secret-22 \x1b]0;alpha-secret-0001-xyz\x07.",
        b"\x1b[01;31malpha-secret\x1b[m-0001-xyz",
    ] {
        let p = staged(&secrets);
        assert_eq!(redact_all_ways(&p, text), redact_all_ways(&full, text));
        assert!(p.is_upgraded() || !text.windows(8).any(|w| w == b"alpha-se"));
    }
}

// -----------------------------------------------------------------------------------------
// Properties.

/// Secrets over tiny alphabets so that overlaps, prefixes and self-overlaps are common:
/// short ones (automaton on every byte) or 8+ byte ones (sampled path), plus optionally a
/// prefix of the first secret and a periodic one.
fn secrets_strategy() -> impl Strategy<Value = Vec<Vec<u8>>> {
    let short = prop::collection::vec(
        prop::collection::vec(prop::sample::select(b"abc".to_vec()), 1..6),
        1..4,
    );
    let long = prop::collection::vec(
        prop::collection::vec(prop::sample::select(b"ab c%\n\"\xff/".to_vec()), 8..14),
        1..4,
    );
    (
        prop_oneof![short, long],
        any::<bool>(),
        prop::option::of((
            prop::collection::vec(prop::sample::select(b"ab".to_vec()), 1..4),
            2..5usize,
        )),
        1..20usize,
    )
        .prop_map(|(mut secrets, add_prefix, periodic, cut)| {
            if add_prefix {
                let s0 = secrets[0].clone();
                secrets.push(s0[..cut.min(s0.len() - 1).max(1)].to_vec());
            }
            if let Some((unit, reps)) = periodic {
                secrets.push(unit.repeat(reps));
            }
            secrets
        })
}

#[derive(Clone, Debug)]
enum Seg {
    Noise(Vec<u8>),
    /// A whole pattern (index taken modulo the number of patterns).
    Plant(usize),
    /// A prefix of a pattern.
    Partial(usize, usize),
}

fn input_strategy() -> impl Strategy<Value = Vec<Seg>> {
    let seg = prop_oneof![
        3 => prop::collection::vec(prop::sample::select(b"abcx \n\xff%".to_vec()), 0..12).prop_map(Seg::Noise),
        2 => any::<usize>().prop_map(Seg::Plant),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Seg::Partial(i, n)),
    ];
    prop::collection::vec(seg, 0..12)
}

fn assemble(segs: &[Seg], list: &[PatternSpec]) -> Vec<u8> {
    let mut input = Vec::new();
    for s in segs {
        match *s {
            Seg::Noise(ref n) => input.extend_from_slice(n),
            Seg::Plant(i) if !list.is_empty() => {
                input.extend_from_slice(&list[i % list.len()].bytes)
            }
            Seg::Partial(i, n) if !list.is_empty() => {
                let b = &list[i % list.len()].bytes;
                input.extend_from_slice(&b[..n % b.len()]);
            }
            _ => {}
        }
    }
    input
}

fn opts_strategy() -> impl Strategy<Value = BuildOptions> {
    (
        any::<bool>(),
        prop::option::of(any::<bool>()),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(encodings, dfa, full_scan)| BuildOptions {
            encodings,
            dfa,
            full_scan,
        })
}

#[test]
fn a_value_painted_by_grep_colour_is_redacted_whole() {
    let p = pats(&[("TOKEN", b"FAKE-secret-value")], true);
    // grep --color=always colouring part of the value (the part the pattern matched).
    let grep = b"TOKEN=FAKE-\x1b[01;31m\x1b[Ksecret\x1b[m\x1b[K-value\n";
    assert_eq!(redact_all_ways(&p, grep), b"TOKEN=[REDACTED:TOKEN]\n");
    // Sequences outside the value stay where they were.
    let painted = b"\x1b[1m\x1b[31mFAKE-secret-value\x1b[0m \x1b]0;title\x07ok\x1b(B";
    assert_eq!(
        redact_all_ways(&p, painted),
        b"\x1b[1m\x1b[31m[REDACTED:TOKEN]\x1b[0m \x1b]0;title\x07ok\x1b(B"
    );
    // Colour with no value in it passes unchanged, split anywhere.
    let plain = b"\x1b[01;32mgreen\x1b[0m FAKE-\x1b[1";
    assert_eq!(redact_all_ways(&p, plain), plain);
    // A value inside an OSC string (a title, a hyperlink) is redacted there.
    let osc = b"\x1b]8;;https://x.example/?t=FAKE-secret-value\x1b\\link\x1b]8;;\x1b\\";
    assert_eq!(
        redact_all_ways(&p, osc),
        b"\x1b]8;;https://x.example/?t=[REDACTED:TOKEN]\x1b\\link\x1b]8;;\x1b\\"
    );
}

#[test]
fn a_value_holding_an_escape_is_matched_byte_for_byte() {
    let p = pats(&[("E", b"ab\x1b[1mcdefgh")], true);
    assert_eq!(redact_all_ways(&p, b"<ab\x1b[1mcdefgh>"), b"<[REDACTED:E]>");
}

#[test]
fn new_forms_entities_shell_quoting_and_joined_lines() {
    let v: &[u8] = b"p&ss<w>rd\"it's";
    let p = pats(&[("PW", v)], true);
    for shown in [
        &b"p&amp;ss&lt;w&gt;rd&quot;it&apos;s"[..],
        b"p&amp;ss&lt;w&gt;rd&quot;it&#x27;s",
        b"p&amp;ss&lt;w&gt;rd&#34;it&#39;s",
        b"p&amp;ss&lt;w&gt;rd&quot;it&#039;s",
        b"p&amp;ss&lt;w&gt;rd\"it's",
        b"p&#38;ss&#60;w&#62;rd&#34;it&#39;s",
        b"p&#x26;ss&#x3c;w&#x3e;rd&#x22;it&#x27;s",
        // bash -x / set -x, busybox ash -x
        b"'p&ss<w>rd\"it'\\''s'",
        b"'p&ss<w>rd\"it'\"'\"'s'",
    ] {
        let mut input = b"<".to_vec();
        input.extend_from_slice(shown);
        input.push(b'>');
        let out = redact_all_ways(&p, &input);
        assert!(
            out.windows(12).any(|w| w == b"[REDACTED:PW"),
            "{:?} -> {:?}",
            String::from_utf8_lossy(shown),
            String::from_utf8_lossy(&out)
        );
        assert!(!out.windows(4).any(|w| w == b"it's" || w == b"rd&q"));
    }
    // The backslash-unescaped form a double-quoted shell string leaves.
    let p = pats(&[("S", b"ab\\$cd\\\"ef\\\\gh")], true);
    assert_eq!(redact_all_ways(&p, b"[ab$cd\"ef\\gh]"), b"[[REDACTED:S]]");
    // A multi-line value with its newlines turned into spaces, removed, or word-split.
    let key: &[u8] = b"line-one-aaaa\nline-two-bbbb\r\n  line-three";
    let p = pats(&[("KEY", key)], true);
    for shown in [
        &b"line-one-aaaa line-two-bbbb   line-three"[..],
        b"line-one-aaaaline-two-bbbb  line-three",
        b"line-one-aaaa line-two-bbbb line-three",
    ] {
        assert_eq!(redact_all_ways(&p, shown), b"[REDACTED:KEY]", "{shown:?}");
    }
    // Values under 8 bytes get none of these.
    let p = pats(&[("T", b"a'b&c")], true);
    assert_eq!(redact(&p, b"a'\\''b&amp;c"), b"a'\\''b&amp;c");
}

#[test]
fn the_log_gate_releases_at_line_ends_only() {
    let p = pats(&[("TOKEN", b"FAKE-secret-value")], false);
    let longest = p.longest();
    for probe in [&b"FAKE-sec"[..], b"FAKE-sex"] {
        let mut r = Redactor::for_log(p.clone());
        let mut out = Vec::new();
        r.feed(probe, &mut out);
        assert!(out.is_empty(), "{probe:?}: {out:?}");
        r.feed(b"\nnext", &mut out);
        let mut line = probe.to_vec();
        line.push(b'\n');
        assert_eq!(out, line);
        // More than the longest pattern pending: all but the last longest - 1 bytes go out.
        let long = vec![b'x'; 3 * longest];
        out.clear();
        r.feed(&long, &mut out);
        assert_eq!(out.len(), 4 + 3 * longest - (longest - 1));
        r.finish(&mut out);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    /// 1. Output and counts do not depend on chunking and equal the reference; 2. no
    /// pattern survives outside a marker; 4. held() < longest() after every feed (checked
    /// in run_chunks).
    #[test]
    fn prop_streaming_matches_reference(
        secrets in secrets_strategy(),
        segs in input_strategy(),
        sizes in prop::collection::vec(1..24usize, 1..8),
        opts in opts_strategy(),
    ) {
        let named: Vec<(String, Vec<u8>)> =
            secrets.iter().enumerate().map(|(i, s)| (format!("S{i}"), s.clone())).collect();
        let pairs: Vec<(&str, &[u8])> =
            named.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
        let list = pattern_list(&pairs, opts.encodings);
        let p = Arc::new(Patterns::build(pairs.iter().copied(), opts));
        let input = assemble(&segs, &list);

        let (want, want_counts) = reference(&list, p.names(), &input);

        // Exact hold-back: after every feed, with P the longest suffix of the stream so far
        // that is a proper prefix of some pattern, exactly P bytes are held when no masked
        // region is pending, and a pending region is one that could still grow.
        let mut r = Redactor::new(p.clone());
        let mut out = Vec::new();
        let (mut pos, mut i) = (0, 0);
        while pos < input.len() {
            let n = sizes[i % sizes.len()].min(input.len() - pos);
            i += 1;
            r.feed(&input[pos..pos + n], &mut out);
            pos += n;
            prop_assert!(want.starts_with(&out), "released output is final");
            let hold = naive_holdback(&list, &input[..pos]);
            if r.st.pending.is_empty() {
                prop_assert_eq!(r.held(), hold);
            } else {
                prop_assert!(r.held() <= hold);
                for reg in &r.st.pending {
                    prop_assert!(reg.end > (pos - hold) as u64, "pending region cannot grow");
                }
            }
        }
        let whole = run_chunks(&p, &input, &[usize::MAX]);
        let chunked = run_chunks(&p, &input, &sizes);
        // A text redacted with only the patterns that occur in it comes out the same.
        let set = PatternSet::new(pairs.iter().copied(), opts.encodings);
        prop_assert_eq!(&set.redact_text(&input), &want);
        prop_assert_eq!(&whole.0, &want);
        prop_assert_eq!(&whole.1, &want_counts);
        prop_assert_eq!(&chunked.0, &want);
        prop_assert_eq!(&chunked.1, &want_counts);

        // No pattern occurrence outside a marker. The input alphabet has no '[', so every
        // "[REDACTED:" in the output is a marker, running to the next ']'.
        let out = &chunked.0;
        let mut markers = Vec::new();
        let mut i = 0;
        while let Some(k) = out[i..].windows(10).position(|w| w == b"[REDACTED:") {
            let s = i + k;
            let e = s + out[s..].iter().position(|&b| b == b']').expect("marker closed") + 1;
            markers.push((s, e));
            i = e;
        }
        for spec in &list {
            let n = spec.bytes.len();
            for j in 0..out.len().saturating_sub(n - 1) {
                if out[j..].starts_with(&spec.bytes) {
                    prop_assert!(
                        markers.iter().any(|&(s, e)| j < e && s < j + n),
                        "{:?} form survived at {}", spec.encoding, j
                    );
                }
            }
        }
    }

    /// 3. With no secrets the output is the input, byte for byte.
    #[test]
    fn prop_no_secrets_is_identity(
        input in prop::collection::vec(any::<u8>(), 0..300),
        sizes in prop::collection::vec(1..64usize, 1..6),
    ) {
        let p = Arc::new(Patterns::new([], true));
        prop_assert_eq!(run_chunks(&p, &input, &sizes).0, input);
    }

    /// Random binary input with secrets that never occur in it passes through unchanged,
    /// and hold-back never exceeds its bound.
    #[test]
    fn prop_binary_passthrough(
        input in prop::collection::vec(any::<u8>(), 0..400),
        sizes in prop::collection::vec(1..64usize, 1..6),
    ) {
        let p = pats(&[("A", b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"), ("B", b"\xff\xff\xff")], true);
        let (want, _) = reference(&pattern_list(&[("A", b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"), ("B", b"\xff\xff\xff")], true), p.names(), &input);
        prop_assert_eq!(run_chunks(&p, &input, &sizes).0, want);
    }

    /// ANSI-interrupted output: escape sequences (none containing a secret byte) inserted
    /// anywhere, inside values too. What the screen shows (the output with its sequences
    /// taken out) is the reference redaction of what the input shows; the output does not
    /// depend on chunking; and with nothing to redact the output is the input.
    #[test]
    fn prop_escape_sequences_are_skipped(
        secrets in secrets_strategy(),
        segs in input_strategy(),
        cuts in prop::collection::vec((any::<usize>(), 0..5usize), 0..6),
        sizes in prop::collection::vec(1..24usize, 1..8),
    ) {
        const SEQS: [&[u8]; 5] = [b"\x1b[01;31m", b"\x1b[K", b"\x1b[m", b"\x1b]0;XY\x07", b"\x1b(B"];
        let named: Vec<(String, Vec<u8>)> =
            secrets.iter().enumerate().map(|(i, s)| (format!("S{i}"), s.clone())).collect();
        let pairs: Vec<(&str, &[u8])> =
            named.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
        let list = pattern_list(&pairs, true);
        let p = Arc::new(Patterns::new(pairs.iter().copied(), true));
        let visible = assemble(&segs, &list);
        let mut at: Vec<(usize, usize)> =
            cuts.iter().map(|&(c, k)| (c % (visible.len() + 1), k)).collect();
        at.sort();
        let mut input = Vec::new();
        let mut from = 0;
        for &(c, k) in &at {
            input.extend_from_slice(&visible[from..c]);
            input.extend_from_slice(SEQS[k]);
            from = c;
        }
        input.extend_from_slice(&visible[from..]);

        let (want, _) = reference(&list, p.names(), &visible);
        let whole = run_chunks(&p, &input, &[usize::MAX]);
        let chunked = run_chunks(&p, &input, &sizes);
        prop_assert_eq!(&whole.0, &chunked.0);
        let mut shown = whole.0.clone();
        for seq in SEQS {
            while let Some(i) = shown.windows(seq.len()).position(|w| w == seq) {
                shown.drain(i..i + seq.len());
            }
        }
        prop_assert_eq!(&shown, &want);
        if want == visible {
            prop_assert_eq!(&whole.0, &input);
        }
    }

    /// A value with CRLF line ends, printed through a PTY (every `\n` becomes `\r\n`) in
    /// any chunks, never survives.
    #[test]
    fn prop_crlf_values_through_a_pty(
        lines in prop::collection::vec(prop::collection::vec(prop::sample::select(b"ab%".to_vec()), 1..6), 2..4),
        pre in prop::collection::vec(prop::sample::select(b"ab \n".to_vec()), 0..8),
        sizes in prop::collection::vec(1..16usize, 1..6),
    ) {
        let value = lines.join(&b"\r\n"[..]);
        let p = pats(&[("V", &value)], true);
        let mut input = pre.clone();
        input.extend_from_slice(&value);
        input.extend_from_slice(b"\n");
        let mut pty = Vec::new();
        for &b in &input {
            if b == b'\n' {
                pty.push(b'\r');
            }
            pty.push(b);
        }
        let (out, counts) = run_chunks(&p, &pty, &sizes);
        prop_assert!(counts[0] >= 1);
        let shown: Vec<u8> = value.iter().copied().filter(|&b| b != b'\r').collect();
        let out_shown: Vec<u8> = out.iter().copied().filter(|&b| b != b'\r').collect();
        prop_assert!(!out_shown.windows(shown.len()).any(|w| w == &shown[..]));
    }

    /// The log filter's gate: the same output as the exact redactor in the end, and, until
    /// something is redacted, exactly the input up to a point that depends only on where
    /// the input's line ends are (never on how much of a secret it matched).
    #[test]
    fn prop_log_gate_releases_by_position_only(
        secrets in secrets_strategy(),
        segs in input_strategy(),
        sizes in prop::collection::vec(1..24usize, 1..8),
    ) {
        let named: Vec<(String, Vec<u8>)> =
            secrets.iter().enumerate().map(|(i, s)| (format!("S{i}"), s.clone())).collect();
        let pairs: Vec<(&str, &[u8])> =
            named.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
        let list = pattern_list(&pairs, false);
        let p = Arc::new(Patterns::new(pairs.iter().copied(), false));
        let input = assemble(&segs, &list);
        let longest = p.longest();
        let n = list
            .iter()
            .map(|s| s.bytes[..s.bytes.len() - 1].iter().filter(|&&b| b == b'\n').count())
            .max()
            .unwrap_or(0);
        let mut r = Redactor::for_log(p.clone());
        let mut out = Vec::new();
        let (mut pos, mut i) = (0, 0);
        while pos < input.len() {
            let k = sizes[i % sizes.len()].min(input.len() - pos);
            i += 1;
            r.feed(&input[pos..pos + k], &mut out);
            pos += k;
            prop_assert!(r.held() < longest);
            let (so_far, _) = reference(&list, p.names(), &input[..pos]);
            if so_far == input[..pos] {
                let starts: Vec<usize> = input[..pos]
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(j, _)| j + 1)
                    .collect();
                let lines = if starts.len() > n { starts[starts.len() - 1 - n] } else { 0 };
                let g = lines.max(pos.saturating_sub(longest - 1));
                prop_assert_eq!(&out[..], &input[..g]);
            }
        }
        r.finish(&mut out);
        prop_assert_eq!(out, reference(&list, p.names(), &input).0);
    }

    /// `shortest_form` is a lower bound on every form's length (what lets `redact_text` skip
    /// generating forms for a short text).
    #[test]
    fn prop_shortest_form_bounds_every_form(
        v in prop::collection::vec(prop::sample::select(b"ab\\'\"&<>\n\r %\xc3\xa9\xff".to_vec()), 1..24),
    ) {
        let bound = super::forms::shortest_form(&v);
        for spec in pattern_list(&[("V", &v)], true) {
            prop_assert!(spec.bytes.len() >= bound, "{:?} {:?}", spec.encoding, spec.bytes);
        }
    }

    /// The sampled path (candidates verified at each sample, partial occurrences carried
    /// across feeds) on long values, where grams are 8 bytes and the stride is up to 32:
    /// the same output and counts as the automaton over every byte and as the reference,
    /// however the input is chunked, escape sequences (OSC strings holding a form, too)
    /// included.
    #[test]
    fn prop_sampled_path_agrees_with_the_automaton(
        secrets in prop::collection::vec(
            (prop::collection::vec(prop::sample::select(b"ab/+\"%".to_vec()), 1..6), 4..12usize),
            1..4,
        ),
        segs in input_strategy(),
        sizes in prop::collection::vec(1..48usize, 1..8),
        osc in prop::option::of(any::<usize>()),
    ) {
        // Periodic values make many candidates per gram and overlapping occurrences.
        let values: Vec<Vec<u8>> = secrets.iter().map(|(unit, reps)| unit.repeat(*reps).into_iter().chain(*b"-tail-xy").collect()).collect();
        let named: Vec<(String, Vec<u8>)> =
            values.iter().enumerate().map(|(i, s)| (format!("S{i}"), s.clone())).collect();
        let pairs: Vec<(&str, &[u8])> =
            named.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
        let list = pattern_list(&pairs, true);
        let mut input = assemble(&segs, &list);
        if let Some(i) = osc {
            // A form inside an OSC title is matched there (the sequence is not set aside).
            input.extend_from_slice(b"\x1b]0;");
            input.extend_from_slice(&list[i % list.len()].bytes);
            input.extend_from_slice(b"\x07");
        }
        let sampled = Arc::new(Patterns::build(pairs.iter().copied(), BuildOptions { encodings: true, dfa: None, full_scan: false }));
        let full = Arc::new(Patterns::build(pairs.iter().copied(), BuildOptions { encodings: true, dfa: Some(false), full_scan: true }));
        prop_assert!(sampled.grid.is_some());
        let want = run_chunks(&full, &input, &[usize::MAX]);
        if osc.is_none() {
            prop_assert_eq!(&want, &reference(&list, full.names(), &input));
        }
        prop_assert_eq!(&run_chunks(&sampled, &input, &[usize::MAX]), &want);
        prop_assert_eq!(&run_chunks(&sampled, &input, &sizes), &want);
        prop_assert_eq!(&run_chunks(&sampled, &input, &[1]), &want);
    }

    /// A first stage redacts exactly as the whole set does, however the input is chunked,
    /// whether the input holds whole forms, heads of forms cut anywhere, or neither, and
    /// with escape sequences (an OSC string holding a form, too).
    #[test]
    fn prop_a_first_stage_redacts_as_the_whole_set(
        values in prop::collection::vec(prop::collection::vec(prop::sample::select(b"ab\\'\"&<> %=/+\n\xc3\xa9".to_vec()), 8..40), 1..4),
        segs in input_strategy(),
        sizes in prop::collection::vec(1..48usize, 1..8),
        osc in prop::option::of(any::<usize>()),
    ) {
        let named: Vec<(String, Vec<u8>)> =
            values.iter().enumerate().map(|(i, s)| (format!("S{i}"), s.clone())).collect();
        let pairs: Vec<(&str, &[u8])> =
            named.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
        let list = pattern_list(&pairs, true);
        let mut input = assemble(&segs, &list);
        if let Some(i) = osc {
            input.extend_from_slice(b"\x1b]0;");
            input.extend_from_slice(&list[i % list.len()].bytes);
            input.extend_from_slice(b"\x07");
        }
        let full = pats(&pairs, true);
        let want = run_chunks(&full, &input, &[usize::MAX]);
        for sizes in [&[usize::MAX][..], &sizes, &[1]] {
            let p = staged(&pairs);
            prop_assert_eq!(&run_chunks(&p, &input, sizes), &want);
        }
    }

    /// The heads of the forms are exactly the forms cut at `limit`, and no whole form is
    /// longer than the list's bound.
    #[test]
    fn prop_heads_are_the_forms_cut_short(
        values in prop::collection::vec(prop::collection::vec(prop::sample::select(b"ab\\'\"&<>\n\r %=/+\xc3\xa9\xf0\x9f\x98\x80\xff".to_vec()), 8..48), 1..4),
        cut in any::<usize>(),
        encodings in any::<bool>(),
    ) {
        let refs: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
        let whole = super::forms::form_list(&refs, encodings);
        let shortest = refs.iter().map(|v| super::forms::shortest_exact(v, encodings)).min().unwrap();
        prop_assert_eq!(shortest, whole.pats.iter().map(|s| s.len as usize).min().unwrap());
        prop_assume!(shortest >= 8);
        let limit = 8 + cut % (shortest - 7);
        let heads = super::forms::form_heads(&refs, encodings, limit);
        let want: HashSet<Vec<u8>> = (0..whole.pats.len() as u32).map(|i| whole.bytes(i)[..limit].to_vec()).collect();
        let got: HashSet<Vec<u8>> = (0..heads.pats.len() as u32).map(|i| heads.bytes(i).to_vec()).collect();
        prop_assert_eq!(got.len(), heads.pats.len(), "duplicate heads");
        prop_assert_eq!(got, want);
        prop_assert!(heads.sorted.windows(2).all(|w| heads.bytes(w[0]) < heads.bytes(w[1])));
        let longest = whole.pats.iter().map(|s| s.len as usize).max().unwrap();
        prop_assert!(heads.longest >= longest && whole.longest >= longest);
    }

    /// The generated list: no two patterns with the same bytes, and `sorted` is every id once,
    /// in byte order (what `tail_holdback`'s binary search relies on).
    #[test]
    fn prop_form_list_is_distinct_and_sorted(
        values in prop::collection::vec(prop::collection::vec(prop::sample::select(b"ab\\'\"&<>\n\r %=/+\xc3\xa9\xff".to_vec()), 0..24), 1..5),
    ) {
        let mut values = values;
        values.push(values[0].clone());
        let refs: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
        let list = super::forms::form_list(&refs, true);
        let mut seen = HashSet::new();
        for i in 0..list.pats.len() as u32 {
            prop_assert!(seen.insert(list.bytes(i).to_vec()), "duplicate pattern");
        }
        let mut ids = list.sorted.to_vec();
        prop_assert!(list.sorted.windows(2).all(|w| list.bytes(w[0]) < list.bytes(w[1])));
        ids.sort_unstable();
        prop_assert_eq!(ids, (0..list.pats.len() as u32).collect::<Vec<_>>());
    }
}

//! Target: `vault::dotenv::parse` (the `vault import` parser).
//!
//! Properties:
//! 1. no panic on any bytes; errors are non-empty, carry a line number within the file and
//!    a one-line reason; assignments have valid keys and non-decreasing line numbers, and
//!    their `Debug` never shows a value;
//! 2. a generated file (keys, `export`, spaces around `=`, unquoted / single / double
//!    quoted values with escapes and multi-line values, comments, blank lines, LF or CRLF)
//!    parses to exactly the assignments it was generated from, with their line numbers;
//!    (strict: also an empty unquoted value followed by a comment, `KEY= # note`, which
//!    must be empty — a known bug reads the comment as the value);
//! 3. a generated broken line holding a canary value fails, and no error shows it.

use arbitrary::Unstructured;
use vault::dotenv::parse;

use crate::common::{below, bytes_from, coin, contains, pick};

/// The target.
pub fn dotenv(data: &[u8]) {
    raw(data);
    structured(&mut Unstructured::new(data));
}

fn raw(data: &[u8]) {
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    match parse(data) {
        Ok(list) => {
            let mut last = 0;
            for a in &list {
                assert!(a.line >= 1 && a.line <= lines, "line {} of {lines}", a.line);
                assert!(
                    a.line > last,
                    "line numbers must increase: {} after {last}",
                    a.line
                );
                last = a.line;
                let k = a.key.as_bytes();
                assert!(
                    !k.is_empty()
                        && !k[0].is_ascii_digit()
                        && k.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_'),
                    "invalid key accepted: {:?}",
                    a.key
                );
                // Debug must not depend on the value at all.
                let twin = vault::dotenv::Assignment {
                    line: a.line,
                    key: a.key.clone(),
                    value: zeroize::Zeroizing::new(b"other".to_vec()),
                };
                assert_eq!(
                    format!("{a:?}"),
                    format!("{twin:?}"),
                    "Debug shows the value"
                );
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "Err with no error");
            for e in &errors {
                assert!(
                    e.line >= 1 && e.line <= lines,
                    "error line {} of {lines}",
                    e.line
                );
                assert!(
                    !e.reason.is_empty() && !e.reason.contains('\n'),
                    "reason {:?}",
                    e.reason
                );
            }
        }
    }
}

/// Bytes a value may hold in the generated files.
const VALUE_BYTES: &[u8] = b"aZ09_-./:@+=,%^&*()!~ #$\\\"'\t\r\n\xc3\xa9\xff\x00\x0c";

fn key(u: &mut Unstructured<'_>) -> String {
    let first = pick(u, b"ABCXYZabz_");
    let mut k = String::from(first as char);
    for _ in 0..below(u, 8) {
        k.push(pick(u, b"AZaz09_") as char);
    }
    k
}

/// Whether `v` can be written unquoted and read back byte-exact.
fn unquotable(v: &[u8]) -> bool {
    !v.contains(&b'\n')
        && !v.first().is_some_and(|b| *b == b'"' || *b == b'\'')
        // After `KEY= ` a `#` starts a comment.
        && v.first() != Some(&b'#')
        && !v.first().is_some_and(u8::is_ascii_whitespace)
        && !v.last().is_some_and(u8::is_ascii_whitespace)
        && !contains(v, b" #")
        && !contains(v, b"\t#")
}

fn structured(u: &mut Unstructured<'_>) {
    let crlf = coin(u);
    let nl: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut text: Vec<u8> = Vec::new();
    let mut expected: Vec<(usize, String, Vec<u8>)> = Vec::new();
    let mut line = 1;
    for _ in 0..below(u, 8) {
        match below(u, 6) {
            0 => {
                text.extend_from_slice(pick::<&[u8]>(
                    u,
                    &[&b"# comment"[..], b"  # x=1", b"#", b"\t#KEY=v"],
                ));
            }
            1 => text.extend_from_slice(pick::<&[u8]>(u, &[&b""[..], b"   ", b"\t", b" \x0c "])),
            _ => {
                let k = key(u);
                let n = below(u, 20);
                let v = bytes_from(u, VALUE_BYTES, n);
                text.extend_from_slice(pick::<&[u8]>(
                    u,
                    &[&b""[..], b"export ", b"  ", b"\texport  "],
                ));
                text.extend_from_slice(k.as_bytes());
                text.extend_from_slice(pick::<&[u8]>(u, &[&b"="[..], b" = ", b"=\t", b"  ="]));
                let style = below(u, 3);
                let mut newlines = 0;
                if style == 0 && unquotable(&v) {
                    text.extend_from_slice(&v);
                    text.extend_from_slice(pick::<&[u8]>(u, &[b"", b" # c", b"  ", b"\t# x"]));
                } else if style == 1 && !v.contains(&b'\'') {
                    text.push(b'\'');
                    text.extend_from_slice(&v);
                    text.push(b'\'');
                    newlines = v.iter().filter(|&&b| b == b'\n').count();
                    text.extend_from_slice(pick::<&[u8]>(u, &[&b""[..], b" # c", b"  "]));
                } else {
                    text.push(b'"');
                    for &b in &v {
                        let escape = coin(u);
                        match b {
                            b'\\' => text.extend_from_slice(b"\\\\"),
                            b'"' => text.extend_from_slice(b"\\\""),
                            b'\n' if escape => text.extend_from_slice(b"\\n"),
                            b'\r' if escape => text.extend_from_slice(b"\\r"),
                            b'\t' if escape => text.extend_from_slice(b"\\t"),
                            b'$' if escape => text.extend_from_slice(b"\\$"),
                            b'\n' => {
                                newlines += 1;
                                text.push(b'\n');
                            }
                            _ => text.push(b),
                        }
                    }
                    text.push(b'"');
                    text.extend_from_slice(pick::<&[u8]>(u, &[&b""[..], b" # c", b"  "]));
                }
                expected.push((line, k, v));
                line += newlines;
            }
        }
        text.extend_from_slice(nl);
        line += 1;
    }
    let got = parse(&text).unwrap_or_else(|errors| {
        panic!(
            "a generated file does not parse: {errors:?}\n{:?}",
            String::from_utf8_lossy(&text)
        )
    });
    let got: Vec<(usize, String, Vec<u8>)> = got
        .iter()
        .map(|a| (a.line, a.key.clone(), a.value.to_vec()))
        .collect();
    assert_eq!(
        got,
        expected,
        "generated file parsed differently:\n{:?}",
        String::from_utf8_lossy(&text)
    );

    // A broken line with a canary value at the end.
    let canary = b"cnry-7Hq2-VALUE-x9";
    let broken: Vec<u8> = match below(u, 4) {
        0 => [&b"1BAD="[..], canary].concat(),
        1 => [&b"KEY=\""[..], canary].concat(),
        2 => [&b"KEY='"[..], canary, b"' trailing"].concat(),
        _ => canary.to_vec(),
    };
    text.extend_from_slice(&broken);
    text.extend_from_slice(nl);
    match parse(&text) {
        Ok(_) => panic!(
            "a broken line was accepted: {:?}",
            String::from_utf8_lossy(&broken)
        ),
        Err(errors) => {
            let shown = format!("{errors:?}");
            assert!(
                !contains(shown.as_bytes(), canary),
                "an error shows a value: {shown}"
            );
            assert_eq!(errors.last().map(|e| e.line), Some(line), "{shown}");
        }
    }
}

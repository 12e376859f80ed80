//! A dotenv parser for `vault import`: pure, byte-exact, and quiet about values.
//!
//! Accepted, one assignment per line: `KEY=value`, `export KEY=value`, blank lines and
//! `#` comments. Values may be unquoted (surrounding whitespace trimmed; ` #…` starts a
//! comment), single-quoted (literal, may span lines), or double-quoted (`\n \r \t \\ \" \$`
//! escapes, may span lines). Errors name the line number and never quote a value.

use zeroize::Zeroizing;

/// One parsed assignment.
pub struct Assignment {
    /// Line where it starts (1-based).
    pub line: usize,
    /// The key as written.
    pub key: String,
    /// The value bytes.
    pub value: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Assignment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Assignment {{ line: {}, key: {:?}, value: [REDACTED] }}",
            self.line, self.key
        )
    }
}

/// A syntax error: line number and reason (never a value).
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub reason: &'static str,
}

/// Parses the whole file; collects every error so the user can fix them at once.
pub fn parse(input: &[u8]) -> Result<Vec<Assignment>, Vec<ParseError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut pos = 0;
    let mut line = 1;
    while pos < input.len() {
        let start_line = line;
        let end = input[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(input.len(), |i| pos + i);
        let raw = &input[pos..end];
        let text = trim(raw);
        if text.is_empty() || text[0] == b'#' {
            pos = end + 1;
            line += 1;
            continue;
        }
        let text = text.strip_prefix(b"export ").map_or(text, trim);
        let Some(eq) = text.iter().position(|&b| b == b'=') else {
            errors.push(ParseError {
                line,
                reason: "expected KEY=VALUE",
            });
            pos = end + 1;
            line += 1;
            continue;
        };
        let key = trim(&text[..eq]);
        let key_ok = !key.is_empty()
            && key.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
            && !key[0].is_ascii_digit();
        // Where the value starts, as an offset into `input`.
        let value_start = pos + (text.as_ptr() as usize - raw.as_ptr() as usize) + eq + 1;
        let (value, next, lines_used, err) = value_at(input, value_start);
        if !key_ok {
            errors.push(ParseError {
                line: start_line,
                reason: "invalid key (letters, digits and _ only, not starting with a digit)",
            });
        } else if let Some(reason) = err {
            errors.push(ParseError {
                line: start_line,
                reason,
            });
        } else {
            out.push(Assignment {
                line: start_line,
                key: String::from_utf8_lossy(key).into_owned(),
                value,
            });
        }
        line += lines_used;
        pos = next;
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &s[start..end.max(start)]
}

/// Parses a value starting at `at`. Returns the value, the position after its line, how
/// many lines it consumed, and an error.
fn value_at(input: &[u8], at: usize) -> (Zeroizing<Vec<u8>>, usize, usize, Option<&'static str>) {
    let mut value = Zeroizing::new(Vec::new());
    let mut i = at;
    while i < input.len() && (input[i] == b' ' || input[i] == b'\t') {
        i += 1;
    }
    let quote = input.get(i).copied();
    if quote == Some(b'"') || quote == Some(b'\'') {
        let q = quote.unwrap_or(b'"');
        let mut lines = 0;
        i += 1;
        loop {
            let Some(&b) = input.get(i) else {
                let end_line = input.len();
                return (
                    value,
                    end_line,
                    lines + 1,
                    Some("unterminated quoted value"),
                );
            };
            if b == q {
                i += 1;
                break;
            }
            if b == b'\n' {
                lines += 1;
            }
            if q == b'"' && b == b'\\' {
                let esc = input.get(i + 1).copied();
                let replaced = match esc {
                    Some(b'n') => Some(b'\n'),
                    Some(b'r') => Some(b'\r'),
                    Some(b't') => Some(b'\t'),
                    Some(c @ (b'\\' | b'"' | b'$')) => Some(c),
                    _ => None,
                };
                if let Some(c) = replaced {
                    value.push(c);
                    i += 2;
                    continue;
                }
            }
            value.push(b);
            i += 1;
        }
        // Only whitespace or a comment may follow the closing quote.
        let end = input[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(input.len(), |k| i + k);
        let rest = trim(&input[i..end]);
        let err = (!rest.is_empty() && rest[0] != b'#')
            .then_some("unexpected text after the closing quote");
        return (value, end + 1, lines + 1, err);
    }
    let end = input[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(input.len(), |k| i + k);
    let mut raw = &input[i..end];
    // A `#` after blanks starts a comment; so does one right where the value would start
    // after `=` and blanks (`KEY= # note` is an empty value, not "# note").
    if i > at && raw.first() == Some(&b'#') {
        raw = &raw[..0];
    } else if let Some(c) = raw.windows(2).position(|w| w == b" #" || w == b"\t#") {
        raw = &raw[..c];
    }
    value.extend_from_slice(trim(raw));
    (value, end + 1, 1, None)
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn ok(input: &str) -> Vec<(String, Vec<u8>)> {
        parse(input.as_bytes())
            .unwrap()
            .into_iter()
            .map(|a| (a.key.clone(), a.value.to_vec()))
            .collect()
    }

    #[test]
    fn forms() {
        let got = ok(
            "# c\n\nA=1\nexport B = two words  # note\nC='lit $x \\n'\nD=\"l1\\nl2 \\\"q\\\"\"\nE=\"multi\nline\"\nF=\r\nG=x#y\n",
        );
        assert_eq!(
            got,
            vec![
                ("A".into(), b"1".to_vec()),
                ("B".into(), b"two words".to_vec()),
                ("C".into(), b"lit $x \\n".to_vec()),
                ("D".into(), b"l1\nl2 \"q\"".to_vec()),
                ("E".into(), b"multi\nline".to_vec()),
                ("F".into(), b"".to_vec()),
                ("G".into(), b"x#y".to_vec()),
            ]
        );
    }

    #[test]
    fn errors_have_lines_and_no_values() {
        let errs = parse(b"A=1\nnot an assignment\n1X=2\nB=\"open\nC=3\n").unwrap_err();
        let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 4]);
    }

    #[test]
    fn comment_after_empty_value() {
        let want: Vec<(String, Vec<u8>)> = vec![
            ("A".into(), vec![]),
            ("B".into(), vec![]),
            ("C".into(), b"#x".to_vec()),
        ];
        assert_eq!(ok("A= # note\nB=\t# n\nC=#x\n"), want);
    }

    #[test]
    fn line_numbers_after_multiline() {
        let a = parse(b"A=\"x\ny\"\nB=2\n").unwrap();
        assert_eq!(a[1].line, 3);
    }
}

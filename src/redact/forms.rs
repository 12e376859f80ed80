//! Pattern generation: every form of a secret's value that the redactor looks for — the
//! value itself, its lines and PTY forms, and the encodings a program might print it in.
//! Pure: values in, labelled byte patterns out.

use std::collections::HashSet;
use std::fmt;

use zeroize::{Zeroize, Zeroizing};

/// What form of a secret a pattern matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// The value itself.
    Raw,
    /// One line (8+ bytes, trailing `\r` stripped) of a multi-line value.
    Line,
    /// A multi-line value with `\n` turned into `\r\n`, as a PTY in ONLCR mode prints it.
    Crlf,
    /// Standard base64 (any alignment inside a larger blob).
    Base64,
    /// URL-safe base64 (any alignment inside a larger blob).
    Base64Url,
    /// Lowercase hex.
    HexLower,
    /// Uppercase hex.
    HexUpper,
    /// Percent-encoding (URI component, RFC 3986, form encoding; either hex case).
    Percent,
    /// A JSON string body (serde_json / JSON.stringify, Python `ensure_ascii`, Go, PHP, Gson).
    Json,
    /// XML/HTML character references: `&amp; &lt; &gt; &quot; &apos;`, the numeric spellings
    /// HTML escapers use for quotes (`&#39; &#x27; &#039; &#34;`), and `&#N;` / `&#xH;` for
    /// every special or non-ASCII character.
    Entity,
    /// As a shell prints or leaves it: single quotes as `bash -x` (`'\''`) and busybox
    /// `ash` (`'"'"'`) quote them, or the value with the backslashes a double-quoted shell
    /// string removes (`\$ \` \" \\`) removed.
    Shell,
    /// A multi-line value with its line breaks turned into other whitespace or removed
    /// (`echo $VALUE`, `tr '\n' ' '`, a key pasted on one line).
    Joined,
}

impl Encoding {
    /// Short label, as printed by `vault scan`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Raw => "raw",
            Encoding::Line => "line",
            Encoding::Crlf => "crlf",
            Encoding::Base64 => "base64",
            Encoding::Base64Url => "base64url",
            Encoding::HexLower => "hex",
            Encoding::HexUpper => "HEX",
            Encoding::Percent => "percent",
            Encoding::Json => "json",
            Encoding::Entity => "entity",
            Encoding::Shell => "shell",
            Encoding::Joined => "joined",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Encoded forms shorter than this are dropped: they would match noise.
const MIN_ENCODED_LEN: usize = 8;
/// Values shorter than this get no encoded forms, for the same reason.
const MIN_VALUE_LEN_FOR_ENCODINGS: usize = 8;
/// Lines of a multi-line value shorter than this get no `Line` pattern.
const MIN_LINE_LEN: usize = 8;

/// One generated pattern (bytes zeroized on drop).
pub(crate) struct PatternSpec {
    pub bytes: Zeroizing<Vec<u8>>,
    pub secret: u32,
    pub encoding: Encoding,
}

/// Every distinct pattern for `secrets`, in order (per secret: raw, CRLF, lines, encodings);
/// identical bytes keep the first label.
pub(crate) fn pattern_list(secrets: &[(&str, &[u8])], encodings: bool) -> Vec<PatternSpec> {
    let mut all: Vec<PatternSpec> = Vec::new();
    for (id, &(_, v)) in secrets.iter().enumerate() {
        let secret = u32::try_from(id).expect("fewer than 2^32 secrets");
        forms(v, encodings, &mut |bytes, encoding| {
            all.push(PatternSpec {
                bytes,
                secret,
                encoding,
            })
        });
    }
    let mut seen: HashSet<&[u8]> = HashSet::with_capacity(all.len());
    let keep: Vec<bool> = all.iter().map(|p| seen.insert(&p.bytes[..])).collect();
    drop(seen);
    all.into_iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(p))
        .collect()
}

/// A lower bound on the length of every form of `v` (`usize::MAX` for an empty value, which
/// has none): every form but the raw value is at least 8 bytes long, and for a one-line value
/// without a backslash none is shorter than the value.
pub(crate) fn shortest_form(v: &[u8]) -> usize {
    if v.is_empty() {
        usize::MAX
    } else if v.contains(&b'\n') || v.contains(&b'\\') {
        v.len().min(MIN_ENCODED_LEN.min(MIN_LINE_LEN))
    } else {
        v.len()
    }
}

/// Generate the forms of one value. Duplicates are removed by the caller.
fn forms(v: &[u8], encodings: bool, push: &mut dyn FnMut(Zeroizing<Vec<u8>>, Encoding)) {
    if v.is_empty() {
        return;
    }
    push(Zeroizing::new(v.to_vec()), Encoding::Raw);
    if v.contains(&b'\n') {
        let mut crlf = Zeroizing::new(Vec::with_capacity(v.len() + 8));
        for (i, &b) in v.iter().enumerate() {
            if b == b'\n' && (i == 0 || v[i - 1] != b'\r') {
                crlf.push(b'\r');
            }
            crlf.push(b);
        }
        push(crlf, Encoding::Crlf);
        // A PTY (ONLCR) turns every `\n` into `\r\n`, so a value's own `\r\n` prints as
        // `\r\r\n`.
        if v.windows(2).any(|w| w == b"\r\n") {
            let mut pty = Zeroizing::new(Vec::with_capacity(v.len() + 8));
            for &b in v {
                if b == b'\n' {
                    pty.push(b'\r');
                }
                pty.push(b);
            }
            push(pty, Encoding::Crlf);
        }
        for line in v.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() >= MIN_LINE_LEN {
                push(Zeroizing::new(line.to_vec()), Encoding::Line);
            }
        }
    }
    if !encodings || v.len() < MIN_VALUE_LEN_FOR_ENCODINGS {
        return;
    }
    let mut enc = |bytes: Zeroizing<Vec<u8>>, e: Encoding| {
        if bytes.len() >= MIN_ENCODED_LEN {
            push(bytes, e);
        }
    };
    for align in 0..3 {
        enc(base64_aligned(v, align, B64_STD), Encoding::Base64);
    }
    for align in 0..3 {
        enc(base64_aligned(v, align, B64_URL), Encoding::Base64Url);
    }
    enc(hex(v, HEX_LOWER), Encoding::HexLower);
    enc(hex(v, HEX_UPPER), Encoding::HexUpper);
    if v.contains(&b'\n') {
        for j in joined(v) {
            enc(j, Encoding::Joined);
        }
    }
    // Every percent and JSON form of an alphanumeric value is the value itself.
    if v.iter().all(u8::is_ascii_alphanumeric) {
        return;
    }
    for set in [
        PctSet::Component,
        PctSet::Rfc3986,
        PctSet::Uri,
        PctSet::Form,
    ] {
        for digits in [HEX_UPPER, HEX_LOWER] {
            enc(percent(v, set, digits), Encoding::Percent);
        }
    }
    for style in JSON_STYLES {
        if let Some(j) = json_escape(v, style) {
            enc(j, Encoding::Json);
        }
    }
    if v.iter().any(|b| b"&<>\"'".contains(b)) {
        for style in ENTITY_STYLES {
            enc(entities(v, style), Encoding::Entity);
        }
    }
    if v.iter().any(|&b| b >= 0x80 || b"&<>\"'".contains(&b)) {
        enc(numeric_entities(v, false), Encoding::Entity);
        enc(numeric_entities(v, true), Encoding::Entity);
    }
    if v.contains(&b'\'') {
        enc(replace_byte(v, b'\'', b"'\\''"), Encoding::Shell);
        enc(replace_byte(v, b'\'', b"'\"'\"'"), Encoding::Shell);
    }
    if let Some(u) = shell_unescaped(v) {
        enc(u, Encoding::Shell);
    }
}

/// `v` with every `from` byte replaced by `to`.
fn replace_byte(v: &[u8], from: u8, to: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(v.len() + 16));
    for &b in v {
        if b == from {
            out.extend_from_slice(to);
        } else {
            out.push(b);
        }
    }
    out
}

/// What a shell leaves of `v` written inside double quotes: a backslash before `$`, `` ` ``,
/// `"`, `\` or a newline is removed (with the newline, for the last). `None` when that
/// changes nothing.
fn shell_unescaped(v: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::with_capacity(v.len()));
    let mut changed = false;
    let mut i = 0;
    while i < v.len() {
        match (v[i], v.get(i + 1)) {
            (b'\\', Some(&n)) if b"$`\"\\\n".contains(&n) => {
                changed = true;
                if n != b'\n' {
                    out.push(n);
                }
                i += 2;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// A multi-line value with its line breaks (`\n` or `\r\n`) each turned into a space or
/// removed, and as `echo $VALUE` prints it (words split on blanks and line breaks, joined by
/// single spaces).
fn joined(v: &[u8]) -> [Zeroizing<Vec<u8>>; 3] {
    let lines: Vec<&[u8]> = v
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect();
    let join = |sep: &[u8]| {
        let mut out = Zeroizing::new(Vec::with_capacity(v.len()));
        for (i, l) in lines.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(sep);
            }
            out.extend_from_slice(l);
        }
        out
    };
    let mut words = Zeroizing::new(Vec::with_capacity(v.len()));
    for w in v
        .split(|b| b" \t\r\n".contains(b))
        .filter(|w| !w.is_empty())
    {
        if !words.is_empty() {
            words.push(b' ');
        }
        words.extend_from_slice(w);
    }
    [join(b" "), join(b""), words]
}

/// How one XML/HTML escaper writes `&`, `<`, `>`, `"` and `'` (`None`: left as it is).
struct EntityStyle {
    quot: Option<&'static [u8]>,
    apos: Option<&'static [u8]>,
}

const ENTITY_STYLES: [EntityStyle; 6] = [
    // XML's five predefined entities (lxml attributes, .NET SecurityElement.Escape).
    EntityStyle {
        quot: Some(b"&quot;"),
        apos: Some(b"&apos;"),
    },
    // Python html.escape.
    EntityStyle {
        quot: Some(b"&quot;"),
        apos: Some(b"&#x27;"),
    },
    // Go html.EscapeString and text/template, MarkupSafe (Jinja).
    EntityStyle {
        quot: Some(b"&#34;"),
        apos: Some(b"&#39;"),
    },
    // PHP htmlspecialchars (ENT_QUOTES, the default since PHP 8.1).
    EntityStyle {
        quot: Some(b"&quot;"),
        apos: Some(b"&#039;"),
    },
    // Text nodes (XML serialisers, html.escape(quote=False)).
    EntityStyle {
        quot: None,
        apos: None,
    },
    // Double-quoted attributes (ElementTree, PHP ENT_COMPAT).
    EntityStyle {
        quot: Some(b"&quot;"),
        apos: None,
    },
];

fn entities(v: &[u8], style: EntityStyle) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(v.len() + 16));
    for &b in v {
        match (b, style.quot, style.apos) {
            (b'&', _, _) => out.extend_from_slice(b"&amp;"),
            (b'<', _, _) => out.extend_from_slice(b"&lt;"),
            (b'>', _, _) => out.extend_from_slice(b"&gt;"),
            (b'"', Some(q), _) | (b'\'', _, Some(q)) => out.extend_from_slice(q),
            _ => out.push(b),
        }
    }
    out
}

/// Every special (`& < > " '`) and non-ASCII character as a numeric reference, decimal
/// (`&#233;`) or lowercase hex (`&#xe9;`); invalid UTF-8 bytes are kept as they are.
fn numeric_entities(v: &[u8], hex: bool) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(v.len() + 16));
    let num = |out: &mut Vec<u8>, c: u32| {
        let mut s = if hex {
            format!("&#x{c:x};")
        } else {
            format!("&#{c};")
        };
        out.extend_from_slice(s.as_bytes());
        s.zeroize();
    };
    for chunk in v.utf8_chunks() {
        for c in chunk.valid().chars() {
            if !c.is_ascii() || "&<>\"'".contains(c) {
                num(&mut out, u32::from(c));
            } else {
                out.push(c as u8);
            }
        }
        out.extend_from_slice(chunk.invalid());
    }
    out
}

pub(super) const B64_STD: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// The base64 characters of `v` when it starts at byte offset `align` (mod 3) of a larger blob:
/// only the characters whose 6 bits all come from `v` (the first ones may mix in the previous
/// byte, the last one the next byte or padding), so the pattern matches wherever `v` sits.
fn base64_aligned(v: &[u8], align: usize, alphabet: &[u8; 64]) -> Zeroizing<Vec<u8>> {
    let byte = |i: usize| -> u32 {
        if i < align {
            0
        } else {
            v.get(i - align).copied().map_or(0, u32::from)
        }
    };
    let first = (8 * align).div_ceil(6);
    let last = (8 * (align + v.len())) / 6;
    let mut out = Zeroizing::new(Vec::with_capacity(last.saturating_sub(first)));
    for c in first..last {
        let bit = 6 * c;
        let word = (byte(bit / 8) << 8) | byte(bit / 8 + 1);
        let six = (word >> (10 - bit % 8)) & 0x3f;
        out.push(alphabet[six as usize]);
    }
    out
}

fn hex(v: &[u8], digits: &[u8; 16]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(2 * v.len()));
    for &b in v {
        out.push(digits[usize::from(b >> 4)]);
        out.push(digits[usize::from(b & 15)]);
    }
    out
}

#[derive(Clone, Copy)]
enum PctSet {
    /// JavaScript `encodeURIComponent`: keeps `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
    Component,
    /// RFC 3986 unreserved (Python `quote(safe='')`, Rust `url`, curl): `A-Z a-z 0-9 - _ . ~`.
    Rfc3986,
    /// JavaScript `encodeURI`: also keeps `; , / ? : @ & = + $ #`.
    Uri,
    /// `application/x-www-form-urlencoded` (WHATWG/HTML forms): keeps `A-Z a-z 0-9 * - . _`,
    /// space becomes `+`.
    Form,
}

fn percent(v: &[u8], set: PctSet, digits: &[u8; 16]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(3 * v.len()));
    for &b in v {
        let keep = b.is_ascii_alphanumeric()
            || match set {
                PctSet::Component => b"-_.!~*'()".contains(&b),
                PctSet::Rfc3986 => b"-_.~".contains(&b),
                PctSet::Uri => b"-_.!~*'();,/?:@&=+$#".contains(&b),
                PctSet::Form => b"*-._".contains(&b),
            };
        if keep {
            out.push(b);
        } else if b == b' ' && matches!(set, PctSet::Form) {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[
                b'%',
                digits[usize::from(b >> 4)],
                digits[usize::from(b & 15)],
            ]);
        }
    }
    out
}

/// How one JSON encoder writes a string body.
#[derive(Clone, Copy)]
struct JsonStyle {
    /// Non-ASCII as `\uXXXX` (UTF-16, surrogate pairs above U+FFFF).
    ascii: bool,
    /// `<`, `>`, `&` as `\u003c`, `\u003e`, `\u0026`.
    html: bool,
    /// Also `=` and `'` as `\u003d`, `\u0027` (Gson).
    gson: bool,
    /// U+2028 and U+2029 as `\u2028`, `\u2029`.
    line_seps: bool,
    /// Backspace and form feed as `\b`, `\f` rather than `\u0008`, `\u000c`.
    short_bf: bool,
    /// `/` as `\/` (PHP).
    slash: bool,
}

const JSON_STYLES: [JsonStyle; 6] = [
    // serde_json, JavaScript JSON.stringify, Python json.dumps(ensure_ascii=False).
    JsonStyle {
        ascii: false,
        html: false,
        gson: false,
        line_seps: false,
        short_bf: true,
        slash: false,
    },
    // Python json.dumps (ensure_ascii=True, the default).
    JsonStyle {
        ascii: true,
        html: false,
        gson: false,
        line_seps: false,
        short_bf: true,
        slash: false,
    },
    // Go encoding/json (HTML-safe by default), Go ≥ 1.22.
    JsonStyle {
        ascii: false,
        html: true,
        gson: false,
        line_seps: true,
        short_bf: true,
        slash: false,
    },
    // Go encoding/json before 1.22 (`\u0008`, `\u000c`).
    JsonStyle {
        ascii: false,
        html: true,
        gson: false,
        line_seps: true,
        short_bf: false,
        slash: false,
    },
    // PHP json_encode defaults.
    JsonStyle {
        ascii: true,
        html: false,
        gson: false,
        line_seps: false,
        short_bf: true,
        slash: true,
    },
    // Gson (HTML-safe by default).
    JsonStyle {
        ascii: false,
        html: true,
        gson: true,
        line_seps: true,
        short_bf: true,
        slash: false,
    },
];

/// Append a `\uXXXX` escape (lowercase hex, as every encoder listed above writes it).
fn json_u(out: &mut Vec<u8>, unit: u16) {
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX_LOWER[usize::from((unit >> shift) & 15)]);
    }
}

/// The body of a JSON string holding `v` as `style` writes it. Styles that emit `\u` escapes
/// for non-ASCII characters apply only to valid UTF-8 (returns `None` otherwise); the plain
/// style escapes byte by byte.
fn json_escape(v: &[u8], style: JsonStyle) -> Option<Zeroizing<Vec<u8>>> {
    let needs_chars = style.ascii || style.line_seps;
    let mut out = Zeroizing::new(Vec::with_capacity(v.len() + 16));
    let u = json_u;
    let ascii = |out: &mut Vec<u8>, b: u8| match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 if style.short_bf => out.extend_from_slice(b"\\b"),
        0x0c if style.short_bf => out.extend_from_slice(b"\\f"),
        b'/' if style.slash => out.extend_from_slice(b"\\/"),
        b'<' | b'>' | b'&' if style.html => u(out, u16::from(b)),
        b'=' | b'\'' if style.gson => u(out, u16::from(b)),
        0..=0x1f => u(out, u16::from(b)),
        _ => out.push(b),
    };
    if !needs_chars {
        for &b in v {
            ascii(&mut out, b);
        }
        return Some(out);
    }
    let s = std::str::from_utf8(v).ok()?;
    for c in s.chars() {
        if c.is_ascii() {
            ascii(&mut out, c as u8);
        } else if style.ascii || (style.line_seps && (c == '\u{2028}' || c == '\u{2029}')) {
            let mut units = [0u16; 2];
            for &unit in c.encode_utf16(&mut units).iter() {
                u(&mut out, unit);
            }
        } else {
            let mut b = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            b.zeroize();
        }
    }
    Some(out)
}

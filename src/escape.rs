//! Terminal-safe text. Pure: no I/O.
//!
//! Everything vault prints that came from a store, a repository or an argv (recipients and
//! their comments, descriptions, hosts, paths, audit fields, error messages quoting any of
//! them) passes through [`text`] first, so a hostile store cannot move the cursor, clear a
//! line, write the clipboard (OSC 52), retitle the window or reorder what is shown.
//!
//! Escaped, as `\n`, `\r`, `\t` or `\u{…}`:
//! - C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls (U+0080–U+009F): every
//!   terminal escape sequence starts with one of them;
//! - Unicode format characters that hide or reorder text: the bidi embeddings, overrides
//!   and isolates (U+202A–U+202E, U+2066–U+2069, U+061C, U+200E/U+200F), zero-width
//!   characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+180E, U+00AD), the line and
//!   paragraph separators (U+2028/U+2029), the invisible Hangul fillers, interlinear
//!   annotations (U+FFF9–U+FFFB), the other deprecated format controls (U+206A–U+206F),
//!   and the tag characters and supplementary variation selectors (U+E0000–U+E007F,
//!   U+E0100–U+E01EF) that can smuggle invisible text to a model reading the output.
//!
//! Not escaped: the backslash itself (so an escaped form and a literal `\u{1b}` typed by
//! someone look the same — harmless to a terminal, and paths stay readable), the BMP
//! variation selectors U+FE00–U+FE0F (ordinary emoji use them), and characters that merely
//! look alike (homoglyphs): escaping cannot fix those.
//!
//! In `--json` output JSON's own escaping is the form: serde_json already writes C0 as
//! `\n`, `\u001b`…, and [`json`] adds `\uXXXX` for the rest of the set above, which
//! serde_json would write raw. A JSON reader gets the same strings back.

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for a character that must not reach a terminal as itself.
#[must_use]
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_hiding_format(c)
}

/// The format and invisible characters of the module doc (everything but Cc).
fn is_hiding_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// `text` with every unsafe character escaped (`\n`, `\r`, `\t`, else `\u{hex}`); borrowed
/// when there is nothing to escape.
#[must_use]
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Bytes (argv, file names) as terminal-safe text: invalid UTF-8 becomes U+FFFD, then
/// [`text`].
#[must_use]
pub fn bytes(bytes: &[u8]) -> String {
    text(&String::from_utf8_lossy(bytes)).into_owned()
}

/// JSON text (as serde_json writes it) with the unsafe characters serde_json leaves raw
/// (DEL, C1 and the format characters) written as `\uXXXX` escapes. Raw C0 characters in
/// serde_json output are structural whitespace (inside strings it escapes them), so they
/// are kept; the other unsafe characters can only occur inside strings, where `\uXXXX`
/// means the same character.
#[must_use]
pub fn json(text: &str) -> Cow<'_, str> {
    let escape = |c: char| is_unsafe(c) && u32::from(c) >= 0x20;
    if !text.chars().any(escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escape(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{bytes, is_unsafe, json, text};

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in [
            "",
            "API_KEY",
            "allow api.github.com:443, *.example.com",
            "café ⚠️ 日本",
        ] {
            assert!(matches!(text(s), std::borrow::Cow::Borrowed(_)), "{s}");
            assert_eq!(text(s), s);
        }
    }

    #[test]
    fn terminal_sequences_are_escaped() {
        assert_eq!(
            text("age1x \r\x1b[2K\x1b[1A"),
            "age1x \\r\\u{1b}[2K\\u{1b}[1A"
        );
        assert_eq!(text("a\x1b]52;c;aGk=\x07b"), "a\\u{1b}]52;c;aGk=\\u{7}b");
        assert_eq!(text("\x1b[2J\x1b[H"), "\\u{1b}[2J\\u{1b}[H");
        assert_eq!(text("x\u{9b}2Jy\u{7f}"), "x\\u{9b}2Jy\\u{7f}");
        assert_eq!(text("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(text("evil\u{202e}gpj.exe"), "evil\\u{202e}gpj.exe");
        assert_eq!(text("\u{feff}\u{200b}"), "\\u{feff}\\u{200b}");
        assert_eq!(text("t\u{e0041}"), "t\\u{e0041}");
    }

    #[test]
    fn every_listed_character_is_unsafe() {
        let ranges: &[(u32, u32)] = &[
            (0x00, 0x1f),
            (0x7f, 0x9f),
            (0x200b, 0x200f),
            (0x202a, 0x202e),
            (0x2066, 0x2069),
            (0xfeff, 0xfeff),
            (0xe0000, 0xe007f),
        ];
        for &(lo, hi) in ranges {
            for c in (lo..=hi).filter_map(char::from_u32) {
                assert!(is_unsafe(c), "U+{:04X}", u32::from(c));
                assert!(!text(&c.to_string()).contains(c), "U+{:04X}", u32::from(c));
            }
        }
        for c in [' ', '~', 'é', '€', '\u{fe0f}', '\\'] {
            assert!(!is_unsafe(c), "{c:?}");
        }
    }

    #[test]
    fn bytes_are_lossy_then_escaped() {
        assert_eq!(bytes(b"a\xff\x1b"), "a\u{fffd}\\u{1b}");
    }

    #[test]
    fn json_escapes_what_serde_json_leaves_raw_and_round_trips() {
        let hostile = "d\u{7f}\u{9b}2J\u{202e}x\u{e0041}\x1b]52;c;x\x07";
        let raw = serde_json::to_string_pretty(&serde_json::json!({ "d": hostile })).unwrap();
        assert!(raw.contains('\u{9b}'), "serde_json leaves C1 raw: {raw:?}");
        let safe = json(&raw);
        assert!(!safe.chars().any(|c| is_unsafe(c) && c != '\n'), "{safe:?}");
        assert!(
            safe.contains("\\u009b") && safe.contains("\\udb40\\udc41"),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["d"], hostile);
        let plain = serde_json::to_string_pretty(&serde_json::json!({ "d": "a\tb é" })).unwrap();
        assert!(matches!(json(&plain), std::borrow::Cow::Borrowed(_)));
    }
}

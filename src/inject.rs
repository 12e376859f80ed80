//! What a run injects: which secrets go into the child's environment, and the argv with
//! `{{secure.NAME}}` placeholders resolved. Pure: no I/O.
//!
//! Rules:
//! - `--only A,B` names exactly the secrets to inject; an unknown name refuses the run;
//! - without `--only`, an argv with placeholders injects only the secrets it references
//!   (least privilege); an argv with none injects every secret;
//! - a placeholder naming an unknown secret, or one excluded by `--only`, refuses the run;
//!   anything that starts like a placeholder (`{{secure.`) but is not a well-formed one is
//!   refused too, and so is a near miss — one or two braces, optional spaces, a word close
//!   to `secure` (`secret`, `secrets`, `vault`, any case, one letter off) and a dot:
//!   `{{ secure.X }}` (1Password's spacing), `{{secret.X}}`, `{secure.X}` — so a typo never
//!   reaches the child as literal text;
//! - substitution is byte-exact inside one argv element; nothing is re-parsed by a shell.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secret::SecretName;
use crate::secrets::{Contents, Entry};

const OPEN: &[u8] = b"{{secure.";
const CLOSE: &[u8] = b"}}";

/// The secrets a run makes available.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    /// Injected as environment variables.
    pub env: Vec<SecretName>,
    /// Referenced by placeholders (a subset of `env`).
    pub referenced: Vec<SecretName>,
}

impl Plan {
    /// The entry of each injected secret, in `env`'s order (a name the store does not hold
    /// is skipped). `env` is usually every stored name in the store's sorted order, so the
    /// two are walked side by side rather than searched name by name.
    #[must_use]
    pub fn entries<'c>(&self, contents: &'c Contents) -> Vec<(&SecretName, &'c Entry)> {
        let sorted = self.env.windows(2).all(|w| w[0].as_str() < w[1].as_str());
        if !sorted {
            return self
                .env
                .iter()
                .filter_map(|n| contents.get(n).map(|e| (n, e)))
                .collect();
        }
        let mut out = Vec::with_capacity(self.env.len());
        let mut stored = contents.secrets.iter().peekable();
        for name in &self.env {
            while stored
                .next_if(|(k, _)| k.as_str() < name.as_str())
                .is_some()
            {}
            if let Some((_, e)) = stored.next_if(|(k, _)| k.as_str() == name.as_str()) {
                out.push((name, e));
            }
        }
        out
    }
}

/// Finds every placeholder in `argv`, in order, without duplicates.
pub fn references(argv: &[OsString]) -> Result<Vec<SecretName>> {
    let mut names: Vec<SecretName> = Vec::new();
    for (i, arg) in argv.iter().enumerate() {
        for_each_placeholder(arg.as_bytes(), i, |_, name| {
            if !names.contains(&name) {
                names.push(name);
            }
            Ok(())
        })?;
    }
    Ok(names)
}

/// The one placeholder parser: for each placeholder in `arg`, calls `found` with the literal
/// text before it and its name; returns the literal text after the last one. A malformed
/// placeholder is an error.
fn for_each_placeholder<'a>(
    arg: &'a [u8],
    index: usize,
    mut found: impl FnMut(&'a [u8], SecretName) -> Result<()>,
) -> Result<&'a [u8]> {
    if let Some(form) = near_miss(arg) {
        return Err(bad_placeholder(
            index,
            &format!("`{form}` is not how a placeholder starts"),
        ));
    }
    let mut rest = arg;
    while let Some(start) = find(rest, OPEN) {
        let after = &rest[start + OPEN.len()..];
        let Some(end) = find(after, CLOSE) else {
            return Err(bad_placeholder(index, "no closing `}}`"));
        };
        let raw = &after[..end];
        let name = std::str::from_utf8(raw)
            .ok()
            .and_then(|s| SecretName::stored(s).ok().filter(|n| n.as_str() == s))
            .ok_or_else(|| bad_placeholder(index, "the name is not a valid secret name"))?;
        found(&rest[..start], name)?;
        rest = &after[end + CLOSE.len()..];
    }
    Ok(rest)
}

fn bad_placeholder(index: usize, why: &str) -> Error {
    Error::new(
        Exit::DataErr,
        format!("malformed placeholder in argument {index}: {why}"),
    )
    .hint("a placeholder is exactly {{secure.NAME}}: two braces, no spaces, `secure.`, the name, two braces")
}

/// The first text in `arg` that looks like the start of a vault placeholder but is not
/// exactly `{{secure.`: `{` or `{{`, optional spaces, a word near `secure`, optional spaces,
/// a dot. Returns that start (braces, spaces and word only: never what follows the dot).
fn near_miss(arg: &[u8]) -> Option<String> {
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'{', &arg[i..]) {
        let start = i + off;
        i = start + 1;
        // The second brace of `{{` is looked at as part of the first.
        if start > 0 && arg[start - 1] == b'{' {
            continue;
        }
        let mut j = start + 1;
        let braces = if arg.get(j) == Some(&b'{') {
            j += 1;
            2
        } else {
            1
        };
        let spaces_before = arg[j..].iter().take_while(|&&b| b == b' ').count();
        j += spaces_before;
        let word_len = arg[j..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let word = &arg[j..j + word_len];
        j += word_len;
        let spaces_after = arg[j..].iter().take_while(|&&b| b == b' ').count();
        j += spaces_after;
        if word.is_empty() || arg.get(j) != Some(&b'.') || !near_secure(word) {
            continue;
        }
        let exact = braces == 2 && spaces_before == 0 && spaces_after == 0 && word == b"secure";
        if !exact {
            return Some(String::from_utf8_lossy(&arg[start..=j]).into_owned());
        }
    }
    None
}

/// A word someone writing `secure` might have meant.
fn near_secure(word: &[u8]) -> bool {
    let lower = word.to_ascii_lowercase();
    matches!(
        lower.as_slice(),
        b"secret" | b"secrets" | b"vault" | b"secrue"
    ) || distance(&lower, b"secure") <= 1
}

/// Levenshtein distance of two short words.
fn distance(a: &[u8], b: &[u8]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (diag + usize::from(ca != cb)).min(up + 1).min(row[j] + 1);
            diag = up;
        }
    }
    row[b.len()]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decides which secrets the run gets.
pub fn plan(contents: &Contents, only: &[String], argv: &[OsString]) -> Result<Plan> {
    let referenced = references(argv)?;
    for name in &referenced {
        if contents.get(name).is_none() {
            return Err(Error::new(
                Exit::DataErr,
                format!("placeholder {{{{secure.{name}}}}} names no stored secret"),
            )
            .hint("`vault list` shows the names"));
        }
    }
    let env = if only.is_empty() {
        if referenced.is_empty() {
            contents
                .secrets
                .keys()
                .filter_map(|k| SecretName::stored(k).ok())
                .collect()
        } else {
            referenced.clone()
        }
    } else {
        let mut chosen: Vec<SecretName> = Vec::new();
        for raw in only.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            let name = SecretName::stored(raw)?;
            if contents.get(&name).is_none() {
                return Err(Error::new(
                    Exit::DataErr,
                    format!("--only names {name}, which is not stored"),
                )
                .hint("`vault list` shows the names"));
            }
            if !chosen.contains(&name) {
                chosen.push(name);
            }
        }
        if chosen.is_empty() {
            return Err(Error::new(Exit::Usage, "--only needs at least one name"));
        }
        if let Some(outside) = referenced.iter().find(|r| !chosen.contains(r)) {
            return Err(Error::new(
                Exit::DataErr,
                format!("placeholder {{{{secure.{outside}}}}} names a secret that --only excludes"),
            ));
        }
        chosen
    };
    // A name reserved since it was stored (an older vault, a hand edit) is never injected.
    for name in env.iter().chain(&referenced) {
        name.check_injectable()?;
    }
    Ok(Plan { env, referenced })
}

/// The argv with every placeholder replaced by its value (byte-exact, zeroized on drop).
pub fn substitute(argv: &[OsString], contents: &Contents) -> Result<Vec<Zeroizing<Vec<u8>>>> {
    let mut out = Vec::with_capacity(argv.len());
    for (i, arg) in argv.iter().enumerate() {
        let mut result = Zeroizing::new(Vec::with_capacity(arg.len()));
        let rest = for_each_placeholder(arg.as_bytes(), i, |before, name| {
            let entry = contents.get(&name).ok_or_else(|| {
                Error::new(
                    Exit::DataErr,
                    format!(
                        "placeholder {{{{secure.{}}}}} names no stored secret",
                        contents.shown(&name)
                    ),
                )
            })?;
            result.reserve(before.len() + entry.value.len());
            result.extend_from_slice(before);
            result.extend_from_slice(entry.value.expose());
            Ok(())
        })?;
        result.extend_from_slice(rest);
        out.push(result);
    }
    Ok(out)
}

/// Turns zeroizing argv bytes into the OsStrings `Command` needs. The copies live until
/// the spawn; `Command` keeps its own C strings, which std frees without zeroizing.
#[must_use]
pub fn to_os(args: &[Zeroizing<Vec<u8>>]) -> Vec<OsString> {
    args.iter()
        .map(|a| OsString::from_vec(a.to_vec()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{plan, references, substitute};
    use crate::secret::SecretValue;
    use crate::secrets::{Contents, Entry};
    use std::ffi::OsString;
    use zeroize::Zeroizing;

    fn store(names: &[(&str, &str)]) -> Contents {
        let mut c = Contents::new(vec![]);
        for (n, v) in names {
            c.secrets.insert(
                (*n).to_string(),
                Entry {
                    value: SecretValue::new(Zeroizing::new(v.as_bytes().to_vec())),
                    created: 0,
                    updated: 0,
                    description: None,
                    policy: Default::default(),
                },
            );
        }
        c
    }

    fn argv(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn entries_follow_the_plan_in_store_order_or_as_chosen() {
        let c = store(&[("A", "1"), ("B", "2"), ("C", "3"), ("D", "4")]);
        let values = |p: &super::Plan| -> Vec<(String, Vec<u8>)> {
            p.entries(&c)
                .into_iter()
                .map(|(n, e)| (n.to_string(), e.value.expose().to_vec()))
                .collect()
        };
        let all = plan(&c, &[], &argv(&["true"])).unwrap();
        assert_eq!(
            values(&all),
            [("A", b"1"), ("B", b"2"), ("C", b"3"), ("D", b"4")]
                .map(|(n, v)| (n.to_string(), v.to_vec()))
        );
        let some = plan(&c, &["B".into(), "D".into()], &argv(&["true"])).unwrap();
        assert_eq!(
            values(&some),
            [("B", b"2"), ("D", b"4")].map(|(n, v)| (n.to_string(), v.to_vec()))
        );
        let unsorted = plan(&c, &["D".into(), "A".into()], &argv(&["true"])).unwrap();
        assert_eq!(
            values(&unsorted),
            [("D", b"4"), ("A", b"1")].map(|(n, v)| (n.to_string(), v.to_vec()))
        );
    }

    fn names(p: &[crate::secret::SecretName]) -> Vec<&str> {
        p.iter().map(|n| n.as_str()).collect()
    }

    #[test]
    fn narrowing_rules() {
        let c = store(&[("A", "aaaaaaaa"), ("B", "bbbbbbbb"), ("C", "cccccccc")]);
        let all = plan(&c, &[], &argv(&["env"])).unwrap();
        assert_eq!(names(&all.env), ["A", "B", "C"]);
        let refd = plan(&c, &[], &argv(&["echo", "x{{secure.B}}y", "{{secure.B}}"])).unwrap();
        assert_eq!(names(&refd.env), ["B"]);
        let only = plan(
            &c,
            &["A".into(), "C".into()],
            &argv(&["echo", "{{secure.C}}"]),
        )
        .unwrap();
        assert_eq!(names(&only.env), ["A", "C"]);
        assert!(plan(&c, &["A".into()], &argv(&["echo", "{{secure.B}}"])).is_err());
        assert!(plan(&c, &["Z".into()], &argv(&["echo"])).is_err());
        assert!(plan(&c, &[], &argv(&["echo", "{{secure.Z}}"])).is_err());
    }

    #[test]
    fn malformed_placeholders_refuse() {
        for bad in [
            "{{secure.A",
            "{{secure.}}",
            "{{secure.A-B}}",
            "{{secure. A}}",
        ] {
            assert!(references(&argv(&[bad])).is_err(), "{bad}");
        }
        assert!(
            references(&argv(&[
                "{{other.A}}",
                "{x.A}",
                "${HOME}",
                "{{ .Values.x }}",
                "{}"
            ]))
            .unwrap()
            .is_empty()
        );
    }

    #[test]
    fn near_misses_refuse_and_name_only_the_start() {
        for (bad, start) in [
            ("{{ secure.API_KEY }}", "{{ secure."),
            ("{{secret.API_KEY}}", "{{secret."),
            ("x{{secrets.API_KEY}}", "{{secrets."),
            ("{secure.API_KEY}", "{secure."),
            ("{{SECURE.API_KEY}}", "{{SECURE."),
            ("{{secure .API_KEY}}", "{{secure ."),
            ("{{ vault.API_KEY }}", "{{ vault."),
            ("{{secur.API_KEY}}", "{{secur."),
            ("ok {{secure.A}} then {{ secure.B }}", "{{ secure."),
        ] {
            let err = references(&argv(&[bad])).unwrap_err();
            assert!(
                err.message.contains(&format!("`{start}`")),
                "{bad}: {}",
                err.message
            );
            assert!(!err.message.contains("API_KEY"), "{}", err.message);
            assert!(err.hint.unwrap().contains("{{secure.NAME}}"));
        }
        assert!(references(&argv(&["{{secure.API_KEY}}"])).is_ok());
        assert!(
            references(&argv(&["{score.total}", "{sure.x}"]))
                .unwrap()
                .is_empty()
        );
        assert!(references(&argv(&["{{{secure.API_KEY}}}"])).is_ok());
    }

    #[test]
    fn substitution_is_byte_exact() {
        let c = store(&[("A", "v a'l\"ue$(x)"), ("B", "bbbbbbbb")]);
        let out = substitute(
            &argv(&["pre{{secure.A}}mid{{secure.B}}", "{{secure.A}}"]),
            &c,
        )
        .unwrap();
        assert_eq!(&out[0][..], b"prev a'l\"ue$(x)midbbbbbbbb");
        assert_eq!(&out[1][..], b"v a'l\"ue$(x)");
    }
}

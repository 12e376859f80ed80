//! The shared option matcher: a program's option spec and the tokens it
//! splits an argv into.

use super::{Evasion, Loc, ev, get};

// ---------------------------------------------------------------------------
// Option parsing shared by the program handlers

/// What a program's options look like. Whether a long option takes a value
/// is decided on its exact name; evasion checks ([`is_long`]) also match
/// abbreviations of 3+ characters, because GNU getopt, argparse, git and
/// MySQL accept them (`wget --exec` is `--execute`).
pub(super) struct Spec {
    /// Short options that take a value (attached or next word).
    pub(super) short_val: &'static str,
    /// Short options whose value can only be attached (`mysql -pPASS`).
    pub(super) short_attached: &'static str,
    /// Long options (without `--`) that take a value.
    pub(super) long_val: &'static [&'static str],
    /// Long option prefixes that take a value (`expand-`).
    pub(super) long_val_prefix: &'static [&'static str],
    /// How the program matches a long option it is given against its own.
    pub(super) abbrev: Abbrev,
}

/// A client's rule for abbreviated long options, applied once here so every
/// handler sees full names (`curl --location-t` is `--location-trusted`).
#[derive(Clone, Copy)]
pub(super) enum Abbrev {
    /// Only exact names (or no long options at all).
    Exact,
    /// GNU `getopt_long`, git's parse-options, argparse, MySQL: an exact
    /// name, or a prefix of exactly one of the program's long options. The
    /// slice lists every long option when it is known; when it is empty,
    /// an inexact name that could abbreviate one of `long_val` cannot be
    /// resolved and is refused.
    Prefix(&'static [&'static str]),
    /// curl up to 8.5: like `Prefix`, and case-insensitive.
    PrefixNoCase(&'static [&'static str]),
}

/// The result of matching one long option name.
enum Resolved {
    /// The program's full name for it (or the name as given, when it
    /// matches none: the program then rejects it or we do not model it).
    Name(String),
    /// It abbreviates more than one option, or one of a list we do not
    /// fully know.
    Unsure,
}

#[derive(Debug)]
pub(super) enum Tok {
    /// `name` is `-x` or `--long`; `idx` is where the option is, `vidx`
    /// where its value is (same word when attached).
    Opt {
        name: String,
        value: Option<String>,
        idx: usize,
        vidx: usize,
    },
    Pos {
        word: String,
        idx: usize,
    },
}

/// Resolve a long option name against a list, allowing abbreviations.
pub(super) fn long_matches(name: &str, list: &[&str]) -> bool {
    list.contains(&name) || (name.len() >= 3 && list.iter().any(|l| l.starts_with(name)))
}

impl Spec {
    /// Exact names only: guessing that an abbreviation takes a value could
    /// swallow a target, while guessing it does not only adds destinations.
    pub(super) fn takes_value_long(&self, name: &str) -> bool {
        self.long_val.contains(&name) || self.long_val_prefix.iter().any(|p| name.starts_with(p))
    }

    /// The program's full name for the long option `name` (without `--`).
    fn resolve(&self, name: &str) -> Resolved {
        let (all, nocase) = match self.abbrev {
            Abbrev::Exact => return Resolved::Name(name.to_string()),
            Abbrev::Prefix(all) => (all, false),
            Abbrev::PrefixNoCase(all) => (all, true),
        };
        let same = |a: &str, b: &str| {
            if nocase {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        let known = || all.iter().chain(self.long_val).copied();
        if let Some(full) = known().find(|k| same(k, name)) {
            return Resolved::Name(full.to_string());
        }
        if self.long_val_prefix.iter().any(|p| name.starts_with(p)) {
            return Resolved::Name(name.to_string());
        }
        let mut hits: Vec<&str> = known()
            .filter(|k| k.get(..name.len()).is_some_and(|head| same(head, name)))
            .collect();
        hits.sort_unstable();
        hits.dedup();
        // With the full list unknown, a name that ends where one of the hits has a
        // `-` (`--ssl` beside `--ssl-cert`) is most likely an option of its own.
        let whole_word = || {
            all.is_empty()
                && hits
                    .iter()
                    .all(|h| h.as_bytes().get(name.len()) == Some(&b'-'))
        };
        match hits.as_slice() {
            [] => Resolved::Name(name.to_string()),
            [one] if !all.is_empty() => Resolved::Name((*one).to_string()),
            _ if whole_word() => Resolved::Name(name.to_string()),
            // Two or more: the program refuses it as ambiguous, which is
            // harmless, but saying so is clearer than guessing.
            _ => Resolved::Unsure,
        }
    }

    /// Split args into options and positionals. With `stop_at_pos`,
    /// everything from the first positional on is positional (wrappers,
    /// `ssh host cmd…`). Long options come out under the program's full
    /// name ([`Abbrev`]); one that cannot be resolved is refused.
    pub(super) fn parse(
        &self,
        args: &[String],
        stop_at_pos: bool,
        loc: &Loc,
    ) -> Result<Vec<Tok>, Evasion> {
        let mut out = Vec::new();
        let mut i = 0;
        let mut only_pos = false;
        while let Some(w) = get(args, i) {
            if only_pos || w == "-" || !w.starts_with('-') {
                out.push(Tok::Pos {
                    word: w.to_string(),
                    idx: i,
                });
                if stop_at_pos {
                    only_pos = true;
                }
                i += 1;
                continue;
            }
            if w == "--" {
                only_pos = true;
                i += 1;
                continue;
            }
            if let Some(given) = w.strip_prefix("--") {
                let (given_name, given_value) = match given.split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (given, None),
                };
                let resolved = match self.resolve(given_name) {
                    Resolved::Name(n) => n,
                    Resolved::Unsure => {
                        return Err(ev(
                            format!(
                                "`--{given_name}` abbreviates more than one option, or one vault cannot tell apart; spell the option out"
                            ),
                            loc.src("option", i),
                        ));
                    }
                };
                let long = resolved.as_str();
                if let Some(value) = given_value {
                    let name = long;
                    out.push(Tok::Opt {
                        name: format!("--{name}"),
                        value: Some(value.to_string()),
                        idx: i,
                        vidx: i,
                    });
                } else if self.takes_value_long(long) {
                    out.push(Tok::Opt {
                        name: format!("--{long}"),
                        value: get(args, i + 1).map(str::to_string),
                        idx: i,
                        vidx: i + 1,
                    });
                    i += 1;
                } else {
                    out.push(Tok::Opt {
                        name: format!("--{long}"),
                        value: None,
                        idx: i,
                        vidx: i,
                    });
                }
                i += 1;
                continue;
            }
            // Short cluster: `-sSL`, `-XPOST`, `-o file`.
            let cluster: Vec<char> = w.chars().skip(1).collect();
            let mut consumed_next = false;
            for (k, c) in cluster.iter().enumerate() {
                let rest: String = cluster.iter().skip(k + 1).collect();
                if self.short_val.contains(*c) {
                    if rest.is_empty() {
                        out.push(Tok::Opt {
                            name: format!("-{c}"),
                            value: get(args, i + 1).map(str::to_string),
                            idx: i,
                            vidx: i + 1,
                        });
                        consumed_next = true;
                    } else {
                        out.push(Tok::Opt {
                            name: format!("-{c}"),
                            value: Some(rest),
                            idx: i,
                            vidx: i,
                        });
                    }
                    break;
                }
                if self.short_attached.contains(*c) {
                    out.push(Tok::Opt {
                        name: format!("-{c}"),
                        value: (!rest.is_empty()).then_some(rest),
                        idx: i,
                        vidx: i,
                    });
                    break;
                }
                out.push(Tok::Opt {
                    name: format!("-{c}"),
                    value: None,
                    idx: i,
                    vidx: i,
                });
            }
            i += if consumed_next { 2 } else { 1 };
        }
        Ok(out)
    }
}

/// Is `name` (`--x` form) one of the long options in `list`, allowing
/// abbreviations?
pub(super) fn is_long(name: &str, list: &[&str]) -> bool {
    name.strip_prefix("--")
        .is_some_and(|n| long_matches(n, list))
}

/// `NAME=value` where NAME is a shell identifier.
pub(super) fn assignment(w: &str) -> Option<(&str, &str)> {
    let (name, value) = w.split_once('=')?;
    let mut b = name.bytes();
    let ok = b
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_');
    ok.then_some((name, value))
}

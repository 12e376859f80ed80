//! The shared option matcher: a program's option spec and the tokens it
//! splits an argv into.

use super::get;

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

    /// Split args into options and positionals. With `stop_at_pos`,
    /// everything from the first positional on is positional (wrappers,
    /// `ssh host cmd…`).
    pub(super) fn parse(&self, args: &[String], stop_at_pos: bool) -> Vec<Tok> {
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
            if let Some(long) = w.strip_prefix("--") {
                if let Some((name, value)) = long.split_once('=') {
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
                        name: w.to_string(),
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
        out
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

//! The broker's streaming replacer: finds fixed byte strings in a stream cut into arbitrary
//! chunks and either replaces each with a string of the same length or stops the stream
//! ("refuse"). Used both ways: stand-in → value towards an allowed host (a stand-in bound
//! for a host its secret does not allow refuses), value → stand-in towards the child.
//!
//! Matching is leftmost-longest (aho-corasick). A match is committed only once no longer
//! pattern could still start at or before it with more input, and output is held back only
//! for the longest tail of the input that is a proper prefix of some pattern, so a prompt
//! or a streamed event is not delayed by bytes that cannot become a match. The output
//! therefore does not depend on how the input was cut. Held bytes are zeroized when dropped
//! (towards the host they may already be a real value).
//!
//! Pure: no I/O.

use aho_corasick::{AhoCorasick, MatchKind};
use zeroize::{Zeroize, Zeroizing};

/// What to do with a found pattern.
#[derive(Clone)]
pub enum Action {
    /// Replace it with these bytes (same length as the pattern).
    Replace(Zeroizing<Vec<u8>>),
    /// Stop: the stream carries something it must not; the tag says what.
    Refuse(usize),
}

/// A refused pattern was found; the tag given with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused(pub usize);

/// A streaming replacer. Build once per direction and connection with [`Replacer::new`],
/// then [`Replacer::fresh`] per message.
#[derive(Clone)]
pub struct Replacer {
    ac: Option<AhoCorasick>,
    patterns: Vec<Zeroizing<Vec<u8>>>,
    actions: Vec<Action>,
    held: Vec<u8>,
}

impl Drop for Replacer {
    fn drop(&mut self) {
        self.held.zeroize();
    }
}

impl Replacer {
    /// A replacer for `(pattern, action)` pairs. Empty patterns are ignored. A `Replace`
    /// whose replacement differs in length from its pattern is a programming error and
    /// panics in debug builds.
    #[must_use]
    pub fn new(rules: Vec<(Zeroizing<Vec<u8>>, Action)>) -> Self {
        let (patterns, actions): (Vec<_>, Vec<_>) =
            rules.into_iter().filter(|(p, _)| !p.is_empty()).unzip();
        for (p, a) in patterns.iter().zip(&actions) {
            if let Action::Replace(r) = a {
                debug_assert_eq!(p.len(), r.len(), "same-length replacement");
            }
        }
        let ac = if patterns.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(patterns.iter().map(|p| p.as_slice()))
                .ok()
        };
        Self {
            ac,
            patterns,
            actions,
            held: Vec::new(),
        }
    }

    /// The same rules with nothing held (for the next message).
    #[must_use]
    pub fn fresh(&self) -> Self {
        Self {
            ac: self.ac.clone(),
            patterns: self.patterns.clone(),
            actions: self.actions.clone(),
            held: Vec::new(),
        }
    }

    /// Whether any pattern is set (an empty replacer passes everything through untouched).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Bytes currently held back.
    #[must_use]
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// Feeds `input`; appends to `out` what can be released.
    ///
    /// # Errors
    /// A refused pattern was found. `out` then holds everything before it; the replacer
    /// must not be used again.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Refused> {
        let Some(ac) = self.ac.as_ref() else {
            out.extend_from_slice(input);
            return Ok(());
        };
        let mut buf = std::mem::take(&mut self.held);
        buf.extend_from_slice(input);
        let mut pos = 0;
        loop {
            let pending = self.pending_start(&buf, pos);
            let found = ac.find(aho_corasick::Input::new(&buf).range(pos..));
            match found {
                Some(m) if pending.is_none_or(|q| q > m.start()) => {
                    out.extend_from_slice(&buf[pos..m.start()]);
                    match &self.actions[m.pattern().as_usize()] {
                        Action::Replace(r) => out.extend_from_slice(r),
                        Action::Refuse(tag) => {
                            buf.zeroize();
                            return Err(Refused(*tag));
                        }
                    }
                    pos = m.end();
                }
                _ => {
                    let keep = pending.unwrap_or(buf.len());
                    out.extend_from_slice(&buf[pos..keep]);
                    self.held = buf[keep..].to_vec();
                    buf.zeroize();
                    return Ok(());
                }
            }
        }
    }

    /// End of the stream: releases what is held, replaced.
    ///
    /// # Errors
    /// A refused pattern was found in the held bytes.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), Refused> {
        let Some(ac) = self.ac.as_ref() else {
            return Ok(());
        };
        let mut buf = std::mem::take(&mut self.held);
        let mut pos = 0;
        let mut result = Ok(());
        for m in ac.find_iter(&buf) {
            out.extend_from_slice(&buf[pos..m.start()]);
            match &self.actions[m.pattern().as_usize()] {
                Action::Replace(r) => out.extend_from_slice(r),
                Action::Refuse(tag) => {
                    result = Err(Refused(*tag));
                    pos = buf.len();
                    break;
                }
            }
            pos = m.end();
        }
        if result.is_ok() {
            out.extend_from_slice(&buf[pos..]);
        }
        buf.zeroize();
        result
    }

    /// The first position `q >= from` where some pattern could start but does not yet fit
    /// (`buf[q..]` is a proper prefix of a longer pattern). Only the last
    /// (longest pattern − 1) bytes can be such a start.
    fn pending_start(&self, buf: &[u8], from: usize) -> Option<usize> {
        let longest = self.patterns.iter().map(|p| p.len()).max().unwrap_or(0);
        let lo = from.max(buf.len().saturating_sub(longest.saturating_sub(1)));
        (lo..buf.len()).find(|&q| {
            let tail = &buf[q..];
            self.patterns
                .iter()
                .any(|p| p.len() > tail.len() && p.starts_with(tail))
        })
    }
}

/// One shot over a complete buffer (a request or response head).
///
/// # Errors
/// A refused pattern was found.
pub fn replace_all(r: &Replacer, input: &[u8]) -> Result<Vec<u8>, Refused> {
    let mut r = r.fresh();
    let mut out = Vec::with_capacity(input.len());
    r.feed(input, &mut out)?;
    r.finish(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn z(s: &str) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(s.as_bytes().to_vec())
    }

    fn rep(pairs: &[(&str, &str)], refuse: &[&str]) -> Replacer {
        let mut rules: Vec<(Zeroizing<Vec<u8>>, Action)> = pairs
            .iter()
            .map(|(a, b)| (z(a), Action::Replace(z(b))))
            .collect();
        for (i, r) in refuse.iter().enumerate() {
            rules.push((z(r), Action::Refuse(i)));
        }
        Replacer::new(rules)
    }

    fn run(r: &Replacer, chunks: &[&[u8]]) -> Result<Vec<u8>, Refused> {
        let mut r = r.fresh();
        let mut out = Vec::new();
        for c in chunks {
            r.feed(c, &mut out)?;
        }
        r.finish(&mut out)?;
        Ok(out)
    }

    #[test]
    fn replaces_across_chunks() {
        let r = rep(&[("STANDIN1", "realval1")], &[]);
        let out = run(&r, &[b"a STAN", b"DI", b"N1 b STANDIN1"]).expect("ok");
        assert_eq!(out, b"a realval1 b realval1");
    }

    #[test]
    fn holds_only_a_possible_prefix() {
        let mut r = rep(&[("STANDIN1", "realval1")], &[]);
        let mut out = Vec::new();
        r.feed(b"prompt> ", &mut out).expect("ok");
        assert_eq!(out, b"prompt> ", "nothing that could start a match is held");
        r.feed(b"xx STA", &mut out).expect("ok");
        assert_eq!(r.held(), 3);
        r.feed(b"RT", &mut out).expect("ok");
        assert_eq!(r.held(), 0);
        assert_eq!(out, b"prompt> xx START");
    }

    #[test]
    fn longer_pattern_wins_over_its_prefix() {
        let r = rep(&[("abc", "xyz"), ("abcdef", "123456")], &[]);
        assert_eq!(run(&r, &[b"ab", b"c", b"def"]).expect("ok"), b"123456");
        assert_eq!(run(&r, &[b"ab", b"c", b"deX"]).expect("ok"), b"xyzdeX");
        assert_eq!(run(&r, &[b"abc"]).expect("ok"), b"xyz");
    }

    #[test]
    fn refusal_stops_the_stream() {
        let r = rep(&[("good", "GOOD")], &["evil-stand-in"]);
        let mut r2 = r.fresh();
        let mut out = Vec::new();
        r2.feed(b"good then evil-st", &mut out).expect("not yet");
        let e = r2.feed(b"and-in more", &mut out).expect_err("refused");
        assert_eq!(e, Refused(0));
        assert_eq!(
            out, b"GOOD then ",
            "nothing of the refused pattern went out"
        );
        assert_eq!(replace_all(&r, b"x evil-stand-in"), Err(Refused(0)));
    }

    #[test]
    fn empty_passes_through() {
        let r = Replacer::new(Vec::new());
        assert!(r.is_empty());
        assert_eq!(run(&r, &[b"\xff\x00abc"]).expect("ok"), b"\xff\x00abc");
    }

    proptest! {
        #[test]
        fn independent_of_chunking(
            body in proptest::collection::vec(prop_oneof![Just(b"TOKEN-1".to_vec()), Just(b"TOK".to_vec()), Just(b"x".to_vec()), Just(b"TOKEN-12".to_vec())], 0..40),
            cuts in proptest::collection::vec(0usize..400, 0..8),
        ) {
            let input: Vec<u8> = body.concat();
            let r = rep(&[("TOKEN-1", "value-1"), ("TOKEN-12", "value-12")], &[]);
            let whole = run(&r, &[&input]).expect("ok");
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(input.len())).collect();
            cuts.sort_unstable();
            let mut chunks: Vec<&[u8]> = Vec::new();
            let mut last = 0;
            for c in cuts { chunks.push(&input[last..c]); last = c; }
            chunks.push(&input[last..]);
            let split = run(&r, &chunks).expect("ok");
            prop_assert_eq!(&whole, &split);
            prop_assert_eq!(whole.len(), input.len());
            prop_assert!(!whole.windows(7).any(|w| w == b"TOKEN-1"));
        }
    }
}

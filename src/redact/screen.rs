//! What a terminal shows: recognising the escape sequences (CSI, OSC and the other ESC
//! forms) that a terminal interprets instead of printing, so that the redactor can match on
//! the visible bytes (`grep --color` paints a match as `FAKE-\e[01;31m\e[Ksecret\e[m\e[K-value`,
//! which shows `FAKE-secret-value` on the screen). Pure: a byte-at-a-time state machine.
//!
//! A sequence is: `ESC [` parameters and intermediates, then one final byte (CSI); `ESC ]`
//! (OSC) or `ESC P`/`X`/`^`/`_` (DCS, SOS, PM, APC) then printable or non-ASCII bytes up to BEL
//! or `ESC \`; `ESC` intermediates then one final byte (nF, e.g. `ESC ( B`); or `ESC` and one
//! final byte (`ESC 7`, `ESC =`). Anything else — a control byte where the grammar wants
//! another byte, or a sequence longer than [`MAX_CSI`] / [`MAX_STRING`] — is not a sequence,
//! and its bytes count as visible. The decision depends only on the bytes, never on how they
//! were chunked.

use zeroize::Zeroizing;

/// The escape byte.
pub(super) const ESC: u8 = 0x1b;
/// Longest CSI / nF / two-byte sequence recognised.
const MAX_CSI: usize = 64;
/// Longest OSC / DCS / SOS / PM / APC string recognised (an OSC 8 hyperlink fits).
const MAX_STRING: usize = 4096;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// `ESC` seen.
    Esc,
    Csi,
    /// `ESC` and intermediates (0x20–0x2F).
    Nf,
    /// A string (OSC, DCS, …) up to BEL or ST.
    Str,
    /// An `ESC` inside a string: `\` ends it.
    StrEsc,
}

/// What one more byte did to the sequence being read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Step {
    /// Taken; the sequence goes on.
    More,
    /// Taken; the sequence is complete.
    Done,
    /// Not taken: the bytes so far are not a sequence (they are visible text) and this byte
    /// must be looked at again on its own.
    Rejected,
}

/// A sequence being read (bytes zeroized when dropped: it may hold part of a value).
pub(super) struct Escape {
    state: State,
    bytes: Zeroizing<Vec<u8>>,
}

impl Escape {
    pub(super) fn new() -> Escape {
        Escape {
            state: State::Esc,
            bytes: Zeroizing::new(Vec::new()),
        }
    }

    /// True while a sequence has started and is not complete.
    pub(super) fn active(&self) -> bool {
        !self.bytes.is_empty()
    }

    /// Feed the next byte: an `ESC` to start a sequence, or a byte of the active one.
    pub(super) fn push(&mut self, b: u8) -> Step {
        if self.bytes.is_empty() {
            if b != ESC {
                return Step::Rejected;
            }
            self.state = State::Esc;
            self.bytes.push(b);
            return Step::More;
        }
        let (step, next) = match self.state {
            State::Esc => match b {
                b'[' => (Step::More, State::Csi),
                b']' | b'P' | b'X' | b'^' | b'_' => (Step::More, State::Str),
                0x20..=0x2f => (Step::More, State::Nf),
                0x30..=0x7e => (Step::Done, State::Esc),
                _ => (Step::Rejected, State::Esc),
            },
            State::Csi => match b {
                0x20..=0x3f => (Step::More, State::Csi),
                0x40..=0x7e => (Step::Done, State::Esc),
                _ => (Step::Rejected, State::Esc),
            },
            State::Nf => match b {
                0x20..=0x2f => (Step::More, State::Nf),
                0x30..=0x7e => (Step::Done, State::Esc),
                _ => (Step::Rejected, State::Esc),
            },
            State::Str => match b {
                0x07 => (Step::Done, State::Esc),
                ESC => (Step::More, State::StrEsc),
                0x20..=0x7e | 0x80..=0xff => (Step::More, State::Str),
                _ => (Step::Rejected, State::Esc),
            },
            State::StrEsc => match b {
                b'\\' => (Step::Done, State::Esc),
                _ => (Step::Rejected, State::Esc),
            },
        };
        let max = if matches!(self.state, State::Str | State::StrEsc) {
            MAX_STRING
        } else {
            MAX_CSI
        };
        if step == Step::Rejected || self.bytes.len() >= max {
            return Step::Rejected;
        }
        self.bytes.push(b);
        self.state = next;
        step
    }

    /// The bytes read so far; the reader is then idle again.
    pub(super) fn take(&mut self) -> Zeroizing<Vec<u8>> {
        self.state = State::Esc;
        std::mem::replace(&mut self.bytes, Zeroizing::new(Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `input` into (visible, is_sequence) runs, as the redactor does.
    fn tokens(input: &[u8]) -> Vec<(Vec<u8>, bool)> {
        let mut e = Escape::new();
        let mut out = Vec::new();
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            if !e.active() && b != ESC {
                out.push((vec![b], false));
                i += 1;
                continue;
            }
            match e.push(b) {
                Step::More => i += 1,
                Step::Done => {
                    out.push((e.take().to_vec(), true));
                    i += 1;
                }
                Step::Rejected => out.push((e.take().to_vec(), false)),
            }
        }
        if e.active() {
            out.push((e.take().to_vec(), false));
        }
        out
    }

    fn sequences(input: &[u8]) -> Vec<Vec<u8>> {
        tokens(input)
            .into_iter()
            .filter(|t| t.1)
            .map(|t| t.0)
            .collect()
    }

    #[test]
    fn grep_colour_sequences_are_recognised() {
        assert_eq!(
            sequences(b"FAKE-\x1b[01;31m\x1b[Ksecret\x1b[m\x1b[K-value"),
            [&b"\x1b[01;31m"[..], b"\x1b[K", b"\x1b[m", b"\x1b[K"]
        );
    }

    #[test]
    fn osc_nf_and_two_byte_sequences() {
        assert_eq!(sequences(b"a\x1b]0;title\x07b"), [b"\x1b]0;title\x07"]);
        assert_eq!(
            sequences(b"\x1b]8;;http://x/\x1b\\link"),
            [&b"\x1b]8;;http://x/\x1b\\"[..]]
        );
        assert_eq!(sequences(b"\x1b(B\x1b7"), [&b"\x1b(B"[..], b"\x1b7"]);
    }

    #[test]
    fn broken_sequences_are_visible() {
        // A newline inside a CSI, an OSC cut by a control byte, a lone ESC at the end.
        assert!(sequences(b"\x1b[1\n").is_empty());
        assert!(sequences(b"\x1b]0;ti\ntle").is_empty());
        assert!(sequences(b"x\x1b").is_empty());
        let long = [b"\x1b[".to_vec(), vec![b'1'; 100], b"m".to_vec()].concat();
        assert!(sequences(&long).is_empty());
    }
}

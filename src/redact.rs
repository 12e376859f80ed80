//! Streaming redaction of secret values out of a command's output.
//!
//! This module owns four things and nothing else (it does no I/O and reads no clock):
//!
//! * [`Patterns`]: the compiled set of byte patterns derived from a set of secrets — the raw
//!   value, its PTY (`\r\n`) and per-line forms, and the common encodings a program might print
//!   it in (base64 at every alignment, hex, percent-encoding, JSON string escaping).
//! * [`Redactor`]: one output stream's redactor. It is fed arbitrary chunks and releases every
//!   byte as soon as that byte can no longer be part of a match, replacing each masked region
//!   with `[REDACTED:NAME]`. Output does not depend on how the input was chunked.
//! * [`Patterns::find_all`]: every (overlapping) match in a complete buffer, for `vault scan`.
//! * [`PatternSet`]: the patterns before compilation, which `vault run` compiles only when the
//!   child's output first needs them, and which redact a short text (argv, a message) by
//!   compiling just the patterns that occur in it.
//!
//! # Semantics
//!
//! All occurrences of all patterns are found (overlapping ones included). Occurrences that share
//! at least one byte are merged into one masked region (the union of their byte ranges);
//! occurrences that merely touch give separate markers. A region's marker names, in order of
//! first appearance, every secret that has an occurrence in it that is not contained in a longer
//! occurrence: so when one secret is a substring of another, the longer one wins and is the only
//! name shown, while partially overlapping secrets (`abc` and `bcdef` in `abcdef`) are both named
//! (`[REDACTED:A,B]`). Each named secret counts one redaction per region.
//!
//! # How the stream is scanned
//!
//! Each `feed` appends its input to a small context buffer that holds the last `longest() - 1`
//! bytes of the stream (enough for any match that ends in the new input to start inside it) and
//! finds every match that ends in the new input. To reach ≥ 1 GB/s with thousands of patterns,
//! the bytes are not all run through the automaton (an Aho–Corasick DFA walks about 300 MB/s with
//! a few thousand patterns): when every pattern is at least 8 bytes long, the stream is sampled
//! at offsets that are multiples of `k` and the `q`-byte gram at each sample is looked up in a
//! Bloom-style bitset backed by an exact hash table of the grams at offsets `0..k` of every
//! pattern. Any occurrence of a pattern (all are ≥ `k + q - 1` bytes) covers one sample at an
//! offset `< k`, so only windows around hits need the automaton. If some pattern is shorter,
//! every byte goes through the automaton. Either way the automaton's state carries over from one
//! feed to the next, so the work per feed does not grow with `longest()`.
//!
//! The hold-back is read off the automaton state at the end of the stream: the length of the
//! longest suffix of its string that is a *proper* prefix of some pattern. A table built with the
//! patterns gives each state's depth, which is that length unless the state is a whole pattern
//! that nothing extends; for such a leaf (the stream ends exactly at the end of a pattern) the
//! answer is its failure state's, found then by scanning the leaf's string minus its first byte.
//! Everything before that suffix, and before any masked region that could still grow, is
//! released. A masked region's bytes are never stored, only its extent,
//! so the bytes held are always fewer than `longest()`, however long a region grows.
//!
//! Nothing is built before it is needed: a [`PatternSet`] keeps the values and generates their
//! forms when a text long enough to hold one is redacted or when it is compiled; compiled
//! [`Patterns`] hold the sampling filter and the patterns sorted by their first bytes, and
//! build the automaton at the first sample that hits (a stream that never shows anything like
//! a secret never builds it: until then the hold-back of a feed's tail is found by binary
//! search in the sorted patterns).
//!
//! Matching sees what a terminal shows: complete escape sequences (CSI, OSC, …) are set aside
//! at their position in the visible stream and written back unless they fall strictly inside
//! a masked region, which replaces them along with the value (see `screen`). `vault redact`
//! uses [`Redactor::for_log`], which releases only at line ends (no prefix oracle).
//!
//! Secrets live here in pattern bytes (zeroized after the build), the gram tables and the
//! context buffer (both zeroized on drop). aho-corasick keeps its own copy of the patterns inside
//! the automaton, which cannot be zeroized; that is accepted (the values are in the child
//! process's environment anyway).
//!
//! # Rooms
//!
//! | file | owns | may import |
//! |---|---|---|
//! | `forms.rs` | [`Encoding`] and every form generated from a value (raw, lines, PTY, base64, hex, percent, JSON, …): values in, labelled byte patterns out | nothing of this module |
//! | `engine.rs` | [`Patterns`] (automaton, hold-back table, sampling filter), [`PatternSet`], [`Hit`] and [`Patterns::find_all`] | `forms`, `screen` |
//! | `screen.rs` | recognising terminal escape sequences (CSI, OSC, …), so matching sees what the screen shows | nothing of this module |
//! | `stream.rs` | [`Redactor`]: one stream's feed/finish, masked regions, escape sequences set aside and put back, the exact hold-back (and the log filter's line gate); [`PatternSet::redact_text`] | `engine`, `forms`, `screen` |
//!
//! `vault run` and `vault redact` (in `crate::cmd`) wrap a [`Redactor`] per output stream;
//! `vault scan` uses [`Patterns::find_all`].

mod engine;
mod forms;
mod screen;
mod stream;
#[cfg(test)]
mod tests;

pub use engine::{Hit, PatternSet, Patterns};
pub use forms::Encoding;
pub use stream::Redactor;

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
//! the bytes are not all run through an automaton (an Aho–Corasick DFA walks about 300 MB/s with
//! a few thousand patterns): when every pattern is at least 8 bytes long (the usual case), the
//! stream is sampled at offsets that are multiples of `k` and the `q`-byte gram at each sample
//! is looked up in a Bloom-style bitset of the grams at offsets `0..k` of every pattern. Any
//! occurrence of a pattern (all are ≥ `k + q - 1` bytes) covers exactly one sample at an offset
//! `< k`. On a hit, the gram's hash bucket lists the `(pattern, offset)` pairs whose gram hashes
//! there, and those patterns are compared with the stream at that sample: a whole match is
//! reported, one that runs past the end of the stream so far is kept as *partial* and compared
//! further as bytes arrive, and matches are handed on in order of their end. No automaton is
//! built on this path.
//!
//! The hold-back is exact: the length of the longest suffix of the stream that is a *proper*
//! prefix of some pattern. A suffix of at most `k + q - 2` bytes is found by binary search in
//! the patterns sorted by their bytes; a longer one covers a complete sample, so it is a partial
//! occurrence. Everything before that suffix, and before any masked region that could still
//! grow, is released. A masked region's bytes are never stored, only its extent, so the bytes
//! held are always fewer than `longest()`, however long a region grows.
//!
//! If some pattern is shorter than 8 bytes, every byte goes through an Aho–Corasick automaton
//! (`MatchKind::Standard`), whose state carries over from one feed to the next; there the
//! hold-back is read off the automaton state with a table built with it (each trie node's depth;
//! for a leaf, its failure state's, found by scanning the leaf's string minus its first byte).
//! [`Patterns::find_all`] builds the automaton on demand too.
//!
//! # Layout and cost
//!
//! Nothing is built before it is needed. A [`PatternSet`] keeps the values (one zeroizing
//! buffer) and generates their forms when a text long enough to hold one is redacted or when
//! it is compiled. Every form is written into one arena (a `crate::wipe::WipeVec`: grown by
//! hand, so no reallocation leaves a copy, and wiped with `explicit_bzero` as far as it was
//! written), each pattern an `(offset, length)` span of it; a form equal to
//! an earlier form of the same value is not stored, and the forms of different values are
//! deduplicated by one radix sort of their leading bytes, which is also the order the hold-back
//! search uses (identical bytes keep the first label). Compiled [`Patterns`] share that arena,
//! the span list and the sorted order through `Arc`s (no copy), and build the sampling
//! filter at the stream's first complete sample.
//! [`PatternSet::redact_text`] finds the patterns that occur in a short text by binary search
//! at each position and compiles just those.
//!
//! `vault run` compiles in two stages ([`PatternSet::compile_staged`]): the sampling filter
//! reads only grams that end within a form's first `k + q - 1` bytes, and the exact hold-back
//! only suffixes shorter than that, so the first stage is built from those *heads* alone
//! (encoders run on a prefix of the value). A sample that finds a whole head, or one cut off
//! by the stream's end, makes the redactor hand the piece over to the whole set, compiled
//! then, with the same grid; the first stage has found no match and no partial occurrence
//! before that, so the output is the whole set's.

//! Matching sees what a terminal shows: complete escape sequences (CSI, OSC, …) are set aside
//! at their position in the visible stream and written back unless they fall strictly inside
//! a masked region, which replaces them along with the value (see `screen`). `vault redact`
//! uses [`Redactor::for_log`], which releases only at line ends (no prefix oracle).
//!
//! Secrets live here in the values buffer and the pattern arena, the filter (bitset, buckets)
//! and the context buffer, all zeroized on drop. Where an automaton is built (the full-scan
//! path, `vault scan`), aho-corasick keeps its own copy of the patterns inside it, which cannot
//! be zeroized; that is accepted (the values are in the child process's environment anyway).
//!
//! # Rooms
//!
//! | file | owns | may import |
//! |---|---|---|
//! | `forms.rs` | [`Encoding`] and every form generated from a value (raw, lines, PTY, base64, hex, percent, JSON, …): values in, one arena of labelled, deduplicated, sorted spans out | nothing of this module |
//! | `engine.rs` | [`Patterns`] (shared pattern arena, sampling grid and filter with its candidate buckets, sorted order, automaton and hold-back table for the full-scan path), [`PatternSet`], [`Hit`] and [`Patterns::find_all`] | `forms`, `screen` |
//! | `screen.rs` | recognising terminal escape sequences (CSI, OSC, …), so matching sees what the screen shows | nothing of this module |
//! | `stream.rs` | [`Redactor`]: one stream's feed/finish, sample verification and partial occurrences (or the automaton scan), masked regions, escape sequences set aside and put back, the exact hold-back (and the log filter's line gate); [`PatternSet::redact_text`] | `engine`, `screen` |
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

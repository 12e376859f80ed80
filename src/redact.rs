//! Streaming redaction of secret values out of a command's output.
//!
//! This module owns three things and nothing else (it does no I/O and reads no clock):
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
//! Secrets live here in pattern bytes (zeroized after the build), the gram tables and the
//! context buffer (both zeroized on drop). aho-corasick keeps its own copy of the patterns inside
//! the automaton, which cannot be zeroized; that is accepted (the values are in the child
//! process's environment anyway).

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::noncontiguous;
use aho_corasick::{Anchored, MatchKind, StartKind, dfa};
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
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One match found by [`Patterns::find_all`]: `haystack[start..end]` is the `encoding` form of
/// secret number `secret` (an index into [`Patterns::names`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub secret: usize,
    pub encoding: Encoding,
}

/// Encoded forms shorter than this are dropped: they would match noise.
const MIN_ENCODED_LEN: usize = 8;
/// Values shorter than this get no encoded forms, for the same reason.
const MIN_VALUE_LEN_FOR_ENCODINGS: usize = 8;
/// Lines of a multi-line value shorter than this get no `Line` pattern.
const MIN_LINE_LEN: usize = 8;
/// Sampling is used only if every pattern is at least this long (else gram lookups would be
/// needed at almost every byte and would cost more than the automaton).
const MIN_LEN_FOR_SAMPLING: usize = 8;
/// Upper bound on the sampling stride: larger strides mean more grams per pattern and wider
/// verification windows for little gain.
const MAX_STRIDE: usize = 32;
/// Above this many automaton states (≈ total pattern bytes) the DFA's transition table (states ×
/// byte classes × 4 bytes) gets too big to build quickly and to keep in cache, so the
/// NFA is used instead. On the sampled path the automaton only sees verification windows and the
/// hold-back tail, so the slower NFA costs little there.
const DFA_MAX_STATES: usize = 100_000;
/// `feed` processes at most this many input bytes at a time, so the internal buffer stays small
/// however large the caller's chunks are.
const MAX_PIECE: usize = 256 * 1024;

/// The automaton. Both kinds are built with `MatchKind::Standard` (classic Aho–Corasick: every
/// trie node is kept, every overlapping match is reported, and the state after any text is the
/// trie node of the longest suffix of that text that is a prefix of some pattern) and without a
/// prefilter (so start states are not "special" in the search loop).
///
/// aho-corasick keeps its own copy of the pattern bytes inside the automaton, which we cannot
/// zeroize; that is an accepted limitation (the values are also in the process's environment).
enum Engine {
    Dfa(dfa::DFA),
    Nfa(noncontiguous::NFA),
}

/// Per-pattern metadata (no bytes).
#[derive(Clone, Copy)]
struct PatInfo {
    secret: u32,
    encoding: Encoding,
}

/// The compiled set of patterns for a set of secrets. Built once per run and shared (in an
/// `Arc`) by the redactors of several output streams.
pub struct Patterns {
    names: Vec<String>,
    info: Vec<PatInfo>,
    engine: Option<Engine>,
    /// For every automaton state, the length of the longest suffix of the state's string that
    /// is a proper prefix of some pattern. Read once or twice per feed, never per byte.
    holdback: HoldBack,
    filter: Option<Filter>,
    longest: usize,
}

/// Options for building [`Patterns`]; the defaults are what [`Patterns::new`] uses. Exposed to
/// the crate so tests can force each code path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BuildOptions {
    pub encodings: bool,
    /// `Some(true)` forces the DFA, `Some(false)` the NFA, `None` decides by size.
    pub dfa: Option<bool>,
    /// Disable the sampling filter (every byte goes through the automaton).
    pub full_scan: bool,
}

impl BuildOptions {
    /// What [`Patterns::new`] and [`PatternSet::compile`] use: the engine decided by size,
    /// sampling where every pattern allows it.
    fn default_for(encodings: bool) -> BuildOptions {
        BuildOptions {
            encodings,
            dfa: None,
            full_scan: false,
        }
    }
}

impl Patterns {
    /// Compile the patterns for `secrets`, given as `(name, value)`; the secret id of each is
    /// its index in this sequence. Names are plain identifiers used in the marker. Empty values
    /// get no pattern. `encodings = false` builds only the raw, line and CRLF forms (for
    /// benchmarks).
    pub fn new<'a>(
        secrets: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        encodings: bool,
    ) -> Patterns {
        Patterns::build(secrets, BuildOptions::default_for(encodings))
    }

    pub(crate) fn build<'a>(
        secrets: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        opts: BuildOptions,
    ) -> Patterns {
        PatternSet::new(secrets, opts.encodings).compile_with(opts)
    }

    /// Compile `specs` (each naming a secret by its index in `names`).
    fn from_specs(names: Vec<String>, specs: &[&PatternSpec], opts: BuildOptions) -> Patterns {
        let info: Vec<PatInfo> = specs
            .iter()
            .map(|p| PatInfo {
                secret: p.secret,
                encoding: p.encoding,
            })
            .collect();
        let bytes: Vec<&[u8]> = specs.iter().map(|p| p.bytes.as_slice()).collect();
        let longest = bytes.iter().map(|b| b.len()).max().unwrap_or(0);
        let shortest = bytes.iter().map(|b| b.len()).min().unwrap_or(0);
        if bytes.is_empty() {
            return Patterns {
                names,
                info,
                engine: None,
                holdback: HoldBack::default(),
                filter: None,
                longest,
            };
        }
        let total: usize = bytes.iter().map(|b| b.len()).sum();
        // The DFA walks every byte faster, but costs ~7x more to build (tens of ms at 100
        // secrets, paid on every `vault run`). With sampling the automaton only sees short
        // verification windows, so the quick-to-build NFA is used; the DFA only where every
        // byte goes through the automaton (a pattern shorter than the sampling minimum).
        let full_scan = opts.full_scan || shortest < MIN_LEN_FOR_SAMPLING;
        let use_dfa = opts.dfa.unwrap_or(full_scan && total <= DFA_MAX_STATES);
        let engine = if use_dfa {
            Engine::Dfa(
                dfa::Builder::new()
                    .match_kind(MatchKind::Standard)
                    .start_kind(StartKind::Unanchored)
                    .prefilter(false)
                    .build(&bytes)
                    .expect("a Standard DFA over non-empty patterns always builds"),
            )
        } else {
            Engine::Nfa(
                noncontiguous::Builder::new()
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(&bytes)
                    .expect("a Standard NFA over non-empty patterns always builds"),
            )
        };
        let holdback = match &engine {
            Engine::Dfa(a) => holdback_table(a, &bytes, total),
            Engine::Nfa(a) => holdback_table(a, &bytes, total),
        };
        let filter = if full_scan {
            None
        } else {
            Some(Filter::new(&bytes, shortest))
        };
        Patterns {
            names,
            info,
            engine: Some(engine),
            holdback,
            filter,
            longest,
        }
    }

    /// True if there is no pattern at all (no secret, or only empty values).
    pub fn is_empty(&self) -> bool {
        self.info.is_empty()
    }

    /// Number of distinct patterns.
    pub fn len(&self) -> usize {
        self.info.len()
    }

    /// Secret names; the index is the secret id used by [`Hit::secret`] and
    /// [`Redactor::counts`].
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Length of the longest pattern in bytes (0 if there is none).
    pub fn longest(&self) -> usize {
        self.longest
    }

    /// Every match in a complete buffer, overlapping ones included, in order of end offset.
    pub fn find_all<'h>(&'h self, haystack: &'h [u8]) -> impl Iterator<Item = Hit> + 'h {
        FindAll {
            patterns: self,
            haystack,
            pos: 0,
            sid: self.engine.as_ref().map(Engine::start),
            pending: None,
        }
    }

    /// Hold-back length for `sid`, the automaton state after the last byte of `w`: the length
    /// of the longest suffix of `w` that is a proper prefix of some pattern. The state's string
    /// is a suffix of `w` (`w` always holds the stream's last `longest()` bytes, or all of it).
    fn holdback_of<A: Automaton>(&self, a: &A, mut sid: StateID, w: &[u8]) -> usize {
        loop {
            match self.holdback.get(sid) {
                Some(Node::Prefix(depth)) => return depth,
                // The failure node is shallower, so this ends.
                Some(Node::Leaf(depth)) if (1..=w.len()).contains(&depth) => {
                    sid = scan(
                        a,
                        start_state(a),
                        w,
                        w.len() - depth + 1,
                        w.len(),
                        |_, _, _| {},
                    );
                }
                // Every reachable state is a trie node and all are in the table; were one
                // missing, holding back the maximum is still correct (only later).
                _ => return self.longest.saturating_sub(1),
            }
        }
    }
}

/// The patterns of a set of secrets, generated but not compiled: cheap to make (no automaton),
/// enough to redact a short text on its own ([`PatternSet::redact_text`]), and compiled into
/// [`Patterns`] when a stream needs them — `vault run` does that at the child's first byte
/// of output.
pub struct PatternSet {
    names: Vec<String>,
    list: Vec<PatternSpec>,
    encodings: bool,
}

impl PatternSet {
    /// The patterns for `secrets`, given as `(name, value)`, as [`Patterns::new`] takes them.
    pub fn new<'a>(
        secrets: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        encodings: bool,
    ) -> PatternSet {
        let secrets: Vec<(&str, &[u8])> = secrets.into_iter().collect();
        PatternSet {
            names: secrets.iter().map(|(n, _)| (*n).to_owned()).collect(),
            list: pattern_list(&secrets, encodings),
            encodings,
        }
    }

    /// Secret names, indexed as in [`Patterns::names`].
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Compile the automaton (milliseconds per hundred secrets).
    pub fn compile(&self) -> Patterns {
        self.compile_with(BuildOptions::default_for(self.encodings))
    }

    fn compile_with(&self, opts: BuildOptions) -> Patterns {
        let specs: Vec<&PatternSpec> = self.list.iter().collect();
        Patterns::from_specs(self.names.clone(), &specs, opts)
    }

    /// `text` redacted as a whole, exactly as a [`Redactor`] over [`PatternSet::compile`] would
    /// redact it, but compiling only the patterns that occur in it (usually none): for argv and
    /// messages, where building every pattern would cost more than the text.
    pub fn redact_text(&self, text: &[u8]) -> Vec<u8> {
        // A pattern that does not occur cannot take part in a match, so leaving it out changes
        // nothing in the output.
        let present: Vec<&PatternSpec> = self
            .list
            .iter()
            .filter(|p| memchr::memmem::find(text, &p.bytes).is_some())
            .collect();
        if present.is_empty() {
            return text.to_vec();
        }
        let opts = BuildOptions::default_for(self.encodings);
        let patterns = Arc::new(Patterns::from_specs(self.names.clone(), &present, opts));
        let mut r = Redactor::new(patterns);
        let mut out = Vec::with_capacity(text.len());
        r.feed(text, &mut out);
        r.finish(&mut out);
        out
    }
}

impl fmt::Debug for PatternSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PatternSet")
            .field("secrets", &self.names.len())
            .field("patterns", &self.list.len())
            .finish()
    }
}

impl fmt::Debug for Patterns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Patterns")
            .field("secrets", &self.names.len())
            .field("patterns", &self.info.len())
            .field(
                "engine",
                &match self.engine {
                    None => "none",
                    Some(Engine::Dfa(_)) => "dfa",
                    Some(Engine::Nfa(_)) => "nfa",
                },
            )
            .field("sampled", &self.filter.is_some())
            .finish()
    }
}

impl Engine {
    fn start(&self) -> StateID {
        match self {
            Engine::Dfa(a) => start_state(a),
            Engine::Nfa(a) => start_state(a),
        }
    }
}

fn start_state<A: Automaton>(a: &A) -> StateID {
    a.start_state(Anchored::No)
        .expect("automata are built with an unanchored start state")
}

/// Run the automaton over `hay[from..to]` starting in `sid`, calling `on_match(start, end,
/// pattern)` for every match (in order of end offset), and return the final state.
#[inline(always)]
fn scan<A: Automaton>(
    a: &A,
    mut sid: StateID,
    hay: &[u8],
    from: usize,
    to: usize,
    mut on_match: impl FnMut(usize, usize, usize),
) -> StateID {
    for (i, &b) in hay[from..to].iter().enumerate() {
        sid = a.next_state(Anchored::No, sid, b);
        if a.is_special(sid) && a.is_match(sid) {
            let end = from + i + 1;
            for m in 0..a.match_len(sid) {
                let pid = a.match_pattern(sid, m);
                on_match(end - a.pattern_len(pid), end, pid.as_usize());
            }
        }
    }
    sid
}

/// What the hold-back needs to know of each automaton state (trie node), as a flat table. The
/// NFA's state ids are dense and the DFA's are premultiplied (all multiples of one power of
/// two), so `id >> shift` indexes it.
#[derive(Default)]
struct HoldBack {
    shift: u32,
    /// Per node: its depth, with [`HoldBack::LEAF`] set if it is a whole pattern that no
    /// pattern extends; [`HoldBack::NONE`] where an index is not a node.
    table: Vec<u32>,
}

enum Node {
    /// A proper prefix of some pattern, `depth` bytes long: holds back its depth.
    Prefix(usize),
    /// A whole pattern that no pattern extends, `depth` bytes long: holds back what its
    /// failure node (the state after the pattern minus its first byte) holds back.
    Leaf(usize),
}

impl HoldBack {
    const NONE: u32 = u32::MAX;
    const LEAF: u32 = 1 << 31;

    fn get(&self, sid: StateID) -> Option<Node> {
        match self.table.get((sid.as_u32() >> self.shift) as usize) {
            Some(&e) if e == HoldBack::NONE => None,
            Some(&e) if e & HoldBack::LEAF != 0 => Some(Node::Leaf((e & !HoldBack::LEAF) as usize)),
            Some(&e) => Some(Node::Prefix(e as usize)),
            None => None,
        }
    }
}

/// Build the node table. The state reached from the start by reading a prefix of a pattern is
/// that prefix's trie node, so walking every pattern visits every node and gives its depth; a
/// node is a leaf if it ends a pattern and no walk goes through it. A leaf's hold-back is found
/// when asked ([`Patterns::holdback_of`]), which is rare: it needs the stream to end exactly
/// at the end of a pattern. `total` (the patterns' summed length) bounds the number of nodes.
fn holdback_table<A: Automaton>(a: &A, pats: &[&[u8]], total: usize) -> HoldBack {
    let start = start_state(a);
    // (state, depth, is a proper prefix of some pattern)
    let mut visits: Vec<(u32, u32, bool)> = Vec::with_capacity(total + 1);
    visits.push((start.as_u32(), 0, true));
    for p in pats {
        let mut sid = start;
        for (i, &b) in p.iter().enumerate() {
            sid = a.next_state(Anchored::No, sid, b);
            visits.push((sid.as_u32(), i as u32 + 1, i + 1 < p.len()));
        }
    }
    let shift = visits
        .iter()
        .filter(|&&(sid, _, _)| sid != 0)
        .map(|&(sid, _, _)| sid.trailing_zeros())
        .min()
        .unwrap_or(0);
    let size = visits
        .iter()
        .map(|&(sid, _, _)| sid >> shift)
        .max()
        .unwrap_or(0) as usize
        + 1;
    let mut table = vec![HoldBack::NONE; size];
    for (sid, depth, proper) in visits {
        let t = &mut table[(sid >> shift) as usize];
        // A node reached as a proper prefix by any walk is a prefix node.
        if proper || *t == HoldBack::NONE {
            *t = if proper {
                depth
            } else {
                depth | HoldBack::LEAF
            };
        }
    }
    HoldBack { shift, table }
}

/// The sampling prefilter: a gram of `q` bytes is read every `k` bytes and looked up first in a
/// bitset, then (on a hit) in an exact open-addressing table of the grams at offsets `0..k` of
/// every pattern. Both hold bytes derived from secrets and are zeroized on drop.
struct Filter {
    q: usize,
    k: usize,
    mask: u64,
    bits: Zeroizing<Vec<u64>>,
    bits_shift: u32,
    table: Zeroizing<Vec<u64>>,
    table_shift: u32,
    /// The all-zero gram cannot be stored (0 marks an empty slot), so it gets a flag.
    zero_gram: bool,
}

const HASH_MUL: u64 = 0x9E37_79B9_7F4A_7C15;
const HASH_MUL2: u64 = 0xD6E8_FEB8_6659_FD93;

impl Filter {
    fn new(pats: &[&[u8]], shortest: usize) -> Filter {
        // Longer grams are more selective (hex ids in logs collide with hex-encoded secrets at
        // 4 bytes, hardly ever at 8); a longer stride means fewer lookups. The stride must stay
        // ≤ shortest - q + 1 so that every occurrence covers a sample at an offset < k.
        let q = (shortest - 4).clamp(4, 8);
        let k = (shortest - q + 1).min(MAX_STRIDE);
        let mask = if q == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * q)) - 1
        };
        let mut grams: Vec<u64> = Vec::with_capacity(pats.len() * k);
        for p in pats {
            for o in 0..k {
                grams.push(gram_at(p, o, mask));
            }
        }
        grams.sort_unstable();
        grams.dedup();
        let n = grams.len().max(1);
        let bits_log = (n * 32).next_power_of_two().trailing_zeros().clamp(12, 24);
        let mut bits = Zeroizing::new(vec![0u64; 1usize << (bits_log - 6)]);
        let table_log = (n * 2).next_power_of_two().trailing_zeros().max(4);
        let mut table = Zeroizing::new(vec![0u64; 1usize << table_log]);
        let mut zero_gram = false;
        let table_mask = table.len() - 1;
        for &g in &grams {
            let h = (g.wrapping_mul(HASH_MUL) >> (64 - bits_log)) as usize;
            bits[h >> 6] |= 1 << (h & 63);
            if g == 0 {
                zero_gram = true;
                continue;
            }
            let mut i = (g.wrapping_mul(HASH_MUL2) >> (64 - table_log)) as usize;
            while table[i] != 0 {
                i = (i + 1) & table_mask;
            }
            table[i] = g;
        }
        grams.zeroize();
        Filter {
            q,
            k,
            mask,
            bits,
            bits_shift: 64 - bits_log,
            table,
            table_shift: 64 - table_log,
            zero_gram,
        }
    }

    #[inline(always)]
    fn maybe(&self, g: u64) -> bool {
        let h = (g.wrapping_mul(HASH_MUL) >> self.bits_shift) as usize;
        if (self.bits[h >> 6] >> (h & 63)) & 1 == 0 {
            return false;
        }
        self.contains(g)
    }

    #[cold]
    fn contains(&self, g: u64) -> bool {
        if g == 0 {
            return self.zero_gram;
        }
        let mask = self.table.len() - 1;
        let mut i = (g.wrapping_mul(HASH_MUL2) >> self.table_shift) as usize;
        loop {
            let v = self.table[i];
            if v == g {
                return true;
            }
            if v == 0 {
                return false;
            }
            i = (i + 1) & mask;
        }
    }
}

/// The (little-endian, masked) gram starting at `hay[j]`; bytes past the end read as 0, which
/// the mask removes whenever `j + q <= hay.len()`.
#[inline(always)]
fn gram_at(hay: &[u8], j: usize, mask: u64) -> u64 {
    let mut x = [0u8; 8];
    match hay.get(j..j + 8) {
        Some(s) => x.copy_from_slice(s),
        None => {
            let s = &hay[j.min(hay.len())..];
            x[..s.len()].copy_from_slice(s);
        }
    }
    u64::from_le_bytes(x) & mask
}

/// Iterator behind [`Patterns::find_all`].
struct FindAll<'h> {
    patterns: &'h Patterns,
    haystack: &'h [u8],
    pos: usize,
    sid: Option<StateID>,
    /// Matches of the current state not yet yielded: `(next index, count)`.
    pending: Option<(usize, usize)>,
}

impl Iterator for FindAll<'_> {
    type Item = Hit;

    fn next(&mut self) -> Option<Hit> {
        let engine = self.patterns.engine.as_ref()?;
        let mut sid = self.sid?;
        loop {
            if let Some((i, n)) = self.pending {
                if i < n {
                    self.pending = Some((i + 1, n));
                    let (pid, len) = match engine {
                        Engine::Dfa(a) => {
                            let p = a.match_pattern(sid, i);
                            (p.as_usize(), a.pattern_len(p))
                        }
                        Engine::Nfa(a) => {
                            let p = a.match_pattern(sid, i);
                            (p.as_usize(), a.pattern_len(p))
                        }
                    };
                    let info = self.patterns.info[pid];
                    return Some(Hit {
                        start: self.pos - len,
                        end: self.pos,
                        secret: info.secret as usize,
                        encoding: info.encoding,
                    });
                }
                self.pending = None;
            }
            let &b = self.haystack.get(self.pos)?;
            self.pos += 1;
            let n = match engine {
                Engine::Dfa(a) => {
                    sid = a.next_state(Anchored::No, sid, b);
                    if a.is_match(sid) { a.match_len(sid) } else { 0 }
                }
                Engine::Nfa(a) => {
                    sid = a.next_state(Anchored::No, sid, b);
                    if a.is_match(sid) { a.match_len(sid) } else { 0 }
                }
            };
            self.sid = Some(sid);
            if n > 0 {
                self.pending = Some((0, n));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The streaming redactor.

/// One output stream's redactor. Pure: no I/O, no clocks.
pub struct Redactor {
    patterns: Arc<Patterns>,
    /// The last `min(stream length, longest - 1)` bytes of the stream (every unreleased byte is
    /// in it), followed during a `feed` by the new input. Zeroized on drop and on `finish`;
    /// grown by hand so that a reallocation never leaves a copy behind.
    buf: Zeroizing<Vec<u8>>,
    /// Stream offset of `buf[0]`.
    base: u64,
    scan: ScanState,
    st: RegionState,
}

/// A masked region that may still grow: the union of overlapping matches seen so far.
struct Region {
    start: u64,
    end: u64,
    /// Largest match end in the region (= `end`) and the smallest start among the matches
    /// ending there: a new match (whose end is ≥ every earlier end) is contained in an earlier
    /// one iff it ends at `end` and starts at or after `min_start_at_end`.
    min_start_at_end: u64,
    /// Secrets named by the region, each with the start of its first maximal (not contained)
    /// match, sorted by that start.
    names: Vec<(u32, u64)>,
}

/// Where output stands.
struct RegionState {
    /// Stream offset up to which output has been decided: bytes before it were copied out or
    /// belong to a region whose marker was written.
    released: u64,
    /// Regions not yet final, disjoint and in stream order, all at or after `released`. A
    /// region is final once no future match can start before its end; only regions within the
    /// last `longest()` bytes of the scan position can stay pending, so this stays short.
    pending: std::collections::VecDeque<Region>,
    /// Spare name lists, reused so that regions do not allocate in steady state.
    spare: Vec<Vec<(u32, u64)>>,
    counts: Vec<u64>,
}

impl RegionState {
    /// Account for a match `[s, e)` of secret `secret` (stream offsets). Matches arrive in
    /// order of end offset. Regions that end at or before `final_before` are final and are
    /// written out, with the plain bytes before them (`w` holds stream offsets `base..`).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn on_match(
        &mut self,
        s: u64,
        e: u64,
        secret: u32,
        final_before: u64,
        w: &[u8],
        base: u64,
        out: &mut Vec<u8>,
        names: &[String],
    ) {
        debug_assert!(s >= self.released, "a match starts in released output");
        // Pending regions that the match overlaps form a suffix of the queue.
        let mut first = self.pending.len();
        while first > 0 && self.pending[first - 1].end > s {
            first -= 1;
        }
        if first == self.pending.len() {
            let mut names_list = self.spare.pop().unwrap_or_default();
            names_list.clear();
            names_list.push((secret, s));
            self.pending.push_back(Region {
                start: s,
                end: e,
                min_start_at_end: s,
                names: names_list,
            });
        } else {
            let last = self.pending.len() - 1;
            let contained = first == last && {
                let r = &self.pending[last];
                debug_assert!(e >= r.end, "matches out of order");
                e == r.end && r.min_start_at_end <= s
            };
            if !contained {
                // Every region after `first` lies inside [s, e): all its matches are contained
                // in this one, so it merges in and its names go.
                while self.pending.len() > first + 1 {
                    if let Some(r) = self.pending.pop_back() {
                        self.spare.push(r.names);
                    }
                }
                let r = &mut self.pending[first];
                // Earlier maximal matches starting at or after `s` are now contained in this
                // one: a secret all of whose maximal matches start there loses its name, the
                // others keep theirs (and their first position).
                r.names.retain(|&(_, at)| at < s);
                if !r.names.iter().any(|&(id, _)| id == secret) {
                    r.names.push((secret, s));
                }
                r.start = r.start.min(s);
                r.end = e;
                r.min_start_at_end = s;
            }
        }
        self.finalize(final_before, w, base, out, names);
    }

    /// Write out every pending region that ends at or before `safe` (no future match can start
    /// before `safe`), with the plain bytes before each.
    fn finalize(&mut self, safe: u64, w: &[u8], base: u64, out: &mut Vec<u8>, names: &[String]) {
        while self.pending.front().is_some_and(|r| r.end <= safe) {
            let Some(r) = self.pending.pop_front() else {
                break;
            };
            self.copy_plain(r.start, w, base, out);
            out.extend_from_slice(b"[REDACTED:");
            for (i, &(id, _)) in r.names.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(names[id as usize].as_bytes());
                self.counts[id as usize] += 1;
            }
            out.push(b']');
            self.released = r.end;
            self.spare.push(r.names);
        }
    }

    /// Copy out the plain bytes from `released` up to `to` (stream offsets; every such byte is
    /// still in `w`).
    fn copy_plain(&mut self, to: u64, w: &[u8], base: u64, out: &mut Vec<u8>) {
        if to > self.released {
            out.extend_from_slice(&w[(self.released - base) as usize..(to - base) as usize]);
            self.released = to;
        }
    }

    /// After a feed, with no future match able to start before `safe`: write out final
    /// regions and every plain byte before `safe` not inside a pending region.
    fn release(&mut self, safe: u64, w: &[u8], base: u64, out: &mut Vec<u8>, names: &[String]) {
        self.finalize(safe, w, base, out, names);
        let to = self.pending.front().map_or(safe, |r| r.start.min(safe));
        self.copy_plain(to, w, base, out);
    }
}

impl Redactor {
    /// A redactor for one output stream.
    pub fn new(patterns: Arc<Patterns>) -> Redactor {
        let n = patterns.names.len();
        Redactor {
            patterns,
            buf: Zeroizing::new(Vec::new()),
            base: 0,
            scan: ScanState::NEW,
            st: RegionState {
                released: 0,
                pending: std::collections::VecDeque::new(),
                spare: Vec::new(),
                counts: vec![0; n],
            },
        }
    }

    /// Append to `out` every byte of `input` (after earlier held bytes) that can be released
    /// now, redacted.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        if self.patterns.engine.is_none() {
            out.extend_from_slice(input);
            return;
        }
        for piece in input.chunks(MAX_PIECE) {
            self.feed_piece(piece, out);
        }
    }

    /// End of stream: release everything still held (redacted). The redactor is then ready for
    /// a new stream (nothing carries over but [`counts`](Redactor::counts)).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let pos = self.pos();
        self.st
            .release(pos, &self.buf, self.base, out, &self.patterns.names);
        debug_assert!(self.st.pending.is_empty() && self.st.released == pos);
        self.buf.zeroize();
        self.base = 0;
        self.scan = ScanState::NEW;
        self.st.released = 0;
    }

    /// Number of bytes currently held back: stored and not yet released. The bytes of a masked
    /// region that may still grow are not stored (only its extent is), so this is always below
    /// `longest()`.
    pub fn held(&self) -> usize {
        let masked: u64 = self.st.pending.iter().map(|r| r.end - r.start).sum();
        (self.pos() - self.st.released - masked) as usize
    }

    /// Redactions so far per secret id (index into [`Patterns::names`]), across streams if the
    /// redactor is reused.
    pub fn counts(&self) -> &[u64] {
        &self.st.counts
    }

    fn pos(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    fn feed_piece(&mut self, piece: &[u8], out: &mut Vec<u8>) {
        if piece.is_empty() {
            return;
        }
        let ctx = self.buf.len();
        let need = ctx + piece.len();
        if self.buf.capacity() < need {
            // Grow by hand: Vec's own reallocation would free the old buffer unzeroized.
            let cap = need.max((2 * self.buf.capacity()).min(MAX_PIECE + self.patterns.longest));
            let mut bigger = Zeroizing::new(Vec::with_capacity(cap));
            bigger.extend_from_slice(&self.buf);
            self.buf = bigger; // the old one is zeroized as it drops
        }
        self.buf.extend_from_slice(piece);

        let patterns = &*self.patterns;
        let w: &[u8] = &self.buf;
        let hold = match patterns.engine.as_ref() {
            Some(Engine::Dfa(a)) => find(
                a,
                patterns,
                w,
                ctx,
                self.base,
                &mut self.scan,
                &mut self.st,
                out,
            ),
            Some(Engine::Nfa(a)) => find(
                a,
                patterns,
                w,
                ctx,
                self.base,
                &mut self.scan,
                &mut self.st,
                out,
            ),
            None => 0,
        };
        let len = w.len();
        let pos = self.base + len as u64;
        self.st
            .release(pos - hold as u64, w, self.base, out, &patterns.names);
        // Keep the context for the next feed (it contains every unreleased byte).
        let keep = len.min(patterns.longest.saturating_sub(1));
        self.buf.copy_within(len - keep.., 0);
        self.buf[keep..].zeroize();
        self.buf.truncate(keep);
        self.base = pos - keep as u64;
    }
}

/// The automaton scan carried from one feed to the next.
#[derive(Clone, Copy)]
struct ScanState {
    /// The state after the last byte of the stream, if a scan segment reached it: on the
    /// full-scan path always; on the sampled path when the last verification window did.
    sid: Option<StateID>,
    /// Stream offset where that segment started (the state knows nothing before it).
    seg_start: u64,
    /// Stream offset up to which windows opened so far must be scanned.
    window_end: u64,
}

impl ScanState {
    const NEW: ScanState = ScanState {
        sid: None,
        seg_start: 0,
        window_end: 0,
    };
}

/// Find every match that ends in the new input `w[ctx..]` (`w[..ctx]` is the tail of earlier
/// input), feed them to `st` in order of end offset, and return the hold-back length: the
/// longest suffix of the stream that is a proper prefix of some pattern.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn find<A: Automaton>(
    a: &A,
    p: &Patterns,
    w: &[u8],
    ctx: usize,
    base: u64,
    sc: &mut ScanState,
    st: &mut RegionState,
    out: &mut Vec<u8>,
) -> usize {
    let start = start_state(a);
    let len = w.len();
    let mut on_match = |s: usize, e: usize, pid: usize| {
        if e > ctx {
            // Any later match ends at or after `e`, so it starts at or after `e - longest`.
            let e_abs = base + e as u64;
            st.on_match(
                base + s as u64,
                e_abs,
                p.info[pid].secret,
                e_abs.saturating_sub(p.longest as u64),
                w,
                base,
                out,
                &p.names,
            );
        }
    };
    let Some(f) = p.filter.as_ref() else {
        // Every byte through the automaton, continuing from the previous feed's state.
        let sid = scan(a, sc.sid.unwrap_or(start), w, ctx, len, &mut on_match);
        sc.sid = Some(sid);
        return p.holdback_of(a, sid, w);
    };
    // Sampled path. Samples sit on a grid of stream offsets (multiples of k), so each is looked
    // at once even across feeds. Windows around hits are scanned left to right: one that
    // overlaps the current segment continues it (its state is exact there), a disjoint one
    // restarts from the start state (it then finds every match starting in it; a match starting
    // earlier contains an earlier sample and was found by that sample's window). The segment
    // that reaches the end of a feed carries over to the next.
    let (k, q, mask) = (f.k, f.q, f.mask);
    let mut sid = sc.sid.unwrap_or(start);
    let mut scanning = sc.sid.is_some();
    let mut seg_start = sc.seg_start;
    let mut window_end = sc.window_end;
    let mut scanned = ctx;
    if scanning && window_end > base + ctx as u64 {
        let to = ((window_end - base) as usize).min(len);
        sid = scan(a, sid, w, ctx, to, &mut on_match);
        scanned = to;
    }
    let mut window = |j: usize, on_match: &mut dyn FnMut(usize, usize, usize)| {
        // An occurrence covering sample j at an offset < k starts in [j - k + 1, j] and ends
        // at most `longest` after its start. (Starts before `w` are impossible for matches
        // that end in the new input: the context is `longest - 1` bytes.)
        let ws = j.saturating_sub(k - 1);
        window_end = window_end.max(base + (j + p.longest) as u64);
        let we = (j + p.longest).min(len);
        if !scanning || ws > scanned {
            sid = start;
            scanned = ws;
            seg_start = base + ws as u64;
            scanning = true;
        }
        if we > scanned {
            sid = scan(a, sid, w, scanned, we, on_match);
            scanned = we;
        }
    };
    // First grid point whose gram was not complete at the end of the previous feed; the
    // context (≥ k + q - 2 bytes) always contains it.
    let pos_prev = base + ctx as u64;
    let first = (pos_prev + 1).saturating_sub(q as u64).div_ceil(k as u64) * k as u64;
    let mut j = (first - base) as usize;
    while j + 8 <= len {
        let mut x = [0u8; 8];
        x.copy_from_slice(&w[j..j + 8]);
        if f.maybe(u64::from_le_bytes(x) & mask) {
            window(j, &mut on_match);
        }
        j += k;
    }
    while j + q <= len {
        if f.maybe(gram_at(w, j, mask)) {
            window(j, &mut on_match);
        }
        j += k;
    }
    // Hold-back. A pending pattern prefix of k + q - 1 bytes or more covers a sample whose
    // window reaches the end of the stream, so the segment that got there knows it; a shorter
    // one is found by a fresh scan of the last k + q - 2 bytes.
    let short = len.min(k + q - 2);
    let mut hold = p.holdback_of(a, scan(a, start, w, len - short, len, |_, _, _| {}), w);
    if scanning && scanned == len {
        hold = hold.max(p.holdback_of(a, sid, w));
        sc.sid = Some(sid);
        sc.seg_start = seg_start;
    } else {
        sc.sid = None;
    }
    sc.window_end = window_end;
    hold
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("held", &self.held())
            .field("pending_regions", &self.st.pending.len())
            .field("redactions", &self.st.counts.iter().sum::<u64>())
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Pattern generation.

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
}

const B64_STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pats(secrets: &[(&str, &[u8])], encodings: bool) -> Arc<Patterns> {
        Arc::new(Patterns::new(secrets.iter().copied(), encodings))
    }

    /// Redact `input` fed in chunks of the given sizes (cycled); checks the hold-back bound
    /// after every feed.
    fn run_chunks(p: &Arc<Patterns>, input: &[u8], sizes: &[usize]) -> (Vec<u8>, Vec<u64>) {
        let mut r = Redactor::new(p.clone());
        let mut out = Vec::new();
        let mut rest = input;
        let mut i = 0;
        while !rest.is_empty() {
            let n = sizes[i % sizes.len()].clamp(1, rest.len());
            i += 1;
            r.feed(&rest[..n], &mut out);
            rest = &rest[n..];
            if p.longest() > 0 {
                assert!(
                    r.held() < p.longest(),
                    "held {} >= longest {}",
                    r.held(),
                    p.longest()
                );
            } else {
                assert_eq!(r.held(), 0);
            }
        }
        r.finish(&mut out);
        assert_eq!(r.held(), 0);
        (out, r.counts().to_vec())
    }

    fn redact(p: &Arc<Patterns>, input: &[u8]) -> Vec<u8> {
        run_chunks(p, input, &[usize::MAX]).0
    }

    /// Redact with every chunking that matters for short inputs (whole, 1-byte, every 2-way
    /// split) and check they agree; returns the output.
    fn redact_all_ways(p: &Arc<Patterns>, input: &[u8]) -> Vec<u8> {
        let whole = run_chunks(p, input, &[usize::MAX]);
        assert_eq!(run_chunks(p, input, &[1]), whole, "1-byte feeds");
        for cut in 1..input.len() {
            let mut r = Redactor::new(p.clone());
            let mut out = Vec::new();
            r.feed(&input[..cut], &mut out);
            r.feed(&input[cut..], &mut out);
            r.finish(&mut out);
            assert_eq!(out, whole.0, "split at {cut}");
            assert_eq!(r.counts(), &whole.1[..]);
        }
        whole.0
    }

    /// Non-streaming reference: every occurrence of every pattern, overlapping ones unioned,
    /// each region named by its maximal occurrences in order of start.
    fn reference(list: &[PatternSpec], names: &[String], input: &[u8]) -> (Vec<u8>, Vec<u64>) {
        let mut ms: Vec<(usize, usize, u32)> = Vec::new();
        for p in list {
            let n = p.bytes.len();
            for i in 0..input.len().saturating_sub(n - 1) {
                if input[i..].starts_with(&p.bytes) {
                    ms.push((i, i + n, p.secret));
                }
            }
        }
        ms.sort();
        let mut out = Vec::new();
        let mut counts = vec![0u64; names.len()];
        let (mut cursor, mut i) = (0, 0);
        while i < ms.len() {
            let (s, mut e, _) = ms[i];
            let mut j = i + 1;
            while j < ms.len() && ms[j].0 < e {
                e = e.max(ms[j].1);
                j += 1;
            }
            let group = &ms[i..j];
            let mut named: Vec<u32> = Vec::new();
            for m in group {
                let contained = group
                    .iter()
                    .any(|o| (o.0, o.1) != (m.0, m.1) && o.0 <= m.0 && m.1 <= o.1);
                if !contained && !named.contains(&m.2) {
                    named.push(m.2);
                }
            }
            out.extend_from_slice(&input[cursor..s]);
            out.extend_from_slice(b"[REDACTED:");
            for (k, id) in named.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(names[*id as usize].as_bytes());
                counts[*id as usize] += 1;
            }
            out.push(b']');
            cursor = e;
            i = j;
        }
        out.extend_from_slice(&input[cursor..]);
        (out, counts)
    }

    /// The longest suffix of `text` that is a proper prefix of some pattern.
    fn naive_holdback(list: &[PatternSpec], text: &[u8]) -> usize {
        let mut best = 0;
        for p in list {
            for d in best + 1..p.bytes.len().min(text.len() + 1) {
                if text.ends_with(&p.bytes[..d]) {
                    best = d;
                }
            }
        }
        best
    }

    fn spec_bytes(secrets: &[(&str, &[u8])], enc: Encoding) -> Vec<Vec<u8>> {
        pattern_list(secrets, true)
            .into_iter()
            .filter(|p| p.encoding == enc)
            .map(|p| p.bytes.to_vec())
            .collect()
    }

    /// Plain base64 with padding, for building blobs in tests.
    fn b64(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for c in data.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for k in 0..4 {
                if k <= c.len() {
                    out.push(B64_STD[((n >> (18 - 6 * k)) & 63) as usize]);
                } else {
                    out.push(b'=');
                }
            }
        }
        out
    }

    #[test]
    fn raw_secret_is_replaced() {
        let p = pats(&[("TOKEN", b"s3cr3t")], true);
        let out = redact_all_ways(&p, b"token=s3cr3t; again s3cr3t.");
        assert_eq!(out, b"token=[REDACTED:TOKEN]; again [REDACTED:TOKEN].");
        assert_eq!(run_chunks(&p, b"a s3cr3t b s3cr3t", &[3]).1, vec![2]);
    }

    #[test]
    fn short_raw_secret_is_still_matched() {
        let p = pats(&[("PIN", b"42")], true);
        assert_eq!(p.len(), 1, "no encodings for short values");
        assert_eq!(
            redact_all_ways(&p, b"pin 4242 x"),
            b"pin [REDACTED:PIN][REDACTED:PIN] x"
        );
    }

    #[test]
    fn longer_secret_wins_over_its_prefix() {
        let p = pats(&[("A", b"abc"), ("B", b"abcdef")], false);
        assert_eq!(redact_all_ways(&p, b"xabcdefy"), b"x[REDACTED:B]y");
        assert_eq!(redact_all_ways(&p, b"xabcdey"), b"x[REDACTED:A]dey");
        assert_eq!(
            redact_all_ways(&p, b"abcabcdef"),
            b"[REDACTED:A][REDACTED:B]"
        );
        // Order of the secrets does not matter.
        let p = pats(&[("B", b"abcdef"), ("A", b"abc")], false);
        assert_eq!(redact_all_ways(&p, b"xabcdefy"), b"x[REDACTED:B]y");
        assert_eq!(run_chunks(&p, b"xabcdefy", &[1]).1, vec![1, 0]);
    }

    #[test]
    fn longer_secret_wins_over_its_substring() {
        let p = pats(&[("A", b"cd"), ("B", b"abcdef")], false);
        assert_eq!(redact_all_ways(&p, b"<abcdef>"), b"<[REDACTED:B]>");
        assert_eq!(redact_all_ways(&p, b"<abcde>"), b"<ab[REDACTED:A]e>");
        // Suffix too.
        let p = pats(&[("A", b"def"), ("B", b"abcdef")], false);
        assert_eq!(redact_all_ways(&p, b"abcdef"), b"[REDACTED:B]");
    }

    #[test]
    fn overlapping_secrets_are_unioned() {
        let p = pats(&[("A", b"abc"), ("B", b"bcdef")], false);
        assert_eq!(redact_all_ways(&p, b"xxabcdefyy"), b"xx[REDACTED:A,B]yy");
        assert_eq!(run_chunks(&p, b"xxabcdefyy", &[1]).1, vec![1, 1]);
        // Names in order of first appearance.
        let p = pats(&[("B", b"bcdef"), ("A", b"abc")], false);
        assert_eq!(redact_all_ways(&p, b"abcdef"), b"[REDACTED:A,B]");
        // A chain of three, one name twice.
        let p = pats(&[("A", b"abc"), ("B", b"cde"), ("C", b"efg")], false);
        assert_eq!(
            redact_all_ways(&p, b"abcdefgabc"),
            b"[REDACTED:A,B,C][REDACTED:A]"
        );
        assert_eq!(
            redact_all_ways(&p, b"abcdeabc"),
            b"[REDACTED:A,B][REDACTED:A]"
        );
    }

    #[test]
    fn adjacent_matches_get_separate_markers() {
        let p = pats(&[("A", b"abc"), ("B", b"def")], false);
        assert_eq!(redact_all_ways(&p, b"abcdef"), b"[REDACTED:A][REDACTED:B]");
    }

    #[test]
    fn self_overlapping_secret() {
        let p = pats(&[("S", b"abab")], false);
        assert_eq!(redact_all_ways(&p, b"xabababab y"), b"x[REDACTED:S] y");
        assert_eq!(
            redact_all_ways(&p, b"ababxabab"),
            b"[REDACTED:S]x[REDACTED:S]"
        );
        assert_eq!(run_chunks(&p, b"xabababab y", &[1]).1, vec![1]);
        // An unbounded region stores nothing: memory stays constant.
        let p = pats(&[("S", b"aa")], false);
        let input = vec![b'a'; 100_000];
        let (out, counts) = run_chunks(&p, &input, &[1, 7, 4096]);
        assert_eq!(out, b"[REDACTED:S]");
        assert_eq!(counts, vec![1]);
    }

    #[test]
    fn secret_split_across_feeds() {
        let p = pats(&[("K", b"correct-horse-battery")], true);
        let input = b"key: correct-horse-battery\n";
        let expected = b"key: [REDACTED:K]\n";
        assert_eq!(redact_all_ways(&p, input), expected);
        let mut r = Redactor::new(p.clone());
        let mut out = Vec::new();
        r.feed(b"key: correct-ho", &mut out);
        assert_eq!(out, b"key: ", "only the pattern prefix is held");
        assert_eq!(r.held(), 10);
        r.feed(b"rse-battery\n", &mut out);
        assert_eq!(out, expected, "released as soon as it is decided");
        assert_eq!(r.held(), 0);
    }

    #[test]
    fn text_that_cannot_start_a_pattern_is_released_at_once() {
        let p = pats(
            &[("PW", b"hunter2-horse"), ("API", b"sk-live-0123456789")],
            true,
        );
        let mut r = Redactor::new(p.clone());
        let mut out = Vec::new();
        r.feed(b"Password: ", &mut out);
        assert_eq!(out, b"Password: ");
        assert_eq!(r.held(), 0);
        // A possible start is held, and released once it is not a secret after all.
        r.feed(b"hunt", &mut out);
        assert_eq!(out, b"Password: ");
        assert_eq!(r.held(), 4);
        r.feed(b"ed", &mut out);
        assert_eq!(out, b"Password: hunted");
        // A completed match is released as soon as nothing can extend it.
        r.feed(b" hunter2-horse", &mut out);
        assert_eq!(out, b"Password: hunted [REDACTED:PW]");
        assert_eq!(r.held(), 0);
    }

    #[test]
    fn completed_match_waits_only_while_it_can_grow() {
        let p = pats(&[("A", b"abc"), ("B", b"abcdef"), ("C", b"cxyz")], false);
        let mut r = Redactor::new(p.clone());
        let mut out = Vec::new();
        r.feed(b"abc", &mut out);
        assert_eq!(out, b"", "abc may still become abcdef or overlap cxyz");
        r.feed(b"x", &mut out);
        assert_eq!(out, b"", "cx may still become cxyz");
        r.feed(b"!", &mut out);
        assert_eq!(out, b"[REDACTED:A]x!");
    }

    #[test]
    fn invalid_utf8_and_binary_pass_through() {
        let p = pats(&[("S", b"\xff\xfesecret\x00")], true);
        let input = b"\x80\xc3(\xff\xfesecret\x00\xf0\x28\x8c\x28 \x00\x01";
        assert_eq!(
            redact_all_ways(&p, input),
            b"\x80\xc3([REDACTED:S]\xf0\x28\x8c\x28 \x00\x01"
        );
        // No trailing newline is ever added, with or without secrets.
        let none = Arc::new(Patterns::new([], true));
        let bin: Vec<u8> = (0..=255u8).rev().collect();
        assert_eq!(redact_all_ways(&none, &bin), bin);
        assert_eq!(redact_all_ways(&p, b"no newline"), b"no newline");
    }

    #[test]
    fn every_generated_form_is_caught_in_context() {
        let secrets: [(&str, &[u8]); 3] = [
            ("PLAIN", b"Zm9vYmFyYmF6cXV4"),
            ("FANCY", "p@ss w/rd!\"\\<é>&😀\u{2028}\x08'=+".as_bytes()),
            ("BIN", b"\x00\x01\xfe\xff binary \n\x7f"),
        ];
        let p = Arc::new(Patterns::new(secrets.iter().copied(), true));
        let names = p.names().to_vec();
        let mut seen = HashSet::new();
        for spec in pattern_list(&secrets, true) {
            seen.insert(spec.encoding);
            let mut input = b"before ".to_vec();
            input.extend_from_slice(&spec.bytes);
            input.extend_from_slice(b" after");
            let want = format!("before [REDACTED:{}] after", names[spec.secret as usize]);
            assert_eq!(
                redact(&p, &input),
                want.as_bytes(),
                "{} form of {}",
                spec.encoding.as_str(),
                names[spec.secret as usize]
            );
        }
        for e in [
            Encoding::Raw,
            Encoding::Crlf,
            Encoding::Line,
            Encoding::Base64,
            Encoding::Base64Url,
            Encoding::HexLower,
            Encoding::HexUpper,
            Encoding::Percent,
            Encoding::Json,
        ] {
            assert!(seen.contains(&e), "no {e} pattern generated");
        }
    }

    #[test]
    fn base64_caught_at_each_alignment_inside_a_larger_blob() {
        let v: &[u8] = b"\xfbtop-secret-value\xff?";
        let p = pats(&[("K", v)], true);
        for prefix_len in 0..6 {
            for suffix_len in 0..4 {
                let mut blob = vec![0x5au8; prefix_len];
                blob.extend_from_slice(v);
                blob.extend(std::iter::repeat_n(0xa5u8, suffix_len));
                let std = b64(&blob);
                let url: Vec<u8> = std
                    .iter()
                    .map(|&c| match c {
                        b'+' => b'-',
                        b'/' => b'_',
                        c => c,
                    })
                    .collect();
                for (enc, text) in [("std", &std), ("url", &url)] {
                    let mut input = b"data=".to_vec();
                    input.extend_from_slice(text);
                    let out = redact(&p, &input);
                    let hits: Vec<Hit> = p.find_all(&input).collect();
                    assert!(
                        out.windows(12).any(|w| w == b"[REDACTED:K]"),
                        "{enc} prefix {prefix_len}: {}",
                        String::from_utf8_lossy(&out)
                    );
                    // The masked part covers every character determined by the value alone.
                    let first = 5 + (8 * prefix_len).div_ceil(6);
                    let last = 5 + (8 * (prefix_len + v.len())) / 6;
                    assert!(hits.iter().any(|h| h.start <= first && h.end >= last));
                }
            }
        }
    }

    #[test]
    fn known_encodings() {
        let v = "p@ss w/rd!\"é<😀>".as_bytes();
        let forms: Vec<Vec<u8>> = spec_bytes(&[("X", v)], Encoding::Percent);
        let has = |list: &[Vec<u8>], s: &str| list.iter().any(|f| f == s.as_bytes());
        // encodeURIComponent, its lowercase-hex variant, RFC 3986, form encoding.
        assert!(has(&forms, "p%40ss%20w%2Frd!%22%C3%A9%3C%F0%9F%98%80%3E"));
        assert!(has(&forms, "p%40ss%20w%2frd!%22%c3%a9%3c%f0%9f%98%80%3e"));
        assert!(has(&forms, "p%40ss%20w%2Frd%21%22%C3%A9%3C%F0%9F%98%80%3E"));
        assert!(has(&forms, "p%40ss+w%2Frd%21%22%C3%A9%3C%F0%9F%98%80%3E"));
        let json = spec_bytes(&[("X", v)], Encoding::Json);
        // serde_json / JSON.stringify.
        assert!(has(&json, "p@ss w/rd!\\\"é<😀>"));
        // Python json.dumps (ensure_ascii).
        assert!(has(&json, "p@ss w/rd!\\\"\\u00e9<\\ud83d\\ude00>"));
        // Go (HTML-safe).
        assert!(has(&json, "p@ss w/rd!\\\"é\\u003c😀\\u003e"));
        // PHP.
        assert!(has(&json, "p@ss w\\/rd!\\\"\\u00e9<\\ud83d\\ude00>"));
        let hex = spec_bytes(&[("X", b"\x01\xabsecret")], Encoding::HexLower);
        assert_eq!(hex, vec![b"01ab736563726574".to_vec()]);
        let hex = spec_bytes(&[("X", b"\x01\xabsecret")], Encoding::HexUpper);
        assert_eq!(hex, vec![b"01AB736563726574".to_vec()]);
        // Forms equal to the raw value are not repeated; \u forms need UTF-8.
        assert!(spec_bytes(&[("X", b"plainvalue")], Encoding::Percent).is_empty());
        assert!(spec_bytes(&[("X", b"plainvalue")], Encoding::Json).is_empty());
        let bad = spec_bytes(&[("X", b"\xff\"quoted\xfe")], Encoding::Json);
        assert_eq!(bad, vec![b"\xff\\\"quoted\xfe".to_vec()]);
        // Base64 at alignment 0 of a value whose length is a multiple of 3 is the whole
        // encoding without padding.
        let b = spec_bytes(&[("X", b"foobarbaz")], Encoding::Base64);
        assert!(has(&b, "Zm9vYmFyYmF6"));
        // Short values get no encodings.
        assert_eq!(pattern_list(&[("X", b"1234567")], true).len(), 1);
    }

    #[test]
    fn json_forms_are_caught() {
        let v = "tab\there \"quoted\" ünïcode 😀 <b>&".as_bytes();
        let p = pats(&[("J", v)], true);
        let doc = "{\"a\":\"tab\\there \\\"quoted\\\" \\u00fcn\\u00efcode \\ud83d\\ude00 <b>&\"}";
        assert_eq!(redact(&p, doc.as_bytes()), b"{\"a\":\"[REDACTED:J]\"}");
        let go = "{\"a\":\"tab\\there \\\"quoted\\\" ünïcode 😀 \\u003cb\\u003e\\u0026\"}";
        assert_eq!(redact(&p, go.as_bytes()), b"{\"a\":\"[REDACTED:J]\"}");
        let serde = "[\"tab\\there \\\"quoted\\\" ünïcode 😀 <b>&\"]";
        assert_eq!(redact(&p, serde.as_bytes()), b"[\"[REDACTED:J]\"]");
    }

    #[test]
    fn crlf_and_lines_of_multiline_values() {
        let key = b"-----BEGIN KEY-----\nMIIBVwIBADANBgkq\nshort\n-----END KEY-----\n";
        let p = pats(&[("KEY", key)], false);
        // The whole value through a PTY (ONLCR).
        let pty = b"$ cat key\r\n-----BEGIN KEY-----\r\nMIIBVwIBADANBgkq\r\nshort\r\n-----END KEY-----\r\n$ ";
        assert_eq!(redact_all_ways(&p, pty), b"$ cat key\r\n[REDACTED:KEY]$ ");
        // The raw value, and one line on its own.
        let mut raw = b"<".to_vec();
        raw.extend_from_slice(key);
        assert_eq!(redact(&p, &raw), b"<[REDACTED:KEY]");
        assert_eq!(redact(&p, b"x MIIBVwIBADANBgkq y"), b"x [REDACTED:KEY] y");
        // Lines shorter than 8 bytes are not patterns.
        assert_eq!(redact(&p, b"short"), b"short");
        let lines = spec_bytes(&[("KEY", key)], Encoding::Line);
        assert_eq!(lines.len(), 3);
        assert_eq!(spec_bytes(&[("KEY", key)], Encoding::Crlf).len(), 1);
        // A value already in CRLF form has no separate CRLF pattern; its lines lose the \r.
        let crlf_value = b"first-line\r\nsecond-line";
        assert!(spec_bytes(&[("V", crlf_value)], Encoding::Crlf).is_empty());
        assert_eq!(
            spec_bytes(&[("V", crlf_value)], Encoding::Line),
            vec![b"first-line".to_vec(), b"second-line".to_vec()]
        );
    }

    #[test]
    fn counts_per_secret() {
        let p = pats(
            &[
                ("A", b"alpha-secret"),
                ("B", b"bravo-secret"),
                ("C", b"unused-secret"),
            ],
            true,
        );
        let (out, counts) = run_chunks(
            &p,
            b"alpha-secret bravo-secret alpha-secret YWxwaGEtc2VjcmV0",
            &[5],
        );
        assert_eq!(out, b"[REDACTED:A] [REDACTED:B] [REDACTED:A] [REDACTED:A]");
        assert_eq!(counts, vec![3, 1, 0]);
        assert_eq!(p.names(), &["A", "B", "C"]);
    }

    #[test]
    fn finish_releases_everything_and_the_redactor_can_be_reused() {
        let p = pats(&[("S", b"abcdef")], false);
        let mut r = Redactor::new(p.clone());
        let mut out = Vec::new();
        r.feed(b"xabc", &mut out);
        assert_eq!(out, b"x");
        r.finish(&mut out);
        assert_eq!(out, b"xabc");
        assert_eq!(r.held(), 0);
        // The next stream starts fresh: "abc" + "def" across finish is not a match.
        out.clear();
        r.feed(b"def abcdef", &mut out);
        r.finish(&mut out);
        assert_eq!(out, b"def [REDACTED:S]");
        r.finish(&mut out);
        assert_eq!(out, b"def [REDACTED:S]", "finish twice is harmless");
        assert_eq!(r.counts(), &[1]);
        // A region still open at the end is closed by finish.
        let p = pats(&[("A", b"abc"), ("B", b"abcdef")], false);
        let mut r = Redactor::new(p);
        let mut out = Vec::new();
        r.feed(b"abcd", &mut out);
        assert_eq!(out, b"");
        r.finish(&mut out);
        assert_eq!(out, b"[REDACTED:A]d");
    }

    #[test]
    fn redact_text_compiles_only_what_occurs() {
        let secrets: &[(&str, &[u8])] = &[("A", b"alpha-secret-1"), ("B", b"beta-secret-22")];
        let set = PatternSet::new(secrets.iter().copied(), true);
        assert_eq!(set.names(), ["A", "B"]);
        assert_eq!(set.redact_text(b"nothing here"), b"nothing here");
        assert_eq!(
            set.redact_text(b"x=alpha-secret-1 y=YmV0YS1zZWNyZXQtMjI"),
            // base64 leaves its last character, which also holds bits of what follows
            b"x=[REDACTED:A] y=[REDACTED:B]I"
        );
        assert_eq!(
            format!("{set:?}"),
            "PatternSet { secrets: 2, patterns: 12 }"
        );
    }

    #[test]
    fn debug_prints_no_value() {
        let p = pats(&[("NAME", b"hunter2-very-secret")], true);
        let dbg = format!("{p:?}");
        assert!(
            dbg.starts_with("Patterns { secrets: 1, patterns: "),
            "{dbg}"
        );
        let mut r = Redactor::new(p.clone());
        let mut out = Vec::new();
        r.feed(b"hunter2-very", &mut out);
        let rdbg = format!("{r:?}");
        for text in [&dbg, &rdbg] {
            assert!(!text.contains("hunter"), "{text}");
            assert!(!text.contains("very"), "{text}");
        }
        assert!(rdbg.contains("held: 12"), "{rdbg}");
    }

    #[test]
    fn find_all_reports_overlapping_hits() {
        let p = pats(
            &[("A", b"abc"), ("B", b"bcdef"), ("C", b"top-secret-1")],
            true,
        );
        let hits: Vec<Hit> = p.find_all(b"abcdef 746f702d7365637265742d31").collect();
        assert_eq!(
            hits,
            vec![
                Hit {
                    start: 0,
                    end: 3,
                    secret: 0,
                    encoding: Encoding::Raw
                },
                Hit {
                    start: 1,
                    end: 6,
                    secret: 1,
                    encoding: Encoding::Raw
                },
                Hit {
                    start: 7,
                    end: 31,
                    secret: 2,
                    encoding: Encoding::HexLower
                },
            ]
        );
        assert_eq!(Encoding::HexUpper.as_str(), "HEX");
        assert_eq!(Patterns::new([], true).find_all(b"abc").count(), 0);
    }

    #[test]
    fn no_secrets_or_empty_values() {
        let p = pats(&[("EMPTY", b"")], true);
        assert!(p.is_empty());
        assert_eq!(p.len(), 0);
        assert_eq!(p.longest(), 0);
        assert_eq!(redact_all_ways(&p, b"anything\n"), b"anything\n");
    }

    #[test]
    fn large_feeds_keep_memory_bounded() {
        let p = pats(&[("S", b"needle-in-haystack")], true);
        let mut input = Vec::new();
        for i in 0..200_000 {
            input.extend_from_slice(format!("line {i} ").as_bytes());
            if i % 1000 == 0 {
                input.extend_from_slice(b"needle-in-haystack ");
            }
        }
        let mut r = Redactor::new(p.clone());
        let mut out = Vec::new();
        r.feed(&input, &mut out);
        assert!(
            r.buf.capacity() <= MAX_PIECE + p.longest(),
            "{}",
            r.buf.capacity()
        );
        r.finish(&mut out);
        assert_eq!(r.counts(), &[200]);
        assert_eq!(
            out,
            reference(
                &pattern_list(&[("S", b"needle-in-haystack")], true),
                p.names(),
                &input
            )
            .0
        );
    }

    #[test]
    fn all_engines_agree() {
        let secrets: [(&str, &[u8]); 3] = [
            ("A", b"abcabcab-xyz"),
            ("B", b"cab-xyzzy-123"),
            ("C", b"zzzzzzzz"),
        ];
        let input = b"abcabcabcab-xyzzy-12 cab-xyzzy-123 zzzzzzzzzzz YWJjYWJjYWIteHl6 x".repeat(3);
        let mut outs = Vec::new();
        for dfa in [Some(true), Some(false)] {
            for full_scan in [false, true] {
                let opts = BuildOptions {
                    encodings: true,
                    dfa,
                    full_scan,
                };
                let p = Arc::new(Patterns::build(secrets.iter().copied(), opts));
                assert_eq!(p.filter.is_some(), !full_scan);
                outs.push(redact_all_ways(&p, &input));
            }
        }
        let want = reference(
            &pattern_list(&secrets, true),
            &["A", "B", "C"].map(String::from),
            &input,
        )
        .0;
        for o in outs {
            assert_eq!(o, want);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Properties.

    /// Secrets over tiny alphabets so that overlaps, prefixes and self-overlaps are common:
    /// short ones (automaton on every byte) or 8+ byte ones (sampled path), plus optionally a
    /// prefix of the first secret and a periodic one.
    fn secrets_strategy() -> impl Strategy<Value = Vec<Vec<u8>>> {
        let short = prop::collection::vec(
            prop::collection::vec(prop::sample::select(b"abc".to_vec()), 1..6),
            1..4,
        );
        let long = prop::collection::vec(
            prop::collection::vec(prop::sample::select(b"ab c%\n\"\xff/".to_vec()), 8..14),
            1..4,
        );
        (
            prop_oneof![short, long],
            any::<bool>(),
            prop::option::of((
                prop::collection::vec(prop::sample::select(b"ab".to_vec()), 1..4),
                2..5usize,
            )),
            1..20usize,
        )
            .prop_map(|(mut secrets, add_prefix, periodic, cut)| {
                if add_prefix {
                    let s0 = secrets[0].clone();
                    secrets.push(s0[..cut.min(s0.len() - 1).max(1)].to_vec());
                }
                if let Some((unit, reps)) = periodic {
                    secrets.push(unit.repeat(reps));
                }
                secrets
            })
    }

    #[derive(Clone, Debug)]
    enum Seg {
        Noise(Vec<u8>),
        /// A whole pattern (index taken modulo the number of patterns).
        Plant(usize),
        /// A prefix of a pattern.
        Partial(usize, usize),
    }

    fn input_strategy() -> impl Strategy<Value = Vec<Seg>> {
        let seg = prop_oneof![
            3 => prop::collection::vec(prop::sample::select(b"abcx \n\xff%".to_vec()), 0..12).prop_map(Seg::Noise),
            2 => any::<usize>().prop_map(Seg::Plant),
            1 => (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Seg::Partial(i, n)),
        ];
        prop::collection::vec(seg, 0..12)
    }

    fn assemble(segs: &[Seg], list: &[PatternSpec]) -> Vec<u8> {
        let mut input = Vec::new();
        for s in segs {
            match *s {
                Seg::Noise(ref n) => input.extend_from_slice(n),
                Seg::Plant(i) if !list.is_empty() => {
                    input.extend_from_slice(&list[i % list.len()].bytes)
                }
                Seg::Partial(i, n) if !list.is_empty() => {
                    let b = &list[i % list.len()].bytes;
                    input.extend_from_slice(&b[..n % b.len()]);
                }
                _ => {}
            }
        }
        input
    }

    fn opts_strategy() -> impl Strategy<Value = BuildOptions> {
        (
            any::<bool>(),
            prop::option::of(any::<bool>()),
            prop::bool::weighted(0.2),
        )
            .prop_map(|(encodings, dfa, full_scan)| BuildOptions {
                encodings,
                dfa,
                full_scan,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(384))]

        /// 1. Output and counts do not depend on chunking and equal the reference; 2. no
        /// pattern survives outside a marker; 4. held() < longest() after every feed (checked
        /// in run_chunks).
        #[test]
        fn prop_streaming_matches_reference(
            secrets in secrets_strategy(),
            segs in input_strategy(),
            sizes in prop::collection::vec(1..24usize, 1..8),
            opts in opts_strategy(),
        ) {
            let named: Vec<(String, Vec<u8>)> =
                secrets.iter().enumerate().map(|(i, s)| (format!("S{i}"), s.clone())).collect();
            let pairs: Vec<(&str, &[u8])> =
                named.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
            let list = pattern_list(&pairs, opts.encodings);
            let p = Arc::new(Patterns::build(pairs.iter().copied(), opts));
            let input = assemble(&segs, &list);

            let (want, want_counts) = reference(&list, p.names(), &input);

            // Exact hold-back: after every feed, with P the longest suffix of the stream so far
            // that is a proper prefix of some pattern, exactly P bytes are held when no masked
            // region is pending, and a pending region is one that could still grow.
            let mut r = Redactor::new(p.clone());
            let mut out = Vec::new();
            let (mut pos, mut i) = (0, 0);
            while pos < input.len() {
                let n = sizes[i % sizes.len()].min(input.len() - pos);
                i += 1;
                r.feed(&input[pos..pos + n], &mut out);
                pos += n;
                prop_assert!(want.starts_with(&out), "released output is final");
                let hold = naive_holdback(&list, &input[..pos]);
                if r.st.pending.is_empty() {
                    prop_assert_eq!(r.held(), hold);
                } else {
                    prop_assert!(r.held() <= hold);
                    for reg in &r.st.pending {
                        prop_assert!(reg.end > (pos - hold) as u64, "pending region cannot grow");
                    }
                }
            }
            let whole = run_chunks(&p, &input, &[usize::MAX]);
            let chunked = run_chunks(&p, &input, &sizes);
            // A text redacted with only the patterns that occur in it comes out the same.
            let set = PatternSet::new(pairs.iter().copied(), opts.encodings);
            prop_assert_eq!(&set.redact_text(&input), &want);
            prop_assert_eq!(&whole.0, &want);
            prop_assert_eq!(&whole.1, &want_counts);
            prop_assert_eq!(&chunked.0, &want);
            prop_assert_eq!(&chunked.1, &want_counts);

            // No pattern occurrence outside a marker. The input alphabet has no '[', so every
            // "[REDACTED:" in the output is a marker, running to the next ']'.
            let out = &chunked.0;
            let mut markers = Vec::new();
            let mut i = 0;
            while let Some(k) = out[i..].windows(10).position(|w| w == b"[REDACTED:") {
                let s = i + k;
                let e = s + out[s..].iter().position(|&b| b == b']').expect("marker closed") + 1;
                markers.push((s, e));
                i = e;
            }
            for spec in &list {
                let n = spec.bytes.len();
                for j in 0..out.len().saturating_sub(n - 1) {
                    if out[j..].starts_with(&spec.bytes) {
                        prop_assert!(
                            markers.iter().any(|&(s, e)| j < e && s < j + n),
                            "{:?} form survived at {}", spec.encoding, j
                        );
                    }
                }
            }
        }

        /// 3. With no secrets the output is the input, byte for byte.
        #[test]
        fn prop_no_secrets_is_identity(
            input in prop::collection::vec(any::<u8>(), 0..300),
            sizes in prop::collection::vec(1..64usize, 1..6),
        ) {
            let p = Arc::new(Patterns::new([], true));
            prop_assert_eq!(run_chunks(&p, &input, &sizes).0, input);
        }

        /// Random binary input with secrets that never occur in it passes through unchanged,
        /// and hold-back never exceeds its bound.
        #[test]
        fn prop_binary_passthrough(
            input in prop::collection::vec(any::<u8>(), 0..400),
            sizes in prop::collection::vec(1..64usize, 1..6),
        ) {
            let p = pats(&[("A", b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"), ("B", b"\xff\xff\xff")], true);
            let (want, _) = reference(&pattern_list(&[("A", b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"), ("B", b"\xff\xff\xff")], true), p.names(), &input);
            prop_assert_eq!(run_chunks(&p, &input, &sizes).0, want);
        }
    }
}

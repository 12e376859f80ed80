//! The compiled pattern set: the sampling prefilter with its candidate lists, the sorted
//! pattern heads, and the Aho–Corasick automaton with its hold-back table (built only where
//! every byte must go through it, or for [`Patterns::find_all`]), plus [`PatternSet`] (the
//! patterns before compilation). Pure: no I/O.

use std::fmt;
use std::sync::{Arc, OnceLock};

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::noncontiguous;
use aho_corasick::{Anchored, MatchKind, StartKind, dfa};
use zeroize::Zeroizing;

use super::forms::{
    Encoding, FormList, Span, form_heads, form_list, lower_bound, shortest_exact, shortest_form,
    span_bytes,
};
use super::screen::ESC;
use crate::wipe::WipeVec;

/// One match found by [`Patterns::find_all`]: `haystack[start..end]` is the `encoding` form of
/// secret number `secret` (an index into [`Patterns::names`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub secret: usize,
    pub encoding: Encoding,
}

/// Sampling is used only if every pattern is at least this long (else gram lookups would be
/// needed at almost every byte and would cost more than the automaton).
const MIN_LEN_FOR_SAMPLING: usize = 8;
/// Upper bound on the sampling stride: larger strides mean more grams per pattern and wider
/// verification windows for little gain.
const MAX_STRIDE: usize = 32;
/// Above this many automaton states (≈ total pattern bytes) the DFA's transition table (states ×
/// byte classes × 4 bytes) gets too big to build quickly and to keep in cache, so the
/// NFA is used instead.
const DFA_MAX_STATES: usize = 100_000;

/// The automaton. Both kinds are built with `MatchKind::Standard` (classic Aho–Corasick: every
/// trie node is kept, every overlapping match is reported, and the state after any text is the
/// trie node of the longest suffix of that text that is a prefix of some pattern) and without a
/// prefilter (so start states are not "special" in the search loop).
///
/// aho-corasick keeps its own copy of the pattern bytes inside the automaton, which we cannot
/// zeroize; that is an accepted limitation (the values are also in the process's environment).
pub(super) enum Engine {
    Dfa(dfa::DFA),
    Nfa(noncontiguous::NFA),
}

/// The compiled set of patterns for a set of secrets. Built once per run and shared (in an
/// `Arc`) by the redactors of several output streams.
///
/// The pattern bytes are not copied: they stay in the [`PatternSet`]'s zeroizing arena, shared
/// through an `Arc`, each pattern an `(offset, length)` span of it. On the sampled path (every
/// pattern at least 8 bytes, the usual case) a sample whose gram is some pattern's gram is
/// verified by comparing the patterns listed under that gram, and the hold-back of a feed's
/// tail is found by binary search in `order`: no automaton is ever built for the stream. The
/// automaton is built where every byte must go through it (some pattern is shorter), and on
/// demand for [`Patterns::find_all`].
pub struct Patterns {
    pub(super) names: Arc<[String]>,
    /// Pattern id → its `(offset, length)` in `arena`, secret and encoding (shared with the
    /// [`PatternSet`]'s list when every pattern is compiled).
    pub(super) pats: Arc<Vec<Span>>,
    /// Every pattern's bytes (zeroized on drop, by its last owner).
    arena: Arc<WipeVec>,
    /// Pattern ids in the lexicographic order of their bytes (empty on the full-scan path).
    order: Arc<Vec<u32>>,
    /// A bitset of hashes of every pattern's first one, two and three bytes (sampled path):
    /// most suffixes of a feed's tail start no pattern, and this says so without a search.
    heads: Zeroizing<Vec<u64>>,
    use_dfa: bool,
    /// The automaton, built when first needed.
    built: OnceLock<Built>,
    /// The sampling grid (`None`: every byte goes through the automaton).
    pub(super) grid: Option<Grid>,
    /// The sampling filter, built at the first complete sample (`vault run -- echo hi`
    /// prints fewer bytes than a gram and never needs it).
    filter: OnceLock<Filter>,
    pub(super) longest: usize,
    pub(super) shortest: usize,
    /// Most newlines in a proper prefix of any pattern (for [`Redactor::for_log`](super::Redactor::for_log)).
    pub(super) max_newlines: usize,
    /// No pattern contains an ESC byte, so escape sequences can be skipped when matching
    /// (a value that itself holds one is matched byte for byte instead).
    pub(super) skip_escapes: bool,
    /// `Some` for a first stage ([`PatternSet::compile_staged`]): every pattern here is only
    /// the head of a form, and the whole forms are compiled from the set when a head occurs.
    upgrade: Option<Upgrade>,
}

/// How a first stage becomes the whole pattern set: compiled once, when a stream first meets
/// a complete head (or a head cut off by the stream's end), shared by every stream.
struct Upgrade {
    set: Arc<PatternSet>,
    full: OnceLock<Arc<Patterns>>,
}

/// The automaton and, for every automaton state, the length of the longest suffix of the
/// state's string that is a proper prefix of some pattern (read once or twice per feed, never
/// per byte).
pub(super) struct Built {
    pub(super) engine: Engine,
    holdback: HoldBack,
}

/// Longest tail whose hold-back [`Patterns::tail_holdback`] answers: `k + q - 2` ≤
/// `MAX_STRIDE + 6`.
const HEAD: usize = MAX_STRIDE + 8;

/// Bits in [`Patterns::heads`] (32 KiB): a few percent of false positives at 10,000 patterns.
const HEAD_BITS: u32 = 18;

/// Where `b` (1 to 3 bytes) sits in [`Patterns::heads`].
#[inline]
fn head_hash(b: &[u8]) -> usize {
    let v = b.iter().fold(0u64, |v, &c| v << 8 | u64::from(c));
    head_hash_of(b.len(), v)
}

/// [`head_hash`] of `n` bytes whose big-endian value is `v`.
#[inline]
fn head_hash_of(n: usize, v: u64) -> usize {
    let x = (n as u64) << (8 * n) | v;
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - HEAD_BITS)) as usize
}

/// [`Patterns::heads`]: the first one, two and three bytes of every pattern, hashed.
fn head_bits(arena: &[u8], pats: &[Span]) -> Zeroizing<Vec<u64>> {
    let mut heads = Zeroizing::new(vec![0u64; 1 << (HEAD_BITS - 6)]);
    for &s in pats {
        let mut v = 0u64;
        for (i, &c) in span_bytes(arena, s).iter().take(3).enumerate() {
            v = v << 8 | u64::from(c);
            let h = head_hash_of(i + 1, v);
            heads[h >> 6] |= 1 << (h & 63);
        }
    }
    heads
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
    pub(super) fn default_for(encodings: bool) -> BuildOptions {
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

    /// Compile the patterns `ids` of `list` (in increasing order; `None`: all of them), each
    /// naming a secret by its index in `names`.
    pub(super) fn from_list(
        names: Arc<[String]>,
        list: &FormList,
        ids: Option<&[u32]>,
        opts: BuildOptions,
    ) -> Patterns {
        let arena = Arc::clone(&list.arena);
        let (pats, mut order): (Arc<Vec<Span>>, Arc<Vec<u32>>) = match ids {
            None => (Arc::clone(&list.pats), Arc::clone(&list.sorted)),
            Some(ids) => {
                let pats: Arc<Vec<Span>> =
                    Arc::new(ids.iter().map(|&i| list.pats[i as usize]).collect());
                let bytes = |i: u32| span_bytes(&arena, pats[i as usize]);
                let mut order: Vec<u32> = (0..ids.len() as u32).collect();
                order.sort_unstable_by(|&a, &b| bytes(a).cmp(bytes(b)));
                (pats, Arc::new(order))
            }
        };
        let longest = pats.iter().map(|s| s.len as usize).max().unwrap_or(0);
        let shortest = pats.iter().map(|s| s.len as usize).min().unwrap_or(0);
        let pattern = |i: usize| span_bytes(&arena, pats[i]);
        // A form holds an ESC or a newline only if its value does, so one look at the arena
        // (where every pattern's bytes are) usually settles both for all patterns at once.
        let in_any = |b: u8| {
            memchr::memchr(b, &arena).is_some() && (0..pats.len()).any(|i| pattern(i).contains(&b))
        };
        let skip_escapes = !in_any(ESC);
        let max_newlines = if in_any(b'\n') {
            (0..pats.len())
                .map(|i| {
                    let b = pattern(i);
                    memchr::memchr_iter(b'\n', &b[..b.len() - 1]).count()
                })
                .max()
                .unwrap_or(0)
        } else {
            0
        };
        let total: usize = pats.iter().map(|s| s.len as usize).sum();
        // The DFA walks every byte faster, but costs ~7x more to build (tens of ms at 100
        // secrets). It is used only where every byte goes through the automaton (a pattern
        // shorter than the sampling minimum) and the pattern set is small.
        let full_scan = opts.full_scan || shortest < MIN_LEN_FOR_SAMPLING;
        let use_dfa = opts.dfa.unwrap_or(full_scan && total <= DFA_MAX_STATES);
        let grid = (!full_scan && !pats.is_empty()).then(|| Grid::new(shortest));
        if full_scan {
            order = Arc::new(Vec::new());
        }
        let heads = if grid.is_some() {
            head_bits(&arena, &pats)
        } else {
            Zeroizing::new(Vec::new())
        };
        let p = Patterns {
            names,
            pats,
            arena,
            order,
            heads,
            use_dfa,
            built: OnceLock::new(),
            grid,
            filter: OnceLock::new(),
            longest,
            shortest,
            max_newlines,
            skip_escapes,
            upgrade: None,
        };
        if full_scan && !p.is_empty() {
            // Every byte goes through the automaton: it is needed at the first byte.
            p.automaton();
        }
        p
    }

    /// The sampling filter, built now if it was not. Only on the sampled path.
    pub(super) fn filter(&self) -> &Filter {
        self.filter.get_or_init(|| {
            let grid = self.grid.expect("the filter is for the sampled path");
            Filter::new(&|i| self.pattern(i as u32), self.pats.len(), grid)
        })
    }

    /// True for a first stage: its patterns are heads of the forms, and a stream that meets
    /// one completely (or cut off by its end) must go on with [`Patterns::upgraded`].
    #[inline]
    pub(super) fn is_staged(&self) -> bool {
        self.upgrade.is_some()
    }

    /// The whole pattern set behind a first stage, compiled now if it was not (a second
    /// stream asking meanwhile waits).
    pub(super) fn upgraded(&self) -> Arc<Patterns> {
        let u = self
            .upgrade
            .as_ref()
            .expect("only a first stage is upgraded");
        Arc::clone(u.full.get_or_init(|| {
            let full = u.set.compile();
            // The sample grid is the same (both come from the shortest form), so what the
            // first stage examined is what the whole set would have examined.
            debug_assert_eq!(full.grid.map(|g| (g.k, g.q)), self.grid.map(|g| (g.k, g.q)));
            Arc::new(full)
        }))
    }

    /// True once the whole forms have been compiled (tests: a stream that meets no head of
    /// a form never needs them).
    #[cfg(test)]
    pub(super) fn is_upgraded(&self) -> bool {
        self.upgrade
            .as_ref()
            .is_some_and(|u| u.full.get().is_some())
    }

    /// True once the automaton has been built (tests: the sampled path never builds it).
    #[cfg(test)]
    pub(super) fn is_built(&self) -> bool {
        self.built.get().is_some()
    }

    /// The bytes of pattern `id`.
    #[inline]
    pub(super) fn pattern(&self, id: u32) -> &[u8] {
        span_bytes(&self.arena, self.pats[id as usize])
    }

    /// True if there is no pattern at all (no secret, or only empty values).
    pub fn is_empty(&self) -> bool {
        self.pats.is_empty()
    }

    /// Number of distinct patterns.
    pub fn len(&self) -> usize {
        self.pats.len()
    }

    /// Secret names; the index is the secret id used by [`Hit::secret`] and
    /// [`Redactor::counts`](super::Redactor::counts).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Length of the longest pattern in bytes (0 if there is none).
    pub fn longest(&self) -> usize {
        self.longest
    }

    /// The automaton, built now if it was not (a second stream asking meanwhile waits). Only
    /// for a non-empty set.
    pub(super) fn automaton(&self) -> &Built {
        self.built.get_or_init(|| {
            let bytes: Vec<&[u8]> = (0..self.pats.len() as u32)
                .map(|i| self.pattern(i))
                .collect();
            let total: usize = bytes.iter().map(|b| b.len()).sum();
            let engine = if self.use_dfa {
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
            Built { engine, holdback }
        })
    }

    /// Without the automaton: the length of the longest suffix of `tail` (at most [`HEAD`]
    /// bytes) that is a proper prefix of some pattern.
    pub(super) fn tail_holdback(&self, tail: &[u8]) -> usize {
        debug_assert!(tail.len() <= HEAD);
        (1..=tail.len())
            .rev()
            .find(|&d| {
                let s = &tail[tail.len() - d..];
                let h = head_hash(&s[..s.len().min(3)]);
                (self.heads[h >> 6] >> (h & 63)) & 1 != 0 && self.is_proper_prefix(s)
            })
            .unwrap_or(0)
    }

    fn is_proper_prefix(&self, s: &[u8]) -> bool {
        // Patterns that start with `s` are contiguous in `order`, right at its lower bound.
        let from = lower_bound(&self.order, |i| self.pattern(i), s);
        for &i in &self.order[from..] {
            let p = self.pattern(i);
            if !p.starts_with(s) {
                return false;
            }
            if p.len() > s.len() {
                return true;
            }
        }
        false
    }

    /// Every occurrence of a pattern that covers sample `j` of `hay` (a stream offset that is
    /// a multiple of the stride) at an offset below the stride, given as `(pattern, start)`,
    /// with `found(pattern, start, n)`: `n` is how many of the pattern's bytes `hay` holds
    /// from `start` (all of them, or up to `hay`'s end). Only for sampled patterns; the gram
    /// at `j` must be complete.
    #[inline]
    pub(super) fn candidates(
        &self,
        f: &Filter,
        hay: &[u8],
        j: usize,
        g: u64,
        mut found: impl FnMut(u32, usize, usize),
    ) {
        for (pid, o) in f.candidates(g) {
            if o > j {
                continue;
            }
            let s = j - o;
            let p = self.pattern(pid);
            let n = p.len().min(hay.len() - s);
            if hay[s..s + n] == p[..n] {
                found(pid, s, n);
            }
        }
    }

    /// True if some pattern occurs in `hay` (a short text: an escape sequence).
    pub(super) fn occurs_in(&self, hay: &[u8]) -> bool {
        if self.is_empty() || hay.len() < self.shortest {
            return false;
        }
        let mut found = false;
        if let Some(Grid { q, k, mask }) = self.grid {
            let f = self.filter();
            // Every occurrence covers a sample at an offset below the stride.
            let mut j = 0;
            while j + q <= hay.len() && !found {
                let g = gram_at(hay, j, mask);
                if f.maybe(g) {
                    self.candidates(f, hay, j, g, |pid, _, n| {
                        found |= n == self.pattern(pid).len();
                    });
                }
                j += k;
            }
            // A first stage found a whole head: whether the whole form is there too is the
            // whole set's to say.
            return found && (!self.is_staged() || self.upgraded().occurs_in(hay));
        }
        match &self.automaton().engine {
            Engine::Dfa(a) => {
                scan(a, start_state(a), hay, 0, hay.len(), |_, _, _| found = true);
            }
            Engine::Nfa(a) => {
                scan(a, start_state(a), hay, 0, hay.len(), |_, _, _| found = true);
            }
        }
        found
    }

    /// Every match in a complete buffer, overlapping ones included, in order of end offset.
    pub fn find_all<'h>(&'h self, haystack: &'h [u8]) -> impl Iterator<Item = Hit> + 'h {
        assert!(!self.is_staged(), "find_all needs the whole forms");
        FindAll {
            patterns: self,
            haystack,
            pos: 0,
            sid: (!self.is_empty()).then(|| self.automaton().engine.start()),
            pending: None,
        }
    }

    /// Hold-back length for `sid`, the automaton state after the last byte of `w`: the length
    /// of the longest suffix of `w` that is a proper prefix of some pattern. The state's string
    /// is a suffix of `w` (`w` always holds the stream's last `longest()` bytes, or all of it).
    pub(super) fn holdback_of<A: Automaton>(&self, a: &A, mut sid: StateID, w: &[u8]) -> usize {
        let Some(built) = self.built.get() else {
            return self.longest.saturating_sub(1);
        };
        loop {
            match built.holdback.get(sid) {
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
    pub(super) names: Arc<[String]>,
    /// The values, one after another (zeroized on drop); their forms are generated when
    /// first needed.
    values: Zeroizing<Vec<u8>>,
    /// Where each value ends in `values`.
    ends: Vec<usize>,
    list: OnceLock<FormList>,
    /// The heads of the forms, for a first stage ([`PatternSet::compile_staged`]).
    heads: OnceLock<FormList>,
    pub(super) encodings: bool,
    /// No form of any value is shorter than this: a shorter text holds none.
    pub(super) shortest_form: usize,
}

impl PatternSet {
    /// The patterns for `secrets`, given as `(name, value)`, as [`Patterns::new`] takes them.
    pub fn new<'a>(
        secrets: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        encodings: bool,
    ) -> PatternSet {
        let secrets: Vec<(&str, &[u8])> = secrets.into_iter().collect();
        // Sized up front: no reallocation leaves a copy behind.
        let mut values = Zeroizing::new(Vec::with_capacity(
            secrets.iter().map(|(_, v)| v.len()).sum(),
        ));
        let ends = secrets
            .iter()
            .map(|(_, v)| {
                values.extend_from_slice(v);
                values.len()
            })
            .collect();
        PatternSet {
            names: secrets.iter().map(|(n, _)| (*n).to_owned()).collect(),
            values,
            ends,
            list: OnceLock::new(),
            heads: OnceLock::new(),
            encodings,
            shortest_form: secrets
                .iter()
                .map(|(_, v)| shortest_form(v))
                .min()
                .unwrap_or(usize::MAX),
        }
    }

    /// Every pattern, generated on first use.
    pub(super) fn list(&self) -> &FormList {
        self.list
            .get_or_init(|| form_list(&self.value_slices(), self.encodings))
    }

    /// The values, one slice each.
    fn value_slices(&self) -> Vec<&[u8]> {
        self.ends
            .iter()
            .scan(0, |start, &end| {
                let v = &self.values[*start..end];
                *start = end;
                Some(v)
            })
            .collect()
    }

    /// Secret names, indexed as in [`Patterns::names`].
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Compile the patterns (about 3 ms per thousand secrets: no automaton is built
    /// on the sampled path).
    pub fn compile(&self) -> Patterns {
        self.compile_with(BuildOptions::default_for(self.encodings))
    }

    pub(super) fn compile_with(&self, opts: BuildOptions) -> Patterns {
        Patterns::from_list(self.names.clone(), self.list(), None, opts)
    }

    /// Compile in two stages: first only the head of every form — its first `k + q - 1`
    /// bytes, which is all the sampling filter and the exact hold-back look at — and the
    /// whole forms when a stream meets a complete head (or one cut off by its end), which
    /// text that holds no value almost never does. The output is the same as
    /// [`PatternSet::compile`]'s (the whole set takes over at the sample where the first
    /// stage found the head, with the same sample grid, and the first stage has found no
    /// match and no partial occurrence before that). Where every byte must go through the
    /// automaton (a form shorter than 8 bytes), this is [`PatternSet::compile`].
    ///
    /// `vault run -- echo hi` at a thousand secrets generates a few hundred kilobytes of
    /// forms less before its first byte goes out.
    pub fn compile_staged(self: &Arc<Self>) -> Patterns {
        let values = self.value_slices();
        let shortest = values
            .iter()
            .map(|v| shortest_exact(v, self.encodings))
            .min()
            .unwrap_or(usize::MAX);
        if shortest == usize::MAX || shortest < MIN_LEN_FOR_SAMPLING {
            return self.compile();
        }
        let grid = Grid::new(shortest);
        let limit = grid.k + grid.q - 1;
        let list = self
            .heads
            .get_or_init(|| form_heads(&values, self.encodings, limit));
        // A form holds a newline or an ESC only where its value does (every encoder spells
        // them otherwise or copies them), and holds no more newlines than its value.
        let max_newlines = if memchr::memchr(b'\n', &self.values).is_some() {
            values
                .iter()
                .map(|v| memchr::memchr_iter(b'\n', v).count())
                .max()
                .unwrap_or(0)
        } else {
            0
        };
        Patterns {
            names: self.names.clone(),
            pats: Arc::clone(&list.pats),
            arena: Arc::clone(&list.arena),
            order: Arc::clone(&list.sorted),
            heads: head_bits(&list.arena, &list.pats),
            use_dfa: false,
            built: OnceLock::new(),
            grid: Some(grid),
            filter: OnceLock::new(),
            longest: list.longest,
            shortest,
            max_newlines,
            skip_escapes: memchr::memchr(ESC, &self.values).is_none(),
            upgrade: Some(Upgrade {
                set: Arc::clone(self),
                full: OnceLock::new(),
            }),
        }
    }
}

impl fmt::Debug for PatternSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PatternSet")
            .field("secrets", &self.names.len())
            .field("patterns", &self.list().pats.len())
            .finish()
    }
}

impl fmt::Debug for Patterns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Patterns")
            .field("secrets", &self.names.len())
            .field("patterns", &self.pats.len())
            .field(
                "engine",
                &match () {
                    () if self.is_empty() => "none",
                    () if self.grid.is_some() => "sampled",
                    () if self.use_dfa => "dfa",
                    () => "nfa",
                },
            )
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

pub(super) fn start_state<A: Automaton>(a: &A) -> StateID {
    a.start_state(Anchored::No)
        .expect("automata are built with an unanchored start state")
}

/// Run the automaton over `hay[from..to]` starting in `sid`, calling `on_match(start, end,
/// pattern)` for every match (in order of end offset), and return the final state.
#[inline(always)]
pub(super) fn scan<A: Automaton>(
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

/// Where samples are taken: a gram of `q` bytes every `k` bytes (`mask` keeps a gram's `q`
/// bytes of a little-endian `u64`).
#[derive(Clone, Copy)]
pub(super) struct Grid {
    pub(super) q: usize,
    pub(super) k: usize,
    pub(super) mask: u64,
}

impl Grid {
    fn new(shortest: usize) -> Grid {
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
        Grid { q, k, mask }
    }
}

/// The sampling prefilter: a gram of `q` bytes is read every `k` bytes and looked up in a
/// bitset of the grams at offsets `0..k` of every pattern; on a hit, the gram's hash bucket
/// lists the `(pattern, offset)` pairs whose gram hashes there, and comparing those patterns
/// at the sample settles it (a foreign entry in the bucket simply does not compare equal).
/// Everything here is derived from secret bytes (the bitset and buckets are hashes of them),
/// so all of it is zeroized on drop.
pub(super) struct Filter {
    bits: Zeroizing<Vec<u64>>,
    bits_shift: u32,
    /// Per bucket, its first entry ([`Filter::NIL`]: none).
    heads: Zeroizing<Vec<u32>>,
    heads_shift: u32,
    /// `(pattern << 5 | offset) << 32 | next entry`.
    entries: Zeroizing<Vec<u64>>,
}

const HASH_MUL: u64 = 0x9E37_79B9_7F4A_7C15;
const HASH_MUL2: u64 = 0xD6E8_FEB8_6659_FD93;

impl Filter {
    const NIL: u32 = u32::MAX;

    fn new<'p>(pattern: &dyn Fn(usize) -> &'p [u8], count: usize, grid: Grid) -> Filter {
        let Grid { k, mask, .. } = grid;
        assert!(count < 1 << 27, "fewer than 2^27 patterns");
        let n = (count * k).max(1);
        let bits_log = (n * 32).next_power_of_two().trailing_zeros().clamp(12, 24);
        let mut bits = Zeroizing::new(vec![0u64; 1usize << (bits_log - 6)]);
        let heads_log = n.next_power_of_two().trailing_zeros().max(4);
        let mut heads = Zeroizing::new(vec![Filter::NIL; 1usize << heads_log]);
        let mut entries: Zeroizing<Vec<u64>> = Zeroizing::new(Vec::with_capacity(n));
        for pid in 0..count {
            let p = pattern(pid);
            for o in 0..k {
                let g = gram_at(p, o, mask);
                let h = (g.wrapping_mul(HASH_MUL) >> (64 - bits_log)) as usize;
                bits[h >> 6] |= 1 << (h & 63);
                let head = &mut heads[(g.wrapping_mul(HASH_MUL2) >> (64 - heads_log)) as usize];
                let e = entries.len() as u32;
                entries.push(u64::from((pid as u32) << 5 | o as u32) << 32 | u64::from(*head));
                *head = e;
            }
        }
        Filter {
            bits,
            bits_shift: 64 - bits_log,
            heads,
            heads_shift: 64 - heads_log,
            entries,
        }
    }

    /// False if no pattern has gram `g` at an offset below the stride (a bitset test; true
    /// may be a false positive, which comparing the candidates settles).
    #[inline(always)]
    pub(super) fn maybe(&self, g: u64) -> bool {
        let h = (g.wrapping_mul(HASH_MUL) >> self.bits_shift) as usize;
        (self.bits[h >> 6] >> (h & 63)) & 1 != 0
    }

    /// Every `(pattern, offset)` whose gram may be `g`.
    #[inline]
    pub(super) fn candidates(&self, g: u64) -> impl Iterator<Item = (u32, usize)> + '_ {
        let mut e = self.heads[(g.wrapping_mul(HASH_MUL2) >> self.heads_shift) as usize];
        std::iter::from_fn(move || {
            if e == Filter::NIL {
                return None;
            }
            let x = self.entries[e as usize];
            e = x as u32;
            let c = (x >> 32) as u32;
            Some((c >> 5, (c & 31) as usize))
        })
    }
}

/// The (little-endian, masked) gram starting at `hay[j]`; bytes past the end read as 0, which
/// the mask removes whenever `j + q <= hay.len()`.
#[inline(always)]
pub(super) fn gram_at(hay: &[u8], j: usize, mask: u64) -> u64 {
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
        let engine = &self.patterns.built.get()?.engine;
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
                    let info = self.patterns.pats[pid];
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

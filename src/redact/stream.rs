//! One output stream's redactor: feeds of arbitrary size in, redacted bytes out as soon as
//! they can no longer be part of a match. Pure: no I/O, no clocks.

use std::fmt;
use std::sync::Arc;

use aho_corasick::automaton::{Automaton, StateID};
use zeroize::{Zeroize, Zeroizing};

use super::engine::{BuildOptions, Engine, Grid, PatternSet, Patterns, gram_at, scan, start_state};
use super::screen::{ESC, Escape, Step};

/// `feed` processes at most this many input bytes at a time, so the internal buffer stays small
/// however large the caller's chunks are.
pub(super) const MAX_PIECE: usize = 256 * 1024;

/// One output stream's redactor. Pure: no I/O, no clocks.
pub struct Redactor {
    patterns: Arc<Patterns>,
    /// The last `min(stream length, longest - 1)` bytes of the stream (every unreleased byte is
    /// in it), followed during a `feed` by the new input. Zeroized on drop and on `finish`;
    /// grown by hand so that a reallocation never leaves a copy behind.
    pub(super) buf: Zeroizing<Vec<u8>>,
    /// Stream offset of `buf[0]`.
    base: u64,
    scan: ScanState,
    pub(super) st: RegionState,
    /// The escape sequence being read (only when the patterns skip escape sequences).
    esc: Escape,
    /// The last release point: no future match starts before it.
    safe: u64,
    /// `Some` for a log filter ([`Redactor::for_log`]): releases wait for line ends.
    gate: Option<LineGate>,
}

/// When a log filter may release: never inside the last `longest() - 1` bytes of the stream
/// unless those bytes start after the last `n + 1` line ends (`n` being the most newlines a
/// pattern's proper prefix holds). Both limits depend only on where the input's newlines are
/// and on the pattern set's shape, never on how much of a secret the input matched, so what
/// comes back and when tells a prober nothing (issue #10). Both are at or before the exact
/// hold-back point, so this only ever releases later.
struct LineGate {
    /// Most newlines in a proper prefix of any pattern.
    n: usize,
    /// Stream offsets just after the last `n + 1` newlines, oldest first.
    starts: std::collections::VecDeque<u64>,
}

impl LineGate {
    /// Record the newlines of `piece`, which starts at stream offset `at`.
    fn note(&mut self, piece: &[u8], at: u64) {
        let keep = self.n + 1;
        let mut found: Vec<u64> = memchr::memrchr_iter(b'\n', piece)
            .take(keep)
            .map(|i| at + i as u64 + 1)
            .collect();
        found.reverse();
        for s in found {
            if self.starts.len() == keep {
                self.starts.pop_front();
            }
            self.starts.push_back(s);
        }
    }

    /// The release point at stream position `pos`.
    fn point(&self, pos: u64, longest: usize) -> u64 {
        let lines = if self.starts.len() > self.n {
            self.starts[self.starts.len() - 1 - self.n]
        } else {
            0
        };
        lines.max(pos.saturating_sub(longest.saturating_sub(1) as u64))
    }
}

/// A masked region that may still grow: the union of overlapping matches seen so far.
pub(super) struct Region {
    start: u64,
    pub(super) end: u64,
    /// Largest match end in the region (= `end`) and the smallest start among the matches
    /// ending there: a new match (whose end is ≥ every earlier end) is contained in an earlier
    /// one iff it ends at `end` and starts at or after `min_start_at_end`.
    min_start_at_end: u64,
    /// Secrets named by the region, each with the start of its first maximal (not contained)
    /// match, sorted by that start.
    names: Vec<(u32, u64)>,
}

/// Where output stands.
pub(super) struct RegionState {
    /// Stream offset up to which output has been decided: bytes before it were copied out or
    /// belong to a region whose marker was written.
    released: u64,
    /// Regions not yet final, disjoint and in stream order, all at or after `released`. A
    /// region is final once no future match can start before its end; only regions within the
    /// last `longest()` bytes of the scan position can stay pending, so this stays short.
    pub(super) pending: std::collections::VecDeque<Region>,
    /// Spare name lists, reused so that regions do not allocate in steady state.
    spare: Vec<Vec<(u32, u64)>>,
    counts: Vec<u64>,
    /// Escape sequences not yet written, each at the stream offset (of visible bytes) it sits
    /// before, in order. One strictly inside a masked region is dropped with the region's bytes.
    esc: std::collections::VecDeque<(u64, Zeroizing<Vec<u8>>)>,
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
            // Sequences inside the region go with its bytes ("the whole span replaced").
            while self.esc.front().is_some_and(|(p, _)| *p < r.end) {
                self.esc.pop_front();
            }
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
        while self.esc.front().is_some_and(|(p, _)| *p <= to) {
            let Some((p, seq)) = self.esc.pop_front() else {
                break;
            };
            if p > self.released {
                out.extend_from_slice(&w[(self.released - base) as usize..(p - base) as usize]);
                self.released = p;
            }
            out.extend_from_slice(&seq);
        }
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
            scan: ScanState::default(),
            st: RegionState {
                released: 0,
                pending: std::collections::VecDeque::new(),
                spare: Vec::new(),
                counts: vec![0; n],
                esc: std::collections::VecDeque::new(),
            },
            esc: Escape::new(),
            safe: 0,
            gate: None,
        }
    }

    /// A redactor for a log filter (`vault redact`): the same output, but bytes are released
    /// only at line ends, at the end of the stream, or once more than `longest()` bytes are
    /// pending, so that the timing of the output says nothing about a partial match (see
    /// `LineGate`). `vault run` uses [`Redactor::new`]: a prompt must show at once.
    pub fn for_log(patterns: Arc<Patterns>) -> Redactor {
        let n = patterns.max_newlines;
        let mut r = Redactor::new(patterns);
        r.gate = Some(LineGate {
            n,
            starts: std::collections::VecDeque::with_capacity(n + 1),
        });
        r
    }

    /// Append to `out` every byte of `input` (after earlier held bytes) that can be released
    /// now, redacted.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        if self.patterns.is_empty() {
            out.extend_from_slice(input);
            return;
        }
        if !self.patterns.skip_escapes {
            self.feed_visible(input, out);
            return;
        }
        // Visible bytes go to the matcher; a complete escape sequence is set aside at its
        // position, so a value painted in pieces (`grep --color`) still matches.
        let mut rest = input;
        while !rest.is_empty() {
            if !self.esc.active() {
                match memchr::memchr(ESC, rest) {
                    None => {
                        self.feed_visible(rest, out);
                        return;
                    }
                    Some(i) => {
                        self.feed_visible(&rest[..i], out);
                        rest = &rest[i..];
                    }
                }
            }
            let mut i = 0;
            while i < rest.len() {
                match self.esc.push(rest[i]) {
                    Step::More => i += 1,
                    Step::Done => {
                        i += 1;
                        let seq = self.esc.take();
                        self.escape(seq, out);
                        break;
                    }
                    Step::Rejected => {
                        let seq = self.esc.take();
                        self.feed_visible(&seq, out);
                        break;
                    }
                }
            }
            rest = &rest[i..];
        }
    }

    fn feed_visible(&mut self, input: &[u8], out: &mut Vec<u8>) {
        for piece in input.chunks(MAX_PIECE) {
            self.feed_piece(piece, out);
        }
    }

    /// A complete escape sequence: set aside at the current position, unless a whole pattern
    /// occurs inside it (an OSC title or hyperlink holding a value): then its bytes are
    /// matched as they are, like visible text.
    fn escape(&mut self, seq: Zeroizing<Vec<u8>>, out: &mut Vec<u8>) {
        if self.patterns.occurs_in(&seq) {
            self.feed_visible(&seq, out);
            return;
        }
        let pos = self.pos();
        self.st.esc.push_back((pos, seq));
        let names = &self.patterns.names;
        self.st.release(self.safe, &self.buf, self.base, out, names);
    }

    /// End of stream: release everything still held (redacted). The redactor is then ready for
    /// a new stream (nothing carries over but [`counts`](Redactor::counts)).
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.esc.active() {
            // An unfinished sequence at the end is shown as it is.
            let seq = self.esc.take();
            self.feed_visible(&seq, out);
        }
        let pos = self.pos();
        self.st
            .release(pos, &self.buf, self.base, out, &self.patterns.names);
        debug_assert!(self.st.pending.is_empty() && self.st.released == pos);
        debug_assert!(self.st.esc.is_empty());
        self.buf.zeroize();
        self.safe = 0;
        if let Some(g) = &mut self.gate {
            g.starts.clear();
        }
        self.base = 0;
        self.scan.reset();
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

        let hold = loop {
            let patterns = &*self.patterns;
            let w: &[u8] = &self.buf;
            let (sc, st) = (&mut self.scan, &mut self.st);
            let hold = match &patterns.grid {
                Some(g) => find_sampled(patterns, *g, w, ctx, self.base, sc, st, out),
                None => Some(match &patterns.automaton().engine {
                    Engine::Dfa(a) => find(a, patterns, w, ctx, self.base, sc, st, out),
                    Engine::Nfa(a) => find(a, patterns, w, ctx, self.base, sc, st, out),
                }),
            };
            match hold {
                Some(hold) => break hold,
                // A first stage met the head of a form: the whole set takes this piece over.
                None => self.patterns = self.patterns.upgraded(),
            }
        };
        let patterns = &*self.patterns;
        let w: &[u8] = &self.buf;
        let len = w.len();
        let pos = self.base + len as u64;
        let mut safe = pos - hold as u64;
        if let Some(g) = &mut self.gate {
            g.note(piece, pos - piece.len() as u64);
            safe = safe.min(g.point(pos, patterns.longest));
        }
        self.safe = safe;
        self.st.release(safe, w, self.base, out, &patterns.names);
        // Keep the context for the next feed (it contains every unreleased byte).
        let keep = len.min(patterns.longest.saturating_sub(1));
        // The bytes past `keep` are overwritten by the next feed and wiped at `finish` or
        // drop (as the relay's read buffer is): wiping them here, per feed, cost a volatile
        // store per byte of output.
        self.buf.copy_within(len - keep.., 0);
        self.buf.truncate(keep);
        self.base = pos - keep as u64;
    }
}

/// The first sample (grid point) of a feed: the first multiple of `k` whose gram was not
/// complete at the end of the previous feed (the context always contains it), as an index
/// into `w`.
fn first_sample(base: u64, ctx: usize, k: usize, q: usize) -> usize {
    let pos_prev = base + ctx as u64;
    let first = (pos_prev + 1).saturating_sub(q as u64).div_ceil(k as u64) * k as u64;
    (first - base) as usize
}

/// What the scan carries from one feed to the next.
#[derive(Default)]
struct ScanState {
    /// Full-scan path: the automaton state after the last byte of the stream.
    sid: Option<StateID>,
    /// Sampled path: occurrences found at a sample that run past the end of the stream so far,
    /// as `(pattern, start, bytes verified)`: each is a proper prefix of a pattern that is a
    /// suffix of the stream.
    partial: Vec<(u32, u64, u32)>,
    /// Sampled path, during a feed: the matches found, as `(end, start, pattern)`.
    found: Vec<(u64, u64, u32)>,
}

impl ScanState {
    fn reset(&mut self) {
        self.sid = None;
        self.partial.clear();
        self.found.clear();
    }
}

/// Full-scan path: run every new byte `w[ctx..]` (`w[..ctx]` is the tail of earlier input)
/// through the automaton, continuing from the previous feed's state, feed the matches to `st`
/// in order of end offset, and return the hold-back length: the longest suffix of the stream
/// that is a proper prefix of some pattern.
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
    let on_match = |s: usize, e: usize, pid: usize| {
        // Any later match ends at or after `e`, so it starts at or after `e - longest`.
        let e_abs = base + e as u64;
        st.on_match(
            base + s as u64,
            e_abs,
            p.pats[pid].secret,
            e_abs.saturating_sub(p.longest as u64),
            w,
            base,
            out,
            &p.names,
        );
    };
    let sid = scan(
        a,
        sc.sid.unwrap_or(start_state(a)),
        w,
        ctx,
        w.len(),
        on_match,
    );
    sc.sid = Some(sid);
    p.holdback_of(a, sid, w)
}

/// Sampled path: find every match that ends in the new input `w[ctx..]`, feed them to `st` in
/// order of end offset, and return the hold-back length.
///
/// Samples sit on a grid of stream offsets (multiples of `k`), so each is looked at once even
/// across feeds, when its gram is complete. Every occurrence of a pattern (all are at least
/// `k + q - 1` bytes) covers exactly one sample at an offset below `k`, where its gram is in
/// the filter's list for that gram: comparing the listed patterns there finds it. One that
/// runs past the end of the stream is kept as partial and compared further as bytes arrive.
/// The hold-back is then exact: a suffix that is a proper prefix of a pattern is either at
/// most `k + q - 2` bytes long (found in the sorted patterns) or covers a complete sample
/// (a partial occurrence).
///
/// For a first stage ([`Patterns::is_staged`]), whose patterns are heads of the forms, a
/// head found at a sample (whole, or cut off by the stream's end) returns `None` with
/// nothing changed: the caller goes on with the whole set, from this piece. Until then there
/// is no match and no partial occurrence, so that is where the whole set would be.
#[allow(clippy::too_many_arguments)]
fn find_sampled(
    p: &Patterns,
    grid: Grid,
    w: &[u8],
    ctx: usize,
    base: u64,
    sc: &mut ScanState,
    st: &mut RegionState,
    out: &mut Vec<u8>,
) -> Option<usize> {
    let len = w.len();
    let Grid { k, q, mask } = grid;
    let staged = p.is_staged();
    let mut found = std::mem::take(&mut sc.found);
    found.clear();
    // Partial occurrences from earlier feeds: compare the new bytes. Each started within the
    // last `longest() - 1` bytes, which the context holds.
    let mut i = 0;
    while i < sc.partial.len() {
        let (pid, s, done) = sc.partial[i];
        let pat = p.pattern(pid);
        let si = (s - base) as usize;
        let n = pat.len().min(len - si);
        let done = done as usize;
        if w[si + done..si + n] != pat[done..n] {
            sc.partial.swap_remove(i);
        } else if n == pat.len() {
            found.push((s + n as u64, s, pid));
            sc.partial.swap_remove(i);
        } else {
            sc.partial[i].2 = n as u32;
            i += 1;
        }
    }
    // New samples (the filter is built at the first one).
    let mut j = first_sample(base, ctx, k, q);
    if j + q <= len {
        let f = p.filter();
        // Returns true where a first stage must hand over.
        let mut sample = |j: usize, g: u64, found: &mut Vec<(u64, u64, u32)>| {
            let mut head = false;
            p.candidates(f, w, j, g, |pid, s, n| {
                let s_abs = base + s as u64;
                if staged {
                    head = true;
                } else if n == p.pattern(pid).len() {
                    found.push((s_abs + n as u64, s_abs, pid));
                } else {
                    sc.partial.push((pid, s_abs, n as u32));
                }
            });
            head
        };
        while j + 8 <= len {
            let mut x = [0u8; 8];
            x.copy_from_slice(&w[j..j + 8]);
            let g = u64::from_le_bytes(x) & mask;
            if f.maybe(g) && sample(j, g, &mut found) {
                sc.found = found;
                return None;
            }
            j += k;
        }
        while j + q <= len {
            let g = gram_at(w, j, mask);
            if f.maybe(g) && sample(j, g, &mut found) {
                sc.found = found;
                return None;
            }
            j += k;
        }
    }
    found.sort_unstable();
    for &(e, s, pid) in &found {
        // Any later match ends at or after `e`, so it starts at or after `e - longest`.
        st.on_match(
            s,
            e,
            p.pats[pid as usize].secret,
            e.saturating_sub(p.longest as u64),
            w,
            base,
            out,
            &p.names,
        );
    }
    sc.found = found;
    let pos = base + len as u64;
    let tail = p.tail_holdback(&w[len - len.min(k + q - 2)..]);
    Some(
        sc.partial
            .iter()
            .map(|&(_, s, _)| (pos - s) as usize)
            .fold(tail, usize::max),
    )
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

impl PatternSet {
    /// `text` redacted as a whole, exactly as a [`Redactor`] over [`PatternSet::compile`] would
    /// redact it, but compiling only the patterns that occur in it (usually none): for argv and
    /// messages, where building every pattern would cost more than the text.
    pub fn redact_text(&self, text: &[u8]) -> Vec<u8> {
        // A text shorter than every form holds none (`vault run -- true`: no form is generated).
        if text.len() < self.shortest_form {
            return text.to_vec();
        }
        // A pattern that does not occur cannot take part in a match, so leaving it out changes
        // nothing in the output.
        let list = self.list();
        let present = list.occurring(text);
        if present.is_empty() {
            return text.to_vec();
        }
        let opts = BuildOptions::default_for(self.encodings);
        let patterns = Arc::new(Patterns::from_list(
            self.names.clone(),
            list,
            Some(&present),
            opts,
        ));
        let mut r = Redactor::new(patterns);
        let mut out = Vec::with_capacity(text.len());
        r.feed(text, &mut out);
        r.finish(&mut out);
        out
    }
}

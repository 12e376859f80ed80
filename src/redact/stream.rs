//! One output stream's redactor: feeds of arbitrary size in, redacted bytes out as soon as
//! they can no longer be part of a match. Pure: no I/O, no clocks.

use std::fmt;
use std::sync::Arc;

use aho_corasick::automaton::{Automaton, StateID};
use zeroize::{Zeroize, Zeroizing};

use super::engine::{Engine, Patterns, gram_at, scan, start_state};

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

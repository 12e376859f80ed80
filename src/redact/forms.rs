//! Pattern generation: every form of a secret's value that the redactor looks for — the
//! value itself, its lines and PTY forms, and the encodings a program might print it in.
//! Pure: values in, labelled byte patterns out.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroize;
#[cfg(test)]
use zeroize::Zeroizing;

use crate::wipe::WipeVec;

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
    /// XML/HTML character references: `&amp; &lt; &gt; &quot; &apos;`, the numeric spellings
    /// HTML escapers use for quotes (`&#39; &#x27; &#039; &#34;`), and `&#N;` / `&#xH;` for
    /// every special or non-ASCII character.
    Entity,
    /// As a shell prints or leaves it: single quotes as `bash -x` (`'\''`) and busybox
    /// `ash` (`'"'"'`) quote them, or the value with the backslashes a double-quoted shell
    /// string removes (`\$ \` \" \\`) removed.
    Shell,
    /// A multi-line value with its line breaks turned into other whitespace or removed
    /// (`echo $VALUE`, `tr '\n' ' '`, a key pasted on one line).
    Joined,
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
            Encoding::Entity => "entity",
            Encoding::Shell => "shell",
            Encoding::Joined => "joined",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Encoded forms shorter than this are dropped: they would match noise.
const MIN_ENCODED_LEN: usize = 8;
/// Values shorter than this get no encoded forms, for the same reason.
const MIN_VALUE_LEN_FOR_ENCODINGS: usize = 8;
/// Lines of a multi-line value shorter than this get no `Line` pattern.
const MIN_LINE_LEN: usize = 8;

/// One generated pattern: `arena[off..off + len]` is the `encoding` form of secret `secret`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub off: u32,
    pub len: u32,
    pub secret: u32,
    pub encoding: Encoding,
}

/// Every distinct pattern of a set of secrets. The bytes of all of them sit in one zeroizing
/// arena (written once, never reallocated by `Vec` itself, so no copy is left behind), each
/// pattern a [`Span`] of it: no allocation per form, and [`Patterns`](super::Patterns) share
/// the arena instead of copying it.
pub(crate) struct FormList {
    pub arena: Arc<WipeVec>,
    /// Patterns in id order: per secret raw, CRLF, lines, encodings; identical bytes keep the
    /// first label.
    pub pats: Arc<Vec<Span>>,
    /// Pattern ids in the lexicographic order of their bytes.
    pub sorted: Arc<Vec<u32>>,
    /// No whole form is longer than this (an upper bound: for a list of heads, the whole
    /// forms were never written).
    pub longest: usize,
}

impl FormList {
    /// The bytes of pattern `id`.
    #[inline]
    pub fn bytes(&self, id: u32) -> &[u8] {
        span_bytes(&self.arena, self.pats[id as usize])
    }

    /// The ids of the patterns that occur in `text`, in increasing order. At each position
    /// the patterns that could start there (those beginning with the shortest pattern's
    /// length of text) are adjacent in `sorted`: a binary search per position, not a search
    /// per pattern.
    pub fn occurring(&self, text: &[u8]) -> Vec<u32> {
        let Some(m) = self.pats.iter().map(|s| s.len as usize).min() else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for i in 0..(text.len() + 1).saturating_sub(m) {
            let rest = &text[i..];
            let head = &rest[..m];
            let from = lower_bound(&self.sorted, |id| self.bytes(id), head);
            for &id in &self.sorted[from..] {
                let p = self.bytes(id);
                if !p.starts_with(head) {
                    break;
                }
                if rest.starts_with(p) {
                    found.push(id);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// The first index in `sorted` (pattern ids in the order of their bytes) whose pattern is not
/// below `s`: the patterns that start with `s` are the run from there. Compares the
/// [`sort_key`]s first, the bytes only on a tie.
pub(crate) fn lower_bound<'a>(sorted: &[u32], bytes: impl Fn(u32) -> &'a [u8], s: &[u8]) -> usize {
    let key = sort_key(s);
    sorted.partition_point(|&id| {
        let p = bytes(id);
        match sort_key(p).cmp(&key) {
            std::cmp::Ordering::Equal => p < s,
            o => o.is_lt(),
        }
    })
}

/// The bytes of `s` in `arena`.
#[inline]
pub(crate) fn span_bytes(arena: &[u8], s: Span) -> &[u8] {
    &arena[s.off as usize..(s.off + s.len) as usize]
}

/// A sort key that orders like the bytes themselves for the first 8 (big-endian, zero-padded):
/// equal keys need a slice comparison to break the tie.
#[inline]
pub(crate) fn sort_key(b: &[u8]) -> u64 {
    if let Some(head) = b.first_chunk::<8>() {
        return u64::from_be_bytes(*head);
    }
    let mut x = [0u8; 8];
    let n = b.len().min(8);
    x[..n].copy_from_slice(&b[..n]);
    u64::from_be_bytes(x)
}

/// Writes the forms of one value into the arena, keeping each unless it is too short or
/// equal to an earlier form of the same value (which the global dedup would drop anyway, and
/// which keeps that earlier one's label: so the result is the same, without storing them).
struct Gen<'a> {
    /// Grown by hand, so that no reallocation frees a copy unwiped.
    arena: &'a mut WipeVec,
    recs: &'a mut Vec<Span>,
    /// Per record, the [`sort_key`] of its first 8 bytes (a cheap inequality, and the key
    /// the sort orders by).
    keys: &'a mut Vec<u64>,
    secret: u32,
    /// Index in `recs` of this value's first form.
    first: usize,
    /// Each form is kept only up to this many bytes (`usize::MAX`: whole). See [`form_list`].
    limit: usize,
    /// The largest `bound` asked for so far: no form is longer.
    longest: usize,
}

impl Gen<'_> {
    /// Write one form with `write`, which appends at most `bound` bytes, and keep it if it is
    /// at least `min` bytes long and new for this value. Returns whether it was kept.
    fn form(
        &mut self,
        encoding: Encoding,
        min: usize,
        bound: usize,
        write: impl FnOnce(&mut Vec<u8>),
    ) -> bool {
        self.arena.reserve(bound);
        self.longest = self.longest.max(bound);
        let start = self.arena.len();
        self.arena.append(write);
        let mut len = self.arena.len() - start;
        if len >= min.max(1) && len > self.limit {
            self.arena.truncate(start + self.limit);
            len = self.limit;
        }
        let buf: &[u8] = self.arena;
        let new = &buf[start..];
        let key = sort_key(new);
        let seen = len < min.max(1)
            || self.recs[self.first..]
                .iter()
                .zip(&self.keys[self.first..])
                .any(|(r, k)| r.len as usize == len && *k == key && span_bytes(buf, *r) == new);
        if seen {
            // The bytes stay in the spare capacity, which is wiped with the arena.
            self.arena.truncate(start);
            return false;
        }
        self.keys.push(key);
        self.recs.push(Span {
            off: u32::try_from(start).expect("pattern bytes under 4 GiB"),
            len: len as u32,
            secret: self.secret,
            encoding,
        });
        true
    }

    /// The part of `v` that the encoders which write at least one byte per input byte, looking
    /// at most one character ahead, need for the first `limit` bytes of their output: all of
    /// `v`, or a prefix of it ending at a UTF-8 character boundary (where `v` has one) at
    /// least `limit + 5` bytes long (base64 writes 4 characters per 3 bytes, 1 to 3 of them
    /// held for the next byte).
    fn input<'v>(&self, v: &'v [u8]) -> &'v [u8] {
        let mut m = self.limit.saturating_add(8);
        if m >= v.len() {
            return v;
        }
        for _ in 0..3 {
            if v[m] & 0xc0 != 0x80 {
                break;
            }
            m -= 1;
        }
        &v[..m]
    }
}

/// Every distinct pattern for `secrets`, in order (per secret: raw, CRLF, lines, encodings);
/// identical bytes keep the first label.
pub(crate) fn form_list(values: &[&[u8]], encodings: bool) -> FormList {
    form_list_upto(values, encodings, usize::MAX)
}

/// The first `limit` bytes of every pattern (`limit` at most the shortest form's length, and
/// at least 8), distinct and sorted as [`form_list`]'s are: what the sampling filter (grams
/// at offsets below `limit - q + 1`) and the exact hold-back (suffixes shorter than `limit`)
/// need, at a fraction of the cost of whole forms. Encoders are run on a prefix of the value
/// ([`Gen::input`]) and their output cut at `limit`; a form whose head equals an earlier
/// one's is one entry.
pub(crate) fn form_heads(values: &[&[u8]], encodings: bool, limit: usize) -> FormList {
    debug_assert!(limit >= MIN_ENCODED_LEN.max(MIN_LINE_LEN));
    form_list_upto(values, encodings, limit)
}

/// The length of the shortest form of `v` (`usize::MAX` for an empty value, which has none):
/// the value's own length unless it has a line break or a backslash (see [`shortest_form`]),
/// else found by generating its forms.
pub(crate) fn shortest_exact(v: &[u8], encodings: bool) -> usize {
    if v.is_empty() || shortest_form(v) == v.len() {
        return shortest_form(v);
    }
    let list = form_list(&[v], encodings);
    list.pats
        .iter()
        .map(|s| s.len as usize)
        .min()
        .unwrap_or(usize::MAX)
}

fn form_list_upto(values: &[&[u8]], encodings: bool, limit: usize) -> FormList {
    let guess: usize = values
        .iter()
        .map(|v| {
            // About what the forms of a typical value take (a value with many special
            // characters takes more, and the arena grows).
            if limit < usize::MAX {
                14 * limit
            } else if encodings {
                12 * v.len() + 32
            } else {
                3 * v.len()
            }
        })
        .sum();
    let mut arena = WipeVec::with_capacity(guess);
    let per = if encodings { 14 } else { 2 };
    let mut recs: Vec<Span> = Vec::with_capacity(values.len() * per);
    let mut keys: Vec<u64> = Vec::with_capacity(values.len() * per);
    let mut longest = 0;
    for (id, v) in values.iter().enumerate() {
        let first = recs.len();
        let mut g = Gen {
            arena: &mut arena,
            recs: &mut recs,
            keys: &mut keys,
            secret: u32::try_from(id).expect("fewer than 2^32 secrets"),
            first,
            limit,
            longest: 0,
        };
        forms(v, encodings, &mut g);
        longest = longest.max(g.longest);
    }
    // Dedup across secrets: sort by bytes (a sort the sampled engine's `order` needs anyway),
    // keep the lowest id of each run of equal bytes. Record ids only: sorted by the first 8
    // bytes (a radix sort of their key, stable, so ties stay in id order), then each run
    // that ties on them by the bytes themselves.
    let bytes = |i: u32| span_bytes(&arena, recs[i as usize]);
    let key = |i: u32| keys[i as usize];
    let mut order = radix_order(&keys);
    let mut from = 0;
    while from < order.len() {
        let k = key(order[from]);
        let mut to = from + 1;
        while to < order.len() && key(order[to]) == k {
            to += 1;
        }
        if to - from > 1 {
            order[from..to].sort_unstable_by(|&a, &b| bytes(a).cmp(bytes(b)).then(a.cmp(&b)));
        }
        from = to;
    }
    // `new_id[i]`: record `i`'s id among the kept ones (`u32::MAX`: a duplicate).
    let mut new_id = vec![u32::MAX; recs.len()];
    let mut prev: Option<u32> = None;
    for &i in &order {
        if prev.is_none_or(|p| key(p) != key(i) || bytes(p) != bytes(i)) {
            new_id[i as usize] = 0;
            prev = Some(i);
        }
    }
    drop(keys);
    let mut kept = 0;
    for id in &mut new_id {
        if *id == 0 {
            *id = kept;
            kept += 1;
        }
    }
    order.retain_mut(|i| {
        *i = new_id[*i as usize];
        *i != u32::MAX
    });
    let mut i = 0;
    recs.retain(|_| {
        i += 1;
        new_id[i - 1] != u32::MAX
    });
    FormList {
        arena: Arc::new(arena),
        pats: Arc::new(recs),
        sorted: Arc::new(order),
        longest,
    }
}

/// Indices of `keys` in the order of their first key: a stable LSD radix sort, 11 bits per
/// pass (six passes for 64 bits; one histogram pass for all of them, and a pass where every
/// key has the same digit is skipped).
fn radix_order(keys: &[u64]) -> Vec<u32> {
    const BITS: u32 = 11;
    const PASSES: usize = 64_usize.div_ceil(BITS as usize);
    const BUCKETS: usize = 1 << BITS;
    let n = keys.len();
    let digit = |k: u64, p: usize| ((k >> (p as u32 * BITS)) as usize) & (BUCKETS - 1);
    let mut counts = vec![[0u32; BUCKETS]; PASSES];
    for &k in keys {
        for (p, c) in counts.iter_mut().enumerate() {
            c[digit(k, p)] += 1;
        }
    }
    let mut a: Vec<u32> = (0..u32::try_from(n).expect("fewer than 2^32 patterns")).collect();
    let mut b = vec![0u32; n];
    for (p, count) in counts.iter_mut().enumerate() {
        if count.iter().any(|&c| c as usize == n) {
            continue;
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let here = *c;
            *c = sum;
            sum += here;
        }
        for &i in &a {
            let d = digit(keys[i as usize], p);
            b[count[d] as usize] = i;
            count[d] += 1;
        }
        std::mem::swap(&mut a, &mut b);
    }
    a
}

/// One generated pattern with its own bytes (tests compare against these).
#[cfg(test)]
pub(crate) struct PatternSpec {
    pub bytes: Zeroizing<Vec<u8>>,
    pub secret: u32,
    pub encoding: Encoding,
}

/// [`form_list`] as one owned pattern each, in id order.
#[cfg(test)]
pub(crate) fn pattern_list(secrets: &[(&str, &[u8])], encodings: bool) -> Vec<PatternSpec> {
    let values: Vec<&[u8]> = secrets.iter().map(|&(_, v)| v).collect();
    let list = form_list(&values, encodings);
    list.pats
        .iter()
        .map(|&s| PatternSpec {
            bytes: Zeroizing::new(span_bytes(&list.arena, s).to_vec()),
            secret: s.secret,
            encoding: s.encoding,
        })
        .collect()
}

/// A lower bound on the length of every form of `v` (`usize::MAX` for an empty value, which
/// has none): every form but the raw value is at least 8 bytes long, and for a one-line value
/// without a backslash none is shorter than the value.
pub(crate) fn shortest_form(v: &[u8]) -> usize {
    if v.is_empty() {
        usize::MAX
    } else if memchr::memchr2(b'\n', b'\\', v).is_some() {
        v.len().min(MIN_ENCODED_LEN.min(MIN_LINE_LEN))
    } else {
        v.len()
    }
}

// What the bytes of a value need, OR-ed over its bytes (one table lookup per byte), so that
// forms that would equal the value itself are not even written.
const F_NONALNUM: u16 = 1;
const F_NL: u16 = 1 << 1;
/// `"`, `\` or a control byte: every JSON style escapes it.
const F_JSON: u16 = 1 << 2;
/// `<`, `>`, `&`.
const F_HTML: u16 = 1 << 3;
/// `=`, `'`.
const F_GSON: u16 = 1 << 4;
const F_SLASH: u16 = 1 << 5;
/// A byte ≥ 0x80.
const F_HIGH: u16 = 1 << 6;
/// `& < > " '`.
const F_ENTITY: u16 = 1 << 7;
const F_APOS: u16 = 1 << 8;
const F_BACKSLASH: u16 = 1 << 9;
/// Percent-encoded in set `s` (bits 10..14, in `PCT_SETS` order).
const F_PCT: u16 = 1 << 10;
/// Backspace or form feed (which JSON styles spell differently).
const F_BF: u16 = 1 << 14;
const F_SPACE: u16 = 1 << 15;

const PCT_SETS: [PctSet; 4] = [
    PctSet::Component,
    PctSet::Rfc3986,
    PctSet::Uri,
    PctSet::Form,
];

const fn byte_flags(b: u8) -> u16 {
    let mut f = 0;
    if !b.is_ascii_alphanumeric() {
        f |= F_NONALNUM;
    }
    if b == b'\n' {
        f |= F_NL;
    }
    if b == b'"' || b == b'\\' || b < 0x20 {
        f |= F_JSON;
    }
    if b == b'<' || b == b'>' || b == b'&' {
        f |= F_HTML | F_ENTITY;
    }
    if b == b'"' {
        f |= F_ENTITY;
    }
    if b == b'\'' {
        f |= F_GSON | F_ENTITY | F_APOS;
    }
    if b == b'=' {
        f |= F_GSON;
    }
    if b == b'/' {
        f |= F_SLASH;
    }
    if b >= 0x80 {
        f |= F_HIGH;
    }
    if b == b'\\' {
        f |= F_BACKSLASH;
    }
    if b == 0x08 || b == 0x0c {
        f |= F_BF;
    }
    if b == b' ' {
        f |= F_SPACE;
    }
    let mut s = 0;
    while s < PCT_SETS.len() {
        if !pct_keep(PCT_SETS[s], b) {
            f |= F_PCT << s;
        }
        s += 1;
    }
    f
}

static FLAGS: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = byte_flags(b as u8);
        b += 1;
    }
    t
};

/// Generate the forms of one value. Duplicates across values are removed by the caller.
fn forms(v: &[u8], encodings: bool, g: &mut Gen<'_>) {
    if v.is_empty() {
        return;
    }
    let n = v.len();
    // The flags of all bytes, and which combinations of percent sets escape a byte (bit `m`
    // set: some byte is escaped by exactly the sets in `m`).
    let (flags, pct_masks) = v.iter().fold((0u16, 0u16), |(f, m), &b| {
        let x = FLAGS[usize::from(b)];
        (f | x, m | 1 << ((x / F_PCT) & 15))
    });
    // What the encoders below read: all of `v`, or for a list of heads only as much as
    // their first `g.limit` bytes need (the flags above are the whole value's).
    let w = g.input(v);
    g.form(Encoding::Raw, 1, n, |out| out.extend_from_slice(w));
    if flags & F_NL != 0 {
        g.form(Encoding::Crlf, 1, 2 * n, |out| {
            for (i, &b) in w.iter().enumerate() {
                if b == b'\n' && (i == 0 || w[i - 1] != b'\r') {
                    out.push(b'\r');
                }
                out.push(b);
            }
        });
        // A PTY (ONLCR) turns every `\n` into `\r\n`, so a value's own `\r\n` prints as
        // `\r\r\n`.
        if v.windows(2).any(|w| w == b"\r\n") {
            g.form(Encoding::Crlf, 1, 2 * n, |out| {
                for &b in w {
                    if b == b'\n' {
                        out.push(b'\r');
                    }
                    out.push(b);
                }
            });
        }
        for line in v.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() >= MIN_LINE_LEN {
                g.form(Encoding::Line, 1, line.len(), |out| {
                    out.extend_from_slice(line);
                });
            }
        }
    }
    if !encodings || n < MIN_VALUE_LEN_FOR_ENCODINGS {
        return;
    }
    let min = MIN_ENCODED_LEN;
    let b64_bound = 4 * (n + 2) / 3 + 8;
    let mut std_at = [(0usize, 0usize); 3];
    for (align, at) in std_at.iter_mut().enumerate() {
        let start = g.arena.len();
        let mut special = false;
        if g.form(Encoding::Base64, min, b64_bound, |out| {
            special = base64_aligned(w, align, out);
        }) && special
        {
            *at = (start, g.arena.len() - start);
        }
    }
    // URL-safe base64 is the standard one with two characters mapped (and equal to it when
    // neither occurs).
    for &(start, len) in &std_at {
        if len == 0 {
            continue;
        }
        let url = |b: u8| match b {
            b'+' => b'-',
            b'/' => b'_',
            b => b,
        };
        g.form(Encoding::Base64Url, min, len, |out| {
            out.extend_from_within(start..start + len);
            let n = out.len();
            for b in &mut out[n - len..] {
                *b = url(*b);
            }
        });
    }
    g.form(Encoding::HexLower, min, 2 * n, |out| hex(w, HEX_LOWER, out));
    // Upper-case hex differs only if some nibble is a letter.
    if v.iter().any(|&b| b >> 4 >= 10 || b & 15 >= 10) {
        g.form(Encoding::HexUpper, min, 2 * n, |out| hex(w, HEX_UPPER, out));
    }
    if flags & F_NL != 0 {
        for j in 0..3 {
            g.form(Encoding::Joined, min, n, |out| joined(v, j, out));
        }
    }
    // Every percent and JSON form of an alphanumeric value is the value itself.
    if flags & F_NONALNUM == 0 {
        return;
    }
    // Two sets that escape the same bytes of this value write the same form (unless one
    // writes a space as `+`).
    let same_sets = |a: usize, b: usize| {
        (0..16).all(|m| pct_masks & (1 << m) == 0 || (m >> a) & 1 == (m >> b) & 1)
            && (flags & F_SPACE == 0
                || matches!(PCT_SETS[a], PctSet::Form) == matches!(PCT_SETS[b], PctSet::Form))
    };
    for set in 0..PCT_SETS.len() {
        if flags & (F_PCT << set) == 0 {
            continue; // nothing to escape: the value itself
        }
        if (0..set).any(|earlier| same_sets(earlier, set)) {
            continue; // the same bytes as an earlier set's forms
        }
        let mut letter = false;
        g.form(Encoding::Percent, min, 3 * n, |out| {
            letter = percent(w, set, HEX_UPPER, out);
        });
        if letter {
            g.form(Encoding::Percent, min, 3 * n, |out| {
                percent(w, set, HEX_LOWER, out);
            });
        }
    }
    // Styles that treat every byte class this value has alike write the same bytes: each
    // distinct treatment is written once (the first style's), none that is the value itself.
    let utf8 = flags & F_HIGH == 0 || std::str::from_utf8(v).is_ok();
    let mut treatments = [0u16; JSON_STYLES.len()];
    let mut seen = 0;
    for style in JSON_STYLES {
        if (style.ascii || style.line_seps) && !utf8 {
            continue; // \u escapes need UTF-8: no form
        }
        let treat = |on: bool, f: u16| if on { flags & f } else { 0 };
        let t = treat(style.ascii, F_HIGH)
            | treat(style.html, F_HTML)
            | treat(style.gson, F_GSON)
            | treat(style.slash, F_SLASH)
            | treat(!style.short_bf, F_BF)
            | (treat(style.line_seps, F_HIGH) << 1);
        if (t == 0 && flags & F_JSON == 0) || treatments[..seen].contains(&t) {
            continue;
        }
        treatments[seen] = t;
        seen += 1;
        g.form(Encoding::Json, min, 6 * n, |out| json_escape(w, style, out));
    }
    if flags & F_ENTITY != 0 {
        // Styles differ only in how they write `"` and `'`: one that writes those this value
        // has as an earlier style does writes the same bytes.
        let (dq, apos) = (v.contains(&b'"'), flags & F_APOS != 0);
        for (i, style) in ENTITY_STYLES.iter().enumerate() {
            let same =
                |e: &EntityStyle| (!dq || e.quot == style.quot) && (!apos || e.apos == style.apos);
            if ENTITY_STYLES[..i].iter().any(same) {
                continue;
            }
            g.form(Encoding::Entity, min, 6 * n, |out| entities(w, style, out));
        }
    }
    if flags & (F_HIGH | F_ENTITY) != 0 {
        g.form(Encoding::Entity, min, 10 * n, |out| {
            numeric_entities(w, false, out);
        });
        g.form(Encoding::Entity, min, 10 * n, |out| {
            numeric_entities(w, true, out);
        });
    }
    if flags & F_APOS != 0 {
        g.form(Encoding::Shell, min, 5 * n, |out| {
            replace_byte(w, b'\'', b"'\\''", out);
        });
        g.form(Encoding::Shell, min, 5 * n, |out| {
            replace_byte(w, b'\'', b"'\"'\"'", out);
        });
    }
    if flags & F_BACKSLASH != 0 {
        // Equal to the value when no backslash escapes anything: dropped as a duplicate.
        g.form(Encoding::Shell, min, n, |out| shell_unescaped(v, out));
    }
}

/// `v` with every `from` byte replaced by `to`.
fn replace_byte(v: &[u8], from: u8, to: &[u8], out: &mut Vec<u8>) {
    for &b in v {
        if b == from {
            out.extend_from_slice(to);
        } else {
            out.push(b);
        }
    }
}

/// What a shell leaves of `v` written inside double quotes: a backslash before `$`, `` ` ``,
/// `"`, `\` or a newline is removed (with the newline, for the last).
fn shell_unescaped(v: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < v.len() {
        match (v[i], v.get(i + 1)) {
            (b'\\', Some(&n)) if b"$`\"\\\n".contains(&n) => {
                if n != b'\n' {
                    out.push(n);
                }
                i += 2;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
}

/// A multi-line value with its line breaks (`\n` or `\r\n`) each turned into a space (`which`
/// 0) or removed (1), or as `echo $VALUE` prints it (2: words split on blanks and line
/// breaks, joined by single spaces).
fn joined(v: &[u8], which: usize, out: &mut Vec<u8>) {
    if which < 2 {
        for (i, l) in v.split(|&b| b == b'\n').enumerate() {
            if i > 0 && which == 0 {
                out.push(b' ');
            }
            out.extend_from_slice(l.strip_suffix(b"\r").unwrap_or(l));
        }
        return;
    }
    let start = out.len();
    for w in v
        .split(|b| b" \t\r\n".contains(b))
        .filter(|w| !w.is_empty())
    {
        if out.len() > start {
            out.push(b' ');
        }
        out.extend_from_slice(w);
    }
}

/// How one XML/HTML escaper writes `&`, `<`, `>`, `"` and `'` (`None`: left as it is).
struct EntityStyle {
    quot: Option<&'static [u8]>,
    apos: Option<&'static [u8]>,
}

const ENTITY_STYLES: [EntityStyle; 6] = [
    // XML's five predefined entities (lxml attributes, .NET SecurityElement.Escape).
    EntityStyle {
        quot: Some(b"&quot;"),
        apos: Some(b"&apos;"),
    },
    // Python html.escape.
    EntityStyle {
        quot: Some(b"&quot;"),
        apos: Some(b"&#x27;"),
    },
    // Go html.EscapeString and text/template, MarkupSafe (Jinja).
    EntityStyle {
        quot: Some(b"&#34;"),
        apos: Some(b"&#39;"),
    },
    // PHP htmlspecialchars (ENT_QUOTES, the default since PHP 8.1).
    EntityStyle {
        quot: Some(b"&quot;"),
        apos: Some(b"&#039;"),
    },
    // Text nodes (XML serialisers, html.escape(quote=False)).
    EntityStyle {
        quot: None,
        apos: None,
    },
    // Double-quoted attributes (ElementTree, PHP ENT_COMPAT).
    EntityStyle {
        quot: Some(b"&quot;"),
        apos: None,
    },
];

fn entities(v: &[u8], style: &EntityStyle, out: &mut Vec<u8>) {
    for &b in v {
        match (b, style.quot, style.apos) {
            (b'&', _, _) => out.extend_from_slice(b"&amp;"),
            (b'<', _, _) => out.extend_from_slice(b"&lt;"),
            (b'>', _, _) => out.extend_from_slice(b"&gt;"),
            (b'"', Some(q), _) | (b'\'', _, Some(q)) => out.extend_from_slice(q),
            _ => out.push(b),
        }
    }
}

/// Every special (`& < > " '`) and non-ASCII character as a numeric reference, decimal
/// (`&#233;`) or lowercase hex (`&#xe9;`); invalid UTF-8 bytes are kept as they are.
fn numeric_entities(v: &[u8], hex: bool, out: &mut Vec<u8>) {
    let num = |out: &mut Vec<u8>, c: u32| {
        out.extend_from_slice(if hex { b"&#x" } else { b"&#" });
        let radix: u32 = if hex { 16 } else { 10 };
        let mut digits = 1;
        while c / radix.pow(digits) > 0 {
            digits += 1;
        }
        for d in (0..digits).rev() {
            out.push(HEX_LOWER[(c / radix.pow(d) % radix) as usize]);
        }
        out.push(b';');
    };
    for chunk in v.utf8_chunks() {
        for c in chunk.valid().chars() {
            if !c.is_ascii() || "&<>\"'".contains(c) {
                num(out, u32::from(c));
            } else {
                out.push(c as u8);
            }
        }
        out.extend_from_slice(chunk.invalid());
    }
}

pub(super) const B64_STD: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// The base64 characters of `v` when it starts at byte offset `align` (mod 3) of a larger blob:
/// only the characters whose 6 bits all come from `v` (the first ones may mix in the previous
/// byte, the last one the next byte or padding), so the pattern matches wherever `v` sits.
/// That is the encoding of `align` zero bytes and `v`, without its first `⌈8·align/6⌉` and
/// past its `⌊8·(align + len)/6⌋`-th character.
/// Returns whether a `+` or `/` may be among them (else the URL-safe form is the same).
fn base64_aligned(v: &[u8], align: usize, out: &mut Vec<u8>) -> bool {
    let first = (8 * align).div_ceil(6);
    let last = (8 * (align + v.len())) / 6;
    let start = out.len();
    // The first group holds the `align` zero bytes and the value's first bytes; the rest are
    // the value's bytes three at a time (the last one padded with zeros).
    let head = (3 - align) % 3;
    let (lead, rest) = v.split_at(head.min(v.len()));
    let groups = usize::from(align > 0) + rest.len().div_ceil(3);
    out.resize(start + 4 * groups, 0);
    let mut quads = out[start..].chunks_exact_mut(4);
    // A six-bit group of 62 or 63 (`+`, `/`) has its top five bits set.
    let mut special = 0u32;
    let mut put = |g: [u8; 3]| {
        if let Some(q) = quads.next() {
            let n = (u32::from(g[0]) << 16) | (u32::from(g[1]) << 8) | u32::from(g[2]);
            special |= (n & (n << 1) & (n << 2) & (n << 3) & (n << 4)) & 0x82_0820;
            q[..2].copy_from_slice(&B64_PAIRS[(n >> 12) as usize & 0xfff]);
            q[2..].copy_from_slice(&B64_PAIRS[n as usize & 0xfff]);
        }
    };
    if align > 0 {
        let mut g = [0u8; 3];
        g[align..align + lead.len()].copy_from_slice(lead);
        put(g);
    }
    let mut chunks = rest.chunks_exact(3);
    for c in &mut chunks {
        put([c[0], c[1], c[2]]);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut g = [0u8; 3];
        g[..tail.len()].copy_from_slice(tail);
        put(g);
    }
    out.copy_within(start + first..start + last, start);
    out.truncate(start + last - first);
    special != 0
}

/// Two base64 characters per 12 bits (a group of three bytes is two lookups).
static B64_PAIRS: [[u8; 2]; 4096] = {
    let mut t = [[0u8; 2]; 4096];
    let mut i = 0;
    while i < 4096 {
        t[i] = [B64_STD[i >> 6], B64_STD[i & 63]];
        i += 1;
    }
    t
};

/// Two hex digits per byte, lower and upper case.
static HEX_PAIRS: [[[u8; 2]; 256]; 2] = {
    let mut t = [[[0u8; 2]; 256]; 2];
    let mut b = 0;
    while b < 256 {
        t[0][b] = [HEX_LOWER[b >> 4], HEX_LOWER[b & 15]];
        t[1][b] = [HEX_UPPER[b >> 4], HEX_UPPER[b & 15]];
        b += 1;
    }
    t
};

fn hex(v: &[u8], digits: &[u8; 16], out: &mut Vec<u8>) {
    let pairs = &HEX_PAIRS[usize::from(digits == HEX_UPPER)];
    let start = out.len();
    out.resize(start + 2 * v.len(), 0);
    for (pair, &b) in out[start..].chunks_exact_mut(2).zip(v) {
        pair.copy_from_slice(&pairs[usize::from(b)]);
    }
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

/// True if `set` leaves `b` as it is.
const fn pct_keep(set: PctSet, b: u8) -> bool {
    const fn any(list: &[u8], b: u8) -> bool {
        let mut i = 0;
        while i < list.len() {
            if list[i] == b {
                return true;
            }
            i += 1;
        }
        false
    }
    b.is_ascii_alphanumeric()
        || match set {
            PctSet::Component => any(b"-_.!~*'()", b),
            PctSet::Rfc3986 => any(b"-_.~", b),
            PctSet::Uri => any(b"-_.!~*'();,/?:@&=+$#", b),
            PctSet::Form => any(b"*-._", b),
        }
}

/// Write the `set` percent-encoding of `v`; returns whether some escape has a letter digit
/// (else the other hex case gives the same bytes).
fn percent(v: &[u8], set: usize, digits: &[u8; 16], out: &mut Vec<u8>) -> bool {
    let mut letter = false;
    let form = matches!(PCT_SETS[set], PctSet::Form);
    for &b in v {
        if FLAGS[usize::from(b)] & (F_PCT << set) == 0 {
            out.push(b);
        } else if b == b' ' && form {
            out.push(b'+');
        } else {
            letter |= b >> 4 >= 10 || b & 15 >= 10;
            out.extend_from_slice(&[
                b'%',
                digits[usize::from(b >> 4)],
                digits[usize::from(b & 15)],
            ]);
        }
    }
    letter
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
/// for non-ASCII characters apply only to valid UTF-8 (nothing is written otherwise); the
/// plain style escapes byte by byte.
fn json_escape(v: &[u8], style: JsonStyle, out: &mut Vec<u8>) {
    let needs_chars = style.ascii || style.line_seps;
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
            ascii(out, b);
        }
        return;
    }
    let Ok(s) = std::str::from_utf8(v) else {
        return;
    };
    for c in s.chars() {
        if c.is_ascii() {
            ascii(out, c as u8);
        } else if style.ascii || (style.line_seps && (c == '\u{2028}' || c == '\u{2029}')) {
            let mut units = [0u16; 2];
            for &unit in c.encode_utf16(&mut units).iter() {
                u(out, unit);
            }
            units.zeroize();
        } else {
            let mut b = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            b.zeroize();
        }
    }
}

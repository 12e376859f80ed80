//! The leak scanner behind `vault scan`: walk files and find every stored value (and its
//! encodings) with the redactor's patterns. Nothing here prints; results are positions and
//! secret ids, never the matched bytes.
//!
//! Files are read in fixed-size chunks, each searched together with the last
//! `longest() - 1` bytes of the previous one (enough for any match that ends in the new
//! chunk to start in the carried-over part), so memory stays constant however large a file
//! is and a match across a chunk boundary is still found exactly once. Line and column are
//! kept by counting newlines as the chunks pass.
//!
//! The walk uses the `ignore` crate (ripgrep's walker): `.gitignore`, `.ignore`,
//! `.git/info/exclude` and the global git excludes are honoured (also outside a git
//! repository), hidden files are searched (`.env` is exactly where values leak), `.git/`
//! itself is skipped, symlinks are not followed, and files are searched on every core.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::redact::{Encoding, Patterns, Redactor};

/// Bytes read per chunk.
const CHUNK: usize = 1 << 20;
/// A file with a NUL byte in its first this-many bytes is binary.
const BINARY_PROBE: usize = 8 * 1024;

/// One occurrence of a stored value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in bytes.
    pub column: u64,
    /// Index into [`Patterns::names`].
    pub secret: usize,
    /// The form found.
    pub encoding: Encoding,
}

/// What a walk did besides finding things.
#[derive(Debug, Default)]
pub struct Summary {
    /// Files searched.
    pub files: u64,
    /// Bytes searched.
    pub bytes: u64,
    /// Binary files skipped.
    pub skipped_binary: u64,
    /// Files or directories that could not be read, with the reason. A scan with any of these
    /// is incomplete.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Findings, sorted by path, line, column.
    pub findings: Vec<Finding>,
}

/// How one file went.
enum FileResult {
    Searched(u64),
    Binary,
}

/// Walks `roots` and searches every file.
#[must_use]
pub fn walk(roots: &[PathBuf], patterns: &Arc<Patterns>, binary: bool) -> Summary {
    let mut builder = ignore::WalkBuilder::new(&roots[0]);
    for root in &roots[1..] {
        builder.add(root);
    }
    builder
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git");
    let summary = Mutex::new(Summary::default());
    builder.build_parallel().run(|| {
        let summary = &summary;
        Box::new(move |entry| {
            let record = |f: &mut dyn FnMut(&mut Summary)| {
                if let Ok(mut s) = summary.lock() {
                    f(&mut s);
                }
            };
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = error_path(&err);
                    record(&mut |s| s.unreadable.push((path.clone(), short(&err.to_string()))));
                    return ignore::WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return ignore::WalkState::Continue;
            }
            let path = entry.path().to_path_buf();
            let mut found = Vec::new();
            let result = search_file(&path, patterns, binary, |line, column, secret, encoding| {
                found.push(Finding {
                    path: path.clone(),
                    line,
                    column,
                    secret,
                    encoding,
                });
            });
            record(&mut |s| match &result {
                Ok(FileResult::Searched(n)) => {
                    s.files += 1;
                    s.bytes += n;
                    s.findings.append(&mut found);
                }
                Ok(FileResult::Binary) => s.skipped_binary += 1,
                Err(e) => s
                    .unreadable
                    .push((path.clone(), crate::error::io_reason(e))),
            });
            ignore::WalkState::Continue
        })
    });
    let mut summary = summary.into_inner().unwrap_or_default();
    summary.findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.secret).cmp(&(&b.path, b.line, b.column, b.secret))
    });
    summary.unreadable.sort();
    summary
}

fn error_path(err: &ignore::Error) -> PathBuf {
    match err {
        ignore::Error::WithPath { path, .. } => path.clone(),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => PathBuf::new(),
    }
}

fn short(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or("error")
        .chars()
        .take(200)
        .collect()
}

/// Searches one regular file (a FIFO or device swapped in is refused without blocking).
fn search_file(
    path: &Path,
    patterns: &Arc<Patterns>,
    binary: bool,
    on_hit: impl FnMut(u64, u64, usize, Encoding),
) -> std::io::Result<FileResult> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOFOLLOW).bits() as i32)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    search(file, patterns, binary, on_hit)
}

/// Searches a stream; `on_hit(line, column, secret, encoding)` for each occurrence, in
/// order. Returns the bytes searched, or `Binary` when skipped.
fn search(
    mut reader: impl Read,
    patterns: &Arc<Patterns>,
    binary: bool,
    mut on_hit: impl FnMut(u64, u64, usize, Encoding),
) -> std::io::Result<FileResult> {
    let keep = patterns.longest().saturating_sub(1);
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + keep);
    // Absolute offset of buf[0]; newlines before it; offset where its line starts.
    let mut base: u64 = 0;
    let mut lines_before: u64 = 0;
    let mut line_start: u64 = 0;
    // Leading bytes of buf that were already searched (the carried-over tail).
    let mut searched: usize = 0;
    // Per secret, the end (absolute) of the last reported occurrence: an occurrence inside it
    // (a line of a multi-line value, say) is the same leak, reported once.
    let mut reported_end: HashMap<usize, u64> = HashMap::new();
    let mut first = true;
    // The redactor's sampled filter finds out fast whether a chunk holds any match at all
    // (most chunks hold none); only then does `find_all` walk it byte by byte for positions.
    let mut quick = Redactor::new(Arc::clone(patterns));
    let mut scratch = Vec::with_capacity(CHUNK + keep + 1024);
    loop {
        let eof = fill(&mut reader, &mut buf, searched + CHUNK)?;
        if first {
            first = false;
            if !binary && buf[..buf.len().min(BINARY_PROBE)].contains(&0) {
                return Ok(FileResult::Binary);
            }
        }
        if buf.len() > searched && !patterns.is_empty() && any_match(&mut quick, &buf, &mut scratch)
        {
            let mut hits: Vec<_> = patterns
                .find_all(&buf)
                .filter(|h| h.end > searched)
                .collect();
            hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end), h.secret));
            // Newlines counted incrementally from the previous hit.
            let (mut at, mut lines, mut start_of_line) = (0usize, lines_before, line_start);
            for h in hits {
                let abs_end = base + h.end as u64;
                if reported_end.get(&h.secret).is_some_and(|&e| e >= abs_end) {
                    continue;
                }
                let gap = &buf[at..h.start];
                lines += count_newlines(gap);
                if let Some(p) = gap.iter().rposition(|&b| b == b'\n') {
                    start_of_line = base + (at + p + 1) as u64;
                }
                at = h.start;
                let abs_start = base + h.start as u64;
                on_hit(
                    lines + 1,
                    abs_start - start_of_line + 1,
                    h.secret,
                    h.encoding,
                );
                reported_end.insert(h.secret, abs_end);
            }
        }
        if eof {
            return Ok(FileResult::Searched(base + buf.len() as u64));
        }
        let drop = buf.len().saturating_sub(keep);
        lines_before += count_newlines(&buf[..drop]);
        if let Some(p) = buf[..drop].iter().rposition(|&b| b == b'\n') {
            line_start = base + (p + 1) as u64;
        }
        base += drop as u64;
        buf.drain(..drop);
        searched = buf.len();
    }
}

/// True when `haystack` holds at least one occurrence of any pattern.
fn any_match(quick: &mut Redactor, haystack: &[u8], scratch: &mut Vec<u8>) -> bool {
    let before: u64 = quick.counts().iter().sum();
    scratch.clear();
    quick.feed(haystack, scratch);
    quick.finish(scratch);
    scratch.clear();
    quick.counts().iter().sum::<u64>() > before
}

/// Reads until `buf` holds `want` bytes or the stream ends; true at the end.
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let start = buf.len();
    buf.resize(want.max(start), 0);
    let mut len = start;
    let result = loop {
        if len == buf.len() {
            break Ok(false);
        }
        match reader.read(&mut buf[len..]) {
            Ok(0) => break Ok(true),
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    buf.truncate(len);
    result
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::{FileResult, search};
    use crate::redact::Patterns;
    use std::sync::Arc;

    fn hits(input: &[u8], patterns: &Arc<Patterns>) -> Vec<(u64, u64, usize, &'static str)> {
        let mut out = Vec::new();
        let r = search(input, patterns, false, |l, c, s, e| {
            out.push((l, c, s, e.as_str()))
        })
        .unwrap();
        assert!(matches!(r, FileResult::Searched(_)));
        out
    }

    #[test]
    fn positions_encodings_and_chunk_boundaries() {
        let p = Arc::new(Patterns::new([("TOKEN", &b"s3cr3t-value-0042"[..])], true));
        let text = b"first line\nx = s3cr3t-value-0042 and\n  czNjcjN0LXZhbHVlLTAwNDI=\n";
        assert_eq!(hits(text, &p), vec![(2, 5, 0, "raw"), (3, 3, 0, "base64")]);
        // Straddling the 1 MiB chunk boundary, on a long line: found once, right column.
        let mut big = vec![b'a'; super::CHUNK - 5];
        big.push(b'\n');
        big.extend(vec![b'b'; 100]);
        let at = big.len();
        big.extend_from_slice(b"s3cr3t-value-0042");
        big.extend(vec![b'\n'; 3]);
        let col = (at - (super::CHUNK - 5)) as u64;
        assert_eq!(hits(&big, &p), vec![(2, col, 0, "raw")]);
        // Many chunks: still constant per-chunk work, and the count is exact.
        let mut many = Vec::new();
        for _ in 0..5000 {
            many.extend_from_slice(b"........ s3cr3t-value-0042 ........................................................................................................................................................................................................................................................................................................................................................................................................................................................\n");
        }
        let found = hits(&many, &p);
        assert_eq!(found.len(), 5000);
        assert_eq!(found[4999], (5000, 10, 0, "raw"));
    }

    #[test]
    fn binary_is_skipped_unless_asked() {
        let p = Arc::new(Patterns::new([("TOKEN", &b"s3cr3t-value-0042"[..])], true));
        let data = b"\0\x01s3cr3t-value-0042";
        assert!(matches!(
            search(&data[..], &p, false, |_, _, _, _| ()).unwrap(),
            FileResult::Binary
        ));
        let mut n = 0;
        search(&data[..], &p, true, |_, _, _, _| n += 1).unwrap();
        assert_eq!(n, 1);
    }
}

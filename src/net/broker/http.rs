//! HTTP/1.1 message framing for the broker (RFC 9112): reading a head, deciding how long the
//! body is (`Content-Length`, `chunked`, or until close), and copying a body through a
//! [`Replacer`] — chunked bodies are decoded, replaced and re-chunked, so a value split
//! across chunks is still found. Requests that could be framed two ways (both
//! `Content-Length` and `Transfer-Encoding`, or differing lengths) are refused rather than
//! guessed at, because the host might frame them differently from the broker.

use std::io::{self, Read, Write};

use zeroize::{Zeroize, Zeroizing};

use super::replace::{Refused, Replacer, replace_all};

/// The largest head the broker reads.
pub const MAX_HEAD: usize = 64 * 1024;
/// The largest chunk-size or trailer line.
const MAX_LINE: usize = 8 * 1024;
/// Read size.
const BUF: usize = 64 * 1024;

/// Why a body copy stopped.
#[derive(Debug)]
pub enum Stop {
    Io(io::Error),
    /// A refused pattern (the replacer's tag).
    Refused(usize),
    /// The peer broke the framing.
    Bad(&'static str),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

impl From<Refused> for Stop {
    fn from(r: Refused) -> Self {
        Stop::Refused(r.0)
    }
}

/// A buffered reader that also lends out its stream for writing. What it buffered is
/// zeroized when dropped (towards the host it holds real values).
pub struct Reader<S> {
    inner: S,
    buf: Vec<u8>,
    start: usize,
}

impl<S> Drop for Reader<S> {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

impl<S: Read> Reader<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            start: 0,
        }
    }

    /// A reader whose first bytes were already read from `inner`.
    pub fn with_buffer(inner: S, buf: Vec<u8>) -> Self {
        Self {
            inner,
            buf,
            start: 0,
        }
    }

    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    fn buffered(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start == self.buf.len() {
            self.buf.zeroize();
            self.start = 0;
        }
    }

    /// Reads more into the buffer; 0 at end of stream (a TLS peer that closes without
    /// `close_notify` counts as the end).
    fn fill(&mut self) -> io::Result<usize> {
        if self.start > 0 {
            self.buf.copy_within(self.start.., 0);
            let keep = self.buf.len() - self.start;
            self.buf[keep..].zeroize();
            self.buf.truncate(keep);
            self.start = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + BUF, 0);
        let n = loop {
            match self.inner.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break 0,
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(old + n);
        Ok(n)
    }

    /// The next head, through its blank line; `None` at a clean end of stream before any
    /// byte of it.
    ///
    /// # Errors
    /// I/O, a head over [`MAX_HEAD`], or the stream ending inside the head.
    pub fn read_head(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut searched: usize = 0;
        loop {
            let b = self.buffered();
            if let Some(i) = memchr::memmem::find(&b[searched.saturating_sub(3)..], b"\r\n\r\n") {
                let end = searched.saturating_sub(3) + i + 4;
                let head = b[..end].to_vec();
                self.consume(end);
                return Ok(Some(head));
            }
            searched = b.len();
            if searched > MAX_HEAD {
                return Err(io::Error::other("the HTTP head is too long"));
            }
            if self.fill()? == 0 {
                if self.buffered().is_empty() {
                    return Ok(None);
                }
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// One line through its LF.
    fn read_line(&mut self) -> Result<Vec<u8>, Stop> {
        loop {
            if let Some(i) = memchr::memchr(b'\n', self.buffered()) {
                let line = self.buffered()[..=i].to_vec();
                self.consume(i + 1);
                return Ok(line);
            }
            if self.buffered().len() > MAX_LINE {
                return Err(Stop::Bad("a chunk line is too long"));
            }
            if self.fill()? == 0 {
                return Err(Stop::Bad("the stream ended inside a chunked body"));
            }
        }
    }

    /// Up to `max` bytes (at least one unless at end of stream).
    fn read_some(&mut self, max: usize) -> io::Result<Zeroizing<Vec<u8>>> {
        if self.buffered().is_empty() && self.fill()? == 0 {
            return Ok(Zeroizing::new(Vec::new()));
        }
        let n = self.buffered().len().min(max);
        let out = Zeroizing::new(self.buffered()[..n].to_vec());
        self.consume(n);
        Ok(out)
    }
}

/// How a message's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    None,
    Length(u64),
    Chunked,
    /// Until the sender closes (responses only).
    Close,
}

/// What the broker needs to know about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub framing: Framing,
    /// The connection ends after this exchange.
    pub close: bool,
    pub expect_continue: bool,
    /// `Upgrade` (WebSocket, h2c): not relayed by the broker.
    pub upgrade: bool,
}

/// What the broker needs to know about a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub framing: Framing,
    pub close: bool,
}

fn header_tokens<'a>(headers: &'a [httparse::Header<'a>], name: &str) -> Vec<String> {
    headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(name))
        .flat_map(|h| {
            String::from_utf8_lossy(h.value)
                .split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

fn content_length(headers: &[httparse::Header<'_>]) -> Result<Option<u64>, &'static str> {
    let mut found: Option<u64> = None;
    for h in headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("content-length"))
    {
        for part in String::from_utf8_lossy(h.value).split(',') {
            let part = part.trim();
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err("a bad Content-Length");
            }
            let n: u64 = part.parse().map_err(|_| "a bad Content-Length")?;
            if found.is_some_and(|f| f != n) {
                return Err("two different Content-Length values");
            }
            found = Some(n);
        }
    }
    Ok(found)
}

/// Parses a request head.
///
/// # Errors
/// A one-line reason for a head the broker will not forward.
pub fn parse_request(head: &[u8]) -> Result<Request, &'static str> {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err("a malformed HTTP request"),
    }
    let method = req.method.unwrap_or("").to_string();
    let minor = req.version.unwrap_or(0);
    let te = header_tokens(req.headers, "transfer-encoding");
    let cl = content_length(req.headers)?;
    let framing = match (te.is_empty(), cl) {
        (false, Some(_)) => return Err("both Transfer-Encoding and Content-Length"),
        (false, None) if te.last().map(String::as_str) == Some("chunked") => Framing::Chunked,
        (false, None) => return Err("a Transfer-Encoding other than chunked"),
        (true, Some(0) | None) => Framing::None,
        (true, Some(n)) => Framing::Length(n),
    };
    let conn = header_tokens(req.headers, "connection");
    let close = minor == 0 || conn.iter().any(|t| t == "close");
    let expect_continue = header_tokens(req.headers, "expect")
        .iter()
        .any(|t| t == "100-continue");
    let upgrade = req
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("upgrade"));
    Ok(Request {
        method,
        framing,
        close,
        expect_continue,
        upgrade,
    })
}

/// Parses a response head to a request made with `method`.
///
/// # Errors
/// A one-line reason for a head the broker will not relay.
pub fn parse_response(head: &[u8], method: &str) -> Result<Response, &'static str> {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut resp = httparse::Response::new(&mut headers);
    match resp.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err("a malformed HTTP response"),
    }
    let status = resp.code.unwrap_or(0);
    let minor = resp.version.unwrap_or(0);
    let conn = header_tokens(resp.headers, "connection");
    let mut close = minor == 0 && !conn.iter().any(|t| t == "keep-alive");
    close |= conn.iter().any(|t| t == "close");
    let framing = if method.eq_ignore_ascii_case("HEAD")
        || (100..200).contains(&status)
        || status == 204
        || status == 304
    {
        Framing::None
    } else {
        let te = header_tokens(resp.headers, "transfer-encoding");
        if !te.is_empty() {
            if te.last().map(String::as_str) == Some("chunked") {
                Framing::Chunked
            } else {
                Framing::Close
            }
        } else {
            match content_length(resp.headers)? {
                Some(n) => Framing::Length(n),
                None => Framing::Close,
            }
        }
    };
    if framing == Framing::Close {
        close = true;
    }
    Ok(Response {
        status,
        framing,
        close,
    })
}

/// Copies one body from `src` to `dst` through `rep` (a fresh replacer per body); the
/// byte count of the body as read is added to `count`.
///
/// # Errors
/// I/O, a refused pattern (nothing of it was written), or broken framing.
pub fn copy_body<R: Read, W: Write>(
    src: &mut Reader<R>,
    dst: &mut W,
    framing: Framing,
    rep: &Replacer,
    count: &mut u64,
) -> Result<(), Stop> {
    let mut rep = rep.fresh();
    let mut out = Zeroizing::new(Vec::with_capacity(BUF));
    match framing {
        Framing::None => {}
        Framing::Length(mut left) => {
            while left > 0 {
                let chunk = src.read_some(usize::try_from(left).unwrap_or(usize::MAX).min(BUF))?;
                if chunk.is_empty() {
                    return Err(Stop::Bad("the stream ended inside a body"));
                }
                left -= chunk.len() as u64;
                *count += chunk.len() as u64;
                out.clear();
                rep.feed(&chunk, &mut out)?;
                dst.write_all(&out)?;
                dst.flush()?;
            }
            out.clear();
            rep.finish(&mut out)?;
            dst.write_all(&out)?;
        }
        Framing::Close => loop {
            let chunk = src.read_some(BUF)?;
            out.clear();
            if chunk.is_empty() {
                rep.finish(&mut out)?;
                dst.write_all(&out)?;
                break;
            }
            *count += chunk.len() as u64;
            rep.feed(&chunk, &mut out)?;
            dst.write_all(&out)?;
            dst.flush()?;
        },
        Framing::Chunked => copy_chunked(src, dst, &mut rep, count)?,
    }
    dst.flush()?;
    Ok(())
}

fn write_chunk<W: Write>(dst: &mut W, data: &[u8]) -> io::Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    write!(dst, "{:x}\r\n", data.len())?;
    dst.write_all(data)?;
    dst.write_all(b"\r\n")?;
    dst.flush()
}

fn copy_chunked<R: Read, W: Write>(
    src: &mut Reader<R>,
    dst: &mut W,
    rep: &mut Replacer,
    count: &mut u64,
) -> Result<(), Stop> {
    let mut out = Zeroizing::new(Vec::with_capacity(BUF));
    loop {
        let line = src.read_line()?;
        *count += line.len() as u64;
        let text = std::str::from_utf8(&line).map_err(|_| Stop::Bad("a bad chunk size"))?;
        let size = text.split(';').next().unwrap_or("").trim();
        if size.is_empty() || !size.bytes().all(|b| b.is_ascii_hexdigit()) || size.len() > 15 {
            return Err(Stop::Bad("a bad chunk size"));
        }
        let mut left = u64::from_str_radix(size, 16).map_err(|_| Stop::Bad("a bad chunk size"))?;
        if left == 0 {
            out.clear();
            rep.finish(&mut out)?;
            write_chunk(dst, &out)?;
            // Trailers, through the blank line; replaced as a whole.
            let mut trailers = Vec::new();
            loop {
                let l = src.read_line()?;
                *count += l.len() as u64;
                let blank = l == b"\r\n" || l == b"\n";
                trailers.extend_from_slice(&l);
                if blank {
                    break;
                }
                if trailers.len() > MAX_HEAD {
                    return Err(Stop::Bad("the trailers are too long"));
                }
            }
            let trailers = replace_all(rep, &trailers)?;
            dst.write_all(b"0\r\n")?;
            dst.write_all(&trailers)?;
            return Ok(());
        }
        while left > 0 {
            let chunk = src.read_some(usize::try_from(left).unwrap_or(usize::MAX).min(BUF))?;
            if chunk.is_empty() {
                return Err(Stop::Bad("the stream ended inside a chunk"));
            }
            left -= chunk.len() as u64;
            *count += chunk.len() as u64;
            out.clear();
            rep.feed(&chunk, &mut out)?;
            write_chunk(dst, &out)?;
        }
        let end = src.read_line()?;
        *count += end.len() as u64;
        if end != b"\r\n" && end != b"\n" {
            return Err(Stop::Bad("a chunk without its line end"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::broker::replace::Action;
    use zeroize::Zeroizing;

    fn rep() -> Replacer {
        Replacer::new(vec![(
            Zeroizing::new(b"STANDIN".to_vec()),
            Action::Replace(Zeroizing::new(b"realval".to_vec())),
        )])
    }

    #[test]
    fn request_framing() {
        let r =
            parse_request(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n").expect("ok");
        assert_eq!(r.framing, Framing::Length(5));
        assert!(!r.close);
        let r = parse_request(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        )
        .expect("ok");
        assert_eq!(r.framing, Framing::Chunked);
        assert!(r.close && r.expect_continue);
        assert!(parse_request(b"GET / HTTP/1.0\r\n\r\n").expect("ok").close);
        for bad in [
            &b"POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
            b"garbage\r\n\r\n",
        ] {
            assert!(
                parse_request(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn response_framing() {
        let f = |h: &[u8], m| parse_response(h, m).expect("ok").framing;
        assert_eq!(
            f(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "GET"),
            Framing::Length(3)
        );
        assert_eq!(
            f(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "HEAD"),
            Framing::None
        );
        assert_eq!(f(b"HTTP/1.1 204 No Content\r\n\r\n", "GET"), Framing::None);
        assert_eq!(f(b"HTTP/1.1 100 Continue\r\n\r\n", "POST"), Framing::None);
        assert_eq!(
            f(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                "GET"
            ),
            Framing::Chunked
        );
        let r = parse_response(b"HTTP/1.1 200 OK\r\n\r\n", "GET").expect("ok");
        assert_eq!((r.framing, r.close), (Framing::Close, true));
    }

    #[test]
    fn chunked_body_replaced_across_chunks() {
        let body = b"4\r\nxSTA\r\n5\r\nNDINy\r\n0\r\nX-T: STANDIN\r\n\r\nNEXT";
        let mut src = Reader::new(&body[..]);
        let mut dst = Vec::new();
        let mut n = 0;
        copy_body(&mut src, &mut dst, Framing::Chunked, &rep(), &mut n).expect("ok");
        let s = String::from_utf8(dst).expect("utf8");
        assert!(!s.contains("STANDIN"), "{s}");
        // Re-chunked: decode and compare.
        assert_eq!(s, "1\r\nx\r\n8\r\nrealvaly\r\n0\r\nX-T: realval\r\n\r\n");
        // The next message is left in the reader.
        assert_eq!(src.read_some(100).expect("rest").as_slice(), b"NEXT");
    }

    #[test]
    fn length_body_and_head() {
        let input = b"GET / HTTP/1.1\r\nA: b\r\n\r\nSTANDINzzz";
        let mut src = Reader::new(&input[..]);
        let head = src.read_head().expect("io").expect("head");
        assert_eq!(head, b"GET / HTTP/1.1\r\nA: b\r\n\r\n");
        let mut dst = Vec::new();
        let mut n = 0;
        copy_body(&mut src, &mut dst, Framing::Length(10), &rep(), &mut n).expect("ok");
        assert_eq!(dst, b"realvalzzz");
        assert_eq!(n, 10);
        assert!(src.read_head().expect("io").is_none(), "clean end");
        let mut short = Reader::new(&b"abc"[..]);
        assert!(matches!(
            copy_body(
                &mut short,
                &mut Vec::new(),
                Framing::Length(10),
                &rep(),
                &mut n
            ),
            Err(Stop::Bad(_))
        ));
    }
}

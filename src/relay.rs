//! Moving bytes between `vault` and the child it runs, through a redacting
//! [`Filter`].
//!
//! This module owns the data path only: every byte the child writes (to a
//! pipe or to the PTY master) is read here, handed to that stream's filter,
//! and whatever the filter releases is written to vault's own stdout/stderr at
//! once; vault's stdin is copied the other way. Spawning, the PTY, signals and
//! terminal modes live in `crate::pty`, which drives this loop through the
//! [`Supervisor`] trait.
//!
//! # Why one `poll` loop
//!
//! All of vault's I/O runs on one thread around `rustix::event::poll`. A
//! thread per stream would need no poll, but a thread blocked in `read` on
//! vault's stdin (a terminal, typically) cannot be woken when the child exits,
//! so it would either leak or hold the run open; a poll loop simply stops
//! watching stdin. One loop also makes the end of a run a single decision
//! (child reaped, streams at EOF or idle) instead of a join over threads, and
//! costs one context switch per chunk instead of two. The fds this loop owns
//! (pipe ends, PTY master) are non-blocking. vault's own stdout/stderr are
//! written blocking: their open file descriptions are shared with the shell,
//! so setting `O_NONBLOCK` on them would change the shell's files too. A
//! blocked write (a slow terminal, a pager not reading) stalls this loop,
//! which is why signal forwarding runs on a separate thread in `crate::pty`.
//!
//! # Draining and EOF
//!
//! A stream ends when its read returns 0 (pipe EOF) or `EIO` (Linux PTY master
//! once every slave fd is closed); the filter's `finish` output is written
//! then. Once the child has been reaped, streams still open can only be held
//! by something else (a background grandchild that inherited the pipe or the
//! PTY slave), so the loop keeps reading until no data arrived for
//! [`DRAIN_IDLE`], or at most [`DRAIN_CAP`] after the reap, then finishes
//! the remaining filters and returns. Without such a holder, EOF arrives
//! immediately and nothing waits.
//!
//! # When the reader goes away
//!
//! `SIGPIPE` is caught (by `crate::pty`), so writing to a closed stdout gives
//! `EPIPE` here instead of killing vault (`EBADF` for a closed fd and `EIO`
//! from a terminal that hung up count the same). vault then stops writing to
//! that
//! sink and closes its own read end of the stream feeding it; the kernel then
//! tells the child exactly what it would have without vault in the middle:
//! a pipe's writer gets `EPIPE`/`SIGPIPE` on its next write, as in
//! `cmd | head`; a PTY whose master is closed hangs up (the child's session
//! gets `SIGHUP`, its writes fail with `EIO`), as when an ssh session drops.
//! vault keeps supervising until the child has exited, and returns the child's
//! status. Other write errors (`ENOSPC`, `EIO` on a disk) are handled the
//! same way and additionally reported in [`Outcome::write_error`], which
//! `pty::run` turns into `RunError::Io`: output was lost.
//!
//! Buffers that carry child output or user input before filtering are
//! zeroized when the run ends; memory use is constant (one 64 KiB read
//! buffer, one stdin buffer, and each filter's output buffer).

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use zeroize::{Zeroize, Zeroizing};

/// A streaming byte filter (vault's Redactor implements this).
///
/// `feed` appends releasable output to `out` (it may hold back a partial
/// match at the end of `input`); `finish` flushes whatever is held at EOF.
pub trait Filter: Send {
    /// Consume `input`, append what may be released now to `out`.
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>);
    /// The stream ended: append everything still held back to `out`.
    fn finish(&mut self, out: &mut Vec<u8>);
}

/// Largest single read from the child (and from vault's stdin).
pub const READ_CHUNK: usize = 64 * 1024;
/// After the child is reaped, a stream that stays open (held by a background
/// grandchild) is given up after this long without data.
pub const DRAIN_IDLE: Duration = Duration::from_millis(50);
/// After the child is reaped, give up on streams still open after this long
/// even if data keeps arriving (a grandchild writing forever).
pub const DRAIN_CAP: Duration = Duration::from_secs(1);
/// Reads of one stream per poll round, bounding how long one busy stream
/// can keep the loop from the others (and from stdin).
const MAX_READS_PER_WAKE: usize = 8;

/// Where a stream's filtered output goes.
pub enum Sink {
    /// One of vault's own fds (stdout/stderr), which must stay open.
    Borrowed(BorrowedFd<'static>),
    /// An fd the relay may close when done (e.g. a reopened terminal).
    Owned(OwnedFd),
}

impl Sink {
    fn fd(&self) -> BorrowedFd<'_> {
        match self {
            Sink::Borrowed(fd) => *fd,
            Sink::Owned(fd) => fd.as_fd(),
        }
    }
}

/// One output stream of the child: a pipe read end or the PTY master.
pub struct Output {
    /// Our end; must be non-blocking and close-on-exec.
    pub source: OwnedFd,
    pub sink: Sink,
    pub filter: Box<dyn Filter>,
    /// True for the PTY master (handed to [`Supervisor::wake`] for resizes).
    pub is_pty: bool,
}

/// Where bytes read from vault's stdin go.
pub enum InputTarget {
    /// The child's stdin pipe (our write end, non-blocking). Closed at EOF.
    Pipe(OwnedFd),
    /// The PTY master, i.e. `outputs[output].source`. At EOF on vault's stdin,
    /// `veof` (the PTY's VEOF character) is sent if set: once at the start of
    /// a line, twice otherwise (a mid-line VEOF only flushes the line).
    Pty { output: usize, veof: Option<u8> },
}

/// vault's stdin and where to copy it.
pub struct Input {
    pub source: BorrowedFd<'static>,
    pub target: InputTarget,
}

/// The owner of the child: told when the wake fd fires, reaps the child.
pub trait Supervisor {
    type Exit;
    /// Called at start and whenever the wake fd is readable. `pty` is the PTY
    /// master while it is open (for window-size updates). Returns the child's
    /// exit once it has been reaped (and `None` on every call after that).
    ///
    /// # Errors
    ///
    /// Waiting for the child failed; the relay gives up and returns it.
    fn wake(&mut self, pty: Option<BorrowedFd<'_>>) -> io::Result<Option<Self::Exit>>;
}

/// How a relay ended.
pub struct Outcome<E> {
    pub exit: E,
    /// The first error writing to a sink other than "reader gone"
    /// (`EPIPE`, `EBADF`, `EIO` on a terminal), e.g. `ENOSPC` for `> file`
    /// on a full disk.
    pub write_error: Option<io::Error>,
}

struct OutState {
    /// Our read end. For the PTY master it stays open after EOF (see
    /// `pump_output`); `ended` says whether to read it.
    source: Option<OwnedFd>,
    ended: bool,
    sink: Sink,
    sink_state: SinkState,
    filter: Box<dyn Filter>,
    out: Zeroizing<Vec<u8>>,
    is_pty: bool,
}

impl OutState {
    fn new(o: Output) -> OutState {
        OutState {
            source: Some(o.source),
            ended: false,
            sink_state: if rustix::termios::isatty(o.sink.fd()) {
                SinkState::Terminal
            } else {
                SinkState::Other
            },
            sink: o.sink,
            filter: o.filter,
            // Reserved at the first byte (see `pump_output`), like the read buffers.
            out: Zeroizing::new(Vec::new()),
            is_pty: o.is_pty,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SinkState {
    /// Writable; a terminal, so `EIO` means it hung up (reader gone).
    Terminal,
    /// Writable; anything else.
    Other,
    /// The reader went away or writing failed: output is discarded.
    Gone,
}

struct InState {
    source: BorrowedFd<'static>,
    target: Option<InputTarget>,
    /// No more reads from vault's stdin (EOF seen, or nowhere to send).
    done: bool,
    buf: ReadBuf,
    start: usize,
    end: usize,
    /// Whether the last byte forwarded to a PTY ended a line.
    at_line_start: bool,
}

impl InState {
    fn new(i: Input) -> InState {
        InState {
            source: i.source,
            target: Some(i.target),
            done: false,
            buf: ReadBuf::default(),
            start: 0,
            end: 0,
            at_line_start: true,
        }
    }
}

#[derive(Clone, Copy)]
enum Slot {
    Wake,
    Out(usize),
    StdinRead,
    StdinWrite,
}

/// Run the relay until the child has been reaped and its streams are drained.
///
/// `wake` must be a non-blocking fd that becomes readable when a signal the
/// supervisor cares about (SIGCHLD, SIGWINCH) arrived; the supervisor drains it.
///
/// # Errors
///
/// A failing `poll`, a read error other than EOF/`EIO` on a child stream, or
/// an error from [`Supervisor::wake`]. The child may still be running then.
pub fn relay<S: Supervisor>(
    outputs: Vec<Output>,
    input: Option<Input>,
    wake: BorrowedFd<'_>,
    sup: &mut S,
) -> io::Result<Outcome<S::Exit>> {
    let mut outs: Vec<OutState> = outputs.into_iter().map(OutState::new).collect();
    let mut inp = input.map(InState::new);
    let mut buf = ReadBuf::default();
    let mut write_error: Option<io::Error> = None;

    let mut exit = sup.wake(pty_fd(&outs))?;
    let mut reaped_at = exit.as_ref().map(|_| Instant::now());
    let mut last_data = Instant::now();
    let mut ready: Vec<(Slot, PollFlags)> = Vec::with_capacity(outs.len() + 3);
    loop {
        // Decide whether we are done, and for how long poll may sleep.
        let timeout = match reaped_at {
            None => None,
            Some(reaped) => {
                if outs.iter().all(|o| o.ended) {
                    break;
                }
                let now = Instant::now();
                let deadline = (last_data.max(reaped) + DRAIN_IDLE).min(reaped + DRAIN_CAP);
                if now >= deadline {
                    break;
                }
                Some(deadline - now)
            }
        };
        wait_ready(
            wake,
            &outs,
            inp.as_ref(),
            exit.is_none(),
            timeout,
            &mut ready,
        )?;

        for &(slot, revents) in &ready {
            match slot {
                Slot::Wake => {
                    // After the reap this only keeps the pipe from staying
                    // readable (and still applies window-size changes).
                    let reaped = sup.wake(pty_fd(&outs))?;
                    if exit.is_none() && reaped.is_some() {
                        exit = reaped;
                        reaped_at = Some(Instant::now());
                    }
                }
                Slot::Out(i) => {
                    if pump_output(&mut outs[i], &mut buf, &mut write_error)? {
                        last_data = Instant::now();
                    }
                    // A closed PTY master can no longer take input either.
                    if outs[i].ended
                        && let Some(st) = &mut inp
                        && matches!(st.target, Some(InputTarget::Pty { output, .. }) if output == i)
                    {
                        st.target = None;
                        st.done = true;
                        st.start = 0;
                        st.end = 0;
                    }
                }
                Slot::StdinRead => {
                    if let Some(st) = &mut inp {
                        read_stdin(st, revents);
                        // Forward at once rather than after another poll round.
                        write_stdin(st, &outs);
                    }
                }
                Slot::StdinWrite => {
                    if let Some(st) = &mut inp {
                        write_stdin(st, &outs);
                    }
                }
            }
        }
    }

    // Whatever is still open is held by someone else: finish it as it is.
    for o in &mut outs {
        if !o.ended {
            o.ended = true;
            o.out.clear();
            o.filter.finish(&mut o.out);
            write_sink(o, &mut write_error);
        }
    }
    match exit {
        Some(exit) => Ok(Outcome { exit, write_error }),
        // Unreachable: the loop only breaks once reaped.
        None => Err(io::Error::other("relay ended before the child exited")),
    }
}

/// One `poll` over everything that can make progress now; fills `ready`
/// with the slots that have events.
fn wait_ready(
    wake: BorrowedFd<'_>,
    outs: &[OutState],
    inp: Option<&InState>,
    child_running: bool,
    timeout: Option<Duration>,
    ready: &mut Vec<(Slot, PollFlags)>,
) -> io::Result<()> {
    ready.clear();
    let timeout = timeout.map(|d| Timespec {
        tv_sec: d.as_secs().try_into().unwrap_or(i64::MAX),
        tv_nsec: d.subsec_nanos().into(),
    });
    let mut slots: Vec<Slot> = Vec::with_capacity(outs.len() + 3);
    let mut fds: Vec<PollFd<'_>> = Vec::with_capacity(outs.len() + 3);
    fds.push(PollFd::from_borrowed_fd(wake, PollFlags::IN));
    slots.push(Slot::Wake);
    for (i, o) in outs.iter().enumerate() {
        if let Some(src) = o.source.as_ref().filter(|_| !o.ended) {
            fds.push(PollFd::new(src, PollFlags::IN));
            slots.push(Slot::Out(i));
        }
    }
    if let Some(i) = inp {
        if i.start < i.end {
            if let Some(fd) = target_fd(i.target.as_ref(), outs) {
                fds.push(PollFd::from_borrowed_fd(fd, PollFlags::OUT));
                slots.push(Slot::StdinWrite);
            }
        } else if !i.done && child_running {
            fds.push(PollFd::from_borrowed_fd(i.source, PollFlags::IN));
            slots.push(Slot::StdinRead);
        }
    }
    match poll(&mut fds, timeout.as_ref()) {
        Ok(_) => {}
        // A signal: the loop re-evaluates and polls again.
        Err(Errno::INTR) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    for (fd, slot) in fds.iter().zip(slots) {
        let revents = fd.revents();
        if !revents.is_empty() {
            ready.push((slot, revents));
        }
    }
    Ok(())
}

fn pty_fd(outs: &[OutState]) -> Option<BorrowedFd<'_>> {
    outs.iter()
        .find(|o| o.is_pty)
        .and_then(|o| o.source.as_ref())
        .map(|fd| fd.as_fd())
}

fn target_fd<'a>(target: Option<&'a InputTarget>, outs: &'a [OutState]) -> Option<BorrowedFd<'a>> {
    match target {
        Some(InputTarget::Pipe(fd)) => Some(fd.as_fd()),
        Some(InputTarget::Pty { output, .. }) => outs
            .get(*output)
            .filter(|o| !o.ended)
            .and_then(|o| o.source.as_ref())
            .map(|fd| fd.as_fd()),
        None => None,
    }
}

/// A read buffer, allocated at its first use and wiped when dropped up to the most bytes any
/// read put in it: a command that prints little (or reads no input) does not pay for
/// wiping 64 KiB it never used.
#[derive(Default)]
struct ReadBuf {
    bytes: Vec<u8>,
    /// No byte at or past this index was ever written.
    dirty: usize,
}

impl ReadBuf {
    /// The whole buffer, allocated now if it was not.
    fn space(&mut self) -> &mut [u8] {
        if self.bytes.is_empty() {
            self.bytes = vec![0; READ_CHUNK];
        }
        &mut self.bytes
    }

    /// One `read(2)` from `fd` into the buffer's start.
    fn read(&mut self, fd: impl AsFd) -> rustix::io::Result<usize> {
        let n = rustix::io::read(fd, self.space())?;
        self.dirty = self.dirty.max(n);
        Ok(n)
    }

    /// Puts `bytes` at the buffer's start (the EOF characters sent to a PTY).
    fn put(&mut self, bytes: &[u8]) {
        self.space()[..bytes.len()].copy_from_slice(bytes);
        self.dirty = self.dirty.max(bytes.len());
    }

    fn capacity(&self) -> usize {
        READ_CHUNK
    }
}

impl std::ops::Deref for ReadBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for ReadBuf {
    fn drop(&mut self) {
        self.bytes[..self.dirty].zeroize();
    }
}

/// Read what a child stream has (a few chunks at most, so one busy stream
/// cannot starve the others), filter it and write it out. Returns whether
/// data arrived.
fn pump_output(
    o: &mut OutState,
    buf: &mut ReadBuf,
    write_error: &mut Option<io::Error>,
) -> io::Result<bool> {
    let mut got = false;
    // Pipes: read on while chunks come back full (measured ~10% faster).
    // PTY: one read per poll round; reading again at once only picks up
    // tiny fragments the tty layer is still pushing (measured ~15% slower).
    let max_reads = if o.is_pty { 1 } else { MAX_READS_PER_WAKE };
    for _ in 0..max_reads {
        if o.ended {
            break;
        }
        let Some(src) = &o.source else {
            break;
        };
        match buf.read(src) {
            Ok(0) | Err(Errno::IO) => {
                // Pipe EOF, or (Linux) the last PTY slave fd was closed. The
                // master stays open until the relay returns (after the reap):
                // closing it now would hang up the PTY, and the child, whose
                // controlling terminal it still is while it exits, would be
                // killed by SIGHUP after closing its fds.
                o.ended = true;
                if !o.is_pty {
                    o.source = None;
                }
                o.out.clear();
                o.filter.finish(&mut o.out);
                write_sink(o, write_error);
                break;
            }
            Ok(n) => {
                got = true;
                if o.out.capacity() == 0 {
                    o.out.reserve_exact(READ_CHUNK);
                }
                o.out.clear();
                o.filter.feed(&buf[..n], &mut o.out);
                write_sink(o, write_error);
                // A short read means the source is (about) empty: back to
                // poll rather than a read that would say EAGAIN.
                if n < buf.capacity() {
                    break;
                }
            }
            Err(Errno::AGAIN | Errno::INTR) => break,
            Err(e) => {
                o.ended = true;
                o.source = None;
                return Err(e.into());
            }
        }
    }
    Ok(got)
}

/// Write the stream's pending filtered bytes to its sink, blocking.
fn write_sink(o: &mut OutState, write_error: &mut Option<io::Error>) {
    if o.sink_state == SinkState::Gone || o.out.is_empty() {
        return;
    }
    if let Err(e) = write_all_blocking(o.sink.fd(), &o.out) {
        let gone = matches!(e, Errno::PIPE | Errno::BADF)
            || (e == Errno::IO && o.sink_state == SinkState::Terminal);
        o.sink_state = SinkState::Gone;
        o.ended = true;
        // Close our end so the child learns, as it would without vault,
        // that nobody reads (EPIPE for a pipe, hangup for the PTY).
        o.source = None;
        if !gone && write_error.is_none() {
            *write_error = Some(e.into());
        }
    }
    o.out.clear();
}

/// `write_all` for a fd we do not own and must not make non-blocking; copes
/// with someone else having made it non-blocking (`EAGAIN`).
fn write_all_blocking(fd: BorrowedFd<'_>, mut data: &[u8]) -> Result<(), Errno> {
    while !data.is_empty() {
        match rustix::io::write(fd, data) {
            Ok(0) => return Err(Errno::IO),
            Ok(n) => data = &data[n..],
            Err(Errno::INTR) => {}
            Err(Errno::AGAIN) => {
                let mut p = [PollFd::from_borrowed_fd(fd, PollFlags::OUT)];
                match poll(&mut p, None) {
                    Ok(_) | Err(Errno::INTR) => {}
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn read_stdin(st: &mut InState, revents: PollFlags) {
    let result = if revents.contains(PollFlags::NVAL) {
        Err(Errno::BADF)
    } else {
        st.buf.read(st.source)
    };
    match result {
        Ok(0) => stdin_eof(st),
        Ok(n) => {
            st.start = 0;
            st.end = n;
        }
        Err(Errno::AGAIN | Errno::INTR) => {}
        // EIO: a hung-up terminal. Anything else: nothing more to read either.
        Err(_) => stdin_eof(st),
    }
}

fn stdin_eof(st: &mut InState) {
    st.done = true;
    match &st.target {
        // Dropping our write end is the child's EOF.
        Some(InputTarget::Pipe(_)) => st.target = None,
        Some(InputTarget::Pty {
            veof: Some(veof), ..
        }) => {
            let veof = *veof;
            // One EOF character ends a line the child is reading; at a line start it is
            // the EOF itself. (It can come before any read: a closed or invalid stdin.)
            st.end = if st.at_line_start { 1 } else { 2 };
            st.buf.put(&[veof; 2][..st.end]);
            st.start = 0;
        }
        Some(InputTarget::Pty { veof: None, .. }) | None => {}
    }
}

fn write_stdin(st: &mut InState, outs: &[OutState]) {
    while st.start < st.end {
        let Some(fd) = target_fd(st.target.as_ref(), outs) else {
            st.start = 0;
            st.end = 0;
            return;
        };
        match rustix::io::write(fd, &st.buf[st.start..st.end]) {
            Ok(n) => {
                st.start += n;
                if let Some(&last) = st.buf[..st.start].last() {
                    st.at_line_start = last == b'\n';
                }
            }
            Err(Errno::INTR) => {}
            Err(Errno::AGAIN) => return,
            Err(_) => {
                // The child closed its stdin (EPIPE) or the PTY is gone: what
                // it did not read is discarded, and vault stops reading stdin.
                st.start = 0;
                st.end = 0;
                st.done = true;
                if matches!(st.target, Some(InputTarget::Pipe(_))) {
                    st.target = None;
                }
                return;
            }
        }
    }
    st.start = 0;
    st.end = 0;
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use rustix::pipe::{PipeFlags, pipe_with};

    use super::*;

    /// Uppercases, and holds back a trailing `x` until the next chunk or
    /// EOF (so `finish` has something to flush).
    struct Upper {
        held: bool,
    }

    impl Filter for Upper {
        fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
            if std::mem::take(&mut self.held) {
                out.push(b'X');
            }
            let (body, hold) = match input.split_last() {
                Some((b'x', body)) => (body, true),
                _ => (input, false),
            };
            out.extend(body.iter().map(u8::to_ascii_uppercase));
            self.held = hold;
        }
        fn finish(&mut self, out: &mut Vec<u8>) {
            if std::mem::take(&mut self.held) {
                out.extend_from_slice(b"X!");
            }
        }
    }

    /// A "child" that has already exited.
    struct Exited;

    impl Supervisor for Exited {
        type Exit = i32;
        fn wake(&mut self, _pty: Option<BorrowedFd<'_>>) -> io::Result<Option<i32>> {
            Ok(Some(7))
        }
    }

    fn pipe() -> (OwnedFd, OwnedFd) {
        pipe_with(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK).unwrap()
    }

    fn read_all(fd: &OwnedFd) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = rustix::io::read(fd, &mut buf) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        out
    }

    #[test]
    fn output_is_filtered_and_finished_at_eof() {
        let (child_out_r, child_out_w) = pipe();
        let (sink_r, sink_w) = pipe();
        let (wake_r, _wake_w) = pipe();
        rustix::io::write(&child_out_w, b"hello wx").unwrap();
        drop(child_out_w);
        let outcome = relay(
            vec![Output {
                source: child_out_r,
                sink: Sink::Owned(sink_w),
                filter: Box::new(Upper { held: false }),
                is_pty: false,
            }],
            None,
            wake_r.as_fd(),
            &mut Exited,
        )
        .unwrap();
        assert_eq!(outcome.exit, 7);
        assert!(outcome.write_error.is_none());
        assert_eq!(read_all(&sink_r), b"HELLO WX!");
    }

    #[test]
    fn a_stream_held_open_after_the_exit_does_not_hang() {
        let (child_out_r, child_out_w) = pipe();
        let (sink_r, sink_w) = pipe();
        let (wake_r, _wake_w) = pipe();
        rustix::io::write(&child_out_w, b"hi\n").unwrap();
        // `child_out_w` stays open, like a background grandchild's copy.
        let start = Instant::now();
        relay(
            vec![Output {
                source: child_out_r,
                sink: Sink::Owned(sink_w),
                filter: Box::new(Upper { held: false }),
                is_pty: false,
            }],
            None,
            wake_r.as_fd(),
            &mut Exited,
        )
        .unwrap();
        assert!(start.elapsed() < DRAIN_CAP, "{:?}", start.elapsed());
        assert!(start.elapsed() >= DRAIN_IDLE);
        assert_eq!(read_all(&sink_r), b"HI\n");
        drop(child_out_w);
    }

    /// Exits once the test's "child" has seen EOF on its stdin.
    struct ExitsAfterStdinEof {
        child_stdin: OwnedFd,
        seen: Vec<u8>,
    }

    impl Supervisor for ExitsAfterStdinEof {
        type Exit = Vec<u8>;
        fn wake(&mut self, _pty: Option<BorrowedFd<'_>>) -> io::Result<Option<Vec<u8>>> {
            let mut buf = [0u8; 64];
            loop {
                match rustix::io::read(&self.child_stdin, &mut buf) {
                    Ok(0) => return Ok(Some(std::mem::take(&mut self.seen))),
                    Ok(n) => self.seen.extend_from_slice(&buf[..n]),
                    Err(_) => return Ok(None),
                }
            }
        }
    }

    #[test]
    fn stdin_is_forwarded_and_its_eof_closes_the_childs_stdin() {
        let (vault_stdin_r, vault_stdin_w) = pipe();
        let (child_in_r, child_in_w) = pipe();
        let (wake_r, wake_w) = pipe();
        rustix::io::write(&vault_stdin_w, b"a\nb").unwrap();
        drop(vault_stdin_w);
        // Wake the supervisor a few times while the relay runs.
        let poker = std::thread::spawn(move || {
            for _ in 0..50 {
                let _ = rustix::io::write(&wake_w, b".");
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let source: &'static OwnedFd = Box::leak(Box::new(vault_stdin_r));
        let outcome = relay(
            Vec::new(),
            Some(Input {
                source: source.as_fd(),
                target: InputTarget::Pipe(child_in_w),
            }),
            wake_r.as_fd(),
            &mut ExitsAfterStdinEof {
                child_stdin: child_in_r,
                seen: Vec::new(),
            },
        )
        .unwrap();
        assert_eq!(outcome.exit, b"a\nb");
        poker.join().unwrap();
    }
}

//! The child's network namespace for `--net strict|broker`: made in the forked child just
//! before exec, holding only loopback, with one TCP listener inside it handed back to vault.
//!
//! # Mechanism
//!
//! vault prepares a [`Setup`] (a `socketpair` and the uid/gid map lines, formatted before the
//! fork, since the forked child must not allocate). In the child, `pty.rs` calls
//! [`Setup::enter`] as its last step before exec:
//!
//! 1. `unshare(CLONE_NEWUSER | CLONE_NEWNET)`: a new user namespace always, also for root,
//!    because root in the host's user namespace could `setns` back into the host's network
//!    namespace; root in a user namespace of its own holds no capability over the host's;
//! 2. `/proc/self/setgroups` = `deny`, `uid_map` and `gid_map` = one line mapping the
//!    caller's own uid and gid to themselves, so the child sees the same ids as before (the
//!    only mapping an unprivileged process may write). vault is not dumpable (harden.rs),
//!    which makes its /proc files root's; the child is made dumpable only for these writes
//!    and is made undumpable again before exec (which resets it anyway);
//! 3. `lo` brought up (`SIOCSIFFLAGS`): the namespace has no other interface, no route and
//!    no DNS server;
//! 4. a TCP listener on `127.0.0.1:PROXY_PORT` (the namespace is new, so the fixed port is
//!    always free and the proxy variables can be set before the fork), sent to vault over
//!    the socketpair with `SCM_RIGHTS`. A socket stays in the namespace it was made in: vault
//!    accepts the child's connections on it, while vault's own outbound connections leave
//!    from the host's namespace.
//!
//! A failing step sends its number and errno instead, so vault can name the cause and the
//! setting to change ([`diagnose`]) and refuse the run (fail closed: never a run without
//! the namespace). The child's capabilities in its namespace end at exec (a non-zero uid
//! keeps none; root keeps them only inside its own, empty, namespaces).
//!
//! Why in the child and not a helper: no extra process, no daemon and no second exec; the
//! namespace exists exactly as long as the child and its descendants. The cost is doing a
//! few syscalls between fork and exec, which is what `pty.rs` already does there.

// The namespace calls (unshare, ioctl, fork for the probe) have no safe wrapper.
#![allow(unsafe_code)]

use std::io::{self, IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use rustix::io::Errno;
use rustix::net::{
    AddressFamily, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags, SocketFlags, SocketType,
};

/// The proxy's port inside the child's namespace.
pub const PROXY_PORT: u16 = 3128;

/// The steps of [`Setup::enter`], as reported when one fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Unshare = 1,
    Setgroups = 2,
    UidMap = 3,
    GidMap = 4,
    Loopback = 5,
    Listener = 6,
}

impl Step {
    fn from_u8(n: u8) -> Option<Step> {
        [
            Step::Unshare,
            Step::Setgroups,
            Step::UidMap,
            Step::GidMap,
            Step::Loopback,
            Step::Listener,
        ]
        .into_iter()
        .find(|s| *s as u8 == n)
    }

    fn describe(self) -> &'static str {
        match self {
            Step::Unshare => "unshare(CLONE_NEWUSER|CLONE_NEWNET)",
            Step::Setgroups => "writing /proc/self/setgroups",
            Step::UidMap => "writing /proc/self/uid_map",
            Step::GidMap => "writing /proc/self/gid_map",
            Step::Loopback => "bringing up the loopback interface",
            Step::Listener => "listening on 127.0.0.1 inside the namespace",
        }
    }
}

/// Everything the forked child needs, prepared before the fork.
pub struct Setup {
    uid_map: Vec<u8>,
    gid_map: Vec<u8>,
    /// The child's end of the socketpair (close-on-exec).
    report: OwnedFd,
}

/// What the child reported.
#[derive(Debug)]
pub enum Outcome {
    /// The listener inside the child's namespace.
    Listener(TcpListener),
    /// A step failed with this errno.
    Failed { step: Step, errno: i32 },
    /// The child closed the socketpair without a word (it failed before the hook ran).
    Nothing,
}

impl Setup {
    /// A setup and vault's end of its socketpair.
    ///
    /// # Errors
    /// When the socketpair cannot be made.
    pub fn prepare() -> io::Result<(Setup, OwnedFd)> {
        let (ours, theirs) = rustix::net::socketpair(
            AddressFamily::UNIX,
            SocketType::SEQPACKET,
            SocketFlags::CLOEXEC,
            None,
        )?;
        let uid = rustix::process::geteuid().as_raw();
        let gid = rustix::process::getegid().as_raw();
        Ok((
            Setup {
                uid_map: format!("{uid} {uid} 1\n").into_bytes(),
                gid_map: format!("{gid} {gid} 1\n").into_bytes(),
                report: theirs,
            },
            ours,
        ))
    }

    /// In the forked child, before exec: make the namespace and send the listener (or the
    /// failed step) to vault. Async-signal-safe: direct syscalls on memory prepared before
    /// the fork, no allocation, no lock.
    ///
    /// # Errors
    /// The errno of the failed step (the spawn then fails with it).
    pub fn enter(&self) -> io::Result<()> {
        match self.build() {
            Ok(listener) => {
                send(self.report.as_fd(), b"L", Some(listener.as_fd()))?;
                Ok(())
            }
            Err((step, errno)) => {
                let code = u8::try_from(errno.raw_os_error()).unwrap_or(u8::MAX);
                let _ = send(self.report.as_fd(), &[step as u8, code], None);
                Err(io::Error::from_raw_os_error(errno.raw_os_error()))
            }
        }
    }

    fn build(&self) -> Result<OwnedFd, (Step, Errno)> {
        use rustix::thread::UnshareFlags;
        // SAFETY: `UnshareFlags::FILES` is not among the flags, so no fd table is split;
        // the forked child is single-threaded, as unshare(CLONE_NEWUSER) requires.
        unsafe { rustix::thread::unshare_unsafe(UnshareFlags::NEWUSER | UnshareFlags::NEWNET) }
            .map_err(|e| (Step::Unshare, e))?;
        let maps = self.write_maps();
        // Undumpable again whatever happened (exec resets it for the new program).
        let _ =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
        maps?;
        loopback_up().map_err(|e| (Step::Loopback, e))?;
        listen().map_err(|e| (Step::Listener, e))
    }

    fn write_maps(&self) -> Result<(), (Step, Errno)> {
        rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::Dumpable)
            .map_err(|e| (Step::UidMap, e))?;
        match write_file(c"/proc/self/setgroups", b"deny") {
            // Kernels before 3.19 have no setgroups file (and no need for it).
            Ok(()) | Err(Errno::NOENT) => {}
            Err(e) => return Err((Step::Setgroups, e)),
        }
        write_file(c"/proc/self/uid_map", &self.uid_map).map_err(|e| (Step::UidMap, e))?;
        write_file(c"/proc/self/gid_map", &self.gid_map).map_err(|e| (Step::GidMap, e))
    }
}

fn write_file(path: &std::ffi::CStr, bytes: &[u8]) -> Result<(), Errno> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(path, OFlags::WRONLY | OFlags::CLOEXEC, Mode::empty())?;
    let n = rustix::io::write(&fd, bytes)?;
    if n == bytes.len() {
        Ok(())
    } else {
        Err(Errno::IO)
    }
}

/// `ip link set lo up`, by ioctl.
fn loopback_up() -> Result<(), Errno> {
    let sock = rustix::net::socket_with(
        AddressFamily::INET,
        SocketType::DGRAM,
        SocketFlags::CLOEXEC,
        None,
    )?;
    // SAFETY: `ifreq` is plain data (arrays, integers, a union of such and a pointer that
    // the flag ioctls never read); all zeroes is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in ifr.ifr_name.iter_mut().zip(b"lo") {
        *dst = libc::c_char::from_ne_bytes([*src]);
    }
    // SAFETY: `sock` is an open socket and `ifr` a valid, NUL-terminated `ifreq` that the
    // kernel fills in (SIOCGIFFLAGS writes only `ifr_flags`).
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS as _, &raw mut ifr) } < 0 {
        return Err(last_errno());
    }
    let up = libc::c_short::try_from(libc::IFF_UP | libc::IFF_RUNNING).unwrap_or(1);
    // SAFETY: SIOCGIFFLAGS just initialised the `ifru_flags` member of the union.
    unsafe {
        ifr.ifr_ifru.ifru_flags |= up;
    }
    // SAFETY: as above; SIOCSIFFLAGS only reads `ifr`.
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS as _, &raw const ifr) } < 0 {
        return Err(last_errno());
    }
    Ok(())
}

fn last_errno() -> Errno {
    Errno::from_raw_os_error(io::Error::last_os_error().raw_os_error().unwrap_or(0))
}

/// The proxy's listener, close-on-exec, inside the (new) namespace.
fn listen() -> Result<OwnedFd, Errno> {
    let sock = rustix::net::socket_with(
        AddressFamily::INET,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        None,
    )?;
    rustix::net::bind(&sock, &SocketAddrV4::new(Ipv4Addr::LOCALHOST, PROXY_PORT))?;
    rustix::net::listen(&sock, 128)?;
    Ok(sock)
}

fn send(sock: BorrowedFd<'_>, bytes: &[u8], fd: Option<BorrowedFd<'_>>) -> Result<(), Errno> {
    let fds: [BorrowedFd<'_>; 1] = [fd.unwrap_or(sock)];
    let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    if fd.is_some() && !control.push(SendAncillaryMessage::ScmRights(&fds)) {
        return Err(Errno::NOBUFS);
    }
    loop {
        match rustix::net::sendmsg(
            sock,
            &[IoSlice::new(bytes)],
            &mut control,
            SendFlags::NOSIGNAL,
        ) {
            Err(Errno::INTR) => {}
            Err(e) => return Err(e),
            Ok(_) => return Ok(()),
        }
    }
}

/// Runs [`Setup::enter`] in a forked child that exits right after (for
/// [`crate::net::strict_available`]); its report waits on the socketpair.
///
/// # Errors
/// When fork fails.
pub fn probe(setup: &Setup) -> io::Result<()> {
    // SAFETY: the forked child of this (possibly multi-threaded) process only runs `enter`,
    // which is async-signal-safe (direct syscalls on memory prepared before the fork, no
    // allocation, no lock), and then `_exit`.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    if pid == 0 {
        let code = i32::from(setup.enter().is_err());
        // SAFETY: `_exit` ends the child at once, running no destructor or atexit handler
        // of the parent's state.
        unsafe { libc::_exit(code) }
    }
    let _ = rustix::process::waitpid(
        rustix::process::Pid::from_raw(pid),
        rustix::process::WaitOptions::empty(),
    );
    Ok(())
}

/// Reads the child's report from vault's end of the socketpair. Blocks until the child has
/// sent it or closed its end (at exec, or when it exited).
#[must_use]
pub fn receive(ours: &OwnedFd) -> Outcome {
    let mut buf = [0u8; 8];
    let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(1))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let got = loop {
        match rustix::net::recvmsg(
            ours,
            &mut [IoSliceMut::new(&mut buf)],
            &mut control,
            RecvFlags::CMSG_CLOEXEC,
        ) {
            Err(Errno::INTR) => {}
            Err(_) => return Outcome::Nothing,
            Ok(r) => break r.bytes,
        }
    };
    let mut listener = None;
    for message in control.drain() {
        if let RecvAncillaryMessage::ScmRights(fds) = message {
            for fd in fds {
                listener.get_or_insert(fd);
            }
        }
    }
    match (got, listener) {
        (1, Some(fd)) if buf[0] == b'L' => Outcome::Listener(TcpListener::from(fd)),
        (2, None) => match Step::from_u8(buf[0]) {
            Some(step) => Outcome::Failed {
                step,
                errno: i32::from(buf[1]),
            },
            None => Outcome::Nothing,
        },
        _ => Outcome::Nothing,
    }
}

/// Why a namespace could not be made: one line naming the cause, and the setting to change.
#[must_use]
pub fn diagnose(step: Step, errno: i32) -> (String, String) {
    let err = io::Error::from_raw_os_error(errno);
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    };
    let what = format!("{} failed: {err}", step.describe());
    if read("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
        return (
            format!("{what}: user namespaces are disabled (user.max_user_namespaces = 0)"),
            "as root: sysctl -w user.max_user_namespaces=15000 (or run without --net strict)"
                .into(),
        );
    }
    if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
        return (
            format!(
                "{what}: AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1)"
            ),
            "as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give vault an AppArmor profile with `userns,`".into(),
        );
    }
    if read("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        return (
            format!(
                "{what}: unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)"
            ),
            "as root: sysctl -w kernel.unprivileged_userns_clone=1".into(),
        );
    }
    match (step, Errno::from_raw_os_error(errno)) {
        (Step::Unshare, Errno::NOSPC) => (
            format!("{what}: the limit on user namespaces is reached (user.max_user_namespaces)"),
            "raise user.max_user_namespaces, or run fewer nested namespaces".into(),
        ),
        (Step::Unshare, Errno::INVAL | Errno::NOSYS) => (
            format!("{what}: this kernel has no user or network namespaces"),
            "a kernel built with CONFIG_USER_NS and CONFIG_NET_NS is needed".into(),
        ),
        (Step::Unshare, _) => (
            format!("{what}: user namespaces are not permitted here (a container or seccomp filter without them?)"),
            "allow unshare(CLONE_NEWUSER) in the container's seccomp profile (or run it with the capability), or run without --net strict".into(),
        ),
        _ => (
            what,
            "the namespace could not be set up; run without --net strict".into(),
        ),
    }
}

//! The child's argv and environment as `execvp(3)` takes them, built in the parent in one
//! buffer that is wiped when the spawn is over, and exec'd by vault's own pre-exec step.
//!
//! std's `Command` would keep two sorted maps of the environment and a third copy as C
//! strings, none of them ever wiped, for every injected secret (about 4 M instructions and
//! 50 page faults at 1,000 secrets). Here the strings are written once, NUL-terminated,
//! into a [`WipeVec`]; the pointer arrays point into it. The child sets `environ` and calls
//! `execvp`, exactly what std itself does as the last step of a spawn (so `PATH` is searched
//! in the child's environment, and a script without `#!` runs under `/bin/sh`, as before).

use std::ffi::{OsStr, c_char};
use std::io;
use std::os::unix::ffi::OsStrExt;

use crate::wipe::WipeVec;

/// argv and envp, NUL-terminated strings in one wiped buffer.
pub(super) struct Image {
    buf: WipeVec,
    argv: Vec<*const c_char>,
    envp: Vec<*const c_char>,
}

// SAFETY: the pointers point into `buf`, which `Image` owns and never changes after `new`;
// they are only read (by `exec`, in the forked child). Sharing or sending the whole is as safe
// as sharing or sending `buf`.
#[allow(unsafe_code)]
unsafe impl Send for Image {}
// SAFETY: as for `Send`: nothing is ever written through the pointers.
#[allow(unsafe_code)]
unsafe impl Sync for Image {}

#[allow(unsafe_code)]
unsafe extern "C" {
    /// The C library's environment pointer, which `execvp` reads `PATH` from.
    static mut environ: *const *const c_char;
}

impl Image {
    /// `argv` (`argv[0]` the program, searched in `PATH` when it has no `/`) and `env`, in
    /// order. A NUL byte in any of them is refused as std refuses it.
    pub(super) fn new<'a>(
        argv: impl Iterator<Item = &'a OsStr> + Clone,
        env: impl Iterator<Item = (&'a OsStr, &'a OsStr)> + Clone,
    ) -> io::Result<Image> {
        let nul = |b: &[u8]| memchr::memchr(0, b).is_some();
        if argv.clone().any(|a| nul(a.as_bytes()))
            || env
                .clone()
                .any(|(k, v)| nul(k.as_bytes()) || nul(v.as_bytes()))
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "nul byte found in provided data",
            ));
        }
        let size = argv.clone().map(|a| a.len() + 1).sum::<usize>()
            + env
                .clone()
                .map(|(k, v)| k.len() + v.len() + 2)
                .sum::<usize>();
        let mut buf = WipeVec::with_capacity(size);
        let mut argv_at = Vec::new();
        let mut envp_at = Vec::new();
        buf.append(|out| {
            for a in argv {
                argv_at.push(out.len());
                out.extend_from_slice(a.as_bytes());
                out.push(0);
            }
            for (k, v) in env {
                envp_at.push(out.len());
                out.extend_from_slice(k.as_bytes());
                out.push(b'=');
                out.extend_from_slice(v.as_bytes());
                out.push(0);
            }
        });
        let ptrs = |at: Vec<usize>| -> Vec<*const c_char> {
            at.into_iter()
                .map(|o| buf[o..].as_ptr().cast::<c_char>())
                .chain(std::iter::once(std::ptr::null()))
                .collect()
        };
        let argv = ptrs(argv_at);
        let envp = ptrs(envp_at);
        Ok(Image { buf, argv, envp })
    }

    /// Replaces the (forked, single-threaded) process: sets `environ` and calls `execvp`.
    /// Returns only on failure, with its errno. Async-signal-safe: no allocation, no lock.
    pub(super) fn exec(&self) -> io::Error {
        debug_assert!(!self.buf.is_empty());
        #[allow(unsafe_code)]
        // SAFETY: called in the forked child, which has one thread, so nothing else reads
        // `environ` meanwhile; `argv` and `envp` are null-terminated arrays of pointers to
        // NUL-terminated strings in `buf`, alive and unchanged for as long as `self`.
        unsafe {
            environ = self.envp.as_ptr();
            libc::execvp(self.argv[0], self.argv.as_ptr());
        }
        io::Error::last_os_error()
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use super::Image;

    #[test]
    fn strings_are_nul_terminated_and_a_nul_inside_is_refused() {
        let argv = [OsStr::new("echo"), OsStr::new("hi")];
        let env = [
            (OsStr::new("A"), OsStr::new("1")),
            (OsStr::new("B"), OsStr::new("")),
        ];
        let img = Image::new(argv.iter().copied(), env.iter().copied()).unwrap();
        assert_eq!(&*img.buf, b"echo\0hi\0A=1\0B=\0");
        assert_eq!(img.argv.len(), 3);
        assert!(img.argv[2].is_null() && img.envp[2].is_null());
        let bad = [(OsStr::new("A"), OsStr::new("x\0y"))];
        let err = Image::new(argv.iter().copied(), bad.iter().copied())
            .err()
            .unwrap();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}

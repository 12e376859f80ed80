//! Wiping large buffers that held secrets, at memory speed.
//!
//! `zeroize` wipes a `[u8]` one volatile byte store at a time and a `Vec<u8>` through its whole
//! capacity. For the few big buffers on vault's hot paths (the redactor's pattern arena, the
//! decrypted store) that is a cost per byte, and a page fault for every reserved page that was
//! never written. Here the buffer is wiped with `explicit_bzero(3)` (a `memset` the compiler may
//! not remove), and only as far as it was ever written. Elsewhere, `zeroize` is used as before.

use std::ops::Deref;

/// Overwrites `b` with zeros in a way the compiler cannot elide.
pub fn bytes(b: &mut [u8]) {
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    #[allow(unsafe_code)]
    // SAFETY: `b` is valid for writes of `b.len()` bytes; zero bytes are a valid `[u8]`.
    unsafe {
        libc::explicit_bzero(b.as_mut_ptr().cast(), b.len());
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    zeroize::Zeroize::zeroize(b);
}

/// A byte buffer that never reallocates itself and is wiped on drop up to the most bytes it
/// ever held (bytes truncated away stay in its spare capacity until then).
pub struct WipeVec {
    v: Vec<u8>,
    /// The high-water mark of `v.len()`.
    high: usize,
}

impl WipeVec {
    /// An empty buffer with room for `cap` bytes.
    #[must_use]
    pub fn with_capacity(cap: usize) -> WipeVec {
        WipeVec {
            v: Vec::with_capacity(cap),
            high: 0,
        }
    }

    /// Room for `n` more bytes: a bigger buffer is allocated, the bytes copied over, and the
    /// old buffer wiped (`Vec` itself would free it unwiped).
    pub fn reserve(&mut self, n: usize) {
        if self.v.capacity() - self.v.len() >= n {
            return;
        }
        let cap = (self.v.len() + n).max(self.v.capacity() + self.v.capacity() / 2);
        let mut bigger = WipeVec::with_capacity(cap);
        bigger.v.extend_from_slice(&self.v);
        bigger.high = bigger.v.len();
        *self = bigger; // the old one is wiped as it drops
    }

    /// Appends with `write`, which must stay within the capacity reserved beforehand (a debug
    /// build checks): the buffer is never reallocated behind the wipe's back.
    pub fn append(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        let cap = self.v.capacity();
        write(&mut self.v);
        debug_assert_eq!(self.v.capacity(), cap, "a write outgrew its reservation");
        self.high = self.high.max(self.v.len());
    }

    /// Drops the bytes from `len` on (they are wiped at drop, with the rest).
    pub fn truncate(&mut self, len: usize) {
        self.v.truncate(len);
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.v.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.v.is_empty()
    }
}

impl Deref for WipeVec {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.v
    }
}

impl Drop for WipeVec {
    fn drop(&mut self) {
        let high = self.high.min(self.v.capacity());
        #[allow(unsafe_code)]
        // SAFETY: every byte below `high` was written by `append` (truncated bytes stay
        // written, in the spare capacity), so the first `high` bytes are initialised and
        // within the capacity.
        unsafe {
            self.v.set_len(high);
        }
        bytes(&mut self.v);
    }
}

#[cfg(test)]
mod tests {
    use super::WipeVec;

    #[test]
    fn grows_keeps_bytes_and_tracks_the_high_water() {
        let mut w = WipeVec::with_capacity(2);
        w.reserve(5);
        w.append(|v| v.extend_from_slice(b"hello"));
        w.truncate(2);
        assert_eq!(&*w, b"he");
        assert_eq!(w.high, 5);
        w.reserve(100);
        assert_eq!(&*w, b"he");
        assert!(w.high >= 2);
        let mut b = *b"secret";
        super::bytes(&mut b);
        assert_eq!(b, [0; 6]);
    }
}

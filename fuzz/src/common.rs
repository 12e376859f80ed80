//! Small helpers over `arbitrary::Unstructured` that never fail (an exhausted input gives
//! the first choice / zero), and the strict switch.

use std::sync::OnceLock;

use arbitrary::Unstructured;

/// `VAULT_FUZZ_STRICT=1`: also check the properties that known (reported) bugs break.
pub fn strict() -> bool {
    static STRICT: OnceLock<bool> = OnceLock::new();
    *STRICT.get_or_init(|| std::env::var_os("VAULT_FUZZ_STRICT").is_some_and(|v| v != "0"))
}

/// A number in `0..n` (0 when `n` is 0 or the input is exhausted).
pub fn below(u: &mut Unstructured<'_>, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    u.int_in_range(0..=n - 1).unwrap_or(0)
}

/// One of `items` (the first when the input is exhausted).
pub fn pick<T: Copy>(u: &mut Unstructured<'_>, items: &[T]) -> T {
    items[below(u, items.len())]
}

/// A fair-ish coin.
pub fn coin(u: &mut Unstructured<'_>) -> bool {
    u.arbitrary().unwrap_or(false)
}

/// `n` bytes drawn from `alphabet`.
pub fn bytes_from(u: &mut Unstructured<'_>, alphabet: &[u8], n: usize) -> Vec<u8> {
    (0..n).map(|_| pick(u, alphabet)).collect()
}

/// Byte-substring search.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

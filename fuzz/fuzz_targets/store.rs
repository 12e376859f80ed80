//! libFuzzer entry point; the target itself is `vault_fuzz::store`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vault_fuzz::store(data));

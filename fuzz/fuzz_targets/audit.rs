//! libFuzzer entry point; the target itself is `vault_fuzz::audit`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vault_fuzz::audit(data));

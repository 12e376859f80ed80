//! Fuzz targets for vault, shared by the libFuzzer entry points (`fuzz_targets/`, nightly
//! `cargo fuzz`) and the stable smoke runner (`src/bin/smoke.rs`).
//!
//! Every target takes arbitrary bytes and must never panic. Each one feeds the bytes to
//! the code under test as they are, and also reads them (through `arbitrary`) as the
//! recipe for a structured input whose correct result is known, then checks properties:
//!
//! - [`extract`]: the argv destination extractor and the host normaliser — canonical,
//!   idempotent hosts; a destination's own spelling is a pattern that allows it; and for
//!   `http(s)` URLs, the host (and port) the `url` crate sees whenever no evasion was
//!   reported;
//! - [`dotenv`]: the importer's parser — round trip of generated files, line numbers, and
//!   no value in any error;
//! - [`store`]: store payload decoding — round trip, and no value in an error message;
//! - [`audit`]: audit log lines and `verify` — any change to a chained log is reported at
//!   the changed line (or the next);
//! - [`redact`]: the streaming redactor against a simple reference — output independent
//!   of chunking, no planted value (or encoding) survives, bounded hold-back.
//!
//! Checks that fail on bugs already reported run only with `VAULT_FUZZ_STRICT=1`, so a
//! fuzzing session can look past them.

mod audit;
mod common;
mod dotenv;
mod extract;
mod redact;
mod store;

pub use audit::audit;
pub use common::strict;
pub use dotenv::dotenv;
pub use extract::extract;
pub use redact::redact;
pub use store::store;

/// A fuzz target: any bytes in, a panic on a finding.
pub type Target = fn(&[u8]);

/// Every target, by name.
pub const TARGETS: &[(&str, Target)] = &[
    ("extract", extract),
    ("dotenv", dotenv),
    ("store", store),
    ("audit", audit),
    ("redact", redact),
];

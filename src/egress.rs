//! Egress policy for injected secrets: which hosts a secret may be sent to.
//!
//! Pure logic, no I/O. `pattern` parses the host patterns users write,
//! `normalize` gives hosts one canonical spelling, and `policy` holds a
//! secret's `allow` / `confirm` / `deny` lists.

pub mod normalize;
pub mod pattern;
pub mod policy;

pub use normalize::NormalizeError;
pub use pattern::{HostMatch, HostPattern, PatternError, PatternErrorKind};
pub use policy::Policy;

//! Egress policy for injected secrets: which hosts a secret may be sent to,
//! and which hosts a command line is about to reach.
//!
//! Pure logic, no I/O:
//! - [`normalize`] gives every host one canonical spelling (case, trailing
//!   dot, IDN → punycode, every IPv4 and IPv6 form);
//! - [`pattern`] parses the host patterns users write (`api.github.com`,
//!   `*.example.com`, `*`, each with an optional `:port`);
//! - [`policy`] holds a secret's `allow` / `confirm` / `deny` lists, judges
//!   a run's destinations against every injected secret, and tells whether
//!   a policy change widens it;
//! - [`extract`] finds the destinations in an argv template (through
//!   wrappers and `sh -c` scripts) or refuses one that hides them.
//!
//! `vault run` calls [`check_argv`] with the argv template *before*
//! `{{secure.NAME}}` placeholders are substituted.

pub mod extract;
pub mod normalize;
pub mod pattern;
pub mod policy;

pub use extract::{Destination, Evasion, destinations};
pub use normalize::NormalizeError;
pub use pattern::{HostMatch, HostPattern, PatternError, PatternErrorKind};
pub use policy::{Check, Decision, Denial, Policy, Verdict, check_argv, evaluate, widening};

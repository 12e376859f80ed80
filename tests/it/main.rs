//! vault's integration tests: one test binary, so the crate links once (STYLE.md §4).
//!
//! `support` is the harness (temp home, fixture identities, the built binary); each other
//! module covers one area of behaviour. Add new areas as modules here, e.g. `mod run;`,
//! `mod redact;`, `mod generated;`.

mod agent;
mod approvals;
mod audit;
mod broker;
mod egress;
mod errors;
mod escape;
mod faults;
mod foundation;
mod harden;
mod hook;
mod keyring;
mod leaks;
mod mcp;
mod net;
mod openbao;
mod redact;
mod run;
mod setup;
mod support;
mod teams;

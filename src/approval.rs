//! Approvals: the factor a process on this machine cannot produce (issue #10).
//!
//! Everything that widens who can read a value or where it may go calls [`require`] with the
//! [`Action`] it is about to take; nothing else decides whether a widening may happen.
//! A typed confirmation is not an approval. Until a factor is enrolled every approval is
//! refused (fail closed).

use std::path::Path;

use crate::config::Paths;
use crate::error::{Error, Result};
use crate::exit::Exit;

/// What an approval is asked for. Strings are shown to the user (escaped) and audited.
#[derive(Debug, Clone)]
pub enum Action<'a> {
    /// A policy change that lets `name` reach more hosts or with less friction.
    WidenPolicy {
        /// The secret.
        name: &'a str,
    },
    /// Adding a recipient (who can then decrypt every value).
    AddRecipient {
        /// The recipient as the user gave it.
        key: &'a str,
    },
    /// Trusting a project store this user did not create (or whose recipients changed).
    TrustStore {
        /// The store file.
        path: &'a Path,
    },
    /// Accepting a store older than the newest generation this machine has seen.
    AcceptRollback {
        /// The highest generation seen.
        seen: u64,
        /// The generation found.
        found: u64,
    },
    /// A `confirm` egress rule met during a run: these (secret, host) pairs.
    ConfirmEgress {
        /// (secret name, host) pairs.
        pairs: &'a [(String, String)],
    },
}

/// Asks for an approval of `action`; `Ok(())` only when a valid, unused code was given.
///
/// # Errors
/// `Exit::Denied` when no factor is enrolled, no terminal can be asked, the code is wrong or
/// replayed, or vault runs inside a terminal it created itself.
pub fn require(paths: &Paths, action: &Action<'_>) -> Result<()> {
    let _ = (paths, action);
    Err(Error::new(
        Exit::Denied,
        "this needs an approval, and none can be given here",
    )
    .hint("approvals are not built yet"))
}

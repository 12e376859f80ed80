//! Process hardening done first thing: no core dumps and no ptrace-by-default for vault.
//!
//! On Linux, `PR_SET_DUMPABLE=0` stops core dumps and makes /proc/PID/mem, environ and
//! ptrace attach unavailable to other processes of the same user (root excepted). The soft
//! RLIMIT_CORE is also set to 0. Neither reaches a child: dumpable resets on execve, and
//! `vault run` puts the original core limit back in the child before exec.

use std::sync::OnceLock;

use rustix::process::Rlimit;

/// The core limit vault started with, restored for children.
static ORIGINAL_CORE: OnceLock<Rlimit> = OnceLock::new();

/// The core-dump limit vault was started with (before [`process`] lowered it).
#[must_use]
pub fn original_core_limit() -> Option<Rlimit> {
    ORIGINAL_CORE.get().copied()
}

/// Applies the hardening; failures are ignored (best effort, nothing to report to).
pub fn process() {
    #[cfg(target_os = "linux")]
    {
        let _ =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    }
    let current = rustix::process::getrlimit(rustix::process::Resource::Core);
    let _ = ORIGINAL_CORE.set(current);
    let _ = rustix::process::setrlimit(
        rustix::process::Resource::Core,
        rustix::process::Rlimit {
            current: Some(0),
            maximum: current.maximum,
        },
    );
}

//! Process hardening done first thing: no core dumps and no ptrace-by-default for vault.
//!
//! On Linux, `PR_SET_DUMPABLE=0` stops core dumps and makes /proc/PID/mem, environ and
//! ptrace attach unavailable to other processes of the same user (root excepted). The soft
//! RLIMIT_CORE is also set to 0. Both reset or can be raised again in the child (dumpable
//! resets on execve; the child inherits soft core limit 0 and may raise it to the hard limit).

/// Applies the hardening; failures are ignored (best effort, nothing to report to).
pub fn process() {
    #[cfg(target_os = "linux")]
    {
        let _ =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    }
    let current = rustix::process::getrlimit(rustix::process::Resource::Core);
    let _ = rustix::process::setrlimit(
        rustix::process::Resource::Core,
        rustix::process::Rlimit {
            current: Some(0),
            maximum: current.maximum,
        },
    );
}

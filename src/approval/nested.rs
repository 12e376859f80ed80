//! Is this vault running inside a terminal that a vault made? Approvals are never asked
//! through one: the PTY of `vault run` belongs to the wrapped command (an agent), which
//! can type into it, draw a fake prompt over it, or push input with TIOCSTI.
//!
//! Checked structurally, from /proc, not from anything the child could unset:
//! 1. an ancestor process is vault — its `comm` (readable even though vault makes itself
//!    non-dumpable, which hides `/proc/PID/exe` and `fd` from the same user) is `vault` or
//!    this binary's own name, or its executable is this one: any depth of `vault run`;
//! 2. the controlling terminal (`/proc/self/stat`'s `tty_nr`) is a PTY that a running
//!    `vault run` registered when it made it (`<state>/ptys/MAJOR.MINOR`: its pid and start
//!    time), or whose master a vault process visibly holds (`/proc/PID/fdinfo` `tty-index`,
//!    readable by root): this also catches a child that double-forked away from its
//!    `vault run` but kept the terminal.
//!
//! Residual (SECURITY.md): a descendant that leaves vault's process tree *and* its terminal
//! (e.g. through `setsid script …`), or that deletes the PTY record and leaves the tree, is
//! no longer detected; then only the one-time code, which it does not have, protects the
//! approval.

use std::fs;
use std::os::unix::fs::MetadataExt;

/// Why approvals are refused here, or `None`.
#[must_use]
pub fn inside_vault_terminal(tty: Option<&fs::File>) -> Option<String> {
    let me = fs::metadata("/proc/self/exe").ok();
    let my_comm = comm("self");
    let is_vault = |pid: u32| -> bool {
        let c = comm(&pid.to_string());
        if c.as_deref() == Some("vault") || (c.is_some() && c == my_comm) {
            return true;
        }
        let exe = format!("/proc/{pid}/exe");
        me.as_ref().is_some_and(|me| {
            fs::metadata(&exe).is_ok_and(|m| m.dev() == me.dev() && m.ino() == me.ino())
        })
    };
    let mut pid =
        rustix::process::getppid().map_or(0, |p| p.as_raw_nonzero().get().cast_unsigned());
    let mut depth = 0;
    while pid > 1 && depth < 256 {
        if is_vault(pid) {
            return Some(format!("an ancestor process (pid {pid}) is vault"));
        }
        pid = parent_of(pid).unwrap_or(0);
        depth += 1;
    }
    // Only a process with a terminal can be asked anything.
    tty?;
    let (major, minor) = controlling_tty()?;
    if let Some(pid) = registered(major, minor) {
        return Some(format!(
            "the terminal is a PTY that `vault run` (pid {pid}) created"
        ));
    }
    // Unix98 PTY slaves: majors 136–143.
    if !(136..=143).contains(&major) {
        return None;
    }
    let index = (major - 136) * 256 + minor;
    let holder = ptmx_holders(index).into_iter().find(|p| is_vault(*p))?;
    Some(format!(
        "the terminal is a PTY that a vault process (pid {holder}) created"
    ))
}

fn comm(pid: &str) -> Option<String> {
    fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|s| s.trim_end().to_string())
}

/// Fields of `/proc/PID/stat` after `comm` (which may hold spaces and parentheses).
fn stat_fields(pid: &str) -> Option<Vec<String>> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

fn parent_of(pid: u32) -> Option<u32> {
    stat_fields(&pid.to_string())?.get(1)?.parse().ok()
}

/// (major, minor) of this process's controlling terminal, from `tty_nr`.
fn controlling_tty() -> Option<(u32, u32)> {
    let nr: u32 = stat_fields("self")?.get(4)?.parse().ok()?;
    if nr == 0 {
        return None;
    }
    Some(((nr >> 8) & 0xfff, (nr & 0xff) | ((nr >> 12) & 0xfff00)))
}

/// A process's start time (clock ticks since boot): with its pid, it names the process.
fn start_time(pid: &str) -> Option<String> {
    stat_fields(pid)?.get(19).cloned()
}

fn registry() -> Option<std::path::PathBuf> {
    crate::state::dir().ok().map(|d| d.join("ptys"))
}

/// Called by `vault run` right after it made a PTY: records (pid, start time) under the
/// slave's device numbers, so a vault inside it refuses approvals even after leaving vault's
/// process tree. Best effort: the ancestor check does not depend on it.
pub fn register_pty(slave: &impl std::os::fd::AsFd) {
    use std::os::unix::fs::DirBuilderExt;
    let Ok(stat) = rustix::fs::fstat(slave) else {
        return;
    };
    let (Some(dir), Some(start)) = (registry(), start_time("self")) else {
        return;
    };
    let rdev = stat.st_rdev;
    let name = format!("{}.{}", rustix::fs::major(rdev), rustix::fs::minor(rdev));
    if fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .is_ok()
    {
        let body = format!("{} {start}\n", std::process::id());
        let _ = crate::store::replace_file(&dir.join(name), body.as_bytes());
    }
}

/// The pid of the live `vault run` that registered PTY (major, minor).
fn registered(major: u32, minor: u32) -> Option<u32> {
    let path = registry()?.join(format!("{major}.{minor}"));
    let text = fs::read_to_string(&path).ok()?;
    let mut words = text.split_whitespace();
    let pid: u32 = words.next()?.parse().ok()?;
    let start = words.next()?;
    if start_time(&pid.to_string()).as_deref() == Some(start) {
        Some(pid)
    } else {
        // That vault is gone (the PTY number was reused): the record is stale.
        let _ = fs::remove_file(&path);
        None
    }
}

/// Processes (whose fds we may read) holding the master of PTY `index` open.
fn ptmx_holders(index: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let Ok(procs) = fs::read_dir("/proc") else {
        return found;
    };
    let wanted = index.to_string();
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let is_ptmx = fs::read_link(fd.path())
                .is_ok_and(|t| t.as_os_str() == "/dev/ptmx" || t.as_os_str() == "/dev/pts/ptmx");
            if !is_ptmx {
                continue;
            }
            let info = fs::read_to_string(format!(
                "/proc/{pid}/fdinfo/{}",
                fd.file_name().to_string_lossy()
            ))
            .unwrap_or_default();
            let holds = info.lines().any(|l| {
                l.strip_prefix("tty-index:")
                    .is_some_and(|v| v.trim() == wanted)
            });
            if holds {
                found.push(pid);
                break;
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::parent_of;

    #[test]
    fn parent_of_self_is_the_parent() {
        let me = std::process::id();
        let parent =
            rustix::process::getppid().map_or(0, |p| p.as_raw_nonzero().get().cast_unsigned());
        assert_eq!(parent_of(me), Some(parent));
    }
}

//! Is this vault running inside a terminal that a vault made? Approvals are never asked
//! through one: the PTY of `vault run` belongs to the wrapped command (an agent), which
//! can type into it, draw a fake prompt over it, or push input with TIOCSTI.
//!
//! Checked structurally, from /proc, not from anything the child could unset:
//! 1. an ancestor process runs the vault binary (same executable file, or one named
//!    `vault`): any depth of `vault run`;
//! 2. the controlling terminal is a PTY whose master is held open by a vault process
//!    (found through `/proc/PID/fdinfo`'s `tty-index`), which also catches a child that
//!    double-forked away from its `vault run` but kept the terminal.
//!
//! Residual (SECURITY.md): a descendant that leaves vault's process tree *and* its terminal
//! (e.g. through `setsid script …`) is no longer detected; then only the one-time code,
//! which it does not have, protects the approval.

use std::fs;
use std::os::unix::fs::MetadataExt;

/// Why approvals are refused here, or `None`.
#[must_use]
pub fn inside_vault_terminal(tty: Option<&fs::File>) -> Option<String> {
    let me = fs::metadata("/proc/self/exe").ok()?;
    let is_vault = |pid: u32| -> bool {
        let exe = format!("/proc/{pid}/exe");
        let same = fs::metadata(&exe).is_ok_and(|m| m.dev() == me.dev() && m.ino() == me.ino());
        let named = fs::read_link(&exe).is_ok_and(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == "vault" || n == "vault (deleted)")
        });
        same || named
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
    let tty = tty?;
    let rdev = tty.metadata().ok()?.rdev();
    let (major, minor) = (rustix::fs::major(rdev), rustix::fs::minor(rdev));
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

fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid …; comm may hold spaces and parentheses: split at the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Processes (readable by us: our own) holding the master of PTY `index` open.
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

//! Every exit status vault can return, in one place.
//!
//! Numbers 64–78 follow sysexits(3) so scripts and agents can tell "fix your input" from
//! "unlock first" from "not allowed". `run` passes the child's own status through, so a child
//! may also exit with one of these; vault's own failures always print `vault: error:` first.
//! The man page's EXIT STATUS section is generated from [`Exit::TABLE`].

/// Why vault exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Success,
    /// A vault failure that no more specific code describes.
    Failure,
    /// The command line is malformed (clap's own code).
    Usage,
    /// Invalid input data: a bad or unknown secret name, a refused value, a bad placeholder
    /// or host pattern, an invalid import file.
    DataErr,
    /// There is no store yet (`vault init` first), or a named input file does not exist.
    NoInput,
    /// The secret (or store) already exists and `--replace` (or a fresh home) was not given.
    CantCreate,
    /// The store or its directory cannot be read or written safely: permissions, ownership,
    /// a symlink, a full disk, a damaged store file.
    IoErr,
    /// Locked: no identity is available, or the identity does not open the store.
    Locked,
    /// Not allowed: egress policy denied the run, or an approval was refused.
    Denied,
    /// `config.toml` or a stored policy cannot be parsed.
    Config,
    /// Something the command needs is not available here: a network namespace that cannot be
    /// made (`--net strict|broker`), a remote store server that cannot be reached.
    Unavailable,
    /// The store is older than one this machine has already seen (rolled back?).
    Rollback,
    /// `vault run` failed around the child (PTY, spawn, I/O), as timeout(1) does.
    RunFailed,
    /// The command exists but cannot be executed.
    NotExecutable,
    /// The command was not found.
    NotFound,
    /// The child's own exit status (signals already mapped to 128+N).
    Child(i32),
}

impl Exit {
    /// The process exit status.
    #[must_use]
    pub fn code(self) -> i32 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::DataErr => 65,
            Exit::NoInput => 66,
            Exit::CantCreate => 73,
            Exit::IoErr => 74,
            Exit::Locked => 75,
            Exit::Denied => 77,
            Exit::Config => 78,
            Exit::Unavailable => 69,
            Exit::Rollback => 79,
            Exit::RunFailed => 125,
            Exit::NotExecutable => 126,
            Exit::NotFound => 127,
            Exit::Child(n) => n,
        }
    }

    /// (status, meaning) rows for the man page and `--help`.
    pub const TABLE: &'static [(&'static str, &'static str)] = &[
        ("0", "Success."),
        ("1", "Any other vault failure."),
        (
            "2",
            "Usage error: unknown flag, missing argument, or a value given on the command line.",
        ),
        (
            "65",
            "Invalid data: bad or unknown secret name, refused value, bad placeholder, bad host pattern, invalid import file.",
        ),
        (
            "66",
            "No store yet (run `vault init`), or an input file that does not exist.",
        ),
        (
            "69",
            "Unavailable: a network namespace cannot be made here (--net strict|broker), or a remote store server cannot be reached.",
        ),
        (
            "73",
            "The secret already exists (use --replace), or `vault init` found a store already.",
        ),
        (
            "74",
            "The store cannot be used safely: permissions, ownership, symlink, disk full, damaged store file.",
        ),
        (
            "75",
            "Locked: no identity available, or the identity does not open the store.",
        ),
        (
            "77",
            "Not allowed: the egress policy denied the run, or an approval was refused (no factor enrolled, no terminal, a wrong or used code, inside a terminal vault made).",
        ),
        ("78", "config.toml or a stored policy cannot be parsed."),
        (
            "79",
            "Rolled back: the store is older than one this machine has already seen.",
        ),
        (
            "125",
            "vault run: vault failed around the child (terminal, spawn or I/O error).",
        ),
        ("126", "vault run: the command is not executable."),
        ("127", "vault run: the command was not found."),
        ("128+N", "vault run: the child was killed by signal N."),
        (
            "other",
            "vault run: the child's own exit status, passed through.",
        ),
    ];
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn codes_are_distinct_and_documented() {
        let all = [
            Exit::Success,
            Exit::Failure,
            Exit::Usage,
            Exit::DataErr,
            Exit::NoInput,
            Exit::CantCreate,
            Exit::IoErr,
            Exit::Locked,
            Exit::Denied,
            Exit::Config,
            Exit::Unavailable,
            Exit::Rollback,
            Exit::RunFailed,
            Exit::NotExecutable,
            Exit::NotFound,
        ];
        let mut codes: Vec<i32> = all.iter().map(|e| e.code()).collect();
        for c in &codes {
            let s = c.to_string();
            assert!(Exit::TABLE.iter().any(|(k, _)| *k == s), "{c} undocumented");
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert_eq!(Exit::Child(42).code(), 42);
    }
}

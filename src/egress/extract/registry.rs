//! Which programs the extractor knows, and the dispatch from a command's
//! program word to the room that handles it.

use super::options::assignment;
use super::url::runtime_host;
use super::wrappers::{DOAS, EXEC, IONICE, NONE, STDBUF, STRACE, SUDO, TASKSET, TIME, TIMEOUT};
use super::{Ctx, Loc, MAX_COMMANDS, MAX_DEPTH, Res, basename, ev, get, tail};

// ---------------------------------------------------------------------------
// Program tables

pub(super) const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "yash",
];

/// Programs whose arguments are never network destinations: pure text and
/// file tools. Not scanned at all, so an email in `echo` is not a host.
pub(super) const LOCAL_ONLY: &[&str] = &[
    "echo",
    "printf",
    "true",
    "false",
    "test",
    "[",
    "ls",
    "pwd",
    "date",
    "sleep",
    "mkdir",
    "rmdir",
    "touch",
    "rm",
    "cp",
    "mv",
    "ln",
    "chmod",
    "chown",
    "cat",
    "head",
    "tail",
    "wc",
    "sort",
    "uniq",
    "cut",
    "tr",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "basename",
    "dirname",
    "realpath",
    "readlink",
    "mktemp",
    "tee",
    "seq",
    "yes",
    "id",
    "whoami",
    "uname",
    "ssh-keygen",
    "sha256sum",
    "sha1sum",
    "md5sum",
    "base64",
    "jq",
    "diff",
    "cmp",
    "file",
    "stat",
    "du",
    "df",
    "which",
    "type",
    "cd",
    "unset",
    "read",
    "exit",
    "return",
    "shift",
    "wait",
    "kill",
    "ps",
    "tput",
    "clear",
];

/// Programs that run a command given in their arguments.
pub(super) const RUNNERS: &[&str] = &[
    "docker",
    "podman",
    "nerdctl",
    "kubectl",
    "oc",
    "uv",
    "uvx",
    "poetry",
    "pipenv",
    "npx",
    "pnpm",
    "yarn",
    "npm",
    "bunx",
    "bundle",
    "direnv",
    "nix",
    "nix-shell",
    "devbox",
    "flock",
    "chroot",
    "unshare",
    "nsenter",
    "firejail",
    "bwrap",
    "systemd-run",
    "parallel",
    "su",
    "runuser",
    "script",
    "watch",
    "entr",
    "tini",
    "dumb-init",
    "gosu",
    "su-exec",
    "chpst",
    "aws-vault",
    "op",
    "doppler",
    "dotenv",
    "env-cmd",
    "cross-env",
    "ltrace",
    "valgrind",
    "gdb",
    "unbuffer",
    "caffeinate",
    "chrt",
    "sg",
    "newgrp",
    "with-contenv",
    "s6-setuidgid",
    "timeout-cli",
];

pub(super) const PROXY_RUNNERS: &[&str] = &[
    "proxychains",
    "proxychains4",
    "torsocks",
    "torify",
    "tsocks",
];

/// Programs with a dedicated handler (or wrappers/shells): a word naming
/// one of these inside a runner or a fallback segment starts a command.
pub(super) fn is_known_program(p: &str) -> bool {
    SHELLS.contains(&p)
        || PROXY_RUNNERS.contains(&p)
        || matches!(
            p,
            "curl"
                | "curlie"
                | "wget"
                | "http"
                | "https"
                | "xh"
                | "xhs"
                | "ssh"
                | "scp"
                | "sftp"
                | "rsync"
                | "git"
                | "redis-cli"
                | "psql"
                | "pg_dump"
                | "pg_dumpall"
                | "pg_restore"
                | "pg_isready"
                | "pgbench"
                | "createdb"
                | "dropdb"
                | "mysql"
                | "mariadb"
                | "mysqldump"
                | "mysqladmin"
                | "mongosh"
                | "mongo"
                | "nc"
                | "ncat"
                | "netcat"
                | "telnet"
                | "socat"
                | "env"
                | "sudo"
                | "doas"
                | "xargs"
                | "timeout"
                | "nice"
                | "ionice"
                | "exec"
                | "command"
                | "builtin"
                | "nohup"
                | "time"
                | "stdbuf"
                | "setsid"
                | "taskset"
                | "strace"
                | "busybox"
                | "eval"
        )
}

/// Default port of a URL scheme; `None` when unknown or not fixed.

impl Ctx {
    // Commands

    pub(super) fn enter(&mut self, loc: &Loc) -> Res {
        self.depth += 1;
        self.commands += 1;
        if self.depth > MAX_DEPTH || self.commands > MAX_COMMANDS {
            return Err(ev(
                "command is nested too deeply or is too long to analyse",
                loc.src("command", 0),
            ));
        }
        Ok(())
    }

    /// Analyse one simple command (argv words).
    pub(super) fn command(&mut self, words: &[String], loc: &Loc) -> Res {
        self.enter(loc)?;
        let r = self.command_inner(words, loc);
        self.depth -= 1;
        r
    }

    pub(super) fn command_inner(&mut self, words: &[String], loc: &Loc) -> Res {
        let mut i = 0;
        while let Some(w) = get(words, i) {
            let Some((name, value)) = assignment(w) else {
                break;
            };
            // A lone assignment in a script sets a shell variable, not the
            // environment of a program: no `*HOST*` guess for it.
            let for_program = words.iter().skip(i).any(|w| assignment(w).is_none());
            self.assignment(
                name,
                value,
                &loc.src("environment assignment", i),
                for_program,
            )?;
            i += 1;
        }
        let Some(prog_word) = get(words, i) else {
            return Ok(());
        };
        let args = tail(words, i + 1);
        let aloc = loc.shift(i + 1);
        if let Some(why) = runtime_host(prog_word) {
            // `$CMD url`, `"$@"`, `curl${IFS}evil.com`: what runs, and with
            // which arguments, is only known at run time.
            return Err(ev(
                format!("program name `{prog_word}` {why}"),
                loc.src("program", i),
            ));
        }
        let prog = basename(prog_word);
        match prog {
            "env" => self.env(args, &aloc),
            "sudo" => self.wrapper(args, &aloc, &SUDO),
            "doas" => self.wrapper(args, &aloc, &DOAS),
            "xargs" => self.xargs(args, &aloc),
            "timeout" => self.wrapper_skip(args, &aloc, &TIMEOUT, 1),
            "nice" => self.nice(args, &aloc),
            "ionice" => self.wrapper(args, &aloc, &IONICE),
            "exec" => self.wrapper(args, &aloc, &EXEC),
            "command" | "builtin" | "nohup" => self.wrapper(args, &aloc, &NONE),
            "time" => self.wrapper(args, &aloc, &TIME),
            "stdbuf" => self.wrapper(args, &aloc, &STDBUF),
            "setsid" => self.wrapper(args, &aloc, &NONE),
            "taskset" => self.wrapper_skip(args, &aloc, &TASKSET, 1),
            "strace" => self.wrapper(args, &aloc, &STRACE),
            "busybox" => self.command(args, &aloc),
            "eval" => {
                let script = args.join(" ");
                self.script(&script, &aloc.nested("eval", 0))
            }
            p if SHELLS.contains(&p) => self.shell(p, args, &aloc),
            p if PROXY_RUNNERS.contains(&p) => Err(ev(
                format!(
                    "`{p}` sends the command's traffic through a proxy, hiding its destination"
                ),
                loc.src("program", i),
            )),
            "curl" | "curlie" => self.curl(args, &aloc),
            "wget" => self.wget(args, &aloc),
            "http" | "https" | "xh" | "xhs" => self.httpie(prog, args, &aloc),
            "ssh" => self.ssh(args, &aloc),
            "scp" => self.scp(args, &aloc),
            "sftp" => self.sftp(args, &aloc),
            "rsync" => self.rsync(args, &aloc),
            "git" => self.git(args, &aloc),
            "redis-cli" => self.redis(args, &aloc),
            "psql" | "pg_dump" | "pg_dumpall" | "pg_restore" | "pg_isready" | "pgbench"
            | "createdb" | "dropdb" => self.psql(prog, args, &aloc),
            "mysql" | "mariadb" | "mysqldump" | "mysqladmin" => self.mysql(prog, args, &aloc),
            "mongosh" | "mongo" => self.mongo(prog, args, &aloc),
            "nc" | "ncat" | "netcat" => self.nc(prog, args, &aloc),
            "telnet" => self.telnet(args, &aloc),
            "socat" => self.socat(args, &aloc),
            "alias" => Err(ev(
                "`alias` redefines command names, which hides what later commands run",
                loc.src("program", i),
            )),
            "export" | "declare" | "typeset" | "readonly" | "local" => {
                for (k, w) in args.iter().enumerate() {
                    if let Some((name, value)) = assignment(w) {
                        self.assignment(name, value, &aloc.src(prog, k), true)?;
                    }
                }
                Ok(())
            }
            p if LOCAL_ONLY.contains(&p) => Ok(()),
            p if RUNNERS.contains(&p) => self.runner(p, args, &aloc),
            p => self.unknown(p, args, &aloc),
        }
    }
}

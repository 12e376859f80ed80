//! Which programs the extractor knows, and the dispatch from a command's
//! program word to the room that handles it.

use super::options::assignment;
use super::sockets::DNS_TOOLS;
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

/// How a registered program is analysed: `(ctx, program name, its
/// arguments, where they sit)`.
type Handler = fn(&mut Ctx, &str, &[String], &Loc) -> Res;

/// One known program: the names it answers to, its family (the room that
/// owns its handler) and the handler. Every option spec, with its evasive
/// options and abbreviation rule, is reached through the handler.
pub(super) struct Program {
    pub(super) names: &'static [&'static str],
    #[cfg_attr(
        not(test),
        allow(dead_code, reason = "read by the tests that walk the registry")
    )]
    pub(super) family: Family,
    pub(super) run: Handler,
}

/// The room that owns a program's handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Family {
    Wrappers,
    Http,
    Ssh,
    Git,
    Db,
    Sockets,
}
use Family::{Db, Git, Http, Sockets, Ssh, Wrappers};

impl Program {
    const fn new(names: &'static [&'static str], family: Family, run: Handler) -> Program {
        Program { names, family, run }
    }
}

/// The registry: every program with a dedicated handler. A word naming one
/// of these (or a shell or proxy runner) inside a runner or a fallback
/// segment starts a nested command. Adding a client is one entry here.
pub(super) const PROGRAMS: &[Program] = &[
    Program::new(&["env"], Wrappers, |c, _, a, l| c.env(a, l)),
    Program::new(&["sudo"], Wrappers, |c, _, a, l| c.wrapper(a, l, &SUDO)),
    Program::new(&["doas"], Wrappers, |c, _, a, l| c.wrapper(a, l, &DOAS)),
    Program::new(&["xargs"], Wrappers, |c, _, a, l| c.xargs(a, l)),
    Program::new(&["find"], Wrappers, |c, _, a, l| c.find(a, l)),
    Program::new(&["timeout"], Wrappers, |c, _, a, l| {
        c.wrapper_skip(a, l, &TIMEOUT, 1)
    }),
    Program::new(&["nice"], Wrappers, |c, _, a, l| c.nice(a, l)),
    Program::new(&["ionice"], Wrappers, |c, _, a, l| c.wrapper(a, l, &IONICE)),
    Program::new(&["exec"], Wrappers, |c, _, a, l| c.wrapper(a, l, &EXEC)),
    Program::new(
        &["command", "builtin", "nohup", "setsid"],
        Wrappers,
        |c, _, a, l| c.wrapper(a, l, &NONE),
    ),
    Program::new(&["time"], Wrappers, |c, _, a, l| c.wrapper(a, l, &TIME)),
    Program::new(&["stdbuf"], Wrappers, |c, _, a, l| c.wrapper(a, l, &STDBUF)),
    Program::new(&["taskset"], Wrappers, |c, _, a, l| {
        c.wrapper_skip(a, l, &TASKSET, 1)
    }),
    Program::new(&["strace"], Wrappers, |c, _, a, l| c.wrapper(a, l, &STRACE)),
    Program::new(&["busybox"], Wrappers, |c, _, a, l| c.command(a, l)),
    Program::new(&["eval"], Wrappers, |c, _, a, l| {
        c.script(&a.join(" "), &l.nested("eval", 0))
    }),
    Program::new(&["curl", "curlie"], Http, |c, _, a, l| c.curl(a, l)),
    Program::new(&["wget"], Http, |c, _, a, l| c.wget(a, l)),
    Program::new(&["http", "https", "xh", "xhs"], Http, |c, p, a, l| {
        c.httpie(p, a, l)
    }),
    Program::new(&["ssh"], Ssh, |c, _, a, l| c.ssh(a, l)),
    Program::new(&["scp"], Ssh, |c, _, a, l| c.scp(a, l)),
    Program::new(&["sftp"], Ssh, |c, _, a, l| c.sftp(a, l)),
    Program::new(&["rsync"], Ssh, |c, _, a, l| c.rsync(a, l)),
    Program::new(&["git"], Git, |c, _, a, l| c.git(a, l)),
    Program::new(&["redis-cli"], Db, |c, _, a, l| c.redis(a, l)),
    Program::new(
        &[
            "psql",
            "pg_dump",
            "pg_dumpall",
            "pg_restore",
            "pg_isready",
            "pgbench",
            "createdb",
            "dropdb",
        ],
        Db,
        |c, p, a, l| c.psql(p, a, l),
    ),
    Program::new(
        &["mysql", "mariadb", "mysqldump", "mysqladmin"],
        Db,
        |c, p, a, l| c.mysql(p, a, l),
    ),
    Program::new(&["mongosh", "mongo"], Db, |c, p, a, l| c.mongo(p, a, l)),
    Program::new(&["nc", "ncat", "netcat"], Sockets, |c, p, a, l| {
        c.nc(p, a, l)
    }),
    Program::new(&["telnet"], Sockets, |c, _, a, l| c.telnet(a, l)),
    Program::new(&["socat"], Sockets, |c, _, a, l| c.socat(a, l)),
    Program::new(&["openssl"], Sockets, |c, _, a, l| c.openssl(a, l)),
    Program::new(DNS_TOOLS, Sockets, |c, p, a, l| c.dns(p, a, l)),
];

/// The registry entry for a program name.
pub(super) fn program(name: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|p| p.names.contains(&name))
}

/// Programs with a dedicated handler, shells and proxy runners: a word
/// naming one of these inside a runner or a fallback segment starts a
/// command.
pub(super) fn is_known_program(p: &str) -> bool {
    SHELLS.contains(&p) || PROXY_RUNNERS.contains(&p) || program(p).is_some()
}

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
        if let Some(entry) = program(prog) {
            return (entry.run)(self, prog, args, &aloc);
        }
        match prog {
            p if SHELLS.contains(&p) => self.shell(p, args, &aloc),
            p if PROXY_RUNNERS.contains(&p) => Err(ev(
                format!(
                    "`{p}` sends the command's traffic through a proxy, hiding its destination"
                ),
                loc.src("program", i),
            )),
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
            p => {
                // The program word itself may carry a destination
                // (`curl\_https://…` left unsplit by an `env -S` we misread).
                self.scan_word(prog_word, &loc.src("program", i))?;
                self.unknown(p, args, &aloc)
            }
        }
    }
}

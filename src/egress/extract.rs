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
//! - The whole argv, through wrappers (`env` — `-S` split with GNU env's
//!   own escapes and read again as env's arguments —, `sudo`, `doas`,
//!   `find -exec/-execdir/-ok/-okdir`, `xargs`, `timeout`, `nice`, `ionice`,
//!   `exec`, `command`, `builtin`, `nohup`, `time`, `stdbuf`, `setsid`,
//!   `taskset`, `strace`, `busybox`) and into
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
//!   `telnet`, `socat`, `openssl s_client`, and the DNS and probe tools
//!   (`dig`, `nslookup`, `host`, `ping`, `traceroute`, `whois`, …) whose
//!   operands are names that leave the machine.
//! - Long options as each client matches them (`options`): curl up to 8.5
//!   takes any unique case-insensitive prefix, GNU tools, wget, git and
//!   argparse any unique prefix; one that cannot be resolved is refused.
//! - Programs that run another command (`docker`, `kubectl`, `op run --`,
//!   `watch`, …): their arguments are scanned generically, and any argument
//!   that names a known program starts a nested command analysis; an
//!   argument with spaces is analysed as a shell script.
//! - Inline environment assignments (`VAR=value cmd`, `env VAR=value`,
//!   `export` in scripts): every variable [`crate::secret::reserved`] calls
//!   a hook or configuration (`HOME`, `XDG_*`, `*_PROXY` but `NO_PROXY`,
//!   `CURL_HOME`, `GIT_CONFIG*`, `LD_PRELOAD`, …) is an evasion — one rule
//!   with the reserved secret names; values are scanned generically;
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
//! sandbox: `vault run --net strict` is the network-level control.
//!
//! # Rooms (what each owns; every room imports only this module's core and
//! the rooms above it in this list, never a client family from another)
//! - this file: the public types ([`Destination`], [`Evasion`],
//!   [`destinations`]), the analysis context and source locations;
//! - `options`: the shared option matcher (`Spec`, `Tok`) every client
//!   parses its argv with, including each client's abbreviation rule;
//! - `url`: schemes, default ports, host/port splitting, parser
//!   differentials and the generic scan of any word;
//! - `registry`: the `PROGRAMS` registry (program name → handler) and the
//!   lists of local-only tools, runners and shells; dispatching a command;
//! - `wrappers`: programs that run another command (`env`, `sudo`, `find
//!   -exec`, `xargs`, shells, runners) and unknown programs;
//! - `shell`: the shell lexer for `sh -c` scripts and `eval` strings;
//! - client families: `http` (curl, wget, httpie/xh), `ssh` (ssh, scp,
//!   sftp, rsync), `git`, `db` (redis, postgres, mysql, mongo),
//!   `sockets` (nc/ncat, telnet, socat, DNS and raw-socket tools);
//! - `cases.txt`: the case table the tests read, one case a line.

use std::fmt;

use thiserror::Error;

use super::normalize;

mod db;
mod git;
mod http;
mod options;
mod registry;
mod shell;
mod sockets;
mod ssh;
mod url;
mod wrappers;

#[cfg(test)]
mod tests;

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

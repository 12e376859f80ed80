//! git: remotes, transports and `-c` configuration.

use super::options::{Abbrev, Spec, Tok, is_long};
use super::ssh::scp_host;
use super::url::{is_scheme, known_host, split_url};
use super::{Ctx, Evasion, Loc, Res, ev, get, tail};

// ---------------------------------------------------------------------------
// git

/// `git -c` keys known not to change where git connects or what it runs.
pub(super) fn git_key_harmless(key: &str, value: &str) -> bool {
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
pub(super) const GIT_LOCAL: &[&str] = &[
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

pub(super) const GIT_REMOTE_OPTS: Spec = Spec {
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
    abbrev: Abbrev::Prefix(&[]),
};

pub(super) const GIT_CLONE: Spec = Spec {
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
    abbrev: Abbrev::Prefix(&[]),
};

impl Ctx {
    pub(super) fn git_config(&mut self, kv: &str, src: &str) -> Res {
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
    pub(super) fn git_repo(&mut self, word: &str, src: &str) -> Result<bool, Evasion> {
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

    pub(super) fn git(&mut self, args: &[String], loc: &Loc) -> Res {
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

    pub(super) fn git_clone(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut repo_done = false;
        for t in &GIT_CLONE.parse(args, false, loc)? {
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

    pub(super) fn git_remote_op(&mut self, sub: &str, args: &[String], loc: &Loc) -> Res {
        let mut repo: Option<(String, usize)> = None;
        let mut first_pos: Option<(String, usize)> = None;
        for t in &GIT_REMOTE_OPTS.parse(args, false, loc)? {
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

    pub(super) fn git_remote_cmd(&mut self, args: &[String], loc: &Loc) -> Res {
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

    pub(super) fn git_submodule(&mut self, args: &[String], loc: &Loc) -> Res {
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

    pub(super) fn git_archive(&mut self, args: &[String], loc: &Loc) -> Res {
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

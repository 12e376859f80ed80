//! Wrappers that run another command (`env`, `sudo`, `xargs`, shells,
//! runners) and programs the extractor does not know.

use super::options::{Spec, Tok, assignment, is_long};
use super::registry::{LOCAL_ONLY, is_known_program};
use super::url::{runtime_host, split_host_port};
use super::{Ctx, Loc, Res, basename, ev, get, program_word, tail};
use crate::egress::normalize;

impl Ctx {
    /// `NAME=value` before a command, in `env`, or in a script.
    pub(super) fn assignment(
        &mut self,
        name: &str,
        value: &str,
        src: &str,
        for_program: bool,
    ) -> Res {
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
    pub(super) fn wrapper(&mut self, args: &[String], loc: &Loc, spec: &Spec) -> Res {
        self.wrapper_skip(args, loc, spec, 0)
    }

    /// Like `wrapper`, skipping `skip` leading positionals (`timeout DUR`).
    pub(super) fn wrapper_skip(
        &mut self,
        args: &[String],
        loc: &Loc,
        spec: &Spec,
        skip: usize,
    ) -> Res {
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

    pub(super) fn env(&mut self, args: &[String], loc: &Loc) -> Res {
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

    pub(super) fn nice(&mut self, args: &[String], loc: &Loc) -> Res {
        // Old form `nice -10 cmd`.
        if get(args, 0).is_some_and(|w| {
            w.len() > 1 && w.starts_with('-') && w.bytes().skip(1).all(|b| b.is_ascii_digit())
        }) {
            return self.command(tail(args, 1), &loc.shift(1));
        }
        self.wrapper(args, loc, &NICE)
    }

    pub(super) fn xargs(&mut self, args: &[String], loc: &Loc) -> Res {
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

    pub(super) fn shell(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
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

    pub(super) fn runner(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
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

    pub(super) fn unknown(&mut self, _prog: &str, args: &[String], loc: &Loc) -> Res {
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
                            .and_then(|(_, p)| crate::egress::pattern::parse_port(p));
                        self.push(n, port, src);
                    }
                }
            }
            i += 1;
        }
        Ok(())
    }
}

pub(super) const NONE: Spec = Spec {
    short_val: "",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};
pub(super) const SUDO: Spec = Spec {
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
pub(super) const DOAS: Spec = Spec {
    short_val: "uC",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};
pub(super) const ENV: Spec = Spec {
    short_val: "uCSP",
    short_attached: "",
    long_val: &["unset", "chdir", "split-string"],
    long_val_prefix: &[],
};
pub(super) const TIMEOUT: Spec = Spec {
    short_val: "sk",
    short_attached: "",
    long_val: &["signal", "kill-after"],
    long_val_prefix: &[],
};
pub(super) const NICE: Spec = Spec {
    short_val: "n",
    short_attached: "",
    long_val: &["adjustment"],
    long_val_prefix: &[],
};
pub(super) const IONICE: Spec = Spec {
    short_val: "cnpPu",
    short_attached: "",
    long_val: &["class", "classdata", "pid", "pgid", "uid"],
    long_val_prefix: &[],
};
pub(super) const EXEC: Spec = Spec {
    short_val: "a",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};
pub(super) const TIME: Spec = Spec {
    short_val: "fo",
    short_attached: "",
    long_val: &["format", "output"],
    long_val_prefix: &[],
};
pub(super) const STDBUF: Spec = Spec {
    short_val: "ioe",
    short_attached: "",
    long_val: &["input", "output", "error"],
    long_val_prefix: &[],
};
pub(super) const TASKSET: Spec = Spec {
    short_val: "",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};
pub(super) const STRACE: Spec = Spec {
    short_val: "abeEIoOpPsSuUX",
    short_attached: "",
    long_val: &["output", "trace", "signal", "user", "attach", "env"],
    long_val_prefix: &[],
};
pub(super) const XARGS: Spec = Spec {
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

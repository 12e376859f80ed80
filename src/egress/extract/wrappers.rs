//! Wrappers that run another command (`env`, `sudo`, `xargs`, shells,
//! runners) and programs the extractor does not know.

use super::options::{Abbrev, Spec, Tok, assignment, is_long};
use super::registry::{LOCAL_ONLY, is_known_program};
use super::url::{runtime_host, split_host_port};
use super::{Ctx, Loc, Res, basename, ev, get, program_word, tail};
use crate::egress::normalize;
use crate::secret::Reserved;

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
        if (upper.ends_with("_PROXY") && upper != "NO_PROXY") || upper == "PROXY" {
            return Err(ev(
                format!(
                    "`{name}` set inline routes traffic through a proxy, hiding the destination"
                ),
                src,
            ));
        }
        // One rule with the reserved secret names: a variable a client reads as
        // configuration, trust or a hook (`HOME`, `XDG_CONFIG_HOME`, `CURL_HOME`,
        // `GIT_CONFIG_GLOBAL`, `LD_PRELOAD`, …) can point it at a file that sends it
        // elsewhere. `NO_PROXY` only turns proxying off.
        match crate::secret::reserved(name) {
            Some(Reserved::Hook | Reserved::Config) if upper != "NO_PROXY" => {
                return Err(ev(
                    format!(
                        "`{name}` set inline makes programs read configuration or run code that argv does not show, which can redirect connections"
                    ),
                    src,
                ));
            }
            _ => {}
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
        let toks = spec.parse(args, true, loc)?;
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
        let toks = ENV.parse(args, true, loc)?;
        for t in &toks {
            match t {
                Tok::Opt {
                    name, value, vidx, ..
                } => {
                    if name == "-S" || name == "--split-string" {
                        // `env -S "cmd args"`: split with GNU env's own rules, then
                        // analysed as env's arguments again (they may hold options and
                        // assignments too).
                        let src = loc.src("env -S", *vidx);
                        let split = split_string(value.as_deref().unwrap_or(""))
                            .map_err(|why| ev(format!("`env -S` string {why}"), src))?;
                        let mut words = vec!["env".to_string()];
                        words.extend(split);
                        words.extend(tail(args, vidx + 1).iter().cloned());
                        return self.command(&words, &loc.nested("env -S", *vidx));
                    }
                }
                Tok::Pos { idx, .. } => return self.command(tail(args, *idx), &loc.shift(*idx)),
            }
        }
        Ok(())
    }

    /// `find … -exec CMD {} ;` (and `-execdir`, `-ok`, `-okdir`): each
    /// command is analysed, `{}` standing for a path found at run time.
    pub(super) fn find(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut i = 0;
        while let Some(w) = get(args, i) {
            if matches!(w, "-exec" | "-execdir" | "-ok" | "-okdir") {
                let start = i + 1;
                let mut end = start;
                while let Some(x) = get(args, end) {
                    if x == ";" || (x == "+" && end > start && get(args, end - 1) == Some("{}")) {
                        break;
                    }
                    end += 1;
                }
                let words: Vec<String> = args
                    .get(start..end)
                    .unwrap_or(&[])
                    .iter()
                    .map(|w| w.replace("{}", "{{find path}}"))
                    .collect();
                self.command(&words, &loc.shift(start))?;
                i = end;
            }
            i += 1;
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
        let toks = XARGS.parse(args, true, loc)?;
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
    abbrev: Abbrev::Exact,
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
    abbrev: Abbrev::Prefix(&[]),
};
pub(super) const DOAS: Spec = Spec {
    short_val: "uC",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
    abbrev: Abbrev::Exact,
};
pub(super) const ENV: Spec = Spec {
    short_val: "uCSP",
    short_attached: "",
    long_val: &["unset", "chdir", "split-string"],
    long_val_prefix: &[],
    abbrev: Abbrev::Prefix(ENV_ALL),
};
pub(super) const TIMEOUT: Spec = Spec {
    short_val: "sk",
    short_attached: "",
    long_val: &["signal", "kill-after"],
    long_val_prefix: &[],
    abbrev: Abbrev::Prefix(TIMEOUT_ALL),
};
pub(super) const NICE: Spec = Spec {
    short_val: "n",
    short_attached: "",
    long_val: &["adjustment"],
    long_val_prefix: &[],
    abbrev: Abbrev::Prefix(&["adjustment", "help", "version"]),
};
pub(super) const IONICE: Spec = Spec {
    short_val: "cnpPu",
    short_attached: "",
    long_val: &["class", "classdata", "pid", "pgid", "uid"],
    long_val_prefix: &[],
    abbrev: Abbrev::Prefix(&[]),
};
pub(super) const EXEC: Spec = Spec {
    short_val: "a",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
    abbrev: Abbrev::Exact,
};
pub(super) const TIME: Spec = Spec {
    short_val: "fo",
    short_attached: "",
    long_val: &["format", "output"],
    long_val_prefix: &[],
    abbrev: Abbrev::Prefix(&[]),
};
pub(super) const STDBUF: Spec = Spec {
    short_val: "ioe",
    short_attached: "",
    long_val: &["input", "output", "error"],
    long_val_prefix: &[],
    abbrev: Abbrev::Prefix(&["input", "output", "error", "help", "version"]),
};
pub(super) const TASKSET: Spec = Spec {
    short_val: "",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
    abbrev: Abbrev::Exact,
};
pub(super) const STRACE: Spec = Spec {
    short_val: "abeEIoOpPsSuUX",
    short_attached: "",
    long_val: &["output", "trace", "signal", "user", "attach", "env"],
    long_val_prefix: &[],
    abbrev: Abbrev::Prefix(&[]),
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
    abbrev: Abbrev::Prefix(XARGS_ALL),
};

/// GNU env's long options (coreutils 9), for getopt's prefixes: `--s` is
/// `--split-string`.
pub(super) const ENV_ALL: &[&str] = &[
    "block-signal",
    "chdir",
    "debug",
    "default-signal",
    "help",
    "ignore-environment",
    "ignore-signal",
    "list-signal-handling",
    "null",
    "split-string",
    "unset",
    "version",
];

/// GNU timeout's long options.
pub(super) const TIMEOUT_ALL: &[&str] = &[
    "foreground",
    "help",
    "kill-after",
    "preserve-status",
    "signal",
    "verbose",
    "version",
];

/// GNU xargs's long options.
pub(super) const XARGS_ALL: &[&str] = &[
    "arg-file",
    "delimiter",
    "eof",
    "exit",
    "help",
    "interactive",
    "max-args",
    "max-chars",
    "max-lines",
    "max-procs",
    "no-run-if-empty",
    "null",
    "open-tty",
    "process-slot-var",
    "replace",
    "show-limits",
    "verbose",
    "version",
];

/// GNU env's `-S` splitting (coreutils `env.c`): whitespace separates words
/// outside quotes; `'…'` keeps everything but `\\` and `\'`; `"…"` and bare
/// words take the escapes `\" \' \# \$ \\ \_ \c \f \n \r \t \v`, where `\_`
/// is a space inside double quotes and a word break outside, and `\c` ends
/// the string (not allowed in double quotes); `#` at a word's start is a
/// comment; `${NAME}` is the variable's value at run time, kept here as
/// `${NAME}` so a host built from it is refused. Anything else GNU env
/// refuses, and so does this.
pub(super) fn split_string(s: &str) -> Result<Vec<String>, String> {
    #[derive(PartialEq)]
    enum Q {
        None,
        Single,
        Double,
    }
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut q = Q::None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match q {
            Q::Single => match c {
                '\'' => q = Q::None,
                '\\' if matches!(chars.peek(), Some('\\' | '\'')) => {
                    cur.extend(chars.next());
                }
                c => cur.push(c),
            },
            Q::None | Q::Double => match c {
                '\'' if q == Q::None => {
                    q = Q::Single;
                    in_word = true;
                }
                '"' => {
                    q = if q == Q::Double { Q::None } else { Q::Double };
                    in_word = true;
                }
                ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' if q == Q::None => {
                    if in_word {
                        words.push(std::mem::take(&mut cur));
                        in_word = false;
                    }
                }
                '#' if q == Q::None && !in_word => break,
                '\\' => {
                    let Some(e) = chars.next() else {
                        return Err("ends with a lone backslash".to_string());
                    };
                    let was_in_word = in_word;
                    in_word = true;
                    match e {
                        '"' | '\'' | '#' | '$' | '\\' => cur.push(e),
                        '_' if q == Q::Double => cur.push(' '),
                        '_' => {
                            words.push(std::mem::take(&mut cur));
                            in_word = false;
                        }
                        'c' if q == Q::Double => {
                            return Err("uses `\\c` inside double quotes".to_string());
                        }
                        'c' => {
                            in_word = was_in_word;
                            break;
                        }
                        'f' => cur.push('\u{c}'),
                        'n' => cur.push('\n'),
                        'r' => cur.push('\r'),
                        't' => cur.push('\t'),
                        'v' => cur.push('\u{b}'),
                        e => return Err(format!("uses the escape `\\{e}`, which env refuses")),
                    }
                }
                '$' => {
                    if chars.next() != Some('{') {
                        return Err("uses `$` without `{NAME}`, which env refuses".to_string());
                    }
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) if c.is_ascii_alphanumeric() || c == '_' => name.push(c),
                            _ => return Err("has a malformed `${NAME}`".to_string()),
                        }
                    }
                    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                        return Err("has a malformed `${NAME}`".to_string());
                    }
                    cur.push_str(&format!("${{{name}}}"));
                    in_word = true;
                }
                c => {
                    cur.push(c);
                    in_word = true;
                }
            },
        }
    }
    if q != Q::None {
        return Err("has an unterminated quote".to_string());
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

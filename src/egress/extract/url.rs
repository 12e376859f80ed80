//! URL and host handling: default ports, schemes, parser differentials,
//! `host:port` splitting and the generic scan of any word.

use super::{Ctx, Destination, Evasion, Loc, Res, ev};
use crate::egress::normalize;

/// Default port of a URL scheme; `None` when unknown or not fixed.
pub(super) fn default_port(scheme: &str) -> Option<u16> {
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
pub(super) fn non_network_scheme(scheme: &str) -> bool {
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
pub(super) fn multi_host_scheme(scheme: &str) -> bool {
    matches!(
        scheme,
        "mongodb" | "mongodb+srv" | "postgres" | "postgresql" | "redis+sentinel"
    )
}

/// Schemes where an empty host means a local socket, not a differential.
pub(super) fn local_default_scheme(scheme: &str) -> bool {
    matches!(
        scheme,
        "postgres" | "postgresql" | "mysql" | "mariadb" | "redis" | "rediss" | "mongodb" | "sqlite"
    )
}

/// TAB, CR and LF: WHATWG URL parsers delete them anywhere in a URL and read on.
pub(super) fn deleted_by_url_parsers(c: char) -> bool {
    matches!(c, '\t' | '\r' | '\n')
}

/// Schemes the WHATWG parser treats specially (and the `url` crate parses
/// like a browser): we cross-check our host against it.
pub(super) fn special_scheme(scheme: &str) -> bool {
    matches!(scheme, "http" | "https" | "ws" | "wss" | "ftp")
}

/// Common file extensions: `x.rs:10` is a file position, not a host:port.
pub(super) const FILE_EXTENSIONS: &[&str] = &[
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
pub(super) fn has_unicode_dot(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(
            c,
            '\u{3002}' | '\u{FF0E}' | '\u{FF61}' | '\u{2024}' | '\u{FE52}'
        )
    })
}

/// A host that is not known before the command runs.
pub(super) fn runtime_host(h: &str) -> Option<&'static str> {
    if h.contains("{{") {
        Some("comes from a secret placeholder or other template; a host must be written literally")
    } else if h.contains('$') || h.contains('`') {
        Some("is built at run time (variable or command substitution)")
    } else {
        None
    }
}

/// Parse a port in a known position. Empty means "scheme default".
pub(super) fn port_value(p: &str, src: &str) -> Result<Option<u16>, Evasion> {
    if p.is_empty() {
        return Ok(None);
    }
    if let Some(why) = runtime_host(p) {
        return Err(ev(format!("port `{p}` {why}"), src));
    }
    match crate::egress::pattern::parse_port(p) {
        Some(n) => Ok(Some(n)),
        None => Err(ev(format!("`{p}` is not a valid port"), src)),
    }
}

/// Split `host[:port]` / `[v6][:port]`; several `:` without brackets is
/// ambiguous and refused.
pub(super) fn split_host_port<'a>(hp: &'a str, src: &str) -> Result<(&'a str, &'a str), Evasion> {
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
pub(super) fn known_host(h: &str, src: &str) -> Result<String, Evasion> {
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
pub(super) fn generic_host(h: &str, reject_file_ext: bool) -> Option<String> {
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
pub(super) fn is_scheme(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphabetic())
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

/// `scheme://rest` when the whole word starts with a URL.
pub(super) fn split_url(word: &str) -> Option<(String, &str)> {
    let (scheme, rest) = word.split_once("://")?;
    is_scheme(scheme).then(|| (scheme.to_ascii_lowercase(), rest))
}

/// Characters that end a URL embedded in a larger word.
pub(super) fn url_terminator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '<' | '>' | '`' | '(' | ')' | ';' | '|' | '\0'
        )
}

/// A special scheme followed by `:` but not `//` (`https:evil.com`,
/// `https:/evil.com`, `https:\\evil.com`): WHATWG parsers still find a
/// host there, others do not.
pub(super) fn slashless_special(word: &str) -> Option<String> {
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
    pub(super) fn push(&mut self, host: String, port: Option<u16>, source: String) {
        if !self.out.iter().any(|d| d.host == host && d.port == port) {
            self.out.push(Destination { host, port, source });
        }
    }

    /// Destinations of `scheme://rest` (rest may run past the URL's end;
    /// only the authority and, for PostgreSQL, the query are read).
    pub(super) fn url(&mut self, scheme: &str, rest: &str, src: &str) -> Res {
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
    pub(super) fn cross_check(&mut self, scheme: &str, authority: &str, src: &str) -> Res {
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
    pub(super) fn pg_query_hosts(&mut self, rest: &str, src: &str) -> Res {
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
    pub(super) fn target(&mut self, word: &str, default_scheme: &str, src: &str) -> Res {
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
    pub(super) fn host_port(&mut self, value: &str, default: Option<u16>, src: &str) -> Res {
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
    pub(super) fn scan_word(&mut self, word: &str, src: &str) -> Res {
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
    pub(super) fn deleted_controls_check(&mut self, word: &str, src: &str) -> Res {
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

    pub(super) fn scan_word_as_is(&mut self, word: &str, src: &str) -> Res {
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

    pub(super) fn scan_token(&mut self, tok: &str, src: &str) -> Res {
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
            && let Some(p) = crate::egress::pattern::parse_port(port)
            && let Some(h) = generic_host(host, true)
        {
            self.push(h, Some(p), src.to_string());
        }
        Ok(())
    }

    /// Generic scan of every word, with numbered sources.
    pub(super) fn scan_all(&mut self, words: &[String], loc: &Loc, what: &str) -> Res {
        for (i, w) in words.iter().enumerate() {
            self.scan_word(w, &loc.src(what, i))?;
        }
        Ok(())
    }

    // -----------------------------------------------------------------------
}

//! HTTP clients: curl, wget, httpie and xh.

use super::options::{Abbrev, Spec, Tok, is_long};
use super::{Ctx, Loc, Res, ev};

// ---------------------------------------------------------------------------
// HTTP clients

pub(super) const CURL: Spec = Spec {
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
    abbrev: Abbrev::PrefixNoCase(CURL_FLAGS),
};

/// Why a curl long option hides or redirects the destination, if it does.
pub(super) fn curl_evasive(long: &str) -> Option<&'static str> {
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
pub(super) fn host_header(value: &str) -> bool {
    let v = value.trim_start();
    let name = v.split([':', ';']).next().unwrap_or(v);
    v.starts_with('@') || name.trim().eq_ignore_ascii_case("host")
}

/// curl's scheme guess for a schemeless URL, from the host's first label.
pub(super) fn curl_guess(word: &str) -> &'static str {
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

pub(super) const WGET: Spec = Spec {
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
    abbrev: Abbrev::Prefix(WGET_FLAGS),
};

pub(super) const WGET_EVASIVE: &[&str] = &[
    "execute",
    "input-file",
    "config",
    "span-hosts",
    "input-metalink",
];

pub(super) const HTTPIE: Spec = Spec {
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
    abbrev: Abbrev::Prefix(&[]),
};

pub(super) const HTTP_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
];

impl Ctx {
    pub(super) fn curl(&mut self, args: &[String], loc: &Loc) -> Res {
        let toks = CURL.parse(args, false, loc)?;
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

    pub(super) fn wget(&mut self, args: &[String], loc: &Loc) -> Res {
        for t in &WGET.parse(args, false, loc)? {
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

    pub(super) fn httpie(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let toks = HTTPIE.parse(args, false, loc)?;
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

/// curl 7.88's long options that take no value (`curl --help all`, less
/// `CURL.long_val`): curl up to 8.5 takes any unique case-insensitive
/// prefix of any option, so `--location-t` is `--location-trusted` and
/// `--conf` is `--config`.
pub(super) const CURL_FLAGS: &[&str] = &[
    "anyauth",
    "append",
    "basic",
    "cert-status",
    "compressed",
    "compressed-ssh",
    "create-dirs",
    "crlf",
    "digest",
    "disable",
    "disable-eprt",
    "disable-epsv",
    "disallow-username-in-url",
    "doh-cert-status",
    "doh-insecure",
    "fail",
    "fail-early",
    "fail-with-body",
    "false-start",
    "form-escape",
    "ftp-create-dirs",
    "ftp-pasv",
    "ftp-pret",
    "ftp-skip-pasv-ip",
    "ftp-ssl-ccc",
    "ftp-ssl-control",
    "get",
    "globoff",
    "haproxy-protocol",
    "head",
    "help",
    "http0.9",
    "http1.0",
    "http1.1",
    "http2",
    "http2-prior-knowledge",
    "http3",
    "http3-only",
    "ignore-content-length",
    "include",
    "insecure",
    "ipv4",
    "ipv6",
    "junk-session-cookies",
    "list-only",
    "location",
    "location-trusted",
    "mail-rcpt-allowfails",
    "manual",
    "metalink",
    "negotiate",
    "netrc",
    "netrc-optional",
    "next",
    "no-alpn",
    "no-buffer",
    "no-clobber",
    "no-keepalive",
    "no-npn",
    "no-progress-meter",
    "no-sessionid",
    "ntlm",
    "ntlm-wb",
    "parallel",
    "parallel-immediate",
    "parallel-max",
    "path-as-is",
    "post301",
    "post302",
    "post303",
    "progress-bar",
    "proxy-anyauth",
    "proxy-basic",
    "proxy-digest",
    "proxy-insecure",
    "proxy-negotiate",
    "proxy-ntlm",
    "proxy-ssl-allow-beast",
    "proxy-ssl-auto-client-cert",
    "proxy-tlsv1",
    "proxytunnel",
    "pubkey",
    "raw",
    "remote-header-name",
    "remote-name",
    "remote-name-all",
    "remote-time",
    "remove-on-error",
    "retry-all-errors",
    "retry-connrefused",
    "sasl-ir",
    "show-error",
    "silent",
    "socks5-basic",
    "socks5-gssapi",
    "socks5-gssapi-nec",
    "ssl",
    "ssl-allow-beast",
    "ssl-auto-client-cert",
    "ssl-no-revoke",
    "ssl-reqd",
    "ssl-revoke-best-effort",
    "sslv2",
    "sslv3",
    "styled-output",
    "suppress-connect-headers",
    "tcp-fastopen",
    "tcp-nodelay",
    "tftp-no-options",
    "tlsv1",
    "tlsv1.0",
    "tlsv1.1",
    "tlsv1.2",
    "tlsv1.3",
    "tr-encoding",
    "trace-time",
    "use-ascii",
    "verbose",
    "version",
    "xattr",
];

/// wget 1.21's long options that take no value (`wget --help`, less
/// `WGET.long_val`), for getopt's unique prefixes.
pub(super) const WGET_FLAGS: &[&str] = &[
    "adjust-extension",
    "ask-password",
    "auth-no-challenge",
    "background",
    "backup-converted",
    "content-disposition",
    "content-on-error",
    "continue",
    "convert-file-only",
    "convert-links",
    "debug",
    "delete-after",
    "follow-ftp",
    "follow-tags",
    "force-directories",
    "force-html",
    "ftps-clear-data-connection",
    "ftps-fallback-to-ftp",
    "ftps-implicit",
    "ftps-resume-ssl",
    "help",
    "https-only",
    "ignore-case",
    "ignore-length",
    "ignore-tags",
    "inet4-only",
    "inet6-only",
    "keep-session-cookies",
    "max-redirect",
    "mirror",
    "no-cache",
    "no-check-certificate",
    "no-clobber",
    "no-config",
    "no-cookies",
    "no-directories",
    "no-dns-cache",
    "no-glob",
    "no-host-directories",
    "no-hsts",
    "no-http-keep-alive",
    "no-if-modified-since",
    "no-iri",
    "no-netrc",
    "no-parent",
    "no-passive-ftp",
    "no-proxy",
    "no-remove-listing",
    "no-use-server-timestamps",
    "no-verbose",
    "no-warc-compression",
    "no-warc-digests",
    "no-warc-keep-log",
    "page-requisites",
    "preserve-permissions",
    "protocol-directories",
    "quiet",
    "random-wait",
    "recursive",
    "rejected-log",
    "relative",
    "retr-symlinks",
    "retry-connrefused",
    "save-headers",
    "server-response",
    "show-progress",
    "span-hosts",
    "spider",
    "start-pos",
    "strict-comments",
    "timestamping",
    "trust-server-names",
    "unlink",
    "verbose",
    "version",
    "warc-cdx",
    "warc-dedup",
    "warc-file",
    "warc-header",
    "warc-max-size",
    "warc-tempdir",
    "xattr",
];

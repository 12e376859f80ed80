//! Raw-socket and DNS clients: nc/ncat/netcat, telnet, socat, `openssl
//! s_client`, and the tools whose operands are names to resolve or hosts to
//! probe (`dig`, `nslookup`, `host`, `ping`, `traceroute`, `whois`, …): a
//! name looked up reaches whoever serves its zone, so it is a destination,
//! and one built from a placeholder or a variable is refused.

use super::options::{Abbrev, Spec, Tok, is_long};
use super::url::{known_host, port_value, runtime_host};
use super::{Ctx, Loc, Res, ev, get};

pub(super) const NC: Spec = Spec {
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
    abbrev: Abbrev::Prefix(&[]),
};
pub(super) const NCAT: Spec = Spec {
    short_val: "ceiIMmOpPqsTVwWxXgGo",
    short_attached: "",
    long_val: NC.long_val,
    long_val_prefix: &[],
    abbrev: Abbrev::Prefix(&[]),
};
pub(super) const TELNET: Spec = Spec {
    short_val: "lenbXk",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
    abbrev: Abbrev::Exact,
};

impl Ctx {
    pub(super) fn nc(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let spec = if prog == "ncat" { &NCAT } else { &NC };
        let mut listen = false;
        let mut positionals = Vec::new();
        for t in &spec.parse(args, false, loc)? {
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

    pub(super) fn telnet(&mut self, args: &[String], loc: &Loc) -> Res {
        let pos: Vec<(String, usize)> = TELNET
            .parse(args, false, loc)?
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

    pub(super) fn socat(&mut self, args: &[String], loc: &Loc) -> Res {
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

    pub(super) fn socat_address(&mut self, addr: &str, src: &str, loc: &Loc, i: usize) -> Res {
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

/// DNS and probe tools: every operand is a name that leaves the machine.
pub(super) const DNS_TOOLS: &[&str] = &[
    "dig",
    "kdig",
    "drill",
    "delv",
    "nslookup",
    "host",
    "resolvectl",
    "getent",
    "ping",
    "ping6",
    "fping",
    "arping",
    "hping3",
    "traceroute",
    "traceroute6",
    "tracepath",
    "tracepath6",
    "mtr",
    "whois",
    "nmap",
];

/// Short options of the DNS and probe tools that take a value (the union
/// over the tools: an over-eager value skips a word that would only have
/// been one more destination, so the few that name a server are read).
const DNS_SHORT_VAL: &str = "bcfiIkpqtwWyslmMNQSTAEgzLOr";

/// dig/host query types and classes, which are not names.
fn dns_keyword(w: &str) -> bool {
    const WORDS: &[&str] = &[
        "A", "AAAA", "ANY", "AXFR", "CAA", "CNAME", "DNSKEY", "DS", "HINFO", "HTTPS", "IXFR", "MX",
        "NAPTR", "NS", "NSEC", "NSEC3", "PTR", "RRSIG", "SOA", "SPF", "SRV", "SSHFP", "SVCB",
        "TLSA", "TXT", "IN", "CH", "HS", "query", "hosts", "ahosts", "ahostsv4", "ahostsv6",
    ];
    WORDS.iter().any(|k| k.eq_ignore_ascii_case(w))
}

impl Ctx {
    /// One name or address a DNS or probe tool sends out.
    fn dns_name(&mut self, word: &str, port: Option<u16>, src: &str) -> Res {
        if let Some(why) = runtime_host(word) {
            return Err(ev(
                format!("destination `{word}` {why}; a name looked up reaches whoever serves it"),
                src,
            ));
        }
        let name = word.trim_end_matches('.');
        if name.is_empty() {
            return Ok(());
        }
        let host = known_host(name.trim_start_matches('[').trim_end_matches(']'), src)?;
        self.push(host, port, src.to_string());
        Ok(())
    }

    pub(super) fn dns(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let mut i = 0;
        let mut subcommand_seen = false;
        while let Some(w) = get(args, i) {
            let src = loc.src(&format!("{prog} destination"), i);
            if let Some(opt) = w.strip_prefix('-').filter(|o| !o.is_empty()) {
                let first = opt.chars().next().unwrap_or('-');
                if matches!(
                    (prog, first),
                    ("dig" | "kdig" | "drill" | "delv" | "host", 'f')
                ) || matches!((prog, first), ("nmap", 'i'))
                {
                    return Err(ev(
                        format!(
                            "`{prog} -{first}` reads the names to look up from a file, which cannot be checked"
                        ),
                        src,
                    ));
                }
                if matches!((prog, first), ("whois", 'h')) {
                    let v = if opt.len() > 1 {
                        Some(opt[1..].to_string())
                    } else {
                        get(args, i + 1).map(str::to_string)
                    };
                    if let Some(v) = v {
                        self.dns_name(&v, Some(43), &loc.src(&format!("{prog} server"), i))?;
                    }
                    i += if opt.len() > 1 { 1 } else { 2 };
                    continue;
                }
                if matches!((prog, first), ("dig" | "kdig", 'q' | 'x')) {
                    let v = if opt.len() > 1 {
                        Some(opt[1..].to_string())
                    } else {
                        get(args, i + 1).map(str::to_string)
                    };
                    if let Some(v) = v {
                        self.dns_name(&v, None, &src)?;
                    }
                    i += if opt.len() > 1 { 1 } else { 2 };
                    continue;
                }
                // `nslookup -type=mx`, `mtr --report`: no value word.
                let takes = opt.len() == 1 && DNS_SHORT_VAL.contains(first) && prog != "nslookup";
                i += if takes { 2 } else { 1 };
                continue;
            }
            if let Some(server) = w.strip_prefix('@') {
                self.dns_name(server, Some(53), &loc.src(&format!("{prog} server"), i))?;
            } else if w.starts_with('+') || dns_keyword(w) {
                // dig `+short`, query types and classes.
            } else if prog == "resolvectl" && !subcommand_seen {
                subcommand_seen = true;
            } else if prog == "getent" && !subcommand_seen {
                subcommand_seen = true;
                if !matches!(w, "hosts" | "ahosts" | "ahostsv4" | "ahostsv6") {
                    return Ok(());
                }
            } else if prog == "nslookup" && w == "-" {
            } else {
                self.dns_name(w, None, &src)?;
            }
            i += 1;
        }
        Ok(())
    }

    /// `openssl s_client -connect host:port` (and `-host`, `-servername`,
    /// `-proxy`); other subcommands are local.
    pub(super) fn openssl(&mut self, args: &[String], loc: &Loc) -> Res {
        if !matches!(get(args, 0), Some("s_client" | "s_time")) {
            return Ok(());
        }
        let mut connected = false;
        let mut i = 1;
        while let Some(w) = get(args, i) {
            let src = loc.src("openssl s_client", i + 1);
            let value = get(args, i + 1);
            match w.trim_start_matches('-') {
                "proxy" | "unix" => {
                    return Err(ev(
                        format!(
                            "`openssl s_client {w}` connects through another endpoint, hiding the destination"
                        ),
                        src,
                    ));
                }
                "connect" | "host" => {
                    if let Some(v) = value {
                        if let Some(why) = runtime_host(v) {
                            return Err(ev(format!("destination `{v}` {why}"), src));
                        }
                        let (h, p) = match v.rsplit_once(':') {
                            Some((h, p))
                                if !h.is_empty() && !h.ends_with(':') || h.starts_with('[') =>
                            {
                                (h, port_value(p, &src)?)
                            }
                            _ => (v, None),
                        };
                        self.dns_name(h, p.or(Some(443)), &src)?;
                        connected = true;
                    }
                    i += 2;
                }
                "servername" | "verify_hostname" => {
                    if let Some(v) = value {
                        self.dns_name(v, None, &src)?;
                    }
                    i += 2;
                }
                "port" | "starttls" | "cert" | "key" | "CAfile" | "CApath" | "alpn"
                | "sess_out" | "sess_in" | "keylogfile" | "msgfile" | "timeout" | "name"
                | "xmpphost" => {
                    i += 2;
                }
                _ => i += 1,
            }
        }
        if !connected {
            // Without -connect, s_client goes to localhost:4433.
            self.push(
                "localhost".to_string(),
                Some(4433),
                loc.src("openssl s_client default", 0),
            );
        }
        Ok(())
    }
}

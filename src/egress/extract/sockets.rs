//! Raw-socket clients: nc/ncat/netcat, telnet, socat.

use super::options::{Spec, Tok, is_long};
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
};
pub(super) const NCAT: Spec = Spec {
    short_val: "ceiIMmOpPqsTVwWxXgGo",
    short_attached: "",
    long_val: NC.long_val,
    long_val_prefix: &[],
};
pub(super) const TELNET: Spec = Spec {
    short_val: "lenbXk",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
};

impl Ctx {
    pub(super) fn nc(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
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

    pub(super) fn telnet(&mut self, args: &[String], loc: &Loc) -> Res {
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

//! Database clients: redis-cli, psql and the pg tools, mysql, mongosh.

use super::options::{Abbrev, Spec, Tok, is_long};
use super::url::{known_host, port_value, split_url};
use super::{Ctx, Loc, Res, ev};
use crate::egress::normalize;

// ---------------------------------------------------------------------------
// Database clients, nc, telnet, socat

pub(super) const REDIS: Spec = Spec {
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
    abbrev: Abbrev::Exact,
};
pub(super) const PSQL: Spec = Spec {
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
    abbrev: Abbrev::Prefix(&[]),
};
pub(super) const PG_TOOLS: Spec = Spec {
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
    abbrev: Abbrev::Prefix(&[]),
};
pub(super) const MYSQL: Spec = Spec {
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
    abbrev: Abbrev::Prefix(&[]),
};
pub(super) const MONGO: Spec = Spec {
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
    abbrev: Abbrev::Exact,
};
/// libpq `key=value` connection strings (`host=a port=5432 dbname=x`).
pub(super) fn conninfo_pairs(s: &str) -> Vec<(String, String)> {
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
    pub(super) fn redis(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut host: Option<(String, usize)> = None;
        let mut port: Option<u16> = None;
        let mut explicit = false;
        let mut positionals = Vec::new();
        for t in &REDIS.parse(args, false, loc)? {
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
    pub(super) fn pg_word(&mut self, word: &str, src: &str) -> Res {
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

    pub(super) fn psql(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let spec = if prog == "psql" { &PSQL } else { &PG_TOOLS };
        let mut hosts: Option<(String, usize)> = None;
        let mut ports: Vec<Option<u16>> = Vec::new();
        for t in &spec.parse(args, false, loc)? {
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

    pub(super) fn mysql(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let mut host: Option<(String, usize)> = None;
        let mut port = None;
        for t in &MYSQL.parse(args, false, loc)? {
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

    pub(super) fn mongo(&mut self, prog: &str, args: &[String], loc: &Loc) -> Res {
        let mut port = None;
        let mut found = false;
        let mut nodb = false;
        let mut hosts: Vec<(String, String)> = Vec::new();
        let mut address: Option<(String, usize)> = None;
        for t in &MONGO.parse(args, false, loc)? {
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
}

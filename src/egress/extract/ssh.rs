//! The ssh family: ssh, scp, sftp, rsync.

use super::options::{Abbrev, Spec, Tok, is_long};
use super::url::{known_host, port_value, split_url};
use super::{Ctx, Evasion, Loc, Res, basename, ev, get, tail};

// ---------------------------------------------------------------------------
// ssh family

pub(super) const SSH: Spec = Spec {
    short_val: "BbcDEeFIiJLlmOoPpQRSWw",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
    abbrev: Abbrev::Exact,
};
pub(super) const SCP: Spec = Spec {
    short_val: "cDFiJloPSX",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
    abbrev: Abbrev::Exact,
};
pub(super) const SFTP: Spec = Spec {
    short_val: "BbcDFiJloPRSsX",
    short_attached: "",
    long_val: &[],
    long_val_prefix: &[],
    abbrev: Abbrev::Exact,
};

/// `-o` options that do not change where ssh connects or run a command.
pub(super) const SSH_HARMLESS: &[&str] = &[
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
pub(super) fn scp_host(word: &str) -> Option<&str> {
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
pub(super) fn split_colons(s: &str) -> Vec<&str> {
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
    pub(super) fn ssh_opt(
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

    pub(super) fn ssh(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut port = None;
        let toks = SSH.parse(args, true, loc)?;
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
        for t in &SSH.parse(after, true, loc)? {
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

    pub(super) fn scp(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut port = None;
        let mut operands = Vec::new();
        for t in &SCP.parse(args, false, loc)? {
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

    pub(super) fn sftp(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut port = None;
        let mut dest = None;
        for t in &SFTP.parse(args, false, loc)? {
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
    pub(super) fn rsync_rsh(&mut self, value: &str, src: &str) -> Result<Option<u16>, Evasion> {
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
        for t in &SSH.parse(tail(&words, 1), false, &Loc::top())? {
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

    pub(super) fn rsync(&mut self, args: &[String], loc: &Loc) -> Res {
        let mut ssh_port = None;
        let mut daemon_port = None;
        let mut operands = Vec::new();
        for t in &RSYNC.parse(args, false, loc)? {
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

pub(super) const RSYNC: Spec = Spec {
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
    abbrev: Abbrev::Exact,
};

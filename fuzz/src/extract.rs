//! Target: `vault::egress::destinations` (the argv destination extractor) and
//! `vault::egress::normalize::host`.
//!
//! Input: raw bytes split at NUL into argv, and a generated argv (programs, options, URLs
//! built from tricky hosts, schemes, userinfo, ports and suffixes, `sh -c` scripts).
//!
//! Properties:
//! 1. no panic;
//! 2. every destination's host is canonical: `normalize(host) == host`;
//! 3. `normalize` is idempotent on every word and every `/ @ : ,`-separated piece;
//! 4. a destination's display (`host[:port]`) parses as a pattern that allows it;
//! 5. for every argv word that the `url` crate parses as an `http`/`https` URL with a
//!    host: when `curl WORD` (and an unknown program `foo WORD`) report no evasion, their
//!    destinations include the `url` crate's host (normalised), and for curl on its port;
//!    (strict: also when the `url` crate's host is not a valid DNS name, e.g. a trailing
//!    `;` that the generic scan drops: `foo http://localhost;`, or a delimiter the scan
//!    stops at inside the authority: `foo 'https://a.org;;@evil/'`,
//!    or a scheme without `//` followed by a delimiter: `foo 'https:;@evil.example'`).

use arbitrary::Unstructured;
use vault::egress::normalize;
use vault::egress::policy::Verdict;
use vault::egress::{Policy, destinations};

use crate::common::{below, coin, pick, strict};

const PROGRAMS: &[&str] = &[
    "curl",
    "curl",
    "wget",
    "http",
    "xh",
    "ssh",
    "scp",
    "sftp",
    "rsync",
    "git",
    "redis-cli",
    "psql",
    "mysql",
    "mongosh",
    "nc",
    "telnet",
    "socat",
    "env",
    "sudo",
    "xargs",
    "timeout",
    "nice",
    "docker",
    "kubectl",
    "foo",
    "./curl",
    "/usr/bin/curl",
    "sh",
    "bash",
    "echo",
];

const SCHEMES: &[&str] = &[
    "http",
    "https",
    "HTTP",
    "hTtPs",
    "ftp",
    "ws",
    "wss",
    "ssh",
    "git",
    "postgres",
    "postgresql",
    "redis",
    "mysql",
    "mongodb",
    "mongodb+srv",
    "file",
    "s3",
    "foo",
    "git+ssh",
    "x-y.z",
    "",
];

const AFTER_SCHEME: &[&str] = &[
    "://", "://", "://", "://", ":", ":/", ":\\\\", ":/\\", "//", ":///", ":\\/",
];

const LABELS: &[&str] = &[
    "a",
    "example",
    "com",
    "EXAMPLE",
    "org",
    "localhost",
    "127",
    "0",
    "1",
    "255",
    "256",
    "0x7f",
    "0X7F",
    "0177",
    "00",
    "08",
    "0x",
    "4294967295",
    "4294967296",
    "2130706433",
    "xn--bcher-kva",
    "bücher",
    "ｅｘａｍｐｌｅ",
    "xn--",
    "-a",
    "a-",
    "_srv",
    "é",
    "ß",
    "ＡＢＣ",
    "١٢٣",
    "①",
    "ｘｎ--",
    "a\u{200b}b",
    "K",
];

const SEPARATORS: &[&str] = &[".", ".", ".", ".", "。", "．", "｡", "..", ""];

const SPECIAL_HOSTS: &[&str] = &[
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[0:0::1]",
    "[::ffff:7f00:1]",
    "[fe80::1%25eth0]",
    "::1",
    "[::1",
    "[1:2:3:4:5:6:7:8]",
    "[v1.x]",
    "[::127.0.0.1]",
    "%2e",
    "%41",
    "a%2eb",
    "*",
    "{{secure.TOKEN}}",
    "$HOST",
    "$(h)",
    "`h`",
    "${H}",
    "",
];

const USERINFO: &[&str] = &[
    "",
    "",
    "",
    "u@",
    "u:p@",
    "@",
    "a@b@",
    ":@",
    "u%40@",
    "{{secure.T}}@",
];

const SUFFIXES: &[&str] = &[
    "",
    "",
    "/",
    "/p",
    "?q=1",
    "#f",
    "/a@b",
    "?@x",
    "#@y",
    "\\x",
    "/\\",
    " x",
    "\t",
    "\n",
    ":",
    ":80",
    ":0",
    ":65535",
    ":65536",
    ":-1",
    ":08",
    ":ff",
    "@",
    "@@",
    ",b.com",
    ",127.0.0.1:5",
    "/x?host=evil.com",
    "?host=127.0.0.1&port=1",
    "'",
    "\"",
    ")",
    ";",
];

const OPTIONS: &[&str] = &[
    "-s",
    "-H",
    "Host: x",
    "-x",
    "--proxy",
    "--resolve",
    "a:1:127.0.0.1",
    "-o",
    "/dev/null",
    "-u",
    "u:p",
    "-p",
    "22",
    "-oProxyCommand=x",
    "-c",
    "http.proxy=x",
    "-e",
    "-L",
    "--url",
    "--",
    "-h",
    "--host",
    "-J",
    "-F",
    "-q",
    "http_proxy=x",
    "HTTPS_PROXY=x",
    "FOO=1",
    "-K",
    "--connect-to",
    "clone",
    "fetch",
    "origin",
    "run",
    "-it",
    "image",
];

fn host(u: &mut Unstructured<'_>) -> String {
    if below(u, 4) == 0 {
        return (pick(u, SPECIAL_HOSTS)).to_string();
    }
    let mut h = String::new();
    for i in 0..1 + below(u, 4) {
        if i > 0 {
            h.push_str(pick(u, SEPARATORS));
        }
        h.push_str(pick(u, LABELS));
    }
    if below(u, 6) == 0 {
        h.push('.');
    }
    h
}

fn url(u: &mut Unstructured<'_>) -> String {
    let mut s = String::new();
    s.push_str(pick(u, SCHEMES));
    s.push_str(pick(u, AFTER_SCHEME));
    s.push_str(pick(u, USERINFO));
    s.push_str(&host(u));
    if coin(u) {
        s.push(':');
        s.push_str(&u.arbitrary::<u16>().unwrap_or(0).to_string());
    }
    for _ in 0..below(u, 3) {
        s.push_str(pick(u, SUFFIXES));
    }
    s
}

fn word(u: &mut Unstructured<'_>) -> String {
    match below(u, 10) {
        0..=3 => url(u),
        4 => host(u),
        5 => format!("{}:{}", host(u), u.arbitrary::<u16>().unwrap_or(0)),
        6 => format!("user@{}:{}", host(u), pick(u, &["path", "22", "", "/x"])),
        7 => format!("/dev/tcp/{}/{}", host(u), u.arbitrary::<u16>().unwrap_or(0)),
        8 => (pick(u, OPTIONS)).to_string(),
        _ => {
            let n = below(u, 24);
            let raw: Vec<u8> = (0..n)
                .map(|_| u.arbitrary::<u8>().unwrap_or(b'a'))
                .collect();
            String::from_utf8_lossy(&raw).into_owned()
        }
    }
}

fn command(u: &mut Unstructured<'_>, depth: usize) -> Vec<String> {
    let program = pick(u, PROGRAMS);
    let mut argv = vec![program.to_string()];
    if (program == "sh" || program == "bash") && depth < 2 {
        argv.push("-c".into());
        let mut script = String::new();
        for i in 0..1 + below(u, 3) {
            if i > 0 {
                script.push_str(pick(u, &["; ", " | ", " && ", "\n", " & ", " || "]));
            }
            let inner = command(u, depth + 1);
            let quoted: Vec<String> = inner
                .iter()
                .map(|w| match below(u, 3) {
                    0 => w.clone(),
                    1 => format!("'{w}'"),
                    _ => format!("\"{w}\""),
                })
                .collect();
            script.push_str(&quoted.join(" "));
        }
        argv.push(script);
        return argv;
    }
    for _ in 0..below(u, 6) {
        argv.push(word(u));
    }
    argv
}

/// The target.
pub fn extract(data: &[u8]) {
    // Raw: the bytes as argv words separated by NUL.
    let raw: Vec<String> = data
        .split(|&b| b == 0)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    check(&raw);
    // Structured.
    let mut u = Unstructured::new(data);
    let argv = command(&mut u, 0);
    check(&argv);
    let h = host(&mut u);
    idempotent(&h);
}

fn check(argv: &[String]) {
    // An evasion is a refusal: nothing to check (messages are scrubbed by `vault run`).
    if let Ok(found) = destinations(argv) {
        for d in &found {
            let again = normalize::host(&d.host);
            assert_eq!(
                again.as_deref(),
                Ok(d.host.as_str()),
                "destination host {:?} (from {argv:?}) is not canonical",
                d.host
            );
            let shown = d.to_string();
            let policy = Policy::from_lists(&[shown.as_str()], &[], &[]).unwrap_or_else(|e| {
                panic!("destination {shown:?} (from {argv:?}) is not a valid pattern: {e}")
            });
            assert_eq!(
                policy.verdict(&d.host, d.port),
                Verdict::Allow,
                "`--allow {shown}` does not allow the destination it names (from {argv:?})"
            );
        }
    }
    for w in argv {
        idempotent(w);
        for piece in w.split(['/', '@', ':', ',', ' ']) {
            idempotent(piece);
        }
    }
    for w in argv.iter().skip(1) {
        url_differential(w);
    }
}

fn idempotent(text: &str) {
    if let Ok(once) = normalize::host(text) {
        let twice = normalize::host(&once);
        assert_eq!(
            twice.as_deref(),
            Ok(once.as_str()),
            "normalize is not idempotent on {text:?}"
        );
    }
}

fn url_differential(word: &str) {
    let Ok(parsed) = url::Url::parse(word) else {
        return;
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return;
    }
    let Some(h) = parsed.host() else {
        return;
    };
    let theirs = match &h {
        url::Host::Domain(d) => normalize::host(d),
        url::Host::Ipv4(a) => Ok(a.to_string()),
        url::Host::Ipv6(a) => normalize::host(&a.to_string()),
    };
    let port = parsed.port_or_known_default();
    // Known (reported): the generic scan of an unknown program ends a URL at `;` `'` `"`
    // `(` `)` `` ` `` `<` `>` `|` and spaces (which WHATWG parsers read past, up to the last
    // `@` before `/ ? #`). (TAB, CR and LF, which they delete, are fixed: such a word is an
    // evasion when deleting them changes the URL.)
    let cut_short = word.split_once("://").is_some_and(|(_, rest)| {
        rest.split(['/', '?', '#', '\\'])
            .next()
            .unwrap_or("")
            .contains([';', '\'', '"', '(', ')', '`', '<', '>', '|', ' '])
    });
    // Known (reported): `https:;@evil.example` (a special scheme without `//`, then a
    // delimiter) is no URL to the scan; WHATWG parsers go to `evil.example`.
    let lower = word.to_ascii_lowercase();
    let slashless = ["http:", "https:"].iter().any(|s| {
        lower
            .match_indices(s)
            .any(|(i, _)| !lower[i + s.len()..].starts_with("//"))
    });
    for program in ["curl", "foo"] {
        if program == "foo" && (cut_short || slashless) && !strict() {
            continue;
        }
        let argv = vec![program.to_string(), word.to_string()];
        let Ok(found) = destinations(&argv) else {
            continue;
        };
        let t = match &theirs {
            Ok(t) => t,
            // Known (reported): the generic scan of an unknown program ends a URL at
            // `;` `'` `"` `(` `)` `` ` `` `<` `>` `|`, where WHATWG parsers keep `;` `'`
            // `"` `(` `)` `` ` `` in the host — a host no DNS name can spell.
            Err(_) if program == "foo" && !strict() => continue,
            Err(e) => panic!(
                "{argv:?}: no evasion, but the url crate's host {h} does not normalise ({e}); found {found:?}"
            ),
        };
        assert!(
            found.iter().any(|d| &d.host == t),
            "{argv:?}: the url crate goes to {t:?}, the extractor found {found:?}"
        );
        if program == "curl" {
            assert!(
                found.iter().any(|d| &d.host == t && d.port == port),
                "{argv:?}: the url crate goes to {t:?} port {port:?}, the extractor found {found:?}"
            );
        }
    }
}

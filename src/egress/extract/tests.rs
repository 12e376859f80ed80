//! The extractor's tests: the case table in `cases.txt` and properties.

use super::http::{CURL, CURL_FLAGS, curl_evasive};
use super::registry::PROGRAMS;
use super::wrappers::split_string;
use super::{Destination, Evasion, destinations, normalize};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Expect {
    /// No destination at all.
    N,
    /// Exactly these destinations (`host:port`, or `host` when the
    /// port is unknown), in any order.
    D(Vec<String>),
    /// Refused as an evasion.
    E,
}
use Expect::{D, E, N};

/// The case table, one case a line (see the file's header).
const CASES: &str = include_str!("cases.txt");

fn cases() -> Vec<(Vec<String>, Expect)> {
    CASES
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            let (expect, argv) = l
                .split_once(' ')
                .unwrap_or_else(|| panic!("cases.txt:{}: no argv", n + 1));
            let argv: Vec<String> =
                serde_json::from_str(argv).unwrap_or_else(|e| panic!("cases.txt:{}: {e}", n + 1));
            let expect = match expect {
                "N" => N,
                "E" => E,
                d => D(d
                    .strip_prefix("D:")
                    .unwrap_or_else(|| panic!("cases.txt:{}: bad expectation {d}", n + 1))
                    .split(',')
                    .filter(|h| !h.is_empty())
                    .map(str::to_string)
                    .collect()),
            };
            (argv, expect)
        })
        .collect()
}

fn run(argv: &[&str]) -> Result<Vec<Destination>, Evasion> {
    let owned: Vec<String> = argv.iter().map(|s| (*s).to_string()).collect();
    destinations(&owned)
}

#[test]
fn table() {
    let cases = cases();
    let mut failures = Vec::new();
    for (argv, expect) in &cases {
        let got = destinations(argv);
        let ok = match (expect, &got) {
            (N, Ok(d)) => d.is_empty(),
            (D(want), Ok(d)) => {
                let mut want = want.clone();
                let mut have: Vec<String> = d.iter().map(ToString::to_string).collect();
                want.sort();
                have.sort();
                want == have
            }
            (E, Err(_)) => true,
            _ => false,
        };
        if !ok {
            let shown = match &got {
                Ok(d) => format!(
                    "{:?}",
                    d.iter().map(ToString::to_string).collect::<Vec<_>>()
                ),
                Err(e) => format!("Evasion({e})"),
            };
            failures.push(format!("{argv:?}: expected {expect:?}, got {shown}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn table_is_large() {
    let n = cases().len();
    assert!(n >= 600, "{n} cases");
}

#[test]
fn sources_and_reasons() {
    let d = run(&["curl", "-s", "https://a.com"]).expect("ok");
    assert_eq!(
        d.first().map(|d| d.source.as_str()),
        Some("curl URL argument 2")
    );
    let d = run(&["sh", "-c", "curl a.com"]).expect("ok");
    assert_eq!(
        d.first().map(|d| d.source.as_str()),
        Some("`sh -c` script argument 2: curl URL argument 1")
    );
    let e = run(&["curl", "-x", "p:1", "https://a.com"]).expect_err("proxy");
    assert!(e.reason.contains("proxy"), "{e}");
    assert_eq!(e.location, "curl option argument 1");
    let e = run(&["git", "push", "origin", "main"]).expect_err("remote name");
    assert!(
        e.reason.contains("origin") && e.reason.contains("URL"),
        "{e}"
    );
    let e = run(&["curl", "https://{{secure.H}}/"]).expect_err("secret host");
    assert!(e.reason.contains("secret"), "{e}");
    let e = run(&["HTTPS_PROXY=x", "curl", "https://a.com"]).expect_err("proxy var");
    assert!(e.reason.contains("HTTPS_PROXY"), "{e}");
    // One line each.
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn dedup_keeps_first_source() {
    let d = run(&["curl", "https://a.com", "https://a.com/x"]).expect("ok");
    assert_eq!(d.len(), 1);
    assert_eq!(
        d.first().map(|d| d.source.as_str()),
        Some("curl URL argument 1")
    );
}

#[test]
fn nesting_is_bounded() {
    let script = format!("{}curl a.com", "eval ".repeat(40));
    assert!(run(&["sh", "-c", &script]).is_err());
    let mut argv: Vec<&str> = Vec::new();
    for _ in 0..40 {
        argv.extend(["sudo", "env", "nice"]);
    }
    argv.extend(["curl", "a.com"]);
    assert!(run(&argv).is_err());
    // Deep parentheses do not overflow anything.
    let deep = format!("{}curl a.com{}", "(".repeat(5000), ")".repeat(5000));
    assert!(run(&["sh", "-c", &deep]).is_ok());
    let deep_sub = format!("{}curl a.com{}", "$(".repeat(200), ")".repeat(200));
    assert!(run(&["sh", "-c", &deep_sub]).is_err());
}

#[test]
fn huge_inputs_are_cheap() {
    let big = "a".repeat(1_000_000);
    assert!(run(&["curl", &big]).is_err());
    let many: Vec<String> = (0..20_000).map(|i| format!("w{i}")).collect();
    let mut argv = vec!["myprog".to_string()];
    argv.extend(many);
    assert!(destinations(&argv).is_ok());
    let script = "curl a.com;".repeat(10_000);
    assert!(run(&["sh", "-c", &script]).is_err());
    let script = "echo x;".repeat(1_000);
    assert!(run(&["sh", "-c", &script]).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics(argv in proptest::collection::vec("\\PC{0,24}", 0..6)) {
        let _ = destinations(&argv);
    }

    #[test]
    fn never_panics_on_known_programs(
        prog in prop_oneof![
            Just("curl"), Just("wget"), Just("ssh"), Just("scp"), Just("rsync"),
            Just("git"), Just("sh"), Just("http"), Just("psql"), Just("mysql"),
            Just("mongosh"), Just("nc"), Just("socat"), Just("env"), Just("xargs"),
            Just("redis-cli"), Just("telnet"), Just("sftp"),
        ],
        args in proptest::collection::vec("[-a-zA-Z0-9:/@.\\[\\]%$'\"`(){};|&<>=\\\\ #?]{0,20}", 0..6),
    ) {
        let mut argv = vec![prog.to_string()];
        argv.extend(args);
        let _ = destinations(&argv);
    }

    #[test]
    fn shell_scripts_never_panic(script in "[a-z :/.@$'\"`(){};|&<>=\\\\#\n-]{0,60}") {
        let _ = destinations(&["sh".to_string(), "-c".to_string(), script]);
    }

    #[test]
    fn hosts_are_normalised(argv in proptest::collection::vec("[a-zA-Z0-9:/@.\\-]{0,20}", 1..4)) {
        let mut full = vec!["curl".to_string()];
        full.extend(argv);
        if let Ok(dests) = destinations(&full) {
            for d in dests {
                prop_assert_eq!(normalize::host(&d.host), Ok(d.host.clone()));
            }
        }
    }
}

/// The registry: every entry names a room and has cases in `cases.txt`.
#[test]
fn every_program_has_cases() {
    let cases = cases();
    let mut families = Vec::new();
    for p in PROGRAMS {
        if !families.contains(&p.family) {
            families.push(p.family);
        }
        let covered = p.names.iter().any(|name| {
            let in_script = format!("{name} ");
            cases.iter().any(|(argv, _)| {
                argv.iter().any(|w| {
                    w == name || w.starts_with(&in_script) || w.contains(&format!(" {in_script}"))
                })
            })
        });
        assert!(covered, "no case in cases.txt runs any of {:?}", p.names);
    }
    assert_eq!(families.len(), 6, "{families:?}");
}

/// Every evasive curl option refuses, spelled out and as the shortest prefix curl
/// would take for it (in any case).
#[test]
fn every_evasive_curl_option_refuses_and_so_do_its_abbreviations() {
    let all: Vec<&str> = CURL_FLAGS.iter().chain(CURL.long_val).copied().collect();
    for name in all.iter().filter(|n| curl_evasive(n).is_some()) {
        let full = run(&["curl", &format!("--{name}"), "x", "https://a.com"]);
        assert!(full.is_err(), "--{name}: {full:?}");
        let shortest = (1..=name.len()).find_map(|k| {
            let p = &name[..k];
            (all.iter().filter(|o| o.starts_with(p)).count() == 1).then_some(p)
        });
        if let Some(p) = shortest.filter(|p| p.len() < name.len()) {
            let upper = p.to_ascii_uppercase();
            for spelled in [p.to_string(), upper] {
                let got = run(&["curl", &format!("--{spelled}"), "x", "https://a.com"]);
                assert!(got.is_err(), "--{spelled} (= --{name}): {got:?}");
            }
        }
    }
}

/// GNU env's `-S` escapes, as coreutils documents them.
#[test]
fn env_split_string_follows_gnu() {
    let split = |s: &str| split_string(s).map_err(|e| e.to_string());
    let words = |v: &[&str]| Ok(v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>());
    assert_eq!(
        split("curl\\_-sS\\_https://e/"),
        words(&["curl", "-sS", "https://e/"])
    );
    assert_eq!(split("a\\tb c"), words(&["a\tb", "c"]));
    assert_eq!(split("\"a\\_b\" c"), words(&["a b", "c"]));
    assert_eq!(split("'a\\_b' c"), words(&["a\\_b", "c"]));
    assert_eq!(split("a \\c b c"), words(&["a"]));
    assert_eq!(split("a #b c"), words(&["a"]));
    assert_eq!(split("a b#c"), words(&["a", "b#c"]));
    assert_eq!(split("x ${HOME}/y"), words(&["x", "${HOME}/y"]));
    assert_eq!(split("'' x"), words(&["", "x"]));
    for bad in ["a\\q", "'a", "\"a", "$HOME", "${}", "a\\", "\"\\c\""] {
        assert!(split(bad).is_err(), "{bad}");
    }
}

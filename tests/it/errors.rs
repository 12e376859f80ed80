//! Errors that teach (issue #14): mistyped flags are named with clap's suggestion, values
//! never echoed; a closed stdout ends vault quietly; `policy set` with no rule refuses; near
//! miss placeholders refuse; `keygen -o` checks first; `get`/`show`/`delete` say in one line
//! why there is no such command; `--store DIR` hints its own `init`; `import --skip-short`
//! and per-import policy; `status` with no store still diagnoses; `list` keeps its columns
//! with long policies; `rm A B` is all or nothing.

use std::fs;
use std::process::Stdio;

use crate::support::{Vault, assert_error, assert_no_leak, chmod, contains};

const USAGE: i32 = 2;
const DATA_ERR: i32 = 65;
const NO_INPUT: i32 = 66;
const CANT_CREATE: i32 = 73;

const VALUE: &str = "s3cr3t-value-123";

fn ready() -> Vault {
    let v = Vault::new();
    v.init();
    v.set("API_KEY", VALUE);
    v
}

/// Asserts stderr is exactly `lines` (each one `vault: …` line).
#[track_caller]
fn exactly(stderr: &str, lines: &[&str]) {
    let want: String = lines.iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(stderr, want);
}

#[test]
fn a_mistyped_vault_flag_before_the_command_is_a_usage_error() {
    let v = ready();
    let e = v.refuses(
        v.cmd().args(["run", "--onyl", "API_KEY", "--", "env"]),
        USAGE,
    );
    exactly(
        &e,
        &[
            "vault: error: unknown option --onyl for `vault run`",
            "vault: hint: did you mean `--only`? (`vault run --help` lists the options)",
        ],
    );
    let e = v.refuses(v.cmd().args(["run", "-x", "--", "true"]), USAGE);
    exactly(
        &e,
        &[
            "vault: error: unknown option -x for `vault run`",
            "vault: hint: `vault run --help` lists the options; a command that starts with `-` goes after `--`",
        ],
    );
    // A command whose name starts with `-` runs after `--`; the command's own flags pass.
    let bin = v.path("bin");
    fs::create_dir(&bin).unwrap();
    fs::write(bin.join("-weird-cmd"), "#!/bin/sh\necho weird \"$@\"\n").unwrap();
    chmod(&bin.join("-weird-cmd"), 0o755);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = v.ok(v
        .cmd()
        .env("PATH", &path)
        .args(["run", "--", "-weird-cmd", "-x", "--y"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "weird -x --y\n");
    let out = v.ok(v
        .cmd()
        .args(["run", "--no-pty", "echo", "--flag", "-x", "--", "z"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "--flag -x -- z\n");
}

#[test]
fn set_and_import_name_a_mistyped_flag_but_never_a_value() {
    let v = ready();
    let e = v.refuses(v.cmd().args(["set", "X", "--allwo", "host"]), USAGE);
    exactly(
        &e,
        &[
            "vault: error: unknown option --allwo for `vault set`",
            "vault: hint: did you mean `--allow`? (`vault set --help` lists the options)",
        ],
    );
    fs::write(v.path(".env"), format!("TOKEN={VALUE}\n")).unwrap();
    let e = v.refuses(
        v.cmd().arg("import").arg(v.path(".env")).arg("--replcae"),
        USAGE,
    );
    exactly(
        &e,
        &[
            "vault: error: unknown option --replcae for `vault import`",
            "vault: hint: did you mean `--replace`? (`vault import --help` lists the options)",
        ],
    );
    // `--flag=value`: only the flag is named.
    let e = v.refuses(v.cmd().args(["set", "X", "--descriptoin=hush-hush"]), USAGE);
    assert!(
        e.contains("--descriptoin for") && !e.contains("hush"),
        "{e}"
    );
    // Values, and words that are not shaped like a flag, are never quoted.
    for args in [
        &["set", "X", "Abc123-the-value"][..],
        &["set", "X", "-Abc123secret"],
        &["set", "X", "--Abc123secret"],
        &["set", "X", "Abc123-the-value", "--allow", "h"],
    ] {
        let out = v.run(v.cmd().args(args));
        let e = assert_error(&out, USAGE);
        assert!(!e.contains("Abc123"), "{args:?}: {e}");
    }
}

#[test]
fn a_closed_stdout_ends_vault_quietly() {
    let v = ready();
    for _ in 0..3 {
        v.ok(v.cmd().args(["run", "--", "true"]));
    }
    for args in [
        &["list", "--json"][..],
        &["list"],
        &["audit"],
        &["audit", "--json"],
        &["audit", "verify"],
        &["status"],
        &["recipients", "list"],
        &["policy", "show"],
    ] {
        let (reader, writer) = rustix::pipe::pipe().expect("pipe");
        drop(reader);
        // std's `output` keeps a stdout that was set (assert_cmd's would replace it).
        let out = v
            .std_cmd()
            .args(args)
            .stdout(Stdio::from(writer))
            .output()
            .expect("run vault");
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned()
            ),
            (Some(0), String::new()),
            "{args:?}"
        );
    }
}

#[test]
fn policy_set_without_a_rule_refuses_and_clear_is_explicit() {
    let v = ready();
    v.ok(v.cmd().args(["policy", "set", "API_KEY", "--deny", "*"]));
    let e = v.refuses(v.cmd().args(["policy", "set", "API_KEY"]), USAGE);
    exactly(
        &e,
        &[
            "vault: error: `vault policy set API_KEY` needs a rule (--allow, --confirm or --deny), or --clear to remove every rule",
            "vault: hint: `vault policy show API_KEY` shows the current rules",
        ],
    );
    let out = v.run(v.cmd().args([
        "policy",
        "set",
        "API_KEY",
        "--clear",
        "--allow",
        "h.example",
    ]));
    assert_eq!(out.status.code(), Some(USAGE));
    // Clearing narrows (no host at all), so no confirmation is needed.
    v.ok(v.cmd().args(["policy", "set", "API_KEY", "--clear"]));
    assert_eq!(
        v.decrypt_store()["secrets"]["API_KEY"]["policy"],
        serde_json::json!({})
    );
}

#[test]
fn near_miss_placeholders_are_refused_with_the_accepted_form() {
    let v = ready();
    for (arg, start) in [
        ("{{ secure.API_KEY }}", "{{ secure."),
        ("{{secret.API_KEY}}", "{{secret."),
        ("Bearer {secure.API_KEY}", "{secure."),
        ("{{SECURE.API_KEY}}", "{{SECURE."),
    ] {
        let e = v.refuses(v.cmd().args(["run", "--", "echo", arg]), DATA_ERR);
        exactly(
            &e,
            &[
                &format!(
                    "vault: error: malformed placeholder in argument 1: `{start}` is not how a placeholder starts"
                ),
                "vault: hint: a placeholder is exactly {{secure.NAME}}: two braces, no spaces, `secure.`, the name, two braces",
            ],
        );
    }
    let e = v.refuses(
        v.cmd().args(["run", "--", "echo", "{{secure.API_KEY}"]),
        DATA_ERR,
    );
    assert!(e.contains("no closing `}}`"), "{e}");
    let out = v.ok(v.cmd().args(["run", "--", "echo", "[{{secure.API_KEY}}]"]));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "[[REDACTED:API_KEY]]\n"
    );
    assert_no_leak(&v.transcript(), VALUE.as_bytes());
}

#[test]
fn keygen_refuses_an_existing_output_before_generating() {
    let v = Vault::new();
    let file = v.path("ci-identity.txt");
    fs::write(&file, "keep me\n").unwrap();
    let out = v.run(v.cmd().args(["keygen", "-o"]).arg(&file));
    let e = assert_error(&out, CANT_CREATE);
    assert!(!e.contains("age1") && !e.contains("Public key"), "{e}");
    assert!(e.contains("no identity was generated"), "{e}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me\n");
    let new = v.path("new-identity.txt");
    let out = v.ok(v.cmd().args(["keygen", "-o"]).arg(&new));
    assert!(out.stdout.is_empty());
    assert_eq!(crate::support::mode(&new), 0o600);
    // The README shows -o (a file only the user can read), not `> file`.
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        !readme.contains("vault keygen >"),
        "README still redirects keygen"
    );
}

#[test]
fn commands_that_would_print_a_value_say_why_there_are_none() {
    let v = ready();
    for word in ["get", "show", "reveal", "export", "cat"] {
        let e = v.refuses(v.cmd().args([word, "API_KEY"]), USAGE);
        exactly(
            &e,
            &[
                &format!(
                    "vault: error: there is no `vault {word}`: no vault command prints a value"
                ),
                "vault: hint: `vault run -- CMD` gives a command the values (`{{secure.NAME}}` in an argument); `vault list` shows names",
            ],
        );
    }
    let e = v.refuses(v.cmd().args(["delete", "API_KEY"]), USAGE);
    exactly(
        &e,
        &[
            "vault: error: there is no `vault delete`: `vault rm NAME` removes a secret",
            "vault: hint: no vault command prints a value; `vault list` shows names",
        ],
    );
    // Arguments of `run` are the command's own.
    let out = v.ok(v.cmd().args(["run", "--", "echo", "get"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "get\n");
}

#[test]
fn a_missing_store_named_by_flag_hints_its_own_init() {
    let v = Vault::new();
    let dir = v.path("other store");
    let e = v.refuses(v.cmd().arg("--store").arg(&dir).arg("list"), NO_INPUT);
    assert!(
        e.contains(&format!("run `vault --store '{}' init`", dir.display())),
        "{e}"
    );
    let e = v.refuses(v.cmd().arg("list"), NO_INPUT);
    assert!(e.contains("run `vault init`"), "{e}");
}

#[test]
fn import_skips_settings_on_request_and_applies_policy_to_every_secret() {
    let v = ready();
    let env = v.path(".env");
    fs::write(
        &env,
        "PORT=8080\nEMPTY=\nDEBUG=1\nGH_TOKEN=ghp_0123456789abcdef\nNPM_TOKEN=npm_abcdef0123456789\n",
    )
    .unwrap();
    let e = v.refuses(v.cmd().arg("import").arg(&env), DATA_ERR);
    assert!(
        e.contains("nothing imported") && e.contains("--skip-short"),
        "{e}"
    );
    let out = v.ok(v
        .cmd()
        .arg("import")
        .arg(&env)
        .args(["--skip-short", "--allow", "api.github.com", "--deny", "*"])
        .args(["--description", "from .env"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("imported 2 secret(s)"), "{stderr}");
    assert!(
        stderr.contains("skipped 3 empty or short value(s), not imported: PORT, EMPTY, DEBUG"),
        "{stderr}"
    );
    assert_eq!(v.stored_names(), ["API_KEY", "GH_TOKEN", "NPM_TOKEN"]);
    let store = v.decrypt_store();
    for name in ["GH_TOKEN", "NPM_TOKEN"] {
        let e = &store["secrets"][name];
        assert_eq!(e["description"], "from .env");
        assert_eq!(e["policy"]["allow"], serde_json::json!(["api.github.com"]));
        assert_eq!(e["policy"]["deny"], serde_json::json!(["*"]));
    }
    // Only settings: nothing to import.
    fs::write(&env, "PORT=8080\nDEBUG=1\n").unwrap();
    let e = v.refuses(
        v.cmd().arg("import").arg(&env).arg("--skip-short"),
        DATA_ERR,
    );
    assert!(e.contains("skipped: PORT, DEBUG"), "{e}");
    // A bad rule refuses before anything is read.
    let e = v.refuses(
        v.cmd()
            .arg("import")
            .arg(&env)
            .args(["--allow", "http://x"]),
        DATA_ERR,
    );
    assert!(e.contains("http://x") || e.contains("pattern"), "{e}");
}

#[test]
fn set_replace_help_and_behaviour_agree() {
    let v = ready();
    let help = v.ok(v.cmd().args(["set", "--help"]));
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(!help.contains("unless new rules"), "{help}");
    assert!(help.contains("refused with --replace"), "{help}");
    let e = v.refuses(
        v.cmd()
            .args(["set", "API_KEY", "--replace", "--allow", "h.example"])
            .write_stdin("another-value-456\n"),
        USAGE,
    );
    assert!(e.contains("keeps the secret's policy"), "{e}");
}

#[test]
fn status_without_a_store_still_diagnoses() {
    let v = Vault::new();
    let out = v.run(v.cmd().arg("status"));
    assert_eq!(out.status.code(), Some(NO_INPUT));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("(does not exist)") && stdout.contains("found by:   VAULT_HOME"),
        "{stdout}"
    );
    assert!(stdout.contains("config:     none (defaults)"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "VAULT_IDENTITY       present   public key {}",
            v.fixture.recipient
        )),
        "{stdout}"
    );
    assert!(stdout.contains("identity.age         absent"), "{stdout}");
    assert!(
        stdout.contains("would unlock with: VAULT_IDENTITY"),
        "{stdout}"
    );
    assert!(!contains(&out.stdout, v.fixture.identity.as_bytes()));
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(stderr.starts_with("vault: error: no store at "), "{stderr}");
    // Broken config and a bad identity file are named; JSON says the same.
    v.write_config("keyring = maybe\n");
    let out = v.run(
        v.cmd_no_identity()
            .env("VAULT_IDENTITY_FILE", v.path("nope.txt"))
            .args(["status", "--json"]),
    );
    assert_eq!(out.status.code(), Some(NO_INPUT));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        s["config"].as_str().unwrap().starts_with("does not parse"),
        "{s}"
    );
    assert_eq!(s["routes"][0]["state"], "absent");
    assert_eq!(s["routes"][1]["state"], "fails");
    assert!(
        s["routes"][1]["detail"]
            .as_str()
            .unwrap()
            .contains("nope.txt"),
        "{s}"
    );
    assert_eq!(s["would_use"], serde_json::Value::Null);
}

#[test]
fn list_keeps_its_columns_with_a_long_policy() {
    let v = Vault::new();
    v.init();
    let set = |name: &str, rules: &[&str]| {
        v.ok(v
            .cmd()
            .args(["set", name, "--description", "DESC"])
            .args(rules)
            .write_stdin("a-long-enough-value\n"));
    };
    set(
        "API_KEY",
        &[
            "--allow",
            "api.github.com",
            "--allow",
            "uploads.github.com",
            "--allow",
            "*.githubusercontent.com",
            "--deny",
            "*",
        ],
    );
    set("B", &["--deny", "*"]);
    let out = v.ok(v.cmd().arg("list"));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let header = lines[0].find("DESCRIPTION").unwrap();
    let columns: Vec<usize> = lines.iter().filter_map(|l| l.find("DESC")).collect();
    assert_eq!(columns.len(), 3, "{text}");
    assert!(columns.iter().all(|&c| c == header), "{text}");
    assert!(
        lines.iter().all(|l| l.chars().count() <= header + 12),
        "{text}"
    );
    // The whole policy is still there, wrapped onto continuation lines.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("*.githubusercontent.com; deny *"), "{text}");
}

#[test]
fn rm_removes_several_all_or_nothing() {
    let v = ready();
    v.set("B", "bbbbbbbbbbbb");
    v.set("C", "cccccccccccc");
    let e = v.refuses(v.cmd().args(["rm", "API_KEY", "NOPE"]), DATA_ERR);
    assert!(e.contains("no secret named NOPE; nothing removed"), "{e}");
    let e = v.refuses(v.cmd().args(["rm", "API_KEY", "bad-name"]), DATA_ERR);
    assert!(!e.is_empty());
    let out = v.ok(v.cmd().args(["rm", "API_KEY", "B", "API_KEY"]));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "vault: removed API_KEY, B\n"
    );
    assert_eq!(v.stored_names(), ["C"]);
    let audit = v.ok(v.cmd().args(["audit", "--json"]));
    let last: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&audit.stdout)
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["action"], "rm");
    assert_eq!(last["secrets"], serde_json::json!(["API_KEY", "B"]));
    let out = v.run(v.cmd().arg("rm"));
    assert_eq!(out.status.code(), Some(USAGE));
}

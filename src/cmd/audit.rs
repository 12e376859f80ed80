//! `vault audit`: show the audit log, or verify its hash chain.

use std::io::Write;
use std::time::{Duration, SystemTime};

use crate::audit;
use crate::cli::{AuditArgs, AuditCommand};
use crate::config::Paths;
use crate::error::{Error, Result};
use crate::exit::Exit;

/// Shows entries (optionally since a time), or verifies the chain.
pub fn run(args: &AuditArgs) -> Result<Exit> {
    // A remote store's local audit log lives in the user's vault home (remote.rs).
    let paths = match crate::discover::remote()? {
        Some(target) => crate::remote::local_paths(&target.url)?.0,
        None => Paths::locate()?,
    };
    crate::store::check_home(&paths)?;
    match args.command {
        Some(AuditCommand::Verify) => verify(&paths),
        None => show(&paths, args),
    }
}

fn show(paths: &Paths, args: &AuditArgs) -> Result<Exit> {
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let (entries, problems) = audit::read_all(paths)?;
    let mut out = std::io::stdout().lock();
    for (entry, _) in &entries {
        if let Some(since) = since {
            let Ok(t) = humantime::parse_rfc3339(&entry.time) else {
                continue;
            };
            if t < since {
                continue;
            }
        }
        let written = if args.json {
            serde_json::to_string(entry)
                .map_err(std::io::Error::other)
                .and_then(|text| writeln!(out, "{}", crate::escape::json(&text)))
        } else {
            // Every field may come from a log file someone else wrote (a project store's).
            writeln!(out, "{}", crate::escape::text(&line(entry)))
        };
        written.map_err(|e| Error::io("stdout", &e))?;
    }
    if !problems.is_empty() {
        eprintln!(
            "vault: {} unreadable line(s) skipped; run `vault audit verify`",
            problems.len()
        );
    }
    Ok(Exit::Success)
}

fn line(e: &audit::Entry) -> String {
    let mut s = format!("{:>5}  {}  {:<13}", e.seq, e.time, e.action);
    if !e.secrets.is_empty() {
        s.push_str(&format!(" {}", e.secrets.join(",")));
    }
    if let Some(argv) = &e.argv {
        s.push_str(&format!("  $ {}", argv.join(" ")));
    }
    if !e.hosts.is_empty() {
        s.push_str(&format!("  hosts: {}", e.hosts.join(",")));
    }
    if let Some(d) = &e.decision {
        s.push_str(&format!("  decision: {d}"));
    }
    if let Some(x) = e.exit {
        s.push_str(&format!("  exit {x}"));
    }
    if let Some(ms) = e.duration_ms {
        s.push_str(&format!("  {ms} ms"));
    }
    if let Some(r) = &e.redactions {
        let parts: Vec<String> = r.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if !parts.is_empty() {
            s.push_str(&format!("  redacted: {}", parts.join(",")));
        }
    }
    if let Some(n) = &e.note {
        s.push_str(&format!("  ({n})"));
    }
    s
}

/// `--since`: an RFC 3339 time, or a duration back from now (`90m`, `2h`, `7d`).
fn parse_since(text: &str) -> Result<SystemTime> {
    if let Ok(t) = humantime::parse_rfc3339_weak(text) {
        return Ok(t);
    }
    let d: Duration = humantime::parse_duration(text).map_err(|_| {
        Error::new(
            Exit::Usage,
            format!(
                "--since {text:?}: expected a time (2026-11-22T10:00:00Z) or a duration (2h, 7d)"
            ),
        )
    })?;
    Ok(SystemTime::now()
        .checked_sub(d)
        .unwrap_or(SystemTime::UNIX_EPOCH))
}

fn verify(paths: &Paths) -> Result<Exit> {
    // The head recorded in the store catches deleted newest entries; without an identity
    // the chain alone is checked, and the output says so.
    // Unchecked: a rolled-back store must still be opened here, to report it.
    let mut generation = None;
    let head = match crate::cmd::open_for_audit() {
        Ok(opened) => {
            let seen = crate::trust::seen_generation(opened.contents.id.as_deref()).unwrap_or(0);
            if opened.contents.generation < seen {
                eprintln!(
                    "vault: error: the store is at generation {}, older than generation {seen} seen on this machine: rolled back",
                    opened.contents.generation
                );
                return Ok(Exit::Rollback);
            }
            generation = Some(opened.contents.generation);
            opened.contents.audit
        }
        Err(e) => {
            eprintln!(
                "vault: note: store not opened ({}); checking the chain only",
                e.message
            );
            None
        }
    };
    let shared = paths.home.file_name().is_some_and(|n| n == ".vault");
    let verified = audit::verify_at(paths, head.as_ref(), shared, generation)?;
    let problems = verified.problems;
    if problems.is_empty() {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "audit log intact: {} entries, chain verified{}",
            verified.entries,
            if verified.head_checked {
                ", reaches the store's recorded head"
            } else if head.is_some() {
                " (the store was last written from another clone's log: its newest entries cannot be checked here)"
            } else {
                ""
            }
        )
        .map_err(|e| Error::io("stdout", &e))?;
        return Ok(Exit::Success);
    }
    for p in &problems {
        eprintln!("vault: error: audit log line {}: {}", p.line, p.what);
    }
    if problems
        .iter()
        .any(|p| p.what.ends_with("the store was rolled back"))
    {
        return Ok(Exit::Rollback);
    }
    Ok(Exit::DataErr)
}

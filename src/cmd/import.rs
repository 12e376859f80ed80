//! `vault import`: secrets from a dotenv file, all or nothing; with `--skip-short`, the
//! empty and short values (settings, not secrets) are skipped and named instead.

use std::io::Read;

use zeroize::Zeroizing;

use crate::cli::ImportArgs;
use crate::dotenv;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secret::{MIN_VALUE_LEN, SecretName, SecretValue};
use crate::secrets::{Entry, now};

/// Validates every line first; stores nothing unless every assignment is acceptable.
pub fn run(args: &ImportArgs) -> Result<Exit> {
    let policy = crate::cmd::set::policy_from(&args.rules)?;
    if let Some(d) = &args.description {
        crate::cmd::set::check_description(d)?;
    }
    let mut input = Zeroizing::new(Vec::new());
    let path = args.file.display().to_string();
    if path == "-" {
        std::io::stdin().lock().read_to_end(&mut input)
    } else {
        std::fs::File::open(&args.file).and_then(|mut f| f.read_to_end(&mut input))
    }
    .map_err(|e| Error::read(format!("cannot read {path}"), &e))?;
    let assignments = dotenv::parse(&input).map_err(|errs| {
        let list: Vec<String> = errs
            .iter()
            .map(|e| format!("line {}: {}", e.line, e.reason))
            .collect();
        Error::new(
            Exit::DataErr,
            format!("{path}: nothing imported; {}", list.join("; ")),
        )
    })?;
    if assignments.is_empty() {
        return Err(Error::new(
            Exit::DataErr,
            format!("{path}: no KEY=VALUE lines; nothing imported"),
        ));
    }
    let mut items = Vec::new();
    let mut problems = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut short = false;
    for a in assignments {
        match SecretName::parse(&a.key) {
            Ok(name) => {
                let value = SecretValue::new(a.value);
                let too_short = value.len() < MIN_VALUE_LEN && !args.allow_short;
                if too_short && args.skip_short {
                    skipped.push(name.to_string());
                } else if let Err(e) = value.check(&name, args.allow_short) {
                    short |= too_short;
                    problems.push(format!("line {}: {}", a.line, e.message));
                } else if items
                    .iter()
                    .any(|(n, _, _): &(SecretName, SecretValue, usize)| *n == name)
                {
                    problems.push(format!("line {}: {name} is assigned twice", a.line));
                } else {
                    items.push((name, value, a.line));
                }
            }
            Err(e) => problems.push(format!("line {}: {}", a.line, e.message)),
        }
    }
    if !problems.is_empty() {
        let err = Error::new(
            Exit::DataErr,
            format!("{path}: nothing imported; {}", problems.join("; ")),
        );
        return Err(if short {
            err.hint("--skip-short imports the rest and names the empty and short values it skips (settings like PORT=8080); --allow-short stores them too")
        } else {
            err
        });
    }
    if items.is_empty() {
        return Err(Error::new(
            Exit::DataErr,
            format!(
                "{path}: nothing imported; every value is empty or shorter than {MIN_VALUE_LEN} bytes (skipped: {})",
                skipped.join(", ")
            ),
        ));
    }
    let mut opened = crate::cmd::open()?;
    let approved = crate::cmd::approvals::gate_write(&opened)?;
    let count = items.len();
    let mut kept_policy: Vec<String> = Vec::new();
    opened.modify(|contents| {
        if !args.replace {
            let existing: Vec<&str> = items
                .iter()
                .filter(|(n, _, _)| contents.secrets.contains_key(n.as_str()))
                .map(|(n, _, _)| n.as_str())
                .collect();
            if !existing.is_empty() {
                return Err(Error::new(
                    Exit::CantCreate,
                    format!("nothing imported: already stored: {}", existing.join(", ")),
                )
                .hint("use --replace to replace them"));
            }
        }
        let time = now();
        let names: Vec<String> = items.iter().map(|(n, _, _)| n.to_string()).collect();
        for (name, value, _) in items {
            match contents.secrets.get_mut(name.as_str()) {
                Some(entry) => {
                    entry.value = value;
                    entry.updated = time;
                    if args.description.is_some() {
                        entry.description.clone_from(&args.description);
                    }
                    if !policy.is_empty() {
                        kept_policy.push(name.to_string());
                    }
                }
                None => {
                    contents.secrets.insert(
                        name.as_str().to_string(),
                        Entry::new(value, time, args.description.clone(), policy.clone()),
                    );
                }
            }
        }
        Ok(((), crate::audit::Entry::new("import", names)))
    })?;
    eprintln!(
        "vault: imported {count} secret(s) from {}",
        crate::escape::text(&path)
    );
    if !skipped.is_empty() {
        eprintln!(
            "vault: skipped {} empty or short value(s), not imported: {}",
            skipped.len(),
            skipped.join(", ")
        );
    }
    if !kept_policy.is_empty() {
        eprintln!(
            "vault: replaced secrets keep their own policy (`vault policy set` changes it): {}",
            kept_policy.join(", ")
        );
    }
    crate::cmd::approvals::after_write(&opened, approved, false)?;
    eprintln!(
        "{}",
        crate::trust::wrote_line(&opened.paths, &opened.contents)
    );
    Ok(Exit::Success)
}

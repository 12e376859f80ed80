//! `vault list`: names and metadata, never values (nor their length or hash).

use std::io::Write;

use serde::Serialize;

use crate::cli::ListArgs;
use crate::egress::Policy;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secrets::rfc3339;

#[derive(Serialize)]
struct Row<'a> {
    name: &'a str,
    created: String,
    updated: String,
    description: Option<&'a str>,
    policy: &'a Policy,
}

/// Prints the table or JSON.
pub fn run(args: &ListArgs) -> Result<Exit> {
    let opened = crate::cmd::open()?;
    let rows: Vec<Row<'_>> = opened
        .contents
        .secrets
        .iter()
        .map(|(name, e)| Row {
            name,
            created: rfc3339(e.created),
            updated: rfc3339(e.updated),
            description: e.description.as_deref(),
            policy: &e.policy,
        })
        .collect();
    let mut out = std::io::stdout().lock();
    // A remote store's entries that vault does not use are named, never guessed at.
    for note in crate::remote::notes() {
        eprintln!("vault: note: {note}");
    }
    let written = if args.json {
        crate::cmd::write_json(&mut out, &rows)
    } else if rows.is_empty() {
        writeln!(out, "no secrets yet: `vault set NAME` adds one")
    } else {
        table(&mut out, &rows)
    };
    written.map_err(|e| Error::io("stdout", &e))?;
    Ok(Exit::Success)
}

fn table(out: &mut impl Write, rows: &[Row<'_>]) -> std::io::Result<()> {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    writeln!(
        out,
        "{:width$}  {:20}  {:30}  DESCRIPTION",
        "NAME", "UPDATED", "POLICY"
    )?;
    for r in rows {
        let policy = if r.policy.is_empty() {
            "(none: no host allowed)".to_string()
        } else {
            r.policy.summary()
        };
        writeln!(
            out,
            "{:width$}  {:20}  {:30}  {}",
            r.name,
            r.updated,
            policy,
            r.description.unwrap_or("")
        )?;
    }
    Ok(())
}

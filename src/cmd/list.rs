//! `vault list`: names and metadata, never values (nor their length or hash).

use std::io::Write;

use serde::Serialize;

use crate::cli::ListArgs;
use crate::egress::Policy;
use crate::error::{Error, Result};
use crate::escape;
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

/// The widest the POLICY column grows; a longer policy wraps onto continuation lines at
/// its rule boundaries, so the DESCRIPTION column stays aligned.
const POLICY_WIDTH: usize = 40;

fn table(out: &mut impl Write, rows: &[Row<'_>]) -> std::io::Result<()> {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let policies: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let policy = if r.policy.is_empty() {
                "(none: no host allowed)".to_string()
            } else {
                escape::text(&r.policy.summary()).into_owned()
            };
            wrap(&policy, POLICY_WIDTH)
        })
        .collect();
    let pwidth = policies
        .iter()
        .flatten()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    writeln!(
        out,
        "{:width$}  {:20}  {:pwidth$}  DESCRIPTION",
        "NAME", "UPDATED", "POLICY"
    )?;
    for (r, policy) in rows.iter().zip(&policies) {
        let description = escape::text(r.description.unwrap_or(""));
        let mut lines = policy.iter();
        let first = lines.next().map_or("", String::as_str);
        let line = format!(
            "{:width$}  {:20}  {first:pwidth$}  {description}",
            r.name, r.updated
        );
        writeln!(out, "{}", line.trim_end())?;
        for more in lines {
            writeln!(out, "{:width$}  {:20}  {more}", "", "")?;
        }
    }
    Ok(())
}

/// Splits `text` into lines of at most `max` characters, after `, ` and `; ` where it can,
/// anywhere when one rule alone is longer.
fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut piece = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        piece.push(c);
        let boundary = c == ' ' && i > 0 && matches!(chars[i - 1], ',' | ';');
        if boundary {
            pieces.push(std::mem::take(&mut piece));
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        if !line.is_empty() && line.chars().count() + piece.trim_end().chars().count() > max {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        line.push_str(&piece);
        while line.trim_end().chars().count() > max {
            let head: String = line.chars().take(max).collect();
            let tail: String = line.chars().skip(max).collect();
            lines.push(head);
            line = tail;
        }
    }
    if !line.trim_end().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_breaks_at_rule_boundaries_within_the_width() {
        assert_eq!(wrap("allow a.example", 40), ["allow a.example"]);
        let long = "allow api.github.com, uploads.github.com, *.githubusercontent.com; deny *";
        let lines = wrap(long, 40);
        assert_eq!(
            lines,
            [
                "allow api.github.com,",
                "uploads.github.com,",
                "*.githubusercontent.com; deny *"
            ]
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 40));
        assert_eq!(lines.join(" "), long);
        let one = "allow a-very-long-host-name-that-does-not-fit.example.com";
        let lines = wrap(one, 20);
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(lines.concat(), one);
    }
}

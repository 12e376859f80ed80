//! `vault scan [PATH]… [--binary] [--json]`: search files for stored values.
//!
//! Prints `path:line:col NAME (encoding)` per occurrence — never the value or the matched
//! text. Exit status: 0 clean, 1 something found; any other failure uses vault's usual codes
//! (66 a PATH that does not exist, 74 some file could not be read so the scan is incomplete,
//! 75 locked, …). The values looked for are every stored secret and the unlock material
//! (labelled VAULT_IDENTITY), in every encoding the redactor knows.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::cli::ScanArgs;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::scan;

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: String,
    line: u64,
    column: u64,
    secret: &'a str,
    encoding: &'static str,
}

#[derive(Serialize)]
struct JsonUnreadable {
    path: String,
    error: String,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    findings: Vec<JsonFinding<'a>>,
    files: u64,
    bytes: u64,
    skipped_binary: u64,
    unreadable: Vec<JsonUnreadable>,
}

/// A path for display: `./` dropped, control characters escaped (a file name must not be
/// able to forge an output line or drive the terminal).
fn shown(path: &std::path::Path) -> String {
    let text = path.to_string_lossy();
    let text = text.strip_prefix("./").unwrap_or(&text);
    crate::escape::text(text).into_owned()
}

/// A path for `--json`: `./` dropped; JSON's own escaping (`cmd::write_json`) is enough.
fn json_path(path: &std::path::Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

/// Runs the scan.
pub fn run(args: &ScanArgs) -> Result<Exit> {
    let roots: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    for root in &roots {
        if let Err(e) = std::fs::symlink_metadata(root) {
            let exit = if e.kind() == std::io::ErrorKind::NotFound {
                Exit::NoInput
            } else {
                Exit::IoErr
            };
            return Err(Error::new(
                exit,
                format!("{}: {}", shown(root), crate::error::io_reason(&e)),
            ));
        }
    }
    let opened = crate::cmd::open()?;
    // The redactor's patterns: every stored value and each line of the unlock material.
    let patterns = crate::cmd::run::patterns(&opened);
    let names = patterns.names().to_vec();
    drop(opened);
    let summary = scan::walk(&roots, &patterns, args.binary);
    drop(patterns);

    let mut out = std::io::stdout().lock();
    let written = if args.json {
        let report = JsonReport {
            findings: summary
                .findings
                .iter()
                .map(|f| JsonFinding {
                    path: json_path(&f.path),
                    line: f.line,
                    column: f.column,
                    secret: &names[f.secret],
                    encoding: f.encoding.as_str(),
                })
                .collect(),
            files: summary.files,
            bytes: summary.bytes,
            skipped_binary: summary.skipped_binary,
            unreadable: summary
                .unreadable
                .iter()
                .map(|(p, e)| JsonUnreadable {
                    path: json_path(p),
                    error: e.clone(),
                })
                .collect(),
        };
        crate::cmd::write_json(&mut out, &report)
    } else {
        summary.findings.iter().try_for_each(|f| {
            writeln!(
                out,
                "{}:{}:{} {} ({})",
                shown(&f.path),
                f.line,
                f.column,
                names[f.secret],
                f.encoding.as_str()
            )
        })
    };
    written.map_err(|e| Error::io("stdout", &e))?;
    drop(out);

    let skipped = if summary.skipped_binary > 0 {
        format!(
            "; {} binary file(s) skipped (--binary searches them)",
            summary.skipped_binary
        )
    } else {
        String::new()
    };
    let searched = format!(
        "{} file(s), {:.1} MB",
        summary.files,
        summary.bytes as f64 / 1e6
    );
    if !summary.findings.is_empty() {
        let mut secrets: Vec<usize> = summary.findings.iter().map(|f| f.secret).collect();
        secrets.sort_unstable();
        secrets.dedup();
        let mut files: Vec<&PathBuf> = summary.findings.iter().map(|f| &f.path).collect();
        files.dedup();
        eprintln!(
            "vault: scan: {} occurrence(s) of {} secret(s) in {} file(s) (searched {searched}{skipped})",
            summary.findings.len(),
            secrets.len(),
            files.len()
        );
        for (path, why) in &summary.unreadable {
            eprintln!("vault: warning: cannot read {}: {why}", shown(path));
        }
        return Ok(Exit::Failure);
    }
    if let Some((path, why)) = summary.unreadable.first() {
        let more = match summary.unreadable.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        return Err(Error::new(
            Exit::IoErr,
            format!("scan incomplete: cannot read {}: {why}{more}", shown(path)),
        )
        .hint("nothing was found in what could be read; fix the permissions or exclude the path"));
    }
    eprintln!("vault: scan: clean (searched {searched}{skipped})");
    Ok(Exit::Success)
}

//! The audit log: `$VAULT_HOME/audit.jsonl`, one JSON object per line, hash-chained.
//!
//! Each entry records what happened (names, hosts, decisions, exit codes, redaction
//! counts — never a value) and carries `seq` (1, 2, …) and `prev`, the SHA-256 (hex) of the
//! previous line's bytes (64 zeros for the first). Editing, reordering or deleting an entry
//! breaks the chain at the next one, and `vault audit verify` says where. Deleting the
//! newest entries leaves no later entry to break, so every store write also records the
//! log's head (seq and hash) inside the encrypted store, and `verify` checks the log still
//! reaches it.
//!
//! Appends use O_APPEND under the store lock. An action whose entry cannot be written
//! fails (fail closed); only reading the log works without writing it.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Paths;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::store::Lock;

/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry. Optional fields are omitted when empty.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// SHA-256 (hex) of the previous line.
    pub prev: String,
    /// RFC 3339 time, milliseconds, UTC.
    pub time: String,
    /// `init`, `set`, `replace`, `rm`, `import`, `policy`, `run`, `deny`, `confirm`,
    /// `unlock-failed`, `recipients`.
    pub action: String,
    /// Secret names concerned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    /// For runs: argv as typed, every value replaced by its label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argv: Option<Vec<String>>,
    /// Destinations found in argv.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// The decision per secret (`allow`, `confirm`, `deny …`), or the outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<serde_json::Value>,
    /// The child's exit status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<i32>,
    /// Run time in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Redactions per secret name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redactions: Option<std::collections::BTreeMap<String, u64>>,
    /// A short note (an error message, a reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a store write: the generation the store gets by it (see `trust.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<u64>,
}

impl Entry {
    /// A new entry for `action` about `secrets` (seq, prev and time are filled in by append).
    #[must_use]
    pub fn new(action: &str, secrets: Vec<String>) -> Entry {
        Entry {
            action: action.to_string(),
            secrets,
            ..Entry::default()
        }
    }
}

/// Where the chain ends: the last entry's seq and the hash of its line.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// Last seq (0 for an empty log).
    pub seq: u64,
    /// SHA-256 of the last line (GENESIS for an empty log).
    pub hash: String,
    /// SHA-256 of the log's first line: which log this head belongs to. A project store is
    /// shared through git while every clone keeps its own log, so the head a store records
    /// may come from another clone's log.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub log: String,
}

fn hex_sha256(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// [`open_append`], with the file's `(device, inode, length)` as it was opened.
fn open_append_at(paths: &Paths) -> Result<(File, (u64, u64, u64))> {
    use std::os::unix::fs::MetadataExt;
    let file = open_append(paths)?;
    let meta = file
        .metadata()
        .map_err(|e| cannot_write(&paths.audit(), &e))?;
    Ok((file, (meta.dev(), meta.ino(), meta.len())))
}

fn open_append(paths: &Paths) -> Result<File> {
    let path = paths.audit();
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(&path)
        .map_err(|e| cannot_write(&path, &e))?;
    let meta = file.metadata().map_err(|e| cannot_write(&path, &e))?;
    if !meta.is_file() {
        return Err(Error::new(
            Exit::IoErr,
            format!("the audit log {} is not a regular file", path.display()),
        ));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| cannot_write(&path, &e))?;
    }
    Ok(file)
}

fn cannot_write(path: &std::path::Path, e: &std::io::Error) -> Error {
    Error::new(
        Exit::IoErr,
        format!(
            "cannot write the audit log {}: {}; refusing to act unaudited",
            path.display(),
            crate::error::io_reason(e)
        ),
    )
}

/// The head of the log: reads only the tail of the file. Without `hashes` the last line is
/// only checked to be an entry (its seq read), and `hash` and `log` are left empty.
fn head_of(file: &mut File, hashes: bool) -> std::io::Result<Head> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(Head {
            seq: 0,
            hash: GENESIS.to_string(),
            log: String::new(),
        });
    }
    let log = if hashes {
        first_line_hash(file)?
    } else {
        String::new()
    };
    // Lines are short; read a growing tail until it holds a whole last line.
    let mut window: u64 = 8192;
    loop {
        let start = len.saturating_sub(window);
        file.seek(SeekFrom::Start(start))?;
        let mut tail = Vec::new();
        Read::by_ref(file)
            .take(len - start)
            .read_to_end(&mut tail)?;
        let Some(body) = tail.strip_suffix(b"\n") else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "its last line is incomplete (no newline)",
            ));
        };
        if let Some(nl) = body.iter().rposition(|&b| b == b'\n') {
            return head_from_line(&body[nl + 1..], log, hashes);
        }
        if start == 0 {
            return head_from_line(body, log, hashes);
        }
        window *= 4;
    }
}

/// The hash of the first line (the log's identity).
fn first_line_hash(file: &mut File) -> std::io::Result<String> {
    file.seek(SeekFrom::Start(0))?;
    let mut first = Vec::new();
    BufReader::new(Read::by_ref(file)).read_until(b'\n', &mut first)?;
    Ok(hex_sha256(first.strip_suffix(b"\n").unwrap_or(&first)))
}

fn head_from_line(line: &[u8], log: String, hashes: bool) -> std::io::Result<Head> {
    /// Only `seq` is kept; the other fields every entry has must be there but are skipped
    /// unparsed (a run's entry names every injected secret, so the line can be long).
    /// Checking each field is `verify`'s job.
    #[derive(Deserialize)]
    struct Seq {
        seq: u64,
        #[serde(rename = "prev")]
        _prev: serde::de::IgnoredAny,
        #[serde(rename = "time")]
        _time: serde::de::IgnoredAny,
        #[serde(rename = "action")]
        _action: serde::de::IgnoredAny,
    }
    let entry: Seq = serde_json::from_slice(line).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "its last line is not an audit entry",
        )
    })?;
    Ok(Head {
        seq: entry.seq,
        hash: if hashes {
            hex_sha256(line)
        } else {
            String::new()
        },
        log,
    })
}

/// Appends `entry` (filling seq, prev, time) while the caller holds the store lock.
/// Returns the new head.
pub fn append_locked(paths: &Paths, lock: &Lock, entry: Entry) -> Result<Head> {
    append_after(paths, lock, entry, None)
}

/// [`append_locked`], reusing the head `seen` read (when the log is still the file it
/// read, at the length it read: nothing was appended since).
fn append_after(
    paths: &Paths,
    _lock: &Lock,
    mut entry: Entry,
    seen: Option<&Checked>,
) -> Result<Head> {
    let path = paths.audit();
    let (mut file, at) = open_append_at(paths)?;
    let known = seen.filter(|c| c.at == at).map(|c| c.head.clone());
    let head = known
        .map_or_else(|| head_of(&mut file, true), Ok)
        .map_err(|e| {
            Error::new(
                Exit::IoErr,
                format!(
                    "the audit log {} is damaged ({}); refusing to extend it",
                    path.display(),
                    crate::error::io_reason(&e)
                ),
            )
            .hint("`vault audit verify` shows where; move the file aside to start a new log")
        })?;
    entry.seq = head.seq + 1;
    entry.prev = head.hash;
    entry.time = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
    let mut line = serde_json::to_vec(&entry)
        .map_err(|e| Error::new(Exit::Failure, format!("cannot encode an audit entry: {e}")))?;
    let hash = hex_sha256(&line);
    let log = if head.seq == 0 {
        hash.clone()
    } else {
        head.log
    };
    line.push(b'\n');
    let before = file
        .seek(SeekFrom::End(0))
        .map_err(|e| cannot_write(&path, &e))?;
    if let Err(e) = file.write_all(&line).and_then(|()| file.sync_data()) {
        // A full disk can leave part of the line behind; cut it off, or every later append
        // would meet a torn last line and refuse.
        let _ = file.set_len(before).and_then(|()| file.sync_data());
        return Err(cannot_write(&path, &e));
    }
    Ok(Head {
        seq: entry.seq,
        hash,
        log,
    })
}

/// Appends `entry`, taking the store lock for the append only.
pub fn append(paths: &Paths, entry: Entry) -> Result<Head> {
    let lock = crate::store::lock(paths)?;
    append_locked(paths, &lock, entry)
}

/// [`append`] for an action [`check_writable`] checked before it ran: when nothing was
/// appended since, the head it read is not read again (a `vault run` entry that names a
/// thousand secrets is a 13 KB line).
pub fn append_checked(paths: &Paths, entry: Entry, checked: &Checked) -> Result<Head> {
    let lock = crate::store::lock(paths)?;
    append_after(paths, &lock, entry, Some(checked))
}

/// What [`check_writable`] read: the log's head, and which file at what length it read it
/// from (`(device, inode, length)`).
pub struct Checked {
    at: (u64, u64, u64),
    head: Head,
}

/// Checks the log is appendable now (before an action that will be audited after it ran),
/// returning its head for [`append_checked`].
pub fn check_writable(paths: &Paths) -> Result<Checked> {
    let (mut file, at) = open_append_at(paths)?;
    head_of(&mut file, true)
        .map(|head| Checked { at, head })
        .map_err(|e| {
            Error::new(
                Exit::IoErr,
                format!(
                    "the audit log {} is damaged ({})",
                    paths.audit().display(),
                    crate::error::io_reason(&e)
                ),
            )
        })
}

/// One problem `verify` found.
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub what: String,
}

/// Entries with the hash of their line, and the lines that did not parse.
pub type Log = (Vec<(Entry, String)>, Vec<Problem>);

/// Reads every entry; a line that does not parse is a problem, not a panic.
pub fn read_all(paths: &Paths) -> Result<Log> {
    let path = paths.audit();
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(Error::io(path.display(), &e)),
    };
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut reader = BufReader::new(file);
    let mut i = 0;
    loop {
        let mut line = Vec::new();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(path.display(), &e))?;
        if n == 0 {
            break;
        }
        i += 1;
        if line.pop() != Some(b'\n') {
            problems.push(Problem {
                line: i,
                what: "the last line is incomplete (no newline): a truncated write".into(),
            });
            break;
        }
        match serde_json::from_slice::<Entry>(&line) {
            Ok(entry) => entries.push((entry, hex_sha256(&line))),
            Err(_) => problems.push(Problem {
                line: i,
                what: "not a valid audit entry (edited or truncated)".into(),
            }),
        }
    }
    Ok((entries, problems))
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verified {
    /// The first problem(s), by line; empty when intact.
    pub problems: Vec<Problem>,
    /// Entries read.
    pub entries: usize,
    /// The store's recorded head was checked against this log.
    pub head_checked: bool,
}

/// Verifies the chain; `expected_head` (from the store) catches deleted newest entries.
/// With `shared` (a project store, written from several clones' logs) a head recorded by
/// another clone's log is not compared; alone, such a head means the log was replaced.
pub fn verify(paths: &Paths, expected_head: Option<&Head>, shared: bool) -> Result<Verified> {
    verify_at(paths, expected_head, shared, None)
}

/// As [`verify`]; with the store's `generation`, store writes logged after its head that
/// reached a later generation than one write could are reported as a rollback.
pub fn verify_at(
    paths: &Paths,
    expected_head: Option<&Head>,
    shared: bool,
    generation: Option<u64>,
) -> Result<Verified> {
    let (entries, problems) = read_all(paths)?;
    let mut problems = chain_problems(&entries, problems, expected_head, shared);
    let head_checked = expected_head.is_some_and(|h| {
        !(shared && !h.log.is_empty() && entries.first().is_some_and(|(_, first)| *first != h.log))
    });
    if problems.is_empty()
        && head_checked
        && let (Some(head), Some(generation)) = (expected_head, generation)
    {
        problems.extend(writes_after_head(&entries, head, generation));
    }
    Ok(Verified {
        problems,
        entries: entries.len(),
        head_checked,
    })
}

/// Actions whose entry is appended just before the store is written (the store then
/// records that entry as its head).
pub const STORE_WRITES: &[&str] = &[
    "init",
    "set",
    "replace",
    "import",
    "rm",
    "policy",
    "recipients",
    "merge",
    "enrol",
    "trust",
];

/// Store writes logged after the head the store records, by the generations they gave it:
/// the store on disk is older than the log says it became — it was rolled back (a copy put
/// back, `git checkout`). A write killed between its audit entry and its rename logs the
/// generation the store would have had (its own + 1), so only an entry beyond that counts;
/// a rollback by exactly one write is caught by the generation memory (`trust.rs`) instead.
fn writes_after_head(entries: &[(Entry, String)], head: &Head, generation: u64) -> Vec<Problem> {
    entries
        .iter()
        .enumerate()
        .find(|(_, (e, _))| {
            e.seq > head.seq
                && STORE_WRITES.contains(&e.action.as_str())
                && e.generation.is_some_and(|g| g > generation + 1)
        })
        .map(|(i, (e, _))| Problem {
            line: i + 1,
            what: format!(
                "seq {} ({}) wrote generation {} after seq {}, the head the store records, but the store is at generation {generation}: the store was rolled back",
                e.seq,
                e.action,
                e.generation.unwrap_or_default(),
                head.seq
            ),
        })
        .into_iter()
        .collect()
}

fn chain_problems(
    entries: &[(Entry, String)],
    mut problems: Vec<Problem>,
    expected_head: Option<&Head>,
    shared: bool,
) -> Vec<Problem> {
    if !problems.is_empty() {
        return problems;
    }
    let mut prev_hash = GENESIS.to_string();
    let mut prev_seq = 0;
    for (i, (entry, hash)) in entries.iter().enumerate() {
        let line = i + 1;
        if entry.seq != prev_seq + 1 {
            problems.push(Problem {
                line,
                what: format!(
                    "seq {} follows seq {prev_seq}: an entry was deleted or reordered before it",
                    entry.seq
                ),
            });
            break;
        }
        if entry.prev != prev_hash {
            problems.push(Problem { line, what: format!("its prev hash does not match line {}: that entry was edited, or one was deleted", line - 1) });
            break;
        }
        prev_hash.clone_from(hash);
        prev_seq = entry.seq;
    }
    let first_hash = entries.first().map(|(_, h)| h.clone()).unwrap_or_default();
    if problems.is_empty()
        && let Some(head) = expected_head
        && !head.log.is_empty()
        && head.log != first_hash
    {
        if shared {
            return problems;
        }
        problems.push(Problem {
            line: 1,
            what: "this is not the log the store recorded at its last write: the log was replaced"
                .into(),
        });
        return problems;
    }
    if problems.is_empty()
        && let Some(head) = expected_head
    {
        let found = entries.iter().find(|(e, _)| e.seq == head.seq);
        match found {
            Some((_, hash)) if *hash == head.hash => {}
            Some(_) => problems.push(Problem { line: usize::try_from(head.seq).unwrap_or(usize::MAX), what: "differs from the entry the store recorded at its last write".into() }),
            None if head.seq > 0 => problems.push(Problem {
                line: entries.len() + 1,
                what: format!("the log ends at seq {prev_seq}, but the store recorded seq {} at its last write: newest entries were deleted", head.seq),
            }),
            None => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::{Entry, Head, append_locked, verify, verify_at};
    use crate::config::Paths;

    fn setup() -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            home: dir.path().join("h"),
        };
        crate::store::create_home(&paths).unwrap();
        (dir, paths)
    }

    #[test]
    fn chain_detects_edit_delete_reorder_and_truncation() {
        let (_d, paths) = setup();
        let lock = crate::store::lock(&paths).unwrap();
        let mut head = Head::default();
        for i in 0..5 {
            head = append_locked(&paths, &lock, Entry::new("set", vec![format!("S{i}")])).unwrap();
        }
        assert_eq!(head.seq, 5);
        assert!(
            verify(&paths, Some(&head), false)
                .unwrap()
                .problems
                .is_empty()
        );
        let text = std::fs::read_to_string(paths.audit()).unwrap();
        let lines: Vec<&str> = text.lines().collect();

        let write = |ls: &[&str]| std::fs::write(paths.audit(), ls.join("\n") + "\n").unwrap();
        let mut edited = lines.clone();
        let e = edited[2].replace("S2", "S9");
        edited[2] = &e;
        write(&edited);
        assert_eq!(
            verify(&paths, Some(&head), false).unwrap().problems[0].line,
            4
        );

        write(&[lines[0], lines[1], lines[3], lines[4]]);
        assert_eq!(
            verify(&paths, Some(&head), false).unwrap().problems[0].line,
            3
        );

        write(&[lines[0], lines[2], lines[1], lines[3], lines[4]]);
        assert_eq!(
            verify(&paths, Some(&head), false).unwrap().problems[0].line,
            2
        );

        write(&lines[..4]);
        let p = verify(&paths, Some(&head), false).unwrap().problems;
        assert!(p[0].what.contains("deleted"), "{p:?}");
        assert!(verify(&paths, None, false).unwrap().problems.is_empty());

        std::fs::write(paths.audit(), "garbage\n").unwrap();
        assert_eq!(verify(&paths, None, false).unwrap().problems[0].line, 1);
    }

    #[test]
    fn a_replaced_log_is_detected_unless_the_store_is_shared() {
        let (_d, paths) = setup();
        let lock = crate::store::lock(&paths).unwrap();
        let head = append_locked(&paths, &lock, Entry::new("init", vec![])).unwrap();
        append_locked(&paths, &lock, Entry::new("run", vec!["A".into()])).unwrap();
        assert!(
            verify(&paths, Some(&head), false)
                .unwrap()
                .problems
                .is_empty()
        );
        // Store writes after the head of a store at generation 1: two killed writes (each
        // logging generation 2) are not a rollback; a write that reached 3 is.
        let write = |action: &str, g: u64| {
            let mut e = Entry::new(action, vec!["A".into()]);
            e.generation = Some(g);
            append_locked(&paths, &lock, e).unwrap();
        };
        write("set", 2);
        write("set", 2);
        let quiet = verify_at(&paths, Some(&head), false, Some(1)).unwrap();
        assert!(quiet.problems.is_empty(), "{:?}", quiet.problems);
        write("rm", 3);
        let p = verify_at(&paths, Some(&head), false, Some(1))
            .unwrap()
            .problems;
        assert!(p[0].what.ends_with("the store was rolled back"), "{p:?}");
        assert_eq!(p[0].line, 5);
        // Another, internally valid log in its place (another clone's, or a forged one).
        std::fs::remove_file(paths.audit()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5));
        append_locked(&paths, &lock, Entry::new("init", vec![])).unwrap();
        let alone = verify(&paths, Some(&head), false).unwrap();
        assert!(
            alone.problems[0].what.contains("replaced"),
            "{:?}",
            alone.problems
        );
        let shared = verify(&paths, Some(&head), true).unwrap();
        assert!(shared.problems.is_empty() && !shared.head_checked);
    }
}

//! Target: the audit log — `vault::audit::Entry` line parsing, `read_all`, `verify` and
//! `append_locked`, on a real file in a scratch home (in /dev/shm when there is one, so
//! the fsync per append costs nothing).
//!
//! Properties:
//! 1. no panic on any file content, with or without an expected head;
//! 2. a line that parses as an entry re-serialises to an entry equal to it;
//! 3. appending to any file that `append_locked` accepts leaves a last line that parses as
//!    the appended entry, with the next seq (a file whose last newline was cut must be
//!    refused, not glued onto);
//! 4. a chain written by `append_locked` verifies (with its head and without); after any
//!    change to its bytes (bit flip, byte edit, line deleted / duplicated / swapped /
//!    inserted, truncation), `verify` reports a problem, and the first one names the first
//!    changed line or the one after it (also when only the final newline was cut).

use std::path::PathBuf;
use std::sync::OnceLock;

use arbitrary::Unstructured;
use vault::audit::{Entry, Head, append_locked, read_all, verify};
use vault::config::Paths;

use crate::common::{below, coin, pick};

fn home() -> Paths {
    static HOME: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, home) = HOME.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            tempfile::Builder::new()
                .prefix("vault-fuzz.")
                .tempdir_in("/dev/shm")
        } else {
            tempfile::Builder::new().prefix("vault-fuzz.").tempdir()
        }
        .expect("scratch dir");
        let home = base.path().join("home");
        let paths = Paths { home: home.clone() };
        vault::store::create_home(&paths).expect("create home");
        (base, home)
    });
    Paths { home: home.clone() }
}

/// The target.
pub fn audit(data: &[u8]) {
    let paths = home();
    raw(&paths, data);
    structured(&paths, &mut Unstructured::new(data));
}

fn raw(paths: &Paths, data: &[u8]) {
    // Lines as entries.
    for line in data.split(|&b| b == b'\n') {
        if let Ok(entry) = serde_json::from_slice::<Entry>(line) {
            let again = serde_json::to_vec(&entry).expect("serialise");
            let back: Entry = serde_json::from_slice(&again).expect("own output parses");
            assert_eq!(back, entry, "entry round trip");
        }
    }
    // The file as a log.
    std::fs::write(paths.audit(), data).expect("write audit.jsonl");
    let mut u = Unstructured::new(data);
    let head = coin(&mut u).then(|| Head {
        seq: u64::from(u.arbitrary::<u8>().unwrap_or(0)),
        hash: "0".repeat(64),
        log: if coin(&mut u) {
            String::new()
        } else {
            "1".repeat(64)
        },
    });
    let shared = coin(&mut u);
    let _ = read_all(paths);
    let _ = verify(paths, head.as_ref(), shared);

    // Appending to it: the old bytes stay as they were, and the new last line parses.
    let lock = vault::store::lock(paths).expect("lock");
    let mut entry = Entry::new("fuzz", vec!["FUZZ".into()]);
    entry.note = Some("appended".into());
    if let Ok(new_head) = append_locked(paths, &lock, entry) {
        let bytes = std::fs::read(paths.audit()).expect("read");
        assert!(bytes.starts_with(data), "an append changed earlier bytes");
        let line = bytes[data.len()..]
            .strip_suffix(b"\n")
            .expect("an appended line ends in a newline");
        let parsed: Entry = serde_json::from_slice(line).unwrap_or_else(|e| {
            panic!(
                "the appended line does not parse ({e}); the log was {:?}",
                String::from_utf8_lossy(data)
            )
        });
        assert_eq!(parsed.seq, new_head.seq);
        assert_eq!(parsed.note.as_deref(), Some("appended"));
    }
}

const ACTIONS: &[&str] = &["init", "set", "run", "deny", "confirm", "policy", "rm"];
const TEXTS: &[&str] = &[
    "",
    "a",
    "é",
    "\"q\"",
    "line\nbreak",
    "\\",
    "\u{0}",
    "{}",
    "[REDACTED:X]",
];

fn structured(paths: &Paths, u: &mut Unstructured<'_>) {
    let _ = std::fs::remove_file(paths.audit());
    let lock = vault::store::lock(paths).expect("lock");
    let n = 1 + below(u, 6);
    let mut head = Head::default();
    for _ in 0..n {
        let mut e = Entry::new(
            pick(u, ACTIONS),
            vec![(pick(u, &["A", "B_2", "TOKEN"])).into()],
        );
        if coin(u) {
            e.note = Some((pick(u, TEXTS)).to_string());
        }
        if coin(u) {
            e.argv = Some(vec!["curl".into(), (pick(u, TEXTS)).to_string()]);
            e.hosts = vec!["127.0.0.1:80".into()];
            e.exit = Some(i32::from(u.arbitrary::<i8>().unwrap_or(0)));
            e.decision = Some(serde_json::json!({ "deny": [pick(u, TEXTS)] }));
        }
        head = append_locked(paths, &lock, e).expect("append to a fresh log");
    }
    drop(lock);
    let original = std::fs::read(paths.audit()).expect("read");
    let problems = verify(paths, Some(&head), false).expect("verify").problems;
    assert!(problems.is_empty(), "a fresh chain fails: {problems:?}");
    assert!(
        verify(paths, None, false)
            .expect("verify")
            .problems
            .is_empty()
    );

    let mut lines: Vec<Vec<u8>> = original
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let mutated: Vec<u8> = match below(u, 8) {
        0 => {
            let mut m = original.clone();
            let i = below(u, m.len());
            m[i] ^= 1 << below(u, 8);
            m
        }
        1 => {
            let mut m = original.clone();
            let i = below(u, m.len());
            m[i] = u.arbitrary().unwrap_or(b'x');
            m
        }
        2 => {
            lines.remove(below(u, lines.len()));
            lines.concat()
        }
        3 => {
            let i = below(u, lines.len());
            let copy = lines[i].clone();
            lines.insert(i + 1, copy);
            lines.concat()
        }
        4 => {
            let (i, j) = (below(u, lines.len()), below(u, lines.len()));
            lines.swap(i, j);
            lines.concat()
        }
        5 => {
            let i = below(u, lines.len() + 1);
            lines.insert(
                i,
                pick::<&[u8]>(u, &[&b"\n"[..], b"{}\n", b"garbage\n", b"{\"seq\":1}\n"]).to_vec(),
            );
            lines.concat()
        }
        6 => original[..below(u, original.len())].to_vec(),
        _ => {
            let mut m = original.clone();
            let i = below(u, m.len());
            let n = 1 + below(u, 8);
            m.drain(i..(i + n).min(m.len()));
            m
        }
    };
    if mutated == original {
        return;
    }
    std::fs::write(paths.audit(), &mutated).expect("write");
    let problems = verify(paths, Some(&head), false).expect("verify").problems;
    let first_changed = first_changed_line(&original, &mutated);
    assert!(
        !problems.is_empty(),
        "a change at line {first_changed} went unnoticed:\n{}\n->\n{}",
        String::from_utf8_lossy(&original),
        String::from_utf8_lossy(&mutated)
    );
    let named = problems[0].line;
    assert!(
        named == first_changed || named == first_changed + 1,
        "the first change is at line {first_changed}, verify names line {named}: {problems:?}\n{}\n->\n{}",
        String::from_utf8_lossy(&original),
        String::from_utf8_lossy(&mutated)
    );
}

/// 1-based number of the first line whose bytes (newline included) differ.
fn first_changed_line(a: &[u8], b: &[u8]) -> usize {
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    a[..common].iter().filter(|&&c| c == b'\n').count() + 1
}

//! Three-way merge of decrypted stores, secret by secret (pure: no I/O), for the git merge
//! driver (`vault git-merge`, in `cmd/git.rs`).
//!
//! For each name in any of the three versions (base, ours, theirs):
//! - both sides the same (or the same value, description and policy, whatever the dates)
//!   → ours;
//! - only one side differs from the base (added, changed or removed it) → that side;
//! - both sides differ from the base, and from each other → a conflict, reported by name.
//!
//! Recipients are a set, merged the same way but as a whole: equal on both sides → that
//! set; changed on one side only → that side's set; changed on both sides → a conflict, even
//! if the two changes look compatible. Who can read the store is for a person to settle,
//! not for a set union: a union would silently re-add a member one side had just removed.
//! Recipients their side adds while our side changed secrets are a conflict too: our new
//! values would be encrypted to them. Taken without such changes, a new recipient set makes
//! the merged store untrusted (`trust.rs`): the next write into it needs an approval.

use std::collections::BTreeSet;

use crate::secrets::{Contents, Entry};

/// A successful merge.
#[derive(Debug)]
pub struct Merged {
    /// The result (ours, with their changes applied).
    pub contents: Contents,
    /// Names whose result came from their side (added, changed or removed there).
    pub from_theirs: Vec<String>,
    /// True when the recipients came from their side.
    pub recipients_from_theirs: bool,
    /// Secrets that one side added or changed while it was still encrypted to a recipient
    /// the result no longer has: those values must be rotated.
    pub exposed: Vec<String>,
}

/// Why the versions cannot be merged automatically.
#[derive(Debug, PartialEq, Eq)]
pub struct Conflict {
    /// Secrets changed differently on both sides.
    pub secrets: Vec<String>,
    /// True when both sides changed the recipients differently.
    pub recipients: bool,
    /// Recipients their side adds while our side changed secrets: merging would encrypt our
    /// new values to them without anyone approving it.
    pub incoming: Vec<String>,
}

fn same(a: Option<&Entry>, b: Option<&Entry>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            same_content(a, b) && a.created == b.created && a.updated == b.updated
        }
        _ => false,
    }
}

/// Same value, description and policy.
fn same_content(a: &Entry, b: &Entry) -> bool {
    a.value.expose() == b.value.expose() && a.description == b.description && a.policy == b.policy
}

fn set(recipients: &[String]) -> BTreeSet<String> {
    recipients.iter().cloned().collect()
}

/// Merges `theirs` into `ours` against their common ancestor `base` (`None` when the file
/// has no common ancestor: both sides created it).
pub fn merge(
    base: Option<&Contents>,
    mut ours: Contents,
    mut theirs: Contents,
) -> Result<Merged, Conflict> {
    let empty = Contents::new(Vec::new());
    let base = base.unwrap_or(&empty);

    let (b, o, t) = (
        set(&base.recipients),
        set(&ours.recipients),
        set(&theirs.recipients),
    );
    let (recipients_conflict, recipients_from_theirs) = if o == t || t == b {
        (false, false)
    } else if o == b {
        (false, true)
    } else {
        (true, false)
    };

    let names: BTreeSet<String> = base
        .secrets
        .keys()
        .chain(ours.secrets.keys())
        .chain(theirs.secrets.keys())
        .cloned()
        .collect();
    let mut conflicts = Vec::new();
    let mut from_theirs = Vec::new();
    let mut changed_ours = Vec::new();
    let mut changed_theirs = Vec::new();
    for name in &names {
        let (eb, eo, et) = (
            base.secrets.get(name),
            ours.secrets.get(name),
            theirs.secrets.get(name),
        );
        if !same(eo, eb) {
            changed_ours.push(name.clone());
        }
        if !same(et, eb) {
            changed_theirs.push(name.clone());
        }
        let equal = same(eo, et) || matches!((eo, et), (Some(a), Some(b)) if same_content(a, b));
        if equal || same(et, eb) {
            continue;
        }
        if same(eo, eb) {
            from_theirs.push(name.clone());
        } else {
            conflicts.push(name.clone());
        }
    }
    let incoming: Vec<String> = if recipients_from_theirs && !changed_ours.is_empty() {
        t.difference(&o).cloned().collect()
    } else {
        Vec::new()
    };
    if recipients_conflict || !conflicts.is_empty() || !incoming.is_empty() {
        return Err(Conflict {
            secrets: conflicts,
            recipients: recipients_conflict,
            incoming,
        });
    }

    for name in &from_theirs {
        match theirs.secrets.remove(name) {
            Some(entry) => {
                ours.secrets.insert(name.clone(), entry);
            }
            None => {
                ours.secrets.remove(name);
            }
        }
    }
    if recipients_from_theirs {
        ours.recipients = std::mem::take(&mut theirs.recipients);
    }
    // The result is newer than both sides (the caller bumps it once more when writing).
    ours.generation = ours.generation.max(theirs.generation);
    if ours.id.is_none() {
        ours.id = theirs.id.take();
    }

    // A side that still had a recipient the result drops has encrypted its changes to it.
    let result = set(&ours.recipients);
    let mut exposed = BTreeSet::new();
    if t.iter().any(|r| !result.contains(r)) {
        exposed.extend(changed_theirs.iter().cloned());
    }
    if o.iter().any(|r| !result.contains(r)) {
        exposed.extend(changed_ours.iter().cloned());
    }
    exposed.retain(|n| ours.secrets.contains_key(n));
    Ok(Merged {
        contents: ours,
        from_theirs,
        recipients_from_theirs,
        exposed: exposed.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::{Conflict, merge};
    use crate::secret::SecretValue;
    use crate::secrets::{Contents, Entry};
    use zeroize::Zeroizing;

    fn entry(v: &str, t: u64) -> Entry {
        Entry {
            value: SecretValue::new(Zeroizing::new(v.as_bytes().to_vec())),
            created: t,
            updated: t,
            description: None,
            policy: crate::egress::Policy::default(),
        }
    }

    fn store(recipients: &[&str], secrets: &[(&str, &str, u64)]) -> Contents {
        let mut c = Contents::new(recipients.iter().map(ToString::to_string).collect());
        for (k, v, t) in secrets {
            c.secrets.insert((*k).to_string(), entry(v, *t));
        }
        c
    }

    fn names(c: &Contents) -> Vec<&str> {
        c.secrets.keys().map(String::as_str).collect()
    }

    #[test]
    fn both_sides_add_different_names() {
        let base = store(&["r"], &[("A", "aaaaaaaa", 1)]);
        let ours = store(&["r"], &[("A", "aaaaaaaa", 1), ("B", "bbbbbbbb", 2)]);
        let theirs = store(&["r"], &[("A", "aaaaaaaa", 1), ("C", "cccccccc", 3)]);
        let m = merge(Some(&base), ours, theirs).unwrap();
        assert_eq!(names(&m.contents), ["A", "B", "C"]);
        assert_eq!(m.from_theirs, ["C"]);
        assert!(m.exposed.is_empty());
    }

    #[test]
    fn one_sided_change_and_removal_are_taken() {
        let base = store(&["r"], &[("A", "aaaaaaaa", 1), ("B", "bbbbbbbb", 1)]);
        let ours = store(&["r"], &[("A", "aaaaaaaa", 1), ("B", "bbbbbbbb", 1)]);
        let theirs = store(&["r"], &[("A", "AAAAAAAA", 5)]);
        let m = merge(Some(&base), ours, theirs).unwrap();
        assert_eq!(names(&m.contents), ["A"]);
        assert_eq!(m.contents.secrets["A"].value.expose(), b"AAAAAAAA");
        let base = store(&["r"], &[("A", "aaaaaaaa", 1)]);
        let ours = store(&["r"], &[]);
        let theirs = store(&["r"], &[("A", "aaaaaaaa", 1)]);
        assert!(
            merge(Some(&base), ours, theirs)
                .unwrap()
                .contents
                .secrets
                .is_empty()
        );
    }

    #[test]
    fn an_incoming_recipient_is_never_merged_into_our_new_values() {
        let base = store(&["r"], &[("A", "aaaaaaaa", 1)]);
        // Our side added B; their side added recipient m: B would be encrypted to m.
        let ours = store(&["r"], &[("A", "aaaaaaaa", 1), ("B", "bbbbbbbb", 2)]);
        let theirs = store(&["r", "m"], &[("A", "aaaaaaaa", 1)]);
        let e = merge(Some(&base), ours, theirs).unwrap_err();
        assert_eq!(e.incoming, ["m"]);
        // Our side changed nothing: their recipients are taken (and the trust check asks
        // before the next write), and the result is newer than both sides.
        let ours = store(&["r"], &[("A", "aaaaaaaa", 1)]);
        let mut theirs = store(&["r", "m"], &[("A", "aaaaaaaa", 1)]);
        theirs.generation = 7;
        let m = merge(Some(&base), ours, theirs).unwrap();
        assert!(m.recipients_from_theirs);
        assert_eq!(m.contents.recipients, ["r", "m"]);
        assert_eq!(m.contents.generation, 7);
    }

    #[test]
    fn same_name_changed_differently_conflicts_by_name() {
        let base = store(&["r"], &[("A", "aaaaaaaa", 1)]);
        let ours = store(&["r"], &[("A", "oooooooo", 2)]);
        let theirs = store(&["r"], &[("A", "tttttttt", 3)]);
        let e = merge(Some(&base), ours, theirs).unwrap_err();
        assert_eq!(
            e,
            Conflict {
                secrets: vec!["A".into()],
                recipients: false,
                incoming: Vec::new(),
            }
        );
        // Both added the same value under the same name: no conflict.
        let ours = store(&["r"], &[("N", "same-val", 2)]);
        let theirs = store(&["r"], &[("N", "same-val", 3)]);
        assert!(merge(None, ours, theirs).is_ok());
        // Removed on one side, changed on the other: a conflict.
        let ours = store(&["r"], &[]);
        let theirs = store(&["r"], &[("A", "tttttttt", 3)]);
        assert_eq!(merge(Some(&base), ours, theirs).unwrap_err().secrets, ["A"]);
    }

    #[test]
    fn recipients_merge_only_when_one_side_changed() {
        let base = store(&["r", "m"], &[]);
        let m = merge(
            Some(&base),
            store(&["r", "m"], &[]),
            store(&["r", "m", "c"], &[]),
        )
        .unwrap();
        assert!(m.recipients_from_theirs);
        assert_eq!(m.contents.recipients, ["r", "m", "c"]);
        // Both changed: one removed m, the other added c → conflict, not a union.
        let e = merge(
            Some(&base),
            store(&["r"], &[]),
            store(&["r", "m", "c"], &[]),
        )
        .unwrap_err();
        assert!(e.recipients);
        // Same change on both sides (order aside) is fine.
        assert!(
            merge(
                Some(&base),
                store(&["m", "r", "c"], &[]),
                store(&["r", "m", "c"], &[])
            )
            .is_ok()
        );
    }

    #[test]
    fn a_removed_recipient_exposes_the_other_sides_changes() {
        let base = store(&["r", "m"], &[("A", "aaaaaaaa", 1)]);
        let ours = store(&["r"], &[("A", "aaaaaaaa", 1)]);
        let theirs = store(&["r", "m"], &[("A", "aaaaaaaa", 1), ("NEW", "nnnnnnnn", 2)]);
        let m = merge(Some(&base), ours, theirs).unwrap();
        assert_eq!(m.contents.recipients, ["r"]);
        assert_eq!(m.exposed, ["NEW"]);
    }
}

//! `vault policy set|show`: a secret's egress rule. A widening needs an approval
//! (`approval::require`: a one-time code, never a typed confirmation); narrowing does not.

use std::io::Write;

use crate::audit;
use crate::cli::{PolicyCommand, PolicySetArgs, PolicyShowArgs};
use crate::egress::policy::widening;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::secret::SecretName;

/// Dispatches `policy set` / `policy show`.
pub fn run(cmd: &PolicyCommand) -> Result<Exit> {
    match cmd {
        PolicyCommand::Set(a) => set(a),
        PolicyCommand::Show(a) => show(a),
    }
}

fn set(args: &PolicySetArgs) -> Result<Exit> {
    let name = SecretName::parse(&args.name)?;
    let new = crate::cmd::set::policy_from(&args.rules)?;
    if new.is_empty() && !args.clear {
        return Err(Error::new(
            Exit::Usage,
            format!("`vault policy set {name}` needs a rule (--allow, --confirm or --deny), or --clear to remove every rule"),
        )
        .hint(format!("`vault policy show {name}` shows the current rules")));
    }
    let mut opened = crate::cmd::open()?;
    let old = opened
        .contents
        .get(&name)
        .ok_or_else(|| crate::cmd::set::unknown(&opened.contents, &name))?
        .policy
        .clone();
    if old == new {
        eprintln!("vault: {name}: policy unchanged ({})", new.summary());
        return Ok(Exit::Success);
    }
    let reasons = widening(&old, &new);
    if !reasons.is_empty() {
        let detail = format!(
            "  from: {}\n  to:   {}\n  because:\n    - {}",
            old.summary(),
            new.summary(),
            reasons.join("\n    - ")
        );
        crate::approval::require_with(
            &opened.paths,
            &crate::approval::Action::WidenPolicy {
                name: name.as_str(),
            },
            &detail,
        )
        .map_err(|e| {
            let mut err = Error::new(
                Exit::Denied,
                format!("policy of {name} not changed: {}", e.message),
            );
            err.hint = e.hint;
            err
        })?;
    }
    let widened = !reasons.is_empty();
    opened.modify(|contents| {
        let Some(entry) = contents.secrets.get_mut(name.as_str()) else {
            return Err(crate::cmd::set::unknown(contents, &name));
        };
        // Another writer may have changed the policy since the confirmation was asked.
        if entry.policy != old {
            return Err(Error::new(
                Exit::Failure,
                format!("the policy of {name} changed meanwhile; nothing done, try again"),
            ));
        }
        entry.policy = new.clone();
        entry.updated = crate::secrets::now();
        let mut a = audit::Entry::new("policy", vec![name.to_string()]);
        a.decision = Some(
            serde_json::json!({ "from": old.summary(), "to": new.summary(), "widened": widened }),
        );
        Ok(((), a))
    })?;
    eprintln!("vault: {name}: {}", new.summary());
    Ok(Exit::Success)
}

fn show(args: &PolicyShowArgs) -> Result<Exit> {
    let opened = crate::cmd::open()?;
    let selected: Vec<(&String, &crate::egress::Policy)> = match &args.name {
        Some(n) => {
            let name = SecretName::parse(n)?;
            let (key, entry) = opened
                .contents
                .secrets
                .get_key_value(name.as_str())
                .ok_or_else(|| crate::cmd::set::unknown(&opened.contents, &name))?;
            vec![(key, &entry.policy)]
        }
        None => opened
            .contents
            .secrets
            .iter()
            .map(|(k, e)| (k, &e.policy))
            .collect(),
    };
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        let map: serde_json::Map<String, serde_json::Value> = selected
            .iter()
            .map(|(k, p)| ((*k).clone(), serde_json::to_value(p).unwrap_or_default()))
            .collect();
        crate::cmd::write_json(&mut out, &map)
    } else {
        selected.iter().try_for_each(|(k, p)| {
            writeln!(
                out,
                "{}: {}",
                crate::escape::text(k),
                crate::escape::text(&p.summary())
            )
        })
    };
    written.map_err(|e| Error::io("stdout", &e))?;
    Ok(Exit::Success)
}

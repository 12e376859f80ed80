//! `vault rm`: remove one or more secrets, all or nothing, in one write and one audit entry
//! naming them all.

use crate::cli::RmArgs;
use crate::error::Result;
use crate::exit::Exit;
use crate::secret::SecretName;

/// Removes the named secrets; a bad or unknown name is an error and changes nothing.
pub fn run(args: &RmArgs) -> Result<Exit> {
    let mut names: Vec<SecretName> = Vec::with_capacity(args.names.len());
    for raw in &args.names {
        // Syntax only: a store written by an older version may hold a name that is now
        // reserved, and removing it must still work.
        let name = SecretName::stored(raw)?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut opened = crate::cmd::open()?;
    if let Some(missing) = names.iter().find(|n| opened.contents.get(n).is_none()) {
        return Err(not_removed(&opened.contents, missing, names.len()));
    }
    opened.modify(|c| {
        if let Some(missing) = names.iter().find(|n| c.get(n).is_none()) {
            return Err(not_removed(c, missing, names.len()));
        }
        for name in &names {
            c.secrets.remove(name.as_str());
        }
        let listed = names.iter().map(ToString::to_string).collect();
        Ok(((), crate::audit::Entry::new("rm", listed)))
    })?;
    let listed: Vec<&str> = names.iter().map(SecretName::as_str).collect();
    eprintln!("vault: removed {}", listed.join(", "));
    Ok(Exit::Success)
}

/// The unknown-name error; with several names it says that none was removed.
fn not_removed(
    contents: &crate::secrets::Contents,
    missing: &SecretName,
    count: usize,
) -> crate::error::Error {
    let mut err = crate::cmd::set::unknown(contents, missing);
    if count > 1 {
        err.message.push_str("; nothing removed");
    }
    err
}

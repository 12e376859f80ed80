//! `vault rm`: remove one secret.

use crate::cli::RmArgs;
use crate::error::Result;
use crate::exit::Exit;
use crate::secret::SecretName;

/// Removes the named secret; an unknown name is an error and changes nothing.
pub fn run(args: &RmArgs) -> Result<Exit> {
    let name = SecretName::stored(&args.name)?;
    let mut opened = crate::cmd::open()?;
    if opened.contents.get(&name).is_none() {
        return Err(crate::cmd::set::unknown(&opened.contents, &name));
    }
    opened.modify(|c| match c.secrets.remove(name.as_str()) {
        Some(_) => Ok(((), crate::audit::Entry::new("rm", vec![name.to_string()]))),
        None => Err(crate::cmd::set::unknown(c, &name)),
    })?;
    eprintln!("vault: removed {name}");
    Ok(Exit::Success)
}

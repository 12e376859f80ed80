//! `vault keygen`: a fresh age identity for CI set-up.

use std::io::Write;

use age::secrecy::ExposeSecret;

use crate::cli::KeygenArgs;
use crate::error::{Error, Result};
use crate::exit::Exit;

/// Prints (or writes) a new identity; its recipient goes to stderr.
pub fn run(args: &KeygenArgs) -> Result<Exit> {
    // Checked before generating, so a refusal never shows a public key whose identity is
    // then thrown away (the write itself still refuses to replace anything, race or not).
    if let Some(path) = &args.output
        && std::fs::symlink_metadata(path).is_ok()
    {
        return Err(Error::new(
            Exit::CantCreate,
            format!(
                "refusing to overwrite {}: no identity was generated",
                path.display()
            ),
        )
        .hint("name a file that does not exist yet; an identity is never written over another"));
    }
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let secret = identity.to_string();
    let text = zeroize::Zeroizing::new(format!(
        "# created: {}\n# public key: {recipient}\n{}\n",
        crate::secrets::rfc3339(crate::secrets::now()),
        secret.expose_secret()
    ));
    match &args.output {
        Some(path) => {
            crate::store::write_new_file(path, text.as_bytes())?;
            eprintln!("vault: wrote a new identity to {}", path.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Error::io("stdout", &e))?;
        }
    }
    eprintln!("Public key: {recipient}");
    Ok(Exit::Success)
}

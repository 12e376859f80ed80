//! The CA bundle the child of `--net broker` trusts: the system roots plus the run's CA, in
//! a file (0600) inside a private directory (0700) that is removed when the run ends (the
//! [`Bundle`] is dropped), and the variables that point the usual clients at it.

use std::ffi::OsString;
use std::fs::{OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// Variables that name the bundle for the child: OpenSSL and everything built on it
/// (curl, Python's `ssl`, git), curl's own, Python requests, Node, git.
pub const ENV: &[&str] = &[
    "SSL_CERT_FILE",
    "CURL_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "GIT_SSL_CAINFO",
];

/// The bundle file of one run.
pub struct Bundle {
    dir: TempDir,
    path: PathBuf,
}

impl Bundle {
    /// Writes `pem` (the system roots and the run's CA) to a fresh private file.
    ///
    /// # Errors
    /// When the directory or the file cannot be made.
    pub fn write(pem: &str) -> io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("vault-broker-")
            .permissions(Permissions::from_mode(0o700))
            .tempdir()?;
        let path = dir.path().join("ca-bundle.pem");
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        // No fsync: the file lives only as long as the run and is removed at its end.
        f.write_all(pem.as_bytes())?;
        Ok(Self { dir, path })
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The private directory holding it.
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Sets [`ENV`] to the bundle in the child's environment, replacing any earlier value.
    pub fn child_env(&self, env: &mut Vec<(OsString, OsString)>) {
        env.retain(|(k, _)| !ENV.iter().any(|e| k == e));
        for e in ENV {
            env.push((OsString::from(e), self.path.clone().into_os_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_file_removed_on_drop() {
        let b = Bundle::write("PEM\n").expect("bundle");
        let path = b.path().to_path_buf();
        let dir = b.dir().to_path_buf();
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "PEM\n");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);
        let mut env = vec![(OsString::from("SSL_CERT_FILE"), OsString::from("/old"))];
        b.child_env(&mut env);
        assert_eq!(env.len(), ENV.len());
        assert!(env.iter().all(|(_, v)| v == path.as_os_str()));
        drop(b);
        assert!(!dir.exists());
    }
}

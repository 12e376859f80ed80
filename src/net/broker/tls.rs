//! TLS for the broker: the run's ephemeral certificate authority (made in memory with
//! rcgen, never written anywhere but the child's CA bundle, and only its certificate), leaf
//! certificates minted per host on demand and cached for the run, the rustls server
//! configuration towards the child (ALPN `http/1.1`) and the client configuration towards
//! the real host (system roots, plus `--net-ca FILE`).
//!
//! The crypto provider is ring: it builds from Rust and a little C with no cmake, where
//! aws-lc-rs compiles AWS-LC with cmake (see the commit adding these dependencies for the
//! numbers).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

/// How far back a certificate's validity starts (clock skew) and how long it lasts.
const SKEW: Duration = Duration::from_secs(3600);
const LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn err(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{what}: {e}"))
}

/// The run's certificate authority.
pub struct Authority {
    issuer: Issuer<'static, KeyPair>,
    ca_der: CertificateDer<'static>,
    ca_pem: String,
    leaves: Mutex<HashMap<String, Arc<ServerConfig>>>,
}

impl Authority {
    /// A fresh CA (ECDSA P-256), valid from an hour ago for a week.
    ///
    /// # Errors
    /// When key generation or signing fails.
    pub fn new() -> io::Result<Self> {
        let key = KeyPair::generate().map_err(|e| err("the broker CA key", e))?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "vault broker CA (this run only)");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let now = SystemTime::now();
        params.not_before = (now - SKEW).into();
        params.not_after = (now + LIFETIME).into();
        let cert = params
            .self_signed(&key)
            .map_err(|e| err("the broker CA certificate", e))?;
        Ok(Self {
            ca_der: cert.der().clone(),
            ca_pem: cert.pem(),
            issuer: Issuer::new(params, key),
            leaves: Mutex::new(HashMap::new()),
        })
    }

    /// The CA certificate, PEM.
    #[must_use]
    pub fn pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate, DER.
    #[must_use]
    pub fn der(&self) -> &CertificateDer<'static> {
        &self.ca_der
    }

    /// The server configuration presented to the child for `host` (a name or an IP
    /// address), minting its certificate the first time.
    ///
    /// # Errors
    /// When the host is not a valid name for a certificate, or signing fails.
    pub fn server_config(&self, host: &str) -> io::Result<Arc<ServerConfig>> {
        let mut leaves = self
            .leaves
            .lock()
            .map_err(|_| io::Error::other("the broker's certificate cache is poisoned"))?;
        if let Some(c) = leaves.get(host) {
            return Ok(Arc::clone(c));
        }
        let key = KeyPair::generate().map_err(|e| err("a leaf key", e))?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, host);
        params.distinguished_name = dn;
        params.subject_alt_names = vec![match host.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(
                host.to_string()
                    .try_into()
                    .map_err(|e| err("a certificate name", e))?,
            ),
        }];
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let now = SystemTime::now();
        params.not_before = (now - SKEW).into();
        params.not_after = (now + LIFETIME).into();
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(|e| err("a leaf certificate", e))?;
        let chain = vec![cert.der().clone(), self.ca_der.clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| err("TLS versions", e))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| err("the leaf certificate", e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let config = Arc::new(config);
        leaves.insert(host.to_string(), Arc::clone(&config));
        Ok(config)
    }
}

/// The system's trusted roots (as curl here uses them); unreadable ones are skipped.
#[must_use]
pub fn system_roots() -> Vec<CertificateDer<'static>> {
    rustls_native_certs::load_native_certs().certs
}

/// Every certificate in `path` (`--net-ca FILE`, PEM).
///
/// # Errors
/// When the file cannot be read or parsed, or holds no certificate.
pub fn extra_roots(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    let what = format!("--net-ca {}", path.display());
    let mut out = Vec::new();
    for c in CertificateDer::pem_file_iter(path).map_err(|e| err(&what, e))? {
        out.push(c.map_err(|e| err(&what, e))?);
    }
    if out.is_empty() {
        return Err(io::Error::other(format!(
            "{what}: no certificate in the file"
        )));
    }
    Ok(out)
}

/// The client configuration towards real hosts: verified against `roots`, ALPN
/// `http/1.1` only (the broker speaks HTTP/1.1 on both sides).
///
/// # Errors
/// When the roots hold no usable certificate (pass `--net-ca FILE`).
pub fn client_config(roots: &[CertificateDer<'static>]) -> io::Result<Arc<ClientConfig>> {
    let mut store = RootCertStore::empty();
    let (added, _ignored) = store.add_parsable_certificates(roots.iter().cloned());
    if added == 0 {
        return Err(io::Error::other(
            "no trusted root certificate found on this system (pass --net-ca FILE)",
        ));
    }
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| err("TLS versions", e))?
        .with_root_certificates(store)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// PEM text of certificates (for the child's bundle).
#[must_use]
pub fn pem_of(certs: &[CertificateDer<'_>]) -> String {
    let mut out = String::new();
    for c in certs {
        let b64 = base64::engine::general_purpose::STANDARD.encode(c.as_ref());
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            // Base64 is ASCII.
            let _ = writeln!(out, "{}", String::from_utf8_lossy(line));
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mints_and_caches_leaves() {
        let ca = Authority::new().expect("ca");
        assert!(ca.pem().starts_with("-----BEGIN CERTIFICATE-----"));
        let a = ca.server_config("example.com").expect("leaf");
        let b = ca.server_config("example.com").expect("leaf");
        assert!(Arc::ptr_eq(&a, &b), "one certificate per host per run");
        assert_eq!(a.alpn_protocols, vec![b"http/1.1".to_vec()]);
        ca.server_config("127.0.0.1").expect("an IP address leaf");
        ca.server_config("::1").expect("an IPv6 leaf");
        // Two runs, two CAs.
        let other = Authority::new().expect("ca");
        assert_ne!(other.der(), ca.der());
    }

    #[test]
    fn pem_round_trips() {
        let ca = Authority::new().expect("ca");
        let pem = pem_of(std::slice::from_ref(ca.der()));
        let back: Vec<_> = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<_, _>>()
            .expect("parse");
        assert_eq!(back, vec![ca.der().clone()]);
    }

    #[test]
    fn extra_ca_file_errors() {
        let dir = tempfile::tempdir().expect("dir");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "nothing here\n").expect("write");
        let e = extra_roots(&empty).expect_err("no cert");
        assert!(e.to_string().contains("no certificate in the file"), "{e}");
        let missing = dir.path().join("missing.pem");
        assert!(extra_roots(&missing).is_err());
        let ok = dir.path().join("ok.pem");
        let ca = Authority::new().expect("ca");
        std::fs::write(&ok, ca.pem()).expect("write");
        assert_eq!(extra_roots(&ok).expect("one"), vec![ca.der().clone()]);
    }
}

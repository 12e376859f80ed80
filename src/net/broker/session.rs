//! One run's broker, as `cmd/run.rs` drives it: which injected secrets are brokered (all but
//! those whose policy says `broker = "never"`), their stand-ins, the [`Broker`] the proxy
//! hands allowed connections to, the child's CA bundle, and the view of the store the
//! child's environment and `{{secure.NAME}}` placeholders are built from (stand-ins in
//! place of brokered values).

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::bundle::Bundle;
use super::{Broker, Secret};
use crate::egress::policy::Brokering;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::net::standin;
use crate::secret::{SecretName, SecretValue};
use crate::secrets::{Contents, Entry};

/// The broker side of one `--net broker` run.
pub struct Session {
    pub broker: Arc<Broker>,
    bundle: Bundle,
    /// (name, stand-in) of each brokered secret.
    stand_ins: Vec<(String, Vec<u8>)>,
    /// Injected secrets the child holds for real (`broker = "never"`).
    real: Vec<String>,
}

impl Session {
    /// Draws stand-ins for the injected secrets that are brokered, makes the run's CA and
    /// writes the child's bundle.
    ///
    /// # Errors
    /// A secret too short to broker (hint: `--broker never`), an unreadable `--net-ca`, no
    /// trusted roots, or the bundle cannot be written; all `Exit::Unavailable`.
    pub fn prepare(
        contents: &Contents,
        injected: &[SecretName],
        extra_ca: Option<&Path>,
    ) -> Result<Session> {
        let mut brokered: Vec<(&str, &Entry)> = Vec::new();
        let mut real = Vec::new();
        for name in injected {
            if let Some(e) = contents.get(name) {
                if e.policy.broker == Brokering::Never {
                    real.push(name.to_string());
                } else {
                    brokered.push((name.as_str(), e));
                }
            }
        }
        let values: Vec<(&str, &[u8])> = brokered
            .iter()
            .map(|(n, e)| (*n, e.value.expose()))
            .collect();
        let stand_ins = standin::stand_ins(&values).map_err(|e| {
            Error::new(Exit::Unavailable, format!("--net broker: {e}")).hint(
                "inject it for real with `vault policy set NAME --broker never …` (then --net strict rules apply to it)",
            )
        })?;
        let secrets: Vec<Secret> = brokered
            .iter()
            .zip(&stand_ins)
            .map(|((name, e), s)| Secret {
                name: (*name).to_string(),
                value: Zeroizing::new(e.value.expose().to_vec()),
                stand_in: s.clone(),
                policy: e.policy.clone(),
                body: e.policy.broker == Brokering::Body,
            })
            .collect();
        let broker = Broker::new(secrets, extra_ca)
            .map_err(|e| Error::new(Exit::Unavailable, format!("--net broker: {e}")))?;
        let bundle = broker
            .bundle()
            .map_err(|e| Error::io("the broker's CA bundle", &e))?;
        Ok(Session {
            broker: Arc::new(broker),
            bundle,
            stand_ins: brokered
                .iter()
                .map(|(n, _)| (*n).to_string())
                .zip(stand_ins)
                .collect(),
            real,
        })
    }

    /// Names of the brokered secrets.
    pub fn brokered(&self) -> impl Iterator<Item = &str> {
        self.stand_ins.iter().map(|(n, _)| n.as_str())
    }

    /// Names of the injected secrets the child holds for real.
    #[must_use]
    pub fn real(&self) -> &[String] {
        &self.real
    }

    /// The store as the child may see it: every brokered value replaced by its stand-in
    /// (other entries copied as they are).
    #[must_use]
    pub fn child_contents(&self, contents: &Contents) -> Contents {
        let mut view = Contents::new(contents.recipients.clone());
        for (name, e) in &contents.secrets {
            let value = match self.stand_ins.iter().find(|(n, _)| n == name) {
                Some((_, s)) => s.clone(),
                None => e.value.expose().to_vec(),
            };
            view.secrets.insert(
                name.clone(),
                Entry::new(
                    SecretValue::new(Zeroizing::new(value)),
                    e.created,
                    e.description.clone(),
                    e.policy.clone(),
                ),
            );
        }
        view
    }

    /// Points the child's TLS clients at the run's bundle.
    pub fn child_env(&self, env: &mut Vec<(OsString, OsString)>) {
        self.bundle.child_env(env);
    }

    /// The bundle's path.
    #[must_use]
    pub fn bundle_path(&self) -> &Path {
        self.bundle.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::egress::Policy;

    fn contents() -> Contents {
        let mut c = Contents::new(Vec::new());
        let mut add = |name: &str, value: &str, broker: Brokering| {
            let mut policy = Policy::from_lists(&["api.example.com"], &[], &[]).expect("policy");
            policy.broker = broker;
            c.secrets.insert(
                name.to_string(),
                Entry::new(
                    SecretValue::new(Zeroizing::new(value.as_bytes().to_vec())),
                    1,
                    None,
                    policy,
                ),
            );
        };
        add(
            "TOKEN",
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            Brokering::Headers,
        );
        add(
            "DB_PASSWORD",
            "correct horse battery staple",
            Brokering::Never,
        );
        add("OTHER", "not-injected-0123456789abcdef", Brokering::Headers);
        c
    }

    #[test]
    fn brokered_secrets_become_stand_ins_in_the_childs_view() {
        let c = contents();
        let injected = vec![
            SecretName::parse("TOKEN").expect("name"),
            SecretName::parse("DB_PASSWORD").expect("name"),
        ];
        let s = Session::prepare(&c, &injected, None).expect("session");
        assert_eq!(s.brokered().collect::<Vec<_>>(), vec!["TOKEN"]);
        assert_eq!(s.real(), ["DB_PASSWORD".to_string()]);
        let view = s.child_contents(&c);
        let get = |c: &Contents, n: &str| {
            c.get(&SecretName::parse(n).expect("name"))
                .expect("entry")
                .value
                .expose()
                .to_vec()
        };
        let token = get(&view, "TOKEN");
        assert_ne!(token, get(&c, "TOKEN"));
        assert!(token.starts_with(b"ghp_"));
        assert_eq!(get(&view, "DB_PASSWORD"), get(&c, "DB_PASSWORD"));
        let mut env = Vec::new();
        s.child_env(&mut env);
        assert!(
            env.iter()
                .any(|(k, v)| k == "SSL_CERT_FILE" && v == s.bundle_path().as_os_str())
        );
        let pem = std::fs::read_to_string(s.bundle_path()).expect("bundle");
        assert!(
            pem.ends_with(s.broker.ca_pem()),
            "the run's CA is in the bundle"
        );
    }

    #[test]
    fn a_value_too_short_to_broker_refuses_the_run() {
        let mut c = contents();
        c.secrets.insert(
            "PIN".to_string(),
            Entry::new(
                SecretValue::new(Zeroizing::new(b"1234".to_vec())),
                1,
                None,
                Policy::default(),
            ),
        );
        let e = Session::prepare(&c, &[SecretName::parse("PIN").expect("name")], None)
            .err()
            .expect("refused");
        assert_eq!(e.exit, Exit::Unavailable);
        assert!(
            e.message.contains("PIN is too short to broker"),
            "{}",
            e.message
        );
    }
}

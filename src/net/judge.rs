//! Which hosts the child may reach under `--net strict|broker`: one pure rule for both modes,
//! built on the same per-secret policies, host normalisation and patterns as the argv check.
//!
//! A connection to `host:port` is allowed when
//! 1. every secret injected for real (every injected secret under `strict`; under `broker`
//!    those not brokered) allows it: any `deny` or no rule refuses, a `confirm` needs an
//!    approval; and
//! 2. under `strict`: it matches an `--allow-host` pattern when any was given, and some
//!    secret is injected when none was (a run with no secret and no `--allow-host` reaches
//!    nothing); under `broker`: it matches an `--allow-host` pattern, or some brokered
//!    secret's policy allows it.
//!
//! So `--allow-host` can only narrow what the injected secrets allow, never widen it.

use crate::egress::normalize;
use crate::egress::{HostPattern, Policy, Verdict};

/// The rules of one run.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Secrets the child holds for real: (name, policy).
    pub real: Vec<(String, Policy)>,
    /// Secrets the child holds only as a stand-in (`broker`; empty under `strict`).
    pub brokered: Vec<(String, Policy)>,
    /// `--allow-host` patterns.
    pub allow_hosts: Vec<HostPattern>,
    /// `--net broker` (else `strict`).
    pub broker: bool,
}

/// The decision on one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    Allow,
    /// Allowed only with an approval for these (secret, `host:port`) pairs.
    Confirm(Vec<(String, String)>),
    /// Refused, with a one-line reason.
    Deny(String),
}

/// A host as the child named it, normalised as the argv check does (IDNA, case, trailing
/// dot, IPv4 shorthand, IPv6 brackets).
///
/// # Errors
/// A one-line reason when the host is not a valid name or address.
pub fn normalise(raw: &str) -> Result<String, String> {
    normalize::host(raw).map_err(|e| format!("the host cannot be checked: {e}"))
}

impl Rules {
    /// Judge a normalised host on a port.
    #[must_use]
    pub fn judge(&self, host: &str, port: u16) -> Judgement {
        let shown = normalize::display_host_port(host, Some(port));
        let mut confirm = Vec::new();
        for (name, policy) in &self.real {
            match policy.verdict(host, Some(port)) {
                Verdict::Allow => {}
                Verdict::Confirm(_) => confirm.push((name.clone(), shown.clone())),
                Verdict::Deny(rule) => {
                    return Judgement::Deny(format!("{name} may not be sent to {shown} ({rule})"));
                }
            }
        }
        let listed = self.allow_hosts.iter().any(|p| p.matches(host, port));
        if self.broker {
            if !listed {
                let mut brokered_ok = false;
                for (name, policy) in &self.brokered {
                    match policy.verdict(host, Some(port)) {
                        Verdict::Allow => brokered_ok = true,
                        Verdict::Confirm(_) => {
                            brokered_ok = true;
                            confirm.push((name.clone(), shown.clone()));
                        }
                        Verdict::Deny(_) => {}
                    }
                }
                if !brokered_ok {
                    return Judgement::Deny(format!(
                        "{shown} is allowed by no --allow-host pattern and no brokered secret's policy"
                    ));
                }
            }
        } else if !self.allow_hosts.is_empty() && !listed {
            return Judgement::Deny(format!("{shown} matches no --allow-host pattern"));
        } else if self.allow_hosts.is_empty() && self.real.is_empty() {
            return Judgement::Deny(format!(
                "{shown}: no secret is injected and no --allow-host pattern was given"
            ));
        }
        if confirm.is_empty() {
            Judgement::Allow
        } else {
            Judgement::Confirm(confirm)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Judgement, Rules, normalise};
    use crate::egress::{HostPattern, Policy};

    fn policy(allow: &[&str], confirm: &[&str], deny: &[&str]) -> Policy {
        Policy::from_lists(allow, confirm, deny).unwrap()
    }

    fn pats(p: &[&str]) -> Vec<HostPattern> {
        p.iter().map(|s| HostPattern::parse(s).unwrap()).collect()
    }

    #[test]
    fn nothing_injected_reaches_only_allow_hosts() {
        let mut r = Rules::default();
        assert!(matches!(r.judge("example.com", 443), Judgement::Deny(_)));
        r.allow_hosts = pats(&["example.com:443"]);
        assert_eq!(r.judge("example.com", 443), Judgement::Allow);
        assert!(matches!(r.judge("example.com", 80), Judgement::Deny(_)));
    }

    #[test]
    fn every_secret_must_allow_and_allow_host_only_narrows() {
        let mut r = Rules {
            real: vec![
                (
                    "A".into(),
                    policy(&["*.example.com", "api.other.com"], &[], &[]),
                ),
                ("B".into(), policy(&["api.example.com"], &[], &[])),
            ],
            ..Rules::default()
        };
        assert_eq!(r.judge("api.example.com", 443), Judgement::Allow);
        let Judgement::Deny(why) = r.judge("api.other.com", 443) else {
            panic!()
        };
        assert!(
            why.starts_with("B may not be sent to api.other.com:443"),
            "{why}"
        );
        r.allow_hosts = pats(&["api.other.com", "api.example.com"]);
        assert!(matches!(r.judge("api.other.com", 443), Judgement::Deny(_)));
        r.allow_hosts = pats(&["nothing.test"]);
        assert!(matches!(
            r.judge("api.example.com", 443),
            Judgement::Deny(_)
        ));
    }

    #[test]
    fn confirm_and_deny_rules() {
        let r = Rules {
            real: vec![("A".into(), policy(&["*"], &["*.corp.test"], &["evil.test"]))],
            ..Rules::default()
        };
        assert!(matches!(r.judge("evil.test", 1), Judgement::Deny(_)));
        assert_eq!(
            r.judge("x.corp.test", 443),
            Judgement::Confirm(vec![("A".into(), "x.corp.test:443".into())])
        );
    }

    #[test]
    fn broker_needs_a_brokered_allow_or_allow_host() {
        let mut r = Rules {
            real: vec![("DB".into(), policy(&["*"], &[], &[]))],
            brokered: vec![("GH".into(), policy(&["api.github.com"], &[], &[]))],
            broker: true,
            ..Rules::default()
        };
        assert_eq!(r.judge("api.github.com", 443), Judgement::Allow);
        assert!(matches!(r.judge("example.com", 443), Judgement::Deny(_)));
        r.allow_hosts = pats(&["example.com"]);
        assert_eq!(r.judge("example.com", 443), Judgement::Allow);
        r.real = vec![("DB".into(), policy(&["db.test"], &[], &[]))];
        assert!(matches!(r.judge("example.com", 443), Judgement::Deny(_)));
    }

    #[test]
    fn hosts_are_normalised_like_argv() {
        assert_eq!(normalise("EXAMPLE.com.").unwrap(), "example.com");
        assert_eq!(normalise("0x7f.1").unwrap(), "127.0.0.1");
        assert_eq!(normalise("[::1]").unwrap(), "::1");
        assert!(normalise("a b").is_err());
    }
}

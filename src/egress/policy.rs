//! Per-secret egress policy: the stored `allow` / `confirm` / `deny` lists
//! and their one-line summary.

use serde::{Deserialize, Serialize};

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
            "no hosts allowed".to_string()
        } else {
            parts.join("; ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

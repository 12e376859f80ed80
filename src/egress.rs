//! TEMPORARY placeholder until the egress module lands (replaced wholesale).
#![allow(missing_docs)]
use serde::{Deserialize, Serialize};
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    #[serde(default)]
    pub allow: Vec<HostPattern>,
    #[serde(default)]
    pub confirm: Vec<HostPattern>,
    #[serde(default)]
    pub deny: Vec<HostPattern>,
}
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostPattern(String);
impl HostPattern {
    pub fn parse(s: &str) -> Result<HostPattern, String> {
        if s.contains('/') { return Err("a path".into()) }
        Ok(HostPattern(s.to_string()))
    }
}
impl std::fmt::Display for HostPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(&self.0) }
}
impl Policy {
    pub fn is_empty(&self) -> bool { self.allow.is_empty() && self.confirm.is_empty() && self.deny.is_empty() }
    pub fn summary(&self) -> String { String::new() }
}

//! Network-level egress for `vault run --net strict|broker` (issue #11).
//!
//! Rooms: `standin.rs` (the stand-ins the child holds under `broker`, pure) and `broker.rs`
//! (the credential broker the proxy hands allowed connections to).

pub mod broker;
pub mod standin;

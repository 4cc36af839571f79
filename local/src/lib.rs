//! `hopx-local`: the local HopX engine.
//!
//! It serves the HopX control plane and, for each sandbox, an agent on its own loopback port,
//! so every client (ours or the official SDKs) takes the same path as against the cloud.

pub mod embedded;
pub mod spawn;

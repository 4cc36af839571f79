//! `hopx-local`: the local HopX engine.
//!
//! It serves the HopX control plane and, for each sandbox, an agent on its own loopback port,
//! so every client (ours or the official SDKs) takes the same path as against the cloud.
//!
//! Layers, each using only those below it (`tests/layers.rs` checks): `http` (the two planes,
//! the transport) → `engine` (the sandboxes and their life cycle) → `exec` (running code:
//! one-shot, commands, the Python kernel, background runs) → `spawn` (starting isolated
//! processes). `ids` is a leaf every layer uses; `server` and `embedded` assemble the layers.

pub mod embedded;
pub mod engine;
pub mod exec;
pub mod http;
pub mod ids;
pub mod server;
pub mod spawn;

pub use engine::config::EngineConfig;
pub use engine::Engine;
pub use server::Server;

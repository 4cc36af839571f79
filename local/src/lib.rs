//! `hopx-local`: the local HopX engine.
//!
//! It serves the HopX control plane and, for each sandbox, an agent on its own loopback port,
//! so every client (ours or the official SDKs) takes the same path as against the cloud.
//!
//! Layers, each using only those below it (`tests/layers.rs` checks): `http` (the two planes,
//! the transport) → `engine` (the sandboxes and their life cycle) → `exec` (running code:
//! one-shot, commands, the Python kernel, background runs) → `spawn` (starting isolated
//! processes). `ids` is a leaf every layer uses; `server`, `embedded` and `shared` (one engine per user,
//! across processes) assemble the layers.

pub mod embedded;
mod engine;
mod exec;
mod files;
mod http;
mod ids;
mod server;
pub mod shared;
#[cfg(not(feature = "test-hooks"))]
mod spawn;
// The isolation suites and `examples/isolation_cost.rs` drive the spawner directly.
#[cfg(feature = "test-hooks")]
pub mod spawn;

pub use engine::config::EngineConfig;
pub use engine::Engine;
pub use server::{stop_signal, Server};
pub use spawn::Limits;
// The isolation suites find the sandbox Python the way the engine does.
#[cfg(feature = "test-hooks")]
pub use exec::language::Runtimes;

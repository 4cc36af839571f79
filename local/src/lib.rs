//! `hopx-local`: the local HopX engine.
//!
//! It serves the HopX control plane and, for each sandbox, an agent on its own loopback port,
//! so every client (ours or the official SDKs) takes the same path as against the cloud.

pub mod background;
pub mod cleanup;
pub mod config;
pub mod embedded;
pub mod engine;
pub mod error;
pub mod exec;
pub mod http;
pub mod ids;
pub mod kernel;
pub mod pool;
pub mod sandbox;
pub mod seed;
pub mod server;
pub mod spawn;
pub mod template;

pub use config::EngineConfig;
pub use engine::Engine;
pub use server::Server;

//! `hopx-core`: the async client of the HopX sandbox protocol.
//!
//! It speaks to a control plane (`/v1/sandboxes`, API key) and to the agent of each sandbox
//! (`POST /execute`, bearer token). The backend is the HopX cloud, a standalone
//! `hopx-local serve`, or the local engine embedded in this process (see [`config`]).
//! The crate owns no runtime: every call is a future for the caller's tokio runtime.

// `Error` is a plain struct that the bindings read field by field; errors are rare, so its
// size on the `Err` path costs nothing worth boxing it for.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod error;
pub mod models;
pub mod per_process;

mod agent;
mod cache;
mod client;
mod commands;
mod control;
mod debug;
mod env;
mod files;
mod http;
mod introspect;
mod local_engine;
mod preview;
mod retry;
mod run_check;
mod run_variants;
mod sandbox;
mod stream;
mod terminal;
mod token;
mod transfer;
mod watch;
mod ws;

pub use cache::Cache;
pub use client::Client;
pub use commands::{CommandOptions, CommandResult, DEFAULT_COMMAND_TIMEOUT};
pub use config::{Backend, ClientConfig, DEFAULT_BASE_URL};
pub use env::{Env, EnvVars, MASKED};
pub use error::{Error, ErrorKind, Plane, Result};
pub use files::{Files, Progress};
pub use hopx_wire::{FileChange, FileInfo};
pub use introspect::{ExpiryInfo, EXPIRY_WARNING_SECONDS};
#[cfg(feature = "local")]
pub use local_engine::serve_shared_engine;
pub use local_engine::set_engine_launcher;
pub use models::{
    CreateOptions, ExecutionError, ExecutionResult, ListOptions, Resources, RichOutput, RunOptions,
    SandboxInfo, DEFAULT_BACKGROUND_TIMEOUT, DEFAULT_RUN_TIMEOUT, DEFAULT_TEMPLATE, MAX_BACKGROUND_TIMEOUT,
    MAX_RUN_TIMEOUT,
};
pub use run_check::check_run;
pub use run_variants::{Webhook, DEFAULT_ASYNC_TIMEOUT};
pub use sandbox::{Sandbox, MAX_CODE_BYTES};
pub use stream::{event_of, ExecutionStream, SharedStream, StreamEvent};
pub use terminal::TerminalSession;
pub use watch::FileWatch;

//! `Sandbox`: the native handle the facade's `Sandbox` class wraps, and the calls that make one.
//!
//! Each entry point resolves its own `Client` (cheap: connections and the embedded engine are
//! shared process-wide by the core). Futures run on napi's tokio runtime, whose threads do not
//! keep Node's event loop alive; the embedded engine runs on a runtime of its own.

use crate::commands::Commands;
use crate::convert::{duration, ClientArgs, CreateArgs, ExecutionResult, ListArgs, RunArgs, SandboxInfo};
use crate::env::Env;
use crate::errors::IntoJs;
use crate::files::Files;
use crate::stream::ExecutionStream;
use crate::terminal::TerminalSession;
use hopx_core as hcore;
use napi::Result;
use napi_derive::napi;
use serde_json::Value;

/// A handle to one sandbox.
#[napi]
pub struct Sandbox {
    inner: hcore::Sandbox,
}

impl Sandbox {
    /// A clone of the core handle, for calls that outlive `&self` (napi's async methods).
    pub(crate) fn core(&self) -> hcore::Sandbox {
        self.inner.clone()
    }

    /// The handle the facade sees of a core sandbox.
    pub(crate) fn wrap(inner: hcore::Sandbox) -> Sandbox {
        Sandbox { inner }
    }
}

#[napi]
impl Sandbox {
    /// The sandbox id.
    #[napi(getter)]
    pub fn sandbox_id(&self) -> String {
        self.inner.id().to_string()
    }

    /// Whether `kill()` has succeeded on this handle.
    #[napi(getter)]
    pub fn killed(&self) -> bool {
        self.inner.is_killed()
    }

    /// The sandbox's file calls (`sandbox.files`).
    #[napi(getter)]
    pub fn files(&self) -> Files {
        Files::new(self.inner.files())
    }

    /// The sandbox's shell commands (`sandbox.commands`).
    #[napi(getter)]
    pub fn commands(&self) -> Commands {
        Commands::new(self.inner.clone())
    }

    /// The sandbox-wide environment variables (`sandbox.env`).
    #[napi(getter)]
    pub fn env(&self) -> Env {
        Env::new(self.inner.env())
    }

    /// `GET /terminal` (WebSocket): an interactive bash of `cols` x `rows` characters;
    /// `timeout` (seconds) bounds the opening.
    #[napi(catch_unwind)]
    pub async fn terminal_connect(
        &self,
        cols: i64,
        rows: i64,
        timeout: Option<f64>,
    ) -> Result<TerminalSession> {
        let sandbox = self.inner.clone();
        let session = sandbox.terminal(cols, rows, duration(timeout)?).await.js()?;
        Ok(TerminalSession::new(session))
    }

    /// `GET /v1/sandboxes/{id}`.
    #[napi(catch_unwind)]
    pub async fn get_info(&self) -> Result<SandboxInfo> {
        let sandbox = self.inner.clone();
        Ok(sandbox.info().await.js()?.into())
    }

    /// Runs code and waits for the outcome.
    #[napi(catch_unwind)]
    pub async fn run_code(&self, code: String, options: RunArgs) -> Result<ExecutionResult> {
        let sandbox = self.inner.clone();
        Ok(sandbox.run_code(&code, options.into()).await.js()?.into())
    }

    /// Starts a run on `/execute/stream`: its messages arrive while it runs.
    #[napi(catch_unwind)]
    pub async fn run_code_stream(&self, code: String, options: RunArgs) -> Result<ExecutionStream> {
        let sandbox = self.inner.clone();
        Ok(ExecutionStream::new(sandbox.run_code_stream(&code, options.into()).await.js()?))
    }

    /// `POST /execute/background`: the agent's description of the started run (wire fields).
    #[napi(catch_unwind)]
    pub async fn run_code_background(
        &self,
        code: String,
        options: RunArgs,
        name: Option<String>,
    ) -> Result<Value> {
        let sandbox = self.inner.clone();
        sandbox.run_code_background(&code, options.into(), name.as_deref()).await.js()
    }

    /// `GET /execute/processes`: the background runs (wire fields).
    #[napi(catch_unwind)]
    pub async fn list_processes(&self) -> Result<Vec<Value>> {
        let sandbox = self.inner.clone();
        sandbox.list_processes().await.js()
    }

    /// `POST /execute/kill/{id}`: stops a background run.
    #[napi(catch_unwind)]
    pub async fn kill_process(&self, process_id: String) -> Result<Value> {
        let sandbox = self.inner.clone();
        sandbox.kill_process(&process_id).await.js()
    }

    /// `DELETE /v1/sandboxes/{id}`.
    #[napi(catch_unwind)]
    pub async fn kill(&self) -> Result<()> {
        let sandbox = self.inner.clone();
        sandbox.kill().await.js()
    }

    /// `POST /v1/sandboxes/{id}/pause`.
    #[napi(catch_unwind)]
    pub async fn pause(&self) -> Result<()> {
        let sandbox = self.inner.clone();
        sandbox.pause().await.js()
    }

    /// `POST /v1/sandboxes/{id}/resume`.
    #[napi(catch_unwind)]
    pub async fn resume(&self) -> Result<()> {
        let sandbox = self.inner.clone();
        sandbox.resume().await.js()
    }

    /// `PUT /v1/sandboxes/{id}/timeout` (whole seconds, from now).
    #[napi(catch_unwind)]
    pub async fn set_timeout(&self, seconds: u32) -> Result<()> {
        let sandbox = self.inner.clone();
        sandbox.set_timeout(u64::from(seconds)).await.js()
    }
}

/// Checks a run's arguments as the run will (ranges and limits are the core's), at once: a
/// stream only starts on its first read. `background` selects a background run's limits.
#[napi]
pub fn check_run(code: String, options: RunArgs, background: bool) -> Result<()> {
    hcore::check_run(&code, &options.into(), background).map(drop).js()
}

/// The template of a sandbox created without `template` or `templateId`.
#[napi]
pub fn default_template() -> &'static str {
    hcore::DEFAULT_TEMPLATE
}

/// Creates a sandbox on the chosen backend.
#[napi(catch_unwind)]
pub async fn create_sandbox(client: ClientArgs, options: CreateArgs) -> Result<Sandbox> {
    let client = hcore::Client::new(client.into()).await.js()?;
    let inner = client.create_sandbox(options.into()).await.js()?;
    Ok(Sandbox { inner })
}

/// A handle to an existing running (or paused, then resumed) sandbox.
#[napi(catch_unwind)]
pub async fn connect_sandbox(client: ClientArgs, sandbox_id: String) -> Result<Sandbox> {
    let client = hcore::Client::new(client.into()).await.js()?;
    let inner = client.connect(&sandbox_id).await.js()?;
    Ok(Sandbox { inner })
}

/// Handles to the sandboxes the control plane lists (one page).
#[napi(catch_unwind)]
pub async fn list_sandboxes(client: ClientArgs, options: ListArgs) -> Result<Vec<Sandbox>> {
    let client = hcore::Client::new(client.into()).await.js()?;
    let listed = client.list_sandboxes(options.into()).await.js()?;
    Ok(listed.into_iter().map(|(inner, _info)| Sandbox { inner }).collect())
}

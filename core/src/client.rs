//! `Client`: one resolved backend plus the HTTP machinery shared by all its sandboxes.

use crate::config::ClientConfig;
use crate::models::{CreateOptions, ListOptions, SandboxInfo};
use crate::sandbox::Sandbox;
use crate::Result;

/// A connection to one control plane. Cheap to clone; clones share connections and tokens.
#[derive(Clone)]
pub struct Client {
    // Filled by the implementation: backend, control-plane client, token cache.
}

impl Client {
    /// Resolves the backend (starting the embedded engine if that is the choice).
    pub async fn new(config: ClientConfig) -> Result<Client> {
        let _ = config;
        todo!()
    }

    /// `POST /v1/sandboxes`; returns once the sandbox's agent answers.
    pub async fn create_sandbox(&self, options: CreateOptions) -> Result<Sandbox> {
        let _ = options;
        todo!()
    }

    /// A handle to an existing sandbox (checks it exists and is running or paused).
    pub async fn connect(&self, sandbox_id: &str) -> Result<Sandbox> {
        let _ = sandbox_id;
        todo!()
    }

    /// `GET /v1/sandboxes`.
    pub async fn list(&self, options: ListOptions) -> Result<Vec<SandboxInfo>> {
        let _ = options;
        todo!()
    }
}

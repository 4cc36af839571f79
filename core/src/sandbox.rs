//! `Sandbox`: a handle to one sandbox, joining its control-plane record and its agent.

use crate::models::{ExecutionResult, RunOptions, SandboxInfo};
use crate::Result;

/// One sandbox. Cheap to clone; after [`Sandbox::kill`] every call fails with a clear error.
#[derive(Clone)]
pub struct Sandbox {}

impl Sandbox {
    /// The sandbox id.
    pub fn id(&self) -> &str {
        todo!()
    }

    /// `GET /v1/sandboxes/{id}`.
    pub async fn info(&self) -> Result<SandboxInfo> {
        todo!()
    }

    /// `POST {agent}/execute`. Validates options first; never retried once sent.
    pub async fn run_code(&self, code: &str, options: RunOptions) -> Result<ExecutionResult> {
        let _ = (code, options);
        todo!()
    }

    /// `DELETE /v1/sandboxes/{id}`.
    pub async fn kill(&self) -> Result<()> {
        todo!()
    }

    /// `PUT /v1/sandboxes/{id}/timeout`.
    pub async fn set_timeout(&self, seconds: u64) -> Result<()> {
        let _ = seconds;
        todo!()
    }

    /// `POST /v1/sandboxes/{id}/token/refresh`, updating the cached agent token.
    pub async fn refresh_token(&self) -> Result<()> {
        todo!()
    }
}

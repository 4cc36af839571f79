//! What a sandbox tells about itself (hopx-core's `introspect.rs`): its agent's health,
//! description and metrics, its processes and kernel sessions, its time left and its token.
//! Answers are the agent's JSON as it is; the facade shapes `ExpiryInfo`.

use crate::errors::IntoJs;
use crate::sandbox::Sandbox;
use napi::Result;
use napi_derive::napi;
use serde_json::Value;

#[napi]
impl Sandbox {
    /// Whether the agent answers `/health` as healthy (never rejects).
    #[napi(catch_unwind)]
    pub async fn is_healthy(&self) -> Result<bool> {
        Ok(self.core().is_healthy().await)
    }

    /// Rejects unless the sandbox can take work (expired, not running, agent unhealthy).
    #[napi(catch_unwind)]
    pub async fn ensure_healthy(&self) -> Result<()> {
        self.core().ensure_healthy().await.js()
    }

    /// `GET {agent}/health`.
    #[napi(catch_unwind)]
    pub async fn get_health(&self) -> Result<Value> {
        self.core().health().await.js()
    }

    /// `GET {agent}/info`.
    #[napi(catch_unwind)]
    pub async fn get_agent_info(&self) -> Result<Value> {
        self.core().agent_info().await.js()
    }

    /// `GET {agent}/metrics/snapshot`.
    #[napi(catch_unwind)]
    pub async fn get_metrics_snapshot(&self) -> Result<Value> {
        self.core().metrics_snapshot().await.js()
    }

    /// `GET {agent}/processes`: the processes running in the sandbox.
    #[napi(catch_unwind)]
    pub async fn list_system_processes(&self) -> Result<Vec<Value>> {
        self.core().system_processes().await.js()
    }

    /// `GET {agent}/jupyter/sessions`.
    #[napi(catch_unwind)]
    pub async fn get_jupyter_sessions(&self) -> Result<Vec<Value>> {
        self.core().jupyter_sessions().await.js()
    }

    /// When the sandbox expires (snake_case fields); "soon" is `threshold` seconds or less.
    #[napi(catch_unwind)]
    pub async fn get_expiry_info(&self, threshold: i64) -> Result<Value> {
        let info = self.core().expiry_info(threshold).await.js()?;
        serde_json::to_value(info).map_err(|e| napi::Error::from_reason(e.to_string()))
    }

    /// The agent's base URL.
    #[napi(catch_unwind)]
    pub async fn agent_url(&self) -> Result<String> {
        self.core().resolved_agent_url().await.js()
    }

    /// Fetches a fresh agent token.
    #[napi(catch_unwind)]
    pub async fn refresh_token(&self) -> Result<()> {
        self.core().refresh_token().await.js()
    }

    /// The agent token calls use.
    #[napi(catch_unwind)]
    pub async fn get_token(&self) -> Result<String> {
        self.core().token().await.js()
    }
}

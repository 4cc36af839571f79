//! `sandbox.cache`: the agent's cache of execution results (`GET /cache/stats`,
//! `POST /cache/clear`). The local engine's is the store of finished background runs.

use crate::agent;
use crate::retry::IDEMPOTENT;
use crate::sandbox::Sandbox;
use crate::Result;
use serde_json::{json, Value};

/// The cache calls of one sandbox. Cheap to clone.
#[derive(Clone)]
pub struct Cache {
    sandbox: Sandbox,
}

impl Cache {
    /// `GET /cache/stats`: `{cache: {size, max_size, total_hits, ...}, timestamp}`.
    pub async fn stats(&self) -> Result<Value> {
        self.sandbox.ensure_alive()?;
        let http = &self.sandbox.client().control().http()?;
        self.sandbox
            .agent_call(&IDEMPOTENT, |url, tok| async move {
                agent::get(http, &format!("{url}/cache/stats"), &tok).await
            })
            .await
    }

    /// `POST /cache/clear`: forgets the kept results; answers `{message, entries_removed}`.
    /// Clearing twice is harmless, so it retries like a read.
    pub async fn clear(&self) -> Result<Value> {
        self.sandbox.ensure_alive()?;
        let http = &self.sandbox.client().control().http()?;
        self.sandbox
            .agent_call(&IDEMPOTENT, |url, tok| async move {
                agent::post(http, &format!("{url}/cache/clear"), &tok, &json!({})).await
            })
            .await
    }
}

impl Sandbox {
    /// The sandbox's execution-result cache.
    pub fn cache(&self) -> Cache {
        Cache { sandbox: self.clone() }
    }
}

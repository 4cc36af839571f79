//! The other ways to run code (hopx-core's `run_variants.rs`): in the IPython kernel
//! (`runIpython`) and with the result POSTed to a webhook (`runCodeAsync`); and the preview
//! URL of a port in the sandbox.

use crate::convert::{ExecutionResult, RunArgs};
use crate::errors::IntoJs;
use crate::sandbox::Sandbox;
use hopx_core as hcore;
use napi::Result;
use napi_derive::napi;
use serde_json::Value;
use std::collections::HashMap;

/// Where and how the agent delivers a webhook run's result.
#[napi(object)]
pub struct WebhookArgs {
    pub callback_url: String,
    pub callback_headers: Option<HashMap<String, String>>,
    pub callback_signature_secret: Option<String>,
}

#[napi]
impl Sandbox {
    /// `POST /execute/ipython`: Python in the sandbox's IPython kernel.
    #[napi(catch_unwind)]
    pub async fn run_ipython(&self, code: String, options: RunArgs) -> Result<ExecutionResult> {
        Ok(self.core().run_ipython(&code, options.into()).await.js()?.into())
    }

    /// `POST /execute/async`: starts a webhook run; the agent's answer (wire fields).
    #[napi(catch_unwind)]
    pub async fn run_code_async(
        &self,
        code: String,
        options: RunArgs,
        webhook: WebhookArgs,
    ) -> Result<Value> {
        let webhook = hcore::Webhook {
            callback_url: webhook.callback_url,
            headers: webhook.callback_headers.map(|h| h.into_iter().collect()),
            signature_secret: webhook.callback_signature_secret,
        };
        self.core().run_code_async(&code, options.into(), webhook).await.js()
    }

    /// A URL reaching `port` inside the sandbox.
    #[napi(catch_unwind)]
    pub async fn get_preview_url(&self, port: i64) -> Result<String> {
        self.core().preview_url(port).await.js()
    }
}

/// The agent's cache of execution results (`sandbox.cache`).
#[napi]
pub struct Cache {
    inner: hcore::Cache,
}

#[napi]
impl Sandbox {
    /// `sandbox.cache`.
    #[napi(getter)]
    pub fn cache(&self) -> Cache {
        Cache { inner: self.core().cache() }
    }
}

#[napi]
impl Cache {
    /// `GET /cache/stats`.
    #[napi(catch_unwind)]
    pub async fn stats(&self) -> Result<Value> {
        self.inner.stats().await.js()
    }

    /// `POST /cache/clear`.
    #[napi(catch_unwind)]
    pub async fn clear(&self) -> Result<Value> {
        self.inner.clear().await.js()
    }
}

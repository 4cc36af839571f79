//! The other ways to run code on the agent: in its IPython kernel (`POST /execute/ipython`),
//! and with the result POSTed later to a webhook (`POST /execute/async`).

use crate::agent;
use crate::error::Error;
use crate::models::{ExecutionResult, RunOptions, MAX_BACKGROUND_TIMEOUT};
use crate::retry::EXECUTE;
use crate::run_check::validate_run;
use crate::sandbox::Sandbox;
use crate::Result;
use serde_json::Value;
use std::collections::BTreeMap;

/// The official SDKs' default timeout of a webhook run, in seconds.
pub const DEFAULT_ASYNC_TIMEOUT: u32 = 1800;
/// The official JS SDK's default timeout of an IPython run, in seconds.
pub const DEFAULT_IPYTHON_TIMEOUT: u32 = 60;

/// Where the agent delivers a webhook run's result, and how.
#[derive(Debug, Clone, Default)]
pub struct Webhook {
    /// An `http` or `https` URL the agent POSTs the result to.
    pub callback_url: String,
    /// Added to the delivery's headers (an `Authorization` for the receiver, say).
    pub headers: Option<BTreeMap<String, String>>,
    /// Given, the delivery carries `X-HOPX-Signature: sha256=<HMAC-SHA256 of the body>`.
    pub signature_secret: Option<String>,
}

impl Sandbox {
    /// `POST {agent}/execute/ipython`: Python in the sandbox's IPython kernel, where magics
    /// (`%timeit`, `!ls`) and display work; the result is `run_code`'s. The timeout defaults
    /// to [`DEFAULT_IPYTHON_TIMEOUT`].
    pub async fn run_ipython(&self, code: &str, options: RunOptions) -> Result<ExecutionResult> {
        let timeout = options.timeout.or(Some(DEFAULT_IPYTHON_TIMEOUT));
        let options = RunOptions { language: "python".into(), timeout, ..options };
        self.execute_at("/execute/ipython", code, options).await
    }

    /// `POST {agent}/execute/async`: starts `code` in the background and returns at once; when
    /// it ends, the agent POSTs its result (`execution_id`, `status`, `stdout`, `stderr`,
    /// `exit_code`, `execution_time`, ...) to the webhook. The timeout defaults to
    /// [`DEFAULT_ASYNC_TIMEOUT`] and may be up to a day. Returns the agent's answer
    /// (`execution_id`, `status` "queued", `callback_url`).
    pub async fn run_code_async(&self, code: &str, options: RunOptions, webhook: Webhook) -> Result<Value> {
        self.ensure_alive()?;
        check_callback_url(&webhook.callback_url)?;
        let timeout = validate_run(code, &options, DEFAULT_ASYNC_TIMEOUT, MAX_BACKGROUND_TIMEOUT)?;
        let mut body = serde_json::to_value(agent::execute_body(code, &options, timeout))
            .expect("a request body is JSON");
        body["callback_url"] = Value::from(webhook.callback_url);
        if let Some(headers) = webhook.headers.filter(|h| !h.is_empty()) {
            body["callback_headers"] = serde_json::to_value(headers).expect("a map is JSON");
        }
        if let Some(secret) = webhook.signature_secret.filter(|s| !s.is_empty()) {
            body["callback_signature_secret"] = Value::from(secret);
        }
        let http = &self.client().control().http()?;
        self.agent_call(&EXECUTE, |url, tok| {
            let body = &body;
            async move { agent::post(http, &format!("{url}/execute/async"), &tok, body).await }
        })
        .await
    }
}

fn check_callback_url(url: &str) -> Result<()> {
    let ok = reqwest::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
    if ok {
        return Ok(());
    }
    Err(Error::validation(format!("callback_url must be an http(s) URL, got {url:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn callback_urls_are_http_or_https() {
        assert!(check_callback_url("http://127.0.0.1:8080/hook").is_ok());
        assert!(check_callback_url("https://example.com/h?x=1").is_ok());
        for bad in ["", "example.com/hook", "ftp://example.com/", "http://"] {
            assert_eq!(check_callback_url(bad).unwrap_err().kind, ErrorKind::Validation, "{bad:?}");
        }
    }
}

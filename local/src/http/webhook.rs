//! `POST /execute/async`: a background run whose result the engine POSTs to a callback URL
//! when it ends (a webhook), for runs longer than a client should keep a request open.
//!
//! The body is `/execute`'s plus `callback_url`, `callback_headers` and
//! `callback_signature_secret`; the answer (202) names the run, which is listed and killed like
//! any background run. The webhook carries `{execution_id, status, stdout, stderr, exit_code,
//! execution_time, timestamp, error}` with the caller's headers, `X-HOPX-Timestamp` (unix
//! seconds) and, given a secret, `X-HOPX-Signature: sha256=<hex>`: the HMAC-SHA256 of
//! `"<timestamp>.<body>"`, so a receiver can check both the payload and its freshness.

use super::agent::Agent;
use super::error_body::AgentError;
use super::execute::parse_request;
use super::{json_object, string_map};
use crate::engine::error::ApiError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hopx_wire::{code, ProcessInfo};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

/// The official SDKs' default for these runs, in seconds (the longest is a background run's).
const DEFAULT_TIMEOUT: u64 = 1800;
/// Delivery tries, and the pause before the second (doubling after each failure).
const ATTEMPTS: u32 = 4;
const FIRST_PAUSE: Duration = Duration::from_secs(1);
/// How long one delivery may take before it counts as failed.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and how to deliver a run's result.
#[derive(Debug, Clone)]
pub struct Callback {
    pub url: reqwest::Url,
    pub headers: BTreeMap<String, String>,
    pub secret: Option<String>,
}

pub async fn start(State(agent): State<Agent>, body: Bytes) -> Response {
    match json_object(&body).and_then(|obj| start_run(&agent, obj)) {
        Ok(answer) => (StatusCode::ACCEPTED, Json(answer)).into_response(),
        Err(e) => AgentError(e).into_response(),
    }
}

fn start_run(agent: &Agent, mut obj: Map<String, Value>) -> Result<Value, ApiError> {
    let callback = take_callback(&mut obj)?;
    let timeout = super::background::take_timeout(&mut obj, DEFAULT_TIMEOUT)?;
    let config = agent.engine.config();
    let mut req = parse_request(&agent.sandbox, &obj, config)?;
    req.timeout = Duration::from_secs(timeout);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let started = agent.sandbox.start_background(req, None, config.background_output_budget, Some(tx));
    let url = callback.url.to_string();
    tokio::spawn(async move {
        if let Ok(run) = rx.await {
            deliver(&callback, &run).await;
        }
    });
    Ok(json!({
        "execution_id": started.execution_id,
        "process_id": started.process_id,
        "status": "queued",
        "callback_url": url,
        "message": "started; the result will be POSTed to callback_url",
        "timestamp": crate::ids::now_rfc3339(),
    }))
}

/// Takes the `callback_*` fields out of the body, checked.
pub fn take_callback(obj: &mut Map<String, Value>) -> Result<Callback, ApiError> {
    let url = match obj.remove("callback_url") {
        Some(Value::String(s)) if !s.is_empty() => s,
        None | Some(Value::Null) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::MISSING_PARAMETER,
                "callback_url is required",
            ))
        }
        Some(_) => return Err(ApiError::bad_request("callback_url must be a non-empty string")),
    };
    let url = reqwest::Url::parse(&url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| ApiError::bad_request(format!("callback_url must be an http(s) URL, got {url:?}")))?;
    let headers = string_map(obj, "callback_headers")?;
    for (name, value) in &headers {
        let ok = reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_ok()
            && reqwest::header::HeaderValue::from_str(value).is_ok();
        if !ok {
            return Err(ApiError::bad_request(format!("callback_headers has an invalid header {name:?}")));
        }
    }
    obj.remove("callback_headers");
    let secret = match obj.remove("callback_signature_secret") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(ApiError::bad_request("callback_signature_secret must be a string")),
    };
    Ok(Callback { url, headers, secret })
}

/// The webhook's JSON for a finished run.
pub fn payload(run: &ProcessInfo) -> Value {
    let (stdout, stderr) =
        run.output.as_ref().map_or((&[][..], &[][..]), |o| (o.stdout.as_bytes(), o.stderr.as_bytes()));
    let exit_code = run.exit_code.unwrap_or(-1);
    // The webhook's vocabulary has no "killed": a killed run did not complete.
    let (status, error) = match run.status.as_str() {
        "completed" => ("completed", None),
        "timeout" => ("timeout", Some("the run went past its timeout and was stopped".to_string())),
        "killed" => ("failed", Some("the run was killed".to_string())),
        _ => ("failed", Some(format!("the run exited with code {exit_code}"))),
    };
    json!({
        "execution_id": run.execution_id,
        "status": status,
        "stdout": String::from_utf8_lossy(stdout),
        "stderr": String::from_utf8_lossy(stderr),
        "exit_code": exit_code,
        "execution_time": run.duration,
        "timestamp": crate::ids::now_rfc3339(),
        "error": error,
    })
}

/// `sha256=<hex of HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub fn signature(secret: &str, timestamp: u64, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let mut ctx = ring::hmac::Context::with_key(&key);
    ctx.update(format!("{timestamp}.").as_bytes());
    ctx.update(body);
    let tag = ctx.sign();
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .user_agent(concat!("hopx-local/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default()
    })
}

/// POSTs the result, trying again after a network error, a timeout, a 408, a 429 or a 5xx;
/// any other answer is the receiver's final word.
async fn deliver(callback: &Callback, run: &ProcessInfo) {
    let body = payload(run).to_string().into_bytes();
    let mut pause = FIRST_PAUSE;
    for attempt in 1..=ATTEMPTS {
        // Each try is signed afresh, so its timestamp says when it was sent.
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
        let mut request = client().post(callback.url.clone());
        for (name, value) in &callback.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        request =
            request.header("Content-Type", "application/json").header("X-HOPX-Timestamp", now.to_string());
        if let Some(secret) = &callback.secret {
            request = request.header("X-HOPX-Signature", signature(secret, now, &body));
        }
        let (failure, again) = match request.body(body.clone()).send().await {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => (format!("answered {}", r.status()), retryable(r.status().as_u16())),
            Err(e) => (e.to_string(), true),
        };
        tracing::warn!(execution_id = %run.execution_id, attempt, %failure, "webhook delivery failed");
        if !again || attempt == ATTEMPTS {
            return;
        }
        tokio::time::sleep(pause).await;
        pause *= 2;
    }
}

fn retryable(status: u16) -> bool {
    matches!(status, 408 | 429) || status >= 500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // Computed apart, with Python's hmac module:
        // hmac.new(b"Jefe", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
        let expected = "sha256=fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a";
        assert_eq!(signature("Jefe", 1_700_000_000, br#"{"a":1}"#), expected);
        assert_ne!(signature("Jefe", 1_700_000_001, br#"{"a":1}"#), expected);
    }

    #[test]
    fn callbacks_are_checked() {
        let take = |v: Value| take_callback(&mut v.as_object().unwrap().clone());
        assert!(take(json!({})).is_err());
        assert!(take(json!({"callback_url": "ftp://x/"})).is_err());
        assert!(take(json!({"callback_url": "not a url"})).is_err());
        assert!(take(json!({"callback_url": "http://h/", "callback_headers": {"bad name": "v"}})).is_err());
        let ok = take(json!({"callback_url": "http://127.0.0.1:9/x", "callback_headers": {"A": "b"},
                             "callback_signature_secret": "s"}))
        .unwrap();
        assert_eq!(
            (ok.url.as_str(), ok.headers["A"].as_str(), ok.secret.as_deref()),
            ("http://127.0.0.1:9/x", "b", Some("s"))
        );
    }
}

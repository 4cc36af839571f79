//! Calls to a sandbox's agent (its `public_host`, authenticated by a bearer token).
//!
//! Only single attempts live here; retries and the 401 refresh are decided by the caller
//! (see `sandbox.rs`), which knows the token and whether the agent has answered before.

use crate::error::Plane;
use crate::http::{self, Failure};
use crate::models::RunOptions;
use hopx_wire::ExecuteRequest;
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// Added to the execution timeout so the agent's own 408 arrives before ours fires.
pub(crate) const RUN_HTTP_MARGIN: Duration = Duration::from_secs(30);
/// Timeout of the small agent calls (env and the like).
const AGENT_TIMEOUT: Duration = Duration::from_secs(60);

/// The `POST /execute` body; `env` only when there is something in it, as the official SDKs
/// send. `timeout` is the run's, with the call's default already applied.
pub(crate) fn execute_body(code: &str, options: &RunOptions, timeout: u32) -> ExecuteRequest {
    ExecuteRequest {
        language: options.language.clone(),
        code: code.into(),
        workdir: options.working_dir.clone(),
        timeout,
        env: options.env.clone().filter(|e| !e.is_empty()),
    }
}

/// One synchronous run: `POST` of `body` to `url` (`{agent}/execute` or a sibling).
pub(crate) async fn execute(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &ExecuteRequest,
    run_timeout: u32,
) -> Result<Value, Failure> {
    let timeout = Duration::from_secs(run_timeout.into()) + RUN_HTTP_MARGIN;
    let req = authorized(http.post(url), token).body(json_text(body));
    http::send(Plane::Agent, req, timeout).await
}

/// One `POST` of a JSON body to an agent URL.
pub(crate) async fn post(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &impl Serialize,
) -> Result<Value, Failure> {
    let req = authorized(http.post(url), token).body(json_text(body));
    http::send(Plane::Agent, req, AGENT_TIMEOUT).await
}

/// One `POST` of a JSON body that may take `wait` to be answered (a command runs first).
pub(crate) async fn post_waiting(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &impl Serialize,
    wait: Duration,
) -> Result<Value, Failure> {
    let req = authorized(http.post(url), token).body(json_text(body));
    http::send(Plane::Agent, req, wait).await
}

/// One `GET` of an agent URL.
pub(crate) async fn get(http: &reqwest::Client, url: &str, token: &str) -> Result<Value, Failure> {
    http::send(Plane::Agent, authorized(http.get(url), token), AGENT_TIMEOUT).await
}

/// A request body as JSON text (the wire types always serialise).
fn json_text(body: &impl Serialize) -> String {
    serde_json::to_string(body).expect("a request body is JSON")
}

fn authorized(req: reqwest::RequestBuilder, token: &str) -> reqwest::RequestBuilder {
    req.header("Authorization", format!("Bearer {token}")).header("Content-Type", "application/json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn execute_body_has_exactly_the_wire_fields() {
        fn json_of(code: &str, options: &RunOptions, timeout: u32) -> Value {
            serde_json::to_value(execute_body(code, options, timeout)).unwrap()
        }
        let body = json_of("print(1)", &RunOptions::default(), 120);
        assert_eq!(
            body,
            json!({"language": "python", "code": "print(1)", "workdir": "/workspace", "timeout": 120})
        );
        let opts = RunOptions {
            env: Some(BTreeMap::from([("A".to_string(), "1".to_string())])),
            ..Default::default()
        };
        assert_eq!(json_of("x", &opts, 5)["env"], json!({"A": "1"}));
        let empty = RunOptions { env: Some(BTreeMap::new()), ..Default::default() };
        assert!(json_of("x", &empty, 5).get("env").is_none());
    }
}

//! Calls to a sandbox's agent (its `public_host`, authenticated by a bearer token).
//!
//! Only single attempts live here; retries and the 401 refresh are decided by the caller
//! (see `sandbox.rs`), which knows the token and whether the agent has answered before.

use crate::error::Plane;
use crate::http::{self, Failure};
use crate::models::RunOptions;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Added to the execution timeout so the agent's own 408 arrives before ours fires.
pub(crate) const RUN_HTTP_MARGIN: Duration = Duration::from_secs(30);
/// Timeout of the small agent calls (env and the like).
const AGENT_TIMEOUT: Duration = Duration::from_secs(60);

/// The `POST /execute` body, with exactly the fields the agent reads (`workdir`, not
/// `working_dir`); `env` only when there is something in it, as the official SDKs send.
/// `timeout` is the run's, with the call's default already applied.
pub(crate) fn execute_body(code: &str, options: &RunOptions, timeout: u32) -> Value {
    let mut body = Map::new();
    body.insert("language".into(), options.language.clone().into());
    body.insert("code".into(), code.into());
    body.insert("workdir".into(), options.working_dir.clone().into());
    body.insert("timeout".into(), timeout.into());
    if let Some(env) = options.env.as_ref().filter(|e| !e.is_empty()) {
        body.insert("env".into(), json!(env));
    }
    Value::Object(body)
}

/// One `POST {agent}/execute`.
pub(crate) async fn execute(
    http: &reqwest::Client,
    agent_url: &str,
    token: &str,
    body: &Value,
    run_timeout: u32,
) -> Result<Value, Failure> {
    let timeout = Duration::from_secs(run_timeout.into()) + RUN_HTTP_MARGIN;
    let req = authorized(http.post(format!("{agent_url}/execute")), token).body(body.to_string());
    http::send(Plane::Agent, req, timeout).await
}

/// One `PATCH {agent}/env` merging `env_vars` into the sandbox's global environment.
pub(crate) async fn patch_env(
    http: &reqwest::Client,
    agent_url: &str,
    token: &str,
    env_vars: &BTreeMap<String, String>,
) -> Result<Value, Failure> {
    let body = json!({ "env_vars": env_vars, "merge": true });
    let req = authorized(http.patch(format!("{agent_url}/env")), token).body(body.to_string());
    http::send(Plane::Agent, req, AGENT_TIMEOUT).await
}

/// One `POST` of a JSON body to an agent URL.
pub(crate) async fn post(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<Value, Failure> {
    let req = authorized(http.post(url), token).body(body.to_string());
    http::send(Plane::Agent, req, AGENT_TIMEOUT).await
}

/// One `GET` of an agent URL.
pub(crate) async fn get(http: &reqwest::Client, url: &str, token: &str) -> Result<Value, Failure> {
    http::send(Plane::Agent, authorized(http.get(url), token), AGENT_TIMEOUT).await
}

fn authorized(req: reqwest::RequestBuilder, token: &str) -> reqwest::RequestBuilder {
    req.header("Authorization", format!("Bearer {token}")).header("Content-Type", "application/json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execute_body_has_exactly_the_wire_fields() {
        let body = execute_body("print(1)", &RunOptions::default(), 120);
        assert_eq!(
            body,
            json!({"language": "python", "code": "print(1)", "workdir": "/workspace", "timeout": 120})
        );
        let opts = RunOptions {
            env: Some(BTreeMap::from([("A".to_string(), "1".to_string())])),
            ..Default::default()
        };
        assert_eq!(execute_body("x", &opts, 5)["env"], json!({"A": "1"}));
        let empty = RunOptions { env: Some(BTreeMap::new()), ..Default::default() };
        assert!(execute_body("x", &empty, 5).get("env").is_none());
    }
}

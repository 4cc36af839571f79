//! Background runs over HTTP: `POST /execute/background`, `GET /execute/processes[/{id}]` and
//! the three kill spellings in use (`DELETE /execute/kill?process_id=` from the spec,
//! `POST /execute/kill/{id}` from the SDKs, `POST /execute/kill {"process_id"}` from the newer
//! spec).

use super::agent::Agent;
use super::error_body::AgentError;
use super::execute::parse_request;
use super::json_object;
use crate::engine::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hopx_wire::{code, ProcessInfo, ProcessList};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// Background runs default to 300 s and may last up to a day (or the sandbox's life).
const DEFAULT_TIMEOUT: u64 = 300;
const MAX_TIMEOUT: u64 = 86_400;

pub async fn start(State(agent): State<Agent>, body: Bytes) -> Response {
    let config = agent.engine.config();
    let parsed = json_object(&body).and_then(|mut obj| {
        let timeout = match obj.remove("timeout") {
            None | Some(Value::Null) => DEFAULT_TIMEOUT,
            Some(v) => match v.as_u64() {
                Some(n) if (1..=MAX_TIMEOUT).contains(&n) => n,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "timeout must be a whole number of seconds from 1 to {MAX_TIMEOUT}"
                    )))
                }
            },
        };
        let name = obj.get("name").and_then(Value::as_str).map(String::from);
        let mut req = parse_request(&agent.sandbox, &obj, config)?;
        req.timeout = Duration::from_secs(timeout);
        Ok((req, name))
    });
    let (req, name) = match parsed {
        Ok(p) => p,
        Err(e) => return AgentError(e).into_response(),
    };
    let budget = config.background_output_budget;
    let started = agent.sandbox.start_background(req, name, budget);
    Json(ProcessInfo { message: Some("started in the background".into()), ..started }).into_response()
}

pub async fn list(State(agent): State<Agent>) -> Json<ProcessList> {
    let processes = agent.sandbox.background.list(true);
    Json(ProcessList { count: processes.len(), processes, timestamp: crate::ids::now_rfc3339() })
}

pub async fn get_one(State(agent): State<Agent>, Path(id): Path<String>) -> Response {
    match agent.sandbox.background.get(&id) {
        Some(v) => Json(v).into_response(),
        None => not_found(&id),
    }
}

pub async fn kill_by_query(State(agent): State<Agent>, Query(q): Query<HashMap<String, String>>) -> Response {
    kill(&agent, q.get("process_id").map(String::as_str))
}

pub async fn kill_by_path(State(agent): State<Agent>, Path(id): Path<String>) -> Response {
    kill(&agent, Some(&id))
}

pub async fn kill_by_body(State(agent): State<Agent>, body: Bytes) -> Response {
    match json_object(&body) {
        Ok(obj) => kill(&agent, obj.get("process_id").and_then(Value::as_str)),
        Err(e) => AgentError(e).into_response(),
    }
}

fn kill(agent: &Agent, id: Option<&str>) -> Response {
    let Some(id) = id.filter(|s| !s.is_empty()) else {
        return AgentError(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::MISSING_PARAMETER,
            "process_id is required",
        ))
        .into_response();
    };
    match agent.sandbox.background.kill(id) {
        Some(v) => Json(v).into_response(),
        None => not_found(id),
    }
}

fn not_found(id: &str) -> Response {
    AgentError(ApiError::new(
        StatusCode::NOT_FOUND,
        code::PROCESS_NOT_FOUND,
        format!("no background process {id}"),
    ))
    .into_response()
}

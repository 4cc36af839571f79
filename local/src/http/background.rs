//! Background runs over HTTP: `POST /execute/background` (and `/commands/background`, the same
//! for a command line), `GET /execute/processes[/{id}]` and
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
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::Duration;

/// Background runs default to 300 s and may last up to a day (or the sandbox's life).
const DEFAULT_TIMEOUT: u64 = 300;
const MAX_TIMEOUT: u64 = 86_400;

pub async fn start(State(agent): State<Agent>, body: Bytes) -> Response {
    match json_object(&body) {
        Ok(obj) => start_run(&agent, obj),
        Err(e) => AgentError(e).into_response(),
    }
}

/// `POST /commands/background`: a command line (`command` and optional `args`, as
/// `/commands/run` takes them) started as a background bash run, listed and killed like any.
pub async fn start_command(State(agent): State<Agent>, body: Bytes) -> Response {
    match json_object(&body).and_then(command_as_run) {
        Ok(obj) => start_run(&agent, obj),
        Err(e) => AgentError(e).into_response(),
    }
}

/// A `/commands/*` body as an `/execute/background` one: the command line becomes bash code,
/// its arguments quoted so that bash passes them on as they are.
fn command_as_run(mut obj: Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let command = match obj.remove("command") {
        Some(Value::String(c)) if !c.is_empty() => c,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::MISSING_PARAMETER,
                "command is required",
            ))
        }
    };
    let code = match obj.remove("args") {
        None | Some(Value::Null) => command,
        Some(Value::Array(args)) => {
            let args: Option<Vec<&str>> = args.iter().map(Value::as_str).collect();
            let args = args.ok_or_else(|| ApiError::bad_request("args must be an array of strings"))?;
            std::iter::once(command.as_str()).chain(args).map(shell_quote).collect::<Vec<_>>().join(" ")
        }
        Some(_) => return Err(ApiError::bad_request("args must be an array of strings")),
    };
    if let Some(dir) = obj.remove("working_dir") {
        obj.entry("workdir").or_insert(dir);
    }
    obj.insert("language".into(), Value::String("bash".into()));
    obj.insert("code".into(), Value::String(code));
    Ok(obj)
}

/// `word` as one bash word, whatever it holds.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// Takes a background run's `timeout` out of the body: whole seconds from 1 to a day,
/// `default` when absent.
pub fn take_timeout(obj: &mut Map<String, Value>, default: u64) -> Result<u64, ApiError> {
    match obj.remove("timeout") {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v.as_u64().filter(|n| (1..=MAX_TIMEOUT).contains(n)).ok_or_else(|| {
            ApiError::bad_request(format!(
                "timeout must be a whole number of seconds from 1 to {MAX_TIMEOUT}"
            ))
        }),
    }
}

fn start_run(agent: &Agent, mut obj: Map<String, Value>) -> Response {
    let config = agent.engine.config();
    let timeout = match take_timeout(&mut obj, DEFAULT_TIMEOUT) {
        Ok(t) => t,
        Err(e) => return AgentError(e).into_response(),
    };
    let name = obj.get("name").and_then(Value::as_str).map(String::from);
    let mut req = match parse_request(&agent.sandbox, &obj, config) {
        Ok(req) => req,
        Err(e) => return AgentError(e).into_response(),
    };
    req.timeout = Duration::from_secs(timeout);
    let started = agent.sandbox.start_background(req, name, config.background_output_budget, None);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn as_run(body: Value) -> Result<Map<String, Value>, ApiError> {
        command_as_run(body.as_object().unwrap().clone())
    }

    #[test]
    fn a_command_becomes_bash_code_with_its_arguments_whole() {
        let run =
            as_run(json!({"command": "bash", "args": ["-c", "echo 'hi' $HOME"], "timeout": 5})).unwrap();
        assert_eq!(run["language"], "bash");
        assert_eq!(run["code"], "'bash' '-c' 'echo '\\''hi'\\'' $HOME'");
        assert_eq!(run["timeout"], 5);
        let run = as_run(json!({"command": "ls -l | wc -l", "working_dir": "/tmp"})).unwrap();
        assert_eq!((run["code"].as_str(), run["workdir"].as_str()), (Some("ls -l | wc -l"), Some("/tmp")));
        assert!(as_run(json!({"args": ["x"]})).is_err());
        assert!(as_run(json!({"command": "x", "args": [1]})).is_err());
    }
}

//! `POST /execute` and `POST /commands/run`: checking the request, running it, and the answer.

use super::error_body::AgentError;
use super::{json_object, string_map};
use crate::engine::config::EngineConfig;
use crate::engine::error::ApiError;
use crate::engine::sandbox::Sandbox;
use crate::exec::command::CommandRequest;
use crate::exec::{language::SUPPORTED, ExecOutcome, ExecRequest, Language, RunStatus};
use crate::spawn;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hopx_wire::code;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// Default and bounds of a synchronous run's timeout, in seconds.
pub const DEFAULT_TIMEOUT: u64 = 120;
pub const MAX_TIMEOUT: u64 = 300;

/// Builds an [`ExecRequest`] from an execute body, or the 400 that explains what is wrong.
pub fn parse_request(
    sandbox: &Sandbox,
    obj: &Map<String, Value>,
    config: &EngineConfig,
) -> Result<ExecRequest, ApiError> {
    let code_limit = config.code_limit;
    let code = match obj.get("code") {
        Some(Value::String(c)) => c.clone(),
        None | Some(Value::Null) => {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, code::MISSING_PARAMETER, "code is required"))
        }
        Some(_) => return Err(ApiError::bad_request("code must be a string")),
    };
    if code.len() > code_limit {
        return Err(ApiError::bad_request(format!(
            "code is {} bytes; the limit is {} bytes",
            code.len(),
            code_limit
        )));
    }
    let lang_name = match obj.get("language") {
        None | Some(Value::Null) => "python",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(ApiError::bad_request("language must be a string")),
    };
    let language = Language::parse(lang_name).ok_or_else(|| {
        ApiError::bad_request(format!(
            "unsupported language {lang_name:?}; this engine supports: {SUPPORTED}"
        ))
    })?;
    sandbox.context.runtimes.binary(language).map_err(ApiError::bad_request)?;
    let timeout = parse_timeout(obj.get("timeout"), DEFAULT_TIMEOUT)?;
    let workdir = parse_workdir(obj.get("workdir").or_else(|| obj.get("working_dir")))?;
    let mut env = sandbox.state().env.clone();
    env.extend(string_map(obj, "env")?);
    Ok(ExecRequest { code, language, timeout, workdir, env, rich_output_limit: config.rich_output_limit })
}

/// A timeout in whole seconds within 1..=300.
pub fn parse_timeout(v: Option<&Value>, default: u64) -> Result<Duration, ApiError> {
    let secs = match v {
        None | Some(Value::Null) => default,
        Some(v) => match v.as_f64() {
            Some(f) if f.fract() == 0.0 && (1.0..=MAX_TIMEOUT as f64).contains(&f) => f as u64,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "timeout must be a whole number of seconds from 1 to {MAX_TIMEOUT}, got {v}"
                )))
            }
        },
    };
    Ok(Duration::from_secs(secs))
}

/// The working directory: an absolute path under `/workspace` or `/tmp`, without `..`.
pub fn parse_workdir(v: Option<&Value>) -> Result<String, ApiError> {
    let raw = match v {
        None | Some(Value::Null) => return Ok(spawn::WORKSPACE.to_string()),
        Some(Value::String(s)) if !s.is_empty() => s.as_str(),
        Some(_) => return Err(invalid_path("workdir must be a non-empty string")),
    };
    let parts: Vec<&str> = raw.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if !raw.starts_with('/') || parts.contains(&"..") || raw.contains('\0') {
        return Err(invalid_path(&format!("workdir must be an absolute path without '..', got {raw:?}")));
    }
    let path = format!("/{}", parts.join("/"));
    let allowed = [spawn::WORKSPACE, spawn::TMP]
        .iter()
        .any(|root| path == *root || path.starts_with(&format!("{root}/")));
    if !allowed {
        return Err(invalid_path(&format!("workdir must be under /workspace or /tmp, got {raw:?}")));
    }
    Ok(path)
}

fn invalid_path(msg: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code::INVALID_PATH, msg)
}

/// The answer to a finished run: 200 with the result, 408 on timeout, 404 if killed.
pub fn answer(sandbox: &Sandbox, req: &ExecRequest, outcome: Result<ExecOutcome, String>) -> Response {
    let outcome = match outcome {
        Ok(o) => o,
        Err(msg) => {
            return AgentError(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, code::EXECUTION_FAILED, msg))
                .into_response()
        }
    };
    match outcome.status() {
        RunStatus::Killed => AgentError(ApiError::new(
            StatusCode::NOT_FOUND,
            code::RESOURCE_NOT_FOUND,
            format!("Sandbox not found: {} was killed while the code ran", sandbox.id),
        ))
        .into_response(),
        RunStatus::Timeout => {
            let secs = req.timeout.as_secs();
            let mut e = ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                code::EXECUTION_TIMEOUT,
                format!("Execution timed out after {secs} s; the process tree was killed"),
            )
            .with_detail("timeout", secs)
            .with_extra("stdout", outcome.stdout.text.clone())
            .with_extra("stderr", outcome.stderr.text.clone())
            .with_extra("exit_code", outcome.exit_code)
            .with_extra("success", false)
            .with_extra("execution_time", outcome.execution_time);
            if outcome.kernel_restarted {
                e = e.with_extra("kernel_restarted", true);
            }
            AgentError(e).into_response()
        }
        RunStatus::Failed | RunStatus::Completed => {
            Json(outcome.into_wire(req.language, crate::ids::now_rfc3339())).into_response()
        }
    }
}

/// `POST /commands/run`: `{command, args?, timeout (default 30), workdir, env}`.
pub async fn run_command(sandbox: &Arc<Sandbox>, body: &Bytes) -> Response {
    match command_request(sandbox, body) {
        Ok(req) => {
            let (display, timeout) = (req.display(), req.timeout);
            let outcome = sandbox.run_command(req).await;
            command_answer(sandbox, display, timeout, outcome)
        }
        Err(e) => AgentError(e).into_response(),
    }
}

fn command_request(sandbox: &Sandbox, body: &Bytes) -> Result<CommandRequest, ApiError> {
    let obj = json_object(body)?;
    let command = match obj.get("command") {
        Some(Value::String(c)) if !c.is_empty() => c.clone(),
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::MISSING_PARAMETER,
                "command is required",
            ))
        }
    };
    let args: Vec<String> = match obj.get("args") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(String::from))
            .collect::<Option<_>>()
            .ok_or_else(|| ApiError::bad_request("args must be an array of strings"))?,
        Some(_) => return Err(ApiError::bad_request("args must be an array of strings")),
    };
    let timeout = parse_timeout(obj.get("timeout"), 30)?;
    let workdir = parse_workdir(obj.get("workdir").or_else(|| obj.get("working_dir")))?;
    let mut env = sandbox.state().env.clone();
    env.extend(string_map(&obj, "env")?);
    sandbox.context.runtimes.binary(Language::Bash).map_err(ApiError::bad_request)?;
    Ok(CommandRequest { command, args, timeout, workdir, env })
}

fn command_answer(
    sandbox: &Sandbox,
    display: String,
    timeout: Duration,
    outcome: Result<ExecOutcome, String>,
) -> Response {
    let o = match outcome {
        Ok(o) => o,
        Err(msg) => {
            return AgentError(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, code::COMMAND_FAILED, msg))
                .into_response()
        }
    };
    let status = o.status();
    match status {
        RunStatus::Killed => AgentError(ApiError::sandbox_not_found(&sandbox.id)).into_response(),
        RunStatus::Timeout => AgentError(
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                code::EXECUTION_TIMEOUT,
                format!("Command timed out after {} s", timeout.as_secs()),
            )
            .with_extra("stdout", o.stdout.text)
            .with_extra("stderr", o.stderr.text),
        )
        .into_response(),
        RunStatus::Failed | RunStatus::Completed => Json(hopx_wire::CommandResponse {
            stdout: o.stdout.text,
            stderr: o.stderr.text,
            exit_code: o.exit_code,
            success: status == RunStatus::Completed,
            execution_time: o.execution_time,
            command: display,
            pid: 0,
            timestamp: crate::ids::now_rfc3339(),
        })
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn workdir_rules() {
        assert_eq!(parse_workdir(None).unwrap(), "/workspace");
        assert_eq!(parse_workdir(Some(&json!("/workspace/a/./b/"))).unwrap(), "/workspace/a/b");
        assert_eq!(parse_workdir(Some(&json!("/tmp"))).unwrap(), "/tmp");
        assert!(parse_workdir(Some(&json!("/workspace/../etc"))).is_err());
        assert!(parse_workdir(Some(&json!("/etc"))).is_err());
        assert!(parse_workdir(Some(&json!("/workspacex"))).is_err());
        assert!(parse_workdir(Some(&json!("relative"))).is_err());
    }

    #[test]
    fn timeout_rules() {
        assert_eq!(parse_timeout(None, 120).unwrap().as_secs(), 120);
        assert_eq!(parse_timeout(Some(&json!(300)), 120).unwrap().as_secs(), 300);
        assert!(parse_timeout(Some(&json!(0)), 120).is_err());
        assert!(parse_timeout(Some(&json!(301)), 120).is_err());
        assert!(parse_timeout(Some(&json!(1.5)), 120).is_err());
        assert!(parse_timeout(Some(&json!("5")), 120).is_err());
    }
}

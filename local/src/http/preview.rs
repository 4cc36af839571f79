//! `POST /preview-url {"port": N}` → `{"port": N, "url": "http://127.0.0.1:<port>/"}`: a URL on
//! the host that leads to port N of the sandbox's own loopback (`engine/forward.rs`).

use super::agent::Agent;
use super::error_body::AgentError;
use super::json_object;
use crate::engine::error::ApiError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hopx_wire::code;
use serde_json::{json, Map, Value};

pub async fn preview_url(State(agent): State<Agent>, body: Bytes) -> Response {
    let port = match json_object(&body).and_then(|obj| port(&obj)) {
        Ok(p) => p,
        Err(e) => return AgentError(e).into_response(),
    };
    match agent.previews.url(&agent.sandbox, port) {
        Ok(url) => Json(json!({ "port": port, "url": url })).into_response(),
        Err(e) => AgentError(e).into_response(),
    }
}

fn port(obj: &Map<String, Value>) -> Result<u16, ApiError> {
    match obj.get("port") {
        None | Some(Value::Null) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::MISSING_PARAMETER,
            "port is required: the port a server listens on in the sandbox (1-65535)",
        )),
        Some(v) => v.as_u64().filter(|p| (1..=65535).contains(p)).map(|p| p as u16).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                code::INVALID_REQUEST,
                format!("port must be an integer from 1 to 65535, not {v}"),
            )
        }),
    }
}

//! Errors in the body shape of the plane that answers: the control plane nests them (as the
//! official Python SDK reads them) and repeats `code` and `message` on top (official JS); the
//! agent answers them flat.

use super::current_request_id;
use crate::engine::error::ApiError;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// Control-plane rendering: nested `error` object (official Python) plus top-level `code` and
/// `message` (official JS).
pub struct ControlError(pub ApiError);

/// Agent rendering: flat `{error, code, request_id, timestamp, ...}`.
pub struct AgentError(pub ApiError);

impl From<ApiError> for ControlError {
    fn from(e: ApiError) -> Self {
        ControlError(e)
    }
}

impl From<ApiError> for AgentError {
    fn from(e: ApiError) -> Self {
        AgentError(e)
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let e = self.0;
        let rid = current_request_id();
        let mut body = json!({
            "error": { "code": e.code, "message": e.message, "request_id": rid, "details": e.details },
            "code": e.code,
            "message": e.message,
            "request_id": rid,
        });
        merge(&mut body, e.extra);
        (e.status, axum::Json(body)).into_response()
    }
}

impl IntoResponse for AgentError {
    fn into_response(self) -> Response {
        let e = self.0;
        let mut body = json!({
            "error": e.message,
            "message": e.message,
            "code": e.code,
            "request_id": current_request_id(),
            "timestamp": crate::ids::now_rfc3339(),
            "details": e.details,
        });
        merge(&mut body, e.extra);
        (e.status, axum::Json(body)).into_response()
    }
}

fn merge(body: &mut Value, extra: Map<String, Value>) {
    if let Some(obj) = body.as_object_mut() {
        obj.extend(extra);
    }
}

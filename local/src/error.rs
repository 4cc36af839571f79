//! Errors the engine answers with, rendered in the body shape of the plane that answers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

tokio::task_local! {
    /// The `X-Request-ID` of the request being served (set by the request-id middleware).
    pub static REQUEST_ID: String;
}

/// The request id of the current request, or a fresh one outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| crate::ids::request_id())
}

/// An error answer: status, machine code, message, details, and extra top-level fields.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Map<String, Value>,
    pub extra: Map<String, Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), details: Map::new(), extra: Map::new() }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", message)
    }

    /// "Sandbox not found": the official JS SDK keys on these words.
    pub fn sandbox_not_found(id: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND", format!("Sandbox not found: {id}"))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", message)
    }

    pub fn with_detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.into(), value.into());
        self
    }

    pub fn with_extra(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }
}

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

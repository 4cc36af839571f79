//! The one error type of the engine: what a client should see (status, machine code,
//! message), decided where the error arises; each HTTP plane renders it in its own body shape
//! (`http/error_body.rs`).

use axum::http::StatusCode;
use hopx_wire::code;
use serde_json::{Map, Value};

/// An error answer: status, machine code, message, details, and extra top-level fields.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// One of [`hopx_wire::code`].
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
        ApiError::new(StatusCode::BAD_REQUEST, code::INVALID_REQUEST, message)
    }

    /// "Sandbox not found": the official JS SDK keys on these words.
    pub fn sandbox_not_found(id: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, code::RESOURCE_NOT_FOUND, format!("Sandbox not found: {id}"))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, code::INTERNAL_ERROR, message)
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

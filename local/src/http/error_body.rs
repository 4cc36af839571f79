//! Errors in the body shape of the plane that answers: the control plane nests them (as the
//! official Python SDK reads them) and repeats `code` and `message` on top (official JS); the
//! agent answers them flat. Both shapes are `hopx_wire`'s, which the client reads.

use super::current_request_id;
use crate::engine::error::ApiError;
use axum::response::{IntoResponse, Response};
use hopx_wire::{AgentErrorBody, ControlErrorBody, ErrorDetail};

/// Control-plane rendering: [`ControlErrorBody`].
pub struct ControlError(pub ApiError);

/// Agent rendering: [`AgentErrorBody`].
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
        let request_id = current_request_id();
        let body = ControlErrorBody {
            error: ErrorDetail {
                code: e.code.into(),
                message: e.message.clone(),
                request_id: request_id.clone(),
                details: e.details,
            },
            code: e.code.into(),
            message: e.message,
            request_id,
            extra: e.extra,
        };
        (e.status, axum::Json(body)).into_response()
    }
}

impl IntoResponse for AgentError {
    fn into_response(self) -> Response {
        let e = self.0;
        let body = AgentErrorBody {
            error: e.message.clone(),
            message: e.message,
            code: e.code.into(),
            request_id: current_request_id(),
            timestamp: crate::ids::now_rfc3339(),
            details: e.details,
            extra: e.extra,
        };
        (e.status, axum::Json(body)).into_response()
    }
}

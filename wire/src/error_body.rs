//! The two error body shapes. The control plane nests its error (the official Python SDK
//! reads `error.message`) and repeats `code` and `message` on top (the official JS SDK reads
//! those); the agent answers flat, `error` being the message. A reader does not know which
//! plane answered a proxy's or a gateway's body, so it tries both ([`ErrorBody`]).
//!
//! Every field reads leniently: an empty string stands for a missing one.

use crate::lenient::or_default;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The nested part of a control-plane error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// One of [`crate::code`].
    #[serde(default, deserialize_with = "or_default")]
    pub code: String,
    #[serde(default, deserialize_with = "or_default")]
    pub message: String,
    #[serde(default, deserialize_with = "or_default")]
    pub request_id: String,
    /// Extra context (e.g. `retry_after_seconds`, `available_templates`).
    #[serde(default, deserialize_with = "or_default")]
    pub details: Map<String, Value>,
}

/// A control-plane error body: `{"error": {code, message, request_id, details}, code, message,
/// request_id, ...}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ControlErrorBody {
    pub error: ErrorDetail,
    #[serde(default, deserialize_with = "or_default")]
    pub code: String,
    #[serde(default, deserialize_with = "or_default")]
    pub message: String,
    #[serde(default, deserialize_with = "or_default")]
    pub request_id: String,
    /// Fields of one error only, on top (e.g. the cloud's `retry_after`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An agent error body (`main.ErrorResponse`): `{error, message, code, request_id, timestamp,
/// details, ...}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentErrorBody {
    /// The message (what the official SDKs read first).
    #[serde(default, deserialize_with = "or_default")]
    pub error: String,
    /// The message again (the official JS SDK's fallback).
    #[serde(default, deserialize_with = "or_default")]
    pub message: String,
    /// One of [`crate::code`].
    #[serde(default, deserialize_with = "or_default")]
    pub code: String,
    #[serde(default, deserialize_with = "or_default")]
    pub request_id: String,
    #[serde(default, deserialize_with = "or_default")]
    pub timestamp: String,
    #[serde(default, deserialize_with = "or_default")]
    pub details: Map<String, Value>,
    /// Fields of one error only, e.g. the output gathered before an execution timeout
    /// (`stdout`, `stderr`, `exit_code`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An error body of either shape, as a client reads it: nested when `error` is an object,
/// flat otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ErrorBody {
    Control(ControlErrorBody),
    Agent(AgentErrorBody),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: Value) -> ErrorBody {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_shape_follows_the_error_field() {
        let ErrorBody::Control(nested) =
            read(json!({"error": {"code": "X", "details": {"a": 1}}, "retry_after": 2}))
        else {
            panic!("not nested")
        };
        assert_eq!((nested.error.code.as_str(), nested.error.details["a"].clone()), ("X", json!(1)));
        assert_eq!(nested.extra["retry_after"], 2);
        let ErrorBody::Agent(flat) = read(json!({"error": "boom", "code": 7, "stdout": "so far"})) else {
            panic!("not flat")
        };
        assert_eq!((flat.error.as_str(), flat.code.as_str()), ("boom", ""));
        assert_eq!(flat.extra["stdout"], "so far");
        assert!(matches!(read(json!({"message": "m"})), ErrorBody::Agent(b) if b.message == "m"));
    }
}

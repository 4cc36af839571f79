//! `GET /execute/stream`: the WebSocket messages of a streaming run, each a JSON object tagged
//! by `type`. The client sends one `execute`; the agent then sends `stdout`, `stderr` and
//! `display` while the code runs, then `result` (or `error` when the run did not finish) and
//! always `complete` last.

use crate::execute::{ExecuteRequest, RunEnd};
use crate::lenient::{is_false, or_default};
use crate::rich::RichOutput;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One message of `/execute/stream`, in either direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum StreamMessage {
    /// The client's request, the first message.
    Execute(ExecuteRequest),
    Stdout(OutputChunk),
    Stderr(OutputChunk),
    /// A rich output at the moment it was displayed.
    Display(DisplayMessage),
    /// The run ended by itself (successfully or not); its output came before.
    Result(RunEnd),
    /// The run did not finish: timed out, refused, or its sandbox went away.
    Error(ErrorMessage),
    /// The last message.
    Complete(CompleteMessage),
    /// A type this side does not know; readers skip it.
    #[serde(other)]
    Unknown,
}

/// Text a run printed, as it arrived.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutputChunk {
    #[serde(default, deserialize_with = "or_default")]
    pub data: String,
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// A [`RichOutput`] as a stream message: `mime_type`, since `type` is the message's own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DisplayMessage {
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    pub data: Map<String, Value>,
    #[serde(default, deserialize_with = "or_default")]
    pub metadata: Map<String, Value>,
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

impl DisplayMessage {
    /// The message that shows `output`.
    pub fn of(output: RichOutput, timestamp: String) -> DisplayMessage {
        DisplayMessage {
            mime_type: Some(output.mime_type),
            data: output.data,
            metadata: output.metadata,
            timestamp: Some(timestamp),
        }
    }

    /// The output it shows; without a MIME type it is plain text.
    pub fn into_output(self) -> RichOutput {
        RichOutput {
            mime_type: self.mime_type.unwrap_or_else(|| "text/plain".into()),
            data: self.data,
            metadata: self.metadata,
        }
    }
}

/// Why a run did not finish, with the code its HTTP answer would carry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorMessage {
    /// The message, for people.
    #[serde(default, deserialize_with = "or_default")]
    pub error: String,
    /// One of [`crate::code`]; readers take a missing one as `EXECUTION_FAILED`.
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The kernel was restarted when the run was stopped (its state is gone).
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "is_false")]
    pub kernel_restarted: bool,
}

/// The end of the stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompleteMessage {
    /// Always sent by the engine; a reader without it decides from the result's exit code.
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: Value) -> StreamMessage {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn messages_are_tagged_by_type() {
        let done = StreamMessage::Complete(CompleteMessage { success: Some(false) });
        assert_eq!(serde_json::to_value(&done).unwrap(), json!({"type": "complete", "success": false}));
        let result =
            StreamMessage::Result(RunEnd { exit_code: 2, stdout_truncated: true, ..Default::default() });
        assert_eq!(
            serde_json::to_value(&result).unwrap(),
            json!({"type": "result", "exit_code": 2, "execution_time": 0.0, "stdout_truncated": true})
        );
        let request = ExecuteRequest {
            language: "bash".into(),
            code: "ls".into(),
            workdir: "/tmp".into(),
            timeout: 5,
            env: None,
        };
        assert_eq!(
            serde_json::to_value(StreamMessage::Execute(request)).unwrap(),
            json!({"type": "execute", "language": "bash", "code": "ls", "workdir": "/tmp", "timeout": 5})
        );
    }

    #[test]
    fn readers_skip_what_they_do_not_know_and_default_what_is_missing() {
        assert_eq!(read(json!({"type": "ping", "x": 1})), StreamMessage::Unknown);
        assert_eq!(read(json!({"type": "stdout", "data": 5})), StreamMessage::Stdout(OutputChunk::default()));
        let StreamMessage::Display(d) = read(json!({"type": "display", "data": {"text/html": "<b/>"}}))
        else {
            panic!("not a display")
        };
        assert_eq!(d.into_output().mime_type, "text/plain");
        assert!(serde_json::from_value::<StreamMessage>(json!({"data": "no type"})).is_err());
    }
}

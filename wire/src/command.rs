//! `POST /commands/run` and `/commands/background`: a command line run in the sandbox.

use crate::lenient::or_default;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The body of `/commands/run` and `/commands/background`. The official SDKs send the user's
/// command line as `bash -c LINE`: `command: "bash"`, `args: ["-c", LINE]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandRequest {
    pub command: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Seconds.
    pub timeout: u32,
    pub workdir: String,
    /// This command's own variables; left out when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// A name for a background command (ours; the official SDKs send none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl CommandRequest {
    /// The official shape of the command line `line`: `bash -c LINE`.
    pub fn bash(line: &str, timeout: u32, workdir: &str, env: Option<BTreeMap<String, String>>) -> Self {
        CommandRequest {
            command: "bash".into(),
            args: vec!["-c".into(), line.into()],
            timeout,
            workdir: workdir.into(),
            env: env.filter(|e| !e.is_empty()),
            name: None,
        }
    }
}

/// The 200 answer of `/commands/run`: a command that ended by itself (a non-zero exit too).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommandResponse {
    #[serde(default, deserialize_with = "or_default")]
    pub stdout: String,
    #[serde(default, deserialize_with = "or_default")]
    pub stderr: String,
    #[serde(default, deserialize_with = "or_default")]
    pub exit_code: i32,
    #[serde(default, deserialize_with = "or_default")]
    pub success: bool,
    /// Seconds the command ran.
    #[serde(default, deserialize_with = "or_default")]
    pub execution_time: f64,
    /// The command line as the agent ran it.
    #[serde(default, deserialize_with = "or_default")]
    pub command: String,
    #[serde(default, deserialize_with = "or_default")]
    pub pid: u32,
    #[serde(default, deserialize_with = "or_default")]
    pub timestamp: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_official_request_shape() {
        let req = CommandRequest::bash("ls | wc -l", 120, "/workspace", Some(BTreeMap::new()));
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"command": "bash", "args": ["-c", "ls | wc -l"], "timeout": 120, "workdir": "/workspace"})
        );
    }

    #[test]
    fn a_sparse_or_loose_answer_reads() {
        let r: CommandResponse =
            serde_json::from_value(json!({"stdout": "x", "exit_code": "2", "pid": null})).unwrap();
        assert_eq!((r.stdout.as_str(), r.exit_code, r.pid, r.success), ("x", 0, 0, false));
    }
}

//! Background runs: `POST /execute/background` and the process descriptions the agent
//! answers it, `GET /execute/processes` and the kill calls with (the agent spec's
//! `ProcessInfo`, plus the output the official SDKs read from a finished run).
//!
//! The client hands these descriptions to its callers as the agent sent them, so only the
//! engine writes them through these types.

use crate::execute::ExecuteRequest;
use serde::{Deserialize, Serialize};

/// The body of `POST /execute/background`: a run, with an optional name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackgroundRequest {
    #[serde(flatten)]
    pub run: ExecuteRequest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One background run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessInfo {
    pub process_id: String,
    /// The same id (the spec has both).
    pub execution_id: String,
    /// The name given at start, or empty.
    pub name: String,
    pub language: String,
    /// `running`, `completed`, `failed`, `timeout` or `killed`.
    pub status: String,
    pub pid: u32,
    pub start_time: String,
    /// Seconds from start to end, or to now while it runs.
    pub duration: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// Once it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Once it ended, where the output was asked for.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub output: Option<ProcessOutput>,
    /// On the answer to the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What a finished background run printed, as far as it was kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessOutput {
    pub stdout: String,
    pub stderr: String,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
}

/// The answer of `GET /execute/processes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessList {
    pub processes: Vec<ProcessInfo>,
    pub count: usize,
    pub timestamp: String,
}

/// The answer of a kill.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KillResult {
    pub process_id: String,
    /// `killed`, or how it had already ended.
    pub status: String,
    pub message: String,
    pub timestamp: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn output_is_written_flat_and_only_when_there() {
        let mut p = ProcessInfo { process_id: "p".into(), exit_code: Some(0), ..Default::default() };
        assert!(serde_json::to_value(&p).unwrap().get("stdout").is_none());
        p.output = Some(ProcessOutput { stdout: "hi".into(), ..Default::default() });
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!((v["stdout"].clone(), v["stderr_truncated"].clone()), (json!("hi"), json!(false)));
        assert_eq!(serde_json::from_value::<ProcessInfo>(v).unwrap(), p);
    }
}

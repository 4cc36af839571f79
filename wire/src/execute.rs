//! `POST /execute`: the request and the response of a synchronous run.

use crate::lenient::{fitting_items, is_false, or_default};
use crate::rich::{FlatRich, RichOutput};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The body of `POST /execute` (and, tagged `execute`, the first message of a stream).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecuteRequest {
    pub language: String,
    pub code: String,
    /// The working directory: `workdir`, not `working_dir`, is what the agent reads.
    pub workdir: String,
    /// Seconds.
    pub timeout: u32,
    /// This run's own variables; left out when there are none, as the official SDKs do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
}

/// A Python exception raised by the code, as the kernel reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionError {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub traceback: String,
}

/// How a run that ended by itself ended, besides what it printed: what an `/execute` answer
/// and a stream's `result` message both say. A flag is only sent when set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunEnd {
    #[serde(default, deserialize_with = "or_default")]
    pub exit_code: i32,
    /// Seconds the code ran.
    #[serde(default, deserialize_with = "or_default")]
    pub execution_time: f64,
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The exception the code raised, if the kernel reported one.
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub error: Option<ExecutionError>,
    /// An output stream hit its cap and the rest was dropped.
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "is_false")]
    pub stdout_truncated: bool,
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "is_false")]
    pub stderr_truncated: bool,
    /// Plots or tables were dropped because the run passed its cap for them.
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "is_false")]
    pub rich_outputs_truncated: bool,
    /// The kernel had to be restarted (its state is gone).
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "is_false")]
    pub kernel_restarted: bool,
}

/// The 200 answer of `POST /execute`. The engine always sends the five core fields
/// (`success`, `stdout`, `stderr`, `exit_code`, `execution_time`), the flat rich fields that
/// apply and `rich_outputs`; a reader gets defaults for what is missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecuteResponse {
    /// Always sent by the engine; a reader without it decides from `exit_code`.
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    #[serde(default, deserialize_with = "or_default")]
    pub stdout: String,
    #[serde(default, deserialize_with = "or_default")]
    pub stderr: String,
    #[serde(flatten)]
    pub end: RunEnd,
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(flatten)]
    pub flat: FlatRich,
    /// The official Python SDK's flat table field; the engine never sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataframe: Option<Value>,
    /// Every rich output in display order; `None` when the agent sent no array (the cloud
    /// sends only the flat fields). Items a reader cannot read are skipped.
    #[serde(default, deserialize_with = "fitting_items", skip_serializing_if = "Option::is_none")]
    pub rich_outputs: Option<Vec<RichOutput>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_five_core_fields_are_always_written_and_unset_flags_never() {
        let body = serde_json::to_value(ExecuteResponse {
            success: Some(true),
            rich_outputs: Some(vec![]),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            body,
            json!({"success": true, "stdout": "", "stderr": "", "exit_code": 0, "execution_time": 0.0,
                   "rich_outputs": []})
        );
    }

    #[test]
    fn a_reader_survives_wrong_types_and_unreadable_items() {
        let r: ExecuteResponse = serde_json::from_value(json!({
            "stdout": null, "exit_code": "1", "success": "yes", "kernel_restarted": true,
            "error": {"name": "E"}, "rich_outputs": [{"data": {}}, {"type": "text/html"}]
        }))
        .unwrap();
        assert_eq!((r.stdout.as_str(), r.end.exit_code, r.success, r.end.error), ("", 0, None, None));
        assert!(r.end.kernel_restarted && !r.end.stdout_truncated);
        assert_eq!(r.rich_outputs.unwrap().len(), 1, "the item without a type is skipped");
        let no_array: ExecuteResponse = serde_json::from_value(json!({"rich_outputs": {}})).unwrap();
        assert_eq!(no_array.rich_outputs, None);
    }
}

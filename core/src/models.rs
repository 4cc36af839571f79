//! The public data types: what a sandbox is, what a run returns, and the options of each call.
//!
//! Parsing is lenient (the cloud leaves most fields out); the bindings read these structs and
//! never the raw JSON, so defaults are decided once, here.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Resources of a sandbox as the control plane reports them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    #[serde(default)]
    pub vcpu: i64,
    #[serde(default)]
    pub memory_mb: i64,
    #[serde(default)]
    pub disk_mb: i64,
}

/// A sandbox as `GET /v1/sandboxes/{id}` describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SandboxInfo {
    #[serde(rename = "id", alias = "sandbox_id")]
    pub sandbox_id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub template_id: Option<String>,
    #[serde(default)]
    pub template_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub organization_id: Option<i64>,
    #[serde(default)]
    pub node_id: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub public_host: Option<String>,
    #[serde(default)]
    pub direct_url: Option<String>,
    #[serde(default)]
    pub preview_url: Option<String>,
    #[serde(default)]
    pub resources: Option<Resources>,
    #[serde(default)]
    pub internet_access: Option<bool>,
    #[serde(default)]
    pub live_mode: Option<bool>,
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

impl SandboxInfo {
    /// The agent's base URL: `public_host`, else `direct_url`, without a trailing slash.
    pub fn agent_url(&self) -> Option<String> {
        [&self.public_host, &self.direct_url]
            .into_iter()
            .flatten()
            .find(|u| !u.is_empty())
            .map(|u| u.trim_end_matches('/').to_string())
    }
}

/// One rich output of a run: a plot, a table, any MIME bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RichOutput {
    /// The main MIME type, a plain string such as `image/png`.
    #[serde(rename = "type")]
    pub mime_type: String,
    /// MIME type to payload (base64 text for images, text or JSON otherwise).
    #[serde(default)]
    pub data: Map<String, Value>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

/// A Python exception raised by the code, as the kernel reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionError {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub traceback: String,
}

/// The outcome of one `run_code` call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutionResult {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    pub success: bool,
    /// Seconds the code ran, as the agent measured it.
    pub execution_time: f64,
    pub rich_outputs: Vec<RichOutput>,
    pub error: Option<ExecutionError>,
    pub language: Option<String>,
    pub timestamp: Option<String>,
    /// Set when a stream hit the output cap and the rest was dropped.
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    /// Set when the kernel had to be restarted (its state is gone).
    pub kernel_restarted: bool,
    /// Set when plots or tables were dropped because the run passed its cap for them.
    pub rich_outputs_truncated: bool,
    /// The flat rich fields of the wire, as the agent sent them (the official JS SDK's
    /// fields; each holds the first output of its type): base64 PNG, HTML, SVG, Markdown, a
    /// JSON value, and `result`, the text of the last expression's value (a figure shows as
    /// `<Figure size ... with 1 Axes>`, as in Jupyter).
    pub png: Option<String>,
    pub html: Option<String>,
    pub svg: Option<String>,
    pub markdown: Option<String>,
    pub json: Option<Value>,
    pub result: Option<String>,
}

/// The flat rich fields of the wire, in the order the official SDKs turn them into outputs.
const FLAT_RICH_FIELDS: [(&str, &str); 6] = [
    ("png", "image/png"),
    ("html", "text/html"),
    ("svg", "image/svg+xml"),
    ("markdown", "text/markdown"),
    ("json", "application/json"),
    ("dataframe", "application/vnd.dataframe+json"),
];

impl ExecutionResult {
    /// Parses an `/execute` response body, filling what the agent left out.
    pub fn from_wire(body: &Value) -> ExecutionResult {
        let empty = Map::new();
        let obj = body.as_object().unwrap_or(&empty);
        let text = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let flag = |k: &str| obj.get(k).and_then(Value::as_bool).unwrap_or(false);
        let exit_code =
            obj.get("exit_code").and_then(Value::as_i64).unwrap_or(if obj.is_empty() { 1 } else { 0 }) as i32;
        let success =
            obj.get("success").and_then(Value::as_bool).unwrap_or(!obj.is_empty() && exit_code == 0);
        let stdout = text("stdout");
        let rich_outputs = match obj.get("rich_outputs").and_then(Value::as_array) {
            Some(items) => {
                items.iter().filter_map(|v| serde_json::from_value::<RichOutput>(v.clone()).ok()).collect()
            }
            None => rich_from_flat(obj, &stdout),
        };
        ExecutionResult {
            stdout,
            stderr: text("stderr"),
            exit_code,
            success,
            execution_time: obj.get("execution_time").and_then(Value::as_f64).unwrap_or(0.0),
            rich_outputs,
            error: obj
                .get("error")
                .filter(|v| v.is_object())
                .and_then(|v| serde_json::from_value(v.clone()).ok()),
            language: obj.get("language").and_then(Value::as_str).map(String::from),
            timestamp: obj.get("timestamp").and_then(Value::as_str).map(String::from),
            stdout_truncated: flag("stdout_truncated"),
            stderr_truncated: flag("stderr_truncated"),
            kernel_restarted: flag("kernel_restarted"),
            rich_outputs_truncated: flag("rich_outputs_truncated"),
            png: flat_text(obj, "png"),
            html: flat_text(obj, "html"),
            svg: flat_text(obj, "svg"),
            markdown: flat_text(obj, "markdown"),
            json: obj.get("json").filter(|v| !v.is_null()).cloned(),
            result: flat_text(obj, "result"),
        }
        .with_flat_fields()
    }

    /// Fills the flat fields the agent did not send from the rich outputs: each takes the first
    /// output of its type, and `result` the text of the last expression's value (the output
    /// the kernel marks `kind: "result"`). A stream has only the outputs, so its result gets
    /// its flat fields here too, the same as a plain run's.
    pub fn with_flat_fields(mut self) -> ExecutionResult {
        let first = |mime: &str| self.rich_outputs.iter().find_map(|o| o.data.get(mime)).cloned();
        let text = |v: Option<Value>| v.and_then(|v| v.as_str().map(String::from)).filter(|s| !s.is_empty());
        let png = self.png.take().or_else(|| text(first("image/png")));
        let html = self.html.take().or_else(|| text(first("text/html")));
        let svg = self.svg.take().or_else(|| text(first("image/svg+xml")));
        let markdown = self.markdown.take().or_else(|| text(first("text/markdown")));
        let json = self.json.take().or_else(|| first("application/json"));
        let result = self.result.take().or_else(|| {
            let value = self
                .rich_outputs
                .iter()
                .rev()
                .find(|o| o.metadata.get("kind") == Some(&Value::from("result")));
            text(value.and_then(|o| o.data.get("text/plain").cloned()))
        });
        ExecutionResult { png, html, svg, markdown, json, result, ..self }
    }
}

/// A flat text field; an empty string is as good as absent.
fn flat_text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(String::from)
}

/// Builds rich outputs from the flat fields, for agents that send no `rich_outputs` array.
fn rich_from_flat(obj: &Map<String, Value>, stdout: &str) -> Vec<RichOutput> {
    let mut out: Vec<RichOutput> = FLAT_RICH_FIELDS
        .iter()
        .filter_map(|(key, mime)| {
            let value = obj.get(*key)?;
            let present = match value {
                Value::String(s) => !s.is_empty(),
                Value::Null => false,
                _ => true,
            };
            present.then(|| single_output(mime, value.clone()))
        })
        .collect();
    if let Some(result) = obj.get("result").and_then(Value::as_str) {
        if !result.is_empty() && result != stdout {
            out.push(single_output("text/plain", Value::String(result.into())));
        }
    }
    out
}

fn single_output(mime: &str, payload: Value) -> RichOutput {
    let mut data = Map::new();
    data.insert(mime.to_string(), payload);
    RichOutput { mime_type: mime.to_string(), data, metadata: Map::new() }
}

/// Arguments of `Sandbox.create`. `None` fields are not sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateOptions {
    pub template: Option<String>,
    pub template_id: Option<String>,
    pub region: Option<String>,
    pub timeout_seconds: Option<u64>,
    pub internet_access: Option<bool>,
    pub env_vars: Option<BTreeMap<String, String>>,
}

/// Arguments of `run_code` besides the code itself.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    pub language: String,
    /// Execution timeout in seconds; `None` is the call's default: [`DEFAULT_RUN_TIMEOUT`]
    /// for a run (1 to [`MAX_RUN_TIMEOUT`]), [`DEFAULT_BACKGROUND_TIMEOUT`] for a background
    /// run (1 to [`MAX_BACKGROUND_TIMEOUT`]).
    pub timeout: Option<u32>,
    pub env: Option<BTreeMap<String, String>>,
    pub working_dir: String,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { language: "python".into(), timeout: None, env: None, working_dir: "/workspace".into() }
    }
}

/// The official SDKs' default execution timeout, in seconds.
pub const DEFAULT_RUN_TIMEOUT: u32 = 120;
/// The longest synchronous run the agent accepts, in seconds.
pub const MAX_RUN_TIMEOUT: u32 = 300;
/// The official SDKs' default timeout of a background run, in seconds.
pub const DEFAULT_BACKGROUND_TIMEOUT: u32 = 300;
/// The longest background run, in seconds (a day).
pub const MAX_BACKGROUND_TIMEOUT: u32 = 86_400;
/// The template of a sandbox created without `template` or `template_id` (the official SDK
/// refuses that case; we pick the one every example uses).
pub const DEFAULT_TEMPLATE: &str = "code-interpreter";

/// Filters of `Sandbox.list`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListOptions {
    pub status: Option<String>,
    pub region: Option<String>,
    pub limit: Option<u32>,
}

/// Accepts an integer, a numeric string or null (older docs send org ids as strings).
fn lenient_i64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_fields_default_like_the_official_sdk() {
        let r = ExecutionResult::from_wire(&json!({"stdout": "hi\n"}));
        assert!(r.success);
        assert_eq!(r.exit_code, 0);
        assert_eq!(r.stdout, "hi\n");
        let empty = ExecutionResult::from_wire(&json!({}));
        assert!(!empty.success);
        assert_eq!(empty.exit_code, 1);
    }

    #[test]
    fn flat_rich_fields_become_outputs_and_svg_is_kept() {
        let r = ExecutionResult::from_wire(&json!({
            "stdout": "", "png": "AAAA", "svg": "<svg/>", "result": "42", "html": ""
        }));
        let types: Vec<_> = r.rich_outputs.iter().map(|o| o.mime_type.as_str()).collect();
        assert_eq!(types, ["image/png", "image/svg+xml", "text/plain"]);
        assert_eq!(r.rich_outputs[0].data["image/png"], "AAAA");
    }

    #[test]
    fn flat_fields_are_kept_as_sent() {
        let r = ExecutionResult::from_wire(&json!({
            "stdout": "", "png": "AAAA", "result": "<Figure size 640x480 with 1 Axes>", "html": "",
            "json": {"a": 1}, "rich_outputs_truncated": true
        }));
        assert_eq!(r.png.as_deref(), Some("AAAA"));
        assert_eq!(r.result.as_deref(), Some("<Figure size 640x480 with 1 Axes>"));
        assert_eq!((r.html, r.svg, r.markdown), (None, None, None), "empty or absent is None");
        assert_eq!(r.json, Some(json!({"a": 1})));
        assert!(r.rich_outputs_truncated);
        // Without flat fields (a stream's result), they come from the outputs.
        let figure = json!({"type": "text/plain", "data": {"text/plain": "<Figure size 640x480 with 1 Axes>"},
                            "metadata": {"kind": "result"}});
        let png = json!({"type": "image/png", "data": {"image/png": "BBBB", "text/plain": "<Figure>"}});
        let r = ExecutionResult::from_wire(&json!({"stdout": "", "rich_outputs": [png, figure]}));
        assert_eq!(r.png.as_deref(), Some("BBBB"));
        assert_eq!(r.result.as_deref(), Some("<Figure size 640x480 with 1 Axes>"));
    }

    #[test]
    fn rich_outputs_array_wins_and_error_is_parsed() {
        let r = ExecutionResult::from_wire(&json!({
            "success": false, "exit_code": 1, "png": "AAAA",
            "rich_outputs": [{"type": "text/html", "data": {"text/html": "<b>x</b>"}}],
            "error": {"name": "ValueError", "value": "bad", "traceback": "tb"}
        }));
        assert_eq!(r.rich_outputs.len(), 1);
        assert_eq!(r.rich_outputs[0].mime_type, "text/html");
        assert_eq!(r.error.unwrap().name, "ValueError");
    }

    #[test]
    fn sandbox_info_from_cloud_shape() {
        let info: SandboxInfo = serde_json::from_value(json!({
            "id": "abc", "status": "running", "public_host": "https://7777-abc.eu.vms.hopx.dev/",
            "organization_id": "12", "resources": {"vcpu": 2, "memory_mb": 512, "disk_mb": 1024}
        }))
        .unwrap();
        assert_eq!(info.sandbox_id, "abc");
        assert_eq!(info.organization_id, Some(12));
        assert_eq!(info.agent_url().unwrap(), "https://7777-abc.eu.vms.hopx.dev");
    }
}

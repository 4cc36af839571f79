//! The public data types: what a sandbox is, what a run returns, and the options of each call.
//!
//! They are built from `hopx_wire`'s types, which read the wire leniently (the cloud leaves
//! most fields out); the bindings read these structs and never the raw JSON, so the defaults
//! for what is missing are decided once, here.

use hopx_wire::{ExecuteResponse, FlatRich, SandboxRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

pub use hopx_wire::{ExecutionError, Resources, RichOutput};

/// A sandbox as `GET /v1/sandboxes/{id}` describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SandboxInfo {
    #[serde(rename = "id")]
    pub sandbox_id: String,
    pub status: String,
    pub template_id: Option<String>,
    pub template_name: Option<String>,
    pub organization_id: Option<i64>,
    pub node_id: Option<String>,
    pub region: Option<String>,
    pub public_host: Option<String>,
    pub direct_url: Option<String>,
    pub preview_url: Option<String>,
    pub resources: Option<Resources>,
    pub internet_access: Option<bool>,
    pub live_mode: Option<bool>,
    pub timeout_seconds: Option<u64>,
    pub expires_at: Option<String>,
    pub created_at: Option<String>,
}

impl From<SandboxRecord> for SandboxInfo {
    fn from(r: SandboxRecord) -> SandboxInfo {
        SandboxInfo {
            sandbox_id: r.id,
            status: r.status,
            template_id: r.template_id,
            template_name: r.template_name,
            organization_id: r.organization_id,
            node_id: r.node_id,
            region: r.region,
            public_host: r.public_host,
            direct_url: r.direct_url,
            preview_url: r.preview_url,
            resources: r.resources,
            internet_access: r.internet_access,
            live_mode: r.live_mode,
            timeout_seconds: r.timeout_seconds,
            expires_at: r.expires_at,
            created_at: r.created_at,
        }
    }
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

/// The MIME type of the official Python SDK's flat `dataframe` field.
const DATAFRAME: &str = "application/vnd.dataframe+json";

impl ExecutionResult {
    /// Parses an `/execute` response body, filling what the agent left out as the official
    /// SDK does: a missing `success` follows `exit_code`, and an empty body is a failed run.
    pub fn from_wire(body: &Value) -> ExecutionResult {
        let empty = body.as_object().is_none_or(|o| o.is_empty());
        let wire = match empty {
            true => ExecuteResponse::default(),
            false => ExecuteResponse::deserialize(body).unwrap_or_default(),
        };
        let exit_code = if empty { 1 } else { wire.end.exit_code };
        let rich_outputs =
            wire.rich_outputs.unwrap_or_else(|| rich_from_flat(&wire.flat, wire.dataframe, &wire.stdout));
        let flat = wire.flat;
        let text = |s: Option<String>| s.filter(|s| !s.is_empty());
        ExecutionResult {
            stdout: wire.stdout,
            stderr: wire.stderr,
            exit_code,
            success: wire.success.unwrap_or(!empty && exit_code == 0),
            execution_time: wire.end.execution_time,
            rich_outputs,
            error: wire.end.error,
            language: wire.language,
            timestamp: wire.end.timestamp,
            stdout_truncated: wire.end.stdout_truncated,
            stderr_truncated: wire.end.stderr_truncated,
            kernel_restarted: wire.end.kernel_restarted,
            rich_outputs_truncated: wire.end.rich_outputs_truncated,
            png: text(flat.png),
            html: text(flat.html),
            svg: text(flat.svg),
            markdown: text(flat.markdown),
            json: flat.json,
            result: text(flat.result),
        }
        .with_flat_fields()
    }

    /// Fills the flat fields the agent did not send from the rich outputs ([`FlatRich::of`]:
    /// each takes the first output of its type, and `result` the text of the last
    /// expression's value). A stream has only the outputs, so its result gets its flat fields
    /// here too, the same as a plain run's.
    pub fn with_flat_fields(self) -> ExecutionResult {
        let sent = FlatRich {
            png: self.png,
            html: self.html,
            svg: self.svg,
            markdown: self.markdown,
            json: self.json,
            result: self.result,
        };
        let flat = sent.or(FlatRich::of(&self.rich_outputs));
        ExecutionResult {
            png: flat.png,
            html: flat.html,
            svg: flat.svg,
            markdown: flat.markdown,
            json: flat.json,
            result: flat.result,
            ..self
        }
    }
}

/// Builds rich outputs from the flat fields, for agents that send no `rich_outputs` array: the
/// official SDKs' outputs, the Python SDK's `dataframe`, and the JS SDK's `result` when it is
/// not just the printed text.
fn rich_from_flat(flat: &FlatRich, dataframe: Option<Value>, stdout: &str) -> Vec<RichOutput> {
    let mut out = flat.outputs();
    // Like the other flat fields, an empty string is no output.
    out.extend(dataframe.filter(|v| v.as_str() != Some("")).map(|v| RichOutput::single(DATAFRAME, v)));
    if let Some(result) = flat.result.as_deref().filter(|r| !r.is_empty() && *r != stdout) {
        out.push(RichOutput::single("text/plain", Value::String(result.into())));
    }
    out
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
    /// `run_code` checks first that the sandbox can take work ([`Sandbox::ensure_healthy`]),
    /// for a clear error instead of a failed run.
    ///
    /// [`Sandbox::ensure_healthy`]: crate::Sandbox::ensure_healthy
    pub preflight: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            language: "python".into(),
            timeout: None,
            env: None,
            working_dir: "/workspace".into(),
            preflight: false,
        }
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
        let info: SandboxInfo = serde_json::from_value::<SandboxRecord>(json!({
            "id": "abc", "status": "running", "public_host": "https://7777-abc.eu.vms.hopx.dev/",
            "organization_id": "12", "resources": {"vcpu": 2, "memory_mb": 512, "disk_mb": 1024}
        }))
        .unwrap()
        .into();
        assert_eq!(info.sandbox_id, "abc");
        assert_eq!(info.organization_id, Some(12));
        assert_eq!(info.agent_url().unwrap(), "https://7777-abc.eu.vms.hopx.dev");
    }
}

//! Plain JS objects in and out: the option bags the facade passes and the records it gets back.
//!
//! Field names become camelCase in JS. Defaults are decided in `hopx-core` (`RunOptions`) or
//! the facade; these types only carry values across.

use hopx_core as hcore;
use napi_derive::napi;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// Which backend to use (see `ClientConfig`); both absent means the environment decides.
#[napi(object)]
pub struct ClientArgs {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
}

impl From<ClientArgs> for hcore::ClientConfig {
    fn from(a: ClientArgs) -> Self {
        hcore::ClientConfig { api_key: a.api_key, base_url: a.base_url, local_python: None }
    }
}

/// Arguments of `Sandbox.create`.
#[napi(object)]
pub struct CreateArgs {
    pub template: Option<String>,
    pub template_id: Option<String>,
    pub region: Option<String>,
    pub timeout_seconds: Option<u32>,
    pub internet_access: Option<bool>,
    pub env_vars: Option<HashMap<String, String>>,
}

impl From<CreateArgs> for hcore::CreateOptions {
    fn from(a: CreateArgs) -> Self {
        hcore::CreateOptions {
            template: a.template,
            template_id: a.template_id,
            region: a.region,
            timeout_seconds: a.timeout_seconds.map(u64::from),
            internet_access: a.internet_access,
            env_vars: a.env_vars.map(sorted),
        }
    }
}

/// Arguments of `Sandbox.list` besides the backend.
#[napi(object)]
pub struct ListArgs {
    pub status: Option<String>,
    pub region: Option<String>,
    pub limit: Option<u32>,
}

impl From<ListArgs> for hcore::ListOptions {
    fn from(a: ListArgs) -> Self {
        hcore::ListOptions { status: a.status, region: a.region, limit: a.limit }
    }
}

/// Arguments of `runCode` besides the code; absent fields take the core defaults.
#[napi(object)]
pub struct RunArgs {
    pub language: Option<String>,
    pub timeout: Option<u32>,
    pub env: Option<HashMap<String, String>>,
    pub working_dir: Option<String>,
    /// Check first that the sandbox can take work (`ensureHealthy`).
    pub preflight: Option<bool>,
}

impl From<RunArgs> for hcore::RunOptions {
    fn from(a: RunArgs) -> Self {
        let d = hcore::RunOptions::default();
        hcore::RunOptions {
            language: a.language.unwrap_or(d.language),
            timeout: a.timeout,
            env: a.env.map(sorted),
            working_dir: a.working_dir.unwrap_or(d.working_dir),
            preflight: a.preflight.unwrap_or(false),
        }
    }
}

fn sorted(map: HashMap<String, String>) -> BTreeMap<String, String> {
    map.into_iter().collect()
}

/// One rich output (plot, table, any MIME bundle).
#[napi(object)]
pub struct RichOutput {
    #[napi(js_name = "type")]
    pub mime_type: String,
    pub data: Map<String, Value>,
    pub metadata: Map<String, Value>,
}

/// A Python exception raised by the code.
#[napi(object)]
pub struct ExecutionError {
    pub name: String,
    pub value: String,
    pub traceback: String,
}

/// The outcome of one `runCode` call, as the facade's `ExecutionResult` reads it.
#[napi(object)]
pub struct ExecutionResult {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    pub success: bool,
    pub execution_time: f64,
    pub rich_outputs: Vec<RichOutput>,
    pub error: Option<ExecutionError>,
    pub language: Option<String>,
    pub timestamp: Option<String>,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    pub kernel_restarted: bool,
    pub rich_outputs_truncated: bool,
    /// The official flat fields (see `hopx_core::ExecutionResult`).
    pub png: Option<String>,
    pub html: Option<String>,
    pub svg: Option<String>,
    pub markdown: Option<String>,
    pub json: Option<Value>,
    pub result: Option<String>,
}

impl From<hcore::ExecutionResult> for ExecutionResult {
    fn from(r: hcore::ExecutionResult) -> Self {
        ExecutionResult {
            stdout: r.stdout,
            stderr: r.stderr,
            exit_code: r.exit_code,
            success: r.success,
            execution_time: r.execution_time,
            rich_outputs: r
                .rich_outputs
                .into_iter()
                .map(|o| RichOutput { mime_type: o.mime_type, data: o.data, metadata: o.metadata })
                .collect(),
            error: r.error.map(|e| ExecutionError { name: e.name, value: e.value, traceback: e.traceback }),
            language: r.language,
            timestamp: r.timestamp,
            stdout_truncated: r.stdout_truncated,
            stderr_truncated: r.stderr_truncated,
            kernel_restarted: r.kernel_restarted,
            rich_outputs_truncated: r.rich_outputs_truncated,
            png: r.png,
            html: r.html,
            svg: r.svg,
            markdown: r.markdown,
            json: r.json,
            result: r.result,
        }
    }
}

/// Resources of a sandbox.
#[napi(object)]
pub struct Resources {
    pub vcpu: i64,
    pub memory_mb: i64,
    pub disk_mb: i64,
}

/// A sandbox as the control plane describes it.
#[napi(object)]
pub struct SandboxInfo {
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
    pub timeout_seconds: Option<i64>,
    pub expires_at: Option<String>,
    pub created_at: Option<String>,
}

impl From<hcore::SandboxInfo> for SandboxInfo {
    fn from(i: hcore::SandboxInfo) -> Self {
        SandboxInfo {
            sandbox_id: i.sandbox_id,
            status: i.status,
            template_id: i.template_id,
            template_name: i.template_name,
            organization_id: i.organization_id,
            node_id: i.node_id,
            region: i.region,
            public_host: i.public_host,
            direct_url: i.direct_url,
            preview_url: i.preview_url,
            resources: i.resources.map(|r| Resources {
                vcpu: r.vcpu,
                memory_mb: r.memory_mb,
                disk_mb: r.disk_mb,
            }),
            internet_access: i.internet_access,
            live_mode: i.live_mode,
            timeout_seconds: i.timeout_seconds.map(|t| i64::try_from(t).unwrap_or(i64::MAX)),
            expires_at: i.expires_at,
            created_at: i.created_at,
        }
    }
}

/// A call's `timeout` in seconds as a `Duration` (absent: the call's default); a value no
/// `Duration` holds, zero included, is a ValidationError.
pub fn duration(timeout: Option<f64>) -> napi::Result<Option<std::time::Duration>> {
    match timeout {
        None => Ok(None),
        Some(s) => match std::time::Duration::try_from_secs_f64(s) {
            Ok(d) if !d.is_zero() => Ok(Some(d)),
            _ => {
                let msg = format!("timeout must be a positive number of seconds, got {s}");
                Err(crate::errors::to_napi(hcore::Error::validation(msg)))
            }
        },
    }
}

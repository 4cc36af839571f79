//! What the agent tells about its sandbox: the processes running in it (`GET /processes`),
//! its resource use and the agent's counters (`GET /metrics/snapshot`, `GET /metrics`), and
//! its kernel session (`GET /jupyter/sessions`). Every number is read
//! when asked, from `/proc` and the engine's own counters.

use super::agent::Agent;
use super::error_body::AgentError;
use crate::engine::error::ApiError;
use crate::ids::rfc3339;
use crate::spawn::procinfo::{self, ProcInfo};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// The agent's request counters, kept by a middleware of its router.
#[derive(Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub errors: AtomicU64,
}

impl Counters {
    /// Counts one answered request.
    pub fn count(&self, status: u16) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if status >= 400 {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Every live process of the sandbox, read now.
async fn processes(agent: &Agent) -> Result<Vec<ProcInfo>, ApiError> {
    let ctx = &agent.sandbox.context;
    let (isolator, spec) = (ctx.isolator.clone(), ctx.spec.clone());
    let read = tokio::task::spawn_blocking(move || {
        isolator.processes(&spec).map(|pids| pids.into_iter().filter_map(procinfo::read).collect())
    });
    read.await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::internal(format!("cannot list the sandbox's processes: {e}")))
}

fn mb(bytes: u64) -> f64 {
    (bytes as f64 / (1024.0 * 1024.0) * 100.0).round() / 100.0
}

/// `GET /processes`: `{processes: [{pid, name, status, cpu_percent, memory_mb, command}], ...}`.
pub async fn list(State(agent): State<Agent>) -> Response {
    let found = match processes(&agent).await {
        Ok(found) => found,
        Err(e) => return AgentError(e).into_response(),
    };
    let items: Vec<Value> = found
        .iter()
        .map(|p| {
            let cpu_percent = if p.age_seconds > 0.0 { p.cpu_seconds / p.age_seconds * 100.0 } else { 0.0 };
            json!({
                "pid": p.pid,
                "name": p.name,
                "status": state_name(p.state),
                "cpu_percent": (cpu_percent * 10.0).round() / 10.0,
                "memory_mb": mb(p.rss_bytes),
                "command": p.command,
            })
        })
        .collect();
    Json(json!({"processes": items, "count": items.len(), "timestamp": rfc3339(SystemTime::now())}))
        .into_response()
}

fn state_name(state: char) -> &'static str {
    match state {
        'R' => "running",
        'S' | 'I' => "sleeping",
        'D' => "disk-sleep",
        'T' | 't' => "stopped",
        'Z' => "zombie",
        _ => "unknown",
    }
}

/// `GET /metrics/snapshot` (and `/metrics`): the sandbox's memory, CPU time and processes, and
/// the agent's counters, under both official SDKs' names.
pub async fn snapshot(State(agent): State<Agent>) -> Response {
    let found = match processes(&agent).await {
        Ok(found) => found,
        Err(e) => return AgentError(e).into_response(),
    };
    let ctx = &agent.sandbox.context;
    let (total, _) = ctx.started();
    let active = ctx.active();
    let memory: u64 = found.iter().map(|p| p.rss_bytes).sum();
    let cpu: f64 = found.iter().map(|p| p.cpu_seconds).sum();
    let running = found.iter().filter(|p| p.state == 'R').count();
    let requests = agent.counters.requests.load(Ordering::Relaxed);
    let errors = agent.counters.errors.load(Ordering::Relaxed);
    let uptime = agent.sandbox.created_at.elapsed().map_or(0, |d| d.as_secs());
    Json(json!({
        "uptime_seconds": uptime,
        "total_executions": total,
        "active_executions": active,
        "total_requests": requests,
        "requests_total": requests,
        "total_errors": errors,
        "error_count": errors,
        "process": {"count": found.len(), "running": running},
        "cache": super::cache::numbers(&agent),
        "system": {
            "memory_bytes": memory,
            "memory_mb": mb(memory),
            "cpu_seconds": (cpu * 100.0).round() / 100.0,
            "processes": found.len(),
        },
        "timestamp": rfc3339(SystemTime::now()),
    }))
    .into_response()
}

/// `GET /jupyter/sessions`: the sandbox's kernel, once it has started.
pub async fn sessions(State(agent): State<Agent>) -> Response {
    let sandbox = &agent.sandbox;
    let (started, busy) = match sandbox.kernel.try_lock() {
        Ok(slot) => (slot.is_some(), false),
        // A cell holds the kernel while it runs.
        Err(_) => (true, true),
    };
    let last = sandbox.context.started().1.unwrap_or(sandbox.created_at);
    let sessions: Vec<Value> = if started {
        vec![json!({
            "kernel_id": format!("{}-python", sandbox.id),
            "name": "python3",
            "execution_state": if busy { "busy" } else { "idle" },
            "connections": 1,
            "last_activity": rfc3339(last),
        })]
    } else {
        Vec::new()
    };
    Json(json!({"sessions": sessions, "count": sessions.len(), "timestamp": rfc3339(SystemTime::now())}))
        .into_response()
}

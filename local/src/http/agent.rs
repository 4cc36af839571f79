//! The agent of one sandbox, on its own loopback port (clients build WebSocket URLs from
//! host and port only, so sandboxes cannot share a port behind path prefixes).

use super::error_body::AgentError;
use super::{execute, json_object, string_map};
use crate::engine::error::ApiError;
use crate::engine::forward::Forwards;
use crate::engine::sandbox::Sandbox;
use crate::engine::Engine;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hopx_wire::code;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// How long a killed sandbox's port keeps answering 404 before it closes.
const GONE_LINGER: Duration = Duration::from_secs(60);

/// What every agent handler sees.
#[derive(Clone)]
pub struct Agent {
    pub sandbox: Arc<Sandbox>,
    pub engine: Engine,
    /// Requests answered, for the metrics.
    pub counters: Arc<super::introspect::Counters>,
    /// Its preview URLs' forwards (`POST /preview-url`).
    pub previews: Arc<Forwards>,
}

/// Starts serving the agent of `sandbox` on `listener`; it stops a while after the kill.
pub fn serve(listener: tokio::net::TcpListener, sandbox: Arc<Sandbox>, engine: Engine) {
    let mut killed = sandbox.kill_signal();
    let shutdown = async move {
        let _ = killed.wait_for(|k| *k).await;
        tokio::time::sleep(GONE_LINGER).await;
    };
    let agent = Agent { sandbox, engine, counters: Default::default(), previews: Default::default() };
    super::serve(listener, router(agent), shutdown);
}

fn router(agent: Agent) -> Router {
    let authed = Router::new()
        .route("/execute", post(execute_code))
        .route("/execute/ipython", post(execute_ipython))
        .route("/execute/async", post(super::webhook::start))
        .route("/execute/stream", get(super::stream::execute_stream))
        .route("/execute/background", post(super::background::start))
        .route("/execute/processes", get(super::background::list))
        .route("/execute/processes/{id}", get(super::background::get_one))
        .route(
            "/execute/kill",
            axum::routing::delete(super::background::kill_by_query).post(super::background::kill_by_body),
        )
        .route("/execute/kill/{id}", post(super::background::kill_by_path))
        // The official Python AsyncSandbox.kill_process spells it this way (sdk-surface §2.5).
        .route("/processes/{id}/kill", post(super::background::kill_by_path))
        .route("/commands/run", post(run_command))
        .route("/commands/background", post(super::background::start_command))
        .route("/env", get(env_get).put(env_put).patch(env_patch).delete(env_delete))
        .route("/files/read", get(super::files::read))
        .route("/files/write", post(super::files::write))
        .route("/files/list", get(super::files::list))
        .route("/files/exists", get(super::files::exists))
        .route("/files/remove", axum::routing::delete(super::files::remove))
        .route("/files/mkdir", post(super::files::mkdir))
        // Uploads stream to disk, so no body limit applies (the sandbox's disk is the limit).
        .route("/files/upload", post(super::files::upload).layer(axum::extract::DefaultBodyLimit::disable()))
        .route("/files/download", get(super::files::download))
        .route("/files/watch", get(super::watch::watch))
        .route("/terminal", get(super::terminal::terminal))
        .route("/processes", get(super::introspect::list))
        .route("/metrics", get(super::introspect::snapshot))
        .route("/metrics/snapshot", get(super::introspect::snapshot))
        .route("/jupyter/sessions", get(super::introspect::sessions))
        .route("/preview-url", post(super::preview::preview_url))
        .route("/cache/stats", get(super::cache::stats))
        .route("/cache/clear", post(super::cache::clear))
        .route_layer(middleware::from_fn_with_state(agent.clone(), require_token));
    Router::new()
        .route("/", get(root))
        .route("/health", get(health))
        .route("/info", get(info))
        .route("/ping", get(ping))
        .merge(authed)
        .fallback(not_found)
        // Room for the largest accepted code, JSON-escaped, so the size check can say why.
        .layer(axum::extract::DefaultBodyLimit::max(agent.engine.config().code_limit * 2 + (1 << 20)))
        .layer(middleware::from_fn_with_state(agent.clone(), refuse_if_killed))
        .layer(middleware::from_fn_with_state(agent.clone(), count))
        .layer(middleware::from_fn(|req, next| super::record("agent", req, next)))
        .layer(middleware::from_fn(super::request_id))
        .with_state(agent)
}

/// Counts every answer, for `/metrics/snapshot`.
async fn count(State(agent): State<Agent>, req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    agent.counters.count(response.status().as_u16());
    response
}

/// A killed sandbox answers as gone. A paused one answers only what reads about it (the open
/// endpoints, which the spec allows no error on, and its process list); anything that would
/// run or touch it is refused rather than left waiting for the resume.
async fn refuse_if_killed(State(agent): State<Agent>, req: Request, next: Next) -> Response {
    if agent.sandbox.is_killed() {
        return AgentError(agent.engine.gone_error(&agent.sandbox.id)).into_response();
    }
    let reads = ["/", "/health", "/info", "/ping", "/processes"].contains(&req.uri().path());
    if agent.sandbox.is_paused() && !reads {
        let id = &agent.sandbox.id;
        return AgentError(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::SANDBOX_PAUSED,
            format!("Sandbox {id} is paused: resume it first (resume(), or connect() which resumes)"),
        ))
        .into_response();
    }
    next.run(req).await
}

/// The bearer token a request carries, if any.
fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
}

/// The sandbox id, for callers that hold its token only: the open endpoints answer anyone who
/// finds the port on loopback, and must not tell them which sandbox lives there.
fn vm_id(agent: &Agent, headers: &axum::http::HeaderMap) -> String {
    match bearer(headers) {
        Some(t) if agent.sandbox.accepts_token(t.trim()) => agent.sandbox.id.clone(),
        _ => String::new(),
    }
}

async fn require_token(State(agent): State<Agent>, req: Request, next: Next) -> Response {
    match bearer(req.headers()) {
        Some(t) if agent.sandbox.accepts_token(t.trim()) => next.run(req).await,
        Some(_) => AgentError(ApiError::new(
            StatusCode::UNAUTHORIZED,
            code::TOKEN_INVALID,
            "Invalid or expired sandbox token",
        ))
        .into_response(),
        None => AgentError(ApiError::new(
            StatusCode::UNAUTHORIZED,
            code::AUTHENTICATION_REQUIRED,
            "Authorization: Bearer <token> required",
        ))
        .into_response(),
    }
}

async fn not_found() -> AgentError {
    ApiError::new(StatusCode::NOT_FOUND, code::NOT_FOUND, "no such endpoint").into()
}

fn uptime(agent: &Agent) -> u64 {
    agent.sandbox.created_at.elapsed().map(|d| d.as_secs()).unwrap_or(0)
}

fn features(agent: &Agent) -> Value {
    let rt = agent.sandbox.context.runtimes;
    let langs: Vec<&str> = [
        crate::exec::Language::Python,
        crate::exec::Language::JavaScript,
        crate::exec::Language::Bash,
        crate::exec::Language::Go,
    ]
    .into_iter()
    .filter(|l| rt.binary(*l).is_ok())
    .map(|l| l.name())
    .collect();
    json!({
        "code_execution": true,
        "file_operations": true,
        "terminal_access": false,
        "websocket_streaming": true,
        "rich_output": agent.sandbox.template.python_kernel,
        "background_jobs": true,
        "ipython_kernel": agent.sandbox.template.python_kernel,
        "system_metrics": false,
        "languages": langs,
    })
}

async fn health(State(agent): State<Agent>, headers: axum::http::HeaderMap) -> Json<Value> {
    // A paused sandbox's agent answers (only) this, and says it cannot take work.
    let status = if agent.sandbox.is_paused() { "paused" } else { "healthy" };
    Json(json!({
        "status": status,
        "agent": "hopx-local",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime": format!("{}s", uptime(&agent)),
        "vm_id": vm_id(&agent, &headers),
        "features": features(&agent),
        "active_streams": 0,
    }))
}

async fn info(State(agent): State<Agent>, headers: axum::http::HeaderMap) -> Json<Value> {
    let port = agent.sandbox.agent_url.rsplit(':').next().unwrap_or_default().to_string();
    Json(json!({
        "agent": "hopx-local",
        "version": env!("CARGO_PKG_VERSION"),
        "agent_version": env!("CARGO_PKG_VERSION"),
        "vm_id": vm_id(&agent, &headers),
        "ip": "127.0.0.1",
        "vm_ip": "127.0.0.1",
        "port": port,
        "vm_port": port,
        "platform": std::env::consts::OS,
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "go_version": "",
        "start_time": crate::ids::rfc3339(agent.sandbox.created_at),
        "uptime": uptime(&agent),
        "features": features(&agent),
        "endpoints": {
            "execute": "POST /execute",
            "execute_stream": "GET /execute/stream (WebSocket)",
            "execute_background": "POST /execute/background",
            "execute_ipython": "POST /execute/ipython",
            "execute_async": "POST /execute/async (webhook)",
            "cache": "GET /cache/stats, POST /cache/clear",
            "processes": "GET /execute/processes",
            "kill": "POST /execute/kill/{process_id}",
            "commands": "POST /commands/run",
            "env": "GET|PUT|PATCH|DELETE /env",
            "files": "GET /files/read|list|exists|download, POST /files/write|mkdir|upload, DELETE /files/remove",
            "health": "GET /health",
            "preview_url": "POST /preview-url",
        },
    }))
}

async fn ping() -> Json<Value> {
    Json(json!({ "status": "ok", "message": "pong" }))
}

async fn root(State(agent): State<Agent>, headers: axum::http::HeaderMap) -> Json<Value> {
    let id = vm_id(&agent, &headers);
    Json(json!({ "name": "hopx-local agent", "sandbox_id": id, "version": env!("CARGO_PKG_VERSION") }))
}

async fn execute_code(State(agent): State<Agent>, body: Bytes) -> Response {
    let config = agent.engine.config();
    let req = match json_object(&body).and_then(|obj| execute::parse_request(&agent.sandbox, &obj, config)) {
        Ok(r) => r,
        Err(e) => return AgentError(e).into_response(),
    };
    let outcome = agent.sandbox.execute(req.clone(), None).await;
    execute::answer(&agent.sandbox, &req, outcome)
}

/// `POST /execute/ipython`: Python in the sandbox's IPython kernel (magics, display), with
/// `/execute`'s body and answer; a template without a kernel says so instead of running it
/// as plain Python.
async fn execute_ipython(State(agent): State<Agent>, body: Bytes) -> Response {
    if !agent.sandbox.template.python_kernel {
        let msg =
            format!("template {} has no IPython kernel; use code-interpreter", agent.sandbox.template.name);
        return AgentError(ApiError::bad_request(msg)).into_response();
    }
    let config = agent.engine.config();
    let parsed = json_object(&body).and_then(|mut obj| {
        match obj.get("language").and_then(Value::as_str) {
            None | Some("python" | "python3" | "ipython") => {}
            Some(other) => {
                return Err(ApiError::bad_request(format!("/execute/ipython runs Python, not {other}")))
            }
        }
        obj.insert("language".into(), Value::String("python".into()));
        execute::parse_request(&agent.sandbox, &obj, config)
    });
    let req = match parsed {
        Ok(r) => r,
        Err(e) => return AgentError(e).into_response(),
    };
    let outcome = agent.sandbox.execute(req.clone(), None).await;
    execute::answer(&agent.sandbox, &req, outcome)
}

async fn run_command(State(agent): State<Agent>, body: Bytes) -> Response {
    execute::run_command(&agent.sandbox, &body).await
}

fn env_answer(agent: &Agent, message: &str) -> Response {
    let env = agent.sandbox.state().env.clone();
    Json(json!({
        "env_vars": env,
        "count": env.len(),
        "message": message,
        "timestamp": crate::ids::now_rfc3339(),
    }))
    .into_response()
}

async fn env_get(State(agent): State<Agent>) -> Response {
    env_answer(&agent, "ok")
}

async fn env_put(State(agent): State<Agent>, body: Bytes) -> Response {
    env_update(agent, body, false)
}

async fn env_patch(State(agent): State<Agent>, body: Bytes) -> Response {
    env_update(agent, body, true)
}

/// PUT replaces every variable, PATCH merges, whatever the body's `merge` says.
fn env_update(agent: Agent, body: Bytes, merge: bool) -> Response {
    let vars = match json_object(&body).and_then(|obj| string_map(&obj, "env_vars")) {
        Ok(v) => v,
        Err(e) => return AgentError(e).into_response(),
    };
    {
        let mut st = agent.sandbox.state();
        if !merge {
            st.env.clear();
        }
        st.env.extend(vars);
    }
    env_answer(&agent, if merge { "merged" } else { "replaced" })
}

async fn env_delete(State(agent): State<Agent>) -> Response {
    agent.sandbox.state().env.clear();
    env_answer(&agent, "cleared")
}

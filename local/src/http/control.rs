//! The control plane: `/health`, `/v1/sandboxes[...]`, `/v1/templates[...]`.
//!
//! Shapes follow what both official SDKs parse: 201 JSON on create, 200 JSON on delete,
//! nested error bodies, `X-Request-ID` on every answer.

use super::error_body::ControlError;
use super::{agent, json_object, record, string_map};
use crate::engine::error::ApiError;
use crate::engine::owner::{self, Owner, OWNER_HEADER};
use crate::engine::template::{Template, TEMPLATES};
use crate::engine::{CreateRequest, Engine};
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use hopx_wire::{code, List, TemplateRecord};
use serde_json::{json, Value};
use std::collections::HashMap;

type Answer = Result<Response, ControlError>;

/// The control-plane router for `engine`.
pub fn router(engine: Engine) -> Router {
    let v1 = Router::new()
        .route("/v1/sandboxes", post(create).get(list))
        .route("/v1/sandboxes/{id}", get(get_one).delete(delete))
        .route("/v1/sandboxes/{id}/timeout", put(set_timeout))
        .route("/v1/sandboxes/{id}/pause", post(pause))
        .route("/v1/sandboxes/{id}/resume", post(resume))
        .route("/v1/sandboxes/{id}/token/refresh", post(refresh_token))
        .route("/v1/templates", get(list_templates))
        .route("/v1/templates/{name}", get(get_template).delete(delete_template))
        .route_layer(middleware::from_fn_with_state(engine.clone(), require_api_key));
    Router::new()
        .route("/health", get(health))
        .merge(v1)
        .fallback(not_found)
        .layer(middleware::from_fn(|req, next| super::record("control", req, next)))
        .layer(middleware::from_fn(super::request_id))
        .with_state(engine)
}

/// Open to anyone on loopback: it says the engine is up and nothing about its sandboxes.
/// "healthy" is the word the official CLI checks for.
async fn health() -> Json<Value> {
    Json(json!({ "status": "healthy", "service": "hopx-local", "version": env!("CARGO_PKG_VERSION") }))
}

async fn not_found() -> ControlError {
    ApiError::new(StatusCode::NOT_FOUND, code::RESOURCE_NOT_FOUND, "no such endpoint").into()
}

/// Accepts the key from `X-API-Key` or `Authorization: Bearer` when the engine has one.
async fn require_api_key(State(engine): State<Engine>, req: Request, next: Next) -> Response {
    if let Some(expected) = &engine.config().api_key {
        let headers = req.headers();
        let given = headers.get("x-api-key").and_then(|v| v.to_str().ok()).or_else(|| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        });
        match given {
            Some(k) if k == expected => {}
            Some(_) => {
                return ControlError(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    code::INVALID_TOKEN,
                    "Invalid API key",
                ))
                .into_response()
            }
            None => {
                return ControlError(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    code::AUTHENTICATION_REQUIRED,
                    "API key required (X-API-Key header)",
                ))
                .into_response()
            }
        }
    }
    engine.touch();
    next.run(req).await
}

async fn create(State(engine): State<Engine>, headers: HeaderMap, body: Bytes) -> Answer {
    let obj = json_object(&body)?;
    let template = find_template(&obj)?;
    let timeout_seconds = match obj.get("timeout_seconds") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if n > 0 => Some(n),
            _ => return Err(ApiError::bad_request("timeout_seconds must be a positive integer").into()),
        },
    };
    let internet_access = match obj.get("internet_access") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(ApiError::bad_request("internet_access must be a boolean").into()),
    };
    let env_vars = string_map(&obj, "env_vars")?;
    // Each agent has a loopback port of its own, bound first so the sandbox can name it.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| ApiError::internal(format!("cannot open the agent port: {e}")))?;
    let port = listener.local_addr().map_err(|e| ApiError::internal(e.to_string()))?.port();
    let agent_url = format!("http://127.0.0.1:{port}");
    let req = CreateRequest { template, timeout_seconds, internet_access, env_vars, agent_url };
    // A shared engine's client names itself: its sandbox ends with it, unless it was given a
    // time-to-live (made to outlive the process).
    let owner = headers.get(OWNER_HEADER).and_then(|v| v.to_str().ok()).map(Owner::parse);
    let owner = match owner {
        Some(None) => {
            return Err(ApiError::bad_request(format!("{OWNER_HEADER} must be <pid>:<start time>")).into())
        }
        Some(Some(o)) if timeout_seconds.is_none() => Some(o),
        _ => None,
    };
    let sandbox = engine.create(req).await?;
    // No await between the sandbox joining the table and its agent starting: a client that
    // goes away here cannot leave a sandbox without an agent.
    agent::serve(listener, sandbox.clone(), engine.clone());
    if let Some(owner) = owner {
        owner::watch(engine.clone(), sandbox.clone(), owner);
    }
    Ok((StatusCode::CREATED, Json(record::sandbox(&sandbox, true))).into_response())
}

fn find_template(obj: &serde_json::Map<String, Value>) -> Result<&'static Template, ApiError> {
    let wanted = match (obj.get("template_id"), obj.get("template_name")) {
        (Some(Value::String(s)), _) if !s.is_empty() => s.clone(),
        (Some(Value::Number(n)), _) => n.to_string(),
        (_, Some(Value::String(s))) if !s.is_empty() => s.clone(),
        _ => return Err(ApiError::bad_request("template_name or template_id is required")),
    };
    Template::find(&wanted).ok_or_else(|| template_not_found(&wanted))
}

/// `DELETE /v1/templates/{id}`: the engine's templates are built in, so every one it knows is
/// refused (403) with a clear message, and an unknown one is a 404 as on `GET`.
async fn delete_template(Path(id): Path<String>) -> Answer {
    let t = Template::find(&id).ok_or_else(|| template_not_found(&id))?;
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        code::FORBIDDEN,
        format!("Template {:?} is built into the local engine and cannot be deleted", t.name),
    )
    .with_detail("template_name", t.name)
    .into())
}

fn template_not_found(name: &str) -> ApiError {
    let names = Template::names();
    ApiError::new(
        StatusCode::NOT_FOUND,
        code::TEMPLATE_NOT_FOUND,
        // Not the words "not found": the official JS SDK turns any 404 saying so into a
        // FileNotFoundError; this way it raises APIError with code TEMPLATE_NOT_FOUND.
        format!("Unknown template {name:?}. Available templates: {}", names.join(", ")),
    )
    .with_detail("template_name", name)
    .with_detail("available_templates", names)
}

async fn list(State(engine): State<Engine>, Query(q): Query<HashMap<String, String>>) -> Answer {
    // The spec lists only 200/401/500 here, so an unusable `limit` falls back to the default
    // (100) and an out-of-range one is clamped to 1..=1000 rather than answered with a 400.
    let limit = q.get("limit").and_then(|s| s.parse::<i64>().ok()).map_or(100, |n| n.clamp(1, 1000) as usize);
    let offset: usize = q.get("cursor").and_then(|c| c.parse().ok()).unwrap_or(0);
    let status_ok = |s: &str| q.get("status").is_none_or(|want| want == s);
    let region_ok = q.get("region").is_none_or(|r| r == "local");
    let all: Vec<_> = engine
        .list()
        .into_iter()
        .filter(|sb| status_ok(if sb.is_paused() { "paused" } else { "running" }) && region_ok)
        .collect();
    let page = all.iter().skip(offset).take(limit).map(|sb| record::sandbox(sb, false)).collect();
    let mut list = List::new(page, "/v1/sandboxes", crate::http::current_request_id());
    list.has_more = offset + list.data.len() < all.len();
    list.next_cursor = list.has_more.then(|| (offset + limit).to_string());
    Ok(Json(list).into_response())
}

async fn get_one(State(engine): State<Engine>, Path(id): Path<String>) -> Answer {
    let sandbox = engine.get(&id)?;
    Ok(Json(record::sandbox(&sandbox, false)).into_response())
}

async fn delete(State(engine): State<Engine>, Path(id): Path<String>) -> Answer {
    engine.kill(&id).await?;
    Ok(Json(json!({ "id": id, "status": "deleted", "request_id": crate::http::current_request_id() }))
        .into_response())
}

async fn set_timeout(State(engine): State<Engine>, Path(id): Path<String>, body: Bytes) -> Answer {
    let obj = json_object(&body)?;
    let seconds = match obj.get("timeout_seconds").and_then(Value::as_u64) {
        Some(n) if n > 0 => n,
        _ => return Err(ApiError::bad_request("timeout_seconds must be a positive integer").into()),
    };
    let sandbox = engine.set_timeout(&id, seconds)?;
    let expires_at = sandbox.state().expires_at.map(crate::ids::rfc3339);
    Ok(Json(json!({
        "id": id,
        "timeout_seconds": seconds,
        "expires_at": expires_at,
        "request_id": crate::http::current_request_id(),
    }))
    .into_response())
}

/// `POST /v1/sandboxes/{id}/pause`: every process of the sandbox stops where it is (no CPU),
/// its state kept; its TTL keeps counting, as wall-clock time does for its runs' timeouts.
async fn pause(State(engine): State<Engine>, Path(id): Path<String>) -> Answer {
    set_paused(engine, id, true).await
}

/// `POST /v1/sandboxes/{id}/resume`: the paused processes go on.
async fn resume(State(engine): State<Engine>, Path(id): Path<String>) -> Answer {
    set_paused(engine, id, false).await
}

async fn set_paused(engine: Engine, id: String, paused: bool) -> Answer {
    let sandbox = engine.get(&id)?;
    let verb = if paused { "pause" } else { "resume" };
    sandbox
        .set_paused(paused)
        .await
        .map_err(|e| ApiError::internal(format!("cannot {verb} sandbox {id}: {e}")))?;
    Ok(Json(record::sandbox(&sandbox, false)).into_response())
}

async fn refresh_token(State(engine): State<Engine>, Path(id): Path<String>) -> Answer {
    let sandbox = engine.get(&id)?;
    sandbox.new_token();
    Ok(Json(record::sandbox(&sandbox, true)).into_response())
}

fn created_at(engine: &Engine) -> String {
    crate::ids::rfc3339(engine.started())
}

async fn list_templates(State(engine): State<Engine>) -> Json<List<TemplateRecord>> {
    let mem = engine.config().limits.memory_bytes.map_or(0, |b| b / (1024 * 1024));
    let data = TEMPLATES.iter().map(|t| t.to_wire(mem, &created_at(&engine))).collect();
    Json(List::new(data, "/v1/templates", crate::http::current_request_id()))
}

async fn get_template(State(engine): State<Engine>, Path(name): Path<String>) -> Answer {
    let t = Template::find(&name).ok_or_else(|| template_not_found(&name))?;
    let mem = engine.config().limits.memory_bytes.map_or(0, |b| b / (1024 * 1024));
    let record = t.to_wire(mem, &created_at(&engine));
    Ok(Json(TemplateRecord { request_id: Some(crate::http::current_request_id()), ..record }).into_response())
}

//! The two HTTP planes of the engine and what they share: request ids, JSON bodies, TCP
//! settings.

pub mod agent;
pub mod background;
pub mod cache;
pub mod control;
pub mod error_body;
pub mod execute;
pub mod files;
pub mod introspect;
pub mod preview;
pub mod record;
pub mod stream;
pub mod terminal;
pub mod watch;
pub mod webhook;

use crate::engine::error::ApiError;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use hopx_wire::code;
use serde_json::Value;

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    /// The `X-Request-ID` of the request being served (set by [`request_id`]).
    static REQUEST_ID: String;
}

/// The request id of the current request, or a fresh one outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| crate::ids::request_id())
}

/// Honours an inbound `X-Request-ID` (or makes one), exposes it to handlers and echoes it.
pub async fn request_id(req: Request, next: Next) -> Response {
    let rid = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 200)
        .map(String::from)
        .unwrap_or_else(crate::ids::request_id);
    let mut resp = REQUEST_ID.scope(rid.clone(), next.run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&rid) {
        resp.headers_mut().insert(X_REQUEST_ID.clone(), v);
    }
    resp
}

/// Test hook for the conformance suite (`tests/compat`): when `HOPX_LOCAL_RECORD` names a
/// directory, every JSON answer is appended to `<dir>/<pid>.jsonl` as one line
/// `{plane, method, path, status, body}`, to be checked against the official OpenAPI
/// documents. Unset (the normal case), it costs one lookup per request.
pub async fn record(plane: &'static str, req: Request, next: Next) -> Response {
    static SINK: std::sync::OnceLock<Option<std::sync::Mutex<std::fs::File>>> = std::sync::OnceLock::new();
    let sink = SINK.get_or_init(|| {
        let dir = std::env::var_os("HOPX_LOCAL_RECORD").filter(|d| !d.is_empty())?;
        std::fs::create_dir_all(&dir).ok()?;
        let path = std::path::Path::new(&dir).join(format!("{}.jsonl", std::process::id()));
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path).ok()?;
        Some(std::sync::Mutex::new(file))
    });
    let Some(sink) = sink else {
        return next.run(req).await;
    };
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let line = serde_json::json!({
        "plane": plane,
        "method": method,
        "path": path,
        "status": parts.status.as_u16(),
        "body": serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
    });
    if let Ok(mut f) = sink.lock() {
        use std::io::Write;
        let _ = writeln!(f, "{line}");
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Parses a JSON object body; an empty body counts as `{}`.
pub fn json_object(body: &Bytes) -> Result<serde_json::Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Default::default());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::INVALID_JSON,
            "the request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code::INVALID_JSON,
            format!("the request body is not valid JSON: {e}"),
        )),
    }
}

/// Reads an optional string→string map field, with a clear error for anything else.
pub fn string_map(
    obj: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<std::collections::BTreeMap<String, String>, ApiError> {
    let mut out = std::collections::BTreeMap::new();
    match obj.get(key) {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                if k.is_empty() || k.contains('=') || k.contains('\0') {
                    return Err(ApiError::bad_request(format!("{key}: invalid variable name {k:?}")));
                }
                match v {
                    Value::String(s) if !s.contains('\0') => {
                        out.insert(k.clone(), s.clone());
                    }
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "{key}: the value of {k:?} must be a string"
                        )))
                    }
                }
            }
        }
        Some(_) => return Err(ApiError::bad_request(format!("{key} must be an object of strings"))),
    }
    Ok(out)
}

/// Serves `router` on `listener` with TCP_NODELAY (without it loopback requests stall ~40 ms
/// on delayed ACKs), until `shutdown` resolves.
pub fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).with_graceful_shutdown(shutdown).await;
    })
}

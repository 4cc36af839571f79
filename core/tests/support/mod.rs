//! A loopback stand-in for the HopX cloud, answering as `reference/wire-api.md` describes:
//! a control plane (nested error bodies) on one port and a sandbox agent (flat error bodies)
//! on another. Every request is recorded; tests can queue canned answers per route.

#![allow(dead_code)]

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

pub const API_KEY: &str = "sk_test_contract";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Req {
    /// Route key, e.g. `GET /v1/sandboxes/{id}` or `POST /execute`.
    pub route: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Value,
    /// The body as sent (a multipart upload is not JSON).
    pub raw: Bytes,
    pub at: Instant,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A queued answer that replaces the normal one.
struct Canned {
    status: u16,
    body: Value,
    headers: Vec<(String, String)>,
}

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Req>>,
    script: Mutex<HashMap<String, VecDeque<Canned>>>,
    sandboxes: Mutex<BTreeMap<String, Value>>,
    valid_tokens: Mutex<BTreeSet<String>>,
    issued: Mutex<Vec<String>>,
    agent_url: Mutex<String>,
    create_token_ttl: Mutex<i64>,
    counter: AtomicUsize,
}

impl State {
    fn next(&self) -> usize {
        self.counter.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn issue_token(&self, ttl: i64) -> (String, String) {
        let tok = format!("tok-{}", self.next());
        self.valid_tokens.lock().unwrap().insert(tok.clone());
        self.issued.lock().unwrap().push(tok.clone());
        (tok, rfc3339(unix_now() + ttl))
    }
}

/// The fake cloud: `url` is the control plane, `agent_url` the agent every sandbox points at.
pub struct Cloud {
    pub url: String,
    pub agent_url: String,
    state: Arc<State>,
}

impl Cloud {
    pub async fn start() -> Cloud {
        let state = Arc::new(State::default());
        *state.create_token_ttl.lock().unwrap() = 24 * 3600;
        let url = serve(Router::new().fallback(control).with_state(state.clone())).await;
        let agent_url = serve(Router::new().fallback(agent).with_state(state.clone())).await;
        *state.agent_url.lock().unwrap() = agent_url.clone();
        Cloud { url, agent_url, state }
    }

    /// Queues an answer for the next request on `route` (used once, in order).
    pub fn script(&self, route: &str, status: u16, body: Value, headers: &[(&str, &str)]) {
        let headers = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut script = self.state.script.lock().unwrap();
        script.entry(route.to_string()).or_default().push_back(Canned { status, body, headers });
    }

    /// Points the `public_host` of sandboxes created from now on somewhere else.
    pub fn set_agent_url(&self, url: &str) {
        *self.state.agent_url.lock().unwrap() = url.to_string();
    }

    /// Lifetime of the token handed out on create.
    pub fn set_create_token_ttl(&self, secs: i64) {
        *self.state.create_token_ttl.lock().unwrap() = secs;
    }

    pub fn set_status(&self, id: &str, status: &str) {
        if let Some(sb) = self.state.sandboxes.lock().unwrap().get_mut(id) {
            sb["status"] = status.into();
        }
    }

    /// Every agent token handed out (create and refresh), in order.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state.issued.lock().unwrap().clone()
    }

    pub fn requests(&self) -> Vec<Req> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Requests on one route, in order.
    pub fn on(&self, route: &str) -> Vec<Req> {
        self.requests().into_iter().filter(|r| r.route == route).collect()
    }

    pub fn count(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }
}

async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// Serves the agent on a port chosen now but only after `delay`: a VM that is still booting.
pub async fn late_agent(cloud: &Cloud, delay: Duration) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let router = Router::new().fallback(agent).with_state(cloud.state.clone());
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://127.0.0.1:{port}")
}

/// An agent that reads each request in full and then closes the socket without answering.
/// Returns its URL and how many requests it read.
pub async fn dropping_agent() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = sock.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if request_complete(&buf) {
                        counter.fetch_add(1, Ordering::SeqCst);
                        return; // dropping the socket closes it: no answer
                    }
                }
            });
        }
    });
    (url, seen)
}

fn request_complete(buf: &[u8]) -> bool {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    buf.len() >= end + 4 + len
}

fn record(state: &State, route: String, uri: &Uri, headers: &HeaderMap, body_bytes: &Bytes) {
    let body = serde_json::from_slice(body_bytes).unwrap_or(Value::Null);
    state.requests.lock().unwrap().push(Req {
        route,
        path: uri.path().to_string(),
        query: uri.query().unwrap_or("").to_string(),
        headers: headers.clone(),
        body,
        raw: body_bytes.clone(),
        at: Instant::now(),
    });
}

fn reply(status: u16, mut body: Value, rid: &str, extra: &[(String, String)]) -> Response {
    if let Some(obj) = body.as_object_mut() {
        obj.entry("request_id").or_insert(rid.into());
    }
    let mut resp = (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response();
    resp.headers_mut().insert("x-request-id", HeaderValue::from_str(rid).unwrap());
    for (k, v) in extra {
        resp.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    resp
}

/// The control plane's nested error body.
pub fn nested_error(code: &str, message: &str, details: Value) -> Value {
    json!({"error": {"code": code, "message": message, "details": details}})
}

fn canned(state: &State, route: &str, rid: &str) -> Option<Response> {
    let c = state.script.lock().unwrap().get_mut(route)?.pop_front()?;
    Some(reply(c.status, c.body, rid, &c.headers))
}

async fn control(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let segs: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    let route = match segs.as_slice() {
        ["v1", "sandboxes"] => format!("{method} /v1/sandboxes"),
        ["v1", "sandboxes", _] => format!("{method} /v1/sandboxes/{{id}}"),
        ["v1", "sandboxes", _, rest @ ..] => {
            format!("{method} /v1/sandboxes/{{id}}/{}", rest.join("/"))
        }
        _ => format!("{method} {}", uri.path()),
    };
    record(&state, route.clone(), &uri, &headers, &body);
    let rid = format!("req_{}", state.next());
    if let Some(resp) = canned(&state, &route, &rid) {
        return resp;
    }
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(API_KEY) {
        let e = nested_error("AUTHENTICATION_REQUIRED", "Missing or invalid API key", json!({}));
        return reply(401, e, &rid, &[]);
    }
    let not_found =
        || reply(404, nested_error("RESOURCE_NOT_FOUND", "Sandbox not found", json!({})), &rid, &[]);
    let id = segs.get(2).copied().unwrap_or("");
    let req: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut sandboxes = state.sandboxes.lock().unwrap();
    match route.as_str() {
        "POST /v1/sandboxes" => {
            let name = req["template_name"].as_str().unwrap_or("code-interpreter").to_string();
            if !["code-interpreter", "base"].contains(&name.as_str()) && req.get("template_id").is_none() {
                return reply(
                    404,
                    nested_error("RESOURCE_NOT_FOUND", "Template not found", json!({})),
                    &rid,
                    &[],
                );
            }
            let id = format!("sb{}", state.next());
            let (tok, exp) = state.issue_token(*state.create_token_ttl.lock().unwrap());
            let sb = json!({
                "id": id, "object": "sandbox", "status": "running", "template_name": name,
                "template_id": "291", "organization_id": 7, "region": req["region"],
                "public_host": format!("{}/", state.agent_url.lock().unwrap()),
                "resources": {"vcpu": 2, "memory_mb": 2048, "disk_mb": 10240},
                "internet_access": true, "auth_token": tok,
            });
            sandboxes.insert(id, sb.clone());
            let mut created = sb;
            created["token_expires_at"] = exp.into();
            reply(201, created, &rid, &[])
        }
        "GET /v1/sandboxes" => {
            let data: Vec<Value> = sandboxes.values().map(without_token).collect();
            reply(200, json!({"object": "list", "data": data, "has_more": false}), &rid, &[])
        }
        "GET /v1/sandboxes/{id}" => match sandboxes.get(id) {
            Some(sb) => reply(200, without_token(sb), &rid, &[]),
            None => not_found(),
        },
        "DELETE /v1/sandboxes/{id}" => match sandboxes.remove(id) {
            Some(_) => reply(200, json!({"status": "deleted", "id": id}), &rid, &[]),
            None => not_found(),
        },
        "PUT /v1/sandboxes/{id}/timeout" => match sandboxes.get_mut(id) {
            Some(sb) => {
                sb["timeout_seconds"] = req["timeout_seconds"].clone();
                reply(200, json!({"id": id, "timeout_seconds": req["timeout_seconds"]}), &rid, &[])
            }
            None => not_found(),
        },
        "POST /v1/sandboxes/{id}/resume" => match sandboxes.get_mut(id) {
            Some(sb) => {
                sb["status"] = "running".into();
                reply(200, without_token(sb), &rid, &[])
            }
            None => not_found(),
        },
        "POST /v1/sandboxes/{id}/token/refresh" => match sandboxes.get_mut(id) {
            Some(sb) => {
                let old = sb["auth_token"].as_str().unwrap_or("").to_string();
                state.valid_tokens.lock().unwrap().remove(&old);
                let (tok, exp) = state.issue_token(24 * 3600);
                sb["auth_token"] = tok.clone().into();
                reply(200, json!({"id": id, "auth_token": tok, "token_expires_at": exp}), &rid, &[])
            }
            None => not_found(),
        },
        "GET /v1/templates" => reply(
            200,
            json!({"object": "list", "data": [
                {"id": "1", "name": "code-interpreter", "display_name": "Code Interpreter"},
                {"id": "2", "name": "base", "display_name": "Base"}
            ], "has_more": false}),
            &rid,
            &[],
        ),
        _ => reply(404, nested_error("RESOURCE_NOT_FOUND", "No such route", json!({})), &rid, &[]),
    }
}

fn without_token(sb: &Value) -> Value {
    let mut sb = sb.clone();
    sb.as_object_mut().unwrap().remove("auth_token");
    sb
}

async fn agent(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let route = format!("{method} {}", uri.path());
    record(&state, route.clone(), &uri, &headers, &body);
    let rid = format!("req_{}", state.next());
    if let Some(resp) = canned(&state, &route, &rid) {
        return resp;
    }
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !state.valid_tokens.lock().unwrap().contains(bearer) {
        return reply(401, json!({"error": "Invalid token", "code": "INVALID_TOKEN"}), &rid, &[]);
    }
    let req: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    match route.as_str() {
        "POST /execute" => reply(
            200,
            json!({
                "success": true, "exit_code": 0, "stderr": "", "execution_time": 0.01,
                "stdout": format!("ran: {}", req["code"].as_str().unwrap_or("")),
                "language": req["language"], "timestamp": rfc3339(unix_now()),
            }),
            &rid,
            &[],
        ),
        "PATCH /env" => reply(200, json!({"env_vars": req["env_vars"], "merge": true}), &rid, &[]),
        "GET /files/read" => {
            reply(200, json!({"content": "file text", "path": "/workspace/a", "size": 9}), &rid, &[])
        }
        "GET /files/list" => reply(
            200,
            json!({"path": "/workspace", "count": 1, "files": [
                {"name": "a", "path": "/workspace/a", "size": 9, "is_directory": false,
                 "modified_time": "2025-01-01T00:00:00Z", "permissions": "-rw-r--r--"}]}),
            &rid,
            &[],
        ),
        "GET /files/exists" => reply(200, json!({"exists": true, "path": "/workspace/a"}), &rid, &[]),
        "POST /files/write" | "POST /files/mkdir" | "POST /files/upload" | "DELETE /files/remove" => reply(
            200,
            json!({"success": true, "path": "/workspace/a", "size": 0, "message": "ok"}),
            &rid,
            &[],
        ),
        "GET /files/download" => {
            let mut resp = (StatusCode::OK, Bytes::from_static(b"\x00\x01raw bytes\xff")).into_response();
            resp.headers_mut().insert("content-type", HeaderValue::from_static("application/octet-stream"));
            resp
        }
        _ => reply(404, json!({"error": "Not found", "code": "NOT_FOUND"}), &rid, &[]),
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `YYYY-MM-DDTHH:MM:SSZ` for unix seconds (civil-from-days, H. Hinnant).
pub fn rfc3339(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Keys of a JSON object, sorted.
pub fn keys(v: &Value) -> Vec<String> {
    let empty = Map::new();
    let mut k: Vec<String> = v.as_object().unwrap_or(&empty).keys().cloned().collect();
    k.sort();
    k
}

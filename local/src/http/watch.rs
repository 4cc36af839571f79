//! `GET /files/watch`: changes in a folder, over a WebSocket. The client sends
//! `{"action": "watch", "path": "/workspace"}`; the agent then sends
//! `{"type": "change", "path", "event", "timestamp"}` for each change until either side
//! closes. A client that adds `"ack": true` first gets `{"type": "watching", "path"}` once
//! the watch is in place, so that it knows no later change can be missed.

use super::agent::Agent;
use super::error_body::AgentError;
use crate::engine::error::ApiError;
use crate::files::SandboxFiles;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use hopx_wire::{code, FileChange};
use serde_json::{json, Value};

pub async fn watch(
    State(agent): State<Agent>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    match ws {
        Ok(ws) => ws.on_upgrade(move |socket| session(agent, socket)),
        Err(e) => AgentError(ApiError::bad_request(format!("/files/watch needs a WebSocket upgrade: {e}")))
            .into_response(),
    }
}

async fn session(agent: Agent, mut socket: WebSocket) {
    let Some(request) = first_request(&mut socket).await else { return };
    let path = request.get("path").and_then(Value::as_str).unwrap_or("/workspace").to_string();
    let ack = request.get("ack") == Some(&Value::Bool(true));
    let started = async {
        let files = SandboxFiles::of(&agent.sandbox.context.isolator, &agent.sandbox.context.spec)?;
        let path = files.path(&path)?;
        Ok::<_, std::io::Error>((files.watch(&path).await?, path))
    };
    let (mut watch, path) = match started.await {
        Ok(w) => w,
        Err(e) => {
            let (code, what) = match e.raw_os_error() {
                Some(libc::ENOENT) => (code::DIRECTORY_NOT_FOUND, "no such folder".to_string()),
                Some(libc::ENOTDIR) => (code::INVALID_PATH, "not a folder".to_string()),
                Some(libc::EACCES | libc::EPERM) => {
                    (code::PERMISSION_DENIED, "permission denied".to_string())
                }
                _ => (code::FILE_OPERATION_FAILED, e.to_string()),
            };
            let msg = json!({"type": "error", "code": code, "error": format!("cannot watch {path}: {what}"),
                             "timestamp": crate::ids::now_rfc3339()});
            let _ = socket.send(Message::text(msg.to_string())).await;
            let _ = socket.send(Message::Close(None)).await;
            return;
        }
    };
    if ack {
        let msg = json!({"type": "watching", "path": path.shown});
        if socket.send(Message::text(msg.to_string())).await.is_err() {
            return;
        }
    }
    let mut killed = agent.sandbox.kill_signal();
    loop {
        tokio::select! {
            change = watch.next() => {
                let Ok(Some(change)) = change else { break };
                let msg = FileChange {
                    kind: "change".into(),
                    path: change.path,
                    event: change.event.into(),
                    timestamp: crate::ids::now_rfc3339(),
                };
                let text = serde_json::to_string(&msg).expect("a change is JSON");
                if socket.send(Message::text(text)).await.is_err() {
                    return;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                _ => {}
            },
            _ = crate::exec::context::until_true(&mut killed) => break,
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

/// The first JSON object the client sends (empty and keep-alive frames are skipped).
async fn first_request(socket: &mut WebSocket) -> Option<serde_json::Map<String, Value>> {
    loop {
        match socket.recv().await? {
            Ok(Message::Text(t)) => {
                if let Ok(Value::Object(obj)) = serde_json::from_str(t.as_str()) {
                    return Some(obj);
                }
            }
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

//! `GET /execute/stream`: a run whose output arrives while it goes, over a WebSocket, in the
//! message format the official SDKs read ([`StreamMessage`]). The first client message is
//! `{"type":"execute", code, language, timeout, workdir, env}`; then the server sends
//! `stdout`/`stderr` (`data`, `timestamp`), `display` (a rich output), `result` (`exit_code`,
//! `execution_time`), `error` when the run fails to finish, and always `complete` last.

use super::agent::Agent;
use super::error_body::AgentError;
use super::execute::parse_request;
use crate::engine::error::ApiError;
use crate::exec::{ExecEvent, ExecOutcome, RunStatus};
use crate::ids::now_rfc3339;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use hopx_wire::{code, CompleteMessage, DisplayMessage, ErrorMessage, OutputChunk, StreamMessage};
use serde_json::Value;
use tokio::sync::mpsc;

/// Upgrades the connection (the bearer token was checked on the upgrade request). A request
/// that is not a WebSocket upgrade gets the spec's 400 `main.ErrorResponse`, not axum's
/// plain-text rejection.
pub async fn execute_stream(
    State(agent): State<Agent>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    match ws {
        Ok(ws) => ws.max_message_size(64 << 20).on_upgrade(move |socket| session(agent, socket)),
        Err(e) => axum::response::IntoResponse::into_response(AgentError(ApiError::bad_request(format!(
            "/execute/stream needs a WebSocket upgrade: {e}"
        )))),
    }
}

async fn session(agent: Agent, mut socket: WebSocket) {
    let Some(request) = first_request(&mut socket).await else { return };
    let req = match parse_request(&agent.sandbox, &request, agent.engine.config()) {
        Ok(r) => r,
        Err(e) => {
            let _ = send(&mut socket, error_message(&e, false)).await;
            let _ = send(&mut socket, complete(false)).await;
            return;
        }
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let sandbox = agent.sandbox.clone();
    let run_req = req.clone();
    let mut run = tokio::spawn(async move { sandbox.execute(run_req, Some(tx)).await });
    let outcome = loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Some(ev) => {
                    if send(&mut socket, event_message(ev)).await.is_err() {
                        // The client left: stop the run rather than let it hold the sandbox.
                        run.abort();
                        return;
                    }
                }
                None => break (&mut run).await,
            },
            done = &mut run => {
                // Forward what is still queued, in order, before the result.
                while let Ok(ev) = rx.try_recv() {
                    let _ = send(&mut socket, event_message(ev)).await;
                }
                break done;
            }
        }
    };
    let outcome = outcome.unwrap_or_else(|e| Err(format!("the run stopped: {e}")));
    for msg in closing_messages(&agent, &req, outcome) {
        if send(&mut socket, msg).await.is_err() {
            return;
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

/// Reads client messages until one is a JSON object; empty and keep-alive frames are skipped.
async fn first_request(socket: &mut WebSocket) -> Option<serde_json::Map<String, Value>> {
    while let Some(Ok(msg)) = socket.recv().await {
        let text = match msg {
            Message::Text(t) => t.to_string(),
            Message::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
            Message::Close(_) => return None,
            _ => continue,
        };
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(obj)) => return Some(obj),
            _ => {
                let e = ApiError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    code::INVALID_JSON,
                    "the first message must be a JSON object",
                );
                let _ = send(socket, error_message(&e, false)).await;
            }
        }
    }
    None
}

fn event_message(ev: ExecEvent) -> StreamMessage {
    let chunk = |data| OutputChunk { data, timestamp: Some(now_rfc3339()) };
    match ev {
        ExecEvent::Stdout(data) => StreamMessage::Stdout(chunk(data)),
        ExecEvent::Stderr(data) => StreamMessage::Stderr(chunk(data)),
        ExecEvent::Display(item) => StreamMessage::Display(DisplayMessage::of(item, now_rfc3339())),
    }
}

/// The `error` message for `e`; `kernel_restarted` when stopping the run cost the kernel.
fn error_message(e: &ApiError, kernel_restarted: bool) -> StreamMessage {
    StreamMessage::Error(ErrorMessage {
        error: e.message.clone(),
        code: Some(e.code.into()),
        timestamp: Some(now_rfc3339()),
        kernel_restarted,
    })
}

fn complete(success: bool) -> StreamMessage {
    StreamMessage::Complete(CompleteMessage { success: Some(success) })
}

/// `result` (or `error`) and then `complete`.
fn closing_messages(
    agent: &Agent,
    req: &crate::exec::ExecRequest,
    outcome: Result<ExecOutcome, String>,
) -> Vec<StreamMessage> {
    let o = match outcome {
        Ok(o) => o,
        Err(msg) => {
            let e = ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, code::EXECUTION_FAILED, msg);
            return vec![error_message(&e, false), complete(false)];
        }
    };
    let status = o.status();
    let mut out = Vec::new();
    match status {
        RunStatus::Killed => out.push(error_message(&agent.engine.gone_error(&agent.sandbox.id), false)),
        RunStatus::Timeout => {
            let e = ApiError::new(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                code::EXECUTION_TIMEOUT,
                format!("Execution timed out after {} s", req.timeout.as_secs()),
            );
            out.push(error_message(&e, o.kernel_restarted));
        }
        RunStatus::Failed | RunStatus::Completed => out.push(StreamMessage::Result(o.end(now_rfc3339()))),
    }
    out.push(complete(status == RunStatus::Completed));
    out
}

async fn send(socket: &mut WebSocket, msg: StreamMessage) -> Result<(), axum::Error> {
    let text = serde_json::to_string(&msg).map_err(axum::Error::new)?;
    socket.send(Message::Text(text.into())).await
}

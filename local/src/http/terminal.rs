//! `GET /terminal`: an interactive shell over a WebSocket. The client sends
//! `{"type": "input", "data": "ls\n"}` and `{"type": "resize", "cols": 120, "rows": 40}`; the
//! agent sends `{"type": "output", "data": "..."}` as the terminal prints and, when the shell
//! ends, `{"type": "exit", "code": N}` before closing. Closing the socket ends the shell.
//! `cols`/`rows` in the query string set the first size (80 × 24 otherwise).
//!
//! Frames leave at least [`FRAME_GAP`] apart; the terminal's output gathers meanwhile, so a burst
//! becomes one frame. The official JS SDK (0.5.1, on `ws` 8.17 and later) listens for one message
//! at a time and loses a frame that arrives in the same tick as the one before: without the gap,
//! its users miss output and, worst, the exit frame that ends their loop.

use super::agent::Agent;
use super::error_body::AgentError;
use crate::engine::error::ApiError;
use crate::exec::terminal::{utf8_prefix, Size, Terminal};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::{sleep_until, timeout, Instant};

/// Bytes read from the terminal at a time.
const READ_CHUNK: usize = 64 * 1024;
/// Most bytes gathered into one output frame: with [`FRAME_GAP`], 12 MB/s, more than a screen shows.
const FRAME_MAX: usize = 4 * READ_CHUNK;
/// Least time between two frames to the client (see the module's comment).
const FRAME_GAP: Duration = Duration::from_millis(20);

pub async fn terminal(
    State(agent): State<Agent>,
    Query(query): Query<HashMap<String, String>>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let size = match first_size(&query) {
        Ok(size) => size,
        Err(e) => return AgentError(e).into_response(),
    };
    match ws {
        Ok(ws) => ws.on_upgrade(move |socket| session(agent, socket, size)),
        Err(e) => AgentError(ApiError::bad_request(format!("/terminal needs a WebSocket upgrade: {e}")))
            .into_response(),
    }
}

fn first_size(query: &HashMap<String, String>) -> Result<Size, ApiError> {
    let mut size = Size::default();
    for (name, slot) in [("cols", &mut size.cols), ("rows", &mut size.rows)] {
        if let Some(v) = query.get(name) {
            *slot = v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                ApiError::bad_request(format!("{name} must be a whole number from 1 to 65535, got {v:?}"))
            })?;
        }
    }
    Ok(size)
}

async fn session(agent: Agent, mut socket: WebSocket, size: Size) {
    let env = agent.sandbox.state().env.clone();
    let term = match Terminal::start(&agent.sandbox.context, &env, size).await {
        Ok(t) => t,
        Err(e) => {
            let msg = json!({"type": "error", "code": "COMMAND_FAILED", "error": e});
            let _ = socket.send(Message::text(msg.to_string())).await;
            let _ = socket.send(Message::Close(None)).await;
            return;
        }
    };
    let mut killed = agent.sandbox.kill_signal();
    let mut pace = Pace::default();
    let mut buf = vec![0u8; READ_CHUNK];
    let mut carry: Vec<u8> = Vec::new();
    let client_left = loop {
        tokio::select! {
            read = term.read(&mut buf) => {
                let n = read.unwrap_or(0);
                if n == 0 {
                    break false;
                }
                carry.extend_from_slice(&buf[..n]);
                pace.wait().await;
                let ended = gather(&term, &mut buf, &mut carry).await;
                let (text, rest) = utf8_prefix(&carry);
                carry = rest;
                if !text.is_empty() && pace.send(&mut socket, json!({"type": "output", "data": text})).await.is_err() {
                    break true;
                }
                if ended {
                    break false;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if let Err(e) = handle(&term, text.as_str()).await {
                        let msg = json!({"type": "error", "code": "INVALID_REQUEST", "error": e});
                        if pace.send(&mut socket, msg).await.is_err() {
                            break true;
                        }
                    }
                }
                // Raw bytes are input too (a client that types binary frames).
                Some(Ok(Message::Binary(data))) if term.write(&data).await.is_err() => break false,
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break true,
                _ => {}
            },
            _ = killed.changed() => break true,
        }
    };
    let info = if client_left { term.stop().await } else { term.wait().await };
    if !client_left {
        let _ = pace.send(&mut socket, json!({"type": "exit", "code": info.shell_code()})).await;
        let _ = socket.send(Message::Close(None)).await;
    }
}

/// Adds to `carry` what the terminal has printed by now, without waiting, up to [`FRAME_MAX`].
/// True when the terminal has ended.
async fn gather(term: &Terminal, buf: &mut [u8], carry: &mut Vec<u8>) -> bool {
    while carry.len() < FRAME_MAX {
        // A zero timeout polls the read once: bytes already there, or nothing.
        match timeout(Duration::ZERO, term.read(buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(n)) => carry.extend_from_slice(&buf[..n]),
            Err(_nothing_yet) => break,
        }
    }
    false
}

/// Keeps the frames to the client [`FRAME_GAP`] apart.
#[derive(Default)]
struct Pace {
    last: Option<Instant>,
}

impl Pace {
    async fn wait(&self) {
        if let Some(last) = self.last {
            sleep_until(last + FRAME_GAP).await;
        }
    }

    async fn send(&mut self, socket: &mut WebSocket, msg: Value) -> Result<(), axum::Error> {
        self.wait().await;
        let sent = socket.send(Message::text(msg.to_string())).await;
        self.last = Some(Instant::now());
        sent
    }
}

/// One client message: input to type, or a new size.
async fn handle(term: &Terminal, text: &str) -> Result<(), String> {
    let msg: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    match msg.get("type").and_then(Value::as_str) {
        Some("input") => {
            let data = msg.get("data").and_then(Value::as_str).ok_or("input needs a string data")?;
            term.write(data.as_bytes()).await.map_err(|e| format!("cannot type into the terminal: {e}"))
        }
        Some("resize") => {
            let dim = |name: &str| {
                msg.get(name)
                    .and_then(Value::as_u64)
                    .and_then(|n| u16::try_from(n).ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("resize needs {name} as a whole number from 1 to 65535"))
            };
            let size = Size { cols: dim("cols")?, rows: dim("rows")? };
            term.resize(size).map_err(|e| format!("cannot resize the terminal: {e}"))
        }
        other => Err(format!("unknown message type {other:?} (input or resize)")),
    }
}

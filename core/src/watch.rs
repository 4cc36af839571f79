//! `files.watch(path)`: the agent's `/files/watch` WebSocket as a stream of changes.
//!
//! Shared by the bindings like [`crate::SharedStream`]: `next` and `close` may come from
//! different threads, and `close` never waits for the next change.

use crate::error::{Error, ErrorKind};
use crate::files::Files;
use crate::ws::{self, Socket};
use crate::Result;
use futures_util::StreamExt;
use hopx_wire::FileChange;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// How long `watch` waits for the agent to say the watch is in place. The local engine says
/// so at once (we ask with `"ack": true`); an agent that does not know the flag says nothing,
/// and the watch starts after this wait.
const ACK_WAIT: Duration = Duration::from_secs(2);

/// Changes in one folder, as they happen.
pub struct FileWatch {
    state: tokio::sync::Mutex<State>,
    closing: AtomicBool,
    wake: tokio::sync::Notify,
}

struct State {
    socket: Option<Socket>,
    /// Changes that arrived while `watch` waited for the acknowledgement.
    early: VecDeque<FileChange>,
}

impl Files {
    /// Watches the folder `path` (not recursive): each created, modified, deleted or renamed
    /// entry is a [`FileChange`]. Returns once the agent watches, so no later change is missed.
    /// The timeout (`with_timeout`, else 60 s) bounds opening the watch, not its life.
    pub async fn watch(&self, path: &str) -> Result<FileWatch> {
        if path.is_empty() || path.contains('\0') {
            return Err(Error::validation("path must be a non-empty path without NUL bytes"));
        }
        let limit = self.timeout().unwrap_or(crate::files::FILE_TIMEOUT);
        match tokio::time::timeout(limit, self.open_watch(path, ACK_WAIT.min(limit / 2))).await {
            Ok(watch) => watch,
            Err(_) => Err(crate::files::timed_out(limit)),
        }
    }

    async fn open_watch(&self, path: &str, ack_wait: Duration) -> Result<FileWatch> {
        let sandbox = self.sandbox();
        sandbox.ensure_alive()?;
        let first = json!({ "action": "watch", "path": path, "ack": true });
        let url = sandbox.resolve_agent_url().await?;
        let tok = sandbox.token().await?;
        let mut socket = match ws::open(&url, "/files/watch", &tok, &first).await {
            Ok(s) => s,
            Err(f) if f.status == Some(401) => {
                let tok = sandbox.token_after_401(&tok).await?;
                ws::open(&url, "/files/watch", &tok, &first).await.map_err(|f| f.error)?
            }
            Err(f) => return Err(f.error),
        };
        let mut early = VecDeque::new();
        let deadline = tokio::time::Instant::now() + ack_wait;
        while let Ok(frame) = tokio::time::timeout_at(deadline, socket.next()).await {
            match read(frame)? {
                Read::Change(c) => early.push_back(c),
                Read::Watching => break,
                Read::Skip => {}
                Read::End => {
                    return Err(Error::new(
                        ErrorKind::Network,
                        format!("the agent closed the watch of {path}"),
                    ))
                }
            }
        }
        Ok(FileWatch {
            state: tokio::sync::Mutex::new(State { socket: Some(socket), early }),
            closing: AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
        })
    }
}

enum Read {
    Change(FileChange),
    Watching,
    Skip,
    End,
}

/// One frame of the watch socket.
fn read(frame: Option<std::result::Result<Message, tokio_tungstenite::tungstenite::Error>>) -> Result<Read> {
    let text = match frame {
        None | Some(Ok(Message::Close(_))) => return Ok(Read::End),
        Some(Err(e)) => {
            return Err(Error::new(ErrorKind::Network, format!("the watch connection failed: {e}")))
        }
        Some(Ok(Message::Text(t))) => t,
        Some(Ok(_)) => return Ok(Read::Skip),
    };
    let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else { return Ok(Read::Skip) };
    match value.get("type").and_then(Value::as_str) {
        Some("change") => Ok(serde_json::from_value(value).map_or(Read::Skip, Read::Change)),
        Some("watching") => Ok(Read::Watching),
        Some("error") => {
            let code = value.get("code").and_then(Value::as_str).unwrap_or("FILE_OPERATION_FAILED");
            let message = value.get("error").and_then(Value::as_str).unwrap_or_default().to_string();
            Err(Error::from_code(code, message))
        }
        _ => Ok(Read::Skip),
    }
}

impl FileWatch {
    /// The next change, or `None` once the watch ended (closed, the folder or the sandbox gone).
    pub async fn next(&self) -> Result<Option<FileChange>> {
        let mut state = self.state.lock().await;
        if let Some(c) = state.early.pop_front() {
            return Ok(Some(c));
        }
        loop {
            if self.is_closed() {
                state.socket.take();
            }
            let Some(socket) = state.socket.as_mut() else { return Ok(None) };
            // Only the socket is awaited, so being cut short by `close` loses nothing.
            let frame = tokio::select! {
                frame = socket.next() => frame,
                _ = self.wake.notified() => continue,
            };
            match read(frame) {
                Ok(Read::Change(c)) => return Ok(Some(c)),
                Ok(Read::Watching | Read::Skip) => {}
                Ok(Read::End) => {
                    state.socket.take();
                    return Ok(None);
                }
                Err(e) => {
                    state.socket.take();
                    return Err(e);
                }
            }
        }
    }

    /// Ends the watch: a `next` in flight returns `None`, and so does every later one.
    pub fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        if let Ok(mut state) = self.state.try_lock() {
            state.socket.take();
        }
    }

    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.closing.load(Ordering::SeqCst)
    }
}

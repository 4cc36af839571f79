//! `sandbox.terminal`: an interactive shell over the agent's `/terminal` WebSocket.
//!
//! The client types with `{"type": "input", "data"}` and resizes with
//! `{"type": "resize", "cols", "rows"}`; the agent answers `{"type": "output", "data"}` and,
//! when the shell ends, `{"type": "exit", "code"}`. Messages are handed over as the agent sent
//! them (the official SDKs' shape). Sending and reading may happen at the same time from
//! different tasks, and `close` never waits for the next message.

use crate::error::{Error, ErrorKind};
use crate::sandbox::Sandbox;
use crate::ws::{self, Socket};
use crate::Result;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, Notify};
use tokio_tungstenite::tungstenite::Message;

/// How long opening a terminal may take by default (the official SDK's).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// One shell in the sandbox, open until it exits, `close` or the end of the sandbox.
pub struct TerminalSession {
    sink: Mutex<SplitSink<Socket, Message>>,
    stream: Mutex<SplitStream<Socket>>,
    closing: AtomicBool,
    wake: Notify,
}

/// A terminal dimension as the wire and the pty take it: 1 to 65535 characters. The bindings
/// pass what the user gave (any whole number), so the range is said the same in both.
fn dimension(name: &str, value: i64) -> Result<u16> {
    u16::try_from(value)
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| Error::validation(format!("{name} must be from 1 to 65535, got {value}")))
}

impl Sandbox {
    /// Opens a terminal of `cols` × `rows` characters (1 to 65535 each) running an
    /// interactive bash.
    pub async fn terminal(&self, cols: i64, rows: i64, timeout: Option<Duration>) -> Result<TerminalSession> {
        let (cols, rows) = (dimension("cols", cols)?, dimension("rows", rows)?);
        self.ensure_alive()?;
        let limit = timeout.unwrap_or(CONNECT_TIMEOUT);
        let first = json!({"type": "resize", "cols": cols, "rows": rows});
        let open = async {
            let url = self.resolve_agent_url().await?;
            let tok = self.token().await?;
            match ws::open(&url, "/terminal", &tok, &first).await {
                Ok(s) => Ok(s),
                Err(f) if f.status == Some(401) => {
                    let tok = self.token_after_401(&tok).await?;
                    ws::open(&url, "/terminal", &tok, &first).await.map_err(|f| f.error)
                }
                Err(f) => Err(f.error),
            }
        };
        let socket = match tokio::time::timeout(limit, open).await {
            Ok(socket) => socket?,
            Err(_) => {
                let secs = limit.as_secs_f64();
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!("the terminal did not open within {secs} s"),
                ));
            }
        };
        let (sink, stream) = socket.split();
        Ok(TerminalSession {
            sink: Mutex::new(sink),
            stream: Mutex::new(stream),
            closing: AtomicBool::new(false),
            wake: Notify::new(),
        })
    }
}

impl TerminalSession {
    /// Types `data` (include `\n` to run a line; `\x03` is Ctrl-C).
    pub async fn send_input(&self, data: &str) -> Result<()> {
        self.send(json!({"type": "input", "data": data})).await
    }

    /// Sets the terminal's size (1 to 65535 each); the program in front is told (SIGWINCH).
    pub async fn resize(&self, cols: i64, rows: i64) -> Result<()> {
        let (cols, rows) = (dimension("cols", cols)?, dimension("rows", rows)?);
        self.send(json!({"type": "resize", "cols": cols, "rows": rows})).await
    }

    /// The next message (`output` or `exit`), or `None` once the session is over. An `error`
    /// message from the agent is returned as the error it names.
    pub async fn next(&self) -> Result<Option<Value>> {
        let mut stream = self.stream.lock().await;
        loop {
            if self.is_closed() {
                return Ok(None);
            }
            let frame = tokio::select! {
                frame = stream.next() => frame,
                _ = self.wake.notified() => continue,
            };
            let text = match frame {
                None | Some(Ok(Message::Close(_))) => return Ok(None),
                Some(Err(e)) => {
                    return Err(Error::new(
                        ErrorKind::Network,
                        format!("the terminal connection failed: {e}"),
                    ))
                }
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(_)) => continue,
            };
            let Ok(msg) = serde_json::from_str::<Value>(text.as_str()) else { continue };
            if msg.get("type").and_then(Value::as_str) == Some("error") {
                let code = msg.get("code").and_then(Value::as_str).unwrap_or("COMMAND_FAILED");
                let message = msg.get("error").and_then(Value::as_str).unwrap_or_default();
                return Err(Error::from_code(code, format!("terminal: {message}")));
            }
            return Ok(Some(msg));
        }
    }

    /// Ends the session: the agent stops the shell, and a read in flight returns `None`.
    pub async fn close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        let _ = self.sink.lock().await.send(Message::Close(None)).await;
    }

    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.closing.load(Ordering::SeqCst)
    }

    async fn send(&self, msg: Value) -> Result<()> {
        if self.is_closed() {
            return Err(Error::new(ErrorKind::Network, "the terminal is closed"));
        }
        let mut sink = self.sink.lock().await;
        sink.send(Message::text(msg.to_string()))
            .await
            .map_err(|e| Error::new(ErrorKind::Network, format!("cannot send to the terminal: {e}")))
    }
}

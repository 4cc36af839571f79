//! Streaming runs: the agent's `/execute/stream` WebSocket as a stream of events, and the fold
//! of those events into the same [`ExecutionResult`] (or error) a plain run gives. Every
//! binding feature that shows output live (callbacks, async iterators) sits on this.

use crate::error::{Error, ErrorKind, Plane};
use crate::models::{ExecutionError, ExecutionResult, RichOutput};
use crate::Result;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// An [`ExecutionStream`] the bindings share between their calls: `next`, `result` and
/// `close` may come from different tasks or threads, a read may be in flight when `close`
/// comes (an abandoned awaitable goes on running on the runtime), and `close` must never wait
/// for the next message. Cancel-safe: a read that is cut short loses no message.
pub struct SharedStream {
    stream: tokio::sync::Mutex<Option<ExecutionStream>>,
    closing: std::sync::atomic::AtomicBool,
    wake: tokio::sync::Notify,
}

impl SharedStream {
    pub fn new(stream: ExecutionStream) -> SharedStream {
        SharedStream {
            stream: tokio::sync::Mutex::new(Some(stream)),
            closing: Default::default(),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// The next message, or `None` once the run is over or the stream was closed.
    pub async fn next(&self) -> Result<Option<Value>> {
        let mut guard = self.stream.lock().await;
        if self.is_closed() {
            guard.take();
        }
        let Some(stream) = guard.as_mut() else { return Ok(None) };
        // `next_message` only waits on the socket, so being cut short here loses nothing.
        let msg = tokio::select! {
            msg = stream.next_message() => msg,
            _ = self.wake.notified() => None,
        };
        if self.is_closed() {
            guard.take();
            return Ok(None);
        }
        msg.transpose()
    }

    /// The result folded from the messages read so far (once `next` gave `None`), or the run's
    /// error. After `close` there is none: a `NetworkError`, as for any closed connection.
    pub async fn result(&self) -> Result<ExecutionResult> {
        match self.stream.lock().await.as_ref() {
            Some(stream) if !self.is_closed() => stream.result(),
            _ => Err(Error::new(ErrorKind::Network, "the output stream was closed before the run completed")),
        }
    }

    /// Closes the stream: a read in flight ends with `None`, and so does every later one.
    /// Returns the stream when no read holds it, for the caller to drop where it likes
    /// (dropping closes the socket); otherwise the next read drops it. Safe to call twice.
    pub fn close(&self) -> Option<ExecutionStream> {
        self.closing.store(true, std::sync::atomic::Ordering::SeqCst);
        // One stored permit: it ends the read in flight, or the next one, which then stops.
        self.wake.notify_one();
        self.stream.try_lock().ok().and_then(|mut g| g.take())
    }

    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.closing.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// One thing a streaming run produced.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    Stdout(String),
    Stderr(String),
    /// A rich output (plot, table...) at the moment it was displayed.
    Display(RichOutput),
}

/// A run in progress whose messages arrive as they happen.
pub struct ExecutionStream {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    acc: Accumulator,
    finished: bool,
}

/// Why opening a stream failed: the upgrade's HTTP status matters (401 means refresh).
pub(crate) struct OpenFailure {
    pub error: Error,
    pub status: Option<u16>,
}

impl ExecutionStream {
    /// Connects to `{agent}/execute/stream` with the bearer token and sends the request.
    pub(crate) async fn open(
        agent_url: &str,
        token: &str,
        request: &Value,
    ) -> std::result::Result<Self, OpenFailure> {
        let ws_url = match agent_url.split_once("://") {
            Some(("https", rest)) => format!("wss://{}", host_of(rest)),
            Some((_, rest)) => format!("ws://{}", host_of(rest)),
            None => format!("ws://{}", host_of(agent_url)),
        } + "/execute/stream";
        let mut req = ws_url.as_str().into_client_request().map_err(|e| OpenFailure {
            error: Error::new(ErrorKind::Network, format!("bad stream URL {ws_url}: {e}")),
            status: None,
        })?;
        if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
            req.headers_mut().insert("Authorization", v);
        }
        let (mut ws, _) =
            tokio_tungstenite::connect_async_with_config(req, None, true).await.map_err(open_error)?;
        ws.send(Message::text(request.to_string())).await.map_err(|e| OpenFailure {
            error: Error::new(ErrorKind::Network, format!("cannot send the run to the stream: {e}")),
            status: None,
        })?;
        Ok(ExecutionStream { ws, acc: Accumulator::default(), finished: false })
    }

    /// The next message as the agent sent it (`{"type": "stdout", ...}` and so on); `None`
    /// after `complete`. Empty and non-JSON frames are skipped.
    pub async fn next_message(&mut self) -> Option<Result<Value>> {
        if self.finished {
            return None;
        }
        loop {
            let msg = match self.ws.next().await {
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    self.finished = true;
                    return Some(Err(Error::new(
                        ErrorKind::Network,
                        format!("the output stream broke: {e}"),
                    )));
                }
                None => {
                    self.finished = true;
                    return Some(Err(Error::new(
                        ErrorKind::Network,
                        "the output stream closed before the run completed",
                    )));
                }
            };
            let text = match msg {
                Message::Text(t) => t.to_string(),
                Message::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
                Message::Close(_) => {
                    self.finished = true;
                    return Some(Err(Error::new(
                        ErrorKind::Network,
                        "the output stream closed before the run completed",
                    )));
                }
                _ => continue,
            };
            let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
            if !value.is_object() {
                continue;
            }
            self.acc.add(&value);
            if value["type"] == "complete" {
                self.finished = true;
                let _ = self.ws.close(None).await;
            }
            return Some(Ok(value));
        }
    }

    /// The next output event, skipping protocol messages; `None` when the run is over.
    pub async fn next_event(&mut self) -> Option<Result<StreamEvent>> {
        while let Some(msg) = self.next_message().await {
            match msg {
                Err(e) => return Some(Err(e)),
                Ok(v) => {
                    if let Some(ev) = event_of(&v) {
                        return Some(Ok(ev));
                    }
                }
            }
        }
        None
    }

    /// Reads to the end and returns the result, or the error with the output gathered so far.
    pub async fn finish(mut self) -> Result<ExecutionResult> {
        while let Some(msg) = self.next_message().await {
            msg?;
        }
        self.acc.into_result()
    }

    /// The result folded from what arrived so far (call after `next_message` returned `None`).
    pub fn result(&self) -> Result<ExecutionResult> {
        self.acc.clone().into_result()
    }
}

/// The output event a message carries, if any.
pub fn event_of(v: &Value) -> Option<StreamEvent> {
    let text = || v["data"].as_str().unwrap_or_default().to_string();
    match v["type"].as_str()? {
        "stdout" => Some(StreamEvent::Stdout(text())),
        "stderr" => Some(StreamEvent::Stderr(text())),
        "display" => Some(StreamEvent::Display(RichOutput {
            mime_type: v["mime_type"].as_str().unwrap_or("text/plain").to_string(),
            data: v["data"].as_object().cloned().unwrap_or_default(),
            metadata: v["metadata"].as_object().cloned().unwrap_or_default(),
        })),
        _ => None,
    }
}

/// Folds stream messages into a result.
#[derive(Debug, Clone, Default)]
struct Accumulator {
    stdout: String,
    stderr: String,
    rich: Vec<RichOutput>,
    result: Option<Value>,
    error: Option<Value>,
    success: Option<bool>,
}

impl Accumulator {
    fn add(&mut self, v: &Value) {
        match event_of(v) {
            Some(StreamEvent::Stdout(s)) => self.stdout.push_str(&s),
            Some(StreamEvent::Stderr(s)) => self.stderr.push_str(&s),
            Some(StreamEvent::Display(o)) => self.rich.push(o),
            None => match v["type"].as_str() {
                Some("result") => self.result = Some(v.clone()),
                Some("error") => self.error = Some(v.clone()),
                Some("complete") => self.success = v["success"].as_bool(),
                _ => {}
            },
        }
    }

    fn into_result(self) -> Result<ExecutionResult> {
        if let Some(err) = &self.error {
            let code = err["code"].as_str().unwrap_or("EXECUTION_FAILED");
            let body =
                json!({"error": err["error"], "code": code, "stdout": self.stdout, "stderr": self.stderr});
            let mut e = Error::from_response(Plane::Agent, status_of(code), None, &body.to_string());
            if e.kind == ErrorKind::Timeout {
                e.stdout = Some(self.stdout);
                e.stderr = Some(self.stderr);
            }
            return Err(e);
        }
        let Some(res) = self.result else {
            return Err(Error::new(ErrorKind::Network, "the stream ended without a result"));
        };
        let exit_code = res["exit_code"].as_i64().unwrap_or(0) as i32;
        let flag = |k: &str| res[k].as_bool().unwrap_or(false);
        Ok(ExecutionResult {
            stdout: self.stdout,
            stderr: self.stderr,
            exit_code,
            success: self.success.unwrap_or(exit_code == 0),
            execution_time: res["execution_time"].as_f64().unwrap_or(0.0),
            rich_outputs: self.rich,
            error: res.get("error").and_then(|e| serde_json::from_value::<ExecutionError>(e.clone()).ok()),
            language: None,
            timestamp: res["timestamp"].as_str().map(String::from),
            stdout_truncated: flag("stdout_truncated"),
            stderr_truncated: flag("stderr_truncated"),
            kernel_restarted: flag("kernel_restarted"),
            rich_outputs_truncated: flag("rich_outputs_truncated"),
            png: None,
            html: None,
            svg: None,
            markdown: None,
            json: None,
            result: None,
        }
        .with_flat_fields())
    }
}

/// The HTTP status the agent would give a code, so the one error table applies to streams.
fn status_of(code: &str) -> u16 {
    match code {
        "EXECUTION_TIMEOUT" => 408,
        c if c.starts_with("INVALID") || c == "MISSING_PARAMETER" => 400,
        c if c.ends_with("NOT_FOUND") || c == "SANDBOX_EXPIRED" => 404,
        "TOKEN_INVALID" | "TOKEN_EXPIRED" | "AUTHENTICATION_REQUIRED" => 401,
        _ => 500,
    }
}

fn host_of(rest: &str) -> &str {
    rest.split('/').next().unwrap_or(rest)
}

fn open_error(e: tokio_tungstenite::tungstenite::Error) -> OpenFailure {
    use tokio_tungstenite::tungstenite::Error as WsError;
    match e {
        WsError::Http(resp) => {
            let status = resp.status().as_u16();
            let rid = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(String::from);
            let body =
                resp.body().as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
            OpenFailure {
                error: Error::from_response(Plane::Agent, status, rid, &body),
                status: Some(status),
            }
        }
        other => OpenFailure {
            error: Error::new(ErrorKind::Network, format!("cannot open the output stream: {other}")),
            status: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(msgs: &[Value]) -> Result<ExecutionResult> {
        let mut acc = Accumulator::default();
        msgs.iter().for_each(|m| acc.add(m));
        acc.into_result()
    }

    #[test]
    fn folds_output_and_result() {
        let r = fold(&[
            json!({"type": "stdout", "data": "a"}),
            json!({"type": "stderr", "data": "e"}),
            json!({"type": "stdout", "data": "b\n"}),
            json!({"type": "display", "mime_type": "image/png", "data": {"image/png": "AA"}}),
            json!({"type": "result", "exit_code": 2, "execution_time": 0.5}),
            json!({"type": "complete", "success": false}),
        ])
        .unwrap();
        assert_eq!((r.stdout.as_str(), r.stderr.as_str(), r.exit_code, r.success), ("ab\n", "e", 2, false));
        assert_eq!(r.rich_outputs[0].mime_type, "image/png");
    }

    #[test]
    fn a_timeout_keeps_the_partial_output() {
        let e = fold(&[
            json!({"type": "stdout", "data": "so far"}),
            json!({"type": "error", "error": "timed out", "code": "EXECUTION_TIMEOUT"}),
            json!({"type": "complete", "success": false}),
        ])
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Timeout);
        assert_eq!(e.stdout.as_deref(), Some("so far"));
    }
}

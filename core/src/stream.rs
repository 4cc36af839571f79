//! Streaming runs: the agent's `/execute/stream` WebSocket as a stream of events, and the fold
//! of those events into the same [`ExecutionResult`] (or error) a plain run gives. Every
//! binding feature that shows output live (callbacks, async iterators) sits on this.

use crate::error::{Error, ErrorKind};
use crate::models::{ExecutionResult, RichOutput};
use crate::ws::{self, OpenFailure, Socket};
use crate::Result;
use futures_util::StreamExt;
use hopx_wire::code::EXECUTION_FAILED;
use hopx_wire::{ErrorMessage, RunEnd, StreamMessage};
use serde::Deserialize;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

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
    ws: Socket,
    acc: Accumulator,
    finished: bool,
}

impl ExecutionStream {
    /// Connects to `{agent}/execute/stream` with the bearer token and sends the request (an
    /// `execute` message).
    pub(crate) async fn open(
        agent_url: &str,
        token: &str,
        request: &StreamMessage,
    ) -> std::result::Result<Self, OpenFailure> {
        let ws = ws::open(agent_url, "/execute/stream", token, request).await?;
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
            let message = StreamMessage::deserialize(&value).unwrap_or(StreamMessage::Unknown);
            let complete = matches!(message, StreamMessage::Complete(_));
            self.acc.add(message);
            if complete {
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
    match StreamMessage::deserialize(v).ok()? {
        StreamMessage::Stdout(chunk) => Some(StreamEvent::Stdout(chunk.data)),
        StreamMessage::Stderr(chunk) => Some(StreamEvent::Stderr(chunk.data)),
        StreamMessage::Display(display) => Some(StreamEvent::Display(display.into_output())),
        _ => None,
    }
}

/// Folds stream messages into a result.
#[derive(Debug, Clone, Default)]
struct Accumulator {
    stdout: String,
    stderr: String,
    rich: Vec<RichOutput>,
    result: Option<RunEnd>,
    error: Option<ErrorMessage>,
    success: Option<bool>,
}

impl Accumulator {
    fn add(&mut self, message: StreamMessage) {
        match message {
            StreamMessage::Stdout(chunk) => self.stdout.push_str(&chunk.data),
            StreamMessage::Stderr(chunk) => self.stderr.push_str(&chunk.data),
            StreamMessage::Display(display) => self.rich.push(display.into_output()),
            StreamMessage::Result(result) => self.result = Some(result),
            StreamMessage::Error(error) => self.error = Some(error),
            StreamMessage::Complete(complete) => self.success = complete.success,
            StreamMessage::Execute(_) | StreamMessage::Unknown => {}
        }
    }

    fn into_result(self) -> Result<ExecutionResult> {
        if let Some(err) = self.error {
            let code = err.code.as_deref().unwrap_or(EXECUTION_FAILED);
            let mut e = Error::from_code(code, err.error);
            if e.kind == ErrorKind::Timeout {
                e.stdout = Some(self.stdout);
                e.stderr = Some(self.stderr);
            }
            return Err(e);
        }
        let Some(res) = self.result else {
            return Err(Error::new(ErrorKind::Network, "the stream ended without a result"));
        };
        Ok(ExecutionResult {
            stdout: self.stdout,
            stderr: self.stderr,
            exit_code: res.exit_code,
            success: self.success.unwrap_or(res.exit_code == 0),
            execution_time: res.execution_time,
            rich_outputs: self.rich,
            error: res.error,
            language: None,
            timestamp: res.timestamp,
            stdout_truncated: res.stdout_truncated,
            stderr_truncated: res.stderr_truncated,
            kernel_restarted: res.kernel_restarted,
            rich_outputs_truncated: res.rich_outputs_truncated,
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fold(msgs: &[Value]) -> Result<ExecutionResult> {
        let mut acc = Accumulator::default();
        msgs.iter().for_each(|m| acc.add(StreamMessage::deserialize(m).unwrap()));
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

    #[test]
    fn an_error_message_is_classified_by_its_code_alone() {
        let error = |code: &str, text: &str| {
            fold(&[json!({"type": "error", "error": text, "code": code}), json!({"type": "complete"})])
                .unwrap_err()
        };
        let gone = error("RESOURCE_NOT_FOUND", "Sandbox not found: x was killed");
        assert_eq!((gone.kind, gone.status_code, gone.stdout), (ErrorKind::NotFound, None, None));
        assert_eq!(error("SANDBOX_EXPIRED", "gone").kind, ErrorKind::SandboxExpired);
        assert_eq!(error("MISSING_PARAMETER", "code is required").kind, ErrorKind::Validation);
        assert_eq!(error("SOMETHING_NEW", "").kind, ErrorKind::Server);
        assert_eq!(error("SOMETHING_NEW", "").message, "The run failed with SOMETHING_NEW");
        // Over HTTP the status still decides for such codes (here: the message's expired token).
        let expired = error("INVALID_TOKEN", "token expired");
        let http = Error::from_response(
            crate::error::Plane::Agent,
            401,
            None,
            r#"{"error":"token expired","code":"INVALID_TOKEN"}"#,
        );
        assert_eq!((expired.kind, http.kind), (ErrorKind::Authentication, ErrorKind::TokenExpired));
        let missing =
            fold(&[json!({"type": "error", "error": "boom"}), json!({"type": "complete"})]).unwrap_err();
        assert_eq!(
            (missing.kind, missing.code.as_deref()),
            (ErrorKind::CodeExecution, Some("EXECUTION_FAILED"))
        );
    }
}

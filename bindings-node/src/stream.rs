//! `ExecutionStream`: a streaming run as the facade drives it, one raw agent message per
//! `next()`. The fold of those messages into a result (or a typed error such as a timeout with
//! its partial output) stays in `hopx-core`; the facade only dispatches messages to callbacks
//! or yields them from an async iterator.

use crate::convert::ExecutionResult;
use crate::errors::IntoJs;
use hopx_core as hcore;
use napi::Result;
use napi_derive::napi;
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::{Mutex, Notify};

/// A run in progress on `/execute/stream`. Dropping it (or `close()`) closes the socket, and
/// the agent then stops the run.
#[napi]
pub struct ExecutionStream {
    inner: Arc<Mutex<Option<hcore::ExecutionStream>>>,
    /// Wakes a pending `next()` so `close()` never waits for the next message.
    cancel: Arc<Notify>,
}

impl ExecutionStream {
    pub fn new(stream: hcore::ExecutionStream) -> Self {
        ExecutionStream { inner: Arc::new(Mutex::new(Some(stream))), cancel: Arc::new(Notify::new()) }
    }
}

#[napi]
impl ExecutionStream {
    /// The next message as the agent sent it (`{type: "stdout", data, timestamp}`, ...);
    /// `null` after `complete` or `close()`. A broken connection rejects (NetworkError).
    #[napi(catch_unwind)]
    pub async fn next(&self) -> Result<Option<Value>> {
        let (inner, cancel) = (self.inner.clone(), self.cancel.clone());
        let mut guard = inner.lock().await;
        let Some(stream) = guard.as_mut() else { return Ok(None) };
        tokio::select! {
            msg = stream.next_message() => msg.transpose().js(),
            _ = cancel.notified() => {
                guard.take();
                Ok(None)
            }
        }
    }

    /// The result folded from the messages read so far (call once `next()` gave `null`);
    /// rejects with the run's typed error, e.g. a TimeoutError carrying the partial output.
    #[napi(catch_unwind)]
    pub async fn result(&self) -> Result<ExecutionResult> {
        let inner = self.inner.clone();
        let guard = inner.lock().await;
        let stream = guard.as_ref().ok_or_else(|| {
            crate::errors::to_napi(hcore::Error::new(
                hcore::ErrorKind::Network,
                "the output stream was closed before the run completed",
            ))
        })?;
        Ok(stream.result().js()?.into())
    }

    /// Closes the socket now; a pending `next()` resolves to `null`.
    #[napi]
    pub fn close(&self) {
        match self.inner.try_lock() {
            Ok(mut guard) => {
                guard.take();
            }
            Err(_) => self.cancel.notify_one(),
        }
    }
}

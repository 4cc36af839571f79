//! `ExecutionStream`: a streaming run as the facade drives it, one raw agent message per
//! `next()`. The fold of those messages into a result (or a typed error such as a timeout with
//! its partial output) and the rules of closing stay in `hopx-core` (`SharedStream`); the
//! facade only dispatches messages to callbacks or yields them from an async iterator.

use crate::convert::ExecutionResult;
use crate::errors::IntoJs;
use hopx_core as hcore;
use napi::Result;
use napi_derive::napi;
use serde_json::Value;
use std::sync::Arc;

/// A run in progress on `/execute/stream`. Dropping it (or `close()`) closes the socket, and
/// the agent then stops the run.
#[napi]
pub struct ExecutionStream {
    inner: Arc<hcore::SharedStream>,
}

impl ExecutionStream {
    pub fn new(stream: hcore::ExecutionStream) -> Self {
        ExecutionStream { inner: Arc::new(hcore::SharedStream::new(stream)) }
    }
}

#[napi]
impl ExecutionStream {
    /// The next message as the agent sent it (`{type: "stdout", data, timestamp}`, ...);
    /// `null` after `complete` or `close()`. A broken connection rejects (NetworkError).
    #[napi(catch_unwind)]
    pub async fn next(&self) -> Result<Option<Value>> {
        self.inner.clone().next().await.js()
    }

    /// The result folded from the messages read so far (call once `next()` gave `null`);
    /// rejects with the run's typed error, e.g. a TimeoutError carrying the partial output,
    /// or a NetworkError once the stream was closed.
    #[napi(catch_unwind)]
    pub async fn result(&self) -> Result<ExecutionResult> {
        Ok(self.inner.clone().result().await.js()?.into())
    }

    /// Closes the socket now; a pending `next()` resolves to `null`.
    #[napi]
    pub fn close(&self) {
        drop(self.inner.close());
    }
}

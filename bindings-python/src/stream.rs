//! `NativeStream`: a streaming run (the core's [`ExecutionStream`]) as seen from Python.
//!
//! The hand-written package builds everything live on it: `run_code` callbacks and the
//! `run_code_stream` iterators read raw messages one at a time, then ask for the folded result,
//! so the protocol and the fold stay in the core. The stream sits behind a tokio mutex because
//! an awaitable may hold it on the runtime while Python moves on; `close()` (or dropping the
//! object) drops the core stream, which closes the socket.

use crate::convert::Json;
use crate::runtime::{awaitable, wait};
use hopx_core::{Error, ErrorKind, ExecutionStream, Result};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::{Mutex, Notify};

/// The stream, plus what `close()` uses when a read in flight holds the lock: a flag, and a
/// wake-up that ends that read (a cancelled awaitable may go on running on the runtime).
struct State {
    stream: Mutex<Option<ExecutionStream>>,
    closing: AtomicBool,
    wake: Notify,
}

type Shared = Arc<State>;

/// One run whose messages arrive while it runs.
#[pyclass(frozen, module = "hopx_ai._native")]
pub struct NativeStream {
    inner: Shared,
}

impl NativeStream {
    pub fn new(stream: ExecutionStream) -> Self {
        let state =
            State { stream: Mutex::new(Some(stream)), closing: AtomicBool::new(false), wake: Notify::new() };
        NativeStream { inner: Arc::new(state) }
    }
}

/// The next message as JSON, or `None` once the run is over or the stream was closed.
async fn next(inner: Shared) -> Result<Option<Json>> {
    let mut guard = inner.stream.lock().await;
    if inner.closing.load(Ordering::SeqCst) {
        guard.take();
    }
    let Some(stream) = guard.as_mut() else { return Ok(None) };
    // `next_message` is cancel-safe (it only waits on the socket), so `close()` may cut it short.
    let msg = tokio::select! {
        msg = stream.next_message() => msg,
        _ = inner.wake.notified() => None,
    };
    if inner.closing.load(Ordering::SeqCst) {
        guard.take();
        return Ok(None);
    }
    msg.transpose().map(|m| m.map(Json))
}

async fn fold(inner: Shared) -> Result<Json> {
    let guard = inner.stream.lock().await;
    match guard.as_ref() {
        Some(stream) => stream.result().map(|r| Json::of(&r)),
        None => Err(Error::new(ErrorKind::Validation, "the stream was closed before the run ended")),
    }
}

#[pymethods]
impl NativeStream {
    /// The next message dict (blocking, GIL released), or None when the run is over.
    fn next_message(&self, py: Python<'_>) -> PyResult<Option<Json>> {
        wait(py, next(self.inner.clone()))
    }

    /// `next_message` as an awaitable.
    fn anext_message<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, next(self.inner.clone()))
    }

    /// The result folded from the messages so far (as a dict), or the run's error raised as a
    /// `hopx_ai.errors` class (a timeout carries the partial stdout/stderr). Call it after
    /// `next_message` returned None.
    fn result(&self, py: Python<'_>) -> PyResult<Json> {
        // Uncontended once the messages are read, so this does not really block.
        wait(py, fold(self.inner.clone()))
    }

    /// Drops the connection; later reads return None. Safe to call more than once.
    fn close(&self, py: Python<'_>) {
        self.inner.closing.store(true, Ordering::SeqCst);
        // One stored permit: it ends the read in flight, or the next one, which then stops.
        self.inner.wake.notify_one();
        // A read in flight (an awaitable) holds the lock; then the next read drops the stream.
        let stream = self.inner.stream.try_lock().ok().and_then(|mut g| g.take());
        // Dropping closes the socket, which may take a moment: without the GIL.
        py.detach(move || drop(stream));
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.closing.load(Ordering::SeqCst)
    }

    fn __repr__(&self) -> &'static str {
        "NativeStream()"
    }
}

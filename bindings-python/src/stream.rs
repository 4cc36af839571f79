//! `NativeStream`: a streaming run (the core's [`SharedStream`]) as seen from Python.
//!
//! The hand-written package builds everything live on it: `run_code` callbacks and the
//! `run_code_stream` iterators read raw messages one at a time, then ask for the folded result,
//! so the protocol, the fold and the rules of closing stay in the core.

use crate::convert::Json;
use crate::runtime::{awaitable, wait};
use hopx_core::{ExecutionStream, Result, SharedStream};
use pyo3::prelude::*;
use std::sync::Arc;

/// One run whose messages arrive while it runs.
#[pyclass(frozen, module = "hopx_ai._native")]
pub struct NativeStream {
    inner: Arc<SharedStream>,
}

impl NativeStream {
    pub fn new(stream: ExecutionStream) -> Self {
        NativeStream { inner: Arc::new(SharedStream::new(stream)) }
    }
}

async fn next(inner: Arc<SharedStream>) -> Result<Option<Json>> {
    inner.next().await.map(|m| m.map(Json))
}

async fn fold(inner: Arc<SharedStream>) -> Result<Json> {
    inner.result().await.map(|r| Json::of(&r))
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
    /// `hopx_ai.errors` class (a timeout carries the partial stdout/stderr; a closed stream is
    /// a `NetworkError`). Call it after `next_message` returned None.
    fn result(&self, py: Python<'_>) -> PyResult<Json> {
        // Uncontended once the messages are read, so this does not really block.
        wait(py, fold(self.inner.clone()))
    }

    /// Drops the connection; later reads return None. Safe to call more than once.
    fn close(&self, py: Python<'_>) {
        let stream = self.inner.close();
        // Dropping closes the socket, which may take a moment: without the GIL.
        py.detach(move || drop(stream));
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }

    fn __repr__(&self) -> &'static str {
        "NativeStream()"
    }
}

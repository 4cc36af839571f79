//! `NativeStream`: a streaming run (the core's [`SharedStream`]) as seen from Python.
//!
//! The hand-written package builds everything live on it: `run_code` callbacks and the
//! `run_code_stream` iterators read raw messages one at a time, then ask for the folded result,
//! so the protocol, the fold and the rules of closing stay in the core.

use crate::convert::Json;
use crate::dual::dual_methods;
use crate::runtime::wait;
use hopx_core::{ExecutionStream, SharedStream};
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

dual_methods! {
    impl NativeStream {
        plain {
            /// The result folded from the messages so far (as a dict), or the run's error raised
            /// as a `hopx_ai.errors` class (a timeout carries the partial stdout/stderr; a closed
            /// stream is a `NetworkError`). Call it after `next_message` returned None.
            fn result(&self, py: Python<'_>) -> PyResult<Json> {
                let inner = self.inner.clone();
                // Uncontended once the messages are read, so this does not really block.
                wait(py, async move { inner.result().await.map(|r| Json::of(&r)) })
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

        /// The next message dict, or None when the run is over.
        fn next_message / next_message_async (stream) -> Option<Json> {
            stream.next().await.map(|m| m.map(Json))
        }
    }
}

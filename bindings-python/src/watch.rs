//! `NativeWatch`: a folder's changes (the core's [`FileWatch`]) as seen from Python. The
//! package's `hopx_ai.watch.FileWatch` iterates it, blocking or async.

use crate::convert::Json;
use crate::dual::dual_methods;
use hopx_core::FileWatch;
use pyo3::prelude::*;
use std::sync::Arc;

/// The changes of one watched folder.
#[pyclass(frozen, module = "hopx_ai._native")]
pub struct NativeWatch {
    inner: Arc<FileWatch>,
}

impl NativeWatch {
    pub fn new(watch: FileWatch) -> Self {
        NativeWatch { inner: Arc::new(watch) }
    }
}

dual_methods! {
    impl NativeWatch {
        plain {
            /// Ends the watch; a read in flight and every later one return None.
            fn close(&self) {
                self.inner.close();
            }

            /// Whether `close()` was called.
            #[getter]
            fn closed(&self) -> bool {
                self.inner.is_closed()
            }

            fn __repr__(&self) -> &'static str {
                "NativeWatch()"
            }
        }

        /// The next change as a dict (`type`, `path`, `event`, `timestamp`), or None once the
        /// watch ended.
        fn next_change / next_change_async (watch) -> Option<Json> {
            watch.next().await.map(|c| c.map(|c| Json::of(&c)))
        }
    }
}

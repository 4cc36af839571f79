//! `FileWatch`: a folder's changes (the core's [`hcore::FileWatch`]) as the facade reads them,
//! one change per `next()`. `files.watch` and `sandbox.watchFiles` iterate it.

use crate::errors::IntoJs;
use hopx_core as hcore;
use napi::Result;
use napi_derive::napi;
use std::sync::Arc;

/// One change in a watched folder, as the agent reports it.
#[napi(object)]
pub struct FileChange {
    /// Always `"change"`.
    #[napi(js_name = "type")]
    pub kind: String,
    /// The absolute path in the sandbox of the entry that changed.
    pub path: String,
    /// `created`, `modified`, `deleted` or `renamed`.
    pub event: String,
    /// When it happened (RFC 3339).
    pub timestamp: String,
}

/// The changes of one watched folder, open until `close()` or the end of the sandbox.
#[napi]
pub struct FileWatch {
    inner: Arc<hcore::FileWatch>,
}

impl FileWatch {
    pub fn new(watch: hcore::FileWatch) -> Self {
        FileWatch { inner: Arc::new(watch) }
    }
}

#[napi]
impl FileWatch {
    /// The next change; `null` once the watch ended (closed, the folder or sandbox gone).
    #[napi(catch_unwind)]
    pub async fn next(&self) -> Result<Option<FileChange>> {
        let change = self.inner.next().await.js()?;
        Ok(change.map(|c| FileChange { kind: c.kind, path: c.path, event: c.event, timestamp: c.timestamp }))
    }

    /// Ends the watch now; a pending `next()` resolves to `null`, and so does every later one.
    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }

    /// Whether `close()` was called.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.inner.is_closed()
    }
}

//! `TerminalSession`: a shell in the sandbox (the core's [`hcore::TerminalSession`]) as the
//! facade's `TerminalConnection` drives it.

use crate::errors::IntoJs;
use hopx_core as hcore;
use napi::Result;
use napi_derive::napi;
use serde_json::Value;
use std::sync::Arc;

/// One open terminal.
#[napi]
pub struct TerminalSession {
    inner: Arc<hcore::TerminalSession>,
}

impl TerminalSession {
    pub fn new(session: hcore::TerminalSession) -> Self {
        TerminalSession { inner: Arc::new(session) }
    }
}

#[napi]
impl TerminalSession {
    /// Types `data` into the terminal.
    #[napi(catch_unwind)]
    pub async fn send_input(&self, data: String) -> Result<()> {
        self.inner.send_input(&data).await.js()
    }

    /// Sets the terminal's size in characters.
    #[napi(catch_unwind)]
    pub async fn resize(&self, cols: i64, rows: i64) -> Result<()> {
        self.inner.resize(cols, rows).await.js()
    }

    /// The next message (`{type: "output", data}`, `{type: "exit", code}`); `null` once the
    /// session is over.
    #[napi(catch_unwind)]
    pub async fn next(&self) -> Result<Option<Value>> {
        self.inner.next().await.js()
    }

    /// Ends the session: the shell stops, and a pending `next()` resolves to `null`.
    #[napi(catch_unwind)]
    pub async fn close(&self) -> Result<()> {
        self.inner.close().await;
        Ok(())
    }

    /// Whether `close()` was called.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.inner.is_closed()
    }
}

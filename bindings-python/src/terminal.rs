//! `NativeTerminal`: a shell in the sandbox (the core's [`TerminalSession`]) as seen from
//! Python. The package's `hopx_ai.terminal` drives it with the official async API.

use crate::convert::Json;
use crate::dual::dual_methods;
use hopx_core::TerminalSession;
use pyo3::prelude::*;
use std::sync::Arc;

/// One open terminal.
#[pyclass(frozen, module = "hopx_ai._native")]
pub struct NativeTerminal {
    inner: Arc<TerminalSession>,
}

impl NativeTerminal {
    pub fn new(session: TerminalSession) -> Self {
        NativeTerminal { inner: Arc::new(session) }
    }
}

dual_methods! {
    impl NativeTerminal {
        plain {
            /// Whether `close()` was called.
            #[getter]
            fn closed(&self) -> bool {
                self.inner.is_closed()
            }

            fn __repr__(&self) -> &'static str {
                "NativeTerminal()"
            }
        }

        /// Types `data` into the terminal.
        fn send_input / send_input_async (term, data: String) -> () {
            term.send_input(&data).await
        }

        /// Sets the terminal's size in characters.
        fn resize / resize_async (term, cols: i64, rows: i64) -> () {
            term.resize(cols, rows).await
        }

        /// The next message as a dict (`{"type": "output", "data"}`, `{"type": "exit", "code"}`),
        /// or None once the session is over.
        fn next_message / next_message_async (term) -> Option<Json> {
            term.next().await.map(|m| m.map(Json))
        }

        /// Ends the session: the shell stops, and a read in flight returns None.
        fn close / close_async (term) -> () {
            term.close().await;
            Ok(())
        }
    }
}

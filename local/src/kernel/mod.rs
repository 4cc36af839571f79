//! The persistent Python kernel of `code-interpreter` sandboxes (placeholder: runs one-shot
//! until the kernel lands).

use crate::exec::{EventSink, ExecOutcome, ExecRequest};
use crate::sandbox::Sandbox;
use std::sync::Arc;

/// A running kernel process.
pub struct Kernel {}

impl Kernel {
    /// Stops the kernel process.
    pub fn shutdown(self) {}
}

/// Runs Python code in the sandbox's kernel.
pub async fn execute(
    sandbox: &Arc<Sandbox>,
    req: ExecRequest,
    events: EventSink,
) -> Result<ExecOutcome, String> {
    crate::exec::oneshot::run(sandbox, req, events).await
}

/// Whether the sandbox Python can run the kernel; the message names the fix when not.
pub fn check_available(runtimes: &crate::exec::Runtimes) -> Result<(), String> {
    match &runtimes.python {
        Err(e) => Err(format!("the code-interpreter template needs Python: {e}")),
        Ok(py) if !py.has_ipython => Err(format!(
            "the code-interpreter template needs IPython in the sandbox Python ({}): run `pip install \"hopx_ai[local]\"` (or `pip install ipython`), or use the `base` template",
            py.executable.display()
        )),
        Ok(_) => Ok(()),
    }
}

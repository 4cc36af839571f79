//! The persistent Python kernel of `code-interpreter` sandboxes: a long-lived process per
//! sandbox running the shipped runner (IPython's `InteractiveShell`), talking over pipes.
//! Runs on one kernel are serialised in arrival order; sandboxes run in parallel.

mod frames;
mod process;
mod run;
mod streams;

pub use process::Kernel;

use crate::exec::{EventSink, ExecOutcome, ExecRequest, Runtimes};
use crate::sandbox::Sandbox;
use run::After;
use std::sync::Arc;
use std::time::Duration;

/// How long an interrupted run may take to stop before the kernel is killed and restarted.
pub const INTERRUPT_GRACE: Duration = Duration::from_secs(2);

/// Runs Python code in the sandbox's kernel, starting one first if there is none.
pub async fn execute(
    sandbox: &Arc<Sandbox>,
    req: ExecRequest,
    events: EventSink,
) -> Result<ExecOutcome, String> {
    // tokio's mutex is fair: queued runs go in arrival order.
    let mut slot = sandbox.kernel.lock().await;
    if sandbox.is_killed() {
        return Ok(ExecOutcome { sandbox_killed: true, ..Default::default() });
    }
    if let Some(k) = slot.as_mut() {
        if !k.settle().await {
            k.control.kill_tree();
            let _ = k.exit.wait_for(Option::is_some).await;
        }
    }
    if slot.as_ref().is_none_or(Kernel::has_exited) {
        if let Some(old) = slot.take() {
            old.shutdown();
        }
        *slot = Some(Kernel::start(&sandbox.isolator, &sandbox.spec, sandbox.runtimes).await?);
    }
    let kernel = slot.as_mut().expect("a kernel was just started");
    let (outcome, after) = kernel.run(sandbox, &req, events).await;
    if after == After::Dead {
        if let Some(k) = slot.take() {
            k.shutdown();
        }
    }
    Ok(outcome)
}

/// Whether the sandbox Python can run the kernel; the message names the fix when not.
pub fn check_available(runtimes: &Runtimes) -> Result<(), String> {
    match &runtimes.python {
        Err(e) => Err(format!("the code-interpreter template needs Python: {e}")),
        Ok(py) if !py.has_ipython => Err(format!(
            "the code-interpreter template needs IPython in the sandbox Python ({}): run `pip install \"hopx_ai[local]\"` (or `pip install ipython`), or use the `base` template",
            py.executable.display()
        )),
        Ok(_) => Ok(()),
    }
}

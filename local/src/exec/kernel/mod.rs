//! The persistent Python kernel of `code-interpreter` sandboxes: a long-lived process per
//! sandbox running the shipped runner (IPython's `InteractiveShell`), talking over pipes.
//! Runs on one kernel are serialised in arrival order; sandboxes run in parallel.

mod channel;
mod frames;
mod process;
mod run;
mod streams;

pub use process::Kernel;

use crate::exec::context::RunContext;
use crate::exec::{EventSink, ExecOutcome, ExecRequest, Runtimes};
use run::After;
use std::time::Duration;

/// How long an interrupted run may take to stop before the kernel is killed and restarted.
pub const INTERRUPT_GRACE: Duration = Duration::from_secs(2);

/// The kernel of one sandbox, if it has one yet: held for the length of a run.
pub type KernelSlot = tokio::sync::Mutex<Option<Kernel>>;

/// Runs Python code in the sandbox's kernel (in `slot`), starting one first if there is none.
pub async fn execute(
    ctx: &RunContext,
    slot: &KernelSlot,
    req: ExecRequest,
    events: EventSink,
) -> Result<ExecOutcome, String> {
    // tokio's mutex is fair: queued runs go in arrival order.
    let mut slot = slot.lock().await;
    if ctx.is_killed() {
        return Ok(ExecOutcome { sandbox_killed: true, ..Default::default() });
    }
    // Why the kernel of earlier runs is gone, if it went between runs.
    let mut replaced: Option<String> = None;
    if let Some(k) = slot.as_mut() {
        if !k.settle().await {
            k.control.kill_tree();
            let _ = k.exit.wait_for(Option::is_some).await;
            replaced = Some("a run whose caller went away did not stop".into());
        }
    }
    if let Some(why) = slot.as_ref().and_then(Kernel::unusable) {
        replaced = replaced.or(Some(why));
        if let Some(old) = slot.take() {
            old.shutdown();
        }
    }
    if slot.is_none() {
        *slot = Some(Kernel::start(&ctx.isolator, &ctx.spec, ctx.runtimes).await?);
    }
    let kernel = slot.as_mut().expect("a kernel was just started");
    let (mut outcome, after) = kernel.run(ctx, &req, events).await;
    if after == After::Dead {
        if let Some(k) = slot.take() {
            k.shutdown();
        }
    }
    if let Some(why) = replaced {
        outcome.kernel_restarted = true;
        crate::exec::notes::note(
            &mut outcome.stderr,
            &format!("[hopx] the Python kernel of earlier runs stopped ({why}); this run started a new one: earlier variables are gone"),
        );
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

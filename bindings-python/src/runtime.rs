//! The one tokio runtime of the Python package, shared by sync and async calls.
//!
//! Sync calls block the calling Python thread on it with the GIL released; that thread is never
//! a tokio worker, so this also works from inside a running asyncio loop (a Jupyter cell).
//! Async calls hand pyo3-async-runtimes the same runtime, so there is never a second one.

use crate::errors::to_py_err;
use pyo3::prelude::*;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Once, OnceLock};
use std::time::Duration;
use tokio::runtime::Runtime;

/// The process that built the runtime (0 until then).
static OWNER: AtomicU32 = AtomicU32::new(0);

/// A process forked after the runtime was built (`os.fork`, multiprocessing's "fork" start
/// method) holds a copy of the runtime but none of its threads, and shares its sockets with
/// the parent: any call would wait forever. Such a child gets this error at once instead.
fn refuse_in_forked_child() -> PyResult<()> {
    let owner = OWNER.load(Ordering::Relaxed);
    if owner == 0 || owner == std::process::id() {
        return Ok(());
    }
    Err(to_py_err(hopx_core::Error::new(
        hopx_core::ErrorKind::Hopx,
        "hopx_ai cannot be used in a process forked after it was first used (os.fork, or \
         multiprocessing's 'fork' start method): its runtime does not survive a fork. Start \
         workers with multiprocessing.get_context('spawn') or 'forkserver', or fork before \
         the first hopx_ai call.",
    )))
}

/// The shared runtime, built on first use (not at import, which must stay fast).
pub fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    static ASYNC_INIT: Once = Once::new();
    let rt = RT.get_or_init(|| {
        OWNER.store(std::process::id(), Ordering::Relaxed);
        tokio::runtime::Builder::new_multi_thread()
            .thread_name("hopx-py")
            .enable_all()
            .build()
            .expect("cannot start the hopx tokio runtime")
    });
    ASYNC_INIT.call_once(|| {
        // Fails only if someone initialised it first, which nothing else in this module does.
        let _ = pyo3_async_runtimes::tokio::init_with_runtime(rt);
    });
    rt
}

/// How often a blocked call looks for Ctrl-C (Python runs signal handlers only with the GIL).
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// Runs `fut` to completion with the GIL released, raising core errors as `hopx_ai.errors`.
///
/// A pending signal (Ctrl-C, a Jupyter "interrupt") stops the wait and raises its exception;
/// dropping the future closes the request.
pub fn wait<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    T: Send,
    F: Future<Output = hopx_core::Result<T>> + Send,
{
    refuse_in_forked_child()?;
    py.detach(|| {
        runtime().block_on(async {
            tokio::pin!(fut);
            loop {
                tokio::select! {
                    out = &mut fut => return Ok::<_, PyErr>(out),
                    _ = tokio::time::sleep(SIGNAL_POLL) => {
                        Python::attach(|py| py.check_signals())?;
                    }
                }
            }
        })
    })?
    .map_err(to_py_err)
}

/// Whether any awaitable was made, so exit has results in flight to let land.
static ASYNC_USED: AtomicBool = AtomicBool::new(false);

/// How long exit lets awaitables' last steps run (see [`drain_at_exit`]).
const EXIT_GRACE: Duration = Duration::from_millis(50);

/// Registered with `atexit`: gives the GIL away for a moment before the interpreter finalizes.
///
/// pyo3-async-runtimes hands each result to asyncio from a runtime thread holding the GIL. If
/// that thread is still waiting to get the GIL back when finalization starts (the main thread
/// runs C code there and never yields), Python ends the thread mid-call and aborts the process
/// ("PyGILState_Release: thread state must be current"). Seen at exit after many streamed
/// messages; atexit handlers run before finalization, so waiting here lets those threads finish.
#[pyfunction]
pub fn drain_at_exit(py: Python<'_>) {
    if ASYNC_USED.load(Ordering::SeqCst) {
        py.detach(|| std::thread::sleep(EXIT_GRACE));
    }
}

/// An asyncio awaitable for `fut`, driven by the shared runtime.
pub fn awaitable<'py, T, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
    F: Future<Output = hopx_core::Result<T>> + Send + 'static,
{
    refuse_in_forked_child()?;
    runtime();
    ASYNC_USED.store(true, Ordering::Relaxed);
    pyo3_async_runtimes::tokio::future_into_py(py, async move { fut.await.map_err(to_py_err) })
}

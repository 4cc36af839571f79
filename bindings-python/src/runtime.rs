//! The one tokio runtime of the Python package, shared by sync and async calls.
//!
//! Sync calls block the calling Python thread on it with the GIL released; that thread is never
//! a tokio worker, so this also works from inside a running asyncio loop (a Jupyter cell).
//! Async calls hand pyo3-async-runtimes the same runtime, so there is never a second one.
//!
//! "One" per process: a process forked from this one (`os.fork`, multiprocessing's default
//! `fork` start method) inherits the runtime's memory but none of its threads, so a call there
//! would wait forever. The first call in such a child builds the child its own runtime (the
//! copy is left alone: dropping it would wait for threads that do not exist; see
//! `hopx_core::per_process`), and the core gives it its own HTTP connections.

use crate::errors::to_py_err;
use hopx_core::per_process::PerProcess;
use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as AsyncRuntime};
use pyo3_async_runtimes::TaskLocals;
use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::runtime::Runtime;

/// This process's runtime, built on first use (not at import, which must stay fast).
pub fn runtime() -> &'static Runtime {
    static RUNTIME: PerProcess<Runtime> = PerProcess::new();
    RUNTIME.get(|_inherited| {
        tokio::runtime::Builder::new_multi_thread()
            .thread_name("hopx-py")
            .enable_all()
            .build()
            .expect("cannot start the hopx tokio runtime")
    })
}

/// pyo3-async-runtimes' view of [`runtime`]: always the current process's runtime (its own
/// `tokio` module pins the first one it is given, which a forked child cannot use).
struct ProcessRuntime;

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

impl AsyncRuntime for ProcessRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        runtime().spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        runtime().spawn_blocking(f)
    }
}

impl ContextExt for ProcessRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS.try_with(|c| c.get().cloned()).unwrap_or_default()
    }
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
    ASYNC_USED.store(true, Ordering::Relaxed);
    pyo3_async_runtimes::generic::future_into_py::<ProcessRuntime, _, _>(py, async move {
        fut.await.map_err(to_py_err)
    })
}

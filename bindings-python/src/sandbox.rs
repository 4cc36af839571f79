//! `NativeSandbox`: the core `Sandbox` handle, with each call in a blocking form (GIL released)
//! and an `_async` form (an asyncio awaitable). The Python classes `Sandbox` and `AsyncSandbox`
//! wrap it; argument checks that need a Python view of the values are done there.

use crate::convert::Json;
use crate::runtime::{awaitable, wait};
use crate::stream::NativeStream;
use hopx_core::{RunOptions, Sandbox};
use pyo3::prelude::*;
use std::collections::BTreeMap;

/// A handle to one sandbox. After `kill()` every call raises `NotFoundError`.
#[pyclass(frozen, module = "hopx_ai._native")]
pub struct NativeSandbox {
    pub inner: Sandbox,
}

type Env = Option<BTreeMap<String, String>>;

fn run_options(language: String, timeout: u32, env: Env, working_dir: String) -> RunOptions {
    RunOptions { language, timeout: Some(timeout), env, working_dir }
}

#[pymethods]
impl NativeSandbox {
    /// The sandbox id.
    #[getter]
    fn sandbox_id(&self) -> &str {
        self.inner.id()
    }

    /// Whether `kill()` succeeded on this handle.
    #[getter]
    fn is_killed(&self) -> bool {
        self.inner.is_killed()
    }

    /// Runs code and returns the result as a dict (blocking, GIL released).
    fn run_code(
        &self,
        py: Python<'_>,
        code: String,
        language: String,
        timeout: u32,
        env: Env,
        working_dir: String,
    ) -> PyResult<Json> {
        let sb = &self.inner;
        let options = run_options(language, timeout, env, working_dir);
        wait(py, async move { sb.run_code(&code, options).await.map(|r| Json::of(&r)) })
    }

    /// `run_code` as an awaitable.
    fn run_code_async<'py>(
        &self,
        py: Python<'py>,
        code: String,
        language: String,
        timeout: u32,
        env: Env,
        working_dir: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let sb = self.inner.clone();
        let options = run_options(language, timeout, env, working_dir);
        awaitable(py, async move { sb.run_code(&code, options).await.map(|r| Json::of(&r)) })
    }

    /// Starts a streaming run and returns its stream once the request is sent (blocking).
    fn run_code_stream(
        &self,
        py: Python<'_>,
        code: String,
        language: String,
        timeout: u32,
        env: Env,
        working_dir: String,
    ) -> PyResult<NativeStream> {
        let sb = &self.inner;
        let options = run_options(language, timeout, env, working_dir);
        wait(py, async move { sb.run_code_stream(&code, options).await.map(NativeStream::new) })
    }

    /// `run_code_stream` as an awaitable.
    fn run_code_stream_async<'py>(
        &self,
        py: Python<'py>,
        code: String,
        language: String,
        timeout: u32,
        env: Env,
        working_dir: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let sb = self.inner.clone();
        let options = run_options(language, timeout, env, working_dir);
        awaitable(py, async move { sb.run_code_stream(&code, options).await.map(NativeStream::new) })
    }

    /// Starts a background run; returns the agent's description (`process_id`, ...) (blocking).
    #[allow(clippy::too_many_arguments)]
    fn run_code_background(
        &self,
        py: Python<'_>,
        code: String,
        language: String,
        timeout: u32,
        env: Env,
        working_dir: String,
        name: Option<String>,
    ) -> PyResult<Json> {
        let sb = &self.inner;
        let options = run_options(language, timeout, env, working_dir);
        wait(py, async move { sb.run_code_background(&code, options, name.as_deref()).await.map(Json) })
    }

    /// `run_code_background` as an awaitable.
    #[allow(clippy::too_many_arguments)]
    fn run_code_background_async<'py>(
        &self,
        py: Python<'py>,
        code: String,
        language: String,
        timeout: u32,
        env: Env,
        working_dir: String,
        name: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let sb = self.inner.clone();
        let options = run_options(language, timeout, env, working_dir);
        awaitable(py, async move { sb.run_code_background(&code, options, name.as_deref()).await.map(Json) })
    }

    /// The background runs with their status and output, as dicts (blocking).
    fn list_processes(&self, py: Python<'_>) -> PyResult<Vec<Json>> {
        let sb = &self.inner;
        wait(py, async move { sb.list_processes().await.map(|v| v.into_iter().map(Json).collect()) })
    }

    /// `list_processes` as an awaitable.
    fn list_processes_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let sb = self.inner.clone();
        awaitable(py, async move {
            sb.list_processes().await.map(|v| v.into_iter().map(Json).collect::<Vec<_>>())
        })
    }

    /// Stops a background run; returns the agent's answer as a dict (blocking).
    fn kill_process(&self, py: Python<'_>, process_id: String) -> PyResult<Json> {
        let sb = &self.inner;
        wait(py, async move { sb.kill_process(&process_id).await.map(Json) })
    }

    /// `kill_process` as an awaitable.
    fn kill_process_async<'py>(&self, py: Python<'py>, process_id: String) -> PyResult<Bound<'py, PyAny>> {
        let sb = self.inner.clone();
        awaitable(py, async move { sb.kill_process(&process_id).await.map(Json) })
    }

    /// The sandbox record as a dict (blocking).
    fn get_info(&self, py: Python<'_>) -> PyResult<Json> {
        let sb = &self.inner;
        wait(py, async move { sb.info().await.map(|i| Json::of(&i)) })
    }

    /// `get_info` as an awaitable.
    fn get_info_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let sb = self.inner.clone();
        awaitable(py, async move { sb.info().await.map(|i| Json::of(&i)) })
    }

    /// Destroys the sandbox (blocking).
    fn kill(&self, py: Python<'_>) -> PyResult<()> {
        let sb = &self.inner;
        wait(py, sb.kill())
    }

    /// `kill` as an awaitable.
    fn kill_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let sb = self.inner.clone();
        awaitable(py, async move { sb.kill().await })
    }

    /// Sets the time-to-live in seconds (blocking).
    fn set_timeout(&self, py: Python<'_>, seconds: u64) -> PyResult<()> {
        let sb = &self.inner;
        wait(py, sb.set_timeout(seconds))
    }

    /// `set_timeout` as an awaitable.
    fn set_timeout_async<'py>(&self, py: Python<'py>, seconds: u64) -> PyResult<Bound<'py, PyAny>> {
        let sb = self.inner.clone();
        awaitable(py, async move { sb.set_timeout(seconds).await })
    }

    fn __repr__(&self) -> String {
        format!("NativeSandbox({:?})", self.inner.id())
    }
}

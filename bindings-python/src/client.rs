//! Module-level calls that need a `Client`: create, connect, list (sync and `_async` forms).
//! A `Client` is cheap (connections and the embedded engine are shared process-wide), so each
//! call resolves its own from the arguments and the environment, as the official SDK does.

use crate::convert::Json;
use crate::runtime::{awaitable, wait};
use crate::sandbox::NativeSandbox;
use hopx_core::{Client, ClientConfig, CreateOptions, ListOptions, Result, Sandbox};
use pyo3::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(create, m)?)?;
    m.add_function(wrap_pyfunction!(create_async, m)?)?;
    m.add_function(wrap_pyfunction!(connect, m)?)?;
    m.add_function(wrap_pyfunction!(connect_async, m)?)?;
    m.add_function(wrap_pyfunction!(list, m)?)?;
    m.add_function(wrap_pyfunction!(list_async, m)?)?;
    m.add_function(wrap_pyfunction!(check_run, m)?)?;
    Ok(())
}

/// Checks a run's arguments as the run will (ranges and limits are the core's), at once: a
/// stream only starts on its first read. `background` selects a background run's limits.
#[pyfunction]
fn check_run(
    code: &str,
    language: String,
    timeout: u32,
    env: Option<BTreeMap<String, String>>,
    working_dir: String,
    background: bool,
) -> PyResult<()> {
    let options = hopx_core::RunOptions { language, timeout: Some(timeout), env, working_dir };
    hopx_core::check_run(code, &options, background).map(drop).map_err(crate::errors::to_py_err)
}

fn config(api_key: Option<String>, base_url: Option<String>, python: Option<PathBuf>) -> ClientConfig {
    ClientConfig { api_key, base_url, local_python: python }
}

fn handle(inner: Sandbox) -> NativeSandbox {
    NativeSandbox { inner }
}

async fn do_create(cfg: ClientConfig, options: CreateOptions) -> Result<NativeSandbox> {
    Ok(handle(Client::new(cfg).await?.create_sandbox(options).await?))
}

async fn do_connect(cfg: ClientConfig, sandbox_id: String) -> Result<NativeSandbox> {
    Ok(handle(Client::new(cfg).await?.connect(&sandbox_id).await?))
}

/// Each listed sandbox as `(handle, info dict)`.
async fn do_list(cfg: ClientConfig, options: ListOptions) -> Result<Vec<(NativeSandbox, Json)>> {
    let listed = Client::new(cfg).await?.list_sandboxes(options).await?;
    Ok(listed.into_iter().map(|(sb, info)| (handle(sb), Json::of(&info))).collect())
}

macro_rules! create_fn {
    ($name:ident, $run:ident, $ret:ty, $doc:literal) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(signature = (*, template=None, template_id=None, region=None, timeout_seconds=None,
                    internet_access=None, env_vars=None, api_key=None, base_url=None, local_python=None))]
        #[allow(clippy::too_many_arguments)]
        fn $name<'py>(
            py: Python<'py>,
            template: Option<String>,
            template_id: Option<String>,
            region: Option<String>,
            timeout_seconds: Option<u64>,
            internet_access: Option<bool>,
            env_vars: Option<BTreeMap<String, String>>,
            api_key: Option<String>,
            base_url: Option<String>,
            local_python: Option<PathBuf>,
        ) -> PyResult<$ret> {
            let options =
                CreateOptions { template, template_id, region, timeout_seconds, internet_access, env_vars };
            $run(py, do_create(config(api_key, base_url, local_python), options))
        }
    };
}

create_fn!(create, wait, NativeSandbox, "Creates a sandbox (blocking, GIL released).");
create_fn!(create_async, awaitable, Bound<'py, PyAny>, "Creates a sandbox, as an awaitable.");

/// Connects to an existing sandbox (blocking).
#[pyfunction]
#[pyo3(signature = (sandbox_id, *, api_key=None, base_url=None, local_python=None))]
fn connect(
    py: Python<'_>,
    sandbox_id: String,
    api_key: Option<String>,
    base_url: Option<String>,
    local_python: Option<PathBuf>,
) -> PyResult<NativeSandbox> {
    wait(py, do_connect(config(api_key, base_url, local_python), sandbox_id))
}

/// Connects to an existing sandbox, as an awaitable.
#[pyfunction]
#[pyo3(signature = (sandbox_id, *, api_key=None, base_url=None, local_python=None))]
fn connect_async<'py>(
    py: Python<'py>,
    sandbox_id: String,
    api_key: Option<String>,
    base_url: Option<String>,
    local_python: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    awaitable(py, do_connect(config(api_key, base_url, local_python), sandbox_id))
}

/// Lists sandboxes as (handle, info dict) pairs (blocking).
#[pyfunction]
#[pyo3(signature = (*, status=None, region=None, limit=None, api_key=None, base_url=None, local_python=None))]
fn list(
    py: Python<'_>,
    status: Option<String>,
    region: Option<String>,
    limit: Option<u32>,
    api_key: Option<String>,
    base_url: Option<String>,
    local_python: Option<PathBuf>,
) -> PyResult<Vec<(NativeSandbox, Json)>> {
    let options = ListOptions { status, region, limit };
    wait(py, do_list(config(api_key, base_url, local_python), options))
}

/// Lists sandboxes, as an awaitable.
#[pyfunction]
#[pyo3(signature = (*, status=None, region=None, limit=None, api_key=None, base_url=None, local_python=None))]
fn list_async<'py>(
    py: Python<'py>,
    status: Option<String>,
    region: Option<String>,
    limit: Option<u32>,
    api_key: Option<String>,
    base_url: Option<String>,
    local_python: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = ListOptions { status, region, limit };
    awaitable(py, do_list(config(api_key, base_url, local_python), options))
}

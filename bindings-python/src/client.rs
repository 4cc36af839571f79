//! Module-level calls that need a `Client`: create, connect, list, the templates and the
//! control plane's health (each a blocking and an
//! `_async` form from one entry of [`dual_functions!`]), and the argument check of a run.
//! A `Client` is cheap (connections and the embedded engine are shared process-wide), so each
//! call resolves its own from the arguments and the environment, as the official SDK does.

use crate::convert::Json;
use crate::dual::dual_functions;
use crate::sandbox::NativeSandbox;
use hopx_core::{Client, ClientConfig, CreateOptions, ListOptions};
use pyo3::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_dual(m)?;
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
    let options =
        hopx_core::RunOptions { language, timeout: Some(timeout), env, working_dir, preflight: false };
    hopx_core::check_run(code, &options, background).map(drop).map_err(crate::errors::to_py_err)
}

async fn client(
    api_key: Option<String>,
    base_url: Option<String>,
    python: Option<PathBuf>,
) -> hopx_core::Result<Client> {
    Client::new(ClientConfig { api_key, base_url, local_python: python }).await
}

fn handle(inner: hopx_core::Sandbox) -> NativeSandbox {
    NativeSandbox { inner }
}

dual_functions! {
    /// Creates a sandbox.
    #[pyo3(signature = (*, template=None, template_id=None, region=None, timeout_seconds=None,
                internet_access=None, env_vars=None, api_key=None, base_url=None, local_python=None))]
    fn create / create_async(
        template: Option<String>,
        template_id: Option<String>,
        region: Option<String>,
        timeout_seconds: Option<u64>,
        internet_access: Option<bool>,
        env_vars: Option<BTreeMap<String, String>>,
        api_key: Option<String>,
        base_url: Option<String>,
        local_python: Option<PathBuf>,
    ) -> NativeSandbox {
        let options =
            CreateOptions { template, template_id, region, timeout_seconds, internet_access, env_vars };
        Ok(handle(client(api_key, base_url, local_python).await?.create_sandbox(options).await?))
    }

    /// A handle on an agent alone, from its URL and token (no control plane).
    #[pyo3(signature = (agent_url, jwt_token, sandbox_id))]
    fn debug / debug_async(agent_url: String, jwt_token: String, sandbox_id: String) -> NativeSandbox {
        Ok(handle(hopx_core::Sandbox::debug(&agent_url, &jwt_token, &sandbox_id).await?))
    }

    /// Connects to an existing sandbox.
    #[pyo3(signature = (sandbox_id, *, api_key=None, base_url=None, local_python=None))]
    fn connect / connect_async(
        sandbox_id: String,
        api_key: Option<String>,
        base_url: Option<String>,
        local_python: Option<PathBuf>,
    ) -> NativeSandbox {
        Ok(handle(client(api_key, base_url, local_python).await?.connect(&sandbox_id).await?))
    }

    /// Lists sandboxes as (handle, info dict) pairs.
    #[pyo3(signature = (*, status=None, region=None, limit=None, api_key=None, base_url=None,
                local_python=None))]
    fn list / list_async(
        status: Option<String>,
        region: Option<String>,
        limit: Option<u32>,
        api_key: Option<String>,
        base_url: Option<String>,
        local_python: Option<PathBuf>,
    ) -> Vec<(NativeSandbox, Json)> {
        let options = ListOptions { status, region, limit };
        let listed = client(api_key, base_url, local_python).await?.list_sandboxes(options).await?;
        Ok(listed.into_iter().map(|(sb, info)| (handle(sb), Json::of(&info))).collect())
    }

    /// One page of sandboxes from `cursor`: (handles, the next page's cursor or None).
    #[pyo3(signature = (*, status=None, region=None, limit=None, cursor=None, api_key=None,
                base_url=None, local_python=None))]
    fn list_page / list_page_async(
        status: Option<String>,
        region: Option<String>,
        limit: Option<u32>,
        cursor: Option<String>,
        api_key: Option<String>,
        base_url: Option<String>,
        local_python: Option<PathBuf>,
    ) -> (Vec<NativeSandbox>, Option<String>) {
        let options = ListOptions { status, region, limit };
        let c = client(api_key, base_url, local_python).await?;
        let (page, next) = c.list_page(options, cursor.as_deref()).await?;
        Ok((page.into_iter().map(|(sb, _)| handle(sb)).collect(), next))
    }

    /// The templates, as dicts.
    #[pyo3(signature = (*, category=None, language=None, api_key=None, base_url=None,
                local_python=None))]
    fn list_templates / list_templates_async(
        category: Option<String>,
        language: Option<String>,
        api_key: Option<String>,
        base_url: Option<String>,
        local_python: Option<PathBuf>,
    ) -> Vec<Json> {
        let c = client(api_key, base_url, local_python).await?;
        Ok(c.list_templates(category.as_deref(), language.as_deref()).await?.into_iter().map(Json).collect())
    }

    /// One template, as a dict.
    #[pyo3(signature = (name, *, api_key=None, base_url=None, local_python=None))]
    fn get_template / get_template_async(
        name: String,
        api_key: Option<String>,
        base_url: Option<String>,
        local_python: Option<PathBuf>,
    ) -> Json {
        Ok(Json(client(api_key, base_url, local_python).await?.get_template(&name).await?))
    }

    /// Deletes a template; the control plane's answer as a dict.
    #[pyo3(signature = (template_id, *, api_key=None, base_url=None, local_python=None))]
    fn delete_template / delete_template_async(
        template_id: String,
        api_key: Option<String>,
        base_url: Option<String>,
        local_python: Option<PathBuf>,
    ) -> Json {
        Ok(Json(client(api_key, base_url, local_python).await?.delete_template(&template_id).await?))
    }

    /// The control plane's `/health`, as a dict.
    #[pyo3(signature = (*, api_key=None, base_url=None, local_python=None))]
    fn health_check / health_check_async(
        api_key: Option<String>,
        base_url: Option<String>,
        local_python: Option<PathBuf>,
    ) -> Json {
        Ok(Json(client(api_key, base_url, local_python).await?.health_check().await?))
    }
}

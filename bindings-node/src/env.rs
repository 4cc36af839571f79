//! `Env`: the native handle behind `sandbox.env`, the sandbox-wide environment variables. The
//! rules (name checks, retries, the refusal to write masked values back) are
//! `hopx_core::Env`'s; `timeout` is in seconds and bounds each request (absent: 60 s).

use crate::convert::duration;
use crate::errors::IntoJs;
use hopx_core as hcore;
use napi::Result;
use napi_derive::napi;
use std::collections::HashMap;

/// The environment variables of one sandbox.
#[napi]
pub struct Env {
    inner: hcore::Env,
}

impl Env {
    pub fn new(inner: hcore::Env) -> Env {
        Env { inner }
    }

    fn with(&self, timeout: Option<f64>) -> Result<hcore::Env> {
        Ok(self.inner.with_timeout(duration(timeout)?))
    }
}

/// A JS object of names to values, in name order for the wire.
fn vars(map: HashMap<String, String>) -> hcore::EnvVars {
    map.into_iter().collect()
}

#[napi]
impl Env {
    /// `GET /env`: every sandbox-wide variable.
    #[napi(catch_unwind, ts_return_type = "Promise<Record<string, string>>")]
    pub async fn get_all(&self, timeout: Option<f64>) -> Result<HashMap<String, String>> {
        Ok(self.with(timeout)?.get_all().await.js()?.into_iter().collect())
    }

    /// `PUT /env`: replaces every variable; all of them afterwards.
    #[napi(catch_unwind, ts_return_type = "Promise<Record<string, string>>")]
    pub async fn set_all(
        &self,
        #[napi(ts_arg_type = "Record<string, string>")] env_vars: HashMap<String, String>,
        timeout: Option<f64>,
    ) -> Result<HashMap<String, String>> {
        Ok(self.with(timeout)?.set_all(&vars(env_vars)).await.js()?.into_iter().collect())
    }

    /// `PATCH /env`: sets some variables, keeping the others; all of them afterwards.
    #[napi(catch_unwind, ts_return_type = "Promise<Record<string, string>>")]
    pub async fn update(
        &self,
        #[napi(ts_arg_type = "Record<string, string>")] env_vars: HashMap<String, String>,
        timeout: Option<f64>,
    ) -> Result<HashMap<String, String>> {
        Ok(self.with(timeout)?.update(&vars(env_vars)).await.js()?.into_iter().collect())
    }

    /// Removes one variable (nothing happens when it is not set).
    #[napi(catch_unwind)]
    pub async fn delete(&self, key: String, timeout: Option<f64>) -> Result<()> {
        self.with(timeout)?.delete(&key).await.js()
    }
}

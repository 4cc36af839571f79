//! `NativeSandbox`: the core `Sandbox` handle, each call in a blocking form (GIL released) and
//! an `_async` form (an asyncio awaitable), both emitted from one entry by [`dual_methods!`].
//! The Python classes `Sandbox` and `AsyncSandbox` wrap it; argument checks that need a Python
//! view of the values are done there.

use crate::convert::Json;
use crate::dual::dual_methods;
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

dual_methods! {
    impl NativeSandbox {
        plain {
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

            fn __repr__(&self) -> String {
                format!("NativeSandbox({:?})", self.inner.id())
            }
        }

        /// Runs code and returns the result as a dict.
        fn run_code / run_code_async
            (sb, code: String, language: String, timeout: u32, env: Env, working_dir: String)
            -> Json
        {
            let options = run_options(language, timeout, env, working_dir);
            sb.run_code(&code, options).await.map(|r| Json::of(&r))
        }

        /// Starts a streaming run and returns its stream once the request is sent.
        fn run_code_stream / run_code_stream_async
            (sb, code: String, language: String, timeout: u32, env: Env, working_dir: String)
            -> NativeStream
        {
            let options = run_options(language, timeout, env, working_dir);
            sb.run_code_stream(&code, options).await.map(NativeStream::new)
        }

        /// Starts a background run; returns the agent's description (`process_id`, ...).
        fn run_code_background / run_code_background_async
            (sb, code: String, language: String, timeout: u32, env: Env, working_dir: String,
             name: Option<String>)
            -> Json
        {
            let options = run_options(language, timeout, env, working_dir);
            sb.run_code_background(&code, options, name.as_deref()).await.map(Json)
        }

        /// The background runs with their status and output, as dicts.
        fn list_processes / list_processes_async (sb) -> Vec<Json> {
            sb.list_processes().await.map(|v| v.into_iter().map(Json).collect())
        }

        /// Stops a background run; returns the agent's answer as a dict.
        fn kill_process / kill_process_async (sb, process_id: String) -> Json {
            sb.kill_process(&process_id).await.map(Json)
        }

        /// The sandbox record as a dict.
        fn get_info / get_info_async (sb) -> Json {
            sb.info().await.map(|i| Json::of(&i))
        }

        /// Destroys the sandbox.
        fn kill / kill_async (sb) -> () {
            sb.kill().await
        }

        /// Sets the time-to-live in seconds.
        fn set_timeout / set_timeout_async (sb, seconds: u64) -> () {
            sb.set_timeout(seconds).await
        }
    }
}

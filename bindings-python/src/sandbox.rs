//! `NativeSandbox`: the core `Sandbox` handle, each call in a blocking form (GIL released) and
//! an `_async` form (an asyncio awaitable), both emitted from one entry by [`dual_methods!`].
//! The Python classes `Sandbox` and `AsyncSandbox` wrap it; argument checks that need a Python
//! view of the values are done there.

use crate::convert::Json;
use crate::dual::dual_methods;
use crate::files::{about, duration, env, files, infos, progress};
use crate::stream::NativeStream;
use crate::terminal::NativeTerminal;
use crate::watch::NativeWatch;
use hopx_core::{CommandOptions, EnvVars, RunOptions, Sandbox};
use pyo3::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A handle to one sandbox. After `kill()` every call raises `NotFoundError`.
#[pyclass(frozen, module = "hopx_ai._native")]
pub struct NativeSandbox {
    pub inner: Sandbox,
}

type Env = Option<BTreeMap<String, String>>;
/// A call's timeout in seconds, `None` for its default.
type Secs = Option<f64>;

fn run_options(language: String, timeout: u32, env: Env, working_dir: String) -> RunOptions {
    RunOptions { language, timeout: Some(timeout), env, working_dir, preflight: false }
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

        /// Runs code and returns the result as a dict (`preflight`: check the sandbox first).
        fn run_code / run_code_async
            (sb, code: String, language: String, timeout: u32, env: Env, working_dir: String,
             preflight: bool)
            -> Json
        {
            let options = RunOptions { preflight, ..run_options(language, timeout, env, working_dir) };
            sb.run_code(&code, options).await.map(|r| Json::of(&r))
        }

        /// Starts a streaming run and returns its stream once the request is sent.
        fn run_code_stream / run_code_stream_async
            (sb, code: String, language: String, timeout: u32, env: Env, working_dir: String,
             preflight: bool)
            -> NativeStream
        {
            let options = RunOptions { preflight, ..run_options(language, timeout, env, working_dir) };
            sb.run_code_stream(&code, options).await.map(NativeStream::new)
        }

        /// Starts a webhook run (`/execute/async`); returns the agent's answer as a dict.
        fn run_webhook / run_webhook_async
            (sb, code: String, callback_url: String, language: String, timeout: u32, env: Env,
             working_dir: String, callback_headers: Env, callback_signature_secret: Option<String>)
            -> Json
        {
            let options = run_options(language, timeout, env, working_dir);
            let webhook = hopx_core::Webhook {
                callback_url,
                headers: callback_headers,
                signature_secret: callback_signature_secret,
            };
            sb.run_code_async(&code, options, webhook).await.map(Json)
        }

        /// A URL reaching `port` inside the sandbox.
        fn preview_url / preview_url_async (sb, port: i64) -> String {
            sb.preview_url(port).await
        }

        /// `sandbox.cache`: the agent's cache numbers, as a dict.
        fn cache_stats / cache_stats_async (sb) -> Json {
            sb.cache().stats().await.map(Json)
        }

        /// `sandbox.cache`: empties it; the agent's answer as a dict.
        fn cache_clear / cache_clear_async (sb) -> Json {
            sb.cache().clear().await.map(Json)
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

        /// Pauses every process of the sandbox.
        fn pause / pause_async (sb) -> () {
            sb.pause().await
        }

        /// Resumes a paused sandbox.
        fn resume / resume_async (sb) -> () {
            sb.resume().await
        }

        // What the sandbox tells about itself (hopx-core's introspect.rs).

        /// Whether the agent answers healthy (never raises).
        fn is_healthy / is_healthy_async (sb) -> bool {
            Ok::<_, hopx_core::Error>(sb.is_healthy().await)
        }

        /// Raises unless the sandbox can take work.
        fn ensure_healthy / ensure_healthy_async (sb) -> () {
            sb.ensure_healthy().await
        }

        /// The agent's `/info`, as a dict.
        fn agent_info / agent_info_async (sb) -> Json {
            sb.agent_info().await.map(Json)
        }

        /// The agent's `/metrics/snapshot`, as a dict.
        fn metrics_snapshot / metrics_snapshot_async (sb) -> Json {
            sb.metrics_snapshot().await.map(Json)
        }

        /// The processes running in the sandbox, as dicts.
        fn system_processes / system_processes_async (sb) -> Vec<Json> {
            sb.system_processes().await.map(|v| v.into_iter().map(Json).collect())
        }

        /// The kernel sessions, as dicts.
        fn jupyter_sessions / jupyter_sessions_async (sb) -> Vec<Json> {
            sb.jupyter_sessions().await.map(|v| v.into_iter().map(Json).collect())
        }

        /// When the sandbox expires, as a dict; "soon" is `threshold` seconds or less.
        fn expiry_info / expiry_info_async (sb, threshold: i64) -> Json {
            sb.expiry_info(threshold).await.map(|e| Json::of(&e))
        }

        /// The agent's base URL.
        fn agent_url / agent_url_async (sb) -> String {
            sb.resolved_agent_url().await
        }

        /// Fetches a fresh agent token.
        fn refresh_token / refresh_token_async (sb) -> () {
            sb.refresh_token().await
        }

        /// The agent token calls use.
        fn get_token / get_token_async (sb) -> String {
            sb.token().await
        }

        /// Sets the time-to-live in seconds.
        fn set_timeout / set_timeout_async (sb, seconds: u64) -> () {
            sb.set_timeout(seconds).await
        }

        // `sandbox.files` (see files.rs for what the entries share).

        /// The text of a file.
        fn files_read / files_read_async (sb, path: String, timeout: Secs) -> String {
            files(&sb, timeout)?.read(&path).await.map_err(about(&path))
        }

        /// The exact bytes of a file.
        fn files_read_bytes / files_read_bytes_async (sb, path: String, timeout: Secs) -> Vec<u8> {
            files(&sb, timeout)?.read_bytes(&path).await.map_err(about(&path))
        }

        /// Writes text (`mode` is octal text, such as "0644").
        fn files_write / files_write_async
            (sb, path: String, content: String, mode: String, timeout: Secs) -> ()
        {
            files(&sb, timeout)?.write(&path, &content, &mode).await.map_err(about(&path))
        }

        /// Writes bytes (`bytes` or `bytearray`).
        fn files_write_bytes / files_write_bytes_async
            (sb, path: String, content: Vec<u8>, mode: String, timeout: Secs) -> ()
        {
            files(&sb, timeout)?.write_bytes(&path, &content, &mode).await.map_err(about(&path))
        }

        /// The entries of a folder, as dicts.
        fn files_list / files_list_async (sb, path: String, timeout: Secs) -> Vec<Json> {
            files(&sb, timeout)?.list(&path).await.map(infos).map_err(about(&path))
        }

        /// Whether a path exists.
        fn files_exists / files_exists_async (sb, path: String, timeout: Secs) -> bool {
            files(&sb, timeout)?.exists(&path).await.map_err(about(&path))
        }

        /// Removes a file, or a folder with its content.
        fn files_remove / files_remove_async (sb, path: String, timeout: Secs) -> () {
            files(&sb, timeout)?.remove(&path).await.map_err(about(&path))
        }

        /// Makes a folder and its missing parents.
        fn files_mkdir / files_mkdir_async (sb, path: String, timeout: Secs) -> () {
            files(&sb, timeout)?.mkdir(&path).await.map_err(about(&path))
        }

        /// Streams a local file to the sandbox, calling `on_progress(done, total)`.
        fn files_upload / files_upload_async
            (sb, local_path: PathBuf, remote_path: String, timeout: Secs,
             on_progress: Option<Py<PyAny>>) -> ()
        {
            let progress = progress(on_progress);
            files(&sb, timeout)?.upload(&local_path, &remote_path, progress).await.map_err(about(&remote_path))
        }

        /// Streams a sandbox file to a local file; returns its size in bytes.
        fn files_download / files_download_async
            (sb, remote_path: String, local_path: PathBuf, timeout: Secs,
             on_progress: Option<Py<PyAny>>) -> u64
        {
            let progress = progress(on_progress);
            files(&sb, timeout)?.download(&remote_path, &local_path, progress).await.map_err(about(&remote_path))
        }

        // `sandbox.commands`: command lines run through bash.

        /// Runs a command line and waits for it; its result as a dict.
        fn commands_run / commands_run_async
            (sb, command: String, timeout: u32, env: Env, working_dir: String) -> Json
        {
            let options = CommandOptions { timeout: Some(timeout), env, working_dir };
            sb.run_command(&command, &options).await.map(|r| Json::of(&r))
        }

        /// Starts a command line whose output arrives while it runs; returns its stream.
        fn commands_run_stream / commands_run_stream_async
            (sb, command: String, timeout: u32, env: Env, working_dir: String) -> NativeStream
        {
            let options = CommandOptions { timeout: Some(timeout), env, working_dir };
            sb.run_command_stream(&command, &options).await.map(NativeStream::new)
        }

        /// Starts a command line in the background; the agent's description as a dict.
        fn commands_run_background / commands_run_background_async
            (sb, command: String, timeout: u32, env: Env, working_dir: String, name: Option<String>) -> Json
        {
            let options = CommandOptions { timeout: Some(timeout), env, working_dir };
            sb.run_command_background(&command, &options, name.as_deref()).await.map(Json)
        }

        // `sandbox.env`: the sandbox-wide variables.

        /// Every sandbox-wide variable.
        fn env_get_all / env_get_all_async (sb, timeout: Secs) -> EnvVars {
            env(&sb, timeout)?.get_all().await
        }

        /// Replaces every variable; returns them all afterwards.
        fn env_set_all / env_set_all_async (sb, vars: EnvVars, timeout: Secs) -> EnvVars {
            env(&sb, timeout)?.set_all(&vars).await
        }

        /// Sets some variables, keeping the others; returns them all afterwards.
        fn env_update / env_update_async (sb, vars: EnvVars, timeout: Secs) -> EnvVars {
            env(&sb, timeout)?.update(&vars).await
        }

        /// Removes one variable (nothing happens when it is not set).
        fn env_delete / env_delete_async (sb, key: String, timeout: Secs) -> () {
            env(&sb, timeout)?.delete(&key).await
        }

        /// Opens a terminal (an interactive bash) of `cols` x `rows` characters.
        fn terminal_connect / terminal_connect_async (sb, cols: i64, rows: i64, timeout: Secs) -> NativeTerminal {
            sb.terminal(cols, rows, duration(timeout)?).await.map(NativeTerminal::new)
        }

        /// Starts watching a folder; returns once the agent watches it.
        fn files_watch / files_watch_async (sb, path: String, timeout: Secs) -> NativeWatch {
            files(&sb, timeout)?.watch(&path).await.map(NativeWatch::new).map_err(about(&path))
        }
    }
}

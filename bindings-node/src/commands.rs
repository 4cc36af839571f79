//! `Commands`: the native handle behind `sandbox.commands`, command lines run through bash.
//! The rules (argument checks, which failures are retried, a timeout carrying the output so
//! far) are `hopx_core`'s; `timeout` is in whole seconds, absent for the core's default.

use crate::errors::IntoJs;
use crate::stream::ExecutionStream;
use hopx_core as hcore;
use napi::Result;
use napi_derive::napi;
use serde_json::Value;
use std::collections::HashMap;

/// The shell commands of one sandbox.
#[napi]
pub struct Commands {
    inner: hcore::Sandbox,
}

impl Commands {
    pub fn new(inner: hcore::Sandbox) -> Commands {
        Commands { inner }
    }
}

/// How a command runs; absent fields take the core's defaults.
#[napi(object)]
pub struct CommandArgs {
    pub timeout: Option<u32>,
    pub env: Option<HashMap<String, String>>,
    pub working_dir: Option<String>,
}

impl From<CommandArgs> for hcore::CommandOptions {
    fn from(a: CommandArgs) -> Self {
        let d = hcore::CommandOptions::default();
        hcore::CommandOptions {
            timeout: a.timeout,
            env: a.env.map(|e| e.into_iter().collect()),
            working_dir: a.working_dir.unwrap_or(d.working_dir),
        }
    }
}

/// What a command printed and how it ended, as the facade's `CommandResult` reads it.
#[napi(object)]
pub struct CommandResult {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    pub success: bool,
    pub execution_time: f64,
    pub command: String,
    pub pid: u32,
    pub timestamp: String,
}

impl From<hcore::CommandResult> for CommandResult {
    fn from(r: hcore::CommandResult) -> Self {
        CommandResult {
            stdout: r.stdout,
            stderr: r.stderr,
            exit_code: r.exit_code,
            success: r.success,
            execution_time: r.execution_time,
            command: r.command,
            pid: r.pid,
            timestamp: r.timestamp,
        }
    }
}

#[napi]
impl Commands {
    /// `POST /commands/run`: runs a command line and waits for it.
    #[napi(catch_unwind)]
    pub async fn run(&self, command: String, options: CommandArgs) -> Result<CommandResult> {
        let sandbox = self.inner.clone();
        Ok(sandbox.run_command(&command, &options.into()).await.js()?.into())
    }

    /// Starts a command line whose output arrives while it runs (the facade's callbacks).
    #[napi(catch_unwind)]
    pub async fn run_stream(&self, command: String, options: CommandArgs) -> Result<ExecutionStream> {
        let sandbox = self.inner.clone();
        Ok(ExecutionStream::new(sandbox.run_command_stream(&command, &options.into()).await.js()?))
    }

    /// `POST /commands/background`: the agent's description of the started command.
    #[napi(catch_unwind)]
    pub async fn run_background(
        &self,
        command: String,
        options: CommandArgs,
        name: Option<String>,
    ) -> Result<Value> {
        let sandbox = self.inner.clone();
        sandbox.run_command_background(&command, &options.into(), name.as_deref()).await.js()
    }
}

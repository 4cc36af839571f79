//! `sandbox.commands`: command lines run through bash in the sandbox (`/commands/run`, and
//! `/commands/background` for those that go on after the call), as the sandbox's user with
//! its limits. A non-zero exit is a result; a timeout is a `Timeout` error that carries the
//! output so far (the agent's 408), as for `run_code`.
//!
//! Running a command twice is not harmless, so a command is sent again only when the agent
//! cannot have started it (a refused connection, a 429), as `/execute` is.

use crate::agent::{self, RUN_HTTP_MARGIN};
use crate::error::{Error, ErrorKind};
use crate::models::{RunOptions, MAX_BACKGROUND_TIMEOUT, MAX_RUN_TIMEOUT};
use crate::retry::EXECUTE;
use crate::sandbox::Sandbox;
use crate::stream::ExecutionStream;
use crate::Result;
use hopx_wire::CommandRequest;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

pub use hopx_wire::CommandResponse as CommandResult;

/// The official Python SDK's timeout of a command, in seconds (Node's facade passes its own).
pub const DEFAULT_COMMAND_TIMEOUT: u32 = 120;

/// How a command runs.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandOptions {
    /// Seconds; `None` for [`DEFAULT_COMMAND_TIMEOUT`].
    pub timeout: Option<u32>,
    /// This command's own variables, over the sandbox-wide ones.
    pub env: Option<BTreeMap<String, String>>,
    pub working_dir: String,
}

impl Default for CommandOptions {
    fn default() -> Self {
        CommandOptions { timeout: None, env: None, working_dir: "/workspace".into() }
    }
}

impl Sandbox {
    /// `POST /commands/run`: runs the command line `line` (`bash -c line`) and waits for it.
    pub async fn run_command(&self, line: &str, options: &CommandOptions) -> Result<CommandResult> {
        self.ensure_alive()?;
        let timeout = check_command(line, options, MAX_RUN_TIMEOUT)?;
        let body = CommandRequest::bash(line, timeout, &options.working_dir, options.env.clone());
        let answer = self.send_command("/commands/run", &body, timeout).await?;
        serde_json::from_value(answer).map_err(|e| {
            Error::new(ErrorKind::Api, format!("the agent's answer to /commands/run could not be read: {e}"))
        })
    }

    /// Runs the command line `line` with its output arriving while it runs: a run of bash
    /// code on the agent's `/execute/stream` (the same user, env, working directory and
    /// timeout rules; the agent serves no documented command stream), checked as a command.
    pub async fn run_command_stream(&self, line: &str, options: &CommandOptions) -> Result<ExecutionStream> {
        let timeout = check_command(line, options, MAX_RUN_TIMEOUT)?;
        let run = RunOptions {
            language: "bash".into(),
            timeout: Some(timeout),
            env: options.env.clone(),
            working_dir: options.working_dir.clone(),
            preflight: false,
        };
        self.run_code_stream(line, run).await
    }

    /// `POST /commands/background`: starts the command line `line` and returns at once with
    /// the agent's description (`process_id`, ...); `list_processes` and `kill_process` know it.
    /// Its timeout may be up to a day.
    pub async fn run_command_background(
        &self,
        line: &str,
        options: &CommandOptions,
        name: Option<&str>,
    ) -> Result<Value> {
        self.ensure_alive()?;
        let timeout = check_command(line, options, MAX_BACKGROUND_TIMEOUT)?;
        let mut body = CommandRequest::bash(line, timeout, &options.working_dir, options.env.clone());
        body.name = name.map(String::from);
        // The agent answers once the command started, whatever its timeout.
        self.send_command("/commands/background", &body, 0).await
    }

    async fn send_command(&self, route: &str, body: &CommandRequest, timeout: u32) -> Result<Value> {
        let http = &self.client().control().http()?;
        let wait = Duration::from_secs(timeout.into()) + RUN_HTTP_MARGIN;
        self.agent_call(&EXECUTE, |url, tok| async move {
            agent::post_waiting(http, &format!("{url}{route}"), &tok, body, wait).await
        })
        .await
    }
}

/// Checks a command's arguments before anything is sent; returns its timeout.
fn check_command(line: &str, options: &CommandOptions, max: u32) -> Result<u32> {
    if line.trim().is_empty() {
        return Err(Error::validation("command must not be empty"));
    }
    if line.contains('\0') {
        return Err(Error::validation("command contains a NUL byte"));
    }
    let timeout = options.timeout.unwrap_or(DEFAULT_COMMAND_TIMEOUT);
    if !(1..=max).contains(&timeout) {
        return Err(Error::validation(format!("timeout must be between 1 and {max} seconds, got {timeout}")));
    }
    if options.working_dir.is_empty() {
        return Err(Error::validation("working_dir must not be empty"));
    }
    if let Some(env) = &options.env {
        crate::env::checked_vars(env)?;
    }
    Ok(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_checked_before_sending() {
        let ok = CommandOptions::default();
        assert_eq!(check_command("ls", &ok, MAX_RUN_TIMEOUT).unwrap(), DEFAULT_COMMAND_TIMEOUT);
        for line in ["", "  ", "a\0b"] {
            assert_eq!(check_command(line, &ok, 300).unwrap_err().kind, ErrorKind::Validation, "{line:?}");
        }
        for timeout in [0, 301] {
            let o = CommandOptions { timeout: Some(timeout), ..CommandOptions::default() };
            assert_eq!(check_command("ls", &o, 300).unwrap_err().kind, ErrorKind::Validation);
        }
        let env = CommandOptions { env: Some(BTreeMap::from([("A=B".into(), "x".into())])), ..ok.clone() };
        assert_eq!(check_command("ls", &env, 300).unwrap_err().kind, ErrorKind::Validation);
        let dir = CommandOptions { working_dir: String::new(), ..ok };
        assert_eq!(check_command("ls", &dir, 300).unwrap_err().kind, ErrorKind::Validation);
    }
}

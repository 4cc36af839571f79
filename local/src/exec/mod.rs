//! Running code: the request, the events a run emits while it goes, and its outcome.
//!
//! Every way of running code (a one-shot process, the Python kernel, a background run) takes
//! an [`ExecRequest`] and yields an [`ExecOutcome`], sending [`ExecEvent`]s on the way so the
//! streaming endpoints and the plain `/execute` share one mechanism. Runners see their sandbox
//! through a [`context::RunContext`] only, and start processes through `spawn`.

pub mod background;
pub mod command;
pub mod context;
pub mod env;
pub mod kernel;
pub mod language;
pub mod notes;
pub mod oneshot;
pub mod output;
pub mod terminal;

use hopx_wire::{ExecuteResponse, ExecutionError, FlatRich, RichOutput, RunEnd};
use output::Captured;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;

pub use language::{Language, Runtimes};

/// One run of code in a sandbox.
#[derive(Debug, Clone)]
pub struct ExecRequest {
    pub code: String,
    pub language: Language,
    pub timeout: Duration,
    /// Inside path, already checked to lie under `/workspace` or `/tmp`.
    pub workdir: String,
    /// The complete environment of the run (sandbox globals with the call's own on top).
    pub env: BTreeMap<String, String>,
    /// Bytes of rich outputs (as the kernel's JSON frames) kept; the rest is dropped and flagged.
    pub rich_output_limit: usize,
}

/// Something a run produced while it was going.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecEvent {
    Stdout(String),
    Stderr(String),
    /// A rich output as it was displayed.
    Display(RichOutput),
}

/// Where a run sends its events; `None` when nobody listens.
pub type EventSink = Option<mpsc::UnboundedSender<ExecEvent>>;

/// How a run ended.
#[derive(Debug, Clone, Default)]
pub struct ExecOutcome {
    pub stdout: Captured,
    pub stderr: Captured,
    pub exit_code: i32,
    /// Seconds from start to end.
    pub execution_time: f64,
    /// Rich outputs in display order; the last expression's value is marked as the result.
    pub rich_outputs: Vec<RichOutput>,
    /// Some rich outputs were dropped (past the run's limit, or too big to send).
    pub rich_outputs_truncated: bool,
    /// The exception the kernel reported.
    pub error: Option<ExecutionError>,
    /// The run passed its timeout and was stopped.
    pub timed_out: bool,
    /// The sandbox was killed while the run went on.
    pub sandbox_killed: bool,
    /// The kernel had to be restarted; its state is gone.
    pub kernel_restarted: bool,
}

/// How a run ended, as every endpoint reports it: one mapping, so `/execute`, the stream,
/// `/commands/run` and background runs never disagree about the same outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// The sandbox was killed while the run went on.
    Killed,
    /// The run passed its timeout and was stopped.
    Timeout,
    /// The run ended by itself, without success.
    Failed,
    /// The run ended by itself and succeeded.
    Completed,
}

impl RunStatus {
    /// The word background runs report (`status` of a process).
    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Killed => "killed",
            RunStatus::Timeout => "timeout",
            RunStatus::Failed => "failed",
            RunStatus::Completed => "completed",
        }
    }
}

impl ExecOutcome {
    /// Whether the code succeeded.
    pub fn success(&self) -> bool {
        self.exit_code == 0 && self.error.is_none() && !self.timed_out
    }

    /// How the run ended. A kill of the sandbox outranks a timeout that struck before it.
    pub fn status(&self) -> RunStatus {
        if self.sandbox_killed {
            RunStatus::Killed
        } else if self.timed_out {
            RunStatus::Timeout
        } else if self.success() {
            RunStatus::Completed
        } else {
            RunStatus::Failed
        }
    }

    /// How the run ended, besides its output, as `/execute` and a stream's `result` both
    /// report it.
    pub fn end(&self, timestamp: String) -> RunEnd {
        RunEnd {
            exit_code: self.exit_code,
            execution_time: self.execution_time,
            timestamp: Some(timestamp),
            error: self.error.clone(),
            stdout_truncated: self.stdout.truncated,
            stderr_truncated: self.stderr.truncated,
            rich_outputs_truncated: self.rich_outputs_truncated,
            kernel_restarted: self.kernel_restarted,
        }
    }

    /// The `/execute` response body: the five core fields always, the flat rich fields the
    /// official SDKs read, and our `rich_outputs` array. It takes the outcome, so that the
    /// outputs (up to the run's limits) are moved into the body, not copied.
    pub fn into_wire(self, language: Language, timestamp: String) -> ExecuteResponse {
        let mut flat = FlatRich::of(&self.rich_outputs);
        // The spec types `json` as an object; another value (a JSON array, say) stays in
        // `rich_outputs` only.
        flat.json = flat.json.filter(Value::is_object);
        ExecuteResponse {
            success: Some(self.success()),
            end: self.end(timestamp),
            language: Some(language.name().into()),
            stdout: self.stdout.text,
            stderr: self.stderr.text,
            flat,
            dataframe: None,
            rich_outputs: Some(self.rich_outputs),
        }
    }
}

/// A rich output from a MIME bundle: its `type` is the richest MIME present.
pub fn rich_output(data: Map<String, Value>, metadata: Map<String, Value>) -> RichOutput {
    const ORDER: [&str; 9] = [
        "image/png",
        "image/jpeg",
        "image/svg+xml",
        "text/html",
        "text/markdown",
        "text/latex",
        "application/json",
        "application/javascript",
        "text/plain",
    ];
    let main = ORDER
        .iter()
        .find(|m| data.contains_key(**m))
        .map(|m| m.to_string())
        .or_else(|| data.keys().next().cloned())
        .unwrap_or_else(|| "text/plain".into());
    RichOutput { mime_type: main, data, metadata }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_status_per_outcome() {
        let status = |edit: fn(&mut ExecOutcome)| {
            let mut o = ExecOutcome::default();
            edit(&mut o);
            o.status()
        };
        assert_eq!(status(|_| {}), RunStatus::Completed);
        assert_eq!(status(|o| o.exit_code = 1), RunStatus::Failed);
        let raised = |o: &mut ExecOutcome| {
            o.error =
                Some(ExecutionError { name: "ValueError".into(), value: "bad".into(), traceback: "".into() })
        };
        assert_eq!(status(raised), RunStatus::Failed);
        assert_eq!(status(|o| o.timed_out = true), RunStatus::Timeout);
        assert_eq!(status(|o| o.sandbox_killed = true), RunStatus::Killed);
        let both = |o: &mut ExecOutcome| {
            o.timed_out = true;
            o.sandbox_killed = true;
        };
        assert_eq!(status(both), RunStatus::Killed, "a kill outranks the timeout before it");
        assert_eq!(RunStatus::Timeout.name(), "timeout");
    }
}

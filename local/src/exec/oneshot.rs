//! A one-shot run: a fresh process per call, fed from a code file in the sandbox's `/tmp`.
//!
//! The engine never writes that file (nor the working directory): the code travels in a
//! memfd, and the run's own process writes it, as the sandbox user inside the sandbox's view,
//! just before its exec (`hopx-sandbox`'s program step), so a link the sandbox planted in its
//! `/tmp` can only ever lead back into the sandbox.

use super::context::{until_true, RunContext};
use super::env::run_env;
use super::notes::{memory_note, note};
use super::output::{read_stream, Captured, Stream};
use super::{EventSink, ExecOutcome, ExecRequest, Language};
use crate::spawn::{self, CodeFile, Command, ExitInfo, ProcessControl};
use std::ffi::OsString;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long readers may keep draining after the process tree is gone (only a process that
/// escaped the tree could hold a pipe open that long).
const DRAIN_GRACE: Duration = Duration::from_millis(1000);

/// Runs `req` as a new process in the sandbox of `ctx`. `Err` means the code could not be
/// started. `started`, if given, gets the program's pid as the sandbox sees it once it runs.
pub async fn run(
    ctx: &RunContext,
    req: ExecRequest,
    events: EventSink,
    started: Option<&AtomicI32>,
) -> Result<ExecOutcome, String> {
    let program = ctx.runtimes.binary(req.language)?.to_path_buf();
    let file = ctx.next_file_name(req.language.extension());
    let inside_file = format!("{}/.hopx/{file}", spawn::TMP);
    let code = CodeFile::new(inside_file.clone(), req.code.as_bytes())
        .map_err(|e| format!("cannot hold the code: {e}"))?;
    let mut args: Vec<OsString> = Vec::new();
    if req.language == Language::Go {
        args.push("run".into());
    }
    args.push(inside_file.into());
    let command = Command {
        program,
        args,
        env: run_env(ctx.runtimes, req.language, &req.env),
        cwd: req.workdir.clone(),
        stdin: false,
        extra_fds: Vec::new(),
        code: Some(code),
    };
    supervise(ctx, command, req.timeout, events, started).await
}

/// Starts `command`, collects its output and stops it at the timeout or a sandbox kill.
pub async fn supervise(
    ctx: &RunContext,
    command: Command,
    timeout: Duration,
    events: EventSink,
    pid: Option<&AtomicI32>,
) -> Result<ExecOutcome, String> {
    let started = Instant::now();
    let process = spawn::spawn(&ctx.isolator, &ctx.spec, command)
        .await
        .map_err(|e| format!("cannot start the process: {e}"))?;
    if let Some(slot) = pid {
        slot.store(spawn::procinfo::sandbox_pid(process.control.pid()), Ordering::Release);
    }
    let (stop_tx, stop_rx) = watch::channel(false);
    let limit = ctx.output_limit;
    let out = reader(process.stdout, Stream::Stdout, limit, events.clone(), stop_rx.clone());
    let err = reader(process.stderr, Stream::Stderr, limit, events, stop_rx);
    let control = process.control;
    let mut killed = ctx.kill_signal();
    let mut outcome = ExecOutcome::default();
    let info: ExitInfo = tokio::select! {
        info = control.wait() => info,
        _ = tokio::time::sleep(timeout) => {
            outcome.timed_out = true;
            stop(&*control).await
        }
        _ = until_true(&mut killed) => {
            outcome.sandbox_killed = true;
            stop(&*control).await
        }
    };
    outcome.execution_time = started.elapsed().as_secs_f64();
    let drain = tokio::spawn(async move {
        tokio::time::sleep(DRAIN_GRACE).await;
        let _ = stop_tx.send(true);
    });
    outcome.stdout = out.await.unwrap_or_default();
    outcome.stderr = err.await.unwrap_or_default();
    drain.abort();
    outcome.exit_code = info.shell_code();
    if info.oom_killed {
        outcome.exit_code = 137;
        note(&mut outcome.stderr, &memory_note(&ctx.spec.limits));
    }
    Ok(outcome)
}

async fn stop(control: &dyn ProcessControl) -> ExitInfo {
    control.kill_tree();
    control.wait().await
}

fn reader(
    fd: std::os::fd::OwnedFd,
    stream: Stream,
    limit: usize,
    events: EventSink,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<Captured> {
    tokio::spawn(async move {
        let read = read_stream(fd, stream, limit, events);
        tokio::pin!(read);
        tokio::select! {
            c = &mut read => c,
            _ = until_true(&mut stop) => Captured::default(),
        }
    })
}

//! One run on a kernel: send the code, gather displays and output, and handle the ways a run
//! can go wrong (timeout, a kernel that dies, a sandbox killed meanwhile, a request the runner
//! never picks up, a channel or output the engine can no longer trust).

use super::channel::Dropped;
use super::frames::MAX_FRAME;
use super::process::Kernel;
use crate::exec::context::{until_true, RunContext};
use crate::exec::notes::{memory_note, note};
use crate::exec::{rich_output, EventSink, ExecEvent, ExecOutcome, ExecRequest};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often an interrupt is repeated while the code has not stopped.
const RESEND: Duration = Duration::from_millis(100);

/// How long the output streams may trail the `done` message.
const SENTINEL_WAIT: Duration = Duration::from_secs(2);

/// How long a run may show nothing before the runner is asked whether it got the request (a
/// `probe`: only an idle runner that never got it answers, so a quiet long cell is fine).
const PROBE_AFTER: Duration = Duration::from_secs(1);

/// What became of the kernel after a run.
#[derive(Debug, PartialEq, Eq)]
pub enum After {
    /// Ready for the next run.
    Alive,
    /// Gone (died, or killed by the engine): start a new one next time.
    Dead,
}

/// Why the engine killed the kernel during a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gave {
    /// The code ignored the interrupt at its timeout.
    Ignored,
    /// The runner never got the request (user code read it off the pipe).
    Missed,
    /// The run ended but its output did not (its sentinel never came).
    NoSentinel,
}

impl Kernel {
    /// Runs `req`; the caller holds the kernel, so runs never overlap.
    pub async fn run(
        &mut self,
        ctx: &RunContext,
        req: &ExecRequest,
        events: EventSink,
    ) -> (ExecOutcome, After) {
        let started = Instant::now();
        let id = self.next_id;
        self.next_id += 1;
        let secret = crate::ids::secret();
        let sentinel = format!("\0hopx-end-{id}-{}\0", &secret[..16]);
        // Signs every frame of this run: user code writing into the channel does not know it.
        let nonce = &secret[16..32];
        let limit = ctx.output_limit;
        self.pending = Some(sentinel.clone());
        self.frames.expect(id, nonce, req.rich_output_limit);
        self.stdout.begin(&sentinel, limit, events.clone());
        self.stderr.begin(&sentinel, limit, events.clone());
        // The runner creates a missing working directory itself, as the sandbox user on the
        // sandbox's own view of the file system; the engine never does it for it.
        // Without a mount namespace (isolation "none") the kernel sees host paths, so it gets
        // the host directory behind the inside workdir, as one-shot runs do; otherwise it
        // would chdir into the host's own `/workspace`, shared by every sandbox.
        let cwd = match ctx.isolator.sees_host_paths() {
            true => ctx
                .spec
                .host_path(&req.workdir)
                .map_or_else(|| req.workdir.clone(), |p| p.to_string_lossy().into_owned()),
            false => req.workdir.clone(),
        };
        let request = json!({
            "type": "execute", "id": id, "code": req.code, "cwd": cwd,
            "env": req.env, "sentinel": sentinel, "nonce": nonce,
        });
        // If the caller goes away mid-run (a closed connection), the cell is interrupted rather
        // than left to hold the kernel for the queue behind it.
        let mut abandon = InterruptOnDrop { control: Some(self.control.clone()) };
        let mut outcome = ExecOutcome::default();
        let mut after = After::Alive;
        if self.writer.send(&request).await.is_err() {
            after = After::Dead;
        }
        let mut killed = ctx.kill_signal();
        let deadline = tokio::time::sleep(req.timeout);
        tokio::pin!(deadline);
        let probe = tokio::time::sleep(PROBE_AFTER);
        tokio::pin!(probe);
        let mut probed = false;
        let mut interrupted_at: Option<Instant> = None;
        let mut gave: Option<Gave> = None;
        let mut done: Option<Value> = None;
        while after == After::Alive && done.is_none() {
            let grace = grace_left(interrupted_at);
            tokio::select! {
                // The channel hands over only this run's frames (see channel.rs).
                frame = self.frames.recv() => match frame {
                    Some(f) if f["type"] == "display" => self.display(f, &mut outcome, &events),
                    Some(f) if f["type"] == "done" => done = Some(f),
                    Some(f) if f["type"] == "missed" => {
                        self.stop().await;
                        gave = Some(Gave::Missed);
                        after = After::Dead;
                    }
                    Some(_) => {}
                    None => after = After::Dead,
                },
                _ = self.exit.changed() => after = After::Dead,
                _ = &mut probe, if !probed => {
                    probed = true;
                    if !self.frames.heard() {
                        let probe = json!({"type": "probe", "id": id, "nonce": nonce});
                        if self.writer.send(&probe).await.is_err() {
                            after = After::Dead;
                        }
                    }
                }
                _ = &mut deadline, if interrupted_at.is_none() => {
                    outcome.timed_out = true;
                    interrupted_at = Some(Instant::now());
                    let _ = self.control.signal(libc::SIGINT);
                }
                // A SIGINT that lands just before a blocking call only acts when the call
                // returns, so it is repeated until the run stops or the grace runs out.
                _ = tokio::time::sleep(RESEND), if interrupted_at.is_some() && grace > RESEND => {
                    let _ = self.control.signal(libc::SIGINT);
                }
                _ = tokio::time::sleep(grace), if interrupted_at.is_some() => {
                    // The code ignored the interrupt: the kernel goes, the sandbox stays.
                    self.stop().await;
                    gave = Some(Gave::Ignored);
                    after = After::Dead;
                }
                _ = until_true(&mut killed) => {
                    self.control.kill_tree();
                    outcome.sandbox_killed = true;
                    after = After::Dead;
                }
            }
        }
        if after == After::Dead {
            // Let the streams drain to EOF so output printed right before the end is kept.
            let _ = tokio::time::timeout(Duration::from_secs(1), self.exit.wait_for(Option::is_some)).await;
        }
        let ended = self.wait_sentinels().await;
        if done.is_some() && after == After::Alive && !ended {
            // The cell closed or replaced the runner's own copies of its output pipes: what
            // still comes on them cannot be told apart from the next run's output.
            self.stop().await;
            gave = Some(Gave::NoSentinel);
            after = After::Dead;
        }
        abandon.control = None;
        self.pending = None;
        let dropped = self.frames.end();
        outcome.stdout = self.stdout.finish();
        outcome.stderr = self.stderr.finish();
        outcome.execution_time = started.elapsed().as_secs_f64();
        self.conclude(ctx, done, gave, &mut outcome, &events);
        self.report_dropped(req, dropped, &mut outcome, &events);
        (outcome, after)
    }

    /// Sets how the run ended: from its `done`, or from what stopped it, with a note that
    /// says why when the kernel had to go.
    fn conclude(
        &self,
        ctx: &RunContext,
        done: Option<Value>,
        gave: Option<Gave>,
        outcome: &mut ExecOutcome,
        events: &EventSink,
    ) {
        if let Some(d) = &done {
            let ok = d["success"].as_bool().unwrap_or(false);
            outcome.exit_code = if ok { 0 } else { 1 };
            outcome.error = d.get("error").and_then(|e| serde_json::from_value(e.clone()).ok());
            if d["restored"].as_array().is_some_and(|r| !r.is_empty()) {
                tell(outcome, events, "[hopx] the code closed or redirected its stdout or stderr; the Python kernel put them back for the next run");
            }
        }
        // A `done` is the runner's word on the run; without one, the first reason that applies.
        let broken = if done.is_none() { self.frames.broken() } else { None };
        if outcome.sandbox_killed && done.is_none() {
            outcome.exit_code = 137;
        } else if let Some(why) = broken {
            restarted(outcome, events, &format!("[hopx] the Python kernel's messages could not be trusted ({why}: code may have written into the kernel's own pipes), so it was restarted: its variables are gone"));
        } else if gave == Some(Gave::NoSentinel) {
            outcome.kernel_restarted = true;
            tell(outcome, events, "[hopx] the end of this run's output never came (the code closed or replaced the kernel's own output pipes), so the Python kernel was restarted: its variables are gone");
        } else if gave == Some(Gave::Missed) {
            restarted(outcome, events, "[hopx] the Python kernel never received this run (code read the kernel's own request pipe), so it was restarted: its variables are gone");
        } else if gave == Some(Gave::Ignored) {
            restarted(outcome, events, "[hopx] the code ignored the interrupt at its timeout, so the Python kernel was restarted: its variables are gone");
        } else if done.is_none() {
            self.report_death(ctx, outcome, events);
        }
    }

    /// Waits out a run whose caller went away (it was interrupted when dropped): its `done`
    /// and its sentinels must pass before the next run starts. False if it will not end.
    pub async fn settle(&mut self) -> bool {
        let Some(sentinel) = self.pending.take() else { return true };
        self.stdout.begin(&sentinel, 0, None);
        self.stderr.begin(&sentinel, 0, None);
        let done = tokio::time::timeout(super::INTERRUPT_GRACE * 2, async {
            while let Some(f) = self.frames.recv().await {
                if f["type"] == "done" {
                    return true;
                }
            }
            false
        })
        .await
        .unwrap_or(false);
        let ended = self.wait_sentinels().await;
        self.stdout.finish();
        self.stderr.finish();
        self.frames.end();
        done && ended
    }

    /// Whether both streams reached the run's sentinel within [`SENTINEL_WAIT`].
    async fn wait_sentinels(&self) -> bool {
        tokio::time::timeout(SENTINEL_WAIT, async {
            let out = self.stdout.wait_sentinel().await;
            out & self.stderr.wait_sentinel().await
        })
        .await
        .unwrap_or(false)
    }

    /// Kills the kernel and waits for it to be gone.
    async fn stop(&mut self) {
        self.control.kill_tree();
        let _ = self.exit.wait_for(Option::is_some).await;
    }

    fn display(&self, mut frame: Value, outcome: &mut ExecOutcome, events: &EventSink) {
        let data = match frame["data"].take() {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let metadata = match frame["metadata"].take() {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let mut item = rich_output(data, metadata);
        if frame["kind"] == "result" {
            // Where the flat `result` (the value's text) comes from.
            item.mark_as_result();
        }
        if let Some(tx) = events {
            let _ = tx.send(ExecEvent::Display(item.clone()));
        }
        outcome.rich_outputs.push(item);
    }

    fn report_dropped(
        &self,
        req: &ExecRequest,
        dropped: Dropped,
        outcome: &mut ExecOutcome,
        events: &EventSink,
    ) {
        const MIB: usize = 1024 * 1024;
        if dropped.over_budget > 0 {
            let line = format!(
                "[hopx] {} rich outputs were dropped: a run keeps at most {} MiB of them",
                dropped.over_budget,
                req.rich_output_limit / MIB
            );
            tell(outcome, events, &line);
        }
        if dropped.too_big > 0 {
            let line = format!(
                "[hopx] {} rich outputs were dropped: each may be at most {} MiB",
                dropped.too_big,
                MAX_FRAME / MIB
            );
            tell(outcome, events, &line);
        }
        outcome.rich_outputs_truncated = dropped != Dropped::default();
    }

    fn report_death(&self, ctx: &RunContext, outcome: &mut ExecOutcome, events: &EventSink) {
        let info = (*self.exit.borrow()).unwrap_or_default();
        outcome.kernel_restarted = true;
        outcome.exit_code = if info.oom_killed { 137 } else { info.shell_code() };
        if info.oom_killed {
            tell(outcome, events, &memory_note(&ctx.spec.limits));
        }
        let how = match (info.code, info.signal) {
            (Some(c), _) => format!("exited with code {c}"),
            (None, Some(s)) => format!("was killed by signal {s}"),
            _ => "stopped".to_string(),
        };
        tell(
            outcome,
            events,
            &format!("[hopx] the Python kernel {how} during this run: its variables are gone; the next run starts a new kernel"),
        );
    }
}

/// A run that failed because the engine restarted the kernel, with the line that says why.
fn restarted(outcome: &mut ExecOutcome, events: &EventSink, line: &str) {
    outcome.kernel_restarted = true;
    outcome.exit_code = 137;
    tell(outcome, events, line);
}

/// Adds a line to the run's stderr, and to its live output when someone listens.
fn tell(outcome: &mut ExecOutcome, events: &EventSink, line: &str) {
    let before = outcome.stderr.text.len();
    note(&mut outcome.stderr, line);
    if let Some(tx) = events {
        let _ = tx.send(ExecEvent::Stderr(outcome.stderr.text[before..].to_string()));
    }
}

/// How long to wait for `done` after an interrupt (effectively forever before one).
fn grace_left(interrupted_at: Option<Instant>) -> Duration {
    match interrupted_at {
        Some(t) => super::INTERRUPT_GRACE.saturating_sub(t.elapsed()),
        None => Duration::from_secs(86_400),
    }
}

/// Interrupts the kernel when dropped while armed.
struct InterruptOnDrop {
    control: Option<Arc<dyn crate::spawn::ProcessControl>>,
}

impl Drop for InterruptOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.control.take() {
            let _ = c.signal(libc::SIGINT);
        }
    }
}

//! One run on a kernel: send the code, gather displays and output, and handle the three ways
//! a run can go wrong (timeout, a kernel that dies, a sandbox killed meanwhile).

use super::process::Kernel;
use crate::exec::oneshot::{memory_note, note, until_true};
use crate::exec::{rich_output, EventSink, ExecEvent, ExecOutcome, ExecRequest};
use crate::sandbox::Sandbox;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often an interrupt is repeated while the code has not stopped.
const RESEND: Duration = Duration::from_millis(100);

/// How long the output streams may trail the `done` message.
const SENTINEL_WAIT: Duration = Duration::from_secs(2);

/// What became of the kernel after a run.
#[derive(Debug, PartialEq, Eq)]
pub enum After {
    /// Ready for the next run.
    Alive,
    /// Gone (died, or killed after ignoring an interrupt): start a new one next time.
    Dead,
}

impl Kernel {
    /// Runs `req`; the caller holds the kernel, so runs never overlap.
    pub async fn run(
        &mut self,
        sandbox: &Arc<Sandbox>,
        req: &ExecRequest,
        events: EventSink,
    ) -> (ExecOutcome, After) {
        let started = Instant::now();
        let id = self.next_id;
        self.next_id += 1;
        let sentinel = format!("\0hopx-end-{id}-{}\0", &crate::ids::secret()[..16]);
        let limit = sandbox.output_limit;
        self.pending = Some((id, sentinel.clone()));
        self.stdout.begin(&sentinel, limit, events.clone());
        self.stderr.begin(&sentinel, limit, events.clone());
        // The runner creates a missing working directory itself, as the sandbox user on the
        // sandbox's own view of the file system; the engine never does it for it.
        // Without a mount namespace (isolation "none") the kernel sees host paths, so it gets
        // the host directory behind the inside workdir, as one-shot runs do; otherwise it
        // would chdir into the host's own `/workspace`, shared by every sandbox.
        let cwd = match sandbox.isolator.name() {
            "none" => crate::exec::oneshot::host_path(sandbox, &req.workdir)
                .map_or_else(|| req.workdir.clone(), |p| p.to_string_lossy().into_owned()),
            _ => req.workdir.clone(),
        };
        let request = json!({
            "type": "execute", "id": id, "code": req.code, "cwd": cwd,
            "env": req.env, "sentinel": sentinel,
        });
        // If the caller goes away mid-run (a closed connection), the cell is interrupted rather
        // than left to hold the kernel for the queue behind it.
        let mut abandon = InterruptOnDrop { control: Some(self.control.clone()) };
        let mut outcome = ExecOutcome::default();
        let mut after = After::Alive;
        if self.writer.send(&request).await.is_err() {
            after = After::Dead;
        }
        let mut killed = sandbox.kill_signal();
        let deadline = tokio::time::sleep(req.timeout);
        tokio::pin!(deadline);
        let mut interrupted_at: Option<Instant> = None;
        let mut done: Option<Value> = None;
        while after == After::Alive && done.is_none() {
            let grace = sandbox_grace(interrupted_at);
            tokio::select! {
                frame = self.frames.recv() => match frame {
                    Some(f) if f["id"] == id => match f["type"].as_str() {
                        Some("display") => self.display(&f, &mut outcome, &events),
                        Some("done") => done = Some(f),
                        _ => {}
                    },
                    Some(_) => {}
                    None => after = After::Dead,
                },
                _ = self.exit.changed() => after = After::Dead,
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
                    self.control.kill_tree();
                    let _ = self.exit.wait_for(Option::is_some).await;
                    outcome.kernel_restarted = true;
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
        let _ = tokio::time::timeout(SENTINEL_WAIT, async {
            self.stdout.wait_sentinel().await;
            self.stderr.wait_sentinel().await;
        })
        .await;
        abandon.control = None;
        self.pending = None;
        outcome.stdout = self.stdout.finish();
        outcome.stderr = self.stderr.finish();
        outcome.execution_time = started.elapsed().as_secs_f64();
        match (&done, &after) {
            (Some(d), _) => {
                let ok = d["success"].as_bool().unwrap_or(false);
                outcome.exit_code = if ok { 0 } else { 1 };
                outcome.error = d.get("error").filter(|e| e.is_object()).cloned();
            }
            (None, _) if outcome.sandbox_killed => outcome.exit_code = 137,
            (None, _) if outcome.kernel_restarted => {
                outcome.exit_code = 137;
                note(&mut outcome.stderr, "[hopx] the code ignored the interrupt at its timeout, so the Python kernel was restarted: its variables are gone");
            }
            (None, _) => self.report_death(sandbox, &mut outcome),
        }
        (outcome, after)
    }

    /// Waits out a run whose caller went away (it was interrupted when dropped): its `done`
    /// and its sentinels must pass before the next run starts. False if it will not end.
    pub async fn settle(&mut self) -> bool {
        let Some((id, sentinel)) = self.pending.take() else { return true };
        self.stdout.begin(&sentinel, 0, None);
        self.stderr.begin(&sentinel, 0, None);
        let done = tokio::time::timeout(super::INTERRUPT_GRACE * 2, async {
            while let Some(f) = self.frames.recv().await {
                if f["id"] == id && f["type"] == "done" {
                    return true;
                }
            }
            false
        })
        .await
        .unwrap_or(false);
        let _ = tokio::time::timeout(SENTINEL_WAIT, async {
            self.stdout.wait_sentinel().await;
            self.stderr.wait_sentinel().await;
        })
        .await;
        self.stdout.finish();
        self.stderr.finish();
        done
    }

    fn display(&self, frame: &Value, outcome: &mut ExecOutcome, events: &EventSink) {
        let data = frame["data"].as_object().cloned().unwrap_or_default();
        let mut metadata: Map<String, Value> = frame["metadata"].as_object().cloned().unwrap_or_default();
        if frame["kind"] == "result" {
            if let Some(text) = data.get("text/plain").and_then(Value::as_str) {
                outcome.result_text = Some(text.to_string());
            }
            metadata.insert("kind".into(), Value::String("result".into()));
        }
        let item = rich_output(data, metadata);
        if let Some(tx) = events {
            let _ = tx.send(ExecEvent::Display(item.clone()));
        }
        outcome.rich_outputs.push(item);
    }

    fn report_death(&self, sandbox: &Sandbox, outcome: &mut ExecOutcome) {
        let info = (*self.exit.borrow()).unwrap_or_default();
        outcome.kernel_restarted = true;
        outcome.exit_code = if info.oom_killed { 137 } else { info.shell_code() };
        if info.oom_killed {
            note(&mut outcome.stderr, &memory_note(sandbox));
        }
        let how = match (info.code, info.signal) {
            (Some(c), _) => format!("exited with code {c}"),
            (None, Some(s)) => format!("was killed by signal {s}"),
            _ => "stopped".to_string(),
        };
        note(
            &mut outcome.stderr,
            &format!("[hopx] the Python kernel {how} during this run: its variables are gone; the next run starts a new kernel"),
        );
    }
}

/// How long to wait for `done` after an interrupt (effectively forever before one).
fn sandbox_grace(interrupted_at: Option<Instant>) -> Duration {
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

//! What the engine takes from a kernel's runner. A reader task takes every frame off the pipe
//! as it arrives and keeps only what the run in progress is owed, within that run's budget for
//! rich outputs; anything else (say a display from a thread of a cell that has ended) is dropped
//! at once. So a sandbox can never make frames pile up in the process the engine lives in.
//!
//! User code runs in the runner's process. A frame the runner cannot have sent (a bad length,
//! not JSON, the current call's id without its nonce, a message nobody asked for) means
//! something else writes into the channel: the reader stops, kills the kernel and keeps the
//! reason, so the run reports a restart instead of a result it cannot trust.

use super::frames::FrameReader;
use crate::spawn::ProcessControl;
use serde_json::Value;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Frames waiting for the run. The budget bounds their bytes; this only bounds their number.
const QUEUE: usize = 64;

/// The receiving end of a kernel's messages.
pub struct Channel {
    rx: mpsc::Receiver<Value>,
    state: Arc<Mutex<State>>,
}

/// Rich outputs a run lost.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dropped {
    /// Outputs past the run's budget.
    pub over_budget: usize,
    /// Outputs the runner could not send because a frame would pass the frame limit.
    pub too_big: usize,
}

/// What the reader knows, shared with the runs.
#[derive(Default)]
struct State {
    /// The `ready` frame came (it must be the first, and comes once).
    ready: bool,
    /// The highest call id handed out; late displays carry one of these.
    last_id: u64,
    call: Option<Call>,
    broken: Option<String>,
}

/// The call in progress.
struct Call {
    id: u64,
    nonce: String,
    /// Bytes of rich output (as frames) this run may still keep.
    room: usize,
    /// A frame of this call came (so the runner has its request).
    heard: bool,
    /// Its `done` came: later frames of this id are a thread's, after the cell.
    done: bool,
    dropped: Dropped,
}

/// What to do with a frame.
#[derive(Debug, PartialEq)]
enum Verdict {
    Forward,
    Drop,
    Broken(String),
}

impl Channel {
    /// Starts reading the runner's messages from `fd`; `kernel` is killed if they turn bad.
    pub fn spawn(fd: OwnedFd, kernel: Arc<dyn ProcessControl>) -> std::io::Result<Channel> {
        let reader = FrameReader::new(fd)?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let state = Arc::new(Mutex::new(State::default()));
        tokio::spawn(pump(reader, tx, state.clone(), kernel));
        Ok(Channel { rx, state })
    }

    /// The next frame for the run in progress (or `ready`); `None` once the channel is closed.
    pub async fn recv(&mut self) -> Option<Value> {
        self.rx.recv().await
    }

    /// From now on, frames of call `id` signed with `nonce` are taken, with at most `room` bytes
    /// of rich outputs.
    pub fn expect(&self, id: u64, nonce: &str, room: usize) {
        let mut state = self.state();
        state.last_id = state.last_id.max(id);
        state.call = Some(Call {
            id,
            nonce: nonce.to_string(),
            room,
            heard: false,
            done: false,
            dropped: Dropped::default(),
        });
    }

    /// Whether a frame of the current call came.
    pub fn heard(&self) -> bool {
        self.state().call.as_ref().is_some_and(|c| c.heard)
    }

    /// Ends the current call; returns the rich outputs it lost.
    pub fn end(&self) -> Dropped {
        self.state().call.take().map(|c| c.dropped).unwrap_or_default()
    }

    /// Why the channel cannot be trusted any more, if it cannot.
    pub fn broken(&self) -> Option<String> {
        self.state().broken.clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The reader task: frames in, verdicts out, until the pipe closes or a frame is bad.
async fn pump(
    mut reader: FrameReader,
    tx: mpsc::Sender<Value>,
    state: Arc<Mutex<State>>,
    kernel: Arc<dyn ProcessControl>,
) {
    let why = loop {
        let body = match reader.next().await {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(why) => break why,
        };
        let Ok(frame) = serde_json::from_slice::<Value>(&body) else {
            break "a message that is not JSON".to_string();
        };
        let verdict = state.lock().unwrap_or_else(|e| e.into_inner()).route(&frame, body.len());
        match verdict {
            Verdict::Forward => {
                if tx.send(frame).await.is_err() {
                    return;
                }
            }
            Verdict::Drop => {}
            Verdict::Broken(why) => break why,
        }
    };
    tracing::warn!("the kernel's message channel is broken ({why}); killing the kernel");
    state.lock().unwrap_or_else(|e| e.into_inner()).broken = Some(why);
    kernel.kill_tree();
}

impl State {
    /// Judges one frame of `size` bytes and counts it against the current call.
    fn route(&mut self, frame: &Value, size: usize) -> Verdict {
        let kind = frame["type"].as_str().unwrap_or_default();
        if !self.ready {
            self.ready = kind == "ready";
            return if self.ready {
                Verdict::Forward
            } else {
                Verdict::Broken(format!("{kind:?} before \"ready\""))
            };
        }
        let id = frame["id"].as_u64();
        let Some(call) = self.call.as_mut().filter(|c| Some(c.id) == id && !c.done) else {
            // Not the run in progress: a thread of an ended cell may still display.
            let late = matches!(kind, "display" | "dropped") && id.is_some_and(|i| i <= self.last_id);
            return if late {
                Verdict::Drop
            } else {
                Verdict::Broken(format!("an unexpected {kind:?} message"))
            };
        };
        if frame["nonce"].as_str() != Some(call.nonce.as_str()) {
            return Verdict::Broken(format!("a {kind:?} message without this run's nonce"));
        }
        call.heard = true;
        match kind {
            "display" if size <= call.room => {
                call.room -= size;
                Verdict::Forward
            }
            "display" => {
                call.dropped.over_budget += 1;
                Verdict::Drop
            }
            "dropped" => {
                call.dropped.too_big += 1;
                Verdict::Drop
            }
            "done" => {
                call.done = true;
                Verdict::Forward
            }
            // The runner answered a probe: it never got this call's request.
            "missed" => Verdict::Forward,
            _ => Verdict::Broken(format!("an unknown {kind:?} message")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn running(id: u64, room: usize) -> State {
        let mut state = State { ready: true, last_id: id, ..Default::default() };
        state.call = Some(Call {
            id,
            nonce: "n".into(),
            room,
            heard: false,
            done: false,
            dropped: Dropped::default(),
        });
        state
    }

    fn broken(v: Verdict) -> bool {
        matches!(v, Verdict::Broken(_))
    }

    #[test]
    fn ready_comes_first_and_once() {
        assert!(broken(State::default().route(&json!({"type": "done", "id": 1}), 10)));
        let mut state = State::default();
        assert_eq!(state.route(&json!({"type": "ready"}), 10), Verdict::Forward);
        assert!(broken(state.route(&json!({"type": "ready"}), 10)));
    }

    #[test]
    fn the_current_call_needs_its_nonce() {
        let mut state = running(3, 100);
        assert_eq!(state.route(&json!({"type": "missed", "id": 3, "nonce": "n"}), 10), Verdict::Forward);
        assert!(state.call.as_ref().unwrap().heard);
        assert!(broken(state.route(&json!({"type": "done", "id": 3, "success": true}), 10)));
        let mut state = running(3, 100);
        assert!(broken(state.route(&json!({"type": "done", "id": 3, "nonce": "guess"}), 10)));
        let mut state = running(3, 100);
        assert!(
            broken(state.route(&json!({"type": "done", "id": 4, "nonce": "n"}), 10)),
            "an id not handed out"
        );
        assert!(broken(running(3, 100).route(&json!({"type": "exit", "id": 3, "nonce": "n"}), 10)));
    }

    #[test]
    fn rich_outputs_fit_the_budget_or_are_counted() {
        let mut state = running(1, 25);
        let display = json!({"type": "display", "id": 1, "nonce": "n"});
        assert_eq!(state.route(&display, 10), Verdict::Forward);
        assert_eq!(state.route(&display, 10), Verdict::Forward);
        assert_eq!(state.route(&display, 10), Verdict::Drop);
        assert_eq!(state.route(&display, 5), Verdict::Forward, "a smaller one still fits");
        assert_eq!(
            state.route(&json!({"type": "dropped", "id": 1, "nonce": "n", "bytes": 1 << 30}), 60),
            Verdict::Drop
        );
        let dropped = state.call.as_ref().unwrap().dropped;
        assert_eq!(dropped, Dropped { over_budget: 1, too_big: 1 });
    }

    #[test]
    fn frames_after_done_or_between_calls_are_dropped_not_queued() {
        let mut state = running(2, 100);
        let done = json!({"type": "done", "id": 2, "nonce": "n"});
        assert_eq!(state.route(&done, 10), Verdict::Forward);
        let late = json!({"type": "display", "id": 2, "nonce": "n"});
        assert_eq!(state.route(&late, 10), Verdict::Drop);
        assert!(broken(state.route(&done, 10)), "a second done");
        let mut state = running(2, 100);
        state.call = None;
        assert_eq!(state.route(&json!({"type": "display", "id": 1, "nonce": "old"}), 10), Verdict::Drop);
        assert!(broken(state.route(&json!({"type": "done", "id": 2, "nonce": "n"}), 10)));
    }
}

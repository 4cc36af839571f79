//! A transfer's progress, told to a JS callback (`onProgress`) from the core's threads.
//!
//! The core reports every chunk (a 200 MB download is thousands of them). Queuing one JS call
//! per chunk would flood the event loop, so at most one call is queued at a time, and when it
//! has run the latest figures follow if they changed: the callback sees `done` grow and always
//! sees the final figures. Every call is made without blocking (the core's thread never waits
//! for JS) and with a return handler, so an exception thrown by the callback comes back here
//! as a value instead of reaching Node as an uncaught exception: the transfer stops and the
//! call rejects with that exception. The call settles only after the last callback has run.

use crate::errors::IntoJs;
use hopx_core as hcore;
use napi::bindgen_prelude::{FnArgs, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Error, Result, Status};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

/// Arguments of `onProgress`: bytes done, and the total when known (`null` otherwise).
type Figures = FnArgs<(f64, Option<f64>)>;

/// The JS `onProgress(done, total)`, callable from any thread; its return value is ignored.
pub type ProgressFn = ThreadsafeFunction<Figures, Unknown<'static>, Figures, Status, false>;

/// Runs `work` with a core `Progress` that feeds `callback` (if any). Resolves with `work`'s
/// outcome once every queued callback has run; rejects with the callback's exception if it
/// threw (dropping `work`, which stops the transfer).
pub async fn with_progress<T, F>(
    callback: Option<ProgressFn>,
    work: impl FnOnce(Option<hcore::Progress>) -> F,
) -> Result<T>
where
    F: Future<Output = hcore::Result<T>>,
{
    let Some(callback) = callback else {
        return work(None).await.js();
    };
    let reporter =
        Arc::new(Reporter { callback, state: Mutex::default(), settled: Notify::new(), stop: Notify::new() });
    let tell = reporter.clone();
    let progress: hcore::Progress = Arc::new(move |done, total| tell.tell(done, total));
    let outcome = tokio::select! {
        outcome = work(Some(progress)) => Some(outcome),
        () = reporter.stop.notified() => None,
    };
    reporter.settle().await;
    if let Some(thrown) = reporter.lock().thrown.take() {
        return Err(thrown);
    }
    // `stop` is only notified with `thrown` set.
    outcome.expect("a transfer stops only on a callback's exception").js()
}

struct Reporter {
    callback: ProgressFn,
    state: Mutex<State>,
    /// Notified when no call is queued any more.
    settled: Notify,
    /// Notified (once) when the callback threw.
    stop: Notify,
}

#[derive(Default)]
struct State {
    /// The figures the core reported last.
    latest: Option<(u64, Option<u64>)>,
    /// The figures of the call queued or run last.
    sent: Option<(u64, Option<u64>)>,
    /// Whether a call is queued and has not run yet.
    queued: bool,
    /// The callback's exception; no call is made after it.
    thrown: Option<Error>,
}

impl Reporter {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while locked cannot leave the state half-changed: keep going.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// From the core, on any thread: queue a call unless one is queued already.
    fn tell(self: &Arc<Self>, done: u64, total: Option<u64>) {
        let mut state = self.lock();
        state.latest = Some((done, total));
        if state.queued || state.thrown.is_some() {
            return;
        }
        state.queued = true;
        state.sent = state.latest;
        drop(state);
        self.send((done, total));
    }

    fn send(self: &Arc<Self>, (done, total): (u64, Option<u64>)) {
        let delivery = Delivery { reporter: self.clone(), ran: false };
        let figures = FnArgs::from((done as f64, total.map(|t| t as f64)));
        let status = self.callback.call_with_return_value(
            figures,
            ThreadsafeFunctionCallMode::NonBlocking,
            move |returned, _env| {
                delivery.ran(returned.err());
                Ok(())
            },
        );
        // Not queued (Node is shutting down): the handler was dropped, and so was the delivery,
        // which marked the call as done.
        let _ = status;
    }

    /// On the JS thread, after a call ran: note an exception, or send figures that changed.
    fn ran(self: &Arc<Self>, thrown: Option<Error>) {
        let mut state = self.lock();
        if let Some(e) = thrown {
            if state.thrown.is_none() {
                state.thrown = Some(e);
                self.stop.notify_one();
            }
        } else if state.thrown.is_none() && state.latest != state.sent {
            state.sent = state.latest;
            let figures = state.latest.expect("sent figures were reported");
            drop(state);
            self.send(figures);
            return;
        }
        state.queued = false;
        drop(state);
        self.settled.notify_waiters();
    }

    /// A queued call that will never run (its handler was dropped unrun).
    fn abandoned(&self) {
        self.lock().queued = false;
        self.settled.notify_waiters();
    }

    /// Waits until no call is queued.
    async fn settle(&self) {
        loop {
            // Registered before the check, so a notification in between is not lost.
            let settled = self.settled.notified();
            if !self.lock().queued {
                return;
            }
            settled.await;
        }
    }
}

/// One queued call; if its handler is dropped without running, the reporter hears of it.
struct Delivery {
    reporter: Arc<Reporter>,
    ran: bool,
}

impl Delivery {
    fn ran(mut self, thrown: Option<Error>) {
        self.ran = true;
        self.reporter.ran(thrown);
    }
}

impl Drop for Delivery {
    fn drop(&mut self) {
        if !self.ran {
            self.reporter.abandoned();
        }
    }
}

//! A transfer's progress, told to a JS callback (`onProgress`) from the core's threads.
//!
//! The core reports every chunk (a 200 MB download is thousands of them). Queuing one JS call
//! per chunk would flood the event loop, so at most one call is queued at a time, and when it
//! has run the latest figures follow if they changed: the callback sees `done` grow and always
//! sees the final figures. Every call is made without blocking (the core's thread never waits
//! for JS) and with a return handler, so an exception thrown by the callback comes back here
//! as a value instead of reaching Node as an uncaught exception: the transfer stops and the
//! call rejects with that exception. The call settles only after the last callback has run,
//! and no callback runs after that (the HTTP client may still poll a dropped upload's body for
//! a while, reporting into a closed reporter).

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

/// Bytes done, and the total when known, as the core reports them.
type Tally = (u64, Option<u64>);

/// A JS call to make: the callback and what to tell it.
type Call = (Arc<ProgressFn>, Tally);

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
    let reporter = Arc::new(Reporter {
        state: Mutex::new(State { callback: Some(Arc::new(callback)), ..State::default() }),
        settled: Notify::new(),
        stop: Notify::new(),
    });
    let tell = reporter.clone();
    let progress: hcore::Progress = Arc::new(move |done, total| tell.tell(done, total));
    let outcome = tokio::select! {
        outcome = work(Some(progress)) => Some(outcome),
        () = reporter.stop.notified() => None,
    };
    reporter.settle().await;
    if let Some(thrown) = reporter.close() {
        return Err(thrown);
    }
    // `stop` is only notified with `thrown` set.
    outcome.expect("a transfer stops only on a callback's exception").js()
}

struct Reporter {
    state: Mutex<State>,
    /// Notified when no call is queued any more.
    settled: Notify,
    /// Notified (once) when the callback threw.
    stop: Notify,
}

#[derive(Default)]
struct State {
    /// The JS callback; `None` once closed (which releases it, so it keeps Node alive no more).
    callback: Option<Arc<ProgressFn>>,
    /// The figures the core reported last.
    latest: Option<Tally>,
    /// The figures of the call queued or run last.
    sent: Option<Tally>,
    /// Whether a call is queued and has not run yet.
    queued: bool,
    /// Whether the callback threw: no call is made after that.
    failed: bool,
    /// The callback's exception, until the transfer rejects with it.
    thrown: Option<Error>,
}

impl State {
    /// Marks a call with the latest figures as queued; the caller makes it once unlocked.
    fn next_call(&mut self) -> Option<Call> {
        let call = (self.callback.clone()?, self.latest?);
        self.queued = true;
        self.sent = self.latest;
        Some(call)
    }
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
        if state.queued || state.failed {
            return;
        }
        let call = state.next_call();
        drop(state);
        self.send(call);
    }

    /// Queues a JS call, unlocked (a call that cannot be queued drops its handler, which
    /// locks). Never blocks: the queue is unbounded.
    fn send(self: &Arc<Self>, call: Option<Call>) {
        let Some((callback, (done, total))) = call else {
            return;
        };
        let delivery = Delivery { reporter: self.clone(), ran: false };
        let status = callback.call_with_return_value(
            FnArgs::from((done as f64, total.map(|t| t as f64))),
            ThreadsafeFunctionCallMode::NonBlocking,
            move |returned, _env| {
                delivery.ran(returned.err());
                Ok(())
            },
        );
        if status != Status::Ok {
            // Node is shutting down: nothing will run.
            self.abandoned();
        }
    }

    /// On the JS thread, after a call ran: note an exception, or send figures that changed.
    fn ran(self: &Arc<Self>, thrown: Option<Error>) {
        let mut state = self.lock();
        state.queued = false;
        let mut call = None;
        if let Some(e) = thrown {
            if !state.failed {
                state.failed = true;
                state.thrown = Some(e);
                self.stop.notify_one();
            }
        } else if !state.failed && state.latest != state.sent {
            call = state.next_call();
        }
        drop(state);
        if call.is_some() {
            self.send(call);
        } else {
            self.settled.notify_waiters();
        }
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

    /// Ends the reporting: releases the callback; returns its exception, if it threw.
    fn close(&self) -> Option<Error> {
        let mut state = self.lock();
        state.failed = true;
        let callback = state.callback.take();
        let thrown = state.thrown.take();
        drop(state);
        drop(callback);
        thrown
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

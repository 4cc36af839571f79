//! What a run needs from its sandbox, and nothing more. Runners (one-shot, commands, the
//! kernel, background runs) get this small value instead of the whole sandbox, so running code
//! never depends on the engine's bookkeeping (tokens, time-to-live, the table of sandboxes).

use super::Runtimes;
use crate::spawn::{Isolator, SandboxSpec};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// The sandbox as its runs see it. Cheap to clone.
#[derive(Clone)]
pub struct RunContext {
    /// How the sandbox's processes are confined.
    pub isolator: Arc<dyn Isolator>,
    /// The sandbox's files, network and limits.
    pub spec: Arc<SandboxSpec>,
    pub runtimes: &'static Runtimes,
    /// Bytes kept per output stream of one run; the rest is dropped and flagged.
    pub output_limit: usize,
    /// Flips to true once, when the sandbox is killed; every run watches it.
    killed: watch::Receiver<bool>,
    /// Runs in progress (each holds a [`RunGuard`]).
    active: Arc<AtomicUsize>,
    /// Runs started so far, and when the last one started in ms since the epoch, 0 for never
    /// (the agent's metrics; atomics, as every run passes here).
    started: Arc<(AtomicU64, AtomicU64)>,
    next_file: Arc<AtomicU64>,
}

impl RunContext {
    /// A context whose runs stop when `killed` turns true.
    pub fn new(
        isolator: Arc<dyn Isolator>,
        spec: Arc<SandboxSpec>,
        runtimes: &'static Runtimes,
        output_limit: usize,
        killed: watch::Receiver<bool>,
    ) -> RunContext {
        RunContext {
            isolator,
            spec,
            runtimes,
            output_limit,
            killed,
            active: Default::default(),
            started: Default::default(),
            next_file: Arc::new(AtomicU64::new(1)),
        }
    }

    /// A receiver that turns true when the sandbox is killed.
    pub fn kill_signal(&self) -> watch::Receiver<bool> {
        self.killed.clone()
    }

    /// Whether the sandbox was killed.
    pub fn is_killed(&self) -> bool {
        *self.killed.borrow()
    }

    /// Held for the length of a run, so a kill can wait for the run to end.
    pub fn guard(&self) -> RunGuard {
        self.active.fetch_add(1, Ordering::AcqRel);
        self.started.0.fetch_add(1, Ordering::Relaxed);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_millis().max(1) as u64);
        self.started.1.store(now, Ordering::Relaxed);
        RunGuard(self.active.clone())
    }

    /// Whether no run is in progress.
    pub fn idle(&self) -> bool {
        self.active() == 0
    }

    /// How many runs are in progress.
    pub fn active(&self) -> usize {
        self.active.load(Ordering::Acquire)
    }

    /// How many runs have started, and when the last one did.
    pub fn started(&self) -> (u64, Option<SystemTime>) {
        let ms = self.started.1.load(Ordering::Relaxed);
        let last = (ms > 0).then(|| UNIX_EPOCH + std::time::Duration::from_millis(ms));
        (self.started.0.load(Ordering::Relaxed), last)
    }

    /// A unique name for a code file of one run.
    pub fn next_file_name(&self, ext: &str) -> String {
        format!("run-{}.{ext}", self.next_file.fetch_add(1, Ordering::Relaxed))
    }
}

/// One run in progress; dropping it ends the run as far as a kill is concerned.
pub struct RunGuard(Arc<AtomicUsize>);

impl Drop for RunGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Resolves once the flag is true (never holding the channel's lock across an await).
pub async fn until_true(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spawn::PlainIsolator;

    #[test]
    fn a_kill_waits_for_runs_not_for_copies_of_the_context() {
        fn none<T>() -> Result<T, String> {
            Err("not here".into())
        }
        let runtimes =
            Box::leak(Box::new(Runtimes { python: none(), node: none(), bash: none(), go: none() }));
        let spec = SandboxSpec {
            id: "t".into(),
            workspace: "/nowhere/workspace".into(),
            tmp: "/nowhere/tmp".into(),
            ro_paths: Vec::new(),
            network: false,
            limits: Default::default(),
            seed: Default::default(),
        };
        let (kill, killed) = watch::channel(false);
        let ctx = RunContext::new(Arc::new(PlainIsolator::new()), Arc::new(spec), runtimes, 1, killed);
        let copy = ctx.clone();
        assert!(ctx.idle(), "a copy of the context is not a run");
        let run = copy.guard();
        assert!(!ctx.idle());
        drop(run);
        assert!(ctx.idle());
        assert!(!copy.is_killed());
        kill.send_replace(true);
        assert!(copy.is_killed());
        assert_ne!(ctx.next_file_name("py"), copy.next_file_name("py"), "file names are per sandbox");
    }
}

//! Warm kernels: started ahead of time so a new `code-interpreter` sandbox answers its first
//! Python call without paying the interpreter and IPython start (~0.3-0.8 s).
//!
//! A pooled kernel already lives in its future sandbox's directories and isolation; `create`
//! adopts both. Only sandboxes with the default settings (no network) can take one.

use crate::exec::kernel::Kernel;
use crate::spawn::SandboxSpec;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// Ready kernels with the sandbox spec each was started in.
#[derive(Default)]
pub struct KernelPool {
    ready: Mutex<Vec<(Arc<SandboxSpec>, Kernel)>>,
    filling: AtomicBool,
    /// A create is waiting for the kernel the refill is starting (see [`KernelPool::take_or_wait`]).
    claimed: AtomicBool,
    /// A kernel was put, or the refill ended.
    changed: Notify,
}

impl KernelPool {
    /// Takes a live kernel, dropping any that died while waiting.
    pub fn take(&self) -> Option<(Arc<SandboxSpec>, Kernel)> {
        let mut ready = self.ready.lock().unwrap();
        while let Some((spec, kernel)) = ready.pop() {
            if !kernel.has_exited() {
                return Some((spec, kernel));
            }
            kernel.shutdown();
        }
        None
    }

    /// Number of kernels waiting.
    pub fn len(&self) -> usize {
        self.ready.lock().unwrap().len()
    }

    /// Adds a started kernel.
    pub fn put(&self, spec: Arc<SandboxSpec>, kernel: Kernel) {
        self.ready.lock().unwrap().push((spec, kernel));
        self.changed.notify_waiters();
    }

    /// A waiting kernel, or, while the refill is starting one that no other create has
    /// claimed, that one when it is ready (at most `limit` away). A fresh engine's first
    /// sandbox then waits for the kernel already starting instead of starting a second one
    /// that competes with it for the CPU. Other creates do not queue behind it: they start
    /// kernels of their own, in parallel, as before.
    pub async fn take_or_wait(&self, limit: Duration) -> Option<(Arc<SandboxSpec>, Kernel)> {
        if let Some(found) = self.take() {
            return Some(found);
        }
        if !self.filling.load(Ordering::Acquire) || self.claimed.swap(true, Ordering::AcqRel) {
            return None;
        }
        let deadline = tokio::time::Instant::now() + limit;
        let found = loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(found) = self.take() {
                break Some(found);
            }
            if !self.filling.load(Ordering::Acquire)
                || tokio::time::timeout_at(deadline, changed).await.is_err()
            {
                break None;
            }
        };
        self.claimed.store(false, Ordering::Release);
        found
    }

    /// Marks a refill as running; false if one already is.
    pub fn begin_fill(&self) -> bool {
        !self.filling.swap(true, Ordering::AcqRel)
    }

    /// Marks the refill as done.
    pub fn end_fill(&self) {
        self.filling.store(false, Ordering::Release);
        self.changed.notify_waiters();
    }

    /// Stops every waiting kernel; returns their specs so their files can be released.
    pub fn drain(&self) -> Vec<Arc<SandboxSpec>> {
        let mut ready = self.ready.lock().unwrap();
        ready
            .drain(..)
            .map(|(spec, kernel)| {
                kernel.shutdown();
                spec
            })
            .collect()
    }
}

//! Warm kernels: started ahead of time so a new `code-interpreter` sandbox answers its first
//! Python call without paying the interpreter and IPython start (~0.3-0.8 s).
//!
//! A pooled kernel already lives in its future sandbox's directories and isolation; `create`
//! adopts both. Only sandboxes with the default settings (no network) can take one.

use crate::exec::kernel::Kernel;
use crate::spawn::SandboxSpec;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Ready kernels with the sandbox spec each was started in.
#[derive(Default)]
pub struct KernelPool {
    ready: Mutex<Vec<(Arc<SandboxSpec>, Kernel)>>,
    filling: AtomicBool,
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
    }

    /// Marks a refill as running; false if one already is.
    pub fn begin_fill(&self) -> bool {
        !self.filling.swap(true, Ordering::AcqRel)
    }

    /// Marks the refill as done.
    pub fn end_fill(&self) {
        self.filling.store(false, Ordering::Release);
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

//! Process-wide state that a forked child must not inherit as it is.
//!
//! Python programs fork (`os.fork`, multiprocessing's default start method on Linux). The child
//! gets a copy of this memory, but none of the other threads: a lock one of them held at the
//! fork stays locked forever, and pooled connections belong to the parent. A [`PerProcess`]
//! value is made again, from scratch or from a careful copy, the first time a process that did
//! not make it asks for it.

use std::sync::atomic::{AtomicPtr, Ordering};

/// A lazily made value of which each process has its own.
pub struct PerProcess<T> {
    /// The owning pid and the value; replaced (and the old one leaked: it may be in use by a
    /// thread of the parent that exists only in the parent) when another process asks.
    slot: AtomicPtr<(u32, T)>,
}

impl<T> PerProcess<T> {
    pub const fn new() -> Self {
        PerProcess { slot: AtomicPtr::new(std::ptr::null_mut()) }
    }
}

impl<T> Drop for PerProcess<T> {
    /// Frees this process's value; one inherited from a parent is left alone (dropping it
    /// could take a lock a thread of the parent held at the fork).
    fn drop(&mut self) {
        let current = *self.slot.get_mut();
        // SAFETY: a non-null slot points to a leaked Box; we own it if we made it.
        if !current.is_null() && unsafe { (*current).0 } == std::process::id() {
            drop(unsafe { Box::from_raw(current) });
        }
    }
}

impl<T> Default for PerProcess<T> {
    fn default() -> Self {
        Self::new()
    }
}

// `get` hands out `&T` to any thread, hence the bounds (the atomic alone would not ask for them).
impl<T: Send + Sync> PerProcess<T> {
    /// This process's value, made by `make` on first use here. `make` gets the value of the
    /// process this one was forked from, if any, to copy what is safe to copy. Threads racing
    /// on the first use may each call `make`; one value wins and the others are dropped.
    pub fn get(&self, make: impl Fn(Option<&T>) -> T) -> &T {
        let me = std::process::id();
        loop {
            let current = self.slot.load(Ordering::Acquire);
            // SAFETY: a non-null slot points to a leaked Box that is never freed.
            let inherited = unsafe { current.as_ref() };
            if let Some((owner, value)) = inherited {
                if *owner == me {
                    return value;
                }
            }
            let fresh = Box::into_raw(Box::new((me, make(inherited.map(|(_, v)| v)))));
            match self.slot.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
                // SAFETY: just stored; never freed from here on.
                Ok(_) => return unsafe { &(*fresh).1 },
                // Another thread of this process was first: use its value, drop ours.
                // SAFETY: `fresh` was never shared.
                Err(_) => drop(unsafe { Box::from_raw(fresh) }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn made_once_per_process() {
        static MADE: AtomicUsize = AtomicUsize::new(0);
        static VALUE: PerProcess<usize> = PerProcess::new();
        let threads: Vec<_> = (0..8)
            .map(|_| std::thread::spawn(|| *VALUE.get(|_| MADE.fetch_add(1, Ordering::SeqCst) + 100)))
            .collect();
        let seen: Vec<usize> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        // Racing threads may each make one, but all of them see the single winner.
        assert!(seen.iter().all(|&v| v == seen[0]), "{seen:?}");
        assert_eq!(*VALUE.get(|_| unreachable!("already made in this process")), seen[0]);
    }

    #[test]
    fn an_owned_value_is_freed_with_its_holder() {
        let shared = std::sync::Arc::new(());
        let holder = PerProcess::new();
        holder.get(|_| shared.clone());
        assert_eq!(std::sync::Arc::strong_count(&shared), 2);
        drop(holder);
        assert_eq!(std::sync::Arc::strong_count(&shared), 1);
    }

    #[test]
    fn a_forked_child_makes_its_own_from_the_parents() {
        static VALUE: PerProcess<std::sync::Mutex<u32>> = PerProcess::new();
        *VALUE.get(|_| std::sync::Mutex::new(7)).lock().unwrap() = 8;
        let mut fds = [0; 2];
        // SAFETY: pipe, then fork; the child only reads the value, writes and _exits.
        unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
            let pid = libc::fork();
            if pid == 0 {
                let v = VALUE.get(|prev| std::sync::Mutex::new(*prev.unwrap().lock().unwrap() + 1));
                let n = *v.lock().unwrap();
                libc::write(fds[1], (&n as *const u32).cast(), 4);
                libc::_exit(0);
            }
            let mut n = 0u32;
            assert_eq!(libc::read(fds[0], (&mut n as *mut u32).cast(), 4), 4);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
            assert_eq!(n, 9, "the child copies the parent's value and makes its own");
        }
        assert_eq!(*VALUE.get(|_| unreachable!()).lock().unwrap(), 8, "the parent's is untouched");
    }
}

//! Threads that touch a sandbox's files with the sandbox user's rights.
//!
//! Permission checks use the calling thread's file-system ids and groups, so a thread that
//! set its fsuid/fsgid to the sandbox user's host ids and dropped its supplementary groups
//! is refused exactly what the sandbox user is refused (moving the fsuid off root also clears
//! the thread's file capabilities: `CAP_DAC_OVERRIDE` and the like). These are thread-local
//! changes, made once per thread and never undone, so such threads do nothing else: each
//! job is sent to one of them. The engine's other threads keep their own rights.

use std::collections::HashMap;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

/// Threads per user: enough for a few calls at once; a job is one system call or a handful.
const THREADS: usize = 4;

type Job = Box<dyn FnOnce() + Send>;
/// The job queue of each user's threads.
type Pools = Mutex<HashMap<(u32, u32), Sender<Job>>>;

/// Runs `job` with file accesses checked as `user` (host uid, gid), or on a blocking thread
/// with the engine's own rights when `user` is `None`.
pub async fn run_as<T: Send + 'static>(
    user: Option<(u32, u32)>,
    job: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    let Some(user) = user else {
        return tokio::task::spawn_blocking(job).await.map_err(std::io::Error::other)?;
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let sender = pool(user)?;
    sender
        .send(Box::new(move || {
            let _ = tx.send(job());
        }))
        .map_err(|_| std::io::Error::other("the file worker threads are gone"))?;
    rx.await.map_err(|_| std::io::Error::other("a file worker thread failed"))?
}

/// The job queue of `user`'s threads, started on first use.
fn pool(user: (u32, u32)) -> std::io::Result<Sender<Job>> {
    static POOLS: OnceLock<Pools> = OnceLock::new();
    let mut pools = POOLS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(tx) = pools.get(&user) {
        return Ok(tx.clone());
    }
    let (tx, rx) = channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    for i in 0..THREADS {
        let rx = rx.clone();
        let (ready_tx, ready_rx) = channel();
        std::thread::Builder::new().name(format!("hopx-files-{i}")).spawn(move || {
            let became = become_user(user);
            let ok = became.is_ok();
            let _ = ready_tx.send(became);
            if ok {
                serve(&rx);
            }
        })?;
        ready_rx.recv().map_err(|_| std::io::Error::other("a file worker thread did not start"))??;
    }
    pools.insert(user, tx.clone());
    Ok(tx)
}

fn serve(rx: &Mutex<Receiver<Job>>) {
    loop {
        let job = match rx.lock().unwrap_or_else(|e| e.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        job();
    }
}

/// Makes the calling thread check file accesses as `uid`/`gid` with no supplementary groups.
fn become_user((uid, gid): (u32, u32)) -> std::io::Result<()> {
    // SAFETY: raw syscalls on this thread only (glibc's setgroups wrapper would change every
    // thread of the process; setfsuid/setfsgid are per-thread already).
    unsafe {
        // Changing the fs ids also makes the whole process non-dumpable (the kernel's rule for
        // any credential change): put back what the embedding process had. Threads start one
        // at a time (under the pools' lock), so no other change interleaves.
        let dumpable = libc::prctl(libc::PR_GET_DUMPABLE);
        if libc::syscall(libc::SYS_setgroups, 0, std::ptr::null::<libc::gid_t>()) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        libc::setfsgid(gid);
        libc::setfsuid(uid);
        // Each returns the previous id; an invalid id (-1) changes nothing, so it reads back.
        let (now_gid, now_uid) = (libc::setfsgid(u32::MAX) as u32, libc::setfsuid(u32::MAX) as u32);
        if dumpable > 0 {
            libc::prctl(libc::PR_SET_DUMPABLE, dumpable as libc::c_ulong);
        }
        if (now_uid, now_gid) != (uid, gid) {
            return Err(std::io::Error::other(format!(
                "cannot act as uid {uid} gid {gid} for the sandbox's files (now {now_uid}/{now_gid})"
            )));
        }
    }
    Ok(())
}

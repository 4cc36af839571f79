//! The long-lived spawner thread: every sandbox process is started from here.

use std::io;
use std::sync::mpsc;
use std::sync::OnceLock;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

fn sender() -> &'static mpsc::Sender<Job> {
    static SENDER: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    SENDER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("hopx-spawner".into())
            .spawn(move || {
                // This thread never exits while the process lives: children's PDEATHSIG is
                // tied to it.
                for job in rx {
                    job();
                }
            })
            .expect("cannot start the spawner thread");
        tx
    })
}

/// Runs `f` on the spawner thread and awaits its result.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> io::Result<T> + Send + 'static) -> io::Result<T> {
    let (tx, rx) = oneshot::channel();
    // Jobs register descriptors with the caller's runtime, so they run inside its context.
    let runtime = tokio::runtime::Handle::current();
    let job: Job = Box::new(move || {
        let _guard = runtime.enter();
        let _ = tx.send(f());
    });
    sender().send(job).map_err(|_| io::Error::other("the spawner thread is gone"))?;
    rx.await.map_err(|_| io::Error::other("the spawner thread dropped a job"))?
}

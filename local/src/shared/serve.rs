//! The shared engine's own process: what `_native.serve_shared()` (Python) and `serveShared()`
//! (Node) run after a client started them (`shared::start`).
//!
//! It serves on loopback with a fresh secret key, publishes its record, says `ready` on stdout
//! and then lives until SIGTERM or SIGINT, or until it has been idle (no sandbox, no client
//! request) for `HOPX_LOCAL_IDLE_EXIT` seconds, 600 by default: long enough that a user
//! running scripts one after another keeps a warm kernel, short enough that a forgotten engine
//! gives its memory back within minutes. On the way out it removes its record and kills its
//! sandboxes.

use super::place::{Place, Record};
use crate::{EngineConfig, Server};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Seconds without sandboxes or requests after which the engine exits.
const DEFAULT_IDLE_EXIT: u64 = 600;
/// How often the engine looks at its idle clock and for SIGTERM/SIGINT.
const TICK: Duration = Duration::from_millis(250);

/// Runs the shared engine described by the environment (`HOPX_LOCAL_SHARED_DIR`,
/// `HOPX_LOCAL_SHARED_ID`); never returns. Exit status 1 (with the reason on stderr) when it
/// cannot start.
pub fn serve() -> ! {
    // The name `pkill -x hopx-engine` and `ps` show, whichever program runs it.
    // SAFETY: PR_SET_NAME with a NUL-terminated string of at most 16 bytes.
    unsafe { libc::prctl(libc::PR_SET_NAME, c"hopx-engine".as_ptr()) };
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (Some(dir), Some(id)) = (var("HOPX_LOCAL_SHARED_DIR"), var("HOPX_LOCAL_SHARED_ID")) else {
        eprintln!("hopx-engine: HOPX_LOCAL_SHARED_DIR and HOPX_LOCAL_SHARED_ID must be set by the client");
        exit_now(1);
    };
    let idle = var("HOPX_LOCAL_IDLE_EXIT").and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_IDLE_EXIT);
    take_probe();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("hopx-engine")
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = rt.block_on(run(dir.into(), id, Duration::from_secs(idle.max(1))));
    exit_now(code)
}

/// Reads the probe of the sandbox Python that the client ran while this process started
/// (`shared::hand_probe`): a first line naming the Python, then its answer. Nothing, or
/// anything unreadable, and the engine probes as usual.
fn take_probe() {
    use std::io::Read;
    let mut input = Vec::new();
    let _ = std::io::stdin().take(4 << 20).read_to_end(&mut input);
    if let Some(newline) = input.iter().position(|b| *b == b'\n') {
        let answer = input.split_off(newline + 1);
        input.pop();
        if let Ok(hint) = String::from_utf8(input) {
            crate::exec::language::preset_probe(hint.into(), answer);
        }
    }
}

/// Ends the process without running the host's exit handlers: the interpreter that loaded us
/// (Node's V8 threads, above all) spins or hangs tearing itself down under running threads.
/// Nothing is left to flush: the sandboxes are gone and stderr is unbuffered.
fn exit_now(code: i32) -> ! {
    // SAFETY: _exit only ends the process.
    unsafe { libc::_exit(code) }
}

async fn run(dir: std::path::PathBuf, id: String, idle_exit: Duration) -> i32 {
    let place = match Place::at(dir) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("hopx-engine: {e}");
            return 1;
        }
    };
    let api_key = crate::ids::secret();
    let config = EngineConfig { api_key: Some(api_key.clone()), ..EngineConfig::from_env() };
    let server = match Server::start(config, ([127, 0, 0, 1], 0).into()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("hopx-engine: cannot serve on loopback: {e}");
            return 1;
        }
    };
    let pid = std::process::id() as i32;
    let record = Record {
        version: env!("CARGO_PKG_VERSION").to_string(),
        id: id.clone(),
        pid,
        base_url: server.base_url(),
        api_key,
    };
    if let Err(e) = place.write(&record) {
        eprintln!("hopx-engine: cannot publish its address in {}: {e}", place.dir.display());
        return 1;
    }
    println!("ready {pid}");
    detach_stdout();
    eprintln!("hopx-engine {pid}: serving {} for {}", record.base_url, place.dir.display());
    let stop = stop_on_signals();
    let mut tick = tokio::time::interval(TICK.min(idle_exit));
    let _lock = loop {
        tick.tick().await;
        if stop.load(Ordering::Relaxed) {
            break None;
        }
        if server.engine.idle_for().is_none_or(|idle| idle < idle_exit) {
            continue;
        }
        // Under the lock, so that a client starting an engine now waits for this one
        // to be gone, and sees no record of it, instead of finding it closing.
        let Ok(Some(lock)) = place.lock(&id, false) else { continue };
        // A client that read the record just before it went away checks the engine
        // (an authenticated request) before using it: give that check a moment to
        // land, and stay if one did.
        place.remove_if_mine(&id, pid);
        tokio::time::sleep(Duration::from_millis(200)).await;
        if server.engine.idle_for().is_some_and(|idle| idle >= idle_exit) {
            eprintln!("hopx-engine {pid}: idle for {} s, exiting", idle_exit.as_secs());
            break Some(lock);
        }
        if let Err(e) = place.write(&record) {
            eprintln!("hopx-engine {pid}: cannot publish its address again: {e}");
            break Some(lock);
        }
    };
    place.remove_if_mine(&id, pid);
    server.shutdown().await;
    0
}

/// A flag that SIGTERM and SIGINT set. Not tokio's signal streams: in a Node host, napi's own
/// tokio runtime shares their registry, and a SIGTERM then never reached this loop (and the
/// two runtimes spun). A handler that stores a flag is all a signal handler may safely do.
pub(crate) fn stop_on_signals() -> &'static AtomicBool {
    static STOP: AtomicBool = AtomicBool::new(false);
    extern "C" fn on_signal(_: libc::c_int) {
        STOP.store(true, Ordering::Relaxed);
    }
    for sig in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: installs a handler that only stores to an atomic.
        unsafe { libc::signal(sig, on_signal as *const () as libc::sighandler_t) };
    }
    &STOP
}

/// Points stdout at /dev/null once `ready` is out: the client reads one line and closes its end,
/// and a later write must not fail or raise SIGPIPE.
fn detach_stdout() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        use std::os::fd::AsRawFd;
        // SAFETY: dup2 onto fd 1 from a descriptor we own.
        unsafe { libc::dup2(null.as_raw_fd(), 1) };
    }
}

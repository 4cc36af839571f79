//! `hopx-sandbox <plan-fd>`: the helper the engine execs to make a sandbox and for every
//! process in one. It reads its [`PlanSpec`] from the memfd at `<plan-fd>` and runs it (see
//! `lib.rs`); everything it reports goes back on the plan's status pipe. `--check` only
//! proves the helper can be executed here.

use hopx_sandbox::child;
use hopx_sandbox::plan::PlanSpec;
use std::os::fd::FromRawFd;
use std::os::unix::fs::FileExt;

fn main() {
    // Named for `ps` (exec'd through /proc/self/fd/N, it would otherwise show as "N").
    // SAFETY: PR_SET_NAME with a NUL-terminated name of at most 16 bytes.
    unsafe { libc::prctl(libc::PR_SET_NAME, c"hopx-sandbox".as_ptr()) };
    let arg = std::env::args().nth(1).unwrap_or_default();
    if arg == "--check" {
        return;
    }
    let Ok(fd) = arg.parse::<i32>() else {
        eprintln!("hopx-sandbox: started by the HopX engine only (usage: hopx-sandbox <plan-fd>)");
        std::process::exit(2);
    };
    // SAFETY: the engine hands us this descriptor; from here on we own it.
    let file = unsafe { std::fs::File::from_raw_fd(fd) };
    let mut data = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        // Positional reads: the file offset is shared with the engine's copy of the memfd.
        match file.read_at(&mut buf, data.len() as u64) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => die(&format!("cannot read the plan: {e}")),
        }
    }
    drop(file);
    let spec = PlanSpec::decode(&data).unwrap_or_else(|e| die(&e.to_string()));
    // The engine built this same plan before sending it, so this fails only if the host
    // changed in between (a read-only path removed): report it like any set-up failure.
    let mut plan = spec
        .build()
        .unwrap_or_else(|e| child::fail(spec.fds.status, "plan", e.raw_os_error().unwrap_or(libc::EINVAL)));
    hopx_sandbox::run(&mut plan)
}

fn die(message: &str) -> ! {
    eprintln!("hopx-sandbox: {message}");
    std::process::exit(127)
}

//! Internet access for a sandbox that does not include the host: every sandbox has a network
//! namespace of its own, and one with `internet_access` gets a user-mode network stack
//! (`slirp4netns`, as rootless containers use) attached to it. The sandbox sees a `tap0`
//! interface (10.0.2.100, gateway 10.0.2.2, DNS 10.0.2.3); its connections leave as ordinary
//! sockets of the slirp process on the host. `--disable-host-loopback` keeps the gateway from
//! leading to the host's `127.0.0.1`, and the sandbox's own loopback and abstract unix sockets
//! stay its own (both belong to its network namespace), so services listening only on the
//! host's loopback, and the host's abstract sockets (X11, D-Bus), are out of reach.
//!
//! The slirp process is posix_spawned (never forked from the embedding process, see
//! `spawn/helper.rs`), ends when the engine closes its exit pipe (the engine's death closes it
//! too), and is killed and reaped with its sandbox.

use super::super::helper::{self, pipe, read_until};
use super::super::which;
use std::ffi::CString;
use std::io::{self, Read, Seek};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long slirp4netns may take to configure the sandbox's interface.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// The `slirp4netns` binary: `HOPX_LOCAL_SLIRP4NETNS`, else the first on PATH; an error
/// saying why where sandboxes cannot have it (not installed, or no usable `/dev/net/tun`).
pub fn find() -> Result<PathBuf, String> {
    let program = find_program()?;
    // slirp4netns makes the sandbox's tap device through /dev/net/tun, opened with the
    // engine's host uid: some machines (containers, hardened hosts) keep it root-only.
    if let Err(e) = std::fs::OpenOptions::new().read(true).write(true).open("/dev/net/tun") {
        return Err(format!(
            "sandboxes reach the internet through slirp4netns, which needs /dev/net/tun, and this \
             user cannot open it ({e}); run the engine as root or make the device usable (mode 0666)"
        ));
    }
    Ok(program)
}

fn find_program() -> Result<PathBuf, String> {
    use std::os::unix::fs::PermissionsExt;
    match std::env::var_os("HOPX_LOCAL_SLIRP4NETNS").filter(|v| !v.is_empty()) {
        Some(p) => {
            let path = PathBuf::from(p);
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => Ok(path),
                _ => Err(format!("HOPX_LOCAL_SLIRP4NETNS={} is not an executable file", path.display())),
            }
        }
        None => which("slirp4netns").ok_or_else(|| {
            "sandboxes reach the internet through slirp4netns, which is not installed \
             (apt-get install slirp4netns, or set HOPX_LOCAL_SLIRP4NETNS)"
                .to_string()
        }),
    }
}

/// The user-mode network of one sandbox; dropping it takes the sandbox offline.
pub struct Slirp {
    pid: i32,
    /// Closing it tells slirp4netns to exit.
    _exit: OwnedFd,
}

impl Slirp {
    /// Attaches a network to the namespaces of `init` (the sandbox's holder, a host pid) and
    /// returns once the sandbox's interface is up. Blocks for a few milliseconds.
    pub fn attach(program: &std::path::Path, init: i32) -> io::Result<Slirp> {
        let (ready_r, ready_w) = pipe()?;
        let (exit_r, exit_w) = pipe()?;
        let log = memfd()?;
        let null = std::fs::File::open("/dev/null")?;
        // The child's descriptors: 0 null, 1 null, 2 the log, 3 ready, 4 exit.
        let moves = [
            (null.as_raw_fd(), 0),
            (null.as_raw_fd(), 1),
            (log.as_raw_fd(), 2),
            (ready_w.as_raw_fd(), 3),
            (exit_r.as_raw_fd(), 4),
        ];
        let mut args = vec![
            "--configure".to_string(),
            "--mtu=65520".into(),
            "--disable-host-loopback".into(),
            "--ready-fd=3".into(),
            "--exit-fd=4".into(),
            format!("--userns-path=/proc/{init}/ns/user"),
        ];
        // As root, slirp4netns confines itself (an empty root, no capabilities, seccomp):
        // it parses packets the sandbox writes.
        // SAFETY: geteuid has no failure mode.
        if unsafe { libc::geteuid() } == 0 {
            args.extend(["--enable-sandbox".into(), "--enable-seccomp".into()]);
        }
        args.extend([init.to_string(), "tap0".into()]);
        let c = |s: &str| CString::new(s).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput));
        let path = CString::new(program.as_os_str().as_encoded_bytes())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        let argv = std::iter::once("slirp4netns").chain(args.iter().map(|s| s.as_str())).map(c);
        let argv = argv.collect::<io::Result<Vec<_>>>()?;
        let pid = helper::spawn_program(&path, &argv, &moves)?;
        drop((ready_w, exit_r, null));
        let slirp = Slirp { pid, _exit: exit_w };
        let mut byte = [0u8; 1];
        match read_until(&ready_r, &mut byte, Instant::now() + READY_TIMEOUT) {
            Ok(1) => Ok(slirp),
            outcome => {
                drop(slirp);
                let said = read_log(log);
                let why = match outcome {
                    Err(e) => e.to_string(),
                    _ => "it exited".to_string(),
                };
                Err(io::Error::other(format!(
                    "cannot give the sandbox internet access: slirp4netns failed ({why}): {}",
                    said.trim()
                )))
            }
        }
    }
}

impl Slirp {
    /// Ends the network without waiting for it: removing the sandbox's network device takes
    /// the kernel's network-wide lock and an RCU grace period (some 20 ms each, one at a time),
    /// which must not hold up the caller (an async runtime's thread, a burst of kills).
    pub fn end_in_background(self) {
        // SIGKILL now, so no packet moves from here on; only the reaping waits in the thread.
        // SAFETY: kill(2) on our own child, not yet reaped.
        unsafe { libc::kill(self.pid, libc::SIGKILL) };
        // Should the thread not start, the closure is dropped here, and with it the network.
        let spawned = std::thread::Builder::new().name("hopx-slirp-end".into()).spawn(move || drop(self));
        if let Err(e) = spawned {
            tracing::warn!("ended a sandbox network in the foreground: no thread for it ({e})");
        }
    }
}

impl Drop for Slirp {
    fn drop(&mut self) {
        // SAFETY: SIGKILL and reap our own child.
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            libc::waitpid(self.pid, std::ptr::null_mut(), 0);
        }
    }
}

/// An in-memory file for slirp4netns's messages, read only when it fails.
fn memfd() -> io::Result<std::fs::File> {
    // SAFETY: memfd_create with a valid name; a new descriptor or -1.
    let fd = unsafe { libc::memfd_create(c"hopx-slirp-log".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor we own.
    Ok(unsafe { std::fs::File::from_raw_fd(fd) })
}

fn read_log(mut log: std::fs::File) -> String {
    let mut text = String::new();
    let _ = log.rewind();
    let _ = log.take(4096).read_to_string(&mut text);
    text
}

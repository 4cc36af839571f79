//! The engine's side of a connection into a sandbox's own loopback (a preview URL's forward).
//!
//! A socket belongs to the network namespace it is made in, and the engine, a multi-threaded
//! process, cannot enter a sandbox's: unprivileged, that needs its user namespace first, which
//! the kernel refuses to a process with threads. So the helper is exec'd once per connection
//! (`sandbox/src/connect.rs`): it enters the network namespace, connects, sends the socket
//! back and exits, a few milliseconds in all.

use super::holder::Holder;
use crate::spawn::helper::{self, pipe, read_status, SETUP_TIMEOUT};
use crate::spawn::pidfd;
use hopx_sandbox::plan::{Mode, PlanSpec};
use hopx_sandbox::sys;
use hopx_sandbox::uidmap::IdMode;
use std::io;
use std::net::TcpStream;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::time::Instant;

/// Connects to `127.0.0.1:port` in the sandbox that `holder` keeps. Blocks until the helper
/// is done; any thread may call it (unlike other starts, which need the spawner thread for
/// PDEATHSIG: this thread waits for the helper's end, so it cannot die before the helper).
pub fn connect(holder: &Holder, ids: IdMode, port: u16) -> io::Result<TcpStream> {
    let (status_r, status_w) = pipe()?;
    let (reply, reply_w) = UnixStream::pair()?;
    // SAFETY: getpid has no failure mode.
    let engine = pidfd::open(unsafe { libc::getpid() })?;
    let mut spec = PlanSpec::empty(Mode::Connect, ids);
    spec.port = port;
    spec.fds.status = status_w.as_raw_fd();
    spec.fds.engine_pidfd = engine.as_raw_fd();
    spec.fds.holder = holder.pidfd().as_raw_fd();
    spec.fds.reply = reply_w.as_raw_fd();
    let pid = helper::spawn(&spec)?;
    // Ours closed, the status pipe's end of file means the helper is gone.
    drop((status_w, reply_w, engine));
    let status = read_status(&status_r, Instant::now() + SETUP_TIMEOUT);
    // The helper has exited, or is stuck (a full backlog) and we gave up: SIGKILL ends the
    // second and changes nothing for the first; both are reaped.
    helper::abandon(pid);
    let status = status?;
    if let Some((stage, errno)) = &status.failed {
        let os = io::Error::from_raw_os_error(*errno);
        // The kind stays the errno's (ConnectionRefused where nothing listens).
        return Err(match stage.as_str() {
            "connect" => {
                io::Error::new(os.kind(), format!("cannot connect to port {port} in the sandbox: {os}"))
            }
            _ => status.error.unwrap_or(os),
        });
    }
    match sys::recv_fd(reply.as_raw_fd()) {
        // SAFETY: a descriptor the kernel just gave us: a connected TCP socket.
        Ok(fd) => Ok(TcpStream::from(unsafe { OwnedFd::from_raw_fd(fd) })),
        Err(e) => Err(io::Error::other(format!(
            "the sandbox helper sent no connection: {}",
            io::Error::from_raw_os_error(e)
        ))),
    }
}

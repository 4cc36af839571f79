//! An interactive bash in a pseudo-terminal inside the sandbox (`/terminal`).
//!
//! The engine opens the pty pair and keeps the master; the slave is the program's only
//! terminal, handed over as a descriptor (the sandbox has no view of the host's `/dev/pts`,
//! and the engine creates nothing in the sandbox's file system). The shell makes it its
//! standard streams and its controlling terminal (`setsid --ctty`, so that Ctrl-C and job
//! control work), and runs as any process of the sandbox does: its user, its namespaces, its
//! limits. It ends when the client leaves, the shell exits or the sandbox is killed.

use super::context::RunContext;
use super::env::run_env;
use super::Language;
use crate::spawn::{self, Command, ExitInfo, ProcessControl};
use std::collections::BTreeMap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use tokio::io::unix::AsyncFd;

/// Bash's start, with the pty's slave as fd 3: make it fds 0-2, then a login-like
/// interactive shell in a session whose controlling terminal it is. Without util-linux's
/// `setsid` the shell still works, without job control.
const SHELL_START: &str = "exec 0<&3 1>&3 2>&3 3>&-; \
    if command -v setsid >/dev/null; then exec setsid --wait --ctty bash -i; fi; exec bash -i";

/// A terminal's size in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub cols: u16,
    pub rows: u16,
}

impl Default for Size {
    fn default() -> Self {
        Size { cols: 80, rows: 24 }
    }
}

/// A running shell and the engine's end of its terminal.
pub struct Terminal {
    master: AsyncFd<OwnedFd>,
    control: Box<dyn ProcessControl>,
}

impl Terminal {
    /// Starts bash on a fresh pty of `size`, with the sandbox's variables `env`.
    pub async fn start(
        ctx: &RunContext,
        env: &BTreeMap<String, String>,
        size: Size,
    ) -> Result<Terminal, String> {
        let bash = ctx.runtimes.binary(Language::Bash)?.to_path_buf();
        let (master, slave) = open_pty(size).map_err(|e| format!("cannot open a terminal: {e}"))?;
        let mut vars = env.clone();
        vars.entry("TERM".into()).or_insert_with(|| "xterm-256color".into());
        let command = Command {
            program: bash,
            args: vec!["-c".into(), SHELL_START.into()],
            env: run_env(ctx.runtimes, Language::Bash, &vars),
            cwd: spawn::WORKSPACE.into(),
            stdin: false,
            extra_fds: vec![slave],
            code: None,
        };
        let process = spawn::spawn(&ctx.isolator, &ctx.spec, command)
            .await
            .map_err(|e| format!("cannot start the shell: {e}"))?;
        // The shell writes to the terminal only; its own pipes carry nothing.
        drop((process.stdout, process.stderr, process.stdin));
        // SAFETY: `master` is an open descriptor we own, moved into the AsyncFd.
        let master =
            unsafe { AsyncFd::register(master) }.map_err(|e| format!("cannot watch the terminal: {e}"))?;
        Ok(Terminal { master, control: process.control })
    }

    /// The next output, at most `buf.len()` bytes; 0 once the shell and everything it started
    /// closed the terminal.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut guard = self.master.readable().await?;
            match guard.try_io(|fd| read(fd.get_ref(), buf)) {
                Ok(Err(e)) if e.raw_os_error() == Some(libc::EIO) => return Ok(0),
                Ok(result) => return result,
                Err(_would_block) => continue,
            }
        }
    }

    /// Types `data` into the terminal.
    pub async fn write(&self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let mut guard = self.master.writable().await?;
            match guard.try_io(|fd| write(fd.get_ref(), data)) {
                Ok(Ok(n)) => data = &data[n..],
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => continue,
            }
        }
        Ok(())
    }

    /// Sets the terminal's size; the program in front gets SIGWINCH.
    pub fn resize(&self, size: Size) -> io::Result<()> {
        let ws = winsize(size);
        // SAFETY: TIOCSWINSZ on our pty master with a valid winsize.
        check(unsafe { libc::ioctl(self.master.get_ref().as_raw_fd(), libc::TIOCSWINSZ, &ws) })
    }

    /// Waits for the shell to end.
    pub async fn wait(&self) -> ExitInfo {
        self.control.wait().await
    }

    /// Ends the shell and everything it started.
    pub async fn stop(&self) -> ExitInfo {
        self.control.kill_tree();
        self.control.wait().await
    }
}

fn winsize(size: Size) -> libc::winsize {
    libc::winsize { ws_row: size.rows, ws_col: size.cols, ws_xpixel: 0, ws_ypixel: 0 }
}

/// A pty pair: the master non-blocking and close-on-exec, the slave close-on-exec (it is
/// handed to the shell explicitly).
fn open_pty(size: Size) -> io::Result<(OwnedFd, OwnedFd)> {
    let (mut master, mut slave) = (-1, -1);
    let ws = winsize(size);
    // SAFETY: openpty with out-pointers to two ints and a valid winsize; no name buffer.
    check(unsafe {
        libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null_mut(), &ws)
    })?;
    // SAFETY: both descriptors are new and ours.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    for fd in [&master, &slave] {
        // SAFETY: fcntl on our own descriptors.
        check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) })?;
    }
    // SAFETY: as above.
    let flags = unsafe { libc::fcntl(master.as_raw_fd(), libc::F_GETFL) };
    check(flags)?;
    // SAFETY: as above.
    check(unsafe { libc::fcntl(master.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) })?;
    Ok((master, slave))
}

fn read(fd: &OwnedFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: reading into a valid buffer of its own length.
    let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

fn write(fd: &OwnedFd, data: &[u8]) -> io::Result<usize> {
    // SAFETY: writing from a valid buffer of its own length.
    let n = unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

fn check(r: i32) -> io::Result<()> {
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Splits `bytes` into the longest prefix of whole UTF-8 characters and the few bytes of a
/// character cut by the end of a read (kept for the next read). Invalid bytes become U+FFFD.
pub fn utf8_prefix(bytes: &[u8]) -> (String, Vec<u8>) {
    let cut = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        // `error_len() == None`: the input ends inside a character.
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => bytes.len(),
    };
    (String::from_utf8_lossy(&bytes[..cut]).into_owned(), bytes[cut..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_cut_by_a_read_wait_for_the_next() {
        let text = "héllo ✓".as_bytes();
        let (whole, rest) = utf8_prefix(&text[..text.len() - 1]);
        assert_eq!((whole.as_str(), rest.as_slice()), ("héllo ", &text[text.len() - 3..text.len() - 1]));
        assert_eq!(utf8_prefix(text), ("héllo ✓".to_string(), vec![]));
        assert_eq!(utf8_prefix(b"a\xffb").0, "a\u{fffd}b");
    }
}

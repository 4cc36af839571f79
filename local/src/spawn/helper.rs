//! Starting the `hopx-sandbox` helper, which becomes the sandbox's intermediate (or, without
//! isolation, the program itself): exec'd, never forked from the engine.
//!
//! The engine lives inside whatever embeds it, often a Python or Node process holding hundreds
//! of megabytes. `fork` copies that process's page tables and tears them down again, in every
//! process forked from it: measured with `examples/isolation_cost.rs`, an isolated `/bin/true`
//! went from 4.5 ms to 54 ms once the process held 100 MB. So the engine only ever
//! `posix_spawn`s (a vfork: nothing is copied) the small helper binary, embedded here at build
//! time and kept in a read-only memfd, and every later fork happens in the helper.

use hopx_sandbox::plan::{FdNumbers, PlanSpec};
use std::ffi::CString;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::raw::c_int;
use std::sync::OnceLock;
use std::time::Instant;

/// How long a process's set-up (up to its `exec`) may take before we give up on it.
pub const SETUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The helper binary, built by `build.rs` from the `sandbox` crate.
static HELPER: &[u8] = include_bytes!(env!("HOPX_SANDBOX_HELPER"));

/// A read-only descriptor of the helper in memory, made once per process.
fn executable() -> io::Result<&'static OwnedFd> {
    static EXE: OnceLock<Result<OwnedFd, String>> = OnceLock::new();
    EXE.get_or_init(|| load().map_err(|e| format!("cannot load the sandbox helper: {e}")))
        .as_ref()
        .map_err(|e| io::Error::other(e.clone()))
}

/// `MFD_EXEC` (Linux 6.3+, not in every libc crate): asks for an executable memfd where the
/// `vm.memfd_noexec=1` sysctl would make new memfds non-executable by default.
const MFD_EXEC: libc::c_uint = 0x0010;

fn load() -> io::Result<OwnedFd> {
    // SAFETY: memfd_create with a valid name; returns a new descriptor or -1.
    let mut fd = unsafe { libc::memfd_create(c"hopx-sandbox".as_ptr(), libc::MFD_CLOEXEC | MFD_EXEC) };
    if fd < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::EINVAL) {
        // A kernel older than 6.3 does not know the flag; its memfds are executable anyway.
        // SAFETY: as above.
        fd = unsafe { libc::memfd_create(c"hopx-sandbox".as_ptr(), libc::MFD_CLOEXEC) };
    }
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor we own.
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    file.write_all(HELPER)?;
    // exec refuses a file someone holds open for writing (ETXTBSY): keep a read-only
    // reopening and drop the writable descriptor.
    let path = CString::new(format!("/proc/self/fd/{fd}")).expect("no NUL");
    // SAFETY: open with a valid path.
    let ro = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if ro < 0 {
        return Err(io::Error::last_os_error());
    }
    drop(file);
    // SAFETY: a fresh descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(ro) })
}

/// Proves the helper can be executed on this machine (memfd, `/proc`, exec permission).
pub fn check() -> Result<(), String> {
    let exe = executable().map_err(|e| e.to_string())?;
    let pid = spawn_raw(exe, &[], &[c"--check".to_owned()])
        .map_err(|e| format!("cannot run the sandbox helper: {e}"))?;
    let mut status = 0;
    // SAFETY: waiting for our own child, again if a signal interrupts the wait.
    while unsafe { libc::waitpid(pid, &mut status, 0) } < 0 {
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return Err(format!("waiting for the sandbox helper: {}", io::Error::last_os_error()));
        }
    }
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        Ok(())
    } else {
        Err(format!("the sandbox helper failed its self-check (wait status {status})"))
    }
}

/// Starts the helper as the intermediate of `spec` and returns its pid. Must be called on the
/// spawner thread: the helper's PDEATHSIG follows the thread that spawned it.
///
/// `spec.fds` holds the engine's descriptor numbers; the helper receives them renumbered
/// above every descriptor involved (so no move overwrites a source still to be moved).
pub fn spawn(spec: &PlanSpec) -> io::Result<i32> {
    let exe = executable()?;
    let sources = spec.fds.all();
    let mut plan = plan_memfd()?;
    let highest = sources.iter().copied().chain([plan.as_raw_fd(), exe.as_raw_fd()]).max();
    let base = highest.unwrap_or(2).max(2) + 1;
    let slot = |fd: c_int| base + sources.iter().position(|&s| s == fd).expect("listed") as c_int;
    let mut theirs = spec.clone();
    theirs.fds = spec.fds.map(slot);
    plan.write_all(&theirs.encode())?;
    let plan_slot = base + sources.len() as c_int;
    let mut moves: Vec<(c_int, c_int)> = sources.iter().map(|&fd| (fd, slot(fd))).collect();
    moves.push((plan.as_raw_fd(), plan_slot));
    spawn_raw(exe, &moves, &[CString::new(plan_slot.to_string()).expect("digits")])
}

/// An anonymous in-memory file for one plan (a pipe could fill up and block the spawner).
fn plan_memfd() -> io::Result<std::fs::File> {
    // SAFETY: memfd_create with a valid name.
    let fd = unsafe { libc::memfd_create(c"hopx-sandbox-plan".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor we own.
    Ok(unsafe { std::fs::File::from_raw_fd(fd) })
}

/// `posix_spawn` of the helper with `args`, an empty environment, an empty signal mask, and
/// each `(from, to)` of `moves` dup'ed into place (dup2 clears close-on-exec on `to`).
fn spawn_raw(exe: &OwnedFd, moves: &[(c_int, c_int)], args: &[CString]) -> io::Result<i32> {
    let path = CString::new(format!("/proc/self/fd/{}", exe.as_raw_fd())).expect("no NUL");
    let mut argv = vec![c"hopx-sandbox".to_owned()];
    argv.extend(args.iter().cloned());
    posix_spawn(&path, &argv, moves)
}

/// Starts another program the engine needs beside its sandboxes (such as slirp4netns) the
/// same way: `argv` in full, an empty environment, and each `(from, to)` of `moves` as the
/// child's descriptor `to` (any numbers, small ones included); nothing else is inherited.
pub fn spawn_program(path: &CString, argv: &[CString], moves: &[(c_int, c_int)]) -> io::Result<i32> {
    // Through slots above every number involved, so no move overwrites a source still to come.
    let highest = moves.iter().flat_map(|&(a, b)| [a, b]).max().unwrap_or(2);
    let base = highest.max(2) + 1;
    let mut staged: Vec<(c_int, c_int)> =
        moves.iter().enumerate().map(|(i, &(from, _))| (from, base + i as c_int)).collect();
    staged.extend(moves.iter().enumerate().map(|(i, &(_, to))| (base + i as c_int, to)));
    let slots: Vec<c_int> = (0..moves.len()).map(|i| base + i as c_int).collect();
    posix_spawn_with(path, argv, &staged, &slots)
}

fn posix_spawn(path: &CString, argv: &[CString], moves: &[(c_int, c_int)]) -> io::Result<i32> {
    posix_spawn_with(path, argv, moves, &[])
}

/// `posix_spawn` with `moves` dup'ed in order, then `closes` closed.
fn posix_spawn_with(
    path: &CString,
    args: &[CString],
    moves: &[(c_int, c_int)],
    closes: &[c_int],
) -> io::Result<i32> {
    let mut argv: Vec<*mut libc::c_char> = args.iter().map(|a| a.as_ptr().cast_mut()).collect();
    argv.push(std::ptr::null_mut());
    let envp: [*mut libc::c_char; 1] = [std::ptr::null_mut()];
    let check = |r: c_int| if r == 0 { Ok(()) } else { Err(io::Error::from_raw_os_error(r)) };
    // SAFETY: the posix_spawn family on zeroed structs we initialise and destroy here; every
    // pointer passed stays alive until posix_spawn returns.
    unsafe {
        let mut actions: libc::posix_spawn_file_actions_t = std::mem::zeroed();
        let mut attr: libc::posix_spawnattr_t = std::mem::zeroed();
        check(libc::posix_spawn_file_actions_init(&mut actions))?;
        if let Err(e) = check(libc::posix_spawnattr_init(&mut attr)) {
            libc::posix_spawn_file_actions_destroy(&mut actions);
            return Err(e);
        }
        let result = (|| {
            for &(from, to) in moves {
                check(libc::posix_spawn_file_actions_adddup2(&mut actions, from, to))?;
            }
            for &fd in closes {
                check(libc::posix_spawn_file_actions_addclose(&mut actions, fd))?;
            }
            let mut empty: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut empty);
            check(libc::posix_spawnattr_setsigmask(&mut attr, &empty))?;
            check(libc::posix_spawnattr_setflags(&mut attr, libc::POSIX_SPAWN_SETSIGMASK as libc::c_short))?;
            let mut pid = 0;
            check(libc::posix_spawn(&mut pid, path.as_ptr(), &actions, &attr, argv.as_ptr(), envp.as_ptr()))?;
            Ok(pid)
        })();
        libc::posix_spawn_file_actions_destroy(&mut actions);
        libc::posix_spawnattr_destroy(&mut attr);
        result
    }
}

/// A close-on-exec pipe: (read end, write end).
pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 into a 2-slot array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: two fresh descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// The pipes of one process being started, and a pidfd of the engine (the child checks it to
/// close the race with PDEATHSIG). Ends named `*_w` (and stdin's read end) go to the child.
pub struct Pipes {
    pub stdout: (OwnedFd, OwnedFd),
    pub stderr: (OwnedFd, OwnedFd),
    pub stdin: Option<(OwnedFd, OwnedFd)>,
    pub status: (OwnedFd, OwnedFd),
    pub engine_pidfd: OwnedFd,
}

/// What the engine keeps of [`Pipes`] once the child is started.
pub struct EngineEnds {
    pub stdin: Option<OwnedFd>,
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
    pub status: OwnedFd,
}

impl Pipes {
    pub fn new(stdin: bool) -> io::Result<Pipes> {
        Ok(Pipes {
            stdout: pipe()?,
            stderr: pipe()?,
            stdin: if stdin { Some(pipe()?) } else { None },
            status: pipe()?,
            // SAFETY: getpid has no failure mode.
            engine_pidfd: super::pidfd::open(unsafe { libc::getpid() })?,
        })
    }

    /// The child's descriptor numbers; `ready` and `go` are the id-map hand-shake's (-1 where
    /// there is none).
    pub fn child_fds(&self, extra: &[OwnedFd], ready: c_int, go: c_int) -> FdNumbers {
        FdNumbers {
            stdin: self.stdin.as_ref().map(|(r, _)| r.as_raw_fd()),
            stdout: self.stdout.1.as_raw_fd(),
            stderr: self.stderr.1.as_raw_fd(),
            extra: extra.iter().map(|f| f.as_raw_fd()).collect(),
            status: self.status.1.as_raw_fd(),
            ready,
            go,
            engine_pidfd: self.engine_pidfd.as_raw_fd(),
            holder: -1,
            code: -1,
            cgroups: Vec::new(),
            reply: -1,
        }
    }

    /// Closes the child's ends (so that end of file means the child is gone) and returns ours.
    pub fn into_engine_ends(self) -> EngineEnds {
        EngineEnds {
            stdin: self.stdin.map(|(_, w)| w),
            stdout: self.stdout.0,
            stderr: self.stderr.0,
            status: self.status.0,
        }
    }
}

/// Kills and reaps a child whose start-up failed.
pub fn abandon(pid: i32) {
    // SAFETY: our own unreaped child: SIGKILL, then reap it (anything it started dies with it).
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
}

/// What the children reported on the status pipe.
#[derive(Default)]
pub struct Status {
    pub init: Option<i32>,
    pub program: Option<i32>,
    pub error: Option<io::Error>,
    /// The step that failed and its errno, for callers that can say more about it.
    pub failed: Option<(String, i32)>,
}

impl Status {
    /// The set-up error, said in the words of what the user asked for where the step is one
    /// they chose (a working directory, a code file).
    pub fn explained(self, cwd: &str, code_file: Option<&str>) -> Option<io::Error> {
        let os = |errno: i32| io::Error::from_raw_os_error(errno);
        match self.failed {
            Some((stage, errno)) if stage == "chdir" => Some(io::Error::new(
                os(errno).kind(),
                format!("cannot use the working directory {cwd} in the sandbox: {}", os(errno)),
            )),
            Some((stage, errno)) if stage == "write the code file" => Some(io::Error::new(
                os(errno).kind(),
                format!(
                    "cannot write the code file {} in the sandbox: {}",
                    code_file.unwrap_or("?"),
                    os(errno)
                ),
            )),
            _ => self.error,
        }
    }
}

pub fn read_status(fd: &OwnedFd, deadline: Instant) -> io::Result<Status> {
    let mut all = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        let n = read_until(fd, &mut buf, deadline)?;
        if n == 0 {
            break;
        }
        all.extend_from_slice(&buf[..n]);
    }
    let mut status = Status::default();
    for line in String::from_utf8_lossy(&all).lines() {
        let (tag, rest) = line.split_at(line.len().min(1));
        match tag {
            "I" => status.init = rest.parse().ok(),
            "P" => status.program = rest.parse().ok(),
            "E" => {
                let (stage, errno) = rest.rsplit_once(':').unwrap_or((rest, "0"));
                let errno = errno.parse().unwrap_or(0);
                let os = io::Error::from_raw_os_error(errno);
                status.error =
                    Some(io::Error::new(os.kind(), format!("sandbox set-up failed at {stage}: {os}")));
                status.failed = Some((stage.to_string(), errno));
            }
            _ => {}
        }
    }
    Ok(status)
}

/// Blocking read with a deadline (the spawner thread must never hang on a stuck child).
pub fn read_until(fd: &OwnedFd, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "sandbox set-up timed out"));
        }
        let mut p = libc::pollfd { fd: fd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        let r = unsafe { libc::poll(&mut p, 1, left.as_millis().min(i32::MAX as u128) as i32) };
        if r < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return Err(io::Error::last_os_error());
        }
        if r <= 0 {
            continue;
        }
        // SAFETY: read into a valid buffer.
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return Err(io::Error::last_os_error());
        }
    }
}

pub fn write_byte(fd: &OwnedFd, b: u8) -> io::Result<()> {
    // SAFETY: one-byte write.
    if unsafe { libc::write(fd.as_raw_fd(), (&b as *const u8).cast(), 1) } != 1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

//! Starting a kernel: the shipped runner under the sandbox Python, inside the sandbox's
//! isolation, with two extra pipes (fd 3: requests in, fd 4: messages out).

use super::channel::Channel;
use super::frames::FrameWriter;
use super::streams::StreamRouter;
use crate::exec::output::Stream;
use crate::exec::Runtimes;
use crate::spawn::{self, Command, ExitInfo, Isolator, ProcessControl, SandboxSpec};
use std::collections::BTreeMap;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The runner program, shipped inside the engine and handed to `python -c` as text
/// (`local/runner/PROTOCOL.md`): the boot program, then the two modules it loads.
const BOOT: &str = include_str!("../../../runner/boot.py");
const PIPES: &str = include_str!("../../../runner/kernel_pipes.py");
const RUNNER: &str = include_str!("../../../runner/hopx_kernel.py");

/// How long a kernel may take to import IPython and say it is ready.
const START_LIMIT: Duration = Duration::from_secs(60);

/// A started kernel process and its channels.
pub struct Kernel {
    pub(super) control: Arc<dyn ProcessControl>,
    pub(super) writer: FrameWriter,
    pub(super) frames: Channel,
    pub(super) stdout: Arc<StreamRouter>,
    pub(super) stderr: Arc<StreamRouter>,
    pub(super) exit: watch::Receiver<Option<ExitInfo>>,
    pub(super) next_id: u64,
    /// The sentinel of a run whose caller went away before its end, settled before the next.
    pub(super) pending: Option<String>,
}

impl Kernel {
    /// Starts a kernel in `spec` and waits until it is ready.
    pub async fn start(
        isolator: &Arc<dyn Isolator>,
        spec: &Arc<SandboxSpec>,
        runtimes: &Runtimes,
    ) -> Result<Kernel, String> {
        let python = runtimes.python.as_ref().map_err(Clone::clone)?;
        let (req_read, req_write) = pipe()?;
        let (msg_read, msg_write) = pipe()?;
        // The runner picks its own matplotlib backend (inline figures), so no MPLBACKEND here.
        let mut env = crate::exec::env::run_env(runtimes, crate::exec::Language::Python, &BTreeMap::new());
        env.retain(|(k, _)| k != "MPLBACKEND");
        let command = Command {
            program: python.executable.clone(),
            args: vec!["-u".into(), "-c".into(), BOOT.into(), PIPES.into(), RUNNER.into()],
            env,
            cwd: spawn::WORKSPACE.to_string(),
            stdin: false,
            extra_fds: vec![req_read, msg_write],
            code: None,
        };
        let process = spawn::spawn(isolator, spec, command)
            .await
            .map_err(|e| format!("cannot start the Python kernel: {e}"))?;
        let control: Arc<dyn ProcessControl> = Arc::from(process.control);
        let io = |e: std::io::Error| format!("kernel pipes: {e}");
        let stdout = StreamRouter::spawn(process.stdout, Stream::Stdout).map_err(io)?;
        let stderr = StreamRouter::spawn(process.stderr, Stream::Stderr).map_err(io)?;
        let (exit_tx, exit) = watch::channel(None);
        let waiter = control.clone();
        tokio::spawn(async move {
            let info = waiter.wait().await;
            let _ = exit_tx.send(Some(info));
        });
        let frames = Channel::spawn(msg_read, control.clone()).map_err(io)?;
        let mut kernel = Kernel {
            control,
            writer: FrameWriter::new(req_write).map_err(io)?,
            frames,
            stdout,
            stderr,
            exit,
            next_id: 1,
            pending: None,
        };
        // Collect start-up errors (a failed import) to explain a kernel that never gets ready.
        kernel.stderr.begin("\0never\0", 64 * 1024, None);
        let ready = tokio::time::timeout(START_LIMIT, kernel.wait_ready()).await;
        let startup_err = kernel.stderr.finish().text;
        match ready {
            Ok(true) => Ok(kernel),
            Ok(false) => {
                kernel.shutdown();
                Err(format!("the Python kernel exited during start-up: {}", startup_err.trim()))
            }
            Err(_) => {
                kernel.shutdown();
                Err(format!("the Python kernel was not ready within {} s", START_LIMIT.as_secs()))
            }
        }
    }

    async fn wait_ready(&mut self) -> bool {
        while let Some(frame) = self.frames.recv().await {
            if frame["type"] == "ready" {
                return true;
            }
        }
        false
    }

    /// Whether the process has ended.
    pub fn has_exited(&self) -> bool {
        self.exit.borrow().is_some()
    }

    /// Why this kernel cannot take another run, if it cannot.
    pub fn unusable(&self) -> Option<String> {
        if let Some(why) = self.frames.broken() {
            return Some(format!("its messages could not be trusted: {why}"));
        }
        self.has_exited().then(|| "it exited".to_string())
    }

    /// Sends SIGKILL to the kernel and everything it started, without waiting.
    pub fn kill_now(&self) {
        self.control.kill_tree();
    }

    /// Stops the kernel and everything it started.
    pub fn shutdown(self) {
        self.control.kill_tree();
    }
}

/// A pipe whose ends are close-on-exec in the engine (the spawner places the child's end).
fn pipe() -> Result<(OwnedFd, OwnedFd), String> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| format!("cannot make a pipe: {e}"))
}

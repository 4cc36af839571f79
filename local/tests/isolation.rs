//! Real escape attempts against the namespace isolator; each test asserts it was contained.
//! Needs root (as CI runs), user namespaces and cgroup v1 or v2.

use hopx_local::spawn::{self, Command, ExitInfo, Isolator, Limits, NamespaceIsolator, Process, SandboxSpec};
use std::ffi::OsString;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

const PREFIX: &str = "/root/.pyenv/versions/3.11.7";
const PY: &str = "/root/.pyenv/versions/3.11.7/bin/python3.11";
const BASH: &str = "/bin/bash";

fn isolator() -> Arc<dyn Isolator> {
    static ISO: OnceLock<Arc<dyn Isolator>> = OnceLock::new();
    ISO.get_or_init(|| Arc::new(NamespaceIsolator::probe().expect("isolation must be available")))
        .clone()
}

fn unique_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "hopx-iso-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn spec_with(name: &str, network: bool, limits: Limits) -> Arc<SandboxSpec> {
    let dir = unique_dir(name);
    Arc::new(SandboxSpec {
        id: format!("test-{}", dir.file_name().unwrap().to_string_lossy()),
        workspace: dir.join("ws"),
        tmp: dir.join("tmp"),
        ro_paths: vec![PathBuf::from(PREFIX)],
        network,
        limits,
    })
}

fn default_limits() -> Limits {
    Limits {
        memory_bytes: Some(256 << 20),
        max_processes: Some(64),
        file_size_bytes: Some(64 << 20),
        open_files: Some(256),
    }
}

/// A prepared sandbox, released on drop.
struct Sandbox {
    spec: Arc<SandboxSpec>,
}

impl Sandbox {
    async fn new(name: &str, network: bool) -> Sandbox {
        Self::with_limits(name, network, default_limits()).await
    }
    async fn with_limits(name: &str, network: bool, limits: Limits) -> Sandbox {
        let spec = spec_with(name, network, limits);
        spawn::prepare(&isolator(), &spec).await.expect("prepare");
        Sandbox { spec }
    }
    async fn start(&self, program: &str, args: &[&str], extra_fds: Vec<OwnedFd>) -> Process {
        let command = Command {
            program: PathBuf::from(program),
            args: args.iter().map(OsString::from).collect(),
            env: vec![
                ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
                ("HOME".into(), "/workspace".into()),
            ],
            cwd: "/workspace".into(),
            stdin: false,
            extra_fds,
        };
        spawn::spawn(&isolator(), &self.spec, command).await.expect("spawn")
    }
    async fn run(&self, program: &str, args: &[&str]) -> Output {
        let p = self.start(program, args, Vec::new()).await;
        collect(p).await
    }
    async fn sh(&self, script: &str) -> Output {
        self.run(BASH, &["-c", script]).await
    }
    async fn py(&self, code: &str) -> Output {
        self.run(PY, &["-I", "-S", "-c", code]).await
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        isolator().release(&self.spec);
        let _ = std::fs::remove_dir_all(self.spec.workspace.parent().unwrap());
    }
}

#[derive(Debug)]
struct Output {
    out: String,
    err: String,
    info: ExitInfo,
}

fn read_fd(fd: OwnedFd) -> tokio::task::JoinHandle<String> {
    tokio::task::spawn_blocking(move || {
        let mut s = Vec::new();
        let _ = std::fs::File::from(fd).read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    })
}

async fn collect(p: Process) -> Output {
    let out = read_fd(p.stdout);
    let err = read_fd(p.stderr);
    let info = tokio::time::timeout(Duration::from_secs(60), p.control.wait())
        .await
        .expect("run timed out");
    Output {
        out: out.await.unwrap(),
        err: err.await.unwrap(),
        info,
    }
}

/// Host pids whose command line contains `marker`.
fn host_processes_with(marker: &str) -> Vec<i32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) {
            if String::from_utf8_lossy(&cmd).contains(marker) {
                pids.push(pid);
            }
        }
    }
    pids
}

async fn eventually_gone(marker: &str) -> bool {
    for _ in 0..100 {
        if host_processes_with(marker).is_empty() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn program_is_unprivileged_on_the_host() {
    let sb = Sandbox::new("uid", false).await;
    let o = sb
        .sh("id -u; grep CapEff /proc/self/status; cat /etc/shadow; echo rc=$?")
        .await;
    assert!(o.out.starts_with("1000\n"), "{o:?}");
    assert!(o.out.contains("CapEff:\t0000000000000000"), "{o:?}");
    assert!(o.out.contains("rc=1") && o.err.contains("Permission denied"), "{o:?}");
    // Seen from the host, the program is host uid 65534, not root.
    let p = sb.start(BASH, &["-c", "sleep 5 # uid-marker"], Vec::new()).await;
    let status = std::fs::read_to_string(format!("/proc/{}/status", p.control.pid())).unwrap();
    let uid_line = status.lines().find(|l| l.starts_with("Uid:")).unwrap().to_string();
    assert!(uid_line.split_whitespace().skip(1).all(|u| u == "65534"), "{uid_line}");
    p.control.kill_tree();
    p.control.wait().await;
}

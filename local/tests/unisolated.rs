//! The unisolated mode (`HOPX_LOCAL_ISOLATION=none`, trusted code only), both ways it starts a
//! process: through the exec'd helper (the default) and by forking the engine (the fallback
//! where the helper cannot run). Each test runs against both.

use hopx_local::spawn::{self, Command, ExitInfo, Isolator, Limits, PlainIsolator, Process, SandboxSpec};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn isolators() -> Vec<(&'static str, Arc<dyn Isolator>)> {
    vec![("helper", Arc::new(PlainIsolator::new())), ("forking", Arc::new(PlainIsolator::forking()))]
}

async fn sandbox(iso: &Arc<dyn Isolator>, name: &str) -> Arc<SandboxSpec> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "hopx-plain-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let spec = Arc::new(SandboxSpec {
        id: format!("plain-{}", dir.file_name().unwrap().to_string_lossy()),
        workspace: dir.join("ws"),
        tmp: dir.join("tmp"),
        ro_paths: vec![],
        network: true,
        limits: Limits { file_size_bytes: Some(1 << 20), open_files: Some(100), ..Limits::default() },

        seed: Default::default(),
    });
    spawn::prepare(iso, &spec).await.expect("prepare");
    spec
}

fn bash(script: &str) -> Command {
    Command {
        program: PathBuf::from("/bin/bash"),
        args: vec!["-c".into(), script.into()],
        env: vec![("PATH".into(), "/usr/bin:/bin".into()), ("TMPDIR".into(), "/ignored".into())],
        cwd: "/workspace".into(),
        stdin: false,
        extra_fds: vec![],
        code: None,
    }
}

fn read_all(fd: OwnedFd) -> tokio::task::JoinHandle<String> {
    tokio::task::spawn_blocking(move || {
        let mut s = String::new();
        let _ = std::fs::File::from(fd).read_to_string(&mut s);
        s
    })
}

async fn finish(p: Process) -> (String, String, ExitInfo) {
    let (out, err) = (read_all(p.stdout), read_all(p.stderr));
    let info = tokio::time::timeout(Duration::from_secs(30), p.control.wait()).await.expect("timed out");
    (out.await.unwrap(), err.await.unwrap(), info)
}

fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 into a 2-slot array; both descriptors are ours.
    unsafe {
        assert_eq!(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC), 0);
        (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))
    }
}

/// How many live processes have `marker` in their command line.
fn processes_with(marker: &str) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0 };
    dir.flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|c| String::from_utf8_lossy(c).contains(marker))
        .count()
}

#[test]
fn the_helper_is_used_where_it_runs() {
    assert!(PlainIsolator::new().uses_helper());
    assert!(!PlainIsolator::forking().uses_helper());
}

#[tokio::test(flavor = "multi_thread")]
async fn paths_env_limits_and_exit_codes() {
    for (how, iso) in isolators() {
        let sb = sandbox(&iso, "basics").await;
        let script = "echo \"$(pwd) $TMPDIR $(ulimit -f) $(ulimit -n) $(ulimit -c)\"; \
                      cut -d' ' -f6 /proc/$$/stat; echo $$; echo oops >&2; exit 3";
        let p = spawn::spawn(&iso, &sb, bash(script)).await.expect("spawn");
        let pid = p.control.pid();
        let (out, err, info) = finish(p).await;
        let lines: Vec<&str> = out.lines().collect();
        let want = format!("{} {} 1024 100 0", sb.workspace.display(), sb.tmp.display());
        assert_eq!(lines[0], want, "{how}");
        // It leads its own session (so its group can be killed as one).
        assert_eq!(lines[1], lines[2], "{how}: {out}");
        assert_eq!(lines[2], pid.to_string(), "{how}");
        assert_eq!(err, "oops\n", "{how}");
        assert_eq!(info.code, Some(3), "{how}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn stdin_and_extra_fds_are_wired() {
    for (how, iso) in isolators() {
        let sb = sandbox(&iso, "fds").await;
        let (extra_r, extra_w) = pipe();
        let mut extra_w = std::fs::File::from(extra_w);
        let mut command = bash("read line; echo \"got $line\"; cat <&3");
        command.stdin = true;
        command.extra_fds = vec![extra_r];
        let p = spawn::spawn(&iso, &sb, command).await.expect("spawn");
        extra_w.write_all(b"from fd 3\n").unwrap();
        drop(extra_w);
        let Process { stdin, stdout, stderr, control } = p;
        let mut stdin = std::fs::File::from(stdin.expect("a stdin pipe"));
        stdin.write_all(b"hello\n").unwrap();
        drop(stdin);
        let (out, _, info) = finish(Process { stdin: None, stdout, stderr, control }).await;
        assert_eq!(out, "got hello\nfrom fd 3\n", "{how}");
        assert_eq!(info.code, Some(0), "{how}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_tree_takes_the_whole_group() {
    for (how, iso) in isolators() {
        let sb = sandbox(&iso, "kill").await;
        let marker = format!("hopx-plain-kill-{how}-{}", std::process::id());
        let script = format!("bash -c 'exec -a {marker}-bg sleep 300' & exec -a {marker} sleep 300");
        let p = spawn::spawn(&iso, &sb, bash(&script)).await.expect("spawn");
        // Both the program and its background child are up before the kill.
        let mut alive = 0;
        for _ in 0..100 {
            alive = processes_with(&marker);
            if alive == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(alive, 2, "{how}");
        p.control.kill_tree();
        let (_, _, info) = finish(p).await;
        assert_eq!(info.signal, Some(libc::SIGKILL), "{how}");
        let mut left = 1;
        for _ in 0..50 {
            left = processes_with(&marker);
            if left == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(left, 0, "{how}: a process survived kill_tree");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_program_is_a_spawn_error() {
    for (how, iso) in isolators() {
        let sb = sandbox(&iso, "missing").await;
        let command = Command { program: "/usr/bin/does-not-exist".into(), ..bash("true") };
        let err = spawn::spawn(&iso, &sb, command).await.err().expect("must fail");
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{how}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_nul_is_refused_before_any_process() {
    let iso: Arc<dyn Isolator> = Arc::new(PlainIsolator::new());
    let sb = sandbox(&iso, "nul").await;
    let mut command = bash("true");
    command.args.push(OsString::from("a\0b"));
    let err = spawn::spawn(&iso, &sb, command).await.err().expect("must fail");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
}

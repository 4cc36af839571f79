//! Real escape attempts against the namespace isolator; each test asserts it was contained.
//! Needs root (as CI runs), user namespaces and cgroup v1 or v2.

mod common;

use hopx_local::spawn::{self, Command, ExitInfo, Isolator, Limits, NamespaceIsolator, Process, SandboxSpec};
use std::ffi::OsString;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

const BASH: &str = "/bin/bash";

/// The sandbox Python, found the portable way (`HOPX_LOCAL_PYTHON`, else `python3` on PATH),
/// with the host folders it needs to run inside a sandbox.
fn python() -> &'static hopx_local::Runtimes {
    static RT: OnceLock<&'static hopx_local::Runtimes> = OnceLock::new();
    RT.get_or_init(|| {
        let configured = std::env::var_os("HOPX_LOCAL_PYTHON").map(PathBuf::from);
        // Resolved on a thread of its own: the tests call this from inside their runtime.
        let runtimes = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(hopx_local::Runtimes::resolve(configured))
        })
        .join()
        .unwrap();
        assert!(runtimes.python.is_ok(), "a sandbox Python is needed: {:?}", runtimes.python);
        Box::leak(Box::new(runtimes))
    })
}

fn py_exe() -> String {
    python().python.as_ref().unwrap().executable.to_string_lossy().into_owned()
}

fn isolator() -> Arc<dyn Isolator> {
    static ISO: OnceLock<Arc<dyn Isolator>> = OnceLock::new();
    ISO.get_or_init(|| Arc::new(NamespaceIsolator::probe().expect("isolation must be available"))).clone()
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
        ro_paths: python().ro_paths(),
        network,
        limits,
        seed: Default::default(),
    })
}

fn default_limits() -> Limits {
    Limits {
        memory_bytes: Some(256 << 20),
        max_processes: Some(64),
        file_size_bytes: Some(64 << 20),
        open_files: Some(256),
        disk_bytes: Some(256 << 20),
        disk_files: Some(2000),
    }
}

/// A prepared sandbox, released on drop.
struct Prepared {
    spec: Arc<SandboxSpec>,
}

impl Prepared {
    async fn new(name: &str, network: bool) -> Prepared {
        Self::with_limits(name, network, default_limits()).await
    }
    async fn with_limits(name: &str, network: bool, limits: Limits) -> Prepared {
        let spec = spec_with(name, network, limits);
        spawn::prepare(&isolator(), &spec).await.expect("prepare");
        Prepared { spec }
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
            code: None,
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
        self.run(&py_exe(), &["-I", "-S", "-c", code]).await
    }
}

impl Drop for Prepared {
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
    let info = tokio::time::timeout(Duration::from_secs(60), p.control.wait()).await.expect("run timed out");
    Output { out: out.await.unwrap(), err: err.await.unwrap(), info }
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

/// Host pids whose argv[0] is exactly `marker` (set with `exec -a`).
fn host_processes_named(marker: &str) -> Vec<i32> {
    host_processes_with(marker)
        .into_iter()
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.split(|b| *b == 0).next() == Some(marker.as_bytes()))
        })
        .collect()
}

async fn wait_named(marker: &str, n: usize) -> usize {
    for _ in 0..250 {
        if host_processes_named(marker).len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    host_processes_named(marker).len()
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
    let sb = Prepared::new("uid", false).await;
    let o = sb.sh("id -u; grep CapEff /proc/self/status; cat /etc/shadow; echo rc=$?").await;
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

#[tokio::test(flavor = "multi_thread")]
async fn host_home_and_root_are_not_visible() {
    // A secret on the host, outside everything the sandbox is given.
    let secret = PathBuf::from(format!("/var/tmp/hopx-iso-secret-{}", std::process::id()));
    std::fs::write(&secret, "host secret").unwrap();
    let sb = Prepared::new("home", false).await;
    let script = format!(
        "ls -A /; echo ---; ls -A /root 2>&1; echo ---; cat {} /home/* /var/tmp/* 2>&1; echo ---; hostname",
        secret.display()
    );
    let o = sb.sh(&script).await;
    let _ = std::fs::remove_file(&secret);
    let parts: Vec<&str> = o.out.split("---\n").collect();
    // Exactly: the system directories, the sandbox's own, and the first component of each
    // read-only path the sandbox Python needs; nothing else of the host.
    let first = |p: &PathBuf| p.components().nth(1).map(|c| c.as_os_str().to_string_lossy().into_owned());
    let mut expected: Vec<String> = ["usr", "bin", "lib", "lib32", "lib64", "libx32", "sbin", "etc"]
        .iter()
        .filter(|d| std::path::Path::new("/").join(d).exists())
        .map(|d| d.to_string())
        .chain(["dev", "proc", "tmp", "workspace"].map(String::from))
        .chain(python().ro_paths().iter().filter_map(first))
        .collect();
    expected.sort();
    expected.dedup();
    let mut top: Vec<&str> = parts[0].lines().collect();
    top.sort();
    assert_eq!(top, expected, "{o:?}");
    // /root (if there at all) holds only mount points of read-only paths below it.
    let mut under_root: Vec<String> = python()
        .ro_paths()
        .iter()
        .filter_map(|p| p.strip_prefix("/root").ok().and_then(|r| r.components().next()))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    under_root.sort();
    under_root.dedup();
    let mut root: Vec<&str> = parts[1].lines().filter(|l| !l.contains("No such file")).collect();
    root.sort();
    assert_eq!(root, under_root, "{o:?}");
    assert!(!parts[2].contains("host secret") && parts[2].contains("No such file"), "{o:?}");
    assert_eq!(parts[3].trim(), "sandbox");
}

#[tokio::test(flavor = "multi_thread")]
async fn other_sandboxes_are_not_visible() {
    let a = Prepared::new("a", false).await;
    let b = Prepared::new("b", false).await;
    let o = a.sh("echo secret-of-a > /workspace/secret-a; echo a-tmp > /tmp/tmp-a").await;
    assert_eq!(o.info.code, Some(0), "{o:?}");
    let a_ws = a.spec.workspace.display().to_string();
    let script = format!("cat {a_ws}/secret-a; cat /tmp/tmp-a; ls /workspace /tmp; grep -rl secret-of-a /workspace /tmp 2>/dev/null; echo done");
    let o = b.sh(&script).await;
    assert!(
        !o.out.contains("secret-of-a") && !o.out.contains("a-tmp") && !o.out.contains("secret-a\n"),
        "{o:?}"
    );
    assert!(o.out.ends_with("done\n"), "{o:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_binds_cannot_be_remounted_or_written() {
    // A host directory bound read-only, with a file the sandbox must not change. (One below
    // /tmp is shown in the sandbox's private /tmp the same way: `tests/tmp_python.rs`.)
    let host = PathBuf::from(format!("/var/tmp/hopx-iso-ro-{}", std::process::id()));
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(host.join("file"), "original").unwrap();
    let dir = unique_dir("ro");
    let spec = Arc::new(SandboxSpec {
        id: format!("test-ro-{}", std::process::id()),
        workspace: dir.join("ws"),
        tmp: dir.join("tmp"),
        ro_paths: python().ro_paths().into_iter().chain([host.clone()]).collect(),
        network: false,
        limits: default_limits(),
        seed: Default::default(),
    });
    spawn::prepare(&isolator(), &spec).await.unwrap();
    let sb = Prepared { spec };
    let h = host.display();
    let py = py_exe();
    let script = format!(
        "cat {h}/file; echo; \
         /usr/bin/mount -o remount,rw,bind {h}; echo remount=$?; \
         /usr/bin/mount -o remount,rw /usr; echo remount_usr=$?; \
         /usr/bin/mount -t tmpfs none /workspace; echo mount_tmpfs=$?; \
         echo pwned > {h}/file; echo write=$?; \
         {py} -I -S -c \"import ctypes; l=ctypes.CDLL(None, use_errno=True); \
           print('sysmount', l.mount(None, b'{h}', None, 0x1020, None), ctypes.get_errno())\"; \
         /usr/bin/unshare -Urm sh -c '/usr/bin/mount -o remount,rw,bind {h} && echo pwned > {h}/file'; echo nested=$?; \
         cat {h}/file"
    );
    let o = sb.sh(&script).await;
    assert!(o.out.starts_with("original\n"), "{o:?}");
    // The raw mount(2) call fails with EPERM (not just mount(8)'s own check).
    assert!(o.out.contains("sysmount -1 1\n"), "{o:?}");
    for what in ["remount=0", "remount_usr=0", "mount_tmpfs=0", "write=0", "nested=0"] {
        assert!(!o.out.contains(&format!("{what}\n")), "{what} succeeded: {o:?}");
    }
    assert_eq!(std::fs::read_to_string(host.join("file")).unwrap(), "original");
    let _ = std::fs::remove_dir_all(host);
    // A read-only path below the sandbox's own disk or /dev would be hidden: refused instead.
    for below in ["/workspace/x", "/dev/x", "/tmp"] {
        let id = format!("{}-below-{}", sb.spec.id, below.replace('/', "_"));
        let spec = Arc::new(SandboxSpec { id, ro_paths: vec![below.into()], ..(*sb.spec).clone() });
        let err = spawn::prepare(&isolator(), &spec).await.expect_err("must be refused");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{below}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn only_workspace_and_tmp_are_writable() {
    let sb = Prepared::new("writes", false).await;
    let mut script = String::new();
    let py_dir = python().python.as_ref().unwrap().executable.parent().unwrap().join("x");
    for path in
        ["/x", "/usr/x", "/etc/x", "/bin/x", "/dev/x", "/root/x", &py_dir.to_string_lossy(), "/proc/x"]
    {
        script.push_str(&format!("(echo x > {path}) 2>/dev/null && echo WROTE {path}; "));
    }
    script
        .push_str("echo w > /workspace/w.txt && echo t > /tmp/t.txt && mkdir -p /workspace/d/e && echo ok; ");
    script.push_str("stat -c '%u %a' /workspace /workspace/w.txt /tmp");
    let o = sb.sh(&script).await;
    assert!(!o.out.contains("WROTE"), "{o:?}");
    // The sandbox user owns its workspace and what it writes; /tmp is sticky for everyone.
    assert!(o.out.ends_with("ok\n1000 755\n1000 644\n0 1777\n"), "{o:?}");
    // The files live in the sandbox's own file system: nothing on the host at all.
    assert!(!sb.spec.workspace.exists() && !sb.spec.tmp.exists());
    // ... which later runs of the sandbox share.
    let o = sb.sh("cat /workspace/w.txt /tmp/t.txt").await;
    assert_eq!(o.out, "w\nt\n", "{o:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_sandbox_processes_are_visible_and_host_pids_unkillable() {
    let sb = Prepared::new("pids", false).await;
    let me = std::process::id();
    let script = format!("ls /proc | grep -E '^[0-9]+$' | wc -l; /usr/bin/ps -e -o pid= | wc -l; kill -9 {me}; echo kill=$?; kill -9 1; echo kill1=$?");
    let o = sb.sh(&script).await;
    let lines: Vec<&str> = o.out.lines().collect();
    // init, bash, and the short-lived pipeline members; never the host's processes.
    assert!(lines[0].trim().parse::<u32>().unwrap() <= 6, "{o:?}");
    assert!(lines[1].trim().parse::<u32>().unwrap() <= 6, "{o:?}");
    assert!(o.out.contains("kill=1"), "{o:?}");
    // The program cannot kill its init either (a different, privileged-in-ns uid).
    assert!(o.out.contains("kill1=1"), "{o:?}");
}

const CONNECT: &str = "import socket,sys\ntry:\n s=socket.create_connection(('127.0.0.1',int(sys.argv[1])),timeout=3)\n print('CONNECTED',s.recv(100))\nexcept OSError as e:\n print('FAILED',e)\n";

fn host_listener() -> (u16, std::thread::JoinHandle<()>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    l.set_nonblocking(true).unwrap();
    let h = std::thread::spawn(move || {
        use std::io::Write;
        for _ in 0..100 {
            if let Ok((mut s, _)) = l.accept() {
                let _ = s.write_all(b"host-secret");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    (port, h)
}

#[tokio::test(flavor = "multi_thread")]
async fn no_network_means_no_host_loopback_but_own_loopback_works() {
    let (port, _h) = host_listener();
    let sb = Prepared::new("nonet", false).await;
    let port_s = port.to_string();
    let o = sb.run(&py_exe(), &["-I", "-S", "-c", CONNECT, &port_s]).await;
    assert!(o.out.starts_with("FAILED"), "{o:?}");
    let own = "import socket,threading\nl=socket.socket(); l.bind(('127.0.0.1',0)); l.listen()\n\
               threading.Thread(target=lambda: l.accept()[0].send(b'inside'),daemon=True).start()\n\
               s=socket.create_connection(l.getsockname(),timeout=3); print('OWN',s.recv(10))\n";
    let o = sb.py(own).await;
    assert_eq!(o.out, "OWN b'inside'\n", "{o:?}");
    let o = sb
        .sh("cat /sys/class/net/lo/operstate 2>/dev/null; ls /proc/net/dev >/dev/null && grep -c : /proc/net/dev")
        .await;
    assert!(o.out.trim_end().ends_with('1'), "only lo in the netns: {o:?}");
}

/// Internet access is a network of the sandbox's own (`network.rs` tests the internet part):
/// the host's loopback stays out of reach.
#[tokio::test(flavor = "multi_thread")]
async fn network_true_still_misses_the_host_loopback() {
    let (port, _h) = host_listener();
    let sb = Prepared::new("net", true).await;
    let o = sb.run(&py_exe(), &["-I", "-S", "-c", CONNECT, &port.to_string()]).await;
    assert!(o.out.starts_with("FAILED"), "{o:?}");
    let o = sb.sh("grep -o '^ *[a-z0-9]*:' /proc/net/dev | tr -d ' :' | sort | tr '\\n' ' '").await;
    assert_eq!(o.out, "lo tap0 ", "its own loopback and the user-mode network: {o:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn fork_bomb_is_contained_and_the_sandbox_recovers() {
    let sb = Prepared::new("bomb", false).await;
    let code = "import os,time\nn=0\ntry:\n for i in range(1000):\n  if os.fork()==0:\n   time.sleep(30); os._exit(0)\n  n+=1\nexcept OSError as e:\n print('blocked after',n,e.errno)\n";
    let o = sb.py(code).await;
    assert!(o.out.starts_with("blocked after"), "{o:?}");
    let n: u32 = o.out.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!(n < 64, "{o:?}");
    // A classic bash bomb, stopped from outside after a while.
    let p = sb.start(BASH, &["-c", ":(){ :|:& };: ; sleep 100"], Vec::new()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    p.control.kill_tree();
    let o = collect(p).await;
    assert_eq!(o.info.signal, Some(9), "{o:?}");
    // The sandbox is usable again: its process count went back down.
    let o = sb.sh("echo alive").await;
    assert_eq!(o.out, "alive\n", "{o:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn memory_hog_is_oom_killed() {
    let sb = Prepared::new("oom", false).await;
    let o = sb.py("x = b'a' * (4 << 30)\nprint('survived', len(x))").await;
    assert!(!o.out.contains("survived"), "{o:?}");
    // With a memory cgroup the kernel OOM killer strikes; under the rlimit fallback Python
    // raises MemoryError instead.
    assert!((o.info.signal == Some(9) && o.info.oom_killed) || o.err.contains("MemoryError"), "{o:?}");
    // As root (CI) the memory cgroup is available, so the kernel's OOM kill must be reported.
    // SAFETY: trivial getter.
    if unsafe { libc::geteuid() } == 0 {
        assert!(o.info.oom_killed, "{o:?}");
    }
    let o = sb.sh("echo alive").await;
    assert_eq!(o.out, "alive\n");
    assert!(!o.info.oom_killed);
}

#[tokio::test(flavor = "multi_thread")]
async fn big_file_write_is_stopped_by_fsize() {
    let sb = Prepared::new("fsize", false).await;
    let o = sb
        .sh("dd if=/dev/zero of=/workspace/big bs=1M count=2048 2>&1; echo rc=$?; stat -c %s /workspace/big")
        .await;
    let size: u64 = o.out.lines().last().unwrap().parse().unwrap();
    assert!(size <= 64 << 20, "wrote {size} bytes: {o:?}");
    assert!(!o.out.contains("rc=0"), "{o:?}");
    let o = sb.py("f=open('/workspace/big2','wb')\ntry:\n f.write(b'0'*(128<<20)); f.flush()\nexcept OSError as e:\n print('stopped', e.errno)\n").await;
    assert!(o.out.starts_with("stopped 27"), "EFBIG expected: {o:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_tree_kills_detached_term_ignoring_descendants() {
    let sb = Prepared::new("tree", false).await;
    let marker = format!("hopx-marker-tree-{}", std::process::id());
    let script = format!(
        "setsid bash -c 'trap \"\" TERM; (trap \"\" TERM; exec -a {marker} sleep 1000) & (exec -a {marker} sleep 1000) & sleep 1000' & \
         trap '' TERM; exec -a {marker} sleep 1000"
    );
    let p = sb.start(BASH, &["-c", &script], Vec::new()).await;
    let started = wait_named(&marker, 3).await;
    assert!(started >= 3, "the markers never showed up");
    // SIGTERM to everything we can see is ignored...
    for pid in host_processes_with(&marker) {
        // SAFETY: kill(2) on pids we just listed.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(host_processes_named(&marker).len() >= 3);
    // ...kill_tree is not.
    p.control.kill_tree();
    let info = p.control.wait().await;
    assert_eq!(info.signal, Some(9));
    assert!(eventually_gone(&marker).await, "survivors: {:?}", host_processes_with(&marker));
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_handle_leaves_no_process() {
    let sb = Prepared::new("drop", false).await;
    let marker = format!("hopx-marker-drop-{}", std::process::id());
    let script = format!("(setsid bash -c 'exec -a {marker} sleep 1000' &); exec -a {marker} sleep 1000");
    let p = sb.start(BASH, &["-c", &script], Vec::new()).await;
    let started = wait_named(&marker, 2).await;
    assert_eq!(started, 2);
    drop(p);
    assert!(eventually_gone(&marker).await, "survivors: {:?}", host_processes_with(&marker));
}

/// Runs in a child process of the test harness (see `engine_death_kills_the_sandbox`): starts a
/// sandbox, reports, and dies by SIGKILL with the sandbox still running.
#[tokio::test(flavor = "multi_thread")]
async fn pdeathsig_helper() {
    let Ok(marker) = std::env::var("HOPX_ISO_HELPER_MARKER") else {
        return;
    };
    let iso: Arc<dyn Isolator> = Arc::new(NamespaceIsolator::probe().unwrap());
    let dir = std::env::temp_dir().join(&marker);
    // No `prepare`: no cgroup is left behind by this process's death.
    let spec = Arc::new(SandboxSpec {
        id: "helper".into(),
        workspace: dir.join("ws"),
        tmp: dir.join("tmp"),
        ro_paths: vec![],
        network: false,
        limits: Limits::default(),
        // A seed makes the holder change its file-system ids, which clears PDEATHSIG.
        seed: Arc::new(vec![("/tmp/seeded".into(), b"seed".to_vec())]),
    });
    spawn::prepare(&iso, &spec).await.unwrap();
    let script = format!("(setsid bash -c 'exec -a {marker} sleep 1000' &); exec -a {marker} sleep 1000");
    let command = Command {
        program: BASH.into(),
        args: vec!["-c".into(), script.into()],
        env: vec![],
        cwd: "/".into(),
        stdin: false,
        extra_fds: vec![],
        code: None,
    };
    let p = spawn::spawn(&iso, &spec, command).await.unwrap();
    let started = wait_named(&marker, 2).await;
    // Every process of the sandbox (its holder too), for the parent to check after our death.
    let tree: Vec<String> =
        common::descendants(std::process::id() as i32).iter().map(|p| p.to_string()).collect();
    println!("HELPER-TREE {}", tree.join(" "));
    println!("HELPER-STARTED {started} {}", p.control.pid());
    // SAFETY: the helper kills itself, as a crashing engine would die.
    unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
}

#[tokio::test(flavor = "multi_thread")]
async fn engine_death_kills_the_sandbox() {
    let marker = format!("hopx-marker-pdeath-{}", std::process::id());
    let out = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["pdeathsig_helper", "--exact", "--nocapture", "--test-threads=1"])
        .env("HOPX_ISO_HELPER_MARKER", &marker)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("HELPER-STARTED 2 "), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(9));
    assert!(eventually_gone(&marker).await, "survivors: {:?}", host_processes_with(&marker));
    let tree: Vec<i32> = stdout
        .lines()
        .find_map(|l| l.split_once("HELPER-TREE ").map(|(_, tree)| tree))
        .map(|l| l.split_whitespace().map(|p| p.parse().unwrap()).collect())
        .unwrap_or_default();
    assert!(tree.len() >= 3, "the holder, the run's init and its program at least: {stdout}");
    let mut left = common::alive(&tree);
    for _ in 0..100 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        left = common::alive(&tree);
    }
    assert!(left.is_empty(), "processes of the sandbox outlived the engine: {left:?}");
    let _ = std::fs::remove_dir_all(std::env::temp_dir().join(&marker));
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_reaches_the_program() {
    let sb = Prepared::new("sigint", false).await;
    let code = "import time\ntry:\n print('ready', flush=True)\n time.sleep(30)\nexcept KeyboardInterrupt:\n print('interrupted')\n";
    let p = sb.start(&py_exe(), &["-I", "-S", "-c", code], Vec::new()).await;
    let mut out = std::fs::File::from(p.stdout);
    let first = tokio::task::spawn_blocking(move || {
        let mut buf = [0u8; 6];
        out.read_exact(&mut buf).unwrap();
        (buf, out)
    })
    .await
    .unwrap();
    assert_eq!(&first.0, b"ready\n");
    p.control.signal(libc::SIGINT).unwrap();
    let info = tokio::time::timeout(Duration::from_secs(10), p.control.wait()).await.unwrap();
    let mut rest = String::new();
    let mut out = first.1;
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "interrupted\n");
    assert_eq!(info.code, Some(0));
}

fn pipe() -> (OwnedFd, OwnedFd) {
    let (r, w) = nix::unistd::pipe().unwrap();
    (r, w)
}

#[tokio::test(flavor = "multi_thread")]
async fn extra_fds_and_stdin_are_wired() {
    let sb = Prepared::new("fds", false).await;
    let (to_engine_r, to_engine_w) = pipe();
    let (to_prog_r, to_prog_w) = pipe();
    let script = "read line <&4; echo got:$line >&3; cat; ls /proc/self/fd | sort -n | tr '\\n' ' '";
    let command = Command {
        program: BASH.into(),
        args: vec!["-c".into(), script.into()],
        env: vec![],
        cwd: "/workspace".into(),
        stdin: true,
        extra_fds: vec![to_engine_w, to_prog_r],
        code: None,
    };
    let p = spawn::spawn(&isolator(), &sb.spec, command).await.unwrap();
    let mut w = std::fs::File::from(to_prog_w);
    std::io::Write::write_all(&mut w, b"hello\n").unwrap();
    drop(w);
    let mut stdin = std::fs::File::from(p.stdin.unwrap());
    std::io::Write::write_all(&mut stdin, b"from-stdin\n").unwrap();
    drop(stdin);
    let chan = read_fd(to_engine_r);
    let o = collect(Process { stdin: None, stdout: p.stdout, stderr: p.stderr, control: p.control }).await;
    assert_eq!(chan.await.unwrap(), "got:hello\n");
    // stdin reached EOF (no stray copy of its write end), and only 0-4 (+ ls's own) are open.
    assert!(o.out.starts_with("from-stdin\n0 1 2 3 4 "), "{o:?}");
    assert!(o.out.split_whitespace().count() <= 7, "{o:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn orphans_are_reaped() {
    let sb = Prepared::new("zombies", false).await;
    // Double-forked children exit while their parent is gone: they become init's to reap.
    let script = "for i in 1 2 3 4 5; do (sleep 0.1 &) ; done; sleep 1; cat /proc/[0-9]*/stat | awk '{print $3}' | sort | uniq -c";
    let o = sb.sh(script).await;
    assert!(!o.out.contains(" Z"), "zombies: {o:?}");
    assert_eq!(o.info.code, Some(0), "{o:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn node_and_python_run() {
    let sb = Prepared::new("langs", false).await;
    let o = sb.run("/usr/bin/node", &["-e", "console.log(1)"]).await;
    assert_eq!((o.out.as_str(), o.info.code), ("1\n", Some(0)), "{o:?}");
    // Threads (clone3 falls back to clone under seccomp) and child processes.
    let js = "const {Worker}=require('worker_threads'); const w=new Worker('console.log(2)',{eval:true}); \
              w.on('exit',()=>console.log(require('child_process').execSync('echo 3').toString().trim()))";
    let o = sb.run("/usr/bin/node", &["-e", js]).await;
    assert_eq!(o.out, "2\n3\n", "{o:?}");
    // With site enabled, from the read-only pyenv prefix.
    let prefix = std::process::Command::new(py_exe()).args(["-c", "import sys; print(sys.prefix)"]).output();
    let prefix = String::from_utf8(prefix.unwrap().stdout).unwrap();
    let o = sb.run(&py_exe(), &["-c", "import sys, json; print(sys.prefix, json.dumps([1]))"]).await;
    assert_eq!(o.out, format!("{} [1]\n", prefix.trim()), "{o:?}");
    // A pty from the sandbox's own devpts.
    let o = sb
        .py("import os\nm, s = os.openpty()\nos.write(s, b'pty ok\\n')\nprint(os.read(m, 100).decode().strip())")
        .await;
    assert_eq!(o.out, "pty ok\n", "{o:?}");
    let o = sb.sh("exit 7").await;
    assert_eq!(o.info.code, Some(7));
    let o = sb.sh("kill -SEGV $$").await;
    assert_eq!(o.info.signal, Some(libc::SIGSEGV));
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_program_is_a_spawn_error() {
    let sb = Prepared::new("missing", false).await;
    let command = Command {
        program: "/usr/bin/does-not-exist".into(),
        args: vec![],
        env: vec![],
        cwd: "/workspace".into(),
        stdin: false,
        extra_fds: vec![],
        code: None,
    };
    let err = spawn::spawn(&isolator(), &sb.spec, command).await.err().expect("must fail");
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{err}");
    assert!(err.to_string().contains("exec"), "{err}");
}

fn parent_of(pid: i32) -> i32 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("PPid:")).unwrap();
    line["PPid:".len()..].trim().parse().unwrap()
}

/// The engine never forks itself for a sandbox (forking a large embedding process copies its
/// page tables every time): between the engine and the program there are only processes of
/// the exec'd helper, whose image is the memfd, not the engine's binary.
#[tokio::test(flavor = "multi_thread")]
async fn sandbox_processes_come_from_the_helper_not_from_engine_forks() {
    let sb = Prepared::new("helper", false).await;
    let p = sb.start(BASH, &["-c", "sleep 30"], vec![]).await;
    let init = parent_of(p.control.pid());
    let entry = parent_of(init);
    let intermediate = parent_of(entry);
    assert_eq!(parent_of(intermediate), std::process::id() as i32);
    let engine_exe = std::fs::read_link("/proc/self/exe").unwrap();
    for pid in [init, entry, intermediate] {
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
        assert!(exe.to_string_lossy().starts_with("/memfd:hopx-sandbox"), "{pid}: {exe:?}");
        assert_ne!(exe, engine_exe);
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap();
        assert_eq!(comm.trim(), "hopx-sandbox");
    }
    p.control.kill_tree();
    assert_eq!(p.control.wait().await.signal, Some(libc::SIGKILL));
}

/// The plan travels to the helper in a memfd: a large environment and many arguments (more
/// than a pipe holds) arrive whole; what exec cannot take (one string over 128 KiB) and a NUL
/// are clear errors.
#[tokio::test(flavor = "multi_thread")]
async fn large_plans_arrive_whole_and_nul_is_refused() {
    let sb = Prepared::new("big-plan", false).await;
    let big = "x".repeat(120 * 1024);
    let args: Vec<OsString> = ["-c", "echo ${#BIG} $#", "sh"]
        .into_iter()
        .map(OsString::from)
        .chain((0..2000).map(|i| OsString::from(format!("arg{i}"))))
        .collect();
    let command = Command {
        program: PathBuf::from(BASH),
        args,
        env: vec![("BIG".into(), big.clone().into())],
        cwd: "/workspace".into(),
        stdin: false,
        extra_fds: vec![],
        code: None,
    };
    let out = collect(spawn::spawn(&isolator(), &sb.spec, command).await.expect("spawn")).await;
    assert_eq!(out.out, format!("{} 2000\n", big.len()), "{out:?}");

    for (value, kind) in [
        ("y".repeat(200 * 1024), std::io::ErrorKind::ArgumentListTooLong),
        ("a\0b".to_string(), std::io::ErrorKind::InvalidInput),
    ] {
        let command = Command {
            program: PathBuf::from(BASH),
            args: vec!["-c".into(), "true".into()],
            env: vec![("V".into(), value.into())],
            cwd: "/workspace".into(),
            stdin: false,
            extra_fds: vec![],
            code: None,
        };
        let err = spawn::spawn(&isolator(), &sb.spec, command).await.err().expect("must be refused");
        assert_eq!(err.kind(), kind, "{err}");
    }
}

#[test]
fn default_isolator_is_namespaces() {
    if std::env::var_os("HOPX_LOCAL_ISOLATION").is_none() {
        assert_eq!(hopx_local::spawn::default_isolator().unwrap().name(), "namespaces");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn nested_namespaces_and_ptrace_are_refused() {
    let sb = Prepared::new("seccomp", false).await;
    let code = "import ctypes, os, threading\n\
                l = ctypes.CDLL(None, use_errno=True)\n\
                print('unshare', l.unshare(0x10000000), ctypes.get_errno())\n\
                print('ptrace', l.ptrace(16, 1, None, None), ctypes.get_errno())\n\
                t = threading.Thread(target=lambda: print('thread ok')); t.start(); t.join()\n\
                pid = os.fork()\n\
                if pid == 0: os._exit(3)\n\
                print('fork ok', os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n";
    let o = sb.py(code).await;
    assert_eq!(o.out, "unshare -1 1\nptrace -1 1\nthread ok\nfork ok 3\n", "{o:?}");
    let o = sb.sh("/usr/bin/unshare -Ur true; echo rc=$?").await;
    assert_eq!(o.out, "rc=1\n", "{o:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_concurrent_runs() {
    // Forks happen while other runtime threads allocate and hold locks: none may hang. Each
    // run is three processes of the sandbox (entry, init, program): room for all 40 at once.
    let limits = Limits { max_processes: Some(512), ..default_limits() };
    let sb = Arc::new(Prepared::with_limits("many", false, limits).await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let sb = sb.clone();
        tasks.push(tokio::spawn(async move {
            let noise: Vec<Vec<u8>> = (0..100).map(|n| vec![0u8; n * 100]).collect();
            let o = sb.sh(&format!("echo run-{i}")).await;
            drop(noise);
            assert_eq!(o.out, format!("run-{i}\n"), "{o:?}");
        }));
    }
    for t in tasks {
        tokio::time::timeout(Duration::from_secs(60), t).await.expect("hung").unwrap();
    }
}

#[test]
fn cgroups_of_dead_engines_are_swept_and_live_ones_kept() {
    let Some(own) = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|c| c.lines().find_map(|l| l.split_once(":pids:").map(|(_, p)| p.to_string())))
    else {
        return; // not cgroup v1 pids here: the v2 path is covered by the unit test
    };
    let base = PathBuf::from("/sys/fs/cgroup/pids").join(own.trim_start_matches('/'));
    // A pid that cannot be alive: above the kernel's pid_max.
    let dead = base.join("hopx-99999999-stale");
    let live = base.join(format!("hopx-{}-live", std::process::id()));
    std::fs::create_dir(&dead).unwrap();
    std::fs::create_dir(&live).unwrap();
    NamespaceIsolator::probe().unwrap();
    assert!(!dead.exists(), "a dead engine's cgroup is removed");
    assert!(live.exists(), "a live engine's cgroup is kept");
    std::fs::remove_dir(&live).unwrap();
}

/// The sandbox has identity files of its own over the host's `/etc`: its user has a name and
/// a home, no host user names or machine id show, and the password databases are empty.
#[tokio::test(flavor = "multi_thread")]
async fn identity_files_are_the_sandboxs_own() {
    let a = Prepared::new("ident-a", false).await;
    let b = Prepared::new("ident-b", false).await;
    let script = "whoami; id -gn; echo ~; cat /etc/hostname; stat -c %s%a /etc/shadow; cat /etc/machine-id; \
                  awk -F: '{print $1}' /etc/passwd | tr '\\n' ' '";
    let (oa, ob) = (a.sh(script).await, b.sh(script).await);
    let la: Vec<&str> = oa.out.lines().collect();
    assert_eq!(&la[..5], ["user", "user", "/workspace", "sandbox", "0600"], "{oa:?}");
    assert_eq!(la[6], "root user nobody ", "{oa:?}");
    let host_id = std::fs::read_to_string("/etc/machine-id").unwrap_or_default();
    let (ida, idb) = (la[5], ob.out.lines().nth(5).unwrap());
    assert_eq!(ida.len(), 32, "{oa:?}");
    assert!(ida != idb && ida != host_id.trim(), "a machine id of its own: {ida} {idb}");
    // Python finds the user too (it used to fail: uid 1000 was nobody in the host's files).
    let o = a.py("import getpass, pwd; print(getpass.getuser(), pwd.getpwuid(1000).pw_dir)").await;
    assert_eq!(o.out, "user /workspace\n", "{o:?}");
    // Read-only, like the rest of /etc.
    let o = a.sh("echo 'x::0:0::/:/bin/sh' >> /etc/passwd; echo rc=$?").await;
    assert!(o.out.contains("rc=1"), "{o:?}");
}

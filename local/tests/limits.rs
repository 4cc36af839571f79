//! What one sandbox can take from the machine: its disk (bytes and files) and its share of
//! the CPU. Each test is an attempt to take more, and checks that it stops inside the sandbox
//! while the engine, the host and the sandbox itself stay fine.

mod common;
use common::*;
use serde_json::{json, Value};

const MIB: u64 = 1024 * 1024;

async fn bash(sb: &AgentClient, script: &str) -> Value {
    let (s, v) = sb.exec(json!({"language": "bash", "code": script, "timeout": 120})).await;
    assert_eq!(s, 200, "{v}");
    v
}

/// Filling the disk is `ENOSPC` for the writer, with a clear message; `/workspace` and
/// `/tmp` share one budget; nothing reaches the host; deleting frees the space again.
#[tokio::test(flavor = "multi_thread")]
async fn disk_is_capped_and_freed() {
    let h = Harness::with(|c| c.limits.disk_bytes = Some(64 * MIB)).await;
    let sb = h.create(json!({"template_name": "base"})).await;
    let v = bash(
        &sb,
        "dd if=/dev/zero of=/workspace/big bs=1M count=200 2>&1 | head -1; stat -c %s /workspace/big",
    )
    .await;
    let out = v["stdout"].as_str().unwrap();
    assert!(out.contains("No space left on device"), "{v}");
    let size: u64 = out.lines().last().unwrap().parse().unwrap();
    assert!(size <= 64 * MIB && size > 48 * MIB, "{size}");
    // /tmp is the same disk: full too.
    let v = bash(&sb, "echo x > /tmp/more && echo wrote; df -k /tmp /workspace | tail -2 | awk '{print $2}'")
        .await;
    let out = v["stdout"].as_str().unwrap();
    assert!(!out.contains("wrote") && v["stderr"].as_str().unwrap().contains("No space left"), "{v}");
    assert_eq!(
        out.lines().map(|l| l.trim().parse::<u64>().unwrap()).collect::<Vec<_>>(),
        [64 * 1024; 2],
        "{v}"
    );
    // Nothing of it is on the host: the engine's state folder stays empty of data.
    assert!(du(&h.state_dir) < MIB, "the host folder grew: {} bytes", du(&h.state_dir));
    // Freeing space makes it usable again.
    let v =
        bash(&sb, "rm /workspace/big && dd if=/dev/zero of=/tmp/again bs=1M count=32 2>/dev/null && echo ok")
            .await;
    assert_eq!(v["stdout"], "ok\n", "{v}");
    h.server.shutdown().await;
}

/// A flood of empty files stops at the file cap (each file costs the kernel memory beyond its
/// bytes), not when the host runs out.
#[tokio::test(flavor = "multi_thread")]
async fn file_count_is_capped() {
    let h = Harness::with(|c| c.limits.disk_files = Some(2000)).await;
    let sb = h.create(json!({"template_name": "base"})).await;
    let v = bash(
        &sb,
        "cd /workspace; for i in $(seq 1 3000); do : > f$i || break; done 2>&1 | tail -1; ls | wc -l",
    )
    .await;
    let out = v["stdout"].as_str().unwrap();
    assert!(out.contains("No space left on device"), "{v}");
    let count: u64 = out.lines().last().unwrap().trim().parse().unwrap();
    assert!((1900..2000).contains(&count), "{count} files");
    // The sandbox is still usable, and removing files gives the room back.
    let v = bash(&sb, "rm -f /workspace/f*; : > /workspace/after && echo ok").await;
    assert_eq!(v["stdout"], "ok\n", "{v}");
    h.server.shutdown().await;
}

/// A full disk never costs the sandbox its kernel: files are charged to the sandbox's memory
/// cgroup, whose limit is memory plus disk, so the writer gets `ENOSPC`, not an OOM kill.
#[tokio::test(flavor = "multi_thread")]
async fn full_disk_keeps_the_kernel_alive() {
    let h = Harness::with(|c| {
        c.limits.disk_bytes = Some(192 * MIB);
        c.limits.memory_bytes = Some(160 * MIB);
    })
    .await;
    let sb = h.create(json!({"template_name": "code-interpreter"})).await;
    let (s, v) = sb.exec(json!({"code": "state = 41\nblob = bytearray(64 << 20)\nprint('ready')"})).await;
    assert_eq!((s, v["stdout"].as_str()), (200, Some("ready\n")), "{v}");
    let v = bash(&sb, "dd if=/dev/zero of=/workspace/fill bs=1M count=400 2>&1 | head -1").await;
    assert!(v["stdout"].as_str().unwrap().contains("No space left"), "{v}");
    let (s, v) = sb.exec(json!({"code": "print(state + 1, len(blob) >> 20)"})).await;
    assert_eq!((s, v["stdout"].as_str()), (200, Some("42 64\n")), "the kernel kept its state: {v}");
    assert!(v.get("kernel_restarted").is_none(), "{v}");
    h.server.shutdown().await;
}

/// Each sandbox is scheduled as one group: its processes sit in a CPU cgroup of its own (as
/// root, where the machine has the cpu controller), so eighty busy processes in one sandbox
/// weigh as much as one in another. Without cgroups each run is a session of its own
/// (grouped by the scheduler's autogroup). How much this buys is measured by the benchmark
/// (`bench/local_fairness.py`), not asserted here.
#[tokio::test(flavor = "multi_thread")]
async fn each_sandbox_has_its_own_cpu_share() {
    let h = Harness::start().await;
    let a = h.create(json!({"template_name": "base"})).await;
    let b = h.create(json!({"template_name": "base"})).await;
    let script = "grep -E ':cpu(,|:)' /proc/self/cgroup | head -1; ps -o sid= -p $$ | tr -d ' '; echo $$";
    let (va, vb) = (bash(&a, script).await, bash(&b, script).await);
    let lines = |v: &Value| v["stdout"].as_str().unwrap().lines().map(String::from).collect::<Vec<_>>();
    let (la, lb) = (lines(&va), lines(&vb));
    // The run leads a session of its own (its init called setsid): never the engine's.
    assert_ne!(la[1], la[2], "the session is the run's init, not bash itself: {va}");
    // SAFETY: trivial getter.
    if unsafe { libc::geteuid() } == 0 && cpu_controller() {
        assert!(la[0].contains("hopx-") && lb[0].contains("hopx-") && la[0] != lb[0], "{va} {vb}");
    }
    h.server.shutdown().await;
}

fn cpu_controller() -> bool {
    let v1 = std::fs::read_to_string("/proc/self/cgroup")
        .unwrap_or_default()
        .lines()
        .any(|l| l.split(':').nth(1).is_some_and(|c| c.split(',').any(|c| c == "cpu")));
    v1 && std::path::Path::new("/sys/fs/cgroup/cpu/cgroup.procs").exists()
}

/// Bytes under `dir` (files only).
fn du(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        total += if meta.is_dir() { du(&entry.path()) } else { meta.len() };
    }
    total
}

//! Measures what isolation costs per process: spawn-to-exit of `/bin/true`, 200 runs of each
//! variant, round-robin in one process (so background load hits all alike).
//!
//! `cargo run -p hopx-local --example isolation_cost [runs] [host_mb]` (as root for the cgroup
//! variant). `host_mb` makes this process hold that much written heap first, like a Python or
//! Node process embedding the engine: forking such a process costs in proportion to its size,
//! which the "forked from the engine" variant (the fallback where the helper cannot run) shows;
//! the others exec the small helper and cost the same at any size.

use hopx_local::spawn::{self, Command, Isolator, Limits, NamespaceIsolator, PlainIsolator, SandboxSpec};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn spec(name: &str, network: bool) -> Arc<SandboxSpec> {
    let dir = std::env::temp_dir().join(format!("hopx-cost-{}-{name}", std::process::id()));
    Arc::new(SandboxSpec {
        id: format!("cost-{}-{name}", std::process::id()),
        workspace: dir.join("ws"),
        tmp: dir.join("tmp"),
        ro_paths: vec![],
        network,
        limits: Limits {
            memory_bytes: Some(256 << 20),
            max_processes: Some(64),
            file_size_bytes: None,
            open_files: None,
            disk_bytes: Some(64 << 20),
            disk_files: None,
        },
        seed: Default::default(),
    })
}

async fn once(iso: &Arc<dyn Isolator>, spec: &Arc<SandboxSpec>) -> Duration {
    let command = Command {
        program: PathBuf::from("/bin/true"),
        args: vec![],
        env: vec![],
        cwd: "/".into(),
        stdin: false,
        extra_fds: vec![],
        code: None,
    };
    let start = Instant::now();
    let p = spawn::spawn(iso, spec, command).await.expect("spawn");
    let info = p.control.wait().await;
    let took = start.elapsed();
    assert_eq!(info.code, Some(0), "{info:?}");
    took
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v[((v.len() - 1) as f64 * p) as usize].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let host_mb: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(0);
    let ballast: Vec<Vec<u8>> = (0..host_mb).map(|i| vec![i as u8 | 1; 1 << 20]).collect();
    let plain: Arc<dyn Isolator> = Arc::new(PlainIsolator::new());
    let ns: Arc<dyn Isolator> = Arc::new(NamespaceIsolator::probe().expect("isolation available"));
    let variants: Vec<(&str, Arc<dyn Isolator>, Arc<SandboxSpec>)> = vec![
        ("plain (no isolation)", plain, spec("plain", true)),
        ("plain, forked from the engine", Arc::new(PlainIsolator::forking()), spec("plain-fork", true)),
        ("namespaces, host network", ns.clone(), spec("ns-net", true)),
        ("namespaces + netns (lo up)", ns.clone(), spec("ns-nonet", false)),
    ];
    for (_, iso, s) in &variants {
        spawn::prepare(iso, s).await.expect("prepare");
        once(iso, s).await; // warm up
    }
    let mut times = vec![Vec::with_capacity(runs); variants.len()];
    for _ in 0..runs {
        for (i, (_, iso, s)) in variants.iter().enumerate() {
            times[i].push(once(iso, s).await);
        }
    }
    // Making a sandbox: its namespaces, file system and holder, then ending it.
    let mut made = Vec::with_capacity(runs / 4);
    for i in 0..runs / 4 {
        let s = spec(&format!("new-{i}"), false);
        let start = Instant::now();
        spawn::prepare(&ns, &s).await.expect("prepare");
        made.push(start.elapsed());
        ns.release(&s);
    }
    println!("/bin/true spawn-to-exit, {runs} runs each, host process holding {} MB (ms)", ballast.len());
    println!(
        "  {:<30} p50 {:6.2}   p90 {:6.2}",
        "make a sandbox (holder ready)",
        pct(&mut made, 0.5),
        pct(&mut made, 0.9)
    );
    for ((name, iso, s), t) in variants.iter().zip(times.iter_mut()) {
        println!("  {name:<30} p50 {:6.2}   p90 {:6.2}", pct(t, 0.5), pct(t, 0.9));
        iso.release(s);
        let _ = std::fs::remove_dir_all(s.workspace.parent().unwrap());
    }
}

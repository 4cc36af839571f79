//! p50/p99 of create, run and kill through the Rust client against the embedded engine.
//! `cargo run --release -p hopx-core --example latency` (set HOPX_LOCAL_PYTHON to a Python
//! with IPython for the code-interpreter row).

use hopx_core::{Client, ClientConfig, CreateOptions, RunOptions};
use std::time::{Duration, Instant};

fn pct(mut v: Vec<Duration>, p: f64) -> f64 {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

fn report(name: &str, v: Vec<Duration>) {
    println!(
        "{name:<40} p50 {:>8.3} ms   p99 {:>8.3} ms   (n={})",
        pct(v.clone(), 0.5),
        pct(v.clone(), 0.99),
        v.len()
    );
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("N").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let client = Client::new(ClientConfig::default()).await.unwrap();
    let base = || CreateOptions { template: Some("base".into()), ..Default::default() };
    let (mut create, mut kill) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let t = Instant::now();
        let sb = client.create_sandbox(base()).await.unwrap();
        create.push(t.elapsed());
        let t = Instant::now();
        sb.kill().await.unwrap();
        kill.push(t.elapsed());
    }
    report("create (base)", create);
    report("kill", kill);
    let sb = client.create_sandbox(base()).await.unwrap();
    for (name, lang, code) in
        [("bash echo (one-shot)", "bash", "echo 1"), ("python print(1) (one-shot)", "python", "print(1)")]
    {
        let opts = RunOptions { language: lang.into(), ..Default::default() };
        let mut v = Vec::new();
        for _ in 0..n {
            let t = Instant::now();
            sb.run_code(code, opts.clone()).await.unwrap();
            v.push(t.elapsed());
        }
        report(name, v);
    }
    sb.kill().await.unwrap();
    let ci = CreateOptions { template: Some("code-interpreter".into()), ..Default::default() };
    if let Ok(sb) = client.create_sandbox(ci).await {
        sb.run_code("pass", RunOptions::default()).await.unwrap();
        let mut v = Vec::new();
        for _ in 0..n {
            let t = Instant::now();
            sb.run_code("print(1)", RunOptions::default()).await.unwrap();
            v.push(t.elapsed());
        }
        report("python print(1) (warm kernel)", v);
        sb.kill().await.unwrap();
    }
}

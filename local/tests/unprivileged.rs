//! The engine run by an ordinary user, as most people run it: `hopx-local serve` as a uid
//! with no privilege (uid 12345 when this test runs as root, else the test's own user) makes
//! sandboxes, runs code in them and serves a preview URL. It enters each sandbox through its
//! holder's pidfd, which the kernel allows an unprivileged process only while the holder is
//! dumpable (`sandbox/src/holder.rs`).

mod common;
use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

const UID: u32 = 12345;

/// The engine's process, killed when the test ends, passed or not.
struct Engine(std::process::Child);

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve_unprivileged() -> (Engine, String) {
    let state = temp_dir("unprivileged");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hopx-local"));
    cmd.args(["serve", "--port", "0", "--api-key", "k"])
        .env("HOPX_LOCAL_STATE_DIR", &state)
        // The sandbox Python is found on the system PATH: the one the other tests use may live
        // where uid 12345 cannot read (a root's pyenv).
        .env_remove("HOPX_LOCAL_PYTHON")
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .stdout(Stdio::piped());
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::fs::chown(&state, Some(UID), Some(UID)).unwrap();
        // From root, std also drops the supplementary groups.
        cmd.uid(UID).gid(UID);
    }
    let mut child = Engine(cmd.spawn().expect("hopx-local starts"));
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.split_whitespace().last().unwrap_or_default().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "hopx-local said: {line:?}");
    (child, base)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unprivileged_engine_runs_code_and_serves_a_preview_url() {
    let (_engine, base) = serve_unprivileged();
    let http = reqwest::Client::new();
    let sb: Value = http
        .post(format!("{base}/v1/sandboxes"))
        .header("X-API-Key", "k")
        .json(&json!({"template_name": "base", "internet_access": false}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (agent, token) = (sb["public_host"].as_str().unwrap(), sb["auth_token"].as_str().unwrap());
    let post = |path: &str, body: Value| {
        let req = http.post(format!("{agent}{path}")).bearer_auth(token).json(&body);
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    let code = "id -u; echo 'page from inside' > /workspace/p.txt";
    let (_, ran) = post("/execute", json!({"language": "bash", "code": code})).await;
    assert_eq!((ran["stdout"].as_str(), ran["exit_code"].as_i64()), (Some("1000\n"), Some(0)), "{ran}");

    let server = "exec python3 -m http.server 8000 --bind 127.0.0.1 --directory /workspace";
    let (status, started) = post("/execute/background", json!({"language": "bash", "code": server})).await;
    assert!(status.is_success(), "{started}");
    let (_, preview) = post("/preview-url", json!({"port": 8000})).await;
    let url = preview["url"].as_str().expect("a preview URL").to_string();
    let body = eventually_async(Duration::from_secs(15), || {
        let (http, url) = (http.clone(), url.clone());
        async move {
            match http.get(format!("{url}p.txt")).send().await {
                Ok(r) if r.status().is_success() => r.text().await.ok(),
                _ => None,
            }
        }
    })
    .await;
    assert_eq!(body.as_deref(), Some("page from inside\n"), "the server in the sandbox, through {url}");
}

/// The first `Some` that `probe` gives within `limit`.
async fn eventually_async<T, F, Fut>(limit: Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Some(v) = probe().await {
            return Some(v);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

//! Nothing outlives the engine: when its process dies, however, sandbox processes and
//! directories go too.

mod common;
use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_engine_leaves_no_process_and_no_directory() {
    let state = temp_dir("standalone");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hopx-local"))
        .args(["serve", "--port", "0", "--api-key", "k"])
        .env("HOPX_LOCAL_STATE_DIR", &state)
        .stdout(Stdio::piped())
        .spawn()
        .expect("hopx-local starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.split_whitespace().last().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");

    let http = reqwest::Client::new();
    let sb: Value = http
        .post(format!("{base}/v1/sandboxes"))
        .header("X-API-Key", "k")
        .json(&json!({"template_name": "base"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (url, token) =
        (sb["public_host"].as_str().unwrap().to_string(), sb["auth_token"].as_str().unwrap().to_string());
    let marker = format!("{}", 50_000 + std::process::id() % 10_000);
    let m = marker.clone();
    let run = tokio::spawn(async move {
        let marker = m;
        let _ = reqwest::Client::new()
            .post(format!("{url}/execute"))
            .bearer_auth(token)
            .json(&json!({"language": "bash", "code": format!("sleep {marker} & setsid sleep {marker}")}))
            .send()
            .await;
    });
    assert!(
        eventually(Duration::from_secs(5), || processes_with(&format!("sleep {marker}")).len() >= 2).await,
        "both sleeps run, one of them in a session of its own"
    );
    assert!(std::fs::read_dir(&state).unwrap().count() > 0);
    // Everything the engine started, the sandbox's holder (pid 1 of its namespaces, which
    // keeps its disk) included, not only the processes of the run.
    let tree = descendants(child.id() as i32);
    assert!(tree.len() >= 4, "the engine's processes: {tree:?}");

    child.kill().unwrap(); // SIGKILL: no chance to clean up in-process
    child.wait().unwrap();
    let _ = run.await;
    assert!(
        eventually(Duration::from_secs(5), || processes_with(&format!("sleep {marker}")).is_empty()).await,
        "sandbox processes die with the engine"
    );
    assert!(
        eventually(Duration::from_secs(5), || alive(&tree).is_empty()).await,
        "every process the engine started dies with it; alive: {:?}",
        alive(&tree)
    );
    assert!(
        eventually(Duration::from_secs(5), || std::fs::read_dir(&state).unwrap().count() == 0).await,
        "the engine's directory is removed after it dies"
    );
    let _ = std::fs::remove_dir_all(&state);
}

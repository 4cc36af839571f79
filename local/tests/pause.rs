//! Pause and resume on the engine: a paused sandbox's processes make no progress and use no
//! CPU, its kernel's variables and background runs survive and go on, the control plane says
//! `paused`, its agent refuses calls with a clear error, and it can still be killed.

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

/// A background loop that counts in a file, about every 10 ms.
const COUNTER: &str = "i=0; while :; do i=$((i+1)); echo $i > /workspace/n; sleep 0.01; done";

async fn count(sb: &AgentClient) -> u64 {
    sb.ok("bash", "cat /workspace/n").await.trim().parse().unwrap()
}

async fn lifecycle(h: &Harness, id: &str, verb: &str) -> Value {
    let (s, v, _) = h.control(reqwest::Method::POST, &format!("/v1/sandboxes/{id}/{verb}"), None).await;
    assert_eq!(s, 200, "{verb}: {v}");
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn pause_freezes_progress_and_keeps_state() {
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "code-interpreter"})).await;
    sb.ok("python", "x = 41").await;
    let (s, v, _) = sb
        .agent(
            reqwest::Method::POST,
            "/execute/background",
            Some(json!({"code": COUNTER, "language": "bash", "timeout": 120})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let before = count(&sb).await;
    let paused = lifecycle(&h, &sb.id, "pause").await;
    assert_eq!(paused["status"], "paused", "{paused}");
    let (_, got, _) = h.control(reqwest::Method::GET, &format!("/v1/sandboxes/{}", sb.id), None).await;
    assert_eq!(got["status"], "paused", "{got}");
    // Pausing again is no error.
    lifecycle(&h, &sb.id, "pause").await;

    // Calls on the agent get a clear refusal, not a hang.
    let (s, v) = sb.exec(json!({"language": "python", "code": "print(x)"})).await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["code"], "SANDBOX_PAUSED", "{v}");
    let (s, health, _) = sb.agent(reqwest::Method::GET, "/health", None).await;
    assert_eq!((s, health["status"].as_str()), (200, Some("paused")), "{health}");

    // While paused, the loop does not count: what it wrote before the pause is what the
    // first read after the resume finds, give or take the steps in flight (running, 600 ms
    // are some 40 steps).
    tokio::time::sleep(Duration::from_millis(600)).await;
    let v = lifecycle(&h, &sb.id, "resume").await;
    assert_eq!(v["status"], "running", "{v}");
    let resumed_at = count(&sb).await;
    assert!(
        resumed_at >= before && resumed_at - before <= 10,
        "it counted while paused: {before} then {resumed_at}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let later = count(&sb).await;
    assert!(later > resumed_at, "the loop goes on after resume: {resumed_at} then {later}");
    assert_eq!(sb.ok("python", "print(x + 1)").await.trim(), "42", "the kernel kept its variables");
    h.server.shutdown().await;
}

/// A paused sandbox can be killed: frozen processes must not outlive it.
#[tokio::test(flavor = "multi_thread")]
async fn a_paused_sandbox_dies_whole_when_killed() {
    let h = Harness::start().await;
    let me = std::process::id() as i32;
    let before = descendants(me);
    let sb = h.create(json!({"template_name": "code-interpreter"})).await;
    sb.ok("python", "import subprocess; p = subprocess.Popen(['sleep', '300'])").await;
    let started: Vec<i32> = descendants(me).into_iter().filter(|p| !before.contains(p)).collect();
    assert!(!started.is_empty());
    lifecycle(&h, &sb.id, "pause").await;
    let (s, v, _) = h.control(reqwest::Method::DELETE, &format!("/v1/sandboxes/{}", sb.id), None).await;
    assert!(s < 300, "{v}");
    let gone = eventually(Duration::from_secs(10), || alive(&started).is_empty()).await;
    assert!(gone, "processes of the paused sandbox outlived it: {:?}", alive(&started));
    let (s, _, _) = h.control(reqwest::Method::POST, &format!("/v1/sandboxes/{}/resume", sb.id), None).await;
    assert_eq!(s, 404, "a killed sandbox cannot be resumed");
    h.server.shutdown().await;
}

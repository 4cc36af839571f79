//! What the agent tells about its sandbox, read live: the processes in it (and only those),
//! its resource use and counters, its kernel session.

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

async fn get(sb: &AgentClient, path: &str) -> Value {
    let (s, v, _) = sb.agent(reqwest::Method::GET, path, None).await;
    assert_eq!(s, 200, "{path}: {v}");
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn processes_metrics_and_sessions_are_the_sandboxes_own() {
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "code-interpreter"})).await;
    assert_eq!(get(&sb, "/jupyter/sessions").await["sessions"], json!([]), "no kernel yet");
    sb.ok("python", "x = 1").await;
    let (s, v, _) = sb
        .agent(
            reqwest::Method::POST,
            "/commands/background",
            Some(json!({"command": "sleep 300", "timeout": 600})),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    let mut listed = Value::Null;
    for _ in 0..100 {
        listed = get(&sb, "/processes").await;
        if listed["processes"].as_array().unwrap().iter().any(|p| p["name"] == "sleep") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let procs = listed["processes"].as_array().unwrap();
    let sleep = procs.iter().find(|p| p["name"] == "sleep").unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(sleep["command"], "sleep 300");
    assert_eq!(sleep["status"], "sleeping");
    let kernel =
        procs.iter().find(|p| p["command"].as_str().unwrap_or("").contains("python")).expect("the kernel");
    assert!(kernel["memory_mb"].as_f64().unwrap() > 5.0, "{kernel}");
    // Pids as the sandbox sees them: small, and never the test process's own.
    let me = std::process::id() as i64;
    assert!(
        procs.iter().all(|p| p["pid"].as_i64().unwrap() != me && p["pid"].as_i64().unwrap() < 1000),
        "{listed}"
    );
    assert_eq!(listed["count"], procs.len());

    let before = get(&sb, "/metrics/snapshot").await;
    sb.ok("python", "x += 1").await;
    let after = get(&sb, "/metrics/snapshot").await;
    assert_eq!(
        after["total_executions"].as_u64().unwrap(),
        before["total_executions"].as_u64().unwrap() + 1,
        "{after}"
    );
    assert!(after["system"]["memory_bytes"].as_u64().unwrap() > 10 << 20, "{after}");
    assert!(
        after["process"]["count"].as_u64().unwrap() >= 3,
        "the kernel, the background bash and its sleep: {after}"
    );
    assert!(after["requests_total"].as_u64().unwrap() > before["requests_total"].as_u64().unwrap());
    assert_eq!(get(&sb, "/metrics").await["process"]["count"], after["process"]["count"]);

    // The kernel session: idle, then busy while a cell runs.
    let sessions = get(&sb, "/jupyter/sessions").await;
    assert_eq!(sessions["sessions"][0]["execution_state"], "idle", "{sessions}");
    let busy_cell = sb.exec(json!({"language": "python", "code": "import time; time.sleep(1.5)"}));
    let probe = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        get(&sb, "/jupyter/sessions").await
    };
    let ((s, _), during) = tokio::join!(busy_cell, probe);
    assert_eq!(s, 200);
    assert_eq!(during["sessions"][0]["execution_state"], "busy", "{during}");
    h.server.shutdown().await;
}

/// A background run is listed with its program's pid (as the sandbox sees it, so it matches
/// `/processes`) and a name even when none was given, as the official examples expect.
#[tokio::test(flavor = "multi_thread")]
async fn background_runs_have_a_pid_and_a_name() {
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "base"})).await;
    let code = "import time; time.sleep(60)";
    let (s, v, _) = sb
        .agent(
            reqwest::Method::POST,
            "/execute/background",
            Some(json!({"code": code, "language": "python", "timeout": 120})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let id = v["process_id"].as_str().unwrap().to_string();
    let mut run = Value::Null;
    for _ in 0..100 {
        let listed = get(&sb, "/execute/processes").await;
        run = listed["processes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["process_id"] == id.as_str())
            .cloned()
            .unwrap();
        if run["pid"].as_i64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(run["name"], "python", "{run}");
    let pid = run["pid"].as_i64().unwrap();
    let procs = get(&sb, "/processes").await;
    let program = procs["processes"].as_array().unwrap().iter().find(|p| p["pid"].as_i64() == Some(pid));
    let program = program.unwrap_or_else(|| panic!("pid {pid} of the run is not among {procs}"));
    assert!(program["command"].as_str().unwrap().contains("python"), "{program}");
    h.server.shutdown().await;
}

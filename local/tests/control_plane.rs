//! The control plane over real HTTP: shapes, status codes, errors, auth and lifecycle.

mod common;
use common::*;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn create_get_list_delete_round_trip() {
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "base", "timeout_seconds": 600})).await;
    assert!(sb.url.starts_with("http://127.0.0.1:"), "{}", sb.url);
    // The agent already answers when create returns.
    let (s, health, _) = sb.agent(Method::GET, "/health", None).await;
    assert_eq!((s, health["status"].as_str()), (200, Some("healthy")));

    let (s, info, rid) = h.control(Method::GET, &format!("/v1/sandboxes/{}", sb.id), None).await;
    assert_eq!(s, 200);
    assert!(rid.unwrap().starts_with("req_"));
    assert_eq!(info["status"], "running");
    assert_eq!(info["template_name"], "base");
    assert_eq!(info["timeout_seconds"], 600);
    assert!(info["expires_at"].as_str().unwrap().ends_with('Z'));
    assert!(info.get("auth_token").is_none(), "tokens only on create and refresh");

    let (s, list, _) = h.control(Method::GET, "/v1/sandboxes?limit=10", None).await;
    assert_eq!(s, 200);
    assert!(list["data"].as_array().unwrap().iter().any(|d| d["id"] == sb.id.as_str()));

    let (s, del, _) = h.control(Method::DELETE, &format!("/v1/sandboxes/{}", sb.id), None).await;
    assert_eq!((s, del["status"].as_str()), (200, Some("deleted")));
    let (s, err, _) = h.control(Method::GET, &format!("/v1/sandboxes/{}", sb.id), None).await;
    assert_eq!(s, 404);
    assert!(err["error"]["message"].as_str().unwrap().contains("Sandbox not found"));
    assert_eq!(err["code"], "RESOURCE_NOT_FOUND");
    let (s, _, _) = sb.agent(Method::POST, "/execute", Some(json!({"code": "print(1)"}))).await;
    assert_eq!(s, 404, "the agent answers 404 after a kill too");
    let (s, _, _) = h.control(Method::DELETE, &format!("/v1/sandboxes/{}", sb.id), None).await;
    assert_eq!(s, 404);
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_have_both_body_shapes_and_request_ids() {
    let h = Harness::start().await;
    let (s, v, rid) =
        h.control(Method::POST, "/v1/sandboxes", Some(json!({"template_name": "no-such"}))).await;
    assert_eq!(s, 404);
    assert_eq!(v["error"]["code"], "TEMPLATE_NOT_FOUND");
    assert_eq!(v["code"], "TEMPLATE_NOT_FOUND");
    let all = json!(["code-interpreter", "base", "python", "nodejs", "go"]);
    assert_eq!(v["error"]["details"]["available_templates"], all);
    assert_eq!(v["error"]["request_id"].as_str(), rid.as_deref());

    let (s, v, _) = h.control(Method::POST, "/v1/sandboxes", Some(json!({}))).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("INVALID_REQUEST")));
    let resp =
        h.http.post(h.url("/v1/sandboxes")).header("X-API-Key", KEY).body("{not json").send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let resp = h.http.get(h.url("/v1/sandboxes")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = h.http.get(h.url("/v1/sandboxes")).header("X-API-Key", "wrong").send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = h.http.get(h.url("/v1/sandboxes")).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(resp.status(), 200, "a Bearer API key is accepted too");
    // An inbound request id is echoed.
    let resp = h.http.get(h.url("/health")).header("X-Request-ID", "mine-1").send().await.unwrap();
    assert_eq!(resp.headers()["x-request-id"], "mine-1");
    h.server.shutdown().await;
}

/// Whoever finds a port on loopback learns nothing about the sandboxes behind it: the open
/// endpoints of the control plane and of an agent name no sandbox without its token.
#[tokio::test(flavor = "multi_thread")]
async fn open_endpoints_do_not_name_sandboxes() {
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "base"})).await;
    let health = h.http.get(h.url("/health")).send().await.unwrap().text().await.unwrap();
    assert!(health.contains("healthy") && !health.contains(&sb.id), "{health}");
    for path in ["/health", "/info", "/", "/ping"] {
        let anon = h.http.get(format!("{}{path}", sb.url)).send().await.unwrap().text().await.unwrap();
        assert!(!anon.contains(&sb.id), "{path} names the sandbox: {anon}");
    }
    let (s, info, _) = sb.agent(Method::GET, "/info", None).await;
    assert_eq!((s, info["vm_id"].as_str()), (200, Some(sb.id.as_str())), "with its token it may");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn templates_and_timeout_and_token_refresh() {
    let h = Harness::start().await;
    let (s, v, _) = h.control(Method::GET, "/v1/templates", None).await;
    assert_eq!(s, 200);
    let names: Vec<&str> =
        v["data"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["code-interpreter", "base", "python", "nodejs", "go"]);
    for t in v["data"].as_array().unwrap() {
        // The official CLI lists templates in a table: descriptions must fit.
        assert!(t["description"].as_str().unwrap().len() <= 60, "{t}");
    }
    let (s, t, _) = h.control(Method::GET, "/v1/templates/base", None).await;
    assert_eq!((s, t["display_name"].as_str()), (200, Some("Base")));
    let (_, t, _) = h.control(Method::GET, "/v1/templates/nodejs", None).await;
    assert_eq!(t["language"], "javascript");

    let sb = h.create(json!({"template_id": "2"})).await;
    let (s, v, _) = h
        .control(
            Method::PUT,
            &format!("/v1/sandboxes/{}/timeout", sb.id),
            Some(json!({"timeout_seconds": 900})),
        )
        .await;
    assert_eq!((s, v["timeout_seconds"].as_u64()), (200, Some(900)));
    let (s, _, _) = h
        .control(
            Method::PUT,
            &format!("/v1/sandboxes/{}/timeout", sb.id),
            Some(json!({"timeout_seconds": 0})),
        )
        .await;
    assert_eq!(s, 400);

    let (s, v, _) = h.control(Method::POST, &format!("/v1/sandboxes/{}/token/refresh", sb.id), None).await;
    assert_eq!(s, 200);
    let new_token = v["auth_token"].as_str().unwrap().to_string();
    assert_ne!(new_token, sb.token);
    assert!(v["token_expires_at"].as_str().unwrap().ends_with('Z'));
    let fresh = common::AgentClient { token: new_token, ..sb };
    assert_eq!(fresh.ok("bash", "echo ok").await, "ok\n");
    let wrong = common::AgentClient { token: "nope".into(), ..fresh };
    let (s, v, _) =
        wrong.agent(Method::POST, "/execute", Some(json!({"code": "echo 1", "language": "bash"}))).await;
    assert_eq!((s, v["code"].as_str()), (401, Some("TOKEN_INVALID")));
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ttl_expiry_removes_the_sandbox_and_its_files() {
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "base", "timeout_seconds": 1})).await;
    let data = format!("data-of-{}", sb.id);
    sb.ok("bash", &format!("echo {data} > /workspace/f.txt")).await;
    // The file lives in the sandbox's own file system, seen from the host only through the
    // root of a process in the sandbox.
    assert!(!common::sandbox_processes_seeing("workspace/f.txt", &data).is_empty());
    tokio::time::sleep(Duration::from_millis(1400)).await;
    let (s, v, _) = h.control(Method::GET, &format!("/v1/sandboxes/{}", sb.id), None).await;
    assert_eq!(s, 404);
    assert_eq!(v["code"], "SANDBOX_EXPIRED");
    assert!(
        eventually(Duration::from_secs(5), || common::sandbox_processes_seeing("workspace/f.txt", &data)
            .is_empty())
        .await,
        "the sandbox and its files are gone on expiry"
    );
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_limit_is_a_clear_error() {
    let h = Harness::with(|c| c.max_sandboxes = 2).await;
    h.create(json!({"template_name": "base"})).await;
    h.create(json!({"template_name": "base"})).await;
    let (s, v, _) = h.control(Method::POST, "/v1/sandboxes", Some(json!({"template_name": "base"}))).await;
    assert_eq!(s, 403);
    assert_eq!(v["code"], "RESOURCE_LIMIT_EXCEEDED");
    assert!(v["message"].as_str().unwrap().contains("limit"));
    h.server.shutdown().await;
}

/// Built-in templates cannot be deleted (a clear 403, not a silent success); an unknown one is
/// a 404. The list's status filter tells paused sandboxes from running ones.
#[tokio::test(flavor = "multi_thread")]
async fn templates_refuse_deletion_and_the_list_filters_by_status() {
    let h = Harness::start().await;
    let (s, v, _) = h.control(reqwest::Method::DELETE, "/v1/templates/base", None).await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(v["error"]["code"], "FORBIDDEN", "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("built into the local engine"), "{v}");
    let (s, v, _) = h.control(reqwest::Method::DELETE, "/v1/templates/nope", None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (404, Some("TEMPLATE_NOT_FOUND")), "{v}");

    let running = h.create(json!({"template_name": "base"})).await;
    let paused = h.create(json!({"template_name": "base"})).await;
    let (s, _, _) =
        h.control(reqwest::Method::POST, &format!("/v1/sandboxes/{}/pause", paused.id), None).await;
    assert_eq!(s, 200);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["data"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect()
    };
    let (_, v, _) = h.control(reqwest::Method::GET, "/v1/sandboxes?status=paused", None).await;
    assert_eq!(ids(&v), vec![paused.id.clone()]);
    let (_, v, _) = h.control(reqwest::Method::GET, "/v1/sandboxes?status=running", None).await;
    assert_eq!(ids(&v), vec![running.id.clone()]);
    // One a page: the cursor leads to the next.
    let (_, v, _) = h.control(reqwest::Method::GET, "/v1/sandboxes?limit=1", None).await;
    assert_eq!((v["has_more"].as_bool(), ids(&v).len()), (Some(true), 1), "{v}");
    let next = v["next_cursor"].as_str().unwrap().to_string();
    let (_, v, _) =
        h.control(reqwest::Method::GET, &format!("/v1/sandboxes?limit=1&cursor={next}"), None).await;
    assert_eq!((v["has_more"].as_bool(), ids(&v).len()), (Some(false), 1), "{v}");
    h.server.shutdown().await;
}

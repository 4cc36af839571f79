//! Webhook runs, IPython runs, the cache, preview URLs, preflight and `Sandbox::debug` against
//! the fake HopX cloud of the contract suites: what goes on the wire and what comes back.

mod support;

use hopx_core::{Client, ClientConfig, CreateOptions, ErrorKind, RunOptions, Sandbox, Webhook};
use serde_json::json;
use std::collections::BTreeMap;
use support::{Cloud, API_KEY};

async fn sandbox(cloud: &Cloud) -> Sandbox {
    let config =
        ClientConfig { api_key: Some(API_KEY.into()), base_url: Some(cloud.url.clone()), local_python: None };
    let client = Client::new(config).await.unwrap();
    client
        .create_sandbox(CreateOptions { template: Some("code-interpreter".into()), ..Default::default() })
        .await
        .unwrap()
}

fn webhook(url: &str) -> Webhook {
    Webhook { callback_url: url.into(), ..Default::default() }
}

#[tokio::test]
async fn a_webhook_run_sends_the_callback_fields() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    let queued = json!({"execution_id": "exec_1", "status": "queued", "callback_url": "https://h.example/x"});
    cloud.script("POST /execute/async", 202, queued.clone(), &[]);
    let hook = Webhook {
        callback_url: "https://h.example/x".into(),
        headers: Some(BTreeMap::from([("Authorization".to_string(), "Bearer r".to_string())])),
        signature_secret: Some("s".into()),
    };
    let answer = sb.run_code_async("train()", RunOptions::default(), hook).await.unwrap();
    assert_eq!((&answer["execution_id"], &answer["status"]), (&queued["execution_id"], &queued["status"]));
    let sent = &cloud.on("POST /execute/async")[0];
    assert_eq!(
        sent.body,
        json!({"language": "python", "code": "train()", "workdir": "/workspace", "timeout": 1800,
               "callback_url": "https://h.example/x", "callback_headers": {"Authorization": "Bearer r"},
               "callback_signature_secret": "s"})
    );
    assert!(sent.header("authorization").unwrap().starts_with("Bearer "));

    // Empty extras are left out; a POST that may have started a run is never sent twice.
    cloud.script("POST /execute/async", 500, json!({"error": "boom"}), &[]);
    let err = sb.run_code_async("x", RunOptions::default(), webhook("http://h/")).await.unwrap_err();
    assert_eq!(err.status_code, Some(500));
    let second = &cloud.on("POST /execute/async")[1];
    assert!(
        second.body.get("callback_headers").is_none()
            && second.body.get("callback_signature_secret").is_none()
    );
    assert_eq!(cloud.on("POST /execute/async").len(), 2);
}

#[tokio::test]
async fn bad_webhook_arguments_send_nothing() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    let before = cloud.count();
    for url in ["", "h.example/x", "ftp://h.example/"] {
        let err = sb.run_code_async("x", RunOptions::default(), webhook(url)).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation, "{url:?}");
    }
    let too_long = RunOptions { timeout: Some(86_401), ..Default::default() };
    let err = sb.run_code_async("x", too_long, webhook("http://h/")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Validation);
    assert_eq!(cloud.count(), before);
}

#[tokio::test]
async fn an_ipython_run_goes_to_its_endpoint_as_python_with_a_60_s_default() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    let ran = json!({"success": true, "stdout": "3\n", "stderr": "", "exit_code": 0, "execution_time": 0.1});
    cloud.script("POST /execute/ipython", 200, ran, &[]);
    let bash = RunOptions { language: "bash".into(), ..Default::default() };
    let result = sb.run_ipython("%time 1 + 2", bash).await.unwrap();
    assert_eq!(result.stdout, "3\n");
    let sent = &cloud.on("POST /execute/ipython")[0];
    assert_eq!((sent.body["language"].as_str(), sent.body["timeout"].as_u64()), (Some("python"), Some(60)));
}

#[tokio::test]
async fn the_cache_calls_and_their_answers() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    let stats =
        json!({"cache": {"size": 2, "max_size": 100, "total_hits": 5, "ttl": "1h"}, "timestamp": "t"});
    cloud.script("GET /cache/stats", 200, stats.clone(), &[]);
    cloud.script("POST /cache/clear", 200, json!({"message": "Cache cleared successfully"}), &[]);
    assert_eq!(sb.cache().stats().await.unwrap()["cache"], stats["cache"]);
    assert_eq!(sb.cache().clear().await.unwrap()["message"], "Cache cleared successfully");
    assert_eq!(cloud.on("POST /cache/clear").len(), 1);
}

#[tokio::test]
async fn a_cloud_preview_url_is_made_from_the_agent_host_without_a_request() {
    let cloud = Cloud::start().await;
    cloud.set_agent_url("https://7777-sbx42.eu-1001.vms.hopx.dev");
    let sb = sandbox(&cloud).await;
    let before = cloud.count();
    assert_eq!(sb.preview_url(3000).await.unwrap(), "https://3000-sbx42.eu-1001.vms.hopx.dev/");
    assert_eq!(cloud.count(), before);
    for bad in [0, -1, 65_536] {
        assert_eq!(sb.preview_url(bad).await.unwrap_err().kind, ErrorKind::Validation, "{bad}");
    }
}

#[tokio::test]
async fn another_agent_is_asked_for_its_preview_url() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    cloud.script("POST /preview-url", 200, json!({"port": 8000, "url": "http://127.0.0.1:5555/"}), &[]);
    assert_eq!(sb.preview_url(8000).await.unwrap(), "http://127.0.0.1:5555/");
    assert_eq!(cloud.on("POST /preview-url")[0].body, json!({"port": 8000}));
    // An agent without preview URLs says so with its own error.
    let err = sb.preview_url(8001).await.unwrap_err();
    assert_eq!(err.status_code, Some(404));
}

#[tokio::test]
async fn preflight_checks_the_sandbox_before_sending_code() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    cloud.set_status(sb.id(), "paused");
    let checked = RunOptions { preflight: true, ..Default::default() };
    let err = sb.run_code("print(1)", checked.clone()).await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("sandbox_not_running"));
    assert!(cloud.on("POST /execute").is_empty(), "no code was sent");
    cloud.set_status(sb.id(), "running");
    sb.run_code("print(1)", checked).await.unwrap();
    assert_eq!(cloud.on("POST /execute").len(), 1);
}

#[tokio::test]
async fn debug_sends_the_given_token_to_the_given_agent() {
    let cloud = Cloud::start().await;
    let made = sandbox(&cloud).await;
    let token = made.token().await.unwrap();
    let agent = made.agent_url().unwrap().replace("http://", "ws://");
    let direct = Sandbox::debug(&agent, &token, "dbg").await.unwrap();
    let result = direct.run_code("print(2)", RunOptions::default()).await.unwrap();
    assert_eq!(result.stdout, "ran: print(2)\n");
    let sent = cloud.on("POST /execute");
    assert_eq!(sent.last().unwrap().header("authorization"), Some(format!("Bearer {token}").as_str()));
    assert!(Sandbox::debug("127.0.0.1:1", &token, "dbg").await.is_err());
    assert!(Sandbox::debug(&agent, "", "dbg").await.is_err());
}

//! The client against the fake HopX cloud of the contract suites (`tests/contract/fake_cloud.py`):
//! what goes on the wire, what is checked before anything is sent, and the behaviours the
//! bindings' scenarios do not reach (a booting VM, concurrent refreshes, the local engine's
//! error details). The retry and token scenarios run once per binding, in `tests/contract`.

mod support;

use hopx_core::{Client, ClientConfig, CreateOptions, ErrorKind, ListOptions, RunOptions, Sandbox};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;
use support::{nested_error, Cloud, API_KEY};

const EXECUTE: &str = "POST /execute";
const CREATE: &str = "POST /v1/sandboxes";
const GET: &str = "GET /v1/sandboxes/{id}";
const REFRESH: &str = "POST /v1/sandboxes/{id}/token/refresh";

async fn client(cloud: &Cloud) -> Client {
    let config =
        ClientConfig { api_key: Some(API_KEY.into()), base_url: Some(cloud.url.clone()), local_python: None };
    Client::new(config).await.unwrap()
}

fn template(name: &str) -> CreateOptions {
    CreateOptions { template: Some(name.into()), ..Default::default() }
}

async fn sandbox(cloud: &Cloud) -> Sandbox {
    client(cloud).await.create_sandbox(template("code-interpreter")).await.unwrap()
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[tokio::test]
async fn create_get_list_kill_round_trip() {
    let cloud = Cloud::start().await;
    let client = client(&cloud).await;
    let options = CreateOptions {
        template: Some("code-interpreter".into()),
        region: Some("eu-west".into()),
        timeout_seconds: Some(600),
        ..Default::default()
    };
    let sb = client.create_sandbox(options).await.unwrap();
    assert_eq!(
        cloud.on(CREATE)[0].body,
        json!({"template_name": "code-interpreter", "region": "eu-west", "timeout_seconds": 600})
    );
    assert_eq!(sb.agent_url(), Some(cloud.agent_url.as_str()), "public_host, trailing / trimmed");

    let info = sb.info().await.unwrap();
    assert_eq!(info.sandbox_id, sb.id());
    assert_eq!(info.status, "running");
    assert_eq!(info.resources.unwrap().memory_mb, 2048);

    let by_id = CreateOptions { template_id: Some("291".into()), ..Default::default() };
    let other = client.create_sandbox(by_id).await.unwrap();
    assert_eq!(cloud.on(CREATE)[1].body, json!({"template_id": "291"}));

    let filter = ListOptions { limit: Some(5), status: Some("running".into()), region: None };
    let listed = client.list(filter).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|i| i.sandbox_id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&sb.id()) && ids.contains(&other.id()));
    assert_eq!(cloud.on("GET /v1/sandboxes")[0].query, "limit=5&status=running");

    sb.set_timeout(900).await.unwrap();
    assert_eq!(cloud.on("PUT /v1/sandboxes/{id}/timeout")[0].body, json!({"timeout_seconds": 900}));

    sb.kill().await.unwrap();
    let deletes = cloud.on("DELETE /v1/sandboxes/{id}");
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].path, format!("/v1/sandboxes/{}", sb.id()));
    assert_eq!(client.list(ListOptions::default()).await.unwrap().len(), 1);

    for req in cloud.requests() {
        assert_eq!(req.header("x-api-key"), Some(API_KEY), "{}", req.route);
        assert!(req.header("user-agent").unwrap().starts_with("hopx-rs/"));
        assert_eq!(req.header("content-type"), Some("application/json"));
    }
}

#[tokio::test]
async fn api_key_from_hopx_api_key_env() {
    let cloud = Cloud::start().await;
    // Only this test relies on the variable; the others pass their key explicitly.
    std::env::set_var("HOPX_API_KEY", API_KEY);
    let config = ClientConfig { base_url: Some(cloud.url.clone()), ..Default::default() };
    let client = Client::new(config).await.unwrap();
    client.list(ListOptions::default()).await.unwrap();
    assert_eq!(cloud.requests()[0].header("x-api-key"), Some(API_KEY));
}

#[tokio::test]
async fn run_code_sends_exactly_the_wire_fields_and_the_bearer_token() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    let options = RunOptions {
        language: "bash".into(),
        timeout: Some(30),
        env: Some(env(&[("A", "1")])),
        working_dir: "/tmp".into(),
        preflight: false,
    };
    let result = sb.run_code("echo hi", options).await.unwrap();
    assert!(result.success);
    assert_eq!(result.stdout, "ran: echo hi\n");

    sb.run_code("print(1)", RunOptions::default()).await.unwrap();
    let runs = cloud.on(EXECUTE);
    assert_eq!(runs.len(), 2);
    assert_eq!(
        runs[0].body,
        json!({"language": "bash", "code": "echo hi", "workdir": "/tmp", "timeout": 30, "env": {"A": "1"}})
    );
    assert_eq!(
        runs[1].body,
        json!({"language": "python", "code": "print(1)", "workdir": "/workspace", "timeout": 120})
    );
    let bearer = format!("Bearer {}", cloud.issued_tokens()[0]);
    assert_eq!(runs[0].header("authorization"), Some(bearer.as_str()));
    assert_eq!(runs[1].header("authorization"), Some(bearer.as_str()));
    assert_eq!(runs[0].header("x-api-key"), None, "the API key never goes to the agent");
    assert!(cloud.on(REFRESH).is_empty(), "a 24 h token needs no refresh");
    assert!(cloud.on(GET).is_empty(), "public_host from create is used, no extra GET");
}

#[tokio::test]
async fn the_first_agent_call_waits_for_a_booting_vm() {
    let cloud = Cloud::start().await;
    let url = support::late_agent(&cloud, Duration::from_millis(1200)).await;
    cloud.set_agent_url(&url);
    let sb = sandbox(&cloud).await;
    let result = sb.run_code("1", RunOptions::default()).await.unwrap();
    assert!(result.success);
    assert_eq!(cloud.on(EXECUTE).len(), 1, "refused connections never reached the agent");
}

#[tokio::test]
async fn unknown_template_from_the_local_engine_uses_its_details() {
    let cloud = Cloud::start().await;
    let details = json!({"template_name": "x", "available_templates": ["base"]});
    cloud.script(CREATE, 404, nested_error("TEMPLATE_NOT_FOUND", "Template 'x' not found", details), &[]);
    let err = client(&cloud).await.create_sandbox(template("x")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::TemplateNotFound);
    assert_eq!(err.available_templates, ["base"]);
    assert_eq!(err.message, "Template 'x' not found");
    assert!(cloud.on("GET /v1/templates").is_empty());
}

#[tokio::test]
async fn invalid_arguments_fail_before_any_request() {
    let cloud = Cloud::start().await;
    let client = client(&cloud).await;
    let blank = CreateOptions { template: Some(" ".into()), ..Default::default() };
    let err = client.create_sandbox(blank).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Validation);
    let sb = Sandbox::from_parts(client, "sb-x", Some(cloud.agent_url.clone()));
    let bad = [
        RunOptions { timeout: Some(0), ..Default::default() },
        RunOptions { timeout: Some(301), ..Default::default() },
        RunOptions { language: "".into(), ..Default::default() },
        RunOptions { env: Some(env(&[("", "v")])), ..Default::default() },
    ];
    for options in bad {
        let err = sb.run_code("1", options.clone()).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation, "{options:?}");
    }
    let huge = "#".repeat(hopx_core::MAX_CODE_BYTES + 1);
    assert_eq!(sb.run_code(&huge, RunOptions::default()).await.unwrap_err().kind, ErrorKind::Validation);
    assert_eq!(sb.set_timeout(0).await.unwrap_err().kind, ErrorKind::Validation);
    assert_eq!(cloud.count(), 0, "nothing was sent");
}

#[tokio::test]
async fn create_without_a_template_asks_for_the_default_one() {
    // The official SDK refuses this; the core (for both bindings) picks "code-interpreter".
    let cloud = Cloud::start().await;
    let client = client(&cloud).await;
    let _ = client.create_sandbox(CreateOptions::default()).await;
    let sent = cloud.on("POST /v1/sandboxes");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body["template_name"], "code-interpreter");
    assert!(sent[0].body.get("template_id").is_none());
}

#[tokio::test]
async fn a_killed_sandbox_sends_nothing() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    let copy = sb.clone();
    sb.kill().await.unwrap();
    let before = cloud.count();
    let err = copy.run_code("1", RunOptions::default()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert!(err.message.contains("was killed"), "{}", err.message);
    assert_eq!(copy.info().await.unwrap_err().kind, ErrorKind::NotFound);
    assert_eq!(copy.kill().await.unwrap_err().kind, ErrorKind::NotFound);
    assert_eq!(cloud.count(), before);
}

#[tokio::test]
async fn env_vars_at_create_are_pushed_to_the_agent() {
    let cloud = Cloud::start().await;
    let options = CreateOptions {
        template: Some("code-interpreter".into()),
        env_vars: Some(env(&[("DEBUG", "1"), ("MODE", "test")])),
        ..Default::default()
    };
    client(&cloud).await.create_sandbox(options).await.unwrap();
    assert_eq!(cloud.on(CREATE)[0].body["env_vars"], json!({"DEBUG": "1", "MODE": "test"}));
    let patches = cloud.on("PATCH /env");
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].body, json!({"env_vars": {"DEBUG": "1", "MODE": "test"}, "merge": true}));
    let bearer = format!("Bearer {}", cloud.issued_tokens()[0]);
    assert_eq!(patches[0].header("authorization"), Some(bearer.as_str()));
}

#[tokio::test]
async fn connect_resumes_a_paused_sandbox_and_refuses_a_stopped_one() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    let client = client(&cloud).await;
    cloud.set_status(sb.id(), "paused");
    let again = client.connect(sb.id()).await.unwrap();
    assert_eq!(cloud.on("POST /v1/sandboxes/{id}/resume").len(), 1);
    assert_eq!(cloud.on(REFRESH).len(), 1);
    again.run_code("1", RunOptions::default()).await.unwrap();

    cloud.set_status(sb.id(), "stopped");
    let err = client.connect(sb.id()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Hopx);
    assert!(err.message.contains("stopped"), "{}", err.message);
}

#[tokio::test]
async fn a_null_list_is_empty() {
    let cloud = Cloud::start().await;
    cloud.script("GET /v1/sandboxes", 200, json!({"object": "list", "data": null}), &[]);
    assert!(client(&cloud).await.list(ListOptions::default()).await.unwrap().is_empty());
}

#[tokio::test]
async fn concurrent_runs_share_one_token_refresh() {
    let cloud = Cloud::start().await;
    cloud.set_create_token_ttl(60);
    let sb = sandbox(&cloud).await;
    // Spawned tasks: also proves the futures are `Send + 'static`, as the bindings need.
    let runs: Vec<_> = (0..4)
        .map(|i| {
            let sb = sb.clone();
            tokio::spawn(async move { sb.run_code(&i.to_string(), RunOptions::default()).await })
        })
        .collect();
    for run in runs {
        assert!(run.await.unwrap().unwrap().success);
    }
    assert_eq!(cloud.on(REFRESH).len(), 1);
    assert_eq!(cloud.on(EXECUTE).len(), 4);
}

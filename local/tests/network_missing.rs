//! A machine without slirp4netns: sandboxes are made without internet access by default, and
//! one that asks for it gets a clear error, never the host's network. Its own test binary,
//! because it changes the process environment before the engine starts.

mod common;
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn without_slirp4netns_the_default_is_offline_and_asking_fails_clearly() {
    std::env::set_var("HOPX_LOCAL_SLIRP4NETNS", "/nonexistent/slirp4netns");
    let h = Harness::start().await;
    let (s, v, _) =
        h.control(reqwest::Method::POST, "/v1/sandboxes", Some(json!({"template_name": "base"}))).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["internet_access"], false, "{v}");
    let (s, v, _) = h
        .control(
            reqwest::Method::POST,
            "/v1/sandboxes",
            Some(json!({"template_name": "base", "internet_access": true})),
        )
        .await;
    assert_eq!(s, 500, "{v}");
    assert_eq!(v["code"], "INTERNET_UNAVAILABLE", "{v}");
    let message = v["message"].as_str().unwrap_or_default();
    assert!(message.contains("HOPX_LOCAL_SLIRP4NETNS") && message.contains("internet_access=false"), "{v}");
    h.server.shutdown().await;
}

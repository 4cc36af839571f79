//! Preview URLs: `POST /preview-url` gives a loopback URL of the host that leads to a port on
//! the sandbox's own loopback, with or without internet access, and gives the sandbox no way
//! to the host: its code cannot reach the forward's port, nor the agent's.

mod common;
use common::*;
use hopx_local::spawn::{Isolator, Limits, PlainIsolator, SandboxSpec};
use reqwest::Method;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A Python server on the sandbox's 127.0.0.1:8000, serving /workspace/site.
const SERVER: &str = "import functools, http.server\n\
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory='/workspace/site')\n\
    http.server.ThreadingHTTPServer(('127.0.0.1', 8000), handler).serve_forever()\n";

async fn preview(sb: &AgentClient, body: Value) -> (u16, Value) {
    let (s, v, _) = sb.agent(Method::POST, "/preview-url", Some(body)).await;
    (s, v)
}

async fn preview_url(sb: &AgentClient, port: u16) -> String {
    let (s, v) = preview(sb, json!({ "port": port })).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["port"], port, "{v}");
    let url = v["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with('/'), "{url}");
    url
}

/// `host:port` of an `http://host:port/` URL.
fn authority(url: &str) -> &str {
    url.trim_start_matches("http://").trim_end_matches('/')
}

/// A plain HTTP/1.1 GET over TCP: `Some((status, body))`, or `None` if the connection closed
/// without an answer. Never hangs (10 s at most).
async fn get(url: &str, path: &str) -> Option<(u16, String)> {
    let exchange = async {
        let mut conn = tokio::net::TcpStream::connect(authority(url)).await.ok()?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", authority(url));
        conn.write_all(request.as_bytes()).await.ok()?;
        let mut answer = Vec::new();
        let _ = conn.read_to_end(&mut answer).await;
        let text = String::from_utf8_lossy(&answer).into_owned();
        let status = text.split_whitespace().nth(1)?.parse().ok()?;
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        Some((status, body))
    };
    tokio::time::timeout(Duration::from_secs(10), exchange).await.expect("the forward answers or closes")
}

/// Starts the server in the background and waits until it answers through `url`.
async fn start_server(sb: &AgentClient, url: &str) {
    let body = json!({"code": SERVER, "language": "python", "timeout": 300});
    let (s, v, _) = sb.agent(Method::POST, "/execute/background", Some(body)).await;
    assert_eq!(s, 200, "{v}");
    for _ in 0..200 {
        if matches!(get(url, "/").await, Some((200, _))) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server in the sandbox never answered through {url}");
}

/// Python that tries each `(host, port)` from inside the sandbox and prints one word per try.
fn probe(targets: &[(&str, u16)]) -> String {
    let list: Vec<String> = targets.iter().map(|(h, p)| format!("({h:?}, {p})")).collect();
    format!(
        "import socket\n\
         for target in [{}]:\n\
         \x20   try:\n\
         \x20       socket.create_connection(target, timeout=3).close(); print('reached', target)\n\
         \x20   except OSError as e:\n\
         \x20       print('failed', type(e).__name__)\n",
        list.join(", ")
    )
}

fn port_of(url: &str) -> u16 {
    authority(url).rsplit(':').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn serves_a_sandbox_server_without_internet_and_ends_with_the_sandbox() {
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "base", "internet_access": false})).await;
    sb.ok("bash", "mkdir -p /workspace/site && printf 'hello from the sandbox' > /workspace/site/page.txt")
        .await;
    let url = preview_url(&sb, 8000).await;
    start_server(&sb, &url).await;
    assert_eq!(get(&url, "/page.txt").await, Some((200, "hello from the sandbox".to_string())));

    // The same port, the same URL; another port, another one.
    assert_eq!(preview_url(&sb, 8000).await, url);
    let other = preview_url(&sb, 8001).await;
    assert_ne!(other, url);

    // Nothing listens on 8001: a prompt 502 that says so (or a close), never a hang.
    if let Some((status, body)) = get(&other, "/").await {
        assert_eq!(status, 502, "{body}");
        assert!(body.contains("Nothing is listening on port 8001"), "{body}");
    }

    // Killed, the sandbox's forwards stop accepting.
    let (s, v, _) = h.control(Method::DELETE, &format!("/v1/sandboxes/{}", sb.id), None).await;
    assert!(s == 200 || s == 204, "{v}");
    let closed = |u: &str| std::net::TcpStream::connect(authority(u)).is_err();
    assert!(eventually(Duration::from_secs(5), || closed(&url) && closed(&other)).await, "{url} {other}");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_cannot_reach_the_forward_or_the_agent() {
    let h = Harness::start().await;
    for internet in [false, true] {
        let sb = h.create(json!({"template_name": "base", "internet_access": internet})).await;
        let (s, created, _) = h.control(Method::GET, &format!("/v1/sandboxes/{}", sb.id), None).await;
        assert_eq!(s, 200, "{created}");
        if internet && created["internet_access"] != true {
            // No slirp4netns here: the offline case above is all there is to attack from.
            continue;
        }
        let url = preview_url(&sb, 8000).await;
        let (forward, agent) = (port_of(&url), port_of(&sb.url));
        let targets =
            [("127.0.0.1", forward), ("10.0.2.2", forward), ("127.0.0.1", agent), ("10.0.2.2", agent)];
        let out = sb.ok("python", &probe(&targets)).await;
        assert_eq!(out.lines().filter(|l| l.starts_with("failed")).count(), 4, "internet {internet}: {out}");
    }
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_ports_are_refused_and_forwards_are_bounded() {
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "base", "internet_access": false})).await;
    for (body, code) in [
        (json!({}), "MISSING_PARAMETER"),
        (json!({"port": null}), "MISSING_PARAMETER"),
        (json!({"port": 0}), "INVALID_REQUEST"),
        (json!({"port": 70000}), "INVALID_REQUEST"),
        (json!({"port": -1}), "INVALID_REQUEST"),
        (json!({"port": 80.5}), "INVALID_REQUEST"),
        (json!({"port": "8000"}), "INVALID_REQUEST"),
    ] {
        let (s, v) = preview(&sb, body.clone()).await;
        assert_eq!((s, v["code"].as_str()), (400, Some(code)), "{body}: {v}");
    }
    let (s, v, _) = sb.agent(Method::POST, "/preview-url", None).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("MISSING_PARAMETER")), "{v}");
    // Without the token, nothing.
    let anonymous = sb.http.post(format!("{}/preview-url", sb.url)).json(&json!({"port": 8000}));
    assert_eq!(anonymous.send().await.unwrap().status(), 401);

    let mut urls = Vec::new();
    for port in 1..=32 {
        urls.push(preview_url(&sb, port).await);
    }
    let (s, v) = preview(&sb, json!({"port": 33})).await;
    assert_eq!((s, v["code"].as_str()), (400, Some("RESOURCE_LIMIT_EXCEEDED")), "{v}");
    // Those it has are still given.
    assert_eq!(preview_url(&sb, 7).await, urls[6]);
    let (_, info, _) = sb.agent(Method::GET, "/info", None).await;
    assert_eq!(info["endpoints"]["preview_url"], "POST /preview-url", "{info}");
    h.server.shutdown().await;
}

/// Unisolated (`HOPX_LOCAL_ISOLATION=none`), the sandbox's loopback is the host's.
#[test]
fn plain_connect_is_the_hosts_loopback() {
    let dir = temp_dir("preview-plain");
    let spec = SandboxSpec {
        id: "preview-plain".into(),
        workspace: dir.join("ws"),
        tmp: dir.join("tmp"),
        ro_paths: Vec::new(),
        network: true,
        limits: Limits::default(),
        seed: Default::default(),
    };
    let iso = PlainIsolator::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut conn = iso.connect(&spec, port).unwrap();
    let (mut accepted, _) = listener.accept().unwrap();
    conn.write_all(b"ping").unwrap();
    let mut buf = [0u8; 4];
    accepted.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
    drop(listener);
    let refused = iso.connect(&spec, port).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
}

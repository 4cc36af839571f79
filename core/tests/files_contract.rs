//! `sandbox.files()` against the fake HopX cloud of the contract suites (its agent):
//! request shapes (query paths, JSON bodies, the multipart field names), which failures are
//! retried, and how file errors are classified.

mod support;

use hopx_core::{Client, ClientConfig, CreateOptions, ErrorKind, Sandbox};
use serde_json::json;
use support::{Cloud, API_KEY};

async fn sandbox(cloud: &Cloud) -> Sandbox {
    let config =
        ClientConfig { api_key: Some(API_KEY.into()), base_url: Some(cloud.url.clone()), local_python: None };
    let client = Client::new(config).await.unwrap();
    client
        .create_sandbox(CreateOptions { template: Some("base".into()), ..Default::default() })
        .await
        .unwrap()
}

#[tokio::test]
async fn every_call_sends_the_official_shape() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    let files = sb.files();
    assert_eq!(files.read("/workspace/a b&c").await.unwrap(), "file text");
    let read = &cloud.on("GET /files/read")[0];
    assert_eq!(read.query, "path=%2Fworkspace%2Fa%20b%26c");
    assert!(read.header("authorization").unwrap().starts_with("Bearer tok-"));

    files.write("/workspace/a", "hi", "0600").await.unwrap();
    assert_eq!(
        cloud.on("POST /files/write")[0].body,
        json!({"path": "/workspace/a", "content": "hi", "mode": "0600"})
    );
    files.write_bytes("/workspace/b", &[0, 255, 1], "0644").await.unwrap();
    assert_eq!(
        cloud.on("POST /files/write")[1].body,
        json!({"path": "/workspace/b", "content": "AP8B", "mode": "0644", "encoding": "base64"})
    );
    files.mkdir("/workspace/d").await.unwrap();
    assert_eq!(cloud.on("POST /files/mkdir")[0].body, json!({"path": "/workspace/d"}));
    let list = files.list("/workspace").await.unwrap();
    assert_eq!((list[0].name.as_str(), list[0].size, list[0].is_directory), ("a", 9, false));
    assert!(files.exists("/workspace/a").await.unwrap());
    files.remove("/workspace/a").await.unwrap();
    assert_eq!(cloud.on("DELETE /files/remove")[0].query, "path=%2Fworkspace%2Fa");
    assert_eq!(files.read_bytes("/workspace/a").await.unwrap(), b"\x00\x01raw bytes\xff");

    let dir = std::env::temp_dir().join(format!("hopx-files-contract-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("data.csv"), b"a,b\n1,2\n").unwrap();
    files.upload(&dir.join("data.csv"), "/workspace/data.csv", None).await.unwrap();
    let up = &cloud.on("POST /files/upload")[0];
    let content_type = up.header("content-type").unwrap();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect(content_type);
    let body = up.body.as_str().expect("the multipart text").to_string();
    let path_at = body.find("name=\"path\"\r\n\r\n/workspace/data.csv\r\n").expect(&body);
    let file_at = body.find("name=\"file\"; filename=\"data.csv\"").expect(&body);
    assert!(path_at < file_at, "the path comes first, so a server can stream the file to its place");
    assert!(body.contains("\r\n\r\na,b\n1,2\n\r\n"), "{body}");
    assert!(body.ends_with(&format!("--{boundary}--\r\n")), "{body}");
    assert_eq!(up.header("content-length"), Some(body.len().to_string().as_str()));
    assert_eq!(files.download("/workspace/a", &dir.join("down"), None).await.unwrap(), 12);
    assert_eq!(std::fs::read(dir.join("down")).unwrap(), b"\x00\x01raw bytes\xff");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn reads_and_whole_writes_retry_a_remove_does_not_once_it_may_have_acted() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    let files = sb.files();
    let busy = json!({"error": "busy", "code": "INTERNAL_ERROR"});
    for route in ["GET /files/read", "POST /files/write", "GET /files/download", "POST /files/mkdir"] {
        cloud.script(route, 503, busy.clone(), &[]);
    }
    files.read("/workspace/a").await.unwrap();
    files.write("/workspace/a", "x", "0644").await.unwrap();
    files.read_bytes("/workspace/a").await.unwrap();
    files.mkdir("/workspace/d").await.unwrap();
    for route in ["GET /files/read", "POST /files/write", "GET /files/download", "POST /files/mkdir"] {
        assert_eq!(cloud.on(route).len(), 2, "{route} is retried after a 503");
    }
    // A 502 may hide a remove that happened: retrying would report the file missing.
    cloud.script("DELETE /files/remove", 502, json!({"error": "bad gateway"}), &[]);
    let e = files.remove("/workspace/a").await.unwrap_err();
    assert_eq!((e.kind, e.status_code), (ErrorKind::Server, Some(502)));
    assert_eq!(cloud.on("DELETE /files/remove").len(), 1);
    // A 503 says nothing was done: that one is retried.
    cloud.script("DELETE /files/remove", 503, busy, &[]);
    files.remove("/workspace/a").await.unwrap();
    assert_eq!(cloud.on("DELETE /files/remove").len(), 3);
}

#[tokio::test]
async fn file_errors_are_classified_by_code() {
    let cloud = Cloud::start().await;
    let sb = sandbox(&cloud).await;
    let files = sb.files();
    let missing = json!({"error": "File not found", "code": "FILE_NOT_FOUND", "path": "/workspace/x"});
    cloud.script("GET /files/read", 404, missing, &[]);
    let e = files.read("/workspace/x").await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_deref(), e.status_code),
        (ErrorKind::FileNotFound, Some("FILE_NOT_FOUND"), Some(404))
    );
    for code in ["PATH_NOT_ALLOWED", "PERMISSION_DENIED"] {
        cloud.script("POST /files/write", 403, json!({"error": "no", "code": code}), &[]);
        let e = files.write("/etc/x", "x", "0644").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::FileOperation, "{code}");
    }
    cloud.script(
        "GET /files/download",
        404,
        json!({"error": "File not found", "code": "FILE_NOT_FOUND"}),
        &[],
    );
    assert_eq!(files.read_bytes("/workspace/x").await.unwrap_err().kind, ErrorKind::FileNotFound);
}

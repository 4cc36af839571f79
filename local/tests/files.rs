//! The agent's `/files/*` routes: every call works, content is byte-exact, and a file call acts
//! exactly as code in the sandbox would (its view, its user's rights), whatever the sandbox
//! planted. The engine runs as root in CI, so following one planted link would be a host
//! read or write as root; the host side is checked afterwards.

mod common;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

const MIB: u64 = 1 << 20;

async fn call(sb: &AgentClient, method: Method, route: &str, path: &str) -> (u16, Value) {
    let url = format!("{}{route}?path={}", sb.url, urlencode(path));
    let resp = sb.http.request(method, url).bearer_auth(&sb.token).send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn write(sb: &AgentClient, path: &str, content: &str) -> (u16, Value) {
    let (s, v, _) =
        sb.agent(Method::POST, "/files/write", Some(json!({"path": path, "content": content}))).await;
    (s, v)
}

async fn read(sb: &AgentClient, path: &str) -> (u16, Value) {
    call(sb, Method::GET, "/files/read", path).await
}

async fn download(sb: &AgentClient, path: &str) -> (u16, Vec<u8>) {
    let url = format!("{}/files/download?path={}", sb.url, urlencode(path));
    let resp = sb.http.get(url).bearer_auth(&sb.token).send().await.unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

/// A multipart upload with the fields in the given order.
async fn upload(sb: &AgentClient, path: &str, data: &[u8], path_first: bool) -> (u16, Value) {
    let b = "XbOuNdArYx";
    let path_part = format!("--{b}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n{path}\r\n");
    let mut file_part =
        format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n")
            .into_bytes();
    file_part.extend_from_slice(data);
    file_part.extend_from_slice(b"\r\n");
    let mut body = Vec::new();
    if path_first {
        body.extend(path_part.as_bytes());
        body.extend(&file_part);
    } else {
        body.extend(&file_part);
        body.extend(path_part.as_bytes());
    }
    body.extend(format!("--{b}--\r\n").as_bytes());
    let resp = sb
        .http
        .post(format!("{}/files/upload", sb.url))
        .bearer_auth(&sb.token)
        .header("Content-Type", format!("multipart/form-data; boundary={b}"))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The engine lives in the user's process: acting as the sandbox user must leave that
/// process as it was (a credential change makes the kernel mark it non-dumpable: no core
/// dumps, `/proc` files owned by root).
#[tokio::test]
async fn file_calls_leave_the_embedding_process_dumpable() {
    // SAFETY: prctl with integer arguments.
    let dumpable = || unsafe { libc::prctl(libc::PR_GET_DUMPABLE) };
    assert_eq!(dumpable(), 1, "a test binary starts dumpable");
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "base"})).await;
    assert_eq!(write(&sb, "/workspace/d.txt", "d").await.0, 200);
    assert_eq!(read(&sb, "/workspace/d.txt").await.0, 200);
    assert_eq!(dumpable(), 1, "file calls made the embedding process non-dumpable");
}

#[tokio::test]
async fn every_call_works_and_content_is_exact() {
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "base"})).await;

    assert_eq!(write(&sb, "/workspace/a/b/hello.txt", "héllo\n").await.0, 200, "parents are created");
    let (s, v) = read(&sb, "/workspace/a/b/hello.txt").await;
    assert_eq!((s, v["content"].as_str(), v["size"].as_u64()), (200, Some("héllo\n"), Some(7)));
    assert_eq!(
        sb.ok("bash", "cat /workspace/a/b/hello.txt").await,
        "héllo\n",
        "code sees what the API wrote"
    );

    // Binary, base64 on the way in, raw on the way out.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let b64 = base64_encode(&bytes);
    let body = json!({"path": "/workspace/bin", "content": b64, "encoding": "base64", "mode": "0600"});
    let (s, v, _) = sb.agent(Method::POST, "/files/write", Some(body)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(download(&sb, "/workspace/bin").await, (200, bytes.clone()));
    let (s, v) = call(&sb, Method::GET, "/files/list", "/workspace").await;
    assert_eq!(s, 200, "{v}");
    let names: Vec<&str> =
        v["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a", "bin"]);
    let bin = &v["files"][1];
    assert_eq!((bin["size"].as_u64(), bin["permissions"].as_str()), (Some(70_000), Some("-rw-------")));
    assert_eq!(v["files"][0]["is_directory"], true);
    assert_eq!(bin["path"], "/workspace/bin");

    // Written by the API = owned by the sandbox user: code can chmod and edit it.
    let out = sb.ok("bash", "stat -c '%U %a' /workspace/bin; chmod 644 /workspace/bin && echo x >> /workspace/bin && echo edited").await;
    assert_eq!(out, "user 600\nedited\n");

    // Uploads, with the path before or after the file.
    let big: Vec<u8> = (0..3 * MIB as usize).map(|i| (i * 7 % 251) as u8).collect();
    for (path_first, dest) in [(true, "/workspace/up/first.bin"), (false, "/workspace/up/second.bin")] {
        let (s, v) = upload(&sb, dest, &big, path_first).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["size"].as_u64(), Some(big.len() as u64));
        assert_eq!(download(&sb, dest).await, (200, big.clone()));
    }
    assert_eq!(
        sb.ok("bash", "ls -A /tmp | grep -c hopx-upload || true").await,
        "0\n",
        "nothing left in /tmp"
    );
    assert_eq!(sb.ok("bash", "ls -A /workspace/up").await, "first.bin\nsecond.bin\n", "no drafts left");

    let (s, v) = call(&sb, Method::GET, "/files/exists", "/workspace/up").await;
    assert_eq!((s, v["exists"].as_bool()), (200, Some(true)));
    let (s, v, _) = sb.agent(Method::POST, "/files/mkdir", Some(json!({"path": "/workspace/x/y/z"}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(sb.ok("bash", "test -d /workspace/x/y/z && stat -c %U /workspace/x/y").await, "user\n");
    assert_eq!(call(&sb, Method::DELETE, "/files/remove", "/workspace/x").await.0, 200);
    let (_, v) = call(&sb, Method::GET, "/files/exists", "/workspace/x").await;
    assert_eq!(v["exists"], false);

    // Errors in the protocol's terms.
    let (s, v) = read(&sb, "/workspace/missing").await;
    assert_eq!((s, v["code"].as_str()), (404, Some("FILE_NOT_FOUND")), "{v}");
    let (s, v) = call(&sb, Method::GET, "/files/list", "/workspace/missing").await;
    assert_eq!((s, v["code"].as_str()), (404, Some("DIRECTORY_NOT_FOUND")), "{v}");
    let (s, v) = read(&sb, "/workspace/a").await;
    assert_eq!((s, v["code"].as_str()), (400, Some("INVALID_PATH")), "a folder is not read: {v}");
    let (s, v, _) = sb
        .agent(
            Method::POST,
            "/files/write",
            Some(json!({"path": "/workspace/m", "content": "x", "mode": "rw"})),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = call(&sb, Method::DELETE, "/files/remove", "/").await;
    assert_eq!((s, v["code"].as_str()), (400, Some("INVALID_PATH")), "{v}");
}

#[tokio::test]
async fn file_calls_see_only_the_sandbox_and_act_as_its_user() {
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "base"})).await;
    // A root-only host folder and file, and the host's own /etc/hostname.
    let victim = PathBuf::from(format!("/var/tmp/hopx-files-victim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&victim);
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(victim.join("secret"), "host secret").unwrap();
    let v = victim.display().to_string();

    // Links planted by sandbox code: to the sandbox's shadow, to host paths, to the root.
    sb.ok(
        "bash",
        &format!(
            "cd /workspace && ln -s /etc/shadow shadow && ln -s {v}/secret host && ln -s {v} hostdir \
             && ln -s / root && ln -s /proc/self/root magic && echo ok"
        ),
    )
    .await;

    let (s, r) = read(&sb, "/etc/shadow").await;
    assert_eq!((s, r["code"].as_str()), (403, Some("PERMISSION_DENIED")), "refused as for sandbox code: {r}");
    assert_eq!(read(&sb, "/workspace/shadow").await.0, 403, "a link to it too");
    let (s, r) = read(&sb, "/workspace/host").await;
    assert_eq!(
        (s, r["code"].as_str()),
        (404, Some("FILE_NOT_FOUND")),
        "host paths do not exist for the API: {r}"
    );
    assert_eq!(read(&sb, &format!("{v}/secret")).await.0, 404);
    // A file in the engine user's home (parts of which the sandbox may see read-only: a Python
    // installed there) does not exist for the API.
    let home = PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()));
    let in_home = home.join(format!(".hopx-files-test-{}", std::process::id()));
    std::fs::write(&in_home, "private").unwrap();
    let seen = read(&sb, &in_home.display().to_string()).await.0;
    let _ = std::fs::remove_file(&in_home);
    assert_eq!(seen, 404, "a file in the user's home is not there");
    // `..` and a link to / stay in the sandbox: its own hostname, not the host's.
    let (s, r) = read(&sb, "/workspace/../../../etc/hostname").await;
    assert_eq!((s, r["content"].as_str()), (200, Some("sandbox\n")), "{r}");
    assert_eq!(read(&sb, "/workspace/root/etc/hostname").await.1["content"], "sandbox\n");
    let (s, r) = read(&sb, "/workspace/magic/etc/hostname").await;
    assert!(s == 403 || s == 404, "no /proc magic links: {s} {r}");

    // Writes through planted links land in the sandbox or fail; never on the host.
    let (s, _) = write(&sb, "/workspace/host", "pwned").await;
    assert!(s == 403 || s == 404, "a write through a link to a host path: {s}");
    let (s, _) = write(&sb, "/workspace/hostdir/new", "pwned").await;
    assert!(s == 403 || s == 404, "{s}");
    let (s, _) = upload(&sb, "/workspace/hostdir/up", b"pwned", true).await;
    assert!(s == 403 || s == 404, "{s}");
    let (s, _, _) =
        sb.agent(Method::POST, "/files/mkdir", Some(json!({"path": "/workspace/hostdir/d"}))).await;
    assert!(s == 403 || s == 404, "{s}");
    let (s, r) = write(&sb, "/usr/bin/evil", "x").await;
    assert_eq!((s, r["code"].as_str()), (403, Some("PERMISSION_DENIED")), "read-only system folders: {r}");
    assert_eq!(write(&sb, "/etc/passwd", "x").await.0, 403);
    // Removing a link removes the link, never what it points to.
    assert_eq!(call(&sb, Method::DELETE, "/files/remove", "/workspace/hostdir").await.0, 200);
    assert_eq!(call(&sb, Method::DELETE, "/files/remove", "/workspace/host").await.0, 200);
    // A link to a sandbox file is written through, as `open(..., "w")` would.
    sb.ok("bash", "echo old > /workspace/real && ln -s /workspace/real /workspace/alias && echo ok").await;
    assert_eq!(write(&sb, "/workspace/alias", "new").await.0, 200);
    assert_eq!(
        sb.ok("bash", "cat /workspace/real; test -L /workspace/alias && echo link").await,
        "newlink\n"
    );

    let names: Vec<String> = std::fs::read_dir(&victim)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names, ["secret"], "nothing was created on the host");
    assert_eq!(std::fs::read_to_string(victim.join("secret")).unwrap(), "host secret");
    let mode = std::fs::metadata(&victim).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o700);
    let _ = std::fs::remove_dir_all(&victim);
}

#[tokio::test]
async fn the_sandbox_limits_apply_to_file_calls() {
    let h = Harness::with(|c| {
        c.limits.disk_bytes = Some(16 * MIB);
        c.limits.file_size_bytes = Some(4 * MIB);
    })
    .await;
    let sb = h.create(json!({"template_name": "base"})).await;
    let big = vec![7u8; 5 * MIB as usize];
    let (s, v) = upload(&sb, "/workspace/big", &big, true).await;
    assert_eq!((s, v["code"].as_str()), (403, Some("FILE_OPERATION_FAILED")), "{v}");
    assert!(v["error"].as_str().unwrap().contains("limit"), "{v}");
    assert_eq!(call(&sb, Method::GET, "/files/exists", "/workspace/big").await.1["exists"], false);
    // Fill the disk with files under the size limit: the next upload hits ENOSPC, clearly.
    let part = vec![1u8; 3 * MIB as usize];
    let mut full = None;
    for i in 0..8 {
        let (s, v) = upload(&sb, &format!("/workspace/part{i}"), &part, true).await;
        if s != 200 {
            full = Some((s, v));
            break;
        }
    }
    let (s, v) = full.expect("the 16 MiB disk fills up");
    assert_eq!((s, v["code"].as_str()), (403, Some("FILE_OPERATION_FAILED")), "{v}");
    assert!(v["error"].as_str().unwrap().contains("disk is full"), "{v}");
    assert!(v["error"].as_str().unwrap().contains("limit"), "{v}");
    assert_eq!(
        sb.ok("bash", "ls -A /workspace | grep -c draft || true").await,
        "0\n",
        "the draft was removed"
    );
}

fn base64_encode(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

//! Test harness: a real engine on loopback, driven over real HTTP.
#![allow(dead_code)]

use hopx_local::{EngineConfig, Server};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub const KEY: &str = "test-key";

pub struct Harness {
    pub server: Server,
    pub http: reqwest::Client,
    pub state_dir: PathBuf,
}

/// A unique empty directory under the system temp dir (the time tells it from one left by an
/// earlier run under the same pid).
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let dir = std::env::temp_dir().join(format!(
        "hopx-test-{tag}-{}-{}-{}",
        std::process::id(),
        now.as_nanos(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::with(|_| {}).await
    }

    pub async fn with(edit: impl FnOnce(&mut EngineConfig)) -> Harness {
        let state_dir = temp_dir("engine");
        let mut config = EngineConfig {
            api_key: Some(KEY.into()),
            state_dir: state_dir.clone(),
            // No warm kernels unless a test asks: they would only load the machine.
            kernel_pool: 0,
            ..EngineConfig::from_env()
        };
        edit(&mut config);
        let server = Server::start(config, ([127, 0, 0, 1], 0).into()).await.expect("engine starts");
        let http =
            reqwest::Client::builder().tcp_nodelay(true).timeout(Duration::from_secs(60)).build().unwrap();
        Harness { server, http, state_dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.base_url(), path)
    }

    /// A control-plane call; returns (status, body, request id header).
    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value, Option<String>) {
        let mut req = self.http.request(method, self.url(path)).header("X-API-Key", KEY);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("control plane answers");
        split(resp).await
    }

    /// Creates a sandbox and returns it.
    pub async fn create(&self, body: Value) -> AgentClient {
        let (status, v, _) = self.control(reqwest::Method::POST, "/v1/sandboxes", Some(body)).await;
        assert_eq!(status, 201, "{v}");
        AgentClient {
            id: v["id"].as_str().unwrap().into(),
            url: v["public_host"].as_str().unwrap().into(),
            token: v["auth_token"].as_str().unwrap().into(),
            http: self.http.clone(),
        }
    }
}

/// A created sandbox as a test drives it: its agent's address and a token for it.
pub struct AgentClient {
    pub id: String,
    pub url: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl AgentClient {
    pub async fn agent(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value, Option<String>) {
        let mut req = self.http.request(method, format!("{}{}", self.url, path)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        split(req.send().await.expect("agent answers")).await
    }

    /// `POST /execute` with the given fields.
    pub async fn exec(&self, body: Value) -> (u16, Value) {
        let (s, v, _) = self.agent(reqwest::Method::POST, "/execute", Some(body)).await;
        (s, v)
    }

    /// Runs code that must succeed; returns its stdout.
    pub async fn ok(&self, lang: &str, code: &str) -> String {
        let (s, v) = self.exec(json!({"language": lang, "code": code})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["success"], true, "{v}");
        v["stdout"].as_str().unwrap().to_string()
    }
}

async fn split(resp: reqwest::Response) -> (u16, Value, Option<String>) {
    let status = resp.status().as_u16();
    let rid = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(String::from);
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body, rid)
}

/// Every process below `root` in the host's process tree (its children, theirs, ...). Taken
/// before an engine dies, these are what must be gone afterwards: a sandbox's holder is not
/// found by name or by the marker of a run.
pub fn descendants(root: i32) -> Vec<i32> {
    let mut parent_of = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        // The parent is the 2nd field after the `(comm)`, which may itself hold spaces.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else { continue };
        if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse::<i32>().ok()) {
            parent_of.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(parent_of.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        i += 1;
    }
    found.remove(0);
    found
}

/// Which of `pids` still exist (zombies count as gone).
pub fn alive(pids: &[i32]) -> Vec<i32> {
    pids.iter()
        .copied()
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .map(|s| s.rfind(')').map(|i| !s[i + 1..].trim_start().starts_with('Z')).unwrap_or(false))
                .unwrap_or(false)
        })
        .collect()
}

/// Host processes whose command line contains `marker`.
pub fn processes_with(marker: &str) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if pid == std::process::id() as i32 {
            continue;
        }
        if let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(marker) {
                found.push(pid);
            }
        }
    }
    found
}

/// Host pids of the sandbox helper's processes (a sandbox's holder and the processes between
/// the engine and a program) whose root holds the file `rel` with exactly `content`: how a
/// test on the host finds a file in a sandbox's private file system.
pub fn sandbox_processes_seeing(rel: &str, content: &str) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if comm.trim() != "hopx-sandbox" {
            continue;
        }
        let file = entry.path().join("root").join(rel);
        if std::fs::read_to_string(file).is_ok_and(|c| c.trim_end() == content) {
            found.push(pid);
        }
    }
    found
}

/// Waits up to `limit` for `cond` to hold.
pub async fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cond()
}

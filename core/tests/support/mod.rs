//! The fake HopX cloud of every contract suite, `tests/contract/fake_cloud.py` (the Python and
//! Node suites run their scenarios against the same one), started once per test and driven
//! through its test endpoints: canned answers per route, its settings, its request log.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::net::TcpListener;

/// The one API key the fake accepts.
pub const API_KEY: &str = "sk_test_contract";

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Req {
    /// Route key, e.g. `GET /v1/sandboxes/{id}` or `POST /execute`.
    pub route: String,
    pub path: String,
    pub query: String,
    /// Header names in lower case.
    pub headers: serde_json::Map<String, Value>,
    /// The JSON body, or the text of one that is not JSON (a multipart upload).
    pub body: Value,
    /// Unix seconds, when it arrived.
    pub at: f64,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(Value::as_str)
    }
}

/// A running fake; it exits when this is dropped (its stdin closes).
pub struct Cloud {
    /// The control plane's base URL.
    pub url: String,
    /// The agent's base URL, every sandbox's `public_host` unless changed.
    pub agent_url: String,
    child: Child,
}

impl Drop for Cloud {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        // It exits at once; a fake that does not is killed after 5 s.
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn fake_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/contract/fake_cloud.py")
}

impl Cloud {
    /// Starts a fresh fake (any Python 3: `HOPX_TEST_PYTHON`, else `python3` on PATH).
    pub async fn start() -> Cloud {
        let python = std::env::var("HOPX_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(&python)
            .arg(fake_script())
            .env_remove("HOPX_API_KEY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the fake cloud with {python}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let urls: Value = serde_json::from_str(&line).expect("the fake's first line is its URLs");
        Cloud {
            url: urls["control"].as_str().unwrap().to_string(),
            agent_url: urls["agent"].as_str().unwrap().to_string(),
            child,
        }
    }

    /// One call of a test endpoint (blocking: the fake is another process).
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let authority = self.url.trim_start_matches("http://");
        let mut sock = TcpStream::connect(authority).unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        sock.write_all(head.as_bytes()).unwrap();
        sock.write_all(body.as_bytes()).unwrap();
        let mut answer = Vec::new();
        sock.read_to_end(&mut answer).unwrap();
        let text = String::from_utf8_lossy(&answer);
        let (status_line, rest) = text.split_once("\r\n").unwrap();
        assert!(status_line.contains(" 200 "), "{method} {path}: {status_line}");
        let (_, body) = rest.split_once("\r\n\r\n").unwrap();
        serde_json::from_str(body).unwrap()
    }

    /// Queues an answer for the next request on `route` (used once, in order).
    pub fn script(&self, route: &str, status: u16, body: Value, headers: &[(&str, &str)]) {
        let headers: serde_json::Map<String, Value> =
            headers.iter().map(|(k, v)| (k.to_string(), Value::from(*v))).collect();
        let answer = json!({"route": route, "status": status, "body": body, "headers": headers});
        self.call("POST", "/__script", Some(json!({ "script": [answer] })));
    }

    /// The next request on `route` is read in full, then its connection closed unanswered.
    pub fn drop_next(&self, route: &str) {
        self.call("POST", "/__script", Some(json!({"script": [{"route": route, "drop": true}]})));
    }

    /// Points the `public_host` of sandboxes created from now on somewhere else.
    pub fn set_agent_url(&self, url: &str) {
        self.call("POST", "/__config", Some(json!({ "agent_url": url })));
    }

    /// Lifetime of the token handed out on create.
    pub fn set_create_token_ttl(&self, secs: i64) {
        self.call("POST", "/__config", Some(json!({ "token_ttl": secs })));
    }

    pub fn set_status(&self, id: &str, status: &str) {
        self.call("POST", "/__config", Some(json!({ "status": { id: status } })));
    }

    /// Every agent token handed out (create and refresh), in order.
    pub fn issued_tokens(&self) -> Vec<String> {
        serde_json::from_value(self.call("GET", "/__tokens", None)).unwrap()
    }

    pub fn requests(&self) -> Vec<Req> {
        let all = self.call("GET", "/__requests", None);
        all.as_array()
            .unwrap()
            .iter()
            .map(|r| Req {
                route: r["route"].as_str().unwrap_or_default().into(),
                path: r["path"].as_str().unwrap_or_default().into(),
                query: r["query"].as_str().unwrap_or_default().into(),
                headers: r["headers"].as_object().cloned().unwrap_or_default(),
                body: r["body"].clone(),
                at: r["at"].as_f64().unwrap_or_default(),
            })
            .collect()
    }

    /// Requests on one route, in order.
    pub fn on(&self, route: &str) -> Vec<Req> {
        self.requests().into_iter().filter(|r| r.route == route).collect()
    }

    pub fn count(&self) -> usize {
        self.requests().len()
    }
}

/// A URL whose port starts answering only after `delay` (a VM still booting), from then on
/// passing every connection to the fake's agent.
pub async fn late_agent(cloud: &Cloud, delay: Duration) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let target = cloud.agent_url.trim_start_matches("http://").to_string();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        loop {
            let Ok((mut client, _)) = listener.accept().await else { return };
            let target = target.clone();
            tokio::spawn(async move {
                if let Ok(mut agent) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut agent).await;
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// A control-plane error body: `{"error": {"code", "message", "details"}}`.
pub fn nested_error(code: &str, message: &str, details: Value) -> Value {
    json!({"error": {"code": code, "message": message, "details": details}})
}

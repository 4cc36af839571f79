//! A sandbox's network: internet access (on by default where slirp4netns is installed) that
//! never includes the host: not its loopback services, not its abstract unix sockets, not
//! the gateway as a way to them. Without internet access, only the sandbox's own loopback.
//! Attacks are run from inside the sandbox against listeners this test opens on the host.

mod common;
use common::*;
use serde_json::json;
use std::io::Read;

/// The tests of this file one at a time: `the_network_ends_with_its_sandbox` counts the
/// slirp4netns processes of this test process, which another test's sandbox would add to.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The registry this machine reaches (CI machines reach package registries, nothing else).
const REGISTRY: &str = "pypi.org";

/// Python that tries each `(host, port)` and prints one word per try.
fn connect_probe(targets: &[(&str, u16)]) -> String {
    let list: Vec<String> = targets.iter().map(|(h, p)| format!("({h:?}, {p})")).collect();
    format!(
        "import socket\n\
         for host, port in [{}]:\n\
         \x20   try:\n\
         \x20       socket.create_connection((host, port), timeout=5).close(); print('connected')\n\
         \x20   except OSError as e:\n\
         \x20       print('refused', type(e).__name__)\n",
        list.join(", ")
    )
}

fn interfaces(out: &str) -> Vec<&str> {
    out.split_whitespace().collect()
}

const LIST_INTERFACES: &str = "import socket; print(' '.join(sorted(n for _, n in socket.if_nameindex())))";

#[tokio::test(flavor = "multi_thread")]
async fn internet_by_default_without_the_host() {
    let _one = ONE_AT_A_TIME.lock().await;
    let h = Harness::start().await;
    // A service on the host's loopback only, and one on every address: the sandbox must reach
    // neither through its loopback nor through the gateway.
    let local = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = local.local_addr().unwrap().port();
    local.set_nonblocking(true).unwrap();
    let (status, v, _) =
        h.control(reqwest::Method::POST, "/v1/sandboxes", Some(json!({"template_name": "base"}))).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["internet_access"], true, "internet access is the default where slirp4netns is: {v}");
    let sb = h.create(json!({"template_name": "base"})).await;
    assert_eq!(interfaces(&sb.ok("python", LIST_INTERFACES).await), ["lo", "tap0"]);

    // The internet, by name (DNS through the sandbox's own resolver).
    let out = sb.ok("python", &connect_probe(&[(REGISTRY, 443)])).await;
    assert_eq!(out.trim(), "connected", "the registry must be reachable: {out}");
    let resolv = sb.ok("bash", "cat /etc/resolv.conf").await;
    assert_eq!(resolv.trim(), "nameserver 10.0.2.3");

    // The host's loopback service: not as 127.0.0.1 (the sandbox's own), not via the gateway.
    let out =
        sb.ok("python", &connect_probe(&[("127.0.0.1", port), ("10.0.2.2", port), ("10.0.2.2", 22)])).await;
    assert_eq!(out.lines().filter(|l| l.starts_with("refused")).count(), 3, "{out}");
    let mut buf = [0u8; 1];
    match local.accept() {
        Ok((mut s, peer)) => panic!("the host's loopback service saw {peer}: {:?}", s.read(&mut buf)),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock),
    }
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_internet_only_its_own_loopback() {
    let _one = ONE_AT_A_TIME.lock().await;
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "base", "internet_access": false})).await;
    assert_eq!(interfaces(&sb.ok("python", LIST_INTERFACES).await), ["lo"]);
    let out = sb.ok("python", &connect_probe(&[(REGISTRY, 443), ("1.1.1.1", 443)])).await;
    assert_eq!(out.lines().filter(|l| l.starts_with("refused")).count(), 2, "{out}");
    // Its own loopback works: a server and a client in the sandbox.
    let own = "import socket\n\
               s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n\
               c = socket.create_connection(s.getsockname()); a, _ = s.accept()\n\
               c.sendall(b'hi'); print(a.recv(2).decode())\n";
    assert_eq!(sb.ok("python", own).await.trim(), "hi");
    h.server.shutdown().await;
}

/// Warm kernels are made with the default (internet on); a sandbox asking for none must not
/// get one that still has it, and one asking for the default keeps it.
#[tokio::test(flavor = "multi_thread")]
async fn pooled_sandboxes_follow_the_request() {
    let _one = ONE_AT_A_TIME.lock().await;
    let h = Harness::with(|c| c.kernel_pool = 2).await;
    let engine = h.server.engine.clone();
    let wait_pool = || async {
        assert!(eventually(std::time::Duration::from_secs(60), || engine.pooled_kernels() >= 1).await);
    };
    wait_pool().await;
    let offline = h.create(json!({"template_name": "code-interpreter", "internet_access": false})).await;
    assert_eq!(interfaces(&offline.ok("python", LIST_INTERFACES).await), ["lo"]);
    wait_pool().await;
    let online = h.create(json!({"template_name": "code-interpreter"})).await;
    assert_eq!(interfaces(&online.ok("python", LIST_INTERFACES).await), ["lo", "tap0"]);
    h.server.shutdown().await;
}

/// The network stack is one host process per sandbox: it must end with its sandbox.
#[tokio::test(flavor = "multi_thread")]
async fn the_network_ends_with_its_sandbox() {
    let _one = ONE_AT_A_TIME.lock().await;
    let h = Harness::start().await;
    let me = std::process::id() as i32;
    let before = slirps(me);
    let sb = h.create(json!({"template_name": "base"})).await;
    let during = slirps(me);
    let started: Vec<i32> = during.iter().filter(|p| !before.contains(p)).copied().collect();
    assert_eq!(started.len(), 1, "one slirp4netns for the sandbox: {during:?}");
    let (s, v, _) = h.control(reqwest::Method::DELETE, &format!("/v1/sandboxes/{}", sb.id), None).await;
    assert!(s < 300, "{v}");
    let gone = eventually(std::time::Duration::from_secs(10), || alive(&started).is_empty()).await;
    assert!(gone, "slirp4netns outlived its sandbox: {started:?}");
    h.server.shutdown().await;
}

/// The slirp4netns processes below `root`.
fn slirps(root: i32) -> Vec<i32> {
    descendants(root)
        .into_iter()
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "slirp4netns")
        })
        .collect()
}

/// Installing a package works as in the cloud: `pip` on PATH is the sandbox Python's, it
/// installs into the sandbox's own user base over the sandbox's network, and the next run and
/// the already running kernel import the package. A package the host's Python lacks proves
/// it came from the registry.
#[tokio::test(flavor = "multi_thread")]
async fn pip_install_then_import_everywhere() {
    let _one = ONE_AT_A_TIME.lock().await;
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "code-interpreter"})).await;
    // The kernel starts before the package exists, and has already searched for it.
    let missing = "try:\n    import tomli_w\nexcept ImportError:\n    print('missing')\n";
    assert_eq!(sb.ok("python", missing).await.trim(), "missing");
    let out = sb.ok("bash", "command -v pip python | sed 's|/[^/]*$||' | uniq -c | wc -l").await;
    assert_eq!(out.trim(), "1", "pip and python come from the same folder");
    let install = "pip install -q --no-input tomli-w==1.0.0 2>&1 && echo installed";
    let (s, v, _) = sb
        .agent(reqwest::Method::POST, "/commands/run", Some(json!({"command": install, "timeout": 120})))
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["stdout"].as_str().unwrap_or_default().contains("installed"), "{v}");
    let show = "import tomli_w; print(tomli_w.__file__)";
    let expected = "/workspace/.local/lib/";
    let in_kernel = sb.ok("python", show).await;
    assert!(in_kernel.starts_with(expected), "{in_kernel}");
    let one_shot = sb.ok("bash", "python -c 'import tomli_w; print(tomli_w.dumps({\"a\": 1}))'").await;
    assert_eq!(one_shot.trim(), "a = 1");
    h.server.shutdown().await;
}

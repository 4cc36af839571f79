//! The `code-interpreter` kernel end to end: state, rich outputs, errors, interrupts,
//! crashes, per-call env and workdir, queueing. Needs IPython, matplotlib and pandas in the
//! sandbox Python (`HOPX_LOCAL_PYTHON`, set by the test command).

mod common;
use common::*;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn interpreter(h: &Harness) -> AgentClient {
    h.create(json!({"template_name": "code-interpreter"})).await
}

fn types(v: &Value) -> Vec<String> {
    v["rich_outputs"].as_array().unwrap().iter().map(|o| o["type"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn state_persists_and_results_come_back() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    assert_eq!(sb.ok("python", "x = 40\nprint('set')").await, "set\n");
    let (_, v) = sb.exec(json!({"code": "x += 2\nx"})).await;
    assert_eq!(v["result"], "42");
    assert_eq!(v["stdout"], "");
    for i in 0..200 {
        let (_, v) = sb.exec(json!({"code": "x += 1\nx"})).await;
        assert_eq!(v["result"], (43 + i).to_string());
    }
    let out = sb.ok("python", "import subprocess, os\nprint('py', flush=True)\nsubprocess.run(['echo', 'child'])\nos.system('echo shell')").await;
    assert_eq!(out, "py\nchild\nshell\n", "output of child processes is captured in order");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rich_outputs_of_every_kind() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    let (_, v) = sb
        .exec(json!({"code": "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nprint('plotted')", "timeout": 120}))
        .await;
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(types(&v), ["image/png"]);
    let png = v["png"].as_str().unwrap();
    assert!(png.starts_with("iVBORw0KGgo"), "base64 PNG in the flat field too");
    assert_eq!(v["stdout"], "plotted\n");

    let (_, v) = sb
        .exec(
            json!({"code": "import pandas as pd\npd.DataFrame({'a': [1, 2], 'b': [3, 4]})", "timeout": 120}),
        )
        .await;
    assert_eq!(types(&v), ["text/html"], "{v}");
    assert!(v["html"].as_str().unwrap().contains("<table"));
    assert!(v["result"].as_str().unwrap().contains('a'));

    let code = r#"
from IPython.display import display, Markdown, SVG, JSON, Latex, HTML
display(Markdown('**bold**'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'))
display(JSON({'k': [1, 2]}))
display(Latex(r'$x^2$'))
display(HTML('<i>i</i>'))
"#;
    let (_, v) = sb.exec(json!({"code": code})).await;
    assert_eq!(
        types(&v),
        ["text/markdown", "image/svg+xml", "application/json", "text/latex", "text/html"],
        "{v}"
    );
    assert_eq!(v["markdown"], "**bold**");
    assert_eq!(v["json"], json!({"k": [1, 2]}));
    assert!(v["svg"].as_str().unwrap().contains("<svg"));
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn exceptions_are_structured_and_plain() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    let (s, v) = sb.exec(json!({"code": "print('before')\n1/0"})).await;
    assert_eq!(s, 200);
    assert_eq!((v["success"].as_bool(), v["exit_code"].as_i64()), (Some(false), Some(1)));
    assert_eq!(v["stdout"], "before\n");
    assert_eq!(v["error"]["name"], "ZeroDivisionError");
    assert_eq!(v["error"]["value"], "division by zero");
    let stderr = v["stderr"].as_str().unwrap();
    assert!(stderr.contains("ZeroDivisionError"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "no ANSI colour codes: {stderr:?}");
    let (_, v) = sb.exec(json!({"code": "def f(:\n  pass"})).await;
    assert_eq!(v["error"]["name"], "SyntaxError");
    assert_eq!(sb.ok("python", "print('still fine')").await, "still fine\n");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout_interrupts_and_keeps_state() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    sb.ok("python", "kept = 7").await;
    let started = Instant::now();
    let (s, v) =
        sb.exec(json!({"code": "import time\nprint('waiting')\ntime.sleep(30)", "timeout": 1})).await;
    assert_eq!(s, 408, "{v}");
    assert_eq!(v["stdout"], "waiting\n");
    assert!(v.get("kernel_restarted").is_none(), "an interrupt that works keeps the kernel");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "interrupted, not slept out: {:?}",
        started.elapsed()
    );
    assert_eq!(sb.ok("python", "print(kept)").await, "7\n");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn code_that_ignores_interrupts_gets_a_new_kernel() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    sb.ok("python", "lost = 1").await;
    let code = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint('stubborn', flush=True)\nwhile True: pass";
    let started = Instant::now();
    let (s, v) = sb.exec(json!({"code": code, "timeout": 1})).await;
    assert_eq!(s, 408, "{v}");
    assert_eq!(v["kernel_restarted"], true);
    assert_eq!(v["stdout"], "stubborn\n");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let (_, v) = sb.exec(json!({"code": "lost"})).await;
    assert_eq!(v["error"]["name"], "NameError", "the new kernel starts empty: {v}");
    assert_eq!(sb.ok("python", "print('usable')").await, "usable\n");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_kernel_is_reported_and_replaced() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    let (s, v) = sb.exec(json!({"code": "import os\nprint('last words', flush=True)\nos._exit(3)"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["success"].as_bool(), v["exit_code"].as_i64()), (Some(false), Some(3)));
    assert_eq!(v["stdout"], "last words\n");
    assert!(v["stderr"].as_str().unwrap().contains("kernel exited with code 3"), "{v}");
    assert_eq!(v["kernel_restarted"], true);
    let (_, v) = sb.exec(json!({"code": "import ctypes\nctypes.string_at(0)"})).await;
    assert_eq!(v["success"], false);
    assert!(v["stderr"].as_str().unwrap().contains("signal 11"), "a segfault is named: {v}");
    assert_eq!(sb.ok("python", "print(1 + 1)").await, "2\n");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn per_call_env_and_workdir_are_restored() {
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "code-interpreter", "env_vars": {"G": "global"}})).await;
    let (_, v) = sb
        .exec(json!({"code": "import os\nprint(os.environ.get('G'), os.environ.get('ONLY'), os.getcwd().endswith('/workspace/w'))", "env": {"ONLY": "call"}, "workdir": "/workspace/w"}))
        .await;
    assert_eq!(v["stdout"], "global call True\n", "{v}");
    let (_, v) = sb
        .exec(json!({"code": "import os\nprint(os.environ.get('ONLY'), os.getcwd().endswith('/workspace'))"}))
        .await;
    assert_eq!(v["stdout"], "None True\n", "{v}");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_kernel_queues_and_sandboxes_run_in_parallel() {
    let h = Harness::start().await;
    let a = Arc::new(interpreter(&h).await);
    let b = Arc::new(interpreter(&h).await);
    a.ok("python", "order = []").await;
    b.ok("python", "pass").await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..10 {
        let a = a.clone();
        tasks.push(tokio::spawn(async move {
            a.exec(json!({"code": format!("import time\ntime.sleep(0.1)\norder.append({i})")})).await
        }));
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().0, 200);
    }
    assert!(started.elapsed() >= Duration::from_millis(1000), "runs on one kernel do not overlap");
    let (_, v) = a.exec(json!({"code": "order"})).await;
    assert_eq!(v["result"], "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]", "arrival order");

    let started = Instant::now();
    let sleep = json!({"code": "import time\ntime.sleep(2)"});
    let (ra, rb) = tokio::join!(a.exec(sleep.clone()), b.exec(sleep));
    assert_eq!((ra.0, rb.0), (200, 200));
    assert!(
        // Two 2 s runs: at least 4 s one after the other.
        started.elapsed() < Duration::from_millis(3500),
        "two sandboxes run at once: {:?}",
        started.elapsed()
    );
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn other_languages_stay_one_shot_on_the_interpreter_template() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    assert_eq!(sb.ok("bash", "echo from-bash").await, "from-bash\n");
    assert_eq!(sb.ok("javascript", "console.log(2 ** 10)").await, "1024\n");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_warm_pool_hands_out_a_started_kernel_and_refills() {
    let h = Harness::with(|c| c.kernel_pool = 1).await;
    let engine = h.server.engine.clone();
    assert!(eventually(Duration::from_secs(30), || engine.pooled_kernels() == 1).await, "the pool warms up");
    let sb = interpreter(&h).await;
    assert_eq!(engine.pooled_kernels(), 0, "create took the warm kernel");
    assert_eq!(sb.ok("python", "import os\nprint(os.getcwd().endswith('workspace'))").await, "True\n");
    assert!(
        eventually(Duration::from_secs(30), || engine.pooled_kernels() == 1).await,
        "and the pool refills"
    );
    // Whatever its network, a sandbox takes a warm kernel (`network.rs` checks the network).
    let offline = h.create(json!({"template_name": "code-interpreter", "internet_access": false})).await;
    assert_eq!(engine.pooled_kernels(), 0);
    assert_eq!(offline.ok("python", "print('warm kernel')").await, "warm kernel\n");
    h.server.shutdown().await;
    assert_eq!(engine.pooled_kernels(), 0, "shutdown stops waiting kernels");
}

//! The client against the embedded local engine: the path a user without an API key takes.
//! All tests share one runtime: the client's HTTP pool belongs to the runtime that opened it.

use hopx_core::{Backend, Client, ClientConfig, CreateOptions, ErrorKind, RunOptions, StreamEvent};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap())
}

async fn client() -> Client {
    std::env::remove_var("HOPX_API_KEY");
    std::env::remove_var("HOPX_BASE_URL");
    Client::new(ClientConfig::default()).await.expect("embedded engine starts")
}

fn template(name: &str) -> CreateOptions {
    CreateOptions { template: Some(name.into()), ..Default::default() }
}

#[test]
fn embedded_engine_end_to_end() {
    rt().block_on(async {
        let client = client().await;
        assert_eq!(client.backend(), &Backend::Local);
        assert!(client.base_url().starts_with("http://127.0.0.1:"));

        let opts = CreateOptions { template: Some("base".into()), ..Default::default() };
        let sandbox = client.create_sandbox(opts).await.unwrap();
        let r = sandbox.run_code("print(6 * 7)", RunOptions::default()).await.unwrap();
        assert_eq!((r.stdout.as_str(), r.exit_code, r.success), ("42\n", 0, true));
        let bash = RunOptions { language: "bash".into(), ..Default::default() };
        let r = sandbox.run_code("echo hi; exit 4", bash.clone()).await.unwrap();
        assert_eq!((r.stdout.as_str(), r.exit_code, r.success), ("hi\n", 4, false));

        let slow = RunOptions { language: "bash".into(), timeout: Some(1), ..Default::default() };
        let e = sandbox.run_code("echo partial; sleep 30", slow).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Timeout);
        assert_eq!(e.stdout.as_deref(), Some("partial\n"));

        let info = sandbox.info().await.unwrap();
        assert_eq!(info.status, "running");
        let listed = client.list(Default::default()).await.unwrap();
        assert!(listed.iter().any(|s| s.sandbox_id == sandbox.id()));

        let missing = CreateOptions { template: Some("nope".into()), ..Default::default() };
        let e = client.create_sandbox(missing).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::TemplateNotFound);
        assert!(e.available_templates.contains(&"base".to_string()));

        sandbox.kill().await.unwrap();
        let e = sandbox.run_code("print(1)", RunOptions::default()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        let e = client.connect(sandbox.id()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(e.message.contains("Sandbox not found"), "{}", e.message);
    });
}

/// Prints a line every 100 ms for 2 s; interleaves stderr.
const TICKS: &str = "import sys, time\nfor i in range(20):\n    print(f'line {i}', flush=True)\n    if i % 5 == 0: print(f'err {i}', file=sys.stderr, flush=True)\n    time.sleep(0.1)";

#[test]
fn output_streams_while_the_code_runs() {
    rt().block_on(async {
        let client = client().await;
        for tpl in ["base", "code-interpreter"] {
            let sandbox = client.create_sandbox(template(tpl)).await.unwrap();
            let started = Instant::now();
            let mut stream = sandbox.run_code_stream(TICKS, RunOptions::default()).await.unwrap();
            let (mut out, mut err, mut first) = (String::new(), String::new(), None);
            while let Some(ev) = stream.next_event().await {
                first.get_or_insert(started.elapsed());
                match ev.unwrap() {
                    StreamEvent::Stdout(s) => out.push_str(&s),
                    StreamEvent::Stderr(s) => err.push_str(&s),
                    StreamEvent::Display(_) => {}
                }
            }
            let total = started.elapsed();
            let expected: String = (0..20).map(|i| format!("line {i}\n")).collect();
            assert_eq!(out, expected, "{tpl}: every line, in order");
            assert_eq!(err, "err 0\nerr 5\nerr 10\nerr 15\n", "{tpl}");
            let first = first.unwrap();
            assert!(first < total / 2, "{tpl}: output arrived while running ({first:?} of {total:?})");
            let result = stream.result().unwrap();
            assert_eq!((result.exit_code, result.success), (0, true));
            assert_eq!(result.stdout, expected);
            sandbox.kill().await.unwrap();
        }
    });
}

#[test]
fn a_plot_shown_mid_run_streams_as_a_display_event() {
    rt().block_on(async {
        let client = client().await;
        let sandbox = client.create_sandbox(template("code-interpreter")).await.unwrap();
        let code = "import matplotlib.pyplot as plt, time\nplt.plot([1, 2])\nplt.show()\nprint('after', flush=True)\ntime.sleep(1.5)";
        let opts = RunOptions { timeout: Some(120), ..Default::default() };
        let started = Instant::now();
        let mut stream = sandbox.run_code_stream(code, opts).await.unwrap();
        let mut shown_at = None;
        let mut out = String::new();
        while let Some(ev) = stream.next_event().await {
            match ev.unwrap() {
                StreamEvent::Display(o) => {
                    assert_eq!(o.mime_type, "image/png");
                    shown_at = Some(started.elapsed());
                }
                StreamEvent::Stdout(s) => out.push_str(&s),
                StreamEvent::Stderr(_) => {}
            }
        }
        let total = started.elapsed();
        // The plot and the print travel on different pipes, so their relative order within a
        // few milliseconds is not promised; that the plot arrives while the code still runs is.
        let shown_at = shown_at.expect("the plot arrives as an event");
        assert!(shown_at + Duration::from_millis(700) < total, "shown at {shown_at:?}, run took {total:?}");
        assert_eq!(out, "after\n");
        assert_eq!(stream.result().unwrap().rich_outputs.len(), 1);
        sandbox.kill().await.unwrap();
    });
}

#[test]
fn a_stream_that_times_out_gives_its_output_then_the_error() {
    rt().block_on(async {
        let client = client().await;
        let sandbox = client.create_sandbox(template("base")).await.unwrap();
        let opts = RunOptions { language: "bash".into(), timeout: Some(1), ..Default::default() };
        let mut stream = sandbox.run_code_stream("echo one; sleep 30", opts).await.unwrap();
        let first = stream.next_event().await.unwrap().unwrap();
        assert_eq!(first, StreamEvent::Stdout("one\n".into()));
        let e = stream.finish().await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Timeout);
        assert_eq!(e.stdout.as_deref(), Some("one\n"));
        sandbox.kill().await.unwrap();
    });
}

#[test]
fn background_runs_are_listed_finished_and_killed() {
    rt().block_on(async {
        let client = client().await;
        let sandbox = client.create_sandbox(template("code-interpreter")).await.unwrap();
        let quick = sandbox
            .run_code_background(
                "import time\ntime.sleep(0.5)\nprint('bg done')",
                RunOptions::default(),
                Some("quick"),
            )
            .await
            .unwrap();
        let slow = sandbox
            .run_code_background(
                "sleep 600",
                RunOptions { language: "bash".into(), ..Default::default() },
                None,
            )
            .await
            .unwrap();
        let (quick_id, slow_id) =
            (quick["process_id"].as_str().unwrap(), slow["process_id"].as_str().unwrap());
        assert_eq!(quick["status"], "running");
        let status = |list: &[serde_json::Value], id: &str| {
            list.iter().find(|p| p["process_id"] == id).map(|p| p["status"].as_str().unwrap().to_string())
        };
        let list = sandbox.list_processes().await.unwrap();
        assert_eq!(status(&list, quick_id).as_deref(), Some("running"));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let list = sandbox.list_processes().await.unwrap();
            if status(&list, quick_id).as_deref() == Some("completed") {
                let p = list.iter().find(|p| p["process_id"] == quick_id).unwrap();
                assert_eq!(
                    (p["stdout"].as_str(), p["exit_code"].as_i64(), p["name"].as_str()),
                    (Some("bg done\n"), Some(0), Some("quick"))
                );
                break;
            }
            assert!(Instant::now() < deadline, "the background run finishes");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let killed = sandbox.kill_process(slow_id).await.unwrap();
        assert_eq!(killed["status"], "killed");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let list = sandbox.list_processes().await.unwrap();
        assert_eq!(status(&list, slow_id).as_deref(), Some("killed"));
        let e = sandbox.kill_process("proc_nope").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
        // The sync run still works while background runs exist.
        let r = sandbox.run_code("print('fg')", RunOptions::default()).await.unwrap();
        assert_eq!(r.stdout, "fg\n");
        sandbox.kill().await.unwrap();
    });
}

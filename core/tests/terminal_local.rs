//! `Sandbox::terminal` against the embedded local engine: a real interactive bash in a pty
//! inside the sandbox, confined as every sandbox process is, and gone when its client leaves
//! or the sandbox is killed. Each wait for output is bounded, so no test can hang.

use hopx_core::{Client, ClientConfig, CreateOptions, Sandbox, TerminalSession};
use std::sync::OnceLock;
use std::time::Duration;

fn rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap())
}

async fn sandbox() -> Sandbox {
    std::env::remove_var("HOPX_API_KEY");
    std::env::remove_var("HOPX_BASE_URL");
    let client = Client::new(ClientConfig::default()).await.expect("embedded engine starts");
    let opts = CreateOptions { template: Some("base".into()), ..Default::default() };
    client.create_sandbox(opts).await.unwrap()
}

/// Output until `marker` shows up (or the exit code, if the shell ends first); at most 30 s.
async fn read_until(term: &TerminalSession, marker: &str) -> (String, Option<i64>) {
    let mut out = String::new();
    let read = async {
        while let Some(msg) = term.next().await.unwrap() {
            match msg["type"].as_str() {
                Some("output") => out.push_str(msg["data"].as_str().unwrap()),
                Some("exit") => return msg["code"].as_i64(),
                other => panic!("unexpected message {other:?}: {msg}"),
            }
            if out.contains(marker) {
                return None;
            }
        }
        None
    };
    let code = tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .unwrap_or_else(|_| panic!("no {marker:?} in {out:?}"));
    (out, code)
}

/// Host pids whose command line holds `marker`.
fn host_processes_with(marker: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
        })
        .collect()
}

async fn gone(marker: &str) -> bool {
    for _ in 0..200 {
        if host_processes_with(marker).is_empty() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    false
}

#[test]
fn a_shell_on_a_real_terminal_as_the_sandbox_user() {
    rt().block_on(async {
        let sb = sandbox().await;
        let term = sb.terminal(100, 30, None).await.unwrap();
        // Arithmetic in the marker, so the echo of the typed line does not match it.
        term.send_input(
            "tty -s && echo tty-$((1+1)); stty size; id -u; cat /etc/shadow | wc -c; echo done-$((2+2))\n",
        )
        .await
        .unwrap();
        let (out, _) = read_until(&term, "done-4").await;
        assert!(out.contains("tty-2"), "{out}");
        assert!(out.contains("30 100"), "the first size: {out}");
        assert!(out.contains("\n1000\r\n"), "the sandbox's user: {out}");
        assert!(out.contains("\n0\r\n"), "the sandbox's /etc/shadow is empty: {out}");
        term.resize(132, 43).await.unwrap();
        term.send_input("stty size; echo sized-$((3+3))\n").await.unwrap();
        let (out, _) = read_until(&term, "sized-6").await;
        assert!(out.contains("43 132"), "{out}");
        // Ctrl-C reaches the program in front; the shell goes on.
        term.send_input("sleep 60\n").await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        term.send_input("\x03echo after-$((4+4))\n").await.unwrap();
        read_until(&term, "after-8").await;
        term.send_input("exit 7\n").await.unwrap();
        let (_, code) = read_until(&term, "\u{0}never").await;
        assert_eq!(code, Some(7));
        assert!(term.next().await.unwrap().is_none(), "the session ends after exit");
        sb.kill().await.unwrap();
    });
}

#[test]
fn leaving_the_terminal_ends_the_shell_and_what_it_started() {
    rt().block_on(async {
        let sb = sandbox().await;
        let marker = format!("hopx-term-{}", std::process::id());
        let term = sb.terminal(80, 24, None).await.unwrap();
        // A background job in its own session, which a hang-up alone would not reach.
        term.send_input(&format!("setsid bash -c 'exec -a {marker} sleep 600' & echo started-$((5+5))\n"))
            .await
            .unwrap();
        read_until(&term, "started-10").await;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while host_processes_with(&marker).is_empty() {
            assert!(std::time::Instant::now() < deadline, "the job never started");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        term.close().await;
        assert!(term.next().await.unwrap().is_none(), "a closed session reads nothing");
        assert!(gone(&marker).await, "left running: {:?}", host_processes_with(&marker));
        // Killing the sandbox ends an open session too.
        let other = sb.terminal(80, 24, None).await.unwrap();
        other.send_input("echo ready-$((6+6))\n").await.unwrap();
        read_until(&other, "ready-12").await;
        sb.kill().await.unwrap();
        // Whatever the last word (an exit message, the end of the socket), it comes.
        let ended = tokio::time::timeout(Duration::from_secs(10), async {
            while let Ok(Some(msg)) = other.next().await {
                if msg["type"] == "exit" {
                    break;
                }
            }
        })
        .await;
        assert!(ended.is_ok(), "the session outlived its sandbox");
    });
}

#[test]
fn bad_sizes_fail_before_anything_is_sent() {
    rt().block_on(async {
        let sb = sandbox().await;
        // The one range check both bindings rely on: 1 to 65535, said the same way.
        for (cols, rows, bad) in [(0, 24, "cols"), (80, 65_536, "rows"), (-1, 24, "cols")] {
            let e = sb.terminal(cols, rows, None).await.err().expect("refused");
            assert_eq!(e.kind, hopx_core::ErrorKind::Validation, "{e}");
            let value = if bad == "cols" { cols } else { rows };
            assert_eq!(e.message, format!("{bad} must be from 1 to 65535, got {value}"));
        }
        let term = sb.terminal(65_535, 1, None).await.unwrap();
        let e = term.resize(80, 0).await.expect_err("refused");
        assert_eq!(e.message, "rows must be from 1 to 65535, got 0");
        term.close().await;
        assert!(term.send_input("x").await.is_err(), "a closed terminal takes no input");
        sb.kill().await.unwrap();
    });
}

//! What a `code-interpreter` sandbox can make the engine hold. The engine runs inside the
//! process that embeds it (a user's Python or Node program, here this test binary), so sandbox
//! output must never grow that process without bound. Each test measures this process's peak
//! resident memory (`VmHWM`, reset through `/proc/self/clear_refs`) around an attack; the tests
//! of this file take turns so that they do not count each other's memory.

mod common;
use common::*;
use serde_json::json;
use std::time::Duration;

/// The tests of this binary run one at a time (each measures the whole process).
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const MIB: u64 = 1024 * 1024;

/// A field of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`).
fn status(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = text.lines().find(|l| l.starts_with(field)).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Starts a measurement: resets the peak to the current size and returns that size.
fn start_measure() -> u64 {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS");
    status("VmRSS")
}

/// How far the peak went above `base`, in MiB.
fn peak_growth_mib(base: u64) -> u64 {
    status("VmHWM").saturating_sub(base) / MIB
}

async fn interpreter(h: &Harness) -> AgentClient {
    h.create(json!({"template_name": "code-interpreter"})).await
}

#[tokio::test(flavor = "multi_thread")]
async fn displays_after_the_cell_ended_are_dropped_not_kept() {
    let _turn = TURN.lock().await;
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    // Warm up the paths a run takes, so their one-time allocations are not counted.
    sb.ok("python", "print('warm')").await;
    let base = start_measure();
    let code = "import threading\nfrom IPython.display import display\nstop, sent = False, 0\nblob = 'x' * (1 << 20)\ndef spam():\n    global sent\n    while not stop:\n        display({'text/plain': blob}, raw=True)\n        sent += 1\nthreading.Thread(target=spam, daemon=True).start()";
    sb.ok("python", code).await;
    // The thread displays 1 MiB payloads as fast as it can while no run is in progress.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (_, v) = sb.exec(json!({"code": "stop = True\nprint(sent)"})).await;
    let sent: u64 = v["stdout"].as_str().unwrap().trim().parse().unwrap();
    let grown = peak_growth_mib(base);
    eprintln!("a thread displaying {sent} x 1 MiB in 4 s after its cell: peak +{grown} MiB");
    assert!(sent > 150, "the attack must send more than the bound: {sent} MiB");
    assert!(grown < 64, "the engine kept displays of an ended cell: +{grown} MiB");
    let (_, v) = sb.exec(json!({"code": "print('clean')", "timeout": 10})).await;
    assert_eq!(v["stdout"], "clean\n", "{v}");
    assert_eq!(v["rich_outputs"], json!([]), "nothing of the old cell arrives later");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rich_outputs_of_one_run_are_capped_and_flagged() {
    let _turn = TURN.lock().await;
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    sb.ok("python", "print('warm')").await;
    let base = start_measure();
    let code = "from IPython.display import display\nblob = 'y' * (1 << 20)\nfor _ in range(400):\n    display({'text/plain': blob}, raw=True)\nprint('shown')";
    let (_, v) = sb.exec(json!({"code": code})).await;
    let grown = peak_growth_mib(base);
    eprintln!("one run displaying 400 x 1 MiB: peak +{grown} MiB");
    assert_eq!(v["success"], true, "{}", v["stderr"]);
    assert_eq!(v["stdout"], "shown\n");
    assert_eq!(v["rich_outputs_truncated"], true);
    let kept = v["rich_outputs"].as_array().unwrap().len();
    // The default cap is 32 MiB of outputs (as JSON): 31 of these fit, with their framing.
    assert!((20..=32).contains(&kept), "kept {kept} outputs");
    assert!(v["stderr"].as_str().unwrap().contains("rich outputs were dropped"), "{}", v["stderr"]);
    // The kept 32 MiB are in the engine's outcome, its serialized response, and this test's
    // body and parsed copies: 4-5 copies, 77-155 MiB measured depending on how malloc's arenas
    // fall. Keeping all 400 MiB would pass 400 on its own, so 260 still tells the two apart.
    assert!(grown < 260, "one run grew the process by {grown} MiB");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_output_larger_than_a_frame_is_dropped_with_a_note() {
    let _turn = TURN.lock().await;
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    sb.ok("python", "kept = 'state'").await;
    let code =
        "display({'text/plain': 'z' * (20 << 20)}, raw=True)\ndisplay({'text/plain': 'small'}, raw=True)";
    let (_, v) = sb.exec(json!({"code": code})).await;
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(v["rich_outputs_truncated"], true);
    assert_eq!(v["rich_outputs"].as_array().unwrap().len(), 1, "the small one is kept");
    assert_eq!(v["rich_outputs"][0]["data"]["text/plain"], "small");
    let stderr = v["stderr"].as_str().unwrap();
    assert!(stderr.contains("at most 16 MiB"), "{stderr}");
    assert!(v.get("kernel_restarted").is_none(), "the kernel keeps running: {v}");
    assert_eq!(sb.ok("python", "print(kept)").await, "state\n");
    h.server.shutdown().await;
}

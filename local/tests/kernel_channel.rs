//! Calls on one kernel stay apart, whatever a cell does to the descriptors it shares with the
//! kernel's runner. Each test is an attack by a cell (user code runs in the runner's process):
//! fake frames, bad length headers, guessed sentinels, reading the request pipe, closing or
//! redirecting stdout and stderr. The attacking call must not report a success it did not
//! have, and the call after it must get its own output, with nothing left over, well within
//! its timeout.

mod common;
use common::*;
use serde_json::{json, Value};

/// Helpers for the attacking cells: frames in the runner's format, and every pipe the cell can
/// find among its descriptors above 4 (where the runner keeps its own).
const PRELUDE: &str = r#"import os, json, struct, stat, threading, time
def frame(obj):
    body = json.dumps(obj).encode()
    return struct.pack('>I', len(body)) + body
def pipes():
    found = []
    for fd in range(5, 4096):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                found.append(fd)
        except OSError:
            pass
    return found
def write_everywhere(data, fds):
    for fd in fds:
        try:
            os.write(fd, data)
        except OSError:
            pass
"#;

async fn interpreter(h: &Harness) -> AgentClient {
    h.create(json!({"template_name": "code-interpreter"})).await
}

/// Runs an attacking cell (after the helpers) with a 30 s timeout; returns the body.
async fn attack(sb: &AgentClient, code: &str) -> Value {
    let (status, v) = sb.exec(json!({"code": format!("{PRELUDE}{code}"), "timeout": 30})).await;
    assert_eq!(status, 200, "the attack ends the call, not its timeout: {v}");
    v
}

/// The call after an attack: its own output only, within its 10 s timeout.
async fn next_call_is_clean(sb: &AgentClient) {
    let (status, v) = sb
        .exec(json!({"code": "import sys\nprint('next')\nprint('err', file=sys.stderr)", "timeout": 10}))
        .await;
    assert_eq!(status, 200, "the next call must not time out: {v}");
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(v["stdout"], "next\n", "{v}");
    assert_eq!(v["stderr"], "err\n", "{v}");
    assert_eq!(v["rich_outputs"], json!([]), "{v}");
}

fn restarted_because(v: &Value, words: &str) {
    assert_eq!(v["success"], false, "not a success: {v}");
    assert_eq!(v["kernel_restarted"], true, "{v}");
    let stderr = v["stderr"].as_str().unwrap();
    assert!(stderr.contains(words), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn fake_frames_on_fd_4_reach_nothing() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    let code = "for i in range(1, 10):\n    os.write(4, frame({'type': 'done', 'id': i, 'success': True, 'error': None}))\nprint(os.read(3, 100))\nraise ValueError('the real outcome')";
    let v = attack(&sb, code).await;
    assert_eq!(v["success"], false, "{v}");
    assert_eq!(v["error"]["name"], "ValueError");
    assert_eq!(v["stdout"], "b''\n", "fd 3 is /dev/null: {v}");
    assert!(v.get("kernel_restarted").is_none(), "fds 3 and 4 lead nowhere: {v}");
    next_call_is_clean(&sb).await;
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fake_frames_on_the_channel_restart_the_kernel() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    sb.ok("python", "secret = 1").await;
    let code = "fake = b''.join(frame({'type': t, 'id': i, 'success': True, 'error': None, 'kind': 'display', 'data': {'text/plain': 'fake'}}) for i in range(1, 10) for t in ('display', 'done'))\nwrite_everywhere(fake, pipes())\nraise ValueError('the real outcome')";
    let v = attack(&sb, code).await;
    restarted_because(&v, "could not be trusted");
    assert_eq!(v["rich_outputs"], json!([]), "no fake display is shown: {v}");
    next_call_is_clean(&sb).await;
    let (_, v) = sb.exec(json!({"code": "secret"})).await;
    assert_eq!(v["error"]["name"], "NameError", "a new kernel: {v}");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_length_header_restarts_the_kernel() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    let v = attack(&sb, "write_everywhere(b'\\xff\\xff\\xff\\xff', pipes())\nprint('claims success')").await;
    restarted_because(&v, "could not be trusted");
    next_call_is_clean(&sb).await;
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_length_header_with_too_few_bytes_restarts_the_kernel() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    // The runner's own frames then fill the fake one, which never completes.
    let v =
        attack(&sb, "write_everywhere(b'\\x00\\x00\\x10\\x00{\"partial', pipes())\nprint('claims success')")
            .await;
    restarted_because(&v, "stopped halfway");
    next_call_is_clean(&sb).await;
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn guessed_sentinels_do_not_end_the_output_early() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    let code = "for i in range(1, 10):\n    fake = ('\\0hopx-end-%d-0123456789abcdef\\0leftover %d\\n' % (i, i)).encode()\n    os.write(1, fake)\n    os.write(2, fake)\nprint('after')";
    let v = attack(&sb, code).await;
    assert_eq!(v["success"], true, "{v}");
    let stdout = v["stdout"].as_str().unwrap();
    assert!(stdout.contains("leftover 9") && stdout.ends_with("after\n"), "{stdout:?}");
    next_call_is_clean(&sb).await;
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thread_that_steals_the_next_request_gets_the_kernel_restarted() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    // A thread blocks reading every read-only pipe, so the next request goes to it, not to the
    // runner (the earliest reader of a pipe is woken first).
    let code = r#"def read_only(fd):
    with open('/proc/self/fdinfo/%d' % fd) as info:
        return int(info.read().split('flags:')[1].split()[0], 8) & 3 == os.O_RDONLY
stolen, waiting = [], threading.Event()
def thief(fd):
    waiting.set()
    stolen.append(os.read(fd, 1 << 20))
for fd in [fd for fd in pipes() if read_only(fd)]:
    threading.Thread(target=thief, args=(fd,), daemon=True).start()
waiting.wait()
time.sleep(0.2)
print('set')"#;
    let v = attack(&sb, code).await;
    assert_eq!(v["stdout"], "set\n", "{v}");
    let (status, v) = sb.exec(json!({"code": "print('victim')", "timeout": 10})).await;
    assert_eq!(status, 200, "the stolen run fails without waiting for its timeout: {v}");
    restarted_because(&v, "never received this run");
    assert_eq!(v["stdout"], "");
    next_call_is_clean(&sb).await;
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_stdout_and_stderr_are_put_back() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    sb.ok("python", "kept = 'state'").await;
    let v = attack(&sb, "print('before', flush=True)\nos.close(1)\nos.close(2)").await;
    assert_eq!(v["success"], true, "closing them is not an error: {v}");
    assert_eq!(v["stdout"], "before\n");
    assert!(v["stderr"].as_str().unwrap().contains("put them back"), "{v}");
    assert!(v.get("kernel_restarted").is_none(), "{v}");
    next_call_is_clean(&sb).await;
    assert_eq!(sb.ok("python", "print(kept)").await, "state\n", "the kernel kept its state");
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stdout_redirected_to_dev_null_is_put_back() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    let v =
        attack(&sb, "os.dup2(os.open('/dev/null', os.O_WRONLY), 1)\nprint('hidden')\nraise KeyError('real')")
            .await;
    assert_eq!(v["success"], false, "{v}");
    assert_eq!(v["error"]["name"], "KeyError");
    assert_eq!(v["stdout"], "");
    next_call_is_clean(&sb).await;
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn closing_every_descriptor_of_the_runner_restarts_the_kernel() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    let v = attack(&sb, "os.closerange(5, 4096)\nprint('closed')").await;
    assert_eq!(v["success"], false, "{v}");
    assert_eq!(v["kernel_restarted"], true, "{v}");
    next_call_is_clean(&sb).await;
    h.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_between_runs_gets_the_next_run_a_new_kernel_and_a_note() {
    let h = Harness::start().await;
    let sb = interpreter(&h).await;
    // A thread of this cell writes into the channel later, while no run is in progress; one-shot
    // bash runs (not the kernel) tell it when, and see when it is done.
    let code = "targets = pipes()\ndef later():\n    while not os.path.exists('/workspace/go'):\n        time.sleep(0.01)\n    write_everywhere(b'\\xff\\xff\\xff\\xff', targets)\n    open('/workspace/written', 'w').close()\nthreading.Thread(target=later, daemon=True).start()\nprint('armed')";
    let v = attack(&sb, code).await;
    assert_eq!(v["stdout"], "armed\n", "{v}");
    sb.ok("bash", "touch /workspace/go").await;
    // The thread marks when it has written, unless the engine killed the kernel first (it
    // does so as soon as it reads the garbage): either way the channel was hit.
    for _ in 0..100 {
        if sb.ok("bash", "test -e /workspace/written && echo yes || echo no").await == "yes\n" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (status, v) = sb.exec(json!({"code": "print('fresh')", "timeout": 10})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!((v["success"].as_bool(), v["stdout"].as_str()), (Some(true), Some("fresh\n")), "{v}");
    assert_eq!(v["kernel_restarted"], true, "{v}");
    assert!(
        v["stderr"].as_str().unwrap().contains("earlier runs stopped (its messages could not be trusted"),
        "{v}"
    );
    next_call_is_clean(&sb).await;
    h.server.shutdown().await;
}

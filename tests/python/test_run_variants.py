"""Webhook runs, preflight, the cache, preview URLs and ``Sandbox.debug``, on the embedded
engine: real sandboxes, a real HTTP listener receiving the webhook, a real server inside a
sandbox reached through its preview URL."""

import asyncio
import hashlib
import hmac
import json
import queue
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hopx_ai import AsyncSandbox, Sandbox
from hopx_ai.errors import HopxError, ValidationError


class _Receiver(BaseHTTPRequestHandler):
    """Puts each POST (headers, body) on the server's queue; answers with the server's next
    status (a list, so that a test can make the first deliveries fail)."""

    def do_POST(self):  # noqa: N802 (the handler protocol's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        statuses = self.server.statuses
        status = statuses.pop(0) if statuses else 200
        self.server.received.put((status, self.headers, body))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = queue.Queue()
    server.statuses = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server):
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


def test_a_webhook_run_posts_its_signed_result(sandbox, receiver):
    started = sandbox.run_code_async(
        "import sys; print('to the hook'); print('warn', file=sys.stderr)",
        _url(receiver),
        callback_headers={"Authorization": "Bearer receiver-secret"},
        callback_signature_secret="s3cret",
    )
    assert started["status"] == "queued" and started["callback_url"] == _url(receiver)
    status, headers, body = receiver.received.get(timeout=60)
    assert status == 200
    payload = json.loads(body)
    assert payload["execution_id"] == started["execution_id"]
    assert payload["status"] == "completed" and payload["exit_code"] == 0
    assert payload["stdout"] == "to the hook\n" and payload["stderr"] == "warn\n"
    assert payload["execution_time"] >= 0 and payload["error"] is None
    assert headers["Authorization"] == "Bearer receiver-secret"
    stamp = headers["X-HOPX-Timestamp"]
    assert abs(int(stamp) - time.time()) < 120
    mac = hmac.new(b"s3cret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-HOPX-Signature"] == f"sha256={mac}"
    # The run is an ordinary background run too.
    ids = [p["process_id"] for p in sandbox.list_processes()]
    assert started["process_id"] in ids


def test_a_failed_delivery_is_tried_again_and_failures_are_reported(sandbox, receiver):
    receiver.statuses = [503]
    sandbox.run_code_async("exit 3", _url(receiver), language="bash")
    first = receiver.received.get(timeout=60)
    second = receiver.received.get(timeout=30)
    assert (first[0], second[0]) == (503, 200)
    payload = json.loads(second[2])
    assert (payload["status"], payload["exit_code"]) == ("failed", 3)
    assert "3" in payload["error"]
    assert "X-HOPX-Signature" not in second[1]


def test_a_webhook_run_that_times_out_says_so(sandbox, receiver):
    sandbox.run_code_async("sleep 30", _url(receiver), language="bash", timeout=1)
    _, _, body = receiver.received.get(timeout=60)
    assert json.loads(body)["status"] == "timeout"


def test_bad_webhook_arguments_fail_before_any_run(sandbox):
    with pytest.raises(ValidationError):
        sandbox.run_code_async("print(1)", "ftp://example.com/hook")
    with pytest.raises(TypeError):
        sandbox.run_code_async("print(1)", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sandbox.run_code_async("print(1)", "http://x/", callback_headers={"A": 1})  # type: ignore[dict-item]


def test_preflight_refuses_a_paused_sandbox_before_sending_code(fresh_sandbox):
    assert fresh_sandbox.run_code("print(5)", preflight=True).stdout == "5\n"
    fresh_sandbox.pause()
    try:
        with pytest.raises(HopxError) as caught:
            fresh_sandbox.run_code("print(6)", preflight=True)
        assert caught.value.code == "sandbox_not_running"
    finally:
        fresh_sandbox.resume()
    with pytest.raises(TypeError):
        fresh_sandbox.run_code("1", preflight="yes")  # type: ignore[arg-type]


def test_the_cache_counts_and_forgets_finished_runs(fresh_sandbox):
    done = fresh_sandbox.run_code_background("echo cached", language="bash")
    for _ in range(200):
        if fresh_sandbox.list_processes()[0]["status"] != "running":
            break
        time.sleep(0.05)
    stats = fresh_sandbox.cache.stats()["cache"]
    assert stats["size"] == 1 and stats["max_size"] >= 1
    cleared = fresh_sandbox.cache.clear()
    assert cleared["entries_removed"] == 1
    assert fresh_sandbox.cache.stats()["cache"]["size"] == 0
    assert fresh_sandbox.list_processes() == []
    with pytest.raises(HopxError):
        fresh_sandbox.kill_process(done["process_id"])


def test_a_preview_url_reaches_a_server_in_a_sandbox_without_internet():
    with Sandbox.create(template="base", internet_access=False) as sb:
        sb.files.write("/workspace/index.html", "hello from inside")
        sb.run_code_background(
            "python3 -m http.server 8000 --bind 127.0.0.1 --directory /workspace",
            language="bash",
        )
        url = sb.get_preview_url(8000)
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        assert sb.get_preview_url(8000) == url
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(url + "index.html", timeout=5) as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert body == "hello from inside"
        with pytest.raises(ValidationError):
            sb.get_preview_url(70000)
        with pytest.raises(TypeError):
            sb.get_preview_url("8000")  # type: ignore[arg-type]


def test_debug_talks_to_an_agent_directly(sandbox):
    agent = sandbox.agent_url
    token = sandbox.get_token()
    direct = Sandbox.debug(agent.replace("http://", "ws://"), token, sandbox_id=sandbox.sandbox_id)
    assert direct.sandbox_id == sandbox.sandbox_id
    assert direct.run_code("print(40 + 2)").stdout == "42\n"
    wrong = Sandbox.debug(agent, "not-the-token")
    with pytest.raises(HopxError):
        wrong.run_code("print(1)")
    with pytest.raises(ValidationError):
        Sandbox.debug("127.0.0.1:1", token)


@pytest.mark.asyncio
async def test_the_async_flavour(receiver):
    async with AsyncSandbox.create() as sb:
        started = await sb.run_code_async("print('async')", _url(receiver))
        _, _, body = await asyncio.to_thread(receiver.received.get, timeout=60)
        assert json.loads(body)["execution_id"] == started["execution_id"]
        assert (await sb.cache.stats())["cache"]["size"] >= 1
        assert (await sb.run_code("print(1)", preflight=True)).stdout == "1\n"
        assert (await sb.get_preview_url(8080)).endswith("/")
        direct = await AsyncSandbox.debug(await sb.agent_url, await sb.get_token())
        assert (await direct.run_code("print(7)")).stdout == "7\n"

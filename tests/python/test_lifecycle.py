"""Sandbox lifecycle on the embedded engine: pause and resume (a busy loop makes no progress
while paused, state survives), connect resuming a paused sandbox, and set_timeout."""

import time
from datetime import datetime, timezone

import pytest

from hopx_ai import AgentError, Sandbox, ValidationError

COUNTER = "i=0; while :; do i=$((i+1)); echo $i > /workspace/n; sleep 0.01; done"


def count(sb):
    return int(sb.files.read("/workspace/n").strip() or 0)


def test_a_paused_sandbox_makes_no_progress_and_goes_on_after_resume():
    with Sandbox.create() as sb:
        sb.run_code("x = 41")
        sb.commands.run(COUNTER, background=True, timeout=120)
        # Until the loop has counted (a loaded machine may take a while to start it).
        deadline = time.monotonic() + 30
        while not sb.files.exists("/workspace/n") and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)
        before = count(sb)
        sb.pause()
        assert sb.get_info().status == "paused"
        with pytest.raises(AgentError) as info:
            sb.files.read("/workspace/n")
        assert info.value.code == "SANDBOX_PAUSED"
        time.sleep(0.6)  # about 40 steps of the loop, were it running
        sb.resume()
        after = count(sb)
        assert 0 <= after - before <= 10, (before, after)
        time.sleep(0.3)
        assert count(sb) > after, "the background loop goes on"
        assert sb.run_code("print(x + 1)").stdout == "42\n"


def test_connect_resumes_a_paused_sandbox():
    with Sandbox.create(template="base") as sb:
        sb.pause()
        again = Sandbox.connect(sb.sandbox_id)
        assert again.get_info().status == "running"
        assert again.run_code("echo back", language="bash").stdout == "back\n"


def test_set_timeout_counts_from_now():
    with Sandbox.create(template="base") as sb:
        assert sb.get_info().expires_at is None
        sb.set_timeout(600)
        info = sb.get_info()
        left = (info.expires_at - datetime.now(timezone.utc)).total_seconds()
        assert info.timeout_seconds == 600 and 590 < left <= 600
        with pytest.raises(ValidationError):
            sb.set_timeout(0)

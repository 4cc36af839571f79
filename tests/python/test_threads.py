"""The sync API from inside a running event loop, and with other Python threads running."""

import _thread
import asyncio
import threading
import time

import pytest

from hopx_ai import Sandbox


def test_sync_call_inside_a_running_event_loop(sandbox):
    async def cell():
        # What a Jupyter cell does: plain sync calls while the kernel's loop runs.
        assert asyncio.get_running_loop().is_running()
        return sandbox.run_code("print('in loop')")

    assert asyncio.run(cell()).stdout == "in loop\n"


def test_sync_create_and_kill_inside_a_running_event_loop():
    async def cell():
        with Sandbox.create() as sb:
            return sb.run_code("print(5)").stdout

    assert asyncio.run(cell()) == "5\n"


def test_other_threads_run_while_a_call_waits(sandbox):
    count = 0
    stop = threading.Event()

    def spin():
        nonlocal count
        while not stop.is_set():
            count += 1

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        time.sleep(0.05)
        before = count
        result = sandbox.run_code("import time; time.sleep(1); print('done')")
        during = count - before
    finally:
        stop.set()
        thread.join()
    assert result.stdout == "done\n"
    # With the GIL held for the whole second the spinner would barely move.
    assert during > 100_000, during


def test_calls_from_many_threads(sandbox):
    results = {}

    def work(i):
        results[i] = sandbox.run_code(f"echo {i}", language="bash").stdout

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: f"{i}\n" for i in range(8)}


def test_ctrl_c_interrupts_a_waiting_call(fresh_sandbox):
    # What Ctrl-C (or Jupyter's interrupt button) does to the main thread.
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        fresh_sandbox.run_code("import time; time.sleep(20)")
    assert time.monotonic() - start < 3
    timer.join()

"""Live output and long runs on AsyncSandbox: callbacks on the event loop, async iteration,
background runs as coroutines."""

import asyncio
import threading
import time

import pytest
from test_stream import INTERLEAVED, LINES, PLOT, TICKS

from hopx_ai import AsyncSandbox, NotFoundError, RichOutput, TimeoutError

pytestmark = pytest.mark.asyncio


async def test_callbacks_fire_while_the_code_runs_sync_and_async_callables():
    async with AsyncSandbox.create() as sb:
        started = time.monotonic()
        seen, errs = [], []

        async def on_stdout(text):
            await asyncio.sleep(0)
            seen.append((time.monotonic() - started, text))

        result = await sb.run_code(TICKS, on_stdout=on_stdout, on_stderr=errs.append)
        total = time.monotonic() - started
        assert seen[0][0] < 1.0 and seen[0][0] < total / 2, (seen[0][0], total)
        assert "".join(t for _, t in seen) == "".join(LINES) == result.stdout
        assert errs == []


async def test_interleaved_streams_a_plot_and_the_loop_thread():
    async with AsyncSandbox.create() as sb:
        loop_thread = threading.get_ident()
        events, threads = [], set()

        def record(kind):
            def cb(x):
                threads.add(threading.get_ident())
                events.append((kind, x))

            return cb

        result = await sb.run_code(INTERLEAVED, on_stdout=record("out"), on_stderr=record("err"))
        assert "".join(t for k, t in events if k == "out") == result.stdout
        assert "".join(t for k, t in events if k == "err") == "".join(
            f"err {i}\n" for i in range(10)
        )
        assert threads == {loop_thread}
        shown = []
        result = await sb.run_code(PLOT, on_result=shown.append)
        assert len(shown) == 1 and isinstance(shown[0], RichOutput)
        assert shown[0].type == "image/png" and result.stdout == "after\n"


async def test_the_event_loop_keeps_running_during_a_stream():
    async with AsyncSandbox.create() as sb:
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.05)
                ticks += 1

        task = asyncio.ensure_future(ticker())
        messages = [m async for m in sb.run_code_stream(TICKS)]
        task.cancel()
        assert ticks >= 10
        assert "".join(m["data"] for m in messages if m["type"] == "stdout") == "".join(LINES)
        assert messages[-1] == {"type": "complete", "success": True}


async def test_a_timeout_gives_the_output_then_the_error():
    async with AsyncSandbox.create() as sb:
        events = []
        with pytest.raises(TimeoutError) as info:
            await sb.run_code(
                "echo one; sleep 30",
                language="bash",
                timeout=1,
                on_stdout=events.append,
                on_error=events.append,
            )
        assert events == ["one\n", info.value] and info.value.stdout == "one\n"
        assert (await sb.run_code("print(1)")).stdout == "1\n"


async def test_aclose_early_leaves_the_sandbox_usable():
    async with AsyncSandbox.create() as sb:
        stream = sb.run_code_stream(TICKS)
        async for msg in stream:
            if msg["type"] == "stdout":
                break
        await stream.aclose()
        assert (await sb.run_code("print('next')")).stdout == "next\n"


async def test_background_runs_as_coroutines():
    async with AsyncSandbox.create() as sb:
        quick = await sb.run_code_background("print('bg')", name="q")
        slow = await sb.run_code_background("sleep 600", language="bash")
        deadline = time.monotonic() + 20
        while True:
            procs = {p["process_id"]: p for p in await sb.list_processes()}
            if procs[quick["process_id"]]["status"] == "completed":
                break
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        assert procs[quick["process_id"]]["stdout"] == "bg\n"
        assert procs[slow["process_id"]]["status"] == "running"
        assert (await sb.kill_process(slow["process_id"]))["status"] == "killed"
        with pytest.raises(NotFoundError):
            await sb.kill_process("proc_nope")


async def test_cancelling_a_run_with_callbacks_leaves_the_sandbox_usable():
    async with AsyncSandbox.create() as sb:
        await sb.run_code("pass")  # a warm kernel, so output starts within the wait
        seen = []
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(sb.run_code(TICKS, on_stdout=seen.append), 0.8)
        assert seen and "".join(seen) != "".join(LINES)
        assert (await sb.run_code("print('after')")).stdout == "after\n"

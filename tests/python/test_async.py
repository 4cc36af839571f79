"""AsyncSandbox: the same behaviour as Sandbox, awaited, on the shared runtime."""

import asyncio
import time

import pytest

from hopx_ai import AgentError, AsyncSandbox, NotFoundError, TemplateNotFoundError, TimeoutError

pytestmark = pytest.mark.asyncio


async def test_quick_start_async_with():
    async with AsyncSandbox.create(template="code-interpreter") as sandbox:
        result = await sandbox.run_code('print("Hello, World!")')
        assert (result.stdout, result.success, result.exit_code) == ("Hello, World!\n", True, 0)
        info = await sandbox.get_info()
        assert info.sandbox_id == sandbox.sandbox_id
    with pytest.raises(NotFoundError):
        await sandbox.get_info()


async def test_await_create_then_kill_connect_list():
    sandbox = await AsyncSandbox.create()
    try:
        again = await AsyncSandbox.connect(sandbox.sandbox_id)
        assert again == sandbox
        assert sandbox in await AsyncSandbox.list()
        async with sandbox:
            assert (await sandbox.run_code("print(3)")).stdout == "3\n"
    finally:
        if not sandbox._native.is_killed:
            await sandbox.kill()
    with pytest.raises(NotFoundError):
        await sandbox.run_code("1")


async def test_twenty_concurrent_runs():
    async with AsyncSandbox.create() as sandbox:
        codes = [f"print({i} * 2)" for i in range(10)]
        shells = [f"echo {i}" for i in range(10)]
        results = await asyncio.gather(
            *(sandbox.run_code(c) for c in codes),
            *(sandbox.run_code(c, language="bash") for c in shells),
        )
        assert [r.stdout for r in results[:10]] == [f"{i * 2}\n" for i in range(10)]
        assert [r.stdout for r in results[10:]] == [f"{i}\n" for i in range(10)]


async def test_loop_stays_responsive_while_waiting():
    async with AsyncSandbox.create() as sandbox:
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        await sandbox.run_code("import time; time.sleep(1)")
        task.cancel()
        assert ticks > 30


async def test_timeout_seconds_spelling_and_partial_output():
    async with AsyncSandbox.create() as sandbox:
        start = time.monotonic()
        with pytest.raises(TimeoutError) as info:
            await sandbox.run_code("echo partial; sleep 30", language="bash", timeout_seconds=1)
        assert time.monotonic() - start < 1 + 5
        assert "partial" in info.value.stdout
        ok = await sandbox.run_code("print(1)", timeout_seconds=5)
        assert ok.stdout == "1\n"
        with pytest.raises(TypeError):
            await sandbox.run_code("1", timeout=5, timeout_seconds=5)


async def test_errors_are_the_same_classes():
    with pytest.raises(TemplateNotFoundError):
        await AsyncSandbox.create(template="nope")
    with pytest.raises(TypeError):
        AsyncSandbox.create(template=3)


async def test_cancelling_a_run_returns_at_once():
    async with AsyncSandbox.create() as sandbox:
        start = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(sandbox.run_code("sleep 20", language="bash"), 0.5)
        assert time.monotonic() - start < 3


async def test_pause_and_resume_keep_the_kernel_state():
    sb = await AsyncSandbox.create()
    try:
        await sb.run_code("x = 41")
        await sb.pause()
        assert (await sb.get_info()).status == "paused"
        with pytest.raises(AgentError) as info:
            await sb.run_code("print(x)")
        assert info.value.code == "SANDBOX_PAUSED"
        await sb.resume()
        assert (await sb.run_code("print(x + 1)")).stdout == "42\n"
    finally:
        await sb.kill()

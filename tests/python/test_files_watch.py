"""``sandbox.files.watch``: a folder's changes as dicts, iterated with ``for`` or
``async for`` on either sandbox flavour, ended by ``close`` or ``with``."""

import asyncio
import threading

import pytest

from hopx_ai import AsyncSandbox, FileOperationError, FileWatch, Sandbox


@pytest.fixture(scope="module")
def sb():
    with Sandbox.create(template="base") as sandbox:
        yield sandbox


def events(watch, n):
    """The first ``n`` changes; a watch that stays silent is closed after a minute, so a
    missing event fails the test instead of hanging it."""
    got = []
    guard = threading.Timer(60, watch.close)
    guard.start()
    try:
        for change in watch:
            assert change["type"] == "change" and change["timestamp"]
            got.append((change["event"], change["path"]))
            if len(got) == n:
                return got
    finally:
        guard.cancel()
    raise AssertionError(f"the watch ended after {got}")


def test_sync_watch_sees_what_code_does(sb):
    sb.files.mkdir("/workspace/w1")
    with sb.files.watch("/workspace/w1") as watch:
        assert isinstance(watch, FileWatch)
        # The watch is in place once watch() returned: nothing done after it is missed.
        sb.run_code("echo 1 > /workspace/w1/a.txt; rm /workspace/w1/a.txt", language="bash")
        assert events(watch, 3) == [
            ("created", "/workspace/w1/a.txt"),
            ("modified", "/workspace/w1/a.txt"),
            ("deleted", "/workspace/w1/a.txt"),
        ]
    assert watch.closed
    assert list(watch) == [], "a closed watch ends at once"


def test_writes_through_the_api_show_as_created_then_modified(sb):
    sb.files.mkdir("/workspace/w2")
    with sb.files.watch("/workspace/w2") as watch:
        sb.files.write("/workspace/w2/f.txt", "one")
        sb.files.write("/workspace/w2/f.txt", "two")
        got = events(watch, 3)
    # New: created (and written); replaced: one modification, no draft names.
    assert got[0] == ("created", "/workspace/w2/f.txt")
    assert all(path == "/workspace/w2/f.txt" for _, path in got)
    assert got[-1][0] == "modified"


def test_the_watch_ends_when_the_folder_goes(sb):
    sb.files.mkdir("/workspace/w3")
    watch = sb.files.watch("/workspace/w3")
    sb.files.remove("/workspace/w3")
    guard = threading.Timer(60, watch.close)
    guard.start()
    assert list(watch) == []
    guard.cancel()
    assert not watch.closed, "the watch ended by itself, not by the one-minute guard"


def test_missing_folder_and_bad_arguments(sb):
    with pytest.raises(FileOperationError):
        sb.files.watch("/workspace/none")
    with pytest.raises(TypeError):
        sb.files.watch(42)


def test_official_style_async_for_on_the_blocking_sandbox(sb):
    sb.files.mkdir("/workspace/w4")
    watch = sb.files.watch("/workspace/w4")

    async def first():
        async for change in watch:
            return change
        return None

    sb.files.write("/workspace/w4/x", "x")
    change = asyncio.run(asyncio.wait_for(first(), 60))
    watch.close()
    assert change["path"] == "/workspace/w4/x" and change["event"] == "created"


@pytest.mark.asyncio
async def test_async_sandbox_await_then_async_for():
    async with AsyncSandbox.create(template="base") as sandbox:
        await sandbox.files.mkdir("/workspace/w")
        async with sandbox.files.watch("/workspace/w") as watch:
            await sandbox.files.write("/workspace/w/a", "1")

            async def next_change():
                async for change in watch:
                    return change

            change = await asyncio.wait_for(next_change(), 60)
            assert (change["event"], change["path"]) == ("created", "/workspace/w/a")
        assert watch.closed
        # Official style: `async for` straight on the call, which starts the watch.
        lazy = sandbox.files.watch("/workspace/w")
        assert "not started" in repr(lazy)
        with pytest.raises(TypeError):
            next(iter(lazy))

        async def first():
            async for change in lazy:
                return change

        task = asyncio.ensure_future(first())
        for i in range(200):
            await sandbox.files.write(f"/workspace/w/n{i}", "x")
            done, _ = await asyncio.wait({task}, timeout=0.05)
            if done:
                break
        change = await asyncio.wait_for(task, 30)
        assert change["path"].startswith("/workspace/w/n")
        lazy.close()

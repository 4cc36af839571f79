"""A process forked after hopx_ai was used (os.fork, multiprocessing's "fork" start method) has
a copy of the runtime but none of its threads: calls there must fail at once with a message
that says what to do, never hang, and the parent must go on working."""

import asyncio
import os
import select
import time

import pytest

from hopx_ai import AsyncSandbox, HopxError


def _in_child(fn, timeout=30.0):
    """Runs ``fn`` in a forked child; returns what it wrote (or raises if it hung)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running the parent's cleanups
        os.close(read)
        try:
            message = fn()
        except BaseException as e:  # noqa: B036 - anything at all must be reported
            message = f"{type(e).__name__}: {e}"
        os.write(write, message.encode()[:4000])
        os._exit(0)
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], timeout)
        if not ready:
            os.kill(pid, 9)
            pytest.fail(f"the forked child hung for {timeout} s")
        return os.read(read, 8192).decode()
    finally:
        os.close(read)
        os.waitpid(pid, 0)


def test_sync_call_in_a_forked_child_fails_fast_and_the_parent_goes_on(sandbox):
    assert sandbox.run_code("print(1)").stdout == "1\n"

    def child():
        try:
            sandbox.run_code("print(2)")
        except HopxError as e:
            return "HopxError: " + str(e)
        return "no error"

    started = time.monotonic()
    message = _in_child(child)
    assert message.startswith("HopxError: "), message
    assert "fork" in message and "spawn" in message, message
    assert time.monotonic() - started < 10
    assert sandbox.run_code("print(3)").stdout == "3\n"


def test_async_call_in_a_forked_child_fails_fast(sandbox):
    assert sandbox.run_code("print(1)").stdout == "1\n"

    def child():
        try:
            async def create():
                return await AsyncSandbox.create(template="base")

            asyncio.run(create())
        except HopxError as e:
            return "HopxError: " + str(e)
        return "no error"

    message = _in_child(child)
    assert message.startswith("HopxError: "), message

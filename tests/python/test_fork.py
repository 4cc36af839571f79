"""A process forked after hopx_ai was used (os.fork, multiprocessing's default "fork" start
method on Linux) inherits the runtime's memory but none of its threads, and the parent's
pooled connections. The child must get its own runtime and connections and just work, never
hang, and the parent must go on working alongside it."""

import asyncio
import multiprocessing
import os
import select

import pytest

from hopx_ai import AsyncSandbox, Sandbox


def _in_child(fn, timeout=60.0):
    """Runs ``fn`` in a forked child; returns what it returned (or fails if it hung)."""
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


def test_a_sandbox_of_the_parent_works_in_a_forked_child(sandbox):
    assert sandbox.run_code("print(1)").stdout == "1\n"
    sandbox.run_code("shared = 41")

    # The kernel is the parent's: the child sees (and changes) the same state.
    message = _in_child(lambda: sandbox.run_code("shared += 1; print(shared)").stdout)
    assert message == "42\n"
    assert sandbox.run_code("print(shared)").stdout == "42\n"


def test_a_forked_child_creates_and_kills_its_own_sandboxes(sandbox):
    assert sandbox.run_code("print(1)").stdout == "1\n"

    def child():
        with Sandbox.create(template="base") as own:
            sync = own.run_code("echo sync", language="bash").stdout

        async def run():
            async with await AsyncSandbox.create(template="base") as own:
                return (await own.run_code("echo async", language="bash")).stdout

        return sync + asyncio.run(run())

    assert _in_child(child) == "sync\nasync\n"
    assert sandbox.run_code("print(3)").stdout == "3\n"


def _square_in_a_sandbox(n):
    with Sandbox.create(template="base") as sb:
        return int(sb.run_code(f"echo $(({n} * {n}))", language="bash").stdout)


def test_a_fork_pool_of_workers_each_with_a_sandbox(sandbox):
    # The pattern people write: the parent used the SDK, then a Pool forks workers that use it.
    assert sandbox.run_code("print(1)").stdout == "1\n"
    with multiprocessing.get_context("fork").Pool(3) as pool:
        result = pool.map_async(_square_in_a_sandbox, range(6))
        assert result.get(timeout=120) == [0, 1, 4, 9, 16, 25]

"""Each method written once (``hopx_ai._define``): one definition made into a blocking method
and a coroutine, the native call's two forms picked by name, errors and callbacks reaching
the definition, and a resource built the way the module's docs say. Type-checked with
``mypy --strict`` too (``scripts/test_python.sh``), so the pattern is known to type-check."""

import asyncio
import inspect
from typing import Any, Callable, Dict, List, Optional

import pytest

from hopx_ai import AsyncSandbox, NotFoundError, Sandbox
from hopx_ai._define import Resource, awaiting, blocking, call, invoke

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # a coroutine never awaited


class FakeNative:
    """Stands in for a native object: ``x`` answers at once, ``x_async`` as an awaitable."""

    def __init__(self) -> None:
        self.log: List[str] = []

    def echo(self, value: str) -> str:
        self.log.append("echo")
        return f"blocking {value}"

    async def echo_async(self, value: str) -> str:
        self.log.append("echo_async")
        return f"awaited {value}"

    def fail(self) -> None:
        raise KeyError("native")

    async def fail_async(self) -> None:
        raise KeyError("native")


class Holder:
    __slots__ = ("native",)

    def __init__(self) -> None:
        self.native = FakeNative()


async def echo(
    self: Holder, value: str, *, times: int = 2, on_each: Optional[Callable[[str], object]] = None
) -> List[str]:
    """Echoes ``value`` ``times`` times, calling ``on_each`` with each answer."""
    out = []
    for _ in range(times):
        answer = await call(self.native.echo, value)
        if on_each is not None:
            await invoke(on_each, answer)
        out.append(answer)
    return out


async def fail(self: Holder, seen: List[str]) -> str:
    """Fails natively; the definition sees the error, then cleans up."""
    try:
        await call(self.native.fail)
    except KeyError as exc:
        seen.append(f"except {exc}")
        raise
    finally:
        seen.append("finally")
    return "unreachable"


class BlockingHolder(Holder):
    echo = blocking(echo)
    fail = blocking(fail)


class AwaitingHolder(Holder):
    echo = awaiting(echo)
    fail = awaiting(fail)


def test_blocking_makes_the_blocking_calls() -> None:
    holder = BlockingHolder()
    assert holder.echo("x", times=3) == ["blocking x"] * 3
    assert holder.native.log == ["echo"] * 3


def test_awaiting_awaits_the_async_twins() -> None:
    holder = AwaitingHolder()
    assert asyncio.run(holder.echo("x")) == ["awaited x"] * 2
    assert holder.native.log == ["echo_async"] * 2


def test_a_native_error_reaches_the_definition_in_both_flavours() -> None:
    seen: List[str] = []
    with pytest.raises(KeyError):
        BlockingHolder().fail(seen)
    assert seen == ["except 'native'", "finally"]
    seen.clear()
    with pytest.raises(KeyError):
        asyncio.run(AwaitingHolder().fail(seen))
    assert seen == ["except 'native'", "finally"]


def test_callbacks_plain_and_coroutine() -> None:
    events: List[str] = []
    BlockingHolder().echo("a", on_each=events.append)
    assert events == ["blocking a", "blocking a"]

    async def slow(answer: str) -> None:
        await asyncio.sleep(0.01)
        events.append(f"after sleep: {answer}")

    holder = AwaitingHolder()
    events.clear()
    asyncio.run(holder.echo("b", on_each=slow))
    # Each callback was awaited before the next native call was made.
    assert events == ["after sleep: awaited b"] * 2
    assert holder.native.log == ["echo_async"] * 2


def test_the_method_keeps_the_definition_s_name_signature_and_docstring() -> None:
    method = BlockingHolder.echo
    assert method.__name__ == "echo"
    assert method.__doc__ == echo.__doc__
    assert inspect.signature(method) == inspect.signature(echo)
    assert str(inspect.signature(BlockingHolder().echo)).startswith("(value: str, *, times")
    assert inspect.iscoroutinefunction(AwaitingHolder.echo)
    assert not inspect.iscoroutinefunction(BlockingHolder.echo)


# Every method both classes have, from one definition; run_code differs on purpose (the
# official async SDK also takes timeout_seconds=).
SHARED = [
    "create",
    "connect",
    "list",
    "get_info",
    "run_code_background",
    "list_processes",
    "kill_process",
    "set_timeout",
    "kill",
]


@pytest.mark.parametrize("name", SHARED)
def test_sandbox_and_async_sandbox_share_each_definition(name: str) -> None:
    sync, async_ = getattr(Sandbox, name), getattr(AsyncSandbox, name)
    assert sync.__wrapped__ is async_.__wrapped__
    assert inspect.signature(sync) == inspect.signature(async_)
    assert sync.__doc__ == async_.__doc__ and sync.__doc__
    assert sync.__qualname__ == f"Sandbox.{name}"
    assert async_.__qualname__ == f"AsyncSandbox.{name}"
    if name != "create":  # awaitable and an async context manager, not a coroutine
        assert inspect.iscoroutinefunction(async_)
    assert not inspect.iscoroutinefunction(sync)


def test_run_code_differs_only_by_the_async_timeout_spelling() -> None:
    sync = inspect.signature(Sandbox.run_code).parameters
    async_ = dict(inspect.signature(AsyncSandbox.run_code).parameters)
    assert async_.pop("timeout_seconds").default is None
    assert (sync["timeout"].default, async_.pop("timeout").default) == (120, None)
    assert [p for p in sync if p != "timeout"] == list(async_)


def test_async_create_checks_its_arguments_before_any_await() -> None:
    with pytest.raises(TypeError, match="template must be a str"):
        AsyncSandbox.create(template=3)  # type: ignore[arg-type]


# A resource as the `_define` docs describe it, over calls that exist today.
async def listing(self: Resource) -> List[Dict[str, Any]]:
    """The sandbox's background runs."""
    return await call(self._native.list_processes)


async def stop(self: Resource, process_id: str) -> Dict[str, Any]:
    """Stops a background run."""
    return await call(self._native.kill_process, process_id)


class Processes(Resource):
    __slots__ = ()
    listing = blocking(listing)
    stop = blocking(stop)


class AsyncProcesses(Resource):
    __slots__ = ()
    listing = awaiting(listing)
    stop = awaiting(stop)


def test_a_resource_in_both_flavours(sandbox: Sandbox) -> None:
    processes = Processes(sandbox._native)
    started = sandbox.run_code_background("sleep 60", language="bash")
    assert started["process_id"] in [p["process_id"] for p in processes.listing()]
    assert processes.stop(started["process_id"])["status"] == "killed"
    with pytest.raises(NotFoundError):
        processes.stop("proc_nope")

    async def go() -> List[Dict[str, Any]]:
        async_processes = AsyncProcesses(sandbox._native)
        with pytest.raises(NotFoundError):
            await async_processes.stop("proc_nope")
        return await async_processes.listing()

    assert started["process_id"] in [p["process_id"] for p in asyncio.run(go())]
    assert Processes.listing.__qualname__ == "Processes.listing"

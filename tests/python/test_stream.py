"""Live output and long runs (issue 9): run_code callbacks, run_code_stream, background runs.

Timing checks are loose on purpose (a busy 2-core CI machine): "while the code runs" means
well before the run ends, not a fixed latency; the bench measures the latency itself.
"""

import re
import threading
import time

import pytest

from hopx_ai import (
    ExecutionError,
    ExecutionResult,
    NetworkError,
    NotFoundError,
    RichOutput,
    Sandbox,
    TimeoutError,
    ValidationError,
)

# A line every 100 ms for 2 s.
TICKS = (
    "import time\nfor i in range(20):\n    print(f'line {i}', flush=True)\n    time.sleep(0.1)\n"
)
LINES = [f"line {i}\n" for i in range(20)]

INTERLEAVED = """import sys, time
for i in range(10):
    print(f'out {i}', flush=True)
    print(f'err {i}', file=sys.stderr, flush=True)
    time.sleep(0.02)
"""

PLOT = """import time
import matplotlib.pyplot as plt
plt.plot([1, 2, 3])
plt.show()
time.sleep(1.5)
print('after')
"""


def test_callbacks_fire_while_the_code_runs_in_order(sandbox):
    sandbox.run_code("pass")  # a warm kernel: time the run, not the sandbox's first start
    started = time.monotonic()
    seen = []

    def on_stdout(text):
        seen.append((time.monotonic() - started, text))

    result = sandbox.run_code(TICKS, on_stdout=on_stdout)
    total = time.monotonic() - started
    first = seen[0][0]
    print(f"first callback after {first * 1000:.0f} ms of a {total * 1000:.0f} ms run")
    assert first < 1.0 and first < total / 2, (first, total)
    assert "".join(text for _, text in seen) == "".join(LINES)
    assert result.stdout == "".join(LINES) and result.success


def test_interleaved_stdout_and_stderr_keep_their_order_per_stream(sandbox):
    events = []
    result = sandbox.run_code(
        INTERLEAVED,
        on_stdout=lambda t: events.append(("out", t)),
        on_stderr=lambda t: events.append(("err", t)),
    )
    out = "".join(t for k, t in events if k == "out")
    err = "".join(t for k, t in events if k == "err")
    assert out == "".join(f"out {i}\n" for i in range(10))
    assert err == "".join(f"err {i}\n" for i in range(10))
    assert (result.stdout, result.stderr) == (out, err)


def test_a_plot_shown_mid_run_arrives_as_a_rich_result(sandbox):
    started = time.monotonic()
    shown = []
    result = sandbox.run_code(PLOT, on_result=lambda o: shown.append((time.monotonic(), o)))
    total = time.monotonic() - started
    assert len(shown) == 1
    at, output = shown[0]
    assert isinstance(output, RichOutput) and output.type == "image/png"
    assert output.data["image/png"]
    assert at - started + 0.5 < total, "the plot arrives while the code still sleeps"
    assert result.stdout == "after\n" and result.rich_outputs == [output]


def test_a_timeout_delivers_the_output_so_far_then_the_error(fresh_sandbox):
    events = []
    code = "import time\nprint('one', flush=True)\ntime.sleep(30)\nprint('never')"
    with pytest.raises(TimeoutError) as info:
        fresh_sandbox.run_code(
            code,
            timeout=2,
            on_stdout=lambda t: events.append(t),
            on_error=lambda e: events.append(e),
        )
    # Chunks need not be lines (print may write "one" and "\n" apart): all text, then the error.
    assert "".join(events[:-1]) == "one\n"
    assert events[-1] is info.value
    assert info.value.stdout == "one\n"
    # The sandbox survives the timeout.
    assert fresh_sandbox.run_code("print('still here')").stdout == "still here\n"


def test_the_code_raising_goes_to_on_error_and_the_result(sandbox):
    errors = []
    result = sandbox.run_code("raise ValueError('boom')", on_error=errors.append)
    assert not result.success and result.error.name == "ValueError"
    assert len(errors) == 1 and isinstance(errors[0], ExecutionError)


def test_callbacks_and_plain_path_give_equal_results(sandbox):
    code = "import sys\nprint('a')\nprint('b', file=sys.stderr)\nprint('c')\n"
    plain = sandbox.run_code(code)
    live = sandbox.run_code(code, on_stdout=lambda t: None)
    fields = ("stdout", "stderr", "exit_code", "success", "rich_outputs", "error")
    assert [getattr(live, f) for f in fields] == [getattr(plain, f) for f in fields]
    assert isinstance(live, ExecutionResult)
    # A raising cell: the same error; the traceback differs only in the cell number.
    code = "print('x')\nraise ValueError('boom')"
    plain, live = sandbox.run_code(code), sandbox.run_code(code, on_stdout=lambda _: None)
    cell = re.compile(r"Cell In\[\d+\]")
    assert (live.stdout, live.exit_code, live.success) == (plain.stdout, plain.exit_code, False)
    assert cell.sub("", live.stderr) == cell.sub("", plain.stderr)
    assert (live.error.name, live.error.value) == (plain.error.name, plain.error.value)
    bash = dict(language="bash")
    assert sandbox.run_code("echo x; exit 3", **bash).exit_code == 3
    assert sandbox.run_code("echo x; exit 3", on_stdout=lambda _: None, **bash).exit_code == 3


def test_callbacks_run_on_the_calling_thread(sandbox):
    threads = set()
    record = lambda _: threads.add(threading.get_ident())  # noqa: E731
    sandbox.run_code(
        "import sys\nprint(1)\nprint(2, file=sys.stderr)\n", on_stdout=record, on_stderr=record
    )
    assert threads == {threading.get_ident()}

    # And on another thread, that thread.
    seen = {}

    def worker():
        sandbox.run_code(
            "print(1)", on_stdout=lambda _: seen.setdefault("cb", threading.get_ident())
        )
        seen["worker"] = threading.get_ident()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen["cb"] == seen["worker"] != threading.get_ident()


def test_an_exception_in_a_callback_stops_the_run_and_propagates(sandbox):
    def boom(_):
        raise KeyError("mine")

    with pytest.raises(KeyError):
        sandbox.run_code(TICKS, on_stdout=boom)
    assert sandbox.run_code("print('ok')").stdout == "ok\n"


def test_run_code_stream_yields_the_messages_in_order(sandbox):
    started = time.monotonic()
    first = None
    messages = []
    for msg in sandbox.run_code_stream(TICKS):
        if first is None:
            first = time.monotonic() - started
        messages.append(msg)
    total = time.monotonic() - started
    assert first < total / 2, (first, total)
    assert "".join(m["data"] for m in messages if m["type"] == "stdout") == "".join(LINES)
    assert messages[-1] == {"type": "complete", "success": True}
    assert [m["type"] for m in messages[-2:]] == ["result", "complete"]
    assert messages[-2]["exit_code"] == 0


def test_run_code_stream_is_an_async_iterator_on_the_sync_class(sandbox):
    import asyncio

    async def read():
        out = []
        async for msg in sandbox.run_code_stream("print('hi')", timeout=30):
            out.append(msg)
        return out

    messages = asyncio.run(read())
    assert "".join(m["data"] for m in messages if m["type"] == "stdout") == "hi\n"
    assert messages[-1]["type"] == "complete"


def test_a_stream_that_times_out_ends_with_the_error_message(fresh_sandbox):
    stream = fresh_sandbox.run_code_stream("echo one; sleep 30", language="bash", timeout=1)
    messages = list(stream)
    assert messages[0]["type"] == "stdout" and messages[0]["data"] == "one\n"
    assert [m["type"] for m in messages[-2:]] == ["error", "complete"]
    assert messages[-2]["code"] == "EXECUTION_TIMEOUT"
    with pytest.raises(TimeoutError) as info:
        stream.result()
    assert info.value.stdout == "one\n"


def test_breaking_out_early_leaves_the_sandbox_usable(fresh_sandbox):
    stream = fresh_sandbox.run_code_stream(TICKS)
    for msg in stream:
        if msg["type"] == "stdout":
            break
    stream.close()
    assert fresh_sandbox.run_code("print('next')").stdout == "next\n"
    # Dropping the iterator without close() does the same.
    for _msg in fresh_sandbox.run_code_stream(TICKS):
        break
    assert fresh_sandbox.run_code("print('again')").stdout == "again\n"
    assert fresh_sandbox.run_code("print('x')", on_stdout=lambda _: None).stdout == "x\n"


def test_a_closed_stream_has_no_result_but_a_network_error(fresh_sandbox):
    # The same class as in Node: the core decides it.
    stream = fresh_sandbox.run_code_stream(TICKS)
    next(stream)
    stream.close()
    with pytest.raises(NetworkError, match="closed before the run completed"):
        stream.result()


def test_close_from_another_thread_ends_a_read_in_flight(fresh_sandbox):
    stream = fresh_sandbox.run_code_stream("echo a; sleep 30", language="bash")
    got = []
    reader = threading.Thread(target=lambda: got.extend(stream))
    reader.start()
    deadline = time.monotonic() + 10
    while not got:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    started = time.monotonic()
    stream.close()
    reader.join(5)
    assert not reader.is_alive() and time.monotonic() - started < 5
    assert [m["data"] for m in got] == ["a\n"]
    assert fresh_sandbox.run_code("print('ok')").stdout == "ok\n"


def test_stream_and_background_arguments_are_checked_before_any_request(sandbox):
    with pytest.raises(TypeError):
        sandbox.run_code_stream(42)
    with pytest.raises(ValidationError):
        sandbox.run_code_stream("1", timeout=0)
    with pytest.raises(TypeError):
        sandbox.run_code("1", on_stdout="not callable")
    with pytest.raises(TypeError):
        sandbox.run_code_background("1", name=3)
    with pytest.raises(TypeError):
        sandbox.kill_process(None)


def _status(processes, pid):
    return next((p for p in processes if p["process_id"] == pid), None)


def test_background_runs_are_listed_finished_and_killed(fresh_sandbox):
    sb = fresh_sandbox
    quick = sb.run_code_background("import time\ntime.sleep(0.5)\nprint('bg done')", name="quick")
    slow = sb.run_code_background("sleep 600", language="bash")
    assert quick["status"] == "running" and quick["process_id"]
    assert _status(sb.list_processes(), quick["process_id"])["status"] == "running"
    deadline = time.monotonic() + 20
    while True:
        proc = _status(sb.list_processes(), quick["process_id"])
        if proc["status"] == "completed":
            break
        assert time.monotonic() < deadline, proc
        time.sleep(0.1)
    assert (proc["stdout"], proc["exit_code"], proc["name"]) == ("bg done\n", 0, "quick")
    assert sb.kill_process(slow["process_id"])["status"] == "killed"
    deadline = time.monotonic() + 10
    while _status(sb.list_processes(), slow["process_id"])["status"] != "killed":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    with pytest.raises(NotFoundError):
        sb.kill_process("proc_nope")
    assert sb.run_code("print('fg')").stdout == "fg\n"


def test_the_official_names_and_defaults():
    import inspect

    from hopx_ai import AsyncSandbox

    for cls in (Sandbox, AsyncSandbox):
        for name in ("run_code_stream", "run_code_background", "list_processes", "kill_process"):
            assert getattr(cls, name).__doc__, (cls, name)
        stream = inspect.signature(cls.run_code_stream).parameters
        assert (
            stream["language"].default,
            stream["timeout"].default,
            stream["env"].default,
            stream["working_dir"].default,
        ) == ("python", 60, None, "/workspace")
        bg = inspect.signature(cls.run_code_background).parameters
        assert (bg["language"].default, bg["timeout"].default, bg["name"].default) == (
            "python",
            300,
            None,
        )
        run = inspect.signature(cls.run_code).parameters
        assert all(run[f"on_{k}"].default is None for k in ("stdout", "stderr", "result", "error"))


def test_a_process_that_streamed_exits_cleanly():
    # Many awaited messages right before exit once aborted the interpreter at finalization
    # (a runtime thread still handing a result to asyncio); the atexit drain prevents that.
    import subprocess
    import sys

    code = (
        "import asyncio\n"
        "from hopx_ai import AsyncSandbox\n"
        "async def main():\n"
        "    async with AsyncSandbox.create() as sb:\n"
        "        for _ in range(30):\n"
        "            await sb.run_code('print(1)', on_stdout=lambda _: None)\n"
        "asyncio.run(main())\n"
    )
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]

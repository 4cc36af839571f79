"""``sandbox.commands.run`` on Sandbox and AsyncSandbox, against the embedded engine: shell
features, exit codes as results, env and working_dir with the sandbox-wide variables under
them, a timeout that stops a command with its children and keeps the output so far,
background commands known to list_processes and kill_process, and bad arguments."""

import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import hopx_ai
from hopx_ai import (
    AsyncCommands,
    AsyncSandbox,
    CommandResult,
    Commands,
    NotFoundError,
    Sandbox,
    TimeoutError,
    ValidationError,
)


@pytest.fixture(scope="module")
def sb():
    with Sandbox.create(template="base") as sandbox:
        yield sandbox


def finished(sb, process_id, limit=60):
    """The background process ``process_id`` once it is no longer running."""
    deadline = time.monotonic() + limit
    while True:
        proc = next(p for p in sb.list_processes() if p["process_id"] == process_id)
        if proc["status"] not in ("running", "queued"):
            return proc
        assert time.monotonic() < deadline, proc
        time.sleep(0.05)


def host_processes_with(marker):
    """Host pids whose command line holds ``marker``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def test_resource_is_made_once_per_handle(sb):
    assert isinstance(sb.commands, Commands) and sb.commands is sb.commands
    assert hopx_ai.CommandResult is CommandResult
    assert Commands.run.__qualname__ == "Commands.run"


def test_a_command_line_runs_through_bash(sb):
    r = sb.commands.run(
        "echo hello | tr a-z A-Z && printf 'x y' > /workspace/c.txt; cat /workspace/c.txt"
    )
    assert isinstance(r, CommandResult)
    assert (r.stdout, r.stderr, r.exit_code, r.success, r.is_success) == (
        "HELLO\nx y",
        "",
        0,
        True,
        True,
    )
    assert r.execution_time > 0 and r.timestamp and r.process_id is None
    assert "tr a-z A-Z" in r.command
    # It runs as the sandbox's user, in the sandbox's own view.
    assert sb.commands.run("id -un; pwd; ls /workspace").stdout.split("\n")[1:3] == [
        "/workspace",
        "c.txt",
    ]


def test_a_failing_command_is_a_result(sb):
    r = sb.commands.run("echo out; echo err >&2; exit 3")
    assert (r.stdout, r.stderr, r.exit_code, r.success, r.is_success) == (
        "out\n",
        "err\n",
        3,
        False,
        False,
    )
    assert sb.commands.run("no-such-program-here").exit_code == 127


def test_env_and_working_dir_over_the_sandbox_wide_variables(sb):
    sb.env.set_all({"G": "global", "BOTH": "global"})
    try:
        r = sb.commands.run('echo "$G $BOTH"; pwd', env={"BOTH": "mine"}, working_dir="/tmp")
        assert r.stdout == "global mine\n/tmp\n"
        assert sb.commands.run('echo "$BOTH"').stdout == "global\n", "a command's env does not stay"
    finally:
        sb.env.set_all({})


def test_a_timeout_stops_the_command_and_its_children_and_keeps_the_output(sb):
    marker = f"hopx-cmd-{time.monotonic_ns()}"
    line = f"echo started; (exec -a {marker} sleep 600) & sleep 600"
    start = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(sb.commands.run, line, timeout=3)
        # The child in the background really runs (as seen from the host)...
        while not host_processes_with(marker):
            assert time.monotonic() - start < 3, "the command's child never started"
            time.sleep(0.02)
        with pytest.raises(TimeoutError) as info:
            running.result()
    assert time.monotonic() - start < 3 + 10
    assert "started" in (info.value.stdout or "")
    # ... and nothing of the command is left once it timed out.
    deadline = time.monotonic() + 10
    while host_processes_with(marker):
        assert time.monotonic() < deadline, host_processes_with(marker)
        time.sleep(0.05)
    assert sb.commands.run("echo still here").stdout == "still here\n"


def test_background_commands_are_processes(sb):
    quick = sb.commands.run("sleep 0.2; echo done in the background", background=True)
    assert isinstance(quick, CommandResult) and quick.process_id
    assert quick.stdout == f"Background process started: {quick.process_id}"
    proc = finished(sb, quick.process_id)
    assert (proc["status"], proc["stdout"], proc["exit_code"]) == (
        "completed",
        "done in the background\n",
        0,
    )
    slow = sb.commands.run("sleep 600", background=True, timeout=3600)
    assert sb.kill_process(slow.process_id)["status"] == "killed"
    assert finished(sb, slow.process_id)["status"] == "killed"


def test_output_reaches_the_callbacks_while_the_command_runs(sb):
    # The command waits for a file that only the on_stdout callback creates: had the output
    # come at the end, the command would run into its timeout.
    if sb.files.exists("/tmp/go"):
        sb.files.remove("/tmp/go")
    line = "echo ready; echo warn >&2; until [ -f /tmp/go ]; do sleep 0.02; done; echo done"
    out, err = [], []

    def on_stdout(text):
        out.append(text)
        if text.startswith("ready"):
            sb.files.write("/tmp/go", "")

    r = sb.commands.run(line, timeout=20, on_stdout=on_stdout, on_stderr=err.append)
    assert isinstance(r, CommandResult)
    assert ("".join(out), "".join(err)) == ("ready\ndone\n", "warn\n")
    assert (r.stdout, r.stderr, r.exit_code, r.success, r.command) == (
        "ready\ndone\n",
        "warn\n",
        0,
        True,
        line,
    )
    failed = sb.commands.run("echo x; exit 4", on_stdout=out.append)
    assert (failed.exit_code, failed.success) == (4, False)
    with pytest.raises(TimeoutError) as info:
        sb.commands.run("echo partial; sleep 30", timeout=1, on_stdout=out.append)
    assert info.value.stdout == "partial\n"
    with pytest.raises(TypeError, match="background"):
        sb.commands.run("true", background=True, on_stdout=print)
    with pytest.raises(TypeError, match="on_stderr"):
        sb.commands.run("true", on_stderr="print")
    # Checked as a command by the core, with or without callbacks.
    with pytest.raises(ValidationError, match="command"):
        sb.commands.run("  ", on_stdout=print)


def test_pip_install_then_import_as_in_the_cloud():
    """An agent's usual step: ``pip install`` with a command, then import it in the next
    cell of the running kernel (the package comes from the registry, over the sandbox's own
    network; the host's Python does not have it)."""
    with Sandbox.create() as sandbox:
        assert sandbox.get_info().internet_access is True
        result = sandbox.commands.run("pip install -q tomli-w==1.0.0", timeout=120)
        assert result.exit_code == 0, result.stderr
        run = sandbox.run_code("import tomli_w\nprint(tomli_w.dumps({'pip': 'works'}))")
        assert run.error is None, run.stderr
        assert run.stdout.strip() == 'pip = "works"'


def test_bad_arguments_fail_before_any_request(sb):
    with pytest.raises(TypeError, match="command"):
        sb.commands.run(["ls"])
    with pytest.raises(ValidationError, match="command"):
        sb.commands.run("   ")
    with pytest.raises(ValidationError, match="timeout"):
        sb.commands.run("ls", timeout=0)
    with pytest.raises(ValidationError, match="between 1 and 300"):
        sb.commands.run("ls", timeout=301)
    with pytest.raises(TypeError, match="not both"):
        sb.commands.run("ls", timeout=5, timeout_seconds=5)
    with pytest.raises(TypeError, match="env"):
        sb.commands.run("ls", env={"A": 1})
    with pytest.raises(ValidationError, match="environment variable name"):
        sb.commands.run("ls", env={"A=B": "1"})
    with pytest.raises(TypeError, match="background"):
        sb.commands.run("ls", background="yes")
    with pytest.raises(hopx_ai.HopxError, match="workdir"):
        sb.commands.run("ls", working_dir="/etc")


def test_async_flavour_with_the_official_spelling():
    async def main():
        async with AsyncSandbox.create(template="base") as sandbox:
            assert isinstance(sandbox.commands, AsyncCommands)
            both = await asyncio.gather(
                sandbox.commands.run("echo one", timeout_seconds=30),
                sandbox.commands.run("echo two; exit 1"),
            )
            assert [(r.stdout, r.exit_code) for r in both] == [("one\n", 0), ("two\n", 1)]
            started = await sandbox.commands.run("echo bg", background=True)
            assert started.process_id
            seen = []

            async def collect(text):
                await asyncio.sleep(0)
                seen.append(text)

            r = await sandbox.commands.run("echo live", on_stdout=collect)
            assert (seen, r.stdout) == (["live\n"], "live\n")

    asyncio.run(main())


def test_a_killed_sandbox_raises():
    sandbox = Sandbox.create(template="base")
    sandbox.kill()
    with pytest.raises(NotFoundError):
        sandbox.commands.run("true")

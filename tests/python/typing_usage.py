"""The public API as a user writes it, for the type checker: ``mypy --strict`` on this file
(``scripts/test_python.sh``) fails when an annotation of ``hopx_ai`` is wrong or missing.

``assert_type`` fails when a type is not exactly the one written; the ``type: ignore[...]``
lines are misuses that must stay errors (``--strict`` reports an ignore that is not needed).
Not collected by pytest; ``python typing_usage.py`` runs it against the local engine.
"""

import asyncio
import datetime
import pathlib
import tempfile
from typing import Any, Coroutine, Dict, List, Optional, Sequence, Union

from typing_extensions import assert_type

import hopx_ai
from hopx_ai import (
    AsyncCommands,
    AsyncEnv,
    AsyncFiles,
    AsyncSandbox,
    CommandResult,
    Commands,
    Env,
    ExecutionError,
    ExecutionResult,
    ExpiryInfo,
    FileInfo,
    Files,
    FileWatch,
    HopxError,
    MessageStream,
    Resources,
    RichOutput,
    Sandbox,
    SandboxInfo,
    Template,
    TemplateNotFoundError,
    TemplateResources,
    Terminal,
    TerminalConnection,
)


def blocking_api() -> None:
    with Sandbox.create(template="code-interpreter", timeout_seconds=600) as sandbox:
        assert_type(sandbox, Sandbox)
        assert_type(sandbox.sandbox_id, str)

        result = sandbox.run_code(
            "print(1)", language="python", timeout=30, env={"A": "1"}, working_dir="/tmp"
        )
        assert_type(result, ExecutionResult)
        assert_type(result.stdout, str)
        assert_type(result.exit_code, int)
        assert_type(result.success, bool)
        assert_type(result.execution_time, float)
        assert_type(result.rich_outputs, List[RichOutput])
        assert_type(result.error, Optional[ExecutionError])
        assert_type(result.png, Optional[str])
        for output in result.rich_outputs:
            assert_type(output.type, str)
            assert_type(output.data, Dict[str, Any])

        chunks: List[str] = []

        def on_error(error: Union[ExecutionError, HopxError]) -> None:
            print(error)

        live = sandbox.run_code(
            "print(2)",
            on_stdout=chunks.append,
            on_stderr=print,
            on_result=lambda output: print(output.type),
            on_error=on_error,
        )
        assert_type(live, ExecutionResult)

        stream = sandbox.run_code_stream("print(3)", timeout=30)
        assert_type(stream, MessageStream)
        for msg in stream:
            assert_type(msg, Dict[str, Any])
        assert_type(stream.result(), ExecutionResult)

        started = sandbox.run_code_background("import time; time.sleep(1)", name="job")
        assert_type(started, Dict[str, Any])
        assert_type(sandbox.list_processes(), List[Dict[str, Any]])
        assert_type(sandbox.kill_process(started["process_id"]), Dict[str, Any])

        info = sandbox.get_info()
        assert_type(info, SandboxInfo)
        assert_type(info.status, str)
        assert_type(info.end_at, Optional[datetime.datetime])
        assert_type(info.created_at, Optional[datetime.datetime])
        assert_type(info.started_at, Optional[datetime.datetime])
        assert_type(info.resources, Optional[Resources])
        assert_type(sandbox.set_timeout(600), None)
        assert_type(sandbox.pause(), None)
        assert_type(sandbox.resume(), None)
        assert_type(sandbox.is_healthy(), bool)
        assert_type(sandbox.ensure_healthy(), None)
        assert_type(sandbox.get_agent_info(), Dict[str, Any])
        assert_type(sandbox.get_agent_metrics(), Dict[str, Any])
        assert_type(sandbox.get_metrics_snapshot(), Dict[str, Any])
        hook = sandbox.run_code_async("x", "http://h/", callback_signature_secret="s")
        assert_type(hook, Dict[str, Any])
        assert_type(sandbox.run_code("1", preflight=True), ExecutionResult)
        assert_type(sandbox.get_preview_url(8080), str)
        assert_type(sandbox.cache.stats(), Dict[str, Any])
        assert_type(Sandbox.debug("http://127.0.0.1:1", "tok"), Sandbox)
        assert_type(sandbox.list_system_processes(), List[Dict[str, Any]])
        assert_type(sandbox.get_jupyter_sessions(), List[Dict[str, Any]])
        expiry = sandbox.get_expiry_info(expiring_soon_threshold=60)
        assert_type(expiry, ExpiryInfo)
        assert_type(expiry.expires_at, Optional[datetime.datetime])
        assert_type(sandbox.get_time_to_expiry(), Optional[int])
        assert_type(sandbox.is_expiring_soon(threshold_seconds=60), bool)
        assert_type(sandbox.agent_url, str)
        assert_type(sandbox.refresh_token(), None)
        templates = Sandbox.list_templates(category="development", language="python")
        assert_type(templates, List[Template])
        assert_type(Sandbox.get_template("base").default_resources, Optional[TemplateResources])
        assert_type(Sandbox.delete_template("mine"), Dict[str, Any])
        assert_type(Sandbox.health_check(), Dict[str, Any])
        for each in Sandbox.iter(status="running"):
            assert_type(each, Sandbox)
        assert_type(sandbox.get_token(), str)

        files = sandbox.files
        assert_type(files, Files)
        assert_type(files.write("/workspace/a.txt", "text", mode="0600", timeout=5), None)
        assert_type(files.write(pathlib.Path("/workspace/b.bin"), b"\x00\xff"), None)
        assert_type(files.write_bytes("/workspace/c.bin", bytearray(b"x"), "0644"), None)
        assert_type(files.write_bytes("/workspace/c.bin", memoryview(b"x")), None)
        assert_type(files.read("/workspace/a.txt"), str)
        assert_type(files.read_bytes(pathlib.PurePosixPath("/workspace/b.bin"), 2.5), bytes)
        listing = files.list()
        assert_type(listing, List[FileInfo])
        for entry in files.list("/workspace", timeout=10):
            assert_type(entry.name, str)
            assert_type(entry.path, str)
            assert_type(entry.size, int)
            assert_type(entry.is_directory, bool)
            assert_type(entry.modified_time, Optional[datetime.datetime])
            assert_type(entry.permissions, str)
            assert_type(entry.is_file, bool)
            assert_type(entry.is_dir, bool)
            assert_type(entry.size_kb, float)
            assert_type(entry.size_mb, float)
        assert_type(files.exists("/workspace/a.txt"), bool)
        assert_type(files.mkdir("/workspace/d/e"), None)
        assert_type(files.remove("/workspace/d"), None)
        with files.watch("/workspace", timeout=5) as watch:
            assert_type(watch, FileWatch)
            for change in watch:
                assert_type(change, Dict[str, Any])
                break

        def progress(done: int, total: Optional[int]) -> None:
            print(done, total)

        with tempfile.TemporaryDirectory() as tmp:
            local = pathlib.Path(tmp, "a.txt")
            assert_type(files.download("/workspace/a.txt", local, on_progress=progress), None)
            assert_type(files.upload(local, "/workspace/a2.txt", 30, progress), None)

        assert_type(sandbox.terminal, Terminal)

        async def shell() -> None:
            async with await sandbox.terminal.connect(timeout=10, cols=100, rows=30) as ws:
                assert_type(ws, TerminalConnection)
                await sandbox.terminal.send_input(ws, "ls\n")
                await sandbox.terminal.resize(ws, 120, 40)
                async for message in sandbox.terminal.iter_output(ws):
                    assert_type(message, Dict[str, Any])
                    break

        commands = sandbox.commands
        assert_type(commands, Commands)
        done = commands.run("ls -l", timeout=30, env={"A": "1"}, working_dir="/tmp")
        assert_type(done, CommandResult)
        assert_type(done.stdout, str)
        assert_type(done.exit_code, int)
        assert_type(done.success, bool)
        assert_type(done.is_success, bool)
        assert_type(done.execution_time, float)
        assert_type(done.process_id, Optional[str])
        assert_type(commands.run("sleep 9", background=True).process_id, Optional[str])

        env = sandbox.env
        assert_type(env, Env)
        assert_type(env.get_all(), Dict[str, str])
        assert_type(env.get_all(timeout=5), Dict[str, str])
        assert_type(env.get("A"), Optional[str])
        assert_type(env.get("A", "fallback"), Optional[str])
        assert_type(env.set("A", "1"), Dict[str, str])
        assert_type(env.set_all({"A": "1"}, timeout=5), Dict[str, str])
        assert_type(env.update({"B": "2"}), Dict[str, str])
        assert_type(env.delete("A"), None)

        assert_type(Sandbox.connect(sandbox.sandbox_id), Sandbox)
        assert_type(Sandbox.list(limit=10), List[Sandbox])
        assert_type(sandbox.kill(), None)


async def async_api() -> None:
    async with AsyncSandbox.create(template="code-interpreter") as sandbox:
        assert_type(sandbox, AsyncSandbox)
        result = await sandbox.run_code("print(1)", timeout_seconds=30)
        assert_type(result, ExecutionResult)

        async def on_stdout(text: str) -> None:
            await asyncio.sleep(0)

        assert_type(await sandbox.run_code("print(2)", on_stdout=on_stdout), ExecutionResult)
        async for msg in sandbox.run_code_stream("print(3)"):
            assert_type(msg, Dict[str, Any])
        started = await sandbox.files.watch("/workspace")
        assert_type(started, FileWatch)
        async for change in started:
            assert_type(change, Dict[str, Any])
            break
        started.close()

        # Not awaited: only its type is looked at, then it is dropped unstarted.
        pending = sandbox.kill_process("proc_nope")
        assert_type(pending, Coroutine[Any, Any, Dict[str, Any]]).close()
        assert_type(await sandbox.list_processes(), List[Dict[str, Any]])
        assert_type(await sandbox.get_info(), SandboxInfo)

        assert_type(sandbox.files, AsyncFiles)
        assert_type(await sandbox.files.write("/workspace/a.txt", "text"), None)
        assert_type(await sandbox.files.read("/workspace/a.txt", timeout=5), str)
        assert_type(await sandbox.files.read_bytes("/workspace/a.txt"), bytes)
        assert_type(await sandbox.files.list(), List[FileInfo])
        assert_type(await sandbox.files.exists(pathlib.Path("/workspace")), bool)
        reading = sandbox.files.read("/workspace/a.txt")
        assert_type(reading, Coroutine[Any, Any, str]).close()
        assert_type(sandbox.commands, AsyncCommands)
        ran = await sandbox.commands.run("ls", timeout_seconds=30)
        assert_type(ran, CommandResult)
        assert_type(sandbox.env, AsyncEnv)
        assert_type(await sandbox.env.get_all(), Dict[str, str])
        assert_type(await sandbox.get_preview_url(), str)
        assert_type(await sandbox.cache.clear(), Dict[str, Any])
        assert_type(await sandbox.run_code_async("x", "http://h/"), Dict[str, Any])
        assert_type(await AsyncSandbox.debug("http://127.0.0.1:1", "tok"), AsyncSandbox)
        assert_type(await sandbox.env.get("A"), Optional[str])
        assert_type(await sandbox.env.update({"A": "1"}, timeout=3), Dict[str, str])
        assert_type(await sandbox.env.delete("A"), None)

        assert_type(await AsyncSandbox.connect(sandbox.sandbox_id), AsyncSandbox)
        assert_type(await AsyncSandbox.list(), List[AsyncSandbox])
        assert_type(await sandbox.pause(), None)
        assert_type(await sandbox.resume(), None)
        assert_type(await sandbox.is_healthy(), bool)
        assert_type(await sandbox.agent_url, str)
        assert_type(await sandbox.get_expiry_info(), ExpiryInfo)
        assert_type(await sandbox.get_time_to_expiry(), Optional[int])
        assert_type(await sandbox.list_system_processes(), List[Dict[str, Any]])
        assert_type(await AsyncSandbox.list_templates(), List[Template])
        assert_type(await AsyncSandbox.health_check(), Dict[str, Any])
        async for each in AsyncSandbox.iter():
            assert_type(each, AsyncSandbox)

    other = await AsyncSandbox.create()
    assert_type(other, AsyncSandbox)
    async with other:
        pass


def print_one(done: int) -> None:
    print(done)


def misuses(sandbox: Sandbox, async_sandbox: AsyncSandbox) -> None:
    """Never run: each line must stay a type error."""
    sandbox.run_code(42)  # type: ignore[arg-type]
    sandbox.run_code("1", "python")  # type: ignore[call-arg]
    sandbox.run_code("1", timeout_seconds=5)  # type: ignore[call-arg]
    sandbox.run_code("1", on_stdout=lambda n: n + 1)  # type: ignore[operator]
    sandbox.kill_process(None)  # type: ignore[arg-type]
    Sandbox.create(templat="base")  # type: ignore[call-arg]
    async_sandbox.run_code("1")  # type: ignore[unused-coroutine]
    AsyncSandbox.create(template=3)  # type: ignore[arg-type]
    sandbox.files.read(b"/workspace/a")  # type: ignore[arg-type]
    sandbox.commands.run(["ls"])  # type: ignore[arg-type]
    sandbox.commands.run("ls", 30)  # type: ignore[call-arg]
    sandbox.env.set_all({"A": 1})  # type: ignore[dict-item]
    sandbox.env.set("A", "1", 5)  # type: ignore[call-arg]
    sandbox.files.write("/workspace/a", 42)  # type: ignore[arg-type]
    sandbox.files.write_bytes("/workspace/a", "text")  # type: ignore[arg-type]
    sandbox.files.upload("a", "/workspace/a", on_progress=print_one)  # type: ignore[arg-type]
    sandbox.files.delete("/workspace/a")  # type: ignore[attr-defined]
    async_sandbox.files.mkdir("/workspace/d")  # type: ignore[unused-coroutine]


def errors() -> None:
    try:
        Sandbox.create(template="code-interpretr")
    except TemplateNotFoundError as err:
        assert_type(err.suggested_template, Optional[str])
        assert_type(err.available_templates, Sequence[str])
    except hopx_ai.TimeoutError as err:
        assert_type(err.stdout, Optional[str])
    except HopxError as err:
        assert_type(err.message, str)
        assert_type(err.code, Optional[str])
        assert_type(err.status_code, Optional[int])
        assert_type(err.details, Dict[str, Any])


if __name__ == "__main__":
    blocking_api()
    asyncio.run(async_api())
    errors()

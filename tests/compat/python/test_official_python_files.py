"""The official `hopx-ai` Python SDK's `sandbox.files` against `hopx-local serve`: every
file method as its README shows it, plus the watch (an async generator of the agent's
messages), with content checked byte for byte and from inside the sandbox."""

import asyncio
import pathlib

import pytest

from hopx_ai import AsyncSandbox, Sandbox
from hopx_ai.errors import FileNotFoundError as HopxFileNotFoundError
from hopx_ai.errors import HopxError, NotFoundError

TEMPLATE = "code-interpreter"


@pytest.fixture(scope="module")
def sb(server):
    sandbox = Sandbox.create(template=TEMPLATE, api_key=server.api_key, base_url=server.url)
    yield sandbox
    try:
        sandbox.kill()
    except NotFoundError:
        pass


def test_write_read_list_exists_remove_mkdir(sb):
    sb.files.write("/workspace/notes/hello.txt", "héllo\n")
    assert sb.files.read("/workspace/notes/hello.txt") == "héllo\n"
    assert (
        sb.run_code("print(open('/workspace/notes/hello.txt').read(), end='')").stdout == "héllo\n"
    )
    assert sb.files.exists("/workspace/notes/hello.txt") is True
    assert sb.files.exists("/workspace/notes/none") is False
    entries = {f.name: f for f in sb.files.list("/workspace/notes")}
    assert set(entries) == {"hello.txt"}
    info = entries["hello.txt"]
    assert (info.size, info.is_file, info.path) == (7, True, "/workspace/notes/hello.txt")
    assert info.permissions == "-rw-r--r--"
    sb.files.mkdir("/workspace/a/b/c")
    assert sb.files.exists("/workspace/a/b/c")
    assert any(f.name == "a" and f.is_dir for f in sb.files.list())  # default /workspace
    sb.files.remove("/workspace/a")
    assert not sb.files.exists("/workspace/a")


def test_binary_round_trip_is_exact(sb):
    data = bytes(range(256)) * 64
    sb.files.write_bytes("/workspace/blob.bin", data)
    assert sb.files.read_bytes("/workspace/blob.bin") == data
    size = sb.run_code("import os; print(os.path.getsize('/workspace/blob.bin'))").stdout
    assert size == f"{len(data)}\n", "stored decoded, not as base64 text"


def test_upload_and_download(sb, tmp_path: pathlib.Path):
    src = tmp_path / "up.bin"
    src.write_bytes(bytes(i % 251 for i in range(2_000_000)))
    sb.files.upload(str(src), "/workspace/up/data.bin")
    dst = tmp_path / "down.bin"
    sb.files.download("/workspace/up/data.bin", str(dst))
    assert dst.read_bytes() == src.read_bytes()


def test_errors(sb):
    with pytest.raises(HopxFileNotFoundError):
        sb.files.read("/workspace/missing.txt")
    with pytest.raises(HopxError):
        sb.files.read("/etc/shadow")  # refused for the sandbox user, as for its code
    with pytest.raises(HopxError):
        sb.files.write("/usr/bin/x", "read-only")


def test_async_files_and_watch(server):
    async def go():
        s = await AsyncSandbox.create(
            template=TEMPLATE, api_key=server.api_key, base_url=server.url
        )
        try:
            await s.files.write("/workspace/a.txt", "async")
            assert await s.files.read("/workspace/a.txt") == "async"
            await s.files.mkdir("/workspace/watched")

            async def first_change():
                async for message in s.files.watch("/workspace/watched"):
                    if message.get("type") == "change":
                        return message
                return None

            watcher = asyncio.ensure_future(first_change())
            # The official watch gives no signal once it is in place: write until it reports.
            for i in range(100):
                await s.files.write(f"/workspace/watched/f{i}.txt", "x")
                done, _ = await asyncio.wait({watcher}, timeout=0.1)
                if done:
                    break
            change = await asyncio.wait_for(watcher, 30)
            assert change["path"].startswith("/workspace/watched/f")
            assert change["event"] in ("created", "modified")
        finally:
            await s.kill()

    asyncio.run(go())

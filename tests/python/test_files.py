"""``sandbox.files`` on Sandbox and AsyncSandbox, against the embedded engine: every method,
exact binary content, listings, transfers with progress, errors, and the memory a 200 MB
round trip costs the client."""

import datetime
import hashlib
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

import hopx_ai
from hopx_ai import (
    AsyncFiles,
    AsyncSandbox,
    FileInfo,
    FileNotFoundError,
    FileOperationError,
    Files,
    Sandbox,
    ValidationError,
)

ALL_BYTES = bytes(range(256)) * 3


@pytest.fixture(scope="module")
def sb():
    with Sandbox.create(template="base") as sandbox:
        yield sandbox


def test_resource_is_made_once_per_handle(sb):
    assert isinstance(sb.files, Files)
    assert sb.files is sb.files
    assert hopx_ai.Files is Files and hopx_ai.FileInfo is FileInfo
    assert Files.read.__qualname__ == "Files.read"
    assert "path" in Files.read.__doc__


def test_text_round_trip(sb):
    text = "héllo\nwörld ✓\n"
    assert sb.files.write("/workspace/t.txt", text) is None
    assert sb.files.read("/workspace/t.txt") == text
    assert sb.files.read_bytes("/workspace/t.txt") == text.encode()
    # Replaced, not appended.
    sb.files.write("/workspace/t.txt", "short")
    assert sb.files.read("/workspace/t.txt") == "short"


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_binary_is_byte_exact(sb, kind, tmp_path):
    sb.files.write_bytes(f"/workspace/b_{kind.__name__}", kind(ALL_BYTES))
    assert sb.files.read_bytes(f"/workspace/b_{kind.__name__}") == ALL_BYTES
    # write() routes bytes-like content to write_bytes.
    sb.files.write(f"/workspace/w_{kind.__name__}", kind(ALL_BYTES))
    assert sb.files.read_bytes(f"/workspace/w_{kind.__name__}") == ALL_BYTES
    local = tmp_path / "b.bin"
    sb.files.download(f"/workspace/w_{kind.__name__}", local)
    assert local.read_bytes() == ALL_BYTES
    # What sandbox code sees is the bytes, not base64.
    seen = sb.run_code(
        f"import sys; sys.stdout.write(open('/workspace/b_{kind.__name__}','rb').read().hex())"
    )
    assert seen.stdout == ALL_BYTES.hex()


def test_valid_base64_bytes_stay_as_written(sb):
    # The official SDK decodes content that happens to be valid base64 (b"abcd").
    sb.files.write_bytes("/workspace/b64", b"abcd")
    assert sb.files.read_bytes("/workspace/b64") == b"abcd"


def test_list_returns_file_infos(sb):
    sb.files.mkdir("/workspace/listed/sub")
    sb.files.write("/workspace/listed/a.txt", "12345", mode="0600")
    sb.files.write_bytes("/workspace/listed/big.bin", b"\0" * 3 * 1024 * 1024)
    entries = {e.name: e for e in sb.files.list("/workspace/listed")}
    assert set(entries) == {"sub", "a.txt", "big.bin"}
    a, sub, big = entries["a.txt"], entries["sub"], entries["big.bin"]
    assert all(isinstance(e, FileInfo) for e in entries.values())
    assert (a.path, a.size, a.is_directory, a.is_file, a.is_dir) == (
        "/workspace/listed/a.txt",
        5,
        False,
        True,
        False,
    )
    assert a.permissions == "-rw-------"
    assert sub.is_directory and sub.is_dir and not sub.is_file
    assert sub.permissions.startswith("d")
    assert big.size_mb == 3.0 and big.size_kb == 3072.0
    now = datetime.datetime.now(datetime.timezone.utc)
    assert isinstance(a.modified_time, datetime.datetime)
    assert a.modified_time.tzinfo is not None
    assert abs((now - a.modified_time).total_seconds()) < 120
    assert "a.txt" in repr(a)
    # The default folder is /workspace.
    assert "listed" in [e.name for e in sb.files.list()]


def test_file_info_model():
    info = FileInfo(
        name="x", path="/workspace/x", size=2048, modified_time="2025-01-02T03:04:05.123456789Z"
    )
    assert info.modified_time == datetime.datetime(
        2025, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.timezone.utc
    )
    assert (info.size_kb, info.is_file) == (2.0, True)
    assert FileInfo(modified_time="not a time").modified_time is None
    assert FileInfo(modified_time="2025-01-02T03:04:05+02:00").modified_time.utcoffset() == (
        datetime.timedelta(hours=2)
    )
    assert FileInfo(name="x") == FileInfo(name="x") != FileInfo(name="y")


def test_exists_mkdir_remove(sb):
    assert sb.files.exists("/workspace") is True
    assert sb.files.exists("/workspace/nothing/here") is False
    sb.files.mkdir("/workspace/p/q/r")
    assert sb.files.exists("/workspace/p/q/r")
    sb.files.write("/workspace/p/q/r/f.txt", "x")
    sb.files.write("/workspace/p/top.txt", "y")
    sb.files.remove("/workspace/p")
    assert not sb.files.exists("/workspace/p")
    assert not sb.files.exists("/workspace/p/q/r/f.txt")
    sb.files.write("/workspace/single", "z")
    sb.files.remove(pathlib.PurePosixPath("/workspace/single"))
    assert not sb.files.exists("/workspace/single")


def test_upload_download_with_paths_and_progress(sb, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    up = []
    sb.files.upload(
        src, pathlib.PurePosixPath("/workspace/up.bin"), on_progress=lambda *a: up.append(a)
    )
    assert sb.files.read_bytes("/workspace/up.bin") == data
    down = []
    dst = tmp_path / "dst.bin"
    dst.write_bytes(b"old content, replaced")
    assert (
        sb.files.download("/workspace/up.bin", dst, on_progress=lambda *a: down.append(a)) is None
    )
    assert dst.read_bytes() == data
    for calls in (up, down):
        assert len(calls) >= 2
        dones = [d for d, _ in calls]
        assert dones == sorted(dones) and len(set(dones)) == len(dones)
        assert dones[-1] == len(data)
        assert {t for _, t in calls} == {len(data)}


def test_raising_progress_is_reported_once_and_the_transfer_completes(sb, tmp_path, monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    calls = []

    def broken(done, total):
        calls.append(done)
        raise RuntimeError("progress bar broke")

    src = tmp_path / "src.bin"
    src.write_bytes(b"y" * (1024 * 1024))
    sb.files.upload(src, "/workspace/broken.bin", on_progress=broken)
    sb.files.download("/workspace/broken.bin", tmp_path / "back.bin", on_progress=broken)
    assert (tmp_path / "back.bin").read_bytes() == src.read_bytes()
    assert len(calls) == 2  # once per transfer, then no more
    assert [type(r.exc_value) for r in reported] == [RuntimeError, RuntimeError]
    assert all(r.object is broken for r in reported)


def test_missing_file_errors(sb, tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        sb.files.read("/workspace/missing.txt")
    assert info.value.path == "/workspace/missing.txt"
    assert info.value.code == "FILE_NOT_FOUND" and info.value.status_code == 404
    assert isinstance(info.value, hopx_ai.AgentError)
    with pytest.raises(FileNotFoundError):
        sb.files.read_bytes("/workspace/missing.txt")
    local = tmp_path / "never.bin"
    with pytest.raises(FileNotFoundError):
        sb.files.download("/workspace/missing.txt", local)
    assert not local.exists()
    with pytest.raises(FileOperationError) as op:
        sb.files.upload(tmp_path / "no-such-local-file", "/workspace/x")
    assert "no-such-local-file" in str(op.value)
    with pytest.raises(FileOperationError):
        sb.files.list("/workspace/no-such-folder")


@pytest.mark.parametrize("mode", ["rw-r--r--", "0648", "17777", ""])
def test_bad_mode_is_a_validation_error(sb, mode):
    with pytest.raises(ValidationError, match="mode"):
        sb.files.write("/workspace/m.txt", "x", mode=mode)
    with pytest.raises(ValidationError, match="mode"):
        sb.files.write_bytes("/workspace/m.txt", b"x", mode=mode)
    assert not sb.files.exists("/workspace/m.txt")


def test_bad_arguments(sb):
    with pytest.raises(ValidationError, match="empty"):
        sb.files.read("")
    with pytest.raises(ValidationError, match="NUL"):
        sb.files.write("/workspace/a\0b", "x")
    with pytest.raises(ValidationError, match="timeout"):
        sb.files.read("/workspace/t.txt", timeout=0)
    with pytest.raises(ValidationError, match="timeout"):
        sb.files.exists("/workspace", timeout=float("nan"))
    with pytest.raises(TypeError, match="path"):
        sb.files.read(b"/workspace/t.txt")
    with pytest.raises(TypeError, match="path"):
        sb.files.read(None)
    with pytest.raises(TypeError, match="content"):
        sb.files.write("/workspace/x", 42)
    with pytest.raises(TypeError, match="content"):
        sb.files.write_bytes("/workspace/x", "text")
    with pytest.raises(TypeError, match="content"):
        sb.files.write_bytes("/workspace/x", [1, 2, 3])
    with pytest.raises(TypeError, match="mode"):
        sb.files.write("/workspace/x", "x", mode=0o644)
    with pytest.raises(TypeError, match="on_progress"):
        sb.files.upload("/etc/hostname", "/workspace/x", on_progress=3)

    async def coro(done, total):
        pass

    with pytest.raises(TypeError, match="coroutine"):
        sb.files.download("/workspace/t.txt", "/tmp/x", on_progress=coro)


def test_timeout_applies(sb):
    # A generous per-call timeout works like the default.
    sb.files.write("/workspace/to.txt", "ok", timeout=30)
    assert sb.files.read("/workspace/to.txt", timeout=0.5 + 29) == "ok"
    assert sb.files.list("/workspace", 30)


def test_killed_sandbox(tmp_path):
    sandbox = Sandbox.create(template="base")
    sandbox.kill()
    with pytest.raises(hopx_ai.NotFoundError):
        sandbox.files.read("/workspace/x")
    with pytest.raises(hopx_ai.NotFoundError):
        sandbox.files.exists("/workspace")


@pytest.mark.asyncio
async def test_async_files_every_method(tmp_path):
    async with AsyncSandbox.create(template="base") as sandbox:
        files = sandbox.files
        assert isinstance(files, AsyncFiles)
        await files.write("/workspace/a.txt", "async text")
        assert await files.read("/workspace/a.txt") == "async text"
        await files.write_bytes(pathlib.Path("/workspace/b.bin"), memoryview(ALL_BYTES))
        assert await files.read_bytes("/workspace/b.bin") == ALL_BYTES
        await files.write("/workspace/c.bin", bytearray(ALL_BYTES), "0600")
        assert await files.read_bytes("/workspace/c.bin") == ALL_BYTES
        await files.mkdir("/workspace/d/e")
        names = {e.name: e for e in await files.list()}
        assert {"a.txt", "b.bin", "c.bin", "d"} <= set(names)
        assert names["c.bin"].permissions == "-rw-------" and names["d"].is_dir
        assert await files.exists("/workspace/d/e") is True
        await files.remove("/workspace/d")
        assert await files.exists("/workspace/d") is False

        src = tmp_path / "src.bin"
        src.write_bytes(os.urandom(1024 * 1024 + 3))
        seen = []
        await files.upload(src, "/workspace/up.bin", on_progress=lambda d, t: seen.append((d, t)))
        assert seen[-1] == (src.stat().st_size, src.stat().st_size)
        seen.clear()
        await files.download(
            "/workspace/up.bin", tmp_path / "dst.bin", 30, lambda d, t: seen.append((d, t))
        )
        assert (tmp_path / "dst.bin").read_bytes() == src.read_bytes()
        assert seen[-1] == (src.stat().st_size, src.stat().st_size)

        with pytest.raises(FileNotFoundError):
            await files.read("/workspace/missing")
        with pytest.raises(ValidationError):
            await files.write("/workspace/m", "x", mode="9")


@pytest.mark.asyncio
async def test_async_concurrent_writes_and_reads():
    import asyncio

    async with AsyncSandbox.create(template="base") as sandbox:
        await asyncio.gather(
            *(sandbox.files.write(f"/workspace/n{i}", str(i) * (i + 1)) for i in range(20))
        )
        texts = await asyncio.gather(*(sandbox.files.read(f"/workspace/n{i}") for i in range(20)))
        assert texts == [str(i) * (i + 1) for i in range(20)]


# Runs in a fresh interpreter so that nothing else this test session did counts: creates a
# sandbox, warms the connection up, then measures the peak RSS (VmHWM) around a round trip.
_RSS_CHILD = textwrap.dedent(
    """
    import sys
    from hopx_ai import Sandbox

    def peak_kib():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmHWM")

    src, dst = sys.argv[1], sys.argv[2]
    with Sandbox.create(template="base") as sb:
        sb.files.write("/workspace/warm", "x")
        sb.files.read_bytes("/workspace/warm")
        before = peak_kib()
        sb.files.upload(src, "/workspace/big.bin")
        assert sb.files.list("/workspace")  # the engine still answers
        sb.files.download("/workspace/big.bin", dst)
        after = peak_kib()
    print(after - before)
    """
)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def test_200_mb_round_trip_keeps_client_memory_flat(tmp_path):
    size = 200 * 1024 * 1024
    src, dst = tmp_path / "big.bin", tmp_path / "back.bin"
    with open(src, "wb") as f:
        block = os.urandom(1 << 20)
        for i in range(size >> 20):
            f.write(block[i:] + block[:i])
    out = subprocess.run(
        [sys.executable, "-c", _RSS_CHILD, str(src), str(dst)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    growth_kib = int(out.stdout.split()[-1])
    print(f"peak RSS growth over a 200 MB upload + download: {growth_kib / 1024:.1f} MiB")
    assert growth_kib < 64 * 1024
    assert dst.stat().st_size == size
    assert _sha256(dst) == _sha256(src)

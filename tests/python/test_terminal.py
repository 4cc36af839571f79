"""``sandbox.terminal`` against the embedded engine, as the official SDK's is used (coroutines
on both sandbox flavours): a real terminal as the sandbox's user, resize, Ctrl-C, the exit
message, and bad arguments. Every read is bounded, so no test can hang."""

import asyncio
import time

import pytest

import hopx_ai
from hopx_ai import AsyncSandbox, Sandbox, Terminal, TerminalConnection, ValidationError


@pytest.fixture(scope="module")
def sb():
    with Sandbox.create(template="base") as sandbox:
        yield sandbox


async def read_until(terminal, ws, marker):
    """Output until ``marker`` appears or the shell exits; returns (output, exit code)."""
    out, code = "", None

    async def read():
        nonlocal out, code
        async for msg in terminal.iter_output(ws):
            if msg["type"] == "output":
                out += msg["data"]
                if marker in out:
                    return
            elif msg["type"] == "exit":
                code = msg["code"]
                return

    await asyncio.wait_for(read(), 30)
    return out, code


def test_the_official_way_on_the_blocking_sandbox(sb):
    async def main():
        assert isinstance(sb.terminal, Terminal) and hopx_ai.Terminal is Terminal
        async with await sb.terminal.connect(cols=100, rows=30) as ws:
            assert isinstance(ws, TerminalConnection) and not ws.closed
            # Arithmetic in the markers, so the echo of the typed line does not match them.
            await sb.terminal.send_input(ws, "tty -s && echo tty-$((1+1)); stty size; id -un\n")
            await sb.terminal.send_input(ws, "echo done-$((2+2))\n")
            out, _ = await read_until(sb.terminal, ws, "done-4")
            assert "tty-2" in out and "30 100" in out and "\nuser\r\n" in out, out
            await sb.terminal.resize(ws, cols=120, rows=40)
            await ws.send_input("stty size; echo sized-$((3+3))\n")
            out, _ = await read_until(sb.terminal, ws, "sized-6")
            assert "40 120" in out, out
            await ws.send_input("sleep 60\n")
            await asyncio.sleep(0.3)
            await ws.send_input("\x03echo after-$((4+4))\n")
            await read_until(sb.terminal, ws, "after-8")
            await ws.send_input("exit 5\n")
            _, code = await read_until(sb.terminal, ws, "\0never")
            assert code == 5
        assert ws.closed

    asyncio.run(main())


def test_async_sandbox_and_iterating_the_connection():
    async def main():
        async with AsyncSandbox.create(template="base") as sandbox:
            ws = await sandbox.terminal.connect()
            await ws.send_input("echo hi-$((5+5)); exit\n")
            seen = []
            async for msg in ws:
                seen.append(msg)
            out = "".join(m.get("data", "") for m in seen if m["type"] == "output")
            assert "hi-10" in out and seen[-1] == {"type": "exit", "code": 0}, seen
            await ws.close()

    asyncio.run(main())


def test_bad_arguments(sb):
    async def main():
        with pytest.raises(ValidationError, match="cols must be from 1 to 65535, got 0"):
            await sb.terminal.connect(cols=0)
        with pytest.raises(ValidationError, match="rows must be from 1 to 65535"):
            await sb.terminal.connect(rows=10**30)
        with pytest.raises(TypeError):
            await sb.terminal.connect(rows="24")
        with pytest.raises(ValidationError, match="timeout"):
            await sb.terminal.connect(timeout=0)
        async with await sb.terminal.connect() as ws:
            with pytest.raises(TypeError):
                await ws.send_input(b"ls\n")
            with pytest.raises(ValidationError, match="rows must be from 1 to 65535, got 70000"):
                await ws.resize(80, 70000)

    asyncio.run(main())


def test_frames_leave_at_least_20_ms_apart_and_the_exit_frame_last(sb):
    # Clients that lose a frame arriving in the same tick as the one before (the official JS
    # SDK) lose nothing when frames are spaced; the output gathers meanwhile. Each frame, the
    # exit frame included, leaves at least 20 ms after the one before, so the time from typing
    # to the exit frame bounds how many there can be (one more: a prompt may come before the
    # typing), however loaded the machine.
    async def main():
        ws = await sb.terminal.connect()
        started = time.monotonic()
        await ws.send_input(
            "for i in $(seq 1 40); do echo line-$((i*2)); sleep 0.005; done; exit 7\n"
        )
        seen = []
        async for msg in ws:
            seen.append(msg)
        elapsed = time.monotonic() - started
        out = "".join(m.get("data", "") for m in seen if m["type"] == "output")
        assert all(f"line-{i * 2}\r\n" in out for i in range(1, 41)), out
        assert seen[-1] == {"type": "exit", "code": 7}
        assert (len(seen) - 1) * 0.020 <= elapsed + 0.001, f"{len(seen)} frames in {elapsed:.3f} s"

    asyncio.run(main())

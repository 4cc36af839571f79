"""The official `hopx-ai` Python SDK's `sandbox.terminal` against `hopx-local serve`: an
interactive bash in a real pseudo-terminal, driven as its docstring shows (connect,
send_input, resize, iter_output), on both sandbox flavours."""

import asyncio
import os

import pytest

from hopx_ai import AsyncSandbox, Sandbox
from hopx_ai.errors import NotFoundError


@pytest.fixture(scope="module")
def sb(server):
    sandbox = Sandbox.create(template="base", api_key=server.api_key, base_url=server.url)
    yield sandbox
    try:
        sandbox.kill()
    except NotFoundError:
        pass


async def session(terminal, lines, resize=None):
    """Types `lines` (a string, or a list of strings typed 0.3 s apart) into a new terminal;
    returns its output and exit code (a minute at most)."""
    ws = await terminal.connect()
    async with ws:
        if resize:
            await terminal.resize(ws, cols=resize[0], rows=resize[1])
        for i, part in enumerate([lines] if isinstance(lines, str) else lines):
            if i:
                await asyncio.sleep(0.3)
            await terminal.send_input(ws, part)
        out, code = "", None

        async def read():
            nonlocal out, code
            async for msg in terminal.iter_output(ws):
                if msg["type"] == "output":
                    out += msg["data"]
                elif msg["type"] == "exit":
                    code = msg["code"]
                    return

        await asyncio.wait_for(read(), 60)
    return out, code


def test_a_shell_in_a_real_terminal(sb):
    lines = "tty -s && echo on-a-tty; stty size; echo $((6 * 7)); id -un; exit 3\n"
    out, code = asyncio.run(session(sb.terminal, lines, resize=(100, 30)))
    assert code == 3, out
    assert "on-a-tty" in out and "30 100" in out and "42" in out, out
    # The sandbox's user, not the engine's.
    assert "\nuser\r\n" in out or "\nuser\n" in out, out


def test_ctrl_c_stops_the_program_in_front(sb):
    # Job control works: ^C reaches the foreground `sleep`, the shell goes on. Typed in steps,
    # as a person would: in one write, the ^C may reach bash before `sleep` starts, and its
    # readline then eats the next character (seen once, as "cho: command not found").
    lines = ["sleep 60\n", "\x03", "echo after-interrupt\nexit\n"]
    out, code = asyncio.run(session(sb.terminal, lines))
    assert "after-interrupt" in out and code == 0, out


def test_async_sandbox_terminal(server):
    async def main():
        sandbox = await AsyncSandbox.create(
            template="base", api_key=server.api_key, base_url=server.url
        )
        try:
            return await session(sandbox.terminal, f"echo pid-$$-in-{os.getpid() % 7}\nexit 0\n")
        finally:
            await sandbox.kill()

    out, code = asyncio.run(main())
    assert code == 0 and "-in-" in out, out

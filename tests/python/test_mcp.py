"""``hopx mcp`` driven by the official MCP Python client (the ``mcp`` package) over stdio, as
an assistant drives it: the tools and their schemas, Python state across calls, a plot back as
image content, a file written then read, a command, sandboxes made and killed, and a run past
its timeout that comes back as a tool error with its partial output instead of hanging; and
the same server on streamable HTTP (`--http`)."""

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

HOPX = Path(sys.executable).with_name("hopx")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engines")
    environ = {k: v for k, v in os.environ.items() if k not in ("HOPX_API_KEY", "HOPX_BASE_URL")}
    environ.pop("HOPX_LOCAL_SHARED", None)
    environ["HOPX_LOCAL_SHARED_DIR"] = str(folder)
    yield environ
    for record in folder.glob("engine-*.json"):
        try:
            os.kill(json.loads(record.read_text())["pid"], signal.SIGTERM)
        except ProcessLookupError:
            pass


def texts(result):
    return "".join(c.text for c in result.content if c.type == "text")


def test_an_assistant_session(env):
    async def main():
        params = StdioServerParameters(command=str(HOPX), args=["mcp"], env=env)
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                assert init.server_info.name == "hopx"
                tools = {t.name: t for t in (await session.list_tools()).tools}
                assert set(tools) >= {
                    "run_code",
                    "run_command",
                    "write_file",
                    "read_file",
                    "list_files",
                    "create_sandbox",
                    "list_sandboxes",
                    "kill_sandbox",
                }
                schema = tools["run_code"].input_schema
                assert schema["required"] == ["code"] and "language" in schema["properties"]
                assert tools["run_code"].description

                r = await session.call_tool("run_code", {"code": "x = 41"})
                assert not r.is_error, texts(r)
                r = await session.call_tool("run_code", {"code": "print(x + 1)"})
                assert texts(r) == "42\n"

                plot = "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()"
                r = await session.call_tool("run_code", {"code": plot})
                [image] = [c for c in r.content if c.type == "image"]
                assert image.mime_type == "image/png"
                assert base64.b64decode(image.data).startswith(b"\x89PNG\r\n\x1a\n")

                table = "import pandas as pd\npd.DataFrame({'a': [1, 2]})"
                r = await session.call_tool("run_code", {"code": table})
                assert "<table" in texts(r)

                await session.call_tool(
                    "write_file", {"path": "/workspace/notes/a.txt", "content": "hi there"}
                )
                r = await session.call_tool("read_file", {"path": "/workspace/notes/a.txt"})
                assert texts(r) == "hi there"
                r = await session.call_tool(
                    "run_code", {"code": "print(open('/workspace/notes/a.txt').read())"}
                )
                assert texts(r) == "hi there\n"
                r = await session.call_tool("list_files", {"path": "/workspace/notes"})
                assert texts(r).startswith("a.txt\t8 bytes")
                r = await session.call_tool("run_command", {"command": "echo $((6 * 7)); exit 3"})
                assert r.is_error and "exit code 3" in texts(r) and "42" in texts(r)

                r = await session.call_tool(
                    "run_code", {"code": "console.log(typeof x)", "language": "javascript"}
                )
                assert texts(r) == "undefined\n"

                slow = "import time\nprint('before', flush=True)\ntime.sleep(30)"
                r = await asyncio.wait_for(
                    session.call_tool("run_code", {"code": slow, "timeout": 1}), 60
                )
                assert r.is_error and "before" in texts(r) and "TimeoutError" in texts(r), texts(r)

                r = await session.call_tool("create_sandbox", {"template": "base"})
                other = texts(r)
                assert other in texts(await session.call_tool("list_sandboxes", {}))
                r = await session.call_tool(
                    "run_code", {"code": "echo in-other", "language": "bash", "sandbox_id": other}
                )
                assert texts(r) == "in-other\n"
                r = await session.call_tool("kill_sandbox", {"sandbox_id": other})
                assert texts(r) == f"killed {other}"
                r = await session.call_tool(
                    "run_code", {"code": "print(1)", "sandbox_id": "no-such-box"}
                )
                assert r.is_error and "NotFoundError" in texts(r)

    asyncio.run(main())
    # The sandboxes the server made ended with it.
    listed = subprocess.run(
        [str(HOPX), "--json", "sandbox", "list"], env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0 and json.loads(listed.stdout) == [], listed.stdout


def test_streamable_http_with_a_flag(env):
    from mcp.client.streamable_http import streamable_http_client

    proc = subprocess.Popen(
        [str(HOPX), "mcp", "--http", "127.0.0.1:0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
        assert line.startswith("hopx mcp: streamable HTTP on http://127.0.0.1:"), line
        url = line.split(" on ")[1].strip()

        async def main():
            async with streamable_http_client(url) as (read, write, *_):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    r = await session.call_tool("run_code", {"code": "print(2 ** 10)"})
                    assert texts(r) == "1024\n"

        asyncio.run(main())
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0

"""Shared fixtures of the compatibility suites: a real `hopx-local serve` subprocess.

The binary is `$HOPX_LOCAL_BIN`, else `$CARGO_TARGET_DIR/debug/hopx-local`, else
`<repo>/target/debug/hopx-local`. The server inherits the environment, so
`HOPX_LOCAL_PYTHON` (the sandbox Python, which needs IPython and matplotlib for
`code-interpreter`) and `HOPX_LOCAL_RECORD` (where the server records every JSON answer
for the conformance check) pass straight through.
"""

import os
import pathlib
import secrets
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))


def local_bin() -> str:
    if os.environ.get("HOPX_LOCAL_BIN"):
        return os.environ["HOPX_LOCAL_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR") or str(REPO / "target")
    return str(pathlib.Path(target) / "debug" / "hopx-local")


class LocalServer:
    """`hopx-local serve --port 0 --api-key KEY`, URL read from its first stdout line."""

    def __init__(self):
        self.api_key = "compat-" + secrets.token_hex(8)
        binary = local_bin()
        if not os.path.exists(binary):
            raise RuntimeError(f"{binary} not found: run `cargo build -p hopx-local` first")
        self.proc = subprocess.Popen(
            [binary, "serve", "--port", "0", "--api-key", self.api_key],
            stdout=subprocess.PIPE,
            stderr=sys.stderr,
            text=True,
        )
        line = self.proc.stdout.readline()
        marker = "serving the HopX API on "
        if marker not in line:
            self.proc.kill()
            raise RuntimeError(f"hopx-local did not start: first line {line!r}")
        self.url = line.split(marker, 1)[1].strip()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def server():
    srv = LocalServer()
    yield srv
    srv.stop()

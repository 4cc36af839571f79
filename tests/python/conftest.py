"""Shared fixtures. Every test runs against the embedded local engine: no API key, no base URL,
and sandbox code runs with this interpreter (which has IPython, matplotlib and pandas)."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# Before hopx_ai resolves a backend: the tests must never reach the cloud.
for _name in ("HOPX_API_KEY", "HOPX_BASE_URL"):
    os.environ.pop(_name, None)

from hopx_ai import Sandbox  # noqa: E402


@pytest.fixture(scope="session")
def sandbox():
    """One warm code-interpreter sandbox for the tests that do not change its state much."""
    with Sandbox.create(template="code-interpreter") as sb:
        yield sb


@pytest.fixture
def fresh_sandbox():
    """A sandbox of its own, for tests that kill, time out or restart things."""
    with Sandbox.create() as sb:
        yield sb


class _Stub(BaseHTTPRequestHandler):
    """A stand-in HopX server answering every request with the configured status and body.

    The local engine never produces some statuses (401, 429, 5xx...); this server lets the
    real client, binding and error table handle them over real HTTP. ``POST /v1/sandboxes``
    always succeeds and points the agent at this same server.
    """

    answer = (500, {}, {})

    def _send(self, status, body, headers):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.command == "POST" and self.path == "/v1/sandboxes":
            host = f"http://127.0.0.1:{self.server.server_address[1]}"
            self._send(
                201,
                {
                    "id": "stub1",
                    "status": "running",
                    "public_host": host,
                    "auth_token": "tok",
                    "token_expires_at": "2999-01-01T00:00:00Z",
                },
                {},
            )
            return
        self._send(*self.server.answer)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _handle

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    """A running stub server; set ``stub.answer = (status, body_dict, headers)``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    server.answer = (500, {}, {})
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()

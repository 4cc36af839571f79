"""The fake HopX cloud (``fake_cloud.py``) as a pytest fixture: one subprocess per session,
reset to a scenario before each test that names one with ``@pytest.mark.scenario(name)``."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

FAKE = Path(__file__).with_name("fake_cloud.py")
# Loopback only: an HTTP(S)_PROXY in the environment must not see the test endpoints.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def pytest_configure(config):
    config.addinivalue_line("markers", "scenario(name): the fake cloud scenario of a test")


class FakeCloud:
    """The running fake: its two URLs and its test endpoints."""

    def __init__(self, proc, urls):
        self.proc = proc
        self.url = urls["control"]
        self.agent_url = urls["agent"]
        self.api_key = urls["api_key"]  # the one key the fake accepts

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        with _opener.open(req, timeout=10) as resp:
            return json.loads(resp.read())

    def use(self, name):
        """Forgets everything and queues the answers of scenario ``name``."""
        self._call("POST", "/__scenario", {"name": name})

    def scenarios(self):
        return self._call("GET", "/__scenarios?lang=python")

    def requests(self):
        return self._call("GET", "/__requests")

    def routes(self):
        return [r["route"] for r in self.requests()]

    def on(self, route):
        return [r for r in self.requests() if r["route"] == route]

    def tokens(self):
        """Every agent token issued so far (create, then refreshes), in order."""
        return self._call("GET", "/__tokens")


@pytest.fixture(scope="session")
def cloud():
    env = {k: v for k, v in os.environ.items() if k not in ("HOPX_API_KEY", "HOPX_BASE_URL")}
    proc = subprocess.Popen(
        [sys.executable, str(FAKE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        urls = json.loads(proc.stdout.readline())
        yield FakeCloud(proc, urls)
    finally:
        proc.stdin.close()  # the fake exits when its stdin closes
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def fake(cloud, request):
    """The fake cloud, reset to the scenario this test is marked with."""
    marker = request.node.get_closest_marker("scenario")
    assert marker, "contract tests name their scenario with @pytest.mark.scenario(...)"
    cloud.use(marker.args[0])
    return cloud

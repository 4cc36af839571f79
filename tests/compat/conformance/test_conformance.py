"""Conformance of hopx-local's answers to the official OpenAPI documents.

Two sources of answers:
* `test_recorded_answers_conform`: every JSON answer the server gave during the engine tests
  and the official-SDK suites, recorded by the server itself (`HOPX_LOCAL_RECORD`, see
  `local/src/http/mod.rs::record`); `scripts/test_compat.sh` points
  `HOPX_COMPAT_RECORDINGS` at that directory.
* the direct tests below: each operation we serve, success and error paths, issued with
  urllib and checked one by one.

The rules (operation lookup, statuses, schemas, wire-api.md where the spec is silent) are in
`openapi_check.py`.
"""

import json
import os
import pathlib
import urllib.error
import urllib.request

import pytest
from openapi_check import check, check_recording_line


def http(method, url, body=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class Client:
    def __init__(self, server):
        self.server = server
        self.seen = []

    def call(self, plane, method, base, path, body=None, token=None, key=True, raw=None):
        headers = {}
        if plane == "control" and key:
            headers["X-API-Key"] = self.server.api_key if key is True else key
        if plane == "agent" and token:
            headers["Authorization"] = f"Bearer {token}"
        status, resp_headers, payload = http(method, base + path, body, headers, raw)
        assert resp_headers.get("X-Request-ID"), f"{method} {path}: no X-Request-ID"
        assert resp_headers.get("Content-Type", "").startswith("application/json"), path
        parsed = json.loads(payload)
        problems = check(plane, method, path.split("?")[0], status, parsed)
        assert not problems, f"{method} {path} -> {status}: {problems}\n{json.dumps(parsed)[:2000]}"
        self.seen.append((plane, method, path.split("?")[0], status))
        return status, parsed


@pytest.fixture
def client(server):
    return Client(server)


@pytest.fixture
def sandbox(client):
    status, sb = client.call(
        "control", "POST", client.server.url, "/v1/sandboxes", {"template_name": "code-interpreter"}
    )
    assert status == 201
    yield sb
    client.call("control", "DELETE", client.server.url, f"/v1/sandboxes/{sb['id']}")


# ---- the checker itself -----------------------------------------------------------------


def test_checker_rejects_wrong_types_and_statuses():
    assert check(
        "control",
        "GET",
        "/v1/sandboxes/x",
        200,
        {
            "id": "x",
            "status": "running",
            "public_host": "h",
            "object": "sandbox",
            "organization_id": "org",
        },
    )
    assert check(
        "agent",
        "POST",
        "/execute",
        418,
        {"error": "x", "code": "Y", "timestamp": "2026-01-01T00:00:00Z"},
    )
    assert check("agent", "GET", "/info", 200, {"port": 7777})
    assert check(
        "agent",
        "POST",
        "/execute",
        200,
        {
            "stdout": "",
            "stderr": "",
            "exit_code": 0,
            "success": True,
            "execution_time": 0.1,
            "timestamp": "t",
            "language": "python",
            "json": [1],
        },
    )
    assert check("agent", "POST", "/execute", 400, {"message": "no error key"})
    assert check("control", "GET", "/v1/sandboxes/x", 404, {"error": "flat only"})
    assert not check("agent", "GET", "/ping", 200, {"status": "ok"})


# ---- recorded answers -------------------------------------------------------------------


def test_recorded_answers_conform():
    folder = os.environ.get("HOPX_COMPAT_RECORDINGS")
    if not folder:
        pytest.skip("HOPX_COMPAT_RECORDINGS not set (scripts/test_compat.sh sets it)")
    files = sorted(pathlib.Path(folder).glob("*.jsonl"))
    failures, count, operations = [], 0, set()
    for f in files:
        for line in f.read_text().splitlines():
            if not line.strip():
                continue
            count += 1
            rec, problems = check_recording_line(line)
            operations.add((rec["plane"], rec["method"], rec["status"]))
            if problems:
                failures.append(
                    f"{rec['plane']} {rec['method']} {rec['path']} -> {rec['status']}: {problems}"
                )
    assert count > 0, f"no recorded answers in {folder}"
    assert not failures, f"{len(failures)} of {count} answers do not conform:\n" + "\n".join(
        failures[:40]
    )


# ---- direct calls: control plane --------------------------------------------------------


def test_control_plane(client):
    url = client.server.url
    client.call("control", "GET", url, "/health", key=False)
    status, sb = client.call(
        "control",
        "POST",
        url,
        "/v1/sandboxes",
        {"template_name": "base", "timeout_seconds": 600, "env_vars": {"A": "1"}},
    )
    assert status == 201 and sb["timeout_seconds"] == 600
    status, sb2 = client.call(
        "control", "POST", url, "/v1/sandboxes", {"template_id": "code-interpreter"}
    )
    assert status == 201
    assert "timeout_seconds" not in sb2 and "expires_at" not in sb2
    assert client.call("control", "GET", url, f"/v1/sandboxes/{sb['id']}")[0] == 200
    status, lst = client.call("control", "GET", url, "/v1/sandboxes?limit=1")
    assert status == 200 and len(lst["data"]) == 1 and lst["has_more"] is True
    status, lst = client.call(
        "control", "GET", url, f"/v1/sandboxes?limit=1&cursor={lst['next_cursor']}"
    )
    assert status == 200 and len(lst["data"]) >= 1
    assert (
        client.call(
            "control", "PUT", url, f"/v1/sandboxes/{sb['id']}/timeout", {"timeout_seconds": 900}
        )[0]
        == 200
    )
    assert (
        client.call(
            "control", "PUT", url, f"/v1/sandboxes/{sb['id']}/timeout", {"timeout_seconds": 0}
        )[0]
        == 400
    )
    status, fresh = client.call("control", "POST", url, f"/v1/sandboxes/{sb['id']}/token/refresh")
    assert status == 200 and fresh["auth_token"]
    status, tl = client.call("control", "GET", url, "/v1/templates")
    assert status == 200 and {"code-interpreter", "base"} <= {t["name"] for t in tl["data"]}
    assert client.call("control", "GET", url, "/v1/templates/code-interpreter")[0] == 200
    for sid in (sb["id"], sb2["id"]):
        assert client.call("control", "DELETE", url, f"/v1/sandboxes/{sid}")[0] == 200
    assert client.call("control", "GET", url, f"/v1/sandboxes/{sb['id']}")[0] == 404
    assert client.call("control", "DELETE", url, f"/v1/sandboxes/{sb['id']}")[0] == 404
    assert client.call("control", "POST", url, f"/v1/sandboxes/{sb['id']}/token/refresh")[0] == 404


def test_control_plane_errors(client):
    url = client.server.url
    assert client.call("control", "GET", url, "/v1/sandboxes", key=False)[0] == 401
    assert client.call("control", "GET", url, "/v1/sandboxes", key="wrong")[0] == 401
    assert client.call("control", "POST", url, "/v1/sandboxes", {"template_name": "nope"})[0] == 404
    assert client.call("control", "POST", url, "/v1/sandboxes", {})[0] == 400
    assert client.call("control", "POST", url, "/v1/sandboxes", raw=b"{not json")[0] == 400
    assert (
        client.call(
            "control",
            "POST",
            url,
            "/v1/sandboxes",
            {"template_name": "base", "timeout_seconds": -1},
        )[0]
        == 400
    )
    # The spec lists no 400 for list: an unusable limit falls back to the default.
    assert client.call("control", "GET", url, "/v1/sandboxes?limit=zero")[0] == 200
    assert client.call("control", "GET", url, "/v1/sandboxes?limit=5000")[0] == 200
    assert client.call("control", "GET", url, "/v1/templates/nope")[0] == 404
    assert client.call("control", "GET", url, "/v1/sandboxes/nope")[0] == 404


# ---- direct calls: agent ----------------------------------------------------------------


def test_agent_open_endpoints(client, sandbox):
    host = sandbox["public_host"]
    status, health = client.call("agent", "GET", host, "/health")
    assert status == 200 and health["status"] == "healthy"
    # Without the sandbox's token the open endpoints do not say which sandbox this is.
    status, info = client.call("agent", "GET", host, "/info")
    assert status == 200 and info["vm_id"] == "" and health["vm_id"] == ""
    status, info = client.call("agent", "GET", host, "/info", token=sandbox["auth_token"])
    assert status == 200 and info["vm_id"] == sandbox["id"]
    assert client.call("agent", "GET", host, "/ping")[0] == 200
    assert client.call("agent", "GET", host, "/")[0] == 200


def test_agent_execute(client, sandbox):
    host, tok = sandbox["public_host"], sandbox["auth_token"]

    def ex(body):
        return client.call("agent", "POST", host, "/execute", body, token=tok)

    for lang, code in (
        ("python", "print('hi')"),
        ("javascript", "console.log('hi')"),
        ("bash", "echo hi"),
    ):
        status, r = ex({"language": lang, "code": code, "workdir": "/workspace", "timeout": 30})
        assert (status, r["stdout"], r["success"]) == (200, "hi\n", True), r
    status, r = ex({"language": "python", "code": "1/0"})
    assert status == 200 and r["success"] is False and "ZeroDivisionError" in r["stderr"]
    status, r = ex({"language": "bash", "code": "exit 4"})
    assert status == 200 and r["exit_code"] == 4
    status, r = ex({"code": "import matplotlib.pyplot as plt\nplt.plot([1,2])\nplt.show()"})
    assert status == 200 and r["png"]
    status, r = ex(
        {
            "code": (
                "from IPython.display import display, HTML, JSON, Markdown\n"
                "display(HTML('<b>x</b>'))\ndisplay(JSON({'a': 1}))\n"
                "display(Markdown('# t'))\n41 + 1"
            )
        }
    )
    assert (
        status == 200 and r["html"] == "<b>x</b>" and r["json"] == {"a": 1} and r["result"] == "42"
    ), r
    status, r = ex({"code": "from IPython.display import display, JSON\ndisplay(JSON([1, 2]))"})
    assert status == 200 and "json" not in r, (
        "a non-object JSON output stays out of the flat `json`"
    )
    status, r = ex({"code": "import time\ntime.sleep(10)", "timeout": 1})
    assert status == 408 and r["code"] == "EXECUTION_TIMEOUT"
    assert ex({"language": "cobol", "code": "x"})[0] == 400
    assert ex({"language": "python"})[0] == 400
    assert ex({"code": "print(1)", "timeout": 301})[0] == 400
    assert ex({"code": "print(1)", "workdir": "/etc"})[0] == 400
    assert client.call("agent", "POST", host, "/execute", raw=b"[1", token=tok)[0] == 400
    assert client.call("agent", "POST", host, "/execute", {"code": "print(1)"})[0] == 401
    assert (
        client.call("agent", "POST", host, "/execute", {"code": "print(1)"}, token="bad")[0] == 401
    )
    assert client.call("agent", "GET", host, "/no-such-endpoint", token=tok)[0] == 404


def test_agent_commands_and_env(client, sandbox):
    host, tok = sandbox["public_host"], sandbox["auth_token"]

    def a(m, p, b=None):
        return client.call("agent", m, host, p, b, token=tok)

    status, r = a(
        "POST",
        "/commands/run",
        {
            "command": "bash",
            "args": ["-c", "echo hi | tr a-z A-Z"],
            "timeout": 30,
            "workdir": "/workspace",
        },
    )
    assert status == 200 and r["stdout"] == "HI\n" and r["exit_code"] == 0
    status, r = a("POST", "/commands/run", {"command": "exit 3"})
    assert status == 200 and r["exit_code"] == 3 and r["success"] is False
    assert a("POST", "/commands/run", {"command": "sleep 10", "timeout": 1})[0] == 408
    assert a("POST", "/commands/run", {})[0] == 400
    assert a("PUT", "/env", {"env_vars": {"A": "1", "B": "2"}})[0] == 200
    assert a("PATCH", "/env", {"env_vars": {"C": "3"}, "merge": True})[0] == 200
    status, env = a("GET", "/env")
    assert status == 200 and env["env_vars"] == {"A": "1", "B": "2", "C": "3"} and env["count"] == 3
    assert a("PUT", "/env", {"env_vars": {"A": 1}})[0] == 400
    assert a("DELETE", "/env")[0] == 200


def test_agent_after_kill(client):
    url = client.server.url
    status, sb = client.call("control", "POST", url, "/v1/sandboxes", {"template_name": "base"})
    assert status == 201
    assert client.call("control", "DELETE", url, f"/v1/sandboxes/{sb['id']}")[0] == 200
    status, r = client.call(
        "agent", "POST", sb["public_host"], "/execute", {"code": "print(1)"}, token=sb["auth_token"]
    )
    assert status == 404 and "not found" in r["error"].lower()


def test_agent_background_and_stream(client, sandbox):
    import time

    host, tok = sandbox["public_host"], sandbox["auth_token"]

    def a(m, p, b=None):
        return client.call("agent", m, host, p, b, token=tok)

    status, bg = a(
        "POST",
        "/execute/background",
        {"code": "import time\ntime.sleep(60)", "language": "python", "timeout": 120, "name": "s"},
    )
    assert status == 200 and bg["process_id"]
    status, quick = a("POST", "/execute/background", {"code": "echo hi", "language": "bash"})
    assert status == 200
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status, lst = a("GET", "/execute/processes")
        done = {p["process_id"]: p["status"] for p in lst["processes"]}
        if done.get(quick["process_id"]) == "completed" and done.get(bg["process_id"]) == "running":
            break
        time.sleep(0.2)
    assert a("GET", f"/execute/processes/{quick['process_id']}")[0] == 200
    assert a("GET", "/execute/processes/nope")[0] == 404
    # The three kill spellings: spec DELETE ?process_id=, SDKs' POST /{id}, newer spec POST body.
    assert a("DELETE", f"/execute/kill?process_id={bg['process_id']}")[0] == 200
    assert a("DELETE", "/execute/kill")[0] == 400
    assert a("DELETE", "/execute/kill?process_id=nope")[0] == 404
    assert a("POST", "/execute/kill/nope")[0] == 404
    assert a("POST", "/execute/kill", {"process_id": "nope"})[0] == 404
    assert a("POST", "/execute/background", {"language": "python"})[0] == 400
    # Not a WebSocket upgrade: the spec's 400 main.ErrorResponse.
    assert a("GET", "/execute/stream")[0] == 400

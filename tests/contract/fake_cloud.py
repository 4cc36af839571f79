#!/usr/bin/env python3
"""A scriptable fake HopX cloud on loopback, shared by the Python and Node contract suites.

It answers as ``reference/wire-api.md`` says the cloud does: a control plane (``X-API-Key``,
nested error bodies ``{"error": {"code", "message", "request_id", "details"}}``) on one port
and a sandbox agent (``Authorization: Bearer <token>``, flat error bodies ``{"error", "code",
"request_id"}``) on another, which every sandbox's ``public_host`` points at. Every response
carries ``X-Request-ID``; agent tokens expire, and a refresh revokes the token it replaces.

Run ``python fake_cloud.py``: it prints one JSON line ``{"control": url, "agent": url,
"api_key": key}`` and serves until stdin closes (so it never outlives the test process that
started it) or SIGTERM.
Test endpoints on the control port:

- ``POST /__scenario`` with ``{"name": <one of SCENARIOS>}`` (or a raw ``{"script": [...],
  "token_ttl": s}``): forgets all sandboxes, tokens and recorded requests, then queues the
  scenario's canned answers. Each canned answer is used once, in order, by the next request
  on its route; other requests get the normal answers.
- ``POST /__script`` with ``{"script": [...]}``: queues more canned answers, keeping the
  state (for a test that scripts an answer after it made a sandbox).
- ``POST /__config`` with any of ``{"agent_url": url}`` (the ``public_host`` of sandboxes
  created from now on), ``{"token_ttl": s}`` (of create's tokens) and ``{"status": {id:
  status}}`` (a sandbox's status, as if the cloud changed it).
- ``GET /__scenarios?lang=python|node``: the scenario names for that language (a scenario
  may say ``"only": <lang>``), so each suite can check that it covers them all.
- ``GET /__requests``: every request since the last reset, in order, as ``{plane, method,
  route, path, query, headers (lower-case names), body, status, request_id, at, dropped}``;
  ``status`` is None and ``dropped`` true when the connection was closed without an answer.
- ``GET /__tokens``: every agent token issued (create and refresh), in order.

Standard library only.
"""

import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import fake_terminal

API_KEY = "sk_test_contract"
# Tokens from create live a day, as the cloud's do: no refresh needed unless a scenario says.
DEFAULT_TOKEN_TTL = 24 * 3600
TEMPLATES = [
    {"id": "1", "name": "code-interpreter", "display_name": "Code Interpreter"},
    {"id": "2", "name": "base", "display_name": "Base"},
]

CREATE = "POST /v1/sandboxes"
LIST = "GET /v1/sandboxes"
GET = "GET /v1/sandboxes/{id}"
EXECUTE = "POST /execute"


def nested(status, code, message, details=None, headers=None):
    """A canned control-plane error (the body shape the official Python SDK parses)."""
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return {"status": status, "body": body, "headers": headers or {}}


def flat(status, code, message, headers=None, **extra):
    """A canned agent error (``main.ErrorResponse``: flat ``error`` string plus ``code``)."""
    body = {"error": message, "code": code, **extra}
    return {"status": status, "body": body, "headers": headers or {}}


# What GET /files/download answers: bytes that are not UTF-8 (nor base64 text).
FILE_BYTES = b"\x00\x01raw bytes\xff"


def on(route, answer, times=1):
    return [{"route": route, **answer} for _ in range(times)]


RATE_LIMIT_HEADERS = {"Retry-After": "1", "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0"}

# name -> {"script": [canned answers], "token_ttl": seconds for create's token}
SCENARIOS = {
    # Nothing scripted: the wire fields, headers and tokens of a normal session.
    "happy_path": {},
    # A wrong X-API-Key: the cloud's own 401 (nothing scripted, the test sends a bad key).
    "bad_api_key": {},
    # GET of an unknown sandbox: the cloud's own 404.
    "sandbox_not_found": {},
    # Create with an unknown template name: the cloud's own 404, then GET /v1/templates.
    "unknown_template": {},
    # One 429 with Retry-After: 1 on GET /v1/sandboxes/{id}, then the real answer.
    "rate_limited_get": {
        "script": on(
            GET,
            nested(
                429,
                "RATE_LIMIT_EXCEEDED",
                "Rate limit exceeded",
                {"retry_after_seconds": 1},
                RATE_LIMIT_HEADERS,
            ),
        )
    },
    # 429 on every attempt of a list: RateLimitError with retry_after from the body.
    "rate_limit_exhausted": {
        "script": on(
            LIST,
            nested(
                429,
                "RATE_LIMIT_EXCEEDED",
                "Rate limit exceeded",
                {"retry_after_seconds": 1},
                RATE_LIMIT_HEADERS,
            ),
            times=8,
        )
    },
    # An idempotent GET through 502 and 504: retried until the real answer.
    "gateway_errors_on_get": {
        "script": (
            on(GET, nested(502, "INTERNAL_ERROR", "Bad gateway"))
            + on(GET, nested(504, "INTERNAL_ERROR", "Gateway timeout"))
        )
    },
    # Create refused with 403 and a quota message.
    "resource_limit_on_create": {
        "script": on(
            CREATE,
            nested(
                403,
                "FORBIDDEN",
                "Sandbox limit reached: 10 of 10 running sandboxes",
                {
                    "limit": 10,
                    "current": 10,
                    "available": 0,
                    "upgrade_url": "https://console.hopx.dev/billing",
                },
            ),
        )
    },
    # No nodes available once: create is retried (nothing was created).
    "create_503_then_201": {
        "script": on(CREATE, nested(503, "SERVICE_UNAVAILABLE", "No nodes available"))
    },
    # Creation rate limit once: retried after Retry-After (nothing was created).
    "create_429_then_201": {
        "script": on(
            CREATE,
            nested(
                429,
                "RATE_LIMIT_EXCEEDED",
                "Sandbox creation rate limit exceeded",
                {"retry_after_seconds": 1},
                RATE_LIMIT_HEADERS,
            ),
        )
    },
    # A 502 or 504 on create may hide a created sandbox: never retried.
    "create_502": {"script": on(CREATE, nested(502, "INTERNAL_ERROR", "Bad gateway"))},
    "create_504": {"script": on(CREATE, nested(504, "INTERNAL_ERROR", "Gateway timeout"))},
    # The agent fails the run: the code may have run, so no retry.
    "execute_500": {"script": on(EXECUTE, flat(500, "INTERNAL_ERROR", "agent crashed"))},
    # A 503 from the agent: also never retried for /execute.
    "execute_503": {"script": on(EXECUTE, flat(503, "INTERNAL_ERROR", "agent overloaded"))},
    # A 429 from the agent proves nothing ran: retried after Retry-After.
    "execute_429": {
        "script": on(
            EXECUTE,
            flat(
                429, "RATE_LIMIT_EXCEEDED", "Too many requests", RATE_LIMIT_HEADERS, retry_after=1
            ),
        )
    },
    # The agent reads the run and closes the connection without answering.
    "execute_dropped": {"script": on(EXECUTE, {"drop": True})},
    # The run times out: 408 with the output gathered before the kill.
    "execute_timeout_408": {
        "script": on(
            EXECUTE,
            flat(
                408,
                "EXECUTION_TIMEOUT",
                "Execution timed out after 5s",
                stdout="partial line\n",
                stderr="warning: slow\n",
            ),
        )
    },
    # The agent refuses the token once (401 before anything runs): refresh, then one retry.
    "execute_401_then_refresh": {
        "script": on(EXECUTE, flat(401, "TOKEN_EXPIRED", "Token expired"))
    },
    # The agent refuses the refreshed token too: give up after one refresh.
    "execute_401_twice": {
        "script": on(EXECUTE, flat(401, "INVALID_TOKEN", "Invalid token"), times=2)
    },
    # File calls: a read through a 503 is retried; a remove through a 502 (it may have
    # happened) is not; a missing file is FileNotFoundError by its code.
    "files_read_503": {"script": on("GET /files/read", flat(503, "INTERNAL_ERROR", "busy"))},
    "files_remove_502": {
        "script": on("DELETE /files/remove", flat(502, "INTERNAL_ERROR", "bad gateway"))
    },
    "files_not_found": {
        "script": on("GET /files/read", flat(404, "FILE_NOT_FOUND", "File not found"))
    },
    # A command runs past its timeout: 408 with the output so far, and never sent again.
    "command_timeout_408": {
        "script": on(
            "POST /commands/run",
            flat(408, "EXECUTION_TIMEOUT", "Command timed out after 2 s", stdout="partial\n"),
        )
    },
    # The agent masks a secret's value: deleting another variable must not write the mask back.
    "env_masked": {"env": {"API_KEY": "***MASKED***", "A": "1"}},
    # The list answers at most 2 sandboxes a page, whatever the limit: iter follows the cursors.
    "paged_list": {"page_size": 2},
    # Create hands out a token that expires in 30 minutes: refreshed before the first run.
    "token_expiring_soon": {"token_ttl": 1800},
    # A background run fails at the agent: it may have started, so no retry.
    "background_500": {
        "script": on("POST /execute/background", flat(500, "INTERNAL_ERROR", "agent crashed"))
    },
}


def rfc3339(unix):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))


class Cloud:
    """All state, shared by both planes, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counter = 0
        self.agent_url = ""
        self.reset({})

    def reset(self, scenario):
        with self.lock:
            self.requests = []
            self.sandboxes = {}
            self.tokens = {}  # token -> unix expiry
            self.issued = []
            self.script = {}
            for answer in scenario.get("script", []):
                self.script.setdefault(answer["route"], []).append(answer)
            self.token_ttl = scenario.get("token_ttl", DEFAULT_TOKEN_TTL)
            self.env = dict(scenario.get("env", {}))
            self.page_size = scenario.get("page_size")

    def next_id(self):
        with self.lock:
            self.counter += 1
            return self.counter

    def issue_token(self, ttl):
        n = self.next_id()
        token = f"tok-{n}-{os.urandom(4).hex()}"
        expires = int(time.time()) + ttl
        with self.lock:
            self.tokens[token] = expires
            self.issued.append(token)
        return token, rfc3339(expires)

    def canned(self, route):
        with self.lock:
            queue = self.script.get(route)
            return queue.pop(0) if queue else None


CLOUD = Cloud()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the cloud's load balancer
    disable_nagle_algorithm = True  # TCP_NODELAY: no 40 ms stalls on small answers
    plane = "control"

    def log_message(self, *args):
        pass

    def _read(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return raw, json.loads(raw) if raw else None
        except ValueError:
            return raw, raw.decode("utf-8", "replace")

    def _handle(self):
        url = urlsplit(self.path)
        raw, body = self._read()
        if self.plane == "control" and url.path.startswith("/__"):
            return self._test_endpoint(url, body)
        route = self._route(url.path)
        entry = {
            "plane": self.plane,
            "method": self.command,
            "route": route,
            "path": url.path,
            "query": url.query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
            "status": None,
            "request_id": None,
            "at": time.time(),
            "dropped": False,
        }
        with CLOUD.lock:
            CLOUD.requests.append(entry)
        entry["request_id"] = rid = f"req_{CLOUD.next_id():06d}"
        canned = CLOUD.canned(route)
        if canned and canned.get("drop"):
            # The request was read in full (it may have started running); now vanish.
            entry["dropped"] = True
            time.sleep(0.2)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if canned:
            status, answer, headers = (
                canned["status"],
                json.loads(json.dumps(canned["body"])),
                canned.get("headers", {}),
            )
            if isinstance(answer.get("error"), dict):
                answer["error"].setdefault("request_id", rid)
            else:
                answer.setdefault("request_id", rid)
                answer.setdefault("timestamp", rfc3339(time.time()))
        elif self.plane == "control":
            status, answer, headers = self._control(route, url, body, rid)
        elif route == "GET /terminal":
            failed = self._token_error(rid)
            if failed is None and fake_terminal.accept(self):
                entry["status"], entry["body"] = 101, []

                def record(message):
                    with CLOUD.lock:
                        entry["body"].append(message)

                return fake_terminal.serve(self, record)
            status, answer, headers = failed or (
                400,
                {"error": "not a WebSocket handshake", "code": "INVALID_REQUEST"},
                {},
            )
        else:
            status, answer, headers = self._agent(route, body, rid)
        entry["status"] = status
        self._send(status, answer, headers, rid)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def _route(self, path):
        segs = path.strip("/").split("/")
        if self.plane == "control" and segs[:2] == ["v1", "sandboxes"]:
            if len(segs) == 2:
                return f"{self.command} /v1/sandboxes"
            rest = "/".join(segs[3:])
            return f"{self.command} /v1/sandboxes/{{id}}" + (f"/{rest}" if rest else "")
        if self.plane == "control" and segs[:2] == ["v1", "templates"] and len(segs) == 3:
            return f"{self.command} /v1/templates/{{name}}"
        return f"{self.command} {path}"

    def _send(self, status, body, headers, rid):
        raw = isinstance(body, bytes)
        data = body if raw else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream" if raw else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-ID", rid)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _test_endpoint(self, url, body):
        path, lang = url.path, parse_qs(url.query).get("lang", [None])[0]
        if self.command == "POST" and path == "/__scenario":
            body = body or {}
            if "name" in body:
                if body["name"] not in SCENARIOS:
                    return self._send(400, {"error": f"no scenario {body['name']!r}"}, {}, "-")
                scenario = SCENARIOS[body["name"]]
            else:
                scenario = body
            CLOUD.reset(scenario)
            return self._send(200, {"ok": True}, {}, "-")
        if self.command == "POST" and path == "/__script":
            with CLOUD.lock:
                for answer in (body or {}).get("script", []):
                    CLOUD.script.setdefault(answer["route"], []).append(answer)
            return self._send(200, {"ok": True}, {}, "-")
        if self.command == "POST" and path == "/__config":
            body = body or {}
            with CLOUD.lock:
                CLOUD.agent_url = body.get("agent_url", CLOUD.agent_url)
                CLOUD.token_ttl = body.get("token_ttl", CLOUD.token_ttl)
                for sid, status in body.get("status", {}).items():
                    CLOUD.sandboxes[sid]["status"] = status
            return self._send(200, {"ok": True}, {}, "-")
        with CLOUD.lock:
            answers = {
                "/__scenarios": lambda: sorted(
                    name for name, sc in SCENARIOS.items() if sc.get("only", lang) == lang
                ),
                "/__requests": lambda: list(CLOUD.requests),
                "/__tokens": lambda: list(CLOUD.issued),
            }
            make = answers.get(path)
            # A deep copy taken under the lock: handlers still fill in entries.
            data = json.loads(json.dumps(make())) if make else None
        if data is None:
            return self._send(404, {"error": f"no test endpoint {path}"}, {}, "-")
        self._send(200, data, {}, "-")

    # --- the control plane ---------------------------------------------------------------

    def _control(self, route, url, body, rid):
        def error(status, code, message, details=None):
            answer = nested(status, code, message, details)
            answer["body"]["error"]["request_id"] = rid
            return status, answer["body"], {}

        if route == "GET /health":  # open to anyone, as the cloud's
            return 200, {"status": "healthy"}, {}
        if self.headers.get("X-API-Key") != API_KEY:
            return error(401, "AUTHENTICATION_REQUIRED", "Missing or invalid API key")
        segs = url.path.strip("/").split("/")
        sid = segs[2] if len(segs) > 2 else ""
        body = body if isinstance(body, dict) else {}
        with CLOUD.lock:
            sandbox = CLOUD.sandboxes.get(sid)
        missing = error(404, "RESOURCE_NOT_FOUND", f"Sandbox {sid} not found")

        if route == CREATE:
            return self._create(body, rid, error)
        if route == LIST:
            # Cursor paging, as the cloud's: the cursor is the offset of the next page.
            query = parse_qs(url.query)
            limit = min(int(query.get("limit", ["100"])[0]), CLOUD.page_size or 1000)
            start = int(query.get("cursor", ["0"])[0])
            with CLOUD.lock:
                every = [public(s) for s in CLOUD.sandboxes.values()]
            data = every[start : start + limit]
            more = start + limit < len(every)
            return (
                200,
                {
                    "object": "list",
                    "data": data,
                    "has_more": more,
                    "next_cursor": str(start + limit) if more else None,
                    "url": "/v1/sandboxes",
                    "request_id": rid,
                },
                {},
            )
        if route == "GET /v1/templates":
            return (
                200,
                {
                    "object": "list",
                    "data": TEMPLATES,
                    "has_more": False,
                    "url": "/v1/templates",
                    "request_id": rid,
                },
                {},
            )
        if route == "GET /v1/templates/{name}":
            found = [t for t in TEMPLATES if t["name"] == segs[2]]
            if not found:
                return error(404, "TEMPLATE_NOT_FOUND", f"Template {segs[2]} not found")
            return 200, {**found[0], "request_id": rid}, {}
        if route == "DELETE /v1/templates/{name}":
            return 200, {"id": segs[2], "status": "deleted", "request_id": rid}, {}

        if sandbox is None:
            return missing
        if route == GET:
            return 200, {**public(sandbox), "request_id": rid}, {}
        if route == "DELETE /v1/sandboxes/{id}":
            with CLOUD.lock:
                CLOUD.sandboxes.pop(sid, None)
                CLOUD.tokens.pop(sandbox["auth_token"], None)
            return 200, {"status": "deleted", "id": sid, "request_id": rid}, {}
        if route == "POST /v1/sandboxes/{id}/token/refresh":
            token, expires = CLOUD.issue_token(DEFAULT_TOKEN_TTL)
            with CLOUD.lock:
                CLOUD.tokens.pop(sandbox["auth_token"], None)  # the old token stops working
                sandbox["auth_token"] = token
            return (
                200,
                {"id": sid, "auth_token": token, "token_expires_at": expires, "request_id": rid},
                {},
            )
        if route in ("POST /v1/sandboxes/{id}/pause", "POST /v1/sandboxes/{id}/resume"):
            with CLOUD.lock:
                sandbox["status"] = "paused" if route.endswith("/pause") else "running"
            return 200, {**public(sandbox), "request_id": rid}, {}
        if route == "PUT /v1/sandboxes/{id}/timeout":
            sandbox["timeout_seconds"] = body.get("timeout_seconds")
            return (
                200,
                {"id": sid, "timeout_seconds": body.get("timeout_seconds"), "request_id": rid},
                {},
            )
        return error(404, "RESOURCE_NOT_FOUND", f"No route {route}")

    def _create(self, body, rid, error):
        name = body.get("template_name")
        if "template_id" not in body and name not in [t["name"] for t in TEMPLATES]:
            return error(404, "RESOURCE_NOT_FOUND", "Template not found")
        sid = f"sb{CLOUD.next_id():04d}{os.urandom(3).hex()}"
        token, expires = CLOUD.issue_token(CLOUD.token_ttl)
        now = int(time.time())
        sandbox = {
            "id": sid,
            "object": "sandbox",
            "status": "running",
            "public_host": CLOUD.agent_url,
            "direct_url": CLOUD.agent_url,
            "template_id": body.get("template_id", "291"),
            "template_name": name or "code-interpreter",
            "organization_id": 7,
            "node_id": "node-1",
            "region": body.get("region", "us-east"),
            "resources": {"vcpu": 2, "memory_mb": 2048, "disk_mb": 10240},
            "internet_access": body.get("internet_access", True),
            "live_mode": False,
            "timeout_seconds": body.get("timeout_seconds"),
            "expires_at": None,
            "created_at": rfc3339(now),
            "auth_token": token,
        }
        with CLOUD.lock:
            CLOUD.sandboxes[sid] = sandbox
        return 201, {**sandbox, "token_expires_at": expires, "request_id": rid}, {}

    # --- the agent -------------------------------------------------------------------------

    def _token_error(self, rid):
        """The agent's answer to a missing, unknown or expired bearer token, else None."""
        auth = self.headers.get("Authorization") or ""
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else ""
        with CLOUD.lock:
            expires = CLOUD.tokens.get(token)
        if expires is not None and expires > time.time():
            return None
        code, message = (
            ("INVALID_TOKEN", "Invalid token")
            if expires is None
            else ("TOKEN_EXPIRED", "Token expired")
        )
        return (
            401,
            {"error": message, "code": code, "request_id": rid, "timestamp": rfc3339(time.time())},
            {},
        )

    def _agent(self, route, body, rid):
        def error(status, code, message):
            return (
                status,
                {
                    "error": message,
                    "code": code,
                    "request_id": rid,
                    "timestamp": rfc3339(time.time()),
                },
                {},
            )

        if route == "GET /health":
            return 200, {"status": "healthy", "version": "3.2.8"}, {}
        failed = self._token_error(rid)
        if failed:
            return failed
        body = body if isinstance(body, dict) else {}
        if route == EXECUTE:
            return (
                200,
                {
                    "stdout": f"ran: {body.get('code', '')}\n",
                    "stderr": "",
                    "exit_code": 0,
                    "success": True,
                    "execution_time": 0.01,
                    "language": body.get("language"),
                    "rich_outputs": [],
                    "timestamp": rfc3339(time.time()),
                },
                {},
            )
        if route == "POST /execute/background":
            n = CLOUD.next_id()
            return (
                200,
                {
                    "process_id": f"proc_{n}",
                    "execution_id": f"exec_{n}",
                    "status": "running",
                    "start_time": rfc3339(time.time()),
                    "name": body.get("name"),
                    "message": "Background execution started",
                },
                {},
            )
        if route == "POST /commands/run":
            line = (body.get("args") or [""])[-1]
            return (
                200,
                {
                    "stdout": f"ran: {line}\n",
                    "stderr": "",
                    "exit_code": 0,
                    "success": True,
                    "execution_time": 0.01,
                    "command": line,
                    "pid": 7,
                    "timestamp": rfc3339(time.time()),
                },
                {},
            )
        if route == "POST /commands/background":
            n = CLOUD.next_id()
            return 200, {"process_id": f"cmd_{n}", "status": "running"}, {}
        if route == "GET /env":
            with CLOUD.lock:
                return 200, {"env_vars": dict(CLOUD.env), "count": len(CLOUD.env)}, {}
        if route == "PATCH /env":
            with CLOUD.lock:
                CLOUD.env.update(body.get("env_vars") or {})
                return 200, {"env_vars": dict(CLOUD.env), "merge": True}, {}
        if route == "PUT /env":
            with CLOUD.lock:
                CLOUD.env = dict(body.get("env_vars") or {})
            # As the agents that answer 204: a success with nothing in it.
            return 200, {}, {}
        if route == "GET /files/read":
            return 200, {"content": "file text", "path": "/workspace/a", "size": 9}, {}
        if route == "GET /files/list":
            return (
                200,
                {
                    "path": "/workspace",
                    "count": 1,
                    "files": [
                        {
                            "name": "a",
                            "path": "/workspace/a",
                            "size": 9,
                            "is_directory": False,
                            "modified_time": "2025-01-01T00:00:00Z",
                            "permissions": "-rw-r--r--",
                        }
                    ],
                },
                {},
            )
        if route == "GET /files/exists":
            return 200, {"exists": True, "path": "/workspace/a"}, {}
        if route in (
            "POST /files/write",
            "POST /files/mkdir",
            "POST /files/upload",
            "DELETE /files/remove",
        ):
            return 200, {"success": True, "path": "/workspace/a", "size": 0, "message": "ok"}, {}
        if route == "GET /files/download":
            return 200, FILE_BYTES, {}
        if route == "GET /info":
            return 200, {"vm_id": "vm-1", "agent_version": "3.2.8", "features": {}}, {}
        if route == "GET /metrics/snapshot":
            return 200, {"uptime_seconds": 9, "total_executions": 3, "active_executions": 0}, {}
        if route == "GET /processes":
            return 200, {"processes": [{"pid": 1, "name": "init", "status": "sleeping"}]}, {}
        if route == "GET /jupyter/sessions":
            return 200, {"sessions": [{"kernel_id": "k1", "execution_state": "idle"}]}, {}
        if route == "POST /execute/ipython":
            return (
                200,
                {
                    "stdout": f"ipython: {body.get('code', '')}\n",
                    "stderr": "",
                    "exit_code": 0,
                    "success": True,
                    "execution_time": 0.01,
                    "timestamp": rfc3339(time.time()),
                },
                {},
            )
        if route == "POST /execute/async":
            return (
                202,
                {
                    "execution_id": f"exec_{CLOUD.next_id()}",
                    "status": "queued",
                    "callback_url": body.get("callback_url"),
                    "message": "queued",
                    "timestamp": rfc3339(time.time()),
                },
                {},
            )
        if route == "GET /cache/stats":
            return (
                200,
                {
                    "cache": {"size": 4, "max_size": 1000, "total_hits": 9, "ttl": "1h"},
                    "timestamp": rfc3339(time.time()),
                },
                {},
            )
        if route == "POST /cache/clear":
            return 200, {"message": "Cache cleared successfully", "entries_removed": 4}, {}
        return error(404, "NOT_FOUND", f"No route {route}")


def public(sandbox):
    """A sandbox record as GET and list return it: without the token."""
    return {k: v for k, v in sandbox.items() if k != "auth_token"}


class AgentHandler(Handler):
    plane = "agent"


def serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def main():
    control = serve(Handler)
    CLOUD.agent_url = serve(AgentHandler)
    print(
        json.dumps({"control": control, "agent": CLOUD.agent_url, "api_key": API_KEY}), flush=True
    )
    # Until whoever started us goes away (stdin closes) or SIGTERM ends the process.
    try:
        while sys.stdin.read(4096):
            pass
    except (OSError, ValueError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    main()

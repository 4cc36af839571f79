"""Checks one HTTP answer of hopx-local against the official OpenAPI documents.

`check(plane, method, path, status, body)` returns a list of problems (empty = conforms):

* the operation is found in the spec's `paths` (templated segments match anything);
* the status is one the spec lists for that operation, or one `wire-api.md` adds
  (see `EXTRA_STATUSES`);
* the body validates against that response's schema (`$ref`s resolved, OpenAPI 3.0
  semantics incl. `nullable` via openapi-schema-validator's OAS30Validator);
* where the spec is silent (free-form objects, untyped errors), the shape `wire-api.md`
  requires: the agent's flat `main.ErrorResponse` on every agent error, the control plane's
  nested-plus-flat error body, the five core execute fields, a `Sandbox` on token refresh,
  `{"status": "healthy"}` on the agent's `/health` (`"paused"` on a paused sandbox).
"""

import datetime
import hashlib
import json
import os
import pathlib
import re

from openapi_schema_validator import OAS30Validator

# The official documents are not copied into this repository (they are not ours to
# redistribute): they are read from the project's shared folder beside the checkout
# (`../shared/spec`, as CI lays it out) or from HOPX_SPEC_DIR, and pinned by SHA256SUMS.
SPEC_DIR = pathlib.Path(
    os.environ.get("HOPX_SPEC_DIR")
    or pathlib.Path(__file__).resolve().parents[3] / "shared" / "spec"
)
_PINS = pathlib.Path(__file__).resolve().parent / "spec" / "SHA256SUMS"


def _check_pins() -> None:
    for line in _PINS.read_text().splitlines():
        digest, name = line.split()
        path = SPEC_DIR / name
        if not path.is_file():
            raise RuntimeError(f"OpenAPI document {path} is missing (set HOPX_SPEC_DIR)")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != digest:
            raise RuntimeError(f"{path} is not the pinned version (sha256 {actual})")


_check_pins()
SPECS = {
    "control": json.loads((SPEC_DIR / "openapi_public.json").read_text()),
    "agent": json.loads((SPEC_DIR / "openapi_agent.json").read_text()),
}

# Statuses wire-api.md adds to what the spec lists, per (plane, method, spec path).
# "*" matches every operation of the plane.
EXTRA_STATUSES = {
    # B.0/B.1: a bad or missing bearer token is 401 on every authenticated agent endpoint; a
    # killed sandbox's agent answers 404 (DESIGN §4: "afterwards both planes answer 404").
    ("agent", "*", "*"): {401, 404},
    # D / B.1: EXECUTION_TIMEOUT is 408 ([D]); it is not retried by the SDKs.
    ("agent", "POST", "/execute"): {408},
    ("agent", "POST", "/commands/run"): {408},
    # A.3: [D] adds 404 for an unknown template on create, and 404 on set-timeout.
    # 403 + "limit" is how the official Python SDK recognises ResourceLimitError (A.1); a
    # 429 would be retried three times instead. Used for HOPX_LOCAL_MAX_SANDBOXES.
    ("control", "POST", "/v1/sandboxes"): {403, 404},
    ("control", "PUT", "/v1/sandboxes/{id}/timeout"): {404},
}

# Routes the official SDKs call that the spec spells differently (wire-api.md B.5): checked
# as the spec operation they stand for. GET /execute/processes/{id} is ours (one process of
# the list), checked against main.ProcessInfo.
ALIASES = [
    ("agent", "POST", re.compile(r"^/execute/kill/[^/]+$"), "delete", "/execute/kill"),
    ("agent", "POST", re.compile(r"^/execute/kill$"), "delete", "/execute/kill"),
    ("agent", "POST", re.compile(r"^/processes/[^/]+/kill$"), "delete", "/execute/kill"),
    # The JS SDK's runIpython: /execute's body and answer on another path (not in the spec).
    ("agent", "POST", re.compile(r"^/execute/ipython$"), "post", "/execute"),
]
# Each with a schema of the spec, or (for routes the SDKs call but the spec lacks) the fields
# wire-api.md gives their answer.
OWN_ROUTES = [
    (
        "agent",
        "GET",
        re.compile(r"^/execute/processes/[^/]+$"),
        "main.ProcessInfo",
        {200, 401, 404},
    ),
    # B.5: run_code_async / runCodeAsync.
    (
        "agent",
        "POST",
        re.compile(r"^/execute/async$"),
        {"execution_id", "status", "callback_url", "message", "timestamp"},
        {202, 400, 401, 404},
    ),
    # Ours: a preview URL of a port in the sandbox (the cloud's are made by the SDK, no call).
    ("agent", "POST", re.compile(r"^/preview-url$"), {"port", "url"}, {200, 400, 401, 404}),
]

# Answers with no operation in the spec: our 404 for unknown routes.
UNKNOWN_ROUTE_STATUSES = {404}


def _resolve(node, spec, seen=()):
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ValueError(f"recursive $ref {ref}")
            target = spec
            for part in ref.lstrip("#/").split("/"):
                target = target[part]
            return _resolve(target, spec, seen + (ref,))
        return {k: _resolve(v, spec, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, spec, seen) for v in node]
    return node


def _template_regex(path):
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")


_ROUTES = {
    plane: sorted(
        ((_template_regex(p), p) for p in spec["paths"]),
        # Literal paths win over templated ones (/v1/templates/build vs /v1/templates/{name}).
        key=lambda item: item[1].count("{"),
    )
    for plane, spec in SPECS.items()
}


def find_operation(plane, method, path):
    """The spec path template and operation object for a request, or (None, None)."""
    for a_plane, a_method, rx, spec_method, spec_path in ALIASES:
        if (a_plane, a_method) == (plane, method.upper()) and rx.match(path):
            return spec_path, SPECS[plane]["paths"][spec_path][spec_method]
    for rx, template in _ROUTES[plane]:
        if rx.match(path):
            op = SPECS[plane]["paths"][template].get(method.lower())
            if op is not None:
                return template, op
    return None, None


def response_schema(plane, op, status):
    resp = op.get("responses", {}).get(str(status))
    if resp is None:
        return None
    schema = resp.get("schema") or resp.get("content", {}).get("application/json", {}).get("schema")
    return _resolve(schema, SPECS[plane]) if schema else None


def schema_by_name(plane, name):
    return _resolve(SPECS[plane]["components"]["schemas"][name], SPECS[plane])


def validate(schema, body):
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
        for e in OAS30Validator(schema).iter_errors(body)
    ]


def _rfc3339(value):
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    except (TypeError, ValueError, AttributeError):
        return False


SANDBOX = "github_com_hopx_publicapi_pkg_models.Sandbox"


def _sandbox_contract(body):
    """What the official SDKs need from a Sandbox beyond the schema (wire-api A.2/A.4)."""
    out = []
    for key in ("id", "status", "public_host", "object"):
        if not isinstance(body.get(key), str) or not body.get(key):
            out.append(f"Sandbox.{key} must be a non-empty string")
    res = body.get("resources")
    if res is not None and not all(k in res for k in ("vcpu", "memory_mb", "disk_mb")):
        out.append("Sandbox.resources needs vcpu, memory_mb and disk_mb")
    for key in ("created_at", "expires_at", "token_expires_at"):
        if key in body and not _rfc3339(body[key]):
            out.append(f"Sandbox.{key} is not RFC 3339: {body[key]!r}")
    if ("auth_token" in body) != ("token_expires_at" in body):
        out.append("auth_token and token_expires_at come together")
    return out


def check(plane, method, path, status, body):
    problems = []
    method = method.upper()
    template, op = find_operation(plane, method, path)
    is_error = status >= 400

    own = next(
        (o for o in OWN_ROUTES if (o[0], o[1]) == (plane, method) and o[2].match(path)), None
    )
    if op is None and own is not None:
        if status not in own[4]:
            problems.append(f"status {status} not expected for our {method} {path}")
        if status < 400 and isinstance(own[3], str):
            problems += validate(schema_by_name(plane, own[3]), body)
        elif status < 400:
            missing = sorted(own[3] - set(body if isinstance(body, dict) else ()))
            if missing:
                problems.append(f"{method} {path} answer lacks {missing}")
    elif op is None:
        if status not in UNKNOWN_ROUTE_STATUSES:
            problems.append(f"no operation in the spec and status {status} is not a 404")
    else:
        listed = {int(s) for s in op.get("responses", {}) if s.isdigit()}
        extra = EXTRA_STATUSES.get((plane, "*", "*"), set()) | EXTRA_STATUSES.get(
            (plane, method, template), set()
        )
        if status not in listed | extra:
            problems.append(
                f"status {status} not listed for {method} {template} (spec: {sorted(listed)})"
            )
        schema = response_schema(plane, op, status)
        if schema is not None:
            problems += validate(schema, body)

    if not isinstance(body, dict):
        return problems + [f"body is not a JSON object: {str(body)[:80]}"]

    # Error bodies, whatever the spec lists for that status.
    if is_error and plane == "agent":
        problems += validate(schema_by_name("agent", "main.ErrorResponse"), body)
        for key in ("error", "code"):
            if not isinstance(body.get(key), str) or not body[key]:
                problems.append(f"agent error body needs a non-empty string {key!r}")
        if not _rfc3339(body.get("timestamp")):
            problems.append("agent error body needs an RFC 3339 timestamp")
    if is_error and plane == "control":
        err = body.get("error")
        if (
            not isinstance(err, dict)
            or not isinstance(err.get("message"), str)
            or not err.get("code")
        ):
            problems.append("control error body needs error.{code,message} (official Python)")
        if not isinstance(body.get("code"), str) or not isinstance(body.get("message"), str):
            problems.append("control error body needs top-level code and message (official JS)")
    if is_error:
        return problems

    # Success bodies: what wire-api.md asks where the spec is silent.
    if (
        plane == "control"
        and template in ("/v1/sandboxes", "/v1/sandboxes/{id}")
        and method in ("POST", "GET")
        and "data" not in body
    ):
        problems += _sandbox_contract(body)
        if method == "POST" and not ("auth_token" in body and "token_expires_at" in body):
            problems.append("create must return auth_token and token_expires_at")
    if plane == "control" and template == "/v1/sandboxes" and method == "GET":
        for item in body.get("data") or []:
            problems += _sandbox_contract(item)
    if plane == "control" and template == "/v1/sandboxes/{id}/token/refresh":
        problems += validate(schema_by_name("control", SANDBOX), body)
        if not isinstance(body.get("auth_token"), str) or not _rfc3339(
            body.get("token_expires_at")
        ):
            problems.append("token refresh must return auth_token and an RFC 3339 token_expires_at")
    if plane == "control" and template == "/v1/templates":
        for item in body.get("data") or []:
            for key in ("id", "name", "display_name"):
                if not isinstance(item.get(key), str):
                    problems.append(f"TemplateListItem.{key} must be a string (official Python)")
    # A paused sandbox says so, so that is_healthy() is False for it in every SDK; the official
    # Python SDK waits for "healthy" only after create and resume, never on a paused sandbox.
    if (
        plane == "agent"
        and template == "/health"
        and body.get("status") not in ("healthy", "paused")
    ):
        problems.append(
            'agent /health must say {"status": "healthy"} (official Python waits for it)'
        )
    if plane == "agent" and template == "/execute":
        for key, kind in (
            ("success", bool),
            ("stdout", str),
            ("stderr", str),
            ("exit_code", int),
            ("execution_time", (int, float)),
            ("timestamp", str),
            ("language", str),
        ):
            if not isinstance(body.get(key), kind):
                problems.append(f"execute result needs {key} ({kind})")
        if body.get("success") is not (body.get("exit_code") == 0 and "error" not in body):
            problems.append("success must be exit_code == 0 and no error")
    if (
        plane == "agent"
        and template == "/execute/background"
        and not isinstance(body.get("process_id"), str)
    ):
        problems.append("background start needs process_id (both SDKs read it)")
    if (
        plane == "agent"
        and template == "/execute/processes"
        and not isinstance(body.get("processes"), list)
    ):
        problems.append("process list needs processes[] (both SDKs read it)")
    if plane == "agent" and template == "/env" and method in ("PUT", "PATCH", "DELETE"):
        problems += validate(schema_by_name("agent", "main.EnvVarsResponse"), body)
    return problems


def check_recording_line(line):
    rec = json.loads(line)
    return rec, check(rec["plane"], rec["method"], rec["path"], rec["status"], rec["body"])

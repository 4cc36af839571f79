"""The error classes: parity with the core's table, attributes, pickling, and each class
raised by a real scenario (the local engine where it produces one, else a stub server)."""

import builtins
import pickle

import pytest

import hopx_ai
from hopx_ai import Sandbox, _native, errors


def test_every_core_kind_has_a_class_with_the_same_parent():
    kinds = _native.error_kinds()
    assert len(kinds) == 18
    for name, parent in kinds:
        cls = getattr(errors, name)
        assert getattr(hopx_ai, name) is cls
        assert name in errors.__all__ and name in hopx_ai.__all__
        assert issubclass(cls, errors.HopxError)
        if parent is None:
            assert cls is errors.HopxError
        else:
            assert cls.__bases__[0] is getattr(errors, parent)
    assert {n for n, _ in kinds} == set(errors.__all__)


def test_timeout_error_is_also_the_builtin():
    assert issubclass(errors.TimeoutError, builtins.TimeoutError)
    assert issubclass(errors.TimeoutError, errors.NetworkError)
    with pytest.raises(builtins.TimeoutError):
        raise errors.TimeoutError("slow", stdout="a", stderr="")


@pytest.mark.parametrize("name", errors.__all__)
def test_every_class_pickles_with_its_attributes(name):
    cls = getattr(errors, name)
    err = cls("boom", code="X", request_id="req", status_code=499, details={"k": 1})
    for attr in cls._accepted:
        setattr(err, attr, f"v-{attr}")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls
    assert (
        str(back) == str(err) == "boom (code: X) [request_id: req]"
        or name == "TemplateNotFoundError"
    )
    for attr in ("message", "code", "request_id", "status_code", "details", *cls._accepted):
        assert getattr(back, attr) == getattr(err, attr), attr


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError):
        errors.HopxError("x", nope=1)


def test_template_not_found_from_the_engine():
    with pytest.raises(errors.TemplateNotFoundError) as info:
        Sandbox.create(template="code-interpretr")
    err = info.value
    assert err.status_code == 404
    assert err.template_name == "code-interpretr"
    assert "code-interpreter" in err.available_templates
    assert err.suggested_template == "code-interpreter"
    assert isinstance(err, errors.NotFoundError)
    back = pickle.loads(pickle.dumps(err))
    assert back.suggested_template == "code-interpreter"


def test_not_found_for_unknown_sandbox():
    with pytest.raises(errors.NotFoundError) as info:
        Sandbox.connect("no-such-sandbox")
    assert info.value.status_code == 404
    assert isinstance(info.value.details, dict)


def test_validation_from_the_core_and_the_engine(sandbox):
    with pytest.raises(errors.ValidationError) as info:
        sandbox.run_code("1", timeout=301)
    assert "between 1 and 300" in str(info.value)
    with pytest.raises(errors.ValidationError) as info:
        sandbox.run_code("1", language="cobol")
    assert info.value.status_code == 400
    assert "python" in str(info.value)


def test_network_error_when_nothing_listens():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(errors.NetworkError) as info:
        Sandbox.list(base_url=f"http://127.0.0.1:{port}")
    assert not isinstance(info.value, errors.TimeoutError)


# Control-plane answers the local engine never gives: status, body -> class.
CONTROL = [
    (401, {"error": {"message": "bad key", "code": "UNAUTHORIZED"}}, "AuthenticationError"),
    (401, {"error": {"message": "x", "code": "TOKEN_EXPIRED"}}, "TokenExpiredError"),
    (402, {"error": {"message": "pay"}}, "APIError"),
    (403, {"error": {"message": "Sandbox limit reached"}}, "ResourceLimitError"),
    (410, {"error": {"message": "gone"}}, "SandboxExpiredError"),
    (500, {"error": {"message": "oops", "code": "INTERNAL_ERROR"}}, "ServerError"),
]


@pytest.mark.parametrize("status,body,name", CONTROL)
def test_control_plane_statuses(stub, status, body, name):
    body["error"]["request_id"] = "req_body"
    body["error"]["details"] = {"why": "test"}
    stub.answer = (status, body, {"X-Request-ID": "req_hdr"})
    with pytest.raises(errors.HopxError) as info:
        Sandbox.list(base_url=stub.url, api_key="k")
    err = info.value
    assert type(err) is getattr(errors, name)
    assert err.status_code == status
    assert err.request_id == "req_hdr"
    assert err.details == {"why": "test"}
    assert err.message == body["error"]["message"]


def test_rate_limit_carries_retry_after(stub):
    body = {
        "error": {
            "message": "slow down",
            "code": "RATE_LIMIT_EXCEEDED",
            "details": {"retry_after_seconds": 0},
        }
    }
    stub.answer = (429, body, {"Retry-After": "0"})
    with pytest.raises(errors.RateLimitError) as info:
        Sandbox.list(base_url=stub.url, api_key="k")
    assert info.value.retry_after == 0


# Agent answers to POST /execute: code -> class.
AGENT = [
    ("EXECUTION_FAILED", 500, "CodeExecutionError"),
    ("COMMAND_FAILED", 500, "CommandExecutionError"),
    ("FILE_NOT_FOUND", 404, "FileNotFoundError"),
    ("PATH_NOT_ALLOWED", 403, "FileOperationError"),
    ("SOMETHING_ELSE", 409, "AgentError"),
]


@pytest.mark.parametrize("code,status,name", AGENT)
def test_agent_codes(stub, code, status, name):
    sandbox = Sandbox.create(base_url=stub.url, api_key="k")
    stub.answer = (status, {"error": f"agent says {code}", "code": code}, {})
    with pytest.raises(errors.AgentError) as info:
        sandbox.run_code("print(1)")
    err = info.value
    assert type(err) is getattr(errors, name)
    assert err.code == code
    assert err.message == f"agent says {code}"


def test_hopx_base_error_for_a_stopped_sandbox(stub):
    stub.answer = (200, {"id": "s1", "status": "stopped"}, {})
    with pytest.raises(errors.HopxError) as info:
        Sandbox.connect("s1", base_url=stub.url, api_key="k")
    assert type(info.value) is errors.HopxError
    assert "stopped" in str(info.value)

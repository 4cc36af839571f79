"""Bad input gets a clear Python error naming the argument, before any request."""

import pytest

from hopx_ai import AsyncSandbox, Sandbox, ValidationError


@pytest.mark.parametrize(
    "kwargs,error,words",
    [
        (dict(code=b"print(1)"), TypeError, "code must be a str"),
        (dict(code=None), TypeError, "code must be a str"),
        (dict(code="1", timeout="10"), TypeError, "timeout must be a number"),
        (dict(code="1", timeout=True), TypeError, "timeout must be a number"),
        (dict(code="1", timeout=0), ValidationError, "timeout must be a positive"),
        (dict(code="1", timeout=-5), ValidationError, "timeout must be a positive"),
        (dict(code="1", timeout=float("nan")), ValidationError, "timeout must be a positive"),
        (dict(code="1", timeout=301), ValidationError, "between 1 and 300"),
        (dict(code="1", env={"A": 1}), TypeError, "env['A'] must be a str"),
        (dict(code="1", env={1: "a"}), TypeError, "env keys must be str"),
        (dict(code="1", env=["A=1"]), TypeError, "env must be a dict"),
        (dict(code="1", env={"A=B": "1"}), ValidationError, "invalid environment variable name"),
        (dict(code="1", language=None), TypeError, "language must be a str"),
        (dict(code="1", working_dir=3), TypeError, "working_dir must be a str"),
    ],
)
def test_run_code_arguments(sandbox, kwargs, error, words):
    code = kwargs.pop("code")
    with pytest.raises(error) as info:
        sandbox.run_code(code, **kwargs)
    assert words in str(info.value)


def test_fractional_timeout_rounds_up(sandbox):
    assert sandbox.run_code("print(1)", timeout=0.5).stdout == "1\n"


def test_unknown_keywords_are_type_errors(sandbox):
    with pytest.raises(TypeError):
        sandbox.run_code("1", timeout_secs=3)
    with pytest.raises(TypeError):
        sandbox.run_code("1", "python")  # keyword-only
    with pytest.raises(TypeError):
        Sandbox.create(templat="base")
    with pytest.raises(TypeError):
        AsyncSandbox.create(nope=1)


@pytest.mark.parametrize(
    "kwargs,words",
    [
        (dict(template=1), "template must be a str"),
        (dict(env_vars={"A": 2}), "env_vars['A'] must be a str"),
        (dict(internet_access="yes"), "internet_access must be a bool"),
        (dict(timeout_seconds="1h"), "timeout_seconds must be a number"),
        (dict(api_key=123), "api_key must be a str"),
    ],
)
def test_create_arguments(kwargs, words):
    with pytest.raises(TypeError) as info:
        Sandbox.create(**kwargs)
    assert words in str(info.value)


def test_connect_needs_a_string_id():
    with pytest.raises(TypeError):
        Sandbox.connect(42)

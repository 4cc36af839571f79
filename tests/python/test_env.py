"""``sandbox.env`` on Sandbox and AsyncSandbox, against the embedded engine: the six official
calls and what they return, the variables reaching every later run (the running kernel, a
one-shot bash run, a background run) under a run's own ``env``, which wins and does not
stay, ``create(env_vars=...)`` filling the same store, and bad arguments."""

import asyncio
import time

import pytest

import hopx_ai
from hopx_ai import AsyncEnv, AsyncSandbox, Env, Sandbox, ValidationError


@pytest.fixture(scope="module")
def sb():
    with Sandbox.create(template="code-interpreter", env_vars={"FROM_CREATE": "c"}) as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def clean(sb):
    sb.env.set_all({"FROM_CREATE": "c"})


def test_resource_is_made_once_per_handle(sb):
    assert isinstance(sb.env, Env)
    assert sb.env is sb.env
    assert hopx_ai.Env is Env and hopx_ai.AsyncEnv is AsyncEnv
    assert Env.set_all.__qualname__ == "Env.set_all"


def test_the_six_calls_and_what_they_return(sb):
    env = sb.env
    assert env.get_all() == {"FROM_CREATE": "c"}, "create(env_vars=...) fills the store"
    assert env.set("A", "1") == {"FROM_CREATE": "c", "A": "1"}
    assert env.update({"B": "2", "A": "one"}) == {"FROM_CREATE": "c", "A": "one", "B": "2"}
    assert env.get("A") == "one"
    assert env.get("MISSING") is None
    assert env.get("MISSING", "fallback") == "fallback"
    assert env.set_all({"ONLY": "x y=z", "EMPTY": ""}) == {"ONLY": "x y=z", "EMPTY": ""}
    assert env.get_all() == {"ONLY": "x y=z", "EMPTY": ""}, "set_all replaced the others"
    assert env.delete("ONLY") is None
    assert env.get_all() == {"EMPTY": ""}
    env.delete("ONLY")  # not set: nothing happens
    assert env.get_all() == {"EMPTY": ""}
    assert env.set("UNICODE", "héllo ✓") and env.get("UNICODE") == "héllo ✓"
    assert env.get_all(timeout=5)["UNICODE"] == "héllo ✓"


def test_variables_reach_the_running_kernel_and_a_request_env_wins(sb):
    def late(**kw):
        return sb.run_code("import os; print(os.getenv('LATE'))", **kw).stdout

    # The kernel is running already (the module's sandbox made it); set a variable after it.
    assert late() == "None\n"
    sb.env.set("LATE", "global")
    assert late() == "global\n"
    assert late(env={"LATE": "request"}) == "request\n", "a run's own env wins"
    assert late() == "global\n", "and does not stay"
    sb.env.delete("LATE")
    assert late() == "None\n", "a deleted one is gone"


def test_variables_reach_one_shot_and_background_runs(sb):
    sb.env.update({"G1": "one", "G2": "two"})
    out = sb.run_code('echo "$G1 $G2 $FROM_CREATE"', language="bash", env={"G2": "mine"})
    assert out.stdout == "one mine c\n"
    out = sb.run_code("console.log(process.env.G1)", language="javascript")
    assert out.stdout == "one\n"
    started = sb.run_code_background('echo "$G1-$G2"', language="bash")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = [p for p in sb.list_processes() if p["process_id"] == started["process_id"]]
        if done and done[0].get("status") not in ("running", "queued"):
            break
        time.sleep(0.05)
    assert done[0]["stdout"] == "one-two\n", done


def test_bad_arguments_fail_before_any_request(sb):
    with pytest.raises(TypeError, match="env_vars"):
        sb.env.set_all(["A=1"])
    with pytest.raises(TypeError, match="env_vars"):
        sb.env.update({"A": 1})
    with pytest.raises(TypeError, match="key"):
        sb.env.get(None)
    with pytest.raises(TypeError, match="value"):
        sb.env.set("A", 1)
    for bad in ("", "A=B", "A\0"):
        with pytest.raises(ValidationError):
            sb.env.set(bad, "x")
        with pytest.raises(ValidationError):
            sb.env.set_all({bad: "x"})
    with pytest.raises(ValidationError, match="NUL"):
        sb.env.set("A", "x\0y")
    with pytest.raises(ValidationError, match="timeout"):
        sb.env.get_all(timeout=0)
    assert sb.env.get_all() == {"FROM_CREATE": "c"}, "nothing was sent"


def test_async_flavour():
    async def main():
        async with AsyncSandbox.create(template="base") as sandbox:
            assert isinstance(sandbox.env, AsyncEnv)
            assert await sandbox.env.get_all() == {}
            assert await sandbox.env.set("K", "v") == {"K": "v"}
            both = await asyncio.gather(sandbox.env.get("K"), sandbox.env.update({"L": "w"}))
            assert both == ["v", {"K": "v", "L": "w"}]
            out = await sandbox.run_code('echo "$K$L"', language="bash")
            assert out.stdout == "vw\n"
            await sandbox.env.delete("K")
            assert await sandbox.env.get_all() == {"L": "w"}

    asyncio.run(main())


def test_a_killed_sandbox_raises():
    sandbox = Sandbox.create(template="base")
    sandbox.kill()
    with pytest.raises(hopx_ai.NotFoundError):
        sandbox.env.get_all()

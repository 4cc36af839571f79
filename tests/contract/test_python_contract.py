"""``hopx_ai`` against the HopX cloud's contract, played by ``fake_cloud.py`` on loopback.

Each test runs one scenario of the fake and checks what the user sees (the exact error class
and its attributes) and what went over the wire (from the fake's request log): how many times
``/execute`` arrived, which tokens and keys were sent where, what was retried and what was
not. ``node_contract.test.mjs`` runs the same scenarios through ``@hopx-ai/sdk``.
"""

import asyncio
import builtins
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import hopx_ai
from hopx_ai import AsyncSandbox, Sandbox, errors

CREATE = "POST /v1/sandboxes"
LIST = "GET /v1/sandboxes"
GET = "GET /v1/sandboxes/{id}"
REFRESH = "POST /v1/sandboxes/{id}/token/refresh"
TEMPLATES = "GET /v1/templates"
EXECUTE = "POST /execute"


def create(fake, template="code-interpreter", api_key=None, **kwargs):
    """``Sandbox.create`` on the fake cloud, with its API key unless another is given."""
    return Sandbox.create(template, api_key=api_key or fake.api_key, base_url=fake.url, **kwargs)


def raises(name, call):
    """Runs ``call``; it must raise exactly ``hopx_ai.errors.<name>``. Returns the error."""
    with pytest.raises(errors.HopxError) as info:
        call()
    err = info.value
    cls = getattr(errors, name)
    assert type(err) is cls, f"expected {name}, got {type(err).__name__}: {err}"
    assert type(err).__name__ == name
    assert getattr(hopx_ai, name) is cls
    assert isinstance(err.details, dict)
    return err


def bearer(token):
    return f"Bearer {token}"


def assert_keys_where_they_belong(fake):
    """X-API-Key on every control-plane request and never on the agent, which gets a bearer."""
    issued = set(fake.tokens())
    for r in fake.requests():
        if r["plane"] == "control":
            assert r["headers"].get("x-api-key") == fake.api_key, r["route"]
            assert "authorization" not in r["headers"], r["route"]
        else:
            assert "x-api-key" not in r["headers"], f"API key sent to the agent: {r['route']}"
            token = r["headers"]["authorization"].removeprefix("Bearer ")
            assert token in issued, r["route"]


# --- sessions that work -------------------------------------------------------------------


@pytest.mark.scenario("happy_path")
def test_happy_path_sends_the_wire_fields_to_the_right_plane(fake):
    sb = create(fake, region="eu-west", timeout_seconds=600)
    result = sb.run_code("print(1)")
    assert result.success and result.exit_code == 0
    assert result.stdout == "ran: print(1)\n"
    result = sb.run_code("echo $A", language="bash", timeout=30, env={"A": "1"}, working_dir="/tmp")
    assert result.stdout == "ran: echo $A\n"
    info = sb.get_info()
    assert info.sandbox_id == sb.sandbox_id and info.status == "running"
    sb.kill()

    assert fake.routes() == [CREATE, EXECUTE, EXECUTE, GET, "DELETE /v1/sandboxes/{id}"]
    (made,) = fake.on(CREATE)
    assert made["body"] == {
        "template_name": "code-interpreter",
        "region": "eu-west",
        "timeout_seconds": 600,
    }
    first, second = fake.on(EXECUTE)
    assert first["plane"] == second["plane"] == "agent", "public_host is the agent's port"
    assert first["body"] == {
        "language": "python",
        "code": "print(1)",
        "workdir": "/workspace",
        "timeout": 120,
    }
    assert second["body"] == {
        "language": "bash",
        "code": "echo $A",
        "workdir": "/tmp",
        "timeout": 30,
        "env": {"A": "1"},
    }
    (token,) = fake.tokens()
    assert first["headers"]["authorization"] == bearer(token)
    assert second["headers"]["authorization"] == bearer(token)
    assert_keys_where_they_belong(fake)


@pytest.mark.scenario("token_expiring_soon")
def test_a_token_with_30_minutes_left_is_refreshed_once_before_the_first_runs(fake):
    sb = create(fake)
    # Four runs at once (the GIL is released while they wait): they share one refresh.
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: sb.run_code(f"run {i}"), range(4)))
    assert sorted(r.stdout for r in results) == [f"ran: run {i}\n" for i in range(4)]
    assert sb.run_code("later").success
    assert fake.routes() == [CREATE, REFRESH] + [EXECUTE] * 5
    old, new = fake.tokens()
    for run in fake.on(EXECUTE):
        assert run["headers"]["authorization"] == bearer(new)
    assert_keys_where_they_belong(fake)


@pytest.mark.scenario("execute_401_then_refresh")
def test_agent_401_refreshes_once_and_runs_once_more(fake):
    sb = create(fake)
    assert sb.run_code("x = 1").stdout == "ran: x = 1\n"
    assert fake.routes() == [CREATE, EXECUTE, REFRESH, EXECUTE]
    refused, retried = fake.on(EXECUTE)
    assert refused["status"] == 401 and retried["status"] == 200
    old, new = fake.tokens()
    assert refused["headers"]["authorization"] == bearer(old)
    assert retried["headers"]["authorization"] == bearer(new)
    assert_keys_where_they_belong(fake)


@pytest.mark.scenario("rate_limited_get")
def test_429_on_a_get_waits_for_retry_after_then_succeeds(fake):
    sb = create(fake)
    assert sb.get_info().sandbox_id == sb.sandbox_id
    limited, ok = fake.on(GET)
    assert (limited["status"], ok["status"]) == (429, 200)
    assert ok["at"] - limited["at"] >= 0.9, "Retry-After: 1 was not honoured"


@pytest.mark.scenario("gateway_errors_on_get")
def test_502_and_504_on_an_idempotent_get_are_retried(fake):
    sb = create(fake)
    assert sb.get_info().status == "running"
    assert [r["status"] for r in fake.on(GET)] == [502, 504, 200]


@pytest.mark.scenario("create_503_then_201")
def test_503_on_create_is_retried_once_and_the_sandbox_works(fake):
    sb = create(fake)
    assert [r["status"] for r in fake.on(CREATE)] == [503, 201]
    assert sb.run_code("1").success
    (token,) = fake.tokens()
    assert fake.on(EXECUTE)[0]["headers"]["authorization"] == bearer(token)


@pytest.mark.scenario("create_429_then_201")
def test_429_on_create_waits_for_retry_after_then_creates_once(fake):
    sb = create(fake)
    limited, made = fake.on(CREATE)
    assert (limited["status"], made["status"]) == (429, 201)
    assert made["at"] - limited["at"] >= 0.9, "Retry-After: 1 was not honoured"
    assert len(fake.tokens()) == 1 and sb.run_code("1").success


@pytest.mark.scenario("execute_429")
def test_429_on_execute_is_retried_because_nothing_ran(fake):
    sb = create(fake)
    assert sb.run_code("1").success
    limited, ok = fake.on(EXECUTE)
    assert (limited["status"], ok["status"]) == (429, 200)
    assert ok["at"] - limited["at"] >= 0.9, "Retry-After: 1 was not honoured"


# --- control-plane errors (nested bodies) --------------------------------------------------


@pytest.mark.scenario("bad_api_key")
def test_wrong_api_key_is_an_authentication_error(fake):
    err = raises("AuthenticationError", lambda: create(fake, api_key="sk_wrong"))
    (made,) = fake.on(CREATE)
    assert made["headers"]["x-api-key"] == "sk_wrong"
    assert err.status_code == 401
    assert err.code == "AUTHENTICATION_REQUIRED"
    assert err.message == "Missing or invalid API key"
    assert err.request_id == made["request_id"]
    assert isinstance(err, errors.APIError)


@pytest.mark.scenario("sandbox_not_found")
def test_unknown_sandbox_is_not_found_from_the_nested_body(fake):
    err = raises(
        "NotFoundError",
        lambda: Sandbox.connect("sb-missing", api_key=fake.api_key, base_url=fake.url),
    )
    (got,) = fake.on(GET)
    assert got["path"] == "/v1/sandboxes/sb-missing"
    assert err.status_code == 404
    assert err.code == "RESOURCE_NOT_FOUND"
    assert err.message == "Sandbox sb-missing not found"
    assert err.request_id == got["request_id"]


@pytest.mark.scenario("unknown_template")
def test_unknown_template_lists_the_templates_that_exist(fake):
    err = raises("TemplateNotFoundError", lambda: create(fake, "code-interpreterr"))
    assert fake.routes() == [CREATE, TEMPLATES]
    assert isinstance(err, errors.NotFoundError)
    assert err.status_code == 404
    assert err.code == "RESOURCE_NOT_FOUND"
    assert err.request_id == fake.on(CREATE)[0]["request_id"]
    assert err.template_name == "code-interpreterr"
    assert list(err.available_templates) == ["code-interpreter", "base"]
    assert err.suggested_template == "code-interpreter"
    assert "code-interpreterr" in err.message


@pytest.mark.scenario("rate_limit_exhausted")
def test_429_that_persists_is_a_rate_limit_error_with_retry_after(fake):
    started = time.monotonic()
    err = raises("RateLimitError", lambda: Sandbox.list(api_key=fake.api_key, base_url=fake.url))
    lists = fake.on(LIST)
    assert len(lists) == 4, "four attempts in all"
    assert time.monotonic() - started >= 2.7, "each retry waited Retry-After: 1"
    assert err.status_code == 429
    assert err.code == "RATE_LIMIT_EXCEEDED"
    assert err.message == "Rate limit exceeded"
    assert err.retry_after == 1
    assert err.details == {"retry_after_seconds": 1}
    assert err.request_id == lists[-1]["request_id"]


@pytest.mark.scenario("resource_limit_on_create")
def test_403_with_a_limit_is_a_resource_limit_error(fake):
    err = raises("ResourceLimitError", lambda: create(fake))
    (made,) = fake.on(CREATE)
    assert err.status_code == 403
    assert err.code == "FORBIDDEN"
    assert err.message == "Sandbox limit reached: 10 of 10 running sandboxes"
    assert err.request_id == made["request_id"]
    assert err.details["upgrade_url"] == "https://console.hopx.dev/billing"
    assert (err.limit, err.current, err.available) == (10, 10, 0)
    assert err.upgrade_url == "https://console.hopx.dev/billing"


@pytest.mark.scenario("create_502")
def test_502_on_create_is_not_retried(fake):
    err = raises("ServerError", lambda: create(fake))
    (made,) = fake.on(CREATE)
    assert err.status_code == 502
    assert err.code == "INTERNAL_ERROR"
    assert err.message == "Bad gateway"
    assert err.request_id == made["request_id"]
    assert fake.tokens() == [], "no sandbox was made"


@pytest.mark.scenario("create_504")
def test_504_on_create_is_not_retried(fake):
    err = raises("ServerError", lambda: create(fake))
    (made,) = fake.on(CREATE)
    assert (err.status_code, err.message) == (504, "Gateway timeout")
    assert err.request_id == made["request_id"]


# --- agent errors (flat bodies): /execute is never sent twice -------------------------------


@pytest.mark.scenario("execute_500")
def test_500_on_execute_is_a_server_error_and_not_retried(fake):
    sb = create(fake)
    err = raises("ServerError", lambda: sb.run_code("launch_missiles()"))
    (run,) = fake.on(EXECUTE)
    assert err.status_code == 500
    assert err.code == "INTERNAL_ERROR"
    assert err.message == "agent crashed"
    assert err.request_id == run["request_id"]


@pytest.mark.scenario("background_500")
def test_500_on_a_background_run_is_a_server_error_and_not_retried(fake):
    sb = create(fake)
    err = raises("ServerError", lambda: sb.run_code_background("import time; time.sleep(60)"))
    (run,) = fake.on("POST /execute/background")
    assert (err.status_code, err.message) == (500, "agent crashed")
    assert err.request_id == run["request_id"]
    # The next background run is the only other one sent.
    started = sb.run_code_background("print(1)", name="second")
    assert started["process_id"].startswith("proc_")
    assert len(fake.on("POST /execute/background")) == 2


@pytest.mark.scenario("execute_503")
def test_503_on_execute_is_not_retried(fake):
    sb = create(fake)
    err = raises("ServerError", lambda: sb.run_code("charge_card()"))
    (run,) = fake.on(EXECUTE)
    assert err.status_code == 503
    assert err.message == "agent overloaded"
    assert err.request_id == run["request_id"]


@pytest.mark.scenario("execute_dropped")
def test_connection_dropped_mid_execute_is_a_network_error_and_not_retried(fake):
    sb = create(fake)
    started = time.monotonic()
    err = raises("NetworkError", lambda: sb.run_code("charge_card()"))
    assert time.monotonic() - started < 10, "no boot-window retries after the agent read it"
    (run,) = fake.on(EXECUTE)
    assert run["dropped"]
    assert not isinstance(err, builtins.TimeoutError)
    assert err.status_code is None and err.request_id is None
    assert err.message
    # The sandbox is still usable, and the next run is the only other /execute.
    assert sb.run_code("2").success
    assert len(fake.on(EXECUTE)) == 2


@pytest.mark.scenario("execute_timeout_408")
def test_execution_timeout_carries_the_partial_output(fake):
    sb = create(fake)
    err = raises("TimeoutError", lambda: sb.run_code("while True: pass", timeout=5))
    (run,) = fake.on(EXECUTE)
    assert run["body"]["timeout"] == 5
    assert isinstance(err, errors.NetworkError) and isinstance(err, builtins.TimeoutError)
    assert err.status_code == 408
    assert err.code == "EXECUTION_TIMEOUT"
    assert err.message == "Execution timed out after 5s"
    assert err.stdout == "partial line\n"
    assert err.stderr == "warning: slow\n"
    assert err.request_id == run["request_id"]


@pytest.mark.scenario("execute_401_twice")
def test_agent_401_after_a_refresh_is_an_authentication_error(fake):
    sb = create(fake)
    err = raises("AuthenticationError", lambda: sb.run_code("1"))
    assert fake.routes() == [CREATE, EXECUTE, REFRESH, EXECUTE]
    last = fake.on(EXECUTE)[-1]
    assert err.status_code == 401
    assert err.code == "INVALID_TOKEN"
    assert err.message == "Invalid token"
    assert err.request_id == last["request_id"]


# --- the same through AsyncSandbox (its own native entry points) ------------------------------


def run_async(coro_fn):
    """Runs ``coro_fn()`` on a fresh event loop and returns its result."""
    return asyncio.run(coro_fn())


@pytest.mark.scenario("execute_401_then_refresh")
def test_async_agent_401_refreshes_once_and_runs_once_more(fake):
    async def session():
        sb = await AsyncSandbox.create(api_key=fake.api_key, base_url=fake.url)
        return await sb.run_code("x = 1")

    assert run_async(session).stdout == "ran: x = 1\n"
    assert fake.routes() == [CREATE, EXECUTE, REFRESH, EXECUTE]


@pytest.mark.scenario("execute_dropped")
def test_async_connection_dropped_mid_execute_is_not_retried(fake):
    async def session():
        sb = await AsyncSandbox.create(api_key=fake.api_key, base_url=fake.url)
        return await sb.run_code("charge_card()")

    raises("NetworkError", lambda: run_async(session))
    assert len(fake.on(EXECUTE)) == 1


@pytest.mark.scenario("execute_timeout_408")
def test_async_execution_timeout_carries_the_partial_output(fake):
    async def session():
        sb = await AsyncSandbox.create(api_key=fake.api_key, base_url=fake.url)
        return await sb.run_code("while True: pass", timeout_seconds=5)

    err = raises("TimeoutError", lambda: run_async(session))
    assert (err.stdout, err.stderr, err.code) == (
        "partial line\n",
        "warning: slow\n",
        "EXECUTION_TIMEOUT",
    )
    assert err.request_id == fake.on(EXECUTE)[0]["request_id"]


@pytest.mark.scenario("rate_limit_exhausted")
def test_async_429_that_persists_is_a_rate_limit_error(fake):
    async def listing():
        return await AsyncSandbox.list(api_key=fake.api_key, base_url=fake.url)

    err = raises("RateLimitError", lambda: run_async(listing))
    assert err.retry_after == 1 and err.status_code == 429
    assert len(fake.on(LIST)) == 4


# --- files -----------------------------------------------------------------------------------


@pytest.mark.scenario("happy_path")
def test_file_calls_send_the_official_shapes(fake, tmp_path):
    sb = create(fake)
    assert sb.files.read("/workspace/a b") == "file text"
    sb.files.write("/workspace/a", "hi", mode="0600")
    sb.files.write_bytes("/workspace/b", b"\x00\xff\x01")
    sb.files.mkdir("/workspace/d")
    (entry,) = sb.files.list("/workspace")
    assert (entry.name, entry.size, entry.is_dir) == ("a", 9, False)
    assert sb.files.exists("/workspace/a") is True
    sb.files.remove("/workspace/a")
    assert sb.files.read_bytes("/workspace/a") == b"\x00\x01raw bytes\xff"
    src = tmp_path / "data.csv"
    src.write_bytes(b"a,b\n1,2\n")
    sb.files.upload(src, "/workspace/data.csv")
    sb.files.download("/workspace/a", tmp_path / "down")
    assert (tmp_path / "down").read_bytes() == b"\x00\x01raw bytes\xff"

    assert fake.on("GET /files/read")[0]["query"] == "path=%2Fworkspace%2Fa%20b"
    first, second = fake.on("POST /files/write")
    assert first["body"] == {"path": "/workspace/a", "content": "hi", "mode": "0600"}
    assert second["body"] == {
        "path": "/workspace/b",
        "content": "AP8B",
        "mode": "0644",
        "encoding": "base64",
    }
    assert fake.on("POST /files/mkdir")[0]["body"] == {"path": "/workspace/d"}
    (up,) = fake.on("POST /files/upload")
    assert up["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    form = up["body"]
    assert 'name="path"\r\n\r\n/workspace/data.csv\r\n' in form
    assert 'name="file"; filename="data.csv"' in form and "\r\n\r\na,b\n1,2\n\r\n" in form
    assert_keys_where_they_belong(fake)


@pytest.mark.scenario("files_read_503")
def test_a_file_read_through_a_503_is_retried(fake):
    assert create(fake).files.read("/workspace/a") == "file text"
    assert len(fake.on("GET /files/read")) == 2


@pytest.mark.scenario("files_remove_502")
def test_a_remove_through_a_502_is_not_retried(fake):
    sb = create(fake)
    err = raises("ServerError", lambda: sb.files.remove("/workspace/a"))
    assert err.status_code == 502
    assert len(fake.on("DELETE /files/remove")) == 1


@pytest.mark.scenario("files_not_found")
def test_a_missing_file_is_file_not_found(fake):
    sb = create(fake)
    err = raises("FileNotFoundError", lambda: sb.files.read("/workspace/missing"))
    assert (err.code, err.status_code) == ("FILE_NOT_FOUND", 404)


# --- commands --------------------------------------------------------------------------------


@pytest.mark.scenario("happy_path")
def test_commands_send_the_official_shapes(fake):
    sb = create(fake)
    r = sb.commands.run("ls | wc -l", env={"A": "1"}, working_dir="/tmp")
    assert (r.stdout, r.exit_code, r.success, r.pid) == ("ran: ls | wc -l\n", 0, True, 7)
    assert sb.commands.run("true").stdout == "ran: true\n"
    started = sb.commands.run("sleep 9", background=True, timeout=600)
    assert started.process_id is not None and started.process_id.startswith("cmd_")

    with_env, plain = fake.on("POST /commands/run")
    assert with_env["body"] == {
        "command": "bash",
        "args": ["-c", "ls | wc -l"],
        "timeout": 120,
        "workdir": "/tmp",
        "env": {"A": "1"},
    }
    assert plain["body"] == {
        "command": "bash",
        "args": ["-c", "true"],
        "timeout": 120,
        "workdir": "/workspace",
    }
    (bg,) = fake.on("POST /commands/background")
    assert bg["body"] == {
        "command": "bash",
        "args": ["-c", "sleep 9"],
        "timeout": 600,
        "workdir": "/workspace",
    }
    assert_keys_where_they_belong(fake)


@pytest.mark.scenario("command_timeout_408")
def test_a_command_timeout_keeps_the_output_and_is_not_retried(fake):
    sb = create(fake)
    err = raises("TimeoutError", lambda: sb.commands.run("sleep 9", timeout=2))
    assert err.stdout == "partial\n" and err.status_code == 408
    assert len(fake.on("POST /commands/run")) == 1


# --- env -------------------------------------------------------------------------------------


@pytest.mark.scenario("happy_path")
def test_env_calls_send_the_official_shapes(fake):
    sb = create(fake)
    # The fake answers PUT with nothing in it: the result is what was set.
    assert sb.env.set_all({"A": "1", "B": "2"}) == {"A": "1", "B": "2"}
    assert sb.env.update({"C": "3"}) == {"A": "1", "B": "2", "C": "3"}
    assert sb.env.set("D", "4")["D"] == "4"
    assert sb.env.get("C") == "3" and sb.env.get("nope", "x") == "x"
    sb.env.delete("B")
    assert sb.env.get_all() == {"A": "1", "C": "3", "D": "4"}

    put_all, put_rest = fake.on("PUT /env")
    assert put_all["body"] == {"env_vars": {"A": "1", "B": "2"}}
    assert put_rest["body"] == {"env_vars": {"A": "1", "C": "3", "D": "4"}}
    patches = [r["body"] for r in fake.on("PATCH /env")]
    assert patches == [
        {"env_vars": {"C": "3"}, "merge": True},
        {"env_vars": {"D": "4"}, "merge": True},
    ]
    assert_keys_where_they_belong(fake)


@pytest.mark.scenario("env_masked")
def test_delete_never_writes_a_masked_value_back(fake):
    sb = create(fake)
    err = raises("ValidationError", lambda: sb.env.delete("A"))
    assert "API_KEY" in str(err) and "MASKED" in str(err)
    assert fake.on("PUT /env") == [], "nothing was written"
    sb.env.delete("NOT_SET")  # nothing to write back: no refusal, no request
    assert fake.on("PUT /env") == []


# --- lifecycle -------------------------------------------------------------------------------


@pytest.mark.scenario("happy_path")
def test_pause_resume_and_set_timeout_send_the_official_shapes(fake):
    sb = create(fake)
    sb.pause()
    assert sb.get_info().status == "paused"
    sb.resume()
    assert sb.get_info().status == "running"
    sb.set_timeout(900)
    (pause,) = fake.on("POST /v1/sandboxes/{id}/pause")
    (resume,) = fake.on("POST /v1/sandboxes/{id}/resume")
    assert pause["path"] == f"/v1/sandboxes/{sb.sandbox_id}/pause" and pause["body"] is None
    assert resume["path"] == f"/v1/sandboxes/{sb.sandbox_id}/resume" and resume["body"] is None
    (timeout,) = fake.on("PUT /v1/sandboxes/{id}/timeout")
    assert timeout["body"] == {"timeout_seconds": 900}
    assert_keys_where_they_belong(fake)


@pytest.mark.scenario("happy_path")
def test_introspection_reads_the_agent_answers_as_they_are(fake):
    sb = create(fake)
    assert sb.is_healthy() is True
    assert sb.get_agent_info()["agent_version"] == "3.2.8"
    assert sb.get_agent_metrics()["total_executions"] == 3
    assert sb.list_system_processes() == [{"pid": 1, "name": "init", "status": "sleeping"}]
    assert sb.get_jupyter_sessions()[0]["kernel_id"] == "k1"
    routes = [r["route"] for r in fake.requests() if r["plane"] == "agent"]
    for route in (
        "GET /health",
        "GET /info",
        "GET /metrics/snapshot",
        "GET /processes",
        "GET /jupyter/sessions",
    ):
        assert route in routes, routes
    assert_keys_where_they_belong(fake)


@pytest.mark.scenario("happy_path")
def test_webhook_runs_the_cache_and_preflight_send_the_official_shapes(fake):
    sb = create(fake)
    started = sb.run_code_async(
        "train()", "https://hooks.example/done", callback_signature_secret="s", timeout=600
    )
    assert started["status"] == "queued"
    [sent] = fake.on("POST /execute/async")
    assert sent["body"] == {
        "code": "train()",
        "language": "python",
        "timeout": 600,
        "workdir": "/workspace",
        "callback_url": "https://hooks.example/done",
        "callback_signature_secret": "s",
    }
    assert sb.cache.stats()["cache"]["size"] == 4
    assert sb.cache.clear()["entries_removed"] == 4
    assert sb.run_code("1", preflight=True).success
    routes = [r["route"] for r in fake.requests()]
    # The preflight asked the control plane and the agent before the run.
    assert routes.index("GET /health") < routes.index(EXECUTE)
    # The fake's agent is on loopback, not a cloud host: its preview URL is asked of it,
    # and the fake, like an agent without preview URLs, has none.
    raises("NotFoundError", lambda: sb.get_preview_url(3000))
    assert_keys_where_they_belong(fake)


@pytest.mark.scenario("happy_path")
def test_templates_health_and_iter_send_the_official_shapes(fake):
    create(fake)
    key = {"api_key": fake.api_key, "base_url": fake.url}
    names = [t.name for t in Sandbox.list_templates(category="development", **key)]
    assert names == ["code-interpreter", "base"]
    assert Sandbox.get_template("base", **key).display_name == "Base"
    assert Sandbox.delete_template("tpl_1", **key)["status"] == "deleted"
    assert Sandbox.health_check(base_url=fake.url)["status"] == "healthy"
    (listed,) = fake.on(TEMPLATES)
    assert listed["query"] == "category=development"
    (deleted,) = fake.on("DELETE /v1/templates/{name}")
    assert deleted["path"] == "/v1/templates/tpl_1"


@pytest.mark.scenario("paged_list")
def test_iter_follows_the_cursor_page_by_page(fake):
    made = [create(fake).sandbox_id for _ in range(5)]
    key = {"api_key": fake.api_key, "base_url": fake.url}
    walk = Sandbox.iter(**key)
    assert next(walk).sandbox_id == made[0]
    assert len(fake.on(LIST)) == 1, "one page fetched for the first sandbox"
    assert [sb.sandbox_id for sb in walk] == made[1:]
    pages = [r["query"] for r in fake.on(LIST)]
    assert pages == ["limit=100", "cursor=2&limit=100", "cursor=4&limit=100"], pages
    assert_keys_where_they_belong(fake)


# --- terminal --------------------------------------------------------------------------------


@pytest.mark.scenario("happy_path")
def test_terminal_speaks_the_agent_websocket_protocol(fake):
    sb = create(fake)

    async def session():
        ws = await sb.terminal.connect(cols=100, rows=30)
        await sb.terminal.send_input(ws, "ls\n")
        await sb.terminal.resize(ws, 120, 40)
        await sb.terminal.send_input(ws, "exit\n")
        return [message async for message in sb.terminal.iter_output(ws)]

    assert asyncio.run(session()) == [
        {"type": "output", "data": "$ ls\n"},
        {"type": "output", "data": "$ exit\n"},
        {"type": "exit", "code": 0},
    ]
    (opened,) = fake.on("GET /terminal")
    assert opened["plane"] == "agent" and opened["status"] == 101
    assert opened["body"] == [
        {"type": "resize", "cols": 100, "rows": 30},
        {"type": "input", "data": "ls\n"},
        {"type": "resize", "cols": 120, "rows": 40},
        {"type": "input", "data": "exit\n"},
    ]
    assert_keys_where_they_belong(fake)


# --- the suite itself --------------------------------------------------------------------


def test_every_scenario_of_the_fake_has_a_test(cloud):
    marked = {
        mark.args[0]
        for fn in globals().values()
        if callable(fn) and hasattr(fn, "pytestmark")
        for mark in fn.pytestmark
        if mark.name == "scenario"
    }
    assert marked == set(cloud.scenarios())

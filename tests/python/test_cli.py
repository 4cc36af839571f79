"""The ``hopx`` command as installed by the package (the console script beside this Python),
against the local engine: every subcommand, exit statuses (the program's own, 2 for bad
arguments, 124 for a timeout), ``--json`` parsed, saved plots, and ``hopx serve`` answering
HTTP. The engines these commands start live in a private folder and are stopped at the end."""

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

HOPX = Path(sys.executable).with_name("hopx")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engines")
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("HOPX_API") and k != "HOPX_BASE_URL"
    }
    environ.pop("HOPX_LOCAL_SHARED", None)
    environ["HOPX_LOCAL_SHARED_DIR"] = str(folder)
    yield environ
    for record in folder.glob("engine-*.json"):
        try:
            os.kill(json.loads(record.read_text())["pid"], signal.SIGTERM)
        except ProcessLookupError:
            pass


def hopx(env, *args, stdin=None, timeout=120):
    return subprocess.run(
        [str(HOPX), *args], env=env, input=stdin, capture_output=True, text=True, timeout=timeout
    )


def test_the_console_script_is_installed_and_helps(env):
    assert HOPX.exists(), f"no hopx beside {sys.executable}"
    r = hopx(env, "--help")
    assert r.returncode == 0
    for command in ("run", "sandbox", "files", "exec", "serve"):
        assert command in r.stdout
    r = hopx(env, "sandbox", "create", "--help")
    assert r.returncode == 0 and "--timeout" in r.stdout


def test_bad_arguments_are_one_clear_line_and_status_2(env):
    r = hopx(env, "run", "--nope")
    assert r.returncode == 2
    assert r.stderr.startswith("error:") and "--nope" in r.stderr.splitlines()[0]
    r = hopx(env, "run", "-c", "print(1)", "--env", "novalue")
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        'error: --env wants KEY=VALUE, got "novalue" (ValidationError)'
    ]


def test_run_streams_output_and_exits_with_the_programs_status(env, tmp_path):
    r = hopx(env, "run", "-c", "print(6 * 7)")
    assert (r.returncode, r.stdout) == (0, "42\n"), r.stderr
    r = hopx(env, "run", "-c", "import sys; print('partial'); sys.exit(3)")
    assert (r.returncode, r.stdout) == (3, "partial\n"), r.stderr
    r = hopx(env, "run", "-c", "1 / 0")
    assert r.returncode == 1 and "ZeroDivisionError" in r.stderr
    script = tmp_path / "sum.sh"
    script.write_text("echo $((2 + 3)) >&2; echo $A")
    r = hopx(env, "run", str(script), "-e", "A=from-env")
    assert (r.returncode, r.stdout, r.stderr) == (0, "from-env\n", "5\n")
    r = hopx(env, "run", "-", "--language", "javascript", stdin="console.log(1 + 1)")
    assert (r.returncode, r.stdout) == (0, "2\n"), r.stderr


def test_run_json_and_saved_plots(env, tmp_path):
    code = "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\nprint('drawn')"
    r = hopx(env, "--json", "run", "-c", code, "--save-outputs", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["stdout"] == "drawn\n" and result["exit_code"] == 0
    [saved] = result["saved_outputs"]
    assert Path(saved).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_a_run_past_its_timeout_exits_124(env):
    r = hopx(
        env,
        "run",
        "-c",
        "import time\nprint('started', flush=True)\ntime.sleep(30)",
        "--timeout",
        "1",
    )
    assert r.returncode == 124, (r.stdout, r.stderr)
    assert "started" in r.stdout and "timed out" in r.stderr.lower()


def test_sandbox_files_and_exec(env, tmp_path):
    r = hopx(env, "--json", "sandbox", "create", "--template", "base", "--timeout", "300")
    assert r.returncode == 0, r.stderr
    sid = json.loads(r.stdout)["id"]
    try:
        listed = json.loads(hopx(env, "--json", "sandbox", "list").stdout)
        assert sid in [s["id"] for s in listed]
        info = hopx(env, "sandbox", "info", sid)
        assert info.returncode == 0 and info.stdout.strip() == sid and "running" in info.stderr
        assert hopx(env, "sandbox", "connect", sid).returncode == 0
        local = tmp_path / "data.txt"
        local.write_text("hello from the host\n")
        assert hopx(env, "files", "put", sid, str(local), "/workspace/in/data.txt").returncode == 0
        names = json.loads(hopx(env, "--json", "files", "ls", sid, "/workspace/in").stdout)
        assert [f["name"] for f in names] == ["data.txt"]
        r = hopx(env, "exec", sid, "tr", "a-z", "A-Z", "<", "/workspace/in/data.txt")
        assert (r.returncode, r.stdout) == (0, "HELLO FROM THE HOST\n"), r.stderr
        r = hopx(env, "exec", sid, "cp /workspace/in/data.txt /workspace/out.txt; exit 7")
        assert r.returncode == 7
        back = tmp_path / "back.txt"
        assert hopx(env, "files", "get", sid, "/workspace/out.txt", str(back)).returncode == 0
        assert back.read_text() == "hello from the host\n"
        r = hopx(env, "files", "get", sid, "/workspace/out.txt", "-")
        assert r.stdout == "hello from the host\n"
        r = hopx(env, "files", "get", sid, "/workspace/missing")
        assert r.returncode == 1 and "FileNotFoundError" in r.stderr
    finally:
        r = hopx(env, "sandbox", "kill", sid)
    assert r.returncode == 0 and r.stdout == f"killed {sid}\n"
    assert sid not in hopx(env, "sandbox", "list").stdout
    r = hopx(env, "sandbox", "info", sid)
    assert r.returncode == 1 and "NotFoundError" in r.stderr


def test_serve_answers_http_until_sigterm(env):
    proc = subprocess.Popen(
        [str(HOPX), "serve", "--port", "0", "--key", "k3y"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("hopx serving the HopX API on http://127.0.0.1:"), line
        url = line.split(" on ")[1].strip()
        health = json.load(urllib.request.urlopen(url + "/health", timeout=10))
        assert health["status"] == "healthy"
        req = urllib.request.Request(url + "/v1/sandboxes", headers={"X-API-Key": "k3y"})
        assert urllib.request.urlopen(req, timeout=10).status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0

"""The user's shared local engine, driven from fresh Python processes as scripts meet it: one
engine for all of them, sandboxes that die with the process that made them (exit or SIGKILL),
one engine when several start at once, idle exit, another build or settings, a crashed engine,
the opt-out, and another user locked out. Each test has a private engine folder, and stops
the engines it started."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


@pytest.fixture
def place(tmp_path):
    folder = tmp_path / "engines"
    yield folder
    for pid in engine_pids(folder):
        with_retry_kill(pid)


def with_retry_kill(pid):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        if not Path(f"/proc/{pid}").exists():
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def engine_pids(folder):
    """Shared engines serving ``folder``, found by process name and environment."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() != "hopx-engine":
                continue
            env = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"HOPX_LOCAL_SHARED_DIR={folder}".encode() in env:
            found.append(int(proc.name))
    return found


def records(folder):
    return [json.loads(p.read_text()) for p in sorted(folder.glob("engine-*.json"))]


def env_for(folder, **extra):
    env = {k: v for k, v in os.environ.items() if k != "HOPX_LOCAL_SHARED"}
    return dict(env, HOPX_LOCAL_SHARED_DIR=str(folder), **extra)


def script(folder, code, **extra):
    """Starts ``code`` in a fresh Python after ``from hopx_ai import Sandbox``."""
    prelude = "import sys, time\nfrom hopx_ai import Sandbox\n"
    return subprocess.Popen(
        [sys.executable, "-c", prelude + code],
        env=env_for(folder, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(folder, code, **extra):
    proc = script(folder, code, **extra)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout: {out}\nstderr: {err}"
    return out.strip()


def live_ids(folder):
    return set(run(folder, "print(' '.join(s.sandbox_id for s in Sandbox.list()))").split())


def wait_until(check, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_two_processes_share_one_engine(place):
    sid = run(
        place, "s = Sandbox.create(timeout_seconds=120)\ns.run_code('x = 41')\nprint(s.sandbox_id)"
    )
    # Made to outlive its process (a time-to-live): another process finds it, with its state.
    out = run(place, f"s = Sandbox.connect({sid!r})\nprint(s.run_code('print(x + 1)').stdout)")
    assert out == "42"
    assert sid in live_ids(place)
    [record] = records(place)
    assert engine_pids(place) == [record["pid"]]
    assert oct(place.stat().st_mode & 0o777) == "0o700"
    assert oct((place / f"engine-{record['id']}.json").stat().st_mode & 0o777) == "0o600"
    run(place, f"Sandbox.connect({sid!r}).kill()")
    # SIGTERM stops it at once, record and all.
    os.kill(record["pid"], signal.SIGTERM)
    assert wait_until(lambda: engine_pids(place) == [], 10)
    assert records(place) == []


def test_a_sandbox_dies_with_the_process_that_made_it(place):
    sid = run(place, "print(Sandbox.create(template='base').sandbox_id)")
    assert wait_until(lambda: sid not in live_ids(place)), "an exited owner's sandbox lives on"
    proc = script(
        place,
        "s = Sandbox.create(template='base')\nprint(s.sandbox_id, flush=True)\ntime.sleep(600)",
    )
    sid = proc.stdout.readline().strip()
    assert sid in live_ids(place)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert wait_until(lambda: sid not in live_ids(place)), "a SIGKILLed owner's sandbox lives on"
    assert len(engine_pids(place)) == 1


def test_clients_starting_at_once_get_one_engine(place):
    code = (
        "s = Sandbox.create(template='base')\nprint(s.run_code('echo hi', language='bash').stdout)"
    )
    procs = [script(place, code) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, outs
    assert all(out.strip() == "hi" for out, _ in outs)
    assert len(records(place)) == 1 and len(engine_pids(place)) == 1


def test_an_idle_engine_exits_and_removes_its_record(place):
    assert (
        run(
            place,
            "print(Sandbox.create(template='base').run_code('print(2)').stdout)",
            HOPX_LOCAL_IDLE_EXIT="1",
        )
        == "2"
    )
    [pid] = engine_pids(place)
    assert wait_until(lambda: not Path(f"/proc/{pid}").exists() or engine_pids(place) == [], 20)
    assert records(place) == []


def test_other_settings_or_a_foreign_record_get_an_engine_of_their_own(place):
    run(place, "print(Sandbox.create(template='base').sandbox_id)")
    [first] = records(place)
    # Other settings: an engine of their own, beside the first.
    out = run(
        place,
        "print(Sandbox.create(template='base').run_code('print(3)').stdout)",
        HOPX_LOCAL_KERNEL_POOL="0",
    )
    assert out == "3" and len(records(place)) == 2 and len(engine_pids(place)) == 2
    # A record of another version under the same identity is never used: a new engine replaces it.
    path = place / f"engine-{first['id']}.json"
    path.write_text(json.dumps(dict(first, version="0.0.0-other")))
    assert run(place, "print(Sandbox.create(template='base').run_code('print(4)').stdout)") == "4"
    assert json.loads(path.read_text())["pid"] != first["pid"]


def test_a_crashed_engine_loses_its_sandboxes_clearly_and_the_next_create_starts_one(place):
    code = (
        "import os, signal\nfrom hopx_ai import NotFoundError\n"
        "s = Sandbox.create(template='base')\n"
        "print(s.run_code('echo up', language='bash').stdout.strip(), flush=True)\n"
        "sys.stdin.readline()\n"
        "try:\n    s.run_code('echo again', language='bash')\n"
        "except NotFoundError as e:\n    print('lost:', e)\n"
        "new = Sandbox.create(template='base')\n"
        "print(new.run_code('echo new', language='bash').stdout.strip())\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom hopx_ai import Sandbox\n" + code],
        env=env_for(place),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "up"
    [pid] = engine_pids(place)
    os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: not Path(f"/proc/{pid}").exists() or engine_pids(place) == [])
    out, err = proc.communicate("\n", timeout=120)
    assert proc.returncode == 0, err
    lost, new = out.strip().splitlines()
    assert "was lost: the local HopX engine" in lost and f"process {pid}" in lost, lost
    assert new == "new"
    assert engine_pids(place) and engine_pids(place) != [pid]


def test_the_opt_out_keeps_the_engine_in_the_process(place):
    out = run(
        place,
        "print(Sandbox.create(template='base').run_code('print(5)').stdout)",
        HOPX_LOCAL_SHARED="0",
    )
    assert out == "5"
    assert engine_pids(place) == [] and records(place) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_another_user_cannot_reach_the_engine(place):
    run(place, "Sandbox.create(template='base')")
    [record] = records(place)
    path = place / f"engine-{record['id']}.json"
    # The owner's key works (and loads what urllib needs before the fork).
    req = urllib.request.Request(
        record["base_url"] + "/v1/sandboxes", headers={"X-API-Key": record["api_key"]}
    )
    assert urllib.request.urlopen(req, timeout=5).status == 200
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(record["base_url"] + "/v1/sandboxes", timeout=5)
    # The folder and the record are closed to them; the engine wants the key. (A forked child
    # that drops to uid 12345: no interpreter of this machine need be open to that user.)
    os.chmod(place.parent, 0o755)
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.setgroups([])
            os.setgid(12345)
            os.setuid(12345)
            seen = []
            try:
                path.read_text()
                seen.append("read")
            except PermissionError:
                seen.append("denied")
            for key in (None, "guess"):
                req = urllib.request.Request(record["base_url"] + "/v1/sandboxes")
                if key:
                    req.add_header("X-API-Key", key)
                try:
                    urllib.request.urlopen(req, timeout=5)
                    seen.append("served")
                except urllib.error.HTTPError as e:
                    seen.append(str(e.code))
            os.write(write_end, " ".join(seen).encode())
        except BaseException as e:  # noqa: BLE001 - the parent shows what went wrong
            os.write(write_end, repr(e).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    with os.fdopen(read_end) as pipe:
        assert pipe.read().split() == ["denied", "401", "401"]

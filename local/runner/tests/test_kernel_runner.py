"""Tests of the Python kernel runner, driven through its real pipes and fds 3/4.

Run with another interpreter (e.g. one with IPython 8): HOPX_KERNEL_PYTHON=/path/to/python.
"""

import base64
import json
import os
import select
import subprocess
import sys
import time

import pytest
from kernel_process import Kernel

PYTHON = os.environ.get("HOPX_KERNEL_PYTHON", sys.executable)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00fake-jpeg-body\xff\xd9"


def probe():
    """What the kernel's interpreter has: its versions and the optional libraries."""
    code = (
        "import sys, json, importlib.util as u, IPython;"
        "print(json.dumps({'python': '%d.%d.%d' % sys.version_info[:3],"
        " 'ipython': IPython.__version__,"
        " 'matplotlib': bool(u.find_spec('matplotlib')), 'pandas': bool(u.find_spec('pandas'))}))"
    )
    return json.loads(subprocess.check_output([PYTHON, "-I", "-c", code]))


TARGET = probe()
needs_matplotlib = pytest.mark.skipif(not TARGET["matplotlib"], reason="no matplotlib")
needs_pandas = pytest.mark.skipif(not TARGET["pandas"], reason="no pandas")


def engine_env(tmp):
    """A complete, small environment like the engine's: nothing inherited."""
    home, tmpdir = tmp / "home", tmp / "tmp"
    home.mkdir(exist_ok=True)
    tmpdir.mkdir(exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TMPDIR": str(tmpdir),
        "LANG": "C.UTF-8",
    }


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    k = Kernel(PYTHON, engine_env(tmp_path_factory.mktemp("shared")))
    yield k
    k.kill()


@pytest.fixture
def fresh(tmp_path):
    """A kernel of its own, for tests that kill or stop it."""
    k = Kernel(PYTHON, engine_env(tmp_path))
    yield k
    k.kill()


def only(frames, kind=None):
    assert len(frames) == 1, frames
    return frames[0]


# -- start and state ------------------------------------------------------------------------
def test_ready_frame(kernel):
    assert kernel.ready == {
        "type": "ready",
        "pid": kernel.pid,
        "python": TARGET["python"],
        "ipython": TARGET["ipython"],
    }


def test_startup_time_rss_and_no_writes(fresh, tmp_path, capsys):
    rss = fresh.rss_kb()
    r = fresh.execute(
        "import sys; sorted(m for m in ('matplotlib', 'pandas', 'numpy', 'jedi')"
        " if m in sys.modules)"
    )
    with capsys.disabled():
        print(
            "\n  time to ready %.0f ms, idle RSS %.1f MB (IPython %s)"
            % (fresh.ready_seconds * 1000, rss / 1024, TARGET["ipython"])
        )
    assert r.success and r.stdout == "" and r.stderr == ""  # nothing printed at start
    heavy = only(r.results)["data"]["text/plain"]
    assert "matplotlib" not in heavy and "pandas" not in heavy and "numpy" not in heavy
    assert rss < 60 * 1024
    assert fresh.ready_seconds < 5
    fresh.close_requests()
    assert fresh.wait() == 0
    # No profile, history or cache files are left in HOME or the temporary directory.
    assert os.listdir(tmp_path / "home") == []
    assert os.listdir(tmp_path / "tmp") == []


def test_state_persists_between_calls(kernel):
    first = kernel.execute("x_state = 1")
    assert first.success and first.results == [] and first.stdout == ""
    second = kernel.execute("x_state += 1; x_state")
    assert only(second.results)["data"] == {"text/plain": "2"}
    assert second.done["execution_count"] == first.done["execution_count"] + 1


def test_200_quick_calls(kernel, capsys):
    times = {"pass": [], "print(1)": []}
    for i in range(200):
        code = "pass" if i % 2 else "print(1)"
        r = kernel.execute(code)
        assert r.success and r.stderr == "" and r.frames == []
        assert r.stdout == ("" if code == "pass" else "1\n")
        times[code].append(r.seconds * 1000)
    with capsys.disabled():
        for code, values in times.items():
            values.sort()
            print(
                "\n  %-8s p50 %.2f ms  p99 %.2f ms"
                % (code, values[len(values) // 2], values[int(len(values) * 0.99) - 1]),
                end="",
            )
        print()


def test_semicolon_hides_the_result(kernel):
    assert kernel.execute("1 + 1;").results == []


# -- streams --------------------------------------------------------------------------------
def test_print_and_subprocess_output_in_order(kernel):
    r = kernel.execute(
        "import os, subprocess\n"
        "print('before')\n"
        "subprocess.run(['echo', 'sub'])\n"
        "os.system('echo sys')\n"
        "!echo hi\n"
        "print('after')\n"
    )
    assert r.success
    assert r.stdout == "before\nsub\nsys\nhi\nafter\n"


def test_stderr(kernel):
    r = kernel.execute("import sys, os\nprint('oops', file=sys.stderr)\nos.system('echo e >&2')")
    assert r.success and r.stdout == ""
    assert r.stderr == "oops\ne\n"


def test_odd_text_does_not_break_output(kernel):
    r = kernel.execute("print('a\\udcffb', 'é')\nimport sys; sys.stdout.buffer.write(b'\\xff\\n')")
    assert r.success
    assert r.stdout.startswith("a\\udcffb é\n")


def test_large_output_arrives_whole(kernel):
    r = kernel.execute("print('x' * 10_000_000)", timeout=60)
    assert r.success and len(r.stdout) == 10_000_001 and r.stdout.count("x") == 10_000_000


def test_magics(kernel):
    r = kernel.execute("%time 1 + 1")
    assert "Wall time" in r.stdout
    assert only(r.results)["data"]["text/plain"] == "2"


# -- rich output ----------------------------------------------------------------------------
MIME_CASES = {
    "png": (
        "from IPython.display import Image; display(Image(data=PNG))",
        "image/png",
        base64.b64encode(PNG).decode(),
    ),
    "jpeg": (
        "from IPython.display import Image; display(Image(data=JPEG, format='jpeg'))",
        "image/jpeg",
        base64.b64encode(JPEG).decode(),
    ),
    "svg": (
        "from IPython.display import SVG; display(SVG(\"<svg xmlns='http://www.w3.org/2000/svg'"
        " width='1' height='1'/>\"))",
        "image/svg+xml",
        None,
    ),
    "html": (
        "from IPython.display import HTML; display(HTML('<b>hi</b>'))",
        "text/html",
        "<b>hi</b>",
    ),
    "markdown": (
        "from IPython.display import Markdown; display(Markdown('# Title'))",
        "text/markdown",
        "# Title",
    ),
    "latex": ("from IPython.display import Latex; display(Latex('$x^2$'))", "text/latex", "$x^2$"),
    "json": (
        "from IPython.display import JSON; display(JSON({'a': [1, 2]}))",
        "application/json",
        {"a": [1, 2]},
    ),
    "plain": ("display('hello')", "text/plain", "'hello'"),
    "mimebundle": (
        "class B:\n"
        "    def _repr_mimebundle_(self, include=None, exclude=None):\n"
        "        return {'application/vnd.hopx+json': {'k': 1}, 'text/plain': 'B!'}\n"
        "display(B())",
        "application/vnd.hopx+json",
        {"k": 1},
    ),
    "repr_png_bytes": (
        "class P:\n    def _repr_png_(self):\n        return PNG\ndisplay(P())",
        "image/png",
        base64.b64encode(PNG).decode(),
    ),
}


@pytest.mark.parametrize("case", sorted(MIME_CASES))
def test_every_mime_type(kernel, case):
    code, mime, payload = MIME_CASES[case]
    kernel.execute("PNG = %r; JPEG = %r" % (PNG, JPEG))
    r = kernel.execute(code)
    assert r.success, r.stderr
    frame = only(r.displays)
    assert r.results == []
    assert mime in frame["data"] and "text/plain" in frame["data"]
    if payload is not None:
        assert frame["data"][mime] == payload
    else:
        assert frame["data"][mime].startswith("<svg")


def test_repr_html_object_as_result(kernel):
    r = kernel.execute("class H:\n    def _repr_html_(self):\n        return '<i>h</i>'\nH()")
    data = only(r.results)["data"]
    assert data["text/html"] == "<i>h</i>" and "text/plain" in data
    assert r.displays == []


def test_bundle_that_is_not_json_still_arrives(kernel):
    r = kernel.execute(
        "display({'application/json': {'x': float('nan')}, 'text/plain': 'nan!'}, raw=True)"
    )
    assert r.success
    assert only(r.displays)["data"] == {"text/plain": "nan!"}


@needs_matplotlib
def test_matplotlib_figure_is_one_png(kernel):
    r = kernel.execute("import matplotlib.pyplot as plt; plt.plot([1, 2]);")
    assert r.success, r.stderr
    frame = only(r.displays)
    assert base64.b64decode(frame["data"]["image/png"]).startswith(b"\x89PNG")
    assert r.results == [] and r.stderr == ""
    # The figure was closed: the next cell shows nothing.
    assert kernel.execute("1;").frames == []


@needs_matplotlib
def test_plt_show_mid_cell_displays_once(kernel):
    r = kernel.execute(
        "import matplotlib.pyplot as plt\nplt.plot([1, 3])\nplt.show()\nprint('after')"
    )
    assert r.success and r.stdout == "after\n"
    assert "image/png" in only(r.displays)["data"]


@needs_matplotlib
def test_matplotlib_inline_magic(kernel):
    assert kernel.execute("%matplotlib inline").success
    r = kernel.execute("import matplotlib.pyplot as plt\nplt.bar([1, 2], [3, 4]);")
    assert "image/png" in only(r.displays)["data"]


@needs_matplotlib
def test_two_figures_two_pngs(kernel):
    r = kernel.execute(
        "import matplotlib.pyplot as plt\nplt.figure(); plt.plot([1])\nplt.figure(); plt.plot([2]);"
    )
    assert [sorted(f["data"]) for f in r.displays] == [["image/png", "text/plain"]] * 2


@needs_pandas
def test_dataframe_result_is_html(kernel):
    r = kernel.execute("import pandas as pd\npd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})")
    data = only(r.results)["data"]
    assert "<table" in data["text/html"] and "a  b" in data["text/plain"]


# -- errors ---------------------------------------------------------------------------------
def test_exception(kernel):
    r = kernel.execute(
        "import sys\nprint('partial out')\nprint('partial err', file=sys.stderr)\n1 / 0"
    )
    assert r.success is False
    assert r.error["name"] == "ZeroDivisionError"
    assert r.error["value"] == "division by zero"
    assert "ZeroDivisionError" in r.error["traceback"] and "1 / 0" in r.error["traceback"]
    assert r.stdout == "partial out\n"
    assert r.stderr.startswith("partial err\n")
    assert r.error["traceback"] in r.stderr
    assert "\x1b[" not in r.stderr and "\x1b[" not in r.error["traceback"]


def test_syntax_error(kernel):
    r = kernel.execute("def f(:\n    pass")
    assert r.success is False and r.error["name"] == "SyntaxError"
    assert "SyntaxError" in r.stderr and "\x1b[" not in r.stderr


def test_error_in_a_called_function_shows_its_frames(kernel):
    r = kernel.execute("def inner():\n    raise ValueError('bad value')\ninner()")
    assert r.error["name"] == "ValueError" and r.error["value"] == "bad value"
    assert "inner()" in r.error["traceback"] and "\x1b[" not in r.error["traceback"]


def test_unknown_magic_is_a_usage_error(kernel):
    r = kernel.execute("%no_such_magic")
    assert r.success is False and r.error["name"] == "UsageError"
    assert "no_such_magic" in r.stderr


def test_sys_exit_fails_the_cell_but_not_the_kernel(kernel):
    r = kernel.execute("import sys; sys.exit(3)")
    assert r.success is False and r.error["name"] == "SystemExit"
    assert kernel.execute("6 * 7").results[0]["data"]["text/plain"] == "42"


# -- per-call cwd and env -------------------------------------------------------------------
def test_env_and_cwd_apply_to_one_call(kernel, tmp_path):
    before = kernel.execute("import os; print(os.getcwd())").stdout
    kernel.execute("os.environ['HOPX_OLD'] = 'old'; os.environ.pop('HOPX_NEW', None)")
    target = tmp_path / "new" / "sub"
    r = kernel.execute(
        "print(os.getcwd()); print(os.environ['HOPX_OLD'], os.environ['HOPX_NEW'])\n"
        "os.environ['HOPX_NEW'] = 'changed by code'; os.chdir('/')",
        cwd=target,
        env={"HOPX_OLD": "over", "HOPX_NEW": "new"},
    )
    assert r.success, r.stderr
    assert r.stdout == "%s\nover new\n" % target
    after = kernel.execute(
        "print(os.getcwd()); print(os.environ.get('HOPX_OLD'), os.environ.get('HOPX_NEW'))"
    )
    assert after.stdout == before + "old None\n"


def test_user_code_imports_from_its_cwd(kernel, tmp_path):
    (tmp_path / "hopx_helper_mod.py").write_text("VALUE = 'from cwd'\n")
    r = kernel.execute("import hopx_helper_mod; hopx_helper_mod.VALUE", cwd=tmp_path)
    assert r.success, r.stderr
    assert r.results[0]["data"]["text/plain"] == "'from cwd'"


def test_bad_cwd_fails_the_call_and_restores_env(kernel, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = kernel.execute("print('ran')", cwd=blocker / "sub", env={"HOPX_TMP": "1"})
    assert r.success is False and r.stdout == ""
    assert r.error["name"] in ("NotADirectoryError", "FileExistsError")
    assert kernel.execute("import os; print(os.environ.get('HOPX_TMP'))").stdout == "None\n"


# -- interrupts and process life ------------------------------------------------------------
def test_interrupt_a_sleeping_cell(kernel):
    # One function, so that the interrupt cannot land while IPython compiles the next line.
    handle = kernel.start(
        "import time\ndef nap():\n    print('sleeping')\n    time.sleep(30)\nnap()"
    )
    assert kernel.stdout.wait_for(b"sleeping", 10)
    # Let it enter the sleep: a SIGINT that lands between the print and the start of the sleep
    # is only seen when the sleep returns (CPython), which is why the engine repeats SIGINT.
    time.sleep(0.2)
    sent = time.monotonic()
    kernel.interrupt()
    r = kernel.finish(handle, timeout=5)
    assert time.monotonic() - sent < 1.0
    assert r.success is False and r.error["name"] == "KeyboardInterrupt"
    assert "KeyboardInterrupt" in r.stderr
    # The traceback ends at the user's line, not in the runner's signal handler.
    assert "time.sleep(30)" in r.error["traceback"]
    assert "hopx_kernel" not in r.error["traceback"]
    assert kernel.execute("'still here'").results[0]["data"]["text/plain"] == "'still here'"


def test_interrupts_never_cut_a_frame(kernel):
    handle = kernel.start(
        "print('go')\nwhile True:\n    display({'text/plain': 'x' * 50000},"
        " raw=True)\n    print('y' * 5000)"
    )
    assert kernel.stdout.wait_for(b"go", 10)
    frames = [kernel.read_output() for _ in range(20)]
    for _ in range(5):
        kernel.interrupt()
        time.sleep(0.01)
    r = kernel.finish(handle, timeout=5)  # every frame up to `done` parses
    assert r.error["name"] == "KeyboardInterrupt"
    assert all(f["data"] == {"text/plain": "x" * 50000} for f in frames + r.frames)
    assert kernel.execute("'ok'").results[0]["data"]["text/plain"] == "'ok'"


def test_interrupt_while_idle_is_ignored(kernel):
    for _ in range(3):
        kernel.interrupt()
        time.sleep(0.05)
    r = kernel.execute("40 + 2")
    assert kernel.alive() and r.success
    assert r.results[0]["data"]["text/plain"] == "42"


def test_interrupt_while_idle_after_code_set_its_own_handler(kernel):
    kernel.execute("import signal; signal.signal(signal.SIGINT, signal.default_int_handler)")
    kernel.interrupt()
    time.sleep(0.1)
    assert kernel.alive() and kernel.execute("1").success


def test_a_forked_child_does_not_report(kernel):
    r = kernel.execute(
        "import os\npid = os.fork()\nprint('child' if pid == 0 else 'parent')\npid != 0"
    )
    assert r.success and "parent" in r.stdout
    assert only(r.results)["data"]["text/plain"] == "True"
    for n in range(3):  # no stray frames from the child: ids match, calls work
        assert kernel.execute("%d" % n).results[0]["data"]["text/plain"] == str(n)
    assert not select.select([kernel.replies], [], [], 0.2)[0]


def test_code_that_ignores_sigint_keeps_running(fresh):
    handle = fresh.start(
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint('busy')\n"
        "t = time.time()\nwhile time.time() - t < 3:\n    pass"
    )
    assert fresh.stdout.wait_for(b"busy", 10)
    fresh.interrupt()
    time.sleep(1)
    assert fresh.alive()
    assert not select.select([fresh.replies], [], [], 0)[0], "the cell ended early"
    # It finishes by itself; the runner's handler is back for the next cell.
    assert fresh.finish(handle).success
    handle = fresh.start("print('sleeping'); time.sleep(30)")
    assert fresh.stdout.wait_for(b"sleeping", 10)
    time.sleep(0.2)
    fresh.interrupt()
    assert fresh.finish(handle, timeout=5).error["name"] == "KeyboardInterrupt"


def test_os_exit_keeps_what_was_printed(fresh):
    fresh.start("import os\nprint('last words')\nos._exit(3)")
    assert fresh.wait() == 3
    assert fresh.stdout.wait_for(b"last words\n", 5)
    with pytest.raises(EOFError):
        fresh.read_frame(timeout=5)


def test_segfault_is_visible(fresh):
    fresh.start("print('about to crash')\nimport ctypes\nctypes.string_at(0)")
    assert fresh.wait() == -11
    assert fresh.stdout.wait_for(b"about to crash\n", 5)
    assert fresh.stderr.wait_for(b"Segmentation fault", 5)


def test_closing_fd3_exits_zero_even_with_a_running_thread(fresh):
    fresh.execute(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(1000,)).start()"
    )
    fresh.close_requests()
    assert fresh.wait(timeout=10) == 0


def test_programs_started_by_code_do_not_inherit_fds_3_and_4(kernel):
    r = kernel.execute(
        "import os\n"
        "os.system('[ -e /proc/self/fd/3 ] || [ -e /proc/self/fd/4 ] && echo held"
        " || echo clean')"
    )
    assert r.stdout == "clean\n"


def test_exit_does_not_end_the_kernel(kernel):
    assert kernel.execute("exit()").success
    assert kernel.execute("quit()").success
    assert kernel.alive() and kernel.execute("1").success


def test_without_ipython_the_runner_says_so(tmp_path):
    # -S hides site-packages, so IPython cannot be imported.
    k = Kernel(PYTHON, engine_env(tmp_path), argv=("-I", "-S"), wait_ready=False)
    try:
        assert k.wait() == 2
        with pytest.raises(EOFError):
            k.read_frame(timeout=5)
        assert k.stderr.wait_for(b"hopx kernel: No module named 'IPython'", 5)
    finally:
        k.kill()


def test_unknown_request_is_ignored(fresh):
    fresh.send({"type": "from-the-future", "id": 99})
    assert fresh.execute("1").results[0]["data"]["text/plain"] == "1"

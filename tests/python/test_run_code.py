"""run_code: languages, options, failures, rich outputs, reprs."""

import os
import shutil
import time

import pytest

from hopx_ai import RichOutput, TimeoutError, ValidationError

IN_CI = bool(os.environ.get("CI"))


def test_python_state_persists_and_last_expression(sandbox):
    sandbox.run_code("x = 41")
    result = sandbox.run_code("x + 1")
    assert result.result == "42"
    assert result.rich_outputs[-1].type == "text/plain"
    assert result.language in (None, "python")


def test_javascript(sandbox):
    result = sandbox.run_code("console.log(1 + 1)", language="javascript")
    assert (result.stdout, result.success) == ("2\n", True)


def test_bash(sandbox):
    result = sandbox.run_code("echo hi; echo err >&2", language="bash")
    assert result.stdout == "hi\n"
    assert result.stderr == "err\n"


def test_go(sandbox):
    code = 'package main\nimport "fmt"\nfunc main() { fmt.Println("go ok") }\n'
    if shutil.which("go") is None and not IN_CI:
        with pytest.raises(ValidationError) as info:
            sandbox.run_code(code, language="go")
        assert "go" in str(info.value).lower()
        return
    result = sandbox.run_code(code, language="go", timeout=120)
    assert result.stdout == "go ok\n", result


@pytest.mark.parametrize("language", ["python", "bash", "javascript"])
def test_env_applies_to_one_run(sandbox, language):
    code = {
        "python": "import os; print(os.environ['GREETING'])",
        "bash": "echo $GREETING",
        "javascript": "console.log(process.env.GREETING)",
    }[language]
    result = sandbox.run_code(code, language=language, env={"GREETING": "hej"})
    assert result.stdout == "hej\n"
    if language == "python":
        after = sandbox.run_code("import os; print(os.environ.get('GREETING'))")
        assert after.stdout == "None\n"


@pytest.mark.parametrize("language", ["python", "bash"])
def test_working_dir(sandbox, language):
    sandbox.run_code("mkdir -p /workspace/sub", language="bash")
    code = "import os; print(os.getcwd())" if language == "python" else "pwd"
    result = sandbox.run_code(code, language=language, working_dir="/workspace/sub")
    assert result.stdout.strip().endswith("/sub")
    default = sandbox.run_code(code, language=language)
    assert not default.stdout.strip().endswith("/sub")


def test_non_zero_exit_is_a_result(sandbox):
    result = sandbox.run_code("echo out; exit 3", language="bash")
    assert result.success is False
    assert result.exit_code == 3
    assert result.stdout == "out\n"


def test_python_exception_is_a_result_with_error(sandbox):
    result = sandbox.run_code("raise ValueError('bad value')")
    assert result.success is False
    assert result.error.name == "ValueError"
    assert result.error.value == "bad value"
    assert "ValueError" in result.error.traceback
    assert "error=ExecutionError(name='ValueError'" in repr(result)


@pytest.mark.parametrize(
    "language,code",
    [
        ("python", "import time\nprint('started', flush=True)\ntime.sleep(30)"),
        ("bash", "echo started; sleep 30"),
    ],
)
def test_timeout_raises_with_partial_output(fresh_sandbox, language, code):
    start = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        fresh_sandbox.run_code(code, language=language, timeout=2)
    elapsed = time.monotonic() - start
    assert elapsed < 2 + 5, elapsed
    err = info.value
    assert isinstance(err, TimeoutError)  # the builtin one too, via the subclass
    assert "started" in (err.stdout or "")
    assert err.stderr is not None
    # The sandbox stays usable.
    assert fresh_sandbox.run_code("print('still here')").stdout == "still here\n"


def test_plot_and_table_are_rich_outputs(sandbox):
    code = (
        "import matplotlib.pyplot as plt\n"
        "import pandas as pd\nplt.plot([1, 2, 3]); plt.show()\n"
        "print('text out')\npd.DataFrame({'a': [1, 2]})"
    )
    result = sandbox.run_code(code)
    assert result.success, result
    types = [o.type for o in result.rich_outputs]
    assert "image/png" in types and "text/html" in types
    assert all(isinstance(t, str) for t in types)
    assert result.png and result.html and "<table" in result.html
    assert result.has_rich_output and result.rich_count == len(result.rich_outputs)
    bundle = result._repr_mimebundle_()
    assert bundle["image/png"] == result.png
    assert "text out" in bundle["text/plain"]
    assert "<img" in bundle["text/html"] and "<table" in bundle["text/html"]
    assert set(result._repr_mimebundle_(include=["image/png"])) == {"image/png"}
    assert "image/png" not in result._repr_mimebundle_(exclude=["image/png"])
    png = next(o for o in result.rich_outputs if o.type == "image/png")
    assert isinstance(png, RichOutput)
    assert png._repr_mimebundle_()["image/png"] == result.png
    assert "RichOutput(type='image/png'" in repr(png)


def test_a_figure_as_the_last_expression_fills_png_and_result(sandbox):
    # The flat fields follow the official JS SDK's: each holds the first output of its type,
    # and `result` the text of the last expression's value. Node gives the same (the core
    # decides); the official Python SDK leaves them all None.
    code = "import matplotlib.pyplot as plt\nfig = plt.figure()\nplt.plot([1, 3, 2])\nfig"
    result = sandbox.run_code(code)
    assert result.success, result
    assert result.result.startswith("<Figure size"), result.result
    assert result.png and result.png == result.rich_outputs[0].data["image/png"]
    assert (result.html, result.svg, result.markdown, result.json_output) == (None,) * 4
    # A streamed run folds the same fields from its messages.
    streamed = sandbox.run_code(code, on_stdout=lambda _: None)
    assert streamed.result.startswith("<Figure size") and streamed.png


def test_plain_result_bundle_and_repr(sandbox):
    result = sandbox.run_code("print('hello')")
    assert result._repr_mimebundle_() == {"text/plain": "hello\n"}
    assert repr(result).startswith("ExecutionResult(success=True, exit_code=0,")
    for name in ("png", "html", "svg", "markdown", "json_output", "result"):
        assert getattr(result, name) is None
    assert (result.stdout_truncated, result.stderr_truncated, result.kernel_restarted) == (
        False,
        False,
        False,
    )

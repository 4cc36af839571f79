"""A real notebook, executed headless by nbclient on this venv's ipykernel: a cell whose value
is ``sandbox.run_code(plot_code)`` must save both the plot and the printed text."""

import json
import sys

import nbformat
from nbclient import NotebookClient

PLOT_CODE = (
    "import matplotlib.pyplot as plt\n"
    "print('hello from the sandbox')\n"
    "plt.plot([1, 4, 9])\n"
    "plt.show()\n"
)


def _kernel_of_this_interpreter(tmp_path, monkeypatch):
    """A kernelspec that runs this very interpreter, found first via JUPYTER_PATH (a machine's
    own "python3" spec might point at a Python without hopx_ai)."""
    spec = tmp_path / "jupyter" / "kernels" / "hopx-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "hopx test", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "hopx-test"


def test_notebook_cell_shows_text_and_plot(tmp_path, monkeypatch):
    kernel = _kernel_of_this_interpreter(tmp_path, monkeypatch)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from hopx_ai import Sandbox\nsandbox = Sandbox.create()"),
        nbformat.v4.new_code_cell(f"sandbox.run_code({PLOT_CODE!r})"),
        nbformat.v4.new_code_cell("sandbox.run_code('1 + 1').rich_outputs[0]"),
        nbformat.v4.new_code_cell("sandbox.kill()"),
    ]
    client = NotebookClient(
        nb, timeout=120, kernel_name=kernel, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, str(path))

    saved = nbformat.read(str(path), as_version=4)
    outputs = saved.cells[1].outputs
    assert [o.output_type for o in outputs] == ["execute_result"], outputs
    data = outputs[0].data
    assert data["image/png"]  # the plot
    assert "hello from the sandbox" in data["text/plain"]
    assert "<img" in data["text/html"] and "hello from the sandbox" in data["text/html"]
    rich = saved.cells[2].outputs[0].data
    assert rich["text/plain"] == "2"

"""``import hopx_ai`` stays light: no native module, no asyncio, no typing until first use."""

import subprocess
import sys


def test_import_loads_only_the_package():
    code = (
        "import sys; before = set(sys.modules); import hopx_ai; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert all(name.startswith("hopx_ai") for name in out), out
    assert "hopx_ai._native" not in out


def test_package_metadata():
    import hopx_ai

    assert hopx_ai.__version__
    assert set(hopx_ai.__all__) <= set(dir(hopx_ai))

#!/usr/bin/env bash
# Builds the Python package into .venv (debug build, for speed) and runs its tests against the
# embedded local engine. Self-contained and idempotent; run from the repository root.
# Honours CARGO_TARGET_DIR. Fails when a test fails and when pytest collected no test.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    PY311=/root/.pyenv/versions/3.11.7/bin/python3.11
    if [ -x "$PY311" ]; then "$PY311" -m venv .venv; else python3 -m venv .venv; fi
fi
PY=.venv/bin/python

"$PY" -m pip install -q --upgrade pip
if [ -f scripts/requirements-dev.txt ]; then
    "$PY" -m pip install -q -r scripts/requirements-dev.txt
else
    "$PY" -m pip install -q "maturin>=1.7,<2" pytest pytest-asyncio nbclient nbformat ipykernel \
        jupyter_client ipython matplotlib pandas numpy
fi
# The package itself, editable; maturin develop builds the dev profile (pip would build release).
VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin develop -q

# The tests use the embedded engine only; the sandbox Python is .venv's (it has the kernel deps).
unset HOPX_API_KEY HOPX_BASE_URL

set +e
"$PY" -m pytest tests/python -q "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$status"

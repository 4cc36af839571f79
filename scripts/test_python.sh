#!/usr/bin/env bash
# Builds the Python package into .venv and runs its tests against the embedded local engine.
# Self-contained and idempotent; run from the repository root. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

PY311=/root/.pyenv/versions/3.11.7/bin/python3.11
if [ ! -x .venv/bin/python ]; then
    if [ -x "$PY311" ]; then "$PY311" -m venv .venv; else python3 -m venv .venv; fi
fi
PY=.venv/bin/python

"$PY" -m pip install -q --upgrade pip
"$PY" -m pip install -q "maturin>=1.7,<2" pytest pytest-asyncio nbclient nbformat ipykernel jupyter_client
# The package itself, editable, with the extra the code-interpreter sandboxes need.
"$PY" -m pip install -q -e ".[local]"

# The tests use the embedded engine only.
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

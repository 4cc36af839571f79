#!/usr/bin/env bash
# Lints and format-checks the Python package and its tests (ruff), builds the package into
# .venv (debug build, for speed), checks its types (mypy --strict on the package and on typed
# usage; stubtest of its annotations and of _native.pyi against the built module), then runs
# its tests against the embedded local engine.
# Self-contained and idempotent; run from the repository root. Honours CARGO_TARGET_DIR.
# Fails when a check or a test fails and when pytest collected no test.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || bash scripts/setup.sh
PY=.venv/bin/python

"$PY" -m pip install -q --upgrade pip
if [ -f scripts/requirements-dev.txt ]; then
    "$PY" -m pip install -q -r scripts/requirements-dev.txt
else
    "$PY" -m pip install -q "maturin>=1.7,<2" pytest pytest-asyncio nbclient nbformat ipykernel \
        jupyter_client ipython matplotlib pandas numpy
fi

echo "== ruff check, ruff format --check (the package, its tests, the contract and compat suites, the kernel runner)"
LINTED=(bindings-python/python tests/python tests/contract tests/compat local/runner)
"$PY" -m ruff check "${LINTED[@]}"
"$PY" -m ruff format --check "${LINTED[@]}"

# The package itself, editable; maturin develop builds the dev profile (pip would build release).
VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin develop -q

echo "== mypy --strict (files in pyproject.toml), stubtest hopx_ai"
"$PY" -m mypy
"$PY" -m mypy.stubtest hopx_ai

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

#!/usr/bin/env bash
# Rust tests of the core and the engine (real processes, real namespaces, real kernel).
set -euo pipefail
cd "$(dirname "$0")/.."
export HOPX_LOCAL_PYTHON="${HOPX_LOCAL_PYTHON:-$PWD/.venv/bin/python}"
unset HOPX_API_KEY HOPX_BASE_URL
# default-members: the core and the engine (the binding cdylibs are built by their own scripts).
cargo test
# The runner's own tests (pytest, against the runner process directly).
"$HOPX_LOCAL_PYTHON" -m pytest -q local/runner/tests

#!/usr/bin/env bash
# Builds the Python and Node packages (debug builds, for speed) and runs the README's quick
# start in both languages against the embedded local engine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset HOPX_API_KEY HOPX_BASE_URL

echo "== building the Python package into .venv"
VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin develop -q
echo "== Python quick start"
.venv/bin/python examples/quickstart.py

echo "== building the Node package"
npm install --no-audit --no-fund --loglevel=error
npm run build --silent
echo "== Node quick start (sandbox Python: .venv)"
HOPX_LOCAL_PYTHON="$PWD/.venv/bin/python" node examples/quickstart.mjs

#!/usr/bin/env bash
# The client contract suites (tests/contract): our Python package (hopx_ai) and our Node package
# (@hopx-ai/sdk), each with an API key and a base URL, against tests/contract/fake_cloud.py, a
# loopback server answering as the HopX cloud does (error bodies, tokens, retries, drops).
#
# Run from anywhere, after scripts/setup.sh (it makes .venv). Builds what is missing or stale:
# the Python package into .venv (maturin develop, debug) and the Node native module (debug);
# both are incremental, so after test_python.sh / test_node.sh they cost a few seconds. Set
# HOPX_CONTRACT_SKIP_BUILD=1 to use the packages exactly as they are. Honours CARGO_TARGET_DIR.
# Exits non-zero when a suite fails or runs no test.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The suites pass api_key/base_url explicitly; nothing in the environment may redirect them.
unset HOPX_API_KEY HOPX_BASE_URL

die() { echo "test_contract: $*" >&2; exit 1; }

[ -x .venv/bin/python ] || bash scripts/setup.sh || die "scripts/setup.sh failed"
PY=$root/.venv/bin/python

if [ "${HOPX_CONTRACT_SKIP_BUILD:-}" != 1 ]; then
  echo "== build the Python package (maturin develop, debug)"
  VIRTUAL_ENV="$root/.venv" .venv/bin/maturin develop -q || die "maturin develop failed"
  if [ ! -d node_modules/@napi-rs/cli ]; then
    echo "== npm ci"
    npm ci --no-audit --no-fund || die "npm ci failed"
  fi
  echo "== build the Node native module (debug)"
  npm run --silent build || die "napi build failed"
fi
"$PY" -c 'import hopx_ai._native' 2>/dev/null || die "hopx_ai is not built (run scripts/test_python.sh)"
compgen -G "bindings-node/*.node" >/dev/null || die "the Node module is not built (run scripts/test_node.sh)"

failed=()

echo "== Python: pytest tests/contract"
"$PY" -m pytest tests/contract -q -p no:cacheprovider
status=$?
# 5: pytest collected no test, which is a failure too.
[ "$status" -eq 0 ] || failed+=("python (pytest exit $status)")

echo "== Node: node --test tests/contract"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
HOPX_CONTRACT_PYTHON=$PY node --test --test-reporter=tap tests/contract/node_contract.test.mjs 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
if [ "$status" -ne 0 ]; then
  failed+=("node (exit $status)")
elif [ -z "$passed" ] || [ "$passed" -eq 0 ]; then
  failed+=("node (no test ran)")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED contract suites: ${failed[*]}"
  exit 1
fi
echo "== contract suites passed (Python and Node)"

#!/usr/bin/env bash
# Tests of the Node package @hopx-ai/sdk, from a fresh checkout: install the JS tools, build the
# native module (debug), run `node --test` against the embedded local engine, then check that
# `npm pack` installs and runs outside the repo. The type checks are tests too, so a tsc error
# fails this script: types.test.mjs runs `tsc --noEmit` on tests/node/types (usage, and the
# public declarations against the generated native.d.ts), exports.test.mjs compares
# index.d.ts with what the package exports.
# Honours CARGO_TARGET_DIR and HOPX_LOCAL_PYTHON. Exits non-zero on any failure or when no
# test ran. Set HOPX_SKIP_PACK=1 to skip the (slower) packaging check.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The tests drive the embedded engine; a key or URL in the environment would send them away.
unset HOPX_API_KEY HOPX_BASE_URL

# code-interpreter sandboxes run Python in an IPython kernel: use HOPX_LOCAL_PYTHON if given,
# else the project's .venv (scripts/setup.sh makes it), else python3 if it has IPython, else
# make .venv with IPython.
if [ -z "${HOPX_LOCAL_PYTHON:-}" ]; then
  if .venv/bin/python -c 'import IPython' 2>/dev/null; then
    export HOPX_LOCAL_PYTHON="$root/.venv/bin/python"
  elif ! python3 -c 'import IPython' 2>/dev/null; then
    echo "== sandbox Python: .venv with IPython"
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/python -m pip install --quiet ipython
    export HOPX_LOCAL_PYTHON="$root/.venv/bin/python"
  fi
fi

# CI runs the Go case for real (tests accept a missing Go only outside CI).
if [ -n "${CI:-}" ] && ! command -v go >/dev/null; then
  echo "== installing golang-go"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null
fi

echo "== npm ci"
npm ci --no-audit --no-fund

echo "== build the native module (debug)"
npm run --silent build

echo "== node --test tests/node/"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
node --test tests/node/ 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
if [ "$status" -ne 0 ]; then
  echo "node --test failed (exit $status)" >&2
  exit "$status"
fi
if [ -z "$passed" ] || [ "$passed" -eq 0 ]; then
  echo "node --test ran no test" >&2
  exit 1
fi

if [ "${HOPX_SKIP_PACK:-}" != "1" ]; then
  echo "== npm pack, install outside the repo, run the README quick start (ESM) and a CJS one"
  scratch=$(mktemp -d)
  trap 'rm -f "$log"; rm -rf "$scratch"' EXIT
  tarball=$(npm pack --silent --pack-destination "$scratch" | tail -1)
  mkdir "$scratch/app"
  cd "$scratch/app"
  npm init -y >/dev/null
  npm install --no-audit --no-fund "$scratch/$tarball"
  cp "$root/examples/quickstart.mjs" "$root/tests/node/quickstart/quickstart.cjs" .
  node quickstart.mjs
  node quickstart.cjs
  # The shipped declarations resolve for a consumer too (CommonJS and ES module views).
  cp "$root"/tests/node/types/{tsconfig.json,usage.ts,usage.mts} .
  node "$root/node_modules/typescript/bin/tsc" -p .
  cd "$root"
fi
echo "== Node package: all checks passed"

#!/usr/bin/env bash
# Compatibility and conformance suites (tests/compat): the official HopX SDKs (hopx-ai from
# PyPI, @hopx-ai/sdk from npm, both pinned) against `hopx-local serve`, and every JSON answer
# of our server (engine tests + both suites + direct calls) validated against the official
# OpenAPI documents.
#
# Self-contained and idempotent, from the repo root on a fresh machine. Needs cargo, Python
# >= 3.10 (python3.11 preferred; override with HOPX_COMPAT_PYTHON), Node >= 18 with npm, and
# access to PyPI and npm. Honours CARGO_TARGET_DIR, HOPX_LOCAL_BIN (skip the build) and
# HOPX_LOCAL_PYTHON (the sandbox Python; without it, .venv from scripts/setup.sh if it has
# IPython, else a venv with IPython and matplotlib made under tests/compat/.venv-sandbox;
# HOPX_COMPAT_SANDBOX_VENV overrides). HOPX_COMPAT_SKIP_ENGINE_TESTS=1 skips re-running
# `cargo test -p hopx-local -p hopx-core` (then only the SDK suites' answers are recorded).
# Exits non-zero when any suite fails or runs no test.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
COMPAT=$ROOT/tests/compat
VENV=$COMPAT/.venv-official
RECORDINGS=$COMPAT/.recordings
failures=()

say() { printf '\n==> %s\n' "$*"; }
die() { echo "test_compat: $*" >&2; exit 1; }

pick_python() {
  if [[ -n "${HOPX_COMPAT_PYTHON:-}" ]]; then echo "$HOPX_COMPAT_PYTHON"; return; fi
  for p in python3.11 python3.12 python3.13 python3.10 python3; do
    if command -v "$p" >/dev/null 2>&1 &&
      "$p" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
      echo "$p"; return
    fi
  done
  die "no Python >= 3.10 found (set HOPX_COMPAT_PYTHON)"
}

make_venv() { # dir requirements-file
  local dir=$1 reqs=$2
  if ! "$dir/bin/python" -c 'import sys' >/dev/null 2>&1; then
    rm -rf "$dir"
    "$PYTHON" -m venv "$dir" || die "cannot create a venv in $dir"
  fi
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$reqs" ||
    die "pip install -r $reqs failed"
}

PYTHON=$(pick_python)

# 1. The engine. The copy keeps a parallel build in a shared target dir from swapping the
#    binary under the running suites.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hopx-compat.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if [[ -z "${HOPX_LOCAL_BIN:-}" ]]; then
  say "cargo build -p hopx-local"
  cargo build -p hopx-local || die "cargo build failed"
  TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
  cp "$TARGET/debug/hopx-local" "$WORK/hopx-local" || die "no $TARGET/debug/hopx-local"
  export HOPX_LOCAL_BIN=$WORK/hopx-local
fi
[[ -x "$HOPX_LOCAL_BIN" ]] || die "HOPX_LOCAL_BIN=$HOPX_LOCAL_BIN is not executable"

# 2. The official Python SDK's own venv (never our package), and the sandbox Python.
say "official hopx-ai venv ($VENV)"
make_venv "$VENV" "$COMPAT/python/requirements.txt"
SANDBOX_VENV=${HOPX_COMPAT_SANDBOX_VENV:-$COMPAT/.venv-sandbox}
if [[ -z "${HOPX_LOCAL_PYTHON:-}" ]] &&
  "$ROOT/.venv/bin/python" -c 'import IPython, matplotlib' >/dev/null 2>&1; then
  export HOPX_LOCAL_PYTHON=$ROOT/.venv/bin/python # made by scripts/setup.sh
fi
if [[ -z "${HOPX_LOCAL_PYTHON:-}" ]]; then
  say "sandbox Python venv (IPython, matplotlib, pandas, numpy) in $SANDBOX_VENV"
  mkdir -p "$(dirname "$SANDBOX_VENV")"
  make_venv "$SANDBOX_VENV" "$COMPAT/sandbox-python-requirements.txt"
  export HOPX_LOCAL_PYTHON=$SANDBOX_VENV/bin/python
fi

# 3. The official JS SDK, exactly as locked.
say "npm ci (tests/compat/node)"
(cd "$COMPAT/node" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"

# 4. The suites, each recording every JSON answer of the server.
rm -rf "$RECORDINGS" && mkdir -p "$RECORDINGS"
export HOPX_LOCAL_RECORD=$RECORDINGS

run_pytest() { # name, args...
  local name=$1; shift
  say "$name"
  (cd "$COMPAT" && "$VENV/bin/python" -m pytest -p no:cacheprovider -q "$@")
  local rc=$?
  # pytest exits 5 when it collected no test: that is a failure too.
  [[ $rc -eq 0 ]] || failures+=("$name (pytest exit $rc)")
}

if [[ "${HOPX_COMPAT_SKIP_ENGINE_TESTS:-}" != 1 ]]; then
  # The engine's own tests, and the core's end-to-end tests against the embedded engine.
  say "engine tests (cargo test -p hopx-local -p hopx-core), recorded"
  cargo test -p hopx-local -p hopx-core || failures+=("engine tests")
fi

run_pytest "official Python SDK suite" python

say "official JS SDK suite"
(cd "$COMPAT/node" && npm test 2>&1 | tee "$WORK/node.log")
node_rc=${PIPESTATUS[0]}
node_pass=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$WORK/node.log" | tail -1)
if [[ $node_rc -ne 0 ]]; then
  failures+=("official JS SDK suite (exit $node_rc)")
elif [[ -z "$node_pass" || "$node_pass" -eq 0 ]]; then
  failures+=("official JS SDK suite (no test ran)")
fi

unset HOPX_LOCAL_RECORD
HOPX_COMPAT_RECORDINGS=$RECORDINGS run_pytest "OpenAPI conformance" conformance

# Our packages (built by test_python.sh and test_node.sh; built here when run alone) must have
# every name of the official core surface (tests/compat/surface/compare.py).
say "official core surface vs ours"
if ! "$ROOT/.venv/bin/python" -c 'import hopx_ai._native' 2>/dev/null; then
  bash "$ROOT/scripts/setup.sh" && "$ROOT/.venv/bin/python" -m pip install -q "maturin>=1.7,<2" &&
    (cd "$ROOT" && VIRTUAL_ENV="$ROOT/.venv" .venv/bin/maturin develop -q)
fi
if ! ls "$ROOT"/bindings-node/*.node >/dev/null 2>&1; then
  (cd "$ROOT" && npm ci --no-audit --no-fund && npm run --silent build)
fi
SURFACE=$COMPAT/surface
if "$VENV/bin/python" "$SURFACE/dump_python.py" >"$WORK/official-py.json" &&
  "$ROOT/.venv/bin/python" "$SURFACE/dump_python.py" >"$WORK/ours-py.json" &&
  node "$SURFACE/dump_node.cjs" "$COMPAT/node/node_modules/@hopx-ai/sdk" >"$WORK/official-js.json" &&
  node "$SURFACE/dump_node.cjs" "$ROOT/bindings-node/index.js" >"$WORK/ours-js.json"; then
  "$VENV/bin/python" "$SURFACE/compare.py" "$WORK"/{official-py,ours-py,official-js,ours-js}.json ||
    failures+=("official core surface")
else
  failures+=("official core surface (a dump failed)")
fi

say "summary"
echo "recorded answers: $(cat "$RECORDINGS"/*.jsonl 2>/dev/null | wc -l) (in $RECORDINGS)"
if [[ ${#failures[@]} -gt 0 ]]; then
  printf 'FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo "all compat and conformance suites passed"

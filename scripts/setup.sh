#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine, idempotently:
# a Go toolchain (for `language="go"`), slirp4netns (sandboxes' internet access), and
# `.venv`: the Python that builds the package and serves as the sandbox Python (IPython,
# matplotlib, pandas, numpy for the kernel).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Go for `language="go"`, slirp4netns for sandboxes' internet access.
missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
command -v slirp4netns >/dev/null 2>&1 || missing+=(slirp4netns)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "== not installed: ${missing[*]} (language='go' and sandboxes' internet access say so when used)"
  fi
fi

# The Python that builds the package and runs sandbox code: $PYTHON, else the first of the
# usual names on PATH that really runs (a version manager's shim may name one it lacks).
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for candidate in python3 python3.12 python3.11 python3.10 python3.9; do
    if "$candidate" -c 'import sys; assert sys.version_info >= (3, 9)' >/dev/null 2>&1; then
      PY=$candidate
      break
    fi
  done
fi
[ -n "$PY" ] || { echo "setup: no Python 3 found (set PYTHON)" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $PY"
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -r scripts/requirements-dev.txt

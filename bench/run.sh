#!/usr/bin/env bash
# One command for every benchmark: sets up bench/.deps/ (official SDKs, our packages built
# --release, the tools), builds the release binaries, runs every series, and writes
# BENCHMARKS.md and bench/charts/*.png.
#
#   bash bench/run.sh            # full run (~15-20 min on 2 cores)
#   bash bench/run.sh --quick    # smoke run, few iterations
#   BENCH_ONLY=local bash bench/run.sh   # re-run some sections (overhead,footprint,local,compat,
#                                        # files,commands,lifecycle,fresh) of an earlier full run
#
# Honours CARGO_TARGET_DIR. Needs Rust, Python 3.9+ (BENCH_PYTHON, else python3.11/python3),
# Node 18+ and network access to PyPI and npm on the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
deps=$root/bench/.deps
quick=""
[ "${1:-}" = "--quick" ] && quick="--quick"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
unset HOPX_API_KEY HOPX_BASE_URL

PY=${BENCH_PYTHON:-}
for c in python3.11 python3; do
  [ -n "$PY" ] && break
  command -v "$c" >/dev/null 2>&1 && PY=$(command -v "$c")
done
mkdir -p "$deps"
say() { echo "== $*" >&2; }

venv() {  # venv NAME: creates bench/.deps/NAME once
  [ -x "$deps/$1/bin/python" ] || "$PY" -m venv "$deps/$1"
  "$deps/$1/bin/python" -m pip install -q --upgrade pip
}

say "release binaries: hopx-local, isolation_cost, the mock server"
cargo build -q --release -p hopx-local --bin hopx-local --example isolation_cost
cargo build -q --release --manifest-path bench/mock_server/Cargo.toml

say "tools venv (matplotlib, for the charts) and a bare venv"
venv tools-py
"$deps/tools-py/bin/pip" install -q matplotlib
venv bare-py

say "official SDKs: hopx-ai==0.5.0 (PyPI), @hopx-ai/sdk@0.5.1 (npm)"
venv official-py
"$deps/official-py/bin/pip" install -q "hopx-ai==0.5.0"
mkdir -p "$deps/official-node"
if [ ! -d "$deps/official-node/node_modules/@hopx-ai/sdk" ]; then
  (cd "$deps/official-node" && echo '{"name":"official","private":true}' > package.json &&
   npm install -s --no-audit --no-fund "@hopx-ai/sdk@0.5.1")
fi

say "our release artifacts (scripts/release.sh), installed as a user installs them"
bash scripts/release.sh >&2
wheel=$(ls "$root"/dist/python/hopx_ai-*.whl | head -1)
venv ours-py
"$deps/ours-py/bin/pip" install -q --force-reinstall --no-deps "$wheel"
"$deps/ours-py/bin/pip" install -q "${wheel}[local]"
venv ours-min-py
"$deps/ours-min-py/bin/pip" install -q --force-reinstall "$wheel"
rm -rf "$deps/ours-node" && mkdir -p "$deps/ours-node"
(cd "$deps/ours-node" && echo '{"name":"ours","private":true}' > package.json &&
 npm install -s --no-audit --no-fund "$root"/dist/npm/hopx-ai-sdk-linux-x64-gnu-*.tgz \
   "$(ls "$root"/dist/npm/hopx-ai-sdk-[0-9]*.tgz)")

say "running the benchmarks"
# The builds above leave hundreds of MB of dirty pages; flush them now rather than during the
# measurements (the write-back competes with the one-shot runs' file and process work).
sync
only=${BENCH_ONLY:-overhead,footprint,local,compat,files,commands,lifecycle,fresh}
# bench.py knows every section but files, commands, lifecycle and fresh (bench/<section>.py).
bench_only=$(echo ",$only," | sed 's/,files,/,/; s/,commands,/,/; s/,lifecycle,/,/; s/,fresh,/,/; s/^,//; s/,$//')
[ -z "$bench_only" ] || "$deps/tools-py/bin/python" bench/bench.py $quick --only "$bench_only"
if [ -x "$deps/ours-py/bin/python" ] && [[ ",$only," == *,files,* ]]; then
  say "file transfers (bench/files.py)"
  "$deps/tools-py/bin/python" bench/files.py --ours "$deps/ours-py/bin/python" \
    --official "$deps/official-py/bin/python" ${quick:+--rounds 2}
fi
if [ -x "$deps/ours-py/bin/python" ] && [[ ",$only," == *,commands,* ]]; then
  say "commands (bench/commands.py)"
  "$deps/tools-py/bin/python" bench/commands.py --ours "$deps/ours-py/bin/python" \
    --official "$deps/official-py/bin/python" \
    --isolation-cost "$CARGO_TARGET_DIR/release/examples/isolation_cost" ${quick:+--calls 50}
fi
if [ -x "$deps/ours-py/bin/python" ] && [[ ",$only," == *,lifecycle,* ]]; then
  say "lifecycle (bench/lifecycle.py)"
  "$deps/tools-py/bin/python" bench/lifecycle.py --ours "$deps/ours-py/bin/python" \
    ${quick:+--calls 30 --cycles 10}
fi
if [ -x "$deps/ours-py/bin/python" ] && [[ ",$only," == *,fresh,* ]]; then
  say "a fresh process's first result (bench/fresh_process.py)"
  "$deps/tools-py/bin/python" bench/fresh_process.py --ours "$deps/ours-py/bin/python" \
    ${quick:+--runs 5}
fi
"$deps/tools-py/bin/python" bench/report.py
say "done: BENCHMARKS.md, bench/charts/"

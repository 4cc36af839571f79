#!/usr/bin/env bash
# The Rust lint gate: formatting and clippy over the whole workspace, bindings included, every
# target (tests, examples), warnings as errors. The Python (ruff, mypy, stubtest) and Node
# (tsc) checks run in their own suites.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
echo "lint: rustfmt and clippy are clean"

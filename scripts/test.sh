#!/usr/bin/env bash
# Every test of the project: the lint gate (rustfmt, clippy), Rust (core, engine, isolation,
# kernel), the Python package, the Node package, both packages against a fake HopX cloud (the
# client contract), compatibility with the official SDKs, and the release artifacts (built by
# scripts/release.sh, installed under /tmp, quick starts run). Exits non-zero if any suite
# fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
failed=()
for suite in lint rust python node contract compat release; do
  script="scripts/test_$suite.sh"
  [ -f "$script" ] || continue
  echo "==================== $suite"
  if ! bash "$script"; then failed+=("$suite"); fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
echo "all suites passed"

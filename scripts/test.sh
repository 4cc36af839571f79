#!/usr/bin/env bash
# Every test of the project: the lint gate (rustfmt, clippy), Rust (core, engine, isolation,
# kernel), the Python package, the Node package, both packages against a fake HopX cloud (the
# client contract), compatibility with the official SDKs, and the release artifacts (built by
# scripts/release.sh, installed under /tmp, quick starts run). Exits non-zero if any suite
# fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The SDKs' shared local engines (one per user, README "The local engine") get a folder of
# this run's own, a short idle exit, and are stopped at the end: no test leaves one running.
HOPX_LOCAL_SHARED_DIR="$(mktemp -d)"
export HOPX_LOCAL_SHARED_DIR HOPX_LOCAL_IDLE_EXIT=20
stop_engines() {
  for record in "$HOPX_LOCAL_SHARED_DIR"/engine-*.json; do
    [ -f "$record" ] || continue
    pid=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$record")
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  sleep 1
  rm -rf "$HOPX_LOCAL_SHARED_DIR"
}
trap stop_engines EXIT
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

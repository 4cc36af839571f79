#!/usr/bin/env bash
# The release artifacts as a user gets them: builds dist/ (scripts/release.sh), then installs
# the wheel into a fresh venv under /tmp (with `[local]`: IPython, matplotlib... from the
# registry) and runs the Python quick start with that venv as the sandbox Python, and installs
# the two npm tarballs into a fresh folder under /tmp and runs the Node quick start. Nothing
# of the working tree is imported. Prints the sizes (wheel, installed, npm install).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/release.sh

WORK=$(mktemp -d /tmp/hopx-release-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
unset HOPX_API_KEY HOPX_BASE_URL HOPX_LOCAL_PYTHON
wheel=$(ls "$ROOT"/dist/python/*_x86_64.whl)

echo "== Python: the wheel in a fresh venv under /tmp"
PY=${PYTHON:-python3}
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install -q "$wheel[local]"
(cd "$WORK" && "$WORK/venv/bin/python" - <<'EOF'
import hopx_ai
from hopx_ai import Sandbox

assert "site-packages" in hopx_ai.__file__, hopx_ai.__file__
with Sandbox.create(template="code-interpreter") as sandbox:
    result = sandbox.run_code('print("Hello, World!")')
    assert (result.stdout, result.success) == ("Hello, World!\n", True), result
    plot = sandbox.run_code("import matplotlib.pyplot as plt; plt.plot([1, 3, 2]); plt.show()")
    assert plot.rich_outputs and plot.rich_outputs[0].type == "image/png", plot
    js = sandbox.run_code("console.log(6 * 7)", language="javascript")
    assert js.stdout == "42\n", js
print("python quick start from the wheel: ok")
EOF
)
# The console script the wheel installs.
test "$("$WORK/venv/bin/hopx" run -c 'print(6 * 7)')" = 42
echo "hopx from the wheel: ok"

echo "== Node: the two npm tarballs in a fresh folder under /tmp"
mkdir "$WORK/node"
(
  cd "$WORK/node"
  npm init -y >/dev/null
  npm install --silent --no-audit --no-fund "$ROOT"/dist/npm/hopx-ai-sdk-linux-x64-gnu-*.tgz \
    "$(ls "$ROOT"/dist/npm/hopx-ai-sdk-[0-9]*.tgz)"
  test ! -e node_modules/@hopx-ai/sdk/bindings-node/hopx.linux-x64-gnu.node
  cat >quickstart.mjs <<'EOF'
import { Sandbox } from '@hopx-ai/sdk'

const sandbox = await Sandbox.create({ template: 'code-interpreter' })
const result = await sandbox.runCode('console.log(1)', { language: 'javascript' })
if (result.stdout !== '1\n' || !result.success) throw new Error(JSON.stringify(result))
const py = await sandbox.runCode('print(2 + 2)')
if (py.stdout !== '4\n') throw new Error(JSON.stringify(py))
await sandbox.kill()
console.log('node quick start from the tarballs: ok')
EOF
  # The sandbox Python of the Node quick start: the venv above (it has IPython).
  HOPX_LOCAL_PYTHON=$WORK/venv/bin/python node quickstart.mjs
  # The package's bin.
  test "$(HOPX_LOCAL_PYTHON=$WORK/venv/bin/python npx --no-install hopx run -c 'print(6 * 7)')" = 42
  echo "hopx from the tarballs: ok"
)

echo "== sizes"
size() { du -sk "$@" | awk '{s += $1} END {printf "%.1f MB\n", s / 1024}'; }
echo "wheel: $(size "$wheel")"
echo "installed (hopx_ai alone): $(size "$WORK"/venv/lib/python3*/site-packages/hopx_ai)"
echo "npm tarballs: $(size "$ROOT"/dist/npm/*.tgz)"
echo "npm install (node_modules): $(size "$WORK/node/node_modules") in $(find "$WORK/node/node_modules" -name package.json -maxdepth 3 | grep -c . ) packages"

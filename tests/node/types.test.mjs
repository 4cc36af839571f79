// The hand-written declarations describe real usage: `tsc --noEmit` on tests/node/types
// (CommonJS and ES module views, `await using`, error fields), and line up with the native
// module's generated declarations (native.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

function tsc(project) {
  const bin = require.resolve('typescript/bin/tsc')
  const out = spawnSync(process.execPath, [bin, '-p', project], { cwd: root, encoding: 'utf8' })
  assert.equal(out.status, 0, out.stdout + out.stderr)
}

test('tsc --noEmit accepts tests/node/types', () => tsc('tests/node/types'))

test('the declarations compile without the esnext.disposable lib', () =>
  tsc('tests/node/types/tsconfig.es2022.json'))

test("the declarations line up with the native module's (native.d.ts)", () =>
  tsc('tests/node/types/tsconfig.native.json'))

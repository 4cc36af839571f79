// The `hopx` command as @hopx-ai/sdk ships it (the package's `bin`, bindings-node/hopx-cli.js)
// against the local engine: a run's output and exit status, --json, and bad arguments. The
// Python suite (tests/python/test_cli.py) drives every subcommand; this checks the Node door.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const pkg = require('@hopx-ai/sdk/package.json')
const bin = path.join(path.dirname(require.resolve('@hopx-ai/sdk/package.json')), pkg.bin.hopx)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hopx-cli-node-'))
const env = { ...process.env, HOPX_LOCAL_SHARED_DIR: dir }
delete env.HOPX_LOCAL_SHARED

function hopx(...args) {
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 120000 })
}

after(() => {
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    try {
      process.kill(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).pid, 'SIGTERM')
    } catch {}
  }
})

test('hopx run: output, the exit status of a failing program, --json', () => {
  let r = hopx('run', '-c', 'console.log(6 * 7)', '--language', 'javascript')
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '42\n')
  r = hopx('run', '-c', 'echo out; exit 5', '--language', 'bash')
  assert.equal(r.status, 5)
  assert.equal(r.stdout, 'out\n')
  r = hopx('--json', 'run', '-c', 'print("json")')
  assert.equal(r.status, 0, r.stderr)
  const result = JSON.parse(r.stdout)
  assert.equal(result.stdout, 'json\n')
  assert.equal(result.exit_code, 0)
})

test('hopx: bad arguments are one clear line and status 2', () => {
  const r = hopx('sandbox', 'explode')
  assert.equal(r.status, 2)
  assert.match(r.stderr.split('\n')[0], /^error: .*explode/)
})

// The user's shared local engine from fresh Node processes: the first starts it (node running
// this package's native module), the next one uses it, and HOPX_LOCAL_SHARED=0 keeps the
// engine inside the process. The Python suite covers the rest (owners, races, idle, users).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const script = `
import { Sandbox } from '@hopx-ai/sdk'
const s = await Sandbox.create({ template: 'base' })
console.log((await s.runCode('echo hi', { language: 'bash' })).stdout.trim())
await s.kill()
`

function run(dir, extra = {}) {
  const env = { ...process.env, HOPX_LOCAL_SHARED_DIR: dir, ...extra }
  if (!('HOPX_LOCAL_SHARED' in extra)) delete env.HOPX_LOCAL_SHARED
  // From this folder, so that the child resolves '@hopx-ai/sdk' as the tests do.
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env,
    cwd: path.dirname(fileURLToPath(import.meta.url)),
    encoding: 'utf8',
    timeout: 120000,
  }).trim()
}

function records(dir) {
  if (!fs.existsSync(dir)) return []
  const names = fs.readdirSync(dir).filter((f) => /^engine-.*\.json$/.test(f))
  return names.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
}

test('two Node processes share one engine that Node started', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hopx-shared-node-'))
  try {
    assert.equal(run(dir), 'hi')
    const [first, ...more] = records(dir)
    assert.equal(more.length, 0)
    const argv = fs.readFileSync(`/proc/${first.pid}/cmdline`, 'utf8').split('\0')
    assert.equal(fs.readFileSync(`/proc/${first.pid}/comm`, 'utf8').trim(), 'hopx-engine')
    assert.equal(fs.realpathSync(argv[0]), fs.realpathSync(process.execPath))
    assert.equal(run(dir), 'hi')
    assert.deepEqual(records(dir).map((r) => r.pid), [first.pid])
  } finally {
    for (const r of records(dir)) {
      try { process.kill(r.pid, 'SIGTERM') } catch {}
    }
  }
})

test('HOPX_LOCAL_SHARED=0 keeps the engine inside the process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hopx-shared-node-'))
  assert.equal(run(dir, { HOPX_LOCAL_SHARED: '0' }), 'hi')
  assert.deepEqual(records(dir), [])
})

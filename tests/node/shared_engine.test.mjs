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

/** Exited: no such process, or a zombie its new parent has not collected. */
function gone(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z')
  } catch {
    return true
  }
}

function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
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
    // SIGTERM ends it in a Node host too (napi's own runtime once kept the signal from it),
    // and it takes its record along.
    process.kill(first.pid, 'SIGTERM')
    const deadline = Date.now() + 10000
    while (!gone(first.pid) && Date.now() < deadline) sleepMs(50)
    assert.ok(gone(first.pid), 'the engine outlived SIGTERM')
    assert.deepEqual(records(dir), [])
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

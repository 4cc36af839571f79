// sandbox.env against the embedded local engine: the six official calls and what they
// resolve to, the variables reaching later runs (the running Python kernel, a one-shot bash
// run, a background run) under a run's own env, which wins and does not stay,
// create({ envVars }) filling the same store, and bad arguments.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, Env, NotFoundError, ValidationError } from '@hopx-ai/sdk'
import { assertLocal } from './support/local.mjs'

let sandbox

before(async () => {
  assertLocal()
  sandbox = await Sandbox.create({ template: 'code-interpreter', envVars: { FROM_CREATE: 'c' } })
})

after(async () => {
  await sandbox?.kill()
})

beforeEach(async () => {
  await sandbox.env.setAll({ FROM_CREATE: 'c' })
})

const printLate = "import os; print(os.getenv('LATE'))"

test('one Env per sandbox handle', () => {
  assert.ok(sandbox.env instanceof Env)
  assert.equal(sandbox.env, sandbox.env)
})

test('the six calls and what they resolve to', async () => {
  const env = sandbox.env
  assert.deepEqual(await env.getAll(), { FROM_CREATE: 'c' }, 'create({ envVars }) fills the store')
  assert.deepEqual(await env.set('A', '1'), { FROM_CREATE: 'c', A: '1' })
  assert.deepEqual(await env.update({ B: '2', A: 'one' }), { FROM_CREATE: 'c', A: 'one', B: '2' })
  assert.equal(await env.get('A'), 'one')
  assert.equal(await env.get('MISSING'), undefined)
  assert.equal(await env.get('constructor'), undefined, 'only variables, not Object.prototype')
  assert.deepEqual(await env.setAll({ ONLY: 'x y=z', EMPTY: '' }), { ONLY: 'x y=z', EMPTY: '' })
  assert.deepEqual(await env.getAll({ timeout: 5 }), { ONLY: 'x y=z', EMPTY: '' })
  assert.equal(await env.delete('ONLY'), undefined)
  assert.deepEqual(await env.getAll(), { EMPTY: '' })
  await env.delete('ONLY') // not set: nothing happens
  await env.set('UNICODE', 'héllo ✓')
  assert.equal(await env.get('UNICODE'), 'héllo ✓')
})

test('a variable set after the kernel started reaches the next cell; a run env wins and does not stay', async () => {
  assert.equal((await sandbox.runCode(printLate)).stdout, 'None\n')
  await sandbox.env.set('LATE', 'global')
  assert.equal((await sandbox.runCode(printLate)).stdout, 'global\n')
  assert.equal((await sandbox.runCode(printLate, { env: { LATE: 'request' } })).stdout, 'request\n')
  assert.equal((await sandbox.runCode(printLate)).stdout, 'global\n')
  await sandbox.env.delete('LATE')
  assert.equal((await sandbox.runCode(printLate)).stdout, 'None\n')
})

test('variables reach one-shot and background runs', async () => {
  await sandbox.env.update({ G1: 'one', G2: 'two' })
  const out = await sandbox.runCode('echo "$G1 $G2 $FROM_CREATE"', { language: 'bash', env: { G2: 'mine' } })
  assert.equal(out.stdout, 'one mine c\n')
  const started = await sandbox.runCodeBackground('echo "$G1-$G2"', { language: 'bash' })
  const deadline = Date.now() + 60_000
  let proc
  while (Date.now() < deadline) {
    proc = (await sandbox.listProcesses()).find((p) => p.processId === started.processId)
    if (proc && proc.status !== 'running' && proc.status !== 'queued') break
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.equal(proc.stdout, 'one-two\n', JSON.stringify(proc))
})

test('bad arguments fail before any request', async () => {
  const env = sandbox.env
  await assert.rejects(env.setAll(['A=1']), { name: 'TypeError', message: /envVars/ })
  await assert.rejects(env.setAll(), { name: 'TypeError', message: /envVars/ })
  await assert.rejects(env.update({ A: 1 }), { name: 'TypeError', message: /envVars\.A/ })
  await assert.rejects(env.get(''), TypeError)
  await assert.rejects(env.set('A', 1), { name: 'TypeError', message: /value/ })
  for (const bad of ['A=B', 'A\0']) {
    await assert.rejects(env.set(bad, 'x'), ValidationError, JSON.stringify(bad))
    await assert.rejects(env.setAll({ [bad]: 'x' }), ValidationError, JSON.stringify(bad))
  }
  await assert.rejects(env.setAll({ '': 'x' }), ValidationError)
  await assert.rejects(env.set('A', 'x\0y'), { name: 'ValidationError', message: /NUL/ })
  await assert.rejects(env.getAll({ timeout: 0 }), ValidationError)
  assert.deepEqual(await env.getAll(), { FROM_CREATE: 'c' }, 'nothing was sent')
})

test('a killed sandbox rejects with NotFoundError', async () => {
  const other = await Sandbox.create({ template: 'base' })
  const env = other.env
  await other.kill()
  await assert.rejects(env.getAll(), NotFoundError)
})

// Bad arguments fail with a clear TypeError or ValidationError before any request is sent.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, ValidationError } from '@hopx-ai/sdk'
import { startMock } from './support/mock.mjs'

let mock
let sandbox

before(async () => {
  mock = await startMock()
  sandbox = await Sandbox.create({ baseURL: mock.baseURL, apiKey: 'k' })
})

after(async () => {
  await mock.close()
})

const executes = () => mock.requests.filter((r) => r === 'POST /execute').length

test('code must be a string', async () => {
  for (const code of [undefined, null, 42, { code: 'x' }, ['print(1)']]) {
    await assert.rejects(sandbox.runCode(code), (err) => {
      assert.ok(err instanceof TypeError, `${err}`)
      assert.match(err.message, /code must be a string/)
      return true
    })
  }
  assert.equal(executes(), 0)
})

test('timeout must be an integer from 1 to 300', async () => {
  for (const timeout of [0, -1, 301, 1.5, Number.NaN, '10']) {
    await assert.rejects(sandbox.runCode('print(1)', { timeout }), (err) => {
      assert.ok(err instanceof ValidationError, `${err}`)
      assert.match(err.message, /timeout must be/)
      return true
    })
  }
  assert.equal(executes(), 0)
})

test('env values must be strings', async () => {
  for (const env of [{ A: 1 }, { A: null }, { A: true }, 'A=1', ['A']]) {
    await assert.rejects(sandbox.runCode('print(1)', { env }), (err) => {
      assert.ok(err instanceof TypeError, `${err}`)
      assert.match(err.message, /env/)
      return true
    })
  }
  assert.equal(executes(), 0)
})

test('other option types are checked', async () => {
  await assert.rejects(sandbox.runCode('1', { language: 7 }), TypeError)
  await assert.rejects(sandbox.runCode('1', { workingDir: 7 }), TypeError)
  await assert.rejects(sandbox.runCode('1', 'python'), TypeError)
  assert.equal(executes(), 0)
  const creates = mock.requests.length
  await assert.rejects(Sandbox.create({ baseURL: mock.baseURL, envVars: { A: 1 } }), TypeError)
  await assert.rejects(Sandbox.create({ baseURL: mock.baseURL, timeoutSeconds: 0 }), ValidationError)
  await assert.rejects(Sandbox.create({ baseURL: mock.baseURL, internetAccess: 'yes' }), TypeError)
  await assert.rejects(Sandbox.create({ baseURL: 42 }), TypeError)
  await assert.rejects(Sandbox.connect(''), TypeError)
  assert.equal(mock.requests.length, creates)
})

test('an empty env name is refused by the core before sending', async () => {
  await assert.rejects(sandbox.runCode('1', { env: { '': 'x' } }), ValidationError)
  assert.equal(executes(), 0)
})

test('Sandbox cannot be constructed directly', () => {
  assert.throws(() => new Sandbox(), TypeError)
})

// Every error class, each raised by a real situation: the local engine where it has one,
// otherwise a fake server answering what the HopX cloud answers in that situation.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import * as sdk from '@hopx-ai/sdk'
import { startMock, controlError, agentError } from './support/mock.mjs'
import { assertLocal } from './support/local.mjs'

const { Sandbox } = sdk
const mocks = []
after(async () => Promise.all(mocks.map((m) => m.close())))

async function mockWith(routes) {
  const m = await startMock(routes)
  mocks.push(m)
  return m
}

/** Asserts `promise` rejects with exactly class `name` (and so all its parents). */
async function rejectsAs(promise, name, check = () => {}) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof sdk[name], `expected ${name}, got ${err?.name}: ${err?.message}`)
    assert.ok(err instanceof sdk.HopxError)
    assert.ok(err instanceof Error)
    assert.equal(err.name, name)
    assert.equal(err.constructor, sdk[name])
    check(err)
    return true
  })
}

// --- the local engine ---------------------------------------------------------------------

test('local: unknown template -> TemplateNotFoundError with the available names', async () => {
  assertLocal()
  await rejectsAs(Sandbox.create({ template: 'no-such-template' }), 'TemplateNotFoundError', (e) => {
    assert.ok(e instanceof sdk.NotFoundError)
    assert.equal(e.templateName, 'no-such-template')
    assert.ok(e.availableTemplates.includes('code-interpreter'), `${e.availableTemplates}`)
    assert.equal(e.statusCode, 404)
  })
})

test('local: unknown language -> ValidationError; workdir outside the sandbox -> FileOperationError', async () => {
  const sb = await Sandbox.create({ template: 'base' })
  try {
    await rejectsAs(sb.runCode('x', { language: 'cobol' }), 'ValidationError', (e) => {
      assert.equal(e.statusCode, 400)
      assert.match(e.message, /python/)
    })
    await rejectsAs(sb.runCode('pwd', { language: 'bash', workingDir: '/etc' }), 'FileOperationError', (e) => {
      assert.equal(e.code, 'INVALID_PATH')
    })
    await rejectsAs(sb.runCode('sleep 5', { language: 'bash', timeout: 1 }), 'TimeoutError')
  } finally {
    await sb.kill()
  }
})

test('local: unknown sandbox id -> NotFoundError; a killed handle -> NotFoundError', async () => {
  await rejectsAs(Sandbox.connect('no-such-sandbox'), 'NotFoundError', (e) => assert.equal(e.statusCode, 404))
  const sb = await Sandbox.create({ template: 'base' })
  const id = sb.sandboxId
  await sb.kill()
  await rejectsAs(sb.runCode('echo', { language: 'bash' }), 'NotFoundError', (e) => assert.match(e.message, /killed/))
  await rejectsAs(sb.kill(), 'NotFoundError')
  await rejectsAs(Sandbox.connect(id), 'NotFoundError')
})

// --- a fake cloud ---------------------------------------------------------------------------

test('401 -> AuthenticationError with requestId', async () => {
  const m = await mockWith({ 'POST /v1/sandboxes': controlError(401, 'Invalid API key', 'UNAUTHORIZED') })
  await rejectsAs(Sandbox.create({ baseURL: m.baseURL, apiKey: 'bad' }), 'AuthenticationError', (e) => {
    assert.ok(e instanceof sdk.APIError)
    assert.equal(e.statusCode, 401)
    assert.equal(e.requestId, 'req_mock')
    assert.equal(e.message, 'Invalid API key')
  })
})

test('agent 401 TOKEN_EXPIRED after a refresh -> TokenExpiredError', async () => {
  const m = await mockWith({ 'POST /execute': agentError(401, 'token expired', 'TOKEN_EXPIRED') })
  const sb = await Sandbox.create({ baseURL: m.baseURL, apiKey: 'k' })
  await rejectsAs(sb.runCode('1'), 'TokenExpiredError', (e) => assert.ok(e instanceof sdk.AuthenticationError))
  assert.ok(m.requests.includes('POST /v1/sandboxes/sb1/token/refresh'), 'refreshed once before giving up')
})

test('429 -> RateLimitError with retryAfter', async () => {
  const body = controlError(429, 'Too many requests', 'RATE_LIMIT_EXCEEDED', { retry_after_seconds: 0 })
  const m = await mockWith({ 'GET /v1/sandboxes': body })
  await rejectsAs(Sandbox.list({ baseURL: m.baseURL, apiKey: 'k' }), 'RateLimitError', (e) => {
    assert.equal(e.retryAfter, 0)
    assert.equal(e.statusCode, 429)
  })
})

test('403 limit -> ResourceLimitError', async () => {
  const m = await mockWith({ 'POST /v1/sandboxes': controlError(403, 'Sandbox limit reached', 'RESOURCE_LIMIT_EXCEEDED') })
  await rejectsAs(Sandbox.create({ baseURL: m.baseURL, apiKey: 'k' }), 'ResourceLimitError')
})

test('500 -> ServerError; 402 -> APIError', async () => {
  const m = await mockWith({
    'POST /v1/sandboxes': controlError(500, 'boom', 'INTERNAL_ERROR'),
    'GET /v1/sandboxes/sb1': controlError(402, 'Payment required', 'PAYMENT_REQUIRED'),
  })
  await rejectsAs(Sandbox.create({ baseURL: m.baseURL, apiKey: 'k' }), 'ServerError', (e) => assert.equal(e.statusCode, 500))
  await rejectsAs(Sandbox.connect('sb1', 'k', m.baseURL), 'APIError', (e) => {
    assert.equal(e.statusCode, 402)
    assert.equal(e.code, 'PAYMENT_REQUIRED')
  })
})

test('410 -> SandboxExpiredError', async () => {
  const m = await mockWith({ 'GET /v1/sandboxes/sb1': controlError(410, 'Sandbox expired', 'SANDBOX_EXPIRED') })
  const sb = await Sandbox.create({ baseURL: m.baseURL, apiKey: 'k' })
  await rejectsAs(sb.getInfo(), 'SandboxExpiredError', (e) => assert.equal(e.statusCode, 410))
})

test('connect to a stopped sandbox -> HopxError (the base class)', async () => {
  const m = await mockWith({ 'GET /v1/sandboxes/sb1': { status: 200, body: { id: 'sb1', status: 'stopped' } } })
  await assert.rejects(Sandbox.connect('sb1', { apiKey: 'k', baseURL: m.baseURL }), (e) => {
    assert.equal(e.constructor, sdk.HopxError)
    assert.match(e.message, /stopped/)
    return true
  })
})

test('nothing listening -> NetworkError', async () => {
  const port = await closedPort()
  await rejectsAs(Sandbox.create({ baseURL: `http://127.0.0.1:${port}`, apiKey: 'k' }), 'NetworkError')
})

test('agent error codes -> FileNotFound, FileOperation, CodeExecution, CommandExecution, Agent', async () => {
  const cases = [
    [agentError(404, 'No such file', 'FILE_NOT_FOUND'), 'FileNotFoundError'],
    [agentError(403, 'Path not allowed', 'PATH_NOT_ALLOWED'), 'FileOperationError'],
    [agentError(500, 'Could not start the runtime', 'EXECUTION_FAILED'), 'CodeExecutionError'],
    [agentError(500, 'Command failed', 'COMMAND_FAILED'), 'CommandExecutionError'],
    [agentError(405, 'Method not allowed'), 'AgentError'],
    [agentError(408, 'Execution timed out', 'EXECUTION_TIMEOUT'), 'TimeoutError'],
  ]
  for (const [answer, name] of cases) {
    const m = await mockWith({ 'POST /execute': answer })
    const sb = await Sandbox.create({ baseURL: m.baseURL, apiKey: 'k' })
    await rejectsAs(sb.runCode('1'), name, (e) => {
      assert.equal(e.requestId, 'req_agent')
      assert.equal(e.message, answer.body.error)
    })
  }
})

async function closedPort() {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

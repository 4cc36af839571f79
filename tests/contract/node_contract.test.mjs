// @hopx-ai/sdk against the HopX cloud's contract, played by fake_cloud.py on loopback: the
// same scenarios as test_python_contract.py. Each test checks what the user sees (the exact
// error class and its fields) and what went over the wire (the fake's request log): how many
// times /execute arrived, which tokens and keys were sent where, what was and was not retried.
//
// The fake runs under HOPX_CONTRACT_PYTHON, else the project's .venv Python, else python3.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import http from 'node:http'
import path from 'node:path'
import * as sdk from '@hopx-ai/sdk'

const { Sandbox } = sdk
const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')

const CREATE = 'POST /v1/sandboxes'
const LIST = 'GET /v1/sandboxes'
const GET = 'GET /v1/sandboxes/{id}'
const REFRESH = 'POST /v1/sandboxes/{id}/token/refresh'
const TEMPLATES = 'GET /v1/templates'
const EXECUTE = 'POST /execute'

// --- the fake cloud -------------------------------------------------------------------------

let proc
let cloud // {control, agent, api_key}

before(async () => {
  const venv = path.join(root, '.venv/bin/python')
  const python = process.env.HOPX_CONTRACT_PYTHON || (existsSync(venv) ? venv : 'python3')
  proc = spawn(python, [path.join(here, 'fake_cloud.py')], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: proc.stdout })
  cloud = await new Promise((resolve, reject) => {
    proc.once('error', reject)
    proc.once('exit', (code) => reject(new Error(`fake_cloud.py exited (${code})`)))
    lines.once('line', (line) => resolve(JSON.parse(line)))
  })
})

after(() => {
  proc?.stdin.end() // the fake exits when its stdin closes
})

/** One call to a test endpoint of the fake (plain http: no proxy may see it). */
function testCall(method, route, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body)
    const req = http.request(cloud.control + route, { method, agent: false }, (res) => {
      let raw = ''
      res.setEncoding('utf8')
      res.on('data', (c) => (raw += c))
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(raw)) : reject(new Error(raw))))
    })
    req.on('error', reject)
    req.end(data)
  })
}

const fake = {
  requests: () => testCall('GET', '/__requests'),
  tokens: () => testCall('GET', '/__tokens'),
  async routes() {
    return (await this.requests()).map((r) => r.route)
  },
  async on(route) {
    return (await this.requests()).filter((r) => r.route === route)
  },
}

const covered = new Set()

/** A test that first resets the fake to scenario `name`. */
function scenario(name, title, fn) {
  covered.add(name)
  test(`${name}: ${title}`, async () => {
    await testCall('POST', '/__scenario', { name })
    await fn()
  })
}

const opts = (extra = {}) => ({ apiKey: cloud.api_key, baseURL: cloud.control, ...extra })
const create = (extra = {}) => Sandbox.create(opts({ template: 'code-interpreter', ...extra }))
const bearer = (token) => `Bearer ${token}`

/** `promise` must reject with exactly the class `name`; returns the error. */
async function rejectsAs(promise, name) {
  let err
  await assert.rejects(promise, (e) => {
    err = e
    return true
  })
  assert.ok(err instanceof sdk[name], `expected ${name}, got ${err?.name}: ${err?.message}`)
  assert.equal(err.constructor, sdk[name])
  assert.equal(err.name, name)
  assert.ok(err instanceof sdk.HopxError && err instanceof Error)
  assert.equal(typeof err.details, 'object')
  return err
}

/** X-API-Key on every control-plane request and never on the agent, which gets a bearer. */
async function assertKeysWhereTheyBelong() {
  const issued = new Set(await fake.tokens())
  for (const r of await fake.requests()) {
    if (r.plane === 'control') {
      assert.equal(r.headers['x-api-key'], cloud.api_key, r.route)
      assert.equal(r.headers.authorization, undefined, r.route)
    } else {
      assert.equal(r.headers['x-api-key'], undefined, `API key sent to the agent: ${r.route}`)
      assert.ok(issued.has(r.headers.authorization.replace(/^Bearer /, '')), r.route)
    }
  }
}

// --- sessions that work ---------------------------------------------------------------------

scenario('happy_path', 'the wire fields go to the right plane with the right credentials', async () => {
  const sb = await create({ region: 'eu-west', timeoutSeconds: 600 })
  let result = await sb.runCode('print(1)')
  assert.equal(result.success, true)
  assert.equal(result.exitCode, 0)
  assert.equal(result.stdout, 'ran: print(1)\n')
  result = await sb.runCode('echo $A', { language: 'bash', timeout: 30, env: { A: '1' }, workingDir: '/tmp' })
  assert.equal(result.stdout, 'ran: echo $A\n')
  const info = await sb.getInfo()
  assert.equal(info.status, 'running')
  await sb.kill()

  assert.deepEqual(await fake.routes(), [CREATE, EXECUTE, EXECUTE, GET, 'DELETE /v1/sandboxes/{id}'])
  const [made] = await fake.on(CREATE)
  assert.deepEqual(made.body, { template_name: 'code-interpreter', region: 'eu-west', timeout_seconds: 600 })
  const [first, second] = await fake.on(EXECUTE)
  assert.equal(first.plane, 'agent', 'public_host is the agent port')
  assert.deepEqual(first.body, { language: 'python', code: 'print(1)', workdir: '/workspace', timeout: 120 })
  assert.deepEqual(second.body, { language: 'bash', code: 'echo $A', workdir: '/tmp', timeout: 30, env: { A: '1' } })
  const [token] = await fake.tokens()
  assert.equal(first.headers.authorization, bearer(token))
  assert.equal(second.headers.authorization, bearer(token))
  await assertKeysWhereTheyBelong()
})

scenario('token_expiring_soon', 'a token with 30 minutes left is refreshed once before the first runs', async () => {
  const sb = await create()
  // Four runs at once share one refresh.
  const results = await Promise.all([0, 1, 2, 3].map((i) => sb.runCode(`run ${i}`)))
  assert.deepEqual(results.map((r) => r.stdout).sort(), [0, 1, 2, 3].map((i) => `ran: run ${i}\n`))
  assert.ok((await sb.runCode('later')).success)
  assert.deepEqual(await fake.routes(), [CREATE, REFRESH, ...Array(5).fill(EXECUTE)])
  const [, fresh] = await fake.tokens()
  for (const run of await fake.on(EXECUTE)) assert.equal(run.headers.authorization, bearer(fresh))
  await assertKeysWhereTheyBelong()
})

scenario('execute_401_then_refresh', 'an agent 401 refreshes once and runs once more', async () => {
  const sb = await create()
  assert.equal((await sb.runCode('x = 1')).stdout, 'ran: x = 1\n')
  assert.deepEqual(await fake.routes(), [CREATE, EXECUTE, REFRESH, EXECUTE])
  const [refused, retried] = await fake.on(EXECUTE)
  assert.deepEqual([refused.status, retried.status], [401, 200])
  const [old, fresh] = await fake.tokens()
  assert.equal(refused.headers.authorization, bearer(old))
  assert.equal(retried.headers.authorization, bearer(fresh))
  await assertKeysWhereTheyBelong()
})

scenario('rate_limited_get', 'a 429 on a GET waits for Retry-After, then succeeds', async () => {
  const sb = await create()
  assert.equal((await sb.getInfo()).status, 'running')
  const [limited, ok] = await fake.on(GET)
  assert.deepEqual([limited.status, ok.status], [429, 200])
  assert.ok(ok.at - limited.at >= 0.9, 'Retry-After: 1 was not honoured')
})

scenario('gateway_errors_on_get', '502 and 504 on an idempotent GET are retried', async () => {
  const sb = await create()
  assert.equal((await sb.getInfo()).status, 'running')
  assert.deepEqual((await fake.on(GET)).map((r) => r.status), [502, 504, 200])
})

scenario('create_503_then_201', 'a 503 on create is retried once and the sandbox works', async () => {
  const sb = await create()
  assert.deepEqual((await fake.on(CREATE)).map((r) => r.status), [503, 201])
  assert.ok((await sb.runCode('1')).success)
  const [token] = await fake.tokens()
  assert.equal((await fake.on(EXECUTE))[0].headers.authorization, bearer(token))
})

scenario('create_429_then_201', 'a 429 on create waits for Retry-After, then creates once', async () => {
  const sb = await create()
  const [limited, made] = await fake.on(CREATE)
  assert.deepEqual([limited.status, made.status], [429, 201])
  assert.ok(made.at - limited.at >= 0.9, 'Retry-After: 1 was not honoured')
  assert.equal((await fake.tokens()).length, 1)
  assert.ok((await sb.runCode('1')).success)
})

scenario('execute_429', 'a 429 on /execute is retried because nothing ran', async () => {
  const sb = await create()
  assert.ok((await sb.runCode('1')).success)
  const [limited, ok] = await fake.on(EXECUTE)
  assert.deepEqual([limited.status, ok.status], [429, 200])
  assert.ok(ok.at - limited.at >= 0.9, 'Retry-After: 1 was not honoured')
})

// --- control-plane errors (nested bodies) ---------------------------------------------------

scenario('bad_api_key', 'a wrong API key is an AuthenticationError', async () => {
  const err = await rejectsAs(create({ apiKey: 'sk_wrong' }), 'AuthenticationError')
  const [made] = await fake.on(CREATE)
  assert.equal(made.headers['x-api-key'], 'sk_wrong')
  assert.ok(err instanceof sdk.APIError)
  assert.equal(err.statusCode, 401)
  assert.equal(err.code, 'AUTHENTICATION_REQUIRED')
  assert.equal(err.message, 'Missing or invalid API key')
  assert.equal(err.requestId, made.request_id)
})

scenario('sandbox_not_found', 'an unknown sandbox is a NotFoundError read from the nested body', async () => {
  const err = await rejectsAs(Sandbox.connect('sb-missing', opts()), 'NotFoundError')
  const [got] = await fake.on(GET)
  assert.equal(got.path, '/v1/sandboxes/sb-missing')
  assert.equal(err.statusCode, 404)
  assert.equal(err.code, 'RESOURCE_NOT_FOUND')
  assert.equal(err.message, 'Sandbox sb-missing not found')
  assert.equal(err.requestId, got.request_id)
})

scenario('unknown_template', 'an unknown template lists the templates that exist', async () => {
  const err = await rejectsAs(create({ template: 'code-interpreterr' }), 'TemplateNotFoundError')
  assert.deepEqual(await fake.routes(), [CREATE, TEMPLATES])
  assert.ok(err instanceof sdk.NotFoundError)
  assert.equal(err.statusCode, 404)
  assert.equal(err.code, 'RESOURCE_NOT_FOUND')
  assert.equal(err.requestId, (await fake.on(CREATE))[0].request_id)
  assert.equal(err.templateName, 'code-interpreterr')
  assert.deepEqual(err.availableTemplates, ['code-interpreter', 'base'])
  assert.match(err.message, /code-interpreterr/)
})

scenario('rate_limit_exhausted', 'a 429 that persists is a RateLimitError with retryAfter', async () => {
  const started = Date.now()
  const err = await rejectsAs(Sandbox.list(opts()), 'RateLimitError')
  const lists = await fake.on(LIST)
  assert.equal(lists.length, 4, 'four attempts in all')
  assert.ok(Date.now() - started >= 2700, 'each retry waited Retry-After: 1')
  assert.equal(err.statusCode, 429)
  assert.equal(err.code, 'RATE_LIMIT_EXCEEDED')
  assert.equal(err.message, 'Rate limit exceeded')
  assert.equal(err.retryAfter, 1)
  assert.deepEqual(err.details, { retry_after_seconds: 1 })
  assert.equal(err.requestId, lists.at(-1).request_id)
})

scenario('resource_limit_on_create', 'a 403 naming a limit is a ResourceLimitError', async () => {
  const err = await rejectsAs(create(), 'ResourceLimitError')
  const [made] = await fake.on(CREATE)
  assert.equal(err.statusCode, 403)
  assert.equal(err.code, 'FORBIDDEN')
  assert.equal(err.message, 'Sandbox limit reached: 10 of 10 running sandboxes')
  assert.equal(err.requestId, made.request_id)
  assert.deepEqual(err.details, {
    limit: 10,
    current: 10,
    available: 0,
    upgrade_url: 'https://console.hopx.dev/billing',
  })
})

scenario('create_502', 'a 502 on create is not retried', async () => {
  const err = await rejectsAs(create(), 'ServerError')
  const [made] = await fake.on(CREATE)
  assert.equal(err.statusCode, 502)
  assert.equal(err.code, 'INTERNAL_ERROR')
  assert.equal(err.message, 'Bad gateway')
  assert.equal(err.requestId, made.request_id)
  assert.deepEqual(await fake.tokens(), [], 'no sandbox was made')
})

scenario('create_504', 'a 504 on create is not retried', async () => {
  const err = await rejectsAs(create(), 'ServerError')
  const [made] = await fake.on(CREATE)
  assert.deepEqual([err.statusCode, err.message], [504, 'Gateway timeout'])
  assert.equal(err.requestId, made.request_id)
})

// --- agent errors (flat bodies): /execute is never sent twice ----------------------------------

scenario('execute_500', 'a 500 on /execute is a ServerError and not retried', async () => {
  const sb = await create()
  const err = await rejectsAs(sb.runCode('launch_missiles()'), 'ServerError')
  const [run] = await fake.on(EXECUTE)
  assert.equal(err.statusCode, 500)
  assert.equal(err.code, 'INTERNAL_ERROR')
  assert.equal(err.message, 'agent crashed')
  assert.equal(err.requestId, run.request_id)
})

scenario('execute_503', 'a 503 on /execute is not retried', async () => {
  const sb = await create()
  const err = await rejectsAs(sb.runCode('charge_card()'), 'ServerError')
  const [run] = await fake.on(EXECUTE)
  assert.equal(err.statusCode, 503)
  assert.equal(err.message, 'agent overloaded')
  assert.equal(err.requestId, run.request_id)
})

scenario('execute_dropped', 'a connection dropped mid-execute is a NetworkError, not retried', async () => {
  const sb = await create()
  const started = Date.now()
  const err = await rejectsAs(sb.runCode('charge_card()'), 'NetworkError')
  assert.ok(Date.now() - started < 10_000, 'no boot-window retries after the agent read it')
  const runs = await fake.on(EXECUTE)
  assert.equal(runs.length, 1)
  assert.ok(runs[0].dropped)
  assert.ok(!(err instanceof sdk.TimeoutError))
  assert.equal(err.statusCode, null)
  assert.equal(err.requestId, null)
  assert.ok(err.message)
  // The sandbox is still usable, and the next run is the only other /execute.
  assert.ok((await sb.runCode('2')).success)
  assert.equal((await fake.on(EXECUTE)).length, 2)
})

scenario('execute_timeout_408', 'an execution timeout carries the partial output', async () => {
  const sb = await create()
  const err = await rejectsAs(sb.runCode('while True: pass', { timeout: 5 }), 'TimeoutError')
  const [run] = await fake.on(EXECUTE)
  assert.equal(run.body.timeout, 5)
  assert.ok(err instanceof sdk.NetworkError)
  assert.equal(err.statusCode, 408)
  assert.equal(err.code, 'EXECUTION_TIMEOUT')
  assert.equal(err.message, 'Execution timed out after 5s')
  assert.equal(err.stdout, 'partial line\n')
  assert.equal(err.stderr, 'warning: slow\n')
  assert.equal(err.requestId, run.request_id)
})

scenario('execute_401_twice', 'an agent 401 after a refresh is an AuthenticationError', async () => {
  const sb = await create()
  const err = await rejectsAs(sb.runCode('1'), 'AuthenticationError')
  assert.deepEqual(await fake.routes(), [CREATE, EXECUTE, REFRESH, EXECUTE])
  const last = (await fake.on(EXECUTE)).at(-1)
  assert.equal(err.statusCode, 401)
  assert.equal(err.code, 'INVALID_TOKEN')
  assert.equal(err.message, 'Invalid token')
  assert.equal(err.requestId, last.request_id)
})

scenario('background_500', 'a 500 on /execute/background is a ServerError and not retried', async () => {
  const sb = await create()
  const err = await rejectsAs(sb.runCodeBackground('import time; time.sleep(60)'), 'ServerError')
  const [run] = await fake.on('POST /execute/background')
  assert.equal(err.statusCode, 500)
  assert.equal(err.message, 'agent crashed')
  assert.equal(err.requestId, run.request_id)
  // The next background run is the only other one sent.
  const started = await sb.runCodeBackground('print(1)', { name: 'second' })
  assert.match(started.processId, /^proc_/)
  assert.equal((await fake.on('POST /execute/background')).length, 2)
})

// --- files -----------------------------------------------------------------------------------

scenario('happy_path', 'file calls send the official shapes', async () => {
  const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(path.join(tmpdir(), 'hopx-contract-'))
  const sb = await create()
  assert.equal(await sb.files.read('/workspace/a b'), 'file text')
  await sb.files.write('/workspace/a', 'hi', { mode: '0600' })
  await sb.files.writeBytes('/workspace/b', Buffer.from([0, 255, 1]))
  await sb.files.mkdir('/workspace/d')
  const [entry] = await sb.files.list('/workspace')
  assert.equal(entry.name, 'a')
  assert.equal(entry.size, 9)
  assert.equal(entry.isDir, false)
  assert.equal(await sb.files.exists('/workspace/a'), true)
  await sb.files.remove('/workspace/a')
  assert.deepEqual(await sb.files.readBytes('/workspace/a'), Buffer.from('\x00\x01raw bytes\xff', 'latin1'))
  writeFileSync(path.join(dir, 'data.csv'), 'a,b\n1,2\n')
  await sb.files.upload(path.join(dir, 'data.csv'), '/workspace/data.csv')
  assert.deepEqual(await sb.files.download('/workspace/a'), Buffer.from('\x00\x01raw bytes\xff', 'latin1'))
  await sb.files.download('/workspace/a', path.join(dir, 'down'))
  assert.deepEqual(readFileSync(path.join(dir, 'down')), Buffer.from('\x00\x01raw bytes\xff', 'latin1'))
  rmSync(dir, { recursive: true, force: true })

  assert.equal((await fake.on('GET /files/read'))[0].query, 'path=%2Fworkspace%2Fa%20b')
  const [first, second] = await fake.on('POST /files/write')
  assert.deepEqual(first.body, { path: '/workspace/a', content: 'hi', mode: '0600' })
  assert.deepEqual(second.body, { path: '/workspace/b', content: 'AP8B', mode: '0644', encoding: 'base64' })
  assert.deepEqual((await fake.on('POST /files/mkdir'))[0].body, { path: '/workspace/d' })
  const [up] = await fake.on('POST /files/upload')
  assert.match(up.headers['content-type'], /^multipart\/form-data; boundary=/)
  assert.ok(up.body.includes('name="path"\r\n\r\n/workspace/data.csv\r\n'), up.body)
  assert.ok(up.body.includes('name="file"; filename="data.csv"'), up.body)
  assert.ok(up.body.includes('\r\n\r\na,b\n1,2\n\r\n'), up.body)
  await assertKeysWhereTheyBelong()
})

scenario('files_read_503', 'a file read through a 503 is retried', async () => {
  const sb = await create()
  assert.equal(await sb.files.read('/workspace/a'), 'file text')
  assert.equal((await fake.on('GET /files/read')).length, 2)
})

scenario('files_remove_502', 'a remove through a 502 is not retried', async () => {
  const sb = await create()
  const err = await rejectsAs(sb.files.remove('/workspace/a'), 'ServerError')
  assert.equal(err.statusCode, 502)
  assert.equal((await fake.on('DELETE /files/remove')).length, 1)
})

scenario('files_not_found', 'a missing file is FileNotFoundError', async () => {
  const sb = await create()
  const err = await rejectsAs(sb.files.read('/workspace/missing'), 'FileNotFoundError')
  assert.equal(err.code, 'FILE_NOT_FOUND')
  assert.equal(err.statusCode, 404)
})

// --- commands --------------------------------------------------------------------------------

scenario('happy_path', 'commands send the official shapes', async () => {
  const sb = await create()
  const r = await sb.commands.run('ls | wc -l', { env: { A: '1' }, workingDir: '/tmp' })
  assert.deepEqual([r.stdout, r.exitCode, r.success, r.pid], ['ran: ls | wc -l\n', 0, true, 7])
  assert.equal((await sb.commands.run('true')).stdout, 'ran: true\n')
  const started = await sb.commands.runBackground('sleep 9')
  assert.match(started.processId, /^cmd_/)

  const [withEnv, plain] = await fake.on('POST /commands/run')
  assert.deepEqual(withEnv.body, { command: 'bash', args: ['-c', 'ls | wc -l'], timeout: 30, workdir: '/tmp', env: { A: '1' } })
  assert.deepEqual(plain.body, { command: 'bash', args: ['-c', 'true'], timeout: 30, workdir: '/workspace' })
  const [bg] = await fake.on('POST /commands/background')
  assert.deepEqual(bg.body, { command: 'bash', args: ['-c', 'sleep 9'], timeout: 120, workdir: '/workspace' })
  await assertKeysWhereTheyBelong()
})

scenario('command_timeout_408', 'a command timeout keeps the output and is not retried', async () => {
  const sb = await create()
  const err = await rejectsAs(sb.commands.run('sleep 9', { timeout: 2 }), 'TimeoutError')
  assert.equal(err.stdout, 'partial\n')
  assert.equal(err.statusCode, 408)
  assert.equal((await fake.on('POST /commands/run')).length, 1)
})

// --- env -------------------------------------------------------------------------------------

scenario('happy_path', 'env calls send the official shapes', async () => {
  const sb = await create()
  assert.deepEqual(await sb.env.setAll({ A: '1', B: '2' }), { A: '1', B: '2' }, 'an empty answer: what was set')
  assert.deepEqual(await sb.env.update({ C: '3' }), { A: '1', B: '2', C: '3' })
  assert.equal((await sb.env.set('D', '4')).D, '4')
  assert.equal(await sb.env.get('C'), '3')
  await sb.env.delete('B')
  assert.deepEqual(await sb.env.getAll(), { A: '1', C: '3', D: '4' })

  const [putAll, putRest] = await fake.on('PUT /env')
  assert.deepEqual(putAll.body, { env_vars: { A: '1', B: '2' } })
  assert.deepEqual(putRest.body, { env_vars: { A: '1', C: '3', D: '4' } })
  const patches = (await fake.on('PATCH /env')).map((r) => r.body)
  assert.deepEqual(patches, [
    { env_vars: { C: '3' }, merge: true },
    { env_vars: { D: '4' }, merge: true },
  ])
  await assertKeysWhereTheyBelong()
})

scenario('env_masked', 'delete never writes a masked value back', async () => {
  const sb = await create()
  const err = await rejectsAs(sb.env.delete('A'), 'ValidationError')
  assert.match(err.message, /API_KEY/)
  assert.deepEqual(await fake.on('PUT /env'), [], 'nothing was written')
})

// --- lifecycle -------------------------------------------------------------------------------

scenario('happy_path', 'pause, resume and setTimeout send the official shapes', async () => {
  const sb = await create()
  await sb.pause()
  assert.equal((await sb.getInfo()).status, 'paused')
  await sb.resume()
  assert.equal((await sb.getInfo()).status, 'running')
  await sb.setTimeout(900)
  const [pause] = await fake.on('POST /v1/sandboxes/{id}/pause')
  const [resume] = await fake.on('POST /v1/sandboxes/{id}/resume')
  assert.equal(pause.path, `/v1/sandboxes/${sb.sandboxId}/pause`)
  assert.equal(resume.path, `/v1/sandboxes/${sb.sandboxId}/resume`)
  assert.equal(pause.body, null)
  const [timeout] = await fake.on('PUT /v1/sandboxes/{id}/timeout')
  assert.deepEqual(timeout.body, { timeout_seconds: 900 })
  await assertKeysWhereTheyBelong()
})

scenario('happy_path', 'introspection reads the agent answers as they are', async () => {
  const sb = await create()
  assert.equal(await sb.isHealthy(), true)
  assert.equal((await sb.getAgentInfo()).agent_version, '3.2.8')
  assert.equal((await sb.getAgentMetrics()).total_executions, 3)
  assert.deepEqual(await sb.listSystemProcesses(), [{ pid: 1, name: 'init', status: 'sleeping' }])
  assert.equal((await sb.getJupyterSessions())[0].kernel_id, 'k1')
  const routes = (await fake.requests()).filter((r) => r.plane === 'agent').map((r) => r.route)
  for (const route of ['GET /health', 'GET /info', 'GET /metrics/snapshot', 'GET /processes', 'GET /jupyter/sessions']) {
    assert.ok(routes.includes(route), route)
  }
  await assertKeysWhereTheyBelong()
})

scenario('happy_path', 'IPython and webhook runs and the cache send the official shapes', async () => {
  const sb = await create()
  assert.equal((await sb.runIpython('%pwd')).stdout, 'ipython: %pwd\n')
  const [ipy] = await fake.on('POST /execute/ipython')
  assert.equal(ipy.body.timeout, 60)
  assert.equal(ipy.body.language, 'python')
  const started = await sb.runCodeAsync('train()', {
    callbackUrl: 'https://hooks.example/done',
    callbackHeaders: { 'X-Mine': '1' },
  })
  assert.equal(started.status, 'queued')
  const [sent] = await fake.on('POST /execute/async')
  assert.deepEqual(sent.body, {
    code: 'train()', language: 'python', timeout: 1800, workdir: '/workspace',
    callback_url: 'https://hooks.example/done', callback_headers: { 'X-Mine': '1' },
  })
  assert.equal((await sb.cache.stats()).cache.total_hits, 9)
  assert.equal((await sb.cache.clear()).entries_removed, 4)
  await assertKeysWhereTheyBelong()
})

scenario('happy_path', 'templates, health and iter send the official shapes', async () => {
  await create()
  const key = opts()
  const names = (await Sandbox.listTemplates({ category: 'development', ...key })).map((t) => t.name)
  assert.deepEqual(names, ['code-interpreter', 'base'])
  assert.equal((await Sandbox.getTemplate('base', key)).displayName, 'Base')
  assert.equal((await Sandbox.deleteTemplate('tpl_1', key)).status, 'deleted')
  assert.equal((await Sandbox.healthCheck(cloud.control)).status, 'healthy')
  const [listed] = await fake.on('GET /v1/templates')
  assert.equal(listed.query, 'category=development')
})

scenario('paged_list', 'iter follows the cursor page by page', async () => {
  const made = []
  for (let i = 0; i < 5; i++) made.push((await create()).sandboxId)
  const walk = Sandbox.iter(opts())
  assert.equal((await walk.next()).value.sandboxId, made[0])
  assert.equal((await fake.on('GET /v1/sandboxes')).length, 1, 'one page fetched for the first sandbox')
  const rest = []
  for await (const sb of walk) rest.push(sb.sandboxId)
  assert.deepEqual(rest, made.slice(1))
  assert.equal((await fake.on('GET /v1/sandboxes')).length, 3)
  await assertKeysWhereTheyBelong()
})

// --- terminal --------------------------------------------------------------------------------

scenario('happy_path', 'the terminal speaks the agent WebSocket protocol', async () => {
  const sb = await create()
  const ws = await sb.terminal.connect({ cols: 100, rows: 30 })
  await sb.terminal.sendInput(ws, 'ls\n')
  await sb.terminal.resize(ws, 120, 40)
  await sb.terminal.sendInput(ws, 'exit\n')
  const got = []
  for await (const message of sb.terminal.output(ws)) got.push(message)
  assert.deepEqual(got, [
    { type: 'output', data: '$ ls\n' },
    { type: 'output', data: '$ exit\n' },
    { type: 'exit', code: 0 },
  ])
  const [opened] = await fake.on('GET /terminal')
  assert.equal(opened.plane, 'agent')
  assert.equal(opened.status, 101)
  assert.deepEqual(opened.body, [
    { type: 'resize', cols: 100, rows: 30 },
    { type: 'input', data: 'ls\n' },
    { type: 'resize', cols: 120, rows: 40 },
    { type: 'input', data: 'exit\n' },
  ])
  await assertKeysWhereTheyBelong()
})

// --- the suite itself -------------------------------------------------------------------------

test('every scenario of the fake has a test', async () => {
  assert.deepEqual([...covered].sort(), (await testCall('GET', '/__scenarios?lang=node')).sort())
})

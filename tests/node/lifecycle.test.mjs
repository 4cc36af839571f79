// Sandbox lifecycle against the local engine: connect, list, getInfo, pause/resume,
// setTimeout, kill, `await using`,
// 50 concurrent runs, and a process that exits by itself after kill().
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Sandbox, NotFoundError, AgentError, ValidationError } from '@hopx-ai/sdk'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

test('getInfo, connect and list see the same sandbox', async () => {
  const sb = await Sandbox.create({ template: 'base', envVars: { FROM_CREATE: 'yes' } })
  try {
    const info = await sb.getInfo()
    assert.equal(info.sandboxId, sb.sandboxId)
    assert.equal(info.status, 'running')
    assert.equal(info.templateName, 'base')
    const again = await Sandbox.connect(sb.sandboxId)
    assert.equal(again.sandboxId, sb.sandboxId)
    const r = await again.runCode('echo $FROM_CREATE', { language: 'bash' })
    assert.equal(r.stdout, 'yes\n')
    const listed = await Sandbox.list()
    assert.ok(listed.some((s) => s.sandboxId === sb.sandboxId))
    assert.ok(listed.every((s) => s instanceof Sandbox))
  } finally {
    await sb.kill()
  }
})

test('pause keeps the kernel state, refuses runs until resume, and connect resumes', async () => {
  const sb = await Sandbox.create()
  try {
    await sb.runCode('x = 41')
    await sb.pause()
    assert.equal((await sb.getInfo()).status, 'paused')
    await sb.pause() // pausing again is no error
    const err = await sb.runCode('print(x)').then(() => null, (e) => e)
    assert.ok(err instanceof AgentError, String(err))
    assert.equal(err.code, 'SANDBOX_PAUSED')
    await sb.resume()
    assert.equal((await sb.runCode('print(x + 1)')).stdout, '42\n')
    await sb.pause()
    const again = await Sandbox.connect(sb.sandboxId)
    assert.equal((await again.getInfo()).status, 'running', 'connect resumes a paused sandbox')
    assert.equal((await again.runCode('print(x)')).stdout, '41\n')
  } finally {
    await sb.kill()
  }
})

test('setTimeout sets the time-to-live from now', async () => {
  const sb = await Sandbox.create({ template: 'base' })
  try {
    assert.ok((await sb.getInfo()).expiresAt == null, 'no time-to-live yet')
    const before = Date.now()
    await sb.setTimeout(599.5)
    const info = await sb.getInfo()
    assert.equal(info.timeoutSeconds, 600, 'a fraction rounds up')
    const left = (Date.parse(info.expiresAt) - before) / 1000
    assert.ok(left > 590 && left <= 601, `expires in ${left} s`)
    await assert.rejects(sb.setTimeout(0), ValidationError)
    await assert.rejects(sb.setTimeout('60'), TypeError)
  } finally {
    await sb.kill()
  }
})

test('health, agent info, metrics, processes, sessions, expiry and tokens', async () => {
  const sb = await Sandbox.create()
  try {
    assert.equal(await sb.isHealthy(), true)
    await sb.ensureHealthy()
    assert.equal((await sb.getHealth()).status, 'healthy')
    assert.equal((await sb.getAgentInfo()).features.code_execution, true)
    await sb.runCode('x = 1')
    assert.equal((await sb.getJupyterSessions())[0].execution_state, 'idle')
    await sb.commands.runBackground('sleep 300', { timeout: 600 })
    let procs = []
    for (let i = 0; i < 50 && !procs.some((p) => p.name === 'sleep'); i++) procs = await sb.listSystemProcesses()
    assert.equal(procs.find((p) => p.name === 'sleep').command, 'sleep 300')
    const metrics = await sb.getAgentMetrics()
    assert.ok(metrics.total_executions >= 1 && metrics.process.count >= 3, JSON.stringify(metrics))
    assert.equal((await sb.getMetricsSnapshot()).process.count, metrics.process.count)

    assert.equal(await sb.getTimeToExpiry(), null)
    assert.equal(await sb.isExpiringSoon(), null, 'null without a time-to-live, as the official SDK')
    await sb.setTimeout(200)
    const info = await sb.getExpiryInfo()
    assert.ok(info.expiresAt instanceof Date && info.hasTimeout && info.isExpiringSoon && !info.isExpired)
    assert.ok(info.timeToExpiry > 190 && info.timeToExpiry <= 200)
    assert.equal(await sb.isExpiringSoon(100), false)

    assert.equal(await sb.agentUrl, (await sb.getInfo()).publicHost)
    await sb.init()
    await sb.ensureValidToken()
    const first = await sb.getToken()
    await sb.refreshToken()
    assert.notEqual(await sb.getToken(), first)
    assert.equal((await sb.runCode('print(x)')).stdout, '1\n')
  } finally {
    await sb.kill()
  }
})

test('onExpiringSoon at create: called once when the time-to-live is short', async () => {
  const seen = []
  const sb = await Sandbox.create({ template: 'base', timeoutSeconds: 100, onExpiringSoon: (i) => seen.push(i) })
  try {
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
    assert.equal(seen.length, 1)
    assert.ok(seen[0].isExpiringSoon && seen[0].timeToExpiry <= 100)
    assert.throws(() => sb.startExpiryMonitor('nope'), TypeError)
  } finally {
    await sb.kill()
  }
  await assert.rejects(Sandbox.create({ onExpiringSoon: 42 }), TypeError)
})

test('templates, health check and iter', async () => {
  const templates = await Sandbox.listTemplates()
  assert.ok(templates.some((t) => t.name === 'base' && t.displayName && t.defaultResources.vcpu >= 1))
  assert.equal((await Sandbox.getTemplate('code-interpreter')).name, 'code-interpreter')
  await assert.rejects(Sandbox.getTemplate('no-such-template'), { name: 'TemplateNotFoundError' })
  await assert.rejects(Sandbox.deleteTemplate('base'), (e) => e.statusCode === 403 && /built into/.test(e.message))
  assert.equal((await Sandbox.healthCheck()).status, 'healthy')
  const sb = await Sandbox.create({ template: 'base' })
  try {
    const seen = []
    for await (const s of Sandbox.iter()) {
      assert.ok(s instanceof Sandbox)
      seen.push(s.sandboxId)
    }
    assert.ok(seen.includes(sb.sandboxId))
    await sb.pause()
    const paused = []
    for await (const s of Sandbox.iter({ status: 'paused' })) paused.push(s.sandboxId)
    assert.deepEqual(paused, [sb.sandboxId])
  } finally {
    await sb.kill()
  }
})

test('default template is code-interpreter', async () => {
  const sb = await Sandbox.create()
  try {
    assert.equal((await sb.getInfo()).templateName, 'code-interpreter')
  } finally {
    await sb.kill()
  }
})

test('Symbol.asyncDispose kills the sandbox and tolerates an already killed one', async () => {
  const sb = await Sandbox.create({ template: 'base' })
  const id = sb.sandboxId
  await sb[Symbol.asyncDispose]()
  await assert.rejects(Sandbox.connect(id), NotFoundError)
  await sb[Symbol.asyncDispose]()
})

test('`await using` kills the sandbox at the end of the block', async () => {
  // Node 20 cannot parse `await using` yet; TypeScript lowers it to Symbol.asyncDispose calls.
  const ts = require('typescript')
  const source = `
    const { Sandbox } = require('@hopx-ai/sdk')
    module.exports = async function run() {
      let id
      {
        await using sandbox = await Sandbox.create({ template: 'base' })
        id = sandbox.sandboxId
        const r = await sandbox.runCode('echo inside', { language: 'bash' })
        if (r.stdout !== 'inside\\n') throw new Error('bad output ' + r.stdout)
      }
      return id
    }`
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
  })
  const file = path.join(root, 'tests/node/.await-using.generated.cjs')
  fs.writeFileSync(file, outputText)
  try {
    const id = await require(file)()
    await assert.rejects(Sandbox.connect(id), NotFoundError)
  } finally {
    fs.rmSync(file, { force: true })
  }
})

test('50 concurrent runCode calls with Promise.all', async () => {
  const sb = await Sandbox.create()
  try {
    const runs = Array.from({ length: 50 }, (_, i) => {
      const [code, language] =
        i % 3 === 0 ? [`print(${i})`, 'python'] : i % 3 === 1 ? [`console.log(${i})`, 'javascript'] : [`echo ${i}`, 'bash']
      return sb.runCode(code, { language })
    })
    const results = await Promise.all(runs)
    results.forEach((r, i) => {
      assert.equal(r.stdout, `${i}\n`)
      assert.equal(r.success, true)
    })
  } finally {
    await sb.kill()
  }
})

test('the process exits on its own after kill() (no handle keeps the loop alive)', async () => {
  const script = `
    const { Sandbox } = require('@hopx-ai/sdk')
    ;(async () => {
      const sb = await Sandbox.create()
      const r = await sb.runCode('print(7)')
      await sb.kill()
      process.stdout.write('done ' + r.stdout)
    })()`
  const child = spawn(process.execPath, ['-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (err += c))
  const started = Date.now()
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`child still running after 30 s; stdout=${out} stderr=${err}`))
    }, 30_000)
    child.on('exit', (c) => {
      clearTimeout(timer)
      resolve(c)
    })
  })
  assert.equal(code, 0, err)
  assert.equal(out, 'done 7\n')
  // The run itself takes well under this; a leaked handle would hang until the timer.
  assert.ok(Date.now() - started < 20_000)
})

test('require() works from CommonJS and returns the same classes as import', async () => {
  const cjs = require('@hopx-ai/sdk')
  const esm = await import('@hopx-ai/sdk')
  assert.equal(cjs.Sandbox, esm.Sandbox)
  assert.equal(cjs.TimeoutError, esm.TimeoutError)
  assert.equal(esm.default, esm.Sandbox)
  assert.ok(os.tmpdir())
})

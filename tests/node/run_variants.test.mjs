// runIpython, runCodeAsync (a webhook received by a real HTTP listener), preflight, the cache
// and preview URLs, against the local engine.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import http from 'node:http'
import { once } from 'node:events'
import { Sandbox, HopxError, ValidationError, Cache } from '@hopx-ai/sdk'

/** A listener that records each POST and answers with the next of `statuses` (then 200). */
async function receiver(statuses = []) {
  const received = []
  const waiters = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const status = statuses.shift() ?? 200
      received.push({ status, headers: req.headers, body: Buffer.concat(chunks).toString() })
      res.writeHead(status).end()
      waiters.splice(0).forEach((w) => w())
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${server.address().port}/hook`
  const next = async (n) => {
    const deadline = Date.now() + 60_000
    while (received.length < n) {
      assert.ok(Date.now() < deadline, 'the webhook never came')
      await new Promise((r) => {
        waiters.push(r)
        setTimeout(r, 200)
      })
    }
    return received[n - 1]
  }
  return { url, next, close: () => server.close() }
}

test('runCodeAsync posts the signed result to the callback URL', async () => {
  const hook = await receiver()
  const sb = await Sandbox.create()
  try {
    const started = await sb.runCodeAsync("print('hooked')", {
      callbackUrl: hook.url,
      callbackHeaders: { Authorization: 'Bearer r' },
      callbackSignatureSecret: 'k3y',
    })
    assert.equal(started.status, 'queued')
    const got = await hook.next(1)
    const payload = JSON.parse(got.body)
    assert.equal(payload.execution_id, started.execution_id)
    assert.equal(payload.status, 'completed')
    assert.equal(payload.stdout, 'hooked\n')
    assert.equal(got.headers.authorization, 'Bearer r')
    const stamp = got.headers['x-hopx-timestamp']
    const mac = crypto.createHmac('sha256', 'k3y').update(`${stamp}.${got.body}`).digest('hex')
    assert.equal(got.headers['x-hopx-signature'], `sha256=${mac}`)
    await assert.rejects(sb.runCodeAsync('1', { callbackUrl: 'ftp://x/' }), ValidationError)
    await assert.rejects(sb.runCodeAsync('1', {}), TypeError)
  } finally {
    await sb.kill()
    hook.close()
  }
})

test('a delivery answered 500 is tried again', async () => {
  const hook = await receiver([500])
  const sb = await Sandbox.create({ template: 'base' })
  try {
    await sb.runCodeAsync('exit 4', { callbackUrl: hook.url, language: 'bash' })
    assert.equal((await hook.next(1)).status, 500)
    const second = await hook.next(2)
    assert.equal(second.status, 200)
    assert.equal(JSON.parse(second.body).exit_code, 4)
  } finally {
    await sb.kill()
    hook.close()
  }
})

test('runIpython runs in the kernel, and a template without one says so', async () => {
  const sb = await Sandbox.create()
  try {
    await sb.runCode('kept = 20')
    const r = await sb.runIpython('%time y = kept + 22\nprint(y)')
    assert.equal(r.success, true)
    assert.match(r.stdout, /42/)
  } finally {
    await sb.kill()
  }
  const base = await Sandbox.create({ template: 'base' })
  try {
    await assert.rejects(base.runIpython('print(1)'), (e) => e instanceof HopxError && /IPython/.test(e.message))
  } finally {
    await base.kill()
  }
})

test('preflight refuses a paused sandbox before sending code', async () => {
  const sb = await Sandbox.create({ template: 'base' })
  try {
    assert.equal((await sb.runCode('print(1)', { preflight: true })).stdout, '1\n')
    await sb.pause()
    await assert.rejects(sb.runCode('print(1)', { preflight: true }), (e) => e.code === 'sandbox_not_running')
    await sb.resume()
    await assert.rejects(sb.runCode('1', { preflight: 'yes' }), TypeError)
  } finally {
    await sb.kill()
  }
})

test('the cache counts and forgets finished background runs', async () => {
  const sb = await Sandbox.create({ template: 'base' })
  try {
    assert.ok(sb.cache instanceof Cache)
    assert.equal(sb.cache, sb.cache)
    await sb.runCodeBackground('echo done', { language: 'bash' })
    for (let i = 0; i < 200 && (await sb.listProcesses())[0].status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50))
    }
    assert.equal((await sb.cache.stats()).cache.size, 1)
    assert.equal((await sb.cache.clear()).entries_removed, 1)
    assert.deepEqual(await sb.listProcesses(), [])
  } finally {
    await sb.kill()
  }
})

test('a preview URL serves a page from a sandbox without internet access', async () => {
  const sb = await Sandbox.create({ template: 'base', internetAccess: false })
  try {
    await sb.files.write('/workspace/page.txt', 'served from the sandbox')
    await sb.runCodeBackground('python3 -m http.server 8123 --bind 127.0.0.1 --directory /workspace', {
      language: 'bash',
    })
    const url = await sb.getPreviewUrl(8123)
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.equal(await sb.getPreviewUrl(8123), url)
    let body
    for (let i = 0; i < 100 && body === undefined; i++) {
      try {
        const res = await fetch(url + 'page.txt')
        if (res.ok) body = await res.text()
      } catch {}
      if (body === undefined) await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(body, 'served from the sandbox')
    await assert.rejects(sb.getPreviewUrl(0), ValidationError)
    await assert.rejects(sb.getPreviewUrl(1.5), ValidationError)
  } finally {
    await sb.kill()
  }
})

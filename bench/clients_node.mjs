// One Node client's series against one HopX server; prints a JSON object of samples (ms).
//
//   node bench/clients_node.mjs KIND --url URL [--module DIR] [--template T] [--calls N]
//        [--cycles N] [--rounds N] [--series warm,cycle,throughput]
//
// KIND `sdk` loads `Sandbox` from the package folder DIR (ours or the official 0.5.1);
// KIND `raw` is the floor: node:http with a keep-alive agent (TCP_NODELAY is Node's default),
// JSON in and out. Series as in clients_py.py.
import http from 'node:http'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

const argv = process.argv.slice(2)
const kind = argv[0]
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : dflt
}
const url = opt('url')
const template = opt('template', 'code-interpreter')
const cycleTemplate = opt('cycle-template', template)
const calls = Number(opt('calls', 200))
const cycles = Number(opt('cycles', 200))
const rounds = Number(opt('rounds', 5))
const series = new Set(opt('series', 'warm,cycle,throughput').split(','))
const CODE = 'print(1)'
const API_KEY = 'hopx_live_benchbenchben.secret'
const TOTAL = 200
const IN_FLIGHT = 20
const now = () => performance.now()

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

function request(base, method, path, body, headers = {}) {
  const data = body === undefined ? undefined : JSON.stringify(body)
  const u = new URL(path, base)
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method,
        headers: {
          'content-type': 'application/json',
          ...(data ? { 'content-length': Buffer.byteLength(data) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          if (res.statusCode >= 400) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`))
          else resolve(JSON.parse(text))
        })
      },
    )
    req.on('error', reject)
    req.end(data)
  })
}

class RawSandbox {
  static async create(t) {
    const info = await request(url, 'POST', '/v1/sandboxes', { template_name: t }, { 'x-api-key': API_KEY })
    const sb = new RawSandbox()
    sb.id = info.id
    sb.agentUrl = info.public_host
    sb.auth = { authorization: `Bearer ${info.auth_token}` }
    return sb
  }
  runCode(code) {
    return request(this.agentUrl, 'POST', '/execute', { language: 'python', code, workdir: '/workspace', timeout: 120 }, this.auth)
  }
  kill() {
    return request(url, 'DELETE', `/v1/sandboxes/${this.id}`, undefined, { 'x-api-key': API_KEY })
  }
}

let create
if (kind === 'raw') {
  create = (t = template) => RawSandbox.create(t)
} else {
  const require = createRequire(import.meta.url)
  const { Sandbox } = require(opt('module'))
  create = (t = template) => Sandbox.create({ template: t, apiKey: API_KEY, baseURL: url })
}

function check(r) {
  if (r.stdout !== '1\n') throw new Error(`unexpected stdout ${JSON.stringify(r.stdout)}`)
}

const out = {}
if (series.has('cycle')) {
  for (let i = 0; i < 5; i++) {
    const sb = await create(cycleTemplate)
    check(await sb.runCode(CODE))
    await sb.kill()
  }
  const c = [], f = [], k = []
  for (let i = 0; i < cycles; i++) {
    const t0 = now()
    const sb = await create(cycleTemplate)
    const t1 = now()
    check(await sb.runCode(CODE))
    const t2 = now()
    await sb.kill()
    const t3 = now()
    c.push(t1 - t0), f.push(t2 - t1), k.push(t3 - t2)
  }
  Object.assign(out, { create: c, first_run: f, kill: k, create_kill: c.map((x, i) => x + k[i]) })
}
const sb = await create()
try {
  if (series.has('warm')) {
    for (let i = 0; i < 20; i++) check(await sb.runCode(CODE))
    const warm = []
    for (let i = 0; i < calls; i++) {
      const t0 = now()
      check(await sb.runCode(CODE))
      warm.push(now() - t0)
    }
    out.warm = warm
  }
  if (series.has('throughput')) {
    let lat = []
    const burst = async (total) => {
      let next = 0
      const worker = async () => {
        while (next < total) {
          next++
          const t0 = now()
          check(await sb.runCode(CODE))
          lat.push(now() - t0)
        }
      }
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    }
    await burst(IN_FLIGHT * 2)
    lat = []
    const walls = []
    for (let r = 0; r < rounds; r++) {
      const t0 = now()
      await burst(TOTAL)
      walls.push(now() - t0)
    }
    Object.assign(out, { tp_wall: walls, tp_latency: lat })
  }
} finally {
  await sb.kill()
}
process.stdout.write(JSON.stringify(out))
agent.destroy()
process.exit(0)

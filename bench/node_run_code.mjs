// Latency of the Node package against the embedded local engine:
//   node bench/node_run_code.mjs [calls]      (default 200; build with `npm run build:release`)
// Prints the p50/p90/p99 of runCode("console.log(1)", {language: "javascript"}) and of Python
// print(1) on a warm code-interpreter sandbox, and the require() time of the package
// (median of 10 fresh processes, next to `node -e 0`).
import { execFileSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { Sandbox } from '@hopx-ai/sdk'

const calls = Number(process.argv[2] ?? 200)

function quantiles(samples) {
  const s = [...samples].sort((a, b) => a - b)
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))]
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) }
}

async function latency(sandbox, code, options) {
  for (let i = 0; i < 10; i++) await sandbox.runCode(code, options) // warm up
  const samples = []
  for (let i = 0; i < calls; i++) {
    const t = performance.now()
    const r = await sandbox.runCode(code, options)
    samples.push(performance.now() - t)
    if (r.stdout !== '1\n') throw new Error(`unexpected output ${JSON.stringify(r.stdout)}`)
  }
  return quantiles(samples)
}

function processMs(args) {
  const runs = []
  for (let i = 0; i < 10; i++) {
    const t = performance.now()
    execFileSync(process.execPath, args, { stdio: 'ignore' })
    runs.push(performance.now() - t)
  }
  return quantiles(runs).p50
}

const fmt = (q) => `p50 ${q.p50.toFixed(2)} ms, p90 ${q.p90.toFixed(2)} ms, p99 ${q.p99.toFixed(2)} ms`

const sandbox = await Sandbox.create({ template: 'code-interpreter' })
try {
  const js = await latency(sandbox, 'console.log(1)', { language: 'javascript' })
  const py = await latency(sandbox, 'print(1)', { language: 'python' })
  console.log(`runCode javascript console.log(1) x${calls}: ${fmt(js)}`)
  console.log(`runCode python print(1) x${calls}:        ${fmt(py)}`)
} finally {
  await sandbox.kill()
}
const bare = processMs(['-e', '0'])
const req = processMs(['-e', "require('@hopx-ai/sdk')"])
console.log(`node -e 0: ${bare.toFixed(1)} ms; node -e "require('@hopx-ai/sdk')": ${req.toFixed(1)} ms (+${(req - bare).toFixed(1)} ms), median of 10`)

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

// Fresh processes, interleaved so that load on the machine hits both sides alike. Each child
// also reports the time of the require() itself, measured inside it.
function requireTimes() {
  const bare = []
  const wall = []
  const inside = []
  const probe = "const t=performance.now();require('@hopx-ai/sdk');process.stdout.write(String(performance.now()-t))"
  for (let i = 0; i < 10; i++) {
    let t = performance.now()
    execFileSync(process.execPath, ['-e', '0'], { stdio: 'ignore' })
    bare.push(performance.now() - t)
    t = performance.now()
    inside.push(Number(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })))
    wall.push(performance.now() - t)
  }
  return { bare: quantiles(bare).p50, wall: quantiles(wall).p50, inside: quantiles(inside).p50 }
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
const r = requireTimes()
console.log(
  `require('@hopx-ai/sdk'): ${r.inside.toFixed(1)} ms inside the process; ` +
    `wall ${r.wall.toFixed(1)} ms vs ${r.bare.toFixed(1)} ms for node -e 0 (medians of 10 fresh processes)`,
)

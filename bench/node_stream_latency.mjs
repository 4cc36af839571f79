// Delay from a `print` in the sandbox to the Node callback that receives it, against the
// embedded local engine:
//   node bench/node_stream_latency.mjs [prints] [rounds]     (default 200 prints, 3 rounds)
// The sandbox prints time.time() `prints` times, 10 ms apart, in a warm code-interpreter
// kernel; the onStdout callback computes (its own wall clock) - (printed time). Both clocks are
// the same machine's, so no offset is involved. The same is measured for runCodeStream.
// Prints p50/p90/p99/max in milliseconds.
import { Sandbox } from '@hopx-ai/sdk'

const prints = Number(process.argv[2] ?? 200)
const rounds = Number(process.argv[3] ?? 3)

/** Wall clock in seconds, sub-millisecond. */
const now = () => (performance.timeOrigin + performance.now()) / 1000

const code = `import time
for _ in range(${prints}):
    print(repr(time.time()), flush=True)
    time.sleep(0.01)`

function quantiles(samples) {
  const s = [...samples].sort((a, b) => a - b)
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))]
  const ms = (x) => `${(x * 1000).toFixed(2)} ms`
  return { n: s.length, p50: ms(at(0.5)), p90: ms(at(0.9)), p99: ms(at(0.99)), max: ms(s.at(-1)) }
}

/** Splits chunks into lines (a chunk may hold several lines, or part of one). */
function lineReader(onLine) {
  let pending = ''
  return (text) => {
    const at = now()
    pending += text
    const lines = pending.split('\n')
    pending = lines.pop()
    for (const line of lines) onLine(line, at)
  }
}

const sandbox = await Sandbox.create({ template: 'code-interpreter' })
try {
  await sandbox.runCode('import time') // start the kernel
  const viaCallback = []
  const viaStream = []
  for (let round = 0; round < rounds; round++) {
    const read = lineReader((line, at) => viaCallback.push(at - Number(line)))
    const r = await sandbox.runCode(code, { onStdout: read, timeout: 300 })
    if (r.stdout.split('\n').length !== prints + 1) throw new Error('lost lines')

    const readStream = lineReader((line, at) => viaStream.push(at - Number(line)))
    for await (const msg of sandbox.runCodeStream(code, { timeout: 300 })) {
      if (msg.type === 'stdout') readStream(msg.data)
    }
  }
  if (viaCallback.length !== prints * rounds || viaStream.length !== prints * rounds) {
    throw new Error(`expected ${prints * rounds} samples, got ${viaCallback.length}/${viaStream.length}`)
  }
  console.log(`print -> runCode onStdout callback: ${JSON.stringify(quantiles(viaCallback))}`)
  console.log(`print -> runCodeStream message:     ${JSON.stringify(quantiles(viaStream))}`)
} finally {
  await sandbox.kill()
}

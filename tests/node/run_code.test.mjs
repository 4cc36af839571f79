// runCode against the embedded local engine: the quick start, each language, options, outcomes.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, ExecutionResult, TimeoutError, ValidationError } from '@hopx-ai/sdk'
import { assertLocal, inCI } from './support/local.mjs'

let sandbox

before(async () => {
  assertLocal()
  sandbox = await Sandbox.create({ template: 'code-interpreter' })
})

after(async () => {
  await sandbox?.kill()
})

test('quick start (DESIGN §1)', async () => {
  const result = await sandbox.runCode('print("Hello, World!")')
  assert.ok(result instanceof ExecutionResult)
  assert.equal(result.stdout, 'Hello, World!\n')
  assert.equal(result.success, true)
  assert.equal(result.exitCode, 0)
  assert.equal(result.exit_code, 0)
  assert.equal(typeof result.executionTime, 'number')
  assert.equal(result.execution_time, result.executionTime)
  assert.deepEqual(result.richOutputs, [])
  assert.equal(result.error, null)
})

test('python state survives between calls in code-interpreter', async () => {
  await sandbox.runCode('counter = 41')
  const r = await sandbox.runCode('counter += 1\nprint(counter)')
  assert.equal(r.stdout, '42\n')
})

test('javascript', async () => {
  const r = await sandbox.runCode('console.log(1 + 1)', { language: 'javascript' })
  assert.equal(r.stdout, '2\n')
  assert.equal(r.success, true)
})

test('bash', async () => {
  const r = await sandbox.runCode('echo "$((6 * 7))"', { language: 'bash' })
  assert.equal(r.stdout, '42\n')
})

test('go runs where a toolchain exists', async () => {
  const code = 'package main\nimport "fmt"\nfunc main() { fmt.Println("go ok") }\n'
  try {
    const r = await sandbox.runCode(code, { language: 'go', timeout: 120 })
    assert.equal(r.stdout, 'go ok\n')
  } catch (err) {
    // Only a developer machine may lack Go; CI installs golang-go.
    if (inCI || !(err instanceof ValidationError)) throw err
    assert.match(err.message, /go/i)
  }
})

test('env applies to one run only', async () => {
  const code = 'import os\nprint(os.environ.get("GREETING"))'
  const withEnv = await sandbox.runCode(code, { env: { GREETING: 'hi' } })
  assert.equal(withEnv.stdout, 'hi\n')
  const without = await sandbox.runCode(code)
  assert.equal(without.stdout, 'None\n')
  const sh = await sandbox.runCode('echo "$A-$B"', { language: 'bash', env: { A: '1', B: 'two' } })
  assert.equal(sh.stdout, '1-two\n')
})

test('workingDir', async () => {
  await sandbox.runCode('mkdir -p /workspace/sub', { language: 'bash' })
  // With mount isolation the path is /workspace/sub; an engine without it runs the sandbox in
  // its own host directory, whose path also ends in /workspace/sub.
  const sh = await sandbox.runCode('pwd', { language: 'bash', workingDir: '/workspace/sub' })
  assert.match(sh.stdout, /(^|\/)workspace\/sub\n$/)
  const py = await sandbox.runCode('import os\nprint(os.getcwd())', { workingDir: '/workspace/sub' })
  assert.match(py.stdout, /(^|\/)workspace\/sub\n$/)
  const back = await sandbox.runCode('import os\nprint(os.getcwd())')
  assert.notEqual(back.stdout, py.stdout, 'the working dir applies to one run only')
})

test('timeout raises TimeoutError with the partial output, and the sandbox stays usable', async () => {
  const code = 'echo before; echo err >&2; sleep 30; echo after'
  const started = Date.now()
  await assert.rejects(sandbox.runCode(code, { language: 'bash', timeout: 1 }), (err) => {
    assert.ok(err instanceof TimeoutError, `${err}`)
    assert.equal(err.name, 'TimeoutError')
    assert.equal(err.code, 'EXECUTION_TIMEOUT')
    assert.equal(err.statusCode, 408)
    assert.equal(err.stdout, 'before\n')
    assert.equal(err.stderr, 'err\n')
    return true
  })
  assert.ok(Date.now() - started < 15_000)
  const py = sandbox.runCode('import time\nprint("partial", flush=True)\ntime.sleep(30)', { timeout: 1 })
  await assert.rejects(py, (err) => err instanceof TimeoutError && err.stdout.includes('partial'))
  const r = await sandbox.runCode('print("still here")')
  assert.equal(r.stdout, 'still here\n')
})

test('non-zero exit is a result, not an error', async () => {
  const sh = await sandbox.runCode('echo oops >&2; exit 3', { language: 'bash' })
  assert.equal(sh.exitCode, 3)
  assert.equal(sh.success, false)
  assert.equal(sh.failed, true)
  assert.equal(sh.stderr, 'oops\n')
  const py = await sandbox.runCode('raise ValueError("bad")')
  assert.equal(py.success, false)
  assert.notEqual(py.exitCode, 0)
  assert.equal(py.error?.name, 'ValueError')
  assert.match(py.stderr + py.error.traceback, /ValueError/)
  const js = await sandbox.runCode('process.exit(5)', { language: 'javascript' })
  assert.equal(js.exitCode, 5)
})

test('a figure as the last expression fills png and result, as in Python', async () => {
  const code = 'import matplotlib.pyplot as plt\nfig = plt.figure()\nplt.plot([1, 3, 2])\nfig'
  for (const r of [await sandbox.runCode(code), await sandbox.runCode(code, { onStdout: () => {} })]) {
    assert.equal(r.success, true)
    assert.match(r.result, /^<Figure size/)
    assert.ok(r.png && r.png === r.richOutputs[0].data['image/png'])
    assert.deepEqual([r.html, r.svg, r.markdown, r.json], [null, null, null, null])
  }
})

test('rich outputs are an array of {type, data, metadata} with flat fields', async () => {
  const r = await sandbox.runCode('from IPython.display import HTML, display\ndisplay(HTML("<b>x</b>"))\n6 * 7')
  assert.ok(Array.isArray(r.richOutputs))
  const html = r.richOutputs.find((o) => o.type === 'text/html')
  assert.ok(html, JSON.stringify(r.richOutputs))
  assert.equal(html.data['text/html'], '<b>x</b>')
  assert.equal(typeof html.metadata, 'object')
  assert.equal(r.html, '<b>x</b>')
  assert.equal(r.rich_outputs, r.richOutputs)
  assert.equal(r.hasRichOutput, true)
})

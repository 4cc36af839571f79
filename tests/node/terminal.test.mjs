// sandbox.terminal against the embedded local engine, used as the official SDK's is: a real
// terminal as the sandbox's user, resize, Ctrl-C, the exit message, the end of the session,
// and bad arguments. Every read is bounded, so no test can hang.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, Terminal, TerminalConnection, ValidationError } from '@hopx-ai/sdk'
import { assertLocal } from './support/local.mjs'

let sandbox

before(async () => {
  assertLocal()
  sandbox = await Sandbox.create({ template: 'base' })
})

after(async () => {
  await sandbox?.kill()
})

/** Output of `ws` until `marker` appears or the shell exits: [output, exit code]. */
async function readUntil(ws, marker) {
  let out = ''
  let code
  const read = (async () => {
    for await (const msg of sandbox.terminal.output(ws)) {
      if (msg.type === 'output') {
        out += msg.data
        if (out.includes(marker)) return
      } else if (msg.type === 'exit') {
        code = msg.code
        return
      }
    }
  })()
  let timer
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(marker)} in ${JSON.stringify(out)}`)), 30_000)
  })
  try {
    await Promise.race([read, limit])
  } finally {
    clearTimeout(timer)
  }
  return [out, code]
}

test('the official way: connect, sendInput, resize, output', async () => {
  const terminal = sandbox.terminal
  assert.ok(terminal instanceof Terminal)
  assert.equal(sandbox.terminal, terminal)
  const ws = await terminal.connect({ cols: 100, rows: 30 })
  assert.ok(ws instanceof TerminalConnection)
  // Arithmetic in the markers, so the echo of the typed line does not match them. Not
  // awaited, as code written for the official (void) sendInput does.
  terminal.sendInput(ws, 'tty -s && echo tty-$((1+1)); stty size; id -un; echo done-$((2+2))\n')
  let [out] = await readUntil(ws, 'done-4')
  assert.ok(out.includes('tty-2') && out.includes('30 100') && out.includes('\nuser\r\n'), out)
  await terminal.resize(ws, 120, 40)
  await ws.sendInput('stty size; echo sized-$((3+3))\n')
  ;[out] = await readUntil(ws, 'sized-6')
  assert.ok(out.includes('40 120'), out)
  await ws.sendInput('sleep 60\n')
  await new Promise((r) => setTimeout(r, 300))
  await ws.sendInput('\x03echo after-$((4+4))\n')
  await readUntil(ws, 'after-8')
  await ws.sendInput('exit 6\n')
  const [, code] = await readUntil(ws, '\0never')
  assert.equal(code, 6)
  for await (const msg of ws) assert.fail(`a finished session gave ${JSON.stringify(msg)}`)
  await ws.close()
  assert.equal(ws.closed, true)
})

test('close() ends a loop that waits, and the shell', async () => {
  const ws = await sandbox.terminal.connect()
  const loop = (async () => {
    const seen = []
    for await (const msg of ws) seen.push(msg)
    return seen
  })()
  await ws.sendInput('echo hello-$((5+5))\n')
  setTimeout(() => ws.close(), 300)
  const seen = await loop
  assert.ok(seen.every((m) => m.type === 'output'), JSON.stringify(seen))
  await assert.rejects(ws.sendInput('x'), /closed/)
})

test('bad arguments', async () => {
  await assert.rejects(sandbox.terminal.connect({ cols: 0 }), { name: 'ValidationError', message: 'cols must be from 1 to 65535, got 0' })
  await assert.rejects(sandbox.terminal.connect({ rows: '24' }), { name: 'ValidationError', message: /integer/ })
  await assert.rejects(sandbox.terminal.connect({ timeout: 0 }), ValidationError)
  const ws = await sandbox.terminal.connect()
  await assert.rejects(ws.sendInput(42), TypeError)
  await assert.rejects(ws.resize(80, 70000), { name: 'ValidationError', message: 'rows must be from 1 to 65535, got 70000' })
  assert.throws(() => sandbox.terminal.sendInput({}, 'x'), TypeError)
  await ws.close()
})

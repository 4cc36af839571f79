// sandbox.commands against the embedded local engine: shell features, exit codes as results,
// env and workingDir over the sandbox-wide variables, a timeout that stops the command with
// its children and keeps the output so far, background commands as processes, bad arguments.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { Sandbox, Commands, CommandResult, ProcessInfo, TimeoutError, ValidationError, NotFoundError } from '@hopx-ai/sdk'
import { assertLocal } from './support/local.mjs'

let sandbox

before(async () => {
  assertLocal()
  sandbox = await Sandbox.create({ template: 'base' })
})

after(async () => {
  await sandbox?.kill()
})

/** Host pids whose command line holds `marker`. */
function hostProcessesWith(marker) {
  const found = []
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`).includes(marker)) found.push(Number(pid))
    } catch {
      // gone meanwhile
    }
  }
  return found
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** The background process `id` once it no longer runs. */
async function finished(id) {
  const deadline = Date.now() + 60_000
  for (;;) {
    const proc = (await sandbox.listProcesses()).find((p) => p.processId === id)
    if (proc && proc.status !== 'running' && proc.status !== 'queued') return proc
    assert.ok(Date.now() < deadline, JSON.stringify(proc))
    await sleep(50)
  }
}

test('one Commands per sandbox handle', () => {
  assert.ok(sandbox.commands instanceof Commands)
  assert.equal(sandbox.commands, sandbox.commands)
})

test('a command line runs through bash; a failing one is a result', async () => {
  const r = await sandbox.commands.run("echo hello | tr a-z A-Z && printf 'x y' > /workspace/c.txt; cat /workspace/c.txt")
  assert.ok(r instanceof CommandResult)
  assert.deepEqual([r.stdout, r.stderr, r.exitCode, r.exit_code, r.success, r.isSuccess], ['HELLO\nx y', '', 0, 0, true, true])
  assert.ok(r.executionTime > 0 && r.execution_time === r.executionTime)
  assert.match(r.command, /tr a-z A-Z/)
  const bad = await sandbox.commands.run('echo out; echo err >&2; exit 3')
  assert.deepEqual([bad.stdout, bad.stderr, bad.exitCode, bad.success, bad.isSuccess], ['out\n', 'err\n', 3, false, false])
})

test('env and workingDir over the sandbox-wide variables', async () => {
  await sandbox.env.setAll({ G: 'global', BOTH: 'global' })
  try {
    const r = await sandbox.commands.run('echo "$G $BOTH"; pwd', { env: { BOTH: 'mine' }, workingDir: '/tmp' })
    assert.equal(r.stdout, 'global mine\n/tmp\n')
    assert.equal((await sandbox.commands.run('echo "$BOTH"')).stdout, 'global\n')
  } finally {
    await sandbox.env.setAll({})
  }
})

test('a timeout stops the command and its children and keeps the output so far', async () => {
  const marker = `hopx-node-cmd-${process.pid}-${Date.now()}`
  const start = Date.now()
  const running = sandbox.commands.run(`echo started; (exec -a ${marker} sleep 600) & sleep 600`, { timeout: 3 })
  // Seen from the host, the child really runs...
  while (hostProcessesWith(marker).length === 0) {
    assert.ok(Date.now() - start < 3000, "the command's child never started")
    await sleep(20)
  }
  const err = await running.then(
    () => assert.fail('the command should time out'),
    (e) => e,
  )
  assert.ok(err instanceof TimeoutError, String(err))
  assert.match(err.stdout ?? '', /started/)
  // ... and nothing of the command is left once it timed out.
  const deadline = Date.now() + 10_000
  while (hostProcessesWith(marker).length > 0) {
    assert.ok(Date.now() < deadline, String(hostProcessesWith(marker)))
    await sleep(50)
  }
  assert.equal((await sandbox.commands.run('echo still here')).stdout, 'still here\n')
})

test('background commands are processes: listed, finished, killed', async () => {
  const quick = await sandbox.commands.run('sleep 0.2; echo done in the background', { background: true })
  assert.ok(quick instanceof ProcessInfo && quick.processId)
  const done = await finished(quick.processId)
  assert.deepEqual([done.status, done.stdout, done.exitCode], ['completed', 'done in the background\n', 0])
  const slow = await sandbox.commands.runBackground('sleep 600', { name: 'nap', timeout: 3600 })
  assert.equal(slow.name, 'nap')
  assert.equal((await sandbox.killProcess(slow.processId)).status, 'killed')
  assert.equal((await finished(slow.processId)).status, 'killed')
})

test('output reaches onStdout and onStderr while the command runs', async () => {
  // The command waits for a file only the onStdout callback creates: had the output come at
  // the end, it would run into its timeout.
  if (await sandbox.files.exists('/tmp/go')) await sandbox.files.remove('/tmp/go')
  const line = 'echo ready; echo warn >&2; until [ -f /tmp/go ]; do sleep 0.02; done; echo done'
  const out = []
  const err = []
  const r = await sandbox.commands.run(line, {
    timeout: 20,
    onStdout: (text) => {
      out.push(text)
      if (text.startsWith('ready')) sandbox.files.write('/tmp/go', '')
    },
    onStderr: (text) => err.push(text),
  })
  assert.ok(r instanceof CommandResult)
  assert.deepEqual([out.join(''), err.join('')], ['ready\ndone\n', 'warn\n'])
  assert.deepEqual([r.stdout, r.stderr, r.exitCode, r.success, r.command], ['ready\ndone\n', 'warn\n', 0, true, line])
  const failed = await sandbox.commands.run('echo x; exit 4', { onStdout: () => {} })
  assert.deepEqual([failed.exitCode, failed.success], [4, false])
  const timedOut = await sandbox.commands.run('echo partial; sleep 30', { timeout: 1, onStdout: () => {} }).catch((e) => e)
  assert.ok(timedOut instanceof TimeoutError, String(timedOut))
  assert.equal(timedOut.stdout, 'partial\n')
  await assert.rejects(sandbox.commands.run('true', { background: true, onStdout: () => {} }), { name: 'TypeError', message: /background/ })
  await assert.rejects(sandbox.commands.run('true', { onStderr: 'log' }), { name: 'TypeError', message: /onStderr/ })
  await assert.rejects(sandbox.commands.run('  ', { onStdout: () => {} }), ValidationError)
})

test('bad arguments fail before any request', async () => {
  const c = sandbox.commands
  await assert.rejects(c.run(['ls']), { name: 'TypeError', message: /command/ })
  await assert.rejects(c.run(''), TypeError)
  await assert.rejects(c.run('   '), ValidationError)
  await assert.rejects(c.run('ls', { timeout: 0 }), ValidationError)
  await assert.rejects(c.run('ls', { timeout: 301 }), { name: 'ValidationError', message: /between 1 and 300/ })
  await assert.rejects(c.run('ls', { timeout: 1.5 }), { name: 'ValidationError', message: /integer/ })
  await assert.rejects(c.run('ls', { env: { A: 1 } }), { name: 'TypeError', message: /env\.A/ })
  await assert.rejects(c.run('ls', { env: { 'A=B': '1' } }), ValidationError)
  await assert.rejects(c.run('ls', { background: 'yes' }), TypeError)
  await assert.rejects(c.run('ls', { workingDir: '/etc' }), /workdir/)
})

test('a killed sandbox rejects with NotFoundError', async () => {
  const other = await Sandbox.create({ template: 'base' })
  const commands = other.commands
  await other.kill()
  await assert.rejects(commands.run('true'), NotFoundError)
})

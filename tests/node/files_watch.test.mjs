// sandbox.files.watch and the official sandbox.watchFiles against the embedded local engine:
// what sandbox code and file calls do shows up in order, a loop left early closes the watch,
// a removed folder ends it, and bad arguments fail at the call. No test can hang: every wait
// for a change is raced against a one-minute guard that closes the watch.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, FileWatch, FileOperationError, ValidationError } from '@hopx-ai/sdk'
import { assertLocal } from './support/local.mjs'

let sandbox

before(async () => {
  assertLocal()
  sandbox = await Sandbox.create({ template: 'base' })
})

after(async () => {
  await sandbox?.kill()
})

/** The first `n` changes of `watch` as [event, path]; closes the watch after a minute of
 * waiting, so that a missing change fails the test instead of hanging it. */
async function changes(watch, n) {
  const guard = setTimeout(() => watch.close(), 60_000)
  const got = []
  try {
    for await (const change of watch) {
      assert.equal(change.type, 'change')
      assert.ok(!Number.isNaN(Date.parse(change.timestamp)), change.timestamp)
      got.push([change.event, change.path])
      if (got.length === n) return got
    }
  } finally {
    clearTimeout(guard)
  }
  assert.fail(`the watch ended after ${JSON.stringify(got)}`)
}

test('files.watch resolves once watching: nothing done afterwards is missed', async () => {
  await sandbox.files.mkdir('/workspace/w1')
  const watch = await sandbox.files.watch('/workspace/w1')
  assert.ok(watch instanceof FileWatch)
  assert.equal(watch.closed, false)
  await sandbox.runCode('echo 1 > /workspace/w1/a.txt; rm /workspace/w1/a.txt', { language: 'bash' })
  assert.deepEqual(await changes(watch, 3), [
    ['created', '/workspace/w1/a.txt'],
    ['modified', '/workspace/w1/a.txt'],
    ['deleted', '/workspace/w1/a.txt'],
  ])
  // Leaving the loop closed the watch; a new loop ends at once.
  assert.equal(watch.closed, true)
  for await (const change of watch) assert.fail(`a closed watch gave ${JSON.stringify(change)}`)
})

test('writes through the API: created, then modified, never a draft name', async () => {
  await sandbox.files.mkdir('/workspace/w2')
  const watch = await sandbox.files.watch('/workspace/w2')
  await sandbox.files.write('/workspace/w2/f.txt', 'one')
  await sandbox.files.write('/workspace/w2/f.txt', 'two')
  const got = await changes(watch, 3)
  assert.deepEqual(got[0], ['created', '/workspace/w2/f.txt'])
  assert.ok(got.every(([, p]) => p === '/workspace/w2/f.txt'), JSON.stringify(got))
  assert.equal(got.at(-1)[0], 'modified')
})

test('close() ends a loop that is waiting', async () => {
  await sandbox.files.mkdir('/workspace/w3')
  const watch = await sandbox.files.watch('/workspace/w3')
  const loop = (async () => {
    const seen = []
    for await (const change of watch) seen.push(change)
    return seen
  })()
  setTimeout(() => watch.close(), 100)
  assert.deepEqual(await loop, [])
})

test('the watch ends by itself when its folder is removed', async () => {
  await sandbox.files.mkdir('/workspace/w4')
  const watch = await sandbox.files.watch('/workspace/w4')
  await sandbox.files.remove('/workspace/w4')
  let guarded = false
  const guard = setTimeout(() => {
    guarded = true
    watch.close()
  }, 60_000)
  const seen = []
  for await (const change of watch) seen.push(change.event)
  clearTimeout(guard)
  assert.equal(guarded, false, 'the watch ended by itself, not by the guard')
  assert.ok(seen.every((e) => e === 'deleted'), JSON.stringify(seen))
})

test('watchFiles, the official form: an async generator of the same changes', async () => {
  await sandbox.files.mkdir('/workspace/w5')
  const it = sandbox.watchFiles('/workspace/w5')
  const first = it.next()
  // The generator opens the watch at the first next(), with no signal when it is in place
  // (as the official one): write until a change is reported.
  let got
  for (let i = 0; i < 100 && !got; i++) {
    await sandbox.files.write(`/workspace/w5/f${i}.txt`, 'x')
    got = await Promise.race([first, new Promise((r) => setTimeout(r, 100))])
  }
  assert.ok(got, 'a change arrived')
  assert.equal(got.done, false)
  assert.equal(got.value.type, 'change')
  assert.match(got.value.path, /^\/workspace\/w5\/f\d+\.txt$/)
  assert.deepEqual(await it.return(), { done: true, value: undefined })
})

test('errors: a missing folder, bad arguments', async () => {
  await assert.rejects(sandbox.files.watch('/workspace/none'), (err) => {
    assert.ok(err instanceof FileOperationError, String(err))
    return true
  })
  await assert.rejects(sandbox.files.watch(42), TypeError)
  await assert.rejects(sandbox.files.watch(''), TypeError)
  await assert.rejects(sandbox.files.watch('/workspace', { timeout: 0 }), ValidationError)
  await assert.rejects(sandbox.watchFiles('/workspace/none').next(), FileOperationError)
})

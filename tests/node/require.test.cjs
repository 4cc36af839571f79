// The CommonJS entry: require('@hopx-ai/sdk') runs code and its errors are the exported classes.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { Sandbox, TimeoutError, NetworkError, HopxError } = require('@hopx-ai/sdk')

test('require: run, time out, kill', async () => {
  const sandbox = await Sandbox.create({ template: 'base' })
  try {
    const r = await sandbox.runCode('echo cjs', { language: 'bash' })
    assert.equal(r.stdout, 'cjs\n')
    await assert.rejects(sandbox.runCode('echo part; sleep 9', { language: 'bash', timeout: 1 }), (err) => {
      assert.ok(err instanceof TimeoutError && err instanceof NetworkError && err instanceof HopxError)
      assert.equal(err.stdout, 'part\n')
      return true
    })
  } finally {
    await sandbox.kill()
  }
})

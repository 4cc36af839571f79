// sandbox.files as an attacker would use it: the file calls act as the sandbox's own code would
// (its view of the file system, its user's rights), so no path, link or `..` reaches the host,
// and what the API writes belongs to the sandbox user. The host files are checked byte for
// byte and mode for mode afterwards.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { Sandbox, HopxError, FileOperationError } from '@hopx-ai/sdk'
import { assertLocal } from './support/local.mjs'

let sandbox
let files
// Under /var/tmp, not /tmp: the sandbox's /tmp is its own, so a host file in /tmp could never
// be what a link in the sandbox names.
let hostDir
let hostFile
const HOST_BYTES = Buffer.from('host secret: must stay as it is\n')

before(async () => {
  assertLocal()
  hostDir = fs.mkdtempSync('/var/tmp/hopx-node-confinement-')
  hostFile = path.join(hostDir, 'secret')
  fs.writeFileSync(hostFile, HOST_BYTES, { mode: 0o644 })
  fs.chmodSync(hostDir, 0o755)
  sandbox = await Sandbox.create({ template: 'base' })
  files = sandbox.files
  // The sandbox's code plants the links.
  const r = await sandbox.runCode(
    [
      'ln -s /etc/shadow /workspace/s',
      `ln -s ${hostFile} /workspace/h`,
      `ln -s ${hostDir} /workspace/hd`,
      'ln -s / /workspace/root',
    ].join(' && '),
    { language: 'bash' },
  )
  assert.equal(r.exitCode, 0, r.stderr)
})

after(async () => {
  await sandbox?.kill()
  // The host file is checked once more after the sandbox is gone.
  if (hostFile) assertHostUnchanged()
  if (hostDir) fs.rmSync(hostDir, { recursive: true, force: true })
})

function assertHostUnchanged() {
  assert.deepEqual(fs.readFileSync(hostFile), HOST_BYTES)
  assert.equal(fs.statSync(hostFile).mode & 0o7777, 0o644)
  assert.deepEqual(fs.readdirSync(hostDir), ['secret'])
}

/** Rejects with an error of the SDK (never resolves with content). */
async function refused(promise) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof HopxError, String(err))
    return true
  })
}

test("/etc/shadow cannot be read, directly or through the sandbox's link", async () => {
  for (const p of ['/etc/shadow', '/workspace/s', '/workspace/root/etc/shadow']) {
    await assert.rejects(files.read(p), FileOperationError, p)
    await refused(files.readBytes(p))
    await refused(files.download(p))
  }
})

test('a link to a host file leads nowhere: reads fail, a write through it leaves the host file as it is', async () => {
  for (const p of ['/workspace/h', '/workspace/hd/secret', hostFile, '/workspace/root' + hostFile]) {
    await refused(files.read(p))
    await refused(files.readBytes(p))
    await refused(files.download(p))
    assert.equal(await files.exists(p), false, p)
  }
  await refused(files.list('/workspace/hd'))

  await refused(files.write('/workspace/h', 'pwned'))
  await refused(files.writeBytes('/workspace/hd/secret', Buffer.from('pwned')))
  await refused(files.write(hostFile, 'pwned'))
  const local = path.join(hostDir, '..', `${path.basename(hostDir)}-upload`)
  fs.writeFileSync(local, 'pwned')
  try {
    await refused(files.upload(local, '/workspace/h'))
  } finally {
    fs.rmSync(local)
  }
  await refused(files.mkdir('/workspace/hd/sub'))
  assertHostUnchanged()

  // Removing the link removes the link, not what it names.
  await files.remove('/workspace/hd')
  assert.equal(await files.exists('/workspace/hd'), false)
  assertHostUnchanged()
})

test('.. never climbs out of the sandbox: /workspace/../../etc/hostname is the sandbox\'s', async () => {
  assert.equal(await files.read('/workspace/../../etc/hostname'), 'sandbox\n')
  assert.equal(await files.read('../../../../etc/hostname'), 'sandbox\n')
})

test('system folders are read-only: writing under /usr or /etc fails', async () => {
  for (const write of [
    () => files.write('/usr/evil', 'x'),
    () => files.writeBytes('/usr/bin/evil', Buffer.from([0])),
    () => files.mkdir('/usr/evil-dir'),
    () => files.write('/etc/passwd', 'root::0:0::/root:/bin/sh\n'),
    () => files.remove('/usr/bin'),
  ]) {
    await assert.rejects(write, FileOperationError)
  }
  assert.equal(fs.existsSync('/usr/evil'), false)
  assert.equal(fs.existsSync('/usr/evil-dir'), false)
})

test("a file written through the API is the sandbox user's: its code can chmod and append to it", async () => {
  await files.write('/workspace/mine.txt', 'one\n', '0640')
  const r = await sandbox.runCode(
    'chmod 600 /workspace/mine.txt && echo two >> /workspace/mine.txt && stat -c "%U %a" /workspace/mine.txt',
    { language: 'bash' },
  )
  assert.equal(r.exitCode, 0, r.stderr)
  assert.equal(r.stdout, 'user 600\n')
  assert.equal(await files.read('/workspace/mine.txt'), 'one\ntwo\n')
  // The same for the folders the API made, parents included.
  await files.mkdir('/workspace/made/by/api')
  const d = await sandbox.runCode('touch /workspace/made/by/api/x && stat -c %U /workspace/made/by/api /workspace/made', {
    language: 'bash',
  })
  assert.equal(d.stdout, 'user\nuser\n', d.stderr)
})

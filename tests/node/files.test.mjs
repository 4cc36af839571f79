// sandbox.files against the embedded local engine: every method, binary content byte for
// byte, FileInfo, transfers with progress, the errors, and the memory of a 200 MB round trip.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  Sandbox,
  Files,
  FileInfo,
  FileNotFoundError,
  FileOperationError,
  TimeoutError,
  ValidationError,
} from '@hopx-ai/sdk'
import { assertLocal } from './support/local.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
/** Every byte value once, then in reverse: no encoding could keep it by luck. */
const ALL_BYTES = Buffer.from([...Array(256).keys(), ...[...Array(256).keys()].reverse()])

let sandbox
let files
let local

before(async () => {
  assertLocal()
  sandbox = await Sandbox.create({ template: 'base' })
  files = sandbox.files
  local = fs.mkdtempSync(path.join(os.tmpdir(), 'hopx-node-files-'))
})

after(async () => {
  await sandbox?.kill()
  if (local) fs.rmSync(local, { recursive: true, force: true })
})

/** Bytes where every position differs from its neighbours, so a shifted chunk shows. */
function pattern(size) {
  const out = Buffer.alloc(size)
  for (let i = 0; i + 4 <= size; i += 4) out.writeUInt32LE(i >>> 0, i)
  return out
}

test('sandbox.files is one Files object per sandbox', () => {
  assert.ok(files instanceof Files)
  assert.equal(sandbox.files, files)
  assert.throws(() => new Files({}), TypeError)
})

test('write and read text, including non-ASCII', async () => {
  const text = 'hello\nwörld ✓ 🚀\n'
  await files.write('/workspace/hello.txt', text)
  assert.equal(await files.read('/workspace/hello.txt'), text)
  // The official form: options in third place.
  await files.write('/workspace/hello.txt', 'again', { overwrite: true, timeout: 30 })
  assert.equal(await files.read('/workspace/hello.txt', { timeout: 30 }), 'again')
  // A relative path is taken from /workspace, as the sandbox's code would.
  assert.equal(await files.read('hello.txt'), 'again')
  // The content of an empty file.
  await files.write('/workspace/empty', '')
  assert.equal(await files.read('/workspace/empty'), '')
})

test('binary content is byte-exact: writeBytes, write with a Buffer or Uint8Array, readBytes, download', async () => {
  await files.writeBytes('/workspace/all.bin', ALL_BYTES)
  const back = await files.readBytes('/workspace/all.bin')
  assert.ok(Buffer.isBuffer(back))
  assert.deepEqual(back, ALL_BYTES)

  // write() hands bytes to writeBytes; a Uint8Array that is a view into a larger buffer
  // sends only its own bytes.
  const framed = new Uint8Array(ALL_BYTES.length + 20)
  framed.set(ALL_BYTES, 10)
  await files.write('/workspace/view.bin', framed.subarray(10, 10 + ALL_BYTES.length), '0600')
  assert.deepEqual(await files.readBytes('/workspace/view.bin'), ALL_BYTES)

  // The official download(path): the content as a Buffer.
  const downloaded = await files.download('/workspace/all.bin')
  assert.ok(Buffer.isBuffer(downloaded))
  assert.deepEqual(downloaded, ALL_BYTES)
})

test('write sets the mode (default 0644); list returns FileInfo records', async () => {
  await files.mkdir('/workspace/listing')
  await files.write('/workspace/listing/run.sh', 'echo hi\n', '0755')
  await files.write('/workspace/listing/data.csv', 'a,b\n1,2\n')
  await files.mkdir('/workspace/listing/sub')
  const entries = await files.list('/workspace/listing')
  assert.ok(entries.every((e) => e instanceof FileInfo))
  const byName = Object.fromEntries(entries.map((e) => [e.name, e]))
  assert.deepEqual(Object.keys(byName).sort(), ['data.csv', 'run.sh', 'sub'])

  const csv = byName['data.csv']
  assert.equal(csv.path, '/workspace/listing/data.csv')
  assert.equal(csv.size, 8)
  assert.equal(csv.permissions, '-rw-r--r--')
  assert.equal(csv.isDir, false)
  assert.equal(csv.isFile, true)
  assert.equal(csv.extension, 'csv')
  assert.equal(csv.sizeKb, 8 / 1024)
  assert.equal(csv.sizeMb, 8 / 1024 / 1024)
  assert.ok(!Number.isNaN(Date.parse(csv.modifiedTime)), csv.modifiedTime)
  assert.ok(Math.abs(Date.parse(csv.modifiedTime) - Date.now()) < 10 * 60_000, csv.modifiedTime)
  // The official names and the wire's, as aliases.
  assert.equal(csv.is_dir, false)
  assert.equal(csv.is_directory, false)
  assert.equal(csv.isDirectory, false)
  assert.equal(csv.modified, csv.modifiedTime)
  assert.equal(csv.modified_time, csv.modifiedTime)

  assert.equal(byName['run.sh'].permissions, '-rwxr-xr-x')
  // The mode in the options object works too; given twice it is an error, not a guess.
  await files.write('/workspace/listing/secret', 's', { mode: '0600' })
  const secret = (await files.list('/workspace/listing')).find((e) => e.name === 'secret')
  assert.equal(secret.permissions, '-rw-------')
  await assert.rejects(files.write('/workspace/listing/secret', 's', '0600', { mode: '0600' }), { name: 'TypeError', message: /mode once/ })
  await files.remove('/workspace/listing/secret')
  const sub = byName.sub
  assert.equal(sub.isDir, true)
  assert.equal(sub.isFile, false)
  assert.equal(sub.extension, '')
  assert.match(sub.permissions, /^d/)

  // The default folder is /workspace.
  const top = (await files.list()).map((e) => e.name)
  assert.ok(top.includes('listing'), top.join(','))
})

test('exists, mkdir with parents, remove of a whole folder', async () => {
  assert.equal(await files.exists('/workspace/deep'), false)
  await files.mkdir('/workspace/deep/er/still')
  // An existing folder is fine.
  await files.mkdir('/workspace/deep/er')
  assert.equal(await files.exists('/workspace/deep/er/still'), true)
  await files.write('/workspace/deep/er/still/leaf.txt', 'leaf')
  assert.equal(await files.exists('/workspace/deep/er/still/leaf.txt'), true)
  const [still] = await files.list('/workspace/deep/er')
  assert.equal(still.name, 'still')
  assert.equal(still.isDir, true)

  await files.remove('/workspace/deep')
  assert.equal(await files.exists('/workspace/deep'), false)
  assert.equal(await files.exists('/workspace/deep/er/still/leaf.txt'), false)

  await files.write('/workspace/gone.txt', 'x')
  await files.remove('/workspace/gone.txt')
  assert.equal(await files.exists('/workspace/gone.txt'), false)
})

test('files written by the API are seen by code, and the reverse', async () => {
  await files.write('/workspace/from-api.txt', 'api\n')
  const r = await sandbox.runCode('cat /workspace/from-api.txt; printf "code" > /workspace/from-code.txt', {
    language: 'bash',
  })
  assert.equal(r.stdout, 'api\n')
  assert.equal(await files.read('/workspace/from-code.txt'), 'code')
})

/** Checks a progress log: `done` grows, every call has the total, the last is the size. */
function assertProgress(calls, size) {
  assert.ok(calls.length >= 1, 'onProgress was called')
  for (let i = 1; i < calls.length; i++) {
    assert.ok(calls[i][0] > calls[i - 1][0], `done grows: ${calls[i - 1][0]} then ${calls[i][0]}`)
  }
  for (const [, total] of calls) assert.equal(total, size)
  assert.deepEqual(calls.at(-1), [size, size])
}

test('upload and download round trip, with progress', async () => {
  const size = 5 * 1024 * 1024 + 123
  const content = pattern(size)
  const source = path.join(local, 'source.bin')
  fs.writeFileSync(source, content)

  const up = []
  await files.upload(source, '/workspace/uploaded.bin', { onProgress: (done, total) => up.push([done, total]) })
  assertProgress(up, size)
  assert.equal((await files.list('/workspace')).find((e) => e.name === 'uploaded.bin').size, size)

  const down = []
  const target = path.join(local, 'target.bin')
  const written = await files.download('/workspace/uploaded.bin', target, {
    onProgress: (done, total) => down.push([done, total]),
  })
  assert.equal(written, size)
  assertProgress(down, size)
  assert.ok(fs.readFileSync(target).equals(content), 'the downloaded file is the uploaded one')

  // download without a local path, with progress: the content as a Buffer.
  const buffered = []
  const buffer = await files.download('/workspace/uploaded.bin', { onProgress: (d, t) => buffered.push([d, t]) })
  assert.ok(Buffer.isBuffer(buffer) && buffer.equals(content))
  assertProgress(buffered, size)

  // A download replaces the local file; an upload of an empty file works.
  fs.writeFileSync(target, 'x'.repeat(size * 2))
  assert.equal(await files.download('/workspace/all.bin', target), ALL_BYTES.length)
  assert.deepEqual(fs.readFileSync(target), ALL_BYTES)
  const emptyFile = path.join(local, 'empty')
  fs.writeFileSync(emptyFile, '')
  await files.upload(emptyFile, '/workspace/empty-upload')
  assert.equal((await files.readBytes('/workspace/empty-upload')).length, 0)
})

test('a throwing onProgress stops the transfer and rejects with its exception, nothing crashes', async () => {
  const source = path.join(local, 'throwing.bin')
  fs.writeFileSync(source, pattern(3 * 1024 * 1024))
  const boom = new Error('stop here')
  const calls = []
  await assert.rejects(
    files.upload(source, '/workspace/throwing.bin', {
      onProgress: (done, total) => {
        calls.push([done, total])
        throw boom
      },
    }),
    (err) => err === boom,
  )
  // No call after the exception, even once the HTTP client is done with the dropped body.
  await new Promise((resolve) => setTimeout(resolve, 200))
  assert.deepEqual(calls, [[256 * 1024, 3 * 1024 * 1024]], 'no call after the exception')
  await files.writeBytes('/workspace/for-throwing.bin', ALL_BYTES)
  await assert.rejects(
    files.download('/workspace/for-throwing.bin', path.join(local, 'x'), {
      onProgress: () => {
        throw new TypeError('bad callback')
      },
    }),
    { name: 'TypeError', message: 'bad callback' },
  )
  // The process and the sandbox go on.
  assert.deepEqual(await files.readBytes('/workspace/for-throwing.bin'), ALL_BYTES)
})

test('errors: a missing file is FileNotFoundError', async () => {
  for (const call of [
    () => files.read('/workspace/missing.txt'),
    () => files.readBytes('/workspace/missing.txt'),
    () => files.download('/workspace/missing.txt'),
    () => files.download('/workspace/missing.txt', path.join(local, 'missing')),
    () => files.remove('/workspace/missing.txt'),
  ]) {
    await assert.rejects(call, (err) => err instanceof FileNotFoundError && err.code === 'FILE_NOT_FOUND')
  }
  // A missing folder has a code of its own, which the core's table files under FileOperationError.
  await assert.rejects(files.list('/workspace/missing-folder'), (err) => {
    assert.ok(err instanceof FileOperationError, String(err))
    assert.equal(err.code, 'DIRECTORY_NOT_FOUND')
    assert.equal(err.statusCode, 404)
    return true
  })
  // No local file was left by the failed download.
  assert.equal(fs.existsSync(path.join(local, 'missing')), false)
})

test('errors: bad arguments fail before any request, with a clear message', async () => {
  for (const mode of ['0999', 'rw-r--r--', '', '177777']) {
    await assert.rejects(files.write('/workspace/m.txt', 'x', mode), ValidationError, mode)
    await assert.rejects(files.writeBytes('/workspace/m.bin', ALL_BYTES, mode), ValidationError, mode)
  }
  await assert.rejects(files.write('/workspace/m.txt', 'x', 644), { name: 'TypeError', message: /mode/ })
  await assert.rejects(files.write('/workspace/m.txt', 42), { name: 'TypeError', message: /content/ })
  await assert.rejects(files.writeBytes('/workspace/m.bin', 'text'), { name: 'TypeError', message: /data/ })
  await assert.rejects(files.write('/workspace/m.txt', 'x', { overwrite: false }), ValidationError)
  await assert.rejects(files.read(''), { name: 'TypeError', message: /path/ })
  await assert.rejects(files.read(undefined), TypeError)
  await assert.rejects(files.read('/workspace/a\0b'), ValidationError)
  for (const timeout of [0, -1, Number.NaN, Infinity]) {
    await assert.rejects(files.read('/workspace/hello.txt', { timeout }), ValidationError, String(timeout))
  }
  await assert.rejects(files.read('/workspace/hello.txt', { timeout: '5' }), TypeError)
  // The timeout reaches the call. Timers tick in milliseconds, so a tiny timeout on a small read
  // could still see the answer; sending 16 MiB takes a debug build far longer than 1 ms.
  await assert.rejects(files.write('/workspace/slow.txt', 'x'.repeat(16 << 20), { timeout: 1e-3 }), TimeoutError)
  await assert.rejects(files.upload('/x', '/workspace/x', { onProgress: 1 }), { name: 'TypeError', message: /onProgress/ })
  await assert.rejects(files.download('/workspace/hello.txt', ''), { name: 'TypeError', message: /localPath/ })
})

test('errors: a local file that cannot be read or written is FileOperationError', async () => {
  await assert.rejects(files.upload(path.join(local, 'no-such-file'), '/workspace/x'), (err) => {
    assert.ok(err instanceof FileOperationError, String(err))
    assert.equal(err.code, 'LOCAL_FILE_ERROR')
    assert.match(err.message, /no-such-file/)
    return true
  })
  await assert.rejects(files.download('/workspace/all.bin', path.join(local, 'no-dir', 'x')), (err) => {
    assert.ok(err instanceof FileOperationError, String(err))
    assert.equal(err.code, 'LOCAL_FILE_ERROR')
    return true
  })
})

test('a killed sandbox: file calls reject, they do not hang', async () => {
  const other = await Sandbox.create({ template: 'base' })
  const otherFiles = other.files
  await otherFiles.write('/workspace/a', 'a')
  await other.kill()
  await assert.rejects(otherFiles.read('/workspace/a'))
})

test('a 200 MB upload and download keep the client within 64 MB of extra memory', () => {
  // A fresh process, so that nothing else this suite did counts; it measures its own peak.
  const child = spawnSync(process.execPath, [path.join(here, 'support/files_memory.mjs')], {
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, HOPX_TEST_SIZE_MB: '200' },
  })
  assert.equal(child.status, 0, child.stdout + child.stderr)
  const report = JSON.parse(child.stdout.trim().split('\n').at(-1))
  console.log(`# 200 MB round trip: peak RSS growth ${(report.growthKb / 1024).toFixed(1)} MB`, report)
  assert.equal(report.bytes, 200 * 1024 * 1024)
  assert.equal(report.same, true, 'the downloaded file is the uploaded one')
  assert.ok(report.growthKb < 64 * 1024, `peak RSS grew by ${report.growthKb} KB`)
})

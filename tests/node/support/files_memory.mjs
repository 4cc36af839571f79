// Run by files.test.mjs in a fresh process: uploads a HOPX_TEST_SIZE_MB file (default 200) to a
// sandbox of the embedded engine and downloads it back, with onProgress, and prints one JSON
// line: how much this process's peak RSS grew over the transfers (`growthKb`), and whether the
// bytes came back the same. The peak is reset just before (`/proc/self/clear_refs`), so the
// growth counts the transfers only, not the engine's start.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'
import { Sandbox } from '@hopx-ai/sdk'

const MB = 1024 * 1024
const size = Number(process.env.HOPX_TEST_SIZE_MB ?? 200) * MB

/** `VmRSS` and `VmHWM` (peak) of this process, in KB. */
function memory() {
  const status = fs.readFileSync('/proc/self/status', 'utf8')
  const kb = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))[1])
  return { rss: kb('VmRSS'), peak: kb('VmHWM') }
}

/** Hashes a file through one reused buffer (no garbage that would count as growth). */
function hashFile(file, chunk) {
  const hash = crypto.createHash('sha256')
  const fd = fs.openSync(file, 'r')
  try {
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null)
      if (n === 0) break
      hash.update(chunk.subarray(0, n))
    }
  } finally {
    fs.closeSync(fd)
  }
  return hash.digest('hex')
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hopx-node-memory-'))
const sandbox = await Sandbox.create({ template: 'base' })
try {
  const source = path.join(dir, 'source.bin')
  const target = path.join(dir, 'target.bin')
  // Content that differs everywhere, written through one reused buffer.
  const chunk = Buffer.alloc(MB)
  const fd = fs.openSync(source, 'w')
  for (let offset = 0; offset < size; offset += MB) {
    for (let i = 0; i < MB; i += 4) chunk.writeUInt32LE((offset + i) >>> 0, i)
    fs.writeSync(fd, chunk, 0, Math.min(MB, size - offset))
  }
  fs.closeSync(fd)
  const expected = hashFile(source, chunk)

  // Warm up: the connection, the engine's agent, the callback machinery.
  const small = path.join(dir, 'small.bin')
  fs.writeFileSync(small, chunk)
  await sandbox.files.upload(small, '/workspace/small.bin', { onProgress: () => {} })
  await sandbox.files.download('/workspace/small.bin', small, { onProgress: () => {} })
  global.gc?.()

  // The page cache of the files is not this process's memory; reset the peak to now.
  let resetPeak = true
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5')
  } catch {
    resetPeak = false
  }
  const before = memory()
  const maxRssBefore = process.resourceUsage().maxRSS

  let last = [0, 0]
  let calls = 0
  const onProgress = (done, total) => {
    if (done < last[0]) throw new Error(`progress went back from ${last[0]} to ${done}`)
    last = [done, total]
    calls += 1
  }
  await sandbox.files.upload(source, '/workspace/big.bin', { onProgress })
  const uploaded = last
  last = [0, 0]
  const bytes = await sandbox.files.download('/workspace/big.bin', target, { onProgress })
  const downloaded = last

  const after = memory()
  const base = resetPeak ? before.rss : before.peak
  const report = {
    bytes,
    same: hashFile(target, chunk) === expected,
    growthKb: after.peak - base,
    resetPeak,
    rssBeforeKb: before.rss,
    peakAfterKb: after.peak,
    maxRssGrowthKb: process.resourceUsage().maxRSS - maxRssBefore,
    progressCalls: calls,
    uploadedLast: uploaded,
    downloadedLast: downloaded,
  }
  if (uploaded[0] !== size || uploaded[1] !== size) throw new Error(`upload progress ended at ${uploaded}`)
  if (downloaded[0] !== size || downloaded[1] !== size) throw new Error(`download progress ended at ${downloaded}`)
  console.log(JSON.stringify(report))
} finally {
  await sandbox.kill()
  fs.rmSync(dir, { recursive: true, force: true })
}

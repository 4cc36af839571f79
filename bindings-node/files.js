'use strict'
// sandbox.files: the files of a sandbox, with the official JS SDK's names and defaults. One
// place per method: check the arguments, make the native call through `call`; paths, modes,
// timeouts, retries and streaming are hopx-core's (`Files`). The public docs of each call are
// its declaration in files.d.ts; comments here say why.

const fs = require('node:fs/promises')
const os = require('node:os')
const nodePath = require('node:path')
const native = require('./native.js')
const { call } = require('./call')
const { ValidationError } = require('./errors')
const v = require('./validate')

/** Permission bits of a written file when none are given (the official default). */
const DEFAULT_MODE = '0644'
/** The folder `list()` shows when given none (the official default). */
const DEFAULT_FOLDER = '/workspace'

/**
 * One entry of `files.list()`. The fields are camelCase; the official type's names
 * (`is_dir`, `modified`, and the wire's `is_directory`, `modified_time`) are aliases, and the
 * official getters (`isFile`, `sizeKb`, `sizeMb`, `extension`) derive from the fields.
 */
class FileInfo {
  constructor(raw) {
    this.name = raw.name ?? ''
    this.path = raw.path ?? ''
    this.size = raw.size ?? 0
    this.isDir = raw.isDirectory ?? false
    this.modifiedTime = raw.modifiedTime ?? ''
    this.permissions = raw.permissions ?? ''
  }

  get isDirectory() {
    return this.isDir
  }

  get is_dir() {
    return this.isDir
  }

  get is_directory() {
    return this.isDir
  }

  get modified() {
    return this.modifiedTime
  }

  get modified_time() {
    return this.modifiedTime
  }

  get isFile() {
    return !this.isDir
  }

  get sizeKb() {
    return this.size / 1024
  }

  get sizeMb() {
    return this.size / (1024 * 1024)
  }

  /** What follows the name's last dot, as the official getter has it (`''` for a folder). */
  get extension() {
    if (this.isDir) return ''
    const dot = this.name.lastIndexOf('.')
    return dot === -1 ? '' : this.name.slice(dot + 1)
  }
}

/** `timeout` of an options object, checked. */
function timeoutOf(options) {
  return v.optSeconds(v.options(options, 'options').timeout, 'timeout')
}

/**
 * A write's `mode` and options. The official SDK's third argument is an options object
 * (`{ overwrite }`), so an object there is taken as the options.
 */
function writeArgs(mode, options) {
  if (typeof mode === 'object' && mode !== null && options === undefined) [mode, options] = [undefined, mode]
  const o = v.options(options, 'options')
  // A write always replaces the file (the official default); keeping it is not supported.
  if (v.optBoolean(o.overwrite, 'overwrite') === false) {
    throw new ValidationError('overwrite: false is not supported: a write always replaces the file', {
      code: 'INVALID_REQUEST',
    })
  }
  if (mode !== undefined && o.mode !== undefined) throw new TypeError('give mode once: as the third argument or in the options')
  return { mode: v.optString(mode ?? o.mode, 'mode') ?? DEFAULT_MODE, timeout: timeoutOf(o) }
}

/** `timeout` and `onProgress` of a transfer; `total` reaches the callback as `undefined` when
 * unknown (the native `null`). */
function transferArgs(options) {
  const o = v.options(options, 'options')
  const onProgress = v.optFunction(o.onProgress, 'onProgress')
  return {
    timeout: timeoutOf(o),
    progress: onProgress && ((done, total) => onProgress(done, total ?? undefined)),
  }
}

/**
 * The changes of one watched folder: `for await (const change of watch)` reads them as they
 * happen; leaving the loop (or `close()`) ends the watch.
 */
class FileWatch {
  #native

  constructor(handle) {
    if (!(handle instanceof native.FileWatch)) throw new TypeError('Use sandbox.files.watch')
    this.#native = handle
  }

  get closed() {
    return this.#native.closed
  }

  close() {
    this.#native.close()
  }

  async *[Symbol.asyncIterator]() {
    try {
      for (;;) {
        const change = await call(() => this.#native.next())
        if (change == null) return
        yield change
      }
    } finally {
      this.#native.close()
    }
  }
}

class Files {
  #native

  constructor(handle) {
    if (!(handle instanceof native.Files)) throw new TypeError('Use sandbox.files')
    this.#native = handle
  }

  async read(path, options) {
    v.nonEmptyString(path, 'path')
    const timeout = timeoutOf(options)
    return call(() => this.#native.read(path, timeout))
  }

  async readBytes(path, options) {
    v.nonEmptyString(path, 'path')
    const timeout = timeoutOf(options)
    return call(() => this.#native.readBytes(path, timeout))
  }

  async write(path, content, mode, options) {
    if (content instanceof Uint8Array) {
      return this.writeBytes(path, content, mode, options)
    }
    v.nonEmptyString(path, 'path')
    if (typeof content !== 'string') throw new TypeError('content must be a string, a Buffer or a Uint8Array')
    const args = writeArgs(mode, options)
    return call(() => this.#native.write(path, content, args.mode, args.timeout))
  }

  async writeBytes(path, data, mode, options) {
    v.nonEmptyString(path, 'path')
    const buffer = v.bytes(data, 'data')
    const args = writeArgs(mode, options)
    return call(() => this.#native.writeBytes(path, buffer, args.mode, args.timeout))
  }

  async list(path = DEFAULT_FOLDER, options) {
    v.nonEmptyString(path, 'path')
    const timeout = timeoutOf(options)
    return call(() => this.#native.list(path, timeout), FileInfo)
  }

  async exists(path, options) {
    v.nonEmptyString(path, 'path')
    const timeout = timeoutOf(options)
    return call(() => this.#native.exists(path, timeout))
  }

  async remove(path, options) {
    v.nonEmptyString(path, 'path')
    const timeout = timeoutOf(options)
    await call(() => this.#native.remove(path, timeout))
  }

  async mkdir(path, options) {
    v.nonEmptyString(path, 'path')
    const timeout = timeoutOf(options)
    await call(() => this.#native.mkdir(path, timeout))
  }

  async watch(path = DEFAULT_FOLDER, options) {
    v.nonEmptyString(path, 'path')
    const timeout = timeoutOf(options)
    return new FileWatch(await call(() => this.#native.watch(path, timeout)))
  }

  async upload(localPath, remotePath, options) {
    v.nonEmptyString(localPath, 'localPath')
    v.nonEmptyString(remotePath, 'remotePath')
    const { timeout, progress } = transferArgs(options)
    await call(() => this.#native.upload(localPath, remotePath, timeout, progress))
  }

  async download(remotePath, localPath, options) {
    // download(remotePath, options), as readBytes takes them.
    if (typeof localPath === 'object' && localPath !== null && options === undefined) {
      ;[localPath, options] = [undefined, localPath]
    }
    v.nonEmptyString(remotePath, 'remotePath')
    if (localPath !== undefined && localPath !== null) v.nonEmptyString(localPath, 'localPath')
    const { timeout, progress } = transferArgs(options)
    if (localPath != null) return call(() => this.#native.download(remotePath, localPath, timeout, progress))
    // The official form: the content as a Buffer.
    if (!progress) return call(() => this.#native.readBytes(remotePath, timeout))
    // Progress is told by the streamed download, so it goes through a private temporary file.
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'hopx-download-'))
    try {
      const file = nodePath.join(dir, 'content')
      await call(() => this.#native.download(remotePath, file, timeout, progress))
      return await fs.readFile(file)
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  }
}

module.exports = { Files, FileInfo, FileWatch }

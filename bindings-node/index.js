'use strict'
// @hopx-ai/sdk: the public JS API over the private native module (native.js, generated).
// Every native call goes through `call`, so every failure surfaces as a typed error.

const native = require('./native.js')
const errors = require('./errors')
const { ExecutionResult, RichOutput, ProcessInfo, richOutputOfMessage } = require('./results')
const v = require('./validate')

const { fromNative, NotFoundError, ...publicErrors } = errors

/** Runs a native call; a sync throw or an async rejection becomes the typed error class. */
function call(fn, ...args) {
  let out
  try {
    out = fn(...args)
  } catch (err) {
    throw fromNative(err)
  }
  if (out && typeof out.then === 'function') {
    return out.then(undefined, (err) => {
      throw fromNative(err)
    })
  }
  return out
}

function checkCode(code) {
  if (typeof code !== 'string') {
    throw new TypeError(`code must be a string, got ${code === null ? 'null' : typeof code}`)
  }
}

/**
 * The native `RunArgs` of runCode and its siblings, checked now: types here, ranges and
 * limits by the core (`background` picks a background run's).
 */
function runArgs(code, o, background = false) {
  checkCode(code)
  const args = {
    language: v.optString(o.language, 'language'),
    timeout: v.optTimeout(o.timeout, 'timeout'),
    env: v.optEnv(o.env, 'env'),
    workingDir: v.optString(o.workingDir, 'workingDir'),
  }
  call(native.checkRun, code, args, background)
  return args
}

/** The messages of a native stream as an async generator; `return()` closes the stream. */
async function* messages(open) {
  const stream = await call(open)
  try {
    for (;;) {
      const msg = await call(() => stream.next())
      if (msg == null) return
      yield msg
    }
  } finally {
    stream.close()
  }
}

/** Used when neither `template` nor `templateId` is given (the core applies it). */
const DEFAULT_TEMPLATE = native.defaultTemplate()

// Lets only the factories construct a Sandbox.
const token = Symbol('hopx.sandbox')

class Sandbox {
  #native

  constructor(handle, key) {
    if (key !== token || !(handle instanceof native.Sandbox)) {
      throw new TypeError('Use Sandbox.create(), Sandbox.connect() or Sandbox.list() to get a Sandbox')
    }
    this.#native = handle
  }

  static async create(options) {
    const o = v.options(options, 'options')
    const templateId =
      typeof o.templateId === 'number' ? String(o.templateId) : v.optString(o.templateId, 'templateId')
    const args = {
      template: v.optString(o.template, 'template'),
      templateId,
      region: v.optString(o.region, 'region'),
      timeoutSeconds: v.optInteger(o.timeoutSeconds, 'timeoutSeconds', 1, 2 ** 32 - 1),
      internetAccess: v.optBoolean(o.internetAccess, 'internetAccess'),
      envVars: v.optEnv(o.envVars, 'envVars'),
    }
    const handle = await call(native.createSandbox, v.clientArgs(o), args)
    return new Sandbox(handle, token)
  }

  static async connect(sandboxId, apiKeyOrOptions, baseURL) {
    if (typeof sandboxId !== 'string' || sandboxId === '') {
      throw new TypeError('sandboxId must be a non-empty string')
    }
    const o =
      typeof apiKeyOrOptions === 'string' || baseURL !== undefined
        ? { apiKey: apiKeyOrOptions ?? undefined, baseURL }
        : v.options(apiKeyOrOptions, 'options')
    const handle = await call(native.connectSandbox, v.clientArgs(o), sandboxId)
    return new Sandbox(handle, token)
  }

  static async list(options) {
    const o = v.options(options, 'options')
    const args = {
      status: v.optString(o.status, 'status'),
      region: v.optString(o.region, 'region'),
      limit: v.optInteger(o.limit, 'limit', 1, 2 ** 32 - 1),
    }
    const handles = await call(native.listSandboxes, v.clientArgs(o), args)
    return handles.map((h) => new Sandbox(h, token))
  }

  // Plain native getters (sandboxId, killed) cannot fail, so they skip `call`.
  get sandboxId() {
    return this.#native.sandboxId
  }

  async getInfo() {
    return call(() => this.#native.getInfo())
  }

  async runCode(code, options) {
    const o = v.options(options, 'options')
    const args = runArgs(code, o)
    const callbacks = {
      onStdout: v.optFunction(o.onStdout, 'onStdout'),
      onStderr: v.optFunction(o.onStderr, 'onStderr'),
      onResult: v.optFunction(o.onResult, 'onResult'),
      onError: v.optFunction(o.onError, 'onError'),
    }
    if (Object.values(callbacks).some((f) => f !== undefined)) {
      return this.#runWithCallbacks(code, args, callbacks)
    }
    const raw = await call(() => this.#native.runCode(code, args))
    return new ExecutionResult(raw)
  }

  // The callback form of runCode: drives a stream, calls back for each output in order, and
  // settles with the result (or typed error) the core folds from the same messages. A throwing
  // callback rejects the call with its own exception (and the run stops); `onError` only sees
  // errors of the run.
  async #runWithCallbacks(code, args, cb) {
    let stream
    try {
      stream = await call(() => this.#native.runCodeStream(code, args))
    } catch (err) {
      cb.onError?.(err)
      throw err
    }
    try {
      for (;;) {
        let msg
        try {
          msg = await call(() => stream.next())
        } catch (err) {
          cb.onError?.(err)
          throw err
        }
        if (msg == null) break
        if (msg.type === 'stdout') cb.onStdout?.(msg.data)
        else if (msg.type === 'stderr') cb.onStderr?.(msg.data)
        else if (msg.type === 'display') cb.onResult?.(richOutputOfMessage(msg))
      }
      let result
      try {
        result = new ExecutionResult(await call(() => stream.result()))
      } catch (err) {
        cb.onError?.(err)
        throw err
      }
      if (result.error) cb.onError?.(result.error)
      return result
    } finally {
      stream.close()
    }
  }

  /**
   * Runs code and yields the agent's messages as they arrive (`{type: 'stdout', data,
   * timestamp}`, `stderr`, `display`, `result`, `error`, and last `complete`). Leaving the loop
   * early closes the connection, which stops the run.
   */
  runCodeStream(code, options) {
    const args = runArgs(code, v.options(options, 'options'))
    return messages(() => this.#native.runCodeStream(code, args))
  }

  /** Starts code that goes on running after this call; see `listProcesses`, `killProcess`. */
  async runCodeBackground(code, options) {
    const o = v.options(options, 'options')
    const args = runArgs(code, o, true)
    const name = v.optString(o.name, 'name')
    return new ProcessInfo(await call(() => this.#native.runCodeBackground(code, args, name)))
  }

  /** The background runs of this sandbox, with their status and (once ended) output. */
  async listProcesses() {
    const list = await call(() => this.#native.listProcesses())
    return list.map((p) => new ProcessInfo(p))
  }

  /** Stops a background run. */
  async killProcess(processId) {
    if (typeof processId !== 'string' || processId === '') {
      throw new TypeError(`processId must be a non-empty string, got ${typeof processId}`)
    }
    return new ProcessInfo(await call(() => this.#native.killProcess(processId)))
  }

  async kill() {
    await call(() => this.#native.kill())
  }

  /** `await using`: kills the sandbox; a sandbox that is already gone is not an error. */
  async [Symbol.asyncDispose]() {
    if (this.#native.killed) return
    try {
      await this.kill()
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err
    }
  }

  toString() {
    return `Sandbox(${this.sandboxId})`
  }
}

/** The error table of the native core, `[{className, parent}]`; for parity tests. */
function errorKinds() {
  return call(native.errorKinds)
}

module.exports = {
  Sandbox,
  ExecutionResult,
  RichOutput,
  ProcessInfo,
  DEFAULT_TEMPLATE,
  errorKinds,
  NotFoundError,
  ...publicErrors,
}
module.exports.default = Sandbox

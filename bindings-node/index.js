'use strict'
// @hopx-ai/sdk: the public JS API over the private native module (native.js, generated).
// Every native call goes through `call`, so every failure surfaces as a typed error.

const native = require('./native.js')
const errors = require('./errors')
const { ExecutionResult, RichOutput } = require('./results')
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

/** Used when neither `template` nor `templateId` is given. */
const DEFAULT_TEMPLATE = 'code-interpreter'

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
    let template = v.optString(o.template, 'template')
    if (template === undefined && templateId === undefined) template = DEFAULT_TEMPLATE
    const args = {
      template,
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
    if (typeof code !== 'string') {
      throw new TypeError(`code must be a string, got ${code === null ? 'null' : typeof code}`)
    }
    const o = v.options(options, 'options')
    const args = {
      language: v.optString(o.language, 'language'),
      timeout: v.optInteger(o.timeout, 'timeout', 1, v.MAX_RUN_TIMEOUT),
      env: v.optEnv(o.env, 'env'),
      workingDir: v.optString(o.workingDir, 'workingDir'),
    }
    const raw = await call(() => this.#native.runCode(code, args))
    return new ExecutionResult(raw)
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
  DEFAULT_TEMPLATE,
  errorKinds,
  NotFoundError,
  ...publicErrors,
}
module.exports.default = Sandbox

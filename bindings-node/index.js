'use strict'
// @hopx-ai/sdk: the public JS API over the private native module (native.js, generated).
//
// One place per method: check the arguments (validate.js), make the native call through
// `call` (typed errors, result classes), nothing else; the rules are hopx-core's. The public
// docs of each call are its declaration in index.d.ts; comments here say why. How to add a
// method or a resource such as `sandbox.files`: README.md in this folder.

const native = require('./native.js')
const errors = require('./errors')
const { call } = require('./call')
const { ExecutionResult, RichOutput, ProcessInfo, expiryInfo, templateInfo } = require('./results')
const { Commands, CommandResult } = require('./commands')
const { Env } = require('./env')
const { Cache } = require('./cache')
const { Terminal, TerminalConnection } = require('./terminal')
const { Files, FileInfo, FileWatch } = require('./files')
const { runArgs, runCallbacks, messages, runWithCallbacks } = require('./run')
const v = require('./validate')

// `fromNative` is the facade's own (call.js); every other name is a public class.
const { fromNative, NotFoundError, ...publicErrors } = errors

/** Used when neither `template` nor `templateId` is given (the core applies it). */
const DEFAULT_TEMPLATE = native.defaultTemplate()

// Lets only the factories construct a Sandbox.
const token = Symbol('hopx.sandbox')

class Sandbox {
  #native
  #files
  #env
  #commands
  #terminal
  #cache
  #monitor

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
    const onExpiringSoon = v.optFunction(o.onExpiringSoon, 'onExpiringSoon')
    const threshold = v.optInteger(o.expiryWarningThreshold, 'expiryWarningThreshold', 0, 2 ** 31 - 1)
    const handle = await call(() => native.createSandbox(v.clientArgs(o), args))
    const sandbox = new Sandbox(handle, token)
    if (onExpiringSoon) sandbox.startExpiryMonitor(onExpiringSoon, threshold ?? 300)
    return sandbox
  }

  static async connect(sandboxId, apiKeyOrOptions, baseURL) {
    v.nonEmptyString(sandboxId, 'sandboxId')
    const o =
      typeof apiKeyOrOptions === 'string' || baseURL !== undefined
        ? { apiKey: apiKeyOrOptions ?? undefined, baseURL }
        : v.options(apiKeyOrOptions, 'options')
    const handle = await call(() => native.connectSandbox(v.clientArgs(o), sandboxId))
    return new Sandbox(handle, token)
  }

  static async list(options) {
    const o = v.options(options, 'options')
    const args = {
      status: v.optString(o.status, 'status'),
      region: v.optString(o.region, 'region'),
      limit: v.optInteger(o.limit, 'limit', 1, 2 ** 32 - 1),
    }
    const handles = await call(() => native.listSandboxes(v.clientArgs(o), args))
    return handles.map((h) => new Sandbox(h, token))
  }

  /** The sandboxes one by one (`for await`), a page of 100 fetched only when needed. */
  static async *iter(options) {
    const o = v.options(options, 'options')
    const client = v.clientArgs(o)
    const args = { status: v.optString(o.status, 'status'), region: v.optString(o.region, 'region'), limit: 100 }
    let cursor = null
    do {
      const page = await call(() => native.listPage(client, args, cursor))
      for (const handle of page.sandboxes) yield new Sandbox(handle, token)
      cursor = page.nextCursor ?? null
    } while (cursor !== null)
  }

  static async listTemplates(options) {
    const o = v.options(options, 'options')
    const category = v.optString(o.category, 'category')
    const language = v.optString(o.language, 'language')
    const found = await call(() => native.listTemplates(v.clientArgs(o), category, language))
    return found.map(templateInfo)
  }

  static async getTemplate(name, options) {
    v.nonEmptyString(name, 'name')
    return templateInfo(await call(() => native.getTemplate(v.clientArgs(v.options(options, 'options')), name)))
  }

  static async deleteTemplate(templateId, options) {
    v.nonEmptyString(templateId, 'templateId')
    return call(() => native.deleteTemplate(v.clientArgs(v.options(options, 'options')), templateId))
  }

  /** The official form takes the base URL itself; options work too. */
  static async healthCheck(baseURLOrOptions) {
    const o = typeof baseURLOrOptions === 'string' ? { baseURL: baseURLOrOptions } : v.options(baseURLOrOptions, 'options')
    return call(() => native.healthCheck(v.clientArgs(o)))
  }

  // Plain native getters (sandboxId, killed) cannot fail, so they skip `call`.
  get sandboxId() {
    return this.#native.sandboxId
  }

  // Made on first use and kept, like the official SDK's resources.
  get files() {
    return (this.#files ??= new Files(this.#native.files))
  }

  get env() {
    return (this.#env ??= new Env(this.#native.env))
  }

  get commands() {
    return (this.#commands ??= new Commands(this.#native.commands))
  }

  get terminal() {
    return (this.#terminal ??= new Terminal(this.#native))
  }

  get cache() {
    return (this.#cache ??= new Cache(this.#native.cache))
  }

  // The official form of files.watch: an async generator, so the watch opens at the first
  // next() and closes when the loop is left.
  async *watchFiles(path = '/workspace', options) {
    yield* await this.files.watch(path, options)
  }

  async getInfo() {
    return call(() => this.#native.getInfo())
  }

  async runCode(code, options) {
    const o = v.options(options, 'options')
    const args = runArgs(code, o)
    const callbacks = runCallbacks(o)
    if (callbacks) return runWithCallbacks(this.#native, code, args, callbacks)
    return call(() => this.#native.runCode(code, args), ExecutionResult)
  }

  // Not async: bad arguments throw at the call, before the loop starts.
  runCodeStream(code, options) {
    const args = runArgs(code, v.options(options, 'options'))
    return messages(() => this.#native.runCodeStream(code, args))
  }

  async runCodeBackground(code, options) {
    const o = v.options(options, 'options')
    const args = runArgs(code, o, true)
    const name = v.optString(o.name, 'name')
    return call(() => this.#native.runCodeBackground(code, args, name), ProcessInfo)
  }

  async runIpython(code, options) {
    const args = runArgs(code, v.options(options, 'options'))
    return call(() => this.#native.runIpython(code, args), ExecutionResult)
  }

  async runCodeAsync(code, options) {
    const o = v.options(options, 'options')
    // Checked with a background run's limits: a webhook run may last a day too.
    const args = runArgs(code, o, true)
    const webhook = {
      callbackUrl: v.nonEmptyString(o.callbackUrl, 'callbackUrl'),
      callbackHeaders: v.optEnv(o.callbackHeaders, 'callbackHeaders'),
      callbackSignatureSecret: v.optString(o.callbackSignatureSecret, 'callbackSignatureSecret'),
    }
    return call(() => this.#native.runCodeAsync(code, args, webhook))
  }

  async getPreviewUrl(port = 7777) {
    const p = v.optInteger(port, 'port', -(2 ** 53) + 1, 2 ** 53 - 1) ?? 7777
    return call(() => this.#native.getPreviewUrl(p))
  }

  async listProcesses() {
    return call(() => this.#native.listProcesses(), ProcessInfo)
  }

  async killProcess(processId) {
    v.nonEmptyString(processId, 'processId')
    return call(() => this.#native.killProcess(processId), ProcessInfo)
  }

  async kill() {
    this.stopExpiryMonitor()
    await call(() => this.#native.kill())
  }

  async pause() {
    await call(() => this.#native.pause())
  }

  async resume() {
    await call(() => this.#native.resume())
  }

  // What the sandbox tells about itself (hopx-core's introspect.rs).

  async isHealthy() {
    return call(() => this.#native.isHealthy())
  }

  async ensureHealthy() {
    await call(() => this.#native.ensureHealthy())
  }

  async getHealth() {
    return call(() => this.#native.getHealth())
  }

  async getAgentInfo() {
    return call(() => this.#native.getAgentInfo())
  }

  async getAgentMetrics() {
    return call(() => this.#native.getMetricsSnapshot())
  }

  async getMetricsSnapshot() {
    return call(() => this.#native.getMetricsSnapshot())
  }

  async listSystemProcesses() {
    return call(() => this.#native.listSystemProcesses())
  }

  async getJupyterSessions() {
    return call(() => this.#native.getJupyterSessions())
  }

  async getExpiryInfo(thresholdSeconds = 300) {
    const t = v.optInteger(thresholdSeconds, 'thresholdSeconds', -(2 ** 53) + 1, 2 ** 53 - 1) ?? 300
    return expiryInfo(await call(() => this.#native.getExpiryInfo(t)))
  }

  async getTimeToExpiry() {
    return (await this.getExpiryInfo()).timeToExpiry
  }

  /** As the official SDK: `null` without a time-to-live. */
  async isExpiringSoon(thresholdSeconds = 300) {
    const info = await this.getExpiryInfo(thresholdSeconds)
    return info.hasTimeout ? info.isExpiringSoon : null
  }

  /**
   * Calls `callback(info)` once when the sandbox comes within `thresholdSeconds` of its
   * expiry, checking every `checkIntervalSeconds`; the timer does not keep Node running.
   */
  startExpiryMonitor(callback, thresholdSeconds = 300, checkIntervalSeconds = 30) {
    if (typeof callback !== 'function') throw new TypeError('startExpiryMonitor needs a callback function')
    const threshold = v.optInteger(thresholdSeconds, 'thresholdSeconds', 0, 2 ** 31 - 1) ?? 300
    const every = v.optSeconds(checkIntervalSeconds, 'checkIntervalSeconds') ?? 30
    this.stopExpiryMonitor()
    let warned = false
    const check = async () => {
      let info
      try {
        info = await this.getExpiryInfo(threshold)
      } catch {
        return // a failed check (the network, a killed sandbox) is retried at the next tick
      }
      if (!warned && (info.isExpiringSoon || info.isExpired)) {
        warned = true
        this.stopExpiryMonitor()
        callback(info) // an error of the callback's own is not swallowed
      }
    }
    this.#monitor = setInterval(check, every * 1000)
    this.#monitor.unref()
    check()
  }

  stopExpiryMonitor() {
    if (this.#monitor !== undefined) clearInterval(this.#monitor)
    this.#monitor = undefined
  }

  /** The base URL of the sandbox's agent (a Promise, as the official getter). */
  get agentUrl() {
    return call(() => this.#native.agentUrl())
  }

  /** Makes sure the agent token is valid (fetched or refreshed when close to expiry). */
  async ensureValidToken() {
    await call(() => this.#native.getToken())
  }

  /** The official SDK's explicit set-up: resolves the agent and its token now. */
  async init() {
    await call(() => this.#native.agentUrl())
    await this.ensureValidToken()
  }

  async refreshToken() {
    await call(() => this.#native.refreshToken())
  }

  async getToken() {
    return call(() => this.#native.getToken())
  }

  async setTimeout(seconds) {
    const s = v.optSeconds(seconds, 'seconds')
    if (s === undefined) throw new TypeError('setTimeout needs seconds')
    await call(() => this.#native.setTimeout(Math.ceil(s)))
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
  return call(() => native.errorKinds())
}

module.exports = {
  Sandbox,
  ExecutionResult,
  RichOutput,
  ProcessInfo,
  Files,
  FileInfo,
  FileWatch,
  Env,
  Cache,
  Commands,
  CommandResult,
  Terminal,
  TerminalConnection,
  DEFAULT_TEMPLATE,
  errorKinds,
  NotFoundError,
  ...publicErrors,
}
module.exports.default = Sandbox

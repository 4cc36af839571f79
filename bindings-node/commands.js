'use strict'
// sandbox.commands: command lines run through bash in the sandbox, with the official JS SDK's
// names and defaults (30 s for `run`, 120 s for a background command). One place per method:
// check the arguments, make the native call through `call`; the rules are hopx-core's. The
// public docs are the declarations in commands.d.ts.

const native = require('./native.js')
const { call } = require('./call')
const { ProcessInfo } = require('./results')
const v = require('./validate')

/** The official SDK's timeouts, in seconds. */
const RUN_TIMEOUT = 30
const BACKGROUND_TIMEOUT = 120

/** What a command printed and how it ended. */
class CommandResult {
  constructor(raw) {
    this.stdout = raw.stdout ?? ''
    this.stderr = raw.stderr ?? ''
    this.exitCode = raw.exitCode ?? 0
    this.success = raw.success ?? this.exitCode === 0
    this.executionTime = raw.executionTime ?? 0
    this.command = raw.command ?? ''
    this.pid = raw.pid ?? 0
    this.timestamp = raw.timestamp ?? ''
  }

  get exit_code() {
    return this.exitCode
  }

  get execution_time() {
    return this.executionTime
  }

  get isSuccess() {
    return this.exitCode === 0
  }
}

/** The native `CommandArgs` of an options object, with `timeout` defaulting to `timeout`. */
function commandArgs(o, timeout) {
  return {
    timeout: v.optTimeout(o.timeout, 'timeout') ?? timeout,
    env: v.optEnv(o.env, 'env'),
    workingDir: v.optString(o.workingDir, 'workingDir'),
  }
}

class Commands {
  #native

  constructor(handle) {
    if (!(handle instanceof native.Commands)) throw new TypeError('Use sandbox.commands')
    this.#native = handle
  }

  async run(command, options) {
    v.nonEmptyString(command, 'command')
    const o = v.options(options, 'options')
    if (v.optBoolean(o.background, 'background')) return this.runBackground(command, o)
    const args = commandArgs(o, RUN_TIMEOUT)
    return call(() => this.#native.run(command, args), CommandResult)
  }

  async runBackground(command, options) {
    v.nonEmptyString(command, 'command')
    const o = v.options(options, 'options')
    const args = commandArgs(o, BACKGROUND_TIMEOUT)
    const name = v.optString(o.name, 'name')
    return call(() => this.#native.runBackground(command, args, name), ProcessInfo)
  }
}

module.exports = { Commands, CommandResult }

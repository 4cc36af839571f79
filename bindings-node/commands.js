'use strict'
// sandbox.commands: command lines run through bash in the sandbox, with the official JS SDK's
// names and defaults (30 s for `run`, 120 s for a background command). One place per method:
// check the arguments, make the native call through `call`; the rules are hopx-core's. The
// public docs are the declarations in commands.d.ts.

const native = require('./native.js')
const { call } = require('./call')
const { ProcessInfo } = require('./results')
const { runWithCallbacks } = require('./run')
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

/** `onStdout`/`onStderr` of the options, or undefined when neither is given. */
function outputCallbacks(o) {
  const onStdout = v.optFunction(o.onStdout, 'onStdout')
  const onStderr = v.optFunction(o.onStderr, 'onStderr')
  return onStdout || onStderr ? { onStdout, onStderr } : undefined
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
    const callbacks = outputCallbacks(o)
    if (v.optBoolean(o.background, 'background')) {
      if (callbacks) throw new TypeError('onStdout and onStderr need a command that is not in the background')
      return this.runBackground(command, o)
    }
    const args = commandArgs(o, RUN_TIMEOUT)
    if (!callbacks) return call(() => this.#native.run(command, args), CommandResult)
    // Live output: the core checks it as a command and reads it as a run's stream.
    const ran = await runWithCallbacks(null, command, null, callbacks, () => this.#native.runStream(command, args))
    return new CommandResult({ ...ran, command, timestamp: ran.timestamp ?? '' })
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

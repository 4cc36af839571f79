'use strict'
// sandbox.env: the sandbox-wide environment variables, with the official JS SDK's names. One
// place per method: check the arguments, make the native call through `call`; name checks,
// retries and the refusal to write masked values back are hopx-core's (`Env`). The public docs
// of each call are its declaration in env.d.ts.

const native = require('./native.js')
const { call } = require('./call')
const v = require('./validate')

/** `timeout` of an options object, checked. */
function timeoutOf(options) {
  return v.optSeconds(v.options(options, 'options').timeout, 'timeout')
}

/** A required object of string values. */
function envVars(value) {
  if (value === undefined || value === null) throw new TypeError('envVars must be an object of string values')
  return v.optEnv(value, 'envVars')
}

class Env {
  #native

  constructor(handle) {
    if (!(handle instanceof native.Env)) throw new TypeError('Use sandbox.env')
    this.#native = handle
  }

  async getAll(options) {
    const timeout = timeoutOf(options)
    return call(() => this.#native.getAll(timeout))
  }

  async get(key, options) {
    v.nonEmptyString(key, 'key')
    const all = await this.getAll(options)
    // An own property only: `get('constructor')` is not Object.prototype's.
    return Object.hasOwn(all, key) ? all[key] : undefined
  }

  async setAll(vars, options) {
    const checked = envVars(vars)
    const timeout = timeoutOf(options)
    return call(() => this.#native.setAll(checked, timeout))
  }

  async update(vars, options) {
    const checked = envVars(vars)
    const timeout = timeoutOf(options)
    return call(() => this.#native.update(checked, timeout))
  }

  async set(key, value, options) {
    v.nonEmptyString(key, 'key')
    if (typeof value !== 'string') throw new TypeError(`value must be a string, got ${typeof value}`)
    return this.update({ [key]: value }, options)
  }

  async delete(key, options) {
    v.nonEmptyString(key, 'key')
    const timeout = timeoutOf(options)
    await call(() => this.#native.delete(key, timeout))
  }
}

module.exports = { Env }

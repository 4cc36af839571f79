'use strict'
// Argument checks done before anything reaches the native module: JS callers pass anything,
// and a napi conversion error ("Failed to convert JavaScript value...") helps nobody. Types
// are checked here; ranges both bindings share (timeouts, code size) are hopx-core's, which
// checks them before any request.

const { ValidationError } = require('./errors')

function isPlainObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `undefined`/`null` → undefined; otherwise the value must be a string. */
function optString(value, name) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') {
    throw new TypeError(`${name} must be a string, got ${describe(value)}`)
  }
  return value
}

/** A required, non-empty string: an id, a path, a key. */
function nonEmptyString(value, name) {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string, got ${describe(value)}`)
  }
  return value
}

function optBoolean(value, name) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') {
    throw new TypeError(`${name} must be a boolean, got ${describe(value)}`)
  }
  return value
}

function optFunction(value, name) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'function') {
    throw new TypeError(`${name} must be a function, got ${describe(value)}`)
  }
  return value
}

/** An integer in [min, max]; out of range is a ValidationError, like the server's 400. */
function optInteger(value, name, min, max) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ValidationError(`${name} must be an integer, got ${describe(value)}`, {
      code: 'INVALID_REQUEST',
    })
  }
  if (value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`
    throw new ValidationError(`${name} must be ${range}, got ${value}`, { code: 'INVALID_REQUEST' })
  }
  return value
}

/** A timeout in whole seconds that fits the native u32; its range is the core's to check. */
function optTimeout(value, name) {
  const seconds = optInteger(value, name, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  if (seconds !== undefined && (seconds < 0 || seconds > 2 ** 32 - 1)) {
    throw new ValidationError(`${name} must be a positive number of seconds, got ${seconds}`, {
      code: 'INVALID_REQUEST',
    })
  }
  return seconds
}

/**
 * A client-side timeout in seconds, fractions allowed: a positive number up to 2^32 - 1. A
 * non-number is a TypeError; zero, a negative number, NaN or an infinite one a ValidationError.
 */
function optSeconds(value, name) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number of seconds, got ${describe(value)}`)
  if (!(value > 0 && value <= 2 ** 32 - 1)) {
    throw new ValidationError(`${name} must be a positive number of seconds, got ${value}`, {
      code: 'INVALID_REQUEST',
    })
  }
  return value
}

/** A map of environment variables: every value must be a string. */
function optEnv(value, name) {
  if (value === undefined || value === null) return undefined
  if (!isPlainObject(value)) {
    throw new TypeError(`${name} must be an object of string values, got ${describe(value)}`)
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new TypeError(`${name}.${key} must be a string, got ${describe(v)}`)
    }
  }
  return value
}

/** Binary content: a Buffer, or a Uint8Array seen as a Buffer over the same memory (no copy). */
function bytes(value, name) {
  if (Buffer.isBuffer(value)) return value
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  throw new TypeError(`${name} must be a Buffer or Uint8Array, got ${describe(value)}`)
}

function options(value, name) {
  if (value === undefined || value === null) return {}
  if (!isPlainObject(value)) throw new TypeError(`${name} must be an object, got ${describe(value)}`)
  return value
}

function describe(v) {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${v}`
  return typeof v
}

/** The native `ClientArgs` from `{apiKey, baseURL}`. */
function clientArgs(opts) {
  return {
    apiKey: optString(opts.apiKey, 'apiKey'),
    baseUrl: optString(opts.baseURL, 'baseURL'),
  }
}

module.exports = {
  bytes,
  clientArgs,
  nonEmptyString,
  optBoolean,
  optEnv,
  optFunction,
  optInteger,
  optSeconds,
  optString,
  optTimeout,
  options,
}

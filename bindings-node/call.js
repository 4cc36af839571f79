'use strict'
// The one door to the native module. Every native call of the facade goes through `call`, so
// a failure always surfaces as one of the typed error classes (never as napi's plain Error
// carrying an encoded message), and a raw record as the public class that adds its aliases.

const { fromNative } = require('./errors')

/**
 * Runs `fn`, a native call (`() => handle.method(args)`). A sync throw or an async rejection
 * becomes the typed error class. With `Result`, the raw value becomes `new Result(raw)`, or a
 * list of them when the native call returns a list. A sync call stays sync.
 * @template T
 * @param {() => any} fn
 * @param {new (raw: any) => T} [Result]
 */
function call(fn, Result) {
  let out
  try {
    out = fn()
  } catch (err) {
    throw fromNative(err)
  }
  const wrap = Result && ((raw) => (Array.isArray(raw) ? raw.map((r) => new Result(r)) : new Result(raw)))
  if (out && typeof out.then === 'function') {
    return out.then(wrap, (err) => {
      throw fromNative(err)
    })
  }
  return wrap ? wrap(out) : out
}

module.exports = { call }

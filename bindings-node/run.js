'use strict'
// Running code, shared by runCode, runCodeStream and runCodeBackground: their arguments, and
// the two ways of reading a run's output stream (an async iterator, or callbacks).

const native = require('./native.js')
const { call } = require('./call')
const { ExecutionResult, richOutputOfMessage } = require('./results')
const v = require('./validate')

function checkCode(code) {
  if (typeof code !== 'string') {
    throw new TypeError(`code must be a string, got ${code === null ? 'null' : typeof code}`)
  }
}

/**
 * The native `RunArgs` of a run, checked now: types here, ranges and limits by the core
 * (`background` picks a background run's). A stream only starts on its first read, so without
 * this a bad timeout would surface late.
 */
function runArgs(code, o, background = false) {
  checkCode(code)
  const args = {
    language: v.optString(o.language, 'language'),
    timeout: v.optTimeout(o.timeout, 'timeout'),
    env: v.optEnv(o.env, 'env'),
    workingDir: v.optString(o.workingDir, 'workingDir'),
    preflight: v.optBoolean(o.preflight, 'preflight'),
  }
  call(() => native.checkRun(code, args, background))
  return args
}

/** The live-output callbacks of runCode's options, or undefined when none is given. */
function runCallbacks(o) {
  const callbacks = {
    onStdout: v.optFunction(o.onStdout, 'onStdout'),
    onStderr: v.optFunction(o.onStderr, 'onStderr'),
    onResult: v.optFunction(o.onResult, 'onResult'),
    onError: v.optFunction(o.onError, 'onError'),
  }
  return Object.values(callbacks).some((f) => f !== undefined) ? callbacks : undefined
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

/**
 * The callback form of runCode on the native sandbox `handle` (`open` starts the stream; by
 * default `handle.runCodeStream`): drives a stream, calls back for
 * each output in order, and settles with the result (or typed error) the core folds from the
 * same messages. A throwing callback rejects the call with its own exception (and the run
 * stops); `onError` only sees errors of the run.
 */
async function runWithCallbacks(handle, code, args, cb, open = () => handle.runCodeStream(code, args)) {
  let stream
  try {
    stream = await call(open)
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
      result = await call(() => stream.result(), ExecutionResult)
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

module.exports = { runArgs, runCallbacks, messages, runWithCallbacks }

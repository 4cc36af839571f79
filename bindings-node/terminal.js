'use strict'
// sandbox.terminal: an interactive bash in a real terminal inside the sandbox, with the
// official JS SDK's names (connect, sendInput, resize, output). The rules (sizes, retries of
// the opening, the end of the session) are hopx-core's. Public docs: terminal.d.ts.

const native = require('./native.js')
const { call } = require('./call')
const v = require('./validate')

/** A terminal size: a whole number (hopx-core checks the range, 1 to 65535). */
function size(value, name) {
  return v.optInteger(value, name, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
}

/**
 * Settles with `promise`, which is also marked handled: the official `sendInput` and `resize`
 * return nothing, so code written for them never awaits ours, and a failure must not then
 * end the process as an unhandled rejection.
 */
function quiet(promise) {
  promise.catch(() => {})
  return promise
}

/** One open terminal: type into it, resize it, read what it prints with `for await`. */
class TerminalConnection {
  #native

  constructor(handle) {
    if (!(handle instanceof native.TerminalSession)) throw new TypeError('Use sandbox.terminal.connect()')
    this.#native = handle
  }

  get closed() {
    return this.#native.closed
  }

  sendInput(data) {
    if (typeof data !== 'string') return Promise.reject(new TypeError('data must be a string'))
    return quiet(call(() => this.#native.sendInput(data)))
  }

  resize(cols, rows) {
    let sizes
    try {
      sizes = [size(cols, 'cols'), size(rows, 'rows')]
      if (sizes.includes(undefined)) throw new TypeError('resize needs cols and rows')
    } catch (err) {
      return Promise.reject(err)
    }
    return quiet(call(() => this.#native.resize(...sizes)))
  }

  async close() {
    await call(() => this.#native.close())
  }

  async *[Symbol.asyncIterator]() {
    for (;;) {
      const msg = await call(() => this.#native.next())
      if (msg == null) return
      yield msg
    }
  }
}

class Terminal {
  #native

  constructor(handle) {
    if (!(handle instanceof native.Sandbox)) throw new TypeError('Use sandbox.terminal')
    this.#native = handle
  }

  async connect(options) {
    const o = v.options(options, 'options')
    const timeout = v.optSeconds(o.timeout, 'timeout')
    const cols = size(o.cols, 'cols') ?? 80
    const rows = size(o.rows, 'rows') ?? 24
    return new TerminalConnection(await call(() => this.#native.terminalConnect(cols, rows, timeout)))
  }

  sendInput(ws, data) {
    return connection(ws).sendInput(data)
  }

  resize(ws, cols, rows) {
    return connection(ws).resize(cols, rows)
  }

  output(ws) {
    return connection(ws)[Symbol.asyncIterator]()
  }
}

function connection(ws) {
  if (!(ws instanceof TerminalConnection)) throw new TypeError('ws must be what terminal.connect() resolved to')
  return ws
}

module.exports = { Terminal, TerminalConnection }

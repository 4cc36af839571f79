'use strict'
// sandbox.cache: the agent's cache of execution results (on the local engine, the store of
// finished background runs). The public docs of each call are its declaration in cache.d.ts.

const native = require('./native.js')
const { call } = require('./call')

class Cache {
  #native

  constructor(handle) {
    if (!(handle instanceof native.Cache)) throw new TypeError('Use sandbox.cache')
    this.#native = handle
  }

  async stats() {
    return call(() => this.#native.stats())
  }

  async clear() {
    return call(() => this.#native.clear())
  }
}

module.exports = { Cache }

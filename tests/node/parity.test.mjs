// The JS error classes match the core's one error table (ErrorKind), and so the Python ones.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import * as sdk from '@hopx-ai/sdk'

const require = createRequire(import.meta.url)
const native = require('../../bindings-node/native.js')
const { fromNative } = require('../../bindings-node/errors.js')
const table = sdk.errorKinds()

// The classes the issue names; the table must have every one (plus AgentError, the parent
// of the agent errors in the official Python tree).
const OFFICIAL = [
  'HopxError', 'APIError', 'AuthenticationError', 'NotFoundError', 'TemplateNotFoundError',
  'ValidationError', 'RateLimitError', 'ResourceLimitError', 'ServerError', 'NetworkError',
  'TimeoutError', 'CodeExecutionError', 'CommandExecutionError', 'FileNotFoundError',
  'FileOperationError', 'SandboxExpiredError', 'TokenExpiredError',
]

test('every core kind is an exported class with the same parent', () => {
  assert.equal(table.length, 18)
  for (const { className, parent } of table) {
    const cls = sdk[className]
    assert.equal(typeof cls, 'function', `${className} is not exported`)
    assert.equal(cls.prototype.name, className)
    const expected = parent ? sdk[parent] : Error
    assert.equal(Object.getPrototypeOf(cls), expected, `${className} should extend ${parent ?? 'Error'}`)
  }
})

test('no JS error class is missing from the core table', () => {
  const names = new Set(table.map((k) => k.className))
  const exported = Object.entries(sdk).filter(
    ([, v]) => typeof v === 'function' && (v === sdk.HopxError || v.prototype instanceof sdk.HopxError),
  )
  for (const [name] of exported) assert.ok(names.has(name), `${name} is not in ErrorKind::ALL`)
  for (const name of OFFICIAL) assert.ok(names.has(name), `${name} missing from the table`)
})

test('a sync native throw of every kind becomes its class (the one encoder, the one decoder)', () => {
  for (const { className } of table) {
    let caught
    try {
      native.throwErrorKind(className, `a ${className}`)
    } catch (err) {
      caught = fromNative(err)
    }
    assert.ok(caught instanceof sdk[className], className)
    assert.ok(caught instanceof sdk.HopxError)
    assert.equal(caught.message, `a ${className}`)
    assert.deepEqual(caught.details, {})
  }
})

test('fromNative leaves foreign errors alone', () => {
  const plain = new RangeError('x')
  assert.equal(fromNative(plain), plain)
  assert.equal(fromNative('s'), 's')
})

// The Python binding is built in parallel; compare with its classes when they are here.
const pyErrors = new URL('../../bindings-python/python/hopx_ai/errors.py', import.meta.url)
test('the Python classes have the same tree', { skip: !fs.existsSync(pyErrors) && 'no bindings-python yet' }, () => {
  const source = fs.readFileSync(pyErrors, 'utf8')
  const tree = new Map([...source.matchAll(/^class (\w+)\((\w+)[,)]/gm)].map((m) => [m[1], m[2]]))
  for (const { className, parent } of table) {
    assert.ok(tree.has(className), `Python lacks ${className}`)
    assert.equal(tree.get(className), parent ?? 'Exception', `Python ${className} parent`)
  }
})

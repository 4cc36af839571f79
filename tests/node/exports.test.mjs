// What the package exports at run time is what index.d.ts declares: the same names from
// `require` and `import`, and each class with exactly its declared members. So a method added
// to the facade without its declaration (or the reverse) fails here. Read with TypeScript's
// compiler API; nothing here talks to a sandbox.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import * as esm from '@hopx-ai/sdk'

const require = createRequire(import.meta.url)
const cjs = require('@hopx-ai/sdk')
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

const file = path.join(root, 'bindings-node/index.d.ts')
const program = ts.createProgram([file], { strict: true, noEmit: true, types: [], lib: ['lib.es2022.d.ts'] })
const checker = program.getTypeChecker()
const declared = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)))

/** Names of a declared type's members; symbol-keyed ones (`[Symbol.asyncDispose]`) left out. */
function members(type) {
  return type
    .getProperties()
    .map((p) => p.name)
    .filter((n) => !n.startsWith('__@') && n !== 'prototype')
    .sort()
}

/** Names of a runtime class's members: prototype, statics and a sample instance's own fields. */
function runtimeMembers(cls, sample) {
  const inherited = new Set(Object.getOwnPropertyNames(Object.prototype))
  // Every function has `length`, `name` and `prototype`; an instance field may be called `name`.
  const statics = Object.getOwnPropertyNames(cls).filter((n) => !['length', 'name', 'prototype'].includes(n))
  const names = [...Object.getOwnPropertyNames(cls.prototype), ...statics, ...(sample ? Object.keys(sample) : [])]
  return [...new Set(names)].filter((n) => !inherited.has(n)).sort()
}

test('the declared values are the runtime exports, from require and import alike', () => {
  // `export default Sandbox` is an alias of the class.
  const value = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value
  const values = declared.filter(value).map((s) => s.name)
  assert.deepEqual(Object.keys(cjs).sort(), values.sort())
  assert.deepEqual(Object.keys(esm).sort(), values.sort())
  for (const name of values) assert.equal(esm[name], cjs[name], name)
})

// Sandbox is made by its factories only, and keeps its state private: its members are all on
// the prototype. The result classes are built from a native record, here an empty one.
const samples = {
  Sandbox: undefined,
  ExecutionResult: new cjs.ExecutionResult({}),
  RichOutput: new cjs.RichOutput({}),
  // Made by sandbox.files only; its state is private too.
  Files: undefined,
  FileInfo: new cjs.FileInfo({}),
  // Made by files.watch only.
  FileWatch: undefined,
  // Made by sandbox.env only.
  Env: undefined,
  // Made by sandbox.commands only.
  Commands: undefined,
  CommandResult: new cjs.CommandResult({}),
  // Made by sandbox.terminal (and its connect) only.
  Terminal: undefined,
  TerminalConnection: undefined,
}

for (const [name, sample] of Object.entries(samples)) {
  test(`${name} has exactly its declared members`, () => {
    const symbol = declared.find((s) => s.name === name)
    const instance = checker.getDeclaredTypeOfSymbol(symbol)
    const statics = checker.getTypeOfSymbolAtLocation(symbol, symbol.valueDeclaration)
    const expected = [...new Set([...members(instance), ...members(statics)])].sort()
    assert.deepEqual(runtimeMembers(cjs[name], sample), expected)
  })
}

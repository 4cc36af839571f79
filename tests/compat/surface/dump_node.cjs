// Prints, as JSON, the public names of the @hopx-ai/sdk at the path given: Sandbox's static
// and instance members and the methods of each resource class. Run once with the official
// package and once with ours; compare.py reads both.
const sdk = require(process.argv[2])
const own = (o) => Object.getOwnPropertyNames(o).filter((n) => !n.startsWith('_') && n !== 'constructor')
const resources = {}
for (const [name, classes] of Object.entries({
  files: ['Files'],
  commands: ['Commands'],
  env: ['EnvironmentVariables', 'Env'],
  cache: ['Cache'],
  terminal: ['Terminal'],
})) {
  const cls = classes.map((c) => sdk[c]).find(Boolean)
  resources[name] = cls ? own(cls.prototype).sort() : null
}
const statics = own(sdk.Sandbox).filter((n) => !['length', 'name', 'prototype'].includes(n))
console.log(JSON.stringify({ static: statics.sort(), Sandbox: own(sdk.Sandbox.prototype).sort(), resources }))

#!/usr/bin/env node
// `hopx`, the command of @hopx-ai/sdk (the package's `bin`). The command is the Rust one in
// the native module (cli/ in the repository); this only hands it the arguments.
'use strict'
const { cliMain } = require('./native.js')
process.exit(cliMain(['hopx', ...process.argv.slice(2)]))

// Declarations of the ES module entry (index.mjs): the same names as index.d.ts, and the
// default export is `Sandbox` (an ES module importing index.d.ts would see module.exports).
import { Sandbox } from './index.js'
export * from './index.js'
export default Sandbox

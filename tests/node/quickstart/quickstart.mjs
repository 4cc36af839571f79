// The README's Node quick start, run by scripts/test_node.sh from a folder outside the repo
// where the packed package was installed.
import { Sandbox } from '@hopx-ai/sdk'

const sandbox = await Sandbox.create({ template: 'code-interpreter' })
const result = await sandbox.runCode('console.log(1)', { language: 'javascript' })
console.log(result.stdout.trim(), result.success, result.exitCode, result.executionTime >= 0)
await sandbox.kill()
if (result.stdout !== '1\n' || !result.success) process.exit(1)

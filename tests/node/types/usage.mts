// The ES module view of the declarations (index.d.mts), checked by tsc --noEmit.
import Sandbox, { Sandbox as Named, TimeoutError, type ExecutionResult } from '@hopx-ai/sdk'

export async function esm(): Promise<string> {
  const same: typeof Named = Sandbox
  await using sandbox = await same.create()
  const r: ExecutionResult = await sandbox.runCode('print(1)')
  const e = new TimeoutError('t', { stdout: 'a' })
  return r.stdout + e.stdout
}

// A project on lib ES2022 only (no `esnext.disposable`): the declarations must still compile.
import { Sandbox, type ExecutionResult } from '@hopx-ai/sdk'

export async function plain(): Promise<ExecutionResult> {
  const sandbox = await Sandbox.create()
  try {
    return await sandbox.runCode('print(1)')
  } finally {
    await sandbox[Symbol.asyncDispose]()
  }
}

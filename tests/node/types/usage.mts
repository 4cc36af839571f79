// The ES module view of the declarations (index.d.mts), checked by tsc --noEmit.
import Sandbox, { Sandbox as Named, TimeoutError, ProcessInfo, FileInfo, type ExecutionResult } from '@hopx-ai/sdk'

export async function esm(): Promise<string> {
  const same: typeof Named = Sandbox
  await using sandbox = await same.create()
  const r: ExecutionResult = await sandbox.runCode('print(1)')
  const e = new TimeoutError('t', { stdout: 'a' })
  return r.stdout + e.stdout
}

export async function esmStream(sandbox: Named): Promise<number> {
  let n = 0
  for await (const msg of sandbox.runCodeStream('print(1)')) if (msg.type === 'stdout') n += msg.data.length
  const p: ProcessInfo = await sandbox.runCodeBackground('1')
  return n + (await sandbox.listProcesses()).length + p.processId.length
}

export async function esmFiles(sandbox: Named): Promise<number> {
  const entries: FileInfo[] = await sandbox.files.list('/workspace')
  return entries.filter((e) => e instanceof FileInfo && e.isFile).length
}

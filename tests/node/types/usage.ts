// Compiled with `tsc --noEmit` by scripts/test_node.sh: the public declarations must describe
// how the package is used. Never executed.
import Default, {
  Sandbox,
  ExecutionResult,
  RichOutput,
  HopxError,
  TimeoutError,
  TemplateNotFoundError,
  RateLimitError,
  ValidationError,
  errorKinds,
  type SandboxInfo,
  type RunCodeOptions,
  type RunCodeCallbacks,
  type RunCodeBackgroundOptions,
  type StreamMessage,
  ProcessInfo,
  Files,
  FileInfo,
  FileWatch,
  Env,
  Commands,
  CommandResult,
  Terminal,
  TerminalConnection,
  type TerminalMessage,
  type FileChange,
  FileNotFoundError,
  type FileTransferOptions,
  type ExpiryInfo,
  type SystemProcess,
  type JupyterSession,
  type MetricsSnapshot,
  type TemplateInfo,
} from '@hopx-ai/sdk'

// No @types/node here: the package's declarations must stand alone.
declare function show(...values: unknown[]): void

export async function quickStart(): Promise<void> {
  await using sandbox = await Sandbox.create({ template: 'code-interpreter', timeoutSeconds: 600 })
  const options: RunCodeOptions = { language: 'javascript', timeout: 30, env: { A: '1' }, workingDir: '/workspace' }
  const result: ExecutionResult = await sandbox.runCode('show(1)', options)
  const out: string = result.stdout
  const code: number = result.exitCode + result.exit_code
  const seconds: number = result.executionTime + result.execution_time
  const rich: RichOutput[] = result.richOutputs
  const mime: string = rich[0]?.type ?? ''
  const png: string | null = result.png
  const info: SandboxInfo = await sandbox.getInfo()
  const id: string = sandbox.sandboxId + info.sandboxId
  show(out, code, seconds, mime, png, id, result.success, result.error?.traceback)
}

export async function errors(): Promise<void> {
  const other = await Default.connect('id', { apiKey: 'k', baseURL: 'https://api.hopx.dev' })
  const again = await Sandbox.connect('id', 'k')
  const all: Sandbox[] = await Sandbox.list({ limit: 5 })
  try {
    await other.runCode('while True: pass', { timeout: 1 })
  } catch (err) {
    if (err instanceof TimeoutError) show(err.stdout, err.stderr, err.code, err.statusCode)
    else if (err instanceof TemplateNotFoundError) show(err.availableTemplates.join(','), err.templateName)
    else if (err instanceof RateLimitError) show(err.retryAfter)
    else if (err instanceof HopxError) show(err.requestId, err.details)
  }
  const v = new ValidationError('bad', { code: 'INVALID_REQUEST' })
  show(v.message, errorKinds()[0]?.className, again.sandboxId, all.length)
  await other.pause()
  await other.resume()
  const healthy: boolean = await other.isHealthy()
  await other.ensureHealthy()
  const expiry: ExpiryInfo = await other.getExpiryInfo(60)
  const left: number | null = await other.getTimeToExpiry()
  const soon: boolean | null = await other.isExpiringSoon(60)
  const procs: SystemProcess[] = await other.listSystemProcesses()
  const sessions: JupyterSession[] = await other.getJupyterSessions()
  const metrics: MetricsSnapshot = await other.getAgentMetrics()
  other.startExpiryMonitor((info) => show(info.expiresAt?.toISOString(), info.timeToExpiry), 120, 10)
  other.stopExpiryMonitor()
  show(healthy, expiry.isExpired, left, soon, procs[0]?.memory_mb, sessions.length, metrics.uptime_seconds)
  show(await other.getToken(), (await other.getAgentInfo()).version, (await other.getHealth()).status)
  const agent: string = await other.agentUrl
  await other.init()
  await other.ensureValidToken()
  show(agent)
  await other.refreshToken()
  const templates: TemplateInfo[] = await Sandbox.listTemplates({ category: 'development' })
  const one: TemplateInfo = await Sandbox.getTemplate('base', { baseURL: 'http://127.0.0.1:1' })
  show(templates[0]?.defaultResources?.memoryMb, one.displayName, (await Sandbox.healthCheck()).status)
  show(await Sandbox.deleteTemplate('mine'), (await Sandbox.healthCheck('http://127.0.0.1:1')).status)
  for await (const each of Sandbox.iter({ status: 'running' })) show(each.sandboxId)
  await other.setTimeout(600)
  await other.kill()
}

export async function liveOutput(sandbox: Sandbox): Promise<void> {
  const lines: string[] = []
  const callbacks: RunCodeCallbacks = {
    onStdout: (text) => lines.push(text),
    onStderr: (text: string) => show(text),
    onResult: (output: RichOutput) => show(output.type, output.data['image/png']),
    onError: (error) => show(error instanceof HopxError ? error.code : error.name),
  }
  const result: ExecutionResult = await sandbox.runCode('print(1)', { timeout: 60, ...callbacks })
  show(result.stdout, lines.length)

  for await (const msg of sandbox.runCodeStream('print(1)', { language: 'python' })) {
    const m: StreamMessage = msg
    switch (m.type) {
      case 'stdout':
      case 'stderr':
        show(m.data.length)
        break
      case 'display':
        show(m.mime_type, m.data)
        break
      case 'result':
        show(m.exit_code + m.execution_time)
        break
      case 'error':
        show(m.code, m.error)
        break
      case 'complete':
        show(m.success)
        break
    }
  }

  const options: RunCodeBackgroundOptions = { timeout: 3600, name: 'train', env: { A: '1' } }
  const started: ProcessInfo = await sandbox.runCodeBackground('train()', options)
  const id: string = started.processId + started.process_id
  const all: ProcessInfo[] = await sandbox.listProcesses()
  for (const p of all) show(p.status, p.exitCode, p.exit_code, p.stdout, p.startTime, p.duration)
  const killed: ProcessInfo = await sandbox.killProcess(id)
  show(killed.status)
}

export async function files(sandbox: Sandbox): Promise<void> {
  const files: Files = sandbox.files
  await files.write('/workspace/a.txt', 'hello')
  await files.write('/workspace/a.sh', 'echo hi', '0755', { timeout: 5 })
  await files.write('/workspace/b.txt', 'official form', { overwrite: true })
  await files.write('/workspace/c.bin', new Uint8Array([0, 1, 2]))
  await files.writeBytes('/workspace/d.bin', new Uint8Array([255]), '0600')
  const text: string = await files.read('/workspace/a.txt', { timeout: 2.5 })
  const bytes: Uint8Array = await files.readBytes('/workspace/c.bin')
  const entries: FileInfo[] = await files.list()
  for (const e of entries) {
    const n: number = e.size + e.sizeKb + e.sizeMb
    const dir: boolean = e.isDir && e.is_dir && e.isDirectory && e.is_directory && !e.isFile
    const when: string = e.modifiedTime + e.modified + e.modified_time
    show(e.name, e.path, e.permissions, e.extension, n, dir, when)
  }
  const there: boolean = await files.exists('/workspace/a.txt')
  await files.mkdir('/workspace/x/y')
  await files.remove('/workspace/x')
  const progress: FileTransferOptions = { timeout: 600, onProgress: (done, total) => show(done, total ?? 0) }
  await files.upload('./big.bin', '/workspace/big.bin', progress)
  const written: number = await files.download('/workspace/big.bin', './copy.bin', progress)
  const content: Uint8Array = await files.download('/workspace/big.bin')
  const again: Uint8Array = await files.download('/workspace/big.bin', { onProgress: (done) => show(done) })
  try {
    await files.read('/nope')
  } catch (err) {
    if (err instanceof FileNotFoundError) show(err.code)
  }
  const watch: FileWatch = await files.watch('/workspace', { timeout: 5 })
  for await (const change of watch) {
    const c: FileChange = change
    show(c.type, c.path, c.event, c.timestamp)
    break
  }
  watch.close()
  const closed: boolean = watch.closed
  for await (const change of sandbox.watchFiles()) show(change.path)
  for await (const change of sandbox.watchFiles('/workspace/x', { timeout: 2 })) show(change.event)
  show(text, bytes.length, there, written, content.length, again.length, closed)
}

export async function commands(sandbox: Sandbox): Promise<void> {
  const commands: Commands = sandbox.commands
  const done: CommandResult = await commands.run('ls -l', { timeout: 10, env: { A: '1' }, workingDir: '/tmp' })
  const code: number = done.exitCode + done.exit_code
  const ok: boolean = done.success && done.isSuccess
  const started: ProcessInfo = await commands.run('sleep 9', { background: true })
  const named: ProcessInfo = await commands.runBackground('sleep 9', { name: 'nap', timeout: 600 })
  const live: CommandResult = await commands.run('ls', { onStdout: (text: string) => show(text), onStderr: (text) => show(text.length) })
  show(live.stdout)
  show(done.stdout, done.stderr, done.executionTime, done.execution_time, code, ok, started.processId, named.process_id)
}

export async function terminal(sandbox: Sandbox): Promise<void> {
  const terminal: Terminal = sandbox.terminal
  const ws: TerminalConnection = await terminal.connect({ timeout: 10, cols: 100, rows: 30 })
  terminal.sendInput(ws, 'ls\n')
  await terminal.resize(ws, 120, 40)
  for await (const msg of terminal.output(ws)) {
    const m: TerminalMessage = msg
    if (m.type === 'output') show(m.data.length)
    else show(m.code + 1)
  }
  await ws.sendInput('exit\n')
  await ws.close()
  show(ws.closed)
}

export async function env(sandbox: Sandbox): Promise<void> {
  const env: Env = sandbox.env
  const all: Record<string, string> = await env.getAll({ timeout: 5 })
  const one: string | undefined = await env.get('A')
  const after: Record<string, string> = await env.set('A', '1')
  await env.setAll({ A: '1' })
  await env.update({ B: '2' }, { timeout: 1.5 })
  await env.delete('A')
  show(all, one, after)
}

// Type declarations of @hopx-ai/sdk (hand-written; the generated native.d.ts is private):
// the Sandbox class and its options here, the records of runs in results.d.ts, of sandboxes,
// templates and agents in info.d.ts, the error classes in errors.d.ts. A resource declares its class in a file of its own, next to its JS
// (README.md): `sandbox.files` in files.d.ts.

import type { HopxError } from './errors.js'
import type { Files, FileCallOptions, FileChange } from './files.js'
import type { Env } from './env.js'
import type { Cache } from './cache.js'
import type { Commands } from './commands.js'
import type { Terminal } from './terminal.js'
import type { ExecutionErrorInfo, ExecutionResult, ProcessInfo, RichOutput, StreamMessage } from './results.js'
import type { ExpiryInfo, JupyterSession, MetricsSnapshot, SandboxInfo, SystemProcess, TemplateInfo } from './info.js'

export * from './errors.js'
export * from './results.js'
export * from './info.js'
export * from './files.js'
export * from './env.js'
export * from './cache.js'
export * from './commands.js'
export * from './terminal.js'

declare global {
  // Present at run time since Node 18.18/20.4; declared here so that projects without the
  // `esnext.disposable` lib still type-check (the same declaration as @types/node's).
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol
  }
}

/** Which server to talk to. Without either, `HOPX_API_KEY`/`HOPX_BASE_URL` decide, and with
 * neither set the SDK uses the user's shared local engine, starting it if needed
 * (`HOPX_LOCAL_SHARED=0`: an engine inside this process). */
export interface ConnectionOptions {
  /** HopX API key; defaults to `HOPX_API_KEY`. Selects the HopX cloud. */
  apiKey?: string
  /** Control-plane URL; `"local"` forces the local engine. Defaults to
   * `HOPX_BASE_URL`, else `https://api.hopx.dev` when an API key is known. */
  baseURL?: string
}

/** Options of {@link Sandbox.create}. */
export interface SandboxCreateOptions extends ConnectionOptions {
  /** Template name. Defaults to `"code-interpreter"` (Python runs in a persistent kernel)
   * when neither `template` nor `templateId` is given. */
  template?: string
  /** Template id; wins over `template` when both are given. */
  templateId?: string | number
  /** Region to create the sandbox in (cloud only). */
  region?: string
  /** Time-to-live in seconds: the sandbox is killed automatically after this long. */
  timeoutSeconds?: number
  /** Whether code may reach the internet. Defaults to `true`, as in the cloud (locally: where
   * slirp4netns is installed; a local sandbox never reaches the host's loopback either way). */
  internetAccess?: boolean
  /** Environment variables every run of the sandbox sees. */
  envVars?: Record<string, string>
  /** Called once when the sandbox comes within `expiryWarningThreshold` seconds of its
   * expiry (see {@link Sandbox.startExpiryMonitor}). */
  onExpiringSoon?: (info: ExpiryInfo) => void
  /** Seconds before the expiry that count as "soon" for `onExpiringSoon` (default 300). */
  expiryWarningThreshold?: number
}

/** Options of {@link Sandbox.listTemplates}. */
export interface TemplateListOptions extends ConnectionOptions {
  /** `development`, `infrastructure`, `operating-system`, ... */
  category?: string
  /** `python`, `nodejs`, ... */
  language?: string
}

/** Options of {@link Sandbox.list}. */
export interface SandboxListOptions extends ConnectionOptions {
  /** Only sandboxes in this status (`running`, `stopped`, `paused`, `creating`). */
  status?: string
  /** Only sandboxes in this region. */
  region?: string
  /** At most this many sandboxes (one page). */
  limit?: number
}

/** Options of {@link Sandbox.runCode}. */
export interface RunCodeOptions {
  /** `python` (default), `javascript` (`node`, `js`), `bash` (`sh`) or `go`. */
  language?: string
  /** Execution timeout in seconds, an integer from 1 to 300; default 120. On expiry the code
   * is killed and a {@link TimeoutError} carrying the partial output is thrown. */
  timeout?: number
  /** Extra environment variables for this run only. */
  env?: Record<string, string>
  /** Working directory of the run; default `/workspace`. */
  workingDir?: string
  /** Check first that the sandbox can take work ({@link Sandbox.ensureHealthy}): an expired,
   * paused or unhealthy sandbox rejects before any code is sent. Default false. */
  preflight?: boolean
}

/** Options of {@link Sandbox.runIpython}. */
export interface RunIpythonOptions {
  /** Execution timeout in seconds, an integer from 1 to 300; default 60. */
  timeout?: number
  /** Extra environment variables for this run only. */
  env?: Record<string, string>
  /** Working directory of the run; default `/workspace`. */
  workingDir?: string
}

/** Options of {@link Sandbox.runCodeAsync}. */
export interface RunCodeAsyncOptions {
  /** The `http`/`https` URL the agent POSTs the result to when the run ends. */
  callbackUrl: string
  /** `python` (default), `javascript`, `bash` or `go`. */
  language?: string
  /** Execution timeout in seconds; default 1800, at most a day on the local engine. */
  timeout?: number
  /** Extra environment variables for this run only. */
  env?: Record<string, string>
  /** Working directory of the run; default `/workspace`. */
  workingDir?: string
  /** Headers added to the delivery (an `Authorization` for the receiver, say). */
  callbackHeaders?: Record<string, string>
  /** Given, the delivery carries `X-HOPX-Signature: sha256=<hex>`: on the local engine the
   * HMAC-SHA256, keyed by this secret, of `"<X-HOPX-Timestamp>.<body>"`. */
  callbackSignatureSecret?: string
}

/** What {@link Sandbox.runCodeAsync} resolves to. */
export interface AsyncExecution {
  execution_id: string
  /** `queued`. */
  status: string
  callback_url: string
  [key: string]: any
}

/** Live-output callbacks of {@link Sandbox.runCode}. Giving any of them runs the code over the
 * output stream: each callback fires while the code runs, in the order the output was
 * produced, and the call still resolves with the full {@link ExecutionResult}. A callback that
 * throws stops the run and rejects the call with that exception. */
export interface RunCodeCallbacks {
  /** Called with each chunk of standard output as it arrives. */
  onStdout?: (text: string) => void
  /** Called with each chunk of standard error as it arrives. */
  onStderr?: (text: string) => void
  /** Called with each rich output (a plot, a table...) when the code displays it. */
  onResult?: (output: RichOutput) => void
  /** Called before the call rejects, with the error it rejects with (e.g. a
   * {@link TimeoutError}); also called, without rejecting, with the kernel's exception
   * ({@link ExecutionResult.error}) when the code raised. */
  onError?: (error: HopxError | ExecutionErrorInfo) => void
}

/** Options of {@link Sandbox.runCodeBackground}. */
export interface RunCodeBackgroundOptions extends RunCodeOptions {
  /** Execution timeout in seconds; default 300, and it may exceed the 300 s limit of
   * synchronous runs (the server sets the maximum; the local engine allows a day). */
  timeout?: number
  /** A name to find the run by in {@link Sandbox.listProcesses}. */
  name?: string
}

/** A sandbox: an isolated place to run code, alive until {@link Sandbox.kill} or its TTL. */
export declare class Sandbox {
  private constructor()
  /** Creates a sandbox. Without an API key or base URL it runs on this machine. */
  static create(options?: SandboxCreateOptions): Promise<Sandbox>
  /** Connects to a running (or paused, then resumed) sandbox. */
  /** The sandboxes one by one (`for await`), fetching a page of 100 only when the previous
   * one is used up: leaving the loop early fetches no more. */
  static iter(options?: Omit<SandboxListOptions, 'limit'>): AsyncGenerator<Sandbox, void, undefined>
  /** The templates sandboxes can be made from, optionally of one `category` or `language`,
   * with the official `TemplateInfo` fields. */
  static listTemplates(options?: TemplateListOptions): Promise<TemplateInfo[]>
  /** One template; an unknown one rejects with `TemplateNotFoundError`. */
  static getTemplate(name: string, options?: ConnectionOptions): Promise<TemplateInfo>
  /** Deletes a template of your organization. Public ones, and every template of the local
   * engine (all built in), are refused with an `APIError`. */
  static deleteTemplate(templateId: string, options?: ConnectionOptions): Promise<Record<string, any>>
  /** The control plane's health (`status` "healthy"); needs no API key. Takes the base URL
   * (the official form) or options. */
  static healthCheck(baseURLOrOptions?: string | ConnectionOptions): Promise<Record<string, any>>
  static connect(sandboxId: string, options?: ConnectionOptions): Promise<Sandbox>
  /** Connects to a sandbox (official positional form). */
  static connect(sandboxId: string, apiKey?: string, baseURL?: string): Promise<Sandbox>
  /** Handles to existing sandboxes (one page). */
  static list(options?: SandboxListOptions): Promise<Sandbox[]>
  /** The sandbox id. */
  readonly sandboxId: string
  /** The sandbox's files: read, write, list, upload, download... (one object per sandbox). */
  readonly files: Files
  /** The sandbox-wide environment variables: getAll, get, setAll, set, update, delete. */
  readonly env: Env
  /** Shell commands: run, runBackground. */
  readonly commands: Commands
  /** An interactive shell: connect, sendInput, resize, output. */
  readonly terminal: Terminal
  /** The agent's cache of execution results: stats, clear. */
  readonly cache: Cache
  /** The official form of {@link Files.watch}: the changes in the folder `path` (default
   * `/workspace`) as they happen. The watch opens at the first `next()` and closes when the
   * loop is left. */
  watchFiles(path?: string, options?: FileCallOptions): AsyncGenerator<FileChange, void, undefined>
  /** The control plane's record of this sandbox. */
  getInfo(): Promise<SandboxInfo>
  /** Runs code and waits until it finishes or its timeout strikes. With any of the
   * {@link RunCodeCallbacks}, output is also passed to them while the code runs.
   * @throws {TypeError} when `code` is not a string or an option has the wrong type.
   * @throws {ValidationError} when `timeout` is out of range or the language is unknown.
   * @throws {TimeoutError} when the code runs past `timeout` (with the partial output). */
  runCode(code: string, options?: RunCodeOptions & RunCodeCallbacks): Promise<ExecutionResult>
  /** Runs code and yields its messages while it runs, ending after `complete`. A timeout or
   * a failure arrives as an `error` message, not as an exception. Leaving the loop early
   * (`break`) closes the connection, which stops the run.
   * @throws {TypeError} when `code` is not a string or an option has the wrong type.
   * @throws {ValidationError} when `timeout` is out of range. */
  runCodeStream(code: string, options?: RunCodeOptions): AsyncGenerator<StreamMessage, void, undefined>
  /** Starts code that goes on after this call returns; its output is in
   * {@link Sandbox.listProcesses} once it ends. */
  runCodeBackground(code: string, options?: RunCodeBackgroundOptions): Promise<ProcessInfo>
  /** Runs Python in the sandbox's IPython kernel (magics such as `%timeit` work); a
   * template without a kernel (`base`) rejects with an error saying so.
   * @throws {TimeoutError} when the code runs past `timeout` (default 60 s). */
  runIpython(code: string, options?: RunIpythonOptions): Promise<ExecutionResult>
  /** Starts code in the background and resolves at once; when it ends, the agent POSTs its
   * result (`execution_id`, `status` completed/failed/timeout, `stdout`, `stderr`,
   * `exit_code`, `execution_time`, `timestamp`, `error`) to `callbackUrl`, with
   * `X-HOPX-Timestamp` and, given a secret, `X-HOPX-Signature`. A failed delivery (no answer,
   * 408, 429, 5xx) is tried up to four times in all.
   * @throws {ValidationError} when `callbackUrl` is not an http(s) URL. */
  runCodeAsync(code: string, options: RunCodeAsyncOptions): Promise<AsyncExecution>
  /** A URL (ending in `/`) that reaches a server listening on `port` (default 7777) inside
   * the sandbox: the cloud's preview address, or on the local engine a loopback address
   * forwarded into the sandbox's own network (without internet access too).
   * @throws {ValidationError} when `port` is not from 1 to 65535. */
  getPreviewUrl(port?: number): Promise<string>
  /** The background runs of this sandbox. */
  listProcesses(): Promise<ProcessInfo[]>
  /** Stops a background run.
   * @throws {NotFoundError} when there is no such run. */
  killProcess(processId: string): Promise<ProcessInfo>
  /** Kills the sandbox: every process stops and its files are deleted. */
  kill(): Promise<void>
  /** Pauses the sandbox: every process in it stops where it is and uses no CPU; the kernel's
   * variables, files and background runs are kept. Other calls on it reject with an
   * `AgentError` (code `SANDBOX_PAUSED`) until {@link Sandbox.resume}. Its time-to-live keeps
   * counting. Pausing a paused sandbox does nothing. */
  pause(): Promise<void>
  /** Resumes a paused sandbox where it stopped ({@link Sandbox.connect} resumes too). */
  resume(): Promise<void>
  /** Whether the agent answers `/health` as healthy (a failure to ask is `false`). */
  isHealthy(): Promise<boolean>
  /** Resolves when the sandbox can take work.
   * @throws {SandboxExpiredError} once its time-to-live is over.
   * @throws {HopxError} code `sandbox_not_running` (e.g. paused) or `sandbox_unhealthy`. */
  ensureHealthy(): Promise<void>
  /** The agent's `/health` answer (`status`, `version`, ...). */
  getHealth(): Promise<Record<string, any>>
  /** The agent's description (`/info`): version, features, languages, endpoints. */
  getAgentInfo(): Promise<Record<string, any>>
  /** The sandbox's resource use and the agent's counters (`/metrics/snapshot`). */
  getAgentMetrics(): Promise<MetricsSnapshot>
  /** The same snapshot as {@link Sandbox.getAgentMetrics} (the official SDK has both). */
  getMetricsSnapshot(): Promise<MetricsSnapshot>
  /** Every process running in the sandbox. */
  listSystemProcesses(): Promise<SystemProcess[]>
  /** The sandbox's kernel sessions (none before its Python kernel starts). */
  getJupyterSessions(): Promise<JupyterSession[]>
  /** When the sandbox expires; "soon" is within `thresholdSeconds` (default 300). */
  getExpiryInfo(thresholdSeconds?: number): Promise<ExpiryInfo>
  /** Seconds left before the sandbox expires (negative once past), `null` without a TTL. */
  getTimeToExpiry(): Promise<number | null>
  /** Whether it expires within `thresholdSeconds` (default 300); `null` without a TTL. */
  isExpiringSoon(thresholdSeconds?: number): Promise<boolean | null>
  /** Calls `callback` once when the sandbox comes within `thresholdSeconds` (default 300) of
   * its expiry, checking every `checkIntervalSeconds` (default 30); never keeps Node alive. */
  startExpiryMonitor(callback: (info: ExpiryInfo) => void, thresholdSeconds?: number, checkIntervalSeconds?: number): void
  /** Stops the monitor {@link Sandbox.startExpiryMonitor} started (`kill()` does too). */
  stopExpiryMonitor(): void
  /** The base URL of the sandbox's agent. */
  readonly agentUrl: Promise<string>
  /** Makes sure the agent token is valid: fetched, or refreshed when close to its expiry. */
  ensureValidToken(): Promise<void>
  /** Resolves the agent's address and token now (calls do it by themselves otherwise). */
  init(): Promise<void>
  /** Gets a fresh agent token (calls do it by themselves when needed). */
  refreshToken(): Promise<void>
  /** The agent token the calls use. */
  getToken(): Promise<string>
  /** Sets the time-to-live to `seconds` from now (a fraction rounds up).
   * @throws {ValidationError} when `seconds` is not positive. */
  setTimeout(seconds: number): Promise<void>
  /** For `await using`: kills the sandbox unless it is already gone. */
  [Symbol.asyncDispose](): Promise<void>
}

/** The template used when neither `template` nor `templateId` is given: `"code-interpreter"`. */
export declare const DEFAULT_TEMPLATE: string

/** One row of the native core's error table. */
export interface ErrorKindEntry {
  /** The class name, e.g. `"TimeoutError"`. */
  className: string
  /** The parent class name; absent for `HopxError`. */
  parent?: string | null
}

/** The native core's error table, which the error classes mirror (for parity checks). */
export declare function errorKinds(): ErrorKindEntry[]

export default Sandbox

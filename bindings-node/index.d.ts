// Type declarations of @hopx-ai/sdk (hand-written; the generated native.d.ts is private).

declare global {
  // Present at run time since Node 18.18/20.4; declared here so that projects without the
  // `esnext.disposable` lib still type-check (the same declaration as @types/node's).
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol
  }
}

/** Which server to talk to. Without either, `HOPX_API_KEY`/`HOPX_BASE_URL` decide, and with
 * neither set the SDK starts an embedded local engine in this process. */
export interface ConnectionOptions {
  /** HopX API key; defaults to `HOPX_API_KEY`. Selects the HopX cloud. */
  apiKey?: string
  /** Control-plane URL; `"local"` forces the embedded local engine. Defaults to
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
  /** Whether code may reach the internet. The local engine defaults to `false` (a sandbox on
   * the host network could reach the host's loopback services); the cloud to `true`. */
  internetAccess?: boolean
  /** Environment variables every run of the sandbox sees. */
  envVars?: Record<string, string>
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

/** A chunk of output, sent while the code runs. */
export interface StreamOutputMessage {
  type: 'stdout' | 'stderr'
  /** The text, as the code wrote it (not split into lines). */
  data: string
  /** When the sandbox read it (ISO 8601). */
  timestamp?: string
}

/** A rich output (plot, table, any MIME bundle), sent when the code displays it. */
export interface StreamDisplayMessage {
  type: 'display'
  /** The main MIME type, e.g. `"image/png"`. */
  mime_type: string
  /** MIME type to payload. */
  data: Record<string, any>
  /** Extra information about the output. */
  metadata?: Record<string, any>
  timestamp?: string
}

/** The outcome of a run that finished (before `complete`). */
export interface StreamResultMessage {
  type: 'result'
  exit_code: number
  /** Seconds the code ran. */
  execution_time: number
  /** The Python exception, when the kernel reported one. */
  error?: ExecutionErrorInfo
  timestamp?: string
  [key: string]: any
}

/** The run failed to finish (e.g. `code: "EXECUTION_TIMEOUT"`); sent instead of `result`. */
export interface StreamErrorMessage {
  type: 'error'
  /** What went wrong. */
  error: string
  /** Machine-readable code, e.g. `EXECUTION_TIMEOUT`. */
  code: string
  timestamp?: string
  [key: string]: any
}

/** Always the last message. */
export interface StreamCompleteMessage {
  type: 'complete'
  success: boolean
}

/** One message of {@link Sandbox.runCodeStream}, as the sandbox sent it. */
export type StreamMessage =
  | StreamOutputMessage
  | StreamDisplayMessage
  | StreamResultMessage
  | StreamErrorMessage
  | StreamCompleteMessage

/** A background run. Every field the sandbox sent is kept, under its camelCase name and its
 * official snake_case name (`processId` and `process_id`, ...); absent ones are `undefined`. */
export declare class ProcessInfo {
  /** The id to pass to {@link Sandbox.killProcess}. */
  readonly processId: string
  /** Alias of {@link ProcessInfo.processId}. */
  readonly process_id: string
  /** Execution id (the local engine uses the process id). */
  readonly executionId?: string
  /** Alias of {@link ProcessInfo.executionId}. */
  readonly execution_id?: string
  /** `running`, `completed`, `failed`, `killed` or `timeout`. */
  readonly status: string
  /** The name given to {@link Sandbox.runCodeBackground}. */
  readonly name?: string
  /** The language the code runs as. */
  readonly language?: string
  /** Process id inside the sandbox, where the sandbox says. */
  readonly pid?: number
  /** Exit code, once the run has ended. */
  readonly exitCode?: number
  /** Alias of {@link ProcessInfo.exitCode}. */
  readonly exit_code?: number
  /** Standard output, once the run has ended. */
  readonly stdout?: string
  /** Standard error, once the run has ended. */
  readonly stderr?: string
  /** Whether stdout hit the output cap. */
  readonly stdoutTruncated?: boolean
  /** Whether stderr hit the output cap. */
  readonly stderrTruncated?: boolean
  /** When the run started (ISO 8601). */
  readonly startTime?: string
  /** Alias of {@link ProcessInfo.startTime}. */
  readonly start_time?: string
  /** When the run ended (ISO 8601). */
  readonly endTime?: string
  /** Alias of {@link ProcessInfo.endTime}. */
  readonly end_time?: string
  /** Seconds the run has lasted so far, or lasted. */
  readonly duration?: number
  /** A note from the sandbox (start and kill answers). */
  readonly message?: string
  /** Any other field the sandbox sent. */
  readonly [key: string]: any
  private constructor()
}

/** Resources of a sandbox. */
export interface Resources {
  /** Virtual CPUs. */
  vcpu: number
  /** Memory in MiB. */
  memoryMb: number
  /** Disk in MiB. */
  diskMb: number
}

/** A sandbox as the control plane describes it. Absent fields are `undefined`. */
export interface SandboxInfo {
  /** The sandbox id. */
  sandboxId: string
  /** `running`, `stopped`, `paused` or `creating`. */
  status: string
  /** Id of the template it was made from. */
  templateId?: string
  /** Name of the template it was made from. */
  templateName?: string
  /** Owning organization. */
  organizationId?: number
  /** Node that hosts the sandbox. */
  nodeId?: string
  /** Region of the sandbox. */
  region?: string
  /** Base URL of the sandbox's agent. */
  publicHost?: string
  /** Direct URL of the agent, where the backend has one. */
  directUrl?: string
  /** Preview URL, where the backend has one. */
  previewUrl?: string
  /** CPU, memory and disk of the sandbox. */
  resources?: Resources
  /** Whether code may reach the internet. */
  internetAccess?: boolean
  /** Whether this is a live (non-test) sandbox. */
  liveMode?: boolean
  /** Time-to-live in seconds, if one was set. */
  timeoutSeconds?: number
  /** When the time-to-live runs out (ISO 8601). */
  expiresAt?: string
  /** When the sandbox was created (ISO 8601). */
  createdAt?: string
}

/** A Python exception raised by the code, as the kernel reported it. */
export interface ExecutionErrorInfo {
  /** Exception class, e.g. `ValueError`. */
  name: string
  /** Exception message. */
  value: string
  /** Formatted traceback. */
  traceback: string
}

/** One rich output of a run: a plot, a table, any MIME bundle. */
export declare class RichOutput {
  /** The main MIME type, a plain string such as `"image/png"`. */
  readonly type: string
  /** MIME type to payload: base64 text for images, text or JSON otherwise. */
  readonly data: Record<string, any>
  /** Extra information about the output (may be empty). */
  readonly metadata: Record<string, any>
  private constructor()
}

/** The outcome of {@link Sandbox.runCode}. A failing program is a result, not an error. */
export declare class ExecutionResult {
  /** Standard output. */
  readonly stdout: string
  /** Standard error (for Python, includes the formatted traceback). */
  readonly stderr: string
  /** Exit code of the process; 0 on success. */
  readonly exitCode: number
  /** Whether the code ran without error. */
  readonly success: boolean
  /** Seconds the code ran, as the sandbox measured it. */
  readonly executionTime: number
  /** Plots, tables and other rich outputs; always an array. */
  readonly richOutputs: RichOutput[]
  /** The Python exception, when the kernel reported one; otherwise `null`. */
  readonly error: ExecutionErrorInfo | null
  /** The language the code ran as, if the sandbox said. */
  readonly language: string | null
  /** When the run finished (ISO 8601), if the sandbox said. */
  readonly timestamp: string | null
  /** Whether stdout hit the output cap and the rest was dropped. */
  readonly stdoutTruncated: boolean
  /** Whether stderr hit the output cap and the rest was dropped. */
  readonly stderrTruncated: boolean
  /** Whether the Python kernel had to be restarted (its state is gone). */
  readonly kernelRestarted: boolean
  /** Whether plots or tables were dropped past the run's cap for them. */
  readonly richOutputsTruncated: boolean
  /** Alias of {@link ExecutionResult.exitCode} (official snake_case name). */
  readonly exit_code: number
  /** Alias of {@link ExecutionResult.executionTime} (official snake_case name). */
  readonly execution_time: number
  /** Alias of {@link ExecutionResult.richOutputs}. */
  readonly rich_outputs: RichOutput[]
  /** `!success`. */
  readonly failed: boolean
  /** Number of rich outputs. */
  readonly richCount: number
  /** Whether there is at least one rich output. */
  readonly hasRichOutput: boolean
  /** First PNG image (base64), or `null`. */
  readonly png: string | null
  /** First HTML output, or `null`. */
  readonly html: string | null
  /** First SVG output, or `null`. */
  readonly svg: string | null
  /** First Markdown output, or `null`. */
  readonly markdown: string | null
  /** First JSON output, or `null`. */
  readonly json: any
  /** The text of the last expression's value (a figure shows as `<Figure size ...>`), or `null`. */
  readonly result: string | null
  private constructor()
}

/** A sandbox: an isolated place to run code, alive until {@link Sandbox.kill} or its TTL. */
export declare class Sandbox {
  private constructor()
  /** Creates a sandbox. Without an API key or base URL it runs on this machine. */
  static create(options?: SandboxCreateOptions): Promise<Sandbox>
  /** Connects to a running (or paused, then resumed) sandbox. */
  static connect(sandboxId: string, options?: ConnectionOptions): Promise<Sandbox>
  /** Connects to a sandbox (official positional form). */
  static connect(sandboxId: string, apiKey?: string, baseURL?: string): Promise<Sandbox>
  /** Handles to existing sandboxes (one page). */
  static list(options?: SandboxListOptions): Promise<Sandbox[]>
  /** The sandbox id. */
  readonly sandboxId: string
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
  /** The background runs of this sandbox. */
  listProcesses(): Promise<ProcessInfo[]>
  /** Stops a background run.
   * @throws {NotFoundError} when there is no such run. */
  killProcess(processId: string): Promise<ProcessInfo>
  /** Kills the sandbox: every process stops and its files are deleted. */
  kill(): Promise<void>
  /** For `await using`: kills the sandbox unless it is already gone. */
  [Symbol.asyncDispose](): Promise<void>
}

/** Fields every SDK error may carry. */
export interface HopxErrorFields {
  /** Machine-readable code, e.g. `EXECUTION_TIMEOUT`. */
  code?: string | null
  /** Request id, for support. */
  requestId?: string | null
  /** HTTP status, when the error came from a response. */
  statusCode?: number | null
  /** Extra context from the server. */
  details?: Record<string, any> | null
}

/** Base class of every SDK error. */
export declare class HopxError extends Error {
  constructor(message: string, fields?: HopxErrorFields)
  /** Machine-readable code, e.g. `EXECUTION_TIMEOUT`, or `null`. */
  readonly code: string | null
  /** Request id, for support, or `null`. */
  readonly requestId: string | null
  /** HTTP status, or `null` when the error did not come from a response. */
  readonly statusCode: number | null
  /** Extra context from the server (an empty object when there is none). */
  readonly details: Record<string, any>
}
/** An HTTP error with no more specific class. */
export declare class APIError extends HopxError {}
/** 401: missing or wrong API key or sandbox token. */
export declare class AuthenticationError extends APIError {}
/** 401 `TOKEN_EXPIRED`: the sandbox token ran out and could not be refreshed. */
export declare class TokenExpiredError extends AuthenticationError {}
/** 404: no such sandbox or resource (also: using a sandbox after `kill()`). */
export declare class NotFoundError extends APIError {}
/** No template of the requested name. */
export declare class TemplateNotFoundError extends NotFoundError {
  constructor(message: string, fields?: HopxErrorFields & { templateName?: string | null; availableTemplates?: string[] })
  /** The name that was asked for. */
  readonly templateName: string | null
  /** The template names that exist. */
  readonly availableTemplates: string[]
}
/** 400 or a bad argument caught before sending: out-of-range timeout, unknown language... */
export declare class ValidationError extends APIError {}
/** 429: too many requests. */
export declare class RateLimitError extends APIError {
  constructor(message: string, fields?: HopxErrorFields & { retryAfter?: number | null })
  /** Seconds the server asked to wait, or `null`. */
  readonly retryAfter: number | null
}
/** A quota was reached (e.g. too many sandboxes). */
export declare class ResourceLimitError extends APIError {}
/** 5xx: the server failed. */
export declare class ServerError extends APIError {}
/** The server could not be reached or the connection broke. */
export declare class NetworkError extends HopxError {}
/** The code ran past its timeout (or the HTTP call timed out). */
export declare class TimeoutError extends NetworkError {
  constructor(message: string, fields?: HopxErrorFields & { stdout?: string | null; stderr?: string | null })
  /** Standard output printed before the timeout struck. */
  readonly stdout: string
  /** Standard error printed before the timeout struck. */
  readonly stderr: string
}
/** The sandbox agent reported an error with no more specific class. */
export declare class AgentError extends HopxError {}
/** The agent reported a missing file. */
export declare class FileNotFoundError extends AgentError {}
/** The agent refused or failed a file operation. */
export declare class FileOperationError extends AgentError {}
/** The agent could not run the code. */
export declare class CodeExecutionError extends AgentError {}
/** The agent could not run the command. */
export declare class CommandExecutionError extends AgentError {}
/** The sandbox is gone because its time-to-live ran out. */
export declare class SandboxExpiredError extends HopxError {}

/** The template used when neither `template` nor `templateId` is given: `"code-interpreter"`. */
export declare const DEFAULT_TEMPLATE: string

/** One row of the native core's error table. */
export interface ErrorKindEntry {
  /** The class name, e.g. `"TimeoutError"`. */
  className: string
  /** The parent class name; absent for `HopxError`. */
  parent?: string | null
}

/** The native core's error table, which the classes above mirror (for parity checks). */
export declare function errorKinds(): ErrorKindEntry[]

export default Sandbox

// Declarations of the records a run returns (results.js): ExecutionResult, RichOutput,
// ProcessInfo, and the raw messages of runCodeStream. Part of index.d.ts, which re-exports them.

// For the {@link Sandbox...} references of the docs.
import type { Sandbox } from './index.js'

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

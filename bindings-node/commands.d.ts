// Declarations of `sandbox.commands` (commands.js). Part of index.d.ts, which re-exports them.

import type { ProcessInfo, Sandbox, TimeoutError, ValidationError } from './index.js'

/** Options of {@link Commands.run}. */
export interface CommandRunOptions {
  /** Seconds the command may run (default 30, at most 300); past it the command and every
   * process it started are stopped and the call rejects with a {@link TimeoutError} carrying
   * the output so far. */
  timeout?: number
  /** Variables for this command only, over the sandbox-wide ones (`sandbox.env`). */
  env?: Record<string, string>
  /** Where the command starts (default `/workspace`). */
  workingDir?: string
  /** Start it in the background instead, as {@link Commands.runBackground} does. */
  background?: boolean
  /** Called with each piece of standard output while the command runs, in order. A throwing
   * callback stops the command and the call rejects with its exception. */
  onStdout?: (data: string) => void
  /** Called with each piece of standard error while the command runs. */
  onStderr?: (data: string) => void
}

/** Options of {@link Commands.runBackground}. */
export interface CommandBackgroundOptions extends Omit<CommandRunOptions, 'background' | 'onStdout' | 'onStderr'> {
  /** Seconds the command may run (default 120, up to a day on the local engine). */
  timeout?: number
  /** A name to find it by in {@link Sandbox.listProcesses}. */
  name?: string
}

/** What a command printed and how it ended. A non-zero exit is a result, not an error. */
export declare class CommandResult {
  private constructor()
  readonly stdout: string
  readonly stderr: string
  /** The command's exit status. */
  readonly exitCode: number
  /** Alias of {@link CommandResult.exitCode}. */
  readonly exit_code: number
  /** Whether the exit status is 0. */
  readonly success: boolean
  /** Whether the exit status is 0. */
  readonly isSuccess: boolean
  /** Seconds the command ran. */
  readonly executionTime: number
  /** Alias of {@link CommandResult.executionTime}. */
  readonly execution_time: number
  /** The command line as the sandbox ran it. */
  readonly command: string
  /** Process id where the sandbox says (0 otherwise). */
  readonly pid: number
  /** When it ended (ISO 8601). */
  readonly timestamp: string
}

/**
 * Shell commands (`sandbox.commands`): each command line runs through bash (pipes,
 * redirections and `&&` work) as the sandbox's user, with its limits and variables.
 */
export declare class Commands {
  private constructor()
  /** Starts the command line in the background and resolves at once with its
   * {@link ProcessInfo}; {@link Sandbox.listProcesses} shows its output once it ends. */
  run(command: string, options: CommandRunOptions & { background: true }): Promise<ProcessInfo>
  /** Runs the command line and resolves with its {@link CommandResult} once it ends.
   * @throws {TypeError} when `command` is not a non-empty string or an option has the wrong type.
   * @throws {ValidationError} when `timeout` is out of range or a variable name is invalid.
   * @throws {TimeoutError} when the command runs past `timeout` (with the output so far). */
  run(command: string, options?: CommandRunOptions): Promise<CommandResult>
  /** Starts the command line in the background; resolves with its {@link ProcessInfo} (stop it
   * with {@link Sandbox.killProcess}). */
  runBackground(command: string, options?: CommandBackgroundOptions): Promise<ProcessInfo>
}

// Declarations of `sandbox.terminal` (terminal.js). Part of index.d.ts, which re-exports them.

import type { ValidationError } from './index.js'

/** Options of {@link Terminal.connect}. */
export interface TerminalConnectOptions {
  /** Seconds the opening may take (default 30). */
  timeout?: number
  /** Columns (default 80). */
  cols?: number
  /** Rows (default 24). */
  rows?: number
}

/** A message of a terminal: what it printed, or how its shell ended. */
export type TerminalMessage = { type: 'output'; data: string } | { type: 'exit'; code: number }

/** One open terminal (what {@link Terminal.connect} resolves to). `for await` reads its
 * messages until the shell ends or the connection is closed. */
export declare class TerminalConnection implements AsyncIterable<TerminalMessage> {
  private constructor()
  /** Whether {@link TerminalConnection.close} was called. */
  readonly closed: boolean
  /** Types `data` (`"\n"` runs a line, `"\x03"` is Ctrl-C). The official call returns
   * nothing; this one's promise may be awaited or not. */
  sendInput(data: string): Promise<void>
  /** Sets the size in characters; the program in front is told.
   * @throws {ValidationError} when a size is not from 1 to 65535. */
  resize(cols: number, rows: number): Promise<void>
  /** Ends the shell and everything it started; a pending read ends the loop. */
  close(): Promise<void>
  [Symbol.asyncIterator](): AsyncGenerator<TerminalMessage, void, undefined>
}

/** `sandbox.terminal`: an interactive bash in a real terminal inside the sandbox, running as
 * every process of the sandbox does (its user, files and limits). */
export declare class Terminal {
  private constructor()
  /** Opens a terminal. */
  connect(options?: TerminalConnectOptions): Promise<TerminalConnection>
  /** Types `data` into the terminal `ws`. */
  sendInput(ws: TerminalConnection, data: string): Promise<void>
  /** Sets the size of the terminal `ws`. */
  resize(ws: TerminalConnection, cols: number, rows: number): Promise<void>
  /** The messages of the terminal `ws` as they come. */
  output(ws: TerminalConnection): AsyncGenerator<TerminalMessage, void, undefined>
}

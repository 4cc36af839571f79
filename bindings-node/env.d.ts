// Declarations of `sandbox.env` (env.js). Part of index.d.ts, which re-exports them.

// For the {@link ...} references of the docs.
import type { ValidationError } from './index.js'

/** Options every environment call takes. */
export interface EnvCallOptions {
  /** Seconds each request may take, fractions allowed (default 60). */
  timeout?: number
}

/**
 * The sandbox-wide environment variables (`sandbox.env`). Every later `runCode` (the running
 * Python kernel included), command and background run sees them; a run's own `env` wins and
 * applies to that run only. `Sandbox.create({ envVars })` fills the same store.
 */
export declare class Env {
  private constructor()
  /** Every sandbox-wide variable. A HopX cloud agent may answer `"***MASKED***"` for values
   * whose names look secret; the local engine answers every value as it was set. */
  getAll(options?: EnvCallOptions): Promise<Record<string, string>>
  /** The value of one variable, `undefined` when it is not set. */
  get(key: string, options?: EnvCallOptions): Promise<string | undefined>
  /** Replaces every variable by `vars` (the others are removed); resolves to all of them.
   * @throws {TypeError} when a value is not a string.
   * @throws {ValidationError} when a name is empty or holds `=` or NUL. */
  setAll(vars: Record<string, string>, options?: EnvCallOptions): Promise<Record<string, string>>
  /** Sets the variables of `vars`, keeping the others; resolves to all of them. */
  update(vars: Record<string, string>, options?: EnvCallOptions): Promise<Record<string, string>>
  /** Sets one variable, keeping the others; resolves to all of them. */
  set(key: string, value: string, options?: EnvCallOptions): Promise<Record<string, string>>
  /** Removes one variable; nothing happens when it is not set. The agent can only replace all
   * variables at once, so this reads them and writes back the others; when the agent masks
   * some of those values it rejects with a {@link ValidationError} rather than replacing the
   * secrets by their mask. */
  delete(key: string, options?: EnvCallOptions): Promise<void>
}

// Declarations of `sandbox.cache` (cache.js). Part of index.d.ts, which re-exports them.

/** What {@link Cache.stats} resolves to. */
export interface CacheStats {
  cache: {
    /** Results kept. */
    size: number
    max_size: number
    total_hits: number
    /** How long results are kept (`none` on the local engine: until newer ones push them out). */
    ttl: string
    [key: string]: any
  }
  timestamp?: string
  [key: string]: any
}

/**
 * The agent's cache of execution results (`sandbox.cache`). On the local engine it is the
 * store of finished background runs, whose status and output `listProcesses` reports.
 */
export declare class Cache {
  private constructor()
  /** The cache's numbers. */
  stats(): Promise<CacheStats>
  /** Empties the cache (runs still going stay listed); resolves to the agent's answer
   * (`message`, `entries_removed`). */
  clear(): Promise<{ message: string; entries_removed?: number; [key: string]: any }>
}

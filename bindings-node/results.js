'use strict'
// Result records of @hopx-ai/sdk: the native module returns plain objects, these classes add
// the official aliases and derived fields without copying the payloads twice.

/** One rich output of a run: `type` is a MIME string, `data` maps MIME type to payload. */
class RichOutput {
  constructor(raw) {
    this.type = raw.type
    this.data = raw.data ?? {}
    this.metadata = raw.metadata ?? {}
  }
}

/** The outcome of `runCode`. */
class ExecutionResult {
  constructor(raw) {
    this.stdout = raw.stdout
    this.stderr = raw.stderr
    this.exitCode = raw.exitCode
    this.success = raw.success
    this.executionTime = raw.executionTime
    this.richOutputs = (raw.richOutputs ?? []).map((r) => new RichOutput(r))
    this.error = raw.error ?? null
    this.language = raw.language ?? null
    this.timestamp = raw.timestamp ?? null
    this.stdoutTruncated = raw.stdoutTruncated
    this.stderrTruncated = raw.stderrTruncated
    this.kernelRestarted = raw.kernelRestarted
    this.richOutputsTruncated = raw.richOutputsTruncated
    // The official flat fields, as the core fills them: the first output of each type, and
    // `result` the text of the last expression's value.
    this.png = raw.png ?? null
    this.html = raw.html ?? null
    this.svg = raw.svg ?? null
    this.markdown = raw.markdown ?? null
    this.json = raw.json ?? null
    this.result = raw.result ?? null
  }

  get exit_code() {
    return this.exitCode
  }

  get execution_time() {
    return this.executionTime
  }

  get rich_outputs() {
    return this.richOutputs
  }

  get failed() {
    return !this.success
  }

  get richCount() {
    return this.richOutputs.length
  }

  get hasRichOutput() {
    return this.richOutputs.length > 0
  }
}

/** `snake_case` → `camelCase`. */
function camel(key) {
  return key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
}

/**
 * A background run as the agent describes it (`runCodeBackground`, `listProcesses`,
 * `killProcess`). Every wire field is kept: under its camelCase name as a field, and under its
 * official snake_case name as an alias, as `ExecutionResult` does.
 */
class ProcessInfo {
  constructor(raw) {
    for (const [key, value] of Object.entries(raw ?? {})) {
      const name = camel(key)
      this[name] = value
      if (name !== key && !(key in this)) {
        Object.defineProperty(this, key, {
          get() {
            return this[name]
          },
          enumerable: false,
          configurable: true,
        })
      }
    }
  }
}

/** A rich output from a stream's `display` message (`{mime_type, data, metadata}`). */
function richOutputOfMessage(msg) {
  return new RichOutput({ type: msg.mime_type, data: msg.data, metadata: msg.metadata })
}

/** A template record as the official `TemplateInfo`: every field camelCase, resources too. */
function templateInfo(raw) {
  const out = {}
  for (const [key, value] of Object.entries(raw ?? {})) {
    const isResources = value !== null && typeof value === 'object' && !Array.isArray(value)
    out[camel(key)] = isResources ? templateInfo(value) : value
  }
  return out
}

/** The official `ExpiryInfo` from hopx-core's (snake_case, `expires_at` an RFC 3339 string). */
function expiryInfo(raw) {
  return {
    expiresAt: raw.expires_at ? new Date(raw.expires_at) : null,
    timeToExpiry: raw.time_to_expiry ?? null,
    isExpired: Boolean(raw.is_expired),
    isExpiringSoon: Boolean(raw.is_expiring_soon),
    hasTimeout: Boolean(raw.has_timeout),
  }
}

module.exports = { ExecutionResult, RichOutput, ProcessInfo, richOutputOfMessage, expiryInfo, templateInfo }

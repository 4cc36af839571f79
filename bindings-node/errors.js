'use strict'
// The error classes of @hopx-ai/sdk, and `fromNative`, the one function that turns an error
// from the native module into one of them.
//
// napi-rs cannot create Error subclasses, and an async rejection carries only a message, so
// the Rust side (bindings-node/src/errors.rs) encodes the whole error as JSON after TAG. The
// tree below follows `ErrorKind::parent()` in hopx-core; a parity test checks it.

const TAG = '\u0000hopx:'

class HopxError extends Error {
  /**
   * @param {string} message
   * @param {{code?: string|null, requestId?: string|null, statusCode?: number|null,
   *          details?: object|null}} [fields]
   */
  constructor(message, fields = {}) {
    super(message)
    this.code = fields.code ?? null
    this.requestId = fields.requestId ?? null
    this.statusCode = fields.statusCode ?? null
    this.details = fields.details ?? {}
  }
}

class APIError extends HopxError {}
class AuthenticationError extends APIError {}
class TokenExpiredError extends AuthenticationError {}
class NotFoundError extends APIError {}

class TemplateNotFoundError extends NotFoundError {
  constructor(message, fields = {}) {
    super(message, fields)
    this.templateName = fields.templateName ?? null
    this.availableTemplates = fields.availableTemplates ?? []
  }
}

class ValidationError extends APIError {}

class RateLimitError extends APIError {
  constructor(message, fields = {}) {
    super(message, fields)
    /** Seconds the server asked us to wait, if it said. */
    this.retryAfter = fields.retryAfter ?? null
  }
}

class ResourceLimitError extends APIError {}
class ServerError extends APIError {}
class NetworkError extends HopxError {}

class TimeoutError extends NetworkError {
  constructor(message, fields = {}) {
    super(message, fields)
    // What the code printed before the timeout killed it ('' when the call itself timed out).
    this.stdout = fields.stdout ?? ''
    this.stderr = fields.stderr ?? ''
  }
}

class AgentError extends HopxError {}
class FileNotFoundError extends AgentError {}
class FileOperationError extends AgentError {}
class CodeExecutionError extends AgentError {}
class CommandExecutionError extends AgentError {}
class SandboxExpiredError extends HopxError {}

const classes = {
  HopxError,
  APIError,
  AuthenticationError,
  TokenExpiredError,
  NotFoundError,
  TemplateNotFoundError,
  ValidationError,
  RateLimitError,
  ResourceLimitError,
  ServerError,
  NetworkError,
  TimeoutError,
  AgentError,
  FileNotFoundError,
  FileOperationError,
  CodeExecutionError,
  CommandExecutionError,
  SandboxExpiredError,
}

// `name` on each prototype (not per instance) so stacks and `String(err)` show the class.
for (const [name, cls] of Object.entries(classes)) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true })
}

/**
 * Rebuilds the typed error that the native module encoded; any other value passes through.
 * @param {unknown} err
 */
function fromNative(err) {
  const message = err instanceof Error ? err.message : undefined
  if (typeof message !== 'string' || !message.startsWith(TAG)) return err
  let fields
  try {
    fields = JSON.parse(message.slice(TAG.length))
  } catch {
    return err
  }
  const cls = classes[fields.kind] ?? HopxError
  const typed = new cls(fields.message, fields)
  // Point the stack at the SDK call, not at this function.
  Error.captureStackTrace?.(typed, fromNative)
  return typed
}

module.exports = { ...classes, fromNative }

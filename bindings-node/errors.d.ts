// Declarations of the error classes (errors.js). Part of index.d.ts, which re-exports them.

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

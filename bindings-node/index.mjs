// ES module entry of @hopx-ai/sdk: the same objects as the CommonJS entry (one copy of each
// class, so `instanceof` works across `import` and `require`).
import sdk from './index.js'

export const {
  Sandbox,
  ExecutionResult,
  RichOutput,
  ProcessInfo,
  Files,
  FileInfo,
  FileWatch,
  Env,
  Cache,
  Commands,
  CommandResult,
  Terminal,
  TerminalConnection,
  DEFAULT_TEMPLATE,
  errorKinds,
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
} = sdk

export default sdk.Sandbox

//! The machine-readable error codes (`code` in every error body and stream `error` message).
//!
//! The engine answers with these and the client's one error table reads them, so a code the
//! engine starts to send is a code the table can be taught, by name. The agent's codes are the
//! official enum (`reference/wire-api.md` §B.1); the control plane's come from the HopX docs;
//! the last group are the engine's own.

// The agent's codes.
/// The body is not JSON (400).
pub const INVALID_JSON: &str = "INVALID_JSON";
/// A required field is missing, e.g. `code` or `process_id` (400).
pub const MISSING_PARAMETER: &str = "MISSING_PARAMETER";
/// A field has a bad value, e.g. a timeout out of range or an unknown language (400).
pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
/// A malformed path, e.g. a `workdir` outside the sandbox's folders (400).
pub const INVALID_PATH: &str = "INVALID_PATH";
/// A path outside the allowed roots (403).
pub const PATH_NOT_ALLOWED: &str = "PATH_NOT_ALLOWED";
/// The operating system refused the sandbox user (403).
pub const PERMISSION_DENIED: &str = "PERMISSION_DENIED";
/// No such file (404).
pub const FILE_NOT_FOUND: &str = "FILE_NOT_FOUND";
/// No such directory (404).
pub const DIRECTORY_NOT_FOUND: &str = "DIRECTORY_NOT_FOUND";
/// No such background process (404).
pub const PROCESS_NOT_FOUND: &str = "PROCESS_NOT_FOUND";
/// A write would replace a file (409).
pub const FILE_ALREADY_EXISTS: &str = "FILE_ALREADY_EXISTS";
/// The code ran past its timeout and was stopped (408).
pub const EXECUTION_TIMEOUT: &str = "EXECUTION_TIMEOUT";
/// The agent could not start or run the interpreter (500).
pub const EXECUTION_FAILED: &str = "EXECUTION_FAILED";
/// The agent could not start the command (500).
pub const COMMAND_FAILED: &str = "COMMAND_FAILED";
/// A file operation failed (500).
pub const FILE_OPERATION_FAILED: &str = "FILE_OPERATION_FAILED";
/// Anything else that failed on the server (500).
pub const INTERNAL_ERROR: &str = "INTERNAL_ERROR";

// Authentication, on either plane.
/// No API key or no bearer token (401).
pub const AUTHENTICATION_REQUIRED: &str = "AUTHENTICATION_REQUIRED";
/// A wrong API key (401, control plane).
pub const INVALID_TOKEN: &str = "INVALID_TOKEN";
/// A wrong or outdated agent token (401, agent).
pub const TOKEN_INVALID: &str = "TOKEN_INVALID";
/// The agent token ran out (401).
pub const TOKEN_EXPIRED: &str = "TOKEN_EXPIRED";

// Sandboxes, templates and quotas.
/// No such sandbox, or no such route (404).
pub const RESOURCE_NOT_FOUND: &str = "RESOURCE_NOT_FOUND";
/// No such sandbox (the client's own code for a handle it killed).
pub const SANDBOX_NOT_FOUND: &str = "SANDBOX_NOT_FOUND";
/// The sandbox's time-to-live ran out (404 from the engine, 410 from the cloud).
pub const SANDBOX_EXPIRED: &str = "SANDBOX_EXPIRED";
/// No template of that name (404 on create).
pub const TEMPLATE_NOT_FOUND: &str = "TEMPLATE_NOT_FOUND";
/// Too many requests (429).
pub const RATE_LIMIT_EXCEEDED: &str = "RATE_LIMIT_EXCEEDED";
/// A quota was reached (the HopX docs' spelling, 429).
pub const RESOURCE_LIMIT_ERROR: &str = "RESOURCE_LIMIT_ERROR";
/// A quota was reached, e.g. the engine's cap on live sandboxes (403).
pub const RESOURCE_LIMIT_EXCEEDED: &str = "RESOURCE_LIMIT_EXCEEDED";

// The engine's own.
/// An agent route that does not exist (404).
pub const NOT_FOUND: &str = "NOT_FOUND";
/// This machine cannot isolate sandboxes (500 on create).
pub const ISOLATION_UNAVAILABLE: &str = "ISOLATION_UNAVAILABLE";
/// The sandbox Python cannot run the kernel, e.g. without IPython (500 on create).
pub const KERNEL_UNAVAILABLE: &str = "KERNEL_UNAVAILABLE";
/// A control-plane action the caller may not take, e.g. deleting a built-in template (403).
pub const FORBIDDEN: &str = "FORBIDDEN";
/// An agent call on a paused sandbox (400: a status every such route lists in the spec).
pub const SANDBOX_PAUSED: &str = "SANDBOX_PAUSED";
/// `internet_access=true` on a machine that cannot give sandboxes internet access without
/// the host's network (no slirp4netns) (500 on create).
pub const INTERNET_UNAVAILABLE: &str = "INTERNET_UNAVAILABLE";

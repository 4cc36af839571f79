//! The one error type of the SDK and the one table that maps wire failures to it.
//!
//! Every binding turns an [`Error`] into its own class by [`ErrorKind::class_name`], so the
//! names, the hierarchy ([`ErrorKind::parent`]) and the status/code mapping
//! ([`Error::from_response`]) live here and nowhere else.

use hopx_wire::code::*;
use hopx_wire::ErrorBody;
use serde_json::{Map, Value};
use std::fmt;

/// What went wrong, as a class of the official HopX SDKs.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The base class; used for client-side state errors (e.g. a killed sandbox handle).
    Hopx,
    /// An HTTP error the table has no better class for.
    Api,
    /// 401: missing or wrong API key or agent token.
    Authentication,
    /// 401 with `TOKEN_EXPIRED`: the agent token ran out and could not be refreshed.
    TokenExpired,
    /// 404: no such sandbox or resource.
    NotFound,
    /// 404 on create: no template of that name.
    TemplateNotFound,
    /// 400: the request was refused as invalid (also raised before sending bad arguments).
    Validation,
    /// 429: too many requests.
    RateLimit,
    /// A quota was reached (403 mentioning a limit, or a resource-limit code).
    ResourceLimit,
    /// 5xx.
    Server,
    /// The server could not be reached or the connection broke.
    Network,
    /// The code ran past its timeout (408 `EXECUTION_TIMEOUT`) or the HTTP call timed out.
    Timeout,
    /// The sandbox agent reported an error the table has no better class for.
    Agent,
    /// The agent reported `FILE_NOT_FOUND`.
    FileNotFound,
    /// The agent refused or failed a file operation.
    FileOperation,
    /// The agent could not run the code (`EXECUTION_FAILED`).
    CodeExecution,
    /// The agent could not run the command (`COMMAND_FAILED`).
    CommandExecution,
    /// The sandbox is gone because its time-to-live ran out (410 / `SANDBOX_EXPIRED`).
    SandboxExpired,
}

impl ErrorKind {
    /// Every kind, for parity tests in the bindings.
    pub const ALL: [ErrorKind; 18] = [
        ErrorKind::Hopx,
        ErrorKind::Api,
        ErrorKind::Authentication,
        ErrorKind::TokenExpired,
        ErrorKind::NotFound,
        ErrorKind::TemplateNotFound,
        ErrorKind::Validation,
        ErrorKind::RateLimit,
        ErrorKind::ResourceLimit,
        ErrorKind::Server,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Agent,
        ErrorKind::FileNotFound,
        ErrorKind::FileOperation,
        ErrorKind::CodeExecution,
        ErrorKind::CommandExecution,
        ErrorKind::SandboxExpired,
    ];

    /// The exact class name in `hopx_ai.errors` and in `@hopx-ai/sdk`.
    pub fn class_name(self) -> &'static str {
        match self {
            ErrorKind::Hopx => "HopxError",
            ErrorKind::Api => "APIError",
            ErrorKind::Authentication => "AuthenticationError",
            ErrorKind::TokenExpired => "TokenExpiredError",
            ErrorKind::NotFound => "NotFoundError",
            ErrorKind::TemplateNotFound => "TemplateNotFoundError",
            ErrorKind::Validation => "ValidationError",
            ErrorKind::RateLimit => "RateLimitError",
            ErrorKind::ResourceLimit => "ResourceLimitError",
            ErrorKind::Server => "ServerError",
            ErrorKind::Network => "NetworkError",
            ErrorKind::Timeout => "TimeoutError",
            ErrorKind::Agent => "AgentError",
            ErrorKind::FileNotFound => "FileNotFoundError",
            ErrorKind::FileOperation => "FileOperationError",
            ErrorKind::CodeExecution => "CodeExecutionError",
            ErrorKind::CommandExecution => "CommandExecutionError",
            ErrorKind::SandboxExpired => "SandboxExpiredError",
        }
    }

    /// The parent class, giving the official Python hierarchy (both bindings follow it).
    pub fn parent(self) -> Option<ErrorKind> {
        use ErrorKind::*;
        match self {
            Hopx => None,
            Api | Network | Agent | SandboxExpired => Some(Hopx),
            Authentication | NotFound | Validation | RateLimit | ResourceLimit | Server => Some(Api),
            TokenExpired => Some(Authentication),
            TemplateNotFound => Some(NotFound),
            Timeout => Some(Network),
            FileNotFound | FileOperation | CodeExecution | CommandExecution => Some(Agent),
        }
    }

    /// The kind for a class name, the inverse of [`ErrorKind::class_name`].
    pub fn from_class_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.class_name() == name)
    }
}

/// Which HTTP plane answered: they use different error body shapes and fallbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plane {
    /// `/v1/...` on the control plane: nested `{"error": {...}}` bodies.
    Control,
    /// The sandbox agent: flat `{"error": "...", "code": ...}` bodies.
    Agent,
}

/// An SDK error: a kind plus every attribute the official classes carry.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// The machine-readable code from the body (`EXECUTION_TIMEOUT`, `RESOURCE_NOT_FOUND`...).
    pub code: Option<String>,
    pub request_id: Option<String>,
    pub status_code: Option<u16>,
    /// Extra context from the body's `details` object (always an object, maybe empty).
    pub details: Map<String, Value>,
    /// Seconds to wait before retrying, for [`ErrorKind::RateLimit`].
    pub retry_after: Option<f64>,
    /// Output gathered before an execution timeout killed the code.
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    /// For [`ErrorKind::TemplateNotFound`]: the name asked for and the names that exist.
    pub template_name: Option<String>,
    pub available_templates: Vec<String>,
}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with a message and nothing else.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            code: None,
            request_id: None,
            status_code: None,
            details: Map::new(),
            retry_after: None,
            stdout: None,
            stderr: None,
            template_name: None,
            available_templates: Vec::new(),
        }
    }

    /// A [`ErrorKind::Validation`] error for bad arguments, raised before any request.
    pub fn validation(message: impl Into<String>) -> Self {
        let mut e = Error::new(ErrorKind::Validation, message);
        e.code = Some(INVALID_REQUEST.into());
        e
    }

    /// Builds the error for a failed HTTP response. This is the one mapping table.
    ///
    /// `body` is the raw response text; `request_id` is the `X-Request-ID` header if any.
    pub fn from_response(plane: Plane, status: u16, request_id: Option<String>, body: &str) -> Self {
        let parsed = ParsedBody::parse(body);
        let message =
            parsed.message.clone().filter(|m| !m.is_empty()).unwrap_or_else(|| default_message(status, body));
        let code = parsed.code.clone();
        let kind = classify(plane, status, code.as_deref(), &message);
        let mut e = Error::new(kind, message);
        e.code = code;
        e.status_code = Some(status);
        e.request_id = request_id.or(parsed.request_id);
        e.details = parsed.details;
        e.retry_after =
            e.details.get("retry_after_seconds").or(parsed.extra.get("retry_after")).and_then(Value::as_f64);
        if kind == ErrorKind::Timeout {
            e.stdout = str_field(&parsed.extra, "stdout").or_else(|| str_field(&e.details, "stdout"));
            e.stderr = str_field(&parsed.extra, "stderr").or_else(|| str_field(&e.details, "stderr"));
        }
        if kind == ErrorKind::TemplateNotFound {
            e.template_name = str_field(&e.details, "template_name");
            e.available_templates = e
                .details
                .get("available_templates")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
                .unwrap_or_default();
        }
        e
    }

    /// The error a stream's `error` message reports: a code and a message, no HTTP status.
    pub(crate) fn from_code(code: &str, message: String) -> Self {
        let message = if message.is_empty() { format!("The run failed with {code}") } else { message };
        let mut e = Error::new(classify_code(code), message);
        e.code = Some(code.to_string());
        e
    }

    /// Whether a caller may retry the same idempotent request after this error.
    pub fn is_retryable_status(status: u16) -> bool {
        matches!(status, 429 | 502 | 503 | 504)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(code) = &self.code {
            write!(f, " (code: {code})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request_id: {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The status/code table. Codes win over statuses; the plane decides the fallback class.
fn classify(plane: Plane, status: u16, code: Option<&str>, message: &str) -> ErrorKind {
    use ErrorKind::*;
    if let Some(kind) = code.and_then(by_code) {
        return kind;
    }
    let lower = message.to_ascii_lowercase();
    match status {
        401 if lower.contains("token expired") => TokenExpired,
        401 => Authentication,
        410 => SandboxExpired,
        404 => NotFound,
        400 | 422 => Validation,
        429 => RateLimit,
        403 if lower.contains("limit") => ResourceLimit,
        408 => Timeout,
        500..=599 => Server,
        _ if plane == Plane::Agent => Agent,
        _ => Api,
    }
}

/// The codes that name a class more precisely than any status does.
fn by_code(code: &str) -> Option<ErrorKind> {
    use ErrorKind::*;
    Some(match code {
        TOKEN_EXPIRED => TokenExpired,
        SANDBOX_EXPIRED => SandboxExpired,
        TEMPLATE_NOT_FOUND => TemplateNotFound,
        EXECUTION_TIMEOUT => Timeout,
        EXECUTION_FAILED => CodeExecution,
        COMMAND_FAILED => CommandExecution,
        FILE_NOT_FOUND => FileNotFound,
        PATH_NOT_ALLOWED
        | DIRECTORY_NOT_FOUND
        | INVALID_PATH
        | FILE_ALREADY_EXISTS
        | PERMISSION_DENIED
        | FILE_OPERATION_FAILED => FileOperation,
        RATE_LIMIT_EXCEEDED => RateLimit,
        RESOURCE_LIMIT_ERROR | RESOURCE_LIMIT_EXCEEDED => ResourceLimit,
        INVALID_REQUEST | INVALID_JSON | MISSING_PARAMETER => Validation,
        // The sandbox is fine; it just cannot work until it is resumed.
        SANDBOX_PAUSED => Agent,
        _ => return None,
    })
}

/// The class of an error known by its code alone (a stream's `error` message has no HTTP
/// status): the codes above, then those that only restate their status; any other code is
/// a failure of the server.
fn classify_code(code: &str) -> ErrorKind {
    use ErrorKind::*;
    by_code(code).unwrap_or(match code {
        RESOURCE_NOT_FOUND | SANDBOX_NOT_FOUND | PROCESS_NOT_FOUND | NOT_FOUND => NotFound,
        AUTHENTICATION_REQUIRED | INVALID_TOKEN | TOKEN_INVALID => Authentication,
        _ => Server,
    })
}

fn default_message(status: u16, body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.is_empty() || trimmed.starts_with('{') {
        format!("HTTP {status}")
    } else {
        let mut text: String = trimmed.chars().take(500).collect();
        text.insert_str(0, &format!("HTTP {status}: "));
        text
    }
}

fn str_field(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(Value::as_str).map(String::from)
}

/// The fields of an error body in either shape ([`ErrorBody`]): nested (control plane) or
/// flat (agent). An empty string counts as missing.
#[derive(Default)]
struct ParsedBody {
    message: Option<String>,
    code: Option<String>,
    request_id: Option<String>,
    details: Map<String, Value>,
    /// The top-level fields of one error only (`retry_after`, a timeout's `stdout`...).
    extra: Map<String, Value>,
}

impl ParsedBody {
    fn parse(body: &str) -> ParsedBody {
        let given = |s: String| Some(s).filter(|s| !s.is_empty());
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(ErrorBody::Control(b)) => ParsedBody {
                message: given(b.error.message).or(given(b.message)),
                code: given(b.error.code).or(given(b.code)),
                request_id: given(b.error.request_id).or(given(b.request_id)),
                details: b.error.details,
                extra: b.extra,
            },
            Ok(ErrorBody::Agent(b)) => ParsedBody {
                message: given(b.error).or(given(b.message)),
                code: given(b.code),
                request_id: given(b.request_id),
                details: b.details,
                extra: b.extra,
            },
            Err(_) => ParsedBody::default(),
        }
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;

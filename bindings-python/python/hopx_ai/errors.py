"""The exceptions of ``hopx_ai``, with the official HopX class names and attributes.

Every class derives from :class:`HopxError`, so ``except HopxError`` catches anything the SDK
raises about a sandbox. The native layer picks the class by the core's error kind and fills
the attributes; the classes themselves are plain Python so they pickle and read naturally.
"""

import builtins as _builtins

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, FrozenSet, Optional, Sequence, Tuple

__all__ = [
    "HopxError",
    "APIError",
    "AuthenticationError",
    "TokenExpiredError",
    "NotFoundError",
    "TemplateNotFoundError",
    "ValidationError",
    "RateLimitError",
    "ResourceLimitError",
    "ServerError",
    "NetworkError",
    "TimeoutError",
    "AgentError",
    "FileNotFoundError",
    "FileOperationError",
    "CodeExecutionError",
    "CommandExecutionError",
    "SandboxExpiredError",
]


class HopxError(Exception):
    """Base class of every HopX SDK error.

    Attributes: ``message`` (str), ``code`` (machine-readable code or None), ``request_id``
    (the server's request id, for support), ``status_code`` (HTTP status or None) and
    ``details`` (a dict of extra context, never None).
    """

    # Extra keyword attributes a class adds (its subclasses inherit them), with their defaults
    # given as class attributes; and default code/status, as the official classes have.
    _extra: "Tuple[str, ...]" = ()
    _accepted: "FrozenSet[str]" = frozenset()
    _default_code: "Optional[str]" = None
    _default_status: "Optional[int]" = None

    message: str
    code: "Optional[str]"
    request_id: "Optional[str]"
    status_code: "Optional[int]"
    details: "Dict[str, Any]"

    def __init_subclass__(cls, **kwargs: "Any") -> None:
        super().__init_subclass__(**kwargs)
        cls._accepted = frozenset(cls._accepted) | frozenset(cls.__dict__.get("_extra", ()))

    def __init__(
        self,
        message: str = "",
        *,
        code: "Optional[str]" = None,
        request_id: "Optional[str]" = None,
        status_code: "Optional[int]" = None,
        details: "Optional[Dict[str, Any]]" = None,
        **extra: "Any",
    ) -> None:
        """An error with ``message``; ``extra`` sets the attributes a subclass adds."""
        super().__init__(message)
        self.message = message
        self.code = self._default_code if code is None else code
        self.request_id = request_id
        self.status_code = self._default_status if status_code is None else status_code
        self.details = {} if details is None else details
        for name, value in extra.items():
            if name not in self._accepted:
                raise TypeError(
                    f"{type(self).__name__}() got an unexpected keyword argument {name!r}"
                )
            setattr(self, name, value)

    def __str__(self) -> str:
        text = str(self.message)
        if self.code:
            text += f" (code: {self.code})"
        if self.request_id:
            text += f" [request_id: {self.request_id}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, code={self.code!r}, "
            f"status_code={self.status_code!r})"
        )

    def __reduce__(self) -> "Tuple[Any, ...]":
        # Rebuild from the message, then restore every attribute (kind-specific ones too).
        return (type(self), (self.message,), dict(self.__dict__))


class APIError(HopxError):
    """An HTTP error from the control plane or an agent that no narrower class describes."""


class AuthenticationError(APIError):
    """401: the API key (or an agent token) is missing or wrong."""


class TokenExpiredError(AuthenticationError):
    """The agent token expired and could not be refreshed."""

    _default_code = "token_expired"
    _default_status = 401


class NotFoundError(APIError):
    """404: no such sandbox or resource, or the sandbox handle was killed."""


class TemplateNotFoundError(NotFoundError):
    """No template of that name. ``available_templates`` lists the names that exist and
    ``suggested_template`` is the closest of them to ``template_name`` (or None)."""

    _extra = ("template_name", "available_templates")
    template_name: "Optional[str]" = None
    available_templates: "Sequence[str]" = ()

    @property
    def suggested_template(self) -> "Optional[str]":
        """The available template whose name is closest to ``template_name``, or None."""
        if not self.template_name or not self.available_templates:
            return None
        import difflib  # only on this rare path: keeps ``import hopx_ai`` fast

        close = difflib.get_close_matches(
            self.template_name, list(self.available_templates), n=1, cutoff=0.4
        )
        return close[0] if close else None

    def __str__(self) -> str:
        text = super().__str__()
        if self.suggested_template:
            text += f" Did you mean {self.suggested_template!r}?"
        return text


class ValidationError(APIError):
    """400: the request was refused as invalid, or an argument was checked and refused
    before any request was sent. ``field`` names the argument when known."""

    _extra = ("field",)
    field: "Optional[str]" = None


class RateLimitError(APIError):
    """429: too many requests. ``retry_after`` is the wait in seconds, when the server says."""

    _extra = ("retry_after",)
    retry_after: "Optional[float]" = None


class ResourceLimitError(APIError):
    """A quota was reached (sandboxes, memory...). ``limit``, ``current``, ``available`` and
    ``upgrade_url`` come from the server's ``details``, as in the official SDK."""

    _extra = ("limit", "current", "available", "upgrade_url")
    limit: "Any" = None
    current: "Any" = None
    available: "Any" = None
    upgrade_url: "Optional[str]" = None

    def __init__(self, message: str = "", **kwargs: "Any") -> None:
        """As :class:`HopxError`; the quota fields default to those in ``details``."""
        super().__init__(message, **kwargs)
        for name in self._extra:
            if name not in kwargs and name in self.details:
                setattr(self, name, self.details[name])


class ServerError(APIError):
    """5xx: the server failed."""


class NetworkError(HopxError):
    """The server could not be reached or the connection broke."""


class TimeoutError(NetworkError, _builtins.TimeoutError):
    """The code ran past its timeout (or a request timed out).

    Also a builtin :class:`TimeoutError`. On an execution timeout ``stdout`` and ``stderr``
    hold the output the code printed before it was stopped; the sandbox stays usable.
    """

    _extra = ("stdout", "stderr")
    stdout: "Optional[str]" = None
    stderr: "Optional[str]" = None


class AgentError(HopxError):
    """The sandbox agent reported an error that no narrower class describes."""


class FileNotFoundError(AgentError):
    """The agent reported that a file does not exist."""

    _extra = ("path",)
    path: "Optional[str]" = None
    _default_code = "file_not_found"


class FileOperationError(AgentError):
    """The agent refused or failed a file operation."""

    _extra = ("operation",)
    operation: "Optional[str]" = None
    _default_code = "file_operation_failed"


class CodeExecutionError(AgentError):
    """The agent could not run the code (not: the code failed, which is ``success=False``)."""

    _extra = ("language",)
    language: "Optional[str]" = None
    _default_code = "code_execution_failed"


class CommandExecutionError(AgentError):
    """The agent could not run a command."""

    _extra = ("command",)
    command: "Optional[str]" = None
    _default_code = "command_execution_failed"


class SandboxExpiredError(HopxError):
    """The sandbox is gone because its time-to-live ran out."""

    _extra = ("sandbox_id", "created_at", "expires_at")
    sandbox_id: "Optional[str]" = None
    created_at: "Optional[str]" = None
    expires_at: "Optional[str]" = None
    _default_code = "sandbox_expired"
    _default_status = 410

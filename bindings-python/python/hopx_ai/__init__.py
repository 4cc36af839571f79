"""hopx_ai: run code in HopX sandboxes, in the HopX cloud or on this machine.

With an API key (``api_key=`` or ``HOPX_API_KEY``) sandboxes run in the HopX cloud; without
one they run in the local engine this package carries, using this Python interpreter (one
engine per user, shared by their processes and kept warm; ``HOPX_LOCAL_SHARED=0`` runs it
inside this process)::

    from hopx_ai import Sandbox

    with Sandbox.create() as sandbox:
        result = sandbox.run_code('print("Hello, World!")')
        print(result.stdout, result.success)

The native module loads on the first call, so importing this package is cheap.
"""

from ._stream import MessageStream
from .async_sandbox import AsyncSandbox
from .cache import AsyncCache, Cache
from .commands import AsyncCommands, CommandResult, Commands
from .env import AsyncEnv, Env
from .errors import (
    AgentError,
    APIError,
    AuthenticationError,
    CodeExecutionError,
    CommandExecutionError,
    FileNotFoundError,
    FileOperationError,
    HopxError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    ResourceLimitError,
    SandboxExpiredError,
    ServerError,
    TemplateNotFoundError,
    TimeoutError,
    TokenExpiredError,
    ValidationError,
)
from .files import AsyncFiles, Files
from .models import (
    ExecutionError,
    ExecutionResult,
    ExpiryInfo,
    FileInfo,
    Resources,
    RichOutput,
    SandboxInfo,
    Template,
    TemplateResources,
)
from .sandbox import Sandbox
from .terminal import Terminal, TerminalConnection
from .watch import FileWatch

__version__ = "0.1.0"

__all__ = [
    "Sandbox",
    "AsyncSandbox",
    "MessageStream",
    "ExecutionResult",
    "ExecutionError",
    "RichOutput",
    "SandboxInfo",
    "Resources",
    "ExpiryInfo",
    "FileInfo",
    "Template",
    "TemplateResources",
    "Files",
    "AsyncFiles",
    "Env",
    "AsyncEnv",
    "Commands",
    "AsyncCommands",
    "Cache",
    "AsyncCache",
    "CommandResult",
    "Terminal",
    "TerminalConnection",
    "FileWatch",
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

"""``AsyncSandbox``: the asyncio API, on the same Rust runtime as the blocking one.

The methods are defined once in ``_methods`` (signature, defaults, docstring); this class
makes each a coroutine (see ``_define``). ``run_code`` has a definition of its own here: the
official async SDK spells its timeout ``timeout_seconds``, and this class takes both.
"""

from . import _catalog as c
from . import _introspect as i
from . import _methods as m
from ._define import awaiting, awaiting_classmethod, creating_classmethod
from .cache import AsyncCache
from .commands import AsyncCommands
from .env import AsyncEnv
from .files import AsyncFiles
from .models import ExecutionResult
from .terminal import Terminal

__all__ = ["AsyncSandbox"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import AsyncIterator, Awaitable, Callable, Dict, Optional, TypeVar, Union

    from ._native import NativeSandbox
    from .errors import HopxError
    from .models import ExecutionError, RichOutput

    _S = TypeVar("_S", bound="AsyncSandbox")


async def run_code(
    self: m.SandboxBase,
    code: str,
    *,
    language: str = "python",
    timeout: "Optional[float]" = None,
    env: "Optional[Dict[str, str]]" = None,
    working_dir: str = "/workspace",
    timeout_seconds: "Optional[float]" = None,
    on_stdout: "Optional[Callable[[str], object]]" = None,
    on_stderr: "Optional[Callable[[str], object]]" = None,
    on_result: "Optional[Callable[[RichOutput], object]]" = None,
    on_error: "Optional[Callable[[Union[ExecutionError, HopxError]], object]]" = None,
    preflight: bool = False,
) -> ExecutionResult:
    """Runs ``code`` and returns its :class:`ExecutionResult`.

    As :meth:`hopx_ai.Sandbox.run_code`; the timeout (default 120 s) may also be given as
    ``timeout_seconds=``, the official async SDK's spelling (not both). The callbacks are
    called on the event loop, in order; each may be a plain function or a coroutine
    function (awaited before the next message is read).
    """
    if timeout is not None and timeout_seconds is not None:
        raise TypeError("give timeout or timeout_seconds, not both")
    if timeout is None:
        timeout = 120 if timeout_seconds is None else timeout_seconds
    return await m.run_code(
        self,
        code,
        language=language,
        timeout=timeout,
        env=env,
        working_dir=working_dir,
        on_stdout=on_stdout,
        on_stderr=on_stderr,
        on_result=on_result,
        on_error=on_error,
        preflight=preflight,
    )


class AsyncSandbox(m.SandboxBase):
    """The coroutine twin of :class:`hopx_ai.Sandbox`: the same methods, awaited.

    ``async with AsyncSandbox.create() as sandbox:`` kills the sandbox on exit; many
    ``run_code`` calls may be awaited concurrently (a code-interpreter kernel runs them in turn).
    ``sandbox.files`` reads and writes its files, ``sandbox.commands`` runs shell commands and
    ``sandbox.env`` holds its sandbox-wide environment variables (each call a coroutine).
    """

    __slots__ = ("files", "env", "commands", "terminal", "cache")

    def __init__(self, native: "NativeSandbox") -> None:
        """Wraps a native handle; use :meth:`create`, :meth:`connect` or :meth:`list`."""
        super().__init__(native)
        self.files = AsyncFiles(native)
        self.env = AsyncEnv(native)
        self.commands = AsyncCommands(native)
        self.terminal = Terminal(native)
        self.cache = AsyncCache(native)

    create = creating_classmethod(m.create)
    connect = awaiting_classmethod(m.connect)
    list = awaiting_classmethod(m.list)
    list_templates = awaiting_classmethod(c.list_templates)
    get_template = awaiting_classmethod(c.get_template)
    delete_template = awaiting_classmethod(c.delete_template)
    health_check = awaiting_classmethod(c.health_check)
    debug = awaiting_classmethod(m.debug)

    @classmethod
    async def iter(
        cls: "type[_S]",
        *,
        status: "Optional[str]" = None,
        region: "Optional[str]" = None,
        api_key: "Optional[str]" = None,
        base_url: "Optional[str]" = None,
    ) -> "AsyncIterator[_S]":
        """The sandboxes one by one (``async for``), fetching a page of 100 only when the
        previous one is used up: leaving the loop early fetches no more."""
        from . import _native

        args = c.page_args(status, region, api_key, base_url)
        cursor = None
        while True:
            page, cursor = await _native.list_page_async(cursor=cursor, **args)
            for native in page:
                yield cls(native)
            if cursor is None:
                return

    get_info = awaiting(m.get_info)
    run_code = awaiting(run_code)
    run_code_background = awaiting(m.run_code_background)
    run_code_async = awaiting(m.run_code_async)
    get_preview_url = awaiting(m.get_preview_url)
    list_processes = awaiting(m.list_processes)
    kill_process = awaiting(m.kill_process)
    pause = awaiting(m.pause)
    resume = awaiting(m.resume)
    set_timeout = awaiting(m.set_timeout)
    is_healthy = awaiting(i.is_healthy)
    ensure_healthy = awaiting(i.ensure_healthy)
    get_agent_info = awaiting(i.get_agent_info)
    get_agent_metrics = awaiting(i.get_agent_metrics)
    get_metrics_snapshot = awaiting(i.get_metrics_snapshot)
    list_system_processes = awaiting(i.list_system_processes)
    get_jupyter_sessions = awaiting(i.get_jupyter_sessions)
    get_expiry_info = awaiting(i.get_expiry_info)
    get_time_to_expiry = awaiting(i.get_time_to_expiry)
    is_expiring_soon = awaiting(i.is_expiring_soon)
    refresh_token = awaiting(i.refresh_token)
    get_token = awaiting(i.get_token)
    kill = awaiting(m.kill)

    @property
    def agent_url(self) -> "Awaitable[str]":
        """The base URL of the sandbox's agent, awaited (``await sandbox.agent_url``), as in
        the official async SDK."""
        return self._native.agent_url_async()

    async def __aenter__(self: "_S") -> "_S":
        return self

    __aexit__ = awaiting(m.kill_on_exit)

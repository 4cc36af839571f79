"""``Sandbox``: the blocking API. Each call waits in Rust with the GIL released, so other
Python threads keep running, and it works inside a running event loop (a Jupyter cell).

The methods are defined once in ``_methods`` (signature, defaults, docstring); this class
makes each a blocking call (see ``_define``).
"""

from . import _catalog as c
from . import _introspect as i
from . import _methods as m
from ._define import blocking, blocking_classmethod
from .cache import Cache
from .commands import Commands
from .env import Env
from .files import Files
from .terminal import Terminal

__all__ = ["Sandbox"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator, Optional, TypeVar

    from ._native import NativeSandbox

    _S = TypeVar("_S", bound="Sandbox")


class Sandbox(m.SandboxBase):
    """A handle to one HopX sandbox.

    Make one with :meth:`create`, :meth:`connect` or :meth:`list`. Without an API key
    (argument or ``HOPX_API_KEY``) or base URL, sandboxes run on this machine in the user's
    shared local engine (``HOPX_LOCAL_SHARED=0``: one inside this process), with this Python
    interpreter and its packages; one made without ``timeout_seconds`` ends with this process.
    ``with Sandbox.create() as sandbox:`` kills the sandbox on exit. ``sandbox.files`` reads
    and writes its files, ``sandbox.commands`` runs shell commands, ``sandbox.env`` holds its
    sandbox-wide environment variables, ``sandbox.cache`` its agent's cache of execution
    results.
    """

    __slots__ = ("files", "env", "commands", "terminal", "cache")

    def __init__(self, native: "NativeSandbox") -> None:
        """Wraps a native handle; use :meth:`create`, :meth:`connect` or :meth:`list`."""
        super().__init__(native)
        self.files = Files(native)
        self.env = Env(native)
        self.commands = Commands(native)
        self.terminal = Terminal(native)
        self.cache = Cache(native)

    create = blocking_classmethod(m.create)
    connect = blocking_classmethod(m.connect)
    list = blocking_classmethod(m.list)
    list_templates = blocking_classmethod(c.list_templates)
    get_template = blocking_classmethod(c.get_template)
    delete_template = blocking_classmethod(c.delete_template)
    health_check = blocking_classmethod(c.health_check)
    debug = blocking_classmethod(m.debug)

    @classmethod
    def iter(
        cls: "type[_S]",
        *,
        status: "Optional[str]" = None,
        region: "Optional[str]" = None,
        api_key: "Optional[str]" = None,
        base_url: "Optional[str]" = None,
    ) -> "Iterator[_S]":
        """The sandboxes one by one, fetching a page of 100 only when the previous one is
        used up: leaving the loop early fetches no more."""
        from . import _native

        args = c.page_args(status, region, api_key, base_url)
        cursor = None
        while True:
            page, cursor = _native.list_page(cursor=cursor, **args)
            for native in page:
                yield cls(native)
            if cursor is None:
                return

    get_info = blocking(m.get_info)
    run_code = blocking(m.run_code)
    run_code_background = blocking(m.run_code_background)
    run_code_async = blocking(m.run_code_async)
    get_preview_url = blocking(m.get_preview_url)
    list_processes = blocking(m.list_processes)
    kill_process = blocking(m.kill_process)
    pause = blocking(m.pause)
    resume = blocking(m.resume)
    set_timeout = blocking(m.set_timeout)
    is_healthy = blocking(i.is_healthy)
    ensure_healthy = blocking(i.ensure_healthy)
    get_agent_info = blocking(i.get_agent_info)
    get_agent_metrics = blocking(i.get_agent_metrics)
    get_metrics_snapshot = blocking(i.get_metrics_snapshot)
    list_system_processes = blocking(i.list_system_processes)
    get_jupyter_sessions = blocking(i.get_jupyter_sessions)
    get_expiry_info = blocking(i.get_expiry_info)
    get_time_to_expiry = blocking(i.get_time_to_expiry)
    is_expiring_soon = blocking(i.is_expiring_soon)
    refresh_token = blocking(i.refresh_token)
    get_token = blocking(i.get_token)
    kill = blocking(m.kill)

    @property
    def agent_url(self) -> str:
        """The base URL of the sandbox's agent (where its ``run_code`` and file calls go)."""
        return self._native.agent_url()

    def __enter__(self: "_S") -> "_S":
        return self

    __exit__ = blocking(m.kill_on_exit)

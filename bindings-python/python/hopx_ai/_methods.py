"""The methods of ``Sandbox`` and ``AsyncSandbox``, each written once (see ``_define``).

``SandboxBase`` holds what both classes share as it is; the functions below are the
definitions the two classes turn into blocking methods and coroutines. They are named after
the methods, so this module must not use the builtin ``list`` (annotations say ``List``).
"""

from . import _args, _stream
from ._define import call, name_methods
from .models import ExecutionResult, SandboxInfo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, TypeVar, Union

    from ._native import NativeSandbox
    from .errors import HopxError
    from .models import ExecutionError, RichOutput

    _H = TypeVar("_H", bound="SandboxBase")


class SandboxBase:
    """What ``Sandbox`` and ``AsyncSandbox`` share: the native handle, the sandbox id, equality,
    and ``run_code_stream`` (not awaited in either)."""

    __slots__ = ("_native",)

    def __init_subclass__(cls, **kwargs: "Any") -> None:
        super().__init_subclass__(**kwargs)
        name_methods(cls)

    def __init__(self, native: "NativeSandbox") -> None:
        """Wraps a native handle; use :meth:`create`, :meth:`connect` or :meth:`list`."""
        self._native = native

    @property
    def sandbox_id(self) -> str:
        """The sandbox id."""
        return self._native.sandbox_id

    def run_code_stream(
        self,
        code: str,
        *,
        language: str = "python",
        timeout: float = 60,
        env: "Optional[Dict[str, str]]" = None,
        working_dir: str = "/workspace",
    ) -> _stream.MessageStream:
        """The run's messages as they happen, as dicts (see :class:`MessageStream`).

        Like the official SDK, this returns an async iterator, on both classes, and is not a
        coroutine (``async for msg in sandbox.run_code_stream(code)``); on :class:`Sandbox`
        it is also a plain iterator (``for msg in ...``), which blocks with the GIL released.
        The arguments are checked now; the run starts on the first read; ``break``,
        ``close()`` or ``await stream.aclose()`` closes the connection. The last message is
        ``{"type": "complete", "success": ...}``; a timeout comes as an ``error`` message
        after the output so far.
        """
        args = _args.run_args(code, language, timeout, env, working_dir)
        return _stream.MessageStream(self._native, args)

    def __eq__(self, other: object) -> bool:
        # A Sandbox and an AsyncSandbox of the same sandbox are not equal handles.
        if not isinstance(other, type(self)):
            return NotImplemented
        return other.sandbox_id == self.sandbox_id

    def __hash__(self) -> int:
        return hash(self.sandbox_id)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(sandbox_id={self.sandbox_id!r})"


async def create(
    cls: "type[_H]",
    template: "Optional[str]" = None,
    *,
    template_id: "Optional[str]" = None,
    region: "Optional[str]" = None,
    timeout_seconds: "Optional[float]" = None,
    internet_access: "Optional[bool]" = None,
    env_vars: "Optional[Dict[str, str]]" = None,
    api_key: "Optional[str]" = None,
    base_url: "Optional[str]" = None,
) -> "_H":
    """Creates a sandbox and returns its handle.

    ``template`` defaults to ``"code-interpreter"`` when neither it nor ``template_id`` is
    given. ``timeout_seconds`` is the sandbox's time-to-live; ``env_vars`` are set for every
    run. ``internet_access`` defaults to on, as in the cloud (locally: where slirp4netns is
    installed; the sandbox never reaches the host's loopback either way). On
    :class:`AsyncSandbox`, ``await`` the result, or use it with ``async with`` to have the
    sandbox killed on exit; the arguments are checked at once, before anything is awaited.
    """
    from . import _native

    kwargs = _args.create_args(
        template,
        template_id,
        region,
        timeout_seconds,
        internet_access,
        env_vars,
        api_key,
        base_url,
    )
    return cls(await call(_native.create, **kwargs))


async def connect(
    cls: "type[_H]",
    sandbox_id: str,
    *,
    api_key: "Optional[str]" = None,
    base_url: "Optional[str]" = None,
) -> "_H":
    """A handle to an existing running (or paused, then resumed) sandbox."""
    from . import _native

    _args.check_str("sandbox_id", sandbox_id, optional=False)
    return cls(await call(_native.connect, sandbox_id, **_args.target(api_key, base_url)))


async def list(
    cls: "type[_H]",
    *,
    status: "Optional[str]" = None,
    region: "Optional[str]" = None,
    limit: "Optional[int]" = 100,
    api_key: "Optional[str]" = None,
    base_url: "Optional[str]" = None,
) -> "List[_H]":
    """The sandboxes of the account (or of the local engine), as handles."""
    from . import _native

    _args.check_str("status", status)
    _args.check_str("region", region)
    target = _args.target(api_key, base_url)
    pairs = await call(_native.list, status=status, region=region, limit=limit, **target)
    return [cls(native) for native, _info in pairs]


async def get_info(self: SandboxBase) -> SandboxInfo:
    """The sandbox's current record (status, template, expiry...) as :class:`SandboxInfo`."""
    return SandboxInfo._from_dict(await call(self._native.get_info))


async def run_code(
    self: SandboxBase,
    code: str,
    *,
    language: str = "python",
    timeout: float = 120,
    env: "Optional[Dict[str, str]]" = None,
    working_dir: str = "/workspace",
    on_stdout: "Optional[Callable[[str], object]]" = None,
    on_stderr: "Optional[Callable[[str], object]]" = None,
    on_result: "Optional[Callable[[RichOutput], object]]" = None,
    on_error: "Optional[Callable[[Union[ExecutionError, HopxError]], object]]" = None,
    preflight: bool = False,
) -> ExecutionResult:
    """Runs ``code`` and returns its :class:`ExecutionResult` when it finishes.

    ``language`` is python, javascript, bash or go; ``timeout`` is in seconds (1 to 300);
    ``env`` adds environment variables for this run only. A failing program is a result
    with ``success`` False; running past ``timeout`` raises
    :class:`hopx_ai.errors.TimeoutError` carrying the output so far.

    With callbacks the output arrives while the code runs, and each callback is called in
    the order the output was produced: ``on_stdout(text)`` and ``on_stderr(text)`` per chunk,
    ``on_result(RichOutput)`` per plot or other rich output shown, ``on_error(error)`` with
    the :class:`ExecutionError` when the code raised, or with the exception (timeout, lost
    connection) just before it is raised. The return value is the same as without callbacks.
    An exception in a callback stops the run's stream and propagates. :class:`Sandbox` calls
    them in the calling thread; :class:`AsyncSandbox` on the event loop, where each may also
    be a coroutine function (awaited before the next message is read).

    ``preflight=True`` checks first that the sandbox can take work (as
    :meth:`ensure_healthy`): an expired sandbox raises
    :class:`hopx_ai.errors.SandboxExpiredError` and a paused or unhealthy one
    :class:`hopx_ai.errors.HopxError` before any code is sent.
    """
    _args.check_bool("preflight", preflight)
    args = (*_args.run_args(code, language, timeout, env, working_dir), bool(preflight))
    callbacks = _stream.check_callbacks(on_stdout, on_stderr, on_result, on_error)
    if callbacks is None:
        return ExecutionResult._from_dict(await call(self._native.run_code, *args))
    return await _stream.run_with_callbacks(self._native, args, callbacks)


async def run_code_background(
    self: SandboxBase,
    code: str,
    *,
    language: str = "python",
    timeout: float = 300,
    env: "Optional[Dict[str, str]]" = None,
    working_dir: str = "/workspace",
    name: "Optional[str]" = None,
) -> "Dict[str, Any]":
    """Starts ``code`` running in the background and returns at once.

    Returns the agent's description as a dict: ``process_id``, ``execution_id``,
    ``status`` ("running"), ``start_time``, ``name``. Follow it with
    :meth:`list_processes`; stop it with :meth:`kill_process`. ``timeout`` (seconds) may
    exceed the 300 s limit of :meth:`run_code`.
    """
    _args.check_str("name", name)
    args = _args.run_args(code, language, timeout, env, working_dir)
    return await call(self._native.run_code_background, *args, name)


async def run_code_async(
    self: SandboxBase,
    code: str,
    callback_url: str,
    *,
    language: str = "python",
    timeout: float = 1800,
    env: "Optional[Dict[str, str]]" = None,
    working_dir: str = "/workspace",
    callback_headers: "Optional[Dict[str, str]]" = None,
    callback_signature_secret: "Optional[str]" = None,
) -> "Dict[str, Any]":
    """Starts ``code`` in the background and returns at once; when it ends, the agent POSTs
    its result to ``callback_url`` (a webhook).

    The POST's JSON body has ``execution_id``, ``status`` (completed, failed or timeout),
    ``stdout``, ``stderr``, ``exit_code``, ``execution_time`` (seconds), ``timestamp`` and
    ``error``; its headers are ``callback_headers`` plus ``X-HOPX-Timestamp`` (unix seconds)
    and, given ``callback_signature_secret``, ``X-HOPX-Signature: sha256=<hex>``. On the local
    engine that signature is the HMAC-SHA256, keyed by the secret, of
    ``"<timestamp>.<body>"``. A failed delivery (no answer, 408, 429 or 5xx) is tried up to
    four times in all. ``timeout`` (seconds, default 30 minutes) may be up to a day.

    Returns the agent's answer as a dict: ``execution_id``, ``status`` ("queued"),
    ``callback_url``. The run is also listed by :meth:`list_processes`.
    """
    _args.check_str("callback_url", callback_url, optional=False)
    headers = _args.check_env("callback_headers", callback_headers)
    _args.check_str("callback_signature_secret", callback_signature_secret)
    code, language, seconds, env, working_dir = _args.run_args(
        code, language, timeout, env, working_dir
    )
    return await call(
        self._native.run_webhook,
        code,
        callback_url,
        language,
        seconds,
        env,
        working_dir,
        headers,
        callback_signature_secret,
    )


async def get_preview_url(self: SandboxBase, port: int = 7777) -> str:
    """A URL (ending in ``/``) that reaches a server listening on ``port`` inside the sandbox.

    In the cloud it is the sandbox's public preview address. On the local engine it is a
    loopback address that the engine forwards into the sandbox's own network (which works
    without internet access too); the forward lasts as long as the sandbox.
    """
    if isinstance(port, bool) or not isinstance(port, int):
        raise TypeError(f"port must be an int, got {type(port).__name__}")
    return await call(self._native.preview_url, max(min(port, 2**62), -(2**62)))


async def debug(cls: "type[_H]", agent_url: str, jwt_token: str, sandbox_id: str = "debug") -> "_H":
    """A handle on one sandbox's agent alone, from its URL and token, without a control
    plane: for debugging an agent directly. Agent calls (``run_code``, files, commands)
    work; control-plane calls (``kill``, ``get_info``) do not. ``ws://`` and ``wss://``
    URLs are taken as ``http://`` and ``https://``."""
    from . import _native

    _args.check_str("agent_url", agent_url, optional=False)
    _args.check_str("jwt_token", jwt_token, optional=False)
    _args.check_str("sandbox_id", sandbox_id, optional=False)
    return cls(await call(_native.debug, agent_url, jwt_token, sandbox_id))


async def list_processes(self: SandboxBase) -> "List[Dict[str, Any]]":
    """The background runs as dicts: ``process_id``, ``name``, ``language``, ``status``
    (running, completed, failed, killed or timeout), ``exit_code``, ``stdout``, ``stderr``,
    ``start_time``, ``end_time``, ``duration``."""
    return await call(self._native.list_processes)


async def kill_process(self: SandboxBase, process_id: str) -> "Dict[str, Any]":
    """Stops the background run ``process_id``; returns the agent's answer as a dict
    (``status`` "killed"). An unknown id raises :class:`hopx_ai.errors.NotFoundError`."""
    _args.check_str("process_id", process_id, optional=False)
    return await call(self._native.kill_process, process_id)


async def pause(self: SandboxBase) -> None:
    """Pauses the sandbox: every process in it stops where it is and uses no CPU; the kernel's
    variables, files and background runs are kept. Other calls on it raise
    :class:`hopx_ai.errors.AgentError` (code ``SANDBOX_PAUSED``) until :meth:`resume`. Its
    time-to-live keeps counting. Pausing a paused sandbox does nothing."""
    await call(self._native.pause)


async def resume(self: SandboxBase) -> None:
    """Resumes a paused sandbox where it stopped (``Sandbox.connect`` resumes too)."""
    await call(self._native.resume)


async def set_timeout(self: SandboxBase, seconds: float) -> None:
    """Sets the sandbox's time-to-live to ``seconds`` from now."""
    await call(self._native.set_timeout, _args.check_timeout("seconds", seconds))


async def kill(self: SandboxBase) -> None:
    """Destroys the sandbox. Later calls on this handle raise ``NotFoundError``."""
    await call(self._native.kill)


async def kill_on_exit(self: SandboxBase, exc_type: object, exc: object, tb: object) -> None:
    """Kills the sandbox at the end of a ``with`` / ``async with`` block."""
    # Cleanup must not hide the error that ended the block; a killed handle is fine too.
    if not self._native.is_killed:
        try:
            await call(self._native.kill)
        except Exception:
            pass

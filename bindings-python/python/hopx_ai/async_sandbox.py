"""``AsyncSandbox``: the asyncio API, on the same Rust runtime as the blocking one."""

from . import _args, _stream
from .models import ExecutionResult, SandboxInfo

__all__ = ["AsyncSandbox"]


class _Creating:
    """What ``AsyncSandbox.create(...)`` returns: await it for the sandbox, or use it with
    ``async with`` to have the sandbox killed on exit."""

    __slots__ = ("_make", "_sandbox")

    def __init__(self, make):
        self._make = make
        self._sandbox = None

    def __await__(self):
        return self._make().__await__()

    async def __aenter__(self):
        self._sandbox = await self._make()
        return self._sandbox

    async def __aexit__(self, exc_type, exc, tb):
        await self._sandbox.__aexit__(exc_type, exc, tb)


class AsyncSandbox:
    """The coroutine twin of :class:`hopx_ai.Sandbox`: the same methods, awaited.

    ``async with AsyncSandbox.create() as sandbox:`` kills the sandbox on exit; many
    ``run_code`` calls may be awaited concurrently (a code-interpreter kernel runs them in turn).
    """

    __slots__ = ("_native",)

    def __init__(self, native):
        """Wraps a native handle; use :meth:`create`, :meth:`connect` or :meth:`list`."""
        self._native = native

    @classmethod
    def create(cls, template=None, *, template_id=None, region=None, timeout_seconds=None,
               internet_access=None, env_vars=None, api_key=None, base_url=None):
        """Creates a sandbox: ``await`` the result, or use it with ``async with``.

        Arguments as in :meth:`hopx_ai.Sandbox.create` (default template
        ``"code-interpreter"``); they are checked at once, before anything is awaited.
        """
        kwargs = _args.create_args(template, template_id, region, timeout_seconds,
                                   internet_access, env_vars, api_key, base_url)

        async def make():
            return cls(await _args.native().create_async(**kwargs))

        return _Creating(make)

    @classmethod
    async def connect(cls, sandbox_id, *, api_key=None, base_url=None):
        """A handle to an existing running (or paused, then resumed) sandbox."""
        _args.check_str("sandbox_id", sandbox_id, optional=False)
        target = _args.target(api_key, base_url)
        return cls(await _args.native().connect_async(sandbox_id, **target))

    @classmethod
    async def list(cls, *, status=None, region=None, limit=100, api_key=None, base_url=None):
        """The sandboxes of the account (or of the local engine), as handles."""
        _args.check_str("status", status)
        _args.check_str("region", region)
        pairs = await _args.native().list_async(status=status, region=region, limit=limit,
                                                **_args.target(api_key, base_url))
        return [cls(native) for native, _info in pairs]

    @property
    def sandbox_id(self):
        """The sandbox id."""
        return self._native.sandbox_id

    async def get_info(self):
        """The sandbox's current record as :class:`SandboxInfo`."""
        return SandboxInfo._from_dict(await self._native.get_info_async())

    async def run_code(self, code, *, language="python", timeout=None, env=None,
                       working_dir="/workspace", timeout_seconds=None, on_stdout=None,
                       on_stderr=None, on_result=None, on_error=None):
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
        args = _args.run_args(code, language, timeout, env, working_dir)
        callbacks = _stream.check_callbacks(on_stdout, on_stderr, on_result, on_error)
        if callbacks is None:
            return ExecutionResult._from_dict(await self._native.run_code_async(*args))
        return await _stream.arun_with_callbacks(self._native, args, callbacks)

    def run_code_stream(self, code, *, language="python", timeout=60, env=None,
                        working_dir="/workspace"):
        """The run's messages as they happen: ``async for msg in sandbox.run_code_stream(code)``.

        Not a coroutine: like the official async generator, it returns the iterator (a
        :class:`MessageStream`) directly. Arguments are checked now; the run starts on the
        first read; ``break`` or ``await stream.aclose()`` closes the connection.
        """
        return _stream.MessageStream(self._native,
                                     _args.run_args(code, language, timeout, env, working_dir))

    async def run_code_background(self, code, *, language="python", timeout=300, env=None,
                                  working_dir="/workspace", name=None):
        """Starts ``code`` in the background; as :meth:`hopx_ai.Sandbox.run_code_background`."""
        args = _args.background_args(code, language, timeout, env, working_dir, name)
        return await self._native.run_code_background_async(*args)

    async def list_processes(self):
        """The background runs as dicts; as :meth:`hopx_ai.Sandbox.list_processes`."""
        return await self._native.list_processes_async()

    async def kill_process(self, process_id):
        """Stops a background run; as :meth:`hopx_ai.Sandbox.kill_process`."""
        _args.check_str("process_id", process_id, optional=False)
        return await self._native.kill_process_async(process_id)

    async def set_timeout(self, seconds):
        """Sets the sandbox's time-to-live to ``seconds`` from now."""
        await self._native.set_timeout_async(_args.check_timeout("seconds", seconds))

    async def kill(self):
        """Destroys the sandbox. Later calls on this handle raise ``NotFoundError``."""
        await self._native.kill_async()

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        # Cleanup must not hide the error that ended the block; a killed handle is fine too.
        if not self._native.is_killed:
            try:
                await self._native.kill_async()
            except Exception:
                pass

    def __eq__(self, other):
        return isinstance(other, AsyncSandbox) and other.sandbox_id == self.sandbox_id

    def __hash__(self):
        return hash(self.sandbox_id)

    def __repr__(self):
        return f"AsyncSandbox(sandbox_id={self.sandbox_id!r})"

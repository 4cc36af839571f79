"""``Sandbox``: the blocking API. Each call waits in Rust with the GIL released, so other
Python threads keep running, and it works inside a running event loop (a Jupyter cell)."""

from . import _args, _stream
from .models import ExecutionResult, SandboxInfo

__all__ = ["Sandbox"]


class Sandbox:
    """A handle to one HopX sandbox.

    Make one with :meth:`create`, :meth:`connect` or :meth:`list`. Without an API key
    (argument or ``HOPX_API_KEY``) or base URL, sandboxes run on this machine in the embedded
    local engine, with this Python interpreter and its packages. ``with Sandbox.create() as
    sandbox:`` kills the sandbox on exit.
    """

    __slots__ = ("_native",)

    def __init__(self, native):
        """Wraps a native handle; use :meth:`create`, :meth:`connect` or :meth:`list`."""
        self._native = native

    @classmethod
    def create(cls, template=None, *, template_id=None, region=None, timeout_seconds=None,
               internet_access=None, env_vars=None, api_key=None, base_url=None):
        """Creates a sandbox and returns its handle.

        ``template`` defaults to ``"code-interpreter"`` when neither it nor ``template_id`` is
        given. ``timeout_seconds`` is the sandbox's time-to-live; ``env_vars`` are set for
        every run. ``internet_access`` defaults to the server's choice (off locally).
        """
        kwargs = _args.create_args(template, template_id, region, timeout_seconds,
                                   internet_access, env_vars, api_key, base_url)
        return cls(_args.native().create(**kwargs))

    @classmethod
    def connect(cls, sandbox_id, *, api_key=None, base_url=None):
        """A handle to an existing running (or paused, then resumed) sandbox."""
        _args.check_str("sandbox_id", sandbox_id, optional=False)
        return cls(_args.native().connect(sandbox_id, **_args.target(api_key, base_url)))

    @classmethod
    def list(cls, *, status=None, region=None, limit=100, api_key=None, base_url=None):
        """The sandboxes of the account (or of the local engine), as handles."""
        _args.check_str("status", status)
        _args.check_str("region", region)
        pairs = _args.native().list(status=status, region=region, limit=limit,
                                    **_args.target(api_key, base_url))
        return [cls(native) for native, _info in pairs]

    @property
    def sandbox_id(self):
        """The sandbox id."""
        return self._native.sandbox_id

    def get_info(self):
        """The sandbox's current record (status, template, expiry...) as :class:`SandboxInfo`."""
        return SandboxInfo._from_dict(self._native.get_info())

    def run_code(self, code, *, language="python", timeout=120, env=None,
                 working_dir="/workspace", on_stdout=None, on_stderr=None, on_result=None,
                 on_error=None):
        """Runs ``code`` and returns its :class:`ExecutionResult` when it finishes.

        ``language`` is python, javascript, bash or go; ``timeout`` is in seconds (1 to 300);
        ``env`` adds environment variables for this run only. A failing program is a result
        with ``success`` False; running past ``timeout`` raises
        :class:`hopx_ai.errors.TimeoutError` carrying the output so far.

        With callbacks the output arrives while the code runs, and each callback is called in
        this thread, in the order the output was produced: ``on_stdout(text)`` and
        ``on_stderr(text)`` per chunk, ``on_result(RichOutput)`` per plot or other rich output
        shown, ``on_error(error)`` with the :class:`ExecutionError` when the code raised, or
        with the exception (timeout, lost connection) just before it is raised. The return
        value is the same as without callbacks. An exception in a callback stops the run's
        stream and propagates.
        """
        args = _args.run_args(code, language, timeout, env, working_dir)
        callbacks = _stream.check_callbacks(on_stdout, on_stderr, on_result, on_error)
        if callbacks is None:
            return ExecutionResult._from_dict(self._native.run_code(*args))
        return _stream.run_with_callbacks(self._native, args, callbacks)

    def run_code_stream(self, code, *, language="python", timeout=60, env=None,
                        working_dir="/workspace"):
        """The run's messages as they happen, as dicts (see :class:`MessageStream`).

        Like the official SDK, this is an async iterator even on the blocking class
        (``async for msg in sandbox.run_code_stream(code)``); here it is also a plain
        iterator (``for msg in ...``), which blocks with the GIL released. The arguments are
        checked now; the run starts on the first read. The last message is
        ``{"type": "complete", "success": ...}``; a timeout comes as an ``error`` message
        after the output so far.
        """
        return _stream.MessageStream(self._native,
                                     _args.run_args(code, language, timeout, env, working_dir))

    def run_code_background(self, code, *, language="python", timeout=300, env=None,
                            working_dir="/workspace", name=None):
        """Starts ``code`` running in the background and returns at once.

        Returns the agent's description as a dict: ``process_id``, ``execution_id``,
        ``status`` ("running"), ``start_time``, ``name``. Follow it with
        :meth:`list_processes`; stop it with :meth:`kill_process`. ``timeout`` (seconds) may
        exceed the 300 s limit of :meth:`run_code`.
        """
        args = _args.background_args(code, language, timeout, env, working_dir, name)
        return self._native.run_code_background(*args)

    def list_processes(self):
        """The background runs as dicts: ``process_id``, ``name``, ``language``, ``status``
        (running, completed, failed, killed or timeout), ``exit_code``, ``stdout``, ``stderr``,
        ``start_time``, ``end_time``, ``duration``."""
        return self._native.list_processes()

    def kill_process(self, process_id):
        """Stops the background run ``process_id``; returns the agent's answer as a dict
        (``status`` "killed"). An unknown id raises :class:`hopx_ai.errors.NotFoundError`."""
        _args.check_str("process_id", process_id, optional=False)
        return self._native.kill_process(process_id)

    def set_timeout(self, seconds):
        """Sets the sandbox's time-to-live to ``seconds`` from now."""
        self._native.set_timeout(_args.check_timeout("seconds", seconds))

    def kill(self):
        """Destroys the sandbox. Later calls on this handle raise ``NotFoundError``."""
        self._native.kill()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # Cleanup must not hide the error that ended the block; a killed handle is fine too.
        if not self._native.is_killed:
            try:
                self._native.kill()
            except Exception:
                pass

    def __eq__(self, other):
        return isinstance(other, Sandbox) and other.sandbox_id == self.sandbox_id

    def __hash__(self):
        return hash(self.sandbox_id)

    def __repr__(self):
        return f"Sandbox(sandbox_id={self.sandbox_id!r})"

"""Live output: the ``run_code_stream`` iterator and the ``run_code`` callbacks.

Both read the raw messages of one native stream (``hopx_ai._native.NativeStream``) one at a
time; the message protocol and the fold into an :class:`ExecutionResult` stay in the core.
Each flow is written once, as a definition (see ``_define``): ``Sandbox`` runs it in the
caller's thread and ``AsyncSandbox`` on its event loop, callbacks in the order the messages
arrived.
"""

from ._define import call, invoke, run_awaiting, run_blocking
from .errors import HopxError
from .models import ExecutionError, ExecutionResult, RichOutput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

    from ._args import _RunArgs
    from ._native import NativeSandbox, NativeStream

    # The callbacks of ``run_code`` by name. With ``AsyncSandbox`` each may also return an
    # awaitable (be a coroutine function): it is awaited before the next message is read.
    _Callbacks = Dict[str, Optional[Callable[[Any], object]]]
    _Message = Dict[str, Any]

__all__ = ["MessageStream"]

_CALLBACKS = ("on_stdout", "on_stderr", "on_result", "on_error")


def check_callbacks(
    on_stdout: "Optional[Callable[[str], object]]",
    on_stderr: "Optional[Callable[[str], object]]",
    on_result: "Optional[Callable[[RichOutput], object]]",
    on_error: "Optional[Callable[[Union[ExecutionError, HopxError]], object]]",
) -> "Optional[_Callbacks]":
    """The callbacks as a dict (each callable or None); None when none is given."""
    given: "_Callbacks" = dict(zip(_CALLBACKS, (on_stdout, on_stderr, on_result, on_error)))
    for name, fn in given.items():
        if fn is not None and not callable(fn):
            raise TypeError(f"{name} must be callable, got {type(fn).__name__}")
    return given if any(fn is not None for fn in given.values()) else None


def _call_for(msg: "_Message", callbacks: "_Callbacks") -> "Optional[Tuple[Any, Any]]":
    """The callback a message triggers and its argument, or None.

    ``error`` messages trigger nothing here: the run's error is raised (and given to
    ``on_error``) once the stream has ended, as the typed exception with the output so far.
    """
    kind = msg.get("type")
    if kind in ("stdout", "stderr"):
        fn = callbacks[f"on_{kind}"]
        return (fn, msg.get("data", "")) if fn else None
    if kind == "display" and callbacks["on_result"]:
        output = RichOutput(
            msg.get("mime_type", "text/plain"), msg.get("data") or {}, msg.get("metadata") or {}
        )
        return callbacks["on_result"], output
    return None


async def run_with_callbacks(
    native: "NativeSandbox",
    args: "Sequence[Any]",
    callbacks: "_Callbacks",
    open_stream: "Optional[Callable[..., Any]]" = None,
) -> ExecutionResult:
    """``run_code`` with callbacks: reads the run's stream and calls back per message.
    ``open_stream`` (default ``native.run_code_stream``) is the native call that starts the
    stream from ``args``."""
    stream = await call(open_stream or native.run_code_stream, *args)
    try:
        try:
            while (msg := await call(stream.next_message)) is not None:
                hit = _call_for(msg, callbacks)
                if hit:
                    await invoke(*hit)
            result = ExecutionResult._from_dict(stream.result())
        except HopxError as exc:
            if callbacks["on_error"]:
                await invoke(callbacks["on_error"], exc)
            raise
    finally:
        stream.close()
    # The code raised: the run still succeeded as a call, so on_error gets the code's error.
    if callbacks["on_error"] and result.error is not None:
        await invoke(callbacks["on_error"], result.error)
    return result


class MessageStream:
    """What ``run_code_stream`` returns: the run's messages as dicts, while it runs.

    An async iterator (``async for msg in ...``), like the official async generator, on both
    ``Sandbox`` and ``AsyncSandbox``; on ``Sandbox`` it is also a plain iterator
    (``for msg in ...``, blocking with the GIL released). Messages are the agent's:
    ``{"type": "stdout"|"stderr", "data", "timestamp"}``, ``{"type": "display", "mime_type",
    "data", "metadata"}``, ``{"type": "result", "exit_code", "execution_time", ...}``,
    ``{"type": "error", "error", "code"}`` and last ``{"type": "complete", "success"}``.

    The run starts on the first read (arguments are checked at once). Leaving the loop early
    (``break``, :meth:`close`, :meth:`aclose`, or dropping the iterator) closes the connection;
    the sandbox stays usable. After the last message, :meth:`result` gives the
    :class:`ExecutionResult` or raises the run's error (a timeout carries the output so far).
    """

    __slots__ = ("_native", "_args", "_stream", "_done", "__weakref__")

    def __init__(self, native: "NativeSandbox", args: "_RunArgs") -> None:
        """Made by ``run_code_stream``, with the native handle and the checked arguments."""
        from . import _native

        # Ranges and limits are the core's; checked now, since the run starts on a later read.
        _native.check_run(*args, False)
        self._native = native
        self._args = args
        self._stream: "Optional[NativeStream]" = None
        self._done = False

    async def _read(self) -> "Optional[_Message]":
        """The next message, or None at the end; the one definition of both iterators."""
        if self._done:
            return None
        if self._stream is None:
            # No preflight: the official stream has none.
            self._stream = await call(self._native.run_code_stream, *self._args, False)
        try:
            msg = await call(self._stream.next_message)
        except BaseException:
            self._done = True
            self._stream.close()
            raise
        if msg is None:
            self._done = True
        return msg

    def __iter__(self) -> "MessageStream":
        return self

    def __next__(self) -> "_Message":
        msg = run_blocking(self._read())
        if msg is None:
            raise StopIteration
        return msg

    def __aiter__(self) -> "MessageStream":
        return self

    async def __anext__(self) -> "_Message":
        msg = await run_awaiting(self._read())
        if msg is None:
            raise StopAsyncIteration
        return msg

    def result(self) -> ExecutionResult:
        """The :class:`ExecutionResult` once every message was read, or the run's error."""
        if self._stream is None or not self._done:
            raise RuntimeError("read the stream to its end before asking for the result")
        return ExecutionResult._from_dict(self._stream.result())

    def close(self) -> None:
        """Stops reading: closes the connection. Safe to call more than once."""
        self._done = True
        if self._stream is not None:
            self._stream.close()

    async def aclose(self) -> None:
        """:meth:`close`, as the async generator protocol spells it."""
        self.close()

    def __enter__(self) -> "MessageStream":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.close()

    async def __aenter__(self) -> "MessageStream":
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.close()

    def __del__(self) -> None:
        stream = getattr(self, "_stream", None)
        if stream is not None:
            stream.close()

    def __repr__(self) -> str:
        state = "done" if self._done else "open" if self._stream is not None else "not started"
        return f"<MessageStream {state}>"

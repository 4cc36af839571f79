"""Live output: the ``run_code_stream`` iterator and the ``run_code`` callbacks.

Both read the raw messages of one native stream (``hopx_ai._native.NativeStream``) one at a
time; the message protocol and the fold into an :class:`ExecutionResult` stay in the core.
Callbacks run in the caller's thread (sync API) or on its event loop (async API), in the order
the messages arrived.
"""

from ._args import native as _native_module
from .errors import HopxError
from .models import ExecutionResult, RichOutput

__all__ = ["MessageStream"]

_CALLBACKS = ("on_stdout", "on_stderr", "on_result", "on_error")


def check_callbacks(on_stdout, on_stderr, on_result, on_error):
    """The callbacks as a dict (each callable or None); None when none is given."""
    given = dict(zip(_CALLBACKS, (on_stdout, on_stderr, on_result, on_error)))
    for name, fn in given.items():
        if fn is not None and not callable(fn):
            raise TypeError(f"{name} must be callable, got {type(fn).__name__}")
    return given if any(fn is not None for fn in given.values()) else None


def _call_for(msg, callbacks):
    """The callback a message triggers and its argument, or None.

    ``error`` messages trigger nothing here: the run's error is raised (and given to
    ``on_error``) once the stream has ended, as the typed exception with the output so far.
    """
    kind = msg.get("type")
    if kind in ("stdout", "stderr"):
        fn = callbacks[f"on_{kind}"]
        return (fn, msg.get("data", "")) if fn else None
    if kind == "display" and callbacks["on_result"]:
        output = RichOutput(msg.get("mime_type", "text/plain"), msg.get("data") or {},
                            msg.get("metadata") or {})
        return callbacks["on_result"], output
    return None


def _failure(result, callbacks):
    """What ``on_error`` gets for a finished run: the code's exception, if it raised one."""
    if callbacks["on_error"] and result.error is not None:
        return callbacks["on_error"], result.error
    return None


def run_with_callbacks(native, args, callbacks):
    """The sync ``run_code`` with callbacks: read the stream here, in the calling thread."""
    stream = native.run_code_stream(*args)
    try:
        try:
            while (msg := stream.next_message()) is not None:
                call = _call_for(msg, callbacks)
                if call:
                    call[0](call[1])
            result = ExecutionResult._from_dict(stream.result())
        except HopxError as exc:
            if callbacks["on_error"]:
                callbacks["on_error"](exc)
            raise
    finally:
        stream.close()
    call = _failure(result, callbacks)
    if call:
        call[0](call[1])
    return result


async def _invoke(fn, arg):
    out = fn(arg)
    # Coroutines, futures and tasks; not inspect.isawaitable, whose import slows `import hopx_ai`.
    if hasattr(out, "__await__"):
        await out


async def arun_with_callbacks(native, args, callbacks):
    """The async ``run_code`` with callbacks (sync or async callables), on the event loop."""
    stream = await native.run_code_stream_async(*args)
    try:
        try:
            while (msg := await stream.next_message_async()) is not None:
                call = _call_for(msg, callbacks)
                if call:
                    await _invoke(*call)
            result = ExecutionResult._from_dict(stream.result())
        except HopxError as exc:
            if callbacks["on_error"]:
                await _invoke(callbacks["on_error"], exc)
            raise
    finally:
        stream.close()
    call = _failure(result, callbacks)
    if call:
        await _invoke(*call)
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

    def __init__(self, native, args):
        # Ranges and limits are the core's; checked now, since the run starts on a later read.
        _native_module().check_run(*args, False)
        self._native = native
        self._args = args
        self._stream = None
        self._done = False

    def __iter__(self):
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        if self._stream is None:
            self._stream = self._native.run_code_stream(*self._args)
        msg = self._read(self._stream.next_message)
        if msg is None:
            raise StopIteration
        return msg

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self._done:
            raise StopAsyncIteration
        if self._stream is None:
            self._stream = await self._native.run_code_stream_async(*self._args)
        try:
            msg = await self._stream.next_message_async()
        except BaseException:
            self._done = True
            self._stream.close()
            raise
        if msg is None:
            self._done = True
            raise StopAsyncIteration
        return msg

    def _read(self, next_message):
        try:
            msg = next_message()
        except BaseException:
            self._done = True
            self._stream.close()
            raise
        if msg is None:
            self._done = True
        return msg

    def result(self):
        """The :class:`ExecutionResult` once every message was read, or the run's error."""
        if self._stream is None or not self._done:
            raise RuntimeError("read the stream to its end before asking for the result")
        return ExecutionResult._from_dict(self._stream.result())

    def close(self):
        """Stops reading: closes the connection. Safe to call more than once."""
        self._done = True
        if self._stream is not None:
            self._stream.close()

    async def aclose(self):
        """:meth:`close`, as the async generator protocol spells it."""
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.close()

    def __del__(self):
        stream = getattr(self, "_stream", None)
        if stream is not None:
            stream.close()

    def __repr__(self):
        state = "done" if self._done else "open" if self._stream is not None else "not started"
        return f"<MessageStream {state}>"


"""``sandbox.terminal``: an interactive bash in a real pseudo-terminal inside the sandbox.

As in the official SDK, the calls are coroutines on both sandbox flavours::

    async with await sandbox.terminal.connect() as ws:
        await sandbox.terminal.send_input(ws, "ls -la\\n")
        async for message in sandbox.terminal.iter_output(ws):
            if message["type"] == "output":
                print(message["data"], end="")
            elif message["type"] == "exit":
                break

Messages are dicts as the agent sends them: ``{"type": "output", "data": "..."}`` while the
terminal prints, then ``{"type": "exit", "code": N}`` when the shell ends. The shell runs as
every process of the sandbox does (its user, its files, its limits); leaving the ``async
with`` (or :meth:`TerminalConnection.close`) ends it with everything it started.
"""

from . import _args

__all__ = ["Terminal", "TerminalConnection"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any, AsyncIterator, Dict, Optional, Type

    from ._native import NativeSandbox, NativeTerminal


def _size(name: str, value: int) -> int:
    """A terminal size must be an int; hopx-core checks its range (1 to 65535)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    # Past what the native call takes: still a size the core refuses, not an OverflowError.
    return max(min(value, 2**31), -(2**31))


class TerminalConnection:
    """One open terminal: type into it, resize it, read what it prints (``async for``)."""

    __slots__ = ("_native",)

    def __init__(self, native: "NativeTerminal") -> None:
        self._native = native

    async def send_input(self, data: str) -> None:
        """Types ``data`` (``"\\n"`` runs a line, ``"\\x03"`` is Ctrl-C)."""
        _args.check_str("data", data, optional=False)
        await self._native.send_input_async(data)

    async def resize(self, cols: int, rows: int) -> None:
        """Sets the size in characters; the program in front is told."""
        await self._native.resize_async(_size("cols", cols), _size("rows", rows))

    async def close(self) -> None:
        """Ends the shell and everything it started; a read in flight ends the iteration."""
        await self._native.close_async()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._native.closed

    def __aiter__(self) -> "TerminalConnection":
        return self

    async def __anext__(self) -> "Dict[str, Any]":
        message = await self._native.next_message_async()
        if message is None:
            raise StopAsyncIteration
        return message

    async def __aenter__(self) -> "TerminalConnection":
        return self

    async def __aexit__(
        self,
        exc_type: "Optional[Type[BaseException]]",
        exc: "Optional[BaseException]",
        tb: "Optional[TracebackType]",
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"TerminalConnection({'closed' if self.closed else 'open'})"


class Terminal:
    """``sandbox.terminal``, the same on :class:`hopx_ai.Sandbox` and
    :class:`hopx_ai.AsyncSandbox`: every call is a coroutine, as in the official SDK."""

    __slots__ = ("_native",)

    def __init__(self, native: "NativeSandbox") -> None:
        """Wraps the sandbox's native handle."""
        self._native = native

    async def connect(
        self, *, timeout: "Optional[float]" = 30, cols: int = 80, rows: int = 24
    ) -> TerminalConnection:
        """Opens a terminal of ``cols`` x ``rows`` characters running an interactive bash;
        ``timeout`` (seconds) bounds the opening. Use the result with ``async with``."""
        timeout = _args.check_seconds("timeout", timeout)
        native = await self._native.terminal_connect_async(
            _size("cols", cols), _size("rows", rows), timeout
        )
        return TerminalConnection(native)

    async def send_input(self, ws: TerminalConnection, data: str) -> None:
        """Types ``data`` into the terminal ``ws``."""
        await ws.send_input(data)

    async def resize(self, ws: TerminalConnection, cols: int, rows: int) -> None:
        """Sets the size of the terminal ``ws``."""
        await ws.resize(cols, rows)

    def iter_output(self, ws: TerminalConnection) -> "AsyncIterator[Dict[str, Any]]":
        """The messages of the terminal ``ws`` as they come (``async for``)."""
        return ws.__aiter__()

    def __repr__(self) -> str:
        return "Terminal()"

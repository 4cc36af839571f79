"""``sandbox.files.watch(path)``: the changes in a folder, as they happen.

Each change is a dict as the agent sends it, the same as the official SDK yields::

    {"type": "change", "path": "/workspace/out.csv", "event": "created", "timestamp": "..."}

``event`` is ``created``, ``modified``, ``deleted`` or ``renamed``; the watch is not
recursive. A :class:`FileWatch` is iterated with ``for`` (each step blocks, the GIL
released) or with ``async for``, whichever the caller uses, on either sandbox flavour (the
official SDK's watch is an async generator even on its blocking ``Sandbox``). It ends when
the folder or the sandbox is gone, or on :meth:`FileWatch.close`; ``with`` and
``async with`` close it too.

``Sandbox.files.watch`` returns once the agent watches the folder, so no later change is
missed. ``AsyncSandbox.files.watch`` cannot wait in a plain call: awaiting it
(``w = await sandbox.files.watch(p)``) gives the same guarantee, and ``async for`` straight on
it starts the watch at the first step.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any, Awaitable, Callable, Dict, Generator, Optional, Type

    from ._native import NativeWatch

__all__ = ["FileWatch"]


class FileWatch:
    """The changes in one folder; see the module's documentation."""

    __slots__ = ("_native", "_open_async", "_closed")

    def __init__(
        self,
        native: "Optional[NativeWatch]" = None,
        open_async: "Optional[Callable[[], Awaitable[NativeWatch]]]" = None,
    ) -> None:
        self._native = native
        self._open_async = open_async
        self._closed = False

    def __iter__(self) -> "FileWatch":
        return self

    def __next__(self) -> "Dict[str, Any]":
        if self._native is None:
            raise TypeError("this watch was made by AsyncSandbox: iterate it with `async for`")
        change = self._native.next_change()
        if change is None:
            raise StopIteration
        return change

    def __aiter__(self) -> "FileWatch":
        return self

    async def __anext__(self) -> "Dict[str, Any]":
        native = await self._started()
        change = None if native is None else await native.next_change_async()
        if change is None:
            raise StopAsyncIteration
        return change

    def __await__(self) -> "Generator[Any, None, FileWatch]":
        yield from self._started().__await__()
        return self

    async def _started(self) -> "Optional[NativeWatch]":
        if self._native is None and self._open_async is not None and not self._closed:
            opener, self._open_async = self._open_async, None
            self._native = await opener()
        return self._native

    def close(self) -> None:
        """Ends the watch: a step in flight and every later one end the iteration."""
        self._closed = True
        if self._native is not None:
            self._native.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def __enter__(self) -> "FileWatch":
        return self

    def __exit__(
        self,
        exc_type: "Optional[Type[BaseException]]",
        exc: "Optional[BaseException]",
        tb: "Optional[TracebackType]",
    ) -> None:
        self.close()

    async def __aenter__(self) -> "FileWatch":
        return await self

    async def __aexit__(
        self,
        exc_type: "Optional[Type[BaseException]]",
        exc: "Optional[BaseException]",
        tb: "Optional[TracebackType]",
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open" if self._native is not None else "not started"
        return f"FileWatch({state})"

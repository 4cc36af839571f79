"""``sandbox.files``: read, write, list and move files of a sandbox.

Each method is defined once here (see ``_define``); :class:`Files` makes it a blocking call
for :class:`hopx_ai.Sandbox`, :class:`AsyncFiles` a coroutine for
:class:`hopx_ai.AsyncSandbox`. The work is the core's: paths are checked there, uploads and
downloads stream (a file of any size costs a few buffers), and errors are the
``hopx_ai.errors`` classes (``FileNotFoundError``, ``FileOperationError``, ...).

Paths in the sandbox are absolute (``/workspace/...``) and may be given as ``pathlib`` paths
too. ``timeout`` (seconds) bounds the whole call; by default a call gets the official
SDK's 60 s (``exists`` 10 s), an upload more as its file grows, and a download as long as
data keeps coming (each wait for data is bounded instead).

The definitions are named after the methods, so this module must not use the builtin ``list``
(annotations say ``List``).
"""

from . import _args
from ._define import Resource, awaiting, blocking, call
from .models import FileInfo
from .watch import FileWatch

__all__ = ["Files", "AsyncFiles"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, List, Optional, Union

    from ._args import _PathArg

    # on_progress(done, total): bytes moved so far, and the size when known.
    _Progress = Callable[[int, Optional[int]], object]


async def read(self: Resource, path: "_PathArg", timeout: "Optional[float]" = None) -> str:
    """The content of the text file at ``path``.

    A missing file raises :class:`hopx_ai.errors.FileNotFoundError` (its ``path`` set); for
    binary content use :meth:`read_bytes`.
    """
    path = _args.check_path("path", path)
    return await call(self._native.files_read, path, _args.check_seconds("timeout", timeout))


async def read_bytes(self: Resource, path: "_PathArg", timeout: "Optional[float]" = None) -> bytes:
    """The exact bytes of the file at ``path`` (any content, streamed from the sandbox).

    For a large file :meth:`download` to a local file instead, which holds no copy in memory.
    """
    path = _args.check_path("path", path)
    timeout = _args.check_seconds("timeout", timeout)
    return await call(self._native.files_read_bytes, path, timeout)


async def write(
    self: Resource,
    path: "_PathArg",
    content: "Union[str, bytes, bytearray, memoryview]",
    mode: str = "0644",
    timeout: "Optional[float]" = None,
) -> None:
    """Writes ``content`` to the file at ``path``, creating or replacing it.

    ``content`` is text; bytes-like content is written exactly, as :meth:`write_bytes`
    does. ``mode`` is the file's permission bits as octal text (``"0644"``, ``"755"``); a
    mode that is not raises :class:`hopx_ai.errors.ValidationError`. The file belongs to
    the sandbox's user, so code in the sandbox may change it afterwards.
    """
    if not isinstance(content, str):
        if isinstance(content, (bytes, bytearray, memoryview)):
            await write_bytes(self, path, content, mode, timeout)
            return
        raise TypeError(f"content must be a str or bytes-like, got {type(content).__name__}")
    path = _args.check_path("path", path)
    _args.check_str("mode", mode, optional=False)
    timeout = _args.check_seconds("timeout", timeout)
    await call(self._native.files_write, path, content, mode, timeout)


async def write_bytes(
    self: Resource,
    path: "_PathArg",
    content: "Union[bytes, bytearray, memoryview]",
    mode: str = "0644",
    timeout: "Optional[float]" = None,
) -> None:
    """Writes the bytes ``content`` to the file at ``path``, exactly (any byte values).

    ``mode`` is as for :meth:`write`. For a large file :meth:`upload` a local file instead,
    which streams it.
    """
    if isinstance(content, memoryview):
        content = content.tobytes()
    elif not isinstance(content, (bytes, bytearray)):
        raise TypeError(f"content must be bytes-like, got {type(content).__name__}")
    path = _args.check_path("path", path)
    _args.check_str("mode", mode, optional=False)
    timeout = _args.check_seconds("timeout", timeout)
    await call(self._native.files_write_bytes, path, content, mode, timeout)


async def list(
    self: Resource, path: "_PathArg" = "/workspace", timeout: "Optional[float]" = None
) -> "List[FileInfo]":
    """The files and folders in the folder ``path``, as :class:`hopx_ai.FileInfo`."""
    path = _args.check_path("path", path)
    timeout = _args.check_seconds("timeout", timeout)
    return [FileInfo._from_dict(d) for d in await call(self._native.files_list, path, timeout)]


async def exists(self: Resource, path: "_PathArg", timeout: "Optional[float]" = None) -> bool:
    """Whether a file or folder exists at ``path``.

    Unlike the official SDK, which answers False on any error, a failure (a killed sandbox,
    a lost connection) raises its error, so False always means "not there".
    """
    path = _args.check_path("path", path)
    return await call(self._native.files_exists, path, _args.check_seconds("timeout", timeout))


async def remove(self: Resource, path: "_PathArg", timeout: "Optional[float]" = None) -> None:
    """Removes the file at ``path``, or the folder with everything in it."""
    path = _args.check_path("path", path)
    await call(self._native.files_remove, path, _args.check_seconds("timeout", timeout))


async def mkdir(self: Resource, path: "_PathArg", timeout: "Optional[float]" = None) -> None:
    """Makes the folder ``path`` and any missing parents (as ``mkdir -p``)."""
    path = _args.check_path("path", path)
    await call(self._native.files_mkdir, path, _args.check_seconds("timeout", timeout))


async def upload(
    self: Resource,
    local_path: "_PathArg",
    remote_path: "_PathArg",
    timeout: "Optional[float]" = None,
    on_progress: "Optional[_Progress]" = None,
) -> None:
    """Copies the local file ``local_path`` to ``remote_path`` in the sandbox, streamed
    (memory use does not grow with the file's size).

    ``on_progress(done, total)``, when given, is called as the bytes go: ``done`` grows to
    the file's size, ``total`` is that size. It is called from the SDK's transfer thread
    (not the event loop, even on :class:`AsyncSandbox`), with the GIL held, so keep it
    short; it must be a plain function. If it raises, the exception is reported once
    through :func:`sys.unraisablehook` (printed by default), the callback is not called
    again, and the transfer goes on.
    """
    local = _args.check_path("local_path", local_path)
    remote = _args.check_path("remote_path", remote_path)
    timeout = _args.check_seconds("timeout", timeout)
    progress = _args.check_callback("on_progress", on_progress)
    await call(self._native.files_upload, local, remote, timeout, progress)


async def download(
    self: Resource,
    remote_path: "_PathArg",
    local_path: "_PathArg",
    timeout: "Optional[float]" = None,
    on_progress: "Optional[_Progress]" = None,
) -> None:
    """Copies the sandbox file ``remote_path`` to the local file ``local_path`` (created or
    replaced), streamed (memory use does not grow with the file's size).

    ``on_progress(done, total)`` is as for :meth:`upload`; ``total`` is the size the sandbox
    announced (None if it did not). ``timeout`` bounds each wait for data, not the whole
    transfer.
    """
    remote = _args.check_path("remote_path", remote_path)
    local = _args.check_path("local_path", local_path)
    timeout = _args.check_seconds("timeout", timeout)
    progress = _args.check_callback("on_progress", on_progress)
    await call(self._native.files_download, remote, local, timeout, progress)


async def watch(
    self: Resource, path: "_PathArg" = "/workspace", timeout: "Optional[float]" = None
) -> FileWatch:
    """Watches the folder ``path`` (not recursive) and returns the :class:`hopx_ai.FileWatch`
    of its changes, once the agent watches it: iterate it with ``for`` or ``async for``.
    ``timeout`` bounds starting the watch, not its life.
    """
    path = _args.check_path("path", path)
    timeout = _args.check_seconds("timeout", timeout)
    return FileWatch(await call(self._native.files_watch, path, timeout))


def _watch_async(
    self: Resource, path: "_PathArg" = "/workspace", timeout: "Optional[float]" = None
) -> FileWatch:
    """Watches the folder ``path`` (not recursive): ``await`` the result to start the watch
    (then no later change is missed), or ``async for`` over it straight away, which starts
    it at the first step, as the official SDK's async generator does. ``timeout`` bounds
    starting the watch, not its life.
    """
    path = _args.check_path("path", path)
    timeout = _args.check_seconds("timeout", timeout)
    native = self._native
    return FileWatch(open_async=lambda: native.files_watch_async(path, timeout))


class Files(Resource):
    """``sandbox.files`` of a :class:`hopx_ai.Sandbox`: each call blocks with the GIL
    released."""

    __slots__ = ()

    read = blocking(read)
    read_bytes = blocking(read_bytes)
    write = blocking(write)
    write_bytes = blocking(write_bytes)
    list = blocking(list)
    exists = blocking(exists)
    remove = blocking(remove)
    mkdir = blocking(mkdir)
    upload = blocking(upload)
    download = blocking(download)
    watch = blocking(watch)


class AsyncFiles(Resource):
    """``sandbox.files`` of an :class:`hopx_ai.AsyncSandbox`: each call is a coroutine."""

    __slots__ = ()

    read = awaiting(read)
    read_bytes = awaiting(read_bytes)
    write = awaiting(write)
    write_bytes = awaiting(write_bytes)
    list = awaiting(list)
    exists = awaiting(exists)
    remove = awaiting(remove)
    mkdir = awaiting(mkdir)
    upload = awaiting(upload)
    download = awaiting(download)
    # The official async watch is an async generator: usable with `async for` unawaited.
    watch = _watch_async

"""The kernel runner's descriptors and frames (see ``PROTOCOL.md``): moving the protocol pipes
out of user code's way, unbuffered writers for fds 1 and 2, and the length-prefixed JSON frames.
Only the standard library, imported before IPython so the pipes move first.
"""

import base64
import contextlib
import fcntl
import io
import json
import os
import struct
import sys

REQUEST_FD = 3  # where the engine places the protocol pipes; moved away at start
REPLY_FD = 4
PRIVATE_FD_MIN = 100  # the runner's own descriptors sit at or above this
HEADER = struct.Struct(">I")
MAX_FRAME = 16 * 1024 * 1024  # the engine takes a bigger frame for a broken channel
READ_CHUNK = 1 << 20  # os.read allocates what it is asked for: never trust a length for that


def write_all(fd, data):
    """Writes every byte (a signal can cut a large pipe write short); returns how many."""
    view = memoryview(data).cast("B")
    size = len(view)
    while view:
        view = view[os.write(fd, view) :]
    return size


class FdWriter(io.RawIOBase):
    """The byte layer under ``sys.stdout``/``sys.stderr``: no buffer, straight to the fd.

    With it a print is on the pipe when ``print`` returns, so nothing is lost when the process
    is killed or calls ``os._exit``.
    """

    def __init__(self, fd):
        super().__init__()
        self.fd = fd

    def writable(self):
        return True

    def fileno(self):
        return self.fd

    def write(self, data):
        return write_all(self.fd, data)


def text_stream(fd):
    return io.TextIOWrapper(
        FdWriter(fd), encoding="utf-8", errors="backslashreplace", write_through=True
    )


def flush_streams():
    """Flushes whatever ``sys.stdout``/``sys.stderr`` are now (user code may replace them)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def read_exactly(fd, size):
    """Returns ``size`` bytes from ``fd``, or None at end of file."""
    chunks = []
    while size:
        chunk = os.read(fd, min(size, READ_CHUNK))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def private_copy(fd):
    """A close-on-exec duplicate of ``fd`` numbered high, where user code does not reach by
    accident (it writes to fd 4, closes fds 1 and 2, or dup2s onto small numbers)."""
    try:
        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, PRIVATE_FD_MIN)
    except OSError:  # RLIMIT_NOFILE is below PRIVATE_FD_MIN: above fd 4 will do
        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, REPLY_FD + 1)


def identity(fd):
    """What ``fd`` refers to, to notice that it was closed or replaced (None if closed)."""
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class Pipes:
    """The runner's own descriptors: the protocol pipes and copies of the output pipes.

    The protocol pipes leave fds 3 and 4, which then point at /dev/null (close-on-exec), so user
    code writing to fd 4 or reading fd 3 reaches nothing. The copies of fds 1 and 2 carry the
    sentinels and put those fds back when a cell closed or redirected them, so one cell's
    mistake never silences the next cells or hides the end of its own output.
    """

    def __init__(self):
        self.requests = private_copy(REQUEST_FD)
        self.replies = private_copy(REPLY_FD)
        self.outputs = (private_copy(1), private_copy(2))
        self.identities = (identity(1), identity(2))
        null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
        for fd in (REQUEST_FD, REPLY_FD):
            os.dup2(null, fd, inheritable=False)
        os.close(null)

    def restore_outputs(self):
        """Puts back fds 1 and 2 and ``sys.stdout``/``sys.stderr`` if closed or replaced (a
        stream the user set and left open stays); returns the names of what it put back."""
        restored = []
        for fd, name, private, ident in zip(
            (1, 2), ("stdout", "stderr"), self.outputs, self.identities
        ):
            stream = getattr(sys, name)
            closed = stream is None or getattr(stream, "closed", False)
            if closed:
                setattr(sys, name, text_stream(fd))
            moved = identity(fd) != ident
            if moved:
                with contextlib.suppress(OSError):  # our copy is gone too: the engine sees it
                    os.dup2(private, fd)
            if closed or moved:
                restored.append(name)
        return restored


def encode(message):
    body = json.dumps(message, ensure_ascii=False, allow_nan=False, default=jsonable)
    # "replace" turns lone surrogates (from undecodable text) into "?" so the frame stays
    # valid UTF-8 for the engine.
    return body.encode("utf-8", "replace")


def jsonable(value):
    """JSON fallback for payloads IPython leaves as Python objects."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode("ascii")
    return str(value)

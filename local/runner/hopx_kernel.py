"""The Python kernel of a HopX ``code-interpreter`` sandbox.

The engine (``hopx-local``) keeps one of these alive per sandbox, so state survives between
``run_code`` calls. User code runs in IPython's ``InteractiveShell`` (the engine inside ipykernel);
the runner talks to the engine over inherited pipes. It needs only the standard library and
IPython >= 8 on Python >= 3.9; matplotlib and pandas are imported only by user code.

Start ``<python> -I -u hopx_kernel.py`` (or ``-c <source>``; both flags are optional) with
fd 0 = /dev/null, fds 1 and 2 = pipes the engine reads (the cells' stdout and stderr; programs the
code starts write there too), fd 3 = requests (read end), fd 4 = messages (write end). Unless
already set, IPYTHONDIR becomes a temporary directory (removed at exit) and MPLBACKEND matplotlib's
inline backend. Exit status 2 before ``ready``: IPython is missing or older than 8; the reason is on
stderr.

User code runs in this process, so the runner keeps the channel out of its way. At start it moves
the two protocol pipes to private close-on-exec descriptors (numbered 100 or more, or just above 4
when RLIMIT_NOFILE is lower) and points fds 3 and 4 at /dev/null (close-on-exec):
``os.write(4, ...)`` or a cell reading fd 3 reaches nothing, and programs the code starts inherit
neither. It keeps private copies of the stdout and stderr pipes too, writes the sentinels through
them, and after each cell puts fds 1 and 2 (and ``sys.stdout``/``sys.stderr`` if closed) back if
the cell closed or redirected them. This guards against mistakes, not against code set on lying:
code in this process can always find the runner's objects (and so the nonce of its own call).
The engine checks what it can (see "nonce" below) and restarts the kernel when the channel cannot
be trusted.

Frames on both pipes: a 4-byte big-endian unsigned length, then that many bytes of UTF-8 JSON
holding one object. A frame from the runner is at most 16 MiB (MAX_FRAME, the engine's limit too).

1. runner -> engine, once, when the shell is built::

       {"type": "ready", "pid": 123, "python": "3.11.7", "ipython": "9.18.1"}

2. engine -> runner::

       {"type": "execute", "id": 7, "code": "...", "cwd": "/workspace/sub",
        "env": {"K": "V"}, "sentinel": "<random token>", "nonce": "<random token>"}

   ``cwd`` (created if missing) and ``env`` are optional and apply to this call only: afterwards
   the previous directory is restored and each key of ``env`` gets back its previous value, or is
   removed. Other request types are ignored; a frame that is not JSON ends the runner (status 1).
   Every frame the runner sends for this call carries its ``id`` and ``nonce``; the engine treats
   a frame with the current id and another nonce as a broken channel.

3. engine -> runner, when a call has shown nothing for a while::

       {"type": "probe", "id": 7, "nonce": "..."}

   A busy runner reads it only after the cell and ignores it (its last call is 7). An idle runner
   reads it at once: if it never received call 7 (user code read the request off the pipe), it
   answers ``{"type": "missed", "id": 7, "nonce": "..."}`` and the engine restarts the kernel
   instead of waiting for the call's timeout. It costs nothing per call.

4. runner -> engine, while the cell runs, for each rich output in order::

       {"type": "display", "id": 7, "nonce": "...", "kind": "display" | "result",
        "data": {"image/png": "<base64>", "text/plain": "..."}, "metadata": {...}}

   ``kind`` is "result" for the value of the last expression (also when it is only text/plain),
   "display" for ``display()`` and matplotlib figures. ``data`` maps MIME type to payload: text
   as a string, PNG/JPEG as base64, JSON as a JSON value. An output whose frame would pass
   MAX_FRAME is replaced by ``{"type": "dropped", "id": 7, "nonce": "...", "bytes": <its size>}``.
   A thread of the user's may display after its cell ended: such frames carry the id and nonce
   of the last cell and come after its ``done`` (the engine drops them).

5. runner -> engine, when the cell ends: ``sys.stdout`` and ``sys.stderr`` are flushed, fds 1
   and 2 are put back if needed, the sentinel is written raw to the stdout pipe and then the
   stderr pipe (the end of this cell's output on each), then::

       {"type": "done", "id": 7, "nonce": "...", "success": false, "execution_count": 3,
        "error": {"name": "ZeroDivisionError", "value": "division by zero",
                  "traceback": "<plain text>"},
        "restored": ["stdout"]}

   ``error`` is null on success; its strings are cut to ERROR_CHARS characters each. A failed
   cell's traceback (plain text, no ANSI codes) is also on stderr, before the sentinel. An
   interrupt is reported as "KeyboardInterrupt". ``restored`` is there only when the cell left
   fd 1 or 2 (or ``sys.stdout``/``sys.stderr``) closed or pointing elsewhere.

6. At end of file on the request pipe the runner exits with status 0.

SIGINT interrupts the running cell and is ignored at any other time: it never cuts a frame or
kills an idle runner. A cell that ignores SIGINT cannot be interrupted (the engine kills the
runner). A SIGINT that lands just before a blocking call starts (say between a print and a sleep)
takes effect only when the call returns, a CPython limitation: the engine should repeat SIGINT
every ~100 ms until ``done`` or its grace period ends. stdout and stderr are never buffered here,
so whatever was printed before the runner dies (``os._exit``, a signal, OOM) is on the pipes.
"""

import base64
import contextlib
import faulthandler
import fcntl
import importlib.util
import io
import json
import os
import re
import signal
import struct
import sys
import tempfile
import threading

REQUEST_FD = 3  # where the engine places the protocol pipes; moved away at start
REPLY_FD = 4
PRIVATE_FD_MIN = 100  # the runner's own descriptors sit at or above this
HEADER = struct.Struct(">I")
MAX_FRAME = 16 * 1024 * 1024  # the engine takes a bigger frame for a broken channel
ERROR_CHARS = 256 * 1024  # per string of a `done` error, so that frame stays far below MAX_FRAME
READ_CHUNK = 1 << 20  # os.read allocates what it is asked for: never trust a length for that
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

try:
    import IPython
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    if IPython.version_info < (8,):
        raise ImportError("IPython %s is too old" % IPython.__version__)
except ImportError as missing:
    # The engine sees exit status 2 before `ready` and shows this line to the user.
    sys.stderr.write("hopx kernel: %s. Install IPython >= 8 for %s: pip install 'hopx_ai[local]'\n"
                     % (missing, sys.executable))
    sys.exit(2)


def write_all(fd, data):
    """Writes every byte (a signal can cut a large pipe write short); returns how many."""
    view = memoryview(data).cast("B")
    size = len(view)
    while view:
        view = view[os.write(fd, view):]
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
        for fd, name, private, ident in zip((1, 2), ("stdout", "stderr"), self.outputs,
                                            self.identities):
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


class Runner:
    """Reads requests, runs cells one at a time and reports their outputs."""

    def __init__(self, pipes):
        self.pipes = pipes
        self.main_thread = threading.get_ident()
        self.pid = os.getpid()
        self.lock = threading.Lock()  # one frame at a time, also from user threads
        # (id, nonce) of the running or last cell, as one value: a user thread reading it while
        # a new cell starts must never pair one cell's id with another's nonce.
        self.call = (None, None)
        self.in_cell = False  # SIGINT raises KeyboardInterrupt only while this is true
        self.sending = False  # the main thread is writing a frame: defer the interrupt
        self.deferred = False
        self.error = None  # the structured error of the running cell, once it failed
        self.shell = None
        self.own_ipython_dir = None  # removed at exit

    def on_sigint(self, signum, frame):
        if not self.in_cell:
            return
        if self.sending:
            self.deferred = True
            return
        raise KeyboardInterrupt

    def send(self, message):
        if os.getpid() != self.pid:
            return  # a process the cell forked shares our pipes but not our lock: it stays quiet
        frame = encode(message)
        if len(frame) > MAX_FRAME:
            frame = encode({"type": "dropped", "id": message.get("id"),
                            "nonce": message.get("nonce"), "bytes": len(frame)})
        frame = HEADER.pack(len(frame)) + frame
        main = threading.get_ident() == self.main_thread
        with self.lock:
            if main:
                self.sending = True
            try:
                write_all(self.pipes.replies, frame)
            finally:
                if main:
                    self.sending = False
        if main and self.deferred:
            self.deferred = False
            if self.in_cell:
                raise KeyboardInterrupt

    def display(self, data, metadata, kind):
        cell_id, nonce = self.call
        message = {"type": "display", "id": cell_id, "nonce": nonce, "kind": kind,
                   "data": data, "metadata": metadata or {}}
        try:
            self.send(message)
        except (ValueError, RecursionError):
            # NaN or a cycle in a user's MIME bundle: keep the text rather than lose the output.
            message["data"] = {"text/plain": str(data.get("text/plain", ""))}
            message["metadata"] = {}
            self.send(message)

    def run(self):
        signal.signal(signal.SIGINT, self.on_sigint)
        self.shell = build_shell(self)
        # IPython's first cell pays ~50-150 ms of lazy set-up (compiler, AST passes, hooks): pay
        # it here, while the kernel waits in the pool, not in the sandbox's first run_code.
        self.shell.run_cell("pass", store_history=False, silent=True)
        self.send({"type": "ready", "pid": self.pid,
                   "python": "%d.%d.%d" % sys.version_info[:3],
                   "ipython": IPython.__version__})
        while True:
            header = read_exactly(self.pipes.requests, HEADER.size)
            body = header and read_exactly(self.pipes.requests, HEADER.unpack(header)[0])
            if body is None:
                return  # the engine closed the pipe (or went away mid-frame): stop
            request = json.loads(body)
            if request.get("type") == "execute":
                self.execute(request)
            elif request.get("type") == "probe" and request.get("id") != self.call[0]:
                # Idle, and that call never came: a user thread read it off the pipe.
                self.send({"type": "missed", "id": request.get("id"),
                           "nonce": request.get("nonce")})

    def execute(self, request):
        cell_id, nonce = self.call = (request.get("id"), request.get("nonce"))
        self.error = None
        success, count = False, self.shell.execution_count
        try:
            with call_scope(request.get("cwd"), request.get("env") or {}):
                self.in_cell = True
                forget_missing_folders()
                try:
                    result = self.shell.run_cell(request.get("code", ""), store_history=True)
                finally:
                    self.in_cell = False
                    # The cell may have set its own handler (or SIG_IGN); idle, ours must rule.
                    signal.signal(signal.SIGINT, self.on_sigint)
            success = result.success
            count = result.execution_count
            if not success and self.error is None:
                # IPython reported it without a traceback (UsageError, exception groups).
                failure = result.error_before_exec or result.error_in_exec
                self.error = error_of(type(failure), failure, None)
        except BaseException as failure:  # an interrupt outside user code, a bad cwd or env
            signal.signal(signal.SIGINT, self.on_sigint)
            success = False
            self.report(failure)
        if os.getpid() != self.pid:
            os._exit(0)  # a child the cell forked came back here: it must not speak for us
        flush_streams()
        restored = self.pipes.restore_outputs()
        sentinel = str(request.get("sentinel", "")).encode("utf-8")
        for fd in self.pipes.outputs:
            with contextlib.suppress(OSError):  # user code closed our copy: the engine notices
                write_all(fd, sentinel)
        done = {"type": "done", "id": cell_id, "nonce": nonce, "success": success,
                "error": None if success else self.error, "execution_count": count}
        if restored:
            done["restored"] = restored
        self.send(done)

    def report(self, failure):
        """Records a failure IPython did not see and prints it like IPython would."""
        import traceback

        lines = traceback.format_exception(type(failure), failure, failure.__traceback__)
        text = "".join(lines).rstrip("\n")
        with contextlib.suppress(Exception):
            print(text, file=sys.stderr)
        self.error = error_of(type(failure), failure, text)

    def shutdown(self):
        with contextlib.suppress(Exception):
            self.shell.atexit_operations()
        if self.own_ipython_dir:
            import shutil

            shutil.rmtree(self.own_ipython_dir, ignore_errors=True)


def forget_missing_folders():
    """Python remembers import folders that did not exist when it first searched them (the
    sandbox's user base before its first `pip install`): forget that before each cell, so a
    package installed by an earlier cell or command imports."""
    cache = sys.path_importer_cache
    for folder in [f for f, finder in cache.items() if finder is None]:
        del cache[folder]


def error_of(etype, value, traceback):
    """The ``error`` of a ``done`` frame; the traceback defaults to the exception's last line."""
    try:
        text = str(value)
    except Exception:  # a user's exception whose __str__ fails
        text = "<unprintable %s>" % etype.__name__
    if traceback is None:
        traceback = "%s: %s" % (etype.__name__, text)
    return {"name": clip(etype.__name__), "value": clip(text), "traceback": clip(traceback)}


def clip(text):
    """At most ERROR_CHARS characters: the whole text is on stderr, capped by the engine."""
    return text if len(text) <= ERROR_CHARS else text[:ERROR_CHARS] + "... [cut]"


@contextlib.contextmanager
def call_scope(cwd, env):
    """Applies a call's working directory and environment, and undoes both afterwards."""
    saved_env = {key: os.environ.get(key) for key in env}
    saved_cwd = None
    try:
        for key, value in env.items():
            os.environ[key] = str(value)
        if cwd:
            with contextlib.suppress(OSError):  # the old directory may have been deleted
                saved_cwd = os.getcwd()
            os.makedirs(cwd, exist_ok=True)
            os.chdir(cwd)
        yield
    finally:
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if saved_cwd is not None:
            with contextlib.suppress(OSError):
                os.chdir(saved_cwd)


class FramePublisher(DisplayPublisher):
    """``display()`` and friends: one ``display`` frame per call."""

    def publish(self, data, metadata=None, *args, **kwargs):
        self.shell.runner.display(data, metadata, "display")

    def clear_output(self, wait=False):
        pass  # the base class prints ANSI codes; a sandbox's output cannot be cleared


class ResultHook(DisplayHook):
    """The last expression's value: a ``result`` frame instead of ``Out[n]:`` text."""

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self.shell.runner.display(format_dict, md_dict, "result")

    def finish_displayhook(self):
        pass


# Where an interrupt can surface inside the runner (see Shell._get_exc_info).
RUNNER_FRAMES = {Runner.on_sigint.__code__, Runner.send.__code__, Runner.display.__code__,
                 FdWriter.write.__code__, write_all.__code__}


class Shell(InteractiveShell):
    """IPython's shell with every output turned into frames or plain text on fds 1 and 2."""

    runner = None
    display_pub_class = FramePublisher
    displayhook_class = ResultHook

    # `!cmd` runs with our fds 1 and 2 (the default uses pexpect and a pseudo-terminal).
    system = InteractiveShell.system_raw

    def _get_exc_info(self, exc_tuple=None):
        # An interrupt is raised in the runner's SIGINT handler (perhaps inside its stdout
        # writer); cut those frames so the traceback ends at the user's line, as in Jupyter.
        etype, value, tb = super()._get_exc_info(exc_tuple)
        link = tb
        while link is not None and link.tb_next is not None:
            if link.tb_next.tb_frame.f_code in RUNNER_FRAMES:
                link.tb_next = None
            link = link.tb_next
        return etype, value, tb

    def enable_gui(self, gui=None):
        if gui not in (None, "inline"):
            raise RuntimeError("a sandbox has no GUI; use %matplotlib inline")

    def ask_exit(self):
        """exit() and quit() do nothing: the kernel lives as long as its sandbox."""

    def _showtraceback(self, etype, evalue, stb):
        text = ANSI.sub("", self.InteractiveTB.stb2text(stb)).rstrip("\n")
        print(text, file=sys.stderr)
        self.runner.error = error_of(etype, evalue, text)


def show_in_pager(shell, data, start=0, screen_lines=0):
    """``obj?`` output: printed, since no one can scroll a pager here."""
    text = data.get("text/plain", "") if isinstance(data, dict) else str(data)
    print(text)


def build_shell(runner):
    # The profile directory goes to a private temporary directory: HOME may be read-only, and
    # nothing in it is wanted. Figures are drawn with Agg and shown inline by the backend that
    # ships with IPython (matplotlib reads this when user code imports pyplot).
    if "IPYTHONDIR" not in os.environ:
        os.environ["IPYTHONDIR"] = runner.own_ipython_dir = tempfile.mkdtemp(prefix="hopx-ipython-")
    if importlib.util.find_spec("matplotlib_inline"):
        os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    config = Config()
    # No SQLite history file, which would need a writable profile and a saving thread.
    config.HistoryManager.enabled = False
    config.HistoryManager.hist_file = ":memory:"
    # "nocolor" is a valid value in IPython 8 (case-insensitive enum) and 9 (theme name).
    shell = Shell.instance(config=config, colors="nocolor")
    shell.runner = runner
    shell.set_hook("show_in_pager", show_in_pager)
    # User code imports modules from its working directory, as in Jupyter; the runner's own
    # directory (on sys.path without -I) has nothing for it.
    here = os.path.dirname(os.path.abspath(sys.argv[0] or ""))
    if sys.path and sys.path[0] == here:
        sys.path[0] = ""
    elif "" not in sys.path:
        sys.path.insert(0, "")
    return shell


def main():
    # First of all, before any code of the user's or of IPython runs.
    pipes = Pipes()
    # Write-through streams on fds 1 and 2, whatever -u said; `errors` keeps odd text printable.
    sys.stdout = sys.__stdout__ = text_stream(1)
    sys.stderr = sys.__stderr__ = text_stream(2)
    # A crash in C code (segfault, abort) leaves the Python stack on stderr before the process dies.
    faulthandler.enable(sys.stderr)
    runner = Runner(pipes)
    try:
        runner.run()
    finally:
        runner.shutdown()
    # os._exit: a user thread that never ends must not keep the process alive after EOF.
    flush_streams()
    os._exit(0)


if __name__ == "__main__":
    main()

"""The Python kernel of a HopX ``code-interpreter`` sandbox: IPython's shell, driven by the engine
over inherited pipes, one cell at a time. What it reads and writes, how it is started and how it
guards its channel against the code it runs: ``PROTOCOL.md`` beside this file. The pipes and
frames themselves are in ``kernel_pipes.py``.
"""

import contextlib
import faulthandler
import importlib.util
import json
import os
import re
import signal
import sys
import tempfile
import threading

from kernel_pipes import (
    HEADER,
    MAX_FRAME,
    FdWriter,
    Pipes,
    encode,
    flush_streams,
    read_exactly,
    text_stream,
    write_all,
)

ERROR_CHARS = 256 * 1024  # per string of a `done` error, so that frame stays far below MAX_FRAME
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
    sys.stderr.write(
        "hopx kernel: %s. Install IPython >= 8 for %s: pip install 'hopx_ai[local]'\n"
        % (missing, sys.executable)
    )
    sys.exit(2)


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
            frame = encode(
                {
                    "type": "dropped",
                    "id": message.get("id"),
                    "nonce": message.get("nonce"),
                    "bytes": len(frame),
                }
            )
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
        message = {
            "type": "display",
            "id": cell_id,
            "nonce": nonce,
            "kind": kind,
            "data": data,
            "metadata": metadata or {},
        }
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
        self.send(
            {
                "type": "ready",
                "pid": self.pid,
                "python": "%d.%d.%d" % sys.version_info[:3],
                "ipython": IPython.__version__,
            }
        )
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
                self.send(
                    {"type": "missed", "id": request.get("id"), "nonce": request.get("nonce")}
                )

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
        done = {
            "type": "done",
            "id": cell_id,
            "nonce": nonce,
            "success": success,
            "error": None if success else self.error,
            "execution_count": count,
        }
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
RUNNER_FRAMES = {
    Runner.on_sigint.__code__,
    Runner.send.__code__,
    Runner.display.__code__,
    FdWriter.write.__code__,
    write_all.__code__,
}


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
    # User code imports modules from its working directory, as in Jupyter (`-c` puts it on
    # sys.path, `-I` does not).
    if "" not in sys.path:
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

"""Starts the kernel runner the way the engine does and speaks its protocol (test helper).

fds 3 and 4 are set up with ``posix_spawn`` dup2 actions: the same thing the engine does in its
child, without a ``preexec_fn`` (unsafe while reader threads run in this process).
"""

import fcntl
import json
import os
import select
import struct
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
# What the engine runs: ``-c`` with the boot program, then the text of the two modules it loads.
RUNNER = [(HERE / name).read_text() for name in ("boot.py", "kernel_pipes.py", "hopx_kernel.py")]
HEADER = struct.Struct(">I")


def high_fd(fd):
    """A copy of ``fd`` numbered 10 or more, so the dup2 actions onto 0-4 cannot clobber it."""
    copy = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return copy


class Stream(threading.Thread):
    """Reads one of the kernel's output pipes continuously, as the engine does."""

    def __init__(self, fd):
        super().__init__(daemon=True)
        self.fd = fd
        self.data = bytearray()
        self.changed = threading.Condition()
        self.start()

    def run(self):
        while True:
            chunk = os.read(self.fd, 1 << 16)
            with self.changed:
                if not chunk:
                    self.eof = True
                    self.changed.notify_all()
                    os.close(self.fd)
                    return
                self.data += chunk
                self.changed.notify_all()

    def take_until(self, sentinel, timeout):
        """Everything before ``sentinel``, removing both from the buffer."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                at = self.data.find(sentinel)
                if at >= 0:
                    text = bytes(self.data[:at])
                    del self.data[: at + len(sentinel)]
                    return text.decode("utf-8", "replace")
                if getattr(self, "eof", False) or time.monotonic() > deadline:
                    raise TimeoutError("no sentinel; got %r" % bytes(self.data[-300:]))
                self.changed.wait(deadline - time.monotonic())

    def wait_for(self, needle, timeout):
        deadline = time.monotonic() + timeout
        with self.changed:
            while needle not in self.data:
                if time.monotonic() > deadline:
                    return False
                self.changed.wait(deadline - time.monotonic())
            return True

    def text(self):
        with self.changed:
            return bytes(self.data).decode("utf-8", "replace")


class Result:
    def __init__(self, stdout, stderr, frames, done, seconds):
        self.stdout, self.stderr, self.done, self.seconds = stdout, stderr, done, seconds
        self.displays = [f for f in frames if f.get("kind") == "display"]
        self.results = [f for f in frames if f.get("kind") == "result"]
        self.dropped = [f for f in frames if f["type"] == "dropped"]
        self.frames = frames

    @property
    def success(self):
        return self.done["success"]

    @property
    def error(self):
        return self.done["error"]


class Kernel:
    def __init__(self, python, env=None, argv=("-I", "-u"), wait_ready=True):
        child_req, self.requests = os.pipe()
        self.replies, child_rep = os.pipe()
        out_r, child_out = os.pipe()
        err_r, child_err = os.pipe()
        child = [high_fd(fd) for fd in (child_out, child_err, child_req, child_rep)]
        actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)]
        actions += [(os.POSIX_SPAWN_DUP2, fd, target) for fd, target in zip(child, (1, 2, 3, 4))]
        self.started = time.monotonic()
        self.pid = os.posix_spawn(
            python,
            [python, *argv, "-c", *RUNNER],
            env if env is not None else dict(os.environ),
            file_actions=actions,
        )
        for fd in child:
            os.close(fd)
        self.stdout, self.stderr = Stream(out_r), Stream(err_r)
        self.status = None
        self.next_id = 0
        if wait_ready:
            self.ready = self.read_frame(timeout=30)
            self.ready_seconds = time.monotonic() - self.started

    # -- frames --------------------------------------------------------------------------
    def send(self, message):
        body = json.dumps(message).encode()
        os.write(self.requests, HEADER.pack(len(body)) + body)

    def read_exactly(self, size, deadline):
        data = b""
        while len(data) < size:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.replies], [], [], left)[0]:
                raise TimeoutError("no frame from the kernel")
            chunk = os.read(self.replies, size - len(data))
            if not chunk:
                raise EOFError("kernel closed fd 4")
            data += chunk
        return data

    def read_frame(self, timeout=10):
        deadline = time.monotonic() + timeout
        (size,) = HEADER.unpack(self.read_exactly(HEADER.size, deadline))
        return json.loads(self.read_exactly(size, deadline))

    def read_output(self, timeout=10):
        """The next frame of the current call, checked to carry its id and nonce."""
        frame = self.read_frame(timeout)
        assert (frame["id"], frame["nonce"]) == self.current, frame
        return frame

    # -- calls ---------------------------------------------------------------------------
    def start(self, code, cwd=None, env=None):
        """Sends an execute request; returns a handle for :meth:`finish`."""
        self.next_id += 1
        sentinel = "\x00HOPX-END-%s\x00" % uuid.uuid4().hex
        self.current = (self.next_id, uuid.uuid4().hex)
        request = {
            "type": "execute",
            "id": self.next_id,
            "code": code,
            "sentinel": sentinel,
            "nonce": self.current[1],
        }
        if cwd is not None:
            request["cwd"] = str(cwd)
        if env is not None:
            request["env"] = env
        began = time.monotonic()
        self.send(request)
        return self.next_id, sentinel, began

    def finish(self, handle, timeout=30):
        cell_id, sentinel, began = handle
        frames = []
        while True:
            frame = self.read_output(timeout)
            if frame["type"] == "done":
                break
            assert frame["type"] in ("display", "dropped"), frame
            frames.append(frame)
        mark = sentinel.encode()
        stdout = self.stdout.take_until(mark, timeout)
        stderr = self.stderr.take_until(mark, timeout)
        return Result(stdout, stderr, frames, frame, time.monotonic() - began)

    def execute(self, code, cwd=None, env=None, timeout=30):
        return self.finish(self.start(code, cwd, env), timeout)

    # -- process -------------------------------------------------------------------------
    def interrupt(self):
        os.kill(self.pid, 2)

    def wait(self, timeout=10):
        """The exit code (negative for a signal), or None if still running after ``timeout``."""
        deadline = time.monotonic() + timeout
        while self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
            elif time.monotonic() > deadline:
                return None
            else:
                time.sleep(0.01)
        return self.status

    def alive(self):
        return self.wait(timeout=0) is None

    def close_requests(self):
        if self.requests is not None:
            os.close(self.requests)
            self.requests = None

    def rss_kb(self):
        with open("/proc/%d/status" % self.pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])

    def kill(self):
        if self.status is None:
            os.kill(self.pid, 9)
            self.wait()
        self.close_requests()
        if self.replies is not None:
            os.close(self.replies)
            self.replies = None

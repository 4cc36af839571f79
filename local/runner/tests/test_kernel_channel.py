"""The runner keeps its channel and each call's output apart from what user code does to fds.

User code runs in the runner's process; these cells do what sloppy or hostile code does to
fds 1-4 and check that the engine side (this test, reading the real pipes) sees no fake frames,
no lost sentinels and no leftovers in the next call.
"""

import fcntl
import select
import struct
import termios
import time

import pytest
from kernel_process import Kernel
from test_kernel_runner import PYTHON, engine_env


@pytest.fixture
def fresh(tmp_path):
    k = Kernel(PYTHON, engine_env(tmp_path))
    yield k
    k.kill()


def quiet(kernel):
    """No frame is waiting on the message pipe."""
    return not select.select([kernel.replies], [], [], 0.2)[0]


def test_fds_3_and_4_lead_nowhere(fresh):
    r = fresh.execute(
        "import os\n"
        "print(os.path.realpath('/proc/self/fd/3'), os.path.realpath('/proc/self/fd/4'))\n"
        "print(os.read(3, 100))\n"
        'os.write(4, b\'\\x00\\x00\\x00\\x11{"type": "done"}\')\n'
        "os.write(4, b'\\xff\\xff\\xff\\xff garbage')\n"
        "raise ValueError('the real outcome')"
    )
    assert r.stdout == "/dev/null /dev/null\nb''\n"
    assert r.success is False and r.error["name"] == "ValueError"
    assert quiet(fresh)
    assert fresh.execute("print('next')").stdout == "next\n"


def test_protocol_pipes_are_private_and_not_inherited(fresh):
    r = fresh.execute(
        "import os, stat\n"
        "def pipe(fd):\n"
        "    try:\n"
        "        return stat.S_ISFIFO(os.fstat(fd).st_mode)\n"
        "    except OSError:\n"
        "        return False\n"
        "ours = [fd for fd in range(5, 110) if pipe(fd)]\n"
        "print(ours, [os.get_inheritable(fd) for fd in ours + [3, 4]])\n"
        "os.system('for fd in 3 4 100 101 102 103; do [ -e /proc/self/fd/$fd ] && echo $fd; done;"
        " echo checked')"
    )
    assert r.success, r.stderr
    assert r.stdout == "[100, 101, 102, 103] [False, False, False, False, False, False]\nchecked\n"


def test_closed_stdout_and_stderr_are_put_back(fresh):
    r = fresh.execute("import os\nprint('before', flush=True)\nos.close(1)\nos.close(2)")
    assert r.success and r.stdout == "before\n"
    assert r.done["restored"] == ["stdout", "stderr"]
    r = fresh.execute(
        "import sys\nprint('out')\nprint('err', file=sys.stderr)\nos.system('echo child')"
    )
    assert (r.stdout, r.stderr) == ("out\nchild\n", "err\n")
    assert "restored" not in r.done


def test_redirected_stdout_is_put_back(fresh):
    r = fresh.execute("import os\nos.dup2(os.open('/dev/null', os.O_WRONLY), 1)\nprint('lost')")
    assert r.success and r.stdout == ""
    assert r.done["restored"] == ["stdout"]
    assert fresh.execute("print('found')").stdout == "found\n"


def test_closed_sys_stdout_is_replaced(fresh):
    r = fresh.execute("import sys\nsys.stdout.close()")
    assert r.success and r.done["restored"] == ["stdout"]
    assert fresh.execute("print('again')").stdout == "again\n"


def test_a_stream_the_user_set_stays(fresh):
    r = fresh.execute("import io, sys\nkeep = io.StringIO()\nsys.stdout = keep")
    assert r.success and "restored" not in r.done
    assert fresh.execute("print('into keep')").stdout == ""
    r = fresh.execute("sys.stdout = sys.__stdout__\nprint(keep.getvalue(), end='')")
    assert r.stdout == "into keep\n"


def test_an_output_too_big_for_a_frame_is_named_not_sent(fresh):
    r = fresh.execute(
        "display({'text/plain': 'x' * (17 << 20)}, raw=True)\n"
        "display({'text/plain': 'small'}, raw=True)",
        timeout=60,
    )
    assert r.success
    assert len(r.dropped) == 1 and r.dropped[0]["bytes"] > 16 << 20
    assert [f["data"] for f in r.displays] == [{"text/plain": "small"}]


def test_a_huge_exception_keeps_the_done_frame_small(fresh):
    r = fresh.execute("raise ValueError('v' * (20 << 20))", timeout=60)
    assert r.success is False and r.error["name"] == "ValueError"
    assert len(r.error["value"]) < 300_000 and r.error["value"].endswith("[cut]")
    assert len(r.stderr) > 20 << 20  # the whole text is on stderr
    assert fresh.execute("print('fine')").stdout == "fine\n"


def test_a_probe_is_answered_only_for_a_call_the_runner_never_got(fresh):
    assert fresh.execute("print('ran')").stdout == "ran\n"
    fresh.send({"type": "probe", "id": fresh.next_id, "nonce": fresh.current[1]})
    assert quiet(fresh), "the last call ran: nothing to say"
    fresh.send({"type": "probe", "id": 99, "nonce": "n99"})
    assert fresh.read_frame() == {"type": "missed", "id": 99, "nonce": "n99"}
    assert fresh.execute("print('still fine')").stdout == "still fine\n"


def unread(fd):
    """Bytes waiting in the pipe whose write end is ``fd``."""
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def test_a_stolen_request_is_reported_as_missed(fresh):
    r = fresh.execute(
        "import os, threading, time\n"
        "def read_only(fd):\n"
        "    with open('/proc/self/fdinfo/%d' % fd) as info:\n"
        "        return int(info.read().split('flags:')[1].split()[0], 8) & 3 == os.O_RDONLY\n"
        "requests = [fd for fd in range(100, 104) if read_only(fd)]\n"
        "waiting = threading.Event()\n"
        "def thief():\n"
        "    waiting.set()\n"
        "    os.read(requests[0], 1 << 20)\n"
        "threading.Thread(target=thief, daemon=True).start()\n"
        "waiting.wait()\n"
        "time.sleep(0.2)  # into its read, ahead of the runner's\n"
        "print(requests)"
    )
    assert r.stdout == "[100]\n", r.stderr
    cell_id, _, _ = fresh.start("print('never runs')")
    while unread(fresh.requests):
        time.sleep(0.01)
    fresh.send({"type": "probe", "id": cell_id, "nonce": fresh.current[1]})
    assert fresh.read_frame() == {"type": "missed", "id": cell_id, "nonce": fresh.current[1]}

"""The ``hopx`` command, this package's console script. The command itself is the Rust one in
the native module (``cli/`` in the repository); this only hands it the arguments."""

import signal
import sys


def main() -> None:
    # Ctrl-C ends the command at once, as for any program: no Python frame runs meanwhile
    # that could raise KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    from . import _native

    # Sandbox code runs with this interpreter and its packages, as for the SDK's own calls.
    sys.exit(_native.cli_main(["hopx", *sys.argv[1:]], sys.executable))

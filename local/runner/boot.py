"""The program the engine hands to ``python -c``, followed by the text of ``kernel_pipes.py`` and
of ``hopx_kernel.py`` as its two arguments: no file of the runner has to exist in the sandbox.
``kernel_pipes`` becomes an importable module and the runner runs as ``__main__``.
"""

import sys
import types

pipes = types.ModuleType("kernel_pipes")
exec(compile(sys.argv.pop(1), "kernel_pipes.py", "exec"), pipes.__dict__)
sys.modules["kernel_pipes"] = pipes
runner = compile(sys.argv.pop(1), "hopx_kernel.py", "exec")
del pipes, types
exec(runner, {"__name__": "__main__", "__builtins__": __builtins__})

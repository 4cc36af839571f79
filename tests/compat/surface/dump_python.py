"""Prints, as JSON, the public names of the ``hopx_ai`` this interpreter imports: those of
``Sandbox`` and ``AsyncSandbox``, and the methods of each resource (``sandbox.files``,
``.commands``, ``.env``, ``.cache``, ``.terminal``). Run once with the official package and
once with ours; ``compare.py`` reads both."""

import json
import sys

from hopx_ai import AsyncSandbox, Sandbox


def public(obj):
    return sorted(n for n in dir(obj) if not n.startswith("_"))


# The resource classes are found through the module that defines each, since the official
# package makes its resources lazily (a handle is needed to reach them).
RESOURCES = {
    "files": ("hopx_ai.files", ("Files",)),
    "commands": ("hopx_ai.commands", ("Commands",)),
    "env": ("hopx_ai.env_vars", "hopx_ai.env", ("EnvironmentVariables", "Env")),
    "cache": ("hopx_ai.cache", ("Cache",)),
    "terminal": ("hopx_ai.terminal", ("Terminal",)),
}


def resource(*spec):
    *modules, classes = spec
    for name in modules:
        try:
            module = __import__(name, fromlist=["_"])
        except ImportError:
            continue
        for cls in classes:
            if hasattr(module, cls):
                return public(getattr(module, cls))
    return None


json.dump(
    {
        "Sandbox": public(Sandbox),
        "AsyncSandbox": public(AsyncSandbox),
        "resources": {k: resource(*v) for k, v in RESOURCES.items()},
    },
    sys.stdout,
)

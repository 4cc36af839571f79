"""``sandbox.env``: the sandbox-wide environment variables.

Every later ``run_code``, command and background run of the sandbox sees them, the kernel of a
``code-interpreter`` sandbox included (a variable set after the kernel started is in
``os.environ`` in the next cell). A run's own ``env=`` wins over them and applies to that run
only. ``Sandbox.create(env_vars=...)`` fills the same store.

Each method is defined once here; :class:`Env` makes it a blocking call for
:class:`hopx_ai.Sandbox`, :class:`AsyncEnv` a coroutine for :class:`hopx_ai.AsyncSandbox`.
``timeout`` (seconds) bounds each request; by default 60 s.
"""

from . import _args
from ._define import Resource, awaiting, blocking, call

__all__ = ["Env", "AsyncEnv"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional


async def get_all(self: Resource, *, timeout: "Optional[float]" = None) -> "Dict[str, str]":
    """Every sandbox-wide variable, as a dict of names to values.

    A HopX cloud agent may answer ``"***MASKED***"`` for values whose names look secret
    (``..._KEY``, ``..._TOKEN``); the local engine answers every value as it was set.
    """
    return await call(self._native.env_get_all, _args.check_seconds("timeout", timeout))


async def get(self: Resource, key: str, default: "Optional[str]" = None) -> "Optional[str]":
    """The value of the variable ``key``, or ``default`` when it is not set."""
    _args.check_str("key", key, optional=False)
    return (await call(self._native.env_get_all, None)).get(key, default)


async def set_all(
    self: Resource, env_vars: "Dict[str, str]", *, timeout: "Optional[float]" = None
) -> "Dict[str, str]":
    """Replaces every sandbox-wide variable by ``env_vars`` (the others are removed);
    returns all of them afterwards."""
    env_vars = _args.check_env("env_vars", env_vars) or {}
    timeout = _args.check_seconds("timeout", timeout)
    return await call(self._native.env_set_all, env_vars, timeout)


async def update(
    self: Resource, env_vars: "Dict[str, str]", *, timeout: "Optional[float]" = None
) -> "Dict[str, str]":
    """Sets the variables of ``env_vars``, keeping the others; returns all of them
    afterwards."""
    env_vars = _args.check_env("env_vars", env_vars) or {}
    timeout = _args.check_seconds("timeout", timeout)
    return await call(self._native.env_update, env_vars, timeout)


async def set(
    self: Resource, key: str, value: str, *, timeout: "Optional[float]" = None
) -> "Dict[str, str]":
    """Sets the variable ``key`` to ``value``, keeping the others; returns all of them
    afterwards."""
    _args.check_str("key", key, optional=False)
    _args.check_str("value", value, optional=False)
    timeout = _args.check_seconds("timeout", timeout)
    return await call(self._native.env_update, {key: value}, timeout)


async def delete(self: Resource, key: str, *, timeout: "Optional[float]" = None) -> None:
    """Removes the variable ``key``; nothing happens when it is not set.

    The agent can only replace all variables at once, so this reads them and writes back the
    others. When the agent masks some of those values, writing them back would replace the
    secrets by their mask: this raises :class:`hopx_ai.errors.ValidationError` instead (the
    official SDK overwrites them).
    """
    _args.check_str("key", key, optional=False)
    await call(self._native.env_delete, key, _args.check_seconds("timeout", timeout))


class Env(Resource):
    """``sandbox.env`` of a :class:`hopx_ai.Sandbox`: each call blocks with the GIL
    released."""

    __slots__ = ()

    get_all = blocking(get_all)
    get = blocking(get)
    set_all = blocking(set_all)
    update = blocking(update)
    set = blocking(set)
    delete = blocking(delete)


class AsyncEnv(Resource):
    """``sandbox.env`` of an :class:`hopx_ai.AsyncSandbox`: each call is a coroutine."""

    __slots__ = ()

    get_all = awaiting(get_all)
    get = awaiting(get)
    set_all = awaiting(set_all)
    update = awaiting(update)
    set = awaiting(set)
    delete = awaiting(delete)

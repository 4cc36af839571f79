"""``sandbox.cache``: the agent's cache of execution results.

On the local engine that cache is the store of finished background runs, whose status and
output it keeps for :meth:`hopx_ai.Sandbox.list_processes`; clearing it forgets them (runs
still going stay listed and can be killed).

Each method is defined once here; :class:`Cache` makes it a blocking call for
:class:`hopx_ai.Sandbox`, :class:`AsyncCache` a coroutine for :class:`hopx_ai.AsyncSandbox`.
"""

from ._define import Resource, awaiting, blocking, call

__all__ = ["Cache", "AsyncCache"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict


async def stats(self: Resource) -> "Dict[str, Any]":
    """The cache's numbers: ``{"cache": {"size", "max_size", "total_hits", ...},
    "timestamp"}`` (on the local engine also ``hits``, ``misses`` and ``hit_rate``)."""
    return await call(self._native.cache_stats)


async def clear(self: Resource) -> "Dict[str, Any]":
    """Empties the cache; returns the agent's answer (``message``, ``entries_removed``)."""
    return await call(self._native.cache_clear)


class Cache(Resource):
    """``sandbox.cache`` of a :class:`hopx_ai.Sandbox`."""

    __slots__ = ()
    stats = blocking(stats)
    clear = blocking(clear)


class AsyncCache(Resource):
    """``sandbox.cache`` of a :class:`hopx_ai.AsyncSandbox`."""

    __slots__ = ()
    stats = awaiting(stats)
    clear = awaiting(clear)

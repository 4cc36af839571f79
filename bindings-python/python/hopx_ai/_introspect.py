"""What a sandbox tells about itself, defined once for ``Sandbox`` and ``AsyncSandbox`` (see
``_define``): its agent's health, description and metrics, its processes and kernel
sessions, its time left, and its agent token. The rules (what is healthy, what "expiring
soon" means) are hopx-core's."""

from ._define import call
from .sandbox_info import ExpiryInfo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

    from ._methods import SandboxBase


def _threshold(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int number of seconds, got {type(value).__name__}")
    # What the native call takes; a longer threshold means "always soon" anyway.
    return max(min(value, 2**62), -(2**62))


async def is_healthy(self: "SandboxBase") -> bool:
    """Whether the sandbox's agent answers ``/health`` as healthy (a failure to ask is
    ``False``, never an exception)."""
    return await call(self._native.is_healthy)


async def ensure_healthy(self: "SandboxBase") -> None:
    """Raises unless the sandbox can take work: :class:`hopx_ai.errors.SandboxExpiredError`
    once its time-to-live is over, :class:`hopx_ai.errors.HopxError` (code
    ``sandbox_not_running`` or ``sandbox_unhealthy``) when it is paused or its agent is
    unhealthy."""
    await call(self._native.ensure_healthy)


async def get_agent_info(self: "SandboxBase") -> "Dict[str, Any]":
    """The agent's description (``/info``): version, features, languages, endpoints."""
    return await call(self._native.agent_info)


async def get_agent_metrics(self: "SandboxBase") -> "Dict[str, Any]":
    """The sandbox's resource use and the agent's counters (``/metrics/snapshot``): memory,
    CPU time and processes of the sandbox, executions and requests so far."""
    return await call(self._native.metrics_snapshot)


async def get_metrics_snapshot(self: "SandboxBase") -> "Dict[str, Any]":
    """The same snapshot as :meth:`get_agent_metrics` (the official SDK has both names)."""
    return await call(self._native.metrics_snapshot)


async def list_system_processes(self: "SandboxBase") -> "List[Dict[str, Any]]":
    """Every process running in the sandbox, as dicts: ``pid`` (as the sandbox sees it),
    ``name``, ``status``, ``cpu_percent``, ``memory_mb``, ``command``."""
    return await call(self._native.system_processes)


async def get_jupyter_sessions(self: "SandboxBase") -> "List[Dict[str, Any]]":
    """The sandbox's kernel sessions (none before its Python kernel starts): ``kernel_id``,
    ``execution_state`` (idle or busy), ``connections``, ``last_activity``."""
    return await call(self._native.jupyter_sessions)


async def get_expiry_info(self: "SandboxBase", expiring_soon_threshold: int = 300) -> ExpiryInfo:
    """When the sandbox expires: :class:`ExpiryInfo` (``expires_at`` as an aware
    ``datetime``, ``time_to_expiry`` in seconds, ``is_expired``, ``is_expiring_soon`` within
    ``expiring_soon_threshold`` seconds, ``has_timeout``)."""
    threshold = _threshold("expiring_soon_threshold", expiring_soon_threshold)
    return ExpiryInfo._from_dict(await call(self._native.expiry_info, threshold))


async def get_time_to_expiry(self: "SandboxBase") -> "Optional[int]":
    """Seconds left before the sandbox expires (negative once past); None without a
    time-to-live."""
    left = (await call(self._native.expiry_info, 300))["time_to_expiry"]
    return None if left is None else int(left)


async def is_expiring_soon(self: "SandboxBase", threshold_seconds: int = 300) -> bool:
    """Whether the sandbox expires within ``threshold_seconds`` (False without a
    time-to-live, and once expired)."""
    threshold = _threshold("threshold_seconds", threshold_seconds)
    return bool((await call(self._native.expiry_info, threshold))["is_expiring_soon"])


async def refresh_token(self: "SandboxBase") -> None:
    """Gets a fresh agent token from the control plane (calls do it by themselves when a token
    is close to its expiry or refused)."""
    await call(self._native.refresh_token)


async def get_token(self: "SandboxBase") -> str:
    """The agent token the calls use (fetched first if there is none yet)."""
    return await call(self._native.get_token)

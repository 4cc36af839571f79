"""Type stubs of ``hopx_ai._native``, the private pyo3 module under ``hopx_ai``.

Results come back as plain dicts (see ``hopx_ai.models``); async forms return awaitables
driven by the package's one tokio runtime. Errors are ``hopx_ai.errors`` classes.
"""

from typing import Any, Awaitable, Dict, List, Optional, Tuple

DEFAULT_RUN_TIMEOUT: int
MAX_RUN_TIMEOUT: int

class NativeSandbox:
    """A core sandbox handle."""

    @property
    def sandbox_id(self) -> str: ...
    @property
    def is_killed(self) -> bool: ...
    def run_code(
        self, code: str, language: str, timeout: int, env: Optional[Dict[str, str]],
        working_dir: str,
    ) -> Dict[str, Any]: ...
    def run_code_async(
        self, code: str, language: str, timeout: int, env: Optional[Dict[str, str]],
        working_dir: str,
    ) -> Awaitable[Dict[str, Any]]: ...
    def get_info(self) -> Dict[str, Any]: ...
    def get_info_async(self) -> Awaitable[Dict[str, Any]]: ...
    def kill(self) -> None: ...
    def kill_async(self) -> Awaitable[None]: ...
    def set_timeout(self, seconds: int) -> None: ...
    def set_timeout_async(self, seconds: int) -> Awaitable[None]: ...

def create(
    *, template: Optional[str] = None, template_id: Optional[str] = None,
    region: Optional[str] = None, timeout_seconds: Optional[int] = None,
    internet_access: Optional[bool] = None, env_vars: Optional[Dict[str, str]] = None,
    api_key: Optional[str] = None, base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> NativeSandbox:
    """Creates a sandbox (blocking, GIL released)."""

def create_async(
    *, template: Optional[str] = None, template_id: Optional[str] = None,
    region: Optional[str] = None, timeout_seconds: Optional[int] = None,
    internet_access: Optional[bool] = None, env_vars: Optional[Dict[str, str]] = None,
    api_key: Optional[str] = None, base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Awaitable[NativeSandbox]:
    """Creates a sandbox (awaitable)."""

def connect(
    sandbox_id: str, *, api_key: Optional[str] = None, base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> NativeSandbox:
    """Connects to an existing sandbox (blocking)."""

def connect_async(
    sandbox_id: str, *, api_key: Optional[str] = None, base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Awaitable[NativeSandbox]:
    """Connects to an existing sandbox (awaitable)."""

def list(
    *, status: Optional[str] = None, region: Optional[str] = None, limit: Optional[int] = None,
    api_key: Optional[str] = None, base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> List[Tuple[NativeSandbox, Dict[str, Any]]]:
    """Lists sandboxes as (handle, info dict) pairs (blocking)."""

def list_async(
    *, status: Optional[str] = None, region: Optional[str] = None, limit: Optional[int] = None,
    api_key: Optional[str] = None, base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Awaitable[List[Tuple[NativeSandbox, Dict[str, Any]]]]:
    """Lists sandboxes as (handle, info dict) pairs (awaitable)."""

def error_kinds() -> List[Tuple[str, Optional[str]]]:
    """Every core error kind as (class name, parent class name or None)."""

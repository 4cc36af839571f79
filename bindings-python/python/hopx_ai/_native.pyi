"""Type stubs of ``hopx_ai._native``, the private pyo3 module under ``hopx_ai``.

Results come back as plain dicts (see ``hopx_ai.models``). Every call ``x`` has an ``x_async``
twin with the same arguments that returns an awaitable driven by the package's one tokio
runtime (``src/dual.rs``); the package picks one or the other by name (``_define.call``).
Errors are ``hopx_ai.errors`` classes.
"""

from typing import Any, Awaitable, Dict, List, Optional, Tuple, final

__all__ = [
    "NativeSandbox",
    "NativeStream",
    "create",
    "create_async",
    "connect",
    "connect_async",
    "list",
    "list_async",
    "check_run",
    "error_kinds",
    "DEFAULT_RUN_TIMEOUT",
    "MAX_RUN_TIMEOUT",
]

DEFAULT_RUN_TIMEOUT: int
MAX_RUN_TIMEOUT: int

# pyo3 classes cannot be subclassed.
@final
class NativeSandbox:
    """A core sandbox handle."""

    @property
    def sandbox_id(self) -> str: ...
    @property
    def is_killed(self) -> bool: ...
    def run_code(
        self,
        code: str,
        language: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
    ) -> Dict[str, Any]: ...
    def run_code_async(
        self,
        code: str,
        language: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
    ) -> Awaitable[Dict[str, Any]]: ...
    def run_code_stream(
        self,
        code: str,
        language: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
    ) -> NativeStream:
        """Starts a streaming run (blocking until the request is sent)."""
    def run_code_stream_async(
        self,
        code: str,
        language: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
    ) -> Awaitable[NativeStream]:
        """Starts a streaming run (awaitable)."""
    def run_code_background(
        self,
        code: str,
        language: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
        name: Optional[str],
    ) -> Dict[str, Any]:
        """Starts a background run; the agent's description (process_id, status...)."""
    def run_code_background_async(
        self,
        code: str,
        language: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
        name: Optional[str],
    ) -> Awaitable[Dict[str, Any]]: ...
    def list_processes(self) -> List[Dict[str, Any]]:
        """The background runs with status and output."""
    def list_processes_async(self) -> Awaitable[List[Dict[str, Any]]]: ...
    def kill_process(self, process_id: str) -> Dict[str, Any]:
        """Stops a background run."""
    def kill_process_async(self, process_id: str) -> Awaitable[Dict[str, Any]]: ...
    def get_info(self) -> Dict[str, Any]: ...
    def get_info_async(self) -> Awaitable[Dict[str, Any]]: ...
    def kill(self) -> None: ...
    def kill_async(self) -> Awaitable[None]: ...
    def set_timeout(self, seconds: int) -> None: ...
    def set_timeout_async(self, seconds: int) -> Awaitable[None]: ...

# pyo3 classes cannot be subclassed.
@final
class NativeStream:
    """One streaming run; its messages are read one at a time."""

    @property
    def closed(self) -> bool: ...
    def next_message(self) -> Optional[Dict[str, Any]]:
        """The next message (blocking, GIL released), or None when the run is over."""
    def next_message_async(self) -> Awaitable[Optional[Dict[str, Any]]]:
        """The next message (awaitable), or None when the run is over."""
    def result(self) -> Dict[str, Any]:
        """The folded result as a dict, or raises the run's error (after the last message)."""
    def close(self) -> None:
        """Drops the connection; later reads return None."""

def create(
    *,
    template: Optional[str] = None,
    template_id: Optional[str] = None,
    region: Optional[str] = None,
    timeout_seconds: Optional[int] = None,
    internet_access: Optional[bool] = None,
    env_vars: Optional[Dict[str, str]] = None,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> NativeSandbox:
    """Creates a sandbox (blocking, GIL released)."""

def create_async(
    *,
    template: Optional[str] = None,
    template_id: Optional[str] = None,
    region: Optional[str] = None,
    timeout_seconds: Optional[int] = None,
    internet_access: Optional[bool] = None,
    env_vars: Optional[Dict[str, str]] = None,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Awaitable[NativeSandbox]:
    """Creates a sandbox (awaitable)."""

def connect(
    sandbox_id: str,
    *,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> NativeSandbox:
    """Connects to an existing sandbox (blocking)."""

def connect_async(
    sandbox_id: str,
    *,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Awaitable[NativeSandbox]:
    """Connects to an existing sandbox (awaitable)."""

def list(
    *,
    status: Optional[str] = None,
    region: Optional[str] = None,
    limit: Optional[int] = None,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> List[Tuple[NativeSandbox, Dict[str, Any]]]:
    """Lists sandboxes as (handle, info dict) pairs (blocking)."""

def list_async(
    *,
    status: Optional[str] = None,
    region: Optional[str] = None,
    limit: Optional[int] = None,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Awaitable[List[Tuple[NativeSandbox, Dict[str, Any]]]]:
    """Lists sandboxes as (handle, info dict) pairs (awaitable)."""

def check_run(
    code: str,
    language: str,
    timeout: int,
    env: Optional[Dict[str, str]],
    working_dir: str,
    background: bool,
) -> None:
    """Checks a run's arguments as the run will; raises the run's ValidationError."""

def error_kinds() -> List[Tuple[str, Optional[str]]]:
    """Every core error kind as (class name, parent class name or None)."""

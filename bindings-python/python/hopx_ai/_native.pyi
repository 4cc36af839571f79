"""Type stubs of ``hopx_ai._native``, the private pyo3 module under ``hopx_ai``.

Results come back as plain dicts (see ``hopx_ai.models``). Every call ``x`` has an ``x_async``
twin with the same arguments that returns an awaitable driven by the package's one tokio
runtime (``src/dual.rs``); the package picks one or the other by name (``_define.call``).
Errors are ``hopx_ai.errors`` classes.
"""

from typing import Any, Awaitable, Callable, Dict, List, NoReturn, Optional, Tuple, Union, final

# on_progress(done, total) of a transfer.
_Progress = Optional[Callable[[int, Optional[int]], object]]

__all__ = [
    "NativeSandbox",
    "NativeStream",
    "NativeWatch",
    "NativeTerminal",
    "create",
    "create_async",
    "connect",
    "connect_async",
    "debug",
    "debug_async",
    "list",
    "list_async",
    "list_page",
    "list_page_async",
    "list_templates",
    "list_templates_async",
    "get_template",
    "get_template_async",
    "delete_template",
    "delete_template_async",
    "health_check",
    "health_check_async",
    "check_run",
    "serve_shared",
    "cli_main",
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
        preflight: bool,
    ) -> Dict[str, Any]: ...
    def run_code_async(
        self,
        code: str,
        language: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
        preflight: bool,
    ) -> Awaitable[Dict[str, Any]]: ...
    def run_code_stream(
        self,
        code: str,
        language: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
        preflight: bool,
    ) -> NativeStream:
        """Starts a streaming run (blocking until the request is sent)."""
    def run_code_stream_async(
        self,
        code: str,
        language: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
        preflight: bool,
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
    def run_webhook(
        self,
        code: str,
        callback_url: str,
        language: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
        callback_headers: Optional[Dict[str, str]],
        callback_signature_secret: Optional[str],
    ) -> Dict[str, Any]:
        """Starts a webhook run (/execute/async); the agent's answer."""
    def run_webhook_async(
        self,
        code: str,
        callback_url: str,
        language: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
        callback_headers: Optional[Dict[str, str]],
        callback_signature_secret: Optional[str],
    ) -> Awaitable[Dict[str, Any]]: ...
    def preview_url(self, port: int) -> str: ...
    def preview_url_async(self, port: int) -> Awaitable[str]: ...
    def cache_stats(self) -> Dict[str, Any]: ...
    def cache_stats_async(self) -> Awaitable[Dict[str, Any]]: ...
    def cache_clear(self) -> Dict[str, Any]: ...
    def cache_clear_async(self) -> Awaitable[Dict[str, Any]]: ...
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
    def is_healthy(self) -> bool: ...
    def is_healthy_async(self) -> Awaitable[bool]: ...
    def ensure_healthy(self) -> None: ...
    def ensure_healthy_async(self) -> Awaitable[None]: ...
    def agent_info(self) -> Dict[str, Any]: ...
    def agent_info_async(self) -> Awaitable[Dict[str, Any]]: ...
    def metrics_snapshot(self) -> Dict[str, Any]: ...
    def metrics_snapshot_async(self) -> Awaitable[Dict[str, Any]]: ...
    def system_processes(self) -> List[Dict[str, Any]]: ...
    def system_processes_async(self) -> Awaitable[List[Dict[str, Any]]]: ...
    def jupyter_sessions(self) -> List[Dict[str, Any]]: ...
    def jupyter_sessions_async(self) -> Awaitable[List[Dict[str, Any]]]: ...
    def expiry_info(self, threshold: int) -> Dict[str, Any]: ...
    def expiry_info_async(self, threshold: int) -> Awaitable[Dict[str, Any]]: ...
    def agent_url(self) -> str: ...
    def agent_url_async(self) -> Awaitable[str]: ...
    def refresh_token(self) -> None: ...
    def refresh_token_async(self) -> Awaitable[None]: ...
    def get_token(self) -> str: ...
    def get_token_async(self) -> Awaitable[str]: ...
    def pause(self) -> None: ...
    def pause_async(self) -> Awaitable[None]: ...
    def resume(self) -> None: ...
    def resume_async(self) -> Awaitable[None]: ...
    def set_timeout(self, seconds: int) -> None: ...
    def set_timeout_async(self, seconds: int) -> Awaitable[None]: ...

    # sandbox.files; `timeout` is in seconds, None for the call's default.
    def files_read(self, path: str, timeout: Optional[float]) -> str:
        """The text of a file."""
    def files_read_async(self, path: str, timeout: Optional[float]) -> Awaitable[str]: ...
    def files_read_bytes(self, path: str, timeout: Optional[float]) -> bytes:
        """The exact bytes of a file."""
    def files_read_bytes_async(self, path: str, timeout: Optional[float]) -> Awaitable[bytes]: ...
    def files_write(self, path: str, content: str, mode: str, timeout: Optional[float]) -> None:
        """Writes text; mode is octal text."""
    def files_write_async(
        self, path: str, content: str, mode: str, timeout: Optional[float]
    ) -> Awaitable[None]: ...
    def files_write_bytes(
        self, path: str, content: Union[bytes, bytearray], mode: str, timeout: Optional[float]
    ) -> None:
        """Writes bytes exactly."""
    def files_write_bytes_async(
        self, path: str, content: Union[bytes, bytearray], mode: str, timeout: Optional[float]
    ) -> Awaitable[None]: ...
    def files_list(self, path: str, timeout: Optional[float]) -> List[Dict[str, Any]]:
        """A folder's entries as dicts."""
    def files_list_async(
        self, path: str, timeout: Optional[float]
    ) -> Awaitable[List[Dict[str, Any]]]: ...
    def files_exists(self, path: str, timeout: Optional[float]) -> bool:
        """Whether a path exists."""
    def files_exists_async(self, path: str, timeout: Optional[float]) -> Awaitable[bool]: ...
    def files_remove(self, path: str, timeout: Optional[float]) -> None:
        """Removes a file or a folder with its content."""
    def files_remove_async(self, path: str, timeout: Optional[float]) -> Awaitable[None]: ...
    def files_mkdir(self, path: str, timeout: Optional[float]) -> None:
        """Makes a folder and its parents."""
    def files_mkdir_async(self, path: str, timeout: Optional[float]) -> Awaitable[None]: ...
    def files_upload(
        self,
        local_path: str,
        remote_path: str,
        timeout: Optional[float],
        on_progress: _Progress,
    ) -> None:
        """Streams a local file to the sandbox."""
    def files_upload_async(
        self,
        local_path: str,
        remote_path: str,
        timeout: Optional[float],
        on_progress: _Progress,
    ) -> Awaitable[None]: ...
    def files_download(
        self,
        remote_path: str,
        local_path: str,
        timeout: Optional[float],
        on_progress: _Progress,
    ) -> int:
        """Streams a sandbox file to a local file; its size in bytes."""
    def files_download_async(
        self,
        remote_path: str,
        local_path: str,
        timeout: Optional[float],
        on_progress: _Progress,
    ) -> Awaitable[int]: ...
    def terminal_connect(self, cols: int, rows: int, timeout: Optional[float]) -> NativeTerminal:
        """Opens a terminal (an interactive bash)."""
    def terminal_connect_async(
        self, cols: int, rows: int, timeout: Optional[float]
    ) -> Awaitable[NativeTerminal]: ...
    def files_watch(self, path: str, timeout: Optional[float]) -> NativeWatch:
        """Starts watching a folder; returns once the agent watches it."""
    def files_watch_async(self, path: str, timeout: Optional[float]) -> Awaitable[NativeWatch]: ...

    # sandbox.commands; `timeout` is in whole seconds.
    def commands_run(
        self, command: str, timeout: int, env: Optional[Dict[str, str]], working_dir: str
    ) -> Dict[str, Any]:
        """Runs a command line; its result as a dict."""
    def commands_run_async(
        self, command: str, timeout: int, env: Optional[Dict[str, str]], working_dir: str
    ) -> Awaitable[Dict[str, Any]]: ...
    def commands_run_stream(
        self, command: str, timeout: int, env: Optional[Dict[str, str]], working_dir: str
    ) -> NativeStream:
        """Starts a command line whose output arrives while it runs."""
    def commands_run_stream_async(
        self, command: str, timeout: int, env: Optional[Dict[str, str]], working_dir: str
    ) -> Awaitable[NativeStream]: ...
    def commands_run_background(
        self,
        command: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
        name: Optional[str],
    ) -> Dict[str, Any]:
        """Starts a command line in the background; the agent's description."""
    def commands_run_background_async(
        self,
        command: str,
        timeout: int,
        env: Optional[Dict[str, str]],
        working_dir: str,
        name: Optional[str],
    ) -> Awaitable[Dict[str, Any]]: ...

    # sandbox.env; `timeout` is in seconds, None for the default (60 s).
    def env_get_all(self, timeout: Optional[float]) -> Dict[str, str]:
        """Every sandbox-wide variable."""
    def env_get_all_async(self, timeout: Optional[float]) -> Awaitable[Dict[str, str]]: ...
    def env_set_all(self, vars: Dict[str, str], timeout: Optional[float]) -> Dict[str, str]:
        """Replaces every variable; all of them afterwards."""
    def env_set_all_async(
        self, vars: Dict[str, str], timeout: Optional[float]
    ) -> Awaitable[Dict[str, str]]: ...
    def env_update(self, vars: Dict[str, str], timeout: Optional[float]) -> Dict[str, str]:
        """Sets some variables, keeping the others; all of them afterwards."""
    def env_update_async(
        self, vars: Dict[str, str], timeout: Optional[float]
    ) -> Awaitable[Dict[str, str]]: ...
    def env_delete(self, key: str, timeout: Optional[float]) -> None:
        """Removes one variable."""
    def env_delete_async(self, key: str, timeout: Optional[float]) -> Awaitable[None]: ...

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

@final
class NativeWatch:
    """The changes of one watched folder."""

    @property
    def closed(self) -> bool: ...
    def next_change(self) -> Optional[Dict[str, Any]]:
        """The next change (blocking, GIL released), or None once the watch ended."""
    def next_change_async(self) -> Awaitable[Optional[Dict[str, Any]]]:
        """The next change (awaitable), or None once the watch ended."""
    def close(self) -> None:
        """Ends the watch."""

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

def debug(agent_url: str, jwt_token: str, sandbox_id: str) -> NativeSandbox:
    """A handle on an agent alone, from its URL and token (blocking)."""

def debug_async(agent_url: str, jwt_token: str, sandbox_id: str) -> Awaitable[NativeSandbox]:
    """A handle on an agent alone (awaitable)."""

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

def list_page(
    *,
    status: Optional[str] = None,
    region: Optional[str] = None,
    limit: Optional[int] = None,
    cursor: Optional[str] = None,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Tuple[List[NativeSandbox], Optional[str]]:
    """One page of sandboxes from ``cursor`` and the next page's cursor (blocking)."""

def list_page_async(
    *,
    status: Optional[str] = None,
    region: Optional[str] = None,
    limit: Optional[int] = None,
    cursor: Optional[str] = None,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Awaitable[Tuple[List[NativeSandbox], Optional[str]]]:
    """As ``list_page``, awaitable."""

def list_templates(
    *,
    category: Optional[str] = None,
    language: Optional[str] = None,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> List[Dict[str, Any]]:
    """The templates as dicts (blocking)."""

def list_templates_async(
    *,
    category: Optional[str] = None,
    language: Optional[str] = None,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Awaitable[List[Dict[str, Any]]]:
    """As ``list_templates``, awaitable."""

def get_template(
    name: str,
    *,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Dict[str, Any]:
    """One template as a dict (blocking)."""

def get_template_async(
    name: str,
    *,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Awaitable[Dict[str, Any]]:
    """As ``get_template``, awaitable."""

def delete_template(
    template_id: str,
    *,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Dict[str, Any]:
    """Deletes a template (blocking)."""

def delete_template_async(
    template_id: str,
    *,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Awaitable[Dict[str, Any]]:
    """As ``delete_template``, awaitable."""

def health_check(
    *,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Dict[str, Any]:
    """The control plane's health (blocking)."""

def health_check_async(
    *,
    api_key: Optional[str] = None,
    base_url: Optional[str] = None,
    local_python: Optional[str] = None,
) -> Awaitable[Dict[str, Any]]:
    """As ``health_check``, awaitable."""

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

@final
class NativeTerminal:
    """One open terminal."""

    @property
    def closed(self) -> bool: ...
    def send_input(self, data: str) -> None:
        """Types into the terminal."""
    def send_input_async(self, data: str) -> Awaitable[None]: ...
    def resize(self, cols: int, rows: int) -> None:
        """Sets the terminal's size."""
    def resize_async(self, cols: int, rows: int) -> Awaitable[None]: ...
    def next_message(self) -> Optional[Dict[str, Any]]:
        """The next message, or None once the session is over."""
    def next_message_async(self) -> Awaitable[Optional[Dict[str, Any]]]: ...
    def close(self) -> None:
        """Ends the session."""
    def close_async(self) -> Awaitable[None]: ...

def serve_shared() -> NoReturn:
    """Runs the user's shared local engine in this process (what the engine's launcher calls)."""

def cli_main(args: List[str], python: Optional[str] = None) -> int:
    """Runs the ``hopx`` command with ``args`` (the program name first); returns its exit status.
    ``python`` runs sandbox code on the local engine."""

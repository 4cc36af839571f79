"""``sandbox.commands``: shell command lines run in the sandbox, and their ``CommandResult``.

A command line runs through bash (pipes, redirections and ``&&`` work) as the sandbox's user,
with the sandbox's limits, the sandbox-wide variables (``sandbox.env``) and the call's own
``env`` on top. A non-zero exit is a result (``success`` False), not an exception; running
past ``timeout`` stops the command with every process it started and raises
:class:`hopx_ai.errors.TimeoutError` carrying the output so far.

:meth:`run` is defined once here; :class:`Commands` makes it a blocking call for
:class:`hopx_ai.Sandbox`, :class:`AsyncCommands` a coroutine for :class:`hopx_ai.AsyncSandbox`.
"""

from . import _args, _stream
from ._define import Resource, awaiting, blocking, call

__all__ = ["Commands", "AsyncCommands", "CommandResult"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional


class CommandResult:
    """What a command printed and how it ended.

    ``exit_code`` is the command's exit status and ``success`` whether it is 0 (also
    ``is_success``); ``execution_time`` is in seconds. For ``run(..., background=True)``,
    ``process_id`` names the background process (``list_processes`` and ``kill_process`` know
    it) and ``stdout`` says it started, as the official SDK's does.
    """

    __slots__ = (
        "stdout",
        "stderr",
        "exit_code",
        "execution_time",
        "command",
        "timestamp",
        "pid",
        "success",
        "process_id",
    )

    stdout: str
    stderr: str
    exit_code: int
    execution_time: float
    command: str
    timestamp: str
    pid: int
    success: bool
    process_id: "Optional[str]"

    def __init__(
        self,
        stdout: str = "",
        stderr: str = "",
        exit_code: int = 0,
        execution_time: float = 0.0,
        command: str = "",
        timestamp: str = "",
        pid: int = 0,
        success: "Optional[bool]" = None,
        process_id: "Optional[str]" = None,
    ) -> None:
        """A result with these fields; ``success`` defaults to ``exit_code == 0``."""
        self.stdout = stdout
        self.stderr = stderr
        self.exit_code = exit_code
        self.execution_time = execution_time
        self.command = command
        self.timestamp = timestamp
        self.pid = pid
        self.success = exit_code == 0 if success is None else success
        self.process_id = process_id

    @classmethod
    def _from_dict(cls, d: "Dict[str, Any]") -> "CommandResult":
        return cls(
            d.get("stdout", ""),
            d.get("stderr", ""),
            d.get("exit_code", 0),
            d.get("execution_time", 0.0),
            d.get("command", ""),
            d.get("timestamp", ""),
            d.get("pid", 0),
            d.get("success"),
        )

    @property
    def is_success(self) -> bool:
        """Whether the command exited with 0."""
        return self.exit_code == 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CommandResult):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        if self.process_id is not None:
            return f"CommandResult(background process_id={self.process_id!r})"
        return (
            f"CommandResult(exit_code={self.exit_code}, stdout={self.stdout[:60]!r}, "
            f"stderr={self.stderr[:60]!r})"
        )


async def run(
    self: Resource,
    command: str,
    *,
    timeout: "Optional[float]" = None,
    background: bool = False,
    env: "Optional[Dict[str, str]]" = None,
    working_dir: str = "/workspace",
    timeout_seconds: "Optional[float]" = None,
    on_stdout: "Optional[Callable[[str], object]]" = None,
    on_stderr: "Optional[Callable[[str], object]]" = None,
) -> CommandResult:
    """Runs the command line ``command`` through bash in the sandbox and returns its
    :class:`CommandResult` once it ends.

    ``timeout`` is in seconds (default 120, at most 300; a background command may run up to a
    day); ``timeout_seconds`` is the official async SDK's spelling (not both). ``env`` adds
    variables for this command only; ``working_dir`` is where it starts. ``on_stdout(text)``
    and ``on_stderr(text)`` get the output while the command runs, in order, as for
    ``run_code`` (on ``AsyncSandbox`` each may be a coroutine function). With
    ``background=True`` the call returns as soon as the command started, with its
    ``process_id``; its output is in ``sandbox.list_processes()`` once it ends.
    """
    _args.check_str("command", command, optional=False)
    if timeout is not None and timeout_seconds is not None:
        raise TypeError("give timeout or timeout_seconds, not both")
    if timeout is None:
        timeout = 120 if timeout_seconds is None else timeout_seconds
    seconds = _args.check_timeout("timeout", timeout)
    env = _args.check_env("env", env)
    _args.check_str("working_dir", working_dir, optional=False)
    callbacks = _stream.check_callbacks(on_stdout, on_stderr, None, None)
    if _args.check_bool("background", background):
        if callbacks is not None:
            raise TypeError("on_stdout and on_stderr need a command that is not in the background")
        start = self._native.commands_run_background
        started = await call(start, command, seconds, env, working_dir, None)
        process_id = started.get("process_id")
        return CommandResult(
            stdout=f"Background process started: {process_id}",
            command=command,
            timestamp=started.get("start_time") or "",
            process_id=process_id,
        )
    if callbacks is not None:
        # The core checks it as a command and reads its output as a run's stream.
        args = (command, seconds, env, working_dir)
        native = self._native
        ran = await _stream.run_with_callbacks(native, args, callbacks, native.commands_run_stream)
        return CommandResult(
            ran.stdout,
            ran.stderr,
            ran.exit_code,
            ran.execution_time,
            command,
            ran.timestamp or "",
            success=ran.success,
        )
    return CommandResult._from_dict(
        await call(self._native.commands_run, command, seconds, env, working_dir)
    )


class Commands(Resource):
    """``sandbox.commands`` of a :class:`hopx_ai.Sandbox`: each call blocks with the GIL
    released."""

    __slots__ = ()

    run = blocking(run)


class AsyncCommands(Resource):
    """``sandbox.commands`` of an :class:`hopx_ai.AsyncSandbox`: each call is a coroutine."""

    __slots__ = ()

    run = awaiting(run)

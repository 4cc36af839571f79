"""Argument checks shared by every method, done before any request.

Wrong types raise ``TypeError`` and bad values ``ValidationError``, each naming the argument.
Ranges the core checks itself (timeout 1..300 s, code size) are left to it, so the limits
live in one place.
"""

import os
import sys

from .errors import ValidationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional, Tuple, TypeVar, Union

    # A path argument: text or a path object (``pathlib.Path``...).
    _PathArg = Union[str, "os.PathLike[str]"]

    _V = TypeVar("_V")
    # What a run's native calls take: code, language, timeout, env, working_dir.
    _RunArgs = Tuple[str, str, int, Optional[Dict[str, str]], str]


def _type_name(value: object) -> str:
    return type(value).__name__


def check_str(name: str, value: "_V", optional: bool = True) -> "_V":
    """Raises ``TypeError`` unless ``value`` is a str (or None when ``optional``)."""
    if value is None and optional:
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {_type_name(value)}")
    return value


def check_env(name: str, env: "Optional[Dict[str, str]]") -> "Optional[Dict[str, str]]":
    """A dict of str to str, or None."""
    if env is None:
        return None
    if not isinstance(env, dict):
        raise TypeError(f"{name} must be a dict of str to str, got {_type_name(env)}")
    for key, value in env.items():
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be str, got {_type_name(key)} ({key!r})")
        if not isinstance(value, str):
            raise TypeError(f"{name}[{key!r}] must be a str, got {_type_name(value)}")
    return env


def check_timeout(name: str, value: float) -> int:
    """A positive number of seconds, as an int (a fraction rounds up)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, got {_type_name(value)}")
    if not value > 0 or value == float("inf"):
        raise ValidationError(
            f"{name} must be a positive number of seconds, got {value!r}",
            code="INVALID_REQUEST",
            field=name,
        )
    whole = int(value)
    seconds = whole if whole == value else whole + 1
    # The native layer takes a u32; anything this big is out of range for the core anyway.
    return min(seconds, 2**32 - 1)


def check_seconds(name: str, value: "Optional[float]") -> "Optional[float]":
    """None, or a positive finite number of seconds (kept as a float)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds or None, got {_type_name(value)}")
    if not 0 < value < float("inf"):
        raise ValidationError(
            f"{name} must be a positive number of seconds, got {value!r}",
            code="INVALID_REQUEST",
            field=name,
        )
    return float(value)


def check_path(name: str, value: "_PathArg") -> str:
    """A path as text: a str, or an ``os.PathLike`` whose path is a str."""
    if isinstance(value, str):
        return value
    if hasattr(type(value), "__fspath__"):
        path = os.fspath(value)
        if isinstance(path, str):
            return path
    raise TypeError(f"{name} must be a str or os.PathLike of str, got {_type_name(value)}")


def check_callback(
    name: str, value: "Optional[Callable[..., object]]"
) -> "Optional[Callable[..., object]]":
    """None or a plain callable: a coroutine function would never be awaited where it is
    called (a thread of the transfer), so it is refused at once."""
    if value is None:
        return None
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {_type_name(value)}")
    import inspect  # only here: keeps ``import hopx_ai`` fast

    if inspect.iscoroutinefunction(value):
        raise TypeError(f"{name} must be a plain function, not a coroutine function")
    return value


def check_bool(name: str, value: "Optional[bool]") -> "Optional[bool]":
    """Raises ``TypeError`` unless ``value`` is a bool or None."""
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {_type_name(value)}")
    return value


def run_args(
    code: str,
    language: str,
    timeout: float,
    env: "Optional[Dict[str, str]]",
    working_dir: str,
) -> "_RunArgs":
    """Checked ``run_code`` arguments in the order the native layer takes them."""
    check_str("code", code, optional=False)
    check_str("language", language, optional=False)
    check_str("working_dir", working_dir, optional=False)
    return code, language, check_timeout("timeout", timeout), check_env("env", env), working_dir


def create_args(
    template: "Optional[str]",
    template_id: "Optional[str]",
    region: "Optional[str]",
    timeout_seconds: "Optional[float]",
    internet_access: "Optional[bool]",
    env_vars: "Optional[Dict[str, str]]",
    api_key: "Optional[str]",
    base_url: "Optional[str]",
) -> "Dict[str, Any]":
    """Checked ``create`` keyword arguments for the native layer."""
    for name, value in (
        ("template", template),
        ("template_id", template_id),
        ("region", region),
        ("api_key", api_key),
        ("base_url", base_url),
    ):
        check_str(name, value)
    return dict(
        template=template,
        template_id=template_id,
        region=region,
        timeout_seconds=None
        if timeout_seconds is None
        else check_timeout("timeout_seconds", timeout_seconds),
        internet_access=check_bool("internet_access", internet_access),
        env_vars=check_env("env_vars", env_vars),
        **target(api_key, base_url),
    )


def target(api_key: "Optional[str]", base_url: "Optional[str]") -> "Dict[str, Optional[str]]":
    """Where to connect; the embedded engine runs sandbox code with this very interpreter."""
    check_str("api_key", api_key)
    check_str("base_url", base_url)
    return dict(api_key=api_key, base_url=base_url, local_python=sys.executable or None)

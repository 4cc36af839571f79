"""``FileInfo``: one entry of ``sandbox.files.list()``, with its modification time as an aware
``datetime``."""

__all__ = ["FileInfo"]

from ._time import parse_rfc3339 as _parse_time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any, Dict, Optional, Union


class FileInfo:
    """One entry of ``sandbox.files.list()``: a file or a folder.

    ``size`` is in bytes, ``modified_time`` an aware :class:`datetime.datetime` (None when the
    server sent none), ``permissions`` as ``ls -l`` shows them (``-rw-r--r--``,
    ``drwxr-xr-x``). ``is_file``, ``is_dir``, ``size_kb`` and ``size_mb`` are the official
    conveniences.
    """

    __slots__ = ("name", "path", "size", "is_directory", "modified_time", "permissions")

    name: str
    path: str
    size: int
    is_directory: bool
    modified_time: "Optional[datetime]"
    permissions: str

    def __init__(
        self,
        name: str = "",
        path: str = "",
        size: int = 0,
        is_directory: bool = False,
        modified_time: "Union[datetime, str, None]" = None,
        permissions: str = "",
    ) -> None:
        """An entry with these fields; ``modified_time`` may be given as RFC 3339 text."""
        self.name = name
        self.path = path
        self.size = size
        self.is_directory = is_directory
        self.modified_time = (
            _parse_time(modified_time) if isinstance(modified_time, str) else modified_time
        )
        self.permissions = permissions

    @classmethod
    def _from_dict(cls, d: "Dict[str, Any]") -> "FileInfo":
        # The agents' other spellings (is_dir, modified, mode) are read by the core.
        return cls(
            d.get("name", ""),
            d.get("path", ""),
            d.get("size", 0),
            d.get("is_directory", False),
            d.get("modified_time") or None,
            d.get("permissions", ""),
        )

    @property
    def is_file(self) -> bool:
        """Whether this is a file (not a folder)."""
        return not self.is_directory

    @property
    def is_dir(self) -> bool:
        """Alias of ``is_directory``."""
        return self.is_directory

    @property
    def size_kb(self) -> float:
        """The size in KiB (``size / 1024``)."""
        return self.size / 1024

    @property
    def size_mb(self) -> float:
        """The size in MiB (``size / 1024**2``)."""
        return self.size / (1024 * 1024)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileInfo):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        kind = "dir" if self.is_directory else "file"
        return (
            f"FileInfo({kind} path={self.path!r}, size={self.size}, "
            f"permissions={self.permissions!r})"
        )

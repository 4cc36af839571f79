"""``SandboxInfo`` (what ``get_info`` returns) and its ``Resources``; ``ExpiryInfo`` (what
``get_expiry_info`` returns)."""

__all__ = ["SandboxInfo", "Resources", "ExpiryInfo"]

from ._time import parse_rfc3339

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any, Dict, Optional


class Resources:
    """CPU, memory and disk of a sandbox."""

    __slots__ = ("vcpu", "memory_mb", "disk_mb")
    vcpu: int
    memory_mb: int
    disk_mb: int

    def __init__(self, vcpu: int = 0, memory_mb: int = 0, disk_mb: int = 0) -> None:
        """The sandbox's vCPUs, memory and disk in MB."""
        self.vcpu = vcpu
        self.memory_mb = memory_mb
        self.disk_mb = disk_mb

    def __repr__(self) -> str:
        return f"Resources(vcpu={self.vcpu}, memory_mb={self.memory_mb}, disk_mb={self.disk_mb})"


class SandboxInfo:
    """A sandbox as the control plane describes it (``get_info()``).

    ``expires_at`` and ``created_at`` are aware ``datetime`` values (or None), as in the
    official SDK; ``end_at`` is the official alias of ``expires_at``, and ``started_at`` its
    legacy field, which the control plane no longer sends (always None).
    """

    __slots__ = (
        "sandbox_id",
        "status",
        "template_id",
        "template_name",
        "organization_id",
        "node_id",
        "region",
        "public_host",
        "direct_url",
        "preview_url",
        "resources",
        "internet_access",
        "live_mode",
        "timeout_seconds",
        "expires_at",
        "created_at",
        "started_at",
    )

    sandbox_id: str
    status: str
    template_id: "Optional[str]"
    template_name: "Optional[str]"
    organization_id: "Optional[int]"
    node_id: "Optional[str]"
    region: "Optional[str]"
    public_host: "Optional[str]"
    direct_url: "Optional[str]"
    preview_url: "Optional[str]"
    resources: "Optional[Resources]"
    internet_access: "Optional[bool]"
    live_mode: "Optional[bool]"
    timeout_seconds: "Optional[int]"
    expires_at: "Optional[datetime]"
    created_at: "Optional[datetime]"
    started_at: "Optional[datetime]"

    def __init__(self, sandbox_id: str, status: str = "", **fields: "Any") -> None:
        """The record of sandbox ``sandbox_id``; ``fields`` are the other attributes."""
        self.sandbox_id = sandbox_id
        self.status = status
        for name in self.__slots__[2:]:
            setattr(self, name, fields.pop(name, None))
        if fields:
            raise TypeError(f"SandboxInfo() got unexpected fields {sorted(fields)}")

    @classmethod
    def _from_dict(cls, d: "Dict[str, Any]") -> "SandboxInfo":
        # Only known fields: a newer core may send more, which must not break older code.
        fields = {k: d[k] for k in cls.__slots__[2:] if k in d}
        for name in ("expires_at", "created_at", "started_at"):
            if isinstance(fields.get(name), str):
                fields[name] = parse_rfc3339(fields[name])
        res = fields.get("resources")
        if res:
            fields["resources"] = Resources(
                res.get("vcpu", 0), res.get("memory_mb", 0), res.get("disk_mb", 0)
            )
        return cls(d["id"], d.get("status", ""), **fields)

    @property
    def end_at(self) -> "Optional[datetime]":
        """Alias of ``expires_at`` (the official field name)."""
        return self.expires_at

    def __repr__(self) -> str:
        return (
            f"SandboxInfo(sandbox_id={self.sandbox_id!r}, status={self.status!r}, "
            f"template_name={self.template_name!r}, expires_at={self.expires_at!r})"
        )


class ExpiryInfo:
    """When a sandbox expires (``get_expiry_info()``), with the official fields."""

    __slots__ = ("expires_at", "time_to_expiry", "is_expired", "is_expiring_soon", "has_timeout")
    expires_at: "Optional[datetime]"
    time_to_expiry: "Optional[int]"
    is_expired: bool
    is_expiring_soon: bool
    has_timeout: bool

    def __init__(
        self,
        expires_at: "Optional[datetime]" = None,
        time_to_expiry: "Optional[int]" = None,
        is_expired: bool = False,
        is_expiring_soon: bool = False,
        has_timeout: bool = False,
    ) -> None:
        """``time_to_expiry`` in seconds, negative once past; None without a time-to-live."""
        self.expires_at = expires_at
        self.time_to_expiry = time_to_expiry
        self.is_expired = is_expired
        self.is_expiring_soon = is_expiring_soon
        self.has_timeout = has_timeout

    @classmethod
    def _from_dict(cls, d: "Dict[str, Any]") -> "ExpiryInfo":
        at = d.get("expires_at")
        return cls(
            parse_rfc3339(at) if isinstance(at, str) else None,
            d.get("time_to_expiry"),
            bool(d.get("is_expired")),
            bool(d.get("is_expiring_soon")),
            bool(d.get("has_timeout")),
        )

    def __repr__(self) -> str:
        if not self.has_timeout:
            return "ExpiryInfo(no time-to-live)"
        state = "expired" if self.is_expired else ("expiring soon" if self.is_expiring_soon else "")
        return f"ExpiryInfo(time_to_expiry={self.time_to_expiry}{', ' + state if state else ''})"

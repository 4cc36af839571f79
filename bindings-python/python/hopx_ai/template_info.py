"""``Template`` (what ``list_templates`` and ``get_template`` return) and its
``TemplateResources``, with the official fields."""

__all__ = ["Template", "TemplateResources"]

from ._time import parse_rfc3339

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any, Dict, List, Optional


class TemplateResources:
    """CPU, memory and disk of a template (``disk_gb``; sandboxes say ``disk_mb``)."""

    __slots__ = ("vcpu", "memory_mb", "disk_gb")
    vcpu: "Optional[int]"
    memory_mb: "Optional[int]"
    disk_gb: "Optional[int]"

    def __init__(
        self,
        vcpu: "Optional[int]" = None,
        memory_mb: "Optional[int]" = None,
        disk_gb: "Optional[int]" = None,
    ) -> None:
        """The template's vCPUs, memory in MB and disk in GB."""
        self.vcpu = vcpu
        self.memory_mb = memory_mb
        self.disk_gb = disk_gb

    @classmethod
    def _from_dict(cls, d: "Optional[Dict[str, Any]]") -> "Optional[TemplateResources]":
        if not isinstance(d, dict):
            return None
        return cls(d.get("vcpu"), d.get("memory_mb"), d.get("disk_gb"))

    def __repr__(self) -> str:
        sizes = f"vcpu={self.vcpu}, memory_mb={self.memory_mb}, disk_gb={self.disk_gb}"
        return f"TemplateResources({sizes})"


_TEXT = (
    "description",
    "category",
    "language",
    "icon",
    "docs_url",
    "status",
    "build_id",
    "organization_id",
    "object",
    "request_id",
)


class Template:
    """A template sandboxes are made from (``list_templates()``, ``get_template(name)``)."""

    __slots__ = (
        "id",
        "name",
        "display_name",
        *_TEXT,
        "default_resources",
        "min_resources",
        "max_resources",
        "features",
        "tags",
        "popularity_score",
        "is_active",
        "is_public",
        "created_at",
        "updated_at",
    )
    id: str
    name: str
    display_name: str
    description: "Optional[str]"
    category: "Optional[str]"
    language: "Optional[str]"
    icon: "Optional[str]"
    docs_url: "Optional[str]"
    status: "Optional[str]"
    build_id: "Optional[str]"
    organization_id: "Optional[str]"
    object: "Optional[str]"
    request_id: "Optional[str]"
    default_resources: "Optional[TemplateResources]"
    min_resources: "Optional[TemplateResources]"
    max_resources: "Optional[TemplateResources]"
    features: "List[str]"
    tags: "List[str]"
    popularity_score: "Optional[int]"
    is_active: bool
    is_public: "Optional[bool]"
    created_at: "Optional[datetime]"
    updated_at: "Optional[datetime]"

    def __init__(self, id: str, name: str, display_name: str = "", **fields: "Any") -> None:
        """The template ``name`` (id ``id``); ``fields`` are the other attributes."""
        self.id = id
        self.name = name
        self.display_name = display_name or name
        for key in _TEXT:
            setattr(self, key, fields.pop(key, None))
        for key in ("default_resources", "min_resources", "max_resources"):
            setattr(self, key, fields.pop(key, None))
        self.features = list(fields.pop("features", None) or [])
        self.tags = list(fields.pop("tags", None) or [])
        self.popularity_score = fields.pop("popularity_score", None)
        self.is_active = bool(fields.pop("is_active", True))
        self.is_public = fields.pop("is_public", None)
        self.created_at = fields.pop("created_at", None)
        self.updated_at = fields.pop("updated_at", None)
        if fields:
            raise TypeError(f"Template() got unexpected fields {sorted(fields)}")

    @classmethod
    def _from_dict(cls, d: "Dict[str, Any]") -> "Template":
        known = {k: d[k] for k in cls.__slots__[3:] if k in d}
        for key in ("default_resources", "min_resources", "max_resources"):
            if key in known:
                known[key] = TemplateResources._from_dict(known[key])
        for key in ("created_at", "updated_at"):
            if isinstance(known.get(key), str):
                known[key] = parse_rfc3339(known[key])
        for key in _TEXT:
            if known.get(key) is not None:
                known[key] = str(known[key])
        return cls(
            str(d.get("id", "")), str(d.get("name", "")), str(d.get("display_name") or ""), **known
        )

    def __repr__(self) -> str:
        return f"Template({self.name!r}, display_name={self.display_name!r})"

"""Class-level calls that are not about one sandbox, defined once for ``Sandbox`` and
``AsyncSandbox`` (see ``_define``): the templates, the control plane's health, and the pages
``iter`` walks through."""

from . import _args
from ._define import call
from .template_info import Template

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

    from ._methods import SandboxBase


async def list_templates(
    cls: "type[SandboxBase]",
    *,
    category: "Optional[str]" = None,
    language: "Optional[str]" = None,
    api_key: "Optional[str]" = None,
    base_url: "Optional[str]" = None,
) -> "List[Template]":
    """The templates sandboxes can be made from, optionally only those of a ``category``
    (development, infrastructure, operating-system) or ``language``."""
    from . import _native

    _args.check_str("category", category)
    _args.check_str("language", language)
    target = _args.target(api_key, base_url)
    found = await call(_native.list_templates, category=category, language=language, **target)
    return [Template._from_dict(t) for t in found]


async def get_template(
    cls: "type[SandboxBase]",
    name: str,
    *,
    api_key: "Optional[str]" = None,
    base_url: "Optional[str]" = None,
) -> Template:
    """The template ``name``; an unknown one raises
    :class:`hopx_ai.errors.TemplateNotFoundError`."""
    from . import _native

    _args.check_str("name", name, optional=False)
    target = _args.target(api_key, base_url)
    return Template._from_dict(await call(_native.get_template, name, **target))


async def delete_template(
    cls: "type[SandboxBase]",
    template_id: str,
    *,
    api_key: "Optional[str]" = None,
    base_url: "Optional[str]" = None,
) -> "Dict[str, Any]":
    """Deletes a template of your organization; the answer as a dict. Public templates, and
    the local engine's (all built in), cannot be deleted: that raises
    :class:`hopx_ai.errors.APIError`."""
    from . import _native

    _args.check_str("template_id", template_id, optional=False)
    target = _args.target(api_key, base_url)
    return await call(_native.delete_template, template_id, **target)


async def health_check(
    cls: "type[SandboxBase]",
    *,
    base_url: "Optional[str]" = None,
) -> "Dict[str, Any]":
    """The control plane's health (``status`` "healthy" when it works); needs no API key."""
    from . import _native

    return await call(_native.health_check, **_args.target(None, base_url))


def page_args(
    status: "Optional[str]",
    region: "Optional[str]",
    api_key: "Optional[str]",
    base_url: "Optional[str]",
) -> "Dict[str, Any]":
    """The checked arguments of ``iter``'s page calls (100 sandboxes a page)."""
    _args.check_str("status", status)
    _args.check_str("region", region)
    return {"status": status, "region": region, "limit": 100, **_args.target(api_key, base_url)}

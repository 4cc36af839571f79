"""Class-level calls on the embedded engine: templates (list, get, delete refused), the control
plane's health, and ``iter`` walking every sandbox lazily; sync and async."""

import asyncio

import pytest

from hopx_ai import APIError, AsyncSandbox, Sandbox, Template, TemplateNotFoundError


def test_templates():
    templates = Sandbox.list_templates()
    names = [t.name for t in templates]
    assert "code-interpreter" in names and "base" in names
    assert all(isinstance(t, Template) and t.display_name for t in templates)
    one = Sandbox.get_template("base")
    assert one.name == "base" and one.default_resources is not None
    assert one.default_resources.vcpu is not None and one.default_resources.vcpu >= 1
    assert one.is_active is True and one.created_at is not None
    with pytest.raises(TemplateNotFoundError):
        Sandbox.get_template("no-such-template")
    with pytest.raises(APIError) as info:
        Sandbox.delete_template("base")
    assert "built into the local engine" in str(info.value)
    assert info.value.status_code == 403
    with pytest.raises(TemplateNotFoundError):
        Sandbox.delete_template("no-such-template")
    with pytest.raises(TypeError):
        Sandbox.list_templates(category=3)


def test_health_check():
    assert Sandbox.health_check()["status"] == "healthy"


def test_iter_walks_every_sandbox_and_stops_when_told():
    made = [Sandbox.create(template="base") for _ in range(3)]
    try:
        ids = {sb.sandbox_id for sb in made}
        seen = [sb.sandbox_id for sb in Sandbox.iter()]
        assert ids <= set(seen) and len(seen) == len(set(seen))
        first = next(Sandbox.iter())
        assert isinstance(first, Sandbox)
        made[0].pause()
        paused = [sb.sandbox_id for sb in Sandbox.iter(status="paused")]
        assert paused == [made[0].sandbox_id]
        assert made[0].sandbox_id not in [sb.sandbox_id for sb in Sandbox.iter(status="running")]
    finally:
        for sb in made:
            sb.kill()


def test_async_flavour():
    async def main():
        async with AsyncSandbox.create(template="base") as sb:
            seen = [s.sandbox_id async for s in AsyncSandbox.iter()]
            assert sb.sandbox_id in seen
            assert (await AsyncSandbox.get_template("code-interpreter")).name == "code-interpreter"
            assert (await AsyncSandbox.health_check())["status"] == "healthy"
            assert len(await AsyncSandbox.list_templates()) >= 2

    asyncio.run(main())

"""What a sandbox tells about itself, on the embedded engine: health, the agent's description
and metrics, the processes in it, its kernel session, its time left, and its token; sync and
async, with the official names."""

import asyncio
from datetime import datetime, timezone

import pytest

from hopx_ai import AsyncSandbox, ExpiryInfo, HopxError, Sandbox


def test_health_info_metrics_processes_and_sessions():
    with Sandbox.create() as sb:
        assert sb.is_healthy() is True
        sb.ensure_healthy()
        info = sb.get_agent_info()
        assert info["features"]["code_execution"] is True and info["version"]
        sb.run_code("x = 1")
        (session,) = sb.get_jupyter_sessions()
        assert session["execution_state"] == "idle"
        sb.commands.run("sleep 300", background=True, timeout=600)
        procs = sb.list_system_processes()
        for _ in range(50):
            if any(p["name"] == "sleep" for p in procs):
                break
            procs = sb.list_system_processes()
        sleep = next(p for p in procs if p["name"] == "sleep")
        assert sleep["command"] == "sleep 300" and sleep["pid"] > 0
        assert set(sleep) >= {"pid", "name", "status", "cpu_percent", "memory_mb", "command"}
        before = sb.get_agent_metrics()["total_executions"]
        sb.run_code("x += 1")
        metrics = sb.get_metrics_snapshot()
        assert metrics["total_executions"] == before + 1
        assert metrics["system"]["memory_mb"] > 10 and metrics["process"]["count"] >= 3


def test_a_paused_sandbox_is_not_healthy():
    with Sandbox.create(template="base") as sb:
        sb.pause()
        with pytest.raises(HopxError) as info:
            sb.ensure_healthy()
        assert info.value.code == "sandbox_not_running"
        assert sb.is_healthy() is False
        sb.resume()
        sb.ensure_healthy()


def test_expiry_helpers_with_and_without_a_time_to_live():
    with Sandbox.create(template="base") as sb:
        none = sb.get_expiry_info()
        assert isinstance(none, ExpiryInfo) and not none.has_timeout and none.expires_at is None
        assert sb.get_time_to_expiry() is None and sb.is_expiring_soon() is False
        sb.set_timeout(200)
        info = sb.get_expiry_info()
        assert info.has_timeout and not info.is_expired and info.is_expiring_soon
        assert isinstance(info.expires_at, datetime)
        assert info.expires_at > datetime.now(timezone.utc)
        assert 190 <= sb.get_time_to_expiry() <= 200
        assert sb.is_expiring_soon(threshold_seconds=100) is False
        assert sb.get_expiry_info(expiring_soon_threshold=100).is_expiring_soon is False
        with pytest.raises(TypeError):
            sb.is_expiring_soon(threshold_seconds="100")


def test_tokens_refresh_and_calls_go_on():
    with Sandbox.create(template="base") as sb:
        assert sb.agent_url.startswith("http://127.0.0.1:")
        assert sb.agent_url == sb.get_info().public_host
        first = sb.get_token()
        sb.refresh_token()
        second = sb.get_token()
        assert first and second and second != first
        assert sb.run_code("echo ok", language="bash").stdout == "ok\n"


def test_async_flavour():
    async def main():
        async with AsyncSandbox.create(template="base") as sb:
            assert await sb.is_healthy() is True
            await sb.commands.run("sleep 30", background=True)  # starts a moment later
            for _ in range(200):
                if (await sb.get_agent_metrics())["process"]["count"] >= 2:
                    break
                await asyncio.sleep(0.01)
            assert (await sb.get_agent_metrics())["process"]["count"] >= 2, "bash and its sleep"
            assert await sb.get_time_to_expiry() is None
            assert (await sb.agent_url).startswith("http://127.0.0.1:")
            assert isinstance(await sb.list_system_processes(), list)

    asyncio.run(main())

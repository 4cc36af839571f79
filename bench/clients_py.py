"""One Python client's series against one HopX server; prints a JSON object of samples.

    python bench/clients_py.py KIND --url URL [--template T] [--calls N] [--cycles N]
        [--rounds N] [--series warm,cycle,throughput]

KIND is `sdk-sync` / `sdk-async` (whichever `hopx_ai` this interpreter imports: ours or the
official 0.5.0) or `raw-sync` / `raw-async` (the floor: a keep-alive HTTP/1.1 client with
TCP_NODELAY sending each request in one write, parsing the JSON answer). Series:
- warm: `run_code("print(1)")` on a warm sandbox, `--calls` timed calls after 20 warm-up calls;
- cycle: `--cycles` times create, first `run_code`, kill (each step timed);
- throughput: `--rounds` times 200 calls with 20 in flight on one sandbox (wall time and
  per-call latency).
Times are in milliseconds.
"""

import argparse
import asyncio
import http.client
import json
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

CODE = "print(1)"
API_KEY = "hopx_live_benchbenchben.secret"
TOTAL, IN_FLIGHT = 200, 20
now = time.perf_counter


def ms(seconds):
    return seconds * 1000.0


# ---------------------------------------------------------------- raw floor (sync)

class RawConn:
    """One keep-alive connection; requests go out in one write (headers + body)."""

    def __init__(self, url):
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def call(self, method, path, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Content-Type": "application/json", **dict(headers)}
        self.conn.request(method, path, body=data, headers=hdrs)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:200]!r}")
        return json.loads(payload)


class RawSandbox:
    def __init__(self, control, info):
        self.control, self.id = control, info["id"]
        self.auth = {"Authorization": "Bearer " + info["auth_token"]}
        self.agent_url = info["public_host"]
        self.local = threading.local()

    @classmethod
    def create(cls, control, template):
        return cls(control, control.call("POST", "/v1/sandboxes", {"template_name": template},
                                         {"X-API-Key": API_KEY}))

    def agent(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = RawConn(self.agent_url)
        return conn

    def run_code(self, code):
        body = {"language": "python", "code": code, "workdir": "/workspace", "timeout": 120}
        return self.agent().call("POST", "/execute", body, self.auth)

    def kill(self):
        self.control.call("DELETE", f"/v1/sandboxes/{self.id}", None, {"X-API-Key": API_KEY})


# ---------------------------------------------------------------- raw floor (asyncio)

class AsyncRawConn:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, url):
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(reader, writer)

    async def call(self, method, path, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers)
        head += f"Content-Length: {len(data)}\r\n\r\n"
        self.writer.write(head.encode() + data)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        payload = await self.reader.readexactly(length)
        if status >= 400:
            raise RuntimeError(f"{method} {path}: {status} {payload[:200]!r}")
        return json.loads(payload)


class AsyncRawPool:
    """Keep-alive connections to one origin, opened on demand, reused LIFO."""

    def __init__(self, url):
        self.url, self.idle = url, []

    async def call(self, *args):
        conn = self.idle.pop() if self.idle else await AsyncRawConn.open(self.url)
        try:
            return await conn.call(*args)
        finally:
            self.idle.append(conn)


class AsyncRawSandbox:
    def __init__(self, control, info):
        self.control, self.id = control, info["id"]
        self.auth = (("Authorization", "Bearer " + info["auth_token"]),)
        self.agent = AsyncRawPool(info["public_host"])

    @classmethod
    async def create(cls, control, template):
        info = await control.call("POST", "/v1/sandboxes", {"template_name": template},
                                  (("X-API-Key", API_KEY),))
        return cls(control, info)

    async def run_code(self, code):
        body = {"language": "python", "code": code, "workdir": "/workspace", "timeout": 120}
        return await self.agent.call("POST", "/execute", body, self.auth)

    async def kill(self):
        await self.control.call("DELETE", f"/v1/sandboxes/{self.id}", None,
                                (("X-API-Key", API_KEY),))


# ---------------------------------------------------------------- series

def check(result):
    stdout = result["stdout"] if isinstance(result, dict) else result.stdout
    if stdout != "1\n":
        raise RuntimeError(f"unexpected stdout {stdout!r}")


def sync_series(kind, args):
    if kind == "raw-sync":
        control = RawConn(args.url)
        create = lambda t=args.template: RawSandbox.create(control, t)  # noqa: E731
    else:
        from hopx_ai import Sandbox
        create = lambda t=args.template: Sandbox.create(template=t, api_key=API_KEY,  # noqa: E731
                                                        base_url=args.url)
    out = {}
    if "cycle" in args.series:
        for _ in range(5):  # warm-up
            sb = create(args.cycle_template); check(sb.run_code(CODE)); sb.kill()
        create_ms, first_ms, kill_ms = [], [], []
        for _ in range(args.cycles):
            t0 = now(); sb = create(args.cycle_template); t1 = now(); check(sb.run_code(CODE)); t2 = now()
            sb.kill(); t3 = now()
            create_ms.append(ms(t1 - t0)); first_ms.append(ms(t2 - t1)); kill_ms.append(ms(t3 - t2))
        out.update(create=create_ms, first_run=first_ms, kill=kill_ms,
                   create_kill=[a + b for a, b in zip(create_ms, kill_ms)])
    sb = create()
    try:
        if "warm" in args.series:
            for _ in range(20):
                check(sb.run_code(CODE))
            warm = []
            for _ in range(args.calls):
                t0 = now(); check(sb.run_code(CODE)); warm.append(ms(now() - t0))
            out["warm"] = warm
        if "throughput" in args.series:
            def one(_):
                t0 = now(); check(sb.run_code(CODE)); return ms(now() - t0)
            with ThreadPoolExecutor(IN_FLIGHT) as pool:
                list(pool.map(one, range(IN_FLIGHT * 2)))  # warm-up: a connection per thread
                walls, lat = [], []
                for _ in range(args.rounds):
                    t0 = now()
                    lat += list(pool.map(one, range(TOTAL)))
                    walls.append(ms(now() - t0))
            out.update(tp_wall=walls, tp_latency=lat)
    finally:
        sb.kill()
    return out


async def async_series(kind, args):
    if kind == "raw-async":
        control = AsyncRawPool(args.url)
        create = lambda t=args.template: AsyncRawSandbox.create(control, t)  # noqa: E731
    else:
        from hopx_ai import AsyncSandbox
        create = lambda t=args.template: AsyncSandbox.create(  # noqa: E731
            template=t, api_key=API_KEY, base_url=args.url)
    out = {}
    if "cycle" in args.series:
        for _ in range(5):
            sb = await create(args.cycle_template); check(await sb.run_code(CODE)); await sb.kill()
        create_ms, first_ms, kill_ms = [], [], []
        for _ in range(args.cycles):
            t0 = now(); sb = await create(args.cycle_template); t1 = now(); check(await sb.run_code(CODE)); t2 = now()
            await sb.kill(); t3 = now()
            create_ms.append(ms(t1 - t0)); first_ms.append(ms(t2 - t1)); kill_ms.append(ms(t3 - t2))
        out.update(create=create_ms, first_run=first_ms, kill=kill_ms,
                   create_kill=[a + b for a, b in zip(create_ms, kill_ms)])
    sb = await create()
    try:
        if "warm" in args.series:
            for _ in range(20):
                check(await sb.run_code(CODE))
            warm = []
            for _ in range(args.calls):
                t0 = now(); check(await sb.run_code(CODE)); warm.append(ms(now() - t0))
            out["warm"] = warm
        if "throughput" in args.series:
            lat = []

            async def one():
                t0 = now(); check(await sb.run_code(CODE)); lat.append(ms(now() - t0))

            async def burst(total):
                sem = asyncio.Semaphore(IN_FLIGHT)

                async def gated():
                    async with sem:
                        await one()
                await asyncio.gather(*(gated() for _ in range(total)))

            await burst(IN_FLIGHT * 2)
            lat.clear()
            walls = []
            for _ in range(args.rounds):
                t0 = now(); await burst(TOTAL); walls.append(ms(now() - t0))
            out.update(tp_wall=walls, tp_latency=lat)
    finally:
        await sb.kill()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["sdk-sync", "sdk-async", "raw-sync", "raw-async"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--template", default="code-interpreter")
    parser.add_argument("--cycle-template", help="template of the cycle series (default --template)")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--series", default="warm,cycle,throughput")
    args = parser.parse_args()
    args.series = set(args.series.split(","))
    args.cycle_template = args.cycle_template or args.template
    if args.kind.endswith("async"):
        out = asyncio.run(async_series(args.kind, args))
    else:
        out = sync_series(args.kind, args)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

"""The embedded local engine through our Python package, next to its floors, in one process.

    python bench/local_engine.py [--calls 200] [--cycles 100] [--bursts 3] [--quick] > local.json

Needs `hopx_ai` built --release with the `[local]` extra; HOPX_LOCAL_PYTHON is the sandbox
Python (default: this interpreter). `--isolation-cost PATH` is the `isolation_cost` example
binary of hopx-local (spawn-to-exit of `/bin/true`, bare and isolated). Times in milliseconds.
"""

import argparse
import asyncio
import json
import os
import struct
import subprocess
import sys
import time

CALLS_PLOT = 50
now = time.perf_counter


def ms(seconds):
    return seconds * 1000.0


def timed(fn, n, warmup=10):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t0 = now()
        fn()
        out.append(ms(now() - t0))
    return out


# ---------------------------------------------------------------- floors

PIPE_REPL = r"""
import io, json, struct, sys, contextlib
inp, out = sys.stdin.buffer, sys.stdout.buffer
g = {"__name__": "__main__"}
while True:
    head = inp.read(4)
    if not head:
        break
    req = json.loads(inp.read(struct.unpack("<I", head)[0]))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(req["code"], g)
    body = json.dumps({"stdout": buf.getvalue()}).encode()
    out.write(struct.pack("<I", len(body)) + body)
    out.flush()
"""


def pipe_repl_floor(python, n):
    """Round trip of print(1) to a persistent `python -S` over length-prefixed JSON pipes."""
    proc = subprocess.Popen([python, "-S", "-c", PIPE_REPL], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)

    def call():
        body = json.dumps({"code": "print(1)"}).encode()
        proc.stdin.write(struct.pack("<I", len(body)) + body)
        proc.stdin.flush()
        size = struct.unpack("<I", proc.stdout.read(4))[0]
        assert json.loads(proc.stdout.read(size))["stdout"] == "1\n"

    try:
        return timed(call, n, warmup=20)
    finally:
        proc.stdin.close()
        proc.wait()


def ipython_floor(python, n):
    """IPython's own run_cell("print(1)"), in a process of the sandbox Python."""
    code = f"""
import io, json, time, contextlib
from IPython.core.interactiveshell import InteractiveShell
sh = InteractiveShell.instance()
out = []
for i in range({n} + 20):
    buf = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(buf):
        sh.run_cell("print(1)", store_history=False)
    out.append((time.perf_counter() - t0) * 1000)
print(json.dumps(out[20:]))
"""
    res = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def process_floor(argv, n):
    return timed(lambda: subprocess.run(argv, stdout=subprocess.DEVNULL, check=True), n, warmup=3)


def isolation_floor(binary, n):
    """p50/p90 of /bin/true spawn-to-exit: plain, namespaces, namespaces + netns."""
    if not binary or not os.path.exists(binary):
        return {}
    res = subprocess.run([binary, str(n)], capture_output=True, text=True, check=True)
    rows = {}
    for line in res.stdout.splitlines():
        if "p50" in line:
            name, rest = line.split("p50")
            p50, p90 = rest.split("p90")
            rows[name.strip()] = {"p50": float(p50), "p90": float(p90)}
    return rows


# ---------------------------------------------------------------- memory

def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def pss_kb(pid):
    """Proportional set size (shared pages split between their users), kB; 0 if gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_mb(pid, fn=pss_kb):
    return sum(fn(p) for p in descendants(pid)) / 1024.0


def settle(seconds=2.0):
    time.sleep(seconds)


def memory(Sandbox, count):
    """Idle PSS per sandbox: the engine's children with `count` sandboxes minus without."""
    me = os.getpid()
    out = {}
    for template in ("code-interpreter", "base"):
        settle(3.0)
        before, before_rss = tree_mb(me), tree_mb(me, rss_kb)
        sandboxes = [Sandbox.create(template=template) for _ in range(count)]
        for sb in sandboxes:
            sb.run_code("print(1)")
        settle(4.0)  # the pool refill, if any, is part of `before` too
        after, after_rss = tree_mb(me), tree_mb(me, rss_kb)
        out[template] = {"pss_mb_per_sandbox": (after - before) / count,
                         "rss_mb_per_sandbox": (after_rss - before_rss) / count, "sandboxes": count}
        for sb in sandboxes:
            sb.kill()
    return out


def engine_memory(binary, python):
    """RSS/PSS of an idle standalone `hopx-local serve` (its pooled kernel listed apart)."""
    if not binary or not os.path.exists(binary):
        return {}
    env = dict(os.environ, HOPX_LOCAL_PYTHON=python)
    proc = subprocess.Popen([binary, "serve", "--port", "0"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(6.0)  # its warm kernel
        return {"engine_rss_mb": rss_kb(proc.pid) / 1024.0,
                "engine_pss_mb": pss_kb(proc.pid) / 1024.0,
                "pooled_kernel_pss_mb": tree_mb(proc.pid)}
    finally:
        proc.terminate()
        proc.wait()


# ---------------------------------------------------------------- engine series

PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()"
TABLE = "import pandas as pd\npd.DataFrame({'a': range(10), 'b': range(10)})"


def warm_series(Sandbox, n):
    out = {}
    with Sandbox.create(template="code-interpreter") as sb:
        # Taking the pooled kernel makes the engine start its replacement (an IPython import,
        # a second or so of one core): let it finish, or the first series measures that too.
        settle(3.0)

        def run(code, check=None, **kw):
            def call():
                r = sb.run_code(code, **kw)
                if not r.success or (check and not check(r)):
                    raise RuntimeError(f"{code!r}: {r.stdout!r} {r.stderr!r}")
            return call
        out["ci_print"] = timed(run("print(1)", lambda r: r.stdout == "1\n"), n, warmup=20)
        sb.run_code("x = 0")
        out["ci_incr"] = timed(run("x += 1"), n, warmup=20)
        assert sb.run_code("print(x)").stdout == f"{n + 20}\n"
        out["ci_plot"] = timed(run(PLOT, lambda r: any(o.type == "image/png" for o in r.rich_outputs)),
                               max(CALLS_PLOT, n // 4), warmup=3)
        out["ci_table"] = timed(run(TABLE, lambda r: any(o.type == "text/html" for o in r.rich_outputs)),
                                n, warmup=5)
    with Sandbox.create(template="base") as sb:
        def one(code, lang, want):
            def call():
                r = sb.run_code(code, language=lang)
                if r.stdout != want:
                    raise RuntimeError(f"{lang}: {r.stdout!r} {r.stderr!r}")
            return call
        out["bash_echo"] = timed(one("echo 1", "bash", "1\n"), n, warmup=5)
        out["base_python"] = timed(one("print(1)", "python", "1\n"), n, warmup=5)
        out["base_js"] = timed(one("console.log(1)", "javascript", "1\n"), n, warmup=3)
    return out


def lifecycle(Sandbox, cycles, pause):
    """create -> first print(1) -> kill; paced so the warm pool has refilled each time."""
    ci, base = [], []
    for i in range(cycles + 2):
        time.sleep(pause)
        t0 = now()
        sb = Sandbox.create(template="code-interpreter")
        r = sb.run_code("print(1)")
        sb.kill()
        if r.stdout != "1\n":
            raise RuntimeError(r.stderr)
        if i >= 2:
            ci.append(ms(now() - t0))
    for i in range(cycles + 2):
        t0 = now()
        sb = Sandbox.create(template="base")
        r = sb.run_code("echo 1", language="bash")
        sb.kill()
        if i >= 2:
            base.append(ms(now() - t0))
    return {"life_ci": ci, "life_base_bash": base}


async def burst(AsyncSandbox, size):
    """`size` base sandboxes created at once, each runs `echo 1` and is killed.

    A run whose output is wrong is counted (and reported), not fatal, so one bad run under
    load still leaves the burst's timing."""
    per, bad = [], []

    async def one():
        t0 = now()
        sb = await AsyncSandbox.create(template="base")
        r = await sb.run_code("echo 1", language="bash")
        await sb.kill()
        if r.stdout != "1\n":
            bad.append({"exit_code": r.exit_code, "stdout": r.stdout[:200], "stderr": r.stderr[:500]})
        per.append(ms(now() - t0))

    t0 = now()
    await asyncio.gather(*(one() for _ in range(size)))
    return ms(now() - t0), per, bad


async def throughput(AsyncSandbox, rounds, total=200, in_flight=20, boxes=4):
    sbs = [await AsyncSandbox.create(template="code-interpreter") for _ in range(boxes)]
    lat, walls = [], []
    sem = asyncio.Semaphore(in_flight)

    async def one(i):
        async with sem:
            t0 = now()
            r = await sbs[i % boxes].run_code("print(1)")
            lat.append(ms(now() - t0))
            assert r.stdout == "1\n"

    try:
        await asyncio.gather(*(one(i) for i in range(in_flight * 2)))
        lat.clear()
        for _ in range(rounds):
            t0 = now()
            await asyncio.gather(*(one(i) for i in range(total)))
            walls.append(ms(now() - t0))
    finally:
        for sb in sbs:
            await sb.kill()
    return {"tp_wall": walls, "tp_latency": lat}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--pause", type=float, default=1.0)
    parser.add_argument("--bursts", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--isolation-cost")
    parser.add_argument("--engine-binary")
    args = parser.parse_args()
    for name in ("HOPX_API_KEY", "HOPX_BASE_URL"):
        os.environ.pop(name, None)
    # The engine inside this process: the memory section counts its sandboxes as this
    # process's descendants (bench/fresh_process.py compares it with the shared engine).
    os.environ["HOPX_LOCAL_SHARED"] = "0"
    python = os.environ.setdefault("HOPX_LOCAL_PYTHON", sys.executable)
    from hopx_ai import AsyncSandbox, Sandbox

    res = {"meta": {"sandbox_python": python, "calls": args.calls, "cycles": args.cycles}}
    res.update(warm_series(Sandbox, args.calls))
    res.update(lifecycle(Sandbox, args.cycles, args.pause))
    walls, per, bad = [], [], []
    for _ in range(args.bursts):
        time.sleep(1.0)
        wall, each, wrong = asyncio.run(burst(AsyncSandbox, 100))
        walls.append(wall)
        per += each
        bad += wrong
    res.update(burst_wall=walls, burst_per=per, burst_bad=bad)
    res.update({"ci_" + k: v for k, v in asyncio.run(throughput(AsyncSandbox, args.rounds)).items()})
    res["memory"] = memory(Sandbox, 5)
    res["memory"].update(engine_memory(args.engine_binary, python))
    # Floors, measured in the same run.
    res["floor_pipe_repl"] = pipe_repl_floor(python, args.calls)
    res["floor_ipython_run_cell"] = ipython_floor(python, args.calls)
    res["floor_python_c_pass"] = process_floor([python, "-c", "pass"], min(args.calls, 100))
    res["floor_python_IS_c_pass"] = process_floor([python, "-I", "-S", "-c", "pass"], min(args.calls, 100))
    res["floor_bash_c_true"] = process_floor(["/bin/bash", "-c", "true"], min(args.calls, 100))
    res["floor_node_e"] = process_floor(["node", "-e", ""], min(args.calls, 50))
    res["floor_isolation"] = isolation_floor(args.isolation_cost, args.calls)
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main()

"""Delay from a ``print`` in the sandbox to the ``on_stdout`` callback in Python.

The sandbox prints ``time.time()`` N times with small sleeps; the callback subtracts the
printed time from its own ``time.time()`` (same machine, same clock). Prints p50/p90/p99/max
in milliseconds, for the sync and the async API, against the embedded local engine.

Usage: python bench/python_stream_latency.py [--lines 200] [--sleep 0.01] [--repeat 1]
"""

import argparse
import asyncio
import os
import statistics
import time

CODE = """import time
for _ in range({n}):
    print(repr(time.time()), flush=True)
    time.sleep({sleep})
"""


def pct(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Collector:
    """An ``on_stdout`` that splits chunks into lines and records each line's delay."""

    def __init__(self):
        self.delays = []
        self.partial = ""

    def __call__(self, text):
        now = time.time()
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        for line in lines:
            if line.strip():
                self.delays.append(now - float(line))


def report(label, delays):
    ms = [d * 1000 for d in delays]
    print(f"{label:>6}: n={len(ms)} p50={statistics.median(ms):.2f} ms "
          f"p90={pct(ms, 0.90):.2f} ms p99={pct(ms, 0.99):.2f} ms max={max(ms):.2f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--sleep", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    for name in ("HOPX_API_KEY", "HOPX_BASE_URL"):
        os.environ.pop(name, None)
    from hopx_ai import AsyncSandbox, Sandbox

    code = CODE.format(n=args.lines, sleep=args.sleep)
    with Sandbox.create(template="code-interpreter") as sb:
        sb.run_code("print('warm')", on_stdout=lambda _: None)
        collector = Collector()
        for _ in range(args.repeat):
            sb.run_code(code, on_stdout=collector)
        report("sync", collector.delays)

    async def run_async():
        async with AsyncSandbox.create(template="code-interpreter") as sb:
            await sb.run_code("print('warm')", on_stdout=lambda _: None)
            collector = Collector()
            for _ in range(args.repeat):
                await sb.run_code(code, on_stdout=collector)
            report("async", collector.delays)

    asyncio.run(run_async())


if __name__ == "__main__":
    main()

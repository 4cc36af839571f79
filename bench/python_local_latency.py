"""Latency of the Python package against the embedded local engine.

Prints the median wall time of ``import hopx_ai`` (fresh processes, next to ``python -c pass``)
and the p50/p90 of ``run_code("print(1)")`` on a warm code-interpreter sandbox through the
sync and the async API. Usage: python bench/python_local_latency.py [--runs 300]
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time


def import_time(n):
    """Median wall seconds of `python -c pass` and `python -c "import hopx_ai"`, interleaved
    so that a busy machine slows both alike."""
    def wall(code):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    wall("import hopx_ai")  # writes bytecode caches once
    bare, with_pkg = [], []
    for _ in range(n):
        bare.append(wall("pass"))
        with_pkg.append(wall("import hopx_ai"))
    return statistics.median(bare), statistics.median(with_pkg)


def pct(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def sync_latency(runs):
    from hopx_ai import Sandbox

    with Sandbox.create(template="code-interpreter") as sandbox:
        for _ in range(20):
            sandbox.run_code("print(1)")
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            sandbox.run_code("print(1)")
            samples.append(time.perf_counter() - start)
    return samples


async def async_latency(runs):
    from hopx_ai import AsyncSandbox

    async with AsyncSandbox.create(template="code-interpreter") as sandbox:
        for _ in range(20):
            await sandbox.run_code("print(1)")
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            await sandbox.run_code("print(1)")
            samples.append(time.perf_counter() - start)
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--imports", type=int, default=10)
    args = parser.parse_args()
    for name in ("HOPX_API_KEY", "HOPX_BASE_URL"):
        os.environ.pop(name, None)

    bare, with_pkg = import_time(args.imports)
    print(f"python -c pass          median {bare * 1000:7.1f} ms  ({args.imports} runs)")
    print(f"python -c 'import hopx_ai' median {with_pkg * 1000:7.1f} ms  "
          f"(+{(with_pkg - bare) * 1000:.1f} ms)")
    for label, samples in (("sync ", sync_latency(args.runs)),
                           ("async", asyncio.run(async_latency(args.runs)))):
        print(f"run_code('print(1)') {label} p50 {pct(samples, 0.5) * 1000:6.2f} ms  "
              f"p90 {pct(samples, 0.9) * 1000:6.2f} ms  ({len(samples)} calls)")


if __name__ == "__main__":
    main()

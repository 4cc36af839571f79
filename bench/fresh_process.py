"""A fresh process's first result: `python -c` running import → `Sandbox.create()` →
`run_code("print(1)")` → `kill()`, timed from outside (spawn to exit), median of N runs, next to
`python -c pass` in the same run. Modes:

- shared, warm: the user's shared engine is running (started by a first, untimed run); each
  run waits `--pause` seconds first, as a person between two scripts does, so the engine's
  warm kernel is back in its pool;
- shared, back to back: the same with no pause (the pool's one kernel is still starting for
  all but the first run: the worst case of the shared engine);
- in-process (`HOPX_LOCAL_SHARED=0`): the engine inside the process, as before the shared
  engine;
- shared, cold: no engine runs (stopped before each run), so the run starts one first.

    python bench/fresh_process.py --ours PYTHON [--runs 20]

Each mode has a private engine folder. Writes bench/fresh_process.md (and prints it).
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

SCRIPT = (
    "from hopx_ai import Sandbox\n"
    "s = Sandbox.create()\n"
    "assert s.run_code('print(1)').stdout == '1\\n'\n"
    "s.kill()\n"
)


def timed(python, code, env):
    t = time.perf_counter()
    subprocess.run([python, "-c", code], env=env, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1000


def stop_engines(folder):
    for record in Path(folder).glob("engine-*.json"):
        pid = json.loads(record.read_text())["pid"]
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        while Path(f"/proc/{pid}").exists():
            time.sleep(0.02)


def measure(python, runs, pause, mode, folder):
    env = dict(os.environ, HOPX_LOCAL_SHARED_DIR=folder)
    env.pop("HOPX_LOCAL_SHARED", None)
    if mode == "in-process":
        env["HOPX_LOCAL_SHARED"] = "0"
    if mode.startswith("shared, warm") or mode == "shared, back to back":
        timed(python, SCRIPT, env)  # starts the engine
    out = []
    for _ in range(runs):
        if mode == "shared, cold":
            stop_engines(folder)
        if mode == "shared, warm":
            time.sleep(pause)
        out.append(timed(python, SCRIPT, env))
    stop_engines(folder)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, help="a Python with hopx_ai[local] installed")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--pause", type=float, default=1.0)
    args = ap.parse_args()
    base = [timed(args.ours, "pass", dict(os.environ)) for _ in range(args.runs)]
    floor = statistics.median(base)
    rows = [("`python -c pass`", base)]
    for mode in ("shared, warm", "shared, back to back", "in-process", "shared, cold"):
        with tempfile.TemporaryDirectory() as folder:
            rows.append((mode, measure(args.ours, args.runs, args.pause, mode, folder)))
    lines = [
        "# A fresh process's first result",
        "",
        f"`python bench/fresh_process.py --ours PYTHON --runs {args.runs}`: a new `python -c`",
        "each run: import, `Sandbox.create()`, `run_code(\"print(1)\")`, `kill()`; spawn to exit,",
        f"median of {args.runs} (p90 beside it). \"Added\" is the median minus `python -c pass`'s.",
        f"Warm runs wait {args.pause:g} s before each run (the engine's kernel pool refills).",
        "",
        "| Mode | Median ms | p90 ms | Added over `python -c pass` |",
        "|---|---|---|---|",
    ]
    for name, values in rows:
        values = sorted(values)
        med = statistics.median(values)
        p90 = values[int(len(values) * 0.9) - 1]
        added = "" if name.startswith("`") else f"{med - floor:+.0f} ms"
        lines.append(f"| {name} | {med:.0f} | {p90:.0f} | {added} |")
    text = "\n".join(lines) + "\n"
    (HERE / "fresh_process.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

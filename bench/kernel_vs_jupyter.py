"""The code-interpreter kernel through our Python package, next to a raw Jupyter baseline
(jupyter_client driving an ipykernel) measured in the same script on the same machine.

    python bench/kernel_vs_jupyter.py [--runs 200]

Needs hopx_ai (built --release for meaningful numbers), ipykernel, jupyter_client and
matplotlib in the running interpreter. Prints a Markdown table of p50/p99 in milliseconds.
"""

import argparse
import queue
import statistics
import time

PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()"


def pct(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, round((len(s) - 1) * p))] * 1e3


def timed(fn, runs, warmup=10):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


class Jupyter:
    """A started ipykernel and a blocking client: run a cell, wait for idle."""

    def __init__(self):
        from jupyter_client.manager import start_new_kernel

        self.km, self.kc = start_new_kernel(kernel_name="python3")

    def run(self, code):
        msg_id = self.kc.execute(code)
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=60)
            except queue.Empty:
                raise RuntimeError("no reply from the kernel") from None
            if (
                msg["parent_header"].get("msg_id") == msg_id
                and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"
            ):
                return

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    runs = ap.parse_args().runs
    from hopx_ai import Sandbox

    rows = []
    sb = Sandbox.create(template="code-interpreter")
    jk = Jupyter()
    try:
        sb.run_code("x = 0")
        jk.run("x = 0")
        for name, code, n in [
            ("print(1)", "print(1)", runs),
            ("x += 1", "x += 1", runs),
            ("matplotlib plot (PNG)", PLOT, max(20, runs // 10)),
        ]:
            ours = timed(lambda: sb.run_code(code), n)
            raw = timed(lambda: jk.run(code), n)
            rows.append((name, ours, raw))
    finally:
        sb.kill()
        jk.close()

    # create -> first result -> kill, with the warm pool refilled between rounds.
    cycle = []
    for _ in range(max(20, runs // 10)):
        time.sleep(1.0)  # let the pool start its next kernel, as a user pausing between sandboxes
        t = time.perf_counter()
        s = Sandbox.create(template="code-interpreter")
        s.run_code("print(1)")
        s.kill()
        cycle.append(time.perf_counter() - t)
    t = time.perf_counter()
    jk2 = Jupyter()
    jk2.run("print(1)")
    jk2.close()
    jupyter_cycle = [time.perf_counter() - t]

    print(f"| series (ms) | hopx_ai p50 | p99 | jupyter_client p50 | p99 | ratio p50 |")
    print("|---|---|---|---|---|---|")
    for name, ours, raw in rows:
        print(
            f"| {name} | {pct(ours, .5):.2f} | {pct(ours, .99):.2f} | {pct(raw, .5):.2f} | "
            f"{pct(raw, .99):.2f} | {pct(raw, .5) / pct(ours, .5):.1f}x faster |"
        )
    print(
        f"| create → first print(1) → kill (warm pool) | {pct(cycle, .5):.2f} | {pct(cycle, .99):.2f} "
        f"| {jupyter_cycle[0] * 1e3:.0f} (start kernel + run + shutdown, once) | | "
        f"{jupyter_cycle[0] / statistics.median(cycle):.0f}x |"
    )


if __name__ == "__main__":
    main()

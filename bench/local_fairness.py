"""CPU fairness between local sandboxes: how much slower a small computation in a quiet sandbox
gets while other sandboxes keep many processes busy, and how slow a warm `print(1)` gets.

    python bench/local_fairness.py [--busy 78] [--neighbours 2] [--rounds 5]

The quiet sandbox times its own computation (`time.perf_counter` inside the sandbox, so
process start-up is not counted). Baselines in the same run: the same computation with the
neighbours idle, and with the same busy processes inside the quiet sandbox itself, where they
share its CPU group: that is what every sandbox got before each had a share of its own (78 busy
processes next door made a small computation about 100 times slower, issue 13). Prints one
markdown table.
"""

import argparse
import os
import statistics
import time

WORK = """import time
t = time.perf_counter()
total = 0
for i in range(2_000_000):
    total += i
print((time.perf_counter() - t) * 1000)
"""

SPIN = "for i in $(seq 1 {n}); do (while :; do :; done) & done; sleep {secs}; kill $(jobs -p)"


def quiet_ms(sandbox, rounds):
    return [float(sandbox.run_code(WORK, language="python").stdout) for _ in range(rounds)]


def print_ms(sandbox, rounds):
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        sandbox.run_code("print(1)")
        out.append((time.perf_counter() - t) * 1000)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--busy", type=int, default=78, help="busy processes in all neighbours")
    parser.add_argument("--neighbours", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for name in ("HOPX_API_KEY", "HOPX_BASE_URL"):
        os.environ.pop(name, None)
    from hopx_ai import Sandbox

    quiet = Sandbox.create(template="base")
    kernel = Sandbox.create(template="code-interpreter")
    neighbours = [Sandbox.create(template="base") for _ in range(args.neighbours)]
    try:
        print_ms(kernel, 3)
        idle = quiet_ms(quiet, args.rounds)
        idle_print = print_ms(kernel, 20)
        per = max(1, args.busy // args.neighbours)
        secs = 10 + args.rounds * 3
        for n in neighbours:
            n.run_code_background(SPIN.format(n=per, secs=secs), language="bash", timeout=secs + 30)
        time.sleep(2)
        loaded = quiet_ms(quiet, args.rounds)
        loaded_print = print_ms(kernel, 20)
        for n in neighbours:
            for p in n.list_processes():
                n.kill_process(p["process_id"])
        time.sleep(1)
        quiet.run_code_background(SPIN.format(n=per * args.neighbours, secs=secs), language="bash",
                                  timeout=secs + 30)
        time.sleep(2)
        shared = quiet_ms(quiet, args.rounds)
    finally:
        for s in [quiet, kernel, *neighbours]:
            s.kill()
    med = statistics.median
    print(f"| {per * args.neighbours} busy processes in {args.neighbours} other sandboxes | idle | loaded | ratio |")
    print("|---|---|---|---|")
    print(f"| quiet sandbox: 2M-step Python loop (ms, median of {args.rounds}) | {med(idle):.1f} | "
          f"{med(loaded):.1f} | {med(loaded) / med(idle):.2f}x |")
    print(f"| the same, busy processes inside the quiet sandbox (one group, as before) | {med(idle):.1f} | "
          f"{med(shared):.1f} | {med(shared) / med(idle):.2f}x |")
    print(f"| warm `print(1)` in a third sandbox (ms, median of 20) | {med(idle_print):.2f} | "
          f"{med(loaded_print):.2f} | {med(loaded_print) / med(idle_print):.2f}x |")


if __name__ == "__main__":
    main()

"""Runs every benchmark series and writes bench/results/results.json (report.py renders it).

    python bench/bench.py [--quick] [--only overhead,footprint,local,compat]

Expects the set-up of bench/run.sh in bench/.deps/: `ours-py` (our hopx_ai, --release, with
[local]), `ours-min-py` (our hopx_ai alone), `official-py` (hopx-ai 0.5.0), `bare-py`,
`ours-node` and `official-node` (folders whose node_modules hold @hopx-ai/sdk), and the
release binaries in $CARGO_TARGET_DIR/release. Missing clients are skipped and noted.
"""

import argparse
import glob
import json
import os
import platform
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEPS = os.path.join(HERE, ".deps")
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(HERE, "..", "target")
RELEASE = os.path.join(TARGET, "release")


def dep(*parts):
    return os.path.join(DEPS, *parts)


def venv_python(name):
    p = dep(name, "bin", "python")
    return p if os.path.exists(p) else None


def node_pkg(name):
    d = dep(name)
    return d if os.path.isdir(os.path.join(d, "node_modules", "@hopx-ai", "sdk")) else None


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run_json(argv, env=None, timeout=1800):
    res = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}... failed ({res.returncode}):\n{res.stderr[-3000:]}")
    return json.loads(res.stdout)


def merge(into, part):
    for k, v in part.items():
        if isinstance(v, list):
            into.setdefault(k, []).extend(v)
        else:
            into[k] = v


def clients(url_kind):
    """(name, argv prefix) per client, or (name, None) when not installed."""
    ours_py, off_py = venv_python("ours-py"), venv_python("official-py")
    raw_py = ours_py or off_py
    drv_py, drv_node = os.path.join(HERE, "clients_py.py"), os.path.join(HERE, "clients_node.mjs")
    ours_node, off_node = node_pkg("ours-node"), node_pkg("official-node")
    sdk = lambda d: os.path.join(d, "node_modules", "@hopx-ai", "sdk")  # noqa: E731
    rows = [
        ("py-sync/raw", raw_py and [raw_py, drv_py, "raw-sync"]),
        ("py-sync/ours", ours_py and [ours_py, drv_py, "sdk-sync"]),
        ("py-sync/official", off_py and [off_py, drv_py, "sdk-sync"]),
        ("py-async/raw", raw_py and [raw_py, drv_py, "raw-async"]),
        ("py-async/ours", ours_py and [ours_py, drv_py, "sdk-async"]),
        ("py-async/official", off_py and [off_py, drv_py, "sdk-async"]),
        ("node/raw", ["node", drv_node, "raw"]),
        ("node/ours", ours_node and ["node", drv_node, "sdk", "--module", sdk(ours_node)]),
        ("node/official", off_node and ["node", drv_node, "sdk", "--module", sdk(off_node)]),
    ]
    if url_kind == "compat":  # the official SDKs (and ours, for reference) against hopx-local serve
        rows = [r for r in rows if not r[0].endswith("/raw")]
    return rows


def start(argv, pattern, env=None):
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    line = proc.stdout.readline()
    m = re.search(pattern, line)
    if not m:
        proc.kill()
        raise RuntimeError(f"{argv[0]} did not start: {line!r}")
    return proc, m.group(1)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(url, kind, args, extra, rounds_of_clients=2):
    """Each client runs `rounds_of_clients` times, alternating, so drift hits all alike."""
    out, skipped = {}, []
    rows = clients(kind)
    for r in range(rounds_of_clients):
        for name, argv in rows:
            if not argv:
                if r == 0:
                    skipped.append(name)
                continue
            log(f"{kind}: {name} (pass {r + 1}/{rounds_of_clients})")
            part = run_json(argv + ["--url", url] + extra)
            merge(out.setdefault(name, {}), part)
    return out, skipped


def overhead(args):
    mock = os.path.join(RELEASE, "hopx-bench-mock")
    proc, port = start([mock, "0"], r"listening (\d+)")
    try:
        url = f"http://127.0.0.1:{port}"
        half = lambda n: str(max(1, n // 2))  # noqa: E731  (two passes per client)
        extra = ["--calls", half(args.calls), "--cycles", half(args.cycles), "--rounds", half(args.rounds * 2)]
        data, skipped = drive(url, "mock", args, extra)
        data["_mock_cpu_s"] = cpu_seconds(proc.pid)
        return {"clients": data, "skipped": skipped}
    finally:
        proc.kill()
        proc.wait()


def compat(args):
    binary = os.path.join(RELEASE, "hopx-local")
    env = dict(os.environ, HOPX_LOCAL_PYTHON=venv_python("ours-py") or sys.executable)
    proc, url = start([binary, "serve", "--port", "0"], r"on (http://\S+)", env=env)
    try:
        time.sleep(2.0)  # the warm kernel
        half = lambda n: str(max(1, n // 2))  # noqa: E731
        extra = ["--calls", half(args.calls), "--cycles", half(args.cycles // 2), "--rounds",
                 half(args.rounds), "--cycle-template", "base"]
        data, skipped = drive(url, "compat", args, extra)
        return {"clients": data, "skipped": skipped}
    finally:
        proc.terminate()
        proc.wait()


def footprint(args):
    out, skipped = {}, []
    bare = venv_python("bare-py")
    me = [sys.executable, os.path.join(HERE, "footprint.py")]
    # Ours is installed from the release artifacts (scripts/release.sh), whose sizes are the
    # download.
    dist = os.path.join(ROOT, "dist")
    wheels = sorted(glob.glob(os.path.join(dist, "python", "*.whl")))
    tarballs = sorted(glob.glob(os.path.join(dist, "npm", "*.tgz")))
    for name, venv, files in (("py/ours", "ours-min-py", wheels), ("py/official", "official-py", [])):
        py = venv_python(venv)
        if py and bare:
            log(f"footprint {name}")
            extra = ["--artifacts", *files] if files else []
            out[name] = run_json(me + ["py", py, bare, "--runs", str(args.imports), *extra])
        else:
            skipped.append(name)
    for name, folder, files in (("node/ours", "ours-node", tarballs), ("node/official", "official-node", [])):
        d = node_pkg(folder)
        if d:
            log(f"footprint {name}")
            extra = ["--artifacts", *files] if files else []
            out[name] = run_json(me + ["node", d, "--runs", str(args.imports), *extra])
        else:
            skipped.append(name)
    return {"packages": out, "skipped": skipped}


def local(args):
    py = venv_python("ours-py")
    if not py:
        return {"skipped": ["ours-py"]}
    log("local engine")
    env = dict(os.environ, HOPX_LOCAL_PYTHON=py)
    env.pop("HOPX_API_KEY", None)
    env.pop("HOPX_BASE_URL", None)
    argv = [py, os.path.join(HERE, "local_engine.py"), "--calls", str(args.calls),
            "--cycles", str(args.cycles // 2), "--bursts", str(args.bursts), "--rounds", str(args.rounds),
            "--isolation-cost", os.path.join(RELEASE, "examples", "isolation_cost"),
            "--engine-binary", os.path.join(RELEASE, "hopx-local")]
    if args.quick:
        argv += ["--pause", "0.6"]
    return run_json(argv, env=env, timeout=3600)


def machine():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    ver = lambda argv: subprocess.run(argv, capture_output=True, text=True).stdout.strip()  # noqa: E731
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_mb": mem, "kernel": platform.release(),
        "python": ver([venv_python("ours-py") or sys.executable, "--version"]),
        "node": ver(["node", "--version"]), "load_before": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": ver(["git", "-C", HERE, "rev-parse", "--short", "HEAD"]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="overhead,footprint,local,compat")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "results.json"))
    args = parser.parse_args()
    if args.quick:
        args.calls, args.cycles, args.rounds, args.bursts, args.imports = 40, 20, 2, 1, 3
    else:
        args.calls, args.cycles, args.rounds, args.bursts, args.imports = 400, 200, 5, 3, 10
    results = {"machine": machine(), "quick": args.quick}
    if os.path.exists(args.out):  # keep sections not re-run (--only)
        with open(args.out) as f:
            old = json.load(f)
        results = {**old, **results}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    for section in args.only.split(","):
        t0 = time.time()
        results[section] = globals()[section](args)
        results[section]["_seconds"] = time.time() - t0
        results[section]["_run"] = f"{results['machine']['date']}, commit {results['machine']['commit']}"
        log(f"{section} done in {time.time() - t0:.0f} s")
        results["machine"]["load_after"] = os.getloadavg()
        with open(args.out, "w") as f:  # after each section, so a failure keeps the rest
            json.dump(results, f)
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Footprint of a Python or Node package: import/require wall time, dependencies, size on disk.

    python bench/footprint.py py  VENV_PYTHON BARE_VENV_PYTHON [--runs 10] [--artifacts FILE...]
    python bench/footprint.py node PACKAGE_DIR [--runs 10] [--artifacts FILE...]

``--artifacts``: the files that were installed (a wheel, npm tarballs), whose total size is
the download.

Import time is the median wall time of `--runs` fresh processes (bytecode caches written
first), next to a bare interpreter start in the same environment. Prints JSON.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def wall(argv, runs, cwd=None):
    subprocess.run(argv, check=True, cwd=cwd, stdout=subprocess.DEVNULL)  # caches
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, cwd=cwd, stdout=subprocess.DEVNULL)
        samples.append((time.perf_counter() - t0) * 1000.0)
    return samples


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            p = os.path.join(root, name)
            if not os.path.islink(p):
                total += os.path.getsize(p)
    return total


def site_packages(python):
    return subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()


def dists(python):
    out = subprocess.run([python, "-m", "pip", "list", "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    return {d["name"].lower() for d in json.loads(out)}


def python_footprint(python, bare, runs):
    base = dists(bare)
    deps = sorted(dists(python) - base - {"hopx_ai", "hopx-ai"})
    # Alternate the two commands so drift on a noisy machine hits both alike.
    bare_ms, import_ms = [], []
    for _ in range(runs):
        bare_ms += wall([python, "-c", "pass"], 1)
        import_ms += wall([python, "-c", "import hopx_ai"], 1)
    return {
        "bare_ms": bare_ms,
        "import_ms": import_ms,
        "dependencies": deps,
        "size_bytes": du(site_packages(python)) - du(site_packages(bare)),
    }


def node_footprint(pkg_dir, runs):
    """pkg_dir: a folder whose node_modules holds @hopx-ai/sdk and its dependencies."""
    modules = os.path.join(pkg_dir, "node_modules")
    names = []
    for entry in os.listdir(modules):
        if entry.startswith("."):
            continue
        if entry.startswith("@"):
            names += [f"{entry}/{sub}" for sub in os.listdir(os.path.join(modules, entry))]
        else:
            names.append(entry)
    bare_ms, require_ms = [], []
    for _ in range(runs):
        bare_ms += wall(["node", "-e", "0"], 1, cwd=pkg_dir)
        require_ms += wall(["node", "-e", "require('@hopx-ai/sdk')"], 1, cwd=pkg_dir)
    return {
        "bare_ms": bare_ms,
        "import_ms": require_ms,
        "dependencies": sorted(n for n in names if n != "@hopx-ai/sdk"),
        "size_bytes": du(modules),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("lang", choices=["py", "node"])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--artifacts", nargs="*", default=[])
    args = parser.parse_args()
    if args.lang == "py":
        out = python_footprint(args.paths[0], args.paths[1], args.runs)
    else:
        out = node_footprint(args.paths[0], args.runs)
    if args.artifacts:
        out["download_bytes"] = sum(os.path.getsize(p) for p in args.artifacts)
    out["median_import_ms"] = statistics.median(out["import_ms"])
    out["median_bare_ms"] = statistics.median(out["bare_ms"])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

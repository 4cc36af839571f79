"""The official SDKs' core surface against ours: every public name of ``Sandbox`` (both
flavours in Python, static and instance in Node) and every method of its ``files``,
``commands``, ``env``, ``cache`` and ``terminal`` resources must exist in our packages too.

``python compare.py OFFICIAL_PY.json OURS_PY.json OFFICIAL_JS.json OURS_JS.json`` prints the
counts and exits 1 listing what is missing. Desktop automation and template building are
out of scope (DESIGN.md), and so are the official JS SDK's internal helpers that JavaScript
cannot hide (``ensureAgentClient`` and the like)."""

import json
import sys

OUT_OF_SCOPE = {
    "desktop",
    "ensureAgentClient",
    "ensureAgentClientSync",
    "ensureWSClient",
    "ensureWSClientSync",
}


def missing(official, ours):
    return sorted(set(official) - set(ours) - OUT_OF_SCOPE)


def compare(label, official, ours, groups):
    total = have = 0
    gaps = []
    for group in groups:
        theirs = official[group] if group != "resources" else None
        if group == "resources":
            for name, methods in official["resources"].items():
                if methods is None:
                    continue
                gone = missing(methods, ours["resources"].get(name) or [])
                total += len(methods)
                have += len(methods) - len(gone)
                gaps += [f"{name}.{m}" for m in gone]
            continue
        gone = missing(theirs, ours[group])
        counted = [n for n in theirs if n not in OUT_OF_SCOPE]
        total += len(counted)
        have += len(counted) - len(gone)
        gaps += [f"{group}.{m}" for m in gone]
    print(f"{label}: {have} of {total} official names" + (f"; missing: {gaps}" if gaps else ""))
    return gaps


def main():
    off_py, ours_py, off_js, ours_js = (json.load(open(p)) for p in sys.argv[1:5])
    gaps = compare("Python", off_py, ours_py, ["Sandbox", "AsyncSandbox", "resources"])
    gaps += compare("Node", off_js, ours_js, ["static", "Sandbox", "resources"])
    sys.exit(1 if gaps else 0)


if __name__ == "__main__":
    main()

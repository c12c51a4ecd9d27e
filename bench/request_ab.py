"""CPU per ``POST /v1/schedule`` answer of two or more source trees, measured side by side.

Each tree (a checkout, e.g. ``git worktree add /tmp/before a330305``) gets its own child
process running its own app in-process (Flask's test client, no sockets), the garbage
collector set up as ``gunicorn.conf.py`` sets up a worker and counted in. The children
answer batches in turn (tree 1, tree 2, …, tree 1, …), so a busy moment of the shared
machine hits every tree alike; the median batch is reported, and each tree against the
first. The bodies are :mod:`load`'s cases (``--case large-jobs``: no default topology
spreading, to compare with trees from before PodTopologySpread was modelled).

    .venv/bin/python bench/request_ab.py --case small /tmp/before .
    .venv/bin/python bench/request_ab.py --case large-jobs --batch 20 /tmp/before .
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import gc, json, sys, time
bench, case_name = sys.argv[1], sys.argv[2]
sys.path.insert(0, bench)
try:
    from podfit.http.app import create_app
except ImportError:  # trees from before the HTTP edge had its own package
    from podfit.app import create_app
import load
case = {**load.CASES, **load.EXTRA_CASES}[case_name]
client = create_app().test_client()
payload = json.dumps(case.body(), separators=(",", ":")).encode()
for _ in range(5):  # warm up; check the answer
    r = client.post("/v1/schedule", data=payload, content_type="application/json")
    if r.status_code != 200 or json.loads(r.data)["summary"]["pods"] != case.pods:
        raise SystemExit(f"unexpected answer {r.status_code}: {r.data[:300]!r}")
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 10, 10)
for line in sys.stdin:
    n = int(line)
    c0 = time.process_time()
    for _ in range(n):
        r = client.post("/v1/schedule", data=payload, content_type="application/json")
        r.close()
        del r
    print((time.process_time() - c0) / n * 1000, flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path, help="source trees (repository roots)")
    parser.add_argument("--case", default="small", help="a case of bench/load.py")
    parser.add_argument("--batch", type=int, default=100, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=15, help="batches per tree")
    args = parser.parse_args()
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(HERE), args.case],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(tree.resolve() / "service")),
        )
        for tree in args.trees
    ]
    batches: list[list[float]] = [[] for _ in children]
    try:
        for _ in range(args.rounds):
            for child, found in zip(children, batches, strict=True):
                assert child.stdin is not None and child.stdout is not None
                child.stdin.write(f"{args.batch}\n")
                child.stdin.flush()
                line = child.stdout.readline()
                if not line:
                    raise SystemExit(f"a child stopped (tree {args.trees[batches.index(found)]})")
                found.append(float(line))
    finally:
        for child in children:
            if child.stdin is not None:
                child.stdin.close()
            child.wait()
    first = statistics.median(batches[0])
    print(f"$ python bench/request_ab.py --case {args.case} --batch {args.batch} ...")
    for tree, found in zip(args.trees, batches, strict=True):
        median = statistics.median(found)
        print(
            f"{args.case:<10} {tree!s:<24} {median:7.3f} ms CPU per answer (median of"
            f" {args.rounds} batches of {args.batch}; best batch {min(found):.3f})"
            f"  {median / first - 1:+.1%} vs the first tree"
        )


if __name__ == "__main__":
    main()

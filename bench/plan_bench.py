"""Capacity-planning benchmarks: speed of the estimator on T103, quality of the packers.

Run: ``.venv/bin/python bench/plan_bench.py [--quick] [--exact]``

1. T103 (cluster-autoscaler's BenchmarkBinpackingEstimate shape): 50,000 × 50m +
   1,000 × 95m pods on 1000m / 100-pod nodes, max 3000 nodes. Must give exactly 2,595
   nodes in FFD mode; goal ≤ 100 ms (upstream Go: 3.76 s, 41 ms with its 2026 fast path).
2. Quality: nodes ÷ best lower bound, summed over seeded Falkenauer uniform and triplet
   instances and 2-D cpu/memory workloads, for the estimator's FFD and our packer.
3. ``--exact``: the CP-SAT mode on ≤ 200-pod instances with a 10 s limit (needs ortools).
4. ``--warnings N``: what ``plan nodes`` works out of N pending groups' pod anti-affinity
   (each group keeps its own pods one per node; a quarter also keeps away from one other
   group): the packer's warnings and one shape's packing problem, in ms.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from podfit.planning.binpack import BinProblem, NodeTemplate, PodGroup, estimate, pack
from podfit.planning.bounds import lower_bounds
from podfit.planning.instances import (
    cpu_memory_workload,
    falkenauer_triplets,
    falkenauer_uniform,
    one_dimensional_problem,
)

MIB = 1024 * 1024


def t103() -> BinProblem:
    template = NodeTemplate("t103", (1000, 5000 * MIB, 100))
    return BinProblem(
        ("cpu", "memory", "pods"),
        template,
        (
            PodGroup("small", (50, 100 * MIB, 1), 50_000),
            PodGroup("large", (95, 190 * MIB, 1), 1_000),
        ),
    )


def bench_t103(repeat: int) -> None:
    problem = t103()
    times = []
    nodes = 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = estimate(problem, max_nodes=3000)
        times.append(time.perf_counter() - start)
        nodes = result.node_count
        assert result.placed_count == 51_000
    status = "OK" if nodes == 2595 else "WRONG (expected 2595)"
    best, median = min(times), sorted(times)[len(times) // 2]
    print("| benchmark | nodes | best ms | median ms | check |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| T103 FFD (51,000 pods) | {nodes} | {best * 1000:.1f} | {median * 1000:.1f} | {status} |"
    )
    start = time.perf_counter()
    ours = pack(problem, lower_bound=lower_bounds(problem).best)
    ms = (time.perf_counter() - start) * 1000
    print(f"| T103 podfit packer | {ours.node_count} | {ms:.1f} | {ms:.1f} | |")


def quality(
    label: str, problems: list[BinProblem], known: Callable[[BinProblem], int] | None = None
) -> None:
    bound_sum = ffd_sum = ours_sum = 0
    worst = 0.0
    start = time.perf_counter()
    for problem in problems:
        bound = lower_bounds(problem).best
        if known is not None:
            bound = max(bound, known(problem))
        ffd = estimate(problem).node_count
        ours = pack(problem, lower_bound=bound).node_count
        bound_sum += bound
        ffd_sum += ffd
        ours_sum += ours
        worst = max(worst, ours / bound - 1)
    secs = time.perf_counter() - start
    print(
        f"| {label} | {len(problems)} | {bound_sum} | {ffd_sum} ({_pct(ffd_sum, bound_sum)}) "
        f"| {ours_sum} ({_pct(ours_sum, bound_sum)}) | {worst * 100:.1f} % | {secs:.1f} |"
    )


def _pct(value: int, bound: int) -> str:
    return f"+{(value / bound - 1) * 100:.2f} %"


def bench_quality(quick: bool) -> None:
    seeds = range(1, 6 if quick else 21)
    print()
    print(
        "| instances | count | Σ lower bound | Σ FFD (autoscaler) | Σ podfit packer "
        "| worst podfit | seconds |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    sizes_u = (120, 250) if quick else (120, 250, 500, 1000)
    for n in sizes_u:
        quality(
            f"Falkenauer U{n}", [one_dimensional_problem(falkenauer_uniform(n, s)) for s in seeds]
        )
    sizes_t = (60, 120) if quick else (60, 120, 249, 501)
    for n in sizes_t:
        quality(
            f"Falkenauer T{n}", [one_dimensional_problem(falkenauer_triplets(n, s)) for s in seeds]
        )
    for n in (200,) if quick else (200, 1000):
        quality(f"2-D cpu/memory {n} pods", [cpu_memory_workload(n, s) for s in seeds])


def bench_exact() -> None:
    from podfit.planning.exact import ortools_available, solve_exact

    if not ortools_available():
        print("\nexact: ortools not installed (pip install 'podfit[optimal]')")
        return
    print()
    print("| exact instance | pods | lower bound | podfit packer | exact | status | seconds |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    cases = [
        (f"U120 seed {s}", one_dimensional_problem(falkenauer_uniform(120, s))) for s in (1, 2, 3)
    ]
    cases += [
        (f"T60 seed {s}", one_dimensional_problem(falkenauer_triplets(60, s))) for s in (1, 2)
    ]
    cases += [
        (f"2-D {n} pods seed {s}", cpu_memory_workload(n, s)) for n in (100, 200) for s in (1, 2)
    ]
    for label, problem in cases:
        bound = lower_bounds(problem).best
        ours = pack(problem, lower_bound=bound).node_count
        start = time.perf_counter()
        result = solve_exact(problem, time_limit=10)
        secs = time.perf_counter() - start
        print(
            f"| {label} | {problem.pod_count} | {result.lower_bound} | {ours} "
            f"| {result.packing.node_count} | {result.status} | {secs:.1f} |"
        )


def bench_warnings(groups: int) -> None:
    """ms for :func:`packer_warnings` and one shape's problem on ``groups`` groups."""
    from podfit.nodes import Node
    from podfit.planning.cluster import Cluster
    from podfit.planning.nodes_needed import NodeShape, _shape_problem, packer_warnings, run_groups
    from podfit.planning.pending import pending
    from podfit.pods import Container, Pod
    from podfit.quantity import parse_quantity
    from podfit.topology import PodAffinity, affinity_term, label_selector

    pods = []
    for i in range(groups):
        terms = [
            affinity_term("default", "kubernetes.io/hostname", label_selector({"app": f"g{i}"}))
        ]
        if i % 4 == 0:
            other = f"g{(i + 1) % groups}"
            terms.append(
                affinity_term("default", "kubernetes.io/hostname", label_selector({"app": other}))
            )
        container = Container("c", {"cpu": parse_quantity(f"{i % 50 + 1}m")})
        pods.append(
            Pod(
                f"p{i}",
                owner=f"ReplicaSet/g{i}",
                labels={"app": f"g{i}"},
                containers=(container,),
                pod_affinity=PodAffinity(required_anti=tuple(terms)),
            )
        )
    cluster = Cluster(pods, [], [], None)
    found, _ = run_groups(pending(cluster).runs)
    alloc = {
        "cpu": parse_quantity("4"),
        "memory": parse_quantity("16Gi"),
        "pods": parse_quantity("110"),
    }
    shape = NodeShape("m", Node("m", alloc, alloc))
    start = time.perf_counter()
    warned = packer_warnings(cluster, found)
    middle = time.perf_counter()
    _shape_problem(shape, found, ("cpu", "pods"), cluster, 100)
    end = time.perf_counter()
    print(
        f"warnings of {len(found)} groups: {(middle - start) * 1000:.0f} ms ({len(warned)} "
        f"warnings); one shape's problem: {(end - middle) * 1000:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer and smaller instances")
    parser.add_argument("--exact", action="store_true", help="also run the CP-SAT exact mode")
    parser.add_argument("--repeat", type=int, default=20, help="T103 repetitions")
    parser.add_argument(
        "--warnings", type=int, metavar="N", default=0, help="only the N-group warnings bench"
    )
    args = parser.parse_args()
    print(f"command: {' '.join([sys.executable.rsplit('/', 1)[-1], *sys.argv])}")
    if args.warnings:
        bench_warnings(args.warnings)
        return 0
    bench_t103(args.repeat)
    bench_quality(args.quick)
    if args.exact:
        bench_exact()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""PodTopologySpread / InterPodAffinity throughput on scheduler_perf's shapes.

Run: ``.venv/bin/python bench/topology_bench.py [--scale 0.1] [--repeat N] [--case NAME]``

Shapes (``test/integration/scheduler_perf/topology_spreading`` and ``affinity`` upstream;
nodes of 4 cpu / 32Gi / 110 pods, pods of 100m / 500Mi), with the CI floor of each case
(pods/s, Go with an API server) and the goal of 20× that floor:

========================== ======= ============ ============= ===== ======
case                       nodes   init pods    measured pods floor goal
========================== ======= ============ ============= ===== ======
spread (TopologySpreading) 5,000   5,000        5,000         460   9,200
preferred (Preferred...)   5,000   5,000        5,000         340   6,800
default (DefaultTopology.) 5,000   5,000        50,000        160   3,200
anti (SchedulingPodAnti.)  5,000   1,000        2,000         60    1,200
affinity (SchedulingPod.)  5,000   5,000        5,000         35    700
pref-affinity              5,000   5,000        5,000         90    1,800
pref-anti                  5,000   5,000        5,000         90    1,800
mixed (MixedSchedulingB.)  5,000   4 × 2,000    5,000         140   2,800
========================== ======= ============ ============= ===== ======

Zones: ``topology.kubernetes.io/zone`` moon-1..3 round robin (spreading cases), a single
``zone1`` (affinity cases). Spread pods: ``color: blue``, maxSkew 5 on the zone (upstream's
template). Anti-affinity pods: ``color: green``, required anti-affinity on the hostname
(the init pods are bound one per node, the measured pods fill the rest). Affinity pods:
``foo: bar``, required (or preferred, weight 1) affinity to ``foo: bar`` on the zone.
Init pods are given already bound (round robin); pods/s counts the measured pods over the
whole scheduling run (queue, filters, scores, placement, messages), by wall-clock time
(judged) and by the process's CPU time (what a busy shared machine does not distort).
``--scale`` shrinks nodes and pods alike (the full sizes take seconds per case).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from podfit.scheduler.config import make_config
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.run import schedule_infos
from podfit.topology import (
    DO_NOT_SCHEDULE,
    SCHEDULE_ANYWAY,
    PodAffinity,
    SpreadConstraint,
    WeightedAffinityTerm,
    affinity_term,
    label_selector,
)

GI = 2**30
HOST = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"
REQ = {"cpu": 100, "memory": 500 * 2**20}


def nodes(n: int, zones: list[str]) -> list[NodeInfo]:
    return [
        NodeInfo(
            f"node-{i}",
            {"cpu": 4000, "memory": 32 * GI, "pods": 110},
            labels={HOST: f"node-{i}", ZONE: zones[i % len(zones)]},
            index=i,
        )
        for i in range(n)
    ]


def bound(template: PodInfo, count: int, ns: list[NodeInfo], prefix: str) -> list[PodInfo]:
    out = []
    for k in range(count):
        p = template.replica(f"{prefix}-{k}")
        p.node_name = ns[k % len(ns)].name
        p.phase = "Running"
        out.append(p)
    return out


def fresh(template: PodInfo, count: int, prefix: str) -> list[PodInfo]:
    return [template.replica(f"{prefix}-{k}") for k in range(count)]


Case = tuple[list[NodeInfo], list[PodInfo], int]


def spread(n: int, init: int, measured: int, when: str) -> Case:
    ns = nodes(n, ["moon-1", "moon-2", "moon-3"])
    blue = label_selector({"color": "blue"})
    pod = PodInfo(
        "p", requests=REQ, labels={"color": "blue"}, spread=[SpreadConstraint(5, ZONE, when, blue)]
    )
    return (
        ns,
        [*bound(PodInfo("i", requests=REQ), init, ns, "init"), *fresh(pod, measured, "m")],
        measured,
    )


def default_spread(n: int, init: int, measured: int) -> Case:
    ns = nodes(n, ["moon-1", "moon-2", "moon-3"])
    sel = label_selector({"app": "web"})
    pod = PodInfo("p", requests=REQ, labels={"app": "web"}, default_spread=sel)
    return (
        ns,
        [*bound(PodInfo("i", requests=REQ), init, ns, "init"), *fresh(pod, measured, "m")],
        measured,
    )


def anti(n: int, init: int, measured: int) -> Case:
    ns = nodes(n, ["zone1"])
    green = label_selector({"color": "green"})
    terms = PodAffinity(required_anti=(affinity_term("default", HOST, green),))
    pod = PodInfo("p", requests=REQ, labels={"color": "green"}, pod_affinity=terms)
    return ns, [*bound(pod, init, ns, "init"), *fresh(pod, measured, "m")], measured


def affinity(n: int, init: int, measured: int, preferred: bool, against: bool) -> Case:
    ns = nodes(n, ["zone1"])
    foo = label_selector({"foo": "bar"})
    key = ZONE if not against else HOST
    term = affinity_term("default", key, foo)
    if preferred:
        weighted = (WeightedAffinityTerm(1, term),)
        terms = PodAffinity(preferred_anti=weighted) if against else PodAffinity(preferred=weighted)
    else:
        terms = PodAffinity(required=(term,))
    pod = PodInfo("p", requests=REQ, labels={"foo": "bar"}, pod_affinity=terms)
    return ns, [*bound(pod, init, ns, "init"), *fresh(pod, measured, "m")], measured


def mixed(n: int, init: int, measured: int) -> Case:
    ns = nodes(n, ["zone1"])
    foo = label_selector({"foo": "bar"})
    variants = [
        PodAffinity(required=(affinity_term("default", ZONE, foo),)),
        PodAffinity(required_anti=(affinity_term("default", HOST, label_selector({"x": "y"})),)),
        PodAffinity(preferred=(WeightedAffinityTerm(1, affinity_term("default", ZONE, foo)),)),
        PodAffinity(preferred_anti=(WeightedAffinityTerm(1, affinity_term("default", HOST, foo)),)),
    ]
    pods: list[PodInfo] = []
    for v, terms in enumerate(variants):
        tpl = PodInfo("v", requests=REQ, labels={"foo": "bar"}, pod_affinity=terms)
        pods += bound(tpl, init, ns, f"init{v}")
    pods += fresh(PodInfo("p", requests=REQ), measured, "m")
    return ns, pods, measured


CASES: dict[str, tuple[Callable[[float], Case], int]] = {
    "spread": (lambda s: spread(int(5000 * s), int(5000 * s), int(5000 * s), DO_NOT_SCHEDULE), 460),
    "preferred": (
        lambda s: spread(int(5000 * s), int(5000 * s), int(5000 * s), SCHEDULE_ANYWAY),
        340,
    ),
    "default": (lambda s: default_spread(int(5000 * s), int(5000 * s), int(50000 * s)), 160),
    "anti": (lambda s: anti(int(5000 * s), int(1000 * s), int(2000 * s)), 60),
    "affinity": (lambda s: affinity(int(5000 * s), int(5000 * s), int(5000 * s), False, False), 35),
    "pref-affinity": (
        lambda s: affinity(int(5000 * s), int(5000 * s), int(5000 * s), True, False),
        90,
    ),
    "pref-anti": (lambda s: affinity(int(5000 * s), int(5000 * s), int(5000 * s), True, True), 90),
    "mixed": (lambda s: mixed(int(5000 * s), int(2000 * s), int(5000 * s)), 140),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.1, help="fraction of the sizes")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (best reported)")
    parser.add_argument("--case", action="append", choices=list(CASES), help="only these")
    args = parser.parse_args()
    print(f"$ python bench/topology_bench.py --scale {args.scale} --repeat {args.repeat}")
    cfg = make_config()
    for name in args.case or list(CASES):
        build, floor = CASES[name]
        best = cpu = float("inf")
        summary: dict[str, int] = {}
        for _ in range(args.repeat):
            ns, pods, measured = build(args.scale)
            start, start_cpu = time.perf_counter(), time.process_time()
            result = schedule_infos(pods, ns, cfg, with_shortfall=False)
            best = min(best, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - start_cpu)
            result.check()
            summary = result.summary()
        rate = measured / best
        print(
            f"{name:<14} nodes={len(ns):>6} pods={summary['pods']:>6} measured={measured:>6} "
            f"scheduled={summary['scheduled']:>6} pending={summary['pending']:>5} "
            f"time={best:7.2f}s {rate:>9,.0f} pods/s (CPU {cpu:6.2f}s: {measured / cpu:>7,.0f}/s)"
            f"  (floor {floor}, goal {20 * floor:,}: {'met' if rate >= 20 * floor else 'missed'})"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()

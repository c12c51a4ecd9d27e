"""Cost-aware planning figures: the cheapest mix with its proven bound, and a consolidation
that re-schedules cleanly.

Run: ``.venv/bin/python bench/cost_bench.py [--copies 25] [--time-limit 30]``

Shapes: AWS m6i / c6i / r6i large, xlarge and 2xlarge at podfit's bundled us-east-1
on-demand list prices (plus g4dn.xlarge for the GPU workload). Workloads:

* T103, cluster-autoscaler's estimator benchmark as manifests (50,000 × 50m + 1,000 ×
  95m, cpu only);
* the public workloads of ``fixtures/workloads`` (Google's online-boutique, a Prometheus
  Helm chart's pods, the Kubernetes vLLM GPU example), each repeated ``--copies`` times
  in namespaces of their own (a multi-tenant cluster), all together.

For each: the best single-shape plan, the cheapest mix (heuristic) with its certified
lower bound and gap, then the exact mode (CP-SAT, ``--time-limit`` seconds) where the
input is small enough. Then a consolidation: the boutique copies as podfit's scheduler
spreads them over 16 xlarge nodes, consolidated with the same shapes; the check
re-schedules the cluster without the removed nodes (plus the added) and counts Pending.
Needs the ``optimal`` extra (OR-tools) for the LP bound and the exact mode.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from podfit.manifests import Workload, load_objects
from podfit.nodes import Node, node_preset
from podfit.planning.catalog import price_shapes, shape_from_text
from podfit.planning.consolidate import consolidate, pod_facts
from podfit.planning.mix import cheapest_mix
from podfit.planning.nodes_needed import NodeShape, _price_text, nodes_needed
from podfit.scheduler import schedule
from podfit.yamlsafe import DEFAULT_LIMITS, Limits, load_all

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ROOT / "fixtures" / "workloads"
SHAPES = [f"aws/{f}.{s}" for f in ("m6i", "c6i", "r6i") for s in ("large", "xlarge", "2xlarge")]
LIMITS = Limits(max_pods=200_000, max_bytes=DEFAULT_LIMITS.max_bytes)


def shapes(extra: tuple[str, ...] = ()) -> list[NodeShape]:
    parsed = [shape_from_text(s, f"shapes[{i}]") for i, s in enumerate([*SHAPES, *extra])]
    return price_shapes(parsed, region="us-east-1")


def t103() -> list[Any]:
    def deployment(name: str, replicas: int, cpu: str) -> dict[str, Any]:
        container = {"name": "c", "image": "x", "resources": {"requests": {"cpu": cpu}}}
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [container]}}},
        }

    return [deployment("small", 50_000, "50m"), deployment("large", 1_000, "95m")]


def tenants(copies: int, names: tuple[str, ...]) -> list[Any]:
    """The public workloads, each object repeated in namespaces tenant-0 … tenant-N."""
    docs: list[Any] = []
    for name in names:
        path = WORKLOADS / f"{name}.yaml"
        objects = [d for d in load_all(path.read_bytes(), DEFAULT_LIMITS, name) if d]
        for k in range(copies):
            for obj in objects:
                meta = dict(obj.get("metadata") or {})
                meta["namespace"] = f"tenant-{k}"
                docs.append({**obj, "metadata": meta})
    return docs


def mix_row(label: str, workload: Workload, node_shapes: list[NodeShape], limit: float) -> None:
    start = time.perf_counter()
    plan = nodes_needed(workload.pods, node_shapes, daemonsets=workload.daemonsets)
    best = plan.best()
    single = (
        "none takes every pod"
        if best is None
        else f"{best.nodes} × {best.shape.name} = {_price_text(best.cost or Fraction(0))}"
    )
    found = cheapest_mix(plan, time_limit=limit)
    heuristic_s = time.perf_counter() - start
    nodes = ", ".join(f"{c} × {n}" for n, c in found.counts.items())
    if found.unplaceable:
        nodes += f" ({sum(found.unplaceable.values())} pods fit no shape)"
    doc = found.to_dict()
    print(
        f"| {label} | {plan.pending} | {single} | {nodes} | {doc['exact']['costPerHour']} "
        f"| {doc['lowerBound']} | {doc['gap']} | {found.method} | {heuristic_s:.1f} |"
    )
    start = time.perf_counter()
    exact = cheapest_mix(plan, exact=True, time_limit=limit)
    exact_s = time.perf_counter() - start
    doc = exact.to_dict()
    status = "proven optimal" if exact.proven else f"gap {doc['gap']}"
    notes = "; ".join(exact.notes) or exact.method
    nodes = ", ".join(f"{c} × {n}" for n, c in exact.counts.items())
    print(
        f"|   exact mode | | | {nodes} | {doc['exact']['costPerHour']} | {doc['lowerBound']} "
        f"| {status} | {notes} | {exact_s:.1f} |"
    )


def consolidation(copies: int) -> None:
    docs = tenants(copies, ("online-boutique",))
    workload = load_objects(docs, LIMITS)
    preset = node_preset("aws/m6i.xlarge")
    nodes: list[Node] = [preset.node(name=f"node-{i}") for i in range(16)]
    placed = schedule(workload.pods, nodes)
    offset = len(placed.pods) - len(workload.pods)
    bound = [
        replace(p, node_name=o.node, phase="Running") if o.node else p
        for p, o in zip(workload.pods, placed.pods[offset:], strict=True)
    ]
    cluster = replace(workload, pods=bound, nodes=nodes)
    start = time.perf_counter()
    plan = consolidate(cluster, shapes(), pod_facts(docs), region="us-east-1")
    secs = time.perf_counter() - start
    doc = plan.to_dict()
    gone = {n["name"] for n in doc["removeNodes"]}
    pods = [
        replace(p, node_name=None, phase=None) if p.node_name in gone else p for p in cluster.pods
    ]
    kept_nodes = [n for n in nodes if n.name not in gone] + [n for n, _, _ in plan.added]
    check = schedule(pods, kept_nodes).summary()["pending"]
    print(
        f"\nconsolidation of {len(cluster.pods)} boutique pods on 16 × aws/m6i.xlarge: "
        f"remove {len(doc['removeNodes'])}, add {doc['addNodes']}, {len(doc['moves'])} moves, "
        f"cost per hour {doc['costPerHour']['before']} -> {doc['costPerHour']['after']}, "
        f"drain order {', '.join(doc['drainOrder'][:4])}…; re-scheduled without the removed "
        f"nodes (plus the added): {check} Pending; {secs:.1f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=25)
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    print(f"command: {' '.join([sys.executable.rsplit('/', 1)[-1], *sys.argv])}")
    print(
        "| workload | pods | best single shape ($/h) | cheapest mix | $/h | lower bound "
        "| gap | method | s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    mix_row("T103 (autoscaler benchmark)", load_objects(t103(), LIMITS), shapes(), args.time_limit)
    public = ("online-boutique", "helm-prometheus", "k8s-examples-vllm-gpu")
    for name in public[:2]:
        workload = load_objects(tenants(args.copies, (name,)), LIMITS)
        mix_row(f"{name} × {args.copies}", workload, shapes(), args.time_limit)
    workload = load_objects(tenants(args.copies, public), LIMITS)
    gpu = shapes(("aws/g4dn.xlarge",))
    mix_row(f"all three × {args.copies}", workload, gpu, args.time_limit)
    consolidation(args.copies)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``podfit check`` speed: the ``lose-any-node`` scenario on 500 nodes and 5,000 pods.

Run: ``.venv/bin/python bench/check_bench.py [--jobs N] [--repeat R] [--dask]``

The cluster: 500 nodes of three shapes (4, 8, 12 cpu) in three zones, 5,000 pods of 20
Deployments (five request sizes, two priorities), one small DaemonSet; about 85 % of cpu
requested, so every lost node's pods are rescheduled onto fuller nodes. The policy is
``lose-any-node`` alone (500 variants, each a drain of one node). Goal: at most 10 s with
the default executor (local processes, every core) on a 2-core machine. Prints, per run
(policy to report document, inputs already read), the wall time, the CPU seconds of this
process and its workers (the figure other load on a shared machine does not change),
variants per second, and the report's summary.
``--dask`` runs the same on a local ``distributed.LocalCluster`` and checks that the
JSON bytes equal the local run's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

from podfit.check import ClusterInput, check, parse_policy
from podfit.check.sweep import Dask, Inline, Processes
from podfit.nodes import Node
from podfit.pods import Container, Pod, replicas
from podfit.quantity import parse_quantity as q

POLICY = {
    "apiVersion": "podfit/v1",
    "kind": "CheckPolicy",
    "scenarios": [{"name": "lose-any-node", "remove": "anyNode"}],
}
SHAPES = (("4", "16Gi"), ("8", "32Gi"), ("12", "48Gi"))
REQUESTS = (("100m", "256Mi"), ("250m", "512Mi"), ("500m", "1Gi"), ("1", "2Gi"), ("1500m", "3Gi"))


def cluster(nodes: int = 500, pods: int = 5000) -> ClusterInput:
    """The benchmark cluster (deterministic)."""
    node_list = []
    for i in range(nodes):
        cpu, mem = SHAPES[i % len(SHAPES)]
        alloc = {"cpu": q(cpu), "memory": q(mem), "pods": q("110")}
        labels = {"topology.kubernetes.io/zone": f"zone-{i % 3}"}
        node_list.append(Node(f"node-{i:03d}", alloc, alloc, labels=labels))
    pod_list: list[Pod] = []
    per = pods // 20
    for t in range(20):
        cpu, mem = REQUESTS[t % len(REQUESTS)]
        template = Pod(
            f"app{t}",
            owner=f"Deployment/app{t}",
            containers=(Container("c", {"cpu": q(cpu), "memory": q(mem)}),),
            priority=1000 if t % 4 == 0 else 0,
        )
        pod_list.extend(replicas(template, [f"app{t}-{i}" for i in range(per)]))
    agent = Pod(
        "agent",
        owner="DaemonSet/agent",
        containers=(Container("c", {"cpu": q("50m"), "memory": q("64Mi")}),),
        daemonset="agent",
    )
    return ClusterInput("", pod_list, node_list, [agent])


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dask", action="store_true")
    args = parser.parse_args()
    inputs = [cluster()]
    policy = parse_policy(POLICY)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"cluster: {len(inputs[0].nodes)} nodes, {len(inputs[0].pods)} pods; "
        f"jobs {args.jobs}; {os.cpu_count()} cores, load average {load}"
    )
    local = b""
    for run in range(args.repeat):
        executor = Inline() if args.jobs == 1 else Processes(args.jobs)
        start, cpu = time.perf_counter(), _cpu()
        report = check(inputs, policy, executor=executor)
        took, cpu = time.perf_counter() - start, _cpu() - cpu
        local = json.dumps(report, indent=2).encode()
        variants = report["summary"]["variants"]
        print(
            f"run {run + 1}: {took:.2f} s wall, {cpu:.2f} s CPU, {variants / took:.0f} variants/s, "
            f"summary {json.dumps(report['summary'])}, "
            f"{'OK' if took <= 10 else 'SLOW'} (goal ≤ 10 s)"
        )
    if args.dask:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=args.jobs, threads_per_worker=1, processes=True, dashboard_address=None
            ) as lc,
            Client(lc) as client,  # type: ignore[no-untyped-call]
        ):
            start = time.perf_counter()
            report = check(inputs, policy, executor=Dask(client=client))
            took = time.perf_counter() - start
            same = json.dumps(report, indent=2).encode() == local
            print(f"dask LocalCluster: {took:.2f} s, JSON identical to the local run: {same}")


if __name__ == "__main__":
    main()

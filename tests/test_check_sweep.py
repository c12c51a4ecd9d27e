"""Variants are independent tasks: whichever executor runs them — this process, a local
process pool, or a dask.distributed cluster — the report is the same bytes; every
cluster × variant of ``--cluster`` is a task; Dask's absence is a clear message."""

from __future__ import annotations

import json
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from podfit.check import ClusterInput, check, parse_policy
from podfit.check.sweep import DASK_MISSING, Dask, Inline, Processes, plan_tasks
from podfit.cli import main
from podfit.errors import ConfigError
from podfit.nodes import Node
from podfit.pods import Container, Pod, replicas
from podfit.quantity import parse_quantity as q

POLICY = parse_policy(
    {
        "apiVersion": "podfit/v1",
        "kind": "CheckPolicy",
        "scenarios": [
            {"name": "as-is"},
            {"name": "lose-any-node", "remove": "anyNode"},
            {"name": "lose-a-zone", "remove": "anyZone", "maxRequested": {"cpu": "90%"}},
        ],
    }
)


def cluster(name: str, nodes: int, pods: int, cpu: str) -> ClusterInput:
    """``nodes`` nodes of 4 cpu in three zones, ``pods`` replicas of two Deployments."""
    alloc = {"cpu": q("4"), "memory": q("16Gi"), "pods": q("110")}
    node_list = [
        Node(f"{name}-n{i}", alloc, alloc, labels={"topology.kubernetes.io/zone": f"z{i % 3}"})
        for i in range(nodes)
    ]
    pod_list: list[Pod] = []
    for t, size in enumerate((cpu, "250m")):
        template = Pod(
            f"app{t}",
            owner=f"Deployment/app{t}",
            containers=(Container("c", {"cpu": q(size), "memory": q("512Mi")}),),
            priority=100 * t,
        )
        pod_list.extend(replicas(template, [f"app{t}-{i}" for i in range(pods)]))
    return ClusterInput(name, pod_list, node_list)


def clusters() -> list[ClusterInput]:
    """Three clusters; losing a node or a zone leaves pods Pending in some variants."""
    return [cluster("prod", 6, 8, "1"), cluster("edge", 4, 6, "1500m"), cluster("lab", 3, 4, "2")]


def report_bytes(**kw: Any) -> str:
    return json.dumps(check(clusters(), POLICY, **kw), indent=2)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    """One small local Dask cluster (one worker process, two threads) for the module."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_every_cluster_times_every_variant_is_a_task() -> None:
    inputs = clusters()
    tasks, _ = plan_tasks(inputs, POLICY, chunks=1000)  # one variant per task
    expected = sum(
        1 + len(c.nodes) + len({n.labels["topology.kubernetes.io/zone"] for n in c.nodes})
        for c in inputs
    )
    assert len(tasks) == expected
    assert all(len(variants) == 1 for _, variants in tasks)
    assert {c for c, _ in tasks} == {0, 1, 2}


def test_processes_give_the_bytes_of_a_single_process_run() -> None:
    assert report_bytes(executor=Processes(2)) == report_bytes(executor=Inline())


def test_dask_gives_the_bytes_of_a_local_run(dask_client: Any) -> None:
    local = report_bytes(executor=Processes(2))
    assert report_bytes(executor=Dask(client=dask_client)) == local
    # twice on the same workers: their cached bases give the same answer
    assert report_bytes(executor=Dask(client=dask_client)) == local


def test_inputs_cross_the_wire_intact() -> None:
    """What Dask and the process pool send: equal after a pickle round trip."""
    inputs = clusters()
    assert pickle.loads(pickle.dumps((inputs, POLICY))) == (inputs, POLICY)


def test_without_dask_the_option_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails
    with pytest.raises(ConfigError) as info:
        Dask("tcp://127.0.0.1:8786")
    assert str(info.value) == f"--dask-scheduler: {DASK_MISSING}"
    cluster = tmp_path / "c.yaml"
    cluster.write_text(
        "apiVersion: v1\nkind: Node\nmetadata: {name: a}\n"
        "status: {allocatable: {cpu: '1', memory: 1Gi, pods: '10'}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["check", "-f", str(cluster), "--dask-scheduler", "tcp://127.0.0.1:8786"]
    )
    assert result.exit_code == 1
    assert result.stderr == f"error: --dask-scheduler: {DASK_MISSING}\n"


def test_the_cli_on_a_dask_scheduler_prints_the_local_report(
    dask_client: Any, tmp_path: Path
) -> None:
    cluster = tmp_path / "c.yaml"
    cluster.write_text(
        "".join(
            f"---\napiVersion: v1\nkind: Node\nmetadata: {{name: n{i}}}\n"
            "status: {allocatable: {cpu: '2', memory: 4Gi, pods: '110'}}\n"
            for i in range(3)
        )
        + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
        "  replicas: 5\n  template:\n    spec:\n      containers:\n      - name: c\n"
        "        resources: {requests: {cpu: '1'}}\n",
        encoding="utf-8",
    )
    args = ["check", "-f", str(cluster), "-o", "json"]
    local = CliRunner().invoke(main, [*args, "--jobs", "1"])
    remote = CliRunner().invoke(main, [*args, "--dask-scheduler", dask_client.scheduler.address])
    assert (remote.exit_code, local.exit_code) == (3, 3)
    assert remote.stdout == local.stdout
